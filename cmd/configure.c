/* SPDX-License-Identifier: MIT */
/*
 * saml2sts configure: create or update an IdP account section from
 * flags (--set KEY=VALUE reaches every config key).  Values are checked
 * before anything is written; the file is replaced atomically and keeps
 * its comments.
 */
#include <stdlib.h>
#include <string.h>

#include <saml2sts/session.h>
#include <saml2sts/site.h>
#include <saml2sts/suggest.h>
#include <saml2sts/login.h>
#include <saml2sts/sts.h>
#include <saml2sts/totp.h>
#include <unistd.h>

#include "command.h"
#include "configure.h"
#include "idpcert.h"
#include "registry.h"

#define MAX_SETS 64

enum {
	O_PROVIDER,
	O_URL,
	O_USERNAME,
	O_TOTP_STDIN,
	O_CLIENT_SECRET_STDIN,
	O_SITE,
	O_REGION,
	O_PROFILE,
	O_ROLE,
	O_SESSION_DURATION,
	O_MFA,
	O_STS_ENDPOINT,
	O_REMEMBER,
	O_SAVE_PW,
	O_IDP_CERT,
	O_IDP_CERT_FP,
	O_YES,
	O_SET,
	O_IMPORT_S2A,
	O_LIST,
	O_DELETE,
};

static const struct cli_opt opts[] = {
	[O_PROVIDER] = { "provider", 0, "NAME",
	                 "IdP adapter (see saml2sts adapters), or "
	                 "cloudsso" },
	[O_URL] = { "url", 0, "URL",
	            "IdP-initiated SSO URL for Alibaba Cloud, or the\n"
	            "CloudSSO sign-in URL" },
	[O_USERNAME] = { "username", 0, "NAME", "IdP username" },
	[O_TOTP_STDIN] = { "totp-secret-stdin", 0, NULL,
	                   "read a Base32 TOTP seed from stdin and keep "
	                   "it\nin the keyring for TOTP MFA",
	                   NULL, "save-password" },
	[O_CLIENT_SECRET_STDIN] = { "client-secret-stdin", 0, NULL,
	                            "read the IdP API client secret (onelogin)"
	                            "\nfrom stdin and keep it in the keyring",
	                            NULL, "totp-secret-stdin" },
	[O_SITE] = { "site", 0, "cn|intl", "Alibaba Cloud site (default cn)" },
	[O_REGION] = { "region", 0, "REGION",
	               "region id (default cn-hangzhou)" },
	[O_PROFILE] = { "profile", 'p', "P",
	                "profile name for stored credentials" },
	[O_ROLE] = { "role", 0, "ARN", "role to preselect" },
	[O_SESSION_DURATION] = { "session-duration", 0, "S",
	                         "STS session seconds (900..43200)" },
	[O_MFA] = { "mfa", 0, "NAME", "MFA factor (auto, totp, push, ...)" },
	[O_STS_ENDPOINT] = { "sts-endpoint", 0, "URL",
	                     "STS endpoint override" },
	[O_REMEMBER] = { "remember-session", 0, NULL,
	                 "keep the IdP session in the store for silent "
	                 "logins" },
	[O_SAVE_PW] = { "save-password", 0, NULL,
	                "keep the IdP password in the store (read from "
	                "stdin,\nor asked on the terminal)" },
	[O_IDP_CERT] = { "idp-cert", 0, "FILE|URL",
	                 "pin the IdP signing certificate (PEM file, or\n"
	                 "fetched from the IdP metadata URL after a\n"
	                 "fingerprint confirmation)" },
	[O_IDP_CERT_FP] = { "idp-cert-fingerprint", 0, "SHA256",
	                    "the fingerprint --idp-cert URL must show" },
	[O_YES] = { "yes", 0, NULL,
	            "pin what --idp-cert URL shows, unconfirmed" },
	[O_SET] = { "set", 0, "KEY=VALUE",
	            "set any config key (repeatable); an empty value "
	            "unsets" },
	[O_IMPORT_S2A] = { "import-saml2alibabacloud", 0, "FILE",
	                   "import ~/.saml2alibabacloud (or FILE) and print "
	                   "what\nwas imported",
	                   NULL, NULL, true },
	[O_LIST] = { "list", 0, NULL,
	             "list the IdP accounts: provider, profile, URL" },
	[O_DELETE] = { "delete", 0, "ACCOUNT",
	               "remove the account's section from the config" },
	{ NULL },
};

/* The config key each flag sets. */
static const char *const opt_key[] = {
	[O_PROVIDER] = "provider", [O_URL] = "url",
	[O_USERNAME] = "username", [O_SITE] = "site",
	[O_REGION] = "region",     [O_PROFILE] = "profile",
	[O_ROLE] = "role_arn",     [O_SESSION_DURATION] = "session_duration",
	[O_MFA] = "mfa",           [O_STS_ENDPOINT] = "sts_endpoint",
	[O_IDP_CERT] = "idp_cert", [O_REMEMBER] = "remember_session",
	[O_IMPORT_S2A] = NULL,
};

struct kv {
	const char *key;
	char *value;
};

static int check_value(const char *key, const char *v)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_adapter *a;
	char *end = NULL;
	char *ep = NULL;
	long n;

	if (!*v)
		return EXIT_OK;
	if (strcmp(key, "provider") == 0 && !s2s_session_provider_builtin(v) &&
	    s2s_adapter_find(&a, v, &err))
		return cli_error(EXIT_USAGE, "%s", err.msg);
	if (strcmp(key, "site") == 0 && !s2s_site_find(v))
		return cli_error(EXIT_USAGE, "site must be cn or intl");
	if (strcmp(key, "prompt") == 0 && !cli_prompt_valid(v))
		return cli_error(EXIT_USAGE,
		                 "prompt must be auto, tty, zenity, "
		                 "kdialog or pinentry");
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

	char near[64];

	if (!eq || eq == arg)
		return cli_usage("configure", "--set wants KEY=VALUE");
	*eq = '\0';
	/* an unknown key may be unset (KEY=), never set */
	if (!s2s_config_key_valid(arg) && eq[1] &&
	    s2s_config_key_suggest(near, sizeof(near), arg))
		return cli_usage("configure",
		                 "unknown config key '%s': did you mean '%s'?",
		                 arg, near);
	if (!s2s_config_key_valid(arg) && eq[1])
		return cli_usage("configure", "unknown config key '%s'", arg);
	return add_kv(kv, n, arg, eq + 1);
}

/* The settings of the command line, in its order. */
static int settings(const struct cli_args *args, struct kv *kv, size_t *n)
{
	int status = EXIT_OK;

	for (size_t i = 0; i < args->n && !status; i++) {
		int o = args->seq[i].opt;

		if (o == O_SET)
			status = add_set(kv, n, args->seq[i].val);
		else if (o == O_REMEMBER)
			status = add_kv(kv, n, opt_key[o], "true");
		else if ((size_t)o < sizeof(opt_key) / sizeof(opt_key[0]) &&
		         opt_key[o])
			status = add_kv(kv, n, opt_key[o], args->seq[i].val);
	}
	return status;
}

static int apply(struct cli *cli, const struct cli_args *args, struct kv *kv,
                 size_t n)
{
	struct s2s_error err = S2S_ERROR_INIT;
	int status;

	for (size_t i = 0; i < n; i++) {
		char *path = NULL;

		if (strcmp(kv[i].key, "idp_cert") != 0 ||
		    !cli_idp_cert_is_url(kv[i].value))
			continue;
		status = cli_idp_cert_fetch(
		        cli, kv[i].value, cli_arg(args, O_IDP_CERT_FP),
		        cli_arg(args, O_YES) != NULL, &path);
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
	/* strict for the section configured: nothing is saved while it
	 * holds a key this version does not know */
	if (s2s_account_check_keys(cli->acct, NULL, &err))
		return cli_usage(
		        "configure",
		        "%s; fix it, or unset it with --set KEY=", err.msg);
	if (s2s_config_save(cli->cfg, cli->config_path, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

/* One line of stdin into line (a secret buffer; CR dropped, no echo:
 * stdin is not a terminal here, or the user pipes it); what names it in
 * the error when there is none. */
static int read_secret_line(struct s2s_buf *line, const char *opt,
                            const char *what)
{
	ssize_t r;
	char c;

	while ((r = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
		if (c != '\r' && s2s_buf_add(line, &c, 1))
			break;
	c = 0;
	if (s2s_buf_terminate(line) || line->len == 0)
		return cli_error(EXIT_NEEDINPUT, "%s: no %s on stdin", opt,
		                 what);
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
	char opt[64];
	int status;

	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (!cli->acct ||
	    s2s_adapter_find(&a,
	                     s2s_account_get_str(cli->acct, "provider", "form"),
	                     &err))
		return cli_error(EXIT_USAGE,
		                 "--totp-secret-stdin: configure account '%s' "
		                 "(with a --provider) first",
		                 cli->account_name);
	status = read_secret_line(&line, "--totp-secret-stdin", "seed");
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

/* --client-secret-stdin: one line on stdin (an IdP API client's secret,
 * e.g. OneLogin's), kept in the store as kind "client-secret" under the
 * account name; never in the config file. */
static int store_client_secret(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf line = S2S_BUF_SECRET_INIT;
	struct s2s_store *store = NULL;
	int status;

	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (!cli->acct)
		return cli_error(EXIT_USAGE,
		                 "--client-secret-stdin: configure account "
		                 "'%s' (with a --provider) first",
		                 cli->account_name);
	status = read_secret_line(&line, "--client-secret-stdin", "secret");
	if (!status)
		status = cli_store(cli, &store);
	if (!status &&
	    s2s_store_put_secret(store, cli->account_name, "client-secret",
	                         s2s_account_get_str(cli->acct, "username",
	                                             cli->account_name),
	                         &line, &err))
		status = cli_fail(cli, &err);
	if (!status)
		cli_info(cli,
		         "Stored the API client secret of '%s' in the %s "
		         "store.",
		         cli->account_name, s2s_store_backend(store));
	s2s_buf_release(&line);
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

bool cli_configure_ready(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_session *s = cli_session(cli);

	if (!s || !s2s_session_check(s, cli->account_name, &err))
		return true;
	cli_info(cli, "Not ready to log in yet: %s", err.msg);
	return false;
}

/* aliyun_config: the External profile exists from now on. */
static int handoff(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (!cli_session(cli))
		return EXIT_FAIL;
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	if (s2s_session_handoff(
	            cli->session, cli->acct,
	            s2s_session_default_profile(cli->acct, cli->account_name),
	            NULL, &err))
		return cli_fail(cli, &err);
	return EXIT_OK;
}

/* configure --list: one line per account. */
static int list(struct cli *cli)
{
	size_t n = s2s_config_count(cli->cfg);

	if (n == 0) {
		cli_printf(stdout, "No IdP accounts in %s.", cli->config_path);
		return EXIT_OK;
	}
	printf("%-20s %-16s %-24s %s\n", "ACCOUNT", "PROVIDER", "PROFILE",
	       "URL");
	for (size_t i = 0; i < n; i++) {
		const struct s2s_account *a = s2s_config_at(cli->cfg, i);
		const char *name = s2s_account_name(a);

		cli_printf(
		        stdout, "%-20s %-16s %-24s %s", name,
		        s2s_account_get_str(a, "provider", "form"),
		        s2s_session_default_profile(a, name),
		        s2s_account_get_str(
		                a, "url",
		                s2s_account_get_str(a, "source_profile", "-")));
	}
	return EXIT_OK;
}

/* configure --delete ACCOUNT: the section goes, the rest of the file
 * (comments included) stays; replaced atomically. */
static int delete_account(struct cli *cli, const char *name)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const char *names[64], *near;
	size_t n = 0;

	if (s2s_config_remove_account(cli->cfg, name, &err) == S2S_OK) {
		cli->acct = NULL;
		if (s2s_config_save(cli->cfg, cli->config_path, &err))
			return cli_fail(cli, &err);
		cli_info(cli, "Deleted account '%s' from %s.", name,
		         cli->config_path);
		return EXIT_OK;
	}
	if (err.code != S2S_ENOTFOUND)
		return cli_fail(cli, &err);
	for (size_t i = 0; i < s2s_config_count(cli->cfg) && n < 64; i++)
		names[n++] = s2s_account_name(s2s_config_at(cli->cfg, i));
	near = s2s_suggest(name, names, n);
	if (near)
		return cli_error(EXIT_USAGE, "%s: did you mean '%s'?", err.msg,
		                 near);
	return cli_error(EXIT_USAGE, "%s", err.msg);
}

/* --list and --delete: alone, on a config that may hold unknown keys
 * anywhere (deleting a section is one way to fix it). */
static int list_or_delete(struct cli *cli, const struct cli_args *args,
                          size_t nsettings)
{
	const char *del = cli_arg(args, O_DELETE);
	int status;

	if (nsettings || cli_arg(args, O_IMPORT_S2A) ||
	    cli_arg(args, O_SAVE_PW) || cli_arg(args, O_TOTP_STDIN) ||
	    cli_arg(args, O_CLIENT_SECRET_STDIN) ||
	    (del && cli_arg(args, O_LIST)))
		return cli_usage("configure", "--%s goes alone",
		                 del ? "delete" : "list");
	cli->lenient_config = true;
	status = cli_load_config(cli);
	if (status)
		return status;
	return del ? delete_account(cli, del) : list(cli);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	bool totp_stdin = cli_arg(args, O_TOTP_STDIN) != NULL;
	bool save_pw = cli_arg(args, O_SAVE_PW) != NULL;
	bool secret_stdin = cli_arg(args, O_CLIENT_SECRET_STDIN) != NULL;
	const char *import = cli_arg(args, O_IMPORT_S2A);
	struct kv kv[MAX_SETS];
	size_t n = 0;
	int status;

	status = settings(args, kv, &n);
	if (!status && (cli_arg(args, O_LIST) || cli_arg(args, O_DELETE))) {
		status = list_or_delete(cli, args, n);
		goto out;
	}
	if (!status && secret_stdin && save_pw && !isatty(STDIN_FILENO))
		status = cli_usage("configure",
		                   "--client-secret-stdin reads stdin: give "
		                   "the password of --save-password on the "
		                   "terminal, or separately");
	if (!status && import && n)
		status = cli_usage("configure",
		                   "--import-saml2alibabacloud goes alone");
	else if (!status && import)
		return cli_import_saml2alibabacloud(cli,
		                                    *import ? import : NULL);
	if (!status && n == 0 && secret_stdin) {
		status = cli_load_config(cli);
		if (!status) /* the secret alone (and a typed password) */
			status = store_client_secret(cli);
		if (!status && save_pw)
			status = store_password(cli);
		goto out;
	}
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
	cli->lenient_config = true; /* apply() checks before saving */
	if (!status)
		status = cli_load_config(cli);
	if (!status)
		status = apply(cli, args, kv, n);
	if (!status) {
		cli_info(cli, "Saved account '%s' in %s.", cli->account_name,
		         cli->config_path);
		for (size_t i = 0; i < n; i++)
			cli_info(cli, "  %s = %s", kv[i].key, kv[i].value);
		status = handoff(cli);
		if (!status)
			(void)cli_configure_ready(cli);
	}
	if (!status && totp_stdin)
		status = store_totp_seed(cli);
	if (!status && secret_stdin)
		status = store_client_secret(cli);
	if (!status && save_pw)
		status = store_password(cli);
out:
	for (size_t i = 0; i < n; i++)
		free(kv[i].value);
	return status;
}

const struct cli_command cli_cmd_configure = {
	.name = "configure",
	.summary = "create or update an IdP account",
	.opts = opts,
	.run = run,
};
