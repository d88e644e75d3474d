/* git-sandbox: the dispatcher. `git sandbox <sub>` runs git-sandbox-<sub>. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
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
	{ "secrets", "inspect or drop the encrypted secrets cache" },
	{ "repair", "lease the ports the configuration asks for now, follow a moved worktree" },
	{ "prune", "release slots whose worktree is gone, remove orphan stacks" },
	{ "doctor", "check the set-up and say how to fix it" },
	{ "trust", "let this exact .gitsandbox choose programs, files and secrets here" },
};

static void list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "\nThese are the sandbox commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "   %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nSee 'git sandbox <command> --help' for one command, 'git help sandbox' for the model.\n");
}

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row = xcalloc(lb + 1, sizeof(size_t)), d;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j], best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static void unknown(const char *cmd)
{
	size_t i, best = (size_t)-1;
	const char *close = NULL;

	fprintf(stderr, "git sandbox: '%s' is not a sandbox command. See 'git sandbox -h'.\n", cmd);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		size_t d = distance(cmd, commands[i].name);

		if (d < best || (starts_with(commands[i].name, cmd) && *cmd)) {
			best = starts_with(commands[i].name, cmd) && *cmd ? 0 : d;
			close = commands[i].name;
		}
	}
	if (close && best <= 2)
		fprintf(stderr, "\nThe most similar command is\n\t%s\n", close);
	list_commands(stderr);
	exit(EXIT_USAGE);
}

/* Our own directory comes first, so an installed set of commands stays together. */
static char *own_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		return path_dirname(buf);
	}
	return strchr(argv0, '/') ? path_dirname(argv0) : NULL;
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
			char *page = xasprintf("git-sandbox-%s", argv[2]);

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
	dir = own_dir(argv[0]);
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
