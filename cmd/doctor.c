/* SPDX-License-Identifier: MIT */
/*
 * saml2sts doctor: one line per check of what a login and a refresh
 * need: the config, the credential store, the IdP URL, the clock
 * against STS, the browser and the aliyun CLI profile, each "ok",
 * "warn" or "FAIL" with a fix.  It never prompts, never logs in and
 * stores nothing: its session has no prompter, the keyring is asked
 * whether it is locked without being unlocked, and the file store's
 * passphrase comes from the environment or not at all.  Exit 0 when
 * nothing failed, 1 otherwise.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <saml2sts/file.h>
#include <saml2sts/json.h>
#include <saml2sts/login.h>
#include <saml2sts/session.h>
#include <saml2sts/site.h>
#include <saml2sts/sts.h>

#include "command.h"
#include "registry.h"

/* Clock skew against STS: a warning beyond, a failure beyond. */
#define SKEW_WARN 60
#define SKEW_FAIL 300

enum { O_PROFILE, O_OUTPUT };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the profile whose aliyun CLI entry "
	                              "to check"),
	[O_OUTPUT] = { "output", 0, NULL, "output format (default text)",
	               "text|json" },
	{ NULL },
};

enum level { OK, WARN, FAIL };

static const char *const level_names[] = { "ok", "warn", "FAIL" };

struct check {
	const char *name;
	enum level level;
	char what[512];
	char fix[256];
};

enum { C_CONFIG, C_STORE, C_IDP, C_CLOCK, C_BROWSER, C_ALIYUN, C_COUNT };

struct doctor {
	struct cli *cli;
	struct s2s_config *cfg;         /* the config, or an empty one */
	const struct s2s_account *acct; /* NULL: none usable */
	struct s2s_session *session;
	char notice[512]; /* the engine's store fallback notice */
	char trust[512];  /* the CAs the last HTTP check trusted */
	struct check checks[C_COUNT];
};

static void set(struct check *c, enum level level, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set(struct check *c, enum level level, const char *fix,
                const char *fmt, ...)
{
	va_list ap;

	c->level = level;
	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	snprintf(c->fix, sizeof(c->fix), "%s", fix ? fix : "");
}

/* --- the session: no prompter, no terminal ------------------------- */

static void on_event(void *payload, enum s2s_event ev, const char *text)
{
	struct doctor *d = payload;

	if (ev == S2S_EVENT_NOTICE && !d->notice[0])
		snprintf(d->notice, sizeof(d->notice), "%s", text);
}

/* The file store's passphrase from the environment only: doctor asks
 * nothing. */
static s2s_err env_passphrase(void *payload, struct s2s_buf *out,
                              struct s2s_error *err)
{
	const char *env = s2s_config_env("SAML2STS_FILE_PASSPHRASE");

	(void)payload;
	s2s_buf_reset(out);
	if (!env)
		return s2s_error_set(err, S2S_ENEEDINPUT,
		                     "SAML2STS_FILE_PASSPHRASE is not set");
	if (s2s_buf_puts(out, env))
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static void trace_line(const char *line, void *payload)
{
	(void)payload;
	cli_printf(stderr, "saml2sts: debug: %s", line);
}

static s2s_err session_new(struct doctor *d, struct s2s_error *err)
{
	static struct s2s_session_cb cb;
	struct s2s_session_opts o = { 0 };

	cb.event = on_event;
	cb.passphrase = env_passphrase;
	cb.payload = d;
	o.cfg = d->cfg;
	o.adapters = s2s_adapter_all();
	o.can_prompt = false;
	o.trace = d->cli->debug ? trace_line : NULL;
	o.cb = &cb;
	return s2s_session_new(&d->session, &o, err);
}

/* --- config -------------------------------------------------------- */

/* Unknown keys in the sections not in use: the first one in err and
 * their number. */
static size_t other_unknown_keys(const struct s2s_config *cfg,
                                 const struct s2s_account *in_use,
                                 struct s2s_error *err)
{
	struct s2s_error one = S2S_ERROR_INIT;
	size_t total = 0, n = 0;

	for (size_t i = 0; i < s2s_config_count(cfg); i++) {
		const struct s2s_account *a = s2s_config_at(cfg, i);

		s2s_error_clear(&one);
		if (a == in_use || !s2s_account_check_keys(a, &n, &one))
			continue;
		if (!total)
			s2s_error_set(err, one.code, "%s", one.msg);
		total += n;
	}
	return total;
}

static void check_config(struct doctor *d)
{
	struct check *c = &d->checks[C_CONFIG];
	struct cli *cli = d->cli;
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg = NULL;
	const char *name = cli->account_name, *provider;

	if (!cli->config_path &&
	    s2s_config_default_path(&cli->config_path, &err)) {
		set(c, FAIL, "set HOME or SAML2STS_CONFIG", "%s", err.msg);
		return;
	}
	if (s2s_config_load_flags(&cfg, cli->config_path,
	                          S2S_CONFIG_KEEP_UNKNOWN, &err) ||
	    cli_load_system_config(cfg, &err)) {
		set(c, FAIL, "correct the file at the line named", "%s",
		    err.msg);
		s2s_config_free(cfg);
		return;
	}
	d->cfg = cfg;
	if (!s2s_config_account(cfg, name)) {
		set(c, FAIL, "run saml2sts configure (or pass -a NAME)",
		    "%s: no IdP account '%s'", cli->config_path, name);
		return;
	}
	if (s2s_account_check_keys(s2s_config_account(cfg, name), NULL, &err) ||
	    session_new(d, &err) || s2s_session_check(d->session, name, &err)) {
		set(c, FAIL,
		    "correct the key named (saml2sts configure --set "
		    "KEY=VALUE)",
		    "%s", err.msg);
		return;
	}
	d->acct = s2s_config_account(cfg, name);
	/* the front end's own idea of the account (cli_profile) */
	cli->cfg = cfg;
	cli->acct = d->acct;
	provider = s2s_account_get_str(d->acct, "provider", "-");
	if (other_unknown_keys(cfg, d->acct, &err))
		set(c, WARN,
		    "correct or remove them (other commands ignore them)",
		    "account '%s' (provider %s) is valid; elsewhere: %s", name,
		    provider, err.msg);
	else
		set(c, OK, NULL,
		    "%s: account '%s', provider %s, every key valid",
		    s2s_account_file(d->acct), name, provider);
}

/* --- store --------------------------------------------------------- */

static void check_store(struct doctor *d)
{
	struct check *c = &d->checks[C_STORE];
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;
	const char *backend;
	bool locked = false;

	if (s2s_session_store(&store, d->session, &err)) {
		set(c, FAIL,
		    "restart the keyring daemon (or the desktop session), or "
		    "set SAML2STS_KEYRING_BACKEND=file",
		    "%s", err.msg);
		return;
	}
	backend = s2s_store_backend(store);
	if (strcmp(backend, "file") != 0) {
		if (s2s_store_locked(&locked, store, &err))
			set(c, FAIL,
			    "restart the keyring daemon, or set "
			    "SAML2STS_KEYRING_BACKEND=file",
			    "%s: %s", backend, err.msg);
		else if (locked)
			set(c, WARN,
			    "unlock the keyring (a login on a terminal asks "
			    "to); credential-process fails until then",
			    "%s: reachable, the default collection is locked",
			    backend);
		else
			set(c, OK, NULL, "%s: reachable, unlocked", backend);
		return;
	}
	/* The file store: the directory usable, the passphrase at hand
	 * (from the environment only: ready() asks through our
	 * callback). */
	if (s2s_store_ready(store, &err) == S2S_ENEEDINPUT)
		set(c, WARN,
		    "set SAML2STS_FILE_PASSPHRASE where no terminal can ask "
		    "(IDEs, the aliyun CLI)",
		    "file: %s; no passphrase in the environment",
		    d->notice[0] ? d->notice : "SAML2STS_KEYRING_BACKEND=file");
	else if (err.code)
		set(c, FAIL, "correct the store directory's owner and mode",
		    "file: %s", err.msg);
	else
		set(c, OK, NULL, "file: %s; passphrase from the environment",
		    d->notice[0] ? d->notice : "SAML2STS_KEYRING_BACKEND=file");
}

/* --- network: the IdP URL and the clock ------------------------------ */

/* One GET of url (redirects followed when flags say so), no retry;
 * d->trust says which CAs it trusted. */
static s2s_err get_once(struct doctor *d, const char *url, unsigned int flags,
                        struct s2s_http_response *resp, struct s2s_error *err)
{
	struct s2s_http_request req = { .method = "GET",
		                        .url = url,
		                        .flags = flags };
	struct s2s_http *http = NULL;
	s2s_err rc;

	rc = s2s_session_http(&http, d->session, d->acct, err);
	if (!rc) {
		s2s_http_trust(http, d->trust, sizeof(d->trust));
		rc = s2s_http_do(http, &req, resp, err);
	}
	s2s_http_free(http);
	return rc;
}

static void host_of(char *out, size_t size, const char *url)
{
	char *h = NULL;

	if (s2s_url_host(&h, url, NULL) == S2S_OK && h)
		snprintf(out, size, "%s", h);
	else
		snprintf(out, size, "%s", "the server");
	free(h);
}

static void check_idp(struct doctor *d)
{
	struct check *c = &d->checks[C_IDP];
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	const char *url = s2s_account_get(d->acct, "url");
	char host[256], fix[200], tls[sizeof(d->trust) + 32];
	s2s_err rc;

	if (!url) {
		set(c, OK, NULL, "no IdP: provider %s",
		    s2s_account_get_str(d->acct, "provider", "-"));
		return;
	}
	host_of(host, sizeof(host), url);
	snprintf(fix, sizeof(fix), "check url in [%s] and the network%s",
	         s2s_account_name(d->acct),
	         strncmp(url, "https:", 6) == 0
	                 ? " (proxy; SAML2STS_CA_BUNDLE or SSL_CERT_DIR for "
	                   "a private CA)"
	                 : "");
	d->trust[0] = '\0';
	rc = get_once(d, url, S2S_HTTP_FOLLOW, &resp, &err);
	if (strncmp(url, "https:", 6) == 0)
		snprintf(tls, sizeof(tls), "TLS verified with %s", d->trust);
	else
		snprintf(tls, sizeof(tls), "plain http");
	if (rc)
		set(c, FAIL, fix, "%s%s%s", err.msg,
		    rc == S2S_ETLS && d->trust[0] ? "; trusted: " : "",
		    rc == S2S_ETLS ? d->trust : "");
	else if (resp.status >= 500)
		set(c, FAIL, fix, "%s answered HTTP %ld", host, resp.status);
	else if (resp.status >= 400)
		set(c, WARN,
		    "is url the IdP-initiated SSO URL for Alibaba "
		    "Cloud?",
		    "%s: reachable, %s, but HTTP %ld", host, tls, resp.status);
	else
		set(c, OK, NULL, "%s: reachable, %s (HTTP %ld%s)", host, tls,
		    resp.status,
		    resp.url && strcmp(resp.url, url) != 0 ? " after redirects"
		                                           : "");
	s2s_http_response_release(&resp);
}

static void check_clock(struct doctor *d)
{
	static const char fix[] =
	        "synchronise the clock (timedatectl set-ntp true): SAML "
	        "assertions and signed STS calls are valid for minutes";
	struct check *c = &d->checks[C_CLOCK];
	struct s2s_http_response resp = S2S_HTTP_RESPONSE_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	char *ep = NULL, host[256];
	time_t before, after;
	long skew, abs_skew;

	if (s2s_sts_endpoint(
	            &ep, s2s_account_get_str(d->acct, "region", "cn-hangzhou"),
	            s2s_account_get(d->acct, "sts_endpoint"), &err)) {
		set(c, FAIL, "correct sts_endpoint or region", "%s", err.msg);
		return;
	}
	host_of(host, sizeof(host), ep);
	before = time(NULL);
	if (get_once(d, ep, 0, &resp, &err)) {
		set(c, FAIL, "check sts_endpoint, region and the network",
		    "cannot compare with STS: %s%s%s", err.msg,
		    err.code == S2S_ETLS && d->trust[0] ? "; trusted: " : "",
		    err.code == S2S_ETLS ? d->trust : "");
		goto out;
	}
	after = time(NULL);
	if (!resp.date) {
		set(c, WARN, "check sts_endpoint (is it Alibaba Cloud STS?)",
		    "%s sent no Date header to compare with", host);
		goto out;
	}
	/* the Date header has whole seconds: the middle of the request */
	skew = (long)(before + (after - before) / 2 - resp.date);
	abs_skew = skew < 0 ? -skew : skew;
	if (abs_skew > SKEW_WARN)
		set(c, abs_skew > SKEW_FAIL ? FAIL : WARN, fix,
		    "this clock is %ld s %s STS (%s)", abs_skew,
		    skew > 0 ? "ahead of" : "behind", host);
	else
		set(c, OK, NULL, "within %ld s of STS (%s)", abs_skew, host);
out:
	s2s_http_response_release(&resp);
	free(ep);
}

/* --- browser ------------------------------------------------------- */

static void check_browser(struct doctor *d)
{
	struct check *c = &d->checks[C_BROWSER];
	struct s2s_error err = S2S_ERROR_INIT;
	const char *provider = s2s_account_get(d->acct, "provider");
	bool needed = provider && strcasecmp(provider, "browser") == 0;
	char *path = NULL;

	if (!s2s_browser_find(&path, d->acct, &err))
		set(c, OK, NULL, "%s (for the browser adapter and --browser)",
		    path);
	else
		set(c, needed ? FAIL : WARN,
		    "install chromium, or set browser = PATH in the config",
		    "%s%s", err.msg,
		    needed ? "" : " (needed only for --browser)");
	free(path);
}

/* --- the aliyun CLI profile ---------------------------------------- */

/* The first word of a shell command line, unquoted ('...', "...",
 * backslashes), into out. */
static void first_word(char *out, size_t size, const char *cmd)
{
	size_t n = 0;
	char q = 0;

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	for (; *cmd && n + 1 < size; cmd++) {
		if (!q && (*cmd == ' ' || *cmd == '\t'))
			break;
		if (!q && (*cmd == '\'' || *cmd == '"')) {
			q = *cmd;
			continue;
		}
		if (q && *cmd == q) {
			q = 0;
			continue;
		}
		if (q != '\'' && *cmd == '\\' && cmd[1])
			cmd++;
		out[n++] = *cmd;
	}
	out[n] = '\0';
}

/* Where the command word runs from: itself with a '/', else on PATH. */
static bool resolve(char *out, size_t size, const char *word)
{
	const char *path = s2s_config_env("PATH");

	if (strchr(word, '/')) {
		snprintf(out, size, "%s", word);
		return access(out, X_OK) == 0;
	}
	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(out, size, "%.*s/%s", (int)n, path, word);
		if (n && access(out, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The profile called name in config.json's "profiles", or NULL;
 * borrowed from root. */
static struct json_object *find_profile(struct json_object *root,
                                        const char *name)
{
	struct json_object *list = NULL, *p, *v;

	if (!json_object_object_get_ex(root, "profiles", &list) ||
	    !json_object_is_type(list, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		p = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(p, "name", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), name) == 0)
			return p;
	}
	return NULL;
}

static const char *member(struct json_object *obj, const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The profile's command runs this binary, or another one, or nothing. */
static void check_command(struct check *c, const char *profile,
                          const char *file, const char *cmd)
{
	char word[1024], where[1100];
	static const char fix[] = "log in again (saml2sts login --force) to "
	                          "rewrite it";

	first_word(word, sizeof(word), cmd ? cmd : "");
	if (!cmd || !strstr(cmd, "credential-process"))
		set(c, FAIL, fix,
		    "profile '%s' in %s is External but does not run "
		    "saml2sts credential-process",
		    profile, file);
	else if (!resolve(where, sizeof(where), word))
		set(c, FAIL, fix,
		    "profile '%s' in %s runs %s, which is not there", profile,
		    file, word);
	else if (!same_file(where, "/proc/self/exe"))
		set(c, WARN, fix,
		    "profile '%s' in %s runs %s, not this saml2sts", profile,
		    file, where);
	else
		set(c, OK, NULL, "profile '%s' in %s runs this saml2sts (%s)",
		    profile, file, word);
}

static void check_aliyun(struct doctor *d, const char *profile)
{
	struct check *c = &d->checks[C_ALIYUN];
	struct s2s_buf path = S2S_BUF_INIT, text = S2S_BUF_SECRET_INIT;
	struct s2s_error err = S2S_ERROR_INIT;
	const char *mode = s2s_account_get(d->acct, "aliyun_config");
	const char *env = s2s_config_env("ALIBABA_CLOUD_CONFIG_FILE");
	const char *home = s2s_config_env("HOME"), *pmode;
	struct json_object *root = NULL, *p;
	bool on = false, sts = mode && strcasecmp(mode, "ststoken") == 0;
	static const char fix[] = "run saml2sts login: with aliyun_config "
	                          "on it writes the profile";

	if (!sts &&
	    s2s_account_get_bool(&on, d->acct, "aliyun_config", false, &err)) {
		set(c, FAIL, "set aliyun_config to true or false", "%s",
		    err.msg);
		return;
	}
	if (!sts && !on) {
		set(c, OK, NULL,
		    "aliyun_config is off: no aliyun CLI profile to check "
		    "(saml2sts exec and export hand credentials over)");
		return;
	}
	if (env    ? s2s_buf_puts(&path, env)
	    : home ? s2s_buf_printf(&path, "%s/.aliyun/config.json", home)
	           : s2s_buf_puts(&path, "~/.aliyun/config.json")) {
		set(c, FAIL, NULL, "out of memory");
		goto out;
	}
	if (s2s_file_read(&text, path.ptr, 1u << 20, S2S_ERROR, &err)) {
		set(c, FAIL, fix, "%s", err.msg);
		goto out;
	}
	root = text.len ? s2s_json_parse(text.ptr, text.len) : NULL;
	p = root ? find_profile(root, profile) : NULL;
	pmode = p ? member(p, "mode") : NULL;
	if (!root)
		set(c, FAIL, "repair or remove the file", "%s is not JSON",
		    path.ptr);
	else if (!p)
		set(c, FAIL, fix, "no profile '%s' in %s", profile, path.ptr);
	else if (sts)
		set(c, pmode && strcmp(pmode, "StsToken") == 0 ? OK : WARN, fix,
		    "profile '%s' in %s is a %s profile (aliyun_config = "
		    "ststoken)",
		    profile, path.ptr, pmode ? pmode : "modeless");
	else if (!pmode || strcmp(pmode, "External") != 0)
		set(c, WARN, fix,
		    "profile '%s' in %s is %s, not External: saml2sts does "
		    "not refresh it",
		    profile, path.ptr, pmode ? pmode : "modeless");
	else
		check_command(c, profile, path.ptr,
		              member(p, "process_command"));
out:
	s2s_json_put_wiped(root);
	s2s_buf_release(&text);
	s2s_buf_release(&path);
}

/* The profile other commands would use: the front end's rule, asked
 * through doctor's own session (the current profile is looked up in
 * the store, which must not prompt); with a store that failed its
 * check, the account's profile rather than a second wait. */
static const char *profile(struct doctor *d, const char *given)
{
	struct cli *cli = d->cli;
	const char *p;

	if (given)
		return given;
	if (d->checks[C_STORE].level == FAIL)
		return s2s_session_default_profile(d->acct, cli->account_name);
	cli->session = d->session;
	p = cli_profile(cli, NULL);
	cli->session = NULL; /* doctor frees its session */
	return p;
}

/* --- output -------------------------------------------------------- */

static void print_text(const struct doctor *d)
{
	for (size_t i = 0; i < C_COUNT; i++) {
		const struct check *c = &d->checks[i];

		if (c->fix[0] && c->level != OK)
			cli_printf(stdout, "%-5s %-8s %s; fix: %s",
			           level_names[c->level], c->name, c->what,
			           c->fix);
		else
			cli_printf(stdout, "%-5s %-8s %s",
			           level_names[c->level], c->name, c->what);
	}
}

static int print_json(const struct doctor *d, bool failed)
{
	struct s2s_buf b = S2S_BUF_INIT;
	s2s_err rc;

	rc = s2s_buf_printf(&b, "{\"ok\":%s,\"checks\":[",
	                    failed ? "false" : "true");
	for (size_t i = 0; i < C_COUNT && !rc; i++) {
		const struct check *c = &d->checks[i];

		rc = s2s_buf_puts(&b, i ? ",{" : "{");
		if (!rc)
			rc = s2s_json_member(&b, true, "name", c->name);
		if (!rc)
			rc = s2s_json_member(&b, false, "status",
			                     c->level == FAIL   ? "fail"
			                     : c->level == WARN ? "warn"
			                                        : "ok");
		if (!rc)
			rc = s2s_json_member(&b, false, "message", c->what);
		if (!rc && c->fix[0] && c->level != OK)
			rc = s2s_json_member(&b, false, "fix", c->fix);
		if (!rc)
			rc = s2s_buf_puts(&b, "}");
	}
	if (!rc)
		rc = s2s_buf_puts(&b, "]}\n");
	if (!rc)
		fputs(b.ptr, stdout);
	s2s_buf_release(&b);
	return rc ? cli_error(EXIT_FAIL, "out of memory") : EXIT_OK;
}

static int run(struct cli *cli, const struct cli_args *args)
{
	static const char *const names[C_COUNT] = {
		[C_CONFIG] = "config",   [C_STORE] = "store",
		[C_IDP] = "idp",         [C_CLOCK] = "clock",
		[C_BROWSER] = "browser", [C_ALIYUN] = "aliyun",
	};
	const char *output = cli_arg(args, O_OUTPUT);
	struct s2s_error err = S2S_ERROR_INIT;
	struct doctor d = { 0 };
	bool failed = false;
	int status;

	d.cli = cli;
	for (size_t i = 0; i < C_COUNT; i++)
		d.checks[i].name = names[i];
	check_config(&d);
	/* The other checks run with no config too (an empty one). */
	if (!d.cfg && s2s_config_parse(&d.cfg, "none", "", 0, &err)) {
		status = cli_fail(cli, &err);
		goto out;
	}
	if (!d.session && session_new(&d, &err)) {
		status = cli_fail(cli, &err);
		goto out;
	}
	check_store(&d);
	if (d.acct) {
		check_idp(&d);
		check_clock(&d);
		check_aliyun(&d, profile(&d, cli_arg(args, O_PROFILE)));
	} else {
		static const int unchecked[] = { C_IDP, C_CLOCK, C_ALIYUN };

		for (size_t i = 0; i < 3; i++)
			set(&d.checks[unchecked[i]], WARN,
			    "fix the config first",
			    "not checked: no usable IdP account");
	}
	check_browser(&d);
	for (size_t i = 0; i < C_COUNT; i++)
		failed = failed || d.checks[i].level == FAIL;
	status = EXIT_OK;
	if (output && strcmp(output, "json") == 0)
		status = print_json(&d, failed);
	else
		print_text(&d);
	if (!status && failed)
		status = EXIT_FAIL;
out:
	s2s_session_free(d.session);
	if (d.cfg != cli->cfg)
		s2s_config_free(d.cfg);
	return status;
}

const struct cli_command cli_cmd_doctor = {
	.name = "doctor",
	.summary = "check config, store, IdP, clock, browser and aliyun CLI",
	.opts = opts,
	.run = run,
	.epilog = "One line per check: ok, warn or FAIL, what was found and a "
	          "fix.\nIt never prompts and never logs in.  Exit 0 when "
	          "nothing failed, 1 otherwise.",
};
