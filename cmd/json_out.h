/* SPDX-License-Identifier: MIT */
/* Formatting credentials for consumers (credential-process, export). */
#ifndef S2S_CMD_JSON_OUT_H
#define S2S_CMD_JSON_OUT_H

#include "cli.h"

struct cli_env_pair {
	const char *name;
	const char *value; /* borrowed from the creds */
};

#define CLI_ENV_PAIRS 13 /* the CLI_ENV_CREDS entries of cli_env_vars */

/* The variables exec sets from the credentials (env.c's table), in a
 * fixed order; exp is a 32-byte buffer for the expiry text. */
void cli_env_pairs(struct cli_env_pair out[CLI_ENV_PAIRS],
                   const struct s2s_creds *c, const char *profile, char *exp);

/* Format creds as aliyun|aws|json|env|fish|powershell|dotenv into out
 * (a secret buffer); profile may be NULL.  With a profile (export), a
 * shell format starts with the lines removing what exec would clear. */
int cli_format_creds(struct s2s_buf *out, const struct s2s_creds *c,
                     const char *format, const char *profile);

/* Append v quoted for the shell of format (fish, else POSIX sh);
 * EXIT_FAIL when out of memory. */
int cli_format_quote(struct s2s_buf *out, const char *v, const char *format);

/* True for the formats that can remove a variable: env, fish,
 * powershell. */
bool cli_format_can_unset(const char *format);

/* Append to out the lines of format that remove, from a shell, every
 * variable exec would clear that is set now; with all (export --unset),
 * every variable exec sets or clears.  Nothing for other formats. */
int cli_format_unset(struct s2s_buf *out, const char *format, bool all);

#endif
