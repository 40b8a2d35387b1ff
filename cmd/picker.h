/* SPDX-License-Identifier: MIT */
/* The interactive role picker and the recently-used-roles state. */
#ifndef S2S_CMD_PICKER_H
#define S2S_CMD_PICKER_H

#include <stddef.h>

#include <saml2sts/session.h>

#include "cli.h"

/* Returned by cli_pick when the terminal cannot run the picker (no
 * /dev/tty, TERM unset or dumb): the caller falls back to a numbered
 * list. */
#define CLI_PICK_UNAVAILABLE (-1)

/* Full-screen picker on /dev/tty: req's roles grouped by account (alias
 * and uid), recent first (rank[i]: 0 = most recent, LONG_MAX = never),
 * cursor on pre (or the first role when pre is SIZE_MAX).  Fills idx
 * with up to max indexes into req->roles and *n with their count.
 * Returns EXIT_OK, EXIT_CANCELLED (Ctrl-C, Esc), EXIT_FAIL or
 * CLI_PICK_UNAVAILABLE.  The terminal is restored on every path,
 * including SIGINT, SIGTERM and SIGHUP. */
int cli_pick(const struct s2s_pick *req, const long *rank, size_t pre,
             size_t *idx, size_t max, size_t *n);

/* Ranks of req's roles in the account's recently used list and the
 * index of the last choice (SIZE_MAX if none).  rank has nroles
 * entries. */
void cli_recent_load(const struct s2s_pick *req, long *rank, size_t *last);

/* Put the n role ARNs first in account's recently used list.  Never
 * fails loudly: the list is a convenience. */
void cli_recent_add(const char *account, const char *const *arns, size_t n);

/* Call fn with each role ARN of account's recently used list, most
 * recent first (the shell completions). */
void cli_recent_foreach(const char *account,
                        void (*fn)(const char *arn, void *payload),
                        void *payload);

/* Colours on stream f: a terminal, TERM not dumb, NO_COLOR unset. */
bool cli_color(FILE *f);

#endif
