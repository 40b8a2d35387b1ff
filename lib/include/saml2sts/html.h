/* SPDX-License-Identifier: MIT */
/*
 * HTML form discovery with libxml2's HTML parser (no network, no DTD,
 * entities decoded): every <form> of a page with its resolved action URL
 * and its successful controls, plus the page title and any meta refresh.
 * Form values are treated as secrets (a form may carry a SAMLResponse or
 * a password) and wiped when the page is freed.  No HTTP here.
 */
#ifndef S2S_HTML_H
#define S2S_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

struct s2s_form_field {
	char *name;     /* never NULL */
	char *value;    /* entity-decoded; never NULL (may be "") */
	char *type;     /* lowercase input type ("text", "hidden", "password",
	                   "email", "submit", "checkbox", ...), "select",
	                   "textarea" or "button" */
	char *id;       /* or NULL */
	bool checked;   /* for checkbox/radio */
	bool submitter; /* the button that submits: sent by s2s_form_encode */
};

struct s2s_form {
	char *action; /* absolute URL: resolved against the page URL; an empty,
	                 missing, "?" or "#" action follows HTML rules */
	char *method; /* "GET" or "POST" (uppercase; default GET) */
	char *id;     /* or NULL */
	char *name;   /* or NULL */
	struct s2s_form_field *fields;
	size_t nfields;
};

struct s2s_html_page {
	char *url;         /* the page URL (copied) */
	char *title;       /* whitespace-collapsed, or NULL */
	char *refresh_url; /* absolute URL of <meta http-equiv=refresh>, or NULL
	                    */
	struct s2s_form *forms;
	size_t nforms;
};

/* Parse html (len bytes, any charset libxml2 detects) fetched from url.
 * Fails only on ENOMEM or input over 8 MiB; a page without forms is
 * S2S_OK with nforms = 0. */
s2s_err s2s_html_parse(struct s2s_html_page **out, const char *url,
                       const char *html, size_t len, struct s2s_error *err);

/* Wipe and free; NULL is a no-op. */
void s2s_html_page_free(struct s2s_html_page *page);

/* The first field called name (case-sensitive), or NULL; borrowed. */
struct s2s_form_field *s2s_form_field_find(const struct s2s_form *form,
                                           const char *name);

/* The first field whose type is type, or NULL; borrowed. */
struct s2s_form_field *s2s_form_field_by_type(const struct s2s_form *form,
                                              const char *type);

/* The first form with a field called name, or NULL; borrowed. */
struct s2s_form *s2s_html_form_with_field(const struct s2s_html_page *page,
                                          const char *name);

/* The first form with a field of type type, or NULL; borrowed. */
struct s2s_form *s2s_html_form_with_type(const struct s2s_html_page *page,
                                         const char *type);

/* The field called names[0] in the first form that has one, else
 * names[1], ... (names is NULL-terminated): for inputs an IdP names in
 * one of several ways, such as a one-time code's.  *form_out gets its
 * form; both are borrowed from page.  NULL (*form_out untouched) when no
 * form has any of them. */
struct s2s_form_field *s2s_html_field_by_names(struct s2s_form **form_out,
                                               const struct s2s_html_page *page,
                                               const char *const *names);

/* Set field name to value (adding a "text" field when absent); the old
 * value is wiped. */
s2s_err s2s_form_set(struct s2s_form *form, const char *name, const char *value,
                     struct s2s_error *err);

/* Encode the form's successful controls as
 * application/x-www-form-urlencoded into out (which should be secret):
 * unchecked checkboxes/radios, buttons and submit inputs are left out,
 * except a field marked as the submitter.
 */
s2s_err s2s_form_encode(const struct s2s_form *form, struct s2s_buf *out,
                        struct s2s_error *err);

/* The text of the first element of html whose attribute attr is value
 * ("id" compares the whole value, "class" one of its words), with
 * whitespace collapsed, into *out (caller frees; NULL when there is no
 * such element).  For reading an IdP's error or status line. */
s2s_err s2s_html_find_text(char **out, const char *html, size_t len,
                           const char *attr, const char *value,
                           struct s2s_error *err);

#endif
