/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/config.c's environment lookups: the default config
 * path, the data directory and s2s_config_env(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/config.h>

static const char *const vars[] = { "SAML2STS_CONFIG", "XDG_CONFIG_HOME",
	                            "XDG_DATA_HOME", "HOME" };

static int test_config_env__initialize(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		unsetenv(vars[i]);
	return 0;
}

struct path_case {
	const char *saml2sts_config;
	const char *xdg_config_home;
	const char *home;
	const char *want; /* NULL: S2S_ECONFIG */
};

/* clang-format off */
static const struct path_case config_cases[] = {
	{ "/etc/s2s.ini", "/x", "/home/a", "/etc/s2s.ini" },
	{ "relative.ini", NULL, NULL, "relative.ini" },
	{ "", "/xdg", "/home/a", "/xdg/saml2sts/config" },
	{ NULL, "/xdg/", "/home/a", "/xdg/saml2sts/config" },
	{ NULL, "", "/home/a", "/home/a/.config/saml2sts/config" },
	{ NULL, "not/absolute", "/home/a",
	  "/home/a/.config/saml2sts/config" },
	{ NULL, NULL, "/home/a/", "/home/a/.config/saml2sts/config" },
	{ NULL, NULL, "/", "/.config/saml2sts/config" },
	{ NULL, NULL, NULL, NULL },
	{ NULL, NULL, "", NULL },
};
/* clang-format on */

static void set_or_unset(const char *name, const char *value)
{
	if (value)
		assert_int_equal(0, setenv(name, value, 1));
	else
		assert_int_equal(0, unsetenv(name));
}

static void test_config_env__default_path(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(config_cases) / sizeof(*config_cases);
	     i++) {
		const struct path_case *c = &config_cases[i];
		struct s2s_error err = S2S_ERROR_INIT;
		char *path = NULL;
		s2s_err rc;

		set_or_unset("SAML2STS_CONFIG", c->saml2sts_config);
		set_or_unset("XDG_CONFIG_HOME", c->xdg_config_home);
		set_or_unset("HOME", c->home);
		rc = s2s_config_default_path(&path, &err);
		if (!c->want) {
			assert_int_equal(S2S_ECONFIG, rc);
			assert_null(path);
			assert_non_null(strstr(err.msg, "HOME"));
			continue;
		}
		if (rc != S2S_OK || strcmp(c->want, path) != 0)
			fail_msg("case %zu: want %s, got %s", i, c->want,
			         path ? path : "NULL");
		free(path);
	}
}

static void test_config_env__data_dir(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *dir = NULL;

	(void)state;
	setenv("HOME", "/home/b", 1);
	assert_int_equal(S2S_OK, s2s_config_data_dir(&dir, &err));
	assert_string_equal("/home/b/.local/share/saml2sts", dir);
	free(dir);
	setenv("XDG_DATA_HOME", "/data", 1);
	assert_int_equal(S2S_OK, s2s_config_data_dir(&dir, &err));
	assert_string_equal("/data/saml2sts", dir);
	free(dir);
	setenv("XDG_DATA_HOME", "", 1);
	unsetenv("HOME");
	assert_int_equal(S2S_ECONFIG, s2s_config_data_dir(&dir, &err));
	assert_null(dir);
}

static void test_config_env__env_empty_is_unset(void **state)
{
	(void)state;
	setenv("S2S_TEST_VAR", "value", 1);
	assert_string_equal("value", s2s_config_env("S2S_TEST_VAR"));
	setenv("S2S_TEST_VAR", "", 1);
	assert_null(s2s_config_env("S2S_TEST_VAR"));
	unsetenv("S2S_TEST_VAR");
	assert_null(s2s_config_env("S2S_TEST_VAR"));
	assert_null(s2s_config_env(NULL));
}

#define T(f) cmocka_unit_test_setup(f, test_config_env__initialize)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_env__default_path),
		T(test_config_env__data_dir),
		T(test_config_env__env_empty_is_unset),
	};

	return cmocka_run_group_tests_name("config::env", tests, NULL, NULL);
}
