/* SPDX-License-Identifier: MIT */
/* Unit tests for s2s_role_parse(): one Alibaba Role attribute value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/role.h>

#define ROLE "acs:ram::1234567890123456:role/admin"
#define PROV "acs:ram::1234567890123456:saml-provider/ssp"

struct role_case {
	const char *in;
	const char *role_arn;
	const char *provider_arn;
	const char *account_id;
	const char *role_name;
};

static const struct role_case valid[] = {
	{ ROLE "," PROV, ROLE, PROV, "1234567890123456", "admin" },
	{ PROV "," ROLE, ROLE, PROV, "1234567890123456", "admin" },
	{ "  " ROLE " ,  " PROV "  ", ROLE, PROV, "1234567890123456", "admin" },
	{ "\n\t" PROV "\r\n,\t" ROLE "\n", ROLE, PROV, "1234567890123456",
	  "admin" },
	{ "acs:ram::1:role/a.b-c_d,acs:ram::1:saml-provider/idp-1",
	  "acs:ram::1:role/a.b-c_d", "acs:ram::1:saml-provider/idp-1", "1",
	  "a.b-c_d" },
	{ "acs:ram::42:role/aliyunreservedsso-admin,"
	  "acs:ram::42:saml-provider/AliyunReservedSSO-d-00x",
	  "acs:ram::42:role/aliyunreservedsso-admin",
	  "acs:ram::42:saml-provider/AliyunReservedSSO-d-00x", "42",
	  "aliyunreservedsso-admin" },
};

struct bad_case {
	const char *in;
	const char *msg; /* substring of the message */
};

static const struct bad_case invalid[] = {
	{ "", "is not 'role-arn,provider-arn'" },
	{ ROLE, "is not 'role-arn,provider-arn'" },
	{ ROLE "," PROV "," PROV, "is not 'role-arn,provider-arn'" },
	{ ROLE ",", "is not a RAM role ARN and a SAML provider ARN" },
	{ "," PROV, "is not a RAM role ARN and a SAML provider ARN" },
	{ ROLE "," ROLE, "has two role ARNs" },
	{ PROV "," PROV, "has two provider ARNs" },
	{ ROLE ",acs:ram::999:saml-provider/ssp", "different accounts" },
	{ "acs:ram::999:role/admin," PROV, "different accounts" },
	{ "acs:ram:::role/a,acs:ram:::saml-provider/p", "is not a RAM role" },
	{ "acs:ram::12a:role/a,acs:ram::12a:saml-provider/p",
	  "is not a RAM role" },
	{ "acs:ram::1:role/,acs:ram::1:saml-provider/p", "is not a RAM role" },
	{ "acs:ram::1:role/a,acs:ram::1:saml-provider/", "is not a RAM role" },
	{ "acs:ram::1:role/a b,acs:ram::1:saml-provider/p",
	  "is not a RAM role" },
	{ "acs:sts::1:role/a,acs:ram::1:saml-provider/p", "is not a RAM role" },
	{ "ACS:RAM::1:role/a,ACS:RAM::1:saml-provider/p", "is not a RAM role" },
	{ "acs:ram::1:user/a,acs:ram::1:saml-provider/p", "is not a RAM role" },
	{ "arn:aws:iam::123456789012:role/a,"
	  "arn:aws:iam::123456789012:saml-provider/p",
	  "is not a RAM role" },
	{ "acs:ram::1:role/a;acs:ram::1:saml-provider/p",
	  "is not 'role-arn,provider-arn'" },
};

static void assert_message_style(const struct s2s_error *err)
{
	size_t n = strlen(err->msg);

	assert_true(n > 0 && n < sizeof(err->msg) - 1);
	assert_null(strchr(err->msg, '\n'));
	assert_true(err->msg[n - 1] != '.');
	assert_true(err->msg[0] >= 'a' && err->msg[0] <= 'z');
}

static void test_role_role__valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_role r;

		assert_int_equal(S2S_OK, s2s_role_parse(&r, valid[i].in, &err));
		assert_string_equal(valid[i].role_arn, r.role_arn);
		assert_string_equal(valid[i].provider_arn, r.provider_arn);
		assert_string_equal(valid[i].account_id, r.account_id);
		assert_string_equal(valid[i].role_name, r.role_name);
		s2s_role_release(&r);
		assert_null(r.role_arn);
		s2s_role_release(&r); /* twice is harmless */
	}
}

static void test_role_role__invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_role r;

		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(S2S_ESAML,
		                 s2s_role_parse(&r, invalid[i].in, &err));
		assert_int_equal(S2S_ESAML, err.code);
		if (!strstr(err.msg, invalid[i].msg))
			fail_msg("'%s': got '%s'", invalid[i].in, err.msg);
		assert_message_style(&err);
		assert_null(r.role_arn); /* nothing to release */
		assert_null(r.provider_arn);
		assert_null(r.account_id);
		assert_null(r.role_name);
	}
}

static void test_role_role__message_names_value(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_role r;

	(void)state;
	assert_int_equal(S2S_ESAML, s2s_role_parse(&r, ROLE ",x", &err));
	assert_non_null(strstr(err.msg, ROLE));
}

static void test_role_role__long_value_is_cut(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_role r;
	char big[4096];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(S2S_ESAML, s2s_role_parse(&r, big, &err));
	assert_true(strlen(err.msg) < 200);
	assert_message_style(&err);
}

static void test_role_role__null_error_sink(void **state)
{
	struct s2s_role r;

	(void)state;
	assert_int_equal(S2S_ESAML, s2s_role_parse(&r, "nope", NULL));
	assert_int_equal(S2S_OK, s2s_role_parse(&r, ROLE "," PROV, NULL));
	s2s_role_release(&r);
	s2s_role_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_role__valid),
		cmocka_unit_test(test_role_role__invalid),
		cmocka_unit_test(test_role_role__message_names_value),
		cmocka_unit_test(test_role_role__long_value_is_cut),
		cmocka_unit_test(test_role_role__null_error_sink),
	};

	return cmocka_run_group_tests_name("role::role", tests, NULL, NULL);
}
