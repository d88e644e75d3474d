/* git sandbox list: every registered sandbox of this machine */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "derive.h"
#include "engine.h"
#include "opts.h"
#include "registry.h"
#include "repo.h"
#include "show.h"
#include "stack.h"
#include "strbuf.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox list [--json]",
	NULL
};

static int cmp_entry(const void *a, const void *b)
{
	const struct reg_entry *x = a, *y = b;
	int c = strcmp(x->repo, y->repo);

	return c ? c : (x->slot > y->slot) - (x->slot < y->slot);
}

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
		return xstrdup(engine_override() ? engine_override() : e->engine ? e->engine : "-");
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

/*
 * The URLs of e (derive.h) at address, or at sandbox.host: from its
 * worktree's configuration, with the repository r (opened once for its
 * sandboxes in a row); none when that does not load or there is no
 * address.
 */
static void entry_urls(struct entry_urls *u, struct stack_kinds *r, const struct reg_entry *e,
		       const char *main_worktree, const char *address)
{
	struct sb_config cfg;
	char *def;

	memset(u, 0, sizeof(*u));
	if (!address)
		return;
	if (!r->repo || strcmp(r->repo, e->repo)) {
		stack_kinds_free(r);
		r->repo = xstrdup(e->repo);
		if (sb_libgit2_init() < 0 || git_repository_open(&r->git, e->repo) < 0)
			r->git = NULL;
		git_error_clear();
	}
	if (!r->git)
		return;
	def = path_basename(main_worktree);
	if (config_load(&cfg, r->git, e->path, def) == 0) {
		ports_from_flat(&u->ports, e->ports, e->port_names, e->nports, &cfg);
		u->n = urls_of(&cfg, &u->ports, cfg.host && *cfg.host ? cfg.host : address,
			       &u->names, &u->urls);
		config_free(&cfg);
	}
	free(def);
}

int main(int argc, char **argv)
{
	int json = 0;
	const struct opt opts[] = {
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct registry reg;
	struct stack_lists stacks = { 0 };
	struct stack_kinds kinds = { 0 }, cfgs = { 0 };
	struct strbuf out = STRBUF_INIT;
	size_t i, wname = 4, wbranch = 6, wengine = 6, wurl = 0;
	char **branches, **repos, **engines;
	struct entry_urls *urls;
	const char **status;
	int remote = 0;

	progname = "git sandbox list";
	if (parse_options(argc, argv, opts, usage, "git-sandbox-list", 0))
		usage_msg(usage, "too many arguments");
	if (registry_read(&reg) < 0)
		die("cannot list the sandboxes");
	if (reg.n)	/* reg.e is NULL for an empty registry, which qsort may not take */
		qsort(reg.e, reg.n, sizeof(*reg.e), cmp_entry);
	branches = xcalloc(reg.n + 1, sizeof(char *));
	engines = xcalloc(reg.n + 1, sizeof(char *));
	repos = xcalloc(reg.n + 1, sizeof(char *));
	status = xcalloc(reg.n + 1, sizeof(char *));
	urls = xcalloc(reg.n + 1, sizeof(*urls));
	for (i = 0; i < reg.n; i++) {
		struct reg_entry *e = &reg.e[i];
		const struct stack_list *l;
		enum stack_kind kind;
		struct stat st;
		char *address = NULL;

		/* moved with git worktree move: shown where it is ('repair' records it) */
		if (stat(e->path, &st) < 0 && strcmp(e->gitdir, e->repo)) {
			char *to = worktree_of_gitdir(e->gitdir);

			if (to && worktree_belongs(to, e->gitdir)) {
				free(e->path);
				e->path = to;
			} else {
				free(to);
			}
		}
		kind = stack_kind_of(&kinds, e);
		if (kind == STACK_NONE) {
			/* no stack: its engine is not asked, only named */
			status[i] = sandbox_status(NULL, e->path, e->gitdir, e->project, kind);
			engines[i] = engine_name(e, &remote, &address);
		} else {
			/* one request for each engine the sandboxes are on */
			l = stack_lists_get(&stacks, e);
			status[i] = sandbox_status(l, e->path, e->gitdir, e->project, kind);
			if (stacks.urls[l - stacks.v]) {
				engines[i] = xstrdup(engine_in_use()->name);
				address = xstrdup(engine_in_use()->address);
				remote |= !engine_is_local(engine_in_use());
			} else {
				/* not resolved (a context deleted): not the engine in use, but as recorded */
				engines[i] = xstrdup(engine_override() ? engine_override() :
						     e->engine ? e->engine : "-");
				remote = 1;
			}
		}
		if (strlen(engines[i]) > wengine)
			wengine = strlen(engines[i]);
		branches[i] = strcmp(status[i], "missing") ? worktree_branch(e->gitdir) : xstrdup("-");
		repos[i] = main_worktree_of(e->repo);
		if (strcmp(status[i], "missing"))
			entry_urls(&urls[i], &cfgs, e, repos[i], address);
		free(address);
		if (urls[i].n && strlen(urls[i].urls[0]) > wurl)
			wurl = strlen(urls[i].urls[0]);
		if (strlen(e->name) > wname)
			wname = strlen(e->name);
		if (strlen(branches[i]) > wbranch)
			wbranch = strlen(branches[i]);
	}
	if (json) {
		strbuf_addch(&out, '[');
		for (i = 0; i < reg.n; i++) {
			struct sandbox_view v = {
				reg.e[i].name, reg.e[i].slot, repos[i], reg.e[i].path, branches[i],
				reg.e[i].project, status[i], reg.e[i].ports, reg.e[i].port_names,
				reg.e[i].nports, engines[i], urls[i].names, urls[i].urls, urls[i].n,
			};

			if (i)
				strbuf_addch(&out, ',');
			show_json_open(&out, &v);
			strbuf_addch(&out, '}');
		}
		strbuf_addstr(&out, "]\n");
	} else if (reg.n) {
		int color = want_color(1, config_color());

		/* the engine of each, when one is not on this machine */
		int we = remote ? (int)wengine + 2 : 0;
		/* the main URL of each, when one has one */
		int wu = wurl ? (int)(wurl < 3 ? 3 : wurl) + 2 : 0;

		strbuf_addf(&out, "%s%-*s  %4s  %-*s  %-8s  %-*s%-*s%s%s\n", color ? "\033[1m" : "",
			    (int)wname, "NAME", "SLOT", (int)wbranch, "BRANCH", "STATUS", we,
			    remote ? "ENGINE" : "", wu, wurl ? "URL" : "", "PATH",
			    color ? COLOR_RESET : "");
		for (i = 0; i < reg.n; i++) {
			const char *c = status_color(status[i], color);

			strbuf_addf(&out, "%-*s  %4ld  %-*s  %s%-8s%s  %-*s%-*s%s\n", (int)wname,
				    reg.e[i].name, reg.e[i].slot, (int)wbranch, branches[i], c,
				    status[i], *c ? COLOR_RESET : "", we, remote ? engines[i] : "",
				    wu, urls[i].n ? urls[i].urls[0] : wurl ? "-" : "", reg.e[i].path);
		}
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
	for (i = 0; i < reg.n; i++) {
		free(branches[i]);
		free(repos[i]);
		free(engines[i]);
		urls_free(urls[i].names, urls[i].urls, urls[i].n);
		port_set_free(&urls[i].ports);
	}
	free(urls);
	stack_kinds_free(&cfgs);
	free(branches);
	free(repos);
	free(engines);
	free(status);
	strbuf_release(&out);
	stack_lists_free(&stacks);
	stack_kinds_free(&kinds);
	registry_release(&reg);
	return stdout_done();
}
