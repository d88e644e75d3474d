/*
 * cmd.h: the command table. Each git-sandbox-<x>.c describes its command
 * once, as data (name, help, usage, options, what it needs), and one
 * skeleton (cmd_run) parses, checks the arguments, opens the sandbox,
 * takes the stack lock, calls the command's function and ends with the
 * exit status rules of git-sandbox(1). Command side: it may die.
 */
#ifndef SB_CMD_H
#define SB_CMD_H

#include "opts.h"
#include "sandbox.h"

/* what a command needs before its function runs (cmd_entry.flags) */
#define CMD_SANDBOX	(1 << 0)	/* open the sandbox -s/--sandbox names (cmd_sandbox) */
#define CMD_NAME_ARG	(1 << 1)	/* ... or its one positional <name> names (opt_sandbox) */
#define CMD_LOCK	(1 << 2)	/* hold its stack lock while the function runs */
#define CMD_STOP_AT_ARG	(1 << 3)	/* options end at the first argument (exec) */
/*
 * runs without the user's state directory (the registry): it says so
 * itself (doctor), or needs none; the others stop at once without it
 */
#define CMD_NO_STATE	(1 << 4)

struct cmd_ctx {
	const struct cmd_entry *entry;
	const char *prog;	/* the program run (argv[0]), for program_dir() */
	int argc;		/* the positional arguments, options taken out */
	char **argv;		/* argv[argc] == NULL */
	const char *name;	/* the sandbox named (-s or <name>), or NULL */
	struct sandbox sb;	/* opened when CMD_SANDBOX */
};

struct cmd_entry {
	const char *name;		/* "up": git sandbox up, git-sandbox-up */
	const char *help;		/* one line for `git sandbox -h` and completion */
	const char *const *usage;	/* usage lines, as the man page's SYNOPSIS */
	const struct opt *opts;		/* each with its help line */
	unsigned flags;			/* CMD_* */
	unsigned sb_flags;		/* SB_* for sandbox_open, with CMD_SANDBOX */
	int max_args;			/* positional arguments at most; -1: any number */
	/* checks of the arguments beyond their number, before anything is opened; or NULL */
	void (*check)(struct cmd_ctx *);
	/* the command: its exit status (0, 1, or what exec ran; 128 only after die()) */
	int (*fn)(struct cmd_ctx *);
};

/*
 * The advice to trust the project file file, in its one wording (newly
 * allocated): the ADVICE_TRUST hint, and doctor's fix.
 */
char *cmd_trust_advice(const char *file);

/* Die with msg, a refusal of cfg's untrusted project file, then the trust advice. */
void cmd_die_untrusted(const struct sb_config *cfg, const char *msg) __attribute__((noreturn));

/* the -s/--sandbox of the command running: OPT_SANDBOX_(&cmd_sandbox) */
extern const char *cmd_sandbox;

/* every command, NULL-terminated */
extern const struct cmd_entry *const cmd_table[];

/* The entry called name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

/*
 * Run e with argv (argv[0] the program): parse, check, open, lock, call
 * e->fn, close; its exit status (a write failure on stdout is fatal: 128).
 */
int cmd_run(const struct cmd_entry *e, int argc, char **argv);

/* The usage error of the command running: "error: <msg>", its usage, exit 129. */
void cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/*
 * The lib's calls a command makes, dying with their message and the advice
 * that names a command: sandbox_open(), stack_lock(), stack_compose(),
 * stack_list_need().
 */
void cmd_open(struct sandbox *sb, const char *name, unsigned flags);
void cmd_lock(const struct sandbox *sb);
struct compose;
struct stack_ident;
struct stack_list;
void cmd_compose(struct compose *c, const struct sandbox *sb, struct stack_ident *si, int flags);
void cmd_stacks(struct stack_list *l);

#endif
