/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/url.c: RFC 3986 resolution, the https-or-loopback
 * policy, the host of a URL and form-urlencoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/http.h>
#include <saml2sts/secret.h>

struct resolve_case {
	const char *base;
	const char *ref;
	const char *want; /* NULL: S2S_EINVAL */
};

#define PAGE "http://h/a/b.php?x=1#f"
#define RFC  "http://a/b/c/d;p?q"

/* clang-format off */
static const struct resolve_case resolve_cases[] = {
	/* The SimpleSAMLphp traps and the same-document references. */
	{ PAGE, "?", "http://h/a/b.php?" },
	{ PAGE, "#", "http://h/a/b.php?x=1" },
	{ PAGE, "", "http://h/a/b.php?x=1" },
	{ PAGE, "#g", "http://h/a/b.php?x=1#g" },
	{ PAGE, "?y=2", "http://h/a/b.php?y=2" },
	{ PAGE, "?#s", "http://h/a/b.php?#s" },
	{ PAGE, "../c", "http://h/c" },
	{ PAGE, "//other/x", "http://other/x" },
	{ PAGE, "https://signin.aliyun.com/saml-role/sso",
	  "https://signin.aliyun.com/saml-role/sso" },
	{ PAGE, "c d", "http://h/a/c%20d" },
	{ "http://h/a/b.php?", "", "http://h/a/b.php?" },
	{ "http://127.0.0.1:18080/simplesaml/module.php/core/"
	  "loginuserpass.php?AuthState=_22%3Ahttp", "?",
	  "http://127.0.0.1:18080/simplesaml/module.php/core/"
	  "loginuserpass.php?" },
	/* RFC 3986 section 5.4.1, normal examples (curl writes "//g" with
	 * its root path). */
	{ RFC, "g", "http://a/b/c/g" },
	{ RFC, "./g", "http://a/b/c/g" },
	{ RFC, "g/", "http://a/b/c/g/" },
	{ RFC, "/g", "http://a/g" },
	{ RFC, "//g", "http://g/" },
	{ RFC, "?y", "http://a/b/c/d;p?y" },
	{ RFC, "g?y", "http://a/b/c/g?y" },
	{ RFC, "#s", "http://a/b/c/d;p?q#s" },
	{ RFC, "g#s", "http://a/b/c/g#s" },
	{ RFC, "g?y#s", "http://a/b/c/g?y#s" },
	{ RFC, ";x", "http://a/b/c/;x" },
	{ RFC, "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ RFC, "", "http://a/b/c/d;p?q" },
	{ RFC, ".", "http://a/b/c/" },
	{ RFC, "..", "http://a/b/" },
	{ RFC, "../g", "http://a/b/g" },
	{ RFC, "../..", "http://a/" },
	{ RFC, "../../g", "http://a/g" },
	/* Section 5.4.2, abnormal examples. */
	{ RFC, "../../../g", "http://a/g" },
	{ RFC, "/./g", "http://a/g" },
	{ RFC, "/../g", "http://a/g" },
	{ RFC, "g.", "http://a/b/c/g." },
	{ RFC, "..g", "http://a/b/c/..g" },
	{ RFC, "./../g", "http://a/b/g" },
	{ RFC, "g/../h", "http://a/b/c/h" },
	{ RFC, "g;x=1/../y", "http://a/b/c/y" },
	{ RFC, "g?y/../x", "http://a/b/c/g?y/../x" },
	{ RFC, "g#s/../x", "http://a/b/c/g#s/../x" },
	/* Errors: no usable base, schemes curl cannot hold. */
	{ "not a url", "x", NULL },
	{ "/relative/base", "x", NULL },
	{ PAGE, "javascript:alert(1)", NULL },
	{ PAGE, "http://", NULL },
};
/* clang-format on */

static void test_url_url__resolve_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(*resolve_cases);
	     i++) {
		const struct resolve_case *c = &resolve_cases[i];
		struct s2s_error err = S2S_ERROR_INIT;
		char *got = NULL;
		s2s_err rc = s2s_url_resolve(&got, c->base, c->ref, &err);

		if (!c->want) {
			if (rc != S2S_EINVAL || got)
				fail_msg("case %zu [%s]: want EINVAL, got %d",
				         i, c->ref, rc);
			assert_true(err.msg[0] != '\0');
			continue;
		}
		if (rc != S2S_OK || !got || strcmp(got, c->want) != 0)
			fail_msg("case %zu [%s]: want %s, got %s (%s)", i,
			         c->ref, c->want, got ? got : "NULL", err.msg);
		free(got);
	}
}

struct allowed_case {
	const char *url;
	bool want;
};

/* clang-format off */
static const struct allowed_case allowed_cases[] = {
	{ "https://signin.aliyun.com/saml-role/sso", true },
	{ "HTTPS://IdP.Example.com:8443/x?y#z", true },
	{ "https://10.0.0.1/", true },
	{ "http://127.0.0.1:18080/simplesaml/", true },
	{ "http://127.9.8.7/", true },
	{ "http://127.1/", true },
	{ "http://localhost/", true },
	{ "http://LocalHost:8080/x", true },
	{ "http://[::1]:18080/", true },
	{ "http://[0:0:0:0:0:0:0:1]/", true },
	{ "HTTP://127.0.0.1/", true },
	{ "http://example.com/", false },
	{ "http://128.0.0.1/", false },
	{ "http://10.0.0.1/", false },
	{ "http://[::2]/", false },
	{ "http://127.0.0.1.nip.io/", false },
	{ "http://localhost.example.com/", false },
	{ "http://localhost./", false },
	{ "ftp://127.0.0.1/", false },
	{ "file:///etc/passwd", false },
	{ "data:text/html,<form>", false },
	{ "javascript:alert(1)", false },
	{ "//127.0.0.1/", false },
	{ "https://", false },
	{ "", false },
	{ "not a url", false },
	{ NULL, false },
};
/* clang-format on */

static void test_url_url__allowed_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(allowed_cases) / sizeof(*allowed_cases);
	     i++) {
		const struct allowed_case *c = &allowed_cases[i];

		if (s2s_url_allowed(c->url) != c->want)
			fail_msg("case %zu [%s]: want %s", i,
			         c->url ? c->url : "NULL",
			         c->want ? "allowed" : "refused");
	}
}

static void test_url_url__host(void **state)
{
	/* clang-format off */
	static const char *const cases[][2] = {
		{ "https://signin.aliyun.com/saml-role/sso", "signin.aliyun.com" },
		{ "http://127.0.0.1:18080/simplesaml/", "127.0.0.1" },
		{ "https://IdP.Example.COM:8443/x", "idp.example.com" },
		{ "http://[::1]:18080/", "[::1]" },
		{ "https://user:pw@h.example/", "h.example" },
	};
	/* clang-format on */
	struct s2s_error err = S2S_ERROR_INIT;
	char *host = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(S2S_OK,
		                 s2s_url_host(&host, cases[i][0], &err));
		assert_string_equal(cases[i][1], host);
		free(host);
	}
	assert_int_equal(S2S_EINVAL, s2s_url_host(&host, "no url", &err));
	assert_null(host);
	s2s_error_clear(&err);
	assert_int_equal(S2S_EINVAL,
	                 s2s_url_host(&host, "file:///etc/passwd", &err));
	assert_null(host);
}

struct encode_case {
	const char *name;
	const char *value;
	const char *want;
};

/* Space is %20 (never '+'), so that '+' in a value is unambiguous. */
/* clang-format off */
static const struct encode_case encode_cases[] = {
	{ "username", "alice", "username=alice" },
	{ "SAMLResponse", "PHNh+bWw/Zz==", "SAMLResponse=PHNh%2BbWw%2FZz%3D%3D" },
	{ "q", "a b&c=d", "q=a%20b%26c%3Dd" },
	{ "AuthState", "_22:http://h/x?a=1&b=2",
	  "AuthState=_22%3Ahttp%3A%2F%2Fh%2Fx%3Fa%3D1%26b%3D2" },
	{ "unreserved", "AZaz09-._~", "unreserved=AZaz09-._~" },
	{ "utf8", "caf\xc3\xa9 \xe4\xb8\xad", "utf8=caf%C3%A9%20%E4%B8%AD" },
	{ "ctl", "\t\r\n\x7f", "ctl=%09%0D%0A%7F" },
	{ "na me", "", "na%20me=" },
	{ "", "v", "=v" },
	{ "nullvalue", NULL, "nullvalue=" },
};
/* clang-format on */

static void test_url_url__form_append_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(encode_cases) / sizeof(*encode_cases);
	     i++) {
		struct s2s_buf body = S2S_BUF_SECRET_INIT;
		const struct encode_case *c = &encode_cases[i];

		assert_int_equal(S2S_OK, s2s_form_append(&body, c->name,
		                                         c->value, NULL));
		assert_string_equal(c->want, body.ptr);
		s2s_buf_release(&body);
	}
}

static void test_url_url__form_append_separates_with_ampersand(void **state)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;

	(void)state;
	assert_int_equal(S2S_OK, s2s_form_append(&body, "a", "1", NULL));
	assert_int_equal(S2S_OK, s2s_form_append(&body, "b", "2+2", NULL));
	assert_int_equal(S2S_OK, s2s_form_append(&body, "c", "", NULL));
	assert_string_equal("a=1&b=2%2B2&c=", body.ptr);
	s2s_buf_release(&body);
}

static void test_url_url__form_append_failure_leaves_body(void **state)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, s2s_form_append(&body, "a", "1", NULL));
	body.max = 12;
	assert_int_equal(S2S_EINVAL,
	                 s2s_form_append(&body, "password", "hunter2", &err));
	assert_string_equal("a=1", body.ptr);
	assert_int_equal(3, body.len);
	assert_null(strstr(err.msg, "hunter2"));
	/* The partial value was wiped, not only cut off. */
	for (size_t i = 4; i < 12; i++)
		assert_int_equal(0, body.ptr[i]);
	s2s_buf_release(&body);
}

static void test_url_url__form_append_large_base64(void **state)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
	                          "stuvwxyz0123456789+/";
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	char *value = malloc(9601);
	size_t plus = 0;

	(void)state;
	assert_non_null(value);
	for (size_t i = 0; i < 9600; i++)
		value[i] = b64[i % 64];
	value[9598] = value[9599] = '=';
	value[9600] = '\0';
	for (size_t i = 0; i < 9600; i++)
		plus += value[i] == '+' || value[i] == '/' || value[i] == '=';
	assert_int_equal(S2S_OK,
	                 s2s_form_append(&body, "SAMLResponse", value, NULL));
	assert_int_equal(strlen("SAMLResponse=") + 9600 + 2 * plus, body.len);
	assert_null(strchr(body.ptr, '+'));
	assert_null(strchr(body.ptr, '/'));
	assert_string_equal("%3D%3D", body.ptr + body.len - 6);
	s2s_freezero(value, 9601);
	s2s_buf_release(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_url__resolve_table),
		cmocka_unit_test(test_url_url__allowed_table),
		cmocka_unit_test(test_url_url__host),
		cmocka_unit_test(test_url_url__form_append_table),
		cmocka_unit_test(
		        test_url_url__form_append_separates_with_ampersand),
		cmocka_unit_test(test_url_url__form_append_failure_leaves_body),
		cmocka_unit_test(test_url_url__form_append_large_base64),
	};

	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
