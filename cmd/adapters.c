/* SPDX-License-Identifier: MIT */
/*
 * saml2sts adapters: every built-in IdP adapter with its aliases, MFA
 * factors and whether it can run on this machine.
 */
#include <string.h>

#include <saml2sts/adapter.h>
#include <saml2sts/login.h>

#include "command.h"
#include "registry.h"

enum { O_OUTPUT };

static const struct cli_opt opts[] = {
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	{ NULL },
};

static const struct {
	unsigned int bit;
	const char *name;
} factors[] = {
	{ S2S_ADAPTER_F_MFA_TOTP, "totp" },
	{ S2S_ADAPTER_F_MFA_PUSH, "push" },
	{ S2S_ADAPTER_F_MFA_SMS, "sms" },
	{ S2S_ADAPTER_F_MFA_VOICE, "voice" },
	{ S2S_ADAPTER_F_MFA_EMAIL, "email" },
	{ S2S_ADAPTER_F_BROWSER, "browser" },
	{ S2S_ADAPTER_F_KERBEROS, "kerberos" },
};

static void factor_list(const struct s2s_adapter *a, char *buf, size_t size,
                        const char *sep, const char *quote)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
		if (!s2s_adapter_supports(a, factors[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s",
		                      n ? sep : "", quote, factors[i].name,
		                      quote);
		if (n >= size)
			break;
	}
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const struct s2s_adapter *const *all = s2s_adapter_all();
	const char *output = cli_arg(args, O_OUTPUT);
	bool json = output && strcmp(output, "json") == 0;
	char mfa[128];

	(void)cli;
	if (json)
		fputs("{\"adapters\":[", stdout);
	else
		printf("%-14s %-22s %-28s %-6s %s\n", "ADAPTER", "ALIASES",
		       "MFA", "USABLE", "SUMMARY");
	for (size_t i = 0; all[i]; i++) {
		const struct s2s_adapter *a = all[i];
		const char *const *al = s2s_adapter_aliases(a);
		char aliases[128] = "";
		size_t n = 0;
		bool usable = s2s_adapter_usable(a);

		for (size_t j = 0; al && al[j] && n < sizeof(aliases); j++)
			n += (size_t)snprintf(aliases + n, sizeof(aliases) - n,
			                      json ? "%s\"%s\"" : "%s%s",
			                      j ? "," : "", al[j]);
		if (json) {
			const char *const *keys = s2s_adapter_config_keys(a);

			factor_list(a, mfa, sizeof(mfa), ",", "\"");
			printf("%s{\"name\":\"%s\",\"aliases\":[%s],"
			       "\"mfa\":[%s],\"usable\":%s,\"summary\":\"%s\","
			       "\"config_ns\":\"%s\",\"config_keys\":[",
			       i ? "," : "", s2s_adapter_name(a), aliases, mfa,
			       usable ? "true" : "false",
			       s2s_adapter_summary(a),
			       s2s_adapter_config_ns(a));
			for (size_t k = 0; keys && keys[k]; k++)
				printf("%s\"%s\"", k ? "," : "", keys[k]);
			fputs("]}", stdout);
		} else {
			factor_list(a, mfa, sizeof(mfa), ",", "");
			printf("%-14s %-22s %-28s %-6s %s\n",
			       s2s_adapter_name(a), aliases[0] ? aliases : "-",
			       mfa[0] ? mfa : "none", usable ? "yes" : "no",
			       s2s_adapter_summary(a));
		}
	}
	if (json)
		fputs("]}\n", stdout);
	return EXIT_OK;
}

const struct cli_command cli_cmd_adapters = {
	.name = "adapters",
	.summary = "list IdP adapters and their MFA factors",
	.opts = opts,
	.run = run,
};
