/* SPDX-License-Identifier: MIT */
/*
 * The direct verifier (lib/dsig.c with lib/c14n.c) against xmlsec1: every
 * case of the SAML attack corpus (tests/fixtures/saml/ and its signed/
 * directory) and every input of the verify fuzz corpora
 * (tests/fuzz/corpora/saml_verify and saml_verify_diff) goes through
 * verify mode three times, with the direct c14n, with libxml2's c14n
 * and with xmlsec1, under two sets of pinned keys; all three must give
 * the same code, the same message and, when they accept, the same
 * roles.  The corpora must hold enough accepted signatures for this to
 * mean something.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <saml2sts/saml.h>

#include "saml_int.h"

#define NOW      ((time_t)1767323045) /* gen.py --now, both corpora */
#define ACS      "https://signin.aliyun.com/saml-role/sso"
#define AUDIENCE "urn:alibaba:cloudcomputing"
#define FUZZ     S2S_FIXTURES "/../fuzz"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
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

struct outcome {
	s2s_err rc;
	struct s2s_error err;
	struct s2s_saml *saml;
};

static void run(struct outcome *o, const char *xml, size_t len,
                const struct s2s_saml_trust *t, enum s2s__sig_engine e)
{
	o->err = (struct s2s_error)S2S_ERROR_INIT;
	o->saml = NULL;
	o->rc = s2s__saml_verify_engine(&o->saml, xml, len, false, t, e,
	                                &o->err);
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || strcmp(a->err.msg, b->err.msg) != 0)
		return false;
	if (a->rc)
		return true;
	if (a->saml->nroles != b->saml->nroles)
		return false;
	for (size_t i = 0; i < a->saml->nroles; i++) {
		if (strcmp(a->saml->roles[i].role_arn,
		           b->saml->roles[i].role_arn) != 0)
			return false;
	}
	return true;
}

struct tally {
	unsigned inputs, accepted, bad;
};

static void check_input(const char *name, const char *xml, size_t len,
                        const struct s2s_saml_trust *t, struct tally *tl)
{
	struct outcome ref, direct, libxml2;

	run(&ref, xml, len, t, S2S__SIG_XMLSEC);
	run(&direct, xml, len, t, S2S__SIG_DIRECT);
	run(&libxml2, xml, len, t, S2S__SIG_DIRECT_LIBXML2);
	tl->inputs++;
	tl->accepted += ref.rc == S2S_OK;
	if (!same(&ref, &direct) || !same(&ref, &libxml2)) {
		print_error("%s: xmlsec1 %d '%s'; direct %d '%s'; "
		            "direct+libxml2 c14n %d '%s'\n",
		            name, ref.rc, ref.err.msg, direct.rc,
		            direct.err.msg, libxml2.rc, libxml2.err.msg);
		tl->bad++;
	}
	s2s_saml_free(ref.saml);
	s2s_saml_free(direct.saml);
	s2s_saml_free(libxml2.saml);
}

static void check_dir(const char *dir, const struct s2s_saml_trust *t,
                      struct tally *tl)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		fail_msg("cannot open %s", dir);
	for (int i = 0; i < n; i++) {
		char path[1024];
		size_t len;
		char *xml;

		if (names[i]->d_name[0] != '.' &&
		    strstr(names[i]->d_name, ".xml")) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			         names[i]->d_name);
			xml = slurp(path, &len);
			check_input(path, xml, len, t, tl);
			free(xml);
		}
		free(names[i]);
	}
	free(names);
}

static const char *const dirs[] = {
	S2S_FIXTURES "/saml/signed",
	S2S_FIXTURES "/saml",
	FUZZ "/corpora/saml_verify",
	FUZZ "/corpora/saml_verify_diff",
};

static void trust_init(struct s2s_saml_trust *t, const char *pem)
{
	memset(t, 0, sizeof(*t));
	t->certs_pem = pem;
	t->audience = AUDIENCE;
	t->recipient = ACS;
	t->clock_skew = S2S_SAML_DEFAULT_SKEW;
	t->now = NOW;
}

/* The key of the attack corpus only: what saml_verify_fuzzer pins. */
static void test_saml_differential__one_key(void **state)
{
	char *pem = slurp(S2S_FIXTURES "/saml/signed/idp.pem", NULL);
	struct s2s_saml_trust t;
	struct tally tl = { 0, 0, 0 };

	(void)state;
	trust_init(&t, pem);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		check_dir(dirs[i], &t, &tl);
	print_message("%u inputs, %u accepted by all, %u disagreements\n",
	              tl.inputs, tl.accepted, tl.bad);
	assert_int_equal(0, tl.bad);
	assert_true(tl.inputs >= 100);
	assert_true(tl.accepted >= 6);
	free(pem);
}

/* Three keys (RSA, RSA, EC P-256), tried in turn, as in a rollover:
 * what saml_verify_diff_fuzzer pins. */
static void test_saml_differential__three_keys(void **state)
{
	static const char *const files[] = {
		S2S_FIXTURES "/saml/signed/idp.pem",
		FUZZ "/saml_verify_diff/rsa.pem",
		FUZZ "/saml_verify_diff/ec.pem",
	};
	char pem[16384] = "";
	struct s2s_saml_trust t;
	struct tally tl = { 0, 0, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = slurp(files[i], NULL);

		assert_true(strlen(pem) + strlen(p) < sizeof(pem));
		strncat(pem, p, sizeof(pem) - strlen(pem) - 1);
		free(p);
	}
	trust_init(&t, pem);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		check_dir(dirs[i], &t, &tl);
	print_message("%u inputs, %u accepted by all, %u disagreements\n",
	              tl.inputs, tl.accepted, tl.bad);
	assert_int_equal(0, tl.bad);
	assert_true(tl.accepted >= 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saml_differential__one_key),
		cmocka_unit_test(test_saml_differential__three_keys),
	};

	s2s__saml_use_xmlsec(); /* the reference verifier */
	return cmocka_run_group_tests_name("saml::differential", tests, NULL,
	                                   NULL);
}
