/* SPDX-License-Identifier: MIT */
/*
 * saml2sts login: authenticate at the IdP, choose the role(s), call STS
 * and store the credentials; one summary line per profile on stderr.
 * With several roles (repeated --role, --all-roles) each gets its own
 * profile named by profile_template.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saml2sts/secret.h>
#include <saml2sts/session.h>
#include <saml2sts/sts.h>

#include "cli.h"
#include "picker.h"
#include "roles.h"

#define MAX_ROLES 256

enum {
	OPT_PROFILE = OPT_FIRST_LOCAL,
	OPT_ROLE,
	OPT_ALL_ROLES,
	OPT_DURATION,
	OPT_STS_ENDPOINT,
	OPT_PASSWORD_STDIN,
	OPT_SKIP_PROMPT,
	OPT_FORCE,
	OPT_BROWSER,
	OPT_HEADLESS,
	OPT_USERNAME,
};

struct login_args {
	struct s2s_login_opts opt;
	const char *roles[MAX_ROLES];
	bool password_stdin;
};

static void usage(FILE *f)
{
	fputs("usage: saml2sts login [options]\n\n"
	      "  --profile P          store under profile P (default: the "
	      "account's profile)\n"
	      "  --role ROLE          ARN, ACCOUNT/ROLE (uid or alias) or a "
	      "unique role name;\n"
	      "                       repeat for several roles\n"
	      "  --all-roles          every granted role, one profile each\n"
	      "  --duration S         STS session seconds (900..43200)\n"
	      "  --sts-endpoint URL   STS endpoint for this run\n"
	      "  --username NAME      IdP username for this run\n"
	      "  --password-stdin     read the password from stdin\n"
	      "  --skip-prompt        never prompt: exit 8 if input is "
	      "missing\n"
	      "  --force              log in even if stored credentials are "
	      "still valid\n"
	      "  --browser            log in through a real browser\n"
	      "  --headless           browser without a window\n",
	      f);
}

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

static int parse_args(struct cli *cli, int argc, char **argv,
                      struct login_args *a)
{
	static const struct option longopts[] = {
		CLI_GLOBAL_LONGOPTS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "role", 1, NULL, OPT_ROLE },
		{ "all-roles", 0, NULL, OPT_ALL_ROLES },
		{ "duration", 1, NULL, OPT_DURATION },
		{ "sts-endpoint", 1, NULL, OPT_STS_ENDPOINT },
		{ "password-stdin", 0, NULL, OPT_PASSWORD_STDIN },
		{ "skip-prompt", 0, NULL, OPT_SKIP_PROMPT },
		{ "force", 0, NULL, OPT_FORCE },
		{ "browser", 0, NULL, OPT_BROWSER },
		{ "headless", 0, NULL, OPT_HEADLESS },
		{ "username", 1, NULL, OPT_USERNAME },
		{ NULL, 0, NULL, 0 },
	};
	int c, status;

	for (;;) {
		c = getopt_long(argc, argv, "a:h", longopts, NULL);
		if (c == -1)
			break;
		if (cli_global_opt(cli, c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case OPT_PROFILE:
			a->opt.profile = optarg;
			break;
		case OPT_ROLE:
			if (a->opt.nroles == MAX_ROLES)
				return cli_usage("login", "too many --role");
			a->roles[a->opt.nroles++] = optarg;
			break;
		case OPT_ALL_ROLES:
			a->opt.all_roles = true;
			break;
		case OPT_DURATION:
			status = parse_duration(optarg, &a->opt.duration);
			if (status)
				return status;
			break;
		case OPT_STS_ENDPOINT:
			a->opt.sts_endpoint = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			a->password_stdin = true;
			break;
		case OPT_SKIP_PROMPT:
			cli->skip_prompt = true;
			break;
		case OPT_FORCE:
			a->opt.force = true;
			break;
		case OPT_BROWSER:
			a->opt.browser = true;
			break;
		case OPT_HEADLESS:
			a->opt.browser = true;
			a->opt.headless = true;
			break;
		case OPT_USERNAME:
			a->opt.username = optarg;
			break;
		default:
			return cli_usage("login",
			                 "unknown or incomplete "
			                 "option '%s'",
			                 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("login", "unexpected argument '%s'",
		                 argv[optind]);
	if (a->opt.all_roles && a->opt.nroles)
		return cli_usage("login", "--all-roles and --role exclude "
		                          "each other");
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

	s2s_account_get_long(&window, cli->acct, "refresh_window", 0, 43200,
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

/* One summary line per stored profile, one error line per failed role;
 * the chosen roles go first in the recently used list. */
static int report(struct cli *cli, const struct login_args *a,
                  const struct s2s_login_result *res, s2s_err rc,
                  const struct s2s_error *err)
{
	const char *arns[MAX_ROLES];
	size_t n = 0;
	char when[64];

	if (res && res->still_valid) {
		s2s_time_format_local(when, sizeof(when),
		                      res->still_valid->expiration);
		cli_info(cli,
		         "Credentials of profile %s are valid until %s; use "
		         "--force to log in again",
		         res->profile, when);
		return EXIT_OK;
	}
	if (!res || !res->nitems)
		return fail(res, err);
	for (size_t i = 0; i < res->nitems; i++) {
		const struct s2s_login_item *it = &res->items[i];

		if (it->rc) {
			cli_fail(cli, &it->err);
			continue;
		}
		summary(cli, it);
		if (n < MAX_ROLES)
			arns[n++] = it->role.role_arn;
	}
	if (!a->opt.all_roles && !rc)
		cli_recent_add(cli->account_name, arns, n);
	return cli_exit_code(rc);
}

int cmd_login(struct cli *cli, int argc, char **argv)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_result *res = NULL;
	struct login_args a = { 0 };
	int status;
	s2s_err rc;

	status = parse_args(cli, argc, argv, &a);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (a.password_stdin) {
		status = cli_read_password_stdin(cli);
		if (status)
			return status;
	}
	status = cli_need_account(cli);
	if (status)
		return status;
	a.opt.account = cli->account_name;
	a.opt.roles = a.roles;
	cli_catch_cancel();
	rc = s2s_session_login(&res, cli->session, &a.opt, &err);
	status = report(cli, &a, res, rc, &err);
	s2s_login_result_free(res);
	return status;
}
