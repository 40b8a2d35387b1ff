/* SPDX-License-Identifier: MIT */
/*
 * Questions on the terminal and the password sources (cmd/prompt.c).
 */
#ifndef S2S_CMD_PROMPT_H
#define S2S_CMD_PROMPT_H

#include <stdbool.h>
#include <time.h>

#include <saml2sts/buf.h>
#include <saml2sts/error.h>
#include <saml2sts/prompt.h>

#include "cli.h"

/* Is there a terminal to prompt on (and is prompting allowed)? */
bool cli_can_prompt(bool skip_prompt);

/* Read the password for --password-stdin into cli->password (one
 * line, newline stripped). */
int cli_read_password_stdin(struct cli *cli);

/* The front end's prompter: questions on /dev/tty when allowed (a
 * terminal and no --skip-prompt), else S2S_ENEEDINPUT naming what is
 * missing; notes as progress lines.  Borrowed. */
const struct s2s_prompter *cli_prompter(struct cli *cli);

/* The progress line of an MFA wait ("approve on your phone ... 12s"):
 * allowed unless --quiet/--verbose/--debug; stopped (and replaced by a
 * plain line) before prompts and when the login returns. */
void cli_progress_allow(bool on);
void cli_progress_stop(void);

/* The same line counting down to until ("TEXT | 9:41 left"), for a
 * device login; nothing without a terminal. */
void cli_progress_countdown(const char *text, time_t until);

/* Ask a question on /dev/tty; secret answers are read without echo. */
s2s_err cli_tty_ask(const char *question, bool secret, struct s2s_buf *answer,
                    struct s2s_error *err);

#endif
