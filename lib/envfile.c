#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "lock.h"
#include "strbuf.h"
#include "util.h"

char *envfile_path(const struct sandbox *sb)
{
	return path_join(sb->path, sb->cfg.env_file);
}

int envfile_write(const struct sandbox *sb)
{
	struct strbuf text = STRBUF_INIT;
	char **env = sandbox_env(sb), *path = envfile_path(sb);
	size_t i;
	int ret;

	strbuf_addstr(&text, "# Written by git-sandbox from this sandbox's slot; regenerated when missing.\n"
		      "# Ports and names only: secrets never go in this file.\n");
	for (i = 0; env[i]; i++)
		strbuf_addf(&text, "%s\n", env[i]);
	ret = write_file_atomic(path, text.buf, text.len, 0644);
	strbuf_release(&text);
	free_env(env);
	free(path);
	return ret;
}

int envfile_ensure(const struct sandbox *sb)
{
	char *path = envfile_path(sb);
	int exists = !access(path, F_OK);

	free(path);
	return exists ? 0 : envfile_write(sb);
}

int exclude_add(const char *commondir, const char *file)
{
	char *dir = path_join(commondir, "info");
	char *path = path_join(dir, "exclude");
	char *line = xasprintf("/%s", file);
	struct strbuf text = STRBUF_INIT;
	char *old;
	int ret = 0;

	old = read_file(path, NULL);
	if (!old && errno != ENOENT) {
		ret = error("cannot read '%s': %s", path, read_file_strerror(errno));
		goto out;
	}
	if (old) {
		const char *p = old;
		size_t n = strlen(line);

		for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
				goto out;	/* already there */
		strbuf_addstr(&text, old);
		if (text.len && text.buf[text.len - 1] != '\n')
			strbuf_addch(&text, '\n');
	}
	strbuf_addf(&text, "%s\n", line);
	if (mkdir_p(dir, 0755) < 0)
		ret = error_errno("cannot create '%s'", dir);
	else
		ret = write_file_atomic(path, text.buf, text.len, 0644);
out:
	free(old);
	free(dir);
	free(path);
	free(line);
	strbuf_release(&text);
	return ret;
}
