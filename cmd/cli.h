/* SPDX-License-Identifier: MIT */
/*
 * Shared state of the command-line front end: global options, the loaded
 * config and account, the store, output helpers and the one mapping from
 * library error codes to exit statuses.  Only cmd/ prints, prompts or
 * exits.
 */
#ifndef S2S_CLI_H
#define S2S_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <saml2sts/buf.h>
#include <saml2sts/config.h>
#include <saml2sts/creds.h>
#include <saml2sts/error.h>
#include <saml2sts/http.h>
#include <saml2sts/prompt.h>
#include <saml2sts/saml.h>
#include <saml2sts/store.h>

/* Exit statuses: DESIGN.md section 4. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_MFA = 4,
	EXIT_IDP = 5,
	EXIT_STS = 6,
	EXIT_STORE = 7,
	EXIT_NEEDINPUT = 8,
	EXIT_NET = 9,
	EXIT_NOROLE = 10,
	EXIT_CANCELLED = 130,
};

struct s2s_session;

struct cli {
	const char *prog;
	char *config_path;
	const char *account_name; /* -a/--account, default "default" */
	bool verbose;
	bool debug;
	bool quiet;
	bool skip_prompt; /* --skip-prompt: never prompt */
	bool can_prompt;  /* a terminal and no --skip-prompt (cli_session) */
	struct s2s_buf password; /* --password-stdin (secret), or empty */
	struct s2s_config *cfg;
	const struct s2s_account *acct; /* NULL when the section is absent */
	struct s2s_session *session;    /* the engine, made on first use */
};

/* Global options every command accepts (long option values >= 1000). */
enum {
	OPT_CONFIG = 1000,
	OPT_ACCOUNT,
	OPT_VERBOSE,
	OPT_DEBUG,
	OPT_QUIET,
	OPT_HELP,
	OPT_FIRST_LOCAL, /* commands number their own options from here */
};

#define CLI_GLOBAL_LONGOPTS                                             \
	{ "config", 1, NULL, OPT_CONFIG }, { "account", 1, NULL, 'a' }, \
	        { "verbose", 0, NULL, OPT_VERBOSE },                    \
	        { "debug", 0, NULL, OPT_DEBUG },                        \
	        { "quiet", 0, NULL, OPT_QUIET },                        \
	{                                                               \
		"help", 0, NULL, 'h'                                    \
	}

/* Handle a global option returned by getopt_long; true if it was one. */
bool cli_global_opt(struct cli *cli, int c, const char *arg);

/* Map a library error to an exit status. */
int cli_exit_code(s2s_err code);

/* Print "saml2sts: <msg>" for err and return its exit status. */
int cli_fail(struct cli *cli, const struct s2s_error *err);

/* Print "saml2sts: <formatted>" and return status. */
int cli_error(int status, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Informational line on stderr unless --quiet. */
void cli_info(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Line on stderr with --verbose or --debug. */
void cli_verbose(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Usage error for a command: prints the message and a hint. */
int cli_usage(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Load the config (cli->cfg) and the account section (cli->acct). */
int cli_load_config(struct cli *cli);

/* Like cli_load_config, and fail with exit 2 when the account has no
 * section. */
int cli_need_account(struct cli *cli);

/* The engine for this run (cli_load_config first), made once with the
 * front end's callbacks; NULL after printing the error. */
struct s2s_session *cli_session(struct cli *cli);

/* The credential store through the engine (borrowed), or the error
 * line and its exit status. */
int cli_store(struct cli *cli, struct s2s_store **out);

/* The profile name: explicit, else the account's `profile`, else the
 * account name. */
const char *cli_profile(const struct cli *cli, const char *explicit_profile);

/* An HTTP session for the current account (timeouts, retries, CA
 * bundle, debug trace). */
int cli_http_new(struct cli *cli, struct s2s_http **out);

/* Is there a terminal to prompt on (and is prompting allowed)? */
bool cli_can_prompt(bool skip_prompt);

/* Read the password for --password-stdin into cli->password (one
 * line, newline stripped). */
int cli_read_password_stdin(struct cli *cli);

/* The front end's prompter: questions on /dev/tty when allowed (a
 * terminal and no --skip-prompt), else S2S_ENEEDINPUT naming what is
 * missing; notes as progress lines.  Borrowed. */
const struct s2s_prompter *cli_prompter(struct cli *cli);

/* The progress line of an MFA wait ("approve on your phone ... 12s"):
 * allowed unless --quiet/--verbose/--debug; stopped (and replaced by a
 * plain line) before prompts and when the login returns. */
void cli_progress_allow(bool on);
void cli_progress_stop(void);

/* Ask a question on /dev/tty; secret answers are read without echo. */
s2s_err cli_tty_ask(const char *question, bool secret, struct s2s_buf *answer,
                    struct s2s_error *err);

/* Ctrl-C, SIGTERM and SIGHUP set the engine's cancel flag from now on
 * (interactive logins: the browser is closed, MFA waits stop). */
void cli_catch_cancel(void);

/* EXIT_CANCELLED for a failure after a cancel, else status. */
int cli_cancel_status(int status);

/* Fresh credentials for profile through the engine: a warning when
 * they could not be refreshed but are still valid, the one error line
 * and its exit status otherwise. */
int cli_fresh_creds(struct cli *cli, const char *profile,
                    struct s2s_creds **out);

/* exec --server: the credentials URI and the variables that make SDKs
 * use it; static keys and outranking providers removed. */
int cli_set_env_server(const char *uri, const char *profile,
                       const char *region);

/* Set (and clear) the environment of DESIGN.md 6 for creds. */
int cli_set_env(const struct s2s_creds *creds, const char *profile);

/* The loopback credentials-URI server. */
struct cli_server {
	int fd;
	const char *profile;
	char secret[33]; /* 128 bits, hex */
	char uri[128];
};

/* Listen on 127.0.0.1:0 with a fresh secret; fills fd, secret, uri. */
int cli_server_open(struct cli_server *srv);

/* Serve until child (when > 0) exits; returns its exit status.  With
 * child 0, serves until killed. */
int cli_server_run(struct cli *cli, struct cli_server *srv, pid_t child);

/* configure --import-saml2alibabacloud: import path (NULL: the default
 * ~/.saml2alibabacloud) into the config, printing what was imported. */
int cli_import_saml2alibabacloud(struct cli *cli, const char *path);

/* configure without flags on a terminal: the interactive wizard. */
int cli_configure_wizard(struct cli *cli);

/* Command entry points. */
int cmd_adapters(struct cli *cli, int argc, char **argv);
int cmd_configure(struct cli *cli, int argc, char **argv);
int cmd_console(struct cli *cli, int argc, char **argv);
int cmd_credential_process(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_list_roles(struct cli *cli, int argc, char **argv);
int cmd_login(struct cli *cli, int argc, char **argv);
int cmd_logout(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);

#endif
