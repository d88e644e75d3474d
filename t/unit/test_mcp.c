/* Unit tests for the MCP server's JSON-RPC handling (lib/mcp.c), with a tool of the test's own. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mcp.h"
#include "mcptools.h"
#include "unit.h"

static int calls;

static void echo_call(const json_t *args, void *ctx, struct mcp_result *r)
{
	(void)ctx;
	calls++;
	strbuf_addf(&r->text, "hello %s", json_string_value(json_object_get(args, "name")));
	if (json_is_true(json_object_get(args, "fail")))
		r->is_error = 1;
	else
		r->structured = json_pack("{s:i}", "n", calls);
}

static const struct mcp_param echo_params[] = {
	{ "name", MCP_STRING, 1, "who", 0, 0 },
	{ "fail", MCP_BOOL, 0, "fail", 0, 0 },
	{ "n", MCP_INTEGER, 0, "a number", 1, 10 },
	{ NULL, 0, 0, NULL, 0, 0 }
};

static const struct mcp_tool tools[] = {
	{ "echo", "Echo", "says hello", echo_params, 1, 0, 1, echo_call },
};

/* a session past initialize, as most tests want it; test_lifecycle starts its own */
static struct mcp_server server = { "t", "T", "1.0", NULL, tools, 1, NULL, 1 };

/* the reply to line, or NULL */
static json_t *handle(const char *line)
{
	return mcp_handle(&server, line, strlen(line));
}

static long error_code(json_t *reply)
{
	return (long)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

START_TEST(test_errors)
{
	static const struct { const char *line; long code; int null_id; } cases[] = {
		{ "{", MCP_PARSE_ERROR, 1 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"id\":2}", MCP_PARSE_ERROR, 1 },
		{ "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", MCP_INVALID_REQUEST, 1 },
		{ "42", MCP_INVALID_REQUEST, 1 },
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST, 0 },
		{ "{\"id\":1,\"method\":\"ping\"}", MCP_INVALID_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", MCP_INVALID_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":3}", MCP_INVALID_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", MCP_INVALID_REQUEST, 1 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", MCP_INVALID_REQUEST, 1 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}", MCP_METHOD_NOT_FOUND, 0 },
		/* valid JSON, refused with its id: a NUL would end a C string early */
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"port\","
		  "\"arguments\":{\"sandbox\":\"a\\u0000b\"}}}", MCP_INVALID_PARAMS, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\\u0000x\"}", MCP_INVALID_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0000\",\"method\":\"ping\"}", MCP_INVALID_REQUEST, 1 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}", MCP_INVALID_PARAMS, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", MCP_INVALID_PARAMS, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", MCP_INVALID_PARAMS, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
		  MCP_INVALID_PARAMS, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *r = handle(cases[i].line);

		ck_assert_msg(r != NULL, "no reply to %s", cases[i].line);
		ck_assert_msg(error_code(r) == cases[i].code, "%s: code %ld, not %ld", cases[i].line,
			      error_code(r), cases[i].code);
		ck_assert_str_eq(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
		ck_assert(json_is_string(json_object_get(json_object_get(r, "error"), "message")));
		if (cases[i].null_id)
			ck_assert_msg(json_is_null(json_object_get(r, "id")), "%s: id not null",
				      cases[i].line);
		else
			ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 1);
		json_decref(r);
	}
}
END_TEST

START_TEST(test_no_reply)
{
	/* notifications, known or not, and responses are never answered */
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
				  "\"params\":{\"requestId\":1}}"));
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"));
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}"));
}
END_TEST

START_TEST(test_initialize)
{
	json_t *r = handle("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\",\"params\":"
			   "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{}}}"), *res;

	res = json_object_get(r, "result");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "a");
	ck_assert_str_eq(json_string_value(json_object_get(res, "protocolVersion")), "2025-03-26");
	ck_assert(json_is_object(json_object_get(json_object_get(res, "capabilities"), "tools")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "serverInfo"), "name")), "t");
	json_decref(r);
	/* a version we do not know: ours */
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
		   "{\"protocolVersion\":\"1999-01-01\"}}");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"),
							   "protocolVersion")), MCP_PROTOCOL_VERSION);
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
	ck_assert(json_is_object(json_object_get(r, "result")));
	ck_assert_uint_eq(json_object_size(json_object_get(r, "result")), 0);
	json_decref(r);
}
END_TEST

START_TEST(test_lifecycle)
{
	static const char *const early[] = {
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
		"{\"name\":\"echo\",\"arguments\":{\"name\":\"you\"}}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}",
		/* an initialize that failed does not count */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
	};
	size_t i;
	json_t *r;

	server.initialized = 0;
	calls = 0;
	for (i = 0; i < sizeof(early) / sizeof(*early); i++) {
		r = handle(early[i]);
		ck_assert_msg(json_is_object(json_object_get(r, "error")), "%s: no error", early[i]);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 1);
		if (i != 3) {
			ck_assert_int_eq(error_code(r), MCP_INVALID_REQUEST);
			ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
				json_object_get(r, "error"), "message")), "before initialize"));
		}
		json_decref(r);
	}
	ck_assert_int_eq(calls, 0);
	/* ping is answered at any time; notifications never */
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
	ck_assert(json_is_object(json_object_get(r, "result")));
	json_decref(r);
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
				  "\"params\":{\"requestId\":1}}"));
	ck_assert_int_eq(server.initialized, 0);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":"
		   "{\"protocolVersion\":\"2025-06-18\"}}");
	ck_assert(json_is_object(json_object_get(r, "result")));
	json_decref(r);
	/* answered: the session is open, before notifications/initialized too */
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}");
	ck_assert(json_is_object(json_object_get(r, "result")));
	json_decref(r);
}
END_TEST

START_TEST(test_cancelled)
{
	json_t *r;

	/*
	 * requests run one at a time: a cancellation is read after the
	 * request it names was answered, and changes nothing
	 */
	calls = 0;
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"echo\",\"arguments\":{\"name\":\"you\"}}}");
	ck_assert(json_is_object(json_object_get(r, "result")));
	json_decref(r);
	ck_assert_ptr_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
				  "\"params\":{\"requestId\":5,\"reason\":\"too slow\"}}"));
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"echo\",\"arguments\":{\"name\":\"again\"}}}");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(r, "result"),
				"structuredContent"), "n")), 2);
	json_decref(r);
	ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(test_schema)
{
	json_t *s = mcp_tool_schema(&tools[0]), *props = json_object_get(s, "properties");

	ck_assert_str_eq(json_string_value(json_object_get(s, "type")), "object");
	ck_assert(json_is_false(json_object_get(s, "additionalProperties")));
	ck_assert_uint_eq(json_array_size(json_object_get(s, "required")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(s, "required"), 0)), "name");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(props, "fail"), "type")), "boolean");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(props, "n"), "maximum")), 10);
	json_decref(s);
}
END_TEST

static int check(const char *args_text)
{
	struct strbuf why = STRBUF_INIT;
	json_t *args = args_text ? json_loads(args_text, JSON_DECODE_ANY, NULL) : NULL;
	int r = mcp_check_args(&tools[0], args, &why);

	if (r < 0)
		ck_assert_uint_gt(why.len, 0);
	strbuf_release(&why);
	json_decref(args);
	return r;
}

START_TEST(test_check_args)
{
	ck_assert_int_eq(check("{\"name\":\"x\"}"), 0);
	ck_assert_int_eq(check("{\"name\":\"x\",\"fail\":false,\"n\":10}"), 0);
	ck_assert_int_eq(check(NULL), -1);			/* name is required */
	ck_assert_int_eq(check("{}"), -1);
	ck_assert_int_eq(check("[]"), -1);
	ck_assert_int_eq(check("{\"name\":1}"), -1);
	ck_assert_int_eq(check("{\"name\":\"x\",\"other\":1}"), -1);
	ck_assert_int_eq(check("{\"name\":\"x\",\"fail\":\"yes\"}"), -1);
	ck_assert_int_eq(check("{\"name\":\"x\",\"n\":11}"), -1);
	ck_assert_int_eq(check("{\"name\":\"x\",\"n\":0}"), -1);
	ck_assert_int_eq(check("{\"name\":\"x\",\"n\":1.0}"), -1);
}
END_TEST

START_TEST(test_call)
{
	json_t *r, *res;

	calls = 0;
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"echo\",\"arguments\":{\"name\":\"you\"}}}");
	res = json_object_get(r, "result");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
		json_object_get(res, "content"), 0), "text")), "hello you");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "structuredContent"), "n")), 1);
	ck_assert_ptr_null(json_object_get(res, "isError"));
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"echo\",\"arguments\":{\"name\":\"you\",\"fail\":true}}}");
	ck_assert(json_is_true(json_object_get(json_object_get(r, "result"), "isError")));
	json_decref(r);
	/* arguments that do not fit: the tool is not called */
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
		   "{\"name\":\"echo\",\"arguments\":{\"who\":\"you\"}}}");
	ck_assert_int_eq(error_code(r), MCP_INVALID_PARAMS);
	ck_assert_int_eq(calls, 2);
	json_decref(r);
}
END_TEST

START_TEST(test_list)
{
	json_t *r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	json_t *t = json_array_get(json_object_get(json_object_get(r, "result"), "tools"), 0);

	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "echo");
	ck_assert(json_is_object(json_object_get(t, "inputSchema")));
	ck_assert(json_is_true(json_object_get(json_object_get(t, "annotations"), "readOnlyHint")));
	json_decref(r);
}
END_TEST

START_TEST(test_text)
{
	/* invalid UTF-8 becomes U+FFFD; valid text and NUL are kept */
	static const struct { const char *in; size_t len; const char *want; size_t want_len; } cases[] = {
		{ "abc", 3, "abc", 3 },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9", 5 },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 4 },
		{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b", 5 },
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9 },	/* a surrogate */
		{ "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6 },		/* cut short */
		{ "a\0b", 3, "a\0b", 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *j = json_textn(cases[i].in, cases[i].len);

		ck_assert_msg(j != NULL, "case %zu: no string", i);
		ck_assert_uint_eq(json_string_length(j), cases[i].want_len);
		ck_assert(!memcmp(json_string_value(j), cases[i].want, cases[i].want_len));
		json_decref(j);
	}
}
END_TEST

START_TEST(test_sandbox_tools)
{
	/* every tool of the server: a schema that requires name, except list's */
	static const char *const names[] = {
		"list", "status", "create", "up", "down", "port", "env", "logs", "destroy"
	};
	size_t i;

	ck_assert_uint_eq(mcp_ntools, sizeof(names) / sizeof(*names));
	for (i = 0; i < mcp_ntools; i++) {
		json_t *s = mcp_tool_schema(&mcp_tools[i]), *req = json_object_get(s, "required");

		ck_assert_str_eq(mcp_tools[i].name, names[i]);
		ck_assert(json_is_false(json_object_get(s, "additionalProperties")));
		if (i)
			ck_assert_str_eq(json_string_value(json_array_get(req, 0)), "name");
		else
			ck_assert_uint_eq(json_array_size(req), 0);
		json_decref(s);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mcp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_no_reply);
	tcase_add_test(tc, test_initialize);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_cancelled);
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_check_args);
	tcase_add_test(tc, test_call);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_sandbox_tools);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
