/* SPDX-License-Identifier: MIT */
/*
 * The current profile: the one commands use when no --profile names one
 * (set by the last single-role login and by `saml2sts use`).  One line
 * in $XDG_STATE_HOME/saml2sts/current (else ~/.local/state/saml2sts/
 * current), mode 0600, replaced atomically.  It holds a profile name,
 * never a credential.  Whether the profile still holds credentials, and
 * what outranks it, is the caller's business.
 */
#ifndef S2S_CURRENT_H
#define S2S_CURRENT_H

#include "error.h"

/* The path of the state file.  Caller frees. */
s2s_err s2s_current_path(char **out, struct s2s_error *err);

/* The current profile name (caller frees), or S2S_ENOTFOUND when there
 * is none (no file, or not a valid profile name). */
s2s_err s2s_current_get(char **out, struct s2s_error *err);

/* Make profile the current one; NULL forgets it (no file is no error).
 * S2S_EINVAL when profile is not a valid name, S2S_ERROR naming the
 * path when the file cannot be written. */
s2s_err s2s_current_set(const char *profile, struct s2s_error *err);

#endif
