/*
 * stackid.h: a stack's identity on its engine.
 *
 * A Docker engine is shared (by a user's repositories, by the users of a
 * machine, by the machines that point at it), and a compose project name
 * is unique only inside one user's registry. So every sandbox has a random
 * 128-bit id, kept in the record "sandbox-stack" beside its state (and in
 * its registry entry), and every container of its stack carries it as the
 * label git-sandbox.id, given through an override file that git-sandbox
 * generates from the compose file's service names. Compose cannot label
 * volumes and networks without rewriting their definitions, so the record
 * also lists the volumes (name and creation time) and networks (id) that
 * the stack's ups made. Nothing is taken over or removed by compose
 * project name alone: before compose acts, every container of the project
 * must carry this id and every volume of the project must be recorded.
 */
#ifndef SB_STACKID_H
#define SB_STACKID_H

#include <stddef.h>

#include "docker.h"
#include "strbuf.h"

#define STACK_ID_LEN 32		/* hex digits */

struct stack_ident {
	char *file;		/* the record */
	char *label_file;	/* the generated compose override */
	char *id;		/* STACK_ID_LEN hex digits, or NULL: no up yet */
	char *path;		/* the worktree the record was written for, or NULL */
	struct volume *vols;	/* volumes the stack made (project unused) */
	size_t nvols, vols_alloc;
	char **nets;		/* networks its ups used, by id */
	size_t nnets, nets_alloc;
	char **seen;		/* the project's volumes before compose ran (stack_claim) */
	size_t nseen, nseen_alloc;
	int dirty;		/* changed since read or written */
};

/* 1 if s is STACK_ID_LEN lower-case hex digits. */
int valid_stack_id(const char *s);

/*
 * Read the record in dir (a sandbox's private git dir). A missing record
 * is an empty one. 0, or -1 after an error naming the file.
 */
int stack_ident_read(const char *dir, struct stack_ident *si);
/* Forget the id and the record (the file stays until written). */
void stack_ident_reset(struct stack_ident *si);
/* Give si an id if it has none (random). Returns the id, or NULL with errno set. */
const char *stack_ident_make_id(struct stack_ident *si);
/*
 * Has compose ever been run for this stack (the label file exists, or the
 * record lists what an up made)? An older git-sandbox's stack may have
 * run without either: with no id, the answer is yes.
 */
int stack_ident_started(const struct stack_ident *si);
/* Write the record atomically: 0 or -1 after an error. */
int stack_ident_write(const struct stack_ident *si);
void stack_ident_free(struct stack_ident *si);

/*
 * Write the override that labels every service of the compose files (their
 * names, read by composefile.h) with si's id (only when its content
 * changes). 0, or -1 with the reason in err.
 */
struct compose_names;
int stack_label_file(const struct stack_ident *si, const struct compose_names *names,
		     struct strbuf *err);

/*
 * Is c a container of this stack: project's, carrying si's id, or carrying
 * none with worktree as its working directory (an older git-sandbox made
 * it, or compose was run by hand there)?
 */
int stack_owns(const struct stack_ident *si, const char *project, const char *worktree,
	       const struct container *c);

/*
 * May compose act on project for the sandbox at worktree? Every container
 * of project in l must be the stack's (stack_owns). With volumes, every
 * volume labelled with project must be the stack's: recorded with the
 * same creation time, or mounted by one of its containers (then it is
 * recorded); recorded volumes that are gone are forgotten. Remembers the
 * volumes seen for stack_record. 0, or -1 after an error naming the
 * working directory or volume that belongs to another stack.
 */
int stack_claim(struct stack_ident *si, const char *project, const char *worktree,
		const struct container_list *l, int volumes);

/*
 * After compose up, with l the containers as they are now: record the
 * volumes the stack's containers mount and the project's networks they
 * use; when compose failed, also the project's volumes that appeared
 * since stack_claim (made before a container failed). Writes the record
 * if it changed. 0, or -1 after an error.
 */
int stack_record(struct stack_ident *si, const char *project, const char *worktree,
		 const struct container_list *l, int compose_failed);

/*
 * Lease the compose project's name on the engine for this stack: a volume
 * "git-sandbox-lease-<project>" labelled with the id and worktree. docker
 * keeps the first creator's labels, so of two sandboxes leasing at once
 * exactly one gets it. 0 if the lease is (now) this stack's, or -1 after
 * an error naming the working directory of the sandbox that holds it.
 */
int stack_lease(const struct stack_ident *si, const char *project, const char *worktree);

/* flags of stack_remove */
#define STACK_DRY 1		/* only say what would go */
#define STACK_VERBOSE 2		/* say what goes */
#define STACK_RELEASE 4		/* the sandbox goes: its lease of the project name too */

/*
 * Remove the stack: the containers of l that it owns, the recorded
 * networks and those its containers use, and with volumes the volumes
 * that are the stack's (recorded with the same creation time, or mounted
 * by its containers). Anything else of project is kept, a volume
 * reported. The record is updated. 0, or -1 after an error naming what
 * could not be removed.
 */
int stack_remove(struct stack_ident *si, const char *project, const char *worktree,
		 const struct container_list *l, int volumes, int flags);

#endif
