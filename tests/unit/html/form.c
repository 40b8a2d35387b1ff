/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/html.c forms: finding fields, setting values and
 * encoding the successful controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/html.h>
#include <saml2sts/secret.h>

#define PAGE_URL "http://127.0.0.1:18080/login?x=1"

static struct s2s_html_page *page;

static int test_html_form__cleanup(void **state)
{
	(void)state;
	s2s_html_page_free(page);
	page = NULL;
	return 0;
}

static struct s2s_form *parse_form(const char *html)
{
	struct s2s_error err = S2S_ERROR_INIT;

	s2s_html_page_free(page);
	page = NULL;
	assert_int_equal(S2S_OK, s2s_html_parse(&page, PAGE_URL, html,
	                                        strlen(html), &err));
	assert_true(page->nforms > 0);
	return &page->forms[0];
}

static void assert_encoding(const struct s2s_form *form, const char *want)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	assert_int_equal(S2S_OK, s2s_form_encode(form, &body, &err));
	assert_non_null(body.ptr);
	assert_string_equal(want, body.ptr);
	s2s_buf_release(&body);
}

/* The SimpleSAMLphp login POST: AuthState entity-decoded, then
 * form-encoded again; the unnamed button sends nothing. */
static void test_html_form__simplesamlphp_login_body(void **state)
{
	struct s2s_form *form;
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	form = parse_form(
	        "<form action=\"?\" method=\"post\" name=\"f\">"
	        "<input id=\"username\" type=\"text\" name=\"username\">"
	        "<input id=\"password\" type=\"password\" name=\"password\">"
	        "<button id=\"submit_button\" class=\"btn\" "
	        "type=\"submit\">Login</button>"
	        "<input type=\"hidden\" name=\"AuthState\" value=\"_22:http://"
	        "h/SSO.php?spentityid=urn%3Aa&amp;cookieTime=17\" /></form>");
	assert_int_equal(S2S_OK, s2s_form_set(form, "username", "alice", &err));
	assert_int_equal(S2S_OK,
	                 s2s_form_set(form, "password", "alice-pass", &err));
	assert_encoding(form, "username=alice&password=alice-pass&AuthState="
	                      "_22%3Ahttp%3A%2F%2Fh%2FSSO.php%3Fspentityid%3D"
	                      "urn%253Aa%26cookieTime%3D17");
}

static void test_html_form__encode_skips_unsuccessful_controls(void **state)
{
	struct s2s_form *form;

	(void)state;
	form = parse_form("<form method=post>"
	                  "<input name=a value='x y'>"
	                  "<input type=submit name=s value=Go>"
	                  "<input type=image name=i>"
	                  "<input type=reset name=r>"
	                  "<input type=file name=f>"
	                  "<input type=button name=b>"
	                  "<button name=bb value=1>B</button>"
	                  "<input type=checkbox name=c1>"
	                  "<input type=checkbox name=c2 value=v checked>"
	                  "<input type=radio name=m value=push>"
	                  "<input type=radio name=m value=totp checked>"
	                  "<select name=sel><option>1<option selected>2"
	                  "</select>"
	                  "<textarea name=t>a+b</textarea>"
	                  "<input type=hidden name=h value='caf\xc3\xa9'>"
	                  "</form>");
	assert_encoding(form, "a=x%20y&c2=v&m=totp&sel=2&t=a%2Bb&h=caf%C3%A9");
}

static void test_html_form__encode_empty_form(void **state)
{
	struct s2s_form *form;

	(void)state;
	form = parse_form("<form><input type=submit name=go></form>");
	assert_encoding(form, "");
}

static void test_html_form__set_replaces_and_adds(void **state)
{
	struct s2s_form *form;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_form_field *f;

	(void)state;
	form = parse_form("<form><input type=hidden name=SAMLResponse "
	                  "value='PHNh+/=='><input type=checkbox name=rm>"
	                  "</form>");
	assert_int_equal(S2S_OK, s2s_form_set(form, "SAMLResponse", "", &err));
	assert_string_equal("",
	                    s2s_form_field_find(form, "SAMLResponse")->value);
	assert_int_equal(S2S_OK, s2s_form_set(form, "otp", "123456", &err));
	assert_int_equal(3, form->nfields);
	f = s2s_form_field_find(form, "otp");
	assert_non_null(f);
	assert_string_equal("text", f->type);
	assert_string_equal("123456", f->value);
	assert_null(f->id);
	assert_false(f->checked);
	/* Setting a checkbox checks it. */
	assert_int_equal(S2S_OK, s2s_form_set(form, "rm", "yes", &err));
	assert_true(s2s_form_field_find(form, "rm")->checked);
	assert_encoding(form, "SAMLResponse=&rm=yes&otp=123456");
	/* Many additions grow the array. */
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(S2S_OK, s2s_form_set(form, name, name, &err));
	}
	assert_int_equal(103, form->nfields);
	assert_string_equal("n99", s2s_form_field_find(form, "n99")->value);
	assert_int_equal(S2S_OK, err.code);
}

static void test_html_form__find_by_name_and_type(void **state)
{
	struct s2s_form *form;

	(void)state;
	form = parse_form("<form><input name=User type=email>"
	                  "<input name=user><input type=password name=p1>"
	                  "<input type=password name=p2></form>");
	assert_string_equal("email", s2s_form_field_find(form, "User")->type);
	assert_string_equal("text", s2s_form_field_find(form, "user")->type);
	assert_null(s2s_form_field_find(form, "USER"));
	assert_string_equal("p1",
	                    s2s_form_field_by_type(form, "password")->name);
	assert_null(s2s_form_field_by_type(form, "hidden"));
	assert_null(s2s_form_field_find(NULL, "x"));
	assert_null(s2s_form_field_by_type(NULL, "x"));
	assert_null(s2s_html_form_with_field(NULL, "x"));
	assert_null(s2s_html_form_with_type(NULL, "x"));
	s2s_html_page_free(NULL);
}

/* The names are tried in order across all forms, not the forms in
 * order: an earlier name in a later form wins. */
static void test_html_form__field_by_names(void **state)
{
	static const char *const names[] = { "otp", "token", NULL };
	static const char *const none[] = { "code", NULL };
	struct s2s_form *form = NULL;
	struct s2s_form_field *f;

	(void)state;
	parse_form("<form id=a><input name=token></form>"
	           "<form id=b><input name=user><input name=otp></form>");
	f = s2s_html_field_by_names(&form, page, names);
	assert_non_null(f);
	assert_string_equal("otp", f->name);
	assert_ptr_equal(&page->forms[1], form);
	f = s2s_html_field_by_names(&form, page, names + 1);
	assert_non_null(f);
	assert_string_equal("token", f->name);
	assert_ptr_equal(&page->forms[0], form);
	form = NULL;
	assert_null(s2s_html_field_by_names(&form, page, none));
	assert_null(form);
	assert_null(s2s_html_field_by_names(&form, NULL, names));
	assert_null(form);
}

#define T(f) cmocka_unit_test_teardown(f, test_html_form__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_html_form__simplesamlphp_login_body),
		T(test_html_form__encode_skips_unsuccessful_controls),
		T(test_html_form__encode_empty_form),
		T(test_html_form__set_replaces_and_adds),
		T(test_html_form__find_by_name_and_type),
		T(test_html_form__field_by_names),
	};

	return cmocka_run_group_tests_name("html::form", tests, NULL, NULL);
}
