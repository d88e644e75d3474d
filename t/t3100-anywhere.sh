#!/bin/sh

test_description='any sandbox from anywhere: -s/--sandbox for every command, path, git-sandbox-cd, down --all'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

# The compose projects and the image of the stacks this script starts.
IMAGE=git-sandbox-t3100:latest
PROJECTS="t31s t31s-a t31s-b t31s-c t31s-d"

api=$(sb_port 8400)
web=$(sb_port 8450)

# run_in <dir> <command>...: run it in <dir> (a subshell)
run_in () {
	(cd "$1" && shift && "$@")
}

test_expect_success 'setup: a project with no stack, three sandboxes, a subdirectory in each worktree' '
	git init -q -b main t31 &&
	cat >t31/.gitsandbox <<-EOF &&
	[sandbox]
		project = t31
		slots = 5
	[port "api"]
		var = API_PORT
		base = $api
	EOF
	mkdir t31/sub && echo sub >t31/sub/file &&
	git -C t31 add . && git -C t31 commit -q -m project &&
	run_in t31 git sandbox create one >/dev/null &&
	run_in t31 git sandbox create two >/dev/null &&
	run_in t31 git sandbox create eng --engine "unix://$HOME/other.sock" >/dev/null &&
	pwd -P >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'path <name>, -s, --sandbox and --sandbox= from the main worktree and from another sandbox' '
	for where in t31 t31/sub t31--two t31--two/sub
	do
		for how in "one" "-s one" "--sandbox one" "--sandbox=one"
		do
			run_in $where git sandbox path $how >out &&
			echo "$root/t31--one" >expect &&
			test_cmp expect out || return 1
		done
	done &&
	run_in t31--one/sub git sandbox path main >out &&
	echo "$root/t31" >expect &&
	test_cmp expect out
'

test_expect_success 'path with no name: the sandbox it runs in, or the main worktree' '
	run_in t31--two/sub git sandbox path >out &&
	echo "$root/t31--two" >expect &&
	test_cmp expect out &&
	run_in t31/sub git sandbox path >out &&
	echo "$root/t31" >expect &&
	test_cmp expect out
'

test_expect_success 'path follows a worktree moved with git worktree move' '
	git -C t31 worktree move ../t31--two ../t31-moved &&
	test_when_finished "git -C t31 worktree move ../t31-moved ../t31--two" &&
	run_in t31 git sandbox path two >out &&
	echo "$root/t31-moved" >expect &&
	test_cmp expect out
'

test_expect_success 'env and port -s: the named sandbox'\''s values, from anywhere' '
	run_in t31--one git sandbox env >expect &&
	for where in t31 t31/sub t31--two/sub
	do
		run_in $where git sandbox env -s one >out &&
		test_cmp expect out &&
		run_in $where git sandbox env --sandbox one --export >out &&
		test_grep -x "export API_PORT='\''$(sb_port 8401)'\''" out &&
		run_in $where git sandbox port -s one api >out &&
		sb_port 8401 >want &&
		test_cmp want out &&
		run_in $where git sandbox port --sandbox=two --list >out &&
		echo api >want &&
		test_cmp want out || return 1
	done
'

test_expect_success 'status -s and status <name> agree, from anywhere' '
	run_in t31--one git sandbox status --json >expect &&
	run_in t31 git sandbox status -s one --json >out &&
	test_cmp expect out &&
	run_in t31--two/sub git sandbox status one --json >out &&
	test_cmp expect out &&
	run_in t31--two git sandbox status --sandbox one >out &&
	test_grep "^sandbox  one (slot 1)$" out &&
	test_grep "^path     $root/t31--one$" out
'

test_expect_success 'its engine: the one recorded with the named sandbox, whatever the current one' '
	run_in t31 git sandbox status -s eng >out 2>err &&
	test_grep "^engine   unix://$HOME/other.sock$" out &&
	test_grep "sandbox .eng. is on the engine unix://$HOME/other.sock" err &&
	run_in t31--one git sandbox exec -s eng -- sh -c "echo \$DOCKER_HOST" >out 2>/dev/null &&
	echo "unix://$HOME/other.sock" >expect &&
	test_cmp expect out
'

test_expect_success 'exec -s: in the named sandbox'\''s worktree, with its variables' '
	run_in t31/sub git sandbox exec -s one -- sh -c "pwd -P; echo \$PWD \$SANDBOX_NAME \$API_PORT" >out &&
	printf "%s\n%s\n" "$root/t31--one" "$root/t31--one one $(sb_port 8401)" >expect &&
	test_cmp expect out &&
	# already in it: where it was started
	run_in t31--one/sub git sandbox exec --sandbox one pwd -P >out &&
	echo "$root/t31--one/sub" >expect &&
	test_cmp expect out
'

test_expect_success 'up, down and logs -s: the named sandbox, its hooks in its worktree' '
	rm t31--one/.env.sandbox &&
	run_in t31--two/sub git -c hook.preUp="pwd -P >>\"$HOME/hooks\"; echo \$SANDBOX_NAME >>\"$HOME/hooks\"" \
		sandbox up -s one >out &&
	echo "Sandbox '\''one'\'' has no stack (no docker-compose.sandbox.yml): nothing to start; its ports are in .env.sandbox" >expect &&
	test_cmp expect out &&
	printf "%s\none\n" "$root/t31--one" >expect &&
	test_cmp expect hooks &&
	test_grep -x "API_PORT=$(sb_port 8401)" t31--one/.env.sandbox &&
	run_in t31 git sandbox down --sandbox one >out &&
	echo "Sandbox '\''one'\'' has no stack (no docker-compose.sandbox.yml): nothing to stop" >expect &&
	test_cmp expect out &&
	run_in t31 git sandbox logs -s one api >out 2>err &&
	test_must_be_empty out &&
	test_grep "sandbox .one. has no stack" err
'

test_expect_success 'secrets -s: the named sandbox'\''s configuration (its branch'\''s project file)' '
	printf "[secrets]\n\titem = t31-one-item\n" >>t31--one/.gitsandbox &&
	test_when_finished "git -C t31--one checkout .gitsandbox" &&
	run_in t31 git sandbox secrets -s one status >out &&
	test_grep "^item     t31-one-item$" out &&
	run_in t31 git sandbox secrets status >out &&
	test_grep "^no secrets configured" out
'

test_expect_success 'repair -s and repair <name>, from anywhere' '
	run_in t31 git sandbox repair -s one >out &&
	echo "Sandbox '\''one'\'' is in order (slot 1)" >expect &&
	test_cmp expect out &&
	run_in t31--two/sub git sandbox repair one >out &&
	test_cmp expect out
'

test_expect_success 'a name given both ways: the same is fine, two different is a usage error' '
	run_in t31 git sandbox status -s one one >out &&
	test_grep "^sandbox  one (slot 1)$" out &&
	sb_snapshot t31 before &&
	for cmd in status destroy repair path
	do
		run_in t31 test_expect_code 129 git sandbox $cmd -s one two 2>err &&
		test_grep "two sandboxes named: .one. (-s) and .two." err || return 1
	done &&
	run_in t31 test_expect_code 129 git sandbox down -s one --all 2>err &&
	test_grep "cannot go together" err &&
	sb_snapshot t31 after &&
	test_cmp before after
'

test_expect_success 'an unknown name, or another repository'\''s sandbox: fatal, exit 128, nothing done' '
	git init -q -b main t31o &&
	cp t31/.gitsandbox t31o/ &&
	git -C t31o config -f .gitsandbox sandbox.project t31o &&
	git -C t31o add . && git -C t31o commit -q -m other &&
	run_in t31o git sandbox create elsewhere >/dev/null &&
	sb_snapshot t31 before &&
	cp t31--one/.env.sandbox env.before &&
	for name in nosuch elsewhere
	do
		for cmd in "up" "down" "logs" "port api" "port --list" "env" "exec true" "status" \
			"destroy" "secrets status" "repair" "path"
		do
			set -- $cmd &&
			sub=$1 && shift &&
			run_in t31--one test_expect_code 128 git sandbox $sub -s $name "$@" >out 2>err &&
			test_must_be_empty out &&
			echo "fatal: no sandbox named '\''$name'\'' in this repository (see '\''git sandbox list'\'')" >expect &&
			test_cmp expect err || return 1
		done
	done &&
	run_in t31 test_expect_code 128 git sandbox destroy -f elsewhere 2>err &&
	test_grep "no sandbox named .elsewhere." err &&
	sb_snapshot t31 after &&
	test_cmp before after &&
	test_cmp env.before t31--one/.env.sandbox &&
	test_path_is_dir t31o--elsewhere
'

test_expect_success 'a sandbox whose worktree is gone: up, down, logs, exec and path refuse it, status shows it' '
	run_in t31 git sandbox create three >/dev/null &&
	rm -rf t31--three &&
	for cmd in up down logs "exec true" path
	do
		set -- $cmd &&
		sub=$1 && shift &&
		run_in t31 test_expect_code 128 git sandbox $sub -s three "$@" >out 2>err &&
		test_must_be_empty out &&
		test_grep "^fatal: the worktree of sandbox .three. is gone (it was .$root/t31--three.)$" err ||
		return 1
	done &&
	run_in t31 git sandbox status -s three >out &&
	test_grep "^status   missing$" out &&
	run_in t31 git sandbox destroy -s three >out &&
	test_grep "Destroyed sandbox .three." out
'

test_expect_success 'destroy -s from another sandbox'\''s worktree' '
	run_in t31--one git sandbox destroy --sandbox two >out &&
	test_grep "Destroyed sandbox .two." out &&
	test_path_is_missing t31--two &&
	run_in t31 test_expect_code 128 git sandbox path two 2>err &&
	test_grep "no sandbox named .two." err
'

# bash with git's completion and ours loaded, as ~/.bashrc would have them
GIT_COMPL=
for f in /usr/share/bash-completion/completions/git /usr/local/share/bash-completion/completions/git \
	/usr/share/git/completion/git-completion.bash /etc/bash_completion.d/git
do
	test -f "$f" && GIT_COMPL=$f && break
done
SB_COMPL=$GIT_SANDBOX_PREFIX/share/bash-completion/completions/git-sandbox

test_expect_success 'git-sandbox-cd in bash: cd to a sandbox by name, completes the names' '
	test -n "$GIT_COMPL" &&
	cat >cd.bash <<-EOF &&
	. "$GIT_COMPL" && . "$SB_COMPL" || exit 1
	cd "$root/t31/sub" || exit 1
	git-sandbox-cd one && pwd -P &&
	git-sandbox-cd main && pwd -P &&
	if git-sandbox-cd nosuch 2>"$HOME/cd.err"; then exit 1; fi
	pwd -P
	complete -p git-sandbox-cd
	COMP_WORDS=(git-sandbox-cd "") COMP_CWORD=1
	__git_sandbox_cd_complete git-sandbox-cd "" git-sandbox-cd &&
	echo "\${COMPREPLY[*]}"
	COMP_WORDS=(git-sandbox-cd o) COMP_CWORD=1
	__git_sandbox_cd_complete git-sandbox-cd o git-sandbox-cd &&
	echo "\${COMPREPLY[*]}"
	EOF
	bash cd.bash >out &&
	cat >expect <<-EOF &&
	$root/t31--one
	$root/t31
	$root/t31
	complete -F __git_sandbox_cd_complete git-sandbox-cd
	one eng
	one
	EOF
	test_cmp expect out &&
	test_grep "no sandbox named .nosuch." cd.err
'

test_expect_success 'setup: a project with a stack; main and four sandboxes' '
	docker info >/dev/null &&
	sb_drop_project $PROJECTS &&
	sb_build_image $IMAGE &&
	git init -q -b main t31s &&
	cat >t31s/.gitsandbox <<-EOF &&
	[sandbox]
		project = t31s
		slots = 5
	[port "web"]
		var = WEB_PORT
		base = $web
	EOF
	cat >t31s/docker-compose.sandbox.yml <<-EOF &&
	services:
	  web:
	    image: $IMAGE
	    init: true
	    environment: [SANDBOX_NAME]
	    ports: ["\${WEB_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && echo \$\$SANDBOX_NAME >/www/index.html && exec httpd -f -p 80 -h /www"]
	EOF
	git -C t31s add . && git -C t31s commit -q -m stack &&
	for s in a b c d
	do
		run_in t31s git sandbox create $s >/dev/null || return 1
	done
'

# running <project>: the containers of a compose project that run, one id a line
running () {
	docker ps -q --filter "label=com.docker.compose.project=$1" --filter status=running
}

test_expect_success 'up -s and down -s a real stack from the main worktree' '
	run_in t31s git sandbox up -s a >out &&
	test_grep "^Sandbox .a. is up (slot 1, project t31s-a)$" out &&
	running t31s-a >ids &&
	test_line_count = 1 ids &&
	run_in t31s--b/ git sandbox status -s a >out &&
	test_grep "^status   running$" out &&
	run_in t31s--b git sandbox down -s a >out &&
	test_grep "^Sandbox .a. is down$" out &&
	running t31s-a >ids &&
	test_must_be_empty ids
'

test_expect_success 'down --all with nothing running says so' '
	run_in t31s--d git sandbox down --all >out &&
	echo "No sandbox of this repository is running" >expect &&
	test_cmp expect out
'

test_expect_success 'down --all: every running stack of the repository, main included, one line each' '
	run_in t31s git sandbox up >/dev/null &&
	run_in t31s git sandbox up -s a >/dev/null &&
	run_in t31s git sandbox up -s c >/dev/null &&
	for p in t31s t31s-a t31s-c
	do
		running $p >ids && test_line_count = 1 ids || return 1
	done &&
	run_in t31s--b/ git sandbox down --all >out 2>err &&
	cat >expect <<-EOF &&
	Sandbox '\''main'\'' is down
	Sandbox '\''a'\'' is down
	Sandbox '\''c'\'' is down
	EOF
	test_cmp expect out &&
	for p in t31s t31s-a t31s-b t31s-c t31s-d
	do
		running $p >ids && test_must_be_empty ids || return 1
	done
'

test_expect_success 'down --all goes on past a failure, names it and exits 128' '
	run_in t31s git sandbox up -s a >/dev/null &&
	run_in t31s git sandbox up -s b >/dev/null &&
	run_in t31s git sandbox up -s c >/dev/null &&
	# b'\''s branch now asks for a compose command of its own: refused, untrusted
	printf "[sandbox]\n\tcomposeCommand = false\n" >>t31s--b/.gitsandbox &&
	run_in t31s test_expect_code 128 git sandbox down --all >out 2>err &&
	cat >expect <<-EOF &&
	Sandbox '\''a'\'' is down
	Sandbox '\''c'\'' is down
	EOF
	test_cmp expect out &&
	test_grep "sandbox.composeCommand = false" err &&
	test_grep "^fatal: could not take down 1 sandbox of this repository: .b.$" err &&
	running t31s-a >ids && test_must_be_empty ids &&
	running t31s-c >ids && test_must_be_empty ids &&
	running t31s-b >ids && test_line_count = 1 ids &&
	git -C t31s--b checkout .gitsandbox &&
	run_in t31s git sandbox down --all -v >out &&
	echo "Sandbox '\''b'\'' is down, its volumes removed" >expect &&
	test_cmp expect out &&
	running t31s-b >ids && test_must_be_empty ids
'

test_expect_success 'cleanup' '
	for s in a b c d
	do
		run_in t31s git sandbox destroy -f $s >/dev/null 2>&1
	done
	sb_drop_project $PROJECTS &&
	{ docker rmi $IMAGE >/dev/null 2>&1 || :; }
'

test_done
