/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: verify mode (lib/saml_verify.c) on decoded XML, with
 * the certificate of tests/fixtures/saml/signed/idp.pem pinned and the
 * clock of that corpus (gen.py --now 1767323045).  Seeds: the signed
 * corpus, valid responses and attacks.  Nothing may crash or leak, and
 * a result comes exactly with success.
 */
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/saml.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char idp_pem[] =
        "-----BEGIN CERTIFICATE-----\n"
        "MIIDFzCCAf+gAwIBAgIUI0T7bQUxMk12MG4SVbfTXLDgRRUwDQYJKoZIhvcNAQEL\n"
        "BQAwGzEZMBcGA1UEAwwQaWRwLmV4YW1wbGUudGVzdDAeFw0yNjExMjkwMzM1MDBa\n"
        "Fw0zNjExMjYwMzM1MDBaMBsxGTAXBgNVBAMMEGlkcC5leGFtcGxlLnRlc3QwggEi\n"
        "MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCae2V5E7Oy1A6paPBSwUg4Rq/d\n"
        "Oie+dlsx+nSzAydojaM338FgNqeSa1IIb8lzgMSsdHTRtxvVYoailuAXGEYg2Kfd\n"
        "6+BcTMv60HFkSQEsQzTDYwcnLrFaUta94YopYCITXhPhNW0O7nTERJC4UVfz1ptU\n"
        "uWsev37Wvnt89eVCp8+ll+/NwNq5wD+Y5UsJ+dj7R2oelPFMHxHarBn4pPPrY3pz\n"
        "7YlPq1XNYz0GFXyjgRQyE/3W8IOfPZUf3eZ3xulWMwwxTHYNkF0mgFhYMy/Wa5Uq\n"
        "nye3y5DjKrpzMl7upwhzbcuwO0vMe4uPKcPgR+ckIeFagUBfOt+Nnb87fdKxAgMB\n"
        "AAGjUzBRMB0GA1UdDgQWBBRttjJJKxgq5M2c9jdigXG2QOmIMTAfBgNVHSMEGDAW\n"
        "gBRttjJJKxgq5M2c9jdigXG2QOmIMTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\n"
        "DQEBCwUAA4IBAQBb4/mkPox2Oc1vL433r2XzGxinno83bVBy1Ex+Y62xFxBgisgL\n"
        "CsTLkNDZl+xrRzUjVJlendztAeYwb/HVAgQH4ukclcLuHf9mXCHqNw7MTTMyFYqD\n"
        "tFz0ryPCOjJhqDWJcufnB0q3euecjbSYN0pgjp8Vm6lOfDDrnzvNH1hicwTo7Z5B\n"
        "Y5hOkC2Ko01YH6qazUANz/sgDsAmcYl4IWowKdRdN8AHvN9AT6F6v3PSebBThTeh\n"
        "L+gwnxMW7XRBDE7nHXMI4ejUdrHHGWmcb8tXlrJ+TtDMg+VaYFCGLKm1rmeLXryd\n"
        "hMuHDn/c+Anx8sDimJ8cBtbPlDEr5e1UVGBM\n"
        "-----END CERTIFICATE-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_saml_trust trust = {
		.certs_pem = idp_pem,
		.audience = "urn:alibaba:cloudcomputing",
		.recipient = "https://signin.aliyun.com/saml-role/sso",
		.clock_skew = S2S_SAML_DEFAULT_SKEW,
		.now = 1767323045,
	};
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;
	s2s_err rc;

	rc = s2s_saml_verify_xml(&saml, (const char *)data, size, &trust, &err);
	if ((rc == S2S_OK) != (saml != NULL) || (rc && !err.msg[0]))
		__builtin_trap();
	s2s_saml_free(saml);
	return 0;
}
