/* SPDX-License-Identifier: MIT */
/*
 * JSON helpers over json-c.  Output is written by hand into our own
 * buffers so secrets are never copied into json-c's print buffers;
 * parsed trees holding secrets are wiped before they are released.
 */
#include <stdint.h>

#include "json.h"
#include "common.h"

s2s_err s2s__json_str(struct s2s_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	s2s_err rc = s2s_buf_add(out, "\"", 1);

	for (const unsigned char *p = (const unsigned char *)s; !rc && *p;
	     p++) {
		char esc[7] = "\\u00";

		if (*p == '"' || *p == '\\') {
			esc[1] = (char)*p;
			rc = s2s_buf_add(out, esc, 2);
		} else if (*p < 0x20) {
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			rc = s2s_buf_add(out, esc, 6);
		} else {
			rc = s2s_buf_add(out, p, 1);
		}
	}
	if (!rc)
		rc = s2s_buf_add(out, "\"", 1);
	return rc;
}

s2s_err s2s_json_member(struct s2s_buf *out, bool first, const char *name,
                        const char *value)
{
	s2s_err rc = S2S_OK;

	if (!first)
		rc = s2s_buf_add(out, ",", 1);
	if (!rc)
		rc = s2s__json_str(out, name);
	if (!rc)
		rc = s2s_buf_add(out, ":", 1);
	if (!rc)
		rc = s2s__json_str(out, value ? value : "");
	return rc;
}

struct json_object *s2s__json_get(struct json_object *obj, const char *name)
{
	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	json_object_object_foreach(obj, key, val)
	{
		if (strcasecmp(key, name) == 0)
			return val;
	}
	return NULL;
}

const char *s2s__json_get_str(struct json_object *obj, const char *name)
{
	struct json_object *v = s2s__json_get(obj, name);

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *s2s_json_at(struct json_object *obj, const char *path)
{
	char name[128];

	while (obj && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(name) ||
		    !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		if (!json_object_object_get_ex(obj, name, &obj))
			return NULL;
		path += n + (path[n] == '.');
	}
	return obj;
}

const char *s2s_json_str_at(struct json_object *obj, const char *path)
{
	struct json_object *v = s2s_json_at(obj, path);

	return json_object_is_type(v, json_type_string)
	               ? json_object_get_string(v)
	               : NULL;
}

const char *s2s_json_text_at(struct json_object *obj, const char *path)
{
	struct json_object *v = s2s_json_at(obj, path);

	return json_object_is_type(v, json_type_string) ||
	                       json_object_is_type(v, json_type_int)
	               ? json_object_get_string(v)
	               : NULL;
}

struct json_object *s2s_json_parse(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *obj;

	if (len > INT32_MAX)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (obj && (json_tokener_get_error(tok) != json_tokener_success ||
	            !json_object_is_type(obj, json_type_object) ||
	            json_tokener_get_parse_end(tok) < len)) {
		s2s_json_put_wiped(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

static void wipe(struct json_object *obj)
{
	size_t n;

	switch (json_object_get_type(obj)) {
	case json_type_string:
		/* json-c owns the storage and frees it without wiping; the
		 * string is ours to clear before the release. */
		n = (size_t)json_object_get_string_len(obj);
		s2s_memzero((void *)(uintptr_t)json_object_get_string(obj), n);
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val)
		{
			(void)key;
			wipe(val);
		}
		break;
	}
	case json_type_array:
		n = json_object_array_length(obj);
		for (size_t i = 0; i < n; i++)
			wipe(json_object_array_get_idx(obj, i));
		break;
	default:
		break;
	}
}

void s2s_json_put_wiped(struct json_object *obj)
{
	if (!obj)
		return;
	wipe(obj);
	json_object_put(obj);
}
