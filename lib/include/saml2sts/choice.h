/* SPDX-License-Identifier: MIT */
/*
 * Choosing roles: matching a --role spec (a full ARN, ACCOUNT/ROLE by
 * uid or account name, or a unique role name) against granted roles,
 * the display order (account, then role name) and profile names from a
 * profile_template.  Pure functions over struct s2s_role; no I/O.
 */
#ifndef S2S_CHOICE_H
#define S2S_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "saml.h" /* struct s2s_role */

/* Does spec name role?  "acs:..." compares the whole ARN, "A/R" the
 * account (uid, or account_name case-insensitively) and the role name,
 * anything else the role name; case-insensitive except the uid.  The
 * role name may also be a CloudSSO access configuration id (exact). */
bool s2s_choice_matches(const struct s2s_role *role, const char *spec);

/* The index of the one role matching spec.  S2S_EINVAL "role 'x' is
 * ambiguous ..." when several match, S2S_ENOROLE "role 'x' is not
 * granted ..." when none does. */
s2s_err s2s_choice_find(size_t *idx, const struct s2s_role *roles, size_t n,
                        const char *spec, struct s2s_error *err);

/* Sort roles in place by account id, then role name (case-insensitive). */
void s2s_choice_sort(struct s2s_role *roles, size_t n);

/* Compare two roles in that order (for qsort over pointers). */
int s2s_choice_cmp(const struct s2s_role *a, const struct s2s_role *b);

/* The profile name of role from template ({account}: account_name, else
 * the uid; {role}: the role name; spaces in them become '-').  Caller
 * frees; NULL on ENOMEM. */
char *s2s_choice_profile(const char *tmpl, const struct s2s_role *role);

/* Deep copy of src into dst (which is overwritten). */
s2s_err s2s_role_copy(struct s2s_role *dst, const struct s2s_role *src,
                      struct s2s_error *err);

#endif
