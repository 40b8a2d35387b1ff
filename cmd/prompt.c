/* SPDX-License-Identifier: MIT */
/*
 * Prompts on /dev/tty (echo off for secrets, terminal restored on
 * Ctrl-C) and the password sources in DESIGN order: --password-stdin,
 * SAML2STS_PASSWORD, then the terminal.  Without a terminal, or with
 * --skip-prompt, a needed answer is S2S_ENEEDINPUT (exit 8).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <saml2sts/secret.h>

#include "cli.h"

static int tty_fd = -1;
static struct termios saved;
static volatile sig_atomic_t echo_off;

static void restore_and_reraise(int sig)
{
	if (echo_off)
		tcsetattr(tty_fd, TCSAFLUSH, &saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static s2s_err read_line(int fd, struct s2s_buf *answer, struct s2s_error *err)
{
	char c;
	ssize_t n;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return s2s_error_set(err, S2S_ECANCELLED,
			                     "no answer on the terminal");
		if (c == '\n' || c == '\r')
			break;
		if (s2s_buf_add(answer, &c, 1))
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	c = 0;
	return s2s_buf_terminate(answer) ? S2S_ENOMEM : S2S_OK;
}

s2s_err cli_tty_ask(const char *question, bool secret, struct s2s_buf *answer,
                    struct s2s_error *err)
{
	struct sigaction sa = { 0 }, old_int, old_term;
	struct termios t;
	s2s_err rc;

	tty_fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty_fd < 0)
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "no terminal to ask for the %s", question);
	sa.sa_handler = restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (secret && tcgetattr(tty_fd, &saved) == 0) {
		t = saved;
		t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
		echo_off = 1;
		tcsetattr(tty_fd, TCSAFLUSH, &t);
	}
	if (write(tty_fd, question, strlen(question)) < 0 ||
	    write(tty_fd, ": ", 2) < 0) {
		rc = s2s_error_set(err, S2S_ENEEDINPUT,
		                   "cannot write to the terminal");
		goto out;
	}
	s2s_buf_reset(answer);
	rc = read_line(tty_fd, answer, err);
out:
	if (echo_off) {
		tcsetattr(tty_fd, TCSAFLUSH, &saved);
		echo_off = 0;
		if (write(tty_fd, "\n", 1) < 0)
			rc = rc ? rc : S2S_OK;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	close(tty_fd);
	tty_fd = -1;
	return rc;
}

int cli_prompt_read_stdin(struct cli_prompt *p)
{
	struct s2s_error err = S2S_ERROR_INIT;
	s2s_err rc;

	s2s_buf_init(&p->stdin_secret, true);
	rc = read_line(STDIN_FILENO, &p->stdin_secret, &err);
	if (rc == S2S_ECANCELLED && p->stdin_secret.len > 0)
		rc = S2S_OK; /* last line without a newline */
	if (rc || p->stdin_secret.len == 0) {
		s2s_buf_release(&p->stdin_secret);
		return cli_error(EXIT_NEEDINPUT,
		                 "--password-stdin: no password on stdin");
	}
	p->have_stdin_secret = true;
	return EXIT_OK;
}

void cli_prompt_release(struct cli_prompt *p)
{
	if (p->have_stdin_secret)
		s2s_buf_release(&p->stdin_secret);
	p->have_stdin_secret = false;
}

static s2s_err copy_secret(struct s2s_buf *answer, const char *s, size_t len,
                           struct s2s_error *err)
{
	s2s_buf_reset(answer);
	if (s2s_buf_add(answer, s, len))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static s2s_err ask(void *payload, enum s2s_prompt_kind kind, const char *text,
                   struct s2s_buf *answer, struct s2s_error *err)
{
	struct cli_prompt *p = payload;
	const char *env;

	switch (kind) {
	case S2S_PROMPT_PASSWORD:
		if (p->have_stdin_secret)
			return copy_secret(answer, p->stdin_secret.ptr,
			                   p->stdin_secret.len, err);
		env = s2s_config_env("SAML2STS_PASSWORD");
		if (env)
			return copy_secret(answer, env, strlen(env), err);
		if (!p->allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "a password is needed: use "
			                     "--password-stdin or "
			                     "SAML2STS_PASSWORD, or run on a "
			                     "terminal");
		return cli_tty_ask(text, true, answer, err);
	case S2S_PROMPT_OTP:
		if (!p->allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "a one-time code is needed but "
			                     "prompting is not allowed");
		return cli_tty_ask(text, true, answer, err);
	case S2S_PROMPT_USERNAME:
	case S2S_PROMPT_CHOICE:
		if (!p->allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "%s needed but prompting is not "
			                     "allowed (set it in the config "
			                     "or pass it as an option)",
			                     text);
		return cli_tty_ask(text, false, answer, err);
	}
	return s2s_error_set(err, S2S_EINVAL, "unknown prompt");
}

static void notify(void *payload, const char *text)
{
	(void)payload;
	fprintf(stderr, "%s\n", text);
}

void cli_prompter_init(struct s2s_prompter *out, struct cli_prompt *p)
{
	out->ask = ask;
	out->notify = notify;
	out->payload = p;
}
