/* color.c: color.sandbox and color.ui (color.h). */
#include <string.h>
#include <strings.h>

#include "color.h"
#include "gitlayers.h"
#include "repo.h"
#include "util.h"

static int is_true(const char *v)
{
	return !strcasecmp(v, "always") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	       !strcasecmp(v, "yes") || !strcasecmp(v, "on");
}

static int is_false(const char *v)
{
	return !strcasecmp(v, "never") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	       !strcasecmp(v, "no") || !strcasecmp(v, "off");
}

void color_set(int *color, int *sandbox_set, const char *name, const char *value)
{
	int v = -1;

	if (strcmp(name, "ui") && strcmp(name, "sandbox"))
		return;
	if (!value || is_true(value))
		v = value && !strcasecmp(value, "always") ? 1 : -1;
	else if (is_false(value))
		v = 0;
	/* color.sandbox wins over color.ui whatever the order */
	if (!strcmp(name, "sandbox") || !*sandbox_set)
		*color = v;
	if (!strcmp(name, "sandbox"))
		*sandbox_set = 1;
}

int config_color(void)
{
	struct gitlayers l = GITLAYERS_INIT;
	struct strbuf why = STRBUF_INIT;
	int color = -1, sandbox_set = 0;
	size_t i;

	sb_libgit2_init();
	if (gitlayers_read(&l, NULL, NULL, NULL, 0, &why) == 0)
		for (i = 0; i < l.n; i++)
			if (starts_with(l.e[i].key, "color.") && !strchr(l.e[i].key + 6, '.'))
				color_set(&color, &sandbox_set, l.e[i].key + 6, l.e[i].value);
	gitlayers_free(&l);
	strbuf_release(&why);
	git_error_clear();
	return color;
}
