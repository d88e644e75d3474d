/* git sandbox path: where a sandbox's worktree is, for cd and scripts */
#include <stdio.h>
#include <stdlib.h>

#include "opts.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox path [[-s] <name>]",
	NULL
};

int main(int argc, char **argv)
{
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_END_(),
	};
	struct sandbox sb;
	int n;

	progname = "git sandbox path";
	n = parse_options(argc, argv, opts, usage, "git-sandbox-path", 0);
	if (n > 1)
		usage_msg(usage, "too many arguments");
	name = opt_sandbox(name, n ? argv[0] : NULL, usage);
	/*
	 * a path is all it needs: no engine, and neither an untrusted nor a
	 * broken project file of the sandbox's branch keeps one from going there
	 */
	sandbox_open(&sb, name, SB_NEED_SLOT | SB_NEED_WORKTREE | SB_NO_ENGINE | SB_REVIEW |
		     SB_ANY_CONFIG);
	printf("%s\n", sb.path);
	sandbox_close(&sb);
	return stdout_done();
}
