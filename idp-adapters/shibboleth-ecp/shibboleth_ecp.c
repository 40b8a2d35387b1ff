/* SPDX-License-Identifier: MIT */
/*
 * Shibboleth IdP through the SAML ECP profile: one SOAP POST to
 * /idp/profile/SAML2/SOAP/ECP carrying an AuthnRequest for the PAOS
 * binding (Issuer = the site's SP entity id, ACS = the site's ACS),
 * with HTTP Basic authentication, and the samlp:Response taken out of
 * the SOAP answer.  No HTML, no cookies, no MFA: an IdP that requires a
 * second factor for ECP answers with an error.
 */
#include <stdlib.h>
#include <string.h>

#include <saml2sts/adapter.h>
#include <saml2sts/ecp.h>
#include <saml2sts/formflow.h>

#define ECP_PATH "/idp/profile/SAML2/SOAP/ECP"

static const char *const shib_keys[] = { "ecp_url", NULL };

/* shibboleth.ecp_url, else url when it names the ECP endpoint, else
 * url + /idp/profile/SAML2/SOAP/ECP. */
static s2s_err ecp_url(char **out, struct s2s_adapter_ctx *ctx)
{
	const char *set = s2s_account_get(ctx->acct, "shibboleth.ecp_url");
	const char *base = s2s_account_get(ctx->acct, "url");
	size_t n, skip;

	*out = NULL;
	if (!set && base && strstr(base, "/SOAP/ECP"))
		set = base;
	if (set) {
		*out = strdup(set);
	} else if (base) {
		n = strlen(base);
		while (n && base[n - 1] == '/')
			n--;
		/* url is the host or the IdP's context path (".../idp") */
		skip = n >= 4 && strncmp(base + n - 4, "/idp", 4) == 0 ? 4 : 0;
		*out = malloc(n + sizeof(ECP_PATH) - skip);
		if (*out) {
			memcpy(*out, base, n);
			memcpy(*out + n, ECP_PATH + skip,
			       sizeof(ECP_PATH) - skip);
		}
	} else {
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "no url configured");
	}
	return *out ? S2S_OK
	            : s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

static s2s_err ecp_authenticate(struct s2s_adapter_ctx *ctx,
                                struct s2s_buf *saml_b64)
{
	static const char *const headers[] = { S2S_ECP_ACCEPT, S2S_ECP_PAOS,
		                               NULL };
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf body = S2S_BUF_INIT;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_http_request req = {
		.method = "POST",
		.content_type = "text/xml; charset=utf-8",
		.headers = headers,
		.httpauth = S2S_HTTP_AUTH_BASIC,
	};
	char *url = NULL;
	s2s_err rc;

	rc = ecp_url(&url, ctx);
	if (!rc)
		rc = s2s_ecp_request(&body, s2s_formflow_sp_entity(ctx),
		                     ctx->site_acs_url, ctx->err);
	if (!rc)
		rc = s2s_adapter_username(ctx, &user);
	if (!rc)
		rc = s2s_adapter_password(ctx, url, &pass);
	if (rc)
		goto out;
	req.url = url;
	req.body = body.ptr;
	req.body_len = body.len;
	req.username = user.ptr;
	req.password = pass.ptr;
	rc = s2s_http_do(ctx->http, &req, &resp, ctx->err);
	s2s_buf_release(&pass);
	if (rc)
		goto out;
	if (resp.status == 401 || resp.status == 403) {
		rc = s2s_error_set(ctx->err, S2S_EAUTH,
		                   "the IdP rejected the username or password "
		                   "(ECP, HTTP %ld)",
		                   resp.status);
		goto out;
	}
	if (resp.status != 200 && resp.status != 500) {
		rc = s2s_error_set(ctx->err, S2S_EIDP,
		                   "the ECP endpoint answered HTTP %ld: is "
		                   "shibboleth.ecp_url right?",
		                   resp.status);
		goto out;
	}
	rc = s2s_ecp_response(saml_b64, resp.body.ptr, resp.body.len,
	                      ctx->site_acs_url, ctx->err);
out:
	free(url);
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&body);
	s2s_http_response_release(&resp);
	return rc;
}

static const char *const ecp_aliases[] = { "shibboleth_ecp", "ecp", NULL };

const struct s2s_adapter s2s_adapter_shibboleth_ecp = {
	.abi = S2S_ADAPTER_ABI,
	.name = "shibboleth-ecp",
	.aliases = ecp_aliases,
	.summary = "Shibboleth IdP via SAML ECP (SOAP, HTTP Basic); no HTML, "
	           "no MFA",
	.features = S2S_ADAPTER_F_FORM,
	/* the Web SSO adapter's namespace: one IdP, two protocols */
	.config_keys = shib_keys,
	.config_ns = "shibboleth",
	.url_key = "shibboleth.ecp_url",
	.authenticate = ecp_authenticate,
};
