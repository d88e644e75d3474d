#!/bin/sh

test_description='a write that fails (a full or broken disk): every command undoes what it made, and never hangs'

. ./test-lib.sh

# snapshot <file>: what a failed command must leave as it found it
snapshot () {
	sb_snapshot ktrdr "$1"
}

test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	(cd ktrdr && git sandbox create one >/dev/null) &&
	snapshot before
'

# create writes the registry (reserve), the state, the stack's record,
# the registry again (the worktree's git dir and the stack id) and the env
# file (the exclude file has the line since the first create)
for n in 1 2 3 4 5
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

# init writes the registry, the state, the stack's record and the env file
for n in 1 2 3 4
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

# A create in progress marks its registry entry with its pid and start
# time; prune must leave it alone, and only it.
test_expect_success 'prune during a running create takes neither its slot nor its worktree' '
	mkdir -p slowbin &&
	write_script slowbin/git <<-EOF &&
	case " \$* " in *" worktree add "*) sleep 4 ;; esac
	exec $(command -v git) "\$@"
	EOF
	(
		cd ktrdr || exit 1
		( PATH="$HOME/slowbin:$PATH" git-sandbox create slow >../slow.out 2>../slow.err
		  echo $? >../slow.rc ) &
		sleep 2 &&
		git sandbox prune >../prune.out 2>&1 &&
		wait
	) &&
	test "$(cat slow.rc)" = 0 &&
	test_grep ! "slow" prune.out &&
	test_path_is_dir ktrdr--slow &&
	git -C ktrdr sandbox list >out &&
	test_grep "^slow " out
'

test_expect_success 'a create mark whose pid now names another process is stale' '
	reg=$(sb_registry) &&
	awk -v pid=$$ "/^name = / { n = \$3 } { print } /^created = / && n == \"slow\" { print \"creating = \" pid \":1\" }" \
		"$reg" >reg.new && cp reg.new "$reg" &&
	test_grep "creating = $$:1" "$reg" &&
	git -C ktrdr sandbox prune >out 2>&1 &&
	test_grep "Pruning sandbox .slow.*its creation never finished" out &&
	git -C ktrdr sandbox list >out &&
	test_grep ! "^slow " out
'

test_done
