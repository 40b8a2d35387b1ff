/* SPDX-License-Identifier: MIT */
/*
 * SAMLResponse decoding and parsing: strict base64 (base64.h), then XML
 * parsed with no DTD, no entity substitution and no network (a DOCTYPE
 * is rejected), then the Alibaba role attributes (role.h) and the
 * conditions are read from the one Assertion.  Signature verification
 * lives in saml_verify.c.  This module never sends the assertion
 * anywhere and does not parse ARNs, base64 or times itself.
 */
#ifndef S2S_SAML_H
#define S2S_SAML_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "role.h" /* struct s2s_role */

#define S2S_SAML_ATTR_ROLE "https://www.aliyun.com/SAML-Role/Attributes/Role"
#define S2S_SAML_ATTR_SESSION_NAME \
	"https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName"
#define S2S_SAML_ATTR_SESSION_DURATION \
	"https://www.aliyun.com/SAML-Role/Attributes/SessionDuration"

/* Documented STS limit on the SAMLAssertion parameter. */
#define S2S_SAML_MAX_B64 100000

struct s2s_saml {
	struct s2s_role *roles; /* in assertion order, duplicates removed */
	size_t nroles;
	char *session_name;    /* RoleSessionName, or NULL */
	long session_duration; /* SessionDuration seconds, or -1 */
	char *issuer;          /* Assertion Issuer, or NULL */
	char *destination;     /* Response@Destination, or NULL (a hint) */
	char *recipient;       /* SubjectConfirmationData@Recipient or NULL */
	char **audiences;      /* Conditions/AudienceRestriction/Audience */
	size_t naudiences;
	char *status;           /* top-level StatusCode@Value, or NULL */
	char *name_id;          /* Subject/NameID, or NULL */
	time_t not_before;      /* Conditions@NotBefore, or 0 */
	time_t not_on_or_after; /* Conditions@NotOnOrAfter, or 0 */
	time_t subject_not_on_or_after; /* SubjectConfirmationData, or 0 */
	time_t session_not_on_or_after; /* AuthnStatement, or 0 */
	bool encrypted; /* an EncryptedAssertion, nothing readable */
};

/* Decode and parse a base64 SAMLResponse.  S2S_ESAML with a reason on
 * anything malformed; the caller owns *out (s2s_saml_free). */
s2s_err s2s_saml_parse(struct s2s_saml **out, const char *b64, size_t len,
                       struct s2s_error *err);

/* Parse the XML of a Response (already decoded). */
s2s_err s2s_saml_parse_xml(struct s2s_saml **out, const char *xml, size_t len,
                           struct s2s_error *err);

/* NULL is a no-op. */
void s2s_saml_free(struct s2s_saml *saml);

/* Verify mode: the pinned IdP key(s) and what the assertion must say. */
struct s2s_saml_trust {
	const char *certs_pem; /* one or more PEM certificates: the only
	                        * keys tried (KeyInfo is ignored) */
	const char *audience;  /* required Audience (site), or NULL */
	const char *recipient; /* required Recipient (site ACS), or NULL */
	const char *issuer;    /* required Issuer (metadata), or NULL */
	long clock_skew;       /* seconds allowed on every time check */
	time_t now;            /* 0: time(NULL) */
};

#define S2S_SAML_DEFAULT_SKEW 180

/* Decode, verify the signature of the Response or of its Assertion with
 * trust->certs_pem only, and parse from the node that signature covers
 * (same tree, no re-parse); then check Status, audience, recipient and
 * times.  S2S_ESIG / S2S_EEXPIRED / S2S_ESAML with a one-line reason.
 * The keys of a PEM text are parsed on first use and kept for the
 * process (a few texts), so later calls with the same text reuse them. */
s2s_err s2s_saml_verify(struct s2s_saml **out, const char *b64, size_t len,
                        const struct s2s_saml_trust *trust,
                        struct s2s_error *err);

/* The same on decoded XML. */
s2s_err s2s_saml_verify_xml(struct s2s_saml **out, const char *xml, size_t len,
                            const struct s2s_saml_trust *trust,
                            struct s2s_error *err);

/* The signing certificates of an IdP's SAML metadata (IDPSSODescriptor
 * KeyDescriptor use="signing" or no use), as PEM appended to out; also
 * the entityID into *entity_id when not NULL (free it). */
s2s_err s2s_saml_metadata_certs(struct s2s_buf *out, char **entity_id,
                                const char *xml, size_t len,
                                struct s2s_error *err);

/* SHA-256 fingerprint "AB:CD:..." of the first PEM certificate in pem
 * into buf (at least 96 bytes). */
s2s_err s2s_saml_cert_fingerprint(char *buf, size_t size, const char *pem,
                                  struct s2s_error *err);

#endif
