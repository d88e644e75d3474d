/* git sandbox down: stop the stack (keep volumes unless -v) */
#include <stdio.h>
#include <stdlib.h>

#include "compose.h"
#include "opts.h"
#include "sandbox.h"
#include "stack.h"
#include "util.h"

static const char *const usage[] = {
	"git sandbox down [-v | --volumes]",
	NULL
};

int main(int argc, char **argv)
{
	int volumes = 0, ret;
	const struct opt opts[] = {
		OPT_BOOL_('v', "volumes", &volumes),
		OPT_END_(),
	};
	const char *args[COMPOSE_MAX_ARGS];
	struct stack_list stacks;
	struct stack_ident si;
	enum stack_kind kind;
	struct compose c;
	struct sandbox sb;

	progname = "git sandbox down";
	if (parse_options(argc, argv, opts, usage, "git-sandbox-down", 0))
		usage_msg(usage, "too many arguments");
	sandbox_open(&sb, NULL, SB_NEED_SLOT);
	stack_lock(&sb);
	if (stack_ident_load(&sb, &si) < 0)
		exit(EXIT_FATAL);
	kind = stack_kind(&sb.cfg, sb.path, &si);
	if (kind != STACK_YES) {
		if (stack_none_left(&sb, &si, kind) < 0) {
			fprintf(stderr, "hint: put the compose file back to take them down, or "
				"'git sandbox destroy' removes them with the sandbox\n");
			exit(EXIT_FATAL);
		}
		printf("Sandbox '%s' has no stack (no %s): nothing to stop\n", sb.name, sb.cfg.compose[0]);
		stack_ident_free(&si);
		sandbox_close(&sb);
		return 0;
	}
	stack_list_need(&stacks);
	if (stack_claim(&si, sb.project, sb.path, &stacks.containers, 0) < 0)
		exit(EXIT_FATAL);
	stack_list_free(&stacks);
	/* every profile's services: down means the whole stack */
	stack_compose(&c, &sb, &si, STACK_COMPOSE_ALL_PROFILES);
	/* compose's -v would remove the project's volumes by name: not ours to judge */
	ret = compose_run(&c, compose_down_args(args, 0));
	stack_compose_free(&c);
	if (ret)
		exit(EXIT_FATAL);
	if (volumes) {
		stack_list_need(&stacks);
		ret = stack_remove(&si, sb.project, sb.path, &stacks.containers, 1, 0);
		stack_list_free(&stacks);
		if (ret < 0)
			exit(EXIT_FATAL);
	}
	stack_ident_free(&si);
	printf("Sandbox '%s' is down%s\n", sb.name, volumes ? ", its volumes removed" : "");
	sandbox_close(&sb);
	return 0;
}
