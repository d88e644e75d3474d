/* git sandbox setup: a .gitsandbox from the project's compose file */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "composefile.h"
#include "config.h"
#include "lock.h"
#include "cmd.h"
#include "opts.h"
#include "repo.h"
#include "setup.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox setup [--write] [<compose-file>...]",
	NULL
};

/* compose's own names, after the sandbox's: the file setup reads when none is named */
static const char *const candidates[] = {
	DEFAULT_COMPOSE_FILE, "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
	NULL
};

/* The files to read: those named, else sandbox.compose, else the first candidate there. */
static char **files_to_read(struct repo *r, const char *top, char **argv, int n, size_t *nfiles)
{
	struct sb_config cfg;
	char **files = xcalloc(MAX_COMPOSE_FILES + 2, sizeof(char *)), *def;
	size_t i;

	*nfiles = 0;
	for (i = 0; i < (size_t)n && i < MAX_COMPOSE_FILES; i++)
		files[(*nfiles)++] = xstrdup(argv[i]);
	if (*nfiles)
		return files;
	def = path_basename(r->main_worktree);
	if (config_load(&cfg, r->git, top, def) == 0) {
		for (i = 0; cfg.compose_set && i < cfg.ncompose; i++)
			files[(*nfiles)++] = xstrdup(cfg.compose[i]);
		config_free(&cfg);
	}
	free(def);
	for (i = 0; !*nfiles && candidates[i]; i++) {
		char *f = path_join(top, candidates[i]);
		struct stat st;

		if (!stat(f, &st))
			files[(*nfiles)++] = xstrdup(candidates[i]);
		free(f);
	}
	if (!*nfiles)
		die("no compose file in '%s' (looked for %s, compose.yaml, docker-compose.yml...); "
		    "name one: git sandbox setup <file>", top, DEFAULT_COMPOSE_FILE);
	return files;
}

static int do_write;
static const struct opt opts[] = {
	OPT_BOOL_(0, "write", &do_write, "write .gitsandbox instead of printing it"),
	OPT_END_(),
};

static int cmd_setup(struct cmd_ctx *ctx)
{
	struct strbuf out = STRBUF_INIT, advice = STRBUF_INIT, err = STRBUF_INIT;
	struct compose_setup cs = { 0 };
	struct sb_config check;
	struct repo r;
	const char *top;
	char **files, *project, *target;
	size_t nfiles, i, groups;
	struct stat st;

	if (repo_open(&r, &err) < 0)
		die("%s", err.buf);
	top = r.worktree ? r.worktree : r.main_worktree;
	if (!r.worktree)
		die("this operation must be run in a work tree");
	files = files_to_read(&r, top, ctx->argv, ctx->argc, &nfiles);
	for (i = 0; i < nfiles; i++) {
		const char *c;

		for (c = files[i]; *c; c++)
			if (iscntrl((unsigned char)*c))
				die("a compose file name holds a control character: '%s'", printable(files[i]));
	}
	for (i = 0; i < nfiles; i++) {
		char *f = *files[i] == '/' ? xstrdup(files[i]) : path_join(top, files[i]);
		size_t len;
		char *text = read_file(f, &len);

		if (!text)
			die("cannot read '%s': %s", files[i], read_file_strerror(errno));
		if (compose_parse_setup(text, len, &cs, &err) < 0)
			die("cannot read the compose file '%s': %s", files[i], err.buf);
		free(text);
		free(f);
	}
	target = path_join(top, ".gitsandbox");
	if (do_write && !lstat(target, &st))
		die("'%s' exists: not overwriting it (compare it with 'git sandbox setup')", target);
	project = path_basename(r.main_worktree);
	groups = setup_write(&cs, valid_project(project) ? project : NULL, (const char *const *)files,
			     nfiles, &out, &advice);
	/* what it writes loads: else it is a bug to report, not a file to commit */
	if (config_load_text(&check, r.git, "the .gitsandbox setup writes", out.buf, out.len, project) < 0)
		die("BUG: %s", config_error());
	config_free(&check);
	if (advice.len)
		fputs(advice.buf, stderr);
	if (!do_write) {
		fputs(out.buf, stdout);
	} else {
		if (write_file_atomic(target, out.buf, out.len, 0644) < 0)
			die("'%s' was not written", target);
		printf("Wrote %s: %zu port group%s from", target, groups, groups == 1 ? "" : "s");
		for (i = 0; i < nfiles; i++)
			printf(" %s", files[i]);
		printf("; read it, then commit it\n");
	}
	free(target);
	free(project);
	free_strings(files, nfiles);
	compose_setup_free(&cs);
	strbuf_release(&out);
	strbuf_release(&advice);
	strbuf_release(&err);
	repo_close(&r);
	return stdout_done();
}

const struct cmd_entry cmd_setup_entry = {
	"setup", "write a .gitsandbox from the project's compose file", usage, opts,
	CMD_NO_STATE, 0, -1, NULL, cmd_setup
};
