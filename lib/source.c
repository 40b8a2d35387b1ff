/* SPDX-License-Identifier: MIT */
/*
 * The table of sources and the services the engine gives them (store,
 * HTTP, the adapter, locks, events, the prompter, kept secrets).  A new
 * source is a new file and one row here; the engine does not change.
 */
#include "common.h"
#include "saml2sts/lock.h"
#include "session_int.h"

/* clang-format off */
static const struct s2s_source *const sources[] = {
	&s2s_source_assume_role,
	&s2s_source_cloudsso,
	&s2s_source_saml, /* last: serves every IdP adapter's name */
	NULL
};
/* clang-format on */

const struct s2s_source *const *s2s_source_table(void)
{
	return sources;
}

static bool serves(const struct s2s_source *src, const char *provider)
{
	for (size_t i = 0; src->providers && src->providers[i]; i++)
		if (strcasecmp(src->providers[i], provider) == 0)
			return true;
	return false;
}

bool s2s_session_provider_builtin(const char *provider)
{
	for (size_t i = 0; provider && sources[i]; i++)
		if (serves(sources[i], provider))
			return true;
	return false;
}

static bool adapter_named(const struct s2s_adapter *a, const char *name)
{
	if (strcasecmp(a->name, name) == 0)
		return true;
	for (size_t i = 0; a->aliases && a->aliases[i]; i++)
		if (strcasecmp(a->aliases[i], name) == 0)
			return true;
	return false;
}

s2s_err s2s_adapter_lookup(const struct s2s_adapter **out,
                           const struct s2s_adapter *const *table,
                           const char *name, struct s2s_error *err)
{
	*out = NULL;
	for (size_t i = 0; table && table[i]; i++) {
		const struct s2s_adapter *a = table[i];

		if (!adapter_named(a, name))
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

s2s_err s2s_source_find(const struct s2s_source **out,
                        const struct s2s_source *const *table,
                        const struct s2s_adapter *const *adapters,
                        const struct s2s_account *acct, struct s2s_error *err)
{
	const char *provider = s2s_account_get(acct, "provider");
	const struct s2s_adapter *a = NULL;
	const struct s2s_source *fallback = NULL;
	s2s_err rc;

	*out = NULL;
	if (!provider)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "account '%s' has no provider: run "
		                     "saml2sts configure --provider NAME",
		                     s2s_account_name(acct));
	for (size_t i = 0; table[i]; i++) {
		if (serves(table[i], provider)) {
			*out = table[i];
			return S2S_OK;
		}
		if (!table[i]->providers)
			fallback = table[i];
	}
	rc = fallback ? s2s_adapter_lookup(&a, adapters, provider, err)
	              : s2s_error_set(err, S2S_ENOTFOUND,
	                              "no IdP adapter '%s' (see saml2sts "
	                              "adapters)",
	                              provider);
	if (rc == S2S_ENOTFOUND)
		err->code = rc = S2S_ECONFIG;
	if (!rc)
		*out = fallback;
	return rc;
}

s2s_err s2s_source_store(struct s2s_store **out, struct s2s_source_ctx *ctx)
{
	return s2s_session_store(out, ctx->session, ctx->err);
}

s2s_err s2s_source_http(struct s2s_http **out, struct s2s_source_ctx *ctx)
{
	return s2s_session_http(out, ctx->session, ctx->acct, ctx->err);
}

s2s_err s2s_source_adapter(const struct s2s_adapter **out,
                           struct s2s_source_ctx *ctx)
{
	const char *name = ctx->opt->browser || ctx->opt->headless
	                           ? "browser"
	                           : s2s_account_get(ctx->acct, "provider");
	s2s_err rc;

	rc = s2s_adapter_lookup(out, ctx->session->o.adapters, name, ctx->err);
	if (rc == S2S_ENOTFOUND)
		ctx->err->code = rc = S2S_ECONFIG;
	return rc;
}

const struct s2s_adapter *const *s2s_source_adapters(struct s2s_source_ctx *ctx)
{
	return ctx->session->o.adapters;
}

s2s_err s2s_source_lock(struct s2s_lock **out, struct s2s_source_ctx *ctx,
                        const char *name)
{
	return s2s_session__lock(out, ctx->session, name, ctx->err);
}

void s2s_source_event(struct s2s_source_ctx *ctx, enum s2s_event ev,
                      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s2s_session__event(ctx->session, ev, fmt, ap);
	va_end(ap);
}

void s2s_source_device_code(struct s2s_source_ctx *ctx,
                            const struct s2s_device_code *dc)
{
	const struct s2s_session_cb *cb = ctx->session->o.cb;

	if (cb->device_code)
		cb->device_code(cb->payload, dc);
}

const struct s2s_prompter *s2s_source_prompter(struct s2s_source_ctx *ctx)
{
	const struct s2s_session *s = ctx->session;

	if ((ctx->flags & S2S_SOURCE_SILENT) && s->o.refresh_prompter)
		return s->o.refresh_prompter;
	if ((ctx->flags & S2S_SOURCE_SILENT) || !s->o.cb->prompter)
		return &s->refuse;
	return s->o.cb->prompter;
}

const struct s2s_kept *s2s_source_kept(struct s2s_source_ctx *ctx)
{
	return &ctx->session->kept;
}

volatile sig_atomic_t *s2s_source_cancel(struct s2s_source_ctx *ctx)
{
	return ctx->session->o.cancel;
}
