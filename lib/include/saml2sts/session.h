/* SPDX-License-Identifier: MIT */
/*
 * The engine: "give me fresh credentials for profile P" and "log account
 * A in and store the roles chosen" as one call each, the way libgit2's
 * git_clone() is one call that its CLI wraps.  It reads the store, applies
 * the one freshness rule, takes the per-profile lock, re-reads, refreshes
 * through the profile's source (saml, ...), stores and hands back.  Every
 * user interaction goes through the callbacks below; the engine never
 * prints, prompts by itself, exits or maps errors to exit statuses.
 */
#ifndef S2S_SESSION_H
#define S2S_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "creds.h"
#include "error.h"
#include "http.h"
#include "prompt.h"
#include "saml.h" /* struct s2s_role */
#include "store.h"

struct s2s_adapter;
struct s2s_source;
struct s2s_session;

/* How long a refresh or a login waits for another process's lock. */
#define S2S_SESSION_LOCK_MS 120000L

/* How often a login asks for a password typed at the prompter that the
 * IdP rejects (S2S_EAUTH), when prompting is allowed. */
#define S2S_LOGIN_TRIES 3

/* What the engine tells the front end on the way (never a secret). */
enum s2s_event {
	S2S_EVENT_VERBOSE,  /* detail for --verbose */
	S2S_EVENT_NOTICE,   /* worth saying on a terminal (store fallback) */
	S2S_EVENT_WARNING,  /* something went wrong but the call goes on */
	S2S_EVENT_WAIT_END, /* an IdP wait (MFA push) is over: stop spinners */
};

/* A choice among roles for the picker. */
struct s2s_pick {
	const char *account;          /* the IdP account (config section) */
	const struct s2s_role *roles; /* account_name filled where known */
	size_t nroles;
};

/* A device login waiting for the user (CloudSSO): open uri_complete (or
 * uri and type user_code) before expires_at. */
struct s2s_device_code {
	const char *uri;
	const char *uri_complete; /* or NULL */
	const char *user_code;
	time_t expires_at;
};

struct s2s_session_cb {
	/* Questions on the terminal (username, password, OTP, choices) and
	 * "approve on your phone" notes; ask() gives S2S_ENEEDINPUT when
	 * prompting is not allowed.  Never called during a refresh. */
	const struct s2s_prompter *prompter;
	/* Choose among req's roles: indexes into req->roles in idx (room
	 * for req->nroles), their count in *n.  S2S_ECANCELLED when the
	 * user gives up.  Called only when there is a choice to make and
	 * prompting is allowed. */
	s2s_err (*pick)(void *payload, const struct s2s_pick *req, size_t *idx,
	                size_t *n, struct s2s_error *err);
	/* One line of text (no newline) for the front end to show or not. */
	void (*event)(void *payload, enum s2s_event ev, const char *text);
	/* A device login's code, to show (also without a terminal) and,
	 * where there is a display, to open in a browser. */
	void (*device_code)(void *payload, const struct s2s_device_code *dc);
	/* The file store's passphrase (secret). */
	s2s_err (*passphrase)(void *payload, struct s2s_buf *out,
	                      struct s2s_error *err);
	void *payload;
};

struct s2s_session_opts {
	const struct s2s_config *cfg; /* borrowed for the session's life */
	/* The IdP adapters (NULL-terminated registry table). */
	const struct s2s_adapter *const *adapters;
	/* Or, when adapters is NULL: called the first time a login or a
	 * refresh needs them, so that a call answered from the store never
	 * loads them (the network module). */
	const struct s2s_adapter *const *(*adapters_fn)(void);
	/* A password given up front (--password-stdin, SAML2STS_PASSWORD),
	 * borrowed, secret; NULL when none. */
	const struct s2s_buf *password;
	/* May the callbacks prompt?  false: every needed answer is
	 * S2S_ENEEDINPUT (no terminal, --skip-prompt). */
	bool can_prompt;
	/* The prompter of refreshes (s2s_session_fresh), which never use
	 * cb->prompter: one that may ask where the terminal is not the
	 * user's (a graphical prompt), or NULL: refreshes never ask. */
	const struct s2s_prompter *refresh_prompter;
	/* The saml2sts command the aliyun CLI should run (absolute path);
	 * NULL: /proc/self/exe. */
	const char *self_path;
	s2s_trace_cb trace; /* --debug: redacted HTTP trace, or NULL */
	/* Set non-zero (from a signal handler) to cancel long waits. */
	volatile sig_atomic_t *cancel;
	const struct s2s_session_cb *cb; /* never NULL */
	/* Tests: another source table (NULL-terminated); NULL for the
	 * built-in one. */
	const struct s2s_source *const *sources;
};

/* Make a session.  Nothing is opened yet: the store is opened on first
 * use.  Caller frees with s2s_session_free(). */
s2s_err s2s_session_new(struct s2s_session **out,
                        const struct s2s_session_opts *opts,
                        struct s2s_error *err);

/* Close the store and free; NULL is a no-op. */
void s2s_session_free(struct s2s_session *s);

/* True when provider names a built-in source of its own ("cloudsso",
 * ...) rather than an IdP adapter; case-insensitive.  For configure. */
bool s2s_session_provider_builtin(const char *provider);

/* The credential store, opened on first use: the backend forced by
 * SAML2STS_KEYRING_BACKEND, else the Secret Service, else (with a
 * notice event) the encrypted file store when the session bus has no
 * Secret Service or there is no bus.  A Secret Service that is there
 * but fails or does not answer in time is S2S_ESTORE.  Borrowed. */
s2s_err s2s_session_store(struct s2s_store **out, struct s2s_session *s,
                          struct s2s_error *err);

/* The account section called name, or S2S_ECONFIG "no IdP account ...:
 * run saml2sts configure ...".  Borrowed. */
s2s_err s2s_session_account(const struct s2s_account **out,
                            struct s2s_session *s, const char *name,
                            struct s2s_error *err);

/* Check the account section called name as a login would before it
 * asks anyone (its source: provider, keys, URL policy, STS endpoint,
 * durations, pinned certificate, chain), without the network, the store
 * or a prompt.  S2S_ECONFIG (or the source's code) naming the key. */
s2s_err s2s_session_check(struct s2s_session *s, const char *name,
                          struct s2s_error *err);

/* The profile an account stores under: its `profile` key, else its
 * name.  acct may be NULL.  Borrowed. */
const char *s2s_session_default_profile(const struct s2s_account *acct,
                                        const char *account_name);

/* The freshness window of DESIGN.md 6 for creds: min(refresh_window of
 * acct (default 1200 s), half the token's lifetime).  acct may be NULL.
 * S2S_ECONFIG naming the key when refresh_window is not valid. */
s2s_err s2s_session_window(long *out, const struct s2s_account *acct,
                           const struct s2s_creds *creds,
                           struct s2s_error *err);

/* The one freshness rule: true when creds have more than window seconds
 * left at now. */
bool s2s_session_is_fresh(const struct s2s_creds *creds, long window,
                          time_t now);

enum s2s_fresh_state {
	S2S_FRESH_STORED,    /* fresh in the store */
	S2S_FRESH_TAKEN,     /* another process refreshed while we waited */
	S2S_FRESH_REFRESHED, /* refreshed by this call */
	S2S_FRESH_STALE,     /* not refreshable now but still valid; why
	                      * says why */
};

struct s2s_fresh {
	struct s2s_creds *creds; /* the caller's; s2s_fresh_release() */
	enum s2s_fresh_state state;
	struct s2s_error why; /* S2S_FRESH_STALE: the refresh's failure */
};

/* Profile names: 1..S2S_PROFILE_MAX printable characters, no space,
 * not starting with '-' (it would read as an option); S2S_EINVAL
 * otherwise. */
#define S2S_PROFILE_MAX 128
s2s_err s2s_profile_check(const char *name, struct s2s_error *err);

/* The stored STS item of profile: its attributes only (account,
 * role_arn, expires); no secret is read and nothing is unlocked.  No
 * such item: S2S_ENEEDINPUT with the hint credential-process gives
 * ("no credentials for profile 'P'", naming the profiles that are
 * stored).  *out is the caller's (s2s_store_items_free(*out, 1)). */
s2s_err s2s_session_stored(struct s2s_store_item **out, struct s2s_session *s,
                           const char *profile, struct s2s_error *err);

/* Fresh credentials for profile: from the store while they are fresh,
 * else refreshed (under the profile lock, after a re-read) through the
 * profile's source without prompting.  When a refresh is impossible but
 * the token is still valid: S2S_OK with S2S_FRESH_STALE.  When it has
 * expired: S2S_ENEEDINPUT "... run saml2sts login --profile P", or the
 * refresh's own failure.  No credentials at all: S2S_ENEEDINPUT. */
s2s_err s2s_session_fresh(struct s2s_fresh *out, struct s2s_session *s,
                          const char *profile, struct s2s_error *err);

/* Free out->creds (wiping) and reset out. */
void s2s_fresh_release(struct s2s_fresh *f);

/* What a login is asked to do. */
struct s2s_login_opts {
	const char *account; /* IdP account (config section) */
	/* account is only the default (no -a given): the account that
	 * made the stored credentials of --profile takes its place */
	bool account_default;
	const char *profile;      /* --profile, or NULL */
	const char *const *roles; /* --role specs, or NULL */
	size_t nroles;
	bool all_roles;           /* --all-roles */
	bool force;               /* --force */
	const char *username;     /* --username, or NULL */
	const char *sts_endpoint; /* --sts-endpoint, or NULL */
	long duration;            /* --duration, or 0 */
	bool browser;             /* --browser */
	bool headless;            /* --headless (implies browser) */
};

/* One stored profile of a login. */
struct s2s_login_item {
	char *profile;
	struct s2s_role role;    /* a copy */
	struct s2s_creds *creds; /* NULL when this role failed */
	s2s_err rc;
	struct s2s_error err;
	long window; /* the freshness window of creds */
	/* --all-roles without --force: the profile's stored credentials
	 * for this role were still fresh and are kept (creds: them); no
	 * STS call was made for it. */
	bool kept;
};

struct s2s_login_result {
	/* Set when the stored credentials of the profile were still
	 * fresh and nothing was done (no --force). */
	struct s2s_creds *still_valid;
	char *profile; /* the profile of still_valid */
	/* One per chosen role, in the order chosen; empty when the login
	 * failed before credentials were asked for. */
	struct s2s_login_item *items;
	size_t nitems;
	/* Every role the source granted (for the error that lists them). */
	struct s2s_role *granted;
	size_t ngranted;
	bool list_granted; /* the error should be followed by the ARNs */
};

/* Log the account in (its source: an IdP adapter and STS, ...), choose
 * the roles (--role specs, --all-roles, role_arn, the only one, or the
 * pick callback), make credentials for each (in parallel), store each
 * under its profile and write the aliyun hand-off.  A profile means one
 * role: --profile P without --role (or --all-roles) re-assumes the role
 * stored under P (in P's account when account_default), and a role that
 * would replace another one stored under its profile needs --force, or
 * a yes from the prompter (a no stores it under its profile_template
 * name instead); without prompting that is S2S_ENEEDINPUT, before STS
 * is called.  Roles that fail do
 * not undo the others: the first failure is returned and every item
 * says how it went.  Before the source runs, the store is opened and
 * made ready (s2s_store_ready), so a store that cannot take the result
 * fails the login before any IdP is asked.  With --all-roles and no
 * --force, roles whose profiles hold fresh credentials for them keep
 * them (item->kept).  A password typed at the prompter that the IdP
 * rejects is asked again (S2S_LOGIN_TRIES in all, when prompting is
 * allowed; also for s2s_session_list).  *out is the caller's
 * (s2s_login_result_free), also on failure. */
s2s_err s2s_session_login(struct s2s_login_result **out, struct s2s_session *s,
                          const struct s2s_login_opts *o,
                          struct s2s_error *err);

/* NULL is a no-op. */
void s2s_login_result_free(struct s2s_login_result *r);

/* What an account may assume. */
struct s2s_grants {
	struct s2s_role *roles; /* sorted by account id, then role name */
	size_t nroles;
	char *session_name;    /* SAML RoleSessionName, or NULL */
	long session_duration; /* SAML SessionDuration, or -1 */
};

/* Log the account in and list what it may assume (nothing is stored,
 * no credentials are made).  When the login keeps a password, IdP
 * session or TOTP seed in the store, the store is opened and made ready
 * (s2s_store_ready) first; otherwise it is not touched.  *out is the
 * caller's (s2s_grants_free). */
s2s_err s2s_session_list(struct s2s_grants **out, struct s2s_session *s,
                         const struct s2s_login_opts *o, struct s2s_error *err);

/* NULL is a no-op. */
void s2s_grants_free(struct s2s_grants *g);

/* With the account's aliyun_config set, merge an External (or, opted
 * in, StsToken) profile for profile into the aliyun config.json; creds
 * may be NULL (configure). */
s2s_err s2s_session_handoff(struct s2s_session *s,
                            const struct s2s_account *acct, const char *profile,
                            const struct s2s_creds *creds,
                            struct s2s_error *err);

/* The console sign-in URL for creds (GetSigninToken at the account's
 * signin_endpoint, else the site's); dest NULL: the site's console
 * home.  *url_out is a secret (s2s_secret_free). */
s2s_err s2s_session_console_url(char **url_out, struct s2s_session *s,
                                const struct s2s_creds *creds, const char *dest,
                                struct s2s_error *err);

/* An HTTP session with the account's timeout, http_retries, the CA
 * bundle of the environment and the trace.  acct may be NULL. */
s2s_err s2s_session_http(struct s2s_http **out, struct s2s_session *s,
                         const struct s2s_account *acct, struct s2s_error *err);

#endif
