/* util.c: messages, exits and allocation helpers that die on failure (util.h) */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util.h"

static void vreport(const char *prefix, const char *fmt, va_list ap, int err)
{
	char msg[4096], *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* as git's vreportf: a repository's text cannot drive the terminal */
	for (p = msg; *p; p++)
		if (iscntrl((unsigned char)*p) && *p != '\t' && *p != '\n')
			*p = '?';
	if (err)
		fprintf(stderr, "%s%s: %s\n", prefix, msg, strerror(err));
	else
		fprintf(stderr, "%s%s\n", prefix, msg);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(EXIT_FATAL);
}

void die_then(void (*then)(const void *), const void *arg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, 0);
	va_end(ap);
	then(arg);
	exit(EXIT_FATAL);
}

void die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, e);
	va_end(ap);
	exit(EXIT_FATAL);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, 0);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, e);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		die("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return p;
}

int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

long parse_duration(const char *s)
{
	char *end;
	long v, mult = 1;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -1;
		}
		if (end[1])
			return -1;
	}
	if (v > LONG_MAX / mult)
		return -1;
	return v * mult;
}

char *format_duration(char *buf, size_t size, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, size, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, size, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(buf, size, "%lldh", secs / 3600);
	else
		snprintf(buf, size, "%lldd", secs / 86400);
	return buf;
}

int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

char *printable(const char *s)
{
	char *copy = xstrdup(s), *p;

	for (p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return copy;
}

void free_strings(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int mkdir_p(const char *dir, int mode)
{
	char *p = xstrdup(dir), *s;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				ret = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (!ret) {
		struct stat st;

		if (stat(dir, &st) < 0)
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
	}
	free(p);
	return ret;
}

/*
 * O_NOFOLLOW: a symlink is never followed to /dev/zero or another user's
 * file. O_NONBLOCK: opening a FIFO does not wait for a writer; it is refused
 * by the fstat that follows, and a regular file ignores the flag.
 */
char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t alloc, n = 0;
	struct stat st;
	char *buf;
	ssize_t r;
	int e;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > READ_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	/* the size is a hint: the file may change while it is read */
	alloc = st.st_size + 2;
	buf = xmalloc(alloc);
	for (;;) {
		if (n + 1 >= alloc)
			buf = xrealloc(buf, alloc *= 2);
		r = read(fd, buf + n, alloc - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || n + r > READ_FILE_MAX) {
			e = r < 0 ? errno : EFBIG;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	e = errno;
	close(fd);
	errno = e;
	return NULL;
}

const char *read_file_strerror(int errnum)
{
	static char big[64];

	switch (errnum) {
	case ELOOP:
		return "it is a symbolic link";
	case EINVAL:
		return "it is not a regular file";
	case EFBIG:
		snprintf(big, sizeof(big), "it is larger than %zu bytes", READ_FILE_MAX);
		return big;
	default:
		return strerror(errnum);
	}
}

char *real_path(const char *path)
{
	return realpath(path, NULL);
}

int path_inside(const char *path, const char *dir)
{
	char *rp = real_path(path), *rd = rp ? real_path(dir) : NULL;
	size_t n = rd ? strlen(rd) : 0;
	int ret = -1, e = errno;

	/* "/" is the one resolved directory that ends in a slash */
	if (rd)
		ret = !strncmp(rp, rd, n) && (rp[n] == '/' || !rp[n] || n == 1);
	free(rp);
	free(rd);
	errno = e;
	return ret;
}

char *path_dirname(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, s - path);
}

char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return xstrdup(s ? s + 1 : path);
}

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n && a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

char *xdg_dir_gently(const char *env, const char *fallback_under_home, char **why)
{
	const char *v = getenv(env), *home;

	if (v && *v == '/')
		return xasprintf("%s/git-sandbox", v);
	home = getenv("HOME");
	if (!home || *home != '/') {
		*why = xasprintf("neither %s nor HOME is set to an absolute path", env);
		return NULL;
	}
	return xasprintf("%s/%s/git-sandbox", home, fallback_under_home);
}

char *xdg_dir(const char *env, const char *fallback_under_home)
{
	/* said once for each variable: every reader of the registry would say it again */
	static const char *said[4];
	char *why = NULL, *dir = xdg_dir_gently(env, fallback_under_home, &why);
	size_t i;

	if (dir)
		return dir;
	for (i = 0; i < ARRAY_SIZE(said) && said[i] && strcmp(said[i], env); i++)
		;
	if (i == ARRAY_SIZE(said) || !said[i])
		error("%s", why);
	if (i < ARRAY_SIZE(said))
		said[i] = env;
	free(why);
	return NULL;
}

unsigned long long proc_start_time(long pid)
{
	char path[64], *text, *p;
	unsigned long long start = 0;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(text = read_file(path, NULL)))
		return 0;
	/* "pid (comm) state ppid ...": comm may hold anything, up to the last ')' */
	p = strrchr(text, ')');
	if (p && p[1] == ' ' && p[2] && p[2] != 'Z' && p[2] != 'X') {
		/* p + 2 is field 3, the state; step to field 22 */
		for (p += 2, field = 3; p && field < 22; field++)
			if ((p = strchr(p, ' ')))
				p++;
		if (p)
			start = strtoull(p, NULL, 10);
	}
	free(text);
	return start;
}

void free_secret(char *s)
{
	if (!s)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

__attribute__((noinline)) void wipe_stack(void)
{
	unsigned char stack[32768];

	sodium_memzero(stack, sizeof(stack));
}

void timing_phase(const char *phase)
{
	static struct timespec last;
	static int on = -1;
	struct timespec now;

	if (on < 0) {
		const char *v = getenv("GIT_SANDBOX_TIMING");

		on = v && *v && strcmp(v, "0");
	}
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last.tv_sec || last.tv_nsec)
		fprintf(stderr, "timing: %s %.1f ms\n", phase,
			(now.tv_sec - last.tv_sec) * 1e3 + (now.tv_nsec - last.tv_nsec) / 1e6);
	last = now;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

void sort_longs_unique(long *v, size_t *n)
{
	size_t i, j = 0;

	if (!*n)
		return;
	qsort(v, *n, sizeof(*v), cmp_long);
	for (i = 1; i < *n; i++)
		if (v[i] != v[j])
			v[++j] = v[i];
	*n = j + 1;
}
