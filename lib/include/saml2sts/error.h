/* SPDX-License-Identifier: MIT */
/*
 * One error type for the whole library: a code the CLI maps to an exit
 * status, and a one-line message that never carries a secret.
 * The first, deepest message wins; callers never remap codes.
 * This header does not print anything: cmd/ does.
 */
#ifndef S2S_ERROR_H
#define S2S_ERROR_H

#if defined(__GNUC__) || defined(__clang__)
#define S2S_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define S2S_PRINTF(f, a)
#endif

typedef enum {
	S2S_OK = 0,
	S2S_ERROR,        /* unexpected; see the message */
	S2S_ENOMEM,       /* out of memory */
	S2S_EINVAL,       /* bad argument or bad user input */
	S2S_ECONFIG,      /* config file or option not valid */
	S2S_EAUTH,        /* IdP rejected the username/password */
	S2S_EMFA,         /* MFA failed, was denied or timed out */
	S2S_EIDP,         /* IdP page or API not understood */
	S2S_ESAML,        /* SAMLResponse malformed or not acceptable */
	S2S_ESIG,         /* XML signature did not verify */
	S2S_EEXPIRED,     /* assertion outside its validity window */
	S2S_ENET,         /* network failure: DNS, connect, timeout, 5xx */
	S2S_ETLS,         /* TLS failure or refused plain http */
	S2S_ESTS,         /* STS refused the request */
	S2S_ESTORE,       /* credential store unavailable or failed */
	S2S_ENOROLE,      /* the assertion grants no usable role */
	S2S_ENEEDINPUT,   /* input needed but prompting not allowed */
	S2S_ECANCELLED,   /* the user gave up (Ctrl-C, empty answer) */
	S2S_ENOTFOUND,    /* no such item (profile, adapter, account) */
	S2S_EUNSUPPORTED, /* not available in this build or here */
} s2s_err;

struct s2s_error {
	s2s_err code;
	char msg[256]; /* one line, no '\n', never a secret */
};

#define S2S_ERROR_INIT    \
	{                 \
		S2S_OK,   \
		{         \
			0 \
		}         \
	}

/*
 * Record code and message unless a message is already recorded (the
 * first, deepest one wins).  err may be NULL.  Returns code.
 */
s2s_err s2s_error_set(struct s2s_error *err, s2s_err code, const char *fmt, ...)
        S2S_PRINTF(3, 4);

/* Forget a recorded error, for code that handled it. */
void s2s_error_clear(struct s2s_error *err);

/* Make s safe to show on a terminal or in a log, in place: CR, LF and
 * tab become spaces; other control bytes, DEL, C1 controls and bytes
 * that are not UTF-8 become '?'.  Messages set through s2s_error_set
 * are already printable. */
void s2s_printable(char *s);

/* A static, lowercase description of code. */
const char *s2s_strerror(s2s_err code);

#endif
