/* SPDX-License-Identifier: MIT */
/*
 * JumpCloud's MFA after a 401 "MFA required." with factors[]: a TOTP
 * code (typed, or from the kept seed) resubmitted to /userconsole/auth,
 * or a JumpCloud Protect push (POST /userconsole/auth/push, GET
 * /userconsole/auth/push/<id> until accepted, denied or expired, then
 * POST /userconsole/auth/push/<id>/login).  WebAuthn and Duo need a
 * browser: they are refused with the --browser hint, never attempted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <saml2sts/adapter.h>
#include <saml2sts/json.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>

#include "jumpcloud_int.h"

enum factor { F_PUSH, F_TOTP, F_COUNT };

static const char *const factor_names[F_COUNT] = { "push", "totp" };

bool s2s_jumpcloud__mfa_setting_ok(const char *name)
{
	return strcmp(name, "auto") == 0 || strcmp(name, "push") == 0 ||
	       strcmp(name, "totp") == 0;
}

/* The factors offered (type, status "available" or none); *other gets
 * the first type we cannot do (webauthn, duo). */
static void offered(struct json_object *o, bool have[F_COUNT],
                    const char **other)
{
	struct json_object *fs = NULL;
	size_t n;

	*other = NULL;
	if (!json_object_object_get_ex(o, "factors", &fs) ||
	    !json_object_is_type(fs, json_type_array))
		return;
	n = json_object_array_length(fs);
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(fs, i);
		const char *type = s2s_json_str_at(f, "type");
		const char *status = s2s_json_str_at(f, "status");
		bool hit = false;

		if (!type || (status && strcmp(status, "available") != 0))
			continue;
		for (int k = 0; k < F_COUNT; k++)
			if (strcmp(type, factor_names[k]) == 0)
				have[k] = hit = true;
		if (!hit && !*other)
			*other = type;
	}
}

static s2s_err pick(struct jumpcloud_state *st, struct json_object *o, int *out)
{
	bool have[F_COUNT] = { false };
	struct s2s_buf ans = S2S_BUF_INIT;
	const char *other = NULL;
	int want = -1;
	s2s_err rc = S2S_OK;

	offered(o, have, &other);
	if (!have[F_PUSH] && !have[F_TOTP])
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "jumpcloud: MFA by %.20s needs a browser: "
		                     "try --browser",
		                     other ? other : "an unknown factor");
	for (int k = 0; k < F_COUNT; k++)
		if (strcmp(st->mfa, factor_names[k]) == 0)
			want = k;
	if (want >= 0 && !have[want])
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "jumpcloud: jumpcloud.mfa is %s but "
		                     "JumpCloud does not offer it",
		                     st->mfa);
	if (want < 0 && have[F_TOTP] && s2s_adapter_keeps_totp(st->ctx))
		want = F_TOTP;
	if (want < 0 && have[F_PUSH] != have[F_TOTP])
		want = have[F_PUSH] ? F_PUSH : F_TOTP;
	if (want < 0 && st->ctx->prompter && st->ctx->prompter->ask) {
		rc = st->ctx->prompter->ask(
		        st->ctx->prompter->payload, S2S_PROMPT_CHOICE,
		        "MFA factor (push, totp)", &ans, st->ctx->err);
		if (rc == S2S_ENEEDINPUT) { /* no terminal: push below */
			s2s_error_clear(st->ctx->err);
			rc = S2S_OK;
		}
		for (int k = 0; !rc && k < F_COUNT; k++)
			if (ans.ptr &&
			    strcasecmp(ans.ptr, factor_names[k]) == 0)
				want = k;
		if (!rc && ans.len && want < 0)
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "jumpcloud: '%.20s' is not push or "
			                   "totp",
			                   ans.ptr);
	}
	s2s_buf_release(&ans);
	*out = want < 0 ? F_PUSH : want;
	return rc;
}

static s2s_err totp(struct jumpcloud_state *st, struct json_object **out)
{
	struct s2s_buf code = S2S_BUF_SECRET_INIT;
	long status = 0;
	s2s_err rc;

	if (s2s_adapter_keeps_totp(st->ctx))
		rc = s2s_adapter_seed_code(st->ctx, "jumpcloud", &code);
	else
		rc = s2s_adapter_ask_code(st->ctx, "jumpcloud",
		                          "JumpCloud authenticator code",
		                          &code);
	if (!rc)
		rc = s2s_jumpcloud__auth(st, code.ptr, out, &status);
	if (!rc && status != 200) {
		const char *msg = s2s_json_str_at(*out, "message");

		rc = s2s_error_set(st->ctx->err, S2S_EMFA,
		                   "jumpcloud: the TOTP code was not accepted "
		                   "(HTTP %ld, JumpCloud: %.80s)",
		                   status, msg ? msg : "no message");
	}
	s2s_buf_release(&code);
	return rc;
}

/* Seconds from the answer's Date (else now) to expiresAt
 * ("2024-01-02T03:04:05.000Z"); -1 when it cannot be read. */
static long seconds_left(const char *expires, time_t date)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, s;
	time_t at;

	if (!expires || sscanf(expires, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d,
	                       &h, &mi, &s) != 6)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	at = timegm(&tm);
	if (at == (time_t)-1)
		return -1;
	at -= date ? date : time(NULL);
	return at < 0 ? 0 : (long)at;
}

static bool id_ok(const char *s)
{
	size_t n = s ? strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
	                         "QRSTUVWXYZ0123456789-_")
	             : 0;

	return n > 0 && n <= 64 && s[n] == '\0';
}

/* Poll the push at path, no faster than poll_interval and until
 * timeout_s, while *last (the latest answer, released by the caller)
 * says "pending". */
static s2s_err wait_push(struct jumpcloud_state *st, const char *path,
                         long timeout_s, struct json_object **last)
{
	struct s2s_poll poll;
	long status = 0;
	s2s_err rc = S2S_OK;

	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0, timeout_s * 1000);
	poll.cancel = st->ctx->cancel;
	for (;;) {
		const char *s = s2s_json_str_at(*last, "status");

		if (!s || strcmp(s, "pending") != 0)
			break;
		rc = s2s_poll_wait(&poll, "jumpcloud: JumpCloud Protect push",
		                   st->ctx->err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(st->ctx->err);
			rc = s2s_error_set(st->ctx->err, S2S_EMFA,
			                   "jumpcloud: the JumpCloud Protect "
			                   "push was not approved within %lds",
			                   timeout_s);
		}
		if (rc)
			break;
		s2s_json_put_wiped(*last);
		*last = NULL;
		rc = s2s_jumpcloud__call(st, "GET", path, NULL, last, &status,
		                         NULL);
		if (!rc && (status != 200 || !*last))
			rc = s2s_error_set(
			        st->ctx->err, S2S_EIDP,
			        "jumpcloud: the push status answered "
			        "HTTP %ld",
			        status);
		if (rc)
			break;
	}
	return rc;
}

static s2s_err push(struct jumpcloud_state *st, struct json_object **out)
{
	struct json_object *o = NULL;
	char path[128];
	const char *id, *s;
	long status = 0, timeout = st->push_timeout_s, left;
	time_t date = 0;
	s2s_err rc;

	rc = s2s_jumpcloud__call(st, "POST", "/userconsole/auth/push", NULL, &o,
	                         &status, &date);
	id = s2s_json_str_at(o, "id");
	if (!rc && (status != 200 || !id_ok(id)))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: the push was not started (HTTP "
		                   "%ld)",
		                   status);
	if (rc)
		goto out;
	left = seconds_left(s2s_json_str_at(o, "expiresAt"), date);
	if (left >= 0 && left < timeout)
		timeout = left > 0 ? left : 1;
	snprintf(path, sizeof(path), "/userconsole/auth/push/%s", id);
	if (st->ctx->prompter && st->ctx->prompter->notify)
		st->ctx->prompter->notify(st->ctx->prompter->payload,
		                          "JumpCloud Protect: approve the push "
		                          "on your phone");
	rc = wait_push(st, path, timeout, &o);
	s = rc ? NULL : s2s_json_str_at(o, "status");
	if (!rc && s && strcmp(s, "denied") == 0)
		rc = s2s_error_set(st->ctx->err, S2S_EMFA,
		                   "jumpcloud: the JumpCloud Protect push was "
		                   "denied");
	else if (!rc && s && strcmp(s, "expired") == 0)
		rc = s2s_error_set(st->ctx->err, S2S_EMFA,
		                   "jumpcloud: the JumpCloud Protect push "
		                   "expired");
	else if (!rc && (!s || strcmp(s, "accepted") != 0))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: unknown push status \"%.20s\"",
		                   s ? s : "");
	if (rc)
		goto out;
	s2s_json_put_wiped(o);
	o = NULL;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/login");
	rc = s2s_jumpcloud__call(st, "POST", path, NULL, &o, &status, NULL);
	if (!rc && (status != 200 || !o))
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "jumpcloud: the login after the push "
		                   "answered HTTP %ld",
		                   status);
out:
	if (!rc) {
		*out = o;
		o = NULL;
	}
	s2s_json_put_wiped(o);
	return rc;
}

s2s_err s2s_jumpcloud__mfa(struct jumpcloud_state *st, struct json_object *o,
                           struct json_object **out)
{
	int f = F_PUSH;
	s2s_err rc;

	*out = NULL;
	rc = pick(st, o, &f);
	if (rc)
		return rc;
	return f == F_TOTP ? totp(st, out) : push(st, out);
}
