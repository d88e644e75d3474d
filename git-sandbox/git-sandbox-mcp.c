/* git sandbox mcp: an MCP server on stdin and stdout, for agents */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mcp.h"
#include "mcptools.h"
#include "cmd.h"
#include "opts.h"
#include "run.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox mcp",
	NULL
};

static const char instructions[] =
	"Sandboxes of the git repository this server runs in: each one a worktree with "
	"ports of its own and its own Docker Compose stack. Create one, start its stack "
	"with up, read its ports, variables, status and logs, then stop it with down or "
	"remove it with destroy.";

static const struct opt opts[] = {
	OPT_END_(),
};

static int cmd_mcp(struct cmd_ctx *cmd)
{
	struct mcp_tools_ctx ctx = { NULL };
	struct mcp_server s = {
		"git-sandbox", "git sandbox", VERSION, instructions, mcp_tools, mcp_ntools, &ctx, 0
	};
	char *dir;
	int r;

	/* the tools run this installation's commands */
	dir = program_dir(cmd->prog);
	ctx.dir = dir;
	/* a client gone: its write fails, and we end */
	signal(SIGPIPE, SIG_IGN);
	if (isatty(0))
		note("an MCP server on stdin and stdout, for an agent's client: see 'git help sandbox-mcp'");
	r = mcp_serve(&s, stdin, stdout);
	free(dir);
	if (r < 0)
		die_errno("cannot serve on stdin and stdout");
	return 0;
}

const struct cmd_entry cmd_mcp_entry = {
	"mcp", "an MCP server on stdin and stdout, for agents", usage, opts,
	0, 0, 0, NULL, cmd_mcp
};
