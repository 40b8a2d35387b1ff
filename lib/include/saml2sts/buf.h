/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffer, always NUL-terminated once it holds data.
 * A secret buffer never uses realloc(): it grows by allocate, copy,
 * wipe, free, and is wiped on release.  No I/O here.
 */
#ifndef S2S_BUF_H
#define S2S_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct s2s_buf {
	char *ptr;   /* NULL until the first add; NUL-terminated after */
	size_t len;  /* bytes in use, without the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* 0 = no limit; else adds past it fail (S2S_EINVAL) */
	bool secret; /* wipe on growth and release */
};

#define S2S_BUF_INIT                 \
	{                            \
		NULL, 0, 0, 0, false \
	}
#define S2S_BUF_SECRET_INIT         \
	{                           \
		NULL, 0, 0, 0, true \
	}

/* Initialise without allocating; secret buffers are wiped on release. */
void s2s_buf_init(struct s2s_buf *buf, bool secret);

/* Append; on failure buf is unchanged and S2S_ENOMEM (or S2S_EINVAL past
 * buf->max) is returned. */
s2s_err s2s_buf_add(struct s2s_buf *buf, const void *data, size_t len);

/* Append a NUL-terminated string. */
s2s_err s2s_buf_puts(struct s2s_buf *buf, const char *s);

/* Append formatted text.  Never use it for secrets: vsnprintf may leave
 * copies in stdio buffers on some libcs. */
s2s_err s2s_buf_printf(struct s2s_buf *buf, const char *fmt, ...)
        S2S_PRINTF(2, 3);

/* Make sure ptr is non-NULL and NUL-terminated even when empty. */
s2s_err s2s_buf_terminate(struct s2s_buf *buf);

/* Hand the NUL-terminated contents to the caller (free with
 * s2s_freezero() if secret, else free()); buf is left empty.  Returns
 * an empty allocated string for an empty buffer, NULL on ENOMEM. */
char *s2s_buf_detach(struct s2s_buf *buf, size_t *len_out);

/* Set len to 0, wiping the old contents if secret; keeps the memory. */
void s2s_buf_reset(struct s2s_buf *buf);

/* Wipe (if secret) and free the contents; buf may be reused after init. */
void s2s_buf_release(struct s2s_buf *buf);

#endif
