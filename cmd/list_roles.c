/* SPDX-License-Identifier: MIT */
/*
 * saml2sts list-roles: log in to the IdP and print the roles the
 * assertion grants, grouped by account (text) or as JSON.  STS is not
 * called and nothing is stored.
 */
#include <getopt.h>
#include <string.h>

#include <saml2sts/session.h>

#include "cli.h"
#include "roles.h"

enum {
	OPT_OUTPUT = OPT_FIRST_LOCAL,
	OPT_PASSWORD_STDIN,
	OPT_SKIP_PROMPT,
	OPT_USERNAME,
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts list-roles [options]\n\n"
	      "  --output text|json   output format (default text)\n"
	      "  --username NAME      IdP username for this run\n"
	      "  --password-stdin     read the password from stdin\n"
	      "  --skip-prompt        never prompt: exit 8 if input is "
	      "missing\n",
	      f);
}

int cmd_list_roles(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "output", 1, NULL, OPT_OUTPUT },
		{ "password-stdin", 0, NULL, OPT_PASSWORD_STDIN },
		{ "skip-prompt", 0, NULL, OPT_SKIP_PROMPT },
		{ "username", 1, NULL, OPT_USERNAME },
		{ NULL, 0, NULL, 0 },
	};
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_opts opt = { 0 };
	struct s2s_grants *g = NULL;
	bool password_stdin = false, json = false;
	int c, status;

	for (;;) {
		c = getopt_long(argc, argv, "a:h", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_OUTPUT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return cli_usage("list-roles",
				                 "--output must be text or "
				                 "json");
			json = strcmp(optarg, "json") == 0;
			break;
		case OPT_PASSWORD_STDIN:
			password_stdin = true;
			break;
		case OPT_SKIP_PROMPT:
			cli->skip_prompt = true;
			break;
		case OPT_USERNAME:
			opt.username = optarg;
			break;
		default:
			return cli_usage("list-roles",
			                 "unknown or incomplete option '%s'",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("list-roles", "unexpected argument '%s'",
		                 argv[optind]);
	status = password_stdin ? cli_read_password_stdin(cli) : EXIT_OK;
	if (!status)
		status = cli_need_account(cli);
	if (status)
		return status;
	opt.account = cli->account_name;
	cli_catch_cancel();
	if (s2s_session_list(&g, cli->session, &opt, &err))
		return cli_cancel_status(cli_fail(cli, &err));
	if (json)
		cli_roles_print_json(g, stdout);
	else
		cli_roles_print(g->roles, g->nroles, stdout, false);
	s2s_grants_free(g);
	return EXIT_OK;
}
