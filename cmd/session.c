/* SPDX-License-Identifier: MIT */
/*
 * The login pipeline shared by login, list-roles and the silent refresh
 * of credential-process and exec: adapter -> SAMLResponse -> parse ->
 * STS -> store.  Also the freshness rule and the exec environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saml2sts/adapter.h>
#include <saml2sts/lock.h>
#include <saml2sts/saml.h>
#include <saml2sts/login.h>
#include <saml2sts/secret.h>
#include <saml2sts/site.h>
#include <saml2sts/sts.h>

#include "cli.h"
#include "json_out.h"
#include "registry.h"

extern char **environ;

#define REFRESH_LOCK_MS 120000L

static int find_adapter(struct cli *cli, const char *name,
                        const struct s2s_adapter **out)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (!name)
		name = s2s_account_get(cli->acct, "provider");

	if (!name)
		return cli_error(EXIT_USAGE,
		                 "account '%s' has no provider: run saml2sts "
		                 "configure --provider NAME",
		                 cli->account_name);
	if (s2s_adapter_find(out, name, &err)) {
		if (err.code == S2S_ENOTFOUND)
			err.code = S2S_ECONFIG;
		return cli_fail(cli, &err);
	}
	return EXIT_OK;
}

/* A small local file (a PEM certificate or SAML metadata), "~/" being
 * $HOME; S2S_ECONFIG when it cannot be read. */
static s2s_err read_small_file(struct s2s_buf *out, const char *key,
                               const char *path, struct s2s_error *err)
{
	char full[4096];
	char chunk[4096];
	const char *home = s2s_config_env("HOME");
	FILE *f;
	size_t n;
	s2s_err rc = S2S_OK;

	if (strncmp(path, "~/", 2) == 0 && home)
		snprintf(full, sizeof(full), "%s/%s", home, path + 2);
	else
		snprintf(full, sizeof(full), "%s", path);
	f = fopen(full, "rb");
	if (!f)
		return s2s_error_set(err, S2S_ECONFIG, "%s: cannot read %s",
		                     key, full);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > (size_t)1024 * 1024)
			rc = s2s_error_set(err, S2S_ECONFIG,
			                   "%s: %s is larger than 1 MiB", key,
			                   full);
		else if (s2s_buf_add(out, chunk, n))
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	if (!rc && ferror(f))
		rc = s2s_error_set(err, S2S_ECONFIG, "%s: cannot read %s", key,
		                   full);
	if (!rc && s2s_buf_terminate(out))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	fclose(f);
	return rc;
}

/* The pinned certificates of verify mode (idp_cert, else the signing
 * certificates of idp_metadata with its entityID as the issuer). */
static s2s_err load_trust(struct cli *cli, struct s2s_buf *pem, char **issuer,
                          struct s2s_error *err)
{
	const char *cert = s2s_account_get(cli->acct, "idp_cert");
	const char *md = s2s_account_get(cli->acct, "idp_metadata");
	struct s2s_buf xml = S2S_BUF_INIT;
	s2s_err rc;

	*issuer = NULL;
	if (cert)
		return read_small_file(pem, "idp_cert", cert, err);
	rc = read_small_file(&xml, "idp_metadata", md, err);
	if (!rc)
		rc = s2s_saml_metadata_certs(pem, issuer, xml.ptr, xml.len,
		                             err);
	s2s_buf_release(&xml);
	return rc;
}

/* Parse the SAMLResponse; in verify mode (idp_cert or idp_metadata set)
 * verify its signature with the pinned key and read only what it
 * covers, then check audience and recipient of the site and the times
 * with clock_skew. */
static int parse_assertion(struct cli *cli, const struct s2s_site *site,
                           const struct s2s_buf *saml_b64,
                           struct s2s_saml **saml_out)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_saml_trust trust = { 0 };
	struct s2s_buf pem = S2S_BUF_INIT;
	char *issuer = NULL;
	long skew = S2S_SAML_DEFAULT_SKEW;
	s2s_err rc;

	if (!s2s_account_get(cli->acct, "idp_cert") &&
	    !s2s_account_get(cli->acct, "idp_metadata")) {
		if (s2s_saml_parse(saml_out, saml_b64->ptr, saml_b64->len,
		                   &err))
			return cli_fail(cli, &err);
		return EXIT_OK;
	}
	rc = s2s_account_get_long(&skew, cli->acct, "clock_skew", 0, 3600,
	                          S2S_SAML_DEFAULT_SKEW, &err);
	if (!rc)
		rc = load_trust(cli, &pem, &issuer, &err);
	if (!rc) {
		trust.certs_pem = pem.ptr;
		trust.audience = site->audience;
		trust.recipient = site->acs_url;
		trust.issuer = issuer;
		trust.clock_skew = skew;
		rc = s2s_saml_verify(saml_out, saml_b64->ptr, saml_b64->len,
		                     &trust, &err);
	}
	if (!rc)
		cli_verbose(cli, "the assertion signature verified with the "
		                 "pinned IdP certificate");
	s2s_buf_release(&pem);
	free(issuer);
	if (rc) {
		if (rc == S2S_ESIG || rc == S2S_EEXPIRED || rc == S2S_ESAML)
			return cli_error(EXIT_IDP, "verify mode: %s", err.msg);
		return cli_fail(cli, &err);
	}
	return EXIT_OK;
}

/* Kept secrets for the adapter: the TOTP seed from the store. */
static s2s_err kept_get(void *payload, const char *kind, struct s2s_buf *out,
                        struct s2s_error *err)
{
	struct cli *cli = payload;

	if (strcmp(kind, "totp-seed") != 0)
		return s2s_error_set(err, S2S_ENOTFOUND, "nothing kept");
	return s2s_store_get_secret(out, cli->store, cli->account_name, kind,
	                            err);
}

/* An adapter that answers TOTP from a seed in the store
 * (<adapter>.totp_seed = keyring) gets the store opened. */
static int totp_seed_store(struct cli *cli, struct s2s_login_params *lp)
{
	static struct s2s_kept kept;

	char key[64];
	const char *v;
	int status;

	snprintf(key, sizeof(key), "%s.totp_seed",
	         s2s_adapter_name(lp->adapter));
	v = s2s_account_get(cli->acct, key);
	if (!v || strcmp(v, "keyring") != 0)
		return EXIT_OK;
	status = cli_open_store(cli);
	if (!status) {
		kept.get = kept_get;
		kept.payload = cli;
		lp->kept = &kept;
	}
	return status;
}

/* save_password = true: the prompter may take the password kept in the
 * store (after --password-stdin and SAML2STS_PASSWORD, before the tty). */
static int saved_password_store(struct cli *cli, struct cli_prompt *prompt)
{
	struct s2s_error err = S2S_ERROR_INIT;
	bool on = false;
	int status;

	if (s2s_account_get_bool(&on, cli->acct, "save_password", false, &err))
		return cli_fail(cli, &err);
	if (!on)
		return EXIT_OK;
	status = cli_open_store(cli);
	if (!status) {
		prompt->store = cli->store;
		prompt->account = cli->account_name;
	}
	return status;
}

int cli_authenticate(struct cli *cli, const struct cli_login *opt,
                     struct s2s_buf *saml_b64, struct s2s_saml **saml_out)
{
	struct s2s_login_params lp = { 0 };
	struct cli_prompt prompt = { 0 };
	struct s2s_prompter prompter;
	const struct s2s_site *site;
	struct s2s_http *http = NULL;
	int status;

	*saml_out = NULL;
	status = cli_need_account(cli);
	if (!status)
		status = find_adapter(cli, opt->browser ? "browser" : NULL,
		                      &lp.adapter);
	if (status)
		return status;
	lp.flags = opt->headless ? S2S_LOGIN_HEADLESS : 0;
	site = s2s_site_find(s2s_account_get(cli->acct, "site"));
	if (!site)
		return cli_error(EXIT_USAGE, "site must be cn or intl");
	prompt.allow = cli_can_prompt(opt->skip_prompt);
	if (opt->password_stdin) {
		status = cli_prompt_read_stdin(&prompt);
		if (status)
			return status;
	}
	status = saved_password_store(cli, &prompt);
	if (status)
		return status;
	cli_prompter_init(&prompter, &prompt);
	status = cli_http_new(cli, &http);
	if (status)
		goto out;
	lp.acct = cli->acct;
	lp.http = http;
	lp.prompter = &prompter;
	lp.site_acs_url = site->acs_url;
	lp.username = opt->username ? opt->username
	                            : s2s_account_get(cli->acct, "username");
	status = totp_seed_store(cli, &lp);
	if (status)
		goto out;
	cli_verbose(cli, "logging in with adapter %s",
	            s2s_adapter_name(lp.adapter));
	status = cli_login_locked(cli, &lp, saml_b64);
	if (status)
		goto out;
	status = parse_assertion(cli, site, saml_b64, saml_out);
	if (status)
		goto out;
	if ((*saml_out)->encrypted) {
		s2s_saml_free(*saml_out);
		*saml_out = NULL;
		status = cli_error(EXIT_NOROLE,
		                   "the assertion is encrypted: its roles "
		                   "cannot be read");
		goto out;
	}
	cli_verbose(cli, "assertion from %s grants %zu role(s)",
	            (*saml_out)->issuer ? (*saml_out)->issuer : "?",
	            (*saml_out)->nroles);
out:
	s2s_http_free(http);
	cli_prompt_release(&prompt);
	return status;
}

static long pick_duration(struct cli *cli, const struct cli_login *opt,
                          const struct s2s_saml *saml, struct s2s_error *err,
                          s2s_err *rc)
{
	long want = opt->duration, got;

	*rc = S2S_OK;
	if (!want)
		*rc = s2s_account_get_long(&want, cli->acct, "session_duration",
		                           S2S_STS_MIN_DURATION,
		                           S2S_STS_MAX_DURATION, 0, err);
	got = s2s_sts_duration(want, saml->session_duration);
	if (want && got < want)
		cli_verbose(cli,
		            "session duration %ld s capped to %ld s by the "
		            "assertion's SessionDuration",
		            want, got);
	return got;
}

/* Store a result of STS; the creds get their account metadata first. */
static int store_one(struct cli *cli, const struct s2s_role *r,
                     const char *profile, const char *region,
                     struct s2s_sts_result *res)
{
	struct s2s_creds *c = res->creds;

	if (res->rc)
		return cli_fail(cli, &res->err);
	c->account_id = strdup(r->account_id);
	c->account_name = strdup(cli->account_name);
	c->region = strdup(region);
	if (!c->account_id || !c->account_name || !c->region)
		return cli_error(EXIT_FAIL, "out of memory");
	if (s2s_store_put_creds(cli->store, profile, c, &res->err))
		return cli_fail(cli, &res->err);
	return EXIT_OK;
}

int cli_assume_roles(struct cli *cli, const struct cli_login *opt,
                     const struct s2s_buf *saml_b64,
                     const struct s2s_saml *saml,
                     const struct s2s_role *const *roles,
                     const char *const *profiles, size_t n,
                     struct s2s_creds **out, int *statuses)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_sts_request *reqs = calloc(n, sizeof(*reqs));
	struct s2s_sts_result *res = calloc(n, sizeof(*res));
	const char *region =
	        s2s_account_get_str(cli->acct, "region", "cn-hangzhou");
	struct s2s_http *http = NULL;
	char *endpoint = NULL;
	long duration;
	int status, worst = EXIT_OK;
	s2s_err rc;

	for (size_t i = 0; i < n; i++) {
		out[i] = NULL;
		statuses[i] = EXIT_FAIL;
	}
	if (!reqs || !res) {
		status = cli_error(EXIT_FAIL, "out of memory");
		goto out;
	}
	duration = pick_duration(cli, opt, saml, &err, &rc);
	if (!rc)
		rc = s2s_sts_endpoint(
		        &endpoint, region,
		        opt->sts_endpoint
		                ? opt->sts_endpoint
		                : s2s_account_get(cli->acct, "sts_endpoint"),
		        &err);
	status = rc ? cli_fail(cli, &err) : cli_open_store(cli);
	if (!status)
		status = cli_http_new(cli, &http);
	if (status)
		goto out;
	for (size_t i = 0; i < n; i++) {
		reqs[i].endpoint = endpoint;
		reqs[i].role_arn = roles[i]->role_arn;
		reqs[i].provider_arn = roles[i]->provider_arn;
		reqs[i].saml_b64 = saml_b64->ptr;
		reqs[i].saml_len = saml_b64->len;
		reqs[i].duration = duration;
		cli_verbose(cli, "AssumeRoleWithSAML %s at %s for %ld s",
		            roles[i]->role_arn, endpoint, duration);
	}
	if (n == 1) /* one role: the plain path with its retries */
		res[0].rc = s2s_sts_assume_role_with_saml(
		        &res[0].creds, http, &reqs[0], &res[0].err);
	else if (s2s_sts_assume_many(res, http, reqs, n))
		cli_verbose(cli, "parallel STS calls could not start");
	for (size_t i = 0; i < n; i++) {
		statuses[i] =
		        store_one(cli, roles[i], profiles[i], region, &res[i]);
		if (!statuses[i]) {
			out[i] = res[i].creds;
			res[i].creds = NULL;
		} else if (!worst) {
			worst = statuses[i];
		}
	}
	status = worst;
out:
	for (size_t i = 0; res && i < n; i++)
		s2s_creds_free(res[i].creds);
	free(res);
	free(reqs);
	s2s_http_free(http);
	free(endpoint);
	return status;
}

int cli_assume_and_store(struct cli *cli, const struct cli_login *opt,
                         const struct s2s_buf *saml_b64,
                         const struct s2s_saml *saml, const struct s2s_role *r,
                         const char *profile, struct s2s_creds **out)
{
	int status = EXIT_FAIL;

	return cli_assume_roles(cli, opt, saml_b64, saml, &r, &profile, 1, out,
	                        &status);
}

/* Log in again without any prompt for the role the creds were for. */
static int refresh(struct cli *cli, const char *profile,
                   const struct s2s_creds *old, struct s2s_creds **out)
{
	struct s2s_buf saml_b64 = S2S_BUF_SECRET_INIT;
	struct cli_login opt = { 0 };
	struct s2s_saml *saml = NULL;
	const struct s2s_role *r = NULL;
	int status;

	opt.skip_prompt = true;
	cli->account_name = old->account_name;
	cli->acct = s2s_config_account(cli->cfg, cli->account_name);
	status = cli_authenticate(cli, &opt, &saml_b64, &saml);
	if (status)
		goto out;
	for (size_t i = 0; i < saml->nroles && !r; i++)
		if (strcmp(saml->roles[i].role_arn, old->role_arn) == 0)
			r = &saml->roles[i];
	if (!r) {
		status = cli_error(EXIT_NOROLE, "the IdP no longer grants %s",
		                   old->role_arn);
		goto out;
	}
	status = cli_assume_and_store(cli, &opt, &saml_b64, saml, r, profile,
	                              out);
out:
	s2s_saml_free(saml);
	s2s_buf_release(&saml_b64);
	return status;
}

/* The creds of profile from the store, and whether they are fresh. */
static int read_creds(struct cli *cli, const char *profile,
                      struct s2s_creds **out, bool *fresh)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_account *acct = NULL;
	long window = S2S_REFRESH_WINDOW;

	*out = NULL;
	*fresh = false;
	if (s2s_store_get_creds(out, cli->store, profile, &err)) {
		if (err.code == S2S_ENOTFOUND)
			return cli_error(EXIT_NEEDINPUT,
			                 "no credentials for profile '%s': "
			                 "run saml2sts login --profile %s",
			                 profile, profile);
		return cli_fail(cli, &err);
	}
	if ((*out)->account_name)
		acct = s2s_config_account(cli->cfg, (*out)->account_name);
	if (acct && s2s_account_get_long(&window, acct, "refresh_window", 0,
	                                 43200, S2S_REFRESH_WINDOW, &err)) {
		s2s_creds_free(*out);
		*out = NULL;
		return cli_fail(cli, &err);
	}
	*fresh = s2s_creds_remaining(*out, time(NULL)) >
	         s2s_creds_window(*out, window);
	return EXIT_OK;
}

/* Stale creds: refresh them under the profile lock, unless another
 * process did while we waited for it. */
static int refresh_locked(struct cli *cli, const char *profile,
                          struct s2s_creds **creds)
{
	struct s2s_creds *fresh = NULL, *again = NULL;
	struct s2s_lock *lock = NULL;
	bool ok = false;
	char when[64];
	int status;

	status = cli_lock(profile, REFRESH_LOCK_MS, &lock, NULL);
	if (status)
		return status;
	/* Re-read: the holder of the lock may have stored a newer token. */
	status = read_creds(cli, profile, &again, &ok);
	if (!status && ok) {
		s2s_creds_free(*creds);
		*creds = again;
		again = NULL;
		goto out;
	}
	if (!status) {
		s2s_creds_free(*creds);
		*creds = again;
	}
	again = NULL;
	if (status || !(*creds)->account_name || !(*creds)->role_arn ||
	    !s2s_config_account(cli->cfg, (*creds)->account_name)) {
		status = status ? status : EXIT_NEEDINPUT;
		goto out;
	}
	cli_local_time(when, sizeof(when), (*creds)->expiration);
	cli_verbose(cli, "credentials of '%s' expire at %s: refreshing",
	            profile, when);
	cli_mute_errors(true);
	status = refresh(cli, profile, *creds, &fresh);
	cli_mute_errors(false);
	if (!status) {
		s2s_creds_free(*creds);
		*creds = fresh;
	}
out:
	s2s_creds_free(again);
	s2s_lock_release(lock);
	return status;
}

int cli_fresh_creds(struct cli *cli, const char *profile,
                    struct s2s_creds **out)
{
	struct s2s_creds *creds = NULL;
	bool fresh = false;
	char when[64];
	long left;
	int status;

	*out = NULL;
	status = cli_load_config(cli);
	if (!status)
		status = cli_open_store(cli);
	if (!status)
		status = read_creds(cli, profile, &creds, &fresh);
	if (status || fresh) {
		*out = creds;
		return status;
	}
	status = refresh_locked(cli, profile, &creds);
	if (!status) {
		*out = creds;
		return EXIT_OK;
	}
	if (!creds)
		return status;
	left = s2s_creds_remaining(creds, time(NULL));
	cli_local_time(when, sizeof(when), creds->expiration);
	if (left > 0) {
		cli_info(cli,
		         "saml2sts: warning: credentials of '%s' expire soon "
		         "(%s) and could not be refreshed; run saml2sts login "
		         "--profile %s",
		         profile, when, profile);
		*out = creds;
		return EXIT_OK;
	}
	s2s_creds_free(creds);
	if (status != EXIT_NEEDINPUT && cli_muted_error()[0])
		return cli_error(status,
		                 "credentials of '%s' expired and the "
		                 "refresh failed: %s",
		                 profile, cli_muted_error());
	return cli_error(EXIT_NEEDINPUT,
	                 "credentials of '%s' expired at %s: run saml2sts "
	                 "login --profile %s",
	                 profile, when, profile);
}

static void unset_prefixed(const char *prefix)
{
	size_t n = strlen(prefix);

	/* Restart after each removal: unsetenv shifts environ. */
	for (bool again = true; again;) {
		again = false;
		for (char **e = environ; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			char name[256];

			if (strncmp(*e, prefix, n) != 0 || !eq ||
			    (size_t)(eq - *e) >= sizeof(name))
				continue;
			memcpy(name, *e, (size_t)(eq - *e));
			name[eq - *e] = '\0';
			unsetenv(name);
			again = true;
			break;
		}
	}
}

static const char *const outranking[] = {
	"ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET",
	"ACCESS_KEY_ID",          "ACCESS_KEY_SECRET",
	"SECURITY_TOKEN",         "ALIBABA_CLOUD_CREDENTIALS_URI",
	"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_ECS_METADATA",
	"ALICLOUD_PROFILE",
};

static void clear_outranking(void)
{
	unset_prefixed("ALIBABACLOUD_");
	unset_prefixed("ALIBABA_CLOUD_OIDC_");
	for (size_t i = 0; i < sizeof(outranking) / sizeof(outranking[0]); i++)
		unsetenv(outranking[i]);
}

int cli_set_env_server(const char *uri, const char *profile, const char *region)
{
	struct s2s_creds none = { 0 };
	struct cli_env_pair pairs[CLI_ENV_PAIRS];
	char exp[32];
	int bad = 0;

	clear_outranking();
	/* Static keys would outrank the URI (it is last in the SDK chain):
	 * remove every one exec would set, and the providers before it. */
	cli_env_pairs(pairs, &none, profile, exp);
	for (size_t i = 0; i < CLI_ENV_PAIRS; i++)
		unsetenv(pairs[i].name);
	region = region ? region : "cn-hangzhou";
	bad |= setenv("ALIBABA_CLOUD_CREDENTIALS_URI", uri, 1);
	bad |= setenv("ALICLOUD_CREDENTIALS_URI", uri, 1);
	bad |= setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true", 1);
	bad |= setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true", 1);
	bad |= setenv("ALIBABA_CLOUD_REGION_ID", region, 1);
	bad |= setenv("ALICLOUD_REGION", region, 1);
	bad |= setenv("SAML2STS_PROFILE", profile, 1);
	if (bad)
		return cli_error(EXIT_FAIL, "cannot set the environment");
	return EXIT_OK;
}

int cli_set_env(const struct s2s_creds *c, const char *profile)
{
	struct cli_env_pair pairs[CLI_ENV_PAIRS];
	char exp[32];
	int bad = 0;

	clear_outranking();
	cli_env_pairs(pairs, c, profile, exp);
	for (size_t i = 0; i < CLI_ENV_PAIRS; i++)
		bad |= setenv(pairs[i].name, pairs[i].value, 1);
	if (bad)
		return cli_error(EXIT_FAIL, "cannot set the environment");
	return EXIT_OK;
}
