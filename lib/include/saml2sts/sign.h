/* SPDX-License-Identifier: MIT */
/*
 * Signatures of Alibaba Cloud API requests: the RPC HMAC-SHA1 signature
 * (SignatureVersion=1.0, "V2" in current docs) that STS and RAM take,
 * and ACS3-HMAC-SHA256 ("V3").  Pure functions over OpenSSL (HMAC,
 * SHA-256, RAND_bytes): no network, no clock except the default
 * Timestamp of s2s_sign_rpc_form().  Sending the request is rpc.h's.
 */
#ifndef S2S_SIGN_H
#define S2S_SIGN_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"

/* One request parameter or header (borrowed strings). */
struct s2s_sign_param {
	const char *name;
	const char *value;
};

/* A signing key: AccessKeyId, AccessKeySecret (secret) and, for STS
 * keys, SecurityToken (secret; NULL for a RAM user's key). */
struct s2s_sign_key {
	const char *id;
	const char *secret;
	const char *token;
};

/* base64 of a 20-byte HMAC-SHA1, with its NUL. */
#define S2S_SIGN_B64_SHA1 29
/* lower-case hex of a 32-byte digest, with its NUL. */
#define S2S_SIGN_HEX_SHA256 65

/* Append s percent-encoded as both signatures want it: A-Z a-z 0-9 - _ .
 * ~ kept, every other byte %XY in upper-case hex (a space is %20, never
 * '+').  S2S_ENOMEM on failure. */
s2s_err s2s_sign_pe(struct s2s_buf *out, const char *s, struct s2s_error *err);

/* The RPC StringToSign: method "&%2F&" pe(the n parameters sorted by
 * name in byte order, pe(name)=pe(value) joined by '&'). */
s2s_err s2s_sign_rpc_string(struct s2s_buf *out, const char *method,
                            const struct s2s_sign_param *params, size_t n,
                            struct s2s_error *err);

/* base64(HMAC-SHA1(key, data)) into out. */
s2s_err s2s_sign_hmac_sha1_b64(char out[S2S_SIGN_B64_SHA1], const void *key,
                               size_t key_len, const void *data, size_t len,
                               struct s2s_error *err);

/* The RPC signature of the n parameters (every one but Signature):
 * base64(HMAC-SHA1(secret "&", StringToSign)). */
s2s_err s2s_sign_rpc(char out[S2S_SIGN_B64_SHA1], const char *method,
                     const struct s2s_sign_param *params, size_t n,
                     const char *secret, struct s2s_error *err);

/* A signed RPC call's parameters. */
struct s2s_sign_rpc_call {
	const char *method;                  /* "POST" or "GET" */
	const char *action;                  /* "AssumeRole" */
	const char *version;                 /* "2015-04-01" */
	const struct s2s_sign_param *params; /* the action's; values may be
	                                      * secret */
	size_t n;
	const char *nonce; /* NULL: 16 bytes from RAND_bytes, in hex */
	time_t timestamp;  /* 0: now */
};

/* The whole request as application/x-www-form-urlencoded text appended
 * to out (make it a secret buffer: it holds SecurityToken): the call's
 * parameters, Action, Version, Format=JSON, AccessKeyId,
 * SignatureMethod=HMAC-SHA1, SignatureVersion=1.0, SignatureNonce,
 * Timestamp (YYYY-MM-DDTHH:MM:SSZ), SecurityToken when key has one, and
 * Signature. */
s2s_err s2s_sign_rpc_form(struct s2s_buf *out,
                          const struct s2s_sign_rpc_call *call,
                          const struct s2s_sign_key *key,
                          struct s2s_error *err);

/* lowerhex(SHA-256(data)). */
void s2s_sign_sha256_hex(char out[S2S_SIGN_HEX_SHA256], const void *data,
                         size_t len);

/* An ACS3 request: every header given is signed (names compared
 * case-insensitively; repeated ones merged, values sorted and joined by
 * ','); payload_hash is lowerhex(SHA-256(body)). */
struct s2s_sign_acs3 {
	const char *method;
	const char *path; /* "/" for RPC-style APIs */
	const struct s2s_sign_param *query;
	size_t nquery;
	const struct s2s_sign_param *headers;
	size_t nheaders;
	const char *payload_hash;
};

/* The CanonicalRequest into canonical and the SignedHeaders list into
 * signed_headers (either may be NULL). */
s2s_err s2s_sign_acs3_canonical(struct s2s_buf *canonical,
                                struct s2s_buf *signed_headers,
                                const struct s2s_sign_acs3 *req,
                                struct s2s_error *err);

/* The Authorization header value, "ACS3-HMAC-SHA256 Credential=<id>,
 * SignedHeaders=<list>,Signature=<hex>", appended to out. */
s2s_err s2s_sign_acs3(struct s2s_buf *out, const struct s2s_sign_acs3 *req,
                      const char *key_id, const char *secret,
                      struct s2s_error *err);

#endif
