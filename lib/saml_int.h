/* SPDX-License-Identifier: MIT */
/*
 * Between saml.c (parser) and saml_verify.c (signature): the parser calls
 * a check on its own tree after the structure checks and before any value
 * is read, so that verification and extraction use one parser and one
 * tree.  Other SAML documents (IdP metadata) use xmlparse.h directly.
 */
#ifndef S2S_SAML_INT_H
#define S2S_SAML_INT_H

#include <libxml/tree.h>

#include "saml2sts/saml.h"

/* root is the Response, assertion its one Assertion (NULL when the
 * Response holds an EncryptedAssertion). */
typedef s2s_err (*s2s__saml_check_fn)(void *ctx, xmlDocPtr doc, xmlNodePtr root,
                                      xmlNodePtr assertion,
                                      struct s2s_error *err);

s2s_err s2s__saml_parse_xml_checked(struct s2s_saml **out, const char *xml,
                                    size_t len, s2s__saml_check_fn check,
                                    void *ctx, struct s2s_error *err);

s2s_err s2s__saml_parse_checked(struct s2s_saml **out, const char *b64,
                                size_t len, s2s__saml_check_fn check, void *ctx,
                                struct s2s_error *err);

/* Which verifier checks signatures in verify mode: dsig.c with the
 * direct exclusive c14n (what s2s_saml_verify uses), dsig.c with
 * libxml2's c14n only, or xmlsec1.  All three run after the same
 * structure and shape checks; the differential tests and fuzz target
 * compare them. */
enum s2s__sig_engine {
	S2S__SIG_DIRECT,
	S2S__SIG_DIRECT_LIBXML2,
	S2S__SIG_XMLSEC,
};

/* s2s_saml_verify (b64) or s2s_saml_verify_xml with the given engine. */
s2s_err s2s__saml_verify_engine(struct s2s_saml **out, const char *data,
                                size_t len, bool b64,
                                const struct s2s_saml_trust *trust,
                                enum s2s__sig_engine engine,
                                struct s2s_error *err);

#endif
