/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/suggest.c: the edit distance (with swaps, without
 * case) and the one word suggested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/suggest.h>

struct distance_case {
	const char *a, *b;
	size_t want;
};

/* clang-format off */
static const struct distance_case distances[] = {
	{ "", "", 0 },
	{ "login", "login", 0 },
	{ "LOGIN", "login", 0 },
	{ "logn", "login", 1 },
	{ "lgoin", "login", 1 },   /* a swap is one edit */
	{ "regoin", "region", 1 },
	{ "loginx", "login", 1 },
	{ "status", "stauts", 1 },
	{ "profle", "profile", 1 },
	{ "abc", "", 3 },
	{ "", "abc", 3 },
	{ "kitten", "sitting", 3 },
	{ "session duration", "session_duration", 1 },
};
/* clang-format on */

static void test_suggest_suggest__distance(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(distances) / sizeof(*distances); i++)
		if (s2s_edit_distance(distances[i].a, distances[i].b) !=
		    distances[i].want)
			fail_msg("case %zu: %s/%s: want %zu, got %zu", i,
			         distances[i].a, distances[i].b,
			         distances[i].want,
			         s2s_edit_distance(distances[i].a,
			                           distances[i].b));
}

static void test_suggest_suggest__long_words_are_bounded(void **state)
{
	char a[200], b[200];

	(void)state;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memset(b, 'b', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\0';
	assert_true(s2s_edit_distance(a, b) <= 255);
	assert_int_equal(0, s2s_edit_distance(a, a));
}

static void test_suggest_suggest__one_near_word(void **state)
{
	static const char *const cmds[] = { "adapters", "configure", "login",
		                            "logout",   NULL,        "status" };
	size_t n = sizeof(cmds) / sizeof(*cmds);

	(void)state;
	assert_string_equal("login", s2s_suggest("logn", cmds, n));
	assert_string_equal("login", s2s_suggest("LOGIN", cmds, n));
	assert_string_equal("logout", s2s_suggest("logot", cmds, n));
	assert_string_equal("status", s2s_suggest("stauts", cmds, n));
	assert_string_equal("configure", s2s_suggest("confgiure", cmds, n));
	/* equal distances: the first wins */
	assert_string_equal("login", s2s_suggest("logiu", cmds, n));
	/* too far, exact, too short, empty */
	assert_null(s2s_suggest("frobnicate", cmds, n));
	assert_null(s2s_suggest("login", cmds, n));
	assert_null(s2s_suggest("x", cmds, n));
	assert_null(s2s_suggest("lo", cmds, n));
	assert_null(s2s_suggest("", cmds, n));
	assert_null(s2s_suggest(NULL, cmds, n));
	assert_null(s2s_suggest("login", cmds, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_suggest__distance),
		cmocka_unit_test(test_suggest_suggest__long_words_are_bounded),
		cmocka_unit_test(test_suggest_suggest__one_near_word),
	};

	return cmocka_run_group_tests_name("suggest::suggest", tests, NULL,
	                                   NULL);
}
