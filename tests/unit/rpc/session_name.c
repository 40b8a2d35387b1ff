/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the RoleSessionName rules of lib/rpc.c: what STS takes
 * (2..64 of [A-Za-z0-9.@_-]) and the default derived from the source's
 * identity (the last ARN segment, other characters replaced, cut, and
 * padded when too short).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/rpc.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_rpc_session_name__valid(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "alice@example.com", true },
		{ "a.b_c-d", true },
		{ "ab", true },
		{ "a", false },
		{ "", false },
		{ "a b", false },
		{ "alice+1", false },
		{ "a/b", false },
		{ "\xc3\xa9t\xc3\xa9", false },
		{ "012345678901234567890123456789012345678901234567890123456789"
		  "0123",
		  true },
		{ "012345678901234567890123456789012345678901234567890123456789"
		  "01234",
		  false },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		assert_int_equal(cases[i].ok,
		                 s2s_rpc_session_name_ok(cases[i].name));
	assert_false(s2s_rpc_session_name_ok(NULL));
}

static void test_rpc_session_name__derived(void **state)
{
	static const struct {
		const char *identity, *want;
	} cases[] = {
		{ "acs:ram::1234567890123456:assumed-role/admin/"
		  "alice@example.com",
		  "alice@example.com" },
		{ "acs:ram::1:role/hub/bob.smith", "bob.smith" },
		{ "Jean Dupont+ops", "Jean-Dupont-ops" },
		{ "j\xc3\xb6rg", "j--rg" },
		{ "x", "saml2sts-x" },
		{ "", "saml2sts" },
		{ NULL, "saml2sts" },
		{ "acs:ram::1:role/hub/", "acs-ram--1-role-hub-" },
		{ "012345678901234567890123456789012345678901234567890123456789"
		  "0123"
		  "456789",
		  "012345678901234567890123456789012345678901234567890123456789"
		  "0123" },
	};
	char out[S2S_RPC_SESSION_NAME_MAX + 1];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		s2s_rpc_session_name(out, cases[i].identity);
		assert_string_equal(cases[i].want, out);
		assert_true(s2s_rpc_session_name_ok(out));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpc_session_name__valid),
		cmocka_unit_test(test_rpc_session_name__derived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
