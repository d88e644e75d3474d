/* Unit tests for lib/composefile.c and lib/stackid.c: service names, the record, ownership. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "composefile.h"
#include "lock.h"
#include "registry.h"
#include "stackid.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/* The services of text joined by blanks (then " | " and its profiles, if any), or "ERR: <why>". */
static char *services(const char *text)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct compose_names names = { 0 };
	size_t i;

	if (compose_parse_names(text, strlen(text), &names, &err) < 0) {
		strbuf_addf(&sb, "ERR: %s", err.buf);
	} else {
		ck_assert(!names.services || !names.services[names.nservices]);
		ck_assert(!names.profiles || !names.profiles[names.nprofiles]);
		for (i = 0; i < names.nservices; i++)
			strbuf_addf(&sb, "%s%s", i ? " " : "", names.services[i]);
		for (i = 0; i < names.nprofiles; i++)
			strbuf_addf(&sb, "%s%s", i ? " " : " | ", names.profiles[i]);
	}
	compose_names_free(&names);
	strbuf_release(&err);
	return strbuf_detach(&sb);
}

static void want(const char *text, const char *expect)
{
	char *got = services(text);

	if (!strncmp(expect, "ERR", 3))
		ck_assert_msg(!strncmp(got, "ERR", 3), "'%s': got '%s'", text, got);
	else
		ck_assert_str_eq(got, expect);
	free(got);
}

START_TEST(test_services)
{
	want("services:\n  api:\n    image: x\n  db: {image: y}\n", "api db");
	want("version: '3'\nservices: {web: {image: x}}\nvolumes: {data: {}}\n", "web");
	/* quoted names, flow style, a name that is a number */
	want("services:\n  \"a b\": {}\n  '8080': {}\n", "a b 8080");
	/* anchors, aliases and merge keys, as PyYAML reads them for compose v1 */
	want("x-base: &b {api: {image: x}}\nservices:\n  <<: *b\n  db: {}\n", "api db");
	want("x-a: &a {one: {}}\nx-b: &b {two: {}}\nservices:\n  <<: [*a, *b]\n  one: {}\n",
	     "one two");
	/* a quoted "<<" is a name; a key tagged !!merge is a merge */
	want("services:\n  '<<': {}\n", "<<");
	want("x: &h {hidden: {}}\nservices:\n  shown: {}\n  !!merge shown: *h\n", "shown hidden");
	want("", "");
	want("services:\n", "");
	/* the profiles services name, once each, through merge keys too */
	want("services:\n  api: {}\n  dbg: {profiles: [debug, tools]}\n  t: {profiles: [tools]}\n",
	     "api dbg t | debug tools");
	want("x: &p {profiles: [late]}\nservices:\n  a:\n    <<: *p\n    image: x\n", "a | late");
	want("services:\n  a: {profiles: debug}\n", "a");
	want("services:\n  a: {profiles: [[x]]}\n", "ERR");
	want("services:\n  a: {profiles: ['']}\n", "ERR");
	want("volumes: {}\n", "");
	/* what compose would refuse, or a file that is not a compose file */
	want("services: [a, b]\n", "ERR");
	want("- a\n- b\n", "ERR");
	want("services:\n  [a]: {}\n", "ERR");
	want("services:\n  api: {\n", "ERR");
	want("services:\n  <<: 3\n", "ERR");
}
END_TEST

START_TEST(test_services_self_merge)
{
	/* an anchor that merges itself ends: each mapping is read once */
	want("services: &s\n  a: {}\n  <<: *s\n", "a");
}
END_TEST

START_TEST(test_many_aliases)
{
	/* a billion laughs is a few nodes referring to each other: no blow-up */
	struct strbuf sb = STRBUF_INIT;
	char *got;
	int i;

	strbuf_addstr(&sb, "x0: &x0 {a: {}}\n");
	for (i = 1; i < 30; i++)
		strbuf_addf(&sb, "x%d: &x%d [*x%d, *x%d, *x%d, *x%d]\n", i, i, i - 1, i - 1, i - 1, i - 1);
	strbuf_addstr(&sb, "services:\n  <<: *x29\n");
	got = services(sb.buf);
	/* a merge of sequences of sequences is no merge YAML knows */
	ck_assert_str_eq(got, "ERR: a merge key ('<<') under \"services\" is not a mapping");
	free(got);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_deep_nesting)
{
	struct strbuf sb = STRBUF_INIT;
	char *got;
	int i;

	/* libyaml is quadratic in nesting: refused before it parses */
	strbuf_addstr(&sb, "services: {a: {}}\nx: ");
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, '[');
	got = services(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "services: {a: {}}\n");
	for (i = 0; i < 2000; i++)
		strbuf_addf(&sb, "%*sk%d:\n", i, "", i);
	got = services(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	/* an apostrophe in a plain scalar, a comment with CR line ends: they hide nothing */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "services: {a: {}}\r# note\rx: ");
	for (i = 0; i < 1000; i++)
		strbuf_addch(&sb, '[');
	got = services(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "services: {a: {command: rock 'n roll}}\nx: ");
	for (i = 0; i < 1000; i++)
		strbuf_addch(&sb, '[');
	got = services(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "services: {a: {command: it's}}\nx: ");
	for (i = 0; i < 1000; i++)
		strbuf_addch(&sb, '[');
	got = services(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	/* brackets in quotes and comments are not nesting */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
		      "services:\n  api:\n    command: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n");
	got = services(sb.buf);
	ck_assert_str_eq(got, "api");
	free(got);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_wide_merges)
{
	/* many merges of one big anchor: each mapping is read once, quickly */
	struct strbuf sb = STRBUF_INIT;
	char *got;
	int i, j;

	strbuf_addstr(&sb, "x-a: &a\n");
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "  s%d: {}\n", i);
	strbuf_addstr(&sb, "services:\n");
	for (i = 0; i < 5; i++) {
		strbuf_addf(&sb, "  <<: [");
		for (j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*a", j ? ", " : "");
		strbuf_addstr(&sb, "]\n");
	}
	got = services(sb.buf);
	ck_assert(!strncmp(got, "s0 s1 s2", 8));
	free(got);
	strbuf_release(&sb);
}
END_TEST

START_TEST(test_valid_id)
{
	ck_assert(valid_stack_id("0123456789abcdef0123456789abcdef"));
	ck_assert(!valid_stack_id("0123456789abcdef0123456789abcde"));
	ck_assert(!valid_stack_id("0123456789abcdef0123456789abcdef0"));
	ck_assert(!valid_stack_id("0123456789ABCDEF0123456789abcdef"));
	ck_assert(!valid_stack_id(""));
}
END_TEST

static struct container mk(const char *project, const char *id, const char *dir)
{
	struct container c = { 0 };

	c.project = (char *)project;
	c.stack_id = (char *)id;
	c.working_dir = (char *)dir;
	return c;
}

START_TEST(test_owns)
{
	struct stack_ident si = { 0 };
	struct container a = mk("p-x", "0123456789abcdef0123456789abcdef", "/w/p--x");
	struct container b = mk("p-x", "fedcba9876543210fedcba9876543210", "/w/p--x");
	struct container old = mk("p-x", "", "/w/p--x");
	struct container there = mk("p-x", "", "/other/p--x");
	struct container other = mk("q-x", "0123456789abcdef0123456789abcdef", "/w/p--x");

	si.id = (char *)"0123456789abcdef0123456789abcdef";
	ck_assert(stack_owns(&si, "p-x", "/w/p--x", &a));
	/* another id, even in our own directory, is another stack */
	ck_assert(!stack_owns(&si, "p-x", "/w/p--x", &b));
	/* no id: only if it was made in this very worktree */
	ck_assert(stack_owns(&si, "p-x", "/w/p--x", &old));
	ck_assert(!stack_owns(&si, "p-x", "/w/p--x", &there));
	ck_assert(!stack_owns(&si, "p-x", NULL, &old));
	ck_assert(!stack_owns(&si, "p-x", "/w/p--x", &other));
	si.id = NULL;
	ck_assert(!stack_owns(&si, "p-x", "/w/p--x", &a));
}
END_TEST

START_TEST(test_record_round_trip)
{
	char dir[] = "/tmp/sbunit-stackid-XXXXXX";
	struct stack_ident si, back;
	char *file;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(stack_ident_read(dir, &si), 0);
	ck_assert_ptr_null(si.id);
	stack_ident_make_id(&si);
	ck_assert(valid_stack_id(si.id));
	ck_assert_int_eq(si.dirty, 1);
	ALLOC_GROW(si.vols, 1, si.vols_alloc);
	memset(&si.vols[0], 0, sizeof(si.vols[0]));
	si.vols[0].name = xstrdup("p-x_data");
	si.vols[0].created = xstrdup("2026-11-30T09:00:00Z");
	si.vols[0].project = xstrdup("");
	si.nvols = 1;
	ALLOC_GROW(si.nets, 1, si.nets_alloc);
	si.nets[si.nnets++] = xstrdup("abc123");
	ck_assert_int_eq(stack_ident_write(&si), 0);
	ck_assert_int_eq(stack_ident_read(dir, &back), 0);
	ck_assert_str_eq(back.id, si.id);
	ck_assert_uint_eq(back.nvols, 1);
	ck_assert_str_eq(back.vols[0].name, "p-x_data");
	ck_assert_str_eq(back.vols[0].created, "2026-11-30T09:00:00Z");
	ck_assert_uint_eq(back.nnets, 1);
	ck_assert_int_eq(back.dirty, 0);
	/* a second id is another stack's: never the same twice */
	stack_ident_free(&back);
	memset(&back, 0, sizeof(back));
	stack_ident_make_id(&back);
	ck_assert_str_ne(back.id, si.id);
	stack_ident_free(&back);
	file = xstrdup(si.file);
	stack_ident_free(&si);
	/* a forged id is refused, not used */
	ck_assert_int_eq(write_file_atomic(file, "[stack]\nid = ../../x\n", 20, 0644), 0);
	ck_assert_int_eq(stack_ident_read(dir, &back), -1);
	stack_ident_free(&back);
	unlink(file);
	free(file);
	rmdir(dir);
}
END_TEST

START_TEST(test_registry_released)
{
	struct registry r = { .lockfd = -1 }, back = { .lockfd = -1 };
	struct reg_entry e = { 0 };
	struct strbuf out = STRBUF_INIT;
	char id[STACK_ID_LEN + 1];
	int i, line;

	e.slot = 1;
	e.repo = (char *)"/r";
	e.name = (char *)"x";
	e.path = (char *)"/w/p--x";
	e.gitdir = (char *)"/r/worktrees/x";
	e.project = (char *)"p-x";
	e.stack_id = (char *)"0123456789abcdef0123456789abcdef";
	registry_add(&r, &e);
	ck_assert(!registry_released(&r, e.stack_id));
	registry_add(&r, &e);
	/* an undone create leaves no trace; a released sandbox its id */
	registry_remove(&r, &r.e[0]);
	ck_assert(!registry_released(&r, e.stack_id));
	registry_release_entry(&r, &r.e[0]);
	ck_assert_uint_eq(r.n, 0);
	ck_assert(registry_released(&r, "0123456789abcdef0123456789abcdef"));
	ck_assert(!registry_released(&r, ""));
	/* only the latest are kept */
	for (i = 0; i < REGISTRY_RELEASED_MAX; i++) {
		snprintf(id, sizeof(id), "%032x", i + 1);
		registry_released_add(&r, id);
	}
	ck_assert_uint_eq(r.nreleased, REGISTRY_RELEASED_MAX);
	ck_assert(!registry_released(&r, "0123456789abcdef0123456789abcdef"));
	registry_format(&r, &out);
	ck_assert_int_eq(registry_parse(&back, out.buf, &line), 0);
	ck_assert_uint_eq(back.nreleased, REGISTRY_RELEASED_MAX);
	ck_assert(registry_released(&back, id));
	registry_release(&back);
	registry_release(&r);
	strbuf_release(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stackid");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_services);
	tcase_add_test(tc, test_services_self_merge);
	tcase_add_test(tc, test_many_aliases);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_wide_merges);
	tcase_add_test(tc, test_valid_id);
	tcase_add_test(tc, test_owns);
	tcase_add_test(tc, test_record_round_trip);
	tcase_add_test(tc, test_registry_released);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
