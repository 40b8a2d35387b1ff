/* SPDX-License-Identifier: MIT */
/*
 * The environment of exec (DESIGN.md 6): the one table of the variables
 * exec sets and of the inherited ones that would outrank them, which
 * exec, export and export --unset all read; exec --server gives a
 * credentials URI instead of static keys.  Formatting for shells is
 * format.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "json_out.h"

extern char **environ;

/* clang-format off */
const struct cli_env_var cli_env_vars[] = {
	{ "ALIBABA_CLOUD_ACCESS_KEY_ID",     CLI_ENV_CREDS, CLI_ENV_KEY_ID },
	{ "ALIBABA_CLOUD_ACCESS_KEY_SECRET", CLI_ENV_CREDS, CLI_ENV_KEY_SECRET },
	{ "ALIBABA_CLOUD_SECURITY_TOKEN",    CLI_ENV_CREDS, CLI_ENV_TOKEN },
	{ "ALIBABA_CLOUD_REGION_ID",  CLI_ENV_CREDS | CLI_ENV_SERVER, CLI_ENV_REGION },
	{ "ALICLOUD_ACCESS_KEY",             CLI_ENV_CREDS, CLI_ENV_KEY_ID },
	{ "ALICLOUD_SECRET_KEY",             CLI_ENV_CREDS, CLI_ENV_KEY_SECRET },
	{ "ALICLOUD_SECURITY_TOKEN",         CLI_ENV_CREDS, CLI_ENV_TOKEN },
	{ "ALICLOUD_REGION",          CLI_ENV_CREDS | CLI_ENV_SERVER, CLI_ENV_REGION },
	{ "OSS_ACCESS_KEY_ID",               CLI_ENV_CREDS, CLI_ENV_KEY_ID },
	{ "OSS_ACCESS_KEY_SECRET",           CLI_ENV_CREDS, CLI_ENV_KEY_SECRET },
	{ "OSS_SESSION_TOKEN",               CLI_ENV_CREDS, CLI_ENV_TOKEN },
	{ "SAML2STS_PROFILE",         CLI_ENV_CREDS | CLI_ENV_SERVER, CLI_ENV_PROFILE },
	{ "SAML2STS_EXPIRATION",             CLI_ENV_CREDS, CLI_ENV_EXPIRATION },
	{ CLI_ENV_EXEC_MARKER,               CLI_ENV_MARKER, CLI_ENV_PROFILE },
	{ "ALIBABA_CLOUD_CREDENTIALS_URI", CLI_ENV_CLEAR | CLI_ENV_SERVER, CLI_ENV_URI },
	{ "ALICLOUD_CREDENTIALS_URI",        CLI_ENV_SERVER, CLI_ENV_URI },
	{ "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", CLI_ENV_SERVER, CLI_ENV_TRUE },
	{ "ALIBABA_CLOUD_ECS_METADATA_DISABLED", CLI_ENV_SERVER, CLI_ENV_TRUE },
	{ "ALIBABACLOUD_",          CLI_ENV_CLEAR | CLI_ENV_PREFIX, CLI_ENV_NONE },
	{ "ALICLOUD_ACCESS_KEY_ID",          CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ALICLOUD_ACCESS_KEY_SECRET",      CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ACCESS_KEY_ID",                   CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ACCESS_KEY_SECRET",               CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "SECURITY_TOKEN",                  CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ALIBABA_CLOUD_ROLE_ARN",          CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ALIBABA_CLOUD_OIDC_",    CLI_ENV_CLEAR | CLI_ENV_PREFIX, CLI_ENV_NONE },
	{ "ALIBABA_CLOUD_ECS_METADATA",      CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ "ALICLOUD_PROFILE",                CLI_ENV_CLEAR, CLI_ENV_NONE },
	{ NULL, 0, CLI_ENV_NONE },
};
/* clang-format on */

bool cli_env_present(const struct cli_env_var *v, size_t i, char *name,
                     size_t size)
{
	size_t n = strlen(v->name);

	if (!(v->flags & CLI_ENV_PREFIX)) {
		if (i > 0 || !getenv(v->name) || n >= size)
			return false;
		memcpy(name, v->name, n + 1);
		return true;
	}
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');

		if (strncmp(*e, v->name, n) != 0 || !eq)
			continue;
		if (i-- > 0)
			continue;
		if ((size_t)(eq - *e) >= size)
			return false;
		memcpy(name, *e, (size_t)(eq - *e));
		name[eq - *e] = '\0';
		return true;
	}
	return false;
}

static void clear_outranking(void)
{
	char name[256];

	for (const struct cli_env_var *v = cli_env_vars; v->name; v++) {
		if (!(v->flags & CLI_ENV_CLEAR))
			continue;
		/* always the first: unsetenv shifts environ */
		while (cli_env_present(v, 0, name, sizeof(name)))
			unsetenv(name);
	}
}

/* The values a variable may take; c is NULL for exec --server. */
struct env_values {
	const struct s2s_creds *c;
	const char *region, *profile, *exp, *uri;
};

static const char *value_of(const struct cli_env_var *v,
                            const struct env_values *ev)
{
	switch (v->value) {
	case CLI_ENV_NONE:
		return NULL;
	case CLI_ENV_KEY_ID:
		return ev->c ? ev->c->access_key_id : NULL;
	case CLI_ENV_KEY_SECRET:
		return ev->c ? ev->c->access_key_secret : NULL;
	case CLI_ENV_TOKEN:
		return ev->c ? ev->c->security_token : NULL;
	case CLI_ENV_REGION:
		return ev->region ? ev->region : "cn-hangzhou";
	case CLI_ENV_PROFILE:
		return ev->profile ? ev->profile : "";
	case CLI_ENV_EXPIRATION:
		return ev->exp;
	case CLI_ENV_URI:
		return ev->uri;
	case CLI_ENV_TRUE:
		return "true";
	}
	return NULL;
}

void cli_env_pairs(struct cli_env_pair out[CLI_ENV_PAIRS],
                   const struct s2s_creds *c, const char *profile, char *exp)
{
	struct env_values ev = { c, c->region, profile, exp, NULL };
	size_t i = 0;

	s2s_time_format_utc(exp, 32, c->expiration);
	for (const struct cli_env_var *v = cli_env_vars; v->name; v++)
		if ((v->flags & CLI_ENV_CREDS) && i < CLI_ENV_PAIRS)
			out[i++] = (struct cli_env_pair){ v->name,
				                          value_of(v, &ev) };
}

int cli_set_env_server(const char *uri, const char *profile, const char *region)
{
	struct env_values ev = { NULL, region, profile, NULL, uri };
	int bad = 0;

	clear_outranking();
	/* Static keys would outrank the URI (it is last in the SDK chain):
	 * remove every one exec would set, and the providers before it. */
	for (const struct cli_env_var *v = cli_env_vars; v->name; v++)
		if ((v->flags & CLI_ENV_CREDS) && !(v->flags & CLI_ENV_SERVER))
			unsetenv(v->name);
	for (const struct cli_env_var *v = cli_env_vars; v->name; v++)
		if (v->flags & (CLI_ENV_SERVER | CLI_ENV_MARKER))
			bad |= setenv(v->name, value_of(v, &ev), 1);
	if (bad)
		return cli_error(EXIT_FAIL, "cannot set the environment");
	return EXIT_OK;
}

int cli_set_env(const struct s2s_creds *c, const char *profile)
{
	char exp[32];
	struct env_values ev = { c, c->region, profile, exp, NULL };
	int bad = 0;

	clear_outranking();
	s2s_time_format_utc(exp, sizeof(exp), c->expiration);
	for (const struct cli_env_var *v = cli_env_vars; v->name; v++)
		if (v->flags & (CLI_ENV_CREDS | CLI_ENV_MARKER))
			bad |= setenv(v->name, value_of(v, &ev), 1);
	if (bad)
		return cli_error(EXIT_FAIL, "cannot set the environment");
	return EXIT_OK;
}
