/* SPDX-License-Identifier: MIT */
/*
 * Private to the store: the backend vtable.  A backend keeps items with
 * non-secret attributes and a secret blob; store.c adds the credential
 * (de)serialisation on top.
 */
#ifndef S2S_STORE_INT_H
#define S2S_STORE_INT_H

#include "saml2sts/store.h"

struct s2s_store_backend {
	const char *name;
	/* Optional: is the backend there at all?  S2S_ENOTFOUND only when
	 * it is absent from this machine (s2s_store_probe). */
	s2s_err (*probe)(const struct s2s_store_opts *opts,
	                 struct s2s_error *err);
	s2s_err (*open)(void **state, const struct s2s_store_opts *opts,
	                struct s2s_error *err);
	void (*close)(void *state);
	/* Optional: can secrets be read and written now (s2s_store_ready)? */
	s2s_err (*ready)(void *state, struct s2s_error *err);
	/* Optional: is it locked now, asked without unlocking anything
	 * (s2s_store_locked)?  NULL: the backend does not lock. */
	s2s_err (*locked)(void *state, bool *out, struct s2s_error *err);
	/* Optional: drop what it keeps outside the store for speed
	 * (s2s_store_forget). */
	void (*forget)(void *state);
	/* Replace the item (profile, kind) with attrs + secret. */
	s2s_err (*put)(void *state, const struct s2s_store_item *attrs,
	               const struct s2s_buf *secret, struct s2s_error *err);
	/* S2S_ENOTFOUND when absent; S2S_ESTORE when locked/unavailable. */
	s2s_err (*get)(void *state, const char *profile, const char *kind,
	               struct s2s_buf *secret, struct s2s_error *err);
	s2s_err (*del)(void *state, const char *profile, const char *kind,
	               struct s2s_error *err);
	s2s_err (*list)(void *state, struct s2s_store_item **out, size_t *n,
	                struct s2s_error *err);
};

extern const struct s2s_store_backend s2s__store_secret_service;
extern const struct s2s_store_backend s2s__store_file;

#endif
