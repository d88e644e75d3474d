/* stack.c: a sandbox's compose stack, as list, status, up, down and destroy see it (stack.h) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose.h"
#include "composefile.h"
#include "config.h"
#include "engine.h"
#include "envfile.h"
#include "lock.h"
#include "registry.h"
#include "repo.h"
#include "sandbox.h"
#include "stack.h"
#include "trust.h"
#include "worktree.h"
#include "util.h"

void stack_list_load(struct stack_list *l)
{
	memset(l, 0, sizeof(*l));
	strbuf_init(&l->why);
	l->code = docker_ps_all(&l->containers, &l->why);
}

int stack_list_need(struct stack_list *l, struct strbuf *err)
{
	stack_list_load(l);
	if (l->code != DOCKER_OK) {
		docker_error(l->code, l->why.buf);
		strbuf_addstr(err, "the engine's containers cannot be listed");
		stack_list_free(l);
		return -1;
	}
	return 0;
}

void stack_list_free(struct stack_list *l)
{
	container_list_free(&l->containers);
	strbuf_release(&l->why);
}

const struct stack_list *stack_lists_get(struct stack_lists *sl, const struct reg_entry *e)
{
	struct engine eng;
	struct stack_list *l;
	size_t i;

	if (engine_of(e->engine, e->engine_certs, NULL, &eng, NULL)) {
		/* the error is printed; its sandboxes are "unknown", on no engine */
		engine_use_none();
		ALLOC_GROW(sl->v, sl->n + 1, sl->alloc);
		sl->urls = xrealloc(sl->urls, sl->alloc * sizeof(*sl->urls));
		l = &sl->v[sl->n];
		memset(l, 0, sizeof(*l));
		strbuf_init(&l->why);
		strbuf_addf(&l->why, "cannot resolve the engine '%s'", e->engine ? e->engine : "");
		l->code = DOCKER_UNREACHABLE;
		sl->urls[sl->n++] = NULL;
		return l;
	}
	for (i = 0; i < sl->n; i++)
		if (sl->urls[i] && !strcmp(sl->urls[i], eng.url)) {
			engine_use(&eng);
			engine_release(&eng);
			return &sl->v[i];
		}
	ALLOC_GROW(sl->v, sl->n + 1, sl->alloc);
	sl->urls = xrealloc(sl->urls, sl->alloc * sizeof(*sl->urls));
	engine_use(&eng);
	stack_list_load(&sl->v[sl->n]);
	sl->urls[sl->n] = xstrdup(eng.url);
	engine_release(&eng);
	return &sl->v[sl->n++];
}

void stack_lists_free(struct stack_lists *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++) {
		stack_list_free(&sl->v[i]);
		free(sl->urls[i]);
	}
	free(sl->v);
	free(sl->urls);
	memset(sl, 0, sizeof(*sl));
}

/* name, relative to the worktree at path or absolute, as compose (run there) finds it */
static char *in_worktree(const char *path, const char *name)
{
	return *name == '/' ? xstrdup(name) : path_join(path, name);
}

/* Is there anything at path/name (a dangling link too: compose says what is wrong with it)? */
static int exists_in(const char *path, const char *name)
{
	char *file = in_worktree(path, name);
	struct stat st;
	int ret = !lstat(file, &st);

	free(file);
	return ret;
}

/* With no compose file: as stack_count() judges it, with no id compose never ran for it. */
static enum stack_kind kind_without_file(const struct stack_ident *si)
{
	return si->id && stack_ident_started(si) ? STACK_WAS : STACK_NONE;
}

enum stack_kind stack_kind(const struct sb_config *cfg, const char *path,
			   const struct stack_ident *si)
{
	/* a file named on purpose and missing is a mistake to report, not "no stack" */
	if (cfg->compose_set || exists_in(path, cfg->compose[0]))
		return STACK_YES;
	return kind_without_file(si);
}

int stack_none_left(const struct sandbox *sb, const struct stack_ident *si, enum stack_kind kind)
{
	int n = kind == STACK_WAS ? stack_count(sb, si, 0) : 0;

	if (n > 0)
		return error("sandbox '%s' has no compose file '%s' any more, but %d container%s of "
			     "its stack remain%s", sb->name, sb->cfg.compose[0], n, n == 1 ? "" : "s",
			     n == 1 ? "s" : "");
	return n;
}

struct git_repository *stack_kinds_repo(struct stack_kinds *k, const char *commondir)
{
	if (!k->repo || strcmp(k->repo, commondir)) {
		stack_kinds_free(k);
		k->repo = xstrdup(commondir);
		if (sb_libgit2_init() < 0 || git_repository_open(&k->git, commondir) < 0)
			k->git = NULL;
		git_error_clear();
	}
	return k->git;
}

enum stack_kind stack_kind_of(struct stack_kinds *k, const struct reg_entry *e,
			      const struct sb_config *cfg)
{
	enum stack_kind kind;
	struct stack_ident si;
	struct stat st;
	int compose;

	/* the common case, and the one where the configuration cannot change the answer */
	if (exists_in(e->path, DEFAULT_COMPOSE_FILE) || stat(e->path, &st) < 0)
		return STACK_YES;
	/* whatever file sandbox.compose names (or a configuration that does not load) */
	if (cfg)
		compose = cfg->compose_set;
	else
		compose = !stack_kinds_repo(k, e->repo) || config_sets_compose(k->git, e->path);
	if (compose || stack_ident_read(e->gitdir, &si) < 0)
		return STACK_YES;
	kind = kind_without_file(&si);
	stack_ident_free(&si);
	return kind;
}

void stack_kinds_free(struct stack_kinds *k)
{
	if (k->git)
		git_repository_free(k->git);
	free(k->repo);
	memset(k, 0, sizeof(*k));
}

const char *sandbox_status(const struct stack_list *l, const char *path, const char *gitdir,
			   const char *project, enum stack_kind kind)
{
	struct stat st;
	char *head;
	size_t i;
	int gone;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !*gitdir)
		return "missing";
	head = path_join(gitdir, "HEAD");
	gone = stat(head, &st) < 0;
	free(head);
	if (gone)
		return "missing";
	if (kind == STACK_NONE)
		return "no-stack";
	if (l->code != DOCKER_OK)
		return "unknown";
	for (i = 0; kind == STACK_WAS && i < l->containers.n; i++)
		if (!strcmp(l->containers.v[i].project, project))
			break;
	if (kind == STACK_WAS && i == l->containers.n)
		return "no-stack";
	return container_list_status(&l->containers, project);
}

int stack_lock(const struct sandbox *sb, struct strbuf *err)
{
	char *dir = path_dirname(sb->state_file);
	char *path = path_join(dir, "sandbox-stack");
	int ret = 0;

	/* the descriptor stays open: the lock goes when the process does */
	if (lock_file(path) < 0) {
		strbuf_addstr(err, "the stack cannot be locked");
		ret = -1;
	}
	free(path);
	free(dir);
	return ret;
}

int stack_ident_load(const struct sandbox *sb, struct stack_ident *si)
{
	char *dir = path_dirname(sb->state_file);
	struct registry reg;
	struct reg_entry *e;
	struct stat st;
	int ret = stack_ident_read(dir, si);

	if (ret < 0) {
		free(dir);
		return -1;
	}
	if (registry_read(&reg) < 0)
		memset(&reg, 0, sizeof(reg)), reg.lockfd = -1;
	/*
	 * A record written for another worktree that still exists came
	 * with a copy of this one: its stack is the original's. A worktree
	 * moved away keeps its stack (the registry entry of the id is this
	 * git dir's), and so does one known by another name (the old place
	 * leads to this git dir too).
	 */
	if (si->path && strcmp(si->path, sb->path) && !lstat(si->path, &st)) {
		size_t i;
		int own = worktree_belongs(si->path, dir);

		for (i = 0; si->id && i < reg.n && !own; i++)
			own = reg.e[i].stack_id && !strcmp(reg.e[i].stack_id, si->id) &&
			      !strcmp(reg.e[i].gitdir, dir);
		if (!own)
			stack_ident_reset(si);
	}
	free(dir);
	if (!si->path || strcmp(si->path, sb->path)) {
		free(si->path);
		si->path = xstrdup(sb->path);
		si->dirty = 1;
	}
	/* an id released (its sandbox destroyed or pruned) is nobody's to use again */
	if (si->id && registry_released(&reg, si->id))
		stack_ident_reset(si);
	/* a record lost: the registry entry still knows the id */
	e = sb->has_state && !si->id ? registry_find_path(&reg, sb->path) : NULL;
	if (e && e->slot == sb->slot && e->stack_id && !registry_released(&reg, e->stack_id)) {
		si->id = xstrdup(e->stack_id);
		si->dirty = 1;
	}
	registry_release(&reg);
	return 0;
}

struct id_for {
	long slot;
	const char *id;
};

static int set_id(struct registry *r, struct reg_entry *e, void *data)
{
	const struct id_for *f = data;

	(void)r;
	if (!e || e->slot != f->slot || (e->stack_id && !strcmp(e->stack_id, f->id)))
		return 0;
	free(e->stack_id);
	e->stack_id = xstrdup(f->id);
	return 1;
}

/* A new id goes to the record, then to the registry entry (for prune). */
static int stack_ident_save(const struct sandbox *sb, struct stack_ident *si)
{
	if (!si->dirty)
		return 0;
	if (stack_ident_write(si) < 0)
		return -1;
	si->dirty = 0;
	if (!sb->has_state)
		return 0;
	return registry_update(sb->repo.commondir, NULL, sb->path, set_id,
			       &(struct id_for){ sb->slot, si->id }) < 0 ? -1 : 0;
}

int stack_ident_forget(const struct sandbox *sb)
{
	struct stack_ident si;
	int ret = 0;

	if (stack_ident_load(sb, &si) < 0)
		return -1;
	if (unlink(si.file) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove '%s'", si.file);
	if (unlink(si.label_file) < 0 && errno != ENOENT)
		ret = error_errno("cannot remove '%s'", si.label_file);
	stack_ident_free(&si);
	return ret;
}

size_t stack_own_containers(const struct stack_ident *si, const char *project, const char *worktree,
			    const struct container_list *l, const struct container ***out)
{
	size_t i, n = stack_containers(l, project, out), k = 0;

	for (i = 0; i < n; i++)
		if (stack_owns(si, project, worktree, (*out)[i]))
			(*out)[k++] = (*out)[i];
	return k;
}

int stack_count(const struct sandbox *sb, const struct stack_ident *si, int running_only)
{
	const struct container **cs = NULL;
	struct stack_list l;
	size_t i, n;
	int count = 0;

	stack_list_load(&l);
	if (l.code == DOCKER_OK) {
		n = stack_own_containers(si, sb->project, sb->path, &l.containers, &cs);
		for (i = 0; i < n; i++)
			count += !running_only || !strcmp(cs[i]->state, "running");
		free(cs);
	} else if (l.code != DOCKER_NOT_INSTALLED && si->id && stack_ident_started(si)) {
		count = docker_error(l.code, l.why.buf);
	}
	stack_list_free(&l);
	return count;
}

int stack_destroy(const struct sandbox *sb)
{
	struct stack_list l;
	struct stack_ident si;
	int ret;

	if (stack_ident_load(sb, &si) < 0)
		return -1;
	stack_list_load(&l);
	if (l.code != DOCKER_OK && !stack_ident_started(&si)) {
		/* compose never ran for it, and no engine answers: no stack */
		ret = 0;
	} else if (l.code != DOCKER_OK) {
		ret = docker_error(l.code, l.why.buf);
	} else {
		/* by id, so it works with the compose file or the worktree gone */
		ret = stack_remove(&si, sb->project, sb->path, &l.containers, 1, STACK_RELEASE);
	}
	stack_list_free(&l);
	stack_ident_free(&si);
	return ret;
}

/*
 * compose's own default file names, and the overrides it reads beside
 * them, in its order (compose v2, whichever the file's name: .yml before
 * .yaml for an override; v1 knows the docker-compose ones)
 */
static const char *const default_names[] = {
	"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml", NULL
};
static const char *const override_names[] = {
	"compose.override.yml", "compose.override.yaml",
	"docker-compose.override.yml", "docker-compose.override.yaml", NULL
};

/*
 * The override compose reads beside the one file named, when that file
 * has one of compose's default names (as `compose up` in its directory
 * would): "<dir>/<override>", the first there, or NULL.
 */
static char *override_of(const char *worktree, const char *file)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t i, dirlen = base - file;

	for (i = 0; default_names[i] && strcmp(base, default_names[i]); i++)
		;
	if (!default_names[i])
		return NULL;
	for (i = 0; override_names[i]; i++) {
		char *o = xasprintf("%.*s%s", (int)dirlen, file, override_names[i]);

		if (exists_in(worktree, o))
			return o;
		free(o);
	}
	return NULL;
}

/* fill()'s failures: why is said (empty: said already), or needs trust_hint() after it */
#define FILL_FAILED (-1)
#define FILL_TRUST (-2)

/* May file (of origin) be given to compose: there, and inside the worktree or trusted? */
static int check_compose_file(const struct sandbox *sb, const char *name, enum config_origin origin,
			      struct strbuf *why)
{
	const struct sb_config *cfg = &sb->cfg;
	char *file = in_worktree(sb->path, name);
	int missing = access(file, F_OK) < 0;
	/* one that is not there (a dangling link too) is said to be missing, below */
	int outside = !trust_allows(cfg, origin) && !missing && path_inside(file, sb->path) != 1;

	free(file);
	if (outside) {
		strbuf_addf(why, "the compose file '%s' is a link to outside the worktree, and you have "
			    "not trusted '%s' for this repository", name, cfg->file);
		return FILL_TRUST;
	}
	if (missing) {
		strbuf_addf(why, "no compose file '%s' in '%s'; add one or set sandbox.compose in %s",
			    name, sb->path, cfg->file);
		return FILL_FAILED;
	}
	return 0;
}

/*
 * The compose command line: the one found now; and the one recorded at
 * the stack's last up, for up to keep under a running stack. 0, or -1
 * when none is found (compose_detect() said what to install).
 */
static int choose_command(struct compose *c, const struct sandbox *sb)
{
	const char *recorded = sb->has_state ? state_get(&sb->st, "compose", "command") : NULL;
	struct strbuf found = STRBUF_INIT;
	char **cmd;
	size_t n, i;

	if (compose_detect(sb->cfg.compose_command.value, &cmd, &n) < 0)
		return FILL_FAILED;
	for (i = 0; i < n; i++)
		strbuf_addf(&found, "%s%s", i ? " " : "", cmd[i]);
	c->cmd = cmd;
	c->ncmd = n;
	c->found = strbuf_detach(&found);
	if (recorded && *recorded)
		c->recorded = xstrdup(recorded);
	/*
	 * a command of the configuration's is run only while it is
	 * configured (and trusted, checked above): a recorded one may be
	 * from a file since changed or no longer trusted
	 */
	c->recorded_there = c->recorded &&
		(!strcmp(c->recorded, c->found) ||
		 ((!strcmp(c->recorded, "docker compose") || !strcmp(c->recorded, "docker-compose")) &&
		  compose_available(c->recorded)));
	return 0;
}

#define STACK_COMPOSE_LOOK 2	/* stack_compose_look() */

/*
 * stack_compose(), failing with FILL_FAILED or FILL_TRUST and the reason
 * in why (c then freed); with STACK_COMPOSE_LOOK, nothing is written.
 */
static int fill(struct compose *c, const struct sandbox *sb, struct stack_ident *si, int flags,
		struct strbuf *why)
{
	const struct sb_config *cfg = &sb->cfg;
	struct compose_names names = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *outside = config_compose_outside(cfg);
	char *override, *dir, *dotenv, *ours;
	size_t n, alloc, i;
	int r;

	memset(c, 0, sizeof(*c));
	if (cfg->compose_command.value && !trust_allows(cfg, cfg->compose_command.origin)) {
		strbuf_addf(why, "sandbox.composeCommand = %s in '%s' is a program to run, and you "
			    "have not trusted this file for this repository",
			    cfg->compose_command.value, cfg->file);
		return FILL_TRUST;
	}
	if (!trust_allows(cfg, cfg->compose_origin) && outside) {
		strbuf_addf(why, "sandbox.compose = %s in '%s' is outside the worktree, and you have "
			    "not trusted this file for this repository", outside, cfg->file);
		return FILL_TRUST;
	}
	/*
	 * a COMPOSE_FILE exported for everyday work (a shell profile, an
	 * .envrc the worktree shares) is not silently the stack instead of
	 * the project's sandbox file
	 */
	if (cfg->compose_env && exists_in(sb->path, DEFAULT_COMPOSE_FILE)) {
		for (i = 0; i < cfg->ncompose && strcmp(cfg->compose[i], DEFAULT_COMPOSE_FILE); i++)
			;
		if (i == cfg->ncompose)
			warning("the compose files are those of COMPOSE_FILE=%s, not %s of the "
				"worktree; set sandbox.compose to choose", getenv("COMPOSE_FILE") ? getenv("COMPOSE_FILE") : "",
				DEFAULT_COMPOSE_FILE);
	}
	c->files = xcalloc(cfg->ncompose + 2, sizeof(char *));
	for (i = 0; i < cfg->ncompose; i++) {
		if ((r = check_compose_file(sb, cfg->compose[i], cfg->compose_origin, why)) < 0)
			goto fail;
		c->files[c->nfiles++] = xstrdup(cfg->compose[i]);
	}
	/*
	 * beside one named, as compose would read it; it is trusted as the
	 * file it accompanies (beside a file of yours outside the worktree,
	 * it is yours)
	 */
	override = cfg->ncompose == 1 && !cfg->compose_env ? override_of(sb->path, cfg->compose[0]) : NULL;
	if (override) {
		c->files[c->nfiles++] = override;
		if ((r = check_compose_file(sb, override, cfg->compose_origin, why)) < 0)
			goto fail;
	}
	if ((r = choose_command(c, sb)) < 0)
		goto fail;
	if (si || (flags & STACK_COMPOSE_ALL_PROFILES))
		for (i = 0; i < c->nfiles; i++) {
			char *file = in_worktree(sb->path, c->files[i]);

			r = compose_file_names(file, &names, &err);
			free(file);
			if (r < 0) {
				strbuf_addf(why, "cannot read the services of '%s': %s", c->files[i], err.buf);
				goto fail;
			}
		}
	if (si) {
		if (!stack_ident_make_id(si)) {
			strbuf_addf(why, "cannot get random bytes for a stack id: %s", strerror(errno));
			r = FILL_FAILED;
			goto fail;
		}
		if ((r = stack_ident_save(sb, si)) < 0)
			goto fail;
		if ((r = stack_label_file(si, &names, &err)) < 0) {
			strbuf_addf(why, "cannot label the services of '%s': %s", c->files[0], err.buf);
			goto fail;
		}
		c->label_file = si->label_file;
	}
	if (flags & STACK_COMPOSE_ALL_PROFILES) {
		c->profiles = names.profiles;
		c->nprofiles = names.nprofiles;
		names.profiles = NULL;
		names.nprofiles = 0;
	}
	compose_names_free(&names);
	strbuf_release(&err);
	c->project = sb->project;
	/*
	 * compose reads the .env of its project directory (the first file's)
	 * unless told another: the sandbox's variables reach it on top of
	 * that, through its environment
	 */
	dir = path_dirname(c->files[0]);
	dotenv = path_join(dir, ".env");
	ours = path_join(".", cfg->env_file);
	c->env_file = cfg->env_file;
	if (strcmp(dotenv, ours) && exists_in(sb->path, dotenv))
		c->env_file = NULL;
	/* only to look: the env file as it is, if there (the variables are in the environment) */
	if ((flags & STACK_COMPOSE_LOOK) && c->env_file && !exists_in(sb->path, ours))
		c->env_file = NULL;
	free(ours);
	free(dotenv);
	free(dir);
	c->dir = sb->path;
	/* derived from the lease: written again, whatever happened to it */
	if (!(flags & STACK_COMPOSE_LOOK) && envfile_write(sb) < 0) {
		r = FILL_FAILED;
		goto fail;
	}
	c->own_env = sandbox_env(sb);
	/* compose reaches the engine the queries reach, whatever the shell says */
	for (n = 0; c->own_env[n]; n++)
		;
	alloc = n + 1;
	if (engine_in_use())
		engine_env(engine_in_use(), &c->own_env, &n, &alloc);
	c->env = (const char *const *)c->own_env;
	return 0;
fail:
	compose_names_free(&names);
	strbuf_release(&err);
	stack_compose_free(c);
	return r;
}

int stack_compose(struct compose *c, const struct sandbox *sb, struct stack_ident *si, int flags,
		  struct strbuf *err)
{
	size_t len = err->len;
	int r = fill(c, sb, si, flags & STACK_COMPOSE_ALL_PROFILES, err);

	if (r == FILL_TRUST)
		return STACK_COMPOSE_UNTRUSTED;
	if (r < 0 && err->len == len)
		strbuf_addstr(err, "compose cannot be run for this sandbox");	/* the reason was said */
	return r < 0 ? -1 : 0;
}

int stack_compose_look(struct compose *c, const struct sandbox *sb, struct strbuf *why)
{
	size_t len = why->len;
	int r = fill(c, sb, NULL, STACK_COMPOSE_ALL_PROFILES | STACK_COMPOSE_LOOK, why);

	if (r == FILL_TRUST)
		return STACK_COMPOSE_UNTRUSTED;
	if (r < 0 && why->len == len)
		strbuf_addstr(why, "no compose command found");
	return r < 0 ? -1 : 0;
}

void stack_compose_free(struct compose *c)
{
	free_strings(c->cmd, c->ncmd);
	free_strings(c->files, c->nfiles);
	free_strings(c->profiles, c->nprofiles);
	free(c->recorded);
	free(c->found);
	free_env(c->own_env);
	memset(c, 0, sizeof(*c));
}
