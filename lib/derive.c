/*
 * derive.c: templates ({host}, {port}, ${NAME}) and what is derived with
 * them from a sandbox's ports and names: the port groups' URLs and the
 * [env] variables (derive.h). Pure: no file, engine or environment.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "secrets.h"
#include "util.h"

enum token { TOK_ERROR = -1, TOK_END, TOK_TEXT, TOK_HOST, TOK_PORT, TOK_REF };

/* the length of the variable name at p ([A-Za-z_][A-Za-z0-9_]*), 0 if none */
static size_t name_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * The next token of the template at *p, which it moves past: literal text
 * (*s, *len: its bytes), a placeholder, a reference (*s, *len: the name),
 * TOK_END, or TOK_ERROR with why.
 */
static enum token next_token(const char **p, unsigned allow, const char **s, size_t *len,
			     struct strbuf *why)
{
	const char *q = *p;
	size_t n;

	if (!*q)
		return TOK_END;
	if (*q == '$' && (allow & TEMPLATE_VARS)) {
		if (q[1] == '$') {
			/* "$${NAME}" is the text ${NAME}, as compose has it */
			*s = q + 1;
			*len = q[2] == '{' ? 2 : 1;
			*p = q + 1 + *len;
			return TOK_TEXT;
		}
		if (q[1] == '{' && (n = name_len(q + 2)) && q[2 + n] == '}') {
			*s = q + 2;
			*len = n;
			*p = q + 3 + n;
			return TOK_REF;
		}
		if (q[1] == '{')
			strbuf_addstr(why, "'${' starts a reference: a variable name, then '}'");
		else
			strbuf_addstr(why, "a '$' starts a reference, ${NAME} ($NAME is not one); "
				      "write $$ for a '$'");
		return TOK_ERROR;
	}
	if (*q == '{') {
		if (q[1] == '{') {
			*s = q;
			*len = 1;
			*p = q + 2;
			return TOK_TEXT;
		}
		if ((n = name_len(q + 1)) && q[1 + n] == '}') {
			*p = q + 2 + n;
			if (n == 4 && !strncmp(q + 1, "host", 4) && (allow & TEMPLATE_HOST))
				return TOK_HOST;
			if (n == 4 && !strncmp(q + 1, "port", 4) && (allow & TEMPLATE_PORT))
				return TOK_PORT;
			strbuf_addf(why, "unknown placeholder {%.*s} (known: %s); write {{ for a '{'",
				    (int)n, q + 1,
				    (allow & TEMPLATE_PORT) ? "{host}, {port}" :
				    (allow & TEMPLATE_HOST) ? "{host}" : "none");
			return TOK_ERROR;
		}
		/* a '{' that starts no placeholder is itself */
		*s = q;
		*len = 1;
		*p = q + 1;
		return TOK_TEXT;
	}
	for (n = 0; q[n] && q[n] != '{' && !(q[n] == '$' && (allow & TEMPLATE_VARS)); n++) {
		unsigned char c = q[n];

		if (is_control(c)) {
			strbuf_addf(why, "it has a control byte (0x%02x)", c);
			return TOK_ERROR;
		}
		if ((allow & TEMPLATE_URL) && (c == ' ' || c >= 0x80)) {
			strbuf_addstr(why, c == ' ' ? "a URL has no blank" :
				      "a URL has no byte outside ASCII");
			return TOK_ERROR;
		}
	}
	*s = q;
	*len = n;
	*p = q + n;
	return TOK_TEXT;
}

#define TEMPLATE_ALL (TEMPLATE_HOST | TEMPLATE_PORT | TEMPLATE_VARS)

typedef int (*token_fn)(enum token t, const char *s, size_t len, void *data);

/*
 * The one walk over a template's tokens: fn (if any) is called on each, in
 * order, until it returns non-zero. That value, 0 at the end, or -1 at a
 * token that is not one, with why (a scratch buffer when NULL) saying why.
 */
static int walk(const char *tmpl, unsigned allow, token_fn fn, void *data, struct strbuf *why)
{
	struct strbuf scratch = STRBUF_INIT;
	const char *p = tmpl, *s = NULL;
	size_t len = 0;
	enum token t;
	int ret = 0;

	while (!ret && (t = next_token(&p, allow, &s, &len, why ? why : &scratch)) != TOK_END)
		ret = t == TOK_ERROR ? -1 : fn ? fn(t, s, len, data) : 0;
	strbuf_release(&scratch);
	return ret;
}

int template_check(const char *tmpl, unsigned allow, struct strbuf *why)
{
	return walk(tmpl, allow, NULL, NULL, why);
}

static int is_placeholder(enum token t, const char *s, size_t len, void *data)
{
	const char *name = data;

	(void)s;
	(void)len;
	return (t == TOK_HOST && !strcmp(name, "host")) || (t == TOK_PORT && !strcmp(name, "port"));
}

int template_uses(const char *tmpl, const char *name)
{
	/* a template that is not one is used as far as it is valid */
	return walk(tmpl, TEMPLATE_ALL, is_placeholder, (void *)name, NULL) > 0;
}

struct refs {
	int (*fn)(const char *name, size_t len, void *data);
	void *data;
	int ret;	/* fn's, which may be -1 as the walk's error is */
};

static int each_ref(enum token t, const char *s, size_t len, void *data)
{
	struct refs *r = data;

	if (t == TOK_REF)
		r->ret = r->fn(s, len, r->data);
	return r->ret;
}

int template_refs(const char *tmpl, int (*fn)(const char *name, size_t len, void *data),
		  void *data)
{
	struct refs r = { fn, data, 0 };

	walk(tmpl, TEMPLATE_ALL, each_ref, &r, NULL);
	return r.ret;
}

struct expansion {
	struct strbuf *out;
	const struct template_vars *v;
	struct strbuf *why;
};

static int expand_token(enum token t, const char *s, size_t len, void *data)
{
	struct expansion *x = data;
	const struct template_vars *v = x->v;
	const char *val;
	char num[32];

	switch (t) {
	case TOK_TEXT:
		strbuf_add_secret(x->out, s, len);
		break;
	case TOK_HOST:
		if (!v->host) {
			strbuf_addstr(x->why, "{host}: the engine's host is not known");
			return -1;
		}
		/* an IPv6 address in brackets, as a URL has it */
		if (strchr(v->host, ':'))
			strbuf_add_secret(x->out, "[", 1);
		strbuf_add_secret(x->out, v->host, strlen(v->host));
		if (strchr(v->host, ':'))
			strbuf_add_secret(x->out, "]", 1);
		break;
	case TOK_PORT:
		snprintf(num, sizeof(num), "%ld", v->port);
		strbuf_add_secret(x->out, num, strlen(num));
		break;
	case TOK_REF:
		if (!v->lookup || !(val = v->lookup(s, len, v->data))) {
			strbuf_addf(x->why, "${%.*s}: the sandbox has no such variable", (int)len, s);
			return -1;
		}
		strbuf_add_secret(x->out, val, strlen(val));
		break;
	case TOK_ERROR:
	case TOK_END:
		break;	/* the walk's */
	}
	return 0;
}

int template_expand(struct strbuf *out, const char *tmpl, const struct template_vars *v,
		    struct strbuf *why)
{
	struct expansion x = { out, v, why };

	return walk(tmpl, TEMPLATE_ALL, expand_token, &x, why) < 0 ? -1 : 0;
}

/* --- the order of [env] variables --------------------------------------- */

struct order {
	const struct env_def *defs;
	size_t n;
	unsigned char *mark;	/* 0 unseen, 1 being expanded, 2 done */
	size_t *stack, depth;
	size_t *order, norder;
	size_t *at;
	struct strbuf *why;
};

static size_t def_index(const struct env_def *defs, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(defs[i].name) == len && !strncmp(defs[i].name, name, len))
			return i;
	return n;
}

static int visit(struct order *o, size_t i);

static int visit_ref(const char *name, size_t len, void *data)
{
	struct order *o = data;
	size_t j = def_index(o->defs, o->n, name, len);

	return j < o->n ? visit(o, j) : 0;
}

static int visit(struct order *o, size_t i)
{
	size_t k;

	if (o->mark[i] == 2)
		return 0;
	if (o->mark[i] == 1) {
		/* the cycle: from i's place on the stack back to i */
		for (k = 0; o->stack[k] != i; k++)
			;
		*o->at = i;
		for (; k < o->depth; k++)
			strbuf_addf(o->why, "%s -> ", o->defs[o->stack[k]].name);
		strbuf_addstr(o->why, o->defs[i].name);
		return -1;
	}
	o->mark[i] = 1;
	o->stack[o->depth++] = i;
	if (template_refs(o->defs[i].value, visit_ref, o))
		return -1;
	o->depth--;
	o->mark[i] = 2;
	o->order[o->norder++] = i;
	return 0;
}

int template_order(const struct env_def *defs, size_t n, size_t *order, size_t *at,
		   struct strbuf *why)
{
	struct order o = { defs, n, NULL, NULL, 0, order, 0, at, why };
	size_t i;
	int ret = 0;

	o.mark = xcalloc(n + 1, 1);
	o.stack = xcalloc(n + 1, sizeof(*o.stack));
	for (i = 0; i < n && !ret; i++)
		ret = visit(&o, i);
	free(o.mark);
	free(o.stack);
	return ret;
}

/* --- URLs ------------------------------------------------------------------ */

const char *port_url_template(const struct port_group *g)
{
	if (g->url_set)
		return g->url && *g->url ? g->url : NULL;
	return g->health ? DEFAULT_URL_TEMPLATE : NULL;
}

size_t urls_of(const struct sb_config *cfg, const struct port_set *ps, const char *host,
	       const char ***names, char ***urls)
{
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	size_t i, n = 0;

	*names = NULL;
	*urls = NULL;
	if (!host)
		return 0;
	for (i = 0; i < cfg->nports; i++) {
		const char *tmpl = port_url_template(&cfg->ports[i]);
		const struct port_lease *l = port_set_find(ps, cfg->ports[i].name);
		struct template_vars v = { host, 0, NULL, NULL };

		if (!tmpl || !l || !l->n)
			continue;
		v.port = l->port[0];
		strbuf_reset(&out);
		if (template_expand(&out, tmpl, &v, &why) < 0)
			continue;	/* checked on load: cannot happen */
		*names = xrealloc(*names, (n + 1) * sizeof(**names));
		*urls = xrealloc(*urls, (n + 1) * sizeof(**urls));
		(*names)[n] = l->name;
		(*urls)[n++] = xstrdup(out.buf);
	}
	strbuf_release(&out);
	strbuf_release(&why);
	return n;
}

void urls_free(const char **names, char **urls, size_t n)
{
	free(names);
	free_strings(urls, n);
}

/* --- [env] variables --------------------------------------------------- */

/* where a reference is looked up: "K=V" lists, then the secrets */
struct lookup {
	char *const *env;	/* NULL-terminated, or with n entries */
	size_t nenv;
	char *const *derived;	/* cfg->nenvs entries, NULL where none */
	size_t nderived;
	const struct secret *secrets;
	size_t nsecrets;
};

static const char *in_list(char *const *v, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; v && i < n && (v[i] || n != (size_t)-1); i++)
		if (v[i] && !strncmp(v[i], name, len) && v[i][len] == '=')
			return v[i] + len + 1;
	return NULL;
}

static const char *lookup(const char *name, size_t len, void *data)
{
	const struct lookup *l = data;
	const char *v;
	size_t i;

	if ((v = in_list(l->env, l->nenv, name, len)) ||
	    (v = in_list(l->derived, l->nderived, name, len)))
		return v;
	for (i = 0; i < l->nsecrets; i++)
		if (strlen(l->secrets[i].var) == len && !strncmp(l->secrets[i].var, name, len))
			return l->secrets[i].value;
	return NULL;
}

/* "NAME=<value expanded>" in a block of its own, or NULL with why */
static char *expand_var(const struct env_def *d, const char *host, struct lookup *l,
			struct strbuf *why)
{
	struct template_vars v = { host, 0, lookup, l };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_add_secret(&out, d->name, strlen(d->name));
	strbuf_add_secret(&out, "=", 1);
	if (template_expand(&out, d->value, &v, &err) < 0) {
		strbuf_release_secret(&out);
		strbuf_addf(why, "%s%s (%s)", why->len ? "; " : "", d->name, err.buf);
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return strbuf_detach(&out);
}

static void append(char ***env, size_t *n, size_t *alloc, char *s)
{
	ALLOC_GROW(*env, *n + 2, *alloc);
	(*env)[(*n)++] = s;
	(*env)[*n] = NULL;
}

size_t derive_env(const struct sb_config *cfg, const char *host, char ***env, size_t *n,
		  size_t *alloc, struct strbuf *why)
{
	char **vals = xcalloc(cfg->nenvs + 1, sizeof(char *));
	struct lookup l = { *env, *n, vals, cfg->nenvs, NULL, 0 };
	size_t k, left = 0;

	for (k = 0; k < cfg->nenvs; k++) {
		size_t i = cfg->env_order ? cfg->env_order[k] : k;

		if (cfg->envs[i].secret)
			continue;
		if (!(vals[i] = expand_var(&cfg->envs[i], host, &l, why)))
			left++;
	}
	for (k = 0; k < cfg->nenvs; k++)
		if (vals[k])
			append(env, n, alloc, vals[k]);
	free(vals);
	return left;
}

/* is a reference a secret without a value, or a variable unset for that? */
struct unset {
	const struct sb_config *cfg;
	char *const *derived;
	const struct secret *secrets;
	size_t nsecrets;
};

static int is_unset(const char *name, size_t len, void *data)
{
	const struct unset *u = data;
	size_t i;

	for (i = 0; i < u->nsecrets; i++)
		if (strlen(u->secrets[i].var) == len && !strncmp(u->secrets[i].var, name, len))
			return !u->secrets[i].value;
	for (i = 0; i < u->cfg->nenvs; i++)
		if (strlen(u->cfg->envs[i].name) == len && !strncmp(u->cfg->envs[i].name, name, len))
			return u->derived[i] && !strchr(u->derived[i], '=');
	return 0;
}

size_t derive_secret_env(const struct sb_config *cfg, const char *host, const char *const *env,
			 const struct secret *secrets, size_t nsecrets, char ***out, size_t *n,
			 size_t *alloc, struct strbuf *why)
{
	char **vals = xcalloc(cfg->nenvs + 1, sizeof(char *));
	struct lookup l = { (char *const *)env, (size_t)-1, vals, cfg->nenvs, secrets, nsecrets };
	struct unset u = { cfg, vals, secrets, nsecrets };
	size_t k, left = 0;

	for (k = 0; k < cfg->nenvs; k++) {
		size_t i = cfg->env_order ? cfg->env_order[k] : k;
		const struct env_def *d = &cfg->envs[i];

		if (!d->secret)
			continue;
		/* a secret left unset leaves what is made of it unset: compose's default applies */
		if (template_refs(d->value, is_unset, &u))
			vals[i] = xstrdup(d->name);
		else if (!(vals[i] = expand_var(d, host, &l, why)))
			left++;
	}
	for (k = 0; k < cfg->nenvs; k++)
		if (vals[k])
			append(out, n, alloc, vals[k]);
	free(vals);
	return left;
}
