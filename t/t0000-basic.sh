#!/bin/sh

test_description='the dispatcher, usage and help of every command'

. ./test-lib.sh

commands="create init list status port env exec destroy prune"

test_expect_success 'git sandbox -h prints the usage and the commands on stdout, exit 129' '
	test_expect_code 129 git sandbox -h >out 2>err &&
	test_grep "^usage: git sandbox " out &&
	test_grep "^   create " out &&
	test_grep "^   prune " out &&
	test_must_be_empty err
'

test_expect_success 'git sandbox without a command: usage on stderr, exit 129' '
	test_expect_code 129 git sandbox >out 2>err &&
	test_must_be_empty out &&
	test_grep "^usage: git sandbox " err &&
	test_grep "^   create  " err
'

test_expect_success 'an unknown command is refused, with the most similar one' '
	test_expect_code 129 git sandbox lst >out 2>err &&
	test_must_be_empty out &&
	test_grep "'\''lst'\'' is not a sandbox command" err &&
	test_grep "most similar command" err &&
	test_grep "^	list$" err
'

test_expect_success 'the suggestion follows git'"'"'s similarity rule, not prefixes or plain edits' '
	test_expect_code 129 git sandbox lsit 2>err &&
	test_grep "most similar command is" err &&
	test_grep "^	list$" err &&
	test_grep ! "^	init$" err &&
	test_expect_code 129 git sandbox stat 2>err &&
	test_grep "^	status$" err &&
	test_expect_code 129 git sandbox dwon 2>err &&
	test_grep "^	down$" err
'

test_expect_success 'help <command> opens its page; help of no command says so, exit 1' '
	test_expect_code 1 git sandbox help nosuch >out 2>err &&
	test_must_be_empty out &&
	test_grep "no help for .nosuch.: not a sandbox command" err &&
	test_expect_code 1 git sandbox help lsit 2>err &&
	test_grep "^	list$" err &&
	(unset MANPATH && MANPAGER=cat MANWIDTH=80 git sandbox help down >out 2>err) &&
	head -n 1 out >first &&
	test_grep "GIT-SANDBOX-DOWN(1)" first
'

test_expect_success 'a mistyped option gets the most similar one' '
	test_expect_code 129 git sandbox down --volume 2>err &&
	test_grep "unknown option .--volume.; did you mean .--volumes.?" err &&
	test_expect_code 129 git sandbox list --bogus-thing 2>err &&
	test_grep "unknown option .--bogus-thing.$" err
'

test_expect_success 'a command far from every known one gets no suggestion' '
	test_expect_code 129 git sandbox frobnicate 2>err &&
	test_grep "not a sandbox command" err &&
	test_grep ! "most similar" err
'

test_expect_success 'an unknown option of the dispatcher is a usage error' '
	test_expect_code 129 git sandbox --bogus >out 2>err &&
	test_must_be_empty out &&
	test_grep "^usage: git sandbox " err
'

test_expect_success '--version' '
	git sandbox --version >out &&
	test_grep "^git-sandbox version [0-9][0-9.]*" out &&
	git-sandbox --version >out2 &&
	test_cmp out out2
'

test_expect_success 'a git-sandbox-foo on PATH becomes git sandbox foo' '
	mkdir bin &&
	cat >bin/git-sandbox-foo <<-\EOS &&
	#!/bin/sh
	echo "foo called with: $*"
	exit 3
	EOS
	chmod +x bin/git-sandbox-foo &&
	PATH="$HOME/bin:$PATH" test_expect_code 3 git sandbox foo a "b c" >out &&
	echo "foo called with: a b c" >expect &&
	test_cmp expect out
'

test_expect_success 'a git alias for sandbox works' '
	sb_make_repo ktrdr &&
	git -C ktrdr -c alias.sb=sandbox sb list >out 2>err &&
	git -C ktrdr sandbox list >expect 2>expect.err &&
	test_cmp expect out &&
	git -C ktrdr -c alias.sb=sandbox sb port api >out &&
	echo $(sb_port 8000) >expect &&
	test_cmp expect out
'

test_expect_success 'the installed commands and the dispatcher come from the prefix' '
	for c in $commands
	do
		test -x "$GIT_SANDBOX_PREFIX/bin/git-sandbox-$c" || return 1
	done
'

for c in $commands
do
	test_expect_success "git sandbox $c -h: usage on stdout, exit 129" "
		test_expect_code 129 git sandbox $c -h >out 2>err &&
		test_grep '^usage: git sandbox $c' out &&
		test_must_be_empty err &&
		(cd ktrdr && test_expect_code 129 git sandbox $c -h >../out2) &&
		test_cmp out out2
	"

	test_expect_success "git sandbox $c --bogus: usage on stderr, exit 129" "
		(cd ktrdr && test_expect_code 129 git sandbox $c --bogus >../out 2>../err) &&
		test_must_be_empty out &&
		test_grep 'usage: git sandbox $c' err &&
		test_grep 'bogus' err
	"
done

test_expect_success 'a missing argument is a usage error' '
	(
		cd ktrdr &&
		test_expect_code 129 git sandbox create 2>../err1 &&
		test_expect_code 129 git sandbox port 2>../err2 &&
		test_expect_code 129 git sandbox exec 2>../err3 &&
		test_expect_code 129 git sandbox list extra 2>../err4
	) &&
	test_grep "usage: git sandbox create" err1 &&
	test_grep "usage: git sandbox port" err2 &&
	test_grep "usage: git sandbox exec" err3 &&
	test_grep "usage: git sandbox list" err4
'

test_expect_success 'outside a repository a command fails with git'\''s message' '
	test_expect_code 128 git sandbox port api 2>err &&
	test_grep "^fatal: not a git repository" err
'

# a test script of its own, run by run-tests, in a copy of t/'s libraries
write_meta_test () {
	mkdir -p meta &&
	cp "$TEST_DIRECTORY/test-lib.sh" "$TEST_DIRECTORY/lib-prereq.sh" "$TEST_DIRECTORY/run-tests" \
		"$TEST_DIRECTORY/lsan.supp" meta/ &&
	cat >"meta/$1" &&
	chmod +x "meta/$1"
}

test_expect_success 'prerequisites: a test with one missing is skipped, a lazy one is tried once' '
	write_meta_test t0001-meta.sh <<-\EOF &&
	test_description=meta
	. ./test-lib.sh
	test_lazy_prereq NEVER "echo tried >>$TRASH_DIRECTORY/../tries; false"
	test_lazy_prereq ALWAYS true
	test_expect_success NEVER "needs NEVER" "false"
	test_expect_success NEVER,ALWAYS "needs both" "false"
	test_expect_success ALWAYS "needs ALWAYS" "true"
	test_expect_success "needs nothing" "true"
	test_done
	EOF
	(cd meta && GIT_SANDBOX_TEST_ALLOW_SKIP=1 ./run-tests t0001-meta.sh >../out 2>&1) &&
	test_grep "^ok 1 # skip needs NEVER (missing NEVER)$" out &&
	test_grep "^ok 2 # skip needs both (missing NEVER)$" out &&
	test_grep "^ok 3 - needs ALWAYS$" out &&
	test_grep "^2 passed, 0 failed, 2 skipped$" out &&
	test_line_count = 1 meta/tries
'

test_expect_success 'prerequisites: a skip fails the run unless GIT_SANDBOX_TEST_ALLOW_SKIP is set' '
	(cd meta && test_must_fail env -u GIT_SANDBOX_TEST_ALLOW_SKIP ./run-tests t0001-meta.sh >../out 2>&1) &&
	test_grep "2 test(s) skipped for what this machine lacks" out
'

test_expect_success 'prerequisites: a script skipped whole counts as a skip' '
	write_meta_test t0002-meta.sh <<-\EOF &&
	test_description=meta
	. ./test-lib.sh
	test_lazy_prereq NEVER false
	test_skip_all NEVER "what it needs"
	test_expect_success "never runs" "false"
	test_done
	EOF
	(cd meta && GIT_SANDBOX_TEST_ALLOW_SKIP=1 ./run-tests t0002-meta.sh >../out 2>&1) &&
	test_grep "^1\.\.0 # SKIP what it needs (missing NEVER)$" out &&
	test_grep "^0 passed, 0 failed, 1 skipped$" out &&
	test_path_is_missing meta/trash.t0002-meta &&
	(cd meta && test_must_fail env -u GIT_SANDBOX_TEST_ALLOW_SKIP ./run-tests t0002-meta.sh >/dev/null 2>&1)
'

test_done
