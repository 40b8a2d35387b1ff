/* SPDX-License-Identifier: MIT */
/*
 * Alibaba RAM ARNs in a SAML Role attribute value: "role-arn,provider-arn"
 * in either order, spaces tolerated, both in the same account; the
 * account id and the role name are taken from the role ARN.  It does
 * not read SAML, look accounts up or fill account_name.
 */
#include "common.h"
#include "saml2sts/role.h"

enum arn_kind { ARN_ROLE = 1, ARN_PROVIDER };

struct arn {
	enum arn_kind kind;
	const char *s; /* the whole ARN, trimmed */
	size_t len;
	const char *uid;
	size_t uid_len;
	const char *name;
	size_t name_len;
};

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* acs:ram::<digits>:role/<name> or acs:ram::<digits>:saml-provider/<name> */
static bool arn_parse(struct arn *a, const char *s, size_t len)
{
	static const char pfx[] = "acs:ram::";
	size_t i = sizeof(pfx) - 1;

	a->s = s;
	a->len = len;
	if (!has_prefix(s, len, pfx))
		return false;
	a->uid = s + i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	a->uid_len = (size_t)(s + i - a->uid);
	if (!a->uid_len || i >= len || s[i] != ':')
		return false;
	i++;
	if (has_prefix(s + i, len - i, "role/")) {
		a->kind = ARN_ROLE;
		i += strlen("role/");
	} else if (has_prefix(s + i, len - i, "saml-provider/")) {
		a->kind = ARN_PROVIDER;
		i += strlen("saml-provider/");
	} else {
		return false;
	}
	a->name = s + i;
	a->name_len = len - i;
	for (size_t j = i; j < len; j++) {
		if ((unsigned char)s[j] <= ' ' || s[j] == 0x7f)
			return false;
	}
	return a->name_len > 0;
}

/* Split "a,b" into two trimmed ARNs, in whatever order they come. */
static s2s_err role_split(struct arn *role, struct arn *prov, const char *value,
                          struct s2s_error *err)
{
	const char *comma = strchr(value, ',');
	struct arn a, b;
	size_t alen, blen;
	const char *as = value, *bs;

	if (!comma || strchr(comma + 1, ','))
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s' is not "
		                     "'role-arn,provider-arn'",
		                     value);
	alen = (size_t)(comma - value);
	bs = comma + 1;
	blen = strlen(bs);
	s2s__trim(&as, &alen, S2S_XML_SPACE);
	s2s__trim(&bs, &blen, S2S_XML_SPACE);
	if (!arn_parse(&a, as, alen) || !arn_parse(&b, bs, blen))
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s' is not a RAM role "
		                     "ARN and a SAML provider ARN",
		                     value);
	if (a.kind == b.kind)
		return s2s_error_set(
		        err, S2S_ESAML, "role value '%.100s' has two %s ARNs",
		        value, a.kind == ARN_ROLE ? "role" : "provider");
	*role = a.kind == ARN_ROLE ? a : b;
	*prov = a.kind == ARN_ROLE ? b : a;
	if (role->uid_len != prov->uid_len ||
	    memcmp(role->uid, prov->uid, role->uid_len) != 0)
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s': role and provider "
		                     "are in different accounts",
		                     value);
	return S2S_OK;
}

s2s_err s2s_role_parse(struct s2s_role *role, const char *value,
                       struct s2s_error *err)
{
	struct arn r = { 0 }, p = { 0 };
	s2s_err rc;

	S2S_ASSERT_ARG(role);
	S2S_ASSERT_ARG(value);
	memset(role, 0, sizeof(*role));
	rc = role_split(&r, &p, value, err);
	if (rc)
		return rc;
	role->role_arn = strndup(r.s, r.len);
	role->provider_arn = strndup(p.s, p.len);
	role->account_id = strndup(r.uid, r.uid_len);
	role->role_name = strndup(r.name, r.name_len);
	if (!role->role_arn || !role->provider_arn || !role->account_id ||
	    !role->role_name) {
		s2s_role_release(role);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	return S2S_OK;
}

void s2s_role_release(struct s2s_role *role)
{
	if (!role)
		return;
	s2s_safefree(role->role_arn);
	s2s_safefree(role->provider_arn);
	s2s_safefree(role->account_id);
	s2s_safefree(role->role_name);
	s2s_safefree(role->account_name);
	s2s_safefree(role->access_config_id);
}
