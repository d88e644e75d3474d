/* show.h: how a sandbox is shown to people and to scripts (one place for both) */
#ifndef SB_SHOW_H
#define SB_SHOW_H

#include <stddef.h>

#include "strbuf.h"

/* One sandbox as list and status show it. */
struct sandbox_view {
	const char *name;
	long slot;
	const char *repo;	/* main worktree of its repository */
	const char *path;
	const char *branch;
	const char *project;	/* compose project */
	const char *status;	/* running, partial, stopped, no-stack, missing, unknown */
	const long *ports;	/* parallel arrays, grouped by name in order */
	char *const *port_names;
	size_t nports;
	const char *engine;	/* the engine its stack lives on (a context or URL) */
	const char *const *url_names;	/* its groups' URLs (derive.h: urls_of), in order */
	char *const *urls;
	size_t nurls;
};

/* "api 8001, db 5433, workers 5010-5013" */
void show_ports(struct strbuf *out, const long *ports, char *const *names, size_t n);

/* The JSON object of SPEC §7 without its closing brace, so status can add to it. */
void show_json_open(struct strbuf *out, const struct sandbox_view *v);

struct sandbox;
/* What create and init print: where it is, its slot, ports and URLs, what to do next. */
void show_created(const struct sandbox *sb, const char *verb);

/*
 * Use colour on fd? setting is the configuration's (1 always, 0 never,
 * -1 auto: a terminal); NO_COLOR turns it off whatever it says.
 */
int want_color(int fd, int setting);
/* Colour a status word (running green, partial yellow, ...) when color is set. */
const char *status_color(const char *status, int color);
#define COLOR_RESET "\033[m"

#endif
