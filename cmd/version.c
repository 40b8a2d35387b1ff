/* SPDX-License-Identifier: MIT */
/*
 * saml2sts version (and --version): the version, the libraries it runs
 * with, the built-in adapters and credential stores, curl -V style.
 */
#include <curl/curl.h>
#include <json-c/json.h>
#include <libsecret/secret.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <xmlsec/version.h>

#include <saml2sts/login.h>

#include "command.h"
#include "registry.h"

int cli_version(void)
{
	const struct s2s_adapter *const *all = s2s_adapter_all();
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("saml2sts %s\n", S2S_VERSION);
	printf("libraries: libcurl/%s %s libxml2/%s xmlsec1/%s json-c/%s "
	       "libsecret/%d.%d.%d\n",
	       cv->version, OpenSSL_version(OPENSSL_VERSION),
	       LIBXML_DOTTED_VERSION, XMLSEC_VERSION, json_c_version(),
	       SECRET_MAJOR_VERSION, SECRET_MINOR_VERSION,
	       SECRET_MICRO_VERSION);
	fputs("adapters:", stdout);
	for (size_t i = 0; all[i]; i++)
		printf(" %s", s2s_adapter_name(all[i]));
	fputs("\nstores: secret-service\n", stdout);
	return EXIT_OK;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	(void)cli;
	(void)args;
	return cli_version();
}

const struct cli_command cli_cmd_version = {
	.name = "version",
	.summary = "show versions, adapters and stores",
	.run = run,
};
