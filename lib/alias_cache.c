/* SPDX-License-Identifier: MIT */
/*
 * The account alias cache: one 0600 file per account uid under
 * $XDG_DATA_HOME/saml2sts/aliases, read by status, completion and the
 * picker, written after a login asked RAM (alias.c).  File I/O only: no
 * network, so the commands that answer from the store can read it
 * without loading the network module.
 */
#include "common.h"
#include "alias_int.h"
#include "saml2sts/alias.h"
#include "saml2sts/config.h"
#include "saml2sts/file.h"

#define ALIAS_MAX 63

bool s2s__alias_uid_ok(const char *uid)
{
	size_t n = uid ? strlen(uid) : 0;

	if (!n || n > 32)
		return false;
	for (; *uid; uid++)
		if (*uid < '0' || *uid > '9')
			return false;
	return true;
}

/* RAM aliases are lower-case letters, digits and '-' (3..32); a little
 * more is tolerated, nothing a profile name or a terminal could choke
 * on. */
bool s2s__alias_ok(const char *a, size_t n)
{
	if (!n || n > ALIAS_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((a[i] >= 'a' && a[i] <= 'z') ||
		      (a[i] >= '0' && a[i] <= '9') || a[i] == '-' ||
		      a[i] == '.'))
			return false;
	return true;
}

static s2s_err alias_path(struct s2s_buf *out, const char *uid, bool dir_only,
                          struct s2s_error *err)
{
	char *data = NULL;
	s2s_err rc;

	rc = s2s_config_data_dir(&data, err);
	if (!rc && (dir_only ? s2s_buf_printf(out, "%s/aliases", data)
	                     : s2s_buf_printf(out, "%s/aliases/%s", data, uid)))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	free(data);
	return rc;
}

char *s2s_alias_cached(const char *uid)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_buf path = S2S_BUF_INIT, text = S2S_BUF_INIT;
	char *out = NULL;
	size_t n;

	if (!s2s__alias_uid_ok(uid) || alias_path(&path, uid, false, &err) ||
	    s2s_file_read(&text, path.ptr, 256, S2S_ERROR, &err))
		goto out;
	n = text.len;
	while (n && (text.ptr[n - 1] == '\n' || text.ptr[n - 1] == '\r'))
		n--;
	if (s2s__alias_ok(text.ptr, n))
		out = strndup(text.ptr, n);
out:
	s2s_buf_release(&path);
	s2s_buf_release(&text);
	return out;
}

s2s_err s2s_alias_save(const char *uid, const char *alias,
                       struct s2s_error *err)
{
	struct s2s_buf dir = S2S_BUF_INIT, path = S2S_BUF_INIT;
	struct s2s_buf text = S2S_BUF_INIT;
	s2s_err rc;

	if (!s2s__alias_uid_ok(uid) || !alias ||
	    !s2s__alias_ok(alias, strlen(alias)))
		return s2s_error_set(err, S2S_EINVAL, "not an account alias");
	rc = alias_path(&dir, uid, true, err);
	if (!rc)
		rc = alias_path(&path, uid, false, err);
	if (!rc && (s2s_buf_puts(&text, alias) || s2s_buf_add(&text, "\n", 1)))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = s2s_file_mkdirs(dir.ptr, S2S_ERROR, err);
	if (!rc)
		rc = s2s_file_write_private(path.ptr, text.ptr, text.len,
		                            S2S_ERROR, err);
	s2s_buf_release(&dir);
	s2s_buf_release(&path);
	s2s_buf_release(&text);
	return rc;
}
