#!/bin/sh

test_description='a sandbox'\''s state file: git-config syntax, and the first format upgraded'

. ./test-lib.sh

test_expect_success 'setup: a repository and a sandbox' '
	sb_make_repo ktrdr &&
	(cd ktrdr && sb_no_docker git sandbox create one >../out) &&
	echo "$(git -C ktrdr--one rev-parse --absolute-git-dir)/config" >state_path
'

state=$(cat state_path 2>/dev/null)

test_expect_success 'git config reads the state: the sandbox and its leased ports' '
	git config -f "$state" --list >list &&
	cat >expect <<-EOF &&
	sandbox.format=2
	sandbox.name=one
	sandbox.slot=1
	sandbox.project=ktrdr-one
	engine.name=unix://$HOME/no-docker.sock
	port.api.lease=KTRDR_API_PORT $(sb_port 8001)
	port.db.lease=KTRDR_DB_PORT $(sb_port 5433)
	port.grafana.lease=GRAFANA_PORT $(sb_port 3001)
	port.jaeger.lease=JAEGER_UI_PORT $(sb_port 16687)
	port.workers.lease=KTRDR_WORKER_PORT $(sb_port 5010) $(sb_port 5011) $(sb_port 5012) $(sb_port 5013)
	EOF
	grep -v "^sandbox.created=" list >actual &&
	test_cmp expect actual &&
	test_grep "^sandbox.created=[0-9][0-9]*$" list
'

test_expect_success 'what git config writes, the tool reads; a rewrite keeps it' '
	cp "$state" state.good &&
	test_when_finished "cp state.good \"$state\"" &&
	git config -f "$state" port.api.lease "KTRDR_API_PORT $(sb_port 8099)" &&
	(cd ktrdr--one && sb_no_docker git sandbox port api >../out) &&
	sb_port 8099 >expect &&
	test_cmp expect out &&
	# values and names that need quoting and escaping, as git writes them
	git config -f "$state" engine.certs " /a;b#c\\d\"e " &&
	git config -f "$state" "secret.we\"ird\\ label;#.fingerprint" "x	y" &&
	(cd ktrdr--one && sb_no_docker git sandbox repair >../out 2>../err) &&
	test "$(git config -f "$state" sandbox.format)" = 2 &&
	test "$(git config -f "$state" engine.certs)" = " /a;b#c\\d\"e " &&
	test "$(git config -f "$state" "secret.we\"ird\\ label;#.fingerprint")" = "x	y" &&
	test "$(git config -f "$state" sandbox.name)" = one
'

test_expect_success 'a state file of the first format is read, and upgraded on the next write' '
	cp "$state" state.good &&
	test_when_finished "cp state.good \"$state\"" &&
	created=$(git config -f "$state" sandbox.created) &&
	cat >"$state" <<-EOF &&
	# git-sandbox state of this worktree (written by git-sandbox)
	[sandbox]
	name = one
	slot = 1
	project = ktrdr-one
	created = $created
	[engine]
	name = unix://$HOME/no-docker.sock
	[port]
	api = KTRDR_API_PORT $(sb_port 8001)
	db = KTRDR_DB_PORT $(sb_port 5433)
	grafana = GRAFANA_PORT $(sb_port 3001)
	jaeger = JAEGER_UI_PORT $(sb_port 16687)
	workers = KTRDR_WORKER_PORT $(sb_port 5010) $(sb_port 5011) $(sb_port 5012) $(sb_port 5013)
	[secrets]
	db_password = f1
	a%20b%3B = f2
	[stack]
	secrets = defaults
	EOF
	cp "$state" state.old &&
	(cd ktrdr--one && sb_no_docker git sandbox port api >../out) &&
	sb_port 8001 >expect &&
	test_cmp expect out &&
	test_cmp state.old "$state" &&
	(cd ktrdr--one && sb_no_docker git sandbox repair >../out 2>../err) &&
	git config -f "$state" --list >actual &&
	cat >expect <<-EOF &&
	sandbox.format=2
	sandbox.name=one
	sandbox.slot=1
	sandbox.project=ktrdr-one
	sandbox.created=$created
	engine.name=unix://$HOME/no-docker.sock
	secret.db_password.fingerprint=f1
	secret.a b;.fingerprint=f2
	stack.secrets=defaults
	port.api.lease=KTRDR_API_PORT $(sb_port 8001)
	port.db.lease=KTRDR_DB_PORT $(sb_port 5433)
	port.grafana.lease=GRAFANA_PORT $(sb_port 3001)
	port.jaeger.lease=JAEGER_UI_PORT $(sb_port 16687)
	port.workers.lease=KTRDR_WORKER_PORT $(sb_port 5010) $(sb_port 5011) $(sb_port 5012) $(sb_port 5013)
	EOF
	test_cmp expect actual
'

test_expect_success 'a state of a later format is refused, not guessed at' '
	cp "$state" state.good &&
	test_when_finished "cp state.good \"$state\"" &&
	git config -f "$state" sandbox.format 3 &&
	cp "$state" state.new &&
	(cd ktrdr--one && test_expect_code 128 sb_no_docker git sandbox port api 2>../err) &&
	test_grep "$state.*format 3, not 2" err &&
	test_cmp state.new "$state"
'

test_expect_success 'cleanup' '
	(cd ktrdr && sb_no_docker git sandbox destroy -f one >/dev/null 2>&1)
'

test_done
