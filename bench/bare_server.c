/* SPDX-License-Identifier: MIT */
/*
 * The floor of `saml2sts serve` answering from memory: the least a
 * loopback HTTP server can do per request on a new connection.  One
 * thread, blocking: accept4, read the request head, send a fixed answer
 * of the size given (the same headers serve sends), close.
 *
 *   bare_server BODY_BYTES
 *       binds 127.0.0.1 on a free port, prints "http://127.0.0.1:PORT/"
 *       and serves until killed.
 *
 * Built by bench/warm_credential_process.py; not installed.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	size_t body = argc > 1 ? strtoul(argv[1], NULL, 10) : 800;
	char head[256], req[4096];
	char *answer;
	int n, fd;

	n = snprintf(head, sizeof(head),
	             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	             "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	             "Connection: close\r\n\r\n",
	             body);
	answer = malloc((size_t)n + body);
	if (!answer)
		return 1;
	memcpy(answer, head, (size_t)n);
	memset(answer + n, 'x', body);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 128) || getsockname(fd, (struct sockaddr *)&sa, &len))
		return 1;
	printf("http://127.0.0.1:%u/\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		size_t got = 0;

		if (c < 0)
			continue;
		while (got < sizeof(req) - 1) {
			ssize_t r =
			        recv(c, req + got, sizeof(req) - 1 - got, 0);

			if (r <= 0)
				break;
			got += (size_t)r;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		(void)send(c, answer, (size_t)n + body, MSG_NOSIGNAL);
		close(c);
	}
}
