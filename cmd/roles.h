/* SPDX-License-Identifier: MIT */
/* Showing and choosing roles for login and list-roles. */
#ifndef S2S_CMD_ROLES_H
#define S2S_CMD_ROLES_H

#include <stdio.h>

#include <saml2sts/session.h>

#include "cli.h"

/* Roles (in the engine's order: account, then role name) grouped by
 * account, numbered or not. */
void cli_roles_print(const struct s2s_role *roles, size_t n, FILE *f,
                     bool numbered);

/* list-roles --output json. */
void cli_roles_print_json(const struct s2s_grants *g, FILE *f);

/* The engine's pick callback: the interactive picker (recent first,
 * last choice preselected) or, where the terminal cannot run it, a
 * numbered list. */
s2s_err cli_roles_pick(void *payload, const struct s2s_pick *req, size_t *idx,
                       size_t *n, struct s2s_error *err);

#endif
