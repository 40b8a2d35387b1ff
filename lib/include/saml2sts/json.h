/* SPDX-License-Identifier: MIT */
/*
 * JSON helpers for lib/ and adapters (json-c underneath): escaping a string
 * into a (secret) buffer without intermediate copies, reading members
 * case-insensitively, and wiping json-c's strings before they are freed.
 */
#ifndef S2S_PUBLIC_JSON_H
#define S2S_PUBLIC_JSON_H

#include <json-c/json.h>

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Append s as a quoted JSON string. */
s2s_err s2s__json_str(struct s2s_buf *out, const char *s);

/* Append "name":"value" (value escaped), preceded by ',' unless first. */
s2s_err s2s__json_member(struct s2s_buf *out, bool first, const char *name,
                         const char *value);

/* The member of obj called name, compared case-insensitively; borrowed. */
struct json_object *s2s__json_get(struct json_object *obj, const char *name);

/* The string member name (case-insensitive), or NULL; borrowed. */
const char *s2s__json_get_str(struct json_object *obj, const char *name);

/* Parse len bytes into an object (NULL when not a JSON object). */
struct json_object *s2s__json_parse(const char *text, size_t len);

/* Wipe every string in obj, then release it. */
void s2s__json_put_wiped(struct json_object *obj);

#endif
