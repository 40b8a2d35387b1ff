/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: lib/c14n.c's direct exclusive-c14n writer against
 * libxml2's xmlC14NExecute on any document the hardened parser takes.
 * Every element is an apex, with and without its last ds:Signature
 * child left out, with and without comments in the node set; the direct
 * writer must decline or produce exactly libxml2's bytes, and one walk
 * over an element and its first child element must produce the two
 * forms of two walks.  Any difference is a crash.  Seeds: SAML
 * documents with namespace and escaping variety.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <saml2sts/buf.h>

#include "c14n.h"
#include "xmlparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS_DSIG    "http://www.w3.org/2000/09/xmldsig#"
#define MAX_APEXES 64 /* bound the work per input */

static const struct s2s__xml_limits limits = {
	.what = "document",
	.code = S2S_ESAML,
	.max = (size_t)64 * 1024,
};

static int sink(void *payload, const unsigned char *data, size_t len)
{
	return s2s_buf_add(payload, data, len) ? -1 : 0;
}

static bool same(const struct s2s_buf *a, const struct s2s_buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->ptr, b->ptr, a->len));
}

static xmlNodePtr signature_of(xmlNodePtr el)
{
	xmlNodePtr sig = NULL;

	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
		    strcmp((const char *)c->ns->href, NS_DSIG) == 0 &&
		    strcmp((const char *)c->name, "Signature") == 0)
			sig = c;
	}
	return sig;
}

static void one(const struct s2s__c14n *c)
{
	struct s2s_buf a = S2S_BUF_INIT, b = S2S_BUF_INIT;
	int ra = s2s__c14n_direct(c, sink, &a);

	if (ra != S2S__C14N_DECLINED) {
		int rb = s2s__c14n_libxml2(c, sink, &b);

		if (ra != rb || !same(&a, &b))
			__builtin_trap();
	}
	s2s_buf_release(&a);
	s2s_buf_release(&b);
}

static void pair(const struct s2s__c14n *outer, const struct s2s__c14n *inner)
{
	struct s2s_buf a = S2S_BUF_INIT, b = S2S_BUF_INIT;
	struct s2s_buf sa = S2S_BUF_INIT, sb = S2S_BUF_INIT;

	if (s2s__c14n_direct2(outer, sink, &a, inner, sink, &b) == 0) {
		if (s2s__c14n_direct(outer, sink, &sa) ||
		    s2s__c14n_direct(inner, sink, &sb) || !same(&a, &sa) ||
		    !same(&b, &sb))
			__builtin_trap();
	}
	s2s_buf_release(&a);
	s2s_buf_release(&b);
	s2s_buf_release(&sa);
	s2s_buf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s__c14n_doc info = { false, false };
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int apexes = 0;

	if (s2s__xml_parse(&doc, (const char *)data, size, &limits, &err))
		return 0;
	root = xmlDocGetRootElement(doc);
	for (xmlNodePtr el = root; el && apexes < MAX_APEXES;
	     el = s2s__xml_next_node(el, doc)) {
		xmlNodePtr child = NULL;

		if (el->type != XML_ELEMENT_NODE)
			continue;
		apexes++;
		for (int mode = 0; mode < 4; mode++) {
			struct s2s__c14n c = {
				el,       NULL, (mode & 1) != 0, true,
				mode > 1, NULL, &info,
			};

			one(&c);
			c.omit = signature_of(el);
			if (c.omit)
				one(&c);
		}
		for (xmlNodePtr c = el->children; c && !child; c = c->next) {
			if (c->type == XML_ELEMENT_NODE)
				child = c;
		}
		if (child) {
			struct s2s__c14n outer = { el,    signature_of(el),
				                   false, true,
				                   false, NULL,
				                   &info };
			struct s2s__c14n inner = { child, signature_of(child),
				                   false, true,
				                   false, NULL,
				                   &info };

			pair(&outer, &inner);
		}
	}
	s2s__xml_free_doc(doc);
	return 0;
}
