/*
 * config.h: the sandbox configuration: the project file .gitsandbox
 * layered with git configuration, interpreted (config.c) and checked
 * (configcheck.c).
 *
 * Priority, lowest first: <worktree>/.gitsandbox (or, for a worktree yet
 * to be made, that of the commit it will check out), system, XDG and
 * global git config, the repository's .git/config, then `git -c` (which
 * git hands us in GIT_CONFIG_PARAMETERS): gitlayers.h reads them. The
 * result is validated once, on load.
 */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stddef.h>

#include <git2.h>

#include "gitlayers.h"

#define MAX_SLOTS 999
#define MAX_PORT_COUNT 100
#define UNTRUSTED_MAX_PORTS 100	/* ports in all, from a project file not trusted */
#define MAX_NAME 64		/* a port group's or a project's name */
#define MAX_GROUPS 500		/* port groups, and secrets: the checks are quadratic */
#define DEFAULT_ENV_FILE ".env.sandbox"
#define DEFAULT_COMPOSE_FILE "docker-compose.sandbox.yml"
#define MAX_COMPOSE_FILES 16	/* sandbox.compose values, or COMPOSE_FILE parts */

struct port_group {
	char *name;		/* the subsection: [port "api"] */
	char *var;		/* environment variable */
	long base, step, main, count;
	char *health;		/* HTTP path up waits for, or NULL */
	int wait_tcp;		/* up waits until it accepts TCP */
	enum config_origin var_origin;
	char *url;		/* its URL's template (derive.h), or NULL */
	int url_set;		/* url was given: empty, the group has none */
};

struct secret_def {
	char *name;		/* field label in the 1Password item */
	char *var;		/* environment variable */
	char *def;		/* default for --no-secrets, or NULL */
	enum config_origin origin;	/* of var: which field goes to the stack */
};

/* [env "<NAME>"]: a variable derived from the sandbox's own (derive.h) */
struct env_def {
	char *name;
	char *value;		/* its template: ${VAR} references and {host} */
	char *src;		/* the file or layer that set it, for messages */
	enum config_origin origin;
	int secret;		/* refers to a secret, itself or through another: compose's only */
	int host;		/* uses {host}, itself or through another */
};

struct config_value {
	char *value;
	enum config_origin origin;
};

/* a key of the project file that is honoured only once the file is trusted */
struct trust_key {
	char *key;		/* as the user writes it: "hook.postCreate" */
	char *value;
};

struct sb_config {
	char *file;		/* path of the .gitsandbox read (it may not exist), or "<commit>:.gitsandbox" */
	int file_in_commit;	/* file is "<commit>:.gitsandbox", not checked out (config_load_commit) */
	int has_file;
	char *file_hash;	/* hex SHA-256 of the bytes parsed, or NULL without a file */
	int trusted;		/* those bytes are trusted for this repository (trust.h) */
	struct trust_key *needs_trust;	/* the project file's keys that need trust, in order */
	size_t nneeds_trust;
	char *project;
	/*
	 * The compose files, in order (each a -f), relative to the worktree
	 * or absolute; at least one, NULL-terminated. Values of
	 * sandbox.compose from one configuration file add up; a later file
	 * that sets it replaces the list. Unset: the caller's COMPOSE_FILE,
	 * else DEFAULT_COMPOSE_FILE.
	 */
	char **compose;
	size_t ncompose;
	enum config_origin compose_origin;	/* of the file that named them */
	int compose_set;	/* named by a layer or COMPOSE_FILE, not the default (stack.h: stack_kind) */
	int compose_env;	/* named by COMPOSE_FILE */
	const char *compose_src;	/* while loading: the file that named them */
	char *env_file;
	enum config_origin env_file_origin;
	char *env_file_ignored;	/* an untrusted project file's envFile, set aside by trust_check() */
	long slots;
	char *remote;		/* or NULL */
	struct config_value compose_command;	/* value NULL: detect */
	char *engine;		/* sandbox.engine (user's config only): where new sandboxes go, or NULL */
	char *host;		/* sandbox.host (user's config only): where the engine's ports answer, or NULL */

	struct port_group *ports;
	size_t nports;

	char *secrets_item;	/* or NULL: no secrets */
	char *secrets_vault;
	char *secrets_account;
	int secrets_from_project;	/* item, vault or account comes from the project file */
	/*
	 * Durations in seconds, and as the user wrote them ("12h"; NULL when
	 * unset in a configuration not built by config_load()), for messages.
	 * ttl: a cache younger is used without asking op; recheck: a cache
	 * older is used, and op asked while compose runs; maxAge: an expired
	 * cache younger is used when op cannot be asked.
	 */
	long secrets_ttl;
	char *secrets_ttl_text;
	long secrets_recheck;
	char *secrets_recheck_text;
	long secrets_max_age;
	char *secrets_max_age_text;
	struct secret_def *secrets;
	size_t nsecrets;

	struct env_def *envs;	/* [env] variables, in the order of the configuration */
	size_t nenvs;
	size_t *env_order;	/* the same, each after those it refers to (config_validate) */

	char **trust;		/* sandbox.trust from the user's own config: "<sha256> <common dir>" */
	size_t ntrust;
	int color;		/* color.sandbox, else color.ui: 1 always, 0 never, -1 auto */
	int color_sandbox_set;

	struct config_value *copy;	/* sandbox.copy, in order */
	size_t ncopy;
	struct config_value hook_post_create, hook_pre_up, hook_post_up, hook_pre_destroy;
};

/*
 * Load the configuration seen from worktree (the directory holding
 * .gitsandbox) of repo. default_project is used when sandbox.project is
 * unset. The project file is read once, hashed (file_hash) and parsed
 * from those bytes; it may not include other files. Returns 0, or -1 with
 * config_error() naming the file and key or line; nothing is printed and
 * nothing is left to free. cfg->trusted is left 0: trust_check() sets it.
 */
int config_load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project);
/*
 * config_load() with the layers above the project file read once already
 * (gitlayers_read_above() of repo), for the worktrees of one repository
 * in a row.
 */
int config_load_above(struct sb_config *cfg, const struct gitlayers *above, const char *worktree,
		      const char *default_project);

/* Is s a sandbox.project: 1-64 of [A-Za-z0-9._-], not starting with '-' or '.'? */
int valid_project(const char *s);

/*
 * config_load() with text as the project file, called name in messages
 * (setup checks the file it writes before anyone uses it).
 */
int config_load_text(struct sb_config *cfg, git_repository *repo, const char *name,
		     const char *text, size_t len, const char *default_project);

/*
 * Does a layer of the configuration config_load() would read from
 * worktree set sandbox.compose, or COMPOSE_FILE name the files
 * (compose_set)? Only the layers are read; nothing is validated. 1, 0, or
 * -1 with config_error().
 */
int config_sets_compose(git_repository *repo, const char *worktree);

/*
 * config_load() with the project file a checkout of a commit will have:
 * the bytes of the top-level .gitsandbox in the tree of commit_hex (a full
 * object id), hashed, layered with the user's git configuration and
 * `git -c` and validated as config_load() does. A tree without the file
 * loads like a worktree without it; an entry that is not a regular file
 * (a symbolic link, a submodule, a directory), or one larger than
 * READ_FILE_MAX, is an error as in a worktree. Until config_set_worktree(),
 * cfg->file is git's name of the blob, "<abbreviated commit>:.gitsandbox",
 * so that an error names what was parsed. 0, or -1 with config_error();
 * nothing is printed and nothing is left to free.
 */
int config_load_commit(struct sb_config *cfg, git_repository *repo, const char *commit_hex,
		       const char *default_project);

/*
 * Name cfg->file <worktree>/.gitsandbox: where a configuration loaded by
 * config_load_commit() is once its commit is checked out there.
 */
void config_set_worktree(struct sb_config *cfg, const char *worktree);

void config_free(struct sb_config *cfg);

/* Why the last config_load(), config_load_commit() or config_validate() failed. */
const char *config_error(void);

/*
 * What an untrusted project file may not name (cfg->trusted 0): a port
 * variable must end in _PORT, a secret variable in _PASSWORD, _SECRET,
 * _KEY or _TOKEN, its groups may lease at most UNTRUSTED_MAX_PORTS ports
 * in all, and it may set no [env] variable. 0, or -1 with config_error()
 * naming the key: every refusal is one that trusting the file would lift,
 * which the caller may say.
 */
int config_check_untrusted(const struct sb_config *cfg);

/* A variable name an untrusted project file may use: for a port, *_PORT. */
int config_port_var_shape(const char *var);
/* For a secret: *_PASSWORD, *_SECRET, *_KEY or *_TOKEN. */
int config_secret_var_shape(const char *var);

/*
 * The first compose file outside the worktree (absolute, or through ".."),
 * or NULL when every one is inside.
 */
const char *config_compose_outside(const struct sb_config *cfg);

/* Port i (0 <= i < count) of group g in slot (slot 0 is the main worktree). */
long port_of(const struct port_group *g, long slot, long i);

/*
 * Check ports and collisions of cfg (called by config_load; exposed for
 * tests). Returns 0 or -1 with config_error() naming where.
 */
int config_validate(struct sb_config *cfg);

/*
 * Is name refused as a variable name: one that a shell, the dynamic
 * loader, git, docker, compose, op or git-sandbox itself reads (PATH,
 * LD_PRELOAD, GIT_DIR, DOCKER_HOST, ...)? Then *why says what it is.
 */
int config_reserved_var(const char *name, const char **why);

/*
 * Set config_error() from fmt; returns -1. For the files that make up
 * the configuration (config.c, configcheck.c).
 */
int config_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
