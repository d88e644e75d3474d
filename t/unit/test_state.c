/*
 * Unit tests for lib/state.c and the git-config writer of lib/gitconfig.c:
 * what the writer quotes and escapes reads back the same through the
 * reader; a state file keeps hostile labels in their place; a file of the
 * first format (flat INI) is read and upgraded.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitconfig.h"
#include "state.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/* labels from outside (1Password field names) */
static const char *const hostile[] = {
	"[sandbox]", "a=b", " lead", "trail ", "%41", "a:b", "#c", ";c", "", "project",
	"sandbox", "k = v\"]\n[sandbox]", "caf\xc3\xa9", "\r", "]", "=", "\"", "\\", "a\\\"b",
	"\t", "a.b", "x\"]\n\tname = evil",
};

static const char *const values[] = {
	"", "plain", "/home/u/dev/ktrdr--feat", "a;b", "#start", "50%", "%41", " lead",
	"trail ", " both ", "\tx\t", "in  ner", "new\nline", "cr\rlf", "\r", "\v\f",
	"\x01\x1f\x7f", "=", "a = b", "[section]", "caf\xc3\xa9", "\xff\xfe", "\"q\"",
	"back\\slash", "\\", "end\\", "\"", "a\\nb", "\b",
};

struct seen {
	struct strbuf sb;
};

static int collect(const char *key, const char *value, int line, void *data)
{
	struct seen *s = data;

	(void)line;
	strbuf_addf(&s->sb, "%s=[%s]\n", key, value ? value : "(null)");
	return 0;
}

START_TEST(test_value_round_trip)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
		struct seen s = { STRBUF_INIT };

		gitconfig_add_section(&text, "s", NULL);
		gitconfig_add(&text, "k", values[i]);
		/* a comment after it does not reach the value */
		strbuf_addstr(&text, "\t# k = no\n");
		strbuf_addf(&want, "s.k=[%s]\n", values[i]);
		ck_assert_int_eq(gitconfig_parse(text.buf, text.len, collect, &s, NULL), 0);
		ck_assert_str_eq(s.sb.buf, want.buf);
		strbuf_release(&text);
		strbuf_release(&want);
		strbuf_release(&s.sb);
	}
}
END_TEST

/* as git writes them: quoted only when the reader would lose something */
START_TEST(test_value_form)
{
	static const char *const form[][2] = {
		{ "plain", "\tk = plain\n" },
		{ "in ner", "\tk = in ner\n" },
		{ " lead", "\tk = \" lead\"\n" },
		{ "trail ", "\tk = \"trail \"\n" },
		{ "a;b", "\tk = \"a;b\"\n" },
		{ "a#b", "\tk = \"a#b\"\n" },
		{ "a\"b\\c", "\tk = a\\\"b\\\\c\n" },
		{ "a\nb\tc", "\tk = a\\nb\\tc\n" },
		{ "", "\tk = \n" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(form); i++) {
		struct strbuf sb = STRBUF_INIT;

		gitconfig_add(&sb, "k", form[i][0]);
		ck_assert_str_eq(sb.buf, form[i][1]);
		strbuf_release(&sb);
	}
}
END_TEST

START_TEST(test_subsection_round_trip)
{
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT, sb = STRBUF_INIT;
	struct seen s = { STRBUF_INIT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		if (strchr(hostile[i], '\n'))
			continue;	/* no git-config subsection holds one */
		gitconfig_add_section(&text, "secret", hostile[i]);
		gitconfig_add(&text, "fingerprint", hostile[i]);
		strbuf_addf(&want, "secret.%s.fingerprint=[%s]\n", hostile[i], hostile[i]);
	}
	ck_assert_int_eq(gitconfig_parse(text.buf, text.len, collect, &s, NULL), 0);
	ck_assert_str_eq(s.sb.buf, want.buf);
	gitconfig_add_section(&sb, "secret", "a\"b\\c");
	ck_assert_str_eq(sb.buf, "[secret \"a\\\"b\\\\c\"]\n");
	strbuf_release(&sb);
	strbuf_release(&text);
	strbuf_release(&want);
	strbuf_release(&s.sb);
}
END_TEST

START_TEST(test_names)
{
	ck_assert(gitconfig_name("port"));
	ck_assert(gitconfig_name("a-1"));
	ck_assert(!gitconfig_name(""));
	ck_assert(!gitconfig_name("1a"));
	ck_assert(!gitconfig_name("-a"));
	ck_assert(!gitconfig_name("a_b"));
	ck_assert(!gitconfig_name("a.b"));
	ck_assert(!gitconfig_name("Port"));
}
END_TEST

static char tmpdir[64];

static void files_setup(void)
{
	strcpy(tmpdir, "/tmp/sb-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void files_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void fill(struct sb_state *st)
{
	memset(st, 0, sizeof(*st));
	st->name = xstrdup("one");
	st->slot = 3;
	st->project = xstrdup("ktrdr-one");
	st->created = 1700000000;
}

/* hostile labels and values in a state file: nothing renames the sandbox */
START_TEST(test_state_hostile)
{
	char *path = path_join(tmpdir, "config");
	struct sb_state st, back;
	size_t i, n = 0;

	fill(&st);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		if (strchr(hostile[i], '\n'))
			continue;
		state_set_sub(&st, "secret", hostile[i], "fingerprint", hostile[i]);
		n++;
	}
	for (i = 0; i < ARRAY_SIZE(values); i++)
		state_set_sub(&st, "v", values[i][0] ? "x" : NULL, "k", values[i]);
	state_set(&st, "engine", "certs", " /a;b#c\\d\"e\n");
	ck_assert_int_eq(state_write(path, &st), 0);
	ck_assert_int_eq(state_read(path, &back), 0);
	ck_assert_str_eq(back.name, "one");
	ck_assert_int_eq(back.slot, 3);
	ck_assert_str_eq(back.project, "ktrdr-one");
	ck_assert_int_eq(back.created, 1700000000);
	ck_assert_uint_eq(back.nextra, st.nextra);
	for (i = 0; i < st.nextra; i++) {
		ck_assert_str_eq(back.extra[i].section, st.extra[i].section);
		ck_assert_pstr_eq(back.extra[i].sub, st.extra[i].sub);
		ck_assert_str_eq(back.extra[i].key, st.extra[i].key);
		ck_assert_str_eq(back.extra[i].value, st.extra[i].value);
	}
	ck_assert_pstr_eq(state_get(&back, "engine", "certs"), " /a;b#c\\d\"e\n");
	state_free(&back);

	/* a label with a newline cannot be written: nothing is */
	state_set_sub(&st, "secret", "x\"]\n[sandbox]", "fingerprint", "f");
	put(path, "old\n");
	ck_assert_int_eq(state_write(path, &st), -1);
	free(read_file(path, &i));
	ck_assert_uint_eq(i, 4);
	state_set_sub(&st, "secret", "x\"]\n[sandbox]", "fingerprint", NULL);
	ck_assert_int_eq(state_write(path, &st), 0);
	state_free(&st);
	free(path);
	ck_assert_uint_gt(n, 0);
}
END_TEST

START_TEST(test_state_refused)
{
	char *path = path_join(tmpdir, "config");
	struct sb_state st;

	/* a later format is not guessed at */
	put(path, "[sandbox]\n\tformat = 3\n\tname = one\n\tslot = 1\n\tproject = p\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	/* git-config syntax errors in a file of this format */
	put(path, "[sandbox]\n\tformat = 2\n\tname = one\n\tslot = 1\n\tproject = \"p\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	put(path, "[sandbox]\n\tformat = 2\n\tname = one\n\tslot = x\n\tproject = p\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	put(path, "[sandbox]\n\tformat = 2\n\tname = one\n\tslot = 1\n\tproject = p\n[1x]\n\tk = v\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	put(path, "[sandbox]\n\tformat = 2\n\tname = one\n\tslot = 1\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	/* read as git reads it: case, legacy subsections, bare keys, continuations */
	put(path, "[Sandbox]\n\tFormat = 2\n\tNAME = one\n\tslot = 1\n\tproject = p\\\nq\n"
	    "[port.api]\n\tlease = API_PORT 8001 ; a comment\n[stack]\n\tflag\n");
	ck_assert_int_eq(state_read(path, &st), 0);
	ck_assert_str_eq(st.name, "one");
	ck_assert_str_eq(st.project, "pq");
	ck_assert_pstr_eq(state_get_sub(&st, "port", "api", "lease"), "API_PORT 8001");
	ck_assert_pstr_eq(state_get(&st, "stack", "flag"), "true");
	state_free(&st);
	free(path);
}
END_TEST

/* the first format: flat INI, percent-encoded, [port] and [secrets] keyed by name */
START_TEST(test_state_upgrade)
{
	char *path = path_join(tmpdir, "config"), *text;
	struct sb_state st, back;
	size_t len;

	put(path, "# git-sandbox state of this worktree (written by git-sandbox)\n"
	    "[sandbox]\nname = one\nslot = 2\nproject = p-one\ncreated = 1795748477\n"
	    "[port]\napi = API_PORT 8002\nworkers = W_PORT 5020 5021\n"
	    "[engine]\nname = ctx\ncerts = %20/c%3Bd%25\n"
	    "[secrets]\ndb_password = fp1\na%20b%22c = fp2\nx%0Ay = fp3\n"
	    "[stack]\nsecrets = defaults\n");
	ck_assert_int_eq(state_read(path, &st), 0);
	ck_assert_str_eq(st.name, "one");
	ck_assert_int_eq(st.slot, 2);
	ck_assert_str_eq(st.project, "p-one");
	ck_assert_int_eq(st.created, 1795748477);
	ck_assert_pstr_eq(state_get_sub(&st, "port", "api", "lease"), "API_PORT 8002");
	ck_assert_pstr_eq(state_get_sub(&st, "port", "workers", "lease"), "W_PORT 5020 5021");
	ck_assert_pstr_eq(state_get(&st, "engine", "certs"), " /c;d%");
	ck_assert_pstr_eq(state_get_sub(&st, "secret", "db_password", "fingerprint"), "fp1");
	ck_assert_pstr_eq(state_get_sub(&st, "secret", "a b\"c", "fingerprint"), "fp2");
	/* a label git-config cannot name is left out */
	ck_assert_ptr_null(state_get_sub(&st, "secret", "x\ny", "fingerprint"));
	ck_assert_pstr_eq(state_get(&st, "stack", "secrets"), "defaults");
	ck_assert_uint_eq(st.nextra, 7);

	/* written in this format, read back the same */
	ck_assert_int_eq(state_write(path, &st), 0);
	text = read_file(path, &len);
	ck_assert_ptr_nonnull(strstr(text, "[sandbox]\n\tformat = 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "[port \"api\"]\n\tlease = API_PORT 8002\n"));
	ck_assert_ptr_nonnull(strstr(text, "[secret \"a b\\\"c\"]\n\tfingerprint = fp2\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tcerts = \" /c;d%\"\n"));
	free(text);
	ck_assert_int_eq(state_read(path, &back), 0);
	ck_assert_uint_eq(back.nextra, st.nextra);
	ck_assert_pstr_eq(state_get(&back, "engine", "certs"), " /c;d%");
	ck_assert_pstr_eq(state_get_sub(&back, "secret", "a b\"c", "fingerprint"), "fp2");
	state_free(&back);
	state_free(&st);

	/* no ports at all */
	put(path, "[sandbox]\nname = one\nslot = 2\nproject = p-one\n[port]\n- = none\n");
	ck_assert_int_eq(state_read(path, &st), 0);
	ck_assert_pstr_eq(state_get(&st, "ports", "none"), "true");
	ck_assert_uint_eq(st.nextra, 1);
	state_free(&st);
	/* a section the tool never wrote is still refused */
	put(path, "[sandbox]\nname = one\nslot = 3\nproject = p\n[a%20b]\nk = v\n");
	ck_assert_int_eq(state_read(path, &st), -1);
	state_free(&st);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");
	TCase *files = tcase_create("files");

	tcase_add_test(tc, test_value_round_trip);
	tcase_add_test(tc, test_value_form);
	tcase_add_test(tc, test_subsection_round_trip);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, files_setup, files_teardown);
	tcase_add_test(files, test_state_hostile);
	tcase_add_test(files, test_state_refused);
	tcase_add_test(files, test_state_upgrade);
	suite_add_tcase(s, files);
	return run_suite(s);
}
