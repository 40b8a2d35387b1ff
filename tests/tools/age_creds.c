/* SPDX-License-Identifier: MIT */
/*
 * s2s-test-age-creds PROFILE SECONDS: move the stored credentials of
 * PROFILE SECONDS into the past (issued and expiration), through the
 * same store the tool uses (SAML2STS_KEYRING_BACKEND, the file store's
 * SAML2STS_FILE_PASSPHRASE).  Tests make an expired token this way now
 * that an STS answer that is already expired is refused.
 */
#include <stdio.h>
#include <stdlib.h>

#include <saml2sts/config.h>
#include <saml2sts/creds.h>
#include <saml2sts/store.h>

static s2s_err passphrase(void *payload, struct s2s_buf *out,
                          struct s2s_error *err)
{
	const char *p = s2s_config_env("SAML2STS_FILE_PASSPHRASE");

	(void)payload;
	if (!p)
		return s2s_error_set(err, S2S_ENEEDINPUT, "no passphrase");
	return s2s_buf_puts(out, p) ? S2S_ENOMEM : S2S_OK;
}

int main(int argc, char **argv)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_opts o = { 0 };
	struct s2s_store *store = NULL;
	struct s2s_creds *c = NULL;
	long secs;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PROFILE SECONDS\n", argv[0]);
		return 2;
	}
	secs = strtol(argv[2], NULL, 10);
	o.backend = s2s_config_env("SAML2STS_KEYRING_BACKEND");
	o.passphrase = passphrase;
	if (s2s_store_open_opts(&store, &o, &err) ||
	    s2s_store_get_creds(&c, store, argv[1], &err)) {
		fprintf(stderr, "age-creds: %s\n", err.msg);
		s2s_store_free(store);
		return 1;
	}
	c->issued -= secs;
	c->expiration -= secs;
	if (s2s_store_put_creds(store, argv[1], c, &err))
		fprintf(stderr, "age-creds: %s\n", err.msg);
	s2s_creds_free(c);
	s2s_store_free(store);
	return err.code ? 1 : 0;
}
