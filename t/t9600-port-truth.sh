#!/bin/sh

test_description='port truth: a sandbox keeps the ports it leased, whatever broke them before'

. ./test-lib.sh
test_skip_all DOCKER "a Docker engine that answers"

# Every way ports broke before, one test each, against a real engine; each
# ends with sb_ports_distinct: no two sandboxes publish or report a port,
# and list and status agree on each sandbox's.

IMAGE=git-sandbox-t9600:latest
PROJECTS="t96 t96-a t96-b t96-c t96-m t96-n t96-home t96-intruder t96x-x1 t96x-u1 t96z-z1"
OTHER=sbt9600u$$
P=$(sb_port 8600)
D=$(sb_port 6600)

# containers and networks of compose project $1
objects_of () {
	docker ps -aq --filter "label=com.docker.compose.project=$1" &&
	docker network ls -q --filter "label=com.docker.compose.project=$1"
}

# the host ports service $2 of compose project $1 publishes, one per line
published () {
	docker ps --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" --format "{{.Ports}}" |
		tr , "\n" | sed -n "s/.*:\([0-9][0-9]*\)->.*/\1/p" | sort -u
}

# publishes <project> <service> <port>: exactly that port
publishes () {
	echo "$3" >expect.pub &&
	published "$1" "$2" >actual.pub &&
	test_cmp expect.pub actual.pub
}

lease_file () {
	echo "$GIT_SANDBOX_LEASES/git-sandbox-port-$1"
}

# a branch <name> of t96 whose .gitsandbox is changed by the sed script $2
branch_with () {
	git -C t96 checkout -q -b "$1" main &&
	sed -i -e "$2" t96/.gitsandbox &&
	git -C t96 commit -q -am "$1" &&
	git -C t96 checkout -q main
}

# the project file of $1 (project $2) with this script's bases
write_project () {
	cat >"$1/.gitsandbox" <<-EOF
	[sandbox]
		project = $2
		slots = 12
	[port "api"]
		var = API_PORT
		base = $P
		health = /health
	[port "db"]
		var = DB_PORT
		base = $D
		wait = tcp
	EOF
}

# a repository $1 (project $2) with the project file and the compose file
make_project () {
	git init -q -b main "$1" &&
	write_project "$1" "$2" &&
	sb_web_db_compose "$1" $IMAGE api API_PORT &&
	git -C "$1" add . && git -C "$1" commit -q -m project
}

# a second HOME of this user: its own registry, the same lease store
in_home2 () {
	(
		HOME="$TRASH_DIRECTORY/home2" &&
		XDG_STATE_HOME="$HOME/.state" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache" &&
		export HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_CACHE_HOME &&
		"$@"
	)
}

# A second real user, $OTHER, with a home in $other and the commands
# copied where it can reach them, whatever the modes above this directory;
# $other/as-other runs a command as that user, in its home.
make_other_user () {
	other=$(mktemp -d "${TMPDIR:-/tmp}/t9600.XXXXXX") &&
	chmod 755 "$other" &&
	cp -R "$GIT_SANDBOX_PREFIX/bin" "$other/bin" &&
	cp "$TEST_DIRECTORY/lsan.supp" "$other/" &&
	useradd -M -d "$other/home" -s /bin/sh $OTHER &&
	mkdir "$other/home" && chown $OTHER "$other/home" &&
	write_script "$other/as-other" <<-EOF
	exec runuser -u $OTHER -- env HOME="$other/home" XDG_STATE_HOME="$other/home/.state" \
		XDG_CONFIG_HOME="$other/home/.config" XDG_CACHE_HOME="$other/home/.cache" \
		PATH="$other/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		LSAN_OPTIONS="suppressions=$other/lsan.supp" "\$@"
	EOF
}

drop_other_user () {
	userdel $OTHER >/dev/null 2>&1
	rm -rf "$other"
	:
}

test_expect_success 'setup: an image, a project, two sandboxes and branches that change its ports' '
	docker info >/dev/null &&
	sb_drop_project $PROJECTS &&
	sb_build_image $IMAGE &&
	make_project t96 t96 &&
	branch_with moved-base "s/base = $P\$/base = $((P + 50))/" &&
	branch_with clash "s/base = $P\$/base = $((P + 1))/" &&
	branch_with extra-group "\$a [port \"extra\"]\n\tvar = EXTRA_PORT\n\tbase = $((P + 40))" &&
	(cd t96 && git sandbox create a >/dev/null && git sandbox create b >/dev/null) &&
	test "$(git -C t96--a sandbox port api)" = $((P + 1)) &&
	test "$(git -C t96--b sandbox port api)" = $((P + 2)) &&
	sb_ports_distinct
'

test_expect_success 'a branch that moves a base: port, env, list and status keep the lease; up refuses' '
	(cd t96--a && git checkout -q moved-base &&
	 git sandbox port api >../port && git sandbox env >../env.out &&
	 git sandbox status >../st.out && git sandbox status --json >../st.json) &&
	echo $((P + 1)) >expect && test_cmp expect port &&
	test_grep -x "API_PORT=$((P + 1))" env.out &&
	test_grep -x "API_PORT=$((P + 1))" t96--a/.env.sandbox &&
	(cd t96 && git sandbox list --json >../list.json) &&
	test_grep "{\"name\":\"a\",\"slot\":1,[^}]*\"ports\":{\"api\":$((P + 1)),\"db\":$((D + 1))}" list.json &&
	test_grep "\"ports\":{\"api\":$((P + 1)),\"db\":$((D + 1))}" st.json &&
	test_grep "^ports    api $((P + 1)), db $((D + 1))\$" st.out &&
	test_grep "^drift    the configuration asks for other ports: port group .api.: $((P + 1)) -> $((P + 51));" st.out &&
	test_grep "\"drift\":\"port group .api.: $((P + 1)) -> $((P + 51))\"" st.json &&
	test_path_is_file "$(lease_file $((P + 1)))" &&
	test_path_is_missing "$(lease_file $((P + 51)))" &&
	(cd t96--a && test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "the configuration asks for other ports than sandbox .a. leased (port group .api.: $((P + 1)) -> $((P + 51))); run .git sandbox repair." err &&
	objects_of t96-a >left && test_must_be_empty left &&
	sb_ports_distinct
'

test_expect_success 'repair leases the moved base in the same slot, and up publishes it' '
	(cd t96--a && git sandbox repair >../out 2>&1) &&
	test_grep "^Sandbox .a. keeps slot 1\$" out &&
	test_grep "^  ports    port group .api.: $((P + 1)) -> $((P + 51))\$" out &&
	test "$(git -C t96--a sandbox port api)" = $((P + 51)) &&
	test_grep -x "API_PORT=$((P + 51))" t96--a/.env.sandbox &&
	test_path_is_file "$(lease_file $((P + 51)))" &&
	test_path_is_missing "$(lease_file $((P + 1)))" &&
	test_path_is_file "$(lease_file $((D + 1)))" &&
	(cd t96--a && git sandbox status --json >../st.json) &&
	test_grep "\"drift\":null" st.json &&
	(cd t96--a && git sandbox up --no-secrets >../out 2>&1) &&
	test_grep "api  http://localhost:$((P + 51))/" out &&
	curl -sf localhost:$((P + 51))/health &&
	publishes t96-a api $((P + 51)) &&
	publishes t96-a db $((D + 1)) &&
	sb_ports_distinct
'

test_expect_success 'repair takes the lowest free slot when its own slot'"'"'s new ports are taken' '
	(cd t96--a && git sandbox down >/dev/null 2>&1 && git checkout -q clash &&
	 git sandbox repair >../out 2>&1) &&
	test_grep "not keeping its slot: slot 1: port $((P + 2)) is held by sandbox .b." out &&
	test_grep "^Sandbox .a. moves to slot 3 (was 1)\$" out &&
	test_grep "port group .api.: $((P + 51)) -> $((P + 4)); port group .db.: $((D + 1)) -> $((D + 3))" out &&
	(cd t96--a && git sandbox env >../env.out) &&
	test_grep -x "SANDBOX_SLOT=3" env.out &&
	test_grep -x "DB_PORT=$((D + 3))" t96--a/.env.sandbox &&
	test_path_is_missing "$(lease_file $((P + 51)))" &&
	test_path_is_missing "$(lease_file $((D + 1)))" &&
	test_path_is_file "$(lease_file $((D + 3)))" &&
	(cd t96--a && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96-a api $((P + 4)) &&
	publishes t96-a db $((D + 3)) &&
	sb_ports_distinct
'

test_expect_success 'git -c asking for another base: up refuses with the repair hint, without -c it works' '
	(cd t96--b &&
	 test_expect_code 128 git -c port.api.base=$((P + 60)) sandbox up --no-secrets >../out 2>../err &&
	 git -c port.api.base=$((P + 60)) sandbox status >../st.out) &&
	test_grep "other ports than sandbox .b. leased (port group .api.: $((P + 2)) -> $((P + 62))); run .git sandbox repair." err &&
	test_grep "^drift    .*$((P + 2)) -> $((P + 62))" st.out &&
	test_grep "^ports    api $((P + 2)), db $((D + 2))\$" st.out &&
	objects_of t96-b >left && test_must_be_empty left &&
	(cd t96--b && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96-b api $((P + 2)) &&
	sb_ports_distinct
'

test_expect_success 'the exported variables of another sandbox do not reach compose' '
	# compose as git-sandbox runs it, noting the variables it was given
	write_script record-compose <<-\EOF &&
	echo "$API_PORT $DB_PORT $COMPOSE_PROJECT_NAME" >>"$HOME/compose.env"
	if docker compose version >/dev/null 2>&1
	then
		exec docker compose "$@"
	fi
	exec docker-compose "$@"
	EOF
	rec="-c sandbox.composeCommand=$TRASH_DIRECTORY/record-compose" &&
	(
		eval "$(cd t96--a && git sandbox env --export)" &&
		test "$API_PORT" = $((P + 4)) &&
		test "$COMPOSE_PROJECT_NAME" = t96-a &&
		cd t96--b &&
		git $rec sandbox down >/dev/null 2>&1 &&
		git $rec sandbox up --no-secrets >../out 2>&1 &&
		# and on a running stack: compose would recreate it on other ports
		git $rec sandbox up --no-secrets >>../out 2>&1 &&
		git $rec sandbox logs --tail 1 >/dev/null 2>&1 &&
		git sandbox port api >../port &&
		git sandbox exec -- sh -c "echo \$API_PORT \$DB_PORT \$COMPOSE_PROJECT_NAME" >../exec.out
	) &&
	test_grep "^Sandbox .b. is up" out &&
	echo $((P + 2)) >expect && test_cmp expect port &&
	echo "$((P + 2)) $((D + 2)) t96-b" >expect && test_cmp expect exec.out &&
	for i in 1 2 3 4; do cat expect || return 1; done >expect.compose &&
	test_cmp expect.compose compose.env &&
	publishes t96-b api $((P + 2)) &&
	publishes t96-b db $((D + 2)) &&
	publishes t96-a api $((P + 4)) &&
	curl -sf localhost:$((P + 2))/health &&
	sb_ports_distinct
'

test_expect_success 'up with a leased port held by a process or another stack: refused by name, nothing started' '
	(cd t96--b && git sandbox down >/dev/null 2>&1) &&
	test_hold_port $((D + 2)) &&
	pid=${test_holders_##* } &&
	(cd t96--b && test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "port $((D + 2)) (db) is held by process $pid (busybox)" err &&
	test_grep "not starting sandbox .b." err &&
	objects_of t96-b >left && test_must_be_empty left &&
	test_stop_holders_ &&
	# a container of a stack that is not the sandbox'"'"'s
	test_when_finished "docker rm -f t96-intruder-app >/dev/null 2>&1" &&
	docker run -d --name t96-intruder-app -p $((P + 2)):80 \
		--label com.docker.compose.project=t96-intruder --label com.docker.compose.service=web \
		$IMAGE httpd -f -p 80 >/dev/null &&
	(cd t96--b && test_expect_code 128 git sandbox up --no-secrets >../out 2>../err) &&
	test_grep "port $((P + 2)) (api) is held by container t96-intruder-app (service .web. of compose project .t96-intruder.)" err &&
	objects_of t96-b >left && test_must_be_empty left &&
	docker rm -f t96-intruder-app >/dev/null &&
	(cd t96--b && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96-b db $((D + 2)) &&
	sb_ports_distinct
'

test_expect_success 'logs and down with the env file deleted: written again, the stack really stops' '
	(cd t96--a && git clean -xfdq && test_path_is_missing .env.sandbox &&
	 git sandbox logs api --tail 5 >../out 2>&1) &&
	test_grep -x "API_PORT=$((P + 4))" t96--a/.env.sandbox &&
	rm t96--a/.env.sandbox &&
	(cd t96--a && git sandbox down >../out 2>&1) &&
	test_grep "^Sandbox .a. is down" out &&
	test_grep -x "DB_PORT=$((D + 3))" t96--a/.env.sandbox &&
	docker ps -aq --filter label=com.docker.compose.project=t96-a >left &&
	test_must_be_empty left &&
	test_must_fail curl -sf localhost:$((P + 4))/health &&
	sb_ports_distinct
'

# drift_repair_up <branch>: check out a branch that drifts, then down, repair, up
drift_repair_up () {
	(cd t96--a && git checkout -q "$1" && git sandbox status --json >../st.json) &&
	test_grep ! "\"drift\":null" st.json &&
	(cd t96--a && git sandbox down >/dev/null 2>&1 && git sandbox repair >../out 2>&1 &&
	 git sandbox status --json >../st.json && git sandbox up --no-secrets >/dev/null 2>&1) &&
	test_grep "\"drift\":null" st.json &&
	sb_ports_distinct
}

test_expect_success 'repair after each drift brings the sandbox back up on ports everyone agrees on' '
	# not while its stack runs on the old ones
	(cd t96--a && git sandbox up --no-secrets >/dev/null 2>&1 && git checkout -q a &&
	 test_expect_code 128 git sandbox repair >../out 2>../err) &&
	test_grep "the stack of sandbox .a. runs on its old ports; take it down first" err &&
	test "$(git -C t96--a sandbox port api)" = $((P + 4)) &&
	test_path_is_file "$(lease_file $((P + 4)))" &&
	# the base back as it was
	drift_repair_up a &&
	publishes t96-a api $((P + 3)) &&
	test_path_is_missing "$(lease_file $((P + 4)))" &&
	# a new port group
	drift_repair_up extra-group &&
	(cd t96--a && git sandbox port extra >../port) &&
	echo $((P + 43)) >expect && test_cmp expect port &&
	test_path_is_file "$(lease_file $((P + 43)))" &&
	test_grep -x "EXTRA_PORT=$((P + 43))" t96--a/.env.sandbox &&
	# and gone again
	drift_repair_up a &&
	test_path_is_missing "$(lease_file $((P + 43)))" &&
	test_grep ! EXTRA_PORT t96--a/.env.sandbox &&
	publishes t96-a api $((P + 3)) &&
	publishes t96-a db $((D + 3))
'

test_expect_success 'create with an uncommitted edit of a base in the main worktree: the commit'"'"'s ports' '
	sed -i "s/base = $P\$/base = $((P + 30))/" t96/.gitsandbox &&
	test_when_finished "git -C t96 checkout -q .gitsandbox" &&
	(cd t96 && git sandbox create c >../out 2>&1) &&
	test_grep "in slot 1\$" out &&
	# the lease is what the checked-out commit asks for: no drift from birth
	test "$(git -C t96--c sandbox port api)" = $((P + 1)) &&
	(cd t96--c && git sandbox status --json >../st.json) &&
	test_grep "\"drift\":null" st.json &&
	test_grep -x "API_PORT=$((P + 1))" t96--c/.env.sandbox &&
	test_path_is_file "$(lease_file $((P + 1)))" &&
	test_path_is_missing "$(lease_file $((P + 31)))" &&
	sb_ports_distinct
'

test_expect_success 'a moved worktree: doctor advises repair, prune follows it, a new sandbox gets other ports' '
	(cd t96 && git sandbox create m >/dev/null 2>&1) &&
	m_api=$(git -C t96--m sandbox port api) &&
	mkdir elsewhere &&
	git -C t96 worktree move ../t96--m ../elsewhere/m &&
	(cd t96 && git sandbox doctor >../out 2>&1; test $? -le 1) &&
	test_grep "^warn  sandbox .m. (slot [0-9]*) moved from .$TRASH_DIRECTORY/t96--m. to .$TRASH_DIRECTORY/elsewhere/m.\$" out &&
	test_grep "fix: git -C .$TRASH_DIRECTORY/elsewhere/m. sandbox repair\$" out &&
	test_grep ! "sandbox .m. .*is gone" out &&
	(cd t96 && git sandbox prune >../out 2>&1) &&
	test_grep ! "Pruning sandbox .m." out &&
	test_grep "Following sandbox .m. (slot [0-9]*) to .$TRASH_DIRECTORY/elsewhere/m." out &&
	test_path_is_file "$(lease_file $m_api)" &&
	(cd t96 && git sandbox create n >../out 2>&1) &&
	n_api=$(git -C t96--n sandbox port api) &&
	test "$n_api" != "$m_api" &&
	sb_ports_distinct
'

test_expect_success 'repair in a worktree moved again records where it is, and up works there' '
	m_api=$(git -C elsewhere/m sandbox port api) &&
	git -C t96 worktree move ../elsewhere/m ../elsewhere/m2 &&
	# list finds it by its git dir before anything records the move
	(cd t96 && git sandbox list >../out) &&
	test_grep "^m  .* stopped  *http://localhost:$m_api/  *$TRASH_DIRECTORY/elsewhere/m2\$" out &&
	(cd elsewhere/m2 && git sandbox status >../../out 2>&1) &&
	test_grep "sandbox .m. moved from .$TRASH_DIRECTORY/elsewhere/m.; run .git sandbox repair." out &&
	(cd elsewhere/m2 && git sandbox repair >../../out 2>&1) &&
	test_grep "^Sandbox .m. moved: $TRASH_DIRECTORY/elsewhere/m -> $TRASH_DIRECTORY/elsewhere/m2\$" out &&
	(cd t96 && git sandbox list >../out) &&
	test_grep "^m  .* stopped  *http://localhost:$m_api/  *$TRASH_DIRECTORY/elsewhere/m2\$" out &&
	test "$(git -C elsewhere/m2 sandbox port api)" = "$m_api" &&
	(cd elsewhere/m2 && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96-m api $m_api &&
	sb_ports_distinct
'

test_expect_success 'init in a main worktree whose stack runs: refused, nothing leased; after down it works' '
	(cd t96 && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96 api $P &&
	sb_snapshot t96 before && ls "$GIT_SANDBOX_LEASES" >leases.before &&
	(cd t96 && test_expect_code 128 git sandbox init --name home >../out 2>../err) &&
	test_grep "the main worktree.s stack (compose project .t96.) has 2 containers" err &&
	sb_snapshot t96 after && test_cmp before after &&
	ls "$GIT_SANDBOX_LEASES" >leases.after && test_cmp leases.before leases.after &&
	sb_ports_distinct t96 &&
	(cd t96 && git sandbox down >/dev/null 2>&1 && git sandbox init --name home >../out 2>&1) &&
	objects_of t96 >left && test_must_be_empty left &&
	home_api=$(git -C t96 sandbox port api) &&
	test "$home_api" != $P &&
	test_path_is_file "$(lease_file $home_api)" &&
	(cd t96 && git sandbox up --no-secrets >/dev/null 2>&1) &&
	publishes t96-home api $home_api &&
	sb_ports_distinct t96
'

test_expect_success 'two HOMEs, two repositories with the same bases: other ports' '
	make_project t96x t96x && make_project t96y t96y &&
	mkdir -p home2/.state home2/.config home2/.cache &&
	test_when_finished "(cd t96y && in_home2 git sandbox destroy --force y1 >/dev/null 2>&1); :" &&
	(cd t96x && git sandbox create x1 >../out 2>&1) &&
	(cd t96y && in_home2 git sandbox create y1 >../out 2>&1) &&
	test_grep "skipping slot 1: port [0-9]* is leased to sandbox .[a-z0-9]*. of .* (your registry .$TRASH_DIRECTORY/.state/git-sandbox/registry.)" out &&
	{ sb_collect_ports && in_home2 sb_collect_ports; } >ports.all &&
	grep " $TRASH_DIRECTORY/t96y--y1\$" ports.all >y1 && test_line_count = 2 y1 &&
	sb_ports_unique ports.all
'

test_expect_success 'two real users with the same bases: other ports' '
	test "$(id -u)" = 0 || { say "# needs root to make a second user"; false; } &&
	make_other_user &&
	test_when_finished "drop_other_user" &&
	mkdir "$other/leases" && chmod 1777 "$other/leases" &&
	test_when_finished "(cd t96x && GIT_SANDBOX_LEASES=\"$other/leases\" git sandbox destroy --force u1 >/dev/null 2>&1); :" &&
	(cd t96x && GIT_SANDBOX_LEASES="$other/leases" git sandbox create u1 >../out 2>&1) &&
	u1_api=$(git -C t96x--u1 sandbox port api) &&
	test "$(stat -c %U "$other/leases/git-sandbox-port-$u1_api")" = root &&
	write_project "$other" t96o &&
	"$other/as-other" sh -c "cd && git init -q -b main t96o && cp \"$other/.gitsandbox\" t96o/ &&
		cd t96o && git add . && git commit -q -m init" &&
	GIT_SANDBOX_LEASES="$other/leases" "$other/as-other" \
		sh -c "cd && cd t96o && git sandbox create o1" >out 2>&1 &&
	test_grep "skipping slot 1: port [0-9]* is leased to user root (uid 0)" out &&
	(
		GIT_SANDBOX_LEASES="$other/leases" && export GIT_SANDBOX_LEASES &&
		sb_collect_ports >ports.all &&
		SB_GIT="$other/as-other git" && sb_collect_ports >>ports.all
	) &&
	grep " $other/home/t96o--o1\$" ports.all >o1 && test_line_count = 2 o1 &&
	sb_ports_unique ports.all
'

test_expect_success 'a lease of another user on a port of slot 1: skipped, and never removed' '
	test "$(id -u)" = 0 || { say "# needs root to make a second user"; false; } &&
	make_other_user &&
	test_when_finished "drop_other_user" &&
	git init -q -b main t96z &&
	write_project t96z t96z &&
	sed -i -e "s/base = $P\$/base = $((P + 20))/" -e "s/base = $D\$/base = $((D + 20))/" t96z/.gitsandbox &&
	git -C t96z add . && git -C t96z commit -q -m init &&
	theirs=$(lease_file $((D + 21))) &&
	printf "[lease]\nport = %s\n" $((D + 21)) >"$theirs" &&
	chown $OTHER "$theirs" &&
	(cd t96z && test_expect_code 128 git sandbox create --slot 1 z0 >../out 2>&1) &&
	test_grep "slot 1: port $((D + 21)) is leased to user $OTHER (uid [0-9]*)" out &&
	(cd t96z && git sandbox create z1 >../out 2>&1) &&
	test_grep "skipping slot 1: port $((D + 21)) is leased to user $OTHER (uid [0-9]*)" out &&
	test_grep "in slot 2\$" out &&
	test "$(git -C t96z--z1 sandbox port db)" = $((D + 22)) &&
	(cd t96z && git sandbox destroy --force z1 >/dev/null 2>&1 && git sandbox prune >/dev/null 2>&1) &&
	test_path_is_missing "$(lease_file $((D + 22)))" &&
	test_path_is_file "$theirs" &&
	test "$(stat -c %U "$theirs")" = $OTHER &&
	sb_ports_distinct t96
'

test_expect_success 'cleanup: the stacks and the image' '
	sb_drop_project $PROJECTS &&
	for p in $PROJECTS
	do
		objects_of $p >left && test_must_be_empty left || return 1
	done &&
	docker rmi $IMAGE >/dev/null
'

test_done
