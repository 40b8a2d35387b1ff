/* SPDX-License-Identifier: MIT */
/*
 * The xmlsec1 verifier of old, kept as the reference the direct
 * verifier (dsig.c, c14n.c) is held to: the differential unit test, the
 * saml_verify_diff fuzz target and bench/verify_bench.c call
 * s2s__saml_use_xmlsec() and then verify with S2S__SIG_XMLSEC.  This
 * file is in saml2sts_core only: the product's network module does not
 * link xmlsec1 (saml_int.h).
 */
#include <pthread.h>

#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "common.h"
#include "c14n.h"
#include "saml_int.h"
#include "xmlparse.h"

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

/* Does sig, checked with key, sign exactly el (whose ID is id)? */
static int verify_with(void *key_, xmlNodePtr sig, xmlNodePtr el,
                       const xmlChar *id)
{
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
	xmlSecDSigReferenceCtxPtr ref;
	struct s2s__c14n_quiet quiet;
	xmlSecKeyPtr key = key_;
	int v = S2S__XMLSEC_BAD;
	int rc;

	if (!ctx)
		return S2S__XMLSEC_ERROR;
	/* Borrowed: handed back before the context is destroyed. */
	ctx->signKey = key;
	if (enable_transforms(ctx) < 0) {
		v = S2S__XMLSEC_ERROR;
		goto out;
	}
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	s2s__c14n_quiet(&quiet);
	rc = xmlSecDSigCtxVerify(ctx, sig);
	s2s__c14n_unquiet(&quiet);
	if (rc < 0 || ctx->status != xmlSecDSigStatusSucceeded)
		goto out;
	/* One reference, to el, checked. */
	v = S2S__XMLSEC_BADREF;
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
	v = S2S__XMLSEC_OK;
out:
	ctx->signKey = NULL;
	xmlSecDSigCtxDestroy(ctx);
	return v;
}

static s2s_err load_key(void **out, const char *pem, size_t len,
                        struct s2s_error *err)
{
	s2s_err rc = sec_start(err);

	*out = NULL;
	if (rc)
		return rc;
	*out = xmlSecCryptoAppKeyLoadMemory(
	        (const xmlSecByte *)pem, (xmlSecSize)len,
	        xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
	return *out ? S2S_OK
	            : s2s_error_set(
	                      err, S2S_ECONFIG,
	                      "IdP certificate cannot be read by xmlsec1");
}

static void free_key(void *key)
{
	xmlSecKeyDestroy(key);
}

static const struct s2s__xmlsec_ops ops = {
	.load_key = load_key,
	.free_key = free_key,
	.verify = verify_with,
};

void s2s__saml_use_xmlsec(void)
{
	s2s__xmlsec = &ops;
}
