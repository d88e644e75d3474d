/* git sandbox exec: run a command with the sandbox's variables set */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "envfile.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox exec [-s <name>] [--] <command> [<arg>...]",
	NULL
};

/* Is the current directory dir or below it? */
static int inside(const char *dir)
{
	char *cwd = getcwd(NULL, 0);
	char *real = cwd ? real_path(cwd) : NULL;
	size_t n = strlen(dir);
	int ret = real && !strncmp(real, dir, n) && (real[n] == '/' || !real[n]);

	free(real);
	free(cwd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_END_(),
	};
	struct sandbox sb;
	char **env;
	size_t nenv, alloc;
	int n;

	progname = "git sandbox exec";
	n = parse_options(argc, argv, opts, usage, "git-sandbox-exec", 1);
	if (!n)
		usage_msg(usage, "missing <command>");
	sandbox_open(&sb, name, SB_NEED_SLOT | SB_NEED_WORKTREE);
	/* the env file is derived from the state: put it back if it went missing */
	if (sb.has_state && !sb.missing && envfile_ensure(&sb) < 0)
		warning("could not regenerate '%s'", sb.cfg.env_file);
	/* another sandbox's command runs in its worktree, as if started there */
	if (name && !inside(sb.path)) {
		if (chdir(sb.path) < 0)
			die_errno("cannot change to '%s'", sb.path);
		setenv("PWD", sb.path, 1);
	}
	env = sandbox_env(&sb);
	/* docker and compose run here reach the sandbox's engine */
	for (nenv = 0; env[nenv]; nenv++)
		;
	alloc = nenv + 1;
	engine_env(&sb.engine, &env, &nenv, &alloc);
	exec_command((const char *const *)argv, (const char *const *)env);
}
