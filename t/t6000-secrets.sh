#!/bin/sh

test_description='secrets: one op call, an encrypted cache, rotation, --no-secrets'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t6000:latest
api=$(sb_port 8000)
VALUE='s3cr3t-Value-9f8e7d'

# an `op` on PATH: the stand-in for the 1Password CLI
sb_fake_op

stack_containers () {
	docker ps -aq --filter "label=com.docker.compose.project=$1"
}

test_expect_success 'setup: an item in 1Password, a project whose api shows a hash of the secret' '
	docker info >/dev/null &&
	sb_build_image $IMAGE &&
	op --fake-put Private t6k-dev db_password="$VALUE" jwt_secret=jwt-value-123 &&
	sb_secrets_project t6k $IMAGE $api 1h &&
	(cd t6k && git sandbox create one >/dev/null)
'

test_expect_success 'until the project file is trusted, up hands no item to the stack' '
	(cd t6k--one && test_expect_code 128 git sandbox up >../out 2>../err) &&
	test "$(sb_op_calls)" = 0 &&
	test_grep "chooses which secrets of the 1Password item .t6k-dev." err &&
	test_grep "git sandbox trust" err &&
	test_grep "up --no-secrets" err &&
	test -z "$(stack_containers t6k-one)" &&
	(cd t6k--one && test_expect_code 128 git sandbox secrets refresh 2>../err) &&
	test "$(sb_op_calls)" = 0 &&
	(cd t6k && git sandbox trust >/dev/null)
'

test_expect_success 'the first up makes one op call and the container sees the secret' '
	(cd t6k--one && git sandbox up >../out 2>../err) &&
	test "$(sb_op_calls)" = 1 &&
	grep "item get t6k-dev" "$OP_FAKE_LOG" &&
	printf %s "$VALUE" | sha256sum | cut -d" " -f1 >expect &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	test_cmp expect actual
'

test_expect_success 'the next up calls op not at all' '
	(cd t6k--one && git sandbox up >/dev/null 2>&1) &&
	test "$(sb_op_calls)" = 1
'

test_expect_success 'key and cache are 0600, the key directory 0700' '
	test "$(stat -c %a .config/git-sandbox/key)" = 600 &&
	test "$(stat -c %a .config/git-sandbox)" = 700 &&
	for f in .cache/git-sandbox/secrets-*; do test "$(stat -c %a "$f")" = 600 || return 1; done
'

test_expect_success 'no file under HOME, the repository or the worktree holds the value' '
	! grep -rlF "$VALUE" "$HOME" --exclude-dir=op --exclude=op.log >found 2>/dev/null &&
	test_must_be_empty found
'

test_expect_success 'the value is never on a command line during up' '
	printf "%s\n" "$VALUE" >value &&
	: >seen || return 1
	# only the up goes to the background, not the list before it
	(cd t6k--one && OP_FAKE_DELAY=1 git sandbox up --refresh-secrets >/dev/null 2>&1) &
	pid=$! &&
	polls=0 &&
	while kill -0 $pid 2>/dev/null
	do
		# one line per process; the pattern comes from a file, so grep
		# does not find itself
		for f in /proc/[0-9]*/cmdline
		do
			tr "\0" " " <"$f" 2>/dev/null; echo
		done | grep -F -f value >>seen
		polls=$((polls + 1))
	done &&
	wait $pid &&
	test $polls -gt 0 &&
	test_must_be_empty seen &&
	test "$(sb_op_calls)" = 2
'

test_expect_success 'status and secrets status show names and where the stack has them from, never values' '
	(cd t6k--one && git sandbox status >../out && git sandbox status --json >../json &&
	 git sandbox secrets status >../sec) &&
	test_grep "^secrets  t6k-dev: the stack has them from 1Password, fetched [0-9]*s ago (DB_PASSWORD, JWT_SECRET)$" out &&
	test_grep "\"secrets\":{\"source\":\"1password\",\"age_seconds\":[0-9]*,\"names\":\[\"DB_PASSWORD\",\"JWT_SECRET\"\]}" json &&
	test_grep "db_password cached" sec &&
	! grep -F "$VALUE" out json sec
'

test_expect_success 'ttl expiry makes one call' '
	(cd t6k--one && git -c secrets.ttl=0s sandbox up >/dev/null 2>&1) &&
	test "$(sb_op_calls)" = 3
'

test_expect_success 'a tampered cache is ignored with a warning and fetched anew' '
	f=$(ls .cache/git-sandbox/secrets-*) &&
	size=$(stat -c %s "$f") &&
	# flip a byte: one set to a fixed value is already that value once in 256 runs
	b=$(od -An -tu1 -j $((size - 5)) -N1 "$f" | tr -d " ") &&
	printf "\\$(printf %o $(((b + 1) % 256)))" | dd of="$f" bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null &&
	test "$(od -An -tu1 -j $((size - 5)) -N1 "$f" | tr -d " ")" != "$b" &&
	(cd t6k--one && git sandbox up >/dev/null 2>../err) &&
	test_grep "warning: ignoring the secrets cache" err &&
	test "$(sb_op_calls)" = 4
'

test_expect_success 'a truncated cache is ignored with a warning and fetched anew' '
	f=$(ls .cache/git-sandbox/secrets-*) &&
	head -c 20 "$f" >"$f.cut" && mv "$f.cut" "$f" && chmod 600 "$f" &&
	(cd t6k--one && git sandbox up >/dev/null 2>../err) &&
	test_grep "warning: ignoring the secrets cache" err &&
	test "$(sb_op_calls)" = 5
'

test_expect_success 'a cache made with another key is ignored with a warning and fetched anew' '
	mv .config/git-sandbox/key key.old &&
	(cd t6k--one && git sandbox up >/dev/null 2>../err) &&
	test_grep "warning: ignoring the secrets cache" err &&
	test "$(sb_op_calls)" = 6
'

test_expect_success 'rotation: refresh fetches the new value, and up warns about volumes' '
	op --fake-put Private t6k-dev db_password=rotated-value jwt_secret=jwt-value-123 &&
	(cd t6k--one && git sandbox down >/dev/null 2>&1 && git sandbox up --refresh-secrets >/dev/null 2>../err) &&
	test "$(sb_op_calls)" = 7 &&
	test_grep "secret .db_password. changed since the last up" err &&
	test_grep "down --volumes" err &&
	printf %s rotated-value | sha256sum | cut -d" " -f1 >expect &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	test_cmp expect actual
'

test_expect_success 'a cache from before the rotation, put back, is refused and fetched anew' '
	f=$(ls .cache/git-sandbox/secrets-*) &&
	cp -p "$f" cache.rotated &&
	op --fake-put Private t6k-dev db_password=rotated-again jwt_secret=jwt-value-123 &&
	(cd t6k--one && git sandbox secrets refresh >/dev/null 2>&1) &&
	test "$(sb_op_calls)" = 8 &&
	cp -p cache.rotated "$f" &&
	(cd t6k--one && git sandbox secrets status >../sec 2>&1) &&
	test_grep "not the one last fetched" sec &&
	(cd t6k--one && git sandbox down >/dev/null 2>&1 && git sandbox up >/dev/null 2>../err) &&
	test_grep "ignoring the secrets cache .*not the one last fetched" err &&
	test "$(sb_op_calls)" = 9 &&
	printf %s rotated-again | sha256sum | cut -d" " -f1 >expect &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	test_cmp expect actual
'

test_expect_success 'secrets refresh and clear' '
	(cd t6k--one && git sandbox secrets refresh >../out 2>&1) &&
	test_grep "Fetched 2 secrets" out &&
	test "$(sb_op_calls)" = 10 &&
	(cd t6k--one && git sandbox secrets clear >../out) &&
	test_grep "Removed the secrets cache" out &&
	! ls .cache/git-sandbox/secrets-* 2>/dev/null
'

test_expect_success 'a key readable by others is refused with the chmod to run' '
	chmod 644 .config/git-sandbox/key &&
	(cd t6k--one && test_must_fail git sandbox up 2>../err) &&
	test_grep "chmod 600" err &&
	chmod 600 .config/git-sandbox/key
'

test_expect_success '--no-secrets uses the defaults, says so, and never calls op' '
	(cd t6k--one && git sandbox down >/dev/null 2>&1 && git sandbox up --no-secrets >/dev/null 2>../err) &&
	test "$(sb_op_calls)" = 10 &&
	test_grep "no-secrets" err &&
	printf %s localdev | sha256sum | cut -d" " -f1 >expect &&
	curl -sf localhost:$(($api + 1))/ >actual &&
	test_cmp expect actual &&
	(cd t6k--one && git sandbox down >/dev/null 2>&1)
'

test_expect_success 'signed out: says op signin, starts nothing' '
	: >op/signed-out &&
	(cd t6k--one && test_expect_code 128 git sandbox up --refresh-secrets 2>../err) &&
	rm op/signed-out &&
	test_grep "op signin" err &&
	stack_containers t6k-one >left && test_must_be_empty left
'

test_expect_success 'a missing item: says to fix .gitsandbox, starts nothing' '
	(cd t6k--one && test_expect_code 128 git -c secrets.item=nope sandbox up 2>../err) &&
	test_grep "nope" err && test_grep "no-secrets" err &&
	stack_containers t6k-one >left && test_must_be_empty left
'

test_expect_success 'a missing field: names it, starts nothing' '
	(cd t6k--one && test_expect_code 128 git -c secret.api_key.var=API_KEY sandbox up --refresh-secrets 2>../err) &&
	test_grep "api_key" err &&
	stack_containers t6k-one >left && test_must_be_empty left
'

test_expect_success 'op not installed: says so, starts nothing' '
	(cd t6k--one && PATH="$GIT_SANDBOX_PREFIX/bin:/usr/local/bin:/usr/bin:/bin" &&
	 test_expect_code 128 git sandbox up --refresh-secrets 2>../err) &&
	test_grep "not installed" err &&
	stack_containers t6k-one >left && test_must_be_empty left
'

test_expect_success 'cleanup' '
	(cd t6k && git sandbox destroy --force one >/dev/null) &&
	docker rmi $IMAGE >/dev/null
'

test_done
