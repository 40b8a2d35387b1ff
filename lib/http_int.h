/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: what http.c shares with code that drives its own
 * libcurl easy handles (the parallel STS transfers of sts.c, RAM's of
 * alias.c), so that every handle gets the session's TLS, proxy,
 * timeout, trace and body cap settings from one place and runs where
 * the session's transfers run.  No request logic here.
 */
#ifndef S2S_HTTP_INT_H
#define S2S_HTTP_INT_H

#include <stdbool.h>

#include <curl/curl.h>

#include "saml2sts/http.h"

/* The CURLOPT_WRITEDATA of a handle set up by s2s__http_setup_easy. */
struct s2s__http_sink {
	struct s2s_buf *body; /* set body->max to the session's max_body */
	bool too_large;       /* the body passed body->max */
};

/* Set on easy what every transfer of the session shares: http and https
 * only, TLS peer and host verification with the session's CA bundle,
 * connect and total timeouts, the user agent, no signals, no redirects
 * by libcurl, any content encoding, errbuf (CURL_ERROR_SIZE bytes, kept
 * while easy is used) as the error buffer, the body written into the
 * struct s2s__http_sink the caller sets as CURLOPT_WRITEDATA, the
 * redacted --debug header trace, and the session's cancel flag (a set
 * flag ends the transfer with CURLE_ABORTED_BY_CALLBACK, which the
 * caller reports as S2S_ECANCELLED "cancelled").  Proxies come from the
 * environment (libcurl's default).  URL, method, headers and body are
 * the caller's. */
void s2s__http_setup_easy(struct s2s_http *http, CURL *easy, char *errbuf);

/* Run the n transfers easy[i] (each set up by s2s__http_setup_easy;
 * NULL ones are skipped) side by side to completion on the session's
 * multi handle, where its own requests run too, so they share its open
 * connections, TLS sessions and CA cache.  codes[i] is transfer i's
 * CURLcode (CURLE_FAILED_INIT if it never ran). */
void s2s__http_run(struct s2s_http *http, CURL *const *easy, CURLcode *codes,
                   size_t n);

/* One line of --debug trace (redacted by the caller); no-op without a
 * trace callback. */
void s2s__http_trace(struct s2s_http *http, const char *fmt, ...)
        S2S_PRINTF(2, 3);

#endif
