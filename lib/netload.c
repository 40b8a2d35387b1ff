/* SPDX-License-Identifier: MIT */
/*
 * Loading the network module (saml2sts-net.so) and the binary's side of
 * the functions it provides.  Linked into the saml2sts binary only: the
 * library as tests link it has the real functions instead.  Each
 * function below has the name and prototype of the one in the module
 * (the compiler checks them against the public headers) and forwards to
 * it, loading the module on the first call; so the commands that answer
 * from the store never map libcurl, OpenSSL, libxml2 or xmlsec1.
 *
 * The module is looked for next to the binary (a build tree), then in
 * S2S_NETMOD_DIR (the install); it must be a regular file of root or of
 * the user, writable by nobody else, and from the same build as the
 * binary.  A failure is reported by the functions that take an error
 * (the first message, every time); the others answer "nothing" (an empty
 * table, false, NULL), and a free of something the module never made is
 * a no-op.  Not thread-safe: the engine is called from one thread.
 *
 * A new call from the core or cmd/ into the network half of lib/ needs
 * its line here (the link of saml2sts fails with "undefined reference"
 * until it has one); calls into idp-adapters/ go in cmd/netmod.c.
 */
#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "alias_int.h"
#include "saml2sts/adapter.h"
#include "saml2sts/console.h"
#include "saml2sts/http.h"
#include "saml2sts/login.h"
#include "saml2sts/netmod.h"
#include "saml2sts/rpc.h"
#include "saml2sts/saml.h"
#include "saml2sts/session.h"
#include "saml2sts/source.h"
#include "saml2sts/sts.h"
#include "saml2sts/totp.h"
#include "saml2sts/url.h"

#ifndef S2S_NETMOD_DIR
#define S2S_NETMOD_DIR "/usr/local/lib/saml2sts"
#endif
#ifndef S2S_NETMOD_ABI
#define S2S_NETMOD_ABI "unknown"
#endif

static void *handle;
static struct s2s_error failure = S2S_ERROR_INIT; /* the first, kept */

/* dir of the running binary + "/" + S2S_NETMOD_NAME, or "" */
static void beside_binary(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	out[0] = '\0';
	if (len <= 0)
		return;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/%s", exe, S2S_NETMOD_NAME) >= n)
		out[0] = '\0';
}

/* Code we run must be as trusted as the binary: root's or ours, and
 * writable by nobody else (OpenSSH safe_path, for one file). */
static s2s_err check_file(const char *path, const struct stat *sb,
                          struct s2s_error *err)
{
	if (!S_ISREG(sb->st_mode))
		return s2s_error_set(err, S2S_ERROR,
		                     "the network module %s is not a file",
		                     path);
	if ((sb->st_uid != 0 && sb->st_uid != geteuid()) || (sb->st_mode & 022))
		return s2s_error_set(err, S2S_ERROR,
		                     "refusing the network module %s: writable "
		                     "by others or not owned by root or you",
		                     path);
	return S2S_OK;
}

static s2s_err open_module(const char *path, struct s2s_error *err)
{
	const char *abi;
	void *h;

	dlerror();
	/* Lazy: the module and most of its libraries are linked -z now
	 * anyway; the rest (libstdc++, Kerberos, nghttp2...) bind what a
	 * login calls, as any program does, instead of every symbol
	 * (about 1 ms).  The ABI check below catches another build. */
	h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return s2s_error_set(err, S2S_ERROR,
		                     "cannot load the network module: %s",
		                     dlerror());
	abi = dlsym(h, "s2s_netmod_abi");
	if (!abi || strcmp(abi, S2S_NETMOD_ABI) != 0) {
		dlclose(h);
		return s2s_error_set(err, S2S_ERROR,
		                     "the network module %s is from another "
		                     "build (%s, not %s): reinstall saml2sts",
		                     path, abi ? abi : "unknown",
		                     S2S_NETMOD_ABI);
	}
	handle = h;
	return S2S_OK;
}

s2s_err s2s_netmod_load(struct s2s_error *err)
{
	char here[PATH_MAX];
	const char *paths[2];
	struct stat sb;
	s2s_err rc = S2S_ENOTFOUND;

	if (handle)
		return S2S_OK;
	if (failure.code)
		return s2s_error_set(err, failure.code, "%s", failure.msg);
	beside_binary(here, sizeof(here));
	paths[0] = here;
	paths[1] = S2S_NETMOD_DIR "/" S2S_NETMOD_NAME;
	for (size_t i = 0; i < 2 && rc == S2S_ENOTFOUND; i++) {
		if (!paths[i][0] || stat(paths[i], &sb) != 0)
			continue;
		rc = check_file(paths[i], &sb, &failure);
		if (!rc)
			rc = open_module(paths[i], &failure);
	}
	if (rc == S2S_ENOTFOUND)
		rc = s2s_error_set(&failure, S2S_ERROR,
		                   "the network module %s is not installed "
		                   "(looked beside the binary and in %s)",
		                   S2S_NETMOD_NAME, S2S_NETMOD_DIR);
	if (rc)
		return s2s_error_set(err, failure.code, "%s", failure.msg);
	return S2S_OK;
}

void *s2s_netmod_sym(const char *name, struct s2s_error *err)
{
	void *p;

	if (s2s_netmod_load(err))
		return NULL;
	p = dlsym(handle, name);
	if (!p)
		s2s_error_set(
		        err, S2S_ERROR,
		        "the network module has no %s: reinstall saml2sts",
		        name);
	return p;
}

/* ------------------------------------------------------------------ */
/* The functions of the module: NET is netmod.h's S2S_NETMOD_FN. */

#define NET S2S_NETMOD_FN

/* for functions without an error out-parameter */
#define NET_QUIET(f, name, fail)                           \
	do {                                               \
		struct s2s_error ignore_ = S2S_ERROR_INIT; \
		NET(f, name, &ignore_, fail);              \
	} while (0)

#define ERR_OF(err) ((err) && (err)->code ? (err)->code : S2S_ERROR)

const char *s2s_net_libraries(void)
{
	static struct s2s_error why = S2S_ERROR_INIT;
	const char *(*f)(void);

	NET(f, "s2s_net_libraries", &why, return why.msg);
	return f();
}

const struct s2s_source *const *s2s_source_table(void)
{
	static const struct s2s_source *const none[] = { NULL };
	const struct s2s_source *const *(*f)(void);

	/* s2s_source_find, which comes next, says why */
	NET_QUIET(f, "s2s_source_table", return none);
	return f();
}

s2s_err s2s_source_find(const struct s2s_source **out,
                        const struct s2s_source *const *table,
                        const struct s2s_adapter *const *adapters,
                        const struct s2s_account *acct, struct s2s_error *err)
{
	s2s_err (*f)(const struct s2s_source **,
	             const struct s2s_source *const *,
	             const struct s2s_adapter *const *,
	             const struct s2s_account *, struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_source_find", err, return ERR_OF(err));
	return f(out, table, adapters, acct, err);
}

bool s2s_session_provider_builtin(const char *provider)
{
	bool (*f)(const char *);

	NET_QUIET(f, "s2s_session_provider_builtin", return false);
	return f(provider);
}

void s2s_alias__after_login(struct s2s_session *s,
                            const struct s2s_account *acct,
                            const struct s2s_login_opts *o,
                            struct s2s_login_result *res,
                            const struct s2s_mint *m)
{
	void (*f)(struct s2s_session *, const struct s2s_account *,
	          const struct s2s_login_opts *, struct s2s_login_result *,
	          const struct s2s_mint *);

	NET_QUIET(f, "s2s_alias__after_login", return ); /* best effort */
	f(s, acct, o, res, m);
}

s2s_err s2s_http_new(struct s2s_http **out, const struct s2s_http_opts *opts,
                     struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_http **, const struct s2s_http_opts *,
	             struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_http_new", err, return ERR_OF(err));
	return f(out, opts, err);
}

void s2s_http_free(struct s2s_http *http)
{
	void (*f)(struct s2s_http *);

	if (!http || !handle)
		return; /* only the module makes them */
	NET_QUIET(f, "s2s_http_free", return );
	f(http);
}

void s2s_http_trust(const struct s2s_http *http, char *out, size_t size)
{
	void (*f)(const struct s2s_http *, char *, size_t);

	if (size)
		out[0] = '\0';
	if (!http || !handle)
		return; /* only the module makes them */
	NET_QUIET(f, "s2s_http_trust", return );
	f(http, out, size);
}

s2s_err s2s_http_do(struct s2s_http *http, const struct s2s_http_request *req,
                    struct s2s_http_response *resp, struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_http *, const struct s2s_http_request *,
	             struct s2s_http_response *, struct s2s_error *);

	NET(f, "s2s_http_do", err, return ERR_OF(err));
	return f(http, req, resp, err);
}

s2s_err s2s_http_get(struct s2s_http *http, const char *url,
                     struct s2s_http_response *resp, struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_http *, const char *,
	             struct s2s_http_response *, struct s2s_error *);

	NET(f, "s2s_http_get", err, return ERR_OF(err));
	return f(http, url, resp, err);
}

void s2s_http_response_release(struct s2s_http_response *resp)
{
	void (*f)(struct s2s_http_response *);

	if (!handle)
		return; /* nothing was received */
	NET_QUIET(f, "s2s_http_response_release", return );
	f(resp);
}

s2s_err s2s_console_url(char **out, struct s2s_http *http,
                        const char *federation, const struct s2s_creds *creds,
                        const char *login_url, const char *destination,
                        struct s2s_error *err)
{
	s2s_err (*f)(char **, struct s2s_http *, const char *,
	             const struct s2s_creds *, const char *, const char *,
	             struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_console_url", err, return ERR_OF(err));
	return f(out, http, federation, creds, login_url, destination, err);
}

s2s_err s2s_rpc_whoami(struct s2s_identity **out, struct s2s_session *s,
                       const struct s2s_creds *creds, struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_identity **, struct s2s_session *,
	             const struct s2s_creds *, struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_rpc_whoami", err, return ERR_OF(err));
	return f(out, s, creds, err);
}

void s2s_identity_free(struct s2s_identity *id)
{
	void (*f)(struct s2s_identity *);

	if (!id || !handle)
		return;
	NET_QUIET(f, "s2s_identity_free", return );
	f(id);
}

s2s_err s2s_sts_endpoint(char **out, const char *region, const char *override,
                         struct s2s_error *err)
{
	s2s_err (*f)(char **, const char *, const char *, struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_sts_endpoint", err, return ERR_OF(err));
	return f(out, region, override, err);
}

s2s_err s2s_base32_decode(struct s2s_buf *out, const char *text,
                          struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_buf *, const char *, struct s2s_error *);

	NET(f, "s2s_base32_decode", err, return ERR_OF(err));
	return f(out, text, err);
}

s2s_err s2s_saml_cert_fingerprint(char *buf, size_t size, const char *pem,
                                  struct s2s_error *err)
{
	s2s_err (*f)(char *, size_t, const char *, struct s2s_error *);

	NET(f, "s2s_saml_cert_fingerprint", err, return ERR_OF(err));
	return f(buf, size, pem, err);
}

s2s_err s2s_saml_metadata_certs(struct s2s_buf *out, char **entity_id,
                                const char *xml, size_t len,
                                struct s2s_error *err)
{
	s2s_err (*f)(struct s2s_buf *, char **, const char *, size_t,
	             struct s2s_error *);

	NET(f, "s2s_saml_metadata_certs", err, return ERR_OF(err));
	return f(out, entity_id, xml, len, err);
}

bool s2s_url_allowed(const char *url)
{
	bool (*f)(const char *);

	NET_QUIET(f, "s2s_url_allowed", return false);
	return f(url);
}

s2s_err s2s_url_host(char **out, const char *url, struct s2s_error *err)
{
	s2s_err (*f)(char **, const char *, struct s2s_error *);

	*out = NULL;
	NET(f, "s2s_url_host", err, return ERR_OF(err));
	return f(out, url, err);
}

/* Adapter accessors: an adapter comes from the module, so it is loaded
 * by the time one is asked about. */

#define ADAPTER_GETTER(type, name, none)               \
	type name(const struct s2s_adapter *a)         \
	{                                              \
		type (*f)(const struct s2s_adapter *); \
                                                       \
		NET_QUIET(f, #name, return none);      \
		return f(a);                           \
	}

ADAPTER_GETTER(const char *const *, s2s_adapter_aliases, NULL)
ADAPTER_GETTER(const char *const *, s2s_adapter_config_keys, NULL)
ADAPTER_GETTER(const char *, s2s_adapter_config_ns, NULL)
ADAPTER_GETTER(const char *, s2s_adapter_name, NULL)
ADAPTER_GETTER(const char *, s2s_adapter_summary, NULL)
ADAPTER_GETTER(bool, s2s_adapter_usable, false)

bool s2s_adapter_supports(const struct s2s_adapter *a, unsigned int features)
{
	bool (*f)(const struct s2s_adapter *, unsigned int);

	NET_QUIET(f, "s2s_adapter_supports", return false);
	return f(a, features);
}
