/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks' launcher: wall time and peak RSS of commands measured
 * from a small C parent, so neither an interpreter's fork nor its memory
 * counts.  Two modes:
 *
 *   launch RUNS CMD1 ARGS... [--- CMD2 ARGS... ...]
 *       runs the commands in turn (1, 2, ..., 1, 2, ...) RUNS times each,
 *       stdin, stdout and stderr on /dev/null, and prints one line per
 *       run: "<index> <wall us> <peak RSS KiB> <exit status> <CPU us>"
 *       (from wait4()'s rusage: peak RSS of that child or of the largest
 *       of the children it waited for; CPU = user + system time of the
 *       child and every descendant it waited for, so a shell script's
 *       curl processes count).
 *
 *   launch --get N HOST PORT PATH
 *       N sequential HTTP/1.1 GETs, each on a new connection read until
 *       the server closes it; prints the wall time of each in ns, one a
 *       line, and fails on any answer that is not 200.
 *
 * Built by the bench scripts with the system compiler; not installed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int number(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

static int run_one(char **argv, long long *ns, long *rss_kb, long long *cpu_us)
{
	struct rusage ru;
	long long t0 = now_ns();
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*ns = now_ns() - t0;
	*rss_kb = ru.ru_maxrss;
	*cpu_us = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int commands(int argc, char **argv)
{
	char **cmd[16];
	int ncmd = 0, runs = number(argv[1]);

	cmd[ncmd++] = &argv[2];
	for (int i = 2; i < argc && ncmd < 16; i++) {
		if (strcmp(argv[i], "---") == 0) {
			argv[i] = NULL;
			cmd[ncmd++] = &argv[i + 1];
		}
	}
	for (int r = 0; r < runs; r++) {
		for (int c = 0; c < ncmd; c++) {
			long long ns = 0, cpu = 0;
			long rss = 0;
			int st = run_one(cmd[c], &ns, &rss, &cpu);

			printf("%d %lld %ld %d %lld\n", c, ns / 1000, rss, st,
			       cpu);
		}
	}
	return 0;
}

static int get_loop(int n, const char *host, int port, const char *path)
{
	struct sockaddr_in sa = { 0 };
	char req[512], buf[8192];

	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return 2;
	snprintf(req, sizeof(req),
	         "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n", path,
	         host);
	for (int i = 0; i < n; i++) {
		long long t0 = now_ns();
		int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
		size_t got = 0;
		ssize_t k;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    send(fd, req, strlen(req), 0) < 0)
			return 1;
		while ((k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
			got += (size_t)k;
		close(fd);
		buf[got] = '\0';
		if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0) {
			fprintf(stderr, "launch: not 200: %.40s\n", buf);
			return 1;
		}
		printf("%lld\n", now_ns() - t0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && strcmp(argv[1], "--get") == 0)
		return get_loop(number(argv[2]), argv[3], number(argv[4]),
		                argv[5]);
	if (argc < 3) {
		fprintf(stderr, "usage: launch RUNS CMD ARGS... [--- CMD ...]\n"
		                "       launch --get N HOST PORT PATH\n");
		return 2;
	}
	return commands(argc, argv);
}
