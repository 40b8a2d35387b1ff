/* SPDX-License-Identifier: MIT */
/*
 * Okta (Classic Engine Authentication API): POST /api/v1/authn, MFA by
 * the factor's _links (TOTP, Okta Verify push with number challenge,
 * SMS, email), then the session-token redirect to the app's embed link,
 * whose page carries the SAMLResponse form.  See README.md here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <saml2sts/adapter.h>
#include <saml2sts/file.h>
#include <saml2sts/formflow.h>
#include <saml2sts/html.h>
#include <saml2sts/poll.h>
#include <saml2sts/secret.h>
#include <saml2sts/totp.h>

#include <saml2sts/json.h>

enum okta_factor { F_PUSH, F_TOTP, F_SMS, F_EMAIL, F_COUNT };

static const char *const factor_names[F_COUNT] = { "push", "totp", "sms",
	                                           "email" };

static const char *const okta_keys[] = { "mfa",
	                                 "push_timeout",
	                                 "poll_interval",
	                                 "remember_device",
	                                 "device_token_file",
	                                 "totp_seed",
	                                 NULL };

struct okta_state {
	struct s2s_adapter_ctx *ctx;
	char *origin; /* scheme://host[:port] of url */
	const char *mfa;
	long push_timeout_s, poll_ms;
	bool remember;
	struct s2s_buf state_token; /* secret */
	char device[33];
};

static s2s_err read_settings(struct okta_state *st,
                             const struct s2s_account *acct,
                             struct s2s_error *err)
{
	s2s_err rc = S2S_OK;
	const char *mfa = s2s_account_get_str(acct, "okta.mfa", "auto");
	bool ok = strcmp(mfa, "auto") == 0;

	for (int i = 0; i < F_COUNT; i++)
		ok |= strcmp(mfa, factor_names[i]) == 0;
	if (!rc && !ok)
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "okta.mfa must be auto, push, totp, sms or "
		                   "email");
	st->mfa = mfa;
	if (!rc)
		rc = s2s_account_get_long(&st->push_timeout_s, acct,
		                          "okta.push_timeout", 1, 3600, 60,
		                          err);
	if (!rc)
		rc = s2s_account_get_long(&st->poll_ms, acct,
		                          "okta.poll_interval", 50, 60000, 3000,
		                          err);
	if (!rc)
		rc = s2s_account_get_bool(&st->remember, acct,
		                          "okta.remember_device", true, err);
	if (!rc && s2s_account_get(acct, "okta.totp_seed") &&
	    strcmp(s2s_account_get(acct, "okta.totp_seed"), "keyring") != 0)
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "okta.totp_seed must be keyring (set by "
		                   "configure --totp-secret-stdin)");
	return rc;
}

static s2s_err okta_validate(const struct s2s_account *acct,
                             struct s2s_error *err)
{
	struct okta_state st = { 0 };

	return read_settings(&st, acct, err);
}

/* a + b + c, malloc'd; NULL when out of memory. */
static char *join2(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

/* ---- per-install device token ------------------------------------ */

static bool token_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 32 && s[n] == '\0';
}

static void new_token(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
	s2s_memzero(raw, sizeof(raw));
}

static char *token_path(const struct s2s_account *acct)
{
	const char *f = s2s_account_get(acct, "okta.device_token_file");
	struct s2s_error e = S2S_ERROR_INIT;
	char *dir = NULL, *path = NULL;

	if (f && *f)
		return strdup(f);
	if (s2s_config_data_dir(&dir, &e) ||
	    s2s_file_mkdirs(dir, S2S_ECONFIG, &e)) {
		free(dir);
		return NULL;
	}
	path = join2(dir, "/okta-device-token", "");
	free(dir);
	return path;
}

/* The random device token of this install: read from the data dir, or
 * made with RAND_bytes and written there (lib/file.c: 0600, atomic
 * replace).  When the file cannot be kept, a fresh random token is used
 * for this login. */
static void load_device_token(struct okta_state *st)
{
	struct s2s_error e = S2S_ERROR_INIT;
	char *path = token_path(st->ctx->acct);
	char buf[64] = "";
	ssize_t n;
	int fd;

	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			if (token_ok(buf)) {
				memcpy(st->device, buf, 33);
				free(path);
				return;
			}
		}
	}
	new_token(st->device);
	if (path && st->device[0]) {
		memcpy(buf, st->device, 32);
		buf[32] = '\n';
		(void)s2s_file_write_private(path, buf, 33, S2S_ECONFIG, &e);
	}
	s2s_memzero(buf, sizeof(buf));
	free(path);
}

/* ---- the JSON API ---------------------------------------------------- */

static s2s_err set_origin(struct okta_state *st, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (!p)
		return s2s_error_set(st->ctx->err, S2S_ECONFIG,
		                     "url must be the Okta app's embed link");
	n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	st->origin = strndup(url, n);
	return st->origin ? S2S_OK
	                  : s2s_error_set(st->ctx->err, S2S_ENOMEM,
	                                  "out of memory");
}

static const char *path_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : "/";
}

/* POST body (JSON, secret) to url; *out gets the parsed object (free
 * with s2s_json_put_wiped).  Anything but JSON is S2S_EIDP. */
static s2s_err api(struct okta_state *st, const char *url,
                   const struct s2s_buf *body, struct json_object **out,
                   long *status)
{
	static const char *const headers[] = { "Accept: application/json",
		                               NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	s2s_err rc;

	*out = NULL;
	req.method = "POST";
	req.url = url;
	req.body = body->ptr ? body->ptr : "{}";
	req.body_len = body->ptr ? body->len : 2;
	req.content_type = "application/json";
	req.headers = headers;
	rc = s2s_http_do(st->ctx->http, &req, &resp, st->ctx->err);
	if (rc)
		goto out;
	*status = resp.status;
	if (resp.status == 429) {
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "okta: too many requests (HTTP 429); try "
		                   "again later");
		goto out;
	}
	*out = resp.body.ptr ? s2s_json_parse(resp.body.ptr, resp.body.len)
	                     : NULL;
	if (!*out) {
		char where[160];
		size_t n = strcspn(path_of(url), "?#");

		snprintf(where, sizeof(where), "%.*s", (int)(n < 120 ? n : 120),
		         path_of(url));
		rc = s2s_error_set(st->ctx->err, S2S_EIDP,
		                   "okta: answer of %s is not Okta API JSON "
		                   "(HTTP %ld)",
		                   where, resp.status);
	}
out:
	s2s_http_response_release(&resp);
	return rc;
}

static struct json_object *member(struct json_object *o, const char *path)
{
	char part[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, part, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *str_at(struct json_object *o, const char *path)
{
	struct json_object *v = member(o, path);

	return v && json_object_is_type(v, json_type_string)
	               ? json_object_get_string(v)
	               : NULL;
}

/* An Okta error object (errorCode/errorSummary) as an error. */
static s2s_err api_error(struct okta_state *st, struct json_object *o,
                         long status, const char *when)
{
	const char *code = str_at(o, "errorCode");
	const char *sum = str_at(o, "errorSummary");

	if (code && strcmp(code, "E0000004") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: authentication failed (wrong "
		                     "username or password)");
	if (code &&
	    (strcmp(code, "E0000068") == 0 || strcmp(code, "E0000069") == 0 ||
	     strcmp(code, "E0000011") == 0))
		return s2s_error_set(st->ctx->err, S2S_EMFA, "okta: %s: %.120s",
		                     when, sum ? sum : "not accepted");
	if (code && strcmp(code, "E0000119") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the account is locked");
	if (code)
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "okta: %s: %.20s %.120s (HTTP %ld)", when,
		                     code, sum ? sum : "", status);
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "okta: %s: unexpected answer (HTTP %ld)", when,
	                     status);
}

static s2s_err body_state(struct okta_state *st, struct s2s_buf *b,
                          const char *passcode)
{
	s2s_buf_init(b, true);
	if (s2s_buf_puts(b, "{") ||
	    s2s_json_member(b, true, "stateToken", st->state_token.ptr) ||
	    (passcode && s2s_json_member(b, false, "passCode", passcode)) ||
	    s2s_buf_puts(b, "}"))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static s2s_err keep_state_token(struct okta_state *st, struct json_object *o)
{
	const char *t = str_at(o, "stateToken");

	if (!t)
		return S2S_OK;
	s2s_buf_reset(&st->state_token);
	if (s2s_buf_puts(&st->state_token, t))
		return s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

/* ---- MFA ------------------------------------------------------------- */

static int factor_kind(struct json_object *f)
{
	const char *type = str_at(f, "factorType");

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
	const char *href = str_at(f, link);

	*out = NULL;
	if (!href || !s2s_url_allowed(href))
		return s2s_error_set(st->ctx->err, S2S_EIDP,
		                     "okta: the factor has no usable %s link",
		                     link);
	if (!st->remember || strstr(href, "rememberDevice"))
		*out = strdup(href);
	else
		*out = join2(href, strchr(href, '?') ? "&" : "?",
		             "rememberDevice=true");
	return *out ? S2S_OK
	            : s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
}

/* The code for now from the TOTP seed in the store. */
static s2s_err stored_code(struct s2s_adapter_ctx *ctx, struct s2s_buf *code)
{
	char otp[S2S_OTP_MAX_DIGITS + 1];
	s2s_err rc;

	rc = s2s_adapter_totp(ctx, otp);
	if (!rc && s2s_buf_puts(code, otp))
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	s2s_memzero(otp, sizeof(otp));
	if (rc == S2S_ENOTFOUND) {
		s2s_error_clear(ctx->err);
		rc = s2s_error_set(ctx->err, S2S_EMFA,
		                   "no TOTP seed in the keyring for '%s' (run "
		                   "configure --totp-secret-stdin)",
		                   s2s_account_name(ctx->acct));
	}
	return rc;
}

/* A TOTP code from the prompter (or a stored seed, later). */
static s2s_err ask_code(struct okta_state *st, const char *text,
                        struct s2s_buf *code)
{
	s2s_err rc;

	if (!st->ctx->prompter || !st->ctx->prompter->ask)
		return s2s_error_set(st->ctx->err, S2S_ENEEDINPUT,
		                     "okta: a one-time code is needed");
	rc = st->ctx->prompter->ask(st->ctx->prompter->payload, S2S_PROMPT_OTP,
	                            text, code, st->ctx->err);
	if (!rc && code->len == 0)
		rc = s2s_error_set(st->ctx->err, S2S_ECANCELLED,
		                   "okta: no one-time code given");
	return rc;
}

static void notify(struct okta_state *st, const char *text)
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
		rc = body_state(st, &body, NULL);
	if (!rc)
		rc = api(st, url, &body, &o, status);
	s2s_poll_init(&poll, st->poll_ms, st->poll_ms, 1.0,
	              st->push_timeout_s * 1000);
	poll.cancel = st->ctx->cancel;
	notify(st, "Okta Verify: approve the push on your phone");
	while (!rc) {
		const char *res = str_at(o, "factorResult");
		const char *next = str_at(o, "_links.next.href");
		struct json_object *num =
		        member(o, "_embedded.factor._embedded.challenge."
		                  "correctAnswer");

		if (*status != 200 || !res || strcmp(res, "WAITING") != 0)
			break;
		if (num && json_object_get_int(num) != shown) {
			shown = json_object_get_int(num);
			snprintf(msg, sizeof(msg),
			         "Okta Verify: approve the push on your phone "
			         "and pick number %ld",
			         shown);
			notify(st, msg);
		}
		if (!next || !s2s_url_allowed(next)) {
			rc = s2s_error_set(
			        st->ctx->err, S2S_EIDP,
			        "okta: the push challenge has no poll "
			        "link");
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
			rc = api(st, url, &body, &o, status);
	}
	if (!rc) {
		const char *res = str_at(o, "factorResult");

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

	rc = verify_url(st, f, "_links.verify.href", &url);
	if (!rc && kind != F_TOTP) {
		/* the first POST without a passCode sends the code */
		rc = body_state(st, &body, NULL);
		if (!rc)
			rc = api(st, url, &body, &o, status);
		if (!rc && *status != 200)
			rc = api_error(st, o, *status, "sending the code");
		if (!rc && !str_at(o, "stateToken"))
			rc = api_error(st, o, *status, "sending the code");
		if (!rc)
			rc = keep_state_token(st, o);
		if (!rc && str_at(o, "_links.next.href")) {
			free(url);
			url = strdup(str_at(o, "_links.next.href"));
			if (!url || !s2s_url_allowed(url))
				rc = s2s_error_set(st->ctx->err, S2S_EIDP,
				                   "okta: bad verify link");
		}
		s2s_json_put_wiped(o);
		o = NULL;
		s2s_buf_release(&body);
	}
	if (!rc && kind == F_TOTP && s2s_adapter_keeps_totp(st->ctx))
		rc = stored_code(st->ctx, &code);
	if (!rc && code.len == 0)
		rc = ask_code(st, text, &code);
	if (!rc) {
		s2s_buf_reset(&body);
		if (s2s_buf_puts(&body, "{") ||
		    s2s_json_member(&body, true, "stateToken",
		                    st->state_token.ptr) ||
		    s2s_json_member(&body, false, "passCode", code.ptr) ||
		    s2s_buf_puts(&body, "}"))
			rc = s2s_error_set(st->ctx->err, S2S_ENOMEM,
			                   "out of memory");
	}
	if (!rc)
		rc = api(st, url, &body, &o, status);
	if (!rc && *status != 200)
		rc = api_error(st, o, *status,
		               "the one-time code was not accepted");
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

static s2s_err do_mfa(struct okta_state *st, struct json_object *o,
                      struct json_object **result, long *status)
{
	struct json_object *f = NULL;
	s2s_err rc;

	rc = pick_factor(st, member(o, "_embedded.factors"), &f);
	if (rc)
		return rc;
	if (factor_kind(f) == F_PUSH)
		return do_push(st, f, result, status);
	return do_code(st, f, factor_kind(f), result, status);
}

/* Read an authn transaction: SUCCESS sets *done, MFA_REQUIRED runs the
 * factor, the rest are errors. */
static s2s_err handle_status(struct okta_state *st, struct json_object *o,
                             long status, const char *when, bool *done)
{
	const char *s = str_at(o, "status");

	*done = false;
	if (status != 200 || !s)
		return api_error(st, o, status, when);
	if (strcmp(s, "SUCCESS") == 0) {
		*done = true;
		return str_at(o, "sessionToken")
		               ? S2S_OK
		               : s2s_error_set(st->ctx->err, S2S_EIDP,
		                               "okta: SUCCESS without a "
		                               "sessionToken");
	}
	if (strcmp(s, "LOCKED_OUT") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the account is locked out; ask "
		                     "your administrator or unlock it at %s",
		                     st->origin);
	if (strcmp(s, "PASSWORD_EXPIRED") == 0)
		return s2s_error_set(st->ctx->err, S2S_EAUTH,
		                     "okta: the password has expired; change "
		                     "it at %s",
		                     st->origin);
	if (strcmp(s, "MFA_ENROLL") == 0 ||
	    strcmp(s, "MFA_ENROLL_ACTIVATE") == 0)
		return s2s_error_set(st->ctx->err, S2S_EMFA,
		                     "okta: no MFA factor is enrolled; enrol "
		                     "one at %s",
		                     st->origin);
	if (strcmp(s, "MFA_REQUIRED") == 0 || strcmp(s, "MFA_CHALLENGE") == 0)
		return S2S_OK;
	return s2s_error_set(st->ctx->err, S2S_EIDP,
	                     "okta: %s: unsupported transaction state %.40s",
	                     when, s);
}

static s2s_err primary(struct okta_state *st, struct json_object **out,
                       long *status)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	char *url = NULL;
	s2s_err rc;

	rc = s2s_adapter_username(st->ctx, &user);
	if (!rc)
		rc = s2s_adapter_password(st->ctx, &pass);
	if (!rc && (!(url = join2(st->origin, "/api/v1/authn", "")) ||
	            s2s_buf_puts(&body, "{") ||
	            s2s_json_member(&body, true, "username", user.ptr) ||
	            s2s_json_member(&body, false, "password", pass.ptr) ||
	            s2s_buf_puts(&body, ",\"options\":{\"multiOptionalFactor"
	                                "Enroll\":false,\"warnBeforePassword"
	                                "Expired\":false},\"context\":{") ||
	            s2s_json_member(&body, true, "deviceToken", st->device) ||
	            s2s_buf_puts(&body, "}}")))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = api(st, url, &body, out, status);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	free(url);
	return rc;
}

/* GET /login/sessionCookieRedirect?token=..&redirectUrl=<app>, follow
 * to the app's page and take its SAMLResponse form. */
static s2s_err to_app(struct okta_state *st, const char *token,
                      struct s2s_buf *saml_b64)
{
	struct s2s_buf q = S2S_BUF_SECRET_INIT, url = S2S_BUF_SECRET_INIT;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_html_page *page = NULL;
	const struct s2s_form *form;
	s2s_err rc;

	rc = s2s_form_append(&q, "checkAccountSetupComplete", "true",
	                     st->ctx->err);
	if (!rc)
		rc = s2s_form_append(&q, "token", token, st->ctx->err);
	if (!rc)
		rc = s2s_form_append(&q, "redirectUrl",
		                     s2s_account_get(st->ctx->acct, "url"),
		                     st->ctx->err);
	if (!rc && s2s_buf_printf(&url, "%s/login/sessionCookieRedirect?%s",
	                          st->origin, q.ptr))
		rc = s2s_error_set(st->ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_http_get(st->ctx->http, url.ptr, &resp, st->ctx->err);
	if (!rc)
		rc = s2s_html_parse(&page, resp.url ? resp.url : url.ptr,
		                    resp.body.ptr ? resp.body.ptr : "",
		                    resp.body.len, st->ctx->err);
	if (!rc) {
		form = s2s_html_form_with_field(page, "SAMLResponse");
		rc = form && resp.status == 200
		             ? s2s_formflow_take_saml(st->ctx, form, saml_b64)
		             : s2s_formflow_unrecognised(st->ctx, page,
		                                         resp.status);
	}
	s2s_html_page_free(page);
	s2s_http_response_release(&resp);
	s2s_buf_release(&q);
	s2s_buf_release(&url);
	return rc;
}

static s2s_err okta_authenticate(struct s2s_adapter_ctx *ctx,
                                 struct s2s_buf *saml_b64)
{
	struct okta_state *st = ctx->priv;
	struct json_object *o = NULL, *next = NULL;
	const char *url = s2s_account_get(ctx->acct, "url");
	long status = 0;
	bool done = false;
	s2s_err rc;

	st->ctx = ctx;
	s2s_buf_init(&st->state_token, true);
	rc = read_settings(st, ctx->acct, ctx->err);
	if (!rc && !url)
		rc = s2s_error_set(
		        ctx->err, S2S_ECONFIG,
		        "okta: url (the app's embed link) is not set");
	if (!rc)
		rc = set_origin(st, url);
	if (!rc) {
		load_device_token(st);
		rc = primary(st, &o, &status);
	}
	if (!rc)
		rc = handle_status(st, o, status, "sign-in", &done);
	if (!rc && !done) {
		rc = keep_state_token(st, o);
		if (!rc)
			rc = do_mfa(st, o, &next, &status);
		if (!rc) {
			s2s_json_put_wiped(o);
			o = next;
			next = NULL;
			rc = handle_status(st, o, status, "MFA", &done);
		}
		if (!rc && !done)
			rc = s2s_error_set(ctx->err, S2S_EMFA,
			                   "okta: MFA did not complete (%.40s)",
			                   str_at(o, "status")
			                           ? str_at(o, "status")
			                           : "?");
	}
	if (!rc)
		rc = to_app(st, str_at(o, "sessionToken"), saml_b64);
	s2s_json_put_wiped(o);
	return rc;
}

static void okta_release(struct s2s_adapter_ctx *ctx)
{
	struct okta_state *st = ctx->priv;

	if (!st)
		return;
	s2s_buf_release(&st->state_token);
	free(st->origin);
	st->origin = NULL;
}

static const char *const okta_aliases[] = { "okta-classic", NULL };

const struct s2s_adapter s2s_adapter_okta = {
	.abi = S2S_ADAPTER_ABI,
	.name = "okta",
	.aliases = okta_aliases,
	.summary = "Okta Authentication API; Okta Verify push (number "
	           "challenge), TOTP, SMS or email code",
	.features = S2S_ADAPTER_F_FORM | S2S_ADAPTER_F_MFA_TOTP |
	            S2S_ADAPTER_F_MFA_PUSH | S2S_ADAPTER_F_MFA_SMS |
	            S2S_ADAPTER_F_MFA_EMAIL,
	.priv_size = sizeof(struct okta_state),
	.config_keys = okta_keys,
	.validate = okta_validate,
	.authenticate = okta_authenticate,
	.release = okta_release,
};
