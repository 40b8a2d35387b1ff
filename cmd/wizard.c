/* SPDX-License-Identifier: MIT */
/*
 * configure without flags on a terminal: a short wizard.  It asks for
 * the provider (listed from the registry), the IdP URL (fetched once to
 * check it answers), the username, the site, the region and optional
 * account aliases; Enter keeps the value shown in brackets.  Questions
 * go to /dev/tty, everything else to stderr; the config is written once
 * at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/http.h>
#include <saml2sts/login.h>
#include <saml2sts/site.h>
#include <saml2sts/sts.h>

#include "configure.h"
#include "prompt.h"
#include "registry.h"

#define N_KEYS 7

struct answer {
	const char *key;
	char *value; /* NULL: unchanged */
};

/* Ask question with default def; *out is the answer or a copy of def
 * (caller frees).  Returns an exit status. */
static int ask(const char *question, const char *def, char **out)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf ans = S2S_BUF_INIT;
	char q[512];
	int status = EXIT_OK;

	*out = NULL;
	if (def && *def)
		snprintf(q, sizeof(q), "%s [%s]", question, def);
	else
		snprintf(q, sizeof(q), "%s", question);
	if (cli_tty_ask(q, false, &ans, &err)) {
		status = cli_fail(NULL, &err);
		goto out;
	}
	*out = strdup(ans.ptr && *ans.ptr ? ans.ptr : (def ? def : ""));
	if (!*out)
		status = cli_error(EXIT_FAIL, "out of memory");
out:
	s2s_buf_release(&ans);
	return status;
}

static const char *current(const struct cli *cli, const char *key)
{
	return cli->acct ? s2s_account_get(cli->acct, key) : NULL;
}

static int ask_provider(const struct cli *cli, char **out)
{
	const struct s2s_adapter *const *all = s2s_adapter_all();
	const struct s2s_adapter *a = NULL;
	const char *def = current(cli, "provider");
	struct s2s_error err = S2S_ERROR_INIT;
	size_t n = 0;
	int status;

	fputs("IdP providers:\n", stderr);
	for (; all[n]; n++)
		fprintf(stderr, "  [%zu] %-15s %s\n", n + 1,
		        s2s_adapter_name(all[n]), s2s_adapter_summary(all[n]));
	fprintf(stderr, "  [%zu] %-15s %s\n", n + 1, "cloudsso",
	        "CloudSSO: device login in a browser, many accounts");
	for (;;) {
		char *end = NULL;
		unsigned long k;

		status = ask("Provider (number or name)", def ? def : "form",
		             out);
		if (status)
			return status;
		k = strtoul(*out, &end, 10);
		if ((end != *out && !*end && k == n + 1) ||
		    strcasecmp(*out, "cloudsso") == 0) {
			free(*out);
			*out = strdup("cloudsso");
			return *out ? EXIT_OK
			            : cli_error(EXIT_FAIL, "out of memory");
		}
		if (end != *out && !*end && k >= 1 && k <= n) {
			a = all[k - 1];
		} else if (s2s_adapter_find(&a, *out, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			s2s_error_clear(&err);
			free(*out);
			continue;
		}
		free(*out);
		*out = strdup(s2s_adapter_name(a));
		return *out ? EXIT_OK : cli_error(EXIT_FAIL, "out of memory");
	}
}

/* Fetch url once: true when the IdP answered (any HTTP status < 500). */
static bool url_answers(struct cli *cli, const char *url)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_http_response resp = { 0 };
	struct s2s_http *http = NULL;
	bool ok = false;

	if (cli_http_new(cli, &http))
		return false;
	fprintf(stderr, "Checking %s ...\n", url);
	if (s2s_http_get(http, url, &resp, &err)) {
		fprintf(stderr, "  no answer: %s\n", err.msg);
	} else {
		ok = resp.status < 500;
		fprintf(stderr, "  HTTP %ld, %zu bytes%s%s\n", resp.status,
		        resp.body.len, resp.url ? " from " : "",
		        resp.url ? resp.url : "");
	}
	s2s_http_response_release(&resp);
	s2s_http_free(http);
	return ok;
}

static int ask_url(struct cli *cli, bool sso, char **out)
{
	char *keep = NULL;
	int status;

	for (;;) {
		status = ask(sso ? "CloudSSO sign-in URL (https://signin-"
		                   "REGION.alibabacloudsso.com/DIRECTORY/login)"
		                 : "IdP-initiated SSO URL for Alibaba Cloud",
		             current(cli, "url"), out);
		if (status)
			return status;
		if (!**out || !s2s_url_allowed(*out)) {
			fputs("The URL must be https (http only to a "
			      "loopback address).\n",
			      stderr);
			free(*out);
			continue;
		}
		if (url_answers(cli, *out))
			return EXIT_OK;
		status = ask("Keep this URL anyway? (y/n)", "n", &keep);
		if (status) {
			free(*out);
			*out = NULL;
			return status;
		}
		if (strcasecmp(keep, "y") == 0 ||
		    strcasecmp(keep, "yes") == 0) {
			free(keep);
			return EXIT_OK;
		}
		free(keep);
		free(*out);
	}
}

static int ask_checked(const struct cli *cli, const char *question,
                       const char *key, const char *fallback, char **out)
{
	const char *def = current(cli, key);
	struct s2s_error err = S2S_ERROR_INIT;
	char *ep = NULL;
	int status;

	for (;;) {
		status = ask(question, def ? def : fallback, out);
		if (status || !**out)
			return status;
		if (strcmp(key, "site") == 0 && !s2s_site_find(*out)) {
			fputs("The site is cn or intl.\n", stderr);
		} else if (strcmp(key, "region") == 0 &&
		           s2s_sts_endpoint(&ep, *out, NULL, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			s2s_error_clear(&err);
		} else {
			free(ep);
			return EXIT_OK;
		}
		free(*out);
	}
}

int cli_configure_wizard(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct answer a[N_KEYS] = {
		{ "provider", NULL }, { "url", NULL },
		{ "username", NULL }, { "site", NULL },
		{ "region", NULL },   { "account_aliases", NULL },
		{ "profile", NULL },
	};
	int status = cli_load_config(cli);
	bool sso;

	if (status)
		return status;
	fprintf(stderr,
	        "Configuring IdP account '%s' in %s.\n"
	        "Enter keeps the value in [brackets]; Ctrl-C stops without "
	        "saving.\n",
	        cli->account_name, cli->config_path);
	status = ask_provider(cli, &a[0].value);
	/* CloudSSO: a sign-in URL; no username, no SAML site */
	sso = !status && strcmp(a[0].value, "cloudsso") == 0;
	if (!status)
		status = ask_url(cli, sso, &a[1].value);
	if (!status && !sso)
		status = ask("IdP username", current(cli, "username"),
		             &a[2].value);
	if (!status && !sso)
		status = ask_checked(cli, "Alibaba Cloud site (cn or intl)",
		                     "site", "cn", &a[3].value);
	if (!status)
		status = ask_checked(cli, "Region", "region", "cn-hangzhou",
		                     &a[4].value);
	if (!status)
		status = ask("Account aliases, uid=alias,... (optional)",
		             current(cli, "account_aliases"), &a[5].value);
	if (!status)
		status = ask("Profile name for the credentials",
		             current(cli, "profile") ? current(cli, "profile")
		                                     : cli->account_name,
		             &a[6].value);
	for (size_t i = 0; !status && i < N_KEYS; i++)
		if (a[i].value && *a[i].value &&
		    s2s_config_set(cli->cfg, cli->account_name, a[i].key,
		                   a[i].value, &err))
			status = cli_fail(cli, &err);
	if (!status && s2s_config_save(cli->cfg, cli->config_path, &err))
		status = cli_fail(cli, &err);
	if (!status) {
		cli->acct = s2s_config_account(cli->cfg, cli->account_name);
		cli_info(cli, "Saved account '%s' in %s.", cli->account_name,
		         cli->config_path);
		for (size_t i = 0; i < N_KEYS; i++)
			if (a[i].value && *a[i].value)
				cli_info(cli, "  %s = %s", a[i].key,
				         a[i].value);
		cli_info(cli, "Next: saml2sts%s%s login",
		         strcmp(cli->account_name, "default") ? " -a " : "",
		         strcmp(cli->account_name, "default")
		                 ? cli->account_name
		                 : "");
	}
	for (size_t i = 0; i < N_KEYS; i++)
		free(a[i].value);
	return status;
}
