/* SPDX-License-Identifier: MIT */
/*
 * saml2sts console: open the Alibaba Cloud console signed in with the
 * profile's STS credentials (GetSigninToken, then the Login URL), with
 * xdg-open, or print the URL with --print-url.  The URL holds a
 * single-use token valid for 30 s.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <saml2sts/session.h>
#include <saml2sts/secret.h>

#include "cli.h"

enum {
	OPT_PROFILE = OPT_FIRST_LOCAL,
	OPT_PRINT_URL,
	OPT_DESTINATION,
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts console [--profile P] [--print-url] "
	      "[--destination URL]\n\n"
	      "  --profile P          the stored profile (default: the "
	      "account's profile)\n"
	      "  --print-url          print the sign-in URL instead of "
	      "opening a browser\n"
	      "  --destination URL    console page to open (default: the "
	      "console home)\n",
	      f);
}

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

static int parse(struct cli *cli, int argc, char **argv, const char **profile,
                 const char **dest, bool *print)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "print-url", 0, NULL, OPT_PRINT_URL },
		{ "destination", 1, NULL, OPT_DESTINATION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	for (;;) {
		c = getopt_long(argc, argv, "a:hp:", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == 'p' || c == OPT_PROFILE)
			*profile = optarg;
		else if (c == OPT_PRINT_URL)
			*print = true;
		else if (c == OPT_DESTINATION)
			*dest = optarg;
		else
			return cli_usage("console",
			                 "unknown or incomplete "
			                 "option '%s'",
			                 argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage("console", "unexpected argument '%s'",
		                 argv[optind]);
	if (*dest && strncmp(*dest, "https://", 8) != 0)
		return cli_usage("console", "--destination must be an https "
		                            "URL");
	return EXIT_OK;
}

int cmd_console(struct cli *cli, int argc, char **argv)
{
	const char *profile = NULL, *dest = NULL;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;
	char *url = NULL;
	bool print = false;
	int status;

	status = parse(cli, argc, argv, &profile, &dest, &print);
	if (status)
		return status < 0 ? EXIT_OK : status;
	status = cli_load_config(cli);
	if (!status)
		status = cli_fresh_creds(cli, cli_profile(cli, profile), &c);
	if (status)
		return status;
	if (s2s_session_console_url(&url, cli->session, c, dest, &err))
		status = cli_fail(cli, &err);
	if (!status && print)
		printf("%s\n", url);
	else if (!status)
		status = open_browser(url);
	s2s_secret_free(url);
	s2s_creds_free(c);
	return status;
}
