#!/bin/sh

test_description='secrets feedback: what up loaded and from where, the recheck in parallel with compose, offline use, exec --secrets, where the running stack has its secrets from'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t6100:latest
api=$(sb_port 8200)
port=$(($api + 1))

# an `op` on PATH: the stand-in for the 1Password CLI
sb_fake_op

# hash_of <value>: what the api serves when DB_PASSWORD is <value>
hash_of () {
	printf %s "$1" | sha256sum | cut -d" " -f1
}

served_hash () {
	curl -sf "localhost:$port/"
}

# in_sb <command>...: run a command in the sandbox's worktree
in_sb () {
	(cd t61--one && "$@")
}

# now: seconds since the epoch, with nanoseconds
now () {
	date +%s.%N
}

# timed_up <file> [<up option>...]: down, then up, its compose made to
# take 2 s longer than it does; in <file> the seconds up took besides its
# compose runs (which the engine makes vary by seconds from run to run)
timed_up () {
	out_=$1 &&
	shift &&
	in_sb git sandbox down >/dev/null 2>&1 &&
	rm -f compose.times &&
	t0_=$(now) &&
	in_sb env T61_COMPOSE_SLEEP=2 GIT_SANDBOX_TIMING=1 \
		git -c secrets.recheck=0s sandbox up "$@" >out 2>err &&
	t1_=$(now) &&
	awk "{ s += \$2 - \$1 } END { print $t1_ - $t0_ - s }" compose.times >"$out_"
}

test_expect_success 'setup: an item, a trusted project whose api shows a hash of DB_PASSWORD' '
	docker info >/dev/null &&
	sb_build_image $IMAGE &&
	op --fake-put Private t61-dev db_password=first-value jwt_secret=jwt-value &&
	sb_secrets_project t61 $IMAGE $api 720m &&
	# the compose the tests use, timed; its "up" takes T61_COMPOSE_SLEEP
	# seconds longer when that is set
	case "$(sb_compose_version)" in
	v2*) compose="docker compose" ;;
	*) compose=docker-compose ;;
	esac &&
	write_script timed-compose <<-EOF &&
	start=\$(date +%s.%N)
	$compose "\$@"
	rc=\$?
	case " \$* " in *" up "*) sleep "\${T61_COMPOSE_SLEEP:-0}" ;; esac
	echo "\$start \$(date +%s.%N)" >>"$HOME/compose.times"
	exit \$rc
	EOF
	git -C t61 config sandbox.composeCommand "$HOME/timed-compose" &&
	(cd t61 && git sandbox create one >/dev/null && git sandbox trust >/dev/null)
'

test_expect_success 'the first up says it loaded the secrets from 1Password, by variable name' '
	in_sb git sandbox up >out 2>err &&
	test "$(sb_op_calls)" = 1 &&
	test_grep -Fx "Loaded from 1Password: DB_PASSWORD, JWT_SECRET" err &&
	test_grep ! "Loaded from the cache" err &&
	hash_of first-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'status: the running stack has its secrets from 1Password' '
	in_sb git sandbox status >out &&
	test_grep "^secrets  t61-dev: the stack has them from 1Password, fetched [0-9]*s ago (DB_PASSWORD, JWT_SECRET)$" out &&
	in_sb git sandbox status --json >json &&
	test_grep "\"secrets\":{\"source\":\"1password\",\"age_seconds\":[0-9]*,\"names\":\[\"DB_PASSWORD\",\"JWT_SECRET\"\]}" json
'

test_expect_success 'the next up loads them from the cache, says how old it is, and asks op nothing' '
	in_sb git sandbox up >out 2>err &&
	test "$(sb_op_calls)" = 1 &&
	test_grep -x "Loaded from the cache, fetched [0-9]*s ago: DB_PASSWORD, JWT_SECRET" err &&
	in_sb git sandbox status >out &&
	test_grep "^secrets  t61-dev: the stack has them from the cache, fetched [0-9]*s ago" out &&
	in_sb git sandbox status --json >json &&
	test_grep "\"secrets\":{\"source\":\"cache\"" json
'

test_expect_success 'secrets status shows the durations as they are written' '
	in_sb git sandbox secrets status >out &&
	test_grep "^age      [0-9]*s (fresh; recheck 1h, ttl 720m, maxAge 7d)$" out &&
	in_sb git -c secrets.maxAge=2d -c secrets.recheck=0s sandbox secrets status >out &&
	test_grep "^age      [0-9]*s (fresh; the next .git sandbox up. asks 1Password for changes while it starts; recheck 0s, ttl 720m, maxAge 2d)$" out &&
	in_sb git -c secrets.ttl=0s sandbox secrets status >out &&
	test_grep "^age      [0-9]*s (expired; used only while 1Password cannot be asked; recheck 1h, ttl 0s, maxAge 7d)$" out
'

test_expect_success 'a recheck with nothing changed: op asked, nothing said' '
	in_sb git -c secrets.recheck=0s sandbox up >out 2>err &&
	test "$(sb_op_calls)" = 2 &&
	test_grep "Loaded from the cache" err &&
	test_grep ! "changed in 1Password" out &&
	test_grep ! "warning" err
'

test_expect_success 'the recheck runs alongside compose: a slow op adds no time to up, and the change is the last line' '
	# the fewer seconds of two runs each: a busy machine only adds time
	timed_up plain1 && timed_up plain2 &&
	test "$(sb_op_calls)" = 4 &&
	OP_FAKE_DELAY=1 timed_up delayed1 &&
	op --fake-put Private t61-dev db_password=rotated-value jwt_secret=jwt-value &&
	calls=$(sb_op_calls) &&
	OP_FAKE_DELAY=1 timed_up delayed2 &&
	test "$(sb_op_calls)" = $((calls + 1)) &&
	plain=$(cat plain1 plain2 | sort -n | head -n 1) &&
	delayed=$(cat delayed1 delayed2 | sort -n | head -n 1) &&
	echo "up besides compose: $plain s, with op taking 1 s more: $delayed s" &&
	# an op waited for before compose, or after it, would add its second
	awk "BEGIN { exit !($delayed - $plain < 0.5) }" &&
	# compose took longer than op: up did not wait for it at the end
	sed -n "s/^timing: recheck \([0-9]*\)\..* ms$/\1/p" err >waited &&
	test "$(cat waited)" -lt 500 &&
	test_grep "Loaded from the cache" err &&
	tail -n 1 out >last &&
	echo "DB_PASSWORD changed in 1Password: the next '\''git sandbox up'\'' applies it (after '\''git sandbox down --volumes'\'' for a database that keeps it)" >expect &&
	test_cmp expect last &&
	# this stack started with the cached value
	hash_of first-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'the cache has the new value, fresh; the next up applies it and warns about volumes' '
	calls=$(sb_op_calls) &&
	in_sb git sandbox secrets status >out &&
	test_grep "^age      [0-9]*s (fresh;" out &&
	in_sb git sandbox up >out 2>err &&
	test "$(sb_op_calls)" = $calls &&
	test_grep "Loaded from the cache" err &&
	test_grep "warning: secret .db_password. changed since the last up; .*down --volumes" err &&
	hash_of rotated-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'a recheck that cannot reach op warns, and the stack runs' '
	: >op/signed-out &&
	test_when_finished "rm -f op/signed-out" &&
	in_sb git -c secrets.recheck=0s sandbox up >out 2>err &&
	test_grep "warning: could not ask 1Password whether the cached secrets changed: 1Password CLI is not signed in" err &&
	test_grep ! "changed in 1Password" out &&
	hash_of rotated-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'offline, signed out: an expired cache younger than maxAge is used with a warning' '
	: >op/signed-out &&
	test_when_finished "rm -f op/signed-out" &&
	in_sb git sandbox down >/dev/null 2>&1 &&
	in_sb git -c secrets.ttl=0s sandbox up >out 2>err &&
	test_grep "^warning: 1Password CLI is not signed in: run .op signin. (or set OP_SERVICE_ACCOUNT_TOKEN); using the secrets cached [0-9]*[smh] ago (older than secrets.ttl, 0s, and younger than secrets.maxAge, 7d)$" err &&
	test_grep "Loaded from the cache, fetched" err &&
	test_grep "Sandbox .one. is up" out &&
	hash_of rotated-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'offline, servers out of reach: the same' '
	: >op/offline &&
	test_when_finished "rm -f op/offline" &&
	in_sb git -c secrets.ttl=0s sandbox up >out 2>err &&
	test_grep "^warning: 1Password cannot be reached: .*no such host; using the secrets cached" err &&
	test_grep "Sandbox .one. is up" out
'

test_expect_success 'offline with a cache older than maxAge: up refuses and starts nothing' '
	: >op/signed-out &&
	test_when_finished "rm -f op/signed-out" &&
	in_sb git sandbox down >/dev/null 2>&1 &&
	in_sb test_expect_code 128 git -c secrets.ttl=0s -c secrets.maxAge=0s sandbox up >out 2>err &&
	test_grep "^error: 1Password CLI is not signed in: .*; the secrets cached [0-9]*[smh] ago are older than secrets.maxAge (0s)$" err &&
	test_grep "^hint: or start it with each secret.s default: .git sandbox up --no-secrets." err &&
	docker ps -aq --filter label=com.docker.compose.project=t61-one >left &&
	test_must_be_empty left
'

test_expect_success 'exec gives no secrets by default; exec --secrets gives them to the command only' '
	in_sb git sandbox up >/dev/null 2>&1 &&
	in_sb git sandbox exec -- sh -c "echo \"db=\${DB_PASSWORD-unset} jwt=\${JWT_SECRET-unset} api=\$API_PORT\"" >out &&
	echo "db=unset jwt=unset api=$port" >expect &&
	test_cmp expect out &&
	in_sb git sandbox exec --secrets -- sh -c "echo \"db=\$DB_PASSWORD jwt=\$JWT_SECRET api=\$API_PORT\"" >out 2>err &&
	echo "db=rotated-value jwt=jwt-value api=$port" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	# nothing left in a file
	! grep -rlF rotated-value t61--one t61/.git >found &&
	test_must_be_empty found
'

test_expect_success 'exec --secrets: a project file not trusted does not choose the item' '
	(cd t61 && git sandbox trust --revoke >/dev/null) &&
	test_when_finished "(cd t61 && git sandbox trust >/dev/null)" &&
	calls=$(sb_op_calls) &&
	in_sb test_expect_code 128 git sandbox exec --secrets -- true 2>err &&
	test_grep "chooses which secrets of the 1Password item .t61-dev." err &&
	test "$(sb_op_calls)" = $calls
'

test_expect_success 'from 1Password to --no-secrets: the rotation warning fires; status says defaults; exec --secrets gives them' '
	in_sb git sandbox down >/dev/null 2>&1 &&
	in_sb git sandbox up --no-secrets >out 2>err &&
	test_grep -Fx "Loaded the defaults (--no-secrets): DB_PASSWORD; no default, left unset: JWT_SECRET" err &&
	test_grep "warning: secret .db_password. changed since the last up (1Password.s then, the default now); .*down --volumes" err &&
	test_grep "warning: secret .jwt_secret. changed since the last up (1Password.s then, the default now)" err &&
	in_sb git sandbox status >out &&
	test_grep "^secrets  t61-dev: the stack has the defaults (up --no-secrets) (DB_PASSWORD, JWT_SECRET)$" out &&
	in_sb git sandbox status --json >json &&
	test_grep "\"secrets\":{\"source\":\"defaults\",\"age_seconds\":null," json &&
	in_sb git sandbox exec --secrets -- sh -c "echo \"db=\$DB_PASSWORD jwt=\${JWT_SECRET-unset}\"" >out 2>err &&
	echo "db=localdev jwt=unset" >expect &&
	test_cmp expect out &&
	test_grep "the command gets the defaults" err
'

test_expect_success 'and back: from --no-secrets to 1Password fires it too' '
	in_sb git sandbox up --no-secrets >out 2>err &&
	test_grep ! "changed since the last up" err &&
	in_sb git sandbox up >out 2>err &&
	test_grep "warning: secret .db_password. changed since the last up (the default then, 1Password.s now)" err &&
	hash_of rotated-value >expect && served_hash >actual && test_cmp expect actual
'

test_expect_success 'from --no-secrets without a key (a machine that never fetched) to 1Password: still said' '
	in_sb git sandbox up --no-secrets >/dev/null 2>&1 &&
	mv .config/git-sandbox/key key.saved &&
	in_sb git sandbox up --no-secrets >out 2>err &&
	test_path_is_missing .config/git-sandbox/key &&
	in_sb git sandbox up >out 2>err &&
	test_grep "warning: secret .db_password. changed since the last up (the default then, 1Password.s now)" err
'

test_expect_success 'status of a stopped stack: no source, what the cache holds' '
	in_sb git sandbox down >/dev/null 2>&1 &&
	in_sb git sandbox status >out &&
	test_grep "^secrets  t61-dev: cached [0-9]*[sm] ago (DB_PASSWORD, JWT_SECRET)$" out &&
	in_sb git sandbox status --json >json &&
	test_grep "\"secrets\":{\"source\":null,\"age_seconds\":null," json
'

test_expect_success 'cleanup' '
	(cd t61 && git sandbox destroy --force one >/dev/null) &&
	docker rmi $IMAGE >/dev/null
'

test_done
