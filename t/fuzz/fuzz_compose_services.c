/* A compose file, as the label override reads it: compose_parse_services(). */
#include "composefile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	char **names;
	size_t i, n;

	if (compose_parse_services((const char *)data, size, &names, &n, &err) == 0) {
		if (!names || names[n] || n > COMPOSE_MAX_SERVICES)
			abort();
		/* no duplicates, none empty */
		for (i = 0; i < n; i++)
			if (!*names[i] || (i && !strcmp(names[i], names[i - 1])))
				abort();
		free_strings(names, n);
	} else if (!err.len || names) {
		abort();
	}
	strbuf_release(&err);
	return 0;
}
