/* SPDX-License-Identifier: MIT */
/* Role selection and listing for login and list-roles. */
#ifndef S2S_CMD_ROLES_H
#define S2S_CMD_ROLES_H

#include <stdio.h>

#include "cli.h"

/* Find the one role matching spec (ARN, ACCOUNT/ROLE, role name);
 * exit 10 when none, 2 when ambiguous. */
int cli_role_find(const struct cli *cli, const struct s2s_saml *saml,
                  const char *spec, size_t *idx);

/* No --role: the config's role_arn, the only role, a numbered choice on
 * the terminal, or exit 8 listing the roles. */
int cli_role_choose(const struct cli *cli, const struct s2s_saml *saml,
                    bool can_prompt, size_t *idx);

/* Like cli_role_choose, but on a terminal the interactive picker (or,
 * when the terminal cannot do it, the numbered list), which may return
 * several roles: up to max indexes in idx, their count in *n. */
int cli_role_choose_many(const struct cli *cli, const struct s2s_saml *saml,
                         bool can_prompt, size_t *idx, size_t max, size_t *n);

/* Sorted by account then role name; caller frees the array. */
const struct s2s_role **cli_roles_sorted(const struct s2s_saml *saml);

int cli_roles_print(const struct cli *cli, const struct s2s_saml *saml, FILE *f,
                    bool numbered);
int cli_roles_print_json(const struct cli *cli, const struct s2s_saml *saml,
                         FILE *f);

#endif
