/* SPDX-License-Identifier: MIT */
/*
 * saml2sts logout --profile P | --all: delete stored items of a profile
 * (credentials and any kept IdP session or password).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_PROFILE = OPT_FIRST_LOCAL,
	OPT_ALL,
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts logout [--profile P | --all]\n\n"
	      "  --profile P          forget profile P (default: the "
	      "account's profile)\n"
	      "  --all                forget every stored profile\n",
	      f);
}

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

int cmd_logout(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "all", 0, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;
	const char *profile = NULL;
	bool all = false;
	int c, status;

	for (;;) {
		c = getopt_long(argc, argv, "a:hp:", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'p':
		case OPT_PROFILE:
			profile = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		default:
			return cli_usage("logout",
			                 "unknown or incomplete "
			                 "option '%s'",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("logout", "unexpected argument '%s'",
		                 argv[optind]);
	if (all && profile)
		return cli_usage("logout", "--all and --profile exclude each "
		                           "other");
	status = cli_load_config(cli);
	if (!status)
		status = cli_store(cli, &store);
	if (status)
		return status;
	if (all)
		return logout_all(cli, store);
	profile = cli_profile(cli, profile);
	if (s2s_store_delete(store, profile, NULL, &err)) {
		if (err.code != S2S_ENOTFOUND)
			return cli_fail(cli, &err);
		cli_info(cli, "Nothing stored for profile %s.", profile);
		return EXIT_OK;
	}
	cli_info(cli, "Forgot profile %s.", profile);
	return EXIT_OK;
}
