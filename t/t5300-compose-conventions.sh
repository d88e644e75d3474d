#!/bin/sh

test_description='compose conventions: the project .env, override files, several
compose files, COMPOSE_FILE, profiles, and the compose each stack was started with'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t5300:latest
PROJECTS="t53-alpha t53-beta t53-gamma t53b-one"

api=$(sb_port 7100)

docker_cleanup () {
	# shellcheck disable=SC2086
	sb_drop_project $PROJECTS
}

# the services of a compose project that exist, "service state" sorted
services () {
	docker ps -a --filter "label=com.docker.compose.project=$1" \
		--format '{{.Label "com.docker.compose.service"}} {{.State}}' | sort
}

# the names of a compose project's containers, sorted
names () {
	docker ps -a --filter "label=com.docker.compose.project=$1" --format '{{.Names}}' | sort
}

test_expect_success 'setup: a project with .env, docker-compose.yml, its override and a profile' '
	docker info >/dev/null &&
	docker_cleanup &&
	sb_build_image $IMAGE &&
	git init -q -b main t53 &&
	cat >t53/.gitsandbox <<-EOF &&
	[sandbox]
		project = t53
		compose = docker-compose.yml
	[port "api"]
		var = API_PORT
		base = $api
		health = /health
	EOF
	# the project .env: a variable the stack uses, and a port the sandbox overrides
	printf "GREETING=hello-from-dotenv\nAPI_PORT=1\n" >t53/.env &&
	cat >t53/docker-compose.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    environment: [SANDBOX_NAME, "GREETING=\${GREETING:-unset}"]
	    ports: ["\${API_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && echo \$\$GREETING \$\$SANDBOX_NAME \$\$EXTRA >/www/index.html && echo ok >/www/health && exec httpd -f -p 80 -h /www"]
	  debug:
	    image: $IMAGE
	    init: true
	    profiles: [debug]
	    command: ["sleep", "600"]
	EOF
	cat >t53/docker-compose.override.yml <<-EOF &&
	services:
	  api:
	    environment: [EXTRA=from-override]
	  side:
	    image: $IMAGE
	    init: true
	    command: ["sleep", "600"]
	EOF
	cat >t53/extra.yml <<-EOF &&
	services:
	  extra:
	    image: $IMAGE
	    init: true
	    command: ["sleep", "600"]
	EOF
	git -C t53 add . && git -C t53 commit -q -m project &&
	(cd t53 && git sandbox create alpha && git sandbox create beta &&
	 git sandbox create gamma) >/dev/null
'

test_expect_success 'up reads the project .env, the sandbox variables on top, and the override' '
	(cd t53--alpha && GIT_SANDBOX_TRACE=$HOME/trace.up git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .alpha. is up" out &&
	# no --env-file: compose reads .env itself; both files, in compose order
	test_grep "^spawn: .* -f docker-compose.yml -f docker-compose.override.yml -f .*labels" trace.up &&
	test_grep ! "^spawn: .* --env-file" trace.up &&
	echo "hello-from-dotenv alpha from-override" >expect &&
	curl -sf localhost:$(($api + 1))/ >got &&
	test_cmp expect got &&
	printf "api running\nside running\n" >expect &&
	services t53-alpha >got &&
	test_cmp expect got &&
	# the override service is labelled as the stack: it is this sandbox
	docker ps -q --filter label=com.docker.compose.project=t53-alpha \
		--filter label=com.docker.compose.service=side --filter label=git-sandbox.id >ids &&
	test_line_count = 1 ids
'

test_expect_success 'up --profile starts a profile service; down takes every profile down' '
	(cd t53--alpha && git sandbox up --no-secrets --profile debug >/dev/null 2>&1) &&
	printf "api running\ndebug running\nside running\n" >expect &&
	services t53-alpha >got &&
	test_cmp expect got &&
	(cd t53--alpha && GIT_SANDBOX_TRACE=$HOME/trace.down git sandbox down >../out 2>../err) &&
	test_grep "^spawn: .* --profile=debug down" trace.down &&
	services t53-alpha >got &&
	test_must_be_empty got
'

test_expect_success 'up honours COMPOSE_PROFILES from the shell' '
	(cd t53--alpha && COMPOSE_PROFILES=debug git sandbox up --no-secrets >/dev/null 2>&1) &&
	services t53-alpha >got &&
	test_grep "^debug running" got &&
	(cd t53--alpha && git sandbox down >/dev/null) &&
	services t53-alpha >got &&
	test_must_be_empty got
'

test_expect_success 'several compose files, in order, from one config file: exactly those' '
	git -C t53--beta config sandbox.compose docker-compose.yml &&
	git -C t53--beta config --add sandbox.compose extra.yml &&
	(cd t53--beta && GIT_SANDBOX_TRACE=$HOME/trace.beta git sandbox up --no-secrets >/dev/null 2>&1) &&
	test_grep "^spawn: .* -f docker-compose.yml -f extra.yml -f .*labels" trace.beta &&
	printf "api running\nextra running\n" >expect &&
	services t53-beta >got &&
	test_cmp expect got &&
	echo "hello-from-dotenv beta" >expect &&
	curl -sf localhost:$(($api + 2))/ >got &&
	test_cmp expect got &&
	(cd t53--beta && git sandbox down >/dev/null) &&
	services t53-beta >got &&
	test_must_be_empty got &&
	git -C t53--beta config --unset-all sandbox.compose
'

test_expect_success 'names that look like options stay names: a compose file "-", profiles "-h" and "--"' '
	cat >t53--beta/- <<-EOF &&
	services:
	  dash:
	    image: $IMAGE
	    init: true
	    command: ["sleep", "600"]
	  hidden:
	    image: $IMAGE
	    init: true
	    profiles: ["-h", "--"]
	    command: ["sleep", "600"]
	EOF
	git -C t53--beta config sandbox.compose - &&
	(cd t53--beta && GIT_SANDBOX_TRACE=$HOME/trace.dash \
		git sandbox up --no-secrets --no-wait --profile=-h >../out 2>../err) &&
	test_grep "^spawn: .* -f ./- -f .*labels.json --profile=-h up -d$" trace.dash &&
	printf "dash running\nhidden running\n" >expect &&
	services t53-beta >got &&
	test_cmp expect got &&
	(cd t53--beta && GIT_SANDBOX_TRACE=$HOME/trace.dash git sandbox down >../out 2>../err) &&
	test_grep "^spawn: .* --profile=-h --profile=-- down" trace.dash &&
	services t53-beta >got &&
	test_must_be_empty got &&
	git -C t53--beta config --unset-all sandbox.compose &&
	rm t53--beta/-
'

test_expect_success 'the override beside a compose file of yours outside the worktree is yours too' '
	mkdir -p shared &&
	cat >shared/docker-compose.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    command: ["sleep", "600"]
	EOF
	cat >shared/docker-compose.override.yml <<-EOF &&
	services:
	  side:
	    image: $IMAGE
	    init: true
	    command: ["sleep", "600"]
	EOF
	mine="$TRASH_DIRECTORY/shared/docker-compose.yml" &&
	(cd t53--beta && GIT_SANDBOX_TRACE=$HOME/trace.shared \
		git -c sandbox.compose="$mine" sandbox up --no-secrets --no-wait >../out 2>../err) &&
	test_grep "^spawn: .* -f $mine -f $TRASH_DIRECTORY/shared/docker-compose.override.yml -f " trace.shared &&
	printf "api running\nside running\n" >expect &&
	services t53-beta >got &&
	test_cmp expect got &&
	(cd t53--beta && git -c sandbox.compose="$mine" sandbox down >/dev/null 2>&1) &&
	services t53-beta >got &&
	test_must_be_empty got
'

test_expect_success 'of several overrides, the one compose v2 reads: compose.override.yml first' '
	mkdir -p ov &&
	printf "services: {}\n" >ov/compose.yaml &&
	for f in compose.override.yaml compose.override.yml docker-compose.override.yml
	do
		printf "services: {}\n" >ov/$f || return 1
	done &&
	printf "exit 0\n" >fake-compose &&
	(cd t53--beta && GIT_SANDBOX_TRACE=$HOME/trace.ov git -c sandbox.compose="$TRASH_DIRECTORY/ov/compose.yaml" \
		-c sandbox.composeCommand="sh $TRASH_DIRECTORY/fake-compose" sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	test_grep "^spawn: .* -f $TRASH_DIRECTORY/ov/compose.yaml -f $TRASH_DIRECTORY/ov/compose.override.yml -f .*labels" trace.ov
'

test_expect_success 'an override of the project that links outside needs trust; its .env does not' '
	rm t53--alpha/docker-compose.override.yml &&
	ln -s "$TRASH_DIRECTORY/shared/docker-compose.override.yml" t53--alpha/docker-compose.override.yml &&
	(cd t53--alpha && test_must_fail git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "compose file .docker-compose.override.yml. is a link to outside the worktree" err &&
	services t53-alpha >got &&
	test_must_be_empty got &&
	git -C t53--alpha checkout -q -- docker-compose.override.yml &&
	printf "GREETING=from-outside\n" >outside.env &&
	rm t53--alpha/.env &&
	ln -s "$TRASH_DIRECTORY/outside.env" t53--alpha/.env &&
	(cd t53--alpha && git sandbox up --no-secrets >/dev/null 2>&1) &&
	echo "from-outside alpha from-override" >expect &&
	curl -sf localhost:$(($api + 1))/ >got &&
	test_cmp expect got &&
	(cd t53--alpha && git sandbox down >/dev/null 2>&1) &&
	git -C t53--alpha checkout -q -- .env
'

test_expect_success 'setup: both composes at hand (the v1 program, the v2 plugin)' '
	plugin="$GIT_SANDBOX_TEST_COMPOSE_V2/cli-plugins/docker-compose" &&
	test -x "$plugin" &&
	mkdir -p both/bin both/config/cli-plugins &&
	ln -s "$plugin" both/config/cli-plugins/docker-compose &&
	for p in docker docker-compose
	do
		real=$(PATH=/usr/local/bin:/usr/bin:/bin command -v $p) &&
		ln -s "$real" both/bin/$p || return 1
	done &&
	echo "$TRASH_DIRECTORY/both" >both-dir
'

# run a command with both composes found: v2 wins detection
with_both () {
	BOTH=$(cat "$TRASH_DIRECTORY/both-dir") &&
	PATH="$BOTH/bin:$PATH" DOCKER_CONFIG="$BOTH/config" "$@"
}

test_expect_success 'the compose a stack was started with is kept while it runs' '
	(cd t53--gamma && with_both git -c sandbox.composeCommand=docker-compose \
		sandbox up --no-secrets >/dev/null 2>&1) &&
	names t53-gamma >before &&
	test_grep "_api_1$" before &&
	(cd t53--gamma && with_both git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "keeps .docker-compose., which started its running stack" err &&
	test_grep "up --recreate" err &&
	names t53-gamma >after &&
	test_cmp before after
'

test_expect_success 'up --recreate switches it, and the next up keeps the new one' '
	(cd t53--gamma && with_both git sandbox up --recreate --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .gamma. is up" out &&
	names t53-gamma >after &&
	test_grep "[-]api-1$" after &&
	test_grep ! "_api_1$" after &&
	(cd t53--gamma && with_both git sandbox up --no-secrets >../out 2>../err) &&
	test_grep ! "keeps" err &&
	echo "hello-from-dotenv gamma from-override" >expect &&
	curl -sf localhost:$(($api + 3))/ >got &&
	test_cmp expect got
'

test_expect_success 'a stack started with a compose that is gone is not switched silently' '
	mkdir -p gone &&
	ln -s "$(PATH=/usr/local/bin:/usr/bin:/bin command -v docker-compose)" gone/dc-old &&
	(cd t53--gamma && PATH="$TRASH_DIRECTORY/gone:$PATH" with_both \
		git -c sandbox.composeCommand=dc-old sandbox up --recreate --no-secrets >/dev/null 2>&1) &&
	names t53-gamma >before &&
	test_grep "_api_1$" before &&
	rm gone/dc-old &&
	(cd t53--gamma && with_both test_must_fail git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "started with .dc-old., which is not found or not configured any more" err &&
	names t53-gamma >after &&
	test_cmp before after
'

test_expect_success 'down takes it down with the compose that is there' '
	(cd t53--gamma && with_both git sandbox down >/dev/null 2>&1) &&
	services t53-gamma >got &&
	test_must_be_empty got
'

test_expect_success 'doctor names the compose found, with its version' '
	(cd t53--gamma && with_both git sandbox doctor >../out 2>&1) &&
	test_grep "compose: docker compose 2\.[0-9.-]* (v2)" out &&
	(cd t53--gamma && with_both git -c sandbox.composeCommand=docker-compose sandbox doctor >../out 2>&1) &&
	test_grep "compose: docker-compose 1\.[0-9.-]* (v1)" out &&
	# a standalone v2 under the v1 name is v2
	mkdir -p standalone &&
	ln -s "$GIT_SANDBOX_TEST_COMPOSE_V2/cli-plugins/docker-compose" standalone/docker-compose &&
	(cd t53--gamma && PATH="$TRASH_DIRECTORY/standalone:$PATH" \
		git -c sandbox.composeCommand=docker-compose sandbox doctor >../out 2>&1) &&
	test_grep "compose: docker-compose 2\.[0-9.-]* (v2)" out
'

test_expect_success 'COMPOSE_FILE names the files where no configuration does' '
	git init -q -b main t53b &&
	cat >t53b/.gitsandbox <<-EOF &&
	[sandbox]
		project = t53b
	[port "api"]
		var = API_PORT
		base = $(($api + 50))
	EOF
	cat >t53b/stack.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    init: true
	    ports: ["\${API_PORT}:80"]
	    command: ["sleep", "600"]
	EOF
	git -C t53b add . && git -C t53b commit -q -m project &&
	(cd t53b && git sandbox create one >/dev/null) &&
	(cd t53b--one && git sandbox up --no-secrets >out 2>&1) &&
	test_grep "has no stack" t53b--one/out &&
	(cd t53b--one && COMPOSE_FILE=stack.yml git sandbox up --no-secrets >out 2>&1) &&
	test_grep "Sandbox .one. is up" t53b--one/out &&
	services t53b-one >got &&
	echo "api running" >expect &&
	test_cmp expect got &&
	test_grep ! "warning" t53b--one/out &&
	(cd t53b--one && COMPOSE_FILE=stack.yml git sandbox status >out 2>&1) &&
	test_grep "running" t53b--one/out &&
	# an everyday COMPOSE_FILE over the sandbox file is said
	printf "services: {}\n" >t53b--one/docker-compose.sandbox.yml &&
	(cd t53b--one && COMPOSE_FILE=stack.yml git sandbox down >out 2>&1) &&
	test_grep "warning: the compose files are those of COMPOSE_FILE=stack.yml, not docker-compose.sandbox.yml" t53b--one/out &&
	services t53b-one >got &&
	test_must_be_empty got &&
	rm t53b--one/docker-compose.sandbox.yml
'

test_expect_success 'cleanup' '
	(cd t53 && for s in alpha beta gamma; do git sandbox destroy --force $s || return 1; done) >/dev/null 2>&1 &&
	(cd t53b && git sandbox destroy --force one) >/dev/null 2>&1 &&
	docker_cleanup &&
	docker image rm $IMAGE >/dev/null
'

test_done
