/* SPDX-License-Identifier: MIT */
/*
 * The MFA of OneLogin's SAML assertion API v2: choosing among the
 * devices of the transaction (onelogin.mfa, the only one, a prompt, or
 * without a terminal Protect first), then POST
 * /api/2/saml_assertion/verify_factor on the configured API host (never
 * the answer's callback_url, which may route to another region): a
 * Google Authenticator, OneLogin Protect or YubiKey code in one call, an
 * SMS sent by a first call and its code in a second, or a OneLogin
 * Protect push sent by a first call and polled with do_not_notify.
 * WebAuthn, Duo and other device types are left to the browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/adapter.h>
#include <saml2sts/json.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>

#include "onelogin_int.h"

enum device_kind { D_PUSH, D_TOTP, D_YUBIKEY, D_SMS, D_COUNT };

static const char *const kind_names[D_COUNT] = { "push", "totp", "yubikey",
	                                         "sms" };

struct choice {
	struct json_object *dev;
	int kind;
	bool protect_code; /* OneLogin Protect's own OTP, not a push */
};

bool s2s_onelogin__mfa_setting_ok(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return true;
	for (int k = 0; k < D_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return true;
	return false;
}

static int kind_of(struct json_object *dev)
{
	const char *t = s2s_json_text_at(dev, "device_type");

	if (!t)
		return -1;
	if (strcasecmp(t, "OneLogin Protect") == 0)
		return D_PUSH;
	if (strcasecmp(t, "Google Authenticator") == 0)
		return D_TOTP;
	if (strcasecmp(t, "Yubico YubiKey") == 0)
		return D_YUBIKEY;
	if (strcasecmp(t, "OneLogin SMS") == 0 ||
	    strcasecmp(t, "OneLogin OTP SMS") == 0)
		return D_SMS;
	return -1;
}

static void notify(struct onelogin_state *st, const char *text)
{
	if (st->ctx->prompter && st->ctx->prompter->notify)
		st->ctx->prompter->notify(st->ctx->prompter->payload, text);
}

/* No supported device: name what is enrolled (device types only). */
static s2s_err none_supported(struct onelogin_state *st,
                              struct json_object *devices, size_t n)
{
	char list[120] = "";
	size_t used = 0;

	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		const char *t = s2s_json_text_at(
		        json_object_array_get_idx(devices, i), "device_type");

		used += (size_t)snprintf(list + used, sizeof(list) - used,
		                         "%s%.30s", i ? ", " : "", t ? t : "?");
	}
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "onelogin: no enrolled MFA device can be used "
	                     "without a browser (%s): use the browser adapter "
	                     "with the app's OneLogin launch URL",
	                     n ? list : "none");
}

/* The prompt's answer among the kinds offered; -1 when none. */
static s2s_err ask_kind(struct onelogin_state *st,
                        struct json_object *const by_kind[D_COUNT], int *want)
{
	struct s2s_buf ans = S2S_BUF_INIT;
	char text[96] = "MFA device (";
	size_t used = strlen(text);
	bool first = true;
	s2s_err rc;

	for (int k = 0; k < D_COUNT; k++)
		if (by_kind[k] && used < sizeof(text)) {
			used += (size_t)snprintf(
			        text + used, sizeof(text) - used, "%s%s",
			        first ? "" : ", ", kind_names[k]);
			first = false;
		}
	if (used < sizeof(text))
		snprintf(text + used, sizeof(text) - used, ")");
	rc = st->ctx->prompter->ask(st->ctx->prompter->payload,
	                            S2S_PROMPT_CHOICE, text, &ans,
	                            st->ctx->err);
	if (rc == S2S_ENEEDINPUT) { /* no terminal: the default */
		s2s_error_clear(st->ctx->err);
		rc = S2S_OK;
	} else if (!rc) {
		for (int k = 0; k < D_COUNT; k++)
			if (ans.ptr && by_kind[k] &&
			    strcasecmp(ans.ptr, kind_names[k]) == 0)
				*want = k;
		if (*want < 0)
			rc = s2s_error_set(
			        st->ctx->err, S2S_EMFA,
			        "onelogin: '%.20s' is not one of the "
			        "MFA devices offered",
			        ans.ptr ? ans.ptr : "");
	}
	s2s_buf_release(&ans);
	return rc;
}

/* onelogin.mfa; else with auto a kept TOTP seed, the only kind, the
 * prompt's answer, and without a terminal Protect push (nothing to
 * type), else the first supported device listed. */
static s2s_err pick(struct onelogin_state *st, struct json_object *devices,
                    struct choice *out)
{
	struct json_object *by_kind[D_COUNT] = { 0 };
	size_t n = json_object_array_length(devices), offered = 0;
	int want = -1, first = -1;
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devices, i);
		int k = kind_of(d);

		if (k >= 0 && !by_kind[k]) {
			by_kind[k] = d;
			offered++;
			first = first < 0 ? k : first;
		}
	}
	if (!offered)
		return none_supported(st, devices, n);
	for (int k = 0; k < D_COUNT; k++)
		if (strcmp(st->mfa, kind_names[k]) == 0)
			want = k;
	if (want == D_TOTP && !by_kind[D_TOTP] && by_kind[D_PUSH]) {
		*out = (struct choice){ by_kind[D_PUSH], D_PUSH, true };
		return S2S_OK;
	}
	if (want >= 0 && !by_kind[want])
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "onelogin: onelogin.mfa is %s but no such "
		                     "device is enrolled",
		                     st->mfa);
	if (want < 0 && s2s_adapter_keeps_totp(st->ctx) && by_kind[D_TOTP])
		want = D_TOTP;
	if (want < 0 && offered == 1)
		want = first;
	if (want < 0 && st->ctx->prompter && st->ctx->prompter->ask)
		rc = ask_kind(st, by_kind, &want);
	if (!rc && want < 0)
		want = by_kind[D_PUSH] ? D_PUSH : first;
	if (!rc)
		*out = (struct choice){ by_kind[want], want, false };
	return rc;
}

/* POST verify_factor {app_id, device_id, state_token[, otp_token]
 * [, do_not_notify:true]}; the body is built anew for every call. */
static s2s_err verify(struct onelogin_state *st, const char *device_id,
                      const char *otp, bool do_not_notify,
                      struct json_object **out, long *status)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	const char *tok;
	s2s_err rc = S2S_OK;

	if (s2s_buf_puts(&body, "{") ||
	    s2s_json_member(&body, true, "app_id", st->app_id) ||
	    s2s_json_member(&body, false, "device_id", device_id) ||
	    s2s_json_member(&body, false, "state_token", st->state_token.ptr) ||
	    (otp && s2s_json_member(&body, false, "otp_token", otp)) ||
	    (do_not_notify && s2s_buf_puts(&body, ",\"do_not_notify\":true")) ||
	    s2s_buf_puts(&body, "}"))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_onelogin__post(st,
		                        "/api/2/saml_assertion/verify_factor",
		                        &body, out, status);
	tok = rc ? NULL : s2s_json_text_at(*out, "state_token");
	if (tok && *tok) { /* a rotated transaction token */
		s2s_buf_reset(&st->state_token);
		if (s2s_buf_puts(&st->state_token, tok))
			rc = s2s_error_set(st->ctx->err, S2S_ENOMEM,
			                   "out of memory");
	}
	s2s_buf_release(&body);
	return rc;
}

static s2s_err refused(struct onelogin_state *st, struct json_object *o,
                       long status, const char *what)
{
	const char *msg = s2s_onelogin__message(o);

	return s2s_error_set(st->ctx->err, S2S_EMFA,
	                     "onelogin: %s (HTTP %ld, OneLogin: %.100s)", what,
	                     status, msg ? msg : "no message");
}

/* The code: from the kept seed (a Google Authenticator device with
 * onelogin.totp_seed = keyring), else the prompt. */
static s2s_err get_code(struct onelogin_state *st, const struct choice *c,
                        struct s2s_buf *code)
{
	static const char *const text[D_COUNT] = {
		"OneLogin Protect code",
		"Authenticator code (Google Authenticator)",
		"YubiKey OTP (touch the key)", "Code sent by SMS"
	};

	if (c->kind == D_TOTP && s2s_adapter_keeps_totp(st->ctx))
		return s2s_adapter_seed_code(st->ctx, "onelogin", code);
	return s2s_adapter_ask_code(st->ctx, "onelogin", text[c->kind], code);
}

/* TOTP, Protect code, YubiKey: one call with the code; SMS: a first
 * call sends it. */
static s2s_err code_factor(struct onelogin_state *st, const struct choice *c,
                           const char *device_id, struct s2s_buf *saml_b64)
{
	struct s2s_buf code = S2S_BUF_SECRET_INIT;
	struct json_object *o = NULL;
	long status = 0;
	bool done = false;
	s2s_err rc = S2S_OK;

	if (c->kind == D_SMS) {
		rc = verify(st, device_id, NULL, false, &o, &status);
		if (!rc && status != 200)
			rc = refused(st, o, status, "the SMS was not sent");
		if (!rc)
			rc = s2s_onelogin__take_saml(st, o, status, saml_b64,
			                             &done);
		s2s_json_put_wiped(o);
		o = NULL;
	}
	if (!rc && !done)
		rc = get_code(st, c, &code);
	if (!rc && !done)
		rc = verify(st, device_id, code.ptr, false, &o, &status);
	if (!rc && !done)
		rc = s2s_onelogin__take_saml(st, o, status, saml_b64, &done);
	if (!rc && !done)
		rc = refused(st, o, status,
		             "the one-time code was not accepted");
	s2s_json_put_wiped(o);
	s2s_buf_release(&code);
	return rc;
}

/* OneLogin Protect: the first call sends the push; then poll with
 * do_not_notify while the message says "Authentication pending". */
static s2s_err push_factor(struct onelogin_state *st, const char *device_id,
                           struct s2s_buf *saml_b64)
{
	struct json_object *o = NULL;
	struct s2s_poll poll;
	long status = 0;
	bool done = false;
	s2s_err rc;

	notify(st, "OneLogin Protect: approve the push on your phone");
	rc = verify(st, device_id, NULL, false, &o, &status);
	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000);
	poll.cancel = st->ctx->cancel;
	while (!rc) {
		rc = s2s_onelogin__take_saml(st, o, status, saml_b64, &done);
		if (rc || done)
			break;
		if (status != 200 ||
		    !s2s_onelogin__has(s2s_onelogin__message(o), "pending")) {
			rc = refused(st, o, status,
			             "the OneLogin Protect push was not "
			             "approved");
			break;
		}
		rc = s2s_poll_wait(&poll, "onelogin: OneLogin Protect push",
		                   st->ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(st->ctx->err);
			rc = s2s_error_set(
			        st->ctx->err, S2S_EMFA,
			        "onelogin: the OneLogin Protect push "
			        "was not approved within %lds",
			        st->push_timeout_s);
		}
		s2s_json_put_wiped(o);
		o = NULL;
		if (!rc)
			rc = verify(st, device_id, NULL, true, &o, &status);
	}
	s2s_json_put_wiped(o);
	return rc;
}

static bool id_ok(const char *s)
{
	size_t n = s ? strspn(s, "0123456789abcdefABCDEF-_") : 0;

	return n > 0 && n <= 64 && s[n] == '\0';
}

s2s_err s2s_onelogin__mfa(struct onelogin_state *st, struct json_object *o,
                          struct s2s_buf *saml_b64)
{
	struct json_object *devices = NULL;
	struct choice c = { 0 };
	const char *tok = s2s_json_text_at(o, "state_token"), *id;
	s2s_err rc;

	json_object_object_get_ex(o, "devices", &devices);
	s2s_buf_reset(&st->state_token);
	if (s2s_buf_puts(&st->state_token, tok))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	rc = pick(st, devices, &c);
	if (rc)
		return rc;
	id = s2s_json_text_at(c.dev, "device_id");
	if (!id_ok(id))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "onelogin: the MFA device has no usable "
		                     "device_id");
	if (c.kind == D_PUSH && !c.protect_code)
		return push_factor(st, id, saml_b64);
	return code_factor(st, &c, id, saml_b64);
}
