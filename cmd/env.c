/* SPDX-License-Identifier: MIT */
/*
 * The environment of exec (DESIGN.md 6): the credential variables set,
 * and the inherited ones that would outrank them removed; exec --server
 * gives a credentials URI instead of static keys.
 */
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "json_out.h"

extern char **environ;

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
