/*
 * Unit tests for lib/engine.c (which engine, found as the docker CLI
 * finds it) and lib/api.c (one request, against a fake engine: a child
 * answering canned bytes on a unix socket).
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "api.h"
#include "docker.h"
#include "engine.h"
#include "health.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

static char tmpdir[] = "/tmp/sb-engine-XXXXXX";
static char *config_dir, *sock, *req_file;

static const char *const docker_env[] = {
	"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS",
	"GIT_SANDBOX_ENGINE",
};

static void setup(void)
{
	char *home;
	size_t i;

	strcpy(tmpdir, "/tmp/sb-engine-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	home = path_join(tmpdir, "home");
	config_dir = path_join(tmpdir, "docker");
	sock = path_join(tmpdir, "docker.sock");
	req_file = path_join(tmpdir, "request");
	ck_assert_int_eq(mkdir_p(home, 0700), 0);
	ck_assert_int_eq(mkdir_p(config_dir, 0700), 0);
	/* nothing of the shell running the tests points anywhere */
	setenv("HOME", home, 1);
	setenv("DOCKER_CONFIG", config_dir, 1);
	for (i = 0; i < ARRAY_SIZE(docker_env); i++)
		unsetenv(docker_env[i]);
	free(home);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(config_dir);
	free(sock);
	free(req_file);
}

static void write_text(const char *path, const char *text)
{
	char *dir = path_dirname(path);
	FILE *f;

	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	free(dir);
}

/* <config>/contexts/<kind>/<hex SHA-256 of name>, as the docker CLI names it */
static char *context_dir(const char *kind, const char *name)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	crypto_hash_sha256(h, (const unsigned char *)name, strlen(name));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return xasprintf("%s/contexts/%s/%s", config_dir, kind, hex);
}

/* A context of the docker CLI; tls: its TLS files ("ca.pem cert.pem key.pem"), or NULL. */
static void write_context(const char *name, const char *host, int skip_verify, const char *tls)
{
	char *meta = context_dir("meta", name), *dir = context_dir("tls", name);
	char *path = path_join(meta, "meta.json");
	char *text = xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
			       "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}",
			       name, host, skip_verify ? "true" : "false");

	write_text(path, text);
	while (tls && *tls) {
		size_t len = strcspn(tls, " ");
		char *file = xasprintf("%s/docker/%.*s", dir, (int)len, tls);

		write_text(file, "-----BEGIN CERTIFICATE-----\n");
		free(file);
		tls += len + (tls[len] == ' ');
	}
	free(text);
	free(path);
	free(meta);
	free(dir);
}

static void write_config_json(const char *text)
{
	char *path = path_join(config_dir, "config.json");

	write_text(path, text);
	free(path);
}

#define assert_str_or_null(a, b) do { \
	if (b) \
		ck_assert_str_eq((a) ? (a) : "(null)", (b)); \
	else \
		ck_assert_ptr_null(a); \
	} while (0)

/* resolve spec; the engine's kind, host, port, user (NULL: none) */
static void check_url(const char *spec, enum engine_kind kind, const char *host, const char *port,
		      const char *user)
{
	struct engine e;

	ck_assert_msg(!engine_resolve(spec, &e), "'%s' refused", spec);
	ck_assert_int_eq(e.kind, kind);
	ck_assert_str_eq(e.url, spec);
	ck_assert_str_eq(e.name, spec);
	ck_assert_int_eq(e.context, 0);
	if (kind == ENGINE_UNIX) {
		ck_assert_str_eq(e.path, host);
		ck_assert_str_eq(e.address, "localhost");
		ck_assert_ptr_null(e.host);
	} else {
		ck_assert_str_eq(e.host, host);
		ck_assert_str_eq(e.address, host);
		ck_assert_ptr_null(e.path);
	}
	assert_str_or_null(e.port, port);
	assert_str_or_null(e.user, user);
	engine_release(&e);
}

static void check_refused(const char *spec)
{
	struct engine e;

	ck_assert_msg(engine_resolve(spec, &e) == -1, "'%s' accepted", spec);
	/* nothing left to release */
	ck_assert_ptr_null(e.name);
	ck_assert_ptr_null(e.url);
	ck_assert_ptr_null(e.host);
	ck_assert_ptr_null(e.user);
}

START_TEST(test_default)
{
	struct engine e;
	char *url;

	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	ck_assert_str_eq(e.name, ENGINE_DEFAULT_SOCKET);
	ck_assert_int_eq(e.kind, ENGINE_UNIX);
	ck_assert_str_eq(e.path, "/var/run/docker.sock");
	ck_assert_str_eq(e.address, "localhost");
	ck_assert_int_eq(e.tls, 0);
	ck_assert_int_eq(e.context, 0);
	ck_assert(engine_is_local(&e));
	engine_release(&e);

	/* "" is the current engine too, and so is the context "default" */
	ck_assert_int_eq(engine_resolve("", &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	engine_release(&e);
	ck_assert_int_eq(engine_resolve("default", &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	engine_release(&e);

	/* an empty DOCKER_HOST is unset */
	setenv("DOCKER_HOST", "", 1);
	url = engine_current_url();
	ck_assert_str_eq(url, ENGINE_DEFAULT_SOCKET);
	free(url);
}
END_TEST

START_TEST(test_urls)
{
	check_url("unix:///run/user/1000/docker.sock", ENGINE_UNIX, "/run/user/1000/docker.sock",
		  NULL, NULL);
	check_url("tcp://10.0.0.5:2375", ENGINE_TCP, "10.0.0.5", "2375", NULL);
	check_url("tcp://10.0.0.5", ENGINE_TCP, "10.0.0.5", "2375", NULL);
	check_url("tcp://engine.example:12375/", ENGINE_TCP, "engine.example", "12375", NULL);
	check_url("tcp://[::1]:2375", ENGINE_TCP, "::1", "2375", NULL);
	check_url("tcp://[2001:db8::7]", ENGINE_TCP, "2001:db8::7", "2375", NULL);
	check_url("ssh://build", ENGINE_SSH, "build", NULL, NULL);
	check_url("ssh://ci@build.example", ENGINE_SSH, "build.example", NULL, "ci");
	check_url("ssh://ci@build.example:2222", ENGINE_SSH, "build.example", "2222", "ci");
	check_url("ssh://ci@[fe80::1]:22", ENGINE_SSH, "fe80::1", "22", "ci");
	check_url("tcp://h:1", ENGINE_TCP, "h", "1", NULL);
	check_url("tcp://h:65535", ENGINE_TCP, "h", "65535", NULL);
	/* the user is up to the last '@', as in a URL */
	check_url("ssh://me@corp@bastion", ENGINE_SSH, "bastion", NULL, "me@corp");

	/* a path: the API is under it (an engine behind a proxy), as for the docker CLI */
	{
		static const struct { const char *url, *base; } t[] = {
			{ "tcp://h:2375", NULL }, { "tcp://h:2375/", NULL },
			{ "tcp://h:2375/docker", "/docker" }, { "tcp://h/a/b/", "/a/b" },
			{ "tcp://[::1]:2375/x", "/x" },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(t); i++) {
			struct engine e, copy;

			ck_assert_int_eq(engine_resolve(t[i].url, &e), 0);
			assert_str_or_null(e.base, t[i].base);
			engine_copy(&copy, &e);
			assert_str_or_null(copy.base, t[i].base);
			engine_release(&copy);
			engine_release(&e);
		}
	}

	/* DOCKER_HOST names the current engine */
	setenv("DOCKER_HOST", "tcp://10.0.0.5", 1);
	{
		struct engine e;

		ck_assert_int_eq(engine_resolve(NULL, &e), 0);
		ck_assert_str_eq(e.url, "tcp://10.0.0.5");
		ck_assert_str_eq(e.host, "10.0.0.5");
		ck_assert_str_eq(e.port, "2375");
		ck_assert_int_eq(e.tls, 0);
		engine_release(&e);
	}
}
END_TEST

START_TEST(test_bad_urls)
{
	static const char *const bad[] = {
		"http://h:2375", "https://h", "npipe:////./pipe/docker_engine", "tcp:/h",
		"tcp://", "tcp://:2375", "tcp:///x", "ssh://", "ssh://ci@", "ssh://@h",
		"tcp://h:", "tcp://h:0", "tcp://h:65536", "tcp://h:x", "tcp://h:23x", "tcp://h:-1",
		"tcp://-H", "ssh://-oProxyCommand=x", "ssh://-oProxyCommand=x:22",
		"ssh://-l@h", "ssh://-oProxyCommand=x@h", "ssh://ci@-h",
		"tcp://[::1", "tcp://[::1]x", "tcp://[]:2375", "tcp://h st:2375", "ssh://h\n",
		"unix://", "unix://run/docker.sock",
		"tcp://h:+2375", "tcp://h: 2375", "tcp://h:2375 ", "tcp://h\033[31m:2375",
		"ssh://ci:secret@h", "ssh://h/path", "ssh://h:22/x", "tcp://h/x?y", "tcp://h/a b",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		check_refused(bad[i]);
	/* from DOCKER_HOST too */
	setenv("DOCKER_HOST", "http://h:2375", 1);
	check_refused(NULL);
	ck_assert_ptr_null(engine_current_url());
}
END_TEST

START_TEST(test_tls_from_env)
{
	struct engine e;

	setenv("DOCKER_TLS_VERIFY", "1", 1);
	ck_assert_int_eq(engine_resolve("tcp://h", &e), 0);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_int_eq(e.tls_verify, 1);
	ck_assert_str_eq(e.port, "2376");
	/* DOCKER_CERT_PATH defaults to the docker configuration */
	ck_assert_str_eq(e.certs, config_dir);
	engine_release(&e);

	setenv("DOCKER_CERT_PATH", "/etc/engine-certs", 1);
	setenv("DOCKER_HOST", "tcp://h:3000", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_str_eq(e.port, "3000");
	ck_assert_str_eq(e.certs, "/etc/engine-certs");
	engine_release(&e);

	/* only tcp has TLS */
	ck_assert_int_eq(engine_resolve("unix:///s", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	ck_assert_ptr_null(e.certs);
	engine_release(&e);
	ck_assert_int_eq(engine_resolve("ssh://h", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	ck_assert_ptr_null(e.port);
	engine_release(&e);

	/* set but empty: no TLS */
	setenv("DOCKER_TLS_VERIFY", "", 1);
	ck_assert_int_eq(engine_resolve("tcp://h", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	ck_assert_str_eq(e.port, "2375");
	engine_release(&e);
}
END_TEST

START_TEST(test_context_digest)
{
	/* the docker CLI's directory for a context "abc": the SHA-256 of its name */
	char *d = context_dir("meta", "abc");
	char *want = xasprintf("%s/contexts/meta/%s", config_dir,
			       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	struct engine e;

	ck_assert_str_eq(d, want);
	write_context("abc", "tcp://abc.example:2375", 0, NULL);
	ck_assert_int_eq(engine_resolve("abc", &e), 0);
	ck_assert_str_eq(e.host, "abc.example");
	engine_release(&e);
	free(d);
	free(want);
}
END_TEST

START_TEST(test_contexts)
{
	struct engine e;
	char *tls = context_dir("tls", "remote"), *certs = path_join(tls, "docker");
	const char *name, *rcerts;

	write_context("remote", "tcp://10.1.2.3", 0, "ca.pem cert.pem key.pem");
	write_context("insecure", "tcp://10.1.2.4:2376", 1, "ca.pem");
	write_context("plain", "tcp://10.1.2.5", 0, NULL);
	write_context("skip-only", "tcp://10.1.2.6", 1, NULL);
	write_context("builder", "ssh://ci@build.example", 0, NULL);
	write_context("local", "unix:///run/other.sock", 0, NULL);

	setenv("DOCKER_CONTEXT", "remote", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.name, "remote");
	ck_assert_str_eq(e.url, "tcp://10.1.2.3");
	ck_assert_int_eq(e.context, 1);
	ck_assert_int_eq(e.kind, ENGINE_TCP);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_int_eq(e.tls_verify, 1);
	/* TLS on: the default port is docker's TLS port */
	ck_assert_str_eq(e.port, "2376");
	ck_assert_str_eq(e.certs, certs);
	ck_assert(!engine_is_local(&e));
	/* a context is recorded by its name: its TLS material stays its own */
	engine_record(&e, &name, &rcerts);
	ck_assert_str_eq(name, "remote");
	ck_assert_ptr_null(rcerts);
	engine_release(&e);

	/* the shell's TLS settings are for DOCKER_HOST, not for a context */
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	setenv("DOCKER_CERT_PATH", "/elsewhere", 1);
	ck_assert_int_eq(engine_resolve("plain", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	ck_assert_ptr_null(e.certs);
	ck_assert_str_eq(e.port, "2375");
	engine_release(&e);
	unsetenv("DOCKER_TLS_VERIFY");
	unsetenv("DOCKER_CERT_PATH");

	ck_assert_int_eq(engine_resolve("insecure", &e), 0);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_int_eq(e.tls_verify, 0);
	engine_release(&e);
	/* skipping verification is TLS, even with no TLS material (the docker CLI's rule) */
	ck_assert_int_eq(engine_resolve("skip-only", &e), 0);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_int_eq(e.tls_verify, 0);
	ck_assert_str_eq(e.port, "2376");
	engine_release(&e);

	ck_assert_int_eq(engine_resolve("builder", &e), 0);
	ck_assert_int_eq(e.kind, ENGINE_SSH);
	ck_assert_str_eq(e.user, "ci");
	ck_assert_str_eq(e.host, "build.example");
	ck_assert_int_eq(e.tls, 0);
	engine_release(&e);

	ck_assert_int_eq(engine_resolve("local", &e), 0);
	ck_assert_int_eq(e.kind, ENGINE_UNIX);
	ck_assert_str_eq(e.path, "/run/other.sock");
	ck_assert(engine_is_local(&e));
	engine_release(&e);

	/* the current context of config.json, when DOCKER_CONTEXT is unset */
	unsetenv("DOCKER_CONTEXT");
	write_config_json("{\"auths\":{},\"currentContext\":\"builder\"}");
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.name, "builder");
	engine_release(&e);

	/* DOCKER_CONTEXT beats config.json; "default" is the local socket */
	setenv("DOCKER_CONTEXT", "plain", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.name, "plain");
	engine_release(&e);
	setenv("DOCKER_CONTEXT", "default", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	ck_assert_int_eq(e.context, 0);
	engine_release(&e);

	/* DOCKER_HOST beats both, as in the docker CLI */
	setenv("DOCKER_CONTEXT", "plain", 1);
	setenv("DOCKER_HOST", "tcp://from-host:2375", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.url, "tcp://from-host:2375");
	ck_assert_int_eq(e.context, 0);
	engine_release(&e);
	/* ... but not a context named outright */
	ck_assert_int_eq(engine_resolve("remote", &e), 0);
	ck_assert_str_eq(e.name, "remote");
	engine_release(&e);
	/* the context "default" is DOCKER_HOST */
	ck_assert_int_eq(engine_resolve("default", &e), 0);
	ck_assert_str_eq(e.url, "tcp://from-host:2375");
	engine_release(&e);
	unsetenv("DOCKER_HOST");

	/* currentContext "default" is no context */
	unsetenv("DOCKER_CONTEXT");
	write_config_json("{\"currentContext\":\"default\"}");
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	engine_release(&e);
	/* config.json and meta.json linked into place, as dotfile managers do */
	{
		char *cfg = path_join(config_dir, "config.json"), *real = xasprintf("%s.real", cfg);
		char *meta = context_dir("meta", "builder"), *mj = path_join(meta, "meta.json");
		char *mreal = xasprintf("%s/meta.real", config_dir);

		write_config_json("{\"currentContext\":\"builder\"}");
		ck_assert_int_eq(rename(cfg, real), 0);
		ck_assert_int_eq(symlink(real, cfg), 0);
		ck_assert_int_eq(rename(mj, mreal), 0);
		ck_assert_int_eq(symlink(mreal, mj), 0);
		ck_assert_int_eq(engine_resolve(NULL, &e), 0);
		ck_assert_str_eq(e.name, "builder");
		ck_assert_str_eq(e.host, "build.example");
		engine_release(&e);
		unlink(cfg);
		free(cfg);
		free(real);
		free(meta);
		free(mj);
		free(mreal);
	}
	/* a config.json that is not JSON: no current context */
	write_config_json("{not json");
	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	ck_assert_str_eq(e.url, ENGINE_DEFAULT_SOCKET);
	engine_release(&e);

	free(tls);
	free(certs);
}
END_TEST

START_TEST(test_context_errors)
{
	struct engine e;
	char *meta = context_dir("meta", "broken"), *path = path_join(meta, "meta.json");

	/* unknown, by name, by DOCKER_CONTEXT and by config.json */
	ck_assert_int_eq(engine_resolve("nope", &e), -1);
	setenv("DOCKER_CONTEXT", "nope", 1);
	ck_assert_int_eq(engine_resolve(NULL, &e), -1);
	ck_assert_ptr_null(engine_current_url());
	unsetenv("DOCKER_CONTEXT");
	write_config_json("{\"currentContext\":\"nope\"}");
	ck_assert_int_eq(engine_resolve(NULL, &e), -1);

	/* no docker endpoint, a meta.json that is not JSON, a bad URL */
	write_text(path, "{\"Name\":\"broken\",\"Endpoints\":{}}");
	ck_assert_int_eq(engine_resolve("broken", &e), -1);
	write_text(path, "not json");
	ck_assert_int_eq(engine_resolve("broken", &e), -1);
	write_text(path, "{\"Endpoints\":{\"docker\":{\"Host\":\"\"}}}");
	ck_assert_int_eq(engine_resolve("broken", &e), -1);
	write_context("broken", "tcp://-oops", 0, NULL);
	ck_assert_int_eq(engine_resolve("broken", &e), -1);
	ck_assert_ptr_null(e.name);
	free(meta);
	free(path);
}
END_TEST

START_TEST(test_is_local)
{
	static const struct {
		const char *url;
		int local;
	} t[] = {
		{ "unix:///var/run/docker.sock", 1 },
		{ "tcp://127.0.0.1:2375", 1 },
		{ "tcp://127.9.8.7:2375", 1 },
		{ "tcp://localhost:2375", 1 },
		{ "tcp://[::1]:2375", 1 },
		{ "tcp://10.0.0.1:2375", 0 },
		{ "tcp://[::2]:2375", 0 },
		{ "tcp://engine.example:2375", 0 },
		{ "ssh://localhost", 0 },	/* another user's engine, perhaps */
		{ "ssh://127.0.0.1", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct engine e;

		ck_assert_int_eq(engine_resolve(t[i].url, &e), 0);
		ck_assert_msg(engine_is_local(&e) == t[i].local, "%s", t[i].url);
		engine_release(&e);
	}
}
END_TEST

/* engine_env(e) appended to an entry already there: the entries it added, in one string */
static char *env_of(const struct engine *e)
{
	char **env = xcalloc(2, sizeof(*env));
	size_t n = 0, alloc = 2, added, i;
	struct strbuf sb = STRBUF_INIT;

	env[n++] = xstrdup("KEEP=1");
	added = engine_env(e, &env, &n, &alloc);
	ck_assert_uint_eq(added, n - 1);
	ck_assert_ptr_null(env[n]);
	ck_assert_str_eq(env[0], "KEEP=1");
	for (i = 1; i < n; i++)
		strbuf_addf(&sb, "%s%s", i > 1 ? " " : "", env[i]);
	free_strings(env, n);
	return strbuf_detach(&sb);
}

START_TEST(test_env)
{
	struct engine e;
	char *s, *want;

	ck_assert_int_eq(engine_resolve(NULL, &e), 0);
	s = env_of(&e);
	ck_assert_str_eq(s, "DOCKER_HOST=unix:///var/run/docker.sock DOCKER_CONTEXT "
			 "CONTAINER_HOST=unix:///var/run/docker.sock CONTAINER_CONNECTION "
			 "DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_TLS");
	free(s);
	engine_release(&e);

	ck_assert_int_eq(engine_from_record("tcp://h:2376", "/certs", &e), 0);
	s = env_of(&e);
	ck_assert_str_eq(s, "DOCKER_HOST=tcp://h:2376 DOCKER_CONTEXT CONTAINER_HOST=tcp://h:2376 "
			 "CONTAINER_CONNECTION DOCKER_TLS_VERIFY=1 "
			 "DOCKER_CERT_PATH=/certs REQUESTS_CA_BUNDLE CURL_CA_BUNDLE DOCKER_TLS");
	free(s);
	engine_release(&e);

	/* TLS without verification; a context is passed on as its URL */
	write_context("insecure", "tcp://h:2376", 1, "ca.pem");
	ck_assert_int_eq(engine_resolve("insecure", &e), 0);
	s = env_of(&e);
	want = xasprintf("DOCKER_HOST=tcp://h:2376 DOCKER_CONTEXT CONTAINER_HOST=tcp://h:2376 "
			 "CONTAINER_CONNECTION DOCKER_TLS_VERIFY "
			 "DOCKER_CERT_PATH=%s REQUESTS_CA_BUNDLE CURL_CA_BUNDLE DOCKER_TLS=1", e.certs);
	ck_assert_str_eq(s, want);
	free(want);
	free(s);
	engine_release(&e);
}
END_TEST

START_TEST(test_from_record)
{
	struct engine e;
	const char *name, *certs;

	/* the shell's TLS settings play no part in a recorded engine */
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	setenv("DOCKER_CERT_PATH", "/shell-certs", 1);
	ck_assert_int_eq(engine_from_record("tcp://rec.example", NULL, &e), 0);
	ck_assert_int_eq(e.tls, 0);
	ck_assert_str_eq(e.port, "2375");
	ck_assert_ptr_null(e.certs);
	engine_record(&e, &name, &certs);
	ck_assert_str_eq(name, "tcp://rec.example");
	ck_assert_ptr_null(certs);
	engine_release(&e);

	unsetenv("DOCKER_TLS_VERIFY");
	ck_assert_int_eq(engine_from_record("tcp://rec.example", "/rec-certs", &e), 0);
	ck_assert_int_eq(e.tls, 1);
	ck_assert_int_eq(e.tls_verify, 1);
	ck_assert_str_eq(e.port, "2376");
	ck_assert_str_eq(e.certs, "/rec-certs");
	/* recorded again as it was */
	engine_record(&e, &name, &certs);
	ck_assert_str_eq(name, "tcp://rec.example");
	ck_assert_str_eq(certs, "/rec-certs");
	engine_release(&e);

	/* certs are for tcp only; an empty one is none */
	ck_assert_int_eq(engine_from_record("ssh://rec.example", "/rec-certs", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	engine_release(&e);
	ck_assert_int_eq(engine_from_record("tcp://rec.example", "", &e), 0);
	ck_assert_int_eq(e.tls, 0);
	engine_release(&e);

	/* a record naming a context resolves it */
	write_context("remote", "tcp://10.1.2.3:2375", 0, NULL);
	ck_assert_int_eq(engine_from_record("remote", NULL, &e), 0);
	ck_assert_int_eq(e.context, 1);
	ck_assert_str_eq(e.host, "10.1.2.3");
	engine_release(&e);

	ck_assert_int_eq(engine_from_record("tcp://-x", NULL, &e), -1);
	ck_assert_ptr_null(e.url);
	ck_assert_int_eq(engine_from_record("gone", NULL, &e), -1);

	/* a recorded TLS URL, copied */
	ck_assert_int_eq(engine_from_record("tcp://[::1]:3000", "/c", &e), 0);
	{
		struct engine c;

		engine_copy(&c, &e);
		engine_release(&e);
		ck_assert_str_eq(c.url, "tcp://[::1]:3000");
		ck_assert_str_eq(c.host, "::1");
		ck_assert_str_eq(c.port, "3000");
		ck_assert_str_eq(c.certs, "/c");
		ck_assert_int_eq(c.tls_verify, 1);
		engine_release(&c);
	}
}
END_TEST

START_TEST(test_engine_of)
{
	struct engine e;
	int chosen = -1;

	setenv("DOCKER_HOST", "tcp://current:2375", 1);

	/* GIT_SANDBOX_ENGINE wins over everything */
	setenv("GIT_SANDBOX_ENGINE", "tcp://override:2375", 1);
	ck_assert_str_eq(engine_override(), "tcp://override:2375");
	ck_assert_int_eq(engine_of("tcp://rec:2375", NULL, "tcp://conf:2375", &e, &chosen), 0);
	ck_assert_str_eq(e.host, "override");
	ck_assert_int_eq(chosen, 0);
	engine_release(&e);

	/* empty is unset */
	setenv("GIT_SANDBOX_ENGINE", "", 1);
	ck_assert_ptr_null(engine_override());
	ck_assert_int_eq(engine_of("tcp://rec:2375", NULL, "tcp://conf:2375", &e, &chosen), 0);
	ck_assert_str_eq(e.host, "rec");
	ck_assert_int_eq(chosen, 1);
	engine_release(&e);

	/* a record with its certs, whatever the shell's TLS */
	unsetenv("GIT_SANDBOX_ENGINE");
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	ck_assert_int_eq(engine_of("tcp://rec", "/rec-certs", NULL, &e, NULL), 0);
	ck_assert_str_eq(e.certs, "/rec-certs");
	ck_assert_str_eq(e.port, "2376");
	engine_release(&e);
	unsetenv("DOCKER_TLS_VERIFY");

	/* no record: the configured engine */
	ck_assert_int_eq(engine_of(NULL, NULL, "tcp://conf:2375", &e, &chosen), 0);
	ck_assert_str_eq(e.host, "conf");
	ck_assert_int_eq(chosen, 1);
	engine_release(&e);

	/* nothing: the current one, not chosen */
	ck_assert_int_eq(engine_of(NULL, NULL, NULL, &e, &chosen), 0);
	ck_assert_str_eq(e.host, "current");
	ck_assert_int_eq(chosen, 0);
	engine_release(&e);

	/* an override that does not resolve is an error, not a fallback */
	setenv("GIT_SANDBOX_ENGINE", "nope", 1);
	ck_assert_int_eq(engine_of("tcp://rec:2375", NULL, NULL, &e, &chosen), -1);
}
END_TEST

START_TEST(test_http_url)
{
	static const struct {
		const char *url, *host, *want;
	} t[] = {
		{ "unix:///var/run/docker.sock", NULL, "http://localhost:8080/" },
		{ "tcp://10.0.0.5:2375", NULL, "http://10.0.0.5:8080/" },
		{ "tcp://[2001:db8::7]:2375", NULL, "http://[2001:db8::7]:8080/" },
		{ "ssh://ci@[fe80::1]", NULL, "http://[fe80::1]:8080/" },
		{ "ssh://ci@tunnel", "127.0.0.1", "http://127.0.0.1:8080/" },
		{ "ssh://ci@tunnel", "::1", "http://[::1]:8080/" },
		{ "tcp://10.0.0.5:2375", "", "http://10.0.0.5:8080/" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct engine e;
		char *url;

		ck_assert_int_eq(engine_resolve(t[i].url, &e), 0);
		engine_set_address(&e, t[i].host);
		url = engine_http_url(&e, 8080);
		ck_assert_str_eq(url, t[i].want);
		free(url);
		engine_release(&e);
	}
}
END_TEST

/*
 * The fake engine: a child listening on sock that takes one connection,
 * reads the request (saved in req_file, before any answer), then writes
 * each part of the answer a little apart (so that they arrive in several
 * reads), then hangs up, or with stay keeps the connection open. With big
 * set it answers instead with a body of no length (it runs to the end)
 * just over API_MAX_BODY.
 */
struct fake {
	const char *const *parts;
	int stay;
	int big;
	int trickle;	/* after the parts, a byte every 20ms, for ever */
};

static void save_request(int c)
{
	struct strbuf req = STRBUF_INIT;
	char buf[4096];
	const char *end;
	FILE *f;

	for (;;) {
		ssize_t r = read(c, buf, sizeof(buf));

		if (r <= 0)
			break;
		strbuf_add(&req, buf, r);
		end = strstr(req.buf, "\r\n\r\n");
		if (end) {
			const char *cl = strcasestr(req.buf, "\r\nContent-Length: ");
			size_t want = end + 4 - req.buf;

			if (cl && cl < end)
				want += strtoul(cl + 18, NULL, 10);
			if (req.len >= want)
				break;
		}
	}
	f = fopen(req_file, "w");
	if (f) {
		fwrite(req.buf, 1, req.len, f);
		fclose(f);
	}
	strbuf_release(&req);
}

static void send_big(int c)
{
	static char block[1 << 20];
	const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
	long sent;

	memset(block, ' ', sizeof(block));
	if (send(c, head, strlen(head), MSG_NOSIGNAL) < 0)
		return;
	for (sent = 0; sent <= API_MAX_BODY; sent += sizeof(block))
		if (send(c, block, sizeof(block), MSG_NOSIGNAL) < 0)
			return;
}

static pid_t fake_engine(const struct fake *how)
{
	struct sockaddr_un sa = { 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	strcpy(sa.sun_path, sock);
	unlink(sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		int c;
		size_t i;

		/* a test that fails half-way leaves no fake engine behind */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			_exit(1);
		save_request(c);
		if (how->big) {
			send_big(c);
		} else {
			for (i = 0; how->parts && how->parts[i]; i++) {
				if (i)
					usleep(30000);
				if (send(c, how->parts[i], strlen(how->parts[i]), MSG_NOSIGNAL) < 0)
					break;
			}
		}
		while (how->trickle && send(c, " ", 1, MSG_NOSIGNAL) == 1)
			usleep(20000);
		if (!how->stay)
			close(c);
		/* killed by the test: no exit handler of the test runs here */
		for (;;)
			pause();
	}
	close(fd);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static char *request_seen(void)
{
	size_t len;
	char *s = read_file(req_file, &len);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* method path body on the fake engine answering as how */
static int ask(const struct fake *how, const char *method, const char *path, const char *body,
	       int *status, json_t **out, struct strbuf *why)
{
	struct engine e;
	char *url = xasprintf("unix://%s", sock);
	pid_t pid = fake_engine(how);
	int ret;

	ck_assert_int_eq(engine_resolve(url, &e), 0);
	ret = api_request(&e, method, path, body, status, out, why);
	stop(pid);
	engine_release(&e);
	free(url);
	return ret;
}

START_TEST(test_api_base)
{
	static const char *const parts[] = { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", NULL };
	struct fake how = { parts, 0, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	struct engine e;
	char *url = xasprintf("unix://%s", sock), *req;
	pid_t pid = fake_engine(&how);
	json_t *o;
	int status;

	/* the path of a tcp:// URL comes before every request's */
	ck_assert_int_eq(engine_resolve(url, &e), 0);
	e.base = xstrdup("/proxied/docker");
	ck_assert_int_eq(api_request(&e, "GET", "/_ping", NULL, &status, &o, &why), DOCKER_OK);
	stop(pid);
	req = request_seen();
	ck_assert(starts_with(req, "GET /proxied/docker/_ping HTTP/1.1\r\n"));
	json_decref(o);
	free(req);
	free(url);
	engine_release(&e);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_length)
{
	static const char *const parts[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 26\r\n",
		"Api-Version: 1.45\r\n\r\n{\"Id\":\"c1\",",
		"\"Names\":[\"/x\"]}",
		NULL,
	};
	struct fake how = { parts, 1, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	json_t *o;
	int status;
	char *req;

	/* answered in full: no need to wait for the engine to hang up */
	ck_assert_int_eq(ask(&how, "GET", "/containers/c1/json", NULL, &status, &o, &why),
			 DOCKER_OK);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(o, "Id")), "c1");
	ck_assert_str_eq(why.buf, "");
	json_decref(o);

	req = request_seen();
	ck_assert(starts_with(req, "GET /containers/c1/json HTTP/1.1\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\nHost: docker\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\nConnection: close\r\n"));
	ck_assert_ptr_null(strstr(req, "Content-Length"));
	ck_assert(strlen(req) > 4 && !strcmp(req + strlen(req) - 4, "\r\n\r\n"));
	free(req);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_body_sent)
{
	static const char *const parts[] = {
		"HTTP/1.1 201 Created\r\nContent-Length: 12\r\n\r\n{\"Id\":\"n1\"}\n", NULL,
	};
	struct fake how = { parts, 0, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	const char *body = "{\"Name\":\"demo_default\",\"Labels\":{\"k\":\"v\"}}";
	char *req, *want;
	json_t *o;
	int status;

	ck_assert_int_eq(ask(&how, "POST", "/networks/create", body, &status, &o, &why),
			 DOCKER_OK);
	ck_assert_int_eq(status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(o, "Id")), "n1");
	json_decref(o);

	req = request_seen();
	ck_assert(starts_with(req, "POST /networks/create HTTP/1.1\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\nHost: docker\r\n"));
	ck_assert_ptr_nonnull(strstr(req, "\r\nContent-Type: application/json\r\n"));
	want = xasprintf("\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	ck_assert_ptr_nonnull(strstr(req, want));
	/* the body ends the request */
	ck_assert_str_eq(strstr(req, "\r\n\r\n") + 4, body);
	free(want);
	free(req);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_chunked)
{
	static const char *const parts[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"5\r\n[1, 2",
		"\r\n",
		"3\r\n, 3\r\n1",
		"\r\n]\r\n",
		"0\r\n\r\n",
		NULL,
	};
	struct fake how = { parts, 1, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	json_t *o;
	int status;

	ck_assert_int_eq(ask(&how, "GET", "/volumes", NULL, &status, &o, &why), DOCKER_OK);
	ck_assert_int_eq(status, 200);
	ck_assert(json_is_array(o));
	ck_assert_uint_eq(json_array_size(o), 3);
	ck_assert_int_eq(json_integer_value(json_array_get(o, 2)), 3);
	json_decref(o);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_close_delimited)
{
	static const char *const parts[] = {
		"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Version\":",
		"\"27.1.1\"}",
		NULL,
	};
	static const char *const empty[] = { "HTTP/1.1 204 No Content\r\n\r\n", NULL };
	static const char *const not_json[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", NULL,
	};
	struct fake how = { parts, 0, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	json_t *o;
	int status;

	ck_assert_int_eq(ask(&how, "GET", "/version", NULL, &status, &o, &why), DOCKER_OK);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(o, "Version")), "27.1.1");
	json_decref(o);

	/* no body, kept open: a 204 is complete at its headers */
	how.parts = empty;
	how.stay = 1;
	ck_assert_int_eq(ask(&how, "POST", "/containers/c1/stop", NULL, &status, &o, &why),
			 DOCKER_OK);
	ck_assert_int_eq(status, 204);
	ck_assert_ptr_null(o);

	/* a body that is not JSON: an answer all the same, without JSON */
	how.parts = not_json;
	ck_assert_int_eq(ask(&how, "GET", "/_ping", NULL, &status, &o, &why), DOCKER_OK);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_null(o);
	ck_assert_str_eq(why.buf, "");
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_error_status)
{
	static const char *const parts[] = {
		"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
		"Content-Length: 39\r\n\r\n{\"message\":\"No such container: nope\"}\r\n",
		NULL,
	};
	struct fake how = { parts, 0, 0, 0 };
	struct strbuf why = STRBUF_INIT;
	json_t *o;
	int status;

	/* an answer, whatever its status: the caller judges it */
	ck_assert_int_eq(ask(&how, "DELETE", "/containers/nope?force=1", NULL, &status, &o, &why),
			 DOCKER_OK);
	ck_assert_int_eq(status, 404);
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
			 "No such container: nope");
	json_decref(o);
	strbuf_release(&why);
}
END_TEST

/* ask how, which must fail: its reason contains want */
static void ask_fails(const struct fake *how, const char *want)
{
	struct strbuf why = STRBUF_INIT;
	json_t *o = (json_t *)&o;
	int status = -1;

	ck_assert_int_eq(ask(how, "GET", "/info", NULL, &status, &o, &why), DOCKER_UNREACHABLE);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_null(o);
	ck_assert_msg(strstr(why.buf, want) != NULL, "'%s' does not say '%s'", why.buf, want);
	/* the engine is named */
	ck_assert_msg(strstr(why.buf, sock) != NULL, "'%s' does not name the engine", why.buf);
	strbuf_release(&why);
}

START_TEST(test_api_garbage)
{
	static const char *const garbage[] = { "SSH-2.0-OpenSSH_9.2\r\n", NULL };
	static const char *const bad_status[] = { "HTTP/1.1 2x0 OK\r\n\r\n", NULL };
	static const char *const bad_chunk[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", NULL,
	};
	static const char *const bad_length[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", NULL,
	};
	struct fake how = { garbage, 1, 0, 0 };

	ask_fails(&how, "not an HTTP answer");
	how.parts = bad_status;
	ask_fails(&how, "not an HTTP answer");
	how.parts = bad_chunk;
	ask_fails(&how, "not an HTTP answer");
	how.parts = bad_length;
	ask_fails(&how, "not an HTTP answer");
}
END_TEST

START_TEST(test_api_cut_short)
{
	static const char *const nothing[] = { NULL };
	static const char *const half_head[] = { "HTTP/1.1 200 OK\r\nContent-Le", NULL };
	static const char *const half_body[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":", NULL,
	};
	static const char *const half_chunks[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", NULL,
	};
	struct fake how = { nothing, 0, 0, 0 };

	/* hung up before a byte of the answer */
	ask_fails(&how, "cut short");
	how.parts = half_head;
	ask_fails(&how, "cut short");
	how.parts = half_body;
	ask_fails(&how, "cut short");
	how.parts = half_chunks;
	ask_fails(&how, "cut short");
}
END_TEST

START_TEST(test_api_too_big)
{
	static const char *const huge[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n[", NULL,
	};
	static const char *const huge_chunk[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000001\r\n[", NULL,
	};
	struct fake how = { huge, 1, 0, 0 };

	ck_assert_int_eq(API_MAX_BODY, 67108864);
	/* refused at its length: nothing waits for 64 MiB that may never come */
	ask_fails(&how, "larger than");
	how.parts = huge_chunk;
	ask_fails(&how, "larger than");
	/* no length to tell: refused once it has read too much */
	how.parts = NULL;
	how.big = 1;
	ask_fails(&how, "larger than");
}
END_TEST

START_TEST(test_api_unreachable)
{
	struct engine e;
	struct strbuf why = STRBUF_INIT;
	char *url = xasprintf("unix://%s", sock);
	struct sockaddr_un sa = { 0 };
	json_t *o;
	int status, fd;

	/* no socket */
	ck_assert_int_eq(engine_resolve(url, &e), 0);
	ck_assert_int_eq(api_request(&e, "GET", "/_ping", NULL, &status, &o, &why),
			 DOCKER_UNREACHABLE);
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(why.buf, sock));
	ck_assert_ptr_nonnull(strstr(why.buf, strerror(ENOENT)));

	/* a socket nobody listens on */
	strbuf_reset(&why);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(api_request(&e, "GET", "/_ping", NULL, &status, &o, &why),
			 DOCKER_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(why.buf, strerror(ECONNREFUSED)));
	engine_release(&e);
	free(url);

	/* a path too long for a socket */
	strbuf_reset(&why);
	url = xasprintf("unix:///%0200d", 0);
	ck_assert_int_eq(engine_resolve(url, &e), 0);
	ck_assert_int_eq(api_request(&e, "GET", "/_ping", NULL, &status, &o, &why),
			 DOCKER_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(why.buf, "too long"));
	engine_release(&e);
	free(url);

	/* tcp: a port nobody listens on */
	strbuf_reset(&why);
	{
		struct sockaddr_in in = { 0 };
		socklen_t len = sizeof(in);
		int t = socket(AF_INET, SOCK_STREAM, 0);

		in.sin_family = AF_INET;
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ck_assert_int_eq(bind(t, (struct sockaddr *)&in, sizeof(in)), 0);
		getsockname(t, (struct sockaddr *)&in, &len);
		close(t);
		url = xasprintf("tcp://127.0.0.1:%d", ntohs(in.sin_port));
	}
	ck_assert_int_eq(engine_resolve(url, &e), 0);
	ck_assert_int_eq(api_request(&e, "GET", "/_ping", NULL, &status, &o, &why),
			 DOCKER_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(why.buf, strerror(ECONNREFUSED)));
	engine_release(&e);
	free(url);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_api_deadline)
{
	static const char *const head[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n[", NULL,
	};
	struct fake silent = { NULL, 1, 0, 0 }, slow = { head, 1, 0, 1 };
	struct strbuf why = STRBUF_INIT;
	json_t *o;
	int status;
	long t0;

	api_set_timeout(600);
	/* an engine that takes the request and never answers */
	t0 = monotonic_ms();
	ck_assert_int_eq(ask(&silent, "GET", "/_ping", NULL, &status, &o, &why), DOCKER_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(why.buf, "no answer: timed out"));
	ck_assert_int_lt(monotonic_ms() - t0, 5000);
	/* one that answers a byte at a time: each read is quick, the whole is not */
	strbuf_reset(&why);
	t0 = monotonic_ms();
	ck_assert_int_eq(ask(&slow, "GET", "/_ping", NULL, &status, &o, &why), DOCKER_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(why.buf, "timed out"));
	ck_assert_int_lt(monotonic_ms() - t0, 5000);
	ck_assert_ptr_null(o);
	api_set_timeout(0);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_answer_bytewise)
{
	static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4\r\n[1,2\r\n2\r\n,3\r\n1\r\n]\r\n0\r\n\r\n";
	struct strbuf why = STRBUF_INIT;
	struct api_answer a;
	json_t *o;
	size_t i;

	/* one byte at a time: complete at the last one, and not before */
	api_answer_init(&a);
	for (i = 0; i + 1 < strlen(text); i++)
		ck_assert_int_eq(api_answer_feed(&a, text + i, 1, &why), 0);
	ck_assert_int_eq(api_answer_feed(&a, text + i, 1, &why), 1);
	/* what follows the answer is not read */
	ck_assert_int_eq(api_answer_feed(&a, "HTTP/1.1 500 x\r\n", 16, &why), 1);
	ck_assert_int_eq(api_answer_end(&a, &why), 1);
	ck_assert_int_eq(a.parser.status_code, 200);
	o = api_answer_json(&a);
	ck_assert_uint_eq(json_array_size(o), 3);
	json_decref(o);
	ck_assert_str_eq(why.buf, "");
	api_answer_release(&a);

	/* a body without a length is complete at the end, and not before */
	api_answer_init(&a);
	ck_assert_int_eq(api_answer_feed(&a, "HTTP/1.1 200 OK\r\n\r\n\"x\"", 22, &why), 0);
	ck_assert_ptr_null(api_answer_json(&a));
	ck_assert_int_eq(api_answer_end(&a, &why), 1);
	o = api_answer_json(&a);
	ck_assert_str_eq(json_string_value(o), "x");
	json_decref(o);
	api_answer_release(&a);

	/* nothing at all */
	api_answer_init(&a);
	ck_assert_int_eq(api_answer_end(&a, &why), -1);
	ck_assert_str_eq(why.buf, "the answer was cut short");
	api_answer_release(&a);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_escape)
{
	struct strbuf sb = STRBUF_INIT;

	api_escape(&sb, "");
	ck_assert_str_eq(sb.buf, "");
	api_escape(&sb, "AZaz09-._~");
	ck_assert_str_eq(sb.buf, "AZaz09-._~");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "/containers/json?filters=");
	api_escape(&sb, "{\"label\":[\"a=b c\"]}");
	ck_assert_str_eq(sb.buf, "/containers/json?filters=%7B%22label%22%3A%5B%22a%3Db%20c%22%5D%7D");
	strbuf_reset(&sb);
	api_escape(&sb, "a/b?c#d&e+f%g\r\n\x01\x7f");
	ck_assert_str_eq(sb.buf, "a%2Fb%3Fc%23d%26e%2Bf%25g%0D%0A%01%7F");
	strbuf_reset(&sb);
	/* bytes above 127 each escaped: UTF-8 as URLs want it */
	api_escape(&sb, "caf\xc3\xa9");
	ck_assert_str_eq(sb.buf, "caf%C3%A9");
	strbuf_release(&sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	TCase *api = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_urls);
	tcase_add_test(tc, test_bad_urls);
	tcase_add_test(tc, test_tls_from_env);
	tcase_add_test(tc, test_context_digest);
	tcase_add_test(tc, test_contexts);
	tcase_add_test(tc, test_context_errors);
	tcase_add_test(tc, test_is_local);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_from_record);
	tcase_add_test(tc, test_engine_of);
	tcase_add_test(tc, test_http_url);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(api, setup, teardown);
	/* the big answer takes a while under valgrind */
	tcase_set_timeout(api, 60);
	tcase_add_test(api, test_api_length);
	tcase_add_test(api, test_api_base);
	tcase_add_test(api, test_api_body_sent);
	tcase_add_test(api, test_api_chunked);
	tcase_add_test(api, test_api_close_delimited);
	tcase_add_test(api, test_api_error_status);
	tcase_add_test(api, test_api_garbage);
	tcase_add_test(api, test_api_cut_short);
	tcase_add_test(api, test_api_too_big);
	tcase_add_test(api, test_api_unreachable);
	tcase_add_test(api, test_api_deadline);
	tcase_add_test(api, test_answer_bytewise);
	tcase_add_test(api, test_escape);
	suite_add_tcase(s, api);
	return run_suite(s);
}
