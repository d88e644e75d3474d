/*
 * state.h: one sandbox's own record, in its worktree's private git dir
 * (.git/worktrees/<id>/config, or .git/sandbox for a main worktree after
 * init). Flat INI written by the tool; state, never read as configuration.
 */
#ifndef SB_STATE_H
#define SB_STATE_H

struct state_kv {
	char *section, *key, *value;
};

struct sb_state {
	char *name;
	long slot;
	char *project;		/* compose project name, fixed at creation */
	long created;
	struct state_kv *extra;	/* other sections (e.g. secret fingerprints), kept on rewrite */
	size_t nextra;
};

/* The state file of a worktree: gitdir/config, or commondir/sandbox for a main worktree. */
char *state_path(const char *gitdir, int is_main);

/* 0 read, 1 no such file, -1 after an error naming the file. */
int state_read(const char *path, struct sb_state *st);
int state_write(const char *path, const struct sb_state *st);
void state_free(struct sb_state *st);

/*
 * Extra values: NULL if unset; set replaces (value NULL removes). A key may
 * be any string (it is escaped on write); a section is a name chosen by the
 * tool: [A-Za-z0-9._-], at most INI_SECTION_MAX bytes, not "sandbox".
 */
const char *state_get(const struct sb_state *st, const char *section, const char *key);
void state_set(struct sb_state *st, const char *section, const char *key, const char *value);

#endif
