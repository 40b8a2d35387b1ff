/* SPDX-License-Identifier: MIT */
/*
 * credential-process and export: print the credentials of a profile in
 * the format a consumer wants.  Secrets are formatted into secret
 * buffers and written with one fwrite.
 */
#include <string.h>

#include <saml2sts/secret.h>

#include "command.h"
#include "json_out.h"

enum { O_PROFILE, O_FORMAT };

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

static int run_export(struct cli *cli, const struct cli_args *args)
{
	return print_creds(cli, args, "env", true);
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
	.opts = ex_opts,
	.flags = CLI_NEED_CONFIG,
	.run = run_export,
};
