/* SPDX-License-Identifier: MIT */
/*
 * Account aliases from RAM: after a login, for the accounts that have no
 * name yet (no account_aliases entry, no cached alias, no display name
 * from the source), GetAccountAlias is asked with the new credentials,
 * in parallel, within S2S_ALIAS_TIMEOUT_MS in all; answers are cached
 * one file per account.  Best effort: nothing here fails or delays a
 * login beyond that bound, and no assertion or secret is sent anywhere
 * but the RAM endpoint (signed with the STS keys just made).
 */
#include <curl/curl.h>

#include "common.h"
#include "alias_int.h"
#include "chain_int.h"
#include "http_int.h"
#include "json.h"
#include "session_int.h"
#include "saml2sts/alias.h"
#include "saml2sts/choice.h"
#include "saml2sts/rpc.h"
#include "saml2sts/sign.h"

/* ------------------------------------------------------------------ */
/* GetAccountAlias in parallel */

struct xfer {
	CURL *easy;
	struct s2s_buf body;  /* secret: SecurityToken */
	struct s2s_buf reply; /* not secret, but wiped all the same */
	struct s2s__http_sink sink;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
};

static bool xfer_setup(struct xfer *x, struct s2s_http *http, const char *url,
                       const struct s2s_creds *c, long timeout_ms)
{
	struct s2s_sign_rpc_call call = { 0 };
	struct s2s_sign_key key = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;

	s2s_buf_init(&x->body, true);
	s2s_buf_init(&x->reply, true);
	x->reply.max = 64 * 1024;
	x->sink.body = &x->reply;
	call.method = "POST";
	call.action = "GetAccountAlias";
	call.version = S2S_RPC_RAM_VERSION;
	key.id = c->access_key_id;
	key.secret = c->access_key_secret;
	key.token = c->security_token;
	if (!key.id || !key.secret ||
	    s2s_sign_rpc_form(&x->body, &call, &key, &err))
		return false;
	x->headers = curl_slist_append(NULL, "Accept: application/json");
	x->easy = curl_easy_init();
	if (!x->headers || !x->easy)
		return false;
	s2s__http_setup_easy(http, x->easy, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body.ptr);
	curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)x->body.len);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, &x->sink);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	return true;
}

static void xfer_release(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	s2s_buf_release(&x->body);
	s2s_buf_release(&x->reply);
}

static char *answer_alias(struct xfer *x, CURLcode cc)
{
	struct json_object *obj;
	const char *a;
	char *out = NULL;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status != 200 || !x->reply.ptr)
		return NULL;
	obj = s2s_json_parse(x->reply.ptr, x->reply.len);
	a = obj ? s2s__json_get_str(obj, "AccountAlias") : NULL;
	if (a && s2s__alias_ok(a, strlen(a)))
		out = strdup(a);
	if (obj)
		s2s_json_put_wiped(obj);
	return out;
}

void s2s_alias_fetch(struct s2s_alias_query *q, size_t n, struct s2s_http *http,
                     const char *endpoint, long timeout_ms)
{
	struct xfer *x = calloc(n ? n : 1, sizeof(*x));
	CURLcode *codes = calloc(n ? n : 1, sizeof(*codes));
	CURL **easy = calloc(n ? n : 1, sizeof(*easy));
	struct s2s_buf url = S2S_BUF_INIT;

	for (size_t i = 0; i < n; i++)
		q[i].alias = NULL;
	if (!x || !codes || !easy || s2s_buf_printf(&url, "%s/", endpoint))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (xfer_setup(&x[i], http, url.ptr, q[i].creds, timeout_ms))
			easy[i] = x[i].easy;
	s2s__http_run(http, easy, codes, n);
	for (size_t i = 0; i < n; i++) {
		if (!easy[i])
			continue;
		s2s__http_trace(
		        http, "< RAM GetAccountAlias %s: %s", q[i].account_id,
		        codes[i] == CURLE_OK ? "answered"
		                             : curl_easy_strerror(codes[i]));
		q[i].alias = answer_alias(&x[i], codes[i]);
	}
out:
	for (size_t i = 0; x && i < n; i++)
		xfer_release(&x[i]);
	s2s_buf_release(&url);
	free(easy);
	free(codes);
	free(x);
}

/* ------------------------------------------------------------------ */
/* After a login */

/* The RAM endpoint for acct: ram_endpoint along the chain; none when an
 * STS endpoint is configured without one (a private or test STS: RAM's
 * public host is not guessed), else RAM's public endpoint. */
static const char *ram_endpoint(struct s2s_session *s,
                                const struct s2s_account *acct,
                                const struct s2s_login_opts *o)
{
	if (o->sts_endpoint)
		return s2s_account_get(acct, "ram_endpoint");
	for (int hop = 0; acct && hop < S2S_CHAIN_MAX; hop++) {
		const char *ram = s2s_account_get(acct, "ram_endpoint");
		const char *src = s2s_account_get(acct, "source_profile");

		if (ram)
			return ram;
		if (s2s_account_get(acct, "sts_endpoint"))
			return NULL;
		if (s2s_account_get(acct, "region") ||
		    !s2s_chain__is_hop(acct) || !src)
			break;
		acct = s2s_chain__account(s, src);
	}
	return S2S_RPC_RAM_ENDPOINT;
}

/* Queries for the unnamed accounts of the minted items, one each. */
static size_t unnamed(struct s2s_alias_query *q, struct s2s_login_result *res,
                      const struct s2s_mint *m)
{
	size_t n = 0;

	for (size_t i = 0; i < res->nitems; i++) {
		const struct s2s_role *r = &res->items[i].role;
		bool dup = false;

		if (m[i].rc || !m[i].creds || r->account_name ||
		    !s2s__alias_uid_ok(r->account_id))
			continue;
		for (size_t j = 0; j < n && !dup; j++)
			dup = strcmp(q[j].account_id, r->account_id) == 0;
		if (dup)
			continue;
		q[n].account_id = r->account_id;
		q[n].creds = m[i].creds;
		n++;
	}
	return n;
}

/* Name the items of account q->account_id; several profiles named by
 * profile_template get the alias in their names. */
static void apply(struct s2s_login_result *res, const struct s2s_account *acct,
                  const struct s2s_alias_query *q)
{
	const char *tmpl = s2s_account_get_str(acct, "profile_template",
	                                       "{account}-{role}");

	for (size_t i = 0; i < res->nitems; i++) {
		struct s2s_login_item *it = &res->items[i];
		struct s2s_error ignore = S2S_ERROR_INIT;
		char *name, *profile;

		if (it->role.account_name ||
		    strcmp(it->role.account_id, q->account_id) != 0)
			continue;
		name = strdup(q->alias);
		if (!name)
			return;
		it->role.account_name = name;
		if (res->nitems < 2)
			continue;
		profile = s2s_choice_profile(tmpl, &it->role);
		if (profile && !s2s_profile_check(profile, &ignore)) {
			free(it->profile);
			it->profile = profile;
		} else {
			free(profile);
		}
	}
}

void s2s_alias__after_login(struct s2s_session *s,
                            const struct s2s_account *acct,
                            const struct s2s_login_opts *o,
                            struct s2s_login_result *res,
                            const struct s2s_mint *m)
{
	const char *endpoint = ram_endpoint(s, acct, o);
	struct s2s_alias_query *q = NULL;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_http *http = NULL;
	size_t n;

	if (!endpoint || !res->nitems || !s2s_url_allowed(endpoint))
		return;
	q = calloc(res->nitems, sizeof(*q));
	n = q ? unnamed(q, res, m) : 0;
	if (n && s2s_session_http(&http, s, acct, &err) == S2S_OK)
		s2s_alias_fetch(q, n, http, endpoint, S2S_ALIAS_TIMEOUT_MS);
	for (size_t i = 0; http && i < n; i++) {
		struct s2s_error e = S2S_ERROR_INIT;

		if (!q[i].alias)
			continue;
		if (s2s_alias_save(q[i].account_id, q[i].alias, &e))
			s2s_session__eventf(s, S2S_EVENT_VERBOSE,
			                    "alias of %s not kept: %s",
			                    q[i].account_id, e.msg);
		else
			s2s_session__eventf(
			        s, S2S_EVENT_VERBOSE,
			        "account %s is '%s' (RAM GetAccountAlias)",
			        q[i].account_id, q[i].alias);
		apply(res, acct, &q[i]);
	}
	for (size_t i = 0; q && i < n; i++)
		free(q[i].alias);
	free(q);
	s2s_http_free(http);
}
