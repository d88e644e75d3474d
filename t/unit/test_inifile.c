/*
 * Unit tests for lib/inifile.c: escaping and parsing of the tool's INI
 * files; and read_file, which every one of them is read through.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inifile.h"
#include "strbuf.h"
#include "util.h"
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

/* labels from outside (1Password field names) used as keys and sections */
static const char *const hostile[] = {
	"[sandbox]", "a=b", "x\ny", " lead", "trail ", "%41", "a:b", "#c", ";c",
	"", "project", "sandbox", "k = v\n[sandbox]\nproject = evil", "caf\xc3\xa9",
	"\r", "]", "=",
};

/* a hostile label as a section name, or "s" where it cannot be one */
static const char *section_of(const char *label)
{
	struct strbuf sb = STRBUF_INIT;
	int fits;

	ini_escape_key(&sb, label);
	fits = sb.len && sb.len <= INI_SECTION_MAX && strcmp(label, "sandbox");
	strbuf_release(&sb);
	return fits ? label : "s";
}

START_TEST(test_key_round_trip)
{
	struct seen s = { STRBUF_INIT };
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;
	int line = -1;

	strbuf_addstr(&text, "[sandbox]\nproject = good\n");
	strbuf_addstr(&want, "sandbox.project=[good]\n");
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		ini_add_section(&text, section_of(hostile[i]));
		ini_add(&text, hostile[i], hostile[i]);
		strbuf_addf(&want, "%s.%s=[%s]\n", section_of(hostile[i]), hostile[i], hostile[i]);
	}
	ck_assert_int_eq(ini_read_string(text.buf, collect, &s, &line), 0);
	ck_assert_int_eq(line, 0);
	ck_assert_str_eq(s.sb.buf, want.buf);
	strbuf_release(&s.sb);
	strbuf_release(&text);
	strbuf_release(&want);
}
END_TEST

START_TEST(test_key_escape_form)
{
	struct strbuf sb = STRBUF_INIT;

	/* plain names, as older versions wrote them, stay as they are */
	ini_escape_key(&sb, "db_password.v-2");
	ck_assert_str_eq(sb.buf, "db_password.v-2");
	strbuf_reset(&sb);
	ini_escape_key(&sb, "[a b]=%\n");
	ck_assert_str_eq(sb.buf, "%5Ba%20b%5D%3D%25%0A");
	strbuf_release(&sb);
}
END_TEST

static int too_long(void *data, const char *section, const char *key, const char *value)
{
	(void)section;
	(void)value;
	if (strcmp(key, "k"))
		*(int *)data = 1;	/* a key forged from the tail of a line */
	return 1;
}

START_TEST(test_long_line)
{
	struct strbuf sb = STRBUF_INIT;
	int forged = 0, line = -1;

	/* the longest line inih reads whole */
	strbuf_addstr(&sb, "[a]\nk = ");
	while (sb.len - 4 < INI_LINE_MAX)
		strbuf_addch(&sb, 'x');
	strbuf_addch(&sb, '\n');
	ck_assert_int_eq(ini_read_string(sb.buf, too_long, &forged, &line), 0);
	ck_assert_int_eq(forged, 0);
	/* one byte more and its tail, "j = 1", would be a line of its own */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "[a]\nk = ");
	while (sb.len - 4 < INI_LINE_MAX - 4)
		strbuf_addch(&sb, 'x');
	strbuf_addstr(&sb, "j = 1\nk = 2\n");
	ck_assert_int_eq(ini_read_string(sb.buf, too_long, &forged, &line), -1);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(forged, 0);
	/* inih would cut a longer section name: two sections would be one */
	ck_assert_int_eq(ini_read_string("[a]\nk = 1\n[0123456789012345678901234567890123456789012345678]\n"
					 "k = 2\n", too_long, &forged, &line), 0);
	ck_assert_int_eq(ini_read_string("[a]\n  [01234567890123456789012345678901234567890123456789]\n"
					 "k = 2\n", too_long, &forged, &line), -1);
	ck_assert_int_eq(line, 2);
	strbuf_release(&sb);
}
END_TEST

static char tmpdir[] = "/tmp/sb-inifile-XXXXXX";

static void files_setup(void)
{
	strcpy(tmpdir, "/tmp/sb-inifile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void files_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *tmp_path(const char *name)
{
	return path_join(tmpdir, name);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* read_file(path) fails with errno e, and so does ini_read */
static void refused(const char *path, int e, const char *why)
{
	size_t len = 7;

	errno = 0;
	ck_assert_ptr_null(read_file(path, &len));
	ck_assert_int_eq(errno, e);
	ck_assert_uint_eq(len, 7);
	ck_assert_ptr_nonnull(strstr(read_file_strerror(e), why));
	ck_assert_int_eq(ini_read(path, collect, NULL), -1);
}

START_TEST(test_read_file_kinds)
{
	char *file = tmp_path("file"), *fifo = tmp_path("fifo"), *link = tmp_path("link");
	char *zero = tmp_path("zero"), *big = tmp_path("big"), *missing = tmp_path("missing");
	char *text;
	size_t len;

	put(file, "[a]\nk = v\n");
	text = read_file(file, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, 10);
	ck_assert_str_eq(text, "[a]\nk = v\n");
	free(text);

	errno = 0;
	ck_assert_ptr_null(read_file(missing, &len));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ini_read(missing, collect, NULL), 1);

	/* a FIFO with no writer would block a plain open for ever */
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	refused(fifo, EINVAL, "not a regular file");
	refused(tmpdir, EINVAL, "not a regular file");

	ck_assert_int_eq(symlink(file, link), 0);
	refused(link, ELOOP, "symbolic link");
	/* read until memory runs out if followed */
	ck_assert_int_eq(symlink("/dev/zero", zero), 0);
	refused(zero, ELOOP, "symbolic link");
	refused("/dev/zero", EINVAL, "not a regular file");

	/* sparse: nothing is written, nothing need be read to refuse it */
	put(big, "");
	ck_assert_int_eq(truncate(big, READ_FILE_MAX + 1), 0);
	refused(big, EFBIG, "larger than 16777216 bytes");
	ck_assert_int_eq(truncate(big, READ_FILE_MAX), 0);
	text = read_file(big, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(len, READ_FILE_MAX);
	free(text);

	free(file);
	free(fifo);
	free(link);
	free(zero);
	free(big);
	free(missing);
}
END_TEST

START_TEST(test_write_readable_only)
{
	char *path = tmp_path("state");
	struct strbuf sb = STRBUF_INIT;
	char *text;
	size_t len;

	put(path, "old\n");
	strbuf_addstr(&sb, "[a]\nk = ");
	while (sb.len - 4 <= INI_LINE_MAX)
		strbuf_addch(&sb, 'x');
	strbuf_addch(&sb, '\n');
	ck_assert_int_eq(ini_write(path, &sb, 0600), -1);
	strbuf_reset(&sb);
	ini_add_section(&sb, "a long label, harmless but longer than inih reads");
	ck_assert_int_eq(ini_write(path, &sb, 0600), -1);
	strbuf_release(&sb);
	for (strbuf_addstr(&sb, "[a]\n"); sb.len <= READ_FILE_MAX; )
		strbuf_addstr(&sb, "k = v\n");
	ck_assert_int_eq(ini_write(path, &sb, 0600), -1);
	/* nothing was written */
	text = read_file(path, &len);
	ck_assert_str_eq(text, "old\n");
	free(text);
	strbuf_release(&sb);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inifile");
	TCase *tc = tcase_create("core");
	TCase *files = tcase_create("files");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_escape_form);
	tcase_add_test(tc, test_unescape_malformed);
	tcase_add_test(tc, test_read_string);
	tcase_add_test(tc, test_key_round_trip);
	tcase_add_test(tc, test_key_escape_form);
	tcase_add_test(tc, test_long_line);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, files_setup, files_teardown);
	tcase_set_timeout(files, 60);
	tcase_add_test(files, test_read_file_kinds);
	tcase_add_test(files, test_write_readable_only);
	suite_add_tcase(s, files);
	return run_suite(s);
}
