#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"

char *state_path(const char *gitdir, int is_main)
{
	return path_join(gitdir, is_main ? "sandbox" : "config");
}

/*
 * Other sections are named by the tool ("secrets"), never from outside: a
 * plain name that no escaping changes and inih does not cut.
 */
static int valid_section(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n && !s[n] && n <= INI_SECTION_MAX && strcmp(s, "sandbox");
}

static int handler(void *data, const char *section, const char *key, const char *value)
{
	struct sb_state *st = data;

	if (strcmp(section, "sandbox")) {
		if (!valid_section(section))
			return 0;
		state_set(st, section, key, value);
		return 1;
	}
	if (!strcmp(key, "name")) {
		free(st->name);
		st->name = xstrdup(value);
	} else if (!strcmp(key, "slot")) {
		if (parse_int(value, 0, 1000000, &st->slot) < 0)
			return 0;
	} else if (!strcmp(key, "project")) {
		free(st->project);
		st->project = xstrdup(value);
	} else if (!strcmp(key, "created")) {
		if (parse_int(value, 0, 1L << 40, &st->created) < 0)
			return 0;
	}
	return 1;
}

int state_read(const char *path, struct sb_state *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	st->slot = -1;
	ret = ini_read(path, handler, st);
	if (ret)
		return ret;
	if (!st->name || st->slot < 0 || !st->project)
		return error("the sandbox state '%s' is incomplete (needs name, slot and project)", path);
	return 0;
}

int state_write(const char *path, const struct sb_state *st)
{
	struct strbuf sb = STRBUF_INIT;
	const char *sec = NULL;
	size_t i;
	int ret;

	strbuf_addstr(&sb, "# git-sandbox state of this worktree (written by git-sandbox)\n[sandbox]\n");
	ini_add(&sb, "name", st->name);
	strbuf_addf(&sb, "slot = %ld\n", st->slot);
	ini_add(&sb, "project", st->project);
	strbuf_addf(&sb, "created = %ld\n", st->created);
	for (i = 0; i < st->nextra; i++) {
		if (!valid_section(st->extra[i].section))
			die("BUG: bad state section name '%s'", st->extra[i].section);
		if (!sec || strcmp(sec, st->extra[i].section))
			ini_add_section(&sb, sec = st->extra[i].section);
		ini_add(&sb, st->extra[i].key, st->extra[i].value);
	}
	ret = ini_write(path, &sb, 0644);
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
		free(st->extra[i].key);
		free(st->extra[i].value);
	}
	free(st->extra);
	memset(st, 0, sizeof(*st));
}

const char *state_get(const struct sb_state *st, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < st->nextra; i++)
		if (!strcmp(st->extra[i].section, section) && !strcmp(st->extra[i].key, key))
			return st->extra[i].value;
	return NULL;
}

void state_set(struct sb_state *st, const char *section, const char *key, const char *value)
{
	size_t i, at = st->nextra;

	for (i = 0; i < st->nextra; i++) {
		if (!strcmp(st->extra[i].section, section) && !strcmp(st->extra[i].key, key)) {
			free(st->extra[i].value);
			if (value) {
				st->extra[i].value = xstrdup(value);
			} else {
				free(st->extra[i].section);
				free(st->extra[i].key);
				memmove(&st->extra[i], &st->extra[i + 1],
					(st->nextra - i - 1) * sizeof(*st->extra));
				st->nextra--;
			}
			return;
		}
		if (!strcmp(st->extra[i].section, section))
			at = i + 1;	/* keep a section's keys together */
	}
	if (!value)
		return;
	st->extra = xrealloc(st->extra, (st->nextra + 1) * sizeof(*st->extra));
	memmove(&st->extra[at + 1], &st->extra[at], (st->nextra - at) * sizeof(*st->extra));
	st->extra[at].section = xstrdup(section);
	st->extra[at].key = xstrdup(key);
	st->extra[at].value = xstrdup(value);
	st->nextra++;
}
