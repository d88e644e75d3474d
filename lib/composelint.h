/*
 * composelint.h: the lint of a compose file before its stack first starts,
 * in one place: what in compose's resolved model would make two
 * sandboxes' stacks collide, each finding with the line to write instead.
 *
 *  - a service with a fixed container_name (one without the compose
 *    project's name): the second stack cannot make its container;
 *  - a published host port that is not one of the sandbox's leased ports:
 *    the second stack cannot publish it;
 *  - a volume that is external, or has a fixed name, without the project's
 *    name: every stack shares it.
 *
 * The model is what compose resolves with the sandbox's variables (compose.h:
 * compose_config), read as JSON (composefile.h: yaml_to_json); compose v1
 * and v2 spell it differently (v1: published ports as numbers, some ports
 * in short syntax; v2: long syntax, published as strings), and both are
 * read. Nothing here prints: the findings go to the caller.
 */
#ifndef SB_COMPOSELINT_H
#define SB_COMPOSELINT_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "ports.h"
#include "strbuf.h"

/* One finding: what would collide, and what to write instead. */
struct lint_finding {
	char *what;	/* "service 'api' publishes host port 8000, ..." */
	char *fix;	/* "write the ports entry \"${API_PORT}:80\" ..." */
};

struct lint_findings {
	struct lint_finding *v;
	size_t n, alloc;
};

/* What a model is judged against: the sandbox's. */
struct lint_sandbox {
	const char *project;		/* its compose project name */
	const struct port_set *ports;	/* the ports it leased */
	/* its configuration: the port group whose variable a literal port should be */
	const struct sb_config *cfg;
};

/*
 * Add the findings of compose's resolved model (the JSON of its config
 * output) to out, services then volumes in the model's order; a shape
 * that is not compose's is passed over. Returns how many were added.
 */
size_t compose_lint_model(const json_t *model, const struct lint_sandbox *ls,
			  struct lint_findings *out);

/*
 * Ask compose for the resolved model of the stack c describes (one
 * spawn, no secrets: compose_config) and lint it. 0 with the findings in
 * out (none for a clean file), or -1 with why compose or its answer
 * failed.
 */
struct compose;
int compose_lint(const struct compose *c, const struct lint_sandbox *ls,
		 struct lint_findings *out, struct strbuf *why);

void lint_findings_free(struct lint_findings *f);

#endif
