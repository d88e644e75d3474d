/* Unit tests for compose_parse_setup() (lib/composefile.c) and setup_write() (lib/setup.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "composefile.h"
#include "setup.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/* "service var base count target" for each published port, one a line, or "ERR: <why>" */
static char *ports(const char *text)
{
	struct compose_setup cs = { 0 };
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	size_t i;

	if (compose_parse_setup(text, strlen(text), &cs, &err) < 0)
		strbuf_addf(&sb, "ERR: %s", err.buf);
	for (i = 0; i < cs.nports; i++) {
		const struct compose_port *p = &cs.ports[i];

		strbuf_addf(&sb, "%s %s %ld %ld %s%s%s\n", p->service, p->var ? p->var : "-", p->base,
			    p->count, p->target ? p->target : "-", p->host_ip ? " @" : "",
			    p->host_ip ? p->host_ip : "");
	}
	for (i = 0; i < cs.nnamed; i++)
		strbuf_addf(&sb, "name %s %s %lu\n", cs.named[i].service, cs.named[i].name,
			    cs.named[i].line);
	if (cs.unread)
		strbuf_addf(&sb, "unread %zu\n", cs.unread);
	compose_setup_free(&cs);
	strbuf_release(&err);
	return strbuf_detach(&sb);
}

static void want(const char *text, const char *expect)
{
	char *got = ports(text);

	ck_assert_msg(!strcmp(got, expect), "for:\n%s\ngot:\n%s\nwant:\n%s", text, got, expect);
	free(got);
}

START_TEST(test_ports)
{
	want("services:\n  api:\n    ports: [\"${API_PORT:-8000}:8000\"]\n", "api API_PORT 8000 1 8000\n");
	want("services:\n  api:\n    ports: [\"${API_PORT-8000}:8000\", \"$X:1\", \"${Y}:2\"]\n",
	     "api API_PORT 8000 1 8000\napi X -1 1 1\napi Y -1 1 2\n");
	/* literals, ranges, an address, a protocol; a container port alone, an empty host */
	want("services:\n  w:\n    ports:\n      - 5000-5003:5000-5003\n      - 127.0.0.1:9229:9229\n"
	     "      - \"8080:80/udp\"\n      - 3000\n      - \"4000\"\n      - \":5\"\n",
	     "w - 5000 4 5000-5003\nw - 9229 1 9229 @127.0.0.1\nw - 8080 1 80/udp\n");
	want("services:\n  a:\n    ports: [\"[::1]:8000:80\"]\n", "a - 8000 1 80 @[::1]\n");
	/* long syntax */
	want("services:\n  db:\n    ports:\n      - target: 5432\n        published: \"${DB_PORT:-5432}\"\n"
	     "      - {target: 80, published: 8080, host_ip: 0.0.0.0}\n      - {target: 81}\n",
	     "db DB_PORT 5432 1 5432\ndb - 8080 1 80 @0.0.0.0\n");
	/* through merge keys, for a service and for services */
	want("x: &b {ports: [\"${P_PORT:-1}:1\"]}\nservices:\n  a:\n    <<: *b\n", "a P_PORT 1 1 1\n");
	want("x: &s {a: {ports: [\"2:2\"]}}\nservices:\n  <<: *s\n  b: {ports: [\"3:3\"]}\n",
	     "a - 2 1 2\nb - 3 1 3\n");
	/* container_name, with its line */
	want("services:\n  db:\n    image: x\n    container_name: mydb\n", "name db mydb 4\n");
	/* what cannot be read is counted, not guessed */
	want("services:\n  a:\n    ports: [\"${1BAD:-1}:1\", \"x:1\", \"70000:1\", \"1:2:3:4\", [1]]\n",
	     "unread 5\n");
	want("services: [a]\n", "ERR: \"services\" is not a mapping");
	want("", "");
}
END_TEST

static void write_out(const char *text, struct strbuf *out, struct strbuf *advice, size_t *groups)
{
	struct compose_setup cs = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *files[] = { "docker-compose.yml" };

	ck_assert_int_eq(compose_parse_setup(text, strlen(text), &cs, &err), 0);
	*groups = setup_write(&cs, "demo", files, 1, out, advice);
	compose_setup_free(&cs);
	strbuf_release(&err);
}

START_TEST(test_write)
{
	struct strbuf out = STRBUF_INIT, advice = STRBUF_INIT;
	size_t groups;

	write_out("services:\n  api:\n    ports: [\"${API_PORT:-8000}:8000\", \"9229:9229\"]\n"
		  "  db:\n    container_name: mydb\n    ports: [\"5432:5432\"]\n"
		  "  w:\n    ports: [\"5000-5003:5000-5003\"]\n"
		  "  d:\n    ports: [\"${DOCKER_PORT:-2375}:2375\"]\n"
		  "  n:\n    ports: [\"${N_PORT}:1\"]\n", &out, &advice, &groups);
	ck_assert_uint_eq(groups, 5);
	ck_assert_ptr_nonnull(strstr(out.buf, "[sandbox]\n\tproject = demo\n\tcompose = docker-compose.yml\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "[port \"api\"]\t\t# service api, line 3\n\tvar = API_PORT\n\tbase = 8000\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "[port \"api-2\"]\t\t# service api, line 3\n\tvar = API_2_PORT\n\tbase = 9229\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "[port \"db\"]\t\t# service db, line 6\n\tvar = DB_PORT\n\tbase = 5432\n#\twait = tcp"));
	ck_assert_ptr_nonnull(strstr(out.buf, "\tvar = W_PORT\n\tbase = 5000\n\tcount = 4\n\tstep = 10\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "[port \"d\"]\t\t# service d, line 10\n\tvar = D_PORT\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "#[port \"n\"]\t\t# service n, line 12\n#\tvar = N_PORT\n#\tbase = ?"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "service 'api' publishes the fixed host port 9229 (line 3): write \"${API_2_PORT}:9229\" instead"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "write \"${DB_PORT}:5432\" instead"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "write \"${W_PORT_1}-${W_PORT_4}:5000-5003\" instead"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "service 'd' publishes ${DOCKER_PORT} (line 10), but DOCKER_PORT is"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "write \"${D_PORT}:2375\" instead"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "service 'n' publishes ${N_PORT} with no default (line 12)"));
	ck_assert_ptr_nonnull(strstr(advice.buf, "service 'db' has the fixed container_name 'mydb' (line 5): remove it, or write \"container_name: ${COMPOSE_PROJECT_NAME}-db\""));
	ck_assert_ptr_null(strstr(advice.buf, "'api' publishes ${API_PORT}"));
	strbuf_reset(&out);
	strbuf_reset(&advice);

	/* a clean file: nothing to say; a file's text never makes a line of its own */
	write_out("services:\n  \"a\\nb\":\n    ports: [\"${A_PORT:-7000}:80\"]\n", &out, &advice, &groups);
	ck_assert_uint_eq(groups, 1);
	ck_assert_str_eq(advice.buf, "");
	ck_assert_ptr_nonnull(strstr(out.buf, "[port \"a-b\"]\t\t# service a?b, line 3\n"));
	strbuf_release(&out);
	strbuf_release(&advice);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("setup");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
