/* hooks.c: the hooks: hook.postCreate, hook.preUp, hook.postUp, hook.preDestroy (hooks.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks.h"
#include "run.h"
#include "trust.h"
#include "util.h"

int run_hook(const struct sandbox *sb, const struct config_value *hook, const char *name)
{
	const char *argv[] = { "sh", "-c", hook->value, NULL };
	struct child c = CHILD_INIT;
	char **env;
	int ret;

	if (!hook->value || !*hook->value)
		return 0;
	if (!trust_allows(&sb->cfg, hook->origin)) {
		warning("not running %s from %s, whose content you have not trusted for this repository:",
			name, sb->cfg.file);
		fputc('\t', stderr);
		trust_print_value(stderr, hook->value);
		fputc('\n', stderr);
		trust_hint(&sb->cfg);
		return 1;
	}
	note("running %s: %s", name, hook->value);
	env = sandbox_env(sb);
	c.argv = argv;
	c.dir = sb->path;
	c.env = (const char *const *)env;
	c.no_stdin = 1;
	ret = run_command(&c);
	free_env(env);
	if (ret) {
		error("%s failed (%s %d): %s", name, ret < 0 ? "could not start," : "exit",
		      ret < 0 ? 127 : ret, hook->value);
		return -1;
	}
	return 0;
}
