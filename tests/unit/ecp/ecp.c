/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/ecp.c: the PAOS AuthnRequest envelope, and taking
 * the samlp:Response out of a SOAP answer with its namespaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/ecp.h>
#include <saml2sts/base64.h>

#define ACS "https://signin.aliyun.com/saml-role/sso"

#define ENV_OPEN                                                      \
	"<soap11:Envelope "                                           \
	"xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\" " \
	"xmlns:saml2p=\"urn:oasis:names:tc:SAML:2.0:protocol\" "      \
	"xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"              \
	"<soap11:Header><ecp:Response "                               \
	"xmlns:ecp=\"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp\" " \
	"AssertionConsumerServiceURL=\"%s\"/></soap11:Header><soap11:Body>"
#define ENV_CLOSE "</soap11:Body></soap11:Envelope>"
#define STATUS(v)                                              \
	"<saml2p:Status><saml2p:StatusCode "                   \
	"Value=\"urn:oasis:names:tc:SAML:2.0:status:" v "\"/>" \
	"</saml2p:Status>"

static s2s_err take(const char *body, const char *acs, struct s2s_buf *xml,
                    struct s2s_error *err)
{
	struct s2s_buf b64 = S2S_BUF_SECRET_INIT;
	char soap[2048];
	s2s_err rc;

	snprintf(soap, sizeof(soap), ENV_OPEN "%s" ENV_CLOSE, acs, body);
	rc = s2s_ecp_response(&b64, soap, strlen(soap), ACS, err);
	if (!rc)
		rc = s2s_base64_decode(xml, b64.ptr, b64.len, err);
	s2s_buf_release(&b64);
	return rc;
}

/* The Response uses prefixes declared on the Envelope only: the copy
 * must declare them itself. */
static void test_ecp__response_keeps_namespaces(void **state)
{
	struct s2s_buf xml = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(
	        S2S_OK,
	        take("<saml2p:Response ID=\"_r\" Version=\"2.0\">" STATUS(
	                     "Success") "<a xsi:type=\"xs:string\" "
	                                "xmlns:xsi=\"http://www.w3.org/"
	                                "2001/XMLSchema-instance\"/>"
	                                "</saml2p:Response>",
	             ACS, &xml, &err));
	assert_non_null(strstr(xml.ptr, "<saml2p:Response"));
	assert_non_null(strstr(xml.ptr, "xmlns:saml2p=\"urn:oasis:names:tc:"
	                                "SAML:2.0:protocol\""));
	assert_non_null(strstr(xml.ptr, "xmlns:xs=\"http://www.w3.org/2001/"
	                                "XMLSchema\""));
	assert_null(strstr(xml.ptr, "Envelope"));
	s2s_buf_release(&xml);
}

static void test_ecp__status_codes(void **state)
{
	static const struct {
		const char *status;
		s2s_err want;
	} cases[] = {
		{ "AuthnFailed", S2S_EAUTH },
		{ "RequestDenied", S2S_EAUTH },
		{ "NoAuthnContext", S2S_EMFA },
		{ "Requester", S2S_EIDP },
	};
	char body[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct s2s_buf xml = S2S_BUF_SECRET_INIT;
		struct s2s_error err = S2S_ERROR_INIT;

		snprintf(body, sizeof(body),
		         "<saml2p:Response><saml2p:Status><saml2p:StatusCode "
		         "Value=\"urn:oasis:names:tc:SAML:2.0:status:"
		         "Responder\">"
		         "<saml2p:StatusCode Value=\"urn:oasis:names:tc:SAML:2."
		         "0:status:%s\"/></saml2p:StatusCode></saml2p:Status>"
		         "</saml2p:Response>",
		         cases[i].status);
		assert_int_equal(cases[i].want, take(body, ACS, &xml, &err));
		assert_non_null(strstr(err.msg, cases[i].status));
		s2s_buf_release(&xml);
	}
}

static void test_ecp__other_acs_fault_and_doctype(void **state)
{
	struct s2s_buf xml = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	const char *doctype =
	        "<!DOCTYPE x [<!ENTITY e \"x\">]><soap11:Envelope "
	        "xmlns:soap11=\"http://schemas.xmlsoap.org/soap/envelope/\">"
	        "<soap11:Body/></soap11:Envelope>";

	(void)state;
	assert_int_equal(
	        S2S_EIDP,
	        take("<saml2p:Response>" STATUS("Success") "</saml2p:Response>",
	             "https://evil.example/acs", &xml, &err));
	assert_non_null(strstr(err.msg, "another ACS"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_EIDP, take("<soap11:Fault><faultcode>soap11:Server"
	                                "</faultcode></soap11:Fault>",
	                                ACS, &xml, &err));
	assert_non_null(strstr(err.msg, "SOAP Fault"));
	s2s_error_clear(&err);
	assert_int_equal(
	        S2S_EIDP,
	        s2s_ecp_response(&xml, doctype, strlen(doctype), ACS, &err));
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_EIDP,
	                 s2s_ecp_response(&xml, "<html>", 6, ACS, &err));
	assert_int_equal(0, xml.len);
}

static void test_ecp__request_escapes_and_names_paos(void **state)
{
	struct s2s_buf out = S2S_BUF_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(
	        S2S_OK, s2s_ecp_request(&out, "urn:a&b", ACS "?x=\"1\"", &err));
	assert_non_null(
	        strstr(out.ptr, "<saml:Issuer>urn:a&amp;b</saml:Issuer>"));
	assert_non_null(strstr(out.ptr, "AssertionConsumerServiceURL=\"" ACS
	                                "?x=&quot;1&quot;\""));
	assert_non_null(strstr(out.ptr, "urn:oasis:names:tc:SAML:2.0:bindings:"
	                                "PAOS"));
	assert_non_null(strstr(out.ptr, "ID=\"_"));
	s2s_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecp__response_keeps_namespaces),
		cmocka_unit_test(test_ecp__status_codes),
		cmocka_unit_test(test_ecp__other_acs_fault_and_doctype),
		cmocka_unit_test(test_ecp__request_escapes_and_names_paos),
	};

	return cmocka_run_group_tests_name("ecp", tests, NULL, NULL);
}
