/* SPDX-License-Identifier: MIT */
/*
 * The INI config file.  It is kept as the lines it was read from, so
 * saving after a change keeps comments, blank lines and the order of
 * every untouched line; new keys go at the end of their section, new
 * sections at the end of the file.  Only the known keys of DESIGN.md
 * section 5 and adapter-namespaced keys ("okta.push_timeout") are
 * accepted; the adapter checks its own.  This is also the only file in
 * lib/ that reads the environment.  Values are not secret.
 */
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "saml2sts/config.h"
#include "common.h"
#include "saml2sts/file.h"
#include "saml2sts/suggest.h"

#define MAX_FILE     (1024u * 1024)
#define MAX_SECTIONS 4096
#define MAX_KEYS     1024

struct cfg_line {
	char *raw;         /* as read, without the line break; NULL once set */
	char *key;         /* NULL for a blank or comment line */
	char *value;       /* when key is set */
	unsigned int line; /* 0 when set programmatically */
	bool unknown;      /* a key this version does not know (kept as
	                    * read, invisible to lookups) */
};

struct lines {
	struct cfg_line *v;
	size_t n, cap;
};

struct s2s_account {
	const struct s2s_config *cfg;
	char *name;
	char *raw; /* the header as read, or NULL for a new section */
	unsigned int line;
	struct lines body; /* everything up to the next header */
	size_t nkeys;
};

struct s2s_config {
	char *name;        /* for messages */
	struct lines head; /* comments and blanks before the first section */
	struct s2s_account **accts;
	size_t n, cap;
	struct s2s_config *lower; /* the system-wide layer, or NULL */
};

static const struct s2s_account *under(const struct s2s_account *acct);
static const struct s2s_account *holder(const struct s2s_account *acct,
                                        const char *key);
static s2s_err under_foreach(const struct s2s_account *acct,
                             s2s_account_key_fn fn, void *payload);
static const struct s2s_account *lower_only(const struct s2s_config *cfg,
                                            size_t i, size_t *count);

/* clang-format off */
static const char *const core_keys[] = {
	"provider", "url", "username", "site", "region", "sts_endpoint",
	"profile", "profile_template", "role_arn", "session_duration",
	"refresh_window", "signin_endpoint", "mfa", "idp_cert",
	"idp_metadata", "clock_skew", "remember_session", "save_password",
	"timeout", "http_retries", "browser", "aliyun_config",
	"account_aliases", "idp_hosts",
	"source_profile", "role_session_name", "external_id", "policy",
	"ram_endpoint", "prompt",
};
/* clang-format on */

static size_t insert_point(const struct s2s_account *acct);

static s2s_err nomem(struct s2s_error *err)
{
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

static const char *cfg_name(const struct s2s_config *cfg)
{
	return cfg && cfg->name ? cfg->name : "config";
}

static bool ns_part_ok(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool s2s_config_key_valid(const char *key)
{
	const char *dot;

	if (!key)
		return false;
	for (size_t i = 0; i < S2S_ARRAY_SIZE(core_keys); i++)
		if (strcmp(core_keys[i], key) == 0)
			return true;
	dot = strchr(key, '.');
	return dot && ns_part_ok(key, (size_t)(dot - key)) &&
	       ns_part_ok(dot + 1, strlen(dot + 1));
}

static bool section_name_ok(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '@' || c == '-'))
			return false;
	}
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void line_release(struct cfg_line *l)
{
	free(l->raw);
	free(l->key);
	free(l->value);
}

static void lines_release(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		line_release(&ls->v[i]);
	free(ls->v);
}

/* Insert *l at position at; ls owns its strings afterwards. */
static s2s_err lines_insert(struct lines *ls, size_t at,
                            const struct cfg_line *l)
{
	struct cfg_line *v;
	size_t cap;

	if (ls->n == ls->cap) {
		cap = ls->cap ? 2 * ls->cap : 16;
		v = realloc(ls->v, cap * sizeof(*v));
		if (!v)
			return S2S_ENOMEM;
		ls->v = v;
		ls->cap = cap;
	}
	memmove(&ls->v[at + 1], &ls->v[at], (ls->n - at) * sizeof(*ls->v));
	ls->v[at] = *l;
	ls->n++;
	return S2S_OK;
}

static void account_free(struct s2s_account *acct)
{
	if (!acct)
		return;
	free(acct->name);
	free(acct->raw);
	lines_release(&acct->body);
	free(acct);
}

void s2s_config_free(struct s2s_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		account_free(cfg->accts[i]);
	free(cfg->accts);
	lines_release(&cfg->head);
	free(cfg->name);
	s2s_config_free(cfg->lower);
	free(cfg);
}

static s2s_err config_new(struct s2s_config **out, const char *name)
{
	struct s2s_config *cfg = calloc(1, sizeof(*cfg));

	*out = NULL;
	if (!cfg)
		return S2S_ENOMEM;
	cfg->name = strdup(name ? name : "config");
	if (!cfg->name) {
		free(cfg);
		return S2S_ENOMEM;
	}
	*out = cfg;
	return S2S_OK;
}

static struct s2s_account *find_account(const struct s2s_config *cfg,
                                        const char *name, size_t n)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (strlen(cfg->accts[i]->name) == n &&
		    memcmp(cfg->accts[i]->name, name, n) == 0)
			return cfg->accts[i];
	return NULL;
}

/* Append a section; raw (taken over, may be NULL) is its header line. */
static s2s_err add_account(struct s2s_account **out, struct s2s_config *cfg,
                           const char *name, size_t n, char *raw,
                           unsigned int line)
{
	struct s2s_account *acct, **v;
	size_t cap;

	*out = NULL;
	if (cfg->n == cfg->cap) {
		cap = cfg->cap ? 2 * cfg->cap : 8;
		v = realloc(cfg->accts, cap * sizeof(*v));
		if (!v)
			return S2S_ENOMEM;
		cfg->accts = v;
		cfg->cap = cap;
	}
	acct = calloc(1, sizeof(*acct));
	if (!acct)
		return S2S_ENOMEM;
	acct->name = dup_n(name, n);
	if (!acct->name) {
		free(acct);
		return S2S_ENOMEM;
	}
	acct->cfg = cfg;
	acct->raw = raw;
	acct->line = line;
	cfg->accts[cfg->n++] = acct;
	*out = acct;
	return S2S_OK;
}

static struct cfg_line *find_key(const struct s2s_account *acct,
                                 const char *key, size_t n)
{
	for (size_t i = 0; i < acct->body.n; i++) {
		struct cfg_line *l = &acct->body.v[i];

		if (l->key && !l->unknown && strlen(l->key) == n &&
		    memcmp(l->key, key, n) == 0)
			return l;
	}
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Blanks around INI keys and values (not newlines: lines are split). */
static void trim(const char **s, size_t *n)
{
	s2s__trim(s, n, " \t\r\f\v");
}

struct parser {
	struct s2s_config *cfg;
	struct s2s_account *cur;
	struct s2s_error *err;
	unsigned int line;
	unsigned int flags; /* enum s2s_config_parse_flags */
};

/* A bad-file message: "NAME:LINE: reason". */
static s2s_err perr(const struct parser *p, const char *fmt, ...)
        S2S_PRINTF(2, 3);

static s2s_err perr(const struct parser *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return s2s_error_set(p->err, S2S_ECONFIG, "%s:%u: %s", p->cfg->name,
	                     p->line, msg);
}

/* Quote at most 64 bytes of what the file says. */
#define SHOW(n) ((int)((n) < 64 ? (n) : 64))

/* "[name]": raw is the whole line, taken over on success. */
static s2s_err parse_section(struct parser *p, const char *s, size_t n,
                             char **raw)
{
	const struct s2s_account *dup;
	s2s_err rc;

	if (n < 2 || s[n - 1] != ']')
		return perr(p, "malformed section header");
	s++;
	n -= 2;
	trim(&s, &n);
	if (!section_name_ok(s, n))
		return perr(p, "bad section name '%.*s'", SHOW(n), s);
	dup = find_account(p->cfg, s, n);
	if (dup)
		return perr(p, "duplicate section [%.*s] (first on line %u)",
		            SHOW(n), s, dup->line);
	if (p->cfg->n >= MAX_SECTIONS)
		return perr(p, "too many sections (limit %d)", MAX_SECTIONS);
	rc = add_account(&p->cur, p->cfg, s, n, *raw, p->line);
	if (rc)
		return nomem(p->err);
	*raw = NULL;
	return S2S_OK;
}

/* "key = value": everything after the first '=' is the value. */
static s2s_err parse_key(struct parser *p, const char *s, size_t n, char **raw)
{
	const char *eq = memchr(s, '=', n), *k = s, *v;
	struct cfg_line l = { NULL, NULL, NULL, p->line, false };
	const struct cfg_line *dup;
	size_t kn, vn;
	s2s_err rc;

	if (!eq)
		return perr(p, "malformed line: expected [section], "
		               "key = value or a comment");
	kn = (size_t)(eq - s);
	v = eq + 1;
	vn = n - kn - 1;
	trim(&k, &kn);
	trim(&v, &vn);
	if (!kn)
		return perr(p, "malformed line: no key before '='");
	l.key = dup_n(k, kn);
	l.value = dup_n(v, vn);
	if (!l.key || !l.value) {
		rc = nomem(p->err);
		goto out;
	}
	dup = p->cur ? find_key(p->cur, k, kn) : NULL;
	l.unknown = !s2s_config_key_valid(l.key);
	if (l.unknown && (!(p->flags & S2S_CONFIG_KEEP_UNKNOWN) || !p->cur))
		rc = perr(p, "unknown key '%.*s'", SHOW(kn), k);
	else if (!p->cur)
		rc = perr(p, "key '%.*s' outside a section", SHOW(kn), k);
	else if (dup)
		rc = perr(p, "duplicate key '%.*s' (first on line %u)",
		          SHOW(kn), k, dup->line);
	else if (p->cur->nkeys >= MAX_KEYS)
		rc = perr(p, "too many keys in [%s] (limit %d)", p->cur->name,
		          MAX_KEYS);
	else if (lines_insert(&p->cur->body, p->cur->body.n, &l))
		rc = nomem(p->err);
	else
		rc = S2S_OK;
	if (rc)
		goto out;
	p->cur->body.v[p->cur->body.n - 1].raw = *raw;
	p->cur->nkeys++;
	*raw = NULL;
	l.key = l.value = NULL; /* now owned by the section */
out:
	free(l.key);
	free(l.value);
	return rc;
}

static s2s_err parse_line(struct parser *p, const char *text, size_t n)
{
	struct cfg_line l = { NULL, NULL, NULL, p->line, false };
	struct lines *ls;
	const char *s;
	char *raw;
	s2s_err rc;

	if (n && text[n - 1] == '\r')
		n--;
	raw = dup_n(text, n);
	if (!raw)
		return nomem(p->err);
	s = raw;
	if (p->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3; /* a UTF-8 BOM: kept in raw, ignored here */
		n -= 3;
	}
	trim(&s, &n);
	if (n && s[0] == '[') {
		rc = parse_section(p, s, n, &raw);
	} else if (n && s[0] != '#' && s[0] != ';') {
		rc = parse_key(p, s, n, &raw);
	} else {
		ls = p->cur ? &p->cur->body : &p->cfg->head;
		l.raw = raw;
		rc = lines_insert(ls, ls->n, &l) ? nomem(p->err) : S2S_OK;
		if (!rc)
			raw = NULL;
	}
	free(raw);
	return rc;
}

static s2s_err parse_text(struct parser *p, const char *text, size_t len)
{
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	size_t off = 0, n;
	const char *nl;
	s2s_err rc = S2S_OK;

	if (len > MAX_FILE)
		return s2s_error_set(p->err, S2S_ECONFIG,
		                     "%s: file is larger than 1 MiB",
		                     p->cfg->name);
	while (off < len && !rc) {
		nl = memchr(text + off, '\n', len - off);
		n = nl ? (size_t)(nl - text) - off : len - off;
		p->line++;
		if (nul && nul < text + off + n)
			return perr(p, "NUL byte in the file");
		rc = parse_line(p, text + off, n);
		off += n + 1;
	}
	return rc;
}

s2s_err s2s_config_parse(struct s2s_config **out, const char *name,
                         const char *text, size_t len, struct s2s_error *err)
{
	return s2s_config_parse_flags(out, name, text, len, 0, err);
}

s2s_err s2s_config_parse_flags(struct s2s_config **out, const char *name,
                               const char *text, size_t len, unsigned int flags,
                               struct s2s_error *err)
{
	struct parser p = { NULL, NULL, err, 0, flags };
	s2s_err rc;

	S2S_ASSERT_ARG(out && (text || !len));
	*out = NULL;
	if (config_new(&p.cfg, name))
		return nomem(err);
	rc = parse_text(&p, text, len);
	if (rc) {
		s2s_config_free(p.cfg);
		return rc;
	}
	*out = p.cfg;
	return S2S_OK;
}

s2s_err s2s_config_load(struct s2s_config **out, const char *path,
                        struct s2s_error *err)
{
	return s2s_config_load_flags(out, path, 0, err);
}

s2s_err s2s_config_load_flags(struct s2s_config **out, const char *path,
                              unsigned int flags, struct s2s_error *err)
{
	struct s2s_buf text = S2S_BUF_INIT;
	s2s_err rc;

	S2S_ASSERT_ARG(out && path);
	*out = NULL;
	rc = s2s_file_read(&text, path, MAX_FILE, S2S_ECONFIG, err);
	if (rc == S2S_ENOTFOUND) {
		s2s_error_clear(err);
		rc = config_new(out, path) ? nomem(err) : S2S_OK;
	} else if (!rc) {
		rc = s2s_config_parse_flags(out, path, text.ptr, text.len,
		                            flags, err);
	}
	s2s_buf_release(&text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Unknown keys (lenient loading), suggestions, removing a section */

bool s2s_config_key_suggest(char *buf, size_t size, const char *key)
{
	const char *near =
	        s2s_suggest(key, core_keys, S2S_ARRAY_SIZE(core_keys));
	size_t n = key ? strlen(key) : 0;

	if (!size)
		return false;
	buf[0] = '\0';
	if (near)
		return (size_t)snprintf(buf, size, "%s", near) < size;
	if (!key || n >= size)
		return false;
	/* "Okta.push_timeout": an adapter key in the wrong case */
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)key[i]);
	if (strcmp(buf, key) != 0 && s2s_config_key_valid(buf))
		return true;
	buf[0] = '\0';
	return false;
}

/* "NAME:LINE: unknown key 'k' (did you mean 'key'?)" for line l. */
static s2s_err unknown_key(const struct s2s_account *acct,
                           const struct cfg_line *l, struct s2s_error *err)
{
	char near[64];
	bool some = s2s_config_key_suggest(near, sizeof(near), l->key);

	return s2s_error_set(
	        err, S2S_ECONFIG, "%s:%u: unknown key '%.64s'%s%s%s",
	        cfg_name(acct->cfg), l->line, l->key,
	        some ? " (did you mean '" : "", near, some ? "'?)" : "");
}

s2s_err s2s_account_check_keys(const struct s2s_account *acct, size_t *n_out,
                               struct s2s_error *err)
{
	s2s_err rc = S2S_OK;
	size_t n = 0;

	for (size_t i = 0; acct && i < acct->body.n; i++) {
		const struct cfg_line *l = &acct->body.v[i];

		if (!l->unknown)
			continue;
		if (n++ == 0)
			rc = unknown_key(acct, l, err);
	}
	if (n_out)
		*n_out = n;
	return rc;
}

s2s_err s2s_config_remove_account(struct s2s_config *cfg, const char *name,
                                  struct s2s_error *err)
{
	struct s2s_account *acct;
	struct cfg_line *v;
	struct lines *before;
	size_t i, keep, extra;

	S2S_ASSERT_ARG(cfg && name);
	acct = find_account(cfg, name, strlen(name));
	if (!acct)
		return s2s_error_set(err, S2S_ENOTFOUND,
		                     "no account '%.64s' in %s", name,
		                     cfg_name(cfg));
	for (i = 0; cfg->accts[i] != acct; i++)
		;
	/* The comments and blank lines after the section's last key
	 * usually introduce the next section: they stay, at the end of what
	 * comes before. */
	before = i ? &cfg->accts[i - 1]->body : &cfg->head;
	extra = acct->body.n - insert_point(acct);
	if (before->n + extra > before->cap) {
		v = realloc(before->v, (before->n + extra) * sizeof(*v));
		if (!v)
			return nomem(err);
		before->v = v;
		before->cap = before->n + extra;
	}
	for (keep = insert_point(acct); keep < acct->body.n; keep++) {
		before->v[before->n++] = acct->body.v[keep];
		memset(&acct->body.v[keep], 0, sizeof(acct->body.v[keep]));
	}
	account_free(acct);
	memmove(&cfg->accts[i], &cfg->accts[i + 1],
	        (cfg->n - i - 1) * sizeof(*cfg->accts));
	cfg->n--;
	return S2S_OK;
}

const struct s2s_account *s2s_config_account(const struct s2s_config *cfg,
                                             const char *name)
{
	const struct s2s_account *acct;

	if (!cfg || !name)
		return NULL;
	acct = find_account(cfg, name, strlen(name));
	return acct ? acct : s2s_config_account(cfg->lower, name);
}

size_t s2s_config_count(const struct s2s_config *cfg)
{
	size_t extra = 0;

	if (!cfg)
		return 0;
	lower_only(cfg, SIZE_MAX, &extra);
	return cfg->n + extra;
}

const struct s2s_account *s2s_config_at(const struct s2s_config *cfg, size_t i)
{
	if (!cfg)
		return NULL;
	return i < cfg->n ? cfg->accts[i] : lower_only(cfg, i - cfg->n, NULL);
}

const char *s2s_account_name(const struct s2s_account *acct)
{
	return acct ? acct->name : NULL;
}

const char *s2s_config_name(const struct s2s_config *cfg)
{
	return cfg_name(cfg);
}

char *s2s_account_alias(const struct s2s_account *acct, const char *uid)
{
	const char *list = s2s_account_get(acct, "account_aliases");
	size_t ulen = uid ? strlen(uid) : 0;

	/* "uid=alias, uid=alias" */
	while (uid && list && *list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		const char *eq;

		s2s__trim(&list, &n, " \t");
		eq = memchr(list, '=', n);
		if (eq && (size_t)(eq - list) == ulen &&
		    strncmp(list, uid, ulen) == 0) {
			const char *a = eq + 1;
			size_t alen = n - ulen - 1;

			s2s__trim(&a, &alen, " \t");
			return strndup(a, alen);
		}
		list = end ? end + 1 : NULL;
	}
	return NULL;
}

const char *s2s_account_get(const struct s2s_account *acct, const char *key)
{
	const struct cfg_line *l;

	if (!acct || !key)
		return NULL;
	acct = holder(acct, key);
	l = find_key(acct, key, strlen(key));
	return l ? l->value : NULL;
}

const char *s2s_account_get_str(const struct s2s_account *acct, const char *key,
                                const char *def)
{
	const char *v = s2s_account_get(acct, key);

	return v ? v : def;
}

s2s_err s2s_account_foreach(const struct s2s_account *acct,
                            s2s_account_key_fn fn, void *payload)
{
	s2s_err rc;

	S2S_ASSERT_ARG(fn);
	for (size_t i = 0; acct && i < acct->body.n; i++) {
		const struct cfg_line *l = &acct->body.v[i];

		if (!l->key || l->unknown)
			continue;
		rc = fn(l->key, l->line, payload);
		if (rc)
			return rc;
	}
	return under_foreach(acct, fn, payload);
}

const char *s2s_account_file(const struct s2s_account *acct)
{
	return cfg_name(acct ? acct->cfg : NULL);
}

unsigned int s2s_account_line(const struct s2s_account *acct, const char *key)
{
	const struct cfg_line *l;

	if (!acct || !key)
		return 0;
	acct = holder(acct, key);
	l = find_key(acct, key, strlen(key));
	return l ? l->line : 0;
}

/* "NAME:LINE: key must be ...", or "NAME: [account] key must be ..."
 * for a value that was set, not read.  NAME is the file that sets it. */
static s2s_err bad_value(const struct s2s_account *acct, const char *key,
                         const char *what, struct s2s_error *err)
{
	unsigned int line;

	acct = holder(acct, key);
	line = s2s_account_line(acct, key);

	if (line)
		return s2s_error_set(err, S2S_ECONFIG, "%s:%u: %s must be %s",
		                     cfg_name(acct->cfg), line, key, what);
	return s2s_error_set(err, S2S_ECONFIG, "%s: [%s] %s must be %s",
	                     cfg_name(acct->cfg), acct->name, key, what);
}

s2s_err s2s_account_get_long(long *out, const struct s2s_account *acct,
                             const char *key, long min, long max, long def,
                             struct s2s_error *err)
{
	const char *v = s2s_account_get(acct, key);
	char what[96];
	char *end = NULL;
	long n;

	S2S_ASSERT_ARG(out && key && min <= max);
	*out = def;
	if (!v)
		return S2S_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v && !is_blank(*v) && end && !*end && errno == 0 && n >= min &&
	    n <= max) {
		*out = n;
		return S2S_OK;
	}
	snprintf(what, sizeof(what), "a number between %ld and %ld", min, max);
	return bad_value(acct, key, what, err);
}

s2s_err s2s_account_get_bool(bool *out, const struct s2s_account *acct,
                             const char *key, bool def, struct s2s_error *err)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const char *v = s2s_account_get(acct, key);

	S2S_ASSERT_ARG(out && key);
	*out = def;
	if (!v)
		return S2S_OK;
	for (size_t i = 0; i < S2S_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return S2S_OK;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return S2S_OK;
		}
	}
	return bad_value(acct, key, "true or false", err);
}

/* Where a new key goes: after the last key of the section (trailing
 * comments and blank lines usually introduce the next section). */
static size_t insert_point(const struct s2s_account *acct)
{
	size_t at = 0;

	for (size_t i = 0; i < acct->body.n; i++)
		if (acct->body.v[i].key)
			at = i + 1;
	return at;
}

static void remove_key(struct s2s_account *acct, const char *key)
{
	struct cfg_line *l = find_key(acct, key, strlen(key));
	size_t i;

	if (!l)
		return;
	i = (size_t)(l - acct->body.v);
	line_release(l);
	memmove(l, l + 1, (acct->body.n - i - 1) * sizeof(*l));
	acct->body.n--;
	acct->nkeys--;
}

static s2s_err set_key(struct s2s_account *acct, const char *key,
                       const char *value)
{
	struct cfg_line l = { NULL, NULL, NULL, 0, false };
	struct cfg_line *old = find_key(acct, key, strlen(key));
	size_t vn = strlen(value);
	const char *v = value;

	trim(&v, &vn);
	l.value = dup_n(v, vn);
	if (!l.value)
		return S2S_ENOMEM;
	if (old) {
		free(old->value);
		old->value = l.value;
		s2s_safefree(old->raw);
		old->line = 0;
		return S2S_OK;
	}
	l.key = strdup(key);
	if (!l.key || lines_insert(&acct->body, insert_point(acct), &l)) {
		free(l.key);
		free(l.value);
		return S2S_ENOMEM;
	}
	acct->nkeys++;
	return S2S_OK;
}

/* Remove the lines of an unknown key (kept by S2S_CONFIG_KEEP_UNKNOWN)
 * from a section; false when it has none. */
static bool remove_unknown(struct s2s_config *cfg, const char *account,
                           const char *key)
{
	struct s2s_account *acct = find_account(cfg, account, strlen(account));
	bool gone = false;

	for (size_t i = 0; acct && i < acct->body.n;) {
		struct cfg_line *l = &acct->body.v[i];

		if (!l->unknown || strcmp(l->key, key) != 0) {
			i++;
			continue;
		}
		line_release(l);
		memmove(l, l + 1, (acct->body.n - i - 1) * sizeof(*l));
		acct->body.n--;
		acct->nkeys--;
		gone = true;
	}
	return gone;
}

s2s_err s2s_config_set(struct s2s_config *cfg, const char *account,
                       const char *key, const char *value,
                       struct s2s_error *err)
{
	struct s2s_account *acct;

	S2S_ASSERT_ARG(cfg && account && key);
	if (!s2s_config_key_valid(key) &&
	    (value || !remove_unknown(cfg, account, key)))
		return s2s_error_set(err, S2S_ECONFIG, "unknown key '%.64s'",
		                     key);
	if (!section_name_ok(account, strlen(account)))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "bad account name '%.64s'", account);
	if (value && strpbrk(value, "\r\n"))
		return s2s_error_set(err, S2S_ECONFIG,
		                     "%s: the value must be one line", key);
	acct = find_account(cfg, account, strlen(account));
	if (!value) {
		if (acct)
			remove_key(acct, key);
		return S2S_OK;
	}
	if (!acct && add_account(&acct, cfg, account, strlen(account), NULL, 0))
		return nomem(err);
	if (set_key(acct, key, value))
		return nomem(err);
	return S2S_OK;
}

static s2s_err put_lines(struct s2s_buf *out, const struct lines *ls)
{
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < ls->n && !rc; i++) {
		const struct cfg_line *l = &ls->v[i];

		if (l->raw)
			rc = s2s_buf_puts(out, l->raw);
		else
			rc = s2s_buf_printf(out, "%s = %s", l->key, l->value);
		if (!rc)
			rc = s2s_buf_add(out, "\n", 1);
	}
	return rc;
}

/* The file text: untouched lines as read, changed ones rewritten. */
static s2s_err serialize(const struct s2s_config *cfg, struct s2s_buf *out)
{
	s2s_err rc = put_lines(out, &cfg->head);

	for (size_t i = 0; i < cfg->n && !rc; i++) {
		const struct s2s_account *acct = cfg->accts[i];

		/* A new section gets a blank line before it. */
		if (!acct->raw && out->len &&
		    !(out->len >= 2 && out->ptr[out->len - 2] == '\n'))
			rc = s2s_buf_add(out, "\n", 1);
		if (!rc && acct->raw)
			rc = s2s_buf_puts(out, acct->raw);
		else if (!rc)
			rc = s2s_buf_printf(out, "[%s]", acct->name);
		if (!rc)
			rc = s2s_buf_add(out, "\n", 1);
		if (!rc)
			rc = put_lines(out, &acct->body);
	}
	return rc;
}

static s2s_err parent_dir(char **out, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		*out = strdup(".");
	else if (slash == path)
		*out = strdup("/");
	else
		*out = dup_n(path, (size_t)(slash - path));
	return *out ? S2S_OK : S2S_ENOMEM;
}

s2s_err s2s_config_save(const struct s2s_config *cfg, const char *path,
                        struct s2s_error *err)
{
	struct s2s_buf text = S2S_BUF_INIT;
	char *dir = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(cfg && path && *path);
	if (serialize(cfg, &text) || parent_dir(&dir, path)) {
		rc = nomem(err);
		goto out;
	}
	rc = s2s_file_mkdirs(dir, S2S_ECONFIG, err);
	if (!rc)
		rc = s2s_file_write_private(path, text.ptr ? text.ptr : "",
		                            text.len, S2S_ECONFIG, err);
out:
	free(dir);
	s2s_buf_release(&text);
	return rc;
}

const char *s2s_config_env(const char *name)
{
	const char *v = name ? getenv(name) : NULL;

	return v && *v ? v : NULL;
}

/* base + "/" + rest, without doubling a trailing slash of base. */
static s2s_err join(char **out, const char *base, const char *rest,
                    struct s2s_error *err)
{
	struct s2s_buf b = S2S_BUF_INIT;
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		n--;
	if (s2s_buf_add(&b, base, n) || s2s_buf_puts(&b, rest)) {
		s2s_buf_release(&b);
		return nomem(err);
	}
	*out = s2s_buf_detach(&b, NULL);
	s2s_buf_release(&b);
	return *out ? S2S_OK : nomem(err);
}

/* $<xdg>/<rest>, else $HOME/<home_rest>.  XDG paths must be absolute
 * (the XDG base directory spec says to ignore relative ones). */
static s2s_err xdg_path(char **out, const char *xdg, const char *rest,
                        const char *home_rest, struct s2s_error *err)
{
	const char *v = s2s_config_env(xdg);

	*out = NULL;
	if (v && v[0] == '/')
		return join(out, v, rest, err);
	v = s2s_config_env("HOME");
	if (!v)
		return s2s_error_set(err, S2S_ECONFIG,
		                     "HOME is not set and neither is %s", xdg);
	return join(out, v, home_rest, err);
}

s2s_err s2s_config_default_path(char **out, struct s2s_error *err)
{
	const char *v = s2s_config_env("SAML2STS_CONFIG");

	S2S_ASSERT_ARG(out);
	*out = NULL;
	if (v) {
		*out = strdup(v);
		return *out ? S2S_OK : nomem(err);
	}
	return xdg_path(out, "XDG_CONFIG_HOME", "/saml2sts/config",
	                "/.config/saml2sts/config", err);
}

s2s_err s2s_config_data_dir(char **out, struct s2s_error *err)
{
	S2S_ASSERT_ARG(out);
	return xdg_path(out, "XDG_DATA_HOME", "/saml2sts",
	                "/.local/share/saml2sts", err);
}

s2s_err s2s_config_lock_dir(char **out, struct s2s_error *err)
{
	const char *v = s2s_config_env("XDG_RUNTIME_DIR");

	S2S_ASSERT_ARG(out);
	*out = NULL;
	if (v && v[0] == '/')
		return join(out, v, "/saml2sts", err);
	return xdg_path(out, "XDG_CACHE_HOME", "/saml2sts/lock",
	                "/.cache/saml2sts/lock", err);
}

/* check_ns for the keys of one section; skip: a section whose keys
 * hide these (the user's over the system-wide one), or NULL. */
static s2s_err check_ns_in(const struct s2s_account *acct,
                           const struct s2s_account *skip, const char *ns,
                           const char *const *known, struct s2s_error *err)
{
	size_t nlen = strlen(ns);

	for (size_t i = 0; i < acct->body.n; i++) {
		const struct cfg_line *l = &acct->body.v[i];
		bool ok = false;

		if (!l->key || l->unknown || strncmp(l->key, ns, nlen) != 0 ||
		    l->key[nlen] != '.' ||
		    (skip && find_key(skip, l->key, strlen(l->key))))
			continue;
		for (size_t k = 0; known && known[k] && !ok; k++)
			ok = strcmp(l->key + nlen + 1, known[k]) == 0;
		if (ok)
			continue;
		if (l->line)
			return s2s_error_set(
			        err, S2S_ECONFIG, "%s:%u: unknown key %s",
			        cfg_name(acct->cfg), l->line, l->key);
		return s2s_error_set(err, S2S_ECONFIG,
		                     "%s: [%s] unknown key %s",
		                     cfg_name(acct->cfg), acct->name, l->key);
	}
	return S2S_OK;
}

s2s_err s2s_account_check_ns(const struct s2s_account *acct, const char *ns,
                             const char *const *known, struct s2s_error *err)
{
	const struct s2s_account *lo = under(acct);
	s2s_err rc;

	if (!acct)
		return S2S_OK;
	rc = check_ns_in(acct, NULL, ns, known, err);
	if (!rc && lo)
		rc = check_ns_in(lo, acct, ns, known, err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The system-wide layer (organisation defaults): a file of the same
 * format under the user's.  A key of the user's section hides the same
 * key of the system section of that name; a section only the system
 * file has is an account as it stands.  Saving writes the user's file
 * only. */

#ifndef S2S_SYSTEM_CONFIG
#define S2S_SYSTEM_CONFIG "/etc/saml2sts/config"
#endif

/* The section of acct's name in the layer under acct's file, or NULL. */
static const struct s2s_account *under(const struct s2s_account *acct)
{
	const struct s2s_config *lo =
	        acct && acct->cfg ? acct->cfg->lower : NULL;

	return lo ? find_account(lo, acct->name, strlen(acct->name)) : NULL;
}

/* The section that sets key: acct when it does, else the one under it
 * when that does, else acct. */
static const struct s2s_account *holder(const struct s2s_account *acct,
                                        const char *key)
{
	const struct s2s_account *lo;

	if (!acct || find_key(acct, key, strlen(key)))
		return acct;
	lo = under(acct);
	return lo && find_key(lo, key, strlen(key)) ? lo : acct;
}

/* s2s_account_foreach's second half: the keys inherited from the layer
 * under acct, with line 0 (they are not in acct's file). */
static s2s_err under_foreach(const struct s2s_account *acct,
                             s2s_account_key_fn fn, void *payload)
{
	const struct s2s_account *lo = under(acct);
	s2s_err rc;

	for (size_t i = 0; lo && i < lo->body.n; i++) {
		const struct cfg_line *l = &lo->body.v[i];

		if (!l->key || l->unknown ||
		    find_key(acct, l->key, strlen(l->key)))
			continue;
		rc = fn(l->key, 0, payload);
		if (rc)
			return rc;
	}
	return S2S_OK;
}

/* The i-th section of the layer under cfg that cfg lacks, or NULL; the
 * number of such sections in *count (when not NULL). */
static const struct s2s_account *lower_only(const struct s2s_config *cfg,
                                            size_t i, size_t *count)
{
	const struct s2s_config *lo = cfg->lower;
	size_t k = 0;

	for (size_t j = 0; lo && j < lo->n; j++) {
		const struct s2s_account *a = lo->accts[j];

		if (find_account(cfg, a->name, strlen(a->name)))
			continue;
		if (k++ == i)
			return a;
	}
	if (count)
		*count = k;
	return NULL;
}

s2s_err s2s_config_system_path(char **out, struct s2s_error *err)
{
	const char *v = s2s_config_env("SAML2STS_SYSTEM_CONFIG");

	S2S_ASSERT_ARG(out);
	*out = strdup(v ? v : S2S_SYSTEM_CONFIG);
	return *out ? S2S_OK : nomem(err);
}

s2s_err s2s_config_load_system(struct s2s_config *cfg, const char *path,
                               struct s2s_error *err)
{
	struct s2s_config *lo = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(cfg && path);
	/* a key of a newer version there must not break this one */
	rc = s2s_config_load_flags(&lo, path, S2S_CONFIG_KEEP_UNKNOWN, err);
	if (rc)
		return rc;
	s2s_config_free(cfg->lower);
	cfg->lower = lo;
	return S2S_OK;
}
