/*
 * Unit tests of lib/op.c, lib/secretcache.c and lib/secrets.c against t/op,
 * the stand-in for
 * the 1Password CLI. Run from the top of the source tree (or set
 * GIT_SANDBOX_TEST_T to the absolute path of t/): every test gets fresh
 * XDG_CONFIG_HOME, XDG_CACHE_HOME and OP_FAKE_DIR in a temporary directory
 * and PATH with t/ first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "config.h"
#include "op.h"
#include "run.h"
#include "secretcache.h"
#include "secrets.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

#define DB_SECRET "s3cr3t-db-\"pass\"\\word"
#define API_SECRET "tok_0123456789abcdef"

static char tmp[PATH_MAX];
static char t_dir[PATH_MAX];
static struct secret_def defs[3];
static struct sb_config cfg;

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static void run_ok(const char *const *argv)
{
	struct child c = CHILD_INIT;

	c.argv = argv;
	ck_assert_int_eq(run_command(&c), 0);
}

/* op --fake-put <vault> <item> <label=value>... */
static void fake_put(const char *vault, const char *item, const char *f1, const char *f2)
{
	const char *argv[] = { "op", "--fake-put", vault, item, f1, f2, NULL };

	run_ok(argv);
}

static void touch(const char *name)
{
	char *p = tmp_path(name);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
	free(p);
}

static void rm_file(const char *name)
{
	char *p = tmp_path(name);

	ck_assert_int_eq(unlink(p), 0);
	free(p);
}

static int op_calls(void)
{
	char *p = tmp_path("op.log");
	size_t len, i;
	char *s = read_file(p, &len);
	int n = 0;

	free(p);
	if (!s)
		return 0;
	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

/* everything written to stderr so far (stderr goes to a file) */
static char *err_text(void)
{
	char *p = tmp_path("stderr"), *s;
	size_t len;

	fflush(stderr);
	s = read_file(p, &len);
	free(p);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_err_has(const char *want)
{
	char *s = err_text();

	ck_assert_msg(strstr(s, want), "stderr lacks '%s':\n%s", want, s);
	free(s);
}

static void clear_err(void)
{
	char *p = tmp_path("stderr");

	fflush(stderr);
	ck_assert_int_eq(truncate(p, 0), 0);
	free(p);
}

static int mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* PATH as the suite started: tests change it, and CK_FORK=no keeps the change */
static char *orig_path;

static void setup(void)
{
	const char *t = getenv("GIT_SANDBOX_TEST_T");
	char *p, *path;
	int fd;

	if (!orig_path)
		orig_path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

	if (t)
		snprintf(t_dir, sizeof(t_dir), "%s", t);
	else if (!realpath("t", t_dir))
		ck_abort_msg("run from the top of the source tree or set GIT_SANDBOX_TEST_T");
	p = xasprintf("%s/op", t_dir);
	ck_assert_msg(!access(p, X_OK), "no executable '%s'", p);
	free(p);

	snprintf(tmp, sizeof(tmp), "%s/sb-secrets.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	setenv("XDG_CONFIG_HOME", p = tmp_path("config"), 1);
	free(p);
	setenv("XDG_CACHE_HOME", p = tmp_path("cache"), 1);
	free(p);
	setenv("XDG_STATE_HOME", p = tmp_path("state"), 1);
	free(p);
	setenv("OP_FAKE_DIR", p = tmp_path("op"), 1);
	free(p);
	setenv("OP_FAKE_LOG", p = tmp_path("op.log"), 1);
	free(p);
	unsetenv("OP_FAKE_DELAY");
	unsetenv("GIT_SANDBOX_OP_TIMEOUT");
	unsetenv("GIT_SANDBOX_TRACE");
	path = xasprintf("%s:%s", t_dir, orig_path);
	setenv("PATH", path, 1);
	free(path);

	/* O_APPEND, so that clear_err() can truncate it under us */
	p = tmp_path("stderr");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	free(p);

	fake_put("Private", "sandbox-dev", "db_password=" DB_SECRET, "api_token=" API_SECRET);

	memset(&cfg, 0, sizeof(cfg));
	defs[0] = (struct secret_def){ "db_password", "DB_PASSWORD", "localdev", ORIGIN_PROJECT };
	defs[1] = (struct secret_def){ "api_token", "API_TOKEN", NULL, ORIGIN_PROJECT };
	cfg.secrets_item = "sandbox-dev";
	cfg.secrets_vault = "Private";
	cfg.secrets_account = NULL;
	cfg.secrets_ttl = 3600;
	cfg.secrets = defs;
	cfg.nsecrets = 2;
}

static void teardown(void)
{
	const char *argv[] = { "/bin/rm", "-rf", tmp, NULL };

	run_ok(argv);
}

static void assert_values(const struct secret_set *s)
{
	ck_assert_uint_eq(s->nr, 2);
	ck_assert_str_eq(s->v[0].name, "db_password");
	ck_assert_str_eq(s->v[0].var, "DB_PASSWORD");
	ck_assert_str_eq(s->v[0].value, DB_SECRET);
	ck_assert_str_eq(s->v[1].name, "api_token");
	ck_assert_str_eq(s->v[1].var, "API_TOKEN");
	ck_assert_str_eq(s->v[1].value, API_SECRET);
}

/* load, expect success, and that it made `calls` op calls in all so far */
static void load_ok(int flags, const char *source, int calls)
{
	struct secret_set s;

	ck_assert_int_eq(secrets_load(&cfg, flags, &s), 0);
	ck_assert_str_eq(s.source, source);
	assert_values(&s);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), calls);
}

static void load_fails(const char *message)
{
	struct secret_set s;

	ck_assert_int_eq(secrets_load(&cfg, 0, &s), -1);
	ck_assert_uint_eq(s.nr, 0);
	assert_err_has(message);
}

static char *read_whole(const char *path, size_t *len)
{
	char *s = read_file(path, len);

	ck_assert_msg(s != NULL, "cannot read '%s'", path);
	return s;
}

static void write_whole(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_round_trip)
{
	struct secret_set s;
	char *log, *p = tmp_path("op.log");
	size_t len;

	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "1password");
	assert_values(&s);
	ck_assert(s.fetched_at > 0 && s.fetched_at <= time(NULL));
	secret_set_free(&s);
	log = read_whole(p, &len);
	ck_assert_str_eq(log, "op item get sandbox-dev --vault Private --format json\n");
	free(log);
	free(p);

	load_ok(0, "cache", 1);
	load_ok(0, "cache", 1);
	assert_err_has("fetching secrets from 1Password item 'sandbox-dev'");
}
END_TEST

START_TEST(test_no_core_dumps)
{
	struct rlimit rl;

	load_ok(0, "1password", 1);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
}
END_TEST

START_TEST(test_account_flag)
{
	struct secret_set s;
	char *log, *p = tmp_path("op.log");
	size_t len;

	cfg.secrets_account = "my.1password.com";
	cfg.secrets_vault = NULL;
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	secret_set_free(&s);
	log = read_whole(p, &len);
	ck_assert_str_eq(log, "op item get sandbox-dev --account my.1password.com --format json\n");
	free(log);
	free(p);
}
END_TEST

START_TEST(test_refresh)
{
	load_ok(0, "1password", 1);
	load_ok(SECRETS_REFRESH, "1password", 2);
	load_ok(0, "cache", 2);
}
END_TEST

START_TEST(test_ttl_zero)
{
	cfg.secrets_ttl = 0;
	load_ok(0, "1password", 1);
	load_ok(0, "1password", 2);
}
END_TEST

/*
 * Write a cache by the format's description, independently of secretcache.c:
 * the key from the key file, the identity "account\0vault\0item".
 */
static void craft_cache(long long t, const char *db_value, int version)
{
	unsigned char key[32], ad[64], pt[256], out[512], *p = pt;
	const char *id = "\0Private\0sandbox-dev";
	size_t idlen = 1 + 7 + 1 + 11, i;
	const char *kv[] = { "db_password", db_value, "api_token", API_SECRET };
	unsigned long long ctlen;
	char *kp = secrets_key_path(), *cp = secrets_cache_path(&cfg), *k;
	size_t klen;

	k = read_whole(kp, &klen);
	ck_assert_uint_eq(klen, 32);
	memcpy(key, k, 32);
	free(k);
	for (i = 0; i < 8; i++)
		*p++ = (unsigned long long)t >> (56 - 8 * i);
	*p++ = 0, *p++ = 0, *p++ = 0, *p++ = 2;
	for (i = 0; i < 4; i++) {
		size_t n = strlen(kv[i]);

		*p++ = 0, *p++ = 0, *p++ = n >> 8, *p++ = n;
		memcpy(p, kv[i], n);
		p += n;
	}
	memcpy(ad, "GSBXSEC", 7);
	ad[7] = version;
	memcpy(ad + 8, id, idlen);
	memcpy(out, ad, 8);
	randombytes_buf(out + 8, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 32, &ctlen, pt, p - pt, ad, 8 + idlen,
						   NULL, out + 8, key);
	write_whole(cp, out, 32 + ctlen);
	free(kp);
	free(cp);
	/* no record of the latest write: taken as one from before the record */
	kp = tmp_path("state/git-sandbox/secrets-latest");
	unlink(kp);
	free(kp);
}

START_TEST(test_only_the_latest)
{
	struct secret_set s;
	char *cp, *old;
	size_t len;

	load_ok(0, "1password", 1);
	cp = secrets_cache_path(&cfg);
	old = read_whole(cp, &len);
	load_ok(SECRETS_REFRESH, "1password", 2);
	/* the earlier write, put back: it authenticates, and is refused */
	write_whole(cp, old, len);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "1password");
	ck_assert_int_eq(op_calls(), 3);
	secret_set_free(&s);
	/* what that fetch wrote is the latest, and taken */
	load_ok(0, "cache", 3);
	free(old);
	free(cp);
}
END_TEST

START_TEST(test_format_and_old_timestamp)
{
	struct secret_set s;

	load_ok(0, "1password", 1);

	/* a cache written to the documented format is read back */
	craft_cache(time(NULL) - 10, "crafted", 1);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "cache");
	ck_assert_str_eq(s.v[0].value, "crafted");
	ck_assert_int_eq(s.fetched_at, time(NULL) - 10);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 1);

	/* older than the ttl: ask again */
	craft_cache(time(NULL) - 7200, "crafted", 1);
	load_ok(0, "1password", 2);

	/* from the future (the clock went back): ask again */
	craft_cache(time(NULL) + 7200, "crafted", 1);
	load_ok(0, "1password", 3);

	/* an unknown version is refused before decryption */
	clear_err();
	craft_cache(time(NULL), "crafted", 2);
	load_ok(0, "1password", 4);
	assert_err_has("unknown format version 2");
}
END_TEST

static void tamper_at(long off)
{
	char *p = secrets_cache_path(&cfg), *d;
	size_t len;

	d = read_whole(p, &len);
	d[off < 0 ? (long)len + off : off] ^= 0x01;
	write_whole(p, d, len);
	free(d);
	free(p);
}

START_TEST(test_tampered)
{
	static const long offsets[] = { 0, 6, 7, 8, 31, 32, 40, -17, -1 };
	char *path = secrets_cache_path(&cfg), *want = xasprintf("warning: ignoring the secrets cache '%s': ", path);
	size_t i;

	load_ok(0, "1password", 1);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		clear_err();
		tamper_at(offsets[i]);
		load_ok(0, "1password", 2 + i);
		assert_err_has(want);
		/* the rewritten cache is good again */
		load_ok(0, "cache", 2 + i);
	}
	free(want);
	free(path);
}
END_TEST

START_TEST(test_truncated)
{
	static const size_t sizes[] = { 0, 5, 8, 31, 47, 60 };
	char *p = secrets_cache_path(&cfg), *d;
	size_t len, i;

	load_ok(0, "1password", 1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		d = read_whole(p, &len);
		ck_assert_uint_gt(len, sizes[i]);
		ck_assert_int_eq(truncate(p, sizes[i]), 0);
		free(d);
		clear_err();
		load_ok(0, "1password", 2 + i);
		assert_err_has("warning: ignoring the secrets cache");
	}
	/* one byte short */
	d = read_whole(p, &len);
	ck_assert_int_eq(truncate(p, len - 1), 0);
	free(d);
	clear_err();
	load_ok(0, "1password", 2 + i);
	assert_err_has("does not authenticate");
	free(p);
}
END_TEST

START_TEST(test_other_key)
{
	unsigned char key[32];
	char *kp = secrets_key_path();

	load_ok(0, "1password", 1);
	randombytes_buf(key, sizeof(key));
	write_whole(kp, key, sizeof(key));
	clear_err();
	load_ok(0, "1password", 2);
	assert_err_has("does not authenticate");
	load_ok(0, "cache", 2);
	free(kp);
}
END_TEST

START_TEST(test_identity_swapped)
{
	struct secret_set s;
	char *a, *b, *d;
	size_t len;

	fake_put("Private", "other", "db_password=other-db", "api_token=other-api");
	load_ok(0, "1password", 1);
	a = secrets_cache_path(&cfg);
	cfg.secrets_item = "other";
	b = secrets_cache_path(&cfg);
	ck_assert_str_ne(a, b);
	d = read_whole(a, &len);
	write_whole(b, d, len);
	free(d);
	clear_err();
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "1password");
	ck_assert_str_eq(s.v[0].value, "other-db");
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 2);
	assert_err_has("does not authenticate");

	/* the vault and account are part of the identity too */
	cfg.secrets_item = "sandbox-dev";
	cfg.secrets_vault = NULL;
	ck_assert_str_ne(a, d = secrets_cache_path(&cfg));
	free(d);
	cfg.secrets_account = "x";
	cfg.secrets_vault = "Private";
	ck_assert_str_ne(a, d = secrets_cache_path(&cfg));
	free(d);
	free(a);
	free(b);
}
END_TEST

/* the container alone: what is written is read back, by its item only, with no op call */
START_TEST(test_cache_container)
{
	unsigned char key[SECRETCACHE_KEY_LEN];
	struct op_fields f = OP_FIELDS_INIT, back = OP_FIELDS_INIT;
	struct secretcache c, other;
	long long t = 0;
	char *why = NULL;

	ck_assert_int_eq(secretcache_crypto_init(), 0);
	ck_assert_int_eq(secretcache_read_key(key, 0, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "there is no secrets key"));
	free(why);
	why = NULL;
	ck_assert_int_eq(secretcache_load_key(key), 0);
	secretcache_init(&c, &cfg);
	ck_assert_int_eq(secretcache_read(&c, key, &t, &back, &why), 0);

	op_fields_add(&f, "db_password", DB_SECRET);
	op_fields_add(&f, "api_token", API_SECRET);
	ck_assert_int_eq(secretcache_write(&c, key, 1234567890123LL, &f), 0);
	ck_assert_int_eq(secretcache_read(&c, key, &t, &back, &why), 1);
	ck_assert_int_eq(t, 1234567890123LL);
	ck_assert_uint_eq(back.nr, 2);
	ck_assert_str_eq(op_fields_get(&back, "db_password"), DB_SECRET);
	ck_assert_str_eq(op_fields_get(&back, "api_token"), API_SECRET);
	op_fields_clear(&back);

	/* the same bytes under another item's identity do not authenticate */
	cfg.secrets_item = "other";
	secretcache_init(&other, &cfg);
	free(other.path);
	other.path = xstrdup(c.path);
	ck_assert_int_eq(secretcache_read(&other, key, &t, &back, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "does not authenticate"));
	ck_assert_uint_eq(back.nr, 0);
	free(why);

	sodium_memzero(key, sizeof(key));
	op_fields_clear(&f);
	secretcache_release(&other);
	secretcache_release(&c);
	ck_assert_ptr_null(c.path);
	ck_assert_int_eq(op_calls(), 0);
}
END_TEST

START_TEST(test_key_mode_refused)
{
	char *kp = secrets_key_path(), *want;

	load_ok(0, "1password", 1);
	ck_assert_int_eq(chmod(kp, 0644), 0);
	want = xasprintf("chmod 600 '%s'", kp);
	load_fails(want);
	ck_assert_int_eq(op_calls(), 1);
	free(want);
	ck_assert_int_eq(chmod(kp, 0600), 0);
	load_ok(0, "cache", 1);
	free(kp);
}
END_TEST

START_TEST(test_key_symlink_refused)
{
	char *kp = secrets_key_path(), *other = tmp_path("other-key"), *dir = path_dirname(kp);
	unsigned char key[32] = { 0 };

	write_whole(other, key, sizeof(key));
	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	free(dir);
	ck_assert_int_eq(symlink(other, kp), 0);
	load_fails("is a symbolic link");
	ck_assert_int_eq(op_calls(), 0);
	free(kp);
	free(other);
}
END_TEST

START_TEST(test_key_dir_writable_refused)
{
	char *kp = secrets_key_path(), *dir = path_dirname(kp);

	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	load_fails("is writable by others; run: chmod 700");
	ck_assert_int_eq(access(kp, F_OK), -1);
	ck_assert_int_eq(op_calls(), 0);
	free(kp);
	free(dir);
}
END_TEST

START_TEST(test_file_modes)
{
	char *kp = secrets_key_path(), *cp = secrets_cache_path(&cfg);
	char *kd = path_dirname(kp), *cd = path_dirname(cp);

	umask(022);
	load_ok(0, "1password", 1);
	ck_assert_int_eq(mode_of(kp), 0600);
	ck_assert_int_eq(mode_of(cp), 0600);
	ck_assert_int_eq(mode_of(kd), 0700);
	ck_assert_int_eq(mode_of(cd), 0700);
	free(kp);
	free(cp);
	free(kd);
	free(cd);
}
END_TEST

START_TEST(test_no_plaintext_in_cache)
{
	char *cp = secrets_cache_path(&cfg), *d;
	size_t len;

	load_ok(0, "1password", 1);
	d = read_whole(cp, &len);
	ck_assert_ptr_null(memmem(d, len, DB_SECRET, strlen(DB_SECRET)));
	ck_assert_ptr_null(memmem(d, len, API_SECRET, strlen(API_SECRET)));
	ck_assert_ptr_null(memmem(d, len, "db_password", 11));
	ck_assert_int_eq(memcmp(d, "GSBXSEC\001", 8), 0);
	free(d);
	d = err_text();
	ck_assert_ptr_null(strstr(d, DB_SECRET));
	ck_assert_ptr_null(strstr(d, API_SECRET));
	free(d);
	free(cp);
}
END_TEST

START_TEST(test_signed_out)
{
	touch("op/signed-out");
	load_fails("error: 1Password CLI is not signed in: run 'op signin' "
		   "(or set OP_SERVICE_ACCOUNT_TOKEN)\n");
}
END_TEST

START_TEST(test_missing_item)
{
	cfg.secrets_item = "nope";
	load_fails("error: 1Password item 'nope' not found: fix secrets.item in .gitsandbox\n");
	ck_assert_int_eq(op_calls(), 1);
}
END_TEST

START_TEST(test_missing_vault)
{
	cfg.secrets_vault = "Nope";
	load_fails("1Password vault 'Nope' not found: fix secrets.vault");
}
END_TEST

START_TEST(test_ambiguous)
{
	fake_put("Shared", "sandbox-dev", "db_password=x", "api_token=y");
	cfg.secrets_vault = NULL;
	load_fails("1Password item 'sandbox-dev' is ambiguous");
	assert_err_has("in vault Shared:");
}
END_TEST

START_TEST(test_missing_field)
{
	defs[2] = (struct secret_def){ "nope", "NOPE", NULL, ORIGIN_PROJECT };
	cfg.nsecrets = 3;
	load_fails("1Password item 'sandbox-dev' has no field 'nope'");
}
END_TEST

START_TEST(test_field_without_value)
{
	fake_put("Private", "sandbox-dev", "db_password=" DB_SECRET, "api_token");
	load_fails("1Password item 'sandbox-dev' has no field 'api_token'");
}
END_TEST

START_TEST(test_missing_op)
{
	char *empty = tmp_path("empty");

	ck_assert_int_eq(mkdir(empty, 0700), 0);
	setenv("PATH", empty, 1);
	load_fails("error: the 1Password CLI 'op' is not installed\n");
	free(empty);
}
END_TEST

START_TEST(test_bad_json)
{
	char *s;

	touch("op/bad-json");
	load_fails("the 1Password CLI printed invalid JSON for item 'sandbox-dev'");
	s = secrets_cache_path(&cfg);
	ck_assert_int_eq(access(s, F_OK), -1);
	free(s);
}
END_TEST

START_TEST(test_timeout)
{
	time_t start = time(NULL);

	setenv("OP_FAKE_DELAY", "5", 1);
	setenv("GIT_SANDBOX_OP_TIMEOUT", "0.3", 1);
	load_fails("did not answer within 0.3 seconds");
	/* it did not wait for op's answer (a bound on what it waited, not a timing) */
	ck_assert_int_lt(time(NULL) - start, 5);
}
END_TEST

START_TEST(test_hang)
{
	/* an op that never answers: the time limit ends it (a hang is Check's timeout) */
	touch("op/hang");
	setenv("GIT_SANDBOX_OP_TIMEOUT", "0.5", 1);
	load_fails("did not answer within 0.5 seconds");
}
END_TEST

/* a wrapper op that records its environment and stdin, then runs t/op */
static void wrap_op(const char *body)
{
	char *bin = tmp_path("bin"), *op = tmp_path("bin/op"), *path;
	FILE *f;

	ck_assert_int_eq(mkdir(bin, 0700), 0);
	f = fopen(op, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod(op, 0700), 0);
	path = xasprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	free(path);
	free(bin);
	free(op);
}

START_TEST(test_environment_and_stdin)
{
	char *s, *p = tmp_path("env");
	size_t len;

	wrap_op("env >\"$OP_FAKE_DIR/../env\"; readlink /proc/self/fd/0 >>\"$OP_FAKE_DIR/../env\"\n"
		"PATH=${PATH#*:} exec op \"$@\"");
	setenv("OP_SERVICE_ACCOUNT_TOKEN", "ops_fake", 1);
	setenv("OP_SESSION_my", "session", 1);
	load_ok(0, "1password", 1);
	s = read_whole(p, &len);
	ck_assert_ptr_nonnull(strstr(s, "OP_SERVICE_ACCOUNT_TOKEN=ops_fake\n"));
	ck_assert_ptr_nonnull(strstr(s, "OP_SESSION_my=session\n"));
	ck_assert_ptr_nonnull(strstr(s, "/dev/null\n"));
	free(s);
	free(p);
}
END_TEST

START_TEST(test_output_cap)
{
	wrap_op("head -c 5000000 /dev/zero | tr '\\0' x");
	load_fails("printed more than 4194304 bytes");
}
END_TEST

START_TEST(test_other_failure)
{
	wrap_op("echo '[ERROR] 2026/11/27 10:00:00 something odd happened' >&2; exit 3");
	load_fails("error: the 1Password CLI 'op' failed (exit status 3): something odd happened");
}
END_TEST

START_TEST(test_defaults)
{
	struct secret_set s;
	char *kp = secrets_key_path(), *s2;

	touch("op/signed-out");
	ck_assert_int_eq(secrets_load(&cfg, SECRETS_DEFAULTS, &s), 0);
	ck_assert_str_eq(s.source, "defaults");
	ck_assert_uint_eq(s.nr, 2);
	ck_assert_str_eq(s.v[0].value, "localdev");
	ck_assert_ptr_null(s.v[1].value);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 0);
	ck_assert_int_eq(access(kp, F_OK), -1);
	/* quiet: the command says so, and names no option of ours here */
	s2 = err_text();
	ck_assert_str_eq(s2, "");
	free(s2);
	/* the defaults never make a key to fingerprint them */
	ck_assert_int_eq(secrets_load(&cfg, SECRETS_DEFAULTS, &s), 0);
	ck_assert_ptr_null(secrets_fingerprint(&s, "db_password"));
	ck_assert_int_eq(access(kp, F_OK), -1);
	secret_set_free(&s);
	free(kp);
}
END_TEST

START_TEST(test_no_item)
{
	struct secret_set s;

	cfg.secrets_item = NULL;
	ck_assert_int_eq(secrets_load(&cfg, SECRETS_REFRESH, &s), 0);
	ck_assert_str_eq(s.source, "none");
	ck_assert_uint_eq(s.nr, 0);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 0);
	ck_assert_int_eq(secrets_clear(&cfg), 0);
}
END_TEST

START_TEST(test_status_and_clear)
{
	struct secrets_status st;
	char *cp = secrets_cache_path(&cfg), *kp = secrets_key_path();

	ck_assert_int_eq(secrets_status(&cfg, &st), 0);
	ck_assert_int_eq(st.configured, 1);
	ck_assert_int_eq(st.cache, SECRETS_CACHE_NONE);
	ck_assert_int_eq(st.age_seconds, -1);
	ck_assert_uint_eq(st.nnames, 2);
	secrets_status_free(&st);
	ck_assert_int_eq(access(kp, F_OK), -1);

	load_ok(0, "1password", 1);
	ck_assert_int_eq(secrets_status(&cfg, &st), 0);
	ck_assert_int_eq(st.cache, SECRETS_CACHE_OK);
	ck_assert_str_eq(st.cache_path, cp);
	ck_assert_str_eq(st.item, "sandbox-dev");
	ck_assert_str_eq(st.vault, "Private");
	ck_assert_ptr_null(st.account);
	ck_assert(st.age_seconds >= 0 && st.age_seconds < 5);
	ck_assert_int_eq(st.fresh, 1);
	ck_assert_str_eq(st.names[0], "db_password");
	ck_assert_str_eq(st.names[1], "api_token");
	ck_assert(st.cached[0] && st.cached[1]);
	secrets_status_free(&st);

	tamper_at(-1);
	ck_assert_int_eq(secrets_status(&cfg, &st), 0);
	ck_assert_int_eq(st.cache, SECRETS_CACHE_INVALID);
	ck_assert_ptr_nonnull(strstr(st.why, "does not authenticate"));
	secrets_status_free(&st);
	ck_assert_int_eq(op_calls(), 1);

	ck_assert_int_eq(secrets_clear(&cfg), 1);
	ck_assert_int_eq(access(cp, F_OK), -1);
	ck_assert_int_eq(secrets_clear(&cfg), 0);
	load_ok(0, "1password", 2);
	free(cp);
	free(kp);
}
END_TEST

START_TEST(test_new_secret_refetches)
{
	struct secret_set s;

	/* a cache holding only db_password */
	cfg.nsecrets = 1;
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 1);

	/* api_token configured since: the cache lacks it, ask again */
	cfg.nsecrets = 2;
	load_ok(0, "1password", 2);
	assert_err_has("the secrets cache has no 'api_token'");
	load_ok(0, "cache", 2);

	/* fewer secrets configured: the cache still serves */
	cfg.nsecrets = 1;
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "cache");
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 2);
}
END_TEST

START_TEST(test_fingerprint)
{
	struct secret_set s;
	char *f1, *f2, *f3;

	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	f1 = secrets_fingerprint(&s, "db_password");
	ck_assert_ptr_nonnull(f1);
	ck_assert_uint_eq(strlen(f1), 64);
	ck_assert_ptr_null(secrets_fingerprint(&s, "nope"));
	secret_set_free(&s);

	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	f2 = secrets_fingerprint(&s, "db_password");
	ck_assert_str_eq(f1, f2);
	secret_set_free(&s);

	/* rotation */
	fake_put("Private", "sandbox-dev", "db_password=rotated", "api_token=" API_SECRET);
	ck_assert_int_eq(secrets_load(&cfg, SECRETS_REFRESH, &s), 0);
	ck_assert_str_eq(s.v[0].value, "rotated");
	f3 = secrets_fingerprint(&s, "db_password");
	ck_assert_str_ne(f1, f3);
	secret_set_free(&s);
	free(f1);
	free(f2);
	free(f3);
}
END_TEST

/* op_parse_item on its own */
static int parse(const char *json, struct op_fields *f)
{
	static const char *const want[] = { "a", "b" };
	struct op_ref ref = { "it", NULL, NULL };

	return op_parse_item(json, strlen(json), &ref, want, 2, f);
}

START_TEST(test_parse)
{
	struct op_fields f = OP_FIELDS_INIT;
	char *s;

	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"b\",\"value\":\"B\"},"
			       "{\"label\":\"x\"},{\"label\":\"a\",\"value\":\"A\\u00e9\"},"
			       "{\"label\":\"a\",\"value\":7}]}", &f), 0);
	ck_assert_uint_eq(f.nr, 2);
	ck_assert_str_eq(f.v[0].label, "a");
	ck_assert_str_eq(f.v[0].value, "A\xc3\xa9");
	ck_assert_str_eq(op_fields_get(&f, "b"), "B");
	op_fields_clear(&f);

	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"a\",\"value\":\"1\"},"
			       "{\"label\":\"b\",\"value\":\"2\"},{\"label\":\"a\",\"value\":\"3\"}]}", &f), -1);
	assert_err_has("more than one field labelled 'a'");
	ck_assert_uint_eq(f.nr, 0);

	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"a\",\"value\":\"1\"},"
			       "{\"label\":\"b\",\"value\":null}]}", &f), -1);
	assert_err_has("has no field 'b'");
	ck_assert_uint_eq(f.nr, 0);

	ck_assert_int_eq(parse("{\"id\":\"x\"}", &f), -1);
	ck_assert_int_eq(parse("[]", &f), -1);
	ck_assert_int_eq(parse("{\"fields\":{}}", &f), -1);
	ck_assert_int_eq(parse("{\"fields\":[1,\"a\",null,[],{\"label\":5}]}", &f), -1);
	ck_assert_int_eq(parse("", &f), -1);
	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"a\",\"value\":\"a\\u0000b\"}]}", &f), -1);
	clear_err();
	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"a\",\"value\":\"sup3rsecret", &f), -1);
	ck_assert_int_eq(parse("{\"fields\":[{\"label\":\"a\",\"value\":sup3rsecret}]}", &f), -1);
	s = err_text();
	ck_assert_ptr_nonnull(strstr(s, "invalid JSON"));
	ck_assert_ptr_null(strstr(s, "sup3rsecret"));
	free(s);
}
END_TEST

START_TEST(test_key_fifo_refused)
{
	char *kp = secrets_key_path(), *dir = path_dirname(kp);

	/* a FIFO that would block an open(2) is refused at once: a hang is Check's timeout */
	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	ck_assert_int_eq(mkfifo(kp, 0600), 0);
	load_fails("is not a regular file");
	ck_assert_int_eq(op_calls(), 0);
	free(dir);
	free(kp);
}
END_TEST

START_TEST(test_cache_fifo_and_oversize_ignored)
{
	char *p = secrets_cache_path(&cfg);

	load_ok(0, "1password", 1);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	clear_err();
	load_ok(0, "1password", 2);
	assert_err_has("it is not a regular file");
	assert_err_has("refusing to replace it");
	ck_assert_int_eq(unlink(p), 0);
	load_ok(0, "1password", 3);
	ck_assert_int_eq(truncate(p, (1 << 20) + 1), 0);
	clear_err();
	load_ok(0, "1password", 4);
	assert_err_has("it is larger than 1048576 bytes");
	free(p);
}
END_TEST

#ifdef SB_TEST_HOOKS
/* every secret block freed so far, and whether each was zero when freed */
static size_t wiped_blocks, wiped_bytes, dirty_blocks;

static void count_wiped(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	wiped_blocks++;
	wiped_bytes += len;
	for (i = 0; i < len; i++)
		if (b[i]) {
			dirty_blocks++;
			break;
		}
}

static void watch_wipes(void)
{
	wiped_blocks = wiped_bytes = dirty_blocks = 0;
	strbuf_secret_free_hook = count_wiped;
}

START_TEST(test_secret_strbuf_growth_wipes)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[1000];
	size_t i;

	memset(chunk, 'S', sizeof(chunk));
	watch_wipes();
	for (i = 0; i < 100; i++)
		strbuf_add_secret(&sb, chunk, sizeof(chunk));
	ck_assert_uint_eq(sb.len, 100 * sizeof(chunk));
	for (i = 0; i < sb.len; i++)
		ck_assert_int_eq(sb.buf[i], 'S');
	/* every old block was wiped before it was freed */
	ck_assert_uint_ge(wiped_blocks, 5);
	ck_assert_uint_eq(dirty_blocks, 0);
	i = wiped_blocks;
	strbuf_release_secret(&sb);
	ck_assert_uint_eq(wiped_blocks, i + 1);
	ck_assert_uint_eq(dirty_blocks, 0);
	ck_assert_ptr_eq(sb.buf, strbuf_empty);
	strbuf_secret_free_hook = NULL;
}
END_TEST

START_TEST(test_secret_capture_wipes)
{
	/* 640 lines of 64 bytes: five 8 KiB reads or more, so the capture grows */
	const char *argv[] = { "sh", "-c", "i=0; while [ $i -lt 640 ]; do "
			       "printf '%s\\n' MARKER-0123456789-0123456789-0123456789-0123456789-0123456789-0; "
			       "printf E >&2; i=$((i + 1)); done", NULL };
	struct child c = CHILD_INIT;

	c.argv = argv;
	c.capture_out = 1;
	c.capture_err = 1;
	c.secret = 1;
	watch_wipes();
	ck_assert_int_eq(run_command(&c), 0);
	ck_assert_uint_eq(c.out.len, 640 * 64);
	ck_assert_uint_eq(c.err.len, 640);
	ck_assert_ptr_nonnull(strstr(c.out.buf, "MARKER-"));
	ck_assert_uint_ge(wiped_blocks, 2);
	ck_assert_uint_eq(dirty_blocks, 0);
	strbuf_release_secret(&c.out);
	strbuf_release_secret(&c.err);
	ck_assert_uint_gt(wiped_bytes, 640 * 64 + 640);
	ck_assert_uint_eq(dirty_blocks, 0);
	strbuf_secret_free_hook = NULL;
}
END_TEST

START_TEST(test_op_capture_wipes)
{
	/* op's JSON, then 20000 bytes of blanks: the capture grows while holding values */
	wrap_op("PATH=${PATH#*:} op \"$@\" || exit; head -c 20000 /dev/zero | tr '\\0' ' '");
	watch_wipes();
	load_ok(SECRETS_REFRESH, "1password", 1);
	ck_assert_uint_ge(wiped_blocks, 3);
	ck_assert_uint_ge(wiped_bytes, 20000);
	ck_assert_uint_eq(dirty_blocks, 0);
	strbuf_secret_free_hook = NULL;
}
END_TEST
#endif

/* op cannot be asked: an expired cache younger than maxAge serves, with a warning */
START_TEST(test_offline)
{
	struct secret_set s;

	cfg.secrets_max_age = 86400;
	cfg.secrets_max_age_text = "1d";
	cfg.secrets_ttl_text = "1h";
	load_ok(0, "1password", 1);
	craft_cache(time(NULL) - 7200, DB_SECRET, 1);
	touch("op/signed-out");
	clear_err();
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "cache");
	ck_assert_int_eq(s.offline, 1);
	ck_assert(s.fetched_at <= time(NULL) - 7200 && s.fetched_at >= time(NULL) - 7203);
	assert_values(&s);
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 0);
	secret_set_free(&s);
	assert_err_has("warning: 1Password CLI is not signed in: run 'op signin' (or set "
		       "OP_SERVICE_ACCOUNT_TOKEN); using the secrets cached 2h ago (older than "
		       "secrets.ttl, 1h, and younger than secrets.maxAge, 1d)\n");
	ck_assert_int_eq(op_calls(), 2);

	/* servers out of reach: the same */
	rm_file("op/signed-out");
	touch("op/offline");
	clear_err();
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_int_eq(s.offline, 1);
	secret_set_free(&s);
	assert_err_has("warning: 1Password cannot be reached: ");
	assert_err_has("no such host; using the secrets cached 2h ago");

	/* older than maxAge: refused */
	craft_cache(time(NULL) - 2 * 86400, DB_SECRET, 1);
	clear_err();
	load_fails("error: 1Password cannot be reached: ");
	assert_err_has("; the secrets cached 2d ago are older than secrets.maxAge (1d)\n");

	/* op answers no (not "cannot be asked"): no cache serves */
	rm_file("op/offline");
	craft_cache(time(NULL) - 7200, DB_SECRET, 1);
	cfg.secrets_item = "nope";
	load_fails("1Password item 'nope' not found");
}
END_TEST

START_TEST(test_offline_refresh_fails)
{
	struct secret_set s;

	cfg.secrets_max_age = 86400;
	load_ok(0, "1password", 1);
	touch("op/signed-out");
	ck_assert_int_eq(secrets_load(&cfg, SECRETS_REFRESH, &s), -1);
	assert_err_has("error: 1Password CLI is not signed in");
}
END_TEST

/* the recheck: the cache serves, op runs alongside, and the change is found */
START_TEST(test_recheck)
{
	struct secrets_recheck rc;
	struct secret_set s;
	time_t start;

	cfg.secrets_recheck = 600;
	load_ok(0, "1password", 1);
	/* younger than recheck: nothing to do */
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 0);
	secret_set_free(&s);

	craft_cache(time(NULL) - 1200, DB_SECRET, 1);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "cache");
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 1);
	fake_put("Private", "sandbox-dev", "db_password=rotated", "api_token=" API_SECRET);
	setenv("OP_FAKE_DELAY", "1", 1);
	start = time(NULL);
	secrets_recheck_start(&cfg, &s, &rc);
	/* started, not waited for */
	ck_assert_int_le(time(NULL) - start, 1);
	secret_set_free(&s);
	ck_assert_int_eq(secrets_recheck_finish(&cfg, &rc), 1);
	ck_assert_int_eq(rc.changed[0], 1);
	ck_assert_int_eq(rc.changed[1], 0);
	secrets_recheck_free(&rc);
	ck_assert_int_eq(op_calls(), 2);
	unsetenv("OP_FAKE_DELAY");

	/* the cache has op's answer, fresh */
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_str_eq(s.source, "cache");
	ck_assert_str_eq(s.v[0].value, "rotated");
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 0);
	secret_set_free(&s);
	ck_assert_int_eq(op_calls(), 2);

	/* nothing changed: 0, and the cache is fresh again */
	craft_cache(time(NULL) - 1200, "rotated", 1);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	secrets_recheck_start(&cfg, &s, &rc);
	secret_set_free(&s);
	ck_assert_int_eq(secrets_recheck_finish(&cfg, &rc), 0);
	secrets_recheck_free(&rc);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 0);
	secret_set_free(&s);

	/* op cannot tell: a warning, and the cache stays */
	craft_cache(time(NULL) - 1200, "rotated", 1);
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	touch("op/signed-out");
	secrets_recheck_start(&cfg, &s, &rc);
	secret_set_free(&s);
	clear_err();
	ck_assert_int_eq(secrets_recheck_finish(&cfg, &rc), -1);
	secrets_recheck_free(&rc);
	assert_err_has("warning: could not ask 1Password whether the cached secrets changed: "
		       "1Password CLI is not signed in");
	ck_assert_int_eq(secrets_load(&cfg, 0, &s), 0);
	ck_assert_int_eq(secrets_recheck_due(&cfg, &s), 1);
	secret_set_free(&s);

	/* nothing started: nothing to collect */
	memset(&rc, 0, sizeof(rc));
	ck_assert_int_eq(secrets_recheck_finish(&cfg, &rc), 0);
	secrets_recheck_free(&rc);
}
END_TEST

START_TEST(test_start_finish_command)
{
	const char *argv[] = { "sh", "-c", "sleep 2; echo done", NULL };
	const char *none[] = { "/nonexistent/program", NULL };
	struct child c = CHILD_INIT;
	time_t start = time(NULL);

	c.argv = argv;
	c.capture_out = 1;
	c.timeout_ms = 1500;
	ck_assert_int_eq(start_command(&c), 0);
	ck_assert_int_le(time(NULL) - start, 1);
	/* the timeout counts from finish_command(): 2 s in all, 1 s of it waited */
	sleep(1);
	ck_assert_int_eq(finish_command(&c), 0);
	ck_assert_int_eq(c.timed_out, 0);
	ck_assert_str_eq(c.out.buf, "done\n");
	strbuf_release(&c.out);
	strbuf_release(&c.err);

	memset(&c, 0, sizeof(c));
	c.argv = none;
	ck_assert_int_eq(start_command(&c), -1);
	ck_assert_int_eq(errno, ENOENT);
	strbuf_release(&c.out);
	strbuf_release(&c.err);
}
END_TEST

START_TEST(test_format_duration)
{
	char b[32];

	ck_assert_str_eq(format_duration(b, sizeof(b), -5), "0s");
	ck_assert_str_eq(format_duration(b, sizeof(b), 0), "0s");
	ck_assert_str_eq(format_duration(b, sizeof(b), 59), "59s");
	ck_assert_str_eq(format_duration(b, sizeof(b), 60), "1m");
	ck_assert_str_eq(format_duration(b, sizeof(b), 3599), "59m");
	ck_assert_str_eq(format_duration(b, sizeof(b), 7200), "2h");
	ck_assert_str_eq(format_duration(b, sizeof(b), 86399), "23h");
	ck_assert_str_eq(format_duration(b, sizeof(b), 7 * 86400 + 5), "7d");
}
END_TEST

START_TEST(test_secret_env)
{
	struct secret s = { "db_password", "DB_PASSWORD", DB_SECRET };
	char *e = secret_env(&s);

	ck_assert_str_eq(e, "DB_PASSWORD=" DB_SECRET);
	free_secret(e);
	s.value = NULL;
	e = secret_env(&s);
	ck_assert_str_eq(e, "DB_PASSWORD");
	free_secret(e);
}
END_TEST

static Suite *secrets_suite(void)
{
	Suite *s = suite_create("secrets");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_core_dumps);
	tcase_add_test(tc, test_account_flag);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_ttl_zero);
	tcase_add_test(tc, test_format_and_old_timestamp);
	tcase_add_test(tc, test_only_the_latest);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_other_key);
	tcase_add_test(tc, test_identity_swapped);
	tcase_add_test(tc, test_cache_container);
	tcase_add_test(tc, test_key_mode_refused);
	tcase_add_test(tc, test_key_symlink_refused);
	tcase_add_test(tc, test_key_dir_writable_refused);
	tcase_add_test(tc, test_file_modes);
	tcase_add_test(tc, test_no_plaintext_in_cache);
	tcase_add_test(tc, test_signed_out);
	tcase_add_test(tc, test_missing_item);
	tcase_add_test(tc, test_missing_vault);
	tcase_add_test(tc, test_ambiguous);
	tcase_add_test(tc, test_missing_field);
	tcase_add_test(tc, test_field_without_value);
	tcase_add_test(tc, test_missing_op);
	tcase_add_test(tc, test_bad_json);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_hang);
	tcase_add_test(tc, test_environment_and_stdin);
	tcase_add_test(tc, test_output_cap);
	tcase_add_test(tc, test_other_failure);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_no_item);
	tcase_add_test(tc, test_status_and_clear);
	tcase_add_test(tc, test_new_secret_refetches);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_key_fifo_refused);
	tcase_add_test(tc, test_cache_fifo_and_oversize_ignored);
	tcase_add_test(tc, test_secret_env);
	tcase_add_test(tc, test_offline);
	tcase_add_test(tc, test_offline_refresh_fails);
	tcase_add_test(tc, test_recheck);
	tcase_add_test(tc, test_start_finish_command);
	tcase_add_test(tc, test_format_duration);
#ifdef SB_TEST_HOOKS
	tcase_add_test(tc, test_secret_strbuf_growth_wipes);
	tcase_add_test(tc, test_secret_capture_wipes);
	tcase_add_test(tc, test_op_capture_wipes);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return run_suite(secrets_suite());
}
