/* SPDX-License-Identifier: MIT */
/*
 * Okta Identity Engine (OIE) through the IDX API behind the hosted
 * sign-in page: the engine check (/.well-known/okta-organization), the
 * stateToken of the app's embed link, /idp/idx/introspect, then the
 * remediations by name (identify, select-authenticator-authenticate,
 * authenticator-verification-data, challenge-authenticator,
 * challenge-poll, skip), each POSTed to its own href with the latest
 * stateHandle, up to success.href and the SAMLResponse page.  Enrolment,
 * another IdP (redirect-idp), FastPass and WebAuthn are not done here:
 * they end with an error pointing at --browser.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/json.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/url.h>

#include "okta_int.h"

#define ION       "application/ion+json; okta-version=1.0.0"
#define MAX_STEPS 20 /* remediations answered, polls not counted */
#define MAX_HOPS  10 /* redirects from the embed link */
#define MAX_PICKS 8  /* authenticators selected */
#define MAX_CANDS 24 /* authenticator/method pairs offered */
#define MAX_TOKEN 4096
#define MAX_CODES 2 /* one-time codes sent */

enum kind { K_PASSWORD, K_PUSH, K_TOTP, K_SMS, K_VOICE, K_EMAIL, K_NONE };

static const char *const kind_names[K_NONE] = { "password", "push",  "totp",
	                                        "sms",      "voice", "email" };

struct idx {
	struct okta_state *st;
	struct json_object *cur; /* the latest IDX answer */
	long status;             /* its HTTP status */
	bool identified, password_sent, push_sent;
	int picks, codes;
	char picked[MAX_PICKS][96]; /* "<id> <methodType>" selected */
	char number[16];            /* the number challenge shown */
};

struct cand {
	struct json_object *form;        /* the option's form */
	const char *id, *method, *label; /* borrowed from x->cur */
	enum kind kind;
	bool fastpass;
};

static s2s_err oom(struct idx *x)
{
	return s2s_error_set(x->st->ctx->err, S2S_ENOMEM, "out of memory");
}

/* ---- the engine ------------------------------------------------------ */

s2s_err s2s_okta__engine(struct okta_state *st, bool *idx)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct json_object *o = NULL;
	const char *pipeline;
	char *url = NULL;
	s2s_err rc;

	*idx = strcmp(st->engine, "idx") == 0;
	if (strcmp(st->engine, "auto") != 0)
		return S2S_OK;
	url = s2s_okta__join(st->origin, "/.well-known/okta-organization", "");
	if (!url)
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	rc = s2s_http_get(st->ctx->http, url, &resp, st->ctx->err);
	if (!rc && resp.status == 200 && resp.body.ptr)
		o = s2s_json_parse(resp.body.ptr, resp.body.len);
	/* pipeline "idx" is Identity Engine, "v1" Classic; no answer (an
	 * older org, a proxy) means Classic, whose errors then say so */
	pipeline = s2s_json_str_at(o, "pipeline");
	*idx = pipeline && strcmp(pipeline, "idx") == 0;
	if (!rc)
		s2s_adapter_verbose(st->ctx,
		                    pipeline
		                            ? "okta: engine %s (pipeline %s)"
		                            : "okta: engine %s (no pipeline in "
		                              "/.well-known/okta-organization;"
		                              " set okta.engine = idx for an "
		                              "Identity Engine org)",
		                    *idx ? "Identity Engine" : "Classic",
		                    pipeline ? pipeline : "");
	s2s_json_put_wiped(o);
	s2s_http_response_release(&resp);
	free(url);
	return rc;
}

/* ---- the stateToken of the sign-in page ------------------------------ */

static bool token_char(int c)
{
	return c > 0 && c < 128 && (isalnum(c) || strchr("-_.~", c));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool put_token_char(struct s2s_buf *out, int c)
{
	char ch = (char)c;

	return token_char(c) && out->len < MAX_TOKEN &&
	       s2s_buf_add(out, &ch, 1) == S2S_OK;
}

/* stateToken=<v> in url's query (percent-decoded) into out. */
bool s2s_okta__query_token(const char *url, struct s2s_buf *out)
{
	const char *q = strchr(url, '?');

	while (q) {
		q++;
		if (strncmp(q, "stateToken=", 11) == 0) {
			s2s_buf_reset(out);
			for (q += 11; *q && *q != '&' && *q != '#'; q++) {
				int c = (unsigned char)*q;

				if (c == '%' && hexval(q[1]) >= 0 &&
				    hexval(q[2]) >= 0) {
					c = hexval(q[1]) * 16 + hexval(q[2]);
					q += 2;
				}
				if (!put_token_char(out, c))
					return false;
			}
			return out->len > 0;
		}
		q = strchr(q, '&');
	}
	return false;
}

/* Decode the JavaScript string literal at p, closed by quote, into out:
 * the page escapes the token (\x2D, \u002D for '-'). */
static bool js_token(const char *p, char quote, struct s2s_buf *out)
{
	s2s_buf_reset(out);
	for (; *p && *p != quote; p++) {
		int c = (unsigned char)*p;

		if (c == '\\') {
			p++;
			if (*p == 'x' && hexval(p[1]) >= 0 &&
			    hexval(p[2]) >= 0) {
				c = hexval(p[1]) * 16 + hexval(p[2]);
				p += 2;
			} else if (*p == 'u' && hexval(p[1]) >= 0 &&
			           hexval(p[2]) >= 0 && hexval(p[3]) >= 0 &&
			           hexval(p[4]) >= 0) {
				c = ((hexval(p[1]) * 16 + hexval(p[2])) * 16 +
				     hexval(p[3])) *
				            16 +
				    hexval(p[4]);
				p += 4;
			} else {
				c = (unsigned char)*p;
			}
		}
		if (!put_token_char(out, c))
			return false;
	}
	return *p == quote && out->len > 0;
}

/* The stateToken of the sign-in page's inline script:
 * stateToken = '...' or "stateToken":"..." */
bool s2s_okta__page_token(const char *html, struct s2s_buf *out)
{
	const char *p = html;

	while ((p = strstr(p, "stateToken")) != NULL) {
		p += 10;
		p += strspn(p, "\"' \t");
		if (*p != ':' && *p != '=')
			continue;
		p++;
		p += strspn(p, " \t\r\n");
		if ((*p == '"' || *p == '\'') && js_token(p + 1, *p, out))
			return true;
	}
	return false;
}

static void where_of(char *out, size_t size, const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	snprintf(out, size, "%.*s", (int)strcspn(p, "?#"), p);
}

/* Keep a token found (in found) as tok. */
static s2s_err keep_token(struct idx *x, const struct s2s_buf *found,
                          struct s2s_buf *tok)
{
	s2s_buf_reset(tok);
	return s2s_buf_add(tok, found->ptr, found->len) ? oom(x) : S2S_OK;
}

/* The page at the end of the redirects: a live session's SAMLResponse
 * form, or the sign-in page with its stateToken (which wins over one
 * seen in a redirect). */
static s2s_err last_page(struct idx *x, const char *url,
                         const struct s2s_http_response *resp,
                         struct s2s_buf *tok, struct s2s_buf *saml_b64)
{
	struct s2s_buf found = S2S_BUF_SECRET_INIT;
	struct s2s_html_page *page = NULL;
	const struct s2s_form *form = NULL;
	char where[160];
	s2s_err rc = S2S_OK;

	where_of(where, sizeof(where), url);
	if (resp->status == 200 && resp->body.ptr &&
	    strstr(resp->body.ptr, "SAMLResponse")) {
		rc = s2s_html_parse(&page, url, resp->body.ptr, resp->body.len,
		                    x->st->ctx->err);
		form = rc ? NULL
		          : s2s_html_form_with_field(page, "SAMLResponse");
		if (form)
			rc = s2s_formflow_take_saml(x->st->ctx, form, saml_b64);
	}
	if (!rc && !form && resp->status == 200 && resp->body.ptr &&
	    s2s_okta__page_token(resp->body.ptr, &found))
		rc = keep_token(x, &found, tok);
	else if (!rc && !form && tok->len == 0)
		rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                   "okta: no stateToken on the sign-in page "
		                   "%s (HTTP %ld); if the org uses the Classic "
		                   "Engine, set okta.engine = classic",
		                   where, resp->status);
	s2s_html_page_free(page);
	s2s_buf_release(&found);
	return rc;
}

/* One hop of the embed link's redirects: *next gets the Location
 * (resolved; a stateToken in it is kept) or NULL on the last page. */
static s2s_err hop(struct idx *x, const char *url, char **next,
                   struct s2s_buf *tok, struct s2s_buf *saml_b64)
{
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_buf found = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	*next = NULL;
	req.method = "GET";
	req.url = url;
	req.flags = S2S_HTTP_IDEMPOTENT;
	rc = s2s_http_do(x->st->ctx->http, &req, &resp, x->st->ctx->err);
	if (!rc && resp.status >= 300 && resp.status < 400 && resp.location) {
		if (s2s_okta__query_token(resp.location, &found))
			rc = keep_token(x, &found, tok);
		if (!rc)
			rc = s2s_url_resolve(next, url, resp.location,
			                     x->st->ctx->err);
		if (rc && rc != S2S_ENOMEM) {
			/* the server's fault (5), not the config's */
			s2s_error_clear(x->st->ctx->err);
			rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
			                   "okta: the embed link redirects to "
			                   "something that is not a URL");
		}
	} else if (!rc) {
		rc = last_page(x, url, &resp, tok, saml_b64);
	}
	s2s_buf_release(&found);
	s2s_http_response_release(&resp);
	return rc;
}

static s2s_err state_token(struct idx *x, struct s2s_buf *tok,
                           struct s2s_buf *saml_b64)
{
	char *url = strdup(s2s_account_get(x->st->ctx->acct, "url"));
	char *next = NULL;
	bool last = false;
	s2s_err rc = url ? S2S_OK : oom(x);

	for (int i = 0; !rc && !last && i < MAX_HOPS; i++) {
		rc = hop(x, url, &next, tok, saml_b64);
		last = !next;
		if (rc || last)
			break;
		free(url);
		url = next;
		next = NULL;
		if (!s2s_url_allowed(url))
			rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
			                   "okta: the embed link redirects to "
			                   "a URL that is not https");
	}
	if (!rc && !last)
		rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                   "okta: the embed link redirects more "
		                   "than %d times",
		                   MAX_HOPS);
	free(next);
	free(url);
	return rc;
}

/* ---- IDX requests ---------------------------------------------------- */

/* S2S_EIDP unless href is on the org of url: nothing goes elsewhere. */
static s2s_err check_href(struct idx *x, const char *href)
{
	if (s2s_okta__on_origin(x->st, href))
		return S2S_OK;
	return s2s_error_set(x->st->ctx->err, S2S_EIDP,
	                     "okta: an IDX step points outside %s",
	                     x->st->origin);
}

/* POST body (secret) to href, which must be on the org's origin; the
 * answer replaces x->cur. */
static s2s_err idx_post(struct idx *x, const char *href,
                        const struct s2s_buf *body)
{
	static const char *const headers[] = { "Accept: " ION, NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	size_t n = strlen(x->st->origin);
	char where[160];
	s2s_err rc;

	if (check_href(x, href))
		return S2S_EIDP;
	req.method = "POST";
	req.url = href;
	req.body = body->ptr;
	req.body_len = body->len;
	req.content_type = ION;
	req.headers = headers;
	rc = s2s_http_do(x->st->ctx->http, &req, &resp, x->st->ctx->err);
	if (rc)
		goto out;
	s2s_json_put_wiped(x->cur);
	x->cur = resp.body.ptr ? s2s_json_parse(resp.body.ptr, resp.body.len)
	                       : NULL;
	x->status = resp.status;
	where_of(where, sizeof(where), href + n);
	if (resp.status == 429)
		rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                   "okta: too many requests (HTTP 429); try "
		                   "again later");
	else if (!x->cur)
		rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                   "okta: answer of %.100s is not IDX JSON "
		                   "(HTTP %ld)",
		                   where, resp.status);
out:
	s2s_http_response_release(&resp);
	return rc;
}

/* The member called name of o's "value" array (a remediation or form). */
static struct json_object *field(struct json_object *o, const char *name)
{
	struct json_object *v = s2s_json_at(o, "value");
	size_t n = json_object_is_type(v, json_type_array)
	                   ? json_object_array_length(v)
	                   : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(v, i);
		const char *fn = s2s_json_str_at(f, "name");

		if (fn && strcmp(fn, name) == 0)
			return f;
	}
	return NULL;
}

static struct json_object *remediation(struct idx *x, const char *name)
{
	return field(s2s_json_at(x->cur, "remediation"), name);
}

/* Start body with '{'; close_body() adds the latest stateHandle (after
 * a ',' when members came before) and '}'. */
static s2s_err open_body(struct idx *x, struct s2s_buf *b)
{
	s2s_buf_init(b, true);
	return s2s_buf_puts(b, "{") ? oom(x) : S2S_OK;
}

static s2s_err close_body(struct idx *x, struct s2s_buf *b,
                          struct json_object *rem)
{
	const char *h = s2s_json_str_at(x->cur, "stateHandle");

	if (!h)
		h = s2s_json_str_at(field(rem, "stateHandle"), "value");
	if (!h)
		return s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                     "okta: the IDX answer has no "
		                     "stateHandle; start the login again");
	if (s2s_json_member(b, b->len == 1, "stateHandle", h) ||
	    s2s_buf_puts(b, "}"))
		return oom(x);
	return S2S_OK;
}

/* POST b to rem's href (copied: the answer replaces what rem is in). */
static s2s_err send_to(struct idx *x, struct json_object *rem,
                       struct s2s_buf *b)
{
	const char *h = s2s_json_str_at(rem, "href");
	char *href = h ? strdup(h) : NULL;
	s2s_err rc;

	rc = close_body(x, b, rem);
	if (!rc && h && !href)
		rc = oom(x);
	if (!rc)
		rc = idx_post(x, href, b);
	free(href);
	return rc;
}

/* ---- messages -------------------------------------------------------- */

static bool has(const char *key, const char *part)
{
	return strstr(key, part) != NULL;
}

static s2s_err idx_error(struct idx *x, const char *key, const char *msg)
{
	struct s2s_error *err = x->st->ctx->err;

	if (strcmp(key, "incorrectPassword") == 0 || has(key, "E0000004"))
		return s2s_error_set(err, S2S_EAUTH,
		                     "okta: authentication failed (the "
		                     "password is incorrect)");
	if (has(key, "E0000119") || has(key, "lockedOut") ||
	    has(key, "locked_out") || has(key, "suspended_factor"))
		return s2s_error_set(err, S2S_EAUTH,
		                     "okta: the account is locked (%.60s); ask "
		                     "your administrator or unlock it at %s",
		                     key, x->st->origin);
	if (has(key, "rejected"))
		return s2s_error_set(err, S2S_EMFA,
		                     "okta: the Okta Verify push was rejected");
	if (has(key, "PASSCODE") || has(key, "passcode") ||
	    has(key, "E0000068"))
		return s2s_error_set(err, S2S_EMFA,
		                     "okta: the one-time code was not accepted "
		                     "(%.60s)",
		                     key);
	if (has(key, "session.expired") || has(key, "expired.session") ||
	    has(key, "E0000011") || has(key, "stateHandle"))
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: the sign-in state expired or is no "
		                     "longer valid (%.60s); start the login "
		                     "again",
		                     key);
	if (has(key, "transaction_resource_not_found") || has(key, "timeout") ||
	    has(key, "timed_out"))
		return s2s_error_set(err, S2S_EMFA,
		                     "okta: the verification timed out at Okta "
		                     "(%.60s)",
		                     key);
	if (has(key, "not.assigned") || has(key, "access_denied") ||
	    has(key, "unknown.user") || has(key, "user.not.found"))
		return s2s_error_set(err, S2S_EAUTH,
		                     "okta: access denied: %.120s", msg);
	if (!*key && !*msg) /* missing, or not strings */
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: Identity Engine error without a "
		                     "message (HTTP %ld); start the login "
		                     "again, or use --browser",
		                     x->status);
	return s2s_error_set(err, S2S_EIDP,
	                     "okta: Identity Engine error %.60s: %.120s; "
	                     "start the login again, or use --browser",
	                     key, msg);
}

/* The first message of class ERROR under o ("messages" members of the
 * answer and of the remediations' fields), or NULL. */
static struct json_object *first_error(struct json_object *o, int depth)
{
	struct json_object *found = NULL;

	if (!o || depth > 12)
		return NULL;
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);

		for (size_t i = 0; !found && i < n; i++)
			found = first_error(json_object_array_get_idx(o, i),
			                    depth + 1);
		return found;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	{
		const char *cls = s2s_json_str_at(o, "class");

		if (cls && strcmp(cls, "ERROR") == 0 &&
		    s2s_json_at(o, "message"))
			return o;
	}
	json_object_object_foreach(o, k, v)
	{
		if (!found &&
		    (strcmp(k, "messages") == 0 || strcmp(k, "value") == 0 ||
		     strcmp(k, "form") == 0))
			found = first_error(v, depth + 1);
	}
	return found;
}

static s2s_err check_messages(struct idx *x)
{
	struct json_object *m = first_error(s2s_json_at(x->cur, "messages"), 0);

	if (!m)
		m = first_error(s2s_json_at(x->cur, "remediation"), 0);
	if (!m)
		return S2S_OK;
	return idx_error(
	        x,
	        s2s_json_str_at(m, "i18n.key") ? s2s_json_str_at(m, "i18n.key")
	                                       : "",
	        s2s_json_str_at(m, "message") ? s2s_json_str_at(m, "message")
	                                      : "");
}

/* The number challenge, shown once as soon as Okta gives it. */
static void show_number(struct idx *x)
{
	struct json_object *n =
	        s2s_json_at(x->cur, "currentAuthenticator.value.contextualData."
	                            "correctAnswer");
	char num[16], msg[160];

	if (json_object_is_type(n, json_type_int))
		snprintf(num, sizeof(num), "%d", json_object_get_int(n));
	else if (json_object_is_type(n, json_type_string))
		snprintf(num, sizeof(num), "%s", json_object_get_string(n));
	else
		return;
	if (!num[0] || strspn(num, "0123456789") != strlen(num) ||
	    strcmp(num, x->number) == 0)
		return;
	memcpy(x->number, num, sizeof(num));
	snprintf(msg, sizeof(msg),
	         "Okta Verify: approve the push on your phone and pick "
	         "number %s",
	         num);
	s2s_okta__notify(x->st, msg);
}

/* ---- choosing an authenticator --------------------------------------- */

static enum kind method_kind(const char *m)
{
	if (!m)
		return K_NONE;
	if (strcmp(m, "otp") == 0)
		return K_TOTP;
	for (int k = 0; k < K_NONE; k++)
		if (strcmp(m, kind_names[k]) == 0)
			return (enum kind)k;
	return K_NONE;
}

static void add_cand(struct cand *c, size_t *n, struct json_object *form,
                     const char *method, enum kind kind, const char *label)
{
	if (*n >= MAX_CANDS)
		return;
	c[*n].form = form;
	c[*n].id = s2s_json_str_at(field(form, "id"), "value");
	c[*n].method = method;
	c[*n].label = label ? label : (method ? method : "?");
	c[*n].kind = method ? method_kind(method) : kind;
	c[*n].fastpass = method && strcmp(method, "signed_nonce") == 0;
	(*n)++;
}

/* The authenticator an option relates to ("$.authenticatorEnrollments.
 * value[2]"), for options without a methodType: its kind by type/key. */
static enum kind related_kind(struct idx *x, const char *rel)
{
	char path[64];
	const char *br = rel ? strstr(rel, ".value[") : NULL;
	struct json_object *a, *v;
	const char *type, *key;
	long i;

	if (!br || strncmp(rel, "$.", 2) != 0 || br - rel - 2 <= 0 ||
	    br - rel - 2 >= 40)
		return K_NONE;
	snprintf(path, sizeof(path), "%.*s.value", (int)(br - rel - 2),
	         rel + 2);
	i = strtol(br + 7, NULL, 10);
	v = s2s_json_at(x->cur, path);
	if (!json_object_is_type(v, json_type_array) || i < 0 ||
	    (size_t)i >= json_object_array_length(v))
		return K_NONE;
	a = json_object_array_get_idx(v, (size_t)i);
	type = s2s_json_str_at(a, "type");
	key = s2s_json_str_at(a, "key");
	if (type && strcmp(type, "password") == 0)
		return K_PASSWORD;
	if (type && strcmp(type, "email") == 0)
		return K_EMAIL;
	if (type && strcmp(type, "phone") == 0)
		return K_SMS; /* or K_VOICE: see form_cands */
	if (key && strcmp(key, "google_otp") == 0)
		return K_TOTP;
	return K_NONE;
}

/* Flatten an authenticator form (id + methodType value or options). */
static void form_cands(struct idx *x, struct json_object *form,
                       const char *label, const char *rel, struct cand *c,
                       size_t *n)
{
	struct json_object *mt = field(form, "methodType");
	struct json_object *opts = s2s_json_at(mt, "options");
	const char *value = s2s_json_str_at(mt, "value");
	size_t m = json_object_is_type(opts, json_type_array)
	                   ? json_object_array_length(opts)
	                   : 0;
	enum kind k;

	if (!s2s_json_str_at(field(form, "id"), "value"))
		return;
	if (value || !m) {
		k = value ? K_NONE : related_kind(x, rel);
		if (k == K_SMS && strcmp(x->st->mfa, "voice") == 0)
			k = K_VOICE; /* a phone: sms or voice comes next */
		add_cand(c, n, form, value, k, label);
		return;
	}
	for (size_t i = 0; i < m; i++)
		add_cand(c, n, form,
		         s2s_json_str_at(json_object_array_get_idx(opts, i),
		                         "value"),
		         K_NONE, label);
}

static bool picked(const struct idx *x, const struct cand *c)
{
	char key[96];

	snprintf(key, sizeof(key), "%s %s", c->id, c->method ? c->method : "");
	for (int i = 0; i < x->picks; i++)
		if (strcmp(x->picked[i], key) == 0)
			return true;
	return false;
}

static s2s_err no_usable(struct idx *x, const struct cand *c, size_t n)
{
	char labels[160] = "";
	size_t used = 0;
	bool fastpass = false;

	for (size_t i = 0; i < n; i++) {
		fastpass |= c[i].fastpass;
		if (used < sizeof(labels))
			used += (size_t)snprintf(labels + used,
			                         sizeof(labels) - used, "%s%s",
			                         used ? ", " : "", c[i].label);
	}
	if (fastpass)
		return s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                     "okta: this sign-in needs Okta FastPass "
		                     "(Okta Verify on this device), which "
		                     "needs a browser; use --browser");
	return s2s_error_set(x->st->ctx->err, S2S_EIDP,
	                     "okta: none of the authenticators offered "
	                     "(%.100s) can be used without a browser; use "
	                     "--browser",
	                     n ? labels : "none");
}

/* Ask which of the code factors offered to use. */
static s2s_err ask_kind(struct idx *x, const int *by_kind, int *want)
{
	struct s2s_prompter const *p = x->st->ctx->prompter;
	struct s2s_buf ans = S2S_BUF_INIT;
	char text[160] = "MFA factor (";
	size_t used = strlen(text);
	s2s_err rc;

	for (int k = K_TOTP; k < K_NONE; k++)
		if (by_kind[k] >= 0 && used < sizeof(text))
			used += (size_t)snprintf(
			        text + used, sizeof(text) - used, "%s%s",
			        used > 12 ? ", " : "", kind_names[k]);
	if (used < sizeof(text))
		snprintf(text + used, sizeof(text) - used, ")");
	rc = p->ask(p->payload, S2S_PROMPT_CHOICE, text, &ans, x->st->ctx->err);
	if (rc == S2S_ENEEDINPUT) {
		s2s_error_clear(x->st->ctx->err);
		rc = S2S_OK;
	}
	for (int k = K_TOTP; !rc && ans.ptr && k < K_NONE; k++)
		if (by_kind[k] >= 0 && strcasecmp(ans.ptr, kind_names[k]) == 0)
			*want = k;
	if (!rc && ans.ptr && *want < 0)
		rc = s2s_error_set(x->st->ctx->err, S2S_EMFA,
		                   "okta: '%.20s' is not one of the factors "
		                   "offered",
		                   ans.ptr);
	s2s_buf_release(&ans);
	return rc;
}

/* The authenticator to select: the password first when not yet sent,
 * then okta.mfa, or when auto: TOTP from a kept seed, else push (once),
 * else the only code factor, else ask (the first without a terminal). */
static s2s_err pick(struct idx *x, const struct cand *c, size_t n, size_t *out)
{
	struct s2s_adapter_ctx *ctx = x->st->ctx;
	int by_kind[K_NONE], want = -1, codes = 0;

	for (int k = 0; k < K_NONE; k++)
		by_kind[k] = -1;
	for (size_t i = n; i-- > 0;)
		if (c[i].kind != K_NONE && !picked(x, &c[i]))
			by_kind[c[i].kind] = (int)i;
	if (x->push_sent)
		by_kind[K_PUSH] = -1; /* one push per login */
	if (by_kind[K_SMS] >= 0 && strcmp(x->st->mfa, "voice") != 0)
		by_kind[K_VOICE] = -1; /* a call only when asked for */
	for (int k = K_TOTP; k < K_NONE; k++)
		codes += by_kind[k] >= 0;
	if (by_kind[K_PASSWORD] >= 0 && !x->password_sent)
		want = K_PASSWORD;
	else if (strcmp(x->st->mfa, "auto") != 0) {
		want = method_kind(x->st->mfa);
		if (want == K_NONE || by_kind[want] < 0)
			return s2s_error_set(
			        ctx->err, S2S_EMFA,
			        "okta: okta.mfa is %s but Okta does "
			        "not offer it here",
			        x->st->mfa);
	} else if (s2s_adapter_keeps_totp(ctx) && by_kind[K_TOTP] >= 0)
		want = K_TOTP;
	else if (by_kind[K_PUSH] >= 0)
		want = K_PUSH;
	else if (codes > 1 && ctx->prompter && ctx->prompter->ask) {
		s2s_err rc = ask_kind(x, by_kind, &want);

		if (rc)
			return rc;
	}
	for (int k = K_TOTP; want < 0 && k < K_NONE; k++)
		if (by_kind[k] >= 0)
			want = k;
	if (want < 0)
		return no_usable(x, c, n);
	*out = (size_t)by_kind[want];
	return S2S_OK;
}

/* Write "authenticator":{"id":..,"methodType":..} into b, with the
 * form's other fixed values (enrollmentId). */
static s2s_err put_authenticator(struct idx *x, struct s2s_buf *b,
                                 const struct cand *c)
{
	struct json_object *v = s2s_json_at(c->form, "value");
	size_t n = json_object_is_type(v, json_type_array)
	                   ? json_object_array_length(v)
	                   : 0;

	if (s2s_buf_puts(b, "\"authenticator\":{") ||
	    s2s_json_member(b, true, "id", c->id) ||
	    (c->method && s2s_json_member(b, false, "methodType", c->method)))
		return oom(x);
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(v, i);
		const char *name = s2s_json_str_at(f, "name");
		const char *val = s2s_json_str_at(f, "value");

		if (name && val && strcmp(name, "id") != 0 &&
		    strcmp(name, "methodType") != 0 &&
		    s2s_json_member(b, false, name, val))
			return oom(x);
	}
	return s2s_buf_puts(b, "}") ? oom(x) : S2S_OK;
}

/* An SMS, a call or an email with a code nobody could type is not set
 * off: without a terminal that is exit 8 before Okta sends anything. */
static s2s_err sends_code_check(struct idx *x, const struct cand *c)
{
	static const char *const what[] = { [K_SMS] = "an SMS",
		                            [K_VOICE] = "a voice call",
		                            [K_EMAIL] = "an email" };

	if ((c->kind != K_SMS && c->kind != K_VOICE && c->kind != K_EMAIL) ||
	    s2s_adapter_can_prompt(x->st->ctx))
		return S2S_OK;
	return s2s_error_set(x->st->ctx->err, S2S_ENEEDINPUT,
	                     "okta: %s code needs a terminal to type it and "
	                     "there is none (nothing was sent): run saml2sts "
	                     "login on a terminal",
	                     what[c->kind]);
}

static s2s_err do_select(struct idx *x, struct json_object *rem)
{
	struct json_object *opts =
	        s2s_json_at(field(rem, "authenticator"), "options");
	struct cand c[MAX_CANDS];
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	size_t n = 0, m, i = 0;
	bool push;
	s2s_err rc;

	m = json_object_is_type(opts, json_type_array)
	            ? json_object_array_length(opts)
	            : 0;
	for (size_t k = 0; k < m; k++) {
		struct json_object *o = json_object_array_get_idx(opts, k);

		form_cands(x, s2s_json_at(o, "value.form"),
		           s2s_json_str_at(o, "label"),
		           s2s_json_str_at(o, "relatesTo"), c, &n);
	}
	rc = pick(x, c, n, &i);
	if (!rc)
		rc = sends_code_check(x, &c[i]);
	if (!rc && x->picks >= MAX_PICKS)
		rc = s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                   "okta: Okta keeps asking for another "
		                   "authenticator; start the login again");
	if (rc)
		return rc;
	snprintf(x->picked[x->picks++], sizeof(x->picked[0]), "%s %s", c[i].id,
	         c[i].method ? c[i].method : "");
	push = c[i].kind == K_PUSH;
	x->push_sent |= push;
	rc = open_body(x, &b);
	if (!rc)
		rc = put_authenticator(x, &b, &c[i]);
	if (!rc)
		rc = send_to(x, rem, &b);
	if (!rc && push) {
		show_number(x);
		if (!x->number[0])
			s2s_okta__notify(x->st, "Okta Verify: approve the "
			                        "push on your phone");
	}
	s2s_buf_release(&b);
	return rc;
}

/* authenticator-verification-data: the phone's sms or voice (okta.mfa),
 * or the one method of the form. */
static s2s_err do_verification_data(struct idx *x, struct json_object *rem)
{
	struct json_object *form =
	        s2s_json_at(field(rem, "authenticator"), "form");
	struct cand c[MAX_CANDS];
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	size_t n = 0, i = 0;
	s2s_err rc;

	form_cands(x, form, "phone", NULL, c, &n);
	if (!n || x->picks >= MAX_PICKS)
		return s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                     "okta: authenticator-verification-data "
		                     "not understood");
	for (size_t k = 0; k < n; k++)
		if ((c[k].kind == K_VOICE) ==
		    (strcmp(x->st->mfa, "voice") == 0)) {
			i = k;
			break;
		}
	rc = sends_code_check(x, &c[i]);
	if (rc)
		return rc;
	snprintf(x->picked[x->picks++], sizeof(x->picked[0]), "%s %s", c[i].id,
	         c[i].method ? c[i].method : "");
	rc = open_body(x, &b);
	if (!rc)
		rc = put_authenticator(x, &b, &c[i]);
	if (!rc)
		rc = send_to(x, rem, &b);
	s2s_buf_release(&b);
	return rc;
}

/* ---- answering ------------------------------------------------------- */

static s2s_err do_identify(struct idx *x, struct json_object *rem)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	const char *href = s2s_json_str_at(rem, "href");
	bool inline_pw = field(rem, "credentials") != NULL;
	s2s_err rc;

	if (x->identified)
		return s2s_error_set(x->st->ctx->err, S2S_EAUTH,
		                     "okta: Okta asked for the username again "
		                     "(unknown user?)");
	x->identified = true;
	rc = s2s_adapter_username(x->st->ctx, &user);
	if (!rc && inline_pw) {
		rc = s2s_adapter_password(x->st->ctx, href ? href : "", &pass);
		x->password_sent = true;
	}
	if (!rc)
		rc = open_body(x, &b);
	if (!rc &&
	    (s2s_json_member(&b, true, "identifier", user.ptr) ||
	     (inline_pw && (s2s_buf_puts(&b, ",\"credentials\":{") ||
	                    s2s_json_member(&b, true, "passcode", pass.ptr) ||
	                    s2s_buf_puts(&b, "}"))) ||
	     (field(rem, "rememberMe") &&
	      s2s_buf_puts(&b, ",\"rememberMe\":false"))))
		rc = oom(x);
	if (!rc)
		rc = send_to(x, rem, &b);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&b);
	return rc;
}

/* What the challenge is for: currentAuthenticatorEnrollment (or
 * currentAuthenticator) type and method. */
static enum kind challenge_kind(struct idx *x)
{
	struct json_object *a =
	        s2s_json_at(x->cur, "currentAuthenticatorEnrollment.value");
	struct json_object *ms;
	const char *type, *method = NULL;

	if (!a)
		a = s2s_json_at(x->cur, "currentAuthenticator.value");
	type = s2s_json_str_at(a, "type");
	ms = s2s_json_at(a, "methods");
	if (json_object_is_type(ms, json_type_array) &&
	    json_object_array_length(ms) > 0)
		method = s2s_json_str_at(json_object_array_get_idx(ms, 0),
		                         "type");
	if (type && strcmp(type, "password") == 0)
		return K_PASSWORD;
	if (type && strcmp(type, "email") == 0)
		return K_EMAIL;
	if (method_kind(method) != K_NONE)
		return method_kind(method);
	return type && strcmp(type, "app") == 0 ? K_TOTP : K_NONE;
}

static s2s_err get_secret(struct idx *x, enum kind k, const char *href,
                          struct s2s_buf *out)
{
	static const char *const texts[K_NONE] = {
		NULL,
		NULL,
		"Okta Verify or authenticator code",
		"Code sent by SMS",
		"Code sent by voice call",
		"Code sent by email",
	};

	if (k == K_PASSWORD) {
		if (x->password_sent)
			return s2s_error_set(
			        x->st->ctx->err, S2S_EAUTH,
			        "okta: Okta asked for the password "
			        "a second time; not sending it "
			        "again");
		x->password_sent = true;
		return s2s_adapter_password(x->st->ctx, href, out);
	}
	if (k == K_NONE || k == K_PUSH)
		return s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                     "okta: the challenge of this "
		                     "authenticator is not supported; use "
		                     "--browser");
	if (++x->codes > MAX_CODES)
		return s2s_error_set(x->st->ctx->err, S2S_EMFA,
		                     "okta: Okta asked for a one-time code "
		                     "again");
	if (k == K_TOTP && s2s_adapter_keeps_totp(x->st->ctx))
		return s2s_adapter_seed_code(x->st->ctx, "okta", out);
	return s2s_adapter_ask_code(x->st->ctx, "okta", texts[k], out);
}

/* challenge-authenticator: the password or a code, in the field the
 * form declares (passcode, or totp for Okta Verify). */
static s2s_err do_challenge(struct idx *x, struct json_object *rem)
{
	struct json_object *f =
	        s2s_json_at(field(rem, "credentials"), "form.value");
	const char *name = NULL, *href = s2s_json_str_at(rem, "href");
	struct s2s_buf secret = S2S_BUF_SECRET_INIT, b = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (json_object_is_type(f, json_type_array) &&
	    json_object_array_length(f) > 0)
		name = s2s_json_str_at(json_object_array_get_idx(f, 0), "name");
	if (!name)
		name = "passcode";
	if (strcmp(name, "passcode") != 0 && strcmp(name, "totp") != 0)
		return s2s_error_set(x->st->ctx->err, S2S_EIDP,
		                     "okta: the challenge asks for '%.30s', "
		                     "which is not supported; use --browser",
		                     name);
	/* refused before anyone is asked for a code */
	rc = check_href(x, href);
	if (!rc)
		rc = get_secret(x, challenge_kind(x), href, &secret);
	if (!rc)
		rc = open_body(x, &b);
	if (!rc && (s2s_buf_puts(&b, "\"credentials\":{") ||
	            s2s_json_member(&b, true, name, secret.ptr) ||
	            s2s_buf_puts(&b, "}")))
		rc = oom(x);
	if (!rc)
		rc = send_to(x, rem, &b);
	s2s_buf_release(&secret);
	s2s_buf_release(&b);
	return rc;
}

/* challenge-poll: POST {stateHandle} every refresh ms (never faster
 * than okta.poll_interval) until the step is gone, an error, or
 * okta.push_timeout. */
static s2s_err do_poll(struct idx *x)
{
	struct okta_state *st = x->st;
	struct json_object *rem = remediation(x, "challenge-poll");
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	struct s2s_poll poll;
	s2s_err rc = S2S_OK;

	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000);
	poll.cancel = st->ctx->cancel;
	while (!rc && rem) {
		struct json_object *r = s2s_json_at(rem, "refresh");
		long ms = json_object_is_type(r, json_type_int)
		                  ? (long)json_object_get_int64(r)
		                  : 0;
		bool last;

		/* a refresh longer than the whole wait only runs into the
		 * deadline (and a hostile one must not overflow the clock) */
		if (ms > st->push_timeout_s * 1000)
			ms = st->push_timeout_s * 1000 + 1;
		poll.interval_ms = poll.max_ms =
		        ms > st->poll_ms ? ms : st->poll_ms;
		/* a poll cut short by the deadline would come too early */
		last = s2s_poll_left_ms(&poll) < poll.interval_ms;
		rc = s2s_poll_wait(&poll, "okta: Okta Verify push",
		                   st->ctx->err);
		if (!rc && last)
			rc = S2S_EMFA;
		if (rc == S2S_EMFA) {
			s2s_error_clear(st->ctx->err);
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "okta: the Okta Verify push was not "
			                   "approved within %lds",
			                   st->push_timeout_s);
		}
		if (!rc)
			rc = open_body(x, &b);
		if (!rc)
			rc = send_to(x, rem, &b);
		s2s_buf_release(&b);
		if (!rc)
			rc = check_messages(x);
		if (!rc)
			show_number(x);
		rem = rc ? NULL : remediation(x, "challenge-poll");
	}
	return rc;
}

static s2s_err do_skip(struct idx *x, struct json_object *rem)
{
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	s2s_err rc = open_body(x, &b);

	if (!rc)
		rc = send_to(x, rem, &b);
	s2s_buf_release(&b);
	return rc;
}

static bool offered(struct idx *x, const char *prefix)
{
	struct json_object *v = s2s_json_at(x->cur, "remediation.value");
	size_t n = json_object_is_type(v, json_type_array)
	                   ? json_object_array_length(v)
	                   : 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = s2s_json_str_at(
		        json_object_array_get_idx(v, i), "name");

		if (name && strncmp(name, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

/* No step we can take: say why, and what to do. */
static s2s_err terminal(struct idx *x)
{
	struct json_object *v = s2s_json_at(x->cur, "remediation.value");
	const char *first =
	        json_object_is_type(v, json_type_array)
	                ? s2s_json_str_at(json_object_array_get_idx(v, 0),
	                                  "name")
	                : NULL;
	struct s2s_error *err = x->st->ctx->err;

	if (offered(x, "reenroll-authenticator") ||
	    offered(x, "reset-authenticator"))
		return s2s_error_set(err, S2S_EAUTH,
		                     "okta: the password has expired; change "
		                     "it at %s",
		                     x->st->origin);
	if (offered(x, "redirect-idp"))
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: Okta sends this user to another "
		                     "identity provider (redirect-idp); use "
		                     "--browser");
	if (offered(x, "select-enroll-profile") || offered(x, "enroll-profile"))
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: Okta asks to register a profile "
		                     "(select-enroll-profile); check the "
		                     "username or use --browser");
	if (offered(x, "select-authenticator-enroll") ||
	    offered(x, "enroll-") || offered(x, "authenticator-enrollment"))
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: an authenticator must be enrolled "
		                     "first (%.40s); enrol at %s or use "
		                     "--browser",
		                     first ? first : "?", x->st->origin);
	if (offered(x, "launch-authenticator") ||
	    offered(x, "device-challenge-poll"))
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: this sign-in needs Okta FastPass "
		                     "(%.40s); use --browser",
		                     first ? first : "?");
	if (first)
		return s2s_error_set(err, S2S_EIDP,
		                     "okta: unsupported Identity Engine step "
		                     "'%.60s'; use --browser",
		                     first);
	return s2s_error_set(err, S2S_EIDP,
	                     "okta: the Identity Engine answer (HTTP %ld) "
	                     "has no next step; start the login again",
	                     x->status);
}

/* One step of the flow: the first remediation we know, in this order. */
static s2s_err step(struct idx *x)
{
	struct json_object *rem;

	if (remediation(x, "challenge-poll"))
		return do_poll(x);
	rem = remediation(x, "challenge-authenticator");
	if (rem)
		return do_challenge(x, rem);
	rem = remediation(x, "authenticator-verification-data");
	if (rem)
		return do_verification_data(x, rem);
	rem = remediation(x, "select-authenticator-authenticate");
	if (rem)
		return do_select(x, rem);
	rem = remediation(x, "identify");
	if (rem)
		return do_identify(x, rem);
	rem = remediation(x, "skip");
	if (rem)
		return do_skip(x, rem);
	return terminal(x);
}

static s2s_err introspect(struct idx *x, const struct s2s_buf *tok)
{
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	char *url = s2s_okta__join(x->st->origin, "/idp/idx/introspect", "");
	s2s_err rc = url ? S2S_OK : oom(x);

	if (!rc && (s2s_buf_puts(&b, "{") ||
	            s2s_json_member(&b, true, "stateToken", tok->ptr) ||
	            s2s_buf_puts(&b, "}")))
		rc = oom(x);
	if (!rc)
		rc = idx_post(x, url, &b);
	s2s_buf_release(&b);
	free(url);
	return rc;
}

s2s_err s2s_okta__idx_login(struct okta_state *st, struct s2s_buf *saml_b64)
{
	struct idx x = { 0 };
	struct s2s_buf tok = S2S_BUF_SECRET_INIT;
	const char *done = NULL;
	int n = 0;
	s2s_err rc;

	x.st = st;
	rc = state_token(&x, &tok, saml_b64);
	if (rc || saml_b64->len > 0) /* a live session went straight on */
		goto out;
	rc = introspect(&x, &tok);
	while (!rc) {
		rc = check_messages(&x);
		done = rc ? NULL : s2s_json_str_at(x.cur, "success.href");
		if (rc || done)
			break;
		if (n++ >= MAX_STEPS) {
			rc = s2s_error_set(st->ctx->err, S2S_EIDP,
			                   "okta: the Identity Engine sign-in "
			                   "did not finish in %d steps",
			                   MAX_STEPS);
			break;
		}
		show_number(&x);
		rc = step(&x);
	}
	if (!rc && !s2s_url_allowed(done))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "okta: the success link is not https");
	if (!rc)
		rc = s2s_okta__saml_page(st, done, saml_b64);
out:
	s2s_json_put_wiped(x.cur);
	s2s_buf_release(&tok);
	return rc;
}
