/* The engine's answer to GET /containers/json: docker_parse_containers(). */
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_list l;
	const struct container **c;
	size_t i, n;
	json_t *a = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	docker_parse_containers(a, &l);
	json_decref(a);
	/* what list and status do with it next */
	for (i = 0; i < l.n; i++) {
		n = stack_containers(&l, l.v[i].project, &c);
		if (!n)
			abort();
		free(c);
		container_list_status(&l, l.v[i].project);
	}
	container_list_free(&l);
	return 0;
}
