/* SPDX-License-Identifier: MIT */
/*
 * UTC timestamps in the ISO 8601 / xs:dateTime form used by SAML, STS and
 * the credential store: a strict parser independent of the local time
 * zone and of the C library's timegm, and the one formatter
 * ("YYYY-MM-DDTHH:MM:SSZ").  No local time, no other offsets than UTC.
 */
#include <time.h>

#include "common.h"
#include "saml2sts/isotime.h"

static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
		                    31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date: count in 400-year
 * eras of 146097 days, with years starting on March 1st so that the leap
 * day is the last day of a year. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS" into f[0..5]. */
static bool take_fields(const char **p, int f[6])
{
	static const char seps[] = "--T::";

	for (int i = 0; i < 6; i++) {
		if (!take_digits(p, i ? 2 : 4, &f[i]))
			return false;
		if (i < 5 && !take_char(p, seps[i]))
			return false;
	}
	return true;
}

/* Optional fractional seconds (dropped), then "Z" or "+00:00". */
static bool take_utc_suffix(const char *p)
{
	if (take_char(&p, '.')) {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0;
}

static bool fields_valid(const int f[6])
{
	if (f[0] < 1 || f[1] < 1 || f[1] > 12)
		return false;
	return f[2] >= 1 && f[2] <= days_in_month(f[0], f[1]) && f[3] <= 23 &&
	       f[4] <= 59 && f[5] <= 59;
}

bool s2s_time_parse(time_t *out, const char *s)
{
	int f[6];
	int64_t t;
	const char *p = s;

	if (!out || !s)
		return false;
	if (!take_fields(&p, f) || !take_utc_suffix(p) || !fields_valid(f))
		return false;
	t = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
	    f[4] * 60 + f[5];
	if ((int64_t)(time_t)t != t)
		return false;
	*out = (time_t)t;
	return true;
}

void s2s_time_format_utc(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		if (size)
			buf[0] = '\0';
	}
}

void s2s_time_format_local(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M %Z", &tm))
		snprintf(buf, size, "%s", "?");
}
