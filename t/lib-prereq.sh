# lib-prereq.sh: test prerequisites, as git's test-lib has them, for what a
# machine may lack (a Docker engine, zsh, podman). Sourced by test-lib.sh
# and by the scripts that do not use it (t7000).
#
#	test_lazy_prereq DOCKER 'docker info'	# tried once, when first asked
#	test_have_prereq DOCKER,ROOT || ...	# all of them hold
#	test_expect_success DOCKER 'title' 'body'
#
# A test whose prerequisite is missing is reported "ok N # skip", and a
# script that needs one everywhere ends with "1..0 # SKIP <why>"
# (test_skip_all). run-tests counts a skip as a failure unless
# GIT_SANDBOX_TEST_ALLOW_SKIP is set: the whole suite is meant to run on a
# machine set up by .ci/deps, so a skip there is something that did not
# run. Set it to run the tests a machine can.

test_prereq_missing=

# test_lazy_prereq <NAME> <script>: NAME holds if the script succeeds; the
# script runs once, in a subshell, with its output thrown away
test_lazy_prereq () {
	eval "test_prereq_script_$1=\$2"
}

# test_set_prereq <NAME>: NAME holds
test_set_prereq () {
	eval "test_prereq_have_$1=t"
}

# test_have_prereq <NAME>[,<NAME>...]: every one holds; the first missing
# is left in test_prereq_missing
test_have_prereq () {
	for prereq_ in $(printf '%s\n' "$1" | tr ',' ' ')
	do
		eval "have_=\${test_prereq_have_$prereq_-}"
		if test -z "$have_"
		then
			eval "script_=\${test_prereq_script_$prereq_-}"
			have_=no
			if test -n "$script_" && (eval "$script_") >/dev/null 2>&1 </dev/null
			then
				have_=t
			fi
			eval "test_prereq_have_$prereq_=\$have_"
		fi
		if test "$have_" != t
		then
			test_prereq_missing=$prereq_
			return 1
		fi
	done
	return 0
}

# what several scripts need
test_lazy_prereq ROOT 'test "$(id -u)" = 0'
test_lazy_prereq DOCKER 'command -v docker && docker info --format "{{.ID}}"'
test_lazy_prereq ZSH 'command -v zsh && zsh -fc "zmodload zsh/zpty"'
# a second dockerd in a network namespace (lib-engine.sh)
test_lazy_prereq NETNS_ENGINE '
	for c in ip nsenter unshare setsid dockerd docker socat openssl timeout
	do
		command -v "$c" || exit 1
	done'
# podman's own service (lib-podman.sh)
test_lazy_prereq PODMAN '
	for c in podman runc conmon catatonit ip nsenter unshare setsid docker timeout
	do
		command -v "$c" || exit 1
	done &&
	test -x /usr/lib/podman/netavark && test -x /usr/lib/podman/aardvark-dns'
