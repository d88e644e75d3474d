#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "inifile.h"
#include "lock.h"
#include "op.h"
#include "secrets.h"
#include "strbuf.h"
#include "util.h"

/*
 * Cache file: MAGIC, CACHE_VERSION, a random nonce, then the AEAD ciphertext of
 *
 *	fetch time (u64) | count (u32) | count x (len (u32) label, len (u32) value)
 *
 * all integers big-endian. The associated data is the header followed by
 * the identity "account\0vault\0item", so a file copied to another item's
 * name, or one with its header changed, fails to decrypt.
 */
#define MAGIC "GSBXSEC"
#define MAGIC_LEN 7
#define CACHE_VERSION 1
#define HEADER_LEN (MAGIC_LEN + 1)
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define MAX_CACHE_SIZE (1u << 20)	/* far more than a few passwords and keys take */

static void disable_core_dumps(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_CORE, &rl)) {
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_CORE, &rl);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void init_sodium(void)
{
	if (sodium_init() < 0)
		die("cannot initialise libsodium");
}

char *secrets_key_path(void)
{
	char *dir = xdg_dir("XDG_CONFIG_HOME", ".config");
	char *path = path_join(dir, "key");

	free(dir);
	return path;
}

/* "account\0vault\0item" (unset parts empty), its length in *len */
static char *identity(const struct sb_config *cfg, size_t *len)
{
	const char *a = cfg->secrets_account ? cfg->secrets_account : "";
	const char *v = cfg->secrets_vault ? cfg->secrets_vault : "";
	const char *i = cfg->secrets_item;
	size_t la = strlen(a), lv = strlen(v), li = strlen(i);
	char *id = xmalloc(la + lv + li + 3);

	memcpy(id, a, la + 1);
	memcpy(id + la + 1, v, lv + 1);
	memcpy(id + la + lv + 2, i, li + 1);
	*len = la + lv + li + 2;
	return id;
}

char *secrets_cache_path(const struct sb_config *cfg)
{
	unsigned char h[16];
	char hex[sizeof(h) * 2 + 1], *dir, *name, *path;
	size_t len;
	char *id;

	if (!cfg->secrets_item || !*cfg->secrets_item)
		return NULL;
	init_sodium();
	id = identity(cfg, &len);
	crypto_generichash(h, sizeof(h), (unsigned char *)id, len, NULL, 0);
	free(id);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	dir = xdg_dir("XDG_CACHE_HOME", ".cache");
	name = xasprintf("secrets-%s", hex);
	path = path_join(dir, name);
	free(name);
	free(dir);
	return path;
}

/* Make a new key at path, unless one appears there first; 0 or -1 with *why. */
static int create_key(const char *path, char **why)
{
	unsigned char key[KEY_LEN];
	char *dir = path_dirname(path);
	struct stat st;
	int ret = -1;

	if (mkdir_p(dir, 0700) < 0) {
		*why = xasprintf("cannot create directory '%s': %s", dir, strerror(errno));
	} else if (!stat(dir, &st) && (st.st_mode & 022)) {
		/* others could swap the key under us */
		*why = xasprintf("directory '%s' is writable by others; run: chmod 700 '%s'",
				 dir, dir);
	} else {
		/* the only copy is on the stack, wiped below */
		randombytes_buf(key, KEY_LEN);
		if (write_file_new(path, key, KEY_LEN, 0600) < 0)
			*why = xasprintf("cannot create the secrets key '%s'", path);
		else
			ret = 0;
		sodium_memzero(key, KEY_LEN);
	}
	free(dir);
	return ret;
}

/*
 * Read the key into key[]. With create, make it (and its directory) if it
 * does not exist. Returns 0, or -1 with *why set to a message saying what
 * is wrong and what to do (caller frees).
 */
static int read_key(unsigned char key[KEY_LEN], int create, char **why)
{
	char *path = secrets_key_path();
	unsigned char extra;
	struct stat st;
	int fd;
	ssize_t n;

	/* O_NONBLOCK: a FIFO put there must not hang us; fstat() refuses it */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (create_key(path, why) < 0)
			goto fail;
		/* read back what is there now: ours, or a concurrent creator's */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ELOOP)
			*why = xasprintf("the secrets key '%s' is a symbolic link; refusing to use it",
					 path);
		else if (errno == ENOENT)
			*why = xasprintf("there is no secrets key '%s'", path);
		else
			*why = xasprintf("cannot open the secrets key '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = xasprintf("the secrets key '%s' is not a regular file", path);
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		*why = xasprintf("the secrets key '%s' is not owned by you; remove it", path);
		goto fail;
	}
	if (st.st_mode & 077) {
		*why = xasprintf("the secrets key '%s' is accessible by others; run: chmod 600 '%s'",
				 path, path);
		goto fail;
	}
	/* into the caller's key[], which the caller wipes */
	n = st.st_size == KEY_LEN ? read(fd, key, KEY_LEN) : -1;
	if (n != KEY_LEN || read(fd, &extra, 1) != 0) {
		sodium_memzero(key, KEY_LEN);
		*why = xasprintf("the secrets key '%s' is damaged (not %d bytes); remove it "
				 "and the secrets will be fetched again", path, KEY_LEN);
		goto fail;
	}
	close(fd);
	free(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(path);
	return -1;
}

static int load_key(unsigned char key[KEY_LEN])
{
	char *why = NULL;

	if (!read_key(key, 1, &why))
		return 0;
	error("%s", why);
	free(why);
	return -1;
}

static void put_u32(unsigned char **p, uint32_t v)
{
	(*p)[0] = v >> 24;
	(*p)[1] = v >> 16;
	(*p)[2] = v >> 8;
	(*p)[3] = v;
	*p += 4;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_bytes(unsigned char **p, const char *s)
{
	size_t n = strlen(s);

	put_u32(p, n);
	memcpy(*p, s, n);
	*p += n;
}

static void make_ad(unsigned char *ad, const char *id, size_t idlen)
{
	memcpy(ad, MAGIC, MAGIC_LEN);
	ad[MAGIC_LEN] = CACHE_VERSION;
	memcpy(ad + HEADER_LEN, id, idlen);
}

/* Encrypt fields fetched at time t into a new buffer (*len bytes). */
static unsigned char *seal(const unsigned char key[KEY_LEN], const char *id, size_t idlen,
			   long long t, const struct op_fields *f, size_t *len)
{
	size_t ptlen = 12, i, adlen = HEADER_LEN + idlen;
	unsigned char *pt, *p, *out, *ad = xmalloc(adlen);
	unsigned long long ctlen;
	uint64_t ut = (uint64_t)t;

	for (i = 0; i < f->nr; i++)
		ptlen += 8 + strlen(f->v[i].label) + strlen(f->v[i].value);
	/* the plaintext copy of every value: wiped as soon as it is encrypted */
	p = pt = xmalloc(ptlen);
	put_u32(&p, ut >> 32);
	put_u32(&p, ut & 0xffffffff);
	put_u32(&p, f->nr);
	for (i = 0; i < f->nr; i++) {
		put_bytes(&p, f->v[i].label);
		put_bytes(&p, f->v[i].value);
	}

	*len = HEADER_LEN + NONCE_LEN + ptlen + TAG_LEN;
	out = xmalloc(*len);
	make_ad(ad, id, idlen);
	memcpy(out, ad, HEADER_LEN);
	randombytes_buf(out + HEADER_LEN, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + HEADER_LEN + NONCE_LEN, &ctlen,
						   pt, ptlen, ad, adlen, NULL,
						   out + HEADER_LEN, key);
	sodium_memzero(pt, ptlen);
	free(pt);
	/* the cipher's last partial block of plaintext */
	wipe_stack();
	free(ad);
	return out;
}

/* Parse the plaintext of a cache; 0, or -1 with *why set. */
static int parse_plain(const unsigned char *p, size_t len, long long *t,
		       struct op_fields *f, char **why)
{
	const unsigned char *end = p + len;
	uint32_t count, i;

	if (len < 12)
		goto bad;
	*t = (long long)((uint64_t)get_u32(p) << 32 | get_u32(p + 4));
	count = get_u32(p + 8);
	p += 12;
	for (i = 0; i < count; i++) {
		char *s[2];
		int k;

		for (k = 0; k < 2; k++) {
			uint32_t n;

			if (end - p < 4)
				goto bad_fields;
			n = get_u32(p);
			p += 4;
			if ((size_t)(end - p) < n || memchr(p, '\0', n)) {
				if (k)
					free(s[0]);
				goto bad_fields;
			}
			/* s[1], a value: wiped by free_secret() below */
			s[k] = xstrndup((const char *)p, n);
			p += n;
		}
		op_fields_add(f, s[0], s[1]);
		free(s[0]);
		free_secret(s[1]);
	}
	if (p != end)
		goto bad_fields;
	return 0;
bad_fields:
	op_fields_clear(f);
bad:
	*why = xstrdup("its contents are malformed");
	return -1;
}

/*
 * Which write of each cache is the latest, kept apart from the caches in
 * ${XDG_STATE_HOME:-~/.local/state}/git-sandbox/secrets-latest, by the
 * random nonce each write draws (the AEAD authenticates it): a cache
 * authenticates on its own, so an older copy of it put back (a backup
 * restored, a file synced from elsewhere) would bring back a secret since
 * rotated. Any cache but the latest is refused.
 */
struct latest {
	const char *name;	/* the cache's file name */
	char *nonce;		/* its latest nonce, hex */
	struct strbuf *others;	/* the other caches' lines, to write back */
};

static int latest_cb(void *data, const char *section, const char *key, const char *value)
{
	struct latest *l = data;

	if (strcmp(section, "latest"))
		return 1;
	if (!strcmp(key, l->name)) {
		free(l->nonce);
		l->nonce = xstrdup(value);
	} else if (l->others) {
		ini_add(l->others, key, value);
	}
	return 1;
}

static char *latest_path(void)
{
	char *dir = xdg_dir("XDG_STATE_HOME", ".local/state");
	char *path = path_join(dir, "secrets-latest");

	free(dir);
	return path;
}

static char *nonce_hex(const unsigned char *nonce)
{
	char *hex = xmalloc(NONCE_LEN * 2 + 1);

	sodium_bin2hex(hex, NONCE_LEN * 2 + 1, nonce, NONCE_LEN);
	return hex;
}

/* Is nonce the latest write of the cache at cache_path (or none is recorded)? */
static int is_latest(const char *cache_path, const unsigned char *nonce, char **why)
{
	char *path = latest_path(), *name = path_basename(cache_path), *hex = nonce_hex(nonce);
	struct latest l = { name, NULL, NULL };
	int ret = 1;

	if (ini_read(path, latest_cb, &l) < 0) {
		*why = xasprintf("'%s' cannot be read", path);
		ret = 0;
	} else if (l.nonce && strcmp(l.nonce, hex)) {
		*why = xstrdup("it is not the one last fetched (an earlier copy put back?)");
		ret = 0;
	}
	free(l.nonce);
	free(hex);
	free(path);
	free(name);
	return ret;
}

/* Record nonce as the latest write of the cache at cache_path. 0 or -1 after an error. */
static int record_latest(const char *cache_path, const unsigned char *nonce)
{
	char *path = latest_path(), *name = path_basename(cache_path), *hex = nonce_hex(nonce);
	struct strbuf out = STRBUF_INIT;
	struct latest l = { name, NULL, &out };
	int fd = lock_file(path), ret = -1;

	strbuf_addstr(&out, "# Written by git-sandbox: the latest write of each secrets cache.\n"
		      "[latest]\n");
	if (fd >= 0 && ini_read(path, latest_cb, &l) >= 0) {
		ini_add(&out, name, hex);
		ret = ini_write(path, &out, 0600);
	}
	if (fd >= 0)
		unlock_file(fd);
	strbuf_release(&out);
	free(l.nonce);
	free(hex);
	free(path);
	free(name);
	return ret;
}

/*
 * Read and decrypt the cache at path. Returns 1 with *t and f filled, 0 if
 * there is no cache, -1 with *why set if it is unusable.
 */
static int open_cache(const char *path, const unsigned char key[KEY_LEN], const char *id,
		      size_t idlen, long long *t, struct op_fields *f, char **why)
{
	unsigned char *buf = NULL, *pt = NULL, *ad = NULL;
	unsigned long long ptlen;
	size_t len = 0, cap = 0, adlen = HEADER_LEN + idlen;
	struct stat st;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*why = xstrdup(errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = xstrdup("it is not a regular file");
		goto out;
	}
	if (st.st_uid != geteuid()) {
		*why = xstrdup("it is not owned by you");
		goto out;
	}
	if (st.st_size > MAX_CACHE_SIZE) {
		*why = xasprintf("it is larger than %u bytes", MAX_CACHE_SIZE);
		goto out;
	}
	cap = st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = xstrdup(strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
		if (len == cap) {
			*why = xstrdup("it changed while being read");
			goto out;
		}
	}
	if (len < HEADER_LEN || memcmp(buf, MAGIC, MAGIC_LEN)) {
		*why = xstrdup(len < HEADER_LEN ? "it is truncated" : "it is not a git-sandbox secrets cache");
		goto out;
	}
	if (buf[MAGIC_LEN] != CACHE_VERSION) {
		*why = xasprintf("unknown format version %d", buf[MAGIC_LEN]);
		goto out;
	}
	if (len < HEADER_LEN + NONCE_LEN + TAG_LEN) {
		*why = xstrdup("it is truncated");
		goto out;
	}
	ad = xmalloc(adlen);
	make_ad(ad, id, idlen);
	/* the plaintext: wiped at out, whatever happens */
	pt = xmalloc(len);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL,
			buf + HEADER_LEN + NONCE_LEN, len - HEADER_LEN - NONCE_LEN,
			ad, adlen, buf + HEADER_LEN, key) < 0) {
		*why = xstrdup("it does not authenticate (damaged, or written with another key "
			       "or for another item)");
		goto out;
	}
	if (!parse_plain(pt, ptlen, t, f, why)) {
		if (is_latest(path, buf + HEADER_LEN, why))
			ret = 1;
		else
			op_fields_clear(f);
	}
out:
	close(fd);
	if (pt)
		sodium_memzero(pt, len);
	/* the cipher's last partial block of plaintext */
	wipe_stack();
	free(pt);
	free(ad);
	free(buf);
	return ret;
}

static int write_cache(const char *path, const unsigned char key[KEY_LEN], const char *id,
		       size_t idlen, long long t, const struct op_fields *f)
{
	char *dir = path_dirname(path);
	unsigned char *data;
	size_t len;
	int ret;

	if (mkdir_p(dir, 0700) < 0) {
		ret = error_errno("cannot create directory '%s'", dir);
		free(dir);
		return ret;
	}
	free(dir);
	data = seal(key, id, idlen, t, f, &len);
	if (len > MAX_CACHE_SIZE)
		ret = error("the secrets are larger than %u bytes; not caching them", MAX_CACHE_SIZE);
	else
		ret = write_file_atomic(path, data, len, 0600);
	/* a cache not recorded as the latest is refused: a failed record fails the write */
	if (!ret && record_latest(path, data + HEADER_LEN) < 0) {
		unlink(path);
		ret = -1;
	}
	free(data);
	return ret;
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
	unsigned char key[KEY_LEN];
	struct op_fields f = OP_FIELDS_INIT, cached = OP_FIELDS_INIT;
	struct strbuf why = STRBUF_INIT;
	struct op_ref ref;
	const char *const *want = NULL;
	const char *missing = NULL;
	char *path = NULL, *id = NULL, *bad = NULL;
	size_t idlen;
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
	init_sodium();
	if (load_key(key) < 0)
		return -1;
	path = secrets_cache_path(cfg);
	id = identity(cfg, &idlen);

	if (!(flags & SECRETS_REFRESH)) {
		r = open_cache(path, key, id, idlen, &t, &cached, &bad);
		if (r < 0) {
			warning("ignoring the secrets cache '%s': %s", path, bad);
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
	if (write_cache(path, key, id, idlen, now, &f) < 0)
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
	free(id);
	free(path);
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
	init_sodium();
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
	unsigned char key[KEY_LEN], h[SECRETS_RECHECK_HASH];
	struct op_fields f = OP_FIELDS_INIT;
	struct strbuf why = STRBUF_INIT;
	char *path, *id;
	size_t idlen, i;
	int n = 0;

	if (!rc->running)
		return 0;
	rc->running = 0;
	if (op_fetch_finish(&rc->call, rc->want, cfg->nsecrets, &f, &why)) {
		warning("could not ask 1Password whether the cached secrets changed: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	if (load_key(key) < 0) {
		op_fields_clear(&f);
		return -1;
	}
	path = secrets_cache_path(cfg);
	id = identity(cfg, &idlen);
	if (write_cache(path, key, id, idlen, rc->started, &f) < 0)
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
	free(path);
	free(id);
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
	unsigned char key[KEY_LEN], h[crypto_generichash_BYTES];
	crypto_generichash_state st;
	char *hex;

	if (!s || !s->value)
		return NULL;
	init_sodium();
	if (!strcmp(set->source, "defaults")) {
		char *why = NULL;

		/* the defaults are no secret: never a key made for them */
		if (read_key(key, 0, &why) < 0) {
			free(why);
			return NULL;
		}
	} else if (load_key(key) < 0) {
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
	unsigned char key[KEY_LEN];
	struct op_fields f = OP_FIELDS_INIT;
	const char *missing = NULL;
	char *id;
	size_t idlen, i;
	long long t = 0;
	int r;

	memset(st, 0, sizeof(*st));
	st->age_seconds = -1;
	if (!cfg->secrets_item || !*cfg->secrets_item)
		return 0;
	disable_core_dumps();
	init_sodium();
	st->configured = 1;
	st->item = xstrdup(cfg->secrets_item);
	st->vault = cfg->secrets_vault && *cfg->secrets_vault ? xstrdup(cfg->secrets_vault) : NULL;
	st->account = cfg->secrets_account && *cfg->secrets_account ?
		xstrdup(cfg->secrets_account) : NULL;
	st->cache_path = secrets_cache_path(cfg);
	st->nnames = cfg->nsecrets;
	st->names = xcalloc(cfg->nsecrets + 1, sizeof(*st->names));
	st->cached = xcalloc(cfg->nsecrets + 1, sizeof(*st->cached));
	for (i = 0; i < cfg->nsecrets; i++)
		st->names[i] = xstrdup(cfg->secrets[i].name);

	if (access(st->cache_path, F_OK) < 0 && errno == ENOENT) {
		st->cache = SECRETS_CACHE_NONE;
		return 0;
	}
	if (read_key(key, 0, &st->why) < 0) {
		st->cache = SECRETS_CACHE_INVALID;
		return 0;
	}
	id = identity(cfg, &idlen);
	r = open_cache(st->cache_path, key, id, idlen, &t, &f, &st->why);
	sodium_memzero(key, sizeof(key));
	free(id);
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
	char *path = secrets_cache_path(cfg);
	int ret = 1;

	if (!path)
		return 0;
	if (unlink(path) < 0)
		ret = errno == ENOENT ? 0 : error_errno("cannot remove '%s'", path);
	free(path);
	return ret;
}
