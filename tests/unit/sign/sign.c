/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for lib/sign.c against every published vector of the
 * protocol notes (../shared/notes/cloudsso-and-chaining.md 2.2 and 2.4):
 * RPC HMAC-SHA1 V1-a..V1-h (with the `TimeStamp` spelling trap of the
 * official example) and ACS3-HMAC-SHA256 V3-a..V3-d, plus the
 * percent-encoding rule and the whole signed form of an AssumeRole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/sign.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_string(const char *method, const struct s2s_sign_param *p,
                         size_t n, const char *want)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_INIT;

	assert_int_equal(S2S_OK, s2s_sign_rpc_string(&b, method, p, n, &err));
	assert_string_equal(want, b.ptr);
	s2s_buf_release(&b);
}

static void check_sig(const char *method, const struct s2s_sign_param *p,
                      size_t n, const char *secret, const char *want)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char sig[S2S_SIGN_B64_SHA1];

	assert_int_equal(S2S_OK, s2s_sign_rpc(sig, method, p, n, secret, &err));
	assert_string_equal(want, sig);
}

/* The official ECS example, in the order it is published (unsorted on
 * purpose: the signer sorts). */
#define V1A_COMMON                                                            \
	{ "Version", "2014-05-26" }, { "AccessKeyId", "testid" },             \
	        { "Action", "DescribeRegions" }, { "Format", "XML" },         \
	        { "SignatureMethod", "HMAC-SHA1" },                           \
	        { "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" }, \
	{                                                                     \
		"SignatureVersion", "1.0"                                     \
	}

static void test_sign_sign__v1a_published_timestamp_key(void **state)
{
	static const struct s2s_sign_param p[] = {
		V1A_COMMON,
		{ "TimeStamp", "2016-02-23T12:46:24Z" },
	};

	(void)state;
	check_string("GET", p, N(p),
	             "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%"
	             "26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%"
	             "26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%"
	             "26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%"
	             "253A46%253A24Z%26Version%3D2014-05-26");
	check_sig("GET", p, N(p), "testsecret", "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

/* The trap: the same request with the key the API really takes
 * (`Timestamp`) sorts differently and signs differently. */
static void test_sign_sign__v1b_timestamp_trap(void **state)
{
	static const struct s2s_sign_param p[] = {
		V1A_COMMON,
		{ "Timestamp", "2016-02-23T12:46:24Z" },
	};

	(void)state;
	check_string("GET", p, N(p),
	             "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%"
	             "26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%"
	             "26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%"
	             "26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%"
	             "253A46%253A24Z%26Version%3D2014-05-26");
	check_sig("GET", p, N(p), "testsecret", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	assert_string_not_equal("CT9X0VtwR86fNWSnsc6v8YGOjuE=",
	                        "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

static void test_sign_sign__v1c_dedicated_hosts(void **state)
{
	static const struct s2s_sign_param p[] = {
		{ "AccessKeyId", "testid" },
		{ "Action", "DescribeDedicatedHosts" },
		{ "Format", "JSON" },
		{ "RegionId", "cn-beijing" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb" },
		{ "SignatureVersion", "1.0" },
		{ "Timestamp", "2023-03-13T08:34:30Z" },
		{ "Version", "2014-05-26" },
	};

	(void)state;
	check_sig("GET", p, N(p), "testsecret", "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
}

static void test_sign_sign__v1d_darabonba(void **state)
{
	static const struct s2s_sign_param p[] = {
		{ "query", "test" },
		{ "body", "test" },
	};

	(void)state;
	check_string("GET", p, N(p), "GET&%2F&body%3Dtest%26query%3Dtest");
	check_sig("GET", p, N(p), "secret", "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
}

static void test_sign_sign__v1e_nested_url(void **state)
{
	static const struct s2s_sign_param p[] = {
		{ "q", "http://domain/?q=value&q2=value2" },
		{ "key", "value" },
	};

	(void)state;
	check_string("GET", p, N(p),
	             "GET&%2F&key%3Dvalue%26q%3Dhttp%253A%252F%252Fdomain%252F%"
	             "253Fq%253Dvalue%2526q2%253Dvalue2");
}

static void test_sign_sign__v1f_hmac_primitive(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char sig[S2S_SIGN_B64_SHA1];

	(void)state;
	assert_int_equal(S2S_OK, s2s_sign_hmac_sha1_b64(sig, "secret", 6,
	                                                "source", 6, &err));
	assert_string_equal("Jv4yi8SobFhg5t1C7nWLbhBSFZQ=", sig);
}

static const struct s2s_sign_param v1g[] = {
	{ "AccessKeyId", "STS.testid" },
	{ "Action", "AssumeRole" },
	{ "DurationSeconds", "3600" },
	{ "Format", "JSON" },
	{ "RoleArn", "acs:ram::1234567890123456:role/target-role" },
	{ "RoleSessionName", "alice@example.com" },
	{ "SecurityToken", "testtoken+/=" },
	{ "SignatureMethod", "HMAC-SHA1" },
	{ "SignatureNonce", "0f1e2d3c4b5a69788796a5b4c3d2e1f0" },
	{ "SignatureVersion", "1.0" },
	{ "Timestamp", "2026-01-02T03:04:05Z" },
	{ "Version", "2015-04-01" },
};

static void test_sign_sign__v1g_assume_role_with_sts_key(void **state)
{
	(void)state;
	check_string(
	        "POST", v1g, N(v1g),
	        "POST&%2F&AccessKeyId%3DSTS.testid%26Action%3DAssumeRole%"
	        "26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs%"
	        "253Aram%253A%253A1234567890123456%253Arole%252Ftarget-"
	        "role%26RoleSessionName%3Dalice%2540example.com%"
	        "26SecurityToken%3Dtesttoken%252B%252F%253D%"
	        "26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%"
	        "3D0f1e2d3c4b5a69788796a5b4c3d2e1f0%26SignatureVersion%3D1."
	        "0%26Timestamp%3D2026-01-02T03%253A04%253A05Z%26Version%"
	        "3D2015-04-01");
	check_sig("POST", v1g, N(v1g), "testsecret",
	          "nhPxlEaXOZY1WZeLwVz719ysjZU=");
}

/* The same request built by the form builder: common parameters,
 * SecurityToken, and the Signature appended, everything pe-encoded. */
static void test_sign_sign__v1g_through_the_form_builder(void **state)
{
	static const struct s2s_sign_param biz[] = {
		{ "RoleArn", "acs:ram::1234567890123456:role/target-role" },
		{ "RoleSessionName", "alice@example.com" },
		{ "DurationSeconds", "3600" },
	};
	struct s2s_sign_rpc_call call = { 0 };
	struct s2s_sign_key key = { "STS.testid", "testsecret",
		                    "testtoken+/=" };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf b = S2S_BUF_SECRET_INIT;

	(void)state;
	call.method = "POST";
	call.action = "AssumeRole";
	call.version = "2015-04-01";
	call.params = biz;
	call.n = N(biz);
	call.nonce = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
	call.timestamp = 1767323045; /* 2026-01-02T03:04:05Z */
	assert_int_equal(S2S_OK, s2s_sign_rpc_form(&b, &call, &key, &err));
	assert_non_null(strstr(b.ptr, "&Signature=nhPxlEaXOZY1WZeLwVz719ysjZU%"
	                              "3D"));
	assert_non_null(strstr(b.ptr, "SecurityToken=testtoken%2B%2F%3D&"));
	assert_non_null(strstr(b.ptr, "Timestamp=2026-01-02T03%3A04%3A05Z"));
	assert_non_null(strstr(b.ptr, "RoleSessionName=alice%40example.com"));
	assert_null(strchr(b.ptr, '+'));
	s2s_buf_release(&b);
}

static void test_sign_sign__v1h_get_caller_identity(void **state)
{
	static const struct s2s_sign_param p[] = {
		{ "AccessKeyId", "testid" },
		{ "Action", "GetCallerIdentity" },
		{ "Format", "JSON" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureNonce", "nonce-1" },
		{ "SignatureVersion", "1.0" },
		{ "Timestamp", "2026-01-02T03:04:05Z" },
		{ "Version", "2015-04-01" },
	};

	(void)state;
	check_sig("GET", p, N(p), "testsecret", "CyzsYW6qP4TbFZxdadNJO8tNnIs=");
}

/* Two calls of the builder never share a nonce (CSPRNG). */
static void test_sign_sign__fresh_nonce_per_call(void **state)
{
	struct s2s_sign_rpc_call call = { 0 };
	struct s2s_sign_key key = { "LTAIkey", "s", NULL };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf a = S2S_BUF_INIT, b = S2S_BUF_INIT;
	const char *na, *nb;

	(void)state;
	call.method = "POST";
	call.action = "GetCallerIdentity";
	call.version = "2015-04-01";
	assert_int_equal(S2S_OK, s2s_sign_rpc_form(&a, &call, &key, &err));
	assert_int_equal(S2S_OK, s2s_sign_rpc_form(&b, &call, &key, &err));
	na = strstr(a.ptr, "SignatureNonce=");
	nb = strstr(b.ptr, "SignatureNonce=");
	assert_non_null(na);
	assert_non_null(nb);
	assert_memory_not_equal(na, nb, strlen("SignatureNonce=") + 32);
	assert_null(strstr(a.ptr, "SecurityToken")); /* a RAM user's key */
	s2s_buf_release(&a);
	s2s_buf_release(&b);
}

static void test_sign_sign__percent_encoding(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "AZaz09-_.~", "AZaz09-_.~" },
		{ "a b", "a%20b" },
		{ "*", "%2A" },
		{ "+/=", "%2B%2F%3D" },
		{ "\xe4\xb8\xad", "%E4%B8%AD" },
		{ "", "" },
		{ "%7E", "%257E" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_buf b = S2S_BUF_INIT;

		assert_int_equal(S2S_OK, s2s_sign_pe(&b, cases[i].in, &err));
		assert_int_equal(S2S_OK, s2s_buf_terminate(&b));
		assert_string_equal(cases[i].out, b.ptr);
		s2s_buf_release(&b);
	}
}

static const char empty_sha[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void test_sign_sign__v3a_run_instances(void **state)
{
	static const struct s2s_sign_param q[] = {
		{ "RegionId", "cn-shanghai" },
		{ "ImageId",
		  "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd" },
	};
	const struct s2s_sign_param h[] = {
		{ "host", "ecs.cn-shanghai.aliyuncs.com" },
		{ "x-acs-action", "RunInstances" },
		{ "x-acs-content-sha256", empty_sha },
		{ "x-acs-date", "2023-10-26T10:22:32Z" },
		{ "x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d" },
		{ "x-acs-version", "2014-05-26" },
	};
	struct s2s_sign_acs3 req = { "POST", "/", q, N(q), h, N(h), empty_sha };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf cr = S2S_BUF_INIT, auth = S2S_BUF_INIT;
	char digest[S2S_SIGN_HEX_SHA256];

	(void)state;
	assert_int_equal(S2S_OK,
	                 s2s_sign_acs3_canonical(&cr, NULL, &req, &err));
	s2s_sign_sha256_hex(digest, cr.ptr, cr.len);
	assert_string_equal(
	        "7ea06492da5221eba5297e897ce16e55f964061054b7695beed"
	        "aac1145b1e259",
	        digest);
	assert_int_equal(S2S_OK, s2s_sign_acs3(&auth, &req, "YourAccessKeyId",
	                                       "YourAccessKeySecret", &err));
	assert_string_equal(
	        "ACS3-HMAC-SHA256 "
	        "Credential=YourAccessKeyId,SignedHeaders=host;"
	        "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-"
	        "nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bce"
	        "ab24a1d853912eee15083a6f0f3283c0",
	        auth.ptr);
	s2s_buf_release(&cr);
	s2s_buf_release(&auth);
}

static void test_sign_sign__v3b_merged_headers(void **state)
{
	static const struct s2s_sign_param q[] = {
		{ "test", "ok" },
		{ "empty", "" },
	};
	static const struct s2s_sign_param h[] = {
		{ "x-acs-test", "http" },
		{ "x-acs-TEST", "https" },
	};
	struct s2s_sign_acs3 req = { "GET",
		                     "/",
		                     q,
		                     N(q),
		                     h,
		                     N(h),
		                     "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65"
		                     "890c2a19ecf88a307e76a23" };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf cr = S2S_BUF_INIT, auth = S2S_BUF_INIT;

	(void)state;
	assert_int_equal(S2S_OK,
	                 s2s_sign_acs3_canonical(&cr, NULL, &req, &err));
	assert_string_equal("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\n"
	                    "x-acs-test\n55e12e91650d2fec56ec74e1d3e4ddbfce2ef3"
	                    "a65890c2a19ecf88a307e76a23",
	                    cr.ptr);
	assert_int_equal(
	        S2S_OK, s2s_sign_acs3(&auth, &req, "acesskey", "secret", &err));
	assert_string_equal(
	        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders="
	        "x-acs-test,Signature=d16b30a7699ae9e43875b13195b2f8"
	        "1bcc3ed10c14a9b5eb780e51619aa50be1",
	        auth.ptr);
	s2s_buf_release(&cr);
	s2s_buf_release(&auth);
}

static void test_sign_sign__v3c_sha256(void **state)
{
	char digest[S2S_SIGN_HEX_SHA256];

	(void)state;
	s2s_sign_sha256_hex(digest, "test", 4);
	assert_string_equal(
	        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15"
	        "d6c15b0f00a08",
	        digest);
	s2s_sign_sha256_hex(digest, "", 0);
	assert_string_equal(empty_sha, digest);
}

static void test_sign_sign__v3d_sts_with_token(void **state)
{
	const struct s2s_sign_param h[] = {
		{ "host", "sts.aliyuncs.com" },
		{ "x-acs-action", "GetCallerIdentity" },
		{ "x-acs-content-sha256", empty_sha },
		{ "x-acs-date", "2026-01-02T03:04:05Z" },
		{ "x-acs-security-token", "testtoken" },
		{ "x-acs-signature-nonce", "nonce-1" },
		{ "x-acs-version", "2015-04-01" },
	};
	struct s2s_sign_acs3 req = { "POST", "/", NULL, 0, h, N(h), empty_sha };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf cr = S2S_BUF_INIT, sh = S2S_BUF_INIT;
	struct s2s_buf auth = S2S_BUF_INIT;
	char digest[S2S_SIGN_HEX_SHA256];

	(void)state;
	assert_int_equal(S2S_OK, s2s_sign_acs3_canonical(&cr, &sh, &req, &err));
	assert_string_equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;"
	                    "x-acs-security-token;x-acs-signature-nonce;x-acs-"
	                    "version",
	                    sh.ptr);
	s2s_sign_sha256_hex(digest, cr.ptr, cr.len);
	assert_string_equal(
	        "3bfc64449425ea36e5c53f01ba6ded8c9e23e31b4fda9a8b509"
	        "adbf4f8385886",
	        digest);
	assert_int_equal(S2S_OK, s2s_sign_acs3(&auth, &req, "STS.id",
	                                       "testsecret", &err));
	assert_non_null(strstr(auth.ptr, ",Signature=81ee6782043687f6349c4077ff"
	                                 "a02c54ac10f3fc8abb9c707319698028144a"
	                                 "a8"));
	s2s_buf_release(&cr);
	s2s_buf_release(&sh);
	s2s_buf_release(&auth);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_sign__v1a_published_timestamp_key),
		cmocka_unit_test(test_sign_sign__v1b_timestamp_trap),
		cmocka_unit_test(test_sign_sign__v1c_dedicated_hosts),
		cmocka_unit_test(test_sign_sign__v1d_darabonba),
		cmocka_unit_test(test_sign_sign__v1e_nested_url),
		cmocka_unit_test(test_sign_sign__v1f_hmac_primitive),
		cmocka_unit_test(test_sign_sign__v1g_assume_role_with_sts_key),
		cmocka_unit_test(test_sign_sign__v1g_through_the_form_builder),
		cmocka_unit_test(test_sign_sign__v1h_get_caller_identity),
		cmocka_unit_test(test_sign_sign__fresh_nonce_per_call),
		cmocka_unit_test(test_sign_sign__percent_encoding),
		cmocka_unit_test(test_sign_sign__v3a_run_instances),
		cmocka_unit_test(test_sign_sign__v3b_merged_headers),
		cmocka_unit_test(test_sign_sign__v3c_sha256),
		cmocka_unit_test(test_sign_sign__v3d_sts_with_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
