/* git sandbox port: one port number, for scripts */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox port [-s <name>] <service> [<n>]",
	"git sandbox port [-s <name>] --list",
	NULL
};

static int list;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_('l', "list", &list, "list the port groups the sandbox leased"),
	OPT_END_(),
};

static void check_port(struct cmd_ctx *ctx)
{
	if (list && ctx->argc)
		cmd_usage_error(ctx, "--list takes no arguments");
	if (!list && (ctx->argc < 1 || ctx->argc > 2))
		cmd_usage_error(ctx, ctx->argc ? "too many arguments" : "missing <service>");
}

static int cmd_port(struct cmd_ctx *ctx)
{
	char **argv = ctx->argv;
	const struct port_lease *g = NULL;
	struct sandbox *sb = &ctx->sb;
	size_t i;
	long k, which = 0, count;

	if (list) {
		/* the leased groups (completion offers these), one a line */
		for (i = 0; i < sb->ports.n; i++)
			printf("%s\n", sb->ports.g[i].name);
		return stdout_done();
	}
	/* the leased ports, whatever the configuration says now */
	for (i = 0; i < sb->ports.n; i++)
		if (!strcmp(sb->ports.g[i].name, argv[0]))
			g = &sb->ports.g[i];
	if (!g) {
		struct strbuf known = STRBUF_INIT;

		for (i = 0; i < sb->ports.n; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", sb->ports.g[i].name);
		for (i = 0; i < sb->cfg.nports; i++)
			if (!strcmp(sb->cfg.ports[i].name, argv[0]))
				die("sandbox '%s' leased no port group '%s' (known: %s), which the "
				    "configuration now has; 'git sandbox repair' leases it",
				    sb->name, argv[0], known.len ? known.buf : "none");
		die("no port group '%s' in %s (known: %s)", argv[0], sb->cfg.file,
		    known.len ? known.buf : "none");
	}
	count = g->n;
	if (ctx->argc == 2 && parse_int(argv[1], 1, count, &which) < 0)
		die("port group '%s' has %ld port%s: <n> goes from 1 to %ld, not '%s'", g->name,
		    count, count == 1 ? "" : "s", count, argv[1]);
	if (which)
		printf("%ld\n", g->port[which - 1]);
	else
		for (k = 0; k < count; k++)
			printf("%ld%c", g->port[k], k + 1 < count ? ' ' : '\n');
	return stdout_done();
}

const struct cmd_entry cmd_port_entry = {
	"port", "print one port number, for scripts", usage, opts,
	CMD_SANDBOX, SB_NEED_SLOT | SB_NO_ENGINE, -1, check_port, cmd_port
};
