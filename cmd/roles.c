/* SPDX-License-Identifier: MIT */
/*
 * Showing roles (text grouped by account, or JSON) and asking for them:
 * the picker, or a numbered choice where the terminal cannot run it.
 * Which roles a --role names is the engine's business (lib/choice.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"
#include "picker.h"
#include "roles.h"

static void print_account_header(FILE *f, const struct s2s_role *r)
{
	if (r->account_name)
		cli_printf(f, "Account %s (%s)", r->account_name,
		           r->account_id);
	else
		cli_printf(f, "Account %s", r->account_id);
}

void cli_roles_print(const struct s2s_role *roles, size_t n, FILE *f,
                     bool numbered)
{
	const char *last = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct s2s_role *r = &roles[i];

		if (!last || strcmp(last, r->account_id) != 0) {
			print_account_header(f, r);
			last = r->account_id;
		}
		if (numbered)
			cli_printf(f, "  [%zu] %-20s %s", i + 1, r->role_name,
			           r->role_arn);
		else
			cli_printf(f, "  %-20s %s", r->role_name, r->role_arn);
	}
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

static void json_str_or_null(FILE *f, const char *s)
{
	if (s)
		json_str(f, s);
	else
		fputs("null", f);
}

void cli_roles_print_json(const struct s2s_grants *g, FILE *f)
{
	const char *last = NULL;

	fputs("{\"session_name\":", f);
	json_str_or_null(f, g->session_name);
	fputs(",\"session_duration\":", f);
	if (g->session_duration > 0)
		fprintf(f, "%ld", g->session_duration);
	else
		fputs("null", f);
	fputs(",\"accounts\":[", f);
	for (size_t i = 0; i < g->nroles; i++) {
		const struct s2s_role *r = &g->roles[i];

		if (!last || strcmp(last, r->account_id) != 0) {
			fputs(last ? "]}," : "", f);
			fputs("{\"account_id\":", f);
			json_str(f, r->account_id);
			fputs(",\"alias\":", f);
			json_str_or_null(f, r->account_name);
			fputs(",\"roles\":[", f);
			last = r->account_id;
		} else {
			fputc(',', f);
		}
		fputs("{\"role_name\":", f);
		json_str(f, r->role_name);
		fputs(",\"role_arn\":", f);
		json_str(f, r->role_arn);
		fputs(",\"provider_arn\":", f);
		/* CloudSSO grants: no provider, an access configuration */
		json_str_or_null(f, r->provider_arn);
		if (r->access_config_id) {
			fputs(",\"access_configuration_id\":", f);
			json_str(f, r->access_config_id);
		}
		fputc('}', f);
	}
	fputs(last ? "]}]}\n" : "]}\n", f);
}

/* Parse "3", "1 4 7" or "1,4" into indexes; false when invalid. */
static bool parse_numbers(const char *s, size_t nroles, size_t *idx, size_t *n)
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
		if (end == s || k < 1 || k > nroles || *n >= nroles)
			return false;
		idx[(*n)++] = (size_t)(k - 1);
		s = end;
	}
	return *n > 0;
}

/* Numbered choice on the terminal (TERM=dumb and friends): one number,
 * several separated by spaces or commas, or Enter for the last choice. */
static s2s_err ask_choice(const struct s2s_pick *req, size_t pre, size_t *idx,
                          size_t *n, struct s2s_error *err)
{
	struct s2s_buf ans = S2S_BUF_INIT;
	char question[96];
	s2s_err rc;

	if (pre != SIZE_MAX)
		snprintf(question, sizeof(question),
		         "Choose a role (number, several with spaces) [%zu]",
		         pre + 1);
	else
		snprintf(question, sizeof(question),
		         "Choose a role (number, several with spaces)");
	cli_roles_print(req->roles, req->nroles, stderr, true);
	for (;;) {
		rc = cli_tty_ask(question, false, &ans, err);
		if (rc)
			break;
		if (pre != SIZE_MAX && (!ans.ptr || !*ans.ptr)) {
			idx[0] = pre;
			*n = 1;
			break;
		}
		if (parse_numbers(ans.ptr ? ans.ptr : "", req->nroles, idx, n))
			break;
		fprintf(stderr, "Please enter numbers from 1 to %zu.\n",
		        req->nroles);
	}
	s2s_buf_release(&ans);
	return rc;
}

s2s_err cli_roles_pick(void *payload, const struct s2s_pick *req, size_t *idx,
                       size_t *n, struct s2s_error *err)
{
	long *rank = calloc(req->nroles, sizeof(*rank));
	size_t last = SIZE_MAX;
	int status;
	s2s_err rc = S2S_OK;

	(void)payload;
	*n = 0;
	if (!rank)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	cli_recent_load(req, rank, &last);
	status = cli_pick(req, rank, last, idx, req->nroles, n);
	if (status == CLI_PICK_UNAVAILABLE)
		rc = ask_choice(req, last, idx, n, err);
	else if (status == EXIT_CANCELLED)
		rc = s2s_error_set(err, S2S_ECANCELLED,
		                   "role choice cancelled");
	else if (status)
		rc = s2s_error_set(err, S2S_ERROR, "the role picker failed");
	free(rank);
	return rc;
}
