#!/bin/sh

test_description='a second engine, as a remote host: plain TCP, TLS, its own ports and containers'

. ./test-lib.sh
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
