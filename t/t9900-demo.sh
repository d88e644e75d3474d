#!/bin/sh

test_description='the demo of the README, run as a new user runs it'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

top=$(cd "$TEST_DIRECTORY/.." && pwd)
IMAGE=git-sandbox-demo:latest

# the demo's ports, moved to this script's range by the user's own git
# config, which counts over the project file (its compose projects,
# demo-alpha and demo-beta, are its own)
test_expect_success 'setup: the demo'"'"'s port groups moved to this script'"'"'s range' '
	for g in api:8000 db:5432 grafana:3000 jaeger:16686 workers:5000
	do
		git config --global "port.${g%:*}.base" "$(sb_port "${g#*:}")" || return 1
	done &&
	git config --global port.workers.main "$(sb_port 5003)" &&
	docker image inspect "$IMAGE" >/dev/null 2>&1 || echo made >image-is-ours
'

test_expect_success 'example/demo.sh: two stacks side by side, each its own page, nothing left' '
	test_when_finished "test -f image-is-ours && docker image rm -f $IMAGE >/dev/null 2>&1; :" &&
	TMPDIR=$PWD sh "$top/example/demo.sh" >out 2>err &&
	test_grep "^sandbox alpha$" out &&
	test_grep "^sandbox beta$" out &&
	test_grep "curl -s localhost:$(sb_port 8001) " out &&
	test_grep "^That was the whole idea" out &&
	for p in demo-alpha demo-beta
	do
		docker ps -aq --filter "label=com.docker.compose.project=$p" >left &&
		test_must_be_empty left &&
		docker volume ls -q --filter "label=com.docker.compose.project=$p" >left &&
		test_must_be_empty left || return 1
	done &&
	ls -d git-sandbox-demo.* >left 2>/dev/null;
	test_must_be_empty left &&
	test_must_fail git config --global --get-all sandbox.trust
'

test_done
