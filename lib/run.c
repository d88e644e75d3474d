/*
 * run.c: running other programs (run-command.h's counterpart in git): fork
 * and exec with pipes, timeouts and output limits, exec in place, finding a
 * program on PATH, and the spawn trace.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "run.h"
#include "util.h"

void trace(const char *what, const char *const *words)
{
	const char *path = getenv("GIT_SANDBOX_TRACE");
	FILE *f;
	size_t i;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%s:", what);
	for (i = 0; words[i]; i++)
		fprintf(f, " %s", words[i]);
	fprintf(f, "\n");
	fclose(f);
}

extern char **environ;

/* Apply env (as struct child's) to this process: for exec_command(), which does not fork. */
static void apply_env(const char *const *env)
{
	size_t i;

	for (i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');

		if (eq) {
			char *k = xstrndup(env[i], eq - env[i]);

			setenv(k, eq + 1, 1);
			free(k);
		} else {
			unsetenv(env[i]);
		}
	}
}

/* Do entry and var ("K=V" or "K" each) name the same variable? */
static int same_name(const char *entry, const char *var)
{
	size_t n = strcspn(entry, "=");

	return !strncmp(entry, var, n) && (var[n] == '=' || !var[n]);
}

/*
 * The environment a child gets: ours with env applied in order, as an array
 * of pointers into environ and env (only the array is allocated). Built
 * before fork, as git's run-command does: in a process with threads, the
 * child may find malloc's lock held by a thread fork did not copy, so it
 * allocates nothing between fork and exec.
 */
static char **child_environ(const char *const *env)
{
	size_t n = 0, i, j, k = 0;
	char **v;

	if (!env)
		return environ;
	while (environ[n])
		n++;
	for (i = 0; env[i]; i++)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; environ[i]; i++) {
		for (j = 0; env[j] && !same_name(env[j], environ[i]); j++)
			;
		if (!env[j])
			v[k++] = environ[i];
	}
	/* the last word on a name is the one that counts */
	for (i = 0; env[i]; i++) {
		for (j = i + 1; env[j] && !same_name(env[j], env[i]); j++)
			;
		if (!env[j] && strchr(env[i], '='))
			v[k++] = (char *)env[i];
	}
	v[k] = NULL;
	return v;
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *p, *dir, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : xstrdup(name);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	p = xstrdup(path);
	for (dir = strtok_r(p, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *f = path_join(*dir ? dir : ".", name);
		struct stat st;

		if (!stat(f, &st) && S_ISREG(st.st_mode) && !access(f, X_OK))
			found = f;
		else
			free(f);
	}
	free(p);
	return found;
}

int have_program(const char *name)
{
	char *p = find_program(name);

	free(p);
	return p != NULL;
}

char *program_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return path_dirname(buf);
	}
	return argv0 && strchr(argv0, '/') ? path_dirname(argv0) : NULL;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void redirect_null(int fd, int flags)
{
	int n = open("/dev/null", flags);

	if (n >= 0) {
		dup2(n, fd);
		close(n);
	}
}

int start_command(struct child *c)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, errp_exec[2] = { -1, -1 };
	int status, e, err_code = 0;
	char **envp;
	pid_t pid;

	if (!c->out.buf)
		strbuf_init(&c->out);
	if (!c->err.buf)
		strbuf_init(&c->err);
	c->timed_out = 0;
	c->pid = 0;
	c->out_fd = c->err_fd = -1;
	trace("spawn", c->argv);
	fflush(NULL);
	if ((c->capture_out && pipe2(outp, O_CLOEXEC) < 0) ||
	    (c->capture_err && pipe2(errp, O_CLOEXEC) < 0) ||
	    pipe2(errp_exec, O_CLOEXEC) < 0) {
		e = errno;
		close_pair(outp);
		close_pair(errp);
		errno = e;
		return -1;
	}
	envp = child_environ(c->env);
	pid = fork();
	if (!pid) {
		/* from here to exec: no allocation, no stdio */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (c->no_stdin)
			redirect_null(0, O_RDONLY);
		if (c->capture_out)
			dup2(outp[1], 1);
		else if (c->silent_out)
			redirect_null(1, O_WRONLY);
		if (c->capture_err)
			dup2(errp[1], 2);
		else if (c->silent_err)
			redirect_null(2, O_WRONLY);
		if (c->dir && chdir(c->dir) < 0) {
			e = errno;
			(void)!write(errp_exec[1], &e, sizeof(e));
			_exit(127);
		}
		execvpe(c->argv[0], (char *const *)c->argv, envp);
		e = errno;
		(void)!write(errp_exec[1], &e, sizeof(e));
		_exit(127);
	}
	e = errno;
	if (envp != environ)
		free(envp);
	if (pid < 0) {
		close_pair(outp);
		close_pair(errp);
		close_pair(errp_exec);
		errno = e;
		return -1;
	}
	close(errp_exec[1]);
	if (c->capture_out)
		close(outp[1]);
	if (c->capture_err)
		close(errp[1]);
	if (read(errp_exec[0], &err_code, sizeof(err_code)) == sizeof(err_code)) {
		close(errp_exec[0]);
		if (c->capture_out)
			close(outp[0]);
		if (c->capture_err)
			close(errp[0]);
		waitpid(pid, &status, 0);
		errno = err_code;
		return -1;
	}
	close(errp_exec[0]);
	c->pid = pid;
	c->out_fd = outp[0];
	c->err_fd = errp[0];
	return 0;
}

int finish_command(struct child *c)
{
	char buf[8192];	/* what the child printed: wiped below when c->secret */
	int status;
	/* counted from here: a child started earlier had that time for free */
	long deadline = c->timeout_ms > 0 ? now_ms() + c->timeout_ms : 0;
	pid_t pid = c->pid;

	if (pid <= 0)
		die("BUG: finish_command() without start_command()");
	while (c->out_fd >= 0 || c->err_fd >= 0) {
		struct pollfd pfd[2];
		int n = 0, i, wait_ms = -1;

		if (c->out_fd >= 0)
			pfd[n++] = (struct pollfd){ c->out_fd, POLLIN, 0 };
		if (c->err_fd >= 0)
			pfd[n++] = (struct pollfd){ c->err_fd, POLLIN, 0 };
		if (deadline) {
			wait_ms = deadline - now_ms();
			if (wait_ms < 0)
				wait_ms = 0;
		}
		i = poll(pfd, n, wait_ms);
		if (i < 0 && errno == EINTR)
			continue;
		if (i == 0 || (c->max_out && c->out.len > c->max_out) ||
		    (c->max_err && c->err.len > c->max_err)) {
			c->timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		for (i = 0; i < n; i++) {
			ssize_t r;
			int *fdp = pfd[i].fd == c->out_fd ? &c->out_fd : &c->err_fd;
			struct strbuf *sb = fdp == &c->out_fd ? &c->out : &c->err;

			if (!pfd[i].revents)
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(*fdp);
				*fdp = -1;
				continue;
			}
			if (c->secret)
				/* the copy: c->out/c->err, the caller's to wipe */
				strbuf_add_secret(sb, buf, r);
			else
				strbuf_add(sb, buf, r);
		}
	}
	if (c->secret)
		sodium_memzero(buf, sizeof(buf));
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
	c->pid = 0;
	while (deadline && !c->timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			goto done;
		if (now_ms() >= deadline) {
			c->timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		usleep(10000);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
done:
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int run_command(struct child *c)
{
	if (start_command(c) < 0)
		return -1;
	return finish_command(c);
}

int exec_command(const char *const *argv, const char *const *env, struct strbuf *err)
{
	trace("spawn", argv);
	apply_env(env);
	fflush(NULL);
	execvp(argv[0], (char *const *)argv);
	if (errno == ENOENT)
		strbuf_addf(err, "'%s' not found on PATH", argv[0]);
	else
		strbuf_addf(err, "cannot run '%s': %s", argv[0], strerror(errno));
	return -1;
}
