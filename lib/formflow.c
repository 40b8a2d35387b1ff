/* SPDX-License-Identifier: MIT */
/*
 * Form-flow helpers shared by the HTML-driving adapters (form, adfs,
 * shibboleth, keycloak): the browser-with-JavaScript-off behaviour of
 * choosing the username input, pressing the default button and
 * submitting by GET or POST.  It holds no page classifier: each adapter
 * decides what a page means; the loop over pages is pageloop.c.
 */
#include "common.h"
#include "saml2sts/formflow.h"
#include "saml2sts/site.h"

bool s2s_formflow_is_alibaba_acs(const char *action)
{
	static const char *const acs[] = {
		"https://signin.aliyun.com/saml-role/sso",
		"https://signin.alibabacloud.com/saml-role/sso",
	};

	for (size_t i = 0; i < S2S_ARRAY_SIZE(acs); i++)
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

struct s2s_form_field *s2s_formflow_username_field(const struct s2s_form *form)
{
	static const char *const hints[] = { "user", "login", "email",
		                             "mail", "name",  "id" };
	struct s2s_form_field *first = NULL;

	for (size_t h = 0; h < S2S_ARRAY_SIZE(hints); h++)
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

size_t s2s_formflow_count_visible(const struct s2s_form *form)
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

bool s2s_formflow_is_autopost(const struct s2s_form *form)
{
	return s2s_formflow_count_visible(form) == 0 && form->nfields > 0 &&
	       strcmp(form->method, "POST") == 0;
}

static bool has_submitter(const struct s2s_form *form)
{
	for (size_t i = 0; i < form->nfields; i++)
		if (form->fields[i].submitter)
			return true;
	return false;
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

s2s_err s2s_formflow_press(struct s2s_form *form, const char *name,
                           struct s2s_error *err)
{
	struct s2s_form_field *f = s2s_form_field_find(form, name);

	for (size_t i = 0; i < form->nfields; i++)
		form->fields[i].submitter = false;
	if (f) {
		f->submitter = true;
		return S2S_OK;
	}
	return s2s_form_set(form, name, "", err);
}

s2s_err s2s_formflow_fill_login(struct s2s_adapter_ctx *ctx,
                                struct s2s_form *form, bool with_password)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_form_field *uf = s2s_formflow_username_field(form);
	struct s2s_form_field *pf = s2s_form_field_by_type(form, "password");
	s2s_err rc = S2S_OK;

	if (uf) {
		rc = s2s_adapter_username(ctx, &user);
		if (!rc)
			rc = s2s_form_set(form, uf->name, user.ptr, ctx->err);
	}
	if (!rc && with_password && pf) {
		rc = s2s_adapter_password(ctx, form->action, &pass);
		if (!rc)
			rc = s2s_form_set(form, pf->name, pass.ptr, ctx->err);
	}
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	return rc;
}

s2s_err s2s_formflow_fill_code(struct s2s_adapter_ctx *ctx,
                               struct s2s_form *form, const char *name,
                               const char *text, const char *what)
{
	struct s2s_buf code = S2S_BUF_SECRET_INIT;
	char *field = NULL;
	s2s_err rc;

	if (!ctx->prompter || !ctx->prompter->ask)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT, "a %s is needed",
		                     what);
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_OTP, text,
	                        &code, ctx->err);
	if (!rc && code.len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED, "no %s given",
		                   what);
	/* name may point into form, which s2s_form_set() may change */
	field = rc ? NULL : strdup(name);
	if (!rc && !field)
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_form_set(form, field, code.ptr, ctx->err);
	free(field);
	s2s_buf_release(&code);
	return rc;
}

s2s_err s2s_formflow_submit(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                            struct s2s_http_response *resp)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT, url = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (!has_submitter(form))
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

s2s_err s2s_formflow_take_saml(struct s2s_adapter_ctx *ctx,
                               const struct s2s_form *form,
                               struct s2s_buf *saml_b64)
{
	const struct s2s_form_field *f =
	        s2s_form_field_find(form, "SAMLResponse");

	s2s_buf_reset(saml_b64);
	if (!f || !f->value[0])
		return s2s_error_set(ctx->err, S2S_EIDP,
		                     "the IdP sent an empty SAMLResponse");
	if (s2s_buf_puts(saml_b64, f->value))
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

s2s_err s2s_formflow_unrecognised(struct s2s_adapter_ctx *ctx,
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

const char *s2s_formflow_sp_entity(const struct s2s_adapter_ctx *ctx)
{
	static const char *const names[] = { "cn", "intl" };
	const struct s2s_site *site;

	for (size_t i = 0; ctx->site_acs_url && i < S2S_ARRAY_SIZE(names);
	     i++) {
		site = s2s_site_find(names[i]);
		if (site && strcmp(site->acs_url, ctx->site_acs_url) == 0)
			return site->audience;
	}
	site = s2s_site_find(s2s_account_get(ctx->acct, "site"));
	return site ? site->audience : s2s_site_find(NULL)->audience;
}

s2s_err s2s_formflow_initiate_url(char **out, const struct s2s_adapter_ctx *ctx,
                                  const char *marker, const char *path,
                                  const char *param)
{
	const char *base = s2s_account_get(ctx->acct, "url");
	struct s2s_buf url = S2S_BUF_INIT, q = S2S_BUF_INIT;
	size_t n;
	s2s_err rc;

	*out = NULL;
	if (!base)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "no url configured");
	if (strstr(base, marker)) {
		*out = strdup(base);
		return *out ? S2S_OK
		            : s2s_error_set(ctx->err, S2S_ENOMEM,
		                            "out of memory");
	}
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	if (s2s_buf_add(&url, base, n) || s2s_buf_puts(&url, path) ||
	    s2s_buf_add(&url, "?", 1)) {
		s2s_buf_release(&url);
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	}
	rc = s2s_form_append(&q, param, s2s_formflow_sp_entity(ctx), ctx->err);
	if (!rc && s2s_buf_add(&url, q.ptr, q.len))
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc) {
		*out = s2s_buf_detach(&url, NULL);
		if (!*out)
			rc = s2s_error_set(ctx->err, S2S_ENOMEM,
			                   "out of memory");
	}
	s2s_buf_release(&url);
	s2s_buf_release(&q);
	return rc;
}
