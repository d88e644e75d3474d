/*
 * copy.c: sandbox.copy, the untracked files carried from the main worktree
 * into a new sandbox. It owns the check of each value and every write the
 * copy makes in the new worktree.
 *
 * The new checkout is the branch's, so hostile: a committed symbolic link
 * (".claude -> ~/.ssh") would otherwise carry the user's private files
 * wherever the branch likes. So the destination is never named by a joined
 * path: each component is opened from the worktree's directory fd with
 * O_NOFOLLOW, a symbolic link (or anything but a directory) where a
 * directory is needed fails the copy, and files are created O_EXCL. The
 * source is the user's own main worktree and may follow its own layout;
 * only its last components are opened without following links, so that a
 * link is copied as a link.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"
#include "strbuf.h"
#include "util.h"

/* one sandbox.copy value being copied: names for the messages only */
struct copy_ctx {
	const char *value;	/* the sandbox.copy value */
	const char *dst;	/* the new worktree */
	struct strbuf rel;	/* the path being copied, relative to the worktrees */
};

/*
 * name in dfd could not be used as a directory (or, with want_dir = 0, as a
 * file): say why, naming the value and the path in the new worktree.
 */
static int refuse_dest(struct copy_ctx *c, int dfd, const char *name, int want_dir, int err)
{
	struct stat st;

	if (!fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (S_ISLNK(st.st_mode))
			return error("sandbox.copy '%s': '%s/%s' is a symbolic link in the new worktree; "
				     "not following it", c->value, c->dst, c->rel.buf);
		if (want_dir && !S_ISDIR(st.st_mode))
			return error("sandbox.copy '%s': '%s/%s' is not a directory in the new worktree",
				     c->value, c->dst, c->rel.buf);
		if (!want_dir && !S_ISREG(st.st_mode))
			return error("sandbox.copy '%s': '%s/%s' is not a regular file in the new worktree",
				     c->value, c->dst, c->rel.buf);
	}
	errno = err;
	return error_errno("sandbox.copy '%s': cannot open '%s/%s'",
			   c->value, c->dst, c->rel.buf);
}

/* Make (if missing) and open the directory name in dfd, never through a link; fd or -1. */
static int open_dest_dir(struct copy_ctx *c, int dfd, const char *name, mode_t mode)
{
	int fd;

	if (mkdirat(dfd, name, mode) < 0 && errno != EEXIST)
		return error_errno("sandbox.copy '%s': cannot create '%s/%s'",
				   c->value, c->dst, c->rel.buf);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return refuse_dest(c, dfd, name, 1, errno);
	return fd;
}

static int copy_file(struct copy_ctx *c, int sfd, const char *sname, int dfd, const char *dname,
		     mode_t mode)
{
	int in, out;
	char buf[65536];
	ssize_t n;

	in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return error_errno("sandbox.copy '%s': cannot open '%s' in the main worktree",
				   c->value, c->rel.buf);
	out = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		int err = errno;
		struct stat st;

		close(in);
		/* the checkout has its own: keep it */
		if (err == EEXIST && !fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode))
			return 0;
		return refuse_dest(c, dfd, dname, 0, err);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) < 0 || n < 0)
		return error_errno("sandbox.copy '%s': cannot write '%s/%s'",
				   c->value, c->dst, c->rel.buf);
	return 0;
}

static int copy_link(struct copy_ctx *c, int sfd, const char *sname, int dfd, const char *dname)
{
	char target[4096];
	ssize_t n = readlinkat(sfd, sname, target, sizeof(target));

	if (n < 0)
		return error_errno("sandbox.copy '%s': cannot read the link '%s' in the main worktree",
				   c->value, c->rel.buf);
	if ((size_t)n >= sizeof(target))
		return error("sandbox.copy '%s': the link '%s' in the main worktree is too long",
			     c->value, c->rel.buf);
	target[n] = '\0';
	/* an existing entry is the checkout's own; symlinkat never follows it */
	if (symlinkat(target, dfd, dname) < 0 && errno != EEXIST)
		return error_errno("sandbox.copy '%s': cannot create the link '%s/%s'",
				   c->value, c->dst, c->rel.buf);
	return 0;
}

static int copy_entry(struct copy_ctx *c, int sfd, const char *sname, int dfd, const char *dname);

static int copy_dir(struct copy_ctx *c, int sfd, const char *sname, int dfd, const char *dname,
		    mode_t mode)
{
	int in, out, ret = 0;
	DIR *d;
	struct dirent *de;
	size_t len = c->rel.len;

	in = openat(sfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return error_errno("sandbox.copy '%s': cannot open '%s' in the main worktree",
				   c->value, c->rel.buf);
	out = open_dest_dir(c, dfd, dname, mode & 07777);
	if (out < 0) {
		close(in);
		return -1;
	}
	if (!(d = fdopendir(in))) {
		close(in);
		close(out);
		return error_errno("sandbox.copy '%s': cannot read '%s' in the main worktree",
				   c->value, c->rel.buf);
	}
	while (!ret && (errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&c->rel, "/%s", de->d_name);
		ret = copy_entry(c, dirfd(d), de->d_name, out, de->d_name);
		c->rel.len = len;
		c->rel.buf[len] = '\0';
	}
	if (!ret && errno)
		ret = error_errno("sandbox.copy '%s': cannot read '%s' in the main worktree",
				  c->value, c->rel.buf);
	closedir(d);
	close(out);
	return ret;
}

/* Copy sname (in sfd, the main worktree) to dname (in dfd, the new worktree). */
static int copy_entry(struct copy_ctx *c, int sfd, const char *sname, int dfd, const char *dname)
{
	struct stat st;

	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return error_errno("sandbox.copy '%s': cannot stat '%s' in the main worktree",
				   c->value, c->rel.buf);
	if (S_ISLNK(st.st_mode))
		return copy_link(c, sfd, sname, dfd, dname);
	if (S_ISREG(st.st_mode))
		return copy_file(c, sfd, sname, dfd, dname, st.st_mode);
	if (S_ISDIR(st.st_mode))
		return copy_dir(c, sfd, sname, dfd, dname, st.st_mode);
	return 0;	/* sockets, fifos: nothing to carry */
}

int copy_check_value(const char *p, struct strbuf *why)
{
	const char *s = p;

	if (!*p || *p == '/')
		goto outside;
	for (;;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && !strncmp(s, "..", 2))
			goto outside;
		if ((n == 1 && *s == '.') || (!n && s[n])) {
			strbuf_addf(why, "sandbox.copy '%s' has an empty or '.' component; "
				    "give the plain relative path", p);
			return -1;
		}
		if (!s[n] || !s[n + 1])
			return 0;
		s += n + 1;
	}
outside:
	strbuf_addf(why, "sandbox.copy '%s' must be a path inside the worktree", p);
	return -1;
}

/*
 * Walk the directories of c->rel (all but its last component) down from
 * the new worktree's fd root, making the missing ones; the fd of the last
 * one, or -1.
 */
static int open_dest_parent(struct copy_ctx *c, int root)
{
	char *rel = xstrdup(c->rel.buf), *s = rel, *slash;
	int fd = dup(root);

	if (fd < 0) {
		free(rel);
		return error_errno("cannot duplicate a file descriptor");
	}
	while (fd >= 0 && (slash = strchr(s, '/'))) {
		int next;

		*slash = '\0';
		strbuf_reset(&c->rel);
		strbuf_addstr(&c->rel, rel);	/* for the messages */
		next = open_dest_dir(c, fd, s, 0755);
		close(fd);
		fd = next;
		*slash = '/';
		s = slash + 1;
	}
	strbuf_reset(&c->rel);
	strbuf_addstr(&c->rel, rel);
	free(rel);
	return fd;
}

static int copy_one(const char *value, int sroot, int droot, const char *dst)
{
	struct copy_ctx c = { value, dst, STRBUF_INIT };
	char *path;
	const char *last;
	struct stat st;
	int dfd, ret = -1;

	/* a trailing "/" is the only one copy_check_value lets through */
	strbuf_addstr(&c.rel, value);
	while (c.rel.len && c.rel.buf[c.rel.len - 1] == '/')
		c.rel.buf[--c.rel.len] = '\0';
	if (fstatat(sroot, c.rel.buf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		note("sandbox.copy: '%s' is not in the main worktree; skipped", value);
		strbuf_release(&c.rel);
		return 0;
	}
	dfd = open_dest_parent(&c, droot);
	if (dfd >= 0) {
		/* c.rel grows (and moves) as a tree is walked */
		path = xstrdup(c.rel.buf);
		last = strrchr(path, '/');
		last = last ? last + 1 : path;
		ret = copy_entry(&c, sroot, path, dfd, last);
		free(path);
		close(dfd);
	}
	strbuf_release(&c.rel);
	return ret;
}

int copy_into_sandbox(const struct sb_config *cfg, const char *src, const char *dst)
{
	struct strbuf why = STRBUF_INIT;
	int sroot, droot, ret = 0;
	size_t i;

	/* every value is checked before anything is copied */
	for (i = 0; i < cfg->ncopy; i++)
		if (copy_check_value(cfg->copy[i].value, &why) < 0) {
			error("%s", why.buf);
			strbuf_release(&why);
			return -1;
		}
	if (!cfg->ncopy)
		return 0;
	if ((sroot = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return error_errno("cannot open the main worktree '%s'", src);
	if ((droot = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		close(sroot);
		return error_errno("cannot open the new worktree '%s'", dst);
	}
	for (i = 0; !ret && i < cfg->ncopy; i++)
		ret = copy_one(cfg->copy[i].value, sroot, droot, dst);
	close(sroot);
	close(droot);
	return ret;
}
