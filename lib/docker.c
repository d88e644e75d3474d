#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "docker.h"
#include "run.h"
#include "util.h"

#define PS_TIMEOUT_MS 30000

/*
 * One JSON object a line, each value encoded by docker itself: labels are
 * anyone's to set on a shared engine, and a label holding a tab, a newline
 * or a quote cannot forge a field or a record in JSON.
 */
static const char ps_format[] =
	"{\"project\":{{json (.Label \"" LABEL_PROJECT "\")}},"
	"\"service\":{{json (.Label \"com.docker.compose.service\")}},"
	"\"state\":{{json .State}},\"name\":{{json .Names}},"
	"\"dir\":{{json (.Label \"" LABEL_PROJECT ".working_dir\")}},"
	"\"id\":{{json (.Label \"" LABEL_STACK_ID "\")}},\"cid\":{{json .ID}},"
	"\"ports\":{{json .Ports}}}";

/*
 * Run a docker command quietly and capture its output. Returns DOCKER_OK,
 * DOCKER_NOT_INSTALLED, DOCKER_UNREACHABLE (daemon not answering, or
 * docker says so) or DOCKER_FAILED; docker's first error line goes to why.
 */
static int docker_capture(const char *const *argv, struct strbuf *out, struct strbuf *why)
{
	struct child c = CHILD_INIT;
	int ret;

	c.argv = argv;
	c.no_stdin = 1;
	c.capture_out = 1;
	c.capture_err = 1;
	c.timeout_ms = PS_TIMEOUT_MS;
	ret = run_command(&c);
	if (ret < 0) {
		ret = errno == ENOENT ? DOCKER_NOT_INSTALLED : DOCKER_FAILED;
		if (why)
			strbuf_addstr(why, strerror(errno));
	} else if (c.timed_out) {
		ret = DOCKER_UNREACHABLE;
		if (why)
			strbuf_addf(why, "'docker %s' did not answer within %ds",
				    argv[1], PS_TIMEOUT_MS / 1000);
	} else if (ret) {
		const char *e = c.err.buf;
		size_t len;

		if (starts_with(e, "Error response from daemon: "))
			ret = DOCKER_FAILED;
		else
			ret = DOCKER_UNREACHABLE;
		if (why) {
			len = strcspn(e, "\n");
			strbuf_add(why, e, len);
		}
	}
	if (out)
		strbuf_add(out, c.out.buf, c.out.len);
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	return ret;
}

int docker_error(int code, const char *why)
{
	const char *host = getenv("DOCKER_HOST");

	if (code == DOCKER_NOT_INSTALLED)
		return error("docker is not installed (no 'docker' on PATH)");
	if (code == DOCKER_UNREACHABLE)
		return error("cannot reach the Docker daemon (is it running? DOCKER_HOST=%s)%s%s",
			     host && *host ? host : "unset",
			     why && *why ? ": " : "", why ? why : "");
	return error("docker failed%s%s", why && *why ? ": " : "", why ? why : "");
}

/* "8001" or "5010-5013" at s, ended by "->"; 0 or -1. */
static int parse_port_range(const char *s, const char *end, long *lo, long *hi)
{
	char *e;

	*lo = strtol(s, &e, 10);
	*hi = *lo;
	if (e < end && *e == '-')
		*hi = strtol(e + 1, &e, 10);
	if (e != end || *lo < 1 || *hi > 65535 || *hi < *lo)
		return -1;
	return 0;
}

void parse_published_ports(const char *column, long **ports, size_t *n)
{
	/*
	 * A bit per host port: repeated ranges ("1-65535" many times over)
	 * cost a pass each, not an array to grow and sort.
	 */
	unsigned char seen[65536 / 8] = { 0 };
	size_t nr = 0;
	long *v = NULL, p;
	const char *s = column;

	while (*s) {
		size_t len = strcspn(s, ",");
		const char *arrow = memmem(s, len, "->", 2);
		long lo, hi;

		if (arrow) {
			/* host part is "IP:PORT", "[::]:PORT" or ":::PORT" */
			const char *colon = arrow;

			while (colon > s && colon[-1] != ':')
				colon--;
			if (!parse_port_range(colon, arrow, &lo, &hi))
				for (p = lo; p <= hi; p++)
					if (!(seen[p / 8] & (1 << (p % 8)))) {
						seen[p / 8] |= 1 << (p % 8);
						nr++;
					}
		}
		s += len;
		while (*s == ',' || *s == ' ')
			s++;
	}
	if (nr) {
		v = xmalloc(nr * sizeof(*v));
		for (nr = 0, p = 1; p <= 65535; p++)
			if (seen[p / 8] & (1 << (p % 8)))
				v[nr++] = p;
	}
	*ports = v;
	*n = nr;
}

static int cmp_container(const void *a, const void *b)
{
	const struct container *x = a, *y = b;
	int c = strcmp(x->project, y->project);

	if (!c)
		c = strcmp(x->service, y->service);
	return c ? c : strcmp(x->name, y->name);
}

/* the string member key of o, or NULL */
static const char *member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void docker_parse_ps(const char *text, struct container_list *out)
{
	const char *line = text, *end;
	size_t alloc = 0;

	out->v = NULL;
	out->n = 0;
	for (; *line; line = *end ? end + 1 : end) {
		const char *f[8];
		struct container *c;
		json_t *o;

		if (!(end = strchr(line, '\n')))
			end = line + strlen(line);
		o = json_loadb(line, end - line, JSON_REJECT_DUPLICATES, NULL);
		f[0] = member(o, "project");
		f[1] = member(o, "service");
		f[2] = member(o, "state");
		f[3] = member(o, "name");
		f[4] = member(o, "dir");
		f[5] = member(o, "ports");
		f[6] = member(o, "id");
		f[7] = member(o, "cid");
		if (!f[0] || !*f[0] || !f[1] || !f[2] || !f[3] || !f[4] || !f[5] || !f[6] ||
		    !f[7] || !*f[7]) {
			json_decref(o);
			continue;
		}
		ALLOC_GROW(out->v, out->n + 1, alloc);
		c = &out->v[out->n++];
		c->project = xstrdup(f[0]);
		c->service = xstrdup(f[1]);
		c->state = xstrdup(f[2]);
		c->name = xstrdup(f[3]);
		c->working_dir = xstrdup(f[4]);
		c->stack_id = xstrdup(f[6]);
		c->cid = xstrdup(f[7]);
		parse_published_ports(f[5], &c->ports, &c->nports);
		json_decref(o);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_container);
}

int docker_ps_all(struct container_list *out, struct strbuf *why)
{
	const char *argv[] = { "docker", "ps", "-a", "--no-trunc",
			       "--filter", "label=" LABEL_PROJECT,
			       "--format", ps_format, NULL };
	struct strbuf buf = STRBUF_INIT;
	int ret;

	out->v = NULL;
	out->n = 0;
	ret = docker_capture(argv, &buf, why);
	if (ret == DOCKER_FAILED && buf.len == 0)
		ret = DOCKER_UNREACHABLE;
	if (!ret)
		docker_parse_ps(buf.buf, out);
	strbuf_release(&buf);
	return ret;
}

void container_list_free(struct container_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct container *c = &l->v[i];

		free(c->project);
		free(c->service);
		free(c->state);
		free(c->name);
		free(c->working_dir);
		free(c->stack_id);
		free(c->cid);
		free(c->ports);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

size_t stack_containers(const struct container_list *l, const char *project,
			const struct container ***out)
{
	size_t i, n = 0;

	*out = xcalloc(l->n + 1, sizeof(**out));
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].project, project))
			(*out)[n++] = &l->v[i];
	return n;
}

const char *stack_status(const struct container_list *l, const char *project)
{
	size_t i, total = 0, running = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].project, project))
			continue;
		total++;
		running += !strcmp(l->v[i].state, "running");
	}
	if (!running)
		return "stopped";
	return running == total ? "running" : "partial";
}

size_t docker_projects_with_prefix(const struct container_list *l, const char *prefix,
				   char ***out)
{
	size_t i, n = 0;

	*out = xcalloc(l->n + 1, sizeof(**out));
	/* l is sorted by project: equal names are adjacent */
	for (i = 0; i < l->n; i++) {
		const char *p = l->v[i].project;

		if (!starts_with(p, prefix) || (n && !strcmp((*out)[n - 1], p)))
			continue;
		(*out)[n++] = xstrdup(p);
	}
	return n;
}

/*
 * Did an inspect fail only because some of what it named is gone? Every
 * line docker printed on stderr says so ("Error response from daemon: get
 * x: no such volume", "Error: No such object: x").
 */
static int gone_only(int ret, const struct strbuf *err)
{
	const char *line = err->buf;

	if (ret != DOCKER_FAILED && ret != DOCKER_UNREACHABLE)
		return 0;
	if (!err->len)
		return 0;
	while (*line) {
		size_t len = strcspn(line, "\n");
		char *l = xstrndup(line, len);
		int gone = strstr(l, "no such") || strstr(l, "No such");

		free(l);
		if (len && !gone)
			return 0;
		line += len + !!line[len];
	}
	return 1;
}

/* Each line of text a JSON string (docker's {{json ...}}): the strings, NULL-terminated. */
static size_t json_lines(const char *text, char ***out)
{
	const char *line = text, *end;
	size_t n = 0, alloc = 0;

	*out = NULL;
	ALLOC_GROW(*out, 1, alloc);
	for (; *line; line = *end ? end + 1 : end) {
		json_t *v;

		if (!(end = strchr(line, '\n')))
			end = line + strlen(line);
		v = json_loadb(line, end - line, JSON_DECODE_ANY, NULL);
		if (json_is_string(v) && json_string_length(v) &&
		    !memchr(json_string_value(v), '\0', json_string_length(v))) {
			ALLOC_GROW(*out, n + 2, alloc);
			(*out)[n++] = xstrdup(json_string_value(v));
		}
		json_decref(v);
	}
	(*out)[n] = NULL;
	return n;
}

/* `docker <argv...>` printing one JSON string a line: 0 or a DOCKER_ code. */
static int docker_strings(const char *const *argv, char ***out, size_t *n, struct strbuf *why)
{
	struct strbuf buf = STRBUF_INIT;
	int ret = docker_capture(argv, &buf, why);

	*out = NULL;
	*n = 0;
	if (!ret)
		*n = json_lines(buf.buf, out);
	strbuf_release(&buf);
	return ret;
}

int docker_volumes_labelled(const char *label, char ***names, size_t *n, struct strbuf *why)
{
	char *filter = xasprintf("label=%s", label);
	const char *argv[] = { "docker", "volume", "ls", "--filter", filter,
			       "--format", "{{json .Name}}", NULL };
	int ret = docker_strings(argv, names, n, why);

	free(filter);
	return ret;
}

int docker_volumes(const char *project, char ***names, size_t *n, struct strbuf *why)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", project);
	int ret = docker_volumes_labelled(label, names, n, why);

	free(label);
	return ret;
}

int docker_networks(const char *project, char ***ids, size_t *n, struct strbuf *why)
{
	char *filter = xasprintf("label=" LABEL_PROJECT "=%s", project);
	const char *argv[] = { "docker", "network", "ls", "--no-trunc", "--filter", filter,
			       "--format", "{{json .ID}}", NULL };
	int ret = docker_strings(argv, ids, n, why);

	free(filter);
	return ret;
}

static void add_unique(char ***v, size_t *n, size_t *alloc, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	ALLOC_GROW(*v, *n + 2, *alloc);
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/*
 * `docker [<kind>] inspect names...`: the array docker prints, in *out
 * (NULL when n is 0 or on failure; json_decref it). Something named that
 * is gone meanwhile is absent, not an error. DOCKER_OK or a code.
 */
static int inspect(const char *kind, char *const *names, size_t n, json_t **out,
		   struct strbuf *why)
{
	const char **argv = xcalloc(n + 4, sizeof(*argv));
	struct strbuf buf = STRBUF_INIT, err = STRBUF_INIT;
	size_t i, k = 0;
	int ret = DOCKER_OK;

	*out = NULL;
	argv[k++] = "docker";
	if (kind)
		argv[k++] = kind;
	argv[k++] = "inspect";
	for (i = 0; i < n; i++)
		argv[k++] = names[i];
	if (n) {
		ret = docker_capture(argv, &buf, &err);
		if (gone_only(ret, &err))
			ret = DOCKER_OK;
		if (ret && why)
			strbuf_add(why, err.buf, err.len);
		if (!ret)
			*out = json_loadb(buf.buf, buf.len, 0, NULL);
	}
	strbuf_release(&buf);
	strbuf_release(&err);
	free(argv);
	return ret;
}

int docker_container_uses(char *const *cids, size_t n, char ***volumes, size_t *nvolumes,
			  char ***networks, size_t *nnetworks, struct strbuf *why)
{
	size_t i, valloc = 0, nalloc = 0;
	json_t *a;
	int ret;

	*volumes = xcalloc(1, sizeof(char *));
	*networks = xcalloc(1, sizeof(char *));
	*nvolumes = *nnetworks = 0;
	valloc = nalloc = 1;
	ret = inspect(NULL, cids, n, &a, why);
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i), *m, *nets, *v;
		const char *key;
		size_t k;

		m = json_object_get(o, "Mounts");
		for (k = 0; k < json_array_size(m); k++) {
			json_t *mount = json_array_get(m, k);
			const char *type = member(mount, "Type"), *name = member(mount, "Name");

			if (type && !strcmp(type, "volume") && name && *name)
				add_unique(volumes, nvolumes, &valloc, name);
		}
		nets = json_object_get(json_object_get(o, "NetworkSettings"), "Networks");
		json_object_foreach(nets, key, v) {
			const char *id = member(v, "NetworkID");

			if (id && *id)
				add_unique(networks, nnetworks, &nalloc, id);
		}
	}
	json_decref(a);
	return ret;
}

void volume_list_free(struct volume *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].created);
		free(v[i].project);
		free(v[i].stack_id);
		free(v[i].path);
	}
	free(v);
}

int docker_volume_inspect(char *const *names, size_t n, struct volume **out, size_t *nout,
			  struct strbuf *why)
{
	size_t i, alloc = 0;
	json_t *a;
	int ret;

	*out = NULL;
	*nout = 0;
	ret = inspect("volume", names, n, &a, why);
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		const char *name = member(o, "Name"), *created = member(o, "CreatedAt");
		json_t *labels = json_object_get(o, "Labels");
		const char *project = json_string_value(json_object_get(labels, LABEL_PROJECT));
		const char *id = json_string_value(json_object_get(labels, LABEL_STACK_ID));
		const char *path = json_string_value(json_object_get(labels, "git-sandbox.path"));
		struct volume *v;

		if (!name || !created)
			continue;
		ALLOC_GROW(*out, *nout + 1, alloc);
		v = &(*out)[(*nout)++];
		v->name = xstrdup(name);
		v->created = xstrdup(created);
		v->project = xstrdup(project ? project : "");
		v->stack_id = xstrdup(id ? id : "");
		v->path = xstrdup(path ? path : "");
	}
	json_decref(a);
	return ret;
}

int docker_volume_create(const char *name, const char *const *labels, struct strbuf *why)
{
	const char **argv;
	size_t i, n = 0, k = 0;
	int ret;

	while (labels[n])
		n++;
	argv = xcalloc(2 * n + 5, sizeof(*argv));
	argv[k++] = "docker";
	argv[k++] = "volume";
	argv[k++] = "create";
	for (i = 0; i < n; i++) {
		argv[k++] = "--label";
		argv[k++] = labels[i];
	}
	argv[k++] = name;
	ret = docker_capture(argv, NULL, why);
	free(argv);
	return ret;
}

int docker_remove(const char *kind, char *const *names, size_t n, struct strbuf *why)
{
	const char **argv = xcalloc(n + 5, sizeof(*argv));
	size_t i, k = 0;
	int ret = DOCKER_OK;

	argv[k++] = "docker";
	if (!strcmp(kind, "container")) {
		argv[k++] = "rm";
		argv[k++] = "-f";
		argv[k++] = "-v";
	} else {
		argv[k++] = kind;
		argv[k++] = "rm";
	}
	for (i = 0; i < n; i++)
		argv[k + i] = names[i];
	if (n)
		ret = docker_capture(argv, NULL, why);
	free(argv);
	return ret;
}

long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or deadline passes; 1 ready, 0 not. */
static int wait_fd(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = { fd, events, 0 };
		long left = deadline - monotonic_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r > 0;
	}
}

/* A connected, non-blocking socket to 127.0.0.1:port, or -1. */
static int connect_local(long port, long deadline)
{
	struct sockaddr_in sa = { 0 };
	int fd, err = 0;
	socklen_t len = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
	    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && !err)
		return fd;
	close(fd);
	return -1;
}

/*
 * Docker's userland proxy accepts on the published port before the
 * service in the container listens, then hangs up. So a TCP check passes
 * only if the connection is not closed within a moment of opening (a
 * server may speak first, as long as it does not hang up).
 */
#define TCP_SETTLE_MS 300

int wait_tcp(long port, long deadline)
{
	int fd = connect_local(port, deadline);
	long settle = monotonic_ms() + TCP_SETTLE_MS;
	int ok;
	char c;

	if (fd < 0)
		return -1;
	/* the settle wait may overrun deadline: cut short, it proves nothing */
	ok = !wait_fd(fd, POLLIN, settle) || recv(fd, &c, 1, MSG_PEEK) > 0;
	close(fd);
	return ok ? 0 : -1;
}

int wait_http(long port, const char *path, long deadline)
{
	char *req = xasprintf("GET %s HTTP/1.0\r\nHost: 127.0.0.1:%ld\r\n"
			      "User-Agent: git-sandbox\r\nConnection: close\r\n\r\n",
			      path, port);
	char buf[64];
	size_t got = 0, sent = 0, len = strlen(req);
	int fd = connect_local(port, deadline), code = 0;

	while (fd >= 0 && sent < len && wait_fd(fd, POLLOUT, deadline)) {
		ssize_t w = send(fd, req + sent, len - sent, MSG_NOSIGNAL);

		if (w < 0 && errno != EINTR && errno != EAGAIN)
			break;
		sent += w > 0 ? (size_t)w : 0;
	}
	/* the status line is all we need: "HTTP/1.1 200 OK" */
	while (fd >= 0 && sent == len && got < sizeof(buf) - 1 &&
	       !memchr(buf, '\n', got) && wait_fd(fd, POLLIN, deadline)) {
		ssize_t r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			break;
		got += r > 0 ? (size_t)r : 0;
	}
	buf[got] = '\0';
	if (starts_with(buf, "HTTP/") && strchr(buf, ' '))
		code = atoi(strchr(buf, ' ') + 1);
	if (fd >= 0)
		close(fd);
	free(req);
	return code >= 200 && code < 400 ? 0 : -1;
}

static void describe_check(struct strbuf *sb, const struct health_check *c)
{
	if (c->path)
		strbuf_addf(sb, "http://127.0.0.1:%ld%s", c->port, c->path);
	else
		strbuf_addf(sb, "tcp 127.0.0.1:%ld", c->port);
}

/* One attempt of check c, never past deadline nor longer than 2s. */
static int try_check(const struct health_check *c, long deadline)
{
	long limit = monotonic_ms() + 2000;

	if (limit > deadline)
		limit = deadline;
	return c->path ? wait_http(c->port, c->path, limit) : wait_tcp(c->port, limit);
}

static void show_progress(const struct health_check *checks, size_t n, const char *passed,
			  long elapsed_s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (passed[i])
			continue;
		strbuf_addstr(&sb, sb.len ? ", " : "");
		strbuf_addstr(&sb, checks[i].name);
		strbuf_addstr(&sb, " (");
		describe_check(&sb, &checks[i]);
		strbuf_addch(&sb, ')');
	}
	fprintf(stderr, "\rwaiting for %s: %lds\033[K", sb.buf, elapsed_s);
	fflush(stderr);
	strbuf_release(&sb);
}

int health_gate(const struct health_check *checks, size_t n, long timeout_s, int on_tty)
{
	long start = monotonic_ms(), deadline = start + timeout_s * 1000;
	char *passed = xcalloc(n + 1, 1);
	size_t i, pending = n;
	int ret = 0;

	while (pending) {
		pending = 0;
		for (i = 0; i < n; i++) {
			if (!passed[i])
				passed[i] = !try_check(&checks[i], deadline);
			pending += !passed[i];
		}
		if (!pending || monotonic_ms() >= deadline)
			break;
		if (on_tty)
			show_progress(checks, n, passed, (monotonic_ms() - start) / 1000);
		poll(NULL, 0, 250);
	}
	if (on_tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	for (i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;

		if (passed[i])
			continue;
		describe_check(&sb, &checks[i]);
		ret = error("health check '%s' (%s) did not answer within %lds",
			    checks[i].name, sb.buf, timeout_s);
		strbuf_release(&sb);
	}
	free(passed);
	return ret;
}
