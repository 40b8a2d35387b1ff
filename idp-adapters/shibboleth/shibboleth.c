/* SPDX-License-Identifier: MIT */
/*
 * Shibboleth IdP (v3 to v5): IdP-initiated SSO at
 * /idp/profile/SAML2/Unsolicited/SSO?providerId=<SP entity id>, then the
 * Spring Web Flow views of the authn flow, each a form posting to
 * ?execution=eXsY: the Password login (j_username, j_password, button
 * _eventId_proceed), an optional one-time-code step of the MFA flow
 * (j_tokenNumber and alike), client-storage and consent or notice views
 * that proceed with _eventId_proceed, until the SAMLResponse form, which
 * it never posts.  Errors come back on the same view ("form-error").
 * No Duo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/pageloop.h>

#define PROCEED "_eventId_proceed"

struct shib_state {
	bool sent_password;
	bool sent_code;
};

static const char *const shib_keys[] = { "ecp_url", NULL };

/* The message a view shows after a failed attempt: login.vm writes it
 * into <p class="form-element form-error">; newer templates use
 * output--failure.  "" when none; caller frees. */
static char *error_text(struct s2s_adapter_ctx *ctx,
                        const struct s2s_http_response *resp)
{
	static const char *const classes[] = { "form-error",
		                               "output--failure" };
	char *s = NULL;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (s2s_html_find_text(&s, resp->body.ptr, resp->body.len,
		                       "class", classes[i], ctx->err))
			return NULL;
		if (s && s[0])
			return s;
		free(s);
		s = NULL;
	}
	return strdup("");
}

/* The input of a one-time-code view (TOTP plugins, the MFA flow), by
 * the names looked for, in order. */
static const char *const code_names[] = {
	"j_tokenNumber", "j_otp", "tokencode", "otp", "totp", "token", NULL
};

static s2s_err proceed(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                       struct s2s_http_response *resp)
{
	s2s_err rc = S2S_OK;

	/* Spring Web Flow reads the event from the button's name. */
	if (s2s_form_field_find(form, PROCEED) ||
	    strstr(form->action, "execution="))
		rc = s2s_formflow_press(form, PROCEED, ctx->err);
	if (!rc)
		rc = s2s_formflow_submit(ctx, form, resp);
	return rc;
}

static s2s_err rejected(struct s2s_adapter_ctx *ctx,
                        const struct s2s_http_response *resp, s2s_err code,
                        const char *what)
{
	char *error = error_text(ctx, resp);
	s2s_err rc;

	if (!error)
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	rc = s2s_error_set(ctx->err, code,
	                   "the Shibboleth IdP rejected %s%s%.120s", what,
	                   error[0] ? ": " : " (asked again)", error);
	free(error);
	return rc;
}

static s2s_err ask_code(struct s2s_pageloop *loop, struct s2s_form *form,
                        struct s2s_form_field *f,
                        struct s2s_http_response *resp)
{
	struct s2s_adapter_ctx *ctx = loop->ctx;
	struct shib_state *st = loop->state;
	s2s_err rc;

	if (st->sent_code)
		return rejected(ctx, resp, S2S_EMFA, "the one-time code");
	rc = s2s_formflow_fill_code(ctx, form, f->name, "One-time code",
	                            "one-time code");
	if (!rc) {
		st->sent_code = true;
		rc = proceed(ctx, form, resp);
	}
	return rc;
}

static s2s_err login_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct shib_state *st = loop->state;
	struct s2s_form *form = s2s_html_form_with_type(page, "password");
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_password)
		return rejected(loop->ctx, resp, S2S_EAUTH,
		                "the username or password");
	st->sent_password = true;
	rc = s2s_formflow_fill_login(loop->ctx, form, true);
	if (!rc)
		rc = proceed(loop->ctx, form, resp);
	return rc;
}

/* Client-storage, consent and notice views, and SAML hops: pressed with
 * _eventId_proceed where Spring Web Flow reads it. */
static s2s_err proceed_step(bool *handled, struct s2s_pageloop *loop,
                            struct s2s_html_page *page,
                            struct s2s_http_response *resp)
{
	struct s2s_form *form = s2s_html_form_with_field(page, PROCEED);

	for (size_t i = 0; !form && i < page->nforms; i++)
		if (s2s_formflow_is_autopost(&page->forms[i]))
			form = &page->forms[i];
	if (!form)
		return S2S_OK;
	*handled = true;
	return proceed(loop->ctx, form, resp);
}

static s2s_err stale_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct shib_state *st = loop->state;

	(void)resp;
	if (!st->sent_code || page->nforms || !page->title ||
	    (!strstr(page->title, "Stale") && !strstr(page->title, "xpired")))
		return S2S_OK;
	/* The flow's conversation timed out while the code was being
	 * typed (error.vm, "Stale Request"). */
	*handled = true;
	return s2s_error_set(loop->ctx->err, S2S_EMFA,
	                     "the one-time code step timed out at the IdP "
	                     "(\"%.60s\")",
	                     page->title);
}

static bool ends_with_idp(const char *url)
{
	size_t n = url ? strlen(url) : 0;

	while (n && url[n - 1] == '/')
		n--;
	return n >= 4 && strncmp(url + n - 4, "/idp", 4) == 0;
}

static s2s_err loop_start(struct s2s_pageloop *loop,
                          struct s2s_http_response *resp)
{
	struct s2s_adapter_ctx *ctx = loop->ctx;
	char *url = NULL;
	s2s_err rc;

	/* url is the host ("https://idp.example.org") or the IdP's
	 * context path (".../idp"). */
	rc = s2s_formflow_initiate_url(
	        &url, ctx, "/profile/",
	        ends_with_idp(s2s_account_get(ctx->acct, "url"))
	                ? "/profile/SAML2/Unsolicited/SSO"
	                : "/idp/profile/SAML2/Unsolicited/SSO",
	        "providerId");
	if (!rc)
		rc = s2s_http_get(ctx->http, url, resp, ctx->err);
	free(url);
	return rc;
}

static const s2s_pageloop_step_fn shib_steps[] = {
	login_step, s2s_pageloop_code_step, proceed_step, stale_step, NULL
};

static const struct s2s_pageloop_ops shib_loop = {
	.idp = "the Shibboleth IdP",
	.pages = "IdP",
	.max_steps = 16,
	.start = loop_start,
	.steps = shib_steps,
	.code_names = code_names,
	.code = ask_code,
};

static s2s_err shib_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	return s2s_pageloop_run(ctx, &shib_loop, ctx->priv, saml_b64);
}

static const char *const shib_aliases[] = { "shib", NULL };

const struct s2s_adapter s2s_adapter_shibboleth = {
	.abi = S2S_ADAPTER_ABI,
	.name = "shibboleth",
	.aliases = shib_aliases,
	.summary = "Shibboleth IdP login pages (Spring Web Flow); one-time "
	           "code step",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP,
	.priv_size = sizeof(struct shib_state),
	.config_keys = shib_keys,
	.authenticate = shib_authenticate,
};
