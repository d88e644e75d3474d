/* stack.h: the state of sandboxes' compose stacks, for list and status */
#ifndef SB_STACK_H
#define SB_STACK_H

#include <stddef.h>

struct stack_list {
	int reachable;		/* docker answered */
	void *priv;
};

/* Ask the engine once for every compose container (never dies). */
void stack_list_load(struct stack_list *l);
void stack_list_free(struct stack_list *l);

/*
 * running, partial, stopped, missing (worktree gone) or unknown (docker
 * unreachable) for the sandbox at path with git dir gitdir and compose
 * project.
 */
const char *sandbox_status(const struct stack_list *l, const char *path, const char *gitdir,
			   const char *project);

struct sandbox;
/* Take the sandbox's stack down with its volumes; a stack already gone is fine. 0 or -1. */
int stack_destroy(const struct sandbox *sb);

#endif
