/* SPDX-License-Identifier: MIT */
/*
 * The engine.  s2s_session_fresh() hands out credentials for a profile
 * (store, the one freshness rule, the per-profile lock, re-read, refresh
 * through the profile's source); the store, the account, running a
 * source, and the hand-offs (aliyun profile, console) are here too.
 * Logging in and listing roles is session_login.c.  The engine never
 * prints, prompts on its own or exits: the front end's callbacks do that.
 * It knows no IdP and no vendor: sources and adapters are tables.
 */
#include <limits.h>
#include <unistd.h>

#include "common.h"
#include "saml2sts/aliyun.h"
#include "saml2sts/choice.h"
#include "saml2sts/console.h"
#include "saml2sts/lock.h"
#include "saml2sts/secret.h"
#include "saml2sts/site.h"
#include "alias_int.h"
#include "saml2sts/alias.h"
#include "session_int.h"

/* ------------------------------------------------------------------ */
/* Session, events, kept secrets */

void s2s_session__event(struct s2s_session *s, enum s2s_event ev,
                        const char *fmt, va_list ap)
{
	char line[512];

	if (!s->o.cb->event)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	s->o.cb->event(s->o.cb->payload, ev, line);
}

void s2s_session__eventf(struct s2s_session *s, enum s2s_event ev,
                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s2s_session__event(s, ev, fmt, ap);
	va_end(ap);
}

static s2s_err refuse(void *payload, enum s2s_prompt_kind kind,
                      const char *text, struct s2s_buf *answer,
                      struct s2s_error *err)
{
	(void)payload;
	(void)kind;
	(void)answer;
	return s2s_error_set(err, S2S_ENEEDINPUT,
	                     "%s needed but prompting is not allowed", text);
}

static bool refuse_can_ask(void *payload, enum s2s_prompt_kind kind)
{
	(void)payload;
	(void)kind;
	return false;
}

/* Passwords in DESIGN order after the front end's preset one: the one
 * kept by configure --save-password (a store error counts as none, so
 * the prompt still follows); TOTP seeds and API client secrets from the
 * store. */
static s2s_err kept_get(void *payload, const char *kind, struct s2s_buf *out,
                        struct s2s_error *err)
{
	struct s2s_session *s = payload;
	struct s2s_error ignore = S2S_ERROR_INIT;
	const char *name = s2s_account_name(s->acct);
	const char *user = s2s_account_get(s->acct, "username");
	struct s2s_store *store = NULL;
	bool on = false;

	s2s_buf_reset(out);
	if (strcmp(kind, "idp-password") == 0) {
		const struct s2s_buf *pw = s->o.password;

		if (pw && pw->len) {
			if (s2s_buf_add(out, pw->ptr, pw->len))
				return s2s_error_set(err, S2S_ENOMEM,
				                     "out of memory");
			return S2S_OK;
		}
	}
	/* What the store keeps under the account (a saved password, a
	 * TOTP seed) belongs to its configured user: never to another
	 * --username.  An API client's secret is the account's, whoever
	 * signs in. */
	if (s->username && (!user || strcmp(s->username, user) != 0) &&
	    strcmp(kind, "client-secret") != 0) {
		if (strcmp(kind, "idp-password") == 0)
			return S2S_ENOTFOUND; /* no message: the prompt */
		return s2s_error_set(err, S2S_ENOTFOUND,
		                     "the kept %s of account '%s' is not "
		                     "for user '%s'",
		                     kind, name, s->username);
	}
	if (strcmp(kind, "idp-password") == 0) {
		if (s2s_account_get_bool(&on, s->acct, "save_password", false,
		                         &ignore) ||
		    !on || s2s_session_store(&store, s, &ignore) ||
		    s2s_store_get_secret(out, store, name, kind, &ignore) ||
		    out->len == 0) {
			s2s_buf_reset(out);
			return S2S_ENOTFOUND; /* no message: not an error */
		}
		return S2S_OK;
	}
	if (s2s_session_store(&store, s, err))
		return err->code;
	return s2s_store_get_secret(out, store, name, kind, err);
}

/* kept_get, noting when the password is left to the prompter: only a
 * typed one is asked again when the IdP rejects it. */
static s2s_err kept_get_noting(void *payload, const char *kind,
                               struct s2s_buf *out, struct s2s_error *err)
{
	struct s2s_session *s = payload;
	s2s_err rc = kept_get(payload, kind, out, err);

	if (rc == S2S_ENOTFOUND && strcmp(kind, "idp-password") == 0)
		s->password_prompted = true;
	return rc;
}

s2s_err s2s_session_new(struct s2s_session **out,
                        const struct s2s_session_opts *opts,
                        struct s2s_error *err)
{
	struct s2s_session *s;

	*out = NULL;
	S2S_ASSERT_ARG(opts && opts->cfg && opts->cb);
	s = calloc(1, sizeof(*s));
	if (!s)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	s->o = *opts; /* sources and adapters: on first use (run_start) */
	s->kept.get = kept_get_noting;
	s->kept.payload = s;
	s->refuse.ask = refuse;
	s->refuse.can_ask = refuse_can_ask;
	s->refuse.notify =
	        opts->cb->prompter ? opts->cb->prompter->notify : NULL;
	s->refuse.payload =
	        opts->cb->prompter ? opts->cb->prompter->payload : NULL;
	*out = s;
	return S2S_OK;
}

void s2s_session_free(struct s2s_session *s)
{
	if (!s)
		return;
	s2s_store_free(s->store);
	free(s);
}

/* SAML2STS_FILE_KEY_TIMEOUT: seconds the file store's derived keys stay
 * in the kernel keyring (0: not at all), at most a week. */
static s2s_err key_cache_s(long *out, struct s2s_error *err)
{
	const char *v = s2s_config_env("SAML2STS_FILE_KEY_TIMEOUT");
	char *end = NULL;

	*out = S2S_STORE_KEY_CACHE_S;
	if (!v)
		return S2S_OK;
	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno || end == v || *end || *out < 0 || *out > 604800)
		return s2s_error_set(
		        err, S2S_ECONFIG,
		        "SAML2STS_FILE_KEY_TIMEOUT is not a number "
		        "of seconds from 0 to 604800");
	return S2S_OK;
}

s2s_err s2s_session_store(struct s2s_store **out, struct s2s_session *s,
                          struct s2s_error *err)
{
	struct s2s_store_opts o = { 0 };
	struct s2s_error first = S2S_ERROR_INIT;
	struct s2s_buf dir = S2S_BUF_INIT;
	char *data = NULL;
	s2s_err rc;

	*out = s->store;
	if (s->store)
		return S2S_OK;
	o.backend = s2s_config_env("SAML2STS_KEYRING_BACKEND");
	o.cancel = s->o.cancel; /* Ctrl-C ends a keyring wait too */
	o.passphrase = s->o.cb->passphrase;
	o.payload = s->o.cb->payload;
	rc = key_cache_s(&o.key_cache_s, err);
	if (!rc)
		rc = s2s_config_data_dir(&data, err);
	if (!rc && s2s_buf_printf(&dir, "%s/store", data))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (rc)
		goto out;
	o.dir = dir.ptr;
	if (!o.backend) {
		/* auto: the Secret Service when the bus has one, else the
		 * encrypted files, said as a notice.  Only its absence moves
		 * on: a service that is there but hangs or fails is an error,
		 * or tokens would silently go to another backend. */
		o.backend = "secret-service";
		rc = s2s_store_probe(&o, &first);
		if (rc && rc != S2S_ENOTFOUND) {
			rc = s2s_error_set(err, rc, "%s", first.msg);
			goto out;
		}
		if (rc) {
			s2s_session__eventf(
			        s, S2S_EVENT_NOTICE,
			        "no Secret Service (%s); using the encrypted "
			        "file store in %s",
			        first.msg, dir.ptr);
			o.backend = "file";
		}
	}
	rc = s2s_store_open_opts(&s->store, &o, err);
out:
	*out = s->store;
	free(data);
	s2s_buf_release(&dir);
	return rc;
}

s2s_err s2s_session_account(const struct s2s_account **out,
                            struct s2s_session *s, const char *name,
                            struct s2s_error *err)
{
	bool other = strcmp(name, "default") != 0;

	*out = s2s_config_account(s->o.cfg, name);
	if (*out)
		return S2S_OK;
	return s2s_error_set(err, S2S_ECONFIG,
	                     "no IdP account '%s' in %s: run saml2sts "
	                     "configure%s%s --provider NAME --url URL",
	                     name, s2s_config_name(s->o.cfg),
	                     other ? " -a " : "", other ? name : "");
}

const char *s2s_session_default_profile(const struct s2s_account *acct,
                                        const char *account_name)
{
	const char *p = acct ? s2s_account_get(acct, "profile") : NULL;

	return p ? p : account_name;
}

s2s_err s2s_session_http(struct s2s_http **out, struct s2s_session *s,
                         const struct s2s_account *acct, struct s2s_error *err)
{
	struct s2s_http_opts o = { 0 };
	long timeout = 60, retries = 2;
	s2s_err rc;

	*out = NULL;
	if (acct) {
		rc = s2s_account_get_long(&timeout, acct, "timeout", 1, 3600,
		                          60, err);
		if (!rc)
			rc = s2s_account_get_long(
			        &retries, acct, "http_retries", 0, 10, 2, err);
		if (rc)
			return rc;
	}
	o.timeout_ms = timeout * 1000;
	o.connect_timeout_ms = timeout < 10 ? timeout * 1000 : 10000;
	o.retries = (int)retries;
	/* The curl tool's order, SAML2STS_ first; OpenSSL's own two last. */
	o.ca_bundle = s2s_config_env("SAML2STS_CA_BUNDLE");
	if (!o.ca_bundle)
		o.ca_bundle = s2s_config_env("CURL_CA_BUNDLE");
	if (!o.ca_bundle)
		o.ca_bundle = s2s_config_env("SSL_CERT_FILE");
	o.ca_dir = s2s_config_env("SSL_CERT_DIR");
	o.trace = s->o.trace;
	o.trace_payload = s->o.cb->payload;
	o.cancel = s->o.cancel; /* Ctrl-C ends a slow IdP or STS request */
	return s2s_http_new(out, &o, err);
}

/* ------------------------------------------------------------------ */
/* The freshness rule */

s2s_err s2s_session_window(long *out, const struct s2s_account *acct,
                           const struct s2s_creds *creds, struct s2s_error *err)
{
	long window = S2S_REFRESH_WINDOW;
	s2s_err rc;

	*out = 0;
	if (acct) {
		rc = s2s_account_get_long(&window, acct, "refresh_window", 0,
		                          43200, S2S_REFRESH_WINDOW, err);
		if (rc)
			return rc;
	}
	*out = s2s_creds_window(creds, window);
	return S2S_OK;
}

bool s2s_session_is_fresh(const struct s2s_creds *creds, long window,
                          time_t now)
{
	return s2s_creds_remaining(creds, now) > window;
}

/* The account a stored token was made by (NULL when it is gone). */
static const struct s2s_account *creds_account(struct s2s_session *s,
                                               const struct s2s_creds *c)
{
	return c->account_name ? s2s_config_account(s->o.cfg, c->account_name)
	                       : NULL;
}

/* The STS item of profile among items, or NULL. */
const struct s2s_store_item *
s2s_session__find_sts(const struct s2s_store_item *items, size_t n,
                      const char *profile)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].kind, "sts") == 0 &&
		    strcmp(items[i].profile, profile) == 0)
			return &items[i];
	return NULL;
}

/* S2S_ENEEDINPUT for a profile with no credentials: the profiles that
 * are stored (a few, in the store's order) before the login hint, so a
 * mistyped or defaulted name does not send the user to log in again. */
static s2s_err missing(struct s2s_session *s, const char *profile,
                       struct s2s_error *err)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	struct s2s_store_item *items = NULL;
	struct s2s_store *store = NULL;
	struct s2s_buf names = S2S_BUF_INIT;
	size_t n = 0, shown = 0;
	s2s_err rc;

	s2s_error_clear(err);
	if (!s2s_session_store(&store, s, &ignore) &&
	    !s2s_store_list(&items, &n, store, &ignore)) {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(items[i].kind, "sts") != 0 ||
			    strcmp(items[i].profile, profile) == 0)
				continue;
			if (shown == 4 || names.len > 60) {
				s2s_buf_puts(&names, ", ...");
				break;
			}
			s2s_buf_printf(&names, "%s%s", shown ? ", " : "",
			               items[i].profile);
			shown++;
		}
		s2s_store_items_free(items, n);
	}
	if (shown && names.ptr)
		rc = s2s_error_set(err, S2S_ENEEDINPUT,
		                   "no credentials for profile '%s'; stored: "
		                   "%s: use --profile NAME (or saml2sts use "
		                   "NAME), or run saml2sts login --profile %s",
		                   profile, names.ptr, profile);
	else
		rc = s2s_error_set(err, S2S_ENEEDINPUT,
		                   "no credentials for profile '%s': run "
		                   "saml2sts login --profile %s",
		                   profile, profile);
	s2s_buf_release(&names);
	return rc;
}

s2s_err s2s_session_stored(struct s2s_store_item **out, struct s2s_session *s,
                           const char *profile, struct s2s_error *err)
{
	struct s2s_store_item *items = NULL, *it = NULL;
	const struct s2s_store_item *found;
	struct s2s_store *store = NULL;
	size_t n = 0;
	bool ok = true;
	s2s_err rc;

	*out = NULL;
	rc = s2s_profile_check(profile, err);
	if (!rc)
		rc = s2s_session_store(&store, s, err);
	if (!rc)
		rc = s2s_store_list(&items, &n, store, err);
	if (rc)
		return rc;
	found = s2s_session__find_sts(items, n, profile);
	if (found) {
		it = calloc(1, sizeof(*it));
		if (it) {
			it->profile = s2s__strdup_or_null(found->profile, &ok);
			it->kind = s2s__strdup_or_null(found->kind, &ok);
			it->account = s2s__strdup_or_null(found->account, &ok);
			it->role_arn =
			        s2s__strdup_or_null(found->role_arn, &ok);
			it->expires = found->expires;
		}
		if (!it || !ok) {
			s2s_store_items_free(it, it ? 1 : 0);
			it = NULL;
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		}
	}
	s2s_store_items_free(items, n);
	if (!rc && !it)
		rc = missing(s, profile, err);
	*out = it;
	return rc;
}

/* The creds of profile and whether they are fresh. */
s2s_err s2s_session__read_creds(struct s2s_creds **out, bool *fresh,
                                struct s2s_session *s, const char *profile,
                                struct s2s_error *err)
{
	struct s2s_store *store = NULL;
	long window = 0;
	s2s_err rc;

	*out = NULL;
	*fresh = false;
	rc = s2s_session_store(&store, s, err);
	if (!rc)
		rc = s2s_store_get_creds(out, store, profile, err);
	if (rc == S2S_ENOTFOUND)
		return missing(s, profile, err);
	if (!rc)
		rc = s2s_session_window(&window, creds_account(s, *out), *out,
		                        err);
	if (rc) {
		s2s_creds_free(*out);
		*out = NULL;
		return rc;
	}
	*fresh = s2s_session_is_fresh(*out, window, time(NULL));
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* Running a source */

s2s_err s2s_session__run_start(struct run *r, struct s2s_session *s,
                               const struct s2s_account *acct,
                               const struct s2s_login_opts *o,
                               unsigned int flags, struct s2s_error *err)
{
	s2s_err rc;

	memset(r, 0, sizeof(*r));
	/* strict for the section in use: its keys are all known */
	rc = s2s_account_check_keys(acct, NULL, err);
	if (!rc && !s->o.sources)
		s->o.sources = s2s_source_table();
	if (!rc && !s->o.adapters && s->o.adapters_fn)
		s->o.adapters = s->o.adapters_fn();
	if (!rc)
		rc = s2s_source_find(&r->src, s->o.sources, s->o.adapters, acct,
		                     err);
	if (rc)
		return rc;
	r->ctx.session = s;
	r->ctx.acct = acct;
	r->ctx.opt = o ? o : &r->none;
	r->ctx.flags = flags;
	r->ctx.err = err;
	s->acct = acct;
	s->username = o ? o->username : NULL;
	if (r->src->priv_size) {
		r->ctx.priv = calloc(1, r->src->priv_size);
		if (!r->ctx.priv)
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	return r->src->validate ? r->src->validate(&r->ctx) : S2S_OK;
}

void s2s_session__run_end(struct run *r)
{
	if (r->src && r->src->release && r->ctx.priv)
		r->src->release(&r->ctx);
	if (r->src)
		s2s_freezero(r->ctx.priv, r->src->priv_size);
	r->ctx.priv = NULL;
	if (r->ctx.session) {
		r->ctx.session->acct = NULL;
		r->ctx.session->username = NULL;
	}
}

s2s_err s2s_session_check(struct s2s_session *s, const char *account,
                          struct s2s_error *err)
{
	const struct s2s_account *acct = NULL;
	struct run r;
	s2s_err rc;

	rc = s2s_session_account(&acct, s, account, err);
	if (rc)
		return rc;
	rc = s2s_session__run_start(&r, s, acct, NULL, 0, err);
	s2s_session__run_end(&r);
	return rc;
}

/* Give the granted roles their account names (aliases) and the order
 * every front end shows. */
static s2s_err name_roles(struct s2s_grants *g, const struct s2s_account *acct,
                          struct s2s_error *err)
{
	for (size_t i = 0; i < g->nroles; i++) {
		struct s2s_role *r = &g->roles[i];

		if (r->account_name || !r->account_id)
			continue;
		errno = 0;
		r->account_name = s2s_account_alias(acct, r->account_id);
		if (!r->account_name && errno == ENOMEM)
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
		if (!r->account_name) /* asked of RAM at an earlier login */
			r->account_name = s2s_alias_cached(r->account_id);
	}
	s2s_choice_sort(g->roles, g->nroles);
	return S2S_OK;
}

s2s_err s2s_session__run_grants(struct run *r, struct s2s_grants **out)
{
	struct s2s_grants *g = calloc(1, sizeof(*g));
	s2s_err rc;

	*out = NULL;
	if (!g)
		return s2s_error_set(r->ctx.err, S2S_ENOMEM, "out of memory");
	g->session_duration = -1;
	rc = r->src->grants(&r->ctx, g);
	if (!rc && g->nroles == 0)
		rc = s2s_error_set(r->ctx.err, S2S_ENOROLE,
		                   "account '%s' grants no role",
		                   s2s_account_name(r->ctx.acct));
	if (!rc)
		rc = name_roles(g, r->ctx.acct, r->ctx.err);
	if (rc) {
		s2s_grants_free(g);
		return rc;
	}
	*out = g;
	return S2S_OK;
}

/* Complete a minted token with what the store and the front ends need;
 * username: the --username that made it (NULL: the account's), so that
 * its refreshes log in as the same user. */
s2s_err s2s_session__finish_creds(struct s2s_creds *c,
                                  const struct s2s_role *role,
                                  const struct s2s_account *acct,
                                  const char *username, struct s2s_error *err)
{
	const char *region = s2s_account_get_str(acct, "region", "cn-hangzhou");

	if (!c->account_id)
		c->account_id = strdup(role->account_id);
	if (!c->role_arn)
		c->role_arn = strdup(role->role_arn);
	free(c->account_name);
	c->account_name = strdup(s2s_account_name(acct));
	if (!c->region)
		c->region = strdup(region);
	free(c->username);
	c->username = username ? strdup(username) : NULL;
	if (!c->account_id || !c->role_arn || !c->account_name || !c->region ||
	    (username && !c->username))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!c->issued)
		c->issued = time(NULL);
	return S2S_OK;
}

/* Refresh old (profile) through its source without prompting. */
static s2s_err refresh(struct s2s_creds **out, struct s2s_session *s,
                       const char *profile, const struct s2s_creds *old,
                       struct s2s_error *err)
{
	const struct s2s_account *acct = creds_account(s, old);
	struct s2s_grants *g = NULL;
	struct s2s_mint m = { 0 };
	struct s2s_store *store = NULL;
	const struct s2s_role *role = NULL;
	struct s2s_login_opts same_user = { 0 };
	struct run r;
	s2s_err rc;

	*out = NULL;
	same_user.username = old->username; /* never another user's secrets */
	if (!acct || !old->role_arn)
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "profile '%s' cannot be refreshed "
		                     "silently",
		                     profile);
	rc = s2s_session__run_start(&r, s, acct, &same_user, S2S_SOURCE_SILENT,
	                            err);
	if (!rc && r.src->refresh) {
		rc = r.src->refresh(&r.ctx, old, &m);
	} else if (!rc) {
		rc = s2s_session__run_grants(&r, &g);
		for (size_t i = 0; !rc && i < g->nroles && !role; i++)
			if (strcasecmp(g->roles[i].role_arn, old->role_arn) ==
			    0)
				role = &g->roles[i];
		if (!rc && !role)
			rc = s2s_error_set(err, S2S_ENOROLE,
			                   "the IdP no longer grants %s",
			                   old->role_arn);
		if (!rc)
			rc = r.src->mint(&r.ctx, &role, 1, &m);
	}
	if (!rc && m.rc)
		rc = s2s_error_set(err, m.rc, "%s", m.err.msg);
	if (!rc && !m.creds)
		rc = s2s_error_set(err, S2S_ERROR, "source %s made nothing",
		                   r.src->name);
	if (!rc && role)
		rc = s2s_session__finish_creds(m.creds, role, acct,
		                               old->username, err);
	else if (!rc) {
		struct s2s_role same = { 0 };

		same.role_arn = old->role_arn;
		same.account_id = old->account_id;
		rc = s2s_session__finish_creds(m.creds, &same, acct,
		                               old->username, err);
	}
	if (!rc)
		rc = s2s_session_store(&store, s, err);
	if (!rc)
		rc = s2s_store_put_creds(store, profile, m.creds, err);
	if (!rc) {
		*out = m.creds;
		m.creds = NULL;
	}
	s2s_creds_free(m.creds);
	s2s_grants_free(g);
	s2s_session__run_end(&r);
	return rc;
}

s2s_err s2s_session__lock(struct s2s_lock **out, struct s2s_session *s,
                          const char *name, struct s2s_error *err)
{
	struct s2s_error why = S2S_ERROR_INIT;
	char *dir = NULL, *safe = NULL;
	s2s_err rc;

	*out = NULL;
	rc = s2s_config_lock_dir(&dir, err);
	if (!rc)
		rc = s2s_lock_dir(&safe, dir, &why, err);
	if (!rc && why.code)
		s2s_session__eventf(s, S2S_EVENT_VERBOSE,
		                    "lock directory not trusted (%s); using %s",
		                    why.msg, safe);
	if (!rc)
		rc = s2s_lock_acquire(out, safe, name, S2S_SESSION_LOCK_MS,
		                      NULL, err);
	free(safe);
	free(dir);
	return rc;
}

/* Stale: under the profile lock, take what another process stored while
 * we waited, else refresh.  *c is replaced by the newest token. */
static s2s_err refresh_locked(struct s2s_fresh *f, struct s2s_session *s,
                              const char *profile, struct s2s_error *err)
{
	struct s2s_creds *again = NULL, *fresh = NULL;
	struct s2s_lock *lock = NULL;
	bool ok = false;
	char when[64];
	s2s_err rc;

	rc = s2s_session__lock(&lock, s, profile, err);
	if (!rc)
		rc = s2s_session__read_creds(&again, &ok, s, profile, err);
	if (rc)
		goto out;
	s2s_creds_free(f->creds);
	f->creds = again;
	if (ok) {
		f->state = S2S_FRESH_TAKEN;
		goto out;
	}
	s2s_time_format_local(when, sizeof(when), f->creds->expiration);
	s2s_session__eventf(s, S2S_EVENT_VERBOSE,
	                    "credentials of '%s' expire at %s: refreshing",
	                    profile, when);
	rc = refresh(&fresh, s, profile, f->creds, err);
	if (!rc) {
		s2s_creds_free(f->creds);
		f->creds = fresh;
		f->state = S2S_FRESH_REFRESHED;
	}
out:
	s2s_lock_release(lock);
	return rc;
}

s2s_err s2s_profile_check(const char *name, struct s2s_error *err)
{
	char shown[80];

	if (!name || !*name)
		return s2s_error_set(err, S2S_EINVAL,
		                     "a profile name cannot be empty");
	snprintf(shown, sizeof(shown), "%s", name);
	s2s_printable(shown);
	if (strlen(name) > S2S_PROFILE_MAX || strcmp(shown, name) != 0 ||
	    strchr(name, ' ') || name[0] == '-')
		return s2s_error_set(err, S2S_EINVAL,
		                     "profile name '%s' is not usable: at most "
		                     "%d printable characters, no spaces, not "
		                     "starting with '-'",
		                     shown, S2S_PROFILE_MAX);
	return S2S_OK;
}

s2s_err s2s_session_fresh(struct s2s_fresh *out, struct s2s_session *s,
                          const char *profile, struct s2s_error *err)
{
	struct s2s_error why = S2S_ERROR_INIT;
	bool fresh = false;
	char when[64];
	s2s_err rc;

	memset(out, 0, sizeof(*out));
	rc = s2s_profile_check(profile, err);
	if (rc)
		return rc;
	rc = s2s_session__read_creds(&out->creds, &fresh, s, profile, err);
	if (rc || fresh)
		return rc;
	rc = refresh_locked(out, s, profile, &why);
	if (!rc)
		return S2S_OK;
	if (s2s_creds_remaining(out->creds, time(NULL)) > 0) {
		out->state = S2S_FRESH_STALE;
		out->why = why;
		return S2S_OK;
	}
	s2s_time_format_local(when, sizeof(when), out->creds->expiration);
	s2s_fresh_release(out);
	if (why.code != S2S_ENEEDINPUT && why.msg[0])
		return s2s_error_set(err, why.code,
		                     "credentials of '%s' expired and the "
		                     "refresh failed: %s",
		                     profile, why.msg);
	return s2s_error_set(err, S2S_ENEEDINPUT,
	                     "credentials of '%s' expired at %s: run saml2sts "
	                     "login --profile %s",
	                     profile, when, profile);
}

void s2s_fresh_release(struct s2s_fresh *f)
{
	s2s_creds_free(f->creds);
	memset(f, 0, sizeof(*f));
}

/* ------------------------------------------------------------------ */
/* Hand-offs: the aliyun CLI's config.json, the console */

/* Quote s for a shell and the SDKs' shlex-style splitter when it needs
 * it (a blank or a character a shell treats specially). */
static s2s_err add_word(struct s2s_buf *b, const char *s)
{
	bool plain = *s != '\0';
	s2s_err rc;

	for (const char *p = s; *p && plain; p++)
		plain = !strchr(" \t\n'\"\\$`;&|<>()*?[]{}#~!", *p);
	if (plain)
		return s2s_buf_puts(b, s);
	rc = s2s_buf_add(b, "'", 1);
	for (; *s && !rc; s++)
		rc = *s == '\'' ? s2s_buf_puts(b, "'\"'\"'")
		                : s2s_buf_add(b, s, 1);
	return rc ? rc : s2s_buf_add(b, "'", 1);
}

static s2s_err self_command(struct s2s_buf *cmd, struct s2s_session *s,
                            const char *profile, struct s2s_error *err)
{
	char exe[PATH_MAX];
	const char *self = s->o.self_path;
	ssize_t n;

	if (!self) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return s2s_error_set(err, S2S_ERROR,
			                     "cannot find the saml2sts binary");
		exe[n] = '\0';
		self = exe;
	}
	if (add_word(cmd, self) ||
	    s2s_buf_puts(cmd, " credential-process --profile ") ||
	    add_word(cmd, profile))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static s2s_err aliyun_path(struct s2s_buf *out, struct s2s_error *err)
{
	const char *env = s2s_config_env("ALIBABA_CLOUD_CONFIG_FILE");
	const char *home = s2s_config_env("HOME");
	s2s_err rc;

	if (env)
		rc = s2s_buf_puts(out, env);
	else if (!home)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "aliyun_config: HOME is not set");
	else
		rc = s2s_buf_printf(out, "%s/.aliyun/config.json", home);
	return rc ? s2s_error_set(err, S2S_ENOMEM, "out of memory") : S2S_OK;
}

s2s_err s2s_session_handoff(struct s2s_session *s,
                            const struct s2s_account *acct, const char *profile,
                            const struct s2s_creds *creds,
                            struct s2s_error *err)
{
	const char *mode = s2s_account_get(acct, "aliyun_config");
	bool sts = mode && strcasecmp(mode, "ststoken") == 0;
	struct s2s_buf cmd = S2S_BUF_INIT, path = S2S_BUF_INIT;
	bool on = false;
	s2s_err rc;

	if (!mode)
		return S2S_OK;
	if (!sts) {
		rc = s2s_account_get_bool(&on, acct, "aliyun_config", false,
		                          err);
		if (rc || !on)
			return rc;
	}
	if (sts && !creds)
		return S2S_OK; /* a plaintext profile needs a token first */
	rc = self_command(&cmd, s, profile, err);
	if (!rc)
		rc = aliyun_path(&path, err);
	if (!rc)
		rc = s2s_aliyun_config_merge(
		        path.ptr, profile, cmd.ptr,
		        creds && creds->region
		                ? creds->region
		                : s2s_account_get_str(acct, "region",
		                                      "cn-hangzhou"),
		        sts ? creds : NULL, creds != NULL, err);
	if (!rc)
		s2s_session__eventf(s, S2S_EVENT_VERBOSE,
		                    "aliyun profile '%s' (%s) written to %s",
		                    profile, sts ? "StsToken" : "External",
		                    path.ptr);
	s2s_buf_release(&path);
	s2s_buf_release(&cmd);
	return rc;
}

s2s_err s2s_session_console_url(char **url_out, struct s2s_session *s,
                                const struct s2s_creds *creds, const char *dest,
                                struct s2s_error *err)
{
	const struct s2s_account *acct = creds_account(s, creds);
	const struct s2s_site *site;
	struct s2s_http *http = NULL;
	const char *fed, *login_url;
	char fed_default[128];
	s2s_err rc;

	*url_out = NULL;
	site = s2s_site_find(acct ? s2s_account_get(acct, "site") : NULL);
	if (!site)
		site = s2s_site_find(NULL);
	snprintf(fed_default, sizeof(fed_default), "https://%s",
	         site->signin_host);
	fed = acct ? s2s_account_get_str(acct, "signin_endpoint", fed_default)
	           : fed_default;
	login_url = acct ? s2s_account_get_str(acct, "url", fed_default)
	                 : fed_default;
	if (!dest)
		dest = strcmp(site->name, "intl") == 0
		               ? "https://home.console.alibabacloud.com/"
		               : "https://home.console.aliyun.com/";
	rc = s2s_session_http(&http, s, acct, err);
	if (!rc)
		rc = s2s_console_url(url_out, http, fed, creds, login_url, dest,
		                     err);
	s2s_http_free(http);
	return rc;
}
