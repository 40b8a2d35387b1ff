/* SPDX-License-Identifier: MIT */
/*
 * The command table.  Each command describes itself once: its name, a
 * summary, its options with their help, what it needs before it runs
 * (config, account, store) and its run function.  One parser turns
 * argv into the options given, in order, and one printer writes the
 * usage from the same description, so --help, the parser and the man
 * page test cannot drift apart.
 */
#ifndef S2S_CMD_COMMAND_H
#define S2S_CMD_COMMAND_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "prompt.h"

/* One option: --name (and -letter), its argument's name in the usage
 * (NULL for a flag), its help (a '\n' continues it on the next line)
 * and, for a value that is one of a few words, those words
 * ("text|json"): the parser checks them and the usage shows them as
 * the argument. */
struct cli_opt {
	const char *name;
	char letter;
	const char *arg;
	const char *help;
	const char *choices;
	const char *excludes; /* the option this one cannot go with */
	bool optional_arg;    /* --name[=ARG] */
	/* what the option does to the front end, before the command's
	 * needs are met (the session is made knowing --skip-prompt) */
	int (*apply)(struct cli *cli);
};

/* The --profile option of the commands that read a stored profile;
 * without it, cli_profile() chooses (the current profile, ...). */
#define CLI_OPT_PROFILE(what)                                    \
	{                                                        \
		"profile", 'p', "P",                             \
		        what " (default: the current profile,\n" \
		             "see saml2sts use --help)",         \
	}

/* The options of the commands that log in at the IdP. */
int cli_skip_prompt(struct cli *cli);
#define CLI_OPT_USERNAME                                           \
	{                                                          \
		"username", 0, "NAME", "IdP username for this run" \
	}
#define CLI_OPT_PASSWORD_STDIN                                             \
	{                                                                  \
		"password-stdin", 0, NULL, "read the password from stdin", \
		        NULL, NULL, false, cli_read_password_stdin,        \
	}
#define CLI_OPT_SKIP_PROMPT                                               \
	{                                                                 \
		"skip-prompt", 0, NULL,                                   \
		        "never prompt: exit 8 if input is missing", NULL, \
		        NULL, false, cli_skip_prompt,                     \
	}

enum {
	CLI_NEED_CONFIG = 1 << 0,  /* the config file, loaded */
	CLI_NEED_ACCOUNT = 1 << 1, /* the -a account's section (and config) */
	CLI_NEED_STORE = 1 << 2,   /* the credential store (and config) */
	CLI_OPERANDS = 1 << 3,     /* options end at the first operand */
};

/* What the command line said: the options in the order given (an
 * option's index in its table and its value in argv, "" for a flag)
 * and the operands after them. */
struct cli_args {
	struct cli_optval {
		int opt;
		char *val;
	} * seq;
	size_t n;
	char **operands;
	int noperands;
};

struct cli_command {
	const char *name;
	const char *summary;
	const char *synopsis;       /* after the name; NULL: "[options]" */
	const char *epilog;         /* text after the options, or NULL */
	const struct cli_opt *opts; /* ends with an entry without a name */
	unsigned int flags;         /* CLI_NEED_*, CLI_OPERANDS */
	int (*run)(struct cli *cli, const struct cli_args *args);
};

/* The last value given for option opt (index in the command's table),
 * "" for a flag, NULL when absent. */
const char *cli_arg(const struct cli_args *args, int opt);

/* Parse argv (argv[0] is the command's name) into args: global options
 * go to cli, -h/--help returns CLI_HELP, a bad option is the usage line
 * and EXIT_USAGE.  args->seq is freed by cli_args_release. */
#define CLI_HELP (-1)
int cli_parse(struct cli *cli, const struct cli_command *cmd, int argc,
              char **argv, struct cli_args *args);
void cli_args_release(struct cli_args *args);

/* Print the options of a table, two columns. */
void cli_print_opts(FILE *f, const struct cli_opt *opts);

/* The global options, for the top-level usage. */
extern const struct cli_opt cli_global_opts[];

/* Parse, print the usage for --help, get what the command needs, and
 * run it. */
int cli_run(struct cli *cli, const struct cli_command *cmd, int argc,
            char **argv);

/* saml2sts --version, the same as saml2sts version. */
int cli_version(void);

/* The commands (cmd/<name>.c). */
extern const struct cli_command cli_cmd_adapters;
extern const struct cli_command cli_cmd_configure;
extern const struct cli_command cli_cmd_console;
extern const struct cli_command cli_cmd_credential_process;
extern const struct cli_command cli_cmd_doctor;
extern const struct cli_command cli_cmd_exec;
extern const struct cli_command cli_cmd_export;
extern const struct cli_command cli_cmd_list_roles;
extern const struct cli_command cli_cmd_login;
extern const struct cli_command cli_cmd_logout;
extern const struct cli_command cli_cmd_serve;
extern const struct cli_command cli_cmd_shell_init;
extern const struct cli_command cli_cmd_status;
extern const struct cli_command cli_cmd_use;
extern const struct cli_command cli_cmd_version;
extern const struct cli_command cli_cmd_whoami;
/* hidden: words for the shell completions (cmd/complete.c) */
extern const struct cli_command cli_cmd_complete;

#endif
