/* SPDX-License-Identifier: MIT */
/*
 * Private to the browser adapter: the DevTools pipe (browser_cdp.c).
 */
#ifndef S2S_BROWSER_INT_H
#define S2S_BROWSER_INT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <saml2sts/buf.h>
#include <saml2sts/error.h>

struct json_object;

struct s2s_cdp {
	pid_t pid;           /* browser, leader of its own group; -1 */
	pid_t pgid;          /* its group until killed; -1 */
	int wfd, rfd;        /* its fd 3 and fd 4, our ends */
	struct s2s_buf rbuf; /* secret: unread bytes */
	bool exited;
	int status; /* wait status once exited */
};

long s2s_browser__now_ms(void);
/* Fork and exec argv with the pipe on fds 3 and 4, in its own group. */
s2s_err s2s_browser__spawn(struct s2s_cdp *cdp, const char *const *argv,
                           struct s2s_error *err);
/* True once the child is reaped (waits up to wait_ms). */
bool s2s_browser__reaped(struct s2s_cdp *cdp, long wait_ms);
/* Close the pipe, end the browser's process group, wipe the buffers. */
void s2s_browser__kill(struct s2s_cdp *cdp);
/* Send msg (NUL-terminated JSON). */
s2s_err s2s_browser__send(struct s2s_cdp *cdp, const struct s2s_buf *msg,
                          struct s2s_error *err);
/* The next message into out (secret).  S2S_EEXPIRED at the deadline,
 * S2S_ENOTFOUND at EOF, both without a message; S2S_ECANCELLED when
 * *stop is set. */
s2s_err s2s_browser__recv(struct s2s_cdp *cdp, struct s2s_buf *out,
                          long deadline_ms, const volatile sig_atomic_t *stop,
                          struct s2s_error *err);
/* Append s as a JSON string literal. */
s2s_err s2s_browser__json_str(struct s2s_buf *out, const char *s, size_t len);
/* Parse a message; NULL if it is not a JSON object.  Release with
 * s2s_browser__json_put, which wipes every string. */
struct json_object *s2s_browser__json_parse(const struct s2s_buf *msg);
void s2s_browser__json_put(struct json_object *obj);
/* obj.a(.b) as a string, or NULL; borrowed from obj. */
const char *s2s_browser__json_path(struct json_object *obj, const char *a,
                                   const char *b);

#endif
