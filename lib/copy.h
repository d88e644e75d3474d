/* copy.h: sandbox.copy, ignored files carried from the main worktree into a new sandbox */
#ifndef SB_COPY_H
#define SB_COPY_H

#include "config.h"

struct strbuf;

/*
 * Does the sandbox.copy value p name a path inside the worktree: relative,
 * no "..", and (so that it names one path one way) no "." or empty
 * components? A trailing "/" is allowed, as in .gitignore. 0, or -1 with
 * the reason in why.
 */
int copy_check_value(const char *p, struct strbuf *why);

/*
 * Copy each sandbox.copy path (a file or a directory, relative to the
 * worktree) from the main worktree src to the new worktree dst. A missing
 * source is skipped with a note; what the checkout has of its own (a
 * regular file where a file goes, anything where a link goes) is left
 * alone. Every value is checked (copy_check_value()) before anything is
 * copied.
 * Nothing in dst is followed: a symbolic link (or a non-directory) where a
 * directory is needed, or a link where a file goes, is an error, so nothing
 * is written outside dst. 0 or -1 (after the message).
 */
int copy_into_sandbox(const struct sb_config *cfg, const char *src, const char *dst);

#endif
