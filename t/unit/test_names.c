/* Unit tests for valid_name() and compose_project() (lib/sandbox.c), and similar.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"
#include "similar.h"
#include "strbuf.h"
#include "unit.h"

static int valid(const char *name)
{
	struct strbuf why = STRBUF_INIT;
	int ok = valid_name(name, &why);

	/* a refusal always says why */
	if (!ok)
		ck_assert_uint_gt(why.len, 0);
	strbuf_release(&why);
	return ok;
}

START_TEST(test_accepted)
{
	static const char *const good[] = {
		"a", "Z", "0", "feat", "feat-1", "A.b_c", "x.y", "x-", "x_", "x.", "_x", "9lives",
		"indicator-std", "training_refactor.v2",
		"1234567890123456789012345678901234567890123456789012345678901234", /* 64 */
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(valid(good[i]), "'%s' should be valid", good[i]);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
		"", "-x", "--x", ".x", ".", "..", "a..b", "a/b", "/a", "a/", "a b", " a", "a ",
		"a\nb", "a\tb", "$(id)", "`id`", "a;b", "a*", "a?", "a[b", "a:b", "a\\b", "a~b",
		"a^b", "a@{b", "x.lock", "caf\xc3\xa9", "\xff", "a\x7f",
		"12345678901234567890123456789012345678901234567890123456789012345", /* 65 */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!valid(bad[i]), "'%s' should be refused", bad[i]);
}
END_TEST

START_TEST(test_compose_project)
{
	char *p;

	p = compose_project("ktrdr", "indicator-std");
	ck_assert_str_eq(p, "ktrdr-indicator-std");
	free(p);
	p = compose_project("KTRDR", "Feat.X_y");
	ck_assert_str_eq(p, "ktrdr-feat-x_y");
	free(p);
	p = compose_project("Demo.App", "");
	ck_assert_str_eq(p, "demo-app");
	free(p);
}
END_TEST

/* "did you mean", as git weighs it: a swap costs nothing, a deletion most */
static char *similar(const char *typed)
{
	static const char *const names[] = {
		"create", "init", "up", "down", "destroy", "list", "status", "port", "env", "exec",
		"logs", "secrets", "repair", "prune", "doctor", "trust",
	};
	size_t best[16], n = similar_names(typed, names, 16, best), i;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", names[best[i]]);
	return strbuf_detach(&sb);
}

START_TEST(test_similar)
{
	static const struct { const char *typed, *want; } cases[] = {
		{ "lsit", "list" },		/* not init: a plain edit distance ties them */
		{ "lst", "list" },
		{ "stat", "status" },		/* a prefix */
		{ "dwon", "down" },
		{ "prnue", "prune" },
		{ "frobnicate", "" },
		{ "", "" },			/* a prefix of everything: nothing */
		{ "e", "env exec" },
	};
	size_t i;

	ck_assert_uint_eq(similar_distance("lsit", "list"), 0);
	ck_assert_uint_eq(similar_distance("lsit", "init"), 4);
	ck_assert_uint_eq(similar_distance("", "abc"), 3);
	ck_assert_uint_eq(similar_distance("abc", ""), 9);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = similar(cases[i].typed);

		ck_assert_msg(!strcmp(got, cases[i].want), "'%s': got '%s', want '%s'",
			      cases[i].typed, got, cases[i].want);
		free(got);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_accepted);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_compose_project);
	tcase_add_test(tc, test_similar);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
