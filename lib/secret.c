/* SPDX-License-Identifier: MIT */
/*
 * Wiping helpers.  explicit_bzero (glibc 2.25+) is the primitive; the
 * OpenSSL cleanse is the fallback on libcs without it.
 */
#include <openssl/crypto.h>

#include "common.h"

void s2s_memzero(void *p, size_t len)
{
	if (!p || !len)
		return;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 25)
	explicit_bzero(p, len);
#else
	OPENSSL_cleanse(p, len);
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

bool s2s_timingsafe_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
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
