/* SPDX-License-Identifier: MIT */
/* Unit tests for the strict base64 codec of lib/base64.c, used on
 * SAMLResponse values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/base64.h>

struct b64_case {
	const char *plain;
	const char *b64;
};

/* RFC 4648 section 10. */
static const struct b64_case rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const struct b64_case spaced[] = {
	{ "foobar", "Zm9v\r\nYmFy" },
	{ "foobar", " Zm 9v\tYm Fy \n" },
	{ "foob", "Zm9vYg=\r\n=" },
	{ "foob", "Zm9vYg==\r\n" },
	{ "", " \t\r\n" },
};

static const char *const invalid[] = {
	"Zm9",          /* not a multiple of 4 */
	"Zm9vY",        /* idem */
	"Zg",           /* padding missing */
	"Zg=",          /* padding short */
	"Zg===",        /* too much padding */
	"Zm9v====",     /* a quad of padding */
	"=Zg=",         /* padding first */
	"Zm=v",         /* padding in the middle */
	"Zg==Zg==",     /* data after padding */
	"Zm9vYg==Zm9v", /* idem */
	"Zm9-",         /* base64url alphabet */
	"Zm9_",         /* idem */
	"Zm9v!",        /* punctuation */
	"Zm9v\v",       /* vertical tab is not skipped */
	"Zm9v\f",       /* nor form feed */
	"Zm\xc3\xa9v",  /* non-ASCII */
	"Zh==",         /* bits under the padding are not zero */
	"Zm9=",         /* idem */
	"Zm%3D",        /* URL-encoded padding */
	"Zm9v&#x3d;",   /* HTML-encoded */
};

static void check_decode(const char *b64, const char *plain)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;

	assert_int_equal(S2S_OK,
	                 s2s_base64_decode(&out, b64, strlen(b64), &err));
	assert_int_equal(strlen(plain), out.len);
	assert_non_null(out.ptr);
	assert_memory_equal(plain, out.ptr, out.len);
	assert_int_equal('\0', out.ptr[out.len]);
	s2s_buf_release(&out);
}

static void test_base64_base64__rfc4648_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++)
		check_decode(rfc4648[i].b64, rfc4648[i].plain);
}

static void test_base64_base64__rfc4648_encode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf out = S2S_BUF_INIT;
		const char *p = rfc4648[i].plain;

		assert_int_equal(S2S_OK,
		                 s2s_base64_encode(&out, p, strlen(p), &err));
		assert_non_null(out.ptr);
		assert_string_equal(rfc4648[i].b64, out.ptr);
		s2s_buf_release(&out);
	}
}

static void test_base64_base64__skips_ascii_whitespace(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spaced) / sizeof(spaced[0]); i++)
		check_decode(spaced[i].b64, spaced[i].plain);
}

static void test_base64_base64__rejects_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf out = S2S_BUF_SECRET_INIT;

		assert_int_equal(S2S_OK, s2s_buf_puts(&out, "keep"));
		if (s2s_base64_decode(&out, invalid[i], strlen(invalid[i]),
		                      &err) != S2S_ESAML)
			fail_msg("accepted '%s'", invalid[i]);
		assert_string_equal("SAMLResponse is not valid base64",
		                    err.msg);
		assert_int_equal(4, out.len); /* left as it was */
		assert_string_equal("keep", out.ptr);
		s2s_buf_release(&out);
	}
}

static void test_base64_base64__rejects_embedded_nul(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;

	(void)state;
	assert_int_equal(S2S_ESAML,
	                 s2s_base64_decode(&out, "Zm9v\0Zm9v", 9, &err));
	s2s_buf_release(&out);
}

static void test_base64_base64__appends(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_puts(&out, "x="));
	assert_int_equal(S2S_OK, s2s_base64_decode(&out, "Zm9v", 4, &err));
	assert_string_equal("x=foo", out.ptr);
	s2s_buf_release(&out);
}

static void test_base64_base64__respects_max(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;

	(void)state;
	out.max = 5;
	assert_int_equal(S2S_ESAML,
	                 s2s_base64_decode(&out, "Zm9vYmFy", 8, &err));
	assert_non_null(strstr(err.msg, "too large"));
	assert_int_equal(0, out.len);
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK, s2s_base64_decode(&out, "Zm9vYg==", 8, &err));
	assert_string_equal("foob", out.ptr);
	s2s_buf_release(&out);
}

/* Every byte value, every length around the internal chunk sizes. */
static void test_base64_base64__round_trips(void **state)
{
	unsigned char data[3000];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 256);
	for (size_t n = 0; n <= sizeof(data); n += n < 800 ? 1 : 97) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf enc = S2S_BUF_INIT;
		struct s2s_buf dec = S2S_BUF_SECRET_INIT;

		assert_int_equal(S2S_OK,
		                 s2s_base64_encode(&enc, data, n, &err));
		assert_int_equal((n + 2) / 3 * 4, enc.len);
		assert_int_equal(S2S_OK, s2s_base64_decode(&dec, enc.ptr,
		                                           enc.len, &err));
		assert_int_equal(n, dec.len);
		if (n)
			assert_memory_equal(data, dec.ptr, n);
		s2s_buf_release(&enc);
		s2s_buf_release(&dec);
	}
}

/* IdPs wrap at 76 columns with CRLF. */
static void test_base64_base64__decodes_wrapped(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf enc = S2S_BUF_INIT, wrapped = S2S_BUF_INIT;
	struct s2s_buf dec = S2S_BUF_SECRET_INIT;
	char data[1000];

	(void)state;
	memset(data, 'q', sizeof(data));
	assert_int_equal(S2S_OK,
	                 s2s_base64_encode(&enc, data, sizeof(data), &err));
	for (size_t i = 0; i < enc.len; i += 76) {
		size_t n = enc.len - i < 76 ? enc.len - i : 76;

		assert_int_equal(S2S_OK, s2s_buf_add(&wrapped, enc.ptr + i, n));
		assert_int_equal(S2S_OK, s2s_buf_puts(&wrapped, "\r\n"));
	}
	assert_int_equal(S2S_OK, s2s_base64_decode(&dec, wrapped.ptr,
	                                           wrapped.len, &err));
	assert_int_equal(sizeof(data), dec.len);
	assert_memory_equal(data, dec.ptr, sizeof(data));
	s2s_buf_release(&enc);
	s2s_buf_release(&wrapped);
	s2s_buf_release(&dec);
}

/* The strictness cases of the table-driven decoder, at every position
 * its fast path (whole quads) and slow path (one character) meet. */
static void test_base64_base64__strict_in_both_paths(void **state)
{
	static const char *const bad[] = {
		"Zm9vYmFy Zm9v=Zm9v", /* '=' then data, after a space */
		"Zm9vYg==\nZm9v",     /* data after padding, next line */
		"Zm9vYg= =Zm9v",      /* idem, inside the padding */
		"Zm9v Y g = = =",     /* three '=' with spaces */
		"Zm9vYmFyZ\x80==",    /* a high byte in the last quad */
		"Zm9vYmFyZm9vYmFyZm9vYmFy\x7f",
		"Zm9vYmFyZm9vYmFyZm9vYmF=",  /* bits under '=' */
		"Zm9vYmFyZm9vYmFyZm9vYh==",  /* idem, two '=' */
		"Zm9vYmFyZm9vYmFyZm9vYmFyZ", /* one character short */
	};
	static const struct b64_case good[] = {
		{ "foobarfoobarfoobar", "Zm9vYmFyZm9vYmFyZm9vYmFy" },
		{ "foobarfoob", "Zm9v YmFy Zm9v Yg==" },
		{ "foobarfoob", "Zm9vYmFyZ\nm9vYg==\n" },
		{ "foobarfoob", "Z m 9 v Y m F y Z m 9 v Y g = =" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		check_decode(good[i].b64, good[i].plain);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf out = S2S_BUF_SECRET_INIT;

		if (s2s_base64_decode(&out, bad[i], strlen(bad[i]), &err) !=
		    S2S_ESAML)
			fail_msg("accepted '%s'", bad[i]);
		assert_string_equal("SAMLResponse is not valid base64",
		                    err.msg);
		assert_int_equal(0, out.len);
		s2s_buf_release(&out);
	}
}

/* Bad base64 is reported before size, as when the decoder scanned
 * first: a character past the limit still makes it "not valid". */
static void test_base64_base64__invalid_before_too_large(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;

	(void)state;
	out.max = 3;
	assert_int_equal(S2S_ESAML,
	                 s2s_base64_decode(&out, "Zm9vYmFyZm9v!", 13, &err));
	assert_string_equal("SAMLResponse is not valid base64", err.msg);
	assert_int_equal(0, out.len);
	s2s_error_clear(&err);
	assert_int_equal(S2S_ESAML,
	                 s2s_base64_decode(&out, "Zm9vYmFyZm9v", 12, &err));
	assert_non_null(strstr(err.msg, "too large"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK, s2s_base64_decode(&out, "Zm9v", 4, &err));
	assert_string_equal("foo", out.ptr);
	s2s_buf_release(&out);
}

/* The straightforward strict decoder, one character at a time: what
 * the table-driven one must agree with on every input. */
static int reference_decode(unsigned char *out, const char *in, size_t len)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char sig[64];
	size_t n = 0, pad = 0, o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			if (++pad > 2)
				return -1;
		} else if (pad || !c || !strchr(alpha, c)) {
			return -1;
		}
		sig[n++] = c;
	}
	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		size_t p = 0;

		for (size_t j = 0; j < 4; j++) {
			v <<= 6;
			if (sig[i + j] == '=')
				p++;
			else
				v |= (uint32_t)(strchr(alpha, sig[i + j]) -
				                alpha);
		}
		if ((p == 1 && (v & 0xff)) || (p == 2 && (v & 0xffff)))
			return -1;
		out[o++] = (unsigned char)(v >> 16);
		if (p < 2)
			out[o++] = (unsigned char)(v >> 8);
		if (p < 1)
			out[o++] = (unsigned char)v;
	}
	return (int)o;
}

/* Random strings over the characters that matter (alphabet, '=',
 * whitespace, neighbours that are not base64), checked against the
 * reference decoder. */
static void test_base64_base64__matches_reference(void **state)
{
	static const char chars[] = "AQgw+/=   \r\n\t-_.\x80\v";
	uint32_t seed = 12345;

	(void)state;
	for (int iter = 0; iter < 40000; iter++) {
		char in[40];
		unsigned char want[40];
		size_t len;
		int n;
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf out = S2S_BUF_SECRET_INIT;
		s2s_err rc;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly alphabet so that many inputs are valid */
			in[i] = (seed >> 16) % 4 ? "AQgw+/"[(seed >> 8) % 6]
			                         : chars[(seed >> 8) %
			                                 (sizeof(chars) - 1)];
		}
		n = reference_decode(want, in, len);
		rc = s2s_base64_decode(&out, in, len, &err);
		if ((rc == S2S_OK) != (n >= 0))
			fail_msg("'%.*s': decoder %d, reference %d", (int)len,
			         in, rc, n);
		if (n >= 0) {
			assert_int_equal((size_t)n, out.len);
			if (n)
				assert_memory_equal(want, out.ptr, (size_t)n);
		}
		s2s_buf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_base64__rfc4648_decode),
		cmocka_unit_test(test_base64_base64__rfc4648_encode),
		cmocka_unit_test(test_base64_base64__skips_ascii_whitespace),
		cmocka_unit_test(test_base64_base64__rejects_invalid),
		cmocka_unit_test(test_base64_base64__rejects_embedded_nul),
		cmocka_unit_test(test_base64_base64__appends),
		cmocka_unit_test(test_base64_base64__respects_max),
		cmocka_unit_test(test_base64_base64__round_trips),
		cmocka_unit_test(test_base64_base64__decodes_wrapped),
		cmocka_unit_test(test_base64_base64__strict_in_both_paths),
		cmocka_unit_test(test_base64_base64__invalid_before_too_large),
		cmocka_unit_test(test_base64_base64__matches_reference),
	};

	return cmocka_run_group_tests_name("base64::base64", tests, NULL, NULL);
}
