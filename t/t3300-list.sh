#!/bin/sh

test_description='list: what runs where, in this repository or every one (--all), and its JSON'

. ./test-lib.sh

# The image, and the compose project of the main worktree's stack.
IMAGE=git-sandbox-t3300:latest
PROJECTS="t33"

# t33_repo <dir> <project> <port "api" base> [<health>]: a repository with
# an api group (a URL with a health check), a db and four workers
t33_repo () {
	git init -q -b main "$1" &&
	cat >"$1/.gitsandbox" <<-EOF &&
	[sandbox]
		project = $2
		slots = 5
	[port "api"]
		var = API_PORT
		base = $3
	${4:+	health = $4}
	[port "db"]
		var = DB_PORT
		base = $(sb_port 8650)
	[port "workers"]
		var = WORKER_PORT
		base = $(sb_port 5600)
		step = 10
		count = 4
	EOF
	git -C "$1" add .gitsandbox && git -C "$1" commit -q -m project
}

test_expect_success 'setup: two repositories with sandboxes' '
	command -v test-json >/dev/null &&
	t33_repo t33 t33 $(sb_port 8600) &&
	t33_repo web web $(sb_port 8700) /health &&
	(cd t33 && git sandbox create one && git sandbox create two) >/dev/null &&
	(cd web && git sandbox create three) >/dev/null &&
	pwd -P >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'list: the ports in compact form, consecutive ones of a group as a range' '
	(cd t33 && git sandbox list >../out) &&
	test_line_count = 3 out &&
	test_grep "^NAME  *SLOT  *BRANCH  *STATUS  *WHERE  *PATH$" out &&
	test_grep "^one  *1  *one  *no-stack  *api $(sb_port 8601) db $(sb_port 8651) workers $(sb_port 5610)-$(sb_port 5613)  *$root/t33--one$" out &&
	test_grep "^two  *2  *two  *no-stack  *api $(sb_port 8602) db $(sb_port 8652) workers $(sb_port 5620)-$(sb_port 5623)  *$root/t33--two$" out
'

test_expect_success 'list: the main URL instead, for a sandbox that has one' '
	(cd web && git sandbox list >../out) &&
	test_grep "^three  *3  *three  *no-stack  *http://localhost:$(sb_port 8703)/  *$root/web--three$" out
'

test_expect_success 'list: the current repository only, from any of its directories' '
	(cd t33--two && git sandbox list >../out2) &&
	(cd t33 && git sandbox list >../out) &&
	test_cmp out out2 &&
	test_grep ! three out
'

test_expect_success 'list --all: every repository, with a REPO column; outside one the same' '
	(cd t33 && git sandbox list --all >../out) &&
	test_line_count = 4 out &&
	test_grep "^REPO  *NAME  *SLOT  *BRANCH  *STATUS  *WHERE  *PATH$" out &&
	test_grep "^t33  *one  *1  *one  *no-stack  *api $(sb_port 8601) " out &&
	test_grep "^web  *three  *3  *three  *no-stack  *http://localhost:$(sb_port 8703)/ " out &&
	git sandbox list >out2 &&
	test_cmp out out2 &&
	(cd t33 && git sandbox list --all --json >../json) &&
	test-json <json &&
	test "$(test-json sandboxes 2 name <json)" = three &&
	test "$(test-json sandboxes 2 repo <json)" = "$root/web"
'

test_expect_success 'a repository with no sandbox: nothing, and a hint at --all' '
	t33_repo empty empty $(sb_port 8800) &&
	(cd empty && git sandbox list >../out 2>../err) &&
	test_must_be_empty out &&
	test_grep "no sandboxes in this repository; .git sandbox list --all. lists 3 of others" err &&
	(cd empty && git sandbox list --json >../json) &&
	echo "{\"version\":1,\"sandboxes\":[]}" >expect &&
	test_cmp expect json
'

test_expect_success 'list --json: a version, and null for a detached HEAD' '
	git -C t33--two checkout -q --detach &&
	(cd t33 && git sandbox list >../out && git sandbox list --json >../json) &&
	test_grep "^two  *2  *(detached)  *no-stack " out &&
	test-json <json &&
	test "$(test-json version <json)" = 1 &&
	test "$(test-json sandboxes 1 name <json)" = two &&
	test "$(test-json sandboxes 1 branch <json)" = null &&
	test "$(test-json sandboxes 1 main <json)" = false &&
	test "$(test-json sandboxes 1 url <json)" = null &&
	test "$(test-json sandboxes 1 ports workers <json)" = "[$(sb_port 5620),$(sb_port 5621),$(sb_port 5622),$(sb_port 5623)]" &&
	test "$(test-json sandboxes 0 branch <json)" = one
'

test_expect_success 'status --json: the same object, a version first, null for a detached HEAD' '
	(cd t33--two && git sandbox status --json >../json) &&
	test-json <json &&
	test_grep "^{\"version\":1,\"name\":\"two\"," json &&
	test "$(test-json branch <json)" = null &&
	test "$(test-json main <json)" = false &&
	(cd t33 && git sandbox list --json >../list.json) &&
	# the keys list has, in its order, then status'"'"'s own
	sed -e "s/},{\"name\":/}\n{\"name\":/g" list.json |
		sed -n "s/^{\(\"name\":\"two\",.*\"main\":false\)}\]}$/\1/p" >expect &&
	sed -e "s/^{\"version\":1,\(.*\"main\":false\),\"containers\".*/\1/" json >actual &&
	test_cmp expect actual &&
	(cd t33 && git sandbox status --json >../json) &&
	test "$(test-json main <json)" = true &&
	test "$(test-json slot <json)" = 0 &&
	git -C t33--two checkout -q two
'

test_expect_success 'a path that is not UTF-8: list --json and status --json are still valid JSON' '
	bad=$(printf "caf\351") &&
	mkdir "$bad" &&
	t33_repo "$bad/r" latin $(sb_port 8900) &&
	(cd "$bad/r" && git sandbox create four >/dev/null) &&
	(cd "$bad/r" && git sandbox list --json >"$root/json") &&
	test-json <json &&
	# the byte that is not UTF-8 is U+FFFD
	test "$(test-json sandboxes 0 path <json)" = "$root/caf$(printf "\357\277\275")/latin--four" &&
	git sandbox list --all --json >json &&
	test-json <json &&
	(cd "$bad/latin--four" && git sandbox status --json >"$root/json") &&
	test-json <json &&
	test "$(test-json repo <json)" = "$root/caf$(printf "\357\277\275")/r" &&
	# the text shows the path as it is
	(cd "$bad/r" && git sandbox list >"$root/out") &&
	test_grep -F "$root/$bad/latin--four" out
'

test_expect_success 'the main worktree'"'"'s stack: its own line in slot 0 while it runs' '
	sb_drop_project $PROJECTS &&
	sb_build_image $IMAGE &&
	cat >t33/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    ports: ["\${API_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && exec httpd -f -p 80 -h /www"]
	EOF
	test_when_finished "(cd t33 && git sandbox down >/dev/null 2>&1); sb_drop_project $PROJECTS" &&
	(cd t33 && git sandbox list >../out) &&
	test_grep ! "(main)" out &&
	(cd t33 && git sandbox up --no-secrets >/dev/null 2>&1) &&
	(cd t33 && git sandbox list >../out && git sandbox list --json >../json) &&
	test_grep "^(main)  *0  *main  *running  *api $(sb_port 8600) db $(sb_port 8650) workers $(sb_port 5600)-$(sb_port 5603)  *$root/t33$" out &&
	test_line_count = 4 out &&
	test-json <json &&
	test "$(test-json sandboxes 0 name <json)" = main &&
	test "$(test-json sandboxes 0 main <json)" = true &&
	test "$(test-json sandboxes 0 slot <json)" = 0 &&
	test "$(test-json sandboxes 0 status <json)" = running &&
	test "$(test-json sandboxes 0 project <json)" = t33 &&
	# with --all, in the repository'"'"'s place
	git sandbox list --all >out &&
	test_grep "^t33  *(main)  *0  *main  *running " out &&
	(cd t33 && git sandbox down >/dev/null 2>&1) &&
	(cd t33 && git sandbox list >../out) &&
	test_grep ! "(main)" out
'

test_expect_success 'cleanup: the image' '
	sb_drop_project $PROJECTS &&
	docker rmi $IMAGE >/dev/null
'

test_done
