/* op.c: asking the 1Password CLI for an item and reading its answer (op.h). */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "op.h"
#include "run.h"
#include "strbuf.h"
#include "util.h"

void op_fields_add(struct op_fields *f, const char *label, const char *value)
{
	ALLOC_GROW(f->v, f->nr + 1, f->alloc);
	f->v[f->nr].label = xstrdup(label);
	/* the copy of the value: wiped by op_fields_clear() */
	f->v[f->nr].value = xstrdup(value);
	f->nr++;
}

const char *op_fields_get(const struct op_fields *f, const char *label)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (!strcmp(f->v[i].label, label))
			return f->v[i].value;
	return NULL;
}

void op_fields_clear(struct op_fields *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		free(f->v[i].label);
		free_secret(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->nr = f->alloc = 0;
}

/*
 * jansson keeps its own copies of every string it parses, and of the
 * buffers it grows while lexing; wipe them all when it lets go of them.
 */
static void wiping_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void wipe_json_allocations(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}

/* the value of the one field labelled label, or NULL with why set */
static const char *find_field(json_t *fields, const struct op_ref *ref, const char *label,
			      struct strbuf *why)
{
	const char *found = NULL;
	size_t i;
	json_t *f;

	json_array_foreach(fields, i, f) {
		const char *l = json_string_value(json_object_get(f, "label"));
		json_t *v = json_object_get(f, "value");

		if (!l || strcmp(l, label) || !json_is_string(v))
			continue;
		if (found) {
			strbuf_addf(why, "1Password item '%s' has more than one field labelled '%s': "
				    "rename one of them", ref->item, label);
			return NULL;
		}
		/* jansson's copy of the value, wiped by wiping_free() on json_decref() */
		found = json_string_value(v);
	}
	if (!found)
		strbuf_addf(why, "1Password item '%s' has no field '%s' with a value: add it to the item, "
			    "or fix [secret \"%s\"] in .gitsandbox", ref->item, label, label);
	return found;
}

/* op_parse_item(), the message in why instead of printed */
static int parse_item(const char *json, size_t len, const struct op_ref *ref,
		      const char *const *want, size_t nwant, struct op_fields *out,
		      struct strbuf *why)
{
	json_error_t jerr;
	json_t *root, *fields;
	size_t i;
	int ret = -1;

	wipe_json_allocations();
	root = json_loadb(json, len, 0, &jerr);
	if (!root) {
		/* jerr.text may quote the input, which holds secrets: give only the place */
		strbuf_addf(why, "the 1Password CLI printed invalid JSON for item '%s' (line %d, column %d)",
			    ref->item, jerr.line, jerr.column);
		sodium_memzero(&jerr, sizeof(jerr));
		return -1;
	}
	fields = json_object_get(root, "fields");
	if (!json_is_array(fields)) {
		strbuf_addf(why, "the 1Password CLI printed no \"fields\" array for item '%s'", ref->item);
		goto out;
	}
	for (i = 0; i < nwant; i++) {
		const char *value = find_field(fields, ref, want[i], why);

		if (!value)
			goto out;
		op_fields_add(out, want[i], value);
	}
	ret = 0;
out:
	if (ret)
		op_fields_clear(out);
	json_decref(root);
	return ret;
}

int op_parse_item(const char *json, size_t len, const struct op_ref *ref,
		  const char *const *want, size_t nwant, struct op_fields *out)
{
	struct strbuf why = STRBUF_INIT;
	int ret = parse_item(json, len, ref, want, nwant, out, &why);

	if (ret)
		error("%s", why.buf);
	strbuf_release(&why);
	return ret;
}

static int op_timeout_ms(void)
{
	const char *s = getenv("GIT_SANDBOX_OP_TIMEOUT");
	char *end;
	double secs;

	if (!s || !*s)
		return OP_DEFAULT_TIMEOUT_MS;
	errno = 0;
	secs = strtod(s, &end);
	if (errno || *end || !(secs > 0) || secs > 86400) {
		warning("ignoring GIT_SANDBOX_OP_TIMEOUT='%s': not a number of seconds", s);
		return OP_DEFAULT_TIMEOUT_MS;
	}
	return secs * 1000 < 1 ? 1 : (int)(secs * 1000);
}

/* op's message without the "[ERROR] 2024/01/02 03:04:05 " in front */
static const char *op_message(struct strbuf *err)
{
	const char *p = err->buf;

	strbuf_rtrim(err);
	if (starts_with(p, "[ERROR] ")) {
		p += strlen("[ERROR] ");
		/* date and time: two words */
		if (strlen(p) > 20 && p[4] == '/' && p[10] == ' ' && p[13] == ':' && p[19] == ' ')
			p += 20;
	}
	return *p ? p : "(no message)";
}

static int any_of(const char *msg, const char *const *signs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasestr(msg, signs[i]))
			return 1;
	return 0;
}

static int signed_out(const char *msg)
{
	static const char *const signs[] = {
		"not currently signed in",
		"are not signed in",
		"account is not signed in",
		"session expired",
		"no accounts configured",
		"authorization prompt dismissed",
		"authorization timeout",
		"invalid session token",
	};

	return any_of(msg, signs, ARRAY_SIZE(signs));
}

/* what Go's net package says when 1Password's servers cannot be reached */
static int unreachable(const char *msg)
{
	static const char *const signs[] = {
		"no such host",
		"connection refused",
		"network is unreachable",
		"host is unreachable",
		"i/o timeout",
		"tls handshake timeout",
		"temporary failure in name resolution",
		"connection reset by peer",
	};

	return any_of(msg, signs, ARRAY_SIZE(signs));
}

/* why op failed, into why; OP_UNAVAILABLE or OP_FAILED */
static int report_failure(const struct op_ref *ref, int status, int err, struct child *c,
			  struct strbuf *why)
{
	const char *msg;

	if (status < 0 && err == ENOENT) {
		strbuf_addstr(why, "the 1Password CLI 'op' is not installed");
		return OP_UNAVAILABLE;
	}
	if (status < 0) {
		strbuf_addf(why, "cannot run the 1Password CLI 'op': %s", strerror(err));
		return OP_UNAVAILABLE;
	}
	if (c->timed_out && c->out.len > OP_MAX_OUTPUT) {
		strbuf_addf(why, "the 1Password CLI 'op' printed more than %u bytes for item '%s'; refusing it",
			    OP_MAX_OUTPUT, ref->item);
		return OP_FAILED;
	}
	if (c->timed_out) {
		strbuf_addf(why, "the 1Password CLI 'op' did not answer within %g seconds: check "
			    "'op whoami', or set GIT_SANDBOX_OP_TIMEOUT to wait longer",
			    c->timeout_ms / 1000.0);
		return OP_UNAVAILABLE;
	}
	msg = op_message(&c->err);
	if (signed_out(msg)) {
		strbuf_addstr(why, "1Password CLI is not signed in: run 'op signin' "
			      "(or set OP_SERVICE_ACCOUNT_TOKEN)");
		return OP_UNAVAILABLE;
	}
	if (unreachable(msg)) {
		strbuf_addf(why, "1Password cannot be reached: %s", msg);
		return OP_UNAVAILABLE;
	}
	if (strstr(msg, "isn't a vault") && ref->vault && *ref->vault)
		strbuf_addf(why, "1Password vault '%s' not found: fix secrets.vault in .gitsandbox",
			    ref->vault);
	else if (strstr(msg, "isn't an item"))
		strbuf_addf(why, "1Password item '%s' not found: fix secrets.item in .gitsandbox",
			    ref->item);
	else if (strstr(msg, "More than one item matches")) {
		const char *list = strchr(msg, '\n');

		strbuf_addf(why, "1Password item '%s' is ambiguous, more than one item has that name: "
			    "set secrets.vault in .gitsandbox, or use the item's ID as secrets.item%s",
			    ref->item, list ? list : "");
	} else if (status > 128 && !c->err.len)
		strbuf_addf(why, "the 1Password CLI 'op' was killed by signal %d", status - 128);
	else
		strbuf_addf(why, "the 1Password CLI 'op' failed (exit status %d): %s", status, msg);
	return OP_FAILED;
}

void op_fetch_start(struct op_call *call, const struct op_ref *ref)
{
	struct child *c = &call->c;
	int n = 0;

	memset(call, 0, sizeof(*call));
	call->ref = *ref;
	if (!ref->item || !*ref->item || ref->item[0] == '-') {
		call->invalid = 1;
		return;
	}
	call->argv[n++] = "op";
	call->argv[n++] = "item";
	call->argv[n++] = "get";
	call->argv[n++] = ref->item;
	if (ref->vault && *ref->vault) {
		call->argv[n++] = "--vault";
		call->argv[n++] = ref->vault;
	}
	if (ref->account && *ref->account) {
		call->argv[n++] = "--account";
		call->argv[n++] = ref->account;
	}
	call->argv[n++] = "--format";
	call->argv[n++] = "json";
	call->argv[n] = NULL;

	c->argv = call->argv;
	c->no_stdin = 1;
	c->capture_out = 1;
	c->capture_err = 1;
	c->timeout_ms = op_timeout_ms();
	c->max_out = OP_MAX_OUTPUT;
	/*
	 * op's stdout is the item with every value in it: captured into c.out
	 * without leaving copies behind, wiped in op_fetch_finish(). Its
	 * stderr should hold no value, but is treated the same.
	 */
	c->secret = 1;
	if (start_command(c) < 0) {
		call->start_status = -1;
		call->start_errno = errno;
	}
}

int op_fetch_finish(struct op_call *call, const char *const *want, size_t nwant,
		    struct op_fields *out, struct strbuf *why)
{
	const struct op_ref *ref = &call->ref;
	struct child *c = &call->c;
	int status, ret;

	if (call->invalid) {
		strbuf_addf(why, "invalid 1Password item name '%s'", ref->item ? ref->item : "");
		return OP_FAILED;
	}
	status = call->start_status < 0 ? -1 : finish_command(c);
	if (status)
		ret = report_failure(ref, status, call->start_errno, c, why);
	else
		ret = parse_item(c->out.buf, c->out.len, ref, want, nwant, out, why) ? OP_FAILED : 0;
	strbuf_release_secret(&c->out);
	strbuf_release_secret(&c->err);
	/* what the child's reader and jansson's lexer left on the stack */
	wipe_stack();
	return ret;
}

int op_fetch(const struct op_ref *ref, const char *const *want, size_t nwant,
	     struct op_fields *out, struct strbuf *why)
{
	struct op_call call;

	op_fetch_start(&call, ref);
	return op_fetch_finish(&call, want, nwant, out, why);
}
