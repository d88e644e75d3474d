#!/bin/sh

test_description='concurrency: many creates and destroys at once, two ups at once'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

IMAGE=git-sandbox-t9000:latest

test_expect_success 'setup' '
	sb_make_repo seed &&
	git clone -q --bare seed ktrdr.git &&
	git clone -q ktrdr.git ktrdr &&
	git -C ktrdr config sandbox.slots 10
'

test_expect_success '32 creates at once with 10 slots: 10 sandboxes on distinct slots, 22 clean failures' '
	(
		cd ktrdr &&
		for i in $(seq 1 32)
		do
			( git sandbox create c$i >../out.$i 2>../err.$i; echo $? >../rc.$i ) &
		done &&
		wait
	) &&
	cat rc.* | sort | uniq -c | sed "s/^ *//" >counts &&
	printf "10 0\n22 128\n" >expect &&
	test_cmp expect counts &&
	test "$(sb_registry_count)" = 10 &&
	sb_registry_slots >slots &&
	seq 1 10 >expect &&
	test_cmp expect slots &&
	git -C ktrdr for-each-ref --format="%(refname:short)" refs/heads >branches &&
	test_line_count = 11 branches &&
	for i in $(seq 1 32)
	do
		if test "$(cat rc.$i)" = 0
		then
			test_grep -x "c$i" branches || return 1
		else
			test_path_is_missing ktrdr--c$i &&
			test_grep "no free slot" err.$i &&
			test_grep ! -x "c$i" branches || return 1
		fi
	done &&
	ls ktrdr/.git/worktrees >ids &&
	test_line_count = 10 ids &&
	sb_check_consistent ktrdr
'

test_expect_success '10 destroys at once, interleaved with 10 creates: everything agrees' '
	sb_reg_entries | cut -d" " -f2 >victims &&
	test_line_count = 10 victims &&
	(
		cd ktrdr &&
		i=0 &&
		for v in $(cat ../victims)
		do
			i=$((i + 1))
			( git sandbox destroy $v >../dout.$i 2>../derr.$i; echo $? >../drc.$i ) &
			( git sandbox create d$i >../cout.$i 2>../cerr.$i; echo $? >../crc.$i ) &
		done &&
		wait
	) &&
	cat drc.* | sort | uniq -c | sed "s/^ *//" >counts &&
	echo "10 0" >expect &&
	test_cmp expect counts &&
	for v in $(cat victims)
	do
		test_path_is_missing ktrdr--$v &&
		! sb_reg_entries | grep -q " $v " || return 1
	done &&
	for i in $(seq 1 10)
	do
		case "$(cat crc.$i)" in
		0) test_path_is_dir ktrdr--d$i ;;
		128) test_grep "no free slot" cerr.$i && test_path_is_missing ktrdr--d$i ;;
		*) false ;;
		esac || return 1
	done &&
	made=$(grep -lx 0 crc.* | wc -l) &&
	test "$(sb_registry_count)" = "$made" &&
	sb_check_consistent ktrdr &&
	(cd ktrdr && sb_no_docker git sandbox prune >../out 2>&1) &&
	test_grep "nothing to prune" out
'

test_expect_success '32 creates at once over two HOMEs and two clones with the same bases: no port twice' '
	for h in one two
	do
		git clone -q ktrdr.git $h/ktrdr &&
		git -C $h/ktrdr config sandbox.slots 40 || return 1
	done &&
	for h in one two
	do
		(
			XDG_STATE_HOME=$HOME/$h/.state &&
			export XDG_STATE_HOME &&
			cd $h/ktrdr &&
			for i in $(seq 1 16)
			do
				( git sandbox create $h$i >../out.$i 2>../err.$i; echo $? >../rc.$i ) &
			done &&
			wait
		) &
	done &&
	wait &&
	cat one/rc.* two/rc.* | sort | uniq -c | sed "s/^ *//" >counts &&
	echo "32 0" >expect &&
	test_cmp expect counts &&
	# every port of every registry once: this HOME, and the two others
	for r in "$(sb_registry)" one/.state/git-sandbox/registry two/.state/git-sandbox/registry
	do
		sed -n "s/^ports = //p" "$r" | tr " " "\n" | sed "s/.*://" || return 1
	done | sort -n >ports &&
	test_line_count -ge 256 ports &&
	uniq -d ports >dups &&
	test_must_be_empty dups &&
	for h in one two
	do
		(XDG_STATE_HOME=$HOME/$h/.state && export XDG_STATE_HOME && sb_check_consistent $h/ktrdr) ||
		return 1
	done &&
	sb_check_leases &&
	# their ports go back to the machine with them
	for h in one two
	do
		(
			XDG_STATE_HOME=$HOME/$h/.state &&
			export XDG_STATE_HOME &&
			cd $h/ktrdr &&
			for i in $(seq 1 16)
			do
				sb_no_docker git sandbox destroy -f $h$i >/dev/null || exit 1
			done &&
			sb_check_leases
		) || return 1
	done &&
	cat "$GIT_SANDBOX_LEASES"/* >left 2>/dev/null;
	test_grep ! "/one/.state/\|/two/.state/" left
'

test_expect_success 'setup: an image and a project for up' '
	docker info >/dev/null &&
	sb_build_image $IMAGE &&
	git init -q -b main t9k &&
	cat >t9k/.gitsandbox <<-EOF &&
	[sandbox]
		project = t9k
		slots = 2
	[port "api"]
		var = API_PORT
		base = $(sb_port 8500)   # apart from the ktrdr layout, whose sandboxes may remain
		health = /health
	EOF
	cat >t9k/docker-compose.sandbox.yml <<-EOF &&
	version: "3.7"
	services:
	  api:
	    image: $IMAGE
	    init: true
	    ports: ["\${API_PORT}:80"]
	    volumes: [data:/data]
	    command: ["sh", "-c", "mkdir -p /www && echo ok >/www/health && exec httpd -f -p 80 -h /www"]
	volumes:
	  data:
	EOF
	git -C t9k add . && git -C t9k commit -q -m project &&
	(cd t9k && git sandbox create up2 >/dev/null)
'

test_expect_success 'two ups of the same sandbox at once corrupt nothing' '
	test_when_finished "(cd t9k--up2 && git sandbox down -v) >/dev/null 2>&1" &&
	cp "$(sb_registry)" reg.before &&
	state=$(git -C t9k--up2 rev-parse --absolute-git-dir)/config &&
	(
		cd t9k--up2 || exit 1
		( git sandbox up --no-secrets --timeout 60 >../up.out1 2>../up.err1; echo $? >../up.rc1 ) &
		( git sandbox up --no-secrets --timeout 60 >../up.out2 2>../up.err2; echo $? >../up.rc2 ) &
		wait
	) &&
	cat up.rc1 up.rc2 >rcs &&
	echo 0 >expect && echo 0 >>expect &&
	test_cmp expect rcs &&
	test_cmp reg.before "$(sb_registry)" &&
	test "$(git config -f "$state" sandbox.name)" = up2 &&
	test "$(git config -f "$state" sandbox.slot)" = 1 &&
	docker ps -q --filter label=com.docker.compose.project=t9k-up2 >running &&
	test_line_count = 1 running &&
	curl -sf localhost:$(sb_port 8501)/health &&
	(cd t9k--up2 && git sandbox status >../st) &&
	test_grep "running" st
'

test_expect_success 'up and destroy of one sandbox at once: destroy waits, and no stack is left' '
	(cd t9k && git sandbox create ud >/dev/null) &&
	(
		cd t9k--ud || exit 1
		# a slow preUp (the user'"'"'s own hook) holds up inside its stack lock
		( git -c hook.preUp="sleep 3" sandbox up --no-secrets --timeout 60 \
			>../ud.out1 2>../ud.err1; echo $? >../ud.rc1 ) &
		sleep 1 &&
		( cd ../t9k && git sandbox destroy -f ud >../ud.out2 2>../ud.err2; echo $? >../ud.rc2 ) &
		wait
	) &&
	cat ud.rc1 ud.rc2 >rcs &&
	printf "0\n0\n" >expect &&
	test_cmp expect rcs &&
	test_path_is_missing t9k--ud &&
	docker ps -aq --filter label=com.docker.compose.project=t9k-ud >left &&
	docker volume ls -q --filter label=com.docker.compose.project=t9k-ud >>left &&
	test_must_be_empty left &&
	git -C t9k sandbox list >list &&
	test_grep ! "^ud " list
'

# wait_stopped <pid file>: until the paused command wrote its pid and stopped
wait_stopped () {
	i=0
	until test -s "$1" && grep -q "^[0-9]* ([^)]*) T" "/proc/$(cat "$1")/stat" 2>/dev/null
	do
		i=$((i + 1))
		test $i -lt 600 || { echo "the command never paused" >&2; return 1; }
		sleep 0.05
	done
}

test_expect_success 'a prune while init registers waits, and leaves the new sandbox whole' '
	git clone -q ktrdr.git clone-race &&
	(
		cd clone-race &&
		GIT_SANDBOX_TEST_PAUSE=init-registered GIT_SANDBOX_TEST_PAUSE_PID=../init.pid \
			git sandbox init >../init.out 2>&1
		echo $? >../init.rc
	) &
	wait_stopped init.pid &&
	test_when_finished "kill -CONT $(cat init.pid) 2>/dev/null; :" &&
	# registered, its state not yet written: the window a prune must not use
	sb_reg_entries | grep -q " clone-race " &&
	test_path_is_missing clone-race/.git/sandbox &&
	(cd ktrdr && sb_no_docker git sandbox prune >../prune.out 2>&1; echo $? >../prune.rc) &
	sleep 1 &&
	test_path_is_missing prune.rc &&
	kill -CONT $(cat init.pid) &&
	wait &&
	echo 0 >expect &&
	test_cmp expect init.rc &&
	test_cmp expect prune.rc &&
	test_grep ! "clone-race" prune.out &&
	sb_reg_entries | grep " clone-race " >entry &&
	test_line_count = 1 entry &&
	test "$(git config -f clone-race/.git/sandbox sandbox.name)" = clone-race &&
	(cd clone-race && git sandbox destroy >/dev/null 2>&1)
'

test_expect_success 'cleanup' '
	(cd t9k && git sandbox destroy -f up2 >/dev/null) &&
	docker ps -aq --filter label=com.docker.compose.project=t9k-up2 >left &&
	docker volume ls -q --filter label=com.docker.compose.project=t9k-up2 >>left &&
	docker network ls -q --filter label=com.docker.compose.project=t9k-up2 >>left &&
	test_must_be_empty left &&
	docker rmi $IMAGE >/dev/null
'

test_done
