#!/bin/sh

test_description='git sandbox create: worktree, branch, slot, env file and state'

. ./test-lib.sh

# ports <dir> <group>...: the port numbers seen from a worktree
ports () {
	dir_=$1
	shift
	for g_
	do
		(cd "$dir_" && git sandbox port "$g_") || return 1
	done
}

# snapshot <file>: what a failed create must leave unchanged
snapshot () {
	{
		git -C ktrdr for-each-ref --format="%(refname)" refs/heads &&
		git -C ktrdr worktree list --porcelain &&
		ls -d ktrdr--* 2>/dev/null
		ls -a ktrdr/.git/worktrees 2>/dev/null
		cat "$(sb_registry)" 2>/dev/null
	} >"$1"
}

# leased <name>: "<slot> <api port>" of the sandbox <name>, as list --json says
leased () {
	git -C ktrdr sandbox list --json >leased.json &&
	sed -e "s/},{\"name\"/}\n{\"name\"/g" leased.json |
	grep -F "{\"name\":\"$1\"," |
	sed -n "s/.*\"slot\":\([0-9]*\),.*\"ports\":{\"api\":\([0-9]*\)[,}].*/\1 \2/p"
}

# commit_gitsandbox <message> [<mode> <blob>]: a commit on top of main, made
# without touching any worktree, whose .gitsandbox is <blob> with <mode>, or
# that has no .gitsandbox; prints its id
commit_gitsandbox () {
	(
		GIT_INDEX_FILE=$root/index.tmp &&
		export GIT_INDEX_FILE &&
		rm -f "$GIT_INDEX_FILE" &&
		git -C ktrdr read-tree main &&
		if test $# = 3
		then
			git -C ktrdr update-index --add --cacheinfo "$2,$3,.gitsandbox"
		else
			git -C ktrdr update-index --force-remove .gitsandbox
		fi &&
		tree=$(git -C ktrdr write-tree) &&
		rm -f "$GIT_INDEX_FILE" &&
		git -C ktrdr commit-tree -p main -m "$1" "$tree"
	)
}

test_expect_success 'setup: an origin and a clone of it' '
	sb_make_repo seed &&
	echo two >seed/file &&
	git -C seed add file &&
	git -C seed commit -q -m second &&
	git -C seed branch remote-only &&
	git -C seed branch existing &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	git -C ktrdr branch existing origin/existing &&
	git -C ktrdr config sandbox.slots 20 &&
	root=$(pwd -P) &&
	echo "$root" >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'create makes a worktree beside the main one, on a new branch' '
	(cd ktrdr && git sandbox create feat >../out 2>../err) &&
	test_path_is_dir ktrdr--feat &&
	test_path_is_file ktrdr--feat/.gitsandbox &&
	echo refs/heads/feat >expect &&
	git -C ktrdr--feat symbolic-ref HEAD >actual &&
	test_cmp expect actual &&
	git -C ktrdr rev-parse main >expect &&
	git -C ktrdr--feat rev-parse HEAD >actual &&
	test_cmp expect actual &&
	test_grep "sandbox '\''feat'\'' in slot 1" out &&
	test_grep "$root/ktrdr--feat" out
'

test_expect_success 'the env file holds every port variable and the names' '
	cat >expect <<-EOF &&
	# Written by git-sandbox from this sandbox'\''s slot; regenerated when missing.
	# Ports and names only: secrets never go in this file.
	KTRDR_API_PORT=$(sb_port 8001)
	KTRDR_DB_PORT=$(sb_port 5433)
	GRAFANA_PORT=$(sb_port 3001)
	JAEGER_UI_PORT=$(sb_port 16687)
	KTRDR_WORKER_PORT_1=$(sb_port 5010)
	KTRDR_WORKER_PORT_2=$(sb_port 5011)
	KTRDR_WORKER_PORT_3=$(sb_port 5012)
	KTRDR_WORKER_PORT_4=$(sb_port 5013)
	SANDBOX_NAME=feat
	SANDBOX_SLOT=1
	COMPOSE_PROJECT_NAME=ktrdr-feat
	EOF
	test_cmp expect ktrdr--feat/.env.sandbox &&
	test_grep ! -i password ktrdr--feat/.env.sandbox
'

test_expect_success 'the env file is excluded, so the new worktree is clean' '
	test_grep -x "/.env.sandbox" ktrdr/.git/info/exclude &&
	git -C ktrdr--feat status --porcelain --untracked-files=all >actual &&
	test_must_be_empty actual
'

test_expect_success 'the state file is in the worktree'\''s private git dir' '
	gitdir=$(git -C ktrdr--feat rev-parse --absolute-git-dir) &&
	test "${gitdir%/*}" = "$root/ktrdr/.git/worktrees" &&
	test_path_is_file "$gitdir/config" &&
	test "$(git config -f "$gitdir/config" sandbox.format)" = 2 &&
	test "$(git config -f "$gitdir/config" sandbox.name)" = feat &&
	test "$(git config -f "$gitdir/config" sandbox.slot)" = 1 &&
	test "$(git config -f "$gitdir/config" sandbox.project)" = ktrdr-feat &&
	git config -f "$gitdir/config" sandbox.created >created &&
	test_grep "^[0-9][0-9]*$" created
'

test_expect_success 'the registry has the entry' '
	test_path_is_file "$(sb_registry)" &&
	test "$(sb_registry_count)" = 1 &&
	test_grep "^slot = 1$" "$(sb_registry)" &&
	test_grep "^name = feat$" "$(sb_registry)" &&
	test_grep "^path = $root/ktrdr--feat$" "$(sb_registry)" &&
	test_grep "^repo = $root/ktrdr/.git$" "$(sb_registry)" &&
	test_grep "^project = ktrdr-feat$" "$(sb_registry)" &&
	test_grep "^ports = .*api:$(sb_port 8001)" "$(sb_registry)" &&
	test_grep "^ports = .*workers:$(sb_port 5013)" "$(sb_registry)"
'

test_expect_success 'the usage guide'\''s port table: slots 0, 1 and 2' '
	(cd ktrdr && git sandbox create feat2 >/dev/null) &&
	for g in api db grafana jaeger workers
	do
		echo $g
	done >groups &&
	{
		echo "$(sb_port 8000)" && echo "$(sb_port 5432)" &&
		echo "$(sb_port 3000)" && echo "$(sb_port 16686)" &&
		echo "$(sb_port 5003) $(sb_port 5004) $(sb_port 5005) $(sb_port 5006)"
	} >expect0 &&
	{
		echo "$(sb_port 8001)" && echo "$(sb_port 5433)" &&
		echo "$(sb_port 3001)" && echo "$(sb_port 16687)" &&
		echo "$(sb_port 5010) $(sb_port 5011) $(sb_port 5012) $(sb_port 5013)"
	} >expect1 &&
	{
		echo "$(sb_port 8002)" && echo "$(sb_port 5434)" &&
		echo "$(sb_port 3002)" && echo "$(sb_port 16688)" &&
		echo "$(sb_port 5020) $(sb_port 5021) $(sb_port 5022) $(sb_port 5023)"
	} >expect2 &&
	ports ktrdr api db grafana jaeger workers >actual0 &&
	ports ktrdr--feat api db grafana jaeger workers >actual1 &&
	ports ktrdr--feat2 api db grafana jaeger workers >actual2 &&
	test_cmp expect0 actual0 &&
	test_cmp expect1 actual1 &&
	test_cmp expect2 actual2
'

test_expect_success '-b checks out an existing local branch' '
	git -C ktrdr rev-parse existing >expect &&
	(cd ktrdr && git sandbox create ex -b existing >/dev/null) &&
	echo refs/heads/existing >expect.ref &&
	git -C ktrdr--ex symbolic-ref HEAD >actual.ref &&
	test_cmp expect.ref actual.ref &&
	git -C ktrdr rev-parse existing >actual &&
	test_cmp expect actual &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/ex
'

test_expect_success '-b with a branch only on origin makes a tracking branch' '
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/remote-only &&
	(cd ktrdr && git sandbox create tr -b remote-only >/dev/null) &&
	echo refs/heads/remote-only >expect &&
	git -C ktrdr--tr symbolic-ref HEAD >actual &&
	test_cmp expect actual &&
	test "$(git -C ktrdr config branch.remote-only.remote)" = origin &&
	test "$(git -C ktrdr config branch.remote-only.merge)" = refs/heads/remote-only &&
	git -C ktrdr rev-parse origin/remote-only >expect &&
	git -C ktrdr rev-parse remote-only >actual &&
	test_cmp expect actual
'

test_expect_success '-b with a new branch and --base' '
	(cd ktrdr && git sandbox create nb -b topic/new --base main~1 >/dev/null) &&
	git -C ktrdr rev-parse main~1 >expect &&
	git -C ktrdr rev-parse topic/new >actual &&
	test_cmp expect actual &&
	echo refs/heads/topic/new >expect &&
	git -C ktrdr--nb symbolic-ref HEAD >actual &&
	test_cmp expect actual &&
	test_must_fail git -C ktrdr config branch.topic/new.remote
'

test_expect_success 'a branch checked out elsewhere is refused with that path' '
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create dup -b feat 2>../err) &&
	test_grep "$root/ktrdr--feat" err &&
	(cd ktrdr && test_expect_code 128 git sandbox create dup -b main 2>../err) &&
	test_grep "$root/ktrdr\b" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'an existing branch without -b, or --base with an existing branch, is refused' '
	snapshot before &&
	git -C ktrdr branch taken &&
	test_when_finished "git -C ktrdr branch -D taken" &&
	(cd ktrdr && test_expect_code 128 git sandbox create taken 2>../err) &&
	test_grep "already exists" err &&
	(cd ktrdr && test_expect_code 128 git sandbox create t2 -b taken --base main 2>../err) &&
	test_grep "base" err &&
	(cd ktrdr && test_expect_code 128 git sandbox create t3 --base no-such-rev 2>../err) &&
	test_grep "no-such-rev" err &&
	git -C ktrdr branch -D taken &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a name that is taken gets advice that works' '
	git -C ktrdr branch taken2 &&
	(cd ktrdr && test_expect_code 128 git sandbox create taken2 2>../err) &&
	advice=$(sed -n "s/.*use .\(-b [a-z0-9]*\)..*/\1/p" err) &&
	test "$advice" = "-b taken2" &&
	(cd ktrdr && git sandbox create taken2 $advice >/dev/null 2>&1) &&
	for again in "taken2" "taken2 -b taken2"
	do
		(cd ktrdr && test_expect_code 128 git sandbox create $again 2>../err) &&
		test_grep "already exists at .*; work there (cd .*git sandbox destroy taken2" err ||
		return 1
	done &&
	(cd ktrdr && git sandbox destroy -f --delete-branch taken2 >/dev/null 2>&1) &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/taken2
'

test_expect_success 'the post-checkout hook runs in the new worktree' '
	write_script ktrdr/.git/hooks/post-checkout <<-\EOF &&
	pwd >>"$HOME/hook-ran"
	EOF
	test_when_finished "rm -f ktrdr/.git/hooks/post-checkout" &&
	(cd ktrdr && git sandbox create hk >/dev/null) &&
	echo "$root/ktrdr--hk" >expect &&
	test_cmp expect hook-ran
'

test_expect_success 'create from inside another sandbox puts the new one beside the main worktree' '
	mkdir deep &&
	git -C ktrdr worktree add -q ../deep/wt -b deep-branch &&
	(cd deep/wt && git sandbox init >/dev/null) &&
	mkdir deep/wt/sub &&
	(cd deep/wt/sub && git sandbox create inner >../../../out) &&
	test_path_is_dir ktrdr--inner &&
	test_path_is_missing deep/ktrdr--inner &&
	test_grep "$root/ktrdr--inner" out &&
	echo refs/heads/inner >expect &&
	git -C ktrdr--inner symbolic-ref HEAD >actual &&
	test_cmp expect actual
'

test_expect_success '--slot asks for one slot' '
	(cd ktrdr && git sandbox create s15 --slot 15 >/dev/null) &&
	(cd ktrdr--s15 && git sandbox port api >../out) &&
	echo $(sb_port 8015) >expect &&
	test_cmp expect out
'

test_expect_success '--slot with a taken slot says by whom, and makes nothing' '
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create other --slot 15 2>../err) &&
	test_grep "slot 15 is taken by sandbox '\''s15'\''" err &&
	test_grep "$root/ktrdr--s15" err &&
	(cd ktrdr && test_expect_code 129 git sandbox create other --slot 0 2>../err) &&
	(cd ktrdr && test_expect_code 128 git sandbox create other --slot 21 2>../err) &&
	test_grep "out of range" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a port held by another process: that slot is skipped, the port named' '
	used=$(sb_registry_slots | tr "\n" " ") &&
	free=1 &&
	for s in $used
	do
		if test "$s" = "$free"
		then
			free=$((free + 1))
		fi
	done &&
	held=$(sb_port $((5000 + 10 * free + 2))) &&
	test_hold_port $held &&
	(cd ktrdr && git sandbox create busy >../out 2>../err) &&
	test_grep "port $held" err &&
	test_grep "slot $free" err &&
	(cd ktrdr--busy && git sandbox env >../env) &&
	test_grep ! "^SANDBOX_SLOT=$free$" env &&
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create busy2 --slot $free 2>../err) &&
	test_grep "port $held" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'hostile names are refused and nothing is created' '
	snapshot before &&
	long=$(printf "%065d" 0) &&
	nl=$(printf "a\nb") &&
	for name in "" ".x" ".." "a/b" "a b" "$nl" "\$(id)" "$long" \
		"$(printf "caf\351")" "$(printf "a\tb")" "x.lock" "a..b" "../x" "*"
	do
		(cd ktrdr && test_expect_code 128 git sandbox create "$name" 2>../err) &&
		test_grep "invalid sandbox name" err || return 1
	done &&
	(cd ktrdr && test_expect_code 128 git sandbox create -- -x 2>../err) &&
	test_grep "invalid sandbox name" err &&
	(cd ktrdr && test_expect_code 128 git sandbox create -- --x 2>../err) &&
	test_grep "invalid sandbox name" err &&
	test_path_is_missing uid=* &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a name of 64 characters is accepted' '
	long=$(printf "%064d" 0) &&
	(cd ktrdr && git sandbox create "$long" >/dev/null) &&
	test_path_is_dir "ktrdr--$long"
'

test_expect_success 'a failing git worktree add leaves no branch, no entry, and the slot free' '
	snapshot before &&
	: >ktrdr/.git/refs/heads/locked.lock &&
	test_when_finished "rm -f ktrdr/.git/refs/heads/locked.lock" &&
	(cd ktrdr && test_expect_code 128 git sandbox create locked 2>../err) &&
	test_path_is_missing ktrdr--locked &&
	rm -f ktrdr/.git/refs/heads/locked.lock &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a failing post-checkout hook leaves no worktree, no branch, no entry' '
	snapshot before &&
	write_script ktrdr/.git/hooks/post-checkout <<-\EOF &&
	echo "hook says no" >&2
	exit 1
	EOF
	test_when_finished "rm -f ktrdr/.git/hooks/post-checkout" &&
	(cd ktrdr && test_must_fail git sandbox create hookfail 2>../err) &&
	test_grep "hook says no" err &&
	rm ktrdr/.git/hooks/post-checkout &&
	test_path_is_missing ktrdr--hookfail &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a second sandbox of the same name is refused' '
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create feat 2>../err) &&
	test_grep "already exists" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a path an entry still holds (its worktree removed by hand) is refused, naming prune' '
	(cd ktrdr && git sandbox create gone >/dev/null) &&
	rm -rf ktrdr--gone &&
	git clone -q ktrdr.git ktrdr-b &&
	snapshot before &&
	(cd ktrdr-b && test_expect_code 128 git sandbox create gone 2>../err) &&
	test_grep "ktrdr--gone. is already registered as sandbox .gone., whose worktree is gone; run .git sandbox prune." err &&
	test_path_is_missing ktrdr--gone &&
	test_must_fail git -C ktrdr-b rev-parse --verify -q refs/heads/gone &&
	snapshot after &&
	test_cmp before after &&
	# the same name here: not "cd" into what is gone
	git -C ktrdr worktree prune &&
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create gone 2>../err) &&
	test_grep "sandbox .gone. is registered at .*ktrdr--gone., whose worktree is gone; run .git sandbox prune." err &&
	test_grep ! "cd " err &&
	snapshot after &&
	test_cmp before after &&
	(cd ktrdr && git sandbox prune >/dev/null) &&
	git -C ktrdr branch -q -D gone &&
	rm -rf ktrdr-b
'

test_expect_success 'an uncommitted edit of a port base here does not move the ports create leases' '
	cp ktrdr/.gitsandbox gitsandbox.saved &&
	test_when_finished "cp gitsandbox.saved ktrdr/.gitsandbox" &&
	git config -f ktrdr/.gitsandbox port.api.base $(sb_port 9000) &&
	test "$(git config -f ktrdr/.gitsandbox port.api.base)" = $(sb_port 9000) &&
	test -n "$(git -C ktrdr status --porcelain .gitsandbox)" &&
	(cd ktrdr && git sandbox create edited >/dev/null) &&
	cp gitsandbox.saved ktrdr/.gitsandbox &&
	set -- $(leased edited) &&
	test -n "$1" &&
	echo "$1 $(sb_port $((8000 + $1)))" >expect &&
	echo "$1 $2" >actual &&
	test_cmp expect actual &&
	test_grep "^ports = api:$2 " "$(sb_registry)" &&
	(cd ktrdr--edited && git sandbox port api >../actual) &&
	echo $2 >expect &&
	test_cmp expect actual &&
	test_grep -x "KTRDR_API_PORT=$2" ktrdr--edited/.env.sandbox
'

test_expect_success 'create -b --base leases the ports of that commit'\''s .gitsandbox' '
	sed "s/^	base = $(sb_port 8000)\$/	base = $(sb_port 9100)/" ktrdr/.gitsandbox >other &&
	test_grep "base = $(sb_port 9100)" other &&
	blob=$(git -C ktrdr hash-object -w --stdin <other) &&
	commit=$(commit_gitsandbox "api moved" 100644 $blob) &&
	(cd ktrdr && git sandbox create moved -b moved-br --base $commit >/dev/null) &&
	test "$(git -C ktrdr rev-parse moved-br)" = $commit &&
	test_cmp other ktrdr--moved/.gitsandbox &&
	set -- $(leased moved) &&
	test -n "$1" &&
	echo "$1 $(sb_port $((9100 + $1)))" >expect &&
	echo "$1 $2" >actual &&
	test_cmp expect actual &&
	test_grep "^ports = api:$2 " "$(sb_registry)" &&
	(cd ktrdr--moved && git sandbox port api >../actual) &&
	echo $2 >expect &&
	test_cmp expect actual &&
	test_grep -x "KTRDR_API_PORT=$2" ktrdr--moved/.env.sandbox
'

test_expect_success 'a commit whose .gitsandbox is a symbolic link is refused, and nothing is made' '
	blob=$(printf README | git -C ktrdr hash-object -w --stdin) &&
	commit=$(commit_gitsandbox "a link" 120000 $blob) &&
	short=$(git -C ktrdr rev-parse --short $commit) &&
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create linked -b linked-br --base $commit 2>../err) &&
	test_grep "cannot read '\''$short:.gitsandbox'\'': it is a symbolic link" err &&
	test_path_is_missing ktrdr--linked &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/linked-br &&
	test_grep ! "linked" "$(sb_registry)" &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a bad .gitsandbox in the commit is named as that commit'\''s' '
	blob=$(printf "[port \"api\"]\n\tvar = API_PORT\n" | git -C ktrdr hash-object -w --stdin) &&
	commit=$(commit_gitsandbox "no base" 100644 $blob) &&
	short=$(git -C ktrdr rev-parse --short $commit) &&
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create nobase -b nobase-br --base $commit 2>../err) &&
	test_grep "bad config in '\''$short:.gitsandbox'\'': port.api.base is missing" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'a commit without .gitsandbox: create points to setup, unless git config has ports' '
	commit=$(commit_gitsandbox "no project file") &&
	(cd ktrdr && test_expect_code 128 git sandbox create bare -b bare-br --base $commit 2>../err) &&
	test_grep "no ports configured .*git sandbox setup" err &&
	test_path_is_missing ktrdr--bare &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/bare-br &&
	(cd ktrdr && git -c port.web.var=WEB_PORT -c port.web.base=$(sb_port 7700) \
		sandbox create bare -b bare-br --base $commit >../out) &&
	test_path_is_missing ktrdr--bare/.gitsandbox &&
	test_grep "sandbox '\''bare'\'' in slot" out &&
	git -C ktrdr sandbox list --json >json &&
	test_grep -F "\"name\":\"bare\"," json &&
	test_grep -F "\"project\":\"ktrdr-bare\"" json &&
	test_grep "^SANDBOX_NAME=bare$" ktrdr--bare/.env.sandbox &&
	test_grep "^WEB_PORT=" ktrdr--bare/.env.sandbox &&
	test_grep ! "API_PORT" ktrdr--bare/.env.sandbox &&
	(cd ktrdr--bare && test_expect_code 128 git sandbox port api 2>../err)
'

test_expect_success '12 concurrent creates with 10 slots: 10 succeed on distinct slots' '
	mkdir conc &&
	git clone -q ktrdr.git conc/ktrdr &&
	git -C conc/ktrdr config sandbox.slots 10 &&
	XDG_STATE_HOME=$HOME/.state-conc &&
	GIT_SANDBOX_LEASES=$HOME/.leases-conc &&
	mkdir -m 1777 "$GIT_SANDBOX_LEASES" &&
	export XDG_STATE_HOME GIT_SANDBOX_LEASES &&
	(
		cd conc/ktrdr &&
		for i in 1 2 3 4 5 6 7 8 9 10 11 12
		do
			( git sandbox create c$i >../out.$i 2>../err.$i; echo $? >../rc.$i ) &
		done &&
		wait
	) &&
	cat conc/rc.* | sort | uniq -c | sed "s/^ *//" >counts &&
	printf "10 0\n2 128\n" >expect &&
	test_cmp expect counts &&
	test "$(sb_registry_count)" = 10 &&
	sb_registry_slots >slots &&
	seq 1 10 >expect &&
	test_cmp expect slots &&
	git -C conc/ktrdr worktree list >wts &&
	test_line_count = 11 wts &&
	git -C conc/ktrdr for-each-ref --format="%(refname:short)" refs/heads >branches &&
	test_line_count = 11 branches &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12
	do
		if test "$(cat conc/rc.$i)" = 0
		then
			test_path_is_dir conc/ktrdr--c$i &&
			test_grep -x "c$i" branches || return 1
		else
			test_path_is_missing conc/ktrdr--c$i &&
			test_grep "no free slot" conc/err.$i &&
			test_grep ! -x "c$i" branches || return 1
		fi
	done &&
	ls conc/ktrdr/.git/worktrees >ids &&
	test_line_count = 10 ids
'

test_done
