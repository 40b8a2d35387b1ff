/* SPDX-License-Identifier: MIT */
/*
 * The credential store: a small vtable of backends (the Secret Service
 * through libsecret, and encrypted files).  Items have non-secret lookup
 * attributes (profile, kind, account, role_arn, expires) and a JSON
 * secret.  "Locked", "unavailable" or "did not answer" is S2S_ESTORE,
 * never S2S_ENOTFOUND, and nothing is deleted because a read failed.
 * Which backend to use is the caller's choice (s2s_store_probe helps).
 */
#ifndef S2S_STORE_H
#define S2S_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <time.h>

#include "buf.h"
#include "creds.h"
#include "error.h"

#define S2S_STORE_SCHEMA "org.saml2sts.Credential"

/* The default bound on every keyring call, in milliseconds. */
#define S2S_STORE_TIMEOUT_MS 10000

/* The bound on an unlock, which may be a person typing the keyring's
 * password into its prompt, in milliseconds. */
#define S2S_STORE_UNLOCK_MS 120000

struct s2s_store;

struct s2s_store_item {
	char *profile;
	char *kind;     /* "sts" | "idp-password" | "idp-session" */
	char *account;  /* IdP account (config section), or NULL */
	char *role_arn; /* or NULL */
	time_t expires; /* 0 when not applicable */
};

struct s2s_store_opts {
	const char *backend; /* "secret-service" | "file"; NULL = the first */
	long timeout_ms;     /* bound on every keyring call; 0 = 10000 */
	/* Bound on an unlock (its prompt waits for a person); 0 = 120000,
	 * never less than timeout_ms. */
	long unlock_timeout_ms;
	/* Set non-zero (a signal handler: Ctrl-C) to end a wait for the
	 * keyring, its unlock prompt too, with S2S_ECANCELLED within about
	 * 100 ms; NULL = not cancellable.  Borrowed. */
	const volatile sig_atomic_t *cancel;
	const char *dir; /* file backend: its directory */
	/* File backend: the passphrase, asked for only when a secret is
	 * read or written; S2S_ENEEDINPUT when none can be had. */
	s2s_err (*passphrase)(void *payload, struct s2s_buf *out,
	                      struct s2s_error *err);
	void *payload;
	/* File backend: keep the keys derived from the passphrase this many
	 * seconds in the kernel keyring (per user, never on disk), so later
	 * calls skip the KDF; 0: not at all. */
	long key_cache_s;
};

/* The key cache time the engine uses when SAML2STS_FILE_KEY_TIMEOUT is
 * not set, in seconds. */
#define S2S_STORE_KEY_CACHE_S 900

/* The name of the i-th backend built in, in preference order
 * ("secret-service", "file"); NULL past the last. */
const char *s2s_store_backend_at(size_t i);

/* Is the backend opts->backend (NULL: the first) there to be opened?
 * S2S_OK when it is, or cannot be missing (the file store);
 * S2S_ENOTFOUND only when it is absent from this machine: no session
 * bus, or nothing on it owns org.freedesktop.secrets or can be started
 * for it.  That is the one answer on which an automatic choice may move
 * on to another backend.  S2S_ESTORE when the bus failed or did not
 * answer within opts->timeout_ms. */
s2s_err s2s_store_probe(const struct s2s_store_opts *opts,
                        struct s2s_error *err);

/* Open a backend.  A Secret Service that does not answer within
 * opts->timeout_ms is S2S_ESTORE. */
s2s_err s2s_store_open_opts(struct s2s_store **out,
                            const struct s2s_store_opts *opts,
                            struct s2s_error *err);

/* Open a backend by name ("secret-service"), or the default when name is
 * NULL.  timeout_ms bounds every call (0 = 10000). */
s2s_err s2s_store_open(struct s2s_store **out, const char *name,
                       long timeout_ms, struct s2s_error *err);

void s2s_store_free(struct s2s_store *store);

/* The backend's name, for status output. */
const char *s2s_store_backend(const struct s2s_store *store);

/* Check, before work whose result must be stored (an IdP login), that
 * secrets can be written and read now: the Secret Service's default
 * collection is unlocked (its unlock prompt comes now, not after the
 * login); the file store's directory is usable and its passphrase at
 * hand (asked for now, once; S2S_ENEEDINPUT when none can be had).
 * S2S_ESTORE otherwise. */
s2s_err s2s_store_ready(struct s2s_store *store, struct s2s_error *err);

/* Is the store locked now (the Secret Service's default collection)?
 * Asked without unlocking anything, so no prompt ever shows; *out is
 * false for a backend that does not lock (the file store).  S2S_ESTORE
 * when the backend fails or does not answer in time. */
s2s_err s2s_store_locked(bool *out, struct s2s_store *store,
                         struct s2s_error *err);

/* Forget what the backend keeps outside the store for speed: the file
 * store's keys cached in the kernel keyring (logout).  Best effort;
 * NULL is a no-op. */
void s2s_store_forget(struct s2s_store *store);

/* Store STS credentials under profile (replacing any). */
s2s_err s2s_store_put_creds(struct s2s_store *store, const char *profile,
                            const struct s2s_creds *creds,
                            struct s2s_error *err);

/* Read STS credentials; S2S_ENOTFOUND when there are none. */
s2s_err s2s_store_get_creds(struct s2s_creds **out, struct s2s_store *store,
                            const char *profile, struct s2s_error *err);

/* Store / read a raw secret of another kind (e.g. "idp-password"). */
s2s_err s2s_store_put_secret(struct s2s_store *store, const char *profile,
                             const char *kind, const char *account,
                             const struct s2s_buf *secret,
                             struct s2s_error *err);
s2s_err s2s_store_get_secret(struct s2s_buf *out, struct s2s_store *store,
                             const char *profile, const char *kind,
                             struct s2s_error *err);

/* Delete the items of profile of kind (NULL kind = every kind).
 * S2S_ENOTFOUND when there was nothing. */
s2s_err s2s_store_delete(struct s2s_store *store, const char *profile,
                         const char *kind, struct s2s_error *err);

/* List items (attributes only; secrets are not read).  Sorted by
 * profile; free with s2s_store_items_free. */
s2s_err s2s_store_list(struct s2s_store_item **out, size_t *n,
                       struct s2s_store *store, struct s2s_error *err);

void s2s_store_items_free(struct s2s_store_item *items, size_t n);

#endif
