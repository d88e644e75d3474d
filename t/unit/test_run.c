/* Unit tests for run_command() and exec_command()'s failures (lib/run.c), and advise() (lib/advice.c). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "run.h"
#include "strbuf.h"
#include "unit.h"

/* What `sh -c script` prints with env (and our environment), into out; its exit status. */
static int sh(const char *script, const char *const *env, const char *dir, struct strbuf *out)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct child c = CHILD_INIT;
	int ret;

	c.argv = argv;
	c.env = env;
	c.dir = dir;
	c.no_stdin = 1;
	c.capture_out = 1;
	ret = run_command(&c);
	strbuf_add(out, c.out.buf, c.out.len);
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	return ret;
}

START_TEST(test_env_applied_in_order)
{
	const char *env[] = { "SB_T_SET=new", "SB_T_GONE", "SB_T_TWICE=1", "SB_T_TWICE=2",
			      "SB_T_BACK", "SB_T_BACK=again", "SB_T_UNSET=x", "SB_T_UNSET", NULL };
	struct strbuf out = STRBUF_INIT;

	setenv("SB_T_SET", "old", 1);
	setenv("SB_T_GONE", "here", 1);
	setenv("SB_T_KEPT", "kept", 1);
	setenv("SB_T_BACK", "before", 1);
	ck_assert_int_eq(sh("echo \"$SB_T_SET ${SB_T_GONE-unset} $SB_T_KEPT $SB_T_TWICE $SB_T_BACK "
			    "${SB_T_UNSET-unset}\"", env, NULL, &out), 0);
	ck_assert_str_eq(out.buf, "new unset kept 2 again unset\n");
	/* ours is untouched */
	ck_assert_str_eq(getenv("SB_T_SET"), "old");
	ck_assert_str_eq(getenv("SB_T_GONE"), "here");
	strbuf_release(&out);
}
END_TEST

START_TEST(test_no_env_is_ours)
{
	struct strbuf out = STRBUF_INIT;

	setenv("SB_T_OURS", "ours", 1);
	ck_assert_int_eq(sh("echo $SB_T_OURS; exit 3", NULL, NULL, &out), 3);
	ck_assert_str_eq(out.buf, "ours\n");
	strbuf_release(&out);
}
END_TEST

START_TEST(test_dir)
{
	struct strbuf out = STRBUF_INIT;

	ck_assert_int_eq(sh("pwd", NULL, "/", &out), 0);
	ck_assert_str_eq(out.buf, "/\n");
	strbuf_reset(&out);
	errno = 0;
	ck_assert_int_eq(sh("pwd", NULL, "/nonexistent-sb-dir", &out), -1);
	ck_assert_int_eq(errno, ENOENT);
	strbuf_release(&out);
}
END_TEST

START_TEST(test_not_found)
{
	const char *argv[] = { "sb-no-such-program", NULL };
	struct child c = CHILD_INIT;
	struct strbuf err = STRBUF_INIT;

	c.argv = argv;
	errno = 0;
	ck_assert_int_eq(run_command(&c), -1);
	ck_assert_int_eq(errno, ENOENT);
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	/* exec_command returns what the command reports */
	ck_assert_int_eq(exec_command(argv, NULL, &err), -1);
	ck_assert_str_eq(err.buf, "'sb-no-such-program' not found on PATH");
	strbuf_release(&err);
}
END_TEST

static struct strbuf said = STRBUF_INIT;

static void record(enum advice what, const char *arg)
{
	strbuf_addf(&said, "%s %s;", what == ADVICE_TRUST ? "trust" : what == ADVICE_NO_SLOT ?
		    "no-slot" : "other", arg ? arg : "-");
}

START_TEST(test_advise)
{
	/* without a routine, nothing (lib has no words for it) */
	advise(ADVICE_TRUST, "f");
	set_advise_routine(record);
	advise(ADVICE_TRUST, "f");
	advise(ADVICE_NO_SLOT, NULL);
	set_advise_routine(NULL);
	advise(ADVICE_REPAIR, NULL);
	ck_assert_str_eq(said.buf, "trust f;no-slot -;");
	strbuf_release(&said);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_env_applied_in_order);
	tcase_add_test(tc, test_no_env_is_ours);
	tcase_add_test(tc, test_dir);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_advise);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
