/* SPDX-License-Identifier: MIT */
/*
 * saml2sts exec --profile P -- CMD ARGS...: replace this process with
 * CMD, its environment carrying the profile's credentials (DESIGN.md 6),
 * so CMD's exit status is the exit status.  No CMD runs $SHELL, after
 * one banner line on stderr.  The nesting guard reads the marker only
 * exec sets, so a shell that ran export (s2s use) may still exec.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "env.h"

enum { O_PROFILE, O_SERVER };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	[O_SERVER] = { "server", 0, NULL,
	               "give COMMAND a loopback credentials URI that "
	               "refreshes,\ninstead of static keys" },
	{ NULL },
};

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

/* The shell we start says once what it holds; a command says nothing. */
static void banner(const struct cli *cli, const char *profile,
                   const struct s2s_creds *c)
{
	long left = s2s_creds_remaining(c, time(NULL)) / 60;
	char when[64];

	s2s_time_format_local(when, sizeof(when), c->expiration);
	cli_info(cli, "saml2sts: shell for '%s' until %s (%ld min)", profile,
	         when, left > 0 ? left : 0);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *profile = cli_profile(cli, cli_arg(args, O_PROFILE));
	bool server = cli_arg(args, O_SERVER) != NULL;
	const char *outer = getenv(CLI_ENV_EXEC_MARKER);
	struct s2s_creds *c = NULL;
	static char default_shell[] = "/bin/sh";
	char *shell_argv[2] = { NULL, NULL };
	char **cmd;
	int status;

	if (outer && *outer && strcmp(outer, profile) != 0)
		return cli_error(EXIT_USAGE,
		                 "already inside saml2sts exec for profile "
		                 "'%s': exit that shell first",
		                 outer);
	if (args->noperands > 0) {
		cmd = args->operands;
	} else {
		shell_argv[0] = getenv("SHELL");
		if (!shell_argv[0] || !*shell_argv[0])
			shell_argv[0] = default_shell;
		cmd = shell_argv;
	}
	status = cli_fresh_creds(cli, profile, &c);
	if (!status && args->noperands == 0)
		banner(cli, profile, c);
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

const struct cli_command cli_cmd_exec = {
	.name = "exec",
	.summary = "run a command with credentials in its environment",
	.synopsis = "[--profile P] [--server] -- COMMAND [ARGS...]",
	.epilog = "Runs COMMAND (default $SHELL) with ALIBABA_CLOUD_*, "
	          "ALICLOUD_* and OSS_*\ncredentials in its environment; "
	          "exits with its status.",
	.opts = opts,
	.flags = CLI_NEED_CONFIG | CLI_OPERANDS,
	.run = run,
};
