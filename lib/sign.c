/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud request signatures: RPC HMAC-SHA1 (SignatureVersion=1.0)
 * and ACS3-HMAC-SHA256, exactly as the protocol notes give them (and as
 * their published vectors check).  The crypto is OpenSSL's; this file
 * only builds the canonical strings.  Every buffer that may hold a
 * SecurityToken or a key is a secret buffer.  No network, no I/O.
 */
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common.h"
#include "saml2sts/isotime.h"
#include "saml2sts/sign.h"

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

static s2s_err nomem(struct s2s_error *err)
{
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

/* Hand-written rather than curl_easy_escape(): the same rule, but the
 * output goes straight into our (secret) buffer, so a SecurityToken
 * leaves no unwiped copy in libcurl's allocations. */
static s2s_err pe_n(struct s2s_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	s2s_err rc = S2S_OK;

	while (!rc && i < len) {
		size_t run = i;
		char esc[3];

		while (run < len && unreserved(p[run]))
			run++;
		if (run > i)
			rc = s2s_buf_add(out, s + i, run - i);
		if (rc || run == len)
			break;
		esc[0] = '%';
		esc[1] = hex_upper[p[run] >> 4];
		esc[2] = hex_upper[p[run] & 15];
		rc = s2s_buf_add(out, esc, 3);
		i = run + 1;
	}
	return rc;
}

s2s_err s2s_sign_pe(struct s2s_buf *out, const char *s, struct s2s_error *err)
{
	if (pe_n(out, s, strlen(s)))
		return nomem(err);
	return S2S_OK;
}

static void hex(char *out, const unsigned char *md, size_t n,
                const char *digits)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ------------------------------------------------------------------ */
/* RPC HMAC-SHA1 */

static int cmp_param(const void *a, const void *b)
{
	const struct s2s_sign_param *x =
	        *(const struct s2s_sign_param *const *)a;
	const struct s2s_sign_param *y =
	        *(const struct s2s_sign_param *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

/* Pointers to params, sorted by name in byte order (then value). */
static const struct s2s_sign_param **sorted(const struct s2s_sign_param *params,
                                            size_t n)
{
	const struct s2s_sign_param **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = &params[i];
	qsort(v, n, sizeof(*v), cmp_param);
	return v;
}

/* pe(name)=pe(value) joined by '&', in sorted order. */
static s2s_err canonical_query(struct s2s_buf *out,
                               const struct s2s_sign_param *params, size_t n,
                               bool encode_names)
{
	const struct s2s_sign_param **v = sorted(params, n);
	s2s_err rc = v ? S2S_OK : S2S_ENOMEM;

	for (size_t i = 0; !rc && i < n; i++) {
		if (i)
			rc = s2s_buf_add(out, "&", 1);
		if (!rc)
			rc = encode_names
			             ? pe_n(out, v[i]->name, strlen(v[i]->name))
			             : s2s_buf_puts(out, v[i]->name);
		if (!rc)
			rc = s2s_buf_add(out, "=", 1);
		if (!rc)
			rc = pe_n(out, v[i]->value, strlen(v[i]->value));
	}
	if (!rc)
		rc = s2s_buf_terminate(out);
	free(v);
	return rc;
}

s2s_err s2s_sign_rpc_string(struct s2s_buf *out, const char *method,
                            const struct s2s_sign_param *params, size_t n,
                            struct s2s_error *err)
{
	struct s2s_buf q = S2S_BUF_SECRET_INIT; /* may hold SecurityToken */
	s2s_err rc;

	S2S_ASSERT_ARG(method);
	rc = canonical_query(&q, params, n, true);
	if (!rc)
		rc = s2s_buf_puts(out, method);
	if (!rc)
		rc = s2s_buf_puts(out, "&%2F&");
	if (!rc)
		rc = pe_n(out, q.ptr, q.len);
	if (!rc)
		rc = s2s_buf_terminate(out);
	s2s_buf_release(&q);
	return rc ? nomem(err) : S2S_OK;
}

s2s_err s2s_sign_hmac_sha1_b64(char out[S2S_SIGN_B64_SHA1], const void *key,
                               size_t key_len, const void *data, size_t len,
                               struct s2s_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	out[0] = '\0';
	if (key_len > INT32_MAX ||
	    !HMAC(EVP_sha1(), key, (int)key_len, data, len, md, &md_len) ||
	    md_len != 20)
		return s2s_error_set(err, S2S_ERROR, "HMAC-SHA1 failed");
	EVP_EncodeBlock((unsigned char *)out, md, 20);
	s2s_memzero(md, sizeof(md));
	return S2S_OK;
}

s2s_err s2s_sign_rpc(char out[S2S_SIGN_B64_SHA1], const char *method,
                     const struct s2s_sign_param *params, size_t n,
                     const char *secret, struct s2s_error *err)
{
	struct s2s_buf sts = S2S_BUF_SECRET_INIT, key = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	out[0] = '\0';
	S2S_ASSERT_ARG(secret);
	rc = s2s_sign_rpc_string(&sts, method, params, n, err);
	if (!rc && (s2s_buf_puts(&key, secret) || s2s_buf_add(&key, "&", 1)))
		rc = nomem(err);
	if (!rc)
		rc = s2s_sign_hmac_sha1_b64(out, key.ptr, key.len, sts.ptr,
		                            sts.len, err);
	s2s_buf_release(&key);
	s2s_buf_release(&sts);
	return rc;
}

static s2s_err form_add(struct s2s_buf *out, const char *name,
                        const char *value)
{
	s2s_err rc = S2S_OK;

	if (out->len)
		rc = s2s_buf_add(out, "&", 1);
	if (!rc)
		rc = pe_n(out, name, strlen(name));
	if (!rc)
		rc = s2s_buf_add(out, "=", 1);
	if (!rc)
		rc = pe_n(out, value, strlen(value));
	return rc;
}

enum { COMMON_MAX = 9 };

s2s_err s2s_sign_rpc_form(struct s2s_buf *out,
                          const struct s2s_sign_rpc_call *call,
                          const struct s2s_sign_key *key, struct s2s_error *err)
{
	struct s2s_sign_param *all = NULL;
	char nonce[33], ts[32], sig[S2S_SIGN_B64_SHA1];
	unsigned char rnd[16];
	size_t n = 0;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(call && call->method && call->action && call->version);
	S2S_ASSERT_ARG(key && key->id && key->secret);
	all = calloc(call->n + COMMON_MAX, sizeof(*all));
	if (!all)
		return nomem(err);
	for (size_t i = 0; i < call->n; i++)
		all[n++] = call->params[i];
	if (!call->nonce) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			rc = s2s_error_set(err, S2S_ERROR, "no random bytes");
			goto out;
		}
		hex(nonce, rnd, sizeof(rnd), hex_lower);
	}
	s2s_time_format_utc(ts, sizeof(ts),
	                    call->timestamp ? call->timestamp : time(NULL));
	all[n++] = (struct s2s_sign_param){ "Action", call->action };
	all[n++] = (struct s2s_sign_param){ "Version", call->version };
	all[n++] = (struct s2s_sign_param){ "Format", "JSON" };
	all[n++] = (struct s2s_sign_param){ "AccessKeyId", key->id };
	all[n++] = (struct s2s_sign_param){ "SignatureMethod", "HMAC-SHA1" };
	all[n++] = (struct s2s_sign_param){ "SignatureVersion", "1.0" };
	all[n++] = (struct s2s_sign_param){ "SignatureNonce",
		                            call->nonce ? call->nonce : nonce };
	all[n++] = (struct s2s_sign_param){ "Timestamp", ts };
	if (key->token)
		all[n++] =
		        (struct s2s_sign_param){ "SecurityToken", key->token };
	rc = s2s_sign_rpc(sig, call->method, all, n, key->secret, err);
	for (size_t i = 0; !rc && i < n; i++)
		if (form_add(out, all[i].name, all[i].value))
			rc = nomem(err);
	if (!rc && (form_add(out, "Signature", sig) || s2s_buf_terminate(out)))
		rc = nomem(err);
out:
	s2s_memzero(rnd, sizeof(rnd));
	free(all);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ACS3-HMAC-SHA256 */

void s2s_sign_sha256_hex(char out[S2S_SIGN_HEX_SHA256], const void *data,
                         size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	hex(out, md, sizeof(md), hex_lower);
}

struct hdr {
	char *name; /* lower case */
	const char *value;
	size_t len; /* of the trimmed value */
};

static int cmp_hdr(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	size_t n = x->len < y->len ? x->len : y->len;

	if (c)
		return c;
	c = memcmp(x->value, y->value, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void hdrs_free(struct hdr *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		free(h[i].name);
	free(h);
}

/* The headers, lower-cased, values trimmed, sorted by name then value. */
static struct hdr *hdrs_sorted(const struct s2s_sign_acs3 *req)
{
	struct hdr *h = calloc(req->nheaders ? req->nheaders : 1, sizeof(*h));

	if (!h)
		return NULL;
	for (size_t i = 0; i < req->nheaders; i++) {
		const char *v = req->headers[i].value;
		size_t len = strlen(v);

		h[i].name = strdup(req->headers[i].name);
		if (!h[i].name) {
			hdrs_free(h, i);
			return NULL;
		}
		for (char *p = h[i].name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		s2s__trim(&v, &len, " \t");
		h[i].value = v;
		h[i].len = len;
	}
	qsort(h, req->nheaders, sizeof(*h), cmp_hdr);
	return h;
}

/* "name:v1,v2\n" per name, and "name;name" */
static s2s_err canonical_headers(struct s2s_buf *ch, struct s2s_buf *sh,
                                 const struct hdr *h, size_t n)
{
	s2s_err rc = S2S_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		bool same = i && strcmp(h[i].name, h[i - 1].name) == 0;

		if (same) {
			rc = s2s_buf_add(ch, ",", 1);
		} else {
			if (i)
				rc = s2s_buf_add(ch, "\n", 1);
			if (!rc && sh->len)
				rc = s2s_buf_add(sh, ";", 1);
			if (!rc)
				rc = s2s_buf_puts(sh, h[i].name);
			if (!rc)
				rc = s2s_buf_puts(ch, h[i].name);
			if (!rc)
				rc = s2s_buf_add(ch, ":", 1);
		}
		if (!rc)
			rc = s2s_buf_add(ch, h[i].value, h[i].len);
	}
	if (!rc && n)
		rc = s2s_buf_add(ch, "\n", 1);
	return rc;
}

/* The path with each segment percent-encoded, '/' kept. */
static s2s_err canonical_uri(struct s2s_buf *out, const char *path)
{
	s2s_err rc = S2S_OK;

	if (!path || !*path)
		return s2s_buf_add(out, "/", 1);
	while (!rc && *path) {
		size_t seg = strcspn(path, "/");

		rc = pe_n(out, path, seg);
		path += seg;
		if (!rc && *path == '/') {
			rc = s2s_buf_add(out, "/", 1);
			path++;
		}
	}
	return rc;
}

s2s_err s2s_sign_acs3_canonical(struct s2s_buf *canonical,
                                struct s2s_buf *signed_headers,
                                const struct s2s_sign_acs3 *req,
                                struct s2s_error *err)
{
	struct s2s_buf cr = S2S_BUF_SECRET_INIT, ch = S2S_BUF_SECRET_INIT;
	struct s2s_buf sh = S2S_BUF_INIT;
	struct hdr *h = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(req && req->method && req->payload_hash);
	h = hdrs_sorted(req);
	rc = h ? S2S_OK : S2S_ENOMEM;
	if (!rc)
		rc = canonical_headers(&ch, &sh, h, req->nheaders);
	if (!rc)
		rc = s2s_buf_puts(&cr, req->method);
	if (!rc)
		rc = s2s_buf_add(&cr, "\n", 1);
	if (!rc)
		rc = canonical_uri(&cr, req->path);
	if (!rc)
		rc = s2s_buf_add(&cr, "\n", 1);
	if (!rc)
		rc = canonical_query(&cr, req->query, req->nquery, true);
	if (!rc)
		rc = s2s_buf_add(&cr, "\n", 1);
	if (!rc && ch.len)
		rc = s2s_buf_add(&cr, ch.ptr, ch.len);
	if (!rc)
		rc = s2s_buf_add(&cr, "\n", 1);
	if (!rc && sh.len)
		rc = s2s_buf_add(&cr, sh.ptr, sh.len);
	if (!rc)
		rc = s2s_buf_add(&cr, "\n", 1);
	if (!rc)
		rc = s2s_buf_puts(&cr, req->payload_hash);
	if (!rc && canonical)
		rc = s2s_buf_add(canonical, cr.ptr, cr.len);
	if (!rc && canonical)
		rc = s2s_buf_terminate(canonical);
	if (!rc && signed_headers)
		rc = s2s_buf_add(signed_headers, sh.ptr ? sh.ptr : "", sh.len);
	if (!rc && signed_headers)
		rc = s2s_buf_terminate(signed_headers);
	hdrs_free(h, req->nheaders);
	s2s_buf_release(&cr);
	s2s_buf_release(&ch);
	s2s_buf_release(&sh);
	return rc ? nomem(err) : S2S_OK;
}

s2s_err s2s_sign_acs3(struct s2s_buf *out, const struct s2s_sign_acs3 *req,
                      const char *key_id, const char *secret,
                      struct s2s_error *err)
{
	struct s2s_buf cr = S2S_BUF_SECRET_INIT, sh = S2S_BUF_INIT;
	char digest[S2S_SIGN_HEX_SHA256], sig[S2S_SIGN_HEX_SHA256];
	char sts[sizeof("ACS3-HMAC-SHA256\n") + S2S_SIGN_HEX_SHA256];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	size_t secret_len;
	s2s_err rc;

	S2S_ASSERT_ARG(key_id && secret);
	secret_len = strlen(secret);
	rc = s2s_sign_acs3_canonical(&cr, &sh, req, err);
	if (rc)
		goto out;
	s2s_sign_sha256_hex(digest, cr.ptr, cr.len);
	snprintf(sts, sizeof(sts), "ACS3-HMAC-SHA256\n%s", digest);
	if (secret_len > INT32_MAX ||
	    !HMAC(EVP_sha256(), secret, (int)secret_len,
	          (const unsigned char *)sts, strlen(sts), md, &md_len) ||
	    md_len != SHA256_DIGEST_LENGTH) {
		rc = s2s_error_set(err, S2S_ERROR, "HMAC-SHA256 failed");
		goto out;
	}
	hex(sig, md, SHA256_DIGEST_LENGTH, hex_lower);
	if (s2s_buf_puts(out, "ACS3-HMAC-SHA256 Credential=") ||
	    s2s_buf_puts(out, key_id) || s2s_buf_puts(out, ",SignedHeaders=") ||
	    s2s_buf_puts(out, sh.ptr) || s2s_buf_puts(out, ",Signature=") ||
	    s2s_buf_puts(out, sig))
		rc = nomem(err);
out:
	s2s_memzero(md, sizeof(md));
	s2s_buf_release(&cr);
	s2s_buf_release(&sh);
	return rc;
}
