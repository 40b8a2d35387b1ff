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
#include <saml2sts/pageloop.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>

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
	const char *broker = s2s_account_get(acct, "keycloak.broker");

	if (broker && (!*broker || strpbrk(broker, "\"'<> ")))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "keycloak.broker must be an identity "
		                     "provider alias");
	return S2S_OK;
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
	if (!rc && s2s_adapter_keeps_totp(ctx))
		rc = s2s_adapter_seed_code(ctx, "keycloak", &code);
	else if (!rc)
		rc = s2s_adapter_ask_code(ctx, "keycloak", "One-time code",
		                          &code);
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

struct kc_state {
	const char *broker; /* keycloak.broker, or NULL */
	bool brokered, sent_password, sent_username, sent_otp;
};

static s2s_err otp_page(bool *handled, struct s2s_pageloop *loop,
                        struct s2s_html_page *page,
                        struct s2s_http_response *resp)
{
	struct kc_state *st = loop->state;
	struct s2s_form *form = s2s_html_form_with_field(page, "otp");
	const char *field = "otp";
	char *msg;
	s2s_err rc;

	if (!form) {
		form = s2s_html_form_with_field(page, "totp");
		field = "totp";
	}
	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_otp) {
		msg = page_error(&resp->body, otp_error_ids);
		rc = s2s_error_set(loop->ctx->err, S2S_EMFA,
		                   "keycloak: the one-time code was not "
		                   "accepted (%.100s)",
		                   msg ? msg : "no reason given");
		free(msg);
		return rc;
	}
	st->sent_otp = true;
	return otp_step(loop->ctx, form, field, &resp->body, resp);
}

/* The identity-broker hop: follow a#social-<alias> once. */
static s2s_err broker_hop(struct s2s_pageloop *loop,
                          const struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct kc_state *st = loop->state;
	char *link = NULL;
	s2s_err rc;

	st->brokered = true;
	rc = broker_link(loop->ctx, st->broker, page, &resp->body, &link);
	if (!rc) {
		s2s_http_response_release(resp);
		rc = s2s_http_get(loop->ctx->http, link, resp, loop->ctx->err);
	}
	free(link);
	return rc;
}

static s2s_err login_page(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct kc_state *st = loop->state;
	struct s2s_form *form = login_form(page);
	bool has_pw, *sent;
	char *msg;
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->broker && !st->brokered)
		return broker_hop(loop, page, resp);
	has_pw = s2s_form_field_by_type(form, "password");
	sent = has_pw ? &st->sent_password : &st->sent_username;
	if (*sent) {
		msg = page_error(&resp->body, error_ids);
		rc = s2s_error_set(loop->ctx->err, S2S_EAUTH,
		                   "keycloak: %.160s",
		                   msg ? msg : "the sign-in was refused");
		free(msg);
		return rc;
	}
	*sent = true;
	rc = s2s_formflow_fill_login(loop->ctx, form, has_pw);
	if (!rc)
		rc = s2s_formflow_submit(loop->ctx, form, resp);
	return rc;
}

/* An error page of the theme: refused sign-in or a Keycloak error. */
static s2s_err error_page(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct kc_state *st = loop->state;
	char *msg = page_error(&resp->body, error_ids);
	s2s_err rc;

	(void)page;
	if (!msg)
		return S2S_OK;
	*handled = true;
	rc = s2s_error_set(loop->ctx->err,
	                   st->sent_password || st->sent_username ? S2S_EAUTH
	                                                          : S2S_EIDP,
	                   "keycloak: %.160s", msg);
	free(msg);
	return rc;
}

static const s2s_pageloop_step_fn kc_steps[] = { otp_page, login_page,
	                                         error_page, NULL };

static const struct s2s_pageloop_ops kc_loop = {
	.idp = "keycloak: the IdP",
	.pages = "Keycloak",
	.max_steps = 12,
	.steps = kc_steps,
};

static s2s_err kc_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	struct kc_state st = {
		.broker = s2s_account_get(ctx->acct, "keycloak.broker"),
	};

	return s2s_pageloop_run(ctx, &kc_loop, &st, saml_b64);
}

static const char *const kc_aliases[] = { "kc", NULL };

const struct s2s_adapter s2s_adapter_keycloak = {
	.abi = S2S_ADAPTER_ABI,
	.name = "keycloak",
	.aliases = kc_aliases,
	.summary = "Keycloak kc-form-login, optional identity-broker hop; "
	           "OTP (choice of OTP device)",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP,
	.config_keys = kc_keys,
	.validate = kc_validate,
	.authenticate = kc_authenticate,
};
