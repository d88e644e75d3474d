#!/bin/sh

test_description='sandbox.copy, hooks and trust, doctor, colour'

. ./test-lib.sh

test_expect_success 'setup' '
	sb_make_repo ktrdr &&
	printf ".env.local\nconf/\n" >ktrdr/.gitignore &&
	git -C ktrdr add .gitignore && git -C ktrdr commit -q -m ignore &&
	echo "LOCAL=1" >ktrdr/.env.local &&
	mkdir -p ktrdr/conf/sub && echo deep >ktrdr/conf/sub/file
'

test_expect_success 'create copies the sandbox.copy files, skipping missing ones with a note' '
	(cd ktrdr &&
	 git -c sandbox.copy=.env.local -c sandbox.copy=conf -c sandbox.copy=missing.txt \
		sandbox create one >../out 2>../err) &&
	test_cmp ktrdr/.env.local ktrdr--one/.env.local &&
	test_cmp ktrdr/conf/sub/file ktrdr--one/conf/sub/file &&
	test_path_is_missing ktrdr--one/missing.txt &&
	test_grep "missing.txt" err
'

test_expect_success 'a sandbox.copy path outside the worktree is refused and nothing is left' '
	(cd ktrdr && test_expect_code 128 git -c sandbox.copy=../escape sandbox create two 2>../err) &&
	test_grep "inside the worktree" err &&
	test_path_is_missing ktrdr--two &&
	test_must_fail git -C ktrdr rev-parse --verify -q refs/heads/two
'

test_expect_success 'a hook from the user'"'"'s own config runs with the sandbox'"'"'s variables' '
	(cd ktrdr && git -c hook.postCreate="echo \$SANDBOX_NAME \$KTRDR_API_PORT >created" \
		sandbox create three >/dev/null 2>&1) &&
	echo "three $(git -C ktrdr--three sandbox port api)" >expect &&
	test_cmp expect ktrdr--three/created
'

test_expect_success 'a hook from .gitsandbox does not run until the file is trusted' '
	printf "[hook]\n\tpostCreate = touch hooked\n" >>ktrdr/.gitsandbox &&
	git -C ktrdr commit -q -m "a hook" .gitsandbox &&
	(cd ktrdr && git sandbox create four >../out 2>../err) &&
	test_path_is_missing ktrdr--four/hooked &&
	test_grep "not running hook.postCreate" err &&
	test_grep "touch hooked" err &&
	test_grep "git sandbox trust" err
'

test_expect_success 'trust records the file'"'"'s hash in the global config; then its hooks run' '
	(cd ktrdr && git sandbox trust >../out) &&
	test_grep "hook.postCreate  *touch hooked" out &&
	git config --global --get-all sandbox.trust >trusted &&
	test_line_count = 1 trusted &&
	(cd ktrdr && git sandbox create five >/dev/null 2>&1) &&
	test_path_is_file ktrdr--five/hooked
'

test_expect_success 'a changed file is no longer trusted' '
	printf "\tpreUp = true\n" >>ktrdr/.gitsandbox &&
	git -C ktrdr commit -q -m "another hook" .gitsandbox &&
	(cd ktrdr && git sandbox create six >/dev/null 2>../err) &&
	test_path_is_missing ktrdr--six/hooked &&
	test_grep "not running hook.postCreate" err
'

test_expect_success 'the project file cannot trust itself' '
	cp ktrdr/.gitsandbox saved &&
	printf "[sandbox]\n\ttrust = %s\n" "$(sha256sum <ktrdr/.gitsandbox | cut -d" " -f1)" >>ktrdr/.gitsandbox &&
	(cd ktrdr && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep "sandbox.trust belongs in your own git config" err &&
	cp saved ktrdr/.gitsandbox
'

test_expect_success 'a failing postCreate keeps the sandbox and says so' '
	(cd ktrdr && git -c hook.postCreate=false sandbox create seven >../out 2>../err) &&
	test_path_is_dir ktrdr--seven &&
	test_grep "hook.postCreate failed" err &&
	test_grep "sandbox is kept" err &&
	(cd ktrdr && git sandbox list >../out) &&
	test_grep "^seven " out
'

test_expect_success 'a failing preDestroy stops destroy; --force goes on' '
	(cd ktrdr && test_expect_code 128 git -c hook.preDestroy=false sandbox destroy seven 2>../err) &&
	test_grep "nothing was destroyed" err &&
	test_path_is_dir ktrdr--seven &&
	(cd ktrdr && git -c hook.preDestroy=false sandbox destroy --force seven >/dev/null 2>&1) &&
	test_path_is_missing ktrdr--seven
'

test_expect_success 'colour: never off a terminal, always with color.ui=always, never with NO_COLOR' '
	(cd ktrdr && git sandbox list >../plain && git -c color.ui=always sandbox list >../always &&
	 NO_COLOR=1 git -c color.ui=always sandbox list >../nocolor &&
	 git -c color.ui=always -c color.sandbox=never sandbox list >../never) &&
	esc=$(printf "\033") &&
	test_grep ! "$esc" plain &&
	test_grep "$esc" always &&
	test_grep ! "$esc" nocolor &&
	test_grep ! "$esc" never
'

test_expect_success 'doctor: every check ok here, exit 0' '
	# a stack to check Docker for (t5100 checks a project without one)
	printf "services: {}\n" >ktrdr/docker-compose.sandbox.yml &&
	(cd ktrdr && git sandbox doctor >../out) &&
	test_grep "^ok  *Docker engine reachable" out &&
	test_grep "^ok  *compose: " out &&
	test_grep "^ok  *.*\.gitsandbox is valid" out &&
	test_grep "^0 problems" out
'

test_expect_success 'doctor: the project'"'"'s composeCommand untrusted fails, and is not run' '
	cp ktrdr/.gitsandbox gs.saved &&
	test_when_finished "cp gs.saved ktrdr/.gitsandbox && rm -f ktrdr/evil-compose" &&
	printf "touch \"\$HOME/ran\"\necho 1.0.0\n" >ktrdr/evil-compose &&
	printf "[sandbox]\n\tcomposeCommand = sh evil-compose\n" >>ktrdr/.gitsandbox &&
	(cd ktrdr && test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *sandbox.composeCommand = sh evil-compose in .* is not trusted: up, down and logs refuse" out &&
	test_grep "fix: read .*/ktrdr/\.gitsandbox., then run .git sandbox trust. to allow it" out &&
	test_path_is_missing ran &&
	# your own is run, whatever its name: the whole command line is shown
	printf "echo 2.5.0\n" >mine &&
	(cd ktrdr && git -c sandbox.composeCommand="sh $HOME/mine --ansi never" sandbox doctor >../out) &&
	test_grep "^ok  *compose: sh $HOME/mine --ansi never 2.5.0 (v2)" out
'

test_expect_success 'doctor: a stale sandbox is a warning naming the fix' '
	rm -rf ktrdr--six &&
	(cd ktrdr && git sandbox doctor >../out) &&
	test_grep "^warn  *sandbox .six. (slot [0-9]*): worktree .* is gone" out &&
	test_grep "fix: git sandbox prune" out
'

test_expect_success 'doctor: docker unreachable and a readable key fail, exit 1' '
	mkdir -p .config/git-sandbox && chmod 700 .config/git-sandbox &&
	head -c 32 /dev/urandom >.config/git-sandbox/key && chmod 644 .config/git-sandbox/key &&
	(cd ktrdr && DOCKER_HOST=unix://$HOME/nothing.sock test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *cannot reach the Docker engine unix://$HOME/nothing.sock" out &&
	test_grep "^fail  *secrets key .* can be read by others" out &&
	test_grep "chmod 600" out &&
	rm .config/git-sandbox/key
'

test_expect_success 'doctor: an invalid project file fails and names the key' '
	(cd ktrdr && test_expect_code 1 git -c port.api.step=0 sandbox doctor >../out) &&
	test_grep "^fail  *bad config .*port.api.step" out
'

test_expect_success 'doctor: a sandbox.copy value create refuses makes the file invalid' '
	cp ktrdr/.gitsandbox gs.saved &&
	test_when_finished "cp gs.saved ktrdr/.gitsandbox" &&
	printf "[sandbox]\n\tcopy = ../../x\n" >>ktrdr/.gitsandbox &&
	(cd ktrdr && test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *bad config in .*/ktrdr/\.gitsandbox.: sandbox.copy .\.\./\.\./x. must be a path inside the worktree" out &&
	test_grep ! "is valid" out &&
	cp gs.saved ktrdr/.gitsandbox &&
	(cd ktrdr && test_expect_code 1 git -c sandbox.copy=a//b sandbox doctor >../out) &&
	test_grep "^fail  *bad config in your git configuration: sandbox.copy .a//b. has an empty or .\.. component" out
'

test_expect_success 'doctor: a compose file up refuses for want of trust fails, with the trust advice' '
	cp ktrdr--one/.gitsandbox gs1.saved &&
	test_when_finished "cp gs1.saved ktrdr--one/.gitsandbox && rm -f ktrdr--one/evil.yml" &&
	printf "services: {}\n" >outside.yml &&
	ln -s "$HOME/outside.yml" ktrdr--one/evil.yml &&
	printf "[sandbox]\n\tcompose = evil.yml\n" >>ktrdr--one/.gitsandbox &&
	(cd ktrdr--one && test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *sandbox .one.: up, down and logs refuse to run compose: the compose file .evil.yml. is a link to outside the worktree" out &&
	test_grep "fix: read .*/ktrdr--one/\.gitsandbox., then run .git sandbox trust. to allow it" out &&
	test_grep ! "unchecked" out &&
	(cd ktrdr--one && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "is a link to outside the worktree" err &&
	cp gs1.saved ktrdr--one/.gitsandbox &&
	printf "[sandbox]\n\tcompose = $HOME/outside.yml\n" >>ktrdr--one/.gitsandbox &&
	(cd ktrdr--one && test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *sandbox .one.: up, down and logs refuse to run compose: sandbox.compose = $HOME/outside.yml in .* is outside the worktree" out &&
	test_grep "fix: read .*/ktrdr--one/\.gitsandbox., then run .git sandbox trust. to allow it" out &&
	(cd ktrdr--one && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "is outside the worktree" err
'

test_done
