/* SPDX-License-Identifier: MIT */
/*
 * Private to the cloudsso source: its state and the portal calls shared
 * by source_cloudsso.c (the source: validation, calls to the portal, the
 * paged listings, minting, refresh) and cloudsso_device.c (the device
 * login with PKCE and polling; the access token kept in the store).
 * Nothing here is seen outside lib/.
 */
#ifndef S2S_CLOUDSSO_INT_H
#define S2S_CLOUDSSO_INT_H

#include <stdbool.h>
#include <time.h>

#include "saml2sts/buf.h"
#include "saml2sts/error.h"
#include "saml2sts/source.h"

struct json_object;
struct s2s_http;

struct sso_state {
	const char *url; /* the sign-in URL (the account's, borrowed) */
	char *portal;    /* scheme://host[:port] of the portal API */
	char *host;      /* its host, for messages */
	char *region;    /* the directory's region, or NULL */
	const char *client_id;
	struct s2s_http *http;
	struct s2s_buf token; /* secret: the access token */
	time_t token_exp;
	bool kept; /* the token came from the store */
};

/* One answer of the portal. */
struct sso_reply {
	long status;
	struct json_object *obj; /* the body when it is a JSON object */
	const char *code;        /* ErrorCode, or NULL (borrowed from obj) */
	const char *message;     /* ErrorMessage, or NULL */
};

/* ---- source_cloudsso.c ----------------------------------------------- */

/* S2S_ENOMEM with its message in ctx->err. */
s2s_err s2s_cloudsso__nomem(struct s2s_source_ctx *ctx);

/* Put rp's body (wiped) and zero rp; rp may be reused. */
void s2s_cloudsso__reply_release(struct sso_reply *rp);

/* Sleep ms, or less when cancelled (S2S_ECANCELLED). */
s2s_err s2s_cloudsso__nap(struct s2s_source_ctx *ctx, long ms);

/* A call to the portal at path: GET with query, or POST with the JSON
 * body; with st->token as Bearer when bearer; 5xx and transport failures
 * tried again unless once.  S2S_OK with rp filled for any answer below
 * 500 (the caller releases rp); S2S_ENET, S2S_ETLS or S2S_ECANCELLED. */
s2s_err s2s_cloudsso__call(struct s2s_source_ctx *ctx, struct sso_state *st,
                           const char *path, const struct s2s_buf *query,
                           const struct s2s_buf *body, bool bearer, bool once,
                           struct sso_reply *rp);

/* S2S_ESTS for a 4xx answer rp to what, naming the portal's code. */
s2s_err s2s_cloudsso__refused(struct s2s_source_ctx *ctx,
                              const struct sso_state *st, const char *what,
                              const struct sso_reply *rp);

/* S2S_EIDP: the answer to what lacks field. */
s2s_err s2s_cloudsso__not_understood(struct s2s_source_ctx *ctx,
                                     const struct sso_state *st,
                                     const char *what, const char *field);

/* ---- cloudsso_device.c ----------------------------------------------- */

/* An access token in st->token: the kept one while it lives, else
 * (unless the source is silent) a device login, kept in the store; a
 * silent source without one gets S2S_ENEEDINPUT naming the login. */
s2s_err s2s_cloudsso__sign_in(struct s2s_source_ctx *ctx, struct sso_state *st);

/* Drop st->token and the kept one (a refused sign-in); best effort. */
void s2s_cloudsso__token_forget(struct s2s_source_ctx *ctx,
                                struct sso_state *st);

#endif
