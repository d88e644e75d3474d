/*
 * engine.h: which Docker engine a sandbox's stack lives on, found exactly
 * as the docker CLI finds it, and how compose is pointed at it.
 *
 * An engine is named by a host URL (unix://<socket>, tcp://<host>:<port>,
 * ssh://[<user>@]<host>[:<port>]) or by a docker context. With no name,
 * the current engine is the docker CLI's: DOCKER_HOST when set, else the
 * context DOCKER_CONTEXT names, else the current context of the docker
 * configuration (`docker context use`), else the local socket. TLS comes
 * from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (default: the docker
 * configuration directory) for a host URL, and from the context's own TLS
 * material for a context.
 *
 * The engine's host is where its published ports answer: localhost for a
 * local socket, the host of a tcp:// or ssh:// URL, or sandbox.host from
 * the user's configuration for an engine reached through a tunnel.
 */
#ifndef SB_ENGINE_H
#define SB_ENGINE_H

#include "strbuf.h"

#define ENGINE_DEFAULT_PATH "/var/run/docker.sock"
#define ENGINE_DEFAULT_SOCKET "unix://" ENGINE_DEFAULT_PATH

enum engine_kind { ENGINE_UNIX, ENGINE_TCP, ENGINE_SSH };

struct engine {
	char *name;		/* a context's name, or the host URL */
	char *url;		/* unix://..., tcp://..., ssh://... */
	enum engine_kind kind;
	char *path;		/* ENGINE_UNIX: the socket */
	char *host;		/* ENGINE_TCP, ENGINE_SSH: the host name or address */
	char *port;		/* ENGINE_TCP, ENGINE_SSH: the port, or NULL (ssh's own) */
	char *user;		/* ENGINE_SSH: the user, or NULL */
	int tls;		/* ENGINE_TCP over TLS */
	int tls_verify;		/* verify the engine's certificate (else only encrypt) */
	char *certs;		/* directory of ca.pem, cert.pem, key.pem, or NULL */
	char *address;		/* where published ports answer */
	char *base;		/* ENGINE_TCP: the path the API is under ("/x", no trailing '/'), or NULL */
	int context;		/* named by a docker context (its TLS material is its own) */
};

#define ENGINE_INIT { 0 }

/*
 * Resolve spec (a host URL or a context's name; NULL or "" for the
 * current engine) into e. 0, or -1 after an error naming what is wrong
 * (an unknown context, an unreadable or malformed context, a URL docker
 * would not accept).
 */
int engine_resolve(const char *spec, struct engine *e);

/*
 * A sandbox's engine, as recorded (engine_record): name is a context's
 * name or a URL, certs the directory of a URL's TLS material (NULL: no
 * TLS). Unlike engine_resolve(), the shell's DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH play no part. 0, or -1 after an error.
 */
int engine_from_record(const char *name, const char *certs, struct engine *e);

/*
 * What to record of e so that engine_from_record() finds it again: its
 * name, and for a URL over TLS the directory of its certificates (else
 * NULL). Pointers into e.
 */
void engine_record(const struct engine *e, const char **name, const char **certs);

/*
 * The engine of a sandbox: GIT_SANDBOX_ENGINE when set (the engine for
 * this command, whatever was recorded: like GIT_DIR for git), else its
 * record (name, certs as engine_from_record; name NULL: none, a sandbox
 * from before engines were recorded), else configured (sandbox.engine),
 * else the current one. *chosen (if not NULL) is set when a record or
 * configured decided, not the shell. 0, or -1 after an error.
 */
int engine_of(const char *name, const char *certs, const char *configured, struct engine *e,
	      int *chosen);

/* GIT_SANDBOX_ENGINE, or NULL when unset or empty */
const char *engine_override(void);

/* The engine the shell points at, as engine_resolve(NULL) would find it: its URL (free it), or NULL. */
char *engine_current_url(void);

void engine_release(struct engine *e);
/* dst, a copy of src (release both) */
void engine_copy(struct engine *dst, const struct engine *src);

/* Is e on this machine (a unix socket, or tcp to a loopback address)? */
int engine_is_local(const struct engine *e);

/*
 * The environment that points docker and compose (v1 and v2) at e,
 * whatever the shell points at: DOCKER_HOST, and DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH when it uses TLS (unset otherwise; and then
 * REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE unset, which compose v1 would
 * trust instead of the engine's CA), DOCKER_TLS when it uses TLS without
 * verifying the engine (unset otherwise), DOCKER_CONTEXT unset; and for
 * podman (podman-compose runs it) CONTAINER_HOST, the same URL, with
 * CONTAINER_CONNECTION unset. Entries
 * "K=V" or "K" (unset) for struct child's env, appended to
 * *env (NULL-terminated; grows it). Returns how many it added.
 */
size_t engine_env(const struct engine *e, char ***env, size_t *n, size_t *alloc);

/*
 * The engine the lib's queries use (docker.h): set by the command once it
 * knows the sandbox's engine. Until set, the current engine, resolved at
 * the first query (and an error then is the query's). NULL when there is
 * none: the current one does not resolve, or engine_use_none().
 */
void engine_use(const struct engine *e);
const struct engine *engine_in_use(void);
/* No engine for the queries (a sandbox's cannot be resolved): they fail, never ask another. */
void engine_use_none(void);

/* "http://<address>:<port>/" (an IPv6 address in brackets): free it */
char *engine_http_url(const struct engine *e, long port);

/* Set the host published ports answer on (sandbox.host), or NULL for the URL's. */
void engine_set_address(struct engine *e, const char *host);

#endif
