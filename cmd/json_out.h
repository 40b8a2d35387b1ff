/* SPDX-License-Identifier: MIT */
/* Formatting credentials for consumers (credential-process, export). */
#ifndef S2S_CMD_JSON_OUT_H
#define S2S_CMD_JSON_OUT_H

#include "cli.h"

struct cli_env_pair {
	const char *name;
	const char *value; /* borrowed from the creds */
};

#define CLI_ENV_PAIRS 13

/* The variables exec sets, in a fixed order; exp is a 32-byte buffer for
 * the expiry text. */
void cli_env_pairs(struct cli_env_pair out[CLI_ENV_PAIRS],
                   const struct s2s_creds *c, const char *profile, char *exp);

/* Format creds as aliyun|aws|json|env|fish|powershell|dotenv into out
 * (a secret buffer); profile may be NULL. */
int cli_format_creds(struct s2s_buf *out, const struct s2s_creds *c,
                     const char *format, const char *profile);

#endif
