/* SPDX-License-Identifier: MIT */
/*
 * Private to the onelogin adapter: the login state and the API call
 * shared by onelogin.c (settings, the OAuth2 token, POST
 * /api/2/saml_assertion) and onelogin_mfa.c (device choice and
 * /api/2/saml_assertion/verify_factor).  Nothing here is seen outside
 * idp-adapters/onelogin/.
 */
#ifndef S2S_ONELOGIN_INT_H
#define S2S_ONELOGIN_INT_H

#include <stdbool.h>

#include <saml2sts/adapter.h>
#include <saml2sts/buf.h>
#include <saml2sts/error.h>

struct json_object;

struct onelogin_state {
	struct s2s_adapter_ctx *ctx;
	char *origin; /* scheme://host[:port] of url: the API host */
	const char *app_id, *subdomain, *mfa;
	long push_timeout_s, poll_ms;
	struct s2s_buf bearer;      /* secret: "Authorization: bearer:<t>" */
	struct s2s_buf state_token; /* secret: the MFA transaction */
};

/* ---- onelogin.c ------------------------------------------------------ */

/* POST body (JSON, secret) to origin + path with the bearer token; *out
 * gets the parsed object (released by the caller with
 * s2s_json_put_wiped) and *status the HTTP status.  An answer that is
 * not JSON is S2S_EIDP. */
s2s_err s2s_onelogin__post(struct onelogin_state *st, const char *path,
                           const struct s2s_buf *body, struct json_object **out,
                           long *status);

/* The API's message: "message", else "status.message"; NULL when none.
 * Borrowed from o. */
const char *s2s_onelogin__message(struct json_object *o);

/* True when s (may be NULL) contains word, in any case. */
bool s2s_onelogin__has(const char *s, const char *word);

/* A 200 "Success" answer with data (the base64 SAMLResponse): copy it
 * into saml_b64 (secret) and set *done; otherwise leave both. */
s2s_err s2s_onelogin__take_saml(struct onelogin_state *st,
                                struct json_object *o, long status,
                                struct s2s_buf *saml_b64, bool *done);

/* ---- onelogin_mfa.c -------------------------------------------------- */

/* True when name is a value onelogin.mfa accepts ("auto" or a factor). */
bool s2s_onelogin__mfa_setting_ok(const char *name);

/* MFA of a saml_assertion answer o carrying state_token and devices:
 * pick a device, verify it (Protect push, TOTP, YubiKey, SMS) and put
 * the SAMLResponse into saml_b64. */
s2s_err s2s_onelogin__mfa(struct onelogin_state *st, struct json_object *o,
                          struct s2s_buf *saml_b64);

#endif
