/* SPDX-License-Identifier: MIT */
/*
 * The credential store front: picks a backend, turns credentials into
 * the JSON secret and back, and keeps the lookup attributes (profile,
 * kind, account, role_arn, expires) free of secrets.
 */
#include "common.h"
#include "store_int.h"
#include "saml2sts/creds.h"

struct s2s_store {
	const struct s2s_store_backend *be;
	void *state;
};

/* clang-format off */
static const struct s2s_store_backend *const backends[] = {
	&s2s__store_secret_service,
	&s2s__store_file,
	NULL
};
/* clang-format on */

/* The backend called name (NULL: the first), with opts' defaults. */
static s2s_err find(const struct s2s_store_backend **out,
                    struct s2s_store_opts *o, struct s2s_error *err)
{
	*out = NULL;
	for (size_t i = 0; backends[i] && !*out; i++)
		if (!o->backend || strcmp(backends[i]->name, o->backend) == 0)
			*out = backends[i];
	if (!*out)
		return s2s_error_set(err, S2S_ESTORE,
		                     "no credential store backend '%s' (use "
		                     "secret-service or file)",
		                     o->backend);
	if (o->timeout_ms <= 0)
		o->timeout_ms = S2S_STORE_TIMEOUT_MS;
	if (o->unlock_timeout_ms <= 0)
		o->unlock_timeout_ms = S2S_STORE_UNLOCK_MS;
	if (o->unlock_timeout_ms < o->timeout_ms)
		o->unlock_timeout_ms = o->timeout_ms;
	return S2S_OK;
}

const char *s2s_store_backend_at(size_t i)
{
	/* the table ends with NULL */
	return i + 1 < S2S_ARRAY_SIZE(backends) ? backends[i]->name : NULL;
}

s2s_err s2s_store_probe(const struct s2s_store_opts *opts,
                        struct s2s_error *err)
{
	const struct s2s_store_backend *be = NULL;
	struct s2s_store_opts o = *opts;
	s2s_err rc;

	rc = find(&be, &o, err);
	if (!rc && be->probe)
		rc = be->probe(&o, err);
	return rc;
}

s2s_err s2s_store_open_opts(struct s2s_store **out,
                            const struct s2s_store_opts *opts,
                            struct s2s_error *err)
{
	const struct s2s_store_backend *be = NULL;
	struct s2s_store_opts o = *opts;
	struct s2s_store *st;
	s2s_err rc;

	*out = NULL;
	rc = find(&be, &o, err);
	if (rc)
		return rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	st->be = be;
	rc = be->open(&st->state, &o, err);
	if (rc) {
		free(st);
		return rc;
	}
	*out = st;
	return S2S_OK;
}

s2s_err s2s_store_open(struct s2s_store **out, const char *name,
                       long timeout_ms, struct s2s_error *err)
{
	struct s2s_store_opts o = { 0 };

	o.backend = name;
	o.timeout_ms = timeout_ms;
	return s2s_store_open_opts(out, &o, err);
}

void s2s_store_free(struct s2s_store *st)
{
	if (!st)
		return;
	st->be->close(st->state);
	free(st);
}

const char *s2s_store_backend(const struct s2s_store *st)
{
	return st->be->name;
}

s2s_err s2s_store_ready(struct s2s_store *st, struct s2s_error *err)
{
	return st->be->ready ? st->be->ready(st->state, err) : S2S_OK;
}

s2s_err s2s_store_locked(bool *out, struct s2s_store *st, struct s2s_error *err)
{
	S2S_ASSERT_ARG(out && st);
	*out = false;
	return st->be->locked ? st->be->locked(st->state, out, err) : S2S_OK;
}

void s2s_store_forget(struct s2s_store *st)
{
	if (st && st->be->forget)
		st->be->forget(st->state);
}

s2s_err s2s_store_put_creds(struct s2s_store *st, const char *profile,
                            const struct s2s_creds *creds,
                            struct s2s_error *err)
{
	struct s2s_buf json = S2S_BUF_SECRET_INIT;
	struct s2s_store_item it = { 0 };
	s2s_err rc;

	rc = s2s_creds_to_json(creds, &json, err);
	if (rc)
		goto out;
	it.profile = (char *)(uintptr_t)profile;
	it.kind = (char *)(uintptr_t) "sts";
	it.account = creds->account_name;
	it.role_arn = creds->role_arn;
	it.expires = creds->expiration;
	rc = st->be->put(st->state, &it, &json, err);
out:
	s2s_buf_release(&json);
	return rc;
}

s2s_err s2s_store_get_creds(struct s2s_creds **out, struct s2s_store *st,
                            const char *profile, struct s2s_error *err)
{
	struct s2s_buf json = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	*out = NULL;
	rc = st->be->get(st->state, profile, "sts", &json, err);
	if (!rc)
		rc = s2s_creds_from_json(out, json.ptr, json.len, err);
	s2s_buf_release(&json);
	return rc;
}

s2s_err s2s_store_put_secret(struct s2s_store *st, const char *profile,
                             const char *kind, const char *account,
                             const struct s2s_buf *secret,
                             struct s2s_error *err)
{
	struct s2s_store_item it = { 0 };

	it.profile = (char *)(uintptr_t)profile;
	it.kind = (char *)(uintptr_t)kind;
	it.account = (char *)(uintptr_t)account;
	return st->be->put(st->state, &it, secret, err);
}

s2s_err s2s_store_get_secret(struct s2s_buf *out, struct s2s_store *st,
                             const char *profile, const char *kind,
                             struct s2s_error *err)
{
	return st->be->get(st->state, profile, kind, out, err);
}

s2s_err s2s_store_delete(struct s2s_store *st, const char *profile,
                         const char *kind, struct s2s_error *err)
{
	return st->be->del(st->state, profile, kind, err);
}

static int item_cmp(const void *a, const void *b)
{
	const struct s2s_store_item *x = a, *y = b;
	int c = strcmp(x->profile, y->profile);

	return c ? c : strcmp(x->kind, y->kind);
}

s2s_err s2s_store_list(struct s2s_store_item **out, size_t *n,
                       struct s2s_store *st, struct s2s_error *err)
{
	s2s_err rc;

	*out = NULL;
	*n = 0;
	rc = st->be->list(st->state, out, n, err);
	if (!rc && *n > 1)
		qsort(*out, *n, sizeof(**out), item_cmp);
	return rc;
}

void s2s_store_items_free(struct s2s_store_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].profile);
		free(items[i].kind);
		free(items[i].account);
		free(items[i].role_arn);
	}
	free(items);
}
