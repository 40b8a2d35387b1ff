/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the encrypted-file store (lib/store_file.c) through the
 * public store API: a write removes the temp files a killed writer left
 * behind (its own naming pattern, regular files, older than a minute)
 * and nothing else; readiness asks for the passphrase up front.
 */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../tmptree.h"

#include <saml2sts/store.h>

static char tmpdir[] = "/tmp/s2s-store-XXXXXX";
static char dir[300];

static s2s_err passphrase(void *payload, struct s2s_buf *out,
                          struct s2s_error *err)
{
	int *asked = payload;

	(void)err;
	(*asked)++;
	s2s_buf_reset(out);
	return s2s_buf_puts(out, "unit-test-passphrase");
}

static s2s_err no_passphrase(void *payload, struct s2s_buf *out,
                             struct s2s_error *err)
{
	(void)payload;
	(void)out;
	return s2s_error_set(err, S2S_ENEEDINPUT,
	                     "the encrypted file store needs a passphrase");
}

static struct s2s_store *open_store(int *asked)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_opts o = { 0 };
	struct s2s_store *st = NULL;

	o.backend = "file";
	o.dir = dir;
	o.passphrase = asked ? passphrase : no_passphrase;
	o.payload = asked;
	assert_int_equal(S2S_OK, s2s_store_open_opts(&st, &o, &err));
	return st;
}

/* dir/name, made with age seconds of age (a symlink to "x" when link). */
static void plant(const char *name, long age, bool link)
{
	struct timespec ts[2];
	char path[400];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (link) {
		assert_int_equal(0, symlink("x", path));
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(6, write(fd, "sealed", 6));
		close(fd);
	}
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age;
	ts[1] = ts[0];
	assert_int_equal(0, utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW));
}

static bool present(const char *name)
{
	char path[400];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &sb) == 0;
}

static void test_store_file__write_removes_stale_temp_files(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf secret = S2S_BUF_SECRET_INIT;
	struct s2s_store *st;
	int asked = 0;

	(void)state;
	assert_int_equal(0, mkdir(dir, 0700));
	/* left by killed writers */
	plant("acme.sts.json.Ab3dE9", 3600, false);
	plant("dev%20x.idp-session.json.q1W2e3", 120, false);
	/* a writer at work, a link, names that are not our temp files */
	plant("acme.sts.json.Zz09xy", 0, false);
	plant("other.sts.json.Qq11Ww", 3600, true);
	plant("notes.txt", 3600, false);
	plant("acme.sts.json.toolong1", 3600, false);
	st = open_store(&asked);
	assert_int_equal(S2S_OK, s2s_buf_puts(&secret, "{\"k\":\"v\"}"));
	assert_int_equal(S2S_OK, s2s_store_put_secret(st, "acme", "idp-session",
	                                              "acme", &secret, &err));
	assert_false(present("acme.sts.json.Ab3dE9"));
	assert_false(present("dev%20x.idp-session.json.q1W2e3"));
	assert_true(present("acme.sts.json.Zz09xy"));
	assert_true(present("other.sts.json.Qq11Ww"));
	assert_true(present("notes.txt"));
	assert_true(present("acme.sts.json.toolong1"));
	assert_true(present("acme.idp-session.json"));
	s2s_buf_release(&secret);
	s2s_store_free(st);
}

static void test_store_file__ready_asks_for_the_passphrase(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *st;
	int asked = 0;

	(void)state;
	st = open_store(NULL);
	assert_int_equal(S2S_ENEEDINPUT, s2s_store_ready(st, &err));
	assert_non_null(strstr(err.msg, "passphrase"));
	s2s_store_free(st);
	st = open_store(&asked);
	assert_int_equal(0, asked); /* opening asks for nothing */
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK, s2s_store_ready(st, &err));
	assert_int_equal(1, asked);
	assert_int_equal(S2S_OK, s2s_store_ready(st, &err));
	assert_int_equal(1, asked); /* asked once */
	s2s_store_free(st);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dir, sizeof(dir), "%s/store", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tmptree_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		        test_store_file__write_removes_stale_temp_files),
		cmocka_unit_test(
		        test_store_file__ready_asks_for_the_passphrase),
	};

	return cmocka_run_group_tests_name("store::file", tests, setup,
	                                   teardown);
}
