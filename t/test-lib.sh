# test-lib.sh: a small git-style test library for git-sandbox.
#
# A test script sets test_description, sources this file, runs
# test_expect_success blocks and ends with test_done. Each script runs in
# its own trash directory t/trash.<script>, which is also $HOME and holds
# every XDG directory, so nothing outside it is read or written. The
# commands under test come from $GIT_SANDBOX_PREFIX/bin (make check sets it
# to a private install).
#
# Options: -v (--verbose) shows each test's output, -i (--immediate) stops
# at the first failure, -d (--debug) keeps the trash directory.
#
# GIT_SANDBOX_TEST_COMPOSE chooses the Docker Compose the commands find:
# v1 (the default) is the system's docker-compose, with any v2 plugin
# hidden; v2 is the plugin in $GIT_SANDBOX_TEST_COMPOSE_V2/cli-plugins (a
# DOCKER_CONFIG directory, by default the one .ci/deps fills), with
# docker-compose hidden. A script stops at once if the one asked for is
# missing.

if test -z "$GIT_SANDBOX_PREFIX"
then
	echo "error: GIT_SANDBOX_PREFIX is not set; run the tests with 'make check'," >&2
	echo "or set it to an installation prefix (the one holding bin/git-sandbox)" >&2
	exit 1
fi
if ! test -x "$GIT_SANDBOX_PREFIX/bin/git-sandbox"
then
	echo "error: no executable '$GIT_SANDBOX_PREFIX/bin/git-sandbox' (GIT_SANDBOX_PREFIX)" >&2
	exit 1
fi

verbose= immediate= debug=
for arg
do
	case "$arg" in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-d|--debug) debug=t ;;
	*) echo "error: unknown test option '$arg'" >&2; exit 1 ;;
	esac
done

TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
TEST_DIRECTORY=$(cd "${0%/*}" && pwd) || exit 1
TRASH_DIRECTORY="$TEST_DIRECTORY/trash.$TEST_NAME"
TEST_OUTPUT="$TRASH_DIRECTORY/.test-output"

# --- a hermetic environment ---------------------------------------------

unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_NAMESPACE GIT_PREFIX GIT_CONFIG \
	GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_CONFIG_GLOBAL GIT_CONFIG_SYSTEM \
	GIT_EXEC_PATH GIT_TEMPLATE_DIR GIT_TRACE GIT_SANDBOX_TEST_CRASH GIT_SANDBOX_COLOR \
	NO_COLOR XDG_RUNTIME_DIR XDG_DATA_HOME CDPATH
HOME="$TRASH_DIRECTORY"
XDG_STATE_HOME="$TRASH_DIRECTORY/.state"
XDG_CONFIG_HOME="$TRASH_DIRECTORY/.config"
XDG_CACHE_HOME="$TRASH_DIRECTORY/.cache"
# the machine's port leases (lease.h): the test's own store, never /run/lock
GIT_SANDBOX_LEASES="$TRASH_DIRECTORY/.leases"
GIT_CONFIG_NOSYSTEM=1
GIT_CEILING_DIRECTORIES="$TEST_DIRECTORY"
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_AUTHOR_DATE='1112911993 -0700'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
GIT_COMMITTER_DATE='1112911993 -0700'
GIT_TERMINAL_PROMPT=0
GIT_MERGE_AUTOEDIT=no
GIT_PAGER=cat
PAGER=cat
EDITOR=:
LC_ALL=C
LANG=C
TZ=UTC
PATH="$GIT_SANDBOX_PREFIX/bin:$PATH"
# the test helpers (t/helper, built by make shell-check): test-json, mcp-client
if test -n "$GIT_SANDBOX_TEST_HELPERS"
then
	PATH="$PATH:$GIT_SANDBOX_TEST_HELPERS"
fi
# sanitizer builds: a report must fail the command loudly (abort, exit > 128)
ASAN_OPTIONS="abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$TEST_DIRECTORY/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_CACHE_HOME GIT_SANDBOX_LEASES GIT_CONFIG_NOSYSTEM \
	GIT_CEILING_DIRECTORIES GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE GIT_TERMINAL_PROMPT \
	GIT_MERGE_AUTOEDIT GIT_PAGER PAGER EDITOR LC_ALL LANG TZ PATH ASAN_OPTIONS UBSAN_OPTIONS \
	LSAN_OPTIONS

# Every script gets its own ports: the ktrdr layout shifted by an offset
# derived from the script number (t2000 -> 10000 + 1100 * 2). The step of
# 1100 keeps the groups of any two scripts apart (the layout's groups lie
# 432, 2000, 2568, 3000, 5000 and 8686 apart; no multiple of 1100 up to
# 11000 comes within 130 of one), and the highest port stays below the
# usual ephemeral range.
test_number_=${TEST_NAME#t}
test_number_=$(echo "${test_number_%%-*}" | sed -e 's/^0*//')
SB_PORT_OFFSET=${SB_PORT_OFFSET:-$((10000 + 1100 * (${test_number_:-0} / 1000)))}

. "$TEST_DIRECTORY/lib-prereq.sh"

# --- reporting ------------------------------------------------------------

test_count=0
test_failures=0
test_fixed=0
test_broken=0

say () {
	printf '%s\n' "$*"
}

# each line of stdin as a TAP comment
test_comment_ () {
	sed -e 's/^/# /'
}

# the test body in a function of its own, so that a `return 1` in it (as
# in a loop: `... || return 1`) ends the body, not test_run_ and its clean-up
test_eval_ () {
	eval "$1"
}

test_run_ () {
	test_cleanup_=:
	cd "$TRASH_DIRECTORY" || exit 1
	if test -n "$verbose"
	then
		test_eval_ "$1"
		test_ret_=$?
	else
		test_eval_ "$1" >"$TEST_OUTPUT" 2>&1 </dev/null
		test_ret_=$?
	fi
	cd "$TRASH_DIRECTORY" || exit 1
	eval "$test_cleanup_" >/dev/null 2>&1
	return $test_ret_
}

test_failed_ () {
	test_failures=$((test_failures + 1))
	say "not ok $test_count - $1"
	printf '%s\n' "$2" | sed -e 's/^/#	/'
	if test -z "$verbose" && test -s "$TEST_OUTPUT"
	then
		say "# output:"
		test_comment_ <"$TEST_OUTPUT"
	fi
	if test -n "$immediate"
	then
		say "# failed, stopping (-i); the trash directory is kept: $TRASH_DIRECTORY"
		test_done_exit_ 1
	fi
}

# test_skip_ <title>: the test's prerequisites are missing; say so
test_skip_ () {
	say "ok $test_count # skip $1 (missing $test_prereq_missing)"
}

# test_expect_success [<PREREQ>[,<PREREQ>...]] <title> <body>
test_expect_success () {
	test "$#" = 3 && { prereq_=$1; shift; } || prereq_=
	test "$#" = 2 || { echo "bug in the test script: test_expect_success needs 2 or 3 arguments" >&2; exit 1; }
	test_count=$((test_count + 1))
	if test -n "$prereq_" && ! test_have_prereq "$prereq_"
	then
		test_skip_ "$1"
	elif test_run_ "$2"
	then
		say "ok $test_count - $1"
	else
		test_failed_ "$1" "$2"
	fi
}

# A known bug: the test is expected to fail, and is reported as TODO.
test_expect_failure () {
	test "$#" = 2 || { echo "bug in the test script: test_expect_failure needs 2 arguments" >&2; exit 1; }
	test_count=$((test_count + 1))
	if test_run_ "$2"
	then
		test_fixed=$((test_fixed + 1))
		say "ok $test_count - $1 # TODO known breakage vanished"
	else
		test_broken=$((test_broken + 1))
		say "not ok $test_count - $1 # TODO known breakage"
	fi
}

# Run after the current test, whatever its result (e.g. stop a listener).
test_when_finished () {
	test_cleanup_="$*; $test_cleanup_"
}

# test_atexit <command>: run it when the script ends, however it ends
# (test_done, a failure under -i, an exit on error, an interrupt); the
# last registered runs first. For what outlives a test: a daemon the
# script started for all its tests.
test_atexit_=
test_atexit () {
	test_atexit_="$*; $test_atexit_"
}

# once: the list is emptied before it runs, and an interrupt waits for its end
test_atexit_run_ () {
	test_hold_signals_
	test_stop_holders_
	run_=$test_atexit_
	test_atexit_=
	eval "$run_"
	test_release_signals_
}

# an interrupt runs the EXIT trap (a shell killed by a signal would not),
# whose output may go to a reader that is gone (tee under make, on ^C)
test_signal_held_= test_signal_pending_=
test_signal_ () {
	if test -n "$test_signal_held_"
	then
		test_signal_pending_=$1
		return
	fi
	trap '' PIPE
	exit "$1"
}

# test_hold_signals_ ... test_release_signals_: an interrupt in between
# waits for the release, as between starting a daemon in the background
# and recording its pid for the clean-up
test_hold_signals_ () {
	test_signal_held_=t
}

test_release_signals_ () {
	test_signal_held_=
	test -z "$test_signal_pending_" || test_signal_ "$test_signal_pending_"
}

test_done_exit_ () {
	test_atexit_run_
	say "1..$test_count"
	exit "$1"
}

# test_skip_all <PREREQ>[,<PREREQ>...] <why>: unless they all hold, the
# script ends here, all of it skipped (at its top, before any test)
test_skip_all () {
	test_have_prereq "$1" && return 0
	say "1..0 # SKIP $2 (missing $test_prereq_missing)"
	test_atexit_run_
	cd "$TEST_DIRECTORY" && rm -rf "$TRASH_DIRECTORY"
	exit 0
}

test_done () {
	if test "$test_failures" = 0
	then
		say "# passed all $test_count test(s)"
		# what the script started may live in the trash directory
		test_atexit_run_
		cd "$TEST_DIRECTORY" || exit 1
		if test -z "$debug"
		then
			chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
			rm -rf "$TRASH_DIRECTORY"
		fi
		test_done_exit_ 0
	fi
	say "# failed $test_failures among $test_count test(s); the trash directory is kept: $TRASH_DIRECTORY"
	test_done_exit_ 1
}

# --- assertions -------------------------------------------------------------

# test_must_fail [--exit=<n>] <command>...: the command must fail cleanly.
# Exit 0 is a failure, and so is death by a signal (> 128, except git's own
# 128 and 129) such as a crash or a sanitizer abort.
test_must_fail () {
	want_=
	case "$1" in
	--exit=*) want_=${1#--exit=}; shift ;;
	esac
	"$@"
	got_=$?
	if test -n "$want_" && test "$got_" != "$want_"
	then
		echo "test_must_fail: '$*' exited $got_, not $want_" >&2
		return 1
	fi
	if test "$got_" = 0
	then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif test "$got_" -gt 129
	then
		echo "test_must_fail: '$*' died with exit status $got_" >&2
		return 1
	fi
	return 0
}

# test_expect_code <n> <command>...: the command exits with exactly n.
test_expect_code () {
	want_=$1
	shift
	"$@"
	got_=$?
	test "$got_" = "$want_" && return 0
	echo "test_expect_code: '$*' exited $got_, not $want_" >&2
	return 1
}

# test_cmp <expected> <actual>
test_cmp () {
	diff -u "$1" "$2"
}

test_path_is_file () {
	test -f "$1" || { echo "not a file: '$1'" >&2; return 1; }
}

test_path_is_dir () {
	test -d "$1" || { echo "not a directory: '$1'" >&2; return 1; }
}

test_path_is_missing () {
	if test -e "$1" || test -L "$1"
	then
		echo "should not exist: '$1'" >&2
		ls -ld "$1" >&2
		return 1
	fi
}

test_must_be_empty () {
	test -f "$1" && ! test -s "$1" && return 0
	echo "'$1' should be empty but has:" >&2
	sed -e 's/^/| /' "$1" >&2
	return 1
}

# test_grep [!] [<grep option>...] <pattern> <file>: shows the file on failure.
test_grep () {
	negate_=
	if test "$1" = "!"
	then
		negate_=t
		shift
	fi
	eval "file_=\${$#}"
	if test -n "$negate_"
	then
		grep "$@" >/dev/null || return 0
		echo "test_grep: found '$*' although it should not be there; '$file_' has:" >&2
	else
		grep "$@" >/dev/null && return 0
		echo "test_grep: did not find '$*'; '$file_' has:" >&2
	fi
	sed -e 's/^/| /' "$file_" >&2
	return 1
}

# test_line_count (= | -gt | ...) <n> <file>
test_line_count () {
	n_=$(wc -l <"$3" | tr -d ' ')
	test "$n_" "$1" "$2" && return 0
	echo "test_line_count: '$3' has $n_ lines, expected $1 $2:" >&2
	sed -e 's/^/| /' "$3" >&2
	return 1
}

# --- fixtures -------------------------------------------------------------

# port <guide port>: the usage guide's port number moved to this script's range
sb_port () {
	echo $(($1 + SB_PORT_OFFSET))
}

# Write the ktrdr .gitsandbox of the README's Usage (with grafana and
# jaeger), every port moved by SB_PORT_OFFSET, to the file $1.
sb_write_gitsandbox () {
	cat >"$1" <<EOF
# the project file of the ktrdr example (README, Usage)
[sandbox]
	project = ktrdr                        # worktree and compose prefix
	slots = 10
	remote = ktrdr
[port "api"]
	var = KTRDR_API_PORT
	base = $(sb_port 8000)
	step = 1
	main = $(sb_port 8000)
	count = 1
	health = /api/v1/health
[port "db"]
	var = KTRDR_DB_PORT
	base = $(sb_port 5432)
	wait = tcp
[port "grafana"]
	var = GRAFANA_PORT
	base = $(sb_port 3000)
[port "jaeger"]
	var = JAEGER_UI_PORT
	base = $(sb_port 16686)
[port "workers"]
	var = KTRDR_WORKER_PORT
	main = $(sb_port 5003)
	base = $(sb_port 5000)
	step = 10
	count = 4
[secrets]
	item = ktrdr-sandbox-dev
	vault = Private
	ttl = 12h
[secret "db_password"]
	var = DB_PASSWORD
	default = localdev
EOF
}

# sb_make_repo <dir>: a repository on branch main with the .gitsandbox
# above and one commit.
sb_make_repo () {
	git init -q -b main "$1" &&
	sb_write_gitsandbox "$1/.gitsandbox" &&
	echo "# $1" >"$1/README" &&
	git -C "$1" add .gitsandbox README &&
	git -C "$1" commit -q -m initial
}

# sb_build_image <tag>: a busybox image built FROM scratch (nothing can be
# pulled); the script removes it when done.
sb_build_image () {
	mkdir -p "$TRASH_DIRECTORY/img" &&
	cp /bin/busybox "$TRASH_DIRECTORY/img/" &&
	printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
		'RUN ["/bin/busybox", "--install", "-s", "/bin"]' >"$TRASH_DIRECTORY/img/Dockerfile" &&
	docker build -q -t "$1" "$TRASH_DIRECTORY/img" >/dev/null
}

# sb_web_db_compose <dir> <image> <web> <var> [<setup> [<environment>]]:
# <dir>/docker-compose.sandbox.yml, a stack of two services of the busybox
# image <image> (sb_build_image): <web>, httpd on port 80 published at
# ${<var>}, answering "ok" at /health, given the variables <environment>
# ("A, B"), which first runs the command <setup> once /www is made (written
# as it goes in a YAML double-quoted string, with $$ for a $ that compose
# leaves alone); and db, an echo server (nc) on port 5432 published at
# ${DB_PORT}, which wait = tcp can check.
sb_web_db_compose () {
	env_=${6:+"
    environment: [$6]"}
	cat >"$1/docker-compose.sandbox.yml" <<EOF
version: "3.7"
services:
  $3:
    image: $2
    init: true$env_
    ports: ["\${$4}:80"]
    command: ["sh", "-c", "mkdir -p /www && ${5:+$5 && }echo ok >/www/health && exec httpd -f -p 80 -h /www"]
  db:
    image: $2
    init: true
    ports: ["\${DB_PORT}:5432"]
    command: ["sh", "-c", "exec nc -ll -p 5432 -e cat"]
EOF
}

# sb_fake_op: the stand-in for the 1Password CLI (t/op) first on PATH, its
# items in $OP_FAKE_DIR, a line a call in $OP_FAKE_LOG (sb_op_calls)
sb_fake_op () {
	mkdir -p "$HOME/opbin" && ln -sf "$TEST_DIRECTORY/op" "$HOME/opbin/op" &&
	PATH="$HOME/opbin:$PATH" &&
	OP_FAKE_DIR=$HOME/op &&
	OP_FAKE_LOG=$HOME/op.log &&
	export PATH OP_FAKE_DIR OP_FAKE_LOG
}

# sb_op_calls: how many times op has run since sb_fake_op
sb_op_calls () {
	if test -f "$OP_FAKE_LOG"; then wc -l <"$OP_FAKE_LOG" | tr -d " "; else echo 0; fi
}

# sb_secrets_project <dir> <image> <api port> <ttl>: a repository on
# branch main, project <dir>, whose service api (<image>, API_PORT=<api
# port>) serves the sha256 of DB_PASSWORD at / and "ok" at /health;
# DB_PASSWORD (default localdev) and JWT_SECRET are the secrets of the
# 1Password item <dir>-dev in vault Private, cached for <ttl>
sb_secrets_project () {
	git init -q -b main "$1" &&
	cat >"$1/.gitsandbox" <<EOF &&
[sandbox]
	project = $1
	slots = 3
[port "api"]
	var = API_PORT
	base = $3
	health = /health
[secrets]
	item = $1-dev
	vault = Private
	ttl = $4
[secret "db_password"]
	var = DB_PASSWORD
	default = localdev
[secret "jwt_secret"]
	var = JWT_SECRET
EOF
	cat >"$1/docker-compose.sandbox.yml" <<EOF &&
version: "3.7"
services:
  api:
    image: $2
    init: true
    environment: [DB_PASSWORD, JWT_SECRET]
    ports: ["\${API_PORT}:80"]
    command: ["sh", "-c", "mkdir -p /www && printf %s \"\$\$DB_PASSWORD\" | sha256sum | cut -d\" \" -f1 >/www/index.html && echo ok >/www/health && exec httpd -f -p 80 -h /www"]
EOF
	git -C "$1" add . && git -C "$1" commit -q -m project
}

# sb_compose_version: which compose the commands under test find, as
# "v2 <version>" or "v1 <version>" (compose's own --short version)
sb_compose_version () {
	if v_=$(docker compose version --short 2>/dev/null)
	then
		echo "v2 $v_"
	elif v_=$(docker-compose version --short 2>/dev/null)
	then
		echo "v1 $v_"
	else
		echo "sb_compose_version: no docker compose and no docker-compose" >&2
		return 1
	fi
}

# sb_drop_project <project>...: remove what the test's compose projects
# left on the engine (containers, networks, volumes by the project's label,
# and the lease of each name); never anything else
sb_drop_project () {
	for p_ in "$@"
	do
		docker ps -aq --filter "label=com.docker.compose.project=$p_" |
			xargs -r docker rm -f >/dev/null 2>&1
		docker network ls -q --filter "label=com.docker.compose.project=$p_" |
			xargs -r docker network rm >/dev/null 2>&1
		docker volume ls -q --filter "label=com.docker.compose.project=$p_" |
			xargs -r docker volume rm >/dev/null 2>&1
		docker volume ls -q --filter "label=git-sandbox.lease=$p_" |
			xargs -r docker volume rm >/dev/null 2>&1
	done
	:
}

# write_script <file>: stdin as an executable /bin/sh script
write_script () {
	{ echo "#!/bin/sh" && cat; } >"$1" &&
	chmod +x "$1"
}

# sb_snapshot <repo> <file>: what a refused or failed command must leave
# as it found it: the branches, git's worktrees, the <repo>--* directories,
# a main worktree's sandbox state and the registry
sb_snapshot () {
	{
		git -C "$1" for-each-ref --format="%(refname)" refs/heads &&
		git -C "$1" worktree list --porcelain &&
		{ ls -d "$1"--* 2>/dev/null; ls "$1/.git/sandbox" 2>/dev/null;
		  cat "$(sb_registry)" 2>/dev/null; :; }
	} >"$2"
}

# sb_registry: the registry file of this trash directory
sb_registry () {
	echo "$XDG_STATE_HOME/git-sandbox/registry"
}

# the slots the registry leases, one per line, in order
sb_registry_slots () {
	sed -n "s/^slot = //p" "$(sb_registry)" | sort -n
}

# the number of sandboxes in the registry
sb_registry_count () {
	if test -f "$(sb_registry)"
	then
		grep -c '^\[sandbox ' "$(sb_registry)"
	else
		echo 0
	fi
}

# sb_no_docker <command>...: run it without reaching the engine, so that a
# prune never judges the stacks of other test scripts running at the same time
sb_no_docker () {
	GIT_SANDBOX_ENGINE=unix://$HOME/no-docker.sock DOCKER_HOST=unix://$HOME/no-docker.sock "$@"
}

# sb_reg_entries: "slot name path gitdir repo" for each registry entry, by slot
sb_reg_entries () {
	test -f "$(sb_registry)" || return 0
	awk -F ' = ' '
		/^\[sandbox / { if (n) print slot, name, path, gitdir, repo; n = 1; next }
		$1 == "slot" { slot = $2 } $1 == "name" { name = $2 } $1 == "path" { path = $2 }
		$1 == "gitdir" { gitdir = $2 } $1 == "repo" { repo = $2 }
		END { if (n) print slot, name, path, gitdir, repo }
	' "$(sb_registry)" | sort -n
}

# sb_check_consistent <main worktree>: the registry parses, no slot is held
# twice, and for the repository of <main worktree> the registry, the state
# files, `git sandbox env`, `git worktree list` and the <main>--* directories
# tell the same story; no temporary file is left beside the registry.
sb_check_consistent () {
	git sandbox list >/dev/null &&
	sb_reg_entries >entries &&
	cut -d" " -f1 entries | uniq -d >dups &&
	test_must_be_empty dups &&
	repo_=$(cd "$1" && pwd -P)/.git &&
	awk -v r="$repo_" '$5 == r' entries >ours &&
	while read -r slot_ name_ path_ gitdir_ r_
	do
		test_path_is_dir "$path_" &&
		test "$(git config -f "$gitdir_/config" sandbox.name)" = "$name_" &&
		test "$(git config -f "$gitdir_/config" sandbox.slot)" = "$slot_" &&
		(cd "$path_" && git sandbox env) >env.now &&
		test_grep -x "SANDBOX_SLOT=$slot_" env.now || return 1
	done <ours &&
	git -C "$1" worktree list --porcelain | sed -n "s/^worktree //p" | sort >wts &&
	{ (cd "$1" && pwd -P) && cut -d" " -f3 ours; } | sort >expect.wts &&
	test_cmp expect.wts wts &&
	for d_ in "$1"--*
	do
		test -d "$d_" && (cd "$d_" && pwd -P)
	done | sort >dirs &&
	cut -d" " -f3 ours | sort >expect.dirs &&
	test_cmp expect.dirs dirs &&
	ls -a "${XDG_STATE_HOME}/git-sandbox" >regdir &&
	test_grep ! "\.tmp\." regdir &&
	sb_check_leases
}

# sb_check_leases: the machine's lease store holds exactly the ports of
# this registry's entries for it (none leaked, none missing), whole.
sb_check_leases () {
	{ test -f "$(sb_registry)" && sed -n "s/^ports = //p" "$(sb_registry)"; } |
		tr " " "\n" | sed -n "s/.*:\([0-9][0-9]*\)$/\1/p" | sort -n >leases.want &&
	reg_=$(cd "$XDG_STATE_HOME/git-sandbox" 2>/dev/null && pwd -P)/registry &&
	for f_ in "$GIT_SANDBOX_LEASES"/git-sandbox-port-*
	do
		test -f "$f_" || continue
		grep -qx "registry = $reg_" "$f_" || continue
		grep -qx "port = ${f_##*-}" "$f_" || { echo "lease $f_ names another port" >&2; return 1; }
		echo "${f_##*-}"
	done | sort -n >leases.have &&
	test_cmp leases.want leases.have &&
	ls -a "$GIT_SANDBOX_LEASES" >leasedir &&
	test_grep ! "\.tmp\." leasedir
}

# sb_collect_ports [<main worktree>...]: "<port> <sandbox path>", one line
# per port, for every port each sandbox of this registry reports (`list
# --all --json`, and `status --json` in its worktree, or by name from its
# repository when the worktree is not where the registry says) or
# publishes (the containers of its compose project, found by the project's
# label only); and the same for each <main worktree> named that is no
# sandbox. Fails, saying why, if list and status disagree on a sandbox's
# slot or ports, or if its containers publish a port it does not report.
# ${SB_GIT:-git} runs the commands (another user's, through a wrapper).
sb_collect_ports () {
	${SB_GIT:-git} sandbox list --all --json >"$TRASH_DIRECTORY/.sb-list" </dev/null || return 1
	sed -e 's/^{"version":1,"sandboxes":\[//' -e 's/\]}$//' -e 's/},{"name":/}\n{"name":/g' \
		"$TRASH_DIRECTORY/.sb-list" |
		grep '^{' >"$TRASH_DIRECTORY/.sb-entries"
	for d_ in "$@"
	do
		d_=$(cd "$d_" && pwd -P) || return 1
		grep -q "\"path\":\"$d_\"" "$TRASH_DIRECTORY/.sb-entries" && continue
		(cd "$d_" && ${SB_GIT:-git} sandbox status --json </dev/null) >>"$TRASH_DIRECTORY/.sb-entries" ||
			return 1
	done
	while read -r e_
	do
		name_=$(printf "%s\n" "$e_" | sed -n 's/^{"name":"\([^"]*\)".*/\1/p')
		path_=$(printf "%s\n" "$e_" | sed -n 's/.*"path":"\([^"]*\)".*/\1/p')
		repo_=$(printf "%s\n" "$e_" | sed -n 's/.*"repo":"\([^"]*\)".*/\1/p')
		project_=$(printf "%s\n" "$e_" | sed -n 's/.*"project":"\([^"]*\)".*/\1/p')
		printf "%s\n" "$e_" | sb_json_ports_ >"$TRASH_DIRECTORY/.sb-reported"
		if test -d "$path_"
		then
			(cd "$path_" && ${SB_GIT:-git} sandbox status --json </dev/null)
		else
			(cd "$repo_" && ${SB_GIT:-git} sandbox status "$name_" --json </dev/null)
		fi >"$TRASH_DIRECTORY/.sb-status" || return 1
		sb_json_ports_ <"$TRASH_DIRECTORY/.sb-status" >"$TRASH_DIRECTORY/.sb-status-ports"
		if ! test_cmp "$TRASH_DIRECTORY/.sb-reported" "$TRASH_DIRECTORY/.sb-status-ports" >&2 ||
		   test "$(printf "%s\n" "$e_" | sed -n 's/.*"slot":\([0-9]*\),.*/\1/p')" != \
			"$(sed -n 's/.*"slot":\([0-9]*\),.*/\1/p' "$TRASH_DIRECTORY/.sb-status")"
		then
			echo "sb_collect_ports: list and status disagree on sandbox '$name_' ($path_):" >&2
			printf "%s\n" "$e_" >&2
			cat "$TRASH_DIRECTORY/.sb-status" >&2
			return 1
		fi
		docker ps --filter "label=com.docker.compose.project=$project_" --format '{{.Ports}}' |
			tr , '\n' | sed -n 's/.*:\([0-9][0-9]*\)->.*/\1/p' | sort -u >"$TRASH_DIRECTORY/.sb-published"
		comm -23 "$TRASH_DIRECTORY/.sb-published" "$TRASH_DIRECTORY/.sb-reported" >"$TRASH_DIRECTORY/.sb-outside"
		if test -s "$TRASH_DIRECTORY/.sb-outside"
		then
			echo "sb_collect_ports: project '$project_' publishes ports sandbox '$name_' does not report:" >&2
			cat "$TRASH_DIRECTORY/.sb-outside" >&2
			return 1
		fi
		sort -u "$TRASH_DIRECTORY/.sb-reported" "$TRASH_DIRECTORY/.sb-published" | sed -e "s|\$| $path_|"
	done <"$TRASH_DIRECTORY/.sb-entries"
}

# the ports of one object of list or status --json on stdin, one per line, sorted as text
sb_json_ports_ () {
	sed -n 's/.*"ports":{\([^}]*\)}.*/\1/p' | sed -e 's/"[^"]*"://g' -e 's/[][]//g' | tr , '\n' |
		grep . | sort
}

# sb_ports_unique <file>: no port of sb_collect_ports' output is two sandboxes'
sb_ports_unique () {
	cut -d" " -f1 "$1" | sort | uniq -d >"$TRASH_DIRECTORY/.sb-dups"
	test -s "$TRASH_DIRECTORY/.sb-dups" || return 0
	echo "sb_ports_unique: ports reported or published by two sandboxes:" >&2
	grep -F -f "$TRASH_DIRECTORY/.sb-dups" "$1" | sort >&2
	return 1
}

# sb_ports_distinct [<main worktree>...]: no two sandboxes of this registry
# (and main worktrees named) publish or report the same port, and list and
# status agree on each (sb_collect_ports)
sb_ports_distinct () {
	sb_collect_ports "$@" >"$TRASH_DIRECTORY/.sb-ports" &&
	sb_ports_unique "$TRASH_DIRECTORY/.sb-ports"
}

# test_hold_port <port> [<command>...]: keep a listener on the port until
# the test ends (the command, which must listen on it, or nc)
test_holders_=
test_hold_port () {
	port_=$1
	shift
	if test $# = 0
	then
		set -- busybox nc -l -p "$port_"
	fi
	"$@" </dev/null >/dev/null 2>&1 &
	test_holders_="$test_holders_ $!"
	set -- "$port_"
	i_=0
	while ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
	do
		i_=$((i_ + 1))
		if test $i_ -gt 50
		then
			echo "test_hold_port: nothing listens on port $1" >&2
			return 1
		fi
		sleep 0.1
	done
	test_when_finished test_stop_holders_
}

test_stop_holders_ () {
	for pid_ in $test_holders_
	do
		kill "$pid_" 2>/dev/null
		wait "$pid_" 2>/dev/null
	done
	test_holders_=
}

# --- set up -----------------------------------------------------------------

if test -d "$TRASH_DIRECTORY"
then
	chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
	rm -rf "$TRASH_DIRECTORY"
fi
mkdir -p "$TRASH_DIRECTORY" "$GIT_SANDBOX_LEASES" && chmod 1777 "$GIT_SANDBOX_LEASES" || exit 1
trap 'test_atexit_run_' EXIT
trap 'test_signal_ 129' HUP
trap 'test_signal_ 130' INT
trap 'test_signal_ 143' TERM
cd "$TRASH_DIRECTORY" || exit 1

# the compose of GIT_SANDBOX_TEST_COMPOSE, and only that one: the other is
# hidden behind a command of the same name, first on PATH, that fails
# saying why. v2's DOCKER_CONFIG is $HOME/.docker, where the docker CLI
# would look anyway, with a link to the plugin.
test_compose_hide_ () {
	mkdir -p "$TRASH_DIRECTORY/.compose-bin" &&
	write_script "$TRASH_DIRECTORY/.compose-bin/$1" &&
	PATH="$TRASH_DIRECTORY/.compose-bin:$PATH" || exit 1
}
GIT_SANDBOX_TEST_COMPOSE=${GIT_SANDBOX_TEST_COMPOSE:-v1}
GIT_SANDBOX_TEST_COMPOSE_V2=${GIT_SANDBOX_TEST_COMPOSE_V2:-/usr/local/lib/git-sandbox-ci/docker-config}
export GIT_SANDBOX_TEST_COMPOSE GIT_SANDBOX_TEST_COMPOSE_V2
case "$GIT_SANDBOX_TEST_COMPOSE" in
v1)
	if docker compose version >/dev/null 2>&1
	then
		test_compose_hide_ docker <<-EOF
		test "\$1" = compose || exec "$(command -v docker)" "\$@"
		echo "docker: 'compose' hidden by the tests (GIT_SANDBOX_TEST_COMPOSE=v1)" >&2
		exit 1
		EOF
	fi
	;;
v2)
	plugin_="$GIT_SANDBOX_TEST_COMPOSE_V2/cli-plugins/docker-compose"
	if ! test -x "$plugin_"
	then
		echo "error: GIT_SANDBOX_TEST_COMPOSE=v2, and there is no compose v2 plugin" \
			"'$plugin_' (.ci/deps fetches it; GIT_SANDBOX_TEST_COMPOSE_V2 names its directory)" >&2
		exit 1
	fi
	mkdir -p "$TRASH_DIRECTORY/.docker/cli-plugins" &&
	ln -s "$plugin_" "$TRASH_DIRECTORY/.docker/cli-plugins/docker-compose" || exit 1
	DOCKER_CONFIG="$TRASH_DIRECTORY/.docker"
	export DOCKER_CONFIG
	test_compose_hide_ docker-compose <<-\EOF
	echo "docker-compose (v1) hidden by the tests (GIT_SANDBOX_TEST_COMPOSE=v2)" >&2
	exit 1
	EOF
	if ! docker compose version 2>/dev/null | grep -q "version v*2\."
	then
		echo "error: GIT_SANDBOX_TEST_COMPOSE=v2, and 'docker compose version' with" \
			"'$plugin_' does not answer v2:" >&2
		docker compose version >&2
		exit 1
	fi
	;;
*)
	echo "error: GIT_SANDBOX_TEST_COMPOSE='$GIT_SANDBOX_TEST_COMPOSE'; it is v1 or v2" >&2
	exit 1
	;;
esac
