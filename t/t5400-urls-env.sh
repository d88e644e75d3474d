#!/bin/sh

test_description='URLs of the port groups, and variables derived from the sandbox'"'"'s own, on a real stack'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t5400:latest
PROJECTS="t54-one t54-two"
VALUE='pw-Derived-4c1d'
# what api serves at /: the variables it was given
PAGE='printf \"%s\\n\" \"api=$$API_URL\" \"self=$$SELF_URL\" \"db=$$DATABASE_URL\" >/www/index.html'

api=$(sb_port 6400)
db=$(sb_port 6420)
grafana=$(sb_port 6440)
jaeger=$(sb_port 6460)

# an `op` on PATH: the stand-in for the 1Password CLI
sb_fake_op

docker_cleanup () {
	# shellcheck disable=SC2086
	sb_drop_project $PROJECTS
}

test_expect_success 'setup: a stack whose api prints the variables it is given' '
	docker info >/dev/null &&
	docker_cleanup &&
	sb_build_image $IMAGE &&
	op --fake-put Private t54-dev db_password="$VALUE" &&
	git init -q -b main t54 &&
	cat >t54/.gitsandbox <<-EOF &&
	[sandbox]
		project = t54
		slots = 3
	[port "api"]
		var = API_PORT
		base = $api
		health = /health
	[port "db"]
		var = DB_PORT
		base = $db
		wait = tcp
	[port "grafana"]
		var = GRAFANA_PORT
		base = $grafana
		url = http://{host}:{port}/grafana/
	[port "jaeger"]
		var = JAEGER_PORT
		base = $jaeger
	[env "API_URL"]
		value = http://{host}:\${API_PORT}/api
	[env "SELF_URL"]
		value = \${API_URL}/self?sandbox=\${SANDBOX_NAME}&cost=\$\$5
	[env "DATABASE_URL"]
		value = postgres://app:\${DB_PASSWORD}@db:\${DB_PORT}/app
	[secrets]
		item = t54-dev
		vault = Private
	[secret "db_password"]
		var = DB_PASSWORD
		default = localdev
	EOF
	sb_web_db_compose t54 $IMAGE api API_PORT "$PAGE" "API_URL, SELF_URL, DATABASE_URL" &&
	git -C t54 add . && git -C t54 commit -q -m project &&
	pwd -P >root
'

test_expect_success 'derived variables from a project file you have not trusted: refused, nothing made' '
	(cd t54 && test_expect_code 128 git sandbox create one 2>../err) &&
	test_grep "env.API_URL.value: from a project file you have not trusted" err &&
	test_grep "git sandbox trust" err &&
	test_path_is_missing t54--one &&
	(cd t54 && test_expect_code 1 git sandbox trust --show >../out) &&
	test_grep "env.DATABASE_URL.value  *postgres://app:\${DB_PASSWORD}@db:\${DB_PORT}/app" out &&
	(cd t54 && git sandbox trust >/dev/null && git sandbox create one >../out) &&
	test_grep "^  url      api http://localhost:$(($api + 1))/$" out &&
	test_grep "^  url      grafana http://localhost:$(($grafana + 1))/grafana/$" out &&
	test_grep ! "url      db" out &&
	test_grep ! "url      jaeger" out
'

test_expect_success 'the env file and env have the derived variables, never one made of a secret' '
	cat >expect <<-EOF &&
	API_PORT=$(($api + 1))
	DB_PORT=$(($db + 1))
	GRAFANA_PORT=$(($grafana + 1))
	JAEGER_PORT=$(($jaeger + 1))
	SANDBOX_NAME=one
	SANDBOX_SLOT=1
	COMPOSE_PROJECT_NAME=t54-one
	API_URL=http://localhost:$(($api + 1))/api
	SELF_URL=http://localhost:$(($api + 1))/api/self?sandbox=one&cost=\$5
	EOF
	(cd t54--one && git sandbox env >../out 2>../err) &&
	test_cmp expect out &&
	test_must_be_empty err &&
	grep -v "^#" t54--one/.env.sandbox >file &&
	test_cmp expect file &&
	(cd t54--one && git sandbox env --export >../out) &&
	test_grep "^export SELF_URL=.http://localhost:$(($api + 1))/api/self?sandbox=one&cost=\$5.$" out &&
	test_grep ! DATABASE_URL out
'

test_expect_success 'up: the stack gets every derived variable, the secret'"'"'s from 1Password' '
	(cd t54--one && git sandbox up >../out 2>../err) &&
	test_grep "Sandbox .one. is up" out &&
	cat >expect <<-EOF &&
	  api  http://localhost:$(($api + 1))/
	  grafana  http://localhost:$(($grafana + 1))/grafana/
	EOF
	sed -n "/is up/,\$p" out | sed 1d >urls &&
	test_cmp expect urls &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	cat >expect <<-EOF &&
	api=http://localhost:$(($api + 1))/api
	self=http://localhost:$(($api + 1))/api/self?sandbox=one&cost=\$5
	db=postgres://app:$VALUE@db:$(($db + 1))/app
	EOF
	test_cmp expect actual
'

test_expect_success 'a variable made of a secret is on no file, and env and exec never give it' '
	rm -f actual expect &&
	! grep -rlF "$VALUE" "$HOME" --exclude-dir=op >found 2>/dev/null &&
	test_must_be_empty found &&
	(cd t54--one && git sandbox env >../out &&
	 git sandbox exec -- sh -c "echo \"api=\$API_URL db=\${DATABASE_URL-unset}\"" >../exec) &&
	test_grep ! DATABASE_URL out &&
	echo "api=http://localhost:$(($api + 1))/api db=unset" >expect &&
	test_cmp expect exec
'

test_expect_success 'up --no-secrets: made of the default instead' '
	(cd t54--one && git sandbox up --no-secrets >/dev/null 2>&1) &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	test_grep "^db=postgres://app:localdev@db:$(($db + 1))/app$" actual
'

test_expect_success 'status shows every URL; status --json has them, and the first as the url' '
	(cd t54--one && git sandbox status >../out && git sandbox status --json >../json) &&
	test_grep "^url      api http://localhost:$(($api + 1))/$" out &&
	test_grep "^url      grafana http://localhost:$(($grafana + 1))/grafana/$" out &&
	grep "^url" out >urls &&
	test_line_count = 2 urls &&
	test_grep "\"url\":\"http://localhost:$(($api + 1))/\",\"urls\":{\"api\":\"http://localhost:$(($api + 1))/\",\"grafana\":\"http://localhost:$(($grafana + 1))/grafana/\"}" json &&
	! grep -F "$VALUE" out json
'

test_expect_success 'list shows the main URL; without one, the ports' '
	(cd t54 && git checkout -q -b quiet &&
	 git config -f .gitsandbox port.api.url "" &&
	 git config -f .gitsandbox port.grafana.url "" &&
	 git commit -q -am "no URLs" && git sandbox trust >/dev/null && git checkout -q main &&
	 git sandbox create two --base quiet >/dev/null &&
	 git sandbox list >../out && git sandbox list --json >../json) &&
	root=$(cat root) &&
	test_grep "^NAME  *SLOT  *BRANCH  *STATUS  *WHERE  *PATH$" out &&
	test_grep "^one  *1  *one  *running  *http://localhost:$(($api + 1))/  *$root/t54--one$" out &&
	test_grep "^two  *2  *two  *stopped  *api $(($api + 2)) db $(($db + 2)) grafana $(($grafana + 2)) jaeger $(($jaeger + 2))  *$root/t54--two$" out &&
	test_grep "\"name\":\"one\",.*\"url\":\"http://localhost:$(($api + 1))/\",\"urls\":{\"api\":" json &&
	test_grep "\"name\":\"two\",.*\"url\":null,\"urls\":{}" json
'

test_expect_success 'bad templates, unknown variables and cycles are refused, naming the file and key' '
	cp t54--one/.env.sandbox env.before &&
	(cd t54--one &&
	 test_expect_code 128 git -c "env.X.value=\${NOPE}" sandbox env 2>../err1 &&
	 test_expect_code 128 git -c "env.A.value=\${B}" -c "env.B.value=\${A}" sandbox up 2>../err2 &&
	 test_expect_code 128 git -c "port.api.url=http://{hots}:{port}/" sandbox status 2>../err3 &&
	 test_expect_code 128 git -c "env.X.value=\$API_PORT" sandbox env 2>../err4 &&
	 test_expect_code 128 git -c "env.BASH_ENV.value=/tmp/x" sandbox exec true 2>../err5) &&
	test_grep "fatal: bad config in the command line (git -c): env.X.value: \${NOPE} is not one of the sandbox.s variables" err1 &&
	test_grep "env.A.value: the variables refer to each other in a cycle: A -> B -> A" err2 &&
	test_grep "port.api.url: not a URL template: unknown placeholder {hots}" err3 &&
	test_grep "env.X.value: a .\$. starts a reference, \${NAME}" err4 &&
	test_grep "env.BASH_ENV: BASH_ENV is read by bash" err5 &&
	(cd t54 && git config -f .gitsandbox env.BAD.value "\${API_PORTT}" &&
	 test_expect_code 128 git sandbox env 2>../err6;
	 git checkout -q .gitsandbox) &&
	test_grep "fatal: bad config in .$(cat root)/t54/.gitsandbox.: env.BAD.value: \${API_PORTT} is not one" err6 &&
	test_cmp env.before t54--one/.env.sandbox
'

test_expect_success 'cleanup: destroy leaves nothing, the image goes' '
	(cd t54 && git sandbox destroy --force one >/dev/null 2>&1 &&
	 git sandbox destroy --force two >/dev/null 2>&1) &&
	docker ps -aq --filter label=com.docker.compose.project=t54-one >left &&
	test_must_be_empty left &&
	docker_cleanup &&
	docker rmi $IMAGE >/dev/null
'

test_done
