/*
 * registry.h: the per-user lease of slots, across every repository.
 *
 * One INI file, ${XDG_STATE_HOME:-~/.local/state}/git-sandbox/registry,
 * changed only under registry_lock() and written by atomic replace. A file
 * that cannot be parsed is an error, never silently replaced.
 */
#ifndef SB_REGISTRY_H
#define SB_REGISTRY_H

#include <stddef.h>

#include "strbuf.h"

#define REGISTRY_VERSION 1

struct reg_entry {
	long slot;
	char *repo;		/* common git dir, absolute */
	char *name;
	char *path;		/* worktree, absolute */
	char *gitdir;		/* the worktree's private git dir */
	char *project;		/* compose project name */
	long *ports;		/* every host port the slot holds */
	char **port_names;	/* the port group of each, parallel to ports */
	size_t nports;
	long created;		/* unix time */
	long creating;		/* pid of the create still making it, else 0 */
	unsigned long long creating_start;	/* and its start time (proc_start_time), 0 unknown */
	char *made_branch;	/* while creating: the branch create makes, or NULL */
	char *made_head;	/* while creating: the commit (hex) its checkout starts at, or NULL */
	char *stack_id;		/* its stack's id on the engine (stackid.h), or NULL before its first up */
	char *engine;		/* the engine its stack lives on (engine.h: a context or URL), or NULL: the current one */
	char *engine_certs;	/* that engine's TLS material, for a URL over TLS, or NULL */
};

/* How many released stack ids the registry remembers (the latest). */
#define REGISTRY_RELEASED_MAX 256

struct registry {
	char *path;
	int lockfd;		/* >= 0 while locked */
	struct reg_entry *e;
	size_t n, alloc;
	/*
	 * The stack ids of sandboxes this registry leased and released: a
	 * stack still carrying one is an orphan of ours (prune removes it).
	 */
	char **released;
	size_t nreleased, released_alloc;
};

/* Path of the registry file (newly allocated), or NULL after an error. */
char *registry_path(void);

/* Read without locking (read-only commands): 0, or -1 after an error (r is then empty). */
int registry_read(struct registry *r);
/* Lock, then read: 0, or -1 after an error (the lock is released, r empty). */
int registry_lock(struct registry *r);
/* Write the entries back atomically; keeps the lock. 0 or -1. */
int registry_write(struct registry *r);
/* Release the lock (if held) and free everything. */
void registry_release(struct registry *r);

struct reg_entry *registry_find(struct registry *r, const char *repo, const char *name);
struct reg_entry *registry_find_path(struct registry *r, const char *path);
/* By the worktree's private git dir: what git keeps when a worktree moves. */
struct reg_entry *registry_find_gitdir(struct registry *r, const char *repo, const char *gitdir);
struct reg_entry *registry_find_project(struct registry *r, const char *project);
/* Add a copy of e; returns the stored entry. */
struct reg_entry *registry_add(struct registry *r, const struct reg_entry *e);
/* Remove e (a create or init undone). */
void registry_remove(struct registry *r, struct reg_entry *e);
/* Remove e, a sandbox that is gone: its stack id, if any, is remembered as released. */
void registry_release_entry(struct registry *r, struct reg_entry *e);
void registry_released_add(struct registry *r, const char *id);
/* 1 if id is one this registry released */
int registry_released(const struct registry *r, const char *id);
void reg_entry_free(struct reg_entry *e);

/*
 * Every change of one sandbox's entry, in one place: take the lock, find
 * the entry of repo by its worktree's git dir (what stays when a worktree
 * moves) or, failing that, by path (either may be NULL), call
 * change(r, e, data) with e NULL if there is none, write the registry if
 * change returned 1, release the lock. Returns -1 after an error (the
 * lock's, the write's, or change's own -1), else what change returned.
 */
int registry_update(const char *repo, const char *gitdir, const char *path,
		    int (*change)(struct registry *r, struct reg_entry *e, void *data), void *data);

/* Parse registry text (exposed for tests and fuzzing): 0, or -1 with *line set. */
int registry_parse(struct registry *r, const char *text, int *line);
/* Serialise (exposed for tests). */
void registry_format(const struct registry *r, struct strbuf *out);

#endif
