/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/pageloop.c without a network: the first page comes
 * from the start slot and each step writes the next page into the
 * response, so the loop's own rules (SAMLResponse end, step bound, 5xx,
 * cancellation, step order, uncounted pages, unrecognised pages) are
 * seen alone. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/pageloop.h>

#define SAML_PAGE                                                      \
	"<html><body><form method=\"post\" "                           \
	"action=\"https://signin.aliyun.com/saml-role/sso\">"          \
	"<input type=\"hidden\" name=\"SAMLResponse\" value=\"QUJD\">" \
	"</form></body></html>"
#define NEXT_PAGE                                                    \
	"<html><head><title>Next</title></head><body><form "         \
	"method=\"post\" action=\"/next\"><input name=\"q\"></form>" \
	"</body></html>"
#define ODD_PAGE "<html><head><title>Odd</title></head><body></body></html>"

struct fake {
	const char *first;         /* the start page */
	long first_status;         /* its HTTP status */
	const char *const *script; /* pages the "next" step hands out */
	size_t at;
	int calls_a, calls_b;
	bool uncount; /* mark every page as a poll */
	volatile sig_atomic_t cancel;
};

static s2s_err put_page(struct s2s_http_response *resp, const char *html,
                        long status)
{
	s2s_http_response_release(resp);
	resp->status = status;
	resp->url = strdup("https://idp.example.org/page?x=1");
	if (!resp->url || s2s_buf_puts(&resp->body, html))
		return S2S_ENOMEM;
	return S2S_OK;
}

static s2s_err fake_start(struct s2s_pageloop *loop,
                          struct s2s_http_response *resp)
{
	struct fake *f = loop->state;

	return put_page(resp, f->first,
	                f->first_status ? f->first_status : 200);
}

/* Never takes a page: a step that does not recognise it. */
static s2s_err step_a(bool *handled, struct s2s_pageloop *loop,
                      struct s2s_html_page *page,
                      struct s2s_http_response *resp)
{
	struct fake *f = loop->state;

	(void)handled;
	(void)page;
	(void)resp;
	f->calls_a++;
	return S2S_OK;
}

/* Takes any page with a form: hands out the next scripted page. */
static s2s_err step_b(bool *handled, struct s2s_pageloop *loop,
                      struct s2s_html_page *page,
                      struct s2s_http_response *resp)
{
	struct fake *f = loop->state;

	f->calls_b++;
	if (!page->nforms)
		return S2S_OK;
	*handled = true;
	loop->uncounted = f->uncount;
	if (f->script && f->script[f->at])
		return put_page(resp, f->script[f->at++], 200);
	return put_page(resp, NEXT_PAGE, 200);
}

static const s2s_pageloop_step_fn steps[] = { step_a, step_b, NULL };

static const struct s2s_pageloop_ops ops = {
	.idp = "the test IdP",
	.pages = "test",
	.max_steps = 4,
	.start = fake_start,
	.steps = steps,
};

struct run {
	struct s2s_error err;
	struct s2s_buf saml;
	struct s2s_adapter_ctx ctx;
};

static s2s_err run(struct run *r, struct fake *f)
{
	memset(r, 0, sizeof(*r));
	s2s_buf_init(&r->saml, true);
	r->ctx.err = &r->err;
	r->ctx.cancel = &f->cancel;
	return s2s_pageloop_run(&r->ctx, &ops, f, &r->saml);
}

static void test_pageloop_pageloop__takes_saml_after_steps(void **state)
{
	static const char *const script[] = { SAML_PAGE, NULL };
	struct fake f = { .first = NEXT_PAGE, .script = script };
	struct run r;

	(void)state;
	assert_int_equal(S2S_OK, run(&r, &f));
	assert_string_equal("QUJD", r.saml.ptr);
	/* step_a saw the first page, step_b took it; the SAMLResponse
	 * page reached no step */
	assert_int_equal(1, f.calls_a);
	assert_int_equal(1, f.calls_b);
	s2s_buf_release(&r.saml);
}

static void test_pageloop_pageloop__step_bound(void **state)
{
	struct fake f = { .first = NEXT_PAGE };
	struct run r;

	(void)state;
	assert_int_equal(S2S_EIDP, run(&r, &f));
	assert_string_equal("no SAMLResponse after 4 test pages", r.err.msg);
	assert_int_equal(4, f.calls_b);
	assert_int_equal(0, r.saml.len);
}

static void test_pageloop_pageloop__uncounted_pages(void **state)
{
	static const char *const script[] = { NEXT_PAGE, NEXT_PAGE, NEXT_PAGE,
		                              NEXT_PAGE, NEXT_PAGE, SAML_PAGE,
		                              NULL };
	struct fake f = { .first = NEXT_PAGE,
		          .script = script,
		          .uncount = true };
	struct run r;

	(void)state;
	assert_int_equal(S2S_OK, run(&r, &f));
	assert_int_equal(6, f.calls_b);
	s2s_buf_release(&r.saml);
}

static void test_pageloop_pageloop__server_error(void **state)
{
	struct fake f = { .first = NEXT_PAGE, .first_status = 503 };
	struct run r;

	(void)state;
	assert_int_equal(S2S_ENET, run(&r, &f));
	assert_string_equal("the test IdP answered HTTP 503", r.err.msg);
	assert_int_equal(0, f.calls_a);
}

static void test_pageloop_pageloop__cancelled(void **state)
{
	struct fake f = { .first = NEXT_PAGE, .cancel = 1 };
	struct run r;

	(void)state;
	assert_int_equal(S2S_ECANCELLED, run(&r, &f));
	assert_int_equal(0, f.calls_a);
}

static void test_pageloop_pageloop__unrecognised(void **state)
{
	struct fake f = { .first = ODD_PAGE };
	struct run r;

	(void)state;
	assert_int_equal(S2S_EIDP, run(&r, &f));
	assert_string_equal("IdP page not understood at "
	                    "https://idp.example.org/page (HTTP 200, title "
	                    "\"Odd\")",
	                    r.err.msg);
	assert_int_equal(1, f.calls_a);
	assert_int_equal(1, f.calls_b);
}

static void test_pageloop_pageloop__visited_hosts(void **state)
{
	struct s2s_pageloop loop = { 0 };

	(void)state;
	loop.hosts[0] = strdup("idp.example.org");
	assert_non_null(loop.hosts[0]);
	loop.nhosts = 1;
	assert_true(s2s_pageloop_visited(&loop, "https://IDP.example.org/x"));
	assert_false(s2s_pageloop_visited(&loop, "https://sp.example.org/"));
	free(loop.hosts[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		        test_pageloop_pageloop__takes_saml_after_steps),
		cmocka_unit_test(test_pageloop_pageloop__step_bound),
		cmocka_unit_test(test_pageloop_pageloop__uncounted_pages),
		cmocka_unit_test(test_pageloop_pageloop__server_error),
		cmocka_unit_test(test_pageloop_pageloop__cancelled),
		cmocka_unit_test(test_pageloop_pageloop__unrecognised),
		cmocka_unit_test(test_pageloop_pageloop__visited_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
