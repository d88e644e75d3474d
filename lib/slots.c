#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slots.h"
#include "strbuf.h"
#include "util.h"

long *slot_ports(const struct sb_config *cfg, long slot, size_t *n, char ***names)
{
	size_t i, total = 0;
	long *p, k;

	for (i = 0; i < cfg->nports; i++)
		total += cfg->ports[i].count;
	p = xmalloc((total ? total : 1) * sizeof(long));
	if (names)
		*names = xmalloc((total ? total : 1) * sizeof(char *));
	*n = 0;
	for (i = 0; i < cfg->nports; i++)
		for (k = 0; k < cfg->ports[i].count; k++) {
			if (names)
				(*names)[*n] = cfg->ports[i].name;
			p[(*n)++] = port_of(&cfg->ports[i], slot, k);
		}
	return p;
}

int port_is_free(long port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;

	if (fd < 0)
		return 1;	/* cannot probe: do not block allocation on it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	ok = !bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

/* Why slot cannot be had, in why; 0 if it is free. */
static int slot_taken(const struct registry *r, const struct sb_config *cfg, const char *repo,
		      long slot, struct strbuf *why)
{
	size_t i, j, k, n;
	long *ports = slot_ports(cfg, slot, &n, NULL);
	int taken = 0;

	for (i = 0; i < r->n && !taken; i++) {
		const struct reg_entry *e = &r->e[i];

		if (!strcmp(e->repo, repo) && e->slot == slot) {
			strbuf_addf(why, "slot %ld is taken by sandbox '%s' (%s)", slot, e->name, e->path);
			taken = 1;
		}
		for (j = 0; j < n && !taken; j++)
			for (k = 0; k < e->nports && !taken; k++)
				if (ports[j] == e->ports[k]) {
					strbuf_addf(why, "slot %ld: port %ld is held by sandbox '%s' (%s)",
						    slot, ports[j], e->name, e->path);
					taken = 1;
				}
	}
	for (j = 0; j < n && !taken; j++)
		if (!port_is_free(ports[j])) {
			strbuf_addf(why, "slot %ld: port %ld is in use by another process", slot, ports[j]);
			taken = 1;
		}
	free(ports);
	return taken;
}

long slot_choose(const struct registry *r, const struct sb_config *cfg, const char *repo, long want)
{
	struct strbuf why = STRBUF_INIT;
	long s;

	if (want > 0) {
		if (want > cfg->slots) {
			error("slot %ld is out of range: slots go from 1 to %ld (sandbox.slots)", want, cfg->slots);
			return -1;
		}
		if (slot_taken(r, cfg, repo, want, &why)) {
			error("%s", why.buf);
			strbuf_release(&why);
			return -1;
		}
		return want;
	}
	for (s = 1; s <= cfg->slots; s++) {
		strbuf_reset(&why);
		if (!slot_taken(r, cfg, repo, s, &why)) {
			strbuf_release(&why);
			return s;
		}
		/* a stranger on a port is news; our own sandboxes are expected */
		if (strstr(why.buf, "another process"))
			note("skipping %s", why.buf);
	}
	strbuf_release(&why);
	error("no free slot: all %ld slots are taken; destroy a sandbox, run 'git sandbox prune', "
	      "or raise sandbox.slots", cfg->slots);
	return -1;
}
