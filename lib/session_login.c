/* SPDX-License-Identifier: MIT */
/*
 * The engine's login half: s2s_session_login() logs an account in
 * through its source, chooses roles (the front end's picker, --role,
 * --all-roles), keeps profiles that are still fresh, asks before a
 * profile changes role, mints one credential per role and stores one
 * profile each; s2s_session_list() returns the grants without minting.
 * The freshness half, the store and the hand-offs are session.c.
 */
#include <limits.h>
#include <unistd.h>

#include "common.h"
#include "saml2sts/choice.h"
#include "saml2sts/lock.h"
#include "saml2sts/secret.h"
#include "saml2sts/site.h"
#include "alias_int.h"
#include "saml2sts/alias.h"
#include "session_int.h"

/* ------------------------------------------------------------------ */
/* Login */

void s2s_grants_free(struct s2s_grants *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nroles; i++)
		s2s_role_release(&g->roles[i]);
	free(g->roles);
	free(g->session_name);
	free(g);
}

/* Forget the items of a login that stopped before making any. */
static void drop_items(struct s2s_login_result *r)
{
	for (size_t i = 0; i < r->nitems; i++) {
		free(r->items[i].profile);
		s2s_role_release(&r->items[i].role);
		s2s_creds_free(r->items[i].creds);
	}
	free(r->items);
	r->items = NULL;
	r->nitems = 0;
}

void s2s_login_result_free(struct s2s_login_result *r)
{
	if (!r)
		return;
	s2s_creds_free(r->still_valid);
	free(r->profile);
	drop_items(r);
	for (size_t i = 0; i < r->ngranted; i++)
		s2s_role_release(&r->granted[i]);
	free(r->granted);
	free(r);
}

/* Stored credentials of profile still fresh (and for the asked role)? */
static s2s_err still_valid(struct s2s_login_result *res, struct s2s_session *s,
                           const char *profile, const char *role_spec,
                           struct s2s_error *err)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	struct s2s_creds *c = NULL;
	bool fresh = false;
	s2s_err rc;

	rc = s2s_session__read_creds(&c, &fresh, s, profile, &ignore);
	if (rc == S2S_ECONFIG) /* a bad refresh_window is the user's to fix */
		return s2s_error_set(err, rc, "%s", ignore.msg);
	if (rc || !fresh ||
	    (role_spec &&
	     (!c->role_arn || strcasecmp(role_spec, c->role_arn) != 0))) {
		s2s_creds_free(c);
		return S2S_OK;
	}
	res->profile = strdup(profile);
	if (!res->profile) {
		s2s_creds_free(c);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	res->still_valid = c;
	return S2S_OK;
}

static s2s_err keep_granted(struct s2s_login_result *res,
                            const struct s2s_grants *g, struct s2s_error *err)
{
	res->granted = calloc(g->nroles ? g->nroles : 1, sizeof(*res->granted));
	if (!res->granted)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	for (size_t i = 0; i < g->nroles; i++) {
		if (s2s_role_copy(&res->granted[i], &g->roles[i], err))
			return err->code;
		res->ngranted++;
	}
	return S2S_OK;
}

/* Which roles of g: --role specs, --all-roles, role_arn, the only one,
 * the picker, or S2S_ENEEDINPUT. */
static s2s_err choose(size_t *idx, size_t *n, struct s2s_login_result *res,
                      struct s2s_session *s, const struct s2s_account *acct,
                      const struct s2s_login_opts *o,
                      const struct s2s_grants *g, struct s2s_error *err)
{
	const char *pre = s2s_account_get(acct, "role_arn");
	struct s2s_pick pick = { 0 };
	s2s_err rc;

	*n = 0;
	if (o->all_roles) {
		for (size_t i = 0; i < g->nroles; i++)
			idx[(*n)++] = i;
		return S2S_OK;
	}
	for (size_t i = 0; i < o->nroles; i++) {
		rc = s2s_choice_find(&idx[*n], g->roles, g->nroles, o->roles[i],
		                     err);
		res->list_granted = rc == S2S_ENOROLE;
		if (rc)
			return rc;
		(*n)++;
	}
	if (*n)
		return S2S_OK;
	if (pre) {
		rc = s2s_choice_find(&idx[0], g->roles, g->nroles, pre, err);
		res->list_granted = rc == S2S_ENOROLE;
		*n = rc ? 0 : 1;
		return rc;
	}
	if (g->nroles == 1) {
		idx[(*n)++] = 0;
		return S2S_OK;
	}
	if (!s->o.can_prompt || !s->o.cb->pick) {
		res->list_granted = true;
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "%zu roles granted and no --role given "
		                     "(prompting is not allowed):",
		                     g->nroles);
	}
	pick.account = s2s_account_name(acct);
	pick.roles = g->roles;
	pick.nroles = g->nroles;
	rc = s->o.cb->pick(s->o.cb->payload, &pick, idx, n, err);
	if (!rc && *n == 0)
		rc = s2s_error_set(err, S2S_ECANCELLED, "no role chosen");
	for (size_t i = 0; !rc && i < *n; i++)
		if (idx[i] >= g->nroles)
			rc = s2s_error_set(err, S2S_EINVAL, "bad role choice");
	return rc;
}

/* The items of a login: a copy of each chosen role and its profile. */
static s2s_err make_items(struct s2s_login_result *res,
                          const struct s2s_account *acct,
                          const struct s2s_login_opts *o,
                          const struct s2s_grants *g, const size_t *idx,
                          size_t n, struct s2s_error *err)
{
	const char *tmpl = s2s_account_get_str(acct, "profile_template",
	                                       "{account}-{role}");
	const char *one = o->profile ? o->profile
	                             : s2s_session_default_profile(
	                                       acct, s2s_account_name(acct));

	res->items = calloc(n, sizeof(*res->items));
	if (!res->items)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct s2s_login_item *it = &res->items[i];

		res->nitems++;
		it->rc = S2S_ERROR;
		if (s2s_role_copy(&it->role, &g->roles[idx[i]], err))
			return err->code;
		it->profile = n > 1 ? s2s_choice_profile(tmpl, &it->role)
		                    : strdup(one);
		if (!it->profile)
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
		if (s2s_profile_check(it->profile, err))
			return err->code;
	}
	return S2S_OK;
}

/* "admin (1234567890123456)" for acs:ram::1234567890123456:role/admin
 * (or an access configuration), else the ARN: for a question that fits
 * a terminal line or two. */
static void short_role(char *out, size_t size, const char *arn)
{
	const char *uid =
	        strncmp(arn, "acs:", 4) == 0 ? strstr(arn, "::") : NULL;
	const char *name = strrchr(arn, '/');
	size_t n = uid ? strcspn(uid + 2, ":") : 0;

	if (uid && name && name[1] && n)
		snprintf(out, size, "%s (%.*s)", name + 1, (int)n, uid + 2);
	else
		snprintf(out, size, "%s", arn);
}

/* A role that would replace another one stored under it->profile: a
 * notice with --force; else a question (yes: rebind; no: the role's
 * profile_template name instead), or S2S_ENEEDINPUT without prompting. */
static s2s_err rebind_one(struct s2s_login_item *it, const char *held,
                          struct s2s_session *s, const struct s2s_account *acct,
                          const struct s2s_login_opts *o,
                          const struct s2s_store_item *items, size_t n,
                          struct s2s_error *err)
{
	const char *tmpl = s2s_account_get_str(acct, "profile_template",
	                                       "{account}-{role}");
	const struct s2s_store_item *other;
	const struct s2s_prompter *p = s->o.cb->prompter;
	struct s2s_buf q = S2S_BUF_INIT, answer = S2S_BUF_INIT;
	char was[160], now[160];
	char *alt = NULL;
	s2s_err rc;

	if (o->force) {
		s2s_session__eventf(s, S2S_EVENT_NOTICE,
		                    "profile %s: %s replaces %s", it->profile,
		                    it->role.role_arn, held);
		return S2S_OK;
	}
	if (!s->o.can_prompt || !p || !p->ask)
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "profile '%s' holds %s: use --force to "
		                     "store %s there, or --profile NAME",
		                     it->profile, held, it->role.role_arn);
	alt = s2s_choice_profile(tmpl, &it->role);
	if (!alt)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	other = s2s_session__find_sts(items, n, alt);
	if (strcmp(alt, it->profile) == 0 || s2s_profile_check(alt, NULL) ||
	    (other && other->role_arn &&
	     strcasecmp(other->role_arn, it->role.role_arn) != 0)) {
		free(alt); /* no other name to offer */
		alt = NULL;
	}
	short_role(was, sizeof(was), held);
	short_role(now, sizeof(now), it->role.role_arn);
	if (s2s_buf_printf(&q,
	                   "Profile %s holds %s; replace it with %s%s%s%s "
	                   "[y/N]",
	                   it->profile, was, now,
	                   alt ? " (no: store that as " : "", alt ? alt : "",
	                   alt ? ")" : "")) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = p->ask(p->payload, S2S_PROMPT_CHOICE, q.ptr, &answer, err);
	if (rc)
		goto out;
	if (answer.len && (answer.ptr[0] == 'y' || answer.ptr[0] == 'Y')) {
		s2s_session__eventf(s, S2S_EVENT_VERBOSE,
		                    "profile %s: %s replaces %s", it->profile,
		                    it->role.role_arn, held);
	} else if (alt) {
		free(it->profile);
		it->profile = alt;
		alt = NULL;
	} else {
		rc = s2s_error_set(err, S2S_ECANCELLED, "profile '%s' keeps %s",
		                   it->profile, held);
	}
out:
	free(alt);
	s2s_buf_release(&answer);
	s2s_buf_release(&q);
	return rc;
}

/* A profile means one role: check each item against the role stored
 * under its profile (items: the store's listing, attributes only) before
 * STS is called. */
static s2s_err check_rebind(struct s2s_login_result *res, struct s2s_session *s,
                            const struct s2s_account *acct,
                            const struct s2s_login_opts *o,
                            const struct s2s_store_item *items, size_t n,
                            struct s2s_error *err)
{
	s2s_err rc = S2S_OK;

	for (size_t i = 0; !rc && i < res->nitems; i++) {
		struct s2s_login_item *it = &res->items[i];
		const struct s2s_store_item *was =
		        s2s_session__find_sts(items, n, it->profile);

		if (!was || !was->role_arn ||
		    strcasecmp(was->role_arn, it->role.role_arn) == 0)
			continue;
		rc = rebind_one(it, was->role_arn, s, acct, o, items, n, err);
	}
	return rc;
}

/* --profile P alone: P's stored role (and, when no -a was given, the
 * account that made it) instead of a choice.  *arn_out is the caller's;
 * NULL when P holds nothing or belongs to another account than the one
 * asked for. */
static s2s_err stored_role(char **arn_out, char **acct_out,
                           struct s2s_session *s,
                           const struct s2s_login_opts *o,
                           struct s2s_error *err)
{
	struct s2s_store_item *it = NULL;
	struct s2s_error ignore = S2S_ERROR_INIT;
	s2s_err rc;

	*arn_out = *acct_out = NULL;
	rc = s2s_session_stored(&it, s, o->profile, &ignore);
	if (rc == S2S_ENEEDINPUT)
		return S2S_OK; /* nothing stored: an ordinary login */
	if (rc)
		return s2s_error_set(err, rc, "%s", ignore.msg);
	if (it->role_arn && it->account &&
	    (o->account_default || strcmp(it->account, o->account) == 0)) {
		*arn_out = strdup(it->role_arn);
		*acct_out = strdup(it->account);
		if (!*arn_out || !*acct_out) {
			free(*arn_out);
			free(*acct_out);
			*arn_out = *acct_out = NULL;
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		}
	}
	s2s_store_items_free(it, 1);
	if (*arn_out)
		s2s_session__eventf(
		        s, S2S_EVENT_VERBOSE,
		        "profile %s holds %s (account %s): assuming it again",
		        o->profile, *arn_out, *acct_out);
	return rc;
}

/* Store one minted token, then the aliyun hand-off. */
static void store_item(struct s2s_login_item *it, struct s2s_mint *m,
                       struct s2s_session *s, const struct s2s_account *acct)
{
	struct s2s_store *store = NULL;

	it->rc = m->rc;
	it->err = m->err;
	if (!it->rc && !m->creds)
		it->rc = s2s_error_set(&it->err, S2S_ERROR, "no credentials");
	if (it->rc)
		return;
	it->rc = s2s_session__finish_creds(m->creds, &it->role, acct,
	                                   s->username, &it->err);
	if (!it->rc)
		it->rc = s2s_session_store(&store, s, &it->err);
	if (!it->rc)
		it->rc = s2s_store_put_creds(store, it->profile, m->creds,
		                             &it->err);
	if (!it->rc)
		it->rc = s2s_session_handoff(s, acct, it->profile, m->creds,
		                             &it->err);
	if (!it->rc)
		it->rc = s2s_session_window(&it->window, acct, m->creds,
		                            &it->err);
	if (!it->rc) {
		it->creds = m->creds;
		m->creds = NULL;
	}
}

/* --all-roles without --force: a role whose profile holds fresh
 * credentials for it keeps them (item->kept; no STS call). */
static void keep_fresh(struct s2s_login_result *res, struct s2s_store *store,
                       const struct s2s_account *acct,
                       const struct s2s_store_item *items, size_t n)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < res->nitems; i++) {
		struct s2s_login_item *it = &res->items[i];
		const struct s2s_store_item *was =
		        s2s_session__find_sts(items, n, it->profile);
		struct s2s_error ignore = S2S_ERROR_INIT;
		struct s2s_creds *c = NULL;
		long window = 0;

		if (!was || !was->role_arn || was->expires <= now ||
		    strcasecmp(was->role_arn, it->role.role_arn) != 0)
			continue;
		if (s2s_store_get_creds(&c, store, it->profile, &ignore) ||
		    s2s_session_window(&window, acct, c, &ignore) ||
		    !s2s_session_is_fresh(c, window, now)) {
			s2s_creds_free(c);
			continue;
		}
		it->creds = c;
		it->window = window;
		it->kept = true;
		it->rc = S2S_OK;
	}
}

static s2s_err mint_items(struct s2s_login_result *res, struct run *r,
                          struct s2s_error *err)
{
	const struct s2s_role **roles = calloc(res->nitems, sizeof(*roles));
	struct s2s_mint *m = calloc(res->nitems, sizeof(*m));
	struct s2s_mint *made = calloc(res->nitems, sizeof(*made));
	size_t k = 0;
	s2s_err rc = S2S_OK;

	if (!roles || !m || !made) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < res->nitems; i++)
		if (!res->items[i].kept)
			roles[k++] = &res->items[i].role;
	rc = k ? r->src->mint(&r->ctx, roles, k, made) : S2S_OK;
	if (rc)
		goto out;
	for (size_t i = 0, j = 0; i < res->nitems; i++) {
		if (res->items[i].kept)
			continue;
		m[i] = made[j];
		made[j++].creds = NULL; /* m owns it */
	}
	s2s_alias__after_login(r->ctx.session, r->ctx.acct, r->ctx.opt, res, m);
	for (size_t i = 0; i < res->nitems; i++) {
		struct s2s_login_item *it = &res->items[i];

		if (it->kept)
			continue;
		store_item(it, &m[i], r->ctx.session, r->ctx.acct);
		if (it->rc && !rc)
			rc = s2s_error_set(err, it->rc, "%s", it->err.msg);
	}
out:
	for (size_t i = 0; m && made && i < res->nitems; i++) {
		s2s_creds_free(m[i].creds);
		s2s_creds_free(made[i].creds);
	}
	free(made);
	free(m);
	free(roles);
	return rc;
}

/* run_start and grants, asked again (S2S_LOGIN_TRIES in all) while the
 * IdP rejects a password typed at the terminal prompt; never a password
 * given up front or kept in the store. */
static s2s_err start_grants(struct run *r, struct s2s_session *s,
                            const struct s2s_account *acct,
                            const struct s2s_login_opts *o,
                            struct s2s_grants **out, struct s2s_error *err)
{
	s2s_err rc;

	for (int tries = 1;; tries++) {
		s->password_prompted = false;
		rc = s2s_session__run_start(r, s, acct, o, 0, err);
		if (!rc)
			rc = s2s_session__run_grants(r, out);
		if (rc != S2S_EAUTH || !s->password_prompted ||
		    !s->o.can_prompt || tries == S2S_LOGIN_TRIES)
			return rc;
		s2s_session__eventf(s, S2S_EVENT_WARNING,
		                    "%s: try again (%d of %d)", err->msg,
		                    tries + 1, S2S_LOGIN_TRIES);
		s2s_error_clear(err);
		s2s_session__run_end(r);
	}
}

/* The login once its options are final. */
static s2s_err login(struct s2s_login_result *res, struct s2s_session *s,
                     const struct s2s_login_opts *o, struct s2s_error *err)
{
	const struct s2s_account *acct = NULL;
	struct s2s_store_item *items = NULL;
	struct s2s_store *store = NULL;
	struct s2s_grants *g = NULL;
	size_t *idx = NULL, n = 0, nitems = 0;
	struct run r = { 0 };
	s2s_err rc;

	rc = s2s_session_account(&acct, s, o->account, err);
	if (!rc) /* fail before asking the IdP for anything */
		rc = s2s_session_store(&store, s, err);
	if (!rc)
		rc = s2s_store_ready(store, err);
	if (!rc && !o->force && !o->all_roles && o->nroles <= 1)
		rc = still_valid(res, s,
		                 o->profile ? o->profile
		                            : s2s_session_default_profile(
		                                      acct, o->account),
		                 o->nroles ? o->roles[0] : NULL, err);
	if (rc || res->still_valid)
		return rc;
	rc = start_grants(&r, s, acct, o, &g, err);
	if (!rc)
		rc = keep_granted(res, g, err);
	if (!rc) {
		idx = calloc(g->nroles, sizeof(*idx));
		if (!idx)
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = choose(idx, &n, res, s, acct, o, g, err);
	if (!rc)
		rc = make_items(res, acct, o, g, idx, n, err);
	if (!rc) /* one listing for the two checks */
		rc = s2s_store_list(&items, &nitems, store, err);
	if (!rc) {
		rc = check_rebind(res, s, acct, o, items, nitems, err);
		if (rc) /* nothing was made: the one error says why */
			drop_items(res);
	}
	if (!rc && o->all_roles && !o->force)
		keep_fresh(res, store, acct, items, nitems);
	if (!rc)
		rc = mint_items(res, &r, err);
	s2s_store_items_free(items, nitems);
	free(idx);
	s2s_grants_free(g);
	s2s_session__run_end(&r);
	return rc;
}

s2s_err s2s_session_login(struct s2s_login_result **out, struct s2s_session *s,
                          const struct s2s_login_opts *o, struct s2s_error *err)
{
	struct s2s_login_result *res = calloc(1, sizeof(*res));
	struct s2s_login_opts again = *o;
	const char *roles[1] = { NULL };
	char *arn = NULL, *acct = NULL;
	s2s_err rc = S2S_OK;

	*out = res;
	if (!res)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (o->profile)
		rc = s2s_profile_check(o->profile, err);
	if (!rc && o->profile && !o->nroles && !o->all_roles)
		rc = stored_role(&arn, &acct, s, o, err);
	if (!rc && arn) {
		roles[0] = arn;
		again.roles = roles;
		again.nroles = 1;
		again.account = acct;
	}
	if (!rc)
		rc = login(res, s, &again, err);
	free(arn);
	free(acct);
	return rc;
}

static s2s_err is_seed_key(const char *key, unsigned int line, void *payload)
{
	const char *dot = strrchr(key, '.');

	(void)line;
	(void)payload;
	return dot && strcmp(dot, ".totp_seed") == 0 ? S2S_EUNSUPPORTED
	                                             : S2S_OK;
}

/* Does an IdP login of acct read or write the store by itself: a kept
 * password, IdP session or TOTP seed (<adapter>.totp_seed = keyring)? */
static bool login_uses_store(const struct s2s_account *acct)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	bool pw = false, jar = false;

	s2s_account_get_bool(&pw, acct, "save_password", false, &ignore);
	s2s_account_get_bool(&jar, acct, "remember_session", false, &ignore);
	return pw || jar || s2s_account_foreach(acct, is_seed_key, NULL);
}

s2s_err s2s_session_list(struct s2s_grants **out, struct s2s_session *s,
                         const struct s2s_login_opts *o, struct s2s_error *err)
{
	const struct s2s_account *acct = NULL;
	struct s2s_store *store = NULL;
	struct run r = { 0 };
	s2s_err rc;

	*out = NULL;
	rc = s2s_session_account(&acct, s, o->account, err);
	if (!rc && login_uses_store(acct)) { /* before the IdP, as login */
		rc = s2s_session_store(&store, s, err);
		if (!rc)
			rc = s2s_store_ready(store, err);
	}
	if (!rc)
		rc = start_grants(&r, s, acct, o, out, err);
	s2s_session__run_end(&r);
	return rc;
}
