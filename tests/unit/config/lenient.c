/* SPDX-License-Identifier: MIT */
/* Unit tests for the forgiving side of lib/config.c: with
 * S2S_CONFIG_KEEP_UNKNOWN an unknown key is kept (and saved back) but no
 * lookup sees it, s2s_account_check_keys names it with the key meant,
 * `set key` with no value removes it, and a section can be removed with
 * the comments around it kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unistd.h>

#include <saml2sts/config.h>

static struct s2s_config *cfg;

static int test_config_lenient__cleanup(void **state)
{
	(void)state;
	s2s_config_free(cfg);
	cfg = NULL;
	return 0;
}

static const char text[] = "# head\n"
                           "[a]\n"
                           "provider = form\n"
                           "regoin = cn-beijing\n"
                           "url = https://a/\n"
                           "\n"
                           "# about b\n"
                           "[b]\n"
                           "# inside b\n"
                           "provider = okta\n"
                           "Okta.push_timeout = 5\n"
                           "newer_key = 1\n"
                           "\n"
                           "# about c\n"
                           "[c]\n"
                           "url = https://c/\n";

static void parse_lenient(void)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (s2s_config_parse_flags(&cfg, "t.ini", text, strlen(text),
	                           S2S_CONFIG_KEEP_UNKNOWN, &err))
		fail_msg("parse failed: %s", err.msg);
}

static s2s_err count_key(const char *key, unsigned int line, void *payload)
{
	(void)line;
	if (strcmp(key, "regoin") == 0 || strcmp(key, "newer_key") == 0)
		fail_msg("foreach saw the unknown key %s", key);
	(*(int *)payload)++;
	return S2S_OK;
}

static void test_config_lenient__strict_by_default(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	assert_int_equal(S2S_ECONFIG, s2s_config_parse(&cfg, "t.ini", text,
	                                               strlen(text), &err));
	assert_string_equal("t.ini:4: unknown key 'regoin'", err.msg);
	assert_null(cfg);
}

static void test_config_lenient__unknown_keys_are_invisible(void **state)
{
	const struct s2s_account *a, *b;
	int n = 0;

	(void)state;
	parse_lenient();
	a = s2s_config_account(cfg, "a");
	b = s2s_config_account(cfg, "b");
	assert_non_null(a);
	assert_null(s2s_account_get(a, "regoin"));
	assert_string_equal("https://a/", s2s_account_get(a, "url"));
	assert_int_equal(0, s2s_account_line(a, "regoin"));
	assert_int_equal(S2S_OK, s2s_account_foreach(a, count_key, &n));
	assert_int_equal(2, n);
	/* an adapter's namespace check does not see them either */
	assert_int_equal(S2S_OK, s2s_account_check_ns(b, "okta", NULL, NULL));
	assert_int_equal(3, (int)s2s_config_count(cfg));
}

static void test_config_lenient__check_names_line_and_key_meant(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = 9;

	(void)state;
	parse_lenient();
	assert_int_equal(
	        S2S_ECONFIG,
	        s2s_account_check_keys(s2s_config_account(cfg, "a"), &n, &err));
	assert_string_equal("t.ini:4: unknown key 'regoin' (did you mean "
	                    "'region'?)",
	                    err.msg);
	assert_int_equal(1, n);
	s2s_error_clear(&err);
	assert_int_equal(
	        S2S_ECONFIG,
	        s2s_account_check_keys(s2s_config_account(cfg, "b"), &n, &err));
	assert_string_equal("t.ini:11: unknown key 'Okta.push_timeout' (did "
	                    "you mean 'okta.push_timeout'?)",
	                    err.msg);
	assert_int_equal(2, n);
	s2s_error_clear(&err);
	assert_int_equal(
	        S2S_OK,
	        s2s_account_check_keys(s2s_config_account(cfg, "c"), &n, &err));
	assert_int_equal(0, n);
	assert_int_equal(S2S_OK, s2s_account_check_keys(NULL, NULL, &err));
}

static void test_config_lenient__suggest(void **state)
{
	char buf[64];

	(void)state;
	assert_true(
	        s2s_config_key_suggest(buf, sizeof(buf), "sesion_duration"));
	assert_string_equal("session_duration", buf);
	assert_true(s2s_config_key_suggest(buf, sizeof(buf), "URL"));
	assert_string_equal("url", buf);
	assert_false(s2s_config_key_suggest(buf, sizeof(buf), "colour"));
	assert_string_equal("", buf);
	assert_false(s2s_config_key_suggest(buf, 4, "Okta.push_timeout"));
}

static void test_config_lenient__saved_as_read_and_unset(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[] = "/tmp/s2s-lenient-XXXXXX";
	struct s2s_config *again = NULL;
	char *back;
	FILE *f;
	long len;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	parse_lenient();
	/* set with a value stays refused; unset removes it */
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_set(cfg, "a", "regoin", "x", &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK,
	                 s2s_config_set(cfg, "a", "regoin", NULL, &err));
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_set(cfg, "a", "regoin", NULL, &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK, s2s_config_save(cfg, path, &err));
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	back = calloc(1, (size_t)len + 1);
	assert_int_equal((size_t)len, fread(back, 1, (size_t)len, f));
	fclose(f);
	assert_null(strstr(back, "regoin"));
	assert_non_null(strstr(back, "Okta.push_timeout = 5\nnewer_key = 1\n"));
	free(back);
	assert_int_equal(S2S_OK,
	                 s2s_config_load_flags(&again, path,
	                                       S2S_CONFIG_KEEP_UNKNOWN, &err));
	assert_int_equal(S2S_OK,
	                 s2s_account_check_keys(s2s_config_account(again, "a"),
	                                        NULL, &err));
	s2s_config_free(again);
	unlink(path);
}

static char *serialized(void)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[] = "/tmp/s2s-lenient-XXXXXX";
	char *back;
	FILE *f;
	long len;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(S2S_OK, s2s_config_save(cfg, path, &err));
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	back = calloc(1, (size_t)len + 1);
	assert_int_equal((size_t)len, fread(back, 1, (size_t)len, f));
	fclose(f);
	unlink(path);
	return back;
}

static void test_config_lenient__remove_account(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *back;

	(void)state;
	parse_lenient();
	assert_int_equal(S2S_OK, s2s_config_remove_account(cfg, "b", &err));
	assert_null(s2s_config_account(cfg, "b"));
	assert_int_equal(2, (int)s2s_config_count(cfg));
	back = serialized();
	assert_string_equal("# head\n"
	                    "[a]\n"
	                    "provider = form\n"
	                    "regoin = cn-beijing\n"
	                    "url = https://a/\n"
	                    "\n"
	                    "# about b\n"
	                    "\n"
	                    "# about c\n"
	                    "[c]\n"
	                    "url = https://c/\n",
	                    back);
	free(back);
	/* the first section: what follows it goes to the head */
	assert_int_equal(S2S_OK, s2s_config_remove_account(cfg, "a", &err));
	back = serialized();
	assert_string_equal("# head\n"
	                    "\n"
	                    "# about b\n"
	                    "\n"
	                    "# about c\n"
	                    "[c]\n"
	                    "url = https://c/\n",
	                    back);
	free(back);
	assert_int_equal(S2S_ENOTFOUND,
	                 s2s_config_remove_account(cfg, "a", &err));
	assert_string_equal("no account 'a' in t.ini", err.msg);
}

#define T(f) cmocka_unit_test_teardown(f, test_config_lenient__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_lenient__strict_by_default),
		T(test_config_lenient__unknown_keys_are_invisible),
		T(test_config_lenient__check_names_line_and_key_meant),
		T(test_config_lenient__suggest),
		T(test_config_lenient__saved_as_read_and_unset),
		T(test_config_lenient__remove_account),
	};

	return cmocka_run_group_tests_name("config::lenient", tests, NULL,
	                                   NULL);
}
