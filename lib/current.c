/* SPDX-License-Identifier: MIT */
/*
 * The current profile's state file ($XDG_STATE_HOME/saml2sts/current):
 * a profile name and a newline, 0600, replaced atomically through
 * file.c, so a reader sees the old name or the new one.  A file that
 * does not hold a valid profile name counts as none.  It does not look
 * at the store and does not decide precedence (cmd/ does).
 */
#include <unistd.h>

#include "common.h"
#include "saml2sts/config.h"
#include "saml2sts/current.h"
#include "saml2sts/file.h"
#include "saml2sts/session.h" /* s2s_profile_check */

/* $XDG_STATE_HOME/saml2sts, else ~/.local/state/saml2sts; an XDG path
 * that is not absolute is ignored, as the base directory spec says. */
static s2s_err state_dir(struct s2s_buf *out, struct s2s_error *err)
{
	const char *state = s2s_config_env("XDG_STATE_HOME");
	const char *home = s2s_config_env("HOME");
	s2s_err rc;

	if (state && state[0] == '/')
		rc = s2s_buf_printf(out, "%s/saml2sts", state);
	else if (home)
		rc = s2s_buf_printf(out, "%s/.local/state/saml2sts", home);
	else
		return s2s_error_set(err, S2S_ERROR,
		                     "HOME is not set and neither is "
		                     "XDG_STATE_HOME");
	return rc ? s2s_error_set(err, S2S_ENOMEM, "out of memory") : S2S_OK;
}

s2s_err s2s_current_path(char **out, struct s2s_error *err)
{
	struct s2s_buf b = S2S_BUF_INIT;
	s2s_err rc;

	*out = NULL;
	rc = state_dir(&b, err);
	if (!rc && s2s_buf_puts(&b, "/current"))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		*out = s2s_buf_detach(&b, NULL);
	s2s_buf_release(&b);
	return rc;
}

s2s_err s2s_current_get(char **out, struct s2s_error *err)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	struct s2s_buf text = S2S_BUF_INIT;
	char *path = NULL;
	size_t n;
	s2s_err rc;

	*out = NULL;
	rc = s2s_current_path(&path, err);
	if (rc)
		return rc;
	rc = s2s_file_read(&text, path, 4096, S2S_ERROR, &ignore);
	if (rc == S2S_ENOMEM)
		rc = s2s_error_set(err, rc, "out of memory");
	else if (rc)
		rc = S2S_ENOTFOUND; /* unreadable: no current profile */
	n = text.len;
	while (!rc && n && strchr("\r\n \t", text.ptr[n - 1]))
		n--;
	if (!rc) {
		*out = strndup(text.ptr, n);
		if (!*out)
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	if (!rc && s2s_profile_check(*out, &ignore)) {
		free(*out);
		*out = NULL;
		rc = S2S_ENOTFOUND;
	}
	s2s_buf_release(&text);
	free(path);
	return rc;
}

s2s_err s2s_current_set(const char *profile, struct s2s_error *err)
{
	struct s2s_buf dir = S2S_BUF_INIT, path = S2S_BUF_INIT;
	struct s2s_buf line = S2S_BUF_INIT;
	s2s_err rc;

	if (profile) {
		rc = s2s_profile_check(profile, err);
		if (rc)
			return rc;
	}
	rc = state_dir(&dir, err);
	if (!rc && s2s_buf_printf(&path, "%s/current", dir.ptr))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (rc)
		goto out;
	if (!profile) {
		if (unlink(path.ptr) != 0 && errno != ENOENT)
			rc = s2s_error_set(err, S2S_ERROR,
			                   "cannot remove %s: %s", path.ptr,
			                   strerror(errno));
		goto out;
	}
	if (s2s_buf_printf(&line, "%s\n", profile)) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	if (s2s_file_same(path.ptr, line.ptr, line.len))
		goto out; /* the morning's login of yesterday's profile */
	rc = s2s_file_mkdirs(dir.ptr, S2S_ERROR, err);
	if (!rc)
		rc = s2s_file_write_private(path.ptr, line.ptr, line.len,
		                            S2S_ERROR, err);
out:
	s2s_buf_release(&line);
	s2s_buf_release(&path);
	s2s_buf_release(&dir);
	return rc;
}
