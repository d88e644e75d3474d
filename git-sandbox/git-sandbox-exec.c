/* git sandbox exec: run a command with the sandbox's variables set */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "envfile.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "secrets.h"
#include "trust.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox exec [--secrets] [--] <command> [<arg>...]",
	NULL
};

/*
 * The secrets, as up gives them to the stack: the defaults when the stack
 * was last started with them (its database has those), else from the
 * cache or 1Password. Each "VAR=value" is a copy that goes away when this
 * process becomes the command.
 */
static void add_secrets(struct sandbox *sb, char ***env, size_t *n, size_t *alloc)
{
	const char *src = sb->has_state ? state_get(&sb->st, "stack", "secrets") : NULL;
	int defaults = src && !strcmp(src, "defaults");
	struct secret_set set;
	size_t i;

	if (!defaults && trust_secrets(&sb->cfg) < 0)
		exit(EXIT_FATAL);
	if (secrets_load(&sb->cfg, defaults ? SECRETS_DEFAULTS : 0, &set) < 0)
		exit(EXIT_FATAL);
	if (defaults && set.nr)
		note("the stack was last started with 'git sandbox up --no-secrets': "
		     "the command gets the defaults");
	ALLOC_GROW(*env, *n + set.nr + 1, *alloc);
	for (i = 0; i < set.nr; i++)
		(*env)[(*n)++] = secret_env(&set.v[i]);
	(*env)[*n] = NULL;
	secret_set_free(&set);
}

int main(int argc, char **argv)
{
	int with_secrets = 0;
	const struct opt opts[] = {
		OPT_BOOL_(0, "secrets", &with_secrets),
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
	sandbox_open(&sb, NULL, SB_NEED_SLOT);
	/* the env file is derived from the state: put it back if it went missing */
	if (sb.has_state && !sb.missing && envfile_ensure(&sb) < 0)
		warning("could not regenerate '%s'", sb.cfg.env_file);
	env = sandbox_env(&sb);
	for (nenv = 0; env[nenv]; nenv++)
		;
	alloc = nenv + 1;
	if (with_secrets)
		add_secrets(&sb, &env, &nenv, &alloc);
	/* docker and compose run here reach the sandbox's engine */
	engine_env(&sb.engine, &env, &nenv, &alloc);
	exec_command((const char *const *)argv, (const char *const *)env);
}
