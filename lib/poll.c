/* SPDX-License-Identifier: MIT */
/*
 * Sleep with backoff and a deadline, in slices of at most 100 ms so
 * that a cancel flag is seen quickly.
 */
#include <errno.h>
#include <limits.h>
#include <time.h>

#include <saml2sts/poll.h>

long long s2s_poll_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void s2s_poll_init(struct s2s_poll *p, long first_ms, long max_ms,
                   double factor, long timeout_ms)
{
	p->interval_ms = first_ms > 0 ? first_ms : 1;
	p->max_ms = max_ms >= p->interval_ms ? max_ms : p->interval_ms;
	p->factor = factor >= 1.0 ? factor : 1.0;
	p->deadline_ms = timeout_ms > 0 ? s2s_poll_now_ms() + timeout_ms : 0;
	p->cancel = NULL;
}

bool s2s_poll_expired(const struct s2s_poll *p)
{
	return p->deadline_ms && s2s_poll_now_ms() >= p->deadline_ms;
}

long s2s_poll_left_ms(const struct s2s_poll *p)
{
	long long left;

	if (!p->deadline_ms)
		return LONG_MAX;
	left = p->deadline_ms - s2s_poll_now_ms();
	return left > 0 ? (long)left : 0;
}

s2s_err s2s_poll_wait(struct s2s_poll *p, const char *what,
                      struct s2s_error *err)
{
	long long until;
	double next;

	if (s2s_poll_expired(p))
		return s2s_error_set(err, S2S_EMFA, "%s: timed out", what);
	until = s2s_poll_now_ms() + p->interval_ms;
	if (p->deadline_ms && until > p->deadline_ms)
		until = p->deadline_ms;
	for (;;) {
		long long now = s2s_poll_now_ms();
		long long slice = until - now;
		struct timespec ts;

		if (p->cancel && *p->cancel)
			return s2s_error_set(err, S2S_ECANCELLED,
			                     "%s: cancelled", what);
		if (slice <= 0)
			break;
		if (slice > 100)
			slice = 100;
		ts.tv_sec = (time_t)(slice / 1000);
		ts.tv_nsec = (long)(slice % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (p->cancel && *p->cancel)
				break;
	}
	next = (double)p->interval_ms * p->factor;
	p->interval_ms = next > (double)p->max_ms ? p->max_ms : (long)next;
	return S2S_OK;
}
