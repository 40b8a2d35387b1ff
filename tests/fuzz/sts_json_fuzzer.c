/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the JSON answers the tool reads from the network or
 * the store: the STS AssumeRoleWithSAML answer (lib/sts.c) with a few
 * HTTP statuses, and the stored credentials JSON (lib/creds.c).
 * No network.
 */
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/buf.h>
#include <saml2sts/creds.h>
#include <saml2sts/sts.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(s2s_err rc, struct s2s_creds *creds,
                  const struct s2s_error *err)
{
	/* The contract: a result exactly on success, a message otherwise. */
	if ((rc == S2S_OK) != (creds != NULL) || (rc && !err->msg[0]))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 500 };
	const char *text = (const char *)data;

	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_creds *creds = NULL;
		s2s_err rc;

		rc = s2s_sts_parse_response(&creds, statuses[i], text, size,
		                            &err);
		check(rc, creds, &err);
		if (creds) {
			struct s2s_buf out = S2S_BUF_SECRET_INIT;

			(void)s2s_creds_to_json(creds, &out, NULL);
			s2s_buf_release(&out);
			(void)s2s_creds_external_json(creds, &out, NULL);
			s2s_buf_release(&out);
		}
		s2s_creds_free(creds);
	}
	{
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_creds *creds = NULL;
		s2s_err rc;

		rc = s2s_creds_from_json(&creds, text, size, &err);
		check(rc, creds, &err);
		s2s_creds_free(creds);
	}
	return 0;
}
