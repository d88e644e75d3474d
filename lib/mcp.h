/* mcp.h: a Model Context Protocol server over stdio (JSON-RPC 2.0 with jansson) */
#ifndef SB_MCP_H
#define SB_MCP_H

#include <stdio.h>

#include <jansson.h>

#include "strbuf.h"

/* the protocol version we answer when the client's is not one we know */
#define MCP_PROTOCOL_VERSION "2025-06-18"
/* the longest message (one line) read; a longer one is refused and skipped */
#define MCP_LINE_MAX ((size_t)1 << 20)

/* JSON-RPC 2.0 error codes */
#define MCP_PARSE_ERROR -32700
#define MCP_INVALID_REQUEST -32600
#define MCP_METHOD_NOT_FOUND -32601
#define MCP_INVALID_PARAMS -32602

enum mcp_type { MCP_STRING, MCP_BOOL, MCP_INTEGER };

/* One argument of a tool: its JSON Schema and its check come from this. */
struct mcp_param {
	const char *name;	/* NULL ends a list */
	enum mcp_type type;
	int required;
	const char *description;
	long min, max;		/* MCP_INTEGER: the range allowed */
};

/* What a tool call answers: one text block, maybe an object as well. */
struct mcp_result {
	struct strbuf text;	/* content[0].text (made valid UTF-8 when sent) */
	json_t *structured;	/* structuredContent: an object, or NULL; sent and freed */
	int is_error;		/* the tool failed: isError, and text says why */
};

struct mcp_tool {
	const char *name, *title, *description;
	const struct mcp_param *params;
	int read_only, destructive, idempotent;	/* the tool's annotations (hints) */
	/* args are an object that mcp_check_args() accepted */
	void (*call)(const json_t *args, void *ctx, struct mcp_result *r);
};

struct mcp_server {
	const char *name, *title, *version;	/* serverInfo */
	const char *instructions;		/* for the client's model, or NULL */
	const struct mcp_tool *tools;
	size_t ntools;
	void *ctx;				/* passed to each tool's call */
	int initialized;			/* an initialize was answered (mcp_handle's) */
};

/* The inputSchema of a tool: a JSON Schema object (json_decref it). */
json_t *mcp_tool_schema(const struct mcp_tool *t);

/*
 * Do args (an object, or NULL for none) fit t's parameters: every required
 * one given, none unknown, each of its type and range? 0, or -1 with the
 * reason in why.
 */
int mcp_check_args(const struct mcp_tool *t, const json_t *args, struct strbuf *why);

/*
 * Handle one message (a line without its newline): the reply to send
 * (json_decref it), or NULL when none is due (a notification, or a
 * response from the client). Never fails: a bad message gets a JSON-RPC
 * error reply, and so does a request other than initialize or ping
 * before an initialize was answered (MCP's lifecycle).
 */
json_t *mcp_handle(struct mcp_server *s, const char *line, size_t len);

/* A JSON-RPC error reply to id (NULL: null), code and message. */
json_t *mcp_error(const json_t *id, int code, const char *message);

/*
 * Serve the messages of in, one a line, until its end: each reply one
 * compact line on out, flushed. A line longer than MCP_LINE_MAX is
 * skipped with an error reply. 0 at the end of in, -1 (errno set) when in
 * cannot be read or out written.
 */
int mcp_serve(struct mcp_server *s, FILE *in, FILE *out);

#endif
