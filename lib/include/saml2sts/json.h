/* SPDX-License-Identifier: MIT */
/*
 * JSON helpers for lib/, adapters and the CLI (json-c underneath): writing
 * a "name":"value" member into a (secret) buffer without intermediate
 * copies, parsing an object, and wiping json-c's strings before they are
 * freed, and reading a member by its path.
 */
#ifndef S2S_PUBLIC_JSON_H
#define S2S_PUBLIC_JSON_H

#include <json-c/json.h>

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Append "name":"value" (value escaped), preceded by ',' unless first. */
s2s_err s2s_json_member(struct s2s_buf *out, bool first, const char *name,
                        const char *value);

/* Parse len bytes into an object (NULL when not a JSON object); release
 * it with s2s_json_put_wiped. */
struct json_object *s2s_json_parse(const char *text, size_t len);

/* The member of obj at path: names (exact case) joined by '.', as
 * "_embedded.factor.profile"; NULL when a step is missing or not an
 * object.  Borrowed from obj. */
struct json_object *s2s_json_at(struct json_object *obj, const char *path);

/* The string at path, or NULL (absent, null or not a string). */
const char *s2s_json_str_at(struct json_object *obj, const char *path);

/* The same, also giving an integer as its decimal text (APIs that send
 * ids and codes either way). */
const char *s2s_json_text_at(struct json_object *obj, const char *path);

/* Wipe every string in obj, then release it. */
void s2s_json_put_wiped(struct json_object *obj);

#endif
