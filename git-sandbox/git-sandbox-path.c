/* git sandbox path: where a sandbox's worktree is, for cd and scripts */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "opts.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox path [[-s] <name>]",
	NULL
};

static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_END_(),
};

static int cmd_path(struct cmd_ctx *ctx)
{
	printf("%s\n", ctx->sb.path);
	return 0;
}

const struct cmd_entry cmd_path_entry = {
	"path", "print a sandbox's worktree, for cd", usage, opts,
	CMD_SANDBOX | CMD_NAME_ARG,
	/*
	 * a path is all it needs: no engine, and neither an untrusted nor a
	 * broken project file of the sandbox's branch keeps one from going there
	 */
	SB_NEED_SLOT | SB_NEED_WORKTREE | SB_NO_ENGINE | SB_REVIEW | SB_ANY_CONFIG,
	1, NULL, cmd_path
};
