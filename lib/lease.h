/*
 * lease.h: how a sandbox leases its slot and ports, in one place.
 *
 * A lease has two halves. The user's registry (registry.h) holds the
 * sandbox's entry: its slot and ports. The machine's lease store holds
 * one file per leased port, so that no other user, and no other HOME of
 * the same user, is given that port, whether its stack runs or not:
 *
 *   <store>/git-sandbox-port-<port>
 *
 * The store is a directory every user may write but none may take over:
 * owned by root (or by you), and sticky, so only a file's owner can
 * remove or replace it (by default /run/lock, like a lock file; the
 * environment variable GIT_SANDBOX_LEASES names another). A port file is
 * created whole (written aside, then link(2)ed, which never replaces
 * anything), so of two claims of one port exactly one wins, and a file
 * is never seen half-written. Its owner (the kernel's, not its text) says
 * whose it is: nobody can forge, rewrite or remove another user's lease,
 * only occupy ports, which anyone can already do by listening on them.
 * Its text names the registry that holds it, so two HOMEs of one user are
 * told apart.
 *
 * Every change is made under the registry lock, ports claimed before the
 * entry is written and dropped after it is removed: a command killed in
 * between leaves a port file of this registry with no entry, which the
 * next lease of this registry (or prune) removes. A store that cannot be
 * used (missing, not safe, full) costs the machine-wide half only: the
 * registry still works, with a warning.
 */
#ifndef SB_LEASE_H
#define SB_LEASE_H

#include <stddef.h>

#include "config.h"
#include "ports.h"
#include "registry.h"
#include "strbuf.h"

/* Who holds a port in the store. */
enum lease_holder {
	LEASE_FREE,		/* nobody: no port file (or the store cannot be used) */
	LEASE_MINE,		/* this registry */
	LEASE_STALE,		/* this registry, but no entry holds it: a claim cut short */
	LEASE_OTHER,		/* another user, or another registry of yours */
};

/*
 * Is the store usable? 1, or 0 after a warning (printed once a process)
 * saying why and what it costs.
 */
int lease_store_usable(void);

/* Who holds port; for LEASE_OTHER who says whom (appended). */
enum lease_holder lease_holder(const struct registry *r, long port, struct strbuf *who);

/*
 * Choose a slot for a new sandbox of repo, with r locked, and claim its
 * ports in the store. want > 0 asks for exactly that slot. A slot is free
 * when no sandbox of repo has it, no entry of r holds one of its ports,
 * nobody else holds one in the store, and every port binds right now.
 * Returns the slot with its ports in ps (claimed: add the entry, or give
 * them back with lease_drop), or -1 after printing why (naming the holder
 * of each port in the way; with ADVICE_NO_SLOT when every slot is taken).
 */
long lease_choose(struct registry *r, const struct sb_config *cfg, const char *repo,
		  const char *name, long want, struct port_set *ps);

/* Why lease_begin() refused; why says the rest. */
#define LEASE_FAILED (-1)	/* said already (the lock, the slot, the write): why is empty */
#define LEASE_NAME_TAKEN (-2)	/* the repository has a sandbox of that name */
#define LEASE_PATH_TAKEN (-3)	/* something is at the path (LEASE_NEW_PATH) */
#define LEASE_PROJECT_TAKEN (-4) /* another sandbox uses the compose project */
#define LEASE_PATH_REGISTERED (-5) /* an entry (of any repository) has the path */
#define LEASE_NAME_STALE (-6)	/* the repository's sandbox of that name has lost its worktree */

/*
 * Does repo have a sandbox called name in r? 0, or LEASE_NAME_TAKEN or
 * LEASE_NAME_STALE (its worktree gone) with why saying which and where.
 */
int lease_name_refused(struct registry *r, const char *repo, const char *name,
		       struct strbuf *why);

/* lease_begin()'s flag: e->path is a worktree still to be made, so nothing may be there yet */
#define LEASE_NEW_PATH 1

/*
 * Lease a slot to a new sandbox, e (its repo, name, path, project and
 * what the caller records; not its slot, ports or time of creation), in
 * one read-modify-write of the registry: lock r; refuse a name e->repo
 * has already, a path taken (flags), a path an entry has, a compose
 * project another sandbox uses, in that order; choose the slot (want > 0: exactly that one) and
 * claim its ports (lease_choose) into ps; add e with them and write r.
 * Returns the slot, with e->slot and e->created set and r still locked,
 * so that what a prune must not miss (a state file) can be written first:
 * registry_release() it. Else a LEASE_* error above, with r released and
 * nothing claimed or written.
 */
long lease_begin(struct registry *r, struct reg_entry *e, const struct sb_config *cfg, long want,
		 unsigned flags, struct port_set *ps, struct strbuf *why);

/*
 * Choose new ports for e (with r locked) from cfg: its own slot if cfg's
 * ports there are free (its own count as free), else the lowest free slot.
 * Claims them; the caller updates e and drops the old ones it no longer
 * holds (lease_drop_unheld). Returns the slot, or -1 after printing why.
 */
long lease_rechoose(struct registry *r, const struct reg_entry *e, const struct sb_config *cfg,
		    struct port_set *ps);

/*
 * Claim every port of ps in the store for sandbox name of repo in r: 0,
 * or -1 (nothing left claimed) with why naming the port and its holder.
 */
int lease_claim(const struct registry *r, const struct port_set *ps, const char *repo,
		const char *name, struct strbuf *why);

/*
 * End e's lease (r locked): remove the entry (released: a sandbox gone,
 * its stack id remembered; else a create or init undone), write r, then
 * give its ports back to the machine. 0, or -1 after an error (the
 * registry file and the store unchanged).
 */
int lease_end(struct registry *r, struct reg_entry *e, int released);

/*
 * Give back the ports of e, an entry r no longer has, that no entry of r
 * holds: on the engine e's sandbox was on (remote engines keep their
 * leases there), else on the machine.
 */
void lease_give_back(const struct registry *r, const struct reg_entry *e);

/* Give back the port files of ps that no entry of r holds (after it changed or removed one). */
void lease_drop_unheld(const struct registry *r, const struct port_set *ps);

/*
 * Before a stack starts: are the ports of sandbox name of repo (leased
 * with its slot) still its own in the store? Claims those the store lost
 * (a reboot emptied it). Takes the registry lock. 0, or -1 after an error
 * naming a port someone else holds (and ADVICE_REPAIR).
 */
int lease_assert(const struct port_set *ps, const char *repo, const char *name);

/*
 * Bring the store in line with r (locked): remove this registry's port
 * files that no entry holds, claim missing ones of its entries (after a
 * reboot emptied the store), and warn about every port of an entry that
 * someone else holds (with ADVICE_REPAIR_OTHER for its sandbox). Returns
 * how many such conflicts. With a remote
 * engine in use, the same for the leases on it, of the entries recorded
 * on it (an engine that does not answer costs a warning).
 */
size_t lease_reconcile(struct registry *r);

/*
 * Remove the port files of registries of yours that are gone (another
 * HOME deleted): prune calls it. Returns how many files were removed.
 */
size_t lease_prune_gone(void);
/* The same on the remote engine in use (none when it is local): its lease volumes. */
size_t lease_prune_gone_engine(void);

#endif
