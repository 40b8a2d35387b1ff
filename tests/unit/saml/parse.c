/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for s2s_saml_parse() and s2s_saml_parse_xml(): the fields
 * read from a well-formed Response, and the structural errors.  Attacks
 * (DTDs, wrapping, comment injection) are in attacks.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/base64.h>
#include <saml2sts/saml.h>

#define ROLE_ATTR "https://www.aliyun.com/SAML-Role/Attributes/Role"
#define NAME_ATTR "https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName"
#define DUR_ATTR  "https://www.aliyun.com/SAML-Role/Attributes/SessionDuration"
#define ROLE_VALUE                              \
	"acs:ram::1234567890123456:role/admin," \
	"acs:ram::1234567890123456:saml-provider/ssp"

static struct s2s_saml *saml;
static char *xml;
static size_t xml_len;

static int test_saml_parse__initialize(void **state)
{
	(void)state;
	saml = NULL;
	xml = NULL;
	return 0;
}

static int test_saml_parse__cleanup(void **state)
{
	(void)state;
	s2s_saml_free(saml);
	saml = NULL;
	free(xml);
	xml = NULL;
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

/* A minimal Response around the given Assertion children. */
static s2s_err parse_assertion_body(const char *body, struct s2s_error *err)
{
	static const char head[] =
	        "<samlp:Response xmlns:samlp="
	        "\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml="
	        "\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r\">"
	        "<samlp:Status><samlp:StatusCode Value="
	        "\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>"
	        "</samlp:Status><saml:Assertion ID=\"_a\">"
	        "<saml:Issuer>https://idp.example.test</saml:Issuer>";
	static const char tail[] = "</saml:Assertion></samlp:Response>";
	size_t n = sizeof(head) + strlen(body) + sizeof(tail);

	free(xml);
	xml = malloc(n);
	assert_non_null(xml);
	snprintf(xml, n, "%s%s%s", head, body, tail);
	xml_len = strlen(xml);
	s2s_saml_free(saml);
	saml = NULL;
	return s2s_saml_parse_xml(&saml, xml, xml_len, err);
}

static void assert_message_style(const struct s2s_error *err)
{
	size_t n = strlen(err->msg);

	assert_true(n > 0 && n < sizeof(err->msg) - 1);
	assert_null(strpbrk(err->msg, "\r\n"));
	assert_true(err->msg[n - 1] != '.');
	assert_null(strstr(err->msg, "<saml")); /* never the document */
}

static void expect_esaml(s2s_err rc, const struct s2s_error *err,
                         const char *msg)
{
	assert_int_equal(S2S_ESAML, rc);
	assert_int_equal(S2S_ESAML, err->code);
	assert_null(saml);
	if (!strstr(err->msg, msg))
		fail_msg("expected '%s' in '%s'", msg, err->msg);
	assert_message_style(err);
}

static void test_saml_parse__simplesamlphp_response(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("response.xml", &err));
	assert_string_equal(
	        "https://idp.example.test/simplesaml/saml2/idp/metadata.php",
	        saml->issuer);
	assert_string_equal("https://signin.aliyun.com/saml-role/sso",
	                    saml->destination);
	assert_string_equal("https://signin.aliyun.com/saml-role/sso",
	                    saml->recipient);
	assert_string_equal("urn:oasis:names:tc:SAML:2.0:status:Success",
	                    saml->status);
	assert_string_equal("alice@corp.example", saml->name_id);
	assert_string_equal("alice", saml->session_name);
	assert_int_equal(3600, saml->session_duration);
	assert_int_equal(1, saml->naudiences);
	assert_string_equal("urn:alibaba:cloudcomputing", saml->audiences[0]);
	assert_int_equal(1767323015, (int64_t)saml->not_before);
	assert_int_equal(1767323345, (int64_t)saml->not_on_or_after);
	assert_int_equal(1767323345, (int64_t)saml->subject_not_on_or_after);
	assert_int_equal(1767351845, (int64_t)saml->session_not_on_or_after);
	assert_false(saml->encrypted);
}

/* role-first, provider-first, padded with spaces and newlines, and a
 * duplicate of the first (with a space after the comma). */
static void test_saml_parse__roles_in_order_without_duplicates(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_role *r;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("response.xml", &err));
	assert_int_equal(3, saml->nroles);
	r = &saml->roles[0];
	assert_string_equal("acs:ram::1234567890123456:role/admin",
	                    r->role_arn);
	assert_string_equal("acs:ram::1234567890123456:saml-provider/ssp",
	                    r->provider_arn);
	assert_string_equal("1234567890123456", r->account_id);
	assert_string_equal("admin", r->role_name);
	r = &saml->roles[1];
	assert_string_equal("acs:ram::1234567890123456:role/readonly",
	                    r->role_arn);
	assert_string_equal("acs:ram::1234567890123456:saml-provider/ssp",
	                    r->provider_arn);
	assert_string_equal("readonly", r->role_name);
	r = &saml->roles[2];
	assert_string_equal("acs:ram::9876543210987654:role/dev", r->role_arn);
	assert_string_equal("acs:ram::9876543210987654:saml-provider/ssp",
	                    r->provider_arn);
	assert_string_equal("9876543210987654", r->account_id);
	assert_string_equal("dev", r->role_name);
}

/* One Role value for test_saml_parse__many_roles_deduplicated: role
 * first, provider first, or padded with white space. */
static void add_role_value(struct s2s_buf *b, int how, unsigned long acct,
                           size_t i, const char *prov)
{
	s2s_err rc;

	if (how == 0)
		rc = s2s_buf_printf(
		        b,
		        "<saml:AttributeValue>acs:ram::%lu:role/r%zu,"
		        "acs:ram::%lu:saml-provider/%s"
		        "</saml:AttributeValue>",
		        acct, i, acct, prov);
	else if (how == 1)
		rc = s2s_buf_printf(b,
		                    "<saml:AttributeValue>acs:ram::%lu:saml-"
		                    "provider/%s,acs:ram::%lu:role/r%zu"
		                    "</saml:AttributeValue>",
		                    acct, prov, acct, i);
	else
		rc = s2s_buf_printf(
		        b,
		        "<saml:AttributeValue> acs:ram::%lu:role/r%zu"
		        " , acs:ram::%lu:saml-provider/%s\n"
		        "</saml:AttributeValue>",
		        acct, i, acct, prov);
	assert_int_equal(S2S_OK, rc);
}

/* The hashed duplicate check at scale: 600 distinct roles sent three
 * times (as is, provider first, padded with white space), then ten of
 * them with another provider, which makes them other roles.  The first
 * of each stays, in order. */
static void test_saml_parse__many_roles_deduplicated(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf body = S2S_BUF_INIT;
	const unsigned long base = 1000000000000000ul;
	const size_t n = 600;

	(void)state;
	assert_int_equal(S2S_OK,
	                 s2s_buf_puts(&body, "<saml:AttributeStatement>"
	                                     "<saml:Attribute Name=\"" ROLE_ATTR
	                                     "\">"));
	for (int how = 0; how < 3; how++) {
		for (size_t i = 0; i < n; i++)
			add_role_value(&body, how, base + i % 7, i, "ssp");
	}
	for (size_t i = 0; i < 10; i++)
		add_role_value(&body, 0, base + i % 7, i, "other");
	assert_int_equal(S2S_OK,
	                 s2s_buf_puts(&body, "</saml:Attribute>"
	                                     "</saml:AttributeStatement>"));
	assert_int_equal(S2S_OK, parse_assertion_body(body.ptr, &err));
	assert_int_equal(n + 10, saml->nroles);
	for (size_t i = 0; i < n + 10; i++) {
		char want[128];

		snprintf(want, sizeof(want), "acs:ram::%lu:role/r%zu",
		         base + (i % n) % 7, i % n);
		assert_string_equal(want, saml->roles[i].role_arn);
		assert_non_null(strstr(saml->roles[i].provider_arn,
		                       i < n ? "/ssp" : "/other"));
	}
	s2s_buf_release(&body);
}

static void test_saml_parse__audiences_and_optional_parts(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("audiences.xml", &err));
	assert_int_equal(3, saml->naudiences);
	assert_string_equal("urn:alibaba:cloudcomputing", saml->audiences[0]);
	assert_string_equal("urn:alibaba:cloudcomputing:international",
	                    saml->audiences[1]);
	assert_string_equal(
	        "https://signin.aliyun.com/1234567890123456/saml/SSO",
	        saml->audiences[2]);
	assert_string_equal("https://idp.example.test/saml", saml->issuer);
	assert_null(saml->destination);
	assert_null(saml->session_name);
	assert_int_equal(-1, saml->session_duration);
	assert_string_equal("_9f2c", saml->name_id);
	/* fractional seconds, +00:00, the earliest SessionNotOnOrAfter */
	assert_int_equal(1772359500, (int64_t)saml->subject_not_on_or_after);
	assert_int_equal(1772359170, (int64_t)saml->not_before);
	assert_int_equal(1772366400, (int64_t)saml->session_not_on_or_after);
	assert_int_equal(1, saml->nroles);
	assert_string_equal("ops", saml->roles[0].role_name);
}

static void test_saml_parse__no_role_attribute(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("no-role.xml", &err));
	assert_int_equal(0, saml->nroles);
	assert_null(saml->roles);
	assert_string_equal("bob", saml->session_name);
	assert_int_equal(0, saml->naudiences);
	assert_null(saml->recipient);
	assert_int_equal(0, (int64_t)saml->not_before);
	assert_int_equal(0, (int64_t)saml->session_not_on_or_after);
	assert_int_equal(S2S_OK, err.code);
}

static void test_saml_parse__encrypted_assertion(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, parse_fixture("encrypted.xml", &err));
	assert_true(saml->encrypted);
	assert_int_equal(0, saml->nroles);
	assert_null(saml->issuer);
	assert_null(saml->name_id);
	assert_string_equal("https://signin.alibabacloud.com/saml-role/sso",
	                    saml->destination);
	assert_string_equal("urn:oasis:names:tc:SAML:2.0:status:Success",
	                    saml->status);
}

static void test_saml_parse__non_success_status(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_fixture("status-responder.xml", &err), &err,
	             "IdP returned status Responder/AuthnFailed");
	assert_string_equal("IdP returned status Responder/AuthnFailed",
	                    err.msg);
}

struct body_case {
	const char *body;
	const char *msg; /* NULL: parses */
};

static const struct body_case status_cases[] = {
	{ "<samlp:Status><samlp:StatusCode Value=\""
	  "urn:oasis:names:tc:SAML:2.0:status:Requester\"/></samlp:Status>",
	  "IdP returned status Requester" },
	{ "<samlp:Status><samlp:StatusCode/></samlp:Status>",
	  "no StatusCode value" },
	{ "<samlp:Status/>", "no StatusCode value" },
	{ "", "has no Status" },
	{ "<samlp:Status><samlp:StatusCode Value=\""
	  "urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
	  "<samlp:Status><samlp:StatusCode Value=\""
	  "urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>",
	  "more than one Status" },
	{ "<saml:Status><saml:StatusCode Value=\""
	  "urn:oasis:names:tc:SAML:2.0:status:Success\"/></saml:Status>",
	  "has no Status" },
};

static void test_saml_parse__status_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]);
	     i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		char doc[1024];

		snprintf(doc, sizeof(doc),
		         "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:"
		         "SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:"
		         "tc:SAML:2.0:assertion\">%s</samlp:Response>",
		         status_cases[i].body);
		expect_esaml(s2s_saml_parse_xml(&saml, doc, strlen(doc), &err),
		             &err, status_cases[i].msg);
	}
}

static void test_saml_parse__success_without_assertion(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	static const char doc[] =
	        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:"
	        "protocol\"><samlp:Status><samlp:StatusCode Value=\"urn:"
	        "oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>"
	        "</samlp:Response>";

	(void)state;
	expect_esaml(s2s_saml_parse_xml(&saml, doc, strlen(doc), &err), &err,
	             "has no Assertion");
}

#define ATTR(name, values)                                                   \
	"<saml:AttributeStatement><saml:Attribute Name=\"" name "\">" values \
	"</saml:Attribute></saml:AttributeStatement>"
#define VALUE(v) "<saml:AttributeValue>" v "</saml:AttributeValue>"

struct duration_case {
	const char *body;
	long want; /* 0: ESAML expected */
};

static const struct duration_case durations[] = {
	{ ATTR(DUR_ATTR, VALUE("3600")), 3600 },
	{ ATTR(DUR_ATTR, VALUE(" 900\n")), 900 },
	{ ATTR(DUR_ATTR, VALUE("043200")), 43200 },
	{ "", -1 },
	{ ATTR(DUR_ATTR, ""), -1 },
	{ ATTR(DUR_ATTR, VALUE("0")), 0 },
	{ ATTR(DUR_ATTR, VALUE("-5")), 0 },
	{ ATTR(DUR_ATTR, VALUE("+5")), 0 },
	{ ATTR(DUR_ATTR, VALUE("")), 0 },
	{ ATTR(DUR_ATTR, VALUE("abc")), 0 },
	{ ATTR(DUR_ATTR, VALUE("12.5")), 0 },
	{ ATTR(DUR_ATTR, VALUE("1 2")), 0 },
	{ ATTR(DUR_ATTR, VALUE("0x10")), 0 },
	{ ATTR(DUR_ATTR, VALUE("99999999999999999999999")), 0 },
	{ ATTR(DUR_ATTR, VALUE("3600") VALUE("3600")), 0 },
	{ ATTR(DUR_ATTR, VALUE("3600")) ATTR(DUR_ATTR, VALUE("900")), 0 },
};

static void test_saml_parse__session_duration_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		s2s_err rc = parse_assertion_body(durations[i].body, &err);

		if (!durations[i].want) {
			if (rc != S2S_ESAML)
				fail_msg("accepted %s", durations[i].body);
			assert_non_null(strstr(err.msg, "SessionDuration"));
			assert_message_style(&err);
			continue;
		}
		assert_int_equal(S2S_OK, rc);
		assert_int_equal(durations[i].want, saml->session_duration);
	}
}

static const struct body_case bodies[] = {
	/* RoleSessionName: one value, trimmed */
	{ ATTR(NAME_ATTR, VALUE("  alice  ")), NULL },
	{ ATTR(NAME_ATTR, VALUE("a") VALUE("b")),
	  "more than one RoleSessionName" },
	/* a malformed role value is named in the message */
	{ ATTR(ROLE_ATTR, VALUE("acs:ram::1:role/x")),
	  "role value 'acs:ram::1:role/x'" },
	{ ATTR(ROLE_ATTR, VALUE("")), "is not 'role-arn,provider-arn'" },
	/* roles across several Attribute elements and statements */
	{ ATTR(ROLE_ATTR, VALUE(ROLE_VALUE)) ATTR(ROLE_ATTR, VALUE(ROLE_VALUE)),
	  NULL },
	/* singletons */
	{ "<saml:Subject><saml:NameID>a</saml:NameID>"
	  "<saml:NameID>b</saml:NameID></saml:Subject>",
	  "more than one NameID in Subject" },
	{ "<saml:Subject/><saml:Subject/>", "more than one Subject" },
	{ "<saml:Conditions/><saml:Conditions/>", "more than one Conditions" },
	{ "<saml:Subject><saml:SubjectConfirmation/>"
	  "<saml:SubjectConfirmation/></saml:Subject>",
	  "more than one SubjectConfirmation" },
	{ "<saml:Issuer>https://idp.example.test</saml:Issuer>",
	  "more than one Issuer in Assertion" },
	/* dates */
	{ "<saml:Conditions NotBefore=\"2026-01-02T03:04:05\"/>",
	  "Conditions@NotBefore is not a UTC dateTime" },
	{ "<saml:Conditions NotOnOrAfter=\"tomorrow\"/>",
	  "Conditions@NotOnOrAfter is not a UTC dateTime" },
	{ "<saml:Conditions NotBefore=\" 2026-01-02T03:04:05Z \"/>", NULL },
	{ "<saml:AuthnStatement SessionNotOnOrAfter=\"2026-02-30T00:00:00Z\"/>",
	  "AuthnStatement@SessionNotOnOrAfter is not a UTC dateTime" },
	{ "<saml:Subject><saml:SubjectConfirmation><saml:"
	  "SubjectConfirmationData NotOnOrAfter=\"x\"/></saml:"
	  "SubjectConfirmation></saml:Subject>",
	  "SubjectConfirmationData@NotOnOrAfter is not a UTC dateTime" },
	/* an unknown attribute with odd content is ignored */
	{ ATTR("mail", "<saml:AttributeValue><x xmlns=\"urn:x\"/>"
	               "</saml:AttributeValue>"),
	  NULL },
	/* a value in the wrong namespace is ignored */
	{ ATTR(ROLE_ATTR, "<AttributeValue xmlns=\"urn:x\">junk"
	                  "</AttributeValue>"),
	  NULL },
};

static void test_saml_parse__assertion_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		s2s_err rc = parse_assertion_body(bodies[i].body, &err);

		if (!bodies[i].msg) {
			if (rc)
				fail_msg("refused %s: %s", bodies[i].body,
				         err.msg);
			continue;
		}
		expect_esaml(rc, &err, bodies[i].msg);
	}
}

static void test_saml_parse__session_name_trimmed(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(
	        S2S_OK,
	        parse_assertion_body(ATTR(NAME_ATTR, VALUE("  alice  "))
	                                     ATTR(ROLE_ATTR, VALUE(ROLE_VALUE)),
	                             &err));
	assert_string_equal("alice", saml->session_name);
	assert_int_equal(1, saml->nroles);
	assert_string_equal("https://idp.example.test", saml->issuer);
}

static void test_saml_parse__wrong_root(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_fixture("wrong-root.xml", &err), &err,
	             "root is not a SAML 2.0 Response");
	free(xml);
	xml = NULL;
	s2s_error_clear(&err);
	expect_esaml(parse_fixture("wrong-namespace.xml", &err), &err,
	             "root is not a SAML 2.0 Response");
}

static void test_saml_parse__issuer_mismatch(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(parse_fixture("issuer-mismatch.xml", &err), &err,
	             "issuers differ");
}

static const char *const not_xml[] = {
	"",
	"   ",
	"not xml at all",
	"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">",
	"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
	"</samlp:Response><extra/>",
	/* an unbound prefix is a namespace error, not a Response */
	"<samlp:Response></samlp:Response>",
	"<a xmlns:p=\"urn:x\" p:b=\"1\" p:b=\"2\"/>",
	"<?xml version=\"1.0\" encoding=\"no-such-charset\"?><a/>",
	"<r>\xff\xfe</r>",
};

static void test_saml_parse__not_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(not_xml) / sizeof(not_xml[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;

		if (s2s_saml_parse_xml(&saml, not_xml[i], strlen(not_xml[i]),
		                       &err) != S2S_ESAML)
			fail_msg("accepted '%s'", not_xml[i]);
		assert_null(saml);
		assert_message_style(&err);
	}
}

static void test_saml_parse__base64_entry_point(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b64 = S2S_BUF_INIT, wrapped = S2S_BUF_INIT;

	(void)state;
	load_fixture("response.xml");
	assert_int_equal(S2S_OK, s2s_base64_encode(&b64, xml, xml_len, &err));
	for (size_t i = 0; i < b64.len; i += 76) {
		size_t n = b64.len - i < 76 ? b64.len - i : 76;

		assert_int_equal(S2S_OK, s2s_buf_add(&wrapped, b64.ptr + i, n));
		assert_int_equal(S2S_OK, s2s_buf_puts(&wrapped, "\r\n"));
	}
	assert_int_equal(S2S_OK,
	                 s2s_saml_parse(&saml, wrapped.ptr, wrapped.len, &err));
	assert_int_equal(3, saml->nroles);
	assert_string_equal("alice", saml->session_name);
	s2s_buf_release(&b64);
	s2s_buf_release(&wrapped);
}

static void test_saml_parse__base64_invalid(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	expect_esaml(s2s_saml_parse(&saml, "PHNhbWxwOl*=", 12, &err), &err,
	             "SAMLResponse is not valid base64");
	s2s_error_clear(&err);
	/* plain XML is not base64 either */
	expect_esaml(s2s_saml_parse(&saml, "<a/>", 4, &err), &err,
	             "not valid base64");
}

/* The STS limit counts base64 characters, not the whitespace. */
static void test_saml_parse__base64_length_limit(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = S2S_SAML_MAX_B64 + 4 + 20000;
	char *b64 = malloc(n);

	(void)state;
	assert_non_null(b64);
	memset(b64, 'A', n);
	for (size_t i = 0; i < 20000; i++)
		b64[i * 5 + 4] = '\n';
	/* 100000 significant chars: passes the limit, is zeros, not XML */
	expect_esaml(s2s_saml_parse(&saml, b64, n - 4, &err), &err,
	             "not well-formed XML");
	s2s_error_clear(&err);
	expect_esaml(s2s_saml_parse(&saml, b64, n, &err), &err,
	             "longer than 100000 base64 characters");
	free(b64);
}

static void test_saml_parse__xml_size_limit(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = 256 * 1024 + 1;
	char *big = malloc(n);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	expect_esaml(s2s_saml_parse_xml(&saml, big, n, &err), &err,
	             "larger than 256 KiB");
	free(big);
}

static void test_saml_parse__free_null(void **state)
{
	(void)state;
	s2s_saml_free(NULL);
}

#define T(name)                                                            \
	cmocka_unit_test_setup_teardown(name, test_saml_parse__initialize, \
	                                test_saml_parse__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_saml_parse__simplesamlphp_response),
		T(test_saml_parse__roles_in_order_without_duplicates),
		T(test_saml_parse__many_roles_deduplicated),
		T(test_saml_parse__audiences_and_optional_parts),
		T(test_saml_parse__no_role_attribute),
		T(test_saml_parse__encrypted_assertion),
		T(test_saml_parse__non_success_status),
		T(test_saml_parse__status_table),
		T(test_saml_parse__success_without_assertion),
		T(test_saml_parse__session_duration_table),
		T(test_saml_parse__assertion_table),
		T(test_saml_parse__session_name_trimmed),
		T(test_saml_parse__wrong_root),
		T(test_saml_parse__issuer_mismatch),
		T(test_saml_parse__not_well_formed),
		T(test_saml_parse__base64_entry_point),
		T(test_saml_parse__base64_invalid),
		T(test_saml_parse__base64_length_limit),
		T(test_saml_parse__xml_size_limit),
		T(test_saml_parse__free_null),
	};

	return cmocka_run_group_tests_name("saml::parse", tests, NULL, NULL);
}
