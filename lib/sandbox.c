/* sandbox.c: which sandbox a command acts on, and what it is called (sandbox.h) */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "derive.h"
#include "docker.h"
#include "engine.h"
#include "registry.h"
#include "sandbox.h"
#include "trust.h"
#include "util.h"
#include "worktree.h"

int valid_name(const char *name, struct strbuf *why)
{
	size_t n = strlen(name);
	const char *p;

	if (!n) {
		strbuf_addstr(why, "a sandbox name cannot be empty");
		return 0;
	}
	if (n > 64) {
		strbuf_addf(why, "a sandbox name has at most 64 characters (this one has %zu)", n);
		return 0;
	}
	if (name[0] == '-' || name[0] == '.') {
		strbuf_addf(why, "a sandbox name cannot start with '%c'", name[0]);
		return 0;
	}
	for (p = name; *p; p++) {
		unsigned char c = *p;

		if (!(isascii(c) && (isalnum(c) || c == '.' || c == '_' || c == '-'))) {
			if (isprint(c) && isascii(c))
				strbuf_addf(why, "a sandbox name cannot contain '%c'", c);
			else
				strbuf_addf(why, "a sandbox name cannot contain byte 0x%02x", c);
			strbuf_addstr(why, " (use letters, digits, '.', '_' and '-')");
			return 0;
		}
	}
	if (n >= 5 && !strcmp(name + n - 5, ".lock")) {
		strbuf_addstr(why, "a sandbox name cannot end with '.lock'");
		return 0;
	}
	if (strstr(name, "..")) {
		strbuf_addstr(why, "a sandbox name cannot contain '..'");
		return 0;
	}
	return 1;
}

char *compose_project(const char *project, const char *name)
{
	char *s = *name ? xasprintf("%s-%s", project, name) : xstrdup(project);
	char *p;

	for (p = s; *p; p++) {
		*p = tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			*p = '-';
	}
	return s;
}

char *sandbox_worktree_path(const struct repo *r, const struct sb_config *cfg, const char *name)
{
	char *parent = path_dirname(r->main_worktree);
	char *leaf = xasprintf("%s--%s", cfg->project, name);
	char *p = path_join(parent, leaf);

	free(parent);
	free(leaf);
	return p;
}

/* config_load() or config_load_commit(), then whether r trusts the file */
static int config_for(struct sb_config *cfg, struct repo *r, const char *dir, const char *commit_hex)
{
	char *def = path_basename(r->main_worktree);
	int ret = commit_hex ? config_load_commit(cfg, r->git, commit_hex, def) :
			       config_load(cfg, r->git, dir, def);

	free(def);
	if (ret < 0)
		return -1;
	trust_check(cfg, r->commondir);
	return 0;
}

int sandbox_config_load(struct sb_config *cfg, struct repo *r, const char *dir)
{
	return config_for(cfg, r, dir, NULL);
}

int sandbox_config_load_commit(struct sb_config *cfg, struct repo *r, const char *commit_hex)
{
	return config_for(cfg, r, NULL, commit_hex);
}

static int open_named(struct sandbox *sb, const char *name, struct strbuf *err)
{
	struct registry reg;
	struct reg_entry *e;
	struct strbuf why = STRBUF_INIT;
	struct stat st;

	if (!valid_name(name, &why)) {
		strbuf_addf(err, "invalid sandbox name '%s': %s", name, why.buf);
		strbuf_release(&why);
		return -1;
	}
	if (registry_read(&reg) < 0) {
		strbuf_addstr(err, "the registry of sandboxes cannot be read");
		return -1;
	}
	e = registry_find(&reg, sb->repo.commondir, name);
	if (!e) {
		if (!strcmp(name, "main")) {
			registry_release(&reg);
			sb->path = xstrdup(sb->repo.main_worktree);
			sb->gitdir = xstrdup(sb->repo.commondir);
			sb->is_main = 1;
			return 0;
		}
		registry_release(&reg);
		strbuf_addf(err, "no sandbox named '%s' in this repository", name);
		return SANDBOX_NO_SUCH;
	}
	sb->path = xstrdup(e->path);
	sb->gitdir = xstrdup(e->gitdir);
	sb->is_main = !strcmp(e->gitdir, sb->repo.commondir);
	sb->missing = stat(e->path, &st) < 0 || !S_ISDIR(st.st_mode);
	if (!sb->is_main && *sb->gitdir && (sb->missing || !worktree_belongs(sb->path, sb->gitdir))) {
		/* moved with `git worktree move` (maybe another in its place): its git dir knows where */
		char *wt = worktree_of_gitdir(e->gitdir);

		if (wt && worktree_belongs(wt, e->gitdir)) {
			free(sb->path);
			sb->path = wt;
			sb->missing = 0;
		} else {
			free(wt);
		}
	}
	registry_release(&reg);
	return 0;
}

/* The ports of a sandbox from before the record: its registry entry's. */
static int entry_ports(struct sandbox *sb, struct strbuf *err)
{
	struct registry reg;
	size_t i;

	if (registry_read(&reg) < 0) {
		strbuf_addstr(err, "the registry of sandboxes cannot be read");
		return -1;
	}
	for (i = 0; i < reg.n; i++)
		if (!strcmp(reg.e[i].gitdir, sb->gitdir) && !strcmp(reg.e[i].repo, sb->repo.commondir)) {
			ports_from_flat(&sb->ports, reg.e[i].ports, reg.e[i].port_names, reg.e[i].nports,
					&sb->cfg);
			registry_release(&reg);
			return 0;
		}
	registry_release(&reg);
	if (ports_of_config(&sb->ports, &sb->cfg, sb->slot, NULL) < 0)
		memset(&sb->ports, 0, sizeof(sb->ports));
	return 0;
}

static int load_ports(struct sandbox *sb, struct strbuf *err)
{
	int r;

	if (sb->slot < 0)
		return 0;
	if (!sb->has_state) {
		if (!sb->missing) {
			/* slot 0: the configuration's, validated on load */
			if (ports_of_config(&sb->ports, &sb->cfg, sb->slot, NULL) < 0)
				memset(&sb->ports, 0, sizeof(sb->ports));
			return 0;
		}
		return entry_ports(sb, err);
	}
	r = ports_from_state(&sb->ports, &sb->st);
	if (!r) {
		sb->ports_recorded = 1;
		return 0;
	}
	if (r < 0)
		sb->ports_broken = 1;
	return entry_ports(sb, err);
}

size_t sandbox_ports_drift(const struct sandbox *sb, struct strbuf *why)
{
	struct port_set want;
	size_t n;

	if (!sb->has_state || sb->slot < 1)
		return 0;
	if (sb->slot > sb->cfg.slots) {
		strbuf_addf(why, "slot %ld is beyond sandbox.slots (%ld)", sb->slot, sb->cfg.slots);
		return 1;
	}
	if (ports_of_config(&want, &sb->cfg, sb->slot, why) < 0)
		return 1;
	n = ports_diff(&sb->ports, &want, why);
	port_set_free(&want);
	return n;
}

/* Make e the engine in use, with sandbox.host; say so when the shell points elsewhere. */
static void use_engine(struct sandbox *sb, int chosen)
{
	char *cur;

	engine_set_address(&sb->engine, sb->cfg.host);
	engine_use(&sb->engine);
	if (!chosen)
		return;
	cur = engine_current_url();
	if (cur && strcmp(cur, sb->engine.url))
		note("sandbox '%s' is on the engine %s (the shell points at %s)",
		     sb->name ? sb->name : "", sb->engine.name, cur);
	free(cur);
}

/* sb without an engine: the name of the one it would use, and none in use */
static void no_engine(struct sandbox *sb, const char *name)
{
	const char *n = engine_override() ? engine_override() : name ? name : sb->cfg.engine;

	engine_release(&sb->engine);
	sb->engine.name = xstrdup(n ? n : "(unresolved)");
	sb->no_engine = 1;
	engine_use_none();
}

/*
 * sb's engine (engine_of), made the engine in use; fails if it cannot be
 * resolved, unless flags say to go on without one.
 */
static int open_engine(struct sandbox *sb, const char *name, const char *certs, unsigned flags,
		       struct strbuf *err)
{
	int chosen;

	sb->engine_recorded = name != NULL;
	if (flags & SB_NO_ENGINE) {
		no_engine(sb, name);
		return 0;
	}
	if (engine_of(name, certs, sb->cfg.engine, &sb->engine, &chosen)) {
		if (!(flags & SB_ANY_ENGINE)) {
			strbuf_addf(err, "cannot use the engine of sandbox '%s'; name it for this command "
				    "with GIT_SANDBOX_ENGINE=<context or URL>",
				    sb->name ? sb->name : sb->path);
			return -1;
		}
		warning("cannot use the engine of sandbox '%s'; going on without it (name it for "
			"this command with GIT_SANDBOX_ENGINE=<context or URL>)",
			sb->name ? sb->name : sb->path);
		no_engine(sb, name);
		return 0;
	}
	use_engine(sb, chosen);
	return 0;
}

int sandbox_place(struct sandbox *sb, const char *spec)
{
	const char *name, *certs;

	engine_release(&sb->engine);
	if (engine_resolve(spec ? spec : engine_override() ? engine_override() : sb->cfg.engine,
			   &sb->engine))
		return -1;
	/*
	 * a remote engine that does not answer is more likely a typo than a
	 * place to lease ports on: nothing is made (a local one may be
	 * started later, as before)
	 */
	if (!engine_is_local(&sb->engine)) {
		struct strbuf why = STRBUF_INIT;
		int ret;

		engine_use(&sb->engine);
		ret = docker_ping(&why);
		if (ret)
			docker_error(ret, why.buf);
		strbuf_release(&why);
		if (ret)
			return -1;
	}
	engine_record(&sb->engine, &name, &certs);
	state_set(&sb->st, "engine", "name", name);
	state_set(&sb->st, "engine", "certs", certs);
	sb->engine_recorded = 1;
	sb->no_engine = 0;
	use_engine(sb, 0);
	return 0;
}

/* registered, worktree gone: what the registry knows */
static int open_from_registry(struct sandbox *sb, const char *name, char **engine, char **certs,
			      struct strbuf *err)
{
	struct registry reg;
	struct reg_entry *e;

	if (registry_read(&reg) < 0) {
		strbuf_addstr(err, "the registry of sandboxes cannot be read");
		return -1;
	}
	e = registry_find(&reg, sb->repo.commondir, name);
	if (e) {
		sb->st.name = xstrdup(e->name);
		sb->st.slot = e->slot;
		sb->st.project = xstrdup(e->project);
		sb->name = sb->st.name;
		sb->slot = e->slot;
		sb->project = xstrdup(e->project);
		if (e->engine) {
			*engine = xstrdup(e->engine);
			*certs = e->engine_certs ? xstrdup(e->engine_certs) : NULL;
		}
	}
	registry_release(&reg);
	return 0;
}

int sandbox_open(struct sandbox *sb, const char *name, unsigned flags, struct strbuf *err)
{
	const char *engine = NULL, *certs = NULL;
	char *entry_engine = NULL, *entry_certs = NULL;
	const char *dir;
	int r;

	memset(sb, 0, sizeof(*sb));
	sb->slot = -1;
	if (repo_open(&sb->repo, err) < 0)
		return -1;
	if (name) {
		r = open_named(sb, name, err);
		if (r < 0)
			return r;
		if ((flags & SB_NEED_WORKTREE) && sb->missing) {
			strbuf_addf(err, "the worktree of sandbox '%s' is gone (it was '%s')", name,
				    sb->path);
			return -1;
		}
	} else {
		if (!sb->repo.worktree) {
			strbuf_addstr(err, "this operation must be run in a work tree");
			return -1;
		}
		sb->path = xstrdup(sb->repo.worktree);
		sb->gitdir = xstrdup(sb->repo.gitdir);
		sb->is_main = sb->repo.is_main;
	}
	dir = sb->missing ? (sb->repo.worktree ? sb->repo.worktree : sb->path) : sb->path;
	if ((flags & SB_ANY_CONFIG) && strcmp(dir, sb->repo.main_worktree)) {
		char *def = path_basename(sb->repo.main_worktree);

		/* a branch's broken project file must not keep its sandbox alive */
		if (config_load(&sb->cfg, sb->repo.git, dir, def) < 0) {
			warning("%s; going on with the main worktree's configuration", config_error());
			dir = sb->repo.main_worktree;
		} else {
			config_free(&sb->cfg);
		}
		free(def);
	}
	if (sandbox_config_load(&sb->cfg, &sb->repo, dir) < 0) {
		strbuf_addstr(err, config_error());
		return -1;
	}
	/* `trust` must show what it would allow, not refuse it */
	if (!(flags & SB_REVIEW) && config_check_untrusted(&sb->cfg) < 0) {
		strbuf_addstr(err, config_error());
		return SANDBOX_UNTRUSTED;
	}
	sb->state_file = state_path(sb->is_main ? sb->repo.commondir : sb->gitdir, sb->is_main);
	r = state_read(sb->state_file, &sb->st);
	if (r < 0) {
		strbuf_addstr(err, "the sandbox's state cannot be read");
		return -1;
	}
	if (!r) {
		sb->has_state = 1;
		sb->name = sb->st.name;
		sb->slot = sb->st.slot;
		sb->project = xstrdup(sb->st.project);
		engine = state_get(&sb->st, "engine", "name");
		certs = state_get(&sb->st, "engine", "certs");
	} else if (sb->is_main) {
		sb->name = "main";
		sb->slot = 0;
		sb->project = compose_project(sb->cfg.project, "");
	} else if (name && sb->missing) {
		if (open_from_registry(sb, name, &entry_engine, &entry_certs, err) < 0)
			return -1;
		engine = entry_engine;
		certs = entry_certs;
	}
	if (flags & SB_ENV_HOST) {
		size_t i;

		/* the engine's host, for a derived variable made of it: resolved, never asked */
		for (i = 0; i < sb->cfg.nenvs && !(!sb->cfg.envs[i].secret && sb->cfg.envs[i].host); i++)
			;
		flags |= i < sb->cfg.nenvs ? SB_ANY_ENGINE : SB_NO_ENGINE;
	}
	r = open_engine(sb, engine, certs, flags, err);
	free(entry_engine);
	free(entry_certs);
	if (r < 0 || load_ports(sb, err) < 0)
		return -1;
	if ((flags & SB_NEED_SLOT) && sb->slot < 0) {
		strbuf_addf(err, "'%s' is not a sandbox", sb->path);
		return SANDBOX_NOT_ONE;
	}
	return 0;
}

void sandbox_close(struct sandbox *sb)
{
	config_free(&sb->cfg);
	port_set_free(&sb->ports);
	state_free(&sb->st);
	free(sb->project);
	free(sb->path);
	free(sb->gitdir);
	free(sb->state_file);
	engine_release(&sb->engine);
	repo_close(&sb->repo);
	memset(sb, 0, sizeof(*sb));
}

char **sandbox_env(const struct sandbox *sb)
{
	struct strbuf why = STRBUF_INIT;
	size_t n = 0, alloc = 0;
	char **env = NULL;

	ports_env(&sb->ports, &env, &n, &alloc);
	ALLOC_GROW(env, n + 4, alloc);
	env[n++] = xasprintf("SANDBOX_NAME=%s", sb->name);
	env[n++] = xasprintf("SANDBOX_SLOT=%ld", sb->slot);
	env[n++] = xasprintf("COMPOSE_PROJECT_NAME=%s", sb->project);
	env[n] = NULL;
	if (derive_env(&sb->cfg, sandbox_host(sb), &env, &n, &alloc, &why))
		warning("sandbox '%s': left out of its variables: %s", sb->name ? sb->name : sb->path,
			why.buf);
	strbuf_release(&why);
	return env;
}

const char *sandbox_host(const struct sandbox *sb)
{
	return sb->no_engine ? NULL : sb->engine.address;
}

void free_env(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
