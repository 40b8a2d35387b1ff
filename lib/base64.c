/* SPDX-License-Identifier: MIT */
/*
 * Base64 (RFC 4648, standard alphabet): a strict decoder (padding
 * required, canonical padding bits, ASCII whitespace skipped, nothing
 * else tolerated) that reads its input once through a lookup table and
 * writes straight into the destination buffer, grown once; and an
 * encoder.  No base64url, no line wrapping on output, no allocation
 * beyond the destination buffer.
 */
#include "common.h"
#include "saml2sts/base64.h"

#define BAD_B64 "SAMLResponse is not valid base64"

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decoding table: the 6-bit value of each alphabet character; ASCII
 * whitespace (SP, TAB, CR, LF) is S, '=' is P, anything else X.  Every
 * non-value entry has bit 6 or 7 set, so one OR of four lookups tells
 * whether a quad is plain data. */
#define X 0xff
#define S 0x40
#define P 0x41
/* clang-format off */
static const unsigned char b64_value[256] = {
	X, X, X, X, X, X, X, X, X, S, S, X, X, S, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	S, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, P, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
/* clang-format on */
#undef X
#undef S
#undef P
#define B64_SPACE 0x40
#define B64_PAD   0x41

/* The decoder's state between characters: the quad being read. */
struct quad {
	uint32_t acc; /* its 6-bit values so far */
	unsigned n;   /* characters in it, '=' included */
	unsigned pad; /* '=' seen in the whole input */
	size_t out;   /* bytes decoded so far (also past the room) */
	size_t room;  /* bytes that may be written at dst */
	unsigned char *dst;
};

static void put3(struct quad *q, uint32_t v, unsigned nbytes)
{
	unsigned char b[3] = { (unsigned char)(v >> 16),
		               (unsigned char)(v >> 8), (unsigned char)v };

	for (unsigned i = 0; i < nbytes; i++, q->out++) {
		if (q->out < q->room)
			q->dst[q->out] = b[i];
	}
	s2s_memzero(b, sizeof(b));
}

/* One character that is not part of a plain data quad; false when the
 * input is not strict base64 (outside the alphabet, data after '=',
 * more than two '=', or bits under the padding that are not zero). */
static bool feed(struct quad *q, unsigned char c)
{
	unsigned v = b64_value[c];

	if (v == B64_SPACE)
		return true;
	if (v == B64_PAD) {
		if (++q->pad > 2)
			return false;
		v = 0;
	} else if (v > 63 || q->pad) {
		return false;
	}
	q->acc = q->acc << 6 | v;
	if (++q->n < 4)
		return true;
	/* A canonical encoding has zero bits under the padding. */
	if ((q->pad == 1 && (q->acc & 0xffu)) ||
	    (q->pad == 2 && (q->acc & 0xffffu)))
		return false;
	put3(q, q->acc, 3 - q->pad);
	q->acc = 0;
	q->n = 0;
	return true;
}

/* Whole quads of alphabet characters from in[*i] on, while they fit in
 * the room: four lookups, one test.  Locals only, so that the byte
 * stores (which may alias anything) do not reload the state. */
static void fast_quads(struct quad *q, const unsigned char *in, size_t len,
                       size_t *i)
{
	const unsigned char *p = in + *i, *end = in + len;
	unsigned char *dst = q->dst + q->out;
	size_t fit = (q->room - q->out) / 3;

	while (end - p >= 4 && fit) {
		unsigned a = b64_value[p[0]], b = b64_value[p[1]];
		unsigned c = b64_value[p[2]], d = b64_value[p[3]];

		if ((a | b | c | d) & 0xc0u)
			break;
		dst[0] = (unsigned char)(a << 2 | b >> 4);
		dst[1] = (unsigned char)((b & 0xfu) << 4 | c >> 2);
		dst[2] = (unsigned char)((c & 0x3u) << 6 | d);
		dst += 3;
		p += 4;
		fit--;
	}
	q->out = (size_t)(dst - q->dst);
	*i = (size_t)(p - in);
}

/* Single pass: plain quads through fast_quads, whitespace, padding,
 * errors and whatever lies past the room one character at a time. */
static bool decode_all(struct quad *q, const unsigned char *in, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (q->n == 0 && !q->pad && q->out <= q->room)
			fast_quads(q, in, len, &i);
		if (i < len && !feed(q, in[i++]))
			return false;
	}
	return q->n == 0;
}

/* Room for need more bytes and a NUL, the secret way (allocate, copy,
 * wipe, free) when out is secret. */
static s2s_err reserve(struct s2s_buf *out, size_t need)
{
	size_t cap;
	char *p;

	if (need > SIZE_MAX - out->len - 1)
		return S2S_ENOMEM;
	cap = out->len + need + 1;
	if (cap <= out->cap)
		return S2S_OK;
	p = malloc(cap);
	if (!p)
		return S2S_ENOMEM;
	if (out->ptr) {
		memcpy(p, out->ptr, out->len + 1);
		if (out->secret)
			s2s_freezero(out->ptr, out->cap);
		else
			free(out->ptr);
	}
	out->ptr = p;
	out->cap = cap;
	return S2S_OK;
}

s2s_err s2s_base64_decode(struct s2s_buf *out, const char *b64, size_t len,
                          struct s2s_error *err)
{
	struct quad q = { 0, 0, 0, 0, 0, NULL };
	size_t limit = SIZE_MAX;
	bool ok;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(b64 || !len);
	if (out->max)
		limit = out->max > out->len ? out->max - out->len : 0;
	/* At most 3 bytes per 4 characters; never more than the limit
	 * (the rest is still read, to report bad base64 first). */
	q.room = len / 4 * 3;
	if (q.room > limit)
		q.room = limit;
	rc = reserve(out, q.room);
	if (rc)
		return s2s_error_set(err, rc, "out of memory");
	q.dst = (unsigned char *)out->ptr + out->len;
	ok = decode_all(&q, (const unsigned char *)b64, len);
	q.acc = 0;
	if (!ok || q.out > limit) {
		s2s_memzero(q.dst, q.out < q.room ? q.out : q.room);
		out->ptr[out->len] = '\0';
		if (!ok)
			return s2s_error_set(err, S2S_ESAML, BAD_B64);
		return s2s_error_set(err, S2S_ESAML,
		                     "decoded SAMLResponse is too large");
	}
	out->len += q.out;
	out->ptr[out->len] = '\0';
	return S2S_OK;
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
