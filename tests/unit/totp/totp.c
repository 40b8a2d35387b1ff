/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/totp.c (RFC 4226 / RFC 6238 vectors, Base32) and
 * lib/poll.c (backoff, deadline, cancel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/poll.h>
#include <saml2sts/totp.h>

static const unsigned char seed20[] = "12345678901234567890";
static const unsigned char seed32[] = "12345678901234567890123456789012";
static const unsigned char seed64[] =
        "1234567890123456789012345678901234567890123456789012345678901234";

static void test_totp_hotp__rfc4226_vectors(void **state)
{
	static const char *const want[] = { "755224", "287082", "359152",
		                            "969429", "338314", "254676",
		                            "287922", "162583", "399871",
		                            "520489" };
	struct s2s_error err = S2S_ERROR_INIT;
	char out[S2S_OTP_MAX_DIGITS + 1];

	(void)state;
	for (uint64_t c = 0; c < 10; c++) {
		assert_int_equal(S2S_OK, s2s_hotp(out, seed20, 20, c, 6,
		                                  S2S_OTP_SHA1, &err));
		assert_string_equal(want[c], out);
	}
}

static void test_totp_totp__rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59, "94287082", "46119246", "90693936" },
		{ 1111111109, "07081804", "68084774", "25091201" },
		{ 1111111111, "14050471", "67062674", "99943326" },
		{ 1234567890, "89005924", "91819424", "93441116" },
		{ 2000000000, "69279037", "90698825", "38618901" },
		{ 20000000000LL, "65353130", "77737706", "47863826" },
	};
	struct s2s_error err = S2S_ERROR_INIT;
	char out[S2S_OTP_MAX_DIGITS + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(S2S_OK, s2s_totp(out, seed20, 20, v[i].t, 30,
		                                  8, S2S_OTP_SHA1, &err));
		assert_string_equal(v[i].sha1, out);
		assert_int_equal(S2S_OK, s2s_totp(out, seed32, 32, v[i].t, 30,
		                                  8, S2S_OTP_SHA256, &err));
		assert_string_equal(v[i].sha256, out);
		assert_int_equal(S2S_OK, s2s_totp(out, seed64, 64, v[i].t, 30,
		                                  8, S2S_OTP_SHA512, &err));
		assert_string_equal(v[i].sha512, out);
	}
	/* the wrong (20-byte) seed with SHA-256 must not match */
	assert_int_equal(S2S_OK, s2s_totp(out, seed20, 20, 59, 30, 8,
	                                  S2S_OTP_SHA256, &err));
	assert_string_equal("32247374", out);
	/* 7 digits: the low 7 of the 8 */
	assert_int_equal(S2S_OK, s2s_totp(out, seed20, 20, 59, 30, 7,
	                                  S2S_OTP_SHA1, &err));
	assert_string_equal("4287082", out);
}

static void test_totp_totp__rejects_bad_arguments(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char out[S2S_OTP_MAX_DIGITS + 1];

	(void)state;
	assert_int_equal(S2S_EINVAL, s2s_totp(out, seed20, 20, 59, 30, 5,
	                                      S2S_OTP_SHA1, &err));
	assert_int_equal(S2S_EINVAL, s2s_totp(out, seed20, 20, 59, 30, 9,
	                                      S2S_OTP_SHA1, &err));
	assert_int_equal(S2S_EINVAL, s2s_totp(out, seed20, 20, 59, 0, 6,
	                                      S2S_OTP_SHA1, &err));
	assert_int_equal(S2S_EINVAL,
	                 s2s_hotp(out, seed20, 0, 1, 6, S2S_OTP_SHA1, &err));
	assert_int_equal(30, s2s_totp_seconds_left(60, 30));
	assert_int_equal(1, s2s_totp_seconds_left(59, 30));
}

static void test_totp_base32__decodes_seeds(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	char out[S2S_OTP_MAX_DIGITS + 1];

	(void)state;
	assert_int_equal(S2S_OK,
	                 s2s_base32_decode(
	                         &b, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", &err));
	assert_int_equal(20, b.len);
	assert_memory_equal(seed20, b.ptr, 20);
	assert_true(b.secret);
	/* lowercase, spaces, dashes and padding */
	assert_int_equal(S2S_OK, s2s_base32_decode(&b,
	                                           "gezd gnbv-gy3t qojq gezd "
	                                           "gnbv gy3t qojq====",
	                                           &err));
	assert_int_equal(20, b.len);
	assert_memory_equal(seed20, b.ptr, 20);
	assert_int_equal(S2S_EINVAL, s2s_base32_decode(&b, "GEZDGNBV1", &err));
	assert_int_equal(S2S_EINVAL, s2s_base32_decode(&b, "GEZDGNBV", &err));
	assert_int_equal(S2S_EINVAL,
	                 s2s_base32_decode(&b, "GEZDGNBVGY3TQOJQ=GEZD", &err));
	assert_int_equal(S2S_EINVAL, s2s_base32_decode(&b, "", &err));
	assert_null(b.ptr);
	assert_int_equal(S2S_OK,
	                 s2s_totp_from_seed(out,
	                                    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
	                                    59, &err));
	assert_string_equal("287082", out);
	s2s_buf_release(&b);
}

static void test_totp_poll__backoff_deadline_cancel(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_poll p;
	volatile int cancel = 0;
	long long t0;

	(void)state;
	s2s_poll_init(&p, 10, 40, 2.0, 0);
	assert_int_equal(S2S_OK, s2s_poll_wait(&p, "push", &err));
	assert_int_equal(20, p.interval_ms);
	assert_int_equal(S2S_OK, s2s_poll_wait(&p, "push", &err));
	assert_int_equal(S2S_OK, s2s_poll_wait(&p, "push", &err));
	assert_int_equal(40, p.interval_ms);

	t0 = s2s_poll_now_ms();
	s2s_poll_init(&p, 1000, 1000, 1.0, 150);
	assert_int_equal(S2S_OK, s2s_poll_wait(&p, "push", &err));
	assert_true(s2s_poll_now_ms() - t0 < 900); /* cut at the deadline */
	assert_true(s2s_poll_expired(&p));
	assert_int_equal(S2S_EMFA, s2s_poll_wait(&p, "push", &err));
	assert_string_equal("push: timed out", err.msg);

	s2s_error_clear(&err);
	s2s_poll_init(&p, 5000, 5000, 1.0, 0);
	cancel = 1;
	p.cancel = &cancel;
	t0 = s2s_poll_now_ms();
	assert_int_equal(S2S_ECANCELLED, s2s_poll_wait(&p, "push", &err));
	assert_true(s2s_poll_now_ms() - t0 < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp_hotp__rfc4226_vectors),
		cmocka_unit_test(test_totp_totp__rfc6238_vectors),
		cmocka_unit_test(test_totp_totp__rejects_bad_arguments),
		cmocka_unit_test(test_totp_base32__decodes_seeds),
		cmocka_unit_test(test_totp_poll__backoff_deadline_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
