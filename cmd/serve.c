/* SPDX-License-Identifier: MIT */
/*
 * The loopback credentials-URI server (ALIBABA_CLOUD_CREDENTIALS_URI):
 * 127.0.0.1, a random port, a 128-bit random secret in the path, 403 for
 * every other path.  Each GET answers the Credentials-URI JSON of fresh
 * credentials (refreshed behind it with the single-flight rules), so a
 * long-running process never holds an expired token.  `serve` prints the
 * URI as its first line; `exec --server` runs a command against it.
 *
 * One poll() loop over the listening socket and up to MAX_CONNS clients,
 * each with its own request buffer and a deadline, so an idle, slow or
 * vanished client never holds up the others.  The engine is called from
 * this loop only, once for all the requests complete at that moment: it
 * may refresh and take the profile lock, and it is not thread-safe.  No
 * keep-alive, no request body, no TLS: one answer per connection.
 *
 * The answer is kept in memory and given again while its token is fresh
 * by the engine's rule; every RECHECK_MS the store's attributes (no
 * secret) are looked at, and a token with another expiry (a login, a
 * refresh by another process) or none (logout) sends the next request
 * to the engine again, as does the refresh window.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <saml2sts/secret.h>
#include <saml2sts/session.h>

#include "command.h"
#include "env.h"
#include "json_out.h"

#define MAX_REQUEST 8192
/* Clients served at once (a request buffer each, allocated on accept);
 * more wait in the listen backlog until a slot frees, which the
 * deadlines below bound. */
#define MAX_CONNS 256
/* The kernel caps it at net.core.somaxconn (4096 since Linux 5.4): room
 * for a few hundred SDK clients starting together without SYN drops. */
#define BACKLOG 512
/* From accept to the end of the request head; then to send the answer. */
#define READ_MS  2000
#define WRITE_MS 2000
/* After accept() fails for lack of descriptors or memory. */
#define ACCEPT_PAUSE_MS 100
/* How often an answer given from memory is checked against the store. */
#define RECHECK_MS 5000

enum conn_state {
	CONN_FREE,
	CONN_READ,  /* reading the request head */
	CONN_CREDS, /* a GET of the secret path: waits for the engine */
	CONN_WRITE, /* sending the answer, then closing */
};

struct conn {
	int fd;
	enum conn_state state;
	int64_t deadline;   /* monotonic ms */
	size_t len;         /* bytes in req */
	size_t sent;        /* bytes of out already sent */
	struct s2s_buf out; /* the answer: credentials, so secret */
	char *req; /* MAX_REQUEST + 1 bytes; holds the secret path: wiped */
};

/* The last answer and when it stops being fresh. */
struct memo {
	struct s2s_buf body; /* credentials: secret */
	bool have;
	time_t expires;  /* of its token */
	long window;     /* its freshness window (s2s_session_window) */
	int64_t checked; /* monotonic ms of the last look at the store */
};

struct loop {
	struct cli *cli;
	struct cli_server *srv;
	struct memo memo;
	struct conn *conns;   /* MAX_CONNS slots */
	size_t nconns;        /* slots not CONN_FREE */
	int64_t accept_after; /* monotonic ms; 0: accept now */
};

static const char forbidden[] = "{\"Code\":\"Forbidden\"}";
static const char bad[] = "{\"Code\":\"BadRequest\"}";

static int self_pipe[2] = { -1, -1 };

static void on_child(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(self_pipe[1], "c", 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int cli_server_open(struct cli_server *srv)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	unsigned char rnd[16];

	/* the kernel's CSPRNG: serve runs without OpenSSL */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return cli_error(EXIT_FAIL, "no random bytes for the secret");
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(srv->secret + 2 * i, 3, "%02x", rnd[i]);
	s2s_memzero(rnd, sizeof(rnd));
	srv->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* non-blocking: a client that resets between poll() and accept()
	 * must not stall the loop in accept() */
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sa, len) ||
	    listen(srv->fd, BACKLOG) || set_nonblock(srv->fd) ||
	    getsockname(srv->fd, (struct sockaddr *)&sa, &len))
		return cli_error(EXIT_FAIL, "cannot listen on 127.0.0.1: %s",
		                 strerror(errno));
	snprintf(srv->uri, sizeof(srv->uri),
	         "http://127.0.0.1:%u/%s/credentials", ntohs(sa.sin_port),
	         srv->secret);
	return EXIT_OK;
}

static void conn_init(struct conn *c)
{
	c->fd = -1;
	c->state = CONN_FREE;
	c->len = 0;
	c->sent = 0;
	c->req = NULL;
	s2s_buf_init(&c->out, true);
}

static void conn_close(struct loop *lp, struct conn *c)
{
	s2s_freezero(c->req, c->len);
	s2s_buf_release(&c->out);
	close(c->fd);
	conn_init(c);
	lp->nconns--;
}

/* Send what is left of the answer; close once it is all out or the
 * client is gone.  MSG_NOSIGNAL: a client that closed early is EPIPE
 * here, never SIGPIPE, whatever main() did with the signal. */
static void conn_flush(struct loop *lp, struct conn *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.ptr + c->sent,
		                 c->out.len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* POLLOUT will bring us back */
		if (n <= 0)
			break; /* the client went away; nothing to do */
		c->sent += (size_t)n;
	}
	conn_close(lp, c);
}

/* Queue the answer and send what the socket takes now. */
static void conn_answer(struct loop *lp, struct conn *c, const char *status,
                        const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, len);

	s2s_buf_reset(&c->out);
	c->sent = 0;
	if (s2s_buf_add(&c->out, head, (size_t)n) ||
	    s2s_buf_add(&c->out, body, len)) {
		conn_close(lp, c); /* no memory for the answer */
		return;
	}
	c->state = CONN_WRITE;
	c->deadline = now_ms() + WRITE_MS;
	conn_flush(lp, c);
}

static void conn_bad_request(struct loop *lp, struct conn *c)
{
	conn_answer(lp, c, "400 Bad Request", bad, sizeof(bad) - 1);
}

/* The request head in req is complete (or fills the buffer): 200 when
 * it is a GET of the secret path, else the status to answer. */
static int classify(const char *req, const char *secret)
{
	char want[64];
	size_t plen;
	const char *path, *end;

	if (strncmp(req, "GET ", 4) != 0)
		return 405;
	path = req + 4;
	end = strchr(path, ' ');
	plen = end ? (size_t)(end - path) : 0;
	snprintf(want, sizeof(want), "/%s/credentials", secret);
	/* constant time: the secret is the only authentication */
	if (plen != strlen(want) || !s2s_timingsafe_eq(path, want, plen))
		return 403;
	return 200;
}

/* Read what the client has sent; once the head is complete, answer it
 * or mark it for the engine. */
static void conn_read(struct loop *lp, struct conn *c)
{
	int what;

	while (c->len < MAX_REQUEST && !strstr(c->req, "\r\n\r\n")) {
		ssize_t n =
		        recv(c->fd, c->req + c->len, MAX_REQUEST - c->len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* more later, or the deadline */
		if (n < 0) {
			conn_close(lp, c); /* reset: nobody to answer */
			return;
		}
		if (n == 0) {
			conn_bad_request(lp, c); /* EOF before the head */
			return;
		}
		c->len += (size_t)n;
		c->req[c->len] = '\0';
	}
	what = classify(c->req, lp->srv->secret);
	if (what == 200) {
		c->state = CONN_CREDS;
	} else if (what == 403) {
		conn_answer(lp, c, "403 Forbidden", forbidden,
		            sizeof(forbidden) - 1);
	} else {
		conn_answer(lp, c, "405 Method Not Allowed", bad,
		            sizeof(bad) - 1);
	}
}

static void memo_drop(struct memo *m)
{
	s2s_buf_reset(&m->body);
	m->have = false;
}

/* May the answer in memory be given?  Its token is fresh by the
 * engine's rule, and the store, looked at every RECHECK_MS, still holds
 * that very token. */
static bool memo_fresh(struct loop *lp)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store_item *it = NULL;
	struct memo *m = &lp->memo;
	int64_t now = now_ms();
	bool same;

	if (!m->have || (long)(m->expires - time(NULL)) <= m->window) {
		memo_drop(m);
		return false;
	}
	if (now - m->checked < RECHECK_MS)
		return true;
	same = !s2s_session_stored(&it, lp->cli->session, lp->srv->profile,
	                           &err) &&
	       it->expires == m->expires;
	s2s_store_items_free(it, it ? 1 : 0);
	if (!same)
		memo_drop(m);
	m->checked = now;
	return same;
}

/* Keep body, the answer for c, while c is fresh (not a stale token the
 * engine could not refresh: that one is asked for again). */
static void memo_keep(struct loop *lp, const struct s2s_creds *c,
                      const struct s2s_buf *body)
{
	struct s2s_error err = S2S_ERROR_INIT;
	const struct s2s_account *acct = NULL;
	struct memo *m = &lp->memo;
	long window = 0;

	memo_drop(m);
	if (c->account_name)
		acct = s2s_config_account(lp->cli->cfg, c->account_name);
	if (s2s_session_window(&window, acct, c, &err) ||
	    !s2s_session_is_fresh(c, window, time(NULL)) ||
	    s2s_buf_add(&m->body, body->ptr, body->len))
		return;
	m->have = true;
	m->expires = c->expiration;
	m->window = window;
	m->checked = now_ms();
}

/* One engine call for every request waiting at this moment, unless the
 * answer in memory is still good: the answer is as fresh as for a
 * request alone, and N callers at once cost one store read (an scrypt
 * for the file store without a cached key) instead of N. */
static void answer_creds(struct loop *lp)
{
	static const char fail[] =
	        "{\"Code\":\"CredentialsUnavailable\",\"Message\":"
	        "\"saml2sts has no fresh credentials; run saml2sts "
	        "login\"}";
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_creds *c = NULL;
	bool ok, any = false;

	for (size_t i = 0; !any && i < MAX_CONNS; i++)
		any = lp->conns[i].state == CONN_CREDS;
	if (!any)
		return;
	ok = memo_fresh(lp);
	if (!ok) {
		ok = !cli_fresh_creds(lp->cli, lp->srv->profile, &c) &&
		     !cli_format_creds(&body, c, "json", lp->srv->profile);
		if (ok)
			memo_keep(lp, c, &body);
	}
	for (size_t i = 0; i < MAX_CONNS; i++) {
		struct conn *cn = &lp->conns[i];
		const struct s2s_buf *b =
		        lp->memo.have ? &lp->memo.body : &body;

		if (cn->state != CONN_CREDS)
			continue;
		if (ok)
			conn_answer(lp, cn, "200 OK", b->ptr, b->len);
		else
			conn_answer(lp, cn, "503 Service Unavailable", fail,
			            sizeof(fail) - 1);
	}
	s2s_buf_release(&body);
	s2s_creds_free(c);
}

/* Take the clients waiting in the backlog while there are free slots. */
static void accept_clients(struct loop *lp)
{
	while (lp->nconns < MAX_CONNS) {
		struct conn *c = NULL;
		/* one call: the socket comes close-on-exec and non-blocking */
		int fd = accept4(lp->srv->fd, NULL, NULL,
		                 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			/* EAGAIN: the backlog is empty.  EMFILE, ENFILE,
			 * ENOBUFS, ENOMEM: retry a little later rather
			 * than spin on a listening socket still readable */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				lp->accept_after = now_ms() + ACCEPT_PAUSE_MS;
			return;
		}
		for (size_t i = 0; !c && i < MAX_CONNS; i++)
			if (lp->conns[i].state == CONN_FREE)
				c = &lp->conns[i];
		if (!c) { /* cannot happen: nconns counts the slots */
			close(fd);
			return;
		}
		c->req = malloc(MAX_REQUEST + 1);
		if (!c->req) {
			close(fd);
			return;
		}
		c->req[0] = '\0';
		c->fd = fd;
		c->state = CONN_READ;
		c->deadline = now_ms() + READ_MS;
		lp->nconns++;
		conn_read(lp, c); /* the request is often there already */
	}
}

/* Close what is past its deadline: a client that has not sent its
 * request head in READ_MS (slowloris, an idle socket) gets the 400 it
 * always got, if its socket takes it now; one that does not read its
 * answer is dropped. */
static void expire(struct loop *lp, int64_t now)
{
	for (size_t i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &lp->conns[i];

		if (c->state == CONN_FREE || c->state == CONN_CREDS ||
		    c->deadline > now)
			continue;
		if (c->state == CONN_READ) {
			conn_bad_request(lp, c);
			if (c->state == CONN_FREE)
				continue;
		}
		conn_close(lp, c);
	}
}

/* Fill the pollfd array (the listening socket first, then the self-pipe
 * when there is a child); returns how many entries and sets the timeout
 * to the nearest deadline. */
static nfds_t poll_set(struct loop *lp, struct pollfd *p, struct conn **who,
                       bool child, int *timeout)
{
	int64_t now = now_ms(), next = -1;
	nfds_t n = 0;
	bool accepting = lp->nconns < MAX_CONNS && lp->accept_after <= now;

	/* a negative fd is ignored by poll(): slots full or paused */
	p[n++] = (struct pollfd){ accepting ? lp->srv->fd : -1, POLLIN, 0 };
	if (lp->accept_after > now)
		next = lp->accept_after;
	if (child && self_pipe[0] < 0) /* no self-pipe: poll the child */
		next = next < 0 || now + 100 < next ? now + 100 : next;
	if (child)
		p[n++] = (struct pollfd){ self_pipe[0], POLLIN, 0 };
	for (size_t i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &lp->conns[i];

		if (c->state != CONN_READ && c->state != CONN_WRITE)
			continue;
		who[n] = c;
		p[n++] = (struct pollfd){
			c->fd, c->state == CONN_READ ? POLLIN : POLLOUT, 0
		};
		if (next < 0 || c->deadline < next)
			next = c->deadline;
	}
	if (next < 0)
		*timeout = -1;
	else
		*timeout = next <= now ? 0 : (int)(next - now);
	return n;
}

/* One turn: wait, read and write what is ready, expire, accept, and
 * answer the requests that wait for credentials. */
static int turn(struct loop *lp, bool child)
{
	struct pollfd p[MAX_CONNS + 2];
	struct conn *who[MAX_CONNS + 2] = { NULL };
	int timeout;
	nfds_t n = poll_set(lp, p, who, child, &timeout);

	if (poll(p, n, timeout) < 0) {
		if (errno == EINTR)
			return EXIT_OK;
		return cli_error(EXIT_FAIL, "poll: %s", strerror(errno));
	}
	if (child && (p[1].revents & POLLIN)) {
		char drain[16];

		if (read(self_pipe[0], drain, sizeof(drain)) < 0) {
			/* spurious: the next waitpid() decides */
		}
	}
	for (nfds_t i = 0; i < n; i++) {
		struct conn *c = who[i];

		if (!c || !p[i].revents)
			continue;
		if (c->state == CONN_READ)
			conn_read(lp, c);
		else if (c->state == CONN_WRITE)
			conn_flush(lp, c);
	}
	expire(lp, now_ms());
	if (p[0].revents & POLLIN)
		accept_clients(lp);
	answer_creds(lp);
	return EXIT_OK;
}

int cli_server_run(struct cli *cli, struct cli_server *srv, pid_t child)
{
	struct loop lp = { .cli = cli, .srv = srv };
	int status = 0, rc = EXIT_OK;

	lp.conns = calloc(MAX_CONNS, sizeof(*lp.conns));
	if (!lp.conns) {
		close(srv->fd);
		return cli_error(EXIT_FAIL, "out of memory");
	}
	for (size_t i = 0; i < MAX_CONNS; i++)
		conn_init(&lp.conns[i]);
	s2s_buf_init(&lp.memo.body, true);
	if (child > 0 && pipe(self_pipe) == 0) {
		struct sigaction sa = { 0 };

		/* the handler must never block on a full pipe */
		set_nonblock(self_pipe[0]);
		set_nonblock(self_pipe[1]);
		sa.sa_handler = on_child;
		sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, NULL);
	}
	while (!rc) {
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			break;
		rc = turn(&lp, child > 0);
	}
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (lp.conns[i].state != CONN_FREE)
			conn_close(&lp, &lp.conns[i]);
	free(lp.conns);
	s2s_buf_release(&lp.memo.body);
	close(srv->fd);
	if (rc)
		return rc;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

enum { O_PROFILE };

static const struct cli_opt opts[] = {
	[O_PROFILE] = CLI_OPT_PROFILE("the stored profile"),
	{ NULL },
};

static int run(struct cli *cli, const struct cli_args *args)
{
	struct cli_server srv = { 0 };
	int status;

	srv.profile = cli_profile(cli, cli_arg(args, O_PROFILE));
	status = cli_server_open(&srv);
	if (status)
		return status;
	printf("%s\n", srv.uri);
	fflush(stdout);
	return cli_server_run(cli, &srv, 0);
}

const struct cli_command cli_cmd_serve = {
	.name = "serve",
	.summary = "serve credentials on a loopback credentials URI",
	.epilog = "Serves the profile's credentials on 127.0.0.1 for "
	          "ALIBABA_CLOUD_CREDENTIALS_URI;\nthe URI (with its secret "
	          "path) is the first line on stdout.",
	.opts = opts,
	.flags = CLI_NEED_STORE,
	.run = run,
};
