/* SPDX-License-Identifier: MIT */
/*
 * The two Alibaba Cloud sites for role-based SSO (DESIGN.md section 3).
 * The Role attribute URIs are on www.aliyun.com for both sites.
 */
#include "common.h"
#include "saml2sts/site.h"

static const struct s2s_site sites[] = {
	{ "cn", "https://signin.aliyun.com/saml-role/sso",
	  "urn:alibaba:cloudcomputing", "signin.aliyun.com" },
	{ "intl", "https://signin.alibabacloud.com/saml-role/sso",
	  "urn:alibaba:cloudcomputing:international",
	  "signin.alibabacloud.com" },
};

const struct s2s_site *s2s_site_find(const char *name)
{
	if (!name || !*name)
		return &sites[0];
	for (size_t i = 0; i < S2S_ARRAY_SIZE(sites); i++)
		if (strcasecmp(sites[i].name, name) == 0)
			return &sites[i];
	return NULL;
}
