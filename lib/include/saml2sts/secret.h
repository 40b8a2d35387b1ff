/* SPDX-License-Identifier: MIT */
/*
 * Wiping helpers for secrets: passwords, OTPs, the SAMLResponse, IdP
 * cookies and STS secrets.  s2s_memzero() cannot be optimised away.
 */
#ifndef S2S_SECRET_H
#define S2S_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Overwrite len bytes of p with zeros; never elided by the compiler. */
void s2s_memzero(void *p, size_t len);

/* Wipe then free; p may be NULL. */
void s2s_freezero(void *p, size_t len);

/* Duplicate a NUL-terminated secret; free with s2s_secret_free().
 * Returns NULL on ENOMEM or when s is NULL. */
char *s2s_secret_strdup(const char *s);

/* Constant-time comparison of two equal-length byte strings. */
bool s2s_timingsafe_eq(const void *a, const void *b, size_t len);

/* For NUL-terminated secrets; NULLs the pointer, like curlx_safefree. */
#define s2s_secret_free(s)                                \
	do {                                              \
		if (s)                                    \
			s2s_freezero((s), strlen(s) + 1); \
		(s) = NULL;                               \
	} while (0)

/* free() and NULL the pointer. */
#define s2s_safefree(p)            \
	do {                       \
		free((void *)(p)); \
		(p) = NULL;        \
	} while (0)

#endif
