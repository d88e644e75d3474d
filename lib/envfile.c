/* envfile.c: <worktree>/.env.sandbox and keeping it out of commits (envfile.h) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envfile.h"
#include "lock.h"
#include "strbuf.h"
#include "trust.h"
#include "util.h"

char *envfile_path(const struct sandbox *sb)
{
	return path_join(sb->path, sb->cfg.env_file);
}

/* the first line of every env file git-sandbox writes: what marks it as ours */
#define MARK "# Written by git-sandbox"

/* 1: a regular file git-sandbox wrote; 0: none; -1: something else is there */
static int ours(const char *path)
{
	struct stat st;
	char *text;
	int ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode))
		return -1;
	if (!(text = read_file(path, NULL)))
		return -1;
	ret = starts_with(text, MARK) ? 1 : -1;
	free(text);
	return ret;
}

static int not_ours(const char *path)
{
	return error("'%s' exists and was not written by git-sandbox; move it away, or choose "
		     "another name with sandbox.envFile", path);
}

int envfile_write(const struct sandbox *sb)
{
	struct strbuf text = STRBUF_INIT;
	char **env, *path = envfile_path(sb);
	size_t i;
	int ret;

	if (sb->cfg.env_file_ignored) {
		trust_warn_ignored(&sb->cfg, "sandbox.envFile", sb->cfg.env_file_ignored);
		trust_hint(&sb->cfg);
	}
	/* a file of the repository's or the user's is never overwritten */
	if (ours(path) < 0) {
		ret = not_ours(path);
		free(path);
		return ret;
	}
	env = sandbox_env(sb);
	strbuf_addstr(&text, MARK " from this sandbox's slot; regenerated when missing.\n"
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

int envfile_remove(const struct sandbox *sb)
{
	char *path = envfile_path(sb);
	int r = ours(path), ret = 0;

	if (r < 0)
		warning("kept '%s': git-sandbox did not write it", path);
	else if (r > 0 && unlink(path) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove '%s'", path);
	free(path);
	return ret;
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
