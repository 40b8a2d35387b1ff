/* SPDX-License-Identifier: MIT */
/* Unit tests for s2s_time_format_utc(): UTC, no TZ dependence, and a
 * round trip through s2s_time_parse(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <saml2sts/isotime.h>

static void test_isotime_format__utc(void **state)
{
	char buf[32];

	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	s2s_time_format_utc(buf, sizeof(buf), 0);
	assert_string_equal("1970-01-01T00:00:00Z", buf);
	s2s_time_format_utc(buf, sizeof(buf), 1767323045);
	assert_string_equal("2026-01-02T03:04:05Z", buf);
}

static void test_isotime_format__round_trips(void **state)
{
	(void)state;
	for (time_t t = 0; t < 4102444800; t += 86400 * 37 + 3601) {
		char buf[32];
		time_t back = -1;

		s2s_time_format_utc(buf, sizeof(buf), t);
		assert_true(s2s_time_parse(&back, buf));
		assert_true(back == t);
	}
}

static void test_isotime_format__short_buffer_is_empty(void **state)
{
	char buf[8] = "xxxxxxx";

	(void)state;
	s2s_time_format_utc(buf, sizeof(buf), 0);
	assert_string_equal("", buf);
	s2s_time_format_utc(buf, 0, 0); /* nothing written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isotime_format__utc),
		cmocka_unit_test(test_isotime_format__round_trips),
		cmocka_unit_test(test_isotime_format__short_buffer_is_empty),
	};

	return cmocka_run_group_tests_name("isotime::format", tests, NULL,
	                                   NULL);
}
