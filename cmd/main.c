/* SPDX-License-Identifier: MIT */
/*
 * saml2sts: the command table and the dispatcher.  It hardens the
 * process (no core dumps, not dumpable, umask 077), parses the global
 * options, runs one command and checks stdout for write errors.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <saml2sts/session.h>

#include "cli.h"

struct cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

/* clang-format off */
static const struct cmd commands[] = { /* keep sorted */
	{ "adapters",           cmd_adapters,           "list IdP adapters and their MFA factors" },
	{ "configure",          cmd_configure,          "create or update an IdP account" },
	{ "console",            cmd_console,            "open the Alibaba Cloud console signed in" },
	{ "credential-process", cmd_credential_process, "print credentials for the aliyun CLI (External mode)" },
	{ "exec",               cmd_exec,               "run a command with credentials in its environment" },
	{ "export",             cmd_export,             "print credentials for a shell" },
	{ "list-roles",         cmd_list_roles,         "log in to the IdP and list the roles granted" },
	{ "login",              cmd_login,              "log in and store STS credentials" },
	{ "logout",             cmd_logout,             "delete stored credentials" },
	{ "serve",              cmd_serve,              "serve credentials on a loopback credentials URI" },
	{ "status",             cmd_status,             "list stored profiles and their expiry" },
	{ "version",            cmd_version,            "show versions, adapters and stores" },
};
/* clang-format on */

static void usage(FILE *f)
{
	fprintf(f, "usage: saml2sts [global options] COMMAND [options]\n\n"
	           "Turn an enterprise SAML single sign-on into short-lived "
	           "Alibaba Cloud STS credentials.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %s\n", commands[i].name,
		        commands[i].summary);
	fprintf(f,
	        "\nglobal options:\n"
	        "  --config FILE        config file (default "
	        "$SAML2STS_CONFIG,\n"
	        "                       else "
	        "$XDG_CONFIG_HOME/saml2sts/config)\n"
	        "  -a, --account NAME   IdP account (config section), default "
	        "'default'\n"
	        "  --verbose            say more on stderr\n"
	        "  --debug              redacted HTTP trace on stderr\n"
	        "  --quiet              no informational output\n"
	        "  --version            print the version and exit\n"
	        "  -h, --help           this help; 'saml2sts COMMAND --help' "
	        "for a command\n"
	        "\nexit status: 0 ok, 1 error, 2 usage or config, 3 IdP "
	        "rejected the credentials,\n4 MFA failed, 5 IdP page or SAML "
	        "not understood, 6 STS refused, 7 credential\nstore "
	        "unavailable, 8 input or login needed but no prompting, 9 "
	        "network/TLS,\n10 no usable role.  See saml2sts(1).\n");
}

static const struct cmd *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

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
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "version", 0, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const struct cmd *cmd;
	int c, status;

	harden();
	cli.prog = "saml2sts";
	cli.account_name = "default";
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, "+a:hV", longopts, NULL);
		if (c == -1 || !cli_global_opt(&cli, c, optarg))
			break;
	}
	cmd = c == -1 && optind < argc ? find_command(argv[optind]) : NULL;
	if (c == 'h') {
		usage(stdout);
		status = EXIT_OK;
	} else if (c == 'V') {
		status = cmd_version(&cli, 0, NULL);
	} else if (c != -1) {
		status = cli_usage(NULL, "unknown or incomplete option '%s'",
		                   argv[optind - 1]);
	} else if (optind >= argc) {
		usage(stderr);
		status = EXIT_USAGE;
	} else if (!cmd) {
		status = cli_usage(NULL, "unknown command '%s'", argv[optind]);
	} else {
		argc -= optind;
		argv += optind;
		optind = 0; /* reset getopt for the command's own parsing */
		status = cmd->run(&cli, argc, argv);
	}
	s2s_session_free(cli.session);
	s2s_buf_release(&cli.password);
	s2s_config_free(cli.cfg);
	free(cli.config_path);
	return finish(status);
}
