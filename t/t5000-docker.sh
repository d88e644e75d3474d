#!/bin/sh

test_description='up, down, logs, status and destroy against a real Docker engine'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

# The image, and every compose project of this script (one per sandbox).
IMAGE=git-sandbox-t5000:latest
PROJECTS="t5k-alpha t5k-beta t5k-gamma t5k-delta t5k-never"

# what the engine has of this script's projects, and nothing else: a
# shared engine runs other stacks, and a name filter matches substrings
docker_cleanup () {
	# shellcheck disable=SC2086
	sb_drop_project $PROJECTS
}

# containers, networks and volumes of a compose project, one per line
stack_objects () {
	docker ps -aq --filter "label=com.docker.compose.project=$1" &&
	docker network ls -q --filter "label=com.docker.compose.project=$1" &&
	docker volume ls -q --filter "label=com.docker.compose.project=$1"
}

api=$(sb_port 8000)
db=$(sb_port 5432)

test_expect_success 'setup: an image from busybox, a project with a compose file' '
	docker info >/dev/null &&
	docker_cleanup &&
	sb_build_image $IMAGE &&
	git init -q -b main t5k &&
	cat >t5k/.gitsandbox <<-EOF &&
	[sandbox]
		project = t5k
		slots = 5
	[port "api"]
		var = API_PORT
		base = $api
		health = /health
	[port "db"]
		var = DB_PORT
		base = $db
		wait = tcp
	EOF
	cat >t5k/docker-compose.sandbox.yml <<-EOF &&
	version: "3.7"
	services:
	  api:
	    image: $IMAGE
	    init: true
	    environment: [SANDBOX_NAME]
	    ports: ["\${API_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && echo sandbox \$\$SANDBOX_NAME >/www/index.html && echo ok >/www/health && exec httpd -f -p 80 -h /www"]
	  db:
	    image: $IMAGE
	    init: true
	    ports: ["\${DB_PORT}:5432"]
	    volumes: [data:/data]
	    command: ["sh", "-c", "echo db listening on 5432 && date >>/data/started && exec nc -ll -p 5432 -e cat"]
	volumes:
	  data:
	EOF
	git -C t5k add . && git -C t5k commit -q -m project &&
	(cd t5k && git sandbox create alpha && git sandbox create beta) >/dev/null
'

test_expect_success 'up starts each stack and waits for its checks' '
	(cd t5k--alpha && GIT_SANDBOX_TRACE=$HOME/trace.up git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .alpha. is up" out &&
	# with the compose the tests asked for (GIT_SANDBOX_TEST_COMPOSE)
	sb_compose_version >version &&
	test_grep "^$GIT_SANDBOX_TEST_COMPOSE " version &&
	if test "$GIT_SANDBOX_TEST_COMPOSE" = v2
	then
		test_grep "^spawn: docker compose -p t5k-alpha .* up -d" trace.up
	else
		test_grep "^spawn: docker-compose -p t5k-alpha .* up -d" trace.up
	fi &&
	(cd t5k--beta && git sandbox up --no-secrets >/dev/null 2>&1)
'

test_expect_success 'two sandboxes answer at once, each on its own port with its own name' '
	curl -sf localhost:$(($api + 1))/ >a &&
	curl -sf localhost:$(($api + 2))/ >b &&
	echo "sandbox alpha" >expect-a && test_cmp expect-a a &&
	echo "sandbox beta" >expect-b && test_cmp expect-b b &&
	test "$(git -C t5k--alpha sandbox port api)" = $(($api + 1))
'

test_expect_success 'list shows both running with one request to the engine, no process' '
	(cd t5k && GIT_SANDBOX_TRACE=$HOME/trace git sandbox list >../out) &&
	test_grep "^alpha  *1  *alpha  *running" out &&
	test_grep "^beta  *2  *beta  *running" out &&
	grep -c "^api: GET /containers/json" trace >n && echo 1 >one && test_cmp one n &&
	! grep "^spawn:" trace
'

test_expect_success 'status shows the containers' '
	(cd t5k--alpha && git sandbox status >../out && git sandbox status --json >../json) &&
	test_grep "^status   running" out &&
	test_grep "^  api  *running" out &&
	test_grep "\"containers\":\[{\"service\":\"api\",\"state\":\"running\"},{\"service\":\"db\",\"state\":\"running\"}\]" json
'

test_expect_success 'up on a running sandbox is harmless' '
	(cd t5k--alpha && git sandbox up --no-secrets >/dev/null 2>&1) &&
	curl -sf localhost:$(($api + 1))/ >a && test_cmp expect-a a
'

test_expect_success 'logs shows the services output' '
	(cd t5k--alpha && git sandbox logs db --tail 5 >../out 2>&1) &&
	test_grep "db listening on 5432" out
'

test_expect_success 'down stops only its own stack and keeps its volume' '
	(cd t5k--alpha && git sandbox down >/dev/null 2>&1) &&
	test_must_fail curl -sf localhost:$(($api + 1))/ &&
	curl -sf localhost:$(($api + 2))/ >b && test_cmp expect-b b &&
	docker volume ls -q --filter label=com.docker.compose.project=t5k-alpha >vol &&
	test_line_count = 1 vol &&
	(cd t5k && git sandbox list >../out) &&
	test_grep "^alpha  *1  *alpha  *stopped" out
'

test_expect_success 'down -v removes its volumes and only its volumes' '
	(cd t5k--alpha && git sandbox up --no-secrets >/dev/null 2>&1 && git sandbox down -v >/dev/null 2>&1) &&
	stack_objects t5k-alpha >left && test_must_be_empty left &&
	docker volume ls -q --filter label=com.docker.compose.project=t5k-beta >vol &&
	test_line_count = 1 vol
'

test_expect_success 'the health gate fails on a service that never listens, and keeps the stack' '
	test_when_finished "(cd t5k--alpha && git sandbox down -v >/dev/null 2>&1 && git sandbox repair >/dev/null)" &&
	ghost="-c port.ghost.var=GHOST_PORT -c port.ghost.base=$(($db + 40)) -c port.ghost.wait=tcp" &&
	# a new group is leased before up uses it
	(cd t5k--alpha && test_expect_code 128 git $ghost sandbox up --no-secrets 2>../err) &&
	test_grep "new port group .ghost." err &&
	test_grep "git sandbox repair" err &&
	(cd t5k--alpha && git $ghost sandbox repair >../out) &&
	test_grep "new port group .ghost." out &&
	(cd t5k--alpha &&
	 test_expect_code 128 git $ghost sandbox up --no-secrets --timeout 2 >../out 2>../err) &&
	test_grep "did not answer within 2s" err &&
	test_grep "git sandbox logs" err &&
	docker ps -q --filter label=com.docker.compose.project=t5k-alpha >running &&
	test_line_count = 2 running
'

test_expect_success 'a port published outside the slot is reported as a clash' '
	leak=$(($api + 900)) &&
	test_when_finished "(cd t5k--alpha && git -c sandbox.compose=leaky.yml sandbox down -v; rm -f leaky.yml)" &&
	(cd t5k--alpha &&
	 sed -e "s/\\\${DB_PORT}:5432/$leak:5432/" docker-compose.sandbox.yml >leaky.yml &&
	 git -c sandbox.compose=leaky.yml -c port.db.wait=none sandbox up --no-secrets >../out 2>../err) &&
	test_grep "warning: service .db. publishes host port $leak, outside slot 1" err &&
	test_grep ! "service .api. publishes" err
'

test_expect_success 'a worktree deleted by hand shows missing' '
	test_when_finished "rm -rf t5k--gamma; (cd t5k && git sandbox prune >/dev/null)" &&
	(cd t5k && git sandbox create gamma >/dev/null) &&
	rm -rf t5k--gamma &&
	(cd t5k && git sandbox list >../out) &&
	test_grep "^gamma  *3  *-  *missing" out
'

test_expect_success 'docker not reachable: a clear message, nothing started' '
	(cd t5k--alpha &&
	 GIT_SANDBOX_ENGINE=unix://$HOME/no-daemon.sock \
		test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "cannot reach the Docker engine unix://$HOME/no-daemon.sock" err &&
	(cd t5k && GIT_SANDBOX_ENGINE=unix://$HOME/no-daemon.sock git sandbox list >../out) &&
	test_grep "^alpha  *1  *alpha  *unknown" out &&
	stack_objects t5k-alpha >left && test_must_be_empty left
'

test_expect_success 'the engine a sandbox was made on wins over the shell'"'"'s DOCKER_HOST, and says so' '
	(cd t5k--alpha && DOCKER_HOST=unix://$HOME/no-daemon.sock git sandbox status >../out 2>../err) &&
	test_grep "^status   stopped" out &&
	test_grep "^engine   unix:///var/run/docker.sock" out &&
	test_grep "sandbox .alpha. is on the engine unix:///var/run/docker.sock (the shell points at unix://$HOME/no-daemon.sock)" err
'

test_expect_success 'no docker CLI: the engine still answers, up says compose is missing' '
	mkdir -p nodocker &&
	ln -sf "$(command -v git)" nodocker/git &&
	(cd t5k--alpha &&
	 PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" git sandbox status >../out &&
	 PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "^status   stopped" out &&
	test_grep "Docker Compose not found" err
'

test_expect_success 'no compose file: a clear message, nothing started' '
	(cd t5k--alpha && test_expect_code 128 git -c sandbox.compose=nope.yml sandbox up --no-secrets 2>../err) &&
	test_grep "no compose file .nope.yml." err &&
	stack_objects t5k-alpha >left && test_must_be_empty left
'

test_expect_success 'a compose command that is not installed: a clear message' '
	(cd t5k--alpha && test_must_fail git -c sandbox.composeCommand=no-such-compose sandbox up --no-secrets 2>../err) &&
	test_grep "no-such-compose" err
'

test_expect_success 'the v2 plugin gets the same command line' '
	mkdir -p v2 &&
	write_script v2/docker <<-EOF &&
	if test "\$1" = compose
	then
		echo "\$*" >>"$HOME/v2.log"
		exit 0
	fi
	exec "$(command -v docker)" "\$@"
	EOF
	(cd t5k--alpha && PATH="$HOME/v2:$PATH" git sandbox up --no-secrets --no-wait >/dev/null 2>&1 &&
	 PATH="$HOME/v2:$PATH" git sandbox down -v >/dev/null 2>&1) &&
	labels=$(git -C t5k--alpha rev-parse --absolute-git-dir)/sandbox-labels.json &&
	# the probe once for this docker, then its answer from the cache
	cat >expect <<-EOF &&
	compose version
	compose -p t5k-alpha -f docker-compose.sandbox.yml -f $labels --env-file .env.sandbox up -d
	compose -p t5k-alpha -f docker-compose.sandbox.yml -f $labels --env-file .env.sandbox down --remove-orphans
	EOF
	test_cmp expect v2.log
'

test_expect_success 'prune removes the stack of a sandbox whose worktree is gone' '
	(cd t5k && git sandbox create delta >/dev/null) &&
	(cd t5k--delta && git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	rm -rf t5k--delta &&
	(cd t5k && git sandbox prune --dry-run >../out) &&
	docker ps -q --filter label=com.docker.compose.project=t5k-delta >running &&
	test_line_count = 2 running &&
	(cd t5k && git sandbox prune >../out) &&
	test_grep "Pruning sandbox .delta." out &&
	test_grep "Removing orphan stack .t5k-delta." out &&
	stack_objects t5k-delta >left && test_must_be_empty left
'

test_expect_success 'destroy without a docker CLI: through the engine API' '
	(cd t5k && git sandbox create never >/dev/null) &&
	(cd t5k && PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" git sandbox destroy beta >../out) &&
	test_path_is_missing t5k--beta &&
	stack_objects t5k-beta >left && test_must_be_empty left &&
	(cd t5k && PATH="$GIT_SANDBOX_PREFIX/bin:$HOME/nodocker" git sandbox destroy never >/dev/null) &&
	test_path_is_missing t5k--never
'

test_expect_success 'destroy leaves no container, network or volume behind' '
	(cd t5k && git sandbox destroy alpha >/dev/null) &&
	stack_objects t5k-beta >left && test_must_be_empty left &&
	stack_objects t5k-alpha >left && test_must_be_empty left &&
	test_path_is_missing t5k--beta
'

test_expect_success 'cleanup: the image' '
	docker_cleanup &&
	docker rmi $IMAGE >/dev/null
'

test_done
