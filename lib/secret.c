/* SPDX-License-Identifier: MIT */
/*
 * Wiping helpers.  explicit_bzero (glibc 2.25+) is the primitive; a
 * memset through a volatile function pointer is the fallback on libcs
 * without it.  No OpenSSL here: the commands that answer from the store
 * run without it (the network module has it).
 */
#include "common.h"

#if !(defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 25))
/* The compiler cannot prove what this points at, so cannot drop the
 * call (OpenSSH's explicit_bzero.c fallback). */
static void *(*volatile wipe)(void *, int, size_t) = memset;
#endif

void s2s_memzero(void *p, size_t len)
{
	if (!p || !len)
		return;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 25)
	explicit_bzero(p, len);
#else
	wipe(p, 0, len);
#endif
}

void s2s_freezero(void *p, size_t len)
{
	if (!p)
		return;
	s2s_memzero(p, len);
	free(p);
}

char *s2s_secret_strdup(const char *s)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s);
	p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len + 1);
	return p;
}

/* Every byte is looked at whatever the first difference (OpenBSD
 * timingsafe_bcmp). */
bool s2s_timingsafe_eq(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < len; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	return d == 0;
}

char *s2s__strdup_or_null(const char *s, bool *ok)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*ok = false;
	return p;
}
