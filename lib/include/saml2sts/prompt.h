/* SPDX-License-Identifier: MIT */
/*
 * The library never prompts by itself: it asks through these callbacks,
 * which cmd/ implements on /dev/tty (or refuses when prompting is not
 * allowed, with S2S_ENEEDINPUT).
 */
#ifndef S2S_PROMPT_H
#define S2S_PROMPT_H

#include <stdbool.h>

#include "buf.h"
#include "error.h"

enum s2s_prompt_kind {
	S2S_PROMPT_USERNAME,
	S2S_PROMPT_PASSWORD, /* answer is secret */
	S2S_PROMPT_OTP,      /* answer is secret */
	S2S_PROMPT_CHOICE,   /* e.g. pick an MFA factor */
};

struct s2s_prompter {
	/* Fill answer; S2S_ECANCELLED when the user gives up,
	 * S2S_ENEEDINPUT when prompting is not allowed. */
	s2s_err (*ask)(void *payload, enum s2s_prompt_kind kind,
	               const char *text, struct s2s_buf *answer,
	               struct s2s_error *err);
	/* "Approve the push on your phone": no answer expected. */
	void (*notify)(void *payload, const char *text);
	/* Could ask() answer a question of this kind now (a terminal, a
	 * graphical helper)?  NULL: ask() decides alone. */
	bool (*can_ask)(void *payload, enum s2s_prompt_kind kind);
	void *payload;
};

#endif
