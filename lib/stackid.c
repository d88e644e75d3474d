/*
 * stackid.c: the record of a stack's identity, its label override, and the
 * checks that keep compose and removals to the objects the stack owns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "advice.h"
#include "composefile.h"
#include "inifile.h"
#include "lock.h"
#include "stackid.h"
#include "util.h"

#define RECORD_NAME "sandbox-stack"
#define LABEL_FILE_NAME "sandbox-labels.json"

int valid_stack_id(const char *s)
{
	size_t i;

	for (i = 0; i < STACK_ID_LEN; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return 0;
	return !s[i];
}

static void add_volume(struct stack_ident *si, const char *name, const char *created)
{
	struct volume *v;
	size_t i;

	si->dirty = 1;
	for (i = 0; i < si->nvols; i++)
		if (!strcmp(si->vols[i].name, name)) {
			free(si->vols[i].created);
			si->vols[i].created = xstrdup(created);
			return;
		}
	ALLOC_GROW(si->vols, si->nvols + 1, si->vols_alloc);
	v = &si->vols[si->nvols++];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	v->created = xstrdup(created);
	v->project = xstrdup("");
	v->stack_id = xstrdup("");
	v->path = xstrdup("");
	v->labels = NULL;
	v->nlabels = 0;
}

static int has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void add_network(struct stack_ident *si, const char *id)
{
	if (has(si->nets, si->nnets, id))
		return;
	si->dirty = 1;
	ALLOC_GROW(si->nets, si->nnets + 1, si->nets_alloc);
	si->nets[si->nnets++] = xstrdup(id);
}

static int handler(void *data, const char *section, const char *key, const char *value)
{
	struct stack_ident *si = data;

	if (!strcmp(section, "stack") && !strcmp(key, "path")) {
		free(si->path);
		si->path = xstrdup(value);
	} else if (!strcmp(section, "stack") && !strcmp(key, "id")) {
		if (!valid_stack_id(value))
			return 0;
		free(si->id);
		si->id = xstrdup(value);
	} else if (!strcmp(section, "volume")) {
		if (!*key || !*value)
			return 0;
		add_volume(si, key, value);
	} else if (!strcmp(section, "network")) {
		if (!*key)
			return 0;
		add_network(si, key);
	}
	/* anything else: a newer writer's, tolerated */
	return 1;
}

int stack_ident_read(const char *dir, struct stack_ident *si)
{
	memset(si, 0, sizeof(*si));
	si->file = path_join(dir, RECORD_NAME);
	si->label_file = path_join(dir, LABEL_FILE_NAME);
	if (ini_read(si->file, handler, si) < 0)
		return -1;
	si->dirty = 0;
	return 0;
}

void stack_ident_reset(struct stack_ident *si)
{
	free(si->id);
	si->id = NULL;
	volume_list_free(si->vols, si->nvols);
	si->vols = NULL;
	si->nvols = si->vols_alloc = 0;
	free_strings(si->nets, si->nnets);
	si->nets = NULL;
	si->nnets = si->nets_alloc = 0;
	si->dirty = 1;
}

const char *stack_ident_make_id(struct stack_ident *si)
{
	unsigned char r[STACK_ID_LEN / 2];
	size_t i, got = 0;

	if (si->id)
		return si->id;
	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno != EINTR)
			return NULL;
		got += n > 0 ? (size_t)n : 0;
	}
	si->dirty = 1;
	si->id = xmalloc(STACK_ID_LEN + 1);
	for (i = 0; i < sizeof(r); i++)
		sprintf(si->id + 2 * i, "%02x", r[i]);
	return si->id;
}

int stack_ident_started(const struct stack_ident *si)
{
	return !si->id || si->nvols || si->nnets || !access(si->label_file, F_OK);
}

int stack_ident_write(const struct stack_ident *si)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	strbuf_addstr(&sb, "# Written by git-sandbox: this sandbox's stack on its engine.\n"
		      "[stack]\n");
	if (si->id)
		ini_add(&sb, "id", si->id);
	if (si->path)
		ini_add(&sb, "path", si->path);
	if (si->nvols)
		strbuf_addstr(&sb, "[volume]\n");
	for (i = 0; i < si->nvols; i++)
		ini_add(&sb, si->vols[i].name, si->vols[i].created);
	if (si->nnets)
		strbuf_addstr(&sb, "[network]\n");
	for (i = 0; i < si->nnets; i++)
		ini_add(&sb, si->nets[i], "used");
	ret = ini_write(si->file, &sb, 0644);
	strbuf_release(&sb);
	return ret;
}

void stack_ident_free(struct stack_ident *si)
{
	free(si->file);
	free(si->label_file);
	free(si->id);
	free(si->path);
	volume_list_free(si->vols, si->nvols);
	free_strings(si->nets, si->nnets);
	free_strings(si->seen, si->nseen);
	memset(si, 0, sizeof(*si));
}

int stack_label_file(const struct stack_ident *si, const struct compose_names *cn,
		     struct strbuf *err)
{
	json_t *top = json_object(), *services = json_object();
	char *const *names = cn->services, *text, *old;
	size_t i, n = cn->nservices, len;
	int ret = 0;

	if (!si->id)
		die("BUG: a label file for a stack without an id");
	for (i = 0; i < n && !ret; i++) {
		json_t *labels = json_object(), *svc = json_object(), *id = json_string(si->id);

		if (json_object_set_new(labels, LABEL_STACK_ID, id) ||
		    json_object_set_new(svc, "labels", labels) ||
		    json_object_set_new(services, names[i], svc)) {
			strbuf_addf(err, "the service name '%s' is not UTF-8", names[i]);
			ret = -1;
		}
	}
	json_object_set_new(top, "services", services);
	text = ret ? NULL : json_dumps(top, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(top);
	if (ret)
		return -1;
	if (!text)
		die("out of memory");
	len = strlen(text);
	/* most ups find it as it was: no write, no fsync */
	old = read_file(si->label_file, &i);
	if (!old || i != len || memcmp(old, text, len))
		ret = write_file_atomic(si->label_file, text, len, 0644);
	if (ret < 0)
		strbuf_addf(err, "cannot write '%s'", si->label_file);
	free(old);
	free(text);
	return ret;
}

int stack_owns(const struct stack_ident *si, const char *project, const char *worktree,
	       const struct container *c)
{
	if (strcmp(c->project, project))
		return 0;
	if (*c->stack_id)
		return si->id && !strcmp(c->stack_id, si->id);
	return worktree && !strcmp(c->working_dir, worktree);
}

/* The recorded creation time of the volume name, or NULL. */
static const char *recorded(const struct stack_ident *si, const char *name)
{
	size_t i;

	for (i = 0; i < si->nvols; i++)
		if (!strcmp(si->vols[i].name, name))
			return si->vols[i].created;
	return NULL;
}

static void drop_volume(struct stack_ident *si, const char *name)
{
	size_t i;

	for (i = 0; i < si->nvols; i++)
		if (!strcmp(si->vols[i].name, name)) {
			free(si->vols[i].name);
			free(si->vols[i].created);
			free(si->vols[i].project);
			free(si->vols[i].stack_id);
			free(si->vols[i].path);
			memmove(&si->vols[i], &si->vols[i + 1], (--si->nvols - i) * sizeof(*si->vols));
			si->dirty = 1;
			return;
		}
}

/*
 * What the containers of l that this stack owns use: the named volumes
 * they mount and the networks they are attached to (one `docker inspect`).
 * With cids, their ids too (pointers into l).
 */
static int owned_uses(const struct stack_ident *si, const char *project, const char *worktree,
		      const struct container_list *l, char ***vols, size_t *nvols,
		      char ***nets, size_t *nnets, char ***cids, size_t *ncids)
{
	struct strbuf why = STRBUF_INIT;
	char **ids = xcalloc(l->n + 1, sizeof(char *));
	size_t i, n = 0;
	int ret;

	for (i = 0; i < l->n; i++)
		if (stack_owns(si, project, worktree, &l->v[i]))
			ids[n++] = l->v[i].cid;
	ret = docker_container_uses(ids, n, vols, nvols, nets, nnets, &why);
	if (ret)
		ret = docker_error(ret, why.buf);
	strbuf_release(&why);
	if (cids) {
		*cids = ids;
		*ncids = n;
	} else {
		free(ids);
	}
	return ret;
}

/* The volumes of project and what docker says of each (an inspect of the list). */
static int project_volumes(const char *project, struct volume **v, size_t *nv)
{
	struct strbuf why = STRBUF_INIT;
	char **names;
	size_t n;
	int ret;

	*v = NULL;
	*nv = 0;
	ret = docker_volumes(project, &names, &n, &why);
	if (!ret)
		ret = docker_volume_inspect(names, n, v, nv, &why);
	if (ret)
		ret = docker_error(ret, why.buf);
	free_strings(names, n);
	strbuf_release(&why);
	return ret;
}

/*
 * Is v this stack's: recorded, or mounted by one of its containers
 * (mounted)? Labelled with project in any case. (A volume's CreatedAt is
 * no identity: the local driver reports the ctime of its top directory,
 * which changes as the service writes there.)
 */
static int volume_ours(const struct stack_ident *si, const struct volume *v, const char *project,
		       char *const *mounted, size_t nmounted)
{
	if (strcmp(v->project, project))
		return 0;
	return recorded(si, v->name) || has(mounted, nmounted, v->name);
}

int stack_claim(struct stack_ident *si, const char *project, const char *worktree,
		const struct container_list *l, int volumes)
{
	struct volume *v = NULL;
	char **mounted = NULL, **nets = NULL;
	size_t i, nv = 0, nmounted = 0, nnets = 0;
	int ret = 0;

	for (i = 0; i < l->n; i++) {
		const struct container *c = &l->v[i];
		char *dir;

		if (strcmp(c->project, project) || stack_owns(si, project, worktree, c))
			continue;
		dir = printable(*c->working_dir ? c->working_dir : "unknown");
		ret = error("the compose project '%s' on this engine belongs to another stack "
			    "(container '%s', %s, working directory '%s'): not touching it",
			    project, c->name, *c->stack_id ? "another sandbox's id" : "no sandbox id", dir);
		free(dir);
		advise(ADVICE_PROJECT_TAKEN, NULL);
		return ret;
	}
	if (!volumes)
		return 0;
	free_strings(si->seen, si->nseen);
	si->seen = xcalloc(1, sizeof(char *));
	si->nseen = 0;
	if (project_volumes(project, &v, &nv) < 0 ||
	    owned_uses(si, project, worktree, l, &mounted, &nmounted, &nets, &nnets, NULL, NULL) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < nv && !ret; i++) {
		ALLOC_GROW(si->seen, si->nseen + 2, si->nseen_alloc);
		si->seen[si->nseen++] = xstrdup(v[i].name);
		si->seen[si->nseen] = NULL;
		if (strcmp(v[i].project, project))
			continue;
		if (volume_ours(si, &v[i], project, mounted, nmounted)) {
			if (!recorded(si, v[i].name))
				add_volume(si, v[i].name, v[i].created);
			continue;
		}
		ret = error("the volume '%s' of compose project '%s' is not one this sandbox's stack "
			    "made: it may hold another stack's data; not touching it", v[i].name, project);
		advise(ADVICE_VOLUME_TAKEN, NULL);
	}
	/* recorded, and gone since: forget them */
	for (i = 0; !ret && i < si->nvols;) {
		if (has(si->seen, si->nseen, si->vols[i].name))
			i++;
		else
			drop_volume(si, si->vols[i].name);
	}
out:
	volume_list_free(v, nv);
	free_strings(mounted, nmounted);
	free_strings(nets, nnets);
	return ret;
}

int stack_record(struct stack_ident *si, const char *project, const char *worktree,
		 const struct container_list *l, int compose_failed)
{
	struct strbuf why = STRBUF_INIT;
	char **mounted = NULL, **nets = NULL, **labelled = NULL, **fresh, **now = NULL;
	struct volume *v = NULL;
	size_t i, nmounted = 0, nnets = 0, nlabelled = 0, nfresh = 0, nv = 0, nnow = 0;
	int ret;

	ret = owned_uses(si, project, worktree, l, &mounted, &nmounted, &nets, &nnets, NULL, NULL);
	if (!ret && compose_failed)
		ret = docker_volumes(project, &now, &nnow, &why);
	if (!ret)
		ret = docker_networks(project, &labelled, &nlabelled, &why);
	if (ret > 0 || ret < -1)
		ret = docker_error(ret, why.buf);
	if (ret)
		goto out;
	/*
	 * what its containers mount; and when compose failed half-way, what
	 * appeared while it ran (a volume made before a container failed)
	 */
	fresh = xcalloc(nmounted + nnow + 1, sizeof(char *));
	for (i = 0; i < nmounted; i++)
		if (!recorded(si, mounted[i]))
			fresh[nfresh++] = mounted[i];
	for (i = 0; i < nnow; i++)
		if (!recorded(si, now[i]) && !has(si->seen, si->nseen, now[i]) &&
		    !has(mounted, nmounted, now[i]))
			fresh[nfresh++] = now[i];
	ret = docker_volume_inspect(fresh, nfresh, &v, &nv, &why);
	free(fresh);
	if (ret) {
		ret = docker_error(ret, why.buf);
		goto out;
	}
	for (i = 0; i < nv; i++)
		if (!strcmp(v[i].project, project))
			add_volume(si, v[i].name, v[i].created);
	/* the project's networks its containers use: compose makes them anew after a down */
	for (i = 0; i < nnets; i++)
		if (has(labelled, nlabelled, nets[i]))
			add_network(si, nets[i]);
	if (si->dirty) {
		ret = stack_ident_write(si);
		si->dirty = ret < 0;
	}
out:
	volume_list_free(v, nv);
	free_strings(mounted, nmounted);
	free_strings(nets, nnets);
	free_strings(labelled, nlabelled);
	free_strings(now, nnow);
	strbuf_release(&why);
	return ret;
}

static char *lease_name(const char *project)
{
	return xasprintf("git-sandbox-lease-%s", project);
}

/* The lease of project on the engine, as docker says it is (NULL: none). */
static int lease_get(const char *project, struct volume **v, size_t *nv)
{
	struct strbuf why = STRBUF_INIT;
	char *name = lease_name(project);
	int ret = docker_volume_inspect(&name, 1, v, nv, &why);

	if (ret)
		ret = docker_error(ret, why.buf);
	strbuf_release(&why);
	free(name);
	return ret;
}

int stack_lease(const struct stack_ident *si, const char *project, const char *worktree)
{
	struct strbuf why = STRBUF_INIT;
	struct volume *v = NULL;
	size_t nv = 0;
	char *name = lease_name(project), *l_id = xasprintf(LABEL_STACK_ID "=%s", si->id);
	char *l_lease = xasprintf("git-sandbox.lease=%s", project);
	char *l_path = xasprintf("git-sandbox.path=%s", worktree);
	const char *labels[] = { l_lease, l_id, l_path, NULL };
	int ret;

	ret = lease_get(project, &v, &nv);
	if (!ret && !nv) {
		ret = docker_volume_create(name, labels, &why);
		if (ret)
			ret = docker_error(ret, why.buf);
		if (!ret)
			ret = lease_get(project, &v, &nv);
	}
	if (!ret && (!nv || strcmp(v[0].stack_id, si->id))) {
		/* anyone on the engine writes labels: nothing of theirs reaches the terminal raw */
		char *holder = printable(nv && *v[0].path ? v[0].path : "unknown");

		ret = error("the compose project '%s' is leased on this engine by another sandbox "
			    "(working directory '%s', lease '%s'): not touching it", project, holder, name);
		free(holder);
		advise(ADVICE_PROJECT_LEASED, NULL);
	}
	volume_list_free(v, nv);
	strbuf_release(&why);
	free(name);
	free(l_id);
	free(l_lease);
	free(l_path);
	return ret;
}

/* Remove one object; one that is already gone is fine. 0 or -1 after an error. */
/*
 * Remove one volume or network of the stack: 0, -1 after an error, or
 * REMOVE_IN_USE (said, and kept) when, its own containers gone, another's
 * still uses it: that one is not ours to stop, and the rest goes on.
 */
#define REMOVE_IN_USE 1
static int remove_one(const char *kind, const char *name, const char *project)
{
	struct strbuf why = STRBUF_INIT;
	char *const v[] = { (char *)name };
	int ret = docker_remove(kind, v, 1, &why);

	if (ret == DOCKER_FAILED && (strstr(why.buf, "not found") || strstr(why.buf, "No such") ||
				     strstr(why.buf, "no such")))
		ret = 0;
	if (ret == DOCKER_FAILED && (strstr(why.buf, "active endpoints") || strstr(why.buf, "in use"))) {
		char *shown = printable(name);

		warning("kept the %s '%.*s' of compose project '%s': a container that is not this "
			"stack's uses it", kind, !strcmp(kind, "network") ? 12 : (int)strlen(shown),
			shown, project);
		free(shown);
		ret = REMOVE_IN_USE;
	}
	if (ret == DOCKER_FAILED)
		ret = error("cannot remove the %s '%s' of '%s': %s", kind, name, project, why.buf);
	else if (ret && ret != REMOVE_IN_USE)
		ret = docker_error(ret, why.buf);
	strbuf_release(&why);
	return ret;
}

int stack_remove(struct stack_ident *si, const char *project, const char *worktree,
		 const struct container_list *l, int volumes, int flags)
{
	struct strbuf why = STRBUF_INIT;
	char **cids = NULL, **mounted = NULL, **nets = NULL, **labelled = NULL;
	size_t i, ncids = 0, nmounted = 0, nnets = 0, nlabelled = 0, nv = 0;
	struct volume *v = NULL;
	int dry = flags & STACK_DRY, tell = flags & (STACK_DRY | STACK_VERBOSE), ret;

	/* what its containers use, asked before they go */
	ret = owned_uses(si, project, worktree, l, &mounted, &nmounted, &nets, &nnets, &cids, &ncids);
	if (!ret) {
		ret = docker_networks(project, &labelled, &nlabelled, &why);
		if (ret)
			ret = docker_error(ret, why.buf);
	}
	if (ret)
		goto out;
	for (i = 0; i < nnets; i++)
		if (has(labelled, nlabelled, nets[i]))
			add_network(si, nets[i]);
	for (i = 0; tell && i < l->n; i++)
		if (stack_owns(si, project, worktree, &l->v[i]))
			printf("%s the container '%s'\n", dry ? "Would remove" : "Removing", l->v[i].name);
	if (!dry && ncids && (ret = docker_remove("container", cids, ncids, &why))) {
		ret = ret == DOCKER_FAILED ?
		      error("cannot remove the containers of '%s': %s", project, why.buf) :
		      docker_error(ret, why.buf);
		goto out;
	}
	for (i = 0; i < si->nnets; i++) {
		if (!has(labelled, nlabelled, si->nets[i]))
			continue;	/* gone already, or not the project's */
		if (tell) {
			char *id = printable(si->nets[i]);

			printf("%s the network '%.12s'\n", dry ? "Would remove" : "Removing", id);
			free(id);
		}
		if (!dry && remove_one("network", si->nets[i], project) < 0)
			ret = -1;
	}
	if (!ret && !dry) {
		si->dirty |= si->nnets > 0;
		free_strings(si->nets, si->nnets);
		si->nets = NULL;
		si->nnets = si->nets_alloc = 0;
	}
	if (!ret && volumes && !(ret = project_volumes(project, &v, &nv))) {
		for (i = 0; i < nv; i++) {
			char *shown = printable(v[i].name);
			int ours = volume_ours(si, &v[i], project, mounted, nmounted);

			if (!ours)
				warning("kept the volume '%s' of compose project '%s': this sandbox's "
					"stack did not make it", shown, project);
			else if (tell)
				printf("%s the volume '%s'\n", dry ? "Would remove" : "Removing", shown);
			free(shown);
			if (!ours || dry)
				continue;
			if (remove_one("volume", v[i].name, project) < 0)
				ret = -1;
			else	/* removed, or kept in another's use: this stack's no more */
				drop_volume(si, v[i].name);
		}
		/* recorded, and gone already */
		for (i = 0; !dry && i < si->nvols;) {
			size_t k;

			for (k = 0; k < nv && strcmp(v[k].name, si->vols[i].name); k++)
				;
			if (k == nv)
				drop_volume(si, si->vols[i].name);
			else
				i++;
		}
	}
	/* the project's name, leased on the engine, goes with the sandbox */
	if (!ret && (flags & STACK_RELEASE) && si->id) {
		volume_list_free(v, nv);
		v = NULL;
		nv = 0;
		ret = lease_get(project, &v, &nv);
		if (!ret && nv && !strcmp(v[0].stack_id, si->id)) {
			if (tell)
				printf("%s the lease of '%s'\n", dry ? "Would remove" : "Removing", project);
			if (!dry)
				ret = remove_one("volume", v[0].name, project) < 0 ? -1 : 0;
		}
	}
	if (!dry && si->dirty && si->id && si->file && stack_ident_write(si) < 0)
		ret = -1;
out:
	volume_list_free(v, nv);
	free(cids);
	free_strings(mounted, nmounted);
	free_strings(nets, nnets);
	free_strings(labelled, nlabelled);
	strbuf_release(&why);
	return ret;
}
