/* repo.h: the repository and worktree we run in (libgit2) */
#ifndef SB_REPO_H
#define SB_REPO_H

#include <git2.h>

#include "strbuf.h"

struct repo {
	git_repository *git;
	char *gitdir;		/* this worktree's git dir, absolute, no trailing '/' */
	char *commondir;	/* shared git dir, absolute, no trailing '/' */
	char *worktree;		/* top of this worktree; NULL in a bare repository */
	char *main_worktree;	/* top of the main worktree (the common dir if bare) */
	int is_main;		/* this is the main worktree */
};

/*
 * Open the repository around the current directory, as git would (honours
 * GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES; `git -C` has already
 * changed directory): 0, 1 outside any repository (r empty), or -1 with
 * why saying what failed (r empty).
 */
int repo_discover(struct repo *r, struct strbuf *why);
/*
 * repo_discover() for a command that needs a repository: 0, or -1 with
 * why in err (git's message outside a repository).
 */
int repo_open(struct repo *r, struct strbuf *err);

/* git_libgit2_init() without the CA bundle we never need (see repo.c). */
int sb_libgit2_init(void);
void repo_close(struct repo *r);

/* The main worktree of a repository from its common git dir (newly allocated). */
char *main_worktree_of(const char *commondir);

/*
 * Directory p without links and without a trailing '/' (p as given when it
 * cannot be resolved), newly allocated.
 */
char *repo_clean_dir(const char *p);

#endif
