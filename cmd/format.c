/* SPDX-License-Identifier: MIT */
/*
 * Credential output formats.  Each shell gets its own quoting: POSIX sh
 * single quotes ('\'' for a quote), fish single quotes (\\ and \'),
 * PowerShell single quotes ('' for a quote), dotenv double quotes.
 */
#include <string.h>

#include <saml2sts/json.h>

#include "cli.h"
#include "json_out.h"

void cli_env_pairs(struct cli_env_pair out[CLI_ENV_PAIRS],
                   const struct s2s_creds *c, const char *profile, char *exp)
{
	const char *region = c->region ? c->region : "cn-hangzhou";
	size_t i = 0;

	s2s_time_format_utc(exp, 32, c->expiration);
	out[i++] = (struct cli_env_pair){ "ALIBABA_CLOUD_ACCESS_KEY_ID",
		                          c->access_key_id };
	out[i++] = (struct cli_env_pair){ "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		                          c->access_key_secret };
	out[i++] = (struct cli_env_pair){ "ALIBABA_CLOUD_SECURITY_TOKEN",
		                          c->security_token };
	out[i++] = (struct cli_env_pair){ "ALIBABA_CLOUD_REGION_ID", region };
	out[i++] = (struct cli_env_pair){ "ALICLOUD_ACCESS_KEY",
		                          c->access_key_id };
	out[i++] = (struct cli_env_pair){ "ALICLOUD_SECRET_KEY",
		                          c->access_key_secret };
	out[i++] = (struct cli_env_pair){ "ALICLOUD_SECURITY_TOKEN",
		                          c->security_token };
	out[i++] = (struct cli_env_pair){ "ALICLOUD_REGION", region };
	out[i++] =
	        (struct cli_env_pair){ "OSS_ACCESS_KEY_ID", c->access_key_id };
	out[i++] = (struct cli_env_pair){ "OSS_ACCESS_KEY_SECRET",
		                          c->access_key_secret };
	out[i++] =
	        (struct cli_env_pair){ "OSS_SESSION_TOKEN", c->security_token };
	out[i++] = (struct cli_env_pair){ "SAML2STS_PROFILE",
		                          profile ? profile : "" };
	out[i++] = (struct cli_env_pair){ "SAML2STS_EXPIRATION", exp };
}

static int add(struct s2s_buf *b, const char *s)
{
	return s2s_buf_puts(b, s) ? -1 : 0;
}

/* Quote value for a shell: q is the quote char, esc how to write one
 * quote inside, bs how to write a backslash (NULL: as is). */
static int add_quoted(struct s2s_buf *b, const char *v, char q, const char *esc,
                      const char *bs)
{
	int bad = s2s_buf_add(b, &q, 1) ? -1 : 0;

	for (; !bad && *v; v++) {
		if (*v == q)
			bad = add(b, esc);
		else if (*v == '\\' && bs)
			bad = add(b, bs);
		else
			bad = s2s_buf_add(b, v, 1) ? -1 : 0;
	}
	return bad ? bad : (s2s_buf_add(b, &q, 1) ? -1 : 0);
}

/* {prefix"name":"value",...}\n */
static int json_members(struct s2s_buf *b, const char *prefix,
                        const char *const *names, const char *const *values,
                        size_t n)
{
	int bad = add(b, prefix);

	for (size_t i = 0; !bad && i < n; i++)
		bad = s2s_json_member(b, i == 0, names[i], values[i]) ? -1 : 0;
	return bad ? bad : add(b, "}\n");
}

static int format_json(struct s2s_buf *b, const struct s2s_creds *c,
                       const char *format, const char *exp)
{
	if (strcmp(format, "aliyun") == 0) {
		const char *n[] = { "mode", "access_key_id",
			            "access_key_secret", "sts_token",
			            "expiration" };
		const char *v[] = { "StsToken", c->access_key_id,
			            c->access_key_secret, c->security_token,
			            exp };

		return json_members(b, "{", n, v, 5);
	}
	if (strcmp(format, "aws") == 0) {
		/* credential_process v1: Version is a number. */
		const char *n[] = { "AccessKeyId", "SecretAccessKey",
			            "SessionToken", "Expiration" };
		const char *v[] = { c->access_key_id, c->access_key_secret,
			            c->security_token, exp };

		return json_members(b, "{\"Version\":1,", n, v, 4);
	}
	{
		const char *n[] = { "Code", "AccessKeyId", "AccessKeySecret",
			            "SecurityToken", "Expiration" };
		const char *v[] = { "Success", c->access_key_id,
			            c->access_key_secret, c->security_token,
			            exp };

		return json_members(b, "{", n, v, 5);
	}
}

static int format_line(struct s2s_buf *out, const struct cli_env_pair *p,
                       const char *format)
{
	if (strcmp(format, "env") == 0)
		return add(out, "export ") || add(out, p->name) ||
		       add(out, "=") ||
		       add_quoted(out, p->value, '\'', "'\\''", NULL) ||
		       add(out, "\n");
	if (strcmp(format, "fish") == 0)
		return add(out, "set -gx ") || add(out, p->name) ||
		       add(out, " ") ||
		       add_quoted(out, p->value, '\'', "\\'", "\\\\") ||
		       add(out, ";\n");
	if (strcmp(format, "powershell") == 0)
		return add(out, "$Env:") || add(out, p->name) ||
		       add(out, " = ") ||
		       add_quoted(out, p->value, '\'', "''", NULL) ||
		       add(out, "\n");
	/* dotenv: double quotes, \" and \\ escaped (STS values are
	 * base64 and never hold a $ that a dotenv reader would expand) */
	return add(out, p->name) || add(out, "=") ||
	       add_quoted(out, p->value, '"', "\\\"", "\\\\") || add(out, "\n");
}

int cli_format_creds(struct s2s_buf *out, const struct s2s_creds *c,
                     const char *format, const char *profile)
{
	struct cli_env_pair pairs[CLI_ENV_PAIRS];
	char exp[32];
	int bad = 0;

	cli_env_pairs(pairs, c, profile, exp);
	if (strcmp(format, "aliyun") == 0 || strcmp(format, "aws") == 0 ||
	    strcmp(format, "json") == 0)
		bad = format_json(out, c, format, exp);
	else
		for (size_t i = 0; !bad && i < CLI_ENV_PAIRS; i++)
			bad = format_line(out, &pairs[i], format);
	if (bad)
		return cli_error(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}
