/* SPDX-License-Identifier: MIT */
/*
 * The MFA factors of Okta's Classic Engine Authn API: choosing among the
 * transaction's _embedded.factors (okta.mfa, the only one, or a prompt),
 * then verifying through the factor's _links: Okta Verify push (number
 * challenge, polled), a TOTP code (typed or from the stored seed), an
 * SMS or email code.  The Authn calls themselves are okta.c's; Okta
 * Identity Engine authenticators are okta_idx.c's, which shares the
 * code, prompt and notify helpers here.
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
#include <saml2sts/url.h>

#include "okta_int.h"

enum okta_factor { F_PUSH, F_TOTP, F_SMS, F_EMAIL, F_COUNT };

static const char *const factor_names[F_COUNT] = { "push", "totp", "sms",
	                                           "email" };

bool s2s_okta__mfa_setting_ok(const char *name)
{
	if (strcmp(name, "auto") == 0 || strcmp(name, "voice") == 0)
		return true;
	for (int i = 0; i < F_COUNT; i++)
		if (strcmp(name, factor_names[i]) == 0)
			return true;
	return false;
}

static int factor_kind(struct json_object *f)
{
	const char *type = s2s_json_str_at(f, "factorType");

	if (!type)
		return -1;
	if (strcmp(type, "push") == 0)
		return F_PUSH;
	if (strcmp(type, "token:software:totp") == 0)
		return F_TOTP;
	if (strcmp(type, "sms") == 0)
		return F_SMS;
	if (strcmp(type, "email") == 0)
		return F_EMAIL;
	return -1;
}

/* Choose among the factors offered: okta.mfa, or when auto the only one,
 * else ask (the first in push/totp/sms/email order without a prompt). */
static s2s_err pick_factor(struct okta_state *st, struct json_object *factors,
                           struct json_object **out)
{
	struct json_object *by_kind[F_COUNT] = { 0 };
	struct s2s_buf ans = S2S_BUF_INIT;
	char text[160] = "MFA factor (";
	size_t offered = 0, n;
	int want = -1;
	s2s_err rc = S2S_OK;

	n = json_object_is_type(factors, json_type_array)
	            ? json_object_array_length(factors)
	            : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(factors, i);
		int k = factor_kind(f);

		if (k >= 0 && !by_kind[k]) {
			by_kind[k] = f;
			offered++;
		}
	}
	if (!offered)
		return s2s_error_set(
		        st->ctx->err, S2S_EMFA,
		        "okta: none of the enrolled MFA factors is "
		        "supported (push, totp, sms, email)");
	if (strcmp(st->mfa, "voice") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "okta: okta.mfa = voice needs Identity "
		                     "Engine; this org uses the Classic "
		                     "Authentication API");
	for (int k = 0; k < F_COUNT; k++)
		if (strcmp(st->mfa, factor_names[k]) == 0)
			want = k;
	if (want >= 0 && !by_kind[want])
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "okta: okta.mfa is %s but that factor is "
		                     "not enrolled",
		                     st->mfa);
	if (want < 0 && s2s_adapter_keeps_totp(st->ctx) && by_kind[F_TOTP])
		want = F_TOTP; /* okta.totp_seed = keyring: no typing */
	if (want < 0 && offered > 1 && st->ctx->prompter &&
	    st->ctx->prompter->ask) {
		bool first = true;

		size_t used = strlen(text);

		for (int k = 0; k < F_COUNT; k++)
			if (by_kind[k] && used < sizeof(text)) {
				used += (size_t)snprintf(
				        text + used, sizeof(text) - used,
				        "%s%s", first ? "" : ", ",
				        factor_names[k]);
				first = false;
			}
		if (used < sizeof(text))
			snprintf(text + used, sizeof(text) - used, ")");
		rc = st->ctx->prompter->ask(st->ctx->prompter->payload,
		                            S2S_PROMPT_CHOICE, text, &ans,
		                            st->ctx->err);
		if (rc == S2S_ENEEDINPUT) {
			s2s_error_clear(st->ctx->err);
			rc = S2S_OK;
		} else if (!rc) {
			for (int k = 0; k < F_COUNT; k++)
				if (ans.ptr && by_kind[k] &&
				    strcasecmp(ans.ptr, factor_names[k]) == 0)
					want = k;
			if (want < 0)
				rc = s2s_error_set(
				        st->ctx->err, S2S_EMFA,
				        "okta: '%.20s' is not one of "
				        "the factors offered",
				        ans.ptr ? ans.ptr : "");
		}
	}
	for (int k = 0; want < 0 && k < F_COUNT; k++)
		if (by_kind[k])
			want = k;
	s2s_buf_release(&ans);
	if (!rc)
		*out = by_kind[want];
	return rc;
}

static s2s_err verify_url(struct okta_state *st, struct json_object *f,
                          const char *link, char **out)
{
	const char *href = s2s_json_str_at(f, link);

	*out = NULL;
	if (!href || !s2s_url_allowed(href))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "okta: the factor has no usable %s link",
		                     link);
	if (!s2s_okta__on_origin(st, href))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "okta: the factor's %s link is not on %s; "
		                     "check url (the app's embed link)",
		                     link, st->origin);
	if (!st->remember || strstr(href, "rememberDevice"))
		*out = strdup(href);
	else
		*out = s2s_okta__join(href, strchr(href, '?') ? "&" : "?",
		                      "rememberDevice=true");
	return *out ? S2S_OK
	            : s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
}

void s2s_okta__notify(struct okta_state *st, const char *text)
{
	if (st->ctx->prompter && st->ctx->prompter->notify)
		st->ctx->prompter->notify(st->ctx->prompter->payload, text);
}

/* Push: start the challenge, show the number, poll _links.next. */
static s2s_err do_push(struct okta_state *st, struct json_object *f,
                       struct json_object **result, long *status)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_poll poll;
	char *url = NULL, msg[160];
	struct json_object *o = NULL;
	long shown = -1;
	s2s_err rc;

	rc = verify_url(st, f, "_links.verify.href", &url);
	if (!rc)
		rc = s2s_okta__authn_state_body(st, &body, NULL);
	if (!rc)
		rc = s2s_okta__authn_post(st, url, &body, &o, status);
	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000);
	poll.cancel = st->ctx->cancel;
	s2s_okta__notify(st, "Okta Verify: approve the push on your phone");
	while (!rc) {
		const char *res = s2s_json_str_at(o, "factorResult");
		const char *next = s2s_json_str_at(o, "_links.next.href");
		struct json_object *num =
		        s2s_json_at(o, "_embedded.factor._embedded.challenge."
		                       "correctAnswer");

		if (*status != 200 || !res || strcmp(res, "WAITING") != 0)
			break;
		if (num && json_object_get_int(num) != shown) {
			shown = json_object_get_int(num);
			snprintf(msg, sizeof(msg),
			         "Okta Verify: approve the push on your phone "
			         "and pick number %ld",
			         shown);
			s2s_okta__notify(st, msg);
		}
		if (!next || !s2s_url_allowed(next)) {
			rc = s2s_error_set(
			        st->ctx->err, S2S_EIDP,
			        "okta: the push challenge has no poll "
			        "link");
			break;
		}
		if (!s2s_okta__on_origin(st, next)) {
			rc = s2s_error_set(
			        st->ctx->err, S2S_EIDP,
			        "okta: the push poll link is not on "
			        "%s; check url (the app's embed link)",
			        st->origin);
			break;
		}
		rc = s2s_poll_wait(&poll, "okta: Okta Verify push",
		                   st->ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(st->ctx->err);
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "okta: the Okta Verify push was not "
			                   "approved within %lds",
			                   st->push_timeout_s);
		}
		if (rc)
			break;
		free(url);
		url = strdup(next);
		s2s_json_put_wiped(o);
		o = NULL;
		if (!url)
			rc = s2s_error_set(st->ctx->err, S2S_ENOMEM,
			                   "out of memory");
		else
			rc = s2s_okta__authn_post(st, url, &body, &o, status);
	}
	if (!rc) {
		const char *res = s2s_json_str_at(o, "factorResult");

		if (res && strcmp(res, "REJECTED") == 0)
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "okta: the Okta Verify push was "
			                   "rejected");
		else if (res && strcmp(res, "TIMEOUT") == 0)
			rc = s2s_error_set(
			        st->ctx->err, S2S_EMFA,
			        "okta: the Okta Verify push timed out "
			        "at Okta");
	}
	if (!rc) {
		*result = o;
		o = NULL;
	}
	s2s_json_put_wiped(o);
	s2s_buf_release(&body);
	free(url);
	return rc;
}

/* TOTP, SMS, email: (send the code,) ask, verify. */
static s2s_err do_code(struct okta_state *st, struct json_object *f, int kind,
                       struct json_object **result, long *status)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT, code = S2S_BUF_SECRET_INIT;
	struct json_object *o = NULL;
	char *url = NULL;
	const char *text = kind == F_TOTP  ? "Okta Verify or authenticator code"
	                   : kind == F_SMS ? "Code sent by SMS"
	                                   : "Code sent by email";
	s2s_err rc;

	if (kind != F_TOTP && !s2s_adapter_can_prompt(st->ctx))
		return s2s_error_set(st->ctx->err, S2S_ENEEDINPUT,
		                     "okta: the %s code needs a terminal to "
		                     "type it and there is none (nothing was "
		                     "sent): run saml2sts login on a terminal",
		                     kind == F_SMS ? "SMS" : "email");
	rc = verify_url(st, f, "_links.verify.href", &url);
	if (!rc && kind != F_TOTP) {
		/* the first POST without a passCode sends the code */
		rc = s2s_okta__authn_state_body(st, &body, NULL);
		if (!rc)
			rc = s2s_okta__authn_post(st, url, &body, &o, status);
		if (!rc && *status != 200)
			rc = s2s_okta__authn_error(st, o, *status,
			                           "sending the code");
		if (!rc && !s2s_json_str_at(o, "stateToken"))
			rc = s2s_okta__authn_error(st, o, *status,
			                           "sending the code");
		if (!rc)
			rc = s2s_okta__authn_keep_state(st, o);
		if (!rc && s2s_json_str_at(o, "_links.next.href")) {
			free(url);
			url = strdup(s2s_json_str_at(o, "_links.next.href"));
			if (!url || !s2s_url_allowed(url))
				rc = s2s_error_set(st->ctx->err, S2S_EIDP,
				                   "okta: bad verify link");
			else if (!s2s_okta__on_origin(st, url))
				rc = s2s_error_set(
				        st->ctx->err, S2S_EIDP,
				        "okta: the verify link is not on %s; "
				        "check url (the app's embed link)",
				        st->origin);
		}
		s2s_json_put_wiped(o);
		o = NULL;
		s2s_buf_release(&body);
	}
	if (!rc && kind == F_TOTP && s2s_adapter_keeps_totp(st->ctx))
		rc = s2s_adapter_seed_code(st->ctx, "okta", &code);
	if (!rc && code.len == 0)
		rc = s2s_adapter_ask_code(st->ctx, "okta", text, &code);
	if (!rc) {
		s2s_buf_release(&body);
		rc = s2s_okta__authn_state_body(st, &body, code.ptr);
	}
	if (!rc)
		rc = s2s_okta__authn_post(st, url, &body, &o, status);
	if (!rc && *status != 200)
		rc = s2s_okta__authn_error(
		        st, o, *status, "the one-time code was not accepted");
	if (!rc) {
		*result = o;
		o = NULL;
	}
	s2s_json_put_wiped(o);
	s2s_buf_release(&body);
	s2s_buf_release(&code);
	free(url);
	return rc;
}

s2s_err s2s_okta__authn_mfa(struct okta_state *st, struct json_object *o,
                            struct json_object **result, long *status)
{
	struct json_object *f = NULL;
	s2s_err rc;

	rc = pick_factor(st, s2s_json_at(o, "_embedded.factors"), &f);
	if (rc)
		return rc;
	if (factor_kind(f) == F_PUSH)
		return do_push(st, f, result, status);
	return do_code(st, f, factor_kind(f), result, status);
}
