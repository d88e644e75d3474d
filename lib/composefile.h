/*
 * composefile.h: what git-sandbox reads in a compose file itself — the
 * names of its services, so that the override it generates can label
 * every container of the stack (stackid.h). Compose resolves the rest.
 */
#ifndef SB_COMPOSEFILE_H
#define SB_COMPOSEFILE_H

#include <stddef.h>

#include "strbuf.h"

/* The most services a compose file may name. */
#define COMPOSE_MAX_SERVICES 1000

/*
 * The keys of the top-level "services" mapping of the YAML text (the first
 * document; merge keys "<<" followed, aliases resolved), in file order
 * without duplicates. *names is NULL-terminated; free it with
 * free_strings(*names, *n). Returns 0, or -1 with the reason in err (a
 * YAML error with its line, a "services" that is not a mapping, a name
 * that is not a string).
 */
int compose_parse_services(const char *text, size_t len, char ***names, size_t *n,
			   struct strbuf *err);

/* The same for a file (links followed, bounded like read_file). */
int compose_file_services(const char *path, char ***names, size_t *n, struct strbuf *err);

#endif
