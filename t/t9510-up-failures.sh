#!/bin/sh

test_description='up when a hook or compose fails, and down -v after down and up'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

# Every compose project of this script starts with t95b; each test has
# its own sandbox, so its own project, and removes what it made.
IMAGE=git-sandbox-t9510:latest
PROJECTS="t95b-pre t95b-post t95b-bad t95b-img t95b-vol t95b-chg"

# containers, networks and volumes of a compose project, one per line
stack_objects () {
	docker ps -aq --filter "label=com.docker.compose.project=$1" &&
	docker network ls -q --filter "label=com.docker.compose.project=$1" &&
	docker volume ls -q --filter "label=com.docker.compose.project=$1"
}

# the running containers of a compose project
running () {
	docker ps -q --filter "label=com.docker.compose.project=$1" --filter status=running
}

# drop_project <project>: remove what the engine has of it, whatever state it is in
drop_project () {
	sb_drop_project "$1"
}

# record <sandbox>: the file where the sandbox's stack is recorded
record () {
	echo "$(git -C t95b--$1 rev-parse --absolute-git-dir)/sandbox-stack"
}

test_expect_success 'setup: an image, a project with hooks, trusted, and its sandboxes' '
	docker info >/dev/null &&
	for p in $PROJECTS
	do
		drop_project $p || return 1
	done &&
	sb_build_image $IMAGE &&
	# a file the image gives a new volume (docker copies it in when the
	# first container mounts the volume), so that the service only ever
	# appends to it (a new file there changes the time docker reports as
	# the creation of the volume, which the record of the stack compares)
	printf "FROM %s\nRUN mkdir /data && touch /data/started\n" $IMAGE >img/Dockerfile.data &&
	docker build -q -t $IMAGE -f img/Dockerfile.data img >/dev/null &&
	git init -q -b main t95b &&
	cat >t95b/.gitsandbox <<-EOF &&
	[sandbox]
		project = t95b
		slots = 8
	[port "app"]
		var = APP_PORT
		base = $(sb_port 8800)
		health = /started
	EOF
	# the hooks log that they ran; T95B_PREUP and T95B_POSTUP make them fail
	cat >>t95b/.gitsandbox <<-\EOF &&
	[hook]
		preUp = echo "preUp $SANDBOX_NAME" >>"$HOME/hooks.log" && exit ${T95B_PREUP:-0}
		postUp = echo "postUp $SANDBOX_NAME" >>"$HOME/hooks.log" && exit ${T95B_POSTUP:-0}
	EOF
	cat >t95b/docker-compose.sandbox.yml <<-EOF &&
	services:
	  app:
	    image: $IMAGE
	    init: true
	    ports: ["\${APP_PORT}:80"]
	    volumes: ["data:/data"]
	    command: ["sh", "-c", "date >>/data/started && exec httpd -f -p 80 -h /data"]
	volumes:
	  data: {}
	EOF
	git -C t95b add . && git -C t95b commit -q -m project &&
	(cd t95b && git sandbox trust >../out) &&
	test_grep "hook.preUp" out &&
	for s in pre post bad img vol
	do
		(cd t95b && git sandbox create $s >/dev/null) || return 1
	done
'

test_expect_success 'a failing preUp: up exits 128 and starts nothing' '
	test_when_finished "drop_project t95b-pre; rm -f hooks.log" &&
	rm -f hooks.log &&
	(cd t95b--pre && T95B_PREUP=3 test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "running hook.preUp" err &&
	test_grep "^error: hook.preUp failed (exit 3): echo " err &&
	test_grep -x "fatal: not starting the stack: hook.preUp failed" err &&
	test_grep ! "is up" out &&
	echo "preUp pre" >expect &&
	test_cmp expect hooks.log &&
	stack_objects t95b-pre >left &&
	test_must_be_empty left
'

test_expect_success 'a failing postUp: the stack is up, up exits 128 naming the hook' '
	test_when_finished "(cd t95b--post && git sandbox down -v >/dev/null 2>&1); drop_project t95b-post; rm -f hooks.log" &&
	rm -f hooks.log &&
	(cd t95b--post && T95B_POSTUP=4 test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "^error: hook.postUp failed (exit 4): echo " err &&
	test_grep ! "preUp failed" err &&
	test_grep "^Sandbox .post. is up" out &&
	printf "preUp post\npostUp post\n" >expect &&
	test_cmp expect hooks.log &&
	running t95b-post >up &&
	test_line_count = 1 up
'

test_expect_success 'compose refusing the file: up exits 128, and up works once the file is fixed' '
	test_when_finished "(cd t95b--bad && git checkout docker-compose.sandbox.yml && git sandbox down -v >/dev/null 2>&1); drop_project t95b-bad" &&
	(cd t95b--bad &&
	 sed -e "s/^    init: true/    init: true\n    no_such_key: 1/" docker-compose.sandbox.yml >broken.yml &&
	 mv broken.yml docker-compose.sandbox.yml &&
	 test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "no_such_key" err &&
	test_grep -x "error: compose failed (exit [1-9][0-9]*); see .git sandbox logs. for the services. output" err &&
	test_grep ! "did not answer" err &&
	test_grep ! "is up" out &&
	stack_objects t95b-bad >left &&
	test_must_be_empty left &&
	(cd t95b--bad && git checkout docker-compose.sandbox.yml &&
	 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "^Sandbox .bad. is up" out &&
	running t95b-bad >up &&
	test_line_count = 1 up
'

test_expect_success 'an image compose cannot get: up exits 128; what compose made is the stack'"'"'s' '
	test_when_finished "(cd t95b--img && git checkout docker-compose.sandbox.yml && git sandbox down -v >/dev/null 2>&1); drop_project t95b-img" &&
	(cd t95b--img &&
	 sed -e "s|image: .*|image: t95b-no-such-image/none:never|" docker-compose.sandbox.yml >broken.yml &&
	 mv broken.yml docker-compose.sandbox.yml &&
	 test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep -x "error: compose failed (exit [1-9][0-9]*); see .git sandbox logs. for the services. output" err &&
	test_grep ! "did not answer" err &&
	docker ps -aq --filter label=com.docker.compose.project=t95b-img >containers &&
	test_must_be_empty containers &&
	docker volume ls -q --filter label=com.docker.compose.project=t95b-img >vols &&
	case "$(sb_compose_version)" in
	v1*)
		# v1 made the network and the volume, then could not pull
		echo t95b-img_data >expect &&
		test_cmp expect vols &&
		test_grep "^t95b-img_data = " "$(record img)" ;;
	*)
		# v2 pulls first: it made nothing
		test_must_be_empty vols ;;
	esac &&
	# so the next up takes that volume as its own, and is not refused
	(cd t95b--img && git checkout docker-compose.sandbox.yml &&
	 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep ! "not one this sandbox" err &&
	test_grep "^Sandbox .img. is up" out &&
	running t95b-img >up &&
	test_line_count = 1 up &&
	docker volume ls -q --filter label=com.docker.compose.project=t95b-img >vols &&
	echo t95b-img_data >expect &&
	test_cmp expect vols
'

test_expect_success 'down keeps the volume, a second up uses it, down -v removes only the stack'"'"'s' '
	test_when_finished "docker volume rm t95b-vol_other >/dev/null 2>&1; drop_project t95b-vol" &&
	(cd t95b--vol && git sandbox up --no-secrets >/dev/null 2>&1 &&
	 git sandbox down >../out 2>../err) &&
	test_grep "^Sandbox .vol. is down$" out &&
	docker ps -aq --filter label=com.docker.compose.project=t95b-vol >containers &&
	test_must_be_empty containers &&
	docker volume ls -q --filter label=com.docker.compose.project=t95b-vol >vols &&
	echo t95b-vol_data >expect &&
	test_cmp expect vols &&
	(cd t95b--vol && git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "^Sandbox .vol. is up" out &&
	running t95b-vol >up &&
	test_line_count = 1 up &&
	# the volume of the first up, with what it wrote
	docker run --rm -v t95b-vol_data:/data $IMAGE cat /data/started >started &&
	test_line_count = 2 started &&
	# a volume of the project that the stack did not make
	docker volume create --label com.docker.compose.project=t95b-vol t95b-vol_other >/dev/null &&
	(cd t95b--vol && git sandbox down -v >../out 2>../err) &&
	test_grep "^Sandbox .vol. is down, its volumes removed$" out &&
	test_grep -x "warning: kept the volume .t95b-vol_other. of compose project .t95b-vol.: this sandbox.s stack did not make it" err &&
	test_grep ! "t95b-vol_data" err &&
	docker volume ls -q --filter label=com.docker.compose.project=t95b-vol >vols &&
	echo t95b-vol_other >expect &&
	test_cmp expect vols &&
	docker ps -aq --filter label=com.docker.compose.project=t95b-vol >containers &&
	test_must_be_empty containers &&
	docker network ls -q --filter label=com.docker.compose.project=t95b-vol >nets &&
	test_must_be_empty nets &&
	test_grep ! "t95b-vol_data" "$(record vol)"
'

# Docker 20.10 reports as a local volume's "CreatedAt" the change time of
# its top directory: a file made there, or a chmod of it, moves it. The
# record compares it, so a volume its own service changed after the up
# that recorded it (a database starting, or the image's files copied into
# a volume an earlier failed up made) is taken for another stack's, and
# kept.
test_expect_success 'down -v removes the stack'"'"'s volume after its service added a file to it' '
	test_when_finished "drop_project t95b-chg" &&
	(cd t95b && git sandbox create chg >/dev/null) &&
	(cd t95b--chg && git sandbox up --no-secrets >/dev/null 2>&1) &&
	# the times are in seconds
	sleep 1 &&
	docker exec $(running t95b-chg) touch /data/new &&
	(cd t95b--chg && git sandbox down -v >../out 2>../err) &&
	test_grep ! "kept the volume" err &&
	stack_objects t95b-chg >left &&
	test_must_be_empty left
'

test_expect_success 'cleanup: what the script made, and the image' '
	for p in $PROJECTS
	do
		drop_project $p &&
		stack_objects $p >left &&
		test_must_be_empty left || return 1
	done &&
	docker rmi $IMAGE >/dev/null
'

test_done
