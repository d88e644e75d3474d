/*
 * secrets.h: the secrets policy and their encrypted cache.
 *
 * The values of [secret "<name>"] come from the fields of one 1Password
 * item (lib/op.h), fetched with one op call and cached encrypted
 * (XChaCha20-Poly1305) under ${XDG_CACHE_HOME:-~/.cache}/git-sandbox/, one
 * file per (account, vault, item), for secrets.ttl. The key is 32 random
 * bytes in ${XDG_CONFIG_HOME:-~/.config}/git-sandbox/key, created 0600 on
 * first use. Plaintext values live only in memory that is wiped when freed;
 * nothing here prints a value, and chatter goes to stderr.
 */
#ifndef SB_SECRETS_H
#define SB_SECRETS_H

#include <stddef.h>

#include "config.h"

#define SECRETS_REFRESH  (1 << 0)	/* ask 1Password now, rewrite the cache */
#define SECRETS_DEFAULTS (1 << 1)	/* --no-secrets: each secret's default, no op, no key */

struct secret {
	char *name;	/* [secret "<name>"]: the field label in the item */
	char *var;	/* environment variable */
	char *value;	/* NULL: leave var unset (--no-secrets, no default) */
};

struct secret_set {
	struct secret *v;	/* in the order of cfg->secrets */
	size_t nr;
	const char *source;	/* "none" (no secrets.item), "cache", "1password" or "defaults" */
	long long fetched_at;	/* unix time op was asked; 0 for "none" and "defaults" */
};

#define SECRET_SET_INIT { NULL, 0, "none", 0 }

/*
 * Fill out with the secrets cfg asks for (out need not be initialised).
 *
 * Without flags: a cache younger than cfg->secrets_ttl is used and op is
 * not called; otherwise exactly one op call, and the cache is rewritten.
 * A cache that cannot be decrypted or parsed is ignored with a warning. No
 * secrets.item (or no [secret]): an empty set, no op call.
 *
 * SECRETS_DEFAULTS uses each secret's default and says so on stderr; a
 * secret without a default gets value NULL, so that the caller leaves its
 * variable unset and compose's own ${VAR:-...} / ${VAR:?...} apply (a note
 * names those variables). op and the key are not touched.
 *
 * Also turns core dumps off for the rest of the process. Returns 0, or -1
 * after printing an error that says what to do; out is then empty.
 */
int secrets_load(const struct sb_config *cfg, int flags, struct secret_set *out);

/* Wipe every value and free the set; it is left empty ("none"). */
void secret_set_free(struct secret_set *set);

/*
 * "VAR=value" for a child's environment (struct child.env), or "VAR" when
 * the value is NULL (unset it). Built without stdio, so no copy of the
 * value is left behind; the caller frees it with free_secret().
 */
char *secret_env(const struct secret *s);

/* The secret called name in set, or NULL. */
const struct secret *secret_set_find(const struct secret_set *set, const char *name);

/*
 * Hex BLAKE2b of the secret's value keyed with the cache key: equal values
 * give equal fingerprints on this machine, and a fingerprint reveals
 * nothing without the key. For "this secret changed since the last up".
 * Returns a new string, or NULL if name is not in set, its value is NULL,
 * or the key cannot be had (an error is printed in that last case).
 */
char *secrets_fingerprint(const struct secret_set *set, const char *name);

enum secrets_cache_state {
	SECRETS_CACHE_NONE,	/* no cache file */
	SECRETS_CACHE_OK,	/* decrypted and parsed */
	SECRETS_CACHE_INVALID,	/* present but unusable: see why */
};

struct secrets_status {
	int configured;		/* secrets.item is set; nothing below is filled otherwise */
	char *item, *vault, *account;	/* vault, account: NULL when unset */
	char *cache_path;
	enum secrets_cache_state cache;
	char *why;		/* SECRETS_CACHE_INVALID: the reason */
	long long fetched_at;	/* SECRETS_CACHE_OK: unix time of the fetch, else 0 */
	long long age_seconds;	/* SECRETS_CACHE_OK: now - fetched_at, else -1 */
	int fresh;		/* cache usable without asking op (age < ttl, all names in it) */
	char **names;		/* configured secret names, in order (never values) */
	int *cached;		/* cached[i]: names[i] is in the cache */
	size_t nnames;
};

/*
 * Describe cfg's cache without changing anything: the key is read but never
 * created, op is never called, nothing is printed. 0, or -1 only when the
 * cache directory cannot be determined (error printed).
 */
int secrets_status(const struct sb_config *cfg, struct secrets_status *st);
void secrets_status_free(struct secrets_status *st);

/*
 * Delete cfg's cache file. Returns 1 if one was deleted, 0 if there was
 * none (or no secrets.item), -1 after printing an error.
 */
int secrets_clear(const struct sb_config *cfg);

/* The path of the key and of cfg's cache file (newly allocated; for messages, doctor, tests). */
char *secrets_key_path(void);
char *secrets_cache_path(const struct sb_config *cfg);

#endif
