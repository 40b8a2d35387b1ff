/* SPDX-License-Identifier: MIT */
/*
 * The two other ways of configure: the import of a saml2alibabacloud
 * config (cmd/import.c) and the interactive wizard (cmd/wizard.c).
 */
#ifndef S2S_CMD_CONFIGURE_H
#define S2S_CMD_CONFIGURE_H

#include "cli.h"

/* configure --import-saml2alibabacloud: import path (NULL: the default
 * ~/.saml2alibabacloud) into the config, printing what was imported. */
int cli_import_saml2alibabacloud(struct cli *cli, const char *path);

/* configure without flags on a terminal: the interactive wizard. */
int cli_configure_wizard(struct cli *cli);

/* After saving the account: the engine's own check of it (as login and
 * doctor run it); when it cannot log in yet, one line saying what is
 * missing and how to set it.  True when it is ready. */
bool cli_configure_ready(struct cli *cli);

#endif
