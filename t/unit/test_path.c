/* Unit tests for path_inside() (lib/util.c): which paths lie in a directory, links resolved. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

/*
 * <top>/a/b/c/file    the directory b, and what is below it
 * <top>/a/bc/         a sibling whose name starts with b's
 * <top>/a/b/in     -> c             a link in b to below b
 * <top>/a/b/out    -> ../bc         a link in b to outside b
 * <top>/a/b/gone   -> nowhere       a dangling link
 * <top>/a/to-b     -> b             a link outside b to b
 * <top>/a/b/loop   -> loop
 */
static char top[PATH_MAX];

static char *at(const char *rel)
{
	return path_join(top, rel);
}

static void make(const char *rel, const char *link_to)
{
	char *p = at(rel);

	if (link_to)
		ck_assert_int_eq(symlink(link_to, p), 0);
	else
		ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
}

static void setup(void)
{
	FILE *f;
	char *p;

	snprintf(top, sizeof(top), "/tmp/test-path-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	make("a", NULL);
	make("a/b", NULL);
	make("a/b/c", NULL);
	make("a/bc", NULL);
	p = at("a/b/c/file");
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fclose(f);
	free(p);
	make("a/b/in", "c");
	make("a/b/out", "../bc");
	make("a/b/gone", "nowhere");
	make("a/b/loop", "loop");
	make("a/to-b", "b");
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(top, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* path_inside(top/path, top/dir) */
static int inside(const char *path, const char *dir)
{
	char *p = at(path), *d = at(dir);
	int ret = path_inside(p, d);

	free(p);
	free(d);
	return ret;
}

START_TEST(test_equal)
{
	ck_assert_int_eq(inside("a/b", "a/b"), 1);
	ck_assert_int_eq(inside("a/b/", "a/b"), 1);
	ck_assert_int_eq(inside("a/b/c/..", "a/b"), 1);
	ck_assert_int_eq(inside("a/b", "a/b/"), 1);
}
END_TEST

START_TEST(test_below)
{
	ck_assert_int_eq(inside("a/b/c", "a/b"), 1);
	ck_assert_int_eq(inside("a/b/c/file", "a/b"), 1);
	ck_assert_int_eq(inside("a/b/c/file", "a"), 1);
	/* above is not below */
	ck_assert_int_eq(inside("a", "a/b"), 0);
	ck_assert_int_eq(inside("a/b/..", "a/b"), 0);
	ck_assert_int_eq(path_inside(top, "/"), 1);
}
END_TEST

START_TEST(test_sibling_prefix)
{
	ck_assert_int_eq(inside("a/bc", "a/b"), 0);
	ck_assert_int_eq(inside("a/b", "a/bc"), 0);
	ck_assert_int_eq(inside("a/b/c", "a/bc"), 0);
}
END_TEST

START_TEST(test_link_into)
{
	ck_assert_int_eq(inside("a/b/in", "a/b"), 1);
	ck_assert_int_eq(inside("a/b/in/file", "a/b"), 1);
	ck_assert_int_eq(inside("a/to-b", "a/b"), 1);
	ck_assert_int_eq(inside("a/to-b/c/file", "a/b"), 1);
	/* dir reached through a link too */
	ck_assert_int_eq(inside("a/b/c", "a/to-b"), 1);
	ck_assert_int_eq(inside("a/bc", "a/to-b"), 0);
}
END_TEST

START_TEST(test_link_out)
{
	ck_assert_int_eq(inside("a/b/out", "a/b"), 0);
	ck_assert_int_eq(inside("a/b/out/", "a/b"), 0);
	ck_assert_int_eq(inside("a/b/out", "a/bc"), 1);
}
END_TEST

START_TEST(test_not_there)
{
	errno = 0;
	ck_assert_int_eq(inside("a/b/nope", "a/b"), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(inside("a/b/gone", "a/b"), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(inside("a/b/loop", "a/b"), -1);
	ck_assert_int_eq(errno, ELOOP);
	errno = 0;
	ck_assert_int_eq(inside("a/b/c", "a/nope"), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(inside("a/b/c/file/x", "a/b"), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

/* "." is where the kernel has us: come through a link to b, we are in b */
START_TEST(test_cwd)
{
	char *via = at("a/to-b/c"), *b = at("a/b"), *bc = at("a/bc");

	ck_assert_int_eq(chdir(via), 0);
	ck_assert_int_eq(path_inside(".", b), 1);
	ck_assert_int_eq(path_inside(".", bc), 0);
	ck_assert_int_eq(chdir(bc), 0);
	ck_assert_int_eq(path_inside(".", b), 0);
	ck_assert_int_eq(chdir("/"), 0);
	free(via);
	free(b);
	free(bc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("path_inside");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_below);
	tcase_add_test(tc, test_sibling_prefix);
	tcase_add_test(tc, test_link_into);
	tcase_add_test(tc, test_link_out);
	tcase_add_test(tc, test_not_there);
	tcase_add_test(tc, test_cwd);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
