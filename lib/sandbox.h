/*
 * sandbox.h: which sandbox a command acts on, and what it is called.
 *
 * A sandbox is a worktree with a state file (state.h) and a registry entry
 * (registry.h). The main worktree without state is slot 0.
 */
#ifndef SB_SANDBOX_H
#define SB_SANDBOX_H

#include "config.h"
#include "engine.h"
#include "ports.h"
#include "repo.h"
#include "state.h"
#include "strbuf.h"

struct sandbox {
	struct repo repo;
	struct sb_config cfg;
	struct sb_state st;
	int has_state;		/* created or init'ed: a state file exists */
	const char *name;	/* st.name, or "main" for slot 0 */
	long slot;		/* -1: not a sandbox */
	char *project;		/* compose project name */
	char *path;		/* the worktree */
	char *gitdir;		/* its private git dir */
	char *state_file;
	int is_main;		/* the main worktree */
	int missing;		/* registered, but the worktree is gone */
	/*
	 * Its ports: those leased with its slot (recorded in the state, or
	 * for a sandbox from before the record, its registry entry's); slot
	 * 0's are the configuration's.
	 */
	struct port_set ports;
	int ports_recorded;	/* ports come from the state's record */
	int ports_broken;	/* the record is broken: ports are the registry's */
	/*
	 * The engine its stack lives on (engine.h), the engine in use once
	 * opened: GIT_SANDBOX_ENGINE when set, else the one recorded when it
	 * was made, else sandbox.engine, else the shell's current one.
	 */
	struct engine engine;
	int engine_recorded;
	/*
	 * Without an engine (SB_ANY_ENGINE, SB_NO_ENGINE): engine holds its
	 * name only, and the lib's queries fail (engine_use_none).
	 */
	int no_engine;
};

/* flags for sandbox_open */
#define SB_NEED_SLOT	(1 << 1)	/* fail unless a sandbox (slot >= 1) or the main worktree's (slot 0) */
#define SB_REVIEW	(1 << 2)	/* load what an untrusted project file may not set (trust) */
#define SB_ANY_CONFIG	(1 << 3)	/* a project file that does not load: the main worktree's */
/*
 * An engine that cannot be resolved (its docker context deleted) is said
 * and the command goes on without one (no_engine); by default it fails.
 */
#define SB_ANY_ENGINE	(1 << 4)
/* The command asks no engine: none is resolved (no_engine). */
#define SB_NO_ENGINE	(1 << 5)
/* fail when the named sandbox's worktree is gone (missing) */
#define SB_NEED_WORKTREE (1 << 6)
/*
 * The command asks no engine but gives the sandbox's variables: when a
 * derived one is made of {host}, the engine is resolved (never asked) as
 * with SB_ANY_ENGINE, else none is, as with SB_NO_ENGINE.
 */
#define SB_ENV_HOST	(1 << 7)

/* sandbox_open()'s failures that the command gives advice for */
#define SANDBOX_NO_SUCH	(-2)	/* name is no sandbox of this repository */
#define SANDBOX_NOT_ONE	(-3)	/* SB_NEED_SLOT, and the worktree is no sandbox */
#define SANDBOX_UNTRUSTED (-4)	/* the project file names what only trust allows */

/*
 * Find the sandbox to act on: name NULL means the worktree around the
 * current directory; otherwise the sandbox of that name in this
 * repository, from any of its worktrees or directories, exactly as if
 * from its own worktree: its configuration (its project file with the
 * repository's git config), its state, its engine. 0 on success; else
 * a negative code (-1, SANDBOX_NO_SUCH, SANDBOX_NOT_ONE, SANDBOX_UNTRUSTED) with the reason
 * in err, and sb is to be closed all the same.
 */
int sandbox_open(struct sandbox *sb, const char *name, unsigned flags, struct strbuf *err);
void sandbox_close(struct sandbox *sb);

/*
 * config_load() for repo r: the configuration seen from dir (a worktree),
 * its project named after r's main worktree unless it says, and whether
 * its project file is trusted for r (trust_check()); -1 with config_error()
 * on error. The caller checks
 * config_check_untrusted() (sandbox_open does, unless SB_REVIEW).
 */
int sandbox_config_load(struct sb_config *cfg, struct repo *r, const char *dir);

/*
 * sandbox_config_load() for a worktree yet to be made: the configuration a
 * checkout of commit_hex will have (config_load_commit()); -1 on error.
 */
int sandbox_config_load_commit(struct sb_config *cfg, struct repo *r, const char *commit_hex);

/* 1 if name is a valid sandbox name; else 0 and why holds the reason. */
int valid_name(const char *name, struct strbuf *why);

/* Compose project name for project and sandbox name ("" for slot 0): lower-case. */
char *compose_project(const char *project, const char *name);

/* Where create puts the worktree of name (newly allocated). */
char *sandbox_worktree_path(const struct repo *r, const struct sb_config *cfg, const char *name);

/*
 * Does the configuration ask for other ports than sb leased (a branch
 * changed a base or a group, `git -c`, sandbox.slots)? How many
 * differences, each said in why; 0 for slot 0 and a non-sandbox.
 */
size_t sandbox_ports_drift(const struct sandbox *sb, struct strbuf *why);

/*
 * The variables of .env.sandbox, "KEY=value", NULL-terminated, newly
 * allocated: its ports, SANDBOX_NAME, SANDBOX_SLOT, COMPOSE_PROJECT_NAME,
 * then the [env] variables that refer to no secret (derive.h). One that
 * cannot be made (its engine's host unknown, a variable the configuration
 * names that was not leased) is left out, with a warning.
 */
char **sandbox_env(const struct sandbox *sb);
void free_env(char **env);

/* Where sb's published ports answer (engine.h), or NULL without an engine. */
const char *sandbox_host(const struct sandbox *sb);

/*
 * Choose the engine for a new sandbox (create, init): spec (--engine)
 * when not NULL, else GIT_SANDBOX_ENGINE, else sandbox.engine, else the
 * current one; record it in sb->st (section [engine]: name, and certs for
 * a URL over TLS) and make it the engine in use. 0, or -1 after an error.
 */
int sandbox_place(struct sandbox *sb, const char *spec);

#endif
