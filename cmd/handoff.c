/* SPDX-License-Identifier: MIT */
/*
 * aliyun_config: after login (and configure), make the aliyun CLI and the
 * SDKs ask saml2sts for credentials through an External profile in
 * ~/.aliyun/config.json (ALIBABA_CLOUD_CONFIG_FILE overrides the path).
 * `aliyun_config = ststoken` is the explicit opt-in to a plaintext
 * StsToken profile instead.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <saml2sts/aliyun.h>

#include "cli.h"

/* Quote s for the SDKs' shlex-style splitter when it needs it. */
static int add_word(struct s2s_buf *b, const char *s)
{
	bool plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = !strchr(" \t\n'\"\\$`", *p);
	if (plain)
		return s2s_buf_puts(b, s) ? -1 : 0;
	if (s2s_buf_add(b, "'", 1))
		return -1;
	for (; *s; s++)
		if (*s == '\'' ? s2s_buf_puts(b, "'\"'\"'")
		               : s2s_buf_add(b, s, 1))
			return -1;
	return s2s_buf_add(b, "'", 1) ? -1 : 0;
}

static int self_command(struct s2s_buf *cmd, const char *profile)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return cli_error(EXIT_FAIL, "cannot find the saml2sts binary");
	exe[n] = '\0';
	if (add_word(cmd, exe) ||
	    s2s_buf_puts(cmd, " credential-process "
	                      "--profile ") ||
	    add_word(cmd, profile))
		return cli_error(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}

static int config_path(char **out)
{
	const char *env = s2s_config_env("ALIBABA_CLOUD_CONFIG_FILE");
	const char *home = s2s_config_env("HOME");
	struct s2s_buf b = S2S_BUF_INIT;

	if (env)
		*out = strdup(env);
	else if (!home)
		return cli_error(EXIT_USAGE, "aliyun_config: HOME is not set");
	else if (s2s_buf_printf(&b, "%s/.aliyun/config.json", home) == 0)
		*out = s2s_buf_detach(&b, NULL);
	else
		*out = NULL;
	s2s_buf_release(&b);
	return *out ? EXIT_OK : cli_error(EXIT_FAIL, "out of memory");
}

int cli_aliyun_handoff(struct cli *cli, const char *profile,
                       const struct s2s_creds *creds)
{
	const char *mode = s2s_account_get(cli->acct, "aliyun_config");
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf cmd = S2S_BUF_INIT;
	bool sts = mode && strcasecmp(mode, "ststoken") == 0;
	bool on = false;
	char *path = NULL;
	int status;

	if (!mode)
		return EXIT_OK;
	if (!sts &&
	    s2s_account_get_bool(&on, cli->acct, "aliyun_config", false, &err))
		return cli_fail(cli, &err);
	if (!sts && !on)
		return EXIT_OK;
	if (sts && !creds)
		return EXIT_OK; /* a plaintext profile needs a token first */
	status = self_command(&cmd, profile);
	if (!status)
		status = config_path(&path);
	if (!status &&
	    s2s_aliyun_config_merge(
	            path, profile, cmd.ptr,
	            creds && creds->region
	                    ? creds->region
	                    : s2s_account_get_str(cli->acct, "region",
	                                          "cn-hangzhou"),
	            sts ? creds : NULL, &err))
		status = cli_fail(cli, &err);
	if (!status)
		cli_verbose(cli, "aliyun profile '%s' (%s) written to %s",
		            profile, sts ? "StsToken" : "External", path);
	free(path);
	s2s_buf_release(&cmd);
	return status;
}
