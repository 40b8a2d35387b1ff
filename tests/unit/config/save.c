/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/config.c saving and loading: round trips that keep
 * comments, set/remove, new sections, permissions, atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <saml2sts/config.h>

static struct s2s_config *cfg;
static char tmpdir[256];

static int test_config_save__initialize(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/s2s-config-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static int test_config_save__cleanup(void **state)
{
	(void)state;
	s2s_config_free(cfg);
	cfg = NULL;
	remove_tree(tmpdir);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal((size_t)n, fread(data, 1, (size_t)n, f));
	data[n] = '\0';
	fclose(f);
	return data;
}

static void parse_str(const char *text)
{
	struct s2s_error err = S2S_ERROR_INIT;

	s2s_config_free(cfg);
	cfg = NULL;
	if (s2s_config_parse(&cfg, "test", text, strlen(text), &err))
		fail_msg("parse failed: %s", err.msg);
}

static void save_and_expect(const char *path, const char *want)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *got;

	if (s2s_config_save(cfg, path, &err))
		fail_msg("save failed: %s", err.msg);
	got = slurp(path);
	assert_string_equal(want, got);
	free(got);
}

static void test_config_save__round_trip_keeps_everything(void **state)
{
	char path[512], *text;

	(void)state;
	snprintf(path, sizeof(path), "%s/config/commented.ini", S2S_FIXTURES);
	text = slurp(path);
	parse_str(text);
	snprintf(path, sizeof(path), "%s/config", tmpdir);
	save_and_expect(path, text);
	free(text);
}

static const char base_text[] = "# accounts\n"
                                "\n"
                                "[default]\n"
                                "provider = form\n"
                                "url=https://idp/#x\n"
                                "  username   =   alice  \n"
                                "# about work\n"
                                "\n"
                                "[work]\n"
                                "; nothing yet\n";

static void test_config_save__set_and_remove(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[512];

	(void)state;
	parse_str(base_text);
	snprintf(path, sizeof(path), "%s/config", tmpdir);
	/* Change one line, add a key at the end of a section, remove one,
	 * add keys to an empty section and add a new section. */
	assert_int_equal(S2S_OK, s2s_config_set(cfg, "default", "username",
	                                        " bob ", &err));
	assert_int_equal(S2S_OK,
	                 s2s_config_set(cfg, "default", "mfa", "totp", &err));
	assert_int_equal(
	        S2S_OK, s2s_config_set(cfg, "default", "provider", NULL, &err));
	assert_int_equal(S2S_OK,
	                 s2s_config_set(cfg, "work", "provider", "okta", &err));
	assert_int_equal(
	        S2S_OK,
	        s2s_config_set(cfg, "work", "okta.push_timeout", "90", &err));
	assert_int_equal(S2S_OK, s2s_config_set(cfg, "new-one", "url",
	                                        "https://n/", &err));
	assert_int_equal(S2S_OK,
	                 s2s_config_set(cfg, "absent", "url", NULL, &err));
	assert_int_equal(S2S_OK, err.code);
	assert_null(s2s_config_account(cfg, "absent"));
	assert_string_equal("bob",
	                    s2s_account_get(s2s_config_account(cfg, "default"),
	                                    "username"));
	assert_int_equal(0, s2s_account_line(s2s_config_account(cfg, "default"),
	                                     "username"));
	assert_int_equal(
	        5, s2s_account_line(s2s_config_account(cfg, "default"), "url"));
	save_and_expect(path, "# accounts\n"
	                      "\n"
	                      "[default]\n"
	                      "url=https://idp/#x\n"
	                      "username = bob\n"
	                      "mfa = totp\n"
	                      "# about work\n"
	                      "\n"
	                      "[work]\n"
	                      "provider = okta\n"
	                      "okta.push_timeout = 90\n"
	                      "; nothing yet\n"
	                      "\n"
	                      "[new-one]\n"
	                      "url = https://n/\n");
}

static void test_config_save__set_rejects_bad_input(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	parse_str(base_text);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_set(cfg, "default", "password", "x", &err));
	assert_string_equal("unknown key 'password'", err.msg);
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_set(cfg, "a b", "url", "x", &err));
	assert_string_equal("bad account name 'a b'", err.msg);
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG, s2s_config_set(cfg, "default", "url",
	                                             "x\ny = z", &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_config_set(cfg, "default", "url", "x\r", &err));
	assert_int_equal(2, s2s_config_count(cfg));
}

static void test_config_save__new_file_permissions(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[600], dir[512];
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t entries = 0;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(S2S_OK, s2s_config_load(&cfg, "/nonexistent/x", &err));
	assert_int_equal(0, s2s_config_count(cfg));
	assert_int_equal(S2S_OK, s2s_config_set(cfg, "default", "url",
	                                        "https://i/", &err));
	snprintf(dir, sizeof(dir), "%s/a/b/saml2sts", tmpdir);
	snprintf(path, sizeof(path), "%s/config", dir);
	save_and_expect(path, "[default]\nurl = https://i/\n");
	umask(old);
	assert_int_equal(0, stat(path, &st));
	assert_int_equal(0600, st.st_mode & 07777);
	assert_int_equal(0, stat(dir, &st));
	assert_int_equal(0700, st.st_mode & 07777);
	/* Rewriting an existing 0644 file leaves it 0600, and no temp
	 * file behind. */
	assert_int_equal(0, chmod(path, 0644));
	save_and_expect(path, "[default]\nurl = https://i/\n");
	assert_int_equal(0, stat(path, &st));
	assert_int_equal(0600, st.st_mode & 07777);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(1, entries);
}

static void test_config_save__load_round_trip(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *again = NULL;
	char path[512];

	(void)state;
	parse_str(base_text);
	snprintf(path, sizeof(path), "%s/config", tmpdir);
	save_and_expect(path, base_text);
	assert_int_equal(S2S_OK, s2s_config_load(&again, path, &err));
	assert_string_equal(
	        "alice", s2s_account_get(s2s_config_account(again, "default"),
	                                 "username"));
	assert_int_equal(2, s2s_config_count(again));
	s2s_config_free(again);
}

static void test_config_save__load_empty_file(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(S2S_OK, s2s_config_load(&cfg, path, &err));
	assert_int_equal(0, s2s_config_count(cfg));
}

static void test_config_save__load_errors_name_path(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[512];
	FILE *f;

	(void)state;
	assert_int_equal(S2S_ECONFIG, s2s_config_load(&cfg, tmpdir, &err));
	assert_null(cfg);
	assert_non_null(strstr(err.msg, tmpdir));
	s2s_error_clear(&err);
	snprintf(path, sizeof(path), "%s/bad", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[a]\nurl = x\n\nbogus = 1\n", f);
	fclose(f);
	assert_int_equal(S2S_ECONFIG, s2s_config_load(&cfg, path, &err));
	assert_non_null(strstr(err.msg, "/bad:4: unknown key 'bogus'"));
	assert_true(strncmp(err.msg, tmpdir, strlen(tmpdir)) == 0);
}

static void test_config_save__unwritable_directory(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char path[512];
	FILE *f;

	(void)state;
	parse_str(base_text);
	/* A file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file/sub/config", tmpdir);
	assert_int_equal(S2S_ECONFIG, s2s_config_save(cfg, path, &err));
	assert_non_null(strstr(err.msg, "cannot create"));
}

#define T(f)                                                             \
	cmocka_unit_test_setup_teardown(f, test_config_save__initialize, \
	                                test_config_save__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_save__round_trip_keeps_everything),
		T(test_config_save__set_and_remove),
		T(test_config_save__set_rejects_bad_input),
		T(test_config_save__new_file_permissions),
		T(test_config_save__load_round_trip),
		T(test_config_save__load_empty_file),
		T(test_config_save__load_errors_name_path),
		T(test_config_save__unwritable_directory),
	};

	return cmocka_run_group_tests_name("config::save", tests, NULL, NULL);
}
