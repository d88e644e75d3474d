#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "util.h"

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return error_errno("cannot open '%s'", from);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
	if (out < 0) {
		close(in);
		if (errno == EEXIST)
			return 0;	/* the checkout has its own: keep it */
		return error_errno("cannot create '%s'", to);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) < 0 || n < 0)
		return error_errno("cannot copy '%s' to '%s'", from, to);
	return 0;
}

static int copy_tree(const char *from, const char *to)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (lstat(from, &st) < 0)
		return error_errno("cannot stat '%s'", from);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(from, target, sizeof(target) - 1);

		if (n < 0)
			return error_errno("cannot read link '%s'", from);
		target[n] = '\0';
		if (symlink(target, to) < 0 && errno != EEXIST)
			return error_errno("cannot create link '%s'", to);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return copy_file(from, to, st.st_mode);
	if (!S_ISDIR(st.st_mode))
		return 0;	/* sockets, fifos: nothing to carry */
	if (mkdir(to, st.st_mode & 07777) < 0 && errno != EEXIST)
		return error_errno("cannot create '%s'", to);
	if (!(d = opendir(from)))
		return error_errno("cannot read '%s'", from);
	while (!ret && (de = readdir(d))) {
		char *f, *t;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		f = path_join(from, de->d_name);
		t = path_join(to, de->d_name);
		ret = copy_tree(f, t);
		free(f);
		free(t);
	}
	closedir(d);
	return ret;
}

static int safe_relative(const char *p)
{
	const char *s = p;

	if (!*p || *p == '/')
		return 0;
	while (s) {
		if (!strncmp(s, "..", 2) && (s[2] == '/' || !s[2]))
			return 0;
		s = strchr(s, '/');
		if (s)
			s++;
	}
	return 1;
}

int copy_into_sandbox(const struct sb_config *cfg, const char *src, const char *dst)
{
	size_t i;

	for (i = 0; i < cfg->ncopy; i++) {
		const char *p = cfg->copy[i].value;
		char *from, *to, *parent;
		struct stat st;
		int ret;

		if (!safe_relative(p))
			return error("sandbox.copy '%s' must be a path inside the worktree", p);
		from = path_join(src, p);
		to = path_join(dst, p);
		if (lstat(from, &st) < 0) {
			note("sandbox.copy: '%s' is not in the main worktree; skipped", p);
			free(from);
			free(to);
			continue;
		}
		parent = path_dirname(to);
		ret = mkdir_p(parent, 0755) < 0 ? error_errno("cannot create '%s'", parent) : copy_tree(from, to);
		free(parent);
		free(from);
		free(to);
		if (ret)
			return -1;
	}
	return 0;
}
