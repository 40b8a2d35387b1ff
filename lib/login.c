/* SPDX-License-Identifier: MIT */
/*
 * The login driver and the adapter helpers: it validates the account,
 * gives the adapter zeroed private state, runs authenticate(), and wipes
 * the state afterwards.  It never names an adapter.
 */
#include "common.h"
#include "saml2sts/adapter.h"
#include "saml2sts/login.h"
#include "saml2sts/totp.h"

const char *s2s_adapter_name(const struct s2s_adapter *a)
{
	return a->name;
}

const char *s2s_adapter_summary(const struct s2s_adapter *a)
{
	return a->summary;
}

unsigned int s2s_adapter_features(const struct s2s_adapter *a)
{
	return a->features;
}

const char *const *s2s_adapter_aliases(const struct s2s_adapter *a)
{
	return a->aliases;
}

bool s2s_adapter_usable(const struct s2s_adapter *a)
{
	return !a->probe || a->probe();
}

bool s2s_adapter_supports(const struct s2s_adapter *a, unsigned int features)
{
	return (a->features & features) == features;
}

s2s_err s2s_adapter_username(struct s2s_adapter_ctx *ctx, struct s2s_buf *out)
{
	s2s_err rc;

	s2s_buf_reset(out);
	if (ctx->username && *ctx->username) {
		if (s2s_buf_puts(out, ctx->username))
			return s2s_error_set(ctx->err, S2S_ENOMEM,
			                     "out of memory");
		return S2S_OK;
	}
	if (!ctx->prompter || !ctx->prompter->ask)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "a username is needed: set username in "
		                     "the config or pass --username");
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_USERNAME,
	                        "Username", out, ctx->err);
	if (!rc && out->len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "no username given");
	return rc;
}

s2s_err s2s_adapter_password(struct s2s_adapter_ctx *ctx, struct s2s_buf *out)
{
	s2s_err rc;

	s2s_buf_reset(out);
	if (ctx->kept && ctx->kept->get) {
		rc = ctx->kept->get(ctx->kept->payload, "idp-password", out,
		                    ctx->err);
		if (rc != S2S_ENOTFOUND)
			return rc;
		s2s_error_clear(ctx->err);
		s2s_buf_reset(out);
	}
	if (!ctx->prompter || !ctx->prompter->ask)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "a password is needed");
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_PASSWORD,
	                        "Password", out, ctx->err);
	if (!rc && out->len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "no password given");
	return rc;
}

bool s2s_adapter_keeps_totp(const struct s2s_adapter_ctx *ctx)
{
	char key[96];
	const char *v;

	if (!ctx->kept || !ctx->kept->get || !ctx->adapter)
		return false;
	snprintf(key, sizeof(key), "%s.totp_seed", ctx->adapter->name);
	v = s2s_account_get(ctx->acct, key);
	return v && strcmp(v, "keyring") == 0;
}

s2s_err s2s_adapter_totp(struct s2s_adapter_ctx *ctx, char *out)
{
	struct s2s_buf seed = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (!s2s_adapter_keeps_totp(ctx))
		return s2s_error_set(ctx->err, S2S_ENOTFOUND,
		                     "no TOTP seed stored");
	rc = ctx->kept->get(ctx->kept->payload, S2S_TOTP_SEED_KIND, &seed,
	                    ctx->err);
	if (!rc && s2s_buf_terminate(&seed))
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_totp_from_seed(out, seed.ptr, (int64_t)time(NULL),
		                        ctx->err);
	s2s_buf_release(&seed);
	return rc;
}

s2s_err s2s_login_validate(const struct s2s_adapter *a,
                           const struct s2s_account *acct,
                           struct s2s_error *err)
{
	if (!s2s_account_get(acct, "url"))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "account '%s' has no url: run saml2sts "
		                     "configure --url URL",
		                     s2s_account_name(acct));
	if (a->validate)
		return a->validate(acct, err);
	return S2S_OK;
}

s2s_err s2s_login(const struct s2s_login_params *p, struct s2s_buf *saml_b64,
                  struct s2s_error *err)
{
	const struct s2s_adapter *a = p->adapter;
	struct s2s_adapter_ctx ctx = { 0 };
	s2s_err rc;

	S2S_ASSERT_ARG(a && p->acct && p->http && saml_b64);
	rc = s2s_login_validate(a, p->acct, err);
	if (rc)
		return rc;
	ctx.adapter = a;
	ctx.acct = p->acct;
	ctx.http = p->http;
	ctx.prompter = p->prompter;
	ctx.site_acs_url = p->site_acs_url;
	ctx.username = p->username;
	ctx.err = err;
	ctx.flags = p->flags;
	ctx.kept = p->kept;
	ctx.cancel = p->cancel;
	if (a->priv_size) {
		ctx.priv = calloc(1, a->priv_size);
		if (!ctx.priv)
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	rc = a->authenticate(&ctx, saml_b64);
	if (!rc && saml_b64->len == 0)
		rc = s2s_error_set(err, S2S_EIDP,
		                   "adapter %s returned no SAMLResponse",
		                   a->name);
	if (a->release)
		a->release(&ctx);
	s2s_freezero(ctx.priv, a->priv_size);
	return rc;
}
