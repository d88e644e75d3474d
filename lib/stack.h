/* stack.h: a sandbox's compose stack, as list, status, up, down and destroy see it */
#ifndef SB_STACK_H
#define SB_STACK_H

#include <stddef.h>

#include "docker.h"
#include "stackid.h"
#include "strbuf.h"

struct sandbox;

struct stack_list {
	int code;			/* DOCKER_OK, or why docker did not answer */
	struct strbuf why;		/* docker's message when it did not */
	struct container_list containers;
};

/* Ask the engine once for every compose container; never dies. */
void stack_list_load(struct stack_list *l);
void stack_list_free(struct stack_list *l);
/*
 * Load; if docker is missing or unreachable, say why (error) and fail
 * with -1 and the message in err (l then freed).
 */
int stack_list_need(struct stack_list *l, struct strbuf *err);

/*
 * The stacks of every engine the sandboxes of a registry live on (list,
 * prune and doctor see several at once), each engine asked once.
 */
struct stack_lists {
	char **urls;			/* each engine asked, by URL (NULL: not resolved) */
	struct stack_list *v;		/* its answer */
	size_t n, alloc;
};
struct reg_entry;
/*
 * The stacks of the engine e's sandbox lives on (engine_of: its record,
 * or GIT_SANDBOX_ENGINE, or the current one), asked the first time; that
 * engine is then the engine in use. An engine that cannot be resolved
 * answers DOCKER_UNREACHABLE, saying why, and none is in use.
 */
const struct stack_list *stack_lists_get(struct stack_lists *sl, const struct reg_entry *e);
void stack_lists_free(struct stack_lists *sl);

/*
 * Has a sandbox a stack at all? A project may have none: no compose file
 * of the default name in the worktree and sandbox.compose not set. Its
 * sandboxes have a worktree, ports and an env file; up and down have
 * nothing to start or stop, and no engine is needed.
 */
enum stack_kind {
	STACK_YES,	/* a compose file: there, or named by sandbox.compose (missing or not) */
	STACK_NONE,	/* no compose file, and compose never ran for it */
	STACK_WAS,	/* no compose file now, but compose ran for it: its engine knows what is left */
};
struct sb_config;
/* Of the sandbox at path with configuration cfg and identity record si. */
enum stack_kind stack_kind(const struct sb_config *cfg, const char *path,
			   const struct stack_ident *si);
/*
 * For sb with no compose file (kind, not STACK_YES; si its identity): is
 * nothing of a stack left, so that there is nothing to act on? 0, or -1
 * after an error: its engine does not answer for a stack that ran, or
 * containers of that stack remain (compose needs the file to touch them).
 */
int stack_none_left(const struct sandbox *sb, const struct stack_ident *si, enum stack_kind kind);
/*
 * stack_kind() of the registered sandbox e, reading its configuration
 * only when its worktree has no file of the default name and cfg (its
 * configuration, when the caller has loaded it) is NULL; STACK_YES when
 * its worktree is gone or its configuration cannot be read. k keeps the
 * repository open for the next sandbox of the same one (zero it first;
 * stack_kinds_free() when done); stack_kinds_repo() opens it for a caller
 * that loads the configuration itself.
 */
struct stack_kinds {
	char *repo;		/* common git dir */
	struct git_repository *git;
};
enum stack_kind stack_kind_of(struct stack_kinds *k, const struct reg_entry *e,
			      const struct sb_config *cfg);
/* The repository whose common git dir is commondir, kept in k; NULL when it cannot be opened. */
struct git_repository *stack_kinds_repo(struct stack_kinds *k, const char *commondir);
void stack_kinds_free(struct stack_kinds *k);

/*
 * running, partial, stopped, no-stack, missing (worktree gone) or unknown
 * (its engine did not answer) for the sandbox at path with git dir gitdir,
 * compose project and stack_kind kind; l is its engine's answer, not
 * looked at (and may be NULL) for STACK_NONE.
 */
const char *sandbox_status(const struct stack_list *l, const char *path, const char *gitdir,
			   const char *project, enum stack_kind kind);

/*
 * Serialise the compose calls on sb's stack: an exclusive lock on
 * sandbox-stack.lock in its private git dir, held until the process ends,
 * so that two ups (or an up and a down, or a destroy) of one sandbox run
 * one after the other instead of racing inside compose. 0, or -1 with the
 * message in err if the lock cannot be had. It comes before the registry
 * lock (lock.h).
 */
int stack_lock(const struct sandbox *sb, struct strbuf *err);

/*
 * The containers of the stack with identity si in l: project's that
 * stack_owns() (pointers into l; free the array only). Returns how many.
 */
size_t stack_own_containers(const struct stack_ident *si, const char *project, const char *worktree,
			    const struct container_list *l, const struct container ***out);

/*
 * How many containers sb's stack (identity si) has, or with running_only
 * how many run: >= 0; 0 with docker not installed, or with the engine not
 * answering for a stack that never started; -1 (docker's message printed)
 * when the engine does not answer for one that did.
 */
int stack_count(const struct sandbox *sb, const struct stack_ident *si, int running_only);

/* Read sb's identity record (stackid.h), beside its state: 0 or -1 after an error. */
int stack_ident_load(const struct sandbox *sb, struct stack_ident *si);

/* Remove sb's identity record and label file (its stack is gone): 0 or -1 after an error. */
int stack_ident_forget(const struct sandbox *sb);

/*
 * Take the sandbox's stack down with the volumes it made, by its id (never
 * by project name alone); a stack already gone is fine. With docker
 * missing or not answering, fine only if the stack never started. 0 or -1.
 */
int stack_destroy(const struct sandbox *sb);

/*
 * Fill c for a compose call on sb. The files are the configuration's
 * (config.h), with the override compose reads beside a single file of one
 * of its default names (docker-compose.override.yml...); compose reads the
 * project's own .env (--env-file only without one), the sandbox's
 * variables on top in its environment. The command is the one
 * compose_detect() finds (c->found); c->recorded is the one recorded at
 * the stack's last up ([compose] command of the state), and
 * c->recorded_there says whether it may run now (a recorded
 * sandbox.composeCommand only while it is still the configured one).
 * With si, the stack gets its id if it has none (saved in the record and
 * the registry entry first) and compose gets the override labelling every
 * service with it. STACK_COMPOSE_ALL_PROFILES: a --profile for every
 * profile the files name, so that down and logs reach every service.
 * 0; or, if compose is missing or a compose file is, -1 with the message
 * in err (c then freed), STACK_COMPOSE_UNTRUSTED when it is the untrusted
 * project file's to choose.
 */
#define STACK_COMPOSE_ALL_PROFILES 1
#define STACK_COMPOSE_UNTRUSTED (-2)
struct compose;
int stack_compose(struct compose *c, const struct sandbox *sb, struct stack_ident *si, int flags,
		  struct strbuf *err);
/*
 * Fill c as stack_compose() does with STACK_COMPOSE_ALL_PROFILES and no
 * identity, for a call that only reads (the lint's): nothing is written
 * (the env file is given to compose only if it is there: the variables
 * are in compose's environment all the same), and nothing dies. 0, or -1
 * with the reason in why (a missing file, no compose), or
 * STACK_COMPOSE_UNTRUSTED with it when stack_compose() would refuse for
 * want of trust.
 */
int stack_compose_look(struct compose *c, const struct sandbox *sb, struct strbuf *why);
void stack_compose_free(struct compose *c);

#endif
