/* SPDX-License-Identifier: MIT */
/*
 * lib/c14n.c: the direct exclusive-c14n writer against libxml2's
 * xmlC14NExecute over the same node sets, byte for byte.  Every element
 * of every document of the signed corpus, the verify fuzz corpora and a
 * table of namespace, attribute and escaping cases is canonicalized as
 * an apex, with and without its enveloped Signature, with and without
 * comments; the direct writer must either decline or write exactly what
 * libxml2 writes, and it must not decline on the signed responses.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/buf.h>

#include "c14n.h"
#include "xmlparse.h"

#define NS_DSIG "http://www.w3.org/2000/09/xmldsig#"

static const struct s2s__xml_limits limits = {
	.what = "document",
	.code = S2S_ESAML,
	.max = (size_t)1024 * 1024,
};

static int sink(void *payload, const unsigned char *data, size_t len)
{
	return s2s_buf_add(payload, data, len) ? -1 : 0;
}

struct tally {
	unsigned compared, declined;
};

static bool is_sig(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns &&
	       strcmp((const char *)n->ns->href, NS_DSIG) == 0 &&
	       strcmp((const char *)n->name, "Signature") == 0;
}

/* One node set both ways; false when the writers disagree. */
static bool compare(const struct s2s__c14n *c, struct tally *t,
                    const char *what)
{
	struct s2s_buf a = S2S_BUF_INIT, b = S2S_BUF_INIT;
	int ra = s2s__c14n_direct(c, sink, &a);
	int rb = s2s__c14n_libxml2(c, sink, &b);
	bool ok = true;

	if (ra == S2S__C14N_DECLINED) {
		t->declined++;
	} else {
		t->compared++;
		if (ra != rb || a.len != b.len ||
		    (a.len && memcmp(a.ptr, b.ptr, a.len) != 0)) {
			print_error("%s: <%s> direct %d '%.*s'\n"
			            "    libxml2 %d '%.*s'\n",
			            what, (const char *)c->apex->name, ra,
			            (int)a.len, a.ptr ? a.ptr : "", rb,
			            (int)b.len, b.ptr ? b.ptr : "");
			ok = false;
		}
	}
	s2s_buf_release(&a);
	s2s_buf_release(&b);
	return ok;
}

static xmlNodePtr direct_signature(xmlNodePtr el)
{
	xmlNodePtr sig = NULL;

	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (is_sig(c))
			sig = c;
	}
	return sig;
}

/* Both forms in one walk (s2s__c14n_direct2) must be the two forms of
 * two single walks, byte for byte, or be declined. */
static bool compare_pair(const struct s2s__c14n *outer,
                         const struct s2s__c14n *inner, struct tally *t,
                         const char *what)
{
	struct s2s_buf a = S2S_BUF_INIT, b = S2S_BUF_INIT;
	struct s2s_buf sa = S2S_BUF_INIT, sb = S2S_BUF_INIT;
	int r = s2s__c14n_direct2(outer, sink, &a, inner, sink, &b);
	bool ok = true;

	if (r == S2S__C14N_DECLINED) {
		t->declined++;
	} else {
		int ra = s2s__c14n_direct(outer, sink, &sa);
		int rb = s2s__c14n_direct(inner, sink, &sb);

		t->compared++;
		if (ra || rb || r || a.len != sa.len || b.len != sb.len ||
		    (a.len && memcmp(a.ptr, sa.ptr, a.len)) ||
		    (b.len && memcmp(b.ptr, sb.ptr, b.len))) {
			print_error("%s: <%s> in <%s>: one walk differs\n",
			            what, (const char *)inner->apex->name,
			            (const char *)outer->apex->name);
			ok = false;
		}
	}
	s2s_buf_release(&a);
	s2s_buf_release(&b);
	s2s_buf_release(&sa);
	s2s_buf_release(&sb);
	return ok;
}

/* Outer apex each element, inner each child and grandchild element. */
static unsigned check_pairs(xmlNodePtr root, struct s2s__c14n_doc *info,
                            const char *what, struct tally *t)
{
	unsigned bad = 0;

	for (xmlNodePtr el = root; el; el = s2s__xml_next_node(el, root)) {
		struct s2s__c14n outer = {
			el, direct_signature(el), false, true, false, NULL, info
		};

		if (el->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNodePtr c = el->children; c; c = c->next) {
			for (xmlNodePtr f = c; f;
			     f = f == c ? c->children : f->next) {
				struct s2s__c14n inner = {
					f,     direct_signature(f),
					false, true,
					false, NULL,
					info,
				};

				if (f->type == XML_ELEMENT_NODE)
					bad += !compare_pair(&outer, &inner, t,
					                     what);
			}
		}
	}
	return bad;
}

/* Every element as apex, in the node sets dsig.c builds. */
static unsigned check_doc(const char *xml, size_t len, const char *what,
                          struct tally t[2])
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s__c14n_doc info = { false, false };
	xmlDocPtr doc = NULL;
	unsigned bad = 0;
	xmlNodePtr root;

	if (s2s__xml_parse(&doc, xml, len, &limits, &err))
		return 0; /* refused before any c14n */
	root = xmlDocGetRootElement(doc);
	for (xmlNodePtr el = root; el; el = s2s__xml_next_node(el, doc)) {
		xmlNodePtr sig = NULL;

		if (el->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNodePtr c = el->children; c; c = c->next) {
			if (is_sig(c))
				sig = c;
		}
		for (int mode = 0; mode < 4; mode++) {
			struct s2s__c14n c = { el,       NULL, mode & 1, true,
				               mode & 2, NULL, &info };

			bad += !compare(&c, &t[0], what);
			if (sig) {
				c.omit = sig;
				bad += !compare(&c, &t[0], what);
			}
		}
	}
	bad += check_pairs(root, &info, what, &t[1]);
	s2s__xml_free_doc(doc);
	return bad;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s) {
		s[n] = '\0';
		*len = (size_t)n;
	}
	return s;
}

static unsigned check_dir(const char *dir, struct tally t[2], unsigned *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned bad = 0;

	if (!d)
		fail_msg("cannot open %s", dir);
	for (e = readdir(d); e; e = readdir(d)) {
		char path[1024];
		size_t len = 0;
		char *xml;

		if (!strstr(e->d_name, ".xml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		xml = slurp(path, &len);
		assert_non_null(xml);
		bad += check_doc(xml, len, e->d_name, t);
		(*files)++;
		free(xml);
	}
	closedir(d);
	return bad;
}

static void test_saml_c14n__corpora_match_libxml2(void **state)
{
	static const char *const dirs[] = {
		S2S_FIXTURES "/saml/signed",
		S2S_FIXTURES "/saml",
		S2S_FIXTURES "/../fuzz/corpora/saml_verify",
		S2S_FIXTURES "/../fuzz/corpora/saml_verify_diff",
	};
	struct tally t[2] = { { 0, 0 }, { 0, 0 } };
	unsigned bad = 0, files = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		bad += check_dir(dirs[i], t, &files);
	print_message("%u files, %u node sets compared, %u declined; "
	              "%u pairs in one walk, %u declined\n",
	              files, t[0].compared, t[0].declined, t[1].compared,
	              t[1].declined);
	assert_true(files > 40);
	assert_true(t[0].compared > 1000);
	assert_true(t[1].compared > 1000);
	assert_int_equal(0, bad);
}

/* Namespace, attribute and escaping cases the corpus may not hold. */
static void test_saml_c14n__cases_match_libxml2(void **state)
{
	static const char *const docs[] = {
		/* default namespace, redeclared, then a prefixed child */
		"<a xmlns='urn:a'><b xmlns='urn:b'><c/><p:d xmlns:p='urn:a'"
		" p:x='1' y='2'/></b><e/></a>",
		/* one prefix bound to two URIs on the way down */
		"<p:a xmlns:p='urn:1'><p:b xmlns:p='urn:2'><p:c/></p:b>"
		"<p:d/></p:a>",
		/* unused declarations are dropped, used ones kept once */
		"<a:r xmlns:a='urn:a' xmlns:b='urn:b' xmlns:c='urn:c'>"
		"<a:s b:t='1' a:u='2' v='3'><b:w/></a:s></a:r>",
		/* attribute order: unqualified first, then by URI, name */
		"<x:e xmlns:x='urn:z' xmlns:y='urn:a' zz='1' aa='2' "
		"y:q='3' x:b='4' y:a='5'/>",
		/* two prefixes for one URI on attributes */
		"<e xmlns='urn:d' xmlns:p='urn:s' xmlns:q='urn:s' p:a='1' "
		"q:b='2'/>",
		/* escaping in text and attributes */
		"<p:e xmlns:p='urn:p' a='&lt;&amp;&gt;&quot;&#9;&#10;&#13;'>"
		"&lt;&amp;&gt;\"'&#13;&#9;<![CDATA[<&>]]></p:e>",
		/* xml:lang and xml:space, the xml namespace never declared */
		"<p:e xmlns:p='urn:p' xml:lang='en'><p:f xml:space="
		"'preserve'> x </p:f></p:e>",
		/* comments and PIs inside (declined when rendered) */
		"<p:e xmlns:p='urn:p'><!-- c --><?pi data?><p:f/></p:e>",
		/* an unqualified element under a default namespace parent */
		"<a xmlns='urn:a'><b xmlns=''><c/></b></a>",
		/* UTF-8 text and attribute values */
		"<p:e xmlns:p='urn:p' a='\xc3\xa9\xe2\x82\xac'>"
		"\xf0\x9f\x94\x91</p:e>",
		/* a Signature-like child omitted with its namespaces */
		"<s:A xmlns:s='urn:s' ID='x'><s:I>i</s:I><ds:Signature "
		"xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><ds:SignedInfo/>"
		"</ds:Signature><s:B xmlns:ds='urn:other' ds:z='1'/></s:A>",
		/* a namespace URI with characters c14n does not escape */
		"<p:e xmlns:p='urn:a&amp;b&lt;c'/>",
		/* a relative namespace URI: libxml2 refuses the document */
		"<p:e xmlns:p='relative/path'><p:f/></p:e>",
	};
	struct tally t[2] = { { 0, 0 }, { 0, 0 } };
	unsigned bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "case %zu", i);
		bad += check_doc(docs[i], strlen(docs[i]), what, t);
	}
	print_message("%u node sets compared, %u declined; %u pairs, %u "
	              "declined\n",
	              t[0].compared, t[0].declined, t[1].compared,
	              t[1].declined);
	assert_int_equal(0, bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saml_c14n__corpora_match_libxml2),
		cmocka_unit_test(test_saml_c14n__cases_match_libxml2),
	};

	return cmocka_run_group_tests_name("saml::c14n", tests, NULL, NULL);
}
