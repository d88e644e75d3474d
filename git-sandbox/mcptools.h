/* mcptools.h: the tools of the MCP server, each run by this installation's own commands */
#ifndef SB_MCPTOOLS_H
#define SB_MCPTOOLS_H

#include <stddef.h>

#include "mcp.h"

/* the bounds of one command a tool runs */
#define MCP_TOOL_TIMEOUT_MS (30 * 60 * 1000)
#define MCP_TOOL_MAX_OUT ((size_t)1 << 20)
#define MCP_TOOL_MAX_ERR ((size_t)256 << 10)
/* logs: the lines of each service's tail, by default and at most */
#define MCP_LOGS_TAIL 100
#define MCP_LOGS_TAIL_MAX 1000

/* What the tools' calls share (struct mcp_server's ctx). */
struct mcp_tools_ctx {
	/* where git-sandbox-<command> is looked for first (run.h: program_dir), or NULL */
	const char *dir;
};

/* list, status, create, up, down, port, env, logs and destroy */
extern const struct mcp_tool mcp_tools[];
extern const size_t mcp_ntools;

#endif
