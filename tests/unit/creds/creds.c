/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/creds.c: store JSON round trip, External JSON,
 * freshness window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/creds.h>

static struct s2s_creds *sample(void)
{
	struct s2s_creds *c = s2s_creds_new();

	c->access_key_id = strdup("STS.abc");
	c->access_key_secret = strdup("se\"cr\\et");
	c->security_token = strdup("tok+/=\n");
	c->expiration = 1800000000;
	c->issued = 1799996400;
	c->role_arn = strdup("acs:ram::1234567890123456:role/admin");
	c->account_name = strdup("default");
	return c;
}

static void test_creds_creds__json_round_trip(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	struct s2s_creds *c = sample(), *d = NULL;

	(void)state;
	assert_int_equal(S2S_OK, s2s_creds_to_json(c, &b, &err));
	assert_int_equal(S2S_OK, s2s_creds_from_json(&d, b.ptr, b.len, &err));
	assert_string_equal(c->access_key_id, d->access_key_id);
	assert_string_equal(c->access_key_secret, d->access_key_secret);
	assert_string_equal(c->security_token, d->security_token);
	assert_int_equal(c->expiration, d->expiration);
	assert_int_equal(c->issued, d->issued);
	assert_string_equal(c->role_arn, d->role_arn);
	assert_string_equal("default", d->account_name);
	assert_null(d->region);
	s2s_buf_release(&b);
	s2s_creds_free(c);
	s2s_creds_free(d);
}

/* CloudSSO credentials keep their access configuration; items stored
 * before the field existed still read. */
static void test_creds_creds__access_configuration(void **state)
{
	static const char old[] =
	        "{\"AccessKeyId\":\"STS.x\",\"AccessKeySecret\":\"s\","
	        "\"SecurityToken\":\"t\",\"Expiration\":"
	        "\"2027-01-15T08:00:00Z\"}";
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	struct s2s_creds *c = sample(), *d = NULL;

	(void)state;
	c->account_id = strdup("1111111111111111");
	c->access_config_id = strdup("ac-0001");
	assert_int_equal(S2S_OK, s2s_creds_to_json(c, &b, &err));
	assert_non_null(strstr(b.ptr, "\"AccessConfigurationId\":\"ac-0001\""));
	assert_int_equal(S2S_OK, s2s_creds_from_json(&d, b.ptr, b.len, &err));
	assert_string_equal("ac-0001", d->access_config_id);
	assert_string_equal("1111111111111111", d->account_id);
	s2s_creds_free(d);
	assert_int_equal(S2S_OK,
	                 s2s_creds_from_json(&d, old, sizeof(old) - 1, &err));
	assert_null(d->access_config_id);
	s2s_buf_release(&b);
	s2s_creds_free(c);
	s2s_creds_free(d);
}

static void test_creds_creds__external_json(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	struct s2s_creds *c = sample();

	(void)state;
	assert_int_equal(S2S_OK, s2s_creds_external_json(c, &b, &err));
	assert_string_equal(
	        "{\"mode\":\"StsToken\",\"access_key_id\":\"STS.abc\","
	        "\"access_key_secret\":\"se\\\"cr\\\\et\",\"sts_token\":"
	        "\"tok+/=\\u000a\",\"expiration\":\"2027-01-15T08:00:00Z\"}",
	        b.ptr);
	s2s_buf_release(&b);
	s2s_creds_free(c);
}

static void test_creds_creds__rejects_incomplete(void **state)
{
	static const char *const bad[] = {
		"{}",
		"{\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\"}",
		"{\"AccessKeyId\":\"a\",\"AccessKeySecret\":\"b\","
		"\"SecurityToken\":\"c\",\"Expiration\":\"soon\"}",
		"not json",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_creds *c = NULL;

		assert_int_equal(
		        S2S_ESTORE,
		        s2s_creds_from_json(&c, bad[i], strlen(bad[i]), &err));
		assert_null(c);
	}
}

static void test_creds_creds__window(void **state)
{
	struct s2s_creds *c = sample();

	(void)state;
	/* 3600 s lifetime: half is 1800, more than the 1200 default */
	assert_int_equal(1200, s2s_creds_window(c, 1200));
	/* 900 s lifetime: half is 450 */
	c->issued = c->expiration - 900;
	assert_int_equal(450, s2s_creds_window(c, 1200));
	c->issued = 0;
	assert_int_equal(1200, s2s_creds_window(c, 1200));
	assert_int_equal(100, s2s_creds_remaining(c, c->expiration - 100));
	s2s_creds_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_creds__json_round_trip),
		cmocka_unit_test(test_creds_creds__access_configuration),
		cmocka_unit_test(test_creds_creds__external_json),
		cmocka_unit_test(test_creds_creds__rejects_incomplete),
		cmocka_unit_test(test_creds_creds__window),
	};

	return cmocka_run_group_tests_name("creds", tests, NULL, NULL);
}
