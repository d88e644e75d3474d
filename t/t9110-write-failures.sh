#!/bin/sh

test_description='a write that fails (a full or broken disk): every command undoes what it made, and never hangs'

. ./test-lib.sh

# snapshot <file>: what a failed command must leave as it found it
snapshot () {
	{
		git -C ktrdr for-each-ref --format="%(refname)" refs/heads &&
		git -C ktrdr worktree list --porcelain &&
		ls -a ktrdr ../ 2>/dev/null | grep -- "--" ;
		ls ktrdr/.git/sandbox 2>/dev/null;
		cat "$(sb_registry)" 2>/dev/null;
		:
	} >"$1"
}

test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	(cd ktrdr && git sandbox create one >/dev/null) &&
	snapshot before
'

# create writes the registry (reserve), the state, the registry again
# (the worktree's git dir) and the env file (the exclude file has the
# line since the first create)
for n in 1 2 3 4
do
	test_expect_success "create whose write $n fails: a clear error, nothing left, no hang" "
		(cd ktrdr && GIT_SANDBOX_TEST_FAIL=atomic-write:$n test_expect_code 128 \
			timeout -s KILL 60 git-sandbox create f$n 2>../err) &&
		test_grep 'cannot write' err &&
		test_path_is_missing ktrdr--f$n &&
		snapshot after &&
		test_cmp before after
	"
done

# init writes the registry, the state and the env file
for n in 1 2 3
do
	test_expect_success "init whose write $n fails: a clear error, nothing left" "
		(cd ktrdr && GIT_SANDBOX_TEST_FAIL=atomic-write:$n test_expect_code 128 \
			timeout -s KILL 60 git-sandbox init 2>../err) &&
		test_grep 'cannot write' err &&
		test_path_is_missing ktrdr/.env.sandbox &&
		snapshot after &&
		test_cmp before after
	"
done

test_expect_success 'after all that, create and init work' '
	(cd ktrdr && git sandbox create f1 >/dev/null && git sandbox init >/dev/null) &&
	git -C ktrdr sandbox list >out &&
	test_grep "^f1 " out &&
	test_grep "^ktrdr " out
'

test_done
