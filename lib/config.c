#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "repo.h"
#include "strbuf.h"
#include "util.h"

/*
 * What went wrong, for the caller to report: "fatal: bad config ..." from a
 * command, a failed check from doctor.
 */
static struct strbuf last_error = STRBUF_INIT;

static int cfg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cfg_error(const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&last_error);
	va_start(ap, fmt);
	strbuf_vaddf(&last_error, fmt, ap);
	va_end(ap);
	return -1;
}

const char *config_error(void)
{
	return last_error.len ? last_error.buf : "invalid configuration";
}

/*
 * Every value of every layer, lowest priority first; lookups take the last
 * one. Keeping the layers flat lets `git -c` (which libgit2 1.5 ignores)
 * sit on top like any other layer.
 */
struct entry {
	char *key;		/* section.[subsection.]name, section and name lower-case */
	char *value;		/* NULL: a boolean key with no '=' */
	const char *src;	/* for messages: which file or "git -c" */
	enum config_origin origin;
};

struct layers {
	struct entry *e;
	size_t n, alloc;
	char *srcs[8];		/* owned names of the sources */
	size_t nsrcs;
};

static const char *add_src(struct layers *l, char *name)
{
	if (l->nsrcs == ARRAY_SIZE(l->srcs))
		die("too many configuration sources");
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

static void push(struct layers *l, const char *key, const char *value, const char *src,
		 enum config_origin origin)
{
	struct entry *e;

	ALLOC_GROW(l->e, l->n + 1, l->alloc);
	e = &l->e[l->n++];
	e->key = xstrdup(key);
	canonical_key(e->key);
	e->value = value ? xstrdup(value) : NULL;
	e->src = src;
	e->origin = origin;
}

static int add_git_config(struct layers *l, git_config *cfg, const char *src,
			  enum config_origin origin)
{
	git_config_iterator *it;
	git_config_entry *ce;
	int r;

	if (git_config_iterator_new(&it, cfg) < 0)
		return cfg_error("cannot read %s: %s", src, git_error_last()->message);
	while (!(r = git_config_next(&ce, it)))
		push(l, ce->name, ce->value, src, origin);
	git_config_iterator_free(it);
	if (r != GIT_ITEROVER)
		return cfg_error("cannot read %s: %s", src, git_error_last()->message);
	return 0;
}

/* Read one sq-quoted word of GIT_CONFIG_PARAMETERS ('a'\''b' -> a'b). */
static const char *sq_word(const char *p, struct strbuf *out)
{
	if (*p != '\'')
		return NULL;
	for (;;) {
		p++;
		while (*p && *p != '\'')
			strbuf_addch(out, *p++);
		if (!*p)
			return NULL;
		p++;
		if (p[0] == '\\' && p[1] == '\'' && p[2] == '\'') {
			strbuf_addch(out, '\'');
			p += 2;
			continue;
		}
		return p;
	}
}

int config_parse_parameters(const char *text, char ***keys, char ***values, size_t *n)
{
	struct strbuf w = STRBUF_INIT, v = STRBUF_INIT;
	size_t kalloc = 0, valloc = 0;
	const char *p = text;

	*keys = *values = NULL;
	*n = 0;
	for (;;) {
		char *k, *val = NULL;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		strbuf_reset(&w);
		if (!(p = sq_word(p, &w)))
			goto bad;
		if (*p == '=') {
			/* new style: 'key'='value' (or 'key'= for an empty value) */
			p++;
			strbuf_reset(&v);
			if (*p == '\'') {
				if (!(p = sq_word(p, &v)))
					goto bad;
			}
			k = xstrdup(w.buf);
			val = xstrdup(v.buf);
		} else {
			/* old style: 'key=value', or 'key' alone for true */
			char *eq = strchr(w.buf, '=');

			if (eq) {
				k = xstrndup(w.buf, eq - w.buf);
				val = xstrdup(eq + 1);
			} else {
				k = xstrdup(w.buf);
			}
		}
		ALLOC_GROW(*keys, *n + 1, kalloc);
		ALLOC_GROW(*values, *n + 1, valloc);
		(*keys)[*n] = k;
		(*values)[*n] = val;
		(*n)++;
	}
	strbuf_release(&w);
	strbuf_release(&v);
	return 0;
bad:
	strbuf_release(&w);
	strbuf_release(&v);
	free_strings(*keys, *n);
	free_strings(*values, *n);
	*keys = *values = NULL;
	*n = 0;
	return -1;
}

static int add_command_line(struct layers *l)
{
	const char *params = getenv("GIT_CONFIG_PARAMETERS"), *count = getenv("GIT_CONFIG_COUNT");
	const char *src = "the command line (git -c)";
	char **keys, **values;
	size_t i, n;
	long cnt;
	int ret = 0;

	if (count && *count) {
		if (parse_int(count, 0, 100000, &cnt) < 0)
			return cfg_error("bogus GIT_CONFIG_COUNT '%s'", count);
		for (i = 0; i < (size_t)cnt; i++) {
			char kn[40], vn[40];
			const char *k, *v;

			snprintf(kn, sizeof(kn), "GIT_CONFIG_KEY_%zu", i);
			snprintf(vn, sizeof(vn), "GIT_CONFIG_VALUE_%zu", i);
			k = getenv(kn);
			v = getenv(vn);
			if (!k || !v)
				return cfg_error("missing %s or %s", kn, vn);
			if (!strchr(k, '.'))
				return cfg_error("bogus config key '%s' in %s", k, kn);
			push(l, k, v, src, ORIGIN_COMMAND_LINE);
		}
	}
	if (!params || !*params)
		return 0;
	if (config_parse_parameters(params, &keys, &values, &n) < 0)
		return cfg_error("bogus format in GIT_CONFIG_PARAMETERS");
	for (i = 0; i < n && !ret; i++) {
		if (!strchr(keys[i], '.'))
			ret = cfg_error("bogus config parameter '%s'", keys[i]);
		else
			push(l, keys[i], values[i], src, ORIGIN_COMMAND_LINE);
	}
	free_strings(keys, n);
	free_strings(values, n);
	return ret;
}

static int load_layers(struct layers *l, git_repository *repo, const char *file)
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

	if (file && !access(file, F_OK)) {
		const char *src = add_src(l, xasprintf("'%s'", file));

		if (git_config_open_ondisk(&cfg, file) < 0)
			return cfg_error("invalid %s: %s", src, git_error_last()->message);
		ret = add_git_config(l, cfg, src, ORIGIN_PROJECT);
		git_config_free(cfg);
		if (ret)
			return ret;
	}
	if ((repo ? git_repository_config(&cfg, repo) : git_config_open_default(&cfg)) < 0)
		return cfg_error("cannot read git config: %s", git_error_last()->message);
	for (i = 0; i < ARRAY_SIZE(levels) && !ret; i++) {
		const char *src;

		if (git_config_open_level(&lvl, cfg, levels[i].level) < 0)
			continue;	/* no such file */
		if (levels[i].name)
			src = levels[i].name;
		else if (!repo)
			break;
		else
			src = add_src(l, xasprintf("'%sconfig'", git_repository_commondir(repo)));
		ret = add_git_config(l, lvl, src, ORIGIN_USER);
		git_config_free(lvl);
	}
	git_config_free(cfg);
	git_error_clear();
	if (!ret)
		ret = add_command_line(l);
	return ret;
}

static void free_layers(struct layers *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].key);
		free(l->e[i].value);
	}
	free(l->e);
	for (i = 0; i < l->nsrcs; i++)
		free(l->srcs[i]);
}

/* --- interpretation ---------------------------------------------------- */

static const char *const sandbox_keys[] = {
	"project", "compose", "envfile", "slots", "remote", "composecommand", "copy", "trust", NULL
};
static const char *const port_keys[] = {
	"var", "base", "step", "main", "count", "health", "wait", NULL
};
static const char *const secrets_keys[] = { "item", "vault", "account", "ttl", NULL };
static const char *const secret_keys[] = { "var", "default", NULL };
static const char *const hook_keys[] = { "postcreate", "preup", "postup", "predestroy", NULL };

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* The layered entries live in cfg while loading; freed afterwards. */
struct loader {
	struct sb_config *cfg;
	struct layers l;
};

static int bad(const struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const struct entry *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cfg_error("bad config in %s: %s: %s", e->src, e->key, sb.buf);
	strbuf_release(&sb);
	return -1;
}

static int valid_var(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int need_value(const struct entry *e)
{
	if (!e->value)
		return bad(e, "missing value");
	return 0;
}

static int set_str(const struct entry *e, char **dst)
{
	if (need_value(e))
		return -1;
	free(*dst);
	*dst = xstrdup(e->value);
	return 0;
}

static int set_long(const struct entry *e, long min, long max, long *dst)
{
	if (need_value(e))
		return -1;
	if (parse_int(e->value, min, max, dst) < 0)
		return bad(e, "'%s' is not a number from %ld to %ld", e->value, min, max);
	return 0;
}

static struct port_group *port_group(struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;
	struct port_group *g;

	for (i = 0; i < cfg->nports; i++)
		if (strlen(cfg->ports[i].name) == len && !strncmp(cfg->ports[i].name, name, len))
			return &cfg->ports[i];
	cfg->ports = xrealloc(cfg->ports, (cfg->nports + 1) * sizeof(*cfg->ports));
	g = &cfg->ports[cfg->nports++];
	memset(g, 0, sizeof(*g));
	g->name = xstrndup(name, len);
	g->base = g->main = -1;
	g->step = 1;
	g->count = 1;
	return g;
}

static struct secret_def *secret_def(struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;
	struct secret_def *s;

	for (i = 0; i < cfg->nsecrets; i++)
		if (strlen(cfg->secrets[i].name) == len && !strncmp(cfg->secrets[i].name, name, len))
			return &cfg->secrets[i];
	cfg->secrets = xrealloc(cfg->secrets, (cfg->nsecrets + 1) * sizeof(*cfg->secrets));
	s = &cfg->secrets[cfg->nsecrets++];
	memset(s, 0, sizeof(*s));
	s->name = xstrndup(name, len);
	return s;
}

static int apply_port(struct sb_config *cfg, const struct entry *e, const char *sub, size_t len,
		      const char *name)
{
	struct port_group *g;

	if (!in_list(port_keys, name))
		return bad(e, "unknown key (known: var, base, step, main, count, health, wait)");
	g = port_group(cfg, sub, len);
	if (!strcmp(name, "var")) {
		if (set_str(e, &g->var))
			return -1;
		if (!valid_var(g->var))
			return bad(e, "'%s' is not a valid environment variable name", g->var);
		return 0;
	}
	if (!strcmp(name, "base"))
		return set_long(e, 1, 65535, &g->base);
	if (!strcmp(name, "main"))
		return set_long(e, 1, 65535, &g->main);
	if (!strcmp(name, "step"))
		return set_long(e, 1, 65535, &g->step);
	if (!strcmp(name, "count"))
		return set_long(e, 1, MAX_PORT_COUNT, &g->count);
	if (!strcmp(name, "health")) {
		if (set_str(e, &g->health))
			return -1;
		if (g->health[0] != '/' || strpbrk(g->health, " \t\r\n"))
			return bad(e, "'%s' is not an HTTP path (it must start with '/')", g->health);
		return 0;
	}
	/* wait */
	if (need_value(e))
		return -1;
	if (!strcmp(e->value, "tcp"))
		g->wait_tcp = 1;
	else if (!strcmp(e->value, "none"))
		g->wait_tcp = 0;
	else
		return bad(e, "'%s' is not a wait kind (tcp or none)", e->value);
	return 0;
}

static int apply(struct sb_config *cfg, const struct entry *e)
{
	const char *key = e->key, *dot = strchr(key, '.'), *last = strrchr(key, '.');
	const char *name, *sub;
	size_t seclen, sublen;

	if (!dot)
		return 0;
	seclen = dot - key;
	name = last + 1;
	sub = dot + 1;
	sublen = last > dot ? (size_t)(last - dot - 1) : 0;
#define SECTION(s) (seclen == strlen(s) && !strncmp(key, s, seclen))
	if (SECTION("sandbox")) {
		if (sublen || last != dot)
			return bad(e, "unknown key");
		if (!in_list(sandbox_keys, name))
			return bad(e, "unknown key (known: project, compose, envFile, slots, remote, composeCommand, copy)");
		if (!strcmp(name, "project"))
			return set_str(e, &cfg->project);
		if (!strcmp(name, "compose"))
			return set_str(e, &cfg->compose);
		if (!strcmp(name, "envfile"))
			return set_str(e, &cfg->env_file);
		if (!strcmp(name, "slots"))
			return set_long(e, 1, MAX_SLOTS, &cfg->slots);
		if (!strcmp(name, "remote"))
			return set_str(e, &cfg->remote);
		if (!strcmp(name, "composecommand"))
			return set_str(e, &cfg->compose_command);
		if (!strcmp(name, "trust")) {
			/* a project file cannot vouch for itself */
			if (e->origin == ORIGIN_PROJECT)
				return bad(e, "sandbox.trust belongs in your own git config, not in the project file");
			if (need_value(e))
				return -1;
			cfg->trusted = xrealloc(cfg->trusted, (cfg->ntrusted + 1) * sizeof(char *));
			cfg->trusted[cfg->ntrusted++] = xstrdup(e->value);
			return 0;
		}
		/* copy: multi-valued */
		if (need_value(e))
			return -1;
		cfg->copy = xrealloc(cfg->copy, (cfg->ncopy + 1) * sizeof(*cfg->copy));
		cfg->copy[cfg->ncopy].value = xstrdup(e->value);
		cfg->copy[cfg->ncopy++].origin = e->origin;
		return 0;
	}
	if (SECTION("port")) {
		size_t k;

		if (last == dot || !sublen)
			return bad(e, "a port group needs a name: [port \"<name>\"]");
		for (k = 0; k < sublen; k++)
			if (!isalnum((unsigned char)sub[k]) && !strchr("._-", sub[k]))
				return bad(e, "a port group name has only letters, digits, '.', '_' and '-'");
		return apply_port(cfg, e, sub, sublen, name);
	}
	if (SECTION("secrets")) {
		if (last != dot)
			return bad(e, "unknown key");
		if (!in_list(secrets_keys, name))
			return bad(e, "unknown key (known: item, vault, account, ttl)");
		if (!strcmp(name, "item"))
			return set_str(e, &cfg->secrets_item);
		if (!strcmp(name, "vault"))
			return set_str(e, &cfg->secrets_vault);
		if (!strcmp(name, "account"))
			return set_str(e, &cfg->secrets_account);
		if (need_value(e))
			return -1;
		if ((cfg->secrets_ttl = parse_duration(e->value)) < 0)
			return bad(e, "'%s' is not a duration (like 90s, 15m, 12h, 2d)", e->value);
		return 0;
	}
	if (SECTION("secret")) {
		struct secret_def *s;

		if (last == dot || !sublen)
			return bad(e, "a secret needs a field label: [secret \"<label>\"]");
		if (!in_list(secret_keys, name))
			return bad(e, "unknown key (known: var, default)");
		s = secret_def(cfg, sub, sublen);
		if (!strcmp(name, "default"))
			return set_str(e, &s->def);
		if (set_str(e, &s->var))
			return -1;
		if (!valid_var(s->var))
			return bad(e, "'%s' is not a valid environment variable name", s->var);
		return 0;
	}
	if (SECTION("color") && last == dot && (!strcmp(name, "ui") || !strcmp(name, "sandbox"))) {
		int v = -1;

		if (!e->value || !strcasecmp(e->value, "always") || !strcasecmp(e->value, "true") ||
		    !strcmp(e->value, "1") || !strcasecmp(e->value, "yes") || !strcasecmp(e->value, "on"))
			v = e->value && !strcasecmp(e->value, "always") ? 1 : -1;
		else if (!strcasecmp(e->value, "never") || !strcasecmp(e->value, "false") ||
			 !strcmp(e->value, "0") || !strcasecmp(e->value, "no") || !strcasecmp(e->value, "off"))
			v = 0;
		/* color.sandbox wins over color.ui whatever the order */
		if (!strcmp(name, "sandbox") || !cfg->color_sandbox_set)
			cfg->color = v;
		if (!strcmp(name, "sandbox"))
			cfg->color_sandbox_set = 1;
		return 0;
	}
	if (SECTION("hook") && last == dot) {
		struct config_value *h;

		/* git's own hook.<name>.<key> has a subsection; ours have none */
		if (!in_list(hook_keys, name))
			return bad(e, "unknown key (known: postCreate, preUp, postUp, preDestroy)");
		if (need_value(e))
			return -1;
		h = !strcmp(name, "postcreate") ? &cfg->hook_post_create :
		    !strcmp(name, "preup") ? &cfg->hook_pre_up :
		    !strcmp(name, "postup") ? &cfg->hook_post_up : &cfg->hook_pre_destroy;
		free(h->value);
		h->value = xstrdup(e->value);
		h->origin = e->origin;
		return 0;
	}
#undef SECTION
	return 0;
}

long port_of(const struct port_group *g, long slot, long i)
{
	return slot ? g->base + g->step * slot + i : g->main + i;
}

/* a port's first two holders */
struct port_use {
	size_t group;
	long slot;
};

static const char *reserved_vars[] = {
	"SANDBOX_NAME", "SANDBOX_SLOT", "SANDBOX_PROJECT", "SANDBOX_PATH", "COMPOSE_PROJECT_NAME", NULL
};

int config_validate(struct sb_config *cfg)
{
	const char *where = cfg->file;
	struct port_use (*held)[2];
	unsigned char *nheld;
	size_t i, j;
	long port;
	int ret = 0;

	for (i = 0; i < cfg->nports; i++) {
		struct port_group *g = &cfg->ports[i];

		if (!g->var)
			return cfg_error("bad config in '%s': port.%s.var is missing", where, g->name);
		if (g->base < 0)
			return cfg_error("bad config in '%s': port.%s.base is missing", where, g->name);
		if (g->main < 0)
			g->main = g->base;
		if (g->main + g->count - 1 > 65535)
			return cfg_error("bad config in '%s': port.%s: slot 0 reaches port %ld, above 65535",
				     where, g->name, g->main + g->count - 1);
		if (g->base + g->step * cfg->slots + g->count - 1 > 65535)
			return cfg_error("bad config in '%s': port.%s: slot %ld reaches port %ld, above 65535",
				     where, g->name, cfg->slots,
				     g->base + g->step * cfg->slots + g->count - 1);
		if (g->count > 1 && g->step < g->count)
			return cfg_error("bad config in '%s': port.%s: step %ld is less than count %ld, so slots %d and %d overlap",
				     where, g->name, g->step, g->count, 1, 2);
		for (j = 0; reserved_vars[j]; j++)
			if (!strcmp(g->var, reserved_vars[j]))
				return cfg_error("bad config in '%s': port.%s.var: %s is set by git-sandbox itself",
					     where, g->name, g->var);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].var, g->var))
				return cfg_error("bad config in '%s': port.%s.var and port.%s.var are both %s",
					     where, cfg->ports[j].name, g->name, g->var);
	}
	for (i = 0; i < cfg->nsecrets; i++) {
		if (!cfg->secrets[i].var)
			return cfg_error("bad config in '%s': secret.%s.var is missing", where, cfg->secrets[i].name);
		for (j = 0; j < cfg->nports; j++)
			if (!strcmp(cfg->ports[j].var, cfg->secrets[i].var))
				return cfg_error("bad config in '%s': secret.%s.var and port.%s.var are both %s",
					     where, cfg->secrets[i].name, cfg->ports[j].name,
					     cfg->secrets[i].var);
	}
	if (cfg->nsecrets && !cfg->secrets_item)
		return cfg_error("bad config in '%s': [secret] fields are set but secrets.item is missing", where);

	/*
	 * every port of every group in every slot, in group then slot order:
	 * the lowest port with a second holder is the clash to report. One
	 * pass, no sort, however many groups the file has.
	 */
	held = xcalloc(65536, sizeof(*held));
	nheld = xcalloc(65536, 1);
	for (i = 0; i < cfg->nports; i++) {
		long s, k;

		for (s = 0; s <= cfg->slots; s++)
			for (k = 0; k < cfg->ports[i].count; k++) {
				port = port_of(&cfg->ports[i], s, k);
				if (nheld[port] < 2)
					held[port][nheld[port]++] = (struct port_use){ i, s };
			}
	}
	for (port = 1; port <= 65535; port++) {
		struct port_use *a = &held[port][0], *b = &held[port][1];

		if (nheld[port] < 2)
			continue;
		if (a->group == b->group)
			ret = cfg_error("bad config in '%s': port.%s: slot %ld and slot %ld both get port %ld",
				    where, cfg->ports[a->group].name, a->slot, b->slot, port);
		else
			ret = cfg_error("bad config in '%s': port groups '%s' and '%s' collide: port %ld is '%s' in slot %ld and '%s' in slot %ld",
				    where, cfg->ports[a->group].name, cfg->ports[b->group].name, port,
				    cfg->ports[a->group].name, a->slot, cfg->ports[b->group].name, b->slot);
		break;
	}
	free(held);
	free(nheld);
	return ret;
}

static int valid_project(const char *s)
{
	if (!*s || *s == '-' || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

static int load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project)
{
	struct layers l = { 0 };
	size_t i;
	int ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->file = path_join(worktree, ".gitsandbox");
	cfg->has_file = !access(cfg->file, F_OK);
	cfg->slots = 10;
	cfg->secrets_ttl = 12 * 3600;
	cfg->color = -1;
	if (load_layers(&l, repo, cfg->file) < 0) {
		free_layers(&l);
		return -1;
	}
	for (i = 0; i < l.n && !ret; i++)
		ret = apply(cfg, &l.e[i]);
	free_layers(&l);
	if (ret)
		return -1;
	if (!cfg->project)
		cfg->project = xstrdup(default_project);
	if (!valid_project(cfg->project))
		return cfg_error("bad config in '%s': sandbox.project '%s' must be 1-64 characters of [A-Za-z0-9._-], not starting with '-' or '.'",
			     cfg->file, cfg->project);
	if (!cfg->compose)
		cfg->compose = xstrdup("docker-compose.sandbox.yml");
	if (!cfg->env_file)
		cfg->env_file = xstrdup(".env.sandbox");
	if (strchr(cfg->env_file, '/') || !strcmp(cfg->env_file, ".") || !strcmp(cfg->env_file, ".."))
		return cfg_error("bad config in '%s': sandbox.envFile '%s' must be a file name in the worktree",
			     cfg->file, cfg->env_file);
	return config_validate(cfg);
}

int config_load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project)
{
	if (!load(cfg, repo, worktree, default_project))
		return 0;
	config_free(cfg);	/* a failed load leaves nothing allocated */
	return -1;
}

void config_free(struct sb_config *cfg)
{
	size_t i;

	free(cfg->file);
	free(cfg->project);
	free(cfg->compose);
	free(cfg->env_file);
	free(cfg->remote);
	free(cfg->compose_command);
	for (i = 0; i < cfg->nports; i++) {
		free(cfg->ports[i].name);
		free(cfg->ports[i].var);
		free(cfg->ports[i].health);
	}
	free(cfg->ports);
	free(cfg->secrets_item);
	free(cfg->secrets_vault);
	free(cfg->secrets_account);
	for (i = 0; i < cfg->nsecrets; i++) {
		free(cfg->secrets[i].name);
		free(cfg->secrets[i].var);
		free(cfg->secrets[i].def);
	}
	free(cfg->secrets);
	for (i = 0; i < cfg->ncopy; i++)
		free(cfg->copy[i].value);
	free(cfg->copy);
	free_strings(cfg->trusted, cfg->ntrusted);
	free(cfg->hook_post_create.value);
	free(cfg->hook_pre_up.value);
	free(cfg->hook_post_up.value);
	free(cfg->hook_pre_destroy.value);
	memset(cfg, 0, sizeof(*cfg));
}

int config_color(void)
{
	struct sb_config cfg;
	struct layers l = { 0 };
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.color = -1;
	sb_libgit2_init();
	if (load_layers(&l, NULL, NULL) == 0)
		for (i = 0; i < l.n; i++)
			if (starts_with(l.e[i].key, "color."))
				apply(&cfg, &l.e[i]);
	free_layers(&l);
	git_error_clear();
	return cfg.color;
}
