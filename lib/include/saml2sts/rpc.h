/* SPDX-License-Identifier: MIT */
/*
 * Signed Alibaba Cloud RPC calls made with STS credentials (or a RAM
 * user's key): STS AssumeRole (role chaining) and GetCallerIdentity, RAM
 * GetAccountAlias, and `whoami` for a stored profile.  Requests are
 * signed with the RPC HMAC-SHA1 signature of sign.h, every parameter in
 * a POST form body (nothing secret in a URL), with a fresh nonce per
 * attempt.  It does not choose roles, store anything or read the config
 * beyond what whoami needs.
 */
#ifndef S2S_RPC_H
#define S2S_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "creds.h"
#include "error.h"
#include "http.h"

struct s2s_session;

#define S2S_RPC_STS_VERSION  "2015-04-01"
#define S2S_RPC_RAM_VERSION  "2015-05-01"
#define S2S_RPC_RAM_ENDPOINT "https://ram.aliyuncs.com"
/* STS limits (AssumeRole): Policy characters, RoleSessionName and
 * ExternalId lengths, the duration of a chained hop. */
#define S2S_RPC_POLICY_MAX          2048
#define S2S_RPC_SESSION_NAME_MIN    2
#define S2S_RPC_SESSION_NAME_MAX    64
#define S2S_RPC_EXTERNAL_ID_MIN     2
#define S2S_RPC_EXTERNAL_ID_MAX     1224
#define S2S_RPC_CHAINED_MAX_SECONDS 3600

struct s2s_assume_role_request {
	const char *endpoint;     /* STS base URL */
	const char *role_arn;     /* acs:ram::<uid>:role/<name> */
	const char *session_name; /* RoleSessionName */
	long duration;            /* DurationSeconds, 0 = not sent */
	const char *policy;       /* JSON, or NULL */
	const char *external_id;  /* or NULL */
};

/* What GetCallerIdentity says; absent fields are NULL. */
struct s2s_identity {
	char *account_id;
	char *arn;
	char *identity_type; /* Account, RAMUser, AssumedRoleUser */
	char *principal_id;
	char *user_id;
	char *role_id;
};

/* Signed AssumeRole with signer's keys (its SecurityToken when it has
 * one).  S2S_ESTS "STS <Code>: <Message> (RequestId …)" when STS refuses
 * (the server's echo of its string to sign is cut off: it may hold the
 * token), S2S_ENET/S2S_ETLS on transport failure (retried with a new
 * nonce per the session's http_retries).  *out is the caller's; its
 * role_arn is the requested one. */
s2s_err s2s_rpc_assume_role(struct s2s_creds **out, struct s2s_http *http,
                            const struct s2s_assume_role_request *req,
                            const struct s2s_creds *signer,
                            struct s2s_error *err);

/* Signed GetCallerIdentity at endpoint; *out is the caller's
 * (s2s_identity_free). */
s2s_err s2s_rpc_caller_identity(struct s2s_identity **out,
                                struct s2s_http *http, const char *endpoint,
                                const struct s2s_creds *signer,
                                struct s2s_error *err);

/* Signed RAM GetAccountAlias at endpoint (S2S_RPC_RAM_ENDPOINT); *out is
 * the alias (caller frees), S2S_ENOTFOUND when the account has none. */
s2s_err s2s_rpc_account_alias(char **out, struct s2s_http *http,
                              const char *endpoint,
                              const struct s2s_creds *signer,
                              struct s2s_error *err);

/* NULL is a no-op. */
void s2s_identity_free(struct s2s_identity *id);

/* True when s is a RoleSessionName STS takes: 2..64 of [A-Za-z0-9.@_-]. */
bool s2s_rpc_session_name_ok(const char *s);

/* A RoleSessionName made from an identity: the part after the last '/'
 * of an ARN (the source's own session name), every other character
 * replaced by '-', cut to 64, and "saml2sts-" put in front of anything
 * shorter than 2.  out needs S2S_RPC_SESSION_NAME_MAX + 1 bytes. */
void s2s_rpc_session_name(char *out, const char *identity);

/* GetCallerIdentity for creds of a stored profile, at the STS endpoint
 * of the account that made them (its sts_endpoint or region; for a
 * chained profile without either, its source profile's); *out is the
 * caller's. */
s2s_err s2s_rpc_whoami(struct s2s_identity **out, struct s2s_session *s,
                       const struct s2s_creds *creds, struct s2s_error *err);

#endif
