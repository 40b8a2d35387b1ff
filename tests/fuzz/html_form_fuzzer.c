/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: IdP HTML form extraction (lib/html.c) and the
 * form-urlencoding of what it finds (lib/url.c).  No network, no HTTP.
 */
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/buf.h>
#include <saml2sts/html.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode_all(struct s2s_html_page *page)
{
	for (size_t i = 0; i < page->nforms; i++) {
		struct s2s_buf body = S2S_BUF_SECRET_INIT;
		struct s2s_form *form = &page->forms[i];

		(void)s2s_form_encode(form, &body, NULL);
		s2s_buf_release(&body);
		(void)s2s_form_set(form, "username", "fuzz", NULL);
		(void)s2s_form_set(form, "password", "p+/=& \xc3\xa9", NULL);
		(void)s2s_form_encode(form, &body, NULL);
		s2s_buf_release(&body);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_html_page *page = NULL;

	if (s2s_html_parse(&page, "https://idp.example.com/a/login.php?x=1#f",
	                   (const char *)data, size, &err) == S2S_OK) {
		(void)s2s_html_form_with_field(page, "SAMLResponse");
		(void)s2s_html_form_with_type(page, "password");
		encode_all(page);
	}
	s2s_html_page_free(page);
	return 0;
}
