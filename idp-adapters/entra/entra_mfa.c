/* SPDX-License-Identifier: MIT */
/*
 * Entra ID's ConvergedTFA page: choose a proof from arrUserProofs
 * (entra.mfa, else the authenticator code when a TOTP seed is kept, else
 * the one marked isDefault), BeginAuth (the Authenticator number,
 * Entropy, is shown at once), EndAuth (polled for a push or a call, once
 * with the code for TOTP and SMS), then ProcessAuth.  The calls use the
 * newest FlowToken/Ctx/SessionId each answer gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <saml2sts/adapter.h>
#include <saml2sts/json.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>
#include <saml2sts/url.h>

#include "entra_int.h"

enum proof { P_PUSH, P_TOTP, P_SMS, P_VOICE, P_COUNT };

static const char *const method_ids[P_COUNT] = { "PhoneAppNotification",
	                                         "PhoneAppOTP", "OneWaySMS",
	                                         "TwoWayVoiceMobile" };

static const char *const setting_names[P_COUNT] = { "push", "totp", "sms",
	                                            "voice" };

bool s2s_entra__mfa_setting(const char *v, enum entra_mfa *out)
{
	static const enum entra_mfa map[P_COUNT] = { MFA_PUSH, MFA_TOTP,
		                                     MFA_SMS, MFA_VOICE };

	if (strcmp(v, "auto") == 0) {
		*out = MFA_AUTO;
		return true;
	}
	for (int i = 0; i < P_COUNT; i++)
		if (strcmp(v, setting_names[i]) == 0) {
			*out = map[i];
			return true;
		}
	return false;
}

/* The SAS exchange's rotating values (secrets). */
struct sas {
	char *ft, *ctx, *session;
	int kind;
	const char *display; /* borrowed from the page */
	long interval_ms;
};

static void sas_free(struct sas *s)
{
	char **v[] = { &s->ft, &s->ctx, &s->session };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (*v[i]) {
			s2s_freezero(*v[i], strlen(*v[i]));
			*v[i] = NULL;
		}
}

static s2s_err nomem(struct entra_state *st)
{
	return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
}

static s2s_err keep(struct entra_state *st, char **slot, const char *v)
{
	if (!v || !*v)
		return S2S_OK;
	if (*slot)
		s2s_freezero(*slot, strlen(*slot));
	*slot = s2s_secret_strdup(v);
	return *slot ? S2S_OK : nomem(st);
}

static int proof_kind(const char *id)
{
	for (int i = 0; id && i < P_COUNT; i++)
		if (strcmp(id, method_ids[i]) == 0)
			return i;
	return -1;
}

/* entra.mfa, else the kept TOTP seed's method when offered, else the
 * default proof, else push, totp, sms, voice in that order. */
static s2s_err choose(struct entra_state *st, struct json_object *cfg,
                      struct sas *s)
{
	struct json_object *proofs = s2s_json_at(cfg, "arrUserProofs");
	struct json_object *offered[P_COUNT] = { 0 };
	const char *other_default = NULL;
	size_t n = json_object_is_type(proofs, json_type_array)
	                   ? json_object_array_length(proofs)
	                   : 0;
	int def = -1, want = -1, count = 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(proofs, i);
		const char *id = s2s_json_text_at(p, "authMethodId");
		struct json_object *d = s2s_json_at(p, "isDefault");
		bool is_def = d && json_object_get_boolean(d);
		int k = proof_kind(id);

		if (k >= 0 && !offered[k]) {
			offered[k] = p;
			count++;
		}
		if (is_def && k >= 0 && def < 0)
			def = k;
		else if (is_def && k < 0 && id)
			other_default = id;
	}
	if (!count)
		return s2s_error_set(
		        st->ctx->err, S2S_EMFA,
		        "Entra ID offers no MFA method this tool "
		        "can use (default %.40s; supported: push, "
		        "totp, sms, voice); sign in with --browser",
		        other_default ? other_default : "none");
	if (st->mfa != MFA_AUTO) {
		want = st->mfa == MFA_PUSH   ? P_PUSH
		       : st->mfa == MFA_TOTP ? P_TOTP
		       : st->mfa == MFA_SMS  ? P_SMS
		                             : P_VOICE;
		if (!offered[want])
			return s2s_error_set(
			        st->ctx->err, S2S_EMFA,
			        "entra.mfa is %s but Entra ID does "
			        "not offer that method for this "
			        "user",
			        setting_names[want]);
	} else if (offered[P_TOTP] && s2s_adapter_keeps_totp(st->ctx)) {
		want = P_TOTP;
	} else if (def >= 0) {
		want = def;
	} else {
		for (int k = 0; want < 0 && k < P_COUNT; k++)
			if (offered[k])
				want = k;
	}
	s->kind = want;
	s->display = s2s_json_text_at(offered[want], "display");
	return S2S_OK;
}

/* The page's polling interval for the method, at least entra.poll_interval
 * (1 s unless set lower). */
static long poll_interval(struct entra_state *st, struct json_object *cfg,
                          int kind)
{
	struct json_object *per = s2s_json_at(cfg, "oPerAuthPollingInterval");
	struct json_object *v = s2s_json_at(per, method_ids[kind]);
	long ms = 0;

	if (v && (json_object_is_type(v, json_type_double) ||
	          json_object_is_type(v, json_type_int))) {
		/* seconds; bounded before the cast (1e300, Infinity, NaN
		 * do not fit a long) */
		double s = json_object_get_double(v);

		ms = s >= 60.0 ? 60000 : s > 0 ? (long)(s * 1000.0 + 0.5) : 0;
	} else if ((v = s2s_json_at(cfg, "iPollingInterval")) &&
	           json_object_is_type(v, json_type_int))
		ms = (long)json_object_get_int64(v);
	if (ms > 60000)
		ms = 60000;
	return ms > st->poll_ms ? ms : st->poll_ms;
}

static s2s_err sas_body(struct entra_state *st, const struct sas *s,
                        const char *method, const char *code, int poll_count,
                        struct s2s_buf *b)
{
	s2s_buf_reset(b);
	if (s2s_buf_puts(b, "{") ||
	    s2s_json_member(b, true, "AuthMethodId", method_ids[s->kind]) ||
	    s2s_json_member(b, false, "Method", method) ||
	    s2s_json_member(b, false, "Ctx", s->ctx ? s->ctx : "") ||
	    s2s_json_member(b, false, "FlowToken", s->ft ? s->ft : ""))
		return nomem(st);
	if (strcmp(method, "EndAuth") == 0 &&
	    (s2s_json_member(b, false, "SessionId",
	                     s->session ? s->session : "") ||
	     s2s_buf_printf(b, ",\"PollCount\":%d", poll_count)))
		return nomem(st);
	if (code && s2s_json_member(b, false, "AdditionalAuthData", code))
		return nomem(st);
	return s2s_buf_puts(b, "}") ? nomem(st) : S2S_OK;
}

static bool is_true(struct json_object *o, const char *key)
{
	struct json_object *v = s2s_json_at(o, key);

	return v && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* A SAS call; the answer's FlowToken, Ctx and SessionId are kept. */
static s2s_err sas_call(struct entra_state *st, struct json_object *cfg,
                        const char *page_url, const char *url,
                        const struct s2s_buf *body, const char *what,
                        struct sas *s, struct json_object **out)
{
	s2s_err rc =
	        s2s_entra__api_post(st, cfg, page_url, url, body, what, out);

	if (!rc)
		rc = keep(st, &s->ft, s2s_json_text_at(*out, "FlowToken"));
	if (!rc)
		rc = keep(st, &s->ctx, s2s_json_text_at(*out, "Ctx"));
	if (!rc)
		rc = keep(st, &s->session, s2s_json_text_at(*out, "SessionId"));
	return rc;
}

/* An unsuccessful SAS answer as an error. */
static s2s_err sas_error(struct entra_state *st, struct json_object *o,
                         const char *when)
{
	const char *rv = s2s_json_text_at(o, "ResultValue");
	const char *ec = s2s_json_text_at(o, "ErrCode");
	char what[80];

	snprintf(what, sizeof(what), "%.40s%s%.12s", rv ? rv : "no result",
	         ec && *ec && strcmp(ec, "0") ? ", ErrCode " : "",
	         ec && *ec && strcmp(ec, "0") ? ec : "");
	if (rv && strcmp(rv, "PhoneAppDenied") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "Entra ID: the sign-in was denied in "
		                     "Microsoft Authenticator (%s)",
		                     what);
	if (rv && strcmp(rv, "PhoneAppNoResponse") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "Entra ID: the Authenticator request "
		                     "timed out unanswered (%s)",
		                     what);
	if ((ec && strcmp(ec, "500121") == 0) ||
	    (rv && (strstr(rv, "WrongCode") || strstr(rv, "Incorrect") ||
	            strstr(rv, "DuplicateCode") || strstr(rv, "InvalidCode"))))
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "Entra ID rejected the verification code "
		                     "(%s)",
		                     what);
	return s2s_error_set(st->ctx->err, S2S_EMFA,
	                     "Entra ID: MFA failed at %s (%s)", when, what);
}

static void notify(struct entra_state *st, const char *text)
{
	if (st->ctx->prompter && st->ctx->prompter->notify)
		st->ctx->prompter->notify(st->ctx->prompter->payload, text);
}

/* The code: from the kept seed (TOTP) or asked once. */
static s2s_err get_code(struct entra_state *st, const struct sas *s,
                        struct s2s_buf *code)
{
	char text[160];

	if (s->kind == P_TOTP && s2s_adapter_keeps_totp(st->ctx))
		return s2s_adapter_seed_code(st->ctx, "Entra ID", code);
	if (s->kind == P_SMS)
		snprintf(text, sizeof(text), "Code sent by SMS%s%.40s",
		         s->display ? " to " : "",
		         s->display ? s->display : "");
	else
		snprintf(text, sizeof(text), "Authenticator app code");
	return s2s_adapter_ask_code(st->ctx, "Entra ID", text, code);
}

/* Push or call: EndAuth until approved, at the page's pace, up to
 * entra.push_timeout. */
static s2s_err wait_approval(struct entra_state *st, struct json_object *cfg,
                             const char *page_url, const char *end_url,
                             struct sas *s)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct json_object *o = NULL;
	struct s2s_poll poll;
	const char *ec;
	s2s_err rc = S2S_OK;

	s2s_poll_init(&poll, s->interval_ms, s->interval_ms, 1.0,
	              st->push_timeout_s * 1000L);
	poll.cancel = st->ctx->cancel;
	for (int n = 1; !rc; n++) {
		rc = s2s_poll_wait(&poll, "Entra ID MFA", st->ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(st->ctx->err);
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "Entra ID: the %s was not approved "
			                   "within %lds (entra.push_timeout)",
			                   s->kind == P_VOICE
			                           ? "phone call"
			                           : "Authenticator request",
			                   st->push_timeout_s);
		}
		if (!rc)
			rc = sas_body(st, s, "EndAuth", NULL, n, &body);
		if (!rc)
			rc = sas_call(st, cfg, page_url, end_url, &body,
			              "EndAuth", s, &o);
		if (rc)
			break;
		if (is_true(o, "Success"))
			break;
		ec = s2s_json_text_at(o, "ErrCode");
		if (!is_true(o, "Retry") || (ec && *ec && strcmp(ec, "0")) ||
		    (s2s_json_text_at(o, "ResultValue") &&
		     (strcmp(s2s_json_text_at(o, "ResultValue"),
		             "PhoneAppDenied") == 0 ||
		      strcmp(s2s_json_text_at(o, "ResultValue"),
		             "PhoneAppNoResponse") == 0))) {
			rc = sas_error(st, o, "EndAuth");
			break;
		}
		s2s_json_put_wiped(o);
		o = NULL;
	}
	s2s_json_put_wiped(o);
	s2s_buf_release(&body);
	return rc;
}

static s2s_err process_auth(struct entra_state *st, struct json_object *cfg,
                            const char *page_url, const struct sas *s,
                            const char *code, struct s2s_http_response *resp)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_error *e = st->ctx->err;
	const char *ftname = s2s_json_text_at(cfg, "sFTName");
	const char *canary = s2s_json_text_at(cfg, "canary");
	const char *login = s2s_json_text_at(cfg, "sPOST_Username");
	const char *sid = s2s_json_text_at(cfg, "sessionId");
	char *post = NULL;
	s2s_err rc;

	rc = s2s_entra__resolve(st, page_url, s2s_json_text_at(cfg, "urlPost"),
	                        "ProcessAuth URL (urlPost)", &post);
	if (rc)
		return rc;
	if (s2s_form_append(&body, "type", code ? "19" : "22", e) ||
	    s2s_form_append(&body, "request", s->ctx ? s->ctx : "", e) ||
	    s2s_form_append(&body, "mfaAuthMethod", method_ids[s->kind], e) ||
	    s2s_form_append(&body, "canary", canary ? canary : "", e) ||
	    (code && s2s_form_append(&body, "otc", code, e)) ||
	    s2s_form_append(&body, "login", login ? login : "", e) ||
	    s2s_form_append(&body, ftname && *ftname ? ftname : "flowToken",
	                    s->ft ? s->ft : "", e) ||
	    s2s_form_append(&body, "hpgrequestid", sid ? sid : "", e))
		rc = nomem(st);
	if (!rc)
		rc = s2s_entra__post_form(st, post, page_url, &body, resp);
	s2s_buf_release(&body);
	free(post);
	return rc;
}

s2s_err s2s_entra__mfa(struct entra_state *st, struct json_object *cfg,
                       const char *page_url, struct s2s_http_response *resp)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT, code = S2S_BUF_SECRET_INIT;
	struct sas s = { 0 };
	struct json_object *o = NULL, *ent;
	char *begin = NULL, *end = NULL, line[200];
	bool with_code;
	s2s_err rc;

	rc = choose(st, cfg, &s);
	if (!rc)
		rc = s2s_entra__resolve(st, page_url,
		                        s2s_json_text_at(cfg, "urlBeginAuth"),
		                        "BeginAuth URL", &begin);
	if (!rc)
		rc = s2s_entra__resolve(st, page_url,
		                        s2s_json_text_at(cfg, "urlEndAuth"),
		                        "EndAuth URL", &end);
	if (!rc)
		rc = keep(st, &s.ft, s2s_json_text_at(cfg, "sFT"));
	if (!rc)
		rc = keep(st, &s.ctx, s2s_json_text_at(cfg, "sCtx"));
	if (!rc && s2s_json_text_at(cfg, "apiCanary")) {
		/* the TFA page's apiCanary is the one its APIs take */
		char *c = s2s_secret_strdup(s2s_json_text_at(cfg, "apiCanary"));

		if (!c)
			rc = nomem(st);
		else {
			if (st->api_canary)
				s2s_freezero(st->api_canary,
				             strlen(st->api_canary));
			st->api_canary = c;
		}
	}
	if (rc)
		goto out;
	with_code = s.kind == P_TOTP || s.kind == P_SMS;
	if (with_code && !s2s_adapter_can_prompt(st->ctx) &&
	    !(s.kind == P_TOTP && s2s_adapter_keeps_totp(st->ctx))) {
		/* before BeginAuth: no SMS goes out that nobody can type */
		rc = s2s_error_set(st->ctx->err, S2S_ENEEDINPUT,
		                   "entra: %s needs a code typed on a "
		                   "terminal and there is none (nothing was "
		                   "sent): run saml2sts login on a terminal%s",
		                   s.kind == P_SMS ? "the SMS method"
		                                   : "the authenticator code",
		                   s.kind == P_TOTP ? ", or keep the seed with "
		                                      "configure "
		                                      "--totp-secret-stdin"
		                                    : "");
		goto out;
	}
	s.interval_ms = poll_interval(st, cfg, s.kind);
	rc = sas_body(st, &s, "BeginAuth", NULL, 0, &body);
	if (!rc)
		rc = sas_call(st, cfg, page_url, begin, &body, "BeginAuth", &s,
		              &o);
	if (rc)
		goto out;
	if (!is_true(o, "Success")) {
		rc = sas_error(st, o, "BeginAuth");
		goto out;
	}
	ent = s2s_json_at(o, "Entropy");
	if (s.kind == P_PUSH) {
		if (ent && json_object_get_int(ent) > 0)
			snprintf(line, sizeof(line),
			         "Entra ID: approve the sign-in in Microsoft "
			         "Authenticator and enter the number %d",
			         json_object_get_int(ent));
		else
			snprintf(line, sizeof(line),
			         "Entra ID: approve the sign-in in Microsoft "
			         "Authenticator");
		notify(st, line);
	} else if (s.kind == P_VOICE) {
		snprintf(line, sizeof(line),
		         "Entra ID: answer the call%s%.40s and press #",
		         s.display ? " to " : "", s.display ? s.display : "");
		notify(st, line);
	}
	s2s_json_put_wiped(o);
	o = NULL;
	if (!with_code) {
		rc = wait_approval(st, cfg, page_url, end, &s);
	} else {
		rc = get_code(st, &s, &code);
		if (!rc)
			rc = sas_body(st, &s, "EndAuth", code.ptr, 1, &body);
		if (!rc)
			rc = sas_call(st, cfg, page_url, end, &body, "EndAuth",
			              &s, &o);
		if (!rc && !is_true(o, "Success"))
			rc = sas_error(st, o, "EndAuth");
	}
	if (!rc)
		rc = process_auth(st, cfg, page_url, &s,
		                  with_code ? code.ptr : NULL, resp);
out:
	s2s_json_put_wiped(o);
	s2s_buf_release(&body);
	s2s_buf_release(&code);
	sas_free(&s);
	free(begin);
	free(end);
	return rc;
}
