/* show.h: how a sandbox is shown to people and to scripts (one place for both) */
#ifndef SB_SHOW_H
#define SB_SHOW_H

#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"

/* One sandbox as list and status show it (NULL: no value). */
struct sandbox_view {
	const char *name;
	long slot;
	int main;		/* the main worktree's slot-0 stack, not a sandbox */
	const char *repo;	/* main worktree of its repository */
	const char *path;
	const char *branch;	/* NULL: detached, or not known (its worktree gone) */
	const char *project;	/* compose project */
	const char *status;	/* running, partial, stopped, no-stack, missing, unknown */
	const long *ports;	/* parallel arrays, grouped by name in order */
	char *const *port_names;
	size_t nports;
	const char *engine;	/* the engine its stack lives on (a context or URL), or NULL */
	const char *const *url_names;	/* its groups' URLs (derive.h: urls_of), in order */
	char *const *urls;
	size_t nurls;
};

/* "api 8001, db 5433, workers 5010-5013" */
void show_ports(struct strbuf *out, const long *ports, char *const *names, size_t n);

/*
 * The same in one word per item, for a column: "api 8001 db 5433
 * workers 5010-5013"; a group whose ports are not consecutive gives each
 * run, "workers 5010-5011,5020". Nothing for no ports.
 */
void show_ports_compact(struct strbuf *out, const long *ports, char *const *names, size_t n);

/* What version the JSON of list and status has ("version"): a change of a key's meaning bumps it. */
#define SHOW_JSON_VERSION 1

/*
 * The JSON object of one sandbox, the same for list and status (status
 * adds its own keys to it): name, slot, repo, path, branch, project,
 * status, engine, ports (an array for a group of several), url, urls,
 * main; null where there is no value. A new reference, or NULL when out
 * of memory.
 */
json_t *show_sandbox_json(const struct sandbox_view *v);

struct sandbox;
/*
 * What create and init print: where it is, its slot, ports and URLs, and
 * next, the command to run there next (the caller's: lib names none).
 */
void show_created(const struct sandbox *sb, const char *verb, const char *next);

/*
 * Use colour on fd? setting is the configuration's (1 always, 0 never,
 * -1 auto: a terminal); NO_COLOR turns it off whatever it says.
 */
int want_color(int fd, int setting);
/* Colour a status word (running green, partial yellow, ...) when color is set. */
const char *status_color(const char *status, int color);
#define COLOR_RESET "\033[m"

#endif
