/*
 * docker.h: everything git-sandbox asks the Docker engine directly, not
 * through compose, through its API (api.h) on the engine in use
 * (engine.h): which compose containers exist and what they publish, the
 * volumes and networks of a stack, leases, removal of a stack whose
 * compose file is gone.
 */
#ifndef SB_DOCKER_H
#define SB_DOCKER_H

#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"

/* results of the engine calls below */
#define DOCKER_OK 0
#define DOCKER_FAILED (-1)		/* the engine answered with an error */
#define DOCKER_NOT_INSTALLED (-2)	/* no engine chosen, and no local socket */
#define DOCKER_UNREACHABLE (-3)		/* the engine did not answer */

/* the label compose gives every object of a project */
#define LABEL_PROJECT "com.docker.compose.project"
/* the label git-sandbox gives every container of a sandbox's stack (stackid.h) */
#define LABEL_STACK_ID "git-sandbox.id"

/* (service, state and name are for showing: control characters in them are '?') */
struct container {
	char *project;		/* label com.docker.compose.project */
	char *service;		/* label com.docker.compose.service */
	char *state;		/* running, exited, created, restarting, paused, dead */
	char *name;
	char *working_dir;	/* label com.docker.compose.project.working_dir, or "" */
	char *stack_id;		/* label git-sandbox.id, or "" */
	char *cid;		/* the container's id */
	long *ports;		/* published host ports, ascending, no duplicates */
	size_t nports;
};

struct container_list {
	struct container *v;	/* sorted by project, service, name */
	size_t n;
};

/*
 * Every compose container of the engine (any state), from one request.
 * Prints nothing: returns DOCKER_OK, DOCKER_NOT_INSTALLED, or
 * DOCKER_UNREACHABLE with the reason in why (if not NULL), so the caller
 * can report status "unknown" or say docker_error(). *out is empty on
 * failure; release it with container_list_free() in any case.
 */
int docker_ps_all(struct container_list *out, struct strbuf *why);
void container_list_free(struct container_list *l);

/*
 * Print the error for a failed engine call ("cannot reach the Docker
 * engine <url>: ...") with the reason why (may be NULL). Returns -1.
 */
int docker_error(int code, const char *why);

/* Does the engine in use answer (GET /_ping)? DOCKER_OK or a code, why saying why not. */
int docker_ping(struct strbuf *why);

/*
 * The containers of the engine's GET /containers/json answer a (an
 * array): those with a compose project label, sorted. An element that is
 * not a container, or lacks a field, is skipped; the host ports are the
 * published ones (PublicPort), ascending, without duplicates.
 */
void docker_parse_containers(json_t *a, struct container_list *out);

/*
 * The containers of project, in l's order (pointers into l; free the
 * array only). Returns how many.
 */
size_t stack_containers(const struct container_list *l, const char *project,
			const struct container ***out);

/*
 * "running" when every container of project runs, "partial" when some do,
 * "stopped" when none does or there is none. (Docker unreachable is the
 * caller's "unknown".)
 */
const char *container_list_status(const struct container_list *l, const char *project);

/*
 * The objects a stack is made of, each a request. Each returns DOCKER_OK
 * (the list, NULL-terminated, free with free_strings) or a DOCKER_ code
 * with the engine's message in why.
 */
/* every volume labelled with compose project: names */
int docker_volumes(const char *project, char ***names, size_t *n, struct strbuf *why);
/* every volume with label ("key" or "key=value"): names */
int docker_volumes_labelled(const char *label, char ***names, size_t *n, struct strbuf *why);
/* every network labelled with compose project (NULL: every network): full ids */
int docker_networks(const char *project, char ***ids, size_t *n, struct strbuf *why);

/*
 * The named volumes the containers cids mount and the networks (by id)
 * they are attached to (an inspect of each; and of each network the
 * engine names instead of giving its id, as podman 4 does);
 * NULL-terminated, free with free_strings. A container or network gone
 * meanwhile is skipped.
 */
int docker_container_uses(char *const *cids, size_t n, char ***volumes, size_t *nvolumes,
			  char ***networks, size_t *nnetworks, struct strbuf *why);

struct volume_label {
	char *key, *value;
};

struct volume {
	char *name;
	char *created;		/* CreatedAt (not stable: the local driver's directory ctime) */
	char *project;		/* its compose project label, or "" */
	char *stack_id;		/* its git-sandbox.id label, or "" */
	char *path;		/* its git-sandbox.path label, or "" */
	struct volume_label *labels;	/* every label, as the engine has them */
	size_t nlabels;
};

/*
 * Create the volume name with labels ("key=value" each), quietly.
 * A name that exists keeps its first creator's labels: with an inspect
 * afterwards, a compare-and-set on the engine. DOCKER_OK or a code.
 */
int docker_volume_create(const char *name, const char *const *labels, struct strbuf *why);

/*
 * Inspect the volumes names: those that exist, in *out (free with
 * volume_list_free). DOCKER_OK (a volume that is gone is just absent) or
 * a DOCKER_ code.
 */
int docker_volume_inspect(char *const *names, size_t n, struct volume **out, size_t *nout,
			  struct strbuf *why);
void volume_list_free(struct volume *v, size_t n);

/* Every volume with label ("key" or "key=value"), with its labels, from one request. */
int docker_volumes_with(const char *label, struct volume **out, size_t *nout, struct strbuf *why);

/*
 * The health of container cid as the engine judges it from the service's
 * own healthcheck: "starting", "healthy" or "unhealthy" in *status (free
 * it), or NULL when it has no healthcheck (or is gone). DOCKER_OK or a
 * code.
 */
int docker_container_health(const char *cid, char **status, struct strbuf *why);

/*
 * Remove objects of kind "container" (forced, with their anonymous
 * volumes), "network" or "volume" by id or name, a request each. DOCKER_OK
 * (something already gone is removed) or the first DOCKER_ code, with the
 * engine's messages.
 */
int docker_remove(const char *kind, char *const *names, size_t n, struct strbuf *why);

#endif
