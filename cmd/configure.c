/* SPDX-License-Identifier: MIT */
/*
 * saml2sts configure: create or update an IdP account section from
 * flags (--set KEY=VALUE reaches every config key).  Values are checked
 * before anything is written; the file is replaced atomically and keeps
 * its comments.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <saml2sts/session.h>
#include <saml2sts/site.h>
#include <saml2sts/login.h>
#include <saml2sts/sts.h>
#include <saml2sts/totp.h>
#include <unistd.h>

#include "cli.h"
#include "idpcert.h"
#include "registry.h"

#define MAX_SETS 64

/* --import-saml2alibabacloud[=FILE], handled by cmd/import.c */
static bool import_s2a;
static bool totp_stdin;
static bool save_pw;
static const char *import_path;

/* --idp-cert URL: the fingerprint to expect, or --yes */
static const char *idp_cert_fp;
static bool idp_cert_yes;

enum {
	OPT_PROVIDER = OPT_FIRST_LOCAL,
	OPT_URL,
	OPT_USERNAME,
	OPT_SITE,
	OPT_REGION,
	OPT_PROFILE,
	OPT_ROLE,
	OPT_SESSION_DURATION,
	OPT_MFA,
	OPT_STS_ENDPOINT,
	OPT_IDP_CERT,
	OPT_SET,
	OPT_IMPORT_S2A, /* --import-saml2alibabacloud[=FILE] (cmd/import.c) */
	OPT_IDP_CERT_FP,
	OPT_YES,
	OPT_TOTP_STDIN, /* --totp-secret-stdin */
	OPT_REMEMBER,   /* --remember-session */
	OPT_SAVE_PW,    /* --save-password */
};

struct kv {
	const char *key;
	char *value;
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts [-a ACCOUNT] configure [options]\n\n"
	      "  --provider NAME        IdP adapter (see saml2sts adapters)\n"
	      "  --url URL              IdP-initiated SSO URL for Alibaba "
	      "Cloud\n"
	      "  --username NAME        IdP username\n"
	      "  --totp-secret-stdin    read a Base32 TOTP seed from stdin "
	      "and keep it\n"
	      "                         in the keyring for TOTP MFA\n"
	      "  --site cn|intl         Alibaba Cloud site (default cn)\n"
	      "  --region REGION        region id (default cn-hangzhou)\n"
	      "  --profile P            profile name for stored "
	      "credentials\n"
	      "  --role ARN             role to preselect\n"
	      "  --session-duration S   STS session seconds (900..43200)\n"
	      "  --mfa NAME             MFA factor (auto, totp, push, ...)\n"
	      "  --sts-endpoint URL     STS endpoint override\n"
	      "  --remember-session     keep the IdP session in the store "
	      "for silent logins\n"
	      "  --save-password        keep the IdP password in the store "
	      "(read from stdin,\n"
	      "                         or asked on the terminal)\n"
	      "  --idp-cert FILE|URL    pin the IdP signing certificate (PEM "
	      "file, or\n"
	      "                         fetched from the IdP metadata URL "
	      "after a\n"
	      "                         fingerprint confirmation)\n"
	      "  --idp-cert-fingerprint SHA256\n"
	      "                         the fingerprint --idp-cert URL must "
	      "show\n"
	      "  --yes                  pin what --idp-cert URL shows, "
	      "unconfirmed\n"
	      "  --set KEY=VALUE        set any config key (repeatable); "
	      "an empty value unsets\n"
	      "  --import-saml2alibabacloud[=FILE]\n"
	      "                         import ~/.saml2alibabacloud (or FILE) "
	      "and print what\n"
	      "                         was imported\n",
	      f);
}

static int check_value(const char *key, const char *v)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_adapter *a;
	char *end = NULL;
	char *ep = NULL;
	long n;

	if (!*v)
		return EXIT_OK;
	if (strcmp(key, "provider") == 0 && s2s_adapter_find(&a, v, &err))
		return cli_error(EXIT_USAGE, "%s", err.msg);
	if (strcmp(key, "site") == 0 && !s2s_site_find(v))
		return cli_error(EXIT_USAGE, "site must be cn or intl");
	if (strcmp(key, "url") == 0 && !s2s_url_allowed(v))
		return cli_error(EXIT_USAGE,
		                 "url must be https (http only to a loopback "
		                 "address)");
	if (strcmp(key, "session_duration") == 0) {
		n = strtol(v, &end, 10);
		if (*end || n < S2S_STS_MIN_DURATION ||
		    n > S2S_STS_MAX_DURATION)
			return cli_error(EXIT_USAGE,
			                 "session duration must be 900..43200 "
			                 "seconds");
	}
	if (strcmp(key, "sts_endpoint") == 0 || strcmp(key, "region") == 0) {
		if (s2s_sts_endpoint(&ep, strcmp(key, "region") ? NULL : v,
		                     strcmp(key, "region") ? v : NULL, &err))
			return cli_error(EXIT_USAGE, "%s", err.msg);
		free(ep);
	}
	return EXIT_OK;
}

static int add_kv(struct kv *kv, size_t *n, const char *key, const char *v)
{
	if (*n == MAX_SETS)
		return cli_usage("configure", "too many settings");
	kv[*n].key = key;
	kv[*n].value = strdup(v);
	if (!kv[*n].value)
		return cli_error(EXIT_FAIL, "out of memory");
	(*n)++;
	return EXIT_OK;
}

static int add_set(struct kv *kv, size_t *n, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return cli_usage("configure", "--set wants KEY=VALUE");
	*eq = '\0';
	if (!s2s_config_key_valid(arg))
		return cli_usage("configure", "unknown config key '%s'", arg);
	return add_kv(kv, n, arg, eq + 1);
}

static const char *flag_key(int c)
{
	switch (c) {
	case OPT_PROVIDER:
		return "provider";
	case OPT_URL:
		return "url";
	case OPT_USERNAME:
		return "username";
	case OPT_SITE:
		return "site";
	case OPT_REGION:
		return "region";
	case OPT_PROFILE:
		return "profile";
	case OPT_ROLE:
		return "role_arn";
	case OPT_SESSION_DURATION:
		return "session_duration";
	case OPT_MFA:
		return "mfa";
	case OPT_STS_ENDPOINT:
		return "sts_endpoint";
	case OPT_IDP_CERT:
		return "idp_cert";
	default:
		return NULL;
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct kv *kv,
                 size_t *n)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "provider", 1, NULL, OPT_PROVIDER },
		{ "url", 1, NULL, OPT_URL },
		{ "username", 1, NULL, OPT_USERNAME },
		{ "site", 1, NULL, OPT_SITE },
		{ "region", 1, NULL, OPT_REGION },
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "role", 1, NULL, OPT_ROLE },
		{ "session-duration", 1, NULL, OPT_SESSION_DURATION },
		{ "mfa", 1, NULL, OPT_MFA },
		{ "sts-endpoint", 1, NULL, OPT_STS_ENDPOINT },
		{ "idp-cert", 1, NULL, OPT_IDP_CERT },
		{ "idp-cert-fingerprint", 1, NULL, OPT_IDP_CERT_FP },
		{ "yes", 0, NULL, OPT_YES },
		{ "set", 1, NULL, OPT_SET },
		{ "import-saml2alibabacloud", 2, NULL, OPT_IMPORT_S2A },
		{ "totp-secret-stdin", 0, NULL, OPT_TOTP_STDIN },
		{ "remember-session", 0, NULL, OPT_REMEMBER },
		{ "save-password", 0, NULL, OPT_SAVE_PW },
		{ NULL, 0, NULL, 0 },
	};
	int c, status;

	for (;;) {
		c = getopt_long(argc, argv, "a:h", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == OPT_TOTP_STDIN) {
			totp_stdin = true;
			continue;
		}
		if (c == OPT_SAVE_PW) {
			save_pw = true;
			continue;
		}
		if (c == OPT_IMPORT_S2A) {
			import_s2a = true;
			import_path = optarg;
			continue;
		}
		if (c == OPT_IDP_CERT_FP || c == OPT_YES) {
			idp_cert_fp = c == OPT_YES ? idp_cert_fp : optarg;
			idp_cert_yes = idp_cert_yes || c == OPT_YES;
			continue;
		}
		if (c == OPT_SET)
			status = add_set(kv, n, optarg);
		else if (c == OPT_REMEMBER)
			status = add_kv(kv, n, "remember_session", "true");
		else if (flag_key(c))
			status = add_kv(kv, n, flag_key(c), optarg);
		else
			status = cli_usage("configure",
			                   "unknown or incomplete option '%s'",
			                   argv[optind - 1]);
		if (status)
			return status;
	}
	if (optind < argc)
		return cli_usage("configure", "unexpected argument '%s'",
		                 argv[optind]);
	return EXIT_OK;
}

static int apply(struct cli *cli, struct kv *kv, size_t n)
{
	struct s2s_error err = S2S_ERROR_INIT;
	int status;

	for (size_t i = 0; i < n; i++) {
		char *path = NULL;

		if (strcmp(kv[i].key, "idp_cert") != 0 ||
		    !cli_idp_cert_is_url(kv[i].value))
			continue;
		status = cli_idp_cert_fetch(cli, kv[i].value, idp_cert_fp,
		                            idp_cert_yes, &path);
		if (status)
			return status;
		free(kv[i].value);
		kv[i].value = path;
	}
	for (size_t i = 0; i < n; i++) {
		status = check_value(kv[i].key, kv[i].value);
		if (status)
			return status;
	}
	for (size_t i = 0; i < n; i++)
		if (s2s_config_set(cli->cfg, cli->account_name, kv[i].key,
		                   *kv[i].value ? kv[i].value : NULL, &err))
			return cli_fail(cli, &err);
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (!cli->acct || (!s2s_account_get(cli->acct, "provider") &&
	                   s2s_config_set(cli->cfg, cli->account_name,
	                                  "provider", "form", &err)))
		return err.code ? cli_fail(cli, &err)
		                : cli_error(EXIT_FAIL, "account not created");
	if (s2s_config_save(cli->cfg, cli->config_path, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

/* --totp-secret-stdin: one line of Base32 on stdin, checked, kept in
 * the store as kind "totp-seed" under the account name, and
 * <provider>.totp_seed = keyring set so that logins use it. */
static int store_totp_seed(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf line = S2S_BUF_SECRET_INIT, key = S2S_BUF_SECRET_INIT;
	const struct s2s_adapter *a = NULL;
	struct s2s_store *store = NULL;
	char opt[64], c;
	int status = EXIT_OK;
	ssize_t r;

	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (!cli->acct ||
	    s2s_adapter_find(&a,
	                     s2s_account_get_str(cli->acct, "provider", "form"),
	                     &err))
		return cli_error(EXIT_USAGE,
		                 "--totp-secret-stdin: configure account '%s' "
		                 "(with a --provider) first",
		                 cli->account_name);
	while ((r = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
		if (c != '\r' && s2s_buf_add(&line, &c, 1))
			break;
	c = 0;
	if (s2s_buf_terminate(&line) || line.len == 0)
		status = cli_error(EXIT_NEEDINPUT,
		                   "--totp-secret-stdin: no seed on stdin");
	if (!status && s2s_base32_decode(&key, line.ptr, &err))
		status = cli_error(EXIT_USAGE, "--totp-secret-stdin: %s",
		                   err.msg);
	if (!status)
		status = cli_store(cli, &store);
	if (!status &&
	    s2s_store_put_secret(store, cli->account_name, S2S_TOTP_SEED_KIND,
	                         s2s_account_get_str(cli->acct, "username",
	                                             cli->account_name),
	                         &line, &err))
		status = cli_fail(cli, &err);
	snprintf(opt, sizeof(opt), "%s.totp_seed", s2s_adapter_name(a));
	if (!status && (s2s_config_set(cli->cfg, cli->account_name, opt,
	                               "keyring", &err) ||
	                s2s_config_save(cli->cfg, cli->config_path, &err)))
		status = cli_fail(cli, &err);
	if (!status)
		cli_info(cli,
		         "Stored the TOTP seed of '%s' in the keyring "
		         "(%s = keyring).",
		         cli->account_name, opt);
	s2s_buf_release(&line);
	s2s_buf_release(&key);
	return status;
}

/* --save-password: the IdP password, from stdin when it is not a
 * terminal, else asked without echo, kept in the store as kind
 * "idp-password" under the account name; save_password = true. */
static int store_password(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf pw = S2S_BUF_SECRET_INIT;
	struct s2s_store *store = NULL;
	int status = EXIT_OK;

	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (!cli->acct)
		return cli_error(EXIT_USAGE,
		                 "--save-password: configure account '%s' "
		                 "first",
		                 cli->account_name);
	if (!isatty(STDIN_FILENO)) {
		status = cli_read_password_stdin(cli);
		if (!status &&
		    s2s_buf_add(&pw, cli->password.ptr, cli->password.len))
			status = cli_error(EXIT_FAIL, "out of memory");
		s2s_buf_release(&cli->password);
	} else if (cli_tty_ask("IdP password to keep", true, &pw, &err)) {
		status = cli_fail(cli, &err);
	}
	if (!status && pw.len == 0)
		status = cli_error(EXIT_NEEDINPUT,
		                   "--save-password: no password");
	if (!status)
		status = cli_store(cli, &store);
	if (!status &&
	    s2s_store_put_secret(store, cli->account_name, "idp-password",
	                         s2s_account_get_str(cli->acct, "username",
	                                             cli->account_name),
	                         &pw, &err))
		status = cli_fail(cli, &err);
	if (!status && (s2s_config_set(cli->cfg, cli->account_name,
	                               "save_password", "true", &err) ||
	                s2s_config_save(cli->cfg, cli->config_path, &err)))
		status = cli_fail(cli, &err);
	if (!status)
		cli_info(cli,
		         "Stored the IdP password of '%s' in the %s store.",
		         cli->account_name, s2s_store_backend(store));
	s2s_buf_release(&pw);
	return status;
}

/* aliyun_config: the External profile exists from now on. */
static int handoff(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (!cli_session(cli))
		return EXIT_FAIL;
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (s2s_session_handoff(cli->session, cli->acct, cli_profile(cli, NULL),
	                        NULL, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

int cmd_configure(struct cli *cli, int argc, char **argv)
{
	struct kv kv[MAX_SETS];
	size_t n = 0;
	int status;

	status = parse(cli, argc, argv, kv, &n);
	if (!status && import_s2a && n)
		status = cli_usage("configure",
		                   "--import-saml2alibabacloud goes alone");
	else if (!status && import_s2a)
		return cli_import_saml2alibabacloud(cli, import_path);
	if (!status && totp_stdin && save_pw)
		status = cli_usage("configure",
		                   "--totp-secret-stdin and "
		                   "--save-password both read stdin: one at a "
		                   "time");
	if (!status && n == 0 && save_pw)
		status = cli_load_config(cli);
	if (!status && n == 0 && save_pw)
		return store_password(cli); /* the password alone */
	if (!status && n == 0 && totp_stdin)
		status = cli_load_config(cli);
	if (!status && n == 0 && totp_stdin)
		return store_totp_seed(cli); /* the seed alone */
	if (!status && n == 0 && cli_can_prompt(false))
		return cli_configure_wizard(cli); /* cmd/wizard.c */
	if (!status && n == 0)
		status = cli_usage("configure",
		                   "nothing to set and no terminal for the "
		                   "wizard: pass --provider, --url, ...");
	if (!status)
		status = cli_load_config(cli);
	if (!status)
		status = apply(cli, kv, n);
	if (!status) {
		cli_info(cli, "Saved account '%s' in %s.", cli->account_name,
		         cli->config_path);
		for (size_t i = 0; i < n; i++)
			cli_info(cli, "  %s = %s", kv[i].key, kv[i].value);
		status = handoff(cli);
	}
	if (!status && totp_stdin)
		status = store_totp_seed(cli);
	if (!status && save_pw)
		status = store_password(cli);
	for (size_t i = 0; i < n; i++)
		free(kv[i].value);
	return status < 0 ? EXIT_OK : status;
}
