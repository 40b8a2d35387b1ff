/* SPDX-License-Identifier: MIT */
/*
 * Role chains, private to lib/: which config section makes a stored
 * profile, and the STS endpoint of an account along its chain of
 * source profiles.  Implemented in source_assume_role.c; whoami
 * (rpc.c) uses the same rules as the assume-role source.
 */
#ifndef S2S_CHAIN_INT_H
#define S2S_CHAIN_INT_H

#include <stdbool.h>

#include "saml2sts/config.h"
#include "saml2sts/error.h"

struct s2s_session;

/* The most hops a chain may have (a loop guard too). */
#define S2S_CHAIN_MAX 16

/* True when acct's provider is assume-role. */
bool s2s_chain__is_hop(const struct s2s_account *acct);

/* The section that makes profile: the one its stored credentials name
 * (attributes only, no secret is read), else the section whose
 * `profile` is profile, else the section called profile; NULL when
 * none.  Borrowed from the session's config. */
const struct s2s_account *s2s_chain__account(struct s2s_session *s,
                                             const char *profile);

/* The STS base URL for credentials made by acct (may be NULL): override
 * when set, else acct's sts_endpoint or region, else -- for a chained
 * account that sets neither -- its source profile's account's, along
 * the chain; the default is region cn-hangzhou.  Caller frees. */
s2s_err s2s_chain__endpoint(char **out, struct s2s_session *s,
                            const struct s2s_account *acct,
                            const char *override, struct s2s_error *err);

#endif
