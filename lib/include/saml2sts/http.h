/* SPDX-License-Identifier: MIT */
/*
 * An HTTP session over one libcurl easy handle: in-memory cookie jar,
 * manual redirect following with a limit and a scheme check on every hop
 * (plain http only to loopback), connect/total timeouts, retry with
 * backoff for idempotent requests, proxy from the usual environment
 * variables (libcurl reads them), a CA bundle override, a cancel flag
 * and the saml2sts/<version> user agent.  Bodies are kept in secret buffers.
 * It does not parse HTML or JSON.
 */
#ifndef S2S_HTTP_H
#define S2S_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "url.h" /* the URL policy every hop is checked with */

struct s2s_http;

/* Called with one line of redacted trace text (no newline). */
typedef void (*s2s_trace_cb)(const char *line, void *payload);

struct s2s_http_opts {
	long connect_timeout_ms; /* 0 = 10000 */
	long timeout_ms;         /* whole request; 0 = 60000 */
	int retries;             /* extra tries for idempotent requests */
	long retry_base_ms;      /* first backoff; doubles; 0 = 250 */
	int max_redirects;       /* 0 = 10 */
	size_t max_body;         /* 0 = 8 MiB */
	const char *ca_bundle;   /* PEM file, or NULL for the system store */
	const char *ca_dir;      /* hashed CA directory (OpenSSL's c_rehash
	                          * layout), or NULL for the system's */
	s2s_trace_cb trace;      /* NULL = no trace */
	void *trace_payload;
	/* Set non-zero (by a signal handler or another thread) to abort
	 * the transfer in progress and every later one with S2S_ECANCELLED
	 * "cancelled", within about a second; NULL = not cancellable.
	 * Borrowed: it must outlive the session. */
	const volatile sig_atomic_t *cancel;
};

enum s2s_http_flags {
	S2S_HTTP_FOLLOW = 1u << 0,     /* follow 3xx redirects */
	S2S_HTTP_IDEMPOTENT = 1u << 1, /* may be retried */
};

struct s2s_http_request {
	const char *method; /* "GET" or "POST" */
	const char *url;    /* absolute */
	const char *body;   /* POST body or NULL */
	size_t body_len;
	const char *content_type;   /* for the body */
	const char *const *headers; /* NULL-terminated "Name: value", or NULL */
	unsigned int flags;         /* enum s2s_http_flags */
	/* HTTP authentication (enum s2s_http_auth bits, 0 = none).  The
	 * credentials go only to the scheme, host and port of url, never
	 * to a redirect target elsewhere.  username may be "" for
	 * Negotiate with a Kerberos ticket; password is a secret: never
	 * traced, never in a message. */
	unsigned long httpauth;
	const char *username;
	const char *password;
};

enum s2s_http_auth {
	S2S_HTTP_AUTH_BASIC = 1u << 0,
	S2S_HTTP_AUTH_NEGOTIATE = 1u << 1, /* SPNEGO: Kerberos (GSS-API) */
	S2S_HTTP_AUTH_NTLM = 1u << 2,
};

struct s2s_http_response {
	long status;
	char *url;           /* final URL after redirects; caller owns */
	char *content_type;  /* or NULL; caller owns */
	char *location;      /* Location of an unfollowed 3xx, or NULL */
	struct s2s_buf body; /* secret */
	time_t date;         /* the last answer's Date header, or 0 */
};

#define S2S_HTTP_RESPONSE_INIT                              \
	{                                                   \
		0, NULL, NULL, NULL, S2S_BUF_SECRET_INIT, 0 \
	}

/* The user agent string, "saml2sts/<version>". */
const char *s2s_http_user_agent(void);

/* Where the session's TLS trust comes from, for `doctor`: "CA bundle
 * PATH", "CA directory PATH", both joined by " and ", or "libcurl's
 * built-in CA store" when neither is known.  Never fails; out is always
 * terminated. */
void s2s_http_trust(const struct s2s_http *http, char *out, size_t size);

/* Create a session.  opts may be NULL for defaults; it is copied
 * (ca_bundle and ca_dir too). */
s2s_err s2s_http_new(struct s2s_http **out, const struct s2s_http_opts *opts,
                     struct s2s_error *err);

/* Free the session; the cookie jar is wiped with it. */
void s2s_http_free(struct s2s_http *http);

/* Perform req.  Any HTTP status is S2S_OK (check resp->status);
 * transport failures are S2S_ENET or S2S_ETLS, a set opts.cancel flag
 * S2S_ECANCELLED.  resp must be
 * initialised with S2S_HTTP_RESPONSE_INIT and is filled on success. */
s2s_err s2s_http_do(struct s2s_http *http, const struct s2s_http_request *req,
                    struct s2s_http_response *resp, struct s2s_error *err);

/* GET url, following redirects, retried when idempotent. */
s2s_err s2s_http_get(struct s2s_http *http, const char *url,
                     struct s2s_http_response *resp, struct s2s_error *err);

/* POST an application/x-www-form-urlencoded body, following redirects. */
s2s_err s2s_http_post_form(struct s2s_http *http, const char *url,
                           const char *body, size_t len,
                           struct s2s_http_response *resp,
                           struct s2s_error *err);

/* Release what a response holds (wipes the body); resp is re-initialised. */
void s2s_http_response_release(struct s2s_http_response *resp);

/* Export / import the cookies of the session as Netscape cookie lines,
 * for keeping an IdP session; secret. */
s2s_err s2s_http_cookies_export(struct s2s_http *http, struct s2s_buf *out,
                                struct s2s_error *err);

/* The options the session was made with, defaults filled in; borrowed
 * for the session's lifetime. */
const struct s2s_http_opts *s2s_http_options(const struct s2s_http *http);

/* Load cookies (Netscape cookie lines, as exported) into the jar; the
 * lines are secrets and copies are wiped. */
s2s_err s2s_http_cookies_import(struct s2s_http *http, const char *lines,
                                size_t len, struct s2s_error *err);

#endif
