/* SPDX-License-Identifier: MIT */
/*
 * Private to the okta adapter: the login state and the helpers shared by
 * okta.c (settings, device token, the Classic Engine Authn API calls and
 * the session-token redirect), okta_factor.c (the Authn API's MFA
 * factors) and okta_idx.c (Identity Engine: the IDX API behind the hosted
 * sign-in page).  Nothing here is seen outside idp-adapters/okta/.
 */
#ifndef S2S_OKTA_INT_H
#define S2S_OKTA_INT_H

#include <stdbool.h>

#include <saml2sts/adapter.h>
#include <saml2sts/buf.h>
#include <saml2sts/error.h>

struct json_object;

struct okta_state {
	struct s2s_adapter_ctx *ctx;
	char *origin; /* scheme://host[:port] of url */
	const char *mfa;
	const char *engine; /* okta.engine: auto, classic or idx */
	long push_timeout_s, poll_ms;
	bool remember;
	struct s2s_buf state_token; /* secret: the Authn transaction */
	char device[33];
};

/* ---- okta.c ---------------------------------------------------------- */

/* a + b + c, malloc'd; NULL when out of memory. */
char *s2s_okta__join(const char *a, const char *b, const char *c);

/* True when href is on the org of url (st->origin, then '/'): the only
 * place a state token, password or code from the server's links go. */
bool s2s_okta__on_origin(const struct okta_state *st, const char *href);

/* POST body (JSON, secret) to an Authn API url; *out gets the parsed
 * object (the caller releases it with s2s_json_put_wiped) and *status the
 * HTTP status.  An answer that is not JSON is S2S_EIDP. */
s2s_err s2s_okta__authn_post(struct okta_state *st, const char *url,
                             const struct s2s_buf *body,
                             struct json_object **out, long *status);

/* An Authn API error object (errorCode/errorSummary) as an error, with
 * 'when' naming the step; always returns a non-zero code. */
s2s_err s2s_okta__authn_error(struct okta_state *st, struct json_object *o,
                              long status, const char *when);

/* Initialise b (secret) as {"stateToken":..[,"passCode":passcode]}. */
s2s_err s2s_okta__authn_state_body(struct okta_state *st, struct s2s_buf *b,
                                   const char *passcode);

/* Keep o's stateToken (if it has one) in st->state_token. */
s2s_err s2s_okta__authn_keep_state(struct okta_state *st,
                                   struct json_object *o);

/* GET url following redirects and take the SAMLResponse form of the
 * page it ends on (either Alibaba ACS); S2S_EIDP when there is none. */
s2s_err s2s_okta__saml_page(struct okta_state *st, const char *url,
                            struct s2s_buf *saml_b64);

/* ---- okta_factor.c --------------------------------------------------- */

/* True when name is a value okta.mfa accepts ("auto" or a factor). */
bool s2s_okta__mfa_setting_ok(const char *name);

/* Tell the user text (shown even with --quiet). */
void s2s_okta__notify(struct okta_state *st, const char *text);

/* MFA of an Authn transaction o (MFA_REQUIRED): pick a factor, verify it
 * (push, TOTP, SMS or email); *result gets the last answer (released by
 * the caller with s2s_json_put_wiped) and *status its HTTP status. */
s2s_err s2s_okta__authn_mfa(struct okta_state *st, struct json_object *o,
                            struct json_object **result, long *status);

/* ---- okta_idx.c ------------------------------------------------------ */

/* Settle okta.engine: classic or idx as set, else ask the org's
 * /.well-known/okta-organization (pipeline "idx" or "v1"); an answer
 * that cannot be read means classic.  *idx tells which. */
s2s_err s2s_okta__engine(struct okta_state *st, bool *idx);

/* Log in through Identity Engine's IDX API, from the app's embed link
 * (the hosted sign-in page) to the SAMLResponse form. */
s2s_err s2s_okta__idx_login(struct okta_state *st, struct s2s_buf *saml_b64);

/* okta_idx.c: the stateToken of a sign-in URL's query (percent-decoded),
 * or of a sign-in page's script ("stateToken": '...' with JS escapes
 * undone), into out (secret); false when there is none or it holds a
 * character a token cannot have.  page is NUL-terminated. */
bool s2s_okta__query_token(const char *url, struct s2s_buf *out);
bool s2s_okta__page_token(const char *page, struct s2s_buf *out);

#endif
