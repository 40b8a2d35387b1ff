/* SPDX-License-Identifier: MIT */
/*
 * Console federation: turn STS credentials into a single-use sign-in URL
 * of the Alibaba Cloud console (GetSigninToken with TicketType=mini, then
 * Action=Login).  The token is valid for 30 s; make the URL right before
 * it is opened.  The credentials travel in a POST body, never a URL.
 */
#ifndef S2S_CONSOLE_H
#define S2S_CONSOLE_H

#include "creds.h"
#include "error.h"
#include "http.h"

/* The console sign-in URL for creds.  federation is the endpoint base
 * ("https://signin.aliyun.com"; "/federation" is appended); login_url is
 * where an expired console session sends the user; destination the
 * console page to open.  *out (caller frees with s2s_secret_free) holds
 * the single-use SigninToken.  S2S_ESTS with the Code on refusal. */
s2s_err s2s_console_url(char **out, struct s2s_http *http,
                        const char *federation, const struct s2s_creds *creds,
                        const char *login_url, const char *destination,
                        struct s2s_error *err);

#endif
