/* copy.h: sandbox.copy, ignored files carried from the main worktree into a new sandbox */
#ifndef SB_COPY_H
#define SB_COPY_H

#include "config.h"

/*
 * Copy each sandbox.copy path (a file or a directory, relative to the
 * worktree) from the main worktree src to the new worktree dst. A missing
 * source is skipped with a note; an existing destination is left alone.
 * Paths that are absolute or climb out with ".." are refused. 0 or -1.
 */
int copy_into_sandbox(const struct sb_config *cfg, const char *src, const char *dst);

#endif
