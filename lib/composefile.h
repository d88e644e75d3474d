/*
 * composefile.h: what git-sandbox reads in a compose file itself — the
 * names of its services, so that the override it generates can label
 * every container of the stack (stackid.h), and the profiles they name,
 * so that down reaches every service. Compose resolves the rest.
 */
#ifndef SB_COMPOSEFILE_H
#define SB_COMPOSEFILE_H

#include <stddef.h>

#include "strbuf.h"

/* The most services a compose file may name. */
#define COMPOSE_MAX_SERVICES 1000

/* Names found in one or several compose files; zero it first. */
struct compose_names {
	char **services;	/* NULL-terminated (NULL while empty) */
	size_t nservices, aservices;
	char **profiles;	/* every profile a service names, the same way */
	size_t nprofiles, aprofiles;
};

/*
 * Add the keys of the top-level "services" mapping of the YAML text (the
 * first document; merge keys "<<" followed, aliases resolved), and the
 * "profiles" each service names, to names: in file order, without
 * duplicates. Returns 0, or -1 with the reason in err (a YAML error with
 * its line, a "services" that is not a mapping, a name that is not a
 * string); what was added stays.
 */
int compose_parse_names(const char *text, size_t len, struct compose_names *names,
			struct strbuf *err);

/* The same for a file (links followed, bounded like read_file). */
int compose_file_names(const char *path, struct compose_names *names, struct strbuf *err);

void compose_names_free(struct compose_names *names);

#endif
