/* SPDX-License-Identifier: MIT */
/*
 * credential-process and export: print the credentials of a profile in
 * the format a consumer wants, or (export --unset) the lines that undo
 * export.  Secrets are formatted into secret buffers and written with
 * one fwrite.
 */
#include <string.h>

#include <saml2sts/secret.h>

#include "command.h"
#include "json_out.h"

enum { O_PROFILE, O_FORMAT, O_UNSET };

static const struct cli_opt cp_opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_FORMAT] = { "format", 0, NULL,
	               "aliyun: External-mode JSON (default), aws: "
	               "credential_process\nv1 JSON, json: Credentials-URI "
	               "JSON",
	               "aliyun|aws|json" },
	{ NULL },
};

static const struct cli_opt ex_opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_FORMAT] = { "format", 0, NULL,
	               "env: POSIX sh (default), fish, powershell, json, "
	               "dotenv",
	               "env|fish|powershell|json|dotenv" },
	[O_UNSET] = { "unset", 0, NULL,
	              "print the lines that remove every variable exec sets\n"
	              "or clears instead (env, fish, powershell)",
	              NULL, "profile" },
	{ NULL },
};

static int write_buf(const struct s2s_buf *b)
{
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len)
		return cli_error(EXIT_FAIL, "write error on stdout");
	return EXIT_OK;
}

/* Fresh credentials of the profile, in format; with_profile: the
 * format names the profile too (export's SAML2STS_PROFILE). */
static int print_creds(struct cli *cli, const struct cli_args *args,
                       const char *format, bool with_profile)
{
	struct s2s_buf out = S2S_BUF_SECRET_INIT;
	const char *profile = cli_profile(cli, cli_arg(args, O_PROFILE));
	struct s2s_creds *c = NULL;
	int status;

	if (cli_arg(args, O_FORMAT))
		format = cli_arg(args, O_FORMAT);
	status = cli_fresh_creds(cli, profile, &c);
	if (!status)
		status = cli_format_creds(&out, c, format,
		                          with_profile ? profile : NULL);
	if (!status)
		status = write_buf(&out);
	s2s_buf_release(&out);
	s2s_creds_free(c);
	return status;
}

static int run_credential_process(struct cli *cli, const struct cli_args *args)
{
	return print_creds(cli, args, "aliyun", false);
}

/* export --unset: no store, no config; the inherited names of
 * exec's prefixed variables come from our environment, which is the
 * shell's. */
static int print_unset(const char *format)
{
	struct s2s_buf out = S2S_BUF_INIT;
	int status;

	if (!cli_format_can_unset(format))
		return cli_usage("export", "--unset needs --format env, fish "
		                           "or powershell");
	status = cli_format_unset(&out, format, true);
	if (!status)
		status = write_buf(&out);
	s2s_buf_release(&out);
	return status;
}

static int run_export(struct cli *cli, const struct cli_args *args)
{
	const char *format = cli_arg(args, O_FORMAT);
	int status;

	if (cli_arg(args, O_UNSET))
		return print_unset(format ? format : "env");
	status = cli_load_config(cli);
	return status ? status : print_creds(cli, args, "env", true);
}

const struct cli_command cli_cmd_credential_process = {
	.name = "credential-process",
	.summary = "print credentials for the aliyun CLI (External mode)",
	.opts = cp_opts,
	.flags = CLI_NEED_CONFIG,
	.run = run_credential_process,
};

const struct cli_command cli_cmd_export = {
	.name = "export",
	.summary = "print credentials for a shell",
	.synopsis = "[--profile P] [--format F] | --unset [--format F]",
	.opts = ex_opts,
	.flags = 0, /* the config is loaded by run_export: not for --unset */
	.run = run_export,
};
