/* SPDX-License-Identifier: MIT */
/*
 * Verify mode (lib/saml_verify.c) against the signed attack corpus in
 * tests/fixtures/saml/signed/ (made by gen.py there with xmlsec1 and
 * throwaway keys, at 2026-01-02T03:04:05Z): the valid responses verify
 * and read the signed values; every attack is refused with its reason.
 * Without verify mode the same inputs parse or fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <saml2sts/buf.h>
#include <saml2sts/base64.h>
#include <saml2sts/saml.h>

#define NOW      ((time_t)1767323045) /* gen.py --now */
#define ACS      "https://signin.aliyun.com/saml-role/sso"
#define AUDIENCE "urn:alibaba:cloudcomputing"
#define GOOD     "acs:ram::1234567890123456:role/readonly"

struct vcase {
	const char *name;
	const char *expect; /* NULL: verifies; else part of the message */
};

/* Keep in step with CASES in gen.py. */
static const struct vcase cases[] = {
	{ "valid-assertion-signed", NULL },
	{ "valid-response-signed", NULL },
	{ "valid-both-signed", NULL },
	{ "xsw1", "Assertion out of place" },
	{ "xsw2", "Assertion out of place" },
	{ "xsw3", "more than one Assertion" },
	{ "xsw4", "more than one Assertion" },
	{ "xsw5", "more than one Assertion" },
	{ "xsw6", "more than one Assertion" },
	{ "xsw7", "Assertion out of place" },
	{ "xsw8", "more than one Assertion" },
	{ "xsw-response-id", "does not reference exactly that Response" },
	{ "xsw-assertion-id", "does not reference exactly that Assertion" },
	{ "comment-injection", "comment" },
	{ "xxe-internal", "DOCTYPE" },
	{ "xxe-external", "DOCTYPE" },
	{ "billion-laughs", "DOCTYPE" },
	{ "duplicate-ids", "duplicate ID" },
	{ "signature-other-element",
	  "does not reference exactly that Assertion" },
	{ "unsigned-assertion-in-signed-response", "not valid for the pinned" },
	{ "tampered-role", "not valid for the pinned" },
	{ "unsigned", "neither the Response nor the Assertion is signed" },
	{ "expired", "has expired" },
	{ "not-yet-valid", "not valid yet" },
	{ "wrong-audience", "not for audience" },
	{ "wrong-recipient", "recipient is not" },
	{ "other-cert", "not valid for the pinned" },
	{ "hmac", "not valid for the pinned" },
	{ "rsa-sha1", "not valid for the pinned" },
};

static char *load(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	long n;
	char *s;

	snprintf(path, sizeof(path), "%s/saml/signed/%s", S2S_FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal((size_t)n, fread(s, 1, (size_t)n, f));
	s[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

static char *load_case(const char *name, size_t *len)
{
	char file[128];

	snprintf(file, sizeof(file), "%s.xml", name);
	return load(file, len);
}

static void trust_init(struct s2s_saml_trust *t, const char *pem)
{
	memset(t, 0, sizeof(*t));
	t->certs_pem = pem;
	t->audience = AUDIENCE;
	t->recipient = ACS;
	t->clock_skew = S2S_SAML_DEFAULT_SKEW;
	t->now = NOW;
}

static s2s_err verify_case(const char *name, const struct s2s_saml_trust *t,
                           struct s2s_saml **out, struct s2s_error *err)
{
	size_t len;
	char *xml = load_case(name, &len);
	s2s_err rc = s2s_saml_verify_xml(out, xml, len, t, err);

	free(xml);
	return rc;
}

static void test_saml_verify__corpus(void **state)
{
	char *pem = load("idp.pem", NULL);
	struct s2s_saml_trust t;
	int bad = 0;

	(void)state;
	trust_init(&t, pem);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_saml *saml = NULL;
		s2s_err rc = verify_case(cases[i].name, &t, &saml, &err);

		if (!cases[i].expect) {
			if (rc)
				fail_msg("%s: %s", cases[i].name, err.msg);
			assert_int_equal(1, saml->nroles);
			assert_string_equal(GOOD, saml->roles[0].role_arn);
			assert_string_equal("alice", saml->session_name);
			s2s_saml_free(saml);
			continue;
		}
		if (rc == S2S_OK) {
			print_error("%s: accepted\n", cases[i].name);
			s2s_saml_free(saml);
			bad++;
			continue;
		}
		assert_null(saml);
		assert_true(rc == S2S_ESIG || rc == S2S_ESAML ||
		            rc == S2S_EEXPIRED);
		if (!strstr(err.msg, cases[i].expect)) {
			print_error("%s: expected '%s' in '%s'\n",
			            cases[i].name, cases[i].expect, err.msg);
			bad++;
		}
		assert_null(strpbrk(err.msg, "\r\n"));
		assert_null(strstr(err.msg, "root:"));
	}
	free(pem);
	assert_int_equal(0, bad);
}

/* The times are checked with the skew, on both sides. */
static void test_saml_verify__clock_skew(void **state)
{
	char *pem = load("idp.pem", NULL);
	struct s2s_saml_trust t;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;

	(void)state;
	trust_init(&t, pem);
	/* NotOnOrAfter is NOW+300: 400 s later is fine with 180 s skew... */
	t.now = NOW + 300 + 100;
	t.clock_skew = 180;
	assert_int_equal(
	        S2S_OK, verify_case("valid-assertion-signed", &t, &saml, &err));
	s2s_saml_free(saml);
	saml = NULL;
	/* ...but not with 60 s. */
	t.clock_skew = 60;
	assert_int_equal(S2S_EEXPIRED, verify_case("valid-assertion-signed", &t,
	                                           &saml, &err));
	assert_null(saml);
	/* NotBefore is NOW-30. */
	err = (struct s2s_error)S2S_ERROR_INIT;
	t.now = NOW - 30 - 100;
	t.clock_skew = 60;
	assert_int_equal(S2S_EEXPIRED, verify_case("valid-assertion-signed", &t,
	                                           &saml, &err));
	assert_non_null(strstr(err.msg, "not valid yet"));
	free(pem);
}

/* Pinning: the valid response with another certificate pinned fails;
 * with both pinned (rollover) it verifies. */
static void test_saml_verify__pinning(void **state)
{
	char *idp = load("idp.pem", NULL);
	char *other = load("other.pem", NULL);
	size_t both_size = strlen(idp) + strlen(other) + 1;
	char *both = malloc(both_size);
	struct s2s_saml_trust t;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;

	(void)state;
	assert_non_null(both);
	trust_init(&t, other);
	assert_int_equal(S2S_ESIG,
	                 verify_case("valid-both-signed", &t, &saml, &err));
	snprintf(both, both_size, "%s%s", other, idp);
	trust_init(&t, both);
	assert_int_equal(
	        S2S_OK, verify_case("valid-assertion-signed", &t, &saml, &err));
	s2s_saml_free(saml);
	saml = NULL;
	/* The other-cert response carries its own certificate in KeyInfo:
	 * that must not matter. */
	trust_init(&t, idp);
	assert_int_equal(S2S_ESIG, verify_case("other-cert", &t, &saml, &err));
	trust_init(&t, "not a certificate");
	assert_int_equal(S2S_ECONFIG, verify_case("valid-assertion-signed", &t,
	                                          &saml, &err));
	free(both);
	free(other);
	free(idp);
}

/* Pinned keys are parsed once per PEM text and reused: more distinct
 * texts than the cache holds (the same certificate after 0..11 blank
 * lines) all verify, twice each, and a bad text stays an error. */
static void test_saml_verify__pinned_keys_cached(void **state)
{
	char *idp = load("idp.pem", NULL);
	size_t len = strlen(idp) + 16;
	char *pem = malloc(len);
	struct s2s_saml_trust t;

	(void)state;
	assert_non_null(pem);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 12; i++) {
			struct s2s_error err = S2S_ERROR_INIT;
			struct s2s_saml *saml = NULL;

			snprintf(pem, len, "%.*s%s", i,
			         "\n\n\n\n\n\n\n\n\n\n\n\n", idp);
			trust_init(&t, pem);
			assert_int_equal(S2S_OK,
			                 verify_case("valid-both-signed", &t,
			                             &saml, &err));
			s2s_saml_free(saml);
		}
		{
			struct s2s_error err = S2S_ERROR_INIT;
			struct s2s_saml *saml = NULL;

			trust_init(&t, "-----BEGIN CERTIFICATE-----\nAAAA\n"
			               "-----END CERTIFICATE-----\n");
			assert_int_equal(S2S_ECONFIG,
			                 verify_case("valid-both-signed", &t,
			                             &saml, &err));
			assert_non_null(strstr(err.msg, "cannot be read"));
		}
	}
	free(pem);
	free(idp);
}

/* The base64 entry point is the one the CLI uses. */
static void test_saml_verify__base64(void **state)
{
	char *pem = load("idp.pem", NULL);
	size_t len;
	char *xml = load_case("valid-response-signed", &len);
	struct s2s_buf b64 = S2S_BUF_SECRET_INIT;
	struct s2s_saml_trust t;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;

	(void)state;
	trust_init(&t, pem);
	assert_int_equal(S2S_OK, s2s_base64_encode(&b64, xml, len, &err));
	assert_int_equal(S2S_OK,
	                 s2s_saml_verify(&saml, b64.ptr, b64.len, &t, &err));
	assert_string_equal(GOOD, saml->roles[0].role_arn);
	s2s_saml_free(saml);
	s2s_buf_release(&b64);
	free(xml);
	free(pem);
}

/* Without verify mode the same inputs never crash, never expand an
 * entity and never read a file; XSW structures are refused. */
static void test_saml_verify__corpus_without_verify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct s2s_error err = S2S_ERROR_INIT;
		struct s2s_saml *saml = NULL;
		size_t len;
		char *xml = load_case(cases[i].name, &len);
		s2s_err rc = s2s_saml_parse_xml(&saml, xml, len, &err);

		if (strncmp(cases[i].name, "xsw", 3) == 0 &&
		    !strstr(cases[i].name, "-id"))
			assert_int_equal(S2S_ESAML, rc);
		if (strstr(cases[i].name, "xxe") ||
		    strstr(cases[i].name, "laughs")) {
			assert_int_equal(S2S_ESAML, rc);
			assert_non_null(strstr(err.msg, "DOCTYPE"));
		}
		if (rc == S2S_OK) {
			for (size_t r = 0; r < saml->nroles; r++)
				assert_null(
				        strstr(saml->roles[r].role_arn, "lol"));
			if (strcmp(cases[i].name, "comment-injection") == 0)
				/* read in full, not truncated at the comment */
				assert_string_equal(GOOD "x",
				                    saml->roles[0].role_arn);
		}
		s2s_saml_free(saml);
		free(xml);
	}
}

static void test_saml_verify__metadata(void **state)
{
	static const char head[] =
	        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
	        "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
	        "entityID=\"https://idp.example.test/\"><md:IDPSSODescriptor>"
	        "<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo><ds:X509Data>"
	        "<ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data>"
	        "</ds:KeyInfo></md:KeyDescriptor><md:KeyDescriptor use=\""
	        "signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>";
	static const char tail[] =
	        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
	        "</md:KeyDescriptor></md:IDPSSODescriptor>"
	        "</md:EntityDescriptor>";
	char *pem = load("idp.pem", NULL);
	char *b = strstr(pem, "-----\n") + 6;
	char *e = strstr(pem, "-----END");
	struct s2s_buf md = S2S_BUF_INIT, certs = S2S_BUF_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml_trust t;
	struct s2s_saml *saml = NULL;
	char *entity = NULL;
	char fp1[128], fp2[128];

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_add(&md, head, strlen(head)));
	assert_int_equal(S2S_OK, s2s_buf_add(&md, b, (size_t)(e - b)));
	assert_int_equal(S2S_OK, s2s_buf_add(&md, tail, strlen(tail)));
	assert_int_equal(S2S_OK, s2s_saml_metadata_certs(&certs, &entity,
	                                                 md.ptr, md.len, &err));
	assert_string_equal("https://idp.example.test/", entity);
	/* Only the signing certificate; the same key as the PEM file. */
	assert_int_equal(S2S_OK, s2s_saml_cert_fingerprint(fp1, sizeof(fp1),
	                                                   certs.ptr, &err));
	assert_int_equal(
	        S2S_OK, s2s_saml_cert_fingerprint(fp2, sizeof(fp2), pem, &err));
	assert_string_equal(fp1, fp2);
	assert_int_equal(95, strlen(fp1));
	trust_init(&t, certs.ptr);
	assert_int_equal(
	        S2S_OK, verify_case("valid-assertion-signed", &t, &saml, &err));
	s2s_saml_free(saml);
	saml = NULL;
	/* A metadata DOCTYPE is refused like a response's. */
	s2s_buf_release(&certs);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_saml_metadata_certs(&certs, NULL,
	                                         "<!DOCTYPE x><x/>", 16, &err));
	free(entity);
	s2s_buf_release(&md);
	s2s_buf_release(&certs);
	free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saml_verify__corpus),
		cmocka_unit_test(test_saml_verify__clock_skew),
		cmocka_unit_test(test_saml_verify__pinning),
		cmocka_unit_test(test_saml_verify__pinned_keys_cached),
		cmocka_unit_test(test_saml_verify__base64),
		cmocka_unit_test(test_saml_verify__corpus_without_verify),
		cmocka_unit_test(test_saml_verify__metadata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
