/*
 * mcp-client: a small MCP client for the tests, over stdio.
 *
 *	mcp-client <command> [<arg>...] <script
 *
 * starts the command as an MCP server and sends it each line of the
 * script; after a request (a line with an id, or one that is no JSON
 * object: the server answers those too) it waits for one reply line,
 * checks that its id is the request's (null for a line that is not a
 * request, or in an error about a request whose id the server could not
 * read) and prints it. After a notification it waits for nothing. At
 * the script's end it closes the server's input: the server must then
 * exit 0 having printed nothing more (a reply to a notification would
 * show there). Exits 1, saying why, otherwise.
 *
 *	mcp-client get <path> <reply
 *
 * prints the value at path (dot-separated keys and array indexes, '*'
 * for every element of an array) of the JSON on stdin: a string as it
 * is, anything else as compact JSON, one a line; exits 1 if there is none.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

static int timeout_s = 600;

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "mcp-client: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 1;
}

/* read one line from fd (without its newline) into *buf; 1, 0 at EOF, -1 on timeout/error */
static int read_line(int fd, char **buf, size_t *len, size_t *alloc)
{
	*len = 0;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		char c;
		ssize_t r;

		if (poll(&p, 1, timeout_s * 1000) <= 0)
			return -1;
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return *len ? 1 : 0;
		if (c == '\n')
			return 1;
		if (*len + 2 > *alloc) {
			*alloc = *alloc * 2 + 256;
			*buf = realloc(*buf, *alloc);
			if (!*buf)
				abort();
		}
		(*buf)[(*len)++] = c;
		(*buf)[*len] = '\0';
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static int session(char **argv)
{
	int in[2], out[2], status, bad = 0;
	char *line = NULL, *reply = NULL;
	size_t alloc = 0, ralloc = 0, rlen;
	ssize_t n;
	pid_t pid;

	if (pipe(in) < 0 || pipe(out) < 0)
		return fail("cannot create a pipe%s", "");
	pid = fork();
	if (pid < 0)
		return fail("cannot fork%s", "");
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "mcp-client: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (!bad && (n = getline(&line, &alloc, stdin)) >= 0) {
		json_t *req, *id = NULL, *ans;
		int want;

		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		req = json_loadb(line, n, JSON_DECODE_ANY, NULL);
		want = !json_is_object(req) || json_object_get(req, "id");
		if (json_is_object(req))
			id = json_object_get(req, "id");
		if (write_all(in[1], line, n) < 0 || write_all(in[1], "\n", 1) < 0) {
			bad = fail("the server stopped reading%s", "");
		} else if (want) {
			if (read_line(out[0], &reply, &rlen, &ralloc) <= 0) {
				bad = fail("no reply to: %.200s", line);
			} else {
				ans = json_loads(reply, 0, NULL);
				if (!ans)
					bad = fail("the reply is not JSON: %s", reply);
				else if (!json_equal(json_object_get(ans, "id"), id ? id : json_null()) &&
					 /* an error for a request whose id could not be read */
					 !(json_is_null(json_object_get(ans, "id")) &&
					   json_object_get(ans, "error")))
					bad = fail("the reply's id is not the request's: %s", reply);
				else
					printf("%s\n", reply);
				json_decref(ans);
			}
		}
		json_decref(req);
	}
	close(in[1]);
	while (!bad && read_line(out[0], &reply, &rlen, &ralloc) > 0)
		bad = fail("unexpected output: %s", reply);
	close(out[0]);
	if (bad)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid%s", "");
	if (!bad && (!WIFEXITED(status) || WEXITSTATUS(status)))
		bad = fail("the server did not exit 0%s", "");
	free(line);
	free(reply);
	return bad;
}

static int print_at(json_t *v, char *path)
{
	char *dot, *end;
	size_t i;
	int found = 0;

	if (!path) {
		char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		printf("%s\n", s ? s : json_string_value(v));
		free(s);
		return 1;
	}
	dot = strchr(path, '.');
	if (dot)
		*dot++ = '\0';
	if (!strcmp(path, "*") && json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			char *rest = dot ? strdup(dot) : NULL;

			found += print_at(json_array_get(v, i), rest);
			free(rest);
		}
		return found;
	}
	if (json_is_array(v)) {
		i = strtoul(path, &end, 10);
		v = *end ? NULL : json_array_get(v, i);
	} else {
		v = json_object_get(v, path);
	}
	return v ? print_at(v, dot) : 0;
}

int main(int argc, char **argv)
{
	if (getenv("MCP_CLIENT_TIMEOUT"))
		timeout_s = atoi(getenv("MCP_CLIENT_TIMEOUT"));
	if (argc == 3 && !strcmp(argv[1], "get")) {
		json_t *j = json_loadf(stdin, 0, NULL);
		int found;

		if (!j)
			return fail("stdin is not JSON%s", "");
		found = print_at(j, argv[2]);
		json_decref(j);
		return found ? 0 : fail("nothing at '%s'", argv[2]);
	}
	if (argc < 2)
		return fail("usage: mcp-client <command> [<arg>...] | mcp-client get <path>%s", "");
	return session(argv + 1);
}
