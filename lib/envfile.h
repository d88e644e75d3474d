/* envfile.h: <worktree>/.env.sandbox and keeping it out of commits */
#ifndef SB_ENVFILE_H
#define SB_ENVFILE_H

#include "sandbox.h"

/* Path of the sandbox's env file (newly allocated). */
char *envfile_path(const struct sandbox *sb);

/*
 * Write the env file from the sandbox's state (never a secret). A file
 * that git-sandbox did not write (its first line says so) is never
 * overwritten: -1 after an error. 0 or -1.
 */
int envfile_write(const struct sandbox *sb);

/* Write it if it is missing (it is derived from the state). 0 or -1. */
int envfile_ensure(const struct sandbox *sb);

/* Remove the env file if git-sandbox wrote it; another file is kept, with a warning. 0 or -1. */
int envfile_remove(const struct sandbox *sb);

/* Add "/<file>" to <commondir>/info/exclude unless already there. 0 or -1. */
int exclude_add(const char *commondir, const char *file);

#endif
