/* opts.h: one option parser for every command (after git's parse-options) */
#ifndef SB_OPTS_H
#define SB_OPTS_H

#include <stdio.h>

enum opt_type { OPT_END, OPT_BOOL, OPT_STRING, OPT_LONG, OPT_STRING_LIST };

/* what an OPT_STRING_LIST collects, each time it is given: pointers into argv */
struct opt_list {
	const char **v;		/* NULL-terminated once one is given */
	size_t n, alloc;
};

struct opt {
	enum opt_type type;
	char short_name;	/* 0: none */
	const char *long_name;	/* NULL: none */
	void *value;		/* int * (BOOL), const char ** (STRING), long * (LONG), struct opt_list * */
	long min, max;		/* OPT_LONG range */
	const char *argh;	/* its value's name in -h, "<n>"; NULL for a BOOL */
	const char *help;	/* one line for -h */
};

#define OPT_BOOL_(s, l, v, h) { OPT_BOOL, s, l, v, 0, 0, NULL, h }
#define OPT_STRING_(s, l, v, a, h) { OPT_STRING, s, l, v, 0, 0, a, h }
#define OPT_LONG_(s, l, v, lo, hi, a, h) { OPT_LONG, s, l, v, lo, hi, a, h }
#define OPT_STRING_LIST_(s, l, v, a, h) { OPT_STRING_LIST, s, l, v, 0, 0, a, h }
#define OPT_END_() { OPT_END, 0, NULL, NULL, 0, 0, NULL, NULL }

/*
 * The one way every command that acts on one sandbox is told which:
 * -s <name> or --sandbox <name>, from anywhere in the repository.
 */
#define OPT_SANDBOX_(v) \
	OPT_STRING_('s', "sandbox", v, "<name>", "act on this sandbox of the repository")

/*
 * Parse argv[1..] against opts. -h prints usage and the options, one line
 * of help each, on stdout and --help opens manpage (both exit 129). Options and arguments may mix; "--" ends
 * options (and is kept out of the result). Stops at the first argument
 * when stop_at_arg is set (for `exec`). Bad usage prints the error and the
 * usage on stderr and exits 129. Returns the number of positional
 * arguments, moved to the front of argv (argv[0..n-1], argv[n] = NULL).
 */
int parse_options(int argc, char **argv, const struct opt *opts, const char *const *usage,
		  const char *manpage, int stop_at_arg);

/* The usage (print_usage), then opts with their help as git lists them, on stdout; exits 129. */
void usage_with_options(const char *const *usage, const struct opt *opts)
	__attribute__((noreturn));

/*
 * The sandbox the command line names: opt (OPT_SANDBOX_) or pos (the
 * positional <name> of a command that takes one), NULL for neither (the
 * worktree around the current directory). Both given and different is a
 * usage error (exits 129).
 */
const char *opt_sandbox(const char *opt, const char *pos, const char *const *usage);

/*
 * A command's last word on its output: 0 when all it wrote reached stdout,
 * else "fatal: write failure on standard output" and exit 128 (as git).
 */
int stdout_done(void);
/*
 * Usage text handling shared by every command: usage_with(u, 0) prints it on
 * stdout (for -h), usage_with(u, 1) on stderr (bad usage); both exit 129.
 */
void usage_with(const char *const *usage, int err) __attribute__((noreturn));
/* The usage lines alone ("usage: ", then "   or: "), on f; exits not. */
void print_usage(FILE *f, const char *const *usage);
/* "error: <msg>" followed by the usage on stderr, exit 129. */
void usage_msg(const char *const *usage, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* Open the manual page (as git's --help does); the usage if man fails. Exits. */
void show_manpage(const char *page, const char *const *usage) __attribute__((noreturn));

#endif
