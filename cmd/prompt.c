/* SPDX-License-Identifier: MIT */
/*
 * Prompts on /dev/tty (echo off for secrets, terminal restored on
 * Ctrl-C) and the password sources in DESIGN order: --password-stdin,
 * SAML2STS_PASSWORD, then the terminal.  Without a terminal, or with
 * --skip-prompt, a needed answer is S2S_ENEEDINPUT (exit 8).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <saml2sts/secret.h>

#include "prompt.h"

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

bool cli_can_prompt(bool skip_prompt)
{
	int fd;

	if (skip_prompt || (!isatty(STDIN_FILENO) && !isatty(STDERR_FILENO)))
		return false;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
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

	cli_progress_stop();
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

int cli_read_password_stdin(struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	s2s_err rc;

	s2s_buf_release(&cli->password);
	s2s_buf_init(&cli->password, true);
	rc = read_line(STDIN_FILENO, &cli->password, &err);
	if (rc == S2S_ECANCELLED && cli->password.len > 0)
		rc = S2S_OK; /* last line without a newline */
	if (rc || cli->password.len == 0) {
		s2s_buf_release(&cli->password);
		return cli_error(EXIT_NEEDINPUT,
		                 "--password-stdin: no password on stdin");
	}
	return EXIT_OK;
}

/* A password or one-time code through a graphical helper, when the
 * `prompt` key leads to one: *done tells whether it was asked. */
static s2s_err ask_gui(bool *done, struct cli *cli, enum s2s_prompt_kind kind,
                       const char *text, struct s2s_buf *answer,
                       struct s2s_error *err)
{
	char *gui = NULL;
	s2s_err rc;

	*done = false;
	if (kind != S2S_PROMPT_PASSWORD && kind != S2S_PROMPT_OTP)
		return S2S_OK;
	rc = cli_prompt_gui(&gui, cli, cli->can_prompt, err);
	if (!rc && gui) {
		*done = true;
		rc = cli_gui_ask(gui, text, answer, err);
	}
	free(gui);
	return rc;
}

static s2s_err ask(void *payload, enum s2s_prompt_kind kind, const char *text,
                   struct s2s_buf *answer, struct s2s_error *err)
{
	struct cli *cli = payload;
	bool allow = cli->can_prompt, done = false;
	s2s_err rc = ask_gui(&done, cli, kind, text, answer, err);

	if (rc || done)
		return rc;
	switch (kind) {
	case S2S_PROMPT_PASSWORD:
		if (!allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "a password is needed: use "
			                     "--password-stdin or "
			                     "SAML2STS_PASSWORD, or run on a "
			                     "terminal");
		return cli_tty_ask(text, true, answer, err);
	case S2S_PROMPT_OTP:
		if (!allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "a one-time code is needed but "
			                     "prompting is not allowed");
		return cli_tty_ask(text, true, answer, err);
	case S2S_PROMPT_USERNAME:
	case S2S_PROMPT_CHOICE:
		if (!allow)
			return s2s_error_set(err, S2S_ENEEDINPUT,
			                     "%s needed but prompting is not "
			                     "allowed (set it in the config "
			                     "or pass it as an option)",
			                     text);
		return cli_tty_ask(text, false, answer, err);
	}
	return s2s_error_set(err, S2S_EINVAL, "unknown prompt");
}

/*
 * Progress while the library waits (an MFA push): "TEXT ... 12s" redrawn
 * on stderr by a thread, only when stderr is a terminal and TERM is not
 * dumb, never with --quiet, --verbose or --debug (their lines would
 * interleave).  Stopped before any prompt and when s2s_login returns;
 * the line is then replaced by "TEXT (12s)".
 */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop, allowed;
	char text[200];
	struct timespec start;
	time_t until; /* a countdown to this wall-clock time, or 0 */
} progress = { .mu = PTHREAD_MUTEX_INITIALIZER,
	       .cv = PTHREAD_COND_INITIALIZER,
	       .allowed = true };

static long elapsed_s(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - progress.start.tv_sec);
}

static void progress_draw(bool final)
{
	static const char spin[] = "|/-\\";
	static unsigned tick;
	long left = (long)(progress.until - time(NULL));
	char line[256];
	int n;

	if (final)
		n = snprintf(line, sizeof(line), "\r\033[K%s (%lds)\n",
		             progress.text, elapsed_s());
	else if (progress.until)
		n = snprintf(line, sizeof(line), "\r\033[K%s %c %ld:%02ld left",
		             progress.text, spin[tick++ % 4],
		             left > 0 ? left / 60 : 0,
		             left > 0 ? left % 60 : 0);
	else
		n = snprintf(line, sizeof(line), "\r\033[K%s %c %lds",
		             progress.text, spin[tick++ % 4], elapsed_s());
	if (n > 0 &&
	    write(STDERR_FILENO, line,
	          (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		return;
}

static void *progress_main(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&progress.mu);
	while (!progress.stop) {
		progress_draw(false);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&progress.cv, &progress.mu, &until);
	}
	pthread_mutex_unlock(&progress.mu);
	return NULL;
}

void cli_progress_allow(bool on)
{
	progress.allowed = on;
}

void cli_progress_stop(void)
{
	if (!progress.running)
		return;
	pthread_mutex_lock(&progress.mu);
	progress.stop = true;
	pthread_cond_signal(&progress.cv);
	pthread_mutex_unlock(&progress.mu);
	pthread_join(progress.thread, NULL);
	progress_draw(true);
	progress.running = false;
}

static bool progress_possible(void)
{
	const char *term = s2s_config_env("TERM");

	return progress.allowed && isatty(STDERR_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0;
}

/* Start the progress line; false when there is no terminal for it. */
static bool progress_start(const char *text, time_t until)
{
	cli_progress_stop();
	if (!progress_possible())
		return false;
	fflush(stderr);
	progress.until = until;
	snprintf(progress.text, sizeof(progress.text), "%s", text);
	s2s_printable(progress.text);
	clock_gettime(CLOCK_MONOTONIC, &progress.start);
	progress.stop = false;
	if (pthread_create(&progress.thread, NULL, progress_main, NULL) == 0)
		progress.running = true;
	else
		cli_printf(stderr, "%s", progress.text);
	return true;
}

static void notify(void *payload, const char *text)
{
	(void)payload;
	if (!progress_start(text, 0))
		cli_printf(stderr, "%s", text);
}

void cli_progress_countdown(const char *text, time_t until)
{
	progress_start(text, until);
}

/* A refresh asks only through a graphical helper, as the terminal
 * belongs to whoever runs it (aliyun, Terraform, an IDE). */
static s2s_err refresh_ask(void *payload, enum s2s_prompt_kind kind,
                           const char *text, struct s2s_buf *answer,
                           struct s2s_error *err)
{
	struct cli *cli = payload;
	bool done = false;
	s2s_err rc = ask_gui(&done, cli, kind, text, answer, err);

	if (rc || done)
		return rc;
	return s2s_error_set(err, S2S_ENEEDINPUT,
	                     "%s needed but prompting is not allowed", text);
}

/* Would ask_gui start a graphical helper for kind? */
static bool gui_for(struct cli *cli, enum s2s_prompt_kind kind)
{
	struct s2s_error ignore = S2S_ERROR_INIT;
	char *gui = NULL;
	bool yes;

	if (kind != S2S_PROMPT_PASSWORD && kind != S2S_PROMPT_OTP)
		return false;
	yes = !cli_prompt_gui(&gui, cli, cli->can_prompt, &ignore) && gui;
	free(gui);
	return yes;
}

static bool can_ask(void *payload, enum s2s_prompt_kind kind)
{
	struct cli *cli = payload;

	return cli->can_prompt || gui_for(cli, kind);
}

static bool refresh_can_ask(void *payload, enum s2s_prompt_kind kind)
{
	return gui_for(payload, kind);
}

const struct s2s_prompter *cli_refresh_prompter(struct cli *cli)
{
	static struct s2s_prompter p;

	p.ask = refresh_ask;
	p.can_ask = refresh_can_ask;
	p.notify = notify;
	p.payload = cli;
	return &p;
}

const struct s2s_prompter *cli_prompter(struct cli *cli)
{
	static struct s2s_prompter p;

	p.ask = ask;
	p.can_ask = can_ask;
	p.notify = notify;
	p.payload = cli;
	return &p;
}
