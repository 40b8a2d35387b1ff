/* SPDX-License-Identifier: MIT */
/*
 * An Alibaba role as a SAML Role attribute names it: the RAM role ARN and
 * the SAML provider ARN, with the account id and role name taken from the
 * role ARN.  Parsing only: no SAML, no account lookup.
 */
#ifndef S2S_ROLE_H
#define S2S_ROLE_H

#include "error.h"

struct s2s_role {
	char *role_arn;     /* acs:ram::<uid>:role/<name> */
	char *provider_arn; /* acs:ram::<uid>:saml-provider/<name> */
	char *account_id;   /* <uid> of the role ARN */
	char *role_name;    /* <name> of the role ARN */
	char *account_name; /* the account's alias or display name, or NULL
	                     * (filled by the engine, not by the parser) */
	/* CloudSSO grants: the access configuration id, or NULL.  Their
	 * role_arn is then acs:cloudsso::<uid>:access-configuration/<id>
	 * and role_name the access configuration's name. */
	char *access_config_id;
};

/* Split one Role attribute value ("role,provider" in either order, spaces
 * tolerated) into role (its strings owned by role); S2S_ESAML when it is
 * not a pair of ARNs of one account. */
s2s_err s2s_role_parse(struct s2s_role *role, const char *value,
                       struct s2s_error *err);

/* Free what role holds and NULL it; role itself is not freed.  NULL and
 * a second call are no-ops. */
void s2s_role_release(struct s2s_role *role);

#endif
