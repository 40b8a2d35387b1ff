/* SPDX-License-Identifier: MIT */
/*
 * URL helpers over libcurl's URL API: RFC 3986 reference resolution, the
 * host of a URL, the "https, or plain http to loopback" policy and
 * application/x-www-form-urlencoded encoding into a (secret) buffer.
 * No network access and no HTTP session (that is http.h).
 */
#ifndef S2S_URL_H
#define S2S_URL_H

#include <stdbool.h>

#include "buf.h"
#include "error.h"

/* Resolve ref against base (RFC 3986); caller frees. */
s2s_err s2s_url_resolve(char **out, const char *base, const char *ref,
                        struct s2s_error *err);

/* The host part of url; caller frees. */
s2s_err s2s_url_host(char **out, const char *url, struct s2s_error *err);

/* True if url is https, or http to a loopback host (127.0.0.0/8, ::1,
 * localhost). */
bool s2s_url_allowed(const char *url);

/* Append name=value, percent-encoded, '&'-separated, to a form body. */
s2s_err s2s_form_append(struct s2s_buf *body, const char *name,
                        const char *value, struct s2s_error *err);

#endif
