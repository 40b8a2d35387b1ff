/* SPDX-License-Identifier: MIT */
/*
 * The table of STS services the sources call through.  Alibaba Cloud's
 * row wraps lib/sts.c (one call takes the plain path with its retries,
 * several go out in parallel).  This file only routes; it does not
 * build requests or parse answers.
 */
#include "common.h"
#include "saml2sts/rpc.h"
#include "saml2sts/sts.h"

static s2s_err alibaba_assume_saml(struct s2s_sts_result *res,
                                   struct s2s_http *http,
                                   const struct s2s_sts_request *reqs, size_t n)
{
	if (n != 1)
		return s2s_sts_assume_many(res, http, reqs, n);
	res[0].rc = s2s_sts_assume_role_with_saml(&res[0].creds, http, &reqs[0],
	                                          &res[0].err);
	return S2S_OK;
}

static const struct s2s_sts_client alibaba = {
	.name = "alibaba",
	.endpoint = s2s_sts_endpoint,
	.duration = s2s_sts_duration,
	.assume_saml = alibaba_assume_saml,
	.assume_role = s2s_rpc_assume_role,
	.caller_identity = s2s_rpc_caller_identity,
};

/* clang-format off */
static const struct s2s_sts_client *const clients[] = {
	&alibaba,
	NULL
};
/* clang-format on */

const struct s2s_sts_client *s2s_sts_client_find(const char *name)
{
	if (!name)
		return clients[0];
	for (size_t i = 0; clients[i]; i++)
		if (strcasecmp(clients[i]->name, name) == 0)
			return clients[i];
	return NULL;
}
