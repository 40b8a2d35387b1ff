/* SPDX-License-Identifier: MIT */
/*
 * saml2sts whoami: who the credentials of a profile are, by a signed
 * STS GetCallerIdentity with them (fresh ones, refreshed as for
 * credential-process): account, ARN, identity type and time left, as
 * text or JSON.  It prints no secret.
 */
#include <string.h>
#include <time.h>

#include <saml2sts/isotime.h>
#include <saml2sts/json.h>
#include <saml2sts/rpc.h>
#include <saml2sts/session.h>

#include "command.h"

enum { O_PROFILE, O_OUTPUT };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	{ NULL },
};

static void left_text(char *out, size_t size, long secs)
{
	if (secs <= 0)
		snprintf(out, size, "expired");
	else if (secs >= 3600)
		snprintf(out, size, "%ldh %02ldm left", secs / 3600,
		         secs / 60 % 60);
	else
		snprintf(out, size, "%ldm %02lds left", secs / 60, secs % 60);
}

static void print_text(const char *profile, const struct s2s_identity *id,
                       const struct s2s_creds *c, long left)
{
	char when[64], rest[32];

	s2s_time_format_local(when, sizeof(when), c->expiration);
	left_text(rest, sizeof(rest), left);
	cli_printf(stdout, "%-10s %s", "profile", profile);
	cli_printf(stdout, "%-10s %s", "account", id->account_id);
	cli_printf(stdout, "%-10s %s", "arn", id->arn);
	cli_printf(stdout, "%-10s %s", "type",
	           id->identity_type ? id->identity_type : "-");
	cli_printf(stdout, "%-10s %s (%s)", "expires", when, rest);
}

static int print_json(const char *profile, const struct s2s_identity *id,
                      const struct s2s_creds *c, long left)
{
	struct s2s_buf b = S2S_BUF_INIT;
	char exp[32];
	s2s_err rc;

	s2s_time_format_utc(exp, sizeof(exp), c->expiration);
	rc = s2s_buf_puts(&b, "{");
	if (!rc)
		rc = s2s_json_member(&b, true, "profile", profile);
	if (!rc)
		rc = s2s_json_member(&b, false, "account_id", id->account_id);
	if (!rc)
		rc = s2s_json_member(&b, false, "arn", id->arn);
	if (!rc && id->identity_type)
		rc = s2s_json_member(&b, false, "identity_type",
		                     id->identity_type);
	if (!rc && id->principal_id)
		rc = s2s_json_member(&b, false, "principal_id",
		                     id->principal_id);
	if (!rc && id->role_id)
		rc = s2s_json_member(&b, false, "role_id", id->role_id);
	if (!rc && id->user_id)
		rc = s2s_json_member(&b, false, "user_id", id->user_id);
	if (!rc)
		rc = s2s_json_member(&b, false, "expiration", exp);
	if (!rc)
		rc = s2s_buf_printf(&b, ",\"remaining_seconds\":%ld}\n",
		                    left > 0 ? left : 0);
	if (!rc)
		fputs(b.ptr, stdout);
	s2s_buf_release(&b);
	return rc ? cli_error(EXIT_FAIL, "out of memory") : EXIT_OK;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *profile = cli_profile(cli, cli_arg(args, O_PROFILE));
	const char *output = cli_arg(args, O_OUTPUT);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_identity *id = NULL;
	struct s2s_creds *c = NULL;
	long left;
	int status;

	status = cli_fresh_creds(cli, profile, &c);
	if (status)
		return status;
	if (s2s_rpc_whoami(&id, cli->session, c, &err)) {
		status = cli_fail(cli, &err);
		goto out;
	}
	left = s2s_creds_remaining(c, time(NULL));
	if (output && strcmp(output, "json") == 0)
		status = print_json(profile, id, c, left);
	else
		print_text(profile, id, c, left);
out:
	s2s_identity_free(id);
	s2s_creds_free(c);
	return status;
}

const struct cli_command cli_cmd_whoami = {
	.name = "whoami",
	.summary = "show who a profile's credentials are (GetCallerIdentity)",
	.opts = opts,
	.flags = CLI_NEED_CONFIG,
	.run = run,
};
