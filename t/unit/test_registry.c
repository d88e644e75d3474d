/* Unit tests for lib/registry.c: format, parse, locking and atomic replacement. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

static char tmpdir[] = "/tmp/sb-registry-XXXXXX";

static void setup(void)
{
	strcpy(tmpdir, "/tmp/sb-registry-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	setenv("XDG_STATE_HOME", tmpdir, 1);
	unsetenv("GIT_SANDBOX_TEST_CRASH");
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void add(struct registry *r, long slot, const char *repo, const char *name, const char *path)
{
	long ports[] = { 8000 + slot, 5010 + 10 * slot, 5011 + 10 * slot };
	char *names[] = { "api", "workers", "workers" };
	struct reg_entry e = { 0 };

	e.slot = slot;
	e.repo = (char *)repo;
	e.name = (char *)name;
	e.path = (char *)path;
	e.gitdir = (char *)"/r/.git/worktrees/x";
	e.project = (char *)"ktrdr-x";
	e.ports = ports;
	e.port_names = names;
	e.nports = 3;
	e.created = 1700000000 + slot;
	registry_add(r, &e);
}

static void empty(struct registry *r)
{
	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
}

START_TEST(test_round_trip)
{
	static const char *const paths[] = {
		"/home/u/dev/ktrdr--feat", "/a;b/c", "/a#b", "/100%/x", " /lead", "/trail ",
		"/new\nline", "/tab\there", "/x = y", "/[sandbox 9]", "/caf\xc3\xa9",
	};
	size_t n = sizeof(paths) / sizeof(*paths), i;
	struct registry r, back;
	struct strbuf text = STRBUF_INIT, again = STRBUF_INIT;
	int line = -1;

	empty(&r);
	for (i = 0; i < n; i++)
		add(&r, i + 1, paths[(i + 3) % n], paths[i], paths[i]);
	/* a create in progress: its pid, and its start time or none (old files) */
	r.e[0].creating = 4242;
	r.e[0].creating_start = 987654321ULL;
	r.e[1].creating = 77;
	r.e[0].made_branch = xstrdup("feat/x;#%");
	r.e[0].made_head = xstrdup("0123456789abcdef0123456789abcdef01234567");
	registry_format(&r, &text);
	empty(&back);
	ck_assert_int_eq(registry_parse(&back, text.buf, &line), 0);
	ck_assert_uint_eq(back.n, n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(back.e[i].slot, (long)i + 1);
		ck_assert_str_eq(back.e[i].path, paths[i]);
		ck_assert_str_eq(back.e[i].name, paths[i]);
		ck_assert_str_eq(back.e[i].repo, paths[(i + 3) % n]);
		ck_assert_str_eq(back.e[i].gitdir, "/r/.git/worktrees/x");
		ck_assert_str_eq(back.e[i].project, "ktrdr-x");
		ck_assert_uint_eq(back.e[i].nports, 3);
		ck_assert_int_eq(back.e[i].ports[0], 8000 + (long)i + 1);
		ck_assert_str_eq(back.e[i].port_names[2], "workers");
		ck_assert_int_eq(back.e[i].ports[2], 5011 + 10 * ((long)i + 1));
		ck_assert_int_eq(back.e[i].created, 1700000000 + (long)i + 1);
	}
	ck_assert_int_eq(back.e[0].creating, 4242);
	ck_assert(back.e[0].creating_start == 987654321ULL);
	ck_assert_int_eq(back.e[1].creating, 77);
	ck_assert(back.e[1].creating_start == 0);
	ck_assert_int_eq(back.e[2].creating, 0);
	ck_assert_str_eq(back.e[0].made_branch, "feat/x;#%");
	ck_assert_str_eq(back.e[0].made_head, "0123456789abcdef0123456789abcdef01234567");
	ck_assert_ptr_null(back.e[1].made_branch);
	/* a zombie or a gone pid has no start time; we do */
	ck_assert(proc_start_time(getpid()) > 0);
	ck_assert(proc_start_time(0x7ffffff0) == 0);
	registry_format(&back, &again);
	ck_assert_str_eq(again.buf, text.buf);
	ck_assert_ptr_nonnull(registry_find(&back, paths[4], paths[1]));
	ck_assert_ptr_nonnull(registry_find_path(&back, "/new\nline"));
	registry_release(&r);
	registry_release(&back);
	strbuf_release(&text);
	strbuf_release(&again);
}
END_TEST

START_TEST(test_empty_text)
{
	struct registry r;
	int line = -1;

	empty(&r);
	ck_assert_int_eq(registry_parse(&r, "", &line), 0);
	ck_assert_uint_eq(r.n, 0);
	registry_release(&r);
}
END_TEST

static void expect_corrupt(const char *text, int want_line)
{
	struct registry r;
	int line = -1;

	empty(&r);
	ck_assert_msg(registry_parse(&r, text, &line) == -1, "parsed: %s", text);
	if (want_line >= 0)
		ck_assert_int_eq(line, want_line);
	registry_release(&r);
}

#define HEAD "[git-sandbox]\nversion = 1\n"
#define ENTRY "[sandbox 1]\nslot = 1\nrepo = /r/.git\nname = a\npath = /p\ngitdir = /g\nproject = k-a\n"

START_TEST(test_corrupt)
{
	struct registry r;
	int line = -1;

	empty(&r);
	ck_assert_int_eq(registry_parse(&r, HEAD ENTRY "ports = api:8001\ncreated = 5\n", &line), 0);
	registry_release(&r);

	expect_corrupt(HEAD "[sandbox 1]\nslot = x\n", 4);
	expect_corrupt(HEAD "[sandbox 1]\nslot = 0\n", 4);
	expect_corrupt(HEAD ENTRY "ports = api:99999\n", 10);
	expect_corrupt(HEAD ENTRY "ports = api\n", 10);
	expect_corrupt(HEAD ENTRY "ports = :80\n", 10);
	expect_corrupt(HEAD ENTRY "path = /bad%zz\n", 10);
	expect_corrupt(HEAD ENTRY "garbage line\n", 10);
	expect_corrupt(HEAD "[something else]\nk = v\n", 4);
	/* an entry missing a required key: no line to point at */
	expect_corrupt(HEAD "[sandbox 1]\nslot = 1\nname = a\n", -1);
}
END_TEST

START_TEST(test_version)
{
	/* missing: the first entry is refused */
	expect_corrupt(ENTRY, 2);
	expect_corrupt("# only a comment\n", 1);
	/* unknown versions are refused before anything is trusted */
	expect_corrupt("[git-sandbox]\nversion = 2\n" ENTRY, 4);
	expect_corrupt("[git-sandbox]\nversion = 0\n", 2);
	expect_corrupt("[git-sandbox]\nversion = one\n", 2);
	expect_corrupt("[git-sandbox]\nflavour = 1\n", 2);
}
END_TEST

static char *reg_text(void)
{
	char *p = registry_path(), *t = read_file(p, NULL);

	free(p);
	return t;
}

START_TEST(test_write_and_lock)
{
	struct registry r, r2;
	char *lk, *path, *text, *want;
	struct stat st;
	pid_t pid;
	int status;

	path = registry_path();
	want = xasprintf("%s/git-sandbox/registry", tmpdir);
	ck_assert_str_eq(path, want);
	free(want);
	ck_assert_int_eq(registry_read(&r), 0);	/* no file: empty */
	ck_assert_uint_eq(r.n, 0);
	registry_release(&r);

	ck_assert_int_eq(registry_lock(&r), 0);
	ck_assert_int_ge(r.lockfd, 0);
	add(&r, 1, "/r/.git", "one", "/p/one");
	ck_assert_int_eq(registry_write(&r), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	/* while locked, nobody else gets the lock */
	lk = xasprintf("%s.lock", path);
	pid = fork();
	if (!pid) {
		int fd = open(lk, O_RDWR);

		fd = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1;
		/*
		 * exec rather than exit: under valgrind an exiting fork reports
		 * the parent's heap as lost and changes its exit code
		 */
		execl("/bin/sh", "sh", "-c", fd ? "exit 1" : "exit 0", (char *)NULL);
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* an unlocked reader sees the written file */
	ck_assert_int_eq(registry_read(&r2), 0);
	ck_assert_uint_eq(r2.n, 1);
	ck_assert_str_eq(r2.e[0].name, "one");
	registry_release(&r2);
	registry_release(&r);

	/* released: the lock can be had again, and the entry is still there */
	ck_assert_int_eq(registry_lock(&r), 0);
	ck_assert_uint_eq(r.n, 1);
	registry_remove(&r, &r.e[0]);
	ck_assert_int_eq(registry_write(&r), 0);
	registry_release(&r);
	text = reg_text();
	ck_assert_ptr_null(strstr(text, "[sandbox"));
	ck_assert_ptr_nonnull(strstr(text, "version = 1"));
	free(text);
	free(lk);
	free(path);
}
END_TEST

/* A child writes under GIT_SANDBOX_TEST_CRASH=point and is killed there. */
static void crash_writer(const char *point)
{
	struct registry r;
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (!pid) {
		setenv("GIT_SANDBOX_TEST_CRASH", point, 1);
		if (registry_lock(&r) < 0)
			_exit(2);
		add(&r, 2, "/r/.git", "two", "/p/two");
		registry_write(&r);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the writer was not killed at '%s'", point);
}

START_TEST(test_killed_writer)
{
	struct registry r;
	char *before, *after;

	ck_assert_int_eq(registry_lock(&r), 0);
	add(&r, 1, "/r/.git", "one", "/p/one");
	ck_assert_int_eq(registry_write(&r), 0);
	registry_release(&r);
	before = reg_text();

	crash_writer("atomic-rename");	/* temp file written, not yet renamed */
	after = reg_text();
	ck_assert_str_eq(after, before);
	free(after);
	crash_writer("atomic-open");
	after = reg_text();
	ck_assert_str_eq(after, before);
	free(after);

	/* the dead writer's lock died with it */
	ck_assert_int_eq(registry_lock(&r), 0);
	ck_assert_uint_eq(r.n, 1);
	registry_release(&r);

	crash_writer("registry-written");	/* renamed: the new file is whole */
	ck_assert_int_eq(registry_read(&r), 0);
	ck_assert_uint_eq(r.n, 2);
	registry_release(&r);
	free(before);
}
END_TEST

START_TEST(test_corrupt_file_kept)
{
	static const char junk[] = "[git-sandbox]\nversion = 1\n[sandbox 1]\nslot = banana\n";
	struct registry r;
	char *path = registry_path(), *dir = path_dirname(path), *text;
	FILE *f;

	ck_assert_int_eq(mkdir_p(dir, 0700), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(junk, f);
	fclose(f);

	ck_assert_int_eq(registry_read(&r), -1);
	registry_release(&r);
	ck_assert_int_eq(registry_lock(&r), -1);
	ck_assert_int_lt(r.lockfd, 0);
	registry_release(&r);
	text = reg_text();
	ck_assert_str_eq(text, junk);
	free(text);

	/* the failed lock was released */
	f = fopen(path, "w");
	fputs("", f);
	fclose(f);
	ck_assert_int_eq(registry_lock(&r), 0);
	registry_release(&r);
	free(path);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_empty_text);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_write_and_lock);
	tcase_add_test(tc, test_killed_writer);
	tcase_add_test(tc, test_corrupt_file_kept);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
