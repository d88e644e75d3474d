#!/bin/sh

test_description='.gitsandbox, the git config layers over it, and validation'

. ./test-lib.sh

api=$(sb_port 8000)

test_expect_success 'setup' '
	sb_make_repo ktrdr &&
	cp ktrdr/.gitsandbox good.gitsandbox
'

test_expect_success 'indented keys, quotes and comments of .gitsandbox are read' '
	(cd ktrdr && git sandbox port api >../out) &&
	echo $api >expect &&
	test_cmp expect out &&
	(cd ktrdr && git sandbox port workers >../out) &&
	echo "$(sb_port 5003) $(sb_port 5004) $(sb_port 5005) $(sb_port 5006)" >expect &&
	test_cmp expect out &&
	(cd ktrdr && git sandbox env >../out) &&
	test_grep "^COMPOSE_PROJECT_NAME=ktrdr$" out
'

test_expect_success 'a quoted value and a project name with capitals' '
	git init -q -b main quoted &&
	cat >quoted/.gitsandbox <<-EOF &&
	; a comment of the other kind
	[sandbox]
	    Project = "Demo.App"   ; trailing comment
	[port "web"]
	  var = "WEB_PORT"
	  base = 27100
	EOF
	(cd quoted && git sandbox env >../out) &&
	test_grep "^WEB_PORT=27100$" out &&
	test_grep "^COMPOSE_PROJECT_NAME=demo-app$" out
'

test_expect_success 'the main worktree uses port.<group>.main for slot 0' '
	git -C ktrdr config port.api.main $(sb_port 8090) &&
	(cd ktrdr && git sandbox port api >../out) &&
	echo $(sb_port 8090) >expect &&
	test_cmp expect out &&
	git -C ktrdr config --unset port.api.main
'

test_expect_success '.git/config overrides .gitsandbox' '
	git -C ktrdr config port.api.main $(sb_port 8050) &&
	test_when_finished "git -C ktrdr config --unset port.api.main" &&
	(cd ktrdr && git sandbox port api >../out) &&
	echo $(sb_port 8050) >expect &&
	test_cmp expect out
'

test_expect_success '~/.gitconfig overrides .gitsandbox, .git/config overrides it' '
	git config --global port.api.main $(sb_port 8060) &&
	test_when_finished "git config --global --unset port.api.main" &&
	(cd ktrdr && git sandbox port api >../out) &&
	echo $(sb_port 8060) >expect &&
	test_cmp expect out &&
	git -C ktrdr config port.api.main $(sb_port 8070) &&
	(cd ktrdr && git sandbox port api >../out) &&
	git -C ktrdr config --unset port.api.main &&
	echo $(sb_port 8070) >expect &&
	test_cmp expect out
'

test_expect_success 'git -c overrides every file' '
	git -C ktrdr config port.api.main $(sb_port 8070) &&
	test_when_finished "git -C ktrdr config --unset port.api.main" &&
	(cd ktrdr && git -c port.api.main=$(sb_port 8080) sandbox port api >../out) &&
	echo $(sb_port 8080) >expect &&
	test_cmp expect out &&
	(cd ktrdr && git -c Port.api.Main=$(sb_port 8081) sandbox port api >../out) &&
	echo $(sb_port 8081) >expect &&
	test_cmp expect out
'

test_expect_success 'keys of other sections are left to git' '
	(cd ktrdr && git -c core.pager=cat -c user.name="A B" -c hook.x.command=true sandbox port api >../out) &&
	echo $api >expect &&
	test_cmp expect out
'

test_expect_success 'git -c port.api.base at create is leased; the lease is what port reports' '
	(cd ktrdr && git -c port.api.base=$(sb_port 8100) sandbox create one >../out) &&
	(cd ktrdr--one && git sandbox port api >../out) &&
	echo $(sb_port 8101) >expect &&
	test_cmp expect out &&
	(cd ktrdr--one && git -c port.api.base=$(sb_port 8100) sandbox port api >../out) &&
	test_cmp expect out &&
	(cd ktrdr--one && git sandbox env >../env) &&
	test_grep "^KTRDR_API_PORT=$(sb_port 8101)\$" env &&
	git sandbox list --json >json &&
	test_grep "\"name\":\"one\",.*\"api\":$(sb_port 8101)," json &&
	(cd ktrdr--one && git -c port.api.base=$(sb_port 8100) sandbox status >../st) &&
	test_grep ! "^drift" st &&
	(cd ktrdr--one && git sandbox status >../st) &&
	test_grep "^drift .*port group .api.: $(sb_port 8101) -> $(sb_port 8001)" st &&
	test_grep "git sandbox repair" st
'

test_expect_success 'sandbox.slots: --slot 12 needs git -c sandbox.slots=12 or a config file' '
	(cd ktrdr && test_expect_code 128 git sandbox create twelve --slot 12 2>../err) &&
	test_grep "slot 12 is out of range" err &&
	test_path_is_missing ktrdr--twelve &&
	(cd ktrdr && git -c sandbox.slots=12 sandbox create twelve --slot 12) &&
	(cd ktrdr--twelve && git -c sandbox.slots=12 sandbox port api >../out) &&
	echo $(sb_port 8012) >expect &&
	test_cmp expect out &&
	git config --global sandbox.slots 13 &&
	test_when_finished "git config --global --unset sandbox.slots" &&
	(cd ktrdr && git sandbox create thirteen --slot 13) &&
	(cd ktrdr--thirteen && git sandbox env >../out) &&
	test_grep "^SANDBOX_SLOT=13$" out &&
	test_grep "^KTRDR_API_PORT=$(sb_port 8013)$" out &&
	test_grep "^KTRDR_WORKER_PORT_1=$(sb_port 5130)$" out &&
	# a slot beyond sandbox.slots as it is now is drift, its lease kept
	(cd ktrdr--twelve && git sandbox status >../out) &&
	test_grep ! "^drift" out &&
	git config --global sandbox.slots 11 &&
	(cd ktrdr--twelve && git sandbox port api >../out) &&
	echo $(sb_port 8012) >expect &&
	test_cmp expect out &&
	(cd ktrdr--twelve && git sandbox status --json >../out) &&
	test_grep "\"drift\":\"slot 12 is beyond sandbox.slots (11)\"" out &&
	(cd ktrdr--twelve && git -c sandbox.slots=12 sandbox status >../out) &&
	test_grep ! "^drift" out
'

# spoiled: a commit on top of main whose .gitsandbox is ktrdr/.gitsandbox as
# it is now, made without moving a branch; prints its id
spoiled () {
	(
		GIT_INDEX_FILE=$HOME/index.spoiled &&
		export GIT_INDEX_FILE &&
		rm -f "$GIT_INDEX_FILE" &&
		git -C ktrdr read-tree main &&
		git -C ktrdr update-index --add .gitsandbox &&
		tree=$(git -C ktrdr write-tree) &&
		rm -f "$GIT_INDEX_FILE" &&
		git -C ktrdr commit-tree -p main -m spoiled "$tree"
	)
}

# bad_config <description> <commands that spoil ktrdr/.gitsandbox> <pattern>:
# port fails with 128 naming the file and the key; so does create of a
# commit with that file (create reads the file of the commit it checks
# out), naming the file as that commit's, and makes nothing.
bad_config () {
	test_expect_success "refused: $1" '
		cp good.gitsandbox ktrdr/.gitsandbox &&
		(cd ktrdr && '"$2"') &&
		test_when_finished "cp good.gitsandbox ktrdr/.gitsandbox" &&
		commit=$(spoiled) &&
		cp "$(sb_registry)" registry.before &&
		git -C ktrdr for-each-ref >refs.before &&
		(cd ktrdr && test_expect_code 128 git sandbox create bad --base $commit >../out 2>../err) &&
		test_grep -F "'"$3"'" err &&
		test_grep -F "$(git -C ktrdr rev-parse --short $commit):.gitsandbox" err &&
		test_must_be_empty out &&
		test_path_is_missing ktrdr--bad &&
		git -C ktrdr for-each-ref >refs.after &&
		test_cmp refs.before refs.after &&
		test_cmp registry.before "$(sb_registry)" &&
		test_path_is_missing ktrdr/.git/worktrees/bad &&
		(cd ktrdr && test_expect_code 128 git sandbox port api 2>../err) &&
		test_grep -F "'"$3"'" err &&
		test_grep -F "$(pwd)/ktrdr/.gitsandbox" err
	'
}

q='git config -f .gitsandbox'
bad_config 'unknown key in [sandbox]' "$q sandbox.bogus 1" 'sandbox.bogus: unknown key'
bad_config 'unknown key in [port]' "$q port.api.bogus 1" 'port.api.bogus: unknown key'
bad_config 'unknown key in [secrets]' "$q secrets.bogus 1" 'secrets.bogus: unknown key'
bad_config 'unknown key in [secret]' "$q secret.db_password.bogus 1" 'secret.db_password.bogus: unknown key'
bad_config 'port base above 65535' "$q port.api.base 70000" "port.api.base: '70000' is not a number from 1 to 65535"
bad_config 'port base 0' "$q port.db.base 0" "port.db.base: '0' is not a number"
bad_config 'port base not a number' "$q port.db.base 5k" "port.db.base: '5k' is not a number"
bad_config 'main port above 65535' "$q port.api.main 65536" "port.api.main"
bad_config 'base + step * slots above 65535' "$q port.api.base 65530" 'port.api: slot 10 reaches port 65540'
bad_config 'count reaching above 65535' "$q port.jaeger.base 65520 && $q port.jaeger.count 5 && $q port.jaeger.step 5" 'port.jaeger: slot 10 reaches port 65574'
bad_config 'overlapping groups' "$q port.db.base $(sb_port 7995)" "port groups 'api' and 'db' collide"
bad_config 'step less than count' "$q port.workers.step 2" 'port.workers: step 2 is less than count 4'
bad_config 'a group overlapping itself across slots' "$q port.workers.main $(sb_port 5010)" "port.workers: slot 0 and slot 1 both get port $(sb_port 5010)"
bad_config 'missing var' "$q --unset port.db.var" 'port.db.var is missing'
bad_config 'missing base' "$q --unset port.db.base" 'port.db.base is missing'
bad_config 'bad var name' "$q port.db.var 1DB" "port.db.var: '1DB' is not a valid environment variable name"
bad_config 'two groups with one var' "$q port.db.var KTRDR_API_PORT" 'port.api.var and port.db.var are both KTRDR_API_PORT'
bad_config 'bad ttl' "$q secrets.ttl forever" "secrets.ttl: 'forever' is not a duration"
bad_config 'count 0' "$q port.api.count 0" "port.api.count: '0' is not a number from 1 to 100"
bad_config 'slots 0' "$q sandbox.slots 0" "sandbox.slots: '0' is not a number from 1 to 999"
bad_config 'bad wait' "$q port.db.wait http" "port.db.wait: 'http' is not a wait kind"
bad_config 'bad health path' "$q port.api.health health" "port.api.health: 'health' is not an HTTP path"
bad_config 'a secret without var' "$q --unset secret.db_password.var" 'secret.db_password.var is missing'
bad_config 'a port without a group name' "printf '[port]\\n\\tvar = X\\n' >>.gitsandbox" 'port.var: a port group needs a name'

test_expect_success 'refused: a malformed file, with the line' '
	test_when_finished "cp good.gitsandbox ktrdr/.gitsandbox" &&
	printf "[port \"oops\"\n\tvar = X\n" >>ktrdr/.gitsandbox &&
	lines=$(wc -l <good.gitsandbox) &&
	(cd ktrdr && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep -F "$(pwd)/ktrdr/.gitsandbox" err &&
	test_grep "line $((lines + 1))\|:$((lines + 1))" err &&
	commit=$(spoiled) &&
	(cd ktrdr && test_expect_code 128 git sandbox create bad --base $commit 2>../err) &&
	test_grep -F "$(git -C ktrdr rev-parse --short $commit):.gitsandbox" err &&
	test_grep "line $((lines + 1))\|:$((lines + 1))" err &&
	test_path_is_missing ktrdr--bad
'

test_expect_success 'an uncommitted spoiled file here does not stop create: the new checkout has not got it' '
	test_when_finished "cp good.gitsandbox ktrdr/.gitsandbox" &&
	git config -f ktrdr/.gitsandbox port.api.bogus 1 &&
	(cd ktrdr && test_expect_code 128 git sandbox port api 2>/dev/null) &&
	(cd ktrdr && git sandbox create clean >/dev/null) &&
	test_cmp good.gitsandbox ktrdr--clean/.gitsandbox &&
	(cd ktrdr--clean && git sandbox port api >../out) &&
	test -n "$(cat out)"
'

test_expect_success 'refused: an unknown key from .git/config names that file' '
	git -C ktrdr config sandbox.bogus 1 &&
	test_when_finished "git -C ktrdr config --unset sandbox.bogus" &&
	(cd ktrdr && test_expect_code 128 git sandbox create bad 2>../err) &&
	test_grep -F "$(pwd)/ktrdr/.git/config" err &&
	test_grep "sandbox.bogus: unknown key" err &&
	test_path_is_missing ktrdr--bad
'

test_expect_success 'refused: an unknown key from ~/.gitconfig and from git -c' '
	git config --global port.api.bogus 1 &&
	test_when_finished "git config --global --unset port.api.bogus" &&
	(cd ktrdr && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep "~/.gitconfig" err &&
	test_grep "port.api.bogus: unknown key" err &&
	git config --global --unset port.api.bogus &&
	(cd ktrdr && test_expect_code 128 git -c port.api.bogus=1 sandbox port api 2>../err) &&
	test_grep "command line" err &&
	test_grep "port.api.bogus: unknown key" err
'

test_expect_success 'refused: a bad value from git -c, nothing created' '
	(cd ktrdr && test_expect_code 128 git -c port.api.base=99999 sandbox create bad 2>../err) &&
	test_grep "port.api.base" err &&
	test_path_is_missing ktrdr--bad &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/bad
'

test_expect_success 'without .gitsandbox the defaults apply' '
	git init -q -b main plain &&
	(cd plain && git sandbox env >../out) &&
	cat >expect <<-\EOF &&
	SANDBOX_NAME=main
	SANDBOX_SLOT=0
	COMPOSE_PROJECT_NAME=plain
	EOF
	test_cmp expect out
'

test_done
