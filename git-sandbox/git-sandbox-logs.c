/* git sandbox logs: compose logs of this sandbox */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "cmd.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "stack.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox logs [-s <name>] [<service>] [-f] [--tail <n>]",
	NULL
};

static int follow;
static const char *tail;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_('f', "follow", &follow, "follow the output"),
	OPT_STRING_(0, "tail", &tail, "<n>", "show the last <n> lines of each service (or all)"),
	OPT_END_(),
};

static void check_logs(struct cmd_ctx *ctx)
{
	long t;

	if (tail && strcmp(tail, "all") && parse_int(tail, 0, 100000000, &t) < 0)
		cmd_usage_error(ctx, "--tail takes a number of lines or 'all', not '%s'", tail);
}

static int cmd_logs(struct cmd_ctx *ctx)
{
	const char *args[COMPOSE_MAX_ARGS], **argv_c;
	struct strbuf err = STRBUF_INIT;
	struct stack_list stacks;
	struct stack_ident si;
	enum stack_kind kind;
	struct compose c;
	struct sandbox *sb = &ctx->sb;

	if (stack_ident_load(sb, &si) < 0)
		die("cannot show the stack's output");
	kind = stack_kind(&sb->cfg, sb->path, &si);
	if (kind != STACK_YES) {
		/* no output is the true answer, not a failure: a loop over sandboxes goes on */
		if (stack_none_left(sb, &si, kind) < 0) {
			fprintf(stderr, "hint: put the compose file back to see their output\n");
			die("cannot show the stack's output");
		}
		note("sandbox '%s' has no stack (no %s): no logs", sb->name, sb->cfg.compose[0]);
		stack_ident_free(&si);
		return 0;
	}
	cmd_stacks(&stacks);
	/* another stack's output is not this sandbox's to show */
	if (stack_claim(&si, sb->project, sb->path, &stacks.containers, 0) < 0)
		die("cannot show the stack's output");
	stack_ident_free(&si);
	stack_list_free(&stacks);
	cmd_compose(&c, sb, NULL, STACK_COMPOSE_ALL_PROFILES);
	if (chdir(sb->path) < 0)
		die_errno("cannot change to '%s'", sb->path);
	argv_c = compose_argv(&c, compose_logs_args(args, follow, tail, ctx->argc ? ctx->argv[0] : NULL));
	/* the sandbox's variables, as up and down give them: not the caller's exported ones */
	exec_command(argv_c, c.env, &err);
	die("%s", err.buf);
}

const struct cmd_entry cmd_logs_entry = {
	"logs", "compose logs of this sandbox", usage, opts,
	CMD_SANDBOX, SB_NEED_SLOT | SB_NEED_WORKTREE, 1, check_logs, cmd_logs
};
