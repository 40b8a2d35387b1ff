/* SPDX-License-Identifier: MIT */
/*
 * The encrypted-file store's format across crypto libraries: files sealed
 * by OpenSSL (scrypt N=32768 r=8 p=1, AES-256-GCM, as saml2sts wrote
 * them before its file store moved to libgcrypt) are read, and what the
 * store writes now opens with OpenSSL.  A key cached in the kernel
 * keyring never stands in for a wrong passphrase.
 */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../tmptree.h"

#include <saml2sts/base64.h>
#include <saml2sts/store.h>

static char tmpdir[] = "/tmp/s2s-compat-XXXXXX";
static char dir[300];
static const char secret_json[] = "{\"AccessKeyId\":\"STS.compat\"}";

static s2s_err passphrase(void *payload, struct s2s_buf *out,
                          struct s2s_error *err)
{
	(void)err;
	s2s_buf_reset(out);
	return s2s_buf_puts(out, payload);
}

static struct s2s_store *open_store(const char *pass, long key_cache_s)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_opts o = { 0 };
	struct s2s_store *st = NULL;

	o.backend = "file";
	o.dir = dir;
	o.passphrase = passphrase;
	o.payload = (void *)(uintptr_t)pass;
	o.key_cache_s = key_cache_s;
	assert_int_equal(S2S_OK, s2s_store_open_opts(&st, &o, &err));
	return st;
}

/* "saml2sts-file-v1\0acme\0sts" */
static size_t aad(unsigned char *out)
{
	size_t n = 0;

	memcpy(out, "saml2sts-file-v1", 17);
	n += 17;
	memcpy(out + n, "acme", 5);
	n += 5;
	memcpy(out + n, "sts", 3);
	return n + 3;
}

static void scrypt(unsigned char key[32], const char *pass,
                   const unsigned char *salt)
{
	assert_int_equal(1, EVP_PBE_scrypt(pass, strlen(pass), salt, 16, 32768,
	                                   8, 1, 64u << 20, key, 32));
}

static char *b64(const unsigned char *p, size_t n)
{
	struct s2s_buf b = S2S_BUF_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	char *s;

	assert_int_equal(S2S_OK, s2s_base64_encode(&b, p, n, &err));
	s = strdup(b.ptr);
	s2s_buf_release(&b);
	return s;
}

static size_t unb64(unsigned char *out, size_t cap, json_object *obj,
                    const char *name)
{
	struct s2s_buf b = S2S_BUF_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	json_object *v = NULL;
	const char *s;
	size_t n;

	assert_true(json_object_object_get_ex(obj, name, &v));
	s = json_object_get_string(v);
	assert_int_equal(S2S_OK, s2s_base64_decode(&b, s, strlen(s), &err));
	assert_true(b.len <= cap);
	memcpy(out, b.ptr, b.len);
	n = b.len;
	s2s_buf_release(&b);
	return n;
}

/* dir/acme.sts.json as the OpenSSL store sealed it. */
static void seal_with_openssl(const char *pass)
{
	unsigned char salt[16], nonce[12], key[32], ad[64], ct[256];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	size_t len = strlen(secret_json), adlen = aad(ad);
	char *s64, *n64, *d64, path[400], text[1024];
	int n = 0, m = 0, fd;

	assert_int_equal(1, RAND_bytes(salt, 16));
	assert_int_equal(1, RAND_bytes(nonce, 12));
	scrypt(key, pass, salt);
	assert_int_equal(
	        1, EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce));
	assert_int_equal(1, EVP_EncryptUpdate(c, NULL, &n, ad, (int)adlen));
	assert_int_equal(1,
	                 EVP_EncryptUpdate(c, ct, &n,
	                                   (const unsigned char *)secret_json,
	                                   (int)len));
	assert_int_equal(1, EVP_EncryptFinal_ex(c, ct + n, &m));
	assert_int_equal(
	        1, EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + len));
	EVP_CIPHER_CTX_free(c);
	s64 = b64(salt, 16);
	n64 = b64(nonce, 12);
	d64 = b64(ct, len + 16);
	snprintf(text, sizeof(text),
	         "{\"v\":\"1\",\"profile\":\"acme\",\"kind\":\"sts\","
	         "\"kdf\":\"scrypt-32768-8-1\",\"salt\":\"%s\",\"nonce\":"
	         "\"%s\",\"data\":\"%s\"}\n",
	         s64, n64, d64);
	snprintf(path, sizeof(path), "%s/acme.sts.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
	free(s64);
	free(n64);
	free(d64);
}

static void test_store_compat__reads_what_openssl_sealed(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf out = S2S_BUF_SECRET_INIT;
	struct s2s_store *st;

	(void)state;
	seal_with_openssl("compat-pass");
	st = open_store("compat-pass", 0);
	assert_int_equal(S2S_OK,
	                 s2s_store_get_secret(&out, st, "acme", "sts", &err));
	assert_int_equal(strlen(secret_json), out.len);
	assert_memory_equal(secret_json, out.ptr, out.len);
	s2s_buf_release(&out);
	s2s_store_free(st);
}

static void test_store_compat__openssl_opens_what_it_seals(void **state)
{
	unsigned char salt[16], nonce[12], key[32], ad[64], ct[256], pt[256];
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf in = S2S_BUF_SECRET_INIT;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	struct s2s_store *st = open_store("compat-pass", 0);
	json_object *obj;
	char path[400];
	size_t len;
	int n = 0, m = 0;

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_puts(&in, secret_json));
	assert_int_equal(S2S_OK, s2s_store_put_secret(st, "acme", "sts", NULL,
	                                              &in, &err));
	snprintf(path, sizeof(path), "%s/acme.sts.json", dir);
	obj = json_object_from_file(path);
	assert_non_null(obj);
	assert_int_equal(16, unb64(salt, sizeof(salt), obj, "salt"));
	assert_int_equal(12, unb64(nonce, sizeof(nonce), obj, "nonce"));
	len = unb64(ct, sizeof(ct), obj, "data") - 16;
	scrypt(key, "compat-pass", salt);
	assert_int_equal(
	        1, EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce));
	assert_int_equal(1, EVP_DecryptUpdate(c, NULL, &n, ad, (int)aad(ad)));
	assert_int_equal(1, EVP_DecryptUpdate(c, pt, &n, ct, (int)len));
	assert_int_equal(
	        1, EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, ct + len));
	assert_int_equal(1, EVP_DecryptFinal_ex(c, pt + n, &m));
	assert_int_equal(strlen(secret_json), (size_t)(n + m));
	assert_memory_equal(secret_json, pt, strlen(secret_json));
	EVP_CIPHER_CTX_free(c);
	json_object_put(obj);
	s2s_buf_release(&in);
	s2s_store_free(st);
}

static void test_store_compat__cached_key_needs_the_passphrase(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf in = S2S_BUF_SECRET_INIT, out = S2S_BUF_SECRET_INIT;
	struct s2s_store *st = open_store("right-pass", 60);

	(void)state;
	assert_int_equal(S2S_OK, s2s_buf_puts(&in, secret_json));
	assert_int_equal(S2S_OK, s2s_store_put_secret(st, "acme", "sts", NULL,
	                                              &in, &err));
	s2s_store_free(st);
	/* the key is cached (where the kernel has keyrings): a wrong
	 * passphrase still fails, the right one reads */
	st = open_store("wrong-pass", 60);
	assert_int_equal(S2S_ESTORE,
	                 s2s_store_get_secret(&out, st, "acme", "sts", &err));
	assert_non_null(strstr(err.msg, "wrong passphrase"));
	s2s_store_free(st);
	s2s_error_clear(&err);
	st = open_store("right-pass", 60);
	assert_int_equal(S2S_OK,
	                 s2s_store_get_secret(&out, st, "acme", "sts", &err));
	assert_memory_equal(secret_json, out.ptr, out.len);
	s2s_store_forget(st);
	s2s_store_free(st);
	s2s_buf_release(&in);
	s2s_buf_release(&out);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dir, sizeof(dir), "%s/store", tmpdir);
	return mkdir(dir, 0700);
}

/* One passphrase per store: the third test starts from an empty one
 * (the store refuses to seal under a passphrase that does not open what
 * is already there). */
static int fresh_store(void **state)
{
	(void)state;
	if (tmptree_remove(dir) != 0)
		return -1;
	return mkdir(dir, 0700);
}

static int teardown(void **state)
{
	(void)state;
	return tmptree_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_compat__reads_what_openssl_sealed),
		cmocka_unit_test(
		        test_store_compat__openssl_opens_what_it_seals),
		cmocka_unit_test_setup(
		        test_store_compat__cached_key_needs_the_passphrase,
		        fresh_store),
	};

	return cmocka_run_group_tests_name("store::compat", tests, setup,
	                                   teardown);
}
