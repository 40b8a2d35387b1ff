/* SPDX-License-Identifier: MIT */
/*
 * The SAML 2.0 ECP profile (Enhanced Client or Proxy, SAML Profiles
 * 4.2) from the client's side, without an SP in the loop: build the
 * SOAP envelope with an AuthnRequest for the PAOS binding, and take the
 * samlp:Response out of the IdP's SOAP answer.  No HTTP here; the
 * Response is passed on untouched (its signature is checked later).
 */
#ifndef S2S_ECP_H
#define S2S_ECP_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

/* The PAOS headers an ECP client sends ("Name: value"). */
#define S2S_ECP_ACCEPT "Accept: text/html; application/vnd.paos+xml"
#define S2S_ECP_PAOS                              \
	"PAOS: ver=\"urn:liberty:paos:2003-08\";" \
	"\"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp\""

/* A SOAP 1.1 envelope holding an AuthnRequest whose Issuer is
 * sp_entity, AssertionConsumerServiceURL acs_url and ProtocolBinding
 * PAOS, with a random ID and the current IssueInstant, into out. */
s2s_err s2s_ecp_request(struct s2s_buf *out, const char *sp_entity,
                        const char *acs_url, struct s2s_error *err);

/* Parse the IdP's SOAP answer (no DTD, no entities, no network): a
 * SOAP Fault or a non-Success top-level StatusCode is S2S_EAUTH for
 * AuthnFailed/UnknownPrincipal/RequestDenied, S2S_EMFA for
 * NoAuthnContext (a factor ECP cannot give), else S2S_EIDP; an
 * ecp:Response header naming another ACS than acs_url is S2S_EIDP.  On
 * success the samlp:Response element, serialised as its own document
 * with the namespaces it uses, goes base64-encoded into saml_b64
 * (secret). */
s2s_err s2s_ecp_response(struct s2s_buf *saml_b64, const char *soap, size_t len,
                         const char *acs_url, struct s2s_error *err);

#endif
