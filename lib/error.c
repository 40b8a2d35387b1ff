/* SPDX-License-Identifier: MIT */
/*
 * The error sink: first message wins, one line, and the code strings.
 * Nothing here prints.
 */
#include "common.h"

/* Length of the valid UTF-8 sequence at p that is not a C1 control
 * (U+0080..U+009F), or 0. */
static size_t utf8_ok(const unsigned char *p)
{
	size_t n;
	unsigned int cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 2 && cp < 0xa0) || (n == 3 && cp < 0x800) ||
	    (n == 3 && cp >= 0xd800 && cp <= 0xdfff) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void s2s_printable(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (p && *p) {
		if (*p == '\r' || *p == '\n' || *p == '\t') {
			*p++ = ' ';
		} else if (*p < 0x20 || *p == 0x7f) {
			*p++ = '?';
		} else if (*p < 0x80) {
			p++;
		} else if ((n = utf8_ok(p)) != 0) {
			p += n;
		} else {
			*p++ = '?';
		}
	}
}

s2s_err s2s_error_set(struct s2s_error *err, s2s_err code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code != S2S_OK)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One printable line, always: an IdP page title, an STS message
	 * or a config key may carry newlines or terminal escapes. */
	s2s_printable(err->msg);
	return code;
}

void s2s_error_clear(struct s2s_error *err)
{
	if (!err)
		return;
	err->code = S2S_OK;
	err->msg[0] = '\0';
}

const char *s2s_strerror(s2s_err code)
{
	switch (code) {
	case S2S_OK:
		return "no error";
	case S2S_ERROR:
		return "unexpected error";
	case S2S_ENOMEM:
		return "out of memory";
	case S2S_EINVAL:
		return "invalid argument";
	case S2S_ECONFIG:
		return "invalid configuration";
	case S2S_EAUTH:
		return "the IdP rejected the credentials";
	case S2S_EMFA:
		return "MFA failed or timed out";
	case S2S_EIDP:
		return "IdP page or API not understood";
	case S2S_ESAML:
		return "SAMLResponse not acceptable";
	case S2S_ESIG:
		return "SAML signature did not verify";
	case S2S_EEXPIRED:
		return "SAML assertion expired or not yet valid";
	case S2S_ENET:
		return "network failure";
	case S2S_ETLS:
		return "TLS failure";
	case S2S_ESTS:
		return "STS refused the request";
	case S2S_ESTORE:
		return "credential store unavailable";
	case S2S_ENOROLE:
		return "no usable role";
	case S2S_ENEEDINPUT:
		return "input needed but prompting is not allowed";
	case S2S_ECANCELLED:
		return "cancelled";
	case S2S_ENOTFOUND:
		return "not found";
	case S2S_EUNSUPPORTED:
		return "not supported here";
	}
	return "unknown error code";
}
