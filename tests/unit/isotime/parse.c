/* SPDX-License-Identifier: MIT */
/* Unit tests for s2s_time_parse(): xs:dateTime in UTC, no TZ dependence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <saml2sts/isotime.h>

struct time_case {
	const char *in;
	int64_t want;
};

static const struct time_case valid[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "2026-01-02T03:04:05Z", 1767323045 },
	{ "2026-01-02T03:04:05+00:00", 1767323045 },
	{ "2026-01-02T03:04:05.1Z", 1767323045 },
	{ "2026-01-02T03:04:05.123456789+00:00", 1767323045 },
	{ "2000-02-29T12:00:00Z", 951825600 },    /* 400-year leap */
	{ "2024-02-29T23:59:59Z", 1709251199 },   /* 4-year leap */
	{ "2100-03-01T00:00:00Z", 4107542400 },   /* 2100 is not leap */
	{ "1969-12-31T23:59:59Z", -1 },           /* before the epoch */
	{ "1600-02-29T00:00:00Z", -11670998400 }, /* far before it */
	{ "0001-01-01T00:00:00Z", -62135596800 },
};

/* Beyond 2038: only where time_t can hold them. */
static const struct time_case valid64[] = {
	{ "2038-01-19T03:14:08Z", 2147483648 },
	{ "9999-12-31T23:59:59Z", 253402300799 },
};

static const char *const invalid[] = {
	"",
	"2026",
	"2026-01-02",
	"2026-01-02T03:04",
	"2026-01-02T03:04:05",       /* no zone: local time, refused */
	"2026-01-02T03:04:05+01:00", /* not UTC */
	"2026-01-02T03:04:05-00:00",
	"2026-01-02T03:04:05+00",
	"2026-01-02T03:04:05z",
	"2026-01-02t03:04:05Z",
	"2026-01-02 03:04:05Z",
	"2026-01-02T03:04:05.Z",
	"2026-01-02T03:04:05.5",
	"2026-01-02T03:04:05Z ",
	" 2026-01-02T03:04:05Z",
	"2026-01-02T03:04:05ZZ",
	"2026-1-02T03:04:05Z",
	"2026-01-2T03:04:05Z",
	"+2026-01-02T03:04:05Z",
	"-2026-01-02T03:04:05Z",
	"20260-01-02T03:04:05Z",
	"0000-01-01T00:00:00Z", /* no year zero */
	"2026-00-01T00:00:00Z",
	"2026-13-01T00:00:00Z",
	"2026-01-00T00:00:00Z",
	"2026-01-32T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-02-29T00:00:00Z", /* not a leap year */
	"1900-02-29T00:00:00Z", /* century, not leap */
	"2026-01-01T24:00:00Z",
	"2026-01-01T23:60:00Z",
	"2026-01-01T23:59:60Z", /* no leap seconds in xs:dateTime */
	"2026-01-01T23:59:5aZ",
	"2026-01-01T23:59:59.1e3Z",
};

static void test_isotime_parse__valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		time_t t = 42;

		if (!s2s_time_parse(&t, valid[i].in))
			fail_msg("refused %s", valid[i].in);
		assert_int_equal(valid[i].want, (int64_t)t);
	}
}

static void test_isotime_parse__after_2038(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid64) / sizeof(valid64[0]); i++) {
		time_t t = 0;
		bool ok = s2s_time_parse(&t, valid64[i].in);

		if (sizeof(time_t) < 8) {
			assert_false(ok);
			continue;
		}
		assert_true(ok);
		assert_int_equal(valid64[i].want, (int64_t)t);
	}
}

static void test_isotime_parse__invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		time_t t = 42;

		if (s2s_time_parse(&t, invalid[i]))
			fail_msg("accepted '%s'", invalid[i]);
		assert_int_equal(42, (int64_t)t); /* untouched */
	}
}

static void test_isotime_parse__null(void **state)
{
	time_t t = 0;

	(void)state;
	assert_false(s2s_time_parse(&t, NULL));
	assert_false(s2s_time_parse(NULL, "2026-01-02T03:04:05Z"));
}

static void test_isotime_parse__ignores_tz(void **state)
{
	time_t t = 0;

	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_true(s2s_time_parse(&t, "2026-01-02T03:04:05Z"));
	assert_int_equal(1767323045, (int64_t)t);
	setenv("TZ", "America/St_Johns", 1);
	tzset();
	assert_true(s2s_time_parse(&t, "2026-01-02T03:04:05+00:00"));
	assert_int_equal(1767323045, (int64_t)t);
	unsetenv("TZ");
	tzset();
}

static void test_isotime_parse__every_day_is_consecutive(void **state)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30,
		                     31, 31, 30, 31, 30, 31 };
	time_t prev = 0, t = 0;
	char s[32];

	(void)state;
	assert_true(s2s_time_parse(&prev, "1999-12-31T00:00:00Z"));
	for (int y = 2000; y <= 2030; y++) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		for (int m = 1; m <= 12; m++) {
			int n = mdays[m - 1] + (m == 2 && leap);

			for (int d = 1; d <= n; d++) {
				snprintf(s, sizeof(s),
				         "%04d-%02d-%02dT00:00:00Z", y, m, d);
				assert_true(s2s_time_parse(&t, s));
				assert_int_equal(86400, (int64_t)(t - prev));
				prev = t;
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isotime_parse__valid),
		cmocka_unit_test(test_isotime_parse__after_2038),
		cmocka_unit_test(test_isotime_parse__invalid),
		cmocka_unit_test(test_isotime_parse__null),
		cmocka_unit_test(test_isotime_parse__ignores_tz),
		cmocka_unit_test(test_isotime_parse__every_day_is_consecutive),
	};

	return cmocka_run_group_tests_name("isotime::parse", tests, NULL, NULL);
}
