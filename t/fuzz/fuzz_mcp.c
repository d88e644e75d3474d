/*
 * One message of an MCP client (mcp.c: mcp_handle), answered by a server
 * with one tool of the harness's own, before initialize and after: the
 * reply is none, or one JSON-RPC 2.0 object with a result or an error,
 * which is one line once written.
 */
#include "fuzz.h"
#include "mcp.h"

static void call(const json_t *args, void *ctx, struct mcp_result *r)
{
	(void)ctx;
	strbuf_addstr(&r->text, json_string_value(json_object_get(args, "name")));
	r->structured = json_pack("{s:b}", "flag", json_is_true(json_object_get(args, "flag")));
}

static const struct mcp_param params[] = {
	{ "name", MCP_STRING, 1, "a name", 0, 0 },
	{ "flag", MCP_BOOL, 0, "a flag", 0, 0 },
	{ "n", MCP_INTEGER, 0, "a number", 0, 1000 },
	{ NULL, 0, 0, NULL, 0, 0 }
};

static const struct mcp_tool tools[] = {
	{ "tool", "Tool", "a tool", params, 1, 0, 1, call },
};

static struct mcp_server server = { "fuzz", "Fuzz", "1", "instructions", tools, 1, NULL, 0 };

/* a reply as it must be: none, or one JSON-RPC object, one line once written */
static void check(json_t *r)
{
	char *text;

	if (!r)
		return;
	if (!json_is_object(r) || !json_is_string(json_object_get(r, "jsonrpc")) ||
	    !json_object_get(r, "id") ||
	    !json_object_get(r, "result") == !json_object_get(r, "error"))
		abort();
	text = json_dumps(r, JSON_COMPACT);
	if (!text || strchr(text, '\n'))
		abort();
	free(text);
	json_decref(r);
}

/* the message to a session before initialize, then to one past it */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	server.initialized = 0;
	check(mcp_handle(&server, (const char *)data, size));
	server.initialized = 1;
	check(mcp_handle(&server, (const char *)data, size));
	return 0;
}
