/* SPDX-License-Identifier: MIT */
/*
 * PingOne (the platform at auth.pingone.com and its regional hosts)
 * through its documented flows API: the IdP-initiated
 * /<envId>/saml20/idp/startsso URL redirects to the hosted sign-on UI
 * with a flowId; the flow is read with GET /<envId>/flows/<flowId> and
 * driven with POSTs whose Content-Type names the action
 * (application/vnd.pingidentity.<action>+json): usernamePassword.check,
 * device.select, otp.check; a push is waited for by reading the flow
 * again.  COMPLETED leads to /<envId>/saml20/resume?flowId=, whose page
 * carries the SAMLResponse form, taken and never posted.  The ST session
 * cookie is kept in the session's jar.  See README.md.
 */
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

#define P1_MAX_STEPS 16
#define CT_PREFIX    "application/vnd.pingidentity."

static const char *const p1_keys[] = { "device", "poll_interval",
	                               "push_timeout", NULL };

struct p1_state {
	struct s2s_adapter_ctx *ctx;
	long poll_ms;
	long push_timeout_s;
	char *origin;   /* scheme://host[:port] of url */
	char *env;      /* the environment id: url's first path segment */
	char *flow_id;  /* from the hosted UI's URL */
	char *flow_url; /* origin/env/flows/flowId */
	bool sent_password, sent_otp, sent_device, pushed;
};

enum p1_when { WHEN_SIGNIN, WHEN_DEVICE, WHEN_OTP, WHEN_FLOW };

static s2s_err read_settings(struct p1_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	return s2s_adapter_wait_settings(acct, "pingone", 120, 2000,
	                                 &st->push_timeout_s, &st->poll_ms,
	                                 err);
}

static s2s_err p1_validate(const struct s2s_account *acct,
                           struct s2s_error *err)
{
	struct p1_state st = { 0 };

	return read_settings(&st, acct, err);
}

static s2s_err nomem(struct s2s_adapter_ctx *ctx)
{
	return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

/* origin and environment id from url: https://HOST/<envId>/saml20/... */
static s2s_err parse_url(struct p1_state *st, const char *url)
{
	const char *p = strstr(url, "://"), *path, *seg;
	size_t n;

	if (!p)
		goto bad;
	path = p + 3 + strcspn(p + 3, "/?#");
	if (*path != '/')
		goto bad;
	seg = path + 1;
	n = strcspn(seg, "/?#");
	if (n == 0 || n > 64 || seg[n] != '/')
		goto bad;
	st->origin = strndup(url, (size_t)(path - url));
	st->env = strndup(seg, n);
	if (!st->origin || !st->env)
		return nomem(st->ctx);
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF-", seg[i]))
			goto bad;
	return S2S_OK;
bad:
	return s2s_error_set(st->ctx->err, S2S_ECONFIG,
	                     "pingone: url must be the application's "
	                     "https://HOST/<envId>/saml20/idp/startsso?"
	                     "spEntityId=... URL");
}

/* The flowId query parameter of url, or NULL. */
static char *flow_id_of(const char *url)
{
	const char *q = url ? strchr(url, '?') : NULL;
	const char *p;
	size_t n;

	for (p = q; p; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "flowId=", 7) != 0)
			continue;
		p += 8;
		n = strcspn(p, "&#");
		if (n == 0 || n > 128 ||
		    strspn(p, "0123456789abcdefABCDEF-") < n)
			return NULL;
		return strndup(p, n);
	}
	return NULL;
}

/* One flow call: GET (body NULL) or POST with Content-Type
 * application/vnd.pingidentity.<action>+json.  *out is the JSON object
 * answered, or an error. */
static s2s_err p1_call(struct p1_state *st, const char *action,
                       const struct s2s_buf *body, struct json_object **out,
                       long *status)
{
	static const char *const headers[] = { "Accept: application/json",
		                               NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	char ct[96];
	s2s_err rc;

	*out = NULL;
	req.url = st->flow_url;
	req.headers = headers;
	if (action) {
		snprintf(ct, sizeof(ct), CT_PREFIX "%s+json", action);
		req.method = "POST";
		req.body = body->ptr;
		req.body_len = body->len;
		req.content_type = ct;
	} else {
		req.method = "GET";
		req.flags = S2S_HTTP_IDEMPOTENT;
	}
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (rc)
		goto out;
	*status = resp.status;
	if (resp.status >= 500) {
		rc = s2s_error_set(st->ctx->err, S2S_ENET,
		                   "pingone: the flows API answered HTTP %ld",
		                   resp.status);
		goto out;
	}
	*out = resp.body.ptr ? s2s_json_parse(resp.body.ptr, resp.body.len)
	                     : NULL;
	if (!*out)
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "pingone: the flows API answer is not "
		                   "PingOne JSON (HTTP %ld)",
		                   resp.status);
out:
	s2s_http_response_release(&resp);
	return rc;
}

static bool has_locked(const char *s)
{
	return s && strstr(s, "LOCKED");
}

/* PingOne's error shape: {"id","code","message","details":[{"code",
 * "target","message"}]}. */
static s2s_err p1_error(struct p1_state *st, struct json_object *o, long status,
                        enum p1_when when)
{
	struct json_object *details = s2s_json_at(o, "details");
	struct json_object *d0 = NULL;
	const char *code = s2s_json_str_at(o, "code"),
	           *msg = s2s_json_str_at(o, "message");
	const char *dcode = NULL, *target = NULL, *dmsg = NULL;

	if (details && json_object_is_type(details, json_type_array) &&
	    json_object_array_length(details) > 0) {
		d0 = json_object_array_get_idx(details, 0);
		dcode = s2s_json_str_at(d0, "code");
		target = s2s_json_str_at(d0, "target");
		dmsg = s2s_json_str_at(d0, "message");
	}
	if (has_locked(code) || has_locked(dcode))
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "pingone: the account is locked (%.40s); "
		                     "wait for the lock to expire or ask your "
		                     "administrator",
		                     dcode ? dcode : code);
	if (when == WHEN_SIGNIN && code &&
	    (strcmp(code, "INVALID_DATA") == 0 ||
	     strcmp(code, "INVALID_CREDENTIALS") == 0))
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "pingone: wrong username or password "
		                     "(%.120s)",
		                     dmsg  ? dmsg
		                     : msg ? msg
		                           : code);
	if (when == WHEN_OTP && code && strcmp(code, "INVALID_DATA") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "pingone: the one-time code was not "
		                     "accepted (%.120s)",
		                     dmsg  ? dmsg
		                     : msg ? msg
		                           : code);
	if (code)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "pingone: %.40s%s%.40s%s%.40s: %.120s "
		                     "(HTTP %ld)",
		                     code, dcode ? "/" : "", dcode ? dcode : "",
		                     target ? " on " : "", target ? target : "",
		                     dmsg  ? dmsg
		                     : msg ? msg
		                           : "",
		                     status);
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "pingone: unexpected flows API answer (HTTP %ld)",
	                     status);
}

/* GET the startsso URL (following redirects) to the hosted UI's URL
 * with flowId. */
static s2s_err start(struct p1_state *st)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_buf u = S2S_BUF_INIT;
	s2s_err rc;

	rc = s2s_http_get(ctx->http, s2s_account_get(ctx->acct, "url"), &resp,
	                  ctx->err);
	if (rc)
		goto out;
	st->flow_id = flow_id_of(resp.url);
	if (!st->flow_id) {
		size_t n = resp.url ? strcspn(resp.url, "?#") : 0;

		rc = s2s_error_set(ctx->err,
		                   resp.status >= 500 ? S2S_ENET : S2S_EIDP,
		                   "pingone: startsso did not lead to a "
		                   "sign-on flow (HTTP %ld at %.*s); check url",
		                   resp.status, (int)(n < 160 ? n : 160),
		                   resp.url ? resp.url : "");
		goto out;
	}
	if (s2s_buf_printf(&u, "%s/%s/flows/%s", st->origin, st->env,
	                   st->flow_id)) {
		rc = nomem(ctx);
		goto out;
	}
	st->flow_url = s2s_buf_detach(&u, NULL);
	if (!st->flow_url)
		rc = nomem(ctx);
out:
	s2s_buf_release(&u);
	s2s_http_response_release(&resp);
	return rc;
}

static s2s_err post_password(struct p1_state *st, struct json_object **out,
                             long *status)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	rc = s2s_adapter_username(st->ctx, &user);
	if (!rc)
		rc = s2s_adapter_password(st->ctx, st->flow_url, &pass);
	if (!rc && (s2s_buf_puts(&body, "{") ||
	            s2s_json_member(&body, true, "username", user.ptr) ||
	            s2s_json_member(&body, false, "password", pass.ptr) ||
	            s2s_buf_puts(&body, "}")))
		rc = nomem(st->ctx);
	if (!rc)
		rc = p1_call(st, "usernamePassword.check", &body, out, status);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	return rc;
}

static const char *device_label(struct json_object *d)
{
	const char *s = s2s_json_str_at(d, "nickname");

	if (!s || !*s)
		s = s2s_json_str_at(d, "type");
	return s ? s : "?";
}

/* pingone.device (nickname, type, id or index from 0), else the only
 * one, else ask; without a terminal, the first listed. */
/* Does the device make the user type a code (SMS, voice, email, an
 * authenticator app), rather than approve a push? */
static bool types_code(struct json_object *dev)
{
	const char *type = s2s_json_str_at(dev, "type");

	return !type || strcasecmp(type, "MOBILE") != 0;
}

static s2s_err select_device(struct p1_state *st, struct json_object *flow,
                             struct json_object **out, long *status)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct json_object *devs =
	        s2s_json_at(s2s_json_at(flow, "_embedded"), "devices");
	const char *want = s2s_account_get(ctx->acct, "pingone.device");
	struct s2s_buf q = S2S_BUF_INIT, ans = S2S_BUF_INIT;
	struct s2s_buf body = S2S_BUF_INIT;
	size_t n, pick = 0;
	bool typed = false; /* want is the prompt's answer */
	s2s_err rc = S2S_OK;

	n = devs && json_object_is_type(devs, json_type_array)
	            ? json_object_array_length(devs)
	            : 0;
	if (n == 0)
		return s2s_error_set(ctx->err, S2S_EIDP,
		                     "pingone: DEVICE_SELECTION_REQUIRED "
		                     "without devices");
	if (!want && n > 1 && s2s_adapter_can_prompt(ctx)) {
		s2s_buf_puts(&q, "PingOne MFA device (");
		for (size_t i = 0; i < n && i < 16; i++)
			s2s_buf_printf(&q, "%s%zu=%.40s", i ? ", " : "", i,
			               device_label(json_object_array_get_idx(
			                       devs, i)));
		if (s2s_buf_puts(&q, ")"))
			rc = nomem(ctx);
		if (!rc)
			rc = ctx->prompter->ask(ctx->prompter->payload,
			                        S2S_PROMPT_CHOICE, q.ptr, &ans,
			                        ctx->err);
		if (rc == S2S_ENEEDINPUT) {
			s2s_error_clear(ctx->err);
			rc = S2S_OK;
		} else if (!rc) {
			want = ans.ptr ? ans.ptr : "";
			typed = true;
		}
	}
	if (!rc && want) {
		for (pick = 0; pick < n; pick++) {
			struct json_object *d =
			        json_object_array_get_idx(devs, pick);
			const char *id = s2s_json_str_at(d, "id");
			const char *nick = s2s_json_str_at(d, "nickname");
			const char *type = s2s_json_str_at(d, "type");
			char num[24];

			snprintf(num, sizeof(num), "%zu", pick);
			if (strcmp(want, num) == 0 ||
			    (id && strcmp(want, id) == 0) ||
			    (nick && strcasecmp(want, nick) == 0) ||
			    (type && strcasecmp(want, type) == 0))
				break;
		}
		if (pick == n)
			rc = s2s_error_set(
			        ctx->err, typed ? S2S_EMFA : S2S_ECONFIG,
			        "pingone: no MFA device '%.40s' (the "
			        "flow offers %zu)",
			        want, n);
	}
	if (!rc && !want) /* no terminal: a push needs nobody to type */
		for (size_t i = 0; i < n; i++)
			if (!types_code(json_object_array_get_idx(devs, i))) {
				pick = i;
				break;
			}
	if (!rc && !s2s_adapter_can_prompt(ctx) &&
	    types_code(json_object_array_get_idx(devs, pick)))
		rc = s2s_error_set(
		        ctx->err, S2S_ENEEDINPUT,
		        "pingone: the %s device sends a code to "
		        "type and there is no terminal (nothing was "
		        "sent): run saml2sts login on a terminal",
		        device_label(json_object_array_get_idx(devs, pick)));
	if (!rc &&
	    !s2s_json_str_at(json_object_array_get_idx(devs, pick), "id"))
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "pingone: an MFA device without an id");
	if (!rc && (s2s_buf_puts(&body, "{\"device\":{") ||
	            s2s_json_member(&body, true, "id",
	                            s2s_json_str_at(json_object_array_get_idx(
	                                                    devs, pick),
	                                            "id")) ||
	            s2s_buf_puts(&body, "}}")))
		rc = nomem(ctx);
	if (!rc)
		rc = p1_call(st, "device.select", &body, out, status);
	s2s_buf_release(&q);
	s2s_buf_release(&ans);
	s2s_buf_release(&body);
	return rc;
}

static s2s_err check_otp(struct p1_state *st, struct json_object **out,
                         long *status)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct s2s_buf code = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	rc = s2s_adapter_ask_code(ctx, "pingone", "PingOne one-time code",
	                          &code);
	if (!rc && (s2s_buf_puts(&body, "{") ||
	            s2s_json_member(&body, true, "otp", code.ptr) ||
	            s2s_buf_puts(&body, "}")))
		rc = nomem(ctx);
	if (!rc)
		rc = p1_call(st, "otp.check", &body, out, status);
	s2s_buf_release(&code);
	s2s_buf_release(&body);
	return rc;
}

static void notify(struct s2s_adapter_ctx *ctx, const char *text)
{
	if (ctx->prompter && ctx->prompter->notify)
		ctx->prompter->notify(ctx->prompter->payload, text);
}

/* PUSH_CONFIRMATION_REQUIRED: read the flow again until it moves on;
 * *out gets the flow that left the state. */
static s2s_err wait_push(struct p1_state *st, struct json_object **out,
                         long *status)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct s2s_poll poll;
	struct json_object *o = NULL;
	s2s_err rc = S2S_OK;

	if (st->pushed)
		return s2s_error_set(ctx->err, S2S_EMFA,
		                     "pingone: a second push was asked for; "
		                     "not waiting again");
	st->pushed = true;
	notify(ctx, "PingOne MFA: approve the sign-in on your device");
	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000L);
	poll.cancel = ctx->cancel;
	for (;;) {
		const char *s;

		rc = s2s_poll_wait(&poll, "pingone: push", ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(ctx->err);
			rc = s2s_error_set(ctx->err, S2S_EMFA,
			                   "pingone: the push was not approved "
			                   "within %lds (pingone.push_timeout)",
			                   st->push_timeout_s);
		}
		if (!rc)
			rc = p1_call(st, NULL, NULL, &o, status);
		if (rc)
			break;
		s = s2s_json_str_at(o, "status");
		if (*status / 100 != 2 || !s ||
		    strcmp(s, "PUSH_CONFIRMATION_REQUIRED") != 0)
			break;
		s2s_json_put_wiped(o);
		o = NULL;
	}
	if (rc) {
		s2s_json_put_wiped(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

/* COMPLETED: GET /<envId>/saml20/resume?flowId= and take the
 * SAMLResponse of its page when it goes to Alibaba Cloud's ACS. */
static s2s_err resume(struct p1_state *st, struct s2s_buf *saml_b64)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_html_page *page = NULL;
	const struct s2s_form *form;
	struct s2s_buf url = S2S_BUF_INIT;
	s2s_err rc = S2S_OK;

	if (s2s_buf_printf(&url, "%s/%s/saml20/resume?flowId=%s", st->origin,
	                   st->env, st->flow_id))
		rc = nomem(ctx);
	if (!rc)
		rc = s2s_http_get(ctx->http, url.ptr, &resp, ctx->err);
	if (!rc)
		rc = s2s_html_parse(&page, resp.url ? resp.url : url.ptr,
		                    resp.body.ptr ? resp.body.ptr : "",
		                    resp.body.len, ctx->err);
	if (!rc) {
		form = s2s_html_form_with_field(page, "SAMLResponse");
		if (!form || resp.status != 200)
			rc = s2s_formflow_unrecognised(ctx, page, resp.status);
		else if (!s2s_formflow_is_alibaba_acs(form->action))
			rc = s2s_error_set(
			        ctx->err, S2S_EIDP,
			        "pingone: the SAMLResponse does not "
			        "post to an Alibaba Cloud ACS; set the "
			        "PingOne application's ACS URL to it");
		else
			rc = s2s_formflow_take_saml(ctx, form, saml_b64);
	}
	s2s_html_page_free(page);
	s2s_http_response_release(&resp);
	s2s_buf_release(&url);
	return rc;
}

/* One flow status: act on it (*next gets the new flow), or finish. */
static s2s_err step(struct p1_state *st, struct json_object *o, long *status,
                    enum p1_when when, struct json_object **next, bool *done)
{
	struct s2s_adapter_ctx *ctx = st->ctx;
	const char *s = s2s_json_str_at(o, "status");

	*next = NULL;
	if (*status / 100 != 2 || !s)
		return p1_error(st, o, *status, when);
	if (strcmp(s, "COMPLETED") == 0) {
		*done = true;
		return S2S_OK;
	}
	if (strcmp(s, "USERNAME_PASSWORD_REQUIRED") == 0) {
		if (st->sent_password)
			return s2s_error_set(
			        ctx->err, S2S_EAUTH,
			        "pingone: the username and password "
			        "were not accepted");
		st->sent_password = true;
		return post_password(st, next, status);
	}
	if (strcmp(s, "PASSWORD_EXPIRED") == 0 ||
	    strcmp(s, "MUST_CHANGE_PASSWORD") == 0)
		return s2s_error_set(ctx->err, S2S_EAUTH,
		                     "pingone: the password has expired "
		                     "(%s); change it in PingOne's sign-on "
		                     "page, then log in again",
		                     s);
	if (strcmp(s, "DEVICE_SELECTION_REQUIRED") == 0) {
		if (st->sent_device)
			return s2s_error_set(ctx->err, S2S_EMFA,
			                     "pingone: the MFA device choice "
			                     "was asked for again");
		st->sent_device = true;
		return select_device(st, o, next, status);
	}
	if (strcmp(s, "OTP_REQUIRED") == 0) {
		if (st->sent_otp)
			return s2s_error_set(ctx->err, S2S_EMFA,
			                     "pingone: the one-time code was "
			                     "not accepted");
		st->sent_otp = true;
		return check_otp(st, next, status);
	}
	if (strcmp(s, "PUSH_CONFIRMATION_REQUIRED") == 0)
		return wait_push(st, next, status);
	if (strcmp(s, "PUSH_CONFIRMATION_TIMED_OUT") == 0)
		return s2s_error_set(ctx->err, S2S_EMFA,
		                     "pingone: the push was not answered in "
		                     "time (PUSH_CONFIRMATION_TIMED_OUT)");
	return s2s_error_set(ctx->err, S2S_EIDP,
	                     "pingone: flow status %.48s is not supported "
	                     "(use login --browser)",
	                     s);
}

static s2s_err p1_authenticate(struct s2s_adapter_ctx *ctx,
                               struct s2s_buf *saml_b64)
{
	struct p1_state *st = ctx->priv;
	struct json_object *o = NULL, *next = NULL;
	const char *url = s2s_account_get(ctx->acct, "url");
	enum p1_when when = WHEN_FLOW;
	long status = 0;
	bool done = false;
	s2s_err rc;

	st->ctx = ctx;
	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc && !url)
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "pingone: url (the startsso URL) is not "
		                   "set");
	if (!rc)
		rc = parse_url(st, url);
	if (!rc)
		rc = start(st);
	if (!rc)
		rc = p1_call(st, NULL, NULL, &o, &status);
	for (int i = 0; !rc && !done; i++) {
		const char *s = s2s_json_str_at(o, "status");
		enum p1_when acted = WHEN_FLOW;

		if (i == P1_MAX_STEPS) {
			rc = s2s_error_set(ctx->err, S2S_EIDP,
			                   "pingone: the flow did not complete "
			                   "after %d steps",
			                   P1_MAX_STEPS);
			break;
		}
		/* the action taken on this status, which the next answer
		 * answers */
		if (status / 100 == 2 && s)
			acted = strcmp(s, "USERNAME_PASSWORD_REQUIRED") == 0
			                ? WHEN_SIGNIN
			        : strcmp(s, "OTP_REQUIRED") == 0 ? WHEN_OTP
			        : strcmp(s, "DEVICE_SELECTION_REQUIRED") == 0
			                ? WHEN_DEVICE
			                : WHEN_FLOW;
		rc = step(st, o, &status, when, &next, &done);
		if (!rc && !done) {
			s2s_json_put_wiped(o);
			o = next;
			next = NULL;
			when = acted;
		}
	}
	s2s_json_put_wiped(next);
	s2s_json_put_wiped(o);
	if (!rc)
		rc = resume(st, saml_b64);
	return rc;
}

static void p1_release(struct s2s_adapter_ctx *ctx)
{
	struct p1_state *st = ctx->priv;

	if (!st)
		return;
	free(st->origin);
	free(st->env);
	free(st->flow_id);
	free(st->flow_url);
	st->origin = st->env = st->flow_id = st->flow_url = NULL;
}

static const char *const p1_aliases[] = { "ping-one", NULL };

const struct s2s_adapter s2s_adapter_pingone = {
	.abi = S2S_ADAPTER_ABI,
	.name = "pingone",
	.aliases = p1_aliases,
	.summary = "PingOne flows API (startsso): password; PingOne MFA "
	           "device choice, one-time code, push",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH,
	.priv_size = sizeof(struct p1_state),
	.config_keys = p1_keys,
	.validate = p1_validate,
	.authenticate = p1_authenticate,
	.release = p1_release,
};
