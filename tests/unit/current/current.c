/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/current.c: the current profile's state file is
 * written 0600 under $XDG_STATE_HOME/saml2sts (else ~/.local/state),
 * read back, forgotten; a file that does not hold a usable profile name
 * counts as none, and a bad name is never written. */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../tmptree.h"

#include <saml2sts/current.h>

static char dir[] = "/tmp/s2s-current-XXXXXX";

static int setup(void **state)
{
	char state_home[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(state_home, sizeof(state_home), "%s/state", dir);
	setenv("XDG_STATE_HOME", state_home, 1);
	setenv("HOME", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tmptree_remove(dir);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_current_current__set_get_forget(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *name = NULL, *path = NULL, want[400];
	struct stat st;

	(void)state;
	assert_int_equal(S2S_ENOTFOUND, s2s_current_get(&name, &err));
	assert_null(name);
	assert_int_equal(S2S_OK, s2s_current_path(&path, &err));
	snprintf(want, sizeof(want), "%s/state/saml2sts/current", dir);
	assert_string_equal(want, path);
	assert_int_equal(S2S_OK, s2s_current_set("prod-admin", &err));
	assert_int_equal(0, stat(path, &st));
	assert_int_equal(0600, st.st_mode & 07777);
	assert_int_equal(S2S_OK, s2s_current_get(&name, &err));
	assert_string_equal("prod-admin", name);
	free(name);
	/* replaced, not appended */
	assert_int_equal(S2S_OK, s2s_current_set("dev", &err));
	assert_int_equal(S2S_OK, s2s_current_get(&name, &err));
	assert_string_equal("dev", name);
	free(name);
	/* forgotten; forgetting nothing is fine too */
	assert_int_equal(S2S_OK, s2s_current_set(NULL, &err));
	assert_int_equal(-1, access(path, F_OK));
	assert_int_equal(S2S_OK, s2s_current_set(NULL, &err));
	free(path);
}

static void test_current_current__bad_names_are_none(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *name = NULL, *path = NULL;

	(void)state;
	assert_int_equal(S2S_OK, s2s_current_path(&path, &err));
	assert_int_equal(S2S_EINVAL, s2s_current_set("-x", &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_EINVAL, s2s_current_set("two words", &err));
	s2s_error_clear(&err);
	assert_int_equal(-1, access(path, F_OK));
	put_file(path, "a\x1b[2Jb\n");
	assert_int_equal(S2S_ENOTFOUND, s2s_current_get(&name, &err));
	put_file(path, "\n");
	assert_int_equal(S2S_ENOTFOUND, s2s_current_get(&name, &err));
	put_file(path, "ok-name \r\n"); /* trailing white space is not part */
	assert_int_equal(S2S_OK, s2s_current_get(&name, &err));
	assert_string_equal("ok-name", name);
	free(name);
	free(path);
}

/* The same name again leaves the file alone (no temp file, no rename:
 * the inode stays); a file that is not 0600 is rewritten even then. */
static void test_current_current__same_name_not_rewritten(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *path = NULL;
	struct stat a, b;

	(void)state;
	assert_int_equal(S2S_OK, s2s_current_path(&path, &err));
	assert_int_equal(S2S_OK, s2s_current_set("daily", &err));
	assert_int_equal(0, stat(path, &a));
	assert_int_equal(S2S_OK, s2s_current_set("daily", &err));
	assert_int_equal(0, stat(path, &b));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(S2S_OK, s2s_current_set("dailyx", &err));
	assert_int_equal(0, stat(path, &b));
	assert_int_not_equal(a.st_ino, b.st_ino);
	put_file(path, "daily\n");
	assert_int_equal(0, chmod(path, 0644));
	assert_int_equal(0, stat(path, &a));
	assert_int_equal(S2S_OK, s2s_current_set("daily", &err));
	assert_int_equal(0, stat(path, &b));
	assert_int_not_equal(a.st_ino, b.st_ino);
	assert_int_equal(0600, b.st_mode & 07777);
	free(path);
}

static void test_current_current__home_without_xdg(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *path = NULL, want[400];

	(void)state;
	unsetenv("XDG_STATE_HOME");
	assert_int_equal(S2S_OK, s2s_current_path(&path, &err));
	snprintf(want, sizeof(want), "%s/.local/state/saml2sts/current", dir);
	assert_string_equal(want, path);
	free(path);
	setenv("XDG_STATE_HOME", "relative/dir", 1); /* ignored: not absolute */
	assert_int_equal(S2S_OK, s2s_current_path(&path, &err));
	assert_string_equal(want, path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current_current__set_get_forget),
		cmocka_unit_test(test_current_current__bad_names_are_none),
		cmocka_unit_test(test_current_current__same_name_not_rewritten),
		cmocka_unit_test(test_current_current__home_without_xdg),
	};

	return cmocka_run_group_tests_name("current::current", tests, setup,
	                                   teardown);
}
