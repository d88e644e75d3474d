/*
 * trust.h: the trust boundary around the project file.
 *
 * .gitsandbox comes with the repository, from whoever wrote the branch.
 * Its keys that choose a program, a shell command, a file outside the
 * worktree or which secrets leave 1Password (config.h: needs_trust) are
 * honoured only once the user has trusted that exact content for that
 * repository: a sandbox.trust value "<sha256> <common dir>" in the user's
 * own git config, written by `git sandbox trust`. The hash is of the bytes
 * config_load() or config_load_commit() parsed, so what was checked is
 * what is used.
 */
#ifndef SB_TRUST_H
#define SB_TRUST_H

#include <stdio.h>

#include "config.h"

/*
 * Set cfg->trusted for the repository whose common git dir is commondir;
 * untrusted, a sandbox.envFile of the project file's is set aside
 * (cfg->env_file_ignored) for the default.
 */
void trust_check(struct sb_config *cfg, const char *commondir);

/* Print v for review, control bytes and '\\' escaped (\x1b, \\). */
void trust_print_value(FILE *f, const char *v);

/* The sandbox.trust value for hash in commondir (newly allocated). */
char *trust_value(const char *hash, const char *commondir);

/* Is value v of sandbox.trust for commondir (whatever content)? */
int trust_is_for(const char *v, const char *commondir);

/* May a value from origin be used: the user's own always, the project file's once trusted. */
int trust_allows(const struct sb_config *cfg, enum config_origin origin);

/*
 * Say that key (with its value) from the untrusted project file is not
 * used; the caller ends with trust_hint(), the advice to trust the file
 * (ADVICE_TRUST: the program words it).
 */
void trust_warn_ignored(const struct sb_config *cfg, const char *key, const char *value);
void trust_hint(const struct sb_config *cfg);

/*
 * May the secrets of the item that cfg names go to the stack? 0 if so;
 * -1 after an error when the project file chose the item (secrets.item,
 * vault or account) and is not trusted: a repository could name any item
 * of the user's and hand its values to containers it defines.
 */
int trust_secrets(const struct sb_config *cfg);

/*
 * Drop the project file's sandbox.copy values unless it is trusted,
 * saying so for each one.
 */
void trust_filter_copy(struct sb_config *cfg);

#endif
