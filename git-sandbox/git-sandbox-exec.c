/* git sandbox exec: run a command with the sandbox's variables set */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "envfile.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox exec [--] <command> [<arg>...]",
	NULL
};

int main(int argc, char **argv)
{
	const struct opt opts[] = { OPT_END_() };
	struct sandbox sb;
	char **env;
	size_t nenv, alloc;
	int n;

	progname = "git sandbox exec";
	n = parse_options(argc, argv, opts, usage, "git-sandbox-exec", 1);
	if (!n)
		usage_msg(usage, "missing <command>");
	sandbox_open(&sb, NULL, SB_NEED_SLOT);
	/* the env file is derived from the state: put it back if it went missing */
	if (sb.has_state && !sb.missing && envfile_ensure(&sb) < 0)
		warning("could not regenerate '%s'", sb.cfg.env_file);
	env = sandbox_env(&sb);
	/* docker and compose run here reach the sandbox's engine */
	for (nenv = 0; env[nenv]; nenv++)
		;
	alloc = nenv + 1;
	engine_env(&sb.engine, &env, &nenv, &alloc);
	exec_command((const char *const *)argv, (const char *const *)env);
}
