/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: verify mode with each signature verifier, the
 * direct one (lib/dsig.c with the direct c14n of lib/c14n.c), the
 * direct one with libxml2's c14n, and xmlsec1; any difference in the
 * result code, the message or the roles read is a crash.  Pinned: the
 * certificate of tests/fixtures/saml/signed/idp.pem and the RSA and EC
 * certificates of tests/fuzz/saml_verify_diff/; the clock of both
 * corpora.  Seeds: tests/fuzz/saml_verify_diff/gen.py's signature
 * shapes and the verify corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <saml2sts/saml.h>

#include "saml_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pinned_pem[] =
        /* tests/fixtures/saml/signed/idp.pem */
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
        "-----END CERTIFICATE-----\n"
        /* tests/fuzz/saml_verify_diff/rsa.pem */
        "-----BEGIN CERTIFICATE-----\n"
        "MIIDFzCCAf+gAwIBAgIUerFLUM0SemZDqoB90uvS3LgfhAowDQYJKoZIhvcNAQEL\n"
        "BQAwGzEZMBcGA1UEAwwQcnNhLmV4YW1wbGUudGVzdDAeFw0yNjEyMDYwMTEyNDBa\n"
        "Fw0zNjEyMDMwMTEyNDBaMBsxGTAXBgNVBAMMEHJzYS5leGFtcGxlLnRlc3QwggEi\n"
        "MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCfGpqOey1lLqRe6Q8rGDNneGBG\n"
        "r5i6ZconE1Fud7sHo5Ydx0oNYUd2tvPjIZMjI2YFdEZwfrpDCZ1p1bxEm5L+8SNp\n"
        "l9RYukY0xNjwjkCorKLxEgk1hCbq9BR3pNEVHKIyCK6Vn8SYUp+oO4lWRfBBh1qG\n"
        "85BSkJas6tLBkly2GKGurGn4n6ifYxcza00xvPY2ApCnXukX7sNRvDnos/2zV0zp\n"
        "y7XIXXxi6woP72fQK9rnG4gzRTY4CjLF6oCbC9b9RvczKbrgf9Ls0htVnIIp9HIN\n"
        "Rme6UNqlO0zGXoEyZPA/H1ERC8uOpp8SHyDZ1zTGxxU4HxY+TJbclgJ9jUmbAgMB\n"
        "AAGjUzBRMB0GA1UdDgQWBBTAH+KhcuI8RTVT3KLDmjU5HBssKDAfBgNVHSMEGDAW\n"
        "gBTAH+KhcuI8RTVT3KLDmjU5HBssKDAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\n"
        "DQEBCwUAA4IBAQCR2NPGIu1TXOFCQBLl3R8Cy33pMEp/RrLx9rwzdsVeT7lVN/f+\n"
        "+YI3mlreOeXWViaGfxkWrnUQl+iyW2cEtMloCbCuhBrMK4pvOxpTDK9ormq9+mzo\n"
        "kBUvZJpwWJoM9HpdOyGCBbTCloN1aq+TjEYWJ9nw/z7XA7QXFL+76zoMj0v3NXXr\n"
        "I4gHMQQeAk+ItgFDQohNmj3at4XZ9Q5Rq78lcJS6hTr9DXWuZ8Q908tt9PFJnSqS\n"
        "4Id6FsmnemaqzJu3P86ClcBJroq05/xZioJermTRxoBAzrJDZHIQ9cnA9Ar6ZrZi\n"
        "zIKuL6sIZFltsiOakYt8GoeTcomlDraYA7Ja\n"
        "-----END CERTIFICATE-----\n"
        /* tests/fuzz/saml_verify_diff/ec.pem */
        "-----BEGIN CERTIFICATE-----\n"
        "MIIBijCCAS+gAwIBAgIUd2gL/KDqRjd1z4ROeL3hdcde9UswCgYIKoZIzj0EAwIw\n"
        "GjEYMBYGA1UEAwwPZWMuZXhhbXBsZS50ZXN0MB4XDTI2MTIwNjAxMTI0MVoXDTM2\n"
        "MTIwMzAxMTI0MVowGjEYMBYGA1UEAwwPZWMuZXhhbXBsZS50ZXN0MFkwEwYHKoZI\n"
        "zj0CAQYIKoZIzj0DAQcDQgAEoAjtYR/DwIUWi9SHCt6b4zxdDGIgvP9UbESK4wg+\n"
        "dwMj1rXcAo6MGWiqs73mnfbnylwdkaqIqA64UyaAjv0it6NTMFEwHQYDVR0OBBYE\n"
        "FDawqS7YOCL0HNKUICFZRYkKfxbwMB8GA1UdIwQYMBaAFDawqS7YOCL0HNKUICFZ\n"
        "RYkKfxbwMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAMp/rURC\n"
        "TU55K83z9N6+k6m6exEjeSc1j79+95w5y/bYAiEAie8XW0JqH2GCZwwZXa3naUg3\n"
        "PlIIVnS9Tr9tlsLOnCo=\n"
        "-----END CERTIFICATE-----\n";

struct outcome {
	s2s_err rc;
	struct s2s_error err;
	struct s2s_saml *saml;
};

static void run(struct outcome *o, const uint8_t *data, size_t size,
                enum s2s__sig_engine engine)
{
	struct s2s_saml_trust trust = {
		.certs_pem = pinned_pem,
		.audience = "urn:alibaba:cloudcomputing",
		.recipient = "https://signin.aliyun.com/saml-role/sso",
		.clock_skew = S2S_SAML_DEFAULT_SKEW,
		.now = 1767323045,
	};

	o->err = (struct s2s_error)S2S_ERROR_INIT;
	o->saml = NULL;
	o->rc = s2s__saml_verify_engine(&o->saml, (const char *)data, size,
	                                false, &trust, engine, &o->err);
	if ((o->rc == S2S_OK) != (o->saml != NULL) || (o->rc && !o->err.msg[0]))
		__builtin_trap();
}

static void same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || strcmp(a->err.msg, b->err.msg) != 0)
		__builtin_trap();
	if (a->rc)
		return;
	if (a->saml->nroles != b->saml->nroles)
		__builtin_trap();
	for (size_t i = 0; i < a->saml->nroles; i++) {
		if (strcmp(a->saml->roles[i].role_arn,
		           b->saml->roles[i].role_arn) != 0)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome ref, direct, libxml2;

	s2s__saml_use_xmlsec(); /* the reference verifier */
	run(&ref, data, size, S2S__SIG_XMLSEC);
	run(&direct, data, size, S2S__SIG_DIRECT);
	run(&libxml2, data, size, S2S__SIG_DIRECT_LIBXML2);
	same(&ref, &direct);
	same(&ref, &libxml2);
	s2s_saml_free(ref.saml);
	s2s_saml_free(direct.saml);
	s2s_saml_free(libxml2.saml);
	return 0;
}
