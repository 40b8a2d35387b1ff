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

/* The prompter of refreshes (credential-process, exec, ...): a
 * password or one-time code through a graphical prompt when the
 * `prompt` key leads to one, else S2S_ENEEDINPUT as before.
 * Borrowed. */
const struct s2s_prompter *cli_refresh_prompter(struct cli *cli);

/* The graphical helper to ask with (cmd/gui_prompt.c): the `prompt` key
 * of the account in use (auto|tty|zenity|kdialog|pinentry; auto: none
 * when tty, else the first of zenity, kdialog, pinentry on PATH when
 * $DISPLAY or $WAYLAND_DISPLAY is set).  *out is its path (caller
 * frees), or NULL for the terminal (or nothing, with --skip-prompt).
 * S2S_ECONFIG for a bad value, S2S_ENEEDINPUT when the one named is not
 * on PATH. */
s2s_err cli_prompt_gui(char **out, const struct cli *cli, bool tty,
                       struct s2s_error *err);

/* Is value one of the `prompt` key's words? */
bool cli_prompt_valid(const char *value);

/* Ask through the graphical helper prog: text is the question (never a
 * secret; the helper's argv holds nothing else), the answer is read from
 * its stdout through a pipe into answer (secret).  S2S_ECANCELLED when
 * the user cancels the dialog, S2S_ENEEDINPUT when the helper fails. */
s2s_err cli_gui_ask(const char *prog, const char *text, struct s2s_buf *answer,
                    struct s2s_error *err);

/* Ask a question on /dev/tty; secret answers are read without echo. */
s2s_err cli_tty_ask(const char *question, bool secret, struct s2s_buf *answer,
                    struct s2s_error *err);

#endif
