/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: small secrets kept for a bounded time in the Linux
 * kernel keyring (keyctl(2)), so that later processes of the same user
 * skip an expensive derivation.  The file store keeps its scrypt keys
 * here.  Nothing here touches the disk.
 */
#ifndef S2S_KEYCACHE_H
#define S2S_KEYCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "saml2sts/error.h"

/* Longest payload kept. */
#define S2S_KEYCACHE_MAX 128

/* The payload of the "user" key desc in the user session keyring,
 * copied to out (room for cap bytes), its length in *len.
 * S2S_ENOTFOUND when there is none, it is longer than cap, or the kernel
 * has no keyrings for us (no keyctl, a seccomp filter). */
s2s_err s2s__keycache_get(unsigned char *out, size_t cap, size_t *len,
                          const char *desc);

/* Keep payload (len <= S2S_KEYCACHE_MAX) as desc for ttl seconds,
 * replacing any key of that description; readable by this user only.
 * Best effort: false when the kernel would not take it.  The key is
 * made in the process keyring, given its timeout and permissions, and
 * only then linked into the user session keyring, so it never sits
 * there without its timeout. */
bool s2s__keycache_put(const char *desc, const void *payload, size_t len,
                       long ttl);

/* Invalidate every key of the user session keyring whose description
 * starts with prefix and ends with suffix.  Best effort. */
void s2s__keycache_forget(const char *prefix, const char *suffix);

#endif
