/*
 * health.h: the health gate that waits for a started stack to answer, on
 * the host its engine publishes ports on: an HTTP path that must answer
 * 2xx or 3xx, or a TCP port that must accept and stay open; and a
 * container whose compose healthcheck the engine must call healthy.
 */
#ifndef SB_HEALTH_H
#define SB_HEALTH_H

#include <stddef.h>

/* one check of the health gate */
struct health_check {
	const char *name;	/* the port group, for messages */
	const char *host;	/* where the port answers: the engine's host (engine.h) */
	long port;
	const char *path;	/* HTTP path that must answer 2xx/3xx; NULL: TCP connect */
	const char *cid;	/* or a container whose own healthcheck the engine runs (port unused) */
};

/* Milliseconds of a monotonic clock, for deadlines. */
long monotonic_ms(void);

/*
 * One attempt, given up at deadline (monotonic_ms): an HTTP/1.0 GET of path
 * on host:port answered with 2xx or 3xx, or a TCP connection accepted
 * (each address of host tried in turn). 0 on success, -1 otherwise
 * (silent).
 */
int wait_http(const char *host, long port, const char *path, long deadline);
int wait_tcp(const char *host, long port, long deadline);

/*
 * Poll every check until each has passed once or timeout_s expires. With
 * on_tty, one updating progress line on stderr (pending checks, elapsed
 * seconds). Returns 0, or -1 after an error naming each check that did not
 * answer.
 */
int health_gate(const struct health_check *checks, size_t n, long timeout_s, int on_tty);

#endif
