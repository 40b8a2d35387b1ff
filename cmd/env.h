/* SPDX-License-Identifier: MIT */
/*
 * The environment a command runs with (cmd/env.c) and the loopback
 * credentials-URI server (cmd/serve.c) that exec --server starts.
 */
#ifndef S2S_CMD_ENV_H
#define S2S_CMD_ENV_H

#include <sys/types.h>

#include "cli.h"

/* exec --server: the credentials URI and the variables that make SDKs
 * use it; static keys and outranking providers removed. */
int cli_set_env_server(const char *uri, const char *profile,
                       const char *region);

/* Set (and clear) the environment of DESIGN.md 6 for creds. */
int cli_set_env(const struct s2s_creds *creds, const char *profile);

/* The loopback credentials-URI server. */
struct cli_server {
	int fd;
	const char *profile;
	char secret[33]; /* 128 bits, hex */
	char uri[128];
};

/* Listen on 127.0.0.1:0 with a fresh secret; fills fd, secret, uri. */
int cli_server_open(struct cli_server *srv);

/* Serve until child (when > 0) exits; returns its exit status.  With
 * child 0, serves until killed. */
int cli_server_run(struct cli *cli, struct cli_server *srv, pid_t child);

#endif
