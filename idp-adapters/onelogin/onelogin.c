/* SPDX-License-Identifier: MIT */
/*
 * OneLogin through its documented API v2: an OAuth2 client-credentials
 * token (the API client's secret comes from the credential store, never
 * from the config file), then POST /api/2/saml_assertion, whose answer
 * carries the base64 SAMLResponse itself or an MFA transaction
 * (onelogin_mfa.c).  There is no HTML and nothing is posted to the ACS.
 * WebAuthn and Duo devices are not handled here.  See README.md here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/json.h>

#include "onelogin_int.h"

static const char *const onelogin_keys[] = {
	"client_id",    "app_id",        "subdomain", "ip_address", "mfa",
	"push_timeout", "poll_interval", "totp_seed", NULL
};

/* A value of the API's own alphabet (ids, subdomain): no quoting or
 * path tricks can hide in it. */
static bool plain(const char *s, const char *extra)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

static s2s_err read_settings(struct onelogin_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	const char *mfa = s2s_account_get_str(acct, "onelogin.mfa", "auto");
	static const char *const need[] = { "client_id", "app_id",
		                            "subdomain" };
	char key[32];

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(key, sizeof(key), "onelogin.%s", need[i]);
		if (!plain(s2s_account_get(acct, key), "-_."))
			return s2s_error_set(err, S2S_ECONFIG,
			                     "%s must be set to the OneLogin "
			                     "%s (letters, digits, - _ .): "
			                     "run saml2sts configure --set "
			                     "%s=VALUE",
			                     key, need[i], key);
	}
	if (!s2s_onelogin__mfa_setting_ok(mfa))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "onelogin.mfa must be auto, push, totp, "
		                     "yubikey or sms");
	st->mfa = mfa;
	st->app_id = s2s_account_get(acct, "onelogin.app_id");
	st->subdomain = s2s_account_get(acct, "onelogin.subdomain");
	return s2s_adapter_wait_settings(acct, "onelogin", 60, 1000,
	                                 &st->push_timeout_s, &st->poll_ms,
	                                 err);
}

static s2s_err onelogin_validate(const struct s2s_account *acct,
                                 struct s2s_error *err)
{
	struct onelogin_state st = { 0 };

	return read_settings(&st, acct, err);
}

static s2s_err set_origin(struct onelogin_state *st, const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t n;

	if (!p)
		return s2s_error_set(st->ctx->err, S2S_ECONFIG,
		                     "onelogin: url must be the API host, "
		                     "https://SUBDOMAIN.onelogin.com");
	n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	st->origin = strndup(url, n);
	return st->origin ? S2S_OK
	                  : s2s_error_set(st->ctx->err, S2S_ENOMEM,
	                                  "out of memory");
}

/* One JSON request to origin + path; basic_secret set: HTTP Basic with
 * onelogin.client_id (the token call), else the bearer header. */
static s2s_err call(struct onelogin_state *st, const char *path,
                    const struct s2s_buf *body, const char *basic_secret,
                    struct json_object **out, long *status)
{
	const char *headers[] = { "Accept: application/json", NULL, NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_buf url = S2S_BUF_INIT;
	s2s_err rc = S2S_OK;

	*out = NULL;
	if (s2s_buf_printf(&url, "%s%s", st->origin, path))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	req.method = "POST";
	req.url = url.ptr;
	req.body = body->ptr;
	req.body_len = body->len;
	req.content_type = "application/json";
	req.headers = headers;
	if (basic_secret) {
		req.httpauth = S2S_HTTP_AUTH_BASIC;
		req.username =
		        s2s_account_get(st->ctx->acct, "onelogin.client_id");
		req.password = basic_secret;
	} else {
		headers[1] = st->bearer.ptr;
	}
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (rc)
		goto out;
	*status = resp.status;
	if (resp.status >= 500) { /* an outage, not an answer to map */
		rc = s2s_error_set(st->ctx->err, S2S_ENET,
		                   "onelogin: %s answered HTTP %ld; try again "
		                   "later",
		                   path, resp.status);
		goto out;
	}
	if (resp.status == 429) {
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "onelogin: too many requests (HTTP 429); "
		                   "try again later");
		goto out;
	}
	*out = resp.body.ptr ? s2s_json_parse(resp.body.ptr, resp.body.len)
	                     : NULL;
	if (!*out)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "onelogin: answer of %s is not OneLogin API "
		                   "JSON (HTTP %ld)",
		                   path, resp.status);
out:
	s2s_http_response_release(&resp);
	s2s_buf_release(&url);
	return rc;
}

s2s_err s2s_onelogin__post(struct onelogin_state *st, const char *path,
                           const struct s2s_buf *body, struct json_object **out,
                           long *status)
{
	return call(st, path, body, NULL, out, status);
}

const char *s2s_onelogin__message(struct json_object *o)
{
	struct json_object *status = NULL;

	if (s2s_json_str_at(o, "message"))
		return s2s_json_str_at(o, "message");
	if (o && json_object_object_get_ex(o, "status", &status))
		return s2s_json_str_at(status, "message");
	return NULL;
}

s2s_err s2s_onelogin__take_saml(struct onelogin_state *st,
                                struct json_object *o, long status,
                                struct s2s_buf *saml_b64, bool *done)
{
	const char *msg = s2s_onelogin__message(o);
	const char *data = s2s_json_str_at(o, "data");

	*done = false;
	if (status != 200 || !msg || strcasecmp(msg, "Success") != 0)
		return S2S_OK;
	if (!data || !*data)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "onelogin: Success without a SAMLResponse "
		                     "in data (an API v1 answer? url must be "
		                     "the API v2 host)");
	s2s_buf_reset(saml_b64);
	if (s2s_buf_puts(saml_b64, data))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	*done = true;
	return S2S_OK;
}

/* The API client's secret, kept by configure --client-secret-stdin. */
static s2s_err client_secret(struct onelogin_state *st, struct s2s_buf *out)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	s2s_err rc = S2S_ENOTFOUND;

	if (ctx->kept && ctx->kept->get)
		rc = ctx->kept->get(ctx->kept->payload, "client-secret", out,
		                    ctx->err);
	if (!rc && (s2s_buf_terminate(out) || out->len == 0))
		rc = S2S_ENOTFOUND;
	if (rc == S2S_ENOTFOUND) {
		s2s_error_clear(ctx->err);
		rc = s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                   "onelogin: no API client secret kept for "
		                   "account '%s': run saml2sts configure "
		                   "--client-secret-stdin",
		                   s2s_account_name(ctx->acct));
	}
	return rc;
}

/* Visible ASCII only: nothing that could end the header line. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* POST /auth/oauth2/v2/token (client credentials) into st->bearer. */
static s2s_err get_token(struct onelogin_state *st)
{
	struct s2s_buf secret = S2S_BUF_SECRET_INIT, body = S2S_BUF_INIT;
	struct json_object *o = NULL;
	const char *tok;
	long status = 0;
	s2s_err rc;

	rc = client_secret(st, &secret);
	if (!rc &&
	    s2s_buf_puts(&body, "{\"grant_type\":\"client_credentials\"}"))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = call(st, "/auth/oauth2/v2/token", &body, secret.ptr, &o,
		          &status);
	tok = s2s_json_str_at(o, "access_token");
	if (!rc && (status == 400 || status == 401 || status == 403))
		rc = s2s_error_set(
		        st->ctx->err, S2S_ECONFIG,
		        "onelogin: the API client was refused (HTTP "
		        "%ld: %.80s): check onelogin.client_id and "
		        "run saml2sts configure --client-secret-stdin",
		        status,
		        s2s_onelogin__message(o) ? s2s_onelogin__message(o)
		                                 : "no message");
	else if (!rc && (status != 200 || !tok || !*tok))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "onelogin: no access_token from "
		                   "/auth/oauth2/v2/token (HTTP %ld)",
		                   status);
	else if (!rc && !header_safe(tok)) /* it goes into a header line */
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "onelogin: the access_token from "
		                   "/auth/oauth2/v2/token is not a token (it "
		                   "holds spaces or control characters)");
	/* no printf for a secret (buf.h) */
	if (!rc && (s2s_buf_puts(&st->bearer, "Authorization: bearer:") ||
	            s2s_buf_puts(&st->bearer, tok)))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	s2s_json_put_wiped(o);
	s2s_buf_release(&secret);
	s2s_buf_release(&body);
	return rc;
}

bool s2s_onelogin__has(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; s && *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/* A refusal of /api/2/saml_assertion, by its message. */
static s2s_err signin_error(struct onelogin_state *st, struct json_object *o,
                            long status)
{
	const char *msg = s2s_onelogin__message(o);
	const char *m = msg ? msg : "no message";

	if (s2s_onelogin__has(msg, "lock"))
		return s2s_error_set(
		        st->ctx->err, S2S_EAUTH,
		        "onelogin: the account is locked (OneLogin: "
		        "%.100s); ask your administrator",
		        m);
	if (s2s_onelogin__has(msg, "expired"))
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "onelogin: the password has expired "
		                     "(OneLogin: %.100s); change it at %s",
		                     m, st->origin);
	if (status == 401)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "onelogin: wrong username or password "
		                     "(OneLogin: %.100s)",
		                     m);
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "onelogin: /api/2/saml_assertion refused (HTTP "
	                     "%ld: %.100s); check onelogin.app_id and "
	                     "onelogin.subdomain",
	                     status, m);
}

static s2s_err signin_body(struct onelogin_state *st, struct s2s_buf *body)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf dest = S2S_BUF_INIT;
	const char *ip = s2s_account_get(st->ctx->acct, "onelogin.ip_address");
	s2s_err rc;

	rc = s2s_adapter_username(st->ctx, &user);
	if (!rc &&
	    (s2s_buf_printf(&dest, "%s/api/2/saml_assertion", st->origin) ||
	     s2s_buf_terminate(&user)))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_adapter_password(st->ctx, dest.ptr, &pass);
	if (!rc && s2s_buf_terminate(&pass))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc &&
	    (s2s_buf_puts(body, "{") ||
	     s2s_json_member(body, true, "username_or_email", user.ptr) ||
	     s2s_json_member(body, false, "password", pass.ptr) ||
	     s2s_json_member(body, false, "app_id", st->app_id) ||
	     s2s_json_member(body, false, "subdomain", st->subdomain) ||
	     (ip && *ip && s2s_json_member(body, false, "ip_address", ip)) ||
	     s2s_buf_puts(body, "}")))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&dest);
	return rc;
}

static s2s_err onelogin_authenticate(struct s2s_adapter_ctx *ctx,
                                     struct s2s_buf *saml_b64)
{
	struct onelogin_state *st = ctx->priv;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct json_object *o = NULL, *devices = NULL;
	long status = 0;
	bool done = false;
	s2s_err rc;

	st->ctx = ctx;
	s2s_buf_init(&st->bearer, true);
	s2s_buf_init(&st->state_token, true);
	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc)
		rc = set_origin(st, s2s_account_get(ctx->acct, "url"));
	if (!rc)
		rc = get_token(st);
	if (!rc)
		rc = signin_body(st, &body);
	if (!rc)
		rc = s2s_onelogin__post(st, "/api/2/saml_assertion", &body, &o,
		                        &status);
	if (!rc)
		rc = s2s_onelogin__take_saml(st, o, status, saml_b64, &done);
	if (rc || done)
		goto out;
	if (status != 200) {
		rc = signin_error(st, o, status);
		goto out;
	}
	if (s2s_json_str_at(o, "state_token") &&
	    json_object_object_get_ex(o, "devices", &devices) &&
	    json_object_is_type(devices, json_type_array)) {
		rc = s2s_onelogin__mfa(st, o, saml_b64);
		goto out;
	}
	rc = s2s_error_set(ctx->err, S2S_EIDP,
	                   "onelogin: /api/2/saml_assertion answered neither "
	                   "a SAMLResponse nor MFA (message \"%.60s\")",
	                   s2s_onelogin__message(o) ? s2s_onelogin__message(o)
	                                            : "");
out:
	s2s_json_put_wiped(o);
	s2s_buf_release(&body);
	return rc;
}

static void onelogin_release(struct s2s_adapter_ctx *ctx)
{
	struct onelogin_state *st = ctx->priv;

	if (!st)
		return;
	s2s_buf_release(&st->bearer);
	s2s_buf_release(&st->state_token);
	free(st->origin);
	st->origin = NULL;
}

const struct s2s_adapter s2s_adapter_onelogin = {
	.abi = S2S_ADAPTER_ABI,
	.name = "onelogin",
	.summary = "OneLogin API v2 (API client secret in the keyring); "
	           "OneLogin Protect push, TOTP, YubiKey or SMS code",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH | S2S_ADAPTER_F_MFA_SMS,
	.priv_size = sizeof(struct onelogin_state),
	.config_keys = onelogin_keys,
	.validate = onelogin_validate,
	.authenticate = onelogin_authenticate,
	.release = onelogin_release,
};
