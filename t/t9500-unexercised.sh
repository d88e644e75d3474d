#!/bin/sh

test_description='refusals no other script reaches: a taken name or compose project, a secrets key or cache that is not ours, doctor'"'"'s checks, status when the registry and the state disagree'

. ./test-lib.sh

# No test here needs a Docker engine: every command runs under sb_no_docker,
# but those that ask one (up, doctor), which run under with_engine and get a
# stand-in that has no containers, volumes or networks: an Engine API
# server on 127.0.0.1 and a port of this script's (busybox nc, a process a
# request), and a `docker`, first on PATH, whose compose does nothing. A
# call either does not expect is answered with an error, logged, and makes
# with_engine fail.
mkdir -p "$HOME/engine"
engine_port=$(sb_port 8910)
engine_log=$HOME/engine/unexpected.log

# the server: one request on stdin (HTTP/1.1, CR LF), its answer on stdout
write_script "$HOME/engine/engine-api" <<\EOF
cr=$(printf "\r")
answer () {
	printf "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s" \
		"$1" "${#2}" "$2"
}
unexpected () {
	printf "%s\n" "$line" >>"$HOME/engine/unexpected.log"
	echo "fake engine: unexpected call: $line" >&2
	answer "500 Internal Server Error" \
		"{\"message\":\"fake engine: unexpected call: $(printf "%s" "$line" | tr -d "\"\\\\")\"}"
	exit 0
}
IFS= read -r line || exit 0
line=${line%"$cr"}
len=0
while IFS= read -r h
do
	h=${h%"$cr"}
	test -z "$h" && break
	case "$h" in
	[Cc]ontent-[Ll]ength:*) len=${h#*:} && len=${len# } ;;
	esac
done
case "$len" in
""|*[!0-9]*) unexpected ;;
esac
body=
test "$len" = 0 || body=$(dd bs=1 count="$len" 2>/dev/null)
case "$line" in
"GET /containers/json?"*" HTTP/1.1")
	answer "200 OK" "[]" ;;
"GET /volumes?"*" HTTP/1.1")
	answer "200 OK" '{"Volumes":[]}' ;;
"GET /networks?"*" HTTP/1.1"|"GET /networks HTTP/1.1")
	answer "200 OK" "[]" ;;
"POST /volumes/create HTTP/1.1")
	# the lease of a project name: the first creator's labels stay
	name=$(printf "%s\n" "$body" | sed -n 's/^{"Name":"\([A-Za-z0-9][A-Za-z0-9_.-]*\)",.*/\1/p')
	test -n "$name" || unexpected
	printf "%s" "$body" | sed -e 's/^{/{"CreatedAt":"now",/' >"$HOME/engine/new.$$" &&
	{ ln "$HOME/engine/new.$$" "$HOME/engine/vol.$name" 2>/dev/null; rm -f "$HOME/engine/new.$$"; } &&
	answer "201 Created" "$(cat "$HOME/engine/vol.$name")" ;;
"GET /volumes/"*" HTTP/1.1")
	name=${line#"GET /volumes/"} && name=${name%" HTTP/1.1"}
	case "$name" in
	""|[!A-Za-z0-9]*|*[!A-Za-z0-9_.-]*) unexpected ;;
	esac
	if test -f "$HOME/engine/vol.$name"
	then
		answer "200 OK" "$(cat "$HOME/engine/vol.$name")"
	else
		answer "404 Not Found" "{\"message\":\"get $name: no such volume\"}"
	fi ;;
*)
	unexpected ;;
esac
EOF

# compose is still a program, run as `docker compose`
write_script "$HOME/engine/docker" <<\EOF
case "$1 $2" in
"compose version") echo "Docker Compose version v2.0.0-fake"; exit 0 ;;
"compose -p")
	# the lint's look at the file (a first up) answers an empty model
	case "$*" in
	*" config") echo "$*" >>"$HOME/compose-config.log"; exit 0 ;;
	esac
	echo "$*" >>"$HOME/compose.log"; exit 0 ;;
esac
echo "docker $*" >>"$HOME/engine/unexpected.log"
echo "fake docker: unexpected call: docker $*" >&2
exit 1
EOF

# engine_up: start the stand-in engine for the rest of this test (once),
# on 127.0.0.1:$engine_port; it is stopped when the test ends. Its
# complaints, and with_engine's (fd 9), go to the test's output.
engine_pid=
engine_up () {
	if test -n "$engine_pid"
	then
		case "$test_holders_ " in
		*" $engine_pid "*) return 0 ;;
		esac
	fi
	: >"$engine_log" || return 1
	exec 9>&2
	busybox nc -ll -p "$engine_port" 127.0.0.1 -e "$HOME/engine/engine-api" \
		</dev/null >/dev/null 9>&- &
	engine_pid=$!
	test_holders_="$test_holders_ $engine_pid"
	test_when_finished test_stop_holders_
	i_=0
	while ! ss -Hltnp "sport = :$engine_port" 2>/dev/null | grep -q "pid=$engine_pid,"
	do
		i_=$((i_ + 1))
		if test $i_ -gt 50 || ! kill -0 "$engine_pid" 2>/dev/null
		then
			echo "engine_up: the stand-in engine does not listen on port $engine_port" >&2
			return 1
		fi
		sleep 0.1
	done
}

# with_engine <command>...: run it with the stand-in engine (engine_up
# first); fails if either part of the stand-in was called unexpectedly
with_engine () (
	if test -z "$engine_pid" || ! kill -0 "$engine_pid" 2>/dev/null
	then
		echo "with_engine: the stand-in engine is not running (engine_up)" >&2
		exit 1
	fi
	PATH="$HOME/engine:$PATH" &&
	DOCKER_HOST=tcp://127.0.0.1:$engine_port &&
	GIT_SANDBOX_ENGINE=$DOCKER_HOST &&
	export PATH DOCKER_HOST GIT_SANDBOX_ENGINE &&
	unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH &&
	"$@" 9>&-
	rc_=$?
	if test -s "$engine_log"
	then
		echo "with_engine: unexpected calls to the stand-in engine:" &&
		cat "$engine_log"
	fi >&9
	test -s "$engine_log" && exit 125
	exit $rc_
)

# an `op` on PATH: the stand-in for the 1Password CLI
sb_fake_op

compose_calls () {
	if test -f "$HOME/compose.log"; then wc -l <"$HOME/compose.log" | tr -d " "; else echo 0; fi
}

# snapshot <file>: what a refused create or init leaves alone, in the
# project and in its clone
snapshot () {
	sb_snapshot t95 "$1" &&
	sb_snapshot other/t95 "$1.other" &&
	cat "$1.other" >>"$1" &&
	rm "$1.other"
}

test_expect_success 'setup: a project, its sandbox x, a sandbox far made by init, a clone' '
	git init -q -b main t95 &&
	cat >t95/.gitsandbox <<-EOF &&
	[sandbox]
		project = t95
		slots = 5
	[port "api"]
		var = T95_API_PORT
		base = $(sb_port 8900)
	EOF
	printf "services:\n  app:\n    image: none\n" >t95/docker-compose.sandbox.yml &&
	git -C t95 add . &&
	git -C t95 commit -q -m project &&
	(cd t95 && sb_no_docker git sandbox create x >/dev/null) &&
	git -C t95 worktree add -q ../elsewhere -b far-branch &&
	(cd elsewhere && sb_no_docker git sandbox init --name far >/dev/null) &&
	mkdir other &&
	git clone -q t95 other/t95 &&
	pwd -P >root &&
	sb_reg_entries >entries &&
	cat >expect <<-EOF &&
	1 x $(pwd -P)/t95--x
	2 far $(pwd -P)/elsewhere
	EOF
	cut -d" " -f1-3 entries >actual &&
	test_cmp expect actual
'

root=$(cat root 2>/dev/null)

# --- create and init: a name or a compose project already taken ----------

test_expect_success 'create: a taken name, past the branch check, is refused naming its worktree' '
	git -C t95 branch spare &&
	test_when_finished "git -C t95 branch -D spare" &&
	snapshot before &&
	(cd t95 && test_expect_code 128 sb_no_docker git sandbox create x -b spare 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' already exists at '\''$root/t95--x'\''; work there (cd '\''$root/t95--x'\''), remove it first with '\''git sandbox destroy x'\'', or choose another name" err &&
	(cd t95 && test_expect_code 128 sb_no_docker git sandbox create x -b brand-new 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' already exists at '\''$root/t95--x'\''; work there (cd '\''$root/t95--x'\''), remove it first with '\''git sandbox destroy x'\'', or choose another name" err &&
	snapshot after &&
	test_cmp before after &&
	test_must_fail git -C t95 rev-parse -q --verify refs/heads/brand-new
'

test_expect_success 'create: a name registered for a worktree elsewhere is refused, nothing made' '
	snapshot before &&
	(cd t95 && test_expect_code 128 sb_no_docker git sandbox create far 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''far'\'' already exists at '\''$root/elsewhere'\''; work there (cd '\''$root/elsewhere'\''), remove it first with '\''git sandbox destroy far'\'', or choose another name" err &&
	test_path_is_missing t95--far &&
	test_must_fail git -C t95 rev-parse -q --verify refs/heads/far &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'create: a name whose compose project is taken is refused, nothing made' '
	snapshot before &&
	(cd t95 && test_expect_code 128 sb_no_docker git sandbox create X 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' ($root/t95--x) already uses the compose project '\''t95-x'\''; choose another name" err &&
	test_path_is_missing t95--X &&
	test_must_fail git -C t95 rev-parse -q --verify refs/heads/X &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'create: the same name in a second clone of the project is refused, nothing made' '
	snapshot before &&
	(cd other/t95 && test_expect_code 128 sb_no_docker git sandbox create x 2>../../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' ($root/t95--x) already uses the compose project '\''t95-x'\''; choose another name" err &&
	test_path_is_missing other/t95--x &&
	test_must_fail git -C other/t95 rev-parse -q --verify refs/heads/x &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'init: a taken name is refused naming its worktree, nothing made' '
	git -C t95 worktree add -q ../hand -b hand &&
	state=$(git -C hand rev-parse --absolute-git-dir)/config &&
	cp t95/.git/info/exclude exclude.before &&
	snapshot before &&
	(cd hand && test_expect_code 128 sb_no_docker git sandbox init --name x 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' already exists at '\''$root/t95--x'\''; choose another with --name <name>" err &&
	(cd hand && test_expect_code 128 sb_no_docker git sandbox init --name far 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''far'\'' already exists at '\''$root/elsewhere'\''; choose another with --name <name>" err &&
	test_path_is_missing "$state" &&
	test_path_is_missing hand/.env.sandbox &&
	test_cmp exclude.before t95/.git/info/exclude &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'init: a name whose compose project is taken is refused, here or in a clone' '
	state=$(git -C hand rev-parse --absolute-git-dir)/config &&
	snapshot before &&
	(cd hand && test_expect_code 128 sb_no_docker git sandbox init --name X 2>../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' ($root/t95--x) already uses the compose project '\''t95-x'\''; choose another with --name <name>" err &&
	test_path_is_missing "$state" &&
	test_path_is_missing hand/.env.sandbox &&
	(cd other/t95 && test_expect_code 128 sb_no_docker git sandbox init --name x 2>../../err) &&
	test_grep -Fx "fatal: sandbox '\''x'\'' ($root/t95--x) already uses the compose project '\''t95-x'\''; choose another with --name <name>" err &&
	test_path_is_missing other/t95/.env.sandbox &&
	snapshot after &&
	test_cmp before after
'

# --- secrets: a key or a cache that is not ours ----------------------------

key=$HOME/.config/git-sandbox/key

# up_x: git sandbox up in t95--x through the stand-in engine; out, err
up_x () {
	engine_up &&
	(cd t95--x && with_engine timeout 20 git sandbox up --no-wait >../out 2>../err)
}

# secrets_status: git sandbox secrets status of t95--x into sec
secrets_status () {
	(cd t95--x && sb_no_docker git sandbox secrets status >../sec)
}

test_expect_success 'setup: an item in 1Password, fetched once by up' '
	op --fake-put Private t95-dev db_password=v1 &&
	git -C t95 config secrets.item t95-dev &&
	git -C t95 config secrets.vault Private &&
	git -C t95 config secret.db_password.var DB_PASSWORD &&
	up_x &&
	test_grep -Fx "Sandbox '\''x'\'' is up (slot 1, project t95-x)" out &&
	test "$(sb_op_calls)" = 1 &&
	test "$(compose_calls)" = 1 &&
	test_line_count = 1 compose-config.log &&
	secrets_status &&
	sed -n "s/^cache *//p" sec >cache.path &&
	test_path_is_file "$(cat cache.path)" &&
	test_path_is_file "$key" &&
	up_x &&
	test "$(sb_op_calls)" = 1
'

cache=$(cat cache.path 2>/dev/null)

# refused_key <why>: refresh and up fail naming the key and why; op is
# not asked, compose not run, the cache left as it was; status says why
refused_key () {
	calls=$(sb_op_calls) && composed=$(compose_calls) &&
	engine_up &&
	cp "$cache" cache.before &&
	(cd t95--x && test_expect_code 128 sb_no_docker git sandbox secrets refresh >../out 2>../err) &&
	test_grep -Fx "error: the secrets key '$key' $1" err &&
	(cd t95--x && test_expect_code 128 with_engine timeout 20 git sandbox up --no-wait >../out 2>../err) &&
	test_grep -Fx "error: the secrets key '$key' $1" err &&
	test "$(sb_op_calls)" = "$calls" &&
	test "$(compose_calls)" = "$composed" &&
	test_cmp cache.before "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (the secrets key '$key' $1): the next 'git sandbox up' asks 1Password" sec
}

test_expect_success 'a secrets key not owned by you is refused: remove it' '
	test_when_finished "chown $(id -u) \"$key\"" &&
	chown 12345 "$key" &&
	refused_key "is not owned by you; remove it" &&
	test "$(stat -c %u "$key")" = 12345
'

test_expect_success 'a secrets key that is a symbolic link, even to a good key, is refused' '
	test_when_finished "rm -f \"$key\" && mv key.good \"$key\"" &&
	mv "$key" key.good &&
	ln -s "$HOME/key.good" "$key" &&
	refused_key "is a symbolic link; refusing to use it" &&
	test -L "$key"
'

test_expect_success 'a secrets key that is a FIFO is refused at once' '
	test_when_finished "rm -f \"$key\" && mv key.good \"$key\"" &&
	mv "$key" key.good &&
	mkfifo -m 600 "$key" &&
	refused_key "is not a regular file" &&
	test -p "$key"
'

# ignored_cache <why>: up warns that it ignores the cache and why, asks op
# once, and starts the stack
ignored_cache () {
	calls=$(sb_op_calls) &&
	up_x &&
	test_grep -Fx "warning: ignoring the secrets cache '$cache': $1" err &&
	test_grep -Fx "fetching secrets from 1Password item 't95-dev'" err &&
	test_grep -Fx "Sandbox 'x' is up (slot 1, project t95-x)" out &&
	test "$(sb_op_calls)" = $((calls + 1)) &&
	tail -n 1 "$OP_FAKE_LOG" >last &&
	test_grep -x "op item get t95-dev --vault Private --format json" last
}

test_expect_success 'a secrets cache not owned by you is ignored, fetched anew and replaced by ours' '
	chown 12345 "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (it is not owned by you): the next '\''git sandbox up'\'' asks 1Password" sec &&
	ignored_cache "it is not owned by you" &&
	test "$(stat -c %u "$cache")" = "$(id -u)" &&
	test "$(stat -c %a "$cache")" = 600 &&
	secrets_status &&
	test_grep "^age      [0-9]*s (fresh; recheck 1h, ttl 12h, maxAge 7d)$" sec &&
	calls=$(sb_op_calls) &&
	up_x &&
	test "$(sb_op_calls)" = "$calls"
'

test_expect_success 'a secrets cache that is a symbolic link is not followed, read or written through' '
	test_when_finished "rm -f \"$cache\" && mv cache.good \"$cache\"" &&
	mv "$cache" cache.good &&
	cp -p cache.good cache.copy &&
	ln -s "$HOME/cache.good" "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (it is a symbolic link): the next '\''git sandbox up'\'' asks 1Password" sec &&
	ignored_cache "it is a symbolic link" &&
	test_grep -Fx "error: '\''$cache'\'' is not a regular file; refusing to replace it" err &&
	test_grep -Fx "warning: the secrets are not cached; the next run will ask 1Password again" err &&
	test -L "$cache" &&
	test_cmp cache.copy cache.good &&
	ignored_cache "it is a symbolic link"
'

test_expect_success 'a secrets cache that is a FIFO or a directory is ignored at once, fetched anew' '
	test_when_finished "rm -rf \"$cache\" && mv cache.good \"$cache\"" &&
	mv "$cache" cache.good &&
	mkfifo -m 600 "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (it is not a regular file): the next '\''git sandbox up'\'' asks 1Password" sec &&
	ignored_cache "it is not a regular file" &&
	test -p "$cache" &&
	rm "$cache" &&
	mkdir -m 700 "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (it is not a regular file): the next '\''git sandbox up'\'' asks 1Password" sec &&
	ignored_cache "it is not a regular file" &&
	test_grep -Fx "warning: the secrets are not cached; the next run will ask 1Password again" err &&
	test_path_is_dir "$cache"
'

test_expect_success 'a secrets cache over 1 MiB is not read, fetched anew; one of exactly 1 MiB is read' '
	truncate -s 1048577 "$cache" &&
	secrets_status &&
	test_grep -Fx "age      unusable (it is larger than 1048576 bytes): the next '\''git sandbox up'\'' asks 1Password" sec &&
	ignored_cache "it is larger than 1048576 bytes" &&
	test $(stat -c %s "$cache") -lt 1024 &&
	truncate -s 1048576 "$cache" &&
	secrets_status &&
	test_grep "^age      unusable (it does not authenticate " sec &&
	ignored_cache "it does not authenticate (damaged, or written with another key or for another item)"
'

# --- doctor ---------------------------------------------------------------

# doctor <exit code>: git sandbox doctor in t95 with the stand-in engine; out, err
doctor () {
	engine_up &&
	(cd t95 && test_expect_code "$1" with_engine timeout 20 git sandbox doctor >../out 2>../err)
}

test_expect_success 'doctor: everything in order here, exit 0' '
	doctor 0 &&
	test_grep -Fx "ok    Docker engine reachable: tcp://127.0.0.1:$engine_port" out &&
	test_grep -Fx "ok    secrets key '\''$key'\'' is private (0600)" out &&
	test_grep -Fx "ok    registry '\''$(sb_registry)'\'': 2 sandboxes" out &&
	test_grep -Fx "0 problems, 0 warnings" out
'

test_expect_success 'doctor: a port of a sandbox held by another process is a warning with its fix, exit 0' '
	port=$(sb_port 8901) &&
	test_hold_port $port &&
	holder=${test_holders_##* } &&
	doctor 0 &&
	test_grep -x "warn  sandbox '\''x'\'': port $port (api) is held by process $holder (busybox)" out &&
	test_grep -Fx "      fix: stop what holds it (ss -ltnp shows a process), or give the sandbox other ports: destroy and create it again" out &&
	test_grep ! "sandbox '\''far'\''" out &&
	test_grep -Fx "0 problems, 1 warning" out
'

test_expect_success 'doctor: a secrets cache readable by others fails with the chmod, exit 1' '
	test_when_finished "chmod 600 \"$cache\"" &&
	for mode in 640 604
	do
		chmod $mode "$cache" &&
		doctor 1 &&
		test_grep -Fx "fail  secrets cache '\''$cache'\'' can be read by others" out &&
		test_grep -Fx "      fix: chmod 600 '\''$cache'\''" out &&
		test_grep -Fx "1 problem, 0 warnings" out || return 1
	done &&
	chmod 600 "$cache" &&
	doctor 0 &&
	test_grep ! "secrets cache" out
'

test_expect_success 'doctor: a secrets key readable by others fails with the chmod and its mode, exit 1' '
	test_when_finished "chmod 600 \"$key\"" &&
	chmod 640 "$key" &&
	doctor 1 &&
	test_grep -Fx "fail  secrets key '\''$key'\'' can be read by others (mode 640)" out &&
	test_grep -Fx "      fix: chmod 600 '\''$key'\''" out &&
	test_grep -Fx "1 problem, 0 warnings" out
'

test_expect_success 'doctor: a secrets key that is not a regular file fails: remove it, exit 1' '
	test_when_finished "rm -f \"$key\" && mv key.good \"$key\"" &&
	mv "$key" key.good &&
	ln -s "$HOME/key.good" "$key" &&
	doctor 1 &&
	test_grep -Fx "fail  secrets key '\''$key'\'' is not a regular file" out &&
	test_grep -Fx "      fix: remove it; a new key is made on the next fetch" out &&
	rm "$key" &&
	mkfifo -m 600 "$key" &&
	doctor 1 &&
	test_grep -Fx "fail  secrets key '\''$key'\'' is not a regular file" out
'

test_expect_success 'doctor: a secrets key not owned by you fails as up does: remove it, exit 1' '
	test_when_finished "chown $(id -u) \"$key\"" &&
	chown 12345 "$key" &&
	doctor 1 &&
	test_grep -Fx "fail  secrets key '\''$key'\'' is not owned by you" out &&
	test_grep -Fx "      fix: remove it; a new key is made on the next fetch" out &&
	test_grep ! "is private" out &&
	test_grep -Fx "1 problem, 0 warnings" out &&
	test "$(stat -c %u "$key")" = 12345
'

# odd_cache <what>: doctor warns that up ignores the cache, says to remove it
# (not to chmod it), exit 0
odd_cache () {
	doctor 0 &&
	test_grep -Fx "warn  secrets cache '$cache' $1; up ignores it" out &&
	test_grep -Fx "      fix: remove it; the next 'git sandbox up' fetches the secrets again" out &&
	test_grep ! "chmod 600 '$cache'" out &&
	test_grep -Fx "0 problems, 1 warning" out
}

test_expect_success 'doctor: a secrets cache that is a symbolic link, a FIFO or not yours is a warning: remove it' '
	test_when_finished "rm -f \"$cache\" && mv cache.good \"$cache\"" &&
	mv "$cache" cache.good &&
	cp -p cache.good cache.copy &&
	ln -s "$HOME/cache.good" "$cache" &&
	odd_cache "is not a regular file" &&
	test -L "$cache" &&
	test_cmp cache.copy cache.good &&
	test "$(stat -c %a cache.good)" = 600 &&
	rm "$cache" &&
	mkfifo -m 600 "$cache" &&
	odd_cache "is not a regular file" &&
	rm "$cache" &&
	cp -p cache.good "$cache" &&
	chown 12345 "$cache" &&
	odd_cache "is not owned by you"
'

# unreadable_registry <why>: doctor fails on the registry with the fix,
# the error naming the file and why; exit 1, the registry untouched
unreadable_registry () {
	doctor 1 &&
	test_grep -Fx "fail  the registry '$(sb_registry)' cannot be read" out &&
	test_grep -Fx "      fix: fix or move away the file named above; nothing was changed" out &&
	test_grep -Fx "1 problem, 0 warnings" out &&
	test_grep -F "error: the registry '$(sb_registry)'" err &&
	test_grep "$1" err
}

test_expect_success 'doctor: a corrupt registry fails with its fix, and is not touched' '
	reg=$(sb_registry) &&
	cp "$reg" registry.good &&
	test_when_finished "cp registry.good \"$reg\"" &&
	printf "[sandbox 9\nslot = \n" >>"$reg" &&
	cp "$reg" registry.bad &&
	unreadable_registry "is corrupt at line" &&
	test_cmp registry.bad "$reg"
'

test_expect_success 'doctor: a registry not owned by you, or a symbolic link, fails and is not touched' '
	reg=$(sb_registry) &&
	test_when_finished "rm -f \"$reg\" && cp registry.good \"$reg\" && chmod 600 \"$reg\"" &&
	chown 12345 "$reg" &&
	unreadable_registry "not owned by you" &&
	test "$(stat -c %u "$reg")" = 12345 &&
	test_cmp registry.good "$reg" &&
	rm "$reg" &&
	cp registry.good registry.target &&
	ln -s "$HOME/registry.target" "$reg" &&
	unreadable_registry "symbolic link" &&
	test -L "$reg" &&
	test_cmp registry.good registry.target
'

# --- status: the registry and the state disagree ---------------------------

# edit_registry <awk program>: run it on the registry's entries, one record a
# paragraph, keeping the file's mode
edit_registry () {
	awk -v RS= -v ORS="\n\n" "$1" registry.good >registry.new &&
	cp registry.new "$(sb_registry)"
}

# status_x: git sandbox status in t95--x; exit 0, out and err
status_x () {
	(cd t95--x && sb_no_docker git sandbox status >../out 2>../err) &&
	test_grep -Fx "sandbox  x (slot 1)" out &&
	test_grep -Fx "path     $root/t95--x" out
}

test_expect_success 'status: registry and state agree, no warning' '
	cp "$(sb_registry)" registry.good &&
	state=$(git -C t95--x rev-parse --absolute-git-dir)/config &&
	cp "$state" state.good &&
	status_x &&
	test_grep ! "warning" err &&
	test_cmp registry.good "$(sb_registry)"
'

test_expect_success 'status: a sandbox missing from the registry is a warning with the repair, nothing changed' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	edit_registry "!/\nname = x\n/" &&
	test_grep ! "^name = x$" "$(sb_registry)" &&
	test_grep "^name = far$" "$(sb_registry)" &&
	status_x &&
	test_grep -Fx "warning: sandbox '\''x'\'' is not in the registry; '\''git sandbox prune'\'' does not fix this, '\''git sandbox destroy --keep-worktree'\'' then '\''git sandbox init'\'' does" err &&
	test_cmp registry.new "$(sb_registry)" &&
	test_cmp state.good "$state"
'

test_expect_success 'status: the registry with another slot or name than the state is a warning, nothing changed' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	edit_registry "/\nname = x\n/ { sub(/\nslot = 1\n/, \"\nslot = 4\n\") } 1" &&
	status_x &&
	test_grep -Fx "warning: the registry says '\''x'\'' in slot 4, the worktree'\''s state says '\''x'\'' in slot 1" err &&
	test_cmp registry.new "$(sb_registry)" &&
	test_cmp state.good "$state" &&
	edit_registry "/\nname = x\n/ { sub(/\nname = x\n/, \"\nname = y\n\") } 1" &&
	status_x &&
	test_grep -Fx "warning: the registry says '\''y'\'' in slot 1, the worktree'\''s state says '\''x'\'' in slot 1" err &&
	(cd t95--x && sb_no_docker git sandbox status --json >../out 2>../err) &&
	test_grep -F "\"name\":\"x\",\"slot\":1," out &&
	test_grep -Fx "warning: the registry says '\''y'\'' in slot 1, the worktree'\''s state says '\''x'\'' in slot 1" err &&
	test_cmp registry.new "$(sb_registry)" &&
	test_cmp state.good "$state"
'

test_done
