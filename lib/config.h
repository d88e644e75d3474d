/*
 * config.h: the project file .gitsandbox layered with git configuration.
 *
 * Priority, lowest first: <worktree>/.gitsandbox, system, XDG and global
 * git config, the repository's .git/config, then `git -c` (which git hands
 * us in GIT_CONFIG_PARAMETERS). The result is validated once, on load.
 */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stddef.h>

#include <git2.h>

#define MAX_SLOTS 999
#define MAX_PORT_COUNT 100

struct port_group {
	char *name;		/* the subsection: [port "api"] */
	char *var;		/* environment variable */
	long base, step, main, count;
	char *health;		/* HTTP path up waits for, or NULL */
	int wait_tcp;		/* up waits until it accepts TCP */
};

struct secret_def {
	char *name;		/* field label in the 1Password item */
	char *var;		/* environment variable */
	char *def;		/* default for --no-secrets, or NULL */
};

/* where a value came from: hooks from the project file need trust */
enum config_origin { ORIGIN_PROJECT, ORIGIN_USER, ORIGIN_COMMAND_LINE };

struct config_value {
	char *value;
	enum config_origin origin;
};

struct sb_config {
	char *file;		/* path of the .gitsandbox read (it may not exist) */
	int has_file;
	char *project;
	char *compose;		/* compose file, relative to the worktree */
	char *env_file;
	long slots;
	char *remote;		/* or NULL */
	char *compose_command;	/* or NULL: detect */

	struct port_group *ports;
	size_t nports;

	char *secrets_item;	/* or NULL: no secrets */
	char *secrets_vault;
	char *secrets_account;
	long secrets_ttl;	/* seconds */
	struct secret_def *secrets;
	size_t nsecrets;

	char **trusted;		/* sandbox.trust from the user's own config: hashes of trusted project files */
	size_t ntrusted;
	int color;		/* color.sandbox, else color.ui: 1 always, 0 never, -1 auto */
	int color_sandbox_set;

	struct config_value *copy;	/* sandbox.copy, in order */
	size_t ncopy;
	struct config_value hook_post_create, hook_pre_up, hook_post_up, hook_pre_destroy;
};

/*
 * Load the configuration seen from worktree (the directory holding
 * .gitsandbox) of repo. default_project is used when sandbox.project is
 * unset. Returns 0, or -1 with config_error() naming the file and key or
 * line; nothing is printed and nothing is left to free.
 */
int config_load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project);
void config_free(struct sb_config *cfg);

/* Why the last config_load() or config_validate() failed. */
const char *config_error(void);

/* Port i (0 <= i < count) of group g in slot (slot 0 is the main worktree). */
long port_of(const struct port_group *g, long slot, long i);

/*
 * Check ports and collisions of cfg (called by config_load; exposed for
 * tests). Returns 0 or -1 with config_error() naming where.
 */
int config_validate(struct sb_config *cfg);

/* color.sandbox / color.ui outside any repository: 1 always, 0 never, -1 auto. */
int config_color(void);

/*
 * Parse GIT_CONFIG_PARAMETERS-style text into key/value pairs (a value is
 * NULL for a bare key). 0, or -1 with nothing left to free.
 */
int config_parse_parameters(const char *text, char ***keys, char ***values, size_t *n);

#endif
