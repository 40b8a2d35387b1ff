/* SPDX-License-Identifier: MIT */
/*
 * Keycloak: the realm's IdP-initiated SAML URL, an optional identity-
 * broker hop (a#social-<alias>), the kc-form-login page, the OTP page
 * (choosing among several OTP credentials), then the SAMLResponse form.
 * Errors are read from the page (span#input-error...).  See README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>

#define KC_MAX_STEPS 12

static const char *const kc_keys[] = { "otp_credential", "broker", "totp_seed",
	                               NULL };

/* Where Keycloak themes (keycloak.v2, base, older) show errors. */
static const char *const error_ids[] = { "input-error", "input-error-username",
	                                 "input-error-password", NULL };
static const char *const otp_error_ids[] = { "input-error-otp-code",
	                                     "input-error-otp", "input-error",
	                                     NULL };

static s2s_err kc_validate(const struct s2s_account *acct,
                           struct s2s_error *err)
{
	const char *url = s2s_account_get(acct, "url");
	const char *broker = s2s_account_get(acct, "keycloak.broker");

	if (url && !s2s_url_allowed(url))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "url must be https (http only to a "
		                     "loopback address)");
	if (broker && (!*broker || strpbrk(broker, "\"'<> ")))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "keycloak.broker must be an identity "
		                     "provider alias");
	if (s2s_account_get(acct, "keycloak.totp_seed") &&
	    strcmp(s2s_account_get(acct, "keycloak.totp_seed"), "keyring") != 0)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "keycloak.totp_seed must be keyring (set "
		                     "by configure --totp-secret-stdin)");
	return s2s_account_check_ns(acct, "keycloak", kc_keys, err);
}

/* The text of the first element with one of ids, or of the class
 * "alert-error"/"kc-feedback-text"; caller frees, NULL when none. */
static char *page_error(const struct s2s_buf *body, const char *const *ids)
{
	struct s2s_error e = S2S_ERROR_INIT;
	char *t = NULL;

	for (size_t i = 0; ids[i] && !t; i++)
		if (s2s_html_find_text(&t, body->ptr, body->len, "id", ids[i],
		                       &e))
			t = NULL;
	if (!t && s2s_html_find_text(&t, body->ptr, body->len, "class",
	                             "kc-feedback-text", &e))
		t = NULL;
	if (!t && s2s_html_find_text(&t, body->ptr, body->len, "id",
	                             "kc-error-message", &e))
		t = NULL;
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

/* The href of <a id="social-<alias>">, resolved; caller frees. */
static s2s_err broker_link(struct s2s_adapter_ctx *ctx, const char *alias,
                           const struct s2s_html_page *page,
                           const struct s2s_buf *body, char **out)
{
	char id[160], *href = NULL;
	const char *p, *tag, *end, *h;
	size_t n;
	s2s_err rc;

	*out = NULL;
	snprintf(id, sizeof(id), "id=\"social-%s\"", alias);
	p = body->ptr ? strstr(body->ptr, id) : NULL;
	if (!p)
		return s2s_error_set(ctx->err, S2S_EIDP,
		                     "keycloak: no identity provider '%s' on "
		                     "the login page",
		                     alias);
	for (tag = p; tag > body->ptr && *tag != '<'; tag--)
		;
	end = strchr(p, '>');
	h = strstr(tag, "href=\"");
	if (!end || !h || h > end)
		return s2s_error_set(ctx->err, S2S_EIDP,
		                     "keycloak: the '%s' link has no href",
		                     alias);
	h += 6;
	n = strcspn(h, "\"");
	href = strndup(h, n);
	if (!href)
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	/* &amp; is the only entity Keycloak writes in these URLs */
	for (char *a = strstr(href, "&amp;"); a; a = strstr(a + 1, "&amp;"))
		memmove(a + 1, a + 5, strlen(a + 5) + 1);
	rc = s2s_url_resolve(out, page->url, href, ctx->err);
	free(href);
	return rc;
}

/* Several OTP devices: radio inputs selectedCredentialId with ids
 * kc-otp-credential-N and a label per id.  keycloak.otp_credential names
 * one (label, index from 0, or credential id); else ask. */
static s2s_err choose_credential(struct s2s_adapter_ctx *ctx,
                                 struct s2s_form *form,
                                 const struct s2s_buf *body)
{
	const char *want =
	        s2s_account_get(ctx->acct, "keycloak.otp_credential");
	struct s2s_form_field *radios[16];
	char *labels[16] = { 0 };
	size_t n = 0;
	struct s2s_buf ans = S2S_BUF_INIT, q = S2S_BUF_INIT;
	struct s2s_error e = S2S_ERROR_INIT;
	long pick = -1;
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < form->nfields && n < 16; i++)
		if (strcmp(form->fields[i].name, "selectedCredentialId") == 0 &&
		    strcmp(form->fields[i].type, "radio") == 0)
			radios[n++] = &form->fields[i];
	if (n == 0)
		return S2S_OK;
	for (size_t i = 0; i < n; i++)
		if (!radios[i]->id ||
		    s2s_html_find_text(&labels[i], body->ptr, body->len, "for",
		                       radios[i]->id, &e))
			labels[i] = NULL;
	if (!want && n > 1 && ctx->prompter && ctx->prompter->ask) {
		s2s_buf_puts(&q, "OTP device (");
		for (size_t i = 0; i < n; i++)
			s2s_buf_printf(&q, "%s%zu=%s", i ? ", " : "", i,
			               labels[i] ? labels[i]
			                         : radios[i]->value);
		if (s2s_buf_puts(&q, ")"))
			rc = s2s_error_set(ctx->err, S2S_ENOMEM,
			                   "out of memory");
		if (!rc)
			rc = ctx->prompter->ask(ctx->prompter->payload,
			                        S2S_PROMPT_CHOICE, q.ptr, &ans,
			                        ctx->err);
		if (!rc)
			want = ans.ptr ? ans.ptr : "";
	}
	for (size_t i = 0; !rc && want && pick < 0 && i < n; i++) {
		char num[24];

		snprintf(num, sizeof(num), "%zu", i);
		if (strcmp(want, num) == 0 ||
		    strcmp(want, radios[i]->value) == 0 ||
		    (labels[i] && strcasecmp(want, labels[i]) == 0))
			pick = (long)i;
	}
	if (!rc && want && pick < 0)
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "keycloak: no OTP device '%.40s' (the page "
		                   "offers %zu)",
		                   want, n);
	if (!rc && pick >= 0)
		for (size_t i = 0; i < n; i++)
			radios[i]->checked = (long)i == pick;
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	s2s_buf_release(&ans);
	s2s_buf_release(&q);
	return rc;
}

static s2s_err otp_step(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                        const char *field, const struct s2s_buf *body,
                        struct s2s_http_response *resp)
{
	struct s2s_buf code = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	rc = choose_credential(ctx, form, body);
	if (!rc && s2s_adapter_keeps_totp(ctx)) {
		char otp[S2S_OTP_MAX_DIGITS + 1];

		rc = s2s_adapter_totp(ctx, otp);
		if (!rc && s2s_buf_puts(&code, otp))
			rc = s2s_error_set(ctx->err, S2S_ENOMEM,
			                   "out of memory");
		s2s_memzero(otp, sizeof(otp));
		if (rc == S2S_ENOTFOUND) {
			s2s_error_clear(ctx->err);
			rc = s2s_error_set(ctx->err, S2S_EMFA,
			                   "no TOTP seed in the keyring for "
			                   "'%s' (run configure "
			                   "--totp-secret-stdin)",
			                   s2s_account_name(ctx->acct));
		}
	}
	if (!rc && code.len == 0 && (!ctx->prompter || !ctx->prompter->ask))
		rc = s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                   "keycloak: a one-time code is needed");
	if (!rc && code.len == 0)
		rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_OTP,
		                        "One-time code", &code, ctx->err);
	if (!rc && code.len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "keycloak: no one-time code given");
	if (!rc)
		rc = s2s_form_set(form, field, code.ptr, ctx->err);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, resp);
	s2s_buf_release(&code);
	return rc;
}

/* kc-form-login, or a form with a username and a password input (not
 * a required-action page such as "update password"). */
static struct s2s_form *login_form(const struct s2s_html_page *page)
{
	for (size_t i = 0; i < page->nforms; i++) {
		struct s2s_form *f = &page->forms[i];

		if ((f->id && strcmp(f->id, "kc-form-login") == 0) ||
		    (s2s_form_field_find(f, "username") &&
		     s2s_form_field_by_type(f, "password")))
			return f;
	}
	return NULL;
}

static s2s_err kc_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	const char *url = s2s_account_get(ctx->acct, "url");
	const char *broker = s2s_account_get(ctx->acct, "keycloak.broker");
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_html_page *page = NULL;
	bool brokered = false, sent_password = false, sent_otp = false;
	bool sent_username = false;
	char *link = NULL, *msg = NULL;
	s2s_err rc;

	if (!url)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "keycloak: url (the realm's IdP-initiated "
		                     "SAML URL) is not set");
	rc = s2s_http_get(ctx->http, url, &resp, ctx->err);
	for (int step = 0; !rc && step < KC_MAX_STEPS; step++) {
		struct s2s_form *form;
		const char *otp_field = NULL;

		s2s_html_page_free(page);
		page = NULL;
		rc = s2s_html_parse(&page, resp.url ? resp.url : url,
		                    resp.body.ptr ? resp.body.ptr : "",
		                    resp.body.len, ctx->err);
		if (rc)
			break;
		form = s2s_html_form_with_field(page, "SAMLResponse");
		if (form) {
			rc = s2s_formflow_take_saml(ctx, form, saml_b64);
			break;
		}
		form = s2s_html_form_with_field(page, "otp");
		otp_field = form ? "otp" : NULL;
		if (!form) {
			form = s2s_html_form_with_field(page, "totp");
			otp_field = form ? "totp" : NULL;
		}
		if (form) {
			if (sent_otp) {
				msg = page_error(&resp.body, otp_error_ids);
				rc = s2s_error_set(
				        ctx->err, S2S_EMFA,
				        "keycloak: the one-time code "
				        "was not accepted (%.100s)",
				        msg ? msg : "no reason given");
				break;
			}
			sent_otp = true;
			rc = otp_step(ctx, form, otp_field, &resp.body, &resp);
			continue;
		}
		form = login_form(page);
		if (form && broker && !brokered) {
			brokered = true;
			rc = broker_link(ctx, broker, page, &resp.body, &link);
			if (!rc) {
				s2s_http_response_release(&resp);
				rc = s2s_http_get(ctx->http, link, &resp,
				                  ctx->err);
			}
			free(link);
			link = NULL;
			continue;
		}
		if (form) {
			bool has_pw = s2s_form_field_by_type(form, "password");
			bool *sent = has_pw ? &sent_password : &sent_username;

			if (*sent) {
				msg = page_error(&resp.body, error_ids);
				rc = s2s_error_set(
				        ctx->err, S2S_EAUTH, "keycloak: %.160s",
				        msg ? msg : "the sign-in was refused");
				break;
			}
			*sent = true;
			rc = s2s_formflow_fill_login(ctx, form, has_pw);
			if (!rc)
				rc = s2s_formflow_submit(ctx, form, &resp);
			continue;
		}
		msg = page_error(&resp.body, error_ids);
		if (msg && (sent_password || sent_username))
			rc = s2s_error_set(ctx->err, S2S_EAUTH,
			                   "keycloak: %.160s", msg);
		else if (msg)
			rc = s2s_error_set(ctx->err, S2S_EIDP,
			                   "keycloak: %.160s", msg);
		else
			rc = s2s_formflow_unrecognised(ctx, page, resp.status);
		break;
	}
	if (!rc && saml_b64->len == 0)
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "keycloak: too many pages without a "
		                   "SAMLResponse");
	free(msg);
	s2s_html_page_free(page);
	s2s_http_response_release(&resp);
	return rc;
}

static const char *const kc_aliases[] = { "kc", NULL };

const struct s2s_adapter s2s_adapter_keycloak = {
	.abi = S2S_ADAPTER_ABI,
	.name = "keycloak",
	.aliases = kc_aliases,
	.summary = "Keycloak kc-form-login, optional identity-broker hop; "
	           "OTP (choice of OTP device)",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP,
	.validate = kc_validate,
	.authenticate = kc_authenticate,
};
