/* `docker ps -a` in the JSON-lines format docker_ps_all() asks for: docker_parse_ps(). */
#include "docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct container_list l;
	const struct container **c;
	char **projects;
	size_t i, n;

	docker_parse_ps(text, &l);
	/* what list and status do with it next */
	for (i = 0; i < l.n; i++) {
		n = stack_containers(&l, l.v[i].project, &c);
		if (!n)
			abort();
		free(c);
		stack_status(&l, l.v[i].project);
	}
	n = docker_projects_with_prefix(&l, "", &projects);
	free_strings(projects, n);
	container_list_free(&l);
	free(text);
	return 0;
}
