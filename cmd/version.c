/* SPDX-License-Identifier: MIT */
/*
 * saml2sts version (and --version): the version, the commit it was
 * built from, the libraries it runs with, the built-in adapters and
 * credential stores, curl -V style.
 */
#include <json-c/json.h>
#include <libsecret/secret.h>

#include <saml2sts/login.h>
#include <saml2sts/netmod.h>
#include <saml2sts/store.h>

#include "command.h"
#include "registry.h"

#ifndef S2S_COMMIT
#define S2S_COMMIT "unknown"
#endif

int cli_version(void)
{
	const struct s2s_adapter *const *all = s2s_adapter_all();

	printf("saml2sts %s (commit %s)\n", S2S_VERSION, S2S_COMMIT);
	/* the network libraries are the network module's (netmod.h) */
	printf("libraries: %s json-c/%s libsecret/%d.%d.%d\n",
	       s2s_net_libraries(), json_c_version(), SECRET_MAJOR_VERSION,
	       SECRET_MINOR_VERSION, SECRET_MICRO_VERSION);
	fputs("adapters:", stdout);
	for (size_t i = 0; all[i]; i++)
		printf(" %s", s2s_adapter_name(all[i]));
	fputs("\nstores:", stdout);
	for (size_t i = 0; s2s_store_backend_at(i); i++)
		printf(" %s", s2s_store_backend_at(i));
	putchar('\n');
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
