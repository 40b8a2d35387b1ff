/* SPDX-License-Identifier: MIT */
/*
 * Base64 (RFC 4648, standard alphabet): a strict decoder (padding
 * required, canonical padding bits, ASCII whitespace skipped, nothing
 * else tolerated) that writes through a wiped stack chunk, and an
 * encoder.  No base64url, no line wrapping on output, no allocation
 * beyond the destination buffer.
 */
#include "common.h"
#include "saml2sts/base64.h"

#define BAD_B64 "SAMLResponse is not valid base64"

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Count the significant characters and the padding; false when a
 * character is outside the alphabet or data follows an '='. */
static bool b64_scan(const char *b64, size_t len, size_t *n_out,
                     size_t *pad_out)
{
	size_t n = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		char c = b64[i];

		if (is_space(c))
			continue;
		if (c == '=') {
			if (++pad > 2)
				return false;
		} else if (pad || b64_value(c) < 0) {
			return false;
		}
		n++;
	}
	if (n % 4)
		return false;
	*n_out = n;
	*pad_out = pad;
	return true;
}

/* Decode one validated quad; false when the bits under the padding are
 * not zero (a non-canonical encoding). */
static bool b64_quad(unsigned char *dst, const char q[4], size_t *nout)
{
	uint32_t v = 0;
	size_t pad = 0;

	for (int i = 0; i < 4; i++) {
		v <<= 6;
		if (q[i] == '=')
			pad++;
		else
			v |= (uint32_t)b64_value(q[i]);
	}
	if ((pad == 1 && (v & 0xffu)) || (pad == 2 && (v & 0xffffu)))
		return false;
	dst[0] = (unsigned char)(v >> 16);
	dst[1] = (unsigned char)(v >> 8);
	dst[2] = (unsigned char)v;
	*nout = 3 - pad;
	return true;
}

/* Decode validated input, appending to out through a wiped stack chunk.
 * S2S_ESAML for non-canonical padding bits, else a buf error; no message. */
static s2s_err b64_decode_into(struct s2s_buf *out, const char *b64, size_t len)
{
	unsigned char chunk[768];
	size_t used = 0, q = 0;
	char quad[4];
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < len && !rc; i++) {
		size_t got;

		if (is_space(b64[i]))
			continue;
		quad[q++] = b64[i];
		if (q < 4)
			continue;
		q = 0;
		if (!b64_quad(chunk + used, quad, &got)) {
			rc = S2S_ESAML;
			break;
		}
		used += got;
		if (used + 3 > sizeof(chunk)) {
			rc = s2s_buf_add(out, chunk, used);
			used = 0;
		}
	}
	if (!rc)
		rc = s2s_buf_add(out, chunk, used);
	if (!rc)
		rc = s2s_buf_terminate(out);
	s2s_memzero(chunk, sizeof(chunk));
	s2s_memzero(quad, sizeof(quad));
	return rc;
}

s2s_err s2s_base64_decode(struct s2s_buf *out, const char *b64, size_t len,
                          struct s2s_error *err)
{
	size_t n, pad, start;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(b64 || !len);
	if (!b64_scan(b64, len, &n, &pad))
		return s2s_error_set(err, S2S_ESAML, BAD_B64);
	if (out->max && n / 4 * 3 - pad > out->max - out->len)
		return s2s_error_set(err, S2S_ESAML,
		                     "decoded SAMLResponse is too large");
	start = out->len;
	rc = b64_decode_into(out, b64, len);
	if (!rc)
		return S2S_OK;
	if (out->ptr && out->len > start) { /* leave out as it was */
		s2s_memzero(out->ptr + start, out->len - start);
		out->len = start;
		out->ptr[start] = '\0';
	}
	if (rc == S2S_ENOMEM)
		return s2s_error_set(err, rc, "out of memory");
	if (rc == S2S_ESAML)
		return s2s_error_set(err, rc, BAD_B64);
	return s2s_error_set(err, S2S_ESAML,
	                     "decoded SAMLResponse is too large");
}

s2s_err s2s_base64_encode(struct s2s_buf *out, const void *data, size_t len,
                          struct s2s_error *err)
{
	const unsigned char *p = data;
	char chunk[1024];
	size_t used = 0;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(data || !len);
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)p[i] << 16;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		chunk[used++] = b64_alphabet[(v >> 18) & 63];
		chunk[used++] = b64_alphabet[(v >> 12) & 63];
		chunk[used++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		chunk[used++] = left > 2 ? b64_alphabet[v & 63] : '=';
		if (used == sizeof(chunk)) {
			rc = s2s_buf_add(out, chunk, used);
			used = 0;
			if (rc)
				goto out;
		}
	}
	rc = s2s_buf_add(out, chunk, used);
	if (!rc)
		rc = s2s_buf_terminate(out);
out:
	s2s_memzero(chunk, sizeof(chunk));
	if (rc)
		return s2s_error_set(err, rc, "out of memory");
	return S2S_OK;
}
