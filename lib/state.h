/*
 * state.h: one sandbox's own record, in its worktree's private git dir
 * (.git/worktrees/<id>/config, or .git/sandbox for a main worktree after
 * init). Written by the tool in git-config syntax (git config -f reads
 * and writes it), format 2; state, never read as configuration.
 */
#ifndef SB_STATE_H
#define SB_STATE_H

/* The format the tool writes: [sandbox] format. */
#define STATE_FORMAT 2

struct state_kv {
	char *section;		/* a name chosen by the tool: gitconfig_name() */
	char *sub;		/* its subsection, or NULL */
	char *key, *value;	/* key: gitconfig_name() */
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

/*
 * 0 read, 1 no such file, -1 after an error naming the file. A file of
 * the first format (a flat INI with percent-encoded values, [port] and
 * [secrets] keyed by name) is read too, as what it would be in this one:
 * the next state_write() upgrades it.
 */
int state_read(const char *path, struct sb_state *st);
/* Atomically; 0, or -1 after an error naming the file (nothing written). */
int state_write(const char *path, const struct sb_state *st);
void state_free(struct sb_state *st);

/*
 * Extra values, "section.key" or "section.<sub>.key": NULL if unset; set
 * replaces (value NULL removes). section and key are names chosen by the
 * tool, [a-z][a-z0-9-]* (section not "sandbox"); sub may be any string,
 * but one with a newline makes state_write() fail.
 */
const char *state_get(const struct sb_state *st, const char *section, const char *key);
void state_set(struct sb_state *st, const char *section, const char *key, const char *value);
const char *state_get_sub(const struct sb_state *st, const char *section, const char *sub,
			  const char *key);
void state_set_sub(struct sb_state *st, const char *section, const char *sub, const char *key,
		   const char *value);

#endif
