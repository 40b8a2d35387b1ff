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

/* Send one event line to the front end. */
void s2s_session__event(struct s2s_session *s, enum s2s_event ev,
                        const char *fmt, va_list ap) S2S_PRINTF(3, 0);

/* The same with the arguments in line. */
void s2s_session__eventf(struct s2s_session *s, enum s2s_event ev,
                         const char *fmt, ...) S2S_PRINTF(3, 4);

#endif
