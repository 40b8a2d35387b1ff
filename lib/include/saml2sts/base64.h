/* SPDX-License-Identifier: MIT */
/*
 * Base64, RFC 4648 standard alphabet: a strict decoder and an encoder,
 * appending to a struct s2s_buf.  Its main input is the SAMLResponse, so
 * decoding errors are S2S_ESAML worded for it.  No base64url, no line
 * wrapping.
 */
#ifndef S2S_BASE64_H
#define S2S_BASE64_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Strict base64 decode (standard alphabet, padding required, ASCII
 * whitespace skipped) appended to out (make it secret); S2S_ESAML when
 * invalid or beyond out->max, and out is then left as it was. */
s2s_err s2s_base64_decode(struct s2s_buf *out, const char *b64, size_t len,
                          struct s2s_error *err);

/* Base64-encode len bytes, appended to out (NUL-terminated). */
s2s_err s2s_base64_encode(struct s2s_buf *out, const void *data, size_t len,
                          struct s2s_error *err);

#endif
