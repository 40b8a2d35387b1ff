/* SPDX-License-Identifier: MIT */
/*
 * Growable, NUL-terminated buffer.  Secret buffers never realloc():
 * the old block is wiped before it is freed.
 */
#include "common.h"

void s2s_buf_init(struct s2s_buf *buf, bool secret)
{
	buf->ptr = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->max = 0;
	buf->secret = secret;
}

static s2s_err grow(struct s2s_buf *buf, size_t need)
{
	size_t cap = buf->cap ? buf->cap : 64;
	char *p;

	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return S2S_ENOMEM;
		cap *= 2;
	}
	if (buf->secret) {
		p = malloc(cap);
		if (!p)
			return S2S_ENOMEM;
		if (buf->ptr) {
			memcpy(p, buf->ptr, buf->len + 1);
			s2s_freezero(buf->ptr, buf->cap);
		}
	} else {
		p = realloc(buf->ptr, cap);
		if (!p)
			return S2S_ENOMEM;
	}
	buf->ptr = p;
	buf->cap = cap;
	return S2S_OK;
}

s2s_err s2s_buf_add(struct s2s_buf *buf, const void *data, size_t len)
{
	s2s_err rc;

	if (len > SIZE_MAX - buf->len - 1)
		return S2S_ENOMEM;
	if (buf->max && buf->len + len > buf->max)
		return S2S_EINVAL;
	if (buf->len + len + 1 > buf->cap) {
		rc = grow(buf, buf->len + len + 1);
		if (rc)
			return rc;
	}
	if (len)
		memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return S2S_OK;
}

s2s_err s2s_buf_puts(struct s2s_buf *buf, const char *s)
{
	return s2s_buf_add(buf, s, strlen(s));
}

s2s_err s2s_buf_printf(struct s2s_buf *buf, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	char *big;
	s2s_err rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return S2S_EINVAL;
	if ((size_t)n < sizeof(small))
		return s2s_buf_add(buf, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return S2S_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = s2s_buf_add(buf, big, (size_t)n);
	free(big);
	return rc;
}

s2s_err s2s_buf_terminate(struct s2s_buf *buf)
{
	return s2s_buf_add(buf, "", 0);
}

char *s2s_buf_detach(struct s2s_buf *buf, size_t *len_out)
{
	char *p;

	if (s2s_buf_terminate(buf))
		return NULL;
	p = buf->ptr;
	if (len_out)
		*len_out = buf->len;
	buf->ptr = NULL;
	buf->len = 0;
	buf->cap = 0;
	return p;
}

void s2s_buf_reset(struct s2s_buf *buf)
{
	if (!buf->ptr)
		return;
	if (buf->secret)
		s2s_memzero(buf->ptr, buf->len);
	buf->len = 0;
	buf->ptr[0] = '\0';
}

void s2s_buf_release(struct s2s_buf *buf)
{
	if (buf->ptr) {
		if (buf->secret)
			s2s_freezero(buf->ptr, buf->cap);
		else
			free(buf->ptr);
	}
	buf->ptr = NULL;
	buf->len = 0;
	buf->cap = 0;
}

static bool in_set(char c, const char *set)
{
	return c && strchr(set, c);
}

void s2s__trim(const char **s, size_t *len, const char *set)
{
	while (*len && in_set(**s, set)) {
		(*s)++;
		(*len)--;
	}
	while (*len && in_set((*s)[*len - 1], set))
		(*len)--;
}
