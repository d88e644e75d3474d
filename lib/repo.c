/*
 * repo.c: the repository we run in: finding and opening it as git would
 * (libgit2), its git dirs and main worktree. What is in a worktree (its
 * branch, its .git file) is worktree.c's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo.h"
#include "strbuf.h"
#include "util.h"

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

char *repo_clean_dir(const char *p)
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
	r->gitdir = repo_clean_dir(git_repository_path(r->git));
	r->commondir = repo_clean_dir(git_repository_commondir(r->git));
	wd = git_repository_workdir(r->git);
	r->worktree = wd ? repo_clean_dir(wd) : NULL;
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

int repo_open(struct repo *r, struct strbuf *err)
{
	int ret = repo_discover(r, err);

	if (ret > 0)
		strbuf_addstr(err, "not a git repository (or any of the parent directories): .git");
	return ret ? -1 : 0;
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
		ret = repo_clean_dir(wd ? wd : commondir);
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
