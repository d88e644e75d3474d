/* gitlayers.c: the configuration's layers read into one flat list (gitlayers.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gitconfig.h"
#include "gitlayers.h"
#include "gitparams.h"
#include "util.h"

/* the name of a source, kept until the layers are freed; NULL when there are too many */
static const char *add_src(struct gitlayers *l, char *name, struct strbuf *why)
{
	if (l->nsrcs == ARRAY_SIZE(l->srcs)) {
		free(name);
		strbuf_addstr(why, "too many configuration sources");
		return NULL;
	}
	return l->srcs[l->nsrcs++] = name;
}

static void canonical_key(char *key)
{
	char *dot = strchr(key, '.'), *last = strrchr(key, '.'), *p;

	for (p = key; *p && p != dot; p++)
		*p = tolower((unsigned char)*p);
	if (last)
		for (p = last; *p; p++)
			*p = tolower((unsigned char)*p);
}

static void push(struct gitlayers *l, const char *key, const char *value, const char *src,
		 enum config_origin origin)
{
	struct gitlayer_entry *e;

	ALLOC_GROW(l->e, l->n + 1, l->alloc);
	e = &l->e[l->n++];
	e->key = xstrdup(key);
	canonical_key(e->key);
	e->value = value ? xstrdup(value) : NULL;
	e->src = src;
	e->origin = origin;
}

static int add_git_config(struct gitlayers *l, git_config *cfg, const char *src,
			  struct strbuf *why)
{
	git_config_iterator *it;
	git_config_entry *ce;
	int r;

	if (git_config_iterator_new(&it, cfg) < 0) {
		strbuf_addf(why, "cannot read %s: %s", src, git_error_last()->message);
		return -1;
	}
	while (!(r = git_config_next(&ce, it)))
		push(l, ce->name, ce->value, src, ORIGIN_USER);
	git_config_iterator_free(it);
	if (r != GIT_ITEROVER) {
		strbuf_addf(why, "cannot read %s: %s", src, git_error_last()->message);
		return -1;
	}
	return 0;
}

static void command_line_value(const char *key, const char *value, void *data)
{
	push(data, key, value, "the command line (git -c)", ORIGIN_COMMAND_LINE);
}

/* the project file's values, parsed from the bytes that were hashed */
struct project_parse {
	struct gitlayers *l;
	const char *src;
	struct strbuf *why;
};

static int project_value(const char *key, const char *value, int line, void *data)
{
	struct project_parse *pp = data;

	/* an included file would escape the hash the trust is bound to */
	if (starts_with(key, "include.") || starts_with(key, "includeif.")) {
		strbuf_addf(pp->why, "bad config in %s, line %d: %s: a project file cannot include "
			    "other files; move their keys into it", pp->src, line, key);
		return -1;
	}
	push(pp->l, key, value, pp->src, ORIGIN_PROJECT);
	return 0;
}

static int add_project_file(struct gitlayers *l, const char *file, const char *text, size_t len,
			    struct strbuf *why)
{
	struct project_parse pp = { l, NULL, why };
	struct strbuf syntax = STRBUF_INIT;
	int ret;

	if (!(pp.src = add_src(l, xasprintf("'%s'", file), why)))
		return -1;
	ret = gitconfig_parse(text, len, project_value, &pp, &syntax);
	if (ret == -2)
		strbuf_addf(why, "invalid %s: %s", pp.src, syntax.buf);
	strbuf_release(&syntax);
	return ret ? -1 : 0;
}

/* the git config of repo (NULL: the user's and the system's only), then `git -c` */
static int add_above(struct gitlayers *l, git_repository *repo, struct strbuf *why)
{
	static const struct { git_config_level_t level; const char *name; } levels[] = {
		{ GIT_CONFIG_LEVEL_SYSTEM, "the system git config" },
		{ GIT_CONFIG_LEVEL_XDG, "the user's git config (~/.config/git/config)" },
		{ GIT_CONFIG_LEVEL_GLOBAL, "the user's git config (~/.gitconfig)" },
		{ GIT_CONFIG_LEVEL_LOCAL, NULL },
	};
	git_config *cfg, *lvl;
	size_t i;
	int ret = 0;

	if ((repo ? git_repository_config(&cfg, repo) : git_config_open_default(&cfg)) < 0) {
		strbuf_addf(why, "cannot read git config: %s", git_error_last()->message);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(levels) && !ret; i++) {
		const char *src;

		if (git_config_open_level(&lvl, cfg, levels[i].level) < 0)
			continue;	/* no such file */
		if (!levels[i].name && !repo) {
			git_config_free(lvl);	/* outside a repository: no local level */
			break;
		}
		src = levels[i].name ? levels[i].name :
		      add_src(l, xasprintf("'%sconfig'", git_repository_commondir(repo)), why);
		ret = src ? add_git_config(l, lvl, src, why) : -1;
		git_config_free(lvl);
	}
	git_config_free(cfg);
	git_error_clear();
	if (!ret)
		ret = gitparams_read(command_line_value, l, why);
	return ret;
}

int gitlayers_read(struct gitlayers *l, git_repository *repo, const char *file,
		   const char *text, size_t len, struct strbuf *why)
{
	if (text && add_project_file(l, file, text, len, why) < 0)
		return -1;
	return add_above(l, repo, why);
}

int gitlayers_read_above(struct gitlayers *above, git_repository *repo, struct strbuf *why)
{
	return add_above(above, repo, why);
}

int gitlayers_read_with(struct gitlayers *l, const struct gitlayers *above, const char *file,
			const char *text, size_t len, struct strbuf *why)
{
	size_t i;

	if (text && add_project_file(l, file, text, len, why) < 0)
		return -1;
	for (i = 0; i < above->n; i++)
		push(l, above->e[i].key, above->e[i].value, above->e[i].src, above->e[i].origin);
	return 0;
}

void gitlayers_free(struct gitlayers *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].key);
		free(l->e[i].value);
	}
	free(l->e);
	for (i = 0; i < l->nsrcs; i++)
		free(l->srcs[i]);
	memset(l, 0, sizeof(*l));
}
