/* SPDX-License-Identifier: MIT */
/*
 * The Chrome DevTools Protocol over --remote-debugging-pipe: starts the
 * browser with the protocol on fds 3 (commands in) and 4 (replies and
 * events out), messages ended by NUL.  Every buffer that held a message
 * is secret, since a message may carry the SAMLResponse or a password.
 * It knows nothing about SAML or logins; browser.c drives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include <saml2sts/json.h>
#include <saml2sts/secret.h>

#include "browser_int.h"

#define MAX_MESSAGE (16u * 1024u * 1024u)

long s2s_browser__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_exec(const char *const *argv, int in_fd, int out_fd)
{
	int devnull = open("/dev/null", O_RDWR);

	/* Its own process group: a terminal Ctrl-C reaches only us, and we
	 * decide when it dies.  PDEATHSIG covers our own sudden death. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	/* fds 3 and 4 must survive exec: dup2 clears O_CLOEXEC. */
	in_fd = fcntl(in_fd, F_DUPFD, 10);
	out_fd = fcntl(out_fd, F_DUPFD, 10);
	if (in_fd < 0 || out_fd < 0 || dup2(in_fd, 3) < 0 ||
	    dup2(out_fd, 4) < 0)
		_exit(126);
	for (int fd = 5; fd < 1024; fd++)
		close(fd);
	execv(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

s2s_err s2s_browser__spawn(struct s2s_cdp *cdp, const char *const *argv,
                           struct s2s_error *err)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	pid_t pid;

	if (pipe(to_child) || pipe(from_child)) {
		s2s_error_set(err, S2S_ERROR, "pipe: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(to_child[i], F_SETFD, FD_CLOEXEC);
		fcntl(from_child[i], F_SETFD, FD_CLOEXEC);
	}
	pid = fork();
	if (pid < 0) {
		s2s_error_set(err, S2S_ERROR, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(argv, to_child[0], from_child[1]);
	setpgid(pid, pid);
	close(to_child[0]);
	close(from_child[1]);
	cdp->pid = pid;
	cdp->pgid = pid;
	cdp->wfd = to_child[1];
	cdp->rfd = from_child[0];
	return S2S_OK;
fail:
	for (int i = 0; i < 2; i++) {
		if (to_child[i] >= 0)
			close(to_child[i]);
		if (from_child[i] >= 0)
			close(from_child[i]);
	}
	return err->code;
}

/* Reap the child if it has exited; its wait status goes to cdp. */
bool s2s_browser__reaped(struct s2s_cdp *cdp, long wait_ms)
{
	long end = s2s_browser__now_ms() + wait_ms;
	int st;

	if (cdp->pid <= 0)
		return true;
	for (;;) {
		pid_t r = waitpid(cdp->pid, &st, WNOHANG);

		if (r == cdp->pid || (r < 0 && errno == ECHILD)) {
			cdp->status = r == cdp->pid ? st : 0;
			cdp->exited = true;
			cdp->pid = -1;
			return true;
		}
		if (s2s_browser__now_ms() >= end)
			return false;
		usleep(20000);
	}
}

void s2s_browser__kill(struct s2s_cdp *cdp)
{
	if (cdp->wfd >= 0)
		close(cdp->wfd);
	cdp->wfd = -1;
	if (cdp->pid > 0 && !s2s_browser__reaped(cdp, 0)) {
		/* the whole group: renderers and zygotes too */
		kill(-cdp->pgid, SIGTERM);
		if (!s2s_browser__reaped(cdp, 3000)) {
			kill(-cdp->pgid, SIGKILL);
			s2s_browser__reaped(cdp, 5000);
		}
	}
	/* whatever is left of the group once the leader is gone */
	if (cdp->pgid > 0)
		kill(-cdp->pgid, SIGKILL);
	cdp->pgid = -1;
	if (cdp->rfd >= 0)
		close(cdp->rfd);
	cdp->rfd = -1;
	s2s_buf_release(&cdp->rbuf);
}

s2s_err s2s_browser__send(struct s2s_cdp *cdp, const struct s2s_buf *msg,
                          struct s2s_error *err)
{
	size_t off = 0;

	/* msg->ptr is NUL-terminated: the NUL is the message end. */
	while (off < msg->len + 1) {
		ssize_t n = write(cdp->wfd, msg->ptr + off, msg->len + 1 - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return s2s_error_set(err, S2S_ERROR,
			                     "the browser closed its devtools "
			                     "pipe");
		off += (size_t)n;
	}
	return S2S_OK;
}

/* Take one complete message off rbuf into out, if there is one. */
static bool take_message(struct s2s_cdp *cdp, struct s2s_buf *out,
                         struct s2s_error *err, s2s_err *rc)
{
	char *nul;
	size_t n;

	*rc = S2S_OK;
	if (!cdp->rbuf.len)
		return false;
	nul = memchr(cdp->rbuf.ptr, '\0', cdp->rbuf.len);
	if (!nul)
		return false;
	n = (size_t)(nul - cdp->rbuf.ptr);
	s2s_buf_reset(out);
	if (s2s_buf_add(out, cdp->rbuf.ptr, n)) {
		*rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		return true;
	}
	memmove(cdp->rbuf.ptr, nul + 1, cdp->rbuf.len - n - 1);
	cdp->rbuf.len -= n + 1;
	s2s_memzero(cdp->rbuf.ptr + cdp->rbuf.len, n + 1);
	return true;
}

s2s_err s2s_browser__recv(struct s2s_cdp *cdp, struct s2s_buf *out,
                          long deadline_ms, const volatile sig_atomic_t *stop,
                          struct s2s_error *err)
{
	char chunk[16384];
	s2s_err rc;

	for (;;) {
		struct pollfd pfd = { .fd = cdp->rfd, .events = POLLIN };
		long left;
		ssize_t n;
		int r;

		if (take_message(cdp, out, err, &rc))
			return rc;
		if (stop && *stop)
			return s2s_error_set(err, S2S_ECANCELLED,
			                     "interrupted");
		left = deadline_ms - s2s_browser__now_ms();
		if (left <= 0)
			return S2S_EEXPIRED; /* the caller words it */
		/* wake up often enough to see *stop, which a signal
		 * handler sets without interrupting this thread's poll
		 * when the signal lands on another one */
		r = poll(&pfd, 1, left > 200 ? 200 : (int)left);
		if (r < 0 && errno != EINTR)
			return s2s_error_set(err, S2S_ERROR, "poll: %s",
			                     strerror(errno));
		if (r <= 0)
			continue;
		n = read(cdp->rfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s2s_memzero(chunk, sizeof(chunk));
			return S2S_ENOTFOUND; /* EOF: the browser is gone */
		}
		rc = cdp->rbuf.len + (size_t)n > MAX_MESSAGE
		             ? S2S_EINVAL
		             : s2s_buf_add(&cdp->rbuf, chunk, (size_t)n);
		s2s_memzero(chunk, (size_t)n);
		if (rc)
			return s2s_error_set(err, rc,
			                     "devtools message too large");
	}
}

s2s_err s2s_browser__json_str(struct s2s_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	s2s_err rc = s2s_buf_add(out, "\"", 1);

	for (size_t i = 0; !rc && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\')
			rc = s2s_buf_add(out, "\\", 1) ||
			                     s2s_buf_add(out, &s[i], 1)
			             ? S2S_ENOMEM
			             : S2S_OK;
		else if (c < 0x20 || c == 0x7f)
			rc = s2s_buf_add(out, esc, sizeof(esc));
		else
			rc = s2s_buf_add(out, &s[i], 1);
	}
	return rc ? rc : s2s_buf_add(out, "\"", 1);
}

void s2s_browser__json_put(struct json_object *obj)
{
	s2s_json_put_wiped(obj); /* wipes every string first */
}

struct json_object *s2s_browser__json_parse(const struct s2s_buf *msg)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;

	if (!tok || msg->len > INT32_MAX)
		goto out;
	obj = json_tokener_parse_ex(tok, msg->ptr, (int)msg->len);
	if (obj && !json_object_is_type(obj, json_type_object)) {
		s2s_browser__json_put(obj);
		obj = NULL;
	}
out:
	if (tok)
		json_tokener_free(tok);
	return obj;
}

/* obj.a.b... as a string, or NULL. */
const char *s2s_browser__json_path(struct json_object *obj, const char *a,
                                   const char *b)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
