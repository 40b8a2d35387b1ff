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

#include "cli.h"

bool cli_global_opt(struct cli *cli, int c, const char *arg)
{
	switch (c) {
	case OPT_CONFIG:
		free(cli->config_path);
		cli->config_path = strdup(arg);
		return true;
	case 'a':
		cli->account_name = arg;
		return true;
	case OPT_VERBOSE:
		cli->verbose = true;
		return true;
	case OPT_DEBUG:
		cli->debug = true;
		cli->verbose = true;
		return true;
	case OPT_QUIET:
		cli->quiet = true;
		return true;
	default:
		return false;
	}
}

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

/* While muted, error lines are kept (the last one) instead of printed:
 * a silent refresh that fails must not add lines to the one error the
 * command prints. */
static bool muted;
static char kept[512];

void cli_mute_errors(bool on)
{
	muted = on;
	if (on)
		kept[0] = '\0';
}

const char *cli_muted_error(void)
{
	return kept;
}

int cli_fail(struct cli *cli, const struct s2s_error *err)
{
	(void)cli;
	return cli_error(cli_exit_code(err->code), "%s",
	                 err->msg[0] ? err->msg : s2s_strerror(err->code));
}

int cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (muted) {
		vsnprintf(kept, sizeof(kept), fmt, ap);
	} else {
		fputs("saml2sts: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	return status;
}

void cli_info(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_verbose(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (!cli->verbose)
		return;
	fputs("saml2sts: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("saml2sts: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, " (see saml2sts %s --help)\n", cmd);
	else
		fputs(" (see saml2sts --help)\n", stderr);
	return EXIT_USAGE;
}

int cli_load_config(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (cli->cfg)
		return EXIT_OK;
	if (!cli->config_path &&
	    s2s_config_default_path(&cli->config_path, &err))
		return cli_fail(cli, &err);
	if (s2s_config_load(&cli->cfg, cli->config_path, &err))
		return cli_fail(cli, &err);
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	return EXIT_OK;
}

int cli_need_account(struct cli *cli)
{
	int rc = cli_load_config(cli);

	if (rc)
		return rc;
	if (!cli->acct)
		return cli_error(
		        EXIT_USAGE,
		        "no IdP account '%s' in %s: run saml2sts "
		        "configure%s%s --provider NAME --url URL",
		        cli->account_name, cli->config_path,
		        strcmp(cli->account_name, "default") ? " -a " : "",
		        strcmp(cli->account_name, "default") ? cli->account_name
		                                             : "");
	return EXIT_OK;
}

/* The file store's passphrase: SAML2STS_FILE_PASSPHRASE, else a no-echo
 * prompt on the terminal. */
static s2s_err ask_passphrase(void *payload, struct s2s_buf *out,
                              struct s2s_error *err)
{
	const char *env = s2s_config_env("SAML2STS_FILE_PASSPHRASE");

	(void)payload;
	s2s_buf_reset(out);
	if (env) {
		if (s2s_buf_puts(out, env))
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
		return S2S_OK;
	}
	if (!cli_can_prompt(false))
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "the encrypted file store needs a "
		                     "passphrase: set SAML2STS_FILE_PASSPHRASE "
		                     "or run on a terminal");
	return cli_tty_ask("Passphrase of the saml2sts file store", true, out,
	                   err);
}

int cli_open_store(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_opts o = { 0 };
	char *data = NULL, *dir = NULL;
	int status = EXIT_OK;

	if (cli->store)
		return EXIT_OK;
	o.backend = s2s_config_env("SAML2STS_KEYRING_BACKEND");
	o.passphrase = ask_passphrase;
	if (s2s_config_data_dir(&data, &err))
		return cli_fail(cli, &err);
	dir = malloc(strlen(data) + sizeof("/store"));
	if (!dir) {
		free(data);
		return cli_error(EXIT_FAIL, "out of memory");
	}
	memcpy(dir, data, strlen(data));
	memcpy(dir + strlen(data), "/store", sizeof("/store"));
	o.dir = dir;
	if (!o.backend) {
		/* auto: the Secret Service when there is one, else the
		 * encrypted files, said on a terminal (a failing command
		 * without one prints only its error) */
		o.backend = "secret-service";
		if (!s2s_store_open_opts(&cli->store, &o, &err))
			goto out;
		if (cli->verbose || isatty(STDERR_FILENO))
			cli_info(cli,
			         "saml2sts: no Secret Service (%s); using "
			         "the encrypted file store in %s",
			         err.msg, dir);
		s2s_error_clear(&err);
		o.backend = "file";
	}
	if (s2s_store_open_opts(&cli->store, &o, &err))
		status = cli_fail(cli, &err);
out:
	free(data);
	free(dir);
	return status;
}

const char *cli_profile(const struct cli *cli, const char *explicit_profile)
{
	const char *p;

	if (explicit_profile)
		return explicit_profile;
	p = cli->acct ? s2s_account_get(cli->acct, "profile") : NULL;
	return p ? p : cli->account_name;
}

static void trace_line(const char *line, void *payload)
{
	(void)payload;
	fprintf(stderr, "saml2sts: debug: %s\n", line);
}

int cli_http_new(struct cli *cli, struct s2s_http **out)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_http_opts o = { 0 };
	long timeout = 60, retries = 2;

	if (cli->acct && (s2s_account_get_long(&timeout, cli->acct, "timeout",
	                                       1, 3600, 60, &err) ||
	                  s2s_account_get_long(&retries, cli->acct,
	                                       "http_retries", 0, 10, 2, &err)))
		return cli_fail(cli, &err);
	o.timeout_ms = timeout * 1000;
	o.connect_timeout_ms = timeout < 10 ? timeout * 1000 : 10000;
	o.retries = (int)retries;
	o.ca_bundle = s2s_config_env("SAML2STS_CA_BUNDLE");
	if (!o.ca_bundle)
		o.ca_bundle = s2s_config_env("CURL_CA_BUNDLE");
	if (cli->debug)
		o.trace = trace_line;
	if (s2s_http_new(out, &o, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

bool cli_can_prompt(bool skip_prompt)
{
	int fd;

	if (skip_prompt || (!isatty(STDIN_FILENO) && !isatty(STDERR_FILENO)))
		return false;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void cli_local_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M %Z", &tm))
		snprintf(buf, size, "%s", "?");
}

char *cli_account_alias(const struct cli *cli, const char *uid)
{
	const char *list =
	        cli->acct ? s2s_account_get(cli->acct, "account_aliases")
	                  : NULL;
	size_t ulen = strlen(uid);

	/* "uid=alias, uid=alias" */
	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		const char *eq = memchr(list, '=', n);

		while (n && (*list == ' ' || *list == '\t')) {
			list++;
			n--;
		}
		eq = memchr(list, '=', n);
		if (eq && (size_t)(eq - list) == ulen &&
		    strncmp(list, uid, ulen) == 0) {
			const char *a = eq + 1;
			size_t alen = n - ulen - 1;

			while (alen &&
			       (a[alen - 1] == ' ' || a[alen - 1] == '\t'))
				alen--;
			while (alen && (*a == ' ' || *a == '\t')) {
				a++;
				alen--;
			}
			return strndup(a, alen);
		}
		list = end ? end + 1 : NULL;
	}
	return NULL;
}
