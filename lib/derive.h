/*
 * derive.h: what is derived from a sandbox's ports and names, in one
 * place: the URL of a port group ([port] url, a template of {host} and
 * {port}) and the variables of [env "<NAME>"] (templates of ${VAR}
 * references to the sandbox's own variables, and {host}).
 *
 * A template is text in which "{host}" is the engine's host (an IPv6
 * address in brackets, as a URL has it), "{port}" a group's first leased
 * port, "${NAME}" the value of the sandbox's variable NAME, "{{" a
 * literal '{' and "$$" a literal '$' ("$${NAME}" the text ${NAME}, as in
 * compose). Any other {word} is an unknown placeholder and any other '$'
 * an error: "$VAR" is refused, not read.
 * Nothing here reads a file, the engine or the environment.
 */
#ifndef SB_DERIVE_H
#define SB_DERIVE_H

#include <stddef.h>

#include "config.h"
#include "ports.h"
#include "strbuf.h"

#define TEMPLATE_HOST (1 << 0)	/* {host} is allowed */
#define TEMPLATE_PORT (1 << 1)	/* {port} */
#define TEMPLATE_VARS (1 << 2)	/* ${NAME} */
#define TEMPLATE_URL  (1 << 3)	/* a URL: no blank, no byte outside ASCII */

/* What a group with a health check and no url shows. */
#define DEFAULT_URL_TEMPLATE "http://{host}:{port}/"

/*
 * Is tmpl a template that allow (TEMPLATE_*) permits, with no control
 * byte? 0, or -1 with why saying what is wrong.
 */
int template_check(const char *tmpl, unsigned allow, struct strbuf *why);

/* Does tmpl use the placeholder name ("host", "port")? */
int template_uses(const char *tmpl, const char *name);

/*
 * Call fn(name, len, data) for each ${NAME} of tmpl, in order, until fn
 * returns non-zero; returns that, or 0.
 */
int template_refs(const char *tmpl, int (*fn)(const char *name, size_t len, void *data),
		  void *data);

/* What a template is expanded with. */
struct template_vars {
	const char *host;	/* {host}, or NULL: unknown */
	long port;		/* {port} */
	/* ${NAME}: its value, or NULL when the sandbox has no such variable */
	const char *(*lookup)(const char *name, size_t len, void *data);
	void *data;
};

/*
 * Append tmpl expanded to out. Every byte goes through
 * strbuf_add_secret(), so a value from a secret leaves no copy behind
 * when out grows. 0, or -1 with why (a reference lookup does not know,
 * or {host} unknown).
 */
int template_expand(struct strbuf *out, const char *tmpl, const struct template_vars *v,
		    struct strbuf *why);

/*
 * An order in which the n variables of defs can be expanded: each after
 * those among them it refers to. 0 with order[0..n) filled, or -1 with
 * why naming a cycle ("A -> B -> A") and *at the index of its first.
 */
int template_order(const struct env_def *defs, size_t n, size_t *order, size_t *at,
		   struct strbuf *why);

/*
 * The URL template of group g: its url, else DEFAULT_URL_TEMPLATE for a
 * group with a health check, else NULL (none, or url set empty).
 */
const char *port_url_template(const struct port_group *g);

/*
 * The URLs of the groups of cfg that have one, in cfg's order, at host
 * with each group's first port in ps (a group ps lacks has none):
 * names[i] points into ps, urls[i] is allocated. None when host is NULL.
 * Returns how many; free with urls_free().
 */
size_t urls_of(const struct sb_config *cfg, const struct port_set *ps, const char *host,
	       const char ***names, char ***urls);
void urls_free(const char **names, char **urls, size_t n);

/*
 * Append to *env ("K=V", NULL-terminated; grows it) the [env] variables of
 * cfg that refer to no secret, in cfg's order, expanded from what *env
 * holds and host. One that cannot be expanded (it uses {host} and host is
 * NULL, or refers to a variable *env lacks: the configuration changed
 * since the ports were leased) is left out, said in why. Returns how many
 * were left out.
 */
size_t derive_env(const struct sb_config *cfg, const char *host, char ***env, size_t *n,
		  size_t *alloc, struct strbuf *why);

/*
 * Append to *out the [env] variables of cfg that refer to a secret, in
 * cfg's order: "K=V" expanded from env (derive_env()'s result), the
 * secrets and host, or "K" (unset, so that compose's own default applies)
 * when a secret it refers to is unset. Each string is for free_secret();
 * no copy of a value is left elsewhere. One that cannot be expanded is
 * left out, said in why. Returns how many were left out.
 */
struct secret;
size_t derive_secret_env(const struct sb_config *cfg, const char *host, const char *const *env,
			 const struct secret *secrets, size_t nsecrets, char ***out, size_t *n,
			 size_t *alloc, struct strbuf *why);

#endif
