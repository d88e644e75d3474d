/* setup.h: a .gitsandbox written from a compose file (git-sandbox-setup(1)) */
#ifndef SB_SETUP_H
#define SB_SETUP_H

#include <stddef.h>

#include "strbuf.h"

struct compose_setup;

/*
 * The .gitsandbox text for what compose_parse_setup() read from files
 * (nfiles of them, as the file names them) into out: the project (or
 * none), the compose files unless the default, and one [port] group per
 * published host port (its variable and default as the file writes
 * them; a group without a default commented out), with health or wait
 * guesses as comments. Into advice, one line each: fixed host ports and
 * container_names, and variables the rules refuse, with the line to
 * write instead. Returns how many groups it wrote (not commented out).
 * Spawns and reads nothing.
 */
size_t setup_write(const struct compose_setup *cs, const char *project, const char *const *files,
		   size_t nfiles, struct strbuf *out, struct strbuf *advice);

#endif
