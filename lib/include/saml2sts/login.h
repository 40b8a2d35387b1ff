/* SPDX-License-Identifier: MIT */
/*
 * The login driver: validates the account for an adapter, allocates the
 * adapter's private state, runs authenticate() and wipes everything
 * after.  It knows no adapter by name.
 */
#ifndef S2S_LOGIN_H
#define S2S_LOGIN_H

#include <signal.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "http.h"
#include "prompt.h"

struct s2s_adapter;
struct s2s_kept;

struct s2s_login_params {
	const struct s2s_adapter *adapter;
	const struct s2s_account *acct;
	struct s2s_http *http;
	const struct s2s_prompter *prompter;
	const char *site_acs_url;
	const char *username;
	unsigned int flags;            /* enum s2s_login_flags */
	const struct s2s_kept *kept;   /* kept secrets (adapter.h), or NULL */
	volatile sig_atomic_t *cancel; /* may be NULL */
	/* --verbose lines of the adapter (s2s_adapter_verbose), or NULL */
	void (*verbose)(void *payload, const char *text);
	void *verbose_payload;
};

enum s2s_login_flags {
	S2S_LOGIN_HEADLESS = 1u << 0, /* browser adapters: no window */
};

/* The adapter's name and summary (for cmd/, which cannot see the
 * struct). */
const char *s2s_adapter_name(const struct s2s_adapter *a);
const char *s2s_adapter_summary(const struct s2s_adapter *a);
unsigned int s2s_adapter_features(const struct s2s_adapter *a);
const char *const *s2s_adapter_aliases(const struct s2s_adapter *a);
/* The adapter's config keys, without the namespace (NULL-terminated),
 * or NULL; borrowed from the static table. */
const char *const *s2s_adapter_config_keys(const struct s2s_adapter *a);
/* The namespace of those keys: config_ns, else the name. */
const char *s2s_adapter_config_ns(const struct s2s_adapter *a);
/* Runs the optional probe(); true when the adapter is usable here. */
bool s2s_adapter_usable(const struct s2s_adapter *a);

/* Validate the account for the adapter: url is set and passes the URL
 * policy (https, or http only to a loopback host), the keys of the
 * adapter's namespace are among its config_keys, then its validate().
 * S2S_ECONFIG naming the key (and its file line) otherwise. */
s2s_err s2s_login_validate(const struct s2s_adapter *a,
                           const struct s2s_account *acct,
                           struct s2s_error *err);

/**
 * Check every namespaced key ("<ns>.<key>") of acct against table (the
 * NULL-terminated adapter registry): <ns> must be an adapter's config
 * namespace, name or alias, and <key> declared by one of the adapters of
 * that namespace.
 * @return S2S_OK, or S2S_ECONFIG "<file>:<line>: unknown key ..."
 */
s2s_err s2s_adapter_check_keys(const struct s2s_adapter *const *table,
                               const struct s2s_account *acct,
                               struct s2s_error *err);

/* Log in; the base64 SAMLResponse goes to saml_b64 (make it secret). */
s2s_err s2s_login(const struct s2s_login_params *p, struct s2s_buf *saml_b64,
                  struct s2s_error *err);

#endif
