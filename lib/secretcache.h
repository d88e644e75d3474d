/*
 * secretcache.h: the secrets key and the encrypted cache of one item.
 *
 * Owns three files and their format, nothing about when to use them:
 *
 *  - the key, 32 random bytes in ${XDG_CONFIG_HOME:-~/.config}/git-sandbox/key,
 *    created 0600 (in a directory others cannot write) on first use, and
 *    refused when it is a link, not a regular file, not yours, readable by
 *    others or not 32 bytes;
 *  - the cache of one 1Password item (account, vault, item), encrypted with
 *    XChaCha20-Poly1305 under ${XDG_CACHE_HOME:-~/.cache}/git-sandbox/, its
 *    fields and the time they were fetched;
 *  - the record of each cache's latest write, in
 *    ${XDG_STATE_HOME:-~/.local/state}/git-sandbox/secrets-latest, so that
 *    an earlier copy of a cache put back is refused.
 *
 * The ttl, asking op and what to tell the user are the policy's (secrets.h).
 * Plaintext made here is wiped before it is freed; the caller wipes the key
 * it was given (sodium_memzero) and the fields (op_fields_clear).
 */
#ifndef SB_SECRETCACHE_H
#define SB_SECRETCACHE_H

#include <stddef.h>

#include "config.h"
#include "op.h"

#define SECRETCACHE_KEY_LEN 32	/* crypto_aead_xchacha20poly1305_ietf_KEYBYTES */

/* Initialise libsodium, before any other use of it: 0, or -1 after an error. */
int secretcache_crypto_init(void);

/*
 * The path of the key (newly allocated; for messages, doctor, tests), or
 * NULL after an error (no home directory).
 */
char *secrets_key_path(void);

/*
 * Read the key into key[]. With create, make it (and its directory) if it
 * does not exist. Returns 0, or -1 with *why set to a message saying what
 * is wrong and what to do (caller frees); no key is left in key[].
 */
int secretcache_read_key(unsigned char key[SECRETCACHE_KEY_LEN], int create, char **why);

/* secretcache_read_key(key, 1, ...), the reason printed with error(). */
int secretcache_load_key(unsigned char key[SECRETCACHE_KEY_LEN]);

/*
 * The path of cfg's cache file (newly allocated), or NULL when cfg has no
 * secrets.item (or, after an error, when libsodium cannot be initialised
 * or there is no home directory).
 */
char *secrets_cache_path(const struct sb_config *cfg);

/* The cache of cfg's item: cfg must have a secrets.item. */
struct secretcache {
	char *path;
	char *id;	/* "account\0vault\0item", authenticated with the contents */
	size_t idlen;
};

/* 0, or -1 after an error (c is then empty) */
int secretcache_init(struct secretcache *c, const struct sb_config *cfg);
void secretcache_release(struct secretcache *c);

/*
 * Read and decrypt the cache. Returns 1 with *t (the fetch time) and f
 * filled, 0 if there is no cache, -1 with *why set (caller frees) if it is
 * unusable: not a regular file of ours, too large, damaged, of another
 * version, key or item, or not its latest write.
 */
int secretcache_read(const struct secretcache *c, const unsigned char key[SECRETCACHE_KEY_LEN],
		     long long *t, struct op_fields *f, char **why);

/*
 * Write f, fetched at time t, as the cache (atomically, 0600) and record
 * the write as its latest. 0, or -1 after an error (a cache whose write
 * could not be recorded is removed).
 */
int secretcache_write(const struct secretcache *c, const unsigned char key[SECRETCACHE_KEY_LEN],
		      long long t, const struct op_fields *f);

#endif
