/* lock.c: advisory locks and atomic replacement of state files (lock.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

int lock_file(const char *path)
{
	char *lk = xasprintf("%s.lock", path);
	char *dir = path_dirname(path);
	int fd;

	if (mkdir_p(dir, 0700) < 0) {
		error_errno("cannot create directory '%s'", dir);
		free(dir);
		free(lk);
		return -1;
	}
	free(dir);
	fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		error_errno("cannot open lock file '%s'", lk);
		free(lk);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		error_errno("cannot lock '%s'", lk);
		close(fd);
		free(lk);
		return -1;
	}
	free(lk);
	return fd;
}

void unlock_file(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Write data into a new temporary file next to path (O_EXCL, O_NOFOLLOW,
 * mode) and fsync it. Returns its name, or NULL after printing an error
 * (nothing left behind).
 */
static char *write_temp(const char *path, const void *data, size_t len, int mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		error_errno("cannot create '%s'", tmp);
		free(tmp);
		return NULL;
	}
	crash_point("atomic-open");
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		goto fail;
	}
	return tmp;
fail:
	unlink(tmp);
	free(tmp);
	return NULL;
}

void remove_stale_temps(const char *path)
{
	char *dir = path_dirname(path), *base = path_basename(path);
	char *prefix = xasprintf("%s.tmp.", base);
	size_t n = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *de;
	char *tmp;

	while (d && (de = readdir(d))) {
		const char *pid = de->d_name + n;

		if (strncmp(de->d_name, prefix, n) || !*pid || strspn(pid, "0123456789") != strlen(pid) ||
		    !(kill(atol(pid), 0) < 0 && errno == ESRCH))
			continue;
		tmp = path_join(dir, de->d_name);
		unlink(tmp);
		free(tmp);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(base);
	free(dir);
}

int write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	struct stat st;
	char *tmp;

	if (!lstat(path, &st) && !S_ISREG(st.st_mode))
		return error("'%s' is not a regular file; refusing to replace it", path);
	if (fail_point("atomic-write"))
		return error_errno("cannot write '%s'", path);
	remove_stale_temps(path);
	tmp = write_temp(path, data, len, mode);
	if (!tmp)
		return -1;
	crash_point("atomic-rename");
	if (rename(tmp, path) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int write_file_new(const char *path, const void *data, size_t len, int mode)
{
	char *tmp;
	int ret = 0;

	remove_stale_temps(path);
	tmp = write_temp(path, data, len, mode);
	if (!tmp)
		return -1;
	crash_point("atomic-rename");
	/* link(2), unlike rename(2), never replaces what is there */
	if (link(tmp, path) < 0) {
		if (errno == EEXIST)
			ret = 1;
		else
			ret = error_errno("cannot create '%s'", path);
	}
	unlink(tmp);
	free(tmp);
	return ret;
}
#ifdef SB_TEST_HOOKS
/* Does env name point "name" or "name:<n>", and is this its n-th pass? */
static int point_reached(const char *env, const char *name, int *passed)
{
	const char *want = getenv(env);
	size_t n = strlen(name);
	long nth = 1;

	if (!want || strncmp(want, name, n) || (want[n] && want[n] != ':'))
		return 0;
	if (want[n] == ':' && parse_int(want + n + 1, 1, 1000, &nth) < 0)
		return 0;
	return ++*passed == nth;
}
#endif

void crash_point(const char *name)
{
#ifdef SB_TEST_HOOKS
	static int passed, paused;	/* times the chosen point was reached */
	const char *file = getenv("GIT_SANDBOX_TEST_PAUSE_PID");

	if (point_reached("GIT_SANDBOX_TEST_CRASH", name, &passed)) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
	if (file && point_reached("GIT_SANDBOX_TEST_PAUSE", name, &paused)) {
		char pid[32];
		int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		fflush(NULL);
		if (write_file_atomic(file, pid, len, 0644) < 0)
			kill(getpid(), SIGKILL);
		kill(getpid(), SIGSTOP);
	}
#else
	(void)name;
#endif
}

int fail_point(const char *name)
{
#ifdef SB_TEST_HOOKS
	static int passed;

	if (point_reached("GIT_SANDBOX_TEST_FAIL", name, &passed)) {
		errno = EIO;
		return 1;
	}
#else
	(void)name;
#endif
	return 0;
}
