/* SPDX-License-Identifier: MIT */
/*
 * The implementer's header: what an IdP adapter is and what it gets.
 * Only lib's login driver and idp-adapters/ include it; cmd/ sees an
 * adapter only as an opaque const struct s2s_adapter *.
 */
#ifndef S2S_ADAPTER_H
#define S2S_ADAPTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "http.h"
#include "prompt.h"

#define S2S_ADAPTER_ABI 4

/* Secrets the user chose to keep in the credential store, handed out by
 * the engine: kind "idp-password" (the password given up front with
 * --password-stdin or SAML2STS_PASSWORD, else the one kept by configure
 * --save-password when save_password is on), "totp-seed" (kept by
 * configure --totp-secret-stdin) and "client-secret" (an IdP API
 * client's secret, kept by configure --client-secret-stdin).  get()
 * fills out (secret) or returns S2S_ENOTFOUND when there is none. */
struct s2s_kept {
	s2s_err (*get)(void *payload, const char *kind, struct s2s_buf *out,
	               struct s2s_error *err);
	void *payload;
};

enum s2s_adapter_features {
	S2S_ADAPTER_F_FORM = 1u << 0,     /* username/password form */
	S2S_ADAPTER_F_MFA_TOTP = 1u << 1, /* one-time code */
	S2S_ADAPTER_F_MFA_PUSH = 1u << 2, /* push approval */
	S2S_ADAPTER_F_MFA_SMS = 1u << 3,
	S2S_ADAPTER_F_MFA_EMAIL = 1u << 4,
	S2S_ADAPTER_F_BROWSER = 1u << 5, /* drives a real browser */
	S2S_ADAPTER_F_KERBEROS = 1u << 6,
	S2S_ADAPTER_F_MFA_VOICE =
	        1u << 7, /* a phone call (with or without a code) */
};

struct s2s_adapter_ctx {
	const struct s2s_adapter *adapter; /* the adapter being run */
	const struct s2s_account *acct;    /* borrowed */
	struct s2s_http *http;             /* borrowed */
	const struct s2s_prompter *prompter;
	const char *site_acs_url; /* ACS of the configured site */
	const char *username;     /* --username or config, or NULL */
	struct s2s_error *err;
	void *priv;         /* priv_size bytes, zeroed */
	unsigned int flags; /* enum s2s_login_flags (login.h) */
	/* Kept secrets (see struct s2s_kept), or NULL; borrowed. */
	const struct s2s_kept *kept;
	/* Set non-zero by the front end (a signal handler) to cancel:
	 * long waits (MFA push polls, a browser window) stop with
	 * S2S_ECANCELLED.  May be NULL. */
	volatile sig_atomic_t *cancel;
	/* Where s2s_adapter_verbose() sends its lines (the --verbose
	 * events), or NULL. */
	void (*verbose)(void *payload, const char *text);
	void *verbose_payload;
};

struct s2s_adapter {
	unsigned int abi;           /* S2S_ADAPTER_ABI */
	const char *name;           /* config value: "form" */
	const char *const *aliases; /* NULL-terminated, or NULL */
	const char *summary;        /* one line for `saml2sts adapters` */
	unsigned int features;      /* enum s2s_adapter_features bits */
	size_t priv_size;           /* core callocs, wipes, frees */
	/* The settings it reads, "<ns>.<key>", as <key>s (NULL-terminated,
	 * or NULL for none); the core refuses any other key of the
	 * namespace, so validate() need not. */
	const char *const *config_keys;
	const char *config_ns; /* the <ns> of config_keys; NULL: name */
	/* The account key with the IdP URL the core checks with the URL
	 * policy (https, or http only to a loopback host), falling back to
	 * url when unset; NULL: url. */
	const char *url_key;
	/* The value of url_key when the account does not set it (the
	 * adapter's built-in endpoint, e.g. a vendor's console host);
	 * NULL: url.  The password goes to its host (see
	 * s2s_adapter_password). */
	const char *url_default;

	bool (*probe)(void); /* optional: usable on this machine? */
	s2s_err (*validate)(const struct s2s_account *acct,
	                    struct s2s_error *err);
	/* Log in and put the base64 SAMLResponse into saml_b64 (secret). */
	s2s_err (*authenticate)(struct s2s_adapter_ctx *ctx,
	                        struct s2s_buf *saml_b64);
	void (*release)(struct s2s_adapter_ctx *ctx); /* optional */
};

/* The adapter called name (or an alias, any case) in the NULL-terminated
 * table; S2S_ENOTFOUND when none, S2S_EUNSUPPORTED when its ABI differs
 * or its probe says it cannot run here. */
s2s_err s2s_adapter_lookup(const struct s2s_adapter **out,
                           const struct s2s_adapter *const *table,
                           const char *name, struct s2s_error *err);

/* True if the adapter has every bit of features. */
bool s2s_adapter_supports(const struct s2s_adapter *a, unsigned int features);

/* Ask the prompter for the username when ctx->username is unset; the
 * answer goes to out. */
s2s_err s2s_adapter_username(struct s2s_adapter_ctx *ctx, struct s2s_buf *out);

/* The password (secret) for a request to dest: the kept "idp-password"
 * when the engine has one, else the prompter's answer.  Only when dest's
 * host is the host of the IdP URL (url_key's value, else url_default,
 * else url) or listed in idp_hosts; else
 * S2S_EIDP naming the host, and nothing is asked or read. */
s2s_err s2s_adapter_password(struct s2s_adapter_ctx *ctx, const char *dest,
                             struct s2s_buf *out);

/* The same check alone, for an adapter that hands the password on
 * (a browser fill). */
s2s_err s2s_adapter_password_dest(struct s2s_adapter_ctx *ctx,
                                  const char *dest);

/* One line of detail for --verbose (what the adapter chose and why: an
 * engine, a factor, a page); never a secret.  Nothing when the front end
 * does not want details. */
void s2s_adapter_verbose(struct s2s_adapter_ctx *ctx, const char *fmt, ...)
        S2S_PRINTF(2, 3);

/* True when the prompter could answer a one-time code now (a terminal,
 * or a graphical helper: its can_ask): adapters check it before they
 * make the IdP send a code nobody could type, and stop with
 * S2S_ENEEDINPUT. */
bool s2s_adapter_can_prompt(const struct s2s_adapter_ctx *ctx);

/* True when the account keeps a TOTP seed for this adapter
 * (<adapter>.totp_seed = keyring) and the engine offers kept secrets. */
bool s2s_adapter_keeps_totp(const struct s2s_adapter_ctx *ctx);

/* The authenticator code for now from the kept TOTP seed into out
 * (S2S_OTP_MAX_DIGITS + 1 bytes); S2S_ENOTFOUND when none is kept. */
s2s_err s2s_adapter_totp(struct s2s_adapter_ctx *ctx, char *out);

/* The same into code (a secret buffer); a seed the store does not have
 * is S2S_EMFA naming idp ("okta") and the configure command to run. */
s2s_err s2s_adapter_seed_code(struct s2s_adapter_ctx *ctx, const char *idp,
                              struct s2s_buf *code);

/* The two settings of an adapter that waits for a push approval:
 * <ns>.push_timeout into *timeout_s (1..3600 s, default timeout_s_def)
 * and <ns>.poll_interval into *poll_ms (the least gap between polls,
 * 50..60000 ms, default poll_ms_def); S2S_ECONFIG naming the key and
 * its range otherwise. */
s2s_err s2s_adapter_wait_settings(const struct s2s_account *acct,
                                  const char *ns, long timeout_s_def,
                                  long poll_ms_def, long *timeout_s,
                                  long *poll_ms, struct s2s_error *err);

/* Ask for a one-time code (text: the prompt) into code (secret):
 * S2S_ENEEDINPUT naming idp when nobody can answer, S2S_ECANCELLED on
 * an empty answer. */
s2s_err s2s_adapter_ask_code(struct s2s_adapter_ctx *ctx, const char *idp,
                             const char *text, struct s2s_buf *code);

#endif
