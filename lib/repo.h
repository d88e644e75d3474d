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
/* repo_discover(), dying with git's message outside a repository. */
void repo_open(struct repo *r);

/* git_libgit2_init() without the CA bundle we never need (see repo.c). */
int sb_libgit2_init(void);
void repo_close(struct repo *r);

/* The main worktree of a repository from its common git dir (newly allocated). */
char *main_worktree_of(const char *commondir);

/* Die with libgit2's last error after "what". */
void die_git(const char *what) __attribute__((noreturn));

/*
 * Branch checked out in the worktree whose git dir is gitdir, newly
 * allocated; NULL when its HEAD is detached, or with *unreadable set when
 * its HEAD cannot be read.
 */
char *worktree_head_branch(const char *gitdir, int *unreadable);
/* The same for people: "(detached)" or "(unknown)" instead of NULL. */
char *worktree_branch(const char *gitdir);

/* Path of the worktree that has refs/heads/<branch> checked out, or NULL (newly allocated). */
char *branch_checked_out(struct repo *r, const char *branch);

/* Private git dir of a linked worktree at path (from its .git file), or NULL. */
char *worktree_gitdir(const char *path);

#endif
