/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: XML canonicalization of the node sets an enveloped
 * XML signature digests and signs, streamed into a sink (a digest).
 * The node set is an element's subtree, optionally without one
 * descendant subtree (the enveloped Signature) and without comments,
 * exactly as xmlsec1 builds it for URI="#id" and for SignedInfo.  Two
 * writers produce the same bytes: libxml2's xmlC14NExecute, and a
 * direct one for exclusive c14n of plain subtrees, which declines
 * (S2S__C14N_DECLINED) whatever it does not handle.  No signature
 * logic here (dsig.c), no parsing.
 */
#ifndef S2S_C14N_H
#define S2S_C14N_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* Whole-document facts both writers depend on: libxml2's c14n fails on
 * any relative or unparsable namespace URI and any entity reference,
 * wherever it is in the document. */
struct s2s__c14n_doc {
	bool checked;
	bool plain; /* none of the above anywhere */
};

/* What to canonicalize and how. */
struct s2s__c14n {
	xmlNodePtr apex;      /* the subtree's root element */
	xmlNodePtr omit;      /* a descendant subtree left out, or NULL */
	bool comments_in_set; /* false for URI="#id", true for SignedInfo */
	bool exclusive;       /* exc-c14n, else Canonical XML 1.0 */
	bool with_comments;   /* the #WithComments variant */
	xmlChar **prefixes;   /* exc-c14n InclusiveNamespaces, or NULL */
	struct s2s__c14n_doc *doc; /* filled on first use; may be NULL */
};

/* Receives the canonical bytes in order; returns 0, or -1 to stop. */
typedef int (*s2s__c14n_sink)(void *payload, const unsigned char *data,
                              size_t len);

#define S2S__C14N_DECLINED 1

/* The direct writer: 0 when the whole canonical form went to sink, -1
 * when the sink failed or memory ran out, S2S__C14N_DECLINED when the
 * subtree is not one it handles (inclusive c14n, InclusiveNamespaces,
 * unqualified elements, processing instructions, rendered comments,
 * entity references, relative namespaces, a '"' in a namespace URI):
 * the sink may have received a prefix of the output, so restart it. */
int s2s__c14n_direct(const struct s2s__c14n *c, s2s__c14n_sink sink,
                     void *payload);

/* Two canonical forms in one walk: inner's apex must lie in outer's
 * node set (an Assertion inside its Response); each goes to its own
 * sink.  Same results as two s2s__c14n_direct calls, declined when
 * either would be or when inner is not inside outer. */
int s2s__c14n_direct2(const struct s2s__c14n *outer, s2s__c14n_sink sink,
                      void *payload, const struct s2s__c14n *inner,
                      s2s__c14n_sink inner_sink, void *inner_payload);

/* libxml2's xmlC14NExecute over the same node set: 0 or -1. */
int s2s__c14n_libxml2(const struct s2s__c14n *c, s2s__c14n_sink sink,
                      void *payload);

/* libxml2 reports c14n errors to the thread's error handlers: silence
 * them around a call into it (xmlsec1's verifier makes such calls). */
struct s2s__c14n_quiet {
	void *structured, *structured_ctx, *generic, *generic_ctx;
};
void s2s__c14n_quiet(struct s2s__c14n_quiet *saved);
void s2s__c14n_unquiet(const struct s2s__c14n_quiet *saved);

/* The direct writer, or libxml2 after restart(payload) when it
 * declines: 0 or -1. */
int s2s__c14n_run(const struct s2s__c14n *c, s2s__c14n_sink sink,
                  int (*restart)(void *payload), void *payload);

#endif
