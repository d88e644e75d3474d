/* git sandbox doctor: check the set-up and say how to fix each problem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "color.h"
#include "compose.h"
#include "composelint.h"
#include "copy.h"
#include "docker.h"
#include "engine.h"
#include "lease.h"
#include "cmd.h"
#include "opts.h"
#include "ports.h"
#include "registry.h"
#include "repo.h"
#include "run.h"
#include "sandbox.h"
#include "secretcache.h"
#include "show.h"
#include "stack.h"
#include "trust.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox doctor",
	NULL
};

static int color, fails, warns;

/* the fix when xdg_dir() found no directory (the reason is on standard error) */
#define HOME_FIX "set HOME (or the XDG variable named above) to an absolute path"

/* One line per check: ok, warn or fail, and for the last two the fix. */
static void say(const char *level, const char *what, const char *fix)
{
	const char *c = "";

	if (color)
		c = !strcmp(level, "ok") ? "\033[32m" : !strcmp(level, "warn") ? "\033[33m" : "\033[31m";
	printf("%s%-4s%s  %s\n", c, level, *c ? COLOR_RESET : "", what);
	if (fix)
		printf("      fix: %s\n", fix);
	if (!strcmp(level, "fail"))
		fails++;
	else if (!strcmp(level, "warn"))
		warns++;
}

static char *capture(const char *const *argv, int *status)
{
	struct child c = CHILD_INIT;
	char *out;

	c.argv = argv;
	c.no_stdin = 1;
	c.capture_out = 1;
	c.capture_err = 1;
	c.timeout_ms = 15000;
	*status = run_command(&c);
	strbuf_addstr(&c.out, c.err.buf);
	strbuf_rtrim(&c.out);
	out = strbuf_detach(&c.out);
	strbuf_release(&c.err);
	return out;
}

static void check_git(void)
{
	const char *argv[] = { "git", "--version", NULL };
	int st, major, minor, rev;
	char *out = capture(argv, &st), *msg;

	git_libgit2_version(&major, &minor, &rev);
	msg = xasprintf("%s, libgit2 %d.%d.%d", st ? "git not found" : out, major, minor, rev);
	say(st ? "fail" : "ok", msg, st ? "install git" : NULL);
	free(msg);
	free(out);
}

/*
 * Which compose the commands find (compose_detect(), or cfg's
 * sandbox.composeCommand), and which version it is: a standalone
 * docker-compose may be v2. cfg: the project's configuration, trust
 * checked, or NULL outside a repository. Is there one (1 or 0)?
 */
static int check_compose(const struct sb_config *cfg)
{
	const char *command = cfg ? cfg->compose_command.value : NULL;
	struct strbuf version = STRBUF_INIT, line = STRBUF_INIT;
	char **cmd, *msg, *shown, *fix;
	size_t n, i;

	if (command && !trust_allows(cfg, cfg->compose_command.origin)) {
		/* the fallback compose would be "ok" here, and up refuses */
		shown = printable(command);
		msg = xasprintf("sandbox.composeCommand = %s in '%s' is not trusted: up, down and logs "
				"refuse to run it", shown, cfg->file);
		fix = cmd_trust_advice(cfg->file);
		say("fail", msg, fix);
		free(fix);
		free(msg);
		free(shown);
		return 0;
	}
	if (compose_detect(command, &cmd, &n) < 0) {
		say("fail", "Docker Compose not found",
		    "install the compose plugin or docker-compose, or set sandbox.composeCommand");
		return 0;
	}
	for (i = 0; i < n; i++)
		strbuf_addf(&line, "%s%s", i ? " " : "", cmd[i]);
	if (compose_version(cmd, n, &version) < 0) {
		shown = printable(version.buf);
		msg = xasprintf("compose: %s does not say its version: %s", line.buf, shown);
		say("fail", msg, command ? "check sandbox.composeCommand" :
		    "reinstall the compose plugin or docker-compose");
	} else {
		shown = printable(version.buf);
		msg = xasprintf("compose: %s %s (%s)", line.buf, shown,
				starts_with(version.buf, "1.") ? "v1" : "v2");
		say("ok", msg, NULL);
	}
	free(msg);
	free(shown);
	strbuf_release(&version);
	strbuf_release(&line);
	free_strings(cmd, n);
	return 1;
}

/*
 * The engine and compose; nostack names the compose file a project with
 * no stack lacks (stack.h), which needs neither; cfg as for
 * check_compose(). Was compose found: 1, 0, or -1 when not looked for?
 */
static int check_docker(struct stack_list *l, const char *nostack, const struct sb_config *cfg)
{
	char *msg;

	stack_list_load(l);
	const struct engine *e = engine_in_use();

	if (l->code != DOCKER_OK && nostack) {
		msg = xasprintf("no Docker engine answers, and none is needed: this project has no stack "
				"(no %s)", nostack);
		say("ok", msg, NULL);
		free(msg);
		return -1;
	}
	if (l->code == DOCKER_NOT_INSTALLED) {
		say("fail", "no Docker engine on this machine",
		    "install Docker Engine (Debian: apt-get install docker.io), or name a remote one");
		return -1;
	}
	if (l->code != DOCKER_OK) {
		msg = xasprintf("cannot reach the Docker engine %s: %s", e ? e->url : "(none)",
				l->why.buf);
		say("fail", msg, getenv("DOCKER_HOST") ? "start dockerd, or fix DOCKER_HOST" :
		    "start the daemon (systemctl start docker, or dockerd) and check you may use its socket");
		free(msg);
		return -1;
	}
	msg = xasprintf("Docker engine reachable: %s", e ? e->url : "");
	say("ok", msg, NULL);
	free(msg);
	if (nostack) {
		msg = xasprintf("compose not looked for: this project has no stack (no %s)", nostack);
		say("ok", msg, NULL);
		free(msg);
		return -1;
	}
	return check_compose(cfg);
}

static void check_networks(void)
{
	char **ids, *msg;
	size_t n;

	/* the engine answered a moment ago: a failure now says nothing new */
	if (docker_networks(NULL, &ids, &n, NULL))
		return;
	free_strings(ids, n);
	/* Docker's default address pools give about 30 bridge networks */
	msg = xasprintf("%zu docker networks (the default address pools hold about 30)", n);
	say(n > 24 ? "warn" : "ok", msg,
	    n > 24 ? "remove unused networks (docker network prune), or widen default-address-pools in daemon.json" : NULL);
	free(msg);
}

static void check_secrets(struct sandbox *sb, int in_repo)
{
	const char *whoami[] = { "op", "whoami", NULL };
	char *key = secrets_key_path(), *msg;
	struct stat st;
	int status;

	if (!key) {
		/* why is on standard error, from secrets_key_path() */
		say("fail", "there is no directory for the secrets key", HOME_FIX);
	} else if (!lstat(key, &st)) {
		if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			msg = xasprintf("secrets key '%s' is not a regular file", key);
			say("fail", msg, "remove it; a new key is made on the next fetch");
		} else if (st.st_uid != geteuid()) {
			/* up and secrets refuse it (secretcache.c: secretcache_read_key) */
			msg = xasprintf("secrets key '%s' is not owned by you", key);
			say("fail", msg, "remove it; a new key is made on the next fetch");
		} else if (st.st_mode & 077) {
			char *fix = xasprintf("chmod 600 '%s'", key);

			msg = xasprintf("secrets key '%s' can be read by others (mode %03o)", key, st.st_mode & 0777);
			say("fail", msg, fix);
			free(fix);
		} else {
			msg = xasprintf("secrets key '%s' is private (0600)", key);
			say("ok", msg, NULL);
		}
		free(msg);
	}
	free(key);
	if (!in_repo || !sb->cfg.secrets_item)
		return;
	{
		char *cache = secrets_cache_path(&sb->cfg);

		/*
		 * up ignores a cache that is not a regular file of yours and
		 * asks 1Password (secretcache.c: secretcache_read); chmod would not help
		 * (on a link it changes the target)
		 */
		const char *fix = "remove it; the next 'git sandbox up' fetches the secrets again";

		if (!cache && *sb->cfg.secrets_item) {
			say("fail", "there is no directory for the secrets cache", HOME_FIX);
		} else if (!cache || lstat(cache, &st) < 0) {
			/* no cache: the next up fetches the secrets */
		} else if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			msg = xasprintf("secrets cache '%s' is not a regular file; up ignores it", cache);
			say("warn", msg, fix);
			free(msg);
		} else if (st.st_uid != geteuid()) {
			msg = xasprintf("secrets cache '%s' is not owned by you; up ignores it", cache);
			say("warn", msg, fix);
			free(msg);
		} else if (st.st_mode & 077) {
			char *cmd = xasprintf("chmod 600 '%s'", cache);

			msg = xasprintf("secrets cache '%s' can be read by others", cache);
			say("fail", msg, cmd);
			free(cmd);
			free(msg);
		}
		free(cache);
	}
	if (!have_program("op")) {
		say("warn", "the 1Password CLI 'op' is not installed",
		    "install it and run 'op signin', or start stacks with 'git sandbox up --no-secrets'");
		return;
	}
	msg = capture(whoami, &status);
	free(msg);
	if (status)
		say("warn", "the 1Password CLI is not signed in",
		    "run 'op signin' (or set OP_SERVICE_ACCOUNT_TOKEN); cached secrets still work until they expire");
	else
		say("ok", "the 1Password CLI is signed in", NULL);
}

/*
 * The lint of sb's compose file (composelint.h): what would collide with
 * another sandbox's stack, each with its fix, every profile's services
 * included.
 */
static void check_lint(const struct sandbox *sb)
{
	const struct lint_sandbox ls = { sb->project, &sb->ports, &sb->cfg };
	struct lint_findings f = { 0 };
	struct strbuf why = STRBUF_INIT;
	struct compose c;
	char *msg, *fix;
	size_t i;
	int r;

	if (config_check_untrusted(&sb->cfg) < 0) {
		/* up refuses it too: trusting the file is the fix */
		msg = xasprintf("sandbox '%s': could not lint the compose file: %s", sb->name, config_error());
		fix = cmd_trust_advice(sb->cfg.file);
		say("fail", msg, fix);
		free(fix);
		free(msg);
		return;
	}
	r = stack_compose_look(&c, sb, &why);
	if (!r) {
		compose_lint(&c, &ls, &f, &why);
		stack_compose_free(&c);
	}
	if (r == STACK_COMPOSE_UNTRUSTED) {
		/* not a stack up starts unchecked: up, down and logs refuse it */
		msg = xasprintf("sandbox '%s': up, down and logs refuse to run compose: %s", sb->name, why.buf);
		fix = cmd_trust_advice(sb->cfg.file);
		say("fail", msg, fix);
		free(fix);
		free(msg);
	} else if (why.len) {
		msg = xasprintf("sandbox '%s': could not lint the compose file: %s", sb->name, why.buf);
		say("warn", msg, "fix what is named; until then up starts the stack unchecked");
		free(msg);
	} else if (!f.n) {
		msg = xasprintf("sandbox '%s': nothing in the compose file collides with another sandbox's stack",
				sb->name);
		say("ok", msg, NULL);
		free(msg);
	}
	for (i = 0; i < f.n; i++) {
		msg = xasprintf("sandbox '%s': %s", sb->name, f.v[i].what);
		say("warn", msg, f.v[i].fix);
		free(msg);
	}
	lint_findings_free(&f);
	strbuf_release(&why);
}

/*
 * The sandbox doctor runs in: does its configuration ask for other ports
 * than it leased, and would its stack collide with another's? (With
 * lint: it has a compose file, and compose is there.)
 */
static void check_sandbox(int lint)
{
	struct strbuf why = STRBUF_INIT;
	struct sandbox sb;
	char *msg;

	cmd_open(&sb, NULL, SB_ANY_CONFIG | SB_REVIEW | SB_NO_ENGINE);
	if (sandbox_ports_drift(&sb, &why)) {
		msg = xasprintf("sandbox '%s': the configuration asks for other ports than it leased: %s",
				sb.name, why.buf);
		say("warn", msg, "git sandbox repair (after 'git sandbox down', if its stack runs)");
		free(msg);
	}
	strbuf_release(&why);
	if (lint && sb.slot >= 0 &&
	    stack_kind(&sb.cfg, sb.path, &(struct stack_ident){ 0 }) == STACK_YES)
		check_lint(&sb);
	sandbox_close(&sb);
}

/* Every registered sandbox: worktree there, ports free or held by its own stack, on its engine. */
static void check_registry(void)
{
	struct stack_lists sl = { 0 };
	struct registry reg;
	size_t i, j, k;
	char *cur = engine_current_url();
	char *msg;

	if (registry_read(&reg) < 0) {
		char *path = registry_path();

		/* why is on standard error, from registry_read() */
		if (!path) {
			say("fail", "there is no directory for the registry", HOME_FIX);
		} else {
			msg = xasprintf("the registry '%s' cannot be read", path);
			say("fail", msg, "fix or move away the file named above; nothing was changed");
			free(msg);
		}
		free(path);
		free(cur);
		return;
	}
	msg = xasprintf("registry '%s': %zu sandbox%s", reg.path, reg.n, reg.n == 1 ? "" : "es");
	say("ok", msg, NULL);
	free(msg);
	for (i = 0; i < reg.n; i++) {
		const struct reg_entry *e = &reg.e[i];
		/* its engine's answer (and that engine in use: leases are there) */
		const struct stack_list *l = stack_lists_get(&sl, e);
		/* whatever its stack: only whether it is missing counts here */
		const char *st = sandbox_status(l, e->path, e->gitdir, e->project, STACK_YES);
		const struct container **cs = NULL;
		size_t nc = 0;

		if (!strcmp(st, "missing")) {
			char *to = worktree_of_gitdir(e->gitdir);

			/* moved with git worktree move: alive, and repair records where */
			if (to && worktree_belongs(to, e->gitdir)) {
				char *fix = xasprintf("git -C '%s' sandbox repair", to);

				msg = xasprintf("sandbox '%s' (slot %ld) moved from '%s' to '%s'", e->name,
						e->slot, e->path, to);
				say("warn", msg, fix);
				free(fix);
			} else {
				msg = xasprintf("sandbox '%s' (slot %ld): worktree '%s' is gone", e->name,
						e->slot, e->path);
				say("warn", msg, "git sandbox prune");
			}
			free(msg);
			free(to);
			continue;
		}
		if (l->code == DOCKER_OK)
			nc = stack_containers(&l->containers, e->project, &cs);
		for (j = 0; j < e->nports; j++) {
			struct strbuf who = STRBUF_INIT;
			int own = 0;

			if (lease_holder(&reg, e->ports[j], &who) == LEASE_OTHER) {
				char *fix = xasprintf("git -C '%s' sandbox repair", e->path);

				msg = xasprintf("sandbox '%s': port %ld (%s) is also leased to %s", e->name,
						e->ports[j], e->port_names[j], who.buf);
				say("warn", msg, fix);
				free(fix);
				free(msg);
				strbuf_release(&who);
				continue;
			}
			strbuf_reset(&who);
			/* without an engine, a held port may be the stack's own: judge nothing */
			if (l->code != DOCKER_OK || !port_taken(e->ports[j], &l->containers))
				continue;
			for (k = 0; k < nc && !own; k++) {
				size_t p;

				for (p = 0; p < cs[k]->nports; p++)
					own |= cs[k]->ports[p] == e->ports[j];
			}
			if (own)
				continue;
			port_holder(e->ports[j], &l->containers, &who);
			msg = xasprintf("sandbox '%s': port %ld (%s) is held by %s", e->name,
					e->ports[j], e->port_names[j], who.buf);
			say("warn", msg, "stop what holds it (ss -ltnp shows a process), or give the sandbox other ports: "
			    "destroy and create it again");
			free(msg);
			strbuf_release(&who);
		}
		free(cs);
	}
	/* another engine than the current one (checked above), once each */
	for (i = 0; i < sl.n; i++) {
		if (sl.v[i].code == DOCKER_OK || (sl.urls[i] && cur && !strcmp(sl.urls[i], cur)))
			continue;
		msg = xasprintf("cannot reach the Docker engine %s of some sandboxes: %s",
				sl.urls[i] ? sl.urls[i] : "(unresolved)", sl.v[i].why.buf);
		say("warn", msg, "start it, or reach it (a tunnel, a context); their ports were not judged");
		free(msg);
	}
	stack_lists_free(&sl);
	free(cur);
	registry_release(&reg);
}

/* The first sandbox.copy value create would refuse, said as a bad config; or NULL. */
static char *bad_copy(const struct sb_config *cfg)
{
	struct strbuf why = STRBUF_INIT;
	char *bad = NULL;
	size_t i;

	for (i = 0; !bad && i < cfg->ncopy; i++) {
		if (!copy_check_value(cfg->copy[i].value, &why))
			continue;
		if (cfg->copy[i].origin == ORIGIN_PROJECT)
			bad = xasprintf("bad config in '%s': %s", cfg->file, why.buf);
		else
			bad = xasprintf("bad config in your git configuration: %s", why.buf);
	}
	strbuf_release(&why);
	return bad;
}

static const struct opt opts[] = { OPT_END_() };

static int cmd_doctor(struct cmd_ctx *ctx)
{
	struct stack_list stacks;
	struct sandbox sb;
	const char *nostack = NULL;
	char *bad = NULL;
	int in_repo, compose_found;

	(void)ctx;	/* no arguments, no sandbox to open */

	color = want_color(1, config_color());
	check_git();

	/* the project file, when run inside a repository: said after Docker, which it may not need */
	memset(&sb, 0, sizeof(sb));
	in_repo = sb_libgit2_init() >= 0 &&
		  git_repository_open_ext(NULL, ".", GIT_REPOSITORY_OPEN_FROM_ENV, NULL) == 0;
	git_error_clear();
	if (in_repo) {
		struct strbuf why = STRBUF_INIT;

		if (repo_open(&sb.repo, &why) < 0)
			die("%s", why.buf);
		if (sb.repo.worktree) {
			char *def = path_basename(sb.repo.main_worktree);

			if (config_load(&sb.cfg, sb.repo.git, sb.repo.worktree, def) < 0) {
				bad = xstrdup(config_error());
				in_repo = 0;
			} else {
				/* only create uses sandbox.copy: the rest is checked all the same */
				bad = bad_copy(&sb.cfg);
				/* the project's question, not one sandbox's: has it a compose file? */
				if (stack_kind(&sb.cfg, sb.repo.worktree,
					       &(struct stack_ident){ 0 }) != STACK_YES)
					nostack = sb.cfg.compose[0];
			}
			free(def);
		} else {
			in_repo = 0;
		}
	}
	if (in_repo)
		trust_check(&sb.cfg, sb.repo.commondir);
	compose_found = check_docker(&stacks, nostack, in_repo ? &sb.cfg : NULL);
	if (stacks.code == DOCKER_OK)
		check_networks();
	if (bad) {
		say("fail", bad, "fix the file or key named; gitsandbox(5) lists the rules");
		free(bad);
	} else if (in_repo) {
		char *msg = xasprintf("%s %s", sb.cfg.file, sb.cfg.has_file ? "is valid" : "does not exist (defaults apply)");

		say(sb.cfg.has_file ? "ok" : "warn", msg, sb.cfg.has_file ? NULL : "add a .gitsandbox: see gitsandbox(5)");
		free(msg);
	}
	if (in_repo)
		check_sandbox(!nostack && compose_found != 0);
	check_secrets(&sb, in_repo);
	check_registry();
	stack_list_free(&stacks);
	if (in_repo)
		config_free(&sb.cfg);
	if (sb.repo.git)
		repo_close(&sb.repo);
	printf("%d problem%s, %d warning%s\n", fails, fails == 1 ? "" : "s", warns, warns == 1 ? "" : "s");
	return fails ? 1 : 0;
}

const struct cmd_entry cmd_doctor_entry = {
	"doctor", "check the set-up and say how to fix it", usage, opts, CMD_NO_STATE, 0, 0, NULL,
	cmd_doctor
};
