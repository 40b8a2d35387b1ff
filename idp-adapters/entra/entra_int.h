/* SPDX-License-Identifier: MIT */
/*
 * Private to the entra adapter: the login state and the helpers shared by
 * entra.c (settings, the $Config page machine, sign-in, KMSI, interrupts)
 * and entra_mfa.c (ConvergedTFA: BeginAuth, EndAuth, ProcessAuth).
 */
#ifndef S2S_ENTRA_INT_H
#define S2S_ENTRA_INT_H

#include <stdbool.h>

#include <saml2sts/adapter.h>
#include <saml2sts/buf.h>
#include <saml2sts/error.h>
#include <saml2sts/http.h>

#include "../adfs/adfs_int.h"

struct json_object;

enum entra_mfa { MFA_AUTO, MFA_PUSH, MFA_TOTP, MFA_SMS, MFA_VOICE };

struct entra_state {
	struct s2s_adapter_ctx *ctx;
	struct adfs_state adfs; /* the federated (AD FS) leg */
	enum entra_mfa mfa;
	long push_timeout_s;
	long poll_ms; /* the least gap between EndAuth polls */
	bool kmsi;
	const char *user_agent;
	bool sent_password;
	bool did_mfa;
	int kmsi_seen, proofup_seen, samlrequest_seen, federated_seen;
	char *api_canary; /* secret: the newest apiCanary */
};

/* ---- entra.c ---------------------------------------------------------- */

/* The $Config object of an ESTS page (len bytes at page), or NULL: json-c's
 * tokener started at the first '{' after "$Config=" stops at the end of
 * the object, whatever follows it (more script, a line break, ';' inside
 * strings).  Release it with s2s_json_put_wiped. */
struct json_object *s2s_entra__config(const char *page, size_t len);

/* Resolve ref against base into *out (caller frees); S2S_EIDP naming
 * what when ref is missing or the result is not an allowed URL. */
s2s_err s2s_entra__resolve(struct entra_state *st, const char *base,
                           const char *ref, const char *what, char **out);

/* POST a JSON body (secret) to an ESTS API url with the page's headers
 * (canary = the newest apiCanary, client-request-id, hpgrequestid,
 * hpgact, hpgid, Referer, User-Agent); *out gets the parsed object
 * (released with s2s_json_put_wiped).  An answer that is not JSON is
 * S2S_EIDP naming what. */
s2s_err s2s_entra__api_post(struct entra_state *st, struct json_object *cfg,
                            const char *page_url, const char *url,
                            const struct s2s_buf *body, const char *what,
                            struct json_object **out);

/* POST a form body (secret) to url as the browser would (Referer,
 * User-Agent), following redirects; the answer replaces *resp. */
s2s_err s2s_entra__post_form(struct entra_state *st, const char *url,
                             const char *referer, const struct s2s_buf *body,
                             struct s2s_http_response *resp);

/* ---- entra_mfa.c ------------------------------------------------------ */

/* True when v is a value entra.mfa accepts; *out gets it. */
bool s2s_entra__mfa_setting(const char *v, enum entra_mfa *out);

/* A ConvergedTFA page (cfg) from page_url: choose a proof, BeginAuth,
 * show the number / ask the code, EndAuth (polled), ProcessAuth; the
 * answer to ProcessAuth replaces *resp. */
s2s_err s2s_entra__mfa(struct entra_state *st, struct json_object *cfg,
                       const char *page_url, struct s2s_http_response *resp);

#endif
