#!/bin/sh
# bench/bench.sh <prefix> [<results-file>]: time git-sandbox against the git
# and docker commands it stands on, in one run, on repositories made here.
#
# Every figure is the median of several runs, taken alternately with its
# reference so that both see the same machine. <prefix> is an installation
# (bin/git-sandbox...). Everything runs under a private HOME and XDG
# directories in a temporary directory; the two stacks (compose projects
# gsbench-up and gsbsmall-up), their networks, volumes and leases and the
# image tag are removed at the end. `make bench` runs this and writes
# bench/RESULTS.
#
# BENCH_RUNS=n (default 5, at most 90): runs of each slow measurement (create, up); the
# quick commands (port, env, status, list) run 4n+1 times.
set -eu

if [ $# -lt 1 ] || [ ! -x "$1/bin/git-sandbox" ]; then
	echo "usage: bench/bench.sh <prefix> [<results-file>]  (no <prefix>/bin/git-sandbox)" >&2
	exit 2
fi
prefix=$(cd "$1" && pwd)
results=${2:-}
runs=${BENCH_RUNS:-5}
case "$runs" in ''|*[!0-9]*|0) echo "bench: BENCH_RUNS must be a number from 1 to 90" >&2; exit 2 ;; esac
[ "$runs" -le 90 ] || { echo "bench: BENCH_RUNS must be a number from 1 to 90" >&2; exit 2; }
quick=$((4 * runs + 1))
src=$(cd "$(dirname "$0")/.." && pwd)
for p in git docker docker-compose awk; do
	command -v "$p" >/dev/null || { echo "bench: '$p' is needed" >&2; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "bench: no Docker engine answers" >&2; exit 1; }

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
T=$(mktemp -d "${TMPDIR:-/tmp}/git-sandbox-bench.XXXXXX")
T=$(cd "$T" && pwd -P)
image=git-sandbox-bench:latest
stackwt= smallwt=
# drop_project <project>: what a failed destroy left of the bench's own
# compose project on the engine (by compose's label) and its lease
drop_project() {
	docker ps -aq --filter "label=com.docker.compose.project=$1" | xargs -r docker rm -f
	docker network ls -q --filter "label=com.docker.compose.project=$1" | xargs -r docker network rm
	docker volume ls -q --filter "label=com.docker.compose.project=$1" | xargs -r docker volume rm
	docker volume ls -q --filter "label=git-sandbox.lease=$1" | xargs -r docker volume rm
}
cleanup() {
	set +e
	for _w in "$stackwt" "$smallwt"; do
		if [ -n "$_w" ] && [ -d "$_w" ]; then
			git -C "$_w" sandbox destroy -f >/dev/null 2>&1 ||
				echo "bench: could not destroy the stack in $_w" >&2
		fi
	done
	for _p in gsbench-up gsbsmall-up; do
		drop_project "$_p" >/dev/null 2>&1
	done
	docker image rm "$image" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- a private, hermetic environment ---------------------------------------
unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE GIT_CONFIG_PARAMETERS \
	GIT_CONFIG_COUNT GIT_CONFIG_GLOBAL GIT_SANDBOX_TRACE GIT_SANDBOX_TIMING \
	NO_COLOR CDPATH 2>/dev/null || true
HOME=$T/home
XDG_STATE_HOME=$HOME/.state XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache
GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES=$T
GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
LC_ALL=C LANG=C
OP_FAKE_DIR=$T/op
# the machine's port leases: a store of the bench's own, as the tests have
GIT_SANDBOX_LEASES=$T/leases
mkdir -p "$HOME" "$T/bin" "$OP_FAKE_DIR" "$GIT_SANDBOX_LEASES"
chmod 1777 "$GIT_SANDBOX_LEASES"
cp "$src/t/op" "$T/bin/op" && chmod 755 "$T/bin/op"
PATH=$prefix/bin:$T/bin:$PATH
export HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_CACHE_HOME GIT_CONFIG_NOSYSTEM \
	GIT_CEILING_DIRECTORIES GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL LC_ALL LANG OP_FAKE_DIR GIT_SANDBOX_LEASES PATH
git config --global init.defaultBranch main
git config --global advice.detachedHead false

say() { printf 'bench: %s %s\n' "$(date +%T)" "$*" >&2; }

# --- timing ------------------------------------------------------------------
# tm <file> <cmd>...: run once, append the elapsed nanoseconds to <file>,
# less the cost of the two `date` calls around it (calibrated below).
cal=0
tm() {
	_f=$1
	shift
	_s=$(date +%s%N)
	if ! "$@" >/dev/null 2>"$T/err"; then
		say "failed: $*"
		cat "$T/err" >&2
		exit 1
	fi
	_e=$(date +%s%N)
	echo $((_e - _s - cal)) >>"$_f"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

for _i in 1 2 3 4 5 6 7 8 9 10 11; do
	_s=$(date +%s%N)
	_e=$(date +%s%N)
	echo $((_e - _s)) >>"$T/cal"
done
cal=$(median "$T/cal")

rows=$T/rows
: >"$rows"
# row <what> <reference> <target> <cmp> <limit> <value-file> <reference-file>
row() {
	_v=$(median "$6")
	_r=$(median "$7")
	awk -v what="$1" -v ref="$2" -v target="$3" -v cmp="$4" -v lim="$5" -v v="$_v" -v r="$_r" 'BEGIN {
		ratio = r > 0 ? v / r : 0
		ok = cmp == "<=" ? ratio <= lim : ratio < lim
		printf "| %s | %.1f ms | %s | %.1f ms | %.3f | %s | %s |\n", what, v / 1e6, ref, r / 1e6,
			ratio, target, ok ? "yes" : "NO"
	}' >>"$rows"
	tail -1 "$rows" >&2
}
# row_ms <what> <reference> <limit-ms> <value-file> <reference-file>: the
# same, for a target in milliseconds (the ratio is shown, not judged)
row_ms() {
	_v=$(median "$4")
	_r=$(median "$5")
	awk -v what="$1" -v ref="$2" -v lim="$3" -v v="$_v" -v r="$_r" 'BEGIN {
		ratio = r > 0 ? v / r : 0
		ok = v / 1e6 < lim
		printf "| %s | %.1f ms | %s | %.1f ms | %.3f | < %s ms | %s |\n", what, v / 1e6, ref, r / 1e6,
			ratio, lim, ok ? "yes" : "NO"
	}' >>"$rows"
	tail -1 "$rows" >&2
}

spawns=$T/spawns
: >"$spawns"
# spawn_count <what> <dir> <cmd>...: spawns through the library, and every
# successful execve of the whole process tree when strace is there.
spawn_count() {
	_w=$1 _d=$2
	shift 2
	rm -f "$T/trace" "$T/strace"
	_x=-
	if command -v strace >/dev/null; then
		(cd "$_d" && GIT_SANDBOX_TRACE=$T/trace strace -f -qq -e trace=execve -o "$T/strace" "$@") \
			>/dev/null 2>&1 || { say "failed: $*"; exit 1; }
		_x=$(grep -c 'execve.*= 0$' "$T/strace" || true)
	else
		(cd "$_d" && GIT_SANDBOX_TRACE=$T/trace "$@") >/dev/null 2>&1 || { say "failed: $*"; exit 1; }
	fi
	_n=0 _what=-
	if [ -f "$T/trace" ]; then
		_n=$(grep -c '^spawn:' "$T/trace" || true)
		_what=$(awk '/^spawn:/ { s = s (s ? ", " : "") $2 " " $3 } END { print s }' "$T/trace")
	fi
	printf '| %s | %s | %s | %s |\n' "$_w" "$_n" "$_x" "$_what" >>"$spawns"
	tail -1 "$spawns" >&2
}

# --- 1. create on a 20,000-file repository -----------------------------------
say "generating a 20,000-file repository"
big=$T/big/repo
mkdir -p "$big"
git -C "$big" init -q
(cd "$big" && awk 'BEGIN {
	for (d = 0; d < 200; d++) {
		dir = sprintf("src/d%03d", d)
		system("mkdir -p " dir)
		for (f = 0; f < (d < 199 ? 100 : 99); f++) {
			p = sprintf("%s/f%03d.c", dir, f)
			printf "/* file %d of directory %d */\nint f%d_%d(void) { return %d; }\n", f, d, d, f, d * 100 + f > p
			close(p)
		}
	}
}')
cat >"$big/.gitsandbox" <<'EOF'
[sandbox]
	project = big
	slots = 100
[port "api"]
	var = BIG_API_PORT
	base = 31000
EOF
git -C "$big" add -A
git -C "$big" commit -qm "20,000 files"
nfiles=$(git -C "$big" ls-files | wc -l)
say "$nfiles files committed"
sync

# both make a worktree with a new branch next to the main one; create also
# takes a slot, writes the state, the env file and the registry. Nothing is
# removed between runs: deleting 20,000 files keeps this machine's disk busy
# (ext4, discard) for seconds and slows whichever run comes next.
sb_create() { git -C "$big" sandbox create "$1"; }
wt_add() { git -C "$big" worktree add -q -b "$1" "$T/big/ref-$1"; }
sb_create warm >/dev/null
wt_add rwarm
say "create vs git worktree add -b, $runs runs each"
i=1
while [ "$i" -le "$runs" ]; do
	if [ $((i % 2)) = 1 ]; then
		tm "$T/create" sb_create "c$i"
		tm "$T/create.ref" wt_add "r$i"
	else
		tm "$T/create.ref" wt_add "r$i"
		tm "$T/create" sb_create "c$i"
	fi
	i=$((i + 1))
done
row "\`create\`, $nfiles files" "\`git worktree add -b\`" "<= 1.10" "<=" 1.10 "$T/create" "$T/create.ref"

# one stays, for status in a large worktree
say "removing the worktrees of the create runs"
for n in warm $(seq 2 "$runs" | sed 's/^/c/'); do
	git -C "$big" sandbox destroy -f --delete-branch "$n" >/dev/null
done
for n in rwarm $(seq 1 "$runs" | sed 's/^/r/'); do
	git -C "$big" worktree remove --force "$T/big/ref-$n"
	git -C "$big" branch -qD "$n"
done
sync
bigwt=$T/big/big--c1

# --- 2. list with 10 and 100 sandboxes; port, env, status ---------------------
many=$T/many/repo
mkdir -p "$many"
git -C "$many" init -q
cat >"$many/.gitsandbox" <<'EOF'
[sandbox]
	project = many
	slots = 100
[port "api"]
	var = MANY_API_PORT
	base = 30000
EOF
echo "small" >"$many/README"
git -C "$many" add -A
git -C "$many" commit -qm small
mk_many() {
	while [ "$1" -le "$2" ]; do
		git -C "$many" sandbox create "s$1" >/dev/null
		set -- $(($1 + 1)) "$2"
	done
}
ref_list() { git -C "$many" worktree list && docker ps -a; }
sb_list() { git -C "$many" sandbox list; }
time_list() {
	i=1
	while [ "$i" -le "$quick" ]; do
		tm "$T/list$1" sb_list
		tm "$T/list$1.ref" ref_list
		i=$((i + 1))
	done
}
mk_many 1 9
# the registry holds 10: nine here and the large one
say "list with 10 sandboxes, $quick runs each"
time_list 10
row "\`list\`, 10 sandboxes" "\`git worktree list\` + \`docker ps -a\`" "<= 0.5" "<=" 0.5 "$T/list10" "$T/list10.ref"
say "creating 90 more sandboxes"
mk_many 10 99
say "list with 100 sandboxes, $quick runs each"
time_list 100
row "\`list\`, 100 sandboxes" "\`git worktree list\` + \`docker ps -a\`" "<= 0.5" "<=" 0.5 "$T/list100" "$T/list100.ref"

wt=$T/many/many--s1
in_wt() { _d=$1; shift; (cd "$_d" && "$@"); }
# what status stands for: the worktree's state and the containers'
ref_status() { git status && docker ps -a; }
say "port, env and status, $quick runs each"
i=1
while [ "$i" -le "$quick" ]; do
	tm "$T/port" in_wt "$wt" git sandbox port api
	tm "$T/toplevel" in_wt "$wt" git rev-parse --show-toplevel
	tm "$T/env" in_wt "$wt" git sandbox env
	tm "$T/status" in_wt "$wt" git sandbox status
	tm "$T/gitstatus" in_wt "$wt" git status --short
	tm "$T/status.ref" in_wt "$wt" ref_status
	tm "$T/bigstatus" in_wt "$bigwt" git sandbox status
	tm "$T/biggitstatus" in_wt "$bigwt" git status --short
	i=$((i + 1))
done
row "\`port api\`" "\`git rev-parse --show-toplevel\`" "<= 2.0" "<=" 2.0 "$T/port" "$T/toplevel"
row "\`env\`" "\`git rev-parse --show-toplevel\`" "<= 2.0" "<=" 2.0 "$T/env" "$T/toplevel"
row "\`status\`, 1-file worktree" "\`git status --short\`" "<= 2.0" "<=" 2.0 "$T/status" "$T/gitstatus"
row "\`status\`, 1-file worktree" "\`git status\` + \`docker ps -a\`" "<= 0.5" "<=" 0.5 "$T/status" "$T/status.ref"
row "\`status\`, $nfiles-file worktree" "\`git status --short\`" "<= 2.0" "<=" 2.0 "$T/bigstatus" "$T/biggitstatus"

# --- 3. up: the secrets phase, and the overhead beyond compose ---------------
say "building $image and a stack repository"
stack=$T/stack/repo
mkdir -p "$stack" "$T/image"
cp /bin/busybox "$T/image/busybox" 2>/dev/null || { say "/bin/busybox is needed (busybox-static)"; exit 1; }
cp "$src/example/Dockerfile" "$T/image/"
docker build -q -t "$image" "$T/image" >/dev/null
git -C "$stack" init -q
sed 's/git-sandbox-demo:latest/git-sandbox-bench:latest/; /^ *build: /d' \
	"$src/example/docker-compose.sandbox.yml" >"$stack/docker-compose.sandbox.yml"
cat >"$stack/.gitsandbox" <<'EOF'
[sandbox]
	project = gsbench
	compose = docker-compose.sandbox.yml
[port "api"]
	var = DEMO_API_PORT
	base = 32000
	health = /health
[port "db"]
	var = DEMO_DB_PORT
	base = 32100
	wait = tcp
[port "grafana"]
	var = DEMO_GRAFANA_PORT
	base = 32200
[port "jaeger"]
	var = DEMO_JAEGER_PORT
	base = 32300
[port "workers"]
	var = DEMO_WORKER_PORT
	base = 32400
	step = 10
	count = 4
[secrets]
	item = gsbench-dev
[secret "db_password"]
	var = DB_PASSWORD
	default = localdev
[secret "jwt_secret"]
	var = JWT_SECRET
	default = devjwt
EOF
git -C "$stack" add -A
git -C "$stack" commit -qm stack
op --fake-put Private gsbench-dev db_password=bench-db jwt_secret=bench-jwt
# the project file chooses secrets: it runs only once trusted
git -C "$stack" sandbox trust >/dev/null
git -C "$stack" sandbox create up >/dev/null
stackwt=$T/stack/gsbench--up
project=gsbench-up
say "first up (fills the secrets cache, starts the stack)"
(cd "$stackwt" && git sandbox up >/dev/null 2>"$T/err") || { cat "$T/err" >&2; exit 1; }

# secrets phase of an up whose services already run
phase() {
	_f=$1
	shift
	(cd "$stackwt" && GIT_SANDBOX_TIMING=1 "$@" >/dev/null 2>"$T/timing") ||
		{ cat "$T/timing" >&2; exit 1; }
	awk '$1 == "timing:" && $2 == "secrets" { printf "%.0f\n", $3 * 1e6 }' "$T/timing" >>"$_f"
}
say "secrets phase, op answering in 1 s, $runs runs each"
i=1
while [ "$i" -le "$runs" ]; do
	OP_FAKE_DELAY=1 phase "$T/uncached" git sandbox up --no-wait --refresh-secrets
	phase "$T/cached" git sandbox up --no-wait
	i=$((i + 1))
done
row "secrets phase of \`up\`, cached" "the same, \`--refresh-secrets\`, op taking 1 s" "< 0.02" "<" 0.02 "$T/cached" "$T/uncached"

# up from a stopped stack against compose alone, with the same files and
# environment; the stack goes down (volumes kept) before each run
compose_up() {
	(cd "$stackwt" && DB_PASSWORD=bench-db JWT_SECRET=bench-jwt \
		docker-compose -p "$project" -f docker-compose.sandbox.yml --env-file .env.sandbox up -d)
}
stack_down() {
	(cd "$stackwt" && docker-compose -p "$project" -f docker-compose.sandbox.yml \
		--env-file .env.sandbox down >/dev/null 2>&1)
}
sb_up() { (cd "$stackwt" && git sandbox up "$@"); }
say "up vs docker-compose up -d from a stopped stack, $runs runs each"
i=1
while [ "$i" -le "$runs" ]; do
	stack_down; tm "$T/up.ref" compose_up
	stack_down; tm "$T/up" sb_up
	stack_down; tm "$T/upnw" sb_up --no-wait
	i=$((i + 1))
done
# where the time of one more up goes
stack_down
(cd "$stackwt" && GIT_SANDBOX_TIMING=1 git sandbox up >/dev/null 2>"$T/timing") || { cat "$T/timing" >&2; exit 1; }
phases=$(awk '$1 == "timing:" { printf "%s%s %s ms", n++ ? ", " : "", $2, $3 }' "$T/timing")
row "\`up\` (waits for api and db)" "\`docker-compose up -d\`" "<= 1.05" "<=" 1.05 "$T/up" "$T/up.ref"
row "\`up --no-wait\`" "\`docker-compose up -d\`" "<= 1.05" "<=" 1.05 "$T/upnw" "$T/up.ref"

# up's own work, outside compose and the health checks: the phases it
# reports (GIT_SANDBOX_TIMING) less those two, for an up of a one-service
# stack (no secrets, one health check) from a stopped stack. The lease on
# the engine before compose and the record after it count in the compose
# phase. One `docker ps -a`, timed just before each up, is the yardstick.
stack_down
say "a one-service stack"
small=$T/small/repo
mkdir -p "$small"
git -C "$small" init -q
cat >"$small/docker-compose.sandbox.yml" <<'EOF'
version: "3.7"
services:
  web:
    image: git-sandbox-bench:latest
    init: true
    ports:
      - "${SMALL_WEB_PORT:-8000}:80"
    command: ["sh", "-c", "mkdir -p /www && echo ok >/www/health && exec httpd -f -p 80 -h /www"]
EOF
cat >"$small/.gitsandbox" <<'EOF'
[sandbox]
	project = gsbsmall
	compose = docker-compose.sandbox.yml
[port "web"]
	var = SMALL_WEB_PORT
	base = 32500
	health = /health
EOF
git -C "$small" add -A
git -C "$small" commit -qm small
git -C "$small" sandbox create up >/dev/null
smallwt=$T/small/gsbsmall--up
small_down() {
	(cd "$smallwt" && docker-compose -p gsbsmall-up -f docker-compose.sandbox.yml \
		--env-file .env.sandbox down >/dev/null 2>&1)
}
(cd "$smallwt" && git sandbox up >/dev/null 2>"$T/err") || { cat "$T/err" >&2; exit 1; }
: >"$T/own.phases"
own_up() {
	(cd "$smallwt" && GIT_SANDBOX_TIMING=1 git sandbox up >/dev/null 2>"$T/timing") ||
		{ cat "$T/timing" >&2; exit 1; }
	awk '$1 == "timing:" { print $2, $3 }' "$T/timing" >>"$T/own.phases"
	awk '$1 == "timing:" && $2 != "compose" && $2 != "health" { s += $3 }
		END { printf "%.0f\n", s * 1e6 }' "$T/timing" >>"$T/own"
}
say "up of a one-service stack from a stopped stack, $runs runs"
i=1
while [ "$i" -le "$runs" ]; do
	small_down
	tm "$T/own.ref" docker ps -a
	own_up
	i=$((i + 1))
done
small_down
ownwhat=$(awk '{ if (!($1 in seen)) { seen[$1] = 1; o[n++] = $1 } }
	END { for (i = 0; i < n; i++) if (o[i] != "compose" && o[i] != "health") s = s (s ? " + " : "") o[i]; print s }' "$T/own.phases")
row_ms "own work of \`up\` ($ownwhat), 1-service stack" "\`docker ps -a\`" 20 "$T/own" "$T/own.ref"
ownphases=
for _p in $(awk '{ if (!($1 in seen)) { seen[$1] = 1; print $1 } }' "$T/own.phases"); do
	awk -v p="$_p" '$1 == p { printf "%.0f\n", $2 * 1e6 }' "$T/own.phases" >"$T/own.$_p"
	ownphases="$ownphases${ownphases:+, }$_p $(ms "$(median "$T/own.$_p")") ms"
done

# --- 4. spawns per command ---------------------------------------------------
say "counting spawns"
stack_down
spawn_count "\`create\`" "$big" git sandbox create spawns
spawn_count "\`list\` (100)" "$many" git sandbox list
spawn_count "\`port api\`" "$wt" git sandbox port api
spawn_count "\`env\`" "$wt" git sandbox env
spawn_count "\`status\`" "$wt" git sandbox status
spawn_count "\`up\`, stack stopped, secrets cached" "$stackwt" git sandbox up
spawn_count "\`up --refresh-secrets\`, stack running" "$stackwt" git sandbox up --refresh-secrets

# --- the report ----------------------------------------------------------------
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
libgit2=$(dpkg-query -W -f='${Version}' 'libgit2-1*' 2>/dev/null | head -1 || true)
[ -n "$libgit2" ] || libgit2=$(pkg-config --modversion libgit2 2>/dev/null || echo unknown)
{
	echo "git-sandbox benchmarks (make bench; bench/bench.sh)"
	echo
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(uname -srm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores, ${cpu:-unknown CPU}"
	echo "git:     $(git --version | sed 's/^git version //'), libgit2 $libgit2"
	echo "docker:  client $(docker version -f '{{.Client.Version}}' 2>/dev/null), engine $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
	echo "compose: $(docker-compose version --short 2>/dev/null)"
	echo "load:    $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the end (1, 5, 15 min averages;"
	echo "         anything else running on the machine shows in the figures)"
	echo "runs:    $runs for create and up, $quick for the quick commands (BENCH_RUNS=$runs); medians"
	echo "         (less $(ms "$cal") ms, the cost of the two date(1) calls around each run)"
	echo
	echo "| what | median | reference | median | ratio | target | met |"
	echo "|---|---|---|---|---|---|---|"
	cat "$rows"
	echo
	echo "Processes per command: spawns through the library (GIT_SANDBOX_TRACE), and every"
	echo "successful execve of the whole tree under strace -f (git, the dispatcher and the"
	echo "command itself included)."
	echo
	echo "Phases of one \`up\` from a stopped stack (GIT_SANDBOX_TIMING=1): $phases."
	echo
	echo "Phases of \`up\` of the one-service stack from a stopped stack, medians of $runs: $ownphases."
	echo
	echo "| command | spawns | execve | spawned |"
	echo "|---|---|---|---|"
	cat "$spawns"
} >"$T/RESULTS"
if [ -n "$results" ]; then
	cp "$T/RESULTS" "$results"
	say "wrote $results"
fi
cat "$T/RESULTS"
