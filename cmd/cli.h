/* SPDX-License-Identifier: MIT */
/*
 * Shared state of the command-line front end: global options, the loaded
 * config and account, the engine, the message helpers and the one
 * mapping from library error codes to exit statuses.  Only cmd/ prints,
 * prompts or exits.
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

struct s2s_http;
struct s2s_session;

struct cli {
	const char *prog;
	const char *argv0; /* as started: for cli_self_path */
	char *config_path;
	const char *account_name; /* -a/--account, default "default" */
	bool account_given;       /* -a/--account was on the command line */
	bool verbose;
	bool debug;
	bool quiet;
	bool skip_prompt; /* --skip-prompt: never prompt */
	bool no_browser;  /* login --no-browser: device logins open none */
	bool can_prompt;  /* a terminal and no --skip-prompt (cli_session) */
	/* configure, __complete: the section in use may hold unknown keys
	 * (configure checks them before saving) */
	bool lenient_config;
	struct s2s_buf password; /* --password-stdin (secret), or empty */
	struct s2s_config *cfg;
	const struct s2s_account *acct; /* NULL when the section is absent */
	struct s2s_session *session;    /* the engine, made on first use */
	struct s2s_store
	        *store; /* borrowed from the session (CLI_NEED_STORE) */
};

/* Map a library error to an exit status. */
int cli_exit_code(s2s_err code);

/* Print "saml2sts: <msg>" for err and return its exit status. */
int cli_fail(struct cli *cli, const struct s2s_error *err);

/* Print "saml2sts: <formatted>" and return status. */
int cli_error(int status, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* One line on f: the formatted text (no newline in fmt) with every
 * byte a terminal could act on replaced, for text that holds names
 * from the network, the config or the store. */
void cli_printf(FILE *f, const char *fmt, ...)
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

/* Put the system-wide config (organisation defaults) under cfg. */
s2s_err cli_load_system_config(struct s2s_config *cfg, struct s2s_error *err);

/* Load the config (cli->cfg) with the system-wide layer under it, and
 * the account section (cli->acct). */
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

/* The profile a command works on (the first that applies): explicit
 * (--profile), the -a account's profile when -a was given,
 * SAML2STS_PROFILE, the current profile (saml2sts use, the last
 * single-role login) while it holds credentials, the default account's
 * profile (its `profile`, else its name).  Borrowed until the next
 * call. */
const char *cli_profile(struct cli *cli, const char *explicit_profile);

/* Like cli_profile(cli, NULL), and what chose it ("--account",
 * "SAML2STS_PROFILE", "current", "account") in *why. */
const char *cli_default_profile(struct cli *cli, const char **why);

/* An HTTP session for the current account (timeouts, retries, CA
 * bundle, debug trace). */
int cli_http_new(struct cli *cli, struct s2s_http **out);

/* Ctrl-C, SIGTERM and SIGHUP set the engine's cancel flag from now on
 * (interactive logins: the browser is closed, MFA waits stop). */
void cli_catch_cancel(void);

/* EXIT_CANCELLED for a failure after a cancel, else status. */
int cli_cancel_status(int status);

/* The path saml2sts was started by (cmd/selfpath.c): argv0 when it has
 * a slash (made absolute), else its PATH entry; links are not resolved.
 * NULL when that is not this binary.  Computed once; static storage. */
const char *cli_self_path(const char *argv0);

/* Fresh credentials for profile through the engine: a warning when
 * they could not be refreshed but are still valid, the one error line
 * and its exit status otherwise. */
int cli_fresh_creds(struct cli *cli, const char *profile,
                    struct s2s_creds **out);

#endif
