/* health.c: the health gate (health.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "docker.h"
#include "health.h"
#include "strbuf.h"
#include "util.h"

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

/* A connected, non-blocking socket to host:port (its first address that accepts), or -1. */
static int connect_host(const char *host, long port, long deadline)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char service[16];
	int fd = -1;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%ld", port);
	if (getaddrinfo(host, service, &hints, &res))
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		int err = 0;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
		    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && !err)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * Docker's userland proxy accepts on the published port before the
 * service in the container listens, then hangs up. So a TCP check passes
 * only if the connection is not closed within a moment of opening (a
 * server may speak first, as long as it does not hang up).
 */
#define TCP_SETTLE_MS 300

int wait_tcp(const char *host, long port, long deadline)
{
	int fd = connect_host(host, port, deadline);
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

int wait_http(const char *host, long port, const char *path, long deadline)
{
	int v6 = strchr(host, ':') != NULL;
	char *req = xasprintf("GET %s HTTP/1.0\r\nHost: %s%s%s:%ld\r\n"
			      "User-Agent: git-sandbox\r\nConnection: close\r\n\r\n",
			      path, v6 ? "[" : "", host, v6 ? "]" : "", port);
	char buf[64];
	size_t got = 0, sent = 0, len = strlen(req);
	int fd = connect_host(host, port, deadline), code = 0;

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
	int v6 = c->host && strchr(c->host, ':') != NULL;

	if (c->cid) {
		strbuf_addf(sb, "its healthcheck, on the engine");
		return;
	}
	if (c->path)
		strbuf_addf(sb, "http://%s%s%s:%ld%s", v6 ? "[" : "", c->host, v6 ? "]" : "",
			    c->port, c->path);
	else
		strbuf_addf(sb, "tcp %s%s%s:%ld", v6 ? "[" : "", c->host, v6 ? "]" : "", c->port);
}

/* Does the engine call container cid healthy? 0 or -1. */
static int container_healthy(const char *cid)
{
	char *status;
	int ok;

	if (docker_container_health(cid, &status, NULL))
		return -1;
	ok = status && !strcmp(status, "healthy");
	free(status);
	return ok ? 0 : -1;
}

/* One attempt of check c, never past deadline nor longer than 2s. */
static int try_check(const struct health_check *c, long deadline)
{
	long limit = monotonic_ms() + 2000;

	if (c->cid)
		return container_healthy(c->cid);
	if (limit > deadline)
		limit = deadline;
	return c->path ? wait_http(c->host, c->port, c->path, limit) :
			 wait_tcp(c->host, c->port, limit);
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
