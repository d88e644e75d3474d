#!/bin/sh

test_description='the trust boundary: what a hostile .gitsandbox on a branch or in a clone can do'

. ./test-lib.sh

# Hostile files arrive the way they would: committed on a branch of the
# upstream repository, fetched into the user's clone "victim".
MARK=$HOME/ran

# evil_branch <branch>: commit stdin as .gitsandbox (plus any files in
# the directory "payload") on a new upstream branch, and fetch it
evil_branch () {
	cat >gs.tmp &&
	git -C upstream checkout -q -b "$1" main &&
	cp gs.tmp upstream/.gitsandbox &&
	{ ! test -d payload || cp -R payload/. upstream/; } &&
	git -C upstream add -A &&
	git -C upstream commit -q -m "$1" &&
	git -C upstream checkout -q main &&
	git -C victim fetch -q origin
}

# snapshot <file>: what nothing hostile may change outside the sandbox
snapshot () {
	{
		git -C victim status --porcelain --ignored &&
		git -C victim for-each-ref --format="%(refname) %(objectname)" &&
		git -C victim worktree list --porcelain &&
		find decoy | sort &&
		cat victim/.git/info/exclude "$(sb_registry)" &&
		{ cat .gitconfig 2>/dev/null || :; }
	} >"$1"
}

# the registry still parses, and nothing outside changed since "before"
unharmed () {
	git -C victim sandbox list >/dev/null &&
	snapshot after &&
	test_cmp before after &&
	test_path_is_missing "$MARK"
}

test_expect_success 'setup: upstream, the victim'"'"'s clone, a decoy directory' '
	sb_make_repo upstream &&
	git clone -q upstream victim &&
	mkdir decoy && echo precious >decoy/file &&
	(cd victim && git sandbox create plain >/dev/null 2>&1) &&
	snapshot before
'

test_expect_success 'sandbox.composeCommand from a branch runs nothing until trusted' '
	mkdir -p payload && printf "touch \"\$HOME/ran\"\n" >payload/fake-compose &&
	printf "services: {}\n" >payload/docker-compose.sandbox.yml &&
	{ cat upstream/.gitsandbox && printf "[sandbox]\n\tcomposeCommand = sh fake-compose\n"; } |
		evil_branch cc && rm -rf payload &&
	(cd victim && git sandbox create cc -b cc >/dev/null 2>&1) &&
	snapshot before &&
	for cmd in "up --no-secrets --no-wait" down logs
	do
		(cd ktrdr--cc && test_expect_code 128 git sandbox $cmd >../out 2>../err) &&
		test_grep "sandbox.composeCommand = sh fake-compose" err &&
		# the refusal, then the advice that goes with it, once
		fatal=$(grep -n "^fatal: " err | cut -d: -f1) &&
		hint=$(grep -n "^hint: read .*, then run .git sandbox trust. to allow it" err | cut -d: -f1) &&
		test "$fatal" -lt "$hint" || return 1
	done &&
	unharmed &&
	(cd ktrdr--cc && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "sandbox.composeCommand  *sh fake-compose" out
'

test_expect_success 'once trusted for this repository, the same composeCommand runs' '
	(cd ktrdr--cc && git sandbox trust >../out) &&
	test_grep "sandbox.composeCommand  *sh fake-compose" out &&
	(cd ktrdr--cc && git sandbox trust --show >/dev/null) &&
	(cd ktrdr--cc && git sandbox down >/dev/null 2>&1) &&
	test_path_is_file "$MARK" &&
	rm -f "$MARK" &&
	(cd ktrdr--cc && git sandbox trust --revoke >../out) &&
	test_grep "Revoked the trust of 1 version" out &&
	test_must_fail git config --global --get-all sandbox.trust &&
	(cd ktrdr--cc && test_expect_code 128 git sandbox down 2>/dev/null) &&
	test_path_is_missing "$MARK" &&
	snapshot before
'

test_expect_success 'trust is for this repository: a clone with the same bytes is not trusted' '
	(cd ktrdr--cc && git sandbox trust >/dev/null) &&
	git clone -q -b cc upstream other &&
	(cd other && test_expect_code 128 git sandbox down >/dev/null 2>../err) &&
	test_grep "not trusted this file for this repository" err &&
	test_path_is_missing "$MARK" &&
	(cd other && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "is not trusted for" out &&
	(cd ktrdr--cc && git sandbox trust --revoke >/dev/null) &&
	snapshot before
'

test_expect_success 'an include is refused outright, trusted or not, and nothing it names runs' '
	printf "[hook]\n\tpostCreate = touch \"\$HOME/ran\"\n" >decoy/inc &&
	find decoy | sort >decoy.list &&
	{ cat upstream/.gitsandbox && printf "[include]\n\tpath = %s\n" "$PWD/decoy/inc"; } | evil_branch inc &&
	{ cat upstream/.gitsandbox && printf "[includeIf \"gitdir:/\"]\n\tpath = %s\n" "$PWD/decoy/inc"; } |
		evil_branch incif &&
	git -C victim branch -q inc origin/inc && git -C victim branch -q incif origin/incif &&
	snapshot before &&
	(cd victim && git checkout -q inc &&
	 test_expect_code 128 git sandbox create x 2>../err; git checkout -q main) &&
	test_grep "include.path: a project file cannot include other files" err &&
	(cd victim && git checkout -q incif &&
	 test_expect_code 128 git sandbox trust 2>../err; git checkout -q main) &&
	test_grep "includeif.gitdir:/.path" err &&
	(cd victim && test_expect_code 128 git sandbox create incx -b inc 2>../err) &&
	test_grep "include.path: a project file cannot include other files" err &&
	unharmed &&
	(cd victim && git sandbox create incx >/dev/null 2>&1) &&
	git -C ktrdr--incx checkout -q inc &&
	(cd ktrdr--incx && test_expect_code 128 git sandbox status 2>../err) &&
	test_grep "cannot include" err &&
	(cd victim && git sandbox destroy incx >../out 2>../err) &&
	test_grep "going on with the main worktree.s configuration" err &&
	test_path_is_missing ktrdr--incx &&
	test_path_is_missing "$MARK" &&
	snapshot before
'

test_expect_success 'variable names a shell, the loader, git or docker read are refused from every layer' '
	while read var rest
	do
		sed -e "s/KTRDR_API_PORT/$var/" upstream/.gitsandbox | evil_branch "v-$var" &&
		git -C victim branch -q "v-$var" "origin/v-$var" &&
		(cd victim && git checkout -q "v-$var" &&
		 test_expect_code 128 git sandbox env 2>../err; git checkout -q main) &&
		test_grep "port.api.var: $var is $rest" err || return 1
	done <<-\EOF &&
	PATH read by the shell
	BASH_ENV read by bash
	LD_PRELOAD read by the dynamic loader
	GIT_DIR read by git
	DOCKER_HOST read by Docker
	COMPOSE_FILE read by Docker Compose
	IFS read by the shell
	EOF
	sed -e "s/var = DB_PASSWORD/var = ENV/" upstream/.gitsandbox | evil_branch v-secret &&
	git -C victim branch -q v-secret origin/v-secret &&
	(cd victim && git checkout -q v-secret &&
	 test_expect_code 128 git sandbox up --no-secrets 2>../err; git checkout -q main) &&
	test_grep "secret.db_password.var: ENV is read by the shell" err &&
	(cd victim && test_expect_code 128 git -c port.workers.var=LC sandbox port api 2>../err) &&
	test_grep "LC_1 (port 1 of LC) is read by every program" err &&
	(cd victim && test_expect_code 128 git -c port.api.var=SSH_AUTH_SOCK sandbox port api 2>../err) &&
	test_grep "SSH_AUTH_SOCK is read by ssh" err &&
	test_path_is_missing "$MARK" &&
	snapshot before
'

test_expect_success 'envFile: a pattern, a file of git'"'"'s or the repository'"'"'s is refused, nothing made' '
	snapshot before &&
	for f in "*" "!x" ".git" ".gitsandbox" "a/b" "docker-compose.sandbox.yml"
	do
		(cd victim && test_expect_code 128 git -c sandbox.envFile="$f" sandbox create e1 2>../err) &&
		test_grep "sandbox.envFile" err || return 1
	done &&
	(cd victim && test_expect_code 128 git -c sandbox.envFile=README sandbox create e2 2>../err) &&
	test_grep "README. exists and was not written by git-sandbox" err &&
	test_path_is_missing ktrdr--e2 &&
	echo "# upstream" >expect && test_cmp expect victim/README &&
	unharmed
'

test_expect_success 'up never overwrites, and destroy never removes, an env file it did not write' '
	(cd victim && git sandbox create keep >/dev/null 2>&1) &&
	echo "MY=own" >ktrdr--keep/.env.sandbox &&
	printf "services: {}\n" >ktrdr--keep/docker-compose.sandbox.yml &&
	(cd ktrdr--keep && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "was not written by git-sandbox" err &&
	(cd victim && git sandbox destroy --keep-worktree keep >/dev/null 2>../err) &&
	test_grep "kept .*\.env\.sandbox" err &&
	echo "MY=own" >expect && test_cmp expect ktrdr--keep/.env.sandbox &&
	rm -rf ktrdr--keep && git -C victim worktree prune &&
	snapshot before
'

test_expect_success 'sandbox.copy from an untrusted file copies nothing; trusted, it copies' '
	echo "SECRET=mine" >victim/.env.local &&
	printf ".env.local\n" >>victim/.git/info/exclude &&
	{ cat upstream/.gitsandbox && printf "[sandbox]\n\tcopy = .env.local\n"; } | evil_branch cp &&
	(cd victim && git sandbox create c1 --base origin/cp >/dev/null 2>../err) &&
	test_grep "ignoring sandbox.copy = .env.local" err &&
	test_grep "git sandbox trust" err &&
	test_path_is_missing ktrdr--c1/.env.local &&
	(cd ktrdr--c1 && git sandbox trust >/dev/null) &&
	(cd victim && git sandbox create c2 --base origin/cp >/dev/null 2>&1) &&
	test_cmp victim/.env.local ktrdr--c2/.env.local &&
	(cd ktrdr--c1 && git sandbox trust --revoke >/dev/null)
'

test_expect_success 'trust refuses a file whose sandbox.copy create would refuse' '
	{ cat upstream/.gitsandbox && printf "[sandbox]\n\tcopy = ../../x\n"; } | evil_branch cpx &&
	(cd victim && git sandbox create cx --base origin/cpx >/dev/null 2>../err) &&
	test_grep "ignoring sandbox.copy = ../../x" err &&
	(cd ktrdr--cx && test_expect_code 128 git sandbox trust >../out 2>../err) &&
	test_grep "^fatal: bad config in .*/ktrdr--cx/\.gitsandbox.: sandbox.copy .\.\./\.\./x. must be a path inside the worktree" err &&
	test_must_fail git config --global --get-all sandbox.trust &&
	(cd ktrdr--cx && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "sandbox.copy  *\.\./\.\./x" out &&
	# a bad value of your own is not the file'"'"'s
	(cd ktrdr--c1 && git -c sandbox.copy=../y sandbox trust >/dev/null) &&
	(cd ktrdr--c1 && git sandbox trust --revoke >/dev/null) &&
	(cd victim && git sandbox destroy cx >/dev/null 2>&1)
'

test_expect_success 'compose outside the worktree needs trust; secrets.item needs trust' '
	{ cat upstream/.gitsandbox && printf "[sandbox]\n\tcompose = ../../decoy/dc.yml\n"; } | evil_branch out &&
	(cd victim && git sandbox create out -b out >/dev/null 2>&1) &&
	(cd ktrdr--out && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "sandbox.compose = ../../decoy/dc.yml" err &&
	# with a stack to give them to: a project with none fetches no secrets
	printf "services: {}\n" >ktrdr--plain/docker-compose.sandbox.yml &&
	(cd ktrdr--plain && test_expect_code 128 git sandbox up 2>../err) &&
	test_grep "chooses which secrets of the 1Password item .ktrdr-sandbox-dev." err
'

test_expect_success 'untrusted, a port variable must end in _PORT: a number is a file name to some programs' '
	sed -e "s/KTRDR_API_PORT/OPENSSL_CONF/" upstream/.gitsandbox | evil_branch v-ossl &&
	sed -e "s/KTRDR_API_PORT/MY_CNF/" upstream/.gitsandbox | evil_branch v-cnf &&
	git -C victim branch -q v-cnf origin/v-cnf &&
	(cd victim && git checkout -q v-cnf &&
	 test_expect_code 128 git sandbox env 2>../err; git checkout -q main) &&
	test_grep "port.api.var: MY_CNF: from a project file you have not trusted, a port variable.s name must end in _PORT" err &&
	(cd victim && git checkout -q v-cnf && git sandbox trust >/dev/null &&
	 git sandbox env >../out; git sandbox trust --revoke >/dev/null; git checkout -q main) &&
	test_grep "^MY_CNF=" out &&
	(cd victim && test_expect_code 128 git sandbox create cnf -b v-cnf 2>../err) &&
	test_grep "port.api.var: MY_CNF: from a project file you have not trusted" err &&
	c=$(git -C victim rev-parse --short v-cnf) &&
	test_grep "^hint: read it with .git show $c:.gitsandbox.; to trust it, check it out" err &&
	test_path_is_missing ktrdr--cnf &&
	(cd victim && git sandbox create cnf >/dev/null 2>&1) &&
	git -C ktrdr--cnf checkout -q v-cnf &&
	(cd ktrdr--cnf && test_expect_code 128 git sandbox port api 2>../err) &&
	test_grep "must end in _PORT" err &&
	(cd victim && git sandbox destroy cnf >../out 2>&1) &&
	test_path_is_missing ktrdr--cnf &&
	(cd victim && test_expect_code 128 git -c port.api.var=OPENSSL_CONF sandbox env 2>../err) &&
	test_grep "OPENSSL_CONF is read by OpenSSL" err &&
	(cd victim && test_expect_code 128 git -c port.api.var=PERL5LIB sandbox env 2>../err) &&
	test_grep "PERL5LIB is read by Perl" err
'

test_expect_success 'a commit'"'"'s project file, trusted as the hint says (in a worktree of its own), creates' '
	git -C victim worktree add -q --detach ../look v-cnf &&
	(cd look && git sandbox trust >/dev/null) &&
	git -C victim worktree remove look &&
	(cd victim && git sandbox create cnf -b v-cnf >/dev/null 2>../err) &&
	(cd ktrdr--cnf && git sandbox env >../out && git sandbox trust --revoke >/dev/null) &&
	test_grep "^MY_CNF=" out &&
	(cd victim && git sandbox destroy cnf >/dev/null 2>&1) &&
	test_path_is_missing ktrdr--cnf &&
	test_must_fail git config --global --get-all sandbox.trust
'

test_expect_success 'untrusted, envFile is the default one: the exclude file every worktree shares gets no name of the branch'"'"'s' '
	{ cat upstream/.gitsandbox && printf "[sandbox]\n\tenvFile = notes\n"; } | evil_branch ef &&
	(cd victim && git sandbox create ef -b ef >/dev/null 2>../err) &&
	test_path_is_file ktrdr--ef/.env.sandbox &&
	test_path_is_missing ktrdr--ef/notes &&
	test_grep ! "^/notes" victim/.git/info/exclude &&
	(cd ktrdr--ef && git sandbox env >../out 2>../err) &&
	(cd ktrdr--ef && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "sandbox.envFile  *notes" out
'

test_expect_success 'a compose file that is a link out of the worktree needs trust' '
	mkdir -p decoy/stack && printf "services: {}\n" >decoy/stack/docker-compose.yml &&
	rm -rf payload && mkdir payload &&
	ln -s "$PWD/decoy/stack/docker-compose.yml" payload/docker-compose.sandbox.yml &&
	cat upstream/.gitsandbox | evil_branch link && rm -rf payload &&
	(cd victim && git sandbox create link -b link >/dev/null 2>&1) &&
	(cd ktrdr--link && test_expect_code 128 git sandbox down 2>../err) &&
	test_grep "is a link to outside the worktree" err &&
	# doctor says so too, as a failure: not a stack up would start unchecked
	(cd ktrdr--link && test_expect_code 1 git sandbox doctor >../out) &&
	test_grep "^fail  *sandbox .link.: up, down and logs refuse to run compose: .*is a link to outside the worktree" out &&
	test_grep "fix: read .*/ktrdr--link/\.gitsandbox., then run .git sandbox trust. to allow it" out
'

test_expect_success 'untrusted [secret] fields cannot pick fields of the user'"'"'s own item' '
	sed -e "s/item = ktrdr-sandbox-dev/item = ignored/" upstream/.gitsandbox |
		sed -e "/^\[secrets\]/,/^\[secret /{/item =/d}" | evil_branch sec &&
	git -C victim config secrets.item my-own-item &&
	test_when_finished "git -C victim config --unset secrets.item" &&
	(cd victim && git sandbox create sec -b sec >/dev/null 2>&1) &&
	printf "services: {}\n" >ktrdr--sec/docker-compose.sandbox.yml &&
	(cd ktrdr--sec && test_expect_code 128 git sandbox up 2>../err) &&
	test_grep "chooses which secrets of the 1Password item .my-own-item." err &&
	(cd ktrdr--sec && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "secret.db_password.var  *DB_PASSWORD" out
'

test_expect_success 'untrusted, a secret variable has a secret'"'"'s name: its default reaches compose itself' '
	{ cat upstream/.gitsandbox &&
	  printf "[secret \"x\"]\n\tvar = CLOUDSDK_PYTHON\n\tdefault = ./evil.sh\n"; } | evil_branch sv &&
	(cd victim && test_expect_code 128 git sandbox create sv -b sv 2>../err) &&
	test_grep "secret.x.var: CLOUDSDK_PYTHON: from a project file you have not trusted" err &&
	test_path_is_missing ktrdr--sv &&
	(cd victim && git sandbox create sv >/dev/null 2>&1) &&
	git -C ktrdr--sv checkout -q -b sv-br origin/sv &&
	(cd ktrdr--sv && test_expect_code 128 git sandbox up --no-secrets 2>../err) &&
	test_grep "secret.x.var: CLOUDSDK_PYTHON: from a project file you have not trusted" err &&
	test_grep "_PASSWORD, _SECRET, _KEY or _TOKEN" err &&
	(cd victim && git sandbox destroy sv >/dev/null 2>&1) &&
	test_path_is_missing ktrdr--sv
'

test_expect_success 'trust --show and the warnings show control bytes escaped, never raw' '
	{ cat upstream/.gitsandbox && printf "[hook]\n\tpostCreate = \"touch x; \\b\\b\\bmake\"\n" &&
	  printf "[sandbox]\n\tcopy = notes.txt\n"; } | evil_branch esc &&
	(cd victim && git sandbox create esc --base origin/esc >/dev/null 2>../err) &&
	test_grep "x08" err &&
	# the copy and the hook both held back: the advice once
	test_grep "sandbox.copy" err &&
	test $(grep -c "^hint: read .*, then run .git sandbox trust" err) = 1 &&
	test_path_is_missing ktrdr--esc/x &&
	(cd ktrdr--esc && git sandbox trust --show >../out; test $? = 1) &&
	test_grep "hook.postCreate  *touch x; \\\\x08\\\\x08\\\\x08make" out &&
	esc=$(printf "\033") &&
	(cd victim && test_expect_code 128 git -c "sandbox.envFile=a${esc}[2Jb" sandbox env 2>../err) &&
	test_grep ! "$esc" err &&
	test_grep "a?\[2Jb" err
'

test_expect_success 'a project file that is a link is read from nowhere, and says so' '
	mkdir -p payload && ln -s ../../decoy/inc payload/.gitsandbox &&
	git -C upstream checkout -q -b lnk main && git -C upstream rm -q .gitsandbox &&
	cp -R payload/. upstream/ && rm -rf payload &&
	git -C upstream add -A && git -C upstream commit -q -m lnk && git -C upstream checkout -q main &&
	git -C victim fetch -q origin && git -C victim branch -q lnk origin/lnk &&
	(cd victim && git checkout -q lnk &&
	 test_expect_code 128 git sandbox env 2>../err;
	 test_expect_code 128 git sandbox trust 2>>../err; git checkout -q main) &&
	test_grep "cannot read .*\.gitsandbox.: it is a symbolic link" err &&
	test_path_is_missing "$MARK"
'

test_expect_success 'a hostile port-group name cannot make create write a registry it cannot read' '
	cp "$(sb_registry)" registry.before &&
	long=$(printf "%0100d" 0 | tr 0 a) &&
	(cd victim && test_expect_code 128 git -c "port.$long.var=LONG" -c "port.$long.base=40000" \
		sandbox create long 2>../err) &&
	test_grep "at most 64 characters" err &&
	test_cmp registry.before "$(sb_registry)" &&
	git -C victim sandbox list >/dev/null
'

test_done
