/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/sts.c: answers of Alibaba STS, endpoint, duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/sts.h>

static const char success[] =
        "{\"RequestId\":\"6894B13B-6D71-4EF5-88FA-F32781734A7F\","
        "\"Credentials\":{\"AccessKeyId\":\"STS.L4aBSCSJVMuKg5U1\","
        "\"AccessKeySecret\":\"wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK\","
        "\"SecurityToken\":\"CAES+wMIARKAAZhjH0EUOIhJMQBMjRywXq7MQ/"
        "cjLYg80A==\","
        "\"Expiration\":\"2015-04-09T11:52:19Z\"},"
        "\"AssumedRoleUser\":{\"Arn\":\"acs:ram::1234567890123456:assumed-role/"
        "AdminRole/alice\",\"AssumedRoleId\":\"344584339364951186:alice\"},"
        "\"SAMLAssertionInfo\":{\"SubjectType\":\"persistent\",\"Subject\":"
        "\"alice@example.com\",\"Recipient\":\"https://signin.aliyun.com/"
        "saml-role/sso\",\"Issuer\":\"http://example.com/adfs\"}}";

static void test_sts_sts__parses_success(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;

	(void)state;
	assert_int_equal(S2S_OK, s2s_sts_parse_response(&c, 200, success,
	                                                strlen(success), &err));
	assert_string_equal("STS.L4aBSCSJVMuKg5U1", c->access_key_id);
	assert_string_equal("wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK",
	                    c->access_key_secret);
	assert_string_equal("CAES+wMIARKAAZhjH0EUOIhJMQBMjRywXq7MQ/cjLYg80A==",
	                    c->security_token);
	assert_int_equal(1428580339, (long)c->expiration);
	assert_string_equal("acs:ram::1234567890123456:assumed-role/AdminRole/"
	                    "alice",
	                    c->assumed_role_arn);
	s2s_creds_free(c);
}

struct error_case {
	long status;
	const char *body;
	s2s_err code;
	const char *msg_part; /* must appear in the message */
};

static const struct error_case errors[] = {
	{ 401,
	  "{\"RequestId\":\"A1\",\"HostId\":\"sts.aliyuncs.com\",\"Code\":"
	  "\"AuthenticationFail.SAMLAssertion.Expired\",\"Message\":\"The "
	  "SAML assertion has expired.\"}",
	  S2S_ESTS, "STS AuthenticationFail.SAMLAssertion.Expired: The SAML" },
	{ 404,
	  "{\"RequestId\":\"A2\",\"HostId\":\"sts.aliyuncs.com\",\"Code\":"
	  "\"EntityNotExist.Role\",\"Message\":\"The specified Role not "
	  "exists .\"}",
	  S2S_ESTS, "EntityNotExist.Role" },
	{ 400, "{\"code\":\"MissingParameter.RoleArn\",\"message\":\"x\"}",
	  S2S_ESTS, "MissingParameter.RoleArn: x" },
	{ 200, "{\"RequestId\":\"A3\"}", S2S_ESTS, "without an error code" },
	{ 200,
	  "{\"Credentials\":{\"AccessKeyId\":\"STS.x\",\"AccessKeySecret\":"
	  "\"s\",\"SecurityToken\":\"t\",\"Expiration\":\"tomorrow\"}}",
	  S2S_ESTS, "is not a UTC time" },
	{ 200, "{\"Credentials\":{\"AccessKeyId\":\"STS.x\"}}", S2S_ESTS,
	  "lacks Credentials" },
	{ 502, "<html>Bad Gateway</html>", S2S_ENET, "not JSON" },
	{ 400, "not json", S2S_ESTS, "HTTP 400" },
	{ 200, "{\"a\":1} trailing", S2S_ESTS, "not JSON" },
	{ 200, "[1,2]", S2S_ESTS, "not JSON" },
	{ 200, "", S2S_ESTS, "not JSON" },
};

static void test_sts_sts__error_shapes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_creds *c = NULL;
		s2s_err rc;

		rc = s2s_sts_parse_response(&c, errors[i].status,
		                            errors[i].body,
		                            strlen(errors[i].body), &err);
		if (rc != errors[i].code ||
		    !strstr(err.msg, errors[i].msg_part))
			fail_msg("case %zu: rc %d msg '%s'", i, rc, err.msg);
		assert_null(c);
		assert_null(strchr(err.msg, '\n'));
	}
}

static void test_sts_sts__endpoint(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *e = NULL;

	(void)state;
	assert_int_equal(S2S_OK, s2s_sts_endpoint(&e, NULL, NULL, &err));
	assert_string_equal("https://sts.aliyuncs.com", e);
	free(e);
	assert_int_equal(S2S_OK,
	                 s2s_sts_endpoint(&e, "ap-southeast-1", NULL, &err));
	assert_string_equal("https://sts.ap-southeast-1.aliyuncs.com", e);
	free(e);
	assert_int_equal(S2S_OK,
	                 s2s_sts_endpoint(&e, "cn-hangzhou",
	                                  "http://127.0.0.1:8080//", &err));
	assert_string_equal("http://127.0.0.1:8080", e);
	free(e);
	assert_int_equal(
	        S2S_ECONFIG,
	        s2s_sts_endpoint(&e, NULL, "http://sts.example.com", &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_sts_endpoint(&e, "cn/../evil", NULL, &err));
	assert_null(e);
}

static void test_sts_sts__duration(void **state)
{
	(void)state;
	assert_int_equal(3600, s2s_sts_duration(0, -1));
	assert_int_equal(1200, s2s_sts_duration(0, 1200));
	assert_int_equal(7200, s2s_sts_duration(7200, -1));
	assert_int_equal(1200, s2s_sts_duration(7200, 1200));
	assert_int_equal(900, s2s_sts_duration(100, -1));
	assert_int_equal(900, s2s_sts_duration(3600, 300));
	assert_int_equal(43200, s2s_sts_duration(99999, -1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sts_sts__parses_success),
		cmocka_unit_test(test_sts_sts__error_shapes),
		cmocka_unit_test(test_sts_sts__endpoint),
		cmocka_unit_test(test_sts_sts__duration),
	};

	return cmocka_run_group_tests_name("sts", tests, NULL, NULL);
}
