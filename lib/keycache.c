/* SPDX-License-Identifier: MIT */
/*
 * Secrets kept for a bounded time in the Linux kernel keyring: "user"
 * keys in the user session keyring (@us: every process of this user
 * finds them, a reboot or the timeout ends them), permissions for the
 * user only, a timeout on each.  Raw add_key(2)/keyctl(2) calls, as
 * libkeyutils makes them, so no library is loaded for it.  A kernel or
 * sandbox without keyrings (ENOSYS, a seccomp filter) only means
 * nothing is cached.  It never writes a file and never logs a payload.
 */
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "keycache.h"

/* possessor: everything; user: view, read, write, search, setattr;
 * group and others: nothing */
#define PERM 0x3f2f0000UL

static long keyctl4(int cmd, unsigned long a, unsigned long b, unsigned long c)
{
	return syscall(SYS_keyctl, cmd, a, b, c, 0UL);
}

/* A keyring id (negative special ids included) as keyctl's argument. */
static unsigned long kid(long id)
{
	return (unsigned long)id;
}

s2s_err s2s__keycache_get(unsigned char *out, size_t cap, size_t *len,
                          const char *desc)
{
	unsigned char buf[S2S_KEYCACHE_MAX];
	long id, n;

	*len = 0;
	id = keyctl4(KEYCTL_SEARCH, kid(KEY_SPEC_USER_SESSION_KEYRING),
	             (unsigned long)(uintptr_t) "user",
	             (unsigned long)(uintptr_t)desc);
	if (id < 0)
		return S2S_ENOTFOUND;
	n = keyctl4(KEYCTL_READ, kid(id), (unsigned long)(uintptr_t)buf,
	            sizeof(buf));
	if (n < 0 || (size_t)n > sizeof(buf) || (size_t)n > cap) {
		s2s_memzero(buf, sizeof(buf));
		return S2S_ENOTFOUND;
	}
	memcpy(out, buf, (size_t)n);
	*len = (size_t)n;
	s2s_memzero(buf, sizeof(buf));
	return S2S_OK;
}

bool s2s__keycache_put(const char *desc, const void *payload, size_t len,
                       long ttl)
{
	long id, old;
	bool ok;

	if (ttl <= 0 || len == 0 || len > S2S_KEYCACHE_MAX)
		return false;
	/* the key this one replaces: linking the new one unlinks it, and it
	 * is invalidated below rather than left for the garbage collector */
	old = keyctl4(KEYCTL_SEARCH, kid(KEY_SPEC_USER_SESSION_KEYRING),
	              (unsigned long)(uintptr_t) "user",
	              (unsigned long)(uintptr_t)desc);
	id = syscall(SYS_add_key, "user", desc, payload, len,
	             KEY_SPEC_PROCESS_KEYRING);
	if (id < 0)
		return false;
	ok = keyctl4(KEYCTL_SETPERM, kid(id), PERM, 0) == 0 &&
	     keyctl4(KEYCTL_SET_TIMEOUT, kid(id), (unsigned long)ttl, 0) == 0 &&
	     keyctl4(KEYCTL_LINK, kid(id), kid(KEY_SPEC_USER_SESSION_KEYRING),
	             0) == 0;
	(void)keyctl4(KEYCTL_UNLINK, kid(id), kid(KEY_SPEC_PROCESS_KEYRING), 0);
	if (!ok)
		(void)keyctl4(KEYCTL_INVALIDATE, kid(id), 0, 0);
	else if (old >= 0 && old != id)
		(void)keyctl4(KEYCTL_INVALIDATE, kid(old), 0, 0);
	return ok;
}

/* "type;uid;gid;perm;description": does it name one of ours? */
static bool matches(const char *d, const char *prefix, const char *suffix)
{
	size_t n, ns = strlen(suffix);

	for (int i = 0; i < 4 && d; i++) {
		d = strchr(d, ';');
		d = d ? d + 1 : NULL;
	}
	if (!d || strncmp(d, prefix, strlen(prefix)) != 0)
		return false;
	n = strlen(d);
	return n >= ns && strcmp(d + n - ns, suffix) == 0;
}

void s2s__keycache_forget(const char *prefix, const char *suffix)
{
	unsigned long us = kid(KEY_SPEC_USER_SESSION_KEYRING);
	int32_t *ids = NULL;
	char d[4200];
	long n, cap;

	n = keyctl4(KEYCTL_READ, us, 0, 0);
	if (n <= 0)
		return;
	ids = malloc((size_t)n);
	if (!ids)
		return;
	cap = n;
	n = keyctl4(KEYCTL_READ, us, (unsigned long)(uintptr_t)ids,
	            (unsigned long)cap);
	/* keys added since the first call: READ says how many there are
	 * now, but fills only cap bytes */
	if (n > cap)
		n = cap;
	for (long i = 0; n > 0 && i < n / (long)sizeof(*ids); i++) {
		long got = keyctl4(KEYCTL_DESCRIBE, kid(ids[i]),
		                   (unsigned long)(uintptr_t)d, sizeof(d));

		if (got <= 0 || (size_t)got > sizeof(d) ||
		    strncmp(d, "user;", 5) != 0 || !matches(d, prefix, suffix))
			continue;
		if (keyctl4(KEYCTL_INVALIDATE, kid(ids[i]), 0, 0) != 0)
			(void)keyctl4(KEYCTL_UNLINK, kid(ids[i]), us, 0);
	}
	free(ids);
}
