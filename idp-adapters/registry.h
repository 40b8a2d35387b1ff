/* SPDX-License-Identifier: MIT */
/*
 * The adapter registry: the only place that knows every adapter.
 * cmd/ looks adapters up here and hands them to s2s_login().
 */
#ifndef S2S_REGISTRY_H
#define S2S_REGISTRY_H

#include <saml2sts/error.h>

struct s2s_adapter;

/* Find an adapter by name or alias, any case.  S2S_ENOTFOUND when there
 * is none; S2S_EUNSUPPORTED when its probe says it cannot run here. */
s2s_err s2s_adapter_find(const struct s2s_adapter **out, const char *name,
                         struct s2s_error *err);

/* The NULL-terminated, alphabetised table of every built-in adapter. */
const struct s2s_adapter *const *s2s_adapter_all(void);

/* The browser the browser adapter would start for acct (may be NULL):
 * its `browser` key, else the first Chromium, Chrome or Edge on PATH;
 * *out is the caller's.  S2S_EUNSUPPORTED saying what to install or set
 * when there is none.  For saml2sts doctor. */
struct s2s_account;
s2s_err s2s_browser_find(char **out, const struct s2s_account *acct,
                         struct s2s_error *err);

#endif
