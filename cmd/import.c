/* SPDX-License-Identifier: MIT */
/*
 * configure --import-saml2alibabacloud: read a saml2alibabacloud INI file
 * (~/.saml2alibabacloud) and copy what has a saml2sts meaning into the
 * config, one section per IdP account, printing on stdout what was
 * imported and what was not.  Sections whose provider has no saml2sts
 * adapter are skipped with a line saying so, never guessed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <saml2sts/login.h>
#include <saml2sts/http.h>

#include "configure.h"
#include "registry.h"

#define MAX_KEYS 48

struct ini_section {
	char name[128];
	char key[MAX_KEYS][64];
	char value[MAX_KEYS][512];
	size_t n;
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const char *get(const struct ini_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->n; i++)
		if (strcasecmp(sec->key[i], key) == 0)
			return sec->value[i];
	return "";
}

/* Our adapter for a saml2alibabacloud provider name, or NULL. */
static const char *map_provider(const char *p)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_adapter *a = NULL;
	char low[64];
	size_t i;

	if (strcasecmp(p, "ShibbolethECP") == 0)
		p = "shibboleth-ecp";
	for (i = 0; p[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)p[i]);
	low[i] = '\0';
	if (!*low || s2s_adapter_find(&a, low, &err))
		return NULL;
	return s2s_adapter_name(a);
}

static bool is_false(const char *v)
{
	return !*v || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0;
}

/* Keys with no saml2sts meaning that are fine to drop when empty. */
static bool known_key(const char *k)
{
	static const char *const keys[] = {
		"name",
		"url",
		"username",
		"provider",
		"mfa",
		"role_arn",
		"region",
		"alibabacloud_profile",
		"alibabacloud_session_duration",
		"alibabacloud_urn",
		"skip_verify",
		"timeout",
		NULL,
	};

	for (size_t i = 0; keys[i]; i++)
		if (strcasecmp(k, keys[i]) == 0)
			return true;
	return false;
}

/* saml2alibabacloud keys of one provider and the adapter keys they
 * become. */
static const struct {
	const char *adapter, *from, *to;
} adapter_keys[] = {
	{ "onelogin", "app_id", "onelogin.app_id" },
	{ "onelogin", "client_id", "onelogin.client_id" },
	{ "onelogin", "subdomain", "onelogin.subdomain" },
	{ "onelogin", "mfa_ip_address", "onelogin.ip_address" },
};

/* The adapter key that key of a section for adapter becomes, or NULL. */
static const char *adapter_key(const char *adapter, const char *key)
{
	for (size_t i = 0; i < sizeof(adapter_keys) / sizeof(adapter_keys[0]);
	     i++)
		if (strcmp(adapter, adapter_keys[i].adapter) == 0 &&
		    strcasecmp(key, adapter_keys[i].from) == 0)
			return adapter_keys[i].to;
	return NULL;
}

static int set(struct cli *cli, const char *section, const char *key,
               const char *value, bool *changed)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (s2s_config_set(cli->cfg, section, key, value, &err))
		return cli_fail(cli, &err);
	printf("  %s = %s\n", key, value);
	*changed = true;
	return EXIT_OK;
}

static int import_section(struct cli *cli, const struct ini_section *sec,
                          bool *changed)
{
	const char *prov = get(sec, "provider"), *ours = map_provider(prov);
	const char *url = get(sec, "url"), *v;
	const char *copy[][2] = { { "username", "username" },
		                  { "role_arn", "role_arn" },
		                  { "region", "region" },
		                  { "alibabacloud_profile", "profile" } };
	long d;
	int status;

	printf("[%s]\n", sec->name);
	if (!ours) {
		printf("  skipped: provider '%s' has no saml2sts adapter "
		       "(see saml2sts adapters)\n",
		       prov);
		return EXIT_OK;
	}
	if (!*url || !s2s_url_allowed(url)) {
		printf("  skipped: url '%s' is not an https URL\n", url);
		return EXIT_OK;
	}
	status = set(cli, sec->name, "provider", ours, changed);
	if (!status)
		status = set(cli, sec->name, "url", url, changed);
	for (size_t i = 0; !status && i < sizeof(copy) / sizeof(copy[0]); i++) {
		v = get(sec, copy[i][0]);
		if (*v)
			status = set(cli, sec->name, copy[i][1], v, changed);
	}
	v = get(sec, "alibabacloud_session_duration");
	d = strtol(v, NULL, 10);
	if (!status && d >= 900 && d <= 43200)
		status = set(cli, sec->name, "session_duration", v, changed);
	v = get(sec, "alibabacloud_urn");
	if (!status && *v)
		status = set(cli, sec->name, "site",
		             strstr(v, ":international") ? "intl" : "cn",
		             changed);
	for (size_t i = 0; !status && i < sec->n; i++)
		if (*sec->value[i] && adapter_key(ours, sec->key[i]))
			status = set(cli, sec->name,
			             adapter_key(ours, sec->key[i]),
			             sec->value[i], changed);
	if (status)
		return status;
	if (*get(sec, "client_secret")) /* never copied, never shown */
		printf("  not imported: client_secret (a secret: keep it in "
		       "the keyring with saml2sts -a %s configure "
		       "--client-secret-stdin)\n",
		       sec->name);
	v = get(sec, "mfa");
	if (*v && strcasecmp(v, "auto") != 0)
		printf("  not imported: mfa = %s (the adapter detects the "
		       "factor; see saml2sts adapters)\n",
		       v);
	if (!is_false(get(sec, "skip_verify")))
		printf("  not imported: skip_verify = %s (TLS is always "
		       "verified; SAML2STS_CA_BUNDLE names a private CA)\n",
		       get(sec, "skip_verify"));
	for (size_t i = 0; i < sec->n; i++)
		if (!known_key(sec->key[i]) &&
		    strcasecmp(sec->key[i], "client_secret") != 0 &&
		    !adapter_key(ours, sec->key[i]) && *sec->value[i] &&
		    strcmp(sec->value[i], "0") != 0 &&
		    strcasecmp(sec->value[i], "false") != 0)
			printf("  not imported: %s = %s\n", sec->key[i],
			       sec->value[i]);
	return EXIT_OK;
}

int cli_import_saml2alibabacloud(struct cli *cli, const char *path)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct ini_section *sec = NULL;
	char *line = NULL, *home_path = NULL, *p, *eq;
	size_t cap = 0, nsec = 0;
	bool changed = false, any = false;
	int status = EXIT_OK;
	FILE *f;

	if (!path) {
		const char *env =
		        s2s_config_env("SAML2ALIBABACLOUD_CONFIGFILE");
		const char *home = s2s_config_env("HOME");

		if (env && *env) {
			path = env;
		} else if (home) {
			home_path = malloc(strlen(home) +
			                   sizeof("/.saml2alibabacloud"));
			if (!home_path)
				return cli_error(EXIT_FAIL, "out of memory");
			snprintf(home_path,
			         strlen(home) + sizeof("/.saml2alibabacloud"),
			         "%s/.saml2alibabacloud", home);
			path = home_path;
		} else {
			return cli_usage("configure",
			                 "--import-saml2alibabacloud: HOME is "
			                 "not set; give the file as "
			                 "--import-saml2alibabacloud=FILE");
		}
	}
	f = fopen(path, "re");
	if (!f) {
		status = cli_error(EXIT_USAGE, "cannot read %s", path);
		goto out;
	}
	status = cli_load_config(cli);
	if (status) {
		fclose(f);
		goto out;
	}
	sec = calloc(1, sizeof(*sec));
	if (!sec) {
		fclose(f);
		status = cli_error(EXIT_FAIL, "out of memory");
		goto out;
	}
	printf("Importing %s into %s\n", path, cli->config_path);
	while (!status && getline(&line, &cap, f) >= 0) {
		p = trim(line);
		if (!*p || *p == '#' || *p == ';')
			continue;
		if (*p == '[' && p[strlen(p) - 1] == ']') {
			if (nsec++)
				status = import_section(cli, sec, &changed);
			memset(sec, 0, sizeof(*sec));
			p[strlen(p) - 1] = '\0';
			snprintf(sec->name, sizeof(sec->name), "%s",
			         trim(p + 1));
			any = true;
			continue;
		}
		eq = strchr(p, '=');
		if (!eq || !nsec || sec->n == MAX_KEYS)
			continue;
		*eq = '\0';
		snprintf(sec->key[sec->n], sizeof(sec->key[0]), "%s", trim(p));
		snprintf(sec->value[sec->n], sizeof(sec->value[0]), "%s",
		         trim(eq + 1));
		sec->n++;
	}
	if (!status && nsec)
		status = import_section(cli, sec, &changed);
	fclose(f);
	if (status)
		goto out;
	if (!any) {
		status = cli_error(EXIT_USAGE, "%s has no [section]", path);
		goto out;
	}
	if (!changed) {
		status = cli_error(EXIT_USAGE,
		                   "nothing imported from %s: no section "
		                   "has a provider saml2sts supports",
		                   path);
		goto out;
	}
	if (s2s_config_save(cli->cfg, cli->config_path, &err))
		status = cli_fail(cli, &err);
	else
		printf("Saved %s; try: saml2sts [-a ACCOUNT] login\n",
		       cli->config_path);
out:
	free(sec);
	free(line);
	free(home_path);
	return status;
}
