/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/config.c parsing: every error with its line, the
 * key rules and the typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/config.h>

static struct s2s_config *cfg;

static int test_config_parse__cleanup(void **state)
{
	(void)state;
	s2s_config_free(cfg);
	cfg = NULL;
	return 0;
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/config/%s", S2S_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal((size_t)n, fread(data, 1, (size_t)n, f));
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void parse_fixture(const char *name)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t len;
	char *text = read_fixture(name, &len);

	assert_int_equal(S2S_OK, s2s_config_parse(&cfg, name, text, len, &err));
	free(text);
}

static void parse_str(const char *text)
{
	struct s2s_error err = S2S_ERROR_INIT;

	s2s_config_free(cfg);
	cfg = NULL;
	if (s2s_config_parse(&cfg, "test.ini", text, strlen(text), &err))
		fail_msg("parse failed: %s", err.msg);
}

struct error_case {
	const char *text;
	const char *want; /* the whole message */
};

/* clang-format off */
static const struct error_case error_cases[] = {
	{ "url = https://x/\n",
	  "test.ini:1: key 'url' outside a section" },
	{ "# c\n\n[a]\nprovider = form\nfoo = 1\n",
	  "test.ini:5: unknown key 'foo'" },
	{ "[a]\nurl = 1\n\nurl = 2\n",
	  "test.ini:4: duplicate key 'url' (first on line 2)" },
	{ "[a]\nurl = 1\n[b]\nurl = 2\n[a]\n",
	  "test.ini:5: duplicate section [a] (first on line 1)" },
	{ "[a]\njust some words\n",
	  "test.ini:2: malformed line: expected [section], key = value or a "
	  "comment" },
	{ "[a]\n  = value\n", "test.ini:2: malformed line: no key before '='" },
	{ "[a b]\n", "test.ini:1: bad section name 'a b'" },
	{ "[]\n", "test.ini:1: bad section name ''" },
	{ "[a/b]\n", "test.ini:1: bad section name 'a/b'" },
	{ "[a\n", "test.ini:1: malformed section header" },
	{ "[a] # no inline comments\n", "test.ini:1: malformed section header" },
	{ "[a]\nOkta.push_timeout = 1\n",
	  "test.ini:2: unknown key 'Okta.push_timeout'" },
	{ "[a]\nokta. = 1\n", "test.ini:2: unknown key 'okta.'" },
	{ ".x = 1\n", "test.ini:1: unknown key '.x'" },
	{ "[a]\nokta.push.timeout = 1\n",
	  "test.ini:2: unknown key 'okta.push.timeout'" },
	{ "[a]\nsession duration = 1\n",
	  "test.ini:2: unknown key 'session duration'" },
	{ "[a]\nURL = x\n", "test.ini:2: unknown key 'URL'" },
	{ "[a]\nurl\n", "test.ini:2: malformed line: expected [section], "
	  "key = value or a comment" },
};
/* clang-format on */

static void test_config_parse__errors_name_file_and_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(*error_cases);
	     i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		const char *text = error_cases[i].text;
		s2s_err rc = s2s_config_parse(&cfg, "test.ini", text,
		                              strlen(text), &err);

		if (rc != S2S_ECONFIG || cfg)
			fail_msg("case %zu: want S2S_ECONFIG, got %d", i, rc);
		if (strcmp(error_cases[i].want, err.msg) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i,
			         error_cases[i].want, err.msg);
	}
}

static void test_config_parse__nul_byte(void **state)
{
	static const char text[] = "# c\n[a]\nurl = x\0y\nmfa = push\n";
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_ECONFIG, s2s_config_parse(&cfg, "c", text,
	                                               sizeof(text) - 1, &err));
	assert_string_equal("c:3: NUL byte in the file", err.msg);
}

static void test_config_parse__too_large(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t len = 1024 * 1024 + 1;
	char *text = malloc(len);

	(void)state;
	assert_non_null(text);
	memset(text, '\n', len);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_parse(&cfg, "big", text, len, &err));
	assert_string_equal("big: file is larger than 1 MiB", err.msg);
	assert_int_equal(S2S_OK,
	                 s2s_config_parse(&cfg, "big", text, len - 1, &err));
	assert_int_equal(0, s2s_config_count(cfg));
	free(text);
}

static void test_config_parse__commented_file(void **state)
{
	const struct s2s_account *a;

	(void)state;
	parse_fixture("commented.ini");
	assert_int_equal(3, s2s_config_count(cfg));
	a = s2s_config_at(cfg, 0);
	assert_string_equal("default", s2s_account_name(a));
	assert_ptr_equal(a, s2s_config_account(cfg, "default"));
	assert_string_equal("form", s2s_account_get(a, "provider"));
	/* '#' inside a value is not a comment. */
	assert_string_equal("https://idp.example.com/simplesaml/saml2/idp/"
	                    "SSOService.php?spentityid=urn%3Aalibaba%3A"
	                    "cloudcomputing#login",
	                    s2s_account_get(a, "url"));
	assert_string_equal("alice", s2s_account_get(a, "username"));
	assert_string_equal("3600", s2s_account_get(a, "session_duration"));
	assert_int_equal(8, s2s_account_line(a, "session_duration"));
	assert_int_equal(0, s2s_account_line(a, "mfa"));
	assert_null(s2s_account_get(a, "mfa"));
	assert_string_equal("auto", s2s_account_get_str(a, "mfa", "auto"));
	a = s2s_config_account(cfg, "work");
	assert_ptr_equal(a, s2s_config_at(cfg, 1));
	assert_string_equal("60", s2s_account_get(a, "okta.push_timeout"));
	assert_string_equal("", s2s_account_get(a, "role_arn"));
	assert_string_equal("", s2s_account_get_str(a, "role_arn", "x"));
	a = s2s_config_at(cfg, 2);
	assert_string_equal("test-1.x@corp", s2s_account_name(a));
	assert_string_equal("intl", s2s_account_get(a, "site"));
	assert_null(s2s_config_at(cfg, 3));
	assert_null(s2s_config_account(cfg, "Work"));
	assert_null(s2s_config_account(cfg, "nope"));
}

static void test_config_parse__crlf_and_bom(void **state)
{
	const struct s2s_account *a;

	(void)state;
	parse_fixture("crlf-bom.ini");
	a = s2s_config_account(cfg, "default");
	assert_non_null(a);
	assert_string_equal("https://idp.example.com/",
	                    s2s_account_get(a, "url"));
	assert_string_equal("30", s2s_account_get(a, "timeout"));
	assert_int_equal(4, s2s_account_line(a, "timeout"));
}

static void test_config_parse__empty_inputs(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_OK, s2s_config_parse(&cfg, "e", "", 0, &err));
	assert_int_equal(0, s2s_config_count(cfg));
	parse_str("\n\n# only comments\n   ; and this\n");
	assert_int_equal(0, s2s_config_count(cfg));
	parse_str("[a]");
	assert_int_equal(1, s2s_config_count(cfg));
	parse_str("[ spaced ]\nurl=x");
	assert_string_equal(
	        "x", s2s_account_get(s2s_config_account(cfg, "spaced"), "url"));
}

static void test_config_parse__key_valid(void **state)
{
	/* clang-format off */
	static const char *const good[] = {
		"provider", "url", "username", "site", "region",
		"sts_endpoint", "profile", "profile_template", "role_arn",
		"session_duration", "refresh_window", "signin_endpoint", "mfa",
		"idp_cert", "idp_metadata", "clock_skew", "remember_session",
		"save_password", "timeout", "http_retries", "browser",
		"aliyun_config", "account_aliases", "okta.push_timeout",
		"adfs.realm", "my-idp.x_1", "0.0",
	};
	static const char *const bad[] = {
		"", "password", "Provider", "url ", "okta", "okta.", ".x",
		"a.b.c", "Okta.x", "okta.X", "ok ta.x", "okta.x y", "a..b",
	};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!s2s_config_key_valid(good[i]))
			fail_msg("%s should be valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (s2s_config_key_valid(bad[i]))
			fail_msg("%s should be invalid", bad[i]);
	assert_false(s2s_config_key_valid(NULL));
}

struct long_case {
	const char *value;
	long want; /* when ok */
	bool ok;
};

/* clang-format off */
static const struct long_case long_cases[] = {
	{ "3600", 3600, true },
	{ "900", 900, true },
	{ "43200", 43200, true },
	{ "+1000", 1000, true },
	{ "899", 0, false },
	{ "43201", 0, false },
	{ "-3600", 0, false },
	{ "1h", 0, false },
	{ "0x400", 0, false },
	{ "", 0, false },
	{ "99999999999999999999999", 0, false },
	{ "36 00", 0, false },
};
/* clang-format on */

static void test_config_parse__get_long(void **state)
{
	char text[128];
	long n;

	(void)state;
	for (size_t i = 0; i < sizeof(long_cases) / sizeof(*long_cases); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		s2s_err rc;

		snprintf(text, sizeof(text),
		         "[a]\nurl = x\nsession_duration = %s\n",
		         long_cases[i].value);
		parse_str(text);
		n = -1;
		rc = s2s_account_get_long(&n, s2s_config_account(cfg, "a"),
		                          "session_duration", 900, 43200, 3600,
		                          &err);
		if (long_cases[i].ok) {
			assert_int_equal(S2S_OK, rc);
			assert_int_equal(long_cases[i].want, n);
			continue;
		}
		if (rc != S2S_ECONFIG)
			fail_msg("case %zu (%s): want S2S_ECONFIG", i,
			         long_cases[i].value);
		assert_string_equal("test.ini:3: session_duration must be a "
		                    "number between 900 and 43200",
		                    err.msg);
	}
}

static void test_config_parse__get_long_default(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	long n = 0;

	(void)state;
	parse_str("[a]\nurl = x\n");
	assert_int_equal(S2S_OK,
	                 s2s_account_get_long(&n, s2s_config_account(cfg, "a"),
	                                      "refresh_window", 0, 86400, 1200,
	                                      &err));
	assert_int_equal(1200, n);
	assert_int_equal(S2S_OK, s2s_account_get_long(&n, NULL, "timeout", 1,
	                                              600, 60, &err));
	assert_int_equal(60, n);
	parse_str("[a]\nclock_skew = -30\n");
	assert_int_equal(
	        S2S_OK, s2s_account_get_long(&n, s2s_config_account(cfg, "a"),
	                                     "clock_skew", -300, 300, 0, &err));
	assert_int_equal(-30, n);
}

struct bool_case {
	const char *value;
	int want; /* -1: error */
};

/* clang-format off */
static const struct bool_case bool_cases[] = {
	{ "true", 1 }, { "TRUE", 1 }, { "yes", 1 }, { "Yes", 1 },
	{ "on", 1 }, { "1", 1 },
	{ "false", 0 }, { "False", 0 }, { "no", 0 }, { "NO", 0 },
	{ "off", 0 }, { "0", 0 },
	{ "maybe", -1 }, { "", -1 }, { "2", -1 }, { "yess", -1 },
	{ "t", -1 },
};
/* clang-format on */

static void test_config_parse__get_bool(void **state)
{
	char text[128];
	bool b;

	(void)state;
	for (size_t i = 0; i < sizeof(bool_cases) / sizeof(*bool_cases); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		s2s_err rc;

		snprintf(text, sizeof(text), "[a]\nremember_session = %s\n",
		         bool_cases[i].value);
		parse_str(text);
		rc = s2s_account_get_bool(&b, s2s_config_account(cfg, "a"),
		                          "remember_session", true, &err);
		if (bool_cases[i].want < 0) {
			if (rc != S2S_ECONFIG)
				fail_msg("case %zu (%s): want S2S_ECONFIG", i,
				         bool_cases[i].value);
			assert_string_equal("test.ini:2: remember_session "
			                    "must be true or false",
			                    err.msg);
			continue;
		}
		if (rc != S2S_OK || b != (bool_cases[i].want == 1))
			fail_msg("case %zu (%s)", i, bool_cases[i].value);
	}
	assert_int_equal(S2S_OK,
	                 s2s_account_get_bool(&b, s2s_config_account(cfg, "a"),
	                                      "aliyun_config", false, NULL));
	assert_false(b);
}

static void test_config_parse__set_value_checked_by_getter(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	long n;

	(void)state;
	parse_str("[a]\nurl = x\n");
	assert_int_equal(S2S_OK, s2s_config_set(cfg, "a", "session_duration",
	                                        "5", &err));
	assert_int_equal(S2S_ECONFIG,
	                 s2s_account_get_long(&n, s2s_config_account(cfg, "a"),
	                                      "session_duration", 900, 43200,
	                                      3600, &err));
	assert_string_equal("test.ini: [a] session_duration must be a number "
	                    "between 900 and 43200",
	                    err.msg);
}

#define T(f) cmocka_unit_test_teardown(f, test_config_parse__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_parse__errors_name_file_and_line),
		T(test_config_parse__nul_byte),
		T(test_config_parse__too_large),
		T(test_config_parse__commented_file),
		T(test_config_parse__crlf_and_bom),
		T(test_config_parse__empty_inputs),
		T(test_config_parse__key_valid),
		T(test_config_parse__get_long),
		T(test_config_parse__get_long_default),
		T(test_config_parse__get_bool),
		T(test_config_parse__set_value_checked_by_getter),
	};

	return cmocka_run_group_tests_name("config::parse", tests, NULL, NULL);
}
