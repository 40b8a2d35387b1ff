/* SPDX-License-Identifier: MIT */
/*
 * saml2sts status: the stored profiles with IdP account, role, expiry
 * and backend, as text or JSON.  Reads attributes only, never secrets,
 * so it does not unlock anything.  Exit 0 even with nothing stored.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saml2sts/alias.h>
#include <saml2sts/isotime.h>

#include "command.h"

enum { O_OUTPUT };

static const struct cli_opt opts[] = {
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	{ NULL },
};

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

/* The account uid of acs:ram::<uid>:role/..., and its alias asked of RAM
 * at a login (NULL when none is cached); the caller frees both. */
static char *uid_of(const char *arn, char **alias)
{
	const char *p =
	        arn && strncmp(arn, "acs:ram::", 9) == 0 ? arn + 9 : NULL;
	size_t n = p ? strspn(p, "0123456789") : 0;
	char *uid = n && p[n] == ':' ? strndup(p, n) : NULL;

	*alias = uid ? s2s_alias_cached(uid) : NULL;
	return uid;
}

static void print_json(const struct s2s_store_item *it, size_t n,
                       const char *backend, time_t now)
{
	char exp[32], *uid, *alias;
	bool first = true;

	fputs("{\"profiles\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(it[i].kind, "sts") != 0)
			continue;
		s2s_time_format_utc(exp, sizeof(exp), it[i].expires);
		fputs(first ? "{\"profile\":" : ",{\"profile\":", stdout);
		first = false;
		json_str(it[i].profile);
		fputs(",\"account\":", stdout);
		json_str(it[i].account);
		fputs(",\"role_arn\":", stdout);
		json_str(it[i].role_arn);
		uid = uid_of(it[i].role_arn, &alias);
		fputs(",\"account_id\":", stdout);
		json_str(uid);
		fputs(",\"account_alias\":", stdout);
		json_str(alias);
		free(uid);
		free(alias);
		fputs(",\"expiration\":", stdout);
		json_str(it[i].expires ? exp : NULL);
		printf(",\"remaining_seconds\":%ld,\"backend\":",
		       it[i].expires ? (long)(it[i].expires - now) : 0L);
		json_str(backend);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

static void print_text(const struct s2s_store_item *it, size_t n,
                       const char *backend, time_t now)
{
	char when[64], left[32], role[256], *alias;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		long secs = (long)(it[i].expires - now);

		if (strcmp(it[i].kind, "sts") != 0)
			continue;
		if (!any)
			printf("%-20s %-12s %-40s %-22s %-10s %s\n", "PROFILE",
			       "ACCOUNT", "ROLE", "EXPIRES", "LEFT", "BACKEND");
		any = true;
		s2s_time_format_local(when, sizeof(when), it[i].expires);
		if (secs > 0)
			snprintf(left, sizeof(left), "%ldm", secs / 60);
		else
			snprintf(left, sizeof(left), "%s", "expired");
		free(uid_of(it[i].role_arn, &alias));
		snprintf(role, sizeof(role), "%s%s%s%s",
		         it[i].role_arn ? it[i].role_arn : "-",
		         alias ? " (" : "", alias ? alias : "",
		         alias ? ")" : "");
		free(alias);
		cli_printf(stdout, "%-20s %-12s %-40s %-22s %-10s %s",
		           it[i].profile, it[i].account ? it[i].account : "-",
		           role, when, left, backend);
	}
	if (!any)
		printf("No stored credentials (%s).\n", backend);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *output = cli_arg(args, O_OUTPUT);
	const char *backend = s2s_store_backend(cli->store);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *items = NULL;
	size_t n = 0;

	if (s2s_store_list(&items, &n, cli->store, &err))
		return cli_fail(cli, &err);
	if (output && strcmp(output, "json") == 0)
		print_json(items, n, backend, time(NULL));
	else
		print_text(items, n, backend, time(NULL));
	s2s_store_items_free(items, n);
	return EXIT_OK;
}

const struct cli_command cli_cmd_status = {
	.name = "status",
	.summary = "list stored profiles and their expiry",
	.opts = opts,
	.flags = CLI_NEED_STORE,
	.run = run,
};
