/* SPDX-License-Identifier: MIT */
/*
 * Verify mode: the XML signature of a SAMLResponse checked with xmlsec1
 * against the pinned IdP certificate(s) only, on the parser's own tree
 * (saml.c calls back here after its structure checks and before it reads
 * any value), then the semantic checks: Status, audience, recipient and
 * times with a clock skew.
 *
 * What is accepted: a ds:Signature that is a direct child of the Response
 * or of its one Assertion, with exactly one Reference whose URI is "#" and
 * the ID of that element, enveloped + c14n transforms, SHA-2 digests and
 * RSA or ECDSA SHA-2 signatures.  KeyInfo in the document is ignored (the
 * key is set before verification), HMAC, SHA-1, XPath, XSLT and other
 * transforms are not enabled, and IDs are unique (saml.c).
 */
#include <pthread.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/errors.h>

#include "saml2sts/saml.h"
#include "common.h"
#include "saml_int.h"
#include "xmlparse.h"

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML  "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DSIG  "http://www.w3.org/2000/09/xmldsig#"
#define NS_MD    "urn:oasis:names:tc:SAML:2.0:metadata"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END   "-----END CERTIFICATE-----"

#define MAX_KEYS 8

/* As large as a SAMLResponse may be: metadata of one IdP is far less. */
static const struct s2s__xml_limits metadata_limits = {
	.what = "XML document",
	.code = S2S_ESAML,
	.max = (size_t)256 * 1024,
};

/* ------------------------------------------------------------------ */
/* xmlsec set-up                                                      */
/* ------------------------------------------------------------------ */

static pthread_once_t sec_once = PTHREAD_ONCE_INIT;
static bool sec_ok;

static void quiet_errors(const char *file, int line, const char *func,
                         const char *obj, const char *subj, int reason,
                         const char *msg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)obj;
	(void)subj;
	(void)reason;
	(void)msg;
}

static void sec_init(void)
{
	s2s__xml_init();
	if (xmlSecInit() < 0)
		return;
	if (xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
	    xmlSecCryptoInit() < 0)
		return;
	xmlSecErrorsSetCallback(quiet_errors);
	/* xmlSecInit installs a loader that still reads the main input;
	 * nothing here loads anything: deny all. */
	s2s__xml_deny_loads();
	sec_ok = true;
}

static s2s_err sec_start(struct s2s_error *err)
{
	pthread_once(&sec_once, sec_init);
	if (!sec_ok)
		return s2s_error_set(err, S2S_ERROR,
		                     "xmlsec1 could not be initialised");
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* Pinned keys                                                        */
/* ------------------------------------------------------------------ */

struct keys {
	xmlSecKeyPtr v[MAX_KEYS];
	size_t n;
};

static void keys_release(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		xmlSecKeyDestroy(k->v[i]);
	k->n = 0;
}

/* Every PEM certificate block of pem, as a public key. */
static s2s_err keys_load(struct keys *k, const char *pem, struct s2s_error *err)
{
	const char *p = pem;

	k->n = 0;
	while (p && (p = strstr(p, PEM_BEGIN)) != NULL) {
		const char *end = strstr(p, PEM_END);
		xmlSecKeyPtr key;

		if (!end)
			break;
		end += strlen(PEM_END);
		if (k->n == MAX_KEYS)
			return s2s_error_set(err, S2S_ECONFIG,
			                     "more than %d IdP certificates",
			                     MAX_KEYS);
		key = xmlSecCryptoAppKeyLoadMemory(
		        (const xmlSecByte *)p, (xmlSecSize)(end - p),
		        xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
		if (!key)
			return s2s_error_set(
			        err, S2S_ECONFIG,
			        "IdP certificate %zu cannot be read", k->n + 1);
		k->v[k->n++] = key;
		p = end;
	}
	if (!k->n)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "no PEM certificate in the IdP "
		                     "certificate");
	return S2S_OK;
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

static int enable_transforms(xmlSecDSigCtxPtr ctx)
{
	const xmlSecTransformId ref[] = {
		xmlSecTransformEnvelopedId,
		xmlSecTransformExclC14NId,
		xmlSecTransformExclC14NWithCommentsId,
		xmlSecTransformInclC14NId,
		xmlSecTransformInclC14NWithCommentsId,
		xmlSecTransformSha256Id,
		xmlSecTransformSha384Id,
		xmlSecTransformSha512Id,
	};
	const xmlSecTransformId sig[] = {
		xmlSecTransformExclC14NId,
		xmlSecTransformExclC14NWithCommentsId,
		xmlSecTransformInclC14NId,
		xmlSecTransformInclC14NWithCommentsId,
		xmlSecTransformRsaSha256Id,
		xmlSecTransformRsaSha384Id,
		xmlSecTransformRsaSha512Id,
		xmlSecTransformEcdsaSha256Id,
		xmlSecTransformEcdsaSha384Id,
		xmlSecTransformEcdsaSha512Id,
	};

	for (size_t i = 0; i < S2S_ARRAY_SIZE(ref); i++)
		if (xmlSecDSigCtxEnableReferenceTransform(ctx, ref[i]) < 0)
			return -1;
	for (size_t i = 0; i < S2S_ARRAY_SIZE(sig); i++)
		if (xmlSecDSigCtxEnableSignatureTransform(ctx, sig[i]) < 0)
			return -1;
	return 0;
}

enum verdict { V_ERROR = -1, V_BAD = 0, V_OK = 1, V_BADREF = 2 };

/* Does sig, checked with key, sign exactly el (whose ID is id)? */
static enum verdict verify_with(xmlSecKeyPtr key, xmlNodePtr sig, xmlNodePtr el,
                                const xmlChar *id)
{
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
	xmlSecDSigReferenceCtxPtr ref;
	enum verdict v = V_BAD;

	if (!ctx)
		return V_ERROR;
	ctx->signKey = xmlSecKeyDuplicate(key);
	if (!ctx->signKey || enable_transforms(ctx) < 0) {
		v = V_ERROR;
		goto out;
	}
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	if (xmlSecDSigCtxVerify(ctx, sig) < 0 ||
	    ctx->status != xmlSecDSigStatusSucceeded)
		goto out;
	/* One reference, to el, checked. */
	v = V_BADREF;
	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
		goto out;
	ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(
	        &ctx->signedInfoReferences, 0);
	if (!ref || ref->status != xmlSecDSigStatusSucceeded || !ref->uri ||
	    ref->uri[0] != '#' || !xmlStrEqual(ref->uri + 1, id))
		goto out;
	{
		xmlAttrPtr a = xmlGetID(el->doc, id);

		if (!a || a->parent != el)
			goto out;
	}
	v = V_OK;
out:
	xmlSecDSigCtxDestroy(ctx);
	return v;
}

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

static s2s_err verify_node(const struct keys *k, xmlDocPtr doc, xmlNodePtr sig,
                           xmlNodePtr el, struct s2s_error *err)
{
	xmlChar *id = NULL;
	enum verdict best = V_BAD;
	s2s_err rc;

	rc = register_id(doc, el, &id, err);
	if (rc)
		return rc;
	if (!reference_is(sig, id))
		best = V_BADREF;
	for (size_t i = 0; i < k->n && best == V_BAD; i++) {
		enum verdict v = verify_with(k->v[i], sig, el, id);

		if (v == V_ERROR) {
			best = V_ERROR;
			break;
		}
		if (v > best)
			best = v;
	}
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
		                     "xmlsec1 failed while verifying");
	case V_BAD:
		break;
	}
	return s2s_error_set(err, S2S_ESIG,
	                     "the %s signature is not valid for the pinned "
	                     "IdP certificate (or uses a refused algorithm)",
	                     (const char *)el->name);
}

struct verify_ctx {
	const struct keys *keys;
	bool response_signed;
	bool assertion_signed;
};

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
	/* Every signature present must verify. */
	if (rsig) {
		rc = verify_node(v->keys, doc, rsig, root, err);
		if (rc)
			return rc;
		v->response_signed = true;
	}
	if (asig) {
		rc = verify_node(v->keys, doc, asig, assertion, err);
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

static s2s_err verify_common(struct s2s_saml **out, const char *data,
                             size_t len, bool b64,
                             const struct s2s_saml_trust *trust,
                             struct s2s_error *err)
{
	struct keys keys = { { NULL }, 0 };
	struct verify_ctx v = { &keys, false, false };
	struct s2s_saml *saml = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(trust && trust->certs_pem);
	*out = NULL;
	rc = sec_start(err);
	if (!rc)
		rc = keys_load(&keys, trust->certs_pem, err);
	if (rc)
		goto out;
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
	keys_release(&keys);
	s2s_saml_free(saml);
	return rc;
}

s2s_err s2s_saml_verify(struct s2s_saml **out, const char *b64, size_t len,
                        const struct s2s_saml_trust *trust,
                        struct s2s_error *err)
{
	return verify_common(out, b64, len, true, trust, err);
}

s2s_err s2s_saml_verify_xml(struct s2s_saml **out, const char *xml, size_t len,
                            const struct s2s_saml_trust *trust,
                            struct s2s_error *err)
{
	return verify_common(out, xml, len, false, trust, err);
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
