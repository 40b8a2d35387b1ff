/* SPDX-License-Identifier: MIT */
/*
 * Okta (Classic Engine Authentication API): settings, the per-install
 * device token, POST /api/v1/authn and its transaction states, then the
 * session-token redirect to the app's embed link, whose page carries the
 * SAMLResponse form.  The MFA factors (push, TOTP, SMS, email) are
 * okta_factor.c.  Okta Identity Engine (okta.engine, detected from
 * /.well-known/okta-organization) is okta_idx.c.  See README.md here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <saml2sts/adapter.h>
#include <saml2sts/file.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/secret.h>

#include "okta_int.h"

static const char *const okta_keys[] = { "mfa",
	                                 "engine",
	                                 "push_timeout",
	                                 "poll_interval",
	                                 "remember_device",
	                                 "device_token_file",
	                                 "totp_seed",
	                                 NULL };

static s2s_err read_settings(struct okta_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	s2s_err rc = S2S_OK;
	const char *mfa = s2s_account_get_str(acct, "okta.mfa", "auto");

	const char *engine = s2s_account_get_str(acct, "okta.engine", "auto");

	if (!s2s_okta__mfa_setting_ok(mfa))
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "okta.mfa must be auto, push, totp, sms, "
		                   "voice or email");
	if (!rc && strcmp(engine, "auto") != 0 &&
	    strcmp(engine, "classic") != 0 && strcmp(engine, "idx") != 0)
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "okta.engine must be auto, classic or idx");
	st->mfa = mfa;
	st->engine = engine;
	if (!rc)
		rc = s2s_adapter_wait_settings(acct, "okta", 60, 3000,
		                               &st->push_timeout_s,
		                               &st->poll_ms, err);
	if (!rc)
		rc = s2s_account_get_bool(&st->remember, acct,
		                          "okta.remember_device", true, err);
	return rc;
}

static s2s_err okta_validate(const struct s2s_account *acct,
                             struct s2s_error *err)
{
	struct okta_state st = { 0 };

	return read_settings(&st, acct, err);
}

char *s2s_okta__join(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

/* ---- per-install device token ------------------------------------ */

static bool token_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 32 && s[n] == '\0';
}

static void new_token(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
	s2s_memzero(raw, sizeof(raw));
}

static char *token_path(const struct s2s_account *acct)
{
	const char *f = s2s_account_get(acct, "okta.device_token_file");
	struct s2s_error e = S2S_ERROR_INIT;
	char *dir = NULL, *path = NULL;

	if (f && *f)
		return strdup(f);
	if (s2s_config_data_dir(&dir, &e) ||
	    s2s_file_mkdirs(dir, S2S_ECONFIG, &e)) {
		free(dir);
		return NULL;
	}
	path = s2s_okta__join(dir, "/okta-device-token", "");
	free(dir);
	return path;
}

/* The random device token of this install: read from the data dir, or
 * made with RAND_bytes and written there (lib/file.c: 0600, atomic
 * replace).  When the file cannot be kept, a fresh random token is used
 * for this login. */
static void load_device_token(struct okta_state *st)
{
	struct s2s_error e = S2S_ERROR_INIT;
	char *path = token_path(st->ctx->acct);
	char buf[64] = "";
	ssize_t n;
	int fd;

	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			if (token_ok(buf)) {
				memcpy(st->device, buf, 33);
				free(path);
				return;
			}
		}
	}
	new_token(st->device);
	if (path && st->device[0]) {
		memcpy(buf, st->device, 32);
		buf[32] = '\n';
		(void)s2s_file_write_private(path, buf, 33, S2S_ECONFIG, &e);
	}
	s2s_memzero(buf, sizeof(buf));
	free(path);
}

/* ---- the Authn API --------------------------------------------------- */

static s2s_err set_origin(struct okta_state *st, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (!p)
		return s2s_error_set(st->ctx->err, S2S_ECONFIG,
		                     "url must be the Okta app's embed link");
	n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	st->origin = strndup(url, n);
	return st->origin ? S2S_OK
	                  : s2s_error_set(st->ctx->err, S2S_ENOMEM,
	                                  "out of memory");
}

bool s2s_okta__on_origin(const struct okta_state *st, const char *href)
{
	size_t n = strlen(st->origin);

	/* scheme and host compare case-insensitively; the port must match */
	return href && strncasecmp(href, st->origin, n) == 0 && href[n] == '/';
}

static const char *path_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : "/";
}

s2s_err s2s_okta__authn_post(struct okta_state *st, const char *url,
                             const struct s2s_buf *body,
                             struct json_object **out, long *status)
{
	static const char *const headers[] = { "Accept: application/json",
		                               NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	s2s_err rc;

	*out = NULL;
	req.method = "POST";
	req.url = url;
	req.body = body->ptr ? body->ptr : "{}";
	req.body_len = body->ptr ? body->len : 2;
	req.content_type = "application/json";
	req.headers = headers;
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (rc)
		goto out;
	*status = resp.status;
	if (resp.status == 429) {
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "okta: too many requests (HTTP 429); try "
		                   "again later");
		goto out;
	}
	*out = resp.body.ptr ? s2s_json_parse(resp.body.ptr, resp.body.len)
	                     : NULL;
	if (!*out) {
		char where[160];
		size_t n = strcspn(path_of(url), "?#");

		snprintf(where, sizeof(where), "%.*s", (int)(n < 120 ? n : 120),
		         path_of(url));
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "okta: answer of %s is not Okta API JSON "
		                   "(HTTP %ld)",
		                   where, resp.status);
	}
out:
	s2s_http_response_release(&resp);
	return rc;
}

s2s_err s2s_okta__authn_error(struct okta_state *st, struct json_object *o,
                              long status, const char *when)
{
	const char *code = s2s_json_str_at(o, "errorCode");
	const char *sum = s2s_json_str_at(o, "errorSummary");

	if (code && strcmp(code, "E0000004") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: authentication failed (wrong "
		                     "username or password)");
	if (code &&
	    (strcmp(code, "E0000068") == 0 || strcmp(code, "E0000069") == 0 ||
	     strcmp(code, "E0000011") == 0))
		return s2s_error_set(st->ctx->err, S2S_EMFA, "okta: %s: %.120s",
		                     when, sum ? sum : "not accepted");
	if (code && strcmp(code, "E0000119") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the account is locked");
	if (code)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "okta: %s: %.20s %.120s (HTTP %ld)", when,
		                     code, sum ? sum : "", status);
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "okta: %s: unexpected answer (HTTP %ld)", when,
	                     status);
}

s2s_err s2s_okta__authn_state_body(struct okta_state *st, struct s2s_buf *b,
                                   const char *passcode)
{
	s2s_buf_init(b, true);
	if (s2s_buf_puts(b, "{") ||
	    s2s_json_member(b, true, "stateToken", st->state_token.ptr) ||
	    (passcode && s2s_json_member(b, false, "passCode", passcode)) ||
	    s2s_buf_puts(b, "}"))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

s2s_err s2s_okta__authn_keep_state(struct okta_state *st, struct json_object *o)
{
	const char *t = s2s_json_str_at(o, "stateToken");

	if (!t)
		return S2S_OK;
	s2s_buf_reset(&st->state_token);
	if (s2s_buf_puts(&st->state_token, t))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

/* Read an authn transaction: SUCCESS sets *done, MFA_REQUIRED runs the
 * factor, the rest are errors. */
static s2s_err handle_status(struct okta_state *st, struct json_object *o,
                             long status, const char *when, bool *done)
{
	const char *s = s2s_json_str_at(o, "status");

	*done = false;
	if (status != 200 || !s)
		return s2s_okta__authn_error(st, o, status, when);
	if (strcmp(s, "SUCCESS") == 0) {
		*done = true;
		return s2s_json_str_at(o, "sessionToken")
		               ? S2S_OK
		               : s2s_error_set(st->ctx->err, S2S_EIDP,
		                               "okta: SUCCESS without a "
		                               "sessionToken");
	}
	if (strcmp(s, "LOCKED_OUT") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the account is locked out; ask "
		                     "your administrator or unlock it at %s",
		                     st->origin);
	if (strcmp(s, "PASSWORD_EXPIRED") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the password has expired; change "
		                     "it at %s",
		                     st->origin);
	if (strcmp(s, "MFA_ENROLL") == 0 ||
	    strcmp(s, "MFA_ENROLL_ACTIVATE") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "okta: no MFA factor is enrolled; enrol "
		                     "one at %s",
		                     st->origin);
	if (strcmp(s, "MFA_REQUIRED") == 0 || strcmp(s, "MFA_CHALLENGE") == 0)
		return S2S_OK;
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "okta: %s: unsupported transaction state %.40s",
	                     when, s);
}

static s2s_err primary(struct okta_state *st, struct json_object **out,
                       long *status)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	char *url = NULL;
	s2s_err rc;

	url = s2s_okta__join(st->origin, "/api/v1/authn", "");
	rc = url ? s2s_adapter_username(st->ctx, &user)
	         : s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_adapter_password(st->ctx, url, &pass);
	if (!rc && (s2s_buf_puts(&body, "{") ||
	            s2s_json_member(&body, true, "username", user.ptr) ||
	            s2s_json_member(&body, false, "password", pass.ptr) ||
	            s2s_buf_puts(&body, ",\"options\":{\"multiOptionalFactor"
	                                "Enroll\":false,\"warnBeforePassword"
	                                "Expired\":false},\"context\":{") ||
	            s2s_json_member(&body, true, "deviceToken", st->device) ||
	            s2s_buf_puts(&body, "}}")))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_okta__authn_post(st, url, &body, out, status);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	free(url);
	return rc;
}

s2s_err s2s_okta__saml_page(struct okta_state *st, const char *url,
                            struct s2s_buf *saml_b64)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_html_page *page = NULL;
	const struct s2s_form *form;
	s2s_err rc;

	rc = s2s_http_get(st->ctx->http, url, &resp, st->ctx->err);
	if (!rc)
		rc = s2s_html_parse(&page, resp.url ? resp.url : url,
		                    resp.body.ptr ? resp.body.ptr : "",
		                    resp.body.len, st->ctx->err);
	if (!rc) {
		form = s2s_html_form_with_field(page, "SAMLResponse");
		rc = form && resp.status == 200
		             ? s2s_formflow_take_saml(st->ctx, form, saml_b64)
		             : s2s_formflow_unrecognised(st->ctx, page,
		                                         resp.status);
	}
	s2s_html_page_free(page);
	s2s_http_response_release(&resp);
	return rc;
}

/* GET /login/sessionCookieRedirect?token=..&redirectUrl=<app>, follow
 * to the app's page and take its SAMLResponse form. */
static s2s_err to_app(struct okta_state *st, const char *token,
                      struct s2s_buf *saml_b64)
{
	struct s2s_buf q = S2S_BUF_SECRET_INIT, url = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	rc = s2s_form_append(&q, "checkAccountSetupComplete", "true",
	                     st->ctx->err);
	if (!rc)
		rc = s2s_form_append(&q, "token", token, st->ctx->err);
	if (!rc)
		rc = s2s_form_append(&q, "redirectUrl",
		                     s2s_account_get(st->ctx->acct, "url"),
		                     st->ctx->err);
	if (!rc && s2s_buf_printf(&url, "%s/login/sessionCookieRedirect?%s",
	                          st->origin, q.ptr))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_okta__saml_page(st, url.ptr, saml_b64);
	s2s_buf_release(&q);
	s2s_buf_release(&url);
	return rc;
}

static s2s_err okta_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	struct okta_state *st = ctx->priv;
	struct json_object *o = NULL, *next = NULL;
	const char *url = s2s_account_get(ctx->acct, "url");
	long status = 0;
	bool done = false, idx = false;
	s2s_err rc;

	st->ctx = ctx;
	s2s_buf_init(&st->state_token, true);
	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc && !url)
		rc = s2s_error_set(
		        ctx->err, S2S_ECONFIG,
		        "okta: url (the app's embed link) is not set");
	if (!rc)
		rc = set_origin(st, url);
	if (!rc)
		rc = s2s_okta__engine(st, &idx);
	if (!rc && idx)
		return s2s_okta__idx_login(st, saml_b64);
	if (!rc) {
		load_device_token(st);
		rc = primary(st, &o, &status);
	}
	if (!rc)
		rc = handle_status(st, o, status, "sign-in", &done);
	if (!rc && !done) {
		rc = s2s_okta__authn_keep_state(st, o);
		if (!rc)
			rc = s2s_okta__authn_mfa(st, o, &next, &status);
		if (!rc) {
			s2s_json_put_wiped(o);
			o = next;
			next = NULL;
			rc = handle_status(st, o, status, "MFA", &done);
		}
		if (!rc && !done)
			rc = s2s_error_set(
			        ctx->err, S2S_EMFA,
			        "okta: MFA did not complete (%.40s)",
			        s2s_json_str_at(o, "status")
			                ? s2s_json_str_at(o, "status")
			                : "?");
	}
	if (!rc)
		rc = to_app(st, s2s_json_str_at(o, "sessionToken"), saml_b64);
	s2s_json_put_wiped(o);
	return rc;
}

static void okta_release(struct s2s_adapter_ctx *ctx)
{
	struct okta_state *st = ctx->priv;

	if (!st)
		return;
	s2s_buf_release(&st->state_token);
	free(st->origin);
	st->origin = NULL;
}

static const char *const okta_aliases[] = { "okta-classic", NULL };

const struct s2s_adapter s2s_adapter_okta = {
	.abi = S2S_ADAPTER_ABI,
	.name = "okta",
	.aliases = okta_aliases,
	.summary = "Okta (Classic Authentication API or Identity Engine "
	           "IDX); Okta Verify push (number challenge), TOTP, SMS, "
	           "voice or email code",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH | S2S_ADAPTER_F_MFA_SMS |
	            S2S_ADAPTER_F_MFA_VOICE | S2S_ADAPTER_F_MFA_EMAIL,
	.priv_size = sizeof(struct okta_state),
	.config_keys = okta_keys,
	.validate = okta_validate,
	.authenticate = okta_authenticate,
	.release = okta_release,
};
