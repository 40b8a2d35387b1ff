/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SAMLResponse XML parser: structure only, no
 * base64, no trust anchor, no clock, no network.  Seeds live in
 * corpora/saml_response/ (copies of tests/fixtures/saml/).
 */
#include <stddef.h>
#include <stdint.h>

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
	return 0;
}
