/* Unit tests for valid_name() and compose_project() (lib/sandbox.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"
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

int main(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_accepted);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_compose_project);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
