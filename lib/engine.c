/*
 * engine.c: resolve a Docker engine as the docker CLI does (engine.h).
 *
 * The docker CLI's order: a DOCKER_HOST set and not empty wins; else the
 * context DOCKER_CONTEXT names; else "currentContext" of config.json in
 * DOCKER_CONFIG (default ~/.docker); else the local socket. A context
 * lives in <config>/contexts/meta/<sha256 of its name>/meta.json, its TLS
 * material in <config>/contexts/tls/<same>/docker/{ca,cert,key}.pem.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "engine.h"
#include "util.h"

static char *docker_config_dir(void)
{
	const char *d = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (d && *d)
		return xstrdup(d);
	return xasprintf("%s/.docker", home && *home ? home : "");
}

/* the hex SHA-256 of a context's name: its directories' name */
static char *context_digest(const char *name)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	crypto_hash_sha256(h, (const unsigned char *)name, strlen(name));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return xstrdup(hex);
}

/*
 * A file of the docker configuration, read as the docker CLI reads it:
 * through symbolic links (a dotfile manager links config.json into
 * place). NULL with errno set, as read_file.
 */
static char *read_docker_file(const char *path, size_t *len)
{
	char *real = real_path(path), *text;
	int e;

	if (!real)
		return NULL;
	text = read_file(real, len);
	e = errno;
	free(real);
	errno = e;
	return text;
}

static int is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* The current context's name from config.json, or NULL (none, or "default"). */
static char *config_current_context(const char *dir)
{
	char *path = path_join(dir, "config.json"), *text, *ret = NULL;
	size_t len;
	json_t *o;
	const char *c;

	text = read_docker_file(path, &len);
	free(path);
	if (!text)
		return NULL;
	o = json_loadb(text, len, 0, NULL);
	free(text);
	c = json_string_value(json_object_get(o, "currentContext"));
	if (c && *c && strcmp(c, "default"))
		ret = xstrdup(c);
	json_decref(o);
	return ret;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

/* Split url into e's parts: 0, or -1 after an error. */
static int parse_url(struct engine *e, const char *url)
{
	const char *rest, *at, *colon, *after;
	size_t len;

	if (starts_with(url, "unix://")) {
		e->kind = ENGINE_UNIX;
		e->path = xstrdup(url + strlen("unix://"));
		if (*e->path != '/')
			return error("engine '%s': a unix socket's path must be absolute", url);
		e->address = xstrdup("localhost");
		return 0;
	}
	if (starts_with(url, "tcp://"))
		e->kind = ENGINE_TCP;
	else if (starts_with(url, "ssh://"))
		e->kind = ENGINE_SSH;
	else
		return error("engine '%s': not a unix://, tcp:// or ssh:// URL, nor a docker context",
			     url);
	rest = strstr(url, "://") + 3;
	/* the user is what comes before the last '@' of the authority, as in a URL */
	len = strcspn(rest, "/");
	if (e->kind == ENGINE_SSH && (at = memrchr(rest, '@', len))) {
		e->user = xstrndup(rest, at - rest);
		rest = at + 1;
	}
	if (*rest == '[') {
		const char *close = strchr(rest, ']');

		if (!close)
			return error("engine '%s': unclosed '['", url);
		e->host = xstrndup(rest + 1, close - rest - 1);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && close[1] != ':' && close[1] != '/')
			return error("engine '%s': junk after the address", url);
		after = close + 1;
	} else {
		len = strcspn(rest, ":/");
		e->host = xstrndup(rest, len);
		colon = rest[len] == ':' ? rest + len : NULL;
		after = rest + len;
	}
	if (colon) {
		long p;
		char *port;

		len = strcspn(colon + 1, "/");
		port = xstrndup(colon + 1, len);
		if (strspn(port, "0123456789") != len || parse_int(port, 1, 65535, &p)) {
			free(port);
			return error("engine '%s': bad port", url);
		}
		e->port = port;
		after = colon + 1 + len;
	}
	if (!*e->host || has_control(e->host) || *e->host == '-' ||
	    (e->user && (!*e->user || *e->user == '-' || has_control(e->user))))
		return error("engine '%s': bad host", url);
	/* ssh's -l would take it whole, as a user name */
	if (e->user && strchr(e->user, ':'))
		return error("engine '%s': a password in the URL is not supported", url);
	/* a path: the engine's API under it (behind a proxy), as the docker CLI does */
	if (*after && strcmp(after, "/")) {
		if (e->kind != ENGINE_TCP || has_control(after) || strpbrk(after, "?#"))
			return error("engine '%s': a path after the host, which only tcp:// takes", url);
		len = strlen(after);
		e->base = xstrndup(after, len - (after[len - 1] == '/'));
	}
	if (e->kind == ENGINE_TCP && !e->port)
		e->port = xstrdup(e->tls ? "2376" : "2375");
	e->address = xstrdup(e->host);
	return 0;
}

/* TLS from the environment for a host URL, as the docker CLI reads it. */
static void tls_from_env(struct engine *e, const char *config_dir)
{
	const char *verify = getenv("DOCKER_TLS_VERIFY"), *certs = getenv("DOCKER_CERT_PATH");

	if (!starts_with(e->url, "tcp://") || !verify || !*verify)
		return;
	e->tls = e->tls_verify = 1;
	e->certs = xstrdup(certs && *certs ? certs : config_dir);
}

static int load_context(struct engine *e, const char *name, const char *dir)
{
	char *digest = context_digest(name);
	char *meta = xasprintf("%s/contexts/meta/%s/meta.json", dir, digest);
	char *tls = xasprintf("%s/contexts/tls/%s/docker", dir, digest);
	char *text, *ca = path_join(tls, "ca.pem"), *cert = path_join(tls, "cert.pem");
	size_t len;
	json_t *o = NULL, *ep;
	const char *host;
	int skip, ret = -1;

	text = read_docker_file(meta, &len);
	if (!text) {
		if (errno == ENOENT)
			error("docker context '%s' does not exist (no '%s')", name, meta);
		else
			error("cannot read '%s': %s", meta, read_file_strerror(errno));
		goto out;
	}
	o = json_loadb(text, len, 0, NULL);
	ep = json_object_get(json_object_get(o, "Endpoints"), "docker");
	host = json_string_value(json_object_get(ep, "Host"));
	if (!host || !*host) {
		error("docker context '%s': no docker endpoint in '%s'", name, meta);
		goto out;
	}
	e->name = xstrdup(name);
	e->url = xstrdup(host);
	e->context = 1;
	/* as the docker CLI: TLS material, or skipping verification, is TLS */
	skip = json_is_true(json_object_get(ep, "SkipTLSVerify"));
	if (starts_with(host, "tcp://") && (is_file(ca) || is_file(cert) || skip)) {
		e->tls = 1;
		e->tls_verify = !skip;
		e->certs = xstrdup(tls);
	}
	ret = parse_url(e, host);
out:
	json_decref(o);
	free(text);
	free(digest);
	free(meta);
	free(tls);
	free(ca);
	free(cert);
	return ret;
}

static int resolve(const char *spec, struct engine *e);

/*
 * The current engine, resolved once for what decides it (the variables
 * and config.json, by its size and mtime): list and prune ask it for
 * every sandbox from before engines were recorded.
 */
static struct engine current;
static char *current_key;

static char *current_engine_key(void)
{
	static const char *const vars[] = {
		"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "HOME", "DOCKER_TLS_VERIFY",
		"DOCKER_CERT_PATH", NULL
	};
	char *dir = docker_config_dir(), *path = path_join(dir, "config.json");
	struct strbuf key = STRBUF_INIT;
	size_t i;

	for (i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);

		strbuf_addf(&key, "%s=%s\n", vars[i], v ? v : "");
	}
	strbuf_add_file_id(&key, path);
	free(path);
	free(dir);
	return strbuf_detach(&key);
}

int engine_resolve(const char *spec, struct engine *e)
{
	char *key;
	int ret;

	if (spec && *spec)
		return resolve(spec, e);
	key = current_engine_key();
	if (current_key && !strcmp(current_key, key)) {
		free(key);
		engine_copy(e, &current);
		return 0;
	}
	ret = resolve(NULL, e);
	if (!ret) {
		engine_release(&current);
		engine_copy(&current, e);
		free(current_key);
		current_key = key;
	} else {
		free(key);
	}
	return ret;
}

static int resolve(const char *spec, struct engine *e)
{
	char *dir = docker_config_dir(), *ctx = NULL;
	const char *host = getenv("DOCKER_HOST"), *env_ctx = getenv("DOCKER_CONTEXT");
	int ret;

	memset(e, 0, sizeof(*e));
	if (spec && *spec) {
		if (strstr(spec, "://")) {
			e->name = xstrdup(spec);
			e->url = xstrdup(spec);
			tls_from_env(e, dir);
			ret = parse_url(e, spec);
			goto out;
		}
		if (strcmp(spec, "default")) {
			ret = load_context(e, spec, dir);
			goto out;
		}
		/* the default context: DOCKER_HOST, else the local socket */
	} else if (!(host && *host)) {
		if (env_ctx && *env_ctx && strcmp(env_ctx, "default"))
			ctx = xstrdup(env_ctx);
		else if (!(env_ctx && *env_ctx))
			ctx = config_current_context(dir);
		if (ctx) {
			ret = load_context(e, ctx, dir);
			goto out;
		}
	}
	e->url = xstrdup(host && *host ? host : ENGINE_DEFAULT_SOCKET);
	e->name = xstrdup(e->url);
	tls_from_env(e, dir);
	ret = parse_url(e, e->url);
out:
	if (ret)
		engine_release(e);
	free(ctx);
	free(dir);
	return ret;
}

int engine_from_record(const char *name, const char *certs, struct engine *e)
{
	int ret;

	if (!strstr(name, "://"))
		return engine_resolve(name, e);
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->url = xstrdup(name);
	if (certs && *certs && starts_with(name, "tcp://")) {
		e->tls = e->tls_verify = 1;
		e->certs = xstrdup(certs);
	}
	ret = parse_url(e, name);
	if (ret)
		engine_release(e);
	return ret;
}

void engine_record(const struct engine *e, const char **name, const char **certs)
{
	*name = e->name;
	*certs = !e->context && e->tls ? e->certs : NULL;
}

const char *engine_override(void)
{
	const char *o = getenv("GIT_SANDBOX_ENGINE");

	return o && *o ? o : NULL;
}

int engine_of(const char *name, const char *certs, const char *configured, struct engine *e,
	      int *chosen)
{
	if (chosen)
		*chosen = !engine_override() && (name || configured);
	if (engine_override())
		return engine_resolve(engine_override(), e);
	if (name)
		return engine_from_record(name, certs, e);
	return engine_resolve(configured, e);
}

char *engine_current_url(void)
{
	struct engine e;
	char *url;

	if (engine_resolve(NULL, &e))
		return NULL;
	url = e.url;
	e.url = NULL;
	engine_release(&e);
	return url;
}

void engine_release(struct engine *e)
{
	free(e->name);
	free(e->url);
	free(e->path);
	free(e->host);
	free(e->port);
	free(e->user);
	free(e->certs);
	free(e->address);
	free(e->base);
	memset(e, 0, sizeof(*e));
}

static int loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int engine_is_local(const struct engine *e)
{
	return e->kind == ENGINE_UNIX || (e->kind == ENGINE_TCP && loopback(e->host));
}

static void push(char ***env, size_t *n, size_t *alloc, char *s)
{
	ALLOC_GROW(*env, *n + 2, *alloc);
	(*env)[(*n)++] = s;
	(*env)[*n] = NULL;
}

size_t engine_env(const struct engine *e, char ***env, size_t *n, size_t *alloc)
{
	size_t before = *n;

	push(env, n, alloc, xasprintf("DOCKER_HOST=%s", e->url));
	push(env, n, alloc, xstrdup("DOCKER_CONTEXT"));
	/*
	 * podman (and so podman-compose) reads neither: the same URL, so
	 * that it works on the sandbox's engine too, or fails there
	 */
	push(env, n, alloc, xasprintf("CONTAINER_HOST=%s", e->url));
	push(env, n, alloc, xstrdup("CONTAINER_CONNECTION"));
	if (e->tls && e->tls_verify)
		push(env, n, alloc, xstrdup("DOCKER_TLS_VERIFY=1"));
	else
		push(env, n, alloc, xstrdup("DOCKER_TLS_VERIFY"));
	if (e->tls && e->certs)
		push(env, n, alloc, xasprintf("DOCKER_CERT_PATH=%s", e->certs));
	else
		push(env, n, alloc, xstrdup("DOCKER_CERT_PATH"));
	if (e->tls) {
		/*
		 * compose v1's HTTP library (Python requests) trusts these
		 * bundles instead of the engine's ca.pem when they are set
		 */
		push(env, n, alloc, xstrdup("REQUESTS_CA_BUNDLE"));
		push(env, n, alloc, xstrdup("CURL_CA_BUNDLE"));
	}
	/* the docker CLI turns TLS on for a DOCKER_TLS the shell may have set */
	if (e->tls && !e->tls_verify)
		push(env, n, alloc, xstrdup("DOCKER_TLS=1"));
	else
		push(env, n, alloc, xstrdup("DOCKER_TLS"));
	return *n - before;
}

static struct engine in_use;
static int in_use_state;	/* 0 not yet, 1 set, -1 the current one did not resolve */

void engine_copy(struct engine *dst, const struct engine *src)
{
	dst->name = xstrdup(src->name);
	dst->url = xstrdup(src->url);
	dst->kind = src->kind;
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->port = src->port ? xstrdup(src->port) : NULL;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->tls = src->tls;
	dst->tls_verify = src->tls_verify;
	dst->certs = src->certs ? xstrdup(src->certs) : NULL;
	dst->address = src->address ? xstrdup(src->address) : NULL;
	dst->base = src->base ? xstrdup(src->base) : NULL;
	dst->context = src->context;
}

void engine_use(const struct engine *e)
{
	struct engine copy;

	/* e may be the engine in use itself */
	engine_copy(&copy, e);
	engine_release(&in_use);
	in_use = copy;
	in_use_state = 1;
}

void engine_use_none(void)
{
	engine_release(&in_use);
	in_use_state = -1;
}

const struct engine *engine_in_use(void)
{
	if (!in_use_state)
		in_use_state = engine_resolve(NULL, &in_use) ? -1 : 1;
	return in_use_state > 0 ? &in_use : NULL;
}

void engine_set_address(struct engine *e, const char *host)
{
	if (!host || !*host)
		return;
	free(e->address);
	e->address = xstrdup(host);
}

char *engine_http_url(const struct engine *e, long port)
{
	int v6 = strchr(e->address, ':') != NULL;

	return xasprintf("http://%s%s%s:%ld/", v6 ? "[" : "", e->address, v6 ? "]" : "", port);
}
