/*
 * A compose file, as the label override and down read it
 * (compose_parse_names()), and as setup does (compose_parse_setup(),
 * setup_write()).
 */
#include "composefile.h"
#include "fuzz.h"
#include "setup.h"

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
	strbuf_reset(&err);
	{
		struct compose_setup cs = { 0 };
		struct strbuf out = STRBUF_INIT, advice = STRBUF_INIT;
		const char *files[] = { "compose.yml" };
		size_t i;

		if (compose_parse_setup((const char *)data, size, &cs, &err) < 0 && !err.len)
			abort();
		for (i = 0; i < cs.nports; i++)
			if (!cs.ports[i].service || cs.ports[i].count < 1 ||
			    (cs.ports[i].base < 0 && !cs.ports[i].var) || cs.ports[i].base > 65535)
				abort();
		(void)setup_write(&cs, "p", files, 1, &out, &advice);
		/* the file's text never makes a line of its own in what setup writes */
		for (i = 0; i < out.len; i++)
			if (out.buf[i] == '\n' && i + 1 < out.len && !strchr("#[\t", out.buf[i + 1]))
				abort();
		compose_setup_free(&cs);
		strbuf_release(&out);
		strbuf_release(&advice);
	}
	strbuf_release(&err);
	return 0;
}
