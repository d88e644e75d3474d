/*
 * The slot registry: registry_parse(). What parses must also survive
 * registry_format() and parse back to the same entries.
 */
#include "fuzz.h"
#include "registry.h"
#include "strbuf.h"

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void check_same(const struct registry *a, const struct registry *b)
{
	size_t i, j;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++) {
		const struct reg_entry *x = &a->e[i], *y = &b->e[i];

		if (x->slot != y->slot || x->created != y->created || x->creating != y->creating ||
		    x->nports != y->nports ||
		    !same_str(x->repo, y->repo) || !same_str(x->name, y->name) ||
		    !same_str(x->path, y->path) || !same_str(x->gitdir, y->gitdir) ||
		    !same_str(x->project, y->project))
			abort();
		for (j = 0; j < x->nports; j++)
			if (x->ports[j] != y->ports[j] || strcmp(x->port_names[j], y->port_names[j]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct registry r = { .lockfd = -1 }, again = { .lockfd = -1 };
	int line = 0;

	if (registry_parse(&r, text, &line) == 0) {
		struct strbuf sb = STRBUF_INIT;

		registry_format(&r, &sb);
		if (registry_parse(&again, sb.buf, &line) < 0)
			abort();	/* the tool cannot read what it wrote */
		check_same(&r, &again);
		strbuf_release(&sb);
	}
	registry_release(&r);
	registry_release(&again);
	free(text);
	return 0;
}
