/*
 * op.h: the one place that talks to the 1Password CLI `op`.
 *
 * A fetch is exactly one `op item get <item> [--vault V] [--account A]
 * --format json` call; op inherits our environment unchanged (so
 * OP_SERVICE_ACCOUNT_TOKEN, OP_SESSION_* and friends just work), gets no
 * stdin, and is killed after GIT_SANDBOX_OP_TIMEOUT seconds (default 60)
 * or when it prints more than OP_MAX_OUTPUT bytes.
 */
#ifndef SB_OP_H
#define SB_OP_H

#include <stddef.h>

#define OP_DEFAULT_TIMEOUT_MS 60000
#define OP_MAX_OUTPUT (4u << 20)

/* which item: vault and account may be NULL (or "") for op's defaults */
struct op_ref {
	const char *item;
	const char *vault;
	const char *account;
};

struct op_field {
	char *label;
	char *value;	/* a secret: wiped by op_fields_clear() */
};

struct op_fields {
	struct op_field *v;
	size_t nr, alloc;
};

#define OP_FIELDS_INIT { NULL, 0, 0 }

/*
 * Fetch ref's item and keep the fields whose labels are in want[0..nwant).
 * out gets them in the order of want. Returns 0, or -1 after printing an
 * error that says what to do (sign in, fix .gitsandbox, --no-secrets).
 * op's stdout is wiped after parsing.
 */
int op_fetch(const struct op_ref *ref, const char *const *want, size_t nwant,
	     struct op_fields *out);

/*
 * Parse the JSON that `op item get --format json` prints (json, len bytes,
 * need not be NUL-terminated). Fields are matched by "label"; a field whose
 * "value" is absent or not a string does not count. A wanted label that is
 * missing, or that two fields with values share, is an error naming the
 * field and ref->item. Error messages never quote the input. Returns 0 or
 * -1 after printing an error; on error out is left empty.
 */
int op_parse_item(const char *json, size_t len, const struct op_ref *ref,
		  const char *const *want, size_t nwant, struct op_fields *out);

/* Add a copy of label/value to f (for the cache reader and tests). */
void op_fields_add(struct op_fields *f, const char *label, const char *value);
/* Value of label in f, or NULL. */
const char *op_fields_get(const struct op_fields *f, const char *label);
/* Wipe the values, free everything, leave f empty and reusable. */
void op_fields_clear(struct op_fields *f);

#endif
