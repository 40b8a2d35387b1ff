/* SPDX-License-Identifier: MIT */
/*
 * The in-process side of bench/verify_bench.py: a worker that times
 * saml2sts's parse + verify of a base64 SAMLResponse (s2s_saml_verify,
 * the CLI's call), the same with libxml2's c14n or with xmlsec1 as the
 * signature verifier (lib/saml_int.h), and the OpenSSL floor: SHA-256
 * over the decoded bytes plus one RSA-2048 verify (EVP_DigestVerify).
 * Commands on stdin, one answer line each on stdout:
 *
 *   load NAME FILE      read a signed Response (XML), keep its base64
 *   check WHAT NAME     one run: "ok ROLES" or "fail MESSAGE"
 *   run WHAT NAME N     N runs: "SECONDS" (monotonic clock)
 *
 * WHAT is direct, libxml2, xmlsec or floor.  Base64 longer than the STS
 * limit (100000 characters) is decoded with s2s_base64_decode and
 * verified as XML: the same work without the length check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <saml2sts/base64.h>
#include <saml2sts/saml.h>

#include "saml_int.h"

#define MAX_DOCS 16

struct doc {
	char name[32];
	char *xml;
	size_t xml_len;
	struct s2s_buf b64;
	unsigned char sig[512]; /* the floor's RSA signature over xml */
	size_t sig_len;
};

static struct doc docs[MAX_DOCS];
static size_t ndocs;
static EVP_PKEY *floor_key;
static struct s2s_saml_trust trust;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
		rewind(f);
		s = malloc((size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		}
		if (s) {
			s[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return s;
}

static struct doc *find(const char *name)
{
	for (size_t i = 0; i < ndocs; i++) {
		if (strcmp(docs[i].name, name) == 0)
			return &docs[i];
	}
	return NULL;
}

static int floor_sign(struct doc *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t len = sizeof(d->sig);
	int ok = ctx &&
	         EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, floor_key) ==
	                 1 &&
	         EVP_DigestSign(ctx, d->sig, &len, (unsigned char *)d->xml,
	                        d->xml_len) == 1;

	EVP_MD_CTX_free(ctx);
	d->sig_len = len;
	return ok ? 0 : -1;
}

static int load(const char *name, const char *path)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct doc *d;

	if (ndocs == MAX_DOCS || strlen(name) >= sizeof(d->name))
		return -1;
	d = &docs[ndocs];
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->xml = slurp(path, &d->xml_len);
	s2s_buf_init(&d->b64, false);
	if (!d->xml || s2s_base64_encode(&d->b64, d->xml, d->xml_len, &err) ||
	    floor_sign(d))
		return -1;
	ndocs++;
	return 0;
}

/* One parse + verify the way the CLI does it. */
static s2s_err verify_once(const struct doc *d, enum s2s__sig_engine e,
                           struct s2s_saml **out, struct s2s_error *err)
{
	struct s2s_buf xml = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (d->b64.len <= S2S_SAML_MAX_B64)
		return s2s__saml_verify_engine(out, d->b64.ptr, d->b64.len,
		                               true, &trust, e, err);
	xml.max = (size_t)256 * 1024;
	rc = s2s_base64_decode(&xml, d->b64.ptr, d->b64.len, err);
	if (!rc)
		rc = s2s__saml_verify_engine(out, xml.ptr, xml.len, false,
		                             &trust, e, err);
	s2s_buf_release(&xml);
	return rc;
}

/* SHA-256 over the document and one RSA-2048 verify. */
static int floor_once(const struct doc *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx &&
	         EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	                              floor_key) == 1 &&
	         EVP_DigestVerify(ctx, d->sig, d->sig_len,
	                          (unsigned char *)d->xml, d->xml_len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int engine_of(const char *what, enum s2s__sig_engine *e)
{
	if (strcmp(what, "direct") == 0)
		*e = S2S__SIG_DIRECT;
	else if (strcmp(what, "libxml2") == 0)
		*e = S2S__SIG_DIRECT_LIBXML2;
	else if (strcmp(what, "xmlsec") == 0)
		*e = S2S__SIG_XMLSEC;
	else
		return -1;
	return 0;
}

static void check(const char *what, const char *name)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml *saml = NULL;
	const struct doc *d = find(name);
	enum s2s__sig_engine e;

	if (!d) {
		printf("fail no document %s\n", name);
		return;
	}
	if (strcmp(what, "floor") == 0) {
		printf(floor_once(d) ? "fail floor\n" : "ok 0\n");
		return;
	}
	if (engine_of(what, &e) || verify_once(d, e, &saml, &err)) {
		printf("fail %s\n", err.msg[0] ? err.msg : "bad engine");
		return;
	}
	printf("ok %zu\n", saml->nroles);
	s2s_saml_free(saml);
}

static void run(const char *what, const char *name, long n)
{
	const struct doc *d = find(name);
	bool is_floor = strcmp(what, "floor") == 0;
	enum s2s__sig_engine e = S2S__SIG_DIRECT;
	double t0;
	int bad = 0;

	if (!d || n <= 0 || (!is_floor && engine_of(what, &e))) {
		printf("-1\n");
		return;
	}
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		if (is_floor) {
			bad |= floor_once(d);
		} else {
			struct s2s_error err = S2S_ERROR_INIT;
			struct s2s_saml *saml = NULL;

			bad |= verify_once(d, e, &saml, &err) != S2S_OK;
			s2s_saml_free(saml);
		}
	}
	printf("%.9f\n", bad ? -1.0 : now_s() - t0);
}

int main(int argc, char **argv)
{
	char line[4096];
	char *pem;
	size_t len;

	s2s__saml_use_xmlsec(); /* "xmlsec": the old verifier, compared */
	if (argc != 5) {
		fprintf(stderr, "usage: verify_bench PEM AUDIENCE RECIPIENT "
		                "ISSUER\n");
		return 2;
	}
	pem = slurp(argv[1], &len);
	floor_key = EVP_RSA_gen(2048);
	if (!pem || !floor_key) {
		fprintf(stderr, "verify_bench: cannot read %s\n", argv[1]);
		return 1;
	}
	trust.certs_pem = pem;
	trust.audience = argv[2];
	trust.recipient = argv[3];
	trust.issuer = argv[4];
	trust.clock_skew = S2S_SAML_DEFAULT_SKEW;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char cmd[16], a[64], b[1024];
		long n = 0;
		int k = sscanf(line, "%15s %63s %1023s %ld", cmd, a, b, &n);

		if (k >= 3 && strcmp(cmd, "load") == 0)
			printf(load(a, b) ? "fail\n" : "ok\n");
		else if (k >= 3 && strcmp(cmd, "check") == 0)
			check(a, b);
		else if (k == 4 && strcmp(cmd, "run") == 0)
			run(a, b, n);
		else
			printf("fail unknown command\n");
	}
	return 0;
}
