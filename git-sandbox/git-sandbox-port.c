/* git sandbox port: one port number, for scripts */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox port [-s <name>] <service> [<n>]",
	"git sandbox port [-s <name>] --list",
	NULL
};

int main(int argc, char **argv)
{
	int list = 0;
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_BOOL_('l', "list", &list, "list the port groups the sandbox leased"),
		OPT_END_(),
	};
	const struct port_lease *g = NULL;
	struct sandbox sb;
	size_t i;
	long k, which = 0, count;
	int n;

	progname = "git sandbox port";
	n = parse_options(argc, argv, opts, usage, "git-sandbox-port", 0);
	if (list && n)
		usage_msg(usage, "--list takes no arguments");
	if (!list && (n < 1 || n > 2))
		usage_msg(usage, n ? "too many arguments" : "missing <service>");
	sandbox_open(&sb, name, SB_NEED_SLOT | SB_NO_ENGINE);
	if (list) {
		/* the leased groups (completion offers these), one a line */
		for (i = 0; i < sb.ports.n; i++)
			printf("%s\n", sb.ports.g[i].name);
		sandbox_close(&sb);
		return stdout_done();
	}
	/* the leased ports, whatever the configuration says now */
	for (i = 0; i < sb.ports.n; i++)
		if (!strcmp(sb.ports.g[i].name, argv[0]))
			g = &sb.ports.g[i];
	if (!g) {
		struct strbuf known = STRBUF_INIT;

		for (i = 0; i < sb.ports.n; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", sb.ports.g[i].name);
		for (i = 0; i < sb.cfg.nports; i++)
			if (!strcmp(sb.cfg.ports[i].name, argv[0]))
				die("sandbox '%s' leased no port group '%s' (known: %s), which the "
				    "configuration now has; 'git sandbox repair' leases it",
				    sb.name, argv[0], known.len ? known.buf : "none");
		die("no port group '%s' in %s (known: %s)", argv[0], sb.cfg.file,
		    known.len ? known.buf : "none");
	}
	count = g->n;
	if (n == 2 && parse_int(argv[1], 1, count, &which) < 0)
		die("port group '%s' has %ld port%s: <n> goes from 1 to %ld, not '%s'", g->name,
		    count, count == 1 ? "" : "s", count, argv[1]);
	if (which)
		printf("%ld\n", g->port[which - 1]);
	else
		for (k = 0; k < count; k++)
			printf("%ld%c", g->port[k], k + 1 < count ? ' ' : '\n');
	sandbox_close(&sb);
	return stdout_done();
}
