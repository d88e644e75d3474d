/*
 * op.h: the one place that talks to the 1Password CLI `op`.
 *
 * A fetch is exactly one `op item get <item> [--vault V] [--account A]
 * --format json` call; op inherits our environment unchanged (so
 * OP_SERVICE_ACCOUNT_TOKEN, OP_SESSION_* and friends just work), gets no
 * stdin, and is killed after GIT_SANDBOX_OP_TIMEOUT seconds (default 60)
 * or when it prints more than OP_MAX_OUTPUT bytes. Messages name no
 * command or option of ours: the caller adds that advice.
 */
#ifndef SB_OP_H
#define SB_OP_H

#include <stddef.h>

#include "run.h"
#include "strbuf.h"

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

/* how a fetch failed */
#define OP_FAILED (-1)		/* op answered no (no such item or field, bad output) */
#define OP_UNAVAILABLE (-2)	/* op could not be asked: missing, signed out, offline, no answer */

/*
 * Fetch ref's item and keep the fields whose labels are in want[0..nwant).
 * out gets them in the order of want. Returns 0, or OP_FAILED or
 * OP_UNAVAILABLE with why set to a message that says what to do (sign in,
 * fix .gitsandbox); nothing is printed. op's stdout is wiped after parsing.
 */
int op_fetch(const struct op_ref *ref, const char *const *want, size_t nwant,
	     struct op_fields *out, struct strbuf *why);

/* one op call running while we do something else */
struct op_call {
	struct op_ref ref;	/* its strings must outlive the call */
	const char *argv[12];
	struct child c;
	int invalid;		/* not a name to give op: never started */
	int start_status, start_errno;	/* -1 and why: op could not be started */
};

/*
 * op_fetch() in two halves: op_fetch_start() starts op and returns at
 * once; op_fetch_finish() collects it, as op_fetch() returns. op's
 * timeout counts from op_fetch_finish(). Every started call is finished
 * (a process that exits first leaves op to finish on its own).
 */
void op_fetch_start(struct op_call *call, const struct op_ref *ref);
int op_fetch_finish(struct op_call *call, const char *const *want, size_t nwant,
		    struct op_fields *out, struct strbuf *why);

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
