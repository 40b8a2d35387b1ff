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

/* The xmlsec1 verifier (saml_verify_xmlsec.c), plugged in by
 * s2s__saml_use_xmlsec(): only saml2sts_core has it (the differential
 * tests, the fuzz target, bench/verify_bench.c); the product's network
 * module links no xmlsec1, and S2S__SIG_XMLSEC without it is
 * S2S_EUNSUPPORTED.  verify() answers S2S__XMLSEC_*. */
enum {
	S2S__XMLSEC_ERROR = -1, /* could not check */
	S2S__XMLSEC_BAD = 0,    /* not a valid signature with this key */
	S2S__XMLSEC_OK = 1,     /* valid, and it signs exactly el */
	S2S__XMLSEC_BADREF = 2, /* valid, but it signs something else */
};
struct _xmlNode;
struct s2s__xmlsec_ops {
	s2s_err (*load_key)(void **out, const char *pem, size_t len,
	                    struct s2s_error *err);
	void (*free_key)(void *key);
	int (*verify)(void *key, struct _xmlNode *sig, struct _xmlNode *el,
	              const unsigned char *id);
};
extern const struct s2s__xmlsec_ops *s2s__xmlsec;
void s2s__saml_use_xmlsec(void);

/* s2s_saml_verify (b64) or s2s_saml_verify_xml with the given engine. */
s2s_err s2s__saml_verify_engine(struct s2s_saml **out, const char *data,
                                size_t len, bool b64,
                                const struct s2s_saml_trust *trust,
                                enum s2s__sig_engine engine,
                                struct s2s_error *err);

#endif
