/* run.h: run other programs (git, docker, compose, op) */
#ifndef SB_RUN_H
#define SB_RUN_H

#include <sys/types.h>

#include "strbuf.h"

struct child {
	const char *const *argv;	/* argv[0] is looked up in our PATH (not env's) */
	const char *dir;		/* chdir here first, or NULL */
	const char *const *env;		/* "K=V" sets, "K" unsets; NULL-terminated, or NULL */
	int no_stdin;			/* stdin from /dev/null */
	int capture_out;		/* stdout into out */
	int capture_err;		/* stderr into err */
	int silent_out;			/* stdout to /dev/null */
	int silent_err;			/* stderr to /dev/null */
	int timeout_ms;			/* > 0: kill the child (SIGKILL) after this long */
	size_t max_out;			/* > 0: kill the child if it writes more than this */
	size_t max_err;			/* > 0: the same for what it writes to stderr */
	int secret;			/* captured output is secret: grown and read without leaving copies */
	struct strbuf out, err;		/* filled when capturing; caller releases */
	int timed_out;			/* set when timeout_ms, max_out or max_err killed it */

	/* between start_command() and finish_command(): the running child */
	pid_t pid;
	int out_fd, err_fd;
};

#define CHILD_INIT { 0 }

/*
 * Run the child and wait. Returns its exit status (0-255), 128+N if killed
 * by signal N, or -1 if it could not be started or waited for (errno says
 * why: ENOENT when the program is not on PATH; nothing is printed). Captured output is appended
 * to c->out and c->err. With c->secret, out and err grow only through
 * strbuf_add_secret() and the read buffer is wiped before returning: the
 * caller then releases them with strbuf_release_secret(), and no other copy
 * of what the child printed is left in our memory.
 *
 * GIT_SANDBOX_TRACE (a path) makes every spawn append its argv to that file.
 */
int run_command(struct child *c);

/*
 * run_command() in two halves, for a child that runs while we do other
 * work: start_command() starts it (0, or -1 as run_command() when it
 * cannot be started; nothing is printed), finish_command() reads what it
 * printed, waits and returns its status as run_command() does. Its
 * timeout counts from finish_command(): until then it may take its time
 * (what it prints waits in the pipe, and a child that prints more than a
 * pipe holds waits with it). A child never finished is left to run on its
 * own when we exit.
 */
int start_command(struct child *c);
int finish_command(struct child *c);

/*
 * With GIT_SANDBOX_TRACE (a path), append "<what>: <words...>" to that
 * file: every spawn ("spawn") and every engine request ("api") is traced,
 * for tests and for users who ask what a command costs.
 */
void trace(const char *what, const char *const *words);

/*
 * Replace this process with argv (env as in struct child). Returns only
 * when it cannot: -1, with why in err ("'<program>' not found on PATH").
 */
int exec_command(const char *const *argv, const char *const *env, struct strbuf *err);

/*
 * The directory of the running program (from /proc/self/exe, else argv0
 * when it holds a '/'), newly allocated, or NULL: where the commands
 * installed with it are, which come before any on PATH.
 */
char *program_dir(const char *argv0);

/* Is program found on PATH (or a path that is executable)? */
int have_program(const char *name);
/* Where: its path as found on PATH (free it), or NULL. */
char *find_program(const char *name);

#endif
