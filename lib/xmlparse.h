/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: the one hardened libxml2 set-up for XML from the
 * network (SAMLResponse, IdP metadata, ECP answers), and the wiping free
 * that every libxml2 tree (XML or HTML) goes through, with the one
 * document-order walk the tree readers share.  The HTML parser itself
 * stays in html.c; this module does not read any element.
 */
#ifndef S2S_XMLPARSE_H
#define S2S_XMLPARSE_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "saml2sts/error.h"

/* How a document is named in messages, the code its errors carry and
 * the largest size accepted. */
struct s2s__xml_limits {
	const char *what; /* "SAMLResponse": "<what> has a DOCTYPE" */
	s2s_err code;     /* S2S_ESAML, S2S_EIDP, ... */
	size_t max;       /* bytes */
};

/* Once per process: libxml2 initialised and every external entity, DTD
 * or XInclude load refused.  Idempotent and thread-safe. */
void s2s__xml_init(void);

/* Install the deny-all entity loader again, after a library (xmlsec)
 * replaced it with its own. */
void s2s__xml_deny_loads(void);

/* The parse options: NONET, no diagnostics, NO_XXE (libxml2 >= 2.13),
 * NO_SYS_CATALOG (>= 2.14); never NOENT, DTDLOAD or DTDVALID. */
int s2s__xml_options(void);

/* Parse len bytes of XML into *out (free it with s2s__xml_free_doc).
 * Refused with lim->code and a one-line message: more than lim->max
 * bytes, "<!DOCTYPE" anywhere (any case, even in a comment), a DOCTYPE
 * the parser meets (stopped at the SAX internalSubset hook, whatever
 * the encoding), XML that is not well-formed or not namespace
 * well-formed.  Nothing is printed. */
s2s_err s2s__xml_parse(xmlDocPtr *out, const char *xml, size_t len,
                       const struct s2s__xml_limits *lim,
                       struct s2s_error *err);

/* The node after n in document order within top's subtree (top, an
 * element or the document itself, excluded), or NULL at its end; only
 * elements are entered (not entity references, not the DTD). */
xmlNodePtr s2s__xml_next_node(xmlNodePtr n, const void *top);

/* Wipe every text, CDATA, comment and PI value and every attribute
 * value of doc (XML or HTML: the documents hold secrets), then free
 * it.  NULL is a no-op.  Copies inside libxml2's input buffers and
 * dictionary-interned short strings are not wiped. */
void s2s__xml_free_doc(xmlDocPtr doc);

/* An error handler that drops libxml2's messages (ours say what failed). */
#if LIBXML_VERSION >= 21200
void s2s__xml_silent_error(void *ctx, const xmlError *e);
#else
void s2s__xml_silent_error(void *ctx, xmlErrorPtr e);
#endif

#endif
