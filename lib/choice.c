/* SPDX-License-Identifier: MIT */
/*
 * Role choice helpers of the engine: --role spec matching, the display
 * order and profile_template expansion.  It does not parse ARNs (role.c
 * does) and knows nothing of where the roles came from.
 */
#include "common.h"
#include "saml2sts/choice.h"

bool s2s_choice_matches(const struct s2s_role *r, const char *spec)
{
	const char *slash = strchr(spec, '/');
	size_t n;

	if (strncasecmp(spec, "acs:", 4) == 0)
		return strcasecmp(spec, r->role_arn) == 0;
	if (!slash)
		return strcasecmp(spec, r->role_name) == 0 ||
		       (r->access_config_id &&
		        strcmp(spec, r->access_config_id) == 0);
	if (strcasecmp(slash + 1, r->role_name) != 0 &&
	    !(r->access_config_id &&
	      strcmp(slash + 1, r->access_config_id) == 0))
		return false;
	n = (size_t)(slash - spec);
	if (strlen(r->account_id) == n && strncmp(spec, r->account_id, n) == 0)
		return true;
	return r->account_name && strlen(r->account_name) == n &&
	       strncasecmp(spec, r->account_name, n) == 0;
}

s2s_err s2s_choice_find(size_t *idx, const struct s2s_role *roles, size_t n,
                        const char *spec, struct s2s_error *err)
{
	size_t found = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		if (s2s_choice_matches(&roles[i], spec)) {
			found++;
			at = i;
		}
	if (found == 1) {
		*idx = at;
		return S2S_OK;
	}
	if (found > 1)
		return s2s_error_set(err, S2S_EINVAL,
		                     "role '%s' is ambiguous: %zu roles match; "
		                     "give ACCOUNT/ROLE or the full ARN",
		                     spec, found);
	return s2s_error_set(err, S2S_ENOROLE,
	                     "role '%s' is not granted; granted:", spec);
}

int s2s_choice_cmp(const struct s2s_role *x, const struct s2s_role *y)
{
	int c = strcmp(x->account_id, y->account_id);

	return c ? c : strcasecmp(x->role_name, y->role_name);
}

static int role_cmp(const void *a, const void *b)
{
	return s2s_choice_cmp(a, b);
}

void s2s_choice_sort(struct s2s_role *roles, size_t n)
{
	if (n > 1)
		qsort(roles, n, sizeof(*roles), role_cmp);
}

/* A name put into a profile name: spaces (CloudSSO display names have
 * them) become '-', since profile names have none. */
static s2s_err put_name(struct s2s_buf *b, const char *s)
{
	s2s_err rc = S2S_OK;

	for (; *s && !rc; s++)
		rc = s2s_buf_add(b, *s == ' ' ? "-" : s, 1);
	return rc;
}

char *s2s_choice_profile(const char *t, const struct s2s_role *r)
{
	struct s2s_buf b = S2S_BUF_INIT;
	s2s_err rc = S2S_OK;

	while (*t && !rc) {
		if (strncmp(t, "{account}", 9) == 0) {
			rc = put_name(&b, r->account_name ? r->account_name
			                                  : r->account_id);
			t += 9;
		} else if (strncmp(t, "{role}", 6) == 0) {
			rc = put_name(&b, r->role_name);
			t += 6;
		} else {
			rc = s2s_buf_add(&b, t++, 1);
		}
	}
	if (rc) {
		s2s_buf_release(&b);
		return NULL;
	}
	return s2s_buf_detach(&b, NULL);
}

s2s_err s2s_role_copy(struct s2s_role *dst, const struct s2s_role *src,
                      struct s2s_error *err)
{
	bool ok = true;

	memset(dst, 0, sizeof(*dst));
	dst->role_arn = s2s__strdup_or_null(src->role_arn, &ok);
	dst->provider_arn = s2s__strdup_or_null(src->provider_arn, &ok);
	dst->account_id = s2s__strdup_or_null(src->account_id, &ok);
	dst->role_name = s2s__strdup_or_null(src->role_name, &ok);
	dst->account_name = s2s__strdup_or_null(src->account_name, &ok);
	dst->access_config_id = s2s__strdup_or_null(src->access_config_id, &ok);
	if (ok)
		return S2S_OK;
	s2s_role_release(dst);
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}
