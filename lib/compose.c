/* compose.c: how Docker Compose is found and run, in one place (compose.h) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compose.h"
#include "lock.h"
#include "run.h"
#include "util.h"

/* Split s on blanks into a NULL-terminated vector. */
static char **split_blanks(const char *s, size_t *n)
{
	char **v = NULL;
	size_t nr = 0, alloc = 0;

	for (;;) {
		size_t len;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		len = strcspn(s, " \t");
		ALLOC_GROW(v, nr + 2, alloc);
		v[nr++] = xstrndup(s, len);
		s += len;
	}
	if (v)
		v[nr] = NULL;
	*n = nr;
	return v;
}

/* Does "argv... version" answer? Quiet, bounded, no stdin. */
static int answers_version(const char *const *argv)
{
	struct child c = CHILD_INIT;

	c.argv = argv;
	c.no_stdin = 1;
	c.silent_out = 1;
	c.silent_err = 1;
	c.timeout_ms = 15000;
	return run_command(&c) == 0;
}

/*
 * What decides whether `docker compose` answers: the docker found on PATH
 * and the plugin directories it looks in (DOCKER_CONFIG's or
 * ~/.docker's, then the system's), each by path, size and mtime. NULL
 * without a docker on PATH.
 */
static char *v2_key(void)
{
	static const char *const system_dirs[] = {
		"/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins", NULL
	};
	const char *config = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *docker = find_program("docker"), *user;
	struct strbuf key = STRBUF_INIT;
	size_t i;

	if (!docker)
		return NULL;
	user = config && *config ? xasprintf("%s/cli-plugins", config) :
				    xasprintf("%s/.docker/cli-plugins", home ? home : "");
	for (i = 0; i <= ARRAY_SIZE(system_dirs) - 1; i++) {
		char *path = path_join(i ? system_dirs[i - 1] : user, "docker-compose");

		strbuf_add_file_id(&key, path);
		free(path);
	}
	strbuf_add_file_id(&key, docker);
	free(user);
	free(docker);
	return strbuf_detach(&key);
}

#define V2_CACHE_MAX 32	/* answers kept, the latest */

/*
 * Does `docker compose version` answer? Asked once for each v2_key and
 * remembered in ${XDG_CACHE_HOME:-~/.cache}/git-sandbox/compose: one line
 * "<yes|no> <key>" each. A cache that cannot be read or written only
 * costs the probe.
 */
static int v2_answers(const char *const *probe)
{
	char *key = v2_key(), *dir, *path, *text, *line, *end;
	struct strbuf out = STRBUF_INIT;
	size_t len, kept = 0;
	int ret = -1;

	if (!key)
		return 0;
	/* no cache directory: ask, as with no cache */
	if (!(dir = xdg_dir_gently("XDG_CACHE_HOME", ".cache", &text))) {
		free(text);
		free(key);
		return answers_version(probe);
	}
	path = path_join(dir, "compose");
	text = read_file(path, &len);
	for (line = text; line && *line && ret < 0; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if ((size_t)(end - line) == strlen(key) + 4 && !strncmp(line + 4, key, strlen(key)) &&
		    (starts_with(line, "yes ") || starts_with(line, "no  ")))
			ret = starts_with(line, "yes ");
	}
	if (ret < 0) {
		ret = answers_version(probe);
		strbuf_addf(&out, "%s %s\n", ret ? "yes" : "no ", key);
		for (line = text; line && *line && kept < V2_CACHE_MAX - 1; line = *end ? end + 1 : end) {
			end = line + strcspn(line, "\n");
			strbuf_add(&out, line, end - line);
			strbuf_addch(&out, '\n');
			kept++;
		}
		free(dir);
		dir = path_dirname(path);
		if (!mkdir_p(dir, 0700))
			(void)write_file_atomic(path, out.buf, out.len, 0600);
	}
	strbuf_release(&out);
	free(text);
	free(path);
	free(dir);
	free(key);
	return ret;
}

void compose_use(struct compose *c, const char *line)
{
	free_strings(c->cmd, c->ncmd);
	c->cmd = split_blanks(line, &c->ncmd);
	if (!c->cmd)
		die("BUG: an empty compose command line");
}

int compose_available(const char *cmd)
{
	static const char *const v2[] = { "docker", "compose", "version", NULL };
	char **argv;
	size_t n;
	int ret;

	if (!strcmp(cmd, "docker compose"))
		return v2_answers(v2);
	argv = split_blanks(cmd, &n);
	ret = argv && have_program(argv[0]);
	free_strings(argv, n);
	return ret;
}

int compose_version(char *const *cmd, size_t ncmd, struct strbuf *out)
{
	struct child c = CHILD_INIT;
	const char **argv = xcalloc(ncmd + 3, sizeof(*argv));
	size_t i;
	int ret;

	for (i = 0; i < ncmd; i++)
		argv[i] = cmd[i];
	argv[i++] = "version";
	argv[i++] = "--short";
	c.argv = argv;
	c.no_stdin = 1;
	c.capture_out = 1;
	c.capture_err = 1;
	c.max_out = 4096;
	c.timeout_ms = 15000;
	ret = run_command(&c);
	strbuf_rtrim(&c.out);
	strbuf_rtrim(&c.err);
	if (!ret && c.out.len) {
		strbuf_add(out, c.out.buf, c.out.len);
	} else {
		strbuf_add(out, c.err.len ? c.err.buf : c.out.buf, c.err.len ? c.err.len : c.out.len);
		ret = -1;
	}
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	free(argv);
	return ret;
}

int compose_detect(const char *override, char ***argv_out, size_t *argc_out)
{
	static const char *const v2[] = { "docker", "compose", "version", NULL };
	static const char *const v1[] = { "docker-compose", NULL };

	*argv_out = NULL;
	*argc_out = 0;
	if (override) {
		*argv_out = split_blanks(override, argc_out);
		if (!*argv_out)
			return error("sandbox.composeCommand is empty");
		return 0;
	}
	if (v2_answers(v2))
		*argv_out = split_blanks("docker compose", argc_out);
	else if (have_program(v1[0]))	/* its `version` takes most of a second: don't ask */
		*argv_out = split_blanks("docker-compose", argc_out);
	else
		return error("Docker Compose not found: install the v2 plugin "
			     "('docker compose') or 'docker-compose', or set "
			     "sandbox.composeCommand");
	return 0;
}

/*
 * A compose file or a profile is a name from the repository: "-" is
 * compose's stdin, and a name that begins with '-' ("--", "-h") is taken
 * for an option by v2's parser even after -f or --profile. So a file
 * that begins with '-' is given as "./<file>", a profile as
 * "--profile=<name>": room for them after the pointers (one block to free).
 */
#define PROFILE_OPT "--profile="

const char **compose_argv(const struct compose *c, const char *const *args)
{
	size_t nargs = 0, n = 0, i, count, text = 0;
	const char **v;
	char *p;

	while (args && args[nargs])
		nargs++;
	count = c->ncmd + 2 * c->nfiles + c->nprofiles + 6 + nargs + 1;
	for (i = 0; i < c->nfiles; i++)
		if (c->files[i][0] == '-')
			text += strlen(c->files[i]) + 3;
	for (i = 0; i < c->nprofiles; i++)
		text += strlen(PROFILE_OPT) + strlen(c->profiles[i]) + 1;
	v = xcalloc(1, count * sizeof(*v) + text);
	p = (char *)(v + count);
	for (i = 0; i < c->ncmd; i++)
		v[n++] = c->cmd[i];
	v[n++] = "-p";
	v[n++] = c->project;
	for (i = 0; i < c->nfiles; i++) {
		v[n++] = "-f";
		if (c->files[i][0] == '-') {
			v[n++] = p;
			p += sprintf(p, "./%s", c->files[i]) + 1;
		} else {
			v[n++] = c->files[i];
		}
	}
	if (c->label_file) {
		v[n++] = "-f";
		v[n++] = c->label_file;
	}
	if (c->env_file) {
		v[n++] = "--env-file";
		v[n++] = c->env_file;
	}
	for (i = 0; i < c->nprofiles; i++) {
		v[n++] = p;
		p += sprintf(p, PROFILE_OPT "%s", c->profiles[i]) + 1;
	}
	for (i = 0; i < nargs; i++)
		v[n++] = args[i];
	v[n] = NULL;
	return v;
}

const char **compose_up_args(const char **buf, int build, int recreate)
{
	size_t n = 0;

	buf[n++] = "up";
	buf[n++] = "-d";
	if (build)
		buf[n++] = "--build";
	if (recreate)
		buf[n++] = "--force-recreate";
	buf[n] = NULL;
	return buf;
}

const char **compose_down_args(const char **buf, int volumes)
{
	size_t n = 0;

	buf[n++] = "down";
	if (volumes)
		buf[n++] = "-v";
	buf[n++] = "--remove-orphans";
	buf[n] = NULL;
	return buf;
}

const char **compose_logs_args(const char **buf, int follow, const char *tail,
			       const char *service)
{
	size_t n = 0;

	buf[n++] = "logs";
	if (follow)
		buf[n++] = "-f";
	if (tail) {
		buf[n++] = "--tail";
		buf[n++] = tail;
	}
	if (service)
		buf[n++] = service;
	buf[n] = NULL;
	return buf;
}

int compose_run(const struct compose *c, const char *const *args)
{
	struct child ch = CHILD_INIT;
	const char **argv = compose_argv(c, args), **env;
	size_t i, n = 0;
	int ret;

	for (i = 0; c->env && c->env[i]; i++)
		n++;
	for (i = 0; c->secrets && c->secrets[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	n = 0;
	for (i = 0; c->env && c->env[i]; i++)
		env[n++] = c->env[i];
	for (i = 0; c->secrets && c->secrets[i]; i++)
		env[n++] = c->secrets[i];
	ch.argv = argv;
	ch.dir = c->dir;
	ch.env = env;
	ch.no_stdin = 1;
	ret = run_command(&ch);
	if (ret < 0) {
		if (!have_program(argv[0]))
			ret = error("'%s' not found on PATH", argv[0]);
		else
			ret = error_errno("cannot run '%s' in '%s'", argv[0],
					  c->dir ? c->dir : ".");
	}
	free(argv);
	free(env);
	return ret;
}

/* The last line of compose's error output that is not a warning, or "". */
static void last_error_line(const struct strbuf *err, struct strbuf *out)
{
	const char *line = err->buf, *end, *found = NULL;
	size_t flen = 0;

	for (; *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		while (line < end && (*line == ' ' || *line == '\t'))
			line++;
		if (line == end || memmem(line, end - line, "level=warning", 13) ||
		    !strncmp(line, "WARNING", 7))
			continue;
		found = line;
		flen = end - line;
	}
	if (found) {
		char *s = xstrndup(found, flen > 300 ? 300 : flen), *shown = printable(s);

		strbuf_addstr(out, shown);
		free(shown);
		free_secret(s);
	}
}

int compose_config(const struct compose *c, struct strbuf *out, struct strbuf *why)
{
	static const char *const args[] = { "config", NULL };
	struct child ch = CHILD_INIT;
	const char **argv = compose_argv(c, args);
	int ret;

	ch.argv = argv;
	ch.dir = c->dir;
	ch.env = c->env;
	ch.no_stdin = 1;
	ch.capture_out = 1;
	ch.capture_err = 1;
	ch.secret = 1;
	ch.timeout_ms = 30000;
	ch.max_out = COMPOSE_CONFIG_MAX;
	ret = run_command(&ch);
	if (ret < 0) {
		strbuf_addf(why, "cannot run '%s'%s", argv[0],
			    have_program(argv[0]) ? "" : ": not found on PATH");
	} else if (ch.timed_out) {
		strbuf_addstr(why, "compose did not answer in time, or said too much");
		ret = -1;
	} else if (ret) {
		struct strbuf line = STRBUF_INIT;

		last_error_line(&ch.err, &line);
		strbuf_addf(why, "compose cannot resolve the stack (exit %d)%s%s", ret,
			    line.len ? ": " : "", line.buf);
		strbuf_release(&line);
	} else {
		strbuf_release_secret(out);
		*out = ch.out;
		strbuf_init(&ch.out);
	}
	strbuf_release_secret(&ch.out);
	strbuf_release_secret(&ch.err);
	free(argv);
	return ret ? -1 : 0;
}
