/* Unit tests for lib/inifile.c: value escaping and parsing of the tool's INI files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "strbuf.h"
#include "unit.h"

static void round_trip(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	char *back;

	ini_escape(&sb, v);
	/* what goes in the file is one line with nothing inih would eat */
	ck_assert_ptr_null(strchr(sb.buf, '\n'));
	ck_assert_ptr_null(strchr(sb.buf, ';'));
	ck_assert_ptr_null(strchr(sb.buf, '#'));
	if (sb.len) {
		ck_assert(sb.buf[0] != ' ' && sb.buf[0] != '\t');
		ck_assert(sb.buf[sb.len - 1] != ' ' && sb.buf[sb.len - 1] != '\t');
	}
	back = ini_unescape(sb.buf);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(back, v);
	free(back);
	strbuf_release(&sb);
}

START_TEST(test_round_trip)
{
	static const char *const values[] = {
		"", "plain", "/home/u/dev/ktrdr--feat", "a;b", "#start", "50%", "%41",
		" lead", "trail ", " both ", "\tx\t", "in ner", "new\nline", "cr\rlf",
		"\x01\x1f\x7f", "=", "a = b", "[section]", "caf\xc3\xa9", "\xff\xfe",
		"100%%", "%", "%%%",
	};
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(*values); i++)
		round_trip(values[i]);
}
END_TEST

START_TEST(test_escape_form)
{
	struct strbuf sb = STRBUF_INIT;

	ini_escape(&sb, " a;b#c%d\n ");
	ck_assert_str_eq(sb.buf, "%20a%3Bb%23c%25d%0A%20");
	strbuf_reset(&sb);
	ini_add(&sb, "path", "/x y/z");
	ck_assert_str_eq(sb.buf, "path = /x y/z\n");
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_unescape_malformed)
{
	static const char *const bad[] = { "%", "a%", "%4", "%4g", "%zz", "%G0", "x%00y", "%-1" };
	size_t i;
	char *v;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(ini_unescape(bad[i]) == NULL, "'%s' should be malformed", bad[i]);
	v = ini_unescape("%2a%2A");
	ck_assert_str_eq(v, "**");
	free(v);
}
END_TEST

struct seen {
	struct strbuf sb;
};

static int collect(void *data, const char *section, const char *key, const char *value)
{
	struct seen *s = data;

	strbuf_addf(&s->sb, "%s.%s=[%s]\n", section, key, value);
	return 1;
}

START_TEST(test_read_string)
{
	struct seen s = { STRBUF_INIT };
	int line = -1;

	ck_assert_int_eq(ini_read_string("# comment\n[a]\nk = %20v;x %23\n[b c]\nn=1\n",
					 collect, &s, &line), 0);
	ck_assert_int_eq(line, 0);
	ck_assert_str_eq(s.sb.buf, "a.k=[ v;x #]\nb c.n=[1]\n");
	strbuf_reset(&s.sb);

	/* a malformed escape stops the parse at its line */
	ck_assert_int_eq(ini_read_string("[a]\nk = 1\nj = %zz\n", collect, &s, &line), -1);
	ck_assert_int_eq(line, 3);
	/* so does a line that is not INI */
	ck_assert_int_eq(ini_read_string("[a]\nnot a pair\n", collect, &s, &line), -1);
	ck_assert_int_eq(line, 2);
	strbuf_release(&s.sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inifile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_escape_form);
	tcase_add_test(tc, test_unescape_malformed);
	tcase_add_test(tc, test_read_string);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
