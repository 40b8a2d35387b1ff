/* SPDX-License-Identifier: MIT */
/*
 * STS credentials and their metadata, with the UTC expiry.  Serialised
 * to and from the JSON kept in the credential store, and formatted for
 * the hand-off formats (External-mode JSON).  No I/O.
 */
#ifndef S2S_CREDS_H
#define S2S_CREDS_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "isotime.h" /* s2s_time_format_utc for the expiry */

/* Default refresh_window: SDKs treat credentials as stale 3 to 15 minutes
 * before expiry, so hand out tokens with at least 20 minutes left. */
#define S2S_REFRESH_WINDOW 1200L

struct s2s_creds {
	char *access_key_id;     /* "STS.…"; not secret, but shown masked */
	char *access_key_secret; /* secret */
	char *security_token;    /* secret */
	time_t expiration;       /* UTC seconds since the epoch */
	char *role_arn;          /* or NULL */
	char *provider_arn;      /* or NULL */
	char *assumed_role_arn;  /* AssumedRoleUser.Arn, or NULL */
	char *account_id;        /* or NULL */
	char *access_config_id;  /* CloudSSO access configuration, or NULL */
	char *account_name;      /* the IdP account (config section), or NULL */
	char *username;          /* the IdP user of --username, or NULL */
	char *region;            /* or NULL */
	time_t issued;           /* when we got it, or 0 */
};

/* Allocate an empty one. */
struct s2s_creds *s2s_creds_new(void);

/* Wipe the secrets and free; NULL is a no-op. */
void s2s_creds_free(struct s2s_creds *creds);

/* Serialise for the store (secret JSON). */
s2s_err s2s_creds_to_json(const struct s2s_creds *creds, struct s2s_buf *out,
                          struct s2s_error *err);

/* Parse what s2s_creds_to_json wrote; S2S_ESTORE when not valid. */
s2s_err s2s_creds_from_json(struct s2s_creds **out, const char *json,
                            size_t len, struct s2s_error *err);

/* aliyun CLI External-mode JSON:
 * {"mode":"StsToken","access_key_id":…,"access_key_secret":…,
 *  "sts_token":…,"expiration":"YYYY-MM-DDTHH:MM:SSZ"} */
s2s_err s2s_creds_external_json(const struct s2s_creds *creds,
                                struct s2s_buf *out, struct s2s_error *err);

/* Seconds left until expiry at now (negative when expired). */
long s2s_creds_remaining(const struct s2s_creds *creds, time_t now);

/* The freshness window of DESIGN.md 6: min(refresh_window, lifetime/2). */
long s2s_creds_window(const struct s2s_creds *creds, long refresh_window);

#endif
