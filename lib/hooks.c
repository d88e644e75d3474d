#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hooks.h"
#include "run.h"
#include "util.h"

char *project_file_hash(const char *file)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	size_t len;
	char *text = read_file(file, &len);

	if (!text)
		return NULL;
	crypto_hash_sha256(h, (unsigned char *)text, len);
	free(text);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return xstrdup(hex);
}

int project_trusted(const struct sb_config *cfg)
{
	char *h = project_file_hash(cfg->file);
	size_t i;
	int ok = 0;

	for (i = 0; h && i < cfg->ntrusted && !ok; i++)
		ok = !strcmp(cfg->trusted[i], h);
	free(h);
	return ok;
}

int run_hook(const struct sandbox *sb, const struct config_value *hook, const char *name)
{
	const char *argv[] = { "sh", "-c", hook->value, NULL };
	struct child c = CHILD_INIT;
	char **env;
	int ret;

	if (!hook->value || !*hook->value)
		return 0;
	if (hook->origin == ORIGIN_PROJECT && !project_trusted(&sb->cfg)) {
		warning("not running %s from %s, whose content you have not trusted:\n\t%s",
			name, sb->cfg.file, hook->value);
		fprintf(stderr, "hint: read %s, then run 'git sandbox trust' to let its hooks run\n",
			sb->cfg.file);
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
