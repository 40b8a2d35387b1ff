/* SPDX-License-Identifier: MIT */
/*
 * STS AssumeRoleWithSAML for Alibaba Cloud (anonymous RPC, POST with the
 * business parameters in a form body), endpoint selection by site and
 * region, and the parsing of Alibaba's success and error JSON.  The
 * assertion is only ever sent to the endpoint given here.
 */
#ifndef S2S_STS_H
#define S2S_STS_H

#include <stddef.h>

#include "creds.h"
#include "error.h"
#include "http.h"

struct s2s_assume_role_request; /* rpc.h */
struct s2s_identity;            /* rpc.h */

#define S2S_STS_MIN_DURATION     900
#define S2S_STS_MAX_DURATION     43200
#define S2S_STS_DEFAULT_DURATION 3600
/* Credentials that live less than this from now are refused. */
#define S2S_STS_MIN_LEFT 60

struct s2s_sts_request {
	const char *endpoint; /* base URL, e.g. https://sts.aliyuncs.com */
	const char *role_arn;
	const char *provider_arn;
	const char *saml_b64; /* the untouched base64 Response (secret) */
	size_t saml_len;
	long duration;      /* DurationSeconds, 0 = do not send */
	const char *policy; /* or NULL */
};

/* The STS base URL: override if set (must be https, or http to
 * loopback), else https://sts.<region>.aliyuncs.com for a region, else
 * https://sts.aliyuncs.com.  Caller frees. */
s2s_err s2s_sts_endpoint(char **out, const char *region, const char *override,
                         struct s2s_error *err);

/* The DurationSeconds to ask for: requested (0 = default 3600), capped
 * by the assertion's SessionDuration (session_duration < 0: none), never
 * below 900 nor above 43200. */
long s2s_sts_duration(long requested, long session_duration);

/* Call AssumeRoleWithSAML.  S2S_ESTS with "<Code>: <Message>" when STS
 * refuses, S2S_ENET/S2S_ETLS on transport failure.  *out is owned by the
 * caller; role_arn and provider_arn are copied into it. */
s2s_err s2s_sts_assume_role_with_saml(struct s2s_creds **out,
                                      struct s2s_http *http,
                                      const struct s2s_sts_request *req,
                                      struct s2s_error *err);

struct s2s_sts_result {
	struct s2s_creds *creds; /* caller frees; NULL on failure */
	s2s_err rc;
	struct s2s_error err;
};

/* n AssumeRoleWithSAML calls in parallel (curl multi) with the same
 * assertion; results[i] is the outcome of reqs[i].  A transfer that
 * failed in transport is retried alone with the session's retries.
 * Returns S2S_OK unless the requests could not be made at all. */
s2s_err s2s_sts_assume_many(struct s2s_sts_result *results,
                            struct s2s_http *http,
                            const struct s2s_sts_request *reqs, size_t n);

/* Parse an STS answer (HTTP status and body).  Success JSON gives
 * creds; error JSON gives S2S_ESTS "<Code>: <Message> (RequestId …)". */
s2s_err s2s_sts_parse_response(struct s2s_creds **out, long status,
                               const char *body, size_t len,
                               struct s2s_error *err);

/*
 * An STS service as a table, like the IdP adapters: the sources call
 * through it and never name a vendor.  Alibaba Cloud is the one row
 * today; an AWS STS client is another row with the same slots.
 */
struct s2s_sts_client {
	const char *name; /* "alibaba" */
	/* The base URL for region, or override when set (checked). */
	s2s_err (*endpoint)(char **out, const char *region,
	                    const char *override, struct s2s_error *err);
	/* The duration to ask for (see s2s_sts_duration). */
	long (*duration)(long requested, long session_duration);
	/* AssumeRoleWithSAML for n roles with one assertion (in parallel
	 * when n > 1); results[i] for reqs[i].  S2S_OK unless nothing
	 * could be tried. */
	s2s_err (*assume_saml)(struct s2s_sts_result *results,
	                       struct s2s_http *http,
	                       const struct s2s_sts_request *reqs, size_t n);
	/* Signed AssumeRole with signer's keys (role chaining). */
	s2s_err (*assume_role)(struct s2s_creds **out, struct s2s_http *http,
	                       const struct s2s_assume_role_request *req,
	                       const struct s2s_creds *signer,
	                       struct s2s_error *err);
	/* Signed GetCallerIdentity with signer's keys (whoami). */
	s2s_err (*caller_identity)(struct s2s_identity **out,
	                           struct s2s_http *http, const char *endpoint,
	                           const struct s2s_creds *signer,
	                           struct s2s_error *err);
};

/* The STS client called name ("alibaba"; NULL: the default), or NULL. */
const struct s2s_sts_client *s2s_sts_client_find(const char *name);

#endif
