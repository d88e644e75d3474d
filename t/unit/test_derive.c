/* Unit tests for lib/derive.c: templates and URLs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

static int check(const char *tmpl, unsigned allow, struct strbuf *why)
{
	strbuf_reset(why);
	return template_check(tmpl, allow, why);
}

START_TEST(test_check)
{
	struct strbuf why = STRBUF_INIT;
	const unsigned url = TEMPLATE_HOST | TEMPLATE_PORT | TEMPLATE_URL;
	const unsigned env = TEMPLATE_HOST | TEMPLATE_VARS;

	ck_assert_int_eq(check("http://{host}:{port}/", url, &why), 0);
	ck_assert_int_eq(check("", url, &why), 0);
	ck_assert_int_eq(check("http://{host}:{port}/grafana/?q={{x}&$1", url, &why), 0);
	/* a '{' that starts no placeholder is itself: JSON, say */
	ck_assert_int_eq(check("{\"a\": 1}", env, &why), 0);
	ck_assert_int_eq(check("{ host }", env, &why), 0);

	ck_assert_int_eq(check("http://{hots}:{port}/", url, &why), -1);
	ck_assert_str_eq(why.buf, "unknown placeholder {hots} (known: {host}, {port}); write {{ for a '{'");
	ck_assert_int_eq(check("{PORT}", url, &why), -1);
	/* {port} is a group's: a derived variable has none */
	ck_assert_int_eq(check("x:{port}", env, &why), -1);
	ck_assert_str_eq(why.buf, "unknown placeholder {port} (known: {host}); write {{ for a '{'");
	ck_assert_int_eq(check("http://a b/", url, &why), -1);
	ck_assert_str_eq(why.buf, "a URL has no blank");
	ck_assert_int_eq(check("http://h\xc3\xa9/", url, &why), -1);
	ck_assert_int_eq(check("a b \xc3\xa9", env, &why), 0);
	ck_assert_int_eq(check("a\nb", env, &why), -1);
	ck_assert_str_eq(why.buf, "it has a control byte (0x0a)");
	ck_assert_int_eq(check("a\tb", url, &why), -1);
	ck_assert_int_eq(check("a\x7f", env, &why), -1);

	/* ${NAME} only: $NAME, a lone '$' and a broken ${ are refused */
	ck_assert_int_eq(check("pg://${DB_PORT}/x$${y}", env, &why), 0);
	ck_assert_int_eq(check("${_x1}", env, &why), 0);
	ck_assert_int_eq(check("$DB_PORT", env, &why), -1);
	ck_assert_str_eq(why.buf, "a '$' starts a reference, ${NAME} ($NAME is not one); write $$ for a '$'");
	ck_assert_int_eq(check("a$", env, &why), -1);
	ck_assert_int_eq(check("${DB-PORT}", env, &why), -1);
	ck_assert_str_eq(why.buf, "'${' starts a reference: a variable name, then '}'");
	ck_assert_int_eq(check("${1X}", env, &why), -1);
	ck_assert_int_eq(check("${X", env, &why), -1);
	ck_assert_int_eq(check("${}", env, &why), -1);
	/* in a URL a '$' is a byte like any other */
	ck_assert_int_eq(check("http://h/$x", url, &why), 0);
	strbuf_release(&why);
}
END_TEST

static int collect(const char *name, size_t len, void *data)
{
	struct strbuf *sb = data;

	strbuf_addf(sb, "%.*s,", (int)len, name);
	return 0;
}

static int stop_at_b(const char *name, size_t len, void *data)
{
	(void)data;
	return len == 1 && *name == 'B' ? 7 : 0;
}

START_TEST(test_refs_and_uses)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_int_eq(template_refs("${A}x$${N}{{${B}}${C}", collect, &sb), 0);
	ck_assert_str_eq(sb.buf, "A,B,C,");
	ck_assert_int_eq(template_refs("${A}${B}${C}", stop_at_b, NULL), 7);
	ck_assert_int_eq(template_uses("http://{host}/", "host"), 1);
	ck_assert_int_eq(template_uses("http://{{host}/", "host"), 0);
	ck_assert_int_eq(template_uses("{port}", "host"), 0);
	ck_assert_int_eq(template_uses("{port}", "port"), 1);
	strbuf_release(&sb);
}
END_TEST

static const char *vars(const char *name, size_t len, void *data)
{
	(void)data;
	if (len == 7 && !strncmp(name, "DB_PORT", len))
		return "5433";
	if (len == 4 && !strncmp(name, "NAME", len))
		return "feat";
	return NULL;
}

static int expand(struct strbuf *out, const char *tmpl, const char *host, long port,
		  struct strbuf *why)
{
	struct template_vars v = { host, port, vars, NULL };

	strbuf_reset(out);
	strbuf_reset(why);
	return template_expand(out, tmpl, &v, why);
}

START_TEST(test_expand)
{
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;

	ck_assert_int_eq(expand(&out, "http://{host}:{port}/", "localhost", 8001, &why), 0);
	ck_assert_str_eq(out.buf, "http://localhost:8001/");
	/* an IPv6 address in brackets, as a URL has it */
	ck_assert_int_eq(expand(&out, "http://{host}:{port}/", "fd00::1", 8001, &why), 0);
	ck_assert_str_eq(out.buf, "http://[fd00::1]:8001/");
	ck_assert_int_eq(expand(&out, "pg://app@{host}:${DB_PORT}/${NAME}?a=$$1&b={{x}", "10.0.0.2", 0,
				&why), 0);
	ck_assert_str_eq(out.buf, "pg://app@10.0.0.2:5433/feat?a=$1&b={x}");
	ck_assert_int_eq(expand(&out, "$${NAME} $${host} $$$$", "h", 0, &why), 0);
	ck_assert_str_eq(out.buf, "${NAME} ${host} $$");
	ck_assert_int_eq(expand(&out, "{\"port\": ${DB_PORT}}", NULL, 0, &why), 0);
	ck_assert_str_eq(out.buf, "{\"port\": 5433}");

	ck_assert_int_eq(expand(&out, "x${NOPE}", "h", 0, &why), -1);
	ck_assert_str_eq(why.buf, "${NOPE}: the sandbox has no such variable");
	ck_assert_int_eq(expand(&out, "http://{host}/", NULL, 0, &why), -1);
	ck_assert_str_eq(why.buf, "{host}: the engine's host is not known");
	strbuf_release(&out);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_urls)
{
	struct port_group g[4] = {
		{ (char *)"api", (char *)"API_PORT", 8000, 1, 8000, 1, (char *)"/health", 0,
		  ORIGIN_PROJECT, NULL, 0 },
		{ (char *)"db", (char *)"DB_PORT", 5432, 1, 5432, 1, NULL, 1, ORIGIN_PROJECT, NULL, 0 },
		{ (char *)"grafana", (char *)"GF_PORT", 3000, 1, 3000, 1, NULL, 0, ORIGIN_PROJECT,
		  (char *)"http://{host}:{port}/grafana/", 1 },
		{ (char *)"quiet", (char *)"Q_PORT", 4000, 1, 4000, 1, (char *)"/h", 0, ORIGIN_PROJECT,
		  (char *)"", 1 },
	};
	long ports[] = { 8001, 5433, 3001, 4001 };
	char *names[] = { (char *)"api", (char *)"db", (char *)"grafana", (char *)"quiet" };
	struct sb_config cfg = { 0 };
	struct port_set ps;
	const char **un;
	char **urls;
	size_t n;

	cfg.ports = g;
	cfg.nports = 4;
	ports_from_flat(&ps, ports, names, 4, &cfg);
	ck_assert_str_eq(port_url_template(&g[0]), DEFAULT_URL_TEMPLATE);
	ck_assert_ptr_null(port_url_template(&g[1]));
	ck_assert_ptr_null(port_url_template(&g[3]));	/* url set empty: none, health or not */

	n = urls_of(&cfg, &ps, "localhost", &un, &urls);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(un[0], "api");
	ck_assert_str_eq(urls[0], "http://localhost:8001/");
	ck_assert_str_eq(un[1], "grafana");
	ck_assert_str_eq(urls[1], "http://localhost:3001/grafana/");
	urls_free(un, urls, n);

	/* no engine, no host: no URL */
	ck_assert_uint_eq(urls_of(&cfg, &ps, NULL, &un, &urls), 0);
	urls_free(un, urls, 0);
	port_set_free(&ps);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("derive");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_refs_and_uses);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_urls);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
