/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SOAP answer of a SAML ECP login (lib/ecp.c):
 * envelope, status, ecp:Response header and the copy of the
 * samlp:Response.  No network, no HTTP.
 */
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/buf.h>
#include <saml2sts/ecp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_buf b64 = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	(void)s2s_ecp_response(&b64, (const char *)data, size,
	                       "https://signin.aliyun.com/saml-role/sso", &err);
	s2s_buf_release(&b64);
	return 0;
}
