/*
 * composelint.c: the lint of compose's resolved model, owning what makes
 * two sandboxes' stacks collide and the line that avoids it (the rules are
 * listed in composelint.h). It judges, it does not print: up warns with
 * the findings, doctor reports them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "composefile.h"
#include "composelint.h"
#include "util.h"

/* One published port of a service, from either spelling of compose's. */
struct published {
	long lo, hi;		/* the host ports, lo..hi; lo 0: none published */
	char *target;		/* the container's port(s), as text */
	char *host_ip;		/* or NULL */
	char *proto;		/* or NULL (tcp) */
};

static void published_free(struct published *p)
{
	free(p->target);
	free(p->host_ip);
	free(p->proto);
	memset(p, 0, sizeof(*p));
}

static void add_finding(struct lint_findings *out, char *what, char *fix)
{
	ALLOC_GROW(out->v, out->n + 1, out->alloc);
	out->v[out->n].what = what;
	out->v[out->n++].fix = fix;
}

/* "8000" or "8000-8002" (all of s) into lo..hi: 0, or -1 if it is neither. */
static int parse_range(const char *s, size_t len, long *lo, long *hi)
{
	char *text = xstrndup(s, len), *dash = strchr(text, '-');
	int ret;

	if (dash)
		*dash = '\0';
	ret = parse_int(text, 1, 65535, lo);
	if (!ret)
		ret = dash ? parse_int(dash + 1, *lo, 65535, hi) : (*hi = *lo, 0);
	free(text);
	return ret;
}

/* A number or a string, as text (NULL for anything else). */
static char *scalar_text(const json_t *v)
{
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_string(v))
		return xstrndup(json_string_value(v), json_string_length(v));
	return NULL;
}

/*
 * Compose's short syntax, as v1 writes an entry with a host address:
 * "[<ip>:][<published>:]<target>[/<protocol>]"; an IPv6 address may be
 * bracketed or not ("::1:6000:6000/tcp"), since the target and the
 * published port are taken from the right.
 */
static int parse_short(const char *s, struct published *p)
{
	const char *slash = strchr(s, '/'), *end = slash ? slash : s + strlen(s);
	const char *colon = NULL, *pub, *q;

	for (q = s; q < end; q++)
		if (*q == ':')
			colon = q;
	if (slash)
		p->proto = xstrdup(slash + 1);
	if (!colon) {
		p->target = xstrndup(s, end - s);
		return 0;
	}
	p->target = xstrndup(colon + 1, end - colon - 1);
	end = colon;
	colon = NULL;
	for (q = s; q < end; q++)
		if (*q == ':')
			colon = q;
	pub = colon ? colon + 1 : s;
	if (colon) {
		const char *ip = s, *ipend = colon;

		if (*ip == '[' && ipend > ip && ipend[-1] == ']') {
			ip++;
			ipend--;
		}
		p->host_ip = xstrndup(ip, ipend - ip);
	}
	if (pub == end)
		return 0;	/* "127.0.0.1::81": a port the engine chooses */
	return parse_range(pub, end - pub, &p->lo, &p->hi);
}

/* One entry of a service's ports: 0, or -1 if it is not one compose writes. */
static int parse_port(const json_t *entry, struct published *p)
{
	const json_t *pub;
	char *text;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	if (json_is_string(entry))
		return parse_short(json_string_value(entry), p);
	if (!json_is_object(entry))
		return -1;
	p->target = scalar_text(json_object_get(entry, "target"));
	if (!p->target)
		return -1;
	if (json_is_string(json_object_get(entry, "host_ip")))
		p->host_ip = xstrdup(json_string_value(json_object_get(entry, "host_ip")));
	if (json_is_string(json_object_get(entry, "protocol")))
		p->proto = xstrdup(json_string_value(json_object_get(entry, "protocol")));
	pub = json_object_get(entry, "published");
	text = scalar_text(pub);
	if (text && *text)
		ret = parse_range(text, strlen(text), &p->lo, &p->hi);
	free(text);
	return ret;
}

/*
 * Which port of g is port, in one of the slots (config.h: port_of): its
 * index, or -1.
 */
static long index_in_group(const struct port_group *g, long slots, long port)
{
	long off = port - g->base;

	if (port >= g->main && port < g->main + g->count)
		return port - g->main;
	if (g->step > 0 && off >= g->step && off / g->step <= slots && off % g->step < g->count)
		return off % g->step;
	return -1;
}

/* "${VAR}" for port i of g, "${VAR_<i+1>}" in a group of several. */
static void add_var(struct strbuf *sb, const struct port_group *g, long i)
{
	if (g->count == 1)
		strbuf_addf(sb, "${%s}", g->var);
	else
		strbuf_addf(sb, "${%s_%ld}", g->var, i + 1);
}

/* The ports entry to write, host part given: "[<ip>:]<host>:<target>[/<proto>]". */
static char *ports_entry(const struct published *p, const char *host)
{
	struct strbuf sb = STRBUF_INIT;
	char *shown;

	strbuf_addch(&sb, '"');
	if (p->host_ip && *p->host_ip)
		strbuf_addf(&sb, strchr(p->host_ip, ':') ? "[%s]:" : "%s:", p->host_ip);
	strbuf_addf(&sb, "%s:%s", host, p->target);
	if (p->proto && strcmp(p->proto, "tcp"))
		strbuf_addf(&sb, "/%s", p->proto);
	strbuf_addch(&sb, '"');
	shown = printable(sb.buf);
	strbuf_release(&sb);
	return shown;
}

/* A variable name from text: upper case, '_' for anything else. */
static void add_var_name(struct strbuf *sb, const char *text)
{
	for (; *text; text++)
		strbuf_addch(sb, isalnum((unsigned char)*text) ? toupper((unsigned char)*text) : '_');
}

/*
 * The fix for a literal host port range lo..hi of service: the variable
 * of the group one of whose slots has those ports, or a new group.
 */
static char *port_fix(const struct lint_sandbox *ls, const char *service, const struct published *p)
{
	struct strbuf host = STRBUF_INIT, group = STRBUF_INIT, var = STRBUF_INIT;
	long n = p->hi - p->lo + 1, i;
	char *entry, *fix;
	size_t k;

	for (k = 0; k < ls->cfg->nports; k++) {
		const struct port_group *g = &ls->cfg->ports[k];

		i = index_in_group(g, ls->cfg->slots, p->lo);
		if (i < 0 || i + n > g->count)
			continue;
		add_var(&host, g, i);
		if (n > 1) {
			strbuf_addch(&host, '-');
			add_var(&host, g, i + n - 1);
		}
		entry = ports_entry(p, host.buf);
		fix = xasprintf("write the ports entry %s (port group '%s')", entry, g->name);
		free(entry);
		strbuf_release(&host);
		return fix;
	}
	/* a new group, named for the service (or for its target, if taken) */
	strbuf_addstr(&group, service);
	for (k = 0; k < ls->cfg->nports; k++)
		if (!strcmp(ls->cfg->ports[k].name, service))
			strbuf_addf(&group, "-%s", p->target);
	add_var_name(&var, group.buf);
	strbuf_addstr(&var, "_PORT");
	if (n == 1)
		strbuf_addf(&host, "${%s}", var.buf);
	else
		strbuf_addf(&host, "${%s_1}-${%s_%ld}", var.buf, var.buf, n);
	entry = ports_entry(p, host.buf);
	{
		char *g = printable(group.buf);

		if (n == 1)
			fix = xasprintf("add a [port \"%s\"] group (var = %s, base = %ld) and write the "
					"ports entry %s", g, var.buf, p->lo, entry);
		else
			/* step: room to grow, as setup writes it */
			fix = xasprintf("add a [port \"%s\"] group (var = %s, base = %ld, count = %ld, "
					"step = %ld) and write the ports entry %s", g, var.buf, p->lo, n,
					(n + 9) / 10 * 10, entry);
		free(g);
	}
	free(entry);
	strbuf_release(&host);
	strbuf_release(&group);
	strbuf_release(&var);
	return fix;
}

/* Are the ports lo..hi all the sandbox's? */
static int all_leased(const struct port_set *ps, long lo, long hi)
{
	long p;

	for (p = lo; p <= hi; p++)
		if (!ps || !port_set_has(ps, p))
			return 0;
	return 1;
}

static size_t lint_service(const char *name, const json_t *svc, const struct lint_sandbox *ls,
			   const char *leased, struct lint_findings *out)
{
	const char *cname = json_string_value(json_object_get(svc, "container_name"));
	const char *mode = json_string_value(json_object_get(svc, "network_mode"));
	const json_t *ports = json_object_get(svc, "ports");
	char *shown = printable(name);
	size_t i, found = 0;

	if (cname && !strstr(cname, ls->project)) {
		char *c = printable(cname);

		add_finding(out, xasprintf("service '%s' has the fixed container_name '%s': the stack of "
					   "a second sandbox cannot make its container", shown, c),
			    xasprintf("remove its container_name, or write: "
				      "container_name: ${COMPOSE_PROJECT_NAME}-%s", shown));
		free(c);
		found++;
	}
	/* on the host's network, or another container's, it publishes nothing */
	if (mode && (!strcmp(mode, "host") || starts_with(mode, "service:") ||
		     starts_with(mode, "container:")))
		ports = NULL;
	for (i = 0; i < json_array_size(ports); i++) {
		struct published p;

		if (parse_port(json_array_get(ports, i), &p) < 0 || !p.lo ||
		    all_leased(ls->ports, p.lo, p.hi)) {
			published_free(&p);
			continue;
		}
		if (p.lo == p.hi)
			add_finding(out, xasprintf("service '%s' publishes host port %ld, which is not one "
						   "of the sandbox's ports (%s): the stacks of two "
						   "sandboxes would collide", shown, p.lo, leased),
				    port_fix(ls, shown, &p));
		else
			add_finding(out, xasprintf("service '%s' publishes host ports %ld-%ld, which are "
						   "not the sandbox's ports (%s): the stacks of two "
						   "sandboxes would collide", shown, p.lo, p.hi, leased),
				    port_fix(ls, shown, &p));
		found++;
		published_free(&p);
	}
	free(shown);
	return found;
}

static size_t lint_volume(const char *key, const json_t *vol, const char *project,
			  struct lint_findings *out)
{
	const json_t *ext = json_object_get(vol, "external");
	const char *name = json_string_value(json_object_get(vol, "name"));
	int external = json_is_true(ext) || json_is_object(ext);
	char *k, *n;

	if (!name && json_is_object(ext))
		name = json_string_value(json_object_get(ext, "name"));	/* the old spelling */
	if (!name && external)
		name = key;
	if (!name || strstr(name, project))
		return 0;
	k = printable(key);
	n = printable(name);
	if (external)
		add_finding(out, xasprintf("volume '%s' is external ('%s'): the stacks of every "
					   "sandbox would share it", k, n),
			    xasprintf("drop its \"external: true\" so that each stack makes its own, "
				      "or name one for each sandbox: name: ${COMPOSE_PROJECT_NAME}-%s", k));
	else
		add_finding(out, xasprintf("volume '%s' has the fixed name '%s': the stacks of every "
					   "sandbox would share it", k, n),
			    xasprintf("remove its name, or write: name: ${COMPOSE_PROJECT_NAME}-%s", k));
	free(k);
	free(n);
	return 1;
}

size_t compose_lint_model(const json_t *model, const struct lint_sandbox *ls,
			  struct lint_findings *out)
{
	struct strbuf leased = STRBUF_INIT;
	const char *key;
	json_t *v;
	long *mine = NULL;
	size_t nmine = ls->ports ? port_set_flat(ls->ports, &mine, NULL) : 0, found = 0;

	sort_longs_unique(mine, &nmine);
	describe_ports(&leased, mine, nmine);
	if (!nmine)
		strbuf_addstr(&leased, "none");
	free(mine);
	json_object_foreach((json_t *)json_object_get(model, "services"), key, v)
		if (json_is_object(v))
			found += lint_service(key, v, ls, leased.buf, out);
	json_object_foreach((json_t *)json_object_get(model, "volumes"), key, v)
		if (json_is_object(v))
			found += lint_volume(key, v, ls->project, out);
	strbuf_release(&leased);
	return found;
}

int compose_lint(const struct compose *c, const struct lint_sandbox *ls,
		 struct lint_findings *out, struct strbuf *why)
{
	struct strbuf yaml = STRBUF_INIT, err = STRBUF_INIT;
	json_t *model;

	if (compose_config(c, &yaml, why) < 0) {
		strbuf_release_secret(&yaml);
		return -1;
	}
	model = yaml_to_json(yaml.buf, yaml.len, &err);
	strbuf_release_secret(&yaml);
	wipe_stack();	/* what the parser's frames left of compose's answer */
	if (!model) {
		strbuf_addf(why, "compose's answer does not read as YAML: %s", err.buf);
		strbuf_release(&err);
		return -1;
	}
	compose_lint_model(model, ls, out);
	json_decref(model);
	strbuf_release(&err);
	return 0;
}

void lint_findings_free(struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].what);
		free(f->v[i].fix);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
