/* SPDX-License-Identifier: MIT */
/*
 * The binary's side of the registry functions (idp-adapters/), which live
 * in the network module like the adapters themselves: each has the name
 * and prototype of the real one and forwards to it through
 * s2s_netmod_sym(), loading the module on first use.  The network half
 * of lib/ has its counterparts in lib/netload.c, which says why.  A new
 * call from cmd/ into idp-adapters/ needs its function here.
 */
#include <string.h>

#include <saml2sts/netmod.h>

#include "registry.h"

#define NET S2S_NETMOD_FN /* netmod.h */

const struct s2s_adapter *const *s2s_adapter_all(void)
{
	static const struct s2s_adapter *const none[] = { NULL };
	struct s2s_error ignore = S2S_ERROR_INIT;
	const struct s2s_adapter *const *(*f)(void);

	/* an empty registry: the source lookup that follows says why,
	 * and `saml2sts version` too */
	NET(f, "s2s_adapter_all", &ignore, return none);
	return f();
}

s2s_err s2s_adapter_find(const struct s2s_adapter **out, const char *name,
                         struct s2s_error *err)
{
	s2s_err (*f)(const struct s2s_adapter **, const char *,
	             struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_adapter_find", err, return S2S_ERROR);
	return f(out, name, err);
}

s2s_err s2s_browser_find(char **out, const struct s2s_account *acct,
                         struct s2s_error *err)
{
	s2s_err (*f)(char **, const struct s2s_account *, struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_browser_find", err, return S2S_ERROR);
	return f(out, acct, err);
}
