/* SPDX-License-Identifier: MIT */
/*
 * saml2sts list-roles: log in to the IdP and print the roles the
 * assertion grants, grouped by account (text) or as JSON.  STS is not
 * called and nothing is stored.
 */
#include <getopt.h>
#include <string.h>

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
	struct s2s_buf saml_b64 = S2S_BUF_SECRET_INIT;
	struct cli_login opt = { 0 };
	struct s2s_saml *saml = NULL;
	bool json = false;
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
			opt.password_stdin = true;
			break;
		case OPT_SKIP_PROMPT:
			opt.skip_prompt = true;
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
	status = cli_authenticate(cli, &opt, &saml_b64, &saml);
	if (!status && saml->nroles == 0)
		status = cli_error(EXIT_NOROLE,
		                   "the assertion grants no Alibaba Cloud "
		                   "role");
	if (!status)
		status = json ? cli_roles_print_json(cli, saml, stdout)
		              : cli_roles_print(cli, saml, stdout, false);
	s2s_saml_free(saml);
	s2s_buf_release(&saml_b64);
	return status;
}
