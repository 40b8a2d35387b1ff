/* SPDX-License-Identifier: MIT */
/*
 * GetSigninToken and the Login URL (Alibaba's documented federation
 * flow; saml2alibabacloud's AWS-style parameters are not used).
 */
#include "json.h"
#include "common.h"
#include "saml2sts/console.h"

static s2s_err signin_token(char **out, struct s2s_http *http,
                            const char *endpoint, const struct s2s_creds *c,
                            struct s2s_error *err)
{
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_http_request req = { 0 };
	struct json_object *obj = NULL;
	const char *tok, *code;
	s2s_err rc;

	*out = NULL;
	rc = s2s_form_append(&body, "Action", "GetSigninToken", err);
	if (!rc)
		rc = s2s_form_append(&body, "AccessKeyId", c->access_key_id,
		                     err);
	if (!rc)
		rc = s2s_form_append(&body, "AccessKeySecret",
		                     c->access_key_secret, err);
	if (!rc)
		rc = s2s_form_append(&body, "SecurityToken", c->security_token,
		                     err);
	if (!rc)
		rc = s2s_form_append(&body, "TicketType", "mini", err);
	if (rc)
		goto out;
	req.method = "POST";
	req.url = endpoint;
	req.body = body.ptr;
	req.body_len = body.len;
	req.content_type = "application/x-www-form-urlencoded";
	rc = s2s_http_do(http, &req, &resp, err); /* no redirects: secrets */
	if (rc)
		goto out;
	obj = s2s_json_parse(resp.body.ptr, resp.body.len);
	tok = s2s__json_get_str(obj, "SigninToken");
	code = s2s__json_get_str(obj, "Code");
	if (resp.status == 200 && tok && *tok) {
		*out = s2s_secret_strdup(tok);
		if (!*out)
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	} else if (code) {
		rc = s2s_error_set(err, S2S_ESTS, "GetSigninToken %s: %.120s",
		                   code,
		                   s2s__json_get_str(obj, "Message")
		                           ? s2s__json_get_str(obj, "Message")
		                           : "(no message)");
	} else {
		rc = s2s_error_set(err, S2S_ESTS,
		                   "GetSigninToken answered HTTP %ld without "
		                   "a SigninToken",
		                   resp.status);
	}
out:
	s2s_json_put_wiped(obj);
	s2s_http_response_release(&resp);
	s2s_buf_release(&body);
	return rc;
}

s2s_err s2s_console_url(char **out, struct s2s_http *http,
                        const char *federation, const struct s2s_creds *creds,
                        const char *login_url, const char *destination,
                        struct s2s_error *err)
{
	struct s2s_buf endpoint = S2S_BUF_INIT, url = S2S_BUF_SECRET_INIT,
	               query = S2S_BUF_SECRET_INIT;
	char *token = NULL;
	size_t n = strlen(federation);
	s2s_err rc;

	*out = NULL;
	while (n && federation[n - 1] == '/')
		n--;
	if (s2s_buf_add(&endpoint, federation, n) ||
	    s2s_buf_puts(&endpoint, "/federation"))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!s2s_url_allowed(endpoint.ptr)) {
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "signin_endpoint must be https (http only "
		                   "to loopback)");
		goto out;
	}
	rc = signin_token(&token, http, endpoint.ptr, creds, err);
	if (rc)
		goto out;
	rc = s2s_form_append(&query, "Action", "Login", err);
	if (!rc)
		rc = s2s_form_append(&query, "LoginUrl", login_url, err);
	if (!rc)
		rc = s2s_form_append(&query, "Destination", destination, err);
	if (!rc)
		rc = s2s_form_append(&query, "SigninToken", token, err);
	if (!rc &&
	    (s2s_buf_puts(&url, endpoint.ptr) || s2s_buf_add(&url, "?", 1) ||
	     s2s_buf_add(&url, query.ptr, query.len)))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc) {
		*out = s2s_buf_detach(&url, NULL);
		if (!*out)
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
out:
	s2s_secret_free(token);
	s2s_buf_release(&endpoint);
	s2s_buf_release(&url);
	s2s_buf_release(&query);
	return rc;
}
