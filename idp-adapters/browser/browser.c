/* SPDX-License-Identifier: MIT */
/*
 * The browser adapter: logs in through the Chromium/Chrome/Edge already
 * installed, so any IdP page and any MFA (passkeys, Duo) works.  It
 * drives the browser over the DevTools pipe (browser_cdp.c), pauses the
 * POST to the site's ACS with the Fetch domain, takes the SAMLResponse
 * from its body and answers the request locally: the assertion never
 * reaches Alibaba Cloud from the browser.  It fills a plain login form
 * only on the configured IdP host; it scrapes nothing else.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include <saml2sts/adapter.h>
#include <saml2sts/lock.h>
#include <saml2sts/login.h>
#include <saml2sts/secret.h>
#include <saml2sts/site.h>

#include "browser_int.h"
#include "registry.h"

#define MAX_ARGS         64
#define START_TIMEOUT_MS 30000L
#define DEFAULT_TIMEOUT  300L
#define DEFAULT_SILENT   15L
#define MAX_PENDING      8
#define MAX_FOLLOWED     16

/* "saml2sts: signed in, you can close this window", as an HTML page. */
#define DONE_PAGE_B64                                                          \
	"PCFkb2N0eXBlIGh0bWw+PHRpdGxlPnNhbWwyc3RzPC90aXRsZT48cD5zYW1sMnN0czog" \
	"c2lnbmVkIGluLCB5b3UgY2FuIGNsb3NlIHRoaXMgd2luZG93LjwvcD4="

static const char *const browser_names[] = { "chromium",
	                                     "chromium-browser",
	                                     "google-chrome",
	                                     "google-chrome-stable",
	                                     "microsoft-edge",
	                                     "microsoft-edge-stable",
	                                     NULL };

static const char *const known_keys[] = { "timeout", "autofill",       "args",
	                                  "mode",    "silent_timeout", NULL };

/* Injected into every page we watch while nobody can see it (the
 * silent attempt of auto mode, headless mode): tells s2sNeed("kind
 * hostname origin") once per kind and document when the page needs the
 * person.  Any script of the page can call s2sNeed too, with anything:
 * on_need takes from it only a kind and a well-formed host name, and it
 * can only end the silent attempt (a window) or fail (exit 8).  kinds:
 * login (a visible password field, or Google's sign-in pages), code (a
 * one-time code input), passkey (navigator.credentials.get/create with
 * publicKey: the call still goes through), mfa (a Duo prompt or a
 * Google challenge page). */
static const char need_script[] =
        "(function(){if(window.__s2sNeed)return;window.__s2sNeed=1;"
        "var sent={};function say(k){if(sent[k])return;sent[k]=1;"
        "try{s2sNeed(k+' '+location.hostname+' '+location.origin);}"
        "catch(e){}}"
        "try{var c=navigator.credentials;if(c&&c.get){"
        "var g=c.get.bind(c);c.get=function(o){if(o&&o.publicKey)"
        "say('passkey');return g(o);};if(c.create){var m=c.create.bind(c);"
        "c.create=function(o){if(o&&o.publicKey)say('passkey');"
        "return m(o);};}}}catch(e){}"
        "function vis(e){return !!(e.offsetWidth||e.offsetHeight||"
        "e.getClientRects().length);}"
        "function check(){var h=location.hostname,p=location.pathname;"
        "if(/(^|\\.)duosecurity\\.com$/.test(h))say('mfa');"
        "if(h==='accounts.google.com'&&/challenge/.test(p))say('mfa');"
        "else if(h==='accounts.google.com'&&/signin|ServiceLogin/"
        ".test(p))say('login');"
        "var ins=document.querySelectorAll('input');"
        "for(var i=0;i<ins.length;i++){var e=ins[i];if(!vis(e))continue;"
        "var t=(e.type||'').toLowerCase(),a=(e.autocomplete||'')"
        ".toLowerCase(),n=((e.name||'')+' '+(e.id||'')).toLowerCase();"
        "if(t==='password')say('login');else if(a==='one-time-code'||"
        "((t==='tel'||t==='number'||t==='text')&&"
        "/otp|code|passcode|token|totp/.test(n)))say('code');}}"
        "setInterval(check,250);"
        "document.addEventListener('DOMContentLoaded',check);})();";

enum browser_mode { MODE_AUTO, MODE_HEADLESS, MODE_VISIBLE };

struct pending_target {
	char *target;
	char *session;
};

struct browser_state {
	struct s2s_cdp cdp;
	char *session;    /* DevTools session of our tab */
	char *target;     /* its target id */
	char *idp_host;   /* host of the configured url */
	char *idp_origin; /* its origin (scheme://host[:port]), lowercase */
	char *need;       /* why the silent attempt needs the person */
	long deadline;    /* ms, monotonic */
	long timeout;     /* s, for messages */
	long silent_timeout;
	int next_id;
	int probe_id; /* pending "is there a login form?" */
	int fills;    /* login forms filled */
	enum browser_mode mode;
	bool autofill;
	bool headless; /* this start is headless */
	bool silent;   /* the silent attempt of auto mode */
	bool watch;    /* inject need_script (silent or headless mode) */
	bool loaded;   /* our tab loaded its first page */
	/* auto-attached page targets seen before our tab was known */
	struct pending_target pending[MAX_PENDING];
	size_t npending;
	char *followed[MAX_FOLLOWED]; /* popups and tabs the IdP opened */
	size_t nfollowed;
	const char *acs; /* the site's ACS (borrowed) */
	/* the front end's cancel flag (signals), or NULL */
	const volatile sig_atomic_t *cancel;
};

static char *search_path(const char *name)
{
	const char *path = s2s_config_env("PATH");
	char full[4096];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		int w = snprintf(full, sizeof(full), "%.*s/%s", (int)n, path,
		                 name);

		if (n && w > 0 && (size_t)w < sizeof(full) &&
		    access(full, X_OK) == 0)
			return strdup(full);
		path += n + (path[n] == ':');
	}
	return NULL;
}

static s2s_err find_browser(char **out, const struct s2s_account *acct,
                            struct s2s_error *err)
{
	const char *conf = s2s_account_get(acct, "browser");

	if (conf) {
		*out = search_path(conf);
		if (!*out)
			return s2s_error_set(err, S2S_EUNSUPPORTED,
			                     "browser '%s' (from the config) "
			                     "not found or not executable",
			                     conf);
		return S2S_OK;
	}
	for (size_t i = 0; browser_names[i]; i++) {
		*out = search_path(browser_names[i]);
		if (*out)
			return S2S_OK;
	}
	return s2s_error_set(err, S2S_EUNSUPPORTED,
	                     "no Chromium, Chrome or Edge found on PATH: "
	                     "install chromium or set browser = PATH in the "
	                     "config");
}

s2s_err s2s_browser_find(char **out, const struct s2s_account *acct,
                         struct s2s_error *err)
{
	*out = NULL;
	return find_browser(out, acct, err);
}

static s2s_err mkdirs(char *path, struct s2s_error *err)
{
	for (char *p = path + 1;; p++) {
		char c = *p;

		if (c != '/' && c)
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			s2s_error_set(err, S2S_ERROR, "cannot create %s: %s",
			              path, strerror(errno));
			*p = c;
			return err->code;
		}
		*p = c;
		if (!c)
			return S2S_OK;
	}
}

/* $XDG_DATA_HOME/saml2sts/browser/<account>, created 0700: the browser
 * profile holds the IdP session of the account's configured username.
 * Another --username gets its own, <account>~<username> ('~' is not in
 * section names), so it never reuses someone else's session. */
static s2s_err profile_dir(char **out, const struct s2s_account *acct,
                           const char *user, struct s2s_error *err)
{
	struct s2s_buf b = S2S_BUF_INIT;
	const char *name = s2s_account_name(acct);
	const char *configured = s2s_account_get(acct, "username");
	char *data = NULL;
	bool other;
	s2s_err rc;

	*out = NULL;
	rc = s2s_config_data_dir(&data, err);
	if (rc)
		goto out;
	rc = s2s_buf_printf(&b, "%s/browser/", data);
	/* a file name: no '/', and no "." or ".." */
	for (const char *p = name; !rc && *p; p++)
		rc = s2s_buf_add(
		        &b, *p == '/' || (p == name && *p == '.') ? "_" : p, 1);
	other = user && *user && (!configured || strcmp(user, configured));
	if (!rc && other)
		rc = s2s_buf_add(&b, "~", 1);
	for (const char *p = user; !rc && other && *p; p++)
		rc = s2s_buf_add(&b, *p == '/' ? "_" : p, 1);
	if (rc) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = mkdirs(b.ptr, err);
	if (!rc)
		*out = s2s_buf_detach(&b, NULL);
out:
	free(data);
	s2s_buf_release(&b);
	return rc;
}

static s2s_err lock_profile(struct s2s_lock **out,
                            const struct s2s_account *acct,
                            struct s2s_error *err)
{
	char name[300];
	char *dir = NULL;
	s2s_err rc;

	rc = s2s_config_lock_dir(&dir, err);
	if (rc)
		return rc;
	snprintf(name, sizeof(name), "browser-%s", s2s_account_name(acct));
	rc = s2s_lock_acquire(out, dir, name, 0, NULL, err);
	free(dir);
	return rc;
}

struct argv_builder {
	const char *argv[MAX_ARGS + 1];
	size_t n;
};

static void add_arg(struct argv_builder *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->argv[a->n++] = s;
}

/* The command line: never a secret on it. */
static void build_argv(struct argv_builder *a, const char *exe,
                       const char *udd_arg, bool headless, char *extra)
{
	add_arg(a, exe);
	add_arg(a, "--remote-debugging-pipe");
	add_arg(a, udd_arg);
	add_arg(a, "--no-first-run");
	add_arg(a, "--no-default-browser-check");
	add_arg(a, "--disable-background-networking");
	add_arg(a, "--disable-component-update");
	add_arg(a, "--disable-sync");
	add_arg(a, "--disable-default-apps");
	add_arg(a, "--disable-domain-reliability");
	add_arg(a, "--password-store=basic");
	/* keep session cookies (e.g. SimpleSAMLphp's) across starts, so
	 * the IdP session makes the next login silent */
	add_arg(a, "--restore-last-session");
	if (headless)
		add_arg(a, "--headless=new");
	if (geteuid() == 0)
		add_arg(a, "--no-sandbox");
	/* browser.args: extra flags, split at spaces (no quoting) */
	while (extra && *extra) {
		size_t n = strcspn(extra, " \t");

		if (n)
			add_arg(a, extra);
		extra += n;
		if (*extra)
			*extra++ = '\0';
	}
	add_arg(a, "about:blank");
	a->argv[a->n] = NULL;
}

/* Send {"id":N,"method":M[,"sessionId":S][,"params":P]}; P is raw JSON
 * and may be secret (the buffer is). */
static s2s_err send_cmd(struct browser_state *st, int *id_out,
                        const char *method, const char *params,
                        size_t params_len, const char *session,
                        struct s2s_error *err)
{
	struct s2s_buf m = S2S_BUF_SECRET_INIT;
	s2s_err rc;
	int id = ++st->next_id;

	rc = s2s_buf_printf(&m, "{\"id\":%d,\"method\":\"%s\"", id, method);
	if (!rc && session) {
		rc = s2s_buf_puts(&m, ",\"sessionId\":");
		if (!rc)
			rc = s2s_browser__json_str(&m, session,
			                           strlen(session));
	}
	if (!rc && params) {
		rc = s2s_buf_puts(&m, ",\"params\":");
		if (!rc)
			rc = s2s_buf_add(&m, params, params_len);
	}
	if (!rc)
		rc = s2s_buf_puts(&m, "}");
	if (rc)
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	else
		rc = s2s_browser__send(&st->cdp, &m, err);
	s2s_buf_release(&m);
	if (id_out)
		*id_out = id;
	return rc;
}

static s2s_err gone(struct browser_state *st, const char *when,
                    struct s2s_error *err)
{
	int s;

	s2s_browser__reaped(&st->cdp, 2000);
	s = st->cdp.status;
	if (st->cdp.exited && WIFSIGNALED(s))
		return s2s_error_set(err, S2S_ERROR,
		                     "the browser died by signal %d %s",
		                     WTERMSIG(s), when);
	if (st->cdp.exited && WEXITSTATUS(s) == 0)
		return s2s_error_set(err, S2S_ECANCELLED,
		                     "the browser was closed %s", when);
	return s2s_error_set(err, S2S_ERROR,
	                     "the browser exited (status %d) %s%s",
	                     st->cdp.exited ? WEXITSTATUS(s) : -1, when,
	                     !st->headless && !s2s_config_env("DISPLAY") &&
	                                     !s2s_config_env("WAYLAND_DISPLAY")
	                             ? " (no display: try --headless)"
	                             : "");
}

/* The next message, parsed.  Maps EOF, deadline and Ctrl-C to errors. */
static s2s_err next_msg(struct browser_state *st, struct json_object **out,
                        long deadline, const char *when, struct s2s_error *err)
{
	struct s2s_buf m = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	*out = NULL;
	rc = s2s_browser__recv(&st->cdp, &m, deadline, st->cancel, err);
	if (rc == S2S_ENOTFOUND)
		rc = gone(st, when, err);
	else if (rc == S2S_EEXPIRED)
		rc = s2s_error_set(
		        err, S2S_EMFA,
		        "no SAMLResponse after %ld s: the login in "
		        "the browser did not finish (browser.timeout)",
		        st->timeout);
	else if (rc == S2S_ECANCELLED)
		rc = s2s_error_set(err, S2S_ECANCELLED,
		                   "interrupted: browser closed");
	if (!rc) {
		*out = s2s_browser__json_parse(&m);
		if (!*out)
			rc = s2s_error_set(
			        err, S2S_EIDP,
			        "the browser sent a devtools message "
			        "that is not JSON");
	}
	s2s_buf_release(&m);
	return rc;
}

static int msg_id(struct json_object *msg)
{
	struct json_object *v;

	if (!json_object_object_get_ex(msg, "id", &v))
		return -1;
	return json_object_get_int(v);
}

static void on_attached(struct browser_state *st, struct json_object *msg);

static bool is_event(struct json_object *msg, const char *name)
{
	const char *m = s2s_browser__json_path(msg, "method", NULL);

	return m && strcmp(m, name) == 0;
}

/* The event's session, or "" (the browser's). */
static const char *msg_session(struct json_object *msg)
{
	const char *s = s2s_browser__json_path(msg, "sessionId", NULL);

	return s ? s : "";
}

/* Send a command and wait for its answer (other events before it are
 * dropped, but for targets attached meanwhile: nothing is paused yet). */
static s2s_err call(struct browser_state *st, struct json_object **out,
                    const char *method, const char *params, const char *session,
                    struct s2s_error *err)
{
	struct json_object *msg = NULL;
	long deadline = s2s_browser__now_ms() + START_TIMEOUT_MS;
	int id;
	s2s_err rc;

	rc = send_cmd(st, &id, method, params, params ? strlen(params) : 0,
	              session, err);
	while (!rc) {
		rc = next_msg(st, &msg, deadline, "during start-up", err);
		if (rc)
			break;
		if (msg_id(msg) == id) {
			if (json_object_object_get_ex(msg, "error", NULL)) {
				rc = s2s_error_set(err, S2S_ERROR,
				                   "the browser refused %s",
				                   method);
				break;
			}
			if (out) {
				*out = msg;
				msg = NULL;
			}
			break;
		}
		if (is_event(msg, "Target.attachedToTarget"))
			on_attached(st, msg);
		s2s_browser__json_put(msg);
		msg = NULL;
	}
	if (rc == S2S_EMFA) { /* the deadline here is start-up's */
		s2s_error_clear(err);
		rc = s2s_error_set(err, S2S_ERROR,
		                   "the browser did not answer %s within %ld s",
		                   method, START_TIMEOUT_MS / 1000);
	}
	s2s_browser__json_put(msg);
	return rc;
}

static s2s_err dup_result(char **out, struct json_object *msg, const char *k,
                          const char *method, struct s2s_error *err)
{
	const char *v = s2s_browser__json_path(msg, "result", k);

	if (!v)
		return s2s_error_set(err, S2S_ERROR,
		                     "the browser's %s answer has no %s",
		                     method, k);
	*out = strdup(v);
	return *out ? S2S_OK : s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

/* One Fetch pattern: scheme + rest + "*". */
static s2s_err add_pattern(struct s2s_buf *p, const char *scheme,
                           const char *rest)
{
	struct s2s_buf u = S2S_BUF_INIT;
	s2s_err rc = S2S_ENOMEM;

	if (!s2s_buf_puts(&u, scheme) && !s2s_buf_puts(&u, rest) &&
	    !s2s_buf_puts(&u, "*") &&
	    !s2s_buf_puts(p, p->ptr[p->len - 1] == '[' ? "{" : ",{") &&
	    !s2s_buf_puts(p, "\"requestStage\":\"Request\",\"urlPattern\":") &&
	    !s2s_browser__json_str(p, u.ptr, u.len) && !s2s_buf_puts(p, "}"))
		rc = S2S_OK;
	s2s_buf_release(&u);
	return rc;
}

/* The Fetch.enable parameters: ACS + "*", so anything under it is
 * paused and no variant of the URL lets the assertion leave; the same
 * for both sites' ACS, and for their plain-http URLs, so that an
 * assertion for the other site, or in clear text, is stopped too
 * (on_paused refuses it). */
static s2s_err fetch_params(struct s2s_buf *p, const char *acs)
{
	const char *urls[] = { acs, s2s_site_find("cn")->acs_url,
		               s2s_site_find("intl")->acs_url };

	if (s2s_buf_puts(p, "{\"patterns\":["))
		return S2S_ENOMEM;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		if (i && strcmp(urls[i], acs) == 0)
			continue;
		if (add_pattern(p, "", urls[i]) ||
		    (strncmp(urls[i], "https://", 8) == 0 &&
		     add_pattern(p, "http://", urls[i] + 8)))
			return S2S_ENOMEM;
	}
	return s2s_buf_puts(p, "]}") ? S2S_ENOMEM : S2S_OK;
}

static s2s_err target_params(struct s2s_buf *p, const char *target)
{
	if (s2s_buf_puts(p, "{\"targetId\":") ||
	    s2s_browser__json_str(p, target, strlen(target)) ||
	    s2s_buf_puts(p, "}"))
		return S2S_ENOMEM;
	return S2S_OK;
}

/* Watching for "the page needs the person": a binding the injected
 * script calls (Runtime.bindingCalled needs Runtime.enable first). */
static s2s_err watch_cmds(struct browser_state *st, const char *session,
                          struct s2s_error *err)
{
	struct s2s_buf p = S2S_BUF_INIT;
	s2s_err rc;

	rc = send_cmd(st, NULL, "Runtime.enable", NULL, 0, session, err);
	if (!rc)
		rc = send_cmd(st, NULL, "Runtime.addBinding",
		              "{\"name\":\"s2sNeed\"}",
		              strlen("{\"name\":\"s2sNeed\"}"), session, err);
	if (!rc &&
	    (s2s_buf_puts(&p, "{\"source\":") ||
	     s2s_browser__json_str(&p, need_script, sizeof(need_script) - 1) ||
	     s2s_buf_puts(&p, "}")))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (!rc)
		rc = send_cmd(st, NULL, "Page.addScriptToEvaluateOnNewDocument",
		              p.ptr, p.len, session, err);
	s2s_buf_release(&p);
	return rc;
}

static void close_target(struct browser_state *st, const char *target);

/* A popup or tab the IdP opened (window.open, target=_blank), attached
 * paused: pause its ACS requests too, then let it run. */
static void follow(struct browser_state *st, const char *session,
                   const char *target, const char *acs)
{
	struct s2s_error scratch = S2S_ERROR_INIT;
	struct s2s_buf p = S2S_BUF_INIT;

	if (st->nfollowed < MAX_FOLLOWED)
		st->followed[st->nfollowed] = strdup(target);
	if (st->nfollowed < MAX_FOLLOWED && st->followed[st->nfollowed])
		st->nfollowed++;
	if (st->watch)
		watch_cmds(st, session, &scratch);
	/* never let it run unless its ACS requests are paused: the
	 * session handles commands in order */
	if (!acs || fetch_params(&p, acs) ||
	    send_cmd(st, NULL, "Fetch.enable", p.ptr, p.len, session, &scratch))
		close_target(st, target);
	else
		send_cmd(st, NULL, "Runtime.runIfWaitingForDebugger", NULL, 0,
		         session, &scratch);
	s2s_buf_release(&p);
	s2s_error_clear(&scratch);
}

static void close_target(struct browser_state *st, const char *target)
{
	struct s2s_error scratch = S2S_ERROR_INIT;
	struct s2s_buf p = S2S_BUF_INIT;

	if (!target_params(&p, target))
		send_cmd(st, NULL, "Target.closeTarget", p.ptr, p.len, NULL,
		         &scratch);
	s2s_buf_release(&p);
	s2s_error_clear(&scratch);
}

/* Target.attachedToTarget (auto-attach, flatten): our own tab is set up
 * by open_tab; a page with an opener, or any page once ours has loaded,
 * is followed; a page without one before that is a stray (the restored
 * session, the browser's first tab): closed, so the user sees one tab.
 * Anything else (workers, the browser's own UI) is let run. */
static void on_attached(struct browser_state *st, struct json_object *msg)
{
	struct json_object *params = NULL, *info = NULL;
	const char *session, *target, *type, *opener;
	struct s2s_error scratch = S2S_ERROR_INIT;

	json_object_object_get_ex(msg, "params", &params);
	json_object_object_get_ex(params, "targetInfo", &info);
	session = s2s_browser__json_path(params, "sessionId", NULL);
	target = s2s_browser__json_path(info, "targetId", NULL);
	type = s2s_browser__json_path(info, "type", NULL);
	opener = s2s_browser__json_path(info, "openerId", NULL);
	if (!session || !target || !type)
		return;
	if (strcmp(type, "page") != 0) {
		send_cmd(st, NULL, "Runtime.runIfWaitingForDebugger", NULL, 0,
		         session, &scratch);
		s2s_error_clear(&scratch);
		return;
	}
	if (st->target && strcmp(target, st->target) == 0) {
		/* ours, attached after createTarget answered */
		if (!st->session)
			st->session = strdup(session);
		return;
	}
	if (!st->target && !opener) {
		if (st->npending < MAX_PENDING) {
			struct pending_target *pt = &st->pending[st->npending];

			pt->target = strdup(target);
			pt->session = strdup(session);
			if (pt->target && pt->session)
				st->npending++;
			else {
				free(pt->target);
				free(pt->session);
			}
		}
		return;
	}
	if (opener || st->loaded)
		follow(st, session, target, st->acs);
	else
		close_target(st, target);
}

/* Open our tab (auto-attached, paused), close the strays, pause
 * requests to the ACS in every page, let ours run. */
static s2s_err open_tab(struct browser_state *st, const char *acs,
                        struct s2s_error *err)
{
	struct json_object *msg = NULL;
	struct s2s_buf p = S2S_BUF_INIT;
	long deadline = s2s_browser__now_ms() + START_TIMEOUT_MS;
	s2s_err rc;

	st->acs = acs;
	rc = call(st, NULL, "Browser.getVersion", NULL, NULL, err);
	if (!rc)
		rc = call(st, NULL, "Target.setAutoAttach",
		          "{\"autoAttach\":true,\"waitForDebuggerOnStart\":"
		          "true,\"flatten\":true}",
		          NULL, err);
	if (!rc)
		rc = call(st, &msg, "Target.createTarget",
		          "{\"url\":\"about:blank\"}", NULL, err);
	if (!rc)
		rc = dup_result(&st->target, msg, "targetId", "createTarget",
		                err);
	s2s_browser__json_put(msg);
	msg = NULL;
	/* its attachedToTarget may come after the answer */
	while (!rc && !st->session) {
		for (size_t i = 0; i < st->npending; i++) {
			struct pending_target *pt = &st->pending[i];

			if (strcmp(pt->target, st->target) == 0) {
				st->session = pt->session;
				pt->session = NULL;
			} else {
				close_target(st, pt->target);
			}
			free(pt->target);
			free(pt->session);
		}
		st->npending = 0;
		if (st->session)
			break;
		rc = next_msg(st, &msg, deadline, "during start-up", err);
		if (rc == S2S_EMFA) {
			s2s_error_clear(err);
			rc = s2s_error_set(
			        err, S2S_ERROR,
			        "the browser did not attach its tab");
		}
		if (!rc && is_event(msg, "Target.attachedToTarget"))
			on_attached(st, msg);
		s2s_browser__json_put(msg);
		msg = NULL;
	}
	if (rc)
		goto out;
	if (fetch_params(&p, acs)) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	if (st->watch)
		rc = watch_cmds(st, st->session, err);
	if (!rc)
		rc = call(st, NULL, "Fetch.enable", p.ptr, st->session, err);
	if (!rc)
		rc = call(st, NULL, "Page.enable", NULL, st->session, err);
	if (!rc)
		rc = call(st, NULL, "Runtime.runIfWaitingForDebugger", NULL,
		          st->session, err);
out:
	s2s_browser__json_put(msg);
	s2s_buf_release(&p);
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The url-decoded SAMLResponse of an urlencoded body into out. */
static bool form_value(struct s2s_buf *out, const char *body)
{
	static const char key[] = "SAMLResponse=";
	const char *p = body;

	while (p && strncmp(p, key, sizeof(key) - 1) != 0) {
		p = strchr(p, '&');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return false;
	for (p += sizeof(key) - 1; *p && *p != '&'; p++) {
		char c = *p;

		if (c == '+') {
			c = ' ';
		} else if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		}
		if (s2s_buf_add(out, &c, 1))
			return false;
	}
	return out->len > 0;
}

/* The paused POST to the ACS: take the SAMLResponse, answer locally. */
static s2s_err on_paused(struct browser_state *st, struct json_object *msg,
                         struct s2s_buf *saml_b64, struct s2s_error *err)
{
	const char *rid = s2s_browser__json_path(msg, "params", "requestId");
	struct json_object *params = NULL, *req = NULL;
	const char *body = NULL, *url;
	struct s2s_buf p = S2S_BUF_INIT;
	bool ok, other;
	s2s_err rc;

	json_object_object_get_ex(msg, "params", &params);
	json_object_object_get_ex(params, "request", &req);
	body = s2s_browser__json_path(req, "postData", NULL);
	url = s2s_browser__json_path(req, "url", NULL);
	if (!rid)
		return s2s_error_set(err, S2S_EIDP,
		                     "Fetch.requestPaused without requestId");
	s2s_buf_reset(saml_b64);
	/* the other site's ACS: stopped, never taken */
	other = !url || strncasecmp(url, st->acs, strlen(st->acs)) != 0;
	ok = !other && body && form_value(saml_b64, body);
	if (s2s_buf_puts(&p, "{\"requestId\":") ||
	    s2s_browser__json_str(&p, rid, strlen(rid)) ||
	    s2s_buf_puts(&p, ok ? ",\"responseCode\":200,\"responseHeaders\":"
	                          "[{\"name\":\"Content-Type\",\"value\":"
	                          "\"text/html; "
	                          "charset=utf-8\"}],\"body\":\"" DONE_PAGE_B64
	                          "\"}"
	                        : ",\"errorReason\":\"Aborted\"}"))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = send_cmd(st, NULL,
	              ok ? "Fetch.fulfillRequest" : "Fetch.failRequest", p.ptr,
	              p.len, msg_session(msg), err);
	s2s_buf_release(&p);
	if (!rc && other)
		rc = s2s_error_set(
		        err, S2S_EIDP,
		        "the IdP sent the assertion to %.*s, not to "
		        "the configured site's ACS %.80s: set site to "
		        "the site of that ACS, or the application's "
		        "ACS URL in the IdP (https)",
		        url ? (int)strcspn(url, "?#") : 1, url ? url : "?",
		        st->acs);
	if (!rc && !ok)
		rc = s2s_error_set(err, S2S_EIDP,
		                   "the request to the ACS carried no "
		                   "SAMLResponse (a POST body was expected)");
	return rc;
}

/* Ask the page whether it shows a password field on the IdP's origin
 * (its host, and its scheme and port: never a plain-http page of the
 * host, nor another service on it). */
static s2s_err probe_form(struct browser_state *st, struct s2s_error *err)
{
	struct s2s_buf p = S2S_BUF_INIT, e = S2S_BUF_INIT;
	s2s_err rc;

	if (s2s_buf_puts(&e,
	                 "(function(h){var p=document.querySelector("
	                 "'input[type=password]');return location.origin"
	                 "===h&&!!p&&!!p.form&&p.offsetParent!==null;})(") ||
	    s2s_browser__json_str(&e, st->idp_origin, strlen(st->idp_origin)) ||
	    s2s_buf_puts(&e, ")") ||
	    s2s_buf_puts(&p, "{\"returnByValue\":true,"
	                     "\"expression\":") ||
	    s2s_browser__json_str(&p, e.ptr, e.len) || s2s_buf_puts(&p, "}"))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	else
		rc = send_cmd(st, &st->probe_id, "Runtime.evaluate", p.ptr,
		              p.len, st->session, err);
	s2s_buf_release(&e);
	s2s_buf_release(&p);
	return rc;
}

/* The expression that fills and submits the form, rechecking the origin
 * in the page itself (location is unforgeable: a page script cannot
 * fake it). */
static s2s_err fill_expression(struct s2s_buf *e, const char *origin,
                               const struct s2s_buf *user,
                               const struct s2s_buf *pass)
{
	if (s2s_buf_puts(
	            e, "(function(h,u,w){if(location.origin!==h)return;"
	               "var p=document.querySelector('input[type=password]')"
	               ";var f=p.form;var n=f.querySelector('input[type=email]"
	               ",input[type=text],input:not([type])');if(n&&!n.value"
	               ")n.value=u;p.value=w;var b=f.querySelector('[type="
	               "submit]');if(b)b.click();else f.submit();})(") ||
	    s2s_browser__json_str(e, origin, strlen(origin)) ||
	    s2s_buf_puts(e, ",") ||
	    s2s_browser__json_str(e, user->ptr, user->len) ||
	    s2s_buf_puts(e, ",") ||
	    s2s_browser__json_str(e, pass->ptr, pass->len) ||
	    s2s_buf_puts(e, ")"))
		return S2S_ENOMEM;
	return S2S_OK;
}

static s2s_err fill_form(struct s2s_adapter_ctx *ctx, struct browser_state *st)
{
	struct s2s_buf user = S2S_BUF_INIT, pass = S2S_BUF_SECRET_INIT;
	struct s2s_buf e = S2S_BUF_SECRET_INIT, p = S2S_BUF_SECRET_INIT;
	s2s_err rc;

	if (st->fills++)
		return s2s_error_set(
		        ctx->err, S2S_EAUTH,
		        "the IdP rejected the username or password "
		        "(login form shown again)");
	rc = s2s_adapter_username(ctx, &user);
	if (!rc) /* the fill only runs on a page of the url's host */
		rc = s2s_adapter_password(
		        ctx, s2s_account_get(ctx->acct, "url"), &pass);
	if (rc)
		goto out;
	if (fill_expression(&e, st->idp_origin, &user, &pass) ||
	    s2s_buf_puts(&p, "{\"expression\":") ||
	    s2s_browser__json_str(&p, e.ptr, e.len) || s2s_buf_puts(&p, "}")) {
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = send_cmd(st, NULL, "Runtime.evaluate", p.ptr, p.len, st->session,
	              ctx->err);
out:
	s2s_buf_release(&user);
	s2s_buf_release(&pass);
	s2s_buf_release(&e);
	s2s_buf_release(&p);
	return rc;
}

/* The length of the host name at s (letters, digits, '-', '.', '_', an
 * IPv6 literal's ':' and brackets) when a space or the end follows it,
 * else 0: a page's own s2sNeed() call puts no other text in a message. */
static size_t host_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	                     "WXYZ0123456789-._:[]");

	return n <= 253 && (s[n] == ' ' || s[n] == '\0') ? n : 0;
}

/* "kind hostname origin" from the injected script (or from any script
 * of the page): the page needs the person.  In the silent attempt that
 * ends it (st->need); in headless mode it is an error unless autofill
 * handles it (a login form on the IdP's origin). */
static s2s_err on_need(struct s2s_adapter_ctx *ctx, struct browser_state *st,
                       struct json_object *msg)
{
	struct json_object *params = NULL;
	const char *name, *payload, *host, *origin, *what;
	size_t klen, hlen;
	char why[300];

	json_object_object_get_ex(msg, "params", &params);
	name = s2s_browser__json_path(params, "name", NULL);
	payload = s2s_browser__json_path(params, "payload", NULL);
	if (!name || strcmp(name, "s2sNeed") != 0 || !payload || !st->watch)
		return S2S_OK;
	klen = strcspn(payload, " ");
	host = payload[klen] ? payload + klen + 1 : "";
	hlen = host_len(host);
	origin = hlen && host[hlen] ? host + hlen + 1 : "";
	if (klen == 5 && strncmp(payload, "login", 5) == 0)
		what = "a login form";
	else if (klen == 4 && strncmp(payload, "code", 4) == 0)
		what = "a one-time code prompt";
	else if (klen == 7 && strncmp(payload, "passkey", 7) == 0)
		what = "a passkey (WebAuthn) request";
	else
		what = "an MFA prompt";
	if (!st->silent && st->autofill && klen == 5 &&
	    strcmp(origin, st->idp_origin) == 0 &&
	    strcmp(what, "a login form") == 0)
		return S2S_OK; /* autofill's probe fills it */
	snprintf(why, sizeof(why), "%s on %.*s", what, hlen ? (int)hlen : 1,
	         hlen ? host : "?");
	s2s_printable(why);
	if (st->silent) {
		free(st->need);
		st->need = strdup(why);
		return st->need ? S2S_OK
		                : s2s_error_set(ctx->err, S2S_ENOMEM,
		                                "out of memory");
	}
	return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
	                     "the login needs you (%s) but the browser "
	                     "runs headless (%s): run it where a display "
	                     "exists with browser.mode = auto or visible",
	                     why,
	                     st->mode == MODE_HEADLESS && !st->silent
	                             ? "browser.mode = headless or --headless"
	                             : "no display");
}

/* One message of the login: sets *done when the SAMLResponse is in. */
static s2s_err on_message(struct s2s_adapter_ctx *ctx, struct browser_state *st,
                          struct json_object *msg, struct s2s_buf *saml_b64,
                          bool *done)
{
	const char *method = s2s_browser__json_path(msg, "method", NULL);
	bool ours = st->session && strcmp(msg_session(msg), st->session) == 0;
	struct json_object *v = NULL;

	if (method && strcmp(method, "Fetch.requestPaused") == 0) {
		*done = true;
		return on_paused(st, msg, saml_b64, ctx->err);
	}
	if (method && strcmp(method, "Target.attachedToTarget") == 0) {
		on_attached(st, msg);
		return S2S_OK;
	}
	if (method && strcmp(method, "Runtime.bindingCalled") == 0)
		return on_need(ctx, st, msg);
	if (method && strcmp(method, "Target.detachedFromTarget") == 0) {
		const char *sid =
		        s2s_browser__json_path(msg, "params", "sessionId");

		if (sid && st->session && strcmp(sid, st->session) == 0)
			return s2s_error_set(ctx->err, S2S_ECANCELLED,
			                     "the login tab was closed before "
			                     "the login finished");
		return S2S_OK;
	}
	if (method && strcmp(method, "Page.loadEventFired") == 0 && ours) {
		st->loaded = true;
		if (st->autofill && !st->silent)
			return probe_form(st, ctx->err);
		return S2S_OK;
	}
	if (st->probe_id && msg_id(msg) == st->probe_id) {
		st->probe_id = 0;
		json_object_object_get_ex(msg, "result", &v);
		json_object_object_get_ex(v, "result", &v);
		json_object_object_get_ex(v, "value", &v);
		if (v && json_object_get_boolean(v))
			return fill_form(ctx, st);
	}
	return S2S_OK;
}

static s2s_err navigate(struct browser_state *st, const char *url,
                        struct s2s_error *err)
{
	struct s2s_buf p = S2S_BUF_INIT;
	s2s_err rc;

	if (s2s_buf_puts(&p, "{\"url\":") ||
	    s2s_browser__json_str(&p, url, strlen(url)) ||
	    s2s_buf_puts(&p, "}"))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
	else
		rc = send_cmd(st, NULL, "Page.navigate", p.ptr, p.len,
		              st->session, err);
	s2s_buf_release(&p);
	return rc;
}

static s2s_err run_login(struct s2s_adapter_ctx *ctx, struct browser_state *st,
                         struct s2s_buf *saml_b64)
{
	const char *url = s2s_account_get(ctx->acct, "url");
	struct json_object *msg = NULL;
	long deadline = st->deadline;
	bool done = false;
	s2s_err rc;

	if (st->silent) {
		long quiet = s2s_browser__now_ms() + st->silent_timeout * 1000;

		if (quiet < deadline)
			deadline = quiet;
	}
	rc = open_tab(st, ctx->site_acs_url, ctx->err);
	if (!rc)
		rc = navigate(st, url, ctx->err);
	if (!rc && !st->headless && ctx->prompter && ctx->prompter->notify)
		ctx->prompter->notify(ctx->prompter->payload,
		                      "log in in the browser window");
	while (!rc && !done && !st->need) {
		rc = next_msg(st, &msg, deadline, "before the login finished",
		              ctx->err);
		if (rc == S2S_EMFA && st->silent &&
		    deadline < st->deadline) { /* the silent attempt's end */
			char why[80];

			s2s_error_clear(ctx->err);
			snprintf(why, sizeof(why),
			         "no SAMLResponse within %ld s "
			         "(browser.silent_timeout)",
			         st->silent_timeout);
			st->need = strdup(why);
			rc = st->need ? S2S_OK
			              : s2s_error_set(ctx->err, S2S_ENOMEM,
			                              "out of memory");
			break;
		}
		if (!rc)
			rc = on_message(ctx, st, msg, saml_b64, &done);
		s2s_browser__json_put(msg);
		msg = NULL;
	}
	if (!rc) {
		struct s2s_error scratch = S2S_ERROR_INIT;

		/* Leave the tab on about:blank, so that the next start's
		 * session restore has no ACS page to load again outside
		 * this tab's interception; close what the IdP opened. */
		if (done)
			call(st, NULL, "Page.navigate",
			     "{\"url\":\"about:blank\"}", st->session,
			     &scratch);
		for (size_t i = 0; i < st->nfollowed; i++)
			close_target(st, st->followed[i]);
		send_cmd(st, NULL, "Browser.close", NULL, 0, NULL, &scratch);
		s2s_error_clear(&scratch);
	}
	return rc;
}

/* The origin of url as a page's location.origin says it:
 * scheme://host[:port], lowercase, without userinfo nor the scheme's
 * default port.  Only the autofill compares it (a mismatch: no fill). */
static s2s_err url_origin(char **out, const char *url, struct s2s_error *err)
{
	const char *sep = url ? strstr(url, "://") : NULL, *auth, *port;
	size_t alen, plen = 0;
	struct s2s_buf b = S2S_BUF_INIT;

	if (!sep)
		return s2s_error_set(err, S2S_ECONFIG, "url has no scheme");
	auth = sep + 3;
	alen = strcspn(auth, "/?#");
	for (const char *at = memchr(auth, '@', alen); at;
	     at = memchr(auth, '@', alen)) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	port = *auth == '[' ? memchr(auth, ']', alen) : auth;
	port = port ? memchr(port, ':', alen - (size_t)(port - auth)) : NULL;
	if (port) {
		plen = alen - (size_t)(port - auth); /* ":NNN" */
		alen = (size_t)(port - auth);
		if ((plen == 4 && strncmp(port, ":443", 4) == 0 &&
		     strncasecmp(url, "https", 5) == 0 && sep - url == 5) ||
		    (plen == 3 && strncmp(port, ":80", 3) == 0 &&
		     strncasecmp(url, "http", 4) == 0 && sep - url == 4) ||
		    plen == 1)
			plen = 0;
	}
	if (s2s_buf_add(&b, url, (size_t)(sep + 3 - url)) ||
	    s2s_buf_add(&b, auth, alen) ||
	    s2s_buf_add(&b, port ? port : "", plen)) {
		s2s_buf_release(&b);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	for (char *p = b.ptr; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	*out = s2s_buf_detach(&b, NULL);
	return *out ? S2S_OK : s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

static s2s_err read_settings(struct s2s_adapter_ctx *ctx,
                             struct browser_state *st)
{
	const char *mode = s2s_account_get(ctx->acct, "browser.mode");
	s2s_err rc;

	if (ctx->flags & S2S_LOGIN_HEADLESS) /* --headless wins */
		st->mode = MODE_HEADLESS;
	else if (!mode || strcasecmp(mode, "auto") == 0)
		st->mode = MODE_AUTO;
	else if (strcasecmp(mode, "headless") == 0)
		st->mode = MODE_HEADLESS;
	else if (strcasecmp(mode, "visible") == 0)
		st->mode = MODE_VISIBLE;
	else
		return s2s_error_set(ctx->err, S2S_ECONFIG,
		                     "browser.mode must be auto, headless or "
		                     "visible, not '%s'",
		                     mode);
	rc = s2s_account_get_long(&st->timeout, ctx->acct, "browser.timeout", 1,
	                          86400, DEFAULT_TIMEOUT, ctx->err);
	if (!rc)
		rc = s2s_account_get_long(&st->silent_timeout, ctx->acct,
		                          "browser.silent_timeout", 1, 3600,
		                          DEFAULT_SILENT, ctx->err);
	if (!rc)
		rc = s2s_account_get_bool(&st->autofill, ctx->acct,
		                          "browser.autofill",
		                          st->mode == MODE_HEADLESS, ctx->err);
	if (!rc)
		rc = s2s_url_host(&st->idp_host,
		                  s2s_account_get(ctx->acct, "url"), ctx->err);
	if (!rc)
		rc = url_origin(&st->idp_origin,
		                s2s_account_get(ctx->acct, "url"), ctx->err);
	return rc;
}

static bool have_display(void)
{
	const char *x = s2s_config_env("DISPLAY");
	const char *w = s2s_config_env("WAYLAND_DISPLAY");

	return (x && *x) || (w && *w);
}

/* Forget one start's tab and targets (the next start is a new browser). */
static void reset_start(struct browser_state *st)
{
	free(st->session);
	free(st->target);
	st->session = st->target = NULL;
	for (size_t i = 0; i < st->npending; i++) {
		free(st->pending[i].target);
		free(st->pending[i].session);
	}
	st->npending = 0;
	for (size_t i = 0; i < st->nfollowed; i++)
		free(st->followed[i]);
	st->nfollowed = 0;
	st->probe_id = 0;
	st->loaded = false;
}

/* One start of the browser on the profile, headless or not; the
 * browser is gone when it returns. */
static s2s_err run_start(struct s2s_adapter_ctx *ctx, struct browser_state *st,
                         const char *exe, const char *udd,
                         struct s2s_buf *saml_b64)
{
	struct argv_builder av = { 0 };
	char *extra =
	        strdup(s2s_account_get_str(ctx->acct, "browser.args", ""));
	s2s_err rc;

	if (!extra)
		return s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
	st->cdp = (struct s2s_cdp){ .pid = -1,
		                    .pgid = -1,
		                    .wfd = -1,
		                    .rfd = -1,
		                    .rbuf = S2S_BUF_SECRET_INIT };
	build_argv(&av, exe, udd, st->headless, extra);
	rc = s2s_browser__spawn(&st->cdp, av.argv, ctx->err);
	if (!rc)
		rc = run_login(ctx, st, saml_b64);
	/* Give a clean Browser.close a moment, so the profile (cookies,
	 * session) is saved, then end whatever is left of the group. */
	if (!rc)
		s2s_browser__reaped(&st->cdp, 5000);
	s2s_browser__kill(&st->cdp);
	reset_start(st);
	free(extra);
	return rc;
}

static void say(struct s2s_adapter_ctx *ctx, const char *text)
{
	if (ctx->prompter && ctx->prompter->notify)
		ctx->prompter->notify(ctx->prompter->payload, text);
}

static s2s_err browser_authenticate(struct s2s_adapter_ctx *ctx,
                                    struct s2s_buf *saml_b64)
{
	struct browser_state st = { .cdp = { .pid = -1,
		                             .pgid = -1,
		                             .wfd = -1,
		                             .rfd = -1,
		                             .rbuf = S2S_BUF_SECRET_INIT } };
	struct s2s_lock *lock = NULL;
	char *exe = NULL, *dir = NULL, *udd = NULL;
	bool interrupted = false;
	s2s_err rc;

	rc = read_settings(ctx, &st);
	if (!rc)
		rc = find_browser(&exe, ctx->acct, ctx->err);
	if (!rc)
		rc = profile_dir(&dir, ctx->acct, ctx->username, ctx->err);
	if (!rc)
		rc = lock_profile(&lock, ctx->acct, ctx->err);
	if (rc)
		goto out;
	udd = malloc(strlen(dir) + sizeof("--user-data-dir="));
	if (!udd) {
		rc = s2s_error_set(ctx->err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(udd, "--user-data-dir=", sizeof("--user-data-dir="));
	memcpy(udd + strlen(udd), dir, strlen(dir) + 1);
	if (geteuid() == 0)
		say(ctx, "warning: running as root, so the browser runs "
		         "without its sandbox (--no-sandbox)");
	st.cancel = ctx->cancel;
	st.headless = st.mode != MODE_VISIBLE;
	st.silent = st.mode == MODE_AUTO;
	st.watch = st.headless;
	st.deadline = s2s_browser__now_ms() + st.timeout * 1000;
	rc = run_start(ctx, &st, exe, udd, saml_b64);
	if (!rc && st.need) {
		char line[400];

		/* auto: the silent attempt needs the person */
		if (!have_display()) {
			rc = s2s_error_set(
			        ctx->err, S2S_ENEEDINPUT,
			        "the login needs you (%s) and there is no "
			        "display for a browser window (DISPLAY and "
			        "WAYLAND_DISPLAY unset): run saml2sts login "
			        "where a display exists, or use an adapter "
			        "that logs in without a browser",
			        st.need);
			goto out;
		}
		snprintf(line, sizeof(line),
		         "silent attempt needs you: %s; opening a window",
		         st.need);
		say(ctx, line);
		free(st.need);
		st.need = NULL;
		st.headless = st.silent = st.watch = false;
		st.deadline = s2s_browser__now_ms() + st.timeout * 1000;
		s2s_buf_reset(saml_b64);
		rc = run_start(ctx, &st, exe, udd, saml_b64);
	}
	interrupted = ctx->cancel && *ctx->cancel;
	if (interrupted && !rc)
		rc = s2s_error_set(ctx->err, S2S_ECANCELLED, "interrupted");
out:
	if (rc)
		s2s_buf_reset(saml_b64);
	s2s_lock_release(lock);
	reset_start(&st);
	free(st.need);
	free(st.idp_host);
	free(st.idp_origin);
	free(exe);
	free(dir);
	free(udd);
	return rc;
}

/* saml2alibabacloud's GoogleApps scrapes Google's sign-in pages; here a
 * Google Workspace SAML app is a browser login (docs/adapters.md). */
static const char *const browser_aliases[] = { "googleapps", "google", NULL };

const struct s2s_adapter s2s_adapter_browser = {
	.abi = S2S_ADAPTER_ABI,
	.name = "browser",
	.aliases = browser_aliases,
	.summary = "a real Chromium/Chrome/Edge: any IdP, any MFA "
	           "(passkeys included)",
	.features = S2S_ADAPTER_F_BROWSER | S2S_ADAPTER_F_FORM |
	            S2S_ADAPTER_F_MFA_TOTP | S2S_ADAPTER_F_MFA_PUSH |
	            S2S_ADAPTER_F_MFA_SMS | S2S_ADAPTER_F_MFA_EMAIL,
	.priv_size = 0,
	.config_keys = known_keys,
	.authenticate = browser_authenticate,
};
