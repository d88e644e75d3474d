/*
 * gitlayers.h: every value of every layer of the configuration, flat,
 * lowest priority first, so that a lookup takes the last one: the
 * project file's bytes (parsed by gitconfig.h, so the bytes hashed for
 * trust are the bytes read), the system, XDG and global git config and
 * the repository's own (through libgit2), then `git -c` (gitparams.h),
 * which libgit2 1.5 ignores and which sits on top like any other layer.
 * What the values mean is config.h's.
 */
#ifndef SB_GITLAYERS_H
#define SB_GITLAYERS_H

#include <stddef.h>

#include <git2.h>

#include "strbuf.h"

/* where a value came from: hooks from the project file need trust */
enum config_origin { ORIGIN_PROJECT, ORIGIN_USER, ORIGIN_COMMAND_LINE };

struct gitlayer_entry {
	char *key;		/* section.[subsection.]name, section and name lower-case */
	char *value;		/* NULL: a boolean key with no '=' */
	const char *src;	/* for messages: which file or "git -c" */
	enum config_origin origin;
};

struct gitlayers {
	struct gitlayer_entry *e;
	size_t n, alloc;
	char *srcs[8];		/* owned names of the sources */
	size_t nsrcs;
};
#define GITLAYERS_INIT { 0 }

/*
 * Read the layers into l (GITLAYERS_INIT): the project file called file
 * in messages, from its len bytes text (NULL: there is none), then the
 * git config of repo (NULL: the user's and the system's only), then
 * `git -c`. A project file may not include other files: an included file
 * would escape the hash its trust is bound to. 0, or -1 with why naming
 * the file and line; l is to be freed either way.
 */
int gitlayers_read(struct gitlayers *l, git_repository *repo, const char *file,
		   const char *text, size_t len, struct strbuf *why);

/*
 * The layers above the project file alone (the git config of repo, then
 * `git -c`), read once into above (GITLAYERS_INIT) for the project files
 * of several worktrees of one repository: gitlayers_read_with() is
 * gitlayers_read() with them, as long as above is not freed. 0, or -1
 * with why; l and above are to be freed either way.
 */
int gitlayers_read_above(struct gitlayers *above, git_repository *repo, struct strbuf *why);
int gitlayers_read_with(struct gitlayers *l, const struct gitlayers *above, const char *file,
			const char *text, size_t len, struct strbuf *why);

void gitlayers_free(struct gitlayers *l);

#endif
