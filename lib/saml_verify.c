/* SPDX-License-Identifier: MIT */
/*
 * Verify mode: the XML signature of a SAMLResponse checked against the
 * pinned IdP certificate(s) only, on the parser's own tree (saml.c
 * calls back here after its structure checks and before it reads any
 * value), then the semantic checks: Status, audience, recipient and
 * times with a clock skew.
 *
 * What is accepted: a ds:Signature that is a direct child of the Response
 * or of its one Assertion, with exactly one Reference whose URI is "#" and
 * the ID of that element, enveloped-signature then at most one c14n
 * transform, SHA-2 digests and RSA or ECDSA SHA-2 signatures.  KeyInfo
 * in the document is ignored, HMAC, SHA-1, XPath, XSLT and other
 * transforms are refused, and IDs are unique (saml.c).
 *
 * Signatures are checked by dsig.c (c14n.c, OpenSSL EVP) with keys
 * parsed once per pinned PEM and then borrowed.  The xmlsec1 verifier
 * of old (saml_verify_xmlsec.c, tests and benchmarks only) plugs in
 * behind an internal switch (saml_int.h), with the same shape checks
 * before it.
 */
#include <pthread.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "saml2sts/saml.h"
#include "common.h"
#include "c14n.h"
#include "dsig.h"
#include "saml_int.h"
#include "xmlparse.h"

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML  "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DSIG  "http://www.w3.org/2000/09/xmldsig#"
#define NS_MD    "urn:oasis:names:tc:SAML:2.0:metadata"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END   "-----END CERTIFICATE-----"

#define MAX_KEYS 8

const struct s2s__xmlsec_ops *s2s__xmlsec;

/* As large as a SAMLResponse may be: metadata of one IdP is far less. */
static const struct s2s__xml_limits metadata_limits = {
	.what = "XML document",
	.code = S2S_ESAML,
	.max = (size_t)256 * 1024,
};

/* ------------------------------------------------------------------ */
/* Pinned keys                                                        */
/* ------------------------------------------------------------------ */

/* The keys of one pinned PEM text, parsed once per process and then
 * borrowed by every verification: the public keys for dsig.c, and
 * xmlsec1 keys made the first time the xmlsec1 verifier asks. */
struct pinned {
	char *pem;
	size_t n;
	struct s2s__dsig_key keys[MAX_KEYS];
	void *sec[MAX_KEYS]; /* xmlsec1 keys (s2s__xmlsec), when asked */
	bool sec_loaded;
};

/* A few PEM texts (one per account in use); entries live as long as
 * the process, so a borrowed one is never freed under a reader. */
#define PIN_CACHE 8
static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pinned *pin_cache[PIN_CACHE];
static size_t pin_count;

static void pinned_free(struct pinned *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		EVP_PKEY *key = p->keys[i].pkey;

		s2s__dsig_key_release(&p->keys[i]);
		EVP_PKEY_free(key);
		if (p->sec[i])
			s2s__xmlsec->free_key(p->sec[i]);
	}
	free(p->pem);
	free(p);
}

/* The next PEM certificate block of *p as [*begin, *end), or false. */
static bool next_block(const char **p, const char **begin, const char **end)
{
	const char *b = *p ? strstr(*p, PEM_BEGIN) : NULL;
	const char *e = b ? strstr(b, PEM_END) : NULL;

	if (!e)
		return false;
	*begin = b;
	*end = e + strlen(PEM_END);
	*p = *end;
	return true;
}

/* The public key of one certificate, of a type xmlsec1 can also use
 * (RSA, DSA, EC), so that both verifiers load the same PEM texts. */
static EVP_PKEY *cert_key(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x = bio ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = x ? X509_get_pubkey(x) : NULL;
	int type = key ? EVP_PKEY_get_base_id(key) : 0;

	X509_free(x);
	BIO_free(bio);
	if (type == EVP_PKEY_RSA || type == EVP_PKEY_DSA || type == EVP_PKEY_EC)
		return key;
	EVP_PKEY_free(key);
	return NULL;
}

/* Every PEM certificate block of pem, as a public key. */
static s2s_err pinned_load(struct pinned **out, const char *pem,
                           struct s2s_error *err)
{
	struct pinned *p = calloc(1, sizeof(*p));
	const char *cur = pem, *b, *e;
	s2s_err rc = S2S_OK;

	*out = NULL;
	if (p)
		p->pem = strdup(pem);
	if (!p || !p->pem) {
		free(p);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	while (!rc && next_block(&cur, &b, &e)) {
		EVP_PKEY *key;

		if (p->n == MAX_KEYS) {
			rc = s2s_error_set(err, S2S_ECONFIG,
			                   "more than %d IdP certificates",
			                   MAX_KEYS);
			break;
		}
		key = cert_key(b, (size_t)(e - b));
		if (!key || !s2s__dsig_key_init(&p->keys[p->n], key)) {
			EVP_PKEY_free(key);
			rc = s2s_error_set(err, S2S_ECONFIG,
			                   "IdP certificate %zu cannot be read",
			                   p->n + 1);
			break;
		}
		p->n++;
	}
	if (!rc && !p->n)
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "no PEM certificate in the IdP "
		                   "certificate");
	if (rc) {
		pinned_free(p);
		return rc;
	}
	*out = p;
	return S2S_OK;
}

/* The same blocks as xmlsec1 keys (under pin_lock). */
static s2s_err pinned_load_sec(struct pinned *p, struct s2s_error *err)
{
	const char *cur = p->pem, *b, *e;
	s2s_err rc = S2S_OK;

	if (p->sec_loaded)
		return S2S_OK;
	if (!s2s__xmlsec)
		return s2s_error_set(err, S2S_EUNSUPPORTED,
		                     "the xmlsec1 verifier is not linked in");
	for (size_t i = 0; !rc && i < p->n && next_block(&cur, &b, &e); i++)
		rc = s2s__xmlsec->load_key(&p->sec[i], b, (size_t)(e - b), err);
	if (!rc)
		p->sec_loaded = true;
	return rc;
}

/* The cached keys of pem, or NULL (under pin_lock). */
static struct pinned *cache_find(const char *pem)
{
	for (size_t i = 0; i < pin_count; i++) {
		if (strcmp(pin_cache[i]->pem, pem) == 0)
			return pin_cache[i];
	}
	return NULL;
}

/* The keys of pem: from the cache, or parsed now and cached when there
 * is room; *owned tells the caller to free them after use. */
static s2s_err pinned_get(struct pinned **out, bool *owned, const char *pem,
                          bool with_sec, struct s2s_error *err)
{
	struct pinned *p, *fresh = NULL;
	s2s_err rc = S2S_OK;

	*owned = false;
	pthread_mutex_lock(&pin_lock);
	p = cache_find(pem);
	pthread_mutex_unlock(&pin_lock);
	if (!p) {
		rc = pinned_load(&fresh, pem, err);
		if (rc)
			return rc;
		pthread_mutex_lock(&pin_lock);
		p = cache_find(pem); /* another thread may have been first */
		if (!p && pin_count < PIN_CACHE) {
			p = pin_cache[pin_count++] = fresh;
			fresh = NULL;
		}
		pthread_mutex_unlock(&pin_lock);
		if (!p) {
			p = fresh;
			fresh = NULL;
			*owned = true;
		}
		pinned_free(fresh);
	}
	if (with_sec) {
		pthread_mutex_lock(&pin_lock);
		rc = pinned_load_sec(p, err);
		pthread_mutex_unlock(&pin_lock);
	}
	if (rc && *owned)
		pinned_free(p);
	else if (!rc)
		*out = p;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Signature                                                          */
/* ------------------------------------------------------------------ */

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The one ds:Signature directly under el, or NULL; two is an error. */
static s2s_err direct_signature(xmlNodePtr *out, xmlNodePtr el,
                                struct s2s_error *err)
{
	*out = NULL;
	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (!is_elem(c, NS_DSIG, "Signature"))
			continue;
		if (*out)
			return s2s_error_set(
			        err, S2S_ESIG,
			        "the %s has more than one Signature",
			        (const char *)el->name);
		*out = c;
	}
	return S2S_OK;
}

/* Register el's ID so that "#id" resolves, and only to el (saml.c has
 * already refused duplicate IDs anywhere in the document). */
static s2s_err register_id(xmlDocPtr doc, xmlNodePtr el, xmlChar **id_out,
                           struct s2s_error *err)
{
	xmlAttrPtr attr = xmlHasNsProp(el, (const xmlChar *)"ID", NULL);
	xmlChar *id =
	        attr ? xmlNodeListGetString(doc, attr->children, 1) : NULL;
	xmlAttrPtr known;

	*id_out = NULL;
	if (!id || !*id) {
		xmlFree(id);
		return s2s_error_set(err, S2S_ESIG, "the signed %s has no ID",
		                     (const char *)el->name);
	}
	known = xmlGetID(doc, id);
	if (!known && !xmlAddID(NULL, doc, id, attr)) {
		xmlFree(id);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	known = xmlGetID(doc, id);
	if (!known || known->parent != el) {
		xmlFree(id);
		return s2s_error_set(err, S2S_ESIG,
		                     "the ID of the signed %s is not unique",
		                     (const char *)el->name);
	}
	*id_out = id;
	return S2S_OK;
}

enum verdict { V_ERROR = -1, V_BAD = 0, V_OK = 1, V_BADREF = 2 };

/* Before xmlsec: SignedInfo has exactly one Reference and its URI is
 * "#" + the ID of el (precise message; xmlsec's result is checked the
 * same way afterwards). */
static bool reference_is(const xmlNode *sig, const xmlChar *id)
{
	const xmlNode *si = NULL, *ref = NULL;
	xmlChar *uri;
	bool ok;

	for (const xmlNode *c = sig->children; c; c = c->next) {
		if (!is_elem(c, NS_DSIG, "SignedInfo"))
			continue;
		if (si)
			return false;
		si = c;
	}
	if (!si)
		return false;
	for (const xmlNode *c = si->children; c; c = c->next) {
		if (!is_elem(c, NS_DSIG, "Reference"))
			continue;
		if (ref)
			return false;
		ref = c;
	}
	if (!ref)
		return false;
	uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI");
	ok = uri && uri[0] == '#' && xmlStrEqual(uri + 1, id);
	xmlFree(uri);
	return ok;
}

/* xmlsec1 dereferences "#id" as the XPointer xpointer(id('id')): an ID
 * with a quote, a parenthesis, a circumflex or XPath white space would
 * name something else there.  Such an ID is refused by both verifiers. */
static bool id_is_referable(const xmlChar *id)
{
	return !strpbrk((const char *)id, "'()^ \t\r\n");
}

struct verify_ctx {
	struct pinned *keys;
	enum s2s__sig_engine engine;
	bool response_signed;
	bool assertion_signed;
	struct s2s__c14n_doc doc; /* c14n.c's document check, once */
	/* Direct engine, both signatures present: read up front, their
	 * digests made in one walk of the Response (prepare_pair). */
	struct s2s__dsig pre[2];
	enum s2s__dsig_result pre_read[2];
	bool have_pre[2];
};

/* Read both signatures and, when both have the usual shape, digest the
 * Response and its Assertion in one c14n walk.  Results are only kept:
 * verify_node still checks everything in its order, with its messages. */
static void prepare_pair(struct verify_ctx *v, xmlNodePtr rsig, xmlNodePtr root,
                         xmlNodePtr asig, xmlNodePtr assertion)
{
	v->pre_read[0] = s2s__dsig_read(&v->pre[0], rsig);
	v->pre_read[1] = s2s__dsig_read(&v->pre[1], asig);
	v->have_pre[0] = v->have_pre[1] = true;
	if (v->pre_read[0] == S2S__DSIG_OK && v->pre_read[1] == S2S__DSIG_OK)
		(void)s2s__dsig_digest2(&v->pre[0], root, &v->pre[1], assertion,
		                        &v->doc);
}

static void release_pair(struct verify_ctx *v)
{
	for (int i = 0; i < 2; i++) {
		if (v->have_pre[i])
			s2s__dsig_release(&v->pre[i]);
		v->have_pre[i] = false;
	}
}

static enum verdict verify_xmlsec(const struct pinned *k, xmlNodePtr sig,
                                  xmlNodePtr el, const xmlChar *id)
{
	enum verdict best = V_BAD;

	for (size_t i = 0; i < k->n && best == V_BAD; i++) {
		enum verdict v = (enum verdict)s2s__xmlsec->verify(k->sec[i],
		                                                   sig, el, id);

		if (v == V_ERROR)
			return V_ERROR;
		if (v > best)
			best = v;
	}
	return best;
}

static enum verdict verify_direct(struct verify_ctx *v, xmlNodePtr sig,
                                  xmlNodePtr el, const xmlChar *id)
{
	struct s2s__dsig own, *d = &own;
	enum s2s__dsig_result r;
	int i = 0;

	if (!id_is_referable(id))
		return V_BAD;
	while (i < 2 && !(v->have_pre[i] && v->pre[i].sig == sig))
		i++;
	if (i < 2) {
		d = &v->pre[i];
		r = v->pre_read[i];
	} else {
		r = s2s__dsig_read(&own, sig);
	}
	if (r == S2S__DSIG_OK)
		r = s2s__dsig_verify(d, el, id, v->keys->keys, v->keys->n,
		                     &v->doc, v->engine == S2S__SIG_DIRECT);
	if (d == &own)
		s2s__dsig_release(&own);
	if (r == S2S__DSIG_OK) {
		xmlAttrPtr a = xmlGetID(el->doc, id);

		return a && a->parent == el ? V_OK : V_BADREF;
	}
	return r == S2S__DSIG_ERROR ? V_ERROR : V_BAD;
}

/* The shape both verifiers accept (dsig.c): anything else is refused
 * before either looks at a digest. */
static enum verdict shape(xmlNodePtr sig, const xmlChar *id)
{
	struct s2s__dsig d;
	enum s2s__dsig_result r;

	if (!id_is_referable(id))
		return V_BAD;
	r = s2s__dsig_read(&d, sig);
	s2s__dsig_release(&d);
	if (r == S2S__DSIG_ERROR)
		return V_ERROR;
	return r == S2S__DSIG_OK ? V_OK : V_BAD;
}

static s2s_err verify_node(struct verify_ctx *v, xmlDocPtr doc, xmlNodePtr sig,
                           xmlNodePtr el, struct s2s_error *err)
{
	xmlChar *id = NULL;
	enum verdict best;
	s2s_err rc;

	rc = register_id(doc, el, &id, err);
	if (rc)
		return rc;
	if (!reference_is(sig, id))
		best = V_BADREF;
	else if (v->engine != S2S__SIG_XMLSEC)
		best = verify_direct(v, sig, el, id);
	else
		best = shape(sig, id);
	if (v->engine == S2S__SIG_XMLSEC && best == V_OK)
		best = verify_xmlsec(v->keys, sig, el, id);
	xmlFree(id);
	switch (best) {
	case V_OK:
		return S2S_OK;
	case V_BADREF:
		return s2s_error_set(err, S2S_ESIG,
		                     "the %s signature does not reference "
		                     "exactly that %s",
		                     (const char *)el->name,
		                     (const char *)el->name);
	case V_ERROR:
		return s2s_error_set(err, S2S_ERROR,
		                     "the signature check failed while "
		                     "verifying");
	case V_BAD:
		break;
	}
	return s2s_error_set(err, S2S_ESIG,
	                     "the %s signature is not valid for the pinned "
	                     "IdP certificate (or uses a refused algorithm)",
	                     (const char *)el->name);
}

/* Called by saml.c on its tree: structure already checked (one Assertion,
 * direct child of the Response root, no duplicate IDs). */
static s2s_err check_signature(void *arg, xmlDocPtr doc, xmlNodePtr root,
                               xmlNodePtr assertion, struct s2s_error *err)
{
	struct verify_ctx *v = arg;
	xmlNodePtr rsig = NULL, asig = NULL;
	s2s_err rc;

	if (!assertion)
		return s2s_error_set(err, S2S_ESIG,
		                     "an EncryptedAssertion cannot be verified "
		                     "here");
	rc = direct_signature(&rsig, root, err);
	if (!rc)
		rc = direct_signature(&asig, assertion, err);
	if (rc)
		return rc;
	/* Comments do not change a digest (c14n drops them) but may split a
	 * value (CVE-2017-11427 family): none in what is read. */
	for (xmlNodePtr n = assertion->children; n;) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
			return s2s_error_set(
			        err, S2S_ESIG,
			        "the Assertion contains an XML "
			        "comment or processing instruction");
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			continue;
		}
		while (n && !n->next && n != assertion)
			n = n->parent;
		if (!n || n == assertion)
			break;
		n = n->next;
	}
	if (!rsig && !asig)
		return s2s_error_set(err, S2S_ESIG,
		                     "neither the Response nor the Assertion "
		                     "is signed");
	if (v->engine == S2S__SIG_DIRECT && rsig && asig)
		prepare_pair(v, rsig, root, asig, assertion);
	/* Every signature present must verify. */
	if (rsig) {
		rc = verify_node(v, doc, rsig, root, err);
		if (rc)
			return rc;
		v->response_signed = true;
	}
	if (asig) {
		rc = verify_node(v, doc, asig, assertion, err);
		if (rc)
			return rc;
		v->assertion_signed = true;
	}
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* Semantic checks                                                    */
/* ------------------------------------------------------------------ */

static s2s_err check_values(const struct s2s_saml *saml,
                            const struct s2s_saml_trust *trust,
                            struct s2s_error *err)
{
	time_t now = trust->now ? trust->now : time(NULL);
	long skew = trust->clock_skew >= 0 ? trust->clock_skew : 0;

	if (trust->issuer &&
	    (!saml->issuer || strcmp(saml->issuer, trust->issuer) != 0))
		return s2s_error_set(err, S2S_ESAML,
		                     "the assertion issuer is not the IdP of "
		                     "the metadata");
	if (trust->audience) {
		bool found = false;

		for (size_t i = 0; i < saml->naudiences && !found; i++)
			found = strcmp(saml->audiences[i], trust->audience) ==
			        0;
		if (!found)
			return s2s_error_set(
			        err, S2S_ESAML,
			        "the assertion is not for audience "
			        "%s",
			        trust->audience);
	}
	if (trust->recipient &&
	    (!saml->recipient || strcmp(saml->recipient, trust->recipient)))
		return s2s_error_set(err, S2S_ESAML,
		                     "the assertion recipient is not %s",
		                     trust->recipient);
	if (!saml->not_on_or_after && !saml->subject_not_on_or_after)
		return s2s_error_set(err, S2S_EEXPIRED,
		                     "the assertion has no NotOnOrAfter");
	if (saml->not_before && now + skew < saml->not_before)
		return s2s_error_set(err, S2S_EEXPIRED,
		                     "the assertion is not valid yet "
		                     "(NotBefore is %lds ahead)",
		                     (long)(saml->not_before - now));
	if (saml->not_on_or_after && now - skew >= saml->not_on_or_after)
		return s2s_error_set(err, S2S_EEXPIRED,
		                     "the assertion has expired (NotOnOrAfter "
		                     "was %lds ago)",
		                     (long)(now - saml->not_on_or_after));
	if (saml->subject_not_on_or_after &&
	    now - skew >= saml->subject_not_on_or_after)
		return s2s_error_set(
		        err, S2S_EEXPIRED,
		        "the assertion has expired (subject "
		        "NotOnOrAfter was %lds ago)",
		        (long)(now - saml->subject_not_on_or_after));
	return S2S_OK;
}

s2s_err s2s__saml_verify_engine(struct s2s_saml **out, const char *data,
                                size_t len, bool b64,
                                const struct s2s_saml_trust *trust,
                                enum s2s__sig_engine engine,
                                struct s2s_error *err)
{
	struct verify_ctx v;
	struct s2s_saml *saml = NULL;
	bool owned = false;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(trust && trust->certs_pem);
	*out = NULL;
	memset(&v, 0, sizeof(v));
	v.engine = engine;
	s2s__xml_init();
	rc = pinned_get(&v.keys, &owned, trust->certs_pem,
	                engine == S2S__SIG_XMLSEC, err);
	if (rc)
		return rc;
	if (b64)
		rc = s2s__saml_parse_checked(&saml, data, len, check_signature,
		                             &v, err);
	else
		rc = s2s__saml_parse_xml_checked(&saml, data, len,
		                                 check_signature, &v, err);
	if (rc)
		goto out;
	if (!v.response_signed && !v.assertion_signed) {
		rc = s2s_error_set(err, S2S_ESIG,
		                   "the SAMLResponse is not "
		                   "signed");
		goto out;
	}
	rc = check_values(saml, trust, err);
	if (rc)
		goto out;
	*out = saml;
	saml = NULL;
out:
	release_pair(&v);
	if (owned)
		pinned_free(v.keys);
	s2s_saml_free(saml);
	return rc;
}

s2s_err s2s_saml_verify(struct s2s_saml **out, const char *b64, size_t len,
                        const struct s2s_saml_trust *trust,
                        struct s2s_error *err)
{
	return s2s__saml_verify_engine(out, b64, len, true, trust,
	                               S2S__SIG_DIRECT, err);
}

s2s_err s2s_saml_verify_xml(struct s2s_saml **out, const char *xml, size_t len,
                            const struct s2s_saml_trust *trust,
                            struct s2s_error *err)
{
	return s2s__saml_verify_engine(out, xml, len, false, trust,
	                               S2S__SIG_DIRECT, err);
}

/* ------------------------------------------------------------------ */
/* Metadata and fingerprints                                          */
/* ------------------------------------------------------------------ */

static bool signing_use(const xmlNode *kd)
{
	xmlChar *use = xmlGetNoNsProp(kd, (const xmlChar *)"use");
	bool ok = !use || xmlStrEqual(use, (const xmlChar *)"signing");

	xmlFree(use);
	return ok;
}

/* Base64 of a DER certificate as a PEM block, lines of 64. */
static s2s_err add_pem(struct s2s_buf *out, const xmlChar *text,
                       struct s2s_error *err)
{
	size_t col = 0;
	s2s_err rc = s2s_buf_add(out, PEM_BEGIN "\n", strlen(PEM_BEGIN) + 1);

	for (const xmlChar *p = text; *p && !rc; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			continue;
		rc = s2s_buf_add(out, p, 1);
		if (!rc && ++col == 64) {
			rc = s2s_buf_add(out, "\n", 1);
			col = 0;
		}
	}
	if (!rc && col)
		rc = s2s_buf_add(out, "\n", 1);
	if (!rc)
		rc = s2s_buf_add(out, PEM_END "\n", strlen(PEM_END) + 1);
	if (!rc)
		rc = s2s_buf_terminate(out);
	if (rc)
		return s2s_error_set(err, rc, "out of memory");
	return S2S_OK;
}

static s2s_err key_descriptor_certs(struct s2s_buf *out, const xmlNode *kd,
                                    size_t *n, struct s2s_error *err)
{
	s2s_err rc = S2S_OK;

	for (const xmlNode *ki = kd->children; ki && !rc; ki = ki->next) {
		if (!is_elem(ki, NS_DSIG, "KeyInfo"))
			continue;
		for (const xmlNode *xd = ki->children; xd && !rc;
		     xd = xd->next) {
			if (!is_elem(xd, NS_DSIG, "X509Data"))
				continue;
			for (const xmlNode *c = xd->children; c && !rc;
			     c = c->next) {
				xmlChar *t;

				if (!is_elem(c, NS_DSIG, "X509Certificate"))
					continue;
				t = xmlNodeGetContent(c);
				if (!t)
					return s2s_error_set(err, S2S_ENOMEM,
					                     "out of memory");
				rc = add_pem(out, t, err);
				xmlFree(t);
				(*n)++;
			}
		}
	}
	return rc;
}

s2s_err s2s_saml_metadata_certs(struct s2s_buf *out, char **entity_id,
                                const char *xml, size_t len,
                                struct s2s_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	size_t n = 0;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	if (entity_id)
		*entity_id = NULL;
	rc = s2s__xml_parse(&doc, xml, len, &metadata_limits, err);
	if (rc)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "IdP metadata is not usable XML");
	root = xmlDocGetRootElement(doc);
	if (!is_elem(root, NS_MD, "EntityDescriptor")) {
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "IdP metadata root is not an "
		                   "EntityDescriptor");
		goto out;
	}
	for (const xmlNode *sso = root->children; sso && !rc; sso = sso->next) {
		if (!is_elem(sso, NS_MD, "IDPSSODescriptor"))
			continue;
		for (const xmlNode *kd = sso->children; kd && !rc;
		     kd = kd->next) {
			if (is_elem(kd, NS_MD, "KeyDescriptor") &&
			    signing_use(kd))
				rc = key_descriptor_certs(out, kd, &n, err);
		}
	}
	if (!rc && !n)
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "IdP metadata has no signing certificate");
	if (!rc && entity_id) {
		xmlChar *id = xmlGetNoNsProp(root, (const xmlChar *)"entityID");

		if (id) {
			*entity_id = strdup((const char *)id);
			xmlFree(id);
			if (!*entity_id)
				rc = s2s_error_set(err, S2S_ENOMEM,
				                   "out of memory");
		}
	}
out:
	s2s__xml_free_doc(doc);
	return rc;
}

s2s_err s2s_saml_cert_fingerprint(char *buf, size_t size, const char *pem,
                                  struct s2s_error *err)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(buf && size >= 96);
	buf[0] = '\0';
	if (!x || !X509_digest(x, EVP_sha256(), md, &n)) {
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "the IdP certificate cannot be read");
		goto out;
	}
	{
		char tmp[EVP_MAX_MD_SIZE * 3 + 1];
		size_t used = 0;

		for (unsigned int i = 0; i < n; i++)
			used += (size_t)snprintf(tmp + used, sizeof(tmp) - used,
			                         "%s%02X", i ? ":" : "", md[i]);
		snprintf(buf, size, "%s", tmp);
	}
out:
	X509_free(x);
	BIO_free(bio);
	return rc;
}
