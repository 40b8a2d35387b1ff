/* SPDX-License-Identifier: MIT */
/*
 * Alibaba Cloud sites: the SP identity of role-based SSO on the China
 * site (cn) and the international site (intl).  Pure data.
 */
#ifndef S2S_SITE_H
#define S2S_SITE_H

struct s2s_site {
	const char *name;        /* "cn" | "intl" */
	const char *acs_url;     /* Recipient / Destination of the Response */
	const char *audience;    /* SP entity id */
	const char *signin_host; /* console federation host */
};

/* The site called name (case-insensitive), or NULL.  NULL name = cn. */
const struct s2s_site *s2s_site_find(const char *name);

#endif
