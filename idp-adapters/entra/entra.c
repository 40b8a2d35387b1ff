/* SPDX-License-Identifier: MIT */
/*
 * Microsoft Entra ID (Azure AD), headless: GET the app's IdP-initiated
 * sign-in URL (MyApps LinkedSignIn, the launcher "User access URL" or a
 * login.microsoftonline.com/<tenant>/saml2 URL), then walk the ESTS pages
 * by the pgid of their $Config object: ConvergedSignIn
 * (GetCredentialType, then the password, or the federated AD FS leg
 * through the adfs adapter's page handling), ConvergedTFA (entra_mfa.c),
 * KmsiInterrupt, ConvergedProofUpRedirect, the hidden "Working..." and
 * DeviceAuthTls forms, the SAMLRequest script page, and stop at the
 * SAMLResponse form (never posted).  See README.md here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/pageloop.h>
#include <saml2sts/secret.h>
#include <saml2sts/url.h>

#include "entra_int.h"

/* What Microsoft Edge on Windows 11 sends: Conditional Access and the
 * sign-in pages key on the platform (an unknown one can be refused). */
#define BROWSER_UA                                                      \
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
	"(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 "           \
	"Edg/124.0.0.0"

#define BROWSER_HINT "; sign in with --browser"

/* Where the password goes (url_default): the ESTS sign-in host, which is
 * not the host of a launcher or MyApps url. */
#define LOGIN_URL "https://login.microsoftonline.com"

static const char *const entra_keys[] = { "mfa",           "push_timeout",
	                                  "poll_interval", "totp_seed",
	                                  "kmsi",          "user_agent",
	                                  "login_url",     NULL };

static s2s_err read_settings(struct entra_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	const char *mfa = s2s_account_get_str(acct, "entra.mfa", "auto");
	const char *url = s2s_account_get(acct, "url");
	bool remember = false;
	s2s_err rc = S2S_OK;

	/* the core checks entra.login_url (url_key); url is ours */
	if (!url || !s2s_url_allowed(url))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "url must be the app's https sign-in URL "
		                     "(the enterprise app's User access URL)");
	if (!s2s_entra__mfa_setting(mfa, &st->mfa))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "entra.mfa must be auto, push, totp, sms "
		                     "or voice");
	rc = s2s_adapter_wait_settings(acct, "entra", 60, 1000,
	                               &st->push_timeout_s, &st->poll_ms, err);
	if (!rc)
		rc = s2s_account_get_bool(&remember, acct, "remember_session",
		                          false, err);
	if (!rc)
		rc = s2s_account_get_bool(&st->kmsi, acct, "entra.kmsi",
		                          remember, err);
	st->user_agent =
	        s2s_account_get_str(acct, "entra.user_agent", BROWSER_UA);
	if (!rc && (!st->user_agent[0] || strpbrk(st->user_agent, "\r\n")))
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "entra.user_agent must be one non-empty "
		                   "line");
	return rc;
}

static s2s_err entra_validate(const struct s2s_account *acct,
                              struct s2s_error *err)
{
	struct entra_state st = { 0 };

	return read_settings(&st, acct, err);
}

static s2s_err nomem(struct entra_state *st)
{
	return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
}

/* ---- small helpers ---------------------------------------------------- */

s2s_err s2s_entra__resolve(struct entra_state *st, const char *base,
                           const char *ref, const char *what, char **out)
{
	s2s_err rc;

	*out = NULL;
	if (!ref || !*ref)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID: the page gives no %s", what);
	rc = s2s_url_resolve(out, base, ref, st->ctx->err);
	if (rc == S2S_ENOMEM)
		return rc;
	if (rc) {
		/* the page's fault (5), not the config's (EINVAL is 2) */
		s2s_error_clear(st->ctx->err);
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID: the page's %s is not a URL",
		                     what);
	}
	if (!s2s_url_allowed(*out)) {
		free(*out);
		*out = NULL;
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID: the page's %s is not https",
		                     what);
	}
	return S2S_OK;
}

/* Headers "Name: value" for one request; values are secrets. */
struct hdrs {
	char *v[12];
	const char *list[13];
	size_t n;
	bool oom;
};

static void hdr_add(struct hdrs *h, const char *name, const char *value)
{
	size_t len;

	if (!value || !*value || strpbrk(value, "\r\n") ||
	    h->n + 1 >= sizeof(h->v) / sizeof(h->v[0]))
		return;
	len = strlen(name) + strlen(value) + 3;
	h->v[h->n] = malloc(len);
	if (!h->v[h->n]) {
		h->oom = true;
		return;
	}
	snprintf(h->v[h->n], len, "%s: %s", name, value);
	h->list[h->n] = h->v[h->n];
	h->n++;
	h->list[h->n] = NULL;
}

static void hdr_free(struct hdrs *h)
{
	for (size_t i = 0; i < h->n; i++)
		s2s_freezero(h->v[i], strlen(h->v[i]));
	h->n = 0;
}

s2s_err s2s_entra__api_post(struct entra_state *st, struct json_object *cfg,
                            const char *page_url, const char *url,
                            const struct s2s_buf *body, const char *what,
                            struct json_object **out)
{
	struct hdrs h = { 0 };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	s2s_err rc;

	*out = NULL;
	hdr_add(&h, "Accept", "application/json");
	hdr_add(&h, "User-Agent", st->user_agent);
	hdr_add(&h, "Referer", page_url);
	hdr_add(&h, "canary", st->api_canary);
	hdr_add(&h, "client-request-id",
	        s2s_json_text_at(cfg, "correlationId"));
	hdr_add(&h, "hpgrequestid", s2s_json_text_at(cfg, "sessionId"));
	hdr_add(&h, "hpgact", s2s_json_text_at(cfg, "hpgact"));
	hdr_add(&h, "hpgid", s2s_json_text_at(cfg, "hpgid"));
	if (h.oom) {
		hdr_free(&h);
		return nomem(st);
	}
	req.method = "POST";
	req.url = url;
	req.body = body->ptr ? body->ptr : "{}";
	req.body_len = body->ptr ? body->len : 2;
	req.content_type = "application/json; charset=UTF-8";
	req.headers = h.list;
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (!rc) {
		*out = resp.body.ptr
		               ? s2s_json_parse(resp.body.ptr, resp.body.len)
		               : NULL;
		if (!*out)
			rc = s2s_error_set(st->ctx->err, S2S_EIDP,
			                   "Entra ID: the %s answer is not "
			                   "JSON (HTTP %ld)",
			                   what, resp.status);
	}
	s2s_http_response_release(&resp);
	hdr_free(&h);
	return rc;
}

static s2s_err browser_request(struct entra_state *st, const char *method,
                               const char *url, const char *referer,
                               const struct s2s_buf *body,
                               struct s2s_http_response *resp)
{
	struct hdrs h = { 0 };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response next = S2S_HTTP_RESPONSE_INIT;
	s2s_err rc;

	hdr_add(&h, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
	hdr_add(&h, "User-Agent", st->user_agent);
	hdr_add(&h, "Referer", referer);
	if (h.oom) {
		hdr_free(&h);
		return nomem(st);
	}
	req.method = method;
	req.url = url;
	req.headers = h.list;
	req.flags = S2S_HTTP_FOLLOW;
	if (body) {
		req.body = body->ptr ? body->ptr : "";
		req.body_len = body->len;
		req.content_type = "application/x-www-form-urlencoded";
	} else {
		req.flags |= S2S_HTTP_IDEMPOTENT;
	}
	rc = s2s_http_do(st->ctx->http, &req, &next, st->ctx->err);
	hdr_free(&h);
	if (!rc) {
		s2s_http_response_release(resp);
		*resp = next;
	} else {
		s2s_http_response_release(&next);
	}
	return rc;
}

s2s_err s2s_entra__post_form(struct entra_state *st, const char *url,
                             const char *referer, const struct s2s_buf *body,
                             struct s2s_http_response *resp)
{
	return browser_request(st, "POST", url, referer, body, resp);
}

static s2s_err get_page(struct entra_state *st, const char *url,
                        const char *referer, struct s2s_http_response *resp)
{
	char *copy = strdup(url);
	s2s_err rc;

	if (!copy)
		return nomem(st);
	rc = browser_request(st, "GET", copy, referer, NULL, resp);
	free(copy);
	return rc;
}

static s2s_err set_canary(struct entra_state *st, const char *v)
{
	if (!v)
		return S2S_OK;
	if (st->api_canary)
		s2s_freezero(st->api_canary, strlen(st->api_canary));
	st->api_canary = s2s_secret_strdup(v);
	return st->api_canary ? S2S_OK : nomem(st);
}

/* ---- $Config ---------------------------------------------------------- */

struct json_object *s2s_entra__config(const char *b, size_t len)
{
	const char *p, *end;
	struct json_tokener *tok;
	struct json_object *o;

	if (!b || !len)
		return NULL;
	end = b + len;
	p = b;
	for (;;) {
		p = memchr(p, '$', (size_t)(end - p));
		if (!p || end - p < 8)
			return NULL;
		if (memcmp(p, "$Config=", 8) == 0)
			break;
		p++;
	}
	p += 8;
	while (p < end && *p != '{')
		p++;
	if (p >= end)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(
	        tok, p, (int)(end - p < 0x7fffffff ? end - p : 0x7fffffff));
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		s2s_json_put_wiped(o);
		o = NULL;
	}
	return o;
}

/* The error of an AADSTS code, or S2S_OK when the code is not one the
 * adapter knows. */
static s2s_err code_error(struct entra_state *st, const char *code,
                          const char *pgid)
{
	static const char *const ca[] = { "53000", "53001", "53002",
		                          "53003", "53004", "50005",
		                          "50097", "50131", NULL };
	static const char *const enrol[] = { "50072", "50079", "50203", "50125",
		                             NULL };
	struct s2s_error *e = st->ctx->err;

	if (!code || !*code)
		return S2S_OK;
	if (strcmp(code, "50126") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID rejected the username or "
		                     "password (AADSTS50126)");
	if (strcmp(code, "50034") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID does not know this user "
		                     "(AADSTS50034): check the username");
	if (strcmp(code, "50053") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID: the account is locked "
		                     "(AADSTS50053: too many sign-in attempts "
		                     "or a blocked IP); wait, then try again");
	if (strcmp(code, "50055") == 0 || strcmp(code, "50144") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID: the password has expired "
		                     "(AADSTS%s); change it in a browser",
		                     code);
	if (strcmp(code, "50057") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID: the account is disabled "
		                     "(AADSTS50057)");
	if (strcmp(code, "50105") == 0)
		return s2s_error_set(e, S2S_EAUTH,
		                     "Entra ID: the user is not assigned to "
		                     "the application (AADSTS50105)");
	if (strcmp(code, "50196") == 0)
		return s2s_error_set(e, S2S_EIDP,
		                     "Entra ID detected a sign-in loop "
		                     "(AADSTS50196); wait a few minutes "
		                     "before trying again");
	if (strcmp(code, "50089") == 0)
		return s2s_error_set(e, S2S_EIDP,
		                     "Entra ID: the flow token expired "
		                     "(AADSTS50089); try again");
	if (strcmp(code, "500121") == 0 || strcmp(code, "50074") == 0 ||
	    strcmp(code, "50076") == 0)
		return s2s_error_set(e, S2S_EMFA,
		                     "Entra ID: the MFA was not passed "
		                     "(AADSTS%s)",
		                     code);
	for (size_t i = 0; ca[i]; i++)
		if (strcmp(code, ca[i]) == 0)
			return s2s_error_set(e, S2S_EIDP,
			                     "Entra ID: Conditional Access "
			                     "blocked the sign-in (AADSTS%s, "
			                     "page %.40s)" BROWSER_HINT
			                     " on a managed device",
			                     code, pgid);
	for (size_t i = 0; enrol[i]; i++)
		if (strcmp(code, enrol[i]) == 0)
			return s2s_error_set(
			        e, S2S_EIDP,
			        "Entra ID asks to register "
			        "security info (AADSTS%s)" BROWSER_HINT,
			        code);
	return S2S_OK;
}

static bool benign_code(const char *code)
{
	return !code || !*code || strcmp(code, "0") == 0 ||
	       strcmp(code, "50058") == 0;
}

/* ---- pages ------------------------------------------------------------ */

static s2s_err add_json_bool(struct s2s_buf *b, const char *name, bool v)
{
	return s2s_buf_printf(b, ",\"%s\":%s", name, v ? "true" : "false");
}

/* POST GetCredentialType; *out gets the answer. */
static s2s_err get_credential_type(struct entra_state *st,
                                   struct json_object *cfg,
                                   const char *page_url, const char *user,
                                   struct json_object **out)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	char *url = NULL;
	s2s_err rc;

	rc = s2s_entra__resolve(st, page_url,
	                        s2s_json_text_at(cfg, "urlGetCredentialType"),
	                        "GetCredentialType URL", &url);
	if (rc)
		return rc;
	if (s2s_buf_puts(&body, "{") ||
	    s2s_json_member(&body, true, "username", user) ||
	    add_json_bool(&body, "isOtherIdpSupported", true) ||
	    add_json_bool(&body, "checkPhones", false) ||
	    add_json_bool(&body, "isRemoteNGCSupported", true) ||
	    add_json_bool(&body, "isCookieBannerShown", false) ||
	    add_json_bool(&body, "isFidoSupported", false) ||
	    s2s_json_member(&body, false, "originalRequest",
	                    s2s_json_text_at(cfg, "sCtx")
	                            ? s2s_json_text_at(cfg, "sCtx")
	                            : "") ||
	    s2s_json_member(&body, false, "country", "") ||
	    add_json_bool(&body, "forceotclogin", false) ||
	    add_json_bool(&body, "isExternalFederationDisallowed", false) ||
	    add_json_bool(&body, "isRemoteConnectSupported", false) ||
	    s2s_buf_puts(&body, ",\"federationFlags\":0") ||
	    add_json_bool(&body, "isSignup", false) ||
	    s2s_json_member(&body, false, "flowToken",
	                    s2s_json_text_at(cfg, "sFT")
	                            ? s2s_json_text_at(cfg, "sFT")
	                            : "") ||
	    add_json_bool(&body, "isAccessPassSupported", true) ||
	    s2s_buf_puts(&body, "}"))
		rc = nomem(st);
	if (!rc)
		rc = s2s_entra__api_post(st, cfg, page_url, url, &body,
		                         "GetCredentialType", out);
	s2s_buf_release(&body);
	free(url);
	return rc;
}

/* Append the flow token as the page names it (sFTName, else flowToken). */
static s2s_err add_flow_token(struct s2s_buf *body, struct json_object *cfg,
                              const char *ft, struct s2s_error *err)
{
	const char *name = s2s_json_text_at(cfg, "sFTName");

	return s2s_form_append(body, name && *name ? name : "flowToken",
	                       ft ? ft : "", err);
}

/* ConvergedSignIn: GetCredentialType, then the password (managed) or
 * the federation redirect (federated). */
static s2s_err do_signin(struct entra_state *st, struct json_object *cfg,
                         const char *page_url, struct s2s_http_response *resp)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct json_object *gct = NULL, *creds;
	const char *fed, *ft, *exists, *ecode;
	char *post = NULL, *fed_url = NULL;
	s2s_err rc;

	rc = s2s_adapter_username(ctx, &user);
	if (!rc)
		rc = set_canary(st, s2s_json_text_at(cfg, "apiCanary"));
	if (!rc)
		rc = get_credential_type(st, cfg, page_url, user.ptr, &gct);
	if (rc)
		goto out;
	if (s2s_json_at(gct, "error")) {
		ecode = s2s_json_text_at(s2s_json_at(gct, "error"), "code");
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "Entra ID: GetCredentialType failed (%.40s)",
		                   ecode ? ecode : "no code");
		goto out;
	}
	exists = s2s_json_text_at(gct, "IfExistsResult");
	if (exists && strcmp(exists, "1") == 0) {
		rc = code_error(st, "50034", "ConvergedSignIn");
		goto out;
	}
	rc = set_canary(st, s2s_json_text_at(gct, "apiCanary"));
	if (rc)
		goto out;
	ft = s2s_json_text_at(gct, "FlowToken");
	if (!ft)
		ft = s2s_json_text_at(cfg, "sFT");
	creds = s2s_json_at(gct, "Credentials");
	fed = s2s_json_text_at(creds, "FederationRedirectUrl");
	if (fed && *fed) {
		/* The user's domain signs in elsewhere (AD FS): its pages
		 * are the adfs steps'; its password goes to that host only
		 * when idp_hosts lists it. */
		if (st->federated_seen++) {
			rc = s2s_error_set(ctx->err, S2S_EIDP,
			                   "Entra ID sent the user to the "
			                   "federated IdP twice");
			goto out;
		}
		rc = s2s_entra__resolve(st, page_url, fed,
		                        "FederationRedirectUrl", &fed_url);
		if (!rc)
			rc = get_page(st, fed_url, page_url, resp);
		goto out;
	}
	rc = s2s_entra__resolve(st, page_url, s2s_json_text_at(cfg, "urlPost"),
	                        "password URL (urlPost)", &post);
	if (!rc)
		rc = s2s_adapter_password(ctx, post, &pass);
	if (rc)
		goto out;
	if (s2s_form_append(&body, "i13", "0", ctx->err) ||
	    s2s_form_append(&body, "login", user.ptr, ctx->err) ||
	    s2s_form_append(&body, "loginfmt", user.ptr, ctx->err) ||
	    s2s_form_append(&body, "type", "11", ctx->err) ||
	    s2s_form_append(&body, "LoginOptions", "3", ctx->err) ||
	    s2s_form_append(&body, "passwd", pass.ptr ? pass.ptr : "",
	                    ctx->err) ||
	    s2s_form_append(&body, "ps", "2", ctx->err) ||
	    s2s_form_append(&body, "canary",
	                    s2s_json_text_at(cfg, "canary")
	                            ? s2s_json_text_at(cfg, "canary")
	                            : "",
	                    ctx->err) ||
	    s2s_form_append(&body, "ctx",
	                    s2s_json_text_at(cfg, "sCtx")
	                            ? s2s_json_text_at(cfg, "sCtx")
	                            : "",
	                    ctx->err) ||
	    s2s_form_append(&body, "hpgrequestid",
	                    s2s_json_text_at(cfg, "sessionId")
	                            ? s2s_json_text_at(cfg, "sessionId")
	                            : "",
	                    ctx->err) ||
	    add_flow_token(&body, cfg, ft, ctx->err)) {
		rc = nomem(st);
		goto out;
	}
	st->sent_password = true;
	rc = s2s_entra__post_form(st, post, page_url, &body, resp);
out:
	s2s_json_put_wiped(gct);
	s2s_buf_release(&body);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	free(post);
	free(fed_url);
	return rc;
}

/* KmsiInterrupt ("Stay signed in?"): the page has no form; its script
 * posts urlPost with LoginOptions 1 (yes) or 3 (no). */
static s2s_err do_kmsi(struct entra_state *st, struct json_object *cfg,
                       const char *page_url, struct s2s_http_response *resp)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	const char *v;
	char *post = NULL;
	s2s_err rc;

	if (st->kmsi_seen++ >= 2)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID showed \"Stay signed in?\" "
		                     "again after the answer");
	rc = s2s_entra__resolve(st, page_url, s2s_json_text_at(cfg, "urlPost"),
	                        "KMSI URL (urlPost)", &post);
	if (rc)
		return rc;
	v = s2s_json_text_at(cfg, "sCtx");
	if (s2s_form_append(&body, "LoginOptions", st->kmsi ? "1" : "3",
	                    st->ctx->err) ||
	    s2s_form_append(&body, "type", "28", st->ctx->err) ||
	    s2s_form_append(&body, "ctx", v ? v : "", st->ctx->err) ||
	    s2s_form_append(&body, "hpgrequestid",
	                    s2s_json_text_at(cfg, "sessionId")
	                            ? s2s_json_text_at(cfg, "sessionId")
	                            : "",
	                    st->ctx->err) ||
	    add_flow_token(&body, cfg, s2s_json_text_at(cfg, "sFT"),
	                   st->ctx->err) ||
	    s2s_form_append(&body, "canary",
	                    s2s_json_text_at(cfg, "canary")
	                            ? s2s_json_text_at(cfg, "canary")
	                            : "",
	                    st->ctx->err) ||
	    s2s_form_append(&body, "i19", "1000", st->ctx->err))
		rc = nomem(st);
	if (!rc)
		rc = s2s_entra__post_form(st, post, page_url, &body, resp);
	s2s_buf_release(&body);
	free(post);
	return rc;
}

static s2s_err do_proofup(struct entra_state *st, struct json_object *cfg,
                          const char *page_url, struct s2s_http_response *resp)
{
	const char *skip = s2s_json_text_at(cfg, "urlSkipMfaRegistration");
	char *url = NULL;
	s2s_err rc;

	if (!skip || !*skip)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID asks to register more security "
		                     "info and offers no skip (page "
		                     "ConvergedProofUpRedirect)" BROWSER_HINT
		                     " once");
	if (st->proofup_seen++ >= 2)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID keeps asking to register "
		                     "security info" BROWSER_HINT " once");
	rc = s2s_entra__resolve(st, page_url, skip, "urlSkipMfaRegistration",
	                        &url);
	if (!rc)
		rc = get_page(st, url, page_url, resp);
	free(url);
	return rc;
}

static s2s_err unknown_page(struct entra_state *st, const char *pgid,
                            const char *code)
{
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "Entra ID page not understood: pgid %.40s%s%.12s",
	                     pgid, code && *code ? ", AADSTS" : "",
	                     code && *code ? code : "");
}

/* A page with $Config, by its pgid. */
static s2s_err config_page(struct entra_state *st, struct json_object *cfg,
                           const char *page_url, struct s2s_http_response *resp)
{
	const char *pgid = s2s_json_text_at(cfg, "pgid");
	const char *code = s2s_json_text_at(cfg, "sErrorCode");
	s2s_err rc;

	if (!pgid || !*pgid)
		pgid = "(none)";
	if (strcmp(pgid, "ConvergedSignIn") == 0) {
		if (!benign_code(code) && (rc = code_error(st, code, pgid)))
			return rc;
		if (st->sent_password)
			return s2s_error_set(
			        st->ctx->err, S2S_EAUTH,
			        "Entra ID showed the sign-in page again "
			        "after the password%s%.12s%s",
			        benign_code(code) ? "" : " (AADSTS",
			        benign_code(code) ? "" : code,
			        benign_code(code) ? "" : ")");
		if (!benign_code(code))
			return s2s_error_set(st->ctx->err, S2S_EIDP,
			                     "Entra ID's sign-in page shows "
			                     "error AADSTS%.12s",
			                     code);
		return do_signin(st, cfg, page_url, resp);
	}
	if (strcmp(pgid, "ConvergedTFA") == 0) {
		if (st->did_mfa)
			return s2s_error_set(st->ctx->err, S2S_EMFA,
			                     "Entra ID asked for MFA again "
			                     "after it was passed");
		st->did_mfa = true;
		return s2s_entra__mfa(st, cfg, page_url, resp);
	}
	if (strcmp(pgid, "KmsiInterrupt") == 0)
		return do_kmsi(st, cfg, page_url, resp);
	if (strcmp(pgid, "ConvergedProofUpRedirect") == 0)
		return do_proofup(st, cfg, page_url, resp);
	if (strcmp(pgid, "ConvergedChangePassword") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "Entra ID: the password has expired "
		                     "(page ConvergedChangePassword); change "
		                     "it in a browser");
	if (strcmp(pgid, "ConvergedConditionalAccess") == 0) {
		char c[16];

		snprintf(c, sizeof(c), "%.12s",
		         code && *code ? code : "unknown");
		return s2s_error_set(
		        st->ctx->err, S2S_EIDP,
		        "Entra ID: Conditional Access blocked the "
		        "sign-in (page ConvergedConditionalAccess, "
		        "AADSTS%s)" BROWSER_HINT " on a compliant device",
		        c);
	}
	if (!benign_code(code) && (rc = code_error(st, code, pgid)))
		return rc;
	return unknown_page(st, pgid, benign_code(code) ? NULL : code);
}

/* Unescape a URL taken from script text: \u0026, \/, &amp;. */
static void unescape_script_url(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (strncmp(r, "\\u0026", 6) == 0) {
			*w++ = '&';
			r += 6;
		} else if (strncmp(r, "\\/", 2) == 0) {
			*w++ = '/';
			r += 2;
		} else if (strncmp(r, "&amp;", 5) == 0) {
			*w++ = '&';
			r += 5;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* The MyApps page whose script navigates to .../saml2?SAMLRequest=...:
 * the quoted URL around "SAMLRequest=", or NULL (caller frees). */
static char *samlrequest_url(const struct s2s_http_response *resp)
{
	const char *b = resp->body.ptr, *end, *p, *q, *start;
	char quote;
	char *url;

	if (!b)
		return NULL;
	end = b + resp->body.len;
	for (p = b; p < end; p++) {
		if (end - p < 12 || memcmp(p, "SAMLRequest=", 12) != 0)
			continue;
		for (q = p; q > b && q[-1] != '"' && q[-1] != '\'' &&
		            q[-1] != '<' && q[-1] != '>' && q[-1] != ' ';
		     q--)
			;
		if (q == b || (q[-1] != '"' && q[-1] != '\''))
			continue;
		quote = q[-1];
		start = q;
		for (q = p; q < end && *q != quote && *q != '\n'; q++)
			;
		if (q >= end || *q != quote)
			continue;
		url = strndup(start, (size_t)(q - start));
		if (!url)
			return NULL;
		unescape_script_url(url);
		if (strncmp(url, "https://", 8) == 0 ||
		    strncmp(url, "http://", 7) == 0)
			return url;
		free(url);
		p = q;
	}
	return NULL;
}

/* ---- the page loop ---------------------------------------------------- */

static s2s_err entra_step(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	struct entra_state *st = loop->state;
	struct json_object *cfg =
	        s2s_entra__config(resp->body.ptr, resp->body.len);
	char *url;
	s2s_err rc;

	if (!cfg)
		return S2S_OK;
	*handled = true;
	url = strdup(page->url);
	rc = url ? config_page(st, cfg, url, resp) : nomem(st);
	free(url);
	s2s_json_put_wiped(cfg);
	return rc;
}

static s2s_err samlrequest_step(bool *handled, struct s2s_pageloop *loop,
                                struct s2s_html_page *page,
                                struct s2s_http_response *resp)
{
	struct entra_state *st = loop->state;
	char *url, *referer;
	s2s_err rc;

	if (page->nforms)
		return S2S_OK;
	url = samlrequest_url(resp);
	if (!url)
		return S2S_OK;
	*handled = true;
	if (st->samlrequest_seen++ >= 3 || !s2s_url_allowed(url)) {
		free(url);
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "Entra ID: the SAMLRequest page %s",
		                     st->samlrequest_seen > 3
		                             ? "came back again"
		                             : "points to no https URL");
	}
	referer = strdup(page->url);
	rc = referer ? get_page(st, url, referer, resp) : nomem(st);
	free(referer);
	free(url);
	return rc;
}

/* Hidden forms ("Working...", DeviceAuthTls reprocess, AD FS's
 * wsignin1.0 answer): post them as the page's script would. */
static s2s_err hidden_form_step(bool *handled, struct s2s_pageloop *loop,
                                struct s2s_html_page *page,
                                struct s2s_http_response *resp)
{
	struct entra_state *st = loop->state;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	char *action = NULL, *referer = NULL;
	s2s_err rc;

	for (size_t i = 0; i < page->nforms; i++) {
		const struct s2s_form *f = &page->forms[i];

		if (!s2s_formflow_is_autopost(f))
			continue;
		*handled = true;
		if (!s2s_url_allowed(f->action))
			return s2s_error_set(st->ctx->err, S2S_EIDP,
			                     "Entra ID: a hidden form posts to "
			                     "a URL that is not https");
		rc = s2s_form_encode(f, &body, st->ctx->err);
		action = strdup(f->action);
		referer = strdup(page->url);
		if (!rc && (!action || !referer))
			rc = nomem(st);
		if (!rc)
			rc = s2s_entra__post_form(st, action, referer, &body,
			                          resp);
		s2s_buf_release(&body);
		free(action);
		free(referer);
		return rc;
	}
	return S2S_OK;
}

/* The AD FS leg's steps see the adfs adapter's own state. */
static s2s_err with_adfs(s2s_pageloop_step_fn fn, bool *handled,
                         struct s2s_pageloop *loop, struct s2s_html_page *page,
                         struct s2s_http_response *resp)
{
	struct entra_state *st = loop->state;
	s2s_err rc;

	loop->state = &st->adfs;
	rc = fn(handled, loop, page, resp);
	loop->state = st;
	return rc;
}

static s2s_err adfs_azure(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	return with_adfs(s2s_adfs__azure_step, handled, loop, page, resp);
}

static s2s_err adfs_code(bool *handled, struct s2s_pageloop *loop,
                         struct s2s_html_page *page,
                         struct s2s_http_response *resp)
{
	return with_adfs(s2s_pageloop_code_step, handled, loop, page, resp);
}

static s2s_err adfs_login(bool *handled, struct s2s_pageloop *loop,
                          struct s2s_html_page *page,
                          struct s2s_http_response *resp)
{
	return with_adfs(s2s_adfs__login_step, handled, loop, page, resp);
}

static s2s_err loop_start(struct s2s_pageloop *loop,
                          struct s2s_http_response *resp)
{
	return get_page(loop->state, s2s_account_get(loop->ctx->acct, "url"),
	                NULL, resp);
}

static const s2s_pageloop_step_fn entra_steps[] = {
	entra_step, samlrequest_step, adfs_azure, adfs_code,
	adfs_login, hidden_form_step, NULL,
};

static const struct s2s_pageloop_ops entra_loop = {
	.idp = "Entra ID",
	.pages = "Entra ID",
	.max_steps = 20,
	.start = loop_start,
	/* every SAMLResponse form ends the loop: none is ever posted */
	.steps = entra_steps,
	.code_names = s2s_adfs__code_names,
	.code = s2s_adfs__ask_code,
};

static s2s_err entra_authenticate(struct s2s_adapter_ctx *ctx,
                                  struct s2s_buf *saml_b64)
{
	struct entra_state *st = ctx->priv;
	s2s_err rc;

	st->ctx = ctx;
	rc = read_settings(st, ctx->acct, ctx->err);
	if (rc)
		return rc;
	st->adfs.auth = AUTH_FORMS;
	st->adfs.mfa_timeout_s = st->push_timeout_s;
	st->adfs.timeout_key = "entra.push_timeout";
	st->adfs.poll_ms = st->poll_ms;
	rc = s2s_pageloop_run(ctx, &entra_loop, st, saml_b64);
	if (st->api_canary) {
		s2s_freezero(st->api_canary, strlen(st->api_canary));
		st->api_canary = NULL;
	}
	return rc;
}

static void entra_release(struct s2s_adapter_ctx *ctx)
{
	struct entra_state *st = ctx->priv;

	if (st && st->api_canary) {
		s2s_freezero(st->api_canary, strlen(st->api_canary));
		st->api_canary = NULL;
	}
}

static const char *const entra_aliases[] = { "azuread", "aad", NULL };

const struct s2s_adapter s2s_adapter_entra = {
	.abi = S2S_ADAPTER_ABI,
	.name = "entra",
	.aliases = entra_aliases,
	.summary = "Microsoft Entra ID (Azure AD): password or federated "
	           "AD FS; Authenticator push with number, TOTP, SMS, voice",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH | S2S_ADAPTER_F_MFA_SMS |
	            S2S_ADAPTER_F_MFA_VOICE,
	.priv_size = sizeof(struct entra_state),
	.config_keys = entra_keys,
	/* the password goes to the ESTS host, not to url's (launcher,
	 * MyApps): entra.login_url, else login.microsoftonline.com */
	.url_key = "entra.login_url",
	.url_default = LOGIN_URL,
	.validate = entra_validate,
	.authenticate = entra_authenticate,
	.release = entra_release,
};
