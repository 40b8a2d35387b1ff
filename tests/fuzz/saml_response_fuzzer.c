/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SAMLResponse decoder and XML parser: the
 * input as XML, as base64 of that XML (decoder + parser, the path of a
 * posted form field) and as raw base64 text.  No trust anchor, no
 * clock, no network.  Seeds live in corpora/saml_response/ (copies of
 * tests/fixtures/saml/).
 */
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/buf.h>
#include <saml2sts/base64.h>
#include <saml2sts/saml.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;
	s2s_err rc;

	rc = s2s_saml_parse_xml(&saml, (const char *)data, size, &err);
	/* The contract: a result exactly on success, a message otherwise. */
	if ((rc == S2S_OK) != (saml != NULL) || (rc && !err.msg[0]))
		__builtin_trap();
	s2s_saml_free(saml);
	saml = NULL;

	/* The same document through the form-field path: base64 first. */
	{
		struct s2s_buf b64 = S2S_BUF_SECRET_INIT;
		struct s2s_buf raw = S2S_BUF_SECRET_INIT;
		struct s2s_error e2 = S2S_ERROR_INIT;
		struct s2s_error e3 = S2S_ERROR_INIT;

		if (s2s_base64_encode(&b64, data, size, NULL) == S2S_OK) {
			rc = s2s_saml_parse(&saml, b64.ptr, b64.len, &e2);
			if ((rc == S2S_OK) != (saml != NULL) ||
			    (rc && !e2.msg[0]))
				__builtin_trap();
			s2s_saml_free(saml);
		}
		(void)s2s_base64_decode(&raw, (const char *)data, size, &e3);
		s2s_buf_release(&b64);
		s2s_buf_release(&raw);
	}
	return 0;
}
