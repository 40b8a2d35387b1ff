/* SPDX-License-Identifier: MIT */
/*
 * saml2sts logout [--profile P] [--session] | --all: delete stored
 * items and say which.  A profile's STS credentials go; the kept IdP
 * session (remember_session, a CloudSSO token) of its account goes only
 * with --session; --all deletes everything saml2sts keeps (credentials,
 * sessions, saved passwords, TOTP seeds, API client secrets).  Either
 * way the file store's keys cached in the kernel keyring are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "command.h"

enum { O_PROFILE, O_ALL, O_SESSION };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("forget profile P"),
	[O_ALL] = { "all", 0, NULL,
	            "forget everything stored: every profile, kept\n"
	            "IdP session, saved password and TOTP seed",
	            NULL, "profile" },
	[O_SESSION] = { "session", 0, NULL,
	                "also forget the kept IdP session of the profile's\n"
	                "account (the next login asks again)" },
	{ NULL },
};

/* What a kind is, for the messages. */
static const char *kind_name(const char *kind)
{
	if (strcmp(kind, "sts") == 0)
		return "credentials";
	if (strcmp(kind, "idp-session") == 0 ||
	    strcmp(kind, "cloudsso-token") == 0)
		return "kept IdP session";
	if (strcmp(kind, "idp-password") == 0)
		return "saved password";
	if (strcmp(kind, "totp-seed") == 0)
		return "TOTP seed";
	if (strcmp(kind, "client-secret") == 0)
		return "API client secret";
	return kind;
}

static bool is_session(const char *kind)
{
	return strcmp(kind, "idp-session") == 0 ||
	       strcmp(kind, "cloudsso-token") == 0;
}

/* A kept session of account: named "<account>" or "<account>/<user>". */
static bool session_of(const struct s2s_store_item *it, const char *account)
{
	size_t n = strlen(account);

	return is_session(it->kind) && strncmp(it->profile, account, n) == 0 &&
	       (it->profile[n] == '\0' || it->profile[n] == '/');
}

/* Delete one item; a missing one is no error (another process). */
static int forget(struct cli *cli, struct s2s_store *store,
                  const struct s2s_store_item *it, size_t *gone)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (s2s_store_delete(store, it->profile, it->kind, &err) &&
	    err.code != S2S_ENOTFOUND)
		return cli_fail(cli, &err);
	if (!err.code)
		(*gone)++;
	return EXIT_OK;
}

static int logout_all(struct cli *cli, struct s2s_store *store,
                      const struct s2s_store_item *items, size_t n)
{
	static const char *const kinds[] = { "sts", "idp-session",
		                             "idp-password", "totp-seed",
		                             "client-secret" };
	int status = EXIT_OK;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char names[512] = "";
		size_t gone = 0, len = 0;

		for (size_t i = 0; i < n && !status; i++) {
			size_t before = gone;

			if (strcmp(kind_name(items[i].kind),
			           kind_name(kinds[k])) != 0)
				continue;
			status = forget(cli, store, &items[i], &gone);
			if (gone > before && len < sizeof(names))
				len += (size_t)snprintf(names + len,
				                        sizeof(names) - len,
				                        "%s%s", len ? ", " : "",
				                        items[i].profile);
		}
		if (gone && k == 0)
			cli_info(cli,
			         "Removed the credentials of %zu profile(s): "
			         "%s.",
			         gone, names);
		else if (gone)
			cli_info(cli, "Removed %zu %s(s): %s.", gone,
			         kind_name(kinds[k]), names);
	}
	/* kinds of another version: they go too, without a word */
	for (size_t i = 0; i < n && !status; i++) {
		size_t gone = 0;

		if (strcmp(kind_name(items[i].kind), items[i].kind) == 0)
			status = forget(cli, store, &items[i], &gone);
	}
	if (!status && n == 0)
		cli_info(cli, "Nothing stored.");
	return status;
}

static int logout_profile(struct cli *cli, struct s2s_store *store,
                          const struct s2s_store_item *items, size_t n,
                          const char *profile, bool session)
{
	const struct s2s_store_item *sts = NULL;
	const char *account;
	size_t gone = 0, sessions = 0;
	int status = EXIT_OK;

	for (size_t i = 0; i < n && !sts; i++)
		if (strcmp(items[i].kind, "sts") == 0 &&
		    strcmp(items[i].profile, profile) == 0)
			sts = &items[i];
	if (sts)
		status = forget(cli, store, sts, &gone);
	if (gone) {
		const char *role =
		        sts->role_arn ? strrchr(sts->role_arn, '/') : NULL;

		cli_info(cli,
		         "Removed the credentials of profile %s (account %s, "
		         "role %s).",
		         profile, sts->account ? sts->account : "-",
		         role ? role + 1 : "-");
	}
	account = sts && sts->account ? sts->account : cli->account_name;
	for (size_t i = 0; i < n && session && !status; i++)
		if (session_of(&items[i], account))
			status = forget(cli, store, &items[i], &sessions);
	if (sessions)
		cli_info(cli, "Removed the kept IdP session of account %s.",
		         account);
	if (!status && !gone && !sessions)
		cli_info(cli, "Nothing stored for profile %s%s%s.", profile,
		         session ? " nor a kept IdP session of account " : "",
		         session ? account : "");
	return status;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *items = NULL;
	size_t n = 0;
	int status;

	if (s2s_store_list(&items, &n, cli->store, &err))
		return cli_fail(cli, &err);
	if (cli_arg(args, O_ALL))
		status = logout_all(cli, cli->store, items, n);
	else
		status = logout_profile(
		        cli, cli->store, items, n,
		        cli_profile(cli, cli_arg(args, O_PROFILE)),
		        cli_arg(args, O_SESSION) != NULL);
	s2s_store_items_free(items, n);
	/* the file store's keys leave the kernel keyring too: the next
	 * call derives them from the passphrase again */
	s2s_store_forget(cli->store);
	return status;
}

const struct cli_command cli_cmd_logout = {
	.name = "logout",
	.summary = "delete stored credentials",
	.synopsis = "[--profile P] [--session] | --all",
	.opts = opts,
	.flags = CLI_NEED_STORE,
	.run = run,
};
