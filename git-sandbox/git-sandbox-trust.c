/* git sandbox trust: let the hooks of this exact .gitsandbox run */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "hooks.h"
#include "opts.h"
#include "run.h"
#include "sandbox.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox trust",
	NULL
};

static void show(const struct config_value *h, const char *name)
{
	if (h->value && h->origin == ORIGIN_PROJECT)
		printf("  %-16s %s\n", name, h->value);
}

int main(int argc, char **argv)
{
	const struct opt opts[] = { OPT_END_() };
	struct sandbox sb;
	char *hash;

	progname = "git sandbox trust";
	if (parse_options(argc, argv, opts, usage, "git-sandbox-trust", 0))
		usage_msg(usage, "too many arguments");
	sandbox_open(&sb, NULL, 0);
	if (!sb.cfg.has_file)
		die("there is no project file '%s' to trust", sb.cfg.file);
	hash = project_file_hash(sb.cfg.file);
	if (!hash)
		die("cannot read '%s': %s", sb.cfg.file, read_file_strerror(errno));
	if (project_trusted(&sb.cfg)) {
		printf("%s is already trusted (sha256 %s)\n", sb.cfg.file, hash);
	} else {
		const char *git[] = { "git", "config", "--global", "--add", "sandbox.trust", hash, NULL };
		struct child c = CHILD_INIT;

		c.argv = git;
		c.no_stdin = 1;
		if (run_command(&c))
			die("could not record the trust in your global git config");
		printf("Trusted %s (sha256 %s)\n", sb.cfg.file, hash);
	}
	printf("Its hooks will run:\n");
	show(&sb.cfg.hook_post_create, "hook.postCreate");
	show(&sb.cfg.hook_pre_up, "hook.preUp");
	show(&sb.cfg.hook_post_up, "hook.postUp");
	show(&sb.cfg.hook_pre_destroy, "hook.preDestroy");
	printf("A change to the file needs 'git sandbox trust' again.\n");
	free(hash);
	sandbox_close(&sb);
	return 0;
}
