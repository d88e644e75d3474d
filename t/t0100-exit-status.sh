#!/bin/sh

test_description='fatal: exactly where the exit status is 128, -h with its options'

. ./test-lib.sh

# expect_fatal <message> <command>...: exits 128 and the last line on
# stderr is "fatal: <message>" (a grep pattern)
expect_fatal () {
	msg_=$1
	shift
	test_expect_code 128 "$@" 2>"$TRASH_DIRECTORY/err.fatal" &&
	tail -n 1 "$TRASH_DIRECTORY/err.fatal" >"$TRASH_DIRECTORY/last.fatal" &&
	test_grep "^fatal: $msg_" "$TRASH_DIRECTORY/last.fatal"
}

test_expect_success 'setup' '
	sb_make_repo ktrdr &&
	(cd ktrdr && git sandbox create feat >/dev/null)
'

test_expect_success 'no command exits 128 but through die()' '
	top=$TEST_DIRECTORY/.. &&
	grep -n "EXIT_FATAL\|exit(128)\|_exit(128)" "$top"/git-sandbox/*.c "$top"/lib/*.c >found || : &&
	grep -v "^$top/lib/util\.[ch]:" found >bare || : &&
	test_must_be_empty bare
'

test_expect_success 'a command whose lib call failed says fatal: after the error' '
	reg=$(sb_registry) &&
	cp "$reg" registry.good &&
	test_when_finished "cp registry.good \"$reg\"" &&
	printf "[sandbox 9\nslot = \n" >>"$reg" &&
	(cd ktrdr && expect_fatal "cannot list the sandboxes" git sandbox list) &&
	test_grep "^error: the registry .* is corrupt at line" err.fatal &&
	(cd ktrdr && expect_fatal "the sandbox was not created" git sandbox create other) &&
	(cd ktrdr && expect_fatal "the registry of sandboxes cannot be read" git sandbox status -s feat)
'

test_expect_success 'a failed write to stdout is fatal' '
	test -w /dev/full || { echo "/dev/full is missing"; false; } &&
	(cd ktrdr--feat && expect_fatal "write failure on standard output" git sandbox env >/dev/full) &&
	(cd ktrdr--feat && expect_fatal "write failure on standard output" git sandbox port --list >/dev/full) &&
	(cd ktrdr && expect_fatal "write failure on standard output" git sandbox path feat >/dev/full)
'

test_expect_success 'setup --write that cannot write is fatal and names the file' '
	rm -f ktrdr--feat/.gitsandbox &&
	cat >ktrdr--feat/docker-compose.yml <<-\EOF &&
	services:
	  web:
	    image: x
	    ports: ["${WEB_PORT:-8080}:80"]
	EOF
	(cd ktrdr--feat && GIT_SANDBOX_TEST_FAIL=atomic-write \
		expect_fatal ".*\.gitsandbox. was not written" git sandbox setup --write) &&
	test_grep "^error: cannot write .*\.gitsandbox" err.fatal &&
	test_path_is_missing ktrdr--feat/.gitsandbox
'

test_expect_success 'a usage error is 129 with no fatal:' '
	(cd ktrdr && test_expect_code 129 git sandbox up --no-such 2>../err) &&
	test_grep "^error: unknown option" err &&
	test_grep ! "^fatal:" err &&
	(cd ktrdr && test_expect_code 129 git sandbox status a b 2>../err) &&
	test_grep ! "^fatal:" err
'

test_expect_success '-h prints the usage, then each option with one line of help' '
	test_expect_code 129 git sandbox up -h >out &&
	head -n 1 out >first &&
	test_grep "^usage: git sandbox up \[-s <name>\]" first &&
	test_grep "^    -s, --sandbox <name>  act on this sandbox of the repository$" out &&
	test_grep "^    --timeout <s>  *seconds to wait for the health checks$" out &&
	test_grep "^    --profile <name>  *enable a compose profile" out &&
	test_expect_code 129 git sandbox create -h >out &&
	test_grep "^    -b, --branch <branch>$" out &&
	test_grep "^                          check out <branch>" out &&
	test_expect_code 129 git sandbox doctor -h >out &&
	test_line_count = 1 out
'

test_done
