#!/bin/sh

test_description='a shared engine: prune removes only what is provably this user'"'"'s'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t9400:latest
OTHER=sbt9400u$$

# a container labelled as compose labels its stacks, and a volume of it
fake_stack () {
	docker volume create --label com.docker.compose.project="$1" "$1_data" >/dev/null &&
	docker run -d --name "$1-app" -v "$1_data:/data" \
		--label com.docker.compose.project="$1" \
		--label com.docker.compose.service=app \
		--label com.docker.compose.project.working_dir="$2" \
		$IMAGE sh -c "echo kept >/data/mark && exec sleep 2147483647" >/dev/null
}

drop_stack () {
	docker rm -f "$1-app" >/dev/null 2>&1
	docker volume rm "$1_data" >/dev/null 2>&1
	:
}

stack_alive () {
	test "$(docker inspect -f "{{.State.Running}}" "$1-app")" = true &&
	test "$(docker run --rm -v "$1_data:/data" $IMAGE cat /data/mark)" = kept
}

test_expect_success 'setup: an image' '
	docker info >/dev/null &&
	sb_build_image $IMAGE
'

test_expect_success 'a label holding newlines and tabs cannot make prune remove a stack it names' '
	test_when_finished "drop_stack t94v-one; docker rm -f t94-evil-app >/dev/null 2>&1" &&
	mkdir -p src/t94v--one &&
	fake_stack t94v-one "$PWD/src/t94v--one" &&
	# the old tab-separated reading saw a second record here: t94v-one,
	# working in a directory that does not exist
	forged=$(printf "/nowhere\nt94v-one\tapp\trunning\tx\t%s/gone/t94v--one" "$PWD") &&
	docker create --name t94-evil-app --label com.docker.compose.project=t94-evil \
		--label com.docker.compose.project.working_dir="$forged" $IMAGE true >/dev/null &&
	git sandbox prune >out 2>&1 &&
	test_grep ! "t94v-one" out &&
	stack_alive t94v-one
'

test_expect_success 'prune as another user keeps a stack it cannot see into' '
	test "$(id -u)" = 0 || { say "# needs root to make a second user"; false; } &&
	# the other user gets a home and the commands where any user can reach
	# them, whatever the modes of the directories above this one
	other=$(mktemp -d "${TMPDIR:-/tmp}/t9400.XXXXXX") &&
	test_when_finished "drop_stack t94p-one; userdel $OTHER >/dev/null 2>&1; rm -rf \"$other\"; :" &&
	chmod 755 "$other" &&
	cp -R "$GIT_SANDBOX_PREFIX/bin" "$other/bin" &&
	cp "$TEST_DIRECTORY/lsan.supp" "$other/" &&
	mkdir -p private/t94p--one && chmod 700 private &&
	fake_stack t94p-one "$PWD/private/t94p--one" &&
	useradd -M -d "$other/home" -s /bin/sh -G docker $OTHER &&
	mkdir "$other/home" && chown $OTHER "$other/home" &&
	# even beside a sandbox of its own registry (an entry for a place in
	# that directory, which it cannot see either), the stack is kept
	mkdir "$other/home/.state" && chown $OTHER "$other/home/.state" &&
	runuser -u $OTHER -- sh -c "mkdir -p \"$other/home/.state/git-sandbox\" &&
		printf \"[git-sandbox]\\nversion = 1\\n[sandbox 1]\\nslot = 1\\nrepo = /nonexistent/.git\\nname = two\\npath = $PWD/private/t94p--two\\ngitdir = /nonexistent/.git/worktrees/two\\nproject = t94p-two\\nports = \\ncreated = 1\\n\" >\"$other/home/.state/git-sandbox/registry\" &&
		chmod 600 \"$other/home/.state/git-sandbox/registry\"" &&
	runuser -u $OTHER -- env HOME="$other/home" PATH="$other/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_STATE_HOME="$other/home/.state" XDG_CACHE_HOME="$other/home/.cache" \
		XDG_CONFIG_HOME="$other/home/.config" ASAN_OPTIONS="$ASAN_OPTIONS" \
		LSAN_OPTIONS="suppressions=$other/lsan.supp" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
		sh -c "cd / && git sandbox list && git sandbox prune" >out 2>&1 &&
	# outside a repository, list lists every one: a REPO column first
	test_grep "^nonexistent  *two  *1 " out &&
	test_grep ! "t94p-one" out &&
	stack_alive t94p-one
'

test_expect_success 'a stack whose directory is provably gone from a directory of ours is an orphan' '
	test_when_finished "drop_stack t94g-one; drop_stack t94g-far" &&
	git init -q -b main src/t94g &&
	git -C src/t94g commit -q --allow-empty -m init &&
	git -C src/t94g config port.app.var APP_PORT &&
	git -C src/t94g config port.app.base $(sb_port 7900) &&
	(cd src/t94g && git sandbox create two >/dev/null) &&
	fake_stack t94g-one "$PWD/src/t94g--one" &&
	# gone too, but not where this registry keeps sandboxes: another machine'"'"'s
	mkdir -p far &&
	fake_stack t94g-far "$PWD/far/t94g--far" &&
	git sandbox prune >out 2>&1 &&
	test_grep "Removing orphan stack .t94g-one." out &&
	test_must_fail docker inspect t94g-one-app >/dev/null 2>&1 &&
	test_grep ! "t94g-far" out &&
	stack_alive t94g-far &&
	(cd src/t94g && git sandbox destroy two >/dev/null)
'

# --- two parties with the same project and sandbox name ----------------
#
# "alice" and "bob" are two HOMEs (two registries) with their own clone
# of one repository: the compose project of their sandbox "feat" is the
# same, t94s-feat. Each stack writes its owner into its volume.

# as <who> <command>...: run it with that party's HOME and registry
as () {
	who_=$1
	shift
	HOME="$TRASH_DIRECTORY/$who_" XDG_STATE_HOME="$TRASH_DIRECTORY/$who_/.state" \
	XDG_CACHE_HOME="$TRASH_DIRECTORY/$who_/.cache" \
	XDG_CONFIG_HOME="$TRASH_DIRECTORY/$who_/.config" "$@"
}

# the owner written in the volume of compose project $1, and that its app runs
holds () {
	docker ps --filter "label=com.docker.compose.project=$1" \
		--filter status=running --format "{{.Names}}" >running &&
	test_line_count = 1 running &&
	echo "$2" >expect &&
	docker run --rm -v "$1_data:/data" $IMAGE cat /data/owner >actual &&
	test_cmp expect actual
}

objects_of () {
	{
		docker ps -aq --filter "label=com.docker.compose.project=$1" &&
		docker volume ls -q --filter "label=com.docker.compose.project=$1"
	} | sort
}

test_expect_success 'setup: one repository, two parties with a sandbox of one name' '
	git init -q -b main t94s &&
	cat >t94s/.gitsandbox <<-EOF &&
	[sandbox]
		project = t94s
		slots = 12
	[port "app"]
		var = APP_PORT
		base = $(sb_port 8700)
	EOF
	cat >t94s/docker-compose.sandbox.yml <<-EOF &&
	services:
	  app:
	    image: $IMAGE
	    command: ["sh", "-c", "test -f /data/owner || echo \$\$OWNER >/data/owner; exec sleep 2147483647"]
	    environment:
	      OWNER: \${OWNER:-nobody}
	    volumes: ["data:/data"]
	volumes:
	  data: {}
	EOF
	git -C t94s add . && git -C t94s commit -q -m init &&
	for who in alice bob
	do
		mkdir -p $who/.config $who/.state $who/.cache &&
		git clone -q t94s $who/t94s &&
		(cd $who/t94s && as $who git sandbox create feat >/dev/null) || return 1
	done &&
	(cd alice/t94s--feat && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-feat alice
'

test_expect_success 'the other party cannot take the stack over, nor stop or read it' '
	objects_of t94s-feat >before &&
	(
		cd bob/t94s--feat &&
		test_must_fail as bob env OWNER=bob git sandbox up --no-secrets --no-wait >../../out 2>&1 &&
		test_must_fail as bob git sandbox down >>../../out 2>&1 &&
		test_must_fail as bob git sandbox down -v >>../../out 2>&1 &&
		test_must_fail as bob git sandbox logs >>../../out 2>&1
	) &&
	test_grep "belongs to another stack" out &&
	test_grep "^hint: give this repository another sandbox.project$" out &&
	test_grep "$TRASH_DIRECTORY/alice/t94s--feat" out &&
	objects_of t94s-feat >after &&
	test_cmp before after &&
	holds t94s-feat alice
'

test_expect_success 'destroy of a sandbox never started leaves the same-named stack alone' '
	(cd bob/t94s && as bob git sandbox destroy feat >../../out 2>&1) &&
	test_grep "kept the volume .t94s-feat_data." out &&
	holds t94s-feat alice
'

test_expect_success 'prune of the other party judges only its own' '
	(cd bob/t94s && as bob git sandbox prune >../../out 2>&1) &&
	test_grep ! "t94s-feat" out &&
	holds t94s-feat alice
'

test_expect_success 'a stopped stack keeps its volume from the other party too' '
	(cd alice/t94s--feat && as alice git sandbox down >/dev/null 2>&1) &&
	(cd bob/t94s && as bob git sandbox create feat -b feat >/dev/null) &&
	(cd bob/t94s--feat &&
	 test_must_fail as bob env OWNER=bob git sandbox up --no-secrets --no-wait >../../out 2>&1) &&
	test_grep "volume .t94s-feat_data. .*not one this sandbox" out &&
	test_grep "^hint: remove it only if its data can go$" out &&
	(cd alice/t94s--feat && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-feat alice
'

test_expect_success 'a main worktree named like another repository'"'"'s sandbox takes nothing' '
	git init -q -b main t94m &&
	printf "[sandbox]\n\tproject = t94s-feat\n" >t94m/.gitsandbox &&
	cp t94s/docker-compose.sandbox.yml t94m/ &&
	git -C t94m add . && git -C t94m commit -q -m init &&
	(cd t94m &&
	 test_must_fail env OWNER=mallory git sandbox up --no-secrets --no-wait >../out 2>&1 &&
	 test_must_fail git sandbox down -v >>../out 2>&1) &&
	test_grep "belongs to another stack" out &&
	holds t94s-feat alice
'

test_expect_success 'down -v and destroy remove exactly what the stack made' '
	docker volume create --label com.docker.compose.project=t94s-feat t94s-feat_extra >/dev/null &&
	test_when_finished "docker volume rm t94s-feat_extra >/dev/null 2>&1; :" &&
	(cd alice/t94s--feat && as alice git sandbox down -v >../../out 2>&1) &&
	test_grep "kept the volume .t94s-feat_extra." out &&
	echo t94s-feat_extra >expect &&
	objects_of t94s-feat >actual &&
	test_cmp expect actual &&
	# a volume of the project that the stack did not make stops its up too
	(cd alice/t94s--feat &&
	 test_must_fail as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	docker volume rm t94s-feat_extra >/dev/null &&
	(cd alice/t94s--feat && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-feat alice &&
	(cd alice/t94s && as alice git sandbox destroy --force feat >/dev/null 2>&1) &&
	objects_of t94s-feat >actual &&
	test_must_be_empty actual &&
	docker network ls -q --filter label=com.docker.compose.project=t94s-feat >nets &&
	test_must_be_empty nets &&
	docker volume ls -q --filter label=git-sandbox.lease=t94s-feat >lease &&
	test_must_be_empty lease
'

test_expect_success 'destroy keeps a network of the project that another'"'"'s container uses, and finishes' '
	test_when_finished "docker rm -f t94-foreign >/dev/null 2>&1; docker network rm t94-foreign-net >/dev/null 2>&1; (cd alice/t94s && as alice git sandbox destroy --force netx >/dev/null 2>&1); :" &&
	(cd alice/t94s && as alice git sandbox create netx >/dev/null 2>&1) &&
	(cd alice/t94s--netx && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	docker network create --label com.docker.compose.project=t94s-netx t94-foreign-net >/dev/null &&
	c=$(docker ps -q --filter label=com.docker.compose.project=t94s-netx | head -n 1) &&
	test -n "$c" &&
	docker network connect t94-foreign-net "$c" &&
	docker run -d --name t94-foreign --network t94-foreign-net $IMAGE sleep 2147483647 >/dev/null &&
	(cd alice/t94s && as alice git sandbox destroy --force netx >../../out 2>&1) &&
	test_grep "kept the network .* of compose project .t94s-netx.: a container that is not this stack.s uses it" out &&
	test "$(docker inspect -f "{{.State.Running}}" t94-foreign)" = true &&
	docker ps -aq --filter label=com.docker.compose.project=t94s-netx >left &&
	test_must_be_empty left &&
	test_path_is_missing alice/t94s--netx
'

test_expect_success 'prune removes the stack and volume of a sandbox whose worktree is gone' '
	(cd alice/t94s && as alice git sandbox create gone >/dev/null) &&
	(cd alice/t94s--gone && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-gone alice &&
	rm -rf alice/t94s--gone &&
	(cd alice/t94s && as alice git sandbox prune >../../out 2>&1) &&
	test_grep "orphan stack .t94s-gone." out &&
	objects_of t94s-gone >actual &&
	test_must_be_empty actual
'

test_expect_success 'prune removes a stack whose id this registry released, and only that' '
	(cd alice/t94s && as alice git sandbox create rel >/dev/null) &&
	(cd alice/t94s--rel && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	id=$(sed -n "s/^id = //p" "$(git -C alice/t94s--rel rev-parse --absolute-git-dir)/sandbox-stack") &&
	test -n "$id" &&
	grep -q "^id = $id\$" alice/.state/git-sandbox/registry &&
	# the registry as a release that left its stack behind would leave it
	reg=alice/.state/git-sandbox/registry &&
	awk -v id="$id" "
		/^\[/ { flush(); sec = \$0 \"\n\"; keep = 1; next }
		{ sec = sec \$0 \"\n\"; if (\$0 == \"id = \" id) keep = 0 }
		function flush() { if (keep) printf \"%s\", sec; sec = \"\" }
		END { flush(); printf \"\n[released]\nid = %s\n\", id }
	" $reg >reg.new && mv reg.new $reg &&
	(cd alice/t94s && as alice git sandbox list >/dev/null) &&
	(cd bob/t94s && as bob git sandbox prune >../../out 2>&1) &&
	test_grep ! "t94s-rel" out &&
	(cd alice/t94s && as alice git sandbox prune >../../out 2>&1) &&
	test_grep "orphan stack .t94s-rel." out &&
	docker ps -aq --filter label=git-sandbox.id=$id >left &&
	test_must_be_empty left
'

test_expect_success 'a worktree destroyed with --keep-worktree and made a sandbox again is not an orphan' '
	(cd alice/t94s && as alice git sandbox create kw >/dev/null) &&
	(cd alice/t94s--kw && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	(cd alice/t94s && as alice git sandbox destroy --keep-worktree kw >/dev/null 2>&1) &&
	objects_of t94s-kw >actual &&
	test_must_be_empty actual &&
	(cd alice/t94s--kw && as alice git sandbox init >/dev/null &&
	 as alice env OWNER=again git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-kw again &&
	(cd alice/t94s && as alice git sandbox prune >../../out 2>&1) &&
	test_grep ! "t94s-kw" out &&
	holds t94s-kw again
'

test_expect_success 'a copy of a worktree is not the same stack as the original' '
	(cd alice/t94s && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s alice &&
	cp -a alice/t94s bob/t94s-copy &&
	(cd bob/t94s-copy &&
	 test_must_fail as bob env OWNER=bob git sandbox up --no-secrets --no-wait >../../out 2>&1 &&
	 test_must_fail as bob git sandbox down -v >>../../out 2>&1) &&
	test_grep "belongs to another stack" out &&
	holds t94s alice &&
	(cd alice/t94s && as alice git sandbox down -v >/dev/null 2>&1) &&
	objects_of t94s >actual &&
	test_must_be_empty actual
'

test_expect_success 'a lost record: the registry entry still knows the stack' '
	(cd alice/t94s && as alice git sandbox create lost >/dev/null) &&
	(cd alice/t94s--lost && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	rm "$(git -C alice/t94s--lost rev-parse --absolute-git-dir)/sandbox-stack" &&
	(cd alice/t94s--lost && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-lost alice &&
	(cd alice/t94s && as alice git sandbox destroy --force lost >/dev/null 2>&1) &&
	objects_of t94s-lost >actual &&
	test_must_be_empty actual
'

test_expect_success 'a stack that is down keeps its project name leased on the engine' '
	(cd alice/t94s && as alice git sandbox create st >/dev/null) &&
	(cd alice/t94s--st && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1 &&
	 as alice git sandbox down >/dev/null 2>&1) &&
	# its volume gone too (a docker volume prune): nothing of the stack is left but the lease
	docker volume rm t94s-st_data >/dev/null &&
	(cd bob/t94s && as bob git sandbox create st >/dev/null) &&
	(cd bob/t94s--st &&
	 test_must_fail as bob env OWNER=bob git sandbox up --no-secrets --no-wait >../../out 2>&1) &&
	test_grep "leased on this engine by another sandbox (working directory .$TRASH_DIRECTORY/alice/t94s--st., lease .git-sandbox-lease-t94s-st.)" out &&
	test_grep "^hint: .* same name: give this repository another sandbox.project$" out &&
	objects_of t94s-st >actual &&
	test_must_be_empty actual &&
	(cd alice/t94s--st && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1) &&
	holds t94s-st alice
'

test_expect_success 'two parties starting one name at once: one gets it, the other starts nothing' '
	(cd alice/t94s && as alice git sandbox create race >/dev/null) &&
	(cd bob/t94s && as bob git sandbox create race >/dev/null) &&
	{
		(cd alice/t94s--race && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >../../a.out 2>&1;
		 echo $? >../../a.rc) &
		(cd bob/t94s--race && as bob env OWNER=bob git sandbox up --no-secrets --no-wait >../../b.out 2>&1;
		 echo $? >../../b.rc) &
		wait
	} &&
	cat a.rc b.rc | sort >rcs &&
	printf "0\n128\n" >expect &&
	test_cmp expect rcs &&
	if test "$(cat a.rc)" = 0; then winner=alice; else winner=bob; fi &&
	holds t94s-race $winner &&
	docker ps -a --filter label=com.docker.compose.project=t94s-race --format "{{.Names}}" >all &&
	test_line_count = 1 all
'

test_expect_success 'a sandbox pruned after down -v gives its name back on the engine' '
	git -C alice/t94s config sandbox.slots 8 &&
	(cd alice/t94s && as alice git sandbox create lk >/dev/null) &&
	(cd alice/t94s--lk && as alice env OWNER=alice git sandbox up --no-secrets --no-wait >/dev/null 2>&1 &&
	 as alice git sandbox down -v >/dev/null 2>&1) &&
	docker volume ls -q --filter label=git-sandbox.lease=t94s-lk >lease &&
	test_line_count = 1 lease &&
	rm -rf alice/t94s--lk &&
	(cd alice/t94s && as alice git sandbox prune >../../out 2>&1) &&
	test_grep "Removing the lease of .t94s-lk." out &&
	docker volume ls -q --filter label=git-sandbox.lease=t94s-lk >lease &&
	test_must_be_empty lease
'

test_expect_success 'cleanup: what the parties made' '
	sb_drop_project t94s-lk t94s-race t94s-st t94s-lost t94s t94s-kw t94s-rel t94s-gone t94s-feat &&
	docker volume ls -q --filter label=git-sandbox.lease=t94s-feat >left &&
	test_must_be_empty left
'

docker rmi -f $IMAGE >/dev/null 2>&1
test_done
