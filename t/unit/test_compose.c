/* Unit tests for lib/compose.c: detection and exact command lines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose.h"
#include "sandbox.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/* Join a NULL-terminated argv with single blanks, for one-line asserts. */
static char *joined(const char *const *v)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; v[i]; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, v[i]);
	}
	return strbuf_detach(&sb);
}

static void check_call(char **cmd, size_t ncmd, const char *const *args, const char *want)
{
	char *files[] = { "docker-compose.sandbox.yml", NULL };
	struct compose c = { 0 };
	const char **argv;
	char *got;

	c.cmd = cmd;
	c.ncmd = ncmd;
	c.project = "demo-x";
	c.files = files;
	c.nfiles = 1;
	c.env_file = ".env.sandbox";
	argv = compose_argv(&c, args);
	got = joined(argv);
	ck_assert_str_eq(got, want);
	free(got);
	free(argv);
}

START_TEST(test_override_split)
{
	char **v;
	size_t n;

	ck_assert_int_eq(compose_detect("  podman\tcompose ", &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "podman");
	ck_assert_str_eq(v[1], "compose");
	ck_assert_ptr_null(v[2]);
	free_strings(v, n);

	ck_assert_int_eq(compose_detect(" ", &v, &n), -1);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_argv_v2)
{
	char *cmd[] = { "docker", "compose", NULL };
	const char *buf[COMPOSE_MAX_ARGS];

	check_call(cmd, 2, compose_up_args(buf, 1, 0),
		   "docker compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox up -d --build");
	check_call(cmd, 2, compose_up_args(buf, 0, 1),
		   "docker compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox up -d --force-recreate");
	check_call(cmd, 2, compose_down_args(buf, 1),
		   "docker compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox down -v --remove-orphans");
	check_call(cmd, 2, compose_logs_args(buf, 1, "50", "api"),
		   "docker compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox logs -f --tail 50 api");
}
END_TEST

START_TEST(test_argv_v1)
{
	char *cmd[] = { "docker-compose", NULL };
	const char *buf[COMPOSE_MAX_ARGS];

	check_call(cmd, 1, compose_up_args(buf, 0, 0),
		   "docker-compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox up -d");
	check_call(cmd, 1, compose_down_args(buf, 0),
		   "docker-compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox down --remove-orphans");
	check_call(cmd, 1, compose_logs_args(buf, 0, NULL, NULL),
		   "docker-compose -p demo-x -f docker-compose.sandbox.yml "
		   "--env-file .env.sandbox logs");
}
END_TEST

/* several files in order, the label file last, no --env-file, profiles before the command */
START_TEST(test_argv_files_profiles)
{
	char *cmd[] = { "docker", "compose", NULL };
	char *files[] = { "a.yml", "sub/b.yml", NULL }, *profiles[] = { "debug", "*x", NULL };
	const char *buf[COMPOSE_MAX_ARGS], **argv;
	struct compose c = { 0 };
	char *got;

	c.cmd = cmd;
	c.ncmd = 2;
	c.project = "p";
	c.files = files;
	c.nfiles = 2;
	c.label_file = "/g/labels.json";
	c.profiles = profiles;
	c.nprofiles = 2;
	argv = compose_argv(&c, compose_down_args(buf, 0));
	got = joined(argv);
	ck_assert_str_eq(got, "docker compose -p p -f a.yml -f sub/b.yml -f /g/labels.json "
			 "--profile=debug --profile=*x down --remove-orphans");
	free(got);
	free(argv);
}
END_TEST

/*
 * names from the repository that look like options stay names: "-" is not
 * stdin, "--" does not end the options, a profile "-h" is not help
 */
START_TEST(test_argv_dash_names)
{
	char *cmd[] = { "docker", "compose", NULL };
	char *files[] = { "-", "--", "a.yml", NULL }, *profiles[] = { "--", "-h", NULL };
	const char *buf[COMPOSE_MAX_ARGS], **argv;
	struct compose c = { 0 };
	char *got;

	c.cmd = cmd;
	c.ncmd = 2;
	c.project = "p";
	c.files = files;
	c.nfiles = 3;
	c.env_file = ".env.sandbox";
	c.profiles = profiles;
	c.nprofiles = 2;
	argv = compose_argv(&c, compose_down_args(buf, 0));
	got = joined(argv);
	ck_assert_str_eq(got, "docker compose -p p -f ./- -f ./-- -f a.yml --env-file .env.sandbox "
			 "--profile=-- --profile=-h down --remove-orphans");
	ck_assert_ptr_eq(argv[9], files[2]);	/* a plain name is c's own */
	free(got);
	free(argv);
}
END_TEST

START_TEST(test_project_name)
{
	char *p;

	p = compose_project("KTRDR", "Feature.X");
	ck_assert_str_eq(p, "ktrdr-feature-x");
	free(p);
	p = compose_project("demo", "");
	ck_assert_str_eq(p, "demo");
	free(p);
}
END_TEST

/* A directory of fake docker / docker-compose scripts put alone on PATH. */
static char *fake_path(int v2, int v1)
{
	char tmpl[] = "/tmp/compose-test.XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	const char *names[] = { "docker", "docker-compose" };
	int ok[] = { v2, v1 };
	size_t i;

	for (i = 0; i < 2; i++) {
		char *f = path_join(dir, names[i]);
		FILE *fp = fopen(f, "w");

		ck_assert_ptr_nonnull(fp);
		/* log each call so the test can count spawns */
		fprintf(fp, "#!/bin/sh\necho \"%s $*\" >>%s/calls\n"
			"test \"$*\" = 'version --short' && echo ' 9.8.7'\nexit %d\n",
			names[i], dir, ok[i] ? 0 : 1);
		fclose(fp);
		chmod(f, 0755);
		free(f);
	}
	setenv("PATH", dir, 1);
	return dir;
}

static char *calls(const char *dir)
{
	char *f = path_join(dir, "calls");
	size_t len;
	char *s = read_file(f, &len);

	free(f);
	return s ? s : xstrdup("");
}

static void remove_fake(char *dir)
{
	const char *names[] = { "docker", "docker-compose", "calls" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *f = path_join(dir, names[i]);

		unlink(f);
		free(f);
	}
	rmdir(dir);
	free(dir);
}

START_TEST(test_detect)
{
	char *old = xstrdup(getenv("PATH"));
	char **v, *dir, *log;
	size_t n;

	dir = fake_path(1, 1);
	ck_assert_int_eq(compose_detect(NULL, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[1], "compose");
	free_strings(v, n);
	log = calls(dir);
	ck_assert_str_eq(log, "docker compose version\n");
	free(log);
	remove_fake(dir);

	dir = fake_path(0, 1);
	ck_assert_int_eq(compose_detect(NULL, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0], "docker-compose");
	free_strings(v, n);
	remove_fake(dir);

	/* v1 is taken on sight: asking it its version costs most of a second */
	dir = fake_path(0, 0);
	ck_assert_int_eq(compose_detect(NULL, &v, &n), 0);
	ck_assert_str_eq(v[0], "docker-compose");
	free_strings(v, n);
	log = calls(dir);
	ck_assert_str_eq(log, "docker compose version\n");
	free(log);
	remove_fake(dir);

	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(compose_detect(NULL, &v, &n), -1);
	setenv("PATH", old, 1);
	free(old);
}
END_TEST

/* a recorded command line is there, or not; its version as it says it */
START_TEST(test_available_version)
{
	char *old = xstrdup(getenv("PATH")), *dir, *cmd[] = { "docker-compose", NULL };
	struct strbuf out = STRBUF_INIT;

	dir = fake_path(0, 1);
	ck_assert(compose_available("docker-compose"));
	ck_assert(compose_available("docker-compose --verbose"));
	ck_assert(!compose_available("podman-compose"));
	ck_assert(!compose_available("docker compose"));
	ck_assert_int_eq(compose_version(cmd, 1, &out), 0);
	ck_assert_str_eq(out.buf, " 9.8.7");
	strbuf_reset(&out);
	remove_fake(dir);

	dir = fake_path(1, 0);
	ck_assert(compose_available("docker compose"));
	ck_assert_int_eq(compose_version(cmd, 1, &out), -1);
	remove_fake(dir);
	strbuf_release(&out);
	setenv("PATH", old, 1);
	free(old);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compose");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_override_split);
	tcase_add_test(tc, test_argv_v2);
	tcase_add_test(tc, test_argv_v1);
	tcase_add_test(tc, test_argv_files_profiles);
	tcase_add_test(tc, test_argv_dash_names);
	tcase_add_test(tc, test_available_version);
	tcase_add_test(tc, test_project_name);
	tcase_add_test(tc, test_detect);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
