/* SPDX-License-Identifier: MIT */
/*
 * The loopback credentials-URI server (ALIBABA_CLOUD_CREDENTIALS_URI):
 * 127.0.0.1, a random port, a 128-bit random secret in the path, 403 for
 * every other path.  Each GET answers the Credentials-URI JSON of fresh
 * credentials (refreshed behind it with the single-flight rules), so a
 * long-running process never holds an expired token.  `serve` prints the
 * URI as its first line; `exec --server` runs a command against it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <saml2sts/secret.h>

#include "command.h"
#include "env.h"
#include "json_out.h"

#define MAX_REQUEST 8192

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

int cli_server_open(struct cli_server *srv)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	unsigned char rnd[16];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return cli_error(EXIT_FAIL, "no random bytes for the secret");
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(srv->secret + 2 * i, 3, "%02x", rnd[i]);
	s2s_memzero(rnd, sizeof(rnd));
	srv->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sa, len) ||
	    listen(srv->fd, 16) ||
	    getsockname(srv->fd, (struct sockaddr *)&sa, &len))
		return cli_error(EXIT_FAIL, "cannot listen on 127.0.0.1: %s",
		                 strerror(errno));
	snprintf(srv->uri, sizeof(srv->uri),
	         "http://127.0.0.1:%u/%s/credentials", ntohs(sa.sin_port),
	         srv->secret);
	return EXIT_OK;
}

static void reply(int fd, const char *status, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, len);

	if (write(fd, head, (size_t)n) < 0 || write(fd, body, len) < 0) {
		/* the client went away; nothing to do */
	}
}

/* Read the request head; true when it is a GET of the secret path. */
static int classify(int fd, const char *secret)
{
	char req[MAX_REQUEST + 1], want[64];
	size_t len = 0, plen;
	struct pollfd p = { fd, POLLIN, 0 };
	const char *path, *end;

	req[0] = '\0';
	while (len < MAX_REQUEST && !strstr(req, "\r\n\r\n")) {
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return 400;
		n = read(fd, req + len, MAX_REQUEST - len);
		if (n <= 0)
			return 400;
		len += (size_t)n;
		req[len] = '\0';
	}
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

static void serve_one(struct cli *cli, struct cli_server *srv, int fd)
{
	static const char forbidden[] = "{\"Code\":\"Forbidden\"}";
	static const char bad[] = "{\"Code\":\"BadRequest\"}";
	struct s2s_buf body = S2S_BUF_SECRET_INIT;
	struct s2s_creds *c = NULL;
	int what = classify(fd, srv->secret);

	if (what == 403) {
		reply(fd, "403 Forbidden", forbidden, sizeof(forbidden) - 1);
		return;
	}
	if (what != 200) {
		reply(fd,
		      what == 405 ? "405 Method Not Allowed"
		                  : "400 Bad Request",
		      bad, sizeof(bad) - 1);
		return;
	}
	if (cli_fresh_creds(cli, srv->profile, &c) ||
	    cli_format_creds(&body, c, "json", srv->profile)) {
		static const char fail[] =
		        "{\"Code\":\"CredentialsUnavailable\",\"Message\":"
		        "\"saml2sts has no fresh credentials; run saml2sts "
		        "login\"}";

		reply(fd, "503 Service Unavailable", fail, sizeof(fail) - 1);
	} else {
		reply(fd, "200 OK", body.ptr, body.len);
	}
	s2s_buf_release(&body);
	s2s_creds_free(c);
}

int cli_server_run(struct cli *cli, struct cli_server *srv, pid_t child)
{
	struct pollfd p[2];
	int status = 0;

	if (pipe(self_pipe) == 0) {
		struct sigaction sa = { 0 };

		sa.sa_handler = on_child;
		sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, NULL);
	}
	p[0] = (struct pollfd){ srv->fd, POLLIN, 0 };
	p[1] = (struct pollfd){ self_pipe[0], POLLIN, 0 };
	for (;;) {
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			break;
		if (poll(p, child > 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return cli_error(EXIT_FAIL, "poll: %s",
			                 strerror(errno));
		if (p[1].revents & POLLIN) {
			char drain[16];

			if (read(self_pipe[0], drain, sizeof(drain)) < 0)
				continue;
		}
		if (p[0].revents & POLLIN) {
			int fd = accept(srv->fd, NULL, NULL);

			if (fd >= 0) {
				serve_one(cli, srv, fd);
				close(fd);
			}
		}
	}
	close(srv->fd);
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
