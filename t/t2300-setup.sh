#!/bin/sh

test_description='setup: a .gitsandbox written from the compose file, and create pointing there'

. ./test-lib.sh

test_expect_success 'setup: a project with a compose file and no .gitsandbox' '
	git init -q -b main proj &&
	cat >proj/docker-compose.yml <<-\EOF &&
	x-app: &app
	  image: app
	services:
	  api:
	    <<: *app
	    ports: ["${API_PORT:-8000}:8000"]
	  db:
	    image: db
	    container_name: proj-db
	    ports:
	      - target: 5432
	        published: "5432"
	  workers:
	    image: w
	    ports: ["5000-5003:5000-5003"]
	  grafana:
	    image: g
	    ports: ["${GRAFANA_PORT:-3000}:3000"]
	  side:
	    image: s
	    ports: ["9000"]
	EOF
	git -C proj add . && git -C proj commit -q -m compose
'

test_expect_success 'create with no .gitsandbox and no ports points to setup, and makes nothing' '
	(cd proj && test_expect_code 128 git sandbox create feat 2>../err) &&
	test_grep "no ports configured" err &&
	test_grep "git sandbox setup" err &&
	test_path_is_missing proj--feat &&
	test_must_fail git -C proj rev-parse --verify -q refs/heads/feat &&
	(cd proj && test_expect_code 128 git sandbox init 2>../err) &&
	test_grep "no ports configured" err
'

test_expect_success 'setup prints one group per published port, with the variables and defaults' '
	(cd proj && git sandbox setup >../out 2>../err) &&
	test_grep "^\[sandbox\]$" out &&
	test_grep "^	compose = docker-compose.yml$" out &&
	sed -n "/^\[port \"api\"\]/,/^\[/p" out >api &&
	test_grep "^	var = API_PORT$" api &&
	test_grep "^	base = 8000$" api &&
	test_grep "^#	health = /" api &&
	sed -n "/^\[port \"db\"\]/,/^\[/p" out >db &&
	test_grep "^	var = DB_PORT$" db &&
	test_grep "^	base = 5432$" db &&
	test_grep "^#	wait = tcp" db &&
	sed -n "/^\[port \"workers\"\]/,/^\[/p" out >w &&
	test_grep "^	count = 4$" w &&
	test_grep "^	step = 10$" w &&
	test_grep "^	var = GRAFANA_PORT$" out &&
	test_grep ! "side" out &&
	test_path_is_missing proj/.gitsandbox
'

test_expect_success 'ports side by side get steps that keep the slots apart; what cannot fit is left out' '
	mkdir adj &&
	cat >adj/docker-compose.yml <<-\EOF &&
	services:
	  web:
	    image: x
	    ports: ["${WEB_PORT:-8000}:80", "8001:81", "65530:82", "8002-8004:90-92"]
	  other:
	    image: y
	    ports: ["8010:80", "${LONE_PORT:-7000}:80"]
	EOF
	git -C adj init -q -b main &&
	(cd adj && git sandbox setup --write >../out 2>/dev/null) &&
	test_grep "5 port groups" out &&
	(cd adj && git config -f .gitsandbox --get-regexp "^port\." >../groups) &&
	test_grep "^port.web-2.step 10$" groups &&
	test_grep ! "^port.web-3" groups &&
	test_grep "^#	base = 65530	# its ports in 10 slots would pass 65535" adj/.gitsandbox &&
	test_grep ! "^port.other-2.step" groups &&
	# every slot of every group: no port twice
	git -C adj add . && git -C adj commit -q -m setup &&
	for s in 1 2 3 4 5 6 7 8 9 10
	do
		(cd adj && git sandbox create s$s >/dev/null 2>&1) || return 1
	done &&
	for s in 1 2 3 4 5 6 7 8 9 10
	do
		grep "_PORT[_0-9]*=" adj--s$s/.env.sandbox || return 1
	done | sed "s/.*=//" | sort | uniq -d >dups &&
	test_must_be_empty dups
'

test_expect_success 'setup reports what would collide, with the line to write instead' '
	test_grep "service .db. publishes the fixed host port 5432 (line 1[0-9]): write \"\${DB_PORT}:5432\" instead" err &&
	test_grep "service .workers. publishes the fixed host ports from 5000 (line [0-9]*): write \"\${WORKERS_PORT_1}-\${WORKERS_PORT_4}:5000-5003\" instead" err &&
	test_grep "service .db. has the fixed container_name .proj-db. (line 9): remove it, or write \"container_name: \${COMPOSE_PROJECT_NAME}-db\"" err &&
	test_grep ! "api" err &&
	test_grep ! "grafana" err
'

test_expect_success 'setup --write writes it, create then leases its ports, and the lines it gave work' '
	(cd proj && git sandbox setup --write >../out 2>/dev/null) &&
	test_grep "^Wrote .*/\.gitsandbox: 4 port groups from docker-compose.yml" out &&
	git -C proj add .gitsandbox && git -C proj commit -q -m setup &&
	(cd proj && git sandbox create feat >/dev/null) &&
	(cd proj--feat && git sandbox port api >../port && git sandbox env >../env) &&
	echo 8001 >expect && test_cmp expect port &&
	test_grep "^DB_PORT=5433$" env &&
	test_grep "^WORKERS_PORT_1=5010$" env &&
	test_grep "^WORKERS_PORT_4=5013$" env &&
	(cd proj && git sandbox destroy -f feat >/dev/null 2>&1)
'

test_expect_success 'setup --write never overwrites a .gitsandbox' '
	cp proj/.gitsandbox before &&
	(cd proj && test_expect_code 128 git sandbox setup --write >out 2>../err) &&
	test_grep "exists: not overwriting it" err &&
	test_cmp before proj/.gitsandbox
'

test_expect_success 'setup reads the files named, or says there are none' '
	mkdir -p proj/deploy &&
	printf "services:\n  x:\n    ports: [\"\${X_PORT:-7000}:80\"]\n" >proj/deploy/c.yml &&
	(cd proj && git sandbox setup deploy/c.yml >../out 2>../err) &&
	test_grep "^	compose = deploy/c.yml$" out &&
	test_grep "^	var = X_PORT$" out &&
	test_must_be_empty err &&
	git init -q -b main empty &&
	(cd empty && test_expect_code 128 git sandbox setup 2>../err) &&
	test_grep "no compose file in" err &&
	(cd proj && test_expect_code 128 git sandbox setup nosuch.yml 2>../err) &&
	test_grep "cannot read .nosuch.yml." err &&
	printf "services: [\n" >proj/bad.yml &&
	(cd proj && test_expect_code 128 git sandbox setup bad.yml 2>../err) &&
	test_grep "cannot read the compose file .bad.yml.: line" err
'

test_expect_success 'a hostile compose file cannot write lines of its own into the .gitsandbox' '
	printf "services:\n  \"a\\\\n[sandbox]\\\\ncomposeCommand = evil\":\n    ports: [\"\${A_PORT:-7100}:80\"]\n" >proj/evil.yml &&
	(cd proj && git sandbox setup evil.yml >../out 2>../err) &&
	test_grep ! "^composeCommand" out &&
	grep "^\[sandbox\]$" out >sections &&
	test_line_count = 1 sections &&
	test_grep "service a?\[sandbox\]?composeCommand = evil, line 3$" out
'

test_done
