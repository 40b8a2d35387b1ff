/* SPDX-License-Identifier: MIT */
/* Unit tests for the system-wide config layer of lib/config.c: keys of
 * the user's section hide the system section's, sections only the
 * system file has are accounts, messages name the file that sets a key,
 * saving writes the user's file only, and the path comes from
 * SAML2STS_SYSTEM_CONFIG. */
#define _XOPEN_SOURCE 700
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

#include "../tmptree.h"

static char tmpdir[256];
static char syspath[300];
static struct s2s_config *cfg;

static const char user_text[] = "[default]\n"
                                "username = alice\n"
                                "sts_endpoint = https://sts.user.example\n"
                                "\n"
                                "[mine]\n"
                                "provider = form\n"
                                "url = https://idp.mine.example/sso\n";

static const char sys_text[] = "# organisation defaults\n"
                               "[default]\n"
                               "provider = adfs\n"
                               "url = https://adfs.corp.example/sso\n"
                               "sts_endpoint = https://sts.corp.example\n"
                               "session_duration = 12\n"
                               "account_aliases = 1111=prod\n"
                               "okta.push_timeout = 30\n"
                               "\n"
                               "[shared]\n"
                               "provider = form\n"
                               "url = https://idp.corp.example/sso\n"
                               "future_key = kept\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(strlen(text), fwrite(text, 1, strlen(text), f));
	assert_int_equal(0, fclose(f));
}

static int test_config_layer__initialize(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/s2s-layer-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(syspath, sizeof(syspath), "%s/system", tmpdir);
	write_file(syspath, sys_text);
	assert_int_equal(S2S_OK, s2s_config_parse(&cfg, "user", user_text,
	                                          strlen(user_text), &err));
	assert_int_equal(S2S_OK, s2s_config_load_system(cfg, syspath, &err));
	return 0;
}

static int test_config_layer__cleanup(void **state)
{
	(void)state;
	s2s_config_free(cfg);
	cfg = NULL;
	unsetenv("SAML2STS_SYSTEM_CONFIG");
	assert_int_equal(0, tmptree_remove(tmpdir));
	return 0;
}

static void test_config_layer__user_keys_hide_system_keys(void **state)
{
	const struct s2s_account *a = s2s_config_account(cfg, "default");
	char *alias;

	(void)state;
	assert_non_null(a);
	assert_string_equal("alice", s2s_account_get(a, "username"));
	assert_string_equal("https://sts.user.example",
	                    s2s_account_get(a, "sts_endpoint"));
	/* inherited */
	assert_string_equal("adfs", s2s_account_get(a, "provider"));
	assert_string_equal("https://adfs.corp.example/sso",
	                    s2s_account_get(a, "url"));
	alias = s2s_account_alias(a, "1111");
	assert_string_equal("prod", alias);
	free(alias);
	assert_null(s2s_account_get(a, "region"));
	/* the user's own line, the system file's line */
	assert_int_equal(2, s2s_account_line(a, "username"));
	assert_int_equal(4, s2s_account_line(a, "url"));
	assert_string_equal("user", s2s_account_file(a));
}

static void test_config_layer__system_sections_are_accounts(void **state)
{
	const struct s2s_account *a = s2s_config_account(cfg, "shared");

	(void)state;
	assert_non_null(a);
	assert_string_equal("https://idp.corp.example/sso",
	                    s2s_account_get(a, "url"));
	assert_string_equal(syspath, s2s_account_file(a));
	/* the user's two, then the system's one the user lacks */
	assert_int_equal(3, s2s_config_count(cfg));
	assert_string_equal("default", s2s_account_name(s2s_config_at(cfg, 0)));
	assert_string_equal("mine", s2s_account_name(s2s_config_at(cfg, 1)));
	assert_ptr_equal(a, s2s_config_at(cfg, 2));
	assert_null(s2s_config_at(cfg, 3));
	assert_null(s2s_config_account(cfg, "nosuch"));
}

static s2s_err count_key(const char *key, unsigned int line, void *payload)
{
	size_t *n = payload;

	(void)line;
	if (strcmp(key, "sts_endpoint") == 0 || strcmp(key, "username") == 0 ||
	    strcmp(key, "provider") == 0 || strcmp(key, "url") == 0 ||
	    strcmp(key, "session_duration") == 0 ||
	    strcmp(key, "account_aliases") == 0 ||
	    strcmp(key, "okta.push_timeout") == 0)
		(*n)++;
	else
		fail_msg("unexpected key %s", key);
	return S2S_OK;
}

static void test_config_layer__foreach_sees_each_key_once(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(S2S_OK,
	                 s2s_account_foreach(s2s_config_account(cfg, "default"),
	                                     count_key, &n));
	assert_int_equal(7, n);
}

static void test_config_layer__messages_name_the_file_that_sets(void **state)
{
	const struct s2s_account *a = s2s_config_account(cfg, "default");
	static const char *const okta_keys[] = { "mfa", NULL };
	struct s2s_error err = S2S_ERROR_INIT;
	long v = 0;

	(void)state;
	assert_int_equal(S2S_ECONFIG,
	                 s2s_account_get_long(&v, a, "session_duration", 900,
	                                      43200, 3600, &err));
	assert_non_null(strstr(err.msg, syspath));
	assert_non_null(strstr(err.msg, ":6:"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_account_check_ns(a, "okta", okta_keys, &err));
	assert_non_null(strstr(err.msg, syspath));
	assert_non_null(strstr(err.msg, "okta.push_timeout"));
}

static void test_config_layer__save_writes_the_user_file_only(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *again = NULL;
	char path[300], text[2048];
	size_t n;
	FILE *f;

	(void)state;
	/* a key set in a section only the system file has makes the
	 * user's own section, with that key alone */
	assert_int_equal(
	        S2S_OK, s2s_config_set(cfg, "shared", "username", "bob", &err));
	snprintf(path, sizeof(path), "%s/user", tmpdir);
	assert_int_equal(S2S_OK, s2s_config_save(cfg, path, &err));
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_null(strstr(text, "adfs"));
	assert_null(strstr(text, "corp.example"));
	assert_non_null(strstr(text, "[shared]\nusername = bob\n"));
	/* and still inherits the rest */
	assert_int_equal(S2S_OK, s2s_config_load(&again, path, &err));
	assert_int_equal(S2S_OK, s2s_config_load_system(again, syspath, &err));
	assert_string_equal("bob",
	                    s2s_account_get(s2s_config_account(again, "shared"),
	                                    "username"));
	assert_string_equal(
	        "https://idp.corp.example/sso",
	        s2s_account_get(s2s_config_account(again, "shared"), "url"));
	assert_int_equal(3, s2s_config_count(again));
	s2s_config_free(again);
}

static void test_config_layer__missing_and_bad_system_files(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/nosuch", tmpdir);
	assert_int_equal(S2S_OK, s2s_config_load_system(cfg, path, &err));
	assert_null(s2s_config_account(cfg, "shared"));
	assert_string_equal("alice",
	                    s2s_account_get(s2s_config_account(cfg, "default"),
	                                    "username"));
	assert_null(s2s_account_get(s2s_config_account(cfg, "default"),
	                            "provider"));
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	write_file(path, "[default]\nthis is not ini\n");
	assert_int_equal(S2S_ECONFIG, s2s_config_load_system(cfg, path, &err));
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, ":2:"));
}

static void test_config_layer__path_from_the_environment(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *path = NULL;

	(void)state;
	unsetenv("SAML2STS_SYSTEM_CONFIG");
	assert_int_equal(S2S_OK, s2s_config_system_path(&path, &err));
	assert_string_equal("/etc/saml2sts/config", path);
	free(path);
	setenv("SAML2STS_SYSTEM_CONFIG", syspath, 1);
	assert_int_equal(S2S_OK, s2s_config_system_path(&path, &err));
	assert_string_equal(syspath, path);
	free(path);
}

#define T(f)                                                              \
	cmocka_unit_test_setup_teardown(f, test_config_layer__initialize, \
	                                test_config_layer__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_layer__user_keys_hide_system_keys),
		T(test_config_layer__system_sections_are_accounts),
		T(test_config_layer__foreach_sees_each_key_once),
		T(test_config_layer__messages_name_the_file_that_sets),
		T(test_config_layer__save_writes_the_user_file_only),
		T(test_config_layer__missing_and_bad_system_files),
		T(test_config_layer__path_from_the_environment),
	};

	return cmocka_run_group_tests_name("config::layer", tests, NULL, NULL);
}
