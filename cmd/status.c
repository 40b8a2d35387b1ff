/* SPDX-License-Identifier: MIT */
/*
 * saml2sts status: the stored profiles with IdP account, role, expiry
 * and backend, as text or JSON, the current profile marked.  On a
 * terminal the table fits 80 columns (role names, alias and uid,
 * minutes left); --wide, or output that is not a terminal, has every
 * column in full.  Reads attributes only, never secrets, so it does not
 * unlock anything.  Exit 0 even with nothing stored.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <saml2sts/alias.h>
#include <saml2sts/isotime.h>
#include <saml2sts/session.h>

#include "command.h"

static size_t max_z(size_t a, size_t b)
{
	return a > b ? a : b;
}

static size_t min_z(size_t a, size_t b)
{
	return a < b ? a : b;
}

enum { O_OUTPUT, O_WIDE };

static const struct cli_opt opts[] = {
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	[O_WIDE] = { "wide", 0, NULL,
	             "text: every column in full (ARNs, expiry, backend);\n"
	             "the default when stdout is not a terminal" },
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
                       const char *backend, time_t now, const char *current)
{
	char exp[32], *uid, *alias;
	bool first = true, marked = false;

	fputs("{\"profiles\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		bool cur;

		if (strcmp(it[i].kind, "sts") != 0)
			continue;
		cur = strcmp(it[i].profile, current) == 0;
		marked = marked || cur;
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
		printf(",\"current\":%s}", cur ? "true" : "false");
	}
	fputs("],\"current\":", stdout);
	json_str(marked ? current : NULL);
	fputs("}\n", stdout);
}

/* Every column in full, one profile per line starting with its name
 * (the layout of older versions, for scripts): --wide, or stdout that
 * is not a terminal. */
static void print_wide(const struct s2s_store_item *it, size_t n,
                       const char *backend, time_t now, const char *current)
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
		cli_printf(stdout, "%-20s %-12s %-40s %-22s %-10s %s%s",
		           it[i].profile, it[i].account ? it[i].account : "-",
		           role, when, left, backend,
		           strcmp(it[i].profile, current) == 0 ? "  (current)"
		                                               : "");
	}
	if (!any)
		printf("No stored credentials (%s).\n", backend);
}

/* The compact table of a terminal: 80 columns. */
#define COLS      80
#define LEFT_W    7  /* "expired", "11h58m", "59m" */
#define PROFILE_W 40 /* profile names are typed: cut last */
#define ROLE_W    20
#define ACCOUNT_W 18 /* at least a uid in parentheses */

struct row {
	char profile[S2S_PROFILE_MAX + 1];
	char account[96]; /* "alias (uid)", "uid" or the IdP account */
	char role[128];   /* the role name, or the whole ARN */
	char left[48];
	bool current;
};

/* s cut to at most w bytes (so columns), its last one '~' when cut,
 * never inside a UTF-8 sequence (names are printable by now). */
static void fit(char *s, size_t w)
{
	size_t at = w - 1;

	if (w == 0 || strlen(s) <= w)
		return;
	while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	s[at] = '~';
	s[at + 1] = '\0';
}

static void make_row(struct row *r, const struct s2s_store_item *it, time_t now,
                     const char *current, const struct s2s_config *cfg)
{
	const struct s2s_account *acct =
	        it->account && cfg ? s2s_config_account(cfg, it->account)
	                           : NULL;
	const char *arn = it->role_arn ? it->role_arn : "";
	const char *slash = strrchr(arn, '/');
	long secs = (long)(it->expires - now);
	char *uid, *alias;

	snprintf(r->profile, sizeof(r->profile), "%s", it->profile);
	uid = uid_of(it->role_arn, &alias);
	if (!uid && strncmp(arn, "acs:cloudsso::", 14) == 0)
		uid = strndup(arn + 14, strcspn(arn + 14, ":"));
	if (uid && acct) { /* account_aliases, else the one RAM gave */
		char *mine = s2s_account_alias(acct, uid);

		if (mine) {
			free(alias);
			alias = mine;
		}
	}
	if (uid && alias)
		snprintf(r->account, sizeof(r->account), "%s (%s)", alias, uid);
	else
		snprintf(r->account, sizeof(r->account), "%s",
		         uid           ? uid
		         : it->account ? it->account
		                       : "-");
	free(uid);
	free(alias);
	snprintf(r->role, sizeof(r->role), "%s",
	         slash && slash[1] ? slash + 1
	         : *arn            ? arn
	                           : "-");
	if (secs <= 0)
		snprintf(r->left, sizeof(r->left), "%s", "expired");
	else if (secs / 60 < 100) /* 99m, then 1h40m */
		snprintf(r->left, sizeof(r->left), "%ldm", secs / 60);
	else
		snprintf(r->left, sizeof(r->left), "%ldh%02ldm", secs / 3600,
		         secs % 3600 / 60);
	r->current = strcmp(it->profile, current) == 0;
	s2s_printable(r->profile);
	s2s_printable(r->account);
	s2s_printable(r->role);
}

/* An account column too narrow for "alias (uid)" keeps the uid whole
 * and cuts the alias. */
static void fit_account(char *a, size_t w)
{
	char *paren = strrchr(a, '(');
	size_t tail = paren ? strlen(paren) : 0;

	if (strlen(a) <= w)
		return;
	if (!paren || tail + 3 > w) {
		fit(a, w);
		return;
	}
	memmove(a + w - tail - 2, "~ ", 2);
	memmove(a + w - tail, paren, tail + 1);
}

static void print_compact(const struct s2s_store_item *it, size_t n,
                          const char *backend, time_t now, const char *current,
                          const struct s2s_config *cfg)
{
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t nr = 0, pw = 7, rw = 4, aw = 7, any_current = 0;

	if (!rows) {
		print_wide(it, n, backend, now, current);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(it[i].kind, "sts") != 0)
			continue;
		make_row(&rows[nr], &it[i], now, current, cfg);
		pw = max_z(pw, strlen(rows[nr].profile));
		rw = max_z(rw, strlen(rows[nr].role));
		aw = max_z(aw, strlen(rows[nr].account));
		any_current += rows[nr].current;
		nr++;
	}
	if (!nr) {
		printf("No stored credentials (%s).\n", backend);
		free(rows);
		return;
	}
	/* "* " PROFILE ' ' ACCOUNT ' ' ROLE ' ' LEFT: the account (its
	 * alias) gives way first, then the profile */
	pw = min_z(pw, (size_t)PROFILE_W);
	rw = min_z(rw, (size_t)ROLE_W);
	if (pw + rw + min_z(aw, ACCOUNT_W) > COLS - 5 - LEFT_W)
		pw = COLS - 5 - LEFT_W - rw - min_z(aw, ACCOUNT_W);
	aw = min_z(aw, COLS - 5 - LEFT_W - pw - rw);
	printf("  %-*s %-*s %-*s %s\n", (int)pw, "PROFILE", (int)aw, "ACCOUNT",
	       (int)rw, "ROLE", "LEFT");
	for (size_t i = 0; i < nr; i++) {
		fit(rows[i].profile, pw);
		fit_account(rows[i].account, aw);
		fit(rows[i].role, rw);
		printf("%c %-*s %-*s %-*s %s\n", rows[i].current ? '*' : ' ',
		       (int)pw, rows[i].profile, (int)aw, rows[i].account,
		       (int)rw, rows[i].role, rows[i].left);
	}
	printf("store: %s%s; --wide: ARNs, expiry times\n", backend,
	       any_current ? "; *: the current profile" : "");
	free(rows);
}

static int run(struct cli *cli, const struct cli_args *args)
{
	const char *output = cli_arg(args, O_OUTPUT);
	const char *backend = s2s_store_backend(cli->store);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *items = NULL;
	const char *why = NULL, *current;
	size_t n = 0;

	if (s2s_store_list(&items, &n, cli->store, &err))
		return cli_fail(cli, &err);
	current = cli_default_profile(cli, &why);
	if (output && strcmp(output, "json") == 0)
		print_json(items, n, backend, time(NULL), current);
	else if (cli_arg(args, O_WIDE) || !isatty(STDOUT_FILENO))
		print_wide(items, n, backend, time(NULL), current);
	else
		print_compact(items, n, backend, time(NULL), current, cli->cfg);
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
