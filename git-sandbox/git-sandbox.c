/*
 * git-sandbox: the one program. `git sandbox <cmd>` runs the command of
 * the table (cmd.h) in this process; installed as git-sandbox-<cmd> (a
 * hard link), it runs that command. A name not in the table goes to a
 * git-sandbox-<cmd> on PATH, as git does with git-<cmd>.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "run.h"
#include "similar.h"
#include "strbuf.h"
#include "util.h"

#define PREFIX "git-sandbox-"

static const char *const usage[] = {
	"git sandbox [--version] [-h | --help] <command> [<args>]",
	NULL
};

static void list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "\nThese are the sandbox commands:\n");
	for (i = 0; cmd_table[i]; i++)
		fprintf(f, "   %-9s %s\n", cmd_table[i]->name, cmd_table[i]->help);
	fprintf(f, "\nSee 'git sandbox <command> --help' for one command, 'git help sandbox' for the model.\n");
}

/* Print the commands most similar to cmd (similar.h), if any is. */
static void suggest(const char *cmd)
{
	const char **names;
	size_t i, n, nc, *best;

	for (nc = 0; cmd_table[nc]; nc++)
		;
	names = xcalloc(nc, sizeof(*names));
	best = xcalloc(nc, sizeof(*best));
	for (i = 0; i < nc; i++)
		names[i] = cmd_table[i]->name;
	n = similar_names(cmd, names, nc, best);
	if (n)
		fprintf(stderr, "\nThe most similar command%s\n", n == 1 ? " is" : "s are");
	for (i = 0; i < n; i++)
		fprintf(stderr, "\t%s\n", names[best[i]]);
	free(names);
	free(best);
}

static void unknown(const char *cmd)
{
	char *shown = printable(cmd);

	fprintf(stderr, "git sandbox: '%s' is not a sandbox command. See 'git sandbox -h'.\n", shown);
	free(shown);
	suggest(cmd);
	list_commands(stderr);
	exit(EXIT_USAGE);
}

/* `git sandbox --list-cmds`: the table, "name TAB help" a line, for completion */
static int list_cmds(void)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		printf("%s\t%s\n", cmd_table[i]->name, cmd_table[i]->help);
	return stdout_done();
}

/* a command not in the table: git-sandbox-<cmd> of our directory, else of PATH */
static void run_external(const char *cmd, char **argv)
{
	char *prog = xasprintf(PREFIX "%s", cmd);
	/* our own directory comes first, so an installed set of commands stays together */
	char *dir = program_dir(argv[0]);

	argv[1] = prog;
	if (dir) {
		char *path = path_join(dir, prog);

		if (!access(path, X_OK)) {
			argv[1] = path;
			execv(path, argv + 1);
			die_errno("cannot run '%s'", path);
		}
		free(path);
		free(dir);
	}
	if (have_program(prog)) {
		execvp(prog, argv + 1);
		die_errno("cannot run '%s'", prog);
	}
	free(prog);
}

int main(int argc, char **argv)
{
	const struct cmd_entry *e;
	const char *base = strrchr(argv[0], '/'), *cmd;

	base = base ? base + 1 : argv[0];
	/* called as git-sandbox-<cmd>: that command, never another program */
	if (!strncmp(base, PREFIX, strlen(PREFIX))) {
		cmd = base + strlen(PREFIX);
		e = cmd_find(cmd);
		if (!e)
			unknown(cmd);
		return cmd_run(e, argc, argv);
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s\n", usage[0]);
		list_commands(stderr);
		exit(EXIT_USAGE);
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h")) {
		printf("usage: %s\n", usage[0]);
		list_commands(stdout);
		exit(EXIT_USAGE);
	}
	if (!strcmp(cmd, "--list-cmds"))
		return list_cmds();
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			char *page, *shown;

			if (!cmd_find(argv[2])) {
				shown = printable(argv[2]);
				fprintf(stderr, "git sandbox: no help for '%s': not a sandbox command\n", shown);
				free(shown);
				suggest(argv[2]);
				exit(1);
			}
			page = xasprintf(PREFIX "%s", argv[2]);
			show_manpage(page, usage);
		}
		show_manpage("git-sandbox", usage);
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("git-sandbox version %s\n", VERSION);
		return stdout_done();
	}
	if (cmd[0] == '-')
		usage_msg(usage, "unknown option '%s'", cmd);
	if (strchr(cmd, '/') || !*cmd)
		unknown(cmd);
	e = cmd_find(cmd);
	if (e) {
		/* argv[0] stays the program, where mcp finds the installation */
		argv[1] = argv[0];
		return cmd_run(e, argc - 1, argv + 1);
	}
	run_external(cmd, argv);
	unknown(cmd);
	return EXIT_USAGE;
}
