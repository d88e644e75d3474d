/* lock.h: advisory locks and atomic replacement of state files */
#ifndef SB_LOCK_H
#define SB_LOCK_H

#include <stddef.h>

/*
 * The lock order. A command that needs both takes a sandbox's stack lock
 * (stack.h: up, down, destroy, and prune for a stack it removes) before
 * the registry lock (registry.h: create, init, destroy, prune, and up when
 * it gives an older sandbox its stack id), and releases the registry lock
 * before it exits or fails: the clean-up that create runs at exit takes
 * the registry lock again. prune holds no registry lock while it removes
 * stacks: it takes each stack's lock alone, then the registry lock to
 * release the slots. The secrets' latest-write record
 * (secrets-latest.lock) is taken last and alone. No command waits for a
 * lock while holding one that comes after it.
 */

/*
 * Take an exclusive flock(2) on "<path>.lock" (created 0600, parent made
 * 0700 if missing). Blocks until the lock is free. Returns the descriptor
 * (>= 0) or -1 after printing an error. The lock is released by
 * unlock_file() or when the process dies, so a killed command never holds
 * it.
 */
int lock_file(const char *path);
void unlock_file(int fd);

/*
 * Replace path with data: write to a temporary file in the same directory
 * (O_EXCL, mode), fsync, rename over path. Readers see the old file or the
 * new one, never half of one. Refuses to replace a symlink. 0 or -1 after
 * printing an error; on failure path is untouched and the temp file removed.
 */
int write_file_atomic(const char *path, const void *data, size_t len, int mode);

/*
 * Remove the temporary files ("<path>.tmp.<pid>") that writers of path
 * killed half-way left behind: those whose process is gone. The atomic
 * writers below call it first; registry_lock() too, so that a lock taken
 * without a write still tidies up.
 */
void remove_stale_temps(const char *path);

/*
 * Create path holding data, unless it exists: the data goes to a temporary
 * file (O_EXCL, O_NOFOLLOW, mode), is fsynced, then link(2)ed into place,
 * so nobody sees it half-written and nothing that exists (file or symlink)
 * is ever replaced. Returns 0, 1 if path existed (nothing written), or -1
 * after printing an error.
 */
int write_file_new(const char *path, const void *data, size_t len, int mode);

/*
 * Builds with the test hooks (make TEST_HOOKS=1, which `make check` uses):
 * if GIT_SANDBOX_TEST_CRASH names this point, the process kills itself with
 * SIGKILL here, for the crash tests; "<point>:<n>" kills it the n-th time
 * it gets there (atomic-rename:2: during the second atomic write). A no-op
 * in every other build.
 *
 * lib's points: atomic-open, atomic-rename (inside every atomic file
 * write), registry-locked, registry-written, lease-claimed (a port
 * claimed, its entry not written yet). A command names its own where it
 * calls crash_point(), "<command>-<step>".
 */
void crash_point(const char *name);

/*
 * GIT_SANDBOX_TEST_PAUSE=<point>[:<n>] with GIT_SANDBOX_TEST_PAUSE_PID=<file>
 * stops the process there instead (SIGSTOP, after writing its pid to
 * <file>), so a race test can run another command in that window and then
 * let it go on with SIGCONT.
 */

/*
 * The same for GIT_SANDBOX_TEST_FAIL: returns 1 (errno EIO) where the
 * point is reached, so the caller fails as a full or broken disk would
 * make it; 0 otherwise and in every other build. Point: atomic-write (the
 * start of every atomic file write; atomic-write:3 fails the third).
 */
int fail_point(const char *name);

#endif
