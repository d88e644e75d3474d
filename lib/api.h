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
 * new engines), and every field read here is in every version since 1.24.
 */
#ifndef SB_API_H
#define SB_API_H

#include <stddef.h>

#include <jansson.h>

#include "engine.h"
#include "strbuf.h"

/* An answer body larger than this is refused (an engine is not trusted to be small). */
#define API_MAX_BODY (64L << 20)

/*
 * method path (with its query, already escaped) on e, with body (JSON
 * text, or NULL). On an answer, DOCKER_OK with its HTTP status in *status
 * and its body in *out (parsed JSON, or NULL when empty or not JSON;
 * json_decref it). Else DOCKER_UNREACHABLE with why saying what failed
 * (connect, TLS, timeout, a malformed answer). Codes of docker.h.
 */
int api_request(const struct engine *e, const char *method, const char *path, const char *body,
		int *status, json_t **out, struct strbuf *why);

/* path escaped for a URL's query or path segment, appended to sb */
void api_escape(struct strbuf *sb, const char *s);

#endif
