#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "derive.h"
#include "gitconfig.h"
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

/* Read one sq-quoted word of GIT_CONFIG_PARAMETERS ('a'\''b' -> a'b, 'a'\!'b' -> a!b). */
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
		/* git's sq_quote writes ' and ! as '\'' and '\!' */
		if (p[0] == '\\' && (p[1] == '\'' || p[1] == '!') && p[2] == '\'') {
			strbuf_addch(out, p[1]);
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

/* the project file's values, parsed from the bytes that were hashed */
struct project_parse {
	struct layers *l;
	const char *src;
};

static int project_value(const char *key, const char *value, int line, void *data)
{
	struct project_parse *pp = data;

	/* an included file would escape the hash the trust is bound to */
	if (starts_with(key, "include.") || starts_with(key, "includeif."))
		return cfg_error("bad config in %s, line %d: %s: a project file cannot include other files; "
				 "move their keys into it", pp->src, line, key);
	push(pp->l, key, value, pp->src, ORIGIN_PROJECT);
	return 0;
}

static int load_layers(struct layers *l, git_repository *repo, const char *file,
		       const char *text, size_t len)
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

	if (text) {
		struct project_parse pp = { l, add_src(l, xasprintf("'%s'", file)) };
		struct strbuf why = STRBUF_INIT;

		ret = gitconfig_parse(text, len, project_value, &pp, &why);
		if (ret == -2)
			cfg_error("invalid %s: %s", pp.src, why.buf);
		strbuf_release(&why);
		if (ret)
			return -1;
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

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

/* a port variable's name an untrusted project file may use: *_PORT */
static int port_var_shape(const char *var)
{
	return ends_with(var, "_PORT");
}

/*
 * a secret variable's name an untrusted project file may use: its default
 * reaches compose's own environment under --no-secrets, and compose and
 * the credential helpers it starts read many variables of their own
 */
static int secret_var_shape(const char *var)
{
	return ends_with(var, "_PASSWORD") || ends_with(var, "_SECRET") ||
	       ends_with(var, "_KEY") || ends_with(var, "_TOKEN");
}

static const char *const sandbox_keys[] = {
	"project", "compose", "envfile", "slots", "remote", "composecommand", "copy", "trust",
	"engine", "host", NULL
};
static const char *const port_keys[] = {
	"var", "base", "step", "main", "count", "health", "wait", "url", NULL
};
static const char *const secrets_keys[] = {
	"item", "vault", "account", "ttl", "recheck", "maxage", NULL
};
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

/* a duration, and its text as written, for messages */
static int set_duration(const struct entry *e, long *secs, char **text)
{
	if (need_value(e))
		return -1;
	if ((*secs = parse_duration(e->value)) < 0)
		return bad(e, "'%s' is not a duration (like 90s, 15m, 12h, 2d)", e->value);
	free(*text);
	*text = xstrdup(e->value);
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

	for (i = cfg->nports; i-- > 0;)	/* a group's keys come together: look from the end */
		if (strlen(cfg->ports[i].name) == len && !strncmp(cfg->ports[i].name, name, len))
			return &cfg->ports[i];
	if (cfg->nports >= MAX_GROUPS)
		return NULL;
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

	for (i = cfg->nsecrets; i-- > 0;)
		if (strlen(cfg->secrets[i].name) == len && !strncmp(cfg->secrets[i].name, name, len))
			return &cfg->secrets[i];
	if (cfg->nsecrets >= MAX_GROUPS)
		return NULL;
	cfg->secrets = xrealloc(cfg->secrets, (cfg->nsecrets + 1) * sizeof(*cfg->secrets));
	s = &cfg->secrets[cfg->nsecrets++];
	memset(s, 0, sizeof(*s));
	s->name = xstrndup(name, len);
	return s;
}

static struct env_def *env_def(struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;
	struct env_def *d;

	for (i = 0; i < cfg->nenvs; i++)
		if (strlen(cfg->envs[i].name) == len && !strncmp(cfg->envs[i].name, name, len))
			return &cfg->envs[i];
	if (cfg->nenvs >= MAX_GROUPS)
		return NULL;
	cfg->envs = xrealloc(cfg->envs, (cfg->nenvs + 1) * sizeof(*cfg->envs));
	d = &cfg->envs[cfg->nenvs++];
	memset(d, 0, sizeof(*d));
	d->name = xstrndup(name, len);
	return d;
}

/* [env "<NAME>"] value: the template is checked here, its references once all is read */
static int apply_env(struct sb_config *cfg, const struct entry *e, const char *sub, size_t len,
		     const char *name)
{
	struct strbuf why = STRBUF_INIT;
	struct env_def *d;
	int ret = 0;

	if (!len)
		return bad(e, "a derived variable needs a name: [env \"<NAME>\"]");
	if (strcmp(name, "value"))
		return bad(e, "unknown key (known: value)");
	if (!(d = env_def(cfg, sub, len)))
		return bad(e, "more than %d derived variables", MAX_GROUPS);
	if (!valid_var(d->name))
		return bad(e, "'%s' is not a valid environment variable name", d->name);
	if (set_str(e, &d->value))
		return -1;
	d->origin = e->origin;
	free(d->src);
	d->src = xstrdup(e->src);
	if (template_check(d->value, TEMPLATE_HOST | TEMPLATE_VARS, &why) < 0)
		ret = bad(e, "%s", why.buf);
	strbuf_release(&why);
	return ret;
}

static int apply_port(struct sb_config *cfg, const struct entry *e, const char *sub, size_t len,
		      const char *name)
{
	struct port_group *g;

	if (!in_list(port_keys, name))
		return bad(e, "unknown key (known: var, base, step, main, count, health, wait, url)");
	if (!(g = port_group(cfg, sub, len)))
		return bad(e, "more than %d port groups", MAX_GROUPS);
	if (!strcmp(name, "var")) {
		g->var_origin = e->origin;
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
	if (!strcmp(name, "url")) {
		struct strbuf why = STRBUF_INIT;
		int ret = 0;

		/* empty: no URL, not even the default of a group with a health check */
		if (set_str(e, &g->url))
			return -1;
		g->url_set = 1;
		if (template_check(g->url, TEMPLATE_HOST | TEMPLATE_PORT | TEMPLATE_URL, &why) < 0)
			ret = bad(e, "not a URL template: %s", why.buf);
		strbuf_release(&why);
		return ret;
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
			return bad(e, "unknown key (known: project, compose, envFile, slots, remote, composeCommand, copy, engine, host)");
		if (!strcmp(name, "project"))
			return set_str(e, &cfg->project);
		if (!strcmp(name, "compose")) {
			/* several values in one file: several -f; a later file replaces them */
			if (need_value(e))
				return -1;
			if (!*e->value)
				return bad(e, "sandbox.compose is empty");
			if (e->src != cfg->compose_src) {
				free_strings(cfg->compose, cfg->ncompose);
				cfg->compose = NULL;
				cfg->ncompose = 0;
				cfg->compose_src = e->src;
			}
			if (cfg->ncompose >= MAX_COMPOSE_FILES)
				return bad(e, "at most %d compose files", MAX_COMPOSE_FILES);
			cfg->compose = xrealloc(cfg->compose, (cfg->ncompose + 2) * sizeof(char *));
			cfg->compose[cfg->ncompose++] = xstrdup(e->value);
			cfg->compose[cfg->ncompose] = NULL;
			cfg->compose_origin = e->origin;
			cfg->compose_set = 1;
			return 0;
		}
		if (!strcmp(name, "envfile")) {
			cfg->env_file_origin = e->origin;
			return set_str(e, &cfg->env_file);
		}
		if (!strcmp(name, "slots"))
			return set_long(e, 1, MAX_SLOTS, &cfg->slots);
		if (!strcmp(name, "remote"))
			return set_str(e, &cfg->remote);
		if (!strcmp(name, "composecommand")) {
			cfg->compose_command.origin = e->origin;
			return set_str(e, &cfg->compose_command.value);
		}
		if (!strcmp(name, "engine") || !strcmp(name, "host")) {
			/* where stacks, and the secrets given to them, go: the user's choice */
			if (e->origin == ORIGIN_PROJECT)
				return bad(e, "sandbox.engine and sandbox.host belong in your own git config, "
					   "not in the project file");
			return set_str(e, !strcmp(name, "engine") ? &cfg->engine : &cfg->host);
		}
		if (!strcmp(name, "trust")) {
			/* a project file cannot vouch for itself */
			if (e->origin == ORIGIN_PROJECT)
				return bad(e, "sandbox.trust belongs in your own git config, not in the project file");
			if (need_value(e))
				return -1;
			cfg->trust = xrealloc(cfg->trust, (cfg->ntrust + 1) * sizeof(char *));
			cfg->trust[cfg->ntrust++] = xstrdup(e->value);
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
		if (sublen > MAX_NAME)
			return bad(e, "a port group name has at most %d characters", MAX_NAME);
		for (k = 0; k < sublen; k++)
			if (!isalnum((unsigned char)sub[k]) && !strchr("._-", sub[k]))
				return bad(e, "a port group name has only letters, digits, '.', '_' and '-'");
		return apply_port(cfg, e, sub, sublen, name);
	}
	if (SECTION("env"))
		return apply_env(cfg, e, sub, last == dot ? 0 : sublen, name);
	if (SECTION("secrets")) {
		if (last != dot)
			return bad(e, "unknown key");
		if (!in_list(secrets_keys, name))
			return bad(e, "unknown key (known: item, vault, account, ttl, recheck, maxAge)");
		if (strcmp(name, "ttl") && strcmp(name, "recheck") && strcmp(name, "maxage")) {
			/* which item's secrets go to the stack: the repository cannot choose alone */
			unsigned bit = !strcmp(name, "item") ? 1 : !strcmp(name, "vault") ? 2 : 4;

			if (e->origin == ORIGIN_PROJECT)
				cfg->secrets_from_project |= bit;
			else
				cfg->secrets_from_project &= ~bit;
		}
		if (!strcmp(name, "item"))
			return set_str(e, &cfg->secrets_item);
		if (!strcmp(name, "vault"))
			return set_str(e, &cfg->secrets_vault);
		if (!strcmp(name, "account"))
			return set_str(e, &cfg->secrets_account);
		if (!strcmp(name, "ttl"))
			return set_duration(e, &cfg->secrets_ttl, &cfg->secrets_ttl_text);
		if (!strcmp(name, "recheck"))
			return set_duration(e, &cfg->secrets_recheck, &cfg->secrets_recheck_text);
		return set_duration(e, &cfg->secrets_max_age, &cfg->secrets_max_age_text);
	}
	if (SECTION("secret")) {
		struct secret_def *s;

		if (last == dot || !sublen)
			return bad(e, "a secret needs a field label: [secret \"<label>\"]");
		if (!in_list(secret_keys, name))
			return bad(e, "unknown key (known: var, default)");
		if (!(s = secret_def(cfg, sub, sublen)))
			return bad(e, "more than %d secrets", MAX_GROUPS);
		if (!strcmp(name, "default"))
			return set_str(e, &s->def);
		s->origin = e->origin;
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

/*
 * From a project file you have not trusted, a port variable's name has a
 * shape no program gives meaning to: the value, a number, reaches `exec`,
 * the hooks and the caller's shell, and a name like OPENSSL_CONF or
 * PERL5LIB would make a program read a file of that number from the
 * worktree. No list of dangerous names is complete; a suffix is.
 */
int config_check_untrusted(const struct sb_config *cfg)
{
	size_t i;
	long total = 0;

	if (cfg->trusted)
		return 0;
	/* every leased port is kept from every other user of the machine */
	for (i = 0; i < cfg->nports; i++)
		total += cfg->ports[i].count;
	if (cfg->has_file && total > UNTRUSTED_MAX_PORTS)
		return cfg_error("bad config in '%s': %ld ports in all: a project file you have not "
				 "trusted may lease at most %d; read the file, then run 'git sandbox trust' "
				 "to allow it", cfg->file, total, UNTRUSTED_MAX_PORTS);
	for (i = 0; i < cfg->nports; i++) {
		const struct port_group *g = &cfg->ports[i];

		if (g->var_origin != ORIGIN_PROJECT)
			continue;
		if (!port_var_shape(g->var))
			return cfg_error("bad config in '%s': port.%s.var: %s: from a project file you have "
					 "not trusted, a port variable's name must end in _PORT; read the file, "
					 "then run 'git sandbox trust' to allow it", cfg->file, g->name, g->var);
	}
	for (i = 0; i < cfg->nsecrets; i++) {
		const struct secret_def *d = &cfg->secrets[i];

		if (d->origin == ORIGIN_PROJECT && d->var && !secret_var_shape(d->var))
			return cfg_error("bad config in '%s': secret.%s.var: %s: from a project file you have "
					 "not trusted, a secret variable's name must end in _PASSWORD, _SECRET, "
					 "_KEY or _TOKEN; read the file, then run 'git sandbox trust' to allow it",
					 cfg->file, d->name, d->var);
	}
	/*
	 * a derived value is text the file chooses, reaching exec, the hooks
	 * and the caller's shell: no shape of a name makes that safe (a
	 * package manager fetches code from the URL in UV_INDEX_URL)
	 */
	for (i = 0; i < cfg->nenvs; i++)
		if (cfg->envs[i].origin == ORIGIN_PROJECT)
			return cfg_error("bad config in '%s': env.%s.value: from a project file you have "
					 "not trusted, a derived variable is not used (its value reaches exec, "
					 "the hooks and your shell); read the file, then run 'git sandbox trust' "
					 "to allow it", cfg->file, cfg->envs[i].name);
	return 0;
}

/* a port's first two holders */
struct port_use {
	size_t group;
	long slot;
};

/*
 * Names a sandbox's variables may not take, from any layer: the variables
 * reach compose, the hooks, `exec` and the caller's shell (env --export),
 * so one of these would change how a program runs (PATH finds another
 * docker-compose, BASH_ENV sources a file, LD_PRELOAD loads a library,
 * DOCKER_HOST picks another engine). A trailing '*' is a prefix.
 */
static const struct {
	const char *name, *why;
} reserved_vars[] = {
	{ "SANDBOX_NAME", "set by git-sandbox itself" },
	{ "SANDBOX_SLOT", "set by git-sandbox itself" },
	{ "SANDBOX_PROJECT", "set by git-sandbox itself" },
	{ "SANDBOX_PATH", "set by git-sandbox itself" },
	{ "COMPOSE_*", "read by Docker Compose" },
	{ "DOCKER_*", "read by Docker" },
	{ "BUILDKIT_*", "read by Docker" },
	{ "GIT_*", "read by git (and by git-sandbox)" },
	{ "LD_*", "read by the dynamic loader" },
	{ "GCONV_PATH", "read by the C library" },
	{ "GLIBC_TUNABLES", "read by the C library" },
	{ "MALLOC_*", "read by the C library" },
	{ "NLSPATH", "read by the C library" },
	{ "HOSTALIASES", "read by the C library" },
	{ "LOCALDOMAIN", "read by the C library" },
	{ "RES_OPTIONS", "read by the C library" },
	{ "TZ", "read by the C library" },
	{ "TZDIR", "read by the C library" },
	{ "LANG", "read by every program (locale)" },
	{ "LANGUAGE", "read by every program (locale)" },
	{ "LC_*", "read by every program (locale)" },
	{ "PATH", "read by the shell and every program that runs another" },
	{ "HOME", "read by the shell and most programs" },
	{ "SHELL", "read by programs that start a shell" },
	{ "ENV", "read by the shell" },
	{ "BASH_ENV", "read by bash" },
	{ "BASH_*", "read by bash" },
	{ "BASHOPTS", "read by bash" },
	{ "SHELLOPTS", "read by bash" },
	{ "IFS", "read by the shell" },
	{ "CDPATH", "read by the shell" },
	{ "GLOBIGNORE", "read by bash" },
	{ "PS1", "read by the shell" },
	{ "PS2", "read by the shell" },
	{ "PS3", "read by the shell" },
	{ "PS4", "read by the shell" },
	{ "PROMPT_COMMAND", "read by bash" },
	{ "HISTFILE", "read by the shell" },
	{ "MAIL", "read by the shell" },
	{ "MAILPATH", "read by the shell" },
	{ "POSIXLY_CORRECT", "read by the shell and GNU tools" },
	{ "ZDOTDIR", "read by zsh" },
	{ "PWD", "read by the shell" },
	{ "OLDPWD", "read by the shell" },
	{ "USER", "read by many programs" },
	{ "LOGNAME", "read by many programs" },
	{ "TERM", "read by many programs" },
	{ "TMPDIR", "read by every program that makes a temporary file" },
	{ "XDG_*", "read by git-sandbox, git and most programs" },
	{ "SSH_*", "read by ssh (docker and git reach remotes with it)" },
	{ "OP_*", "read by the 1Password CLI" },
	{ "PYTHON*", "read by Python (docker-compose v1 is Python)" },
	{ "HTTP_PROXY", "read by docker, git and curl" },
	{ "HTTPS_PROXY", "read by docker, git and curl" },
	{ "ALL_PROXY", "read by docker, git and curl" },
	{ "NO_PROXY", "read by docker, git and curl" },
	{ "SSL_CERT_FILE", "read by TLS libraries" },
	{ "SSL_CERT_DIR", "read by TLS libraries" },
	{ "OPENSSL_*", "read by OpenSSL (a configuration can load a library)" },
	{ "SSLKEYLOGFILE", "read by TLS libraries" },
	{ "GNUTLS_*", "read by GnuTLS" },
	{ "CURL_*", "read by curl" },
	{ "WGETRC", "read by wget" },
	{ "GODEBUG", "read by Go programs (docker, compose v2)" },
	{ "GOTRACEBACK", "read by Go programs (docker, compose v2)" },
	{ "GOFLAGS", "read by Go" },
	{ "GOGC", "read by Go programs (docker, compose v2)" },
	{ "GOMEMLIMIT", "read by Go programs (docker, compose v2)" },
	{ "GOMAXPROCS", "read by Go programs (docker, compose v2)" },
	{ "PERL5LIB", "read by Perl" },
	{ "PERL5OPT", "read by Perl" },
	{ "PERLLIB", "read by Perl" },
	{ "PERL5DB", "read by Perl" },
	{ "PERLIO", "read by Perl" },
	{ "RUBYLIB", "read by Ruby" },
	{ "RUBYOPT", "read by Ruby" },
	{ "GEM_*", "read by Ruby" },
	{ "BUNDLE_*", "read by Ruby's bundler" },
	{ "NODE_OPTIONS", "read by Node.js" },
	{ "NODE_PATH", "read by Node.js" },
	{ "NODE_EXTRA_CA_CERTS", "read by Node.js" },
	{ "NPM_CONFIG_*", "read by npm" },
	{ "PIP_*", "read by pip" },
	{ "VIRTUAL_ENV", "read by Python tools" },
	{ "JAVA_TOOL_OPTIONS", "read by Java" },
	{ "_JAVA_OPTIONS", "read by Java" },
	{ "JDK_JAVA_OPTIONS", "read by Java" },
	{ "CLASSPATH", "read by Java" },
	{ "KUBECONFIG", "read by kubectl (it can name a program to run)" },
	{ "AWS_*", "read by the AWS tools (a profile can name a program to run)" },
	{ "BUILDX_*", "read by Docker buildx" },
	{ "INPUTRC", "read by readline" },
	{ "HISTSIZE", "read by the shell" },
	{ "HISTFILESIZE", "read by the shell" },
	{ "HISTCONTROL", "read by the shell" },
	{ "HISTIGNORE", "read by the shell" },
	{ "HISTTIMEFORMAT", "read by the shell" },
	{ "TMOUT", "read by the shell" },
	{ "HISTCHARS", "read by the shell" },
	{ "FPATH", "read by zsh" },
	{ "LOCPATH", "read by the C library" },
	{ "DYLD_*", "read by the dynamic loader" },
	{ "EDITOR", "read by git and many programs" },
	{ "VISUAL", "read by git and many programs" },
	{ "PAGER", "read by git and many programs" },
	{ "LESS", "read by less" },
	{ "LESSOPEN", "read by less (it runs a program)" },
	{ "LESSCLOSE", "read by less (it runs a program)" },
	{ "LESSKEY", "read by less" },
	{ "MANPATH", "read by man" },
	{ "MANPAGER", "read by man" },
	{ "BROWSER", "read by many programs" },
	{ "GNUPGHOME", "read by gpg (git signs with it)" },
	{ "GPG_*", "read by gpg" },
	{ "SUDO_*", "read by sudo" },
	{ "DISPLAY", "read by X11 programs" },
	{ "XAUTHORITY", "read by X11 programs" },
	{ "WAYLAND_*", "read by Wayland programs" },
	{ "DBUS_*", "read by D-Bus programs" },
	{ "KRB5*", "read by Kerberos (libgit2 loads it)" },
	{ "SHLVL", "read by the shell" },
	{ "ASAN_OPTIONS", "read by sanitizer builds" },
	{ "UBSAN_OPTIONS", "read by sanitizer builds" },
	{ "LSAN_OPTIONS", "read by sanitizer builds" },
};

int config_reserved_var(const char *name, const char **why)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved_vars); i++) {
		const char *r = reserved_vars[i].name;
		size_t n = strlen(r);
		/* case-blind: http_proxy is read as much as HTTP_PROXY */
		int hit = r[n - 1] == '*' ? !strncasecmp(name, r, n - 1) : !strcasecmp(name, r);

		if (hit) {
			*why = reserved_vars[i].why;
			return 1;
		}
	}
	return 0;
}

/* var, and VAR_1 .. VAR_<count> for a group of several ports */
static int check_var_name(const char *where, const char *key, const char *var, long count)
{
	const char *why;
	long k;

	if (config_reserved_var(var, &why))
		return cfg_error("bad config in '%s': %s: %s is %s; choose another name",
				 where, key, var, why);
	for (k = 1; count > 1 && k <= count; k++) {
		char *v = xasprintf("%s_%ld", var, k);
		int hit = config_reserved_var(v, &why);

		if (hit)
			cfg_error("bad config in '%s': %s: %s (port %ld of %s) is %s; choose another name",
				  where, key, v, k, var, why);
		free(v);
		if (hit)
			return -1;
	}
	return 0;
}

/* the variables git-sandbox sets that an [env] value may refer to, besides ports and secrets */
static const char *const builtin_vars[] = { "SANDBOX_NAME", "SANDBOX_SLOT", "COMPOSE_PROJECT_NAME", NULL };

/* The port group whose variable name is (VAR, or VAR_<k> of a group of k or more ports), or NULL. */
static const struct port_group *port_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i, vl, k;

	for (i = 0; i < cfg->nports; i++) {
		const struct port_group *g = &cfg->ports[i];
		long num = 0;

		vl = strlen(g->var);
		if (g->count == 1) {
			if (vl == len && !strncmp(name, g->var, len))
				return g;
			continue;
		}
		if (len < vl + 2 || strncmp(name, g->var, vl) || name[vl] != '_' || name[vl + 1] == '0')
			continue;
		for (k = vl + 1; k < len && isdigit((unsigned char)name[k]) && num <= g->count; k++)
			num = num * 10 + (name[k] - '0');
		if (k == len && num >= 1 && num <= g->count)
			return g;
	}
	return NULL;
}

static const struct secret_def *secret_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		if (strlen(cfg->secrets[i].var) == len && !strncmp(cfg->secrets[i].var, name, len))
			return &cfg->secrets[i];
	return NULL;
}

static const struct env_def *env_var_of(const struct sb_config *cfg, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nenvs; i++)
		if (strlen(cfg->envs[i].name) == len && !strncmp(cfg->envs[i].name, name, len))
			return &cfg->envs[i];
	return NULL;
}

struct env_ref {
	const struct sb_config *cfg;
	const struct env_def *d;
	const char *src;
	int secret, host;	/* what the references bring */
};

static int check_ref(const char *name, size_t len, void *data)
{
	struct env_ref *r = data;
	size_t i;

	for (i = 0; builtin_vars[i]; i++)
		if (strlen(builtin_vars[i]) == len && !strncmp(builtin_vars[i], name, len))
			return 0;
	if (port_var_of(r->cfg, name, len) || secret_var_of(r->cfg, name, len) ||
	    env_var_of(r->cfg, name, len))
		return 0;
	return cfg_error("bad config in %s: env.%s.value: ${%.*s} is not one of the sandbox's variables "
			 "(its ports', SANDBOX_NAME, SANDBOX_SLOT, COMPOSE_PROJECT_NAME, its secrets' "
			 "and the other [env] variables)", r->src, r->d->name, (int)len, name);
}

/* what a reference brings to the variable that makes it: a secret, {host} */
static int inherit(const char *name, size_t len, void *data)
{
	struct env_ref *r = data;
	const struct env_def *o = env_var_of(r->cfg, name, len);

	if (secret_var_of(r->cfg, name, len))
		r->secret = 1;
	if (o) {
		r->secret |= o->secret;
		r->host |= o->host;
	}
	return 0;
}

/*
 * The [env] variables: names no other variable has and nothing reads,
 * references to the sandbox's own variables only, and no cycle. Sets
 * env_order and each one's secret and host.
 */
static int validate_envs(struct sb_config *cfg)
{
	char *where = xasprintf("'%s'", cfg->file);
	struct strbuf why = STRBUF_INIT;
	size_t i, at;
	int ret = 0;

	free(cfg->env_order);
	cfg->env_order = NULL;
	for (i = 0; i < cfg->nenvs && !ret; i++) {
		struct env_def *d = &cfg->envs[i];
		struct env_ref r = { cfg, d, d->src ? d->src : where, 0, 0 };
		const struct port_group *g;
		const struct secret_def *s;
		const char *what;

		if (!d->value)
			ret = cfg_error("bad config in %s: env.%s.value is missing", r.src, d->name);
		else if (config_reserved_var(d->name, &what))
			ret = cfg_error("bad config in %s: env.%s: %s is %s; choose another name",
					r.src, d->name, d->name, what);
		else if ((g = port_var_of(cfg, d->name, strlen(d->name))))
			ret = cfg_error("bad config in %s: env.%s: port.%s.var already gives %s",
					r.src, d->name, g->name, d->name);
		else if ((s = secret_var_of(cfg, d->name, strlen(d->name))))
			ret = cfg_error("bad config in %s: env.%s: secret.%s.var already gives %s",
					r.src, d->name, s->name, d->name);
		else
			ret = template_refs(d->value, check_ref, &r);
	}
	if (!ret && cfg->nenvs) {
		cfg->env_order = xcalloc(cfg->nenvs, sizeof(*cfg->env_order));
		if (template_order(cfg->envs, cfg->nenvs, cfg->env_order, &at, &why) < 0) {
			const struct env_def *d = &cfg->envs[at];

			ret = cfg_error("bad config in %s: env.%s.value: the variables refer to each "
					"other in a cycle: %s", d->src ? d->src : where, d->name, why.buf);
		}
	}
	for (i = 0; !ret && i < cfg->nenvs; i++) {
		struct env_def *d = &cfg->envs[cfg->env_order[i]];
		struct env_ref r = { cfg, d, NULL, 0, 0 };

		template_refs(d->value, inherit, &r);
		d->secret = r.secret;
		d->host = r.host || template_uses(d->value, "host");
	}
	strbuf_release(&why);
	free(where);
	return ret;
}

int config_validate(struct sb_config *cfg)
{
	const char *where = cfg->file;
	struct port_use (*held)[2];
	unsigned char *nheld;
	size_t i, j;
	long port;
	int ret = 0, bad_name;
	char *key;

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
		key = xasprintf("port.%s.var", g->name);
		bad_name = check_var_name(where, key, g->var, g->count);
		free(key);
		if (bad_name)
			return -1;
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].var, g->var))
				return cfg_error("bad config in '%s': port.%s.var and port.%s.var are both %s",
					     where, cfg->ports[j].name, g->name, g->var);
	}
	for (i = 0; i < cfg->nsecrets; i++) {
		if (!cfg->secrets[i].var)
			return cfg_error("bad config in '%s': secret.%s.var is missing", where, cfg->secrets[i].name);
		key = xasprintf("secret.%s.var", cfg->secrets[i].name);
		bad_name = check_var_name(where, key, cfg->secrets[i].var, 1);
		free(key);
		if (bad_name)
			return -1;
		for (j = 0; j < cfg->nports; j++)
			if (!strcmp(cfg->ports[j].var, cfg->secrets[i].var))
				return cfg_error("bad config in '%s': secret.%s.var and port.%s.var are both %s",
					     where, cfg->secrets[i].name, cfg->ports[j].name,
					     cfg->secrets[i].var);
	}
	if (cfg->nsecrets && !cfg->secrets_item)
		return cfg_error("bad config in '%s': [secret] fields are set but secrets.item is missing", where);
	if (validate_envs(cfg) < 0)
		return -1;

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

int valid_project(const char *s)
{
	if (!*s || *s == '-' || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/*
 * sandbox.envFile is written by create, init and up and removed by
 * destroy: a plain name that git-sandbox owns, nothing git or compose
 * reads, and nothing an exclude line would read as a pattern.
 */
static int check_env_file(const struct sb_config *cfg)
{
	static const char *const taken[] = {
		".git", ".gitsandbox", ".gitignore", ".gitattributes", ".gitmodules", ".mailmap", NULL
	};
	const char *f = cfg->env_file, *p;
	size_t i;

	if (!*f || *f == '-' || !strcmp(f, ".") || !strcmp(f, "..") || strlen(f) > 255)
		goto bad;
	for (p = f; *p; p++)
		if (!isascii((unsigned char)*p) || !(isalnum((unsigned char)*p) || strchr("._-", *p)))
			goto bad;
	for (i = 0; taken[i]; i++)
		if (!strcasecmp(f, taken[i]))
			return cfg_error("bad config in '%s': sandbox.envFile '%s' is a file git reads; "
					 "choose another name", cfg->file, f);
	for (i = 0; i < cfg->ncompose; i++)
		if (!strcmp(f, cfg->compose[i]))
			return cfg_error("bad config in '%s': sandbox.envFile '%s' is a compose file; "
					 "choose another name", cfg->file, f);
	return 0;
bad:
	return cfg_error("bad config in '%s': sandbox.envFile '%s' must be a plain file name in the worktree "
			 "(letters, digits, '.', '_' and '-')", cfg->file, f);
}

/* a compose file outside the worktree: absolute, or up through ".." */
static int compose_outside(const char *p)
{
	const char *s = p;

	if (*p == '/')
		return 1;
	for (; s; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (!strncmp(s, "..", 2) && (s[2] == '/' || !s[2]))
			return 1;
	return 0;
}

static void needs_trust(struct sb_config *cfg, const char *key, const char *value)
{
	struct trust_key *t;

	cfg->needs_trust = xrealloc(cfg->needs_trust, (cfg->nneeds_trust + 1) * sizeof(*t));
	t = &cfg->needs_trust[cfg->nneeds_trust++];
	t->key = xstrdup(key);
	t->value = xstrdup(value ? value : "");
}

/*
 * The project file's keys that choose a program, a shell command, a file
 * outside the worktree or which secrets leave 1Password: honoured only
 * once the file is trusted (gitsandbox(5), TRUST). What the user's own
 * configuration overrides is not listed: it is not used.
 */
static void collect_needs_trust(struct sb_config *cfg)
{
	const struct { const char *key; const struct config_value *v; } hooks[] = {
		{ "hook.postCreate", &cfg->hook_post_create },
		{ "hook.preUp", &cfg->hook_pre_up },
		{ "hook.postUp", &cfg->hook_post_up },
		{ "hook.preDestroy", &cfg->hook_pre_destroy },
	};
	size_t i;

	if (cfg->compose_command.value && cfg->compose_command.origin == ORIGIN_PROJECT)
		needs_trust(cfg, "sandbox.composeCommand", cfg->compose_command.value);
	for (i = 0; i < cfg->ncompose; i++)
		if (cfg->compose_origin == ORIGIN_PROJECT && compose_outside(cfg->compose[i]))
			needs_trust(cfg, "sandbox.compose", cfg->compose[i]);
	for (i = 0; i < cfg->ncopy; i++)
		if (cfg->copy[i].origin == ORIGIN_PROJECT)
			needs_trust(cfg, "sandbox.copy", cfg->copy[i].value);
	if (cfg->secrets_from_project & 1)
		needs_trust(cfg, "secrets.item", cfg->secrets_item);
	if (cfg->secrets_from_project & 2)
		needs_trust(cfg, "secrets.vault", cfg->secrets_vault);
	if (cfg->secrets_from_project & 4)
		needs_trust(cfg, "secrets.account", cfg->secrets_account);
	for (i = 0; i < cfg->nsecrets; i++)
		if (cfg->secrets[i].origin == ORIGIN_PROJECT && cfg->secrets[i].var &&
		    (cfg->secrets_item || !secret_var_shape(cfg->secrets[i].var))) {
			char *key = xasprintf("secret.%s.var", cfg->secrets[i].name);

			/* which fields of the item go to the stack, or a name of any shape */
			needs_trust(cfg, key, cfg->secrets[i].var);
			if (cfg->secrets_item)
				cfg->secrets_from_project |= 8;
			free(key);
		}
	if (cfg->env_file_origin == ORIGIN_PROJECT && strcmp(cfg->env_file, DEFAULT_ENV_FILE))
		needs_trust(cfg, "sandbox.envFile", cfg->env_file);
	for (i = 0; i < cfg->nports; i++)
		if (cfg->ports[i].var_origin == ORIGIN_PROJECT && cfg->ports[i].var &&
		    !port_var_shape(cfg->ports[i].var)) {
			char *key = xasprintf("port.%s.var", cfg->ports[i].name);

			needs_trust(cfg, key, cfg->ports[i].var);
			free(key);
		}
	for (i = 0; i < cfg->nenvs; i++)
		if (cfg->envs[i].origin == ORIGIN_PROJECT) {
			char *key = xasprintf("env.%s.value", cfg->envs[i].name);

			needs_trust(cfg, key, cfg->envs[i].value);
			free(key);
		}
	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		if (hooks[i].v->value && hooks[i].v->origin == ORIGIN_PROJECT)
			needs_trust(cfg, hooks[i].key, hooks[i].v->value);
}

const char *config_compose_outside(const struct sb_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ncompose; i++)
		if (compose_outside(cfg->compose[i]))
			return cfg->compose[i];
	return NULL;
}

/*
 * The next file COMPOSE_FILE names from *p on, as compose splits it (on
 * COMPOSE_PATH_SEPARATOR, ':' by default; empty parts are none): its
 * length, *p at its start and *end after it; 0 at the end.
 */
static size_t compose_file_next(const char **p, const char **end)
{
	const char *sep = getenv("COMPOSE_PATH_SEPARATOR");
	size_t len;

	if (!sep || !*sep)
		sep = ":";
	while (*p && **p) {
		len = strstr(*p, sep) ? (size_t)(strstr(*p, sep) - *p) : strlen(*p);
		*end = *p + len + ((*p)[len] ? strlen(sep) : 0);
		if (len)
			return len;
		*p = *end;
	}
	return 0;
}

/*
 * No configuration file names the compose files: the caller's
 * COMPOSE_FILE does, as it does for compose, else the default name.
 */
static int compose_default(struct sb_config *cfg)
{
	const char *p = getenv("COMPOSE_FILE"), *end;
	size_t len;

	for (; (len = compose_file_next(&p, &end)); p = end) {
		/* a file left out would be a stack other than the one asked for */
		if (cfg->ncompose == MAX_COMPOSE_FILES)
			return cfg_error("COMPOSE_FILE names more than %d compose files",
					 MAX_COMPOSE_FILES);
		cfg->compose = xrealloc(cfg->compose, (cfg->ncompose + 2) * sizeof(char *));
		cfg->compose[cfg->ncompose++] = xstrndup(p, len);
		cfg->compose[cfg->ncompose] = NULL;
	}
	if (cfg->ncompose) {
		cfg->compose_origin = ORIGIN_USER;
		cfg->compose_set = cfg->compose_env = 1;
		return 0;
	}
	cfg->compose = xcalloc(2, sizeof(char *));
	cfg->compose[cfg->ncompose++] = xstrdup(DEFAULT_COMPOSE_FILE);
	return 0;
}

static char *sha256_hex(const char *text, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return xstrdup(hex);
}

/* An empty configuration whose project file is named file (taken). */
static void init(struct sb_config *cfg, char *file)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->file = file;
	cfg->slots = 10;
	cfg->secrets_ttl = 12 * 3600;
	cfg->secrets_ttl_text = xstrdup("12h");
	cfg->secrets_recheck = 3600;
	cfg->secrets_recheck_text = xstrdup("1h");
	cfg->secrets_max_age = 7 * 86400;
	cfg->secrets_max_age_text = xstrdup("7d");
	cfg->color = -1;
}

/*
 * The one path from the project file's bytes (text, len; NULL: there is
 * none) to a validated configuration, wherever the bytes were read: read
 * once, so the bytes hashed for trust are the bytes parsed.
 */
static int load(struct sb_config *cfg, git_repository *repo, const char *text, size_t len,
		const char *default_project)
{
	struct layers l = { 0 };
	size_t i;
	int ret = 0;

	cfg->has_file = !!text;
	if (text)
		cfg->file_hash = sha256_hex(text, len);
	ret = load_layers(&l, repo, cfg->file, text, len);
	if (ret < 0) {
		free_layers(&l);
		return -1;
	}
	for (i = 0; i < l.n && !ret; i++)
		ret = apply(cfg, &l.e[i]);
	cfg->compose_src = NULL;	/* it was the layers' */
	free_layers(&l);
	if (ret)
		return -1;
	if (!cfg->project)
		cfg->project = xstrdup(default_project);
	if (!valid_project(cfg->project))
		return cfg_error("bad config in '%s': sandbox.project '%s' must be 1-64 characters of [A-Za-z0-9._-], not starting with '-' or '.'",
			     cfg->file, cfg->project);
	if (!cfg->compose && compose_default(cfg) < 0)
		return -1;
	if (!cfg->env_file)
		cfg->env_file = xstrdup(DEFAULT_ENV_FILE);
	if (check_env_file(cfg) < 0)
		return -1;
	collect_needs_trust(cfg);
	return config_validate(cfg);
}

int config_load_text(struct sb_config *cfg, git_repository *repo, const char *name,
		     const char *text, size_t len, const char *default_project)
{
	init(cfg, xstrdup(name));
	if (load(cfg, repo, text, len, default_project)) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

int config_load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project)
{
	size_t len = 0;
	char *text;
	int ret;

	init(cfg, path_join(worktree, ".gitsandbox"));
	text = read_file(cfg->file, &len);
	if (!text && errno != ENOENT)
		ret = cfg_error("cannot read '%s': %s", cfg->file, read_file_strerror(errno));
	else
		ret = load(cfg, repo, text, len, default_project);
	free(text);
	if (ret)
		config_free(cfg);	/* a failed load leaves nothing allocated */
	return ret ? -1 : 0;
}

int config_sets_compose(git_repository *repo, const char *worktree)
{
	struct layers l = { 0 };
	char *file = path_join(worktree, ".gitsandbox"), *text;
	const char *p, *end;
	size_t len = 0, i;
	int ret;

	/* as compose_default() reads it: "::" names no file */
	p = getenv("COMPOSE_FILE");
	if (compose_file_next(&p, &end)) {
		free(file);
		return 1;
	}
	text = read_file(file, &len);
	if (!text && errno != ENOENT)
		ret = cfg_error("cannot read '%s': %s", file, read_file_strerror(errno));
	else
		ret = load_layers(&l, repo, file, text, len);
	/* as apply() sees it: the key, in any layer */
	for (i = 0; !ret && i < l.n; i++)
		if (!strcmp(l.e[i].key, "sandbox.compose"))
			ret = 1;
	free_layers(&l);
	free(text);
	free(file);
	return ret;
}

/*
 * The bytes of the top-level .gitsandbox in the tree of commit (*text
 * NUL-terminated, NULL if the tree has none), held to what read_file()
 * accepts from a worktree: a regular file of at most READ_FILE_MAX bytes.
 * name is the file as messages call it. 0, or -1 after cfg_error().
 */
static int read_commit_file(git_repository *repo, git_commit *commit, const char *name,
			    char **text, size_t *len)
{
	const git_tree_entry *te;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t size;
	int ret = -1;

	*text = NULL;
	*len = 0;
	if (git_commit_tree(&tree, commit) < 0) {
		cfg_error("cannot read '%s': %s", name, git_error_last()->message);
		goto out;
	}
	te = git_tree_entry_byname(tree, ".gitsandbox");
	if (!te) {
		ret = 0;	/* like a worktree without the file: defaults */
		goto out;
	}
	switch (git_tree_entry_filemode(te)) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	case GIT_FILEMODE_LINK:
		cfg_error("cannot read '%s': %s", name, read_file_strerror(ELOOP));
		goto out;
	default:	/* a tree, or a submodule's commit */
		cfg_error("cannot read '%s': %s", name, read_file_strerror(EINVAL));
		goto out;
	}
	/* the size from the header, before a large blob is inflated */
	if (git_repository_odb(&odb, repo) < 0 ||
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(te)) < 0) {
		cfg_error("cannot read '%s': %s", name, git_error_last()->message);
		goto out;
	}
	if (type != GIT_OBJECT_BLOB) {
		cfg_error("cannot read '%s': %s", name, read_file_strerror(EINVAL));
		goto out;
	}
	if (size > READ_FILE_MAX) {
		cfg_error("cannot read '%s': %s", name, read_file_strerror(EFBIG));
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		cfg_error("cannot read '%s': %s", name, git_error_last()->message);
		goto out;
	}
	*len = git_blob_rawsize(blob);
	*text = xmalloc(*len + 1);
	memcpy(*text, git_blob_rawcontent(blob), *len);
	(*text)[*len] = '\0';
	ret = 0;
out:
	git_blob_free(blob);
	git_odb_free(odb);
	git_tree_free(tree);
	git_error_clear();
	return ret;
}

int config_load_commit(struct sb_config *cfg, git_repository *repo, const char *commit_hex,
		       const char *default_project)
{
	git_commit *commit = NULL;
	git_buf abbrev = { 0 };
	git_oid oid;
	size_t len = 0;
	char *text = NULL;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (strlen(commit_hex) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, commit_hex) < 0) {
		git_error_clear();
		return cfg_error("'%s' is not a commit id", commit_hex);
	}
	if (git_commit_lookup(&commit, repo, &oid) < 0) {
		cfg_error("cannot read the commit %s: %s", commit_hex, git_error_last()->message);
		git_error_clear();
		return -1;
	}
	/* git's own name for the blob, <commit>:.gitsandbox, until it is checked out */
	if (git_object_short_id(&abbrev, (const git_object *)commit) < 0) {
		cfg_error("cannot read the commit %s: %s", commit_hex, git_error_last()->message);
		git_error_clear();
		git_commit_free(commit);
		return -1;
	}
	init(cfg, xasprintf("%s:.gitsandbox", abbrev.ptr));
	git_buf_dispose(&abbrev);
	if (!read_commit_file(repo, commit, cfg->file, &text, &len))
		ret = load(cfg, repo, text, len, default_project);
	git_commit_free(commit);
	free(text);
	if (ret)
		config_free(cfg);
	return ret ? -1 : 0;
}

void config_set_worktree(struct sb_config *cfg, const char *worktree)
{
	free(cfg->file);
	cfg->file = path_join(worktree, ".gitsandbox");
}

void config_free(struct sb_config *cfg)
{
	size_t i;

	free(cfg->file);
	free(cfg->file_hash);
	for (i = 0; i < cfg->nneeds_trust; i++) {
		free(cfg->needs_trust[i].key);
		free(cfg->needs_trust[i].value);
	}
	free(cfg->needs_trust);
	free(cfg->project);
	free_strings(cfg->compose, cfg->ncompose);
	free(cfg->env_file);
	free(cfg->env_file_ignored);
	free(cfg->remote);
	free(cfg->compose_command.value);
	free(cfg->engine);
	free(cfg->host);
	for (i = 0; i < cfg->nports; i++) {
		free(cfg->ports[i].name);
		free(cfg->ports[i].var);
		free(cfg->ports[i].health);
		free(cfg->ports[i].url);
	}
	free(cfg->ports);
	free(cfg->secrets_item);
	free(cfg->secrets_vault);
	free(cfg->secrets_account);
	free(cfg->secrets_ttl_text);
	free(cfg->secrets_recheck_text);
	free(cfg->secrets_max_age_text);
	for (i = 0; i < cfg->nsecrets; i++) {
		free(cfg->secrets[i].name);
		free(cfg->secrets[i].var);
		free(cfg->secrets[i].def);
	}
	free(cfg->secrets);
	for (i = 0; i < cfg->nenvs; i++) {
		free(cfg->envs[i].name);
		free(cfg->envs[i].value);
		free(cfg->envs[i].src);
	}
	free(cfg->envs);
	free(cfg->env_order);
	for (i = 0; i < cfg->ncopy; i++)
		free(cfg->copy[i].value);
	free(cfg->copy);
	free_strings(cfg->trust, cfg->ntrust);
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
	if (load_layers(&l, NULL, NULL, NULL, 0) == 0)
		for (i = 0; i < l.n; i++)
			if (starts_with(l.e[i].key, "color."))
				apply(&cfg, &l.e[i]);
	free_layers(&l);
	git_error_clear();
	return cfg.color;
}
