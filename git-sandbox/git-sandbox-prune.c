/* git sandbox prune: release slots whose worktree is gone, remove orphan stacks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opts.h"
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
	if (stat(e->path, &st) < 0 ? errno == ENOENT || errno == ENOTDIR : !S_ISDIR(st.st_mode))
		return "its worktree is gone";
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
 * A stack git-sandbox made lives in <project>--<name> under compose project
 * <project>-<name>. It is an orphan when no registered sandbox has that
 * directory any more. A stack that this registry never knew is someone
 * else's (another HOME or user on this engine) unless its directory is
 * provably gone from a directory of ours: a stack whose directory cannot
 * be seen (another user's 0700 home) is never removed.
 */
static int matches(const struct reg_entry *e, const struct container *c)
{
	return !strcmp(e->path, c->working_dir) || !strcmp(e->project, c->project);
}

static int orphan(const struct container *c, const struct registry *reg,
		  const struct registry *gone)
{
	char *base, *sep, *want;
	size_t i;
	int ours, known = 0;

	if (!c->working_dir || !*c->working_dir)
		return 0;
	base = path_basename(c->working_dir);
	sep = strstr(base, "--");
	if (!sep || sep == base || !sep[2]) {
		free(base);
		return 0;
	}
	*sep = '\0';
	want = compose_project(base, sep + 2);
	ours = !strcmp(want, c->project);
	free(want);
	free(base);
	if (!ours)
		return 0;
	/* entries this run prunes (or, dry, would prune) count as gone */
	for (i = 0; i < reg->n; i++) {
		if (!matches(&reg->e[i], c))
			continue;
		if (!stale(&reg->e[i]))
			return 0;
		known = 1;
	}
	for (i = 0; i < gone->n; i++)
		known |= matches(&gone->e[i], c);
	return known || provably_gone(c->working_dir);
}

static size_t prune_stacks(const struct registry *reg, const struct registry *gone, int dry)
{
	struct stack_list l;
	const char *last = NULL;
	size_t i, n = 0;

	stack_list_load(&l);
	if (l.code != DOCKER_OK) {
		if (l.code != DOCKER_NOT_INSTALLED)
			warning("cannot look for orphan stacks: %s", l.why.len ? l.why.buf : "docker did not answer");
		stack_list_free(&l);
		return 0;
	}
	for (i = 0; i < l.containers.n; i++) {
		const struct container *c = &l.containers.v[i];

		if ((last && !strcmp(last, c->project)) || !orphan(c, reg, gone))
			continue;
		last = c->project;
		printf("%s orphan stack '%s' (%s is no sandbox)\n", dry ? "Would remove" : "Removing",
		       c->project, c->working_dir);
		n++;
		if (!dry && docker_remove_stack(c->project, 1) != DOCKER_OK)
			warning("could not remove every part of the stack '%s'", c->project);
	}
	stack_list_free(&l);
	return n;
}

int main(int argc, char **argv)
{
	int dry = 0;
	const struct opt opts[] = {
		OPT_BOOL_('n', "dry-run", &dry),
		OPT_END_(),
	};
	struct registry reg, gone = { .lockfd = -1 };	/* entries pruned by this run */
	char **repos;
	size_t i, nrepos = 0, pruned = 0;

	progname = "git sandbox prune";
	if (parse_options(argc, argv, opts, usage, "git-sandbox-prune", 0))
		usage_msg(usage, "too many arguments");
	if ((dry ? registry_read(&reg) : registry_lock(&reg)) < 0)
		exit(EXIT_FATAL);
	repos = xcalloc(reg.n + 1, sizeof(char *));
	for (i = 0; i < reg.n;) {
		struct reg_entry *e = &reg.e[i];
		const char *why = stale(e);
		size_t k;

		if (!why) {
			i++;
			continue;
		}
		printf("%s sandbox '%s' (slot %ld, %s): %s\n", dry ? "Would prune" : "Pruning",
		       e->name, e->slot, e->path, why);
		pruned++;
		for (k = 0; k < nrepos && strcmp(repos[k], e->repo); k++)
			;
		if (k == nrepos)
			repos[nrepos++] = xstrdup(e->repo);
		if (dry) {
			i++;
		} else {
			if (e->creating)
				remove_half_made(e);
			registry_add(&gone, e);
			registry_remove(&reg, e);
		}
	}
	/* git's records first, then the slots: a prune killed in between is redone */
	for (i = 0; i < nrepos; i++) {
		if (!dry)
			prune_worktrees(repos[i]);
		free(repos[i]);
	}
	free(repos);
	if (!dry && pruned && registry_write(&reg) < 0)
		exit(EXIT_FATAL);
	pruned += prune_stacks(&reg, &gone, dry);
	registry_release(&reg);
	registry_release(&gone);
	if (!pruned)
		note("nothing to prune");
	return 0;
}
