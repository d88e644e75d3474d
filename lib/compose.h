/*
 * compose.h: how Docker Compose is found and run, in one place.
 *
 * Every call is "<base> -p <project> -f <file>... [-f <label-file>]
 * [--env-file <env-file>] [--profile=<profile>]... <args>" (a file
 * that begins with '-' given as "./<file>"),
 * where <base> is "docker compose" (v2 plugin), "docker-compose" (v1) or
 * whatever sandbox.composeCommand says. Secrets never appear in argv: they
 * reach compose through the child's environment only.
 */
#ifndef SB_COMPOSE_H
#define SB_COMPOSE_H

#include <stddef.h>

struct compose {
	char **cmd;		/* base command, NULL-terminated: {"docker", "compose", NULL} */
	size_t ncmd;
	const char *project;	/* compose project name (-p) */
	char **files;		/* compose files (each a -f), relative to dir or absolute */
	size_t nfiles;
	const char *label_file;	/* the override labelling the stack (stackid.h), or NULL */
	/*
	 * --env-file, relative to dir or absolute; NULL: none, and compose
	 * reads the project's own .env
	 */
	const char *env_file;
	char **profiles;	/* a --profile=<name> for each (nprofiles) */
	size_t nprofiles;
	const char *dir;	/* compose runs here (the worktree) */
	/*
	 * compose's environment on top of ours, overriding what the caller
	 * exported (compose prefers it to --env-file): the sandbox's
	 * variables, then its secrets; "K=V", each NULL or NULL-terminated
	 */
	const char *const *env;
	const char *const *secrets;
	char **own_env;		/* env, when stack_compose() made it */
	/*
	 * stack_compose(): the command line recorded at the stack's last up
	 * (or NULL), and the one found now (compose_detect(): cmd);
	 * recorded_there: the recorded one is the found one, or docker
	 * compose or docker-compose still installed
	 */
	char *recorded, *found;
	int recorded_there;
};

/* Make cmd the blank-separated command line (recorded or found). */
void compose_use(struct compose *c, const char *line);

/*
 * Find the compose command. With override (sandbox.composeCommand, e.g.
 * "podman-compose") split it on blanks and spawn nothing. Otherwise the v2
 * plugin wins if `docker compose version` answers, else `docker-compose`
 * (v1) when it is on PATH; at most one silent spawn. *argv_out is NULL-terminated
 * (free with free_strings(*argv_out, *argc_out)). Returns 0, or -1 after an
 * error saying what to install or set.
 */
int compose_detect(const char *override, char ***argv_out, size_t *argc_out);

/*
 * Is the compose command line cmd ("docker compose", "docker-compose",
 * a sandbox.composeCommand) there to run? As compose_detect() asks: the
 * v2 plugin's answer (remembered), else the program on PATH.
 */
int compose_available(const char *cmd);

/*
 * The version the compose command cmd reports (its "version --short"),
 * in out: 0, or -1 with compose's message in out. One spawn.
 */
struct strbuf;
int compose_version(char *const *cmd, size_t ncmd, struct strbuf *out);

/*
 * The full argv of one compose call: base, project, files, env file,
 * profiles, then args (NULL-terminated). Pure: spawns nothing. The result
 * is NULL-terminated; free it with free(): the strings belong to c and
 * args, but for the "./<file>" and "--profile=<name>" it makes, which are
 * in the same block.
 */
const char **compose_argv(const struct compose *c, const char *const *args);

/*
 * The arguments after the global options for each operation. Each returns
 * a NULL-terminated array in buf (which must hold COMPOSE_MAX_ARGS) and
 * spawns nothing, so tests can check the exact command line.
 */
#define COMPOSE_MAX_ARGS 8
/* build: --build; recreate: --force-recreate */
const char **compose_up_args(const char **buf, int build, int recreate);
const char **compose_down_args(const char **buf, int volumes);
/* tail: a count as text ("100", "all") or NULL; service NULL: all of them */
const char **compose_logs_args(const char **buf, int follow, const char *tail,
			       const char *service);

/*
 * Run compose with args in c->dir, c->env added to its environment, stdin
 * from /dev/null, output to ours. Returns compose's exit status (v1 exits 1
 * when the daemon cannot be reached), or -1 after an error if it could not
 * be started.
 */
int compose_run(const struct compose *c, const char *const *args);

/* The most compose_config() reads of compose's answer. */
#define COMPOSE_CONFIG_MAX ((size_t)4 << 20)

/*
 * compose's resolved model of the stack, as YAML, in out: "<argv> config"
 * in c->dir with c->env (never c->secrets: a variable compose misses is
 * only a warning, which is dropped), output read as a secret (the
 * project's .env may hold some): release out with strbuf_release_secret().
 * Bounded in time and in size (COMPOSE_CONFIG_MAX). 0, or -1 with the
 * reason (compose's own last line of error, when it says one) in why.
 */
int compose_config(const struct compose *c, struct strbuf *out, struct strbuf *why);


#endif
