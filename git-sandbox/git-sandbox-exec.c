/* git sandbox exec: run a command with the sandbox's variables set */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "derive.h"
#include "engine.h"
#include "envfile.h"
#include "cmd.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "secrets.h"
#include "trust.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox exec [-s <name>] [--secrets] [--] <command> [<arg>...]",
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
	struct strbuf why = STRBUF_INIT;
	char **sec = NULL;
	size_t i, nsec = 0, asec = 0;

	if (!defaults && trust_secrets(&sb->cfg) < 0)
		die("the command was not run");
	if (secrets_load(&sb->cfg, defaults ? SECRETS_DEFAULTS : 0, &set) < 0)
		die("the command was not run");
	if (defaults && set.nr)
		note("the stack was last started with 'git sandbox up --no-secrets': "
		     "the command gets the defaults");
	ALLOC_GROW(sec, nsec + set.nr + 1, asec);
	for (i = 0; i < set.nr; i++)
		sec[nsec++] = secret_env(&set.v[i]);
	sec[nsec] = NULL;
	/* and the derived variables made of one, from the others and them */
	if (derive_secret_env(&sb->cfg, sandbox_host(sb), (const char *const *)*env, set.v,
			      set.nr, &sec, &nsec, &asec, &why))
		warning("sandbox '%s': left out of the command's variables: %s", sb->name, why.buf);
	strbuf_release(&why);
	secret_set_free(&set);
	ALLOC_GROW(*env, *n + nsec + 1, *alloc);
	for (i = 0; i < nsec; i++)
		(*env)[(*n)++] = sec[i];
	(*env)[*n] = NULL;
	free(sec);
}

static int with_secrets;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_(0, "secrets", &with_secrets, "also give the command the secrets"),
	OPT_END_(),
};

static void check_exec(struct cmd_ctx *ctx)
{
	if (!ctx->argc)
		cmd_usage_error(ctx, "missing <command>");
}

static int cmd_exec(struct cmd_ctx *ctx)
{
	struct sandbox *sb = &ctx->sb;
	struct strbuf err = STRBUF_INIT;
	char **env;
	size_t nenv, alloc;

	/* the env file is derived from the state: put it back if it went missing */
	if (sb->has_state && !sb->missing && envfile_ensure(sb) < 0)
		warning("could not regenerate '%s'", sb->cfg.env_file);
	/* another sandbox's command runs in its worktree, as if started there */
	if (ctx->name && path_inside(".", sb->path) != 1) {
		if (chdir(sb->path) < 0)
			die_errno("cannot change to '%s'", sb->path);
		setenv("PWD", sb->path, 1);
	}
	env = sandbox_env(sb);
	for (nenv = 0; env[nenv]; nenv++)
		;
	alloc = nenv + 1;
	if (with_secrets)
		add_secrets(sb, &env, &nenv, &alloc);
	/* docker and compose run here reach the sandbox's engine */
	engine_env(&sb->engine, &env, &nenv, &alloc);
	exec_command((const char *const *)ctx->argv, (const char *const *)env, &err);
	die("%s", err.buf);
}

const struct cmd_entry cmd_exec_entry = {
	"exec", "run a command with the sandbox's variables set", usage, opts,
	CMD_SANDBOX | CMD_STOP_AT_ARG, SB_NEED_SLOT | SB_NEED_WORKTREE, -1, check_exec, cmd_exec
};
