/* SPDX-License-Identifier: MIT */
/*
 * saml2sts login: authenticate at the IdP, choose the role(s), call STS
 * and store the credentials; one summary line per profile on stderr.
 * With several roles (repeated --role, --all-roles) each gets its own
 * profile named by profile_template.  --profile P alone assumes P's
 * stored role again; a login of one role makes its profile the current
 * one.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saml2sts/current.h>
#include <saml2sts/secret.h>
#include <saml2sts/session.h>
#include <saml2sts/sts.h>

#include "command.h"
#include "picker.h"
#include "roles.h"

enum {
	O_PROFILE,
	O_ROLE,
	O_ALL_ROLES,
	O_DURATION,
	O_STS_ENDPOINT,
	O_USERNAME,
	O_PASSWORD_STDIN,
	O_SKIP_PROMPT,
	O_FORCE,
	O_BROWSER,
	O_HEADLESS,
	O_NO_BROWSER,
};

static const struct cli_opt opts[] = {
	[O_PROFILE] = { "profile", 'p', "P",
	                "store under profile P (default: the account's "
	                "profile)" },
	[O_ROLE] = { "role", 0, "ROLE",
	             "ARN, ACCOUNT/ROLE (uid or alias) or a unique role "
	             "name;\nrepeat for several roles" },
	[O_ALL_ROLES] = { "all-roles", 0, NULL,
	                  "every granted role, one profile each; those\n"
	                  "still fresh are kept unless --force",
	                  NULL, "role" },
	[O_DURATION] = { "duration", 0, "S",
	                 "STS session seconds (900..43200)" },
	[O_STS_ENDPOINT] = { "sts-endpoint", 0, "URL",
	                     "STS endpoint for this run" },
	[O_USERNAME] = CLI_OPT_USERNAME,
	[O_PASSWORD_STDIN] = CLI_OPT_PASSWORD_STDIN,
	[O_SKIP_PROMPT] = CLI_OPT_SKIP_PROMPT,
	[O_FORCE] = { "force", 0, NULL,
	              "log in even if stored credentials are still valid" },
	[O_BROWSER] = { "browser", 0, NULL, "log in through a real browser" },
	[O_HEADLESS] = { "headless", 0, NULL, "browser without a window" },
	[O_NO_BROWSER] = { "no-browser", 0, NULL,
	                   "CloudSSO: print the sign-in URL, open no "
	                   "browser" },
	{ NULL },
};

static int parse_duration(const char *s, long *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < S2S_STS_MIN_DURATION || v > S2S_STS_MAX_DURATION)
		return cli_usage("login",
		                 "--duration must be a number of seconds "
		                 "from 900 to 43200");
	*out = v;
	return EXIT_OK;
}

/* The login options from the command line; the --role values are
 * borrowed from argv. */
static int login_opts(struct cli *cli, const struct cli_args *args,
                      struct s2s_login_opts *o, const char ***roles)
{
	const char *d = cli_arg(args, O_DURATION);

	o->account = cli->account_name;
	o->account_default = !cli->account_given;
	o->profile = cli_arg(args, O_PROFILE);
	o->all_roles = cli_arg(args, O_ALL_ROLES) != NULL;
	o->sts_endpoint = cli_arg(args, O_STS_ENDPOINT);
	o->username = cli_arg(args, O_USERNAME);
	o->force = cli_arg(args, O_FORCE) != NULL;
	o->headless = cli_arg(args, O_HEADLESS) != NULL;
	o->browser = o->headless || cli_arg(args, O_BROWSER);
	cli->no_browser = cli_arg(args, O_NO_BROWSER) != NULL;
	if (d && parse_duration(d, &o->duration))
		return EXIT_USAGE;
	*roles = calloc(args->n + 1, sizeof(**roles));
	if (!*roles)
		return cli_error(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < args->n; i++)
		if (args->seq[i].opt == O_ROLE)
			(*roles)[o->nroles++] = args->seq[i].val;
	o->roles = *roles;
	return EXIT_OK;
}

/* A token that lives barely longer than the refresh window is refreshed
 * at half-life instead: say so, since it means more logins. */
static void warn_short(const struct cli *cli, const struct s2s_login_item *it)
{
	const struct s2s_creds *c = it->creds;
	struct s2s_error err = S2S_ERROR_INIT;
	long window = S2S_REFRESH_WINDOW;
	long life = (long)(c->expiration - c->issued);
	const struct s2s_account *acct =
	        c->account_name ? s2s_config_account(cli->cfg, c->account_name)
	                        : cli->acct;

	s2s_account_get_long(&window, acct, "refresh_window", 0, 43200,
	                     S2S_REFRESH_WINDOW, &err);
	if (c->issued && life <= window + 300)
		cli_info(cli,
		         "saml2sts: warning: the session lasts %ld min, not "
		         "much more than refresh_window (%ld min): tokens "
		         "are handed out until %ld min before expiry",
		         life / 60, window / 60, it->window / 60);
}

static void summary(const struct cli *cli, const struct s2s_login_item *it)
{
	const struct s2s_role *r = &it->role;
	const char *alias = r->account_name;
	long left = s2s_creds_remaining(it->creds, time(NULL));
	char when[64];

	s2s_time_format_local(when, sizeof(when), it->creds->expiration);
	cli_info(cli,
	         "Logged in: profile %s, account %s%s%s%s, role %s, "
	         "expires %s (%ld min)",
	         it->profile, alias ? alias : r->account_id, alias ? " (" : "",
	         alias ? r->account_id : "", alias ? ")" : "", r->role_name,
	         when, left / 60);
	warn_short(cli, it);
}

/* The error line of a login, followed by the granted ARNs when the
 * engine says they help. */
static int fail(const struct s2s_login_result *res, const struct s2s_error *err)
{
	fprintf(stderr, "saml2sts: %s",
	        err->msg[0] ? err->msg : s2s_strerror(err->code));
	for (size_t i = 0; res && res->list_granted && i < res->ngranted; i++)
		fprintf(stderr, "%s %s", i ? "," : "",
		        res->granted[i].role_arn);
	fputc('\n', stderr);
	return cli_cancel_status(cli_exit_code(err->code));
}

/* A login of one role makes its profile the current one (what commands
 * use without --profile); failing to say so is no reason to fail. */
static void make_current(const struct cli *cli, const char *profile)
{
	struct s2s_error err = S2S_ERROR_INIT;

	if (s2s_current_set(profile, &err))
		cli_verbose(cli, "the current profile is not kept: %s",
		            err.msg);
	else
		cli_verbose(cli, "current profile: %s", profile);
}

/* One summary line per stored profile, one error line per failed role;
 * the chosen roles go first in the recently used list. */
static int report(struct cli *cli, const struct s2s_login_opts *o,
                  const struct s2s_login_result *res, s2s_err rc,
                  const struct s2s_error *err)
{
	const char **arns;
	size_t n = 0, kept = 0;
	char when[64];

	if (res && res->still_valid) {
		s2s_time_format_local(when, sizeof(when),
		                      res->still_valid->expiration);
		cli_info(cli,
		         "Credentials of profile %s are valid until %s; use "
		         "--force to log in again",
		         res->profile, when);
		make_current(cli, res->profile);
		return EXIT_OK;
	}
	if (!res || !res->nitems)
		return fail(res, err);
	arns = calloc(res->nitems, sizeof(*arns));
	for (size_t i = 0; i < res->nitems; i++) {
		const struct s2s_login_item *it = &res->items[i];

		if (it->rc) {
			cli_fail(cli, &it->err);
			continue;
		}
		if (it->kept) { /* --all-roles: still fresh */
			kept++;
			continue;
		}
		summary(cli, it);
		if (arns)
			arns[n++] = it->role.role_arn;
	}
	if (kept)
		cli_info(cli,
		         "Kept %zu of %zu profile(s) whose credentials are "
		         "still fresh (--force renews them).",
		         kept, res->nitems);
	if (!o->all_roles && !rc) /* the account that made them */
		cli_recent_add(res->items[0].creds->account_name, arns, n);
	if (!o->all_roles && !rc && res->nitems == 1)
		make_current(cli, res->items[0].profile);
	free(arns);
	return cli_exit_code(rc);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_result *res = NULL;
	struct s2s_login_opts o = { 0 };
	const char **roles = NULL;
	int status;
	s2s_err rc;

	status = login_opts(cli, args, &o, &roles);
	if (status) {
		free(roles);
		return status;
	}
	if (!cli_session(cli)) {
		free(roles);
		return EXIT_FAIL;
	}
	cli_catch_cancel();
	rc = s2s_session_login(&res, cli->session, &o, &err);
	status = report(cli, &o, res, rc, &err);
	s2s_login_result_free(res);
	free(roles);
	return status;
}

const struct cli_command cli_cmd_login = {
	.name = "login",
	.summary = "log in and store STS credentials",
	.opts = opts,
	/* the account is the engine's to find: --profile P alone logs in
	 * with the account that made P */
	.flags = CLI_NEED_CONFIG,
	.run = run,
};
