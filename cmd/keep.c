/* SPDX-License-Identifier: MIT */
/*
 * Around the adapter: the global login lock (parallel callers cause one
 * IdP login) and, with remember_session, the IdP session cookies kept in
 * the store as an "idp-session" item, so the next login or refresh is
 * silent while the IdP session lives.  The SAMLResponse itself is never
 * kept.
 */
#include <signal.h>
#include <stdlib.h>

#include <saml2sts/lock.h>
#include <saml2sts/login.h>

#include "cli.h"

#define LOGIN_LOCK_MS 120000L

int cli_lock(const char *name, long timeout_ms, struct s2s_lock **out,
             bool *waited)
{
	struct s2s_error err = S2S_ERROR_INIT;
	char *dir = NULL;
	s2s_err rc;

	rc = s2s_config_lock_dir(&dir, &err);
	if (!rc)
		rc = s2s_lock_acquire(out, dir, name, timeout_ms, waited, &err);
	free(dir);
	return rc ? cli_fail(NULL, &err) : EXIT_OK;
}

static bool remember(const struct cli *cli)
{
	struct s2s_error err = S2S_ERROR_INIT;
	bool on = false;

	s2s_account_get_bool(&on, cli->acct, "remember_session", false, &err);
	return on;
}

static void load_session(struct cli *cli, struct s2s_http *http)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	if (cli_open_store(cli))
		return;
	if (s2s_store_get_secret(&jar, cli->store, cli->account_name,
	                         "idp-session", &err) ||
	    s2s_http_cookies_import(http, jar.ptr, jar.len, &err))
		cli_verbose(cli, "no kept IdP session: %s", err.msg);
	else
		cli_verbose(cli, "reusing the kept IdP session");
	s2s_buf_release(&jar);
}

static void save_session(struct cli *cli, struct s2s_http *http)
{
	struct s2s_buf jar = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;

	if (!cli_open_store(cli) &&
	    (s2s_http_cookies_export(http, &jar, &err) ||
	     s2s_store_put_secret(cli->store, cli->account_name, "idp-session",
	                          cli->account_name, &jar, &err)))
		cli_info(cli, "saml2sts: warning: IdP session not kept: %s",
		         err.msg);
	s2s_buf_release(&jar);
}

static volatile sig_atomic_t cancelled;

/* The first signal asks the adapter to stop; a second one kills, as
 * it would without us (an HTTP request does not see the flag). */
static void on_signal(int sig)
{
	if (cancelled) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cancelled = 1;
}

/* Ctrl-C, SIGTERM and SIGHUP set the adapters' cancel flag while they
 * run (a browser window, an MFA wait); a pipe to a browser that died
 * must not kill us.  Until the engine's front end does it for all. */
static void signals(bool on)
{
	static struct sigaction old_int, old_term, old_hup, old_pipe;
	struct sigaction sa = { 0 };

	if (!on) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		return;
	}
	cancelled = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
}

int cli_login_locked(struct cli *cli, const struct s2s_login_params *lp,
                     struct s2s_buf *saml_b64)
{
	struct s2s_login_params p = *lp;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_lock *lock = NULL;
	bool keep = remember(cli);
	s2s_err rc;
	int status;

	status = cli_lock("login", LOGIN_LOCK_MS, &lock, NULL);
	if (status)
		return status;
	if (keep)
		load_session(cli, lp->http);
	cli_progress_allow(!cli->quiet && !cli->verbose && !cli->debug);
	if (!p.cancel)
		p.cancel = &cancelled;
	signals(true);
	rc = s2s_login(&p, saml_b64, &err);
	signals(false);
	cli_progress_stop(); /* before any other output */
	if (rc)
		status = cli_fail(cli, &err);
	else if (keep)
		save_session(cli, lp->http);
	s2s_lock_release(lock);
	return status;
}
