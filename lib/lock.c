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

int write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	struct stat st;
	int fd;

	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		error("'%s' is not a regular file; refusing to replace it", path);
		free(tmp);
		return -1;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		error_errno("cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	crash_point("atomic-open");
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		error_errno("cannot write '%s'", tmp);
		goto fail;
	}
	fd = -1;
	crash_point("atomic-rename");
	if (rename(tmp, path) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

void crash_point(const char *name)
{
	const char *want = getenv("GIT_SANDBOX_TEST_CRASH");

	if (want && !strcmp(want, name)) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
}
