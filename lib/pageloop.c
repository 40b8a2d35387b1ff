/* SPDX-License-Identifier: MIT */
/*
 * The page loop of the HTML-driving adapters: one copy of the step
 * bound, the HTTP 5xx rule, cancellation and the "take the SAMLResponse"
 * end.  What a page means is the adapter's steps' business; this file
 * only falls back to a browser's JavaScript-off behaviour (auto-post
 * forms, meta refresh) when the adapter asks for it.
 */
#include "common.h"
#include "saml2sts/formflow.h"
#include "saml2sts/pageloop.h"

static void remember_host(struct s2s_pageloop *loop, const char *url)
{
	char *host = NULL;

	if (loop->nhosts >= S2S_PAGELOOP_MAX_HOSTS ||
	    s2s_url_host(&host, url, NULL))
		return;
	for (size_t i = 0; i < loop->nhosts; i++)
		if (strcasecmp(loop->hosts[i], host) == 0) {
			free(host);
			return;
		}
	loop->hosts[loop->nhosts++] = host;
}

bool s2s_pageloop_visited(const struct s2s_pageloop *loop, const char *url)
{
	char *host = NULL;
	bool found = false;

	if (s2s_url_host(&host, url, NULL))
		return false;
	for (size_t i = 0; i < loop->nhosts && !found; i++)
		found = strcasecmp(loop->hosts[i], host) == 0;
	free(host);
	return found;
}

static s2s_err follow_refresh(struct s2s_pageloop *loop,
                              const struct s2s_html_page *page,
                              struct s2s_http_response *resp)
{
	char *next = strdup(page->refresh_url);
	s2s_err rc;

	if (!next)
		return s2s_error_set(loop->ctx->err, S2S_ENOMEM,
		                     "out of memory");
	s2s_http_response_release(resp);
	rc = s2s_http_get(loop->ctx->http, next, resp, loop->ctx->err);
	free(next);
	return rc;
}

/* What the core does with a page no step took. */
static s2s_err fallback(struct s2s_pageloop *loop, struct s2s_html_page *page,
                        struct s2s_http_response *resp)
{
	if (loop->ops->flags & S2S_PAGELOOP_AUTOPOST)
		for (size_t i = 0; i < page->nforms; i++)
			if (s2s_formflow_is_autopost(&page->forms[i]))
				return s2s_formflow_submit(
				        loop->ctx, &page->forms[i], resp);
	if ((loop->ops->flags & S2S_PAGELOOP_REFRESH) && page->refresh_url)
		return follow_refresh(loop, page, resp);
	return s2s_formflow_unrecognised(loop->ctx, page, resp->status);
}

/* One page.  Sets *done when the SAMLResponse was taken. */
static s2s_err one_page(struct s2s_pageloop *loop,
                        struct s2s_http_response *resp,
                        struct s2s_buf *saml_b64, bool *done)
{
	struct s2s_adapter_ctx *ctx = loop->ctx;
	const char *url =
	        resp->url ? resp->url : s2s_account_get(ctx->acct, "url");
	struct s2s_html_page *page = NULL;
	struct s2s_form *form;
	bool handled = false;
	s2s_err rc;

	rc = s2s_html_parse(&page, url ? url : "",
	                    resp->body.ptr ? resp->body.ptr : "",
	                    resp->body.len, ctx->err);
	if (rc)
		goto out;
	if (resp->url)
		remember_host(loop, resp->url);
	form = s2s_html_form_with_field(page, "SAMLResponse");
	if (form &&
	    (!loop->ops->saml_final || loop->ops->saml_final(loop, form))) {
		rc = s2s_formflow_take_saml(ctx, form, saml_b64);
		*done = true;
		goto out;
	}
	if (form) { /* a SAML hop inside the IdP's own federation */
		rc = s2s_formflow_submit(ctx, form, resp);
		goto out;
	}
	for (size_t i = 0; loop->ops->steps && loop->ops->steps[i]; i++) {
		rc = loop->ops->steps[i](&handled, loop, page, resp);
		if (rc || handled)
			goto out;
	}
	rc = fallback(loop, page, resp);
out:
	s2s_html_page_free(page);
	return rc;
}

static s2s_err first_page(struct s2s_pageloop *loop,
                          struct s2s_http_response *resp)
{
	if (loop->ops->start)
		return loop->ops->start(loop, resp);
	return s2s_http_get(loop->ctx->http,
	                    s2s_account_get(loop->ctx->acct, "url"), resp,
	                    loop->ctx->err);
}

s2s_err s2s_pageloop_code_step(bool *handled, struct s2s_pageloop *loop,
                               struct s2s_html_page *page,
                               struct s2s_http_response *resp)
{
	struct s2s_form *form = NULL;
	struct s2s_form_field *f;

	S2S_ASSERT_ARG(loop->ops->code_names && loop->ops->code);
	f = s2s_html_field_by_names(&form, page, loop->ops->code_names);
	if (!f)
		return S2S_OK;
	*handled = true;
	return loop->ops->code(loop, form, f, resp);
}

s2s_err s2s_pageloop_run(struct s2s_adapter_ctx *ctx,
                         const struct s2s_pageloop_ops *ops, void *state,
                         struct s2s_buf *saml_b64)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_pageloop loop = { .ctx = ctx, .ops = ops, .state = state };
	bool done = false;
	int counted = 0;
	s2s_err rc;

	S2S_ASSERT_ARG(ctx && ops && saml_b64);
	rc = first_page(&loop, &resp);
	while (!rc && !done) {
		if (ctx->cancel && *ctx->cancel) {
			rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
			                   "interrupted");
			break;
		}
		if (counted == ops->max_steps) {
			rc = s2s_error_set(ctx->err, S2S_EIDP,
			                   "no SAMLResponse after %d %s pages",
			                   ops->max_steps, ops->pages);
			break;
		}
		if (resp.status >= 500)
			rc = s2s_error_set(ctx->err, S2S_ENET,
			                   "%s answered HTTP %ld", ops->idp,
			                   resp.status);
		else
			rc = one_page(&loop, &resp, saml_b64, &done);
		if (!loop.uncounted)
			counted++;
		loop.uncounted = false;
	}
	for (size_t i = 0; i < loop.nhosts; i++)
		free(loop.hosts[i]);
	s2s_http_response_release(&resp);
	return rc;
}
