/*
 * mcp.c: the Model Context Protocol's stdio transport and its dispatch.
 * Owns the JSON-RPC 2.0 framing (one message a line, bounded), the
 * validation of requests, the lifecycle (initialize first, ping always), the
 * listing of tools with the JSON Schema made from their parameter tables,
 * the check of a call's arguments against that table, and the shape of a
 * tool's result. What each tool does is its caller's (mcptools.c, on the
 * command side).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mcp.h"
#include "util.h"

/* the versions we speak, newest first: a client asking for one gets it */
static const char *const versions[] = { MCP_PROTOCOL_VERSION, "2025-03-26", "2024-11-05" };

json_t *mcp_error(const json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:o}}", "jsonrpc", "2.0",
			 "id", id ? id : json_null(), "error", "code", code,
			 "message", json_textn(message, strlen(message)));
}

static json_t *errorf(const json_t *id, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static json_t *errorf(const json_t *id, int code, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	e = mcp_error(id, code, msg.buf);
	strbuf_release(&msg);
	return e;
}

static json_t *reply(const json_t *id, json_t *result)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

static const char *type_name(enum mcp_type t)
{
	switch (t) {
	case MCP_STRING:
		return "string";
	case MCP_BOOL:
		return "boolean";
	case MCP_INTEGER:
		return "integer";
	}
	return "null";
}

json_t *mcp_tool_schema(const struct mcp_tool *t)
{
	json_t *props = json_object(), *req = json_array();
	const struct mcp_param *p;

	for (p = t->params; p && p->name; p++) {
		json_t *o = json_pack("{s:s, s:s}", "type", type_name(p->type),
				      "description", p->description);

		if (p->type == MCP_INTEGER) {
			json_object_set_new(o, "minimum", json_integer(p->min));
			json_object_set_new(o, "maximum", json_integer(p->max));
		}
		json_object_set_new(props, p->name, o);
		if (p->required)
			json_array_append_new(req, json_string(p->name));
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props,
			 "required", req, "additionalProperties", 0);
}

int mcp_check_args(const struct mcp_tool *t, const json_t *args, struct strbuf *why)
{
	const struct mcp_param *p;
	const char *key;
	json_t *v;

	if (args && !json_is_object(args)) {
		strbuf_addf(why, "the arguments of tool '%s' are not an object", t->name);
		return -1;
	}
	json_object_foreach((json_t *)args, key, v) {
		for (p = t->params; p && p->name; p++)
			if (!strcmp(p->name, key))
				break;
		if (!p || !p->name) {
			strbuf_addf(why, "tool '%s' has no argument '%s'", t->name, key);
			return -1;
		}
	}
	for (p = t->params; p && p->name; p++) {
		v = args ? json_object_get(args, p->name) : NULL;
		if (!v) {
			if (!p->required)
				continue;
			strbuf_addf(why, "tool '%s' needs the argument '%s'", t->name, p->name);
			return -1;
		}
		if ((p->type == MCP_STRING && !json_is_string(v)) ||
		    (p->type == MCP_BOOL && !json_is_boolean(v)) ||
		    (p->type == MCP_INTEGER && !json_is_integer(v))) {
			strbuf_addf(why, "argument '%s' of tool '%s' must be %s %s", p->name, t->name,
				    p->type == MCP_INTEGER ? "an" : "a", type_name(p->type));
			return -1;
		}
		if (p->type == MCP_INTEGER &&
		    (json_integer_value(v) < p->min || json_integer_value(v) > p->max)) {
			strbuf_addf(why, "argument '%s' of tool '%s' must be from %ld to %ld",
				    p->name, t->name, p->min, p->max);
			return -1;
		}
	}
	return 0;
}

static json_t *initialize(const struct mcp_server *s, const json_t *params)
{
	const char *want = json_string_value(json_object_get(params, "protocolVersion"));
	const char *version = versions[0];
	json_t *r;
	size_t i;

	for (i = 0; want && i < ARRAY_SIZE(versions); i++)
		if (!strcmp(want, versions[i]))
			version = versions[i];
	r = json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}}", "protocolVersion", version,
		      "capabilities", "tools", "listChanged", 0,
		      "serverInfo", "name", s->name, "title", s->title, "version", s->version);
	if (r && s->instructions)
		json_object_set_new(r, "instructions", json_string(s->instructions));
	return r;
}

static json_t *list_tools(const struct mcp_server *s)
{
	json_t *tools = json_array();
	size_t i;

	for (i = 0; i < s->ntools; i++) {
		const struct mcp_tool *t = &s->tools[i];

		json_array_append_new(tools, json_pack(
			"{s:s, s:s, s:s, s:o, s:{s:s, s:b, s:b, s:b, s:b}}",
			"name", t->name, "title", t->title, "description", t->description,
			"inputSchema", mcp_tool_schema(t),
			"annotations", "title", t->title, "readOnlyHint", t->read_only,
			"destructiveHint", t->destructive, "idempotentHint", t->idempotent,
			"openWorldHint", 0));
	}
	return json_pack("{s:o}", "tools", tools);
}

static json_t *call_tool(const struct mcp_server *s, const json_t *id, const json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	const json_t *args = json_object_get(params, "arguments");
	const struct mcp_tool *t = NULL;
	struct mcp_result r = { STRBUF_INIT, NULL, 0 };
	struct strbuf why = STRBUF_INIT;
	json_t *result;
	size_t i;

	if (!name)
		return mcp_error(id, MCP_INVALID_PARAMS, "tools/call needs the tool's name");
	for (i = 0; i < s->ntools; i++)
		if (!strcmp(s->tools[i].name, name))
			t = &s->tools[i];
	if (!t)
		return errorf(id, MCP_INVALID_PARAMS, "unknown tool '%s'", name);
	if (mcp_check_args(t, args, &why) < 0) {
		result = mcp_error(id, MCP_INVALID_PARAMS, why.buf);
		strbuf_release(&why);
		return result;
	}
	t->call(args, s->ctx, &r);
	result = json_pack("{s:[{s:s, s:o}]}", "content", "type", "text",
			   "text", json_textn(r.text.buf, r.text.len));
	strbuf_release(&r.text);
	if (r.structured)
		json_object_set_new(result, "structuredContent", r.structured);
	if (r.is_error)
		json_object_set_new(result, "isError", json_true());
	return reply(id, result);
}

/* a request: the method with its id (string or integer) and params (an object or none) */
static json_t *request(struct mcp_server *s, const char *method, const json_t *id,
		       const json_t *params)
{
	if (!strcmp(method, "initialize")) {
		if (!json_is_string(json_object_get(params, "protocolVersion")))
			return mcp_error(id, MCP_INVALID_PARAMS, "initialize needs a protocolVersion");
		s->initialized = 1;
		return reply(id, initialize(s, params));
	}
	if (!strcmp(method, "ping"))
		return reply(id, json_object());
	/* the lifecycle: a client sends nothing but pings before initialize's answer */
	if (!s->initialized)
		return errorf(id, MCP_INVALID_REQUEST, "'%s' before initialize: the session "
			      "starts with initialize", method);
	if (!strcmp(method, "tools/list"))
		return reply(id, list_tools(s));
	if (!strcmp(method, "tools/call"))
		return call_tool(s, id, params);
	return errorf(id, MCP_METHOD_NOT_FOUND, "method '%s' not found", method);
}

/* Does a string in v hold a NUL byte (JSON_ALLOW_NUL lets "\u0000" in)? */
static int has_nul(json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_string(v))
		return strlen(json_string_value(v)) != json_string_length(v);
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (has_nul(e))
				return 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, e)
			if (has_nul(e))
				return 1;
	}
	return 0;
}

json_t *mcp_handle(struct mcp_server *s, const char *line, size_t len)
{
	json_error_t err;
	json_t *msg, *id, *params, *out;
	const char *method;

	/* "\u0000" is valid JSON: read, then refused below with the id it came with */
	msg = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (!msg)
		return mcp_error(NULL, MCP_PARSE_ERROR, "parse error");
	if (!json_is_object(msg)) {
		/* batches too: this protocol version has none */
		json_decref(msg);
		return mcp_error(NULL, MCP_INVALID_REQUEST, "a message is one JSON-RPC 2.0 object");
	}
	id = json_object_get(msg, "id");
	method = json_string_value(json_object_get(msg, "method"));
	params = json_object_get(msg, "params");
	if (!method && id && (json_object_get(msg, "result") || json_object_get(msg, "error"))) {
		/* a response: we send no requests, so there is nothing to match it to */
		json_decref(msg);
		return NULL;
	}
	if (id && ((!json_is_string(id) && !json_is_integer(id)) || has_nul(id)))
		out = mcp_error(NULL, MCP_INVALID_REQUEST, "an id is a string or an integer");
	else if (has_nul(params))
		/* no argument of a command can carry one, and a C string would end there */
		out = mcp_error(id, MCP_INVALID_PARAMS, "a string of the params holds a NUL (\\u0000)");
	else if (has_nul(msg))
		out = mcp_error(id, MCP_INVALID_REQUEST, "a string holds a NUL (\\u0000)");
	else if (!json_is_string(json_object_get(msg, "jsonrpc")) ||
		 strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0"))
		out = mcp_error(id, MCP_INVALID_REQUEST, "not a JSON-RPC 2.0 message");
	else if (!method)
		out = mcp_error(id, MCP_INVALID_REQUEST, "no method");
	else if (!id)
		/*
		 * a notification (initialized, cancelled, ...): never answered.
		 * notifications/cancelled needs nothing more: requests run one
		 * at a time, each answered before the next line is read, so the
		 * request it names has been answered when it is read
		 */
		out = NULL;
	else if (params && !json_is_object(params))
		out = mcp_error(id, MCP_INVALID_PARAMS, "params must be an object");
	else
		out = request(s, method, id, params);
	json_decref(msg);
	return out;
}

/*
 * Read one line of at most MCP_LINE_MAX bytes into line, without its
 * newline: 1, 0 at the end of input, -1 on a read error; *too_long is set
 * when the line was longer (the rest of it is read and dropped).
 */
static int read_line(FILE *in, struct strbuf *line, int *too_long)
{
	int c;

	strbuf_reset(line);
	*too_long = 0;
	while ((c = getc(in)) != EOF && c != '\n') {
		if (line->len < MCP_LINE_MAX)
			strbuf_addch(line, c);
		else
			*too_long = 1;
	}
	if (c == EOF && ferror(in))
		return -1;
	if (c == EOF && !line->len && !*too_long)
		return 0;
	if (line->len && line->buf[line->len - 1] == '\r')
		line->buf[--line->len] = '\0';
	return 1;
}

int mcp_serve(struct mcp_server *s, FILE *in, FILE *out)
{
	struct strbuf line = STRBUF_INIT;
	int too_long, r;
	json_t *ans;
	char *text;

	while ((r = read_line(in, &line, &too_long)) > 0) {
		if (too_long) {
			char msg[80];

			snprintf(msg, sizeof(msg), "a message is at most %zu bytes", MCP_LINE_MAX);
			ans = mcp_error(NULL, MCP_INVALID_REQUEST, msg);
		} else if (!line.len || strspn(line.buf, " \t") == line.len) {
			continue;
		} else {
			ans = mcp_handle(s, line.buf, line.len);
		}
		if (!ans)
			continue;
		text = json_dumps(ans, JSON_COMPACT);
		json_decref(ans);
		if (!text) {
			errno = ENOMEM;
			r = -1;
			break;
		}
		if (fprintf(out, "%s\n", text) < 0 || fflush(out)) {
			free(text);
			r = -1;
			break;
		}
		free(text);
	}
	strbuf_release(&line);
	return r;
}
