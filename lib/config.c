/*
 * config.c: the sandbox configuration (config.h): what the values of the
 * layers (gitlayers.h) mean, applied in order, each key by its section's
 * own function; the defaults; the project file's keys that need trust;
 * and the one path from a project file's bytes, in a worktree or in a
 * commit, to a checked configuration (configcheck.c checks it).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "color.h"
#include "config.h"
#include "derive.h"
#include "gitlayers.h"
#include "repo.h"
#include "strbuf.h"
#include "util.h"

/*
 * What went wrong, for the caller to report: "fatal: bad config ..." from a
 * command, a failed check from doctor.
 */
static struct strbuf last_error = STRBUF_INIT;

int config_set_error(const char *fmt, ...)
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

static int bad(const struct gitlayer_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const struct gitlayer_entry *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	config_set_error("bad config in %s: %s: %s", e->src, e->key, sb.buf);
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

static int need_value(const struct gitlayer_entry *e)
{
	if (!e->value)
		return bad(e, "missing value");
	return 0;
}

static int set_str(const struct gitlayer_entry *e, char **dst)
{
	if (need_value(e))
		return -1;
	free(*dst);
	*dst = xstrdup(e->value);
	return 0;
}

/* a duration, and its text as written, for messages */
static int set_duration(const struct gitlayer_entry *e, long *secs, char **text)
{
	if (need_value(e))
		return -1;
	if ((*secs = parse_duration(e->value)) < 0)
		return bad(e, "'%s' is not a duration (like 90s, 15m, 12h, 2d)", e->value);
	free(*text);
	*text = xstrdup(e->value);
	return 0;
}

static int set_long(const struct gitlayer_entry *e, long min, long max, long *dst)
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

/* a key split as apply() finds it: section[.sub].name */
struct key {
	const char *sub;	/* the subsection, or NULL */
	size_t sublen;
	const char *name;	/* lower-case */
};

/* [env "<NAME>"] value: the template is checked here, its references once all is read */
static int apply_env_var(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	struct strbuf why = STRBUF_INIT;
	struct env_def *d;
	int ret = 0;

	if (!k->sub || !k->sublen)
		return bad(e, "a derived variable needs a name: [env \"<NAME>\"]");
	if (strcmp(k->name, "value"))
		return bad(e, "unknown key (known: value)");
	if (!(d = env_def(cfg, k->sub, k->sublen)))
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

/* a key of the group named sub */
static int apply_port_key(struct sb_config *cfg, const struct gitlayer_entry *e, const char *sub,
			  size_t len, const char *name)
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


/* several values in one file: several -f; a later file replaces them */
static int apply_compose(struct sb_config *cfg, const struct gitlayer_entry *e)
{
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

/* [sandbox] */
static int apply_sandbox(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	const char *name = k->name;

	if (k->sub)
		return bad(e, "unknown key");
	if (!in_list(sandbox_keys, name))
		return bad(e, "unknown key (known: project, compose, envFile, slots, remote, composeCommand, copy, engine, host)");
	if (!strcmp(name, "project"))
		return set_str(e, &cfg->project);
	if (!strcmp(name, "compose"))
		return apply_compose(cfg, e);
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

/* [port "<name>"] */
static int apply_port_group(struct sb_config *cfg, const struct gitlayer_entry *e,
			    const struct key *k)
{
	size_t i;

	if (!k->sub || !k->sublen)
		return bad(e, "a port group needs a name: [port \"<name>\"]");
	if (k->sublen > MAX_NAME)
		return bad(e, "a port group name has at most %d characters", MAX_NAME);
	for (i = 0; i < k->sublen; i++)
		if (!isalnum((unsigned char)k->sub[i]) && !strchr("._-", k->sub[i]))
			return bad(e, "a port group name has only letters, digits, '.', '_' and '-'");
	return apply_port_key(cfg, e, k->sub, k->sublen, k->name);
}

/* [secrets]: the item, and how long its values are kept */
static int apply_secrets(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	const char *name = k->name;

	if (k->sub)
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

/* [secret "<label>"]: a field of the item */
static int apply_secret(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	struct secret_def *s;

	if (!k->sub || !k->sublen)
		return bad(e, "a secret needs a field label: [secret \"<label>\"]");
	if (!in_list(secret_keys, k->name))
		return bad(e, "unknown key (known: var, default)");
	if (!(s = secret_def(cfg, k->sub, k->sublen)))
		return bad(e, "more than %d secrets", MAX_GROUPS);
	if (!strcmp(k->name, "default"))
		return set_str(e, &s->def);
	s->origin = e->origin;
	if (set_str(e, &s->var))
		return -1;
	if (!valid_var(s->var))
		return bad(e, "'%s' is not a valid environment variable name", s->var);
	return 0;
}

/* color.ui and color.sandbox; color.<slot> keys of git's own are not ours */
static int apply_color(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	if (!k->sub)
		color_set(&cfg->color, &cfg->color_sandbox_set, k->name, e->value);
	return 0;
}

/* hook.<name>: git's own hook.<name>.<key> has a subsection; ours have none */
static int apply_hook(struct sb_config *cfg, const struct gitlayer_entry *e, const struct key *k)
{
	struct config_value *h;
	const char *name = k->name;

	if (k->sub)
		return 0;
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

/* the sections git-sandbox reads; every other section is git's or another tool's */
static const struct {
	const char *name;
	int (*apply)(struct sb_config *, const struct gitlayer_entry *, const struct key *);
} sections[] = {
	{ "sandbox", apply_sandbox },
	{ "port", apply_port_group },
	{ "env", apply_env_var },
	{ "secrets", apply_secrets },
	{ "secret", apply_secret },
	{ "color", apply_color },
	{ "hook", apply_hook },
};

static int apply(struct sb_config *cfg, const struct gitlayer_entry *e)
{
	const char *key = e->key, *dot = strchr(key, '.'), *last = strrchr(key, '.');
	struct key k = { NULL, 0, NULL };
	size_t i, seclen;

	if (!dot)
		return 0;
	seclen = dot - key;
	k.name = last + 1;
	if (last > dot) {
		k.sub = dot + 1;
		k.sublen = last - dot - 1;
	}
	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i].name) == seclen && !strncmp(key, sections[i].name, seclen))
			return sections[i].apply(cfg, e, &k);
	return 0;
}

long port_of(const struct port_group *g, long slot, long i)
{
	return slot ? g->base + g->step * slot + i : g->main + i;
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
			return config_set_error("bad config in '%s': sandbox.envFile '%s' is a file git reads; "
					 "choose another name", cfg->file, f);
	for (i = 0; i < cfg->ncompose; i++)
		if (!strcmp(f, cfg->compose[i]))
			return config_set_error("bad config in '%s': sandbox.envFile '%s' is a compose file; "
					 "choose another name", cfg->file, f);
	return 0;
bad:
	return config_set_error("bad config in '%s': sandbox.envFile '%s' must be a plain file name in the worktree "
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
		    (cfg->secrets_item || !config_secret_var_shape(cfg->secrets[i].var))) {
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
		    !config_port_var_shape(cfg->ports[i].var)) {
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
			return config_set_error("COMPOSE_FILE names more than %d compose files",
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

/* gitlayers_read(), or gitlayers_read_with() above when not NULL; its error config_error()'s */
static int read_layers(struct gitlayers *l, git_repository *repo, const struct gitlayers *above,
		       const char *file, const char *text, size_t len)
{
	struct strbuf why = STRBUF_INIT;
	int ret = above ? gitlayers_read_with(l, above, file, text, len, &why) :
		  gitlayers_read(l, repo, file, text, len, &why);

	if (ret < 0)
		config_set_error("%s", why.buf);
	strbuf_release(&why);
	return ret;
}

/*
 * The one path from the project file's bytes (text, len; NULL: there is
 * none) to a validated configuration, wherever the bytes were read: read
 * once, so the bytes hashed for trust are the bytes parsed.
 */
static int load(struct sb_config *cfg, git_repository *repo, const struct gitlayers *above,
		const char *text, size_t len, const char *default_project)
{
	struct gitlayers l = GITLAYERS_INIT;
	size_t i;
	int ret = 0;

	cfg->has_file = !!text;
	if (text)
		cfg->file_hash = sha256_hex(text, len);
	ret = read_layers(&l, repo, above, cfg->file, text, len);
	if (ret < 0) {
		gitlayers_free(&l);
		return -1;
	}
	for (i = 0; i < l.n && !ret; i++)
		ret = apply(cfg, &l.e[i]);
	cfg->compose_src = NULL;	/* it was the layers' */
	gitlayers_free(&l);
	if (ret)
		return -1;
	if (!cfg->project)
		cfg->project = xstrdup(default_project);
	if (!valid_project(cfg->project))
		return config_set_error("bad config in '%s': sandbox.project '%s' must be 1-64 characters of [A-Za-z0-9._-], not starting with '-' or '.'",
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
	if (load(cfg, repo, NULL, text, len, default_project)) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* config_load(), with the layers above the project file read already when above is not NULL */
static int load_worktree(struct sb_config *cfg, git_repository *repo, const struct gitlayers *above,
			 const char *worktree, const char *default_project)
{
	size_t len = 0;
	char *text;
	int ret;

	init(cfg, path_join(worktree, ".gitsandbox"));
	text = read_file(cfg->file, &len);
	if (!text && errno != ENOENT)
		ret = config_set_error("cannot read '%s': %s", cfg->file, read_file_strerror(errno));
	else
		ret = load(cfg, repo, above, text, len, default_project);
	free(text);
	if (ret)
		config_free(cfg);	/* a failed load leaves nothing allocated */
	return ret ? -1 : 0;
}

int config_load(struct sb_config *cfg, git_repository *repo, const char *worktree,
		const char *default_project)
{
	return load_worktree(cfg, repo, NULL, worktree, default_project);
}

int config_load_above(struct sb_config *cfg, const struct gitlayers *above, const char *worktree,
		      const char *default_project)
{
	return load_worktree(cfg, NULL, above, worktree, default_project);
}

int config_sets_compose(git_repository *repo, const char *worktree)
{
	struct gitlayers l = GITLAYERS_INIT;
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
		ret = config_set_error("cannot read '%s': %s", file, read_file_strerror(errno));
	else
		ret = read_layers(&l, repo, NULL, file, text, len);
	/* as apply() sees it: the key, in any layer */
	for (i = 0; !ret && i < l.n; i++)
		if (!strcmp(l.e[i].key, "sandbox.compose"))
			ret = 1;
	gitlayers_free(&l);
	free(text);
	free(file);
	return ret;
}

/*
 * The bytes of the top-level .gitsandbox in the tree of commit (*text
 * NUL-terminated, NULL if the tree has none), held to what read_file()
 * accepts from a worktree: a regular file of at most READ_FILE_MAX bytes.
 * name is the file as messages call it. 0, or -1 after config_set_error().
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
		config_set_error("cannot read '%s': %s", name, git_error_last()->message);
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
		config_set_error("cannot read '%s': %s", name, read_file_strerror(ELOOP));
		goto out;
	default:	/* a tree, or a submodule's commit */
		config_set_error("cannot read '%s': %s", name, read_file_strerror(EINVAL));
		goto out;
	}
	/* the size from the header, before a large blob is inflated */
	if (git_repository_odb(&odb, repo) < 0 ||
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(te)) < 0) {
		config_set_error("cannot read '%s': %s", name, git_error_last()->message);
		goto out;
	}
	if (type != GIT_OBJECT_BLOB) {
		config_set_error("cannot read '%s': %s", name, read_file_strerror(EINVAL));
		goto out;
	}
	if (size > READ_FILE_MAX) {
		config_set_error("cannot read '%s': %s", name, read_file_strerror(EFBIG));
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		config_set_error("cannot read '%s': %s", name, git_error_last()->message);
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
		return config_set_error("'%s' is not a commit id", commit_hex);
	}
	if (git_commit_lookup(&commit, repo, &oid) < 0) {
		config_set_error("cannot read the commit %s: %s", commit_hex, git_error_last()->message);
		git_error_clear();
		return -1;
	}
	/* git's own name for the blob, <commit>:.gitsandbox, until it is checked out */
	if (git_object_short_id(&abbrev, (const git_object *)commit) < 0) {
		config_set_error("cannot read the commit %s: %s", commit_hex, git_error_last()->message);
		git_error_clear();
		git_commit_free(commit);
		return -1;
	}
	init(cfg, xasprintf("%s:.gitsandbox", abbrev.ptr));
	cfg->file_in_commit = 1;
	git_buf_dispose(&abbrev);
	if (!read_commit_file(repo, commit, cfg->file, &text, &len))
		ret = load(cfg, repo, NULL, text, len, default_project);
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
	cfg->file_in_commit = 0;
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
