/* SPDX-License-Identifier: MIT */
/*
 * saml2sts use [PROFILE]: make a stored profile the current one, the
 * profile every command works on when no --profile names one (the last
 * single-role login sets it too).  Without a profile: print the one
 * commands would use.  --unset forgets the current profile.  The name
 * goes to a small state file (lib/current.c); no credential is read.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saml2sts/current.h>
#include <saml2sts/session.h>

#include "command.h"

enum { O_PROFILE, O_UNSET };

static const struct cli_opt opts[] = {
	[O_PROFILE] = { "profile", 'p', "P",
	                "the stored profile to make current (or the "
	                "operand)" },
	[O_UNSET] = { "unset", 0, NULL,
	              "forget the current profile: commands use the\n"
	              "account's profile again",
	              NULL, "profile" },
	{ NULL },
};

/* "admin in 1234567890123456" from an ARN, for the one line we print. */
static void describe(char *out, size_t size, const struct s2s_store_item *it)
{
	const char *arn = it->role_arn ? it->role_arn : "";
	const char *slash = strrchr(arn, '/');
	const char *uid =
	        strncmp(arn, "acs:", 4) == 0 ? strstr(arn, "::") : NULL;
	size_t ulen = uid ? strcspn(uid + 2, ":") : 0;

	if (slash && uid && ulen)
		snprintf(out, size, "%s in %.*s", slash + 1, (int)ulen,
		         uid + 2);
	else
		snprintf(out, size, "%s", *arn ? arn : "no role");
}

static int unset(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const char *why = NULL, *p;

	if (s2s_current_set(NULL, &err))
		return cli_fail(cli, &err);
	p = cli_default_profile(cli, &why);
	cli_info(cli, "No current profile: commands use %s (%s)", p,
	         strcmp(why, "SAML2STS_PROFILE") == 0
	                 ? "SAML2STS_PROFILE"
	                 : "the account's profile");
	return EXIT_OK;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *profile = cli_arg(args, O_PROFILE);
	const char *env = s2s_config_env("SAML2STS_PROFILE");
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *it = NULL;
	const char *why = NULL;
	char role[200];
	long left;

	if (args->noperands > (profile ? 0 : 1))
		return cli_usage("use", "unexpected argument '%s'",
		                 args->operands[profile ? 0 : 1]);
	if (!profile && args->noperands)
		profile = args->operands[0];
	if (cli_arg(args, O_UNSET))
		return args->noperands ? cli_usage("use", "--unset takes no "
		                                          "profile")
		                       : unset(cli);
	if (!profile) { /* the one commands use now, for scripts */
		printf("%s\n", cli_default_profile(cli, &why));
		cli_verbose(cli, "chosen by: %s", why);
		return EXIT_OK;
	}
	if (s2s_profile_check(profile, &err))
		return cli_usage("use", "%s", err.msg);
	if (!cli_session(cli))
		return EXIT_FAIL;
	if (s2s_session_stored(&it, cli->session, profile, &err) ||
	    s2s_current_set(profile, &err)) {
		s2s_store_items_free(it, it ? 1 : 0);
		return cli_fail(cli, &err);
	}
	describe(role, sizeof(role), it);
	left = it->expires ? (long)(it->expires - time(NULL)) : 0;
	if (left > 0)
		cli_info(cli, "Current profile: %s (%s, %ld min left)", profile,
		         role, left / 60);
	else
		cli_info(cli,
		         "Current profile: %s (%s, expired: saml2sts login "
		         "--profile %s assumes it again)",
		         profile, role, profile);
	if (env && strcmp(env, profile) != 0)
		cli_info(cli,
		         "saml2sts: warning: SAML2STS_PROFILE=%s in this "
		         "environment outranks it",
		         env);
	s2s_store_items_free(it, 1);
	return EXIT_OK;
}

const struct cli_command cli_cmd_use = {
	.name = "use",
	.summary = "make a stored profile the current one",
	.synopsis = "[PROFILE | --unset]",
	.epilog = "Commands without --profile use, in order: the -a account's "
	          "profile when -a\nis given, SAML2STS_PROFILE, the current "
	          "profile while it holds\ncredentials, the default account's "
	          "profile.  Without PROFILE, print\nthe one they would use.",
	.opts = opts,
	.flags = CLI_NEED_CONFIG | CLI_OPERANDS,
	.run = run,
};
