/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/xmlparse.c, the one hardened libxml2 parse: DOCTYPE
 * and external entities refused, size cap, options, and its three users
 * (SAML, ECP, HTML) going through it. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <saml2sts/buf.h>
#include <saml2sts/ecp.h>
#include <saml2sts/html.h>
#include <saml2sts/saml.h>

#include "xmlparse.h"

static const struct s2s__xml_limits lim = {
	.what = "test document",
	.code = S2S_EIDP,
	.max = 4096,
};

static char marker[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(marker, sizeof(marker), "/tmp/s2s-xmlparse-XXXXXX");
	fd = mkstemp(marker);
	if (fd < 0)
		return -1;
	if (write(fd, "SECRET-FILE-CONTENT", 19) != 19) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(marker);
	return 0;
}

/* ASCII to UTF-16LE with a byte order mark: "<!DOCTYPE" is then no
 * longer visible to a byte scan, only to the parser. */
static char *utf16le(const char *s, size_t *len_out)
{
	size_t n = strlen(s);
	char *w = malloc(2 * n + 2);

	assert_non_null(w);
	w[0] = (char)0xff;
	w[1] = (char)0xfe;
	for (size_t i = 0; i < n; i++) {
		w[2 + 2 * i] = s[i];
		w[3 + 2 * i] = 0;
	}
	*len_out = 2 * n + 2;
	return w;
}

static void expect_refused(const char *xml, size_t len, const char *msg)
{
	struct s2s_error err = S2S_ERROR_INIT;
	xmlDocPtr doc = NULL;

	assert_int_equal(S2S_EIDP, s2s__xml_parse(&doc, xml, len, &lim, &err));
	assert_null(doc);
	assert_non_null(strstr(err.msg, msg));
}

static void test_xmlparse_parse__parses_and_frees(void **state)
{
	static const char xml[] = "<a xmlns=\"urn:x\" k=\"v\"><!-- c -->"
	                          "t<![CDATA[d]]><?pi x?></a>";
	struct s2s_error err = S2S_ERROR_INIT;
	xmlDocPtr doc = NULL;

	(void)state;
	assert_int_equal(
	        S2S_OK, s2s__xml_parse(&doc, xml, sizeof(xml) - 1, &lim, &err));
	assert_non_null(doc);
	assert_string_equal("a", (const char *)xmlDocGetRootElement(doc)->name);
	s2s__xml_free_doc(doc);
	s2s__xml_free_doc(NULL);
}

static void test_xmlparse_parse__refuses_doctype(void **state)
{
	static const char *const docs[] = {
		"<!DOCTYPE r><r/>",
		"<!doctype r><r/>",
		"<r><!-- <!DOCTYPE --></r>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e \"x\">]>"
		"<r>&e;</r>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		expect_refused(docs[i], strlen(docs[i]),
		               "test document has a DOCTYPE");
}

/* Past the byte scan, the SAX internalSubset hook stops the parser. */
static void test_xmlparse_parse__refuses_doctype_in_utf16(void **state)
{
	size_t len;
	char *w = utf16le("<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>", &len);

	(void)state;
	expect_refused(w, len, "test document has a DOCTYPE");
	free(w);
}

/* An external entity needs a DOCTYPE: refused, and the file is never
 * read (its content cannot show up anywhere). */
static void test_xmlparse_parse__refuses_external_entity(void **state)
{
	char doc[256];
	char *w;
	size_t len;

	(void)state;
	snprintf(doc, sizeof(doc),
	         "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
	         "<!DOCTYPE r [<!ENTITY x SYSTEM \"file://%s\">]><r>&x;</r>",
	         marker);
	expect_refused(doc, strlen(doc), "DOCTYPE");
	w = utf16le(doc, &len);
	expect_refused(w, len, "DOCTYPE");
	free(w);
	/* An undeclared entity is an error, not a lookup. */
	expect_refused("<r>&x;</r>", 10, "not well-formed");
}

static void test_xmlparse_parse__refuses_malformed_and_large(void **state)
{
	char *big = malloc(lim.max + 2);

	(void)state;
	assert_non_null(big);
	expect_refused("<r>", 3, "test document is not well-formed XML");
	expect_refused("<p:r/>", 6, "not well-formed"); /* namespace */
	memset(big, ' ', lim.max + 1);
	memcpy(big, "<r/>", 4);
	expect_refused(big, lim.max + 1, "test document is larger than 4 KiB");
	free(big);
}

static void test_xmlparse_parse__options(void **state)
{
	int o = s2s__xml_options();

	(void)state;
	assert_true(o & XML_PARSE_NONET);
	assert_false(o & XML_PARSE_NOENT);
	assert_false(o & XML_PARSE_DTDLOAD);
	assert_false(o & XML_PARSE_DTDVALID);
	assert_false(o & XML_PARSE_DTDATTR);
	assert_false(o & XML_PARSE_XINCLUDE);
#if LIBXML_VERSION >= 21300
	assert_true(o & XML_PARSE_NO_XXE);
#endif
}

/* The deny-all loader is process-wide once initialised: even a caller
 * asking libxml2 for an external DTD gets nothing from the disk. */
static void test_xmlparse_parse__deny_all_loader(void **state)
{
	char doc[256];
	xmlDocPtr d;
	xmlChar *text;

	(void)state;
	s2s__xml_init();
	snprintf(doc, sizeof(doc),
	         "<!DOCTYPE r [<!ENTITY x SYSTEM \"file://%s\">]><r>&x;</r>",
	         marker);
	d = xmlReadMemory(doc, (int)strlen(doc), NULL, NULL,
	                  XML_PARSE_NOENT | XML_PARSE_DTDLOAD |
	                          XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d) {
		text = xmlNodeGetContent(xmlDocGetRootElement(d));
		assert_true(!text || !strstr((const char *)text, "SECRET"));
		xmlFree(text);
		xmlFreeDoc(d);
	}
}

/* SAML: the messages name the SAMLResponse, with S2S_ESAML. */
static void test_xmlparse_parse__saml_uses_it(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;
	size_t len;
	char *w = utf16le("<!DOCTYPE r><r/>", &len);

	(void)state;
	assert_int_equal(S2S_ESAML, s2s_saml_parse_xml(&saml, w, len, &err));
	assert_string_equal("SAMLResponse has a DOCTYPE", err.msg);
	free(w);
	s2s_error_clear(&err);
	assert_int_equal(S2S_ESAML, s2s_saml_parse_xml(&saml, "<r>", 3, &err));
	assert_non_null(strstr(err.msg, "SAMLResponse is not well-formed"));
	assert_null(saml);
}

/* ECP: the DOCTYPE is refused before it is parsed, even in UTF-16. */
static void test_xmlparse_parse__ecp_uses_it(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b64 = S2S_BUF_SECRET_INIT;
	size_t len;
	char *w = utf16le(
	        "<!DOCTYPE x [<!ENTITY e \"x\">]><soap11:Envelope "
	        "xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">"
	        "<soap11:Body>&e;</soap11:Body></soap11:Envelope>",
	        &len);

	(void)state;
	assert_int_equal(S2S_EIDP, s2s_ecp_response(&b64, w, len, NULL, &err));
	assert_string_equal("the ECP answer has a DOCTYPE", err.msg);
	assert_int_equal(0, b64.len);
	free(w);
	s2s_error_clear(&err);
	assert_int_equal(S2S_EIDP,
	                 s2s_ecp_response(&b64, "<a>", 3, NULL, &err));
	assert_non_null(strstr(err.msg, "the ECP answer is not well-formed"));
	s2s_buf_release(&b64);
}

/* HTML: pages have DOCTYPEs and are parsed; an external entity in one
 * is not loaded (deny-all loader, no NOENT). */
static void test_xmlparse_parse__html_uses_it(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_html_page *page = NULL;
	char html[300];

	(void)state;
	snprintf(html, sizeof(html),
	         "<!DOCTYPE html SYSTEM \"file://%s\"><html><head>"
	         "<title>T &amp; x</title></head><body><form action=\"/p\">"
	         "<input name=\"u\" value=\"v\"></form></body></html>",
	         marker);
	assert_int_equal(S2S_OK, s2s_html_parse(&page, "https://idp.example/",
	                                        html, strlen(html), &err));
	assert_non_null(page);
	assert_string_equal("T & x", page->title);
	assert_int_equal(1, page->nforms);
	s2s_html_page_free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmlparse_parse__parses_and_frees),
		cmocka_unit_test(test_xmlparse_parse__refuses_doctype),
		cmocka_unit_test(test_xmlparse_parse__refuses_doctype_in_utf16),
		cmocka_unit_test(test_xmlparse_parse__refuses_external_entity),
		cmocka_unit_test(
		        test_xmlparse_parse__refuses_malformed_and_large),
		cmocka_unit_test(test_xmlparse_parse__options),
		cmocka_unit_test(test_xmlparse_parse__deny_all_loader),
		cmocka_unit_test(test_xmlparse_parse__saml_uses_it),
		cmocka_unit_test(test_xmlparse_parse__ecp_uses_it),
		cmocka_unit_test(test_xmlparse_parse__html_uses_it),
	};

	return cmocka_run_group_tests_name("xmlparse::parse", tests, setup,
	                                   teardown);
}
