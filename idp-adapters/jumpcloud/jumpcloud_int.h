/* SPDX-License-Identifier: MIT */
/*
 * Private to the jumpcloud adapter: the login state and the console API
 * call shared by jumpcloud.c (settings, xsrf, POST /userconsole/auth,
 * the redirect to the SAML page) and jumpcloud_mfa.c (TOTP and
 * JumpCloud Protect push).  Nothing here is seen outside
 * idp-adapters/jumpcloud/.
 */
#ifndef S2S_JUMPCLOUD_INT_H
#define S2S_JUMPCLOUD_INT_H

#include <stdbool.h>
#include <time.h>

#include <saml2sts/adapter.h>
#include <saml2sts/buf.h>
#include <saml2sts/error.h>

#define S2S_JUMPCLOUD_CONSOLE "https://console.jumpcloud.com"

struct json_object;

struct jumpcloud_state {
	struct s2s_adapter_ctx *ctx;
	char *console;     /* scheme://host[:port] of jumpcloud.console_url */
	char *redirect_to; /* "saml2/<app-slug>": url's path */
	const char *mfa;
	long push_timeout_s, poll_ms;
	struct s2s_buf xsrf;     /* secret: "X-Xsrftoken: <xsrf>" */
	struct s2s_buf email;    /* the username */
	struct s2s_buf password; /* secret: sent again with the TOTP code */
};

/* ---- jumpcloud.c ----------------------------------------------------- */

/* One request to the console: method "GET" or "POST" (body JSON, "{}"
 * when NULL) to console + path with the xsrf header; *out gets the
 * parsed object (released by the caller with s2s_json_put_wiped), or
 * NULL when the answer is not JSON, *status the HTTP status and *date
 * (when not NULL) the answer's Date header (0 when none). */
s2s_err s2s_jumpcloud__call(struct jumpcloud_state *st, const char *method,
                            const char *path, const struct s2s_buf *body,
                            struct json_object **out, long *status,
                            time_t *date);

/* POST /userconsole/auth with the email, password and otp ("" for
 * none). */
s2s_err s2s_jumpcloud__auth(struct jumpcloud_state *st, const char *otp,
                            struct json_object **out, long *status);

/* ---- jumpcloud_mfa.c ------------------------------------------------- */

/* True when name is a value jumpcloud.mfa accepts. */
bool s2s_jumpcloud__mfa_setting_ok(const char *name);

/* MFA after a 401 "MFA required." answer o: pick among its factors[],
 * verify (TOTP resubmitted with the password, or a Protect push) and
 * leave the final answer carrying redirectTo in *out (released by the
 * caller). */
s2s_err s2s_jumpcloud__mfa(struct jumpcloud_state *st, struct json_object *o,
                           struct json_object **out);

#endif
