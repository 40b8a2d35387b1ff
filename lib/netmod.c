/* SPDX-License-Identifier: MIT */
/*
 * The network module's identity: the build it belongs to (the binary
 * refuses a module from another build, lib/netload.c) and the network
 * libraries it runs with, for `saml2sts version`.  Part of the network
 * half of lib/, so of saml2sts-net.so; it loads nothing itself.
 */
#include <curl/curl.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>

#include "common.h"
#include "saml2sts/netmod.h"

#ifndef S2S_NETMOD_ABI
#define S2S_NETMOD_ABI "unknown"
#endif

/* OpenSSL frees its tables from an atexit handler unless its first
 * initialisation says not to.  The process is ending and the kernel
 * takes the memory back for free (about 0.5 ms of a login), so say it
 * when the module loads, before libcurl or anything here starts
 * OpenSSL.  Nothing secret is left behind: it frees, it never wipes. */
__attribute__((constructor)) static void no_openssl_atexit(void)
{
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

/* Looked up by name (dlsym) by the binary that loads the module. */
extern const char s2s_netmod_abi[];
const char s2s_netmod_abi[] = S2S_NETMOD_ABI;

const char *s2s_net_libraries(void)
{
	static char line[256];
	curl_version_info_data *cv;

	if (line[0])
		return line;
	cv = curl_version_info(CURLVERSION_NOW);
	snprintf(line, sizeof(line), "libcurl/%s %s libxml2/%s", cv->version,
	         OpenSSL_version(OPENSSL_VERSION), LIBXML_DOTTED_VERSION);
	return line;
}
