/*
 * secretcache.c: the secrets key (a file of the user's) and the encrypted
 * cache of an item's secrets (its format, sealing and opening it, and the
 * record of the latest write). When the cache is used is secrets.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "inifile.h"
#include "lock.h"
#include "op.h"
#include "secretcache.h"
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
#define KEY_LEN SECRETCACHE_KEY_LEN
#define MAX_CACHE_SIZE (1u << 20)	/* far more than a few passwords and keys take */

_Static_assert(KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "the cipher's key length");

int secretcache_crypto_init(void)
{
	if (sodium_init() < 0)
		return error("cannot initialise libsodium");
	return 0;
}

/* the key's path, or NULL with *why set (caller frees) */
static char *key_path(char **why)
{
	char *dir = xdg_dir_gently("XDG_CONFIG_HOME", ".config", why);
	char *path = dir ? path_join(dir, "key") : NULL;

	free(dir);
	return path;
}

char *secrets_key_path(void)
{
	char *why = NULL, *path = key_path(&why);

	if (!path) {
		error("%s", why);
		free(why);
	}
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
	if (secretcache_crypto_init() < 0)
		return NULL;
	id = identity(cfg, &len);
	crypto_generichash(h, sizeof(h), (unsigned char *)id, len, NULL, 0);
	free(id);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (!(dir = xdg_dir("XDG_CACHE_HOME", ".cache")))
		return NULL;
	name = xasprintf("secrets-%s", hex);
	path = path_join(dir, name);
	free(name);
	free(dir);
	return path;
}

int secretcache_init(struct secretcache *c, const struct sb_config *cfg)
{
	c->id = identity(cfg, &c->idlen);
	if (!(c->path = secrets_cache_path(cfg))) {
		secretcache_release(c);
		return -1;
	}
	return 0;
}

void secretcache_release(struct secretcache *c)
{
	free(c->path);
	free(c->id);
	c->path = c->id = NULL;
	c->idlen = 0;
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

int secretcache_read_key(unsigned char key[KEY_LEN], int create, char **why)
{
	char *path = key_path(why);
	unsigned char extra;
	struct stat st;
	int fd;
	ssize_t n;

	if (!path)
		return -1;

	/* O_NONBLOCK: a FIFO put there must not hang us; it is refused below */
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
	if (fstat(fd, &st) < 0) {
		*why = xasprintf("cannot stat the secrets key '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
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
	errno = 0;
	n = st.st_size == KEY_LEN ? read(fd, key, KEY_LEN) : -1;
	if (n == KEY_LEN)
		n = read(fd, &extra, 1) ? -1 : n;
	if (n != KEY_LEN && errno) {
		sodium_memzero(key, KEY_LEN);
		*why = xasprintf("cannot read the secrets key '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (n != KEY_LEN) {
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

int secretcache_load_key(unsigned char key[KEY_LEN])
{
	char *why = NULL;

	if (!secretcache_read_key(key, 1, &why))
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

/* the record of the latest writes, or NULL with *why set (caller frees) */
static char *latest_path(char **why)
{
	char *dir = xdg_dir_gently("XDG_STATE_HOME", ".local/state", why);
	char *path = dir ? path_join(dir, "secrets-latest") : NULL;

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
	char *path = latest_path(why), *name = path_basename(cache_path), *hex = nonce_hex(nonce);
	struct latest l = { name, NULL, NULL };
	int ret = 1;

	if (!path) {
		ret = 0;
	} else if (ini_read(path, latest_cb, &l) < 0) {
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
	char *why = NULL, *path = latest_path(&why), *name = path_basename(cache_path);
	char *hex = nonce_hex(nonce);
	struct strbuf out = STRBUF_INIT;
	struct latest l = { name, NULL, &out };
	int fd = path ? lock_file(path) : error("%s", why), ret = -1;

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
	free(why);
	free(path);
	free(name);
	return ret;
}

int secretcache_read(const struct secretcache *c, const unsigned char key[KEY_LEN],
		     long long *t, struct op_fields *f, char **why)
{
	unsigned char *buf = NULL, *pt = NULL, *ad = NULL;
	unsigned long long ptlen;
	size_t len = 0, cap = 0, adlen = HEADER_LEN + c->idlen;
	struct stat st;
	int fd, ret = -1;

	fd = open(c->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*why = xstrdup(errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why = xstrdup(strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
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
	make_ad(ad, c->id, c->idlen);
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
		if (is_latest(c->path, buf + HEADER_LEN, why))
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

int secretcache_write(const struct secretcache *c, const unsigned char key[KEY_LEN],
		      long long t, const struct op_fields *f)
{
	char *dir = path_dirname(c->path);
	unsigned char *data;
	size_t len;
	int ret;

	if (mkdir_p(dir, 0700) < 0) {
		ret = error_errno("cannot create directory '%s'", dir);
		free(dir);
		return ret;
	}
	free(dir);
	data = seal(key, c->id, c->idlen, t, f, &len);
	if (len > MAX_CACHE_SIZE)
		ret = error("the secrets are larger than %u bytes; not caching them", MAX_CACHE_SIZE);
	else
		ret = write_file_atomic(c->path, data, len, 0600);
	/* a cache not recorded as the latest is refused: a failed record fails the write */
	if (!ret && record_latest(c->path, data + HEADER_LEN) < 0) {
		unlink(c->path);
		ret = -1;
	}
	free(data);
	return ret;
}
