/* SPDX-License-Identifier: MIT */
/*
 * Recently used roles, per IdP account, for the role picker: the last
 * choice is preselected and recent roles come first.  The file holds
 * only account names and role ARNs (no secrets), one "ACCOUNT<TAB>ARN"
 * line each, most recent first, in $XDG_STATE_HOME/saml2sts/recent
 * (else ~/.local/state/saml2sts/recent), mode 0600, replaced atomically
 * (mkstemp, fsync, rename).  Failures here are never fatal.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <saml2sts/file.h>

#include "cli.h"
#include "picker.h"

#define RECENT_PER_ACCOUNT 32
#define RECENT_MAX_LINES   512

/* The file path (caller frees) after creating its directory when mk. */
static char *recent_path(bool mk)
{
	const char *state = s2s_config_env("XDG_STATE_HOME");
	const char *home = s2s_config_env("HOME");
	struct s2s_buf b = S2S_BUF_INIT;
	char *p;

	if (state && *state == '/')
		s2s_buf_printf(&b, "%s/saml2sts", state);
	else if (home && *home)
		s2s_buf_printf(&b, "%s/.local/state/saml2sts", home);
	else
		return NULL;
	p = s2s_buf_detach(&b, NULL);
	if (!p)
		return NULL;
	if (mk && s2s_file_mkdirs(p, S2S_ERROR, NULL)) {
		free(p);
		return NULL;
	}
	s2s_buf_init(&b, false);
	s2s_buf_printf(&b, "%s/recent", p);
	free(p);
	return s2s_buf_detach(&b, NULL);
}

/* Lines of the file, without newlines; NULL-terminated, caller frees. */
static char **read_lines(const char *path, size_t *n)
{
	char **v = NULL, *line = NULL, **nv;
	size_t cap = 0, len = 0;
	ssize_t got;
	FILE *f;

	*n = 0;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	for (;;) {
		got = getline(&line, &cap, f);
		if (got < 0 || *n >= RECENT_MAX_LINES)
			break;
		if (got && line[got - 1] == '\n')
			line[--got] = '\0';
		if (!got || line[0] == '#' || !strchr(line, '\t'))
			continue;
		nv = realloc(v, (len + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[len] = strdup(line);
		if (!v[len])
			break;
		v[++len] = NULL;
	}
	free(line);
	fclose(f);
	*n = len;
	return v;
}

static void free_lines(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Does line belong to account? Returns the ARN part or NULL. */
static const char *line_arn(const char *line, const char *account)
{
	size_t n = strlen(account);

	if (strncmp(line, account, n) == 0 && line[n] == '\t')
		return line + n + 1;
	return NULL;
}

void cli_recent_load(const struct s2s_pick *req, long *rank, size_t *last)
{
	char *path = recent_path(false);
	size_t n = 0;
	char **v = path ? read_lines(path, &n) : NULL;
	long r = 0;

	*last = SIZE_MAX;
	for (size_t i = 0; i < req->nroles; i++)
		rank[i] = LONG_MAX;
	for (size_t j = 0; j < n; j++) {
		const char *arn = line_arn(v[j], req->account);

		if (!arn)
			continue;
		for (size_t i = 0; i < req->nroles; i++)
			if (rank[i] == LONG_MAX &&
			    strcasecmp(arn, req->roles[i].role_arn) == 0) {
				rank[i] = r;
				if (*last == SIZE_MAX)
					*last = i;
			}
		r++;
	}
	free_lines(v);
	free(path);
}

void cli_recent_foreach(const char *account,
                        void (*fn)(const char *arn, void *payload),
                        void *payload)
{
	char *path = recent_path(false);
	size_t n = 0;
	char **v = path ? read_lines(path, &n) : NULL;

	for (size_t j = 0; j < n; j++) {
		const char *arn = line_arn(v[j], account);

		if (arn)
			fn(arn, payload);
	}
	free_lines(v);
	free(path);
}

static bool chosen(const char *const *arns, size_t n, const char *arn)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(arns[i], arn) == 0)
			return true;
	return false;
}

void cli_recent_add(const char *account, const char *const *arns, size_t n)
{
	char *path = recent_path(true);
	size_t nold = 0, kept = n;
	char **v = path ? read_lines(path, &nold) : NULL;
	struct s2s_buf text = S2S_BUF_INIT;
	bool bad;

	if (!path || !n)
		goto out;
	bad = s2s_buf_puts(&text, "# saml2sts: recently used roles "
	                          "(account<TAB>role ARN)\n") != S2S_OK;
	for (size_t i = 0; i < n && !bad; i++)
		bad = s2s_buf_printf(&text, "%s\t%s\n", account, arns[i]) !=
		      S2S_OK;
	for (size_t j = 0; j < nold && !bad; j++) {
		const char *arn = line_arn(v[j], account);

		if (arn &&
		    (chosen(arns, n, arn) || kept++ >= RECENT_PER_ACCOUNT))
			continue;
		bad = s2s_buf_printf(&text, "%s\n", v[j]) != S2S_OK;
	}
	/* best effort: a lost recent list only changes the picker's order */
	if (!bad && !s2s_file_same(path, text.ptr, text.len))
		(void)s2s_file_write_private(path, text.ptr, text.len,
		                             S2S_ERROR, NULL);
out:
	s2s_buf_release(&text);
	free_lines(v);
	free(path);
}
