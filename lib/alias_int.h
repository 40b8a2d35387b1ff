/* SPDX-License-Identifier: MIT */
/*
 * The engine's side of account aliases, private to lib/ (alias.c): after
 * a login's credentials are made and before they are stored, ask RAM
 * for the aliases of the accounts still without a name; the checks the
 * cache (alias_cache.c) shares with it.
 */
#ifndef S2S_ALIAS_INT_H
#define S2S_ALIAS_INT_H

#include "saml2sts/config.h"
#include "saml2sts/session.h"
#include "saml2sts/source.h"

/* A plausible account uid: 1..32 digits. */
bool s2s__alias_uid_ok(const char *uid);

/* A plausible alias of n bytes: 1..63 of [a-z0-9.-]. */
bool s2s__alias_ok(const char *a, size_t n);

/* Name res's items of unnamed accounts (and, for several profiles, put
 * the alias in their profile_template names) from RAM GetAccountAlias
 * signed with m[i].creds, caching each answer; within
 * S2S_ALIAS_TIMEOUT_MS; never fails.  The RAM endpoint is the account's
 * ram_endpoint (along a chain), none when an STS endpoint is configured
 * without one, else RAM's public one. */
void s2s_alias__after_login(struct s2s_session *s,
                            const struct s2s_account *acct,
                            const struct s2s_login_opts *o,
                            struct s2s_login_result *res,
                            const struct s2s_mint *m);

#endif
