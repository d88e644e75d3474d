/* Unit tests for lib/derive.c: templates, URLs and derived variables. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "secrets.h"
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
	/* a template that is not one: read up to where it stops being one */
	strbuf_reset(&sb);
	ck_assert_int_eq(template_refs("${A}$B${C}", collect, &sb), 0);
	ck_assert_str_eq(sb.buf, "A,");
	ck_assert_int_eq(template_uses("{port}{nope}", "port"), 1);
	ck_assert_int_eq(template_uses("{nope}{port}", "port"), 0);
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

START_TEST(test_order)
{
	struct env_def d[4] = {
		{ (char *)"C", (char *)"${B}/${A}", NULL, ORIGIN_PROJECT, 0, 0 },
		{ (char *)"A", (char *)"${API_PORT}", NULL, ORIGIN_PROJECT, 0, 0 },
		{ (char *)"B", (char *)"${A}x", NULL, ORIGIN_PROJECT, 0, 0 },
		{ (char *)"D", (char *)"plain", NULL, ORIGIN_PROJECT, 0, 0 },
	};
	struct strbuf why = STRBUF_INIT;
	size_t order[4], at = 99;

	ck_assert_int_eq(template_order(d, 4, order, &at, &why), 0);
	ck_assert_uint_eq(order[0], 1);	/* A */
	ck_assert_uint_eq(order[1], 2);	/* B */
	ck_assert_uint_eq(order[2], 0);	/* C */
	ck_assert_uint_eq(order[3], 3);	/* D */

	d[1].value = (char *)"${C}";
	ck_assert_int_eq(template_order(d, 4, order, &at, &why), -1);
	ck_assert_str_eq(why.buf, "C -> B -> A -> C");
	ck_assert_uint_eq(at, 0);

	strbuf_reset(&why);
	d[1].value = (char *)"${A}";
	ck_assert_int_eq(template_order(d, 4, order, &at, &why), -1);
	ck_assert_str_eq(why.buf, "A -> A");
	ck_assert_uint_eq(at, 1);
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

static char **base_env(size_t *n, size_t *alloc)
{
	char **env = NULL;

	*n = *alloc = 0;
	ALLOC_GROW(env, 4, *alloc);
	env[(*n)++] = xstrdup("DB_PORT=5433");
	env[(*n)++] = xstrdup("SANDBOX_NAME=feat");
	env[*n] = NULL;
	return env;
}

static void free_env_(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

START_TEST(test_derive_env)
{
	struct env_def d[4] = {
		{ (char *)"SELF", (char *)"${BASE}/self", NULL, ORIGIN_PROJECT, 0, 1 },
		{ (char *)"BASE", (char *)"http://{host}:${DB_PORT}", NULL, ORIGIN_PROJECT, 0, 1 },
		{ (char *)"DSN", (char *)"pg://app:${DB_PASSWORD}@db:${DB_PORT}/${SANDBOX_NAME}", NULL,
		  ORIGIN_PROJECT, 1, 0 },
		{ (char *)"GONE", (char *)"${WAS_PORT}", NULL, ORIGIN_PROJECT, 0, 0 },
	};
	size_t order[4] = { 1, 0, 2, 3 };
	struct sb_config cfg = { 0 };
	struct strbuf why = STRBUF_INIT;
	size_t n, alloc;
	char **env = base_env(&n, &alloc);

	cfg.envs = d;
	cfg.nenvs = 4;
	cfg.env_order = order;
	/* in the configuration's order; the secret's never; one whose variable is gone left out */
	ck_assert_uint_eq(derive_env(&cfg, "localhost", &env, &n, &alloc, &why), 1);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(env[2], "SELF=http://localhost:5433/self");
	ck_assert_str_eq(env[3], "BASE=http://localhost:5433");
	ck_assert_ptr_null(env[4]);
	ck_assert_str_eq(why.buf, "GONE (${WAS_PORT}: the sandbox has no such variable)");
	free_env_(env);

	/* no host: what is made of it is left out, and what is made of that */
	strbuf_reset(&why);
	env = base_env(&n, &alloc);
	ck_assert_uint_eq(derive_env(&cfg, NULL, &env, &n, &alloc, &why), 3);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(env[2]);
	free_env_(env);
	strbuf_release(&why);
}
END_TEST

START_TEST(test_derive_secret_env)
{
	struct env_def d[3] = {
		{ (char *)"DSN", (char *)"pg://app:${DB_PASSWORD}@db:${DB_PORT}/app", NULL,
		  ORIGIN_PROJECT, 1, 0 },
		{ (char *)"PLAIN", (char *)"${DB_PORT}", NULL, ORIGIN_PROJECT, 0, 0 },
		{ (char *)"DSN2", (char *)"${DSN}?x=${JWT_SECRET}", NULL, ORIGIN_PROJECT, 1, 0 },
	};
	struct secret s[2] = {
		{ (char *)"db_password", (char *)"DB_PASSWORD", (char *)"p@ss" },
		{ (char *)"jwt", (char *)"JWT_SECRET", (char *)"j" },
	};
	struct sb_config cfg = { 0 };
	struct strbuf why = STRBUF_INIT;
	const char *env[] = { "DB_PORT=5433", "PLAIN=5433", NULL };
	char **out = NULL;
	size_t n = 0, alloc = 0, i;

	cfg.envs = d;
	cfg.nenvs = 3;
	ck_assert_uint_eq(derive_secret_env(&cfg, "localhost", env, s, 2, &out, &n, &alloc, &why), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0], "DSN=pg://app:p@ss@db:5433/app");
	ck_assert_str_eq(out[1], "DSN2=pg://app:p@ss@db:5433/app?x=j");
	ck_assert_ptr_null(out[2]);
	for (i = 0; i < n; i++)
		free_secret(out[i]);
	free(out);

	/* a secret without a value (--no-secrets, no default): unset, and what is made of it */
	s[1].value = NULL;
	out = NULL;
	n = alloc = 0;
	ck_assert_uint_eq(derive_secret_env(&cfg, "localhost", env, s, 2, &out, &n, &alloc, &why), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0], "DSN=pg://app:p@ss@db:5433/app");
	ck_assert_str_eq(out[1], "DSN2");
	for (i = 0; i < n; i++)
		free_secret(out[i]);
	free(out);
	strbuf_release(&why);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("derive");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_refs_and_uses);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_urls);
	tcase_add_test(tc, test_derive_env);
	tcase_add_test(tc, test_derive_secret_env);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
