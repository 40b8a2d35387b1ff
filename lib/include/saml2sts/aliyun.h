/* SPDX-License-Identifier: MIT */
/*
 * Hand-off to the aliyun CLI and the SDKs through ~/.aliyun/config.json:
 * merge one profile (External mode by default) into the file under a lock,
 * keeping every key and profile we do not own, and replace the file
 * atomically with mode 0600.  No token is written unless the caller asks
 * for a plaintext StsToken profile.
 */
#ifndef S2S_ALIYUN_H
#define S2S_ALIYUN_H

#include <stdbool.h>

#include "creds.h"
#include "error.h"

/* Merge profile into the config.json at path (created if missing).
 * External mode: process_command is written, any token fields the
 * profile had are removed.  With sts (an explicit opt-in), a StsToken
 * profile holding the token in plaintext is written instead.  The
 * file's "current" is set to profile when it names none and the profile
 * holds credentials now (holds_creds, or sts).  No lock file is left. */
s2s_err s2s_aliyun_config_merge(const char *path, const char *profile,
                                const char *process_command, const char *region,
                                const struct s2s_creds *sts, bool holds_creds,
                                struct s2s_error *err);

#endif
