/* SPDX-License-Identifier: MIT */
/* configure --idp-cert URL (cmd/idpcert.c). */
#ifndef S2S_CMD_IDPCERT_H
#define S2S_CMD_IDPCERT_H

#include <stdbool.h>

#include "cli.h"

/* Is the --idp-cert value a metadata URL (not a file)? */
bool cli_idp_cert_is_url(const char *v);

/* Fetch the metadata at url, confirm the signing certificates'
 * fingerprints (fingerprint must match one, or yes, or a tty answer)
 * and write them to <config dir>/idp-<account>.pem (0600); *path_out is
 * that path (caller frees). */
int cli_idp_cert_fetch(struct cli *cli, const char *url,
                       const char *fingerprint, bool yes, char **path_out);

#endif
