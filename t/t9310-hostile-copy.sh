#!/bin/sh

test_description='sandbox.copy never follows a symbolic link the branch committed'

. ./test-lib.sh

# make_branch <branch> (link|file <path> <target or text>)...: a branch off
# main adding each entry, made without touching a worktree
make_branch () {
	(
		branch=$1 &&
		shift &&
		GIT_INDEX_FILE=$TRASH_DIRECTORY/branch.index &&
		export GIT_INDEX_FILE &&
		cd ktrdr &&
		git read-tree main &&
		while test $# -ge 3
		do
			case "$1" in
			link) mode=120000 ;;
			file) mode=100644 ;;
			esac &&
			blob=$(printf "%s" "$3" | git hash-object -w --stdin) &&
			git update-index --add --cacheinfo "$mode,$blob,$2" &&
			shift 3 || exit 1
		done &&
		tree=$(git write-tree) &&
		commit=$(git commit-tree -p main -m "$branch" "$tree") &&
		git branch "$branch" "$commit" &&
		rm -f "$GIT_INDEX_FILE"
	)
}

# use_copy <path>...: the sandbox.copy values, in the repository's own config
use_copy () {
	git -C ktrdr config --unset-all sandbox.copy
	for p
	do
		git -C ktrdr config --add sandbox.copy "$p" || return 1
	done
}

# snapshot <file>: the decoy and the main worktree, names, kinds and contents
snapshot () {
	for d in decoy ktrdr
	do
		(cd "$d" && find . -path ./.git -prune -o -print | sort | while read -r f
		do
			if test -L "$f"
			then
				echo "$d $f -> $(readlink "$f")"
			elif test -f "$f"
			then
				echo "$d $f: $(cat "$f")"
			else
				echo "$d $f/"
			fi
		done) || return 1
	done >"$1"
}

# refused <name> <branch> <offending path>: create fails naming the path as a
# link, and leaves no worktree, no sandbox and nothing written in the decoy
# or the main worktree
refused () {
	snapshot before &&
	(cd ktrdr && test_expect_code 128 git sandbox create "$1" -b "$2" 2>../err) &&
	test_grep -F "'$TRASH_DIRECTORY/ktrdr--$1/$3' is a symbolic link in the new worktree; not following it" err &&
	snapshot after &&
	test_cmp before after &&
	test_path_is_missing "ktrdr--$1" &&
	git -C ktrdr worktree list >wt &&
	test_grep ! "ktrdr--$1" wt &&
	(cd ktrdr && git sandbox list >../list) &&
	test_grep ! "^$1 " list &&
	test_grep ! "ktrdr--$1" "$(sb_registry)"
}

test_expect_success 'setup' '
	sb_make_repo ktrdr &&
	printf ".claude/\n.env.local\nconf/\na/\n" >ktrdr/.gitignore &&
	git -C ktrdr add .gitignore && git -C ktrdr commit -q -m ignore &&
	mkdir ktrdr/.claude && echo "{\"token\": \"private\"}" >ktrdr/.claude/settings.local.json &&
	echo "LOCAL=1" >ktrdr/.env.local &&
	mkdir -p ktrdr/conf/sub && echo deep >ktrdr/conf/sub/file && ln -s sub/file ktrdr/conf/link &&
	mkdir -p ktrdr/a/b && echo "{}" >ktrdr/a/b/c.json &&
	mkdir decoy && echo "keep me" >decoy/keep &&
	(cd ktrdr && git sandbox create first >/dev/null 2>&1)
'

test_expect_success 'a directory on the way that is a link to a directory outside: refused' '
	make_branch evil-dir link .claude "$TRASH_DIRECTORY/decoy" &&
	use_copy .claude/settings.local.json &&
	refused one evil-dir .claude &&
	test_grep -F "sandbox.copy '"'"'.claude/settings.local.json'"'"'" err &&
	test_path_is_missing decoy/settings.local.json
'

test_expect_success 'the copied file itself is a link in the checkout: refused, not written' '
	make_branch evil-file link .env.local ../decoy/planted &&
	use_copy .env.local &&
	refused two evil-file .env.local &&
	test_path_is_missing decoy/planted
'

test_expect_success 'a copied directory that is a link to a directory outside: refused' '
	make_branch evil-tree link conf ../decoy &&
	use_copy conf &&
	refused three evil-tree conf &&
	test_path_is_missing decoy/sub
'

test_expect_success 'a link deeper down, under a real directory: refused' '
	make_branch evil-deep link a/b ../decoy &&
	use_copy a/b/c.json &&
	refused four evil-deep a/b &&
	test_path_is_missing decoy/c.json
'

test_expect_success 'a link inside a copied directory tree: refused' '
	make_branch evil-sub link conf/sub "$TRASH_DIRECTORY/decoy" &&
	use_copy conf/ &&
	refused five evil-sub conf/sub &&
	test_path_is_missing decoy/file
'

test_expect_success 'a link in a later value undoes the earlier copies with the worktree' '
	use_copy .env.local .claude/settings.local.json &&
	refused six evil-dir .claude
'

test_expect_success 'a nested copy still works; a link in the source is copied as a link' '
	use_copy .claude/settings.local.json a/b/c.json conf/ .env.local &&
	snapshot before &&
	(cd ktrdr && git sandbox create seven >/dev/null 2>../err) &&
	snapshot after &&
	test_cmp before after &&
	test_cmp ktrdr/.claude/settings.local.json ktrdr--seven/.claude/settings.local.json &&
	test_cmp ktrdr/a/b/c.json ktrdr--seven/a/b/c.json &&
	test_cmp ktrdr/conf/sub/file ktrdr--seven/conf/sub/file &&
	test_cmp ktrdr/.env.local ktrdr--seven/.env.local &&
	test -L ktrdr--seven/conf/link &&
	test "$(readlink ktrdr--seven/conf/link)" = sub/file
'

test_expect_success 'a file the checkout has of its own is kept' '
	make_branch own-env file .env.local BRANCH=1 &&
	use_copy .env.local &&
	(cd ktrdr && git sandbox create eight -b own-env >/dev/null 2>&1) &&
	test "$(cat ktrdr--eight/.env.local)" = BRANCH=1
'

test_expect_success 'values with "." or empty components are refused, nothing made' '
	for v in . ./.env.local a/./b a//b .claude//settings.local.json
	do
		use_copy "$v" &&
		(cd ktrdr && test_expect_code 128 git sandbox create nine 2>../err) &&
		test_grep -F "sandbox.copy '"'"'$v'"'"' has an empty or '"'"'.'"'"' component" err &&
		test_path_is_missing ktrdr--nine &&
		test_must_fail git -C ktrdr rev-parse -q --verify refs/heads/nine || return 1
	done
'

test_expect_success 'values that leave the worktree are still refused' '
	for v in ../decoy/x /tmp/x a/../../x ..
	do
		use_copy "$v" &&
		(cd ktrdr && test_expect_code 128 git sandbox create nine 2>../err) &&
		test_grep "must be a path inside the worktree" err &&
		test_path_is_missing ktrdr--nine || return 1
	done
'

test_expect_success 'doctor and trust refuse what create refuses, from the project file too' '
	use_copy ../decoy/x &&
	(cd ktrdr && git sandbox doctor >../out; test $? = 1) &&
	test_grep "^fail  *bad config in your git configuration: sandbox.copy .\.\./decoy/x. must be a path inside the worktree" out &&
	test_grep ! "is valid" out &&
	git -C ktrdr config --unset-all sandbox.copy &&
	cp ktrdr/.gitsandbox gs.saved &&
	test_when_finished "cp gs.saved ktrdr/.gitsandbox" &&
	printf "[sandbox]\n\tcopy = a/../../x\n" >>ktrdr/.gitsandbox &&
	(cd ktrdr && git sandbox doctor >../out; test $? = 1) &&
	test_grep "^fail  *bad config in .*/ktrdr/\.gitsandbox.: sandbox.copy .a/\.\./\.\./x. must be a path inside the worktree" out &&
	(cd ktrdr && test_expect_code 128 git sandbox trust >../out 2>../err) &&
	test_grep "^fatal: bad config in .*/ktrdr/\.gitsandbox.: sandbox.copy .a/\.\./\.\./x. must be a path inside the worktree" err &&
	test_must_fail git config --global --get-all sandbox.trust
'

test_done
