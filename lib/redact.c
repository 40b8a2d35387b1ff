/* SPDX-License-Identifier: MIT */
/*
 * Redaction for --debug traces (redact.h).  Whatever is not known to be
 * harmless is replaced by "<redacted>" or, for key ids, "****ABCD".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "redact.h"

/* Form fields whose values are shown as they are. */
static const char *const harmless[] = {
	"username",
	"user",
	"login",
	"email",
	"identifier",
	"loginfmt",
	"UserName",
	"AuthMethod",
	"Kmsi",
	"RelayState",
	"flow",
	"action",
	"submit",
	"Action",
	"Format",
	"Version",
	"SignatureMethod",
	"SignatureVersion",
	"Timestamp",
	"RoleArn",
	"SAMLProviderArn",
	"DurationSeconds",
	"RegionId",
	"remember",
	"type",
};

/* Fields that hold an identifier: the last four characters shown. */
static const char *const id_fields[] = {
	"AccessKeyId",
};

/* Headers whose value is never shown. */
static const char *const secret_headers[] = {
	"Cookie",       "Authorization", "Proxy-Authorization",  "X-Auth-Token",
	"X-Okta-Token", "X-CSRF-Token",  "X-Acs-Security-Token", "X-Api-Key",
	"canary", /* Entra ID's API CSRF token */
};

static bool in_list(const char *name, size_t len, const char *const *list,
                    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len &&
		    strncasecmp(list[i], name, len) == 0)
			return true;
	return false;
}

/* Append s[0..len) to dst of size, keeping it terminated. */
static void put(char *dst, size_t size, size_t *used, const char *s, size_t len)
{
	if (*used + 1 >= size)
		return;
	if (len > size - 1 - *used)
		len = size - 1 - *used;
	memcpy(dst + *used, s, len);
	*used += len;
	dst[*used] = '\0';
}

static void puts_(char *dst, size_t size, size_t *used, const char *s)
{
	put(dst, size, used, s, strlen(s));
}

void s2s__redact_id(char *dst, size_t size, const char *id, size_t len)
{
	size_t used = 0;

	if (!size)
		return;
	dst[0] = '\0';
	puts_(dst, size, &used, "****");
	if (len > 8)
		put(dst, size, &used, id + len - 4, 4);
}

void s2s__redact_form(char *dst, size_t size, const char *body, size_t len)
{
	size_t used = 0, i = 0;

	if (!size)
		return;
	dst[0] = '\0';
	while (i < len) {
		size_t end = i, eq;
		const char *name = body + i;
		size_t name_len;

		while (end < len && body[end] != '&')
			end++;
		eq = i;
		while (eq < end && body[eq] != '=')
			eq++;
		name_len = eq - i;
		if (used)
			puts_(dst, size, &used, "&");
		put(dst, size, &used, name, name_len < 64 ? name_len : 64);
		if (eq < end) {
			const char *v = body + eq + 1;
			size_t vlen = end - eq - 1;

			puts_(dst, size, &used, "=");
			if (in_list(name, name_len, harmless,
			            S2S_ARRAY_SIZE(harmless))) {
				put(dst, size, &used, v,
				    vlen < 200 ? vlen : 200);
			} else if (in_list(name, name_len, id_fields,
			                   S2S_ARRAY_SIZE(id_fields))) {
				char id[16];

				s2s__redact_id(id, sizeof(id), v, vlen);
				puts_(dst, size, &used, id);
			} else if (vlen) {
				char n[48];

				snprintf(n, sizeof(n), "<redacted %zu bytes>",
				         vlen);
				puts_(dst, size, &used, n);
			}
		}
		i = end + 1;
	}
}

/* "Name: a=1; b=2" -> "Name: a=<redacted>; b=<redacted>" (cookie
 * names kept: they tell which session is which). */
static void redact_cookies(char *dst, size_t size, size_t *used, const char *v,
                           size_t len, bool set_cookie)
{
	size_t i = 0;
	bool first = true;

	while (i < len) {
		size_t end = i, eq;

		while (end < len && v[end] != ';')
			end++;
		while (i < end && v[i] == ' ')
			i++;
		eq = i;
		while (eq < end && v[eq] != '=')
			eq++;
		if (!first)
			puts_(dst, size, used, "; ");
		if (set_cookie && !first) {
			/* attributes (Path, Domain, Expires...) are harmless */
			put(dst, size, used, v + i, end - i);
		} else {
			put(dst, size, used, v + i, eq - i);
			if (eq < end)
				puts_(dst, size, used, "=<redacted>");
		}
		first = false;
		i = end + 1;
	}
}

/* Path segments whose next segment is the live handle of a sign-in in
 * progress: PingOne's and PingFederate's /flows/<flowId>, JumpCloud's
 * /push/<id>.  It drives the sign-in (PingOne's flows API asks for no
 * cookie before the password). */
static bool handle_before(const char *seg, size_t n)
{
	return (n == 5 && memcmp(seg, "flows", 5) == 0) ||
	       (n == 4 && memcmp(seg, "push", 4) == 0);
}

/* An id rather than a word of the API (authentik's /flows/executor/,
 * /flows/-/): it holds a digit or a capital. */
static bool id_like(const char *seg, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((seg[i] >= '0' && seg[i] <= '9') ||
		    (seg[i] >= 'A' && seg[i] <= 'Z'))
			return true;
	return false;
}

/* s[0..len) (a URL or a request line without its query) with an id
 * after a handle_before() segment as "<redacted>". */
static void put_path(char *dst, size_t size, size_t *used, const char *s,
                     size_t len)
{
	bool hide = false;

	for (size_t i = 0; i < len;) {
		size_t n = 0;

		while (i + n < len && s[i + n] != '/' && s[i + n] != ' ')
			n++;
		if (hide && id_like(s + i, n))
			puts_(dst, size, used, "<redacted>");
		else
			put(dst, size, used, s + i, n);
		hide = i + n < len && s[i + n] == '/' &&
		       handle_before(s + i, n);
		if (i + n < len)
			put(dst, size, used, s + i + n, 1);
		i += n + 1;
	}
}

/* "GET /path?query HTTP/1.1" or "Location: url?query": the query goes,
 * and so does a sign-in handle in the path (put_path). */
static void without_query(char *dst, size_t size, size_t *used, const char *s,
                          size_t len)
{
	size_t q = 0;

	while (q < len && s[q] != '?' && s[q] != '#')
		q++;
	put_path(dst, size, used, s, q);
	if (q < len) {
		const char *sp = memchr(s + q, ' ', len - q);

		puts_(dst, size, used, "?…");
		if (sp)
			put(dst, size, used, sp, (size_t)(s + len - sp));
	}
}

void s2s__redact_url(char *dst, size_t size, const char *url)
{
	size_t used = 0;

	if (!size)
		return;
	dst[0] = '\0';
	without_query(dst, size, &used, url, strlen(url));
}

/* A header name that sounds like it carries a credential. */
static bool secret_name(const char *name, size_t len)
{
	static const char *const words[] = { "token",  "secret",   "auth",
		                             "key",    "session",  "password",
		                             "cookie", "signature" };

	for (size_t w = 0; w < S2S_ARRAY_SIZE(words); w++) {
		size_t n = strlen(words[w]);

		for (size_t i = 0; i + n <= len; i++)
			if (strncasecmp(name + i, words[w], n) == 0)
				return true;
	}
	return false;
}

void s2s__redact_header(char *dst, size_t size, const char *line, size_t len)
{
	const char *colon;
	size_t used = 0, name_len;

	if (!size)
		return;
	dst[0] = '\0';
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	colon = memchr(line, ':', len);
	if (!colon || memchr(line, ' ', (size_t)(colon - line))) {
		/* a request or status line */
		without_query(dst, size, &used, line, len);
		return;
	}
	name_len = (size_t)(colon - line);
	put(dst, size, &used, line, name_len + 1);
	{
		const char *v = colon + 1;
		size_t vlen = len - name_len - 1;

		while (vlen && *v == ' ') {
			v++;
			vlen--;
		}
		puts_(dst, size, &used, " ");
		if (in_list(line, name_len, secret_headers,
		            S2S_ARRAY_SIZE(secret_headers)) ||
		    (secret_name(line, name_len) &&
		     !(name_len == 10 &&
		       strncasecmp(line, "Set-Cookie", 10) == 0))) {
			if (name_len == 6 &&
			    strncasecmp(line, "Cookie", 6) == 0)
				redact_cookies(dst, size, &used, v, vlen,
				               false);
			else
				puts_(dst, size, &used, "<redacted>");
		} else if (name_len == 10 &&
		           strncasecmp(line, "Set-Cookie", 10) == 0) {
			redact_cookies(dst, size, &used, v, vlen, true);
		} else if ((name_len == 8 &&
		            strncasecmp(line, "Location", 8) == 0) ||
		           (name_len == 7 &&
		            strncasecmp(line, "Referer", 7) == 0)) {
			without_query(dst, size, &used, v, vlen);
		} else {
			put(dst, size, &used, v, vlen);
		}
	}
}
