/* SPDX-License-Identifier: MIT */
/*
 * The HTTP session: one libcurl easy handle whose cookie engine is the
 * in-memory jar of an IdP login.  Redirects are followed here, not by
 * libcurl, so that every hop is checked (https, or http to loopback)
 * and traced without its query string.  Idempotent requests are retried
 * with exponential backoff on transport errors and 502/503/504.  A set
 * cancel flag aborts a transfer through libcurl's progress callback.
 * Bodies land in secret buffers with a size cap.  Every easy handle,
 * the session's and the parallel STS ones, is set up by one function.
 * No HTML, no JSON.
 *
 * Trust: a CA bundle named by the caller, else the system's hashed CA
 * directory when libcurl's built-in one is such a directory (also when
 * the caller names libcurl's built-in bundle, which holds the same
 * certificates), else libcurl's built-in bundle.  The directory is read lazily:
 * a handshake opens the one or two certificates it needs, where a bundle is
 * parsed whole (about 150 certificates, some 30 ms of CPU with OpenSSL 3) by
 * every handle that loads it.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "common.h"
#include "saml2sts/http.h"
#include "saml2sts/url.h"
#include "http_int.h"
#include "redact.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_RETRY_MS   250L
#define DEFAULT_REDIRECTS  10
#define DEFAULT_MAX_BODY   ((size_t)8 << 20)

struct s2s_http {
	CURL *curl;
	struct s2s_http_opts opts;
	char *ca_bundle; /* named, and not the system's own bundle */
	char *ca_dir;    /* named (SSL_CERT_DIR) */
	char *ca_path;   /* CAPATH: ca_dir, then the system's directory */
	char errbuf[CURL_ERROR_SIZE];
	CURLSH *share; /* holds the cookie jar (shared with multi later) */
	/* Every transfer of the session, its own and the parallel ones,
	 * runs here: libcurl keeps open connections, TLS sessions and (for
	 * a CA bundle alone) the parsed CA store in the multi handle. */
	CURLM *multi;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

/* libcurl's built-in CA directory, if it is a hashed one; "" if not. */
static char system_ca_dir[PATH_MAX];
/* libcurl's built-in CA bundle (the file the directory was made from,
 * by update-ca-certificates on Debian), when there is such a directory. */
static struct stat system_ca_file;
static bool have_system_ca_file;

/* True if dir holds at least one OpenSSL hash link ("1a2b3c4d.0"): a
 * bare /etc/ssl/certs without them would trust nothing. */
static bool hashed_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		size_t i = 0;

		while (i < 8 && isxdigit((unsigned char)e->d_name[i]))
			i++;
		found = i == 8 && e->d_name[8] == '.' &&
		        isdigit((unsigned char)e->d_name[9]);
	}
	closedir(d);
	return found;
}

static void find_system_ca_dir(void)
{
#if LIBCURL_VERSION_NUM >= 0x075400 /* CURLINFO_CAPATH: 7.84.0 */
	CURL *c = curl_easy_init();
	char *dir = NULL, *file = NULL;

	if (c && curl_easy_getinfo(c, CURLINFO_CAPATH, &dir) == CURLE_OK &&
	    dir && strlen(dir) < sizeof(system_ca_dir) && hashed_dir(dir))
		snprintf(system_ca_dir, sizeof(system_ca_dir), "%s", dir);
	if (system_ca_dir[0] &&
	    curl_easy_getinfo(c, CURLINFO_CAINFO, &file) == CURLE_OK && file)
		have_system_ca_file = stat(file, &system_ca_file) == 0;
	curl_easy_cleanup(c);
#endif
}

/* True if path is libcurl's built-in bundle (CURL_CA_BUNDLE and
 * SSL_CERT_FILE often name it in containers and CI): its certificates
 * are the system directory's, which is read lazily instead of parsing
 * the whole bundle for every connection. */
static bool system_bundle(const char *path)
{
	struct stat st;

	return have_system_ca_file && stat(path, &st) == 0 &&
	       st.st_dev == system_ca_file.st_dev &&
	       st.st_ino == system_ca_file.st_ino;
}

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (global_rc == CURLE_OK)
		find_system_ca_dir();
}

static void setup_once(struct s2s_http *http);

void s2s__http_run(struct s2s_http *http, CURL *const *easy, CURLcode *codes,
                   size_t n)
{
	CURLM *m = http->multi;
	int running = 0, left;
	CURLMsg *msg;

	for (size_t i = 0; i < n; i++)
		codes[i] = CURLE_FAILED_INIT;
	for (size_t i = 0; i < n; i++)
		if (easy[i] && curl_multi_add_handle(m, easy[i]) != CURLM_OK)
			codes[i] = CURLE_OUT_OF_MEMORY;
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		/* libcurl's own timers cut the wait short */
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	while ((msg = curl_multi_info_read(m, &left)))
		for (size_t i = 0; msg->msg == CURLMSG_DONE && i < n; i++)
			if (easy[i] == msg->easy_handle)
				codes[i] = msg->data.result;
	for (size_t i = 0; i < n; i++)
		if (easy[i])
			curl_multi_remove_handle(m, easy[i]);
}

const char *s2s_http_user_agent(void)
{
	return "saml2sts/" S2S_VERSION;
}

s2s_err s2s_http_new(struct s2s_http **out, const struct s2s_http_opts *opts,
                     struct s2s_error *err)
{
	struct s2s_http *http;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return s2s_error_set(err, S2S_ERROR, "libcurl init: %s",
		                     curl_easy_strerror(global_rc));
	http = calloc(1, sizeof(*http));
	if (!http)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	if (opts)
		http->opts = *opts;
	if (!http->opts.connect_timeout_ms)
		http->opts.connect_timeout_ms = DEFAULT_CONNECT_MS;
	if (!http->opts.timeout_ms)
		http->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!http->opts.retry_base_ms)
		http->opts.retry_base_ms = DEFAULT_RETRY_MS;
	if (!http->opts.max_redirects)
		http->opts.max_redirects = DEFAULT_REDIRECTS;
	if (!http->opts.max_body)
		http->opts.max_body = DEFAULT_MAX_BODY;
	if (http->opts.retries < 0)
		http->opts.retries = 0;
	if (opts && opts->ca_bundle && !system_bundle(opts->ca_bundle)) {
		http->ca_bundle = strdup(opts->ca_bundle);
		if (!http->ca_bundle)
			goto nomem;
	}
	http->opts.ca_bundle = http->ca_bundle;
	if (opts && opts->ca_dir) {
		http->ca_dir = strdup(opts->ca_dir);
		if (!http->ca_dir)
			goto nomem;
	}
	http->opts.ca_dir = http->ca_dir;
	/* A named directory adds to the system's, as a named bundle does
	 * (OpenSSL reads a ':' list): a private CA must not cost the
	 * public ones STS and the IdP use. */
	if (http->ca_dir || system_ca_dir[0]) {
		struct s2s_buf p = S2S_BUF_INIT;

		if (s2s_buf_printf(&p, "%s%s%s",
		                   http->ca_dir ? http->ca_dir : "",
		                   http->ca_dir && system_ca_dir[0] ? ":" : "",
		                   system_ca_dir))
			goto nomem;
		http->ca_path = s2s_buf_detach(&p, NULL);
	}
	http->curl = curl_easy_init();
	http->share = curl_share_init();
	http->multi = curl_multi_init();
	if (!http->curl || !http->share || !http->multi ||
	    curl_share_setopt(http->share, CURLSHOPT_SHARE,
	                      CURL_LOCK_DATA_COOKIE) != CURLSHE_OK)
		goto nomem;
	setup_once(http);
	*out = http;
	return S2S_OK;
nomem:
	curl_easy_cleanup(http->curl);
	curl_share_cleanup(http->share);
	curl_multi_cleanup(http->multi);
	free(http->ca_bundle);
	free(http->ca_dir);
	free(http->ca_path);
	free(http);
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

void s2s_http_trust(const struct s2s_http *http, char *out, size_t size)
{
	char *builtin = NULL;
	size_t n = 0;

	out[0] = '\0';
	if (!http->ca_bundle && !system_ca_dir[0]) {
#if LIBCURL_VERSION_NUM >= 0x075400 /* CURLINFO_CAINFO: 7.84.0 */
		curl_easy_getinfo(http->curl, CURLINFO_CAINFO, &builtin);
#endif
		if (builtin)
			n = (size_t)snprintf(out, size, "CA bundle %s",
			                     builtin);
		else if (!http->ca_dir)
			snprintf(out, size, "libcurl's built-in CA store");
	} else if (http->ca_bundle) {
		n = (size_t)snprintf(out, size, "CA bundle %s",
		                     http->ca_bundle);
	}
	/* each directory of the ':' list */
	for (const char *d = http->ca_path; d && *d && n < size;) {
		size_t len = strcspn(d, ":");

		n += (size_t)snprintf(out + n, size - n, "%sCA directory %.*s",
		                      n ? " and " : "", (int)len, d);
		d += len + (d[len] == ':');
	}
}

void s2s_http_free(struct s2s_http *http)
{
	if (!http)
		return;
	/* Drop the jar before the handle goes: session cookies are secrets,
	 * and libcurl frees them without wiping. */
	curl_easy_setopt(http->curl, CURLOPT_SHARE, http->share);
	curl_easy_setopt(http->curl, CURLOPT_COOKIELIST, "ALL");
	curl_easy_cleanup(http->curl);
	curl_share_cleanup(http->share);
	curl_multi_cleanup(http->multi);
	free(http->ca_bundle);
	free(http->ca_dir);
	free(http->ca_path);
	free(http);
}

void s2s_http_response_release(struct s2s_http_response *resp)
{
	s2s_safefree(resp->url);
	s2s_safefree(resp->content_type);
	s2s_safefree(resp->location);
	s2s_buf_release(&resp->body);
	resp->status = 0;
	resp->date = 0;
	resp->body.secret = true;
}

void s2s__http_trace(struct s2s_http *http, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!http->opts.trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	http->opts.trace(line, http->opts.trace_payload);
}

/* scheme://host[:port]/path of url, without query or fragment: queries
 * may carry tokens (AuthState, SAMLRequest, codes); redact.c decides. */
static void redact_url(char *dst, size_t size, const char *url)
{
	s2s__redact_url(dst, size, url);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct s2s__http_sink *t = userdata;
	size_t len = size * nmemb;
	s2s_err rc;

	rc = s2s_buf_add(t->body, ptr, len);
	if (rc) {
		t->too_large = rc == S2S_EINVAL;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return len;
}

static char *header_value(CURL *curl, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return strdup(h->value);
}

/* The Date header as a time, or 0 when there is none or it does not
 * parse (curl_getdate reads the RFC 9110 forms). */
static time_t header_date(CURL *curl)
{
	struct curl_header *h = NULL;
	time_t t;

	if (curl_easy_header(curl, "Date", 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return 0;
	t = curl_getdate(h->value, NULL);
	return t > 0 ? t : 0;
}

static bool retryable_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool tls_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* --debug: request and response headers, redacted (redact.c). */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size,
                    void *userp)
{
	struct s2s_http *http = userp;
	const char *dir = type == CURLINFO_HEADER_OUT ? ">" : "<";
	size_t i = 0;

	(void)c;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
		return 0;
	while (i < size) {
		size_t end = i;
		char line[400];

		while (end < size && data[end] != '\n')
			end++;
		if (end - i > 1 || (end - i == 1 && data[i] != '\r')) {
			s2s__redact_header(line, sizeof(line), data + i,
			                   end - i);
			s2s__http_trace(http, "%s %s", dir, line);
		}
		i = end + 1;
	}
	return 0;
}

static bool cancelled(const struct s2s_http *http)
{
	return http->opts.cancel && *http->opts.cancel;
}

/* CURLOPT_XFERINFOFUNCTION: non-zero aborts the transfer with
 * CURLE_ABORTED_BY_CALLBACK.  libcurl calls it at least about once a
 * second, also while the peer sends nothing. */
static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return cancelled(clientp) ? 1 : 0;
}

/* Sockets are close-on-exec: a graphical prompt or the browser started
 * while the session's multi handle keeps a connection open must not
 * inherit a connection to the IdP or STS. */
static curl_socket_t open_socket(void *payload, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
	(void)payload;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void s2s__http_setup_easy(struct s2s_http *http, CURL *c, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, s2s_http_user_agent());
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 http->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, http->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* The system's directory replaces libcurl's built-in bundle (the
	 * same certificates); without that directory the bundle stays. */
	if (http->ca_bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, http->ca_bundle);
	else if (system_ca_dir[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, (char *)NULL);
	if (http->ca_path)
		curl_easy_setopt(c, CURLOPT_CAPATH, http->ca_path);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	if (http->opts.trace) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, http);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	if (http->opts.cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, http);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
}

/* Options that stay the same for every request of the session.  The
 * handle is never curl_easy_reset(): that would stop the cookie engine,
 * and restarting it leaks a list entry per request in libcurl 7.88. */
static void setup_once(struct s2s_http *http)
{
	s2s__http_setup_easy(http, http->curl, http->errbuf);
	/* The IdP cookie jar belongs to this handle only. */
	curl_easy_setopt(http->curl, CURLOPT_SHARE, http->share);
	curl_easy_setopt(http->curl, CURLOPT_COOKIEFILE, "");
}

/* Length of "scheme://authority" at the start of url. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

/* True if a and b have the same scheme, host and port: HTTP
 * credentials are only ever sent there (like curl without
 * CURLOPT_UNRESTRICTED_AUTH). */
static bool same_origin(const char *a, const char *b)
{
	size_t n = origin_len(a);

	return n && n == origin_len(b) && strncasecmp(a, b, n) == 0;
}

/* HTTP authentication is per request: the handle is reused, so the
 * options are cleared again when a request does not ask for them. */
static void setup_auth(CURL *c, const char *url,
                       const struct s2s_http_request *req)
{
	unsigned long want = 0;

	if (req->httpauth && same_origin(req->url, url)) {
		if (req->httpauth & S2S_HTTP_AUTH_BASIC)
			want |= CURLAUTH_BASIC;
		if (req->httpauth & S2S_HTTP_AUTH_NEGOTIATE)
			want |= CURLAUTH_NEGOTIATE;
		if (req->httpauth & S2S_HTTP_AUTH_NTLM)
			want |= CURLAUTH_NTLM;
	}
	if (!want) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH,
		                 (unsigned long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, (char *)NULL);
		curl_easy_setopt(c, CURLOPT_PASSWORD, (char *)NULL);
		return;
	}
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, want);
	curl_easy_setopt(c, CURLOPT_USERNAME,
	                 req->username ? req->username : "");
	curl_easy_setopt(c, CURLOPT_PASSWORD,
	                 req->password ? req->password : "");
}

static void setup(struct s2s_http *http, const char *method, const char *url,
                  const struct s2s_http_request *req, struct curl_slist *hdrs,
                  struct s2s__http_sink *t)
{
	CURL *c = http->curl;

	setup_auth(c, url, req);

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		                 req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)(req->body ? req->body_len : 0));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
}

/* Sleep before retry attempt + 1, in slices so that a cancel flag
 * ends the wait. */
static void backoff(const struct s2s_http *http, int attempt)
{
	long ms = http->opts.retry_base_ms << (attempt < 6 ? attempt : 6);

	while (ms > 0 && !cancelled(http)) {
		long slice = ms < 100 ? ms : 100;
		struct timespec ts = { 0, slice * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

static s2s_err transport_error(struct s2s_http *http, CURLcode cc,
                               const char *url, bool too_large,
                               struct s2s_error *err)
{
	char host[256];
	const char *detail =
	        http->errbuf[0] ? http->errbuf : curl_easy_strerror(cc);
	char *h = NULL;

	if (cc == CURLE_ABORTED_BY_CALLBACK) /* on_progress: the flag */
		return s2s_error_set(err, S2S_ECANCELLED, "cancelled");
	if (s2s_url_host(&h, url, NULL) == S2S_OK && h) {
		snprintf(host, sizeof(host), "%s", h);
		free(h);
	} else {
		snprintf(host, sizeof(host), "%s", "server");
	}
	if (too_large)
		return s2s_error_set(
		        err, S2S_EIDP,
		        "response from %s is larger than %zu bytes", host,
		        http->opts.max_body);
	if (tls_code(cc))
		return s2s_error_set(err, S2S_ETLS, "TLS with %s: %s", host,
		                     detail);
	return s2s_error_set(err, S2S_ENET, "cannot reach %s: %s", host,
	                     detail);
}

/* --debug: a form body with its secrets redacted, any other body as
 * its size only. */
static void trace_body(struct s2s_http *http,
                       const struct s2s_http_request *req)
{
	char shown[400];

	if (!http->opts.trace || !req->body)
		return;
	if (req->content_type &&
	    strstr(req->content_type, "x-www-form-urlencoded")) {
		s2s__redact_form(shown, sizeof(shown), req->body,
		                 req->body_len);
		s2s__http_trace(http, "> body: %s", shown);
	} else {
		s2s__http_trace(http, "> body: <%zu bytes%s%s>", req->body_len,
		                req->content_type ? " " : "",
		                req->content_type ? req->content_type : "");
	}
}

/* One request to url, with retries when allowed. */
static s2s_err perform(struct s2s_http *http, const char *method,
                       const char *url, const struct s2s_http_request *req,
                       struct curl_slist *hdrs, struct s2s_http_response *resp,
                       struct s2s_error *err)
{
	int tries =
	        (req->flags & S2S_HTTP_IDEMPOTENT) ? http->opts.retries + 1 : 1;
	struct s2s__http_sink t = { &resp->body, false };
	char shown[300];
	CURLcode cc = CURLE_OK;

	redact_url(shown, sizeof(shown), url);
	resp->body.max = http->opts.max_body;
	for (int attempt = 0; attempt < tries; attempt++) {
		if (attempt) {
			s2s__http_trace(http, "retry %d of %d after backoff",
			                attempt, tries - 1);
			backoff(http, attempt - 1);
		}
		if (cancelled(http))
			return s2s_error_set(err, S2S_ECANCELLED, "cancelled");
		s2s_buf_reset(&resp->body);
		t.too_large = false;
		http->errbuf[0] = '\0';
		setup(http, method, url, req, hdrs, &t);
		s2s__http_trace(http, "> %s %s", method, shown);
		trace_body(http, req);
		s2s__http_run(http, &http->curl, &cc, 1);
		if (cc != CURLE_OK) {
			s2s__http_trace(http, "! %s", curl_easy_strerror(cc));
			if (!t.too_large && retryable_code(cc))
				continue;
			return transport_error(http, cc, url, t.too_large, err);
		}
		curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE,
		                  &resp->status);
		s2s__http_trace(http, "< %ld (%zu bytes)", resp->status,
		                resp->body.len);
		if (resp->status != 502 && resp->status != 503 &&
		    resp->status != 504)
			break;
	}
	if (cc != CURLE_OK)
		return transport_error(http, cc, url, false, err);
	s2s_safefree(resp->location);
	s2s_safefree(resp->content_type);
	resp->location = header_value(http->curl, "Location");
	resp->content_type = header_value(http->curl, "Content-Type");
	resp->date = header_date(http->curl);
	return S2S_OK;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

static s2s_err build_headers(struct curl_slist **out,
                             const struct s2s_http_request *req,
                             struct s2s_error *err)
{
	struct curl_slist *list = NULL, *tmp;
	char ct[256];

	*out = NULL;
	if (req->body && req->content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type);
		list = curl_slist_append(list, ct);
		if (!list)
			goto nomem;
	}
	for (size_t i = 0; req->headers && req->headers[i]; i++) {
		tmp = curl_slist_append(list, req->headers[i]);
		if (!tmp)
			goto nomem;
		list = tmp;
	}
	*out = list;
	return S2S_OK;
nomem:
	curl_slist_free_all(list);
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

s2s_err s2s_http_do(struct s2s_http *http, const struct s2s_http_request *req,
                    struct s2s_http_response *resp, struct s2s_error *err)
{
	struct s2s_http_request cur = *req;
	struct curl_slist *hdrs = NULL;
	char *url = NULL, *next = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(http && req && req->url && req->method && resp);
	resp->body.secret = true;
	url = strdup(req->url);
	if (!url)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = build_headers(&hdrs, req, err);
	if (rc)
		goto out;
	for (int hop = 0;; hop++) {
		if (!s2s_url_allowed(url)) {
			char shown[300];

			redact_url(shown, sizeof(shown), url);
			rc = s2s_error_set(err, S2S_ETLS,
			                   "refusing %s: only https, or http "
			                   "to a loopback address",
			                   shown);
			goto out;
		}
		rc = perform(http, cur.method, url, &cur, hdrs, resp, err);
		if (rc)
			goto out;
		if (!(req->flags & S2S_HTTP_FOLLOW) ||
		    !is_redirect(resp->status) || !resp->location)
			break;
		if (hop >= http->opts.max_redirects) {
			rc = s2s_error_set(err, S2S_EIDP,
			                   "more than %d redirects",
			                   http->opts.max_redirects);
			goto out;
		}
		rc = s2s_url_resolve(&next, url, resp->location, err);
		if (rc)
			goto out;
		free(url);
		url = next;
		next = NULL;
		/* Browsers turn a redirected POST into a GET except on 307
		 * and 308, and IdPs rely on it. */
		if (resp->status != 307 && resp->status != 308) {
			cur.method = "GET";
			cur.body = NULL;
			cur.body_len = 0;
			curl_slist_free_all(hdrs);
			hdrs = NULL;
			cur.content_type = NULL;
			rc = build_headers(&hdrs, &cur, err);
			if (rc)
				goto out;
		}
	}
	s2s_safefree(resp->url);
	resp->url = url;
	url = NULL;
out:
	if (req->httpauth) { /* do not keep the password in the handle */
		curl_easy_setopt(http->curl, CURLOPT_USERNAME, (char *)NULL);
		curl_easy_setopt(http->curl, CURLOPT_PASSWORD, (char *)NULL);
	}
	curl_slist_free_all(hdrs);
	free(url);
	free(next);
	return rc;
}

s2s_err s2s_http_get(struct s2s_http *http, const char *url,
                     struct s2s_http_response *resp, struct s2s_error *err)
{
	struct s2s_http_request req = {
		.method = "GET",
		.url = url,
		.flags = S2S_HTTP_FOLLOW | S2S_HTTP_IDEMPOTENT,
	};

	return s2s_http_do(http, &req, resp, err);
}

s2s_err s2s_http_post_form(struct s2s_http *http, const char *url,
                           const char *body, size_t len,
                           struct s2s_http_response *resp,
                           struct s2s_error *err)
{
	struct s2s_http_request req = {
		.method = "POST",
		.url = url,
		.body = body,
		.body_len = len,
		.content_type = "application/x-www-form-urlencoded",
		.flags = S2S_HTTP_FOLLOW,
	};

	return s2s_http_do(http, &req, resp, err);
}

s2s_err s2s_http_cookies_export(struct s2s_http *http, struct s2s_buf *out,
                                struct s2s_error *err)
{
	struct curl_slist *list = NULL;
	s2s_err rc = S2S_OK;

	if (curl_easy_getinfo(http->curl, CURLINFO_COOKIELIST, &list) !=
	    CURLE_OK)
		return s2s_error_set(err, S2S_ERROR, "cannot read cookies");
	for (struct curl_slist *l = list; l && !rc; l = l->next) {
		rc = s2s_buf_puts(out, l->data);
		if (!rc)
			rc = s2s_buf_add(out, "\n", 1);
	}
	for (struct curl_slist *l = list; l; l = l->next)
		s2s_memzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

s2s_err s2s_http_cookies_import(struct s2s_http *http, const char *lines,
                                size_t len, struct s2s_error *err)
{
	struct s2s_buf line = S2S_BUF_SECRET_INIT;
	s2s_err rc = S2S_OK;
	size_t i = 0;

	while (i < len && !rc) {
		size_t n = 0;

		while (i + n < len && lines[i + n] != '\n')
			n++;
		s2s_buf_reset(&line);
		if (n && s2s_buf_add(&line, lines + i, n))
			rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		else if (n &&
		         (line.ptr[0] != '#' ||
		          strncmp(line.ptr, "#HttpOnly_", 10) == 0) &&
		         curl_easy_setopt(http->curl, CURLOPT_COOKIELIST,
		                          line.ptr) != CURLE_OK)
			rc = s2s_error_set(err, S2S_ERROR,
			                   "cannot load a kept cookie");
		i += n + 1;
	}
	s2s_buf_release(&line);
	return rc;
}

const struct s2s_http_opts *s2s_http_options(const struct s2s_http *http)
{
	return &http->opts;
}
