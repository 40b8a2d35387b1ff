/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/html.c parsing: the SimpleSAMLphp pages, entity
 * decoding, odd markup, controls, meta refresh, <base>, forms that
 * libxml2 closes early, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/html.h>
#include <saml2sts/http.h>
#include <saml2sts/secret.h>

#define LOGIN_URL                                                         \
	"http://127.0.0.1:18080/simplesaml/module.php/core/"              \
	"loginuserpass.php?AuthState=_2237a1d5c8b3e2f4a6b9c0d1e2f3a4b5c6" \
	"d7e8f9a0%3Ahttp%3A%2F%2F127.0.0.1%3A18080%2Fsimplesaml"
#define AUTHSTATE                                                       \
	"_2237a1d5c8b3e2f4a6b9c0d1e2f3a4b5c6d7e8f9a0:http://127.0.0.1:" \
	"18080/simplesaml/saml2/idp/SSOService.php?spentityid=urn%3A"   \
	"alibaba%3Acloudcomputing&cookieTime=1795908488"
#define PAGE_URL "https://idp.example.com/auth/login.php?step=1#top"

static struct s2s_html_page *page;

static int test_html_parse__cleanup(void **state)
{
	(void)state;
	s2s_html_page_free(page);
	page = NULL;
	return 0;
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/html/%s", S2S_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal((size_t)n, fread(data, 1, (size_t)n, f));
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void parse_fixture(const char *name, const char *url)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t len;
	char *html = read_fixture(name, &len);

	assert_int_equal(S2S_OK, s2s_html_parse(&page, url, html, len, &err));
	assert_non_null(page);
	free(html);
}

static void parse_str(const char *url, const char *html)
{
	struct s2s_error err = S2S_ERROR_INIT;

	s2s_html_page_free(page);
	page = NULL;
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, url, html, strlen(html), &err));
	assert_non_null(page);
}

static const struct s2s_form_field *field(const struct s2s_form *form,
                                          const char *name)
{
	const struct s2s_form_field *f = s2s_form_field_find(form, name);

	if (!f)
		fail_msg("no field %s", name);
	return f;
}

static void assert_field(const struct s2s_form *form, size_t i,
                         const char *name, const char *type, const char *value)
{
	assert_true(i < form->nfields);
	assert_string_equal(name, form->fields[i].name);
	assert_string_equal(type, form->fields[i].type);
	assert_string_equal(value, form->fields[i].value);
}

static void test_html_parse__simplesamlphp_login(void **state)
{
	const struct s2s_form *form;

	(void)state;
	parse_fixture("simplesamlphp-login.html", LOGIN_URL);
	assert_string_equal(LOGIN_URL, page->url);
	assert_string_equal("Enter your username and password", page->title);
	assert_null(page->refresh_url);
	assert_int_equal(1, page->nforms);
	form = &page->forms[0];
	/* action="?": same path, empty query. */
	assert_string_equal("http://127.0.0.1:18080/simplesaml/module.php/"
	                    "core/loginuserpass.php?",
	                    form->action);
	assert_string_equal("POST", form->method);
	assert_string_equal("f", form->name);
	assert_null(form->id);
	/* The submit button has no name: not a field. */
	assert_int_equal(3, form->nfields);
	assert_field(form, 0, "username", "text", "");
	assert_string_equal("username", form->fields[0].id);
	assert_field(form, 1, "password", "password", "");
	assert_field(form, 2, "AuthState", "hidden", AUTHSTATE);
	assert_null(form->fields[2].id);
	assert_ptr_equal(form, s2s_html_form_with_type(page, "password"));
	assert_null(s2s_html_form_with_field(page, "SAMLResponse"));
}

static void test_html_parse__simplesamlphp_login_badpass(void **state)
{
	const struct s2s_form *form;

	(void)state;
	parse_fixture("simplesamlphp-login-badpass.html", LOGIN_URL);
	form = s2s_html_form_with_field(page, "password");
	assert_non_null(form);
	assert_string_equal("alice", field(form, "username")->value);
	assert_string_equal(AUTHSTATE, field(form, "AuthState")->value);
}

static void test_html_parse__simplesamlphp_post(void **state)
{
	const struct s2s_form *form;
	const struct s2s_form_field *f;

	(void)state;
	parse_fixture("simplesamlphp-post.html", LOGIN_URL);
	assert_string_equal("POST data", page->title);
	assert_int_equal(1, page->nforms);
	form = s2s_html_form_with_field(page, "SAMLResponse");
	assert_ptr_equal(&page->forms[0], form);
	/* The <form> tag spans two lines. */
	assert_string_equal("https://signin.aliyun.com/saml-role/sso",
	                    form->action);
	assert_string_equal("POST", form->method);
	/* Unnamed submit input and <noscript> button: no fields. */
	assert_int_equal(2, form->nfields);
	f = field(form, "SAMLResponse");
	assert_string_equal("hidden", f->type);
	assert_int_equal(700, strlen(f->value));
	assert_memory_equal("PHNhbWxwOlJlc3BvbnNl", f->value, 20);
	assert_string_equal("Pgr7/78=", f->value + 692);
	assert_non_null(strchr(f->value, '+'));
	assert_string_equal("https://home.console.aliyun.com/"
	                    "?region=cn-hangzhou&lang=en",
	                    field(form, "RelayState")->value);
}

struct entity_case {
	const char *attr; /* as written in the page */
	const char *want;
};

/* clang-format off */
static const struct entity_case entity_cases[] = {
	{ "a&amp;b", "a&b" },
	{ "&#x2b;&#X2B;&#43;", "+++" },
	{ "&quot;q&quot;", "\"q\"" },
	{ "&lt;&gt;&apos;&#39;", "<>''" },
	{ "caf&eacute; &#x4e2d;", "caf\xc3\xa9 \xe4\xb8\xad" },
	{ "&nbsp;", "\xc2\xa0" },
	{ "100%", "100%" },
	{ "a+b/c==", "a+b/c==" },
	{ "", "" },
};
/* clang-format on */

static void test_html_parse__entities_are_decoded(void **state)
{
	char html[256];

	(void)state;
	for (size_t i = 0; i < sizeof(entity_cases) / sizeof(*entity_cases);
	     i++) {
		snprintf(html, sizeof(html),
		         "<form><input type=hidden name=v value=\"%s\">"
		         "<textarea name=t>%s</textarea></form>",
		         entity_cases[i].attr, entity_cases[i].attr);
		parse_str(PAGE_URL, html);
		assert_int_equal(1, page->nforms);
		if (strcmp(entity_cases[i].want,
		           field(&page->forms[0], "v")->value) != 0)
			fail_msg("case %zu: %s", i, entity_cases[i].attr);
		assert_string_equal(entity_cases[i].want,
		                    field(&page->forms[0], "t")->value);
	}
}

static void test_html_parse__multiline_and_uppercase_tags(void **state)
{
	const struct s2s_form *form;

	(void)state;
	parse_str(PAGE_URL, "<HTML><HEAD><TITLE>\n  Sign\n\tIn  </TITLE>"
	                    "</HEAD><BODY>\n<FORM\n  METHOD=\"Post\"\n"
	                    "  ACTION=\"/Login.do\"\n  ID=\"F1\"\n  NAME=L>\n"
	                    "<INPUT\n TYPE=\"PASSWORD\"\n NAME=\"Pw\"\n"
	                    " VALUE='X'>\n<Input Type=Hidden Name=Tok "
	                    "Value=a&amp;b>\n</FORM></BODY></HTML>");
	assert_string_equal("Sign In", page->title);
	assert_int_equal(1, page->nforms);
	form = &page->forms[0];
	assert_string_equal("https://idp.example.com/Login.do", form->action);
	assert_string_equal("POST", form->method);
	assert_string_equal("F1", form->id);
	assert_string_equal("L", form->name);
	assert_int_equal(2, form->nfields);
	/* Types are lowercased, names keep their case. */
	assert_field(form, 0, "Pw", "password", "X");
	assert_field(form, 1, "Tok", "hidden", "a&b");
	assert_null(s2s_form_field_find(form, "pw"));
}

struct action_case {
	const char *attr; /* NULL: no action attribute */
	const char *want;
};

/* clang-format off */
static const struct action_case action_cases[] = {
	{ NULL, "https://idp.example.com/auth/login.php?step=1" },
	{ "", "https://idp.example.com/auth/login.php?step=1" },
	{ "   ", "https://idp.example.com/auth/login.php?step=1" },
	{ "?", "https://idp.example.com/auth/login.php?" },
	{ "#", "https://idp.example.com/auth/login.php?step=1" },
	{ "?step=2", "https://idp.example.com/auth/login.php?step=2" },
	{ "next.php", "https://idp.example.com/auth/next.php" },
	{ "  next.php\n", "https://idp.example.com/auth/next.php" },
	{ "../sso?a=1&amp;b=2", "https://idp.example.com/sso?a=1&b=2" },
	{ "//other.example/x", "https://other.example/x" },
	{ "http://127.0.0.1:8080/acs", "http://127.0.0.1:8080/acs" },
	{ "javascript:void(0)", "javascript:void(0)" },
};
/* clang-format on */

static void test_html_parse__actions_follow_html_rules(void **state)
{
	char html[256];

	(void)state;
	for (size_t i = 0; i < sizeof(action_cases) / sizeof(*action_cases);
	     i++) {
		if (action_cases[i].attr)
			snprintf(html, sizeof(html),
			         "<form action=\"%s\"></form>",
			         action_cases[i].attr);
		else
			snprintf(html, sizeof(html), "<form></form>");
		parse_str(PAGE_URL, html);
		assert_int_equal(1, page->nforms);
		if (strcmp(action_cases[i].want, page->forms[0].action) != 0)
			fail_msg("case %zu: want %s, got %s", i,
			         action_cases[i].want, page->forms[0].action);
		assert_string_equal("GET", page->forms[0].method);
	}
	assert_false(s2s_url_allowed(page->forms[0].action));
}

static void test_html_parse__base_href(void **state)
{
	(void)state;
	parse_str(PAGE_URL, "<html><head><base href=\"https://sso.example/"
	                    "app/\"></head><body><form action=\"login\">"
	                    "</form><form></form><meta http-equiv=refresh "
	                    "content=\"0;url=next\"></body></html>");
	assert_int_equal(2, page->nforms);
	assert_string_equal("https://sso.example/app/login",
	                    page->forms[0].action);
	/* An empty action is the document's URL, not the base. */
	assert_string_equal("https://idp.example.com/auth/login.php?step=1",
	                    page->forms[1].action);
	assert_string_equal("https://sso.example/app/next", page->refresh_url);
}

static void test_html_parse__several_forms(void **state)
{
	(void)state;
	parse_str(PAGE_URL,
	          "<form id=search action=/search><input name=q value=x>"
	          "<input type=submit name=go value=Go></form>"
	          "<div><form id=login name=login method=POST action=/login>"
	          "<input name=user><input type=password name=pass></form>"
	          "</div><form id=lang method=dialog><select name=l>"
	          "<option>en</option></select></form>");
	assert_int_equal(3, page->nforms);
	assert_string_equal("search", page->forms[0].id);
	assert_string_equal("GET", page->forms[0].method);
	assert_string_equal("POST", page->forms[1].method);
	assert_string_equal("login", page->forms[1].name);
	assert_string_equal("GET", page->forms[2].method);
	assert_ptr_equal(&page->forms[1],
	                 s2s_html_form_with_type(page, "password"));
	assert_ptr_equal(&page->forms[0], s2s_html_form_with_field(page, "q"));
	assert_ptr_equal(&page->forms[2], s2s_html_form_with_field(page, "l"));
	assert_ptr_equal(&page->forms[0],
	                 s2s_html_form_with_type(page, "submit"));
	assert_null(s2s_html_form_with_type(page, "email"));
	assert_int_equal(2, page->forms[0].nfields);
	assert_int_equal(2, page->forms[1].nfields);
	assert_int_equal(1, page->forms[2].nfields);
}

static void test_html_parse__controls(void **state)
{
	const struct s2s_form *form;
	const struct s2s_form_field *f;

	(void)state;
	parse_str(PAGE_URL,
	          "<form method=post>"
	          "<input name=plain>"
	          "<input type=Email name=mail value=a@b>"
	          "<input type=checkbox name=remember>"
	          "<input type=checkbox name=agree value=yes checked>"
	          "<input type=radio name=f value=push>"
	          "<input type=radio name=f value=totp checked>"
	          "<select name=s1><option value=1>one<option value=2 "
	          "selected>two</select>"
	          "<select name=s2><optgroup label=g><option> First\n "
	          "Choice </option><option>b</option></optgroup></select>"
	          "<select name=s3></select>"
	          "<textarea name=ta>\nline 1\n&lt;2&gt;</textarea>"
	          "<button name=act value=login>Go</button>"
	          "<button name=b2 type=BUTTON>b</button>"
	          "<button>unnamed</button>"
	          "<input type=image name=img><input type=reset name=r>"
	          "<input type=file name=up>"
	          "<input name=off value=1 disabled>"
	          "<input value=noname><input name='' value=empty>"
	          "</form>");
	form = &page->forms[0];
	assert_int_equal(15, form->nfields);
	assert_field(form, 0, "plain", "text", "");
	assert_field(form, 1, "mail", "email", "a@b");
	f = field(form, "remember");
	assert_string_equal("on", f->value);
	assert_false(f->checked);
	f = field(form, "agree");
	assert_string_equal("yes", f->value);
	assert_true(f->checked);
	assert_field(form, 4, "f", "radio", "push");
	assert_false(form->fields[4].checked);
	assert_field(form, 5, "f", "radio", "totp");
	assert_true(form->fields[5].checked);
	assert_field(form, 6, "s1", "select", "2");
	assert_field(form, 7, "s2", "select", "First Choice");
	assert_field(form, 8, "s3", "select", "");
	assert_field(form, 9, "ta", "textarea", "line 1\n<2>");
	assert_field(form, 10, "act", "submit", "login");
	assert_field(form, 11, "b2", "button", "");
	assert_field(form, 12, "img", "image", "");
	assert_field(form, 13, "r", "reset", "");
	assert_field(form, 14, "up", "file", "");
	assert_null(s2s_form_field_find(form, "off"));
}

struct refresh_case {
	const char *meta;
	const char *want; /* NULL: no refresh URL */
};

/* clang-format off */
static const struct refresh_case refresh_cases[] = {
	{ "<meta http-equiv=\"refresh\" content=\"0; url=/next\">",
	  "https://idp.example.com/next" },
	{ "<META HTTP-EQUIV=\"Refresh\" CONTENT=\"0;URL='next.php?a=1'\">",
	  "https://idp.example.com/auth/next.php?a=1" },
	{ "<meta http-equiv=refresh content='5 ; Url = \"https://x.example/y\"'>",
	  "https://x.example/y" },
	{ "<meta http-equiv=\"refresh\" content=\"0,https://x.example/\">",
	  "https://x.example/" },
	{ "<meta http-equiv=\"refresh\" content=\"1.5; url=?r=1\">",
	  "https://idp.example.com/auth/login.php?r=1" },
	{ "<meta http-equiv=\"refresh\" content=\"30\">", NULL },
	{ "<meta http-equiv=\"refresh\" content=\"soon; url=/x\">", NULL },
	{ "<meta http-equiv=\"refresh\">", NULL },
	{ "<meta name=\"refresh\" content=\"0; url=/x\">", NULL },
	{ "<meta http-equiv=\"refresh\" content=\"0; url=javascript:x()\">",
	  NULL },
};
/* clang-format on */

static void test_html_parse__meta_refresh(void **state)
{
	char html[256];

	(void)state;
	for (size_t i = 0; i < sizeof(refresh_cases) / sizeof(*refresh_cases);
	     i++) {
		const char *want = refresh_cases[i].want;

		snprintf(html, sizeof(html),
		         "<html><head>%s</head><body>x</body></html>",
		         refresh_cases[i].meta);
		parse_str(PAGE_URL, html);
		if (!want && page->refresh_url)
			fail_msg("case %zu: want none, got %s", i,
			         page->refresh_url);
		if (want && (!page->refresh_url ||
		             strcmp(want, page->refresh_url) != 0))
			fail_msg("case %zu: want %s, got %s", i, want,
			         page->refresh_url ? page->refresh_url
			                           : "NULL");
	}
}

/* libxml2 closes a form started in a table cell at the end of the cell,
 * leaving the rest of its controls in the following cells. */
static void test_html_parse__form_in_table_cell(void **state)
{
	const struct s2s_form *form;

	(void)state;
	parse_str(PAGE_URL, "<table><tr><td><form method=post action=go>"
	                    "<input name=user></td><td><input type=password "
	                    "name=pass></td></tr><tr><td><input type=hidden "
	                    "name=tok value=t></form></td></tr></table>"
	                    "<div><input name=search></div>");
	assert_int_equal(1, page->nforms);
	form = &page->forms[0];
	assert_int_equal(3, form->nfields);
	assert_field(form, 0, "user", "text", "");
	assert_field(form, 1, "pass", "password", "");
	assert_field(form, 2, "tok", "hidden", "t");
	assert_ptr_equal(form, s2s_html_form_with_type(page, "password"));
}

static void test_html_parse__form_wrapping_table_rows(void **state)
{
	(void)state;
	parse_str(PAGE_URL, "<table><form action=go><tr><td><input name=a>"
	                    "</td></tr><tr><td><input name=b></td></tr>"
	                    "</form></table>");
	assert_int_equal(1, page->nforms);
	assert_int_equal(2, page->forms[0].nfields);
	parse_str(PAGE_URL, "<table><tr><form action=go><td><input name=a>"
	                    "</td><td><input name=b></td></form></tr></table>");
	assert_int_equal(2, page->forms[0].nfields);
}

/* A form closed early inside a <p>: the controls after it in the same
 * parent are still its own. */
static void test_html_parse__misnested_form(void **state)
{
	const struct s2s_form *form;

	(void)state;
	parse_str(PAGE_URL, "<div><form action=a><p><input name=one></form>"
	                    "<input name=two></p></div>"
	                    "<div><input name=outside></div>"
	                    "<form action=b><input name=three></form>"
	                    "<input name=four>");
	assert_int_equal(2, page->nforms);
	form = &page->forms[0];
	assert_int_equal(2, form->nfields);
	assert_field(form, 0, "one", "text", "");
	assert_field(form, 1, "two", "text", "");
	form = &page->forms[1];
	assert_int_equal(2, form->nfields);
	assert_field(form, 0, "three", "text", "");
	assert_field(form, 1, "four", "text", "");
	assert_null(s2s_html_form_with_field(page, "outside"));
}

static void test_html_parse__form_attribute(void **state)
{
	(void)state;
	parse_str(PAGE_URL, "<input name=early form=f2 value=e>"
	                    "<form id=f1><input name=a></form>"
	                    "<div><input name=x form=f1>"
	                    "<input name=nowhere form=missing></div>"
	                    "<form id=f2><input name=b form=f1></form>");
	assert_int_equal(2, page->nforms);
	assert_int_equal(3, page->forms[0].nfields);
	assert_field(&page->forms[0], 0, "a", "text", "");
	assert_field(&page->forms[0], 1, "x", "text", "");
	assert_field(&page->forms[0], 2, "b", "text", "");
	assert_int_equal(1, page->forms[1].nfields);
	assert_field(&page->forms[1], 0, "early", "text", "e");
	assert_null(s2s_html_form_with_field(page, "nowhere"));
}

static void test_html_parse__no_forms(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;

	(void)state;
	parse_str(PAGE_URL, "<html><head><title> Error </title></head><body>"
	                    "<p>Something went wrong.</p><input name=x>"
	                    "</body></html>");
	assert_int_equal(0, page->nforms);
	assert_string_equal("Error", page->title);
	assert_null(s2s_html_form_with_field(page, "x"));
	assert_null(s2s_html_form_with_type(page, "text"));
	parse_str(PAGE_URL, "just text");
	assert_int_equal(0, page->nforms);
	assert_null(page->title);
	parse_str(PAGE_URL, " \n ");
	assert_int_equal(0, page->nforms);
	s2s_html_page_free(page);
	page = NULL;
	assert_int_equal(S2S_OK, s2s_html_parse(&page, PAGE_URL, "", 0, &err));
	assert_int_equal(0, page->nforms);
	assert_string_equal(PAGE_URL, page->url);
	assert_int_equal(S2S_OK, err.code);
}

static void test_html_parse__latin1_page(void **state)
{
	(void)state;
	parse_str(PAGE_URL, "<html><head><meta http-equiv=\"Content-Type\" "
	                    "content=\"text/html; charset=iso-8859-1\">"
	                    "<title>Caf\xe9</title></head><body><form>"
	                    "<input name=n value=\"d\xe9j\xe0\"></form>"
	                    "</body></html>");
	assert_string_equal("Caf\xc3\xa9", page->title);
	assert_string_equal("d\xc3\xa9j\xc3\xa0",
	                    field(&page->forms[0], "n")->value);
}

static void test_html_parse__garbage_bytes(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	uint32_t seed = 12345;
	char *buf = malloc(65536);

	(void)state;
	assert_non_null(buf);
	for (size_t round = 0; round < 64; round++) {
		size_t len = (round * 1031) % 65536;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
			/* Sprinkle markup so the parser goes deep. */
			if ((seed >> 8) % 7 == 0)
				buf[i] = "<>=\"&/f ;#"[(seed >> 3) % 10];
		}
		s2s_html_page_free(page);
		page = NULL;
		assert_int_equal(S2S_OK, s2s_html_parse(&page, PAGE_URL, buf,
		                                        len, &err));
		assert_non_null(page);
	}
	memcpy(buf, "\0\0<form action=x>\0<input name=a value=\"b\0c\">", 45);
	s2s_html_page_free(page);
	page = NULL;
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, PAGE_URL, buf, 45, &err));
	free(buf);
}

static void test_html_parse__deep_nesting(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = 100000, len = 0;
	char *buf = malloc(n * 11 + 64);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "<form>", 6);
	len = 6;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + len, i % 2 ? "<div>" : "<span>", i % 2 ? 5 : 6);
		len += i % 2 ? 5 : 6;
	}
	memcpy(buf + len, "<input name=deep>", 17);
	len += 17;
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, PAGE_URL, buf, len, &err));
	free(buf);
}

/* Absurd pages get truncated lists, not unbounded memory. */
static void test_html_parse__caps_forms_and_fields(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = 20000, len = 0, total = 0;
	char *buf = malloc(n * 16 + 64);

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < 2000; i++) {
		memcpy(buf + len, "<form></form>", 13);
		len += 13;
	}
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, PAGE_URL, buf, len, &err));
	assert_int_equal(1024, page->nforms);
	s2s_html_page_free(page);
	page = NULL;
	memcpy(buf, "<form>", 6);
	len = 6;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + len, "<input name=a>", 14);
		len += 14;
	}
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, PAGE_URL, buf, len, &err));
	for (size_t i = 0; i < page->nforms; i++)
		total += page->forms[i].nfields;
	assert_int_equal(8192, total);
	free(buf);
}

static void test_html_parse__refuses_over_8_mib(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	size_t len = 8u * 1024 * 1024 + 1;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', len);
	assert_int_equal(S2S_EIDP,
	                 s2s_html_parse(&page, PAGE_URL, buf, len, &err));
	assert_null(page);
	assert_non_null(strstr(err.msg, "8 MiB"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK,
	                 s2s_html_parse(&page, PAGE_URL, buf, len - 1, &err));
	free(buf);
}

#define T(f) cmocka_unit_test_teardown(f, test_html_parse__cleanup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_html_parse__simplesamlphp_login),
		T(test_html_parse__simplesamlphp_login_badpass),
		T(test_html_parse__simplesamlphp_post),
		T(test_html_parse__entities_are_decoded),
		T(test_html_parse__multiline_and_uppercase_tags),
		T(test_html_parse__actions_follow_html_rules),
		T(test_html_parse__base_href),
		T(test_html_parse__several_forms),
		T(test_html_parse__controls),
		T(test_html_parse__meta_refresh),
		T(test_html_parse__form_in_table_cell),
		T(test_html_parse__form_wrapping_table_rows),
		T(test_html_parse__misnested_form),
		T(test_html_parse__form_attribute),
		T(test_html_parse__no_forms),
		T(test_html_parse__latin1_page),
		T(test_html_parse__garbage_bytes),
		T(test_html_parse__deep_nesting),
		T(test_html_parse__caps_forms_and_fields),
		T(test_html_parse__refuses_over_8_mib),
	};

	return cmocka_run_group_tests_name("html::parse", tests, NULL, NULL);
}
