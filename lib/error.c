/* SPDX-License-Identifier: MIT */
/*
 * The error sink: first message wins, one line, and the code strings.
 * Nothing here prints.
 */
#include "common.h"

s2s_err s2s_error_set(struct s2s_error *err, s2s_err code, const char *fmt, ...)
{
	va_list ap;
	char *nl;

	if (!err || err->code != S2S_OK)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line, always: a newline in a message is a bug, but an
	 * IdP-supplied title or STS message may carry one. */
	for (nl = strpbrk(err->msg, "\r\n"); nl; nl = strpbrk(nl, "\r\n"))
		*nl = ' ';
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
