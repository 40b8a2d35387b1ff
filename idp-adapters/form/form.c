/* SPDX-License-Identifier: MIT */
#include <saml2sts/adapter.h>

static s2s_err form_validate(const struct s2s_account *acct,
			     struct s2s_error *err)
{
	(void)acct;
	(void)err;
	return S2S_OK;
}

static s2s_err form_authenticate(struct s2s_adapter_ctx *ctx,
				 struct s2s_buf *saml_b64)
{
	(void)saml_b64;
	return s2s_error_set(ctx->err, S2S_EUNSUPPORTED, "not yet");
}

static const char *const form_aliases[] = { "simplesamlphp", NULL };

const struct s2s_adapter s2s_adapter_form = {
	.abi = S2S_ADAPTER_ABI,
	.name = "form",
	.aliases = form_aliases,
	.summary = "generic HTML login form (SimpleSAMLphp and alike)",
	.features = S2S_ADAPTER_F_FORM,
	.validate = form_validate,
	.authenticate = form_authenticate,
};
