/* git sandbox destroy: stack down with volumes, worktree removed, slot released */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "hooks.h"
#include "lease.h"
#include "lock.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "sandbox.h"
#include "stack.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox destroy [[-s] <name>] [-f | --force] [--keep-worktree] [--delete-branch]",
	NULL
};

/* The sandbox is gone: its entry released (its stack id remembered), then its ports. */
static int end_lease(struct registry *r, struct reg_entry *e, void *data)
{
	const struct sandbox *sb = data;

	if (!e)
		e = registry_find(r, sb->repo.commondir, sb->name);
	return e ? lease_end(r, e, 1) : 0;
}

static void release_slot(const struct sandbox *sb)
{
	if (registry_update(sb->repo.commondir, sb->is_main ? NULL : sb->gitdir, sb->path,
			    end_lease, (void *)sb) < 0)
		die("the sandbox's slot was not released");
}

static int force, keep, delete_branch;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_('f', "force", &force, "lose local changes; delete an unmerged branch"),
	OPT_BOOL_(0, "keep-worktree", &keep, "keep the worktree and branch; remove the sandbox"),
	OPT_BOOL_(0, "delete-branch", &delete_branch, "also delete the branch (kept if not merged)"),
	OPT_END_(),
};

static int cmd_destroy(struct cmd_ctx *ctx)
{
	struct sandbox *sb = &ctx->sb;
	char *branch = NULL;
	long slot;
	int was_inside;

	if (!sb->has_state && !sb->missing)
		die("the main worktree '%s' is slot 0, not a sandbox: there is nothing to destroy", sb->path);
	if (sb->is_main && delete_branch)
		die("--delete-branch: '%s' is the main worktree, which is kept, and so is its branch",
		    sb->path);
	if (sb->is_main && !keep) {
		note("'%s' is the main worktree: it is kept, only its sandbox is destroyed", sb->path);
		keep = 1;
	}
	if (delete_branch && keep)
		die("--delete-branch needs the worktree removed; it cannot go with --keep-worktree");
	/*
	 * a worktree moved with git worktree move (or another in its old
	 * place) is not this sandbox's path any more: nothing is removed by
	 * a path that the registry has wrong
	 */
	if (!sb->is_main && *sb->gitdir) {
		char *to = worktree_of_gitdir(sb->gitdir);

		if (to && strcmp(to, sb->path) && (sb->missing || !worktree_belongs(sb->path, sb->gitdir)))
			die("sandbox '%s' was moved to '%s'; run 'git sandbox prune' so that the registry "
			    "follows it, then destroy it", sb->name, to);
		free(to);
		if (!sb->missing && !worktree_belongs(sb->path, sb->gitdir))
			die("'%s' is not the worktree of sandbox '%s' any more; run 'git sandbox prune'",
			    sb->path, sb->name);
	}
	/*
	 * an up of this sandbox finishes first, then its stack is ours to
	 * take down: never a stack started after destroy looked (lock.h)
	 */
	if (!sb->missing)
		cmd_lock(sb);
	if (!sb->missing && !keep && !force) {
		struct strbuf what = STRBUF_INIT;
		int d = worktree_dirty(sb->path, &what);

		if (d < 0)
			die("cannot tell whether '%s' has changes", sb->path);
		if (d)
			die("'%s' has uncommitted or untracked changes; commit or stash them, "
			    "or use --force to lose them:\n%s", sb->path, (strbuf_rtrim(&what), what.buf));
		d = worktree_hidden(sb->path, sb->repo.main_worktree, &what);
		if (d < 0)
			die("cannot tell whether '%s' has files its branch's .gitignore hides", sb->path);
		if (d)
			die("'%s' has files that only its branch's .gitignore hides, which would be lost; "
			    "move them away, or use --force to lose them:\n%s", sb->path,
			    (strbuf_rtrim(&what), what.buf));
		strbuf_release(&what);
	}
	if (!sb->missing)
		branch = worktree_branch(sb->gitdir);
	/* asked before the directory goes: "." cannot be resolved once it is gone */
	was_inside = path_inside(".", sb->path) == 1;

	if (!sb->missing && run_hook(sb, &sb->cfg.hook_pre_destroy, "hook.preDestroy") < 0) {
		if (!force)
			die("hook.preDestroy failed: nothing was destroyed (--force goes on regardless)");
		warning("hook.preDestroy failed; going on because of --force");
	}

	/* 1. the stack, with its volumes */
	if (stack_destroy(sb) < 0)
		die("could not take the stack '%s' down; fix that and run destroy again", sb->project);
	crash_point("destroy-stack");

	/* 2. the worktree (or, keeping it, what made it a sandbox) */
	if (keep) {
		if (unlink(sb->state_file) < 0 && errno != ENOENT)
			die_errno("cannot remove the sandbox state '%s'", sb->state_file);
		if (stack_ident_forget(sb) < 0)
			die("the worktree is still a sandbox");
		if (envfile_remove(sb) < 0)
			die("the worktree is still a sandbox");
	} else {
		if (worktree_remove(&sb->repo, sb->path) < 0)
			die("could not remove the worktree '%s'; fix that and run destroy again", sb->path);
	}
	crash_point("destroy-worktree");
	if (delete_branch && branch && strcmp(branch, "(detached)") && strcmp(branch, "(unknown)")) {
		if (branch_delete(&sb->repo, branch, force) < 0)
			warning("kept branch '%s'%s", branch, force ? "" :
				": it is not fully merged; delete it with 'git branch -D'");
		else
			printf("Deleted branch '%s'\n", branch);
	}

	/* 3. the slot */
	release_slot(sb);
	slot = sb->slot;
	printf("Destroyed sandbox '%s'%s; slot %ld is free\n", sb->name,
	       keep ? " (worktree kept)" : "", slot);
	if (!keep && was_inside)
		printf("You are in a directory that is gone: cd %s\n", sb->repo.main_worktree);
	free(branch);
	return 0;
}

const struct cmd_entry cmd_destroy_entry = {
	"destroy", "stack down, worktree removed, slot released", usage, opts,
	CMD_SANDBOX | CMD_NAME_ARG,
	/* what an untrusted project file may not set must not keep its sandbox alive */
	SB_NEED_SLOT | SB_REVIEW | SB_ANY_CONFIG | SB_ANY_ENGINE,
	1, NULL, cmd_destroy
};
