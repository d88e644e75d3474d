#!/bin/sh

test_description='a project with no compose file: worktrees and ports, and no Docker needed'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

# The compose projects this script may leave on the engine: none is ever
# started, but a test makes a container as a stack's remnant.
IMAGE=git-sandbox-t5100:latest
PROJECTS="t51-one t51-two t51s-st"

# no_docker <command>...: with no docker or docker-compose on PATH and
# no engine that answers, as on a machine without Docker (GIT_SANDBOX_ENGINE
# for this command only: a sandbox made so would record that engine)
no_docker () {
	PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" sb_no_docker "$@"
}

# asked <trace>: the engine was asked something (a request is traced
# before it is sent, answered or not)
asked () {
	test -f "$1" && grep "^api:" "$1"
}

test_expect_success 'setup: a project with ports and no compose file, a machine without Docker' '
	mkdir nodocker &&
	ln -s "$(command -v git)" nodocker/git &&
	ln -s "$(command -v sh)" nodocker/sh &&
	git init -q -b main t51 &&
	cat >t51/.gitsandbox <<-EOF &&
	[sandbox]
		project = t51
		slots = 5
	[port "api"]
		var = API_PORT
		base = $(sb_port 8100)
		health = /health
	EOF
	git -C t51 add . && git -C t51 commit -q -m project &&
	pwd -P >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'create: a worktree, ports and an env file, without Docker' '
	(cd t51 && export GIT_SANDBOX_TRACE=$HOME/trace.create &&
	 PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" git sandbox create one >../out) &&
	! asked trace.create &&
	test_path_is_dir t51--one &&
	echo "API_PORT=$(sb_port 8101)" >expect &&
	grep "^API_PORT=" t51--one/.env.sandbox >actual &&
	test_cmp expect actual
'

test_expect_success 'up: nothing to start, the env file and the hooks all the same, exit 0' '
	rm t51--one/.env.sandbox &&
	(cd t51--one && export GIT_SANDBOX_TRACE=$HOME/trace.up && no_docker \
		git -c hook.preUp="echo pre \$API_PORT >>../hooks" -c hook.postUp="echo post >>../hooks" \
		sandbox up >../out 2>../err) &&
	echo "Sandbox '\''one'\'' has no stack (no docker-compose.sandbox.yml): nothing to start; its ports are in .env.sandbox" >expect &&
	test_cmp expect out &&
	test_grep ! "^fatal\|^error\|^warning" err &&
	printf "pre %s\npost\n" $(sb_port 8101) >expect &&
	test_cmp expect hooks &&
	test_path_is_file t51--one/.env.sandbox &&
	! asked trace.up
'

test_expect_success 'up: a failing preUp still fails it, and postUp does not run' '
	(cd t51--one && no_docker test_expect_code 128 \
		git -c hook.preUp=false -c hook.postUp="echo post >>../post" sandbox up 2>../err) &&
	test_grep "hook.preUp failed" err &&
	test_path_is_missing post
'

test_expect_success 'up: no secrets are fetched, with none to give them to' '
	printf "[secrets]\n\titem = t51-item\n[secret \"token\"]\n\tvar = API_TOKEN\n" >>t51--one/.gitsandbox &&
	test_when_finished "git -C t51--one checkout .gitsandbox" &&
	mkdir -p opbin && write_script opbin/op <<-\EOF &&
	echo "op $*" >>"$HOME/op.log"
	exit 1
	EOF
	(cd t51--one && PATH="$HOME/opbin:$PATH" no_docker git sandbox up --refresh-secrets >../out) &&
	test_grep "nothing to start" out &&
	test_path_is_missing op.log
'

test_expect_success 'down and logs: nothing to stop, no logs, exit 0, without Docker' '
	(cd t51 && git sandbox create two >/dev/null) &&
	(cd t51--one && export GIT_SANDBOX_TRACE=$HOME/trace.down &&
	 no_docker git sandbox down >../out 2>../err) &&
	echo "Sandbox '\''one'\'' has no stack (no docker-compose.sandbox.yml): nothing to stop" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	(cd t51--one && no_docker git sandbox down -v >../out) &&
	test_cmp expect out &&
	(cd t51--one && export GIT_SANDBOX_TRACE=$HOME/trace.down &&
	 no_docker git sandbox logs -f >../out 2>../err) &&
	test_must_be_empty out &&
	echo "sandbox '\''one'\'' has no stack (no docker-compose.sandbox.yml): no logs" >expect &&
	test_cmp expect err &&
	! asked trace.down
'

test_expect_success 'status and list say no-stack and ask no engine, with Docker or without' '
	for run in no_docker env
	do
		(cd t51--one && export GIT_SANDBOX_TRACE=$HOME/trace.st &&
		 $run git sandbox status >../out && $run git sandbox status --json >../json) &&
		test_grep "^status   no-stack$" out &&
		test_grep -F "\"status\":\"no-stack\"" json &&
		test_grep -F "\"containers\":[]" json &&
		(cd t51 && export GIT_SANDBOX_TRACE=$HOME/trace.st &&
		 $run git sandbox list >../out && $run git sandbox list --json >../json) &&
		test_grep "^NAME  *SLOT  *BRANCH  *STATUS    WHERE  *PATH$" out &&
		test_grep "^one  *1  *one  *no-stack  http://localhost:$(sb_port 8101)/  $root/t51--one$" out &&
		test_grep "^two  *2  *two  *no-stack  http://localhost:$(sb_port 8102)/  $root/t51--two$" out &&
		test_grep -F "\"name\":\"one\",\"slot\":1," json &&
		test_grep -F "\"status\":\"no-stack\"" json &&
		test_grep ! -F "\"status\":\"stopped\"" json &&
		! asked trace.st || return 1
	done
'

test_expect_success 'list of a registry with a stack too: the engine is asked for that one only' '
	docker info >/dev/null &&
	git init -q -b main t51s &&
	printf "[sandbox]\n\tproject = t51s\n" >t51s/.gitsandbox &&
	printf "services:\n  app:\n    image: %s\n" $IMAGE >t51s/docker-compose.sandbox.yml &&
	git -C t51s add . && git -C t51s commit -q -m stack &&
	(cd t51s && git sandbox create st >/dev/null) &&
	(cd t51 && GIT_SANDBOX_TRACE=$HOME/trace.mix git sandbox list --all >../out) &&
	test_grep "^t51  *one  .* no-stack  http://localhost:$(sb_port 8101)/  $root/t51--one$" out &&
	test_grep "^t51s  *st  .* stopped   -  *$root/t51s--st$" out &&
	grep -c "^api: GET /containers/json" trace.mix >n && echo 1 >one && test_cmp one n &&
	(cd t51 && no_docker git sandbox list --all >../out) &&
	test_grep "^t51  *one  .* no-stack  http://localhost:$(sb_port 8101)/  $root/t51--one$" out &&
	test_grep "^t51s  *st  .* unknown   -  *$root/t51s--st$" out
'

test_expect_success 'doctor passes without Docker in a project with no stack' '
	(cd t51--one && no_docker git sandbox doctor >../out 2>../err) &&
	test_grep "^ok  *no Docker engine answers, and none is needed: this project has no stack (no docker-compose.sandbox.yml)$" out &&
	test_grep ! "^fail" out &&
	test_grep "^0 problems" out
'

test_expect_success 'doctor with an engine in a project with no stack: compose is not looked for' '
	(cd t51--one && git sandbox doctor >../out 2>../err) &&
	test_grep "^ok  *Docker engine reachable" out &&
	test_grep "^ok  *compose not looked for: this project has no stack" out &&
	test_must_be_empty err
'

test_expect_success 'doctor without Docker still fails where a stack needs it, or outside a repository' '
	(cd t51s--st && no_docker test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *cannot reach the Docker engine" out &&
	mkdir -p elsewhere &&
	(cd elsewhere && no_docker test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *cannot reach the Docker engine" out
'

test_expect_success 'sandbox.compose named and missing is an error, not "no stack"' '
	for where in "git -c sandbox.compose=docker-compose.sandbox.yml" "git -c sandbox.compose=stack.yml"
	do
		(cd t51--one && no_docker test_expect_code 128 $where sandbox up 2>../err) &&
		test_grep "cannot reach the Docker engine" err &&
		(cd t51--one && test_expect_code 128 $where sandbox up 2>../err) &&
		test_grep "no compose file .*\.yml. in .$root/t51--one.; add one or set sandbox.compose" err &&
		(cd t51--one && test_expect_code 128 $where sandbox down 2>../err) &&
		test_grep "no compose file" err &&
		(cd t51--one && test_expect_code 128 $where sandbox logs 2>../err) &&
		test_grep "no compose file" err &&
		(cd t51--one && $where sandbox status >../out) &&
		test_grep "^status   stopped$" out &&
		(cd t51--one && no_docker test_expect_code 1 $where sandbox doctor >../out) &&
		test_grep "^fail  *cannot reach the Docker engine" out || return 1
	done &&
	printf "[sandbox]\n\tcompose = stack.yml\n" >>t51--one/.gitsandbox &&
	test_when_finished "git -C t51--one checkout .gitsandbox" &&
	(cd t51--one && test_expect_code 128 git sandbox up 2>../err) &&
	test_grep "no compose file .stack.yml." err &&
	(cd t51 && git sandbox list >../out) &&
	test_grep "^one  .* stopped   http://localhost:$(sb_port 8101)/  $root/t51--one$" out
'

test_expect_success 'a compose file added later: the sandbox has a stack' '
	printf "services: {}\n" >t51--two/docker-compose.sandbox.yml &&
	test_when_finished "rm t51--two/docker-compose.sandbox.yml" &&
	(cd t51--two && git sandbox status >../out) &&
	test_grep "^status   stopped$" out &&
	(cd t51--two && no_docker git sandbox status >../out) &&
	test_grep "^status   unknown$" out &&
	(cd t51--two && no_docker test_expect_code 128 git sandbox up 2>../err) &&
	test_grep "cannot reach the Docker engine" err
'

test_expect_success 'a stack that ran, its compose file gone: its engine says what is left' '
	gitdir=$(git -C t51--two rev-parse --absolute-git-dir) &&
	id=$(sed -n "s/^id = //p" "$gitdir/sandbox-stack") &&
	test -n "$id" &&
	# what an up leaves behind: the labels override (its content does not matter here)
	echo "{}" >"$gitdir/sandbox-labels.json" &&
	(cd t51--two && git sandbox status >../out && git sandbox down >../down) &&
	test_grep "^status   no-stack$" out &&
	test_grep "nothing to stop" down &&
	(cd t51--two && no_docker git sandbox status >../out) &&
	test_grep "^status   unknown$" out &&
	(cd t51--two && no_docker test_expect_code 128 git sandbox down 2>../err) &&
	test_grep "cannot reach the Docker engine" err &&
	sb_build_image $IMAGE &&
	docker create --label com.docker.compose.project=t51-two --label com.docker.compose.service=app \
		--label git-sandbox.id=$id $IMAGE true >/dev/null &&
	(cd t51--two && git sandbox status >../out) &&
	test_grep "^status   stopped$" out &&
	(cd t51--two && test_expect_code 128 git sandbox down 2>../err) &&
	test_grep "sandbox .two. has no compose file .docker-compose.sandbox.yml. any more, but 1 container of its stack remains" err &&
	test_grep "hint: put the compose file back" err &&
	(cd t51--two && test_expect_code 128 git sandbox logs 2>../err) &&
	test_grep "1 container of its stack remains" err &&
	(cd t51--two && git sandbox up >../out) &&
	test_grep "nothing to start" out
'

test_expect_success 'destroy and prune without Docker' '
	(cd t51 && no_docker git sandbox destroy one >../out) &&
	test_grep "Destroyed sandbox .one." out &&
	test_path_is_missing t51--one &&
	(cd t51 && git sandbox create three >/dev/null) &&
	rm -rf t51--three &&
	(cd t51 && no_docker git sandbox prune >../out 2>/dev/null) &&
	test_grep "Pruning sandbox .three." out &&
	(cd t51 && git sandbox list >../out) &&
	test_grep ! "^one " out &&
	test_grep ! "^three " out
'

test_expect_success 'destroy with an engine removes what is left of a stack that ran' '
	(cd t51 && git sandbox destroy two >../out) &&
	test_path_is_missing t51--two &&
	docker ps -aq --filter label=com.docker.compose.project=t51-two >left &&
	test_must_be_empty left
'

test_expect_success 'cleanup' '
	(cd t51s && git sandbox destroy st >/dev/null 2>&1 || :) &&
	sb_drop_project $PROJECTS &&
	{ docker rmi $IMAGE >/dev/null 2>&1 || :; }
'

test_done
