/* git sandbox up: start the stack, wait until it answers */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compose.h"
#include "composelint.h"
#include "derive.h"
#include "docker.h"
#include "envfile.h"
#include "health.h"
#include "hints.h"
#include "hooks.h"
#include "lease.h"
#include "opts.h"
#include "sandbox.h"
#include "secrets.h"
#include "stack.h"
#include "strbuf.h"
#include "trust.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox up [-s <name>] [--build] [--recreate] [--profile <name>...] [--no-secrets] [--refresh-secrets]"
	" [--no-wait] [--timeout <s>]",
	NULL
};

/* The one line that says which secrets the stack gets, and from where. */
static void say_loaded(const struct secret_set *set)
{
	struct strbuf vars = STRBUF_INIT, unset = STRBUF_INIT;
	char age[32];
	size_t i;

	if (!set->nr)
		return;
	for (i = 0; i < set->nr; i++) {
		struct strbuf *sb = set->v[i].value ? &vars : &unset;

		strbuf_addf(sb, "%s%s", sb->len ? ", " : "", set->v[i].var);
	}
	if (!strcmp(set->source, "defaults"))
		note("Loaded the defaults (--no-secrets): %s%s%s", vars.len ? vars.buf : "none",
		     unset.len ? "; no default, left unset: " : "", unset.buf);
	else if (!strcmp(set->source, "cache"))
		note("Loaded from the cache, fetched %s ago: %s",
		     format_duration(age, sizeof(age), time(NULL) - set->fetched_at), vars.buf);
	else
		note("Loaded from 1Password: %s", vars.buf);
	strbuf_release(&vars);
	strbuf_release(&unset);
}

static int real_secrets(const char *source)
{
	return source && (!strcmp(source, "1password") || !strcmp(source, "cache"));
}

/* state_set_sub(), saying whether it changed anything */
static int set_if_other(struct sb_state *st, const char *section, const char *sub,
			const char *key, const char *value)
{
	const char *old = state_get_sub(st, section, sub, key);

	if (old == value || (old && value && !strcmp(old, value)))
		return 0;
	state_set_sub(st, section, sub, key, value);
	return 1;
}

/*
 * A rotated secret does not reach a database that stored the old one in
 * its volume: remember a keyed fingerprint of each value ("unset" for a
 * variable left unset) and say so when it changes, including between the
 * defaults and 1Password's values. Also record where the stack's secrets
 * came from, for status.
 */
static void note_rotation(struct sandbox *sb, const struct secret_set *set)
{
	const char *was, *then = "";
	char fetched[32];
	size_t i;
	int from_defaults = 0, dirty = 0;

	if (!sb->has_state || !set->nr)
		return;
	was = state_get(&sb->st, "stack", "secrets");
	if (real_secrets(was) && !strcmp(set->source, "defaults")) {
		then = " (1Password's then, the default now)";
	} else if (was && !strcmp(was, "defaults") && real_secrets(set->source)) {
		then = " (the default then, 1Password's now)";
		from_defaults = 1;
	}
	for (i = 0; i < set->nr; i++) {
		const struct secret *s = &set->v[i];
		const struct secret_def *d = NULL;
		char *fp = s->value ? secrets_fingerprint(set, s->name) : xstrdup("unset");
		const char *old = state_get_sub(&sb->st, "secret", s->name, "fingerprint");
		int changed;
		size_t k;

		if (strchr(s->name, '\n')) {
			/* the state's syntax (git's) has no name with a newline: not recorded */
			free(fp);
			continue;
		}
		for (k = 0; k < sb->cfg.nsecrets; k++)
			if (!strcmp(sb->cfg.secrets[k].name, s->name))
				d = &sb->cfg.secrets[k];
		if (fp && old)
			changed = strcmp(old, fp) != 0;
		else if (*then && !fp)
			/* the defaults, and no key to compare them with: they differ, as a rule */
			changed = 1;
		else if (from_defaults && d)
			/* the defaults then, not recorded (no key then): compare with them */
			changed = !d->def || strcmp(d->def, s->value);
		else
			changed = 0;
		if (changed)
			warning("secret '%s' changed since the last up%s; a service that keeps it in a volume "
				"(a database) still has the old one: 'git sandbox down --volumes' resets it",
				s->name, then);
		/* a value that cannot be fingerprinted leaves no stale one behind */
		dirty |= set_if_other(&sb->st, "secret", s->name, "fingerprint", fp);
		free(fp);
	}
	snprintf(fetched, sizeof(fetched), "%lld", set->fetched_at);
	dirty |= set_if_other(&sb->st, "stack", NULL, "secrets", set->source);
	dirty |= set_if_other(&sb->st, "stack", NULL, "fetched", set->fetched_at ? fetched : NULL);
	if (dirty && state_write(sb->state_file, &sb->st) < 0)
		warning("could not record the secrets' fingerprints in '%s'", sb->state_file);
}

/* The last line of up: what the recheck found changed in 1Password. */
static void say_changed(const struct sb_config *cfg, const struct secrets_recheck *rc, int n)
{
	struct strbuf vars = STRBUF_INIT;
	size_t i;

	for (i = 0; i < rc->n && i < cfg->nsecrets; i++)
		if (rc->changed[i])
			strbuf_addf(&vars, "%s%s", vars.len ? ", " : "", cfg->secrets[i].var);
	printf("%s changed in 1Password: the next 'git sandbox up' applies %s "
	       "(after 'git sandbox down --volumes' for a database that keeps %s)\n",
	       vars.buf, n == 1 ? "it" : "them", n == 1 ? "it" : "them");
	strbuf_release(&vars);
}

/* The first leased port of group name (drift is refused, so it has one). */
static long leased_port(const struct sandbox *sb, const char *name)
{
	const struct port_lease *l = port_set_find(&sb->ports, name);

	if (!l || !l->n)
		die("BUG: port group '%s' was not leased", name);
	return l->port[0];
}

/*
 * The ports up will publish are the leased ones: refuse when the
 * configuration now asks for others (nothing would agree any more), and
 * record them for a sandbox from before the record.
 */
static void check_drift(struct sandbox *sb)
{
	struct strbuf why = STRBUF_INIT;

	if (sandbox_ports_drift(sb, &why))
		die("the configuration asks for other ports than sandbox '%s' leased (%s); "
		    "run 'git sandbox repair' to lease them, or undo the change", sb->name, why.buf);
	strbuf_release(&why);
	if (sb->has_state && !sb->ports_recorded) {
		ports_to_state(&sb->ports, &sb->st);
		if (state_write(sb->state_file, &sb->st) < 0)
			die("the stack was not started");
		sb->ports_recorded = 1;
	}
}

/*
 * Before anything starts: every leased port is free or published by this
 * stack's own containers, and still leased to this sandbox on the machine.
 */
static void check_ports(const struct sandbox *sb, const struct stack_ident *si,
			const struct container_list *l)
{
	const struct container **own = NULL;
	size_t nown = stack_own_containers(si, sb->project, sb->path, l, &own);
	int ret = ports_check_free(&sb->ports, l, own, nown);

	free(own);
	if (ret < 0)
		die("not starting sandbox '%s': its ports must be free; stop what holds them, "
		    "or run 'git sandbox repair' to lease other ports", sb->name);
	if (sb->slot > 0 && lease_assert(&sb->ports, sb->repo.commondir, sb->name) < 0)
		die("not starting sandbox '%s'", sb->name);
}

/*
 * Which compose starts the stack: the one found now, but a running stack
 * is not switched from the one that started it without recreate (v2
 * recreates v1's containers, and names them otherwise). The choice is
 * recorded for the next up, down and logs.
 */
static void choose_compose(struct sandbox *sb, struct compose *c, size_t running, int recreate)
{
	const char *used = c->found;

	if (c->recorded && c->found && strcmp(c->recorded, c->found) && running && !recreate) {
		if (!c->recorded_there)
			die("sandbox '%s' runs a stack started with '%s', which is not found or not "
			    "configured any more; 'git sandbox up --recreate' recreates its containers with '%s'",
			    sb->name, c->recorded, c->found);
		note("sandbox '%s' keeps '%s', which started its running stack; "
		     "'git sandbox up --recreate' switches to '%s', recreating its containers",
		     sb->name, c->recorded, c->found);
		used = c->recorded;
	}
	compose_use(c, used);
	if (sb->has_state && (!c->recorded || strcmp(c->recorded, used))) {
		state_set(&sb->st, "compose", "command", used);
		if (state_write(sb->state_file, &sb->st) < 0)
			die("the stack was not started");
	}
}

/*
 * Before the first up of a stack: what in the compose file would collide
 * with another sandbox's stack, each with its fix. Warnings only: the
 * stack starts all the same, and a lint that fails is one line.
 */
static void lint(const struct sandbox *sb, const struct compose *c)
{
	const struct lint_sandbox ls = { sb->project, &sb->ports, &sb->cfg };
	struct lint_findings f = { 0 };
	struct strbuf why = STRBUF_INIT;
	size_t i;

	if (compose_lint(c, &ls, &f, &why) < 0)
		warning("could not lint the compose file: %s", why.buf);
	for (i = 0; i < f.n; i++) {
		warning("%s", f.v[i].what);
		fprintf(stderr, "hint: %s\n", f.v[i].fix);
	}
	if (f.n)
		fprintf(stderr, "hint: 'git sandbox doctor' lists these again\n");
	lint_findings_free(&f);
	strbuf_release(&why);
}

/*
 * A project with no compose file: nothing to start, and no engine, no
 * compose and no secrets (only a stack would get them) are needed. The
 * env file is written and the hooks run all the same: they may start
 * what the project runs instead of a stack.
 */
static int up_no_stack(struct sandbox *sb)
{
	int ret = 0;

	check_drift(sb);
	if (envfile_write(sb) < 0 || exclude_add(sb->repo.commondir, sb->cfg.env_file) < 0)
		die("the stack was not started");
	if (run_hook(sb, &sb->cfg.hook_pre_up, "hook.preUp") < 0)
		die("hook.preUp failed");
	if (run_hook(sb, &sb->cfg.hook_post_up, "hook.postUp") < 0)
		ret = -1;
	printf("Sandbox '%s' has no stack (no %s): nothing to start; its ports are in %s\n",
	       sb->name, sb->cfg.compose[0], sb->cfg.env_file);
	if (ret < 0)
		die("hook.postUp failed");
	return stdout_done();
}

int main(int argc, char **argv)
{
	int build = 0, recreate = 0, no_secrets = 0, refresh = 0, no_wait = 0, leased, ret, first;
	long timeout = 120;
	struct opt_list profiles = { 0 };
	const char *name = NULL;
	const struct opt opts[] = {
		OPT_SANDBOX_(&name),
		OPT_BOOL_(0, "build", &build, "build images before starting"),
		OPT_BOOL_(0, "recreate", &recreate, "recreate every container (and switch compose)"),
		OPT_STRING_LIST_(0, "profile", &profiles, "<name>", "enable a compose profile (repeatable)"),
		OPT_BOOL_(0, "no-secrets", &no_secrets, "give each secret its default; ask no 1Password"),
		OPT_BOOL_(0, "refresh-secrets", &refresh, "fetch the secrets from 1Password, not the cache"),
		OPT_BOOL_(0, "no-wait", &no_wait, "return once compose has started the stack"),
		OPT_LONG_(0, "timeout", &timeout, 0, 86400, "<s>", "seconds to wait for the health checks"),
		OPT_END_(),
	};
	const char *args[COMPOSE_MAX_ARGS];
	struct secret_set secrets = SECRET_SET_INIT;
	struct secrets_recheck recheck = { 0 };
	struct health_check *checks;
	struct stack_list stacks;
	struct stack_ident si;
	struct compose c;
	struct sandbox sb;
	char **env = NULL, **urls;
	const char **url_names;
	const struct container **own = NULL;
	size_t i, n = 0, alloc = 0, nchecks = 0, nown, running = 0, nurls;
	struct strbuf why = STRBUF_INIT;

	progname = "git sandbox up";
	set_advise_routine(say_hint);
	if (parse_options(argc, argv, opts, usage, "git-sandbox-up", 0))
		usage_msg(usage, "too many arguments");
	if (no_secrets && refresh)
		usage_msg(usage, "--no-secrets and --refresh-secrets cannot go together");
	timing_phase("start");
	sandbox_open(&sb, name, SB_NEED_SLOT | SB_NEED_WORKTREE);
	stack_lock(&sb);
	if (stack_ident_load(&sb, &si) < 0)
		die("the stack was not started");
	first = !stack_ident_started(&si);	/* compose never ran for this stack */
	if (stack_kind(&sb.cfg, sb.path, &si) != STACK_YES) {
		ret = up_no_stack(&sb);
		stack_ident_free(&si);
		sandbox_close(&sb);
		return ret;
	}
	if (!no_secrets && trust_secrets(&sb.cfg) < 0) {
		fprintf(stderr, "hint: or start it with each secret's default: 'git sandbox up --no-secrets'\n");
		die("the stack was not started");
	}
	check_drift(&sb);

	/* everything that can be checked before anything starts */
	stack_list_need(&stacks);
	if (stack_claim(&si, sb.project, sb.path, &stacks.containers, 1) < 0)
		die("the stack was not started");
	check_ports(&sb, &si, &stacks.containers);
	nown = stack_own_containers(&si, sb.project, sb.path, &stacks.containers, &own);
	for (i = 0; i < nown; i++)
		running += !strcmp(own[i]->state, "running");
	free(own);
	own = NULL;
	stack_list_free(&stacks);
	stack_compose(&c, &sb, &si, 0);	/* writes the env file */
	choose_compose(&sb, &c, running, recreate);
	for (i = 0; i < profiles.n; i++) {
		ALLOC_GROW(c.profiles, c.nprofiles + 1, n);
		c.profiles[c.nprofiles++] = xstrdup(profiles.v[i]);
	}
	n = 0;
	free(profiles.v);
	if (first)
		lint(&sb, &c);
	if (exclude_add(sb.repo.commondir, sb.cfg.env_file) < 0)
		die("the stack was not started");
	if (run_hook(&sb, &sb.cfg.hook_pre_up, "hook.preUp") < 0)
		die("not starting the stack: hook.preUp failed");
	timing_phase("prepare");
	if (secrets_load(&sb.cfg, no_secrets ? SECRETS_DEFAULTS : refresh ? SECRETS_REFRESH : 0,
			 &secrets) < 0) {
		fprintf(stderr, "hint: or start it with each secret's default: 'git sandbox up --no-secrets'\n");
		die("the stack was not started");
	}
	say_loaded(&secrets);
	note_rotation(&sb, &secrets);
	/* an older cache serves now; 1Password is asked while compose runs */
	if (secrets_recheck_due(&sb.cfg, &secrets))
		secrets_recheck_start(&sb.cfg, &secrets, &recheck);
	timing_phase("secrets");

	/*
	 * Ports and names come from the env file; secrets, and the derived
	 * variables made of one, only from compose's environment. Each
	 * "VAR=value" (or "VAR": unset, compose's default applies) is a copy
	 * of a value, wiped by free_secret() once compose is done; the
	 * child's own copy goes away when it execs.
	 */
	ALLOC_GROW(env, secrets.nr + 1, alloc);
	for (i = 0; i < secrets.nr; i++)
		env[n++] = secret_env(&secrets.v[i]);
	env[n] = NULL;
	if (derive_secret_env(&sb.cfg, sandbox_host(&sb), c.env, secrets.v, secrets.nr, &env, &n,
			      &alloc, &why))
		warning("sandbox '%s': left out of compose's variables: %s", sb.name, why.buf);
	strbuf_release(&why);
	c.secrets = (const char *const *)env;
	/*
	 * the project's name leased on the engine, now that the hooks and
	 * the secrets are done: of two sandboxes of one name starting at
	 * once, one gets it
	 */
	leased = !stack_lease(&si, sb.project, sb.path);
	ret = leased ? compose_run(&c, compose_up_args(args, build, recreate)) : -1;
	for (i = 0; i < n; i++)
		free_secret(env[i]);
	free(env);
	secret_set_free(&secrets);
	/* what compose made is this stack's, even if it failed half-way */
	stack_list_load(&stacks);
	if (leased && (stacks.code != DOCKER_OK ||
		       stack_record(&si, sb.project, sb.path, &stacks.containers, ret != 0) < 0))
		warning("could not record the volumes and networks of '%s'", sb.project);
	stack_ident_free(&si);
	if (ret) {
		stack_list_free(&stacks);
		if (ret > 0)
			error("compose failed (exit %d); see 'git sandbox logs' for the services' output", ret);
		die("the stack did not start");
	}
	timing_phase("compose");

	/* a published port outside the slot will clash with another sandbox */
	if (stacks.code == DOCKER_OK)
		check_port_leaks(&stacks.containers, sb.project, sb.slot, &sb.ports);
	timing_phase("ports");

	/*
	 * the leased ports; what to wait for is the configuration's (same
	 * groups: no drift); and every service with a healthcheck of its own,
	 * as the engine judges it
	 */
	nown = stacks.code == DOCKER_OK ? stack_containers(&stacks.containers, sb.project, &own) : 0;
	checks = xcalloc(sb.cfg.nports + nown + 1, sizeof(*checks));
	for (i = 0; i < nown && !no_wait; i++) {
		char *status = NULL;

		if (docker_container_health(own[i]->cid, &status, NULL) || !status)
			continue;
		free(status);
		checks[nchecks].name = own[i]->service;
		checks[nchecks++].cid = own[i]->cid;
	}
	for (i = 0; i < sb.cfg.nports; i++) {
		const struct port_group *g = &sb.cfg.ports[i];

		if (!g->health && !g->wait_tcp)
			continue;
		checks[nchecks].name = g->name;
		checks[nchecks].host = sb.engine.address;
		checks[nchecks].port = leased_port(&sb, g->name);
		checks[nchecks++].path = g->health;
	}
	if (!no_wait && nchecks &&
	    health_gate(checks, nchecks, timeout, isatty(2)) < 0) {
		fprintf(stderr, "hint: the stack is left running for inspection: 'git sandbox logs' shows its output,\n"
			"hint: 'git sandbox status' its containers, 'git sandbox down' stops it\n");
		die("the stack did not become ready");
	}
	timing_phase("health");
	free(own);
	stack_list_free(&stacks);
	if (run_hook(&sb, &sb.cfg.hook_post_up, "hook.postUp") < 0)
		ret = -1;
	printf("Sandbox '%s' is up (slot %ld, project %s)\n", sb.name, sb.slot, sb.project);
	nurls = urls_of(&sb.cfg, &sb.ports, sandbox_host(&sb), &url_names, &urls);
	for (i = 0; i < nurls; i++)
		printf("  %s  %s\n", url_names[i], urls[i]);
	urls_free(url_names, urls, nurls);
	fflush(stdout);
	if (recheck.running) {
		int changed = secrets_recheck_finish(&sb.cfg, &recheck);

		if (changed > 0)
			say_changed(&sb.cfg, &recheck, changed);
		timing_phase("recheck");
	}
	secrets_recheck_free(&recheck);
	free(checks);
	stack_compose_free(&c);
	sandbox_close(&sb);
	if (ret < 0)
		die("hook.postUp failed; the stack is up");
	return stdout_done();
}
