/* SPDX-License-Identifier: MIT */
/*
 * HOTP/TOTP (RFC 4226, RFC 6238) over OpenSSL's one-shot HMAC(), and a
 * Base32 decoder for authenticator seeds.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <saml2sts/secret.h>
#include <saml2sts/store.h>
#include <saml2sts/totp.h>

s2s_err s2s_hotp(char *out, const unsigned char *key, size_t key_len,
                 uint64_t counter, int digits, enum s2s_otp_alg alg,
                 struct s2s_error *err)
{
	static const uint32_t pow10[] = { 1000000u, 10000000u, 100000000u };
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	const EVP_MD *md;
	uint32_t bin;
	unsigned off;
	s2s_err rc = S2S_OK;

	if (!out || !key || key_len == 0 || key_len > 1024 || digits < 6 ||
	    digits > S2S_OTP_MAX_DIGITS)
		return s2s_error_set(err, S2S_EINVAL,
		                     "one-time code: bad key or digits");
	switch (alg) {
	case S2S_OTP_SHA1:
		md = EVP_sha1();
		break;
	case S2S_OTP_SHA256:
		md = EVP_sha256();
		break;
	case S2S_OTP_SHA512:
		md = EVP_sha512();
		break;
	default:
		return s2s_error_set(err, S2S_EINVAL,
		                     "one-time code: unknown algorithm");
	}
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xffu);
		counter >>= 8;
	}
	if (!HMAC(md, key, (int)key_len, msg, sizeof(msg), mac, &mac_len) ||
	    mac_len < 20) {
		rc = s2s_error_set(err, S2S_ERROR,
		                   "one-time code: HMAC failed");
		goto out;
	}
	off = mac[mac_len - 1] & 0x0fu;
	bin = ((uint32_t)(mac[off] & 0x7fu) << 24) |
	      ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	      (uint32_t)mac[off + 3];
	bin %= pow10[digits - 6];
	for (int i = digits - 1; i >= 0; i--) {
		out[i] = (char)('0' + bin % 10u);
		bin /= 10u;
	}
	out[digits] = '\0';
out:
	s2s_memzero(mac, sizeof(mac));
	s2s_memzero(msg, sizeof(msg));
	return rc;
}

s2s_err s2s_totp(char *out, const unsigned char *key, size_t key_len,
                 int64_t now, int step, int digits, enum s2s_otp_alg alg,
                 struct s2s_error *err)
{
	if (step <= 0 || now < 0)
		return s2s_error_set(err, S2S_EINVAL,
		                     "one-time code: bad time or step");
	return s2s_hotp(out, key, key_len, (uint64_t)(now / step), digits, alg,
	                err);
}

int s2s_totp_seconds_left(int64_t now, int step)
{
	if (step <= 0 || now < 0)
		return 0;
	return (int)(step - now % step);
}

static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

s2s_err s2s_base32_decode(struct s2s_buf *out, const char *text,
                          struct s2s_error *err)
{
	uint32_t acc = 0;
	int bits = 0;
	bool pad = false;
	unsigned char byte = 0;
	s2s_err rc = S2S_OK;

	s2s_buf_release(out);
	s2s_buf_init(out, true);
	for (const char *p = text ? text : ""; *p && !rc; p++) {
		int v;

		if (*p == ' ' || *p == '-' || *p == '\t' || *p == '\n' ||
		    *p == '\r')
			continue;
		if (*p == '=') {
			pad = true;
			continue;
		}
		v = b32_value(*p);
		if (v < 0 || pad) {
			rc = S2S_EINVAL;
			break;
		}
		acc = ((acc << 5) | (uint32_t)v) & 0xffffu;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			byte = (unsigned char)((acc >> bits) & 0xffu);
			if (s2s_buf_add(out, &byte, 1))
				rc = S2S_ENOMEM;
		}
	}
	acc = 0;
	byte = 0;
	if (!rc && out->len < 10)
		rc = S2S_EINVAL;
	if (!rc && s2s_buf_terminate(out))
		rc = S2S_ENOMEM;
	if (rc) {
		s2s_buf_release(out);
		rc = rc == S2S_ENOMEM
		             ? s2s_error_set(err, rc, "out of memory")
		             : s2s_error_set(err, rc,
		                             "the TOTP seed is not Base32 of "
		                             "at least 80 bits");
	}
	return rc;
}

s2s_err s2s_totp_from_seed(char *out, const char *base32_seed, int64_t now,
                           struct s2s_error *err)
{
	struct s2s_buf key = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	rc = s2s_base32_decode(&key, base32_seed, err);
	if (!rc)
		rc = s2s_totp(out, (const unsigned char *)key.ptr, key.len, now,
		              S2S_TOTP_STEP, 6, S2S_OTP_SHA1, err);
	s2s_buf_release(&key);
	return rc;
}
