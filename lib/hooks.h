/*
 * hooks.h: hook.postCreate, hook.preUp, hook.postUp, hook.preDestroy.
 *
 * Commands from the project file come with the repository, so they run
 * only once the user trusted that exact file content for this repository
 * (trust.h). Hooks from the user's own git config always run.
 */
#ifndef SB_HOOKS_H
#define SB_HOOKS_H

#include "sandbox.h"

/*
 * Run hook (its config key in name, e.g. "hook.postCreate") with sh -c in
 * the sandbox's worktree, its variables set. Returns 0 if it ran and
 * succeeded or there is none, 1 if it was skipped as untrusted (what would
 * run and how to trust it are printed), -1 if it failed (said so).
 */
int run_hook(const struct sandbox *sb, const struct config_value *hook, const char *name);

#endif
