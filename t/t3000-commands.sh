#!/bin/sh

test_description='list, status, port, env and exec'

. ./test-lib.sh

test_expect_success 'setup' '
	sb_make_repo ktrdr &&
	(cd ktrdr && git sandbox create alpha >/dev/null && git sandbox create beta -b topic/beta >/dev/null) &&
	mkdir -p ktrdr--alpha/sub/dir &&
	pwd -P >root
'

root=$(cat root 2>/dev/null)

test_expect_success 'list with no sandboxes prints nothing on stdout' '
	mkdir empty &&
	(cd empty && XDG_STATE_HOME=$HOME/none git sandbox list >../out 2>../err) &&
	test_must_be_empty out &&
	test_grep "no sandboxes" err &&
	test_path_is_missing none
'

test_expect_success 'list shows the sandboxes of this repository: name, slot, branch, status, main URL, path' '
	(cd ktrdr && git sandbox list >../out) &&
	test_line_count = 3 out &&
	head -n 1 out >header &&
	test_grep "^NAME  *SLOT  *BRANCH  *STATUS  *WHERE  *PATH$" header &&
	test_grep "^alpha  *1  *alpha  *no-stack  *http://localhost:$(sb_port 8001)/  *$root/ktrdr--alpha$" out &&
	test_grep "^beta  *2  *topic/beta  *no-stack  *http://localhost:$(sb_port 8002)/  *$root/ktrdr--beta$" out
'

test_expect_success 'list is the same from anywhere in the repository; outside one, every repository'"'"'s' '
	(cd ktrdr && git sandbox list >../expect) &&
	(cd ktrdr--alpha/sub/dir && git sandbox list >../../../out1) &&
	git -C ktrdr--beta sandbox list >out3 &&
	test_cmp expect out1 &&
	test_cmp expect out3 &&
	git sandbox list >out2 &&
	(cd ktrdr && git sandbox list --all >../out4) &&
	test_cmp out2 out4 &&
	test_grep "^REPO  *NAME  *SLOT  *BRANCH  *STATUS  *WHERE  *PATH$" out2 &&
	test_grep "^ktrdr  *alpha  *1  *alpha  *no-stack  *http://localhost:$(sb_port 8001)/  *$root/ktrdr--alpha$" out2
'

test_expect_success 'list --json' '
	(cd ktrdr && git sandbox list --json >../out) &&
	test_line_count = 1 out &&
	test_grep "^{\"version\":1,\"sandboxes\":\[{.*}\]}$" out &&
	sed -e "s/},{\"name\"/}\n{\"name\"/g" out >entries &&
	test_line_count = 2 entries &&
	sed -n 1p entries >alpha &&
	test_grep -F "{\"version\":1,\"sandboxes\":[{\"name\":\"alpha\",\"slot\":1,\"repo\":\"$root/ktrdr\",\"path\":\"$root/ktrdr--alpha\",\"branch\":\"alpha\",\"project\":\"ktrdr-alpha\",\"status\":\"no-stack\",\"engine\":\"unix:///var/run/docker.sock\",\"ports\":{" alpha &&
	test_grep -F "\"api\":$(sb_port 8001)," alpha &&
	test_grep -F "\"db\":$(sb_port 5433)," alpha &&
	test_grep -F "\"grafana\":$(sb_port 3001)," alpha &&
	test_grep -F "\"jaeger\":$(sb_port 16687)," alpha &&
	test_grep -F "\"workers\":[$(sb_port 5010),$(sb_port 5011),$(sb_port 5012),$(sb_port 5013)]}" alpha &&
	test_grep -F "\"main\":false}" alpha &&
	sed -n 2p entries >beta &&
	test_grep -F "\"name\":\"beta\",\"slot\":2," beta &&
	test_grep -F "\"branch\":\"topic/beta\"" beta
'

test_expect_success 'list --json with no sandboxes has an empty array' '
	XDG_STATE_HOME=$HOME/none git sandbox list --json >out &&
	echo "{\"version\":1,\"sandboxes\":[]}" >expect &&
	test_cmp expect out
'

test_expect_success 'status in a sandbox' '
	(cd ktrdr--alpha && git sandbox status >../out) &&
	cat >expect <<-EOF &&
	sandbox  alpha (slot 1)
	path     $root/ktrdr--alpha
	branch   alpha
	project  ktrdr-alpha
	ports    api $(sb_port 8001), db $(sb_port 5433), grafana $(sb_port 3001), jaeger $(sb_port 16687), workers $(sb_port 5010)-$(sb_port 5013)
	engine   unix:///var/run/docker.sock
	url      api http://localhost:$(sb_port 8001)/
	status   no-stack
	secrets  ktrdr-sandbox-dev: not cached (DB_PASSWORD)
	EOF
	test_cmp expect out
'

test_expect_success 'status <name> from the main worktree, a subdirectory and git -C' '
	(cd ktrdr--alpha && git sandbox status >../expect) &&
	(cd ktrdr && git sandbox status alpha >../out1) &&
	(cd ktrdr--alpha/sub/dir && git sandbox status >../../../out2) &&
	git -C ktrdr--alpha/sub sandbox status >out3 &&
	git -C ktrdr--beta sandbox status alpha >out4 &&
	test_cmp expect out1 &&
	test_cmp expect out2 &&
	test_cmp expect out3 &&
	test_cmp expect out4
'

test_expect_success 'status of the main worktree is slot 0' '
	(cd ktrdr && git sandbox status >../out) &&
	test_grep "^sandbox  main (slot 0)$" out &&
	test_grep "^project  ktrdr$" out &&
	test_grep "^ports    api $(sb_port 8000), .*workers $(sb_port 5003)-$(sb_port 5006)$" out &&
	(cd ktrdr--alpha && git sandbox status main >../out2) &&
	test_cmp out out2
'

test_expect_success 'status of an unknown sandbox fails' '
	(cd ktrdr && test_expect_code 128 git sandbox status nosuch 2>../err) &&
	test_grep "no sandbox named '\''nosuch'\''" err &&
	(cd ktrdr && test_expect_code 128 git sandbox status "a/b" 2>../err) &&
	test_grep "invalid sandbox name" err &&
	(cd ktrdr && test_expect_code 129 git sandbox status a b 2>../err)
'

test_expect_success 'status --json' '
	(cd ktrdr--beta && git sandbox status --json >../out) &&
	test_line_count = 1 out &&
	test_grep -F "{\"version\":1,\"name\":\"beta\",\"slot\":2,\"repo\":\"$root/ktrdr\",\"path\":\"$root/ktrdr--beta\",\"branch\":\"topic/beta\",\"project\":\"ktrdr-beta\",\"status\":\"no-stack\",\"engine\":\"unix:///var/run/docker.sock\",\"ports\":{\"api\":$(sb_port 8002)," out &&
	test_grep -F "\"workers\":[$(sb_port 5020),$(sb_port 5021),$(sb_port 5022),$(sb_port 5023)]}" out &&
	test_grep -F ",\"main\":false,\"containers\":[]" out &&
	test_grep -F ",\"secrets\":{\"source\":" out &&
	test_grep -F "\"secrets\":{\"source\":null,\"age_seconds\":null,\"names\":[\"DB_PASSWORD\"]}}" out &&
	test_grep ! localdev out
'

test_expect_success 'port prints one number; a group of several prints all' '
	(cd ktrdr--beta && git sandbox port api >../out) &&
	echo $(sb_port 8002) >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && git sandbox port workers >../out) &&
	echo "$(sb_port 5020) $(sb_port 5021) $(sb_port 5022) $(sb_port 5023)" >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && git sandbox port workers 2 >../out) &&
	echo $(sb_port 5021) >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && git sandbox port workers 4 >../out) &&
	echo $(sb_port 5023) >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && git sandbox port api 1 >../out) &&
	echo $(sb_port 8002) >expect &&
	test_cmp expect out
'

test_expect_success 'port: <n> out of range, an unknown group' '
	for n in 0 5 -1 x 2x
	do
		(cd ktrdr--beta && test_expect_code 128 git sandbox port workers -- $n >../out 2>../err) &&
		test_must_be_empty out &&
		test_grep "<n> goes from 1 to 4" err || return 1
	done &&
	(cd ktrdr--beta && test_expect_code 128 git sandbox port api 2 2>../err) &&
	test_grep "<n> goes from 1 to 1" err &&
	(cd ktrdr--beta && test_expect_code 128 git sandbox port nosuch >../out 2>../err) &&
	test_must_be_empty out &&
	test_grep "no port group '\''nosuch'\''" err &&
	test_grep "known: api, db, grafana, jaeger, workers" err
'

test_expect_success 'port from a subdirectory and with git -C' '
	(cd ktrdr--alpha/sub/dir && git sandbox port db >../../../out) &&
	echo $(sb_port 5433) >expect &&
	test_cmp expect out &&
	git -C ktrdr--alpha/sub sandbox port db >out &&
	test_cmp expect out &&
	git -C ktrdr sandbox port db >out &&
	echo $(sb_port 5432) >expect &&
	test_cmp expect out
'

cat >expect.env.beta <<EOF
KTRDR_API_PORT=$(sb_port 8002)
KTRDR_DB_PORT=$(sb_port 5434)
GRAFANA_PORT=$(sb_port 3002)
JAEGER_UI_PORT=$(sb_port 16688)
KTRDR_WORKER_PORT_1=$(sb_port 5020)
KTRDR_WORKER_PORT_2=$(sb_port 5021)
KTRDR_WORKER_PORT_3=$(sb_port 5022)
KTRDR_WORKER_PORT_4=$(sb_port 5023)
SANDBOX_NAME=beta
SANDBOX_SLOT=2
COMPOSE_PROJECT_NAME=ktrdr-beta
EOF

test_expect_success 'env prints the variables of the env file' '
	(cd ktrdr--beta && git sandbox env >../out) &&
	test_cmp expect.env.beta out &&
	grep -v "^#" ktrdr--beta/.env.sandbox >file &&
	test_cmp expect.env.beta file
'

test_expect_success 'env in the main worktree gives slot 0' '
	(cd ktrdr && git sandbox env >../out) &&
	test_grep "^KTRDR_API_PORT=$(sb_port 8000)$" out &&
	test_grep "^KTRDR_WORKER_PORT_4=$(sb_port 5006)$" out &&
	test_grep "^SANDBOX_NAME=main$" out &&
	test_grep "^SANDBOX_SLOT=0$" out &&
	test_grep "^COMPOSE_PROJECT_NAME=ktrdr$" out &&
	test_path_is_missing ktrdr/.env.sandbox
'

test_expect_success 'env --export can be evaluated by sh' '
	(cd ktrdr--beta/ && git sandbox env --export >../out) &&
	test_grep "^export KTRDR_API_PORT=" out &&
	sh -c ". ./out && env" >all &&
	grep -E "^(KTRDR_|GRAFANA_|JAEGER_|SANDBOX_|COMPOSE_)" all | sort >actual &&
	sort expect.env.beta >expect &&
	test_cmp expect actual
'

test_expect_success 'exec runs a command with the variables set' '
	(cd ktrdr--beta && git sandbox exec -- sh -c "echo \$KTRDR_API_PORT \$KTRDR_WORKER_PORT_3 \$SANDBOX_NAME \$COMPOSE_PROJECT_NAME" >../out) &&
	echo "$(sb_port 8002) $(sb_port 5022) beta ktrdr-beta" >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && git sandbox exec sh -c "echo \$SANDBOX_SLOT" >../out) &&
	echo 2 >expect &&
	test_cmp expect out
'

test_expect_success 'exec passes arguments unchanged and returns the exit status' '
	(cd ktrdr--beta && git sandbox exec -- printf "[%s]\n" "a b" "" "-x" >../out) &&
	printf "[a b]\n[]\n[-x]\n" >expect &&
	test_cmp expect out &&
	(cd ktrdr--beta && test_expect_code 3 git sandbox exec -- sh -c "exit 3") &&
	(cd ktrdr--beta && test_must_fail git sandbox exec -- no-such-command-here 2>../err) &&
	test_grep "no-such-command-here" err
'

test_expect_success 'exec from a subdirectory runs there, and with git -C' '
	(cd ktrdr--alpha/sub/dir && git sandbox exec -- sh -c "pwd; echo \$SANDBOX_NAME" >../../../out) &&
	printf "%s\nalpha\n" "$root/ktrdr--alpha/sub/dir" >expect &&
	test_cmp expect out &&
	git -C ktrdr--alpha/sub sandbox exec -- sh -c "echo \$SANDBOX_NAME" >out &&
	echo alpha >expect &&
	test_cmp expect out
'

test_expect_success 'env with git -C and from a subdirectory' '
	(cd ktrdr--alpha && git sandbox env >../expect) &&
	(cd ktrdr--alpha/sub/dir && git sandbox env >../../../out1) &&
	git -C ktrdr--alpha/sub/dir sandbox env >out2 &&
	test_cmp expect out1 &&
	test_cmp expect out2
'

test_expect_success 'a deleted env file is regenerated by env and by exec' '
	cp ktrdr--beta/.env.sandbox saved &&
	rm ktrdr--beta/.env.sandbox &&
	(cd ktrdr--beta && git sandbox env >/dev/null) &&
	test_cmp saved ktrdr--beta/.env.sandbox &&
	rm ktrdr--beta/.env.sandbox &&
	(cd ktrdr--beta/ && git sandbox exec -- true) &&
	test_cmp saved ktrdr--beta/.env.sandbox
'

test_expect_success 'read-only commands leave the registry byte-identical' '
	ls -la "$XDG_STATE_HOME/git-sandbox" | sed -e "s/  */ /g" >dir.before &&
	cp "$(sb_registry)" reg.before &&
	for d in ktrdr ktrdr--alpha ktrdr--beta/ ktrdr--alpha/sub/dir
	do
		(
			cd $d &&
			git sandbox list &&
			git sandbox list --json &&
			git sandbox status &&
			git sandbox status --json &&
			git sandbox status alpha &&
			git sandbox port api &&
			git sandbox port workers 3 &&
			git sandbox env &&
			git sandbox env --export &&
			git sandbox exec -- true
		) >/dev/null || return 1
	done &&
	test_cmp reg.before "$(sb_registry)" &&
	ls -la "$XDG_STATE_HOME/git-sandbox" | sed -e "s/  */ /g" >dir.after &&
	test_cmp dir.before dir.after
'

test_expect_success 'commands that need a sandbox refuse a plain worktree' '
	git -C ktrdr worktree add -q ../plain-wt -b plain &&
	(cd plain-wt && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep "is not a sandbox" err &&
	(cd plain-wt && test_expect_code 128 git sandbox env 2>../err) &&
	test_grep "is not a sandbox" err &&
	(cd plain-wt && test_expect_code 128 git sandbox exec -- true 2>../err) &&
	test_grep "is not a sandbox" err
'

test_expect_success 'list --all shows the sandboxes of every repository, with the repository' '
	sb_make_repo other &&
	git -C other config sandbox.project other &&
	(cd other && git sandbox create gamma >../out) &&
	test_grep "slot 3" out &&
	(cd ktrdr && git sandbox list >../out) &&
	test_line_count = 3 out &&
	test_grep ! gamma out &&
	(cd ktrdr && git sandbox list --all >../out) &&
	test_line_count = 4 out &&
	test_grep "^other  *gamma  *3  *gamma  *no-stack  *http://localhost:$(sb_port 8003)/  *$root/other--gamma$" out &&
	(cd ktrdr && git sandbox list --all --json >../out) &&
	test_grep -F "{\"name\":\"gamma\",\"slot\":3,\"repo\":\"$root/other\"" out &&
	(cd ktrdr && git sandbox list --json >../out) &&
	test_grep ! gamma out
'

test_expect_success 'a sandbox whose docker context was deleted: list names it, destroy says what to do' '
	docker context create t3ctx --docker host=unix:///nonexistent/docker.sock >/dev/null &&
	(cd other && git sandbox create delta --engine t3ctx >/dev/null) &&
	# a stack, so that its engine is needed (alpha has none)
	printf "services: {}\n" >other--delta/docker-compose.sandbox.yml &&
	docker context rm t3ctx >/dev/null &&
	(cd ktrdr && git sandbox list --all >../out 2>../err) &&
	# no address, no URL: its ports
	test_grep "^other  *delta  *4  *delta  *unknown  *t3ctx  *api $(sb_port 8004) db $(sb_port 5436) .* workers $(sb_port 5040)-$(sb_port 5043)  *$root/other--delta$" out &&
	test_grep "^ktrdr  *alpha  *1  *alpha  *no-stack  *unix:///var/run/docker.sock  *http://localhost:$(sb_port 8001)/  *$root/ktrdr--alpha$" out &&
	test_grep "docker context .t3ctx. does not exist" err &&
	(cd other--delta && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "GIT_SANDBOX_ENGINE=<context or URL>" err
'

test_expect_success 'and port, env, status and destroy go on without it' '
	(cd other--delta && git sandbox port api >../out 2>../err) &&
	echo $(sb_port 8004) >expect && test_cmp expect out &&
	test_must_be_empty err &&
	(cd other--delta && git sandbox env >../out 2>../err) &&
	test_grep "^SANDBOX_NAME=delta$" out &&
	test_must_be_empty err &&
	(cd other--delta && git sandbox status >../out 2>../err) &&
	test_grep "^engine   t3ctx$" out &&
	test_grep "^status   unknown$" out &&
	test_grep ! "^url " out &&
	test_grep "going on without it" err &&
	rm other--delta/docker-compose.sandbox.yml &&
	(cd other && git sandbox destroy delta >../out 2>../err) &&
	test_grep "Destroyed sandbox .delta." out &&
	test_grep "going on without it" err
'

test_done
