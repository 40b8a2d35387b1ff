/* SPDX-License-Identifier: MIT */
/*
 * The front end's side of the engine: the session made with cmd/'s
 * callbacks (prompter, role picker, events, device-code display, the
 * file store's passphrase), the cancel flag set by Ctrl-C, and the one
 * place a fresh-credentials answer becomes a warning or an error line.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <saml2sts/secret.h>
#include <saml2sts/session.h>

#include "prompt.h"
#include "registry.h"
#include "roles.h"

static volatile sig_atomic_t cancelled;

/* The first signal asks the engine to stop (the browser is closed, an
 * MFA wait ends); a second one kills, as it would without us, since an
 * HTTP request in flight does not look at the flag. */
static void on_cancel(int sig)
{
	if (cancelled) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cancelled = 1;
}

static void trace_line(const char *line, void *payload)
{
	(void)payload;
	cli_printf(stderr, "saml2sts: debug: %s", line);
}

static void on_event(void *payload, enum s2s_event ev, const char *text)
{
	struct cli *cli = payload;

	switch (ev) {
	case S2S_EVENT_VERBOSE:
		cli_verbose(cli, "%s", text);
		break;
	case S2S_EVENT_NOTICE:
		/* on a terminal or with --verbose: a failing command
		 * without one prints only its error */
		if (cli->verbose || isatty(STDERR_FILENO))
			cli_info(cli, "saml2sts: %s", text);
		break;
	case S2S_EVENT_WARNING:
		cli_info(cli, "saml2sts: warning: %s", text);
		break;
	case S2S_EVENT_WAIT_END:
		cli_progress_stop(); /* before any other output */
		break;
	}
}

/* Start xdg-open on url without waiting for it (it may stay until the
 * browser exits) and without its output on our stderr: the child forks
 * the opener and exits, so nothing is left to reap. */
static void open_browser(const char *url)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return;
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

/* A device login (CloudSSO): the URL and the code on stderr, also
 * without a terminal; a browser when there is a display (and no
 * --no-browser); a countdown to the code's expiry on a terminal. */
static void on_device_code(void *payload, const struct s2s_device_code *dc)
{
	const struct cli *cli = payload;
	const char *url = dc->uri_complete ? dc->uri_complete : dc->uri;

	cli_progress_stop();
	cli_printf(stderr, "To sign in, open %s and %s the code %s", url,
	           dc->uri_complete ? "check" : "enter", dc->user_code);
	if (!cli->no_browser &&
	    (s2s_config_env("DISPLAY") || s2s_config_env("WAYLAND_DISPLAY")))
		open_browser(url);
	cli_progress_countdown("Waiting for the sign-in in the browser",
	                       dc->expires_at);
}

/* The file store's passphrase: SAML2STS_FILE_PASSPHRASE, else a no-echo
 * prompt on the terminal. */
static s2s_err ask_passphrase(void *payload, struct s2s_buf *out,
                              struct s2s_error *err)
{
	const char *env = s2s_config_env("SAML2STS_FILE_PASSPHRASE");

	(void)payload;
	s2s_buf_reset(out);
	if (env) {
		if (s2s_buf_puts(out, env))
			return s2s_error_set(err, S2S_ENOMEM, "out of memory");
		return S2S_OK;
	}
	if (!cli_can_prompt(false))
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "the encrypted file store needs a "
		                     "passphrase: set SAML2STS_FILE_PASSPHRASE "
		                     "or run on a terminal");
	return cli_tty_ask("Passphrase of the saml2sts file store", true, out,
	                   err);
}

struct s2s_session *cli_session(struct cli *cli)
{
	static struct s2s_session_cb cb;
	struct s2s_session_opts o = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;
	const char *env = s2s_config_env("SAML2STS_PASSWORD");

	if (cli->session)
		return cli->session;
	if (cli_load_config(cli))
		return NULL;
	/* A password given up front: --password-stdin, else the
	 * environment (DESIGN.md 4). */
	if (!cli->password.len && env && *env) {
		s2s_buf_init(&cli->password, true); /* wiped on release */
		if (s2s_buf_puts(&cli->password, env)) {
			cli_error(EXIT_FAIL, "out of memory");
			return NULL;
		}
	}
	cb.prompter = cli_prompter(cli);
	o.refresh_prompter = cli_refresh_prompter(cli);
	cb.pick = cli_roles_pick;
	cb.event = on_event;
	cb.device_code = on_device_code;
	cb.passphrase = ask_passphrase;
	cb.payload = cli;
	o.cfg = cli->cfg;
	o.adapters_fn = s2s_adapter_all; /* loaded when a login needs them */
	o.password = &cli->password;
	o.self_path = cli_self_path(cli->argv0); /* as the user runs it */
	cli->can_prompt = cli_can_prompt(cli->skip_prompt);
	o.can_prompt = cli->can_prompt;
	o.trace = cli->debug ? trace_line : NULL;
	o.cancel = &cancelled;
	o.cb = &cb;
	if (s2s_session_new(&cli->session, &o, &err)) {
		cli_fail(cli, &err);
		return NULL;
	}
	cli_progress_allow(!cli->quiet && !cli->verbose && !cli->debug);
	return cli->session;
}

void cli_catch_cancel(void)
{
	struct sigaction sa = { 0 };

	/* No SA_RESTART: waits in the engine see EINTR and the flag. */
	sa.sa_handler = on_cancel;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cli_cancel_status(int status)
{
	return cancelled && status ? EXIT_CANCELLED : status;
}

int cli_fresh_creds(struct cli *cli, const char *profile,
                    struct s2s_creds **out)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_fresh f = { 0 };
	char when[64];

	*out = NULL;
	if (!cli_session(cli))
		return EXIT_FAIL;
	if (s2s_session_fresh(&f, cli->session, profile, &err))
		return cli_fail(cli, &err);
	if (f.state == S2S_FRESH_STALE) {
		s2s_time_format_local(when, sizeof(when), f.creds->expiration);
		cli_info(cli,
		         "saml2sts: warning: credentials of '%s' expire soon "
		         "(%s) and could not be refreshed; run saml2sts login "
		         "--profile %s",
		         profile, when, profile);
	}
	*out = f.creds;
	return EXIT_OK;
}
