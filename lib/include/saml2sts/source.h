/* SPDX-License-Identifier: MIT */
/*
 * The implementer's header for sources: how a profile's credentials are
 * (re)made.  A source is one const table, like an IdP adapter: `saml`
 * (adapter -> SAMLResponse -> verify -> roles -> STS) today; CloudSSO and
 * role chaining are further rows of lib/source.c's table, one file each.
 * The engine (session.c) owns the store, the locks, the choice of roles,
 * the profile names and the freshness rule; a source only checks its
 * account, authenticates, says what may be assumed and makes
 * credentials.  Only lib/ and tests include this header.
 */
#ifndef S2S_SOURCE_H
#define S2S_SOURCE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "creds.h"
#include "error.h"
#include "http.h"
#include "session.h"
#include "store.h"

struct s2s_lock;

enum s2s_source_flags {
	/* A refresh: never prompt, never open a window. */
	S2S_SOURCE_SILENT = 1u << 0,
};

struct s2s_source_ctx {
	struct s2s_session *session;      /* engine services, below */
	const struct s2s_account *acct;   /* borrowed */
	const struct s2s_login_opts *opt; /* never NULL (zeroed on refresh) */
	unsigned int flags;               /* enum s2s_source_flags */
	struct s2s_error *err;
	void *priv; /* priv_size bytes, zeroed; wiped and freed by the
	             * engine after release() */
};

/* The outcome of making credentials for one role. */
struct s2s_mint {
	struct s2s_creds *creds; /* the engine takes it; NULL on failure */
	s2s_err rc;
	struct s2s_error err;
};

struct s2s_source {
	const char *name; /* "saml" */
	/* The `provider` values it serves (NULL-terminated); NULL: every
	 * value that names an IdP adapter (the last row). */
	const char *const *providers;
	size_t priv_size;

	/* Check the account before anything goes on the network: keys,
	 * endpoints, files. */
	s2s_err (*validate)(struct s2s_source_ctx *ctx);
	/* Authenticate and say what may be assumed into g (roles with
	 * role_arn, account_id and role_name; S2S_ENOROLE when none).
	 * g is the engine's; it frees it. */
	s2s_err (*grants)(struct s2s_source_ctx *ctx, struct s2s_grants *g);
	/* Credentials for n roles of the last grants(), in parallel where
	 * it can; out[i] for roles[i].  Returns S2S_OK unless nothing could
	 * be tried. */
	s2s_err (*mint)(struct s2s_source_ctx *ctx,
	                const struct s2s_role *const *roles, size_t n,
	                struct s2s_mint *out);
	/* Optional: fresh credentials for the role old was made for
	 * without a grants() round (a kept portal token); NULL: grants(),
	 * the role whose ARN is old->role_arn, mint(). */
	s2s_err (*refresh)(struct s2s_source_ctx *ctx,
	                   const struct s2s_creds *old, struct s2s_mint *out);
	/* Optional: free what priv points to. */
	void (*release)(struct s2s_source_ctx *ctx);
};

/* The built-in table (NULL-terminated). */
const struct s2s_source *const *s2s_source_table(void);

/* The source of acct (by its provider key) in table.  S2S_ECONFIG when
 * the account has no provider, or neither a source nor an adapter of
 * adapters serves it. */
s2s_err s2s_source_find(const struct s2s_source **out,
                        const struct s2s_source *const *table,
                        const struct s2s_adapter *const *adapters,
                        const struct s2s_account *acct, struct s2s_error *err);

/* Engine services for sources. */

/* The session's store (opened on first use); borrowed. */
s2s_err s2s_source_store(struct s2s_store **out, struct s2s_source_ctx *ctx);

/* A new HTTP session for the account (timeouts, retries, CA, trace). */
s2s_err s2s_source_http(struct s2s_http **out, struct s2s_source_ctx *ctx);

/* The IdP adapter for the account: its provider, or "browser" when the
 * login asks for it; borrowed. */
s2s_err s2s_source_adapter(const struct s2s_adapter **out,
                           struct s2s_source_ctx *ctx);

/* The session's IdP adapters (NULL-terminated table); borrowed. */
const struct s2s_adapter *const *
s2s_source_adapters(struct s2s_source_ctx *ctx);

/* Take the lock called name in the lock directory (bounded wait);
 * release with s2s_lock_release(). */
s2s_err s2s_source_lock(struct s2s_lock **out, struct s2s_source_ctx *ctx,
                        const char *name);

/* Tell the front end something (never a secret). */
void s2s_source_event(struct s2s_source_ctx *ctx, enum s2s_event ev,
                      const char *fmt, ...) S2S_PRINTF(3, 4);

/* Show a device login's code (CloudSSO) through the front end. */
void s2s_source_device_code(struct s2s_source_ctx *ctx,
                            const struct s2s_device_code *dc);

/* The prompter for this call: the front end's, or (silent, or no
 * prompting allowed) one whose ask() gives S2S_ENEEDINPUT.  Borrowed. */
const struct s2s_prompter *s2s_source_prompter(struct s2s_source_ctx *ctx);

/* Kept secrets for an adapter (struct s2s_kept of adapter.h); borrowed. */
const struct s2s_kept *s2s_source_kept(struct s2s_source_ctx *ctx);

/* The cancel flag the session was made with, or NULL. */
volatile sig_atomic_t *s2s_source_cancel(struct s2s_source_ctx *ctx);

#endif
