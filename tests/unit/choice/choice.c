/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/choice.c: --role specs against SAML roles and
 * CloudSSO grants (access configuration by name or id, account by id or
 * display name), profile_template names, deep copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/choice.h>

#define ACCT    "1111111111111111"
#define SSO_ARN "acs:cloudsso::" ACCT ":access-configuration/ac-0001"

static struct s2s_role grant(void)
{
	struct s2s_role r = { 0 };

	r.role_arn = strdup(SSO_ARN);
	r.account_id = strdup(ACCT);
	r.role_name = strdup("Admin");
	r.account_name = strdup("Dev Team");
	r.access_config_id = strdup("ac-0001");
	return r;
}

static void test_choice_choice__cloudsso_specs(void **state)
{
	struct s2s_role r = grant();
	static const struct {
		const char *spec;
		bool match;
	} t[] = {
		{ "Admin", true },
		{ "admin", true },
		{ "ac-0001", true },
		{ "AC-0001", false }, /* ids are exact */
		{ ACCT "/Admin", true },
		{ ACCT "/ac-0001", true },
		{ "Dev Team/Admin", true },
		{ "dev team/ac-0001", true },
		{ "Dev Team/ReadOnly", false },
		{ "2222222222222222/Admin", false },
		{ SSO_ARN, true },
		{ "acs:ram::" ACCT ":role/admin", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (s2s_choice_matches(&r, t[i].spec) != t[i].match)
			fail_msg("spec '%s': expected %d", t[i].spec,
			         t[i].match);
	s2s_role_release(&r);
}

static void test_choice_choice__profile_names_have_no_spaces(void **state)
{
	struct s2s_role r = grant();
	char *p = s2s_choice_profile("{account}-{role}", &r);

	(void)state;
	assert_string_equal("Dev-Team-Admin", p);
	free(p);
	s2s_role_release(&r);
}

static void
test_choice_choice__copy_keeps_the_access_configuration(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_role r = grant(), c;

	(void)state;
	assert_int_equal(S2S_OK, s2s_role_copy(&c, &r, &err));
	assert_string_equal("ac-0001", c.access_config_id);
	assert_null(c.provider_arn);
	s2s_role_release(&c);
	assert_null(c.access_config_id);
	s2s_role_release(&r);
}

static void test_choice_choice__not_granted(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_role r = grant();
	size_t idx = 9;

	(void)state;
	assert_int_equal(S2S_ENOROLE,
	                 s2s_choice_find(&idx, &r, 1, "Dev Team/Nope", &err));
	assert_non_null(strstr(err.msg, "is not granted"));
	assert_int_equal(S2S_OK, s2s_choice_find(&idx, &r, 1, "ac-0001", &err));
	assert_int_equal(0, idx);
	s2s_role_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice_choice__cloudsso_specs),
		cmocka_unit_test(
		        test_choice_choice__profile_names_have_no_spaces),
		cmocka_unit_test(
		        test_choice_choice__copy_keeps_the_access_configuration),
		cmocka_unit_test(test_choice_choice__not_granted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
