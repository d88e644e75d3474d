#!/bin/sh

test_description='podman as the engine: its API socket, docker-compose or podman-compose, no docker CLI needed'

. ./test-lib.sh
test_skip_all ROOT,PODMAN "root, podman and its helpers"
. "$TEST_DIRECTORY"/lib-podman.sh

IMAGE=hpod-t9800:latest
API=$(sb_port 8400)
DB=$(sb_port 6400)
LEAK=$(sb_port 8490)
# podman-compose 1.0.6, which .ci/deps fetches for the tests (Debian 12's 1.0.3 has no --env-file)
GIT_SANDBOX_TEST_PODMAN_COMPOSE=${GIT_SANDBOX_TEST_PODMAN_COMPOSE:-/usr/local/lib/git-sandbox-ci/podman-compose/podman-compose}

# the sandbox's containers on podman (ids), and on the machine's engine
pod_ps () {
	sb_podman_docker ps -aq --filter "label=com.docker.compose.project=$1"
}
local_ps () {
	docker -H unix:///var/run/docker.sock ps -aq --filter "label=com.docker.compose.project=$1"
}

# everything of compose project $1 on podman: containers, volumes,
# networks, and the lease of its name
pod_objects () {
	{
		pod_ps "$1" &&
		sb_podman_docker volume ls -q --filter "label=com.docker.compose.project=$1" &&
		sb_podman_docker network ls -q --filter "label=com.docker.compose.project=$1" &&
		sb_podman_docker volume ls -q --filter "label=git-sandbox.lease=$1"
	} | sort
}

# nodocker <command>...: run it with no docker CLI on PATH (the commands
# under test, git, everything of /usr/bin and /usr/sbin but docker; compose
# v1, a Python program, stays when it is the compose under test), and no
# docker configuration (podman 4.3 refuses a DOCKER_CONFIG without a
# config.json, as test-lib.sh makes for compose v2)
nodocker () {
	(PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker/bin:$HOME/nodocker/sbin" && export PATH &&
	 unset DOCKER_CONFIG && "$@")
}

test_expect_success 'setup: a podman service of our own' '
	sb_podman_start $IMAGE &&
	test -S "$SB_PODMAN_SOCK" &&
	sb_podman_docker version --format "{{range .Server.Components}}{{.Name}} {{.Version}}{{println}}{{end}}" \
		>components &&
	test_grep "^Podman Engine 4\." components &&
	sb_podman_docker info --format "{{.DockerRootDir}}" >root &&
	echo "${SB_PODMAN_SOCK%/podman.sock}/root" >expect &&
	test_cmp expect root &&
	sb_podman_docker image inspect $IMAGE >/dev/null
'

# no engine but podman'"'"'s is ever reached by a command that should have
# gone there: the shell points at none
DOCKER_HOST=unix://$HOME/no-engine.sock
export DOCKER_HOST

test_expect_success 'setup: a project, git-sandbox pointed at the address podman publishes on' '
	git init -q -b main hpod &&
	cat >hpod/.gitsandbox <<-EOF &&
	[sandbox]
		project = hpod
		slots = 6
	[port "api"]
		var = API_PORT
		base = $API
		health = /health
	[port "db"]
		var = DB_PORT
		base = $DB
		wait = tcp
	EOF
	cat >hpod/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    ports: ["\${API_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && echo ok >/www/health && echo \$\$SANDBOX_NAME >/www/name && exec httpd -f -p 80 -h /www"]
	    environment: [SANDBOX_NAME]
	  db:
	    image: $IMAGE
	    init: true
	    ports: ["\${DB_PORT}:5432"]
	    volumes: [data:/data]
	    command: ["sh", "-c", "exec nc -ll -p 5432 -e cat"]
	volumes:
	  data:
	EOF
	git -C hpod add . &&
	git -C hpod commit -q -m project &&
	# podman runs in a network namespace of its own: its ports answer
	# there, as a tunnelled engine'"'"'s would
	git config --global sandbox.host "$SB_PODMAN_ADDR" &&
	# a PATH of links to /usr/bin and /usr/sbin, without docker (and
	# without docker-compose when it is hidden, under v2)
	nope=docker &&
	if test "$GIT_SANDBOX_TEST_COMPOSE" = v2
	then
		nope=docker*
	fi &&
	for d in bin sbin
	do
		mkdir -p nodocker/$d &&
		find /usr/$d -mindepth 1 -maxdepth 1 ! -xtype d ! -name "$nope" \
			-exec ln -s -t nodocker/$d {} + || return 1
	done &&
	! nodocker command -v docker &&
	nodocker command -v git-sandbox-list
'

test_expect_success 'create --engine <podman socket>: recorded, shown by status and list' '
	(cd hpod && git sandbox create feat --engine "$SB_PODMAN_URL" >../out) &&
	test_grep "^  url      api http://$SB_PODMAN_ADDR:$((API + 1))/" out &&
	(cd hpod--feat && git sandbox status >../out 2>../err) &&
	test_grep "^engine   $SB_PODMAN_URL" out &&
	test_grep "^status   stopped" out &&
	(cd hpod && git sandbox list --json >../json 2>/dev/null) &&
	test_grep "\"engine\":\"$SB_PODMAN_URL\"" json
'

test_expect_success 'up starts the stack on podman and checks it at podman'"'"'s address' '
	(cd hpod--feat && GIT_SANDBOX_TRACE=$HOME/trace git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .feat. is up" out &&
	test_grep "^  api  http://$SB_PODMAN_ADDR:$((API + 1))/" out &&
	pod_ps hpod-feat >ids && test_line_count = 2 ids &&
	local_ps hpod-feat >local && test_must_be_empty local &&
	curl -sf "http://$SB_PODMAN_ADDR:$((API + 1))/name" >name &&
	echo feat >expect && test_cmp expect name &&
	# the health checks passed there: nothing answers on this machine
	test_must_fail curl -sf -m 2 "http://127.0.0.1:$((API + 1))/health" &&
	# every query went to podman'"'"'s socket, none spawned docker
	grep "^api: GET /containers/json.* $SB_PODMAN_URL\$" trace &&
	! grep "^api: .* unix:///var/run/docker.sock" trace &&
	! grep "^spawn: docker \(ps\|volume\|network\|inspect\)" trace &&
	# init: true runs podman'"'"'s catatonit
	sb_podman_docker inspect -f "{{.HostConfig.Init}}" $(cat ids) >init &&
	printf "true\ntrue\n" >expect && test_cmp expect init
'

test_expect_success 'status, list and port show it running' '
	(cd hpod--feat && git sandbox status >../out 2>/dev/null) &&
	test_grep "^status   running" out &&
	test_grep "^  api  *running" out &&
	test_grep "^  db  *running" out &&
	(cd hpod && git sandbox list >../out 2>/dev/null && git sandbox list --json >../json) &&
	test_grep "^feat  *1  *feat  *running  .*$(pwd -P)/hpod--feat" out &&
	test_grep "\"status\":\"running\"" json &&
	(cd hpod--feat && git sandbox port api >../port && git sandbox port db >>../port) &&
	printf "%s\n" $((API + 1)) $((DB + 1)) >expect &&
	test_cmp expect port
'

test_expect_success 'exec: docker and podman there reach the sandbox'"'"'s engine' '
	(cd hpod--feat && git sandbox exec -- sh -c "echo \$DOCKER_HOST; echo \$CONTAINER_HOST" >../hosts) &&
	printf "%s\n" "$SB_PODMAN_URL" "$SB_PODMAN_URL" >expect &&
	test_cmp expect hosts &&
	(cd hpod--feat && CONTAINER_HOST=unix://$HOME/nowhere.sock \
		git sandbox exec -- podman ps -q --filter label=com.docker.compose.project=hpod-feat >../ids) &&
	test_line_count = 2 ids
'

test_expect_success 'a port published outside the slot is seen, in podman'"'"'s format' '
	(cd hpod && git sandbox create leak --engine "$SB_PODMAN_URL" >/dev/null 2>&1) &&
	sed -e "s/\\\${DB_PORT}:5432/$LEAK:5432/" hpod--leak/docker-compose.sandbox.yml >hpod--leak/leaky.yml &&
	(cd hpod--leak &&
	 git -c sandbox.compose=leaky.yml -c port.db.wait=none sandbox up --no-secrets >../out 2>../err) &&
	# podman gives the published port no address: docker ps shows none
	sb_podman_docker ps --filter label=com.docker.compose.service=db \
		--filter label=com.docker.compose.project=hpod-leak --format "{{.Ports}}" >ports &&
	echo 5432/tcp >expect && test_cmp expect ports &&
	test_grep "warning: service .db. publishes host port $LEAK, outside slot 2" err &&
	test_grep ! "service .api. publishes" err &&
	(cd hpod--leak && git -c sandbox.compose=leaky.yml sandbox down >/dev/null 2>&1) &&
	(cd hpod && git sandbox destroy --force leak >/dev/null 2>&1) &&
	pod_objects hpod-leak >left && test_must_be_empty left
'

test_expect_success 'a service'"'"'s own healthcheck: podman without systemd never runs it' '
	(cd hpod && git sandbox create hc --engine "$SB_PODMAN_URL" >/dev/null 2>&1) &&
	cat >hpod--hc/hc.yml <<-EOF &&
	services:
	  slow:
	    image: $IMAGE
	    init: true
	    ports: ["\${API_PORT}:80", "\${DB_PORT}:5432"]
	    command: ["sh", "-c", "mkdir /www && echo ok >/www/health && httpd -p 80 -h /www && touch /ready && exec nc -ll -p 5432 -e cat"]
	    healthcheck:
	      test: ["CMD", "test", "-f", "/ready"]
	      interval: 1s
	      retries: 30
	EOF
	(cd hpod--hc && test_expect_code 128 git -c sandbox.compose=hc.yml sandbox up --no-secrets \
		--timeout 3 >../out 2>../err) &&
	test_grep "health check .slow. (its healthcheck, on the engine) did not answer within 3s" err &&
	sb_podman_docker inspect -f "{{.State.Health.Status}}" $(pod_ps hpod-hc) >health &&
	echo starting >expect && test_cmp expect health &&
	(cd hpod--hc && git -c sandbox.compose=hc.yml sandbox up --no-secrets --no-wait >../out 2>&1) &&
	test_grep "Sandbox .hc. is up" out &&
	(cd hpod && git sandbox destroy --force hc >/dev/null 2>&1) &&
	pod_objects hpod-hc >left && test_must_be_empty left
'

test_expect_success 'down stops it and keeps its volume; up again' '
	(cd hpod--feat && git sandbox down >../out 2>&1) &&
	pod_ps hpod-feat >ids && test_must_be_empty ids &&
	sb_podman_docker volume ls -q --filter label=com.docker.compose.project=hpod-feat >vols &&
	echo hpod-feat_data >expect && test_cmp expect vols &&
	(cd hpod--feat && git sandbox status >../out 2>/dev/null) &&
	test_grep "^status   stopped" out &&
	(cd hpod--feat && git sandbox up --no-secrets >../out 2>&1) &&
	pod_ps hpod-feat >ids && test_line_count = 2 ids
'

test_expect_success 'destroy removes everything of the stack from podman' '
	sb_podman_docker network ls -q --filter label=com.docker.compose.project=hpod-feat >nets &&
	test_line_count = 1 nets &&
	(cd hpod && git sandbox destroy --force feat >../out 2>&1) &&
	test_path_is_missing hpod--feat &&
	pod_objects hpod-feat >left && test_must_be_empty left
'

test_expect_success 'with no docker CLI on PATH: list, status, prune and destroy' '
	(cd hpod && git sandbox create one --engine "$SB_PODMAN_URL" >/dev/null 2>&1 &&
	 git sandbox create two --engine "$SB_PODMAN_URL" >/dev/null 2>&1) &&
	if test "$GIT_SANDBOX_TEST_COMPOSE" = v1
	then
		# compose v1 is a Python program: no docker CLI for up either
		(cd hpod--one && nodocker git sandbox up --no-secrets >../out 2>&1) &&
		(cd hpod--two && nodocker git sandbox up --no-secrets >../out 2>&1)
	else
		(cd hpod--one && git sandbox up --no-secrets >../out 2>&1) &&
		(cd hpod--two && git sandbox up --no-secrets >../out 2>&1)
	fi &&
	pod_ps hpod-one >ids && test_line_count = 2 ids &&
	pod_ps hpod-two >ids && test_line_count = 2 ids &&
	(cd hpod && nodocker git sandbox list >../out 2>../err) &&
	test_grep "^one  *1  *one  *running" out &&
	test_grep "^two  *2  *two  *running" out &&
	test_must_be_empty err &&
	(cd hpod--one && nodocker git sandbox status >../out 2>../err) &&
	test_grep "^status   running" out &&
	# a sandbox whose worktree is gone: prune takes its stack down by id
	rm -rf hpod--two &&
	(cd hpod && nodocker git sandbox prune >../out 2>&1) &&
	test_grep "Pruning sandbox .two." out &&
	pod_objects hpod-two >left && test_must_be_empty left &&
	pod_ps hpod-one >ids && test_line_count = 2 ids &&
	(cd hpod && nodocker git sandbox destroy --force one >../out 2>&1) &&
	test_path_is_missing hpod--one &&
	pod_objects hpod-one >left && test_must_be_empty left &&
	(cd hpod && nodocker git sandbox list >../out 2>&1) &&
	test_grep ! "^one\|^two" out
'

test_expect_success 'podman-compose through sandbox.composeCommand, with no docker CLI at all' '
	if ! test -x "$GIT_SANDBOX_TEST_PODMAN_COMPOSE"
	then
		echo "no podman-compose at $GIT_SANDBOX_TEST_PODMAN_COMPOSE (.ci/deps fetches it;" \
			"GIT_SANDBOX_TEST_PODMAN_COMPOSE names another)" >&2
		return 1
	fi &&
	test_when_finished "git config --global --unset sandbox.composeCommand" &&
	git config --global sandbox.composeCommand "$GIT_SANDBOX_TEST_PODMAN_COMPOSE" &&
	(cd hpod && nodocker git sandbox create pc --engine "$SB_PODMAN_URL" >/dev/null 2>&1) &&
	# a CONTAINER_HOST of the shell does not move podman off the sandbox'"'"'s engine
	(cd hpod--pc && CONTAINER_HOST=unix://$HOME/nowhere.sock \
		nodocker git sandbox up --no-secrets --timeout 30 >../out 2>../err) &&
	test_grep "Sandbox .pc. is up" out &&
	pod_ps hpod-pc >ids && test_line_count = 2 ids &&
	curl -sf "http://$SB_PODMAN_ADDR:$((API + 1))/name" >name &&
	echo pc >expect && test_cmp expect name &&
	# every container carries the stack'"'"'s id, through the override file
	sb_podman_docker inspect -f "{{index .Config.Labels \"git-sandbox.id\"}}" $(cat ids) >sids &&
	sort -u sids >sid && test_line_count = 1 sid && test_grep "^[0-9a-f]\{32\}\$" sid &&
	(cd hpod--pc && nodocker git sandbox status >../out 2>/dev/null) &&
	test_grep "^status   running" out &&
	(cd hpod--pc && nodocker git sandbox logs api >../out 2>&1) &&
	(cd hpod--pc && nodocker git sandbox down >../out 2>&1) &&
	pod_ps hpod-pc >ids && test_must_be_empty ids &&
	(cd hpod--pc && nodocker git sandbox status >../out 2>/dev/null) &&
	test_grep "^status   stopped" out &&
	# podman-compose 1.0.6 leaves the network at down: destroy removes it
	(cd hpod && nodocker git sandbox destroy --force pc >../out 2>&1) &&
	pod_objects hpod-pc >left && test_must_be_empty left
'

test_expect_success 'stop tears everything down, and a second stop does nothing' '
	ns=gsbp$$ dir=${SB_PODMAN_SOCK%/podman.sock} addr=$SB_PODMAN_ADDR &&
	pid=$(cat "$dir/podman.pid") &&
	sb_podman_stop &&
	test -z "$SB_PODMAN_URL" &&
	! kill -0 $pid 2>/dev/null &&
	! ip netns list | grep -w "$ns" &&
	! ip link show gsbp$$h 2>/dev/null &&
	! ip -4 addr | grep -F "$addr/" &&
	test_path_is_missing "$dir" &&
	! grep -F "$dir" /proc/self/mountinfo &&
	sb_podman_stop
'

test_done
