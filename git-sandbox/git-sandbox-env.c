/* git sandbox env: the sandbox's variables (never secrets) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "cmd.h"
#include "opts.h"
#include "sandbox.h"
#include "strbuf.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox env [-s <name>] [--export]",
	NULL
};

static int export;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_(0, "export", &export, "prefix each line with export"),
	OPT_END_(),
};

static int cmd_env(struct cmd_ctx *ctx)
{
	struct sandbox *sb = &ctx->sb;
	struct strbuf out = STRBUF_INIT;
	char **env;
	size_t i;

	/* the env file is derived from the state: put it back if it went missing */
	if (sb->has_state && !sb->missing && envfile_ensure(sb) < 0)
		warning("could not regenerate '%s'", sb->cfg.env_file);
	env = sandbox_env(sb);
	for (i = 0; env[i]; i++) {
		if (export) {
			char *eq = strchr(env[i], '=');

			strbuf_addf(&out, "export %.*s=", (int)(eq - env[i]), env[i]);
			strbuf_addsq(&out, eq + 1);
			strbuf_addch(&out, '\n');
		} else {
			strbuf_addf(&out, "%s\n", env[i]);
		}
	}
	fputs(out.buf, stdout);
	strbuf_release(&out);
	free_env(env);
	return 0;
}

const struct cmd_entry cmd_env_entry = {
	"env", "print the sandbox's variables", usage, opts,
	CMD_SANDBOX, SB_NEED_SLOT | SB_ENV_HOST, 0, NULL, cmd_env
};
