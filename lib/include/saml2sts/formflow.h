/* SPDX-License-Identifier: MIT */
/*
 * Form-flow helpers for adapters that drive HTML login pages the way a
 * browser with JavaScript off would: pick the username input, fill the
 * login form through the prompter, press the default (or a named)
 * button, submit by GET or POST, spot the SAMLResponse form and word an
 * "IdP page not understood" error.  No IdP-specific logic here.
 */
#ifndef S2S_FORMFLOW_H
#define S2S_FORMFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "adapter.h"
#include "html.h"
#include "http.h"

/* True if action is Alibaba Cloud's ACS on either site. */
bool s2s_formflow_is_alibaba_acs(const char *action);

/* The username input of a login form: a visible text/email/tel input,
 * preferring one whose name says so; borrowed, or NULL. */
struct s2s_form_field *s2s_formflow_username_field(const struct s2s_form *form);

/* Number of controls a user sees (not hidden, submit, button, image or
 * reset). */
size_t s2s_formflow_count_visible(const struct s2s_form *form);

/* True for a form a page's script would post at once: a POST with
 * fields, none of them visible (SAML and WS-Fed hops, "continue"
 * pages). */
bool s2s_formflow_is_autopost(const struct s2s_form *form);

/* Mark the button called name as the submitter; when the form has no
 * such control, add name="" (Spring Web Flow reads only the name). */
s2s_err s2s_formflow_press(struct s2s_form *form, const char *name,
                           struct s2s_error *err);

/* Fill the username input (and the password input when with_password)
 * with s2s_adapter_username()/s2s_adapter_password(). */
s2s_err s2s_formflow_fill_login(struct s2s_adapter_ctx *ctx,
                                struct s2s_form *form, bool with_password);

/* Ask the prompter for a one-time code (S2S_PROMPT_OTP, shown as text)
 * and set form's field name to it (name may be borrowed from form).
 * S2S_ENEEDINPUT when there is no prompter and S2S_ECANCELLED for an
 * empty answer, their messages naming the code as what ("one-time
 * code").  The code is kept only in form (secret). */
s2s_err s2s_formflow_fill_code(struct s2s_adapter_ctx *ctx,
                               struct s2s_form *form, const char *name,
                               const char *text, const char *what);

/* Submit form as a browser would (its default button is pressed unless
 * a submitter is already marked) and replace *resp with the answer. */
s2s_err s2s_formflow_submit(struct s2s_adapter_ctx *ctx, struct s2s_form *form,
                            struct s2s_http_response *resp);

/* Copy the SAMLResponse value of form into saml_b64 (secret). */
s2s_err s2s_formflow_take_saml(struct s2s_adapter_ctx *ctx,
                               const struct s2s_form *form,
                               struct s2s_buf *saml_b64);

/* S2S_EIDP "IdP page not understood at <url without query> (HTTP n,
 * title "...")". */
s2s_err s2s_formflow_unrecognised(struct s2s_adapter_ctx *ctx,
                                  const struct s2s_html_page *page,
                                  long status);

/* The SP entity id of the configured Alibaba Cloud site (the one whose
 * ACS is ctx->site_acs_url, else the account's site key): what
 * IdP-initiated URLs name as the relying party. */
const char *s2s_formflow_sp_entity(const struct s2s_adapter_ctx *ctx);

/* The IdP-initiated URL: the account's url as is when it already
 * contains marker, else url (without a trailing '/') + path + '?' +
 * param=<percent-encoded SP entity id>.  Caller frees. */
s2s_err s2s_formflow_initiate_url(char **out, const struct s2s_adapter_ctx *ctx,
                                  const char *marker, const char *path,
                                  const char *param);

#endif
