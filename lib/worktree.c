/*
 * worktree.c: what a worktree has checked out and where its git dir is
 * (read from its files, as git does), and making and removing worktrees
 * and branches (git itself runs, so hooks and settings apply).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lock.h"
#include "run.h"
#include "util.h"
#include "worktree.h"

static int git(const char *dir, const char *const *argv, int quiet, struct strbuf *out)
{
	struct child c = CHILD_INIT;
	int ret;

	c.argv = argv;
	c.dir = dir;
	c.no_stdin = 1;
	c.capture_out = !!out;
	c.silent_out = !out;
	c.silent_err = quiet;
	ret = run_command(&c);
	if (ret < 0)
		error_errno("cannot run git");
	if (out)
		strbuf_add(out, c.out.buf, c.out.len);
	strbuf_release(&c.out);
	strbuf_release(&c.err);
	return ret;
}

static int ref_exists(struct repo *r, const char *ref)
{
	git_reference *ref_out;

	if (git_reference_lookup(&ref_out, r->git, ref) < 0) {
		git_error_clear();
		return 0;
	}
	git_reference_free(ref_out);
	return 1;
}

int local_branch_exists(struct repo *r, const char *branch)
{
	char *ref = xasprintf("refs/heads/%s", branch);
	int ret = ref_exists(r, ref);

	free(ref);
	return ret;
}

int branch_plan(struct repo *r, const char *branch, const char *start, int explicit_new,
		enum branch_mode *mode, struct strbuf *err)
{
	char *remote_ref, *where, *ref = xasprintf("refs/heads/%s", branch);
	git_object *obj;
	int valid = 0;

	if (git_reference_name_is_valid(&valid, ref) < 0 || !valid || branch[0] == '-') {
		git_error_clear();
		free(ref);
		strbuf_addf(err, "'%s' is not a valid branch name", branch);
		return -1;
	}
	free(ref);
	if (local_branch_exists(r, branch)) {
		if (start || !explicit_new)
			return BRANCH_PLAN_EXISTS;
		where = branch_checked_out(r, branch);
		if (where) {
			strbuf_addf(err, "branch '%s' is already checked out at '%s'", branch, where);
			free(where);
			return -1;
		}
		*mode = BRANCH_EXISTING;
		return 0;
	}
	remote_ref = xasprintf("refs/remotes/origin/%s", branch);
	if (!start && explicit_new && ref_exists(r, remote_ref)) {
		free(remote_ref);
		*mode = BRANCH_TRACK;
		return 0;
	}
	free(remote_ref);
	if (git_revparse_single(&obj, r->git, start ? start : "HEAD") < 0) {
		git_error_clear();
		return BRANCH_PLAN_BAD_START;
	}
	git_object_free(obj);
	*mode = BRANCH_NEW;
	return 0;
}

char *branch_plan_head(struct repo *r, const char *branch, enum branch_mode mode, const char *start)
{
	char *spec = mode == BRANCH_EXISTING ? xasprintf("refs/heads/%s^{commit}", branch) :
		     mode == BRANCH_TRACK ? xasprintf("refs/remotes/origin/%s^{commit}", branch) :
		     xasprintf("%s^{commit}", start ? start : "HEAD");
	git_object *obj;
	char *hex = NULL;

	if (!git_revparse_single(&obj, r->git, spec)) {
		hex = xstrdup(git_oid_tostr_s(git_object_id(obj)));
		git_object_free(obj);
	}
	git_error_clear();
	free(spec);
	return hex;
}

/*
 * git's worktree add and remove are not safe against each other: one reads
 * the half-made .git/worktrees/<id> of another ("failed to read .../commondir")
 * and fails. Creates and destroys of one repository take turns in git.
 */
static int run_worktree_cmd(struct repo *r, const char *dir, const char *const *argv)
{
	char *path = path_join(r->commondir, "sandbox-worktrees");
	int fd = lock_file(path), ret;

	free(path);
	if (fd < 0)
		return -1;
	ret = git(dir, argv, 0, NULL);
	unlock_file(fd);
	return ret;
}

int worktree_add(struct repo *r, const char *path, const char *branch, enum branch_mode mode,
		 const char *start)
{
	const char *argv[12];
	size_t n = 0;
	char *remote = NULL;
	int ret;

	argv[n++] = "git";
	argv[n++] = "worktree";
	argv[n++] = "add";
	argv[n++] = "--quiet";
	switch (mode) {
	case BRANCH_EXISTING:
		argv[n++] = path;
		argv[n++] = branch;
		break;
	case BRANCH_TRACK:
		remote = xasprintf("origin/%s", branch);
		argv[n++] = "--track";
		argv[n++] = "-b";
		argv[n++] = branch;
		argv[n++] = path;
		argv[n++] = remote;
		break;
	case BRANCH_NEW:
		argv[n++] = "--no-track";
		argv[n++] = "-b";
		argv[n++] = branch;
		argv[n++] = path;
		argv[n++] = start ? start : "HEAD";
		break;
	}
	argv[n] = NULL;
	ret = run_worktree_cmd(r, r->worktree ? r->worktree : r->commondir, argv);
	free(remote);
	return ret ? -1 : 0;
}

int worktree_remove(struct repo *r, const char *path)
{
	const char *rm[] = { "git", "worktree", "remove", "--force", "--force", path, NULL };
	const char *prune[] = { "git", "worktree", "prune", NULL };
	const char *dir = r->main_worktree;
	struct stat st;

	if (stat(dir, &st) < 0)
		dir = r->commondir;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return git(dir, prune, 0, NULL) ? -1 : 0;
	return run_worktree_cmd(r, dir, rm) ? -1 : 0;
}

int worktree_dirty(const char *path, struct strbuf *what)
{
	const char *argv[] = { "git", "status", "--porcelain", "--untracked-files=normal", NULL };
	int ret = git(path, argv, 0, what);

	if (ret)
		return -1;
	return what->len > 0;
}

#define CHECK_CHUNK 256

/* Is dir a git dir rather than a worktree (the "main worktree" of a bare repository)? */
static int is_bare_dir(const char *dir)
{
	struct stat st;
	char *git = path_join(dir, ".git");
	int ret = lstat(git, &st) < 0;

	free(git);
	return ret;
}

int worktree_hidden(const char *path, const char *main_worktree, struct strbuf *what)
{
	const char *ls[] = { "git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard",
			     "--directory", NULL };
	struct strbuf ignored = STRBUF_INIT, by_main = STRBUF_INIT;
	const char **argv;
	size_t i, n, count = 0;
	char *p, *end;
	int ret = 0;

	/* a bare repository has no rules of its own to compare with */
	if (is_bare_dir(main_worktree))
		return 0;
	if (git(path, ls, 1, &ignored))
		ret = -1;
	argv = xcalloc(CHECK_CHUNK + 5, sizeof(*argv));
	argv[0] = "git";
	argv[1] = "check-ignore";
	argv[2] = "--no-index";
	argv[3] = "--";
	/* what the main worktree's rules ignore too is the project's usual litter */
	for (p = ignored.buf, end = p + ignored.len; !ret && p < end;) {
		for (n = 0; p < end && n < CHECK_CHUNK; p += strlen(p) + 1)
			argv[4 + n++] = p;
		argv[4 + n] = NULL;
		/* exit 1: none of them is ignored there */
		strbuf_reset(&by_main);
		ret = git(main_worktree, argv, 1, &by_main);
		ret = ret < 0 || ret > 1 ? -1 : 0;
		for (i = 0; !ret && i < n; i++) {
			const char *q = by_main.buf;
			int found = 0;

			/* one path a line (a quoted one never matches: kept, to be safe) */
			while (!found && q < by_main.buf + by_main.len) {
				size_t len = strcspn(q, "\n");

				found = len == strlen(argv[4 + i]) && !strncmp(q, argv[4 + i], len);
				q += len + 1;
			}
			if (found)
				continue;
			if (count++ < 20)
				strbuf_addf(what, "  %s\n", argv[4 + i]);
		}
	}
	if (count > 20)
		strbuf_addf(what, "  ... and %zu more\n", count - 20);
	free(argv);
	strbuf_release(&ignored);
	strbuf_release(&by_main);
	return ret < 0 ? -1 : count > 0;
}

/* A path read from a git file: relative ones are relative to base's directory. */
static char *resolve_from(const char *base_file, const char *p)
{
	char *dir, *joined, *real;

	if (*p == '/')
		return real_path(p);
	dir = path_dirname(base_file);
	joined = path_join(dir, p);
	real = real_path(joined);
	free(joined);
	free(dir);
	return real;
}

char *worktree_of_gitdir(const char *gitdir)
{
	char *file = path_join(gitdir, "gitdir"), *text = read_file(file, NULL), *dotgit, *wt = NULL;

	if (text) {
		text[strcspn(text, "\n")] = '\0';
		dotgit = resolve_from(file, text);
		if (dotgit)
			wt = path_dirname(dotgit);
		free(dotgit);
	}
	free(text);
	free(file);
	return wt;
}

int worktree_belongs(const char *path, const char *gitdir)
{
	char *dotgit = path_join(path, ".git"), *text, *target = NULL, *want = real_path(gitdir);
	struct stat st;
	int ret = 0;

	if (!want || lstat(dotgit, &st) < 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		target = real_path(dotgit);
	} else if (S_ISREG(st.st_mode) && (text = read_file(dotgit, NULL))) {
		text[strcspn(text, "\n")] = '\0';
		if (starts_with(text, "gitdir: "))
			target = resolve_from(dotgit, text + 8);
		free(text);
	}
	ret = target && !strcmp(target, want);
out:
	free(target);
	free(want);
	free(dotgit);
	return ret;
}

int branch_delete(struct repo *r, const char *branch, int force)
{
	const char *argv[] = { "git", "branch", force ? "-D" : "-d", "--quiet", branch, NULL };

	return git(r->main_worktree, argv, 0, NULL) ? -1 : 0;
}

char *worktree_head_branch(const char *gitdir, int *unreadable)
{
	char *path = path_join(gitdir, "HEAD");
	char *head = read_file(path, NULL), *ret = NULL;
	struct strbuf sb = STRBUF_INIT;

	free(path);
	*unreadable = !head;
	if (!head)
		return NULL;
	strbuf_addstr(&sb, head);
	free(head);
	strbuf_rtrim(&sb);
	if (starts_with(sb.buf, "ref: refs/heads/"))
		ret = xstrdup(sb.buf + strlen("ref: refs/heads/"));
	else if (starts_with(sb.buf, "ref: "))
		ret = xstrdup(sb.buf + 5);
	strbuf_release(&sb);
	return ret;
}

char *worktree_branch(const char *gitdir)
{
	int unreadable;
	char *ret = worktree_head_branch(gitdir, &unreadable);

	if (ret)
		return ret;
	return xstrdup(unreadable ? "(unknown)" : "(detached)");
}

char *worktree_gitdir(const char *path)
{
	char *dotgit = path_join(path, ".git");
	char *text = read_file(dotgit, NULL), *ret = NULL;
	struct strbuf sb = STRBUF_INIT;

	free(dotgit);
	if (!text)
		return NULL;
	strbuf_addstr(&sb, text);
	free(text);
	strbuf_rtrim(&sb);
	if (starts_with(sb.buf, "gitdir: ")) {
		const char *g = sb.buf + 8;

		if (*g == '/')
			ret = repo_clean_dir(g);
		else {
			char *rel = path_join(path, g);

			ret = repo_clean_dir(rel);
			free(rel);
		}
	}
	strbuf_release(&sb);
	return ret;
}

char *branch_checked_out(struct repo *r, const char *branch)
{
	git_strarray names = { 0 };
	char *ret = NULL, *b;
	size_t i;

	b = worktree_branch(r->commondir);
	if (!strcmp(b, branch) && r->main_worktree)
		ret = xstrdup(r->main_worktree);
	free(b);
	if (ret)
		return ret;
	if (git_worktree_list(&names, r->git) < 0) {
		git_error_clear();
		return NULL;
	}
	for (i = 0; i < names.count && !ret; i++) {
		git_worktree *wt;
		char *wgd = xasprintf("%s/worktrees/%s", r->commondir, names.strings[i]);

		b = worktree_branch(wgd);
		if (!strcmp(b, branch) && !git_worktree_lookup(&wt, r->git, names.strings[i])) {
			ret = repo_clean_dir(git_worktree_path(wt));
			git_worktree_free(wt);
		}
		free(b);
		free(wgd);
	}
	git_strarray_dispose(&names);
	git_error_clear();
	return ret;
}
