/* SPDX-License-Identifier: MIT */
/*
 * One-time codes: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1,
 * -256 or -512, 6 to 8 digits, and the Base32 (RFC 4648) seeds that
 * authenticator apps use.  Keys are secrets: callers keep them in secret
 * buffers; nothing here logs or keeps a copy.
 */
#ifndef S2S_TOTP_H
#define S2S_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "error.h"

enum s2s_otp_alg {
	S2S_OTP_SHA1,
	S2S_OTP_SHA256,
	S2S_OTP_SHA512,
};

#define S2S_TOTP_STEP      30 /* seconds */
#define S2S_OTP_MAX_DIGITS 8

/* HOTP value for counter: digits (6..8) decimal digits and a NUL in
 * out (at least S2S_OTP_MAX_DIGITS + 1 bytes). */
s2s_err s2s_hotp(char *out, const unsigned char *key, size_t key_len,
                 uint64_t counter, int digits, enum s2s_otp_alg alg,
                 struct s2s_error *err);

/* TOTP value at Unix time now (T0 = 0, step seconds, > 0). */
s2s_err s2s_totp(char *out, const unsigned char *key, size_t key_len,
                 int64_t now, int step, int digits, enum s2s_otp_alg alg,
                 struct s2s_error *err);

/* Decode a Base32 seed (case-insensitive, spaces and '-' ignored,
 * '=' padding optional) into out (made secret).  S2S_EINVAL when it is
 * not Base32 or shorter than 10 bytes (80 bits). */
s2s_err s2s_base32_decode(struct s2s_buf *out, const char *text,
                          struct s2s_error *err);

/* The usual authenticator-app code for a Base32 seed at time now:
 * HMAC-SHA-1, 6 digits, 30 s. */
s2s_err s2s_totp_from_seed(char *out, const char *base32_seed, int64_t now,
                           struct s2s_error *err);

/* The kind of the store item holding a TOTP seed. */
#define S2S_TOTP_SEED_KIND "totp-seed"

/* Seconds left in the current step at time now. */
int s2s_totp_seconds_left(int64_t now, int step);

#endif
