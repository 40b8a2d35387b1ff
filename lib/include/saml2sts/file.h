/* SPDX-License-Identifier: MIT */
/*
 * Private files: directories created 0700 and files replaced atomically
 * with mode 0600, for the config, the file store, config.json and the
 * CLI's state.  The error code to report is the caller's (S2S_ECONFIG,
 * S2S_ESTORE, ...); messages name the path, never the contents.
 */
#ifndef S2S_FILE_H
#define S2S_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* mkdir -p dir, mode 0700 for every directory that is missing. */
s2s_err s2s_file_mkdirs(const char *dir, s2s_err code, struct s2s_error *err);

/* Append the contents of the regular file path to out (terminated):
 * opened without blocking (a FIFO fails, never hangs), anything but a
 * regular file refused, at most max bytes.  A missing file is
 * S2S_ENOTFOUND, other failures code. */
s2s_err s2s_file_read(struct s2s_buf *out, const char *path, size_t max,
                      s2s_err code, struct s2s_error *err);

/* True if path (or the file its link names) is a regular file of
 * ours, mode 0600, holding exactly the len bytes of data: a write of
 * the same state can be skipped, with its two fsyncs. */
bool s2s_file_same(const char *path, const void *data, size_t len);

/* Replace path with len bytes of data: a 0600 temp file next to it
 * (mkstemp under umask 077), fsync, rename, fsync of the directory.
 * Readers see the old file or the new one, never half of it.  When
 * path is a symbolic link, its target is replaced and the link kept. */
s2s_err s2s_file_write_private(const char *path, const void *data, size_t len,
                               s2s_err code, struct s2s_error *err);

#endif
