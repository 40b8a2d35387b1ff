/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: the standard headers every module uses, the argument
 * assertion and the banned-function poison.  Include it in every lib
 * source file, after any system or library header it needs.
 */
#ifndef S2S_COMMON_H
#define S2S_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "saml2sts/buf.h"
#include "saml2sts/error.h"
#include "saml2sts/secret.h"

/* An abort in debug builds, S2S_EINVAL in release builds. */
#ifdef NDEBUG
#define S2S_ASSERT_ARG(x)                  \
	do {                               \
		if (!(x))                  \
			return S2S_EINVAL; \
	} while (0)
#else
#define S2S_ASSERT_ARG(x)                                                \
	do {                                                             \
		if (!(x)) {                                              \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", \
			        __FILE__, __LINE__, #x);                 \
			abort();                                         \
		}                                                        \
	} while (0)
#endif

#define S2S_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* XML's white space (XML 1.0 production S). */
#define S2S_XML_SPACE " \t\r\n"

/* Narrow [*s, *s + *len) to leave out leading and trailing characters
 * of set. */
void s2s__trim(const char **s, size_t *len, const char *set);

/* Duplicate s, or NULL when s is NULL; *ok is cleared on ENOMEM. */
char *s2s__strdup_or_null(const char *s, bool *ok);

#if defined(__GNUC__) && !defined(S2S_NO_POISON)
#pragma GCC poison strcpy strcat sprintf vsprintf gets strtok atoi atol
#pragma GCC poison tmpnam
#endif

#endif
