/* SPDX-License-Identifier: MIT */
/*
 * The registry table.  Adding an adapter: see README.md here.
 */
#include <strings.h>
#include <stddef.h>

#include <saml2sts/adapter.h>

#include "registry.h"

extern const struct s2s_adapter s2s_adapter_adfs;
extern const struct s2s_adapter s2s_adapter_browser;
extern const struct s2s_adapter s2s_adapter_form;
extern const struct s2s_adapter s2s_adapter_keycloak;
extern const struct s2s_adapter s2s_adapter_okta;
extern const struct s2s_adapter s2s_adapter_shibboleth;
extern const struct s2s_adapter s2s_adapter_shibboleth_ecp;

/* clang-format off */
static const struct s2s_adapter *const adapters[] = {
	&s2s_adapter_adfs,
	&s2s_adapter_browser,
	&s2s_adapter_form,
	&s2s_adapter_keycloak,
	&s2s_adapter_okta,
	&s2s_adapter_shibboleth,
	&s2s_adapter_shibboleth_ecp,
	NULL
};
/* clang-format on */

const struct s2s_adapter *const *s2s_adapter_all(void)
{
	return adapters;
}

static bool name_matches(const struct s2s_adapter *a, const char *name)
{
	if (strcasecmp(a->name, name) == 0)
		return true;
	for (size_t i = 0; a->aliases && a->aliases[i]; i++)
		if (strcasecmp(a->aliases[i], name) == 0)
			return true;
	return false;
}

s2s_err s2s_adapter_find(const struct s2s_adapter **out, const char *name,
                         struct s2s_error *err)
{
	*out = NULL;
	for (size_t i = 0; adapters[i]; i++) {
		const struct s2s_adapter *a = adapters[i];

		if (!name_matches(a, name))
			continue;
		if (a->abi != S2S_ADAPTER_ABI)
			return s2s_error_set(err, S2S_EUNSUPPORTED,
			                     "adapter %s: ABI %u, expected %u",
			                     a->name, a->abi, S2S_ADAPTER_ABI);
		if (a->probe && !a->probe())
			return s2s_error_set(err, S2S_EUNSUPPORTED,
			                     "adapter %s: not usable here",
			                     a->name);
		*out = a;
		return S2S_OK;
	}
	return s2s_error_set(err, S2S_ENOTFOUND,
	                     "no IdP adapter '%s' (see saml2sts adapters)",
	                     name);
}
