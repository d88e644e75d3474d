#!/bin/sh

test_description='a shared engine: prune removes only what is provably this user'"'"'s'

. ./test-lib.sh

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
	runuser -u $OTHER -- env HOME="$other/home" PATH="$other/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_STATE_HOME="$other/home/.state" XDG_CACHE_HOME="$other/home/.cache" \
		XDG_CONFIG_HOME="$other/home/.config" ASAN_OPTIONS="$ASAN_OPTIONS" \
		LSAN_OPTIONS="suppressions=$other/lsan.supp" UBSAN_OPTIONS="$UBSAN_OPTIONS" \
		sh -c "cd / && git sandbox prune" >out 2>&1 &&
	test_grep ! "t94p-one" out &&
	stack_alive t94p-one
'

test_expect_success 'a stack whose directory is provably gone from a directory of ours is an orphan' '
	test_when_finished "drop_stack t94g-one" &&
	mkdir -p src &&
	fake_stack t94g-one "$PWD/src/t94g--one" &&
	git sandbox prune >out 2>&1 &&
	test_grep "Removing orphan stack .t94g-one." out &&
	test_must_fail docker inspect t94g-one-app >/dev/null 2>&1
'

docker rmi -f $IMAGE >/dev/null 2>&1
test_done
