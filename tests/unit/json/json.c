/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/json.c: reading a member by its dotted path (what
 * every JSON-speaking adapter uses) and the member writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <saml2sts/json.h>

static const char doc[] =
        "{\"status\":\"MFA_REQUIRED\",\"n\":42,\"f\":1.5,\"z\":null,"
        "\"_embedded\":{\"factor\":{\"id\":\"opf1\",\"profile\":{\"x\":"
        "\"y\"}},\"list\":[1,2]},\"a.b\":\"dotted\",\"Case\":\"c\"}";

static void test_paths(void **state)
{
	struct json_object *o = s2s_json_parse(doc, strlen(doc));

	(void)state;
	assert_non_null(o);
	assert_string_equal(s2s_json_str_at(o, "status"), "MFA_REQUIRED");
	assert_string_equal(s2s_json_str_at(o, "_embedded.factor.id"), "opf1");
	assert_string_equal(s2s_json_str_at(o, "_embedded.factor.profile.x"),
	                    "y");
	assert_non_null(s2s_json_at(o, "_embedded.list"));
	/* an empty path is the object itself */
	assert_ptr_equal(s2s_json_at(o, ""), o);
	/* absent steps, steps through a non-object, case matters */
	assert_null(s2s_json_at(o, "_embedded.nope.id"));
	assert_null(s2s_json_at(o, "status.x"));
	assert_null(s2s_json_at(o, "_embedded.list.0"));
	assert_null(s2s_json_str_at(o, "case"));
	assert_string_equal(s2s_json_str_at(o, "Case"), "c");
	/* a name with a dot cannot be reached: '.' always separates */
	assert_null(s2s_json_str_at(o, "a.b"));
	/* types: only strings, or strings and integers */
	assert_null(s2s_json_str_at(o, "n"));
	assert_string_equal(s2s_json_text_at(o, "n"), "42");
	assert_null(s2s_json_text_at(o, "f"));
	assert_null(s2s_json_text_at(o, "z"));
	assert_null(s2s_json_str_at(o, "_embedded.factor"));
	/* NULL object, over-long names */
	assert_null(s2s_json_at(NULL, "status"));
	assert_null(s2s_json_str_at(NULL, "status"));
	{
		char name[200];

		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		assert_null(s2s_json_at(o, name));
	}
	s2s_json_put_wiped(o);
}

static void test_member_writer(void **state)
{
	struct s2s_buf b = S2S_BUF_INIT;

	(void)state;
	assert_int_equal(s2s_json_member(&b, true, "a", "x\"y"), S2S_OK);
	assert_int_equal(s2s_json_member(&b, false, "b", "\n"), S2S_OK);
	assert_string_equal(b.ptr, "\"a\":\"x\\\"y\",\"b\":\"\\u000a\"");
	s2s_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_member_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
