/* SPDX-License-Identifier: MIT */
/*
 * The login driver and the adapter helpers: it validates the account,
 * gives the adapter zeroed private state, runs authenticate(), and wipes
 * the state afterwards.  It never names an adapter.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common.h"
#include "saml2sts/adapter.h"
#include "saml2sts/login.h"
#include "saml2sts/secret.h"
#include "saml2sts/totp.h"
#include "saml2sts/url.h"

const char *s2s_adapter_name(const struct s2s_adapter *a)
{
	return a->name;
}

const char *s2s_adapter_summary(const struct s2s_adapter *a)
{
	return a->summary;
}

unsigned int s2s_adapter_features(const struct s2s_adapter *a)
{
	return a->features;
}

const char *const *s2s_adapter_aliases(const struct s2s_adapter *a)
{
	return a->aliases;
}

const char *const *s2s_adapter_config_keys(const struct s2s_adapter *a)
{
	return a->config_keys;
}

const char *s2s_adapter_config_ns(const struct s2s_adapter *a)
{
	return a->config_ns ? a->config_ns : a->name;
}

bool s2s_adapter_usable(const struct s2s_adapter *a)
{
	return !a->probe || a->probe();
}

bool s2s_adapter_supports(const struct s2s_adapter *a, unsigned int features)
{
	return (a->features & features) == features;
}

s2s_err s2s_adapter_username(struct s2s_adapter_ctx *ctx, struct s2s_buf *out)
{
	s2s_err rc;

	s2s_buf_reset(out);
	if (ctx->username && *ctx->username) {
		if (s2s_buf_puts(out, ctx->username))
			return s2s_error_set(ctx->err, S2S_ENOMEM,
			                     "out of memory");
		return S2S_OK;
	}
	if (!ctx->prompter || !ctx->prompter->ask)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "a username is needed: set username in "
		                     "the config or pass --username");
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_USERNAME,
	                        "Username", out, ctx->err);
	if (!rc && out->len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "no username given");
	return rc;
}

/* The account's IdP URL: the adapter's url_key, else its url_default,
 * else url. */
static const char *idp_url(const struct s2s_adapter *a,
                           const struct s2s_account *acct, const char **key)
{
	const char *url = NULL;

	*key = a && a->url_key ? a->url_key : "url";
	url = s2s_account_get(acct, *key);
	if (!url && a && a->url_key && a->url_default)
		url = a->url_default;
	if (!url) {
		*key = "url";
		url = s2s_account_get(acct, *key);
	}
	return url;
}

/* Is host named by idp_hosts ("idp.example.com *.example.com", blanks
 * or commas between)? */
static bool listed_host(const char *list, const char *host)
{
	size_t hl = strlen(host), n;

	for (const char *p = list; p && *p; p += n) {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n == hl && strncasecmp(p, host, n) == 0)
			return true;
		if (n > 2 && p[0] == '*' && p[1] == '.' && hl > n - 1 &&
		    strncasecmp(host + hl - (n - 1), p + 1, n - 1) == 0)
			return true;
	}
	return false;
}

s2s_err s2s_adapter_password_dest(struct s2s_adapter_ctx *ctx, const char *dest)
{
	const char *key, *url = idp_url(ctx->adapter, ctx->acct, &key);
	char *host = NULL, *home = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(dest);
	rc = s2s_url_host(&host, dest, ctx->err);
	if (!rc && url)
		rc = s2s_url_host(&home, url, ctx->err);
	if (rc)
		goto out;
	if (home && strcmp(host, home) == 0)
		goto out;
	if (listed_host(s2s_account_get(ctx->acct, "idp_hosts"), host))
		goto out;
	rc = s2s_error_set(ctx->err, S2S_EIDP,
	                   "not sending the password to %s, which is not "
	                   "the host of %s (%s): check the URL, or if your "
	                   "IdP signs in there, run saml2sts configure --set "
	                   "idp_hosts=%s",
	                   host, key, home ? home : "unset", host);
out:
	free(host);
	free(home);
	return rc;
}

s2s_err s2s_adapter_password(struct s2s_adapter_ctx *ctx, const char *dest,
                             struct s2s_buf *out)
{
	s2s_err rc;

	s2s_buf_reset(out);
	rc = s2s_adapter_password_dest(ctx, dest);
	if (rc)
		return rc;
	if (ctx->kept && ctx->kept->get) {
		rc = ctx->kept->get(ctx->kept->payload, "idp-password", out,
		                    ctx->err);
		if (rc != S2S_ENOTFOUND)
			return rc;
		s2s_error_clear(ctx->err);
		s2s_buf_reset(out);
	}
	if (!ctx->prompter || !ctx->prompter->ask)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "a password is needed");
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_PASSWORD,
	                        "Password", out, ctx->err);
	if (!rc && out->len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "no password given");
	return rc;
}

s2s_err s2s_adapter_wait_settings(const struct s2s_account *acct,
                                  const char *ns, long timeout_s_def,
                                  long poll_ms_def, long *timeout_s,
                                  long *poll_ms, struct s2s_error *err)
{
	char key[96];
	s2s_err rc;

	snprintf(key, sizeof(key), "%s.push_timeout", ns);
	rc = s2s_account_get_long(timeout_s, acct, key, 1, 3600, timeout_s_def,
	                          err);
	snprintf(key, sizeof(key), "%s.poll_interval", ns);
	if (!rc)
		rc = s2s_account_get_long(poll_ms, acct, key, 50, 60000,
		                          poll_ms_def, err);
	return rc;
}

bool s2s_adapter_keeps_totp(const struct s2s_adapter_ctx *ctx)
{
	char key[96];
	const char *v;

	if (!ctx->kept || !ctx->kept->get || !ctx->adapter)
		return false;
	snprintf(key, sizeof(key), "%s.totp_seed", ctx->adapter->name);
	v = s2s_account_get(ctx->acct, key);
	return v && strcmp(v, "keyring") == 0;
}

bool s2s_adapter_can_prompt(const struct s2s_adapter_ctx *ctx)
{
	const struct s2s_prompter *p = ctx->prompter;

	return p && p->ask &&
	       (!p->can_ask || p->can_ask(p->payload, S2S_PROMPT_OTP));
}

void s2s_adapter_verbose(struct s2s_adapter_ctx *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!ctx->verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->verbose(ctx->verbose_payload, line);
}

s2s_err s2s_adapter_totp(struct s2s_adapter_ctx *ctx, char *out)
{
	struct s2s_buf seed = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (!s2s_adapter_keeps_totp(ctx))
		return s2s_error_set(ctx->err, S2S_ENOTFOUND,
		                     "no TOTP seed stored");
	rc = ctx->kept->get(ctx->kept->payload, S2S_TOTP_SEED_KIND, &seed,
	                    ctx->err);
	if (!rc && s2s_buf_terminate(&seed))
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_totp_from_seed(out, seed.ptr, (int64_t)time(NULL),
		                        ctx->err);
	s2s_buf_release(&seed);
	return rc;
}

s2s_err s2s_adapter_seed_code(struct s2s_adapter_ctx *ctx, const char *idp,
                              struct s2s_buf *code)
{
	char otp[S2S_OTP_MAX_DIGITS + 1];
	s2s_err rc = s2s_adapter_totp(ctx, otp);

	if (!rc && s2s_buf_puts(code, otp))
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	s2s_memzero(otp, sizeof(otp));
	if (rc == S2S_ENOTFOUND) {
		s2s_error_clear(ctx->err);
		rc = s2s_error_set(ctx->err, S2S_EMFA,
		                   "%s: no TOTP seed in the keyring for '%s' "
		                   "(run saml2sts -a %s configure "
		                   "--totp-secret-stdin)",
		                   idp, s2s_account_name(ctx->acct),
		                   s2s_account_name(ctx->acct));
	}
	return rc;
}

s2s_err s2s_adapter_ask_code(struct s2s_adapter_ctx *ctx, const char *idp,
                             const char *text, struct s2s_buf *code)
{
	s2s_err rc;

	if (!s2s_adapter_can_prompt(ctx))
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "%s: a one-time code is needed: run "
		                     "saml2sts login on a terminal",
		                     idp);
	rc = ctx->prompter->ask(ctx->prompter->payload, S2S_PROMPT_OTP, text,
	                        code, ctx->err);
	if (!rc && code->len == 0)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED,
		                   "%s: no one-time code given", idp);
	return rc;
}

/* Does the namespace of key (its n bytes before the '.') belong to a?
 * with_aliases also counts the name and the aliases. */
static bool owns_ns(const struct s2s_adapter *a, const char *key, size_t n,
                    bool with_aliases)
{
	const char *ns = s2s_adapter_config_ns(a);

	if (strlen(ns) == n && strncmp(ns, key, n) == 0)
		return true;
	if (!with_aliases)
		return false;
	if (strlen(a->name) == n && strncmp(a->name, key, n) == 0)
		return true;
	for (size_t i = 0; a->aliases && a->aliases[i]; i++)
		if (strlen(a->aliases[i]) == n &&
		    strncmp(a->aliases[i], key, n) == 0)
			return true;
	return false;
}

static bool declares(const struct s2s_adapter *a, const char *name)
{
	for (size_t i = 0; a->config_keys && a->config_keys[i]; i++)
		if (strcmp(a->config_keys[i], name) == 0)
			return true;
	return false;
}

struct keycheck {
	const struct s2s_adapter *const *table; /* or NULL: own only */
	const struct s2s_adapter *own;          /* when table is NULL */
	const struct s2s_account *acct;
	struct s2s_error *err;
};

/* "<file>:<line>: ..." like the config parser, or "<file>: [account]
 * ..." for a key set programmatically. */
static s2s_err unknown_key(const struct keycheck *kc, const char *key,
                           unsigned int line, const char *fix)
{
	if (line)
		return s2s_error_set(
		        kc->err, S2S_ECONFIG, "%s:%u: unknown key '%.64s' %s",
		        s2s_account_file(kc->acct), line, key, fix);
	return s2s_error_set(kc->err, S2S_ECONFIG,
	                     "%s: [%s] unknown key '%.64s' %s",
	                     s2s_account_file(kc->acct),
	                     s2s_account_name(kc->acct), key, fix);
}

static s2s_err check_key(const char *key, unsigned int line, void *payload)
{
	const struct keycheck *kc = payload;
	const char *dot = strchr(key, '.');
	const struct s2s_adapter *owner = NULL;
	char fix[128];
	size_t n;

	if (!dot)
		return S2S_OK; /* a core key: the config parser's */
	n = (size_t)(dot - key);
	if (!kc->table) {
		if (!owns_ns(kc->own, key, n, false) ||
		    declares(kc->own, dot + 1))
			return S2S_OK;
		owner = kc->own;
	}
	for (size_t i = 0; kc->table && kc->table[i]; i++) {
		if (!owns_ns(kc->table[i], key, n, true))
			continue;
		if (declares(kc->table[i], dot + 1) &&
		    owns_ns(kc->table[i], key, n, false))
			return S2S_OK;
		if (!owner)
			owner = kc->table[i];
	}
	if (owner)
		snprintf(fix, sizeof(fix),
		         "for adapter %s: remove it or see its settings in "
		         "saml2sts adapters",
		         owner->name);
	else
		snprintf(fix, sizeof(fix),
		         "(no adapter '%.*s'): remove it or fix the name",
		         (int)(n < 32 ? n : 32), key);
	return unknown_key(kc, key, line, fix);
}

s2s_err s2s_adapter_check_keys(const struct s2s_adapter *const *table,
                               const struct s2s_account *acct,
                               struct s2s_error *err)
{
	struct keycheck kc = { .table = table, .acct = acct, .err = err };

	S2S_ASSERT_ARG(table);
	return s2s_account_foreach(acct, check_key, &kc);
}

/* The one URL policy: https, or http only to a loopback host. */
static s2s_err check_url(const struct s2s_adapter *a,
                         const struct s2s_account *acct, struct s2s_error *err)
{
	const char *key, *url = idp_url(a, acct, &key);

	if (!s2s_url_allowed(url))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "%s must be https (http only to a "
		                     "loopback address)",
		                     key);
	return S2S_OK;
}

/* <adapter>.totp_seed, for every adapter that declares it, says where
 * the seed is, and only the keyring holds one (configure
 * --totp-secret-stdin puts it there). */
static s2s_err check_seed(const struct s2s_adapter *a,
                          const struct s2s_account *acct, struct s2s_error *err)
{
	char key[96];
	const char *seed;

	if (!declares(a, "totp_seed"))
		return S2S_OK;
	snprintf(key, sizeof(key), "%s.totp_seed", s2s_adapter_config_ns(a));
	seed = s2s_account_get(acct, key);
	if (seed && strcmp(seed, "keyring") != 0)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "%s must be keyring (set by configure "
		                     "--totp-secret-stdin)",
		                     key);
	return S2S_OK;
}

s2s_err s2s_login_validate(const struct s2s_adapter *a,
                           const struct s2s_account *acct,
                           struct s2s_error *err)
{
	struct keycheck kc = { .own = a, .acct = acct, .err = err };
	s2s_err rc;

	if (!s2s_account_get(acct, "url"))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "account '%s' has no url: run saml2sts "
		                     "configure --url URL",
		                     s2s_account_name(acct));
	rc = check_url(a, acct, err);
	if (!rc)
		rc = s2s_account_foreach(acct, check_key, &kc);
	if (!rc)
		rc = check_seed(a, acct, err);
	if (!rc && a->validate)
		rc = a->validate(acct, err);
	return rc;
}

s2s_err s2s_login(const struct s2s_login_params *p, struct s2s_buf *saml_b64,
                  struct s2s_error *err)
{
	const struct s2s_adapter *a = p->adapter;
	struct s2s_adapter_ctx ctx = { 0 };
	s2s_err rc;

	S2S_ASSERT_ARG(a && p->acct && p->http && saml_b64);
	rc = s2s_login_validate(a, p->acct, err);
	if (rc)
		return rc;
	ctx.adapter = a;
	ctx.acct = p->acct;
	ctx.http = p->http;
	ctx.prompter = p->prompter;
	ctx.site_acs_url = p->site_acs_url;
	ctx.username = p->username;
	ctx.err = err;
	ctx.flags = p->flags;
	ctx.kept = p->kept;
	ctx.cancel = p->cancel;
	ctx.verbose = p->verbose;
	ctx.verbose_payload = p->verbose_payload;
	if (a->priv_size) {
		ctx.priv = calloc(1, a->priv_size);
		if (!ctx.priv)
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	rc = a->authenticate(&ctx, saml_b64);
	if (!rc && saml_b64->len == 0)
		rc = s2s_error_set(err, S2S_EIDP,
		                   "adapter %s returned no SAMLResponse",
		                   a->name);
	if (a->release)
		a->release(&ctx);
	s2s_freezero(ctx.priv, a->priv_size);
	return rc;
}
