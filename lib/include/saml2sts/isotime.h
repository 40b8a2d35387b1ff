/* SPDX-License-Identifier: MIT */
/*
 * UTC timestamps as ISO 8601 / xs:dateTime text ("2026-01-02T03:04:05Z"):
 * the strict parser used for SAML conditions, STS expirations and the
 * credential store, and the one formatter.  No local time zones.
 */
#ifndef S2S_ISOTIME_H
#define S2S_ISOTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Parse xs:dateTime in UTC ("2026-01-02T03:04:05Z", optional fractional
 * seconds, "Z" or "+00:00").  Returns false when not valid. */
bool s2s_time_parse(time_t *out, const char *s);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes); buf
 * is "" when t cannot be formatted. */
void s2s_time_format_utc(char *buf, size_t size, time_t t);

/* Format t as local "YYYY-MM-DD HH:MM TZ" (for people) into buf; "?"
 * when it cannot be formatted. */
void s2s_time_format_local(char *buf, size_t size, time_t t);

#endif
