/* SPDX-License-Identifier: MIT */
/*
 * authentik: the documented flow executor API.  The application's
 * IdP-initiated SAML URL redirects to the flow interface /if/flow/<slug>/;
 * the adapter runs that flow through /api/v3/flows/executor/<slug>/
 * (GET the challenge, POST the JSON answer, the state in the session
 * cookie) until ak-stage-autosubmit carries the SAMLResponse.  WebAuthn,
 * Duo, SMS, captcha and social sources are not here (--browser).  See
 * README.md here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/json.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>
#include <saml2sts/url.h>

#define AK_MAX_STEPS 24
#define AK_BROWSER   "; log in with --browser"

static const char *const ak_keys[] = { "totp_seed", NULL };

struct ak_state {
	struct s2s_adapter_ctx *ctx;
	char *next; /* the URL to request next */
	bool sent_uid, sent_password, sent_code, sent_consent;
};

static s2s_err nomem(struct ak_state *st)
{
	return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
}

/* The path of url (after scheme://host[:port]), "/" when none. */
static const char *path_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 + strcspn(p + 3, "/?#") : url;
	return *p == '/' ? p : "/";
}

static bool has_path(const char *url, const char *prefix)
{
	return strncmp(path_of(url), prefix, strlen(prefix)) == 0;
}

/* Set st->next to ref resolved against base. */
static s2s_err go(struct ak_state *st, const char *base, const char *ref)
{
	char *u = NULL;
	s2s_err rc = s2s_url_resolve(&u, base, ref, st->ctx->err);

	if (rc)
		return rc;
	free(st->next);
	st->next = u;
	return S2S_OK;
}

/* /if/flow/<slug>/?<q> -> /api/v3/flows/executor/<slug>/?query=<q>: the
 * flow interface's own API call (the executor reads the original query,
 * with its next=, from the query parameter). */
static s2s_err to_executor(struct ak_state *st)
{
	const char *path = path_of(st->next), *slug = path + 9;
	size_t n = strspn(slug, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
	                        "RSTUVWXYZ0123456789-_");
	const char *q = strchr(path, '?');
	struct s2s_buf url = S2S_BUF_INIT, query = S2S_BUF_INIT;
	char *qs = NULL;
	s2s_err rc = S2S_OK;

	if (n == 0 || (slug[n] != '/' && slug[n] != '?' && slug[n] != '\0'))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: no flow slug in the flow "
		                     "interface URL");
	qs = q ? strndup(q + 1, strcspn(q + 1, "#")) : strdup("");
	if (!qs || s2s_buf_add(&url, st->next, (size_t)(path - st->next)) ||
	    s2s_buf_puts(&url, "/api/v3/flows/executor/") ||
	    s2s_buf_add(&url, slug, n) || s2s_buf_puts(&url, "/?"))
		rc = nomem(st);
	if (!rc)
		rc = s2s_form_append(&query, "query", qs, st->ctx->err);
	if (!rc && s2s_buf_puts(&url, query.ptr))
		rc = nomem(st);
	if (!rc) {
		free(st->next);
		st->next = s2s_buf_detach(&url, NULL);
		if (!st->next)
			rc = nomem(st);
	}
	free(qs);
	s2s_buf_release(&url);
	s2s_buf_release(&query);
	return rc;
}

/* "X-authentik-CSRF: <authentik_csrf cookie>" for the host of url, into
 * hdr; empty when the session has no such cookie (the API wants it once
 * the session is authenticated). */
static void csrf_header(struct ak_state *st, const char *url, char *hdr,
                        size_t size)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	struct s2s_error e = S2S_ERROR_INIT;
	char *host = NULL;
	const char *line;
	size_t len;

	hdr[0] = '\0';
	if (s2s_url_host(&host, url, &e) ||
	    s2s_http_cookies_export(st->ctx->http, &jar, &e) || !jar.ptr)
		goto out;
	for (line = jar.ptr; *line; line += len + (line[len] == '\n')) {
		const char *f[7];
		size_t i = 0;

		len = strcspn(line, "\n");

		f[0] = line;
		for (const char *p = line; p < line + len && i < 6; p++)
			if (*p == '\t')
				f[++i] = p + 1;
		if (i != 6)
			continue;
		if (strncmp(f[0], "#HttpOnly_", 10) == 0)
			f[0] += 10;
		if (*f[0] == '.')
			f[0]++;
		if ((size_t)(f[1] - 1 - f[0]) != strlen(host) ||
		    strncasecmp(f[0], host, strlen(host)) != 0 ||
		    strncmp(f[5], "authentik_csrf\t", 15) != 0)
			continue;
		if (len - (size_t)(f[6] - line) < size - 20)
			snprintf(hdr, size, "X-authentik-CSRF: %.*s",
			         (int)(len - (size_t)(f[6] - line)), f[6]);
	}
out:
	free(host);
	s2s_buf_release(&jar);
}

/* One request, redirects not followed (the executor answers a solved
 * stage with 302). */
static s2s_err call(struct ak_state *st, const struct s2s_buf *body,
                    struct s2s_http_response *resp)
{
	char csrf[600], origin[300];
	const char *headers[] = { "Accept: application/json", NULL, NULL,
		                  NULL };
	struct s2s_http_request req = { 0 };
	s2s_err rc;

	req.method = body ? "POST" : "GET";
	req.url = st->next;
	req.flags = body ? 0 : S2S_HTTP_IDEMPOTENT;
	if (body) {
		req.body = body->ptr;
		req.body_len = body->len;
		req.content_type = "application/json";
		/* as the browser's fetch() would: Django's CSRF check of a
		 * session-authenticated https POST wants Origin (or a
		 * Referer) of the same site */
		snprintf(origin, sizeof(origin), "Origin: %.*s",
		         (int)(path_of(st->next) - st->next), st->next);
		headers[1] = origin;
		csrf_header(st, st->next, csrf, sizeof(csrf));
		if (csrf[0])
			headers[2] = csrf;
	}
	req.headers = headers;
	s2s_http_response_release(resp);
	rc = s2s_http_do(st->ctx->http, &req, resp, st->ctx->err);
	s2s_memzero(csrf, sizeof(csrf));
	return rc;
}

/* The first message of response_errors ({field: [{string, code}]}). */
static const char *first_error(struct json_object *o)
{
	struct json_object *errs = NULL;

	if (!json_object_object_get_ex(o, "response_errors", &errs) ||
	    !json_object_is_type(errs, json_type_object))
		return NULL;
	json_object_object_foreach(errs, key, val)
	{
		(void)key;
		if (json_object_is_type(val, json_type_array) &&
		    json_object_array_length(val) > 0 &&
		    s2s_json_str_at(json_object_array_get_idx(val, 0),
		                    "string"))
			return s2s_json_str_at(
			        json_object_array_get_idx(val, 0), "string");
	}
	return NULL;
}

/* POST a stage answer; 302 is success (go where it says), 200 the same
 * stage again with response_errors. */
static s2s_err solve(struct ak_state *st, const struct s2s_buf *body,
                     const char *component, s2s_err refused)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct json_object *o = NULL;
	const char *msg;
	s2s_err rc;

	rc = call(st, body, &resp);
	if (!rc && resp.status >= 300 && resp.status < 400 && resp.location)
		rc = go(st, st->next, resp.location);
	else if (!rc && resp.status == 200) {
		o = s2s_json_parse(resp.body.ptr ? resp.body.ptr : "",
		                   resp.body.len);
		msg = o ? first_error(o) : NULL;
		rc = s2s_error_set(st->ctx->err, msg ? refused : S2S_EIDP,
		                   "authentik: %s: %.120s", component,
		                   msg ? msg
		                       : "the answer was not accepted and "
		                         "no reason was given");
	} else if (!rc && resp.status >= 500)
		rc = s2s_error_set(
		        st->ctx->err, S2S_ENET,
		        "authentik answered HTTP %ld (%s); try again "
		        "later",
		        resp.status, component);
	else if (!rc)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "authentik: %s: the flow executor answered "
		                   "HTTP %ld",
		                   component, resp.status);
	s2s_json_put_wiped(o);
	s2s_http_response_release(&resp);
	return rc;
}

static s2s_err identification(struct ak_state *st, struct json_object *c)
{
	struct json_object *pf = NULL;
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	bool with_pw = json_object_object_get_ex(c, "password_fields", &pf) &&
	               json_object_get_boolean(pf);
	s2s_err rc;

	if (st->sent_uid)
		return s2s_error_set(
		        st->ctx->err, S2S_EAUTH,
		        "authentik: the sign-in was refused (asked "
		        "for the username again)");
	/* a captcha bound to the stage wants captcha_token, made by the
	 * captcha provider's JavaScript */
	if (json_object_object_get_ex(c, "captcha_stage", &pf) &&
	    json_object_is_type(pf, json_type_object))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: the sign-in stage has a "
		                     "captcha" AK_BROWSER);
	st->sent_uid = true;
	st->sent_password |= with_pw;
	rc = s2s_adapter_username(st->ctx, &user);
	if (!rc && with_pw)
		rc = s2s_adapter_password(st->ctx, st->next, &pass);
	if (!rc &&
	    (s2s_buf_puts(&body, "{") ||
	     s2s_json_member(&body, true, "component",
	                     "ak-stage-identification") ||
	     s2s_json_member(&body, false, "uid_field", user.ptr) ||
	     (with_pw && s2s_json_member(&body, false, "password", pass.ptr)) ||
	     s2s_buf_puts(&body, "}")))
		rc = nomem(st);
	if (!rc)
		rc = solve(st, &body, "sign-in", S2S_EAUTH);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	return rc;
}

static s2s_err password(struct ak_state *st)
{
	struct s2s_buf pass = S2S_BUF_SECRET_INIT, body = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (st->sent_password)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "authentik: the password was refused "
		                     "(asked for it again)");
	st->sent_password = true;
	rc = s2s_adapter_password(st->ctx, st->next, &pass);
	if (!rc &&
	    (s2s_buf_puts(&body, "{") ||
	     s2s_json_member(&body, true, "component", "ak-stage-password") ||
	     s2s_json_member(&body, false, "password", pass.ptr) ||
	     s2s_buf_puts(&body, "}")))
		rc = nomem(st);
	if (!rc)
		rc = solve(st, &body, "password", S2S_EAUTH);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	return rc;
}

/* The code: from the kept TOTP seed, else asked. */
static s2s_err get_code(struct ak_state *st, struct s2s_buf *code)
{
	if (s2s_adapter_keeps_totp(st->ctx))
		return s2s_adapter_seed_code(st->ctx, "authentik", code);
	return s2s_adapter_ask_code(st->ctx, "authentik",
	                            "authentik one-time code", code);
}

/* The executor asking for the code is not on the IdP's host. */
static s2s_err code_elsewhere(struct ak_state *st)
{
	struct s2s_error e = S2S_ERROR_INIT;
	char *host = NULL;
	s2s_err rc;

	if (s2s_url_host(&host, st->next, &e))
		host = NULL;
	s2s_error_clear(st->ctx->err);
	rc = s2s_error_set(st->ctx->err, S2S_EIDP,
	                   "authentik: not sending the one-time code to "
	                   "%.80s, which is not the host of url (if the "
	                   "flow runs there, add it to idp_hosts)",
	                   host ? host : "?");
	free(host);
	return rc;
}

/* ak-stage-authenticator-validate: a TOTP or static code when the user
 * has such a device; WebAuthn, Duo, SMS and email need the browser. */
static s2s_err validate_stage(struct ak_state *st, struct json_object *c)
{
	struct json_object *list = NULL;
	struct s2s_buf code = S2S_BUF_SECRET_INIT, body = S2S_BUF_SECRET_INIT;
	bool usable = false;
	size_t n;
	s2s_err rc;

	if (json_object_object_get_ex(c, "device_challenges", &list) &&
	    json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (size_t i = 0; i < n; i++) {
			const char *cls = s2s_json_str_at(
			        json_object_array_get_idx(list, i),
			        "device_class");

			if (cls && (strcmp(cls, "totp") == 0 ||
			            strcmp(cls, "static") == 0))
				usable = true;
		}
	}
	if (!usable)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: the MFA step offers no TOTP "
		                     "or static code device (WebAuthn, Duo "
		                     "and SMS are browser-only)" AK_BROWSER);
	if (st->sent_code)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "authentik: the one-time code was not "
		                     "accepted");
	/* the code is a secret like the password: only for the IdP's
	 * host, never for an executor a redirect led elsewhere */
	rc = s2s_adapter_password_dest(st->ctx, st->next);
	if (rc == S2S_EIDP)
		return code_elsewhere(st);
	if (rc)
		return rc;
	st->sent_code = true;
	rc = get_code(st, &code);
	if (!rc && (s2s_buf_puts(&body, "{") ||
	            s2s_json_member(&body, true, "component",
	                            "ak-stage-authenticator-validate") ||
	            s2s_json_member(&body, false, "code", code.ptr) ||
	            s2s_buf_puts(&body, "}")))
		rc = nomem(st);
	if (!rc)
		rc = solve(st, &body, "one-time code", S2S_EMFA);
	s2s_buf_release(&code);
	s2s_buf_release(&body);
	return rc;
}

/* ak-stage-consent (an explicit-consent authorization flow): the user
 * asked for this application, so the consent is given, echoing the
 * challenge's token; once. */
static s2s_err consent(struct ak_state *st, struct json_object *c)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	const char *token = s2s_json_str_at(c, "token");
	s2s_err rc = S2S_OK;

	if (st->sent_consent)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: the consent stage came back");
	st->sent_consent = true;
	if (s2s_buf_puts(&body, "{") ||
	    s2s_json_member(&body, true, "component", "ak-stage-consent") ||
	    (token && s2s_json_member(&body, false, "token", token)) ||
	    s2s_buf_puts(&body, "}"))
		rc = nomem(st);
	if (!rc)
		rc = solve(st, &body, "consent", S2S_EIDP);
	s2s_buf_release(&body);
	return rc;
}

/* ak-stage-autosubmit: the SAMLResponse for the Alibaba Cloud ACS. */
static s2s_err autosubmit(struct ak_state *st, struct json_object *c,
                          struct s2s_buf *saml_b64)
{
	struct json_object *attrs = NULL;
	const char *url = s2s_json_str_at(c, "url"), *saml;

	if (!json_object_object_get_ex(c, "attrs", &attrs))
		attrs = NULL;
	saml = s2s_json_str_at(attrs, "SAMLResponse");
	if (!saml || !*saml)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: the autosubmit stage has no "
		                     "SAMLResponse");
	if (!url || !s2s_formflow_is_alibaba_acs(url)) {
		struct s2s_error e = S2S_ERROR_INIT;
		char *host = NULL;
		s2s_err rc;

		if (!url || s2s_url_host(&host, url, &e))
			host = NULL;
		rc = s2s_error_set(
		        st->ctx->err, S2S_EIDP,
		        "authentik: the SAML provider posts to %.80s, "
		        "not an Alibaba Cloud ACS; set its ACS URL",
		        host ? host : "no URL");
		free(host);
		return rc;
	}
	s2s_buf_reset(saml_b64);
	if (s2s_buf_puts(saml_b64, saml))
		return nomem(st);
	return S2S_OK;
}

/* Act on one challenge of the executor; *done once the SAMLResponse is
 * taken. */
static s2s_err challenge(struct ak_state *st, struct json_object *c,
                         struct s2s_buf *saml_b64, bool *done)
{
	const char *type = s2s_json_str_at(c, "type"),
	           *comp = s2s_json_str_at(c, "component");
	const char *text;

	if ((type && strcmp(type, "redirect") == 0) ||
	    (comp && strcmp(comp, "xak-flow-redirect") == 0)) {
		if (!s2s_json_str_at(c, "to"))
			return s2s_error_set(st->ctx->err, S2S_EIDP,
			                     "authentik: a redirect without "
			                     "a target");
		return go(st, st->next, s2s_json_str_at(c, "to"));
	}
	if (!comp)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: the flow executor answer has "
		                     "no component");
	if (strcmp(comp, "ak-stage-autosubmit") == 0) {
		*done = true;
		return autosubmit(st, c, saml_b64);
	}
	if (strcmp(comp, "ak-stage-identification") == 0)
		return identification(st, c);
	if (strcmp(comp, "ak-stage-password") == 0)
		return password(st);
	if (strcmp(comp, "ak-stage-authenticator-validate") == 0)
		return validate_stage(st, c);
	if (strcmp(comp, "ak-stage-consent") == 0)
		return consent(st, c);
	if (strcmp(comp, "ak-stage-access-denied") == 0) {
		text = s2s_json_str_at(c, "error_message");
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "authentik: access denied (%.120s)",
		                     text ? text : "no reason given");
	}
	if (strcmp(comp, "ak-stage-flow-error") == 0) {
		text = s2s_json_str_at(c, "error");
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "authentik: flow error: %.120s",
		                     text ? text : "no reason given");
	}
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "authentik: stage %.60s is not supported "
	                     "headless" AK_BROWSER,
	                     comp);
}

/* GET st->next: a redirect moves on, an executor answer is a
 * challenge, anything else is not understood. */
static s2s_err step(struct ak_state *st, struct s2s_buf *saml_b64, bool *done)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct json_object *o = NULL;
	char where[100];
	s2s_err rc;

	if (has_path(st->next, "/if/flow/"))
		return to_executor(st);
	rc = call(st, NULL, &resp);
	if (rc)
		goto out;
	if (resp.status >= 300 && resp.status < 400 && resp.location) {
		rc = go(st, st->next, resp.location);
		goto out;
	}
	if (resp.status >= 500) {
		rc = s2s_error_set(
		        st->ctx->err, S2S_ENET,
		        "authentik answered HTTP %ld; try again later",
		        resp.status);
		goto out;
	}
	o = has_path(st->next, "/api/v3/flows/executor/") && resp.status == 200
	            ? s2s_json_parse(resp.body.ptr ? resp.body.ptr : "",
	                             resp.body.len)
	            : NULL;
	if (o) {
		rc = challenge(st, o, saml_b64, done);
		goto out;
	}
	snprintf(where, sizeof(where), "%.*s",
	         (int)strcspn(path_of(st->next), "?#"), path_of(st->next));
	rc = s2s_error_set(st->ctx->err, S2S_EIDP,
	                   "authentik: %.80s answered HTTP %ld without a flow "
	                   "(is url the application's SAML init URL?)",
	                   where, resp.status);
out:
	s2s_json_put_wiped(o);
	s2s_http_response_release(&resp);
	return rc;
}

static s2s_err ak_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	struct ak_state *st = ctx->priv;
	const char *url = s2s_account_get(ctx->acct, "url");
	bool done = false;
	s2s_err rc = S2S_OK;
	int n;

	st->ctx = ctx;
	if (!url)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "authentik: url (the application's SAML "
		                     "init URL) is not set");
	st->next = strdup(url);
	if (!st->next)
		return nomem(st);
	for (n = 0; !rc && !done && n < AK_MAX_STEPS; n++) {
		if (ctx->cancel && *ctx->cancel)
			rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
			                   "interrupted");
		else
			rc = step(st, saml_b64, &done);
	}
	if (!rc && !done)
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "authentik: no SAMLResponse after %d "
		                   "flow steps",
		                   AK_MAX_STEPS);
	return rc;
}

static void ak_release(struct s2s_adapter_ctx *ctx)
{
	struct ak_state *st = ctx->priv;

	if (st) {
		free(st->next);
		st->next = NULL;
	}
}

const struct s2s_adapter s2s_adapter_authentik = {
	.abi = S2S_ADAPTER_ABI,
	.name = "authentik",
	.summary = "authentik flow executor API (identification, password); "
	           "TOTP or static code",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP,
	.priv_size = sizeof(struct ak_state),
	.config_keys = ak_keys,
	.authenticate = ak_authenticate,
	.release = ak_release,
};
