/* git sandbox env: the sandbox's variables (never secrets) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"
#include "hints.h"
#include "opts.h"
#include "sandbox.h"
#include "strbuf.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox env [-s <name>] [--export]",
	NULL
};

int main(int argc, char **argv)
{
	int export = 0;
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_BOOL_(0, "export", &export, "prefix each line with export"),
		OPT_END_(),
	};
	struct sandbox sb;
	struct strbuf out = STRBUF_INIT;
	char **env;
	size_t i;

	progname = "git sandbox env";
	set_advise_routine(say_hint);
	if (parse_options(argc, argv, opts, usage, "git-sandbox-env", 0))
		usage_msg(usage, "too many arguments");
	sandbox_open(&sb, name, SB_NEED_SLOT | SB_ENV_HOST);
	/* the env file is derived from the state: put it back if it went missing */
	if (sb.has_state && !sb.missing && envfile_ensure(&sb) < 0)
		warning("could not regenerate '%s'", sb.cfg.env_file);
	env = sandbox_env(&sb);
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
	sandbox_close(&sb);
	return stdout_done();
}
