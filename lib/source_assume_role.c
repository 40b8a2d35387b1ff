/* SPDX-License-Identifier: MIT */
/*
 * The `assume-role` source (role chaining): another stored profile's
 * credentials, made fresh through the engine, sign an STS AssumeRole
 * into role_arn.  The source profile may be SAML, CloudSSO or another
 * assume-role profile: a chain of hops, each cached as its own profile.
 * Everything (keys, role ARN, session name, external id, duration, the
 * policy file, the chain's shape) is checked before the network.  This
 * file does not store anything or take locks itself: the engine does.
 *
 * Lock order.  A refresh of hop N holds hop N's profile lock while it
 * makes hop N-1 fresh, which takes hop N-1's lock, down to the first
 * profile (whose SAML login takes the global login lock last).  Every
 * process takes locks in this order -- outer hop, then inner source --
 * and a cycle in source_profile is refused before any lock is taken, so
 * nested refreshes cannot deadlock; N parallel callers of a stale chain
 * make one AssumeRole per hop and at most one IdP login.
 */
#include "common.h"
#include "chain_int.h"
#include "json.h"
#include "session_int.h"
#include "saml2sts/choice.h"
#include "saml2sts/file.h"
#include "saml2sts/rpc.h"
#include "saml2sts/sts.h"

#define POLICY_FILE_MAX (64 * 1024)

struct ar_state {
	const struct s2s_sts_client *sts;
	const char *source;       /* source_profile (borrowed) */
	const char *role_arn;     /* borrowed */
	char *account_id;         /* of role_arn */
	char *role_name;          /* of role_arn */
	const char *session_name; /* role_session_name, or NULL: derived */
	const char *external_id;  /* or NULL */
	long duration;
	char *policy;   /* compact JSON, or NULL */
	char *endpoint; /* the account's own, or NULL: the source's */
};

static const char *const providers[] = { "assume-role", NULL };

bool s2s_chain__is_hop(const struct s2s_account *acct)
{
	const char *p = acct ? s2s_account_get(acct, "provider") : NULL;

	return p && strcasecmp(p, providers[0]) == 0;
}

/* ------------------------------------------------------------------ */
/* Chains */

/* The account of a stored profile, from the store's attributes, and
 * (role_out may be NULL) a copy of its role ARN. */
static const struct s2s_account *
stored_account(struct s2s_session *s, const char *profile, char **role_out)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	const struct s2s_account *acct = NULL;
	struct s2s_store_item *items = NULL;
	struct s2s_store *store = NULL;
	size_t n = 0;

	if (role_out)
		*role_out = NULL;
	if (s2s_session_store(&store, s, &ignore) ||
	    s2s_store_list(&items, &n, store, &ignore))
		return NULL;
	for (size_t i = 0; i < n && !acct; i++) {
		if (strcmp(items[i].kind, "sts") != 0 ||
		    strcmp(items[i].profile, profile) != 0 || !items[i].account)
			continue;
		acct = s2s_config_account(s->o.cfg, items[i].account);
		if (acct && role_out && items[i].role_arn)
			*role_out = strdup(items[i].role_arn);
	}
	s2s_store_items_free(items, n);
	return acct;
}

const struct s2s_account *s2s_chain__account(struct s2s_session *s,
                                             const char *profile)
{
	const struct s2s_account *acct = stored_account(s, profile, NULL);
	size_t n = s2s_config_count(s->o.cfg);

	for (size_t i = 0; i < n && !acct; i++) {
		const struct s2s_account *a = s2s_config_at(s->o.cfg, i);
		const char *p = s2s_account_get(a, "profile");

		if (p && strcmp(p, profile) == 0)
			acct = a;
	}
	if (!acct)
		acct = s2s_config_account(s->o.cfg, profile);
	return acct;
}

s2s_err s2s_chain__endpoint(char **out, struct s2s_session *s,
                            const struct s2s_account *acct,
                            const char *override, struct s2s_error *err)
{
	const struct s2s_sts_client *sts = s2s_sts_client_find(NULL);

	*out = NULL;
	for (int hop = 0; acct && hop < S2S_CHAIN_MAX; hop++) {
		const char *ep = s2s_account_get(acct, "sts_endpoint");
		const char *region = s2s_account_get(acct, "region");
		const char *src = s2s_account_get(acct, "source_profile");

		if (override || ep || region || !s2s_chain__is_hop(acct) ||
		    !src)
			return sts->endpoint(out,
			                     region ? region : "cn-hangzhou",
			                     override ? override : ep, err);
		acct = s2s_chain__account(s, src);
	}
	return sts->endpoint(out, "cn-hangzhou", override, err);
}

/* " -> name" appended to a chain's text for messages. */
static void chain_add(char *text, size_t size, const char *name)
{
	size_t used = strlen(text);

	if (used < size)
		snprintf(text + used, size - used, "%s%s", used ? " -> " : "",
		         name);
}

/* Refuse a source_profile cycle (a -> b -> a), and chains too long,
 * before any lock is taken: the walk follows the same profile-to-account
 * rule as the refresh does.  Names and sections both count: a profile
 * stored under another name than its section's is still the same hop. */
static s2s_err check_chain(struct s2s_source_ctx *ctx, const char *source)
{
	const struct s2s_account *seen[S2S_CHAIN_MAX + 2];
	const char *names[S2S_CHAIN_MAX + 2];
	const struct s2s_account *a = ctx->acct;
	const char *p = source;
	char text[200] = "";
	size_t n = 0;

	names[n] =
	        ctx->opt->profile
	                ? ctx->opt->profile
	                : s2s_session_default_profile(a, s2s_account_name(a));
	seen[n++] = a;
	chain_add(text, sizeof(text), names[0]);
	while (p) {
		bool again = false;

		a = s2s_chain__account(ctx->session, p);
		for (size_t i = 0; i < n; i++)
			again = again || strcmp(names[i], p) == 0 ||
			        (a && seen[i] == a);
		chain_add(text, sizeof(text), p);
		if (again)
			return s2s_error_set(ctx->err, S2S_ECONFIG,
			                     "source_profile cycle: %s", text);
		if (n > S2S_CHAIN_MAX)
			return s2s_error_set(ctx->err, S2S_ECONFIG,
			                     "source_profile chain longer than "
			                     "%d hops: %s",
			                     S2S_CHAIN_MAX, text);
		names[n] = p;
		seen[n++] = a;
		p = s2s_chain__is_hop(a) ? s2s_account_get(a, "source_profile")
		                         : NULL;
	}
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* validate */

static bool role_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '@' || c == '-' ||
	       c == '_';
}

/* acs:ram::<uid>:role/<name> */
static s2s_err parse_role_arn(struct ar_state *st, const char *arn,
                              struct s2s_error *err)
{
	static const char pre[] = "acs:ram::";
	const char *uid = arn + sizeof(pre) - 1, *name;
	size_t ulen = 0;

	if (strncasecmp(arn, pre, sizeof(pre) - 1) != 0)
		goto bad;
	while (uid[ulen] >= '0' && uid[ulen] <= '9')
		ulen++;
	if (!ulen || ulen > 32 || strncasecmp(uid + ulen, ":role/", 6) != 0)
		goto bad;
	name = uid + ulen + 6;
	if (!*name || strlen(name) > 64)
		goto bad;
	for (const char *c = name; *c; c++)
		if (!role_name_char(*c))
			goto bad;
	st->account_id = strndup(uid, ulen);
	st->role_name = strdup(name);
	if (!st->account_id || !st->role_name)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
bad:
	return s2s_error_set(err, S2S_ECONFIG,
	                     "role_arn '%.100s' is not a RAM role ARN "
	                     "(acs:ram::<account id>:role/<name>)",
	                     arn);
}

static bool external_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < S2S_RPC_EXTERNAL_ID_MIN || n > S2S_RPC_EXTERNAL_ID_MAX)
		return false;
	for (; *s; s++)
		if (!role_name_char(*s) && !strchr("+=,:/", *s))
			return false;
	return true;
}

/* The policy file: at most what STS takes once compacted, and a JSON
 * object; kept compact. */
static s2s_err load_policy(struct ar_state *st, const char *path,
                           struct s2s_error *err)
{
	const char *home = s2s_config_env("HOME");
	struct s2s_buf full = S2S_BUF_INIT, text = S2S_BUF_INIT;
	struct s2s_error why = S2S_ERROR_INIT;
	struct json_object *obj = NULL;
	const char *compact;
	size_t len;
	s2s_err rc;

	if (strncmp(path, "~/", 2) == 0 && home)
		rc = s2s_buf_printf(&full, "%s/%s", home, path + 2);
	else
		rc = s2s_buf_puts(&full, path);
	if (rc) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = s2s_file_read(&text, full.ptr, POLICY_FILE_MAX, S2S_ECONFIG, &why);
	if (rc && rc != S2S_ENOMEM)
		rc = s2s_error_set(err, S2S_ECONFIG, "policy: %s", why.msg);
	else if (rc)
		rc = s2s_error_set(err, rc, "%s", why.msg);
	if (rc)
		goto out;
	obj = s2s_json_parse(text.ptr ? text.ptr : "", text.len);
	if (!obj) {
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "policy: %s is not a JSON object", path);
		goto out;
	}
	compact = json_object_to_json_string_ext(
	        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = compact ? strlen(compact) : 0;
	if (!len || len > S2S_RPC_POLICY_MAX) {
		rc = s2s_error_set(err, S2S_ECONFIG,
		                   "policy: %s is %zu characters as compact "
		                   "JSON; STS takes at most %d",
		                   path, len, S2S_RPC_POLICY_MAX);
		goto out;
	}
	st->policy = strdup(compact);
	if (!st->policy)
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
out:
	if (obj)
		json_object_put(obj);
	s2s_buf_release(&full);
	s2s_buf_release(&text);
	return rc;
}

static s2s_err ar_validate(struct s2s_source_ctx *ctx)
{
	struct ar_state *st = ctx->priv;
	const struct s2s_account *acct = ctx->acct;
	const char *name = s2s_account_name(acct);
	const char *policy = s2s_account_get(acct, "policy");
	const char *ep = ctx->opt->sts_endpoint;
	struct s2s_error why = S2S_ERROR_INIT;
	long dummy = 0;
	s2s_err rc;

	st->sts = s2s_sts_client_find(NULL);
	st->source = s2s_account_get(acct, "source_profile");
	st->role_arn = s2s_account_get(acct, "role_arn");
	st->session_name = s2s_account_get(acct, "role_session_name");
	st->external_id = s2s_account_get(acct, "external_id");
	if (!st->source || !st->role_arn)
		return s2s_error_set(
		        ctx->err, S2S_ECONFIG,
		        "account '%s' (provider assume-role) needs "
		        "%s",
		        name,
		        st->source ? "role_arn"
		                   : "source_profile (a stored "
		                     "profile name)");
	if (s2s_profile_check(st->source, &why))
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "source_profile: %s", why.msg);
	rc = parse_role_arn(st, st->role_arn, ctx->err);
	if (!rc && st->session_name &&
	    !s2s_rpc_session_name_ok(st->session_name))
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "role_session_name '%.80s' must be 2 to 64 "
		                   "of A-Z a-z 0-9 . @ _ -",
		                   st->session_name);
	if (!rc && st->external_id && !external_id_ok(st->external_id))
		rc = s2s_error_set(ctx->err, S2S_ECONFIG,
		                   "external_id must be 2 to 1224 of A-Z a-z "
		                   "0-9 + = , . @ : / _ -");
	st->duration = ctx->opt->duration;
	if (!rc && !st->duration)
		rc = s2s_account_get_long(
		        &st->duration, acct, "session_duration",
		        S2S_STS_MIN_DURATION, S2S_STS_MAX_DURATION,
		        S2S_RPC_CHAINED_MAX_SECONDS, ctx->err);
	if (!rc)
		rc = s2s_account_get_long(&dummy, acct, "refresh_window", 0,
		                          43200, S2S_REFRESH_WINDOW, ctx->err);
	if (!rc && policy)
		rc = load_policy(st, policy, ctx->err);
	if (!ep)
		ep = s2s_account_get(acct, "sts_endpoint");
	if (!rc && (ep || s2s_account_get(acct, "region")))
		rc = st->sts->endpoint(
		        &st->endpoint,
		        s2s_account_get_str(acct, "region", "cn-hangzhou"), ep,
		        ctx->err);
	if (!rc)
		rc = check_chain(ctx, st->source);
	return rc;
}

/* ------------------------------------------------------------------ */
/* grants, mint */

static s2s_err ar_grants(struct s2s_source_ctx *ctx, struct s2s_grants *g)
{
	struct ar_state *st = ctx->priv;
	struct s2s_role r = { 0 };

	r.role_arn = (char *)(uintptr_t)st->role_arn;
	r.account_id = st->account_id;
	r.role_name = st->role_name;
	g->roles = calloc(1, sizeof(*g->roles));
	if (!g->roles)
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	if (s2s_role_copy(&g->roles[0], &r, ctx->err))
		return ctx->err->code;
	g->nroles = 1;
	return S2S_OK;
}

/* A login (not a refresh) whose source profile has no usable
 * credentials logs the source in first, prompting as the login may:
 * `saml2sts login -a hop` in the morning makes the whole chain. */
static s2s_err login_source(struct s2s_source_ctx *ctx, const char *source,
                            const struct s2s_error *why)
{
	const struct s2s_account *outer = ctx->session->acct;
	const struct s2s_account *a = NULL;
	struct s2s_login_result *res = NULL;
	struct s2s_login_opts o = { 0 };
	struct s2s_error e = S2S_ERROR_INIT;
	const char *roles[1];
	char *role = NULL;
	s2s_err rc;

	/* the role it was made for, when it was stored before */
	a = stored_account(ctx->session, source, &role);
	if (!a)
		a = s2s_chain__account(ctx->session, source);
	if (!a)
		return s2s_error_set(ctx->err, why->code,
		                     "source profile '%s': %s", source,
		                     why->msg);
	o.account = s2s_account_name(a);
	o.profile = source;
	if (role && !s2s_chain__is_hop(a)) {
		roles[0] = role;
		o.roles = roles;
		o.nroles = 1;
	}
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "source profile '%s' needs a login: logging in "
	                 "account '%s'",
	                 source, o.account);
	rc = s2s_session_login(&res, ctx->session, &o, &e);
	ctx->session->acct = outer;
	s2s_login_result_free(res);
	free(role);
	if (rc)
		return s2s_error_set(ctx->err, rc, "source profile '%s': %s",
		                     source, e.msg);
	return S2S_OK;
}

/* Fresh credentials of the source profile through the engine (its own
 * lock, its own refresh, silently); for a login, a login of the source
 * when it has none. */
static s2s_err source_creds(struct s2s_fresh *f, struct s2s_source_ctx *ctx,
                            const char *source)
{
	const struct s2s_account *outer = ctx->session->acct;
	struct s2s_error e = S2S_ERROR_INIT;
	s2s_err rc;

	rc = s2s_session_fresh(f, ctx->session, source, &e);
	ctx->session->acct = outer;
	if (rc == S2S_ENEEDINPUT && !(ctx->flags & S2S_SOURCE_SILENT)) {
		rc = login_source(ctx, source, &e);
		if (rc)
			return rc;
		s2s_error_clear(&e);
		rc = s2s_session_fresh(f, ctx->session, source, &e);
		ctx->session->acct = outer;
	}
	if (rc)
		return s2s_error_set(ctx->err, rc, "source profile '%s': %s",
		                     source, e.msg);
	if (f->state == S2S_FRESH_STALE)
		s2s_source_event(ctx, S2S_EVENT_WARNING,
		                 "source profile '%s' could not be refreshed "
		                 "(%s); using its credentials while they last",
		                 source, f->why.msg);
	return S2S_OK;
}

/* A failure that says the duration is too long for a chained hop. */
static bool duration_refused(s2s_err rc, const struct s2s_error *err)
{
	return rc == S2S_ESTS && strstr(err->msg, "DurationSeconds");
}

static s2s_err assume(struct s2s_mint *out, struct s2s_source_ctx *ctx,
                      struct ar_state *st, const struct s2s_creds *src,
                      const char *endpoint)
{
	struct s2s_assume_role_request req = { 0 };
	char derived[S2S_RPC_SESSION_NAME_MAX + 1];
	struct s2s_http *http = NULL;
	s2s_err rc;

	if (!st->session_name)
		s2s_rpc_session_name(derived, src->assumed_role_arn
		                                      ? src->assumed_role_arn
		                                      : st->source);
	req.endpoint = endpoint;
	req.role_arn = st->role_arn;
	req.session_name = st->session_name ? st->session_name : derived;
	req.duration = st->duration;
	req.policy = st->policy;
	req.external_id = st->external_id;
	rc = s2s_source_http(&http, ctx);
	if (rc)
		return rc;
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "AssumeRole %s at %s for %ld s as %s, signed with "
	                 "source profile '%s'",
	                 req.role_arn, endpoint, req.duration, req.session_name,
	                 st->source);
	out->rc = st->sts->assume_role(&out->creds, http, &req, src, &out->err);
	if (duration_refused(out->rc, &out->err) &&
	    req.duration > S2S_RPC_CHAINED_MAX_SECONDS) {
		/* The notes: chained sessions may be capped at one hour, as
		 * on AWS.  Say so rather than fail. */
		s2s_source_event(
		        ctx, S2S_EVENT_WARNING,
		        "STS refused %ld s for %s (%s); asking for %d s, "
		        "the cap of chained sessions",
		        req.duration, req.role_arn, out->err.msg,
		        S2S_RPC_CHAINED_MAX_SECONDS);
		s2s_error_clear(&out->err);
		req.duration = S2S_RPC_CHAINED_MAX_SECONDS;
		out->rc = st->sts->assume_role(&out->creds, http, &req, src,
		                               &out->err);
	}
	s2s_http_free(http);
	return S2S_OK;
}

static s2s_err ar_mint(struct s2s_source_ctx *ctx,
                       const struct s2s_role *const *roles, size_t n,
                       struct s2s_mint *out)
{
	struct ar_state *st = ctx->priv;
	struct s2s_fresh f = { 0 };
	char *endpoint = NULL;
	s2s_err rc;

	(void)roles;
	S2S_ASSERT_ARG(n == 1);
	rc = source_creds(&f, ctx, st->source);
	if (!rc && !st->endpoint)
		rc = s2s_chain__endpoint(
		        &endpoint, ctx->session,
		        f.creds->account_name
		                ? s2s_config_account(ctx->session->o.cfg,
		                                     f.creds->account_name)
		                : NULL,
		        NULL, ctx->err);
	if (!rc)
		rc = assume(&out[0], ctx, st, f.creds,
		            st->endpoint ? st->endpoint : endpoint);
	if (rc) {
		/* the role's own outcome, so that the login reports it as
		 * it reports an STS refusal */
		out[0].rc = rc;
		out[0].err = *ctx->err;
		s2s_error_clear(ctx->err);
	}
	free(endpoint);
	s2s_fresh_release(&f);
	return S2S_OK;
}

static void ar_release(struct s2s_source_ctx *ctx)
{
	struct ar_state *st = ctx->priv;

	free(st->account_id);
	free(st->role_name);
	free(st->policy);
	free(st->endpoint);
}

const struct s2s_source s2s_source_assume_role = {
	.name = "assume-role",
	.providers = providers,
	.priv_size = sizeof(struct ar_state),
	.validate = ar_validate,
	.grants = ar_grants,
	.mint = ar_mint,
	.release = ar_release,
};
