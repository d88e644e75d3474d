#!/bin/sh

test_description='crashes: create, destroy, init, prune and the registry writer killed at each step'

. ./test-lib.sh

# crash <point> <command>...: the command must die by SIGKILL at that point
crash () {
	point_=$1
	shift
	GIT_SANDBOX_TEST_CRASH=$point_ "$@" >/dev/null 2>crash.err
	rc_=$?
	test "$rc_" = 137 && return 0
	echo "crash: '$*' at '$point_' exited $rc_, not 137 (SIGKILL)" >&2
	cat crash.err >&2
	return 1
}

# the entries of the sandboxes that no crash may touch
bystanders () {
	sb_reg_entries | grep " keep[12] "
}

# after_crash: the registry parses, no slot is held twice, the bystanders
# are as they were
after_crash () {
	git sandbox list >/dev/null &&
	sb_reg_entries | cut -d" " -f1 | uniq -d >dups &&
	test_must_be_empty dups &&
	bystanders >keep.now &&
	test_cmp keep.before keep.now
}

# recover: prune puts everything back in order
recover () {
	(cd ktrdr && sb_no_docker git sandbox prune >../prune.out 2>../prune.err) &&
	sb_check_consistent ktrdr &&
	bystanders >keep.now &&
	test_cmp keep.before keep.now
}

test_expect_success 'setup: two sandboxes that must survive every crash' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	(cd ktrdr && git sandbox create keep1 && git sandbox create keep2) >/dev/null &&
	bystanders >keep.before &&
	test_line_count = 2 keep.before &&
	sb_check_consistent ktrdr
'

# every step of create in turn: the machine-wide leases of its 8 ports
# (atomic writes 1 to 8, each linked into place: lease-claimed), the
# registry write of the reservation (9), the state file (10), the stack's
# record (11), the recorded git dir and stack id (12) and the env file (13)
n=0
for point in registry-locked atomic-open atomic-rename lease-claimed atomic-open:4 \
	lease-claimed:5 atomic-rename:8 lease-claimed:8 atomic-open:9 atomic-rename:9 \
	registry-written create-reserved create-worktree atomic-open:10 atomic-rename:10 \
	create-state registry-locked:2 atomic-open:11 atomic-rename:11 atomic-open:12 \
	atomic-rename:12 registry-written:2 atomic-open:13 atomic-rename:13 create-done
do
	n=$((n + 1))
	test_expect_success "create killed at $point: prune recovers, create again works" "
		(cd ktrdr && crash $point git sandbox create cr$n) &&
		after_crash &&
		recover &&
		if sb_reg_entries | grep -q ' cr$n '
		then
			: killed after the sandbox was recorded: it is kept, whole
		else
			# the very same create works again: no branch, no worktree left
			test_must_fail git -C ktrdr rev-parse -q --verify refs/heads/cr$n &&
			(cd ktrdr && git sandbox create cr$n >/dev/null)
		fi &&
		sb_check_consistent ktrdr &&
		(cd ktrdr && git sandbox destroy cr$n --delete-branch >/dev/null) &&
		sb_check_consistent ktrdr
	"
done

test_expect_success 'a half-made worktree the user worked in since is kept, and its branch' '
	(cd ktrdr && crash create-worktree git sandbox create worked) &&
	echo mine >ktrdr--worked/notes.txt &&
	(cd ktrdr && sb_no_docker git sandbox prune >../prune.out 2>../prune.err) &&
	test_grep "kept .*ktrdr--worked.: it is not what the killed create checked out" prune.err &&
	echo mine >expect && test_cmp expect ktrdr--worked/notes.txt &&
	git -C ktrdr rev-parse -q --verify refs/heads/worked &&
	git -C ktrdr worktree remove --force --force ../ktrdr--worked &&
	git -C ktrdr branch -D worked >/dev/null &&
	sb_check_consistent ktrdr
'

# destroy: the stack, the worktree, then the registry write of the release
for point in destroy-stack destroy-worktree registry-locked atomic-open atomic-rename registry-written
do
	test_expect_success "destroy killed at $point: destroy again or prune finishes it" "
		(cd ktrdr && git sandbox create victim >/dev/null) &&
		(cd ktrdr && crash $point git sandbox destroy victim) &&
		after_crash &&
		if sb_reg_entries | grep -q ' victim '
		then
			(cd ktrdr && git sandbox destroy -f victim >/dev/null)
		fi &&
		recover &&
		test_path_is_missing ktrdr--victim &&
		! sb_reg_entries | grep -q ' victim ' &&
		git -C ktrdr branch -q -D victim
	"
done

test_expect_success 'setup: a clone to init' '
	git clone -q ktrdr.git clone1
'

# init: the leases of its 8 ports (1 to 8), the registry (9), the state
# (10), the stack's record (11), the env file (12)
for point in registry-locked atomic-open lease-claimed lease-claimed:8 atomic-open:9 \
	atomic-rename:9 registry-written init-registered atomic-open:10 atomic-rename:10 \
	atomic-rename:11 init-state atomic-rename:12
do
	test_expect_success "init killed at $point: prune recovers, init again works" "
		(cd clone1 && crash $point git sandbox init) &&
		after_crash &&
		recover &&
		if ! sb_reg_entries | grep -q ' clone1 '
		then
			(cd clone1 && git sandbox init >../out) &&
			test_grep \"Initialized sandbox 'clone1'\" out
		fi &&
		(cd clone1 && git sandbox env) >env &&
		test_grep '^SANDBOX_NAME=clone1$' env &&
		sb_reg_entries | grep ' clone1 ' >entry &&
		test_line_count = 1 entry &&
		test \"\$(git config -f clone1/.git/sandbox sandbox.name)\" = clone1 &&
		sb_check_leases &&
		(cd clone1 && git sandbox destroy >/dev/null 2>&1) &&
		sb_check_leases &&
		test_path_is_missing clone1/.git/sandbox &&
		! sb_reg_entries | grep -q ' clone1 '
	"
done

# repair to other ports: the leases of the two that change (1, 2), the
# registry (3), the state (4), the env file (5)
for point in lease-claimed atomic-open:2 lease-claimed:2 repair-claimed atomic-rename:3 \
	registry-written repair-registered atomic-rename:4 atomic-rename:5
do
	test_expect_success "repair killed at $point: the leases agree, repair again finishes it" "
		moved=\"-c port.api.base=$(sb_port 8300) -c port.db.base=$(sb_port 5700)\" &&
		test_when_finished '(cd ktrdr && git sandbox destroy -f rep --delete-branch >/dev/null 2>&1)' &&
		(cd ktrdr && git sandbox create rep >/dev/null) &&
		(cd ktrdr--rep && crash $point git \$moved sandbox repair) &&
		after_crash &&
		recover &&
		(cd ktrdr--rep && git \$moved sandbox repair >../out) &&
		(cd ktrdr--rep && git \$moved sandbox repair >../out) &&
		test_grep \"is in order\" out &&
		(cd ktrdr--rep && git \$moved sandbox port api >../out) &&
		(cd ktrdr--rep && git sandbox env) >env &&
		slot=\$(sed -n 's/^SANDBOX_SLOT=//p' env) &&
		test \"\$(cat out)\" = \$(( $(sb_port 8300) + slot )) &&
		sb_check_consistent ktrdr &&
		(cd ktrdr && git sandbox destroy -f rep --delete-branch >/dev/null) &&
		sb_check_consistent ktrdr
	"
done

for point in registry-locked atomic-open atomic-rename registry-written
do
	test_expect_success "prune killed at $point: prune again finishes it" "
		(cd ktrdr && git sandbox create stale >/dev/null) &&
		rm -rf ktrdr--stale &&
		(cd ktrdr && GIT_SANDBOX_TEST_CRASH=$point sb_no_docker git sandbox prune >/dev/null 2>&1;
		 test \$? = 137) &&
		after_crash &&
		recover &&
		! sb_reg_entries | grep -q ' stale ' &&
		git -C ktrdr branch -q -D stale
	"
done

test_expect_success 'a crash point with a count fires only on that pass' '
	(cd ktrdr && GIT_SANDBOX_TEST_CRASH=atomic-rename:99 git sandbox create late >/dev/null) &&
	sb_check_consistent ktrdr &&
	(cd ktrdr && git sandbox destroy late --delete-branch >/dev/null) &&
	recover
'

test_done
