/*
 * mcptools.c: the tools the MCP server offers an agent, as data (name,
 * description, parameters) and as calls. Each call runs this
 * installation's own git-sandbox-<command> with an argv built from the
 * checked arguments, never a shell, and turns what it printed into the
 * tool's result; list and status also give the object their --json
 * prints. Nothing here reads a sandbox itself: the commands stay the one
 * place that does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcptools.h"
#include "run.h"
#include "util.h"

/* the most words a tool's command line has */
#define TOOL_ARGV_MAX 16

struct cmdline {
	const char *v[TOOL_ARGV_MAX + 1];
	size_t n;
};

static void push(struct cmdline *c, const char *word)
{
	if (c->n < TOOL_ARGV_MAX)
		c->v[c->n++] = word;
	c->v[c->n] = NULL;
}

static const char *arg_str(const json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

static int arg_bool(const json_t *args, const char *key)
{
	return json_is_true(json_object_get(args, key));
}

static void fail(struct mcp_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct mcp_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&r->text, fmt, ap);
	va_end(ap);
	r->is_error = 1;
}

/*
 * A value given to a command as a word of its own: refused when empty or
 * when it starts with '-', which the command would take for an option.
 */
static int word_ok(const char *what, const char *v, struct mcp_result *r)
{
	if (!*v) {
		fail(r, "%s is empty", what);
		return 0;
	}
	if (v[0] == '-') {
		fail(r, "%s '%s' starts with '-'", what, v);
		return 0;
	}
	return 1;
}

/*
 * Run git-sandbox-<cmd> with the words of c after it, stdin from
 * /dev/null, its output captured within the bounds of mcptools.h. 0 when
 * it succeeded (its stdout in out, its stderr in err); -1 with r made an
 * error result saying why (its stderr, or how it ended) otherwise.
 */
static int run_tool_command(const struct mcp_tools_ctx *ctx, const char *cmd,
			    const struct cmdline *words, struct strbuf *out, struct strbuf *err,
			    struct mcp_result *r)
{
	static const char *const env[] = { "NO_COLOR=1", NULL };
	const char *argv[TOOL_ARGV_MAX + 2];
	struct child c = CHILD_INIT;
	char *prog = xasprintf("git-sandbox-%s", cmd), *path = NULL;
	size_t i;
	int status;

	if (ctx->dir) {
		path = path_join(ctx->dir, prog);
		if (access(path, X_OK)) {
			free(path);
			path = NULL;
		}
	}
	argv[0] = path ? path : prog;
	for (i = 0; i < words->n; i++)
		argv[i + 1] = words->v[i];
	argv[i + 1] = NULL;
	c.argv = argv;
	c.env = env;
	c.no_stdin = 1;
	c.capture_out = c.capture_err = 1;
	c.timeout_ms = MCP_TOOL_TIMEOUT_MS;
	c.max_out = MCP_TOOL_MAX_OUT;
	c.max_err = MCP_TOOL_MAX_ERR;
	status = run_command(&c);
	if (status < 0)
		fail(r, "cannot run '%s': %s", argv[0], strerror(errno));
	else if (c.timed_out && (c.out.len > c.max_out || c.err.len > c.max_err))
		fail(r, "'%s' was stopped: it printed more than %zu bytes%s%s", prog,
		     c.out.len > c.max_out ? c.max_out : c.max_err,
		     c.err.len ? ":\n" : "", c.err.buf);
	else if (c.timed_out)
		fail(r, "'%s' was stopped after %d s%s%s", prog, MCP_TOOL_TIMEOUT_MS / 1000,
		     c.err.len ? ":\n" : "", c.err.buf);
	else if (status)
		fail(r, "%s", c.err.len ? c.err.buf : "");
	if (r->is_error && !r->text.len)
		strbuf_addf(&r->text, "'%s' failed with exit status %d", prog, status);
	if (!r->is_error) {
		strbuf_add(out, c.out.buf, c.out.len);
		strbuf_add(err, c.err.buf, c.err.len);
	}
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	free(path);
	free(prog);
	return r->is_error ? -1 : 0;
}

/* run it; its stdout, then its stderr (notes, warnings) are the result's text */
static void run_text(const struct mcp_tools_ctx *ctx, const char *cmd,
		     const struct cmdline *words, struct mcp_result *r)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	if (!run_tool_command(ctx, cmd, words, &out, &err, r)) {
		strbuf_add(&r->text, out.buf, out.len);
		strbuf_add(&r->text, err.buf, err.len);
		if (!r->text.len)
			strbuf_addstr(&r->text, "done\n");
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

/* run a --json command: its object is the structured content, and its text */
static void run_json(const struct mcp_tools_ctx *ctx, const char *cmd,
		     const struct cmdline *words, struct mcp_result *r)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_error_t jerr;
	json_t *j;
	char *text;

	if (run_tool_command(ctx, cmd, words, &out, &err, r) < 0)
		goto done;
	j = json_loadb(out.buf, out.len, 0, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		fail(r, "'git-sandbox-%s' printed no JSON object: %s", cmd, jerr.text);
		goto done;
	}
	text = json_dumps(j, JSON_COMPACT);
	if (text)
		strbuf_addstr(&r->text, text);
	free(text);
	r->structured = j;
done:
	strbuf_release(&out);
	strbuf_release(&err);
}

/* -s <name> from the required name argument, or 0 with r an error */
static int push_name(struct cmdline *c, const json_t *args, struct mcp_result *r)
{
	const char *name = arg_str(args, "name");

	if (!word_ok("the sandbox name", name, r))
		return 0;
	push(c, "-s");
	push(c, name);
	return 1;
}

static void tool_list(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };

	if (arg_bool(args, "all"))
		push(&c, "--all");
	push(&c, "--json");
	run_json(ctx, "list", &c, r);
}

static void tool_status(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };

	if (!push_name(&c, args, r))
		return;
	push(&c, "--json");
	run_json(ctx, "status", &c, r);
}

static void tool_create(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };
	const char *name = arg_str(args, "name"), *branch = arg_str(args, "branch"),
		   *base = arg_str(args, "base");

	if (!word_ok("the sandbox name", name, r) ||
	    (branch && !word_ok("the branch", branch, r)) ||
	    (base && !word_ok("the base", base, r)))
		return;
	if (branch) {
		push(&c, "-b");
		push(&c, branch);
	}
	if (base) {
		push(&c, "--base");
		push(&c, base);
	}
	push(&c, "--");
	push(&c, name);
	run_text(ctx, "create", &c, r);
}

static void tool_up(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };

	if (!push_name(&c, args, r))
		return;
	if (arg_bool(args, "no_secrets"))
		push(&c, "--no-secrets");
	if (arg_bool(args, "build"))
		push(&c, "--build");
	run_text(ctx, "up", &c, r);
}

static void tool_down(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };

	if (!push_name(&c, args, r))
		return;
	if (arg_bool(args, "volumes"))
		push(&c, "--volumes");
	run_text(ctx, "down", &c, r);
}

static void tool_port(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };
	const char *service = arg_str(args, "service");
	struct strbuf groups = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	char *g, *nl;
	int more;

	if (!push_name(&c, args, r))
		return;
	if (service) {
		if (!word_ok("the service", service, r))
			return;
		push(&c, "--");
		push(&c, service);
		run_text(ctx, "port", &c, r);
		return;
	}
	/* every group: "<group> <port>..." a line */
	push(&c, "--list");
	if (run_tool_command(ctx, "port", &c, &groups, &err, r) < 0)
		goto done;
	c.v[--c.n] = NULL;
	push(&c, "--");
	push(&c, "");
	g = groups.buf;
	while (*g) {
		nl = strchrnul(g, '\n');
		more = *nl == '\n';
		*nl = '\0';
		if (*g) {
			c.v[c.n - 1] = g;
			strbuf_reset(&out);
			if (run_tool_command(ctx, "port", &c, &out, &err, r) < 0)
				goto done;
			strbuf_addf(&r->text, "%s %s", g, out.buf);
		}
		g = more ? nl + 1 : nl;
	}
	if (!r->text.len)
		strbuf_addstr(&r->text, "no port groups\n");
done:
	strbuf_release(&groups);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void tool_env(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };

	/* env prints the sandbox's variables, never a secret's value */
	if (push_name(&c, args, r))
		run_text(ctx, "env", &c, r);
}

static void tool_logs(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };
	const char *service = arg_str(args, "service");
	json_t *t = json_object_get(args, "tail");
	char tail[32];

	if (!push_name(&c, args, r) || (service && !word_ok("the service", service, r)))
		return;
	snprintf(tail, sizeof(tail), "%ld",
		 t ? (long)json_integer_value(t) : (long)MCP_LOGS_TAIL);
	push(&c, "--tail");
	push(&c, tail);
	if (service) {
		push(&c, "--");
		push(&c, service);
	}
	run_text(ctx, "logs", &c, r);
}

static void tool_destroy(const json_t *args, void *ctx, struct mcp_result *r)
{
	struct cmdline c = { { NULL }, 0 };
	const char *name = arg_str(args, "name"), *confirm = arg_str(args, "confirm");

	if (strcmp(name, confirm)) {
		fail(r, "nothing was destroyed: confirm must be the sandbox's name ('%s')", name);
		return;
	}
	if (push_name(&c, args, r))
		run_text(ctx, "destroy", &c, r);
}

#define NAME_PARAM(what) { "name", MCP_STRING, 1, what, 0, 0 }

static const struct mcp_param list_params[] = {
	{ "all", MCP_BOOL, 0, "every repository's sandboxes, not only this repository's", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param status_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param create_params[] = {
	NAME_PARAM("the new sandbox's name (also its branch's unless branch is given)"),
	{ "branch", MCP_STRING, 0, "the branch to check out or create", 0, 0 },
	{ "base", MCP_STRING, 0, "the commit a new branch starts from (default: HEAD)", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param up_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ "no_secrets", MCP_BOOL, 0, "start with each secret's default value, without 1Password", 0, 0 },
	{ "build", MCP_BOOL, 0, "build the images first", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param down_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ "volumes", MCP_BOOL, 0, "remove the stack's volumes too (its data is lost)", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param port_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ "service", MCP_STRING, 0, "one port group (default: every group)", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param env_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param logs_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ "service", MCP_STRING, 0, "one compose service (default: all)", 0, 0 },
	{ "tail", MCP_INTEGER, 0, "the last lines of each service's output (default 100)",
	  0, MCP_LOGS_TAIL_MAX },
	{ NULL, 0, 0, NULL, 0, 0 }
};
static const struct mcp_param destroy_params[] = {
	NAME_PARAM("the sandbox's name"),
	{ "confirm", MCP_STRING, 1, "the sandbox's name again: nothing is done unless it matches", 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 }
};

const struct mcp_tool mcp_tools[] = {
	{ "list", "List sandboxes",
	  "The sandboxes of the repository the server runs in (all: of every repository): "
	  "name, slot, repository, worktree path, branch, "
	  "compose project, stack status and ports.",
	  list_params, 1, 0, 1, tool_list },
	{ "status", "Sandbox status",
	  "One sandbox in detail: its ports, its stack's status and containers, where its "
	  "running stack's secrets came from.",
	  status_params, 1, 0, 1, tool_status },
	{ "create", "Create a sandbox",
	  "A new sandbox of the repository the server runs in: a git worktree beside it, a "
	  "slot of ports of its own and its env file. Start its stack with up.",
	  create_params, 0, 0, 0, tool_create },
	{ "up", "Start a sandbox's stack",
	  "Start the sandbox's compose stack on its own ports and wait until it answers; "
	  "prints its URLs.",
	  up_params, 0, 0, 1, tool_up },
	{ "down", "Stop a sandbox's stack",
	  "Stop and remove the sandbox's containers; its volumes are kept unless volumes is true.",
	  down_params, 0, 1, 1, tool_down },
	{ "port", "A sandbox's ports",
	  "The port numbers of one port group of the sandbox, or of every group, one a line.",
	  port_params, 1, 0, 1, tool_port },
	{ "env", "A sandbox's variables",
	  "The sandbox's variables (ports, name, slot, derived values) as NAME=value lines; "
	  "never a secret's value.",
	  env_params, 1, 0, 1, tool_env },
	{ "logs", "A sandbox's logs",
	  "The last lines of the output of the sandbox's services (tail: at most 1000 each).",
	  logs_params, 1, 0, 1, tool_logs },
	{ "destroy", "Destroy a sandbox",
	  "Stop the sandbox's stack, remove its worktree and free its slot. Refused unless "
	  "confirm is the sandbox's name; a worktree with changes is kept and the reason given.",
	  destroy_params, 0, 1, 0, tool_destroy },
};
const size_t mcp_ntools = ARRAY_SIZE(mcp_tools);
