/* git sandbox create: a new worktree, a free slot and its env file */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "envfile.h"
#include "hooks.h"
#include "lease.h"
#include "lock.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "sandbox.h"
#include "show.h"
#include "stack.h"
#include "trust.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox create <name> [-b <branch>] [--base <commit-ish>] [--slot <n>] [--engine <engine>]",
	NULL
};

/* What create made so far, undone in reverse if a later step fails. */
static struct {
	struct repo *repo;
	const char *path;
	const char *branch;	/* set if create made this branch */
	int reserved, worktree;
} junk;

/* The reservation undone: the entry, then its ports on the machine. */
static int undo_reserve(struct registry *r, struct reg_entry *e, void *data)
{
	(void)data;
	return e ? lease_end(r, e, 0) : 0;
}

static void remove_junk(void)
{
	if (junk.worktree && worktree_remove(junk.repo, junk.path) < 0)
		warning("could not remove the worktree '%s'; remove it with 'git worktree remove --force %s'",
			junk.path, junk.path);
	if (junk.branch && branch_delete(junk.repo, junk.branch, 1) < 0)
		warning("could not delete the branch '%s' that create made", junk.branch);
	if (junk.reserved && registry_update(junk.repo->commondir, NULL, junk.path, undo_reserve, NULL) < 0)
		warning("could not release the slot; run 'git sandbox prune'");
	memset(&junk, 0, sizeof(junk));
}

static void on_exit_cleanup(void)
{
	if (junk.reserved || junk.worktree || junk.branch)
		remove_junk();
}

/* Die if this repository has a sandbox of that name, with what to do instead. */
static void refuse_taken(const struct sandbox *sb, const char *name)
{
	struct registry reg;
	struct strbuf why = STRBUF_INIT;
	int r;

	if (registry_read(&reg) < 0)
		die("the sandbox was not created");
	r = lease_name_refused(&reg, sb->repo.commondir, name, &why);
	if (r == LEASE_NAME_STALE)
		die("%s; run 'git sandbox prune' (or 'git sandbox destroy %s'), or choose another name",
		    why.buf, name);
	if (r == LEASE_NAME_TAKEN)
		die("%s; work there (cd '%s'), remove it first with 'git sandbox destroy %s', or "
		    "choose another name", why.buf, registry_find(&reg, sb->repo.commondir, name)->path,
		    name);
	registry_release(&reg);
}

/*
 * Reserve a slot and name under the registry lock; returns the slot. The
 * entry says what create is making (the branch, if new, and the commit the
 * checkout starts at), so that a prune after a killed create removes
 * exactly that and nothing the user made since.
 */
static long reserve(struct sandbox *sb, const char *name, const char *path, long want,
		    const char *made_branch, const char *made_head)
{
	struct registry reg;
	struct reg_entry e = { 0 };
	struct strbuf why = STRBUF_INIT;
	long slot;

	e.repo = sb->repo.commondir;
	e.name = (char *)name;
	e.path = (char *)path;
	e.gitdir = (char *)"";
	e.project = compose_project(sb->cfg.project, name);
	e.creating = getpid();
	e.creating_start = proc_start_time(e.creating);
	e.made_branch = (char *)made_branch;
	e.made_head = (char *)made_head;
	e.engine = (char *)state_get(&sb->st, "engine", "name");
	e.engine_certs = (char *)state_get(&sb->st, "engine", "certs");
	slot = lease_begin(&reg, &e, &sb->cfg, want, LEASE_NEW_PATH, &sb->ports, &why);
	if (slot == LEASE_PATH_TAKEN)
		die("%s; move it away, or choose another name", why.buf);
	if (slot == LEASE_PATH_REGISTERED)
		die("%s, whose worktree is gone; run 'git sandbox prune', or choose another name",
		    why.buf);
	if (slot == LEASE_PROJECT_TAKEN)
		die("%s; choose another name", why.buf);
	if (slot == LEASE_NAME_TAKEN)
		die("%s", why.buf);
	if (slot == LEASE_NAME_STALE)
		die("%s; run 'git sandbox prune', or choose another name", why.buf);
	if (slot < 0)
		die("the sandbox was not created");
	registry_release(&reg);
	junk.reserved = 1;
	free(e.project);
	strbuf_release(&why);
	crash_point("create-reserved");
	return slot;
}

struct made {
	const char *path, *gitdir, *stack_id;
};

/* The worktree's git dir in its registry entry, now that git made it, and its stack's id. */
static int set_gitdir(struct registry *r, struct reg_entry *e, void *data)
{
	const struct made *m = data;

	(void)r;
	if (!e)
		return error("the registry lost the entry for '%s' while creating it", m->path);
	free(e->gitdir);
	e->gitdir = xstrdup(m->gitdir);
	free(e->stack_id);
	e->stack_id = xstrdup(m->stack_id);
	e->creating = 0;
	free(e->made_branch);
	free(e->made_head);
	e->made_branch = e->made_head = NULL;
	return 1;
}

static const char *branch, *base, *engine;
static long want;
static const struct opt opts[] = {
	OPT_STRING_('b', "branch", &branch, "<branch>", "check out <branch> instead of a new branch <name>"),
	OPT_STRING_(0, "base", &base, "<commit-ish>", "start a new branch there (default: HEAD)"),
	OPT_LONG_(0, "slot", &want, 1, MAX_SLOTS, "<n>", "take this slot"),
	OPT_STRING_(0, "engine", &engine, "<engine>", "place the stack on this engine (context or URL)"),
	OPT_END_(),
};

/* How the sandbox gets its branch; the refusals that concern create's options are worded here. */
static enum branch_mode plan_branch(struct repo *r, const char *branch, const char *base, int explicit_new)
{
	struct strbuf err = STRBUF_INIT;
	enum branch_mode mode = BRANCH_NEW;
	int ret = branch_plan(r, branch, base, explicit_new, &mode, &err);

	if (ret == BRANCH_PLAN_EXISTS && base)
		die("branch '%s' already exists; --base applies only to a new branch", branch);
	if (ret == BRANCH_PLAN_EXISTS)
		die("a branch named '%s' already exists; to check it out in the sandbox use '-b %s'",
		    branch, branch);
	if (ret == BRANCH_PLAN_BAD_START)
		die("invalid --base '%s': not a commit", base ? base : "HEAD");
	if (ret < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return mode;
}

static void check_create(struct cmd_ctx *ctx)
{
	if (ctx->argc != 1)
		cmd_usage_error(ctx, ctx->argc ? "too many arguments" : "missing <name>");
}

static int cmd_create(struct cmd_ctx *ctx)
{
	const char *name;
	struct sandbox sb;
	struct stack_ident si;
	struct strbuf why = STRBUF_INIT;
	enum branch_mode mode;
	char *path, *gitdir, *head;

	name = ctx->argv[0];
	if (!valid_name(name, &why))
		die("invalid sandbox name '%s': %s", name, why.buf);

	memset(&sb, 0, sizeof(sb));
	if (repo_open(&sb.repo, &why) < 0)
		die("%s", why.buf);
	if (!sb.repo.worktree && !sb.repo.main_worktree)
		die("this operation must be run in a repository");
	/* the name taken: that, before its branch looks taken too (checked again under the lock) */
	refuse_taken(&sb, name);
	mode = plan_branch(&sb.repo, branch ? branch : name, base, !!branch);
	if (!branch)
		branch = name;
	head = branch_plan_head(&sb.repo, branch, mode, base);

	/*
	 * The directory, the slot and the ports follow the configuration the
	 * sandbox will have: the .gitsandbox of the commit it checks out, not
	 * this worktree's (an uncommitted edit here is not in the new
	 * checkout). Only a start that cannot be told falls back to this
	 * worktree's file.
	 */
	if ((head ? sandbox_config_load_commit(&sb.cfg, &sb.repo, head) :
		    sandbox_config_load(&sb.cfg, &sb.repo, sb.repo.worktree ? sb.repo.worktree :
					sb.repo.main_worktree)) < 0)
		die("%s", config_error());
	if (config_check_untrusted(&sb.cfg) < 0)
		cmd_die_untrusted(&sb.cfg, config_error());
	if (!sb.cfg.has_file && !sb.cfg.nports)
		die("no ports configured (no .gitsandbox, no [port] in your git config); "
		    "run 'git sandbox setup' to write a .gitsandbox from the compose file");
	/* the engine its stack will live on, recorded with it */
	if (sandbox_place(&sb, engine) < 0)
		die("the sandbox was not created");
	/* beside the main worktree, whichever worktree create runs in */
	path = sandbox_worktree_path(&sb.repo, &sb.cfg, name);
	if (head)
		config_set_worktree(&sb.cfg, path);	/* where that file will be */

	/* from here on a failure undoes what was made; signals go to git, not to us */
	junk.repo = &sb.repo;
	junk.path = path;
	atexit(on_exit_cleanup);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);

	sb.slot = reserve(&sb, name, path, want, mode != BRANCH_EXISTING ? branch : NULL, head);
	free(head);
	if (worktree_add(&sb.repo, path, branch, mode, base) < 0) {
		/* git can fail after making both (a failing post-checkout hook) */
		if (!access(path, F_OK))
			junk.worktree = 1;
		if (mode != BRANCH_EXISTING && local_branch_exists(&sb.repo, branch))
			junk.branch = branch;
		die("could not create the worktree '%s'", path);
	}
	junk.worktree = 1;
	if (mode != BRANCH_EXISTING)
		junk.branch = branch;
	crash_point("create-worktree");
	gitdir = worktree_gitdir(path);
	if (!gitdir)
		die("'%s' does not look like a linked worktree", path);

	sb.st.name = xstrdup(name);
	sb.st.slot = sb.slot;
	sb.st.project = compose_project(sb.cfg.project, name);
	sb.st.created = time(NULL);
	ports_to_state(&sb.ports, &sb.st);
	sb.ports_recorded = 1;
	sb.has_state = 1;
	sb.name = sb.st.name;
	sb.project = xstrdup(sb.st.project);
	sb.path = path;
	sb.gitdir = gitdir;
	sb.state_file = state_path(gitdir, 0);
	if (state_write(sb.state_file, &sb.st) < 0)
		die("the sandbox was not created");
	crash_point("create-state");
	/* its stack's identity on the engine, from birth (stackid.h) */
	if (stack_ident_read(gitdir, &si) < 0)
		die("the sandbox was not created");
	if (!stack_ident_make_id(&si))
		die_errno("cannot get random bytes for a stack id");
	si.path = xstrdup(path);
	if (stack_ident_write(&si) < 0)
		die("the sandbox was not created");
	/* the lock is released before exiting: the clean-up at exit takes it again */
	if (registry_update(sb.repo.commondir, NULL, path, set_gitdir,
			    &(struct made){ path, gitdir, si.id }) < 0)
		die("the sandbox was not created");
	stack_ident_free(&si);
	if (envfile_write(&sb) < 0 || exclude_add(sb.repo.commondir, sb.cfg.env_file) < 0)
		die("the sandbox was not created");
	/*
	 * sb.cfg is the sandbox's own configuration (read from the commit now
	 * checked out there): copy and hook.postCreate follow it, not this
	 * worktree's file
	 */
	trust_filter_copy(&sb.cfg);
	if (copy_into_sandbox(&sb.cfg, sb.repo.main_worktree, path) < 0)
		die("the sandbox was not created");
	crash_point("create-done");
	memset(&junk, 0, sizeof(junk));

	/* like git's post-checkout: a failing hook does not undo the sandbox */
	if (run_hook(&sb, &sb.cfg.hook_post_create, "hook.postCreate") < 0)
		warning("the sandbox is kept; fix the hook's work by hand in '%s'", path);
	show_created(&sb, "Created", "git sandbox up");
	sb.path = NULL;
	free(path);
	sandbox_close(&sb);
	strbuf_release(&why);
	return 0;
}

const struct cmd_entry cmd_create_entry = {
	"create", "new worktree, slot and env file for a sandbox", usage, opts,
	0, 0, -1, check_create, cmd_create
};
