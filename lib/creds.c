/* SPDX-License-Identifier: MIT */
/*
 * STS credentials: the store's JSON form, the aliyun CLI External-mode
 * JSON, and the freshness arithmetic of DESIGN.md section 6.  Secrets are
 * written straight into secret buffers and wiped when freed.
 */
#include <time.h>

#include "json.h"
#include "common.h"
#include "saml2sts/creds.h"
#include "saml2sts/isotime.h"

struct s2s_creds *s2s_creds_new(void)
{
	return calloc(1, sizeof(struct s2s_creds));
}

void s2s_creds_free(struct s2s_creds *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	s2s_secret_free(c->access_key_secret);
	s2s_secret_free(c->security_token);
	free(c->role_arn);
	free(c->provider_arn);
	free(c->assumed_role_arn);
	free(c->account_id);
	free(c->access_config_id);
	free(c->account_name);
	free(c->username);
	free(c->region);
	free(c);
}

long s2s_creds_remaining(const struct s2s_creds *c, time_t now)
{
	return (long)(c->expiration - now);
}

long s2s_creds_window(const struct s2s_creds *c, long refresh_window)
{
	long half;

	if (!c->issued || c->expiration <= c->issued)
		return refresh_window;
	half = (long)(c->expiration - c->issued) / 2;
	return half < refresh_window ? half : refresh_window;
}

s2s_err s2s_creds_to_json(const struct s2s_creds *c, struct s2s_buf *out,
                          struct s2s_error *err)
{
	char exp[32], issued[32];
	s2s_err rc;

	s2s_time_format_utc(exp, sizeof(exp), c->expiration);
	s2s_time_format_utc(issued, sizeof(issued), c->issued);
	rc = s2s_buf_add(out, "{", 1);
	if (!rc)
		rc = s2s_json_member(out, true, "AccessKeyId",
		                     c->access_key_id);
	if (!rc)
		rc = s2s_json_member(out, false, "AccessKeySecret",
		                     c->access_key_secret);
	if (!rc)
		rc = s2s_json_member(out, false, "SecurityToken",
		                     c->security_token);
	if (!rc)
		rc = s2s_json_member(out, false, "Expiration", exp);
	if (!rc && c->issued)
		rc = s2s_json_member(out, false, "Issued", issued);
	if (!rc && c->role_arn)
		rc = s2s_json_member(out, false, "RoleArn", c->role_arn);
	if (!rc && c->provider_arn)
		rc = s2s_json_member(out, false, "SAMLProviderArn",
		                     c->provider_arn);
	if (!rc && c->assumed_role_arn)
		rc = s2s_json_member(out, false, "AssumedRoleArn",
		                     c->assumed_role_arn);
	if (!rc && c->account_id)
		rc = s2s_json_member(out, false, "AccountId", c->account_id);
	if (!rc && c->access_config_id)
		rc = s2s_json_member(out, false, "AccessConfigurationId",
		                     c->access_config_id);
	if (!rc && c->account_name)
		rc = s2s_json_member(out, false, "IdPAccount", c->account_name);
	if (!rc && c->username)
		rc = s2s_json_member(out, false, "IdPUsername", c->username);
	if (!rc && c->region)
		rc = s2s_json_member(out, false, "Region", c->region);
	if (!rc)
		rc = s2s_buf_add(out, "}", 1);
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static bool copy_str(char **dst, struct json_object *obj, const char *name,
                     bool secret)
{
	const char *s = s2s__json_get_str(obj, name);

	if (!s)
		return true;
	*dst = secret ? s2s_secret_strdup(s) : strdup(s);
	return *dst != NULL;
}

s2s_err s2s_creds_from_json(struct s2s_creds **out, const char *json,
                            size_t len, struct s2s_error *err)
{
	struct json_object *obj = NULL;
	struct s2s_creds *c = NULL;
	const char *t;
	bool ok;
	s2s_err rc = S2S_OK;

	*out = NULL;
	obj = s2s_json_parse(json, len);
	if (!obj) {
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "stored credentials are not valid JSON");
		goto out;
	}
	c = s2s_creds_new();
	if (!c) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	ok = copy_str(&c->access_key_id, obj, "AccessKeyId", false) &&
	     copy_str(&c->access_key_secret, obj, "AccessKeySecret", true) &&
	     copy_str(&c->security_token, obj, "SecurityToken", true) &&
	     copy_str(&c->role_arn, obj, "RoleArn", false) &&
	     copy_str(&c->provider_arn, obj, "SAMLProviderArn", false) &&
	     copy_str(&c->assumed_role_arn, obj, "AssumedRoleArn", false) &&
	     copy_str(&c->account_id, obj, "AccountId", false) &&
	     copy_str(&c->access_config_id, obj, "AccessConfigurationId",
	              false) &&
	     copy_str(&c->account_name, obj, "IdPAccount", false) &&
	     copy_str(&c->username, obj, "IdPUsername", false) &&
	     copy_str(&c->region, obj, "Region", false);
	if (!ok) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	t = s2s__json_get_str(obj, "Expiration");
	if (!c->access_key_id || !c->access_key_secret || !c->security_token ||
	    !t || !s2s_time_parse(&c->expiration, t)) {
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "stored credentials are incomplete");
		goto out;
	}
	t = s2s__json_get_str(obj, "Issued");
	if (t && !s2s_time_parse(&c->issued, t))
		c->issued = 0;
	*out = c;
	c = NULL;
out:
	s2s_creds_free(c);
	s2s_json_put_wiped(obj);
	return rc;
}

s2s_err s2s_creds_external_json(const struct s2s_creds *c, struct s2s_buf *out,
                                struct s2s_error *err)
{
	char exp[32];
	s2s_err rc;

	s2s_time_format_utc(exp, sizeof(exp), c->expiration);
	rc = s2s_buf_add(out, "{", 1);
	if (!rc)
		rc = s2s_json_member(out, true, "mode", "StsToken");
	if (!rc)
		rc = s2s_json_member(out, false, "access_key_id",
		                     c->access_key_id);
	if (!rc)
		rc = s2s_json_member(out, false, "access_key_secret",
		                     c->access_key_secret);
	if (!rc)
		rc = s2s_json_member(out, false, "sts_token",
		                     c->security_token);
	if (!rc)
		rc = s2s_json_member(out, false, "expiration", exp);
	if (!rc)
		rc = s2s_buf_add(out, "}", 1);
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}
