#!/bin/sh

test_description='git sandbox mcp: an MCP session over stdio, from initialize to destroy, on a real stack'

. ./test-lib.sh

IMAGE=git-sandbox-t3200:latest
PROJECTS="t32-one"
web=$(sb_port 7200)
db=$(sb_port 7220)
MCP_CLIENT=$GIT_SANDBOX_TEST_HELPERS/mcp-client

if ! test -x "$MCP_CLIENT"
then
	echo "error: no test MCP client '$MCP_CLIENT' (GIT_SANDBOX_TEST_HELPERS; make shell-check builds it)" >&2
	exit 1
fi

docker_cleanup () {
	# shellcheck disable=SC2086
	sb_drop_project $PROJECTS
}
test_atexit 'test_have_prereq DOCKER && { docker_cleanup; docker rmi $IMAGE >/dev/null 2>&1; }'

# rpc <id> <method> [<params>]: a request line; note <method>: a notification
rpc () {
	printf '{"jsonrpc":"2.0","id":%s,"method":"%s"%s}\n' "$1" "$2" "${3:+,\"params\":$3}"
}
note () {
	printf '{"jsonrpc":"2.0","method":"%s"}\n' "$1"
}
# call <id> <tool> <arguments>: tools/call
call () {
	rpc "$1" tools/call "{\"name\":\"$2\",\"arguments\":$3}"
}
init () {
	rpc 0 initialize '{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t3200","version":"1"}}' &&
	note notifications/initialized
}
# answer <id> <path>: the value at path of the reply to request <id> in replies
answer () {
	grep -F "\"id\":$1," replies >reply.$1 &&
	"$MCP_CLIENT" get "$2" <reply.$1
}

test_expect_success 'setup: a project whose web service serves a page and prints a line' '
	git init -q -b main t32 &&
	cat >t32/.gitsandbox <<-EOF &&
	[sandbox]
		project = t32
		slots = 3
	[port "web"]
		var = WEB_PORT
		base = $web
		health = /health
	[port "db"]
		var = DB_PORT
		base = $db
		wait = tcp
	[secrets]
		item = t32-dev
	[secret "db_password"]
		var = DB_PASSWORD
		default = localdev-t32
	EOF
	sb_web_db_compose t32 $IMAGE web WEB_PORT "echo web-started-t32" &&
	git -C t32 add . && git -C t32 commit -q -m project
'

test_expect_success 'initialize, ping and tools/list; a notification gets no reply' '
	{
		init &&
		rpc 1 ping &&
		note notifications/whatever &&
		rpc 2 tools/list
	} >requests &&
	(cd t32 && "$MCP_CLIENT" git sandbox mcp <../requests >../replies 2>../err) &&
	test_line_count = 3 replies &&
	test "$(answer 0 result.protocolVersion)" = 2025-06-18 &&
	test "$(answer 0 result.serverInfo.name)" = git-sandbox &&
	answer 0 result.capabilities.tools >out && test_grep "{" out &&
	test "$(answer 1 result)" = "{}" &&
	answer 2 "result.tools.*.name" >names &&
	printf "%s\n" list status create up down port env logs destroy >expect &&
	test_cmp expect names &&
	answer 2 "result.tools.*.inputSchema.additionalProperties" | sort -u >out &&
	echo false >expect && test_cmp expect out &&
	answer 2 result.tools.8.inputSchema.required >out &&
	echo "[\"name\",\"confirm\"]" >expect && test_cmp expect out &&
	answer 2 result.tools.7.inputSchema.properties.tail.maximum >out &&
	echo 1000 >expect && test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'bad messages get JSON-RPC errors, and the session goes on' '
	{
		init &&
		echo "{not json" &&
		echo "[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]" &&
		echo "{\"jsonrpc\":\"1.0\",\"id\":9,\"method\":\"ping\"}" &&
		rpc 3 no/such/method &&
		rpc 4 tools/call "{\"name\":\"nosuch\"}" &&
		call 5 status "{\"name\":\"one\",\"verbose\":true}" &&
		call 6 logs "{\"name\":\"one\",\"tail\":100000}" &&
		call 7 status "{}" &&
		call 8 status "{\"name\":\"-s\"}" &&
		printf "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\",\"params\":{\"x\":\"%s\"}}\n" \
			"$(head -c 1100000 /dev/zero | tr "\0" a)" &&
		rpc 11 ping
	} >requests &&
	(cd t32 && "$MCP_CLIENT" git sandbox mcp <../requests >../replies) &&
	test_line_count = 12 replies &&
	sed -n 2p replies >r && test "$("$MCP_CLIENT" get error.code <r)" = -32700 &&
	test "$("$MCP_CLIENT" get id <r)" = null &&
	sed -n 3p replies >r && test "$("$MCP_CLIENT" get error.code <r)" = -32600 &&
	test "$(answer 3 error.code)" = -32601 &&
	test "$(answer 4 error.code)" = -32602 &&
	test "$(answer 5 error.code)" = -32602 &&
	answer 5 error.message >out && test_grep "verbose" out &&
	test "$(answer 6 error.code)" = -32602 &&
	test "$(answer 7 error.code)" = -32602 &&
	test "$(answer 8 result.isError)" = true &&
	answer 8 result.content.0.text >out && test_grep "starts with .-." out &&
	test "$(answer 9 error.code)" = -32600 &&
	sed -n 11p replies >r && test "$("$MCP_CLIENT" get error.code <r)" = -32600 &&
	"$MCP_CLIENT" get error.message <r >out && test_grep "at most 1048576 bytes" out &&
	test "$(answer 11 result)" = "{}"
'

test_expect_success 'before initialize only ping is answered; a cancellation changes nothing' '
	{
		rpc 1 tools/list &&
		call 2 list "{}" &&
		rpc 3 ping &&
		rpc 4 initialize "{}" &&
		rpc 5 tools/list &&
		init &&
		call 6 status "{\"name\":\"-s\"}" &&
		printf "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":6}}\n" &&
		rpc 7 tools/list
	} >requests &&
	(cd t32 && "$MCP_CLIENT" git sandbox mcp <../requests >../replies 2>../err) &&
	test_line_count = 8 replies &&
	for id in 1 2 5
	do
		test "$(answer $id error.code)" = -32600 &&
		answer $id error.message >out && test_grep "before initialize" out || return 1
	done &&
	test "$(answer 3 result)" = "{}" &&
	test "$(answer 4 error.code)" = -32602 &&
	test "$(answer 0 result.protocolVersion)" = 2025-06-18 &&
	test "$(answer 6 result.isError)" = true &&
	answer 7 "result.tools.*.name" >names &&
	test_line_count = 9 names &&
	test_must_be_empty err
'

test_expect_success DOCKER 'setup: the stack'"'"'s image' '
	docker_cleanup &&
	sb_build_image $IMAGE
'

test_expect_success DOCKER 'create, up without secrets, status, port, env and logs through the tools' '
	{
		init &&
		call 1 create "{\"name\":\"one\"}" &&
		call 2 up "{\"name\":\"one\",\"no_secrets\":true}" &&
		call 3 status "{\"name\":\"one\"}" &&
		call 4 port "{\"name\":\"one\",\"service\":\"web\"}" &&
		call 5 port "{\"name\":\"one\"}" &&
		call 6 env "{\"name\":\"one\"}" &&
		call 7 logs "{\"name\":\"one\",\"service\":\"web\",\"tail\":5}" &&
		call 8 list "{}"
	} >requests &&
	(cd t32 && "$MCP_CLIENT" git sandbox mcp <../requests >../replies 2>../err) &&
	test_line_count = 9 replies &&
	for i in 1 2 3 4 5 6 7 8
	do
		test_must_fail answer $i result.isError || return 1
	done &&
	test_path_is_dir t32--one &&
	answer 2 result.content.0.text >out &&
	test_grep "is up" out &&
	test "$(answer 3 result.structuredContent.status)" = running &&
	test "$(answer 3 result.structuredContent.name)" = one &&
	test "$(answer 3 result.structuredContent.ports.web)" = $(($web + 1)) &&
	answer 3 result.structuredContent >structured &&
	answer 3 result.content.0.text >text &&
	test_cmp structured text &&
	echo $(($web + 1)) >expect &&
	answer 4 result.content.0.text | sed "/^\$/d" >out && test_cmp expect out &&
	printf "web %s\ndb %s\n" $(($web + 1)) $(($db + 1)) >expect &&
	answer 5 result.content.0.text | sed "/^\$/d" >out && test_cmp expect out &&
	answer 6 result.content.0.text >out &&
	test_grep -x "WEB_PORT=$(($web + 1))" out &&
	test_grep -x "SANDBOX_NAME=one" out &&
	test_grep ! "localdev-t32" out &&
	test_grep ! DB_PASSWORD out &&
	answer 7 result.content.0.text >out &&
	test_grep "web-started-t32" out &&
	answer 8 "result.structuredContent.sandboxes.*.name" >out &&
	echo one >expect && test_cmp expect out &&
	(cd t32--one && git sandbox status --json) >status.json &&
	test "$("$MCP_CLIENT" get status <status.json)" = running &&
	git init -q t32-other &&
	{
		init &&
		call 1 list "{}" &&
		call 2 list "{\"all\":true}"
	} >requests &&
	(cd t32-other && "$MCP_CLIENT" git sandbox mcp <../requests >../replies 2>../err) &&
	test "$(answer 1 result.structuredContent.sandboxes)" = "[]" &&
	answer 2 "result.structuredContent.sandboxes.*.name" >out &&
	echo one >expect && test_cmp expect out
'

test_expect_success DOCKER 'destroy: refused without the name as confirm, then done with it' '
	{
		init &&
		call 1 destroy "{\"name\":\"one\",\"confirm\":\"on\"}" &&
		call 2 destroy "{\"name\":\"one\"}" &&
		call 3 status "{\"name\":\"one\"}" &&
		call 4 destroy "{\"name\":\"one\",\"confirm\":\"one\"}" &&
		call 5 status "{\"name\":\"one\"}"
	} >requests &&
	(cd t32 && "$MCP_CLIENT" git sandbox mcp <../requests >../replies 2>../err) &&
	test "$(answer 1 result.isError)" = true &&
	answer 1 result.content.0.text >out && test_grep "nothing was destroyed" out &&
	test "$(answer 2 error.code)" = -32602 &&
	test "$(answer 3 result.structuredContent.status)" = running &&
	test_must_fail answer 4 result.isError &&
	answer 4 result.content.0.text >out && test_grep "Destroyed sandbox .one." out &&
	test_path_is_missing t32--one &&
	test "$(answer 5 result.isError)" = true &&
	answer 5 result.content.0.text >out && test_grep "one" out &&
	docker ps -aq --filter label=com.docker.compose.project=t32-one >out &&
	test_must_be_empty out
'

test_expect_success DOCKER 'cleanup' '
	docker_cleanup &&
	docker rmi $IMAGE >/dev/null
'

test_done
