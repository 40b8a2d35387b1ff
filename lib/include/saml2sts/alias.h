/* SPDX-License-Identifier: MIT */
/*
 * Account names without typing them: the RAM account alias of an account
 * uid, asked once with fresh credentials (RAM GetAccountAlias) and kept
 * per account in a private file, for the picker, profile names and
 * status.  account_aliases in the config always wins; this module never
 * fails a login.  It does not read the config.
 */
#ifndef S2S_ALIAS_H
#define S2S_ALIAS_H

#include <stddef.h>

#include "creds.h"
#include "error.h"
#include "http.h"

/* How long a login may wait for the aliases it asks for, in all. */
#define S2S_ALIAS_TIMEOUT_MS 2000L

/* The cached alias of account uid, or NULL (none, unreadable, or not a
 * plausible alias); the caller frees it. */
char *s2s_alias_cached(const char *uid);

/* Keep alias for uid in $XDG_DATA_HOME/saml2sts/aliases/<uid> (0600,
 * replaced atomically).  S2S_EINVAL for a uid that is not digits or an
 * alias that is not 1..63 of [a-z0-9.-]. */
s2s_err s2s_alias_save(const char *uid, const char *alias,
                       struct s2s_error *err);

/* One account to ask about. */
struct s2s_alias_query {
	const char *account_id;
	const struct s2s_creds *creds; /* of a role in that account */
	char *alias;                   /* out: the caller frees; NULL when
	                                * none or not answered in time */
};

/* RAM GetAccountAlias for n accounts in parallel at endpoint, signed
 * with each query's creds, all within timeout_ms.  Best effort: answers
 * that are late, refused or odd leave alias NULL. */
void s2s_alias_fetch(struct s2s_alias_query *q, size_t n, struct s2s_http *http,
                     const char *endpoint, long timeout_ms);

#endif
