/* SPDX-License-Identifier: MIT */
/*
 * The page loop of the HTML-driving adapters (form, adfs, shibboleth,
 * keycloak): fetch the first page, then for each page up to a bound,
 * stop on cancel, fail on HTTP 5xx, take the SAMLResponse form, else let
 * the adapter's steps act on the page, else submit an auto-post form or
 * follow a meta refresh (when asked), else fail naming the page.  The
 * core owns the loop; an adapter fills the slots of its ops, as curl's
 * vtls backends do.  It holds no IdP-specific logic.
 */
#ifndef S2S_PAGELOOP_H
#define S2S_PAGELOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "adapter.h"
#include "buf.h"
#include "html.h"
#include "http.h"

#define S2S_PAGELOOP_MAX_HOSTS 16

struct s2s_pageloop;

/* One step: look at page (parsed from resp).  A step that acts on the
 * page sets *handled and leaves the next page in resp (or returns an
 * error); one that does not recognise it leaves *handled false and the
 * next step looks. */
typedef s2s_err (*s2s_pageloop_step_fn)(bool *handled,
                                        struct s2s_pageloop *loop,
                                        struct s2s_html_page *page,
                                        struct s2s_http_response *resp);

enum s2s_pageloop_flags {
	/* submit the first hidden-only POST form no step took */
	S2S_PAGELOOP_AUTOPOST = 1u << 0,
	/* follow <meta http-equiv=refresh> when no step took the page */
	S2S_PAGELOOP_REFRESH = 1u << 1,
};

struct s2s_pageloop_ops {
	const char *idp;    /* in messages: "AD FS answered HTTP 503" */
	const char *pages;  /* "no SAMLResponse after 16 <pages> pages" */
	int max_steps;      /* pages looked at, at most */
	unsigned int flags; /* enum s2s_pageloop_flags */
	/* Optional: the first page into resp; NULL GETs the account's url. */
	s2s_err (*start)(struct s2s_pageloop *loop,
	                 struct s2s_http_response *resp);
	/* Optional: is this SAMLResponse form the one to take (true), or a
	 * hop inside the IdP's own federation to post on (false)?  NULL
	 * takes every SAMLResponse form. */
	bool (*saml_final)(struct s2s_pageloop *loop,
	                   const struct s2s_form *form);
	/* NULL-terminated, tried in order on each page. */
	const s2s_pageloop_step_fn *steps;
	/* For s2s_pageloop_code_step: the names of a one-time-code input,
	 * tried in order, and what to do with the form holding it (ask,
	 * fill, submit into resp). */
	const char *const *code_names;
	s2s_err (*code)(struct s2s_pageloop *loop, struct s2s_form *form,
	                struct s2s_form_field *field,
	                struct s2s_http_response *resp);
};

struct s2s_pageloop {
	struct s2s_adapter_ctx *ctx;        /* borrowed */
	const struct s2s_pageloop_ops *ops; /* borrowed */
	void *state;                        /* the adapter's, for its steps */
	/* Set by a step: this page does not count towards max_steps (a
	 * poll that another timeout bounds).  Cleared by the core. */
	bool uncounted;
	/* The core's: hosts of the pages seen in this login. */
	char *hosts[S2S_PAGELOOP_MAX_HOSTS];
	size_t nhosts;
};

/* A step for an adapter's steps list: a page with an input named by
 * ops->code_names goes to ops->code. */
s2s_err s2s_pageloop_code_step(bool *handled, struct s2s_pageloop *loop,
                               struct s2s_html_page *page,
                               struct s2s_http_response *resp);

/**
 * Run the loop until a SAMLResponse is taken into saml_b64 (secret).
 * @param state the adapter's, handed to its steps as loop->state
 * @return S2S_OK, S2S_ECANCELLED when *ctx->cancel was set, S2S_ENET on
 *         HTTP 5xx, S2S_EIDP after max_steps pages or on a page nobody
 *         understood, or a step's error
 */
s2s_err s2s_pageloop_run(struct s2s_adapter_ctx *ctx,
                         const struct s2s_pageloop_ops *ops, void *state,
                         struct s2s_buf *saml_b64);

/* True if a page of this login came from the host of url. */
bool s2s_pageloop_visited(const struct s2s_pageloop *loop, const char *url);

#endif
