#!/bin/sh

test_description='files the tool reads are regular, not symlinks, and bounded; files it writes it can read back'

. ./test-lib.sh

# timeout: a command that hangs on what it reads fails the test, not the run
test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q seed ktrdr &&
	(cd ktrdr && git sandbox create one >/dev/null) &&
	state=$(git -C ktrdr--one rev-parse --absolute-git-dir)/config &&
	echo "$state" >state.path &&
	cp "$state" state.good &&
	cp "$(sb_registry)" registry.good
'

state=$(cat state.path 2>/dev/null)

# refused_state <why>: the commands reading the state fail fast, naming it and why
refused_state () {
	for cmd in "status" "port api" "env"
	do
		(cd ktrdr--one && test_expect_code 128 timeout 20 git sandbox $cmd 2>../err) &&
		test_grep -F "$state" err &&
		test_grep "$1" err || return 1
	done
}

test_expect_success 'a state file that is a FIFO: refused at once, not waited on' '
	test_when_finished "rm -f \"$state\" && cp state.good \"$state\"" &&
	rm "$state" && mkfifo "$state" &&
	refused_state "not a regular file" &&
	test -p "$state"
'

test_expect_success 'a state file that is a symlink to /dev/zero: refused, not read' '
	test_when_finished "rm -f \"$state\" && cp state.good \"$state\"" &&
	rm "$state" && ln -s /dev/zero "$state" &&
	refused_state "symbolic link"
'

test_expect_success 'a state file that is a symlink to a good copy: not followed' '
	test_when_finished "rm -f \"$state\" && cp state.good \"$state\"" &&
	rm "$state" && ln -s "$PWD/state.good" "$state" &&
	refused_state "symbolic link"
'

test_expect_success 'a state file over the limit: refused, not read' '
	test_when_finished "cp state.good \"$state\"" &&
	truncate -s 17M "$state" &&
	refused_state "larger than 16777216 bytes"
'

test_expect_success 'a registry that is a FIFO: refused at once, not waited on' '
	reg=$(sb_registry) &&
	test_when_finished "rm -f \"$reg\" && cp registry.good \"$reg\"" &&
	rm "$reg" && mkfifo "$reg" &&
	test_expect_code 128 timeout 20 git sandbox list 2>err &&
	test_grep -F "$reg" err &&
	test_grep "not a regular file" err &&
	(cd ktrdr && test_expect_code 128 timeout 20 git sandbox create two 2>../err) &&
	test_grep -F "$reg" err &&
	test -p "$reg" &&
	test_path_is_missing ktrdr--two
'

# a line over inih's limit would make the registry, shared by every
# repository of the user, unreadable (the project file may come to be
# refused first: either way nothing is written)
test_expect_success 'a registry line over the reader limit is never written' '
	git clone -q seed big &&
	name=$(printf "%011000d" 0 | tr 0 p) &&
	cat >>big/.gitsandbox <<-EOF &&
	[port "$name"]
		var = BIG_PORT
		base = $(sb_port 20000)
		step = 100
		count = 100
	EOF
	git -C big commit -q -m wide .gitsandbox &&
	(cd big && test_must_fail timeout 20 git sandbox create wide 2>../err) &&
	test_cmp registry.good "$(sb_registry)" &&
	test_path_is_missing big--wide &&
	git sandbox list >out &&
	test_grep "^ktrdr  *one " out
'

test_expect_success 'the state file round trip still works' '
	(cd ktrdr--one && git sandbox port api >../out) &&
	echo $(sb_port 8001) >expect &&
	test_cmp expect out
'

test_done
