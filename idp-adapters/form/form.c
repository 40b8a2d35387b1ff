/* SPDX-License-Identifier: MIT */
/*
 * The generic form adapter (alias simplesamlphp): starts at the
 * IdP-initiated URL and behaves like a browser with JavaScript off.
 * It fills the login form found by its password field (and an
 * identifier-first username form), submits intermediate auto-submit
 * forms and meta refreshes, and stops at the form that carries a
 * SAMLResponse, which it never posts to Alibaba Cloud.  It does no MFA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/pageloop.h>
#include <saml2sts/saml.h>
#include <saml2sts/secret.h>

struct form_state {
	bool sent_password;
	bool sent_username;
};

/* Is the SAMLResponse of form meant for Alibaba Cloud (Destination,
 * Recipient or Audience)?  Such an assertion is a bearer token for
 * Alibaba: it is taken, never posted on, whatever the form's action says.
 * An unreadable one is taken too (the pipeline reports it). */
static bool for_alibaba(const struct s2s_form *form)
{
	const struct s2s_form_field *f =
	        s2s_form_field_find(form, "SAMLResponse");
	struct s2s_saml *saml = NULL;
	bool yes = true;

	if (f &&
	    s2s_saml_parse(&saml, f->value, strlen(f->value), NULL) == S2S_OK) {
		yes = (saml->destination &&
		       s2s_formflow_is_alibaba_acs(saml->destination)) ||
		      (saml->recipient &&
		       s2s_formflow_is_alibaba_acs(saml->recipient));
		for (size_t i = 0; !yes && i < saml->naudiences; i++)
			yes = strncmp(saml->audiences[i],
			              "urn:alibaba:cloudcomputing", 26) == 0;
	}
	s2s_saml_free(saml);
	return yes;
}

/* Take the SAMLResponse form when it goes to Alibaba Cloud or leaves
 * the hosts seen so far; else it is a hop inside the IdP's federation. */
static bool saml_final(struct s2s_pageloop *loop, const struct s2s_form *form)
{
	return s2s_formflow_is_alibaba_acs(form->action) ||
	       !s2s_pageloop_visited(loop, form->action) || for_alibaba(form);
}

static s2s_err login_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct form_state *st = loop->state;
	struct s2s_form *form = s2s_html_form_with_type(page, "password");
	s2s_err rc;

	if (!form)
		return S2S_OK;
	*handled = true;
	if (st->sent_password)
		return s2s_error_set(loop->ctx->err, S2S_EAUTH,
		                     "the IdP rejected the username or "
		                     "password (login form shown again)");
	st->sent_password = true;
	rc = s2s_formflow_fill_login(loop->ctx, form, true);
	if (!rc)
		rc = s2s_formflow_submit(loop->ctx, form, resp);
	return rc;
}

/* Identifier-first: username now, password next.  An auto-post form
 * before it is the core's to submit. */
static s2s_err username_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp)
{
	struct form_state *st = loop->state;
	s2s_err rc;

	for (size_t i = 0; i < page->nforms; i++) {
		struct s2s_form *form = &page->forms[i];

		if (s2s_formflow_is_autopost(form))
			return S2S_OK;
		if (st->sent_username ||
		    s2s_formflow_count_visible(form) != 1 ||
		    !s2s_formflow_username_field(form))
			continue;
		*handled = true;
		st->sent_username = true;
		rc = s2s_formflow_fill_login(loop->ctx, form, false);
		if (!rc)
			rc = s2s_formflow_submit(loop->ctx, form, resp);
		return rc;
	}
	return S2S_OK;
}

static const s2s_pageloop_step_fn form_steps[] = { login_step, username_step,
	                                           NULL };

static const struct s2s_pageloop_ops form_loop = {
	.idp = "IdP",
	.pages = "IdP",
	.max_steps = 16,
	.flags = S2S_PAGELOOP_AUTOPOST | S2S_PAGELOOP_REFRESH,
	.saml_final = saml_final,
	.steps = form_steps,
};

static s2s_err form_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	return s2s_pageloop_run(ctx, &form_loop, ctx->priv, saml_b64);
}

static const char *const form_aliases[] = { "simplesamlphp", "generic", NULL };

const struct s2s_adapter s2s_adapter_form = {
	.abi = S2S_ADAPTER_ABI,
	.name = "form",
	.aliases = form_aliases,
	.summary = "any IdP with a plain HTML login form (SimpleSAMLphp, "
	           "and alike); no MFA",
	.features = S2S_ADAPTER_F_FORM,
	.priv_size = sizeof(struct form_state),
	.authenticate = form_authenticate,
};
