/*
 * ports.h: a sandbox's host ports, in one place.
 *
 * The formula (a slot's ports from the configuration), the ports a
 * sandbox leased (recorded in its state when the slot was leased, and
 * from then on the only ports it reports and uses), the variables they
 * become, how they differ from what the configuration asks for now, and
 * what holds a port on this machine.
 */
#ifndef SB_PORTS_H
#define SB_PORTS_H

#include <stddef.h>

#include "config.h"
#include "docker.h"
#include "state.h"
#include "strbuf.h"

/* The ports of one group: "api" API_PORT 8001, or "workers" WORKER_PORT 5010..5013. */
struct port_lease {
	char *name;
	char *var;
	long *port;
	size_t n;
};

/* A sandbox's ports, group by group in the configuration's order. */
struct port_set {
	struct port_lease *g;
	size_t n;
};

/*
 * The ports cfg gives slot (0: the main worktree). A slot beyond
 * sandbox.slots may give no valid port: then -1 with why saying so (ps
 * empty), else 0.
 */
int ports_of_config(struct port_set *ps, const struct sb_config *cfg, long slot,
		    struct strbuf *why);
void port_set_free(struct port_set *ps);

/* Every port of ps and the group of each, in order (free both arrays only). */
size_t port_set_flat(const struct port_set *ps, long **ports, char ***names);

/* Do a and b have the same groups with the same ports (variables aside)? */
int port_set_same_ports(const struct port_set *a, const struct port_set *b);

/* The group name of ps, or NULL. */
const struct port_lease *port_set_find(const struct port_set *ps, const char *name);

/* Does ps hold port? */
int port_set_has(const struct port_set *ps, long port);

/*
 * The ports recorded in a sandbox's state ([port "<group>"] lease =
 * "VAR port..." for each group; [ports] none = true when there is no
 * group): 0, 1 if none is recorded (a sandbox from before
 * the record), -1 if the record is broken.
 */
int ports_from_state(struct port_set *ps, const struct sb_state *st);
/*
 * The groups of a flat list (a registry entry's): consecutive ports of one
 * name are a group; each variable is the configuration's for that group,
 * or "" if cfg (may be NULL) has none.
 */
void ports_from_flat(struct port_set *ps, const long *ports, char *const *names, size_t n,
		     const struct sb_config *cfg);
/* Record ps in st, replacing what was there. */
void ports_to_state(const struct port_set *ps, struct sb_state *st);

/*
 * How want differs from have, one line each ("port api: 8001 -> 8101",
 * "new port group 'grafana'"). Returns how many differences.
 */
size_t ports_diff(const struct port_set *have, const struct port_set *want, struct strbuf *why);

/* Append "VAR=port" (or "VAR_<k>=port" for a group of several) to env. */
void ports_env(const struct port_set *ps, char ***env, size_t *n, size_t *alloc);

/*
 * Can a TCP listener bind this port on every address, IPv4 and IPv6,
 * right now? (A port we cannot probe counts as free.)
 */
int port_is_free(long port);

/*
 * Who holds port: the container publishing it in l (service, compose
 * project), else the listening process when /proc shows it (pid and
 * command), else "another process". Appends to who.
 */
void port_holder(long port, const struct container_list *l, struct strbuf *who);

/*
 * Is port taken where the engine in use publishes ports? On this machine,
 * whatever cannot be bound; on another (engine.h), what one of the
 * engine's containers in l publishes: a process on this machine holding
 * the same number is not in the way there.
 */
int port_taken(long port, const struct container_list *l);

/*
 * Is every port of ps free to bind, or published by one of the containers
 * own (a stack's own)? 0, or -1 after an error for each port that is not,
 * naming its holder (port_holder, from l).
 */
int ports_check_free(const struct port_set *ps, const struct container_list *l,
		     const struct container *const *own, size_t nown);

/*
 * Warn about every host port published by project's containers that is not
 * one of ps: such a port will clash with another sandbox. Returns the
 * number of warnings printed.
 */
size_t check_port_leaks(const struct container_list *l, const char *project, long slot,
			const struct port_set *ps);

/* "8002, 5020-5023" from a sorted, unique list. */
void describe_ports(struct strbuf *sb, const long *v, size_t n);

#endif
