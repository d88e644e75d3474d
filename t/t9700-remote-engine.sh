#!/bin/sh

test_description='a second engine, as a remote host: plain TCP, TLS, its own ports and containers'

. ./test-lib.sh
test_skip_all ROOT,DOCKER,NETNS_ENGINE "root, a Docker engine and the tools of a second dockerd in a network namespace"
. "$TEST_DIRECTORY"/lib-engine.sh

IMAGE=git-sandbox-t9700:latest
WEB=t9700-web
PORT=$(sb_port 8080)

# the engine's TLS endpoint with the client certificates, or with what is given
tls_docker () {
	docker --tlsverify --tlscacert "$SB_ENGINE_CERTS/ca.pem" \
		--tlscert "$SB_ENGINE_CERTS/cert.pem" --tlskey "$SB_ENGINE_CERTS/key.pem" \
		-H "$SB_ENGINE_TLS" "$@"
}

test_expect_success 'setup: a second engine' '
	sb_engine_start $IMAGE &&
	test -n "$SB_ENGINE_ADDR" && test -S "$SB_ENGINE_SOCK" &&
	test_path_is_file "$SB_ENGINE_CERTS/key.pem"
'

test_expect_success 'it answers in plain TCP, and is not the machine'"'"'s engine' '
	sb_engine_docker info --format "{{.ID}}" >engine.id &&
	test_line_count = 1 engine.id &&
	docker -H "unix://$SB_ENGINE_SOCK" info --format "{{.ID}}" >sock.id &&
	test_cmp engine.id sock.id &&
	docker info --format "{{.ID}}" >machine.id &&
	test "$(cat engine.id)" != "$(cat machine.id)" &&
	sb_engine_docker image inspect $IMAGE >/dev/null
'

test_expect_success 'it answers over TLS with the client certificates' '
	tls_docker info --format "{{.ID}}" >tls.id &&
	test_cmp engine.id tls.id &&
	DOCKER_HOST=$SB_ENGINE_TLS DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$SB_ENGINE_CERTS \
		docker info --format "{{.ID}}" >env.id &&
	test_cmp engine.id env.id
'

# (docker info exits 0 on an error response, as plain HTTP gets: version here)
test_expect_success 'and refuses a client without them' '
	test_must_fail docker -H "$SB_ENGINE_TLS" version --format "{{.Server.Version}}" 2>err &&
	test_grep "HTTP request to an HTTPS server" err &&
	test_must_fail docker --tlsverify --tlscacert "$SB_ENGINE_CERTS/ca.pem" \
		-H "$SB_ENGINE_TLS" version --format "{{.Server.Version}}" 2>err &&
	test_grep "bad certificate" err
'

test_expect_success 'a port it publishes answers at its address, not on the machine' '
	test_when_finished "sb_engine_docker rm -f $WEB >/dev/null 2>&1;
		sb_engine_docker network rm t9700-net >/dev/null 2>&1" &&
	sb_engine_docker network create t9700-net >/dev/null &&
	sb_engine_docker run -d --name $WEB --network t9700-net -p $PORT:8080 $IMAGE \
		sh -c "echo served >/index.html && exec httpd -f -p 8080 -h /" >/dev/null &&
	i=0 &&
	until curl -sS -m 2 -o got "http://$SB_ENGINE_ADDR:$PORT/index.html"
	do
		i=$((i + 1)) && test $i -lt 50 && sleep 0.1 || return 1
	done &&
	echo served >expect &&
	test_cmp expect got &&
	test_must_fail curl -sS -m 2 -o got.local "http://127.0.0.1:$PORT/index.html" &&
	sb_engine_docker ps -q --no-trunc --filter name=$WEB >ids &&
	test_line_count = 1 ids &&
	docker ps -aq --no-trunc >machine.ids &&
	test_grep ! -F -f ids machine.ids
'

# --- git-sandbox on the second engine ---------------------------------------

API=$(sb_port 8300)
DB=$(sb_port 6300)

# the sandbox's containers on the second engine (ids), and on the machine's
remote_ps () {
	sb_engine_docker ps -q --filter "label=com.docker.compose.project=$1"
}
local_ps () {
	docker ps -aq --filter "label=com.docker.compose.project=$1"
}

test_expect_success 'setup: a project whose stack answers on the engine'"'"'s host' '
	git init -q -b main t97 &&
	cat >t97/.gitsandbox <<-EOF &&
	[sandbox]
		project = t97
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
	cat >t97/docker-compose.sandbox.yml <<-EOF &&
	services:
	  api:
	    image: $IMAGE
	    ports: ["\${API_PORT}:80"]
	    command: ["sh", "-c", "mkdir -p /www && echo ok >/www/health && echo \$\$SANDBOX_NAME >/www/name && exec httpd -f -p 80 -h /www"]
	    environment: [SANDBOX_NAME]
	  db:
	    image: $IMAGE
	    ports: ["\${DB_PORT}:5432"]
	    volumes: [data:/data]
	    command: ["sh", "-c", "exec nc -ll -p 5432 -e cat"]
	volumes:
	  data:
	EOF
	git -C t97 add . &&
	git -C t97 commit -q -m project
'

test_expect_success 'create on a remote engine that does not answer: refused, nothing made' '
	sb_snapshot t97 before &&
	(cd t97 && test_expect_code 128 git sandbox create nowhere --engine tcp://$SB_ENGINE_ADDR:1 \
		>../out 2>../err) &&
	test_grep "cannot reach the Docker engine tcp://$SB_ENGINE_ADDR:1" err &&
	test_path_is_missing t97--nowhere &&
	sb_snapshot t97 after &&
	test_cmp before after &&
	(cd t97 && test_expect_code 128 git sandbox create nowhere --engine no-such-context 2>../err) &&
	test_grep "docker context .no-such-context. does not exist" err &&
	test_path_is_missing t97--nowhere
'

test_expect_success 'create on the engine DOCKER_HOST names: recorded, shown by status and list' '
	(cd t97 && DOCKER_HOST=$SB_ENGINE_TCP git sandbox create one >../out) &&
	test_grep "^  engine   $SB_ENGINE_TCP" out &&
	test_grep "^  url      api http://$SB_ENGINE_ADDR:$((API + 1))/" out &&
	(cd t97--one && git sandbox status >../out 2>../err) &&
	test_grep "^engine   $SB_ENGINE_TCP" out &&
	test_grep "^status   stopped" out &&
	test_grep "^url      api http://$SB_ENGINE_ADDR:$((API + 1))/" out &&
	test_grep "sandbox .one. is on the engine $SB_ENGINE_TCP (the shell points at unix:///var/run/docker.sock)" err &&
	(cd t97 && git sandbox list >../out 2>/dev/null && git sandbox list --json >../json 2>/dev/null) &&
	test_grep "^NAME  *SLOT  *BRANCH  *STATUS  *ENGINE  *WHERE  *PATH" out &&
	test_grep "^one  *1  *one  *stopped  *$SB_ENGINE_TCP  *http://$SB_ENGINE_ADDR:$((API + 1))/  *$(pwd -P)/t97--one" out &&
	test_grep "\"engine\":\"$SB_ENGINE_TCP\"" json
'

test_expect_success 'up starts the stack there, from a shell pointed at the machine, and checks it there' '
	(cd t97--one && GIT_SANDBOX_TRACE=$HOME/trace git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "Sandbox .one. is up" out &&
	test_grep "^  api  http://$SB_ENGINE_ADDR:$((API + 1))/" out &&
	remote_ps t97-one >ids && test_line_count = 2 ids &&
	local_ps t97-one >ids && test_must_be_empty ids &&
	curl -sf "http://$SB_ENGINE_ADDR:$((API + 1))/name" >name &&
	echo one >expect && test_cmp expect name &&
	test_must_fail curl -sf -m 2 "http://127.0.0.1:$((API + 1))/name" &&
	# every query went to the engine, none spawned docker
	! grep "^api: .* unix://" trace &&
	! grep "^spawn: docker \(ps\|volume\|network\|inspect\)" trace &&
	grep "^api: GET /containers/json.* $SB_ENGINE_TCP\$" trace
'

test_expect_success 'exec: docker run there reaches the sandbox'"'"'s engine' '
	(cd t97--one && git sandbox exec -- docker ps -q --filter label=com.docker.compose.project=t97-one >../ids) &&
	test_line_count = 2 ids &&
	(cd t97--one && git sandbox exec -- sh -c "echo \$DOCKER_HOST" >../host) &&
	echo "$SB_ENGINE_TCP" >expect &&
	test_cmp expect host
'

test_expect_success 'a local server on the same port does not pass the health check' '
	(cd t97 && DOCKER_HOST=$SB_ENGINE_TCP git sandbox create two >/dev/null 2>&1) &&
	mkdir -p www && echo ok >www/health &&
	test_hold_port $((API + 2)) busybox httpd -f -p 127.0.0.1:$((API + 2)) -h www &&
	curl -sf "http://127.0.0.1:$((API + 2))/health" &&
	(cd t97--two && test_expect_code 128 git -c port.api.health=/nothing sandbox up --no-secrets \
		--timeout 3 >../out 2>../err) &&
	test_grep "health check .api. (http://$SB_ENGINE_ADDR:$((API + 2))/nothing) did not answer" err &&
	(cd t97--two && git sandbox down >/dev/null 2>&1)
'

test_expect_success 'a service'"'"'s own healthcheck: up waits until the engine calls it healthy' '
	(cd t97 && DOCKER_HOST=$SB_ENGINE_TCP git sandbox create five --slot 5 >/dev/null 2>&1) &&
	cat >t97--five/hc.yml <<-EOF &&
	services:
	  slow:
	    image: $IMAGE
	    ports: ["\${API_PORT}:80", "\${DB_PORT}:5432"]
	    command: ["sh", "-c", "mkdir /www && echo ok >/www/health && httpd -p 80 -h /www && sleep 2 && touch /ready && exec nc -ll -p 5432 -e cat"]
	    healthcheck:
	      test: ["CMD", "test", "-f", "/ready"]
	      interval: 1s
	      timeout: 1s
	      retries: 30
	  never:
	    image: $IMAGE
	    profiles: [broken]
	    command: ["sleep", "600"]
	    healthcheck:
	      test: ["CMD", "false"]
	      interval: 1s
	      retries: 30
	EOF
	(cd t97--five && git -c sandbox.compose=hc.yml sandbox up --no-secrets >../out 2>../err) &&
	sb_engine_docker ps -q --filter label=com.docker.compose.project=t97-five >ids &&
	test_line_count = 1 ids &&
	sb_engine_docker inspect -f "{{.State.Health.Status}}" $(cat ids) >health &&
	echo healthy >expect && test_cmp expect health &&
	(cd t97--five && git -c sandbox.compose=hc.yml sandbox down >/dev/null 2>&1)
'

test_expect_success 'and fails, naming the service, when it never is' '
	(cd t97--five && COMPOSE_PROFILES=broken test_expect_code 128 \
		git -c sandbox.compose=hc.yml sandbox up --no-secrets --timeout 4 >../out 2>../err) &&
	test_grep "health check .never. (its healthcheck, on the engine) did not answer within 4s" err &&
	(cd t97--five && COMPOSE_PROFILES=broken git -c sandbox.compose=hc.yml sandbox down >/dev/null 2>&1) &&
	(cd t97 && git sandbox destroy --force five >/dev/null)
'

test_expect_success 'a docker context over TLS: create --engine, up, status, list' '
	docker context create t97tls --docker "host=$SB_ENGINE_TLS,ca=$SB_ENGINE_CERTS/ca.pem,cert=$SB_ENGINE_CERTS/cert.pem,key=$SB_ENGINE_CERTS/key.pem" >/dev/null &&
	(cd t97 && git sandbox create three --engine t97tls >../out) &&
	(cd t97--three && GIT_SANDBOX_TRACE=$HOME/trace.tls git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "^  api  http://$SB_ENGINE_ADDR:$((API + 3))/" out &&
	remote_ps t97-three >ids && test_line_count = 2 ids &&
	grep "^api: GET /containers/json.* $SB_ENGINE_TLS\$" trace.tls &&
	(cd t97--three && git sandbox status --json >../json) &&
	test_grep "\"engine\":\"t97tls\"" json &&
	test_grep "\"status\":\"running\"" json
'

test_expect_success 'a context pointed elsewhere in the shell does not move a sandbox' '
	(cd t97--three && DOCKER_CONTEXT=default git sandbox status >../out 2>/dev/null) &&
	test_grep "^status   running" out &&
	(cd t97--one && docker context use t97tls >/dev/null && git sandbox status >../out 2>../err;
	 rc=$?; docker context use default >/dev/null; exit $rc) &&
	test_grep "^engine   $SB_ENGINE_TCP" out &&
	test_grep "^status   running" out
'

test_expect_success 'a certificate for another address is refused' '
	mkdir -p bad && cp "$SB_ENGINE_CERTS"/*.pem bad/ &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=other" -keyout bad/ca-key.pem -out bad/ca.pem 2>/dev/null &&
	(cd t97--three && GIT_SANDBOX_ENGINE=$SB_ENGINE_TLS DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$HOME/bad \
		git sandbox status >../out 2>../err) &&
	test_grep "^status   unknown" out &&
	test_grep "warning: cannot reach the Docker engine $SB_ENGINE_TLS: TLS: the engine.s certificate is not trusted" err &&
	(cd t97--three && GIT_SANDBOX_ENGINE=$SB_ENGINE_TLS DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$HOME/bad \
		test_expect_code 128 git sandbox down >../out 2>../err) &&
	test_grep "cannot reach the Docker engine $SB_ENGINE_TLS: TLS: the engine.s certificate is not trusted" err
'

test_expect_success 'ssh:// goes through the engine'"'"'s own dial-stdio' '
	mkdir -p sshbin &&
	write_script sshbin/ssh <<-EOF &&
	echo "\$*" >>"$HOME/ssh.log"
	# ssh [-l user] [-p port] -- host docker system dial-stdio
	while test "\$1" != "--"; do shift; done
	shift 3
	exec docker -H "$SB_ENGINE_TCP" "\$@"
	EOF
	(cd t97--one && PATH="$HOME/sshbin:$PATH" GIT_SANDBOX_ENGINE=ssh://me@devbox:2222 \
		git sandbox status >../out) &&
	test_grep "^status   running" out &&
	test_grep "^-l me -p 2222 -- devbox docker system dial-stdio" ssh.log
'

test_expect_success 'a second HOME (another machine) on the engine gets other ports and its own leases' '
	mkdir -p home2 leases2 && chmod 1777 leases2 &&
	git clone -q t97 other &&
	(cd other && HOME=$HOME/home2 XDG_STATE_HOME=$HOME/home2/.state XDG_CACHE_HOME=$HOME/home2/.cache \
		XDG_CONFIG_HOME=$HOME/home2/.config GIT_SANDBOX_LEASES=$HOME/leases2 \
		git sandbox create four --engine $SB_ENGINE_TCP >../out 2>../err) &&
	test_grep "^Created sandbox .four. in slot 4" out &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >leases &&
	test_grep "^git-sandbox-port-$((API + 1))\$" leases &&
	test_grep "^git-sandbox-port-$((API + 4))\$" leases &&
	sb_engine_docker volume inspect -f "{{index .Labels \"git-sandbox.lease-owner\"}}" \
		git-sandbox-port-$((API + 1)) git-sandbox-port-$((API + 4)) >owners &&
	test "$(sort -u owners | wc -l)" = 2
'

test_expect_success 'doctor judges a remote sandbox'"'"'s ports on its engine, not on this machine' '
	test_hold_port $((API + 2)) &&
	(cd t97 && git sandbox doctor >../out 2>../err; echo $? >../rc) &&
	test_grep "^ok  *registry .*: 3 sandboxes" out &&
	test_grep ! "port $((API + 2))" out &&
	test_grep ! "cannot reach" out
'

test_expect_success 'destroy from a shell pointed at the machine removes the stack on its engine' '
	(cd t97 && git sandbox destroy one >../out 2>&1) &&
	remote_ps t97-one >ids && test_must_be_empty ids &&
	sb_engine_docker volume ls -q --filter label=com.docker.compose.project=t97-one >vols &&
	test_must_be_empty vols &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >leases &&
	test_grep ! "^git-sandbox-port-$((API + 1))\$" leases &&
	test_grep ! "^git-sandbox-port-$((DB + 1))\$" leases
'

test_expect_success 'prune from a shell pointed at the machine prunes on the engine, and only ours' '
	rm -rf t97--three &&
	(cd t97 && git sandbox prune >../out 2>&1) &&
	test_grep "Pruning sandbox .three." out &&
	remote_ps t97-three >ids && test_must_be_empty ids &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >leases &&
	test_grep "^git-sandbox-port-$((API + 4))\$" leases &&
	test_grep ! "^git-sandbox-port-$((API + 3))\$" leases
'

test_expect_success 'a lease'"'"'s owner on the engine does not show this machine'"'"'s id' '
	sb_engine_docker volume inspect -f "{{index .Labels \"git-sandbox.lease-owner\"}}" \
		git-sandbox-port-$((API + 2)) >owner &&
	test_grep ":$(id -u):" owner &&
	if test -s /etc/machine-id
	then
		test_grep ! -F "$(cat /etc/machine-id)" owner
	fi
'

test_expect_success 'GIT_SANDBOX_ENGINE for a create leases no other sandbox'"'"'s ports on that engine' '
	(cd t97 && git sandbox create loc >/dev/null 2>&1) &&
	loc=$(cd t97--loc && git sandbox port api) &&
	(cd t97 && GIT_SANDBOX_ENGINE=$SB_ENGINE_TCP git sandbox create six >/dev/null 2>&1) &&
	six=$(cd t97--six && git sandbox port api) &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >leases &&
	test_grep "^git-sandbox-port-$six\$" leases &&
	test_grep ! "^git-sandbox-port-$loc\$" leases &&
	(cd t97 && git sandbox destroy loc >/dev/null && git sandbox destroy six >/dev/null) &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >leases &&
	test_grep ! "^git-sandbox-port-$six\$" leases
'

test_expect_success 'a lease on the engine that a killed create left is removed by prune' '
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >before &&
	(cd t97 && GIT_SANDBOX_TEST_CRASH=lease-claimed git sandbox create seven \
		--engine $SB_ENGINE_TCP >/dev/null 2>&1; test $? = 137) &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >after &&
	! test_cmp before after >/dev/null &&
	(cd t97 && git sandbox prune >../out 2>&1) &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >after &&
	test_cmp before after &&
	test_grep "^git-sandbox-port-$((API + 2))\$" after
'

test_expect_success 'prune removes the leases on the engine of a HOME of yours that is gone' '
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >before &&
	test_grep "^git-sandbox-port-$((API + 4))\$" before &&
	rm -rf home2 &&
	(cd t97 && git sandbox prune >../out 2>&1) &&
	test_grep "Removed 2 port leases of registries that are gone" out &&
	sb_engine_docker volume ls -q --filter label=git-sandbox.port-lease >after &&
	test_grep ! "^git-sandbox-port-$((API + 4))\$" after &&
	test_grep ! "^git-sandbox-port-$((DB + 4))\$" after &&
	test_grep "^git-sandbox-port-$((API + 2))\$" after
'

test_expect_success 'stop tears everything down, and a second stop does nothing' '
	ns=gsbe$$ dir=${SB_ENGINE_SOCK%/x/d.sock} addr=$SB_ENGINE_ADDR &&
	pid=$(cat "$dir/dockerd.pid") &&
	sb_engine_stop &&
	test -z "$SB_ENGINE_TCP" &&
	! kill -0 $pid 2>/dev/null &&
	! ip netns list | grep -w "$ns" &&
	! ip link show gsbe$$h 2>/dev/null &&
	! ip -4 addr | grep -F "$addr/" &&
	test_path_is_missing "$dir" &&
	! grep -F "$dir" /proc/self/mountinfo &&
	sb_engine_stop
'

test_done
