/* SPDX-License-Identifier: MIT */
/*
 * The `cloudsso` source: CloudSSO at the portal of the directory's
 * sign-in URL.  This file is the source's table entry, the checks of the
 * account, the calls to the portal, the grants -- every (account, access
 * configuration) pair, listed through the paged APIs -- and credentials
 * from /cloud-credentials, one pair after the other on one kept-alive
 * connection; a refresh re-mints the stored pair with the kept token.
 * The device login and the kept access token are cloudsso_device.c.  It
 * opens no browser and prints nothing: the front end is shown the device
 * code and does both.
 */
#include <time.h>

#include "common.h"
#include "cloudsso_int.h"
#include "json.h"
#include "saml2sts/isotime.h"
#include "saml2sts/poll.h"

/* The public client id of the official CLIs (aliyun-cli, acs-sso). */
#define CLIENT_ID "app-vaz16tltdxs96audqf35"

#define MAX_PAGES  1000
#define MAX_GRANTS 10000

void s2s_cloudsso__reply_release(struct sso_reply *rp)
{
	s2s_json_put_wiped(rp->obj);
	memset(rp, 0, sizeof(*rp));
}

s2s_err s2s_cloudsso__nomem(struct s2s_source_ctx *ctx)
{
	return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* The sign-in URL */

/* The authority of url (after "scheme://") and the path after it;
 * false when url has no "://". */
static bool split_url(const char *url, const char **auth, const char **path)
{
	const char *p = strstr(url, "://");

	if (!p)
		return false;
	*auth = p + 3;
	*path = *auth + strcspn(*auth, "/?#");
	return true;
}

/* The host of an authority ("[::1]:8443" -> "[::1]"). */
static char *host_of(const char *auth)
{
	const char *end = auth + strcspn(auth, "/?#");
	const char *colon = *auth == '[' ? strchr(auth, ']') : auth;

	colon = colon ? colon + strcspn(colon, ":/?#") : end;
	return strndup(auth, (size_t)((colon < end ? colon : end) - auth));
}

/* The directory's region from signin-<region>.alibabacloudsso.com. */
static s2s_err region_of(struct sso_state *st)
{
	static const char pre[] = "signin-", suf[] = ".alibabacloudsso.com";
	size_t n = strlen(st->host), p = sizeof(pre) - 1, s = sizeof(suf) - 1;

	if (n <= p + s || strncasecmp(st->host, pre, p) != 0 ||
	    strcasecmp(st->host + n - s, suf) != 0)
		return S2S_OK; /* another host (an acceleration URL, a test) */
	st->region = strndup(st->host + p, n - p - s);
	return st->region ? S2S_OK : S2S_ENOMEM;
}

/* The sign-in URL https://signin-<region>.alibabacloudsso.com/<dir>/login:
 * every API call goes to its scheme and authority (or to
 * cloudsso.portal_endpoint), the region is in its host name. */
static s2s_err parse_url(struct s2s_source_ctx *ctx, struct sso_state *st)
{
	const char *over =
	        s2s_account_get(ctx->acct, "cloudsso.portal_endpoint");
	const char *u = st->url, *auth, *path;

	if (!s2s_url_allowed(u) || !split_url(u, &auth, &path))
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "url must be the CloudSSO sign-in URL "
		                     "(https://signin-REGION.alibabacloudsso"
		                     ".com/DIRECTORY/login)");
	if (*path != '/' || path[1] == '\0' || path[1] == '/' ||
	    path[1] == '?' || path[1] == '#')
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "url %s names no CloudSSO directory "
		                     "(expected .../DIRECTORY/login)",
		                     u);
	st->host = host_of(auth);
	if (!st->host || region_of(st))
		return s2s_cloudsso__nomem(ctx);
	if (over) {
		if (!s2s_url_allowed(over) || !split_url(over, &auth, &path) ||
		    strspn(path, "/") != strlen(path))
			return s2s_error_set(
			        ctx->err, S2S_ECONFIG,
			        "cloudsso.portal_endpoint must be "
			        "an https URL without a path (http "
			        "only to a loopback address)");
		u = over;
		free(st->host);
		st->host = host_of(auth);
	}
	st->portal = strndup(u, (size_t)(path - u));
	return st->host && st->portal ? S2S_OK : s2s_cloudsso__nomem(ctx);
}

static s2s_err check_key(const char *key, unsigned int line, void *payload)
{
	struct s2s_source_ctx *ctx = payload;

	if (!strchr(key, '.') || strncmp(key, "cloudsso.", 9) == 0)
		return S2S_OK;
	if (line)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "%s:%u: unknown key %s for provider "
		                     "cloudsso",
		                     s2s_account_file(ctx->acct), line, key);
	return s2s_error_set(ctx->err, S2S_ECONFIG,
	                     "%s: [%s] unknown key %s for provider cloudsso",
	                     s2s_account_file(ctx->acct),
	                     s2s_account_name(ctx->acct), key);
}

static s2s_err sso_validate(struct s2s_source_ctx *ctx)
{
	static const char *const keys[] = { "portal_endpoint", NULL };
	struct sso_state *st = ctx->priv;
	long dummy = 0;
	s2s_err rc;

	s2s_buf_init(&st->token, true);
	st->url = s2s_account_get(ctx->acct, "url");
	if (!st->url)
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "account '%s' has no url: run saml2sts "
		                     "configure --url SIGN-IN-URL",
		                     s2s_account_name(ctx->acct));
	rc = s2s_account_foreach(ctx->acct, check_key, ctx);
	if (!rc)
		rc = s2s_account_check_ns(ctx->acct, "cloudsso", keys,
		                          ctx->err);
	if (!rc)
		rc = s2s_account_get_long(&dummy, ctx->acct, "refresh_window",
		                          0, 43200, S2S_REFRESH_WINDOW,
		                          ctx->err);
	if (!rc)
		rc = parse_url(ctx, st);
	if (rc)
		return rc;
	/* the environment variables the official clients honour */
	st->client_id = s2s_config_env("ALIBABACLOUD_SSO_CLIENT_ID");
	if (!st->client_id)
		st->client_id = s2s_config_env("ALIBABA_CLOUD_SSO_CLIENT_ID");
	if (!st->client_id)
		st->client_id = CLIENT_ID;
	if (ctx->opt->duration)
		s2s_source_event(ctx, S2S_EVENT_WARNING,
		                 "--duration does not apply to CloudSSO: the "
		                 "access configuration sets the session "
		                 "duration");
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* Calls to the portal */

/* Sleep ms, or less when cancelled (S2S_ECANCELLED). */
s2s_err s2s_cloudsso__nap(struct s2s_source_ctx *ctx, long ms)
{
	struct s2s_poll p;

	s2s_poll_init(&p, ms, ms, 1.0, 0);
	p.cancel = s2s_source_cancel(ctx);
	return s2s_poll_wait(&p, "CloudSSO sign-in", ctx->err);
}

static s2s_err build_url(struct s2s_buf *url, const struct sso_state *st,
                         const char *path, const struct s2s_buf *query)
{
	s2s_err rc = s2s_buf_printf(url, "%s%s", st->portal, path);

	if (!rc && query && query->len)
		rc = s2s_buf_printf(url, "?%s", query->ptr);
	return rc;
}

static s2s_err build_bearer(struct s2s_buf *h, const struct sso_state *st)
{
	s2s_err rc = s2s_buf_puts(h, "Authorization: Bearer ");

	return rc ? rc : s2s_buf_add(h, st->token.ptr, st->token.len);
}

/* One try: S2S_OK with rp filled for any HTTP answer. */
static s2s_err call_once(struct sso_state *st,
                         const struct s2s_http_request *req,
                         struct sso_reply *rp, struct s2s_error *err)
{
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	s2s_err rc;

	s2s_cloudsso__reply_release(rp);
	rc = s2s_http_do(st->http, req, &resp, err);
	if (!rc) {
		rp->status = resp.status;
		rp->obj = s2s_json_parse(resp.body.ptr, resp.body.len);
		rp->code = s2s__json_get_str(rp->obj, "ErrorCode");
		rp->message = s2s__json_get_str(rp->obj, "ErrorMessage");
	}
	s2s_http_response_release(&resp);
	return rc;
}

/* A call to the portal (GET with query, or POST with a JSON body, with
 * the access token when bearer).  Transport failures and 5xx answers
 * are tried again up to http_retries times with a growing, cancellable
 * pause, unless once.  S2S_OK for any answer below 500; S2S_ENET (or
 * S2S_ETLS, S2S_ECANCELLED) otherwise. */
s2s_err s2s_cloudsso__call(struct s2s_source_ctx *ctx, struct sso_state *st,
                           const char *path, const struct s2s_buf *query,
                           const struct s2s_buf *body, bool bearer, bool once,
                           struct sso_reply *rp)
{
	struct s2s_buf url = S2S_BUF_INIT, auth = S2S_BUF_SECRET_INIT;
	const char *headers[3] = { "Accept: application/json", NULL, NULL };
	struct s2s_http_request req = { 0 };
	struct s2s_error e = S2S_ERROR_INIT;
	int tries = 1, i;
	s2s_err rc = S2S_OK;

	if (!st->http)
		rc = s2s_source_http(&st->http, ctx);
	if (rc)
		return rc;
	if (build_url(&url, st, path, query) ||
	    (bearer && build_bearer(&auth, st))) {
		rc = s2s_cloudsso__nomem(ctx);
		goto out;
	}
	headers[1] = bearer ? auth.ptr : NULL;
	req.method = body ? "POST" : "GET";
	req.url = url.ptr;
	req.body = body ? body->ptr : NULL;
	req.body_len = body ? body->len : 0;
	req.content_type = "application/json";
	req.headers = headers;
	if (!once)
		tries += s2s_http_options(st->http)->retries;
	for (i = 1;; i++) {
		s2s_error_clear(&e);
		rc = call_once(st, &req, rp, &e);
		if (!rc && rp->status >= 500)
			rc = s2s_error_set(&e, S2S_ENET,
			                   "CloudSSO portal %s answered HTTP "
			                   "%ld%s%s",
			                   st->host, rp->status,
			                   rp->code ? " " : "",
			                   rp->code ? rp->code : "");
		if (rc != S2S_ENET || i >= tries)
			break;
		s2s_source_event(ctx, S2S_EVENT_VERBOSE, "%s; trying again",
		                 e.msg);
		rc = s2s_cloudsso__nap(ctx, 250L << (i < 6 ? i - 1 : 5));
		if (rc)
			goto out;
	}
	if (rc == S2S_ENET && tries > 1)
		rc = s2s_error_set(ctx->err, rc, "%s (%d tries)", e.msg, tries);
	else if (rc)
		rc = s2s_error_set(ctx->err, rc, "%s", e.msg);
out:
	s2s_buf_release(&auth);
	s2s_buf_release(&url);
	return rc;
}

/* The error of a 4xx answer to what (exit 6 with the portal's code). */
s2s_err s2s_cloudsso__refused(struct s2s_source_ctx *ctx,
                              const struct sso_state *st, const char *what,
                              const struct sso_reply *rp)
{
	return s2s_error_set(
	        ctx->err, S2S_ESTS,
	        "CloudSSO portal %s refused %s: HTTP %ld %s%s%s", st->host,
	        what, rp->status, rp->code ? rp->code : "(no ErrorCode)",
	        rp->message ? ": " : "", rp->message ? rp->message : "");
}

s2s_err s2s_cloudsso__not_understood(struct s2s_source_ctx *ctx,
                                     const struct sso_state *st,
                                     const char *what, const char *field)
{
	return s2s_error_set(ctx->err, S2S_EIDP,
	                     "CloudSSO portal %s: the answer to %s is not "
	                     "understood (no %s)",
	                     st->host, what, field);
}

/* The sign-in is no longer accepted (HTTP 401): only a login helps. */
static s2s_err token_refused(struct s2s_source_ctx *ctx,
                             const struct sso_reply *rp)
{
	const char *name = s2s_account_name(ctx->acct);

	return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
	                     "the CloudSSO portal no longer accepts the "
	                     "sign-in of account '%s' (%s): run saml2sts "
	                     "login -a %s",
	                     name, rp->code ? rp->code : "HTTP 401", name);
}

/* ------------------------------------------------------------------ */
/* Accounts and access configurations */

/* One page of a listing; *next is the NextToken to follow (caller
 * frees), NULL on the last page. */
static s2s_err list_page(struct s2s_source_ctx *ctx, struct sso_state *st,
                         const char *path, const char *account,
                         const char *token, const char *what,
                         struct sso_reply *rp, char **next)
{
	struct s2s_buf q = S2S_BUF_INIT;
	struct json_object *t;
	const char *nt;
	s2s_err rc = S2S_OK;

	*next = NULL;
	if (account)
		rc = s2s_form_append(&q, "AccountId", account, ctx->err);
	if (!rc)
		rc = s2s_form_append(&q, "MaxResults", "100", ctx->err);
	if (!rc && token)
		rc = s2s_form_append(&q, "NextToken", token, ctx->err);
	if (!rc)
		rc = s2s_cloudsso__call(ctx, st, path, &q, NULL, true, false,
		                        rp);
	s2s_buf_release(&q);
	if (rc)
		return rc;
	if (rp->status == 401)
		return token_refused(ctx, rp);
	if (rp->status / 100 != 2)
		return s2s_cloudsso__refused(ctx, st, what, rp);
	t = s2s__json_get(rp->obj, "IsTruncated");
	if (!t || !json_object_get_boolean(t))
		return S2S_OK;
	nt = s2s__json_get_str(rp->obj, "NextToken");
	if (!nt || !*nt || (token && strcmp(nt, token) == 0))
		return s2s_cloudsso__not_understood(ctx, st, what,
		                                    "new NextToken");
	*next = strdup(nt);
	return *next ? S2S_OK : s2s_cloudsso__nomem(ctx);
}

struct account {
	char *id, *name;
};

static void accounts_free(struct account *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].id);
		free(a[i].name);
	}
	free(a);
}

static s2s_err add_accounts(struct s2s_source_ctx *ctx,
                            const struct sso_state *st,
                            struct json_object *list, struct account **a,
                            size_t *n)
{
	size_t k = list && json_object_is_type(list, json_type_array)
	                   ? json_object_array_length(list)
	                   : 0;
	struct account *grown;

	if (!k)
		return S2S_OK;
	if (*n + k > MAX_GRANTS)
		return s2s_cloudsso__not_understood(ctx, st, "the account list",
		                                    "end (too many accounts)");
	grown = realloc(*a, (*n + k) * sizeof(**a));
	if (!grown)
		return s2s_cloudsso__nomem(ctx);
	*a = grown;
	for (size_t i = 0; i < k; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		const char *id = s2s__json_get_str(o, "AccountId");
		const char *name = s2s__json_get_str(o, "DisplayName");

		if (!id || !*id)
			return s2s_cloudsso__not_understood(
			        ctx, st, "the account list", "AccountId");
		(*a)[*n].id = strdup(id);
		(*a)[*n].name = name && *name ? strdup(name) : NULL;
		(*n)++;
		if (!(*a)[*n - 1].id || (name && *name && !(*a)[*n - 1].name))
			return s2s_cloudsso__nomem(ctx);
	}
	return S2S_OK;
}

/* Every page of a NextToken listing of path (for account, or NULL),
 * each answer handed to page() with payload; at most MAX_PAGES. */
typedef s2s_err (*page_fn)(struct s2s_source_ctx *ctx, struct sso_state *st,
                           struct json_object *answer, void *payload);

static s2s_err list_pages(struct s2s_source_ctx *ctx, struct sso_state *st,
                          const char *path, const char *account,
                          const char *what, page_fn page, void *payload)
{
	struct sso_reply rp = { 0 };
	char *next = NULL, *tok = NULL;
	s2s_err rc = S2S_OK;

	for (int n = 0; !rc && (n == 0 || tok); n++) {
		if (n == MAX_PAGES) {
			rc = s2s_cloudsso__not_understood(ctx, st, what,
			                                  "last page");
			break;
		}
		rc = list_page(ctx, st, path, account, tok, what, &rp, &next);
		if (!rc)
			rc = page(ctx, st, rp.obj, payload);
		free(tok);
		tok = next;
		next = NULL;
	}
	free(tok);
	s2s_cloudsso__reply_release(&rp);
	return rc;
}

struct accounts {
	struct account **out;
	size_t *n;
};

static s2s_err accounts_page(struct s2s_source_ctx *ctx, struct sso_state *st,
                             struct json_object *answer, void *payload)
{
	struct accounts *acc = payload;

	return add_accounts(ctx, st, s2s__json_get(answer, "Accounts"),
	                    acc->out, acc->n);
}

/* Every account the user is assigned to. */
static s2s_err list_accounts(struct s2s_source_ctx *ctx, struct sso_state *st,
                             struct account **out, size_t *n)
{
	struct accounts acc = { out, n };

	*out = NULL;
	*n = 0;
	return list_pages(ctx, st, "/access-assignments/accounts", NULL,
	                  "the account list", accounts_page, &acc);
}

/* The grant of (account a, access configuration o). */
static s2s_err add_grant(struct s2s_source_ctx *ctx, const struct sso_state *st,
                         const struct account *a, struct json_object *o,
                         struct s2s_grants *g)
{
	const char *id = s2s__json_get_str(o, "AccessConfigurationId");
	const char *name = s2s__json_get_str(o, "AccessConfigurationName");
	struct s2s_role *r;
	struct s2s_buf arn = S2S_BUF_INIT;
	bool ok = true;

	if (!id || !*id)
		return s2s_cloudsso__not_understood(
		        ctx, st, "the access configuration list",
		        "AccessConfigurationId");
	r = &g->roles[g->nroles];
	memset(r, 0, sizeof(*r));
	g->nroles++;
	if (s2s_buf_printf(&arn, "acs:cloudsso::%s:access-configuration/%s",
	                   a->id, id))
		return s2s_cloudsso__nomem(ctx);
	r->role_arn = s2s_buf_detach(&arn, NULL);
	r->account_id = s2s__strdup_or_null(a->id, &ok);
	r->role_name = s2s__strdup_or_null(name && *name ? name : id, &ok);
	r->access_config_id = s2s__strdup_or_null(id, &ok);
	/* {account}: the configured alias, else the display name */
	errno = 0;
	r->account_name = s2s_account_alias(ctx->acct, a->id);
	if (!r->account_name && errno == ENOMEM)
		ok = false;
	if (!r->account_name)
		r->account_name = s2s__strdup_or_null(a->name, &ok);
	return ok && r->role_arn ? S2S_OK : s2s_cloudsso__nomem(ctx);
}

static s2s_err add_grants(struct s2s_source_ctx *ctx,
                          const struct sso_state *st, const struct account *a,
                          struct json_object *list, struct s2s_grants *g)
{
	size_t k = list && json_object_is_type(list, json_type_array)
	                   ? json_object_array_length(list)
	                   : 0;
	struct s2s_role *grown;
	s2s_err rc = S2S_OK;

	if (!k)
		return S2S_OK;
	if (g->nroles + k > MAX_GRANTS)
		return s2s_cloudsso__not_understood(
		        ctx, st, "the access configuration list",
		        "end (too many grants)");
	grown = realloc(g->roles, (g->nroles + k) * sizeof(*g->roles));
	if (!grown)
		return s2s_cloudsso__nomem(ctx);
	g->roles = grown;
	for (size_t i = 0; i < k && !rc; i++)
		rc = add_grant(ctx, st, a, json_object_array_get_idx(list, i),
		               g);
	return rc;
}

struct configs {
	const struct account *a;
	struct s2s_grants *g;
};

static s2s_err configs_page(struct s2s_source_ctx *ctx, struct sso_state *st,
                            struct json_object *answer, void *payload)
{
	struct configs *c = payload;

	return add_grants(
	        ctx, st, c->a,
	        s2s__json_get(answer, "AccessConfigurationsForAccount"), c->g);
}

/* The access configurations of account a. */
static s2s_err list_configs(struct s2s_source_ctx *ctx, struct sso_state *st,
                            const struct account *a, struct s2s_grants *g)
{
	struct configs c = { a, g };

	return list_pages(ctx, st, "/access-assignments/access-configurations",
	                  a->id, "the access configuration list", configs_page,
	                  &c);
}

static s2s_err list_all(struct s2s_source_ctx *ctx, struct sso_state *st,
                        struct s2s_grants *g)
{
	struct account *a = NULL;
	size_t n = 0;
	s2s_err rc;

	rc = list_accounts(ctx, st, &a, &n);
	for (size_t i = 0; !rc && i < n; i++)
		rc = list_configs(ctx, st, &a[i], g);
	if (!rc)
		s2s_source_event(ctx, S2S_EVENT_VERBOSE,
		                 "CloudSSO grants %zu access configuration(s) "
		                 "in %zu account(s)",
		                 g->nroles, n);
	if (!rc && g->nroles == 0)
		rc = s2s_error_set(ctx->err, S2S_ENOROLE,
		                   "CloudSSO assigns no access configuration "
		                   "in any account to this user");
	accounts_free(a, n);
	return rc;
}

static void grants_clear(struct s2s_grants *g)
{
	for (size_t i = 0; i < g->nroles; i++)
		s2s_role_release(&g->roles[i]);
	g->nroles = 0;
}

static s2s_err sso_grants(struct s2s_source_ctx *ctx, struct s2s_grants *g)
{
	struct sso_state *st = ctx->priv;
	s2s_err rc;

	rc = s2s_cloudsso__sign_in(ctx, st);
	if (rc)
		return rc;
	rc = list_all(ctx, st, g);
	if (rc != S2S_ENEEDINPUT || !st->kept ||
	    (ctx->flags & S2S_SOURCE_SILENT))
		return rc;
	/* the kept sign-in was refused: sign in again, once */
	s2s_source_event(ctx, S2S_EVENT_NOTICE, "%s", ctx->err->msg);
	s2s_error_clear(ctx->err);
	grants_clear(g);
	s2s_cloudsso__token_forget(ctx, st);
	rc = s2s_cloudsso__sign_in(ctx, st);
	return rc ? rc : list_all(ctx, st, g);
}

/* ------------------------------------------------------------------ */
/* Credentials */

static s2s_err read_credential(struct s2s_creds *c, struct s2s_source_ctx *ctx,
                               const struct sso_state *st, struct sso_reply *rp)
{
	static const char what[] = "CreateCloudCredential";
	struct json_object *cc = s2s__json_get(rp->obj, "CloudCredential");
	const char *id = s2s__json_get_str(cc, "AccessKeyId");
	const char *secret = s2s__json_get_str(cc, "AccessKeySecret");
	const char *token = s2s__json_get_str(cc, "SecurityToken");
	const char *exp = s2s__json_get_str(cc, "Expiration");

	if (!id || !*id)
		return s2s_cloudsso__not_understood(ctx, st, what,
		                                    "AccessKeyId");
	if (!secret || !*secret || !token || !*token)
		return s2s_cloudsso__not_understood(
		        ctx, st, what, "AccessKeySecret or SecurityToken");
	if (!exp || !s2s_time_parse(&c->expiration, exp))
		return s2s_cloudsso__not_understood(ctx, st, what,
		                                    "Expiration");
	if (c->expiration <= time(NULL))
		return s2s_error_set(ctx->err, S2S_ESTS,
		                     "CloudSSO portal %s: the credentials "
		                     "expire at %s, already past (check the "
		                     "clock)",
		                     st->host, exp);
	c->access_key_id = strdup(id);
	c->access_key_secret = s2s_secret_strdup(secret);
	c->security_token = s2s_secret_strdup(token);
	return c->access_key_id && c->access_key_secret && c->security_token
	               ? S2S_OK
	               : s2s_cloudsso__nomem(ctx);
}

/* POST /cloud-credentials for one (account, access configuration). */
static s2s_err mint_one(struct s2s_source_ctx *ctx, struct sso_state *st,
                        const struct s2s_role *role, struct s2s_creds **out)
{
	const char *region = s2s_account_get(ctx->acct, "region");
	struct s2s_buf body = S2S_BUF_INIT;
	struct s2s_creds *c = NULL;
	struct sso_reply rp = { 0 };
	bool ok = true;
	s2s_err rc;

	*out = NULL;
	if (!role->account_id || !role->access_config_id)
		return s2s_error_set(ctx->err, S2S_ENOROLE,
		                     "%s is not a CloudSSO access "
		                     "configuration",
		                     role->role_arn);
	if (s2s_buf_add(&body, "{", 1) ||
	    s2s_json_member(&body, true, "AccountId", role->account_id) ||
	    s2s_json_member(&body, false, "AccessConfigurationId",
	                    role->access_config_id) ||
	    s2s_buf_add(&body, "}", 1))
		return s2s_cloudsso__nomem(ctx);
	s2s_source_event(ctx, S2S_EVENT_VERBOSE,
	                 "CreateCloudCredential for account %s, access "
	                 "configuration %s",
	                 role->account_id, role->access_config_id);
	rc = s2s_cloudsso__call(ctx, st, "/cloud-credentials", NULL, &body,
	                        true, false, &rp);
	s2s_buf_release(&body);
	if (!rc && rp.status == 401)
		rc = token_refused(ctx, &rp);
	else if (!rc && rp.status / 100 != 2)
		rc = s2s_cloudsso__refused(ctx, st, "CreateCloudCredential",
		                           &rp);
	if (!rc) {
		c = s2s_creds_new();
		rc = c ? read_credential(c, ctx, st, &rp)
		       : s2s_cloudsso__nomem(ctx);
	}
	if (!rc) {
		c->account_id = s2s__strdup_or_null(role->account_id, &ok);
		c->access_config_id =
		        s2s__strdup_or_null(role->access_config_id, &ok);
		c->role_arn = s2s__strdup_or_null(role->role_arn, &ok);
		c->region =
		        s2s__strdup_or_null(region ? region : st->region, &ok);
		c->issued = time(NULL);
		rc = ok ? S2S_OK : s2s_cloudsso__nomem(ctx);
	}
	if (!rc) {
		*out = c;
		c = NULL;
	}
	s2s_creds_free(c);
	s2s_cloudsso__reply_release(&rp);
	return rc;
}

/* One pair after the other on the same connection: the calls are quick,
 * the portal is one host, and a refused token stops the rest. */
static s2s_err sso_mint(struct s2s_source_ctx *ctx,
                        const struct s2s_role *const *roles, size_t n,
                        struct s2s_mint *out)
{
	struct sso_state *st = ctx->priv;
	struct s2s_error *outer = ctx->err;

	if (!st->token.len)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "no CloudSSO sign-in: run saml2sts login "
		                     "-a %s",
		                     s2s_account_name(ctx->acct));
	for (size_t i = 0; i < n; i++) {
		s2s_error_clear(&out[i].err);
		ctx->err = &out[i].err;
		out[i].rc = mint_one(ctx, st, roles[i], &out[i].creds);
		ctx->err = outer;
		if (out[i].rc == S2S_ECANCELLED)
			break;
	}
	return S2S_OK;
}

/* A refresh: the kept token, the same (account, access configuration)
 * as old, one CreateCloudCredential; never a browser. */
static s2s_err sso_refresh(struct s2s_source_ctx *ctx,
                           const struct s2s_creds *old, struct s2s_mint *out)
{
	struct sso_state *st = ctx->priv;
	struct s2s_role role = { 0 };
	const struct s2s_role *one = &role;
	s2s_err rc;

	if (!old->account_id || !old->access_config_id)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "the stored credentials name no CloudSSO "
		                     "access configuration: run saml2sts "
		                     "login -a %s",
		                     s2s_account_name(ctx->acct));
	rc = s2s_cloudsso__sign_in(ctx, st);
	if (rc)
		return rc;
	role.role_arn = old->role_arn;
	role.account_id = old->account_id;
	role.access_config_id = old->access_config_id;
	return sso_mint(ctx, &one, 1, out);
}

static void sso_release(struct s2s_source_ctx *ctx)
{
	struct sso_state *st = ctx->priv;

	s2s_http_free(st->http);
	s2s_buf_release(&st->token);
	free(st->portal);
	free(st->host);
	free(st->region);
}

static const char *const sso_providers[] = { "cloudsso", NULL };

const struct s2s_source s2s_source_cloudsso = {
	.name = "cloudsso",
	.providers = sso_providers,
	.priv_size = sizeof(struct sso_state),
	.validate = sso_validate,
	.grants = sso_grants,
	.mint = sso_mint,
	.refresh = sso_refresh,
	.release = sso_release,
};
