/* SPDX-License-Identifier: MIT */
/*
 * The hardened libxml2 parse for XML from the network: no network, no
 * DTD loading or validation, no entity substitution, a deny-all external
 * entity loader, a DOCTYPE refused before anything in it is read, a size
 * cap and silence on stderr; and the free that wipes a tree first,
 * because the documents are bearer tokens and passwords.  It does not
 * interpret any document: saml.c, saml_verify.c, ecp.c and html.c do.
 */
#include <pthread.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/dict.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "common.h"
#include "xmlparse.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* Process-wide: nothing in saml2sts loads XML from a file or URL, so
 * every external entity, DTD or XInclude load is refused. */
static xmlParserInputPtr deny_entity_loader(const char *url, const char *id,
                                            xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void s2s__xml_deny_loads(void)
{
	xmlSetExternalEntityLoader(deny_entity_loader);
}

static void xml_global_init(void)
{
	xmlInitParser();
	s2s__xml_deny_loads();
}

void s2s__xml_init(void)
{
	pthread_once(&xml_once, xml_global_init);
}

int s2s__xml_options(void)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

	/* Enum values, not macros: test the version. */
#if LIBXML_VERSION >= 21300
	opts |= XML_PARSE_NO_XXE;
#endif
#if LIBXML_VERSION >= 21400
	opts |= XML_PARSE_NO_SYS_CATALOG;
#endif
	return opts;
}

#if LIBXML_VERSION >= 21200
void s2s__xml_silent_error(void *ctx, const xmlError *e)
#else
void s2s__xml_silent_error(void *ctx, xmlErrorPtr e)
#endif
{
	(void)ctx;
	(void)e;
}

#if LIBXML_VERSION < 21300
static void silent_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}
#endif

/* The SAX hook runs when "<!DOCTYPE name ..." has been read and before
 * any declaration in it: stop there, whatever the encoding. */
static void refuse_doctype(void *ctx, const xmlChar *name,
                           const xmlChar *public_id, const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	xmlStopParser(ctx);
}

/* The cheap first line: "<!DOCTYPE" anywhere in ASCII-compatible input.
 * UTF-16 input gets past it and is stopped by refuse_doctype. */
static bool has_doctype(const char *xml, size_t len)
{
	static const char tag[] = "<!DOCTYPE";
	size_t n = sizeof(tag) - 1;
	const char *p = xml, *last;

	if (len < n)
		return false;
	last = xml + (len - n); /* the last place a tag can start */
	/* memchr to each '<': a byte loop here cost 10 % of a parse */
	for (;;) {
		p = memchr(p, '<', (size_t)(last - p) + 1);
		if (!p)
			return false;
		if (p[1] == '!' && strncasecmp(p, tag, n) == 0)
			return true;
		if (p == last)
			return false;
		p++;
	}
}

static s2s_err parse_ctxt(xmlDocPtr *out, const char *xml, size_t len,
                          const struct s2s__xml_limits *lim,
                          struct s2s_error *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlError *e;
	s2s_err rc = S2S_OK;

	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
#if LIBXML_VERSION >= 21300
	xmlCtxtSetErrorHandler(ctxt, s2s__xml_silent_error, NULL);
#else
	ctxt->sax->serror = s2s__xml_silent_error;
#endif
	ctxt->sax->internalSubset = refuse_doctype;
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL,
	                        s2s__xml_options());
	if (ctxt->errNo == XML_ERR_USER_STOP ||
	    (doc && (doc->intSubset || doc->extSubset))) {
		rc = s2s_error_set(err, lim->code, "%s has a DOCTYPE",
		                   lim->what);
		goto out;
	}
	e = xmlCtxtGetLastError(ctxt);
	if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		rc = s2s_error_set(err, lim->code,
		                   "%s is not well-formed XML (line %d)",
		                   lim->what, e ? e->line : 0);
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	/* A refused document is never walked: a DTD node is not an
	 * xmlNode, so it is freed as it is. */
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

s2s_err s2s__xml_parse(xmlDocPtr *out, const char *xml, size_t len,
                       const struct s2s__xml_limits *lim, struct s2s_error *err)
{
	s2s_err rc;
#if LIBXML_VERSION < 21300
	xmlGenericErrorFunc old_generic;
	void *old_generic_ctx;
#endif

	S2S_ASSERT_ARG(out && lim && lim->what);
	S2S_ASSERT_ARG(xml || !len);
	*out = NULL;
	if (len > lim->max || len > (size_t)INT32_MAX)
		return s2s_error_set(err, lim->code,
		                     "%s is larger than %zu KiB", lim->what,
		                     lim->max / 1024);
	if (has_doctype(xml, len))
		return s2s_error_set(err, lim->code, "%s has a DOCTYPE",
		                     lim->what);
	s2s__xml_init();
#if LIBXML_VERSION < 21300
	/* Encoding errors bypass the context; this handler is per thread. */
	old_generic = xmlGenericError;
	old_generic_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, silent_generic);
#endif
	rc = parse_ctxt(out, xml ? xml : "", len, lim, err);
#if LIBXML_VERSION < 21300
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
#endif
	return rc;
}

/* Only elements are entered: the children of an entity reference are
 * the entity's declaration, and a DTD node is not an xmlNode. */
xmlNodePtr s2s__xml_next_node(xmlNodePtr n, const void *top)
{
	if (n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n && (const void *)n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static void wipe_text(const xmlDoc *doc, xmlNodePtr n)
{
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		break;
	default:
		return;
	}
	if (!n->content)
		return;
	if (doc->dict && xmlDictOwns(doc->dict, n->content) == 1)
		return; /* shared, short strings */
	s2s_memzero(n->content, strlen((const char *)n->content));
}

void s2s__xml_free_doc(xmlDocPtr doc)
{
	if (!doc)
		return;
	for (xmlNodePtr n = doc->children; n; n = s2s__xml_next_node(n, doc)) {
		wipe_text(doc, n);
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			for (xmlNodePtr t = a->children; t; t = t->next)
				wipe_text(doc, t);
		}
	}
	xmlFreeDoc(doc);
}
