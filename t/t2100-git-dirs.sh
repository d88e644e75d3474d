#!/bin/sh

test_description='sandboxes of repositories whose git dir is not <worktree>/.git'

. ./test-lib.sh

# one layout, a project name each: the registry gives each sandbox its own slot
layout () {
	sb_write_gitsandbox "$1" &&
	sed -e "s/project = ktrdr/project = $2/" "$1" >"$1.new" &&
	mv "$1.new" "$1"
}

test_expect_success 'setup: a --separate-git-dir clone, a bare repository and a submodule' '
	sb_make_repo seed &&
	layout seed/.gitsandbox seed &&
	git clone -q --separate-git-dir "$PWD/sep.git" seed sep &&
	layout sep/.gitsandbox sep &&
	git clone -q --bare seed bare.git &&
	git -C bare.git config sandbox.project bare &&
	git init -q -b main super &&
	git -C super -c protocol.file.allow=always submodule add -q "$PWD/seed" sub &&
	git -C super commit -q -m sub &&
	layout super/sub/.gitsandbox sub
'

test_expect_success 'create works in each, and list --all shows them all from anywhere' '
	(cd sep && git sandbox create s1 >/dev/null) &&
	(cd bare.git && git sandbox create b1 >/dev/null) &&
	(cd super/sub && git sandbox create u1 >/dev/null) &&
	git -C seed sandbox list --all >out &&
	# a --separate-git-dir clone: its REPO as main_worktree_of() finds it
	test_grep "  s1  *1  *s1  " out &&
	test_grep "^bare.git  *b1 " out &&
	test_grep "^sub  *u1 " out &&
	git -C sep sandbox list --all --json >json &&
	test_grep "\"name\":\"b1\"" json
'

test_expect_success 'list in each shows its own' '
	git -C sep sandbox list >out &&
	test_grep "^s1 " out && test_grep ! "^b1 " out &&
	git -C bare.git sandbox list >out &&
	test_grep "^b1 " out && test_grep ! "^s1 " out &&
	git -C super/sub sandbox list >out &&
	test_grep "^u1 " out && test_grep ! "^s1 " out
'

test_done
