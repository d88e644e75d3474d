/* git sandbox init: make the current clone or worktree a sandbox */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "lease.h"
#include "lock.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "sandbox.h"
#include "show.h"
#include "stack.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox init [--name <name>] [--slot <n>] [--engine <engine>]",
	NULL
};

/* sandbox.remote: the origin URL must contain it */
static void check_remote(struct sandbox *sb)
{
	git_remote *origin;
	const char *url;

	if (!sb->cfg.remote)
		return;
	if (git_remote_lookup(&origin, sb->repo.git, "origin") < 0)
		die("this clone has no remote 'origin', but %s requires one containing '%s' (sandbox.remote)",
		    sb->cfg.file, sb->cfg.remote);
	url = git_remote_url(origin);
	if (!url || !strstr(url, sb->cfg.remote))
		die("origin '%s' does not contain '%s' (sandbox.remote in %s): "
		    "this is not a clone of the project", url ? url : "", sb->cfg.remote, sb->cfg.file);
	git_remote_free(origin);
}

/*
 * The main worktree's slot-0 stack would be orphaned by a lease: its
 * project is "<project>", a sandbox's "<project>-<name>", and nothing
 * would list, stop or remove it again. Refuse while it has containers.
 */
static void refuse_running_main(struct sandbox *sb, const struct stack_ident *si)
{
	int n = stack_count(sb, si, 0);

	if (n < 0)
		die("cannot tell whether the main worktree's stack (compose project '%s') still exists; "
		    "nothing was changed", sb->project);
	if (n)
		die("the main worktree's stack (compose project '%s') has %d container%s: a sandbox "
		    "here would leave it behind, holding its ports; take it down first with "
		    "'git sandbox down' (volumes are kept), then run init again",
		    sb->project, n, n == 1 ? "" : "s");
}

/* ktrdr--feat -> feat; else the directory's name */
static char *default_name(const struct sandbox *sb)
{
	char *base = path_basename(sb->path), *prefix = xasprintf("%s--", sb->cfg.project), *name;

	if (starts_with(base, prefix) && base[strlen(prefix)])
		name = xstrdup(base + strlen(prefix));
	else
		name = xstrdup(base);
	free(base);
	free(prefix);
	return name;
}

/* The lease undone: the entry, then its ports on the machine. */
static int undo_lease(struct registry *r, struct reg_entry *e, void *data)
{
	(void)data;
	return e ? lease_end(r, e, 0) : 0;
}

static const char *want_name, *engine;
static long want;
static const struct opt opts[] = {
	OPT_STRING_(0, "name", &want_name, "<name>", "the sandbox's name instead of the directory's"),
	OPT_LONG_(0, "slot", &want, 1, MAX_SLOTS, "<n>", "take this slot"),
	OPT_STRING_(0, "engine", &engine, "<engine>", "place the stack on this engine (context or URL)"),
	OPT_END_(),
};

static int cmd_init(struct cmd_ctx *ctx)
{
	struct sandbox *sb = &ctx->sb;
	struct registry reg;
	struct reg_entry e = { 0 }, *old;
	struct stack_ident si;
	struct strbuf why = STRBUF_INIT;
	/* static: still reachable when a die() below exits (LeakSanitizer) */
	static char *name;
	int ok;

	if (sb->has_state)
		die("'%s' is already sandbox '%s' (slot %ld)", sb->path, sb->name, sb->slot);
	check_remote(sb);
	if (!sb->cfg.has_file && !sb->cfg.nports)
		die("no ports configured (no .gitsandbox, no [port] in your git config); "
		    "run 'git sandbox setup' to write a .gitsandbox from the compose file");
	name = want_name ? xstrdup(want_name) : default_name(sb);
	if (!valid_name(name, &why))
		die("invalid sandbox name '%s': %s%s", name, why.buf,
		    want_name ? "" : "; choose one with --name <name>");

	/*
	 * a new stack, with a new id (stackid.h): a record left here (slot
	 * 0's, or a sandbox destroyed with --keep-worktree) is another's
	 */
	if (stack_ident_load(sb, &si) < 0)
		die("the worktree was not made a sandbox");
	if (sb->is_main)
		refuse_running_main(sb, &si);
	stack_ident_reset(&si);
	if (!(e.stack_id = (char *)stack_ident_make_id(&si)))
		die_errno("cannot get random bytes for a stack id");
	/* the engine its stack will live on, recorded with it */
	if (sandbox_place(sb, engine) < 0)
		die("the worktree was not made a sandbox");
	e.engine = (char *)state_get(&sb->st, "engine", "name");
	e.engine_certs = (char *)state_get(&sb->st, "engine", "certs");
	e.repo = sb->repo.commondir;
	e.name = name;
	e.path = sb->path;
	e.gitdir = sb->is_main ? sb->repo.commondir : sb->gitdir;
	e.project = compose_project(sb->cfg.project, name);
	port_set_free(&sb->ports);	/* slot 0's, until now */
	sb->slot = lease_begin(&reg, &e, &sb->cfg, want, 0, &sb->ports, &why);
	if (sb->slot == LEASE_NAME_TAKEN || sb->slot == LEASE_PROJECT_TAKEN)
		die("%s; choose another with --name <name>", why.buf);
	if (sb->slot == LEASE_NAME_STALE)
		die("%s; run 'git sandbox prune', or choose another with --name <name>", why.buf);
	if (sb->slot == LEASE_PATH_REGISTERED)
		die("%s; run 'git sandbox prune' if its state was lost", why.buf);
	if (sb->slot < 0)
		die("the worktree was not made a sandbox");
	/*
	 * the lock stays until the state is written: a prune never sees the
	 * entry without its state (and takes it for stale)
	 */
	crash_point("init-registered");

	sb->st.name = name;
	sb->st.slot = sb->slot;
	sb->st.project = e.project;
	sb->st.created = e.created;
	ports_to_state(&sb->ports, &sb->st);
	sb->ports_recorded = 1;
	sb->has_state = 1;
	sb->name = name;
	free(sb->project);
	sb->project = xstrdup(e.project);
	ok = !state_write(sb->state_file, &sb->st) && !stack_ident_write(&si);
	stack_ident_free(&si);
	if (!ok && (old = registry_find_path(&reg, sb->path)))
		lease_end(&reg, old, 0);
	registry_release(&reg);
	if (!ok) {
		unlink(sb->state_file);
		die("the worktree was not made a sandbox");
	}
	crash_point("init-state");
	if (envfile_write(sb) < 0 || exclude_add(sb->repo.commondir, sb->cfg.env_file) < 0) {
		unlink(sb->state_file);
		registry_update(sb->repo.commondir, NULL, sb->path, undo_lease, NULL);
		die("the worktree was not made a sandbox");
	}
	show_created(sb, "Initialized", "git sandbox up");
	strbuf_release(&why);
	return 0;
}

const struct cmd_entry cmd_init_entry = {
	"init", "make the current clone or worktree a sandbox", usage, opts,
	CMD_SANDBOX, 0, 0, NULL, cmd_init
};
