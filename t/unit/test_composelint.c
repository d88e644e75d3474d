/*
 * Unit tests for lib/composelint.c and yaml_to_json() (lib/composefile.c):
 * compose's resolved model, as compose v1 and v2 write it, read as JSON and
 * linted, each bad pattern with its fix, and nothing for a clean one.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "composefile.h"
#include "composelint.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/* The JSON of a YAML text, compact, or "ERR: <why>". */
static char *to_json(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	json_t *v = yaml_to_json(text, strlen(text), &err);
	char *got;

	if (!v) {
		ck_assert_msg(err.len, "no reason for '%s'", text);
		got = xasprintf("ERR: %s", err.buf);
	} else {
		got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		ck_assert_ptr_nonnull(got);
		json_decref(v);
	}
	strbuf_release(&err);
	return got;
}

static void want_json(const char *text, const char *expect)
{
	char *got = to_json(text);

	if (!strncmp(expect, "ERR", 3))
		ck_assert_msg(!strncmp(got, expect, strlen(expect)), "'%s': got '%s'", text, got);
	else
		ck_assert_msg(!strcmp(got, expect), "'%s': got '%s', want '%s'", text, got, expect);
	free(got);
}

START_TEST(test_scalars)
{
	want_json("a: 1\nb: '1'\nc: -5\nd: +7\ne: 1.5\nf: 99999999999999999999\n",
		  "{\"a\":1,\"b\":\"1\",\"c\":-5,\"d\":7,\"e\":\"1.5\",\"f\":\"99999999999999999999\"}");
	want_json("a: ~\nb: null\nc:\nd: \"\"\ne: true\nf: False\ng: yes\nh: \"true\"\n",
		  "{\"a\":null,\"b\":null,\"c\":null,\"d\":\"\",\"e\":true,\"f\":false,\"g\":\"yes\","
		  "\"h\":\"true\"}");
	/* a key stays text, whatever it looks like */
	want_json("8000: x\ntrue: y\n", "{\"8000\":\"x\",\"true\":\"y\"}");
	want_json("published: 8000-8002\n", "{\"published\":\"8000-8002\"}");
	want_json("- \"a\\0b\"\n", "[\"a\\u0000b\"]");
	want_json("", "null");
	want_json("x\n", "\"x\"");
}
END_TEST

START_TEST(test_collections)
{
	want_json("a: [1, x, {b: c}]\nd: {}\n", "{\"a\":[1,\"x\",{\"b\":\"c\"}],\"d\":{}}");
	/* an alias is a copy; a later duplicate key wins; a merge key is a key */
	want_json("a: &x {b: 1}\nc: *x\n", "{\"a\":{\"b\":1},\"c\":{\"b\":1}}");
	want_json("a: 1\na: 2\n", "{\"a\":2}");
	want_json("a: &x {b: 1}\nc: {<<: *x}\n", "{\"a\":{\"b\":1},\"c\":{\"<<\":{\"b\":1}}}");
	/* only the first document */
	want_json("a: 1\n---\nb: 2\n", "{\"a\":1}");
}
END_TEST

START_TEST(test_refused)
{
	struct strbuf sb = STRBUF_INIT;
	char *got;
	int i, j;

	want_json("a: [\n", "ERR: line ");
	want_json("? [a]\n: b\n", "ERR: line 1: a mapping key is not a string");
	want_json("? {a: b}\n: c\n", "ERR: line 1: a mapping key is not a string");
	want_json("\"a\\0b\": c\n", "ERR: line 1: a mapping key is not a string");
	/* an anchor within itself: bounded by the nesting */
	got = to_json("a: &a [x, *a]\n");
	ck_assert_msg(!strncmp(got, "ERR", 3), "got '%s'", got);
	free(got);
	/* nesting in the text: refused before it is loaded */
	for (i = 0; i < 100000; i++)
		strbuf_addch(&sb, '[');
	got = to_json(sb.buf);
	ck_assert_msg(strstr(got, "nests more than"), "got '%s'", got);
	free(got);
	/* aliases of aliases: a small text, a huge tree, stopped at the bound */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 9; i++) {
		strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
		strbuf_addstr(&sb, "]\n");
	}
	got = to_json(sb.buf);
	ck_assert_msg(strstr(got, "nodes, aliases expanded"), "got '%s'", got);
	free(got);
	strbuf_release(&sb);
}
END_TEST

/* The sandbox of every lint test: demo-alpha, slot 1 of three groups. */
static struct port_group groups[] = {
	{ .name = "api", .var = "API_PORT", .base = 8000, .step = 1, .main = 8000, .count = 1 },
	{ .name = "db", .var = "DB_PORT", .base = 5432, .step = 1, .main = 5432, .count = 1 },
	{ .name = "workers", .var = "WORKER_PORT", .base = 9100, .step = 4, .main = 9100, .count = 4 },
};
static long api_port[] = { 8001 }, db_port[] = { 5433 }, worker_ports[] = { 9104, 9105, 9106, 9107 };
static struct port_lease leases[] = {
	{ "api", "API_PORT", api_port, 1 },
	{ "db", "DB_PORT", db_port, 1 },
	{ "workers", "WORKER_PORT", worker_ports, 4 },
};

/* The findings for a model, "what => fix" each on its own line, "" for none. */
static char *lint(const char *yaml)
{
	struct sb_config cfg;
	struct port_set ps = { leases, ARRAY_SIZE(leases) };
	struct lint_sandbox ls = { "demo-alpha", &ps, &cfg };
	struct lint_findings f = { 0 };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	json_t *model = yaml_to_json(yaml, strlen(yaml), &err);
	size_t i, n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ports = groups;
	cfg.nports = ARRAY_SIZE(groups);
	cfg.slots = 10;
	ck_assert_msg(model, "'%s': %s", yaml, err.buf);
	n = compose_lint_model(model, &ls, &f);
	ck_assert_uint_eq(n, f.n);
	for (i = 0; i < f.n; i++)
		strbuf_addf(&out, "%s => %s\n", f.v[i].what, f.v[i].fix);
	lint_findings_free(&f);
	json_decref(model);
	strbuf_release(&err);
	return strbuf_detach(&out);
}

static void want_lint(const char *yaml, const char *expect)
{
	char *got = lint(yaml);

	ck_assert_msg(!strcmp(got, expect), "'%s':\ngot  '%s'\nwant '%s'", yaml, got, expect);
	free(got);
}

/* The fix of the only finding of yaml (which must have exactly one). */
static void want_fix(const char *yaml, const char *fix)
{
	char *got = lint(yaml), *arrow = strstr(got, " => ");

	ck_assert_msg(arrow && !strchr(arrow, '\n')[1], "'%s': got '%s'", yaml, got);
	*strchr(arrow, '\n') = '\0';
	ck_assert_msg(!strcmp(arrow + 4, fix), "'%s':\ngot  '%s'\nwant '%s'", yaml, arrow + 4, fix);
	free(got);
}

START_TEST(test_clean)
{
	/* compose v1's spelling */
	want_lint("services:\n"
		  "  api:\n"
		  "    container_name: demo-alpha-api\n"
		  "    image: x\n"
		  "    ports:\n"
		  "    - published: 8001\n      target: 80\n"
		  "    - 127.0.0.1:5433:5432/tcp\n"
		  "    - 127.0.0.1::81/tcp\n"
		  "    - target: 82\n"
		  "    - published: 9104-9107\n      target: 9000\n"
		  "    volumes: [data:/data:rw]\n"
		  "  host:\n"
		  "    network_mode: host\n"
		  "    ports:\n"
		  "    - published: 8000\n      target: 80\n"
		  "version: '3.9'\n"
		  "volumes:\n"
		  "  data: {}\n"
		  "  shared:\n    external: true\n    name: demo-alpha-shared\n",
		  "");
	/* compose v2's */
	want_lint("name: demo-alpha\n"
		  "services:\n"
		  "  api:\n"
		  "    container_name: demo-alpha-api\n"
		  "    ports:\n"
		  "      - mode: ingress\n        target: 80\n        published: \"8001\"\n        protocol: tcp\n"
		  "      - mode: ingress\n        host_ip: 127.0.0.1\n        target: 81\n        protocol: tcp\n"
		  "      - mode: ingress\n        target: 9000\n        published: 9104-9107\n        protocol: tcp\n"
		  "networks:\n  default:\n    name: demo-alpha_default\n"
		  "volumes:\n  data:\n    name: demo-alpha_data\n",
		  "");
	/* nothing to judge */
	want_lint("services: {}\n", "");
	want_lint("{}\n", "");
	want_lint("services: [a, b]\nvolumes: x\n", "");
}
END_TEST

START_TEST(test_container_name)
{
	want_lint("services:\n  api:\n    container_name: myapi\n",
		  "service 'api' has the fixed container_name 'myapi': the stack of a second sandbox "
		  "cannot make its container => remove its container_name, or write: "
		  "container_name: ${COMPOSE_PROJECT_NAME}-api\n");
	/* a control byte of the file's is shown as '?' */
	want_fix("services:\n  \"a\\tb\":\n    container_name: x\n",
		 "remove its container_name, or write: container_name: ${COMPOSE_PROJECT_NAME}-a?b");
}
END_TEST

START_TEST(test_ports)
{
	/* v1 and v2 say the same port their own way: one finding, one fix */
	const char *v1 = "services:\n  api:\n    ports:\n    - published: 8000\n      target: 80\n";
	const char *v2 = "services:\n  api:\n    ports:\n      - mode: ingress\n        target: 80\n"
			 "        published: \"8000\"\n        protocol: tcp\n";
	const char *expect = "service 'api' publishes host port 8000, which is not one of the sandbox's "
			     "ports (5433, 8001, 9104-9107): the stacks of two sandboxes would collide => "
			     "write the ports entry \"${API_PORT}:80\" (port group 'api')\n";

	want_lint(v1, expect);
	want_lint(v2, expect);
	/* another slot's port of a group is that group's */
	want_fix("services:\n  api:\n    ports:\n    - published: 8002\n      target: 80\n",
		 "write the ports entry \"${API_PORT}:80\" (port group 'api')");
	/* the host address and the protocol are kept: v1's short syntax, v2's long one */
	want_fix("services:\n  db:\n    ports:\n    - 127.0.0.1:5432:5432/tcp\n",
		 "write the ports entry \"127.0.0.1:${DB_PORT}:5432\" (port group 'db')");
	want_fix("services:\n  db:\n    ports:\n    - ::1:5432:5432/udp\n",
		 "write the ports entry \"[::1]:${DB_PORT}:5432/udp\" (port group 'db')");
	want_fix("services:\n  db:\n    ports:\n      - mode: ingress\n        host_ip: ::1\n"
		 "        target: 5432\n        published: \"5432\"\n        protocol: udp\n",
		 "write the ports entry \"[::1]:${DB_PORT}:5432/udp\" (port group 'db')");
	/* a group of several ports: its numbered variables */
	want_fix("services:\n  w:\n    ports:\n    - published: 9102\n      target: 9000\n",
		 "write the ports entry \"${WORKER_PORT_3}:9000\" (port group 'workers')");
	want_fix("services:\n  w:\n    ports:\n      - target: 9000\n        published: 9100-9101\n",
		 "write the ports entry \"${WORKER_PORT_1}-${WORKER_PORT_2}:9000\" (port group 'workers')");
	/* no group has it: a new one */
	want_lint("services:\n  web-ui:\n    ports:\n    - published: 7000\n      target: 80\n",
		  "service 'web-ui' publishes host port 7000, which is not one of the sandbox's ports "
		  "(5433, 8001, 9104-9107): the stacks of two sandboxes would collide => add a "
		  "[port \"web-ui\"] group (var = WEB_UI_PORT, base = 7000) and write the ports entry "
		  "\"${WEB_UI_PORT}:80\"\n");
	want_fix("services:\n  api:\n    ports:\n    - published: 7000\n      target: 81\n",
		 "add a [port \"api-81\"] group (var = API_81_PORT, base = 7000) and write the ports "
		 "entry \"${API_81_PORT}:81\"");
	want_lint("services:\n  w:\n    ports:\n      - target: 80\n        published: 7000-7002\n",
		  "service 'w' publishes host ports 7000-7002, which are not the sandbox's ports "
		  "(5433, 8001, 9104-9107): the stacks of two sandboxes would collide => add a "
		  "[port \"w\"] group (var = W_PORT, base = 7000, count = 3, step = 10) and write the "
		  "ports entry \"${W_PORT_1}-${W_PORT_3}:80\"\n");
	/* beyond the slots, or past a group's ports: not the group's */
	want_fix("services:\n  api:\n    ports:\n    - published: 8011\n      target: 80\n",
		 "add a [port \"api-80\"] group (var = API_80_PORT, base = 8011) and write the ports "
		 "entry \"${API_80_PORT}:80\"");
	want_fix("services:\n  w:\n    ports:\n      - target: 9000\n        published: 9102-9104\n",
		 "add a [port \"w\"] group (var = W_PORT, base = 9102, count = 3, step = 10) and write "
		 "the ports entry \"${W_PORT_1}-${W_PORT_3}:9000\"");
	/* half leased is not leased */
	want_fix("services:\n  w:\n    ports:\n      - target: 9000\n        published: 9107-9108\n",
		 "add a [port \"w\"] group (var = W_PORT, base = 9107, count = 2, step = 10) and write "
		 "the ports entry \"${W_PORT_1}-${W_PORT_2}:9000\"");
	/* what compose would not write is passed over */
	want_lint("services:\n  a:\n    ports:\n    - published: 70000\n      target: 80\n"
		  "    - published: x\n      target: 80\n    - published: 8000\n    - [1]\n", "");
	/* one finding each, in order */
	want_lint("services:\n  a:\n    container_name: fixed\n    ports: [\"8000:80\"]\n",
		  "service 'a' has the fixed container_name 'fixed': the stack of a second sandbox "
		  "cannot make its container => remove its container_name, or write: "
		  "container_name: ${COMPOSE_PROJECT_NAME}-a\n"
		  "service 'a' publishes host port 8000, which is not one of the sandbox's ports "
		  "(5433, 8001, 9104-9107): the stacks of two sandboxes would collide => write the "
		  "ports entry \"${API_PORT}:80\" (port group 'api')\n");
}
END_TEST

START_TEST(test_volumes)
{
	const char *fix = "drop its \"external: true\" so that each stack makes its own, or name one "
			  "for each sandbox: name: ${COMPOSE_PROJECT_NAME}-data";
	char *expect = xasprintf("volume 'data' is external ('shared'): the stacks of every sandbox "
				 "would share it => %s\n", fix);

	/* v1, v2, and the older spelling */
	want_lint("volumes:\n  data:\n    external: true\n    name: shared\n", expect);
	want_lint("volumes:\n  data:\n    name: shared\n    external: true\n", expect);
	want_lint("volumes:\n  data:\n    external:\n      name: shared\n", expect);
	free(expect);
	/* named by its key */
	want_lint("volumes:\n  data:\n    external: true\n",
		  "volume 'data' is external ('data'): the stacks of every sandbox would share it => "
		  "drop its \"external: true\" so that each stack makes its own, or name one for each "
		  "sandbox: name: ${COMPOSE_PROJECT_NAME}-data\n");
	/* a fixed name, not external */
	want_lint("volumes:\n  cache:\n    name: fixed\n",
		  "volume 'cache' has the fixed name 'fixed': the stacks of every sandbox would share "
		  "it => remove its name, or write: name: ${COMPOSE_PROJECT_NAME}-cache\n");
	/* the project's own */
	want_lint("volumes:\n  data:\n    name: demo-alpha_data\n  e:\n    external: false\n  f: {}\n", "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("composelint");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_collections);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_container_name);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_volumes);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
