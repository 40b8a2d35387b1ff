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
#include <saml2sts/saml.h>
#include <saml2sts/secret.h>

#define MAX_STEPS 16
#define MAX_HOSTS 16

struct form_state {
	bool sent_password;
	bool sent_username;
	char *hosts[MAX_HOSTS]; /* hosts visited in this login */
	size_t nhosts;
};

static s2s_err form_validate(const struct s2s_account *acct,
                             struct s2s_error *err)
{
	const char *url = s2s_account_get(acct, "url");

	if (url && !s2s_url_allowed(url))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "url must be https (http only to a "
		                     "loopback address)");
	return S2S_OK;
}

static void remember_host(struct form_state *st, const char *url)
{
	char *host = NULL;

	if (st->nhosts >= MAX_HOSTS || s2s_url_host(&host, url, NULL))
		return;
	for (size_t i = 0; i < st->nhosts; i++)
		if (strcasecmp(st->hosts[i], host) == 0) {
			free(host);
			return;
		}
	st->hosts[st->nhosts++] = host;
}

static bool visited(const struct form_state *st, const char *url)
{
	char *host = NULL;
	bool found = false;

	if (s2s_url_host(&host, url, NULL))
		return false;
	for (size_t i = 0; i < st->nhosts && !found; i++)
		found = strcasecmp(st->hosts[i], host) == 0;
	free(host);
	return found;
}

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

/* One page: decide what a browser-with-a-user would do next.  Sets
 * *done when the SAMLResponse was found. */
static s2s_err step(struct s2s_adapter_ctx *ctx, struct form_state *st,
                    struct s2s_http_response *resp, struct s2s_buf *saml_b64,
                    bool *done)
{
	struct s2s_html_page *page = NULL;
	struct s2s_form *form;
	s2s_err rc;

	rc = s2s_html_parse(&page, resp->url, resp->body.ptr, resp->body.len,
	                    ctx->err);
	if (rc)
		goto out;
	remember_host(st, resp->url);
	form = s2s_html_form_with_field(page, "SAMLResponse");
	if (form && (s2s_formflow_is_alibaba_acs(form->action) ||
	             !visited(st, form->action) || for_alibaba(form))) {
		rc = s2s_formflow_take_saml(ctx, form, saml_b64);
		*done = true;
		goto out;
	}
	if (form) { /* a SAML hop inside the IdP's own federation */
		rc = s2s_formflow_submit(ctx, form, resp);
		goto out;
	}
	form = s2s_html_form_with_type(page, "password");
	if (form) {
		if (st->sent_password) {
			rc = s2s_error_set(ctx->err, S2S_EAUTH,
			                   "the IdP rejected the username or "
			                   "password (login form shown again)");
			goto out;
		}
		st->sent_password = true;
		rc = s2s_formflow_fill_login(ctx, form, true);
		if (!rc)
			rc = s2s_formflow_submit(ctx, form, resp);
		goto out;
	}
	for (size_t i = 0; i < page->nforms; i++) {
		form = &page->forms[i];
		if (!st->sent_username &&
		    s2s_formflow_count_visible(form) == 1 &&
		    s2s_formflow_username_field(form)) {
			/* identifier-first: username now, password next */
			st->sent_username = true;
			rc = s2s_formflow_fill_login(ctx, form, false);
			if (!rc)
				rc = s2s_formflow_submit(ctx, form, resp);
			goto out;
		}
		if (s2s_formflow_count_visible(form) == 0 &&
		    form->nfields > 0 && strcmp(form->method, "POST") == 0) {
			rc = s2s_formflow_submit(ctx, form,
			                         resp); /* auto-submit page */
			goto out;
		}
	}
	if (page->refresh_url) {
		char *next = strdup(page->refresh_url);

		if (!next) {
			rc = s2s_error_set(ctx->err, S2S_ENOMEM,
			                   "out of memory");
			goto out;
		}
		s2s_http_response_release(resp);
		rc = s2s_http_get(ctx->http, next, resp, ctx->err);
		free(next);
		goto out;
	}
	rc = s2s_formflow_unrecognised(ctx, page, resp->status);
out:
	s2s_html_page_free(page);
	return rc;
}

static s2s_err form_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct form_state *st = ctx->priv;
	bool done = false;
	s2s_err rc;

	rc = s2s_http_get(ctx->http, s2s_account_get(ctx->acct, "url"), &resp,
	                  ctx->err);
	for (int i = 0; !rc && !done; i++) {
		if (i == MAX_STEPS) {
			rc = s2s_error_set(ctx->err, S2S_EIDP,
			                   "no SAMLResponse after %d IdP pages",
			                   MAX_STEPS);
			break;
		}
		if (resp.status >= 500)
			rc = s2s_error_set(ctx->err, S2S_ENET,
			                   "IdP answered HTTP %ld",
			                   resp.status);
		else
			rc = step(ctx, st, &resp, saml_b64, &done);
	}
	s2s_http_response_release(&resp);
	return rc;
}

static void form_release(struct s2s_adapter_ctx *ctx)
{
	struct form_state *st = ctx->priv;

	for (size_t i = 0; i < st->nhosts; i++)
		free(st->hosts[i]);
	st->nhosts = 0;
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
	.validate = form_validate,
	.authenticate = form_authenticate,
	.release = form_release,
};
