/* SPDX-License-Identifier: MIT */
/*
 * JSON helpers private to lib/: the public ones (saml2sts/json.h) plus
 * quoting a string and case-insensitive member lookups.  Nothing here is
 * for adapters or the CLI.
 */
#ifndef S2S_JSON_H
#define S2S_JSON_H

#include "saml2sts/json.h"

/* Append s as a quoted JSON string. */
s2s_err s2s__json_str(struct s2s_buf *out, const char *s);

/* The member of obj called name, compared case-insensitively; borrowed. */
struct json_object *s2s__json_get(struct json_object *obj, const char *name);

/* The string member name (case-insensitive), or NULL; borrowed. */
const char *s2s__json_get_str(struct json_object *obj, const char *name);

#endif
