/* SPDX-License-Identifier: MIT */
/*
 * The registry table.  Adding an adapter: see README.md here.
 */
#include <stddef.h>

#include <saml2sts/adapter.h>

#include "registry.h"

extern const struct s2s_adapter s2s_adapter_adfs;
extern const struct s2s_adapter s2s_adapter_auth0;
extern const struct s2s_adapter s2s_adapter_authentik;
extern const struct s2s_adapter s2s_adapter_browser;
extern const struct s2s_adapter s2s_adapter_entra;
extern const struct s2s_adapter s2s_adapter_form;
extern const struct s2s_adapter s2s_adapter_jumpcloud;
extern const struct s2s_adapter s2s_adapter_keycloak;
extern const struct s2s_adapter s2s_adapter_okta;
extern const struct s2s_adapter s2s_adapter_onelogin;
extern const struct s2s_adapter s2s_adapter_pingfed;
extern const struct s2s_adapter s2s_adapter_pingone;
extern const struct s2s_adapter s2s_adapter_shibboleth;
extern const struct s2s_adapter s2s_adapter_shibboleth_ecp;

/* clang-format off */
static const struct s2s_adapter *const adapters[] = {
	&s2s_adapter_adfs,
	&s2s_adapter_auth0,
	&s2s_adapter_authentik,
	&s2s_adapter_browser,
	&s2s_adapter_entra,
	&s2s_adapter_form,
	&s2s_adapter_jumpcloud,
	&s2s_adapter_keycloak,
	&s2s_adapter_okta,
	&s2s_adapter_onelogin,
	&s2s_adapter_pingfed,
	&s2s_adapter_pingone,
	&s2s_adapter_shibboleth,
	&s2s_adapter_shibboleth_ecp,
	NULL
};
/* clang-format on */

const struct s2s_adapter *const *s2s_adapter_all(void)
{
	return adapters;
}

s2s_err s2s_adapter_find(const struct s2s_adapter **out, const char *name,
                         struct s2s_error *err)
{
	return s2s_adapter_lookup(out, adapters, name, err);
}
