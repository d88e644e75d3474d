#!/bin/sh

test_description='git sandbox destroy, prune and init'

. ./test-lib.sh

# state_of <worktree>: the state file of a linked worktree
state_of () {
	echo "$(git -C "$1" rev-parse --absolute-git-dir)/config"
}

# has_entry <name>: the registry has a sandbox of that name
has_entry () {
	grep -qx "name = $1" "$(sb_registry)"
}

# no_entry <name>: the registry is there, and has no sandbox of that name
no_entry () {
	test -f "$(sb_registry)" && ! has_entry "$1"
}

test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	pwd -P >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'destroy refuses a worktree with changes, and changes nothing' '
	(cd ktrdr && git sandbox create dirty >/dev/null) &&
	echo change >>ktrdr--dirty/README &&
	state=$(state_of ktrdr--dirty) &&
	cp "$(sb_registry)" reg.before &&
	(cd ktrdr--dirty && test_expect_code 128 git sandbox destroy 2>../err) &&
	test_grep "uncommitted or untracked changes" err &&
	test_grep "README" err &&
	test_grep -- "--force" err &&
	test_path_is_file ktrdr--dirty/README &&
	test_path_is_file ktrdr--dirty/.env.sandbox &&
	test_path_is_file "$state" &&
	test_cmp reg.before "$(sb_registry)" &&
	git -C ktrdr rev-parse --verify -q refs/heads/dirty
'

test_expect_success 'destroy refuses untracked files too' '
	git -C ktrdr--dirty checkout -q README &&
	echo new >ktrdr--dirty/untracked &&
	cp "$(sb_registry)" reg.before &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy dirty 2>../err) &&
	test_grep "^?? untracked$" err &&
	test_path_is_file ktrdr--dirty/untracked &&
	test_cmp reg.before "$(sb_registry)"
'

test_expect_success 'destroy --force removes the worktree and releases the slot, keeps the branch' '
	(cd ktrdr--dirty && git sandbox destroy --force >../out 2>../err) &&
	test_grep "Destroyed sandbox '\''dirty'\''" out &&
	test_grep "slot 1 is free" out &&
	test_grep "cd $root/ktrdr" out &&
	test_path_is_missing ktrdr--dirty &&
	test_path_is_missing ktrdr/.git/worktrees/ktrdr--dirty &&
	no_entry dirty &&
	git -C ktrdr worktree list >wts &&
	test_line_count = 1 wts &&
	git -C ktrdr rev-parse --verify -q refs/heads/dirty &&
	(cd ktrdr && git sandbox create again >../out) &&
	test_grep "in slot 1$" out
'

test_expect_success 'destroy <name> from the main worktree' '
	(cd ktrdr && git sandbox destroy again >../out) &&
	test_grep "Destroyed sandbox '\''again'\''" out &&
	test_grep ! "directory that is gone" out &&
	test_path_is_missing ktrdr--again &&
	no_entry again
'

test_expect_success 'destroy from inside the worktree, reached through links, says where to go' '
	ln -s ktrdr ktrdr-link &&
	(cd ktrdr-link && git sandbox create linked >/dev/null) &&
	ln -s ktrdr--linked to-linked &&
	mkdir ktrdr--linked/sub &&
	(cd to-linked/sub && git sandbox destroy >../../out) &&
	test_grep "You are in a directory that is gone: cd " out &&
	test_path_is_missing ktrdr--linked &&
	rm ktrdr-link to-linked
'

test_expect_success 'destroy --keep-worktree keeps the directory, drops what made it a sandbox' '
	(cd ktrdr && git sandbox create keep >/dev/null) &&
	state=$(state_of ktrdr--keep) &&
	(cd ktrdr && git sandbox destroy keep --keep-worktree >../out) &&
	test_grep "worktree kept" out &&
	test_path_is_dir ktrdr--keep &&
	test_path_is_file ktrdr--keep/README &&
	test_path_is_missing ktrdr--keep/.env.sandbox &&
	test_path_is_missing "$state" &&
	no_entry keep &&
	git -C ktrdr worktree list >wts &&
	test_grep "$root/ktrdr--keep " wts &&
	(cd ktrdr--keep && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep "is not a sandbox" err
'

test_expect_success 'destroy --delete-branch deletes a merged branch' '
	(cd ktrdr && git sandbox create merged >/dev/null) &&
	(cd ktrdr && git sandbox destroy merged --delete-branch >../out 2>../err) &&
	test_path_is_missing ktrdr--merged &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/merged &&
	test_grep "^Deleted branch .merged.$" out &&
	test_grep ! "kept branch" err
'

test_expect_success 'destroy --delete-branch keeps an unmerged branch with a warning' '
	(cd ktrdr && git sandbox create unmerged >/dev/null) &&
	echo work >ktrdr--unmerged/work &&
	git -C ktrdr--unmerged add work &&
	git -C ktrdr--unmerged commit -q -m work &&
	(cd ktrdr && git sandbox destroy unmerged --delete-branch >../out 2>../err) &&
	test_grep "warning: kept branch '\''unmerged'\''" err &&
	test_grep ! "Deleted branch" out &&
	test_grep "git branch -D" err &&
	test_path_is_missing ktrdr--unmerged &&
	git -C ktrdr rev-parse --verify -q refs/heads/unmerged &&
	no_entry unmerged
'

test_expect_success 'destroy --delete-branch --force deletes an unmerged branch' '
	(cd ktrdr && git sandbox create unmerged2 >/dev/null) &&
	echo work >ktrdr--unmerged2/work &&
	git -C ktrdr--unmerged2 add work &&
	git -C ktrdr--unmerged2 commit -q -m work &&
	(cd ktrdr && git sandbox destroy unmerged2 --delete-branch -f >/dev/null) &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/unmerged2
'

test_expect_success 'destroy --delete-branch with --keep-worktree is refused' '
	(cd ktrdr && git sandbox create both >/dev/null) &&
	cp "$(sb_registry)" reg.before &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy both --delete-branch --keep-worktree 2>../err) &&
	test_grep "keep-worktree" err &&
	test_path_is_file ktrdr--both/.env.sandbox &&
	test_cmp reg.before "$(sb_registry)"
'

test_expect_success 'destroy in a main worktree that is slot 0 is refused' '
	cp "$(sb_registry)" reg.before &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy 2>../err) &&
	test_grep "slot 0, not a sandbox" err &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy --force 2>../err) &&
	test_path_is_file ktrdr/README &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy nosuch 2>../err) &&
	test_grep "no sandbox named '\''nosuch'\''" err &&
	test_cmp reg.before "$(sb_registry)"
'

test_expect_success 'init makes a plain clone a sandbox' '
	git clone -q ktrdr.git clone1 &&
	(cd clone1 && git sandbox init >../out) &&
	test_grep "Initialized sandbox '\''clone1'\'' in slot" out &&
	test_path_is_file clone1/.git/sandbox &&
	test "$(git config -f clone1/.git/sandbox sandbox.name)" = clone1 &&
	test_path_is_file clone1/.env.sandbox &&
	test_grep "^SANDBOX_NAME=clone1$" clone1/.env.sandbox &&
	test_grep -x "/.env.sandbox" clone1/.git/info/exclude &&
	git -C clone1 status --porcelain >st &&
	test_must_be_empty st &&
	has_entry clone1 &&
	test_grep "^gitdir = $root/clone1/.git$" "$(sb_registry)" &&
	(cd clone1 && git sandbox env >../env) &&
	test_grep "^SANDBOX_SLOT=[1-9]" env &&
	test_grep ! "^SANDBOX_SLOT=0$" env
'

test_expect_success 'init twice is refused' '
	cp "$(sb_registry)" reg.before &&
	cp clone1/.git/sandbox state.before &&
	(cd clone1 && test_expect_code 128 git sandbox init 2>../err) &&
	test_grep "already sandbox '\''clone1'\''" err &&
	test_cmp reg.before "$(sb_registry)" &&
	test_cmp state.before clone1/.git/sandbox
'

test_expect_success 'destroy never removes a main worktree' '
	slot=$(sed -n "s/^SANDBOX_SLOT=//p" clone1/.env.sandbox) &&
	# its branch is kept with it: --delete-branch is refused, naming no option not given
	(cd clone1 && test_expect_code 128 git sandbox destroy --delete-branch 2>../err) &&
	test_grep "^fatal: --delete-branch: .*clone1. is the main worktree, which is kept, and so is its branch" err &&
	test_grep ! "keep-worktree" err &&
	(cd clone1 && git sandbox destroy --force >../out 2>../err) &&
	test_grep "main worktree" err &&
	test_grep "worktree kept" out &&
	test_path_is_dir clone1 &&
	test_path_is_file clone1/README &&
	test_path_is_dir clone1/.git &&
	test_path_is_missing clone1/.git/sandbox &&
	test_path_is_missing clone1/.env.sandbox &&
	no_entry clone1 &&
	(cd clone1 && git sandbox env >../env) &&
	test_grep "^SANDBOX_SLOT=0$" env
'

test_expect_success 'init in a worktree made by hand takes its name from <project>--<name>' '
	git -C ktrdr worktree add -q ../ktrdr--hand -b hand &&
	(cd ktrdr--hand && git sandbox init >../out) &&
	test_grep "Initialized sandbox '\''hand'\''" out &&
	test_path_is_file "$(state_of ktrdr--hand)" &&
	test "$(git config -f "$(state_of ktrdr--hand)" sandbox.name)" = hand &&
	test_path_is_file ktrdr--hand/.env.sandbox &&
	has_entry hand &&
	(cd ktrdr && git sandbox status hand >../out) &&
	test_grep "^sandbox  hand (slot" out
'

test_expect_success 'init --name and --slot' '
	git -C ktrdr worktree add -q ../elsewhere -b elsewhere &&
	(cd elsewhere && git sandbox init --name picked --slot 9 >../out) &&
	test_grep "sandbox '\''picked'\'' in slot 9" out &&
	(cd elsewhere && git sandbox port api >../out) &&
	echo $(sb_port 8009) >expect &&
	test_cmp expect out
'

test_expect_success 'init with an origin that does not match sandbox.remote is refused' '
	git clone -q seed stranger &&
	cp "$(sb_registry)" reg.before &&
	(cd stranger && test_expect_code 128 git sandbox init 2>../err) &&
	test_grep "does not contain '\''ktrdr'\''" err &&
	test_grep "sandbox.remote" err &&
	test_path_is_missing stranger/.git/sandbox &&
	test_path_is_missing stranger/.env.sandbox &&
	git -C stranger remote remove origin &&
	(cd stranger && test_expect_code 128 git sandbox init 2>../err) &&
	test_grep "no remote '\''origin'\''" err &&
	test_path_is_missing stranger/.git/sandbox &&
	test_cmp reg.before "$(sb_registry)"
'

test_expect_success 'init with a bad --name or a taken --slot is refused' '
	git clone -q ktrdr.git clone2 &&
	cp "$(sb_registry)" reg.before &&
	(cd clone2 && test_expect_code 128 git sandbox init --name "a b" 2>../err) &&
	test_grep "invalid sandbox name" err &&
	(cd clone2 && test_expect_code 128 git sandbox init --slot 9 2>../err) &&
	test_grep "slot 9" err &&
	test_grep "picked" err &&
	test_path_is_missing clone2/.git/sandbox &&
	test_path_is_missing clone2/.env.sandbox &&
	test_cmp reg.before "$(sb_registry)"
'

test_expect_success 'a worktree deleted by hand shows as missing' '
	(cd ktrdr && git sandbox create gone >/dev/null) &&
	rm -rf ktrdr--gone &&
	(cd ktrdr && git sandbox list >../out) &&
	# no URL without its configuration: its ports
	test_grep "^gone  *[0-9][0-9]*  *-  *missing  *api [0-9]* db [0-9]* .*  *$root/ktrdr--gone$" out &&
	git sandbox list --json >out &&
	test_grep -F "\"name\":\"gone\"" out &&
	sed -e "s/},{/}\n{/g" out | grep "\"name\":\"gone\"" >gone.json &&
	test_grep -F "\"status\":\"missing\"" gone.json &&
	test_grep -F "\"branch\":null," gone.json &&
	(cd ktrdr && git sandbox status gone >../out) &&
	test_grep "^status   missing$" out
'

test_expect_success 'prune --dry-run changes nothing' '
	cp "$(sb_registry)" reg.before &&
	git -C ktrdr worktree list --porcelain >wts.before &&
	(cd ktrdr && git sandbox prune --dry-run >../out) &&
	test_grep "Would prune sandbox '\''gone'\''" out &&
	test_grep "worktree is gone" out &&
	test_line_count = 1 out &&
	test_cmp reg.before "$(sb_registry)" &&
	git -C ktrdr worktree list --porcelain >wts.after &&
	test_cmp wts.before wts.after &&
	test_grep "ktrdr--gone" wts.after
'

test_expect_success 'prune releases the slot and runs git worktree prune' '
	(cd ktrdr && git sandbox prune >../out) &&
	test_grep "Pruning sandbox '\''gone'\''" out &&
	no_entry gone &&
	has_entry hand &&
	has_entry both &&
	git -C ktrdr worktree list --porcelain >wts &&
	test_grep ! "ktrdr--gone" wts &&
	test_path_is_missing ktrdr/.git/worktrees/ktrdr--gone &&
	(cd ktrdr && git sandbox prune >../out 2>../err) &&
	test_must_be_empty out &&
	test_grep "nothing to prune" err
'

test_expect_success 'destroy <name> of a worktree deleted by hand releases its slot' '
	(cd ktrdr && git sandbox create gone2 >/dev/null) &&
	rm -rf ktrdr--gone2 &&
	(cd ktrdr && git sandbox destroy gone2 >../out) &&
	test_grep "Destroyed sandbox '\''gone2'\''" out &&
	no_entry gone2 &&
	git -C ktrdr worktree list --porcelain >wts &&
	test_grep ! "ktrdr--gone2" wts
'

test_expect_success 'destroy refuses files only its branch'"'"'s .gitignore hides; the project'"'"'s litter goes' '
	echo "build/" >ktrdr/.gitignore &&
	git -C ktrdr add .gitignore && git -C ktrdr commit -q -m "ignore build" &&
	(cd ktrdr && git sandbox create hide >/dev/null) &&
	echo "*.notes" >>ktrdr--hide/.gitignore &&
	git -C ktrdr--hide commit -q -am "hide the notes" &&
	echo precious >ktrdr--hide/mine.notes &&
	mkdir ktrdr--hide/build && echo junk >ktrdr--hide/build/out &&
	(cd ktrdr && test_expect_code 128 git sandbox destroy hide 2>../err) &&
	test_grep "only its branch.s .gitignore hides" err &&
	test_grep "^  mine.notes" err &&
	test_grep ! "build/" err &&
	echo precious >expect && test_cmp expect ktrdr--hide/mine.notes &&
	rm ktrdr--hide/mine.notes &&
	(cd ktrdr && git sandbox destroy hide >/dev/null) &&
	test_path_is_missing ktrdr--hide
'

test_expect_success 'prune follows a worktree moved with git worktree move, and releases nothing' '
	(cd ktrdr && git sandbox create mv >/dev/null) &&
	mkdir -p moved &&
	git -C ktrdr worktree move ../ktrdr--mv ../moved/ktrdr--mv &&
	(cd ktrdr && sb_no_docker git sandbox prune --dry-run >../out 2>&1) &&
	test_grep "Would follow sandbox .mv. (slot [0-9]*) to .$TRASH_DIRECTORY/moved/ktrdr--mv." out &&
	test_grep ! "Would prune sandbox .mv." out &&
	(cd ktrdr && sb_no_docker git sandbox prune >../out 2>&1) &&
	test_grep "Following sandbox .mv." out &&
	sb_reg_entries | grep " mv " >entry &&
	test_grep " $TRASH_DIRECTORY/moved/ktrdr--mv " entry &&
	(cd ktrdr && sb_no_docker git sandbox destroy mv >/dev/null 2>&1) &&
	test_path_is_missing moved/ktrdr--mv &&
	! sb_reg_entries | grep -q " mv "
'

test_expect_success 'a moved worktree is found by its git dir: destroy removes it there, never what holds its old path' '
	(cd ktrdr && git sandbox create s1 >/dev/null && git sandbox create s2 >/dev/null) &&
	echo s2work >ktrdr--s2/s2.txt &&
	mkdir -p else &&
	git -C ktrdr worktree move ../ktrdr--s1 ../else/ktrdr--s1 &&
	# s2 moved into the place the registry still has for s1
	git -C ktrdr worktree move ../ktrdr--s2 ../ktrdr--s1 &&
	(cd ktrdr && sb_no_docker git sandbox status s1 >../out) &&
	test_grep "^path  *$TRASH_DIRECTORY/else/ktrdr--s1\$" out &&
	(cd ktrdr && sb_no_docker git sandbox status s2 >../out) &&
	test_grep "^path  *$TRASH_DIRECTORY/ktrdr--s1\$" out &&
	(cd ktrdr && sb_no_docker git sandbox destroy --force s1 >../out 2>&1) &&
	test_path_is_missing else/ktrdr--s1 &&
	echo s2work >expect && test_cmp expect ktrdr--s1/s2.txt &&
	(cd ktrdr && sb_no_docker git sandbox prune >../out 2>&1) &&
	test_grep "Following sandbox .s2. (slot [0-9]*) to .$TRASH_DIRECTORY/ktrdr--s1." out &&
	test_grep ! "Pruning" out &&
	(cd ktrdr && sb_no_docker git sandbox destroy --force s2 >/dev/null 2>&1) &&
	test_path_is_missing ktrdr--s1
'

test_done
