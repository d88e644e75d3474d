/* Unit tests for the sandbox option of every command (lib/opts.c): OPT_SANDBOX_ and opt_sandbox(). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "unit.h"

static const char *const usage[] = { "git sandbox test [[-s] <name>]", NULL };

/* Parse the NULL-terminated words after argv[0]; the -s value, *n the positionals. */
static const char *parse(char **argv, int *n, int *json)
{
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_BOOL_(0, "json", json, "print JSON"),
		OPT_END_(),
	};
	int argc = 0;

	while (argv[argc])
		argc++;
	*json = 0;
	*n = parse_options(argc, argv, opts, usage, "git-sandbox-test", 0);
	return name;
}

START_TEST(test_spellings)
{
	char *a1[] = { "x", "-s", "feat", NULL };
	char *a2[] = { "x", "--sandbox", "feat", NULL };
	char *a3[] = { "x", "--sandbox=feat", NULL };
	char *a4[] = { "x", "-sfeat", NULL };
	char *a5[] = { "x", "--json", "-s", "feat", "arg", NULL };
	char **all[] = { a1, a2, a3, a4 };
	const char *name;
	size_t i;
	int n, json;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		name = parse(all[i], &n, &json);
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, "feat");
		ck_assert_int_eq(n, 0);
	}
	name = parse(a5, &n, &json);
	ck_assert_str_eq(name, "feat");
	ck_assert_int_eq(json, 1);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(a5[0], "arg");
}
END_TEST

START_TEST(test_choose)
{
	ck_assert_ptr_null(opt_sandbox(NULL, NULL, usage));
	ck_assert_str_eq(opt_sandbox("a", NULL, usage), "a");
	ck_assert_str_eq(opt_sandbox(NULL, "b", usage), "b");
	/* the same name both ways is one sandbox */
	ck_assert_str_eq(opt_sandbox("c", "c", usage), "c");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("opts");
	TCase *tc = tcase_create("sandbox");

	tcase_add_test(tc, test_spellings);
	tcase_add_test(tc, test_choose);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
