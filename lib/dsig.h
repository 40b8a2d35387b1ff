/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: the one XML-Signature shape verify mode accepts,
 * checked without xmlsec1.  An enveloped signature over one element
 * (Reference URI="#id"), transforms enveloped-signature then at most
 * one c14n, SHA-256/384/512 digests, RSA or ECDSA SHA-2 signatures;
 * the structure rules are xmlsec1 1.2's, so that both verifiers take
 * and refuse the same signatures (tests/unit/saml/differential.c).
 * Keys come from the caller (pinned, borrowed).  It does not place or
 * find signatures in a SAML document, and it never reads KeyInfo.
 */
#ifndef S2S_DSIG_H
#define S2S_DSIG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "c14n.h"

#define S2S__DSIG_MDS 3 /* SHA-256, SHA-384, SHA-512 */

/* A public key to verify with.  pkey is borrowed; the verify contexts,
 * made once per digest (EVP_DigestVerifyInit fetches the algorithm
 * every time, a few microseconds), are copied under lock for each
 * verification and freed by s2s__dsig_key_release. */
struct s2s__dsig_key {
	EVP_PKEY *pkey;
	int type;    /* EVP_PKEY_RSA, EVP_PKEY_EC, ... (base id) */
	int ec_half; /* EC: bytes of the group order, else 0 */
	EVP_MD_CTX *verify[S2S__DSIG_MDS]; /* NULL: initialise per use */
	pthread_mutex_t lock;
};

struct s2s__dsig_alg; /* an allowed algorithm URI (dsig.c) */

/* A ds:Signature read for verification.  Node pointers are borrowed
 * from the document; prefix lists and uri are owned. */
struct s2s__dsig {
	xmlNodePtr sig, signed_info, signature_value, digest_value;
	const struct s2s__dsig_alg *c14n;        /* CanonicalizationMethod */
	const struct s2s__dsig_alg *method;      /* SignatureMethod */
	const struct s2s__dsig_alg *ref_c14n;    /* after enveloped-signature */
	const struct s2s__dsig_alg *digest;      /* DigestMethod */
	xmlChar **c14n_prefixes, **ref_prefixes; /* InclusiveNamespaces */
	xmlChar *uri; /* Reference@URI as xmlsec1 reads it (xmlGetProp) */
	/* the Reference digest, when s2s__dsig_digest2 made it for pre_el */
	unsigned char pre[EVP_MAX_MD_SIZE];
	unsigned pre_len;
	xmlNodePtr pre_el;
};

enum s2s__dsig_result {
	S2S__DSIG_ERROR = -1, /* out of memory, or OpenSSL failed */
	S2S__DSIG_BAD = 0,    /* not this shape, or not valid */
	S2S__DSIG_OK = 1,
};

/* Read sig (a ds:Signature element): S2S__DSIG_OK when it has the
 * accepted shape (then release d), S2S__DSIG_BAD for anything else
 * (a structure xmlsec1 refuses, an algorithm or transform chain that
 * is not allowed), S2S__DSIG_ERROR on ENOMEM. */
enum s2s__dsig_result s2s__dsig_read(struct s2s__dsig *d, xmlNodePtr sig);

/* The Reference digests of two signatures read with s2s__dsig_read,
 * inner's element inside outer's node set (the Assertion and its
 * Response), made in one canonicalization walk and kept in the two
 * structures for s2s__dsig_verify.  False, with nothing kept, when the
 * direct c14n declines or fails: each is then digested on its own. */
bool s2s__dsig_digest2(struct s2s__dsig *outer, xmlNodePtr outer_el,
                       struct s2s__dsig *inner, xmlNodePtr inner_el,
                       struct s2s__c14n_doc *doc);

/* Free what d owns and clear it. */
void s2s__dsig_release(struct s2s__dsig *d);

/* Does d, read from a signature directly inside el, verify with one of
 * keys[0..nkeys)?  The digest is of el's subtree without d->sig and
 * without comments; d->uri must be "#" + id (el's registered ID).
 * doc caches the document check of c14n.h (may be NULL).  When direct
 * is false, every canonicalization goes through libxml2's c14n. */
enum s2s__dsig_result s2s__dsig_verify(const struct s2s__dsig *d, xmlNodePtr el,
                                       const xmlChar *id,
                                       const struct s2s__dsig_key *keys,
                                       size_t nkeys, struct s2s__c14n_doc *doc,
                                       bool direct);

/* key filled from pkey (borrowed): type, ec_half, verify contexts;
 * false when pkey cannot be used (then nothing to release). */
bool s2s__dsig_key_init(struct s2s__dsig_key *key, EVP_PKEY *pkey);

/* Free the verify contexts (not pkey). */
void s2s__dsig_key_release(struct s2s__dsig_key *key);

#endif
