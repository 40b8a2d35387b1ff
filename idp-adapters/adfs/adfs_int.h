/* SPDX-License-Identifier: MIT */
/*
 * Private to idp-adapters/: the AD FS page handling that the entra
 * adapter reuses for its federated users (Entra's FederationRedirectUrl
 * leads to the AD FS forms login, then a wsignin1.0 form back to Entra).
 * The steps take loop->state as a struct adfs_state.
 */
#ifndef S2S_ADFS_INT_H
#define S2S_ADFS_INT_H

#include <stdbool.h>

#include <saml2sts/pageloop.h>
#include <saml2sts/poll.h>

enum adfs_auth { AUTH_FORMS, AUTH_NEGOTIATE, AUTH_NTLM };

struct adfs_state {
	enum adfs_auth auth;
	long mfa_timeout_s;
	long poll_ms;
	bool sent_password;
	bool sent_code;
	bool notified;
	struct s2s_poll poll;    /* the Azure MFA wait */
	const char *timeout_key; /* its setting; NULL: adfs.mfa_timeout */
};

/* The names of a one-time code input on AD FS pages (NULL-terminated). */
extern const char *const s2s_adfs__code_names[];

/* The Azure MFA adapter's page (code or push wait). */
s2s_err s2s_adfs__azure_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp);

/* The forms login page (UserName/Password); a second one fails with
 * S2S_EAUTH. */
s2s_err s2s_adfs__login_step(bool *handled, struct s2s_pageloop *loop,
                             struct s2s_html_page *page,
                             struct s2s_http_response *resp);

/* A verification-code page: ask once, submit; a second one fails. */
s2s_err s2s_adfs__ask_code(struct s2s_pageloop *loop, struct s2s_form *form,
                           struct s2s_form_field *f,
                           struct s2s_http_response *resp);

#endif
