/* Unit tests for lib/lease.c: which slot a new sandbox gets, and the machine's port leases. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "registry.h"
#include "lease.h"
#include "strbuf.h"
#include "util.h"
#include "unit.h"

/*
 * Two groups in a range no other test uses: api BASE+slot, workers
 * BASE+100+10*slot (two ports). Slot 0 is never probed.
 */
#define BASE 46300

static struct port_group groups[2];
static struct sb_config cfg;
static char store[64];

static void empty_store(void)
{
	DIR *d = opendir(store);
	struct dirent *de;
	char path[512];

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", store, de->d_name);
			ck_assert_int_eq(unlink(path), 0);
		}
	closedir(d);
}

static void teardown(void)
{
	empty_store();
	rmdir(store);
}

static void setup(void)
{
	snprintf(store, sizeof(store), "/tmp/test-lease-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(store));
	ck_assert_int_eq(chmod(store, 01777), 0);
	setenv("GIT_SANDBOX_LEASES", store, 1);
	memset(groups, 0, sizeof(groups));
	groups[0] = (struct port_group){ "api", "API_PORT", BASE, 1, BASE, 1, NULL, 0, ORIGIN_PROJECT, NULL, 0 };
	groups[1] = (struct port_group){ "workers", "WORKER_PORT", BASE + 100, 10, BASE + 103, 2, NULL, 0, ORIGIN_PROJECT, NULL, 0 };
	memset(&cfg, 0, sizeof(cfg));
	cfg.slots = 5;
	cfg.ports = groups;
	cfg.nports = 2;
}

static void empty(struct registry *r)
{
	memset(r, 0, sizeof(*r));
	r->lockfd = -1;
	r->path = xstrdup("/home/a/.local/state/git-sandbox/registry");
}

/* Choose as create does, then give the claimed ports back (nothing was added). */
static long slot_choose(struct registry *r, const struct sb_config *c, const char *repo, long want)
{
	struct port_set ps;
	long s = lease_choose(r, c, repo, "x", want, &ps);

	if (s > 0) {
		lease_drop_unheld(r, &ps);
		port_set_free(&ps);
	}
	return s;
}

static int port_file_exists(long port)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/git-sandbox-port-%ld", store, port);
	return !access(path, F_OK);
}

/* An entry of repo in slot holding the given ports. */
static void lease(struct registry *r, const char *repo, const char *name, long slot,
		  const long *ports, size_t n)
{
	struct reg_entry e = { 0 };
	char *names[8];
	size_t i;

	for (i = 0; i < n; i++)
		names[i] = (char *)"x";
	e.slot = slot;
	e.repo = (char *)repo;
	e.name = (char *)name;
	e.path = (char *)"/somewhere";
	e.gitdir = (char *)"/somewhere/.git";
	e.project = (char *)"p";
	e.ports = (long *)ports;
	e.port_names = names;
	e.nports = n;
	registry_add(r, &e);
}

/* A listening socket on port (0: any); returns the fd, *port set. */
static int listener(long *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)*port);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

START_TEST(test_slot_ports)
{
	char **names;
	struct port_set ps;
	struct strbuf why = STRBUF_INIT;
	size_t n;
	long *p;

	ck_assert_int_eq(ports_of_config(&ps, &cfg, 2, &why), 0);
	n = port_set_flat(&ps, &p, &names);

	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(p[0], BASE + 2);
	ck_assert_int_eq(p[1], BASE + 120);
	ck_assert_int_eq(p[2], BASE + 121);
	ck_assert_str_eq(names[0], "api");
	ck_assert_str_eq(names[2], "workers");
	free(p);
	free(names);
	port_set_free(&ps);
	ck_assert_int_eq(ports_of_config(&ps, &cfg, 0, &why), 0);
	n = port_set_flat(&ps, &p, NULL);
	ck_assert_int_eq(p[0], BASE);
	ck_assert_int_eq(p[1], BASE + 103);
	free(p);
	port_set_free(&ps);
	/* beyond sandbox.slots a port may not exist */
	groups[0].base = 65530;
	ck_assert_int_eq(ports_of_config(&ps, &cfg, 9, &why), -1);
	ck_assert_ptr_nonnull(strstr(why.buf, "beyond sandbox.slots"));
	strbuf_release(&why);
}
END_TEST

START_TEST(test_lowest_free)
{
	struct registry r;

	empty(&r);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 1);
	registry_release(&r);
}
END_TEST

START_TEST(test_skips_own_slots)
{
	struct registry r;
	long none[1];

	empty(&r);
	lease(&r, "/a/.git", "one", 1, none, 0);
	lease(&r, "/a/.git", "three", 3, none, 0);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 2);
	lease(&r, "/a/.git", "two", 2, none, 0);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 4);
	/* another repository's slot numbers are no obstacle... */
	ck_assert_int_eq(slot_choose(&r, &cfg, "/b/.git", 0), 1);
	registry_release(&r);
}
END_TEST

START_TEST(test_skips_ports_of_other_repos)
{
	struct registry r;
	long held1[] = { BASE + 1 };		/* api of slot 1 */
	long held2[] = { 9, BASE + 121 };	/* a worker port of slot 2 */

	empty(&r);
	/* ...but their ports are */
	lease(&r, "/b/.git", "b1", 7, held1, 1);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 2);
	lease(&r, "/c/.git", "c1", 1, held2, 2);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 3);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 2), -1);
	registry_release(&r);
}
END_TEST

START_TEST(test_want)
{
	struct registry r;
	long none[1];

	empty(&r);
	lease(&r, "/a/.git", "four", 4, none, 0);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 3), 3);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 4), -1);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 5), 5);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 6), -1);	/* above sandbox.slots */
	registry_release(&r);
}
END_TEST

START_TEST(test_all_taken)
{
	struct registry r;
	long none[1];
	long s;

	empty(&r);
	for (s = 1; s <= cfg.slots; s++)
		lease(&r, "/a/.git", "x", s, none, 0);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), -1);
	registry_release(&r);
}
END_TEST

START_TEST(test_port_is_free)
{
	long port = 0;
	int fd = listener(&port);

	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(port_is_free(port), 0);
	close(fd);
	ck_assert_int_eq(port_is_free(port), 1);
}
END_TEST

START_TEST(test_listener_skips_slot)
{
	struct registry r;
	long port = BASE + 111;	/* a worker port of slot 1 */
	int fd;

	ck_assert_int_eq(port_is_free(port), 1);
	fd = listener(&port);
	empty(&r);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 2);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 1), -1);
	close(fd);
	ck_assert_int_eq(slot_choose(&r, &cfg, "/a/.git", 0), 1);
	registry_release(&r);
}
END_TEST

/* Two registries (two HOMEs) share the store: the second never gets the first's ports. */
START_TEST(test_store_two_homes)
{
	struct registry a, b;
	struct port_set ps;
	long none[1];

	empty(&a);
	empty(&b);
	free(b.path);
	b.path = xstrdup("/home/b/.local/state/git-sandbox/registry");
	ck_assert_int_eq(lease_choose(&a, &cfg, "/a/.git", "one", 0, &ps), 1);
	ck_assert(port_file_exists(BASE + 1));
	ck_assert(port_file_exists(BASE + 111));
	/* a's entry is written: its ports stay leased */
	lease(&a, "/a/.git", "one", 1, (long[]){ BASE + 1, BASE + 110, BASE + 111 }, 3);
	port_set_free(&ps);
	/* b knows nothing of a's registry, yet skips slot 1 */
	ck_assert_int_eq(slot_choose(&b, &cfg, "/a/.git", 0), 2);
	ck_assert_int_eq(slot_choose(&b, &cfg, "/a/.git", 1), -1);
	/* b's reconcile never touches a's files */
	ck_assert_uint_eq(lease_reconcile(&b), 0);
	ck_assert(port_file_exists(BASE + 1));
	/* a claim cut short (no entry written) is stale: the next lease takes it back */
	lease(&b, "/c/.git", "c", 9, none, 0);
	ck_assert_int_eq(lease_choose(&b, &cfg, "/b/.git", "two", 0, &ps), 2);
	port_set_free(&ps);
	ck_assert(port_file_exists(BASE + 2));
	ck_assert_uint_eq(lease_reconcile(&b), 0);
	ck_assert(!port_file_exists(BASE + 2));
	/* an entry whose files are gone (a reboot emptied the store) gets them back */
	empty_store();
	ck_assert_uint_eq(lease_reconcile(&a), 0);
	ck_assert(port_file_exists(BASE + 110));
	/* a port of a's that b holds is a conflict, said, never taken */
	registry_release(&a);
	empty(&a);
	lease(&a, "/a/.git", "one", 1, (long[]){ BASE + 1 }, 1);
	registry_release(&b);
	empty(&b);
	free(b.path);
	b.path = xstrdup("/home/b/.local/state/git-sandbox/registry");
	lease(&b, "/a/.git", "dup", 1, (long[]){ BASE + 1 }, 1);
	ck_assert_uint_eq(lease_reconcile(&b), 1);
	registry_release(&a);
	registry_release(&b);
}
END_TEST

/* Two spellings of one registry (a link to its directory) are one registry. */
START_TEST(test_store_one_registry_two_spellings)
{
	struct registry a, b;
	struct port_set ps;
	char home[128], link[140];

	snprintf(home, sizeof(home), "%s-home", store);
	snprintf(link, sizeof(link), "%s-link", store);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	ck_assert_int_eq(symlink(home, link), 0);
	empty(&a);
	empty(&b);
	free(a.path);
	free(b.path);
	a.path = path_join(home, "registry");
	b.path = path_join(link, "registry");
	ck_assert_int_eq(lease_choose(&a, &cfg, "/a/.git", "one", 0, &ps), 1);
	lease(&a, "/a/.git", "one", 1, (long[]){ BASE + 1, BASE + 110, BASE + 111 }, 3);
	lease(&b, "/a/.git", "one", 1, (long[]){ BASE + 1, BASE + 110, BASE + 111 }, 3);
	/* b is a, spelt otherwise: its own leases, no conflict */
	ck_assert_uint_eq(lease_reconcile(&b), 0);
	ck_assert(port_file_exists(BASE + 1));
	port_set_free(&ps);
	registry_release(&a);
	registry_release(&b);
	unlink(link);
	rmdir(home);
}
END_TEST

/* A claim the store cannot take (a name in the way) costs the machine-wide half only. */
START_TEST(test_store_unwritable_claim)
{
	struct registry r;
	struct port_set ps;
	char tmp[256];

	snprintf(tmp, sizeof(tmp), "%s/git-sandbox-port-%d.tmp.%ld", store, BASE + 1, (long)getpid());
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	empty(&r);
	ck_assert_int_eq(lease_choose(&r, &cfg, "/a/.git", "one", 0, &ps), 1);
	ck_assert(!port_file_exists(BASE + 1));
	ck_assert(port_file_exists(BASE + 110));
	lease_drop_unheld(&r, &ps);
	port_set_free(&ps);
	registry_release(&r);
	rmdir(tmp);
}
END_TEST

/* What a claim killed half-way left aside goes with the next reconcile; others' stay. */
START_TEST(test_store_dead_temps)
{
	struct registry r;
	char dead[256], live[256];
	FILE *f;

	snprintf(dead, sizeof(dead), "%s/git-sandbox-port-%d.tmp.%d", store, BASE + 1, 4194303);
	snprintf(live, sizeof(live), "%s/git-sandbox-port-%d.tmp.%ld", store, BASE + 2, (long)getpid());
	ck_assert_ptr_nonnull(f = fopen(dead, "w"));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(live, "w"));
	fclose(f);
	empty(&r);
	lease_reconcile(&r);
	ck_assert_int_ne(access(dead, F_OK), 0);
	ck_assert_int_eq(access(live, F_OK), 0);
	unlink(live);
	registry_release(&r);
}
END_TEST

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* begin() as the commands call it: the slot, or the refusal (why kept in *why) */
static long begin(const char *name, const char *path, const char *project, long want,
		  unsigned flags, struct strbuf *why)
{
	struct registry r;
	struct reg_entry e = { 0 };
	struct port_set ps = { 0 };
	long slot;

	e.repo = (char *)"/a/.git";
	e.name = (char *)name;
	e.path = (char *)path;
	e.gitdir = (char *)"";
	e.project = (char *)project;
	strbuf_reset(why);
	slot = lease_begin(&r, &e, &cfg, want, flags, &ps, why);
	if (slot > 0) {
		/* held until the caller lets go; the entry has what was leased */
		ck_assert_int_ge(r.lockfd, 0);
		ck_assert_int_eq(e.slot, slot);
		ck_assert_int_gt(e.created, 0);
		ck_assert_ptr_nonnull(registry_find(&r, "/a/.git", name));
		ck_assert_uint_eq(registry_find(&r, "/a/.git", name)->nports, 3);
		registry_release(&r);
	} else {
		ck_assert_uint_eq(ps.n, 0);
	}
	port_set_free(&ps);
	return slot;
}

static size_t entries(void)
{
	struct registry r;
	size_t n;

	ck_assert_int_eq(registry_read(&r), 0);
	n = r.n;
	registry_release(&r);
	return n;
}

/* A new sandbox's lease, in one read-modify-write: its refusals in order, nothing written by one. */
START_TEST(test_begin)
{
	char home[] = "/tmp/test-lease-home-XXXXXX", *one, *two, *msg;
	struct strbuf why = STRBUF_INIT;

	ck_assert_ptr_nonnull(mkdtemp(home));
	setenv("XDG_STATE_HOME", home, 1);
	one = path_join(home, "one");
	two = path_join(home, "two");
	ck_assert_int_eq(begin("one", one, "p-one", 0, LEASE_NEW_PATH, &why), 1);
	ck_assert(port_file_exists(BASE + 1));
	ck_assert(port_file_exists(BASE + 111));
	ck_assert_uint_eq(entries(), 1);

	/* one's worktree was never made: its name is held all the same, by an entry gone stale */
	ck_assert_int_eq(begin("one", two, "p-two", 0, LEASE_NEW_PATH, &why), LEASE_NAME_STALE);
	msg = xasprintf("sandbox 'one' is registered at '%s', whose worktree is gone", one);
	ck_assert_str_eq(why.buf, msg);
	free(msg);
	ck_assert_int_eq(mkdir(one, 0700), 0);
	ck_assert_int_eq(begin("one", two, "p-two", 0, LEASE_NEW_PATH, &why), LEASE_NAME_TAKEN);
	msg = xasprintf("sandbox 'one' already exists at '%s'", one);
	ck_assert_str_eq(why.buf, msg);
	free(msg);
	/* the name first, whatever else is taken too */
	ck_assert_int_eq(begin("one", one, "p-one", 0, 0, &why), LEASE_NAME_TAKEN);
	ck_assert_int_eq(rmdir(one), 0);
	/* a worktree to be made: nothing may be there; and no entry may have it */
	ck_assert_int_eq(begin("two", home, "p-two", 0, LEASE_NEW_PATH, &why), LEASE_PATH_TAKEN);
	ck_assert(strstr(why.buf, "already exists (not a sandbox of this repository)"));
	ck_assert_int_eq(begin("two", one, "p-two", 0, 0, &why), LEASE_PATH_REGISTERED);
	ck_assert(strstr(why.buf, "is already registered as sandbox 'one'"));
	/* one's worktree is not there (never made here): its entry still holds the path */
	ck_assert_int_eq(begin("two", one, "p-two", 0, LEASE_NEW_PATH, &why), LEASE_PATH_REGISTERED);
	ck_assert(strstr(why.buf, "is already registered as sandbox 'one'"));
	ck_assert_int_eq(begin("two", two, "p-one", 0, 0, &why), LEASE_PROJECT_TAKEN);
	ck_assert(strstr(why.buf, "sandbox 'one' (") == why.buf);
	ck_assert(strstr(why.buf, "already uses the compose project 'p-one'"));
	/* a slot that cannot be had is said on stderr */
	ck_assert_int_eq(begin("two", two, "p-two", 1, LEASE_NEW_PATH, &why), LEASE_FAILED);
	ck_assert_uint_eq(why.len, 0);
	ck_assert_uint_eq(entries(), 1);
	ck_assert(!port_file_exists(BASE + 2));

	ck_assert_int_eq(begin("two", two, "p-two", 0, LEASE_NEW_PATH, &why), 2);
	ck_assert(port_file_exists(BASE + 2));
	ck_assert_uint_eq(entries(), 2);
	strbuf_release(&why);
	free(one);
	free(two);
	nftw(home, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_slot_ports);
	tcase_add_test(tc, test_lowest_free);
	tcase_add_test(tc, test_skips_own_slots);
	tcase_add_test(tc, test_skips_ports_of_other_repos);
	tcase_add_test(tc, test_want);
	tcase_add_test(tc, test_all_taken);
	tcase_add_test(tc, test_port_is_free);
	tcase_add_test(tc, test_listener_skips_slot);
	tcase_add_test(tc, test_store_two_homes);
	tcase_add_test(tc, test_store_one_registry_two_spellings);
	tcase_add_test(tc, test_store_unwritable_claim);
	tcase_add_test(tc, test_store_dead_temps);
	tcase_add_test(tc, test_begin);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
