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
	struct cli_login opt;
	const char *profile;
	const char *roles[MAX_ROLES];
	size_t nroles;
	bool all_roles;
	bool force;
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
			a->profile = optarg;
			break;
		case OPT_ROLE:
			if (a->nroles == MAX_ROLES)
				return cli_usage("login", "too many --role");
			a->roles[a->nroles++] = optarg;
			break;
		case OPT_ALL_ROLES:
			a->all_roles = true;
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
			a->opt.password_stdin = true;
			break;
		case OPT_SKIP_PROMPT:
			a->opt.skip_prompt = true;
			break;
		case OPT_FORCE:
			a->force = true;
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
	if (a->all_roles && a->nroles)
		return cli_usage("login", "--all-roles and --role exclude "
		                          "each other");
	return EXIT_OK;
}

/* profile_template with {account} (alias or uid) and {role}. */
static char *profile_name(const struct cli *cli, const struct s2s_role *r)
{
	const char *t = s2s_account_get_str(cli->acct, "profile_template",
	                                    "{account}-{role}");
	char *alias = cli_account_alias(cli, r->account_id);
	struct s2s_buf b = S2S_BUF_INIT;

	while (*t) {
		if (strncmp(t, "{account}", 9) == 0) {
			s2s_buf_puts(&b, alias ? alias : r->account_id);
			t += 9;
		} else if (strncmp(t, "{role}", 6) == 0) {
			s2s_buf_puts(&b, r->role_name);
			t += 6;
		} else {
			s2s_buf_add(&b, t++, 1);
		}
	}
	free(alias);
	return s2s_buf_detach(&b, NULL);
}

/* A token that lives barely longer than the refresh window is refreshed
 * at half-life instead: say so, since it means more logins. */
static void warn_short(const struct cli *cli, const struct s2s_creds *c)
{
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
		         life / 60, window / 60,
		         s2s_creds_window(c, window) / 60);
}

static void summary(const struct cli *cli, const char *profile,
                    const struct s2s_creds *c, const struct s2s_role *r)
{
	char when[64];
	char *alias = cli_account_alias(cli, r->account_id);
	long left = s2s_creds_remaining(c, time(NULL));

	cli_local_time(when, sizeof(when), c->expiration);
	cli_info(cli,
	         "Logged in: profile %s, account %s%s%s%s, role %s, "
	         "expires %s (%ld min)",
	         profile, alias ? alias : r->account_id, alias ? " (" : "",
	         alias ? r->account_id : "", alias ? ")" : "", r->role_name,
	         when, left / 60);
	free(alias);
	warn_short(cli, c);
}

/* Stored credentials for profile still fresh (and for the asked role)? */
static bool still_valid(struct cli *cli, const char *profile,
                        const char *role_spec)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;
	long window = 1200;
	bool ok = false;
	char when[64];

	if (s2s_store_get_creds(&c, cli->store, profile, &err))
		return false;
	s2s_account_get_long(&window, cli->acct, "refresh_window", 0, 43200,
	                     1200, &err);
	if (s2s_creds_remaining(c, time(NULL)) > s2s_creds_window(c, window) &&
	    (!role_spec ||
	     (c->role_arn && strcasecmp(role_spec, c->role_arn) == 0))) {
		cli_local_time(when, sizeof(when), c->expiration);
		cli_info(cli,
		         "Credentials of profile %s are valid until %s; use "
		         "--force to log in again",
		         profile, when);
		ok = true;
	}
	s2s_creds_free(c);
	return ok;
}

static int choose(struct cli *cli, const struct login_args *a,
                  const struct s2s_saml *saml, size_t *idx, size_t *n)
{
	int status;

	*n = 0;
	if (saml->nroles == 0)
		return cli_role_choose(cli, saml, false, idx);
	if (a->all_roles) {
		for (size_t i = 0; i < saml->nroles && i < MAX_ROLES; i++)
			idx[(*n)++] = i;
		return EXIT_OK;
	}
	for (size_t i = 0; i < a->nroles; i++) {
		status = cli_role_find(cli, saml, a->roles[i], &idx[*n]);
		if (status)
			return status;
		(*n)++;
	}
	if (*n)
		return EXIT_OK;
	return cli_role_choose_many(cli, saml,
	                            cli_can_prompt(a->opt.skip_prompt), idx,
	                            MAX_ROLES, n);
}

/* STS for every chosen role (in parallel), then the hand-off and one
 * summary line per profile that worked; the first failure's status. */
static int assume_all(struct cli *cli, const struct login_args *a,
                      const struct s2s_buf *saml_b64,
                      const struct s2s_saml *saml, const size_t *idx, size_t n)
{
	const struct s2s_role *roles[MAX_ROLES];
	const char *profiles[MAX_ROLES];
	char *names[MAX_ROLES] = { NULL };
	struct s2s_creds *creds[MAX_ROLES];
	int statuses[MAX_ROLES], status, one;

	for (size_t i = 0; i < n; i++) {
		roles[i] = &saml->roles[idx[i]];
		names[i] = n > 1 ? profile_name(cli, roles[i]) : NULL;
		profiles[i] =
		        names[i] ? names[i] : cli_profile(cli, a->profile);
	}
	status = cli_assume_roles(cli, &a->opt, saml_b64, saml, roles, profiles,
	                          n, creds, statuses);
	for (size_t i = 0; i < n; i++) {
		one = statuses[i];
		if (!one)
			one = cli_aliyun_handoff(cli, profiles[i], creds[i]);
		if (!one)
			summary(cli, profiles[i], creds[i], roles[i]);
		else if (!status)
			status = one;
		s2s_creds_free(creds[i]);
		free(names[i]);
	}
	return status;
}

int cmd_login(struct cli *cli, int argc, char **argv)
{
	struct s2s_buf saml_b64 = S2S_BUF_SECRET_INIT;
	struct login_args a = { 0 };
	struct s2s_saml *saml = NULL;
	size_t idx[MAX_ROLES], n = 0;
	int status;

	status = parse_args(cli, argc, argv, &a);
	if (status)
		return status < 0 ? EXIT_OK : status;
	status = cli_need_account(cli);
	if (!status) /* fail before asking the IdP for anything */
		status = cli_open_store(cli);
	if (status)
		return status;
	if (!a.force && !a.all_roles && a.nroles <= 1 &&
	    still_valid(cli, cli_profile(cli, a.profile),
	                a.nroles ? a.roles[0] : NULL))
		return EXIT_OK;
	status = cli_authenticate(cli, &a.opt, &saml_b64, &saml);
	if (!status)
		status = choose(cli, &a, saml, idx, &n);
	if (!status)
		status = assume_all(cli, &a, &saml_b64, saml, idx, n);
	if (!status && !a.all_roles)
		cli_recent_add(cli, saml, idx, n);
	s2s_saml_free(saml);
	s2s_buf_release(&saml_b64);
	return status;
}
