/*
 * Unit tests for the command table (git-sandbox/cmd.h): every command has
 * a manual page whose SYNOPSIS is its usage lines, and an entry in both
 * completion files. Run from the top of the source tree (make unit-check).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strbuf.h"
#include "unit.h"
#include "util.h"

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* one line of roff as text: fonts gone, escapes resolved, blanks squeezed */
static void unroff(struct strbuf *out, const char *s, size_t len)
{
	const char *end = s + len;

	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end) {
			s++;
			if (*s == 'f' && s + 1 < end)
				s++;			/* \fB \fI \fR \fP */
			else if (*s == '-' || *s == ' ')
				strbuf_addch(out, *s);
			else if (*s == 'e')
				strbuf_addch(out, '\\');
			/* \& and \| are nothing */
			continue;
		}
		if ((*s == ' ' || *s == '\t') && (!out->len || out->buf[out->len - 1] == ' '))
			continue;
		strbuf_addch(out, *s == '\t' ? ' ' : *s);
	}
	strbuf_rtrim(out);
}

/*
 * The SYNOPSIS of page, one synopsis a line ("git sandbox ..."); a line
 * that does not start so continues the one above (as t8000 reads it).
 */
static int synopsis(const char *page, struct strbuf *out)
{
	char *text = slurp(page), *p, *eol;
	int in = 0;

	if (!text)
		return -1;
	for (p = text; *p; p = *eol ? eol + 1 : eol) {
		struct strbuf line = STRBUF_INIT;

		eol = strchrnul(p, '\n');
		if (!strncmp(p, ".SH", 3)) {
			if (in)
				break;
			in = strstr(p, "SYNOPSIS") && strstr(p, "SYNOPSIS") < eol;
			continue;
		}
		if (!in || *p == '.' || *p == '\'')
			continue;
		unroff(&line, p, eol - p);
		if (line.len) {
			if (out->len && strncmp(line.buf, "git sandbox", 11))
				strbuf_addch(out, ' ');
			else if (out->len)
				strbuf_addch(out, '\n');
			strbuf_add(out, line.buf, line.len);
		}
		strbuf_release(&line);
	}
	free(text);
	if (out->len)
		strbuf_addch(out, '\n');
	return 0;
}

START_TEST(test_man_synopsis)
{
	size_t i, j;

	for (i = 0; cmd_table[i]; i++) {
		const struct cmd_entry *e = cmd_table[i];
		struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
		char *page = xasprintf("man/git-sandbox-%s.1", e->name);

		for (j = 0; e->usage[j]; j++) {
			unroff(&want, e->usage[j], strlen(e->usage[j]));
			strbuf_addch(&want, '\n');
		}
		ck_assert_msg(!synopsis(page, &got), "%s: no manual page %s", e->name, page);
		ck_assert_msg(!strcmp(want.buf, got.buf), "%s: SYNOPSIS of %s\n%s differs from its usage\n%s",
			      e->name, page, got.buf, want.buf);
		ck_assert_msg(e->help && *e->help, "%s: no help line", e->name);
		for (j = 0; e->opts[j].type != OPT_END; j++)
			ck_assert_msg(e->opts[j].help && *e->opts[j].help, "%s: option %d without help",
				      e->name, (int)j);
		free(page);
		strbuf_release(&want);
		strbuf_release(&got);
	}
}
END_TEST

/* name is a label of a case arm in text: a line "<name>)" or "a|<name>|b)" */
static int has_case_arm(const char *text, const char *name)
{
	const char *p = text;
	size_t len = strlen(name);

	while (*p) {
		const char *eol = strchrnul(p, '\n'), *w, *end;
		size_t n;

		p += strspn(p, " \t");
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz-|");
		if (p + n < eol && p[n] == ')') {
			for (w = p; w < p + n; w = end + 1) {
				end = memchr(w, '|', p + n - w);
				if (!end)
					end = p + n;
				if ((size_t)(end - w) == len && !strncmp(w, name, len))
					return 1;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

START_TEST(test_completion)
{
	const char *files[] = { "contrib/completion/git-sandbox.bash", "contrib/completion/_git-sandbox" };
	size_t i, f;

	for (f = 0; f < ARRAY_SIZE(files); f++) {
		char *text = slurp(files[f]);

		ck_assert_msg(text != NULL, "cannot read %s", files[f]);
		for (i = 0; cmd_table[i]; i++)
			ck_assert_msg(has_case_arm(text, cmd_table[i]->name), "%s: no completion entry in %s",
				      cmd_table[i]->name, files[f]);
		ck_assert(!has_case_arm(text, "no-such-command"));
		free(text);
	}
}
END_TEST

START_TEST(test_find)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		ck_assert_ptr_eq(cmd_find(cmd_table[i]->name), cmd_table[i]);
	ck_assert_ptr_null(cmd_find("no-such-command"));
	ck_assert_ptr_null(cmd_find(""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdtable");
	TCase *tc = tcase_create("cmdtable");

	tcase_add_test(tc, test_man_synopsis);
	tcase_add_test(tc, test_completion);
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
