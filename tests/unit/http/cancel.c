/* SPDX-License-Identifier: MIT */
/* Unit tests for the cancel flag of lib/http.c: a request to a loopback
 * server that accepts and never answers ends with S2S_ECANCELLED soon
 * after the flag is set, long before the session's timeout, on the
 * session's own handle and on the parallel STS transfers (curl multi).
 * The bounds are generous: only "well before the timeout" is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <saml2sts/http.h>
#include <saml2sts/sts.h>

#define TIMEOUT_MS   30000L /* the session's: never reached */
#define CANCEL_AT_MS 200L
#define BOUND_MS     5000LL /* "well before the timeout" */
#define MAX_CONNS    16

/* The silent server: accepts, reads nothing, answers nothing, and keeps
 * every connection open until it is stopped. */
struct server {
	int fd;
	unsigned short port;
	pthread_t thread;
	volatile sig_atomic_t stop;
	int conns[MAX_CONNS]; /* read once the thread is joined */
	atomic_int nconns;
};

static struct server srv;
static volatile sig_atomic_t flag;
static pthread_t canceller;
static struct s2s_http *http;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *serve(void *arg)
{
	struct server *s = arg;

	while (!s->stop) {
		struct pollfd p = { s->fd, POLLIN, 0 };
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		if (s->nconns < MAX_CONNS)
			s->conns[atomic_fetch_add(&s->nconns, 1)] = c;
		else
			close(c);
	}
	return NULL;
}

static void server_start(struct server *s)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(0, bind(s->fd, (struct sockaddr *)&a, sizeof(a)));
	assert_int_equal(0, listen(s->fd, 16));
	assert_int_equal(0, getsockname(s->fd, (struct sockaddr *)&a, &len));
	s->port = ntohs(a.sin_port);
	assert_int_equal(0, pthread_create(&s->thread, NULL, serve, s));
}

static void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	for (int i = 0; i < atomic_load(&s->nconns); i++)
		close(s->conns[i]);
	close(s->fd);
}

static void *cancel_later(void *arg)
{
	struct timespec ts = { 0, CANCEL_AT_MS * 1000000L };

	(void)arg;
	nanosleep(&ts, NULL);
	flag = 1;
	return NULL;
}

static int test_http_cancel__initialize(void **state)
{
	struct s2s_http_opts o = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	flag = 0;
	server_start(&srv);
	o.connect_timeout_ms = TIMEOUT_MS;
	o.timeout_ms = TIMEOUT_MS;
	o.retries = 2;
	o.cancel = &flag;
	assert_int_equal(S2S_OK, s2s_http_new(&http, &o, &err));
	return 0;
}

static int test_http_cancel__cleanup(void **state)
{
	(void)state;
	s2s_http_free(http);
	http = NULL;
	server_stop(&srv);
	return 0;
}

static void url_of(char *out, size_t size, const char *path)
{
	snprintf(out, size, "http://127.0.0.1:%u%s", (unsigned)srv.port, path);
}

static void test_http_cancel__get_ends_when_flag_set(void **state)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	char url[64];
	long long t0, took;
	s2s_err rc;

	(void)state;
	url_of(url, sizeof(url), "/slow");
	assert_int_equal(0,
	                 pthread_create(&canceller, NULL, cancel_later, NULL));
	t0 = now_ms();
	rc = s2s_http_get(http, url, &resp, &err); /* idempotent: retried */
	took = now_ms() - t0;
	pthread_join(canceller, NULL);
	assert_int_equal(S2S_ECANCELLED, rc);
	assert_string_equal("cancelled", err.msg);
	assert_true(took < BOUND_MS);
	/* it waited on the server, not in a retry's backoff */
	assert_true(atomic_load(&srv.nconns) >= 1);
	s2s_http_response_release(&resp);
}

static void test_http_cancel__flag_already_set(void **state)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	char url[64];
	long long t0;

	(void)state;
	url_of(url, sizeof(url), "/");
	flag = 1;
	t0 = now_ms();
	assert_int_equal(S2S_ECANCELLED, s2s_http_get(http, url, &resp, &err));
	assert_true(now_ms() - t0 < BOUND_MS);
	assert_string_equal("cancelled", err.msg);
	s2s_http_response_release(&resp);
}

/* The parallel STS calls of s2s_sts_assume_many use their own easy
 * handles (set up by http.c): each one ends cancelled, none retried. */
static void test_http_cancel__sts_many_ends_when_flag_set(void **state)
{
	static const char saml[] = "PHNhbWxwOlJlc3BvbnNlLz4=";
	struct s2s_sts_request reqs[2];
	struct s2s_sts_result results[2];
	char endpoint[64];
	long long t0, took;
	s2s_err rc;

	(void)state;
	url_of(endpoint, sizeof(endpoint), "");
	for (size_t i = 0; i < 2; i++) {
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].endpoint = endpoint;
		reqs[i].role_arn =
		        i ? "acs:ram::1:role/b" : "acs:ram::1:role/a";
		reqs[i].provider_arn = "acs:ram::1:saml-provider/idp";
		reqs[i].saml_b64 = saml;
		reqs[i].saml_len = sizeof(saml) - 1;
	}
	assert_int_equal(0,
	                 pthread_create(&canceller, NULL, cancel_later, NULL));
	t0 = now_ms();
	rc = s2s_sts_assume_many(results, http, reqs, 2);
	took = now_ms() - t0;
	pthread_join(canceller, NULL);
	assert_int_equal(S2S_OK, rc);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(S2S_ECANCELLED, results[i].rc);
		assert_string_equal("cancelled", results[i].err.msg);
		assert_null(results[i].creds);
	}
	assert_true(took < BOUND_MS);
	assert_true(atomic_load(&srv.nconns) >= 2);
}

#define T(f)                                                             \
	cmocka_unit_test_setup_teardown(f, test_http_cancel__initialize, \
	                                test_http_cancel__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_http_cancel__get_ends_when_flag_set),
		T(test_http_cancel__flag_already_set),
		T(test_http_cancel__sts_many_ends_when_flag_set),
	};

	return cmocka_run_group_tests_name("http::cancel", tests, NULL, NULL);
}
