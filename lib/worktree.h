/* worktree.h: making and removing worktrees and branches, through git itself */
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

/*
 * Decide how to get branch: local, origin/ only, or new from start
 * (default HEAD). Dies with a clear message when the branch is checked
 * out elsewhere (naming that worktree), when start is not a commit, or
 * when explicit_base is given for a branch that already exists.
 */
enum branch_mode branch_plan(struct repo *r, const char *branch, const char *start, int explicit_new);

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

#endif
