/* SPDX-License-Identifier: MIT */
/*
 * credential-process and export: print the credentials of a profile in
 * the format a consumer wants.  Secrets are formatted into secret
 * buffers and written with one fwrite.
 */
#include <getopt.h>
#include <string.h>

#include <saml2sts/secret.h>

#include "cli.h"
#include "json_out.h"

enum {
	OPT_PROFILE = OPT_FIRST_LOCAL,
	OPT_FORMAT,
};

static int write_buf(const struct s2s_buf *b)
{
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len)
		return cli_error(EXIT_FAIL, "write error on stdout");
	return EXIT_OK;
}

static int parse(struct cli *cli, const char *cmd, int argc, char **argv,
                 const char **profile, const char **format,
                 void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "format", 1, NULL, OPT_FORMAT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	for (;;) {
		c = getopt_long(argc, argv, "a:hp:", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case 'p':
		case OPT_PROFILE:
			*profile = optarg;
			break;
		case OPT_FORMAT:
			*format = optarg;
			break;
		default:
			return cli_usage(cmd,
			                 "unknown or incomplete option "
			                 "'%s'",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

static void cp_usage(FILE *f)
{
	fputs("usage: saml2sts credential-process [--profile P] "
	      "[--format aliyun|aws|json]\n\n"
	      "  --profile P          the stored profile (default: the "
	      "account's profile)\n"
	      "  --format F           aliyun (External-mode JSON, default), "
	      "aws (credential_process\n"
	      "                       v1 JSON) or json (Credentials-URI "
	      "JSON)\n",
	      f);
}

int cmd_credential_process(struct cli *cli, int argc, char **argv)
{
	struct s2s_buf out = S2S_BUF_SECRET_INIT;
	const char *profile = NULL, *format = "aliyun";
	struct s2s_creds *c = NULL;
	int status;

	status = parse(cli, "credential-process", argc, argv, &profile, &format,
	               cp_usage);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (strcmp(format, "aliyun") && strcmp(format, "aws") &&
	    strcmp(format, "json"))
		return cli_usage("credential-process",
		                 "--format must be aliyun, aws or json");
	status = cli_load_config(cli);
	if (!status)
		status = cli_fresh_creds(cli, cli_profile(cli, profile), &c);
	if (!status)
		status = cli_format_creds(&out, c, format, NULL);
	if (!status)
		status = write_buf(&out);
	s2s_buf_release(&out);
	s2s_creds_free(c);
	return status;
}

static void ex_usage(FILE *f)
{
	fputs("usage: saml2sts export [--profile P] "
	      "[--format env|fish|powershell|json|dotenv]\n\n"
	      "  --profile P          the stored profile (default: the "
	      "account's profile)\n"
	      "  --format F           env (POSIX sh, default), fish, "
	      "powershell, json, dotenv\n",
	      f);
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	struct s2s_buf out = S2S_BUF_SECRET_INIT;
	const char *profile = NULL, *format = "env";
	struct s2s_creds *c = NULL;
	int status;

	status = parse(cli, "export", argc, argv, &profile, &format, ex_usage);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (strcmp(format, "env") && strcmp(format, "fish") &&
	    strcmp(format, "powershell") && strcmp(format, "json") &&
	    strcmp(format, "dotenv"))
		return cli_usage("export", "--format must be env, fish, "
		                           "powershell, json or dotenv");
	status = cli_load_config(cli);
	if (!status) {
		profile = cli_profile(cli, profile);
		status = cli_fresh_creds(cli, profile, &c);
	}
	if (!status)
		status = cli_format_creds(&out, c, format, profile);
	if (!status)
		status = write_buf(&out);
	s2s_buf_release(&out);
	s2s_creds_free(c);
	return status;
}
