/* SPDX-License-Identifier: MIT */
/*
 * The `saml` source: an IdP adapter logs in and yields the SAMLResponse;
 * it is parsed (and, with idp_cert or idp_metadata, verified against the
 * pinned key only); its roles are the grants; AssumeRoleWithSAML makes
 * the credentials, in parallel for several roles.  The SAMLResponse
 * lives in this source's private state between grants() and mint() and
 * is wiped after; it is never stored and never leaves lib/.
 */
#include "common.h"
#include "saml2sts/adapter.h"
#include "saml2sts/choice.h"
#include "saml2sts/file.h"
#include "saml2sts/lock.h"
#include "saml2sts/login.h"
#include "saml2sts/saml.h"
#include "saml2sts/site.h"
#include "saml2sts/source.h"
#include "saml2sts/sts.h"

struct saml_state {
	const struct s2s_adapter *adapter;
	const struct s2s_site *site;
	const struct s2s_sts_client *sts;
	char *endpoint;
	long duration; /* asked for (0: the default) */
	/* verify mode */
	bool verify;
	struct s2s_buf pem;
	char *issuer;
	long skew;
	/* between grants() and mint() */
	struct s2s_buf saml_b64; /* secret */
	struct s2s_saml *saml;
};

/* A small local file (a PEM certificate or SAML metadata), "~/" being
 * $HOME; S2S_ECONFIG when it cannot be read. */
static s2s_err read_small_file(struct s2s_buf *out, const char *key,
                               const char *path, struct s2s_error *err)
{
	const char *home = s2s_config_env("HOME");
	struct s2s_buf full = S2S_BUF_INIT;
	s2s_err rc;

	if (strncmp(path, "~/", 2) == 0 && home)
		rc = s2s_buf_printf(&full, "%s/%s", home, path + 2);
	else
		rc = s2s_buf_puts(&full, path);
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = s2s_file_read(out, full.ptr, 1024 * 1024, S2S_ECONFIG, err);
	if (rc && rc != S2S_ENOMEM) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		rc = s2s_error_set(err, S2S_ECONFIG, "%s: %s", key, why);
	}
	s2s_buf_release(&full);
	return rc;
}

/* The pinned certificates of verify mode (idp_cert, else the signing
 * certificates of idp_metadata with its entityID as the issuer). */
static s2s_err load_trust(struct saml_state *st, const struct s2s_account *acct,
                          struct s2s_error *err)
{
	const char *cert = s2s_account_get(acct, "idp_cert");
	const char *md = s2s_account_get(acct, "idp_metadata");
	struct s2s_buf xml = S2S_BUF_INIT;
	s2s_err rc;

	st->verify = cert || md;
	if (!st->verify)
		return S2S_OK;
	rc = s2s_account_get_long(&st->skew, acct, "clock_skew", 0, 3600,
	                          S2S_SAML_DEFAULT_SKEW, err);
	if (rc)
		return rc;
	if (cert)
		return read_small_file(&st->pem, "idp_cert", cert, err);
	rc = read_small_file(&xml, "idp_metadata", md, err);
	if (!rc)
		rc = s2s_saml_metadata_certs(&st->pem, &st->issuer, xml.ptr,
		                             xml.len, err);
	s2s_buf_release(&xml);
	return rc;
}

/* Everything that can be checked before the IdP sees a password. */
static s2s_err saml_validate(struct s2s_source_ctx *ctx)
{
	struct saml_state *st = ctx->priv;
	const struct s2s_account *acct = ctx->acct;
	long dummy = 0;
	s2s_err rc;

	s2s_buf_init(&st->saml_b64, true);
	s2s_buf_init(&st->pem, false);
	st->site = s2s_site_find(s2s_account_get(acct, "site"));
	if (!st->site)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "site must be cn or intl");
	st->sts = s2s_sts_client_find(NULL);
	rc = s2s_source_adapter(&st->adapter, ctx);
	if (!rc) /* every adapter namespace of the account, not only ours */
		rc = s2s_adapter_check_keys(s2s_source_adapters(ctx), acct,
		                            ctx->err);
	if (!rc)
		rc = s2s_login_validate(st->adapter, acct, ctx->err);
	if (!rc)
		rc = st->sts->endpoint(
		        &st->endpoint,
		        s2s_account_get_str(acct, "region", "cn-hangzhou"),
		        ctx->opt->sts_endpoint
		                ? ctx->opt->sts_endpoint
		                : s2s_account_get(acct, "sts_endpoint"),
		        ctx->err);
	st->duration = ctx->opt->duration;
	if (!rc && !st->duration)
		rc = s2s_account_get_long(&st->duration, acct,
		                          "session_duration",
		                          S2S_STS_MIN_DURATION,
		                          S2S_STS_MAX_DURATION, 0, ctx->err);
	if (!rc)
		rc = s2s_account_get_long(&dummy, acct, "refresh_window", 0,
		                          43200, S2S_REFRESH_WINDOW, ctx->err);
	if (!rc)
		rc = load_trust(st, acct, ctx->err);
	return rc;
}

static bool remember(const struct s2s_account *acct)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	bool on = false;

	s2s_account_get_bool(&on, acct, "remember_session", false, &ignore);
	return on;
}

/* remember_session: the IdP cookies kept as an "idp-session" item under
 * "<account>/<username>" (section names have no '/'), the username being
 * --username or the configured one, so that another user never gets
 * them.  Older versions kept it under "<account>" alone: that item
 * belongs to the configured username only, and is also where a login
 * that knows no username keeps it. */
struct kept_session {
	const char *name;   /* the account section */
	const char *user;   /* the username, or NULL */
	bool legacy_user;   /* user is the configured one */
	struct s2s_buf key; /* the item's store name */
};

static s2s_err kept_session_init(struct kept_session *k,
                                 const struct s2s_source_ctx *ctx,
                                 struct s2s_error *err)
{
	const char *configured = s2s_account_get(ctx->acct, "username");

	k->name = s2s_account_name(ctx->acct);
	k->user = ctx->opt->username ? ctx->opt->username : configured;
	if (k->user && !*k->user)
		k->user = NULL;
	k->legacy_user =
	        k->user && configured && strcmp(k->user, configured) == 0;
	s2s_buf_init(&k->key, false);
	if (k->user ? s2s_buf_printf(&k->key, "%s/%s", k->name, k->user)
	            : s2s_buf_puts(&k->key, k->name))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

/* The adapter's --verbose lines, as the source's events. */
static void adapter_verbose(void *payload, const char *text)
{
	s2s_source_event(payload, S2S_EVENT_VERBOSE, "%s", text);
}

static void load_session(struct s2s_source_ctx *ctx, struct s2s_http *http)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	struct kept_session k;
	struct s2s_store *store = NULL;
	s2s_err rc;

	rc = kept_session_init(&k, ctx, &err);
	if (!rc)
		rc = s2s_session_store(&store, ctx->session, &err);
	if (!rc)
		rc = s2s_store_get_secret(&jar, store, k.key.ptr, "idp-session",
		                          &err);
	if (rc == S2S_ENOTFOUND && k.legacy_user) {
		s2s_error_clear(&err);
		rc = s2s_store_get_secret(&jar, store, k.name, "idp-session",
		                          &err);
	}
	if (!rc)
		rc = s2s_http_cookies_import(http, jar.ptr, jar.len, &err);
	if (rc)
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "no kept IdP session: %s", err.msg);
	else
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "reusing the kept IdP session of %s",
		                 k.user ? k.user : k.name);
	s2s_buf_release(&jar);
	s2s_buf_release(&k.key);
}

static void save_session(struct s2s_source_ctx *ctx, struct s2s_http *http)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	struct kept_session k;
	struct s2s_store *store = NULL;

	if (kept_session_init(&k, ctx, &err) ||
	    s2s_session_store(&store, ctx->session, &err) ||
	    s2s_http_cookies_export(http, &jar, &err) ||
	    s2s_store_put_secret(store, k.key.ptr, "idp-session", k.name, &jar,
	                         &err))
		s2s_source_event(ctx, S2S_EVENT_WARNING,
		                 "IdP session not kept: %s", err.msg);
	else if (k.legacy_user) /* the older, unkeyed copy is now stale */
		(void)s2s_store_delete(store, k.name, "idp-session", NULL);
	s2s_buf_release(&jar);
	s2s_buf_release(&k.key);
}

/* The adapter, under the global login lock (parallel refreshes cause one
 * IdP login), with the kept IdP session around it. */
static s2s_err authenticate(struct s2s_source_ctx *ctx, struct saml_state *st)
{
	struct s2s_login_params lp = { 0 };
	struct s2s_http *http = NULL;
	struct s2s_lock *lock = NULL;
	bool keep = remember(ctx->acct);
	s2s_err rc;

	rc = s2s_source_http(&http, ctx);
	if (!rc)
		rc = s2s_source_lock(&lock, ctx, "login");
	if (rc)
		goto out;
	if (keep)
		load_session(ctx, http);
	lp.adapter = st->adapter;
	lp.acct = ctx->acct;
	lp.http = http;
	lp.prompter = s2s_source_prompter(ctx);
	lp.site_acs_url = st->site->acs_url;
	lp.username = ctx->opt->username
	                      ? ctx->opt->username
	                      : s2s_account_get(ctx->acct, "username");
	lp.flags = ctx->opt->headless ? S2S_LOGIN_HEADLESS : 0;
	lp.kept = s2s_source_kept(ctx);
	lp.cancel = s2s_source_cancel(ctx);
	lp.verbose = adapter_verbose;
	lp.verbose_payload = ctx;
	s2s_source_event(ctx, S2S_EVENT_VERBOSE, "logging in with adapter %s",
	                 s2s_adapter_name(st->adapter));
	rc = s2s_login(&lp, &st->saml_b64, ctx->err);
	s2s_source_event(ctx, S2S_EVENT_WAIT_END, "login done");
	if (!rc && keep)
		save_session(ctx, http);
out:
	s2s_lock_release(lock);
	s2s_http_free(http);
	return rc;
}

/* Parse the SAMLResponse; in verify mode check its signature with the
 * pinned key and read only what it covers, then audience, recipient and
 * times with clock_skew. */
static s2s_err parse(struct s2s_source_ctx *ctx, struct saml_state *st)
{
	struct s2s_saml_trust trust = { 0 };
	struct s2s_error e = S2S_ERROR_INIT;
	s2s_err rc;

	if (!st->verify)
		return s2s_saml_parse(&st->saml, st->saml_b64.ptr,
		                      st->saml_b64.len, ctx->err);
	trust.certs_pem = st->pem.ptr;
	trust.audience = st->site->audience;
	trust.recipient = st->site->acs_url;
	trust.issuer = st->issuer;
	trust.clock_skew = st->skew;
	rc = s2s_saml_verify(&st->saml, st->saml_b64.ptr, st->saml_b64.len,
	                     &trust, &e);
	if (rc == S2S_ESIG || rc == S2S_EEXPIRED || rc == S2S_ESAML)
		return s2s_error_set(ctx->err, rc, "verify mode: %s", e.msg);
	if (rc)
		return s2s_error_set(ctx->err, rc, "%s", e.msg);
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "the assertion signature verified with the pinned "
	                 "IdP certificate");
	return S2S_OK;
}

static s2s_err saml_grants(struct s2s_source_ctx *ctx, struct s2s_grants *g)
{
	struct saml_state *st = ctx->priv;
	const struct s2s_saml *saml;
	s2s_err rc;

	s2s_buf_release(&st->saml_b64);
	s2s_saml_free(st->saml);
	st->saml = NULL;
	rc = authenticate(ctx, st);
	if (!rc)
		rc = parse(ctx, st);
	if (rc)
		return rc;
	saml = st->saml;
	if (saml->encrypted)
		return s2s_error_set(ctx->err, S2S_ENOROLE,
		                     "the assertion is encrypted: its roles "
		                     "cannot be read");
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "assertion from %s grants %zu role(s)",
	                 saml->issuer ? saml->issuer : "?", saml->nroles);
	if (saml->nroles == 0)
		return s2s_error_set(ctx->err, S2S_ENOROLE,
		                     "the assertion grants no Alibaba Cloud "
		                     "role (no %s attribute)",
		                     "SAML-Role/Attributes/Role");
	g->roles = calloc(saml->nroles, sizeof(*g->roles));
	if (!g->roles)
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	for (size_t i = 0; i < saml->nroles; i++) {
		rc = s2s_role_copy(&g->roles[i], &saml->roles[i], ctx->err);
		if (rc)
			return rc;
		g->nroles++;
	}
	g->session_duration = saml->session_duration;
	if (saml->session_name) {
		g->session_name = strdup(saml->session_name);
		if (!g->session_name)
			return s2s_error_set(ctx->err, S2S_ENOMEM,
			                     "out of memory");
	}
	return S2S_OK;
}

/* The role's MaxSessionDuration from STS's refusal of a longer
 * DurationSeconds ("The Min/Max value of DurationSeconds is 15min/1hr"),
 * else 3600 s, the least a role allows. */
static long role_max(const struct s2s_error *err)
{
	const char *p = strstr(err->msg, "min/");
	char *end = NULL;
	long v;

	if (!p)
		return S2S_STS_DEFAULT_DURATION;
	v = strtol(p + 4, &end, 10);
	if (end && (strncmp(end, "hr", 2) == 0 || strncmp(end, "h", 1) == 0))
		v *= 3600;
	else if (end && strncmp(end, "min", 3) == 0)
		v *= 60;
	else if (!end || *end != 's')
		v = 0;
	return v >= S2S_STS_MIN_DURATION && v <= S2S_STS_MAX_DURATION
	               ? v
	               : S2S_STS_DEFAULT_DURATION;
}

/* Roles whose MaxSessionDuration is below the duration asked for are
 * asked again for their maximum, with a notice: a capped session beats a
 * failed login.  res[i] is replaced for those. */
static void cap_to_role_max(struct s2s_source_ctx *ctx,
                            struct s2s_sts_request *reqs,
                            struct s2s_sts_result *res, size_t n,
                            struct s2s_http *http)
{
	struct saml_state *st = ctx->priv;
	const char *what =
	        ctx->opt->duration ? "--duration" : "session_duration";
	struct s2s_sts_request *again = calloc(n, sizeof(*again));
	struct s2s_sts_result *got = calloc(n, sizeof(*got));
	size_t *idx = calloc(n, sizeof(*idx)), k = 0;
	long cap = 0;
	bool same = true;

	for (size_t i = 0; again && got && idx && i < n; i++) {
		long max = role_max(&res[i].err);

		if (res[i].rc != S2S_ESTS || max >= reqs[i].duration ||
		    !strstr(res[i].err.msg, "InvalidParameter.DurationSeconds"))
			continue;
		same = same && (!cap || cap == max);
		cap = max;
		again[k] = reqs[i];
		again[k].duration = max;
		idx[k++] = i;
	}
	if (k && st->sts->assume_saml(got, http, again, k) == S2S_OK) {
		for (size_t j = 0; j < k; j++) {
			s2s_creds_free(res[idx[j]].creds);
			res[idx[j]] = got[j];
			got[j].creds = NULL;
		}
		if (k == 1)
			s2s_source_event(ctx, S2S_EVENT_NOTICE,
			                 "%s %ld s capped to %ld s by the "
			                 "MaxSessionDuration of role %s",
			                 what, reqs[idx[0]].duration, cap,
			                 reqs[idx[0]].role_arn);
		else
			s2s_source_event(ctx, S2S_EVENT_NOTICE,
			                 "%s %ld s capped by the "
			                 "MaxSessionDuration of %zu roles (to "
			                 "%ld s%s)",
			                 what, reqs[idx[0]].duration, k, cap,
			                 same ? "" : " and other values");
	}
	for (size_t j = 0; got && j < k; j++)
		s2s_creds_free(got[j].creds);
	free(got);
	free(again);
	free(idx);
}

static s2s_err saml_mint(struct s2s_source_ctx *ctx,
                         const struct s2s_role *const *roles, size_t n,
                         struct s2s_mint *out)
{
	struct saml_state *st = ctx->priv;
	struct s2s_sts_request *reqs = calloc(n, sizeof(*reqs));
	struct s2s_sts_result *res = calloc(n, sizeof(*res));
	struct s2s_http *http = NULL;
	long duration;
	s2s_err rc;

	if (!reqs || !res) {
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	duration = st->sts->duration(st->duration, st->saml->session_duration);
	if (st->duration && duration < st->duration)
		s2s_source_event(ctx, S2S_EVENT_NOTICE,
		                 "%s %ld s capped to %ld s by the assertion's "
		                 "SessionDuration",
		                 ctx->opt->duration ? "--duration"
		                                    : "session_duration",
		                 st->duration, duration);
	for (size_t i = 0; i < n; i++) {
		reqs[i].endpoint = st->endpoint;
		reqs[i].role_arn = roles[i]->role_arn;
		reqs[i].provider_arn = roles[i]->provider_arn;
		reqs[i].saml_b64 = st->saml_b64.ptr;
		reqs[i].saml_len = st->saml_b64.len;
		reqs[i].duration = duration;
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "AssumeRoleWithSAML %s at %s for %ld s",
		                 roles[i]->role_arn, st->endpoint, duration);
	}
	rc = s2s_source_http(&http, ctx);
	if (!rc)
		rc = st->sts->assume_saml(res, http, reqs, n);
	if (rc) {
		s2s_error_set(ctx->err, rc, "STS calls could not start");
		goto out;
	}
	cap_to_role_max(ctx, reqs, res, n, http);
	for (size_t i = 0; i < n; i++) {
		out[i].creds = res[i].creds;
		out[i].rc = res[i].rc;
		out[i].err = res[i].err;
		res[i].creds = NULL;
	}
out:
	for (size_t i = 0; res && i < n; i++)
		s2s_creds_free(res[i].creds);
	free(res);
	free(reqs);
	s2s_http_free(http);
	return rc;
}

static void saml_release(struct s2s_source_ctx *ctx)
{
	struct saml_state *st = ctx->priv;

	s2s_buf_release(&st->saml_b64);
	s2s_buf_release(&st->pem);
	s2s_saml_free(st->saml);
	free(st->issuer);
	free(st->endpoint);
}

const struct s2s_source s2s_source_saml = {
	.name = "saml",
	.providers = NULL, /* every IdP adapter */
	.priv_size = sizeof(struct saml_state),
	.validate = saml_validate,
	.grants = saml_grants,
	.mint = saml_mint,
	.release = saml_release,
};
