/* SPDX-License-Identifier: MIT */
/*
 * JumpCloud through its user console API (undocumented; what the
 * console's own sign-in page calls): GET /userconsole/xsrf, then POST
 * /userconsole/auth with the X-Xsrftoken header, the email, the password
 * and the app ("saml2/<slug>" from url), then GET the redirectTo it
 * answers, whose page carries the SAMLResponse form (taken, never
 * posted).  The MFA factors (TOTP, JumpCloud Protect push) are
 * jumpcloud_mfa.c; WebAuthn and Duo are left to the browser.  See
 * README.md here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/url.h>

#include "jumpcloud_int.h"

static const char *const jumpcloud_keys[] = { "console_url",  "mfa",
	                                      "push_timeout", "poll_interval",
	                                      "totp_seed",    NULL };

/* url's path without the '/' ("saml2/<slug>"), when it is one. */
static char *app_path(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t n;

	p = p ? strchr(p + 3, '/') : NULL;
	if (!p || strncmp(p, "/saml2/", 7) != 0)
		return NULL;
	n = strcspn(p + 1, "?#");
	if (n <= 6 || strspn(p + 7, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
	                            "NOPQRSTUVWXYZ0123456789-_.") != n - 6)
		return NULL;
	return strndup(p + 1, n);
}

static s2s_err read_settings(struct jumpcloud_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	const char *mfa = s2s_account_get_str(acct, "jumpcloud.mfa", "auto");
	const char *url = s2s_account_get(acct, "url");
	char *app = app_path(url);
	s2s_err rc = S2S_OK;

	/* the core checks jumpcloud.console_url (url_key); url is ours */
	if (!app || !s2s_url_allowed(url))
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "url must be the app's JumpCloud SSO URL, "
		                   "https://sso.jumpcloud.com/saml2/APP-SLUG");
	else if (!s2s_jumpcloud__mfa_setting_ok(mfa))
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "jumpcloud.mfa must be auto, totp or push");
	if (!rc)
		rc = s2s_adapter_wait_settings(acct, "jumpcloud", 60, 1000,
		                               &st->push_timeout_s,
		                               &st->poll_ms, err);
	st->mfa = mfa;
	free(st->redirect_to);
	st->redirect_to = rc ? NULL : app;
	if (rc)
		free(app);
	return rc;
}

static s2s_err jumpcloud_validate(const struct s2s_account *acct,
                                  struct s2s_error *err)
{
	struct jumpcloud_state st = { 0 };
	s2s_err rc = read_settings(&st, acct, err);

	free(st.redirect_to);
	return rc;
}

static s2s_err set_console(struct jumpcloud_state *st)
{
	const char *url = s2s_account_get_str(
	        st->ctx->acct, "jumpcloud.console_url", S2S_JUMPCLOUD_CONSOLE);
	const char *p = strstr(url, "://");
	size_t n;

	if (!p)
		return s2s_error_set(st->ctx->err, S2S_ECONFIG,
		                     "jumpcloud.console_url must be an https "
		                     "URL");
	n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	st->console = strndup(url, n);
	return st->console ? S2S_OK
	                   : s2s_error_set(st->ctx->err, S2S_ENOMEM,
	                                   "out of memory");
}

s2s_err s2s_jumpcloud__call(struct jumpcloud_state *st, const char *method,
                            const char *path, const struct s2s_buf *body,
                            struct json_object **out, long *status,
                            time_t *date)
{
	const char *headers[] = { "Accept: application/json", st->xsrf.ptr,
		                  NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_buf url = S2S_BUF_INIT;
	s2s_err rc;

	*out = NULL;
	if (s2s_buf_printf(&url, "%s%s", st->console, path))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	req.method = method;
	req.url = url.ptr;
	req.headers = headers;
	if (strcmp(method, "POST") == 0) {
		req.body = body && body->ptr ? body->ptr : "{}";
		req.body_len = body && body->ptr ? body->len : 2;
		req.content_type = "application/json";
	} else {
		req.flags = S2S_HTTP_IDEMPOTENT;
	}
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (!rc && resp.status >= 500) /* an outage, not an answer */
		rc = s2s_error_set(st->ctx->err, S2S_ENET,
		                   "jumpcloud: the user console answered HTTP "
		                   "%ld; try again later",
		                   resp.status);
	else if (!rc && resp.status == 429)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: too many requests (HTTP 429); "
		                   "try again later");
	if (!rc) {
		*status = resp.status;
		if (date)
			*date = resp.date;
		*out = resp.body.ptr
		               ? s2s_json_parse(resp.body.ptr, resp.body.len)
		               : NULL;
	}
	s2s_http_response_release(&resp);
	s2s_buf_release(&url);
	return rc;
}

/* GET /userconsole/xsrf: {"xsrf": "..."} (and the cookies it pairs
 * with, kept by the jar) into the X-Xsrftoken header. */
static s2s_err get_xsrf(struct jumpcloud_state *st)
{
	struct json_object *o = NULL;
	const char *x;
	long status = 0;
	s2s_err rc;

	rc = s2s_jumpcloud__call(st, "GET", "/userconsole/xsrf", NULL, &o,
	                         &status, NULL);
	x = s2s_json_str_at(o, "xsrf");
	if (!rc &&
	    (status != 200 || !x || !*x || strcspn(x, "\r\n") != strlen(x)))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: no xsrf token from "
		                   "/userconsole/xsrf (HTTP %ld); check "
		                   "jumpcloud.console_url",
		                   status);
	if (!rc && (s2s_buf_puts(&st->xsrf, "X-Xsrftoken: ") ||
	            s2s_buf_puts(&st->xsrf, x)))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	s2s_json_put_wiped(o);
	return rc;
}

s2s_err s2s_jumpcloud__auth(struct jumpcloud_state *st, const char *otp,
                            struct json_object **out, long *status)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	s2s_err rc = S2S_OK;

	if (s2s_buf_puts(&body, "{\"context\":\"sso\"") ||
	    s2s_json_member(&body, false, "redirectTo", st->redirect_to) ||
	    s2s_json_member(&body, false, "email", st->email.ptr) ||
	    s2s_json_member(&body, false, "password", st->password.ptr) ||
	    s2s_json_member(&body, false, "otp", otp) ||
	    s2s_buf_puts(&body, "}"))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_jumpcloud__call(st, "POST", "/userconsole/auth", &body,
		                         out, status, NULL);
	if (!rc && !*out)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: answer of /userconsole/auth is "
		                   "not JumpCloud JSON (HTTP %ld)",
		                   *status);
	s2s_buf_release(&body);
	return rc;
}

/* Does s (may be NULL) contain word, in any case? */
static bool has(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; s && *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

/* A 401 without MFA: the password, or a locked account. */
static s2s_err auth_error(struct jumpcloud_state *st, struct json_object *o,
                          long status)
{
	const char *msg = s2s_json_str_at(o, "message");
	const char *m = msg ? msg : "no message";

	if (status == 401 && has(msg, "lock"))
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "jumpcloud: the account is locked "
		                     "(JumpCloud: %.100s); ask your "
		                     "administrator",
		                     m);
	if (status == 401 && has(msg, "expired"))
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "jumpcloud: the password has expired "
		                     "(JumpCloud: %.100s); change it in the "
		                     "user console",
		                     m);
	if (status == 401)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "jumpcloud: wrong email or password "
		                     "(JumpCloud: %.100s)",
		                     m);
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "jumpcloud: /userconsole/auth answered HTTP %ld "
	                     "(%.100s)",
	                     status, m);
}

/* GET redirectTo (the SSO host) and take the SAMLResponse of the form
 * whose action is the site's ACS on either Alibaba Cloud site. */
static s2s_err to_app(struct jumpcloud_state *st, const char *target,
                      struct s2s_buf *saml_b64)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_html_page *page = NULL;
	const struct s2s_form *form = NULL;
	char *url = NULL;
	s2s_err rc;

	rc = s2s_url_resolve(&url, st->console, target, st->ctx->err);
	if (!rc && !s2s_url_allowed(url))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: redirectTo is not an https URL");
	if (!rc)
		rc = s2s_http_get(st->ctx->http, url, &resp, st->ctx->err);
	if (!rc && resp.status >= 500)
		rc = s2s_error_set(
		        st->ctx->err, S2S_ENET,
		        "jumpcloud: the app's SSO page answered HTTP "
		        "%ld; try again later",
		        resp.status);
	if (!rc)
		rc = s2s_html_parse(&page, resp.url ? resp.url : url,
		                    resp.body.ptr ? resp.body.ptr : "",
		                    resp.body.len, st->ctx->err);
	if (!rc)
		form = s2s_html_form_with_field(page, "SAMLResponse");
	if (!rc && form && resp.status == 200 &&
	    s2s_formflow_is_alibaba_acs(form->action))
		rc = s2s_formflow_take_saml(st->ctx, form, saml_b64);
	else if (!rc && form)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: the SAMLResponse is not for "
		                   "Alibaba Cloud's ACS (HTTP %ld); check the "
		                   "app's ACS URL in JumpCloud",
		                   resp.status);
	else if (!rc)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: no SAMLResponse: JumpCloud "
		                   "conditional access? try --browser (app "
		                   "page: HTTP %ld, title \"%.40s\")",
		                   resp.status,
		                   page && page->title ? page->title : "");
	s2s_html_page_free(page);
	s2s_http_response_release(&resp);
	free(url);
	return rc;
}

static s2s_err sign_in(struct jumpcloud_state *st, struct json_object **out)
{
	struct s2s_buf dest = S2S_BUF_INIT;
	struct json_object *o = NULL;
	long status = 0;
	s2s_err rc;

	rc = s2s_adapter_username(st->ctx, &st->email);
	if (!rc && s2s_buf_printf(&dest, "%s/userconsole/auth", st->console))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	/* the password goes to the console host: jumpcloud.console_url
	 * (url_key), or its built-in default (url_default) */
	if (!rc)
		rc = s2s_adapter_password(st->ctx, dest.ptr, &st->password);
	if (!rc &&
	    (s2s_buf_terminate(&st->email) || s2s_buf_terminate(&st->password)))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = get_xsrf(st);
	if (!rc)
		rc = s2s_jumpcloud__auth(st, "", &o, &status);
	if (!rc && status == 401 &&
	    has(s2s_json_str_at(o, "message"), "mfa required")) {
		struct json_object *next = NULL;

		rc = s2s_jumpcloud__mfa(st, o, &next);
		s2s_json_put_wiped(o);
		o = next;
	} else if (!rc && status != 200) {
		rc = auth_error(st, o, status);
	}
	if (!rc)
		*out = o;
	else
		s2s_json_put_wiped(o);
	s2s_buf_release(&dest);
	return rc;
}

static s2s_err jumpcloud_authenticate(struct s2s_adapter_ctx *ctx,
                                      struct s2s_buf *saml_b64)
{
	struct jumpcloud_state *st = ctx->priv;
	struct json_object *o = NULL;
	const char *target;
	s2s_err rc;

	st->ctx = ctx;
	s2s_buf_init(&st->xsrf, true);
	s2s_buf_init(&st->email, false);
	s2s_buf_init(&st->password, true);
	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc)
		rc = set_console(st);
	if (!rc)
		rc = sign_in(st, &o);
	target = rc ? NULL : s2s_json_str_at(o, "redirectTo");
	if (!rc && (!target || !*target))
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "jumpcloud: the sign-in answer has no "
		                   "redirectTo");
	if (!rc)
		rc = to_app(st, target, saml_b64);
	s2s_json_put_wiped(o);
	return rc;
}

static void jumpcloud_release(struct s2s_adapter_ctx *ctx)
{
	struct jumpcloud_state *st = ctx->priv;

	if (!st)
		return;
	s2s_buf_release(&st->xsrf);
	s2s_buf_release(&st->email);
	s2s_buf_release(&st->password);
	free(st->console);
	free(st->redirect_to);
	st->console = NULL;
	st->redirect_to = NULL;
}

const struct s2s_adapter s2s_adapter_jumpcloud = {
	.abi = S2S_ADAPTER_ABI,
	.name = "jumpcloud",
	.summary = "JumpCloud user console API; JumpCloud Protect push or "
	           "TOTP code",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH,
	.priv_size = sizeof(struct jumpcloud_state),
	.config_keys = jumpcloud_keys,
	.url_key = "jumpcloud.console_url",
	.url_default = S2S_JUMPCLOUD_CONSOLE,
	.validate = jumpcloud_validate,
	.authenticate = jumpcloud_authenticate,
	.release = jumpcloud_release,
};
