/* SPDX-License-Identifier: MIT */
/*
 * Waiting between polls of an IdP (an MFA push): sleep with exponential
 * backoff, never past a deadline, and cancellable from another thread or
 * a signal handler.
 */
#ifndef S2S_POLL_H
#define S2S_POLL_H

#include <stdbool.h>

#include "error.h"

struct s2s_poll {
	long interval_ms;      /* next sleep */
	long max_ms;           /* cap of the backoff */
	double factor;         /* growth per sleep (>= 1.0) */
	long long deadline_ms; /* monotonic ms; 0 = none */
	volatile int
	        *cancel; /* optional: non-zero cancels (sig_atomic_t-like) */
};

/* Start a poll: first sleep first_ms, growing by factor up to max_ms,
 * giving up timeout_ms from now (0 = never). */
void s2s_poll_init(struct s2s_poll *p, long first_ms, long max_ms,
                   double factor, long timeout_ms);

/* Monotonic milliseconds. */
long long s2s_poll_now_ms(void);

/* True when the deadline has passed. */
bool s2s_poll_expired(const struct s2s_poll *p);

/* Milliseconds left before the deadline (LONG_MAX-like when none). */
long s2s_poll_left_ms(const struct s2s_poll *p);

/* Sleep the next interval (cut at the deadline) and grow it.
 * S2S_EMFA "<what>: timed out" when the deadline had already passed
 * (so the caller polls once more after the last sleep), S2S_ECANCELLED when
 * *cancel became non-zero. */
s2s_err s2s_poll_wait(struct s2s_poll *p, const char *what,
                      struct s2s_error *err);

#endif
