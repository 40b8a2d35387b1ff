/* SPDX-License-Identifier: MIT */
/*
 * CloudSSO's device login (RFC 8628 style with PKCE S256, JSON bodies
 * with PascalCase fields): the verifier and its challenge, the device
 * code, polling at the portal's Interval (slower after SlowDown, backing
 * off after unknown answers) up to the code's expiry or a cancel; and
 * the access token with its expiry kept in the store (kind
 * "cloudsso-token" under the account name), never in a file.  There is
 * no refresh token: once the access token has expired only an
 * interactive login helps.  Listing and minting are source_cloudsso.c.
 */
#include <time.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common.h"
#include "cloudsso_int.h"
#include "json.h"
#include "saml2sts/base64.h"
#include "saml2sts/isotime.h"
#include "saml2sts/lock.h"
#include "saml2sts/poll.h"

#define GRANT_DEVICE "urn:ietf:params:oauth:grant-type:device_code"
#define KIND         "cloudsso-token"
/* When the portal gives no lifetime: its documented 8 h session for the
 * token, and our own bound on the device code. */
#define TOKEN_TTL  28800L
#define DEVICE_TTL 900L
/* A kept token is used while it has more than this left. */
#define TOKEN_MARGIN   10L
#define MAX_BACKOFF_MS 30000L

/* ------------------------------------------------------------------ */
/* The kept access token */

/* The kept token of the account when it was made for this sign-in URL
 * and portal and has more than TOKEN_MARGIN seconds left: S2S_OK with
 * st->token set; S2S_ENOTFOUND (no message) when there is none, with
 * *expired when one expired; a store failure is its error. */
static s2s_err token_load(struct s2s_source_ctx *ctx, struct sso_state *st,
                          time_t *expired)
{
	struct s2s_buf kept = S2S_BUF_SECRET_INIT;
	struct s2s_error e = S2S_ERROR_INIT;
	const char *name = s2s_account_name(ctx->acct), *tok, *exp, *url,
	           *portal;
	struct json_object *obj = NULL;
	struct s2s_store *store = NULL;
	time_t when = 0;
	s2s_err rc;

	*expired = 0;
	st->kept = false;
	s2s_buf_reset(&st->token);
	rc = s2s_source_store(&store, ctx);
	if (!rc)
		rc = s2s_store_get_secret(&kept, store, name, KIND, &e);
	if (rc == S2S_ENOTFOUND)
		goto out;
	if (rc) {
		rc = s2s_error_set(ctx->err, rc, "%s", e.msg);
		goto out;
	}
	obj = s2s_json_parse(kept.ptr, kept.len);
	tok = s2s__json_get_str(obj, "AccessToken");
	exp = s2s__json_get_str(obj, "Expiration");
	url = s2s__json_get_str(obj, "PortalUrl");
	portal = s2s__json_get_str(obj, "Portal");
	rc = S2S_ENOTFOUND;
	if (!tok || !exp || !s2s_time_parse(&when, exp) || !url || !portal ||
	    strcmp(url, st->url) != 0 || strcmp(portal, st->portal) != 0) {
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "the kept CloudSSO sign-in is not for %s",
		                 st->url);
		goto out;
	}
	if (when - time(NULL) <= TOKEN_MARGIN) {
		*expired = when;
		goto out;
	}
	if (s2s_buf_puts(&st->token, tok)) {
		rc = s2s_cloudsso__nomem(ctx);
		goto out;
	}
	st->token_exp = when;
	st->kept = true;
	rc = S2S_OK;
out:
	s2s_json_put_wiped(obj);
	s2s_buf_release(&kept);
	return rc;
}

/* Keep st->token for later logins and refreshes; a failure is a
 * warning (this login goes on). */
static void token_keep(struct s2s_source_ctx *ctx, const struct sso_state *st)
{
	struct s2s_buf json = S2S_BUF_SECRET_INIT;
	struct s2s_error e = S2S_ERROR_INIT;
	const char *name = s2s_account_name(ctx->acct);
	struct s2s_store *store = NULL;
	char exp[32];

	s2s_time_format_utc(exp, sizeof(exp), st->token_exp);
	if (s2s_buf_add(&json, "{", 1) ||
	    s2s_json_member(&json, true, "AccessToken", st->token.ptr) ||
	    s2s_json_member(&json, false, "Expiration", exp) ||
	    s2s_json_member(&json, false, "PortalUrl", st->url) ||
	    s2s_json_member(&json, false, "Portal", st->portal) ||
	    s2s_buf_add(&json, "}", 1))
		s2s_error_set(&e, S2S_ENOMEM, "out of memory");
	else if (!s2s_session_store(&store, ctx->session, &e))
		s2s_store_put_secret(store, name, KIND, name, &json, &e);
	if (e.code)
		s2s_source_event(ctx, S2S_EVENT_WARNING,
		                 "CloudSSO sign-in not kept (later logins "
		                 "need the browser again): %s",
		                 e.msg);
	s2s_buf_release(&json);
}

void s2s_cloudsso__token_forget(struct s2s_source_ctx *ctx,
                                struct sso_state *st)
{
	struct s2s_error e = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;

	s2s_buf_reset(&st->token);
	if (!s2s_session_store(&store, ctx->session, &e))
		s2s_store_delete(store, s2s_account_name(ctx->acct), KIND, &e);
}

/* ------------------------------------------------------------------ */
/* The device login */

/* base64url without padding (RFC 7636 appendix A) of len bytes. */
static s2s_err b64url(struct s2s_buf *out, const unsigned char *p, size_t len,
                      struct s2s_error *err)
{
	size_t start = out->len, n;
	s2s_err rc = s2s_base64_encode(out, p, len, err);

	if (rc)
		return rc;
	while (out->len > start && out->ptr[out->len - 1] == '=')
		out->ptr[--out->len] = '\0';
	for (n = start; n < out->len; n++)
		if (out->ptr[n] == '+')
			out->ptr[n] = '-';
		else if (out->ptr[n] == '/')
			out->ptr[n] = '_';
	return S2S_OK;
}

/* A PKCE pair: a verifier of 64 characters from 48 CSPRNG bytes and its
 * S256 challenge. */
static s2s_err pkce(struct s2s_source_ctx *ctx, struct s2s_buf *verifier,
                    struct s2s_buf *challenge)
{
	unsigned char raw[48], md[SHA256_DIGEST_LENGTH];
	s2s_err rc;

	if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
		return s2s_error_set(ctx->err, S2S_ERROR,
		                     "no random bytes for the PKCE verifier");
	rc = b64url(verifier, raw, sizeof(raw), ctx->err);
	s2s_memzero(raw, sizeof(raw));
	if (rc)
		return rc;
	SHA256((const unsigned char *)verifier->ptr, verifier->len, md);
	return b64url(challenge, md, sizeof(md), ctx->err);
}

struct device {
	struct s2s_buf code; /* secret: DeviceCode */
	char *user_code, *uri, *uri_complete;
	long interval_ms;
	long long deadline_ms; /* monotonic */
	time_t expires_at;
};

static void device_release(struct device *d)
{
	s2s_buf_release(&d->code);
	free(d->user_code);
	free(d->uri);
	free(d->uri_complete);
}

static long json_long(struct json_object *obj, const char *name, long def)
{
	struct json_object *v = s2s__json_get(obj, name);
	int64_t n;

	if (!v || !(json_object_is_type(v, json_type_int) ||
	            json_object_is_type(v, json_type_string)))
		return def;
	n = json_object_get_int64(v);
	return n > 0 && n < 1000000 ? (long)n : def;
}

static s2s_err device_read(struct s2s_source_ctx *ctx,
                           const struct sso_state *st, struct sso_reply *rp,
                           struct device *d)
{
	static const char what[] = "the device login";
	const char *code = s2s__json_get_str(rp->obj, "DeviceCode");
	const char *user = s2s__json_get_str(rp->obj, "UserCode");
	const char *uri = s2s__json_get_str(rp->obj, "VerificationUri");
	const char *full =
	        s2s__json_get_str(rp->obj, "VerificationUriComplete");
	long ttl = json_long(rp->obj, "ExpiresIn", DEVICE_TTL);

	if (rp->status / 100 != 2)
		return s2s_cloudsso__refused(ctx, st, what, rp);
	if (!code || !*code)
		return s2s_cloudsso__not_understood(ctx, st, what,
		                                    "DeviceCode");
	if (!user || !*user)
		return s2s_cloudsso__not_understood(ctx, st, what, "UserCode");
	if (!uri || !s2s_url_allowed(uri))
		return s2s_cloudsso__not_understood(ctx, st, what,
		                                    "https VerificationUri");
	if (full && !s2s_url_allowed(full))
		full = NULL;
	d->user_code = strdup(user);
	d->uri = strdup(uri);
	d->uri_complete = full ? strdup(full) : NULL;
	if (!d->user_code || !d->uri || (full && !d->uri_complete) ||
	    s2s_buf_puts(&d->code, code))
		return s2s_cloudsso__nomem(ctx);
	d->interval_ms = json_long(rp->obj, "Interval", 5) * 1000;
	if (ttl > DEVICE_TTL)
		ttl = DEVICE_TTL; /* our own bound on the wait */
	d->deadline_ms = s2s_poll_now_ms() + ttl * 1000;
	d->expires_at = time(NULL) + ttl;
	return S2S_OK;
}

/* POST /device-authorization: a device code for the user to approve. */
static s2s_err device_start(struct s2s_source_ctx *ctx, struct sso_state *st,
                            const struct s2s_buf *challenge, struct device *d)
{
	struct s2s_buf body = S2S_BUF_INIT;
	struct sso_reply rp = { 0 };
	s2s_err rc;

	if (s2s_buf_add(&body, "{", 1) ||
	    s2s_json_member(&body, true, "PortalUrl", st->url) ||
	    s2s_json_member(&body, false, "CodeChallenge", challenge->ptr) ||
	    s2s_json_member(&body, false, "ClientId", st->client_id) ||
	    s2s_json_member(&body, false, "CodeChallengeMethod", "S256") ||
	    s2s_buf_add(&body, "}", 1))
		return s2s_cloudsso__nomem(ctx);
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "CloudSSO device login at %s for %s", st->portal,
	                 st->url);
	rc = s2s_cloudsso__call(ctx, st, "/device-authorization", NULL, &body,
	                        false, false, &rp);
	if (!rc)
		rc = device_read(ctx, st, &rp, d);
	s2s_cloudsso__reply_release(&rp);
	s2s_buf_release(&body);
	return rc;
}

enum poll_state { P_DONE, P_PENDING, P_SLOW, P_OTHER };

/* One POST /token: P_DONE with st->token set, P_PENDING, P_SLOW, P_OTHER
 * (an unknown answer or a failed transfer: back off), or an error that
 * ends the login (expiry, denial, cancel). */
static s2s_err device_poll(struct s2s_source_ctx *ctx, struct sso_state *st,
                           const struct device *d,
                           const struct s2s_buf *verifier, enum poll_state *out)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_error keep = *ctx->err;
	struct sso_reply rp = { 0 };
	const char *tok, *c;
	s2s_err rc;

	*out = P_OTHER;
	if (s2s_buf_add(&body, "{", 1) ||
	    s2s_json_member(&body, true, "CodeVerifier", verifier->ptr) ||
	    s2s_json_member(&body, false, "ClientId", st->client_id) ||
	    s2s_json_member(&body, false, "DeviceCode", d->code.ptr) ||
	    s2s_json_member(&body, false, "GrantType", GRANT_DEVICE) ||
	    s2s_buf_add(&body, "}", 1)) {
		s2s_buf_release(&body);
		return s2s_cloudsso__nomem(ctx);
	}
	rc = s2s_cloudsso__call(ctx, st, "/token", NULL, &body, false, true,
	                        &rp);
	s2s_buf_release(&body);
	if (rc)
		s2s_cloudsso__reply_release(&rp);
	if (rc == S2S_ENET) { /* back off and try again before expiry */
		s2s_source_event(ctx, S2S_EVENT_VERBOSE, "%s", ctx->err->msg);
		*ctx->err = keep;
		return S2S_OK;
	}
	if (rc)
		return rc;
	c = rp.code ? rp.code : "";
	tok = s2s__json_get_str(rp.obj, "AccessToken");
	if (rp.status / 100 == 2 && tok && *tok) {
		rc = s2s_buf_puts(&st->token, tok) ? s2s_cloudsso__nomem(ctx)
		                                   : S2S_OK;
		st->token_exp =
		        time(NULL) + json_long(rp.obj, "ExpiresIn", TOKEN_TTL);
		*out = P_DONE;
	} else if (rp.status / 100 == 2) {
		rc = s2s_cloudsso__not_understood(ctx, st, "the token request",
		                                  "AccessToken");
	} else if (strcmp(c, "AuthorizationPending") == 0 ||
	           strcmp(c, "authorization_pending") == 0) {
		*out = P_PENDING;
	} else if (strcmp(c, "SlowDown") == 0 || strcmp(c, "slow_down") == 0) {
		*out = P_SLOW;
	} else if (strcmp(c, "InvalidDeviceCodeError") == 0 ||
	           strcmp(c, "ExpiredToken") == 0 ||
	           strcmp(c, "expired_token") == 0) {
		rc = s2s_error_set(ctx->err, S2S_EMFA,
		                   "the CloudSSO device code expired before "
		                   "the sign-in was approved (%s)",
		                   c);
	} else if (strcmp(c, "AccessDenied") == 0 ||
	           strcmp(c, "access_denied") == 0) {
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "the CloudSSO sign-in was denied (%s)", c);
	} else {
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "CloudSSO portal %s: HTTP %ld %s while "
		                 "waiting for the sign-in; backing off",
		                 st->host, rp.status,
		                 *c ? c : "(no ErrorCode)");
	}
	s2s_cloudsso__reply_release(&rp);
	return rc;
}

/* Wait for the user's approval: a poll every Interval (5 s more after
 * each slow_down), longer pauses after unknown answers, up to the device
 * code's expiry; cancellable. */
static s2s_err device_wait(struct s2s_source_ctx *ctx, struct sso_state *st,
                           const struct device *d,
                           const struct s2s_buf *verifier)
{
	long interval = d->interval_ms, backoff = 0;
	enum poll_state ps = P_PENDING;
	s2s_err rc = S2S_OK;

	for (;;) {
		long long left = d->deadline_ms - s2s_poll_now_ms();
		long pause = interval + backoff;

		if (left <= 0)
			return s2s_error_set(ctx->err, S2S_EMFA,
			                     "the CloudSSO device code expired "
			                     "before the sign-in was approved");
		rc = s2s_cloudsso__nap(ctx,
		                       (long)(pause < left ? pause : left));
		if (!rc)
			rc = device_poll(ctx, st, d, verifier, &ps);
		if (rc || ps == P_DONE)
			return rc;
		if (ps == P_SLOW)
			interval += 5000;
		if (ps == P_OTHER)
			backoff = backoff ? backoff * 2 : interval;
		else
			backoff = 0;
		if (backoff > MAX_BACKOFF_MS)
			backoff = MAX_BACKOFF_MS;
	}
}

/* The whole device login; the token is kept in the store. */
static s2s_err device_login(struct s2s_source_ctx *ctx, struct sso_state *st)
{
	struct s2s_buf verifier = S2S_BUF_SECRET_INIT;
	struct s2s_buf challenge = S2S_BUF_INIT;
	struct s2s_device_code dc = { 0 };
	struct device d = { 0 };
	s2s_err rc;

	s2s_buf_init(&d.code, true);
	rc = pkce(ctx, &verifier, &challenge);
	if (!rc)
		rc = device_start(ctx, st, &challenge, &d);
	if (rc)
		goto out;
	dc.uri = d.uri;
	dc.uri_complete = d.uri_complete;
	dc.user_code = d.user_code;
	dc.expires_at = d.expires_at;
	s2s_source_device_code(ctx, &dc);
	rc = device_wait(ctx, st, &d, &verifier);
	s2s_source_event(ctx, S2S_EVENT_WAIT_END, "CloudSSO sign-in done");
	if (!rc) {
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "CloudSSO sign-in approved; it lasts %ld min",
		                 (long)(st->token_exp - time(NULL)) / 60);
		token_keep(ctx, st);
	}
out:
	device_release(&d);
	s2s_buf_release(&challenge);
	s2s_buf_release(&verifier);
	return rc;
}

/* An access token: the kept one while it lives, else (not silent) a
 * device login under the account's login lock (parallel logins make one
 * device login; SAML logins of other accounts do not wait for it), after
 * looking again. */
s2s_err s2s_cloudsso__sign_in(struct s2s_source_ctx *ctx, struct sso_state *st)
{
	const char *name = s2s_account_name(ctx->acct);
	struct s2s_lock *lock = NULL;
	char when[64], lock_name[160];
	time_t expired = 0;
	s2s_err rc;

	rc = token_load(ctx, st, &expired);
	if (rc != S2S_ENOTFOUND)
		return rc;
	if (ctx->flags & S2S_SOURCE_SILENT) {
		if (!expired)
			return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
			                     "no CloudSSO sign-in kept for "
			                     "account '%s': run saml2sts login "
			                     "-a %s",
			                     name, name);
		s2s_time_format_local(when, sizeof(when), expired);
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "the CloudSSO sign-in of account '%s' "
		                     "expired at %s: run saml2sts login -a %s",
		                     name, when, name);
	}
	snprintf(lock_name, sizeof(lock_name), "cloudsso-login-%s", name);
	rc = s2s_source_lock(&lock, ctx, lock_name);
	if (!rc)
		rc = token_load(ctx, st, &expired);
	if (rc == S2S_ENOTFOUND)
		rc = device_login(ctx, st);
	s2s_lock_release(lock);
	return rc;
}
