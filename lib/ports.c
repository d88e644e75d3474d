/* ports.c: a sandbox's host ports, in one place (ports.h) */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "ports.h"
#include "util.h"

int ports_of_config(struct port_set *ps, const struct sb_config *cfg, long slot,
		    struct strbuf *why)
{
	size_t i;
	long k;

	memset(ps, 0, sizeof(*ps));
	ps->g = xcalloc(cfg->nports + 1, sizeof(*ps->g));
	for (i = 0; i < cfg->nports; i++) {
		const struct port_group *g = &cfg->ports[i];
		struct port_lease *l = &ps->g[ps->n++];

		l->name = xstrdup(g->name);
		l->var = xstrdup(g->var);
		l->port = xcalloc(g->count, sizeof(long));
		for (k = 0; k < g->count; k++) {
			long p = port_of(g, slot, k);

			/* validated up to sandbox.slots only */
			if (p < 1 || p > 65535) {
				strbuf_addf(why, "port group '%s' has no port %ld in slot %ld (beyond sandbox.slots %ld)",
					    g->name, p, slot, cfg->slots);
				port_set_free(ps);
				return -1;
			}
			l->port[l->n++] = p;
		}
	}
	return 0;
}

void port_set_free(struct port_set *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->g[i].name);
		free(ps->g[i].var);
		free(ps->g[i].port);
	}
	free(ps->g);
	memset(ps, 0, sizeof(*ps));
}

size_t port_set_flat(const struct port_set *ps, long **ports, char ***names)
{
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < ps->n; i++)
		total += ps->g[i].n;
	*ports = xcalloc(total + 1, sizeof(long));
	if (names)
		*names = xcalloc(total + 1, sizeof(char *));
	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->g[i].n; j++) {
			if (names)
				(*names)[n] = ps->g[i].name;
			(*ports)[n++] = ps->g[i].port[j];
		}
	return n;
}

int port_set_same_ports(const struct port_set *a, const struct port_set *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->g[i].name, b->g[i].name) || a->g[i].n != b->g[i].n ||
		    memcmp(a->g[i].port, b->g[i].port, a->g[i].n * sizeof(long)))
			return 0;
	return 1;
}

const struct port_lease *port_set_find(const struct port_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->g[i].name, name))
			return &ps->g[i];
	return NULL;
}

int port_set_has(const struct port_set *ps, long port)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->g[i].n; j++)
			if (ps->g[i].port[j] == port)
				return 1;
	return 0;
}

/*
 * In the state: [port "<group>"] lease = "<VAR> <port>...", and
 * [ports] none = true for a sandbox with no ports at all.
 */
#define STATE_SECTION "port"
#define STATE_KEY "lease"

/* "API_PORT 8001" or "WORKER_PORT 5010 5011" */
static int parse_lease(const char *name, const char *v, struct port_lease *l)
{
	const char *sp = strchr(v, ' ');
	size_t alloc = 0;

	if (!sp || sp == v || !*name)
		return -1;
	l->name = xstrdup(name);
	l->var = xstrndup(v, sp - v);
	while (*sp == ' ') {
		char *end;
		long p;

		errno = 0;
		p = strtol(sp + 1, &end, 10);
		if (errno || end == sp + 1 || p < 1 || p > 65535 || (*end && *end != ' ') ||
		    l->n == MAX_PORT_COUNT)
			return -1;
		ALLOC_GROW(l->port, l->n + 1, alloc);
		l->port[l->n++] = p;
		sp = end;
	}
	return *sp ? -1 : 0;
}

int ports_from_state(struct port_set *ps, const struct sb_state *st)
{
	size_t i, alloc = 0;
	int found = state_get(st, "ports", "none") != NULL;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < st->nextra; i++) {
		const struct state_kv *kv = &st->extra[i];

		if (strcmp(kv->section, STATE_SECTION) || !kv->sub || strcmp(kv->key, STATE_KEY))
			continue;
		found = 1;
		ALLOC_GROW(ps->g, ps->n + 1, alloc);
		memset(&ps->g[ps->n], 0, sizeof(*ps->g));
		if (parse_lease(kv->sub, kv->value, &ps->g[ps->n++]) < 0) {
			port_set_free(ps);
			return -1;
		}
	}
	return found ? 0 : 1;
}

void ports_to_state(const struct port_set *ps, struct sb_state *st)
{
	struct strbuf v = STRBUF_INIT;
	size_t i, j;

	for (i = st->nextra; i-- > 0;)
		if (!strcmp(st->extra[i].section, STATE_SECTION) && st->extra[i].sub &&
		    !strcmp(st->extra[i].key, STATE_KEY))
			state_set_sub(st, STATE_SECTION, st->extra[i].sub, STATE_KEY, NULL);
	state_set(st, "ports", "none", ps->n ? NULL : "true");
	for (i = 0; i < ps->n; i++) {
		strbuf_reset(&v);
		strbuf_addstr(&v, ps->g[i].var);
		for (j = 0; j < ps->g[i].n; j++)
			strbuf_addf(&v, " %ld", ps->g[i].port[j]);
		state_set_sub(st, STATE_SECTION, ps->g[i].name, STATE_KEY, v.buf);
	}
	strbuf_release(&v);
}

void ports_from_flat(struct port_set *ps, const long *ports, char *const *names, size_t n,
		     const struct sb_config *cfg)
{
	size_t i = 0, j, k, alloc = 0;

	memset(ps, 0, sizeof(*ps));
	while (i < n) {
		struct port_lease *l;

		for (j = i + 1; j < n && !strcmp(names[j], names[i]); j++)
			;
		ALLOC_GROW(ps->g, ps->n + 1, alloc);
		l = &ps->g[ps->n++];
		memset(l, 0, sizeof(*l));
		l->name = xstrdup(names[i]);
		for (k = 0; cfg && k < cfg->nports && !l->var; k++)
			if (!strcmp(cfg->ports[k].name, names[i]))
				l->var = xstrdup(cfg->ports[k].var);
		if (!l->var)
			l->var = xstrdup("");
		l->port = xcalloc(j - i, sizeof(long));
		for (k = i; k < j; k++)
			l->port[l->n++] = ports[k];
		i = j;
	}
}

static const struct port_lease *find_group(const struct port_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->g[i].name, name))
			return &ps->g[i];
	return NULL;
}

static void add_ports(struct strbuf *sb, const struct port_lease *l)
{
	describe_ports(sb, l->port, l->n);
}

size_t ports_diff(const struct port_set *have, const struct port_set *want, struct strbuf *why)
{
	size_t i, n = 0;

	for (i = 0; i < want->n; i++) {
		const struct port_lease *w = &want->g[i], *h = find_group(have, w->name);

		if (!h) {
			strbuf_addf(why, "%snew port group '%s' (", n++ ? "; " : "", w->name);
			add_ports(why, w);
			strbuf_addch(why, ')');
			continue;
		}
		if (h->n != w->n || memcmp(h->port, w->port, h->n * sizeof(long))) {
			strbuf_addf(why, "%sport group '%s': ", n++ ? "; " : "", w->name);
			add_ports(why, h);
			strbuf_addstr(why, " -> ");
			add_ports(why, w);
		}
		if (strcmp(h->var, w->var))
			strbuf_addf(why, "%sport group '%s': variable %s -> %s", n++ ? "; " : "",
				    w->name, h->var, w->var);
	}
	for (i = 0; i < have->n; i++)
		if (!find_group(want, have->g[i].name))
			strbuf_addf(why, "%sport group '%s' is gone", n++ ? "; " : "", have->g[i].name);
	return n;
}

void ports_env(const struct port_set *ps, char ***env, size_t *n, size_t *alloc)
{
	size_t i, k;

	for (i = 0; i < ps->n; i++) {
		const struct port_lease *l = &ps->g[i];

		if (!*l->var)
			continue;	/* a group the configuration no longer names */
		for (k = 0; k < l->n; k++) {
			ALLOC_GROW(*env, *n + 1, *alloc);
			if (l->n == 1)
				(*env)[(*n)++] = xasprintf("%s=%ld", l->var, l->port[k]);
			else
				(*env)[(*n)++] = xasprintf("%s_%zu=%ld", l->var, k + 1, l->port[k]);
		}
	}
}

static int binds(int family, long port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;

	if (fd < 0)
		return 1;	/* cannot probe (no IPv6 here): do not block on it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;

		sa->sin_family = AF_INET;
		sa->sin_port = htons((unsigned short)port);
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*sa);
	} else {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;

		/* only IPv6: a listener on ::1 alone is not seen by the IPv4 probe */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons((unsigned short)port);
		sa->sin6_addr = in6addr_any;
		len = sizeof(*sa);
	}
	ok = !bind(fd, (struct sockaddr *)&ss, len) || errno == EADDRNOTAVAIL;
	close(fd);
	return ok;
}

int port_is_free(long port)
{
	return binds(AF_INET, port) && binds(AF_INET6, port);
}

/* The inode of a socket listening on port, from /proc/net/tcp{,6}: 0 if none is seen. */
static unsigned long listening_inode(long port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512];
	size_t f;

	for (f = 0; f < ARRAY_SIZE(files); f++) {
		FILE *fp = fopen(files[f], "re");

		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			char local[64];
			unsigned int st;
			unsigned long inode;
			char *colon;

			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(line, " %*s %63s %*s %x %*s %*s %*s %*s %*s %lu", local, &st, &inode) != 3)
				continue;
			colon = strrchr(local, ':');
			if (st != 0x0A || !colon || strtol(colon + 1, NULL, 16) != port || !inode)
				continue;
			fclose(fp);
			return inode;
		}
		fclose(fp);
	}
	return 0;
}

/* "pid 1234 (nc)" for the process holding socket inode, if /proc lets us see it. */
static int inode_owner(unsigned long inode, struct strbuf *who)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	char want[64];
	int found = 0;

	if (!proc)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (!found && (d = readdir(proc))) {
		char path[300], link[64];
		struct dirent *f;
		DIR *fds;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", d->d_name);
		if (!(fds = opendir(path)))
			continue;
		while (!found && (f = readdir(fds))) {
			char fd[600];
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(fd, sizeof(fd), "%s/%s", path, f->d_name);
			n = readlink(fd, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			found = !strcmp(link, want);
		}
		closedir(fds);
		if (found) {
			char comm[64] = "";
			FILE *fp;

			snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
			if ((fp = fopen(path, "re"))) {
				if (fgets(comm, sizeof(comm), fp))
					comm[strcspn(comm, "\n")] = '\0';
				fclose(fp);
			}
			strbuf_addf(who, "process %s", d->d_name);
			if (*comm) {
				strbuf_addf(who, " (%s)", comm);
			}
		}
	}
	closedir(proc);
	return found;
}

void port_holder(long port, const struct container_list *l, struct strbuf *who)
{
	size_t i, j;
	unsigned long inode;

	for (i = 0; l && i < l->n; i++)
		for (j = 0; j < l->v[i].nports; j++)
			if (l->v[i].ports[j] == port) {
				/* anyone's container: nothing of theirs reaches the terminal raw */
				char *project = printable(l->v[i].project);

				strbuf_addf(who, "container %s (service '%s' of compose project '%s')",
					    l->v[i].name, l->v[i].service, project);
				free(project);
				return;
			}
	if (engine_in_use() && !engine_is_local(engine_in_use())) {
		strbuf_addf(who, "something on the engine %s", engine_in_use()->name);
		return;
	}
	inode = listening_inode(port);
	if (!inode || !inode_owner(inode, who))
		strbuf_addstr(who, "another process");
}

void describe_ports(struct strbuf *sb, const long *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		strbuf_addf(sb, "%s%ld", i ? ", " : "", v[i]);
		if (j > i)
			strbuf_addf(sb, "-%ld", v[j]);
		i = j + 1;
	}
}

size_t check_port_leaks(const struct container_list *l, const char *project, long slot,
			const struct port_set *ps)
{
	struct strbuf desc = STRBUF_INIT;
	long *mine;
	size_t i, j, nmine = port_set_flat(ps, &mine, NULL), leaks = 0;

	sort_longs_unique(mine, &nmine);
	describe_ports(&desc, mine, nmine);
	for (i = 0; i < l->n; i++) {
		const struct container *c = &l->v[i];

		if (strcmp(c->project, project))
			continue;
		for (j = 0; j < c->nports; j++) {
			if (port_set_has(ps, c->ports[j]))
				continue;
			warning("service '%s' publishes host port %ld, outside slot %ld (%s); "
				"it will clash with other sandboxes",
				c->service, c->ports[j], slot, desc.buf);
			leaks++;
		}
	}
	strbuf_release(&desc);
	free(mine);
	return leaks;
}

int port_taken(long port, const struct container_list *l)
{
	const struct engine *e = engine_in_use();
	size_t i, j;

	if (!e || engine_is_local(e))
		return !port_is_free(port);
	for (i = 0; l && i < l->n; i++)
		for (j = 0; j < l->v[i].nports; j++)
			if (l->v[i].ports[j] == port)
				return 1;
	return 0;
}

int ports_check_free(const struct port_set *ps, const struct container_list *l,
		     const struct container *const *own, size_t nown)
{
	size_t i, j, k, p;
	int ret = 0;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->g[i].n; j++) {
			long port = ps->g[i].port[j];
			struct strbuf who = STRBUF_INIT;
			int mine = 0;

			for (k = 0; k < nown && !mine; k++)
				for (p = 0; p < own[k]->nports; p++)
					mine |= own[k]->ports[p] == port;
			if (mine || !port_taken(port, l))
				continue;
			port_holder(port, l, &who);
			ret = error("port %ld (%s) is held by %s", port, ps->g[i].name, who.buf);
			strbuf_release(&who);
		}
	return ret;
}
