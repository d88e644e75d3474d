#!/bin/sh

test_description='the lint of a compose file: what would collide with another sandbox'"'"'s
stack, each with its fix, on the first up and in doctor; nothing for a clean file'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t5200:latest
PROJECTS="t52-alpha t52c-one t52b-one"
# made outside compose, as an external volume is
SHARED=t5200-shared

api=$(sb_port 7300)
db=$(sb_port 7400)
web=$(sb_port 7350)

docker_cleanup () {
	# shellcheck disable=SC2086
	sb_drop_project $PROJECTS &&
	docker volume rm $SHARED >/dev/null 2>&1
	:
}

# the spawns of compose's config in a trace file
config_calls () {
	grep -c "^spawn: .* config$" "$1"
}

test_expect_success 'setup: one project with each bad pattern, one clean, one compose cannot resolve' '
	docker info >/dev/null &&
	docker_cleanup &&
	sb_build_image $IMAGE &&
	docker volume create $SHARED >/dev/null &&
	git init -q -b main t52 &&
	cat >t52/.gitsandbox <<-EOF &&
	[sandbox]
		project = t52
		slots = 3
	[port "api"]
		var = API_PORT
		base = $api
	[port "db"]
		var = DB_PORT
		base = $db
	EOF
	cat >t52/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    container_name: t5200-fixed-api
	    ports: ["$api:80", "\${DB_PORT}:5432"]
	    command: ["sleep", "600"]
	  web:
	    image: $IMAGE
	    init: true
	    ports: ["127.0.0.1:$web:80"]
	    volumes: [shared:/shared, cache:/cache]
	    command: ["sleep", "600"]
	volumes:
	  shared:
	    external: true
	    name: $SHARED
	  cache:
	    name: t5200-fixed-cache
	EOF
	git -C t52 add . && git -C t52 commit -q -m project &&
	(cd t52 && git sandbox create alpha >/dev/null) &&

	git init -q -b main t52c &&
	sed -e "s/= t52$/= t52c/" t52/.gitsandbox >t52c/.gitsandbox &&
	cat >t52c/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    container_name: \${COMPOSE_PROJECT_NAME}-api
	    ports: ["\${API_PORT}:80", "127.0.0.1:\${DB_PORT}:5432"]
	    volumes: [data:/data]
	    command: ["sleep", "600"]
	volumes:
	  data:
	EOF
	git -C t52c add . && git -C t52c commit -q -m project &&
	(cd t52c && git sandbox create one >/dev/null) &&

	git init -q -b main t52b &&
	sed -e "s/= t52$/= t52b/" t52/.gitsandbox >t52b/.gitsandbox &&
	cat >>t52b/.gitsandbox <<-EOF &&
	[secrets]
		item = t52b-dev
	[secret "db_password"]
		var = DB_PASSWORD
		default = localdev
	EOF
	cat >t52b/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    container_name: t5200-never-linted
	    environment: ["PW=\${DB_PASSWORD:?needs a password}"]
	    command: ["sleep", "600"]
	EOF
	git -C t52b add . && git -C t52b commit -q -m project &&
	(cd t52b && git sandbox create one >/dev/null)
'

test_expect_success 'the first up names each pattern with the line to write, and starts the stack' '
	(cd t52--alpha && GIT_SANDBOX_TRACE=$HOME/trace.alpha git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .alpha. is up" out &&
	test "$(config_calls trace.alpha)" = 1 &&
	test_grep "^warning: service .api. has the fixed container_name .t5200-fixed-api.: the stack of a second sandbox cannot make its container$" err &&
	test_grep "^hint: remove its container_name, or write: container_name: \${COMPOSE_PROJECT_NAME}-api$" err &&
	test_grep "^warning: service .api. publishes host port $api, which is not one of the sandbox.s ports ($(($api + 1)), $(($db + 1))): the stacks of two sandboxes would collide$" err &&
	test_grep "^hint: write the ports entry \"\${API_PORT}:80\" (port group .api.)$" err &&
	test_grep "^warning: service .web. publishes host port $web, " err &&
	test_grep "^hint: add a \[port \"web\"\] group (var = WEB_PORT, base = $web) and write the ports entry \"127.0.0.1:\${WEB_PORT}:80\"$" err &&
	test_grep "^warning: volume .shared. is external (.$SHARED.): the stacks of every sandbox would share it$" err &&
	test_grep "^hint: drop its \"external: true\" so that each stack makes its own, or name one for each sandbox: name: \${COMPOSE_PROJECT_NAME}-shared$" err &&
	test_grep "^warning: volume .cache. has the fixed name .t5200-fixed-cache.: " err &&
	test_grep "^hint: remove its name, or write: name: \${COMPOSE_PROJECT_NAME}-cache$" err &&
	# the leased port of the file is no finding
	! grep "port $(($db + 1))," err &&
	test "$(grep -c "^warning: \(service\|volume\) .* \(collide\|share it\|container\)$" err)" = 5 &&
	# warnings only: it runs
	docker ps --filter "label=com.docker.compose.project=t52-alpha" --format "{{.Names}}" >names &&
	test_grep "^t5200-fixed-api$" names
'

test_expect_success 'a later up lints nothing: no spawn, no warning' '
	(cd t52--alpha && GIT_SANDBOX_TRACE=$HOME/trace.again git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .alpha. is up" out &&
	test "$(config_calls trace.again)" = 0 &&
	! grep "container_name\|is external\|fixed name" err
'

test_expect_success 'doctor reports each as a warning with its fix' '
	(cd t52--alpha && git sandbox doctor >../out 2>../err) &&
	test_grep "^warn  sandbox .alpha.: service .api. has the fixed container_name .t5200-fixed-api.: " out &&
	test_grep "^      fix: remove its container_name, or write: container_name: \${COMPOSE_PROJECT_NAME}-api$" out &&
	test_grep "^warn  sandbox .alpha.: service .api. publishes host port $api, " out &&
	test_grep "^      fix: write the ports entry \"\${API_PORT}:80\" (port group .api.)$" out &&
	test_grep "^warn  sandbox .alpha.: service .web. publishes host port $web, " out &&
	test_grep "^      fix: add a \[port \"web\"\] group (var = WEB_PORT, base = $web) and write the ports entry \"127.0.0.1:\${WEB_PORT}:80\"$" out &&
	test_grep "^warn  sandbox .alpha.: volume .shared. is external " out &&
	test_grep "^      fix: drop its \"external: true\" " out &&
	test_grep "^warn  sandbox .alpha.: volume .cache. has the fixed name " out &&
	test_grep "^      fix: remove its name, or write: name: \${COMPOSE_PROJECT_NAME}-cache$" out &&
	test "$(grep -c "^warn  sandbox .alpha.: \(service\|volume\) " out)" = 5
'

test_expect_success 'doctor lints the services of every profile' '
	awk -v image=$IMAGE "/^volumes:/ { print \"  debug:\"; print \"    image: \" image;
		print \"    profiles: [debug]\"; print \"    container_name: t5200-debug\" } { print }" \
		t52--alpha/docker-compose.sandbox.yml >debug.yml &&
	mv debug.yml t52--alpha/docker-compose.sandbox.yml &&
	(cd t52--alpha && git sandbox doctor >../out 2>../err) &&
	git -C t52--alpha checkout -q docker-compose.sandbox.yml &&
	test_grep "^warn  sandbox .alpha.: service .debug. has the fixed container_name .t5200-debug.: " out
'

test_expect_success 'a clean file: the first up and doctor report nothing' '
	(cd t52c--one && git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .one. is up" out &&
	! grep "^warning:" err &&
	! grep "^hint:" err &&
	# COMPOSE_PROJECT_NAME reaches compose'"'"'s interpolation
	docker ps --filter "label=com.docker.compose.project=t52c-one" --format "{{.Names}}" >names &&
	echo t52c-one-api >expect &&
	test_cmp expect names &&
	(cd t52c--one && git sandbox doctor >../out 2>../err) &&
	test_grep "^ok    sandbox .one.: nothing in the compose file collides with another sandbox.s stack$" out &&
	! grep "^warn  sandbox .one." out
'

test_expect_success 'compose cannot resolve the file without the secrets: one warning, up goes on; doctor says why' '
	(cd t52b--one && git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .one. is up" out &&
	test_grep "^warning: could not lint the compose file: compose cannot resolve the stack (exit [0-9]*): .*needs a password" err &&
	test "$(grep -c "^warning:" err)" = 1 &&
	! grep "^hint:" err &&
	(cd t52b--one && git sandbox doctor >../out 2>../err) &&
	test_grep "^warn  sandbox .one.: could not lint the compose file: compose cannot resolve the stack (exit [0-9]*): .*needs a password" out &&
	test_grep "^      fix: " out
'

test_expect_success 'cleanup' '
	(cd t52 && git sandbox destroy --force alpha) >/dev/null 2>&1 &&
	(cd t52c && git sandbox destroy --force one) >/dev/null 2>&1 &&
	(cd t52b && git sandbox destroy --force one) >/dev/null 2>&1 &&
	docker_cleanup &&
	docker volume ls -q --filter name=t5200 >left &&
	test_must_be_empty left &&
	docker image rm $IMAGE >/dev/null
'

test_done
