/* SPDX-License-Identifier: MIT */
/*
 * Credential output formats.  Each shell gets its own quoting: POSIX sh
 * single quotes ('\'' for a quote), fish single quotes (\\ and \'),
 * PowerShell single quotes ('' for a quote), dotenv double quotes.  The
 * shells also get the lines that remove what exec would clear.  The
 * variables are env.c's table.
 */
#include <string.h>

#include <saml2sts/json.h>

#include "cli.h"
#include "env.h"
#include "json_out.h"

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

int cli_format_quote(struct s2s_buf *out, const char *v, const char *format)
{
	if (strcmp(format, "fish") == 0)
		return add_quoted(out, v, '\'', "\\'", "\\\\") ? EXIT_FAIL
		                                               : EXIT_OK;
	return add_quoted(out, v, '\'', "'\\''", NULL) ? EXIT_FAIL : EXIT_OK;
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
		       cli_format_quote(out, p->value, format) ||
		       add(out, "\n");
	if (strcmp(format, "fish") == 0)
		return add(out, "set -gx ") || add(out, p->name) ||
		       add(out, " ") ||
		       cli_format_quote(out, p->value, format) ||
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

static bool is_json(const char *format)
{
	return strcmp(format, "aliyun") == 0 || strcmp(format, "aws") == 0 ||
	       strcmp(format, "json") == 0;
}

bool cli_format_can_unset(const char *format)
{
	return strcmp(format, "env") == 0 || strcmp(format, "fish") == 0 ||
	       strcmp(format, "powershell") == 0;
}

/* A name the shell reads as one word: an inherited name is not ours. */
static bool plain_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		            "abcdefghijklmnopqrstuvwxyz0123456789_",
		            *p))
			return false;
	return true;
}

static int unset_line(struct s2s_buf *out, const char *name, const char *format)
{
	if (!plain_name(name))
		return 0;
	if (strcmp(format, "env") == 0)
		return add(out, "unset ") || add(out, name) || add(out, "\n");
	if (strcmp(format, "fish") == 0)
		return add(out, "set -e ") || add(out, name) || add(out, ";\n");
	return add(out, "Remove-Item Env:") || add(out, name) ||
	       add(out, " -ErrorAction SilentlyContinue\n");
}

static int unset_lines(struct s2s_buf *out, const char *format, bool all)
{
	char name[256];
	int bad = 0;

	if (!cli_format_can_unset(format))
		return 0;
	for (const struct cli_env_var *v = cli_env_vars; !bad && v->name; v++) {
		if (!all && !(v->flags & CLI_ENV_CLEAR))
			continue;
		if (all && !(v->flags & CLI_ENV_PREFIX)) {
			bad = unset_line(out, v->name, format);
			continue;
		}
		for (size_t i = 0;
		     !bad && cli_env_present(v, i, name, sizeof(name)); i++)
			bad = unset_line(out, name, format);
	}
	return bad;
}

int cli_format_unset(struct s2s_buf *out, const char *format, bool all)
{
	if (unset_lines(out, format, all))
		return cli_error(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}

int cli_format_creds(struct s2s_buf *out, const struct s2s_creds *c,
                     const char *format, const char *profile)
{
	struct cli_env_pair pairs[CLI_ENV_PAIRS];
	char exp[32];
	int bad = 0;

	cli_env_pairs(pairs, c, profile, exp);
	if (is_json(format))
		bad = format_json(out, c, format, exp);
	else if (profile)
		bad = unset_lines(out, format, false);
	for (size_t i = 0; !bad && !is_json(format) && i < CLI_ENV_PAIRS; i++)
		bad = format_line(out, &pairs[i], format);
	if (bad)
		return cli_error(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}
