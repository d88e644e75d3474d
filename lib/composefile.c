/*
 * composefile.c: the service names, profiles and published ports of a
 * compose file, and compose's resolved model as JSON, read with libyaml's
 * document loader.
 * An alias is a reference to a node already loaded, never a copy, so a
 * small file cannot expand into a large one: the names follow merge keys
 * to a bounded depth, since an anchor may refer to itself, and the JSON,
 * which copies what an alias names, stops at a bounded number of nodes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "composefile.h"
#include "util.h"

#define MERGE_DEPTH 8
/*
 * libyaml's loader takes time quadratic in the nesting of collections;
 * no compose file nests deeper than a few levels
 */
#define MAX_NESTING 64

struct names {
	struct compose_names *out;
	char *visited;		/* by node: a mapping merged in once is enough */
};

static int is_scalar(const yaml_node_t *node, const char *s)
{
	return node && node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == strlen(s) &&
	       !memcmp(node->data.scalar.value, s, node->data.scalar.length);
}

/* Add the scalar node to the NULL-terminated set *v, once; what names a service or a profile. */
static int add_name(char ***v, size_t *n, size_t *alloc, const yaml_node_t *node,
		    const char *what, struct strbuf *err)
{
	const char *s;
	size_t i, len;

	if (!node || node->type != YAML_SCALAR_NODE) {
		strbuf_addf(err, "a %s name is not a string", what);
		return -1;
	}
	s = (const char *)node->data.scalar.value;
	len = node->data.scalar.length;
	if (!len || memchr(s, '\0', len)) {
		strbuf_addf(err, "a %s name is empty or holds a NUL byte", what);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && !memcmp((*v)[i], s, len))
			return 0;
	if (*n >= COMPOSE_MAX_SERVICES) {
		strbuf_addf(err, "more than %d %ss", COMPOSE_MAX_SERVICES, what);
		return -1;
	}
	ALLOC_GROW(*v, *n + 2, *alloc);
	(*v)[(*n)++] = xstrndup(s, len);
	(*v)[*n] = NULL;
	return 0;
}

static int is_merge_key(const yaml_node_t *k)
{
	/*
	 * a plain "<<" is a merge key (YAML 1.1, as compose reads it),
	 * and so is any key tagged !!merge; "'<<'" is a name
	 */
	return (is_scalar(k, "<<") && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ||
	       (k && k->tag && !strcmp((const char *)k->tag, "tag:yaml.org,2002:merge"));
}

/*
 * The profiles a service's mapping (svc) names, through its merge keys
 * too: "profiles: [debug]". Anything else is compose's to judge.
 */
static int add_profiles(yaml_document_t *doc, yaml_node_t *svc, struct compose_names *out,
			int depth, struct strbuf *err)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;

	if (!svc || depth > MERGE_DEPTH)
		return 0;
	if (svc->type == YAML_SEQUENCE_NODE) {	/* "<<: [*a, *b]" */
		for (it = svc->data.sequence.items.start; it < svc->data.sequence.items.top; it++)
			if (add_profiles(doc, yaml_document_get_node(doc, *it), out, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	if (svc->type != YAML_MAPPING_NODE)
		return 0;
	for (p = svc->data.mapping.pairs.start; p < svc->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (is_merge_key(k)) {
			if (add_profiles(doc, v, out, depth + 1, err) < 0)
				return -1;
			continue;
		}
		if (!is_scalar(k, "profiles") || !v || v->type != YAML_SEQUENCE_NODE)
			continue;
		for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (add_name(&out->profiles, &out->nprofiles, &out->aprofiles,
				     yaml_document_get_node(doc, *it), "profile", err) < 0)
				return -1;
	}
	return 0;
}

static int add_mapping(yaml_document_t *doc, yaml_node_t *map, struct names *out, int depth,
		       struct strbuf *err);

/* The value of a merge key: a mapping, or a sequence of mappings. */
static int add_merge(yaml_document_t *doc, yaml_node_t *v, struct names *out, int depth,
		     struct strbuf *err)
{
	yaml_node_item_t *it;

	if (v && v->type == YAML_MAPPING_NODE)
		return add_mapping(doc, v, out, depth, err);
	if (!v || v->type != YAML_SEQUENCE_NODE) {
		strbuf_addstr(err, "a merge key ('<<') under \"services\" is not a mapping");
		return -1;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(doc, *it);

		if (!m || m->type != YAML_MAPPING_NODE) {
			strbuf_addstr(err, "a merge key ('<<') under \"services\" is not a mapping");
			return -1;
		}
		if (add_mapping(doc, m, out, depth, err) < 0)
			return -1;
	}
	return 0;
}

static int add_mapping(yaml_document_t *doc, yaml_node_t *map, struct names *out, int depth,
		       struct strbuf *err)
{
	yaml_node_pair_t *p;

	if (depth > MERGE_DEPTH) {
		strbuf_addstr(err, "merge keys ('<<') under \"services\" nest too deep");
		return -1;
	}
	/* its names are in already: each mapping is read once, however often merged */
	if (out->visited[map - doc->nodes.start])
		return 0;
	out->visited[map - doc->nodes.start] = 1;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		struct compose_names *o = out->out;
		int r;

		if (is_merge_key(k))
			r = add_merge(doc, yaml_document_get_node(doc, p->value), out, depth + 1, err);
		else if (!(r = add_name(&o->services, &o->nservices, &o->aservices, k, "service", err)))
			r = add_profiles(doc, yaml_document_get_node(doc, p->value), o, 0, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Does text nest collections deeper than MAX_NESTING? Asked of libyaml's
 * event parser, which stops there: the document loader would first build
 * every level, in time quadratic in the depth.
 */
static int too_deep(const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, ret = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return 0;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		/* a syntax error is the loader's to report */
		if (!yaml_parser_parse(&parser, &ev))
			break;
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			done = ret = ++depth > MAX_NESTING;
		else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		else if (ev.type == YAML_STREAM_END_EVENT)
			done = 1;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

/*
 * Load the first document of text and find its "services" (NULL when it
 * has none, or an empty one). 0 with doc loaded (yaml_document_delete()
 * it), or -1 with the reason in err and nothing to free.
 */
static int load_services(const char *text, size_t len, yaml_document_t *doc,
			 yaml_node_t **services, struct strbuf *err)
{
	yaml_parser_t parser;
	yaml_node_t *root;
	yaml_node_pair_t *p;

	*services = NULL;
	if (too_deep(text, len)) {
		strbuf_addf(err, "it nests more than %d levels deep", MAX_NESTING);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		strbuf_addstr(err, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, doc)) {
		strbuf_addf(err, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		strbuf_addstr(err, "the file is not a mapping of top-level keys");
		yaml_document_delete(doc);
		return -1;
	}
	for (p = root ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top; p++)
		if (is_scalar(yaml_document_get_node(doc, p->key), "services"))
			*services = yaml_document_get_node(doc, p->value);
	if (*services && (*services)->type == YAML_SCALAR_NODE && !(*services)->data.scalar.length)
		*services = NULL;
	if (*services && (*services)->type != YAML_MAPPING_NODE) {
		strbuf_addstr(err, "\"services\" is not a mapping");
		yaml_document_delete(doc);
		return -1;
	}
	return 0;
}

int compose_parse_names(const char *text, size_t len, struct compose_names *names,
			struct strbuf *err)
{
	struct names out = { names, NULL };
	yaml_document_t doc;
	yaml_node_t *services;
	int ret;

	if (load_services(text, len, &doc, &services, err) < 0)
		return -1;
	if (!services) {
		yaml_document_delete(&doc);
		return 0;
	}
	out.visited = xcalloc(doc.nodes.top - doc.nodes.start + 1, 1);
	ret = add_mapping(&doc, services, &out, 0, err);
	free(out.visited);
	yaml_document_delete(&doc);
	return ret;
}

void compose_names_free(struct compose_names *names)
{
	free_strings(names->services, names->nservices);
	free_strings(names->profiles, names->nprofiles);
	memset(names, 0, sizeof(*names));
}

int compose_file_names(const char *path, struct compose_names *names, struct strbuf *err)
{
	char *real = real_path(path), *text;
	size_t len;
	int ret;

	if (!real) {
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	text = read_file(real, &len);
	if (!text) {
		strbuf_addf(err, "cannot read '%s': %s", path, read_file_strerror(errno));
		free(real);
		return -1;
	}
	ret = compose_parse_names(text, len, names, err);
	free(text);
	free(real);
	return ret;
}

/* --- what a .gitsandbox needs: the host ports published, as written --- */

static char *scalar_dup(const yaml_node_t *n)
{
	return xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
}

/*
 * The value of key in a service's mapping, its own key first, then
 * through its merge keys ("<<: *base"), as YAML merges them.
 */
static yaml_node_t *service_key(yaml_document_t *doc, yaml_node_t *svc, const char *key, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	yaml_node_t *r;

	if (!svc || depth > MERGE_DEPTH)
		return NULL;
	if (svc->type == YAML_SEQUENCE_NODE) {
		for (it = svc->data.sequence.items.start; it < svc->data.sequence.items.top; it++)
			if ((r = service_key(doc, yaml_document_get_node(doc, *it), key, depth + 1)))
				return r;
		return NULL;
	}
	if (svc->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = svc->data.mapping.pairs.start; p < svc->data.mapping.pairs.top; p++)
		if (is_scalar(yaml_document_get_node(doc, p->key), key))
			return yaml_document_get_node(doc, p->value);
	for (p = svc->data.mapping.pairs.start; p < svc->data.mapping.pairs.top; p++)
		if (is_merge_key(yaml_document_get_node(doc, p->key)) &&
		    (r = service_key(doc, yaml_document_get_node(doc, p->value), key, depth + 1)))
			return r;
	return NULL;
}

/* "8000" or "8000-8003": the first port and how many; 0, or -1 if it is not that. */
static int port_range(const char *s, long *first, long *count)
{
	char *end;
	long a, b;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	a = strtol(s, &end, 10);
	b = a;
	if (*end == '-' && isdigit((unsigned char)end[1]))
		b = strtol(end + 1, &end, 10);
	if (*end || errno || a < 1 || b > 65535 || b < a)
		return -1;
	*first = a;
	*count = b - a + 1;
	return 0;
}

static int var_name(const char *s, size_t len)
{
	size_t i;

	if (!len || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/*
 * The host side of a port as written: "8000", "8000-8003", "${VAR}",
 * "$VAR", "${VAR:-8000}" or "${VAR-8000}" (the default, as compose reads
 * it). 0, or -1 if it is none of those.
 */
static int host_side(const char *h, struct compose_port *p)
{
	const char *name = h + 1, *end;
	size_t len;

	p->base = -1;
	p->count = 1;
	if (*h != '$')
		return port_range(h, &p->base, &p->count);
	if (*name != '{') {
		if (!var_name(name, strlen(name)))
			return -1;
		p->var = xstrdup(name);
		return 0;
	}
	name++;
	len = strcspn(name, ":-}");
	if (!var_name(name, len))
		return -1;
	end = name + len;
	if (*end == '}' && !end[1]) {
		p->var = xstrndup(name, len);
		return 0;
	}
	if (*end == ':')
		end++;
	if (*end != '-' || !*++end || end[strlen(end) - 1] != '}')
		return -1;
	{
		char *def = xstrndup(end, strlen(end) - 1);
		int r = port_range(def, &p->base, &p->count);

		free(def);
		if (r < 0)
			return -1;
	}
	p->var = xstrndup(name, len);
	return 0;
}

/*
 * A port of the short syntax, "[ip:][host:]container[/proto]", split on
 * the colons outside "${...}" and "[...]": 1 with a host side (in p),
 * 0 without one (a container port alone, or an empty host), -1 when it
 * cannot be read.
 */
static int short_port(const char *s, struct compose_port *p)
{
	const char *parts[3];
	size_t lens[3], n = 0, depth = 0, i, start = 0;
	char *host;
	int r;

	for (i = 0; ; i++) {
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && depth)
			depth--;
		if (!s[i] || (s[i] == ':' && !depth)) {
			if (n == 3)
				return -1;
			parts[n] = s + start;
			lens[n++] = i - start;
			start = i + 1;
			if (!s[i])
				break;
		}
	}
	if (n == 1)
		return 0;
	if (n == 3)
		p->host_ip = xstrndup(parts[0], lens[0]);
	p->target = xstrndup(parts[n - 1], lens[n - 1]);
	host = xstrndup(parts[n - 2], lens[n - 2]);
	r = *host ? host_side(host, p) : 0;
	if (r == 0 && *host)
		r = 1;
	free(host);
	return r;
}

/* A port of the long syntax: {target: 80, published: "8000", host_ip: ...}. */
static int long_port(yaml_document_t *doc, yaml_node_t *m, struct compose_port *p)
{
	yaml_node_t *pub = service_key(doc, m, "published", 0);
	yaml_node_t *target = service_key(doc, m, "target", 0);
	yaml_node_t *ip = service_key(doc, m, "host_ip", 0);
	char *h;
	int r;

	if (target && target->type == YAML_SCALAR_NODE)
		p->target = scalar_dup(target);
	if (ip && ip->type == YAML_SCALAR_NODE)
		p->host_ip = scalar_dup(ip);
	if (!pub || pub->type != YAML_SCALAR_NODE || !pub->data.scalar.length)
		return 0;
	h = scalar_dup(pub);
	r = host_side(h, p) < 0 ? -1 : 1;
	free(h);
	return r;
}

static void port_free(struct compose_port *p)
{
	free(p->service);
	free(p->var);
	free(p->target);
	free(p->host_ip);
	free(p->text);
}

void compose_setup_free(struct compose_setup *s)
{
	size_t i;

	for (i = 0; i < s->nports; i++)
		port_free(&s->ports[i]);
	free(s->ports);
	for (i = 0; i < s->nnamed; i++) {
		free(s->named[i].service);
		free(s->named[i].name);
	}
	free(s->named);
	memset(s, 0, sizeof(*s));
}

/* The ports and container_name of the service named key, whose mapping is svc. */
static int add_service(yaml_document_t *doc, const yaml_node_t *key, yaml_node_t *svc,
		       struct compose_setup *out, struct strbuf *err)
{
	yaml_node_t *ports = service_key(doc, svc, "ports", 0);
	yaml_node_t *cname = service_key(doc, svc, "container_name", 0);
	yaml_node_item_t *it;

	if (!key || key->type != YAML_SCALAR_NODE)
		return 0;
	if (cname && cname->type == YAML_SCALAR_NODE && cname->data.scalar.length) {
		ALLOC_GROW(out->named, out->nnamed + 1, out->anamed);
		out->named[out->nnamed].service = scalar_dup(key);
		out->named[out->nnamed].name = scalar_dup(cname);
		out->named[out->nnamed++].line = cname->start_mark.line + 1;
	}
	if (!ports || ports->type != YAML_SEQUENCE_NODE)
		return 0;
	for (it = ports->data.sequence.items.start; it < ports->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);
		struct compose_port p = { 0 };
		int r;

		if (!e)
			continue;
		if (out->nports >= COMPOSE_MAX_SERVICES) {
			strbuf_addf(err, "more than %d published ports", COMPOSE_MAX_SERVICES);
			return -1;
		}
		p.line = e->start_mark.line + 1;
		if (e->type == YAML_SCALAR_NODE) {
			p.text = scalar_dup(e);
			r = memchr(p.text, '\0', e->data.scalar.length) ? -1 : short_port(p.text, &p);
		} else if (e->type == YAML_MAPPING_NODE) {
			r = long_port(doc, e, &p);
		} else {
			r = -1;
		}
		if (r <= 0) {
			if (r < 0)
				out->unread++;
			port_free(&p);
			continue;
		}
		p.service = scalar_dup(key);
		ALLOC_GROW(out->ports, out->nports + 1, out->aports);
		out->ports[out->nports++] = p;
	}
	return 0;
}

static int add_services(yaml_document_t *doc, yaml_node_t *map, struct compose_setup *out,
			int depth, struct strbuf *err)
{
	yaml_node_pair_t *p;

	if (!map || depth > MERGE_DEPTH)
		return 0;
	if (map->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;

		for (it = map->data.sequence.items.start; it < map->data.sequence.items.top; it++)
			if (add_services(doc, yaml_document_get_node(doc, *it), out, depth + 1, err) < 0)
				return -1;
		return 0;
	}
	if (map->type != YAML_MAPPING_NODE)
		return 0;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		int r = is_merge_key(k) ? add_services(doc, v, out, depth + 1, err) :
					  add_service(doc, k, v, out, err);

		if (r < 0)
			return -1;
	}
	return 0;
}

int compose_parse_setup(const char *text, size_t len, struct compose_setup *out,
			struct strbuf *err)
{
	yaml_document_t doc;
	yaml_node_t *services;
	int ret;

	if (load_services(text, len, &doc, &services, err) < 0)
		return -1;
	ret = add_services(&doc, services, out, 0, err);
	yaml_document_delete(&doc);
	return ret;
}

struct to_json {
	yaml_document_t *doc;
	size_t nodes;		/* made so far, against YAML_JSON_MAX_NODES */
	struct strbuf *err;
};

static int json_fail(struct to_json *t, const yaml_node_t *node, const char *why)
{
	strbuf_addf(t->err, "line %lu: %s", (unsigned long)node->start_mark.line + 1, why);
	return -1;
}

static int is_one_of(const char *s, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == len && !memcmp(s, *words, len))
			return 1;
	return 0;
}

/* A plain scalar as YAML 1.2's core schema reads it; any other a string. */
static json_t *scalar_json(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	const char *s = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length, i;

	if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (is_one_of(s, len, nulls))
			return json_null();
		if (is_one_of(s, len, trues))
			return json_true();
		if (is_one_of(s, len, falses))
			return json_false();
		i = len && (*s == '-' || *s == '+');
		if (i < len && len < 20) {
			char digits[24];
			long long v;

			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i == len) {
				memcpy(digits, s, len);
				digits[len] = '\0';
				errno = 0;
				v = strtoll(digits, NULL, 10);
				if (!errno)
					return json_integer(v);
			}
		}
	}
	return json_stringn(s, len);
}

static json_t *node_json(struct to_json *t, yaml_node_t *node, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	json_t *v;

	if (!node) {
		strbuf_addstr(t->err, "a node is missing");
		return NULL;
	}
	if (depth > MAX_NESTING) {
		json_fail(t, node, "it nests too deep (an alias within itself?)");
		return NULL;
	}
	if (++t->nodes > YAML_JSON_MAX_NODES) {
		strbuf_addf(t->err, "line %lu: more than %d nodes, aliases expanded",
			    (unsigned long)node->start_mark.line + 1, YAML_JSON_MAX_NODES);
		return NULL;
	}
	switch (node->type) {
	case YAML_SCALAR_NODE:
		v = scalar_json(node);
		if (!v)
			json_fail(t, node, "a scalar is not UTF-8");
		return v;
	case YAML_SEQUENCE_NODE:
		v = json_array();
		for (it = node->data.sequence.items.start; v && it < node->data.sequence.items.top; it++) {
			json_t *item = node_json(t, yaml_document_get_node(t->doc, *it), depth + 1);

			if (!item || json_array_append_new(v, item) < 0) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	case YAML_MAPPING_NODE:
		v = json_object();
		for (p = node->data.mapping.pairs.start; v && p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(t->doc, p->key);
			char *key;
			json_t *val;
			int r;

			if (!k || k->type != YAML_SCALAR_NODE ||
			    memchr(k->data.scalar.value, '\0', k->data.scalar.length)) {
				json_fail(t, k ? k : node, "a mapping key is not a string");
				json_decref(v);
				return NULL;
			}
			val = node_json(t, yaml_document_get_node(t->doc, p->value), depth + 1);
			if (!val) {
				json_decref(v);
				return NULL;
			}
			key = xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
			r = json_object_set_new(v, key, val);
			free(key);
			if (r < 0) {
				json_fail(t, k, "a mapping key is not UTF-8");
				json_decref(v);
				return NULL;
			}
		}
		return v;
	default:
		json_fail(t, node, "an empty node");
		return NULL;
	}
}

json_t *yaml_to_json(const char *text, size_t len, struct strbuf *err)
{
	struct to_json t = { NULL, 0, err };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	json_t *v;

	if (too_deep(text, len)) {
		strbuf_addf(err, "it nests more than %d levels deep", MAX_NESTING);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		strbuf_addstr(err, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		strbuf_addf(err, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	t.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	v = root ? node_json(&t, root, 0) : json_null();
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return v;
}
