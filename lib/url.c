/* SPDX-License-Identifier: MIT */
/*
 * URL helpers over libcurl's URL API: RFC 3986 reference resolution,
 * the host of a URL, the "https, or plain http to loopback" policy and
 * application/x-www-form-urlencoded encoding straight into a (secret)
 * buffer.  No network access, no HTML and no HTTP session here: those
 * are html.c and http.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <curl/curl.h>

#include "saml2sts/url.h"
#include "common.h"

/* Relative references may carry spaces or non-ASCII bytes from HTML
 * attributes: let curl percent-encode them.  Unknown schemes parse too,
 * so that s2s_url_allowed() is the single place that refuses them. */
#define RESOLVE_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE)

static s2s_err url_error(struct s2s_error *err, CURLUcode uc)
{
	if (uc == CURLUE_OUT_OF_MEMORY)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	/* The URL itself stays out of the message: its query may carry
	 * session state. */
	return s2s_error_set(err, S2S_EINVAL, "invalid URL (%s)",
	                     curl_url_strerror(uc));
}

/* True if s has a query: a '?' before any '#'. */
static bool has_query(const char *s)
{
	size_t n = strcspn(s, "?#");

	return s[n] == '?';
}

/* curl 7.88 drops an empty query ("page.php?" becomes "page.php"), but
 * RFC 3986 keeps it: put the '?' back, before any fragment. */
static s2s_err keep_empty_query(char **s, bool want)
{
	size_t len, at;
	char *p;

	if (!want || has_query(*s))
		return S2S_OK;
	len = strlen(*s);
	at = strcspn(*s, "#");
	p = malloc(len + 2);
	if (!p)
		return S2S_ENOMEM;
	memcpy(p, *s, at);
	p[at] = '?';
	memcpy(p + at + 1, *s + at, len - at + 1);
	free(*s);
	*s = p;
	return S2S_OK;
}

/* The whole URL of u as a malloc()ed string (not curl's allocator). */
static s2s_err get_url(char **out, CURLU *u, bool want_query,
                       struct s2s_error *err)
{
	char *s = NULL;
	CURLUcode uc;

	*out = NULL;
	uc = curl_url_get(u, CURLUPART_URL, &s, 0);
	if (uc)
		return url_error(err, uc);
	*out = strdup(s);
	curl_free(s);
	if (!*out || keep_empty_query(out, want_query)) {
		s2s_safefree(*out);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	return S2S_OK;
}

/* Same-document references ("", "#", "#frag"): the base without its
 * fragment, plus the new fragment if there is one.  curl would resolve
 * them against the base's directory instead. */
static s2s_err resolve_fragment(char **out, const char *base, const char *ref,
                                struct s2s_error *err)
{
	struct s2s_buf abs = S2S_BUF_INIT;
	CURLU *u = NULL;
	CURLUcode uc;
	s2s_err rc;

	rc = s2s_buf_add(&abs, base, strcspn(base, "#"));
	if (!rc && ref[0] && ref[1])
		rc = s2s_buf_puts(&abs, ref);
	if (!rc)
		rc = s2s_buf_terminate(&abs);
	u = curl_url();
	if (rc || !u) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	uc = curl_url_set(u, CURLUPART_URL, abs.ptr, RESOLVE_FLAGS);
	if (uc) {
		rc = url_error(err, uc);
		goto out;
	}
	rc = get_url(out, u, has_query(abs.ptr), err);
out:
	curl_url_cleanup(u);
	s2s_buf_release(&abs);
	return rc;
}

s2s_err s2s_url_resolve(char **out, const char *base, const char *ref,
                        struct s2s_error *err)
{
	CURLU *u = NULL;
	CURLUcode uc;
	s2s_err rc;

	S2S_ASSERT_ARG(out && base && ref);
	*out = NULL;
	u = curl_url();
	if (!u)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	uc = curl_url_set(u, CURLUPART_URL, base, RESOLVE_FLAGS);
	if (uc) {
		rc = url_error(err, uc);
		goto out;
	}
	if (ref[0] == '\0' || ref[0] == '#') {
		rc = resolve_fragment(out, base, ref, err);
		goto out;
	}
	uc = curl_url_set(u, CURLUPART_URL, ref, RESOLVE_FLAGS);
	if (uc) {
		rc = url_error(err, uc);
		goto out;
	}
	rc = get_url(out, u, has_query(ref), err);
out:
	curl_url_cleanup(u);
	return rc;
}

/* The host of url as curl normalises it (IPv4 numbers in dotted form,
 * IPv6 in brackets, no zone id); curl_free() it. */
static CURLUcode get_host(char **host, const char *url, unsigned int flags)
{
	CURLU *u = curl_url();
	CURLUcode uc;

	*host = NULL;
	if (!u)
		return CURLUE_OUT_OF_MEMORY;
	uc = curl_url_set(u, CURLUPART_URL, url, flags);
	if (!uc)
		uc = curl_url_get(u, CURLUPART_HOST, host, 0);
	curl_url_cleanup(u);
	return uc;
}

s2s_err s2s_url_host(char **out, const char *url, struct s2s_error *err)
{
	char *host = NULL;
	CURLUcode uc;

	S2S_ASSERT_ARG(out && url);
	*out = NULL;
	uc = get_host(&host, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc)
		return url_error(err, uc);
	*out = strdup(host);
	curl_free(host);
	if (!*out)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	/* Host names are case-insensitive: hand out one spelling. */
	for (char *p = *out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return S2S_OK;
}

static bool is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	char v6[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (host[0] == '[') {
		if (len < 3 || len - 2 >= sizeof(v6) || host[len - 1] != ']')
			return false;
		memcpy(v6, host + 1, len - 2);
		v6[len - 2] = '\0';
		return inet_pton(AF_INET6, v6, &a6) == 1 &&
		       IN6_IS_ADDR_LOOPBACK(&a6);
	}
	/* curl has already turned 127.1 or 0x7f000001 into dotted form. */
	if (inet_pton(AF_INET, host, &a4) != 1)
		return false;
	return (ntohl(a4.s_addr) >> 24) == 127;
}

bool s2s_url_allowed(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (!url)
		return false;
	u = curl_url();
	if (!u)
		return false;
	/* Without CURLU_NON_SUPPORT_SCHEME: javascript:, data: and other
	 * schemes curl does not know fail here already. */
	if (curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0))
		goto out;
	if (strcasecmp(scheme, "https") == 0) {
		ok = true;
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0))
		goto out;
	ok = is_loopback(host);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Percent-encode s into buf, copying runs of safe bytes in one go so
 * that no temporary copy of a secret value is made. */
static s2s_err encode(struct s2s_buf *buf, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s;
	char esc[3];
	s2s_err rc = S2S_OK;

	for (const char *p = s; !rc; p++) {
		unsigned char c = (unsigned char)*p;

		if (c && unreserved(c))
			continue;
		if (p > run)
			rc = s2s_buf_add(buf, run, (size_t)(p - run));
		if (rc || !c)
			break;
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		rc = s2s_buf_add(buf, esc, sizeof(esc));
		run = p + 1;
	}
	s2s_memzero(esc, sizeof(esc));
	return rc;
}

s2s_err s2s_form_append(struct s2s_buf *body, const char *name,
                        const char *value, struct s2s_error *err)
{
	size_t old;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(body && name);
	old = body->len;
	if (old)
		rc = s2s_buf_add(body, "&", 1);
	if (!rc)
		rc = encode(body, name);
	if (!rc)
		rc = s2s_buf_add(body, "=", 1);
	if (!rc)
		rc = encode(body, value ? value : "");
	if (!rc)
		return S2S_OK;
	/* Leave body as it was, without the partial value. */
	if (body->ptr && body->len > old) {
		s2s_memzero(body->ptr + old, body->len - old);
		body->len = old;
	}
	if (rc == S2S_EINVAL)
		return s2s_error_set(err, rc, "form body too large");
	return s2s_error_set(err, rc, "out of memory");
}
