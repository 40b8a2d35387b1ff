/* SPDX-License-Identifier: MIT */
/*
 * saml2sts: the command table and the dispatcher.  It hardens the
 * process (no core dumps, not dumpable, umask 077), parses the global
 * options, runs one command and checks stdout for write errors.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <saml2sts/session.h>
#include <saml2sts/suggest.h>

#include "command.h"

static const struct cli_command cmd_help;

static const struct cli_command *const commands[] = {
	/* keep sorted */
	&cli_cmd_adapters,   &cli_cmd_configure,
	&cli_cmd_console,    &cli_cmd_credential_process,
	&cli_cmd_doctor,     &cli_cmd_exec,
	&cli_cmd_export,     &cmd_help,
	&cli_cmd_list_roles, &cli_cmd_login,
	&cli_cmd_logout,     &cli_cmd_serve,
	&cli_cmd_shell_init, &cli_cmd_status,
	&cli_cmd_use,        &cli_cmd_version,
	&cli_cmd_whoami,
};

enum { O_VERSION };

/* saml2sts [global options] COMMAND ...: the global options (parsed
 * by cli_parse with the commands' own), --version, and the command. */
static const struct cli_command top = {
	.opts =
	        (const struct cli_opt[]){
	                [O_VERSION] = { "version", 'V', NULL,
	                                "print the version and exit" },
	                { NULL },
	        },
	.flags = CLI_OPERANDS,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: saml2sts [global options] COMMAND [options]\n\n"
	           "Turn an enterprise SAML single sign-on into short-lived "
	           "Alibaba Cloud STS credentials.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %s\n", commands[i]->name,
		        commands[i]->summary);
	fputs("\nglobal options:\n", f);
	cli_print_opts(f, cli_global_opts);
	cli_print_opts(f, top.opts);
	fputs("  -h, --help            this help; 'saml2sts COMMAND --help' "
	      "for a command\n"
	      "\nexit status: 0 ok, 1 error, 2 usage or config, 3 IdP "
	      "rejected the credentials,\n4 MFA failed, 5 IdP page or SAML "
	      "not understood, 6 STS refused, 7 credential\nstore "
	      "unavailable, 8 input or login needed but no prompting, 9 "
	      "network/TLS,\n10 no usable role.  See saml2sts(1).\n",
	      f);
}

/* Commands for scripts, not in the usage (the shell completions). */
static const struct cli_command *const hidden[] = {
	&cli_cmd_complete,
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (strcmp(hidden[i]->name, name) == 0)
			return hidden[i];
	return NULL;
}

/* "unknown command 'logn': did you mean 'login'?" */
static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0])];
	const char *near;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[i] = commands[i]->name;
	near = s2s_suggest(name, names, sizeof(names) / sizeof(names[0]));
	if (near)
		return cli_usage(NULL,
		                 "unknown command '%s': did you mean '%s'?",
		                 name, near);
	return cli_usage(NULL, "unknown command '%s'", name);
}

/* saml2sts help [COMMAND]: the same as saml2sts [COMMAND] --help. */
static int help_run(struct cli *cli, const struct cli_args *args)
{
	static char help_flag[] = "--help";
	char *argv[] = { NULL, help_flag, NULL };
	const struct cli_command *cmd;

	if (args->noperands == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (args->noperands > 1)
		return cli_usage("help", "unexpected argument '%s'",
		                 args->operands[1]);
	cmd = find_command(args->operands[0]);
	if (!cmd)
		return unknown_command(args->operands[0]);
	argv[0] = args->operands[0];
	return cli_run(cli, cmd, 2, argv);
}

static const struct cli_command cmd_help = {
	.name = "help",
	.summary = "show the usage of saml2sts or of a command",
	.synopsis = "[COMMAND]",
	.flags = CLI_OPERANDS,
	.run = help_run,
};

static void harden(void)
{
	struct rlimit rl = { 0, 0 };

	/* Secrets live in this process: no core file, no ptrace by peers
	 * of the same uid, and every file we create is private. */
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	/* A peer that closes a socket or pipe (a credentials-URI client,
	 * Chromium's DevTools pipe, a closed stdout) is an error to handle,
	 * not a reason to die; exec restores the default for its command. */
	signal(SIGPIPE, SIG_IGN);
}

static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (status == EXIT_OK)
			status = cli_error(EXIT_FAIL, "write error on stdout");
	}
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct cli_args args;
	const struct cli_command *cmd;
	int status;

	harden();
	cli.prog = "saml2sts";
	cli.argv0 = argv[0];
	cli.account_name = "default";
	status = cli_parse(&cli, &top, argc, argv, &args);
	if (status == CLI_HELP) {
		usage(stdout);
		status = EXIT_OK;
	} else if (status) {
		/* the usage line is out */
	} else if (cli_arg(&args, O_VERSION)) {
		status = cli_version();
	} else if (args.noperands == 0) {
		usage(stderr);
		status = EXIT_USAGE;
	} else if (!(cmd = find_command(args.operands[0]))) {
		status = unknown_command(args.operands[0]);
	} else {
		status = cli_run(&cli, cmd, args.noperands, args.operands);
	}
	cli_args_release(&args);
	s2s_session_free(cli.session);
	s2s_buf_release(&cli.password);
	s2s_config_free(cli.cfg);
	free(cli.config_path);
	return finish(status);
}
