/*
 * gitparams.h: the values `git -c` hands to the programs git runs, in
 * GIT_CONFIG_PARAMETERS (sq-quoted words, as git's sq_quote writes them)
 * and GIT_CONFIG_COUNT with GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n>.
 * libgit2 reads neither; gitlayers.h stacks them over the files.
 */
#ifndef SB_GITPARAMS_H
#define SB_GITPARAMS_H

#include <stddef.h>

#include "strbuf.h"

/*
 * Parse GIT_CONFIG_PARAMETERS-style text into key/value pairs (a value is
 * NULL for a bare key). 0, or -1 with nothing left to free.
 */
int gitparams_parse(const char *text, char ***keys, char ***values, size_t *n);

/* Called for each `git -c` value, in git's order: key as given, value NULL for a bare key. */
typedef void (*gitparams_fn)(const char *key, const char *value, void *data);

/*
 * Hand fn every value of this environment's `git -c`: GIT_CONFIG_COUNT's
 * first, then GIT_CONFIG_PARAMETERS', as git layers them. 0, or -1 with
 * why saying what is malformed (fn may have been called for the values
 * before it).
 */
int gitparams_read(gitparams_fn fn, void *data, struct strbuf *why);

#endif
