#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stack.h"
#include "util.h"

void stack_list_load(struct stack_list *l)
{
	memset(l, 0, sizeof(*l));
}

void stack_list_free(struct stack_list *l)
{
	memset(l, 0, sizeof(*l));
}

const char *sandbox_status(const struct stack_list *l, const char *path, const char *gitdir,
			   const char *project)
{
	struct stat st;
	char *head;
	int gone;

	(void)project;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !*gitdir)
		return "missing";
	head = path_join(gitdir, "HEAD");
	gone = stat(head, &st) < 0;
	free(head);
	if (gone)
		return "missing";
	if (!l->reachable)
		return "unknown";
	return "stopped";
}

int stack_destroy(const struct sandbox *sb)
{
	(void)sb;
	return 0;
}
