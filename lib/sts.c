/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud STS AssumeRoleWithSAML (Version 2015-04-01).  The API is
 * anonymous: no signature.  Common parameters go in the query, the
 * business ones (with the ~10 kB assertion) in a form body, so the
 * assertion never sits in a URL that proxies log.  Redirects are not
 * followed: the assertion goes to the configured endpoint and nowhere
 * else.  This module does not choose roles or store anything.
 */
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "json.h"
#include "common.h"
#include "http_int.h"
#include "saml2sts/isotime.h"
#include "saml2sts/saml.h"
#include "saml2sts/sts.h"

static bool region_valid(const char *r)
{
	if (!*r || strlen(r) > 64)
		return false;
	for (const char *p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return false;
	return true;
}

s2s_err s2s_sts_endpoint(char **out, const char *region, const char *override,
                         struct s2s_error *err)
{
	struct s2s_buf b = S2S_BUF_INIT;
	size_t n;

	*out = NULL;
	if (override && *override) {
		if (!s2s_url_allowed(override))
			return s2s_error_set(err, S2S_ECONFIG,
			                     "sts_endpoint must be an https "
			                     "URL (http only to loopback)");
		n = strlen(override);
		while (n && override[n - 1] == '/')
			n--;
		if (s2s_buf_add(&b, override, n))
			goto nomem;
	} else if (region && *region) {
		if (!region_valid(region))
			return s2s_error_set(err, S2S_ECONFIG,
			                     "region '%s' is not a region id",
			                     region);
		if (s2s_buf_printf(&b, "https://sts.%s.aliyuncs.com", region))
			goto nomem;
	} else if (s2s_buf_puts(&b, "https://sts.aliyuncs.com")) {
		goto nomem;
	}
	*out = s2s_buf_detach(&b, NULL);
	if (!*out)
		goto nomem;
	return S2S_OK;
nomem:
	s2s_buf_release(&b);
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

long s2s_sts_duration(long requested, long session_duration)
{
	long d = requested > 0 ? requested : S2S_STS_DEFAULT_DURATION;

	if (session_duration > 0 && d > session_duration)
		d = session_duration;
	if (d < S2S_STS_MIN_DURATION)
		d = S2S_STS_MIN_DURATION;
	if (d > S2S_STS_MAX_DURATION)
		d = S2S_STS_MAX_DURATION;
	return d;
}

static s2s_err build_url(struct s2s_buf *url, const char *endpoint,
                         struct s2s_error *err)
{
	unsigned char nonce[16];
	char ts[32];
	s2s_err rc;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return s2s_error_set(err, S2S_ERROR, "no random bytes");
	s2s_time_format_utc(ts, sizeof(ts), time(NULL));
	rc = s2s_buf_printf(url,
	                    "%s/?Action=AssumeRoleWithSAML&Version=2015-04-01"
	                    "&Format=JSON&Timestamp=",
	                    endpoint);
	/* ':' is reserved in a query value: percent-encode the time. */
	for (const char *p = ts; !rc && *p; p++)
		rc = *p == ':' ? s2s_buf_puts(url, "%3A")
		               : s2s_buf_add(url, p, 1);
	if (!rc)
		rc = s2s_buf_puts(url, "&SignatureNonce=");
	for (size_t i = 0; !rc && i < sizeof(nonce); i++)
		rc = s2s_buf_printf(url, "%02x", nonce[i]);
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static s2s_err build_body(struct s2s_buf *body,
                          const struct s2s_sts_request *req,
                          struct s2s_error *err)
{
	char dur[32];
	s2s_err rc;

	rc = s2s_form_append(body, "SAMLProviderArn", req->provider_arn, err);
	if (!rc)
		rc = s2s_form_append(body, "RoleArn", req->role_arn, err);
	if (!rc)
		rc = s2s_form_append(body, "SAMLAssertion", req->saml_b64, err);
	if (!rc && req->duration > 0) {
		snprintf(dur, sizeof(dur), "%ld", req->duration);
		rc = s2s_form_append(body, "DurationSeconds", dur, err);
	}
	if (!rc && req->policy)
		rc = s2s_form_append(body, "Policy", req->policy, err);
	return rc;
}

/* A parsed answer becomes the credentials of req's role, unless they
 * are already expired or about to be: a clock far off or a broken STS
 * must not replace a token that still works. */
static s2s_err take_answer(struct s2s_creds **out,
                           const struct s2s_sts_request *req,
                           struct s2s_error *err)
{
	struct s2s_creds *c = *out;
	time_t now = time(NULL);
	char when[32];

	if (c->expiration < now + S2S_STS_MIN_LEFT) {
		s2s_time_format_utc(when, sizeof(when), c->expiration);
		s2s_creds_free(c);
		*out = NULL;
		return s2s_error_set(err, S2S_ESTS,
		                     "STS answered with credentials that "
		                     "expire at %s, already past or within a "
		                     "minute: check this machine's clock "
		                     "(date -u) and log in again",
		                     when);
	}
	if (!c->role_arn)
		c->role_arn = strdup(req->role_arn);
	c->provider_arn = strdup(req->provider_arn);
	if (!c->role_arn || !c->provider_arn) {
		s2s_creds_free(c);
		*out = NULL;
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	return S2S_OK;
}

s2s_err s2s_sts_assume_role_with_saml(struct s2s_creds **out,
                                      struct s2s_http *http,
                                      const struct s2s_sts_request *req,
                                      struct s2s_error *err)
{
	struct s2s_buf url = S2S_BUF_INIT, body = S2S_BUF_SECRET_INIT;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	static const char *const headers[] = { "Accept: application/json",
		                               NULL };
	struct s2s_http_request hr = { 0 };
	s2s_err rc;

	*out = NULL;
	S2S_ASSERT_ARG(req->endpoint && req->role_arn && req->provider_arn &&
	               req->saml_b64);
	if (req->saml_len > S2S_SAML_MAX_B64)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse is %zu characters; STS "
		                     "accepts at most %d",
		                     req->saml_len, S2S_SAML_MAX_B64);
	rc = build_url(&url, req->endpoint, err);
	if (!rc)
		rc = build_body(&body, req, err);
	if (rc)
		goto out;
	hr.method = "POST";
	hr.url = url.ptr;
	hr.body = body.ptr;
	hr.body_len = body.len;
	hr.content_type = "application/x-www-form-urlencoded";
	hr.headers = headers;
	/* The same assertion may be presented again: retrying is safe. */
	hr.flags = S2S_HTTP_IDEMPOTENT;
	rc = s2s_http_do(http, &hr, &resp, err);
	if (rc)
		goto out;
	rc = s2s_sts_parse_response(out, resp.status, resp.body.ptr,
	                            resp.body.len, err);
	if (!rc)
		rc = take_answer(out, req, err);
out:
	s2s_http_response_release(&resp);
	s2s_buf_release(&url);
	s2s_buf_release(&body);
	return rc;
}

static s2s_err parse_error(long status, struct json_object *obj,
                           struct s2s_error *err)
{
	const char *code = s2s__json_get_str(obj, "Code");
	const char *msg = s2s__json_get_str(obj, "Message");
	const char *rid = s2s__json_get_str(obj, "RequestId");

	if (!code)
		return s2s_error_set(err, S2S_ESTS,
		                     "STS answered HTTP %ld without an error "
		                     "code",
		                     status);
	return s2s_error_set(err, S2S_ESTS, "STS %s: %.120s%s%s%s", code,
	                     msg ? msg : "(no message)",
	                     rid ? " (RequestId " : "", rid ? rid : "",
	                     rid ? ")" : "");
}

static s2s_err parse_success(struct s2s_creds **out, struct json_object *obj,
                             struct s2s_error *err)
{
	struct json_object *cr = s2s__json_get(obj, "Credentials");
	struct json_object *user = s2s__json_get(obj, "AssumedRoleUser");
	const char *id = s2s__json_get_str(cr, "AccessKeyId");
	const char *secret = s2s__json_get_str(cr, "AccessKeySecret");
	const char *token = s2s__json_get_str(cr, "SecurityToken");
	const char *exp = s2s__json_get_str(cr, "Expiration");
	const char *arn = s2s__json_get_str(user, "Arn");
	struct s2s_creds *c;
	time_t t;

	if (!id || !*id || !secret || !*secret || !token || !*token || !exp)
		return s2s_error_set(err, S2S_ESTS,
		                     "STS answer lacks Credentials fields");
	if (!s2s_time_parse(&t, exp))
		return s2s_error_set(err, S2S_ESTS,
		                     "STS Expiration '%.40s' is not a UTC time",
		                     exp);
	c = s2s_creds_new();
	if (!c)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	c->access_key_id = strdup(id);
	c->access_key_secret = s2s_secret_strdup(secret);
	c->security_token = s2s_secret_strdup(token);
	c->assumed_role_arn = arn ? strdup(arn) : NULL;
	c->expiration = t;
	c->issued = time(NULL);
	if (!c->access_key_id || !c->access_key_secret || !c->security_token ||
	    (arn && !c->assumed_role_arn)) {
		s2s_creds_free(c);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	*out = c;
	return S2S_OK;
}

s2s_err s2s_sts_parse_response(struct s2s_creds **out, long status,
                               const char *body, size_t len,
                               struct s2s_error *err)
{
	struct json_object *obj;
	s2s_err rc;

	*out = NULL;
	obj = body ? s2s_json_parse(body, len) : NULL;
	if (!obj)
		return s2s_error_set(err, status >= 500 ? S2S_ENET : S2S_ESTS,
		                     "STS answered HTTP %ld with a body that "
		                     "is not JSON",
		                     status);
	if (status == 200 && s2s__json_get(obj, "Credentials"))
		rc = parse_success(out, obj, err);
	else
		rc = parse_error(status, obj, err);
	s2s_json_put_wiped(obj);
	return rc;
}

/* One transfer of s2s_sts_assume_many. */
struct many_xfer {
	CURL *easy;
	struct s2s_buf url;
	struct s2s_buf body;  /* secret: holds the assertion */
	struct s2s_buf reply; /* secret: holds the credentials */
	struct s2s__http_sink sink;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
};

/* The session's options (TLS, CA bundle, proxy, timeouts, trace, error
 * buffer, body cap) from http.c, then this transfer's request. */
static s2s_err many_setup(struct many_xfer *x, struct s2s_http *http,
                          const struct s2s_sts_request *req,
                          struct s2s_error *err)
{
	struct curl_slist *h;
	s2s_err rc;

	s2s_buf_init(&x->url, false);
	s2s_buf_init(&x->body, true);
	s2s_buf_init(&x->reply, true);
	x->reply.max = s2s_http_options(http)->max_body;
	x->sink.body = &x->reply;
	x->sink.too_large = false;
	rc = build_url(&x->url, req->endpoint, err);
	if (!rc)
		rc = build_body(&x->body, req, err);
	if (rc)
		return rc;
	h = curl_slist_append(NULL, "Accept: application/json");
	x->headers = h ? curl_slist_append(h, "Content-Type: application/"
	                                      "x-www-form-urlencoded")
	               : NULL;
	x->easy = curl_easy_init();
	if (!h || !x->headers || !x->easy) {
		if (!x->headers)
			curl_slist_free_all(h);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	s2s__http_setup_easy(http, x->easy, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url.ptr);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body.ptr);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)x->body.len);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, &x->sink);
	return S2S_OK;
}

static void many_release(struct many_xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	s2s_buf_release(&x->url);
	s2s_buf_release(&x->body);
	s2s_buf_release(&x->reply);
}

s2s_err s2s_sts_assume_many(struct s2s_sts_result *results,
                            struct s2s_http *http,
                            const struct s2s_sts_request *reqs, size_t n)
{
	struct many_xfer *x = calloc(n ? n : 1, sizeof(*x));
	CURLcode *codes = calloc(n ? n : 1, sizeof(*codes));
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < n; i++) {
		results[i].creds = NULL;
		s2s_error_clear(&results[i].err);
		results[i].rc = S2S_OK;
	}
	if (!x || !codes) {
		rc = S2S_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = many_setup(&x[i], http, &reqs[i], &results[i].err);
	if (!rc) {
		CURL **easy = calloc(n ? n : 1, sizeof(*easy));

		for (size_t i = 0; easy && i < n; i++)
			easy[i] = x[i].easy;
		if (easy)
			s2s__http_run(http, easy, codes, n);
		else
			rc = s2s_error_set(&results[0].err, S2S_ENOMEM,
			                   "out of memory");
		free(easy);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		struct s2s_sts_result *r = &results[i];
		long status = 0;

		curl_easy_getinfo(x[i].easy, CURLINFO_RESPONSE_CODE, &status);
		if (codes[i] != CURLE_OK)
			s2s__http_trace(http, "! STS %s",
			                x[i].errbuf[0]
			                        ? x[i].errbuf
			                        : curl_easy_strerror(codes[i]));
		else
			s2s__http_trace(http, "< STS %ld (%zu bytes)", status,
			                x[i].reply.len);
		if (codes[i] == CURLE_ABORTED_BY_CALLBACK) { /* cancel flag */
			r->rc = s2s_error_set(&r->err, S2S_ECANCELLED,
			                      "cancelled");
			continue;
		}
		if (codes[i] != CURLE_OK || status == 502 || status == 503 ||
		    status == 504 || x[i].sink.too_large) {
			/* the one-by-one path has the retries and the
			 * transport error messages */
			r->rc = s2s_sts_assume_role_with_saml(
			        &r->creds, http, &reqs[i], &r->err);
			continue;
		}
		r->rc = s2s_sts_parse_response(&r->creds, status,
		                               x[i].reply.ptr, x[i].reply.len,
		                               &r->err);
		if (!r->rc)
			r->rc = take_answer(&r->creds, &reqs[i], &r->err);
	}
out:
	for (size_t i = 0; x && i < n; i++)
		many_release(&x[i]);
	free(x);
	free(codes);
	if (rc)
		for (size_t i = 0; i < n; i++)
			if (!results[i].rc)
				results[i].rc = s2s_error_set(
				        &results[i].err, rc, "%s",
				        rc == S2S_ENOMEM ? "out of memory"
				                         : "STS request "
				                           "failed");
	return rc;
}
