/* git sandbox trust: let this exact .gitsandbox choose programs, files and secrets here */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "copy.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "strbuf.h"
#include "trust.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox trust [--show | --revoke]",
	NULL
};

static void show_keys(const struct sb_config *cfg, const char *intro)
{
	size_t i;

	if (!cfg->nneeds_trust) {
		printf("It sets nothing that needs trust.\n");
		return;
	}
	printf("%s\n", intro);
	for (i = 0; i < cfg->nneeds_trust; i++) {
		printf("  %-22s ", cfg->needs_trust[i].key);
		trust_print_value(stdout, cfg->needs_trust[i].value);
		putchar('\n');
	}
}

static int git_config_global(const char *const *argv)
{
	struct child c = CHILD_INIT;

	c.argv = argv;
	c.no_stdin = 1;
	return run_command(&c);
}

static void revoke(const struct sandbox *sb)
{
	size_t i, n = 0;

	for (i = 0; i < sb->cfg.ntrust; i++) {
		const char *argv[] = { "git", "config", "--global", "--fixed-value", "--unset-all",
				       "sandbox.trust", sb->cfg.trust[i], NULL };
		int r;

		if (!trust_is_for(sb->cfg.trust[i], sb->repo.commondir))
			continue;
		r = git_config_global(argv);
		if (r == 5)	/* not in the global file: another layer has it */
			warning("cannot revoke '%s': it is not in your global git config "
				"(see 'git config --show-origin --get-all sandbox.trust')", sb->cfg.trust[i]);
		else if (r)
			die("could not remove a sandbox.trust value from your global git config");
		else
			n++;
	}
	if (n)
		printf("Revoked the trust of %zu version%s of the project file for %s\n",
		       n, n == 1 ? "" : "s", sb->repo.commondir);
	else
		printf("No trust to revoke for %s\n", sb->repo.commondir);
}

/*
 * A sandbox.copy value of the file that create would refuse: trusting it
 * would only move the refusal to create (values of your own config are
 * not the file's)
 */
static void refuse_bad_copy(const struct sb_config *cfg)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;

	for (i = 0; i < cfg->ncopy; i++)
		if (cfg->copy[i].origin == ORIGIN_PROJECT &&
		    copy_check_value(cfg->copy[i].value, &why) < 0)
			die("bad config in '%s': %s", cfg->file, why.buf);
	strbuf_release(&why);
}

static int show, do_revoke;
static const struct opt opts[] = {
	OPT_BOOL_(0, "show", &show, "say whether the file is trusted; change nothing"),
	OPT_BOOL_(0, "revoke", &do_revoke, "remove the trust of this repository"),
	OPT_END_(),
};

static void check_trust(struct cmd_ctx *ctx)
{
	if (show && do_revoke)
		cmd_usage_error(ctx, "--show and --revoke cannot go together");
}

static int cmd_trust(struct cmd_ctx *ctx)
{
	struct sandbox *sb = &ctx->sb;
	int ret = 0;

	if (!do_revoke && !show)
		refuse_bad_copy(&sb->cfg);	/* none without a file */
	if (do_revoke) {
		revoke(sb);
	} else if (!sb->cfg.has_file) {
		die("there is no project file '%s' to trust", sb->cfg.file);
	} else if (show) {
		printf("%s (sha256 %s) is %strusted for %s\n", sb->cfg.file, sb->cfg.file_hash,
		       sb->cfg.trusted ? "" : "not ", sb->repo.commondir);
		show_keys(&sb->cfg, sb->cfg.trusted ? "These keys of it are honoured:" :
			  "These keys of it are ignored or refused until you trust it:");
		ret = !sb->cfg.trusted;
	} else {
		char *v = trust_value(sb->cfg.file_hash, sb->repo.commondir);
		const char *add[] = { "git", "config", "--global", "--add", "sandbox.trust", v, NULL };

		if (sb->cfg.trusted)
			printf("%s is already trusted for %s (sha256 %s)\n", sb->cfg.file,
			       sb->repo.commondir, sb->cfg.file_hash);
		else if (git_config_global(add))
			die("could not record the trust in your global git config");
		else
			printf("Trusted %s for %s (sha256 %s)\n", sb->cfg.file, sb->repo.commondir,
			       sb->cfg.file_hash);
		show_keys(&sb->cfg, "These keys of it are honoured:");
		printf("A change to the file needs 'git sandbox trust' again.\n");
		free(v);
	}
	return ret;
}

const struct cmd_entry cmd_trust_entry = {
	"trust", "let this exact .gitsandbox choose programs, files and secrets here", usage, opts,
	CMD_SANDBOX, SB_REVIEW | SB_NO_ENGINE, 0, check_trust, cmd_trust
};
