/* git sandbox down: stop the stack (keep volumes unless -v), or every running one with --all */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compose.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "repo.h"
#include "sandbox.h"
#include "stack.h"
#include "strbuf.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox down [-s <name> | --all] [-v | --volumes]",
	NULL
};

/* what a sandbox's down under --all exits with when nothing of it runs */
#define DOWN_IDLE 3

/*
 * Take down the stack of sandbox name (NULL: the worktree around the
 * current directory). With only_running (--all), a stack of which
 * nothing runs is left as it is and DOWN_IDLE returned, and a sandbox
 * whose worktree is gone is looked at, not refused. Dies on failure.
 */
static int down_one(const char *name, int volumes, int only_running)
{
	const char *args[COMPOSE_MAX_ARGS];
	struct stack_list stacks;
	struct stack_ident si;
	enum stack_kind kind;
	struct compose c;
	struct sandbox sb;
	int ret;

	cmd_open(&sb, name, SB_NEED_SLOT | (only_running ? 0 : SB_NEED_WORKTREE));
	if (sb.missing) {
		/* compose needs the worktree's file: a stack left running is prune's */
		if (stack_ident_load(&sb, &si) < 0)
			die("the stack was not stopped");
		ret = stack_count(&sb, &si, 1);
		if (ret < 0)
			die("the stack was not stopped");
		if (ret)
			die("the worktree of sandbox '%s' is gone, and its stack runs; "
			    "'git sandbox prune' removes it", sb.name);
		stack_ident_free(&si);
		sandbox_close(&sb);
		return DOWN_IDLE;
	}
	cmd_lock(&sb);
	if (stack_ident_load(&sb, &si) < 0)
		die("the stack was not stopped");
	kind = stack_kind(&sb.cfg, sb.path, &si);
	if (kind != STACK_YES) {
		if (stack_none_left(&sb, &si, kind) < 0) {
			fprintf(stderr, "hint: put the compose file back to take them down, or "
				"'git sandbox destroy' removes them with the sandbox\n");
			die("the stack was not stopped");
		}
		if (!only_running)
			printf("Sandbox '%s' has no stack (no %s): nothing to stop\n", sb.name,
			       sb.cfg.compose[0]);
		stack_ident_free(&si);
		sandbox_close(&sb);
		return only_running ? DOWN_IDLE : 0;
	}
	if (only_running) {
		ret = stack_count(&sb, &si, 1);
		if (ret < 0)
			die("the stack was not stopped");
		if (!ret) {
			stack_ident_free(&si);
			sandbox_close(&sb);
			return DOWN_IDLE;
		}
	}
	cmd_stacks(&stacks);
	if (stack_claim(&si, sb.project, sb.path, &stacks.containers, 0) < 0)
		die("the stack was not stopped");
	stack_list_free(&stacks);
	/* every profile's services: down means the whole stack */
	cmd_compose(&c, &sb, &si, STACK_COMPOSE_ALL_PROFILES);
	/* compose's -v would remove the project's volumes by name: not ours to judge */
	ret = compose_run(&c, compose_down_args(args, 0));
	stack_compose_free(&c);
	if (ret)
		die("the stack was not stopped");
	if (volumes) {
		cmd_stacks(&stacks);
		ret = stack_remove(&si, sb.project, sb.path, &stacks.containers, 1, 0);
		stack_list_free(&stacks);
		if (ret < 0)
			die("the stack was not stopped");
	}
	stack_ident_free(&si);
	printf("Sandbox '%s' is down%s\n", sb.name, volumes ? ", its volumes removed" : "");
	sandbox_close(&sb);
	return 0;
}

/* A sandbox of the repository for --all: by name, or (name NULL) the main worktree at dir. */
struct target {
	long slot;
	char *name;
	char *dir;
};

static int by_slot(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return (x->slot > y->slot) - (x->slot < y->slot);
}

/*
 * The sandboxes of the repository around the current directory, by slot:
 * every one in the registry, and its main worktree when that is not one
 * (slot 0, which has a stack of its own).
 */
static size_t repository_targets(struct target **out)
{
	struct target *t = NULL;
	size_t n = 0, alloc = 0, i;
	struct registry reg;
	struct repo r;
	int main_listed = 0;
	struct strbuf why = STRBUF_INIT;

	if (repo_open(&r, &why) < 0)
		die("%s", why.buf);
	if (registry_read(&reg) < 0)
		die("the stack was not stopped");
	for (i = 0; i < reg.n; i++) {
		if (strcmp(reg.e[i].repo, r.commondir))
			continue;
		main_listed |= !strcmp(reg.e[i].gitdir, r.commondir);
		ALLOC_GROW(t, n + 1, alloc);
		t[n].slot = reg.e[i].slot;
		t[n].name = xstrdup(reg.e[i].name);
		t[n++].dir = NULL;
	}
	registry_release(&reg);
	/* a bare repository has no main worktree */
	if (!main_listed && strcmp(r.main_worktree, r.commondir)) {
		ALLOC_GROW(t, n + 1, alloc);
		t[n].slot = 0;
		t[n].name = NULL;
		t[n++].dir = xstrdup(r.main_worktree);
	}
	repo_close(&r);
	if (n)
		qsort(t, n, sizeof(*t), by_slot);
	*out = t;
	return n;
}

/*
 * down of each sandbox in a process of its own: its own lock, engine and
 * configuration, and a failure (which dies) ends that one only.
 */
static int down_all(int volumes)
{
	struct strbuf failed = STRBUF_INIT;
	struct target *t;
	size_t n = repository_targets(&t), i, nfailed = 0, stopped = 0;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0)
			die_errno("cannot fork");
		if (!pid) {
			if (t[i].dir && chdir(t[i].dir) < 0)
				die_errno("cannot change to '%s'", t[i].dir);
			exit(down_one(t[i].name, volumes, 1));
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				die_errno("waitpid");
		if (WIFEXITED(status) && WEXITSTATUS(status) == DOWN_IDLE)
			continue;
		if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			stopped++;
			continue;
		}
		strbuf_addf(&failed, "%s'%s'", nfailed++ ? ", " : "", t[i].name ? t[i].name : "main");
	}
	for (i = 0; i < n; i++) {
		free(t[i].name);
		free(t[i].dir);
	}
	free(t);
	if (nfailed)
		die("could not take down %zu sandbox%s of this repository: %s", nfailed,
		    nfailed == 1 ? "" : "es", failed.buf);
	if (!stopped)
		printf("No sandbox of this repository is running\n");
	strbuf_release(&failed);
	return 0;
}

static int volumes, all;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_(0, "all", &all, "stop every running sandbox of the repository"),
	OPT_BOOL_('v', "volumes", &volumes, "also remove the stack's volumes"),
	OPT_END_(),
};

static void check_down(struct cmd_ctx *ctx)
{
	if (all && cmd_sandbox)
		cmd_usage_error(ctx, "--all and --sandbox cannot go together");
}

/* with --all, one sandbox after the other: each opened (and locked) here */
static int cmd_down(struct cmd_ctx *ctx)
{
	return all ? down_all(volumes) : down_one(ctx->name, volumes, 0);
}

const struct cmd_entry cmd_down_entry = {
	"down", "stop the stack (keep volumes unless -v)", usage, opts,
	0, 0, 0, check_down, cmd_down
};
