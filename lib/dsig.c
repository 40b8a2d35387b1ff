/* SPDX-License-Identifier: MIT */
/*
 * The direct XML-Signature verifier for verify mode (see dsig.h): read
 * a ds:Signature with the structure rules of xmlsec1 1.2 (xmldsig.c,
 * transforms.c, c14n.c), keep it only in the allowed shape, digest the
 * referenced element with c14n.c into an EVP digest, canonicalize
 * SignedInfo the same way and check SignatureValue with
 * EVP_DigestVerify and a pinned key.  Base64 in DigestValue and
 * SignatureValue is read as xmlsec1 reads it.  Nothing else: no key
 * lookup, no KeyInfo, no manifests, no other documents.
 */
#include <pthread.h>

#include <libxml/tree.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common.h"
#include "c14n.h"
#include "dsig.h"

#define NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define NS_EXC  "http://www.w3.org/2001/10/xml-exc-c14n#"

/* ------------------------------------------------------------------ */
/* Algorithms                                                         */
/* ------------------------------------------------------------------ */

enum alg_use {
	USE_C14N = 1u << 0,      /* CanonicalizationMethod */
	USE_TRANSFORM = 1u << 1, /* Reference Transform */
	USE_DIGEST = 1u << 2,    /* DigestMethod */
	USE_SIGN = 1u << 3,      /* SignatureMethod */
};

enum md_id { MD_NONE = -1, MD_SHA256, MD_SHA384, MD_SHA512, MD_COUNT };

struct s2s__dsig_alg {
	const char *href;
	unsigned use; /* enum alg_use */
	bool enveloped;
	bool exclusive, with_comments; /* c14n */
	enum md_id md;                 /* digest, or the signature's */
	int key_type;                  /* signature: EVP_PKEY_RSA or _EC */
};

#define C14N_USE (USE_C14N | USE_TRANSFORM)

/* What verify mode enables (saml_verify.c enables the same in xmlsec1):
 * no SHA-1, no HMAC, no XPath, XSLT, base64 or C14N 1.1 transforms. */
/* clang-format off */
static const struct s2s__dsig_alg algs[] = {
	{ "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
	  USE_TRANSFORM, true, false, false, MD_NONE, 0 },
	{ "http://www.w3.org/2001/10/xml-exc-c14n#",
	  C14N_USE, false, true, false, MD_NONE, 0 },
	{ "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
	  C14N_USE, false, true, true, MD_NONE, 0 },
	{ "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
	  C14N_USE, false, false, false, MD_NONE, 0 },
	{ "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
	  C14N_USE, false, false, true, MD_NONE, 0 },
	{ "http://www.w3.org/2001/04/xmlenc#sha256",
	  USE_DIGEST, false, false, false, MD_SHA256, 0 },
	{ "http://www.w3.org/2001/04/xmldsig-more#sha384",
	  USE_DIGEST, false, false, false, MD_SHA384, 0 },
	{ "http://www.w3.org/2001/04/xmlenc#sha512",
	  USE_DIGEST, false, false, false, MD_SHA512, 0 },
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
	  USE_SIGN, false, false, false, MD_SHA256, EVP_PKEY_RSA },
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
	  USE_SIGN, false, false, false, MD_SHA384, EVP_PKEY_RSA },
	{ "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
	  USE_SIGN, false, false, false, MD_SHA512, EVP_PKEY_RSA },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
	  USE_SIGN, false, false, false, MD_SHA256, EVP_PKEY_EC },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
	  USE_SIGN, false, false, false, MD_SHA384, EVP_PKEY_EC },
	{ "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
	  USE_SIGN, false, false, false, MD_SHA512, EVP_PKEY_EC },
};
/* clang-format on */

/* Fetched once: an implicit fetch per EVP_DigestInit costs a lookup in
 * OpenSSL 3's method store every time. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *mds[MD_COUNT];

static void md_fetch(void)
{
	static const char *const names[MD_COUNT] = { "SHA256", "SHA384",
		                                     "SHA512" };

	for (int i = 0; i < MD_COUNT; i++)
		mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
}

static const EVP_MD *md_get(enum md_id id)
{
	pthread_once(&md_once, md_fetch);
	return id >= 0 && id < MD_COUNT ? mds[id] : NULL;
}

/* ------------------------------------------------------------------ */
/* Reading the Signature as xmlsec1 does                              */
/* ------------------------------------------------------------------ */

/* xmlSecGetNextElementNode */
static xmlNodePtr next_element(xmlNodePtr n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

/* xmlSecCheckNodeName: the name and the namespace, the default one
 * searched when the node has none. */
static bool named(const xmlNode *n, const char *name, const char *ns)
{
	const xmlChar *href = NULL;

	if (!n || !xmlStrEqual(n->name, (const xmlChar *)name))
		return false;
	if (n->ns) {
		href = n->ns->href;
	} else {
		xmlNsPtr d =
		        xmlSearchNs(n->doc, (xmlNodePtr)(uintptr_t)n, NULL);

		href = d ? d->href : NULL;
	}
	return xmlStrEqual(href, (const xmlChar *)ns);
}

/* xmlSecTransformNodeRead: the Algorithm attribute (any namespace, as
 * xmlGetProp reads it) among the allowed ones for this use. */
static const struct s2s__dsig_alg *read_alg(xmlNodePtr n, unsigned use)
{
	xmlChar *href = xmlGetProp(n, (const xmlChar *)"Algorithm");
	const struct s2s__dsig_alg *found = NULL;

	for (size_t i = 0; href && i < S2S_ARRAY_SIZE(algs) && !found; i++) {
		if ((algs[i].use & use) &&
		    strcmp((const char *)href, algs[i].href) == 0)
			found = &algs[i];
	}
	xmlFree(href);
	return found;
}

static void prefixes_free(xmlChar **v)
{
	for (size_t i = 0; v && v[i]; i++)
		xmlFree(v[i]);
	free(v);
}

/* xmlSecTransformC14NNodeRead: for exclusive c14n, at most one child
 * element, ec:InclusiveNamespaces with a PrefixList split at each
 * space (so "a  b" holds an empty prefix: the default namespace). */
static enum s2s__dsig_result read_prefixes(xmlChar ***out, xmlNodePtr alg_el)
{
	xmlNodePtr cur = next_element(alg_el->children);
	xmlChar *list, *p, *n;
	size_t count = 1;

	*out = NULL;
	if (!cur)
		return S2S__DSIG_OK;
	if (!named(cur, "InclusiveNamespaces", NS_EXC) ||
	    next_element(cur->next))
		return S2S__DSIG_BAD;
	list = xmlGetProp(cur, (const xmlChar *)"PrefixList");
	if (!list)
		return S2S__DSIG_BAD;
	for (p = list; *p; p++)
		count += *p == ' ';
	*out = calloc(count + 1, sizeof(**out));
	count = 0;
	for (p = n = list; *out && p && *p; p = n) {
		n = (xmlChar *)strchr((char *)p, ' ');
		if (n)
			*n++ = '\0';
		(*out)[count] = xmlStrdup(p);
		if (!(*out)[count++]) {
			prefixes_free(*out);
			*out = NULL;
		}
	}
	xmlFree(list);
	return *out ? S2S__DSIG_OK : S2S__DSIG_ERROR;
}

/* A CanonicalizationMethod or c14n Transform: the algorithm and, for
 * exclusive c14n, its prefix list. */
static enum s2s__dsig_result read_c14n(const struct s2s__dsig_alg **alg,
                                       xmlChar ***prefixes, xmlNodePtr n,
                                       unsigned use)
{
	*alg = read_alg(n, use);
	if (!*alg)
		return S2S__DSIG_BAD;
	if ((*alg)->enveloped || !(*alg)->exclusive)
		return S2S__DSIG_OK; /* no readNode: children ignored */
	return read_prefixes(prefixes, n);
}

/* Transforms: enveloped-signature, then at most one c14n. */
static enum s2s__dsig_result read_transforms(struct s2s__dsig *d,
                                             xmlNodePtr transforms)
{
	xmlNodePtr cur = next_element(transforms->children);
	const struct s2s__dsig_alg *alg;
	enum s2s__dsig_result r;
	size_t n = 0;

	for (; cur && named(cur, "Transform", NS_DSIG);
	     cur = next_element(cur->next), n++) {
		xmlChar **prefixes = NULL;

		r = read_c14n(&alg, &prefixes, cur, USE_TRANSFORM);
		if (r != S2S__DSIG_OK)
			return r;
		if (n == 0 && alg->enveloped)
			continue;
		if (n != 1 || alg->enveloped) {
			prefixes_free(prefixes);
			return S2S__DSIG_BAD;
		}
		d->ref_c14n = alg;
		d->ref_prefixes = prefixes;
	}
	if (cur || n == 0)
		return S2S__DSIG_BAD;
	return S2S__DSIG_OK;
}

/* xmlSecDSigReferenceCtxProcessNode: Transforms?, DigestMethod,
 * DigestValue, nothing else. */
static enum s2s__dsig_result read_reference(struct s2s__dsig *d, xmlNodePtr ref)
{
	xmlNodePtr cur = next_element(ref->children);
	enum s2s__dsig_result r;

	d->uri = xmlGetProp(ref, (const xmlChar *)"URI");
	if (!cur || !named(cur, "Transforms", NS_DSIG))
		return S2S__DSIG_BAD; /* enveloped-signature is required */
	r = read_transforms(d, cur);
	if (r != S2S__DSIG_OK)
		return r;
	cur = next_element(cur->next);
	if (!cur || !named(cur, "DigestMethod", NS_DSIG))
		return S2S__DSIG_BAD;
	d->digest = read_alg(cur, USE_DIGEST);
	cur = next_element(cur->next);
	if (!d->digest || !cur || !named(cur, "DigestValue", NS_DSIG))
		return S2S__DSIG_BAD;
	d->digest_value = cur;
	return next_element(cur->next) ? S2S__DSIG_BAD : S2S__DSIG_OK;
}

/* xmlSecDSigCtxProcessSignedInfoNode: CanonicalizationMethod,
 * SignatureMethod, Reference+ (one here), nothing else. */
static enum s2s__dsig_result read_signed_info(struct s2s__dsig *d,
                                              xmlNodePtr si)
{
	xmlNodePtr cur = next_element(si->children);
	xmlNodePtr ref;
	enum s2s__dsig_result r;

	if (!cur || !named(cur, "CanonicalizationMethod", NS_DSIG))
		return S2S__DSIG_BAD;
	r = read_c14n(&d->c14n, &d->c14n_prefixes, cur, USE_C14N);
	if (r != S2S__DSIG_OK)
		return r;
	cur = next_element(cur->next);
	if (!cur || !named(cur, "SignatureMethod", NS_DSIG))
		return S2S__DSIG_BAD;
	d->method = read_alg(cur, USE_SIGN);
	ref = next_element(cur->next);
	if (!d->method || !ref || !named(ref, "Reference", NS_DSIG) ||
	    next_element(ref->next))
		return S2S__DSIG_BAD;
	return read_reference(d, ref);
}

enum s2s__dsig_result s2s__dsig_read(struct s2s__dsig *d, xmlNodePtr sig)
{
	xmlNodePtr cur = next_element(sig->children);
	enum s2s__dsig_result r;

	memset(d, 0, sizeof(*d));
	d->sig = sig;
	/* xmlSecDSigCtxProcessSignatureNode: SignedInfo, SignatureValue,
	 * KeyInfo?, Object*, nothing else. */
	if (!cur || !named(cur, "SignedInfo", NS_DSIG))
		return S2S__DSIG_BAD;
	d->signed_info = cur;
	cur = next_element(cur->next);
	if (!cur || !named(cur, "SignatureValue", NS_DSIG))
		return S2S__DSIG_BAD;
	d->signature_value = cur;
	cur = next_element(cur->next);
	if (cur && named(cur, "KeyInfo", NS_DSIG))
		cur = next_element(cur->next);
	while (cur && named(cur, "Object", NS_DSIG))
		cur = next_element(cur->next);
	if (cur)
		return S2S__DSIG_BAD;
	r = read_signed_info(d, d->signed_info);
	if (r == S2S__DSIG_OK && !d->uri)
		r = S2S__DSIG_BAD;
	if (r == S2S__DSIG_OK && !d->ref_c14n)
		d->ref_c14n = &algs[3]; /* xmlsec1 inserts inclusive c14n */
	return r;
}

void s2s__dsig_release(struct s2s__dsig *d)
{
	prefixes_free(d->c14n_prefixes);
	prefixes_free(d->ref_prefixes);
	xmlFree(d->uri);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------ */
/* Base64 as xmlsec1 reads DigestValue and SignatureValue             */
/* ------------------------------------------------------------------ */

/* 6-bit values of the base64 alphabet, 0xff for anything else. */
static unsigned char b64_digits[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_table(void)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "abcdefghijklmnopqrstuvwxyz0123456789+/";

	memset(b64_digits, 0xff, sizeof(b64_digits));
	for (unsigned i = 0; i < 64; i++)
		b64_digits[(unsigned char)alphabet[i]] = (unsigned char)i;
}

/* xmlSecBase64CtxDecodeByte and friends: whitespace anywhere, '=' only
 * in the third or fourth place of a quad and then only '=' or
 * whitespace, bits under the padding ignored, a complete last quad.
 * out holds at least strlen(s) bytes. */
static bool xmlsec_base64(unsigned char *out, size_t *n_out, const char *s)
{
	unsigned pos = 0, prev = 0;
	bool finished = false;
	size_t n = 0;

	pthread_once(&b64_once, b64_table);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		unsigned v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (finished && pos == 0)
			return false; /* data after the end */
		if (c == '=') {
			finished = true;
			if (pos < 2)
				return false;
			pos = pos == 2 ? 3 : 0;
			continue;
		}
		v = b64_digits[c];
		if (v > 63 || finished)
			return false;
		if (pos == 1)
			out[n++] = (unsigned char)(prev << 2 | v >> 4);
		else if (pos == 2)
			out[n++] = (unsigned char)(prev << 4 | v >> 2);
		else if (pos == 3)
			out[n++] = (unsigned char)(prev << 6 | v);
		prev = v;
		pos = (pos + 1) % 4;
	}
	*n_out = n;
	return pos == 0 && *s == '\0';
}

/* The content of a DigestValue or SignatureValue (xmlNodeGetContent:
 * all descendant text), decoded; NULL when xmlsec1 would refuse it. */
static unsigned char *node_base64(const xmlNode *n, size_t *len)
{
	xmlChar *text = xmlNodeGetContent(n);
	unsigned char *out = NULL;

	if (text && *text) {
		out = malloc(strlen((const char *)text));
		if (out && !xmlsec_base64(out, len, (const char *)text)) {
			free(out);
			out = NULL;
		}
	}
	xmlFree(text);
	return out;
}

/* ------------------------------------------------------------------ */
/* Digests and signatures                                             */
/* ------------------------------------------------------------------ */

static int sink_digest(void *payload, const unsigned char *data, size_t len)
{
	return EVP_DigestUpdate(payload, data, len) == 1 ? 0 : -1;
}

struct restart_md {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
};

static int sink_md(void *payload, const unsigned char *data, size_t len)
{
	return sink_digest(((struct restart_md *)payload)->ctx, data, len);
}

static int restart_md(void *payload)
{
	struct restart_md *r = payload;

	return EVP_DigestInit_ex(r->ctx, r->md, NULL) == 1 ? 0 : -1;
}

/* SignedInfo's canonical form: a stack block, a heap buffer past it. */
struct si_buf {
	unsigned char block[4096];
	size_t len;
	struct s2s_buf heap;
};

static int sink_buf(void *payload, const unsigned char *data, size_t len)
{
	struct si_buf *b = payload;

	if (!b->heap.len && len <= sizeof(b->block) - b->len) {
		memcpy(b->block + b->len, data, len);
		b->len += len;
		return 0;
	}
	if (!b->heap.len && s2s_buf_add(&b->heap, b->block, b->len))
		return -1;
	return s2s_buf_add(&b->heap, data, len) ? -1 : 0;
}

static int restart_buf(void *payload)
{
	struct si_buf *b = payload;

	b->len = 0;
	s2s_buf_reset(&b->heap);
	return 0;
}

static const unsigned char *si_data(const struct si_buf *b, size_t *len)
{
	*len = b->heap.len ? b->heap.len : b->len;
	return b->heap.len ? (const unsigned char *)b->heap.ptr : b->block;
}

static int c14n_run(const struct s2s__c14n *c, s2s__c14n_sink sink,
                    int (*restart)(void *), void *payload, bool direct)
{
	if (!direct)
		return s2s__c14n_libxml2(c, sink, payload);
	return s2s__c14n_run(c, sink, restart, payload);
}

/* The node set of the Reference: el's subtree without the Signature
 * and without comments, in the c14n of the last transform. */
static void ref_node_set(struct s2s__c14n *c, const struct s2s__dsig *d,
                         xmlNodePtr el, struct s2s__c14n_doc *doc)
{
	c->apex = el;
	c->omit = d->sig;
	c->comments_in_set = false;
	c->exclusive = d->ref_c14n->exclusive;
	c->with_comments = d->ref_c14n->with_comments;
	c->prefixes = d->ref_c14n->exclusive ? d->ref_prefixes : NULL;
	c->doc = doc;
}

bool s2s__dsig_digest2(struct s2s__dsig *outer, xmlNodePtr outer_el,
                       struct s2s__dsig *inner, xmlNodePtr inner_el,
                       struct s2s__c14n_doc *doc)
{
	struct s2s__c14n co, ci;
	EVP_MD_CTX *mo = EVP_MD_CTX_new(), *mi = EVP_MD_CTX_new();
	bool ok;

	ref_node_set(&co, outer, outer_el, doc);
	ref_node_set(&ci, inner, inner_el, doc);
	ok = mo && mi &&
	     EVP_DigestInit_ex(mo, md_get(outer->digest->md), NULL) == 1 &&
	     EVP_DigestInit_ex(mi, md_get(inner->digest->md), NULL) == 1 &&
	     s2s__c14n_direct2(&co, sink_digest, mo, &ci, sink_digest, mi) ==
	             0 &&
	     EVP_DigestFinal_ex(mo, outer->pre, &outer->pre_len) == 1 &&
	     EVP_DigestFinal_ex(mi, inner->pre, &inner->pre_len) == 1;
	if (ok) {
		outer->pre_el = outer_el;
		inner->pre_el = inner_el;
	}
	EVP_MD_CTX_free(mo);
	EVP_MD_CTX_free(mi);
	return ok;
}

/* The Reference: digest of el's subtree without the Signature, in the
 * c14n of its last transform (inclusive when there is none). */
static enum s2s__dsig_result check_digest(const struct s2s__dsig *d,
                                          xmlNodePtr el,
                                          struct s2s__c14n_doc *doc,
                                          bool direct)
{
	struct s2s__c14n c;
	struct restart_md r = { EVP_MD_CTX_new(), md_get(d->digest->md) };
	unsigned char got[EVP_MAX_MD_SIZE];
	unsigned char *want = NULL;
	unsigned int got_len = 0;
	size_t want_len = 0;
	enum s2s__dsig_result v = S2S__DSIG_ERROR;

	ref_node_set(&c, d, el, doc);
	if (direct && d->pre_el == el) { /* made by s2s__dsig_digest2 */
		memcpy(got, d->pre, d->pre_len);
		got_len = d->pre_len;
	} else if (!r.ctx || !r.md || restart_md(&r) ||
	           c14n_run(&c, sink_md, restart_md, &r, direct) ||
	           EVP_DigestFinal_ex(r.ctx, got, &got_len) != 1) {
		/* a c14n failure is libxml2 refusing the document */
		v = r.ctx && r.md ? S2S__DSIG_BAD : S2S__DSIG_ERROR;
		goto out;
	}
	want = node_base64(d->digest_value, &want_len);
	v = want && want_len == got_len &&
	                    CRYPTO_memcmp(want, got, got_len) == 0
	            ? S2S__DSIG_OK
	            : S2S__DSIG_BAD;
out:
	free(want);
	EVP_MD_CTX_free(r.ctx);
	return v;
}

/* XML-DSig ECDSA values are r || s, each as long as the group order,
 * or (xmlsec1 accepts Java's) both shortened alike; EVP wants DER. */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t len, int half,
                                size_t *der_len)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int n;

	if (len < 2 * (size_t)half && len % 2 == 0)
		half = (int)(len / 2);
	else if (len != 2 * (size_t)half)
		return NULL;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, half, NULL);
	s = BN_bin2bn(sig + half, half, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;
	n = i2d_ECDSA_SIG(es, &der);
	if (n <= 0) {
		der = NULL;
		goto out;
	}
	*der_len = (size_t)n;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return der;
}

/* ctx ready for EVP_DigestVerify with key and md: a copy of the key's
 * prepared context, or a fresh EVP_DigestVerifyInit. */
static bool verify_init(EVP_MD_CTX *ctx, const struct s2s__dsig_key *key,
                        enum md_id md)
{
	struct s2s__dsig_key *k = (struct s2s__dsig_key *)(uintptr_t)key;
	bool ok = false;

	if (md >= 0 && md < MD_COUNT && k->verify[md]) {
		pthread_mutex_lock(&k->lock);
		ok = EVP_MD_CTX_copy_ex(ctx, k->verify[md]) == 1;
		pthread_mutex_unlock(&k->lock);
	}
	return ok || EVP_DigestVerifyInit(ctx, NULL, md_get(md), NULL,
	                                  key->pkey) == 1;
}

static enum s2s__dsig_result check_key(const struct s2s__dsig *d,
                                       const struct s2s__dsig_key *key,
                                       const unsigned char *sig, size_t sig_len,
                                       const struct si_buf *si)
{
	size_t tbs_len;
	const unsigned char *tbs = si_data(si, &tbs_len);
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL;
	enum s2s__dsig_result v = S2S__DSIG_BAD;

	if (key->type != d->method->key_type)
		return S2S__DSIG_BAD; /* xmlSecKeyMatch */
	if (key->type == EVP_PKEY_EC) {
		der = ecdsa_der(sig, sig_len, key->ec_half, &sig_len);
		if (!der)
			return S2S__DSIG_BAD;
		sig = der;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		v = S2S__DSIG_ERROR;
		goto out;
	}
	if (verify_init(ctx, key, d->method->md) &&
	    EVP_DigestVerify(ctx, sig, sig_len, tbs, tbs_len) == 1)
		v = S2S__DSIG_OK;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return v;
}

/* SignedInfo in its CanonicalizationMethod: the node set is SignedInfo
 * with its comments (xmlSecNodeSetGetChildren(..., 1, 0)). */
static enum s2s__dsig_result signed_info(struct si_buf *out,
                                         const struct s2s__dsig *d,
                                         struct s2s__c14n_doc *doc, bool direct)
{
	const struct s2s__c14n c = {
		d->signed_info,
		NULL,
		true,
		d->c14n->exclusive,
		d->c14n->with_comments,
		d->c14n->exclusive ? d->c14n_prefixes : NULL,
		doc,
	};

	return c14n_run(&c, sink_buf, restart_buf, out, direct) ? S2S__DSIG_BAD
	                                                        : S2S__DSIG_OK;
}

enum s2s__dsig_result s2s__dsig_verify(const struct s2s__dsig *d, xmlNodePtr el,
                                       const xmlChar *id,
                                       const struct s2s__dsig_key *keys,
                                       size_t nkeys, struct s2s__c14n_doc *doc,
                                       bool direct)
{
	struct si_buf si;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	enum s2s__dsig_result v;

	/* The Reference names el, and el is what its ID resolves to. */
	if (!d->uri || d->uri[0] != '#' || !xmlStrEqual(d->uri + 1, id))
		return S2S__DSIG_BAD;
	v = check_digest(d, el, doc, direct);
	if (v != S2S__DSIG_OK)
		return v;
	sig = node_base64(d->signature_value, &sig_len);
	if (!sig)
		return S2S__DSIG_BAD;
	si.len = 0;
	s2s_buf_init(&si.heap, false);
	v = signed_info(&si, d, doc, direct);
	if (v != S2S__DSIG_OK)
		goto out;
	v = S2S__DSIG_BAD; /* until a pinned key verifies it */
	for (size_t i = 0; i < nkeys; i++) {
		enum s2s__dsig_result k =
		        check_key(d, &keys[i], sig, sig_len, &si);

		if (k != S2S__DSIG_BAD) {
			v = k;
			break;
		}
	}
out:
	free(sig);
	s2s_buf_release(&si.heap);
	return v;
}

bool s2s__dsig_key_init(struct s2s__dsig_key *key, EVP_PKEY *pkey)
{
	BIGNUM *order = NULL;

	memset(key, 0, sizeof(*key));
	key->pkey = pkey;
	key->type = EVP_PKEY_get_base_id(pkey);
	if (key->type == EVP_PKEY_EC) {
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_ORDER,
		                          &order) != 1)
			return false;
		key->ec_half = BN_num_bytes(order);
		BN_clear_free(order);
		if (key->ec_half <= 0)
			return false;
	}
	if (pthread_mutex_init(&key->lock, NULL))
		return false;
	/* Prepared now for RSA and EC keys; a failure only costs speed. */
	for (int i = 0; i < MD_COUNT; i++) {
		if (key->type != EVP_PKEY_RSA && key->type != EVP_PKEY_EC)
			break;
		key->verify[i] = EVP_MD_CTX_new();
		if (key->verify[i] &&
		    EVP_DigestVerifyInit(key->verify[i], NULL, md_get(i), NULL,
		                         pkey) != 1) {
			EVP_MD_CTX_free(key->verify[i]);
			key->verify[i] = NULL;
		}
	}
	return true;
}

void s2s__dsig_key_release(struct s2s__dsig_key *key)
{
	for (int i = 0; i < MD_COUNT; i++)
		EVP_MD_CTX_free(key->verify[i]);
	pthread_mutex_destroy(&key->lock);
	memset(key, 0, sizeof(*key));
}
