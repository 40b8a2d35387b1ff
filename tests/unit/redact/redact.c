/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/redact.c: what --debug may show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "redact.h"

static void header(const char *in, const char *want)
{
	char out[400];

	s2s__redact_header(out, sizeof(out), in, strlen(in));
	assert_string_equal(want, out);
}

static void test_redact_redact__headers(void **state)
{
	(void)state;
	header("Cookie: SimpleSAMLSessionID=abcdef0123; other=x\r\n",
	       "Cookie: SimpleSAMLSessionID=<redacted>; other=<redacted>");
	header("Set-Cookie: SimpleSAMLAuthToken=_6c2f; path=/; httponly",
	       "Set-Cookie: SimpleSAMLAuthToken=<redacted>; path=/; httponly");
	header("Authorization: Basic YWxpY2U6cGFzcw==",
	       "Authorization: <redacted>");
	header("proxy-authorization: Negotiate YII", "proxy-authorization: "
	                                             "<redacted>");
	header("X-Okta-Session-Token: 20111abc", "X-Okta-Session-Token: "
	                                         "<redacted>");
	header("canary: PAQABAAEAAAD--DLA3VO7QrddgJg7WevrAgA",
	       "canary: <redacted>");
	header("Location: https://idp/sso?SAMLRequest=fZJ&RelayState=x",
	       "Location: https://idp/sso?…");
	header("POST /login.php?AuthState=_abc%3Ahttps HTTP/1.1",
	       "POST /login.php?… HTTP/1.1");
	/* a sign-in handle in the path (PingOne flowId, JumpCloud push) */
	header("GET /5caa81af/flows/f3385-1cb6 HTTP/1.1",
	       "GET /5caa81af/flows/<redacted> HTTP/1.1");
	header("POST /pf-ws/authn/flows/aBc12?action=x HTTP/1.1",
	       "POST /pf-ws/authn/flows/<redacted>?… HTTP/1.1");
	header("GET /userconsole/auth/push/5f00ab12/login HTTP/1.1",
	       "GET /userconsole/auth/push/<redacted>/login HTTP/1.1");
	header("POST /userconsole/auth/push HTTP/1.1",
	       "POST /userconsole/auth/push HTTP/1.1");
	header("Location: /env/flows/abc1", "Location: /env/flows/<redacted>");
	header("HTTP/1.1 200 OK", "HTTP/1.1 200 OK");
	header("Content-Type: text/html", "Content-Type: text/html");
}

static void url(const char *in, const char *want)
{
	char out[400];

	s2s__redact_url(out, sizeof(out), in);
	assert_string_equal(want, out);
}

static void test_redact_redact__urls(void **state)
{
	(void)state;
	url("https://auth.pingone.com/5caa81af/flows/f3385-1cb6",
	    "https://auth.pingone.com/5caa81af/flows/<redacted>");
	url("https://auth.pingone.com/5caa81af/saml20/resume?flowId=f3385",
	    "https://auth.pingone.com/5caa81af/saml20/resume?…");
	url("https://idp/flows/", "https://idp/flows/");
	url("https://ak/api/v3/flows/executor/default-auth/",
	    "https://ak/api/v3/flows/executor/default-auth/");
	url("https://ak/flows/-/cancel/", "https://ak/flows/-/cancel/");
	url("https://idp/a/b#frag", "https://idp/a/b?…");
	url("", "");
}

static void form(const char *in, const char *want)
{
	char out[400];

	s2s__redact_form(out, sizeof(out), in, strlen(in));
	assert_string_equal(want, out);
}

static void test_redact_redact__forms(void **state)
{
	(void)state;
	form("username=alice&password=s3cr3t&AuthState=_abc",
	     "username=alice&password=<redacted 6 bytes>&"
	     "AuthState=<redacted 4 bytes>");
	form("SAMLResponse=PHNhbWxwOlJlc3BvbnNl&RelayState=",
	     "SAMLResponse=<redacted 20 bytes>&RelayState=");
	form("otp=123456&passcode=9&secret=x&token=y",
	     "otp=<redacted 6 bytes>&passcode=<redacted 1 bytes>&"
	     "secret=<redacted 1 bytes>&token=<redacted 1 bytes>");
	form("AccessKeyId=STS.NUgYrLnoC37mZZCNnAbez2&Action=AssumeRoleWithSAML",
	     "AccessKeyId=****bez2&Action=AssumeRoleWithSAML");
	form("AccessKeyId=short", "AccessKeyId=****");
	form("flag&=v&", "flag&=<redacted 1 bytes>");
	form("", "");
}

static void test_redact_redact__truncates_safely(void **state)
{
	char out[16];
	char big[600];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Cookie: ", 8);
	s2s__redact_header(out, sizeof(out), big, strlen(big));
	assert_true(strlen(out) < sizeof(out));
	s2s__redact_form(out, sizeof(out), big, strlen(big));
	assert_true(strlen(out) < sizeof(out));
	s2s__redact_url(out, sizeof(out), big);
	assert_true(strlen(out) < sizeof(out));
	s2s__redact_id(out, sizeof(out), "AKID123456789", 13);
	assert_string_equal("****6789", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_redact__headers),
		cmocka_unit_test(test_redact_redact__urls),
		cmocka_unit_test(test_redact_redact__forms),
		cmocka_unit_test(test_redact_redact__truncates_safely),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
