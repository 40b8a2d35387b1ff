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

#include <openssl/rand.h>

#include "json.h"
#include "common.h"
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
	if (rc)
		goto out;
	if (!(*out)->role_arn)
		(*out)->role_arn = strdup(req->role_arn);
	(*out)->provider_arn = strdup(req->provider_arn);
	if (!(*out)->role_arn || !(*out)->provider_arn) {
		s2s_creds_free(*out);
		*out = NULL;
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
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
	obj = body ? s2s__json_parse(body, len) : NULL;
	if (!obj)
		return s2s_error_set(err, status >= 500 ? S2S_ENET : S2S_ESTS,
		                     "STS answered HTTP %ld with a body that "
		                     "is not JSON",
		                     status);
	if (status == 200 && s2s__json_get(obj, "Credentials"))
		rc = parse_success(out, obj, err);
	else
		rc = parse_error(status, obj, err);
	s2s__json_put_wiped(obj);
	return rc;
}
