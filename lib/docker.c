/* docker.c: what git-sandbox asks the Docker engine directly, through its API (docker.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "docker.h"
#include "engine.h"
#include "run.h"
#include "util.h"

/*
 * method path on the engine in use (engine.h) with body (JSON text or
 * NULL). DOCKER_OK with the answer in *out (json_decref it; may be NULL)
 * when the engine says 2xx; else a code, the engine's message in why.
 * *status is the HTTP status (0 when there was no answer).
 */
static int call(const char *method, const char *path, const char *body, json_t **out,
		int *status, struct strbuf *why)
{
	const struct engine *e = engine_in_use();
	struct strbuf err = STRBUF_INIT;
	json_t *o = NULL;
	int st = 0, ret;

	*out = NULL;
	if (status)
		*status = 0;
	if (!e) {
		if (why)
			strbuf_addstr(why, "the Docker engine could not be resolved");
		return DOCKER_UNREACHABLE;
	}
	ret = api_request(e, method, path, body, &st, &o, &err);
	if (ret && e->kind == ENGINE_UNIX && !strcmp(e->url, ENGINE_DEFAULT_SOCKET) &&
	    access(e->path, F_OK) && errno == ENOENT)
		ret = DOCKER_NOT_INSTALLED;
	if (!ret && (st < 200 || st > 299)) {
		const char *msg = json_string_value(json_object_get(o, "message"));

		if (msg) {
			/* the engine's words, on one line of ours */
			char *line = printable(msg);

			strbuf_addstr(&err, line);
			free(line);
		} else {
			strbuf_addf(&err, "HTTP status %d for %s %s", st, method, path);
		}
		ret = DOCKER_FAILED;
	}
	if (ret) {
		json_decref(o);
		o = NULL;
		if (why)
			strbuf_add(why, err.buf, err.len);
	}
	strbuf_release(&err);
	if (status)
		*status = st;
	*out = o;
	return ret;
}

int docker_ping(struct strbuf *why)
{
	json_t *o;
	int ret = call("GET", "/_ping", NULL, &o, NULL, why);

	json_decref(o);
	return ret;
}

int docker_error(int code, const char *why)
{
	const struct engine *e = engine_in_use();
	const char *url = e ? e->url : "unresolved";

	if (code == DOCKER_NOT_INSTALLED)
		return error("no Docker engine on this machine (%s does not exist): "
			     "docker is not installed or not running", ENGINE_DEFAULT_PATH);
	if (code == DOCKER_UNREACHABLE && !e)
		return error("no Docker engine to ask: %s", why && *why ? why : "none could be resolved");
	if (code == DOCKER_UNREACHABLE)
		return error("cannot reach the Docker engine %s%s%s", url,
			     why && *why ? ": " : "", why ? why : "");
	return error("the Docker engine %s refused%s%s", url, why && *why ? ": " : "",
		     why ? why : "");
}

/* ?filters={"label":[label]} for a query string */
static void add_label_filter(struct strbuf *path, const char *label)
{
	json_t *f = json_pack("{s:[s]}", "label", label);
	char *text = json_dumps(f, JSON_COMPACT);

	strbuf_addstr(path, "filters=");
	api_escape(path, text);
	free(text);
	json_decref(f);
}

static int cmp_container(const void *a, const void *b)
{
	const struct container *x = a, *y = b;
	int c = strcmp(x->project, y->project);

	if (!c)
		c = strcmp(x->service, y->service);
	return c ? c : strcmp(x->name, y->name);
}

/* the string member key of o, or NULL */
static const char *member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* the string label key of a container or volume object, or "" */
static const char *label(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(json_object_get(o, "Labels"), key));

	return v ? v : "";
}

/* the host ports a container publishes ("Ports"), ascending, no duplicates */
static void published_ports(json_t *ports, long **out, size_t *n)
{
	size_t i, nr = 0;
	long *v = xcalloc(json_array_size(ports) + 1, sizeof(*v));

	for (i = 0; i < json_array_size(ports); i++) {
		json_t *pub = json_object_get(json_array_get(ports, i), "PublicPort");
		json_int_t p = json_integer_value(pub);

		/* an exposed port that is not published has no PublicPort */
		if (json_is_integer(pub) && p >= 1 && p <= 65535)
			v[nr++] = (long)p;
	}
	sort_longs_unique(v, &nr);
	if (!nr) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = nr;
}

void docker_parse_containers(json_t *a, struct container_list *out)
{
	size_t i, alloc = 0;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		json_t *names = json_object_get(o, "Names");
		const char *project = label(o, LABEL_PROJECT), *state = member(o, "State");
		const char *name = json_string_value(json_array_get(names, 0));
		const char *cid = member(o, "Id");
		struct container *c;

		if (!*project || !state || !name || !cid || !*cid)
			continue;
		ALLOC_GROW(out->v, out->n + 1, alloc);
		c = &out->v[out->n++];
		c->project = xstrdup(project);
		/* only ever shown: anyone on the engine writes them, nothing raw reaches the terminal */
		c->service = printable(label(o, "com.docker.compose.service"));
		c->state = printable(state);
		c->name = printable(name + (*name == '/'));
		c->working_dir = xstrdup(label(o, LABEL_PROJECT ".working_dir"));
		c->stack_id = xstrdup(label(o, LABEL_STACK_ID));
		c->cid = xstrdup(cid);
		published_ports(json_object_get(o, "Ports"), &c->ports, &c->nports);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_container);
}

int docker_ps_all(struct container_list *out, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT;
	json_t *a;
	int ret;

	out->v = NULL;
	out->n = 0;
	strbuf_addstr(&path, "/containers/json?all=1&");
	add_label_filter(&path, LABEL_PROJECT);
	ret = call("GET", path.buf, NULL, &a, NULL, why);
	strbuf_release(&path);
	if (ret)
		return ret;
	if (!json_is_array(a)) {
		json_decref(a);
		if (why)
			strbuf_addstr(why, "the list of containers is not a JSON array");
		return DOCKER_FAILED;
	}
	docker_parse_containers(a, out);
	json_decref(a);
	return DOCKER_OK;
}

void container_list_free(struct container_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct container *c = &l->v[i];

		free(c->project);
		free(c->service);
		free(c->state);
		free(c->name);
		free(c->working_dir);
		free(c->stack_id);
		free(c->cid);
		free(c->ports);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

size_t stack_containers(const struct container_list *l, const char *project,
			const struct container ***out)
{
	size_t i, n = 0;

	*out = xcalloc(l->n + 1, sizeof(**out));
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].project, project))
			(*out)[n++] = &l->v[i];
	return n;
}

const char *container_list_status(const struct container_list *l, const char *project)
{
	size_t i, total = 0, running = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].project, project))
			continue;
		total++;
		running += !strcmp(l->v[i].state, "running");
	}
	if (!running)
		return "stopped";
	return running == total ? "running" : "partial";
}

/* The string member key of each object of array a, NULL-terminated. */
static size_t strings_of(json_t *a, const char *key, char ***out)
{
	size_t i, n = 0;

	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	for (i = 0; i < json_array_size(a); i++) {
		json_t *v = json_object_get(json_array_get(a, i), key);

		if (json_string_length(v) && !memchr(json_string_value(v), '\0', json_string_length(v)))
			(*out)[n++] = xstrdup(json_string_value(v));
	}
	return n;
}

/*
 * GET /<kind>?filters={"label":[label]}, or /<kind> for a NULL label: the
 * member key of each object listed
 */
static int list_labelled(const char *kind, const char *label, const char *key, char ***out,
			 size_t *n, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT;
	json_t *a;
	int ret;

	*out = NULL;
	*n = 0;
	strbuf_addf(&path, "/%s", kind);
	if (label) {
		strbuf_addch(&path, '?');
		add_label_filter(&path, label);
	}
	ret = call("GET", path.buf, NULL, &a, NULL, why);
	strbuf_release(&path);
	if (ret)
		return ret;
	/* volumes come in {"Volumes": [...]}, networks in [...] */
	*n = strings_of(json_is_object(a) ? json_object_get(a, "Volumes") : a, key, out);
	json_decref(a);
	return DOCKER_OK;
}

int docker_volumes_labelled(const char *label, char ***names, size_t *n, struct strbuf *why)
{
	return list_labelled("volumes", label, "Name", names, n, why);
}

int docker_volumes(const char *project, char ***names, size_t *n, struct strbuf *why)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", project);
	int ret = docker_volumes_labelled(label, names, n, why);

	free(label);
	return ret;
}

int docker_networks(const char *project, char ***ids, size_t *n, struct strbuf *why)
{
	char *label = project ? xasprintf(LABEL_PROJECT "=%s", project) : NULL;
	int ret = list_labelled("networks", label, "Id", ids, n, why);

	free(label);
	return ret;
}

static void add_unique(char ***v, size_t *n, size_t *alloc, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	ALLOC_GROW(*v, *n + 2, *alloc);
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/*
 * GET /<kind>/<name>/json (containers) or /<kind>/<name> (volumes, networks) for
 * each name: the objects, in *out (json_decref it). Something named that
 * is gone meanwhile is absent, not an error. DOCKER_OK or a code.
 */
static int inspect(const char *kind, char *const *names, size_t n, json_t **out,
		   struct strbuf *why)
{
	size_t i;
	int ret = DOCKER_OK;

	*out = json_array();
	for (i = 0; i < n && !ret; i++) {
		struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
		json_t *o;
		int status;

		strbuf_addf(&path, "/%s/", kind);
		api_escape(&path, names[i]);
		if (!strcmp(kind, "containers"))
			strbuf_addstr(&path, "/json");
		ret = call("GET", path.buf, NULL, &o, &status, &err);
		strbuf_release(&path);
		if (ret == DOCKER_FAILED && status == 404)
			ret = DOCKER_OK;
		else if (!ret && json_is_object(o))
			json_array_append(*out, o);
		else if (ret && why)
			strbuf_add(why, err.buf, err.len);
		strbuf_release(&err);
		json_decref(o);
	}
	return ret;
}

int docker_container_uses(char *const *cids, size_t n, char ***volumes, size_t *nvolumes,
			  char ***networks, size_t *nnetworks, struct strbuf *why)
{
	size_t i, valloc = 0, nalloc = 0, nnamed = 0, namedalloc = 0;
	char **named = NULL;	/* networks the engine gave by name only */
	json_t *a;
	int ret;

	*volumes = xcalloc(1, sizeof(char *));
	*networks = xcalloc(1, sizeof(char *));
	*nvolumes = *nnetworks = 0;
	valloc = nalloc = 1;
	ret = inspect("containers", cids, n, &a, why);
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i), *m, *nets, *v;
		const char *key;
		size_t k;

		m = json_object_get(o, "Mounts");
		for (k = 0; k < json_array_size(m); k++) {
			json_t *mount = json_array_get(m, k);
			const char *type = member(mount, "Type"), *name = member(mount, "Name");

			if (type && !strcmp(type, "volume") && name && *name)
				add_unique(volumes, nvolumes, &valloc, name);
		}
		nets = json_object_get(json_object_get(o, "NetworkSettings"), "Networks");
		json_object_foreach(nets, key, v) {
			const char *id = member(v, "NetworkID");

			/* podman 4 gives the network's name there: its id is asked below */
			if (id && *id && strcmp(id, key))
				add_unique(networks, nnetworks, &nalloc, id);
			else if (*key)
				add_unique(&named, &nnamed, &namedalloc, key);
		}
	}
	json_decref(a);
	if (!ret && nnamed) {
		ret = inspect("networks", named, nnamed, &a, why);
		for (i = 0; i < json_array_size(a); i++) {
			const char *id = member(json_array_get(a, i), "Id");

			if (id && *id)
				add_unique(networks, nnetworks, &nalloc, id);
		}
		json_decref(a);
	}
	free_strings(named, nnamed);
	return ret;
}

int docker_container_health(const char *cid, char **status, struct strbuf *why)
{
	char *const ids[] = { (char *)cid };
	json_t *a;
	const char *st;
	int ret;

	*status = NULL;
	ret = inspect("containers", ids, 1, &a, why);
	st = json_string_value(json_object_get(json_object_get(json_object_get(
		json_array_get(a, 0), "State"), "Health"), "Status"));
	if (!ret && st && *st)
		*status = xstrdup(st);
	json_decref(a);
	return ret;
}

void volume_list_free(struct volume *v, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].created);
		free(v[i].project);
		free(v[i].stack_id);
		free(v[i].path);
		for (k = 0; k < v[i].nlabels; k++) {
			free(v[i].labels[k].key);
			free(v[i].labels[k].value);
		}
		free(v[i].labels);
	}
	free(v);
}

/* Add the volume object o (an inspect's or a list's) to *out, unless it lacks a field. */
static void add_volume(json_t *o, struct volume **out, size_t *nout, size_t *alloc)
{
	const char *name = member(o, "Name"), *created = member(o, "CreatedAt"), *key;
	struct volume *v;
	json_t *val;

	if (!name || !created)
		return;
	ALLOC_GROW(*out, *nout + 1, *alloc);
	v = &(*out)[(*nout)++];
	v->name = xstrdup(name);
	v->created = xstrdup(created);
	v->project = xstrdup(label(o, LABEL_PROJECT));
	v->stack_id = xstrdup(label(o, LABEL_STACK_ID));
	v->path = xstrdup(label(o, "git-sandbox.path"));
	v->labels = xcalloc(json_object_size(json_object_get(o, "Labels")) + 1, sizeof(*v->labels));
	v->nlabels = 0;
	json_object_foreach(json_object_get(o, "Labels"), key, val)
		if (json_is_string(val)) {
			v->labels[v->nlabels].key = xstrdup(key);
			v->labels[v->nlabels++].value = xstrdup(json_string_value(val));
		}
}

int docker_volume_inspect(char *const *names, size_t n, struct volume **out, size_t *nout,
			  struct strbuf *why)
{
	size_t i, alloc = 0;
	json_t *a;
	int ret;

	*out = NULL;
	*nout = 0;
	ret = inspect("volumes", names, n, &a, why);
	for (i = 0; i < json_array_size(a); i++)
		add_volume(json_array_get(a, i), out, nout, &alloc);
	json_decref(a);
	return ret;
}

int docker_volumes_with(const char *label, struct volume **out, size_t *nout, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT;
	size_t i, alloc = 0;
	json_t *o, *a;
	int ret;

	*out = NULL;
	*nout = 0;
	strbuf_addstr(&path, "/volumes?");
	add_label_filter(&path, label);
	ret = call("GET", path.buf, NULL, &o, NULL, why);
	strbuf_release(&path);
	a = json_object_get(o, "Volumes");
	for (i = 0; !ret && i < json_array_size(a); i++)
		add_volume(json_array_get(a, i), out, nout, &alloc);
	json_decref(o);
	return ret;
}

int docker_volume_create(const char *name, const char *const *labels, struct strbuf *why)
{
	json_t *body = json_pack("{s:s, s:{}}", "Name", name, "Labels"), *l, *out;
	char *text;
	size_t i;
	int ret;

	l = json_object_get(body, "Labels");
	for (i = 0; labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		char *key = xstrndup(labels[i], eq ? (size_t)(eq - labels[i]) : strlen(labels[i]));

		json_object_set_new(l, key, json_string(eq ? eq + 1 : ""));
		free(key);
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	ret = call("POST", "/volumes/create", text, &out, NULL, why);
	json_decref(out);
	free(text);
	return ret;
}

int docker_remove(const char *kind, char *const *names, size_t n, struct strbuf *why)
{
	size_t i;
	int ret = DOCKER_OK;

	for (i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
		json_t *o;
		int r, status;

		strbuf_addf(&path, "/%ss/", kind);
		api_escape(&path, names[i]);
		if (!strcmp(kind, "container"))
			strbuf_addstr(&path, "?force=1&v=1");
		r = call("DELETE", path.buf, NULL, &o, &status, &err);
		json_decref(o);
		strbuf_release(&path);
		/* gone already is removed */
		if (r == DOCKER_FAILED && status == 404)
			r = DOCKER_OK;
		if (r && why)
			strbuf_addf(why, "%s%s", why->len ? "; " : "", err.buf);
		strbuf_release(&err);
		if (r && !ret)
			ret = r;
		if (r == DOCKER_UNREACHABLE)
			break;
	}
	return ret;
}
