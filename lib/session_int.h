/* SPDX-License-Identifier: MIT */
/*
 * The session object, shared by the engine (session.c) and the services
 * it gives sources (source.c).  Private to lib/.
 */
#ifndef S2S_SESSION_INT_H
#define S2S_SESSION_INT_H

#include "saml2sts/adapter.h"
#include "saml2sts/session.h"
#include "saml2sts/source.h"

struct s2s_lock;

struct s2s_session {
	struct s2s_session_opts o;
	struct s2s_store *store;
	/* The account being logged in (for kept secrets), or NULL. */
	const struct s2s_account *acct;
	/* The login's --username, or NULL: secrets kept for the account's
	 * configured user are not handed to another one. */
	const char *username;
	/* This login's password is the prompter's (not given up front,
	 * not kept): a rejected one may be asked again. */
	bool password_prompted;
	struct s2s_kept kept;
	struct s2s_prompter refuse; /* ask() says S2S_ENEEDINPUT */
};

/* The built-in sources (one file each). */
extern const struct s2s_source s2s_source_saml;
extern const struct s2s_source s2s_source_assume_role;
extern const struct s2s_source s2s_source_cloudsso;

/* Take the lock called name in the lock directory (bounded wait); a
 * lock directory that is not trusted is a verbose event. */
s2s_err s2s_session__lock(struct s2s_lock **out, struct s2s_session *s,
                          const char *name, struct s2s_error *err);

/* One run of an account's source (session.c): run_start validates the
 * account and sets up the source's context, run_grants asks it for the
 * roles (named and sorted), run_end releases it. */
struct run {
	const struct s2s_source *src;
	struct s2s_source_ctx ctx;
	struct s2s_login_opts none;
};
s2s_err s2s_session__run_start(struct run *r, struct s2s_session *s,
                               const struct s2s_account *acct,
                               const struct s2s_login_opts *o,
                               unsigned int flags, struct s2s_error *err);
s2s_err s2s_session__run_grants(struct run *r, struct s2s_grants **out);
void s2s_session__run_end(struct run *r);

/* The "sts" item of profile among items, or NULL. */
const struct s2s_store_item *
s2s_session__find_sts(const struct s2s_store_item *items, size_t n,
                      const char *profile);

/* The stored credentials of profile and whether they are fresh. */
s2s_err s2s_session__read_creds(struct s2s_creds **out, bool *fresh,
                                struct s2s_session *s, const char *profile,
                                struct s2s_error *err);

/* Fill what every minted credential carries (role, account, user). */
s2s_err s2s_session__finish_creds(struct s2s_creds *c,
                                  const struct s2s_role *role,
                                  const struct s2s_account *acct,
                                  const char *username, struct s2s_error *err);

/* Send one event line to the front end. */
void s2s_session__event(struct s2s_session *s, enum s2s_event ev,
                        const char *fmt, va_list ap) S2S_PRINTF(3, 0);

/* The same with the arguments in line. */
void s2s_session__eventf(struct s2s_session *s, enum s2s_event ev,
                         const char *fmt, ...) S2S_PRINTF(3, 4);

#endif
