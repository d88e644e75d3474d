/* A compose file, as the label override and down read it: compose_parse_names(). */
#include "composefile.h"
#include "fuzz.h"

/* no duplicates, none empty, NULL-terminated, bounded */
static void check(char **v, size_t n)
{
	size_t i, j;

	if (n > COMPOSE_MAX_SERVICES || (v && v[n]) || (!v && n))
		abort();
	for (i = 0; i < n; i++) {
		if (!*v[i])
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(v[i], v[j]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compose_names names = { 0 };
	struct strbuf err = STRBUF_INIT;

	if (compose_parse_names((const char *)data, size, &names, &err) < 0 && !err.len)
		abort();
	check(names.services, names.nservices);
	check(names.profiles, names.nprofiles);
	compose_names_free(&names);
	strbuf_release(&err);
	return 0;
}
