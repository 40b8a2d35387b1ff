/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/lock.c: exclusive across processes, bounded wait,
 * names with odd characters, released when the holder dies; a lock
 * directory that others can use (mode 0777, a symbolic link, another
 * owner) is not trusted: the private fallback is used instead. */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../tmptree.h"

#include <saml2sts/lock.h>

static char dir[] = "/tmp/s2s-lock-XXXXXX";

/* A child that holds name (in dir) for ms milliseconds; it writes one
 * byte on fd once it has the lock. */
static pid_t holder_in(const char *in, const char *name, long ms, int fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_lock *l = NULL;

		if (s2s_lock_acquire(&l, in, name, 0, NULL, &err))
			_exit(1);
		if (write(fd, "!", 1) != 1)
			_exit(2);
		usleep((useconds_t)ms * 1000);
		_exit(0);
	}
	return pid;
}

static pid_t holder(const char *name, long ms, int fd)
{
	return holder_in(dir, name, ms, fd);
}

static void wait_for(int fd)
{
	char c;

	assert_int_equal(1, read(fd, &c, 1));
}

static void test_lock_lock__exclusive_and_bounded(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	bool waited = false;
	int p[2], st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(0, pipe(p));
	pid = holder("prod admin/../x", 600, p[1]);
	wait_for(p[0]);
	/* held elsewhere: no wait means no lock */
	assert_int_equal(
	        S2S_ESTORE,
	        s2s_lock_acquire(&l, dir, "prod admin/../x", 0, &waited, &err));
	assert_null(l);
	/* another name is free */
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, dir, "other", 0, &waited, &err));
	assert_false(waited);
	s2s_lock_release(l);
	l = NULL;
	/* a bounded wait outlasts the holder */
	assert_int_equal(S2S_OK, s2s_lock_acquire(&l, dir, "prod admin/../x",
	                                          5000, &waited, &err));
	assert_true(waited);
	s2s_lock_release(l);
	assert_int_equal(pid, waitpid(pid, &st, 0));
	assert_int_equal(0, WEXITSTATUS(st));
	close(p[0]);
	close(p[1]);
}

static void test_lock_lock__dies_with_holder(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	int p[2], st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(0, pipe(p));
	pid = holder("login", 60000, p[1]);
	wait_for(p[0]);
	kill(pid, SIGKILL);
	assert_int_equal(pid, waitpid(pid, &st, 0));
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, dir, "login", 0, NULL, &err));
	s2s_lock_release(l);
	close(p[0]);
	close(p[1]);
}

/* path = dir/leaf */
static void sub(char *out, size_t n, const char *leaf)
{
	snprintf(out, n, "%s/%s", dir, leaf);
}

/* A lock name of this run only: tests that reach the fallback directory
 * (shared by every saml2sts of this user) never meet a real lock. */
static void unique(char *out, size_t n, const char *what)
{
	snprintf(out, n, "unit-%d-%s", (int)getpid(), what);
}

static bool exists(const char *in, const char *name)
{
	char path[400];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s.lock", in, name);
	return lstat(path, &sb) == 0;
}

/* Where the locks of bad went instead: a private directory of ours, not
 * bad, with the reason naming what; its lock file of name is removed. */
static void check_fallback(const char *bad, const char *what, const char *name)
{
	struct s2s_error err = S2S_ERROR_INIT, why = S2S_ERROR_INIT;
	char *used = NULL, path[400];
	struct stat sb;

	assert_int_equal(S2S_OK, s2s_lock_dir(&used, bad, &why, &err));
	assert_string_not_equal(bad, used);
	assert_int_equal(S2S_ESTORE, why.code);
	assert_non_null(strstr(why.msg, what));
	assert_int_equal(0, lstat(used, &sb));
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(geteuid(), sb.st_uid);
	assert_int_equal(0700, sb.st_mode & 07777);
	snprintf(path, sizeof(path), "%s/%s.lock", used, name);
	unlink(path);
	free(used);
}

static void test_lock_lock__world_writable_dir_is_not_trusted(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	char open_dir[300], planted[400], target[300], name[64];
	struct stat sb;

	(void)state;
	unique(name, sizeof(name), "open");
	sub(open_dir, sizeof(open_dir), "open");
	sub(target, sizeof(target), "target");
	assert_int_equal(0, mkdir(open_dir, 0700));
	assert_int_equal(0, chmod(open_dir, 0777));
	/* what anyone may plant in a 0777 directory */
	snprintf(planted, sizeof(planted), "%s/%s.lock", open_dir, name);
	assert_int_equal(0, symlink(target, planted));
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, open_dir, name, 0, NULL, &err));
	s2s_lock_release(l);
	assert_int_equal(-1, lstat(target, &sb)); /* never followed */
	check_fallback(open_dir, "0777", name);
}

static void test_lock_lock__symlinked_dir_is_not_trusted(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	char real[300], link[300], name[64];

	(void)state;
	unique(name, sizeof(name), "link");
	sub(real, sizeof(real), "real");
	sub(link, sizeof(link), "link");
	assert_int_equal(0, mkdir(real, 0700));
	assert_int_equal(0, symlink(real, link));
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, link, name, 0, NULL, &err));
	s2s_lock_release(l);
	assert_false(exists(real, name));
	check_fallback(link, "symbolic link", name);
}

static void test_lock_lock__foreign_dir_is_not_trusted(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	char foreign[300], name[64];

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a directory away */
	unique(name, sizeof(name), "foreign");
	sub(foreign, sizeof(foreign), "foreign");
	assert_int_equal(0, mkdir(foreign, 0700));
	assert_int_equal(0, chown(foreign, 65534, 65534));
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, foreign, name, 0, NULL, &err));
	s2s_lock_release(l);
	assert_false(exists(foreign, name));
	check_fallback(foreign, "owned by", name);
}

/* Every bad directory falls back to the same place: the locks still
 * exclude each other. */
static void test_lock_lock__fallback_is_shared(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	char a[300], b[300], name[64];
	int p[2], st = 0;
	pid_t pid;

	(void)state;
	unique(name, sizeof(name), "shared");
	sub(a, sizeof(a), "bad-a");
	sub(b, sizeof(b), "bad-b");
	assert_int_equal(0, mkdir(a, 0755));
	assert_int_equal(0, chmod(a, 0755));
	assert_int_equal(0, mkdir(b, 0770));
	assert_int_equal(0, chmod(b, 0770));
	assert_int_equal(0, pipe(p));
	pid = holder_in(a, name, 2000, p[1]);
	wait_for(p[0]);
	assert_int_equal(S2S_ESTORE,
	                 s2s_lock_acquire(&l, b, name, 0, NULL, &err));
	assert_null(l);
	kill(pid, SIGKILL);
	assert_int_equal(pid, waitpid(pid, &st, 0));
	check_fallback(b, "0770", name);
	close(p[0]);
	close(p[1]);
}

/* A missing directory is made 0700 and used as it is. */
static void test_lock_lock__private_dir_is_used(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT, why = S2S_ERROR_INIT;
	struct s2s_lock *l = NULL;
	char mine[300], *used = NULL;
	struct stat sb;

	(void)state;
	sub(mine, sizeof(mine), "new/locks");
	assert_int_equal(S2S_OK, s2s_lock_dir(&used, mine, &why, &err));
	assert_string_equal(mine, used);
	assert_int_equal(S2S_OK, why.code);
	assert_int_equal(0, lstat(mine, &sb));
	assert_int_equal(0700, sb.st_mode & 07777);
	assert_int_equal(S2S_OK,
	                 s2s_lock_acquire(&l, mine, "login", 0, NULL, &err));
	s2s_lock_release(l);
	assert_true(exists(mine, "login"));
	free(used);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char fallback[64];

	(void)state;
	/* the fallback directory goes when nothing else uses it */
	snprintf(fallback, sizeof(fallback), "%s%lu", S2S_LOCK_FALLBACK,
	         (unsigned long)geteuid());
	(void)rmdir(fallback);
	return tmptree_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_lock__exclusive_and_bounded),
		cmocka_unit_test(test_lock_lock__dies_with_holder),
		cmocka_unit_test(
		        test_lock_lock__world_writable_dir_is_not_trusted),
		cmocka_unit_test(test_lock_lock__symlinked_dir_is_not_trusted),
		cmocka_unit_test(test_lock_lock__foreign_dir_is_not_trusted),
		cmocka_unit_test(test_lock_lock__fallback_is_shared),
		cmocka_unit_test(test_lock_lock__private_dir_is_used),
	};

	return cmocka_run_group_tests_name("lock", tests, setup, teardown);
}
