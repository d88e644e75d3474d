/*
 * composefile.c: the service names and profiles of a compose file, read with libyaml's
 * document loader. An alias is a reference to a node already loaded, never
 * a copy, so a small file cannot expand into a large one; merge keys are
 * followed to a bounded depth, since an anchor may refer to itself.
 */
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

int compose_parse_names(const char *text, size_t len, struct compose_names *names,
			struct strbuf *err)
{
	struct names out = { names, NULL };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *services = NULL;
	yaml_node_pair_t *p;
	int ret = 0;

	if (too_deep(text, len)) {
		strbuf_addf(err, "it nests more than %d levels deep", MAX_NESTING);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		strbuf_addstr(err, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		strbuf_addf(err, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		strbuf_addstr(err, "the file is not a mapping of top-level keys");
		ret = -1;
	}
	for (p = root && !ret ? root->data.mapping.pairs.start : NULL;
	     p && p < root->data.mapping.pairs.top; p++)
		if (is_scalar(yaml_document_get_node(&doc, p->key), "services"))
			services = yaml_document_get_node(&doc, p->value);
	if (!ret && services && services->type == YAML_MAPPING_NODE) {
		out.visited = xcalloc(doc.nodes.top - doc.nodes.start + 1, 1);
		ret = add_mapping(&doc, services, &out, 0, err);
		free(out.visited);
	}
	else if (!ret && services && !(services->type == YAML_SCALAR_NODE &&
				       !services->data.scalar.length)) {
		strbuf_addstr(err, "\"services\" is not a mapping");
		ret = -1;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
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
