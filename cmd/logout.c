/* SPDX-License-Identifier: MIT */
/*
 * saml2sts logout --profile P | --all: delete stored items of a profile
 * (credentials and any kept IdP session or password).
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"

enum { O_PROFILE, O_ALL };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("forget profile P"),
	[O_ALL] = { "all", 0, NULL, "forget every stored profile", NULL,
	            "profile" },
	{ NULL },
};

static int logout_all(struct cli *cli, struct s2s_store *store)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *items = NULL;
	size_t n = 0, gone = 0;
	int status = EXIT_OK;

	if (s2s_store_list(&items, &n, store, &err))
		return cli_fail(cli, &err);
	for (size_t i = 0; i < n && !status; i++) {
		if (i && strcmp(items[i].profile, items[i - 1].profile) == 0)
			continue;
		if (s2s_store_delete(store, items[i].profile, NULL, &err) &&
		    err.code != S2S_ENOTFOUND)
			status = cli_fail(cli, &err);
		else
			gone++;
		s2s_error_clear(&err);
	}
	s2s_store_items_free(items, n);
	if (!status)
		cli_info(cli, "Forgot %zu profile(s).", gone);
	return status;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const char *profile;

	if (cli_arg(args, O_ALL))
		return logout_all(cli, cli->store);
	profile = cli_profile(cli, cli_arg(args, O_PROFILE));
	if (s2s_store_delete(cli->store, profile, NULL, &err)) {
		if (err.code != S2S_ENOTFOUND)
			return cli_fail(cli, &err);
		cli_info(cli, "Nothing stored for profile %s.", profile);
		return EXIT_OK;
	}
	cli_info(cli, "Forgot profile %s.", profile);
	return EXIT_OK;
}

const struct cli_command cli_cmd_logout = {
	.name = "logout",
	.summary = "delete stored credentials",
	.synopsis = "[--profile P | --all]",
	.opts = opts,
	.flags = CLI_NEED_STORE,
	.run = run,
};
