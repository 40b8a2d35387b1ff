/* SPDX-License-Identifier: MIT */
/*
 * Advisory file locks (flock) that serialise refreshes and logins across
 * processes: a per-profile lock around refresh and a global one around
 * IdP login.  Locks die with the process, so a crash never leaves one
 * behind.  No I/O other than the lock files.
 */
#ifndef S2S_LOCK_H
#define S2S_LOCK_H

#include <stdbool.h>

#include "error.h"

struct s2s_lock;

/* Take the exclusive lock called name (any string: it is encoded into a
 * file name) in dir, created 0700.  Waits up to timeout_ms (0: do not
 * wait); when it cannot be had in time, S2S_ESTORE.  *waited_out (may
 * be NULL) tells whether it had to wait. */
s2s_err s2s_lock_acquire(struct s2s_lock **out, const char *dir,
                         const char *name, long timeout_ms, bool *waited_out,
                         struct s2s_error *err);

/* Release and free; NULL is a no-op. */
void s2s_lock_release(struct s2s_lock *lock);

#endif
