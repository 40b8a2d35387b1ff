/* SPDX-License-Identifier: MIT */
/*
 * saml2sts exec --profile P -- CMD ARGS...: replace this process with
 * CMD, its environment carrying the profile's credentials (DESIGN.md 6),
 * so CMD's exit status is the exit status.  No CMD runs $SHELL.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "cli.h"

enum {
	OPT_PROFILE = OPT_FIRST_LOCAL,
	OPT_SERVER,
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts exec [--profile P] [--server] -- COMMAND "
	      "[ARGS...]\n\n"
	      "  --profile P          the stored profile (default: the "
	      "account's profile)\n"
	      "  --server             give COMMAND a loopback credentials URI "
	      "that refreshes,\n"
	      "                       instead of static keys\n"
	      "Runs COMMAND (default $SHELL) with ALIBABA_CLOUD_*, ALICLOUD_* "
	      "and OSS_*\ncredentials in its environment; exits with its "
	      "status.\n",
	      f);
}

/* exec --server: the command runs as our child with a credentials URI;
 * we serve it until the child exits, then exit with its status. */
static int run_with_server(struct cli *cli, const char *profile,
                           const struct s2s_creds *c, char **cmd)
{
	struct cli_server srv = { 0 };
	pid_t pid;
	int status;

	srv.profile = profile;
	status = cli_server_open(&srv);
	if (!status)
		status = cli_set_env_server(srv.uri, profile, c->region);
	if (status)
		return status;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return cli_error(EXIT_FAIL, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(srv.fd);
		signal(SIGPIPE, SIG_DFL);
		execvp(cmd[0], cmd);
		cli_error(errno == ENOENT ? 127 : 126, "cannot run %s: %s",
		          cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* Ctrl-C reaches the command (same process group): we keep serving
	 * until it is gone. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	return cli_server_run(cli, &srv, pid);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "server", 0, NULL, OPT_SERVER },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = NULL, *outer;
	struct s2s_creds *c = NULL;
	static char default_shell[] = "/bin/sh";
	char *shell_argv[2] = { NULL, NULL };
	char **cmd;
	bool server = false;
	int ch, status;

	for (;;) {
		ch = getopt_long(argc, argv, "+a:hp:", longopts, NULL);
		if (ch == -1)
			break;
		if (cli_global_opt(cli, ch, optarg))
			continue;
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'p':
		case OPT_PROFILE:
			profile = optarg;
			break;
		case OPT_SERVER:
			server = true;
			break;
		default:
			return cli_usage("exec",
			                 "unknown or incomplete option "
			                 "'%s'",
			                 argv[optind - 1]);
		}
	}
	status = cli_load_config(cli);
	if (status)
		return status;
	profile = cli_profile(cli, profile);
	outer = getenv("SAML2STS_PROFILE");
	if (outer && *outer && strcmp(outer, profile) != 0)
		return cli_error(EXIT_USAGE,
		                 "already inside saml2sts exec for profile "
		                 "'%s': exit that shell first",
		                 outer);
	if (optind < argc) {
		cmd = &argv[optind];
	} else {
		shell_argv[0] = getenv("SHELL");
		if (!shell_argv[0] || !*shell_argv[0])
			shell_argv[0] = default_shell;
		cmd = shell_argv;
	}
	status = cli_fresh_creds(cli, profile, &c);
	if (!status && server)
		status = run_with_server(cli, profile, c, cmd);
	else if (!status)
		status = cli_set_env(c, profile);
	s2s_creds_free(c);
	if (status || server)
		return status;
	fflush(stdout);
	signal(SIGPIPE, SIG_DFL); /* main() ignores it; the command must not */
	execvp(cmd[0], cmd);
	return cli_error(errno == ENOENT ? 127 : 126, "cannot run %s: %s",
	                 cmd[0], strerror(errno));
}
