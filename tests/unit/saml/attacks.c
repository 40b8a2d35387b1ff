/* SPDX-License-Identifier: MIT */
/*
 * Hostile SAMLResponses: DTDs and entities (XXE, billion laughs), XInclude,
 * signature wrapping (extra, nested and misplaced assertions), duplicate
 * IDs, comment injection and element smuggling.  Each must be refused or
 * read exactly as a signature verifier would see it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <cmocka.h>

#include <saml2sts/saml.h>

#define MARKER "S2S-XXE-MARKER-5f3a"

#define RESPONSE_OPEN                                                      \
	"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:"       \
	"protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" " \
	"ID=\"_r\"><samlp:Status><samlp:StatusCode Value=\"urn:oasis:"     \
	"names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
#define ASSERTION(id, inner)                                      \
	"<saml:Assertion ID=\"" id "\"><saml:Issuer>https://idp." \
	"example.test</saml:Issuer>" inner "</saml:Assertion>"
#define ROLE_STATEMENT                                                 \
	"<saml:AttributeStatement><saml:Attribute Name=\"https://www." \
	"aliyun.com/SAML-Role/Attributes/Role\"><saml:AttributeValue>" \
	"acs:ram::1:role/r,acs:ram::1:saml-provider/p"                 \
	"</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"

static struct s2s_saml *saml;
static char *xml;
static size_t xml_len;
static char tmpdir[64];
static char marker_path[128];

static int test_saml_attacks__initialize(void **state)
{
	(void)state;
	saml = NULL;
	xml = NULL;
	return 0;
}

static int test_saml_attacks__cleanup(void **state)
{
	(void)state;
	s2s_saml_free(saml);
	saml = NULL;
	free(xml);
	xml = NULL;
	return 0;
}

/* A file whose contents must never show up anywhere. */
static int group_setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/s2s-saml-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(marker_path, sizeof(marker_path), "%s/marker.txt", tmpdir);
	f = fopen(marker_path, "w");
	if (!f)
		return -1;
	fputs(MARKER, f);
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(marker_path);
	rmdir(tmpdir);
	return 0;
}

static void load_fixture(const char *name)
{
	char path[1024];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/saml/%s", S2S_FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	xml = malloc((size_t)n + 1);
	assert_non_null(xml);
	assert_int_equal((size_t)n, fread(xml, 1, (size_t)n, f));
	xml[n] = '\0';
	xml_len = (size_t)n;
	fclose(f);
}

static s2s_err parse_fixture(const char *name, struct s2s_error *err)
{
	load_fixture(name);
	return s2s_saml_parse_xml(&saml, xml, xml_len, err);
}

static s2s_err parse_string(const char *s, struct s2s_error *err)
{
	s2s_saml_free(saml);
	saml = NULL;
	return s2s_saml_parse_xml(&saml, s, strlen(s), err);
}

static void expect_esaml(s2s_err rc, const struct s2s_error *err,
                         const char *msg)
{
	assert_int_equal(S2S_ESAML, rc);
	assert_null(saml);
	if (!strstr(err->msg, msg))
		fail_msg("expected '%s' in '%s'", msg, err->msg);
	assert_null(strstr(err->msg, MARKER));
	assert_null(strpbrk(err->msg, "\r\n"));
}

/* ASCII to UTF-16LE with a byte order mark: "<!DOCTYPE" is then no
 * longer a byte string the pre-scan can see. */
static char *utf16le(const char *s, size_t *len_out)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 2);

	assert_non_null(out);
	out[0] = '\xff';
	out[1] = '\xfe';
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = s[i];
		out[3 + 2 * i] = '\0';
	}
	*len_out = 2 * n + 2;
	return out;
}

/* Copy tmpl into out with every "@P@" replaced by the marker's path. */
static void with_marker(char *out, size_t size, const char *tmpl)
{
	size_t n = 0;

	for (const char *p = tmpl; *p; p++) {
		const char *add = p;
		size_t len = 1;

		if (strncmp(p, "@P@", 3) == 0) {
			add = marker_path;
			len = strlen(marker_path);
			p += 2;
		}
		assert_true(n + len < size);
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = '\0';
}

/* ---- watching the marker file (Linux) ---- */

static int watch_marker(void)
{
#ifdef __linux__
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(inotify_add_watch(fd, marker_path, IN_OPEN | IN_ACCESS) >=
	            0);
	return fd;
#else
	return -1;
#endif
}

static bool marker_touched(int fd)
{
#ifdef __linux__
	char ev[4096];
	ssize_t n = read(fd, ev, sizeof(ev));

	if (n < 0)
		assert_int_equal(EAGAIN, errno);
	return n > 0;
#else
	(void)fd;
	return false;
#endif
}

/* The watch itself works: reading the file is seen. */
static void assert_watch_works(int fd)
{
#ifdef __linux__
	char buf[64];
	int m = open(marker_path, O_RDONLY);

	assert_true(m >= 0);
	assert_true(read(m, buf, sizeof(buf)) > 0);
	close(m);
	assert_true(marker_touched(fd));
	close(fd);
#else
	(void)fd;
#endif
}

/* ---- DTDs and entities ---- */

static void test_saml_attacks__doctype_internal_entity(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_fixture("doctype-internal.xml", &err), &err,
	             "SAMLResponse has a DOCTYPE");
}

static void test_saml_attacks__billion_laughs(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	time_t start = time(NULL);

	(void)state;
	expect_esaml(parse_fixture("billion-laughs.xml", &err), &err,
	             "has a DOCTYPE");
	assert_true(time(NULL) - start < 5);
}

static const char *const doctypes[] = {
	"<!DOCTYPE r><r/>",
	"<!doctype r><r/>",
	"<!DoCtYpE r><r/>",
	"<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE r []>\n<r/>",
	RESPONSE_OPEN "<!-- <!DOCTYPE in a comment is refused too -->"
	              "</samlp:Response>",
};

static void test_saml_attacks__doctype_any_case(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(doctypes) / sizeof(doctypes[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;

		expect_esaml(parse_string(doctypes[i], &err), &err,
		             "has a DOCTYPE");
	}
}

/* Ways to make a parser read a local file; @P@ is the marker's path. */
static const char *const xxe[] = {
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
	"<!DOCTYPE samlp:Response [<!ENTITY x SYSTEM "
	"\"file://@P@\">]>" RESPONSE_OPEN ASSERTION(
	        "_a", "<saml:Subject><saml:NameID>&x;"
	              "</saml:NameID></saml:Subject>") "</samlp:Response>",
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
	"<!DOCTYPE samlp:Response [<!ENTITY % p SYSTEM \"@P@\"> "
	"%p;]>" RESPONSE_OPEN "</samlp:Response>",
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
	"<!DOCTYPE samlp:Response SYSTEM \"@P@\">" RESPONSE_OPEN
	"</samlp:Response>",
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
	"<!DOCTYPE samlp:Response PUBLIC \"-//X//Y\" "
	"\"file://@P@\">" RESPONSE_OPEN "</samlp:Response>",
};

static void check_xxe(const char *doc, bool wide)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *wdoc = NULL;
	size_t len = strlen(doc);
	int fd = watch_marker();

	if (wide)
		doc = wdoc = utf16le(doc, &len);
	expect_esaml(s2s_saml_parse_xml(&saml, doc, len, &err), &err,
	             "has a DOCTYPE");
	free(wdoc);
	assert_false(marker_touched(fd));
	assert_watch_works(fd);
}

static void test_saml_attacks__external_entities_never_read(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(xxe) / sizeof(xxe[0]); i++) {
		char doc[2048];

		with_marker(doc, sizeof(doc), xxe[i]);
		check_xxe(doc, false); /* caught by the pre-scan */
		check_xxe(doc, true);  /* caught inside the parser */
	}
}

/* XInclude is not processed: the element is inert and nothing is read. */
static void test_saml_attacks__xinclude_is_inert(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char doc[2048];
	int fd = watch_marker();

	(void)state;
	with_marker(doc, sizeof(doc),
	            RESPONSE_OPEN
	            "<samlp:Extensions><xi:include xmlns:xi=\""
	            "http://www.w3.org/2001/XInclude\" href=\""
	            "@P@\" parse=\"text\"/></samlp:Extensions>" ASSERTION(
	                    "_a", ROLE_STATEMENT) "</samlp:Response>");
	assert_int_equal(S2S_OK, parse_string(doc, &err));
	assert_int_equal(1, saml->nroles);
	assert_false(marker_touched(fd));
	assert_watch_works(fd);
}

static void test_saml_attacks__undeclared_entity(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_string(RESPONSE_OPEN ASSERTION(
	                                  "_a", "<saml:Subject><saml:NameID>"
	                                        "&x;</saml:NameID></saml:"
	                                        "Subject>") "</samlp:Response>",
	                          &err),
	             &err, "not well-formed");
}

static void test_saml_attacks__deep_nesting(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t depth = 30000, n = depth * 7 + 1;
	char *doc = malloc(n);

	(void)state;
	assert_non_null(doc);
	for (size_t i = 0; i < depth; i++)
		memcpy(doc + 3 * i, "<a>", 3);
	for (size_t i = 0; i < depth; i++)
		memcpy(doc + 3 * depth + 4 * i, "</a>", 4);
	doc[n - 1] = '\0';
	expect_esaml(parse_string(doc, &err), &err, "not well-formed");
	free(doc);
}

/* ---- signature wrapping ---- */

struct wrap_case {
	const char *fixture;
	const char *msg;
};

static const struct wrap_case wrapped[] = {
	{ "xsw-extensions.xml", "SAMLResponse has an Assertion out of place" },
	{ "xsw-nested.xml", "SAMLResponse has more than one Assertion" },
	{ "xsw-siblings.xml", "SAMLResponse has more than one Assertion" },
	{ "xsw-object.xml", "SAMLResponse has more than one Assertion" },
	{ "encrypted-and-plain.xml",
	  "both an Assertion and an EncryptedAssertion" },
	{ "duplicate-ids.xml", "duplicate ID attributes" },
	{ "duplicate-ids-response.xml", "duplicate ID attributes" },
};

static void test_saml_attacks__signature_wrapping(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;

		free(xml);
		xml = NULL;
		expect_esaml(parse_fixture(wrapped[i].fixture, &err), &err,
		             wrapped[i].msg);
	}
}

struct string_case {
	const char *doc;
	const char *msg;
};

static const struct string_case wrapped_strings[] = {
	/* an Assertion lookalike in another namespace */
	{ RESPONSE_OPEN "<x:Assertion xmlns:x=\"urn:evil\"/>" ASSERTION(
	          "_a", ROLE_STATEMENT) "</samlp:Response>",
	  "Assertion out of place" },
	{ RESPONSE_OPEN "<saml:Assertion xmlns:saml=\"urn:evil\"/>"
	                "</samlp:Response>",
	  "Assertion out of place" },
	/* SAML allows Assertions in Advice; we read only one */
	{ RESPONSE_OPEN ASSERTION(
	          "_a", "<saml:Advice>" ASSERTION(
	                        "_b", "") "</saml:Advice>") "</samlp:Response>",
	  "more than one Assertion" },
	/* an Assertion before the root's Status still counts */
	{ RESPONSE_OPEN ASSERTION("_a", "") "<samlp:Extensions>" ASSERTION(
	          "_b", "") "</samlp:Extensions></samlp:Response>",
	  "more than one Assertion" },
	{ RESPONSE_OPEN "<saml:EncryptedAssertion/><saml:EncryptedAssertion/>"
	                "</samlp:Response>",
	  "more than one EncryptedAssertion" },
	{ RESPONSE_OPEN "<samlp:Extensions><saml:EncryptedAssertion/>"
	                "</samlp:Extensions></samlp:Response>",
	  "EncryptedAssertion out of place" },
	/* duplicates under every ID spelling, and across spellings */
	{ RESPONSE_OPEN ASSERTION(
	          "_a", "<x xmlns=\"urn:x\" Id=\"_a\"/>") "</samlp:Response>",
	  "duplicate ID" },
	{ RESPONSE_OPEN ASSERTION(
	          "_a", "<x xmlns=\"urn:x\" xml:id=\"k\"/>"
	                "<y xmlns=\"urn:x\" id=\"k\"/>") "</samlp:Response>",
	  "duplicate ID" },
};

static void test_saml_attacks__wrapping_variants(void **state)
{
	(void)state;
	for (size_t i = 0;
	     i < sizeof(wrapped_strings) / sizeof(wrapped_strings[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;

		expect_esaml(parse_string(wrapped_strings[i].doc, &err), &err,
		             wrapped_strings[i].msg);
	}
}

/* ---- text extraction ---- */

/* CVE-2017-11427 family: canonicalisation drops comments, so the signed
 * value is the whole text; reading the first text node would give
 * "alice@corp.com". */
static void test_saml_attacks__comment_injection(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("comment-injection.xml", &err));
	assert_string_equal("alice@corp.com.evil.com", saml->name_id);
	assert_string_equal("alice", saml->session_name);
	assert_int_equal(1, saml->nroles);
	assert_string_equal("acs:ram::1234567890123456:role/readonly",
	                    saml->roles[0].role_arn);
	assert_string_equal("readonly", saml->roles[0].role_name);
	assert_string_equal("acs:ram::1234567890123456:saml-provider/ssp",
	                    saml->roles[0].provider_arn);
}

static void test_saml_attacks__processing_instruction_in_value(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(
	        S2S_OK,
	        parse_string(
	                RESPONSE_OPEN ASSERTION(
	                        "_a",
	                        "<saml:Subject><saml:NameID>bob@"
	                        "corp.com<?pi x?>.evil.com</saml:"
	                        "NameID></saml:Subject>") "</samlp:Response>",
	                &err));
	assert_string_equal("bob@corp.com.evil.com", saml->name_id);
}

static void test_saml_attacks__element_in_value(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_fixture("element-in-value.xml", &err), &err,
	             "unexpected element inside AttributeValue");
	free(xml);
	xml = NULL;
	s2s_error_clear(&err);
	expect_esaml(parse_fixture("element-in-nameid.xml", &err), &err,
	             "unexpected element inside NameID");
}

/* lib never prints: libxml2 diagnostics must not reach stderr. */
static void test_saml_attacks__nothing_on_stderr(void **state)
{
	static const char *const bad[] = {
		"<r>",
		"<a xmlns:p=\"urn:x\" p:b=\"1\" p:b=\"2\"/>",
		"<?xml version=\"1.0\" encoding=\"no-such-charset\"?><a/>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>\xff\xfe</r>",
		"<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><r>\x1b$B\xff"
		"</r>",
		"<r>&x;</r>",
		"<p:r/>",
		"<!DOCTYPE r [<!ENTITY x SYSTEM \"/etc/passwd\">]><r>&x;</r>",
	};
	char path[160];
	int saved, fd;
	off_t size;

	(void)state;
	snprintf(path, sizeof(path), "%s/stderr.txt", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(2, dup2(fd, 2));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		char *w;
		size_t wlen;

		(void)parse_string(bad[i], &err);
		w = utf16le(bad[i], &wlen);
		(void)s2s_saml_parse_xml(&saml, w, wlen, &err);
		s2s_saml_free(saml);
		saml = NULL;
		free(w);
	}
	fflush(stderr);
	assert_int_equal(2, dup2(saved, 2));
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(0, (int64_t)size);
}

#define T(name)                                                              \
	cmocka_unit_test_setup_teardown(name, test_saml_attacks__initialize, \
	                                test_saml_attacks__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_saml_attacks__doctype_internal_entity),
		T(test_saml_attacks__billion_laughs),
		T(test_saml_attacks__doctype_any_case),
		T(test_saml_attacks__external_entities_never_read),
		T(test_saml_attacks__xinclude_is_inert),
		T(test_saml_attacks__undeclared_entity),
		T(test_saml_attacks__deep_nesting),
		T(test_saml_attacks__signature_wrapping),
		T(test_saml_attacks__wrapping_variants),
		T(test_saml_attacks__comment_injection),
		T(test_saml_attacks__processing_instruction_in_value),
		T(test_saml_attacks__element_in_value),
		T(test_saml_attacks__nothing_on_stderr),
	};

	return cmocka_run_group_tests_name("saml::attacks", tests, group_setup,
	                                   group_teardown);
}
