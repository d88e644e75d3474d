/*
 * secrets.h: the secrets policy: when the cache serves and when op is asked.
 *
 * The values of [secret "<name>"] come from the fields of one 1Password
 * item (lib/op.h), fetched with one op call and cached encrypted, one file
 * per (account, vault, item) (the key and the cache: lib/secretcache.h),
 * for secrets.ttl; one older than secrets.recheck is checked against op
 * while the stack starts, and one younger than secrets.maxAge serves when
 * op cannot be asked. Plaintext values live only in memory that is wiped
 * when freed; nothing here prints a value, and chatter goes to stderr.
 */
#ifndef SB_SECRETS_H
#define SB_SECRETS_H

#include <stddef.h>

#include "config.h"
#include "op.h"

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
	int offline;		/* "cache" past secrets.ttl: op could not be asked */
};

#define SECRET_SET_INIT { NULL, 0, "none", 0, 0 }

/*
 * Fill out with the secrets cfg asks for (out need not be initialised).
 *
 * Without flags: a cache younger than cfg->secrets_ttl is used and op is
 * not called; otherwise exactly one op call, and the cache is rewritten.
 * When op cannot be asked (missing, signed out, offline, no answer), a
 * cache younger than cfg->secrets_max_age is used all the same, with a
 * warning that says why (out->offline). A cache that cannot be decrypted
 * or parsed is ignored with a warning. No secrets.item (or no [secret]):
 * an empty set, no op call. SECRETS_REFRESH never uses the cache.
 *
 * SECRETS_DEFAULTS uses each secret's default, quietly (the caller says
 * so); a secret without a default gets value NULL, so that the caller
 * leaves its variable unset and compose's own ${VAR:-...} / ${VAR:?...}
 * apply. op and the key are not touched.
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
 * or the key cannot be had (an error is printed in that last case, but for
 * a set of "defaults", which never makes a key: NULL without one).
 */
char *secrets_fingerprint(const struct secret_set *set, const char *name);

/*
 * Asking op again while the stack starts: a set from a cache older than
 * secrets.recheck (secrets_recheck_due) is used at once, and op is asked
 * in the background (secrets_recheck_start) and collected once the stack
 * is up (secrets_recheck_finish): the cache gets op's answer, and the
 * caller learns which secrets changed. The values used are kept only as
 * hashes keyed with a key of this process, wiped when done.
 */
#define SECRETS_RECHECK_HASH 32

struct secrets_recheck {
	int running;
	struct op_call call;
	const char *const *want;	/* the labels asked for */
	unsigned char hkey[32];
	unsigned char (*hash)[SECRETS_RECHECK_HASH];	/* of each value used, in the set's order */
	int *changed;		/* after finish: changed[i] for cfg->secrets[i] */
	size_t n;
	long long started;	/* when op was asked: the new cache's fetch time */
};

/* Is set from a cache older than cfg->secrets_recheck (and op not known to be unreachable)? */
int secrets_recheck_due(const struct sb_config *cfg, const struct secret_set *set);
/* Start op for cfg's item; set is what the stack gets (from the cache). */
void secrets_recheck_start(const struct sb_config *cfg, const struct secret_set *set,
			   struct secrets_recheck *rc);
/*
 * Wait for op (its timeout counts from here), rewrite the cache with its
 * answer and set rc->changed[]. Returns how many secrets changed (0 when
 * nothing was started), or -1 after a warning saying why op could not
 * tell (the cache is left as it was).
 */
int secrets_recheck_finish(const struct sb_config *cfg, struct secrets_recheck *rc);
void secrets_recheck_free(struct secrets_recheck *rc);

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
 * cache directory cannot be determined or libsodium initialised (error
 * printed).
 */
int secrets_status(const struct sb_config *cfg, struct secrets_status *st);
void secrets_status_free(struct secrets_status *st);

/*
 * Delete cfg's cache file. Returns 1 if one was deleted, 0 if there was
 * none (or no secrets.item), -1 after printing an error.
 */
int secrets_clear(const struct sb_config *cfg);

#endif
