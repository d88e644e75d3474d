/* git sandbox list: what runs where, the sandboxes of this repository or of every one */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "color.h"
#include "config.h"
#include "derive.h"
#include "engine.h"
#include "json.h"
#include "cmd.h"
#include "opts.h"
#include "registry.h"
#include "ports.h"
#include "repo.h"
#include "sandbox.h"
#include "show.h"
#include "stack.h"
#include "stackid.h"
#include "strbuf.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox list [--all] [--json]",
	NULL
};

/*
 * The engine e's stack would live on, named as stack_lists_get() would
 * find it; *address where its ports answer (NULL when not resolved).
 */
static char *engine_name(const struct reg_entry *e, int *remote, char **address)
{
	struct engine eng;
	char *name;

	*address = NULL;
	if (engine_of(e->engine, e->engine_certs, NULL, &eng, NULL)) {
		/* not resolved (a context deleted): as recorded */
		*remote = 1;
		return engine_override() ? xstrdup(engine_override()) : e->engine ? xstrdup(e->engine) : NULL;
	}
	name = xstrdup(eng.name);
	*address = xstrdup(eng.address);
	if (!engine_is_local(&eng))
		*remote = 1;
	engine_release(&eng);
	return name;
}

/* What list needs to know of each sandbox's configuration: its URLs. */
struct entry_urls {
	struct port_set ports;	/* the entry's: the URLs' names point into it */
	const char **names;
	char **urls;
	size_t n;
};

/* The git config layers above the project files of one repository's sandboxes in a row. */
struct repo_layers {
	char *repo;		/* common git dir */
	struct gitlayers above;
	int ok;			/* read; else each load reads them, and says why they do not */
};

static void repo_layers_free(struct repo_layers *a)
{
	free(a->repo);
	gitlayers_free(&a->above);
	memset(a, 0, sizeof(*a));
}

/*
 * The configuration of e's worktree, which is there, with the repository
 * opened once in k and its git config read once in a for its sandboxes in
 * a row, and main_worktree's name the default project: 0, or -1 when it
 * does not load. Read once for both what its stack is and its URLs.
 */
static int entry_config(struct sb_config *cfg, struct stack_kinds *k, struct repo_layers *a,
			const struct reg_entry *e, const char *main_worktree)
{
	char *def;
	int ret;

	if (!stack_kinds_repo(k, e->repo))
		return -1;
	if (!a->repo || strcmp(a->repo, e->repo)) {
		struct strbuf why = STRBUF_INIT;

		repo_layers_free(a);
		a->repo = xstrdup(e->repo);
		a->ok = !gitlayers_read_above(&a->above, k->git, &why);
		strbuf_release(&why);
	}
	def = path_basename(main_worktree);
	if (a->ok)
		ret = config_load_above(cfg, &a->above, e->path, def);
	else
		ret = config_load(cfg, k->git, e->path, def);
	free(def);
	return ret;
}

/* The URLs of e (derive.h) in its configuration cfg, at address or at sandbox.host. */
static void entry_urls(struct entry_urls *u, const struct sb_config *cfg, const struct reg_entry *e,
		       const char *address)
{
	ports_from_flat(&u->ports, e->ports, e->port_names, e->nports, cfg);
	u->n = urls_of(cfg, &u->ports, cfg->host && *cfg->host ? cfg->host : address,
		       &u->names, &u->urls);
}

/* One line of list: a sandbox, or a main worktree's slot-0 stack. */
struct row {
	struct reg_entry *e;	/* its registry entry; NULL for a main worktree's stack */
	const char *name;
	long slot;
	int main;
	char *repo;		/* main worktree of its repository */
	char *repo_name;	/* for the REPO column */
	const char *path;
	char *branch;		/* NULL: detached or not known */
	int branch_unknown;	/* its worktree gone, or HEAD unreadable */
	const char *project;
	const char *status;
	char *engine;		/* NULL: none recorded and none resolved */
	long *ports;		/* parallel arrays, grouped by name (the entry's, or owned for main) */
	char **port_names;
	size_t nports;
	struct entry_urls urls;
	/* owned for a main worktree's stack */
	char *main_path, *main_project;
	struct port_set main_ports;
};

/* The engine, status and URLs of a registered sandbox. */
static void row_of_entry(struct row *r, struct reg_entry *e, struct stack_lists *stacks,
			 struct stack_kinds *kinds, struct repo_layers *layers, int *remote)
{
	enum stack_kind kind;
	struct sb_config cfg;
	struct stat st;
	char *address = NULL;
	int gone = stat(e->path, &st) < 0, have_cfg;

	/* moved with git worktree move: shown where it is ('repair' records it) */
	if (gone && strcmp(e->gitdir, e->repo)) {
		char *to = worktree_of_gitdir(e->gitdir);

		if (to && worktree_belongs(to, e->gitdir)) {
			free(e->path);
			e->path = to;
			gone = 0;
		} else {
			free(to);
		}
	}
	r->e = e;
	r->name = e->name;
	r->slot = e->slot;
	r->path = e->path;
	r->project = e->project;
	r->ports = e->ports;
	r->port_names = e->port_names;
	r->nports = e->nports;
	r->repo = main_worktree_of(e->repo);
	have_cfg = !gone && !entry_config(&cfg, kinds, layers, e, r->repo);
	kind = stack_kind_of(kinds, e, have_cfg ? &cfg : NULL);
	if (kind == STACK_NONE) {
		/* no stack: its engine is not asked, only named */
		r->status = sandbox_status(NULL, e->path, e->gitdir, e->project, kind);
		r->engine = engine_name(e, remote, &address);
	} else {
		/* one request for each engine the sandboxes are on */
		const struct stack_list *l = stack_lists_get(stacks, e);

		r->status = sandbox_status(l, e->path, e->gitdir, e->project, kind);
		if (stacks->urls[l - stacks->v]) {
			r->engine = xstrdup(engine_in_use()->name);
			address = xstrdup(engine_in_use()->address);
			*remote |= !engine_is_local(engine_in_use());
		} else {
			/* not resolved (a context deleted): not the engine in use, but as recorded */
			r->engine = engine_override() ? xstrdup(engine_override()) :
				    e->engine ? xstrdup(e->engine) : NULL;
			*remote = 1;
		}
	}
	if (strcmp(r->status, "missing")) {
		r->branch = worktree_head_branch(e->gitdir, &r->branch_unknown);
		if (have_cfg && address)
			entry_urls(&r->urls, &cfg, e, address);
	} else {
		r->branch_unknown = 1;
	}
	if (have_cfg)
		config_free(&cfg);
	free(address);
}

/*
 * The slot-0 stack of the main worktree of the repository whose common
 * git dir is commondir, into r when it runs (running or partial): 1, else
 * 0. Its engine is asked only when it has a stack, once per engine as for
 * the sandboxes.
 */
static int row_of_main(struct row *r, const char *commondir, struct stack_lists *stacks,
		       struct stack_kinds *kinds, int *remote)
{
	struct reg_entry fake;
	const struct stack_list *l;
	struct stack_ident si;
	struct sb_config cfg;
	struct strbuf why = STRBUF_INIT;
	enum stack_kind kind;
	char *def, *wt = main_worktree_of(commondir);
	const char *status, *host;
	int ret = 0;

	/* a bare repository has no main worktree */
	if (!strcmp(wt, commondir)) {
		free(wt);
		return 0;
	}
	def = path_basename(wt);
	if (!stack_kinds_repo(kinds, commondir) || config_load(&cfg, kinds->git, wt, def) < 0) {
		free(def);
		free(wt);
		return 0;
	}
	free(def);
	if (stack_ident_read(commondir, &si) < 0) {
		kind = STACK_YES;
	} else {
		kind = stack_kind(&cfg, wt, &si);
		stack_ident_free(&si);
	}
	memset(&fake, 0, sizeof(fake));
	fake.repo = (char *)commondir;
	fake.engine = cfg.engine && *cfg.engine ? cfg.engine : NULL;
	r->main_project = compose_project(cfg.project, "");
	if (kind == STACK_NONE)
		goto out;
	l = stack_lists_get(stacks, &fake);
	status = sandbox_status(l, wt, commondir, r->main_project, kind);
	if (strcmp(status, "running") && strcmp(status, "partial"))
		goto out;
	if (ports_of_config(&r->main_ports, &cfg, 0, &why) < 0)
		memset(&r->main_ports, 0, sizeof(r->main_ports));
	r->nports = port_set_flat(&r->main_ports, &r->ports, &r->port_names);
	r->name = "main";
	r->main = 1;
	r->status = status;
	r->path = r->main_path = wt;
	wt = NULL;
	r->project = r->main_project;
	r->repo = xstrdup(r->path);
	r->branch = worktree_head_branch(commondir, &r->branch_unknown);
	r->engine = xstrdup(engine_in_use()->name);
	*remote |= !engine_is_local(engine_in_use());
	host = cfg.host && *cfg.host ? cfg.host : engine_in_use()->address;
	ports_from_flat(&r->urls.ports, r->ports, r->port_names, r->nports, &cfg);
	r->urls.n = urls_of(&cfg, &r->urls.ports, host, &r->urls.names, &r->urls.urls);
	ret = 1;
out:
	if (!ret) {
		free(r->main_project);
		r->main_project = NULL;
	}
	config_free(&cfg);
	strbuf_release(&why);
	free(wt);
	return ret;
}

static void row_free(struct row *r)
{
	free(r->repo);
	free(r->repo_name);
	free(r->branch);
	free(r->engine);
	urls_free(r->urls.names, r->urls.urls, r->urls.n);
	port_set_free(&r->urls.ports);
	if (r->main) {
		free(r->ports);
		free(r->port_names);
	}
	free(r->main_path);
	free(r->main_project);
	port_set_free(&r->main_ports);
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->repo, y->repo);

	return c ? c : (x->slot > y->slot) - (x->slot < y->slot);
}

/* {"version":1,"sandboxes":[...]} */
static int list_json(struct strbuf *out, const struct row *rows, size_t n)
{
	json_t *top = json_object(), *a = json_array();
	size_t i;
	int ret;

	if (!top || !a) {
		json_decref(top);
		json_decref(a);
		return error("cannot make the JSON: out of memory");
	}
	json_put(top, "version", json_integer(SHOW_JSON_VERSION));
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct sandbox_view v = {
			r->name, r->slot, r->main, r->repo, r->path, r->branch, r->project,
			r->status, r->ports, r->port_names, r->nports, r->engine,
			r->urls.names, r->urls.urls, r->urls.n,
		};
		json_t *o = show_sandbox_json(&v);

		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(top);
			json_decref(a);
			return error("cannot make the JSON: out of memory");
		}
	}
	json_put(top, "sandboxes", a);
	ret = json_to_strbuf(out, top);
	json_decref(top);
	return ret;
}

/*
 * [REPO] NAME SLOT BRANCH STATUS [ENGINE] WHERE PATH: REPO with --all,
 * ENGINE when a sandbox is on an engine that is not this machine's; WHERE
 * is the main URL, else the ports in compact form, else "-".
 */
static void list_text(struct strbuf *out, struct row *rows, size_t n, int all, int remote)
{
	int color = want_color(1, config_color());
	struct strbuf *where = xcalloc(n + 1, sizeof(*where));
	const char **branch = xcalloc(n + 1, sizeof(*branch));
	size_t i, wrepo = 4, wname = 4, wbranch = 6, wengine = 6, wwhere = 5;

	for (i = 0; i < n; i++) {
		struct row *r = &rows[i];

		strbuf_init(&where[i]);
		if (r->urls.n)
			strbuf_addstr(&where[i], r->urls.urls[0]);
		else
			show_ports_compact(&where[i], r->ports, r->port_names, r->nports);
		if (!where[i].len)
			strbuf_addch(&where[i], '-');
		branch[i] = r->branch ? r->branch : r->branch_unknown ? "-" : "(detached)";
		if (all) {
			r->repo_name = path_basename(r->repo);
			if (strlen(r->repo_name) > wrepo)
				wrepo = strlen(r->repo_name);
		}
		if (strlen(r->main ? "(main)" : r->name) > wname)
			wname = strlen(r->main ? "(main)" : r->name);
		if (strlen(branch[i]) > wbranch)
			wbranch = strlen(branch[i]);
		if (remote && strlen(r->engine ? r->engine : "-") > wengine)
			wengine = strlen(r->engine ? r->engine : "-");
		if (where[i].len > wwhere)
			wwhere = where[i].len;
	}
	if (color)
		strbuf_addstr(out, "\033[1m");
	if (all)
		strbuf_addf(out, "%-*s  ", (int)wrepo, "REPO");
	strbuf_addf(out, "%-*s  %4s  %-*s  %-8s  ", (int)wname, "NAME", "SLOT", (int)wbranch,
		    "BRANCH", "STATUS");
	if (remote)
		strbuf_addf(out, "%-*s  ", (int)wengine, "ENGINE");
	strbuf_addf(out, "%-*s  PATH%s\n", (int)wwhere, "WHERE", color ? COLOR_RESET : "");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const char *c = status_color(r->status, color);

		if (all)
			strbuf_addf(out, "%-*s  ", (int)wrepo, r->repo_name);
		strbuf_addf(out, "%-*s  %4ld  %-*s  %s%-8s%s  ", (int)wname,
			    r->main ? "(main)" : r->name, r->slot, (int)wbranch, branch[i], c,
			    r->status, *c ? COLOR_RESET : "");
		if (remote)
			strbuf_addf(out, "%-*s  ", (int)wengine, r->engine ? r->engine : "-");
		strbuf_addf(out, "%-*s  %s\n", (int)wwhere, where[i].buf, r->path);
		strbuf_release(&where[i]);
	}
	free(where);
	free(branch);
}

static int json, all;
static const struct opt opts[] = {
	OPT_BOOL_(0, "all", &all, "list the sandboxes of every repository"),
	OPT_BOOL_(0, "json", &json, "print JSON"),
	OPT_END_(),
};

static int cmd_list(struct cmd_ctx *ctx)
{
	int remote = 0, in_repo;
	struct registry reg;
	struct repo here;
	struct stack_lists stacks = { 0 };
	struct stack_kinds kinds = { 0 };
	struct repo_layers layers = { 0 };
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	struct row *rows;
	size_t i, n = 0, others = 0;
	char **repos = NULL;
	size_t nrepos = 0, arepos = 0;

	(void)ctx;	/* no arguments, no sandbox to open */

	in_repo = repo_discover(&here, &why);
	if (in_repo < 0)
		die("%s", why.buf);
	in_repo = !in_repo;
	/* outside any repository: every repository's, as ever */
	if (!in_repo)
		all = 1;
	if (registry_read(&reg) < 0)
		die("cannot list the sandboxes");
	/* every sandbox, and a main worktree's stack for each repository (and this one) */
	rows = xcalloc(2 * reg.n + 1, sizeof(*rows));
	/* the main worktrees whose stacks may run: this repository's, and with --all every one's */
	if (in_repo) {
		ALLOC_GROW(repos, nrepos + 1, arepos);
		repos[nrepos++] = here.commondir;
	}
	for (i = 0; i < reg.n; i++) {
		struct reg_entry *e = &reg.e[i];
		size_t k;

		if (!all && strcmp(e->repo, here.commondir)) {
			others++;
			continue;
		}
		row_of_entry(&rows[n++], e, &stacks, &kinds, &layers, &remote);
		for (k = 0; k < nrepos && strcmp(repos[k], e->repo); k++)
			;
		if (k == nrepos) {
			ALLOC_GROW(repos, nrepos + 1, arepos);
			repos[nrepos++] = e->repo;
		}
	}
	for (i = 0; i < nrepos; i++) {
		size_t k;

		/* a main worktree made a sandbox (init) is listed as one */
		for (k = 0; k < reg.n && !(!strcmp(reg.e[k].repo, repos[i]) &&
					   !strcmp(reg.e[k].gitdir, repos[i])); k++)
			;
		if (k < reg.n)
			continue;
		if (row_of_main(&rows[n], repos[i], &stacks, &kinds, &remote))
			n++;
	}
	if (n)	/* NULL-safe: qsort may not take an empty array */
		qsort(rows, n, sizeof(*rows), cmp_row);
	if (json) {
		if (list_json(&out, rows, n) < 0)
			die("cannot list the sandboxes");
	} else if (n) {
		list_text(&out, rows, n, all, remote);
	} else if (others) {
		note("no sandboxes in this repository; 'git sandbox list --all' lists %lu of others",
		     (unsigned long)others);
	} else {
		note("no sandboxes; create one with 'git sandbox create <name>'");
	}
	fputs(out.buf, stdout);
	/* a remote engine that did not answer: say which, once (its sandboxes are "unknown") */
	for (i = 0; i < stacks.n; i++)
		if (stacks.v[i].code != DOCKER_OK && stacks.urls[i] &&
		    !starts_with(stacks.urls[i], "unix://"))
			warning("cannot reach the Docker engine %s: %s", stacks.urls[i],
				stacks.v[i].why.buf);
	for (i = 0; i < n; i++)
		row_free(&rows[i]);
	free(rows);
	free(repos);
	strbuf_release(&out);
	strbuf_release(&why);
	stack_lists_free(&stacks);
	stack_kinds_free(&kinds);
	repo_layers_free(&layers);
	registry_release(&reg);
	if (in_repo)
		repo_close(&here);
	return stdout_done();
}

const struct cmd_entry cmd_list_entry = {
	"list", "the sandboxes of this repository (--all: of every one)", usage, opts, 0, 0, 0, NULL, cmd_list
};
