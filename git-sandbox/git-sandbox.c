/* git-sandbox: the dispatcher. `git sandbox <sub>` runs git-sandbox-<sub>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "similar.h"
#include "strbuf.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox [--version] [-h | --help] <command> [<args>]",
	NULL
};

static const struct { const char *name, *help; } commands[] = {
	{ "create", "new worktree, slot and env file for a sandbox" },
	{ "init", "make the current clone or worktree a sandbox" },
	{ "up", "start the sandbox's compose stack and wait until it answers" },
	{ "down", "stop the stack (keep volumes unless -v)" },
	{ "destroy", "stack down, worktree removed, slot released" },
	{ "list", "every sandbox of this machine" },
	{ "status", "one sandbox in detail" },
	{ "port", "print one port number, for scripts" },
	{ "env", "print the sandbox's variables" },
	{ "exec", "run a command with the sandbox's variables set" },
	{ "logs", "compose logs of this sandbox" },
	{ "path", "print a sandbox's worktree, for cd" },
	{ "mcp", "an MCP server on stdin and stdout, for agents" },
	{ "secrets", "inspect or drop the encrypted secrets cache" },
	{ "repair", "lease the ports the configuration asks for now, follow a moved worktree" },
	{ "prune", "release slots whose worktree is gone, remove orphan stacks" },
	{ "doctor", "check the set-up and say how to fix it" },
	{ "trust", "let this exact .gitsandbox choose programs, files and secrets here" },
	{ "setup", "write a .gitsandbox from the project's compose file" },
};

static void list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "\nThese are the sandbox commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "   %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nSee 'git sandbox <command> --help' for one command, 'git help sandbox' for the model.\n");
}

/* Print the commands most similar to cmd (similar.h), if any is. */
static void suggest(const char *cmd)
{
	const char *names[ARRAY_SIZE(commands)];
	size_t i, n, best[ARRAY_SIZE(commands)];

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	n = similar_names(cmd, names, ARRAY_SIZE(commands), best);
	if (n)
		fprintf(stderr, "\nThe most similar command%s\n", n == 1 ? " is" : "s are");
	for (i = 0; i < n; i++)
		fprintf(stderr, "\t%s\n", names[best[i]]);
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

static int is_command(const char *cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;
	char *dir, *prog;

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
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			char *page, *shown;

			if (!is_command(argv[2])) {
				shown = printable(argv[2]);
				fprintf(stderr, "git sandbox: no help for '%s': not a sandbox command\n", shown);
				free(shown);
				suggest(argv[2]);
				exit(1);
			}
			page = xasprintf("git-sandbox-%s", argv[2]);
			show_manpage(page, usage);
		}
		show_manpage("git-sandbox", usage);
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("git-sandbox version %s\n", VERSION);
		return 0;
	}
	if (cmd[0] == '-')
		usage_msg(usage, "unknown option '%s'", cmd);
	if (strchr(cmd, '/') || !*cmd)
		unknown(cmd);

	prog = xasprintf("git-sandbox-%s", cmd);
	/* our own directory comes first, so an installed set of commands stays together */
	dir = program_dir(argv[0]);
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
	unknown(cmd);
	return EXIT_USAGE;
}
