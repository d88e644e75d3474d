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
	struct compose c;
	struct sandbox sb;

	progname = "git sandbox down";
	if (parse_options(argc, argv, opts, usage, "git-sandbox-down", 0))
		usage_msg(usage, "too many arguments");
	sandbox_open(&sb, NULL, SB_NEED_SLOT);
	stack_lock(&sb);
	stack_list_need(&stacks);
	stack_list_free(&stacks);
	stack_compose(&c, &sb, NULL);
	ret = compose_run(&c, compose_down_args(args, volumes));
	stack_compose_free(&c);
	if (ret)
		exit(EXIT_FATAL);
	printf("Sandbox '%s' is down%s\n", sb.name, volumes ? ", its volumes removed" : "");
	sandbox_close(&sb);
	return 0;
}
