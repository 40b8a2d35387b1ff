/* SPDX-License-Identifier: MIT */
/* Unit tests for the adapter key namespaces in lib/login.c, with a tiny
 * fake registry: s2s_adapter_check_keys() over the table and the own-
 * namespace check of s2s_login_validate(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/adapter.h>
#include <saml2sts/login.h>

static const char *const alpha_keys[] = { "push_timeout", "mfa", "totp_seed",
	                                  NULL };
static const char *const alpha_aliases[] = { "alpha-classic", NULL };
static const char *const beta_keys[] = { "ecp_url", NULL };

static s2s_err auth_none(struct s2s_adapter_ctx *ctx, struct s2s_buf *out)
{
	(void)ctx;
	(void)out;
	return S2S_OK;
}

static const struct s2s_adapter alpha = {
	.abi = S2S_ADAPTER_ABI,
	.name = "alpha",
	.aliases = alpha_aliases,
	.config_keys = alpha_keys,
	.authenticate = auth_none,
};

/* Two adapters sharing the namespace "beta". */
static const struct s2s_adapter beta = {
	.abi = S2S_ADAPTER_ABI,
	.name = "beta",
	.config_keys = beta_keys,
	.authenticate = auth_none,
};

static const struct s2s_adapter beta_ecp = {
	.abi = S2S_ADAPTER_ABI,
	.name = "beta-ecp",
	.config_keys = beta_keys,
	.config_ns = "beta",
	.url_key = "beta.ecp_url",
	.authenticate = auth_none,
};

static const struct s2s_adapter gamma = {
	/* no settings */
	.abi = S2S_ADAPTER_ABI,
	.name = "gamma",
	.authenticate = auth_none,
};

static const struct s2s_adapter *const table[] = { &alpha, &beta, &beta_ecp,
	                                           &gamma, NULL };

struct key_case {
	const char *ini;
	const char *want; /* NULL: accepted */
};

#define HEAD "[a]\nurl = https://idp.example.org/\n"

/* clang-format off */
static const struct key_case cases[] = {
	{ HEAD "alpha.push_timeout = 30\nalpha.mfa = push\n", NULL },
	{ HEAD "beta.ecp_url = https://idp.example.org/ecp\n", NULL },
	{ HEAD "session_duration = 3600\n", NULL },
	{ HEAD "alpha.bogus = 1\n",
	  "t.ini:3: unknown key 'alpha.bogus' for adapter alpha: remove it "
	  "or see its settings in saml2sts adapters" },
	{ HEAD "alpha-classic.mfa = push\n",
	  "t.ini:3: unknown key 'alpha-classic.mfa' for adapter alpha: "
	  "remove it or see its settings in saml2sts adapters" },
	{ HEAD "beta-ecp.ecp_url = x\n",
	  "t.ini:3: unknown key 'beta-ecp.ecp_url' for adapter beta-ecp: "
	  "remove it or see its settings in saml2sts adapters" },
	{ HEAD "gamma.x = 1\n",
	  "t.ini:3: unknown key 'gamma.x' for adapter gamma: remove it or "
	  "see its settings in saml2sts adapters" },
	{ HEAD "delta.x = 1\n",
	  "t.ini:3: unknown key 'delta.x' (no adapter 'delta'): remove it "
	  "or fix the name" },
};
/* clang-format on */

static struct s2s_config *parse(const char *ini)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg = NULL;

	assert_int_equal(S2S_OK, s2s_config_parse(&cfg, "t.ini", ini,
	                                          strlen(ini), &err));
	return cfg;
}

static void test_login_check_keys__table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_config *cfg = parse(cases[i].ini);
		const struct s2s_account *acct = s2s_config_account(cfg, "a");
		s2s_err rc = s2s_adapter_check_keys(table, acct, &err);

		if (!cases[i].want) {
			assert_int_equal(S2S_OK, rc);
		} else {
			assert_int_equal(S2S_ECONFIG, rc);
			assert_string_equal(cases[i].want, err.msg);
		}
		s2s_config_free(cfg);
	}
}

/* s2s_login_validate() checks the adapter's own namespace only. */
static void test_login_check_keys__own_namespace(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg =
	        parse(HEAD "beta.ecp_url = https://e/\nalpha.bogus = 1\n");
	const struct s2s_account *acct = s2s_config_account(cfg, "a");

	(void)state;
	assert_int_equal(S2S_OK, s2s_login_validate(&beta, acct, &err));
	assert_int_equal(S2S_ECONFIG, s2s_login_validate(&alpha, acct, &err));
	assert_string_equal("t.ini:4: unknown key 'alpha.bogus' for adapter "
	                    "alpha: remove it or see its settings in "
	                    "saml2sts adapters",
	                    err.msg);
	s2s_config_free(cfg);
}

/* <adapter>.totp_seed, for an adapter that declares it, can only say
 * keyring: the core checks it for every such adapter. */
static void test_login_check_keys__totp_seed_is_keyring(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg =
	        parse(HEAD "alpha.totp_seed = keyring\n"
	                   "[b]\nurl = https://idp.example.org/\n"
	                   "alpha.totp_seed = JBSWY3DPEHPK3PXP\n");

	(void)state;
	assert_int_equal(
	        S2S_OK,
	        s2s_login_validate(&alpha, s2s_config_account(cfg, "a"), &err));
	assert_int_equal(
	        S2S_ECONFIG,
	        s2s_login_validate(&alpha, s2s_config_account(cfg, "b"), &err));
	assert_string_equal("alpha.totp_seed must be keyring (set by configure "
	                    "--totp-secret-stdin)",
	                    err.msg);
	s2s_config_free(cfg);
}

/* <ns>.push_timeout and <ns>.poll_interval: defaults, values, ranges. */
static void test_login_check_keys__wait_settings(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg = parse(HEAD "[b]\nurl = https://i/\n"
	                                    "alpha.push_timeout = 30\n"
	                                    "alpha.poll_interval = 250\n"
	                                    "[c]\nurl = https://i/\n"
	                                    "alpha.poll_interval = 10\n");
	long t = 0, p = 0;

	(void)state;
	assert_int_equal(S2S_OK, s2s_adapter_wait_settings(
	                                 s2s_config_account(cfg, "a"), "alpha",
	                                 120, 2000, &t, &p, &err));
	assert_int_equal(120, t);
	assert_int_equal(2000, p);
	assert_int_equal(S2S_OK, s2s_adapter_wait_settings(
	                                 s2s_config_account(cfg, "b"), "alpha",
	                                 120, 2000, &t, &p, &err));
	assert_int_equal(30, t);
	assert_int_equal(250, p);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_adapter_wait_settings(s2s_config_account(cfg, "c"),
	                                           "alpha", 120, 2000, &t, &p,
	                                           &err));
	assert_non_null(strstr(err.msg, "alpha.poll_interval"));
	s2s_config_free(cfg);
}

/* The URL policy, on url or on the adapter's url_key. */
static void test_login_check_keys__url_policy(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg = parse("[a]\nurl = http://idp.example.org/\n"
	                               "[b]\nurl = http://127.0.0.1:8080/\n"
	                               "[c]\nurl = https://idp.example.org/\n"
	                               "beta.ecp_url = http://e.example/\n");

	(void)state;
	assert_int_equal(
	        S2S_ECONFIG,
	        s2s_login_validate(&alpha, s2s_config_account(cfg, "a"), &err));
	assert_string_equal("url must be https (http only to a loopback "
	                    "address)",
	                    err.msg);
	s2s_error_clear(&err);
	assert_int_equal(
	        S2S_OK,
	        s2s_login_validate(&alpha, s2s_config_account(cfg, "b"), &err));
	assert_int_equal(
	        S2S_OK,
	        s2s_login_validate(&beta, s2s_config_account(cfg, "c"), &err));
	assert_int_equal(S2S_ECONFIG,
	                 s2s_login_validate(&beta_ecp,
	                                    s2s_config_account(cfg, "c"),
	                                    &err));
	assert_string_equal("beta.ecp_url must be https (http only to a "
	                    "loopback address)",
	                    err.msg);
	s2s_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_check_keys__table),
		cmocka_unit_test(test_login_check_keys__totp_seed_is_keyring),
		cmocka_unit_test(test_login_check_keys__wait_settings),
		cmocka_unit_test(test_login_check_keys__own_namespace),
		cmocka_unit_test(test_login_check_keys__url_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
