/* SPDX-License-Identifier: MIT */
/*
 * The environment a command runs with (cmd/env.c) and the loopback
 * credentials-URI server (cmd/serve.c) that exec --server starts.
 */
#ifndef S2S_CMD_ENV_H
#define S2S_CMD_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

/* What exec does with a variable (DESIGN.md 6). */
enum cli_env_flags {
	CLI_ENV_CREDS = 1u << 0,  /* set from the credentials (exec, export) */
	CLI_ENV_SERVER = 1u << 1, /* set by exec --server */
	CLI_ENV_MARKER = 1u << 2, /* set by exec only: its nesting guard */
	CLI_ENV_CLEAR = 1u << 3,  /* removed: it would outrank ours */
	CLI_ENV_PREFIX = 1u << 4, /* with CLEAR: every variable so named */
};

/* Where a variable's value comes from. */
enum cli_env_value {
	CLI_ENV_NONE,
	CLI_ENV_KEY_ID,
	CLI_ENV_KEY_SECRET,
	CLI_ENV_TOKEN,
	CLI_ENV_REGION,
	CLI_ENV_PROFILE,
	CLI_ENV_EXPIRATION,
	CLI_ENV_URI,  /* exec --server: the credentials URI */
	CLI_ENV_TRUE, /* "true" */
};

struct cli_env_var {
	const char *name;
	unsigned int flags; /* enum cli_env_flags */
	enum cli_env_value value;
};

/* exec's nesting guard: set only by exec (to the profile), never by
 * export, so a shell that ran `s2s use P` may still exec. */
#define CLI_ENV_EXEC_MARKER "SAML2STS_EXEC"

/* Every variable exec sets or clears, once: exec builds its environment
 * from it, export prints from it and export --unset undoes it.  The
 * CLI_ENV_CREDS entries are in export's order.  Ends with a NULL name. */
extern const struct cli_env_var cli_env_vars[];

/* The i-th variable of the environment that v covers (v's name when it
 * is set; with CLI_ENV_PREFIX, each one whose name starts so), copied to
 * name; false when there is no i-th or it does not fit. */
bool cli_env_present(const struct cli_env_var *v, size_t i, char *name,
                     size_t size);

/* exec --server: the credentials URI and the variables that make SDKs
 * use it; static keys and outranking providers removed. */
int cli_set_env_server(const char *uri, const char *profile,
                       const char *region);

/* Set (and clear) the environment of DESIGN.md 6 for creds, with exec's
 * nesting marker. */
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
