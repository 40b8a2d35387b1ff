/* SPDX-License-Identifier: MIT */
/*
 * The network module.  The saml2sts binary holds the small core the
 * commands that answer from the store run on (store, config, creds,
 * JSON, locks, the engine's read path); what talks to an IdP, STS, RAM
 * or the console (libcurl, OpenSSL, libxml2, xmlsec1, the IdP adapters)
 * is the private shared object saml2sts-net.so, loaded on the first
 * call that needs it.  Programs linked with the whole library (tests,
 * fuzzers) have everything in and never load anything.
 */
#ifndef S2S_NETMOD_H
#define S2S_NETMOD_H

#include <string.h>

#include "error.h"

/* The module's file name, next to the binary (a build tree) or in the
 * private library directory the build installs it to. */
#define S2S_NETMOD_NAME "saml2sts-net.so"

/* The network libraries the module runs with, "libcurl/8.1.2
 * OpenSSL 3.0.11 ..." (static storage); in the binary, loads the module,
 * and says why when it cannot. */
const char *s2s_net_libraries(void);

/* Only in the saml2sts binary (lib/netload.c): load the module now, once
 * (later calls return the first answer).  S2S_ERROR naming the file and
 * the reason when it is missing, unsafe (writable by others) or from
 * another build. */
s2s_err s2s_netmod_load(struct s2s_error *err);

/* Only in the saml2sts binary: the address of symbol name in the module,
 * loading it first; NULL with err set when it cannot be had. */
void *s2s_netmod_sym(const char *name, struct s2s_error *err);

/* The module's function called name into the function pointer f (of
 * its declared type), or the statement fail.  A function pointer is
 * copied out of dlsym's void * as POSIX allows. */
#define S2S_NETMOD_FN(f, name, err, fail)               \
	do {                                            \
		void *sym_ = s2s_netmod_sym(name, err); \
		if (!sym_)                              \
			fail;                           \
		memcpy(&(f), &sym_, sizeof(f));         \
	} while (0)

#endif
