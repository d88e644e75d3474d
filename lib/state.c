/* state.c: one sandbox's own record, in its worktree's private git dir (state.h) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "gitconfig.h"
#include "inifile.h"
#include "lock.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

char *state_path(const char *gitdir, int is_main)
{
	return path_join(gitdir, is_main ? "sandbox" : "config");
}

static int set_sandbox(struct sb_state *st, const char *key, const char *value)
{
	if (!strcmp(key, "name")) {
		free(st->name);
		st->name = xstrdup(value);
	} else if (!strcmp(key, "slot")) {
		if (parse_int(value, 0, 1000000, &st->slot) < 0)
			return -1;
	} else if (!strcmp(key, "project")) {
		free(st->project);
		st->project = xstrdup(value);
	} else if (!strcmp(key, "created")) {
		if (parse_int(value, 0, 1L << 40, &st->created) < 0)
			return -1;
	}
	return 0;
}

struct reading {
	struct sb_state *st;
	int format;		/* [sandbox] format was read */
	struct strbuf why;
};

static int sandbox_value(struct reading *r, const char *key, const char *value, int line)
{
	long format;

	if (!strcmp(key, "format")) {
		r->format = 1;
		if (parse_int(value, 1, 1000000, &format) < 0 || format != STATE_FORMAT) {
			strbuf_addf(&r->why, "line %d: format %s, not %d (written by a newer version?)",
				    line, value, STATE_FORMAT);
			return -1;
		}
	} else if (set_sandbox(r->st, key, value) < 0) {
		strbuf_addf(&r->why, "line %d: bad sandbox.%s", line, key);
		return -1;
	}
	return 0;
}

/* key: "section[.sub].name", as gitconfig_parse() gives it */
static int value_read(const char *key, const char *value, int line, void *data)
{
	struct reading *r = data;
	const char *dot = strchr(key, '.'), *last = strrchr(key, '.');
	char *section = xstrndup(key, dot - key);
	char *sub = last > dot ? xstrndup(dot + 1, last - dot - 1) : NULL;
	int ret = 0;

	if (!value)
		value = "true";	/* a bare key, as git reads it */
	if (!strcmp(section, "sandbox")) {
		/* [sandbox "<sub>"] is no part of the state: left out */
		if (!sub)
			ret = sandbox_value(r, last + 1, value, line);
	} else if (!gitconfig_name(section)) {
		strbuf_addf(&r->why, "line %d: bad section name '%s'", line, section);
		ret = -1;
	} else {
		state_set_sub(r->st, section, sub, last + 1, value);
	}
	free(section);
	free(sub);
	return ret;
}

/*
 * The first format: a flat INI (read with inih, values percent-encoded).
 * Ports were "[port] <group> = <VAR> <port>..." ("- = none": no ports),
 * fingerprints "[secrets] <label> = <fingerprint>"; the other sections had
 * names as keys already.
 */
static int legacy_section(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n && !s[n] && n <= INI_SECTION_MAX && strcmp(s, "sandbox");
}

static int legacy_read(void *data, const char *section, const char *key, const char *value)
{
	struct sb_state *st = data;

	if (!strcmp(section, "sandbox"))
		return set_sandbox(st, key, value) == 0;
	if (!legacy_section(section))
		return 0;
	if (!strcmp(section, "port") && !strcmp(key, "-") && !strcmp(value, "none"))
		state_set(st, "ports", "none", "true");
	else if (!strcmp(section, "port") && !strchr(key, '\n'))
		state_set_sub(st, "port", key, "lease", value);
	else if (!strcmp(section, "secrets") && !strchr(key, '\n'))
		state_set_sub(st, "secret", key, "fingerprint", value);
	else if (gitconfig_name(section) && gitconfig_name(key))
		state_set(st, section, key, value);
	/* anything else was never the tool's: left out */
	return 1;
}

static void init(struct sb_state *st)
{
	memset(st, 0, sizeof(*st));
	st->slot = -1;
}

int state_read(const char *path, struct sb_state *st)
{
	struct reading r = { st, 0, STRBUF_INIT };
	size_t len;
	char *text = read_file(path, &len);
	int ret, line;

	init(st);
	if (!text) {
		if (errno == ENOENT)
			return 1;
		return error("cannot read '%s': %s", path, read_file_strerror(errno));
	}
	ret = gitconfig_parse(text, len, value_read, &r, &r.why);
	if (!r.format) {
		/* no format: the first one, written before git-config syntax */
		state_free(st);
		init(st);
		if (strlen(text) != len)
			ret = error("'%s' is corrupt: it contains a NUL byte", path);
		else if (ini_read_string(text, legacy_read, st, &line) < 0)
			ret = error("'%s' is corrupt at line %d", path, line);
		else
			ret = 0;
	} else if (ret) {
		ret = error("the sandbox state '%s' is corrupt: %s", path, r.why.buf);
	}
	free(text);
	strbuf_release(&r.why);
	if (!ret && (!st->name || st->slot < 0 || !st->project))
		ret = error("the sandbox state '%s' is incomplete (needs name, slot and project)", path);
	if (ret)
		state_free(st);
	return ret;
}

static int same_sub(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int state_write(const char *path, const struct sb_state *st)
{
	struct strbuf sb = STRBUF_INIT;
	const struct state_kv *prev = NULL;
	char num[32];
	size_t i;
	int ret;

	strbuf_addstr(&sb, "# git-sandbox state of this worktree (written by git-sandbox; git-config syntax)\n");
	gitconfig_add_section(&sb, "sandbox", NULL);
	snprintf(num, sizeof(num), "%d", STATE_FORMAT);
	gitconfig_add(&sb, "format", num);
	gitconfig_add(&sb, "name", st->name);
	snprintf(num, sizeof(num), "%ld", st->slot);
	gitconfig_add(&sb, "slot", num);
	gitconfig_add(&sb, "project", st->project);
	snprintf(num, sizeof(num), "%ld", st->created);
	gitconfig_add(&sb, "created", num);
	for (i = 0; i < st->nextra; i++) {
		const struct state_kv *kv = &st->extra[i];

		if (kv->sub && strchr(kv->sub, '\n')) {
			strbuf_release(&sb);
			return error("refusing to write '%s': the name '%s' has a newline", path, kv->sub);
		}
		if (!prev || strcmp(prev->section, kv->section) || !same_sub(prev->sub, kv->sub))
			gitconfig_add_section(&sb, kv->section, kv->sub);
		gitconfig_add(&sb, kv->key, kv->value);
		prev = kv;
	}
	if (sb.len > READ_FILE_MAX)
		ret = error("refusing to write '%s': it would be larger than %zu bytes",
			    path, READ_FILE_MAX);
	else
		ret = write_file_atomic(path, sb.buf, sb.len, 0644);
	strbuf_release(&sb);
	return ret;
}

void state_free(struct sb_state *st)
{
	size_t i;

	free(st->name);
	free(st->project);
	for (i = 0; i < st->nextra; i++) {
		free(st->extra[i].section);
		free(st->extra[i].sub);
		free(st->extra[i].key);
		free(st->extra[i].value);
	}
	free(st->extra);
	memset(st, 0, sizeof(*st));
}

static int match(const struct state_kv *kv, const char *section, const char *sub)
{
	return !strcmp(kv->section, section) && same_sub(kv->sub, sub);
}

const char *state_get_sub(const struct sb_state *st, const char *section, const char *sub,
			  const char *key)
{
	size_t i;

	for (i = 0; i < st->nextra; i++)
		if (match(&st->extra[i], section, sub) && !strcmp(st->extra[i].key, key))
			return st->extra[i].value;
	return NULL;
}

const char *state_get(const struct sb_state *st, const char *section, const char *key)
{
	return state_get_sub(st, section, NULL, key);
}

void state_set_sub(struct sb_state *st, const char *section, const char *sub, const char *key,
		   const char *value)
{
	size_t i, at = st->nextra;

	if (!gitconfig_name(section) || !strcmp(section, "sandbox") || !gitconfig_name(key))
		die("BUG: bad state key '%s.%s'", section, key);
	for (i = 0; i < st->nextra; i++) {
		struct state_kv *kv = &st->extra[i];

		if (match(kv, section, sub) && !strcmp(kv->key, key)) {
			free(kv->value);
			if (value) {
				kv->value = xstrdup(value);
			} else {
				free(kv->section);
				free(kv->sub);
				free(kv->key);
				memmove(kv, kv + 1, (st->nextra - i - 1) * sizeof(*st->extra));
				st->nextra--;
			}
			return;
		}
		if (match(kv, section, sub))
			at = i + 1;	/* keep a section's keys together */
	}
	if (!value)
		return;
	st->extra = xrealloc(st->extra, (st->nextra + 1) * sizeof(*st->extra));
	memmove(&st->extra[at + 1], &st->extra[at], (st->nextra - at) * sizeof(*st->extra));
	st->extra[at].section = xstrdup(section);
	st->extra[at].sub = sub ? xstrdup(sub) : NULL;
	st->extra[at].key = xstrdup(key);
	st->extra[at].value = xstrdup(value);
	st->nextra++;
}

void state_set(struct sb_state *st, const char *section, const char *key, const char *value)
{
	state_set_sub(st, section, NULL, key, value);
}
