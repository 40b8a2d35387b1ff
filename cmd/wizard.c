/* SPDX-License-Identifier: MIT */
/*
 * configure without flags on a terminal: a short wizard.  It asks for
 * the provider (listed from the registry, then cloudsso and
 * assume-role), the IdP URL (fetched once to check it answers), the
 * username, the site, the region and optional account aliases -- or,
 * for assume-role, the source profile, the role ARN and an optional
 * external id; Enter keeps the value shown in brackets.  Questions go to
 * /dev/tty, everything else to stderr; the config is written once at the
 * end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/http.h>
#include <saml2sts/login.h>
#include <saml2sts/rpc.h>
#include <saml2sts/session.h>
#include <saml2sts/site.h>
#include <saml2sts/sts.h>

#include "configure.h"
#include "prompt.h"
#include "registry.h"

#define N_KEYS 11

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
	fprintf(stderr, "  [%zu] %-15s %s\n", n + 2, "assume-role",
	        "role chaining: AssumeRole with another profile's keys");
	for (;;) {
		const char *other = NULL;
		char *end = NULL;
		unsigned long k;

		status = ask("Provider (number or name)", def ? def : "form",
		             out);
		if (status)
			return status;
		k = strtoul(*out, &end, 10);
		if (end == *out || *end)
			k = 0;
		if (k == n + 1 || strcasecmp(*out, "cloudsso") == 0)
			other = "cloudsso";
		else if (k == n + 2 || strcasecmp(*out, "assume-role") == 0)
			other = "assume-role";
		if (other) {
			free(*out);
			*out = strdup(other);
			return *out ? EXIT_OK
			            : cli_error(EXIT_FAIL, "out of memory");
		}
		if (k >= 1 && k <= n) {
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

/* The profiles the other sections of the config make: what a
 * source_profile may name.  *first is the first of them, or NULL. */
static void list_sources(const struct cli *cli, const char **first)
{
	size_t n = s2s_config_count(cli->cfg), shown = 0;

	*first = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct s2s_account *acct = s2s_config_at(cli->cfg, i);
		const char *name = s2s_account_name(acct);

		if (strcmp(name, cli->account_name) == 0)
			continue;
		if (!*first)
			*first = s2s_session_default_profile(acct, name);
		fprintf(stderr, "%s %s",
		        shown++ ? "," : "Profiles of this config:",
		        s2s_session_default_profile(acct, name));
	}
	if (shown)
		fputc('\n', stderr);
}

/* The source profile, the role ARN and an optional external id of an
 * assume-role account (the login checks the rest: role name, chain). */
static int ask_hop(struct cli *cli, struct answer *src, struct answer *role,
                   struct answer *ext)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const char *first = NULL, *def = current(cli, "source_profile");
	int status;

	list_sources(cli, &first);
	for (;;) {
		status = ask("Source profile (whose credentials sign "
		             "AssumeRole)",
		             def ? def : first, &src->value);
		if (status || !s2s_profile_check(src->value, &err))
			break;
		fprintf(stderr, "%s\n", err.msg);
		s2s_error_clear(&err);
		free(src->value);
	}
	while (!status) {
		status = ask("Role ARN to assume "
		             "(acs:ram::ACCOUNT_ID:role/NAME)",
		             current(cli, "role_arn"), &role->value);
		if (status || (strncasecmp(role->value, "acs:ram::", 9) == 0 &&
		               strstr(role->value, ":role/")))
			break;
		fputs("A role ARN is acs:ram::ACCOUNT_ID:role/NAME.\n", stderr);
		free(role->value);
	}
	while (!status) {
		size_t n;

		status = ask("External id (optional)",
		             current(cli, "external_id"), &ext->value);
		n = status ? 0 : strlen(ext->value);
		if (status || n == 0 ||
		    (n >= S2S_RPC_EXTERNAL_ID_MIN &&
		     n <= S2S_RPC_EXTERNAL_ID_MAX))
			break;
		fprintf(stderr, "An external id is %d to %d characters.\n",
		        S2S_RPC_EXTERNAL_ID_MIN, S2S_RPC_EXTERNAL_ID_MAX);
		free(ext->value);
	}
	return status;
}

/* The IdP's (or CloudSSO's) questions: URL, username, site, region,
 * account aliases; a[] in the order of cli_configure_wizard's keys. */
static int ask_idp(struct cli *cli, bool sso, struct answer *a)
{
	int status;

	/* CloudSSO: a sign-in URL; no username, no SAML site */
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
	while (!status && !sso) {
		const char *keep = current(cli, "remember_session");

		/* silent refresh by default: the session cookie sits in the
		 * keyring, never the password */
		status =
		        ask("Keep the IdP session in the keyring, so refreshes "
		            "need no password? (y/n)",
		            keep && strcmp(keep, "false") == 0 ? "n" : "y",
		            &a[10].value);
		if (status || strcmp(a[10].value, "y") == 0 ||
		    strcmp(a[10].value, "n") == 0)
			break;
		fputs("Answer y or n.\n", stderr);
		free(a[10].value);
	}
	if (!status && !sso) {
		char *v = strdup(strcmp(a[10].value, "y") == 0 ? "true"
		                                               : "false");

		free(a[10].value);
		a[10].value = v;
		if (!v)
			status = cli_error(EXIT_FAIL, "out of memory");
	}
	return status;
}

int cli_configure_wizard(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct answer a[N_KEYS] = {
		{ "provider", NULL },         { "url", NULL },
		{ "username", NULL },         { "site", NULL },
		{ "region", NULL },           { "account_aliases", NULL },
		{ "source_profile", NULL },   { "role_arn", NULL },
		{ "external_id", NULL },      { "profile", NULL },
		{ "remember_session", NULL },
	};
	int status = cli_load_config(cli);

	if (status)
		return status;
	fprintf(stderr,
	        "Configuring IdP account '%s' in %s.\n"
	        "Enter keeps the value in [brackets]; Ctrl-C stops without "
	        "saving.\n",
	        cli->account_name, cli->config_path);
	status = ask_provider(cli, &a[0].value);
	if (!status && strcmp(a[0].value, "assume-role") == 0)
		status = ask_hop(cli, &a[6], &a[7], &a[8]);
	else if (!status)
		status = ask_idp(cli, strcmp(a[0].value, "cloudsso") == 0, a);
	if (!status)
		status = ask("Profile name for the credentials",
		             current(cli, "profile") ? current(cli, "profile")
		                                     : cli->account_name,
		             &a[9].value);
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
		if (cli_configure_ready(cli))
			cli_info(cli, "Next: saml2sts%s%s login",
			         strcmp(cli->account_name, "default") ? " -a "
			                                              : "",
			         strcmp(cli->account_name, "default")
			                 ? cli->account_name
			                 : "");
	}
	for (size_t i = 0; i < N_KEYS; i++)
		free(a[i].value);
	return status;
}
