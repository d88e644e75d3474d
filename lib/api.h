/*
 * api.h: one request to the Docker Engine API, and its answer.
 *
 * Spoken directly over the engine's socket: a unix socket, tcp, tcp with
 * TLS (mbedTLS, which libgit2 already loads), or for ssh:// the remote
 * `docker system dial-stdio` through ssh, as the docker CLI does. HTTP/1.1,
 * one connection a request, the answer read with http-parser (which
 * libgit2 loads too), so talking to the engine costs no process and no
 * library that a git-sandbox command does not already map. Paths carry no
 * API version: the engine's own applies (an old fixed one is refused by
 * new engines); every field read here is in every version since 1.29
 * (a volume's CreatedAt is the latest of them).
 */
#ifndef SB_API_H
#define SB_API_H

#include <stddef.h>

#include <http_parser.h>
#include <jansson.h>

#include "engine.h"
#include "strbuf.h"

/*
 * An answer body larger than this is refused (an engine is not trusted to
 * be small), as soon as its length, or a chunk's, says it would be.
 */
#define API_MAX_BODY (64L << 20)

/*
 * How long one request may take, from the connect (itself at most 10s)
 * to the answer's last byte, however the engine spreads it out.
 */
#define API_TIMEOUT_MS 60000L

/*
 * method path (with its query, already escaped) on e, with body (JSON
 * text, or NULL). On an answer, DOCKER_OK with its HTTP status in *status
 * and its body in *out (parsed JSON, or NULL when empty or not JSON;
 * json_decref it). Else DOCKER_UNREACHABLE with why saying what failed
 * (connect, TLS, the time limit, a malformed answer). Codes of docker.h.
 */
int api_request(const struct engine *e, const char *method, const char *path, const char *body,
		int *status, json_t **out, struct strbuf *why);

/* Another time limit for the requests that follow (ms; <= 0: API_TIMEOUT_MS again), for tests. */
void api_set_timeout(long ms);

/*
 * An answer as it is read: its bytes fed as they come (api_answer_feed),
 * then the end of the connection if that comes first (api_answer_end).
 * What api_request() reads with; the parse alone, for tests and fuzzing.
 */
struct api_answer {
	http_parser parser;	/* parser.status_code: the HTTP status */
	struct strbuf body;
	int complete;		/* the whole answer is in */
	int too_big;		/* its body is over API_MAX_BODY */
};

void api_answer_init(struct api_answer *a);
/*
 * len more bytes of the answer: 1 when the answer is complete (what
 * follows it is never read), 0 when more is to come, -1 with why saying
 * what is wrong (not an HTTP answer, a body over API_MAX_BODY).
 */
int api_answer_feed(struct api_answer *a, const char *buf, size_t len, struct strbuf *why);
/*
 * The connection ended: 1 when the answer is complete (a body without a
 * length runs to the end), else -1 with why (cut short, or malformed).
 */
int api_answer_end(struct api_answer *a, struct strbuf *why);
/* A complete answer's body as JSON, or NULL (empty, not JSON, incomplete): json_decref it. */
json_t *api_answer_json(const struct api_answer *a);
void api_answer_release(struct api_answer *a);

/* path escaped for a URL's query or path segment, appended to sb */
void api_escape(struct strbuf *sb, const char *s);

#endif
