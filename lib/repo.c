#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo.h"
#include "strbuf.h"
#include "util.h"

void die_git(const char *what)
{
	const git_error *e = git_error_last();

	die("%s: %s", what, e && e->message ? e->message : "unknown error");
}

/*
 * libgit2 built with mbedTLS (Debian's) parses the whole system CA bundle
 * in git_libgit2_init(): 10-20 ms of base64 decoding in every process, most
 * of what `git sandbox port` costs. We never use libgit2's network transports
 * (git itself fetches and pushes), so the bundle is skipped while libgit2
 * initialises; any other call goes to mbedTLS. Without the bundle an HTTPS
 * connection through libgit2 would fail verification, never pass it. A
 * libgit2 built with OpenSSL never calls this.
 */
static int skip_ca_bundle;

struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	static int (*real)(struct mbedtls_x509_crt *, const char *);

	if (skip_ca_bundle)
		return 0;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	return real ? real(chain, path) : -1;
}

int sb_libgit2_init(void)
{
	int ret;

	skip_ca_bundle = 1;
	ret = git_libgit2_init();
	skip_ca_bundle = 0;
	return ret;
}

static char *clean_dir(const char *p)
{
	char *r = real_path(p);
	size_t n;

	if (!r)
		r = xstrdup(p);
	n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

/*
 * git passes GIT_DIR as given on its command line, relative to where it
 * was called; libgit2 (under GIT_CEILING_DIRECTORIES) and the git commands
 * we run elsewhere need it absolute. 0, or -1 with why.
 */
static int absolute_env(const char *name, struct strbuf *why)
{
	const char *v = getenv(name);
	char *abs;

	if (!v || !*v || *v == '/')
		return 0;
	abs = real_path(v);
	if (!abs) {
		strbuf_addf(why, "cannot use %s '%s': %s", name, v, strerror(errno));
		return -1;
	}
	setenv(name, abs, 1);
	free(abs);
	return 0;
}

static int git_why(struct strbuf *why, const char *what)
{
	const git_error *e = git_error_last();

	strbuf_addf(why, "%s: %s", what, e && e->message ? e->message : "unknown error");
	return -1;
}

int repo_discover(struct repo *r, struct strbuf *why)
{
	const char *wd, *env_dir, *env_wt = getenv("GIT_WORK_TREE");
	char *wt = NULL;

	memset(r, 0, sizeof(*r));
	if (sb_libgit2_init() < 0)
		return git_why(why, "cannot initialise libgit2");
	/*
	 * `git --work-tree=<dir> sandbox` sets GIT_WORK_TREE, which libgit2's
	 * FROM_ENV refuses: take it out of libgit2's sight and use it ourselves.
	 */
	if (absolute_env("GIT_DIR", why) < 0)
		return -1;
	if (env_wt && *env_wt) {
		wt = real_path(env_wt);
		if (!wt) {
			strbuf_addf(why, "cannot use GIT_WORK_TREE '%s': %s", env_wt, strerror(errno));
			return -1;
		}
		unsetenv("GIT_WORK_TREE");
	}
	/* with GIT_DIR, libgit2's FROM_ENV still searches up from "." within the ceilings */
	env_dir = getenv("GIT_DIR");
	if ((env_dir && *env_dir ?
	     git_repository_open_ext(&r->git, env_dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) :
	     git_repository_open_ext(&r->git, ".", GIT_REPOSITORY_OPEN_FROM_ENV, NULL)) < 0) {
		free(wt);
		if (git_error_last() && git_error_last()->klass == GIT_ERROR_REPOSITORY &&
		    !getenv("GIT_DIR")) {
			git_error_clear();
			return 1;
		}
		return git_why(why, "cannot open the repository");
	}
	r->gitdir = clean_dir(git_repository_path(r->git));
	r->commondir = clean_dir(git_repository_commondir(r->git));
	wd = git_repository_workdir(r->git);
	r->worktree = wd ? clean_dir(wd) : NULL;
	if (wt) {
		/* every worktree path comes from here; libgit2 needs not know */
		setenv("GIT_WORK_TREE", wt, 1);
		free(r->worktree);
		r->worktree = wt;
	}
	r->is_main = !git_repository_is_worktree(r->git);
	if (r->is_main && r->worktree) {
		r->main_worktree = xstrdup(r->worktree);
		return 0;
	}
	r->main_worktree = main_worktree_of(r->commondir);
	return 0;
}

void repo_open(struct repo *r)
{
	struct strbuf why = STRBUF_INIT;
	int ret = repo_discover(r, &why);

	if (ret > 0)
		die("not a git repository (or any of the parent directories): .git");
	if (ret < 0)
		die("%s", why.buf);
	strbuf_release(&why);
}

char *main_worktree_of(const char *commondir)
{
	char *base = path_basename(commondir), *ret;
	git_repository *main;
	const char *wd;

	if (!strcmp(base, ".git")) {
		free(base);
		return path_dirname(commondir);
	}
	free(base);
	/* list calls this without a repository of its own open */
	if (sb_libgit2_init() >= 0 && !git_repository_open(&main, commondir)) {
		wd = git_repository_workdir(main);
		ret = clean_dir(wd ? wd : commondir);
		git_repository_free(main);
	} else {
		ret = xstrdup(commondir);
	}
	git_error_clear();
	return ret;
}

void repo_close(struct repo *r)
{
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->commondir);
	free(r->worktree);
	free(r->main_worktree);
	memset(r, 0, sizeof(*r));
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
			ret = clean_dir(g);
		else {
			char *rel = path_join(path, g);

			ret = clean_dir(rel);
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
			ret = clean_dir(git_worktree_path(wt));
			git_worktree_free(wt);
		}
		free(b);
		free(wgd);
	}
	git_strarray_dispose(&names);
	git_error_clear();
	return ret;
}
