#!/bin/sh

test_description='hostile and broken input: names, files, secrets and the environment'

. ./test-lib.sh

sb_fake_op

snapshot () {
	sb_snapshot ktrdr "$1"
}

test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	(cd ktrdr && git sandbox create one >/dev/null) &&
	cp "$(sb_registry)" registry.good
'

test_expect_success 'names: look-alikes, tab, backquotes, quotes are refused, nothing made' '
	snapshot before &&
	for name in "$(printf "f\320\265at")" "$(printf "\357\275\206eat")" "$(printf "a\342\200\213b")" \
		"$(printf "a\tb")" "\`id\`" "a\`b" "a'\''b" "a\"b" "a;b" "a|b" "a\\b" "~x" "a:b"
	do
		(cd ktrdr && test_expect_code 128 git sandbox create "$name" 2>../err) &&
		test_grep "invalid sandbox name" err || return 1
	done &&
	snapshot after &&
	test_cmp before after
'

# refused_registry <what>: create and list fail naming the registry, which is unchanged
refused_registry () {
	cp "$(sb_registry)" reg.before &&
	(cd ktrdr && test_expect_code 128 git sandbox create two 2>../err) &&
	test_grep -F "registry '$(sb_registry)'" err &&
	test_grep "$1" err &&
	test_expect_code 128 git sandbox list 2>err &&
	test_grep "$(sb_registry)" err &&
	(cd ktrdr && test_expect_code 128 git sandbox prune 2>err) &&
	test_cmp reg.before "$(sb_registry)" &&
	test_path_is_missing ktrdr--two &&
	test_must_fail git -C ktrdr rev-parse -q --verify refs/heads/two
}

test_expect_success 'registry truncated inside an entry: refused, not rewritten' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	sed -n "1,/^slot = /p" registry.good >"$(sb_registry)" &&
	refused_registry corrupt
'

test_expect_success 'registry of garbage, or with a NUL byte: refused, not rewritten' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	printf "\001\002garbage ][ = =\n\377\376\n" >"$(sb_registry)" &&
	refused_registry corrupt &&
	{ cat registry.good && printf "\000x\n"; } >"$(sb_registry)" &&
	refused_registry corrupt
'

test_expect_success 'a huge registry, or one with a line too long: refused, not rewritten' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	{ cat registry.good && head -c 33554432 /dev/zero | tr "\0" "x"; } >"$(sb_registry)" &&
	refused_registry "larger than 16777216 bytes" &&
	{ cat registry.good && printf "repo = " && head -c 2097152 /dev/zero | tr "\0" "x" &&
	  printf "name = forged\n"; } >"$(sb_registry)" &&
	refused_registry corrupt
'

test_expect_success 'a registry of an unknown version: refused, not rewritten' '
	test_when_finished "cp registry.good \"$(sb_registry)\"" &&
	sed "s/^version = 1$/version = 2/" registry.good >"$(sb_registry)" &&
	refused_registry corrupt
'

test_expect_success 'a symlink where the registry should be: refused, the target untouched' '
	reg=$(sb_registry) &&
	test_when_finished "rm -f \"$reg\" && cp registry.good \"$reg\"" &&
	cp registry.good elsewhere &&
	rm "$reg" && ln -s "$HOME/elsewhere" "$reg" &&
	(cd ktrdr && test_expect_code 128 git sandbox create two 2>../err) &&
	test_grep "symbolic link" err &&
	test -L "$reg" &&
	test_cmp registry.good elsewhere &&
	test_path_is_missing ktrdr--two
'

test_expect_success 'a registry writable by others or owned by someone else: refused' '
	reg=$(sb_registry) &&
	test_when_finished "chown $(id -u) \"$reg\"; chmod 600 \"$reg\"" &&
	chmod 666 "$reg" &&
	refused_registry "chmod 600" &&
	chmod 600 "$reg" && chown 65534 "$reg" &&
	refused_registry "not owned by you"
'

test_expect_success 'an empty registry file is an empty registry, and is filled, not trusted blindly' '
	reg=$(sb_registry) &&
	test_when_finished "git -C ktrdr worktree remove --force ../ktrdr--filled; git -C ktrdr branch -D filled; chmod 600 \"$reg\"; cp registry.good \"$reg\"" &&
	: >"$reg" &&
	git sandbox list >out &&
	test_must_be_empty out &&
	# an empty file is checked like any registry before it is read
	chmod 666 "$reg" &&
	(cd ktrdr && test_expect_code 128 git sandbox create filled 2>../err) &&
	test_grep -F "the registry '"'"'$reg'"'"' is writable by others" err &&
	test_path_is_missing ktrdr--filled &&
	test_must_be_empty "$reg" &&
	chmod 600 "$reg" &&
	# nor does it make every slot free: a port in use still keeps its
	# slot from a new sandbox, as the running stack of the forgotten
	# sandbox "one" would
	test_hold_port $(sb_port 8001) &&
	(cd ktrdr && git sandbox create filled >../out 2>../err) &&
	test_grep "^skipping slot 1: port $(sb_port 8001) is in use by another process" err &&
	test_grep "^Created sandbox .filled. in slot 2" out &&
	# a create fills it: a registry of this version, holding that sandbox only
	test_grep -x "version = 1" "$reg" &&
	sb_reg_entries >entries &&
	echo "2 filled $HOME/ktrdr--filled" >expect &&
	cut -d" " -f1-3 entries >actual &&
	test_cmp expect actual &&
	test "$(stat -c %a "$reg")" = 600 &&
	# outside a repository: every repository, with the repository
	git sandbox list >out &&
	test_grep "^ktrdr  *filled  *2 " out &&
	test_grep ! "^ktrdr  *one " out &&
	# the forgotten sandbox keeps its own state, and status says so
	(cd ktrdr--one && sb_no_docker git sandbox status >../out 2>../err) &&
	test_grep "^warning: sandbox .one. is not in the registry" err &&
	test_grep "^sandbox  one (slot 1)$" out
'

test_expect_success 'a state file of garbage: a clear error naming it, nothing overwritten' '
	state=$(git -C ktrdr--one rev-parse --absolute-git-dir)/config &&
	cp "$state" state.good &&
	test_when_finished "cp state.good \"$state\"" &&
	printf "[sandbox\nname = \001\n" >"$state" &&
	cp "$state" state.bad &&
	cp "$(sb_registry)" reg.before &&
	for cmd in "port api" "env" "status" "destroy" "up --no-secrets"
	do
		(cd ktrdr--one && test_expect_code 128 git sandbox $cmd 2>../err) &&
		test_grep "$state" err || return 1
	done &&
	test_cmp state.bad "$state" &&
	test_cmp reg.before "$(sb_registry)" &&
	test_path_is_dir ktrdr--one
'

test_expect_success 'a garbage env file is not read: env comes from the state' '
	test_when_finished "rm -f ktrdr--one/.env.sandbox" &&
	printf "KTRDR_API_PORT=1\n\377\000garbage\n" >ktrdr--one/.env.sandbox &&
	(cd ktrdr--one && git sandbox port api >../out) &&
	echo $(sb_port 8001) >expect &&
	test_cmp expect out
'

# secrets: a project with an item; no docker needed for refresh and status
test_expect_success 'setup: secrets' '
	op --fake-put Private t92-dev db_password=v1 &&
	op --fake-put Private t92-other db_password=v2 &&
	git -C ktrdr config secrets.item t92-dev &&
	(cd ktrdr && git sandbox trust >/dev/null) &&
	(cd ktrdr--one && git sandbox secrets refresh >/dev/null) &&
	cache=$(cd ktrdr--one && git sandbox secrets status | sed -n "s/^cache *//p") &&
	test_path_is_file "$cache" &&
	echo "$cache" >cache.path
'

cache=$(cat cache.path 2>/dev/null)

test_expect_success 'a cache from another item is unusable' '
	other=$(cd ktrdr--one && git -c secrets.item=t92-other sandbox secrets status | sed -n "s/^cache *//p") &&
	test "$other" != "$cache" &&
	test_when_finished "rm -f \"$other\"" &&
	cp "$cache" "$other" &&
	(cd ktrdr--one && git -c secrets.item=t92-other sandbox secrets status >../out) &&
	test_grep "unusable (.*another item" out
'

test_expect_success 'a cache of a future format version is unusable' '
	cp "$cache" cache.good &&
	test_when_finished "cp cache.good \"$cache\"" &&
	printf "\002" | dd of="$cache" bs=1 seek=7 conv=notrunc 2>/dev/null &&
	(cd ktrdr--one && git sandbox secrets status >../out) &&
	test_grep "unusable (unknown format version 2)" out
'

test_expect_success 'a key readable by the group or the world is refused with the chmod' '
	key=.config/git-sandbox/key &&
	test_when_finished "chmod 600 $key" &&
	for mode in 640 604 660
	do
		chmod $mode $key &&
		(cd ktrdr--one && test_expect_code 128 git sandbox secrets refresh 2>../err) &&
		test_grep "chmod 600" err || return 1
	done
'

test_expect_success 'op printing invalid JSON: a clear error, the cache kept' '
	cp "$cache" cache.good &&
	: >"$OP_FAKE_DIR/bad-json" &&
	test_when_finished "rm -f \"$OP_FAKE_DIR/bad-json\"" &&
	(cd ktrdr--one && test_expect_code 128 git sandbox secrets refresh 2>../err) &&
	test_grep -i "json" err &&
	test_cmp cache.good "$cache"
'

test_expect_success 'op printing too much: a clear error' '
	: >"$OP_FAKE_DIR/huge" &&
	test_when_finished "rm -f \"$OP_FAKE_DIR/huge\"" &&
	(cd ktrdr--one && test_expect_code 128 git sandbox secrets refresh 2>../err) &&
	test_grep "printed more than [0-9]* bytes for item .t92-dev.; refusing it" err &&
	test_cmp cache.good "$cache"
'

test_expect_success 'op hanging: GIT_SANDBOX_OP_TIMEOUT ends it with a clear error' '
	: >"$OP_FAKE_DIR/hang" &&
	test_when_finished "rm -f \"$OP_FAKE_DIR/hang\"" &&
	start=$(date +%s) &&
	# 3 s: a loaded machine may take more than 1 s to start the stand-in
	(cd ktrdr--one && GIT_SANDBOX_OP_TIMEOUT=3 test_expect_code 128 git sandbox secrets refresh 2>../err) &&
	test $(($(date +%s) - start)) -lt 20 &&
	test_grep "GIT_SANDBOX_OP_TIMEOUT" err &&
	# the op this test started, and no other process of the machine
	pid=$(cat "$OP_FAKE_DIR/hang.pid") &&
	test -n "$pid" &&
	! kill -0 "$pid" 2>/dev/null
'

# environment
test_expect_success 'HOME unset with the XDG directories set: works' '
	(cd ktrdr && unset HOME && git sandbox list >../out) &&
	test_grep "^one " out
'

test_expect_success 'HOME and XDG_STATE_HOME unset: a clear error, nothing made' '
	snapshot before &&
	(cd ktrdr && unset HOME XDG_STATE_HOME && test_expect_code 128 git sandbox create two 2>../err) &&
	test_grep "XDG_STATE_HOME" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'HOME and the XDG directories unset: doctor fails each once, the others stop' '
	snapshot before &&
	(
		cd ktrdr/../ktrdr--one &&
		unset HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_CACHE_HOME &&
		test_expect_code 1 git sandbox doctor >../out 2>../err &&
		test_expect_code 128 git sandbox secrets status 2>../err2 &&
		for cmd in status down logs "port api" env list
		do
			test_expect_code 128 git sandbox $cmd >/dev/null 2>../err3 &&
			test_grep "^fatal: neither XDG_STATE_HOME nor HOME" ../err3 || return 1
		done
	) &&
	test $(grep -c "neither XDG_STATE_HOME nor HOME" err) = 1 &&
	test_grep "^fail  there is no directory for the registry" out &&
	test_grep "^fail  there is no directory for the secrets key" out &&
	test_grep "^fail  there is no directory for the secrets cache" out &&
	test_grep "neither XDG_STATE_HOME nor HOME" err &&
	test_grep "neither XDG_CONFIG_HOME nor HOME" err &&
	test_grep "neither XDG_CACHE_HOME nor HOME" err &&
	test_grep "^fatal: neither XDG_STATE_HOME nor HOME" err2 &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'XDG_STATE_HOME under a regular file: a clear error, nothing made' '
	snapshot before &&
	(cd ktrdr && XDG_STATE_HOME=/dev/null/x test_expect_code 128 git sandbox create two 2>../err) &&
	test_grep "/dev/null/x/git-sandbox" err &&
	: >afile &&
	(cd ktrdr && XDG_STATE_HOME=$HOME/afile test_expect_code 128 git sandbox create two 2>../err) &&
	test_grep "afile/git-sandbox" err &&
	snapshot after &&
	test_cmp before after
'

test_expect_success 'XDG_CONFIG_HOME and XDG_CACHE_HOME unusable: secrets fail clearly' '
	: >afile &&
	(cd ktrdr--one && XDG_CONFIG_HOME=$HOME/afile test_expect_code 128 git sandbox secrets refresh 2>../err) &&
	test_grep "afile/git-sandbox" err &&
	(cd ktrdr--one && XDG_CACHE_HOME=$HOME/afile git sandbox secrets refresh >../out 2>../err) &&
	test_grep "afile/git-sandbox" err
'

test_expect_success 'git --git-dir and --work-tree: works like git -C' '
	git --git-dir=ktrdr/.git --work-tree=ktrdr sandbox create gd >out &&
	test_path_is_dir ktrdr--gd &&
	git --git-dir=ktrdr/.git --work-tree=ktrdr sandbox port api >out &&
	echo $(sb_port 8000) >expect &&
	test_cmp expect out &&
	(cd ktrdr && GIT_DIR=.git git sandbox destroy gd >../out) &&
	test_path_is_missing ktrdr--gd &&
	sb_check_consistent ktrdr
'

test_done
