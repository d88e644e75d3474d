/*
 * secrets.c: the secrets policy (secrets.h): when the cache serves and when
 * op is asked, the background recheck, fingerprints and the status report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "op.h"
#include "secretcache.h"
#include "secrets.h"
#include "strbuf.h"
#include "util.h"

static void disable_core_dumps(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_CORE, &rl)) {
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &rl);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Are all of cfg's secrets in f? Names the first one missing in *missing. */
static int has_all(const struct sb_config *cfg, const struct op_fields *f, const char **missing)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		if (!op_fields_get(f, cfg->secrets[i].name)) {
			*missing = cfg->secrets[i].name;
			return 0;
		}
	return 1;
}

static void fill_set(struct secret_set *out, const struct sb_config *cfg,
		     const struct op_fields *f, int defaults)
{
	size_t i;

	out->v = xcalloc(cfg->nsecrets ? cfg->nsecrets : 1, sizeof(*out->v));
	out->nr = cfg->nsecrets;
	for (i = 0; i < cfg->nsecrets; i++) {
		const struct secret_def *d = &cfg->secrets[i];
		const char *value = defaults ? d->def : op_fields_get(f, d->name);

		out->v[i].name = xstrdup(d->name);
		out->v[i].var = xstrdup(d->var);
		/* the value the caller gets: wiped by secret_set_free() */
		out->v[i].value = value ? xstrdup(value) : NULL;
	}
}

/* how a duration of the configuration was written, for messages */
static const char *written(const char *text, long secs, char *buf, size_t size)
{
	if (text)
		return text;
	snprintf(buf, size, "%lds", secs);
	return buf;
}

static const char *const *wanted(const struct sb_config *cfg)
{
	const char **want = xcalloc(cfg->nsecrets + 1, sizeof(*want));
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		want[i] = cfg->secrets[i].name;
	return want;
}

static struct op_ref item_ref(const struct sb_config *cfg)
{
	return (struct op_ref){ cfg->secrets_item, cfg->secrets_vault, cfg->secrets_account };
}

/*
 * op could not be asked (why): an expired cache (fetched at t) younger
 * than secrets.maxAge still serves, with a warning. 1 if it does.
 */
static int use_offline(const struct sb_config *cfg, const char *why, long long t, long long now)
{
	char age[32], b1[32], b2[32];
	const char *ttl = written(cfg->secrets_ttl_text, cfg->secrets_ttl, b1, sizeof(b1));
	const char *max = written(cfg->secrets_max_age_text, cfg->secrets_max_age, b2, sizeof(b2));

	format_duration(age, sizeof(age), now - t);
	if (now - t >= cfg->secrets_max_age) {
		error("%s; the secrets cached %s ago are older than secrets.maxAge (%s)", why, age, max);
		return 0;
	}
	warning("%s; using the secrets cached %s ago (older than secrets.ttl, %s, and younger "
		"than secrets.maxAge, %s)", why, age, ttl, max);
	return 1;
}

int secrets_load(const struct sb_config *cfg, int flags, struct secret_set *out)
{
	unsigned char key[SECRETCACHE_KEY_LEN];
	struct op_fields f = OP_FIELDS_INIT, cached = OP_FIELDS_INIT;
	struct strbuf why = STRBUF_INIT;
	struct op_ref ref;
	const char *const *want = NULL;
	const char *missing = NULL;
	struct secretcache cache;
	char *bad = NULL;
	long long t = 0, now = time(NULL);
	int ret = -1, r, have_cache = 0;

	*out = (struct secret_set)SECRET_SET_INIT;
	if (flags & SECRETS_DEFAULTS) {
		fill_set(out, cfg, NULL, 1);
		out->source = "defaults";
		return 0;
	}
	if (!cfg->secrets_item || !*cfg->secrets_item || !cfg->nsecrets)
		return 0;

	disable_core_dumps();
	if (secretcache_crypto_init() < 0 || secretcache_init(&cache, cfg) < 0)
		return -1;
	if (secretcache_load_key(key) < 0) {
		secretcache_release(&cache);
		return -1;
	}

	if (!(flags & SECRETS_REFRESH)) {
		r = secretcache_read(&cache, key, &t, &cached, &bad);
		if (r < 0) {
			warning("ignoring the secrets cache '%s': %s", cache.path, bad);
			free(bad);
		} else if (r > 0 && !has_all(cfg, &cached, &missing)) {
			note("the secrets cache has no '%s'; asking 1Password again", missing);
		} else if (r > 0 && now >= t) {
			/* complete, and not from the future (a clock set back) */
			have_cache = 1;
			if (now - t < cfg->secrets_ttl) {
				fill_set(out, cfg, &cached, 0);
				out->source = "cache";
				out->fetched_at = t;
				ret = 0;
				goto out;
			}
		}
	}

	want = wanted(cfg);
	note("fetching secrets from 1Password item '%s'", cfg->secrets_item);
	ref = item_ref(cfg);
	r = op_fetch(&ref, want, cfg->nsecrets, &f, &why);
	if (r == OP_UNAVAILABLE && have_cache) {
		if (use_offline(cfg, why.buf, t, now)) {
			fill_set(out, cfg, &cached, 0);
			out->source = "cache";
			out->fetched_at = t;
			out->offline = 1;
			ret = 0;
		}
		goto out;
	}
	if (r) {
		error("%s", why.buf);
		goto out;
	}
	if (secretcache_write(&cache, key, now, &f) < 0)
		warning("the secrets are not cached; the next run will ask 1Password again");
	fill_set(out, cfg, &f, 0);
	out->source = "1password";
	out->fetched_at = now;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	op_fields_clear(&f);
	op_fields_clear(&cached);
	strbuf_release(&why);
	free((void *)want);
	secretcache_release(&cache);
	return ret;
}

int secrets_recheck_due(const struct sb_config *cfg, const struct secret_set *set)
{
	long long now = time(NULL);

	return !strcmp(set->source, "cache") && !set->offline && set->nr &&
		now >= set->fetched_at && now - set->fetched_at >= cfg->secrets_recheck;
}

/* keyed with a key of this process alone: equal values, equal hashes, nothing else */
static void recheck_hash(const struct secrets_recheck *rc, const char *value,
			 unsigned char h[SECRETS_RECHECK_HASH])
{
	crypto_generichash(h, SECRETS_RECHECK_HASH, (const unsigned char *)value, strlen(value),
			   rc->hkey, sizeof(rc->hkey));
}

void secrets_recheck_start(const struct sb_config *cfg, const struct secret_set *set,
			   struct secrets_recheck *rc)
{
	struct op_ref ref;
	size_t i;

	memset(rc, 0, sizeof(*rc));
	/* without libsodium, no recheck: the cache is used as it is */
	if (secretcache_crypto_init() < 0)
		return;
	randombytes_buf(rc->hkey, sizeof(rc->hkey));
	rc->n = set->nr;
	rc->hash = xcalloc(set->nr + 1, sizeof(*rc->hash));
	rc->changed = xcalloc(set->nr + 1, sizeof(*rc->changed));
	for (i = 0; i < set->nr; i++)
		if (set->v[i].value)
			recheck_hash(rc, set->v[i].value, rc->hash[i]);
	/* the hash's state held the last block of each value */
	wipe_stack();
	rc->want = wanted(cfg);
	rc->started = time(NULL);
	ref = item_ref(cfg);
	op_fetch_start(&rc->call, &ref);
	rc->running = 1;
}

int secrets_recheck_finish(const struct sb_config *cfg, struct secrets_recheck *rc)
{
	unsigned char key[SECRETCACHE_KEY_LEN], h[SECRETS_RECHECK_HASH];
	struct op_fields f = OP_FIELDS_INIT;
	struct strbuf why = STRBUF_INIT;
	struct secretcache cache;
	size_t i;
	int n = 0;

	if (!rc->running)
		return 0;
	rc->running = 0;
	if (op_fetch_finish(&rc->call, rc->want, cfg->nsecrets, &f, &why)) {
		warning("could not ask 1Password whether the cached secrets changed: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	if (secretcache_load_key(key) < 0) {
		op_fields_clear(&f);
		return -1;
	}
	if (secretcache_init(&cache, cfg) < 0 ||
	    secretcache_write(&cache, key, rc->started, &f) < 0)
		warning("the secrets are not cached; the next run will ask 1Password again");
	sodium_memzero(key, sizeof(key));
	for (i = 0; i < rc->n && i < cfg->nsecrets; i++) {
		recheck_hash(rc, op_fields_get(&f, cfg->secrets[i].name), h);
		rc->changed[i] = !!sodium_memcmp(h, rc->hash[i], sizeof(h));
		n += rc->changed[i];
	}
	sodium_memzero(h, sizeof(h));
	wipe_stack();
	op_fields_clear(&f);
	strbuf_release(&why);
	secretcache_release(&cache);
	return n;
}

void secrets_recheck_free(struct secrets_recheck *rc)
{
	sodium_memzero(rc->hkey, sizeof(rc->hkey));
	if (rc->hash)
		sodium_memzero(rc->hash, rc->n * sizeof(*rc->hash));
	free(rc->hash);
	free(rc->changed);
	free((void *)rc->want);
	memset(rc, 0, sizeof(*rc));
}

void secret_set_free(struct secret_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		free(set->v[i].name);
		free(set->v[i].var);
		free_secret(set->v[i].value);
	}
	free(set->v);
	*set = (struct secret_set)SECRET_SET_INIT;
}

char *secret_env(const struct secret *s)
{
	size_t nv = strlen(s->var), nval = s->value ? strlen(s->value) : 0;
	char *e;

	if (!s->value)
		return xstrdup(s->var);
	/* the copy handed to compose: the caller wipes it with free_secret() */
	e = xmalloc(nv + 1 + nval + 1);
	memcpy(e, s->var, nv);
	e[nv] = '=';
	memcpy(e + nv + 1, s->value, nval + 1);
	return e;
}

const struct secret *secret_set_find(const struct secret_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		if (!strcmp(set->v[i].name, name))
			return &set->v[i];
	return NULL;
}

char *secrets_fingerprint(const struct secret_set *set, const char *name)
{
	static const char domain[] = "git-sandbox fingerprint v1";
	const struct secret *s = secret_set_find(set, name);
	unsigned char key[SECRETCACHE_KEY_LEN], h[crypto_generichash_BYTES];
	crypto_generichash_state st;
	char *hex;

	if (!s || !s->value)
		return NULL;
	if (secretcache_crypto_init() < 0)
		return NULL;
	if (!strcmp(set->source, "defaults")) {
		char *why = NULL;

		/* the defaults are no secret: never a key made for them */
		if (secretcache_read_key(key, 0, &why) < 0) {
			free(why);
			return NULL;
		}
	} else if (secretcache_load_key(key) < 0) {
		return NULL;
	}
	/* the domain keeps these hashes apart from any other use of the key */
	crypto_generichash_init(&st, key, sizeof(key), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
	crypto_generichash_update(&st, (const unsigned char *)s->value, strlen(s->value));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	hex = xmalloc(sizeof(h) * 2 + 1);
	sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
	return hex;
}

int secrets_status(const struct sb_config *cfg, struct secrets_status *st)
{
	unsigned char key[SECRETCACHE_KEY_LEN];
	struct op_fields f = OP_FIELDS_INIT;
	const char *missing = NULL;
	struct secretcache cache;
	size_t i;
	long long t = 0;
	int r;

	memset(st, 0, sizeof(*st));
	st->age_seconds = -1;
	if (!cfg->secrets_item || !*cfg->secrets_item)
		return 0;
	disable_core_dumps();
	if (secretcache_crypto_init() < 0)
		return -1;
	st->configured = 1;
	st->item = xstrdup(cfg->secrets_item);
	st->vault = cfg->secrets_vault && *cfg->secrets_vault ? xstrdup(cfg->secrets_vault) : NULL;
	st->account = cfg->secrets_account && *cfg->secrets_account ?
		xstrdup(cfg->secrets_account) : NULL;
	if (!(st->cache_path = secrets_cache_path(cfg))) {
		secrets_status_free(st);
		return -1;
	}
	st->nnames = cfg->nsecrets;
	st->names = xcalloc(cfg->nsecrets + 1, sizeof(*st->names));
	st->cached = xcalloc(cfg->nsecrets + 1, sizeof(*st->cached));
	for (i = 0; i < cfg->nsecrets; i++)
		st->names[i] = xstrdup(cfg->secrets[i].name);

	if (access(st->cache_path, F_OK) < 0 && errno == ENOENT) {
		st->cache = SECRETS_CACHE_NONE;
		return 0;
	}
	if (secretcache_read_key(key, 0, &st->why) < 0) {
		st->cache = SECRETS_CACHE_INVALID;
		return 0;
	}
	if (secretcache_init(&cache, cfg) < 0) {
		sodium_memzero(key, sizeof(key));
		secrets_status_free(st);
		return -1;
	}
	r = secretcache_read(&cache, key, &t, &f, &st->why);
	sodium_memzero(key, sizeof(key));
	secretcache_release(&cache);
	if (r <= 0) {
		st->cache = r ? SECRETS_CACHE_INVALID : SECRETS_CACHE_NONE;
		return 0;
	}
	st->cache = SECRETS_CACHE_OK;
	st->fetched_at = t;
	st->age_seconds = (long long)time(NULL) - t;
	for (i = 0; i < cfg->nsecrets; i++)
		st->cached[i] = !!op_fields_get(&f, cfg->secrets[i].name);
	st->fresh = has_all(cfg, &f, &missing) && st->age_seconds >= 0 &&
		st->age_seconds < cfg->secrets_ttl;
	op_fields_clear(&f);
	return 0;
}

void secrets_status_free(struct secrets_status *st)
{
	free(st->item);
	free(st->vault);
	free(st->account);
	free(st->cache_path);
	free(st->why);
	free_strings(st->names, st->nnames);
	free(st->cached);
	memset(st, 0, sizeof(*st));
	st->age_seconds = -1;
}

int secrets_clear(const struct sb_config *cfg)
{
	char *path;
	int ret = 1;

	if (!cfg->secrets_item || !*cfg->secrets_item)
		return 0;
	if (!(path = secrets_cache_path(cfg)))
		return -1;
	if (unlink(path) < 0)
		ret = errno == ENOENT ? 0 : error_errno("cannot remove '%s'", path);
	free(path);
	return ret;
}
