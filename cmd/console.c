/* SPDX-License-Identifier: MIT */
/*
 * saml2sts console: open the Alibaba Cloud console signed in with the
 * profile's STS credentials (GetSigninToken, then the Login URL), with
 * xdg-open, or print the URL with --print-url.  The URL holds a
 * single-use token valid for 30 s.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <saml2sts/session.h>
#include <saml2sts/secret.h>

#include "command.h"

enum { O_PROFILE, O_PRINT_URL, O_DESTINATION };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_PRINT_URL] = { "print-url", 0, NULL,
	                  "print the sign-in URL instead of opening a "
	                  "browser" },
	[O_DESTINATION] = { "destination", 0, "URL",
	                    "console page to open (default: the console "
	                    "home)" },
	{ NULL },
};

static int open_browser(const char *url)
{
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return cli_error(EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return cli_error(EXIT_FAIL,
		                 "cannot open a browser (xdg-open %s); use "
		                 "--print-url",
		                 WIFEXITED(st) && WEXITSTATUS(st) == 127
		                         ? "not found"
		                         : "failed");
	return EXIT_OK;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *dest = cli_arg(args, O_DESTINATION);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;
	char *url = NULL;
	int status;

	if (dest && strncmp(dest, "https://", 8) != 0)
		return cli_usage("console", "--destination must be an https "
		                            "URL");
	status = cli_fresh_creds(
	        cli, cli_profile(cli, cli_arg(args, O_PROFILE)), &c);
	if (status)
		return status;
	if (s2s_session_console_url(&url, cli->session, c, dest, &err))
		status = cli_fail(cli, &err);
	if (!status && cli_arg(args, O_PRINT_URL))
		printf("%s\n", url);
	else if (!status)
		status = open_browser(url);
	s2s_secret_free(url);
	s2s_creds_free(c);
	return status;
}

const struct cli_command cli_cmd_console = {
	.name = "console",
	.summary = "open the Alibaba Cloud console signed in",
	.opts = opts,
	.flags = CLI_NEED_CONFIG,
	.run = run,
};
