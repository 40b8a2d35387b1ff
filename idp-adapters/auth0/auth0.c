/* SPDX-License-Identifier: MIT */
/*
 * Auth0: the SAML add-on's login URL /samlp/<client_id>, signed in either
 * through the classic Lock page (connection name from the client's JS on
 * the CDN, state and _csrf from the page's window.atob(...), POST
 * /usernamepassword/login, then the returned callback form) or through the
 * New Universal Login identifier-first forms (/u/login/identifier, then
 * /u/login/password, each with a rotating state), up to the SAMLResponse
 * form.  MFA pages and bot detection are browser-only.  See README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/base64.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/pageloop.h>
#include <saml2sts/secret.h>
#include <saml2sts/url.h>

#define A0_BROWSER                                              \
	"; log in with --browser (Auth0 MFA and bot detection " \
	"are browser-only)"

static const char *const a0_keys[] = { "connection", "cdn_url", "tenant",
	                               NULL };

struct a0_state {
	bool classic_done, sent_username, sent_password, bad_acs;
};

/* The path of url (after scheme://host[:port]); the empty string at
 * its end, or its query, when it has none: always inside url. */
static const char *path_of(const char *url)
{
	const char *p = strstr(url, "://");

	return p ? p + 3 + strcspn(p + 3, "/?#") : url + strlen(url);
}

static s2s_err a0_validate(const struct s2s_account *acct,
                           struct s2s_error *err)
{
	const char *cdn = s2s_account_get(acct, "auth0.cdn_url");
	const char *conn = s2s_account_get(acct, "auth0.connection");
	const char *url = s2s_account_get(acct, "url");

	if (cdn && !s2s_url_allowed(cdn))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "auth0.cdn_url must be https (or http to "
		                     "a loopback host)");
	if (conn && !*conn)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "auth0.connection must name a database "
		                     "connection");
	if (url && strncmp(path_of(url), "/samlp/", 7) != 0)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "auth0: url must be the application's "
		                     "SAML login URL https://<tenant>.auth0.com"
		                     "/samlp/<client_id>");
	return S2S_OK;
}

static s2s_err nomem(struct s2s_adapter_ctx *ctx)
{
	return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

/* The text of s up to delim (not included), after start; caller frees. */
static char *between(const char *s, size_t len, const char *start,
                     const char *delim)
{
	const char *a = s ? strstr(s, start) : NULL, *b;

	if (!a || (size_t)(a - s) >= len)
		return NULL;
	a += strlen(start);
	b = strstr(a, delim);
	return b ? strndup(a, (size_t)(b - a)) : NULL;
}

/* ---- classic Lock page --------------------------------------------- */

/* The connection names in the client's strategies[].connections[].name,
 * listed ", "-separated into names; the first into *first (borrowed from
 * strats); want, when not NULL, is looked for (*found).  Returns the
 * count. */
static size_t list_names(struct json_object *strats, struct s2s_buf *names,
                         const char **first, const char *want, bool *found)
{
	size_t count = 0;

	for (size_t i = 0; i < json_object_array_length(strats); i++) {
		struct json_object *s = json_object_array_get_idx(strats, i);
		struct json_object *cs = NULL, *nm = NULL;

		if (!json_object_object_get_ex(s, "connections", &cs) ||
		    !json_object_is_type(cs, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(cs); j++) {
			if (!json_object_object_get_ex(
			            json_object_array_get_idx(cs, j), "name",
			            &nm) ||
			    !json_object_is_type(nm, json_type_string))
				continue;
			if (!count++)
				*first = json_object_get_string(nm);
			if (want &&
			    strcmp(want, json_object_get_string(nm)) == 0)
				*found = true;
			if (names)
				(void)s2s_buf_printf(
				        names, "%s%s", count > 1 ? ", " : "",
				        json_object_get_string(nm));
		}
	}
	return count;
}

/* Several connections: ask which (without a terminal: exit 8 naming
 * them). */
static s2s_err ask_connection(struct s2s_adapter_ctx *ctx,
                              struct json_object *strats, char **out)
{
	struct s2s_buf names = S2S_BUF_INIT, ans = S2S_BUF_INIT;
	const char *first = NULL;
	bool found = false;
	char q[200];
	s2s_err rc = S2S_OK;

	(void)list_names(strats, &names, &first, NULL, NULL);
	if (!names.ptr)
		return nomem(ctx);
	snprintf(q, sizeof(q), "Auth0 connection (%.160s)", names.ptr);
	if (ctx->prompter && ctx->prompter->ask)
		rc = ctx->prompter->ask(ctx->prompter->payload,
		                        S2S_PROMPT_CHOICE, q, &ans, ctx->err);
	if (!ctx->prompter || !ctx->prompter->ask || rc == S2S_ENEEDINPUT) {
		s2s_error_clear(ctx->err);
		rc = s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                   "auth0: several connections (%.120s); set "
		                   "auth0.connection",
		                   names.ptr);
	}
	if (!rc)
		(void)list_names(strats, NULL, &first, ans.ptr ? ans.ptr : "",
		                 &found);
	if (!rc && !found)
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "auth0: '%.40s' is not one of the "
		                   "connections (%.120s)",
		                   ans.ptr ? ans.ptr : "", names.ptr);
	if (!rc) {
		*out = strdup(ans.ptr);
		if (!*out)
			rc = nomem(ctx);
	}
	s2s_buf_release(&names);
	s2s_buf_release(&ans);
	return rc;
}

/* The database connection: auth0.connection, else from
 * Auth0.setClient({...strategies[].connections[].name}) in the client's
 * JS on the CDN; with several, asked. */
static s2s_err connection(struct s2s_adapter_ctx *ctx, const char *client_id,
                          char **out)
{
	const char *conf = s2s_account_get(ctx->acct, "auth0.connection");
	const char *cdn = s2s_account_get_str(ctx->acct, "auth0.cdn_url",
	                                      "https://cdn.auth0.com");
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_buf url = S2S_BUF_INIT;
	struct json_object *cl = NULL, *strats = NULL;
	struct json_tokener *tok = NULL;
	const char *js, *first = NULL;
	size_t count = 0;
	s2s_err rc = S2S_OK;

	*out = NULL;
	if (conf) {
		*out = strdup(conf);
		return *out ? S2S_OK : nomem(ctx);
	}
	if (s2s_buf_printf(&url, "%.*s/client/%s.js",
	                   (int)(strlen(cdn) - (cdn[strlen(cdn) - 1] == '/')),
	                   cdn, client_id))
		return nomem(ctx);
	rc = s2s_http_get(ctx->http, url.ptr, &resp, ctx->err);
	js = rc || resp.status != 200 || !resp.body.ptr
	             ? NULL
	             : strstr(resp.body.ptr, "Auth0.setClient(");
	tok = js ? json_tokener_new() : NULL;
	if (tok)
		cl = json_tokener_parse_ex(tok, js + 16, (int)strlen(js + 16));
	if (!rc &&
	    (!cl || !json_object_object_get_ex(cl, "strategies", &strats) ||
	     !json_object_is_type(strats, json_type_array)))
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: no connection list in the client "
		                   "script (HTTP %ld); set auth0.connection",
		                   resp.status);
	if (!rc)
		count = list_names(strats, NULL, &first, NULL, NULL);
	if (!rc && count == 0)
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the client has no connection; set "
		                   "auth0.connection");
	if (!rc && count == 1) {
		*out = strdup(first);
		if (!*out)
			rc = nomem(ctx);
	}
	if (!rc && count > 1)
		rc = ask_connection(ctx, strats, out);
	if (tok)
		json_tokener_free(tok);
	s2s_json_put_wiped(cl);
	s2s_http_response_release(&resp);
	s2s_buf_release(&url);
	return rc;
}

/* state and _csrf from the page's window.atob('<base64 JSON>'). */
static s2s_err session_info(struct s2s_adapter_ctx *ctx,
                            const struct s2s_buf *body,
                            struct json_object **out)
{
	char *b64 = between(body->ptr, body->len, "window.atob('", "')");
	struct s2s_buf js = S2S_BUF_SECRET_INIT;
	struct s2s_error e = S2S_ERROR_INIT;
	s2s_err rc = S2S_OK;

	*out = NULL;
	if (!b64 || s2s_base64_decode(&js, b64, strlen(b64), &e) || !js.ptr)
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the login page's session data is "
		                   "not base64");
	if (!rc)
		*out = s2s_json_parse(js.ptr, js.len);
	if (!rc && (!*out || !json_object_object_get_ex(*out, "state", NULL) ||
	            !json_object_object_get_ex(*out, "_csrf", NULL)))
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the login page's session data has "
		                   "no state or _csrf");
	if (b64)
		s2s_freezero(b64, strlen(b64));
	s2s_buf_release(&js);
	return rc;
}

/* The string member name, or "" (the JSON body wants a value). */
static const char *jstr(struct json_object *o, const char *name)
{
	const char *v = s2s_json_str_at(o, name);

	return v ? v : "";
}

/* The JSON body of POST /usernamepassword/login, as lock.js sends it. */
static s2s_err login_body(struct s2s_adapter_ctx *ctx, struct s2s_buf *b,
                          const char *client_id, const char *tenant,
                          const char *conn, struct json_object *si)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	char *url = NULL;
	s2s_err rc;

	rc = s2s_adapter_username(ctx, &user);
	if (!rc)
		rc = s2s_url_resolve(&url, s2s_account_get(ctx->acct, "url"),
		                     "/usernamepassword/login", ctx->err);
	if (!rc)
		rc = s2s_adapter_password(ctx, url, &pass);
	if (!rc &&
	    (s2s_buf_puts(b, "{") ||
	     s2s_json_member(b, true, "client_id", client_id) ||
	     s2s_json_member(b, false, "connection", conn) ||
	     s2s_json_member(b, false, "username", user.ptr) ||
	     s2s_json_member(b, false, "password", pass.ptr) ||
	     s2s_json_member(b, false, "state", jstr(si, "state")) ||
	     s2s_json_member(b, false, "_csrf", jstr(si, "_csrf")) ||
	     s2s_json_member(b, false, "_intstate", "deprecated") ||
	     s2s_json_member(b, false, "popup_options", "{}") ||
	     s2s_json_member(b, false, "protocol", "samlp") ||
	     s2s_json_member(b, false, "response_type", "code") ||
	     s2s_json_member(b, false, "scope", "openid profile email") ||
	     s2s_buf_puts(b, ",\"sso\":true") ||
	     s2s_json_member(b, false, "tenant", tenant) ||
	     s2s_json_member(b, false, "redirect_uri", ctx->site_acs_url) ||
	     s2s_buf_puts(b, "}")))
		rc = nomem(ctx);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	free(url);
	return rc;
}

/* A refused /usernamepassword/login: {code, description} JSON. */
static s2s_err login_refused(struct s2s_adapter_ctx *ctx,
                             const struct s2s_http_response *resp)
{
	struct json_object *o = s2s_json_parse(
	        resp->body.ptr ? resp->body.ptr : "", resp->body.len);
	const char *code = jstr(o, "code"), *desc = jstr(o, "description");
	s2s_err rc;

	if (!*code)
		code = jstr(o, "error");
	if (strcmp(code, "invalid_user_password") == 0 ||
	    strcmp(code, "access_denied") == 0)
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "auth0: wrong username or password");
	else if (strcmp(code, "too_many_attempts") == 0 ||
	         strcmp(code, "blocked_user") == 0)
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "auth0: the account is blocked (%.100s)",
		                   *desc ? desc : code);
	else if (strcmp(code, "password_leaked") == 0 ||
	         strcmp(code, "password_expired") == 0)
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "auth0: the password must be changed "
		                   "(%.40s); change it in the browser",
		                   code);
	else
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the sign-in was refused (HTTP %ld, "
		                   "%.40s: %.100s)",
		                   resp->status, *code ? code : "no code",
		                   desc);
	s2s_json_put_wiped(o);
	return rc;
}

/* Re-post the callback form /usernamepassword/login answered with. */
static s2s_err post_callback(struct s2s_adapter_ctx *ctx, const char *origin,
                             struct s2s_http_response *resp)
{
	struct s2s_html_page *page = NULL;
	struct s2s_buf body = S2S_BUF_SECRET_INIT, hdr = S2S_BUF_INIT;
	struct s2s_http_request req = { 0 };
	const char *headers[] = { NULL, NULL };
	s2s_err rc;

	rc = s2s_html_parse(&page, resp->url ? resp->url : origin,
	                    resp->body.ptr ? resp->body.ptr : "",
	                    resp->body.len, ctx->err);
	if (!rc &&
	    (page->nforms == 0 || strcmp(page->forms[0].method, "POST") != 0 ||
	     strncmp(page->forms[0].action, origin, strlen(origin)) != 0 ||
	     !strchr("/?", page->forms[0].action[strlen(origin)])))
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the sign-in answer has no callback "
		                   "form for the tenant (HTTP %ld)",
		                   resp->status);
	if (!rc)
		rc = s2s_form_encode(&page->forms[0], &body, ctx->err);
	if (!rc && s2s_buf_printf(&hdr, "Origin: %s", origin))
		rc = nomem(ctx);
	if (!rc) {
		headers[0] = hdr.ptr;
		req.method = "POST";
		req.url = page->forms[0].action;
		req.body = body.ptr ? body.ptr : "";
		req.body_len = body.len;
		req.content_type = "application/x-www-form-urlencoded";
		req.headers = headers;
		req.flags = S2S_HTTP_FOLLOW;
		s2s_http_response_release(resp);
		rc = s2s_http_do(ctx->http, &req, resp, ctx->err);
	}
	s2s_html_page_free(page);
	s2s_buf_release(&body);
	s2s_buf_release(&hdr);
	return rc;
}

static s2s_err classic_login(struct s2s_adapter_ctx *ctx, const char *origin,
                             const char *client_id, const char *tenant,
                             struct s2s_http_response *resp)
{
	struct json_object *si = NULL;
	struct s2s_buf body = S2S_BUF_SECRET_INIT, hdr = S2S_BUF_INIT;
	struct s2s_buf url = S2S_BUF_INIT;
	struct s2s_http_request req = { 0 };
	/* what lock.js sends, base64 */
	const char *headers[] = { NULL,
		                  "Auth0-Client: eyJuYW1lIjoibG9jay5qcyIsInZ"
		                  "lcnNpb24iOiIxMS4xMS4wIn0=",
		                  "Accept: */*", NULL };
	char *conn = NULL;
	s2s_err rc;

	rc = session_info(ctx, &resp->body, &si);
	if (!rc)
		rc = connection(ctx, client_id, &conn);
	if (!rc)
		rc = login_body(ctx, &body, client_id, tenant, conn, si);
	if (!rc && (s2s_buf_printf(&hdr, "Origin: %s", origin) ||
	            s2s_buf_printf(&url, "%s/usernamepassword/login", origin)))
		rc = nomem(ctx);
	if (!rc) {
		headers[0] = hdr.ptr;
		req.method = "POST";
		req.url = url.ptr;
		req.body = body.ptr;
		req.body_len = body.len;
		req.content_type = "application/json";
		req.headers = headers;
		s2s_http_response_release(resp);
		rc = s2s_http_do(ctx->http, &req, resp, ctx->err);
	}
	if (!rc && resp->status != 200)
		rc = login_refused(ctx, resp);
	if (!rc)
		rc = post_callback(ctx, origin, resp);
	s2s_json_put_wiped(si);
	free(conn);
	s2s_buf_release(&body);
	s2s_buf_release(&hdr);
	s2s_buf_release(&url);
	return rc;
}

/* The classic Lock page: it carries window.atob('...'). */
static s2s_err classic_page(bool *handled, struct s2s_pageloop *loop,
                            struct s2s_html_page *page,
                            struct s2s_http_response *resp)
{
	struct a0_state *st = loop->state;
	struct s2s_adapter_ctx *ctx = loop->ctx;
	const char *url = s2s_account_get(ctx->acct, "url");
	const char *p = path_of(url), *host = strstr(url, "://");
	char *origin = NULL, *client_id = NULL, *tenant = NULL;
	s2s_err rc = S2S_OK;

	(void)page;
	if (!resp->body.ptr || !strstr(resp->body.ptr, "window.atob('"))
		return S2S_OK;
	*handled = true;
	if (st->classic_done)
		return s2s_error_set(ctx->err, S2S_EAUTH,
		                     "auth0: the login page came back after "
		                     "the sign-in");
	st->classic_done = true;
	origin = strndup(url, (size_t)(p - url));
	p = strstr(p, "/samlp/");
	client_id = p ? strndup(p + 7, strcspn(p + 7, "/?#")) : NULL;
	host = host ? host + 3 : url;
	tenant = s2s_account_get(ctx->acct, "auth0.tenant")
	                 ? strdup(s2s_account_get(ctx->acct, "auth0.tenant"))
	                 : strndup(host, strcspn(host, ".:/"));
	if (!ctx->site_acs_url)
		rc = s2s_error_set(
		        ctx->err, S2S_ECONFIG,
		        "auth0: no Alibaba Cloud site (site) to sign "
		        "in to");
	else if (!p)
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "auth0: no client id in url (/samlp/<id>)");
	else if (!origin || !tenant || !client_id)
		rc = nomem(ctx);
	if (!rc && !*client_id)
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "auth0: no client id in url (/samlp/<id>)");
	if (!rc)
		rc = classic_login(ctx, origin, client_id, tenant, resp);
	free(origin);
	free(client_id);
	free(tenant);
	return rc;
}

/* ---- New Universal Login ------------------------------------------- */

static char *ulp_error(const struct s2s_buf *body)
{
	static const char *const ids[] = { "error-element-password",
		                           "error-element-username",
		                           "error-element-captcha", NULL };
	struct s2s_error e = S2S_ERROR_INIT;
	char *t = NULL;

	for (size_t i = 0; ids[i] && !t; i++)
		if (s2s_html_find_text(&t, body->ptr, body->len, "id", ids[i],
		                       &e))
			t = NULL;
	if (!t && s2s_html_find_text(&t, body->ptr, body->len, "class",
	                             "ulp-input-error-message", &e))
		t = NULL;
	if (!t && s2s_html_find_text(&t, body->ptr, body->len, "id",
	                             "prompt-alert", &e))
		t = NULL;
	return t;
}

/* MFA (/u/mfa-*, /mfa, Guardian) and bot-detection pages: browser. */
static s2s_err blocked_page(bool *handled, struct s2s_pageloop *loop,
                            struct s2s_html_page *page,
                            struct s2s_http_response *resp)
{
	const char *p = path_of(page->url);
	const char *b = resp->body.ptr ? resp->body.ptr : "";
	bool captcha = false;

	for (size_t i = 0; i < page->nforms; i++)
		if (s2s_form_field_find(&page->forms[i], "captcha") ||
		    s2s_form_field_find(&page->forms[i],
		                        "g-recaptcha-response") ||
		    s2s_form_field_find(&page->forms[i], "h-captcha-response"))
			captcha = true;
	if (strstr(b, "ulp-captcha") || strstr(b, "auth0-captcha"))
		captcha = true;
	if (strncmp(p, "/u/mfa", 6) == 0 || strncmp(p, "/mfa", 4) == 0 ||
	    strncmp(p, "/guardian", 9) == 0) {
		*handled = true;
		return s2s_error_set(
		        loop->ctx->err, S2S_EIDP,
		        "auth0: the tenant asks for MFA (%.*s)" A0_BROWSER,
		        (int)strcspn(p, "?#"), p);
	}
	if (captcha) {
		*handled = true;
		return s2s_error_set(loop->ctx->err, S2S_EIDP,
		                     "auth0: the login page shows a CAPTCHA "
		                     "(bot detection)" A0_BROWSER);
	}
	return S2S_OK;
}

/* /u/login/identifier, /u/login/password or /u/login: a form with the
 * page's state; each POST answers with a new state in the next URL. */
static s2s_err universal_page(bool *handled, struct s2s_pageloop *loop,
                              struct s2s_html_page *page,
                              struct s2s_http_response *resp)
{
	struct a0_state *st = loop->state;
	struct s2s_form *form = s2s_html_form_with_field(page, "state");
	bool pw;
	bool *sent;
	char *msg;
	s2s_err rc;

	if (!form || strncmp(path_of(page->url), "/u/login", 8) != 0)
		return S2S_OK;
	pw = s2s_form_field_by_type(form, "password") != NULL;
	if (!pw && !s2s_formflow_username_field(form))
		return S2S_OK;
	*handled = true;
	sent = pw ? &st->sent_password : &st->sent_username;
	if (*sent) {
		msg = ulp_error(&resp->body);
		rc = s2s_error_set(loop->ctx->err, S2S_EAUTH, "auth0: %.160s",
		                   msg ? msg : "the sign-in was refused");
		free(msg);
		return rc;
	}
	*sent = true;
	st->sent_username |= pw && s2s_formflow_username_field(form);
	rc = s2s_formflow_fill_login(loop->ctx, form, pw);
	if (!rc)
		rc = s2s_formflow_submit(loop->ctx, form, resp);
	return rc;
}

/* Take only a SAMLResponse addressed to Alibaba Cloud; any other is
 * taken too (never posted on) and refused after the loop. */
static bool a0_saml_final(struct s2s_pageloop *loop,
                          const struct s2s_form *form)
{
	struct a0_state *st = loop->state;

	st->bad_acs = !s2s_formflow_is_alibaba_acs(form->action);
	return true;
}

static const s2s_pageloop_step_fn a0_steps[] = { blocked_page, classic_page,
	                                         universal_page, NULL };

static const struct s2s_pageloop_ops a0_loop = {
	.idp = "auth0: the tenant",
	.pages = "Auth0",
	.max_steps = 12,
	.flags = S2S_PAGELOOP_AUTOPOST,
	.saml_final = a0_saml_final,
	.steps = a0_steps,
};

static s2s_err a0_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	struct a0_state st = { 0 };
	s2s_err rc;

	if (!s2s_account_get(ctx->acct, "url"))
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "auth0: url (the application's "
		                     "/samlp/<client_id> URL) is not set");
	rc = s2s_pageloop_run(ctx, &a0_loop, &st, saml_b64);
	if (!rc && st.bad_acs) {
		s2s_buf_reset(saml_b64);
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "auth0: the SAML form does not post to an "
		                   "Alibaba Cloud ACS; set the application's "
		                   "callback URL to it");
	}
	return rc;
}

const struct s2s_adapter s2s_adapter_auth0 = {
	.abi = S2S_ADAPTER_ABI,
	.name = "auth0",
	.summary = "Auth0 SAML add-on: classic Lock login or Universal Login "
	           "forms; no MFA (browser-only)",
	.features = S2S_ADAPTER_F_FORM,
	.config_keys = a0_keys,
	.validate = a0_validate,
	.authenticate = a0_authenticate,
};
