/* SPDX-License-Identifier: MIT */
/*
 * AD FS (Windows Server 2012 R2 and later): IdP-initiated sign-on at
 * /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=<SP entity id>, then either
 * the forms login page (UserName, Password, AuthMethod=
 * FormsAuthentication) or Windows Integrated Authentication (Kerberos
 * through SPNEGO, or NTLM, done by libcurl), then the additional
 * authentication pages: a verification code (VerificationCode, OathCode,
 * security_code) or the Azure MFA adapter, whose page is re-posted until
 * the push is approved.  It stops at the SAMLResponse form and never
 * posts it.  No Duo, no certificate authentication.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/pageloop.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>

#include "adfs_int.h"

/* AD FS offers WIA only to user agents in its WIASupportedUserAgents
 * list (substring match); this one matches its defaults ("Windows NT
 * 6.3; Win64; x64; Trident/7.0").  adfs.user_agent overrides it. */
#define WIA_USER_AGENT                                           \
	"Mozilla/5.0 (Windows NT 6.3; Win64; x64; Trident/7.0; " \
	"rv:11.0) like Gecko"

static const char *const adfs_keys[] = { "auth", "mfa_timeout", "poll_interval",
	                                 "user_agent", NULL };

static s2s_err parse_auth(enum adfs_auth *out, const struct s2s_account *acct,
                          struct s2s_error *err)
{
	const char *v = s2s_account_get_str(acct, "adfs.auth", "forms");

	if (strcasecmp(v, "forms") == 0)
		*out = AUTH_FORMS;
	else if (strcasecmp(v, "negotiate") == 0 ||
	         strcasecmp(v, "kerberos") == 0)
		*out = AUTH_NEGOTIATE;
	else if (strcasecmp(v, "ntlm") == 0)
		*out = AUTH_NTLM;
	else
		return s2s_error_set(err, S2S_ECONFIG,
		                     "adfs.auth must be forms, negotiate or "
		                     "ntlm");
	return S2S_OK;
}

static s2s_err read_settings(struct adfs_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	s2s_err rc = parse_auth(&st->auth, acct, err);

	if (!rc)
		rc = s2s_account_get_long(&st->mfa_timeout_s, acct,
		                          "adfs.mfa_timeout", 1, 3600, 120,
		                          err);
	if (!rc)
		rc = s2s_account_get_long(&st->poll_ms, acct,
		                          "adfs.poll_interval", 50, 60000, 1000,
		                          err);
	return rc;
}

static s2s_err adfs_validate(const struct s2s_account *acct,
                             struct s2s_error *err)
{
	struct adfs_state st = { 0 };

	return read_settings(&st, acct, err);
}

static s2s_err nomem(struct s2s_adapter_ctx *ctx)
{
	return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

/* The text of the page's element id (errorText, instructions, ...);
 * "" when absent.  Caller frees. */
static char *page_text(struct s2s_adapter_ctx *ctx,
                       const struct s2s_http_response *resp, const char *id)
{
	char *s = NULL;

	if (s2s_html_find_text(&s, resp->body.ptr, resp->body.len, "id", id,
	                       ctx->err) == S2S_OK &&
	    !s)
		s = strdup("");
	return s;
}

/* The first request: WIA lets libcurl answer the 401 challenge. */
static s2s_err start(struct s2s_adapter_ctx *ctx, struct adfs_state *st,
                     struct s2s_http_response *resp)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf ua = S2S_BUF_INIT;
	const char *headers[2] = { NULL, NULL };
	struct s2s_http_request req = {
		.method = "GET",
		.flags = S2S_HTTP_FOLLOW | S2S_HTTP_IDEMPOTENT,
	};
	char *url = NULL;
	s2s_err rc;

	rc = s2s_formflow_initiate_url(&url, ctx, "IdpInitiatedSignOn",
	                               "/adfs/ls/IdpInitiatedSignOn.aspx",
	                               "loginToRp");
	if (rc)
		goto out;
	req.url = url;
	if (st->auth != AUTH_FORMS) {
		if (s2s_buf_puts(&ua, "User-Agent: ") ||
		    s2s_buf_puts(&ua, s2s_account_get_str(ctx->acct,
		                                          "adfs.user_agent",
		                                          WIA_USER_AGENT))) {
			rc = nomem(ctx);
			goto out;
		}
		headers[0] = ua.ptr;
		req.headers = headers;
	}
	if (st->auth == AUTH_NEGOTIATE) {
		/* The Kerberos ticket cache holds the credentials. */
		req.httpauth = S2S_HTTP_AUTH_NEGOTIATE;
		req.username = "";
		req.password = "";
	} else if (st->auth == AUTH_NTLM) {
		rc = s2s_adapter_username(ctx, &user);
		if (!rc) /* curl sends it to this host only, not redirects */
			rc = s2s_adapter_password(ctx, url, &pass);
		if (rc)
			goto out;
		req.httpauth = S2S_HTTP_AUTH_NTLM;
		req.username = user.ptr;
		req.password = pass.ptr;
	}
	rc = s2s_http_do(ctx->http, &req, resp, ctx->err);
	if (!rc && resp->status == 401)
		rc = s2s_error_set(
		        ctx->err, S2S_EAUTH,
		        st->auth == AUTH_NEGOTIATE
		                ? "AD FS refused Kerberos authentication (HTTP "
		                  "401): no valid ticket? run kinit"
		        : st->auth == AUTH_NTLM
		                ? "AD FS refused the NTLM username or password "
		                  "(HTTP 401)"
		                : "AD FS answered HTTP 401: set adfs.auth to "
		                  "negotiate or ntlm");
out:
	free(url);
	s2s_buf_release(&ua);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	return rc;
}

static bool is_azure_mfa(const struct s2s_form *form)
{
	const struct s2s_form_field *f =
	        s2s_form_field_find(form, "AuthMethod");

	return f && (strcmp(f->value, "AzureMfaAuthentication") == 0 ||
	             strcmp(f->value, "AzureMfaServerAuthentication") == 0);
}

/* The names the AD FS adapters give the one-time code input (Azure MFA
 * OTP, Symantec VIP, RSA, Defender), in the order they are looked for. */
const char *const s2s_adfs__code_names[] = {
	"VerificationCode", "OathCode", "security_code", "Passcode", "otp", NULL
};

/* The Azure MFA adapter's wait page: tell the user once (with the
 * number to pick when number matching is on), then re-post the page
 * until AD FS moves on, shows an error or the time runs out. */
static s2s_err azure_wait(struct s2s_adapter_ctx *ctx, struct adfs_state *st,
                          struct s2s_form *form, struct s2s_http_response *resp)
{
	char *number = NULL, *error = NULL;
	char line[200];
	s2s_err rc = S2S_OK;

	error = page_text(ctx, resp, "errorText");
	if (!error)
		return nomem(ctx);
	if (error[0]) {
		rc = s2s_error_set(ctx->err, S2S_EMFA,
		                   "Azure MFA was not approved: %.120s", error);
		goto out;
	}
	if (!st->notified) {
		number = page_text(ctx, resp, "validEntropyNumber");
		if (!number) {
			rc = nomem(ctx);
			goto out;
		}
		if (number[0])
			snprintf(line, sizeof(line),
			         "Azure MFA: approve the sign-in on your phone "
			         "and enter the number %.16s",
			         number);
		else
			snprintf(
			        line, sizeof(line),
			        "Azure MFA: approve the sign-in on your phone");
		if (ctx->prompter && ctx->prompter->notify)
			ctx->prompter->notify(ctx->prompter->payload, line);
		st->notified = true;
		/* AD FS's page script re-posts at a fixed pace: no backoff */
		s2s_poll_init(&st->poll, st->poll_ms, st->poll_ms, 1.0,
		              st->mfa_timeout_s * 1000L);
		st->poll.cancel = ctx->cancel;
	}
	snprintf(line, sizeof(line), "no Azure MFA approval within %s",
	         st->timeout_key ? st->timeout_key : "adfs.mfa_timeout");
	rc = s2s_poll_wait(&st->poll, line, ctx->err);
	if (rc)
		goto out;
	rc = s2s_formflow_submit(ctx, form, resp);
out:
	free(number);
	free(error);
	return rc;
}

s2s_err s2s_adfs__ask_code(struct s2s_pageloop *loop, struct s2s_form *form,
                           struct s2s_form_field *f,
                           struct s2s_http_response *resp)
{
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct adfs_state *st = loop->state;
	char *error = NULL;
	s2s_err rc;

	if (st->sent_code) {
		error = page_text(ctx, resp, "errorText");
		rc = s2s_error_set(
		        ctx->err, S2S_EMFA,
		        "AD FS rejected the verification code%s%.120s",
		        error && error[0] ? ": " : "", error ? error : "");
		free(error);
		return rc;
	}
	rc = s2s_formflow_fill_code(ctx, form, f->name, "Verification code",
	                            "verification code");
	if (!rc) {
		st->sent_code = true;
		rc = s2s_formflow_submit(ctx, form, resp);
	}
	return rc;
}

static s2s_err login_again(struct s2s_adapter_ctx *ctx,
                           const struct s2s_http_response *resp)
{
	char *error = page_text(ctx, resp, "errorText");
	s2s_err rc;

	if (!error)
		return nomem(ctx);
	rc = s2s_error_set(ctx->err, S2S_EAUTH,
	                   "AD FS rejected the username or password%s%.120s",
	                   error[0] ? ": " : " (login page shown again)",
	                   error);
	free(error);
	return rc;
}

/* The Azure MFA adapter's page: a code input, or the wait for the push.
 * Polling it does not count as a page: the MFA timeout bounds it. */
s2s_err s2s_adfs__azure_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp)
{
	struct s2s_form *form = s2s_html_form_with_field(page, "AuthMethod");
	struct s2s_form_field *f;

	if (!form || !is_azure_mfa(form) ||
	    s2s_form_field_by_type(form, "password"))
		return S2S_OK;
	*handled = true;
	f = s2s_html_field_by_names(&form, page, s2s_adfs__code_names);
	if (f)
		return s2s_adfs__ask_code(loop, form, f, resp);
	loop->uncounted = true;
	return azure_wait(loop->ctx, loop->state, form, resp);
}

s2s_err s2s_adfs__login_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp)
{
	struct adfs_state *st = loop->state;
	struct s2s_form *form = s2s_html_form_with_type(page, "password");
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_password)
		return login_again(loop->ctx, resp);
	st->sent_password = true;
	rc = s2s_formflow_fill_login(loop->ctx, form, true);
	if (!rc)
		rc = s2s_formflow_submit(loop->ctx, form, resp);
	return rc;
}

static s2s_err loop_start(struct s2s_pageloop *loop,
                          struct s2s_http_response *resp)
{
	return start(loop->ctx, loop->state, resp);
}

static const s2s_pageloop_step_fn adfs_steps[] = { s2s_adfs__azure_step,
	                                           s2s_pageloop_code_step,
	                                           s2s_adfs__login_step, NULL };

static const struct s2s_pageloop_ops adfs_loop = {
	.idp = "AD FS",
	.pages = "AD FS",
	.max_steps = 24,
	.flags = S2S_PAGELOOP_AUTOPOST,
	.start = loop_start,
	.steps = adfs_steps,
	.code_names = s2s_adfs__code_names,
	.code = s2s_adfs__ask_code,
};

static s2s_err adfs_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	struct adfs_state *st = ctx->priv;
	s2s_err rc;

	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc)
		rc = s2s_pageloop_run(ctx, &adfs_loop, st, saml_b64);
	return rc;
}

static const char *const adfs_aliases[] = { "adfs2", "adfs3", NULL };

const struct s2s_adapter s2s_adapter_adfs = {
	.abi = S2S_ADAPTER_ABI,
	.name = "adfs",
	.aliases = adfs_aliases,
	.summary = "Microsoft AD FS: forms, or Kerberos/NTLM (adfs.auth); "
	           "verification code or Azure MFA push",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH | S2S_ADAPTER_F_KERBEROS,
	.priv_size = sizeof(struct adfs_state),
	.config_keys = adfs_keys,
	.validate = adfs_validate,
	.authenticate = adfs_authenticate,
};
