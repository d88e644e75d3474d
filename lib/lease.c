/*
 * lease.c: the port leases: who holds a port (the machine's store, or lease
 * volumes on a remote engine), choosing a slot whose ports are free and
 * claiming them, giving ports back, and bringing the store in line with
 * the registry.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "advice.h"
#include "docker.h"
#include "engine.h"
#include "inifile.h"
#include "lease.h"
#include "lock.h"
#include "util.h"

#define PORT_FILE_PREFIX "git-sandbox-port-"

/* The store's directory, or NULL when it cannot be used (said once). */
static const char *store_dir(void)
{
	static char *checked, *dir;
	const char *env = getenv("GIT_SANDBOX_LEASES");
	const char *want = env && *env ? env : "/run/lock";
	const char *why = NULL;
	struct stat st;

	if (checked && !strcmp(checked, want))
		return dir;
	free(checked);
	free(dir);
	checked = xstrdup(want);
	dir = xstrdup(want);
	if (lstat(dir, &st) < 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (st.st_uid && st.st_uid != geteuid())
		why = "owned by another user, who could remove anyone's leases";
	else if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		why = "writable by others but not sticky, so anyone could remove anyone's leases";
	else if (access(dir, W_OK | X_OK) < 0)
		why = strerror(errno);
	if (why) {
		warning("the machine's port leases in '%s' cannot be used (%s): other users and HOMEs "
			"are not kept off this sandbox's ports", dir, why);
		free(dir);
		dir = NULL;
	}
	return dir;
}

int lease_store_usable(void)
{
	return store_dir() != NULL;
}

/*
 * How a lease names r: its path with the directory's links resolved, so
 * that two spellings of one HOME (a link, a trailing slash) are one
 * registry. The path as given while the directory does not exist yet.
 */
static const char *reg_key(const struct registry *r)
{
	static char *for_path, *key;
	char *dir, *base, *real;

	if (for_path && !strcmp(for_path, r->path))
		return key;
	free(for_path);
	free(key);
	for_path = xstrdup(r->path);
	dir = path_dirname(r->path);
	base = path_basename(r->path);
	real = real_path(dir);
	key = real ? path_join(real, base) : xstrdup(r->path);
	free(real);
	free(base);
	free(dir);
	return key;
}

static char *port_file(const char *dir, long port)
{
	return xasprintf("%s/" PORT_FILE_PREFIX "%ld", dir, port);
}

struct lease_text {
	long port;
	char *registry, *repo, *name;
};

static int text_handler(void *data, const char *section, const char *key, const char *value)
{
	struct lease_text *t = data;

	if (strcmp(section, "lease"))
		return 1;
	if (!strcmp(key, "port")) {
		if (parse_int(value, 1, 65535, &t->port) < 0)
			return 0;
	} else if (!strcmp(key, "registry")) {
		free(t->registry);
		t->registry = xstrdup(value);
	} else if (!strcmp(key, "repo")) {
		free(t->repo);
		t->repo = xstrdup(value);
	} else if (!strcmp(key, "name")) {
		free(t->name);
		t->name = xstrdup(value);
	}
	return 1;
}

static void lease_text_free(struct lease_text *t)
{
	free(t->registry);
	free(t->repo);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/*
 * Read a port file of ours (owner checked by the caller): 0, or -1 if it
 * cannot be read or does not say which registry and port.
 */
static int read_lease(const char *path, struct lease_text *t)
{
	char *text = read_file(path, NULL);
	int line;

	memset(t, 0, sizeof(*t));
	if (!text)
		return -1;
	if (ini_read_string(text, text_handler, t, &line) || !t->registry || !t->port) {
		free(text);
		lease_text_free(t);
		return -1;
	}
	free(text);
	return 0;
}

static int entry_holds(const struct registry *r, long port)
{
	size_t i, j;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->e[i].nports; j++)
			if (r->e[i].ports[j] == port)
				return 1;
	return 0;
}

static void name_owner(struct strbuf *who, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		strbuf_addf(who, "user %s (uid %ld)", pw->pw_name, (long)uid);
	else
		strbuf_addf(who, "uid %ld", (long)uid);
}

static enum lease_holder file_holder(const struct registry *r, long port, struct strbuf *who)
{
	const char *dir = store_dir();
	struct lease_text t;
	struct stat st;
	char *path;
	enum lease_holder h;

	if (!dir)
		return LEASE_FREE;
	path = port_file(dir, port);
	if (lstat(path, &st) < 0) {
		free(path);
		return LEASE_FREE;
	}
	if (st.st_uid != geteuid() || !S_ISREG(st.st_mode)) {
		/* callers say "leased to <who>": the owner, as the kernel has it */
		name_owner(who, st.st_uid);
		free(path);
		return LEASE_OTHER;
	}
	if (read_lease(path, &t) < 0) {
		/* ours, but not whole: not made by a claim (they link whole files) */
		strbuf_addf(who, "a lease of yours that cannot be read ('%s')", path);
		free(path);
		return LEASE_OTHER;
	}
	free(path);
	if (!strcmp(t.registry, reg_key(r)) && t.port == port) {
		h = entry_holds(r, port) ? LEASE_MINE : LEASE_STALE;
	} else {
		strbuf_addf(who, "sandbox '%s' of %s (your registry '%s')", t.name ? t.name : "?",
			    t.repo ? t.repo : "?", t.registry);
		h = LEASE_OTHER;
	}
	lease_text_free(&t);
	return h;
}

/* Remove a port file of ours that names this registry (a stale or released one). */
static void file_drop(const struct registry *r, long port)
{
	const char *dir = store_dir();
	struct lease_text t;
	struct stat st;
	char *path;

	if (!dir)
		return;
	path = port_file(dir, port);
	if (!lstat(path, &st) && st.st_uid == geteuid() && S_ISREG(st.st_mode) &&
	    !read_lease(path, &t)) {
		if (!strcmp(t.registry, reg_key(r)) && t.port == port && unlink(path) < 0 && errno != ENOENT)
			warning("cannot remove the port lease '%s': %s", path, strerror(errno));
		lease_text_free(&t);
	}
	free(path);
}

/* Claim one port: 0 claimed (or already ours), 1 held by another (who says whom), -1 error. */
static int file_claim(const struct registry *r, long port, const char *repo, const char *name,
		      struct strbuf *who)
{
	const char *dir = store_dir();
	struct strbuf text = STRBUF_INIT;
	char *path;
	int ret, tries;

	if (!dir)
		return 0;
	path = port_file(dir, port);
	strbuf_addstr(&text, "# git-sandbox: this port is leased (see git-sandbox(1), FILES)\n[lease]\n");
	strbuf_addf(&text, "port = %ld\n", port);
	ini_add(&text, "registry", reg_key(r));
	ini_add(&text, "repo", repo);
	ini_add(&text, "name", name);
	for (tries = 0; tries < 2; tries++) {
		switch (file_holder(r, port, who)) {
		case LEASE_MINE:
			ret = 0;
			goto out;
		case LEASE_OTHER:
			ret = 1;
			goto out;
		case LEASE_STALE:
			file_drop(r, port);
			break;
		case LEASE_FREE:
			break;
		}
		ret = write_file_new(path, text.buf, text.len, 0600);
		crash_point("lease-claimed");
		if (ret <= 0)
			goto out;
		/* someone was quicker: say who, once */
	}
	ret = file_holder(r, port, who) == LEASE_OTHER ? 1 : 0;
out:
	strbuf_release(&text);
	free(path);
	return ret;
}

/*
 * On an engine that is not this machine's, ports are leased in the port
 * space of the engine's host, and the store is the engine itself, seen by
 * every user and machine that uses it: one volume a port,
 * git-sandbox-port-<port>, labelled with its owner (this machine, user
 * and registry), the repository and the sandbox. Creating a volume whose
 * name exists keeps its first creator's labels, so "create, then
 * inspect: mine if the owner is me" is a compare-and-set on the engine.
 * Labels are anyone's to write on an engine, as its containers are: a
 * lease keeps the honest off a port, it does not fence off the engine's
 * other users (who can do anything there).
 */
#define LABEL_LEASE_PORT "git-sandbox.port-lease"
#define LABEL_LEASE_OWNER "git-sandbox.lease-owner"

/* the engine in use when it is not on this machine, else NULL */
static const struct engine *remote(void)
{
	const struct engine *e = engine_in_use();

	return e && !engine_is_local(e) ? e : NULL;
}

/*
 * This machine on an engine: its machine ID (else its host name) through
 * a keyed hash, as systemd asks of an application (machine-id(5)): the
 * ID itself is not for an engine's other users to read.
 */
static void machine_key(char hex[33])
{
	static const char what[] = "git-sandbox port lease owner";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char *id = read_file("/etc/machine-id", NULL), host[256] = "";
	const char *key;
	crypto_auth_hmacsha256_state st;

	if (id)
		id[strcspn(id, "\n")] = '\0';
	if (!id || !*id)
		(void)gethostname(host, sizeof(host) - 1);
	key = id && *id ? id : host;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)what, strlen(what));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 33, mac, 16);
	free(id);
}

/* who this registry is on an engine: machine, user and registry */
static const char *owner_key(const struct registry *r)
{
	static char *key, *for_key;
	char machine[33];

	if (for_key && !strcmp(for_key, reg_key(r)))
		return key;
	free(key);
	free(for_key);
	for_key = xstrdup(reg_key(r));
	machine_key(machine);
	key = xasprintf("%s:%ld:%s", machine, (long)geteuid(), for_key);
	return key;
}

static char *volume_name(long port)
{
	return xasprintf(PORT_FILE_PREFIX "%ld", port);
}

/* The lease volume of port on the engine in use: 0 (v NULL: none) or -1 (why). */
static int engine_lease(long port, struct volume **v, size_t *nv, struct strbuf *why)
{
	char *name = volume_name(port);
	int ret = docker_volume_inspect(&name, 1, v, nv, why);

	free(name);
	return ret ? -1 : 0;
}

static const char *volume_label(const struct volume *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->nlabels; i++)
		if (!strcmp(v->labels[i].key, key))
			return v->labels[i].value;
	return "";
}

static enum lease_holder engine_holder(const struct registry *r, long port, struct strbuf *who)
{
	struct strbuf why = STRBUF_INIT;
	struct volume *v = NULL;
	size_t nv = 0;
	enum lease_holder h = LEASE_FREE;

	if (engine_lease(port, &v, &nv, &why) < 0 || !nv) {
		strbuf_release(&why);
		volume_list_free(v, nv);
		return LEASE_FREE;
	}
	if (!strcmp(volume_label(v, LABEL_LEASE_OWNER), owner_key(r))) {
		h = entry_holds(r, port) ? LEASE_MINE : LEASE_STALE;
	} else {
		/* anyone on the engine writes labels: nothing of theirs reaches the terminal raw */
		char *owner = printable(volume_label(v, LABEL_LEASE_OWNER));
		char *name = printable(volume_label(v, "git-sandbox.lease-name"));
		char *repo = printable(volume_label(v, "git-sandbox.lease-repo"));

		strbuf_addf(who, "sandbox '%s' of %s (%s, on the engine %s)", name, repo, owner,
			    engine_in_use()->name);
		free(owner);
		free(name);
		free(repo);
		h = LEASE_OTHER;
	}
	volume_list_free(v, nv);
	strbuf_release(&why);
	return h;
}

static void engine_drop(const struct registry *r, long port)
{
	struct strbuf why = STRBUF_INIT;
	char *name = volume_name(port);
	enum lease_holder h = engine_holder(r, port, &why);

	strbuf_reset(&why);
	if ((h == LEASE_MINE || h == LEASE_STALE) && docker_remove("volume", &name, 1, &why))
		warning("cannot give back the lease of port %ld on the engine %s: %s", port,
			engine_in_use()->name, why.buf);
	free(name);
	strbuf_release(&why);
}

/*
 * Is e's sandbox in the port space of the leases at hand: on the engine
 * in use when that is remote, else on this machine (every local engine
 * shares it)? Its engine is the one it recorded, where its ports were
 * leased: GIT_SANDBOX_ENGINE names the engine of the sandbox a command
 * acts on, not that of every sandbox.
 */
static int entry_here(const struct reg_entry *e)
{
	struct engine eng;
	int ret;

	if (e->engine ? engine_from_record(e->engine, e->engine_certs, &eng) :
	    engine_resolve(NULL, &eng))
		return 0;
	ret = remote() ? !strcmp(eng.url, remote()->url) : engine_is_local(&eng);
	engine_release(&eng);
	return ret;
}

static int engine_claim(const struct registry *r, long port, const char *repo, const char *name,
			struct strbuf *who)
{
	char *vol = volume_name(port), *l_port = xasprintf(LABEL_LEASE_PORT "=%ld", port);
	char *l_owner = xasprintf(LABEL_LEASE_OWNER "=%s", owner_key(r));
	char *l_repo = xasprintf("git-sandbox.lease-repo=%s", repo);
	char *l_name = xasprintf("git-sandbox.lease-name=%s", name);
	const char *labels[] = { l_port, l_owner, l_repo, l_name, NULL };
	struct strbuf why = STRBUF_INIT;
	enum lease_holder h;
	int ret;

	if (docker_volume_create(vol, labels, &why)) {
		warning("cannot lease port %ld on the engine %s: %s", port, engine_in_use()->name,
			why.buf);
		ret = -1;
	} else {
		crash_point("lease-claimed");
		h = engine_holder(r, port, who);
		ret = h == LEASE_OTHER ? 1 : 0;
	}
	strbuf_release(&why);
	free(vol);
	free(l_port);
	free(l_owner);
	free(l_repo);
	free(l_name);
	return ret;
}

/* Is port published by a container of the engine in use (asked once a process)? */
static int engine_port_used(long port)
{
	static struct container_list l;
	static char *for_url;
	size_t i, j;

	if (!for_url || strcmp(for_url, engine_in_use()->url)) {
		container_list_free(&l);
		free(for_url);
		for_url = xstrdup(engine_in_use()->url);
		if (docker_ps_all(&l, NULL))
			return 0;
	}
	for (i = 0; i < l.n; i++)
		for (j = 0; j < l.v[i].nports; j++)
			if (l.v[i].ports[j] == port)
				return 1;
	return 0;
}

enum lease_holder lease_holder(const struct registry *r, long port, struct strbuf *who)
{
	return remote() ? engine_holder(r, port, who) : file_holder(r, port, who);
}

static void drop(const struct registry *r, long port)
{
	if (remote())
		engine_drop(r, port);
	else
		file_drop(r, port);
}

static int claim_one(const struct registry *r, long port, const char *repo, const char *name,
		     struct strbuf *who)
{
	return remote() ? engine_claim(r, port, repo, name, who) :
			  file_claim(r, port, repo, name, who);
}

/* Is this port of the engine in use taken by something other than a lease? */
static int port_busy(long port)
{
	return remote() ? engine_port_used(port) : !port_is_free(port);
}

static int claim(const struct registry *r, const struct port_set *ps, const char *repo,
		 const char *name, struct strbuf *why)
{
	struct strbuf who = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->g[i].n; j++) {
			int ret = claim_one(r, ps->g[i].port[j], repo, name, &who);

			/*
			 * a store we cannot write (full, a name taken by
			 * someone else's file) costs the machine-wide half
			 * only: claim_one said why
			 */
			if (ret < 0)
				warning("port %ld is not leased on the %s; other users and HOMEs "
					"are not kept off it", ps->g[i].port[j],
					remote() ? "engine" : "machine");
			if (ret <= 0)
				continue;
			strbuf_addf(why, "port %ld is leased to %s", ps->g[i].port[j], who.buf);
			strbuf_release(&who);
			/* give back what this claim took */
			while (j-- > 0)
				if (!entry_holds(r, ps->g[i].port[j]))
					drop(r, ps->g[i].port[j]);
			while (i-- > 0)
				lease_drop_unheld(r, &(struct port_set){ &ps->g[i], 1 });
			return -1;
		}
	strbuf_release(&who);
	return 0;
}

int lease_claim(const struct registry *r, const struct port_set *ps, const char *repo,
		const char *name, struct strbuf *why)
{
	return claim(r, ps, repo, name, why);
}

/* Drop the ports of ps no entry of r holds, on the engine recorded as name and certs. */
static void give_back(const struct registry *r, const char *name, const char *certs,
		      const struct port_set *ps)
{
	struct engine eng, saved = ENGINE_INIT;
	int switched = 0;

	if (!engine_of(name, certs, NULL, &eng, NULL)) {
		if (engine_in_use() && strcmp(engine_in_use()->url, eng.url)) {
			engine_copy(&saved, engine_in_use());
			engine_use(&eng);
			switched = 1;
		}
		engine_release(&eng);
	}
	lease_drop_unheld(r, ps);
	if (switched) {
		engine_use(&saved);
		engine_release(&saved);
	}
}

void lease_give_back(const struct registry *r, const struct reg_entry *e)
{
	struct port_set ps;

	ports_from_flat(&ps, e->ports, e->port_names, e->nports, NULL);
	give_back(r, e->engine, e->engine_certs, &ps);
	port_set_free(&ps);
}

int lease_end(struct registry *r, struct reg_entry *e, int released)
{
	char *name = e->engine ? xstrdup(e->engine) : NULL;
	char *certs = e->engine_certs ? xstrdup(e->engine_certs) : NULL;
	struct port_set ps;
	int ret = 0;

	ports_from_flat(&ps, e->ports, e->port_names, e->nports, NULL);
	if (released)
		registry_release_entry(r, e);
	else
		registry_remove(r, e);
	/* the entry first: a kill in between leaves leases no entry holds (reconciled) */
	if (registry_write(r) < 0)
		ret = -1;
	else
		give_back(r, name, certs, &ps);	/* where they were leased: on its engine */
	port_set_free(&ps);
	free(name);
	free(certs);
	return ret;
}

void lease_drop_unheld(const struct registry *r, const struct port_set *ps)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->g[i].n; j++)
			if (!entry_holds(r, ps->g[i].port[j]))
				drop(r, ps->g[i].port[j]);
}

/*
 * Why slot cannot be had for repo, in why; 0 if it is free. self, if
 * not NULL, is the entry being moved: its slot and ports count as free.
 */
static int slot_taken(const struct registry *r, const struct port_set *ps, const char *repo,
		      long slot, const struct reg_entry *self, struct strbuf *why)
{
	size_t i, j, k, n;
	long *ports;
	int taken = 0;

	n = port_set_flat(ps, &ports, NULL);
	for (i = 0; i < r->n && !taken; i++) {
		const struct reg_entry *e = &r->e[i];

		if (e == self)
			continue;
		if (!strcmp(e->repo, repo) && e->slot == slot) {
			strbuf_addf(why, "slot %ld is taken by sandbox '%s' (%s)", slot, e->name, e->path);
			taken = 1;
		}
		for (j = 0; j < n && !taken; j++)
			for (k = 0; k < e->nports && !taken; k++)
				if (ports[j] == e->ports[k]) {
					strbuf_addf(why, "slot %ld: port %ld is held by sandbox '%s' (%s)",
						    slot, ports[j], e->name, e->path);
					taken = 1;
				}
	}
	for (j = 0; j < n && !taken; j++) {
		struct strbuf who = STRBUF_INIT;
		int own = 0;

		for (k = 0; self && k < self->nports; k++)
			own |= self->ports[k] == ports[j];
		if (own)
			continue;
		if (lease_holder(r, ports[j], &who) == LEASE_OTHER) {
			strbuf_addf(why, "slot %ld: port %ld is leased to %s", slot, ports[j], who.buf);
			taken = 1;
		} else if (port_busy(ports[j])) {
			strbuf_addf(why, "slot %ld: port %ld is in use by another process", slot, ports[j]);
			taken = 1;
		}
		strbuf_release(&who);
	}
	free(ports);
	return taken;
}

/* Try slot s: 0 and ps filled and claimed, or 1 with why. */
static int try_slot(struct registry *r, const struct sb_config *cfg, const char *repo,
		    const char *name, long s, const struct reg_entry *self, struct port_set *ps,
		    struct strbuf *why)
{
	struct strbuf held = STRBUF_INIT;

	if (ports_of_config(ps, cfg, s, why) < 0)
		return 1;
	if (!slot_taken(r, ps, repo, s, self, why)) {
		if (!claim(r, ps, repo, name, &held)) {
			strbuf_release(&held);
			return 0;
		}
		strbuf_addf(why, "slot %ld: %s", s, held.buf);
		strbuf_release(&held);
	}
	port_set_free(ps);
	return 1;
}

static long choose(struct registry *r, const struct sb_config *cfg, const char *repo,
		   const char *name, long want, const struct reg_entry *self, struct port_set *ps)
{
	struct strbuf why = STRBUF_INIT;
	long s;

	lease_reconcile(r);
	if (want > 0) {
		if (want > cfg->slots) {
			error("slot %ld is out of range: slots go from 1 to %ld (sandbox.slots)", want, cfg->slots);
			return -1;
		}
		if (try_slot(r, cfg, repo, name, want, self, ps, &why)) {
			error("%s", why.buf);
			strbuf_release(&why);
			return -1;
		}
		strbuf_release(&why);
		return want;
	}
	for (s = 1; s <= cfg->slots; s++) {
		strbuf_reset(&why);
		if (!try_slot(r, cfg, repo, name, s, self, ps, &why)) {
			strbuf_release(&why);
			return s;
		}
		/* a stranger on a port is news; our own sandboxes are expected */
		if (strstr(why.buf, "another process") || strstr(why.buf, "leased to"))
			note("skipping %s", why.buf);
	}
	strbuf_release(&why);
	error("no free slot: all %ld slots are taken", cfg->slots);
	advise(ADVICE_NO_SLOT, NULL);
	return -1;
}

long lease_choose(struct registry *r, const struct sb_config *cfg, const char *repo,
		  const char *name, long want, struct port_set *ps)
{
	return choose(r, cfg, repo, name, want, NULL, ps);
}

int lease_name_refused(struct registry *r, const char *repo, const char *name,
		       struct strbuf *why)
{
	const struct reg_entry *old = registry_find(r, repo, name);

	if (old && access(old->path, F_OK) < 0 && errno == ENOENT) {
		strbuf_addf(why, "sandbox '%s' is registered at '%s', whose worktree is gone",
			    name, old->path);
		return LEASE_NAME_STALE;
	}
	if (old) {
		strbuf_addf(why, "sandbox '%s' already exists at '%s'", name, old->path);
		return LEASE_NAME_TAKEN;
	}
	return 0;
}

/* The refusals of lease_begin(), r locked: 0, or a LEASE_* error with why. */
static int begin_refused(struct registry *r, const struct reg_entry *e, unsigned flags,
			 struct strbuf *why)
{
	const struct reg_entry *old;
	int ret;

	if ((ret = lease_name_refused(r, e->repo, e->name, why)) < 0)
		return ret;
	if ((flags & LEASE_NEW_PATH) && (!access(e->path, F_OK) || errno != ENOENT)) {
		strbuf_addf(why, "'%s' already exists (not a sandbox of this repository)", e->path);
		return LEASE_PATH_TAKEN;
	}
	/* an entry whose worktree is gone still holds its path: two would share it */
	if ((old = registry_find_path(r, e->path))) {
		strbuf_addf(why, "'%s' is already registered as sandbox '%s'", e->path, old->name);
		return LEASE_PATH_REGISTERED;
	}
	if ((old = registry_find_project(r, e->project))) {
		strbuf_addf(why, "sandbox '%s' (%s) already uses the compose project '%s'",
			    old->name, old->path, e->project);
		return LEASE_PROJECT_TAKEN;
	}
	return 0;
}

long lease_begin(struct registry *r, struct reg_entry *e, const struct sb_config *cfg, long want,
		 unsigned flags, struct port_set *ps, struct strbuf *why)
{
	long slot;
	int ret;

	if (registry_lock(r) < 0)
		return LEASE_FAILED;
	if ((ret = begin_refused(r, e, flags, why)) < 0) {
		registry_release(r);
		return ret;
	}
	/* its ports claimed on the machine with the slot, before the entry holds them */
	slot = lease_choose(r, cfg, e->repo, e->name, want, ps);
	if (slot < 0) {
		registry_release(r);
		return LEASE_FAILED;
	}
	e->slot = slot;
	e->created = time(NULL);
	e->nports = port_set_flat(ps, &e->ports, &e->port_names);
	registry_add(r, e);
	ret = registry_write(r);
	free(e->ports);
	free(e->port_names);
	e->ports = NULL;
	e->port_names = NULL;
	e->nports = 0;
	if (ret < 0) {
		registry_remove(r, &r->e[r->n - 1]);
		lease_drop_unheld(r, ps);
		port_set_free(ps);
		registry_release(r);
		return LEASE_FAILED;
	}
	return slot;
}

long lease_rechoose(struct registry *r, const struct reg_entry *e, const struct sb_config *cfg,
		    struct port_set *ps)
{
	struct strbuf why = STRBUF_INIT;

	/* its own slot first, if the new ports there are free */
	if (e->slot <= cfg->slots && !try_slot(r, cfg, e->repo, e->name, e->slot, e, ps, &why)) {
		strbuf_release(&why);
		return e->slot;
	}
	if (why.len)
		note("not keeping its slot: %s", why.buf);
	strbuf_release(&why);
	return choose(r, cfg, e->repo, e->name, 0, e, ps);
}

/* Remove dir/name, a temporary file of ours whose writer (pid) is gone. */
static void remove_dead_temp(const char *dir, const char *name, const char *pid)
{
	char *path;
	struct stat st;
	long n;

	if (parse_int(pid, 1, 1L << 30, &n) < 0 || !(kill(n, 0) < 0 && errno == ESRCH))
		return;
	path = path_join(dir, name);
	if (!lstat(path, &st) && st.st_uid == geteuid() && S_ISREG(st.st_mode))
		unlink(path);
	free(path);
}

/*
 * The ports this registry leases on the remote engine in use, from one
 * request, in *ports (free it): 0, or -1 after a warning when the engine
 * does not answer.
 */
static int engine_own_leases(const struct registry *r, long **ports, size_t *n)
{
	char *label = xasprintf(LABEL_LEASE_OWNER "=%s", owner_key(r));
	struct strbuf why = STRBUF_INIT;
	char **names;
	size_t i, nnames;
	int ret = 0;

	*ports = NULL;
	*n = 0;
	if (docker_volumes_labelled(label, &names, &nnames, &why)) {
		warning("cannot bring the port leases on the engine %s in line: %s",
			remote()->name, why.buf);
		ret = -1;
	} else {
		*ports = xcalloc(nnames + 1, sizeof(**ports));
		for (i = 0; i < nnames; i++)
			if (starts_with(names[i], PORT_FILE_PREFIX) &&
			    !parse_int(names[i] + strlen(PORT_FILE_PREFIX), 1, 65535, &(*ports)[*n]))
				(*n)++;
		free_strings(names, nnames);
	}
	strbuf_release(&why);
	free(label);
	return ret;
}

static int has_port(const long *v, size_t n, long port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == port)
			return 1;
	return 0;
}

size_t lease_reconcile(struct registry *r)
{
	const char *dir = remote() ? NULL : store_dir();
	struct strbuf who = STRBUF_INIT;
	struct dirent *de;
	size_t i, j, conflicts = 0, nheld = 0;
	long *held = NULL;
	DIR *d;

	if (!dir && !remote())
		return 0;
	/* on a remote engine, this registry's leases that no entry holds: claims cut short */
	if (remote()) {
		if (engine_own_leases(r, &held, &nheld) < 0)
			return 0;
		for (i = 0; i < nheld; i++)
			if (!entry_holds(r, held[i]))
				engine_drop(r, held[i]);
	}
	/* this registry's files that no entry holds: claims cut short */
	if (dir && (d = opendir(dir))) {
		while ((de = readdir(d))) {
			const char *p = de->d_name + strlen(PORT_FILE_PREFIX), *tmp;
			long port;

			if (!starts_with(de->d_name, PORT_FILE_PREFIX))
				continue;
			/*
			 * what a claim of ours killed half-way left aside
			 * (lock.h): one lstat each, whatever others put here
			 */
			if ((tmp = strstr(p, ".tmp."))) {
				remove_dead_temp(dir, de->d_name, tmp + 5);
				continue;
			}
			if (parse_int(p, 1, 65535, &port) < 0)
				continue;
			if (lease_holder(r, port, &who) == LEASE_STALE)
				drop(r, port);
			strbuf_reset(&who);
		}
		closedir(d);
	}
	/* the entries' own, put back (after a reboot emptied the store) */
	for (i = 0; i < r->n; i++) {
		const struct reg_entry *e = &r->e[i];

		if (!entry_here(e))
			continue;
		for (j = 0; j < e->nports; j++) {
			int ret;

			/* leased to this registry on the engine already */
			if (has_port(held, nheld, e->ports[j]))
				continue;
			ret = claim_one(r, e->ports[j], e->repo, e->name, &who);

			if (ret > 0) {
				warning("port %ld of sandbox '%s' (%s) is also leased to %s",
					e->ports[j], e->name, e->path, who.buf);
				advise(ADVICE_REPAIR_OTHER, e->name);
				conflicts++;
			}
			strbuf_reset(&who);
		}
	}
	strbuf_release(&who);
	free(held);
	return conflicts;
}

size_t lease_prune_gone(void)
{
	const char *dir = store_dir();
	struct dirent *de;
	size_t removed = 0;
	DIR *d;

	if (!dir || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		struct lease_text t;
		struct stat st;
		char *path, *lock;

		if (!starts_with(de->d_name, PORT_FILE_PREFIX))
			continue;
		path = path_join(dir, de->d_name);
		if (lstat(path, &st) < 0 || st.st_uid != geteuid() || !S_ISREG(st.st_mode) ||
		    read_lease(path, &t) < 0) {
			free(path);
			continue;
		}
		/* a registry is gone when neither it nor its lock file is there */
		lock = xasprintf("%s.lock", t.registry);
		if (access(t.registry, F_OK) < 0 && errno == ENOENT &&
		    access(lock, F_OK) < 0 && errno == ENOENT) {
			if (!unlink(path))
				removed++;
		}
		free(lock);
		lease_text_free(&t);
		free(path);
	}
	closedir(d);
	return removed;
}

size_t lease_prune_gone_engine(void)
{
	struct strbuf why = STRBUF_INIT;
	struct volume *v = NULL;
	size_t i, nv = 0, removed = 0;
	char machine[33], *mine;

	if (!remote())
		return 0;
	machine_key(machine);
	mine = xasprintf("%s:%ld:", machine, (long)geteuid());
	if (docker_volumes_with(LABEL_LEASE_OWNER, &v, &nv, &why)) {
		warning("cannot look for leases of registries that are gone on the engine %s: %s",
			remote()->name, why.buf);
		nv = 0;
	}
	for (i = 0; i < nv; i++) {
		const char *owner = volume_label(&v[i], LABEL_LEASE_OWNER), *reg;
		char *lock;

		/* this machine's and this user's, made by a registry that is gone */
		if (!starts_with(owner, mine) || !starts_with(v[i].name, PORT_FILE_PREFIX))
			continue;
		reg = owner + strlen(mine);
		if (*reg != '/')
			continue;
		lock = xasprintf("%s.lock", reg);
		if (access(reg, F_OK) < 0 && errno == ENOENT && access(lock, F_OK) < 0 &&
		    errno == ENOENT) {
			strbuf_reset(&why);
			if (!docker_remove("volume", &v[i].name, 1, &why))
				removed++;
			else
				warning("cannot remove the port lease '%s' on the engine %s: %s",
					v[i].name, remote()->name, why.buf);
		}
		free(lock);
	}
	volume_list_free(v, nv);
	strbuf_release(&why);
	free(mine);
	return removed;
}

int lease_assert(const struct port_set *ps, const char *repo, const char *name)
{
	struct registry reg;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	/* the machine's store, unless the leases are on a remote engine */
	if (!remote() && !store_dir())
		return 0;
	if (registry_lock(&reg) < 0)
		return -1;
	if (lease_claim(&reg, ps, repo, name, &why) < 0) {
		ret = error("%s", why.buf);
		advise(ADVICE_REPAIR, NULL);
	}
	registry_release(&reg);
	strbuf_release(&why);
	return ret;
}
