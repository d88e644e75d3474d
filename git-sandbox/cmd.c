/*
 * cmd.c: the command table and the skeleton every command runs in
 * (cmd.h). Command side: the lib's failures end here, with the advice
 * that names a command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "cmd.h"
#include "compose.h"
#include "stack.h"
#include "strbuf.h"
#include "trust.h"
#include "util.h"

extern const struct cmd_entry cmd_create_entry, cmd_init_entry, cmd_up_entry, cmd_down_entry,
	cmd_destroy_entry, cmd_list_entry, cmd_status_entry, cmd_port_entry, cmd_env_entry,
	cmd_exec_entry, cmd_logs_entry, cmd_path_entry, cmd_mcp_entry, cmd_secrets_entry,
	cmd_repair_entry, cmd_prune_entry, cmd_doctor_entry, cmd_trust_entry, cmd_setup_entry;

/* in the order `git sandbox -h` lists them */
const struct cmd_entry *const cmd_table[] = {
	&cmd_create_entry, &cmd_init_entry, &cmd_up_entry, &cmd_down_entry, &cmd_destroy_entry,
	&cmd_list_entry, &cmd_status_entry, &cmd_port_entry, &cmd_env_entry, &cmd_exec_entry,
	&cmd_logs_entry, &cmd_path_entry, &cmd_mcp_entry, &cmd_secrets_entry, &cmd_repair_entry,
	&cmd_prune_entry, &cmd_doctor_entry, &cmd_trust_entry, &cmd_setup_entry,
	NULL
};

const char *cmd_sandbox;

const struct cmd_entry *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		if (!strcmp(cmd_table[i]->name, name))
			return cmd_table[i];
	return NULL;
}

static void trust_hint_of(const void *cfg)
{
	trust_hint(cfg);
}

void cmd_die_untrusted(const struct sb_config *cfg, const char *msg)
{
	die_then(trust_hint_of, cfg, "%s", msg);
}

void cmd_open(struct sandbox *sb, const char *name, unsigned flags)
{
	struct strbuf err = STRBUF_INIT;

	switch (sandbox_open(sb, name, flags, &err)) {
	case 0:
		break;
	case SANDBOX_NO_SUCH:
		die("%s (see 'git sandbox list')", err.buf);
	case SANDBOX_UNTRUSTED:
		cmd_die_untrusted(&sb->cfg, err.buf);
	case SANDBOX_NOT_ONE:
		die("%s: create one with 'git sandbox create <name>', "
		    "or make this worktree one with 'git sandbox init'", err.buf);
	default:
		die("%s", err.buf);
	}
	if (sb->ports_broken)
		warning("the ports recorded in '%s' are broken; going on with those of the registry "
			"('git sandbox repair' records them again)", sb->state_file);
	strbuf_release(&err);
}

void cmd_lock(const struct sandbox *sb)
{
	struct strbuf err = STRBUF_INIT;

	if (stack_lock(sb, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

void cmd_compose(struct compose *c, const struct sandbox *sb, struct stack_ident *si, int flags)
{
	struct strbuf err = STRBUF_INIT;
	int r = stack_compose(c, sb, si, flags, &err);

	if (r == STACK_COMPOSE_UNTRUSTED)
		cmd_die_untrusted(&sb->cfg, err.buf);
	if (r < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

void cmd_stacks(struct stack_list *l)
{
	struct strbuf err = STRBUF_INIT;

	if (stack_list_need(l, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

void cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	usage_msg(ctx->entry->usage, "%s", msg);
}

char *cmd_trust_advice(const char *file)
{
	return xasprintf("read '%s', then run 'git sandbox trust' to allow it", file);
}

/* the words of the advice lib asks for (advice.h): they name our commands and options */
static void say_hint(enum advice what, const char *arg)
{
	/* each once: a file that is not trusted holds back copies, hooks and more */
	static struct strbuf said = STRBUF_INIT;
	char *s, *key = xasprintf("\n%d %s\n", (int)what, arg ? arg : "");

	if (!said.len)
		strbuf_addch(&said, '\n');
	if (strstr(said.buf, key)) {
		free(key);
		return;
	}
	strbuf_addstr(&said, key + 1);
	free(key);

	switch (what) {
	case ADVICE_TRUST:
		s = cmd_trust_advice(arg);
		fprintf(stderr, "hint: %s\n", s);
		free(s);
		break;
	case ADVICE_TRUST_COMMIT:
		/* trust is given to a file checked out: the same bytes anywhere in the repository */
		fprintf(stderr, "hint: read it with 'git show %s'; to trust it, check it out (here, or in\n"
			"hint: a worktree of 'git worktree add'), run 'git sandbox trust' there, and try again\n",
			arg);
		break;
	case ADVICE_NO_SLOT:
		fprintf(stderr, "hint: destroy a sandbox, run 'git sandbox prune', or raise sandbox.slots\n");
		break;
	case ADVICE_REPAIR:
		fprintf(stderr, "hint: run 'git sandbox repair' to lease other ports\n");
		break;
	case ADVICE_REPAIR_OTHER:
		fprintf(stderr, "hint: run 'git sandbox repair %s' in its repository\n", arg);
		break;
	case ADVICE_PROJECT_TAKEN:
		fprintf(stderr, "hint: it may be another user's, another clone's or another "
			"repository's sandbox with the same name;\n"
			"hint: give this repository another sandbox.project\n");
		break;
	case ADVICE_VOLUME_TAKEN:
		fprintf(stderr, "hint: another user, clone or repository may have a sandbox of the "
			"same name: give this repository\n"
			"hint: another sandbox.project; if the volume is this sandbox's from before "
			"git-sandbox gave stacks ids,\n"
			"hint: remove it only if its data can go\n");
		break;
	case ADVICE_PROJECT_LEASED:
		fprintf(stderr, "hint: another user, clone or repository has a sandbox of the same "
			"name: give this repository another sandbox.project\n");
		break;
	}
}

int cmd_run(const struct cmd_entry *e, int argc, char **argv)
{
	struct cmd_ctx ctx;
	char *page = xasprintf("git-sandbox-%s", e->name);
	int ret;

	set_advise_routine(say_hint);
	memset(&ctx, 0, sizeof(ctx));
	ctx.entry = e;
	ctx.prog = argv[0];
	cmd_sandbox = NULL;
	ctx.argc = parse_options(argc, argv, e->opts, e->usage, page, !!(e->flags & CMD_STOP_AT_ARG));
	ctx.argv = argv;
	free(page);
	if (e->max_args >= 0 && ctx.argc > e->max_args)
		usage_msg(e->usage, "too many arguments");
	if (e->check)
		e->check(&ctx);
	if (!(e->flags & CMD_NO_STATE)) {
		char *why = NULL, *dir = xdg_dir_gently("XDG_STATE_HOME", ".local/state", &why);

		if (!dir)
			die("%s", why);
		free(dir);
	}
	ctx.name = cmd_sandbox;
	if (e->flags & CMD_NAME_ARG)
		ctx.name = opt_sandbox(cmd_sandbox, ctx.argc ? argv[0] : NULL, e->usage);
	if (e->flags & CMD_SANDBOX) {
		cmd_open(&ctx.sb, ctx.name, e->sb_flags);
		if (e->flags & CMD_LOCK)
			cmd_lock(&ctx.sb);
	}
	ret = e->fn(&ctx);
	if (e->flags & CMD_SANDBOX)
		sandbox_close(&ctx.sb);
	stdout_done();
	return ret;
}
