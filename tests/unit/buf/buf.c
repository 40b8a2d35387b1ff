/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/buf.c: growth, limits, detach, secret wiping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/buf.h>
#include <saml2sts/secret.h>

static void test_buf_buf__grows_and_terminates(void **state)
{
	struct s2s_buf b = S2S_BUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(S2S_OK, s2s_buf_puts(&b, "abc"));
	assert_int_equal(3000, b.len);
	assert_int_equal('\0', b.ptr[3000]);
	assert_memory_equal("abcabc", b.ptr, 6);
	s2s_buf_release(&b);
	assert_null(b.ptr);
}

static void test_buf_buf__secret_grows_without_losing_data(void **state)
{
	struct s2s_buf b = S2S_BUF_SECRET_INIT;
	char expect[600];

	(void)state;
	for (int i = 0; i < 600; i++) {
		char c = (char)('a' + i % 26);

		expect[i] = c;
		assert_int_equal(S2S_OK, s2s_buf_add(&b, &c, 1));
	}
	assert_int_equal(600, b.len);
	assert_memory_equal(expect, b.ptr, 600);
	s2s_buf_release(&b);
}

static void test_buf_buf__max_is_enforced(void **state)
{
	struct s2s_buf b = S2S_BUF_INIT;

	(void)state;
	b.max = 5;
	assert_int_equal(S2S_OK, s2s_buf_puts(&b, "12345"));
	assert_int_equal(S2S_EINVAL, s2s_buf_puts(&b, "6"));
	assert_string_equal("12345", b.ptr);
	s2s_buf_release(&b);
}

static void test_buf_buf__detach_and_printf(void **state)
{
	struct s2s_buf b = S2S_BUF_INIT;
	size_t len = 0;
	char *s;

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_printf(&b, "%s=%d", "x", 42));
	for (int i = 0; i < 100; i++)
		assert_int_equal(S2S_OK, s2s_buf_printf(&b, "%0300d", i));
	s = s2s_buf_detach(&b, &len);
	assert_non_null(s);
	assert_int_equal(4 + 100 * 300, len);
	assert_memory_equal("x=42", s, 4);
	assert_null(b.ptr);
	free(s);
	s = s2s_buf_detach(&b, &len);
	assert_string_equal("", s);
	free(s);
}

static void test_buf_buf__reset_wipes_secret(void **state)
{
	struct s2s_buf b = S2S_BUF_SECRET_INIT;

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_puts(&b, "hunter2"));
	s2s_buf_reset(&b);
	assert_int_equal(0, b.len);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(0, b.ptr[i]);
	s2s_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_buf__grows_and_terminates),
		cmocka_unit_test(
		        test_buf_buf__secret_grows_without_losing_data),
		cmocka_unit_test(test_buf_buf__max_is_enforced),
		cmocka_unit_test(test_buf_buf__detach_and_printf),
		cmocka_unit_test(test_buf_buf__reset_wipes_secret),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
