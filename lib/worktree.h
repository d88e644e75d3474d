/*
 * worktree.h: worktrees and their branches: reading what a worktree has
 * checked out and where its git dir is, and making and removing worktrees
 * and branches through git itself.
 */
#ifndef SB_WORKTREE_H
#define SB_WORKTREE_H

#include "repo.h"
#include "strbuf.h"

/* How create gets its branch: see Branches in git-sandbox-create(1). */
enum branch_mode {
	BRANCH_EXISTING,	/* check out local <branch> */
	BRANCH_TRACK,		/* new local <branch> tracking origin/<branch> */
	BRANCH_NEW,		/* new <branch> from <start> */
};

/* branch_plan()'s refusals that the caller words (they concern its options) */
#define BRANCH_PLAN_EXISTS (-2)		/* branch exists, and start is given or explicit_new is not */
#define BRANCH_PLAN_BAD_START (-3)	/* start (HEAD when NULL) is not a commit */

/*
 * Decide how to get branch into *mode: local, origin/ only, or new from
 * start (default HEAD). 0; -1 with why in err when branch is not a valid
 * name or is checked out elsewhere (naming that worktree); or
 * BRANCH_PLAN_EXISTS or BRANCH_PLAN_BAD_START (err untouched).
 */
int branch_plan(struct repo *r, const char *branch, const char *start, int explicit_new,
		enum branch_mode *mode, struct strbuf *err);

/*
 * The commit (hex, newly allocated) a checkout of branch by mode starts
 * at, or NULL if it cannot be told.
 */
char *branch_plan_head(struct repo *r, const char *branch, enum branch_mode mode, const char *start);

/*
 * `git worktree add` as the user would run it (hooks, filters, sparse
 * settings all apply). 0 or -1 (git's own message is on stderr).
 */
int worktree_add(struct repo *r, const char *path, const char *branch, enum branch_mode mode,
		 const char *start);

/* `git worktree remove --force`; if the directory is already gone, `git worktree prune`. 0 or -1. */
int worktree_remove(struct repo *r, const char *path);

/* 1 if the worktree has uncommitted or untracked changes (listed in what), 0 if clean, -1 on error. */
int worktree_dirty(const char *path, struct strbuf *what);
/*
 * 1 if the worktree at path has ignored files that the rules of the main
 * worktree would not ignore (a branch's .gitignore hides them: they are
 * somebody's work, not the project's usual build output), listed in what;
 * 0 if none, -1 if git failed.
 */
int worktree_hidden(const char *path, const char *main_worktree, struct strbuf *what);

/*
 * The worktree that a linked worktree's private git dir names (its
 * "gitdir" file, a relative path resolved as git does), without links,
 * newly allocated; NULL if it names none that exists.
 */
char *worktree_of_gitdir(const char *gitdir);
/* 1 if the worktree at path is the one of gitdir (its .git leads there), else 0. */
int worktree_belongs(const char *path, const char *gitdir);

/* Delete a local branch: `git branch -d` (or -D with force). 0 or -1. */
int branch_delete(struct repo *r, const char *branch, int force);

/* Does refs/heads/<branch> exist? */
int local_branch_exists(struct repo *r, const char *branch);

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
