/* Unit tests for lib/show.c and lib/json.c: ports in compact form, the sandbox's JSON object, UTF-8. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "show.h"
#include "strbuf.h"
#include "unit.h"

static const char *compact(const long *ports, char *const *names, size_t n)
{
	static struct strbuf out = STRBUF_INIT;

	strbuf_reset(&out);
	show_ports_compact(&out, ports, names, n);
	return out.buf;
}

START_TEST(test_ports_compact)
{
	const long p1[] = { 8001, 5433, 5010, 5011, 5012, 5013 };
	char *n1[] = { "api", "db", "workers", "workers", "workers", "workers" };
	const long p2[] = { 5010, 5011, 5020, 5030, 5031, 5032, 9000 };
	char *n2[] = { "w", "w", "w", "w", "w", "w", "x" };
	const long p3[] = { 8001, 8002 };
	char *n3[] = { "a", "b" };
	const long p4[] = { 5011, 5010 };
	char *n4[] = { "w", "w" };

	ck_assert_str_eq(compact(p1, n1, 6), "api 8001 db 5433 workers 5010-5013");
	/* runs of a group joined by ',' */
	ck_assert_str_eq(compact(p2, n2, 7), "w 5010-5011,5020,5030-5032 x 9000");
	/* consecutive ports of two groups are no range */
	ck_assert_str_eq(compact(p3, n3, 2), "a 8001 b 8002");
	/* in the order leased, not sorted */
	ck_assert_str_eq(compact(p4, n4, 2), "w 5011,5010");
	ck_assert_str_eq(compact(NULL, NULL, 0), "");
}
END_TEST

static char *text(const char *s)
{
	json_t *v = json_text(s);
	char *out = json_dumps(v, JSON_ENCODE_ANY);

	json_decref(v);
	return out;
}

START_TEST(test_json_text)
{
	char *s;

	s = text(NULL);
	ck_assert_str_eq(s, "null");
	free(s);
	s = text("/home/me/caf\xc3\xa9 \"x\"\n");
	ck_assert_str_eq(s, "\"/home/me/caf\xc3\xa9 \\\"x\\\"\\n\"");
	free(s);
	/* a Latin-1 byte, a lone continuation byte, a truncated sequence: one U+FFFD a byte */
	s = text("caf\xe9/\x80/\xe2\x82");
	ck_assert_str_eq(s, "\"caf\xef\xbf\xbd/\xef\xbf\xbd/\xef\xbf\xbd\xef\xbf\xbd\"");
	free(s);
	/* overlong, a surrogate, beyond U+10FFFF are not UTF-8 either */
	s = text("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "\xc0"));
	ck_assert_ptr_null(strstr(s, "\xed\xa0"));
	ck_assert_ptr_null(strstr(s, "\xf4\x90"));
	free(s);
	/* four bytes, valid */
	s = text("\xf0\x9f\x90\xb3");
	ck_assert_str_eq(s, "\"\xf0\x9f\x90\xb3\"");
	free(s);
}
END_TEST

START_TEST(test_sandbox_json)
{
	const long ports[] = { 8001, 5010, 5011 };
	char *names[] = { "api", "workers", "workers" };
	const char *url_names[] = { "api" };
	char *urls[] = { "http://localhost:8001/" };
	struct sandbox_view v = {
		"feat", 1, 0, "/r", "/r--feat\xff", NULL, "r-feat", "running", ports, names, 3,
		NULL, url_names, urls, 1,
	};
	struct strbuf out = STRBUF_INIT;
	json_t *o = show_sandbox_json(&v);

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_to_strbuf(&out, o), 0);
	ck_assert_str_eq(out.buf, "{\"name\":\"feat\",\"slot\":1,\"repo\":\"/r\","
			 "\"path\":\"/r--feat\xef\xbf\xbd\",\"branch\":null,\"project\":\"r-feat\","
			 "\"status\":\"running\",\"engine\":null,"
			 "\"ports\":{\"api\":8001,\"workers\":[5010,5011]},"
			 "\"url\":\"http://localhost:8001/\",\"urls\":{\"api\":\"http://localhost:8001/\"},"
			 "\"main\":false}\n");
	json_decref(o);

	/* the main worktree's stack, with no URL */
	v.main = 1;
	v.slot = 0;
	v.nurls = 0;
	v.nports = 0;
	o = show_sandbox_json(&v);
	strbuf_reset(&out);
	ck_assert_int_eq(json_to_strbuf(&out, o), 0);
	ck_assert_ptr_nonnull(strstr(out.buf, "\"ports\":{},\"url\":null,\"urls\":{},\"main\":true}"));
	json_decref(o);
	strbuf_release(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("show");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ports_compact);
	tcase_add_test(tc, test_json_text);
	tcase_add_test(tc, test_sandbox_json);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
