/* SPDX-License-Identifier: MIT */
/*
 * Redaction for --debug traces: header lines and form bodies are shown
 * with every secret replaced, so that a trace can be pasted in a bug
 * report.  Safe by default: a form value is shown only for a short list
 * of harmless field names; key ids show their last four characters.
 */
#ifndef S2S_REDACT_H
#define S2S_REDACT_H

#include <stddef.h>

/* One HTTP header line (no CR/LF needed) into dst: Cookie, Set-Cookie,
 * Authorization, Proxy-Authorization and token-like headers keep only
 * their name (and cookie names); a request line or Location loses its
 * query string and a sign-in handle in its path (s2s__redact_url). */
void s2s__redact_header(char *dst, size_t size, const char *line, size_t len);

/* A URL into dst for a trace or a message: no query or fragment ("?…"
 * instead), and the live sign-in handle in a path (PingOne's and
 * PingFederate's /flows/<id>, JumpCloud's /push/<id>) "<redacted>". */
void s2s__redact_url(char *dst, size_t size, const char *url);

/* An application/x-www-form-urlencoded body into dst: field names kept,
 * values redacted unless the name is on the harmless list. */
void s2s__redact_form(char *dst, size_t size, const char *body, size_t len);

/* "****ABCD": the last four characters of an identifier. */
void s2s__redact_id(char *dst, size_t size, const char *id, size_t len);

#endif
