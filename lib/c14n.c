/* SPDX-License-Identifier: MIT */
/*
 * Canonical XML for enveloped signatures (see c14n.h): the node set of
 * xmlsec1 (an element's subtree, minus the enveloped Signature, minus
 * comments for URI="#id") written either by libxml2's xmlC14NExecute
 * with a visibility callback, or by a direct exclusive-c14n writer
 * that walks only the subtree, keeps the rendered-namespace stack in
 * one array and buffers output in a wiped stack block.  The direct
 * writer follows libxml2's c14n.c (2.9 to 2.13) rule for rule and
 * declines every case where libxml2 has a quirk it does not copy;
 * tests/unit/saml/c14n.c checks the two byte for byte.  It does not
 * parse, hash or verify anything.
 */
#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlversion.h>

#include "common.h"
#include "c14n.h"
#include "xmlparse.h"

#define OUT_BLOCK 8192

/* ------------------------------------------------------------------ */
/* The node set                                                       */
/* ------------------------------------------------------------------ */

/* xmlsec1's tree node sets (xmlSecNodeSetOneContains): node is in the
 * tree of top when it is top, or when its parent chain, through
 * elements only, reaches top.  parent is what libxml2's c14n passes:
 * the owner element for attributes and namespaces. */
static bool in_tree(const xmlNode *top, const xmlNode *node,
                    const xmlNode *parent)
{
	if (node->type != XML_NAMESPACE_DECL && node == top)
		return true;
	for (const xmlNode *p = parent; p && p->type == XML_ELEMENT_NODE;
	     p = p->parent) {
		if (p == top)
			return true;
	}
	return false;
}

static int is_visible(void *payload, xmlNodePtr node, xmlNodePtr parent)
{
	const struct s2s__c14n *c = payload;

	if (node->type == XML_COMMENT_NODE && !c->comments_in_set)
		return 0;
	if (!in_tree(c->apex, node, parent))
		return 0;
	return !(c->omit && in_tree(c->omit, node, parent));
}

/* ------------------------------------------------------------------ */
/* libxml2                                                            */
/* ------------------------------------------------------------------ */

struct io {
	s2s__c14n_sink sink;
	void *payload;
};

static int io_write(void *ctx, const char *buf, int len)
{
	struct io *io = ctx;

	if (len < 0 ||
	    io->sink(io->payload, (const unsigned char *)buf, (size_t)len))
		return -1;
	return len;
}

static void silent_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

void s2s__c14n_quiet(struct s2s__c14n_quiet *saved)
{
	saved->structured = (void *)(uintptr_t)xmlStructuredError;
	saved->structured_ctx = xmlStructuredErrorContext;
	saved->generic = (void *)(uintptr_t)xmlGenericError;
	saved->generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(NULL, s2s__xml_silent_error);
	xmlSetGenericErrorFunc(NULL, silent_generic);
}

void s2s__c14n_unquiet(const struct s2s__c14n_quiet *saved)
{
	xmlSetStructuredErrorFunc(
	        saved->structured_ctx,
	        (xmlStructuredErrorFunc)(uintptr_t)saved->structured);
	xmlSetGenericErrorFunc(saved->generic_ctx,
	                       (xmlGenericErrorFunc)(uintptr_t)saved->generic);
}

int s2s__c14n_libxml2(const struct s2s__c14n *c, s2s__c14n_sink sink,
                      void *payload)
{
	struct io io = { sink, payload };
	struct s2s__c14n_quiet quiet;
	xmlOutputBufferPtr ob;
	int rc;

	ob = xmlOutputBufferCreateIO(io_write, NULL, &io, NULL);
	if (!ob)
		return -1;
	s2s__c14n_quiet(&quiet);
	rc = xmlC14NExecute(c->apex->doc, is_visible, (void *)(uintptr_t)c,
	                    c->exclusive ? XML_C14N_EXCLUSIVE_1_0
	                                 : XML_C14N_1_0,
	                    c->exclusive ? c->prefixes : NULL,
	                    c->with_comments ? 1 : 0, ob);
	if (xmlOutputBufferClose(ob) < 0)
		rc = -1;
	s2s__c14n_unquiet(&quiet);
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The document check                                                 */
/* ------------------------------------------------------------------ */

/* libxml2's xmlC14NCheckForRelativeNamespaces, on one element; and no
 * '"' in a URI (libxml2 then switches to single quotes). */
static bool absolute_namespaces(const xmlNode *el)
{
	for (const xmlNs *ns = el->nsDef; ns; ns = ns->next) {
		xmlURIPtr uri;
		bool ok;

		if (!ns->href || !*ns->href)
			continue;
		if (strchr((const char *)ns->href, '"'))
			return false;
		uri = xmlParseURI((const char *)ns->href);
		ok = uri && uri->scheme && *uri->scheme;
		xmlFreeURI(uri);
		if (!ok)
			return false;
	}
	return true;
}

/* Every node libxml2's c14n walks (all of them: it visits the whole
 * document and decides visibility node by node). */
static bool doc_is_plain(xmlDocPtr doc)
{
	for (xmlNodePtr n = doc->children; n;) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if (!absolute_namespaces(n))
				return false;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		default:
			return false;
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent && n->parent->type == XML_ELEMENT_NODE
			            ? n->parent
			            : NULL;
		if (n)
			n = n->next;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The direct writer: output                                          */
/* ------------------------------------------------------------------ */

/* One canonical form being written: its sink, its output block and
 * its rendered-namespace stack (libxml2's ns_rendered). */
struct target {
	const struct s2s__c14n *c;
	s2s__c14n_sink sink;
	void *payload;
	xmlNsPtr *stack;
	size_t nstack, stack_cap;
	size_t used;
	unsigned char out[OUT_BLOCK];
};

/* The walk writes one or two canonical forms at once: the second one's
 * apex inside the first's node set (the Assertion in the Response).
 * Text, names and attributes are the same bytes for both; namespace
 * declarations are rendered per target. */
#define DECLS 16

/* A rendered namespace declaration, ' xmlns:p="uri"', built once per
 * walk: exclusive c14n repeats them on every element that uses them. */
struct decl {
	const xmlNs *ns;
	char *text;
	size_t len;
};

struct writer {
	struct target t[2];
	unsigned nt;
	unsigned active; /* bit i: t[i] is inside its node set here */
	int rc;          /* 0, -1 or S2S__C14N_DECLINED: the first one sticks */
	void **scratch;  /* per element: namespaces, attributes */
	size_t scratch_cap;
	struct decl decls[DECLS];
	size_t ndecls;
};

static void flush(struct writer *w, struct target *t)
{
	if (t->used && !w->rc && t->sink(t->payload, t->out, t->used))
		w->rc = -1;
	t->used = 0;
}

static void put_slow(struct writer *w, struct target *t, const unsigned char *p,
                     size_t len)
{
	while (len) {
		size_t n = sizeof(t->out) - t->used;

		if (n > len)
			n = len;
		memcpy(t->out + t->used, p, n);
		t->used += n;
		p += n;
		len -= n;
		if (t->used == sizeof(t->out))
			flush(w, t);
	}
}

static inline void put_one(struct writer *w, struct target *t, const void *data,
                           size_t len)
{
	if (len < sizeof(t->out) - t->used) {
		memcpy(t->out + t->used, data, len);
		t->used += len;
		return;
	}
	put_slow(w, t, data, len);
}

/* To every target whose node set holds the current node. */
static inline void put(struct writer *w, const void *data, size_t len)
{
	if (w->active & 1u)
		put_one(w, &w->t[0], data, len);
	if (w->active & 2u)
		put_one(w, &w->t[1], data, len);
}

enum esc { ESC_TEXT, ESC_ATTR };

/* xmlC11NNormalizeString: text escapes & < > CR; attribute values
 * escape & < " TAB LF CR (and not >).  strcspn finds the next one
 * (glibc scans 16 bytes at a time). */
static const char *const esc_set[] = { "&<>\r", "&<\"\t\n\r" };

static const char *escape_of(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\t':
		return "&#x9;";
	case '\n':
		return "&#xA;";
	default:
		return "&#xD;";
	}
}

static void put_escaped(struct writer *w, const xmlChar *s, enum esc mode)
{
	for (;;) {
		size_t n = strcspn((const char *)s, esc_set[mode]);
		const char *rep;

		put(w, s, n);
		s += n;
		if (!*s)
			return;
		rep = escape_of(*s++);
		put(w, rep, strlen(rep));
	}
}

static void decline(struct writer *w)
{
	if (!w->rc)
		w->rc = S2S__C14N_DECLINED;
}

/* ------------------------------------------------------------------ */
/* The direct writer: namespaces and attributes                       */
/* ------------------------------------------------------------------ */

static const xmlChar *or_empty(const xmlChar *s)
{
	return s ? s : (const xmlChar *)"";
}

static bool is_xml_ns(const xmlNs *ns)
{
	return ns && ns->prefix && ns->prefix[0] == 'x' &&
	       strcmp((const char *)ns->prefix, "xml") == 0 && ns->href &&
	       strcmp((const char *)ns->href,
	              (const char *)XML_XML_NAMESPACE) == 0;
}

/* xmlExcC14NVisibleNsStackFind: was this prefix rendered with this URI
 * by an output ancestor (every stacked owner is in the node set)? */
static bool rendered(const struct target *t, const xmlNs *ns)
{
	const char *prefix = (const char *)or_empty(ns->prefix);
	const char *href = (const char *)or_empty(ns->href);

	for (size_t i = t->nstack; i-- > 0;) {
		const xmlNs *s = t->stack[i];
		const char *sp = (const char *)or_empty(s->prefix);

		if (s == ns)
			return true; /* the same declaration */
		if (sp[0] == prefix[0] && strcmp(prefix, sp) == 0)
			return strcmp(href, (const char *)or_empty(s->href)) ==
			       0;
	}
	return !*prefix && !*href;
}

static void push_ns(struct writer *w, struct target *t, xmlNsPtr ns)
{
	if (t->nstack && t->stack[t->nstack - 1] == ns)
		return; /* the same entry again would change no answer */
	if (t->nstack == t->stack_cap) {
		size_t cap = t->stack_cap ? t->stack_cap * 2 : 16;
		xmlNsPtr *v = realloc(t->stack, cap * sizeof(*v));

		if (!v) {
			w->rc = -1;
			return;
		}
		t->stack = v;
		t->stack_cap = cap;
	}
	t->stack[t->nstack++] = ns;
}

static bool scratch_room(struct writer *w, size_t n)
{
	void **v;

	if (n <= w->scratch_cap)
		return true;
	v = realloc(w->scratch, n * sizeof(*v));
	if (!v) {
		w->rc = -1;
		return false;
	}
	w->scratch = v;
	w->scratch_cap = n;
	return true;
}

/* xmlStrcmp order with NULL first, as libxml2's lists sort. */
static int cmp_str(const xmlChar *a, const xmlChar *b)
{
	if (a == b)
		return 0;
	if (!a)
		return -1;
	if (!b)
		return 1;
	return strcmp((const char *)a, (const char *)b);
}

/* xmlC14NAttrsCompare. */
static int cmp_attr(const xmlAttr *a, const xmlAttr *b)
{
	int r;

	if (a->ns == b->ns)
		return cmp_str(a->name, b->name);
	if (!a->ns)
		return -1;
	if (!b->ns)
		return 1;
	if (!a->ns->prefix)
		return -1;
	if (!b->ns->prefix)
		return 1;
	r = cmp_str(a->ns->href, b->ns->href);
	return r ? r : cmp_str(a->name, b->name);
}

/* Insert v[n] in the sorted v[0..n): before the first element not less
 * than it, like xmlListInsert. */
static void insert_sorted(void **v, size_t n,
                          int (*cmp)(const void *, const void *))
{
	void *x = v[n];
	size_t i = 0;

	while (i < n && cmp(v[i], x) < 0)
		i++;
	memmove(v + i + 1, v + i, (n - i) * sizeof(*v));
	v[i] = x;
}

static int cmp_ns_v(const void *a, const void *b)
{
	return cmp_str(((const xmlNs *)a)->prefix, ((const xmlNs *)b)->prefix);
}

static int cmp_attr_v(const void *a, const void *b)
{
	return cmp_attr(a, b);
}

/* xmlExcC14NProcessNamespacesAxis for an element in the node set, with
 * no InclusiveNamespaces: the element's namespace and its attributes'
 * namespaces, each unless rendered already, sorted by prefix. */
/* xmlC14NPrintNamespaces: ' xmlns:p="uri"' or ' xmlns="uri"', the URI
 * as is (libxml2 does not escape it; a '"' in it was declined). */
static void write_decl(struct writer *w, struct target *t, const xmlNs *ns)
{
	const char *prefix = (const char *)ns->prefix;
	const char *href = (const char *)or_empty(ns->href);
	struct decl *d = NULL;
	size_t len;

	for (size_t i = 0; i < w->ndecls && !d; i++) {
		if (w->decls[i].ns == ns)
			d = &w->decls[i];
	}
	if (!d && w->ndecls < DECLS) {
		len = strlen(href) + (prefix ? strlen(prefix) + 10 : 9);
		d = &w->decls[w->ndecls];
		d->text = malloc(len + 1);
		if (!d->text) {
			w->rc = -1;
			return;
		}
		d->ns = ns;
		d->len = (size_t)snprintf(d->text, len + 1,
		                          prefix ? " xmlns:%s=\"%s\""
		                                 : " xmlns=\"%s%s\"",
		                          prefix ? prefix : "", href);
		w->ndecls++;
	}
	if (d) {
		put_one(w, t, d->text, d->len);
		return;
	}
	if (prefix) {
		put_one(w, t, " xmlns:", 7);
		put_one(w, t, prefix, strlen(prefix));
		put_one(w, t, "=\"", 2);
	} else {
		put_one(w, t, " xmlns=\"", 8);
	}
	put_one(w, t, href, strlen(href));
	put_one(w, t, "\"", 1);
}

/* xmlExcC14NProcessNamespacesAxis for an element in t's node set, with
 * no InclusiveNamespaces: the element's namespace and its attributes'
 * namespaces, each unless rendered already, sorted by prefix. */
static void write_namespaces(struct writer *w, struct target *t, xmlNodePtr el)
{
	size_t n = 0, nattr = 0;

	for (xmlAttrPtr a = el->properties; a; a = a->next)
		nattr++;
	if (!scratch_room(w, nattr + 1))
		return;
	if (!rendered(t, el->ns))
		w->scratch[n++] = el->ns;
	push_ns(w, t, el->ns);
	for (xmlAttrPtr a = el->properties; a && !w->rc; a = a->next) {
		bool done;

		if (!a->ns || is_xml_ns(a->ns))
			continue;
		if (!a->ns->prefix || !*a->ns->prefix) {
			decline(w); /* xmlns="" handling: libxml2's */
			return;
		}
		done = rendered(t, a->ns);
		push_ns(w, t, a->ns);
		if (!done) {
			w->scratch[n] = a->ns;
			insert_sorted(w->scratch, n++, cmp_ns_v);
		}
	}
	for (size_t i = 0; i < n && !w->rc; i++) {
		const xmlNs *ns = w->scratch[i];

		if (i && cmp_ns_v(w->scratch[i - 1], ns) == 0) {
			decline(w); /* two bindings of one prefix */
			return;
		}
		write_decl(w, t, ns);
	}
}

static void write_attr(struct writer *w, const xmlAttr *a)
{
	put(w, " ", 1);
	if (a->ns && a->ns->prefix && *a->ns->prefix) {
		put(w, a->ns->prefix, strlen((const char *)a->ns->prefix));
		put(w, ":", 1);
	}
	put(w, a->name, strlen((const char *)a->name));
	put(w, "=\"", 2);
	for (const xmlNode *t = a->children; t; t = t->next) {
		if (t->type != XML_TEXT_NODE) {
			decline(w);
			return;
		}
		if (t->content)
			put_escaped(w, t->content, ESC_ATTR);
	}
	put(w, "\"", 1);
}

/* xmlC14NProcessAttrsAxis (exclusive): every attribute, sorted. */
static void write_attrs(struct writer *w, xmlNodePtr el)
{
	size_t n = 0;

	for (xmlAttrPtr a = el->properties; a; a = a->next)
		n++;
	if (!n || !scratch_room(w, n))
		return;
	n = 0;
	for (xmlAttrPtr a = el->properties; a; a = a->next) {
		w->scratch[n] = a;
		insert_sorted(w->scratch, n++, cmp_attr_v);
	}
	for (size_t i = 0; i < n && !w->rc; i++)
		write_attr(w, w->scratch[i]);
}

/* ------------------------------------------------------------------ */
/* The direct writer: the tree                                        */
/* ------------------------------------------------------------------ */

/* The element's QName: prefix (when not empty), ':', local name. */
struct qname {
	const xmlChar *prefix, *name;
	size_t prefix_len, name_len;
};

static void qname_init(struct qname *q, const xmlNode *el)
{
	q->prefix = el->ns->prefix;
	q->prefix_len = q->prefix ? strlen((const char *)q->prefix) : 0;
	q->name = el->name;
	q->name_len = strlen((const char *)el->name);
}

static void write_qname(struct writer *w, const struct qname *q)
{
	if (q->prefix_len) {
		put(w, q->prefix, q->prefix_len);
		put(w, ":", 1);
	}
	put(w, q->name, q->name_len);
}

static void write_element(struct writer *w, xmlNodePtr el);

/* The targets whose node set holds n, a child of a node they hold. */
static unsigned active_for(const struct writer *w, const xmlNode *n)
{
	unsigned active = w->active;

	for (unsigned i = 0; i < w->nt; i++) {
		if (n == w->t[i].c->omit)
			active &= ~(1u << i);
	}
	return active;
}

static void write_child(struct writer *w, xmlNodePtr n)
{
	unsigned saved = w->active;

	switch (n->type) {
	case XML_ELEMENT_NODE:
		w->active = active_for(w, n);
		if (w->nt > 1 && n == w->t[1].c->apex && (saved & 1u)) {
			w->active |= 2u; /* the inner apex: a fresh stack */
			w->t[1].nstack = 0;
		}
		if (w->active)
			write_element(w, n);
		w->active = saved;
		break;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content)
			put_escaped(w, n->content, ESC_TEXT);
		break;
	case XML_COMMENT_NODE:
		/* libxml2 adds line feeds around comments and PIs outside
		 * the document element, which it judges by position: leave
		 * rendered ones to it. */
		for (unsigned i = 0; i < w->nt; i++) {
			if ((w->active & (1u << i)) &&
			    w->t[i].c->comments_in_set &&
			    w->t[i].c->with_comments)
				decline(w);
		}
		break;
	default:
		decline(w);
		break;
	}
}

static void write_element(struct writer *w, xmlNodePtr el)
{
	size_t mark[2] = { w->t[0].nstack, w->t[1].nstack };
	struct qname q;

	if (!el->ns || is_xml_ns(el->ns)) {
		decline(w);
		return;
	}
	qname_init(&q, el);
	put(w, "<", 1);
	write_qname(w, &q);
	for (unsigned i = 0; i < w->nt && !w->rc; i++) {
		if (w->active & (1u << i))
			write_namespaces(w, &w->t[i], el);
	}
	write_attrs(w, el);
	put(w, ">", 1);
	for (xmlNodePtr n = el->children; n && !w->rc; n = n->next)
		write_child(w, n);
	put(w, "</", 2);
	write_qname(w, &q);
	put(w, ">", 1);
	w->t[0].nstack = mark[0];
	w->t[1].nstack = mark[1];
}

static bool direct_ok(const struct s2s__c14n *c)
{
	struct s2s__c14n_doc local = { false, false };
	struct s2s__c14n_doc *doc = c->doc ? c->doc : &local;

	if (!c->exclusive || (c->prefixes && c->prefixes[0]))
		return false;
	if (!doc->checked) {
		doc->plain = doc_is_plain(c->apex->doc);
		doc->checked = true;
	}
	return doc->plain;
}

static void target_init(struct target *t, const struct s2s__c14n *c,
                        s2s__c14n_sink sink, void *payload)
{
	t->c = c;
	t->sink = sink;
	t->payload = payload;
	t->stack = NULL;
	t->nstack = t->stack_cap = 0;
	t->used = 0; /* out[] is written before it is read */
}

/* Walk from c[0]'s apex, writing each target's canonical form. */
static int walk(struct writer *w)
{
	w->rc = 0;
	w->scratch = NULL;
	w->scratch_cap = 0;
	w->ndecls = 0;
	w->active = 1u;
	write_element(w, w->t[0].c->apex);
	for (size_t i = 0; i < w->ndecls; i++)
		free(w->decls[i].text);
	for (unsigned i = 0; i < w->nt; i++) {
		flush(w, &w->t[i]);
		free(w->t[i].stack);
		s2s_memzero(w->t[i].out, sizeof(w->t[i].out)); /* secrets */
	}
	free(w->scratch);
	return w->rc;
}

int s2s__c14n_direct(const struct s2s__c14n *c, s2s__c14n_sink sink,
                     void *payload)
{
	struct writer w;

	if (!direct_ok(c))
		return S2S__C14N_DECLINED;
	w.nt = 1;
	target_init(&w.t[0], c, sink, payload);
	w.t[1].nstack = 0;
	return walk(&w);
}

int s2s__c14n_direct2(const struct s2s__c14n *outer, s2s__c14n_sink sink,
                      void *payload, const struct s2s__c14n *inner,
                      s2s__c14n_sink inner_sink, void *inner_payload)
{
	struct writer w;

	if (!direct_ok(outer) || !direct_ok(inner) ||
	    inner->apex == outer->apex ||
	    !in_tree(outer->apex, inner->apex, inner->apex->parent) ||
	    (outer->omit &&
	     in_tree(outer->omit, inner->apex, inner->apex->parent)))
		return S2S__C14N_DECLINED;
	w.nt = 2;
	target_init(&w.t[0], outer, sink, payload);
	target_init(&w.t[1], inner, inner_sink, inner_payload);
	return walk(&w);
}

int s2s__c14n_run(const struct s2s__c14n *c, s2s__c14n_sink sink,
                  int (*restart)(void *payload), void *payload)
{
	int rc = s2s__c14n_direct(c, sink, payload);

	if (rc != S2S__C14N_DECLINED)
		return rc;
	if (restart && restart(payload))
		return -1;
	return s2s__c14n_libxml2(c, sink, payload);
}
