/* git sandbox status: one sandbox in detail */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "derive.h"
#include "json.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "secrets.h"
#include "sandbox.h"
#include "show.h"
#include "stack.h"
#include "strbuf.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox status [[-s] <name>] [--json]",
	NULL
};

/* Read-only: say where the registry and the state disagree, never repair. */
static void check_registry(const struct sandbox *sb)
{
	struct registry reg;
	struct reg_entry *e;

	if (sb->slot == 0 && !sb->has_state)
		return;
	if (registry_read(&reg) < 0)
		return;
	e = registry_find_gitdir(&reg, sb->repo.commondir, sb->gitdir);
	if (!e) {
		warning("sandbox '%s' is not in the registry; 'git sandbox prune' does not fix this, "
			"'git sandbox destroy --keep-worktree' then 'git sandbox init' does", sb->name);
	} else if (e->slot != sb->slot || strcmp(e->name, sb->name)) {
		warning("the registry says '%s' in slot %ld, the worktree's state says '%s' in slot %ld",
			e->name, e->slot, sb->name, sb->slot);
	} else if (strcmp(e->path, sb->path)) {
		warning("sandbox '%s' moved from '%s'; run 'git sandbox repair' to record where it is",
			sb->name, e->path);
	} else {
		struct port_set ps;

		ports_from_flat(&ps, e->ports, e->port_names, e->nports, NULL);
		if (!port_set_same_ports(&ps, &sb->ports))
			warning("the registry and the worktree's state of sandbox '%s' record other ports; "
				"run 'git sandbox repair'", sb->name);
		port_set_free(&ps);
	}
	registry_release(&reg);
}

/*
 * Where the running stack's secrets came from, as up recorded it:
 * "1password", "cache" or "defaults", and when they were fetched (0 for
 * the defaults); NULL when no stack runs or up recorded nothing.
 */
static const char *stack_secrets(const struct sandbox *sb, const char *status, long long *fetched)
{
	const char *t;
	long v;

	*fetched = 0;
	if (!sb->has_state || (strcmp(status, "running") && strcmp(status, "partial")))
		return NULL;
	t = state_get(&sb->st, "stack", "fetched");
	if (t && !parse_int(t, 1, LONG_MAX, &v))
		*fetched = v;
	return state_get(&sb->st, "stack", "secrets");
}

/* names and age only, never a value */
static json_t *secrets_json(const struct sb_config *cfg, const char *src, long long fetched)
{
	json_t *o = json_object(), *names = json_array();
	size_t i;
	int configured = cfg->secrets_item && *cfg->secrets_item;

	if (!o || !names) {
		json_decref(o);
		json_decref(names);
		return NULL;
	}
	json_put(o, "source", json_text(!configured ? "none" : src));
	json_put(o, "age_seconds", configured && src && fetched ?
		 json_integer((json_int_t)time(NULL) - fetched) : NULL);
	for (i = 0; configured && i < cfg->nsecrets; i++)
		json_array_append_new(names, json_text(cfg->secrets[i].var));
	json_put(o, "names", names);
	return o;
}

/*
 * status --json: {"version":1} and the object list shows of the sandbox,
 * then status's own keys.
 */
static int status_json(struct strbuf *out, const struct sandbox_view *v,
		       const struct container *const *cs, size_t nc, const struct strbuf *drift,
		       const struct sb_config *cfg, const char *secrets_src, long long fetched)
{
	json_t *o = json_object(), *sbx = show_sandbox_json(v), *c = json_array();
	size_t i;
	int ret;

	if (!o || !sbx || !c) {
		json_decref(o);
		json_decref(sbx);
		json_decref(c);
		return error("cannot make the JSON: out of memory");
	}
	json_put(o, "version", json_integer(SHOW_JSON_VERSION));
	json_object_update(o, sbx);
	json_decref(sbx);
	for (i = 0; i < nc; i++) {
		json_t *x = json_object();

		if (!x)
			continue;
		json_put(x, "service", json_text(cs[i]->service));
		json_put(x, "state", json_text(cs[i]->state));
		json_array_append_new(c, x);
	}
	json_put(o, "containers", c);
	/* what the configuration asks for now, when it is not what was leased */
	json_put(o, "drift", drift->len ? json_text(drift->buf) : NULL);
	json_put(o, "secrets", secrets_json(cfg, secrets_src, fetched));
	ret = json_to_strbuf(out, o);
	json_decref(o);
	return ret;
}

static void show_secrets(struct strbuf *out, const struct sb_config *cfg, const char *src,
			 long long fetched)
{
	struct secrets_status st;
	char age[32];
	size_t i;

	if (!cfg->secrets_item || !*cfg->secrets_item)
		return;
	strbuf_addf(out, "secrets  %s: ", cfg->secrets_item);
	if (src && !strcmp(src, "defaults")) {
		strbuf_addstr(out, "the stack has the defaults (up --no-secrets)");
	} else if (src) {
		strbuf_addf(out, "the stack has them from %s", strcmp(src, "cache") ? "1Password" : "the cache");
		if (fetched)
			strbuf_addf(out, ", fetched %s ago",
				    format_duration(age, sizeof(age), time(NULL) - fetched));
	} else if (secrets_status(cfg, &st) < 0) {
		strbuf_addstr(out, "cache unknown");
	} else {
		/* no stack runs: what the next up would start from */
		if (st.cache == SECRETS_CACHE_OK)
			strbuf_addf(out, "cached %s ago%s", format_duration(age, sizeof(age), st.age_seconds),
				    st.fresh ? "" : " (expired)");
		else
			strbuf_addstr(out, "not cached");
		secrets_status_free(&st);
	}
	strbuf_addstr(out, " (");
	for (i = 0; i < cfg->nsecrets; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", cfg->secrets[i].var);
	strbuf_addstr(out, ")\n");
}

static int json;
static const struct opt opts[] = {
	OPT_SANDBOX_(&cmd_sandbox),
	OPT_BOOL_(0, "json", &json, "print JSON"),
	OPT_END_(),
};

static int cmd_status(struct cmd_ctx *ctx)
{
	int unreadable;
	struct sandbox *sb = &ctx->sb;
	struct stack_list stacks;
	struct stack_ident si;
	enum stack_kind kind;
	struct strbuf out = STRBUF_INIT, ports = STRBUF_INIT, drift = STRBUF_INIT;
	struct sandbox_view v;
	char **names, *branch, *json_branch = NULL, *repo, **urls;
	const char **url_names;
	const struct container **cs = NULL;
	size_t np, nc, i, nurls;
	long long fetched;
	const char *secrets_src;
	long *p;

	check_registry(sb);
	sandbox_ports_drift(sb, &drift);
	kind = STACK_YES;	/* a record that cannot be read: the engine decides, as ever */
	if (!sb->missing && !stack_ident_load(sb, &si)) {
		kind = stack_kind(&sb->cfg, sb->path, &si);
		stack_ident_free(&si);
	}
	/* no stack: no engine to ask */
	memset(&stacks, 0, sizeof(stacks));
	strbuf_init(&stacks.why);
	stacks.code = DOCKER_UNREACHABLE;
	if (kind != STACK_NONE) {
		stack_list_load(&stacks);
		/* a remote engine that does not answer: say which (the status is "unknown") */
		if (stacks.code != DOCKER_OK && sb->engine.url && !engine_is_local(&sb->engine))
			warning("cannot reach the Docker engine %s: %s", sb->engine.url, stacks.why.buf);
	}
	np = port_set_flat(&sb->ports, &p, &names);
	branch = sb->missing ? xstrdup("-") : worktree_branch(sb->gitdir);
	if (!sb->missing)
		json_branch = worktree_head_branch(sb->gitdir, &unreadable);
	repo = xstrdup(sb->repo.main_worktree);
	memset(&v, 0, sizeof(v));
	v.name = sb->name;
	v.slot = sb->slot;
	v.repo = repo;
	v.path = sb->path;
	v.main = sb->slot == 0;
	v.branch = json_branch;
	v.project = sb->project;
	v.status = sandbox_status(&stacks, sb->path, sb->gitdir, sb->project, kind);
	v.ports = p;
	v.port_names = names;
	v.nports = np;
	v.engine = sb->engine.name;
	/* no engine, no host to name */
	nurls = urls_of(&sb->cfg, &sb->ports, sandbox_host(sb), &url_names, &urls);
	v.url_names = url_names;
	v.urls = urls;
	v.nurls = nurls;
	nc = stacks.code == DOCKER_OK ? stack_containers(&stacks.containers, sb->project, &cs) : 0;
	secrets_src = stack_secrets(sb, v.status, &fetched);
	if (json) {
		if (status_json(&out, &v, cs, nc, &drift, &sb->cfg, secrets_src, fetched) < 0)
			die("cannot show the status");
	} else {
		show_ports(&ports, p, names, np);
		strbuf_addf(&out, "sandbox  %s (slot %ld)\n", sb->name, sb->slot);
		strbuf_addf(&out, "path     %s\n", sb->path);
		strbuf_addf(&out, "branch   %s\n", branch);
		strbuf_addf(&out, "project  %s\n", sb->project);
		strbuf_addf(&out, "ports    %s\n", np ? ports.buf : "(none)");
		strbuf_addf(&out, "engine   %s\n", sb->engine.name);
		for (i = 0; i < nurls; i++)
			strbuf_addf(&out, "url      %s %s\n", url_names[i], urls[i]);
		if (drift.len)
			strbuf_addf(&out, "drift    the configuration asks for other ports: %s; "
				    "'git sandbox repair' leases them\n", drift.buf);
		strbuf_addf(&out, "status   %s\n", v.status);
		for (i = 0; i < nc; i++)
			strbuf_addf(&out, "  %-12s %s\n", cs[i]->service, cs[i]->state);
		show_secrets(&out, &sb->cfg, secrets_src, fetched);
	}
	fputs(out.buf, stdout);
	strbuf_release(&out);
	strbuf_release(&ports);
	strbuf_release(&drift);
	free(cs);
	urls_free(url_names, urls, nurls);
	stack_list_free(&stacks);
	free(p);
	free(names);
	free(branch);
	free(json_branch);
	free(repo);
	return stdout_done();
}

const struct cmd_entry cmd_status_entry = {
	"status", "one sandbox in detail", usage, opts,
	CMD_SANDBOX | CMD_NAME_ARG, SB_NEED_SLOT | SB_ANY_ENGINE, 1, NULL, cmd_status
};
