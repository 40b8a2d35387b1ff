/* SPDX-License-Identifier: MIT */
/*
 * Signed Alibaba Cloud RPC calls: STS AssumeRole and GetCallerIdentity,
 * RAM GetAccountAlias, and whoami for a stored profile.  Every parameter
 * (SecurityToken included) goes in a POST form body, never in the URL
 * that proxies log.  A transport failure or a 502/503/504 is retried
 * with a new nonce and timestamp each time (a replayed nonce would be
 * SignatureNonceUsed), so the HTTP layer's own retry is not used.
 * Redirects are not followed: the keys sign for the endpoint given.
 */
#include <time.h>

#include "common.h"
#include "chain_int.h"
#include "json.h"
#include "session_int.h"
#include "saml2sts/isotime.h"
#include "saml2sts/rpc.h"
#include "saml2sts/sign.h"
#include "saml2sts/sts.h"

static s2s_err nomem(struct s2s_error *err)
{
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

static void backoff(int attempt)
{
	struct timespec ts;
	long ms = 250L << (attempt < 5 ? attempt : 5);

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static bool retryable(s2s_err rc, long status)
{
	return rc == S2S_ENET ||
	       (!rc && (status == 502 || status == 503 || status == 504));
}

/* POST the signed call to endpoint/; resp is the last answer. */
static s2s_err rpc_post(struct s2s_http_response *resp, struct s2s_http *http,
                        const char *endpoint,
                        const struct s2s_sign_rpc_call *call,
                        const struct s2s_creds *signer, struct s2s_error *err)
{
	static const char *const headers[] = { "Accept: application/json",
		                               NULL };
	struct s2s_buf body = S2S_BUF_SECRET_INIT, url = S2S_BUF_INIT;
	struct s2s_sign_key key = { 0 };
	struct s2s_http_request hr = { 0 };
	int tries = s2s_http_options(http)->retries + 1;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(signer && signer->access_key_id &&
	               signer->access_key_secret);
	key.id = signer->access_key_id;
	key.secret = signer->access_key_secret;
	key.token = signer->security_token && *signer->security_token
	                    ? signer->security_token
	                    : NULL;
	if (s2s_buf_printf(&url, "%s/", endpoint))
		return nomem(err);
	hr.method = "POST";
	hr.url = url.ptr;
	hr.content_type = "application/x-www-form-urlencoded";
	hr.headers = headers;
	for (int attempt = 0; attempt < tries; attempt++) {
		struct s2s_error e = S2S_ERROR_INIT;

		if (attempt)
			backoff(attempt - 1);
		s2s_buf_reset(&body);
		s2s_http_response_release(resp);
		rc = s2s_sign_rpc_form(&body, call, &key, err);
		if (rc)
			break;
		hr.body = body.ptr;
		hr.body_len = body.len;
		rc = s2s_http_do(http, &hr, resp, &e);
		if (!retryable(rc, resp->status) || attempt + 1 == tries) {
			if (rc)
				s2s_error_set(err, rc, "%s", e.msg);
			break;
		}
	}
	s2s_buf_release(&body);
	s2s_buf_release(&url);
	return rc;
}

/* An error answer: "<service> <Code>: <Message> (RequestId …)".  A
 * SignatureDoesNotMatch message ends with the server's string to sign,
 * which holds the SecurityToken: it is cut off. */
static s2s_err answer_error(const char *service, long status,
                            struct json_object *obj, struct s2s_error *err)
{
	const char *code = obj ? s2s__json_get_str(obj, "Code") : NULL;
	const char *msg = obj ? s2s__json_get_str(obj, "Message") : NULL;
	const char *rid = obj ? s2s__json_get_str(obj, "RequestId") : NULL;
	const char *cut = NULL;
	int len = 120;

	if (!obj)
		return s2s_error_set(err, status >= 500 ? S2S_ENET : S2S_ESTS,
		                     "%s answered HTTP %ld with a body that is "
		                     "not JSON",
		                     service, status);
	if (!code)
		return s2s_error_set(
		        err, S2S_ESTS,
		        "%s answered HTTP %ld without an error code", service,
		        status);
	if (msg)
		cut = strstr(msg, "string to sign");
	if (cut) {
		while (cut > msg && cut[-1] != '.')
			cut--;
		len = (int)(cut - msg) < len ? (int)(cut - msg) : len;
	}
	return s2s_error_set(
	        err, status >= 500 ? S2S_ENET : S2S_ESTS, "%s %s: %.*s%s%s%s",
	        service, code, msg ? len : 12, msg ? msg : "(no message)",
	        rid ? " (RequestId " : "", rid ? rid : "", rid ? ")" : "");
}

/* One signed call: *out is the success object (release it with
 * s2s_json_put_wiped), resp the answer (the caller releases it, also on
 * failure), or the error. */
static s2s_err rpc_call(struct json_object **out,
                        struct s2s_http_response *resp, struct s2s_http *http,
                        const char *endpoint, const char *service,
                        const struct s2s_sign_rpc_call *call,
                        const struct s2s_creds *signer, struct s2s_error *err)
{
	struct json_object *obj = NULL;
	s2s_err rc;

	*out = NULL;
	rc = rpc_post(resp, http, endpoint, call, signer, err);
	if (rc)
		return rc;
	obj = resp->body.ptr ? s2s_json_parse(resp->body.ptr, resp->body.len)
	                     : NULL;
	if (resp->status != 200 || !obj) {
		rc = answer_error(service, resp->status, obj, err);
		if (obj)
			s2s_json_put_wiped(obj);
		return rc;
	}
	*out = obj;
	return S2S_OK;
}

static s2s_err dup_member(char **dst, struct json_object *obj, const char *name,
                          struct s2s_error *err)
{
	const char *v = s2s__json_get_str(obj, name);

	*dst = NULL;
	if (!v)
		return S2S_OK;
	*dst = strdup(v);
	return *dst ? S2S_OK : nomem(err);
}

/* The credentials of an AssumeRole answer, refused when they expire
 * within a minute (a far-off clock must not replace a working token). */
static s2s_err take_creds(struct s2s_creds **out,
                          const struct s2s_http_response *resp,
                          const struct s2s_assume_role_request *req,
                          struct s2s_error *err)
{
	struct s2s_creds *c = NULL;
	char when[32];
	s2s_err rc;

	rc = s2s_sts_parse_response(&c, resp->status, resp->body.ptr,
	                            resp->body.len, err);
	if (rc)
		return rc;
	if (c->expiration < time(NULL) + S2S_STS_MIN_LEFT) {
		s2s_time_format_utc(when, sizeof(when), c->expiration);
		s2s_creds_free(c);
		return s2s_error_set(
		        err, S2S_ESTS,
		        "STS answered with credentials that expire "
		        "at %s, already past or within a minute: "
		        "check this machine's clock (date -u)",
		        when);
	}
	free(c->role_arn);
	c->role_arn = strdup(req->role_arn);
	if (!c->role_arn) {
		s2s_creds_free(c);
		return nomem(err);
	}
	*out = c;
	return S2S_OK;
}

s2s_err s2s_rpc_assume_role(struct s2s_creds **out, struct s2s_http *http,
                            const struct s2s_assume_role_request *req,
                            const struct s2s_creds *signer,
                            struct s2s_error *err)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_sign_param p[5];
	struct s2s_sign_rpc_call call = { 0 };
	struct json_object *obj = NULL;
	char dur[32];
	size_t n = 0;
	s2s_err rc;

	*out = NULL;
	S2S_ASSERT_ARG(req && req->endpoint && req->role_arn &&
	               req->session_name);
	p[n++] = (struct s2s_sign_param){ "RoleArn", req->role_arn };
	p[n++] =
	        (struct s2s_sign_param){ "RoleSessionName", req->session_name };
	if (req->duration > 0) {
		snprintf(dur, sizeof(dur), "%ld", req->duration);
		p[n++] = (struct s2s_sign_param){ "DurationSeconds", dur };
	}
	if (req->policy)
		p[n++] = (struct s2s_sign_param){ "Policy", req->policy };
	if (req->external_id)
		p[n++] = (struct s2s_sign_param){ "ExternalId",
			                          req->external_id };
	call.method = "POST";
	call.action = "AssumeRole";
	call.version = S2S_RPC_STS_VERSION;
	call.params = p;
	call.n = n;
	rc = rpc_call(&obj, &resp, http, req->endpoint, "STS", &call, signer,
	              err);
	if (!rc)
		rc = take_creds(out, &resp, req, err);
	if (obj)
		s2s_json_put_wiped(obj);
	s2s_http_response_release(&resp);
	return rc;
}

void s2s_identity_free(struct s2s_identity *id)
{
	if (!id)
		return;
	free(id->account_id);
	free(id->arn);
	free(id->identity_type);
	free(id->principal_id);
	free(id->user_id);
	free(id->role_id);
	free(id);
}

s2s_err s2s_rpc_caller_identity(struct s2s_identity **out,
                                struct s2s_http *http, const char *endpoint,
                                const struct s2s_creds *signer,
                                struct s2s_error *err)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_sign_rpc_call call = { 0 };
	struct json_object *obj = NULL;
	struct s2s_identity *id = NULL;
	s2s_err rc;

	*out = NULL;
	call.method = "POST";
	call.action = "GetCallerIdentity";
	call.version = S2S_RPC_STS_VERSION;
	rc = rpc_call(&obj, &resp, http, endpoint, "STS", &call, signer, err);
	s2s_http_response_release(&resp);
	if (rc)
		return rc;
	id = calloc(1, sizeof(*id));
	rc = id ? S2S_OK : nomem(err);
	if (!rc)
		rc = dup_member(&id->account_id, obj, "AccountId", err);
	if (!rc)
		rc = dup_member(&id->arn, obj, "Arn", err);
	if (!rc)
		rc = dup_member(&id->identity_type, obj, "IdentityType", err);
	if (!rc)
		rc = dup_member(&id->principal_id, obj, "PrincipalId", err);
	if (!rc)
		rc = dup_member(&id->user_id, obj, "UserId", err);
	if (!rc)
		rc = dup_member(&id->role_id, obj, "RoleId", err);
	if (!rc && (!id->account_id || !id->arn))
		rc = s2s_error_set(
		        err, S2S_ESTS,
		        "STS GetCallerIdentity answer lacks AccountId "
		        "or Arn");
	if (!rc) {
		*out = id;
		id = NULL;
	}
	s2s_identity_free(id);
	s2s_json_put_wiped(obj);
	return rc;
}

s2s_err s2s_rpc_account_alias(char **out, struct s2s_http *http,
                              const char *endpoint,
                              const struct s2s_creds *signer,
                              struct s2s_error *err)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_sign_rpc_call call = { 0 };
	struct json_object *obj = NULL;
	s2s_err rc;

	*out = NULL;
	call.method = "POST";
	call.action = "GetAccountAlias";
	call.version = S2S_RPC_RAM_VERSION;
	rc = rpc_call(&obj, &resp, http, endpoint, "RAM", &call, signer, err);
	s2s_http_response_release(&resp);
	if (!rc)
		rc = dup_member(out, obj, "AccountAlias", err);
	if (!rc && (!*out || !**out)) {
		free(*out);
		*out = NULL;
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "the account has no alias");
	}
	if (obj)
		s2s_json_put_wiped(obj);
	return rc;
}

static bool session_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '@' || c == '-' ||
	       c == '_';
}

bool s2s_rpc_session_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < S2S_RPC_SESSION_NAME_MIN || n > S2S_RPC_SESSION_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!session_char(*s))
			return false;
	return true;
}

void s2s_rpc_session_name(char *out, const char *identity)
{
	const char *from = identity ? identity : "";
	const char *slash = strrchr(from, '/');
	size_t n = 0;

	if (slash && slash[1])
		from = slash + 1;
	for (; *from && n < S2S_RPC_SESSION_NAME_MAX; from++)
		out[n++] = session_char(*from) ? *from : '-';
	out[n] = '\0';
	if (n < S2S_RPC_SESSION_NAME_MIN) {
		char tail[S2S_RPC_SESSION_NAME_MIN + 1];

		memcpy(tail, out, n + 1);
		snprintf(out, S2S_RPC_SESSION_NAME_MAX + 1, "saml2sts%s%s",
		         n ? "-" : "", tail);
	}
}

s2s_err s2s_rpc_whoami(struct s2s_identity **out, struct s2s_session *s,
                       const struct s2s_creds *creds, struct s2s_error *err)
{
	const struct s2s_sts_client *sts = s2s_sts_client_find(NULL);
	const struct s2s_account *acct =
	        creds->account_name
	                ? s2s_config_account(s->o.cfg, creds->account_name)
	                : NULL;
	struct s2s_http *http = NULL;
	char *endpoint = NULL;
	s2s_err rc;

	*out = NULL;
	rc = s2s_chain__endpoint(&endpoint, s, acct, NULL, err);
	if (!rc)
		rc = s2s_session_http(&http, s, acct, err);
	if (!rc)
		rc = sts->caller_identity(out, http, endpoint, creds, err);
	s2s_http_free(http);
	free(endpoint);
	return rc;
}
