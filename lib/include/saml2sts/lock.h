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

/* Where every user's fallback lock directory lives: this prefix and the
 * uid ("/tmp/saml2sts-1000"). */
#define S2S_LOCK_FALLBACK "/tmp/saml2sts-"

/* The directory locks of dir really go in: dir itself (created 0700 when
 * missing) when it is a directory, not a symbolic link, owned by you and
 * with no group or other permission; else the fallback
 * S2S_LOCK_FALLBACK<uid>, created 0700 and held to the same checks.
 * When dir was not used, *why_out (may be NULL) says why (one line;
 * otherwise it is cleared).  S2S_ESTORE when neither is fit.  The caller
 * frees *out. */
s2s_err s2s_lock_dir(char **out, const char *dir, struct s2s_error *why_out,
                     struct s2s_error *err);

/* Take the exclusive lock called name (any string: it is encoded into a
 * file name) in s2s_lock_dir(dir), the lock file opened without
 * following links.  Waits up to timeout_ms (0: do not wait); when it
 * cannot be had in time, S2S_ESTORE.  *waited_out (may be NULL) tells
 * whether it had to wait. */
s2s_err s2s_lock_acquire(struct s2s_lock **out, const char *dir,
                         const char *name, long timeout_ms, bool *waited_out,
                         struct s2s_error *err);

/* Release and free; NULL is a no-op. */
void s2s_lock_release(struct s2s_lock *lock);

#endif
