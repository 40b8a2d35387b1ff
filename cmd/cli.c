/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the commands: messages, exit codes, config and store
 * loading, the HTTP session options, and time formatting.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saml2sts/current.h>
#include <saml2sts/session.h>

#include "cli.h"

int cli_exit_code(s2s_err code)
{
	switch (code) {
	case S2S_OK:
		return EXIT_OK;
	case S2S_ERROR:
	case S2S_ENOMEM:
	case S2S_ENOTFOUND:
	case S2S_EUNSUPPORTED:
		return EXIT_FAIL;
	case S2S_EINVAL:
	case S2S_ECONFIG:
		return EXIT_USAGE;
	case S2S_EAUTH:
		return EXIT_AUTH;
	case S2S_EMFA:
		return EXIT_MFA;
	case S2S_EIDP:
	case S2S_ESAML:
	case S2S_ESIG:
	case S2S_EEXPIRED:
		return EXIT_IDP;
	case S2S_ESTS:
		return EXIT_STS;
	case S2S_ESTORE:
		return EXIT_STORE;
	case S2S_ENEEDINPUT:
		return EXIT_NEEDINPUT;
	case S2S_ENET:
	case S2S_ETLS:
		return EXIT_NET;
	case S2S_ENOROLE:
		return EXIT_NOROLE;
	case S2S_ECANCELLED:
		return EXIT_CANCELLED;
	}
	return EXIT_FAIL;
}

int cli_fail(struct cli *cli, const struct s2s_error *err)
{
	(void)cli;
	return cli_error(cli_exit_code(err->code), "%s",
	                 err->msg[0] ? err->msg : s2s_strerror(err->code));
}

/* prefix, the text made printable (a message may quote an STS answer,
 * an IdP page or a config value), suffix: one write. */
static void put_line(FILE *f, const char *prefix, const char *fmt, va_list ap,
                     const char *suffix)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	s2s_printable(line);
	fprintf(f, "%s%s%s\n", prefix, line, suffix);
}

void cli_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(f, "", fmt, ap, "");
	va_end(ap);
}

int cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(stderr, "saml2sts: ", fmt, ap, "");
	va_end(ap);
	return status;
}

void cli_info(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	put_line(stderr, "", fmt, ap, "");
	va_end(ap);
}

void cli_verbose(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (!cli->verbose)
		return;
	va_start(ap, fmt);
	put_line(stderr, "saml2sts: ", fmt, ap, "");
	va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	char hint[96];
	va_list ap;

	snprintf(hint, sizeof(hint), " (see saml2sts %s%s--help)",
	         cmd ? cmd : "", cmd ? " " : "");
	va_start(ap, fmt);
	put_line(stderr, "saml2sts: ", fmt, ap, hint);
	va_end(ap);
	return EXIT_USAGE;
}

s2s_err cli_load_system_config(struct s2s_config *cfg, struct s2s_error *err)
{
	char *path = NULL;
	s2s_err rc;

	rc = s2s_config_system_path(&path, err);
	if (!rc)
		rc = s2s_config_load_system(cfg, path, err);
	free(path);
	return rc;
}

/* Unknown keys (a typo, or a key of a newer version): an error in the
 * section in use (unless configure checks it itself, before saving),
 * one warning line for all the other sections, on a terminal or with
 * --verbose, so that a failing command without one prints only its
 * error.  Commands answering from the store do not fail on them. */
static int check_keys(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_account *a, *in_use = NULL;
	char first[sizeof(err.msg)] = "", where[80] = "";
	size_t n = 0, total = 0;

	if (cli->acct && !cli->lenient_config) {
		if (s2s_account_check_keys(cli->acct, NULL, &err))
			return cli_fail(cli, &err);
		in_use = cli->acct;
	}
	if (!cli->verbose && !isatty(STDERR_FILENO))
		return EXIT_OK;
	for (size_t i = 0; i < s2s_config_count(cli->cfg); i++) {
		a = s2s_config_at(cli->cfg, i);
		s2s_error_clear(&err);
		if (a == in_use || !s2s_account_check_keys(a, &n, &err))
			continue;
		if (!total) {
			snprintf(first, sizeof(first), "%s", err.msg);
			snprintf(where, sizeof(where), "%s",
			         s2s_account_name(a));
		}
		total += n;
	}
	if (total > 1)
		cli_info(cli,
		         "saml2sts: warning: %s in [%s], and %zu more unknown "
		         "key(s): ignored",
		         first, where, total - 1);
	else if (total)
		cli_info(cli, "saml2sts: warning: %s in [%s]: ignored", first,
		         where);
	return EXIT_OK;
}

int cli_load_config(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (cli->cfg)
		return EXIT_OK;
	if (!cli->config_path &&
	    s2s_config_default_path(&cli->config_path, &err))
		return cli_fail(cli, &err);
	if (s2s_config_load_flags(&cli->cfg, cli->config_path,
	                          S2S_CONFIG_KEEP_UNKNOWN, &err) ||
	    cli_load_system_config(cli->cfg, &err))
		return cli_fail(cli, &err);
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	return check_keys(cli);
}

int cli_need_account(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	int rc = cli_load_config(cli);

	if (rc || !cli_session(cli))
		return rc ? rc : EXIT_FAIL;
	if (s2s_session_account(&cli->acct, cli->session, cli->account_name,
	                        &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

int cli_store(struct cli *cli, struct s2s_store **out)
{
	struct s2s_error err = S2S_ERROR_INIT;

	*out = NULL;
	if (!cli_session(cli))
		return EXIT_FAIL;
	if (s2s_session_store(out, cli->session, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

const char *cli_default_profile(struct cli *cli, const char **why)
{
	static char current[S2S_PROFILE_MAX + 1];
	const char *env = s2s_config_env("SAML2STS_PROFILE");
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *it = NULL;
	char *name = NULL;

	/* -a names the account, and so its profile, on this command line:
	 * it outranks what the shell or the last login left behind. */
	*why = "account";
	if (cli->account_given) {
		*why = "--account";
	} else if (env && !s2s_profile_check(env, NULL)) {
		*why = "SAML2STS_PROFILE";
		return env;
	} else if (!s2s_current_get(&name, &err) && cli_session(cli) &&
	           !s2s_session_stored(&it, cli->session, name, &err)) {
		/* only while it holds credentials: a profile logged out
		 * (or never stored) is no current one */
		snprintf(current, sizeof(current), "%s", name);
		*why = "current";
	}
	free(name);
	s2s_store_items_free(it, it ? 1 : 0);
	if (strcmp(*why, "current") == 0)
		return current;
	return s2s_session_default_profile(cli->acct, cli->account_name);
}

const char *cli_profile(struct cli *cli, const char *explicit_profile)
{
	const char *why = NULL, *p;

	if (explicit_profile)
		return explicit_profile;
	p = cli_default_profile(cli, &why);
	cli_verbose(cli, "profile %s (%s)", p,
	            strcmp(why, "current") == 0   ? "the current profile"
	            : strcmp(why, "account") == 0 ? "the account's profile"
	                                          : why);
	return p;
}

int cli_http_new(struct cli *cli, struct s2s_http **out)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (!cli_session(cli))
		return EXIT_FAIL;
	if (s2s_session_http(out, cli->session, cli->acct, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}
