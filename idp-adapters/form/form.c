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
#include <saml2sts/html.h>
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

/* Alibaba's ACS on either site: the end of the IdP's part. */
static bool is_alibaba_acs(const char *action)
{
	static const char *const acs[] = {
		"https://signin.aliyun.com/saml-role/sso",
		"https://signin.alibabacloud.com/saml-role/sso",
	};

	for (size_t i = 0; i < sizeof(acs) / sizeof(acs[0]); i++)
		if (strncasecmp(action, acs[i], strlen(acs[i])) == 0)
			return true;
	return false;
}

/* Case-insensitive substring test (strcasestr is a GNU extension). */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static bool is_visible_text(const struct s2s_form_field *f)
{
	return strcmp(f->type, "text") == 0 || strcmp(f->type, "email") == 0 ||
	       strcmp(f->type, "tel") == 0;
}

/* The username input of a login form: a visible text input, preferring
 * one whose name says so. */
static struct s2s_form_field *username_field(const struct s2s_form *form)
{
	static const char *const hints[] = { "user", "login", "email",
		                             "mail", "name",  "id" };
	struct s2s_form_field *first = NULL;

	for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++)
		for (size_t i = 0; i < form->nfields; i++) {
			struct s2s_form_field *f = &form->fields[i];

			if (!is_visible_text(f))
				continue;
			if (!first)
				first = f;
			if (contains_ci(f->name, hints[h]))
				return f;
		}
	return first;
}

static size_t count_visible(const struct s2s_form *form)
{
	size_t n = 0;

	for (size_t i = 0; i < form->nfields; i++) {
		const char *t = form->fields[i].type;

		if (strcmp(t, "hidden") && strcmp(t, "submit") &&
		    strcmp(t, "button") && strcmp(t, "image") &&
		    strcmp(t, "reset"))
			n++;
	}
	return n;
}

/* Pressing Enter in a form submits it with its default button, the first
 * submit button; IdPs such as Shibboleth read its name (_eventId_proceed).
 */
static void press_default_button(struct s2s_form *form)
{
	for (size_t i = 0; i < form->nfields; i++) {
		struct s2s_form_field *f = &form->fields[i];

		if (strcmp(f->type, "submit") == 0 ||
		    strcmp(f->type, "image") == 0) {
			f->submitter = f->name[0] != '\0';
			return;
		}
	}
}

/* Send form and replace *resp with the answer. */
static s2s_err submit(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                      struct s2s_http_response *resp)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT, url = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	press_default_button(form);
	rc = s2s_form_encode(form, &body, ctx->err);
	if (rc)
		goto out;
	s2s_http_response_release(resp);
	if (strcmp(form->method, "POST") == 0) {
		rc = s2s_http_post_form(ctx->http, form->action,
		                        body.ptr ? body.ptr : "", body.len,
		                        resp, ctx->err);
		goto out;
	}
	/* GET replaces the action's query with the form data. */
	if (s2s_buf_add(&url, form->action, strcspn(form->action, "?#")) ||
	    s2s_buf_add(&url, "?", 1) ||
	    s2s_buf_add(&url, body.ptr ? body.ptr : "", body.len)) {
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = s2s_http_get(ctx->http, url.ptr, resp, ctx->err);
out:
	s2s_buf_release(&body);
	s2s_buf_release(&url);
	return rc;
}

static s2s_err fill_login(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                          bool with_password)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_form_field *uf = username_field(form);
	struct s2s_form_field *pf = s2s_form_field_by_type(form, "password");
	s2s_err rc = S2S_OK;

	if (uf) {
		rc = s2s_adapter_username(ctx, &user);
		if (!rc)
			rc = s2s_form_set(form, uf->name, user.ptr, ctx->err);
	}
	if (!rc && with_password && pf) {
		rc = s2s_adapter_password(ctx, &pass);
		if (!rc)
			rc = s2s_form_set(form, pf->name, pass.ptr, ctx->err);
	}
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	return rc;
}

static s2s_err unrecognised(struct s2s_adapter_ctx *ctx,
                            const struct s2s_html_page *page, long status)
{
	char where[256];
	size_t n = strcspn(page->url, "?#");

	snprintf(where, sizeof(where), "%.*s", (int)(n < 200 ? n : 200),
	         page->url);
	return s2s_error_set(ctx->err, S2S_EIDP,
	                     "IdP page not understood at %s (HTTP %ld, "
	                     "title \"%.60s\")",
	                     where, status, page->title ? page->title : "");
}

/* One page: decide what a browser-with-a-user would do next.  Sets
 * *done when the SAMLResponse was found. */
static s2s_err step(struct s2s_adapter_ctx *ctx, struct form_state *st,
                    struct s2s_http_response *resp, struct s2s_buf *saml_b64,
                    bool *done)
{
	struct s2s_html_page *page = NULL;
	struct s2s_form *form;
	struct s2s_form_field *f;
	s2s_err rc;

	rc = s2s_html_parse(&page, resp->url, resp->body.ptr, resp->body.len,
	                    ctx->err);
	if (rc)
		goto out;
	remember_host(st, resp->url);
	form = s2s_html_form_with_field(page, "SAMLResponse");
	if (form &&
	    (is_alibaba_acs(form->action) || !visited(st, form->action))) {
		f = s2s_form_field_find(form, "SAMLResponse");
		s2s_buf_reset(saml_b64);
		if (s2s_buf_puts(saml_b64, f->value))
			rc = s2s_error_set(ctx->err, S2S_ENOMEM,
			                   "out of memory");
		*done = true;
		goto out;
	}
	if (form) { /* a SAML hop inside the IdP's own federation */
		rc = submit(ctx, form, resp);
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
		rc = fill_login(ctx, form, true);
		if (!rc)
			rc = submit(ctx, form, resp);
		goto out;
	}
	for (size_t i = 0; i < page->nforms; i++) {
		form = &page->forms[i];
		if (!st->sent_username && count_visible(form) == 1 &&
		    username_field(form)) {
			/* identifier-first: username now, password next */
			st->sent_username = true;
			rc = fill_login(ctx, form, false);
			if (!rc)
				rc = submit(ctx, form, resp);
			goto out;
		}
		if (count_visible(form) == 0 && form->nfields > 0 &&
		    strcmp(form->method, "POST") == 0) {
			rc = submit(ctx, form, resp); /* auto-submit page */
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
	rc = unrecognised(ctx, page, resp->status);
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
