/* util.h: messages, exits and allocation helpers that die on failure */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* exit codes, as git */
#define EXIT_FATAL 128
#define EXIT_USAGE 129

/* "fatal: <msg>" on stderr, exit 128. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Like die(), and then(arg) after the fatal line: the hints that go with it. */
void die_then(void (*then)(const void *), const void *arg, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
/* Like die() with ": <strerror(errno)>" appended. */
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* "error: <msg>" on stderr; returns -1 so a function can fail in one line. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "warning: <msg>" on stderr. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Free-form note on stderr (progress and chatter never go to stdout). */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Grow an array of *alloc elements so it holds at least nr. */
#define ALLOC_GROW(p, nr, alloc) do { \
	if ((nr) > (alloc)) { \
		(alloc) = (alloc) * 2 + 8 > (nr) ? (alloc) * 2 + 8 : (nr); \
		(p) = xrealloc((p), (alloc) * sizeof(*(p))); \
	} } while (0)

/* Parse a decimal integer within [min, max]; 0 on success, -1 otherwise. */
int parse_int(const char *s, long min, long max, long *out);
/* Parse a duration: "90", "90s", "15m", "12h", "2d" -> seconds; -1 on error. */
long parse_duration(const char *s);
/*
 * secs in its largest whole unit, rounded down, into buf: "45s", "12m",
 * "2h", "3d" (for "fetched 2h ago"); a negative secs is "0s". Returns buf.
 */
char *format_duration(char *buf, size_t size, long long secs);

int starts_with(const char *s, const char *prefix);
/* Free a NULL-terminated or counted array of strings. */
void free_strings(char **v, size_t n);

/* A copy of s with every control byte replaced by '?': text from others, for a terminal. */
char *printable(const char *s);
/* Sort v ascending and drop duplicates (*n becomes how many are left). */
void sort_longs_unique(long *v, size_t *n);

/* Create dir and its parents with mode (like mkdir -p); 0 or -1 (errno set). */
int mkdir_p(const char *dir, int mode);
/*
 * The largest file read_file reads. The tool's own files are far smaller: a
 * registry entry is under 1 KiB with ordinary paths (a few KiB with the
 * longest), so 999 slots in each of several repositories fit; anything
 * larger is not a file the tool wrote.
 */
#define READ_FILE_MAX ((size_t)16 << 20)
/*
 * Read a whole regular file of at most READ_FILE_MAX bytes, NUL-terminated;
 * *len gets its size. NULL with errno set on failure: ENOENT if missing,
 * ELOOP if path is a symbolic link (never followed), EINVAL if it is not a
 * regular file (a FIFO does not block), EFBIG if it is too large.
 */
char *read_file(const char *path, size_t *len);
/* Why read_file failed, for "cannot read '<path>': <why>" (strerror otherwise). */
const char *read_file_strerror(int errnum);
/* Absolute, symlink-free form of path (must exist); NULL on failure. */
char *real_path(const char *path);
/*
 * Is path dir itself or below it, both with every symbolic link resolved
 * (real_path), compared whole component by component ("/a/bc" is not
 * below "/a/b")? 1 if so, 0 if not, -1 (errno set) when either cannot be
 * resolved: it does not exist, is a dangling link or a loop. "." is the
 * current directory, as the kernel has it: reached through a link to dir,
 * it is inside.
 */
int path_inside(const char *path, const char *dir);
/* Directory and last component of a path (newly allocated). */
char *path_dirname(const char *path);
char *path_basename(const char *path);
char *path_join(const char *a, const char *b);

/*
 * An XDG base directory of ours (newly allocated): "$<env>/git-sandbox",
 * else "$HOME/<fallback_under_home>/git-sandbox"; NULL after an error
 * if neither is an absolute path (said on standard error once for each
 * env). The _gently form says why in *why (caller frees) instead.
 */
char *xdg_dir(const char *env, const char *fallback_under_home);
char *xdg_dir_gently(const char *env, const char *fallback_under_home, char **why);

/*
 * When process pid started (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot): with the pid it names one process for good, where a pid
 * alone may be reused. 0 if there is no such process, or it is a zombie.
 */
unsigned long long proc_start_time(long pid);

/* Wipe memory that held a secret, then free it. */
void free_secret(char *s);

/*
 * Zero 32 KiB of stack below the caller: what the frames of a parser or a
 * cipher that just returned left there (a lexer's last bytes, the last
 * partial block of a plaintext). Call it after they have seen a secret.
 */
void wipe_stack(void);

/*
 * With GIT_SANDBOX_TIMING set, print "timing: <phase> <ms> ms" to stderr:
 * the time since the previous call (the first call only starts the clock).
 */
void timing_phase(const char *phase);

#endif
