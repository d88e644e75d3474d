#!/bin/bash
# shellcheck disable=SC2016,SC1090
#
# t7000-completion: the bash and zsh completion of "git sandbox", as
# installed under $GIT_SANDBOX_PREFIX, driven through git's own completion.
#
# Standalone: prints TAP and exits non-zero if a test failed. Needs bash,
# git (with its bash completion) and, for the zsh part, zsh.
# Option -d keeps the temporary directory.

# run-tests starts the scripts with sh
if [ -z "${BASH_VERSION-}" ]; then
	exec bash "$0" "$@"
fi

debug=
for arg; do
	case "$arg" in
	-d|--debug) debug=t ;;
	-v|--verbose|-i|--immediate) ;;
	*) echo "error: unknown test option '$arg'" >&2; exit 1 ;;
	esac
done

if [ -z "${GIT_SANDBOX_PREFIX-}" ] || ! [ -x "$GIT_SANDBOX_PREFIX/bin/git-sandbox" ]; then
	echo "error: GIT_SANDBOX_PREFIX must name an installation prefix (with bin/git-sandbox)" >&2
	exit 1
fi
BASH_COMPL="$GIT_SANDBOX_PREFIX/share/bash-completion/completions/git-sandbox"
ZSH_COMPL_DIR="$GIT_SANDBOX_PREFIX/share/zsh/site-functions"

# --- a hermetic environment ---------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t7000.XXXXXX") || exit 1
TMP=$(cd "$TMP" && pwd -P)
if [ -z "$debug" ]; then
	trap 'rm -rf "$TMP"' EXIT
else
	echo "# keeping $TMP"
fi

unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE GIT_CONFIG_PARAMETERS \
	GIT_CONFIG_COUNT GIT_CONFIG_GLOBAL GIT_CONFIG_SYSTEM GIT_TRACE CDPATH \
	XDG_RUNTIME_DIR XDG_DATA_HOME
export HOME="$TMP"
export XDG_STATE_HOME="$TMP/.state" XDG_CONFIG_HOME="$TMP/.config" XDG_CACHE_HOME="$TMP/.cache"
export GIT_SANDBOX_LEASES="$TMP/.leases"
mkdir -m 1777 "$GIT_SANDBOX_LEASES" || exit 1
export GIT_CONFIG_NOSYSTEM=1 GIT_CEILING_DIRECTORIES="$TMP"
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL='author@example.com'
export GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL='committer@example.com'
export GIT_TERMINAL_PROMPT=0 GIT_PAGER=cat PAGER=cat LC_ALL=C LANG=C TZ=UTC
export PATH="$GIT_SANDBOX_PREFIX/bin:$PATH"
export ASAN_OPTIONS="abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# --- TAP ----------------------------------------------------------------

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n # skip $1"; }
. "$(cd "$(dirname "$0")" && pwd)/lib-prereq.sh" || exit 1

# check <description> <command>...: one test
check () {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# --- bash: completing a command line ---------------------------------------

# The completion function bash would call for a command ("complete -p").
compfunc () {
	local spec
	spec=$(complete -p "$1" 2>/dev/null) || return 1
	spec=${spec#*-F }
	echo "${spec%% *}"
}

# complete <line>: fill COMPREPLY as bash does for <line> with the cursor
# at its end. Words are split at blanks and, as with bash's default
# COMP_WORDBREAKS, around '='.
complete_line () {
	local line=$1 w f
	local -a split=()
	read -ra split <<<"$line"
	COMP_WORDS=()
	for w in "${split[@]}"; do
		while [[ $w == *=* ]]; do
			[ -n "${w%%=*}" ] && COMP_WORDS+=("${w%%=*}")
			COMP_WORDS+=("=")
			w=${w#*=}
		done
		[ -n "$w" ] && COMP_WORDS+=("$w")
	done
	case "$line" in
	*" "|*=) COMP_WORDS+=("") ;;
	esac
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	f=$(compfunc "${COMP_WORDS[0]}") || return 1
	"$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	REPLY_SORTED=$(printf '%s\n' "${COMPREPLY[@]}" | sed 's/ $//' | LC_ALL=C sort | tr '\n' ' ')
	REPLY_SORTED=${REPLY_SORTED% }
}

# expect <line> <words...>: completing <line> offers exactly <words> (in
# any order; a trailing space of a completion is ignored).
expect () {
	local line=$1 want
	shift
	want=$(printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' ')
	want=${want% }
	complete_line "$line" || { echo "# no completion for '$line'"; return 1; }
	if [ "$REPLY_SORTED" != "$want" ]; then
		echo "# '$line': expected [$want], got [$REPLY_SORTED]"
		return 1
	fi
}

# expect_has <line> <words...>: completing <line> offers at least <words>.
expect_has () {
	local line=$1 w
	shift
	complete_line "$line" || { echo "# no completion for '$line'"; return 1; }
	for w; do
		case " $REPLY_SORTED " in
		*" $w "*) ;;
		*) echo "# '$line': [$w] missing from [$REPLY_SORTED]"; return 1 ;;
		esac
	done
}

# --- the repositories ------------------------------------------------------

setup_repos () {
	git init -q -b master "$TMP/proj" &&
	cd "$TMP/proj" &&
	cat >.gitsandbox <<-\EOF &&
	[sandbox]
		project = proj
		slots = 5
	[port "api"]
		var = PROJ_API_PORT
		base = 27000
	[port "db"]
		var = PROJ_DB_PORT
		base = 27100
	EOF
	git add .gitsandbox &&
	git commit -q -m initial &&
	git tag v1.0 &&
	git branch feature-x &&
	git sandbox create alpha >/dev/null &&
	git sandbox create beta -b feature-y >/dev/null &&
	# a sandbox of another repository, which must not be offered
	git init -q -b master "$TMP/other" &&
	cp .gitsandbox "$TMP/other/.gitsandbox" &&
	git -C "$TMP/other" config -f .gitsandbox sandbox.project other &&
	git -C "$TMP/other" add .gitsandbox &&
	git -C "$TMP/other" commit -q -m initial &&
	git -C "$TMP/other" sandbox create gamma >/dev/null
}

GIT_COMPL=
for f in /usr/share/bash-completion/completions/git \
	/usr/local/share/bash-completion/completions/git \
	/usr/share/git/completion/git-completion.bash \
	/etc/bash_completion.d/git; do
	if [ -f "$f" ]; then GIT_COMPL=$f; break; fi
done

check 'git and its bash completion are there, git-sandbox is installed' \
	test -n "$GIT_COMPL" -a -f "$BASH_COMPL"
check 'two sandboxes in one repository, one in another' setup_repos
cd "$TMP/proj" || exit 1

# bash-completion's on-demand loader, reduced to what git's completion uses
_completion_loader () {
	local f="$GIT_SANDBOX_PREFIX/share/bash-completion/completions/$1"
	[ "$1" = git ] && f=$GIT_COMPL
	[ -f "$f" ] || return 1
	. "$f" && return 124
}

# shellcheck disable=SC1090
. "$GIT_COMPL"

check 'git sandbox <TAB> loads the completion on demand and lists the subcommands' \
	expect_has 'git sandbox ' create init up down destroy list status port env \
		exec logs path mcp secrets repair prune doctor trust
check '_git_sandbox is defined once loaded' eval 'declare -F _git_sandbox >/dev/null'
check 'git sandbox de<TAB> gives destroy' expect 'git sandbox de' destroy
check 'git sandbox --<TAB> gives the dispatcher options' \
	expect 'git sandbox --' --version --help
check 'create -<TAB>: its options' \
	expect 'git sandbox create feat -' -b --branch= --base= --slot= --engine=
check 'up --<TAB>: its options' \
	expect 'git sandbox up --' --sandbox= --build --recreate --profile= --no-secrets --refresh-secrets --no-wait --timeout=
check 'destroy -<TAB>: its options' \
	expect 'git sandbox destroy -' -s --sandbox= -f --force --keep-worktree --delete-branch
check 'down, list, status, env, logs, prune, init: their options' eval '
	expect "git sandbox down -" -s --sandbox= --all -v --volumes &&
	expect "git sandbox list -" --all --json &&
	expect "git sandbox status -" -s --sandbox= --json &&
	expect "git sandbox env -" -s --sandbox= --export &&
	expect "git sandbox logs -" -s --sandbox= -f --follow --tail= &&
	expect "git sandbox path -" -s --sandbox= &&
	expect "git sandbox secrets -" -s --sandbox= &&
	expect "git sandbox repair -" -s --sandbox= &&
	expect "git sandbox prune -" -n --dry-run &&
	expect "git sandbox init -" --name= --slot= --engine='
check 'mcp <TAB> and mcp -<TAB>: nothing, it takes no arguments' eval '
	expect "git sandbox mcp " &&
	expect "git sandbox mcp -"'
check 'create --engine <TAB>: the docker contexts' eval '
	DOCKER_CONFIG=$TMP/docker &&
	mkdir -p "$DOCKER_CONFIG" &&
	export DOCKER_CONFIG &&
	docker context create ctx-a --docker host=tcp://192.0.2.1:2375 >/dev/null &&
	expect "git sandbox create feat --engine " ctx-a default &&
	expect "git sandbox create feat --engine=ctx" ctx-a'
check 'destroy <TAB>: the sandboxes of this repository only' \
	expect 'git sandbox destroy ' alpha beta
check 'destroy -f b<TAB>: names after an option' \
	expect 'git sandbox destroy -f b' beta
check 'destroy alpha <TAB>: no second name' \
	expect 'git sandbox destroy alpha '
check 'status <TAB>: the sandbox names' \
	expect 'git sandbox status ' alpha beta
check 'status from inside a sandbox: the same names' eval '(
	cd "$TMP/proj--alpha" && expect "git sandbox status " alpha beta)'
check 'git -C <repo> sandbox destroy <TAB> from elsewhere' eval '(
	cd "$TMP" && expect "git -C $TMP/other sandbox destroy " gamma)'
check 'create -b <TAB>: the branches' \
	expect_has 'git sandbox create feat -b ' master feature-x feature-y alpha
check 'create -b fea<TAB>: the matching branches' \
	expect 'git sandbox create feat -b fea' feature-x feature-y
check 'create --branch=fea<TAB>: the matching branches' \
	expect 'git sandbox create feat --branch=fea' feature-x feature-y
check 'create --base <TAB>: commits, tags included' \
	expect_has 'git sandbox create feat --base ' HEAD master v1.0
check 'create --slot <TAB>: nothing offered' \
	expect 'git sandbox create feat --slot '
check 'port <TAB>: the port groups of .gitsandbox' \
	expect 'git sandbox port ' api db
check 'port <TAB>: port groups of git config too' eval '
	git config port.cache.var PROJ_CACHE_PORT &&
	expect "git sandbox port " api cache db; rc=$?
	git config --remove-section port.cache; (exit $rc)'
check 'port <TAB> in a sandbox: the groups it leased, not one the configuration added since' eval '
	git config port.cache.var PROJ_CACHE_PORT &&
	git config port.cache.base 27500 &&
	(cd "$TMP/proj--alpha" && expect "git sandbox port " api db); rc=$?
	git config --remove-section port.cache; (exit $rc)'
check 'port -<TAB>: its options' expect 'git sandbox port -' -s --sandbox= -l --list
check '-s <TAB> and --sandbox=<TAB>: the sandbox names, for every command that takes one' eval '(
	for sub in up down destroy status env port exec logs path secrets repair; do
		expect "git sandbox $sub -s " alpha beta &&
		expect "git sandbox $sub --sandbox " alpha beta &&
		expect "git sandbox $sub --sandbox=b" beta || exit 1
	done)'
check 'commands that act on no one sandbox take no -s' eval '
	expect "git sandbox list -" --all --json && expect "git sandbox create x -s"'
check 'path <TAB>: the sandbox names; none after -s <name>' eval '
	expect "git sandbox path " alpha beta &&
	expect "git sandbox status -s alpha "'
check 'port -s <name> <TAB>: the groups that sandbox leased' eval '
	git config port.cache.var PROJ_CACHE_PORT &&
	git config port.cache.base 27500 &&
	expect "git sandbox port -s alpha " api db; rc=$?
	git config --remove-section port.cache; (exit $rc)'
check 'exec -s <name> <TAB>: --' expect 'git sandbox exec -s alpha ' --
check 'git-sandbox-cd <TAB>: the sandbox names, once the file is loaded' eval '
	complete -p git-sandbox-cd >/dev/null &&
	expect "git-sandbox-cd " alpha beta &&
	expect "git-sandbox-cd a" alpha &&
	expect "git-sandbox-cd alpha "'
check 'git-sandbox-cd <name> goes to its worktree; a failing path leaves the directory' eval '(
	git-sandbox-cd beta && [ "$(pwd -P)" = "$TMP/proj--beta" ] &&
	! git-sandbox-cd nosuch 2>/dev/null && [ "$(pwd -P)" = "$TMP/proj--beta" ]
)'
check 'logs -f <TAB>: the services' \
	expect 'git sandbox logs -f ' api db
check 'secrets <TAB>: its actions' \
	expect 'git sandbox secrets ' status refresh clear
check 'exec <TAB>: --' \
	expect 'git sandbox exec ' --
check 'exec -<TAB>: its options and --' \
	expect 'git sandbox exec -' -s --sandbox= --secrets --
check 'exec --secrets <TAB>: --' \
	expect 'git sandbox exec --secrets ' --
check 'an alias of sandbox completes the same' eval '
	git config alias.sb sandbox && expect "git sb destroy " alpha beta'
check 'a git-sandbox-<sub> on PATH is a subcommand' eval '
	mkdir -p "$TMP/bin" && printf "#!/bin/sh\n" >"$TMP/bin/git-sandbox-frob" &&
	chmod +x "$TMP/bin/git-sandbox-frob" &&
	PATH="$TMP/bin:$PATH" expect "git sandbox fr" frob'

# The command git-sandbox, in a shell where bash-completion loads only our
# file: it must load git's completion itself.
check 'git-sandbox <TAB> alone: loads git completion, subcommands, names' eval '(
	unset -f $(compgen -A function | grep -v -e "^_completion_loader\$" \
		-e "^complete_line\$" -e "^expect" -e "^compfunc\$")
	complete -r
	. "$BASH_COMPL" &&
	expect_has "git-sandbox " create destroy status &&
	expect "git-sandbox destroy " alpha beta &&
	expect "git-sandbox create x -b feature-" feature-x feature-y
)'

# --- zsh -------------------------------------------------------------------

# zcomplete <line>: the words zsh's completion offers for <line>, one a line.
zcomplete () {
	local out="$TMP/zsh.out"
	rm -f "$out"
	# shellcheck disable=SC2016
	ZLINE=$1 ZOUT=$out ZFPATH=$ZSH_COMPL_DIR timeout 60 zsh -f -c '
		zmodload zsh/zpty || exit 1
		zpty z zsh -f -i
		zpty -w z "PS1=; fpath=(\$ZFPATH \$fpath); autoload -Uz compinit; compinit -u -d \$ZOUT.dump"
		zpty -w z "compadd () { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi; local -a h; builtin compadd -A h \"\$@\"; (( \$#h )) && print -rl -- \$h >>\$ZOUT; builtin compadd \"\$@\"; }"
		zpty -w z "_t7000_end () { print -r -- END >>\$ZOUT; exit; }; comppostfuncs=(_t7000_end)"
		zpty -w -n z "$ZLINE"$'"'"'\t'"'"'
		while zpty -r z junk; do :; done 2>/dev/null
		zpty -d z'
	[ -f "$out" ] && grep -q '^END$' "$out" || return 1
	grep -v '^END$' "$out" | LC_ALL=C sort -u
}

# zexpect <line> <words...>: zsh offers exactly <words> for <line>.
zexpect () {
	local line=$1 got want
	shift
	got=$(zcomplete "$line") || { echo "# zsh did not complete '$line'"; return 1; }
	got=$(echo "$got" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | LC_ALL=C sort -u | tr '\n' ' ')
	if [ "$got" != "$want" ]; then
		echo "# zsh '$line': expected [$want], got [$got]"
		return 1
	fi
}

if test_have_prereq ZSH; then
	check 'zsh: _git-sandbox is installed' test -f "$ZSH_COMPL_DIR/_git-sandbox"
	check 'zsh: git sandbox <TAB> lists the subcommands' \
		zexpect 'git sandbox ' create init up down destroy list status port \
			env exec logs path mcp secrets repair prune doctor trust setup
	check 'zsh: git sand<TAB> offers sandbox' zexpect 'git sand' sandbox
	check 'zsh: create -<TAB>: its options' \
		zexpect 'git sandbox create feat -' -b --branch --base --slot --engine
	check 'zsh: destroy <TAB>: the sandboxes of this repository' \
		zexpect 'git sandbox destroy ' alpha beta
	check 'zsh: create -b fea<TAB>: the branches' \
		zexpect 'git sandbox create feat -b fea' feature-x feature-y
	check 'zsh: port <TAB>: the services' zexpect 'git sandbox port ' api db
	check 'zsh: exec -<TAB>: its options and --' zexpect 'git sandbox exec -' -s --sandbox= --secrets --
	check 'zsh: git-sandbox status <TAB>' zexpect 'git-sandbox status ' alpha beta
	check 'zsh: up -s <TAB> and path <TAB>: the sandbox names' eval '
		zexpect "git sandbox up -s " alpha beta &&
		zexpect "git sandbox path " alpha beta'
	check 'zsh: git-sandbox-cd <TAB>: the sandbox names' zexpect 'git-sandbox-cd ' alpha beta
	check 'zsh: the file sourced defines git-sandbox-cd' eval '
		out=$(cd "$TMP/proj" && zsh -fc "autoload -Uz compinit && compinit -u -d $TMP/zsh.dump2 &&
			source $ZSH_COMPL_DIR/_git-sandbox && git-sandbox-cd alpha && pwd -P") &&
		[ "$out" = "$TMP/proj--alpha" ]'
else
	skip "zsh: its completion (missing $test_prereq_missing: zsh with zsh/zpty)"
fi

echo "1..$n"
[ "$failed" = 0 ]
