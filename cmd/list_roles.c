/* SPDX-License-Identifier: MIT */
/*
 * saml2sts list-roles: log in to the IdP and print the roles the
 * assertion grants, grouped by account (text) or as JSON.  STS is not
 * called and nothing is stored.
 */
#include <string.h>

#include <saml2sts/session.h>

#include "command.h"
#include "roles.h"

enum { O_OUTPUT, O_USERNAME, O_PASSWORD_STDIN, O_SKIP_PROMPT };

static const struct cli_opt opts[] = {
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	[O_USERNAME] = CLI_OPT_USERNAME,
	[O_PASSWORD_STDIN] = CLI_OPT_PASSWORD_STDIN,
	[O_SKIP_PROMPT] = CLI_OPT_SKIP_PROMPT,
	{ NULL },
};

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *output = cli_arg(args, O_OUTPUT);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_opts opt = { 0 };
	struct s2s_grants *g = NULL;

	opt.username = cli_arg(args, O_USERNAME);
	opt.account = cli->account_name;
	cli_catch_cancel();
	if (s2s_session_list(&g, cli->session, &opt, &err))
		return cli_cancel_status(cli_fail(cli, &err));
	if (output && strcmp(output, "json") == 0)
		cli_roles_print_json(g, stdout);
	else
		cli_roles_print(g->roles, g->nroles, stdout, false);
	s2s_grants_free(g);
	return EXIT_OK;
}

const struct cli_command cli_cmd_list_roles = {
	.name = "list-roles",
	.summary = "log in to the IdP and list the roles granted",
	.opts = opts,
	.flags = CLI_NEED_ACCOUNT,
	.run = run,
};
