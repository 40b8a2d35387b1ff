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

struct cli {
	const char *prog;
	char *config_path;
	const char *account_name; /* -a/--account, default "default" */
	bool verbose;
	bool debug;
	bool quiet;
	struct s2s_config *cfg;
	const struct s2s_account *acct; /* NULL when the section is absent */
	struct s2s_store *store;
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

/* Keep error lines instead of printing them (on), or print again (off);
 * cli_muted_error() is the last kept line, without the prefix. */
void cli_mute_errors(bool on);
const char *cli_muted_error(void);

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

/* Open the credential store (cli->store) once. */
int cli_open_store(struct cli *cli);

/* The profile name: explicit, else the account's `profile`, else the
 * account name. */
const char *cli_profile(const struct cli *cli, const char *explicit_profile);

/* HTTP session options from the account (timeout, retries, CA bundle
 * from SAML2STS_CA_BUNDLE / CURL_CA_BUNDLE, debug trace). */
int cli_http_new(struct cli *cli, struct s2s_http **out);

/* Is there a terminal to prompt on (and is prompting allowed)? */
bool cli_can_prompt(bool skip_prompt);

/* Local time "YYYY-MM-DD HH:MM TZ" of t. */
void cli_local_time(char *buf, size_t size, time_t t);

/* The account alias of uid from account_aliases, or NULL (caller
 * frees). */
char *cli_account_alias(const struct cli *cli, const char *uid);

/* Prompting: password sources in DESIGN order. */
struct cli_prompt {
	bool allow;                  /* a terminal and no --skip-prompt */
	struct s2s_buf stdin_secret; /* from --password-stdin */
	bool have_stdin_secret;
	struct s2s_store *store; /* save_password: the kept password */
	const char *account;     /* its item's profile (account name) */
};

/* Read the password from stdin (one line, newline stripped). */
int cli_prompt_read_stdin(struct cli_prompt *p);

/* A prompter over p. */
void cli_prompter_init(struct s2s_prompter *out, struct cli_prompt *p);

void cli_prompt_release(struct cli_prompt *p);

/* The progress line of an MFA wait ("approve on your phone ... 12s"):
 * allowed unless --quiet/--verbose/--debug; stopped (and replaced by a
 * plain line) before prompts and when the login returns. */
void cli_progress_allow(bool on);
void cli_progress_stop(void);

/* Ask a question on /dev/tty; secret answers are read without echo. */
s2s_err cli_tty_ask(const char *question, bool secret, struct s2s_buf *answer,
                    struct s2s_error *err);

/* The shared login pipeline (login, list-roles, refresh). */
struct cli_login {
	const char *username; /* --username or NULL */
	bool skip_prompt;
	bool password_stdin;
	const char *sts_endpoint; /* --sts-endpoint or NULL */
	long duration;            /* --duration or 0 */
	bool browser;             /* --browser: the browser adapter */
	bool headless;            /* --headless (implies --browser) */
};

/* Run the adapter: the base64 SAMLResponse goes to saml_b64 and the
 * parsed form to *saml_out. */
int cli_authenticate(struct cli *cli, const struct cli_login *opt,
                     struct s2s_buf *saml_b64, struct s2s_saml **saml_out);

/* Assume role r with the assertion and store the result under profile. */
int cli_assume_and_store(struct cli *cli, const struct cli_login *opt,
                         const struct s2s_buf *saml_b64,
                         const struct s2s_saml *saml, const struct s2s_role *r,
                         const char *profile, struct s2s_creds **out);

/* Assume n roles with the same assertion, in parallel when n > 1, and
 * store each under profiles[i]; out[i] and statuses[i] tell each
 * outcome (successes are stored even when others fail).  Returns the
 * first failure's exit status, or 0. */
int cli_assume_roles(struct cli *cli, const struct cli_login *opt,
                     const struct s2s_buf *saml_b64,
                     const struct s2s_saml *saml,
                     const struct s2s_role *const *roles,
                     const char *const *profiles, size_t n,
                     struct s2s_creds **out, int *statuses);

/* Fresh credentials for profile: from the store while they have more
 * than the window left, else refreshed without prompting when possible,
 * else exit 8 with a hint. */
int cli_fresh_creds(struct cli *cli, const char *profile,
                    struct s2s_creds **out);

/* exec --server: the credentials URI and the variables that make SDKs
 * use it; static keys and outranking providers removed. */
int cli_set_env_server(const char *uri, const char *profile,
                       const char *region);

/* Set (and clear) the environment of DESIGN.md 6 for creds. */
int cli_set_env(const struct s2s_creds *creds, const char *profile);

struct s2s_lock;
struct s2s_login_params;

/* Take the lock called name in the lock directory, waiting up to
 * timeout_ms; *waited (may be NULL) says whether it had to wait. */
int cli_lock(const char *name, long timeout_ms, struct s2s_lock **out,
             bool *waited);

/* s2s_login() under the global login lock, with the kept IdP session
 * loaded before and saved after when remember_session is on. */
int cli_login_locked(struct cli *cli, const struct s2s_login_params *lp,
                     struct s2s_buf *saml_b64);

/* With aliyun_config set, merge an External (or, opted in, StsToken)
 * profile for profile into the aliyun config.json; creds may be NULL. */
int cli_aliyun_handoff(struct cli *cli, const char *profile,
                       const struct s2s_creds *creds);

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
