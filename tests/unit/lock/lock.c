/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/lock.c: exclusive across processes, bounded wait,
 * names with odd characters, released when the holder dies. */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../tmptree.h"

#include <saml2sts/lock.h>

static char dir[] = "/tmp/s2s-lock-XXXXXX";

/* A child that holds name for ms milliseconds; it writes one byte on
 * fd once it has the lock. */
static pid_t holder(const char *name, long ms, int fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_lock *l = NULL;

		if (s2s_lock_acquire(&l, dir, name, 0, NULL, &err))
			_exit(1);
		if (write(fd, "!", 1) != 1)
			_exit(2);
		usleep((useconds_t)ms * 1000);
		_exit(0);
	}
	return pid;
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

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return tmptree_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_lock__exclusive_and_bounded),
		cmocka_unit_test(test_lock_lock__dies_with_holder),
	};

	return cmocka_run_group_tests_name("lock", tests, setup, teardown);
}
