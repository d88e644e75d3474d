/*
 * setup.c: a .gitsandbox written from a compose file — one port group per
 * host port its services publish, named and numbered as the file has them
 * — and what to change in the file so that a second stack does not
 * collide with the first (git-sandbox-setup(1)).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "composefile.h"
#include "config.h"
#include "setup.h"
#include "util.h"

/* container ports of services that speak no HTTP: up waits for TCP there */
static const long tcp_ports[] = {
	5432, 3306, 6379, 27017, 5672, 9092, 11211, 1433, 1521, 9042, 2181, 4222, 0
};

static int known_tcp(const char *target)
{
	long t = target ? strtol(target, NULL, 10) : 0;
	size_t i;

	for (i = 0; tcp_ports[i]; i++)
		if (t == tcp_ports[i])
			return 1;
	return 0;
}

/* s made a port group name: [A-Za-z0-9._-], at most 64 */
static char *group_name(const char *s)
{
	char *n = xstrndup(s, 64), *p;

	for (p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			*p = '-';
	return n;
}

/* s made a variable name: upper case, [A-Z0-9_], not starting with a digit */
static void add_var(struct strbuf *sb, const char *s)
{
	if (isdigit((unsigned char)*s))
		strbuf_addch(sb, 'P');
	for (; *s; s++)
		strbuf_addch(sb, isalnum((unsigned char)*s) ? toupper((unsigned char)*s) : '_');
}

struct group {
	char *name, *var;
	const struct compose_port *p;
	const char *refused;	/* why the file's variable cannot be the group's */
	long step;		/* 0: no step fits (the group is written commented out) */
};

#define SETUP_SLOTS 10	/* the default sandbox.slots, which the file is written for */
#define PORT_MAX 65535

/* The smallest step of a group: 1 for one port, a range's count rounded up to ten. */
static long min_step(const struct group *g)
{
	return g->p->count > 1 ? (g->p->count + 9) / 10 * 10 : 1;
}

/* Mark (by 1) or unmark (by -1) in held the ports of group g in every slot. */
static void hold(unsigned char *held, const struct group *g, int by)
{
	long s, k;

	for (s = 0; g->step && s <= SETUP_SLOTS; s++)
		for (k = 0; k < g->p->count; k++)
			held[g->p->base + s * g->step + k] += by;
}

/* Do group g's ports with step fit below 65536, on ports none in held has? */
static int fits(const unsigned char *held, const struct group *g, long step)
{
	long s, k;

	if (g->p->base + SETUP_SLOTS * step + g->p->count - 1 > PORT_MAX)
		return 0;
	for (s = 0; s <= SETUP_SLOTS; s++)
		for (k = 0; k < g->p->count; k++)
			if (held[g->p->base + s * step + k])
				return 0;
	return 1;
}

/*
 * Give each group of g the step step (or its min_step, if larger), in
 * order, leaving out (step 0) a group whose ports in some slot would pass
 * 65535 or be ports an earlier group has in some slot. Returns how many
 * with a base were left out.
 */
static size_t try_step(struct group *g, size_t n, long step, unsigned char *held)
{
	size_t i, out = 0;

	memset(held, 0, PORT_MAX + 1);
	for (i = 0; i < n; i++) {
		long st = step < min_step(&g[i]) ? min_step(&g[i]) : step;

		g[i].step = g[i].p->base >= 0 && fits(held, &g[i], st) ? st : 0;
		out += !g[i].step && g[i].p->base >= 0;
		hold(held, &g[i], 1);
	}
	return out;
}

/*
 * The steps: first one for every group, the smallest of 1, 10, 20 .. 1000
 * that leaves out the fewest (ports published side by side, 8000 and
 * 8001, collide in slot 1 with a step of 1; with 10 they do not); then
 * each group's own smallest that still collides with none, so that a
 * lone port keeps the step of 1 a reader expects.
 */
static void choose_steps(struct group *g, size_t n)
{
	unsigned char *held = xmalloc(PORT_MAX + 1);
	long best = 1, step;
	size_t i, out, best_out = (size_t)-1;

	for (step = 1; step <= 1000 && best_out; step = step < 10 ? 10 : step + 10)
		if ((out = try_step(g, n, step, held)) < best_out) {
			best_out = out;
			best = step;
		}
	try_step(g, n, best, held);
	for (i = 0; i < n; i++) {
		long min = min_step(&g[i]);

		if (!g[i].step || g[i].step == min)
			continue;
		hold(held, &g[i], -1);
		for (step = min; step < g[i].step; step = step < 10 ? 10 : step + 10)
			if (fits(held, &g[i], step)) {
				g[i].step = step;
				break;
			}
		hold(held, &g[i], 1);
	}
	free(held);
}

/* Why the variable var (and its VAR_<k>) cannot carry count ports, or NULL. */
static const char *refused_var(const char *var, long count)
{
	const char *why = NULL;
	long k;

	if (config_reserved_var(var, &why))
		return why;
	for (k = 1; count > 1 && k <= count && !why; k++) {
		char *v = xasprintf("%s_%ld", var, k);

		config_reserved_var(v, &why);
		free(v);
	}
	return why;
}

static int taken(const struct group *g, size_t n, const char *name, const char *var)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((name && !strcmp(g[i].name, name)) || (var && !strcmp(g[i].var, var)))
			return 1;
	return 0;
}

/* The container side, for the line to write: "8000", or "80" when unknown. */
static const char *target_of(const struct compose_port *p)
{
	return p->target && *p->target ? p->target : "80";
}

size_t setup_write(const struct compose_setup *cs, const char *project, const char *const *files,
		   size_t nfiles, struct strbuf *out, struct strbuf *advice)
{
	size_t groups = 0;
	struct group *g = xcalloc(cs->nports + 1, sizeof(*g));
	size_t i, j, n = 0;

	for (i = 0; i < cs->nports; i++) {
		const struct compose_port *p = &cs->ports[i];
		struct strbuf name = STRBUF_INIT, var = STRBUF_INIT;
		const char *refused = p->var ? refused_var(p->var, p->count) : NULL;
		char *base = group_name(p->service);

		/* one group per variable: the same one published twice is one port */
		if (p->var && !refused && taken(g, n, NULL, p->var)) {
			free(base);
			continue;
		}
		strbuf_addstr(&name, base);
		for (j = 2; taken(g, n, name.buf, NULL); j++) {
			strbuf_reset(&name);
			strbuf_addf(&name, "%s-%zu", base, j);
		}
		if (p->var && !refused) {
			strbuf_addstr(&var, p->var);
		} else {
			add_var(&var, name.buf);
			strbuf_addstr(&var, "_PORT");
			for (j = 2; taken(g, n, NULL, var.buf); j++) {
				strbuf_reset(&var);
				add_var(&var, name.buf);
				strbuf_addf(&var, "_%zu_PORT", j);
			}
		}
		free(base);
		g[n].name = strbuf_detach(&name);
		g[n].var = strbuf_detach(&var);
		g[n].refused = refused;
		g[n++].p = p;
	}
	choose_steps(g, n);

	strbuf_addstr(out, "# .gitsandbox, written by 'git sandbox setup' from");
	for (i = 0; i < nfiles; i++)
		strbuf_addf(out, " %s", files[i]);
	strbuf_addstr(out, ":\n# read it, adjust it, then commit it (see gitsandbox(5))\n[sandbox]\n");
	if (project)
		strbuf_addf(out, "\tproject = %s\n", project);
	for (i = 0; i < nfiles; i++)
		if (nfiles > 1 || strcmp(files[i], DEFAULT_COMPOSE_FILE))
			strbuf_addf(out, "\tcompose = %s\n", files[i]);
	if (!n)
		strbuf_addstr(out, "# no service publishes a host port\n");
	for (i = 0; i < n; i++) {
		const struct compose_port *p = g[i].p;
		const char *c = !g[i].step ? "#" : "";

		groups += !!g[i].step;
		char *svc = printable(p->service);

		/* the file's text only where it cannot make a line of its own */
		strbuf_addf(out, "%s[port \"%s\"]\t\t# service %s, line %lu\n", c, g[i].name,
			    svc, p->line);
		free(svc);
		strbuf_addf(out, "%s\tvar = %s\n", c, g[i].var);
		if (p->base < 0)
			strbuf_addstr(out, "#\tbase = ?\t\t# the port slot 0 uses: give the variable a default\n");
		else if (!g[i].step)
			strbuf_addf(out, "#\tbase = %ld\t# its ports in %ld slots would pass 65535 or be "
				    "another group's: choose base and step\n", p->base, (long)SETUP_SLOTS);
		else
			strbuf_addf(out, "\tbase = %ld\n", p->base);
		if (p->count > 1)
			strbuf_addf(out, "%s\tcount = %ld\n", c, p->count);
		if (g[i].step > 1)
			strbuf_addf(out, "\tstep = %ld\n", g[i].step);
		if (known_tcp(p->target))
			strbuf_addstr(out, "#\twait = tcp\t\t# up waits until it accepts TCP\n");
		else
			strbuf_addstr(out, "#\thealth = /\t\t# an HTTP path up waits for (or: wait = tcp)\n");
	}

	/* what would make a second stack collide with the first */
	for (i = 0; i < n; i++) {
		const struct compose_port *p = g[i].p;
		struct strbuf host = STRBUF_INIT;

		/* a range's ports are VAR_1 .. VAR_<count> (ports.h) */
		if (p->count > 1)
			strbuf_addf(&host, "${%s_1}-${%s_%ld}", g[i].var, g[i].var, p->count);
		else
			strbuf_addf(&host, "${%s}", g[i].var);
		char *svc = printable(p->service), *ip = p->host_ip ? printable(p->host_ip) : NULL;
		char *target = printable(target_of(p));

		if (g[i].refused)
			strbuf_addf(advice, "service '%s' publishes ${%s} (line %lu), but %s is %s: write "
				    "\"%s%s%s:%s\" instead\n", svc, p->var, p->line, p->var, g[i].refused,
				    ip ? ip : "", ip ? ":" : "", host.buf, target);
		else if (!p->var)
			strbuf_addf(advice, "service '%s' publishes the fixed host port%s %ld (line %lu): write "
				    "\"%s%s%s:%s\" instead, or every sandbox's stack takes the same port%s\n",
				    svc, p->count > 1 ? "s from" : "", p->base, p->line,
				    ip ? ip : "", ip ? ":" : "", host.buf, target, p->count > 1 ? "s" : "");
		else if (p->base < 0)
			strbuf_addf(advice, "service '%s' publishes ${%s} with no default (line %lu): write "
				    "\"${%s:-<port>}:%s\" so that slot 0 has a port\n", svc, p->var,
				    p->line, p->var, target);
		strbuf_release(&host);
		free(svc);
		free(ip);
		free(target);
	}
	for (i = 0; i < cs->nnamed; i++) {
		char *svc = printable(cs->named[i].service), *cn = printable(cs->named[i].name);

		strbuf_addf(advice, "service '%s' has the fixed container_name '%s' (line %lu): remove "
			    "it, or write \"container_name: ${COMPOSE_PROJECT_NAME}-%s\", or a second stack "
			    "cannot start\n", svc, cn, cs->named[i].line, svc);
		free(svc);
		free(cn);
	}
	if (cs->unread)
		strbuf_addf(advice, "%zu port entr%s could not be read; add %s by hand\n", cs->unread,
			    cs->unread == 1 ? "y" : "ies", cs->unread == 1 ? "it" : "them");
	for (i = 0; i < n; i++) {
		free(g[i].name);
		free(g[i].var);
	}
	free(g);
	return groups;
}
