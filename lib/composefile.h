/*
 * composefile.h: what git-sandbox reads in a compose file itself — the
 * names of its services, so that the override it generates can label
 * every container of the stack (stackid.h), and the profiles they name,
 * so that down reaches every service; and for setup, the ports it
 * publishes as written. Compose resolves the rest; its resolved model
 * (YAML) becomes JSON here for the lint (composelint.h).
 */
#ifndef SB_COMPOSEFILE_H
#define SB_COMPOSEFILE_H

#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"

/* The most services a compose file may name. */
#define COMPOSE_MAX_SERVICES 1000

/* Names found in one or several compose files; zero it first. */
struct compose_names {
	char **services;	/* NULL-terminated (NULL while empty) */
	size_t nservices, aservices;
	char **profiles;	/* every profile a service names, the same way */
	size_t nprofiles, aprofiles;
};

/*
 * Add the keys of the top-level "services" mapping of the YAML text (the
 * first document; merge keys "<<" followed, aliases resolved), and the
 * "profiles" each service names, to names: in file order, without
 * duplicates. Returns 0, or -1 with the reason in err (a YAML error with
 * its line, a "services" that is not a mapping, a name that is not a
 * string); what was added stays.
 */
int compose_parse_names(const char *text, size_t len, struct compose_names *names,
			struct strbuf *err);

/* The same for a file (links followed, bounded like read_file). */
int compose_file_names(const char *path, struct compose_names *names, struct strbuf *err);

void compose_names_free(struct compose_names *names);

/* A host port a service publishes, as the file writes it (setup). */
struct compose_port {
	char *service;
	char *var;		/* "${VAR:-8000}", "${VAR}", "$VAR": VAR; a literal: NULL */
	long base;		/* the literal, or the variable's default; -1: none */
	long count;		/* ports of a range ("8000-8003": 4) */
	char *target;		/* the container side as written, or NULL */
	char *host_ip;		/* or NULL */
	char *text;		/* the entry as written (short syntax), or NULL */
	unsigned long line;	/* in the file, from 1 */
};

/* What setup reads in a compose file; zero it first. */
struct compose_setup {
	struct compose_port *ports;	/* published host ports, in file order */
	size_t nports, aports;
	struct {
		char *service, *name;	/* a fixed container_name */
		unsigned long line;
	} *named;
	size_t nnamed, anamed;
	size_t unread;			/* port entries it could not read */
};

/*
 * Add the host ports the services of text publish (short and long
 * syntax, variables and their defaults as written, not resolved) and
 * their fixed container_names to out. 0, or -1 with the reason in err.
 */
int compose_parse_setup(const char *text, size_t len, struct compose_setup *out,
			struct strbuf *err);
void compose_setup_free(struct compose_setup *s);

/* The most nodes yaml_to_json() makes (an alias counts as often as it is used). */
#define YAML_JSON_MAX_NODES 200000

/*
 * The first YAML document of text as JSON: a mapping is an object (its
 * keys scalars, a later duplicate winning), a sequence an array; a plain
 * scalar null, true, false or a decimal integer is that (YAML 1.2's core
 * schema), any other scalar a string; an empty document is null. An alias
 * is a copy of its anchor's node; a merge key is a key like any other.
 * Bounded: text nesting deeper than the compose file reader allows, or
 * aliases expanding past YAML_JSON_MAX_NODES nodes, is refused. The value
 * (json_decref it), or NULL with the reason in err.
 */
json_t *yaml_to_json(const char *text, size_t len, struct strbuf *err);

#endif
