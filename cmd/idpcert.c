/* SPDX-License-Identifier: MIT */
/*
 * configure --idp-cert URL: fetch the IdP's SAML metadata, show the
 * SHA-256 fingerprint of each signing certificate, and pin them only
 * after a confirmation: on a terminal the user answers, in scripts
 * --idp-cert-fingerprint must match (or --yes accepts blindly).  The
 * PEM goes next to the config file (atomic 0600 write, lib/file.c) and
 * idp_cert points to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/file.h>
#include <saml2sts/http.h>
#include <saml2sts/saml.h>

#include "prompt.h"
#include "idpcert.h"

bool cli_idp_cert_is_url(const char *v)
{
	return strncasecmp(v, "https://", 8) == 0 ||
	       strncasecmp(v, "http://", 7) == 0;
}

/* "AB:CD..." or "abcd..." compared case- and colon-insensitively. */
static bool same_fingerprint(const char *a, const char *b)
{
	for (;;) {
		while (*a == ':')
			a++;
		while (*b == ':')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return false;
		a++;
		b++;
	}
}

static int fetch_metadata(struct cli *cli, const char *url,
                          struct s2s_http_response *resp)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_http *http = NULL;
	int status = cli_http_new(cli, &http);

	if (status)
		return status;
	if (s2s_http_get(http, url, resp, &err))
		status = cli_fail(cli, &err);
	else if (resp->status != 200)
		status = cli_error(EXIT_IDP,
		                   "IdP metadata: HTTP %ld from the metadata "
		                   "URL",
		                   resp->status);
	s2s_http_free(http);
	return status;
}

/* Show every certificate's fingerprint; *match when one equals want. */
static int show_fingerprints(const char *pem, const char *want, bool *match)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const char *p = pem;
	int i = 0;

	*match = false;
	while ((p = strstr(p, "-----BEGIN CERTIFICATE-----")) != NULL) {
		char fp[128];

		if (s2s_saml_cert_fingerprint(fp, sizeof(fp), p, &err))
			return cli_error(EXIT_IDP, "IdP metadata: %s", err.msg);
		fprintf(stderr, "IdP signing certificate %d SHA-256 %s\n", ++i,
		        fp);
		if (want && same_fingerprint(fp, want))
			*match = true;
		p++;
	}
	return EXIT_OK;
}

static int confirm(const char *want, bool yes, bool match)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf answer = S2S_BUF_INIT;
	bool ok;

	if (want)
		return match ? EXIT_OK
		             : cli_error(EXIT_IDP,
		                         "IdP metadata: no signing certificate "
		                         "has fingerprint %.100s",
		                         want);
	if (yes)
		return EXIT_OK;
	if (!cli_can_prompt(false))
		return cli_error(EXIT_NEEDINPUT,
		                 "confirm the IdP certificate fingerprint: "
		                 "pass --idp-cert-fingerprint SHA256 (or "
		                 "--yes)");
	if (cli_tty_ask("Pin these certificates? [y/N] ", false, &answer,
	                &err)) {
		s2s_buf_release(&answer);
		return cli_error(EXIT_NEEDINPUT, "%s", err.msg);
	}
	ok = answer.ptr && (strcasecmp(answer.ptr, "y") == 0 ||
	                    strcasecmp(answer.ptr, "yes") == 0);
	s2s_buf_release(&answer);
	return ok ? EXIT_OK
	          : cli_error(EXIT_FAIL, "IdP certificate not "
	                                 "pinned");
}

/* Atomically, 0600 from birth: a reader never sees half a key. */
static int write_pem(const char *path, const char *pem)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (s2s_file_write_private(path, pem, strlen(pem), S2S_ECONFIG, &err))
		return cli_error(EXIT_FAIL, "%s", err.msg);
	return EXIT_OK;
}

int cli_idp_cert_fetch(struct cli *cli, const char *url,
                       const char *fingerprint, bool yes, char **path_out)
{
	struct s2s_http_response resp = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf pem = S2S_BUF_INIT;
	const char *slash = strrchr(cli->config_path, '/');
	bool match = false;
	char *path = NULL;
	int status;

	*path_out = NULL;
	status = fetch_metadata(cli, url, &resp);
	if (status)
		goto out;
	if (s2s_saml_metadata_certs(&pem, NULL, resp.body.ptr, resp.body.len,
	                            &err)) {
		status = cli_error(EXIT_IDP, "%s", err.msg);
		goto out;
	}
	status = show_fingerprints(pem.ptr, fingerprint, &match);
	if (!status)
		status = confirm(fingerprint, yes, match);
	if (status)
		goto out;
	{
		size_t dir_len = slash ? (size_t)(slash - cli->config_path) : 1;
		size_t size = dir_len + strlen(cli->account_name) + 16;

		path = malloc(size);
		if (!path) {
			status = cli_error(EXIT_FAIL, "out of memory");
			goto out;
		}
		snprintf(path, size, "%.*s/idp-%s.pem", (int)dir_len,
		         slash ? cli->config_path : ".", cli->account_name);
		for (char *c = path + dir_len + 1; *c; c++)
			if (*c == '/')
				*c = '_';
	}
	status = write_pem(path, pem.ptr);
	if (!status) {
		cli_info(cli, "pinned the IdP certificate in %s", path);
		*path_out = path;
		path = NULL;
	}
out:
	free(path);
	s2s_buf_release(&pem);
	s2s_http_response_release(&resp);
	return status;
}
