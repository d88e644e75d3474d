/* git sandbox prune: release slots whose worktree is gone, remove orphan stacks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hints.h"
#include "opts.h"
#include "lease.h"
#include "lock.h"
#include "registry.h"
#include "run.h"
#include "sandbox.h"
#include "stack.h"
#include "state.h"
#include "util.h"
#include "worktree.h"

static const char *const usage[] = {
	"git sandbox prune [--dry-run]",
	NULL
};

/*
 * Is path provably gone: absent (ENOENT, never "permission denied" on
 * somebody else's home), under an existing directory that is ours?
 */
static int provably_gone(const char *path)
{
	struct stat st;
	char *parent;
	int ours;

	if (!lstat(path, &st) || errno != ENOENT)
		return 0;
	parent = path_dirname(path);
	while (stat(parent, &st) < 0 && errno == ENOENT && strcmp(parent, "/")) {
		char *up = path_dirname(parent);

		free(parent);
		parent = up;
	}
	ours = !stat(parent, &st) && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	       !access(parent, R_OK | X_OK);
	free(parent);
	return ours;
}

/*
 * Where a linked worktree whose entry's path is gone went (git worktree
 * move): its private git dir's "gitdir" names the new place; it counts
 * only if the state there still names this sandbox. Newly allocated, or
 * NULL.
 */
static char *moved_to(const struct reg_entry *e)
{
	char *dir, *state;
	struct sb_state st;

	if (!strcmp(e->gitdir, e->repo) || !(dir = worktree_of_gitdir(e->gitdir)))
		return NULL;
	state = state_path(e->gitdir, 0);
	if (!strcmp(dir, e->path) || !worktree_belongs(dir, e->gitdir) ||
	    state_read(state, &st)) {
		free(dir);
		dir = NULL;
	} else {
		if (st.slot != e->slot || strcmp(st.name, e->name)) {
			free(dir);
			dir = NULL;
		}
		state_free(&st);
	}
	free(state);
	return dir;
}

/* Why entry e no longer stands for a sandbox (NULL if it does). */
static const char *stale(const struct reg_entry *e)
{
	struct stat st;
	struct sb_state s;
	char *state;
	const char *why = NULL;
	int is_main = !strcmp(e->gitdir, e->repo), r;

	/*
	 * a create still at work holds its entry: not ours to take. Its pid
	 * and start time name it; a pid alone may be a zombie or reused.
	 */
	if (e->creating && time(NULL) - e->created < 3600 &&
	    (e->creating_start ? proc_start_time(e->creating) == e->creating_start :
	     !kill(e->creating, 0) || errno == EPERM))
		return NULL;
	if (e->creating)
		return "its creation never finished";
	if (stat(e->path, &st) < 0 ? errno == ENOENT || errno == ENOTDIR : !S_ISDIR(st.st_mode) ||
	    !worktree_belongs(e->path, e->gitdir)) {
		/* gone, or another worktree now there: moved (git worktree move)? */
		char *to = moved_to(e);

		free(to);
		return to ? NULL : "its worktree is gone";
	}
	state = state_path(e->gitdir, is_main);
	r = state_read(state, &s);
	if (r > 0)
		why = "its worktree has no sandbox state";
	else if (!r && (s.slot != e->slot || strcmp(s.name, e->name)))
		why = "its worktree's state names another sandbox";
	if (!r)
		state_free(&s);
	free(state);
	return why;
}

static void prune_worktrees(const char *commondir);

/* git's output of argv, its first line (newly allocated), or NULL if it failed */
static char *git_line(const char *const *argv)
{
	struct child c = CHILD_INIT;
	char *line = NULL;

	c.argv = argv;
	c.no_stdin = 1;
	c.capture_out = 1;
	c.silent_err = 1;
	c.timeout_ms = 30000;
	if (!run_command(&c)) {
		strbuf_rtrim(&c.out);
		line = strbuf_detach(&c.out);
	}
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	return line;
}

/* Is the worktree exactly what the killed create checked out? */
static int as_created(const struct reg_entry *e)
{
	const char *head[] = { "git", "-C", e->path, "rev-parse", "--verify", "-q", "HEAD", NULL };
	const char *sym[] = { "git", "-C", e->path, "symbolic-ref", "-q", "HEAD", NULL };
	struct strbuf what = STRBUF_INIT;
	char *h, *ref = NULL, *want = NULL;
	int ok;

	if (!e->made_head || worktree_dirty(e->path, &what))
		ok = 0;
	else if (!(h = git_line(head)))
		ok = 0;
	else {
		ok = !strcmp(h, e->made_head);
		free(h);
		if (ok && e->made_branch) {
			ref = git_line(sym);
			want = xasprintf("refs/heads/%s", e->made_branch);
			ok = ref && !strcmp(ref, want);
		}
	}
	free(ref);
	free(want);
	strbuf_release(&what);
	return ok;
}

/* the branch the killed create made, if it is still where create put it */
static void delete_made_branch(const struct reg_entry *e)
{
	char *ref = xasprintf("refs/heads/%s", e->made_branch);
	const char *at[] = { "git", "--git-dir", e->repo, "rev-parse", "--verify", "-q", ref, NULL };
	const char *del[] = { "git", "--git-dir", e->repo, "branch", "-q", "-D", e->made_branch, NULL };
	struct child c = CHILD_INIT;
	char *h = git_line(at);

	if (h && e->made_head && !strcmp(h, e->made_head)) {
		/* git refuses a branch that a worktree has checked out */
		c.argv = del;
		c.no_stdin = 1;
		if (run_command(&c))
			warning("kept the branch '%s' that the killed create made", e->made_branch);
		else
			printf("Deleted the branch '%s' that the killed create made\n", e->made_branch);
	}
	free(h);
	free(ref);
}

/*
 * A create killed half-way leaves what it was making: a worktree, and a
 * branch if it made one. They go only if they are exactly what create
 * made (clean, HEAD at the commit it recorded, on the branch it made), so
 * that the same create works again; a worktree the user has worked in
 * since is kept and reported.
 */
static void remove_half_made(const struct reg_entry *e)
{
	const char *argv[] = { "git", "--git-dir", e->repo, "worktree", "remove", "--force", "--force",
			       e->path, NULL };
	struct child c = CHILD_INIT;
	struct stat st;

	if (lstat(e->path, &st) < 0 ? errno != ENOENT : !S_ISDIR(st.st_mode))
		return;
	if (!lstat(e->path, &st)) {
		if (!as_created(e)) {
			warning("kept '%s': it is not what the killed create checked out (changes, another "
				"commit or branch); remove it with 'git worktree remove --force %s'",
				e->path, e->path);
			return;
		}
		printf("Removing the half-made worktree '%s'\n", e->path);
		c.argv = argv;
		c.no_stdin = 1;
		if (run_command(&c)) {
			warning("could not remove '%s'; remove it with 'git worktree remove --force %s'",
				e->path, e->path);
			return;
		}
	}
	if (e->made_branch) {
		/* git keeps a branch whose worktree is gone but not pruned */
		prune_worktrees(e->repo);
		delete_made_branch(e);
	}
}

static void prune_worktrees(const char *commondir)
{
	const char *argv[] = { "git", "--git-dir", commondir, "worktree", "prune", NULL };
	struct child c = CHILD_INIT;
	struct stat st;

	if (stat(commondir, &st) < 0)
		return;
	c.argv = argv;
	c.no_stdin = 1;
	if (run_command(&c))
		warning("'git worktree prune' failed in '%s'", commondir);
}

/*
 * A stack is an orphan of ours only if it carries the id of a sandbox this
 * registry released (or is releasing now), or if its compose working
 * directory is provably gone from a directory of ours. Anything else on
 * the engine is someone else's (another HOME, user or machine) and is
 * never touched: a stack whose directory cannot be seen (another user's
 * 0700 home) is kept.
 */
static const struct reg_entry *gone_entry(const struct registry *gone, const struct container *c)
{
	size_t i;

	for (i = 0; i < gone->n; i++) {
		const struct reg_entry *e = &gone->e[i];

		if (strcmp(e->project, c->project))
			continue;
		if (*c->stack_id ? e->stack_id && !strcmp(e->stack_id, c->stack_id) :
		    !strcmp(e->path, c->working_dir))
			return e;
	}
	return NULL;
}

/* Is path in a directory that holds (or held) a sandbox of this registry? */
static int beside_ours(const char *path, const struct registry *reg, const struct registry *gone)
{
	char *dir = path_dirname(path), *d;
	const struct registry *r[2] = { reg, gone };
	size_t i, k;
	int ret = 0;

	for (k = 0; k < 2 && !ret; k++)
		for (i = 0; i < r[k]->n && !ret; i++) {
			d = path_dirname(r[k]->e[i].path);
			ret = !strcmp(d, dir);
			free(d);
		}
	free(dir);
	return ret;
}

/* Does c look like a stack git-sandbox made: <project>-<name> in <project>--<name>? */
static int made_here(const struct container *c)
{
	char *base = path_basename(c->working_dir), *sep = strstr(base, "--"), *want;
	int ret = 0;

	if (sep && sep != base && sep[2]) {
		*sep = '\0';
		want = compose_project(base, sep + 2);
		ret = !strcmp(want, c->project);
		free(want);
	}
	free(base);
	return ret;
}

static int orphan(const struct container *c, const struct registry *reg,
		  struct registry *gone)
{
	size_t i;

	/* a live sandbox's stack, wherever its directory is */
	for (i = 0; *c->stack_id && i < reg->n; i++)
		if (reg->e[i].stack_id && !strcmp(reg->e[i].stack_id, c->stack_id) &&
		    !registry_find_path(gone, reg->e[i].path))
			return 0;
	if (gone_entry(gone, c) || registry_released(reg, c->stack_id))
		return 1;
	/* an id this registry never issued: another user's, HOME's or machine's */
	if (*c->stack_id)
		return 0;
	/*
	 * made by an older git-sandbox, without an id: by its directory,
	 * if that is gone from a directory where this registry's sandboxes live
	 */
	return *c->working_dir && made_here(c) && beside_ours(c->working_dir, reg, gone) &&
	       provably_gone(c->working_dir);
}

/*
 * Remove one orphan stack: the containers of project owned by the id (or,
 * without one, by the working directory), and the networks and volumes
 * of rec, the record of its sandbox read before its git dir went (or
 * NULL).
 */
static int prune_stack(const struct container_list *l, const char *project, const char *id,
		       const char *dir, const struct stack_ident *rec, int dry)
{
	struct stack_ident si = { 0 };
	size_t i;
	int ret;

	if (rec && rec->id && (!*id || !strcmp(rec->id, id))) {
		/* a copy: the removal updates what it holds */
		si.id = xstrdup(rec->id);
		for (i = 0; i < rec->nvols; i++) {
			ALLOC_GROW(si.vols, si.nvols + 1, si.vols_alloc);
			memset(&si.vols[si.nvols], 0, sizeof(*si.vols));
			si.vols[si.nvols].name = xstrdup(rec->vols[i].name);
			si.vols[si.nvols].created = xstrdup(rec->vols[i].created);
			si.vols[si.nvols++].project = xstrdup("");
		}
		for (i = 0; i < rec->nnets; i++) {
			ALLOC_GROW(si.nets, si.nnets + 1, si.nets_alloc);
			si.nets[si.nnets++] = xstrdup(rec->nets[i]);
		}
	} else if (*id) {
		si.id = xstrdup(id);
	}
	ret = stack_remove(&si, project, dir, l, 1, STACK_RELEASE | (dry ? STACK_DRY : STACK_VERBOSE));
	stack_ident_free(&si);
	return ret;
}

/* The leases of project names (stackid.h) whose stack id this registry released. */
static void prune_leases(const struct registry *reg, int dry)
{
	struct strbuf why = STRBUF_INIT;
	struct volume *v = NULL;
	char **names = NULL;
	size_t i, n = 0, nv = 0;

	if (docker_volumes_labelled("git-sandbox.lease", &names, &n, &why) ||
	    docker_volume_inspect(names, n, &v, &nv, &why)) {
		warning("cannot look for leases to give back: %s", why.buf);
		goto out;
	}
	for (i = 0; i < nv; i++) {
		char *shown;

		/* those of the entries released now went with their stacks */
		if (!*v[i].stack_id || !registry_released(reg, v[i].stack_id))
			continue;
		shown = printable(v[i].name);
		printf("%s the lease '%s'\n", dry ? "Would remove" : "Removing", shown);
		if (!dry && docker_remove("volume", &v[i].name, 1, &why) &&
		    !strstr(why.buf, "no such"))
			warning("could not remove the lease '%s': %s", shown, why.buf);
		free(shown);
		strbuf_reset(&why);
	}
out:
	volume_list_free(v, nv);
	free_strings(names, n);
	strbuf_release(&why);
}

/* Is e's sandbox on the engine url? */
static int on_engine(const struct reg_entry *e, const char *url)
{
	struct engine eng;
	int ret;

	if (engine_of(e->engine, e->engine_certs, NULL, &eng, NULL))
		return 0;
	ret = !strcmp(eng.url, url);
	engine_release(&eng);
	return ret;
}

/*
 * The stacks of the entries released (gone, with their records recs) and
 * every other orphan of ours. No registry lock is held: the slots are
 * released already, and a stack whose removal is cut short keeps an id
 * the registry remembers as released, so the next prune finishes it.
 */
static size_t prune_engine(const struct registry *reg, struct registry *gone,
			   const struct stack_ident *recs, int dry, const char *url)
{
	struct stack_list l;
	char *done = NULL, *recs_done;
	size_t i, j, n = 0;

	stack_list_load(&l);
	if (l.code != DOCKER_OK) {
		if (l.code != DOCKER_NOT_INSTALLED)
			warning("cannot look for orphan stacks: %s", l.why.len ? l.why.buf : "docker did not answer");
		stack_list_free(&l);
		return 0;
	}
	done = xcalloc(l.containers.n + 1, 1);
	recs_done = xcalloc(gone->n + 1, 1);
	for (i = 0; i < l.containers.n; i++) {
		const struct container *c = &l.containers.v[i];
		const struct reg_entry *e;
		struct stack_ident si = { 0 };

		if (done[i] || !orphan(c, reg, gone))
			continue;
		e = gone_entry(gone, c);
		if (e)
			recs_done[e - gone->e] = 1;
		{
			/* labels anyone on the engine may have written */
			char *project = printable(c->project);
			char *dir = printable(*c->working_dir ? c->working_dir : "its directory");

			printf("%s orphan stack '%s' (%s is no sandbox)\n",
			       dry ? "Would remove" : "Removing", project, dir);
			free(project);
			free(dir);
		}
		n++;
		if (prune_stack(&l.containers, c->project, c->stack_id, c->working_dir,
				e ? &recs[e - gone->e] : NULL, dry) < 0)
			warning("could not remove every part of the stack '%s'", c->project);
		/* its other containers were in the same removal */
		si.id = c->stack_id;
		for (j = i; j < l.containers.n; j++)
			done[j] |= stack_owns(&si, c->project, c->working_dir, &l.containers.v[j]);
	}
	/* a released sandbox whose containers are gone may still have volumes, a lease */
	for (i = 0; i < gone->n; i++) {
		if (recs_done[i] || !recs[i].id || !on_engine(&gone->e[i], url))
			continue;
		if (prune_stack(&l.containers, gone->e[i].project, recs[i].id, gone->e[i].path,
				&recs[i], dry) < 0)
			warning("could not remove every part of the stack '%s'", gone->e[i].project);
	}
	prune_leases(reg, dry);
	free(recs_done);
	free(done);
	stack_list_free(&l);
	return n;
}

/* every engine the sandboxes of reg and gone are on, and the current one: URLs */
static size_t engines_of(const struct registry *reg, const struct registry *gone, char ***urls)
{
	const struct registry *r[2] = { reg, gone };
	size_t i, k, n = 0, alloc = 0;
	struct engine e;

	*urls = NULL;
	for (k = 0; k < 3; k++)
		for (i = 0; i < (k < 2 ? r[k]->n : 1); i++) {
			const struct reg_entry *en = k < 2 ? &r[k]->e[i] : NULL;
			size_t j;

			if (engine_of(en ? en->engine : NULL, en ? en->engine_certs : NULL, NULL, &e,
				      NULL))
				continue;
			for (j = 0; j < n && strcmp((*urls)[j], e.url); j++)
				;
			if (j == n) {
				ALLOC_GROW(*urls, n + 1, alloc);
				(*urls)[n++] = xstrdup(e.url);
			}
			engine_release(&e);
		}
	return n;
}

/*
 * Make the engine at url (engines_of) the engine in use, as a sandbox on
 * it recorded it (its TLS), else the current one: 0, or -1.
 */
static int use_engine_at(const struct registry *reg, const struct registry *gone, const char *url)
{
	const struct registry *r[2] = { reg, gone };
	struct engine e = ENGINE_INIT;
	size_t j, k;

	for (k = 0; k < 2 && !e.url; k++)
		for (j = 0; j < r[k]->n && !e.url; j++)
			if (on_engine(&r[k]->e[j], url))
				(void)engine_of(r[k]->e[j].engine, r[k]->e[j].engine_certs, NULL, &e,
						NULL);
	if (!e.url && engine_of(NULL, NULL, NULL, &e, NULL))
		return -1;
	engine_use(&e);
	engine_release(&e);
	return 0;
}

/* prune_engine on every engine the sandboxes are on */
static size_t prune_stacks(const struct registry *reg, struct registry *gone,
			   const struct stack_ident *recs, int dry)
{
	char **urls;
	size_t i, n = engines_of(reg, gone, &urls), pruned = 0;

	for (i = 0; i < n; i++)
		if (!use_engine_at(reg, gone, urls[i]))
			pruned += prune_engine(reg, gone, recs, dry, urls[i]);
	free_strings(urls, n);
	return pruned;
}

/* the port leases of reg in line on the machine and on every engine its sandboxes are on */
static void reconcile_leases(struct registry *reg, const struct registry *gone)
{
	char **urls;
	size_t i, n = engines_of(reg, gone, &urls);

	for (i = 0; i < n; i++)
		if (!use_engine_at(reg, gone, urls[i]))
			lease_reconcile(reg);
	free_strings(urls, n);
}

/* the leases of registries of yours that are gone, on the machine and on every engine */
static size_t prune_gone_leases(const struct registry *reg, const struct registry *gone)
{
	char **urls;
	size_t i, n = engines_of(reg, gone, &urls), removed = 0;

	if (lease_store_usable())
		removed += lease_prune_gone();
	for (i = 0; i < n; i++)
		if (!use_engine_at(reg, gone, urls[i]))
			removed += lease_prune_gone_engine();
	free_strings(urls, n);
	return removed;
}

int main(int argc, char **argv)
{
	int dry = 0;
	const struct opt opts[] = {
		OPT_BOOL_('n', "dry-run", &dry, "say what would be removed, remove nothing"),
		OPT_END_(),
	};
	struct registry reg, gone = { .lockfd = -1 };	/* entries pruned by this run */
	struct stack_ident *recs;
	char **repos;
	size_t i, nrepos = 0, pruned = 0;

	progname = "git sandbox prune";
	set_advise_routine(say_hint);
	if (parse_options(argc, argv, opts, usage, "git-sandbox-prune", 0))
		usage_msg(usage, "too many arguments");

	/*
	 * Under the registry lock, what is stale is judged and released (its
	 * stack's id remembered as released), with git's records pruned
	 * first, so a prune killed in between is redone. Then, with no lock
	 * held, the stacks go. A dry run only reads.
	 */
	if ((dry ? registry_read(&reg) : registry_lock(&reg)) < 0)
		die("nothing was pruned");
	repos = xcalloc(reg.n + 1, sizeof(char *));
	recs = xcalloc(reg.n + 1, sizeof(*recs));
	for (i = 0; i < reg.n;) {
		struct reg_entry *e = &reg.e[i];
		const char *why = stale(e);
		char *to = why ? NULL : moved_to(e);
		struct stat st;
		size_t k;

		if (to) {
			/* moved with git worktree move: the registry follows it */
			printf("%s sandbox '%s' (slot %ld) to '%s', where it was moved\n",
			       dry ? "Would follow" : "Following", e->name, e->slot, to);
			pruned++;
			if (!dry) {
				free(e->path);
				e->path = to;
				to = NULL;
			}
		}
		free(to);
		if (!why) {
			i++;
			continue;
		}
		printf("%s sandbox '%s' (slot %ld, %s): %s\n", dry ? "Would prune" : "Pruning",
		       e->name, e->slot, e->path, why);
		pruned++;
		/* its stack's record, read before git's records of it go */
		if (*e->gitdir && !stat(e->gitdir, &st) && S_ISDIR(st.st_mode) &&
		    stack_ident_read(e->gitdir, &recs[gone.n]) < 0)
			stack_ident_free(&recs[gone.n]);
		if (!recs[gone.n].id && e->stack_id)
			recs[gone.n].id = xstrdup(e->stack_id);
		else if (recs[gone.n].id && e->stack_id && strcmp(recs[gone.n].id, e->stack_id))
			stack_ident_free(&recs[gone.n]);	/* another stack's record */
		registry_add(&gone, e);
		for (k = 0; k < nrepos && strcmp(repos[k], e->repo); k++)
			;
		if (k == nrepos)
			repos[nrepos++] = xstrdup(e->repo);
		if (dry) {
			i++;
			continue;
		}
		if (e->creating)
			remove_half_made(e);
		registry_release_entry(&reg, e);
	}
	for (i = 0; i < nrepos; i++) {
		if (!dry)
			prune_worktrees(repos[i]);
		free(repos[i]);
	}
	free(repos);
	/* the lock alone tidies what killed writers left (lock.h) */
	if (!dry && pruned && registry_write(&reg) < 0)
		die("the registry was not updated; the next prune tries again");
	/* the port leases follow: released ones go, lost ones come back */
	if (!dry) {
		for (i = 0; i < gone.n; i++)
			lease_give_back(&reg, &gone.e[i]);
		reconcile_leases(&reg, &gone);
	}
	if (!dry) {
		/* unlocked, still readable: which ids are live, which released */
		unlock_file(reg.lockfd);
		reg.lockfd = -1;
	}
	pruned += prune_stacks(&reg, &gone, recs, dry);
	/* and the leases of registries of yours that are gone (another HOME deleted) */
	if (!dry) {
		size_t n = prune_gone_leases(&reg, &gone);

		if (n)
			printf("Removed %zu port lease%s of registries that are gone\n", n, n == 1 ? "" : "s");
		pruned += n;
	}
	for (i = 0; i < gone.n; i++)
		stack_ident_free(&recs[i]);
	free(recs);
	registry_release(&reg);
	registry_release(&gone);
	if (!pruned)
		note("nothing to prune");
	return 0;
}
