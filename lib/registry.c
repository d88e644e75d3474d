/* registry.c: the per-user lease of slots, across every repository (registry.h) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inifile.h"
#include "lock.h"
#include "registry.h"
#include "stackid.h"
#include "util.h"

char *registry_path(void)
{
	char *dir = xdg_dir("XDG_STATE_HOME", ".local/state");
	char *p = dir ? path_join(dir, "registry") : NULL;

	free(dir);
	return p;
}

struct parse {
	struct registry *r;
	struct reg_entry *cur;
	char *cursec;
	int version;
};

/* "api:8001 workers:5010 workers:5011" */
static int parse_ports(const char *v, struct reg_entry *e)
{
	const char *p = v;

	if (e->nports)
		return -1;
	while (*p) {
		const char *colon;
		char *end;
		long port;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		colon = strchr(p, ':');
		if (!colon || colon == p || memchr(p, ' ', colon - p))
			return -1;
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || port < 1 || port > 65535 || (*end && *end != ' '))
			return -1;
		e->ports = xrealloc(e->ports, (e->nports + 1) * sizeof(long));
		e->port_names = xrealloc(e->port_names, (e->nports + 1) * sizeof(char *));
		e->port_names[e->nports] = xstrndup(p, colon - p);
		e->ports[e->nports++] = port;
		p = end;
	}
	return 0;
}

static int handler(void *data, const char *section, const char *key, const char *value)
{
	struct parse *p = data;
	struct reg_entry *e;
	long v;

	if (!strcmp(section, "git-sandbox")) {
		if (strcmp(key, "version") || parse_int(value, 1, 1000000, &v) < 0)
			return 0;
		p->version = v;
		return 1;
	}
	if (!p->version || p->version != REGISTRY_VERSION)
		return 0;	/* no version first, or a version we do not know */
	if (!strcmp(section, "released")) {
		if (!strcmp(key, "id")) {
			if (!valid_stack_id(value))
				return 0;
			registry_released_add(p->r, value);
		}
		return 1;
	}
	if (!starts_with(section, "sandbox "))
		return 0;
	if (!p->cursec || strcmp(p->cursec, section)) {
		struct reg_entry blank = { 0 };

		free(p->cursec);
		p->cursec = xstrdup(section);
		blank.slot = -1;
		p->cur = registry_add(p->r, &blank);
	}
	e = p->cur;
	if (!strcmp(key, "slot")) {
		if (parse_int(value, 1, 1000000, &e->slot) < 0)
			return 0;
	} else if (!strcmp(key, "repo")) {
		free(e->repo);
		e->repo = xstrdup(value);
	} else if (!strcmp(key, "name")) {
		free(e->name);
		e->name = xstrdup(value);
	} else if (!strcmp(key, "path")) {
		free(e->path);
		e->path = xstrdup(value);
	} else if (!strcmp(key, "gitdir")) {
		free(e->gitdir);
		e->gitdir = xstrdup(value);
	} else if (!strcmp(key, "project")) {
		free(e->project);
		e->project = xstrdup(value);
	} else if (!strcmp(key, "id")) {
		if (!valid_stack_id(value))
			return 0;
		free(e->stack_id);
		e->stack_id = xstrdup(value);
	} else if (!strcmp(key, "engine")) {
		free(e->engine);
		e->engine = xstrdup(value);
	} else if (!strcmp(key, "enginecerts")) {
		free(e->engine_certs);
		e->engine_certs = xstrdup(value);
	} else if (!strcmp(key, "madebranch")) {
		free(e->made_branch);
		e->made_branch = xstrdup(value);
	} else if (!strcmp(key, "madehead")) {
		free(e->made_head);
		e->made_head = xstrdup(value);
	} else if (!strcmp(key, "ports")) {
		if (parse_ports(value, e) < 0)
			return 0;
	} else if (!strcmp(key, "created")) {
		if (parse_int(value, 0, 1L << 40, &e->created) < 0)
			return 0;
	} else if (!strcmp(key, "creating")) {
		/* "<pid>" or, since the start time is kept, "<pid>:<start>" */
		const char *colon = strchr(value, ':');
		char *pid = colon ? xstrndup(value, colon - value) : xstrdup(value);
		long start = 0;
		int bad = parse_int(pid, 1, 1L << 30, &e->creating) < 0 ||
			  (colon && parse_int(colon + 1, 1, LONG_MAX, &start) < 0);

		free(pid);
		e->creating_start = start;
		if (bad)
			return 0;
	}
	/* unknown keys are kept out but tolerated: a newer minor writer */
	return 1;
}

int registry_parse(struct registry *r, const char *text, int *line)
{
	struct parse p = { r, NULL, NULL, 0 };
	size_t i;
	int ret = ini_read_string(text, handler, &p, line);

	free(p.cursec);
	if (ret)
		return -1;
	if (*text && !p.version) {
		*line = 1;
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		struct reg_entry *e = &r->e[i];

		if (e->slot < 1 || !e->repo || !e->name || !e->path || !e->project || !e->gitdir) {
			*line = 0;
			return -1;
		}
	}
	return 0;
}

/*
 * The registry decides who gets which port: one that others could have
 * written, or that is not a plain file, is not trusted.
 */
static int check_file(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_errno("cannot read the registry '%s'", path);
	if (!S_ISREG(st.st_mode))
		return error("the registry '%s' is not a regular file%s; move it away (nothing was changed)",
			     path, S_ISLNK(st.st_mode) ? " but a symbolic link" : "");
	if (st.st_uid != geteuid())
		return error("the registry '%s' is not owned by you (uid %ld); move it away (nothing was changed)",
			     path, (long)st.st_uid);
	if (st.st_mode & 022)
		return error("the registry '%s' is writable by others; run: chmod 600 '%s'", path, path);
	return 0;
}

static int load(struct registry *r)
{
	size_t len;
	char *text;
	int line = 0;

	if (check_file(r->path) < 0)
		return -1;
	text = read_file(r->path, &len);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		return error("cannot read the registry '%s': %s; move it away (nothing was changed)",
			     r->path, read_file_strerror(errno));
	}
	if (strlen(text) != len || registry_parse(r, text, &line) < 0) {
		free(text);
		if (line > 0)
			return error("the registry '%s' is corrupt at line %d; fix or move it away (nothing was changed)",
				     r->path, line);
		return error("the registry '%s' is corrupt; fix or move it away (nothing was changed)", r->path);
	}
	free(text);
	return 0;
}

int registry_read(struct registry *r)
{
	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
	r->path = registry_path();
	if (!r->path || load(r) < 0) {
		registry_release(r);	/* callers give up at once: leave nothing */
		return -1;
	}
	return 0;
}

int registry_lock(struct registry *r)
{
	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
	if (!(r->path = registry_path()))
		return -1;
	r->lockfd = lock_file(r->path);
	if (r->lockfd < 0) {
		registry_release(r);
		return -1;
	}
	crash_point("registry-locked");
	remove_stale_temps(r->path);
	if (load(r) < 0) {
		registry_release(r);
		return -1;
	}
	return 0;
}

void registry_format(const struct registry *r, struct strbuf *out)
{
	struct strbuf ports = STRBUF_INIT;
	size_t i, j;

	strbuf_addstr(out, "# git-sandbox registry: slots leased by sandboxes. Written by git-sandbox;\n"
		      "# use 'git sandbox list' and 'git sandbox prune' rather than editing it.\n");
	strbuf_addf(out, "[git-sandbox]\nversion = %d\n", REGISTRY_VERSION);
	for (i = 0; i < r->n; i++) {
		const struct reg_entry *e = &r->e[i];

		strbuf_addf(out, "\n[sandbox %zu]\nslot = %ld\n", i + 1, e->slot);
		ini_add(out, "repo", e->repo);
		ini_add(out, "name", e->name);
		ini_add(out, "path", e->path);
		ini_add(out, "gitdir", e->gitdir);
		ini_add(out, "project", e->project);
		/* escaped like any value: a port name read back from "%25" is "%" */
		strbuf_reset(&ports);
		for (j = 0; j < e->nports; j++)
			strbuf_addf(&ports, "%s%s:%ld", j ? " " : "", e->port_names[j], e->ports[j]);
		ini_add(out, "ports", ports.buf);
		strbuf_addf(out, "created = %ld\n", e->created);
		if (e->creating && e->creating_start)
			strbuf_addf(out, "creating = %ld:%llu\n", e->creating, e->creating_start);
		else if (e->creating)
			strbuf_addf(out, "creating = %ld\n", e->creating);
		if (e->made_branch)
			ini_add(out, "madebranch", e->made_branch);
		if (e->made_head)
			ini_add(out, "madehead", e->made_head);
		if (e->stack_id)
			ini_add(out, "id", e->stack_id);
		if (e->engine)
			ini_add(out, "engine", e->engine);
		if (e->engine_certs)
			ini_add(out, "enginecerts", e->engine_certs);
	}
	if (r->nreleased)
		strbuf_addstr(out, "\n[released]\n");
	for (i = 0; i < r->nreleased; i++)
		ini_add(out, "id", r->released[i]);
	strbuf_release(&ports);
}

int registry_write(struct registry *r)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (r->lockfd < 0)
		die("BUG: registry written without its lock");
	registry_format(r, &sb);
	ret = ini_write(r->path, &sb, 0600);
	strbuf_release(&sb);
	crash_point("registry-written");
	return ret;
}

void reg_entry_free(struct reg_entry *e)
{
	free(e->repo);
	free(e->name);
	free(e->path);
	free(e->gitdir);
	free(e->project);
	free(e->made_branch);
	free(e->made_head);
	free(e->stack_id);
	free(e->engine);
	free(e->engine_certs);
	free(e->ports);
	free_strings(e->port_names, e->nports);
	memset(e, 0, sizeof(*e));
}

void registry_release(struct registry *r)
{
	size_t i;

	if (r->lockfd >= 0)
		unlock_file(r->lockfd);
	for (i = 0; i < r->n; i++)
		reg_entry_free(&r->e[i]);
	free(r->e);
	free_strings(r->released, r->nreleased);
	free(r->path);
	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
}

struct reg_entry *registry_find(struct registry *r, const char *repo, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].repo, repo) && !strcmp(r->e[i].name, name))
			return &r->e[i];
	return NULL;
}

struct reg_entry *registry_find_path(struct registry *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].path, path))
			return &r->e[i];
	return NULL;
}

struct reg_entry *registry_find_gitdir(struct registry *r, const char *repo, const char *gitdir)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].gitdir, gitdir) && !strcmp(r->e[i].repo, repo))
			return &r->e[i];
	return NULL;
}

struct reg_entry *registry_find_project(struct registry *r, const char *project)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].project, project))
			return &r->e[i];
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct reg_entry *registry_add(struct registry *r, const struct reg_entry *src)
{
	struct reg_entry *e;

	ALLOC_GROW(r->e, r->n + 1, r->alloc);
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->slot = src->slot;
	e->repo = dup_or_null(src->repo);
	e->name = dup_or_null(src->name);
	e->path = dup_or_null(src->path);
	e->gitdir = dup_or_null(src->gitdir);
	e->project = dup_or_null(src->project);
	e->created = src->created;
	e->creating = src->creating;
	e->creating_start = src->creating_start;
	e->made_branch = dup_or_null(src->made_branch);
	e->made_head = dup_or_null(src->made_head);
	e->stack_id = dup_or_null(src->stack_id);
	e->engine = dup_or_null(src->engine);
	e->engine_certs = dup_or_null(src->engine_certs);
	if (src->nports) {
		size_t i;

		e->ports = xmalloc(src->nports * sizeof(long));
		e->port_names = xmalloc(src->nports * sizeof(char *));
		memcpy(e->ports, src->ports, src->nports * sizeof(long));
		for (i = 0; i < src->nports; i++)
			e->port_names[i] = xstrdup(src->port_names[i]);
		e->nports = src->nports;
	}
	return e;
}

void registry_released_add(struct registry *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nreleased; i++)
		if (!strcmp(r->released[i], id))
			return;
	if (r->nreleased == REGISTRY_RELEASED_MAX) {
		free(r->released[0]);
		memmove(r->released, r->released + 1, --r->nreleased * sizeof(char *));
	}
	ALLOC_GROW(r->released, r->nreleased + 1, r->released_alloc);
	r->released[r->nreleased++] = xstrdup(id);
}

int registry_released(const struct registry *r, const char *id)
{
	size_t i;

	for (i = 0; *id && i < r->nreleased; i++)
		if (!strcmp(r->released[i], id))
			return 1;
	return 0;
}

void registry_release_entry(struct registry *r, struct reg_entry *e)
{
	if (e->stack_id)
		registry_released_add(r, e->stack_id);
	registry_remove(r, e);
}

void registry_remove(struct registry *r, struct reg_entry *e)
{
	size_t i = e - r->e;

	reg_entry_free(e);
	memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof(*e));
	r->n--;
}

int registry_update(const char *repo, const char *gitdir, const char *path,
		    int (*change)(struct registry *r, struct reg_entry *e, void *data), void *data)
{
	struct registry reg;
	struct reg_entry *e = NULL;
	int ret;

	if (registry_lock(&reg) < 0)
		return -1;
	if (gitdir && *gitdir)
		e = registry_find_gitdir(&reg, repo, gitdir);
	if (!e && path)
		e = registry_find_path(&reg, path);
	ret = change(&reg, e, data);
	if (ret == 1 && registry_write(&reg) < 0)
		ret = -1;
	registry_release(&reg);
	return ret;
}
