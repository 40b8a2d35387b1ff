/* SPDX-License-Identifier: MIT */
/*
 * Role selection: --role in its accepted spellings (full ARN,
 * ACCOUNT/ROLE by uid or alias, or a unique role name), the config's
 * role_arn, a numbered choice on the terminal, and the role listing
 * (text grouped by account, or JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "picker.h"
#include "roles.h"

static bool matches(const struct cli *cli, const struct s2s_role *r,
                    const char *spec)
{
	const char *slash = strchr(spec, '/');
	char *alias;
	size_t n;
	bool ok;

	if (strncasecmp(spec, "acs:", 4) == 0)
		return strcasecmp(spec, r->role_arn) == 0;
	if (!slash)
		return strcasecmp(spec, r->role_name) == 0;
	if (strcasecmp(slash + 1, r->role_name) != 0)
		return false;
	n = (size_t)(slash - spec);
	if (strlen(r->account_id) == n && strncmp(spec, r->account_id, n) == 0)
		return true;
	alias = cli_account_alias(cli, r->account_id);
	ok = alias && strlen(alias) == n && strncasecmp(spec, alias, n) == 0;
	free(alias);
	return ok;
}

int cli_role_find(const struct cli *cli, const struct s2s_saml *saml,
                  const char *spec, size_t *idx)
{
	size_t found = 0, at = 0;

	for (size_t i = 0; i < saml->nroles; i++)
		if (matches(cli, &saml->roles[i], spec)) {
			found++;
			at = i;
		}
	if (found == 1) {
		*idx = at;
		return EXIT_OK;
	}
	if (found > 1)
		return cli_error(EXIT_USAGE,
		                 "role '%s' is ambiguous: %zu roles match; "
		                 "give ACCOUNT/ROLE or the full ARN",
		                 spec, found);
	fprintf(stderr,
	        "saml2sts: role '%s' is not granted by the "
	        "assertion; granted:",
	        spec);
	for (size_t i = 0; i < saml->nroles; i++)
		fprintf(stderr, "%s %s", i ? "," : "", saml->roles[i].role_arn);
	fputc('\n', stderr);
	return EXIT_NOROLE;
}

static int role_cmp(const void *a, const void *b)
{
	const struct s2s_role *x = *(const struct s2s_role *const *)a;
	const struct s2s_role *y = *(const struct s2s_role *const *)b;
	int c = strcmp(x->account_id, y->account_id);

	return c ? c : strcasecmp(x->role_name, y->role_name);
}

/* Roles sorted by account then name, as pointers into saml. */
const struct s2s_role **cli_roles_sorted(const struct s2s_saml *saml)
{
	const struct s2s_role **v = calloc(saml->nroles + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < saml->nroles; i++)
		v[i] = &saml->roles[i];
	qsort(v, saml->nroles, sizeof(*v), role_cmp);
	return v;
}

static void print_account_header(const struct cli *cli, FILE *f,
                                 const char *uid)
{
	char *alias = cli_account_alias(cli, uid);

	if (alias)
		fprintf(f, "Account %s (%s)\n", alias, uid);
	else
		fprintf(f, "Account %s\n", uid);
	free(alias);
}

int cli_roles_print(const struct cli *cli, const struct s2s_saml *saml, FILE *f,
                    bool numbered)
{
	const struct s2s_role **v = cli_roles_sorted(saml);
	const char *last = NULL;

	if (!v)
		return cli_error(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < saml->nroles; i++) {
		if (!last || strcmp(last, v[i]->account_id) != 0) {
			print_account_header(cli, f, v[i]->account_id);
			last = v[i]->account_id;
		}
		if (numbered)
			fprintf(f, "  [%zu] %-20s %s\n", i + 1, v[i]->role_name,
			        v[i]->role_arn);
		else
			fprintf(f, "  %-20s %s\n", v[i]->role_name,
			        v[i]->role_arn);
	}
	free(v);
	return EXIT_OK;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int cli_roles_print_json(const struct cli *cli, const struct s2s_saml *saml,
                         FILE *f)
{
	const struct s2s_role **v = cli_roles_sorted(saml);
	const char *last = NULL;

	if (!v)
		return cli_error(EXIT_FAIL, "out of memory");
	fputs("{\"session_name\":", f);
	if (saml->session_name)
		json_str(f, saml->session_name);
	else
		fputs("null", f);
	fputs(",\"session_duration\":", f);
	if (saml->session_duration > 0)
		fprintf(f, "%ld", saml->session_duration);
	else
		fputs("null", f);
	fputs(",\"accounts\":[", f);
	for (size_t i = 0; i < saml->nroles; i++) {
		const struct s2s_role *r = v[i];

		if (!last || strcmp(last, r->account_id) != 0) {
			char *alias = cli_account_alias(cli, r->account_id);

			fputs(last ? "]}," : "", f);
			fputs("{\"account_id\":", f);
			json_str(f, r->account_id);
			fputs(",\"alias\":", f);
			if (alias)
				json_str(f, alias);
			else
				fputs("null", f);
			fputs(",\"roles\":[", f);
			free(alias);
			last = r->account_id;
		} else {
			fputc(',', f);
		}
		fputs("{\"role_name\":", f);
		json_str(f, r->role_name);
		fputs(",\"role_arn\":", f);
		json_str(f, r->role_arn);
		fputs(",\"provider_arn\":", f);
		json_str(f, r->provider_arn);
		fputc('}', f);
	}
	fputs(last ? "]}]}\n" : "]}\n", f);
	free(v);
	return EXIT_OK;
}

/* Parse "3", "1 4 7" or "1,4": indexes into v; false when invalid. */
static bool parse_numbers(const char *s, const struct s2s_role **v,
                          const struct s2s_saml *saml, size_t *idx, size_t max,
                          size_t *n)
{
	*n = 0;
	while (*s) {
		char *end = NULL;
		unsigned long k;

		if (*s == ' ' || *s == ',' || *s == '\t') {
			s++;
			continue;
		}
		k = strtoul(s, &end, 10);
		if (end == s || k < 1 || k > saml->nroles || *n >= max)
			return false;
		idx[(*n)++] = (size_t)(v[k - 1] - saml->roles);
		s = end;
	}
	return *n > 0;
}

/* Numbered choice on the terminal (TERM=dumb and friends): one number,
 * several separated by spaces or commas, or Enter for the last choice. */
static int ask_choice(const struct cli *cli, const struct s2s_saml *saml,
                      size_t pre, size_t *idx, size_t max, size_t *n)
{
	const struct s2s_role **v = cli_roles_sorted(saml);
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf ans = S2S_BUF_INIT;
	char question[96];
	size_t def = 0;
	int status = EXIT_OK;

	if (!v)
		return cli_error(EXIT_FAIL, "out of memory");
	for (size_t i = 0; i < saml->nroles; i++)
		if (pre != SIZE_MAX && (size_t)(v[i] - saml->roles) == pre)
			def = i + 1;
	if (def)
		snprintf(question, sizeof(question),
		         "Choose a role (number, several with spaces) [%zu]",
		         def);
	else
		snprintf(question, sizeof(question),
		         "Choose a role (number, several with spaces)");
	cli_roles_print(cli, saml, stderr, true);
	for (;;) {
		s2s_error_clear(&err);
		if (cli_tty_ask(question, false, &ans, &err)) {
			status = cli_fail(NULL, &err);
			break;
		}
		if (def && (!ans.ptr || !*ans.ptr)) {
			idx[0] = pre;
			*n = 1;
			break;
		}
		if (parse_numbers(ans.ptr ? ans.ptr : "", v, saml, idx, max, n))
			break;
		fprintf(stderr, "Please enter numbers from 1 to %zu.\n",
		        saml->nroles);
	}
	s2s_buf_release(&ans);
	free(v);
	return status;
}

int cli_role_choose_many(const struct cli *cli, const struct s2s_saml *saml,
                         bool can_prompt, size_t *idx, size_t max, size_t *n)
{
	long *rank = NULL;
	size_t last = SIZE_MAX;
	int status;

	*n = 0;
	if (!can_prompt || saml->nroles <= 1 ||
	    (cli->acct && s2s_account_get(cli->acct, "role_arn"))) {
		status = cli_role_choose(cli, saml, can_prompt, idx);
		if (!status)
			*n = 1;
		return status;
	}
	rank = calloc(saml->nroles, sizeof(*rank));
	if (!rank)
		return cli_error(EXIT_FAIL, "out of memory");
	cli_recent_load(cli, saml, rank, &last);
	status = cli_pick(cli, saml, rank, last, idx, max, n);
	if (status == CLI_PICK_UNAVAILABLE)
		status = ask_choice(cli, saml, last, idx, max, n);
	free(rank);
	return status;
}

int cli_role_choose(const struct cli *cli, const struct s2s_saml *saml,
                    bool can_prompt, size_t *idx)
{
	const char *pre =
	        cli->acct ? s2s_account_get(cli->acct, "role_arn") : NULL;

	if (saml->nroles == 0)
		return cli_error(EXIT_NOROLE,
		                 "the assertion grants no Alibaba Cloud role "
		                 "(no %s attribute)",
		                 "SAML-Role/Attributes/Role");
	if (pre)
		return cli_role_find(cli, saml, pre, idx);
	if (saml->nroles == 1) {
		*idx = 0;
		return EXIT_OK;
	}
	if (can_prompt) {
		size_t n = 0;

		return ask_choice(cli, saml, SIZE_MAX, idx, 1, &n);
	}
	fprintf(stderr,
	        "saml2sts: %zu roles granted and no --role given (prompting "
	        "is not allowed):",
	        saml->nroles);
	for (size_t i = 0; i < saml->nroles; i++)
		fprintf(stderr, "%s %s", i ? "," : "", saml->roles[i].role_arn);
	fputc('\n', stderr);
	return EXIT_NEEDINPUT;
}
