/* SPDX-License-Identifier: MIT */
/*
 * SAMLResponse decoding and parsing.  Strict base64 first, then the XML is
 * parsed by libxml2 with no DTD (a DOCTYPE is rejected three times over),
 * no entity substitution and no network.  Only the one Assertion that is a
 * direct child of the Response root is read, by direct children with
 * namespace checks; duplicate IDs and stray assertions are rejected, which
 * closes the usual signature-wrapping tricks.  Signatures are not verified
 * here, nothing is decrypted and nothing is printed.
 */
#include <limits.h>
#include <pthread.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/dict.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "saml2sts/saml.h"
#include "common.h"
#include "saml_int.h"

#define NS_SAMLP       "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML        "urn:oasis:names:tc:SAML:2.0:assertion"
#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"

/* Far above any real Response; STS takes at most 100000 base64 chars. */
#define MAX_XML ((size_t)256 * 1024)

#define BAD_B64 "SAMLResponse is not valid base64"

/* ------------------------------------------------------------------ */
/* base64                                                             */
/* ------------------------------------------------------------------ */

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Count the significant characters and the padding; false when a
 * character is outside the alphabet or data follows an '='. */
static bool b64_scan(const char *b64, size_t len, size_t *n_out,
                     size_t *pad_out)
{
	size_t n = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		char c = b64[i];

		if (is_space(c))
			continue;
		if (c == '=') {
			if (++pad > 2)
				return false;
		} else if (pad || b64_value(c) < 0) {
			return false;
		}
		n++;
	}
	if (n % 4)
		return false;
	*n_out = n;
	*pad_out = pad;
	return true;
}

/* Decode one validated quad; false when the bits under the padding are
 * not zero (a non-canonical encoding). */
static bool b64_quad(unsigned char *dst, const char q[4], size_t *nout)
{
	uint32_t v = 0;
	size_t pad = 0;

	for (int i = 0; i < 4; i++) {
		v <<= 6;
		if (q[i] == '=')
			pad++;
		else
			v |= (uint32_t)b64_value(q[i]);
	}
	if ((pad == 1 && (v & 0xffu)) || (pad == 2 && (v & 0xffffu)))
		return false;
	dst[0] = (unsigned char)(v >> 16);
	dst[1] = (unsigned char)(v >> 8);
	dst[2] = (unsigned char)v;
	*nout = 3 - pad;
	return true;
}

/* Decode validated input, appending to out through a wiped stack chunk.
 * S2S_ESAML for non-canonical padding bits, else a buf error; no message. */
static s2s_err b64_decode_into(struct s2s_buf *out, const char *b64, size_t len)
{
	unsigned char chunk[768];
	size_t used = 0, q = 0;
	char quad[4];
	s2s_err rc = S2S_OK;

	for (size_t i = 0; i < len && !rc; i++) {
		size_t got;

		if (is_space(b64[i]))
			continue;
		quad[q++] = b64[i];
		if (q < 4)
			continue;
		q = 0;
		if (!b64_quad(chunk + used, quad, &got)) {
			rc = S2S_ESAML;
			break;
		}
		used += got;
		if (used + 3 > sizeof(chunk)) {
			rc = s2s_buf_add(out, chunk, used);
			used = 0;
		}
	}
	if (!rc)
		rc = s2s_buf_add(out, chunk, used);
	if (!rc)
		rc = s2s_buf_terminate(out);
	s2s_memzero(chunk, sizeof(chunk));
	s2s_memzero(quad, sizeof(quad));
	return rc;
}

s2s_err s2s_base64_decode(struct s2s_buf *out, const char *b64, size_t len,
                          struct s2s_error *err)
{
	size_t n, pad, start;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(b64 || !len);
	if (!b64_scan(b64, len, &n, &pad))
		return s2s_error_set(err, S2S_ESAML, BAD_B64);
	if (out->max && n / 4 * 3 - pad > out->max - out->len)
		return s2s_error_set(err, S2S_ESAML,
		                     "decoded SAMLResponse is too large");
	start = out->len;
	rc = b64_decode_into(out, b64, len);
	if (!rc)
		return S2S_OK;
	if (out->ptr && out->len > start) { /* leave out as it was */
		s2s_memzero(out->ptr + start, out->len - start);
		out->len = start;
		out->ptr[start] = '\0';
	}
	if (rc == S2S_ENOMEM)
		return s2s_error_set(err, rc, "out of memory");
	if (rc == S2S_ESAML)
		return s2s_error_set(err, rc, BAD_B64);
	return s2s_error_set(err, S2S_ESAML,
	                     "decoded SAMLResponse is too large");
}

s2s_err s2s_base64_encode(struct s2s_buf *out, const void *data, size_t len,
                          struct s2s_error *err)
{
	const unsigned char *p = data;
	char chunk[1024];
	size_t used = 0;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(data || !len);
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)p[i] << 16;

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		chunk[used++] = b64_alphabet[(v >> 18) & 63];
		chunk[used++] = b64_alphabet[(v >> 12) & 63];
		chunk[used++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		chunk[used++] = left > 2 ? b64_alphabet[v & 63] : '=';
		if (used == sizeof(chunk)) {
			rc = s2s_buf_add(out, chunk, used);
			used = 0;
			if (rc)
				goto out;
		}
	}
	rc = s2s_buf_add(out, chunk, used);
	if (!rc)
		rc = s2s_buf_terminate(out);
out:
	s2s_memzero(chunk, sizeof(chunk));
	if (rc)
		return s2s_error_set(err, rc, "out of memory");
	return S2S_OK;
}

/* ------------------------------------------------------------------ */
/* Role attribute values                                              */
/* ------------------------------------------------------------------ */

enum arn_kind { ARN_ROLE = 1, ARN_PROVIDER };

struct arn {
	enum arn_kind kind;
	const char *s; /* the whole ARN, trimmed */
	size_t len;
	const char *uid;
	size_t uid_len;
	const char *name;
	size_t name_len;
};

static void trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* acs:ram::<digits>:role/<name> or acs:ram::<digits>:saml-provider/<name> */
static bool arn_parse(struct arn *a, const char *s, size_t len)
{
	static const char pfx[] = "acs:ram::";
	size_t i = sizeof(pfx) - 1;

	a->s = s;
	a->len = len;
	if (!has_prefix(s, len, pfx))
		return false;
	a->uid = s + i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	a->uid_len = (size_t)(s + i - a->uid);
	if (!a->uid_len || i >= len || s[i] != ':')
		return false;
	i++;
	if (has_prefix(s + i, len - i, "role/")) {
		a->kind = ARN_ROLE;
		i += strlen("role/");
	} else if (has_prefix(s + i, len - i, "saml-provider/")) {
		a->kind = ARN_PROVIDER;
		i += strlen("saml-provider/");
	} else {
		return false;
	}
	a->name = s + i;
	a->name_len = len - i;
	for (size_t j = i; j < len; j++) {
		if ((unsigned char)s[j] <= ' ' || s[j] == 0x7f)
			return false;
	}
	return a->name_len > 0;
}

/* Split "a,b" into two trimmed ARNs, in whatever order they come. */
static s2s_err role_split(struct arn *role, struct arn *prov, const char *value,
                          struct s2s_error *err)
{
	const char *comma = strchr(value, ',');
	struct arn a, b;
	size_t alen, blen;
	const char *as = value, *bs;

	if (!comma || strchr(comma + 1, ','))
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s' is not "
		                     "'role-arn,provider-arn'",
		                     value);
	alen = (size_t)(comma - value);
	bs = comma + 1;
	blen = strlen(bs);
	trim(&as, &alen);
	trim(&bs, &blen);
	if (!arn_parse(&a, as, alen) || !arn_parse(&b, bs, blen))
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s' is not a RAM role "
		                     "ARN and a SAML provider ARN",
		                     value);
	if (a.kind == b.kind)
		return s2s_error_set(
		        err, S2S_ESAML, "role value '%.100s' has two %s ARNs",
		        value, a.kind == ARN_ROLE ? "role" : "provider");
	*role = a.kind == ARN_ROLE ? a : b;
	*prov = a.kind == ARN_ROLE ? b : a;
	if (role->uid_len != prov->uid_len ||
	    memcmp(role->uid, prov->uid, role->uid_len) != 0)
		return s2s_error_set(err, S2S_ESAML,
		                     "role value '%.100s': role and provider "
		                     "are in different accounts",
		                     value);
	return S2S_OK;
}

s2s_err s2s_role_parse(struct s2s_role *role, const char *value,
                       struct s2s_error *err)
{
	struct arn r = { 0 }, p = { 0 };
	s2s_err rc;

	S2S_ASSERT_ARG(role);
	S2S_ASSERT_ARG(value);
	memset(role, 0, sizeof(*role));
	rc = role_split(&r, &p, value, err);
	if (rc)
		return rc;
	role->role_arn = strndup(r.s, r.len);
	role->provider_arn = strndup(p.s, p.len);
	role->account_id = strndup(r.uid, r.uid_len);
	role->role_name = strndup(r.name, r.name_len);
	if (!role->role_arn || !role->provider_arn || !role->account_id ||
	    !role->role_name) {
		s2s_role_release(role);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	return S2S_OK;
}

void s2s_role_release(struct s2s_role *role)
{
	if (!role)
		return;
	s2s_safefree(role->role_arn);
	s2s_safefree(role->provider_arn);
	s2s_safefree(role->account_id);
	s2s_safefree(role->role_name);
	s2s_safefree(role->account_name);
}

/* ------------------------------------------------------------------ */
/* xs:dateTime                                                        */
/* ------------------------------------------------------------------ */

static bool take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
		                    31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date: count in 400-year
 * eras of 146097 days, with years starting on March 1st so that the leap
 * day is the last day of a year. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS" into f[0..5]. */
static bool take_fields(const char **p, int f[6])
{
	static const char seps[] = "--T::";

	for (int i = 0; i < 6; i++) {
		if (!take_digits(p, i ? 2 : 4, &f[i]))
			return false;
		if (i < 5 && !take_char(p, seps[i]))
			return false;
	}
	return true;
}

/* Optional fractional seconds (dropped), then "Z" or "+00:00". */
static bool take_utc_suffix(const char *p)
{
	if (take_char(&p, '.')) {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0;
}

static bool fields_valid(const int f[6])
{
	if (f[0] < 1 || f[1] < 1 || f[1] > 12)
		return false;
	return f[2] >= 1 && f[2] <= days_in_month(f[0], f[1]) && f[3] <= 23 &&
	       f[4] <= 59 && f[5] <= 59;
}

bool s2s_time_parse(time_t *out, const char *s)
{
	int f[6];
	int64_t t;
	const char *p = s;

	if (!out || !s)
		return false;
	if (!take_fields(&p, f) || !take_utc_suffix(p) || !fields_valid(f))
		return false;
	t = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
	    f[4] * 60 + f[5];
	if ((int64_t)(time_t)t != t)
		return false;
	*out = (time_t)t;
	return true;
}

/* ------------------------------------------------------------------ */
/* libxml2 set-up                                                     */
/* ------------------------------------------------------------------ */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* Process-wide: nothing in saml2sts loads XML from a file or URL, so
 * every external entity, DTD or XInclude load is refused. */
static xmlParserInputPtr deny_entity_loader(const char *url, const char *id,
                                            xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void xml_global_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_entity_loader);
}

#if LIBXML_VERSION >= 21200
static void silent_error(void *ctx, const xmlError *e)
#else
static void silent_error(void *ctx, xmlErrorPtr e)
#endif
{
	(void)ctx;
	(void)e;
}

#if LIBXML_VERSION < 21300
static void silent_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}
#endif

/* The SAX hook runs when "<!DOCTYPE name ..." has been read and before
 * any declaration in it: stop there, whatever the encoding. */
static void refuse_doctype(void *ctx, const xmlChar *name,
                           const xmlChar *public_id, const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	xmlStopParser(ctx);
}

static bool has_doctype(const char *xml, size_t len)
{
	static const char tag[] = "<!DOCTYPE";
	size_t n = sizeof(tag) - 1;

	for (size_t i = 0; len >= n && i <= len - n; i++) {
		if (xml[i] == '<' && strncasecmp(xml + i, tag, n) == 0)
			return true;
	}
	return false;
}

static int parse_options(void)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

	/* Enum values, not macros: test the version. */
#if LIBXML_VERSION >= 21300
	opts |= XML_PARSE_NO_XXE;
#endif
#if LIBXML_VERSION >= 21400
	opts |= XML_PARSE_NO_SYS_CATALOG;
#endif
	return opts;
}

/* Parse without DTD, entities, network or diagnostics on stderr. */
static s2s_err parse_doc(xmlDocPtr *out, const char *xml, size_t len,
                         struct s2s_error *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	const xmlError *e;
	s2s_err rc = S2S_OK;
#if LIBXML_VERSION < 21300
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_ctx = xmlGenericErrorContext;

	/* Encoding errors bypass the context; this handler is per thread. */
	xmlSetGenericErrorFunc(NULL, silent_generic);
#endif
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
#if LIBXML_VERSION >= 21300
	xmlCtxtSetErrorHandler(ctxt, silent_error, NULL);
#else
	ctxt->sax->serror = silent_error;
#endif
	ctxt->sax->internalSubset = refuse_doctype;
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL,
	                        parse_options());
	if (ctxt->errNo == XML_ERR_USER_STOP ||
	    (doc && (doc->intSubset || doc->extSubset))) {
		rc = s2s_error_set(err, S2S_ESAML,
		                   "SAMLResponse has a DOCTYPE");
		goto out;
	}
	e = xmlCtxtGetLastError(ctxt);
	if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		rc = s2s_error_set(err, S2S_ESAML,
		                   "SAMLResponse is not well-formed XML "
		                   "(line %d)",
		                   e ? e->line : 0);
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
#if LIBXML_VERSION < 21300
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
#endif
	return rc;
}

/* Pre-order successor of n inside top (top itself excluded). */
static xmlNodePtr next_node(xmlNodePtr n, const xmlNode *top)
{
	if (n->children && n->type != XML_ENTITY_REF_NODE &&
	    n->type != XML_DTD_NODE)
		return n->children;
	while (n && n != top) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static void wipe_text(const xmlDoc *doc, xmlNodePtr n)
{
	if (!n->content)
		return;
	if (doc->dict && xmlDictOwns(doc->dict, n->content) == 1)
		return; /* shared, short strings */
	s2s_memzero(n->content, strlen((const char *)n->content));
}

/* The tree holds the assertion, a bearer token: wipe the text libxml2
 * allocated for it.  (Copies inside the parser's input buffer remain.) */
static void free_doc(xmlDocPtr doc)
{
	xmlNodePtr top = (xmlNodePtr)doc;

	if (!doc)
		return;
	for (xmlNodePtr n = doc->children; n; n = next_node(n, top)) {
		if (n->type != XML_ELEMENT_NODE) {
			wipe_text(doc, n);
			continue;
		}
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			for (xmlNodePtr t = a->children; t; t = t->next)
				wipe_text(doc, t);
		}
	}
	xmlFreeDoc(doc);
}

/* ------------------------------------------------------------------ */
/* Structure checks                                                   */
/* ------------------------------------------------------------------ */

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static bool named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

struct ids {
	xmlChar **v;
	size_t n, cap;
};

static s2s_err ids_add(struct ids *ids, xmlChar *value)
{
	if (!value)
		return S2S_OK;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 16;
		xmlChar **v = realloc(ids->v, cap * sizeof(*v));

		if (!v) {
			xmlFree(value);
			return S2S_ENOMEM;
		}
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = value;
	return S2S_OK;
}

static void ids_release(struct ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		xmlFree(ids->v[i]);
	free(ids->v);
}

static int cmp_id(const void *a, const void *b)
{
	const char *x = *(const char *const *)a;
	const char *y = *(const char *const *)b;

	return strcmp(x, y);
}

/* Every ID-like attribute, whatever the element: "#id" resolution
 * must never have two candidates. */
static s2s_err ids_collect(struct ids *ids, const xmlNode *n)
{
	static const char *const names[] = { "ID", "Id", "id" };
	s2s_err rc = S2S_OK;

	for (size_t i = 0; !rc && i < S2S_ARRAY_SIZE(names); i++)
		rc = ids_add(ids, xmlGetNoNsProp(n, (const xmlChar *)names[i]));
	if (!rc)
		rc = ids_add(ids, xmlGetNsProp(n, (const xmlChar *)"id",
		                               XML_XML_NAMESPACE));
	return rc;
}

static bool ids_have_duplicate(struct ids *ids)
{
	if (ids->n < 2)
		return false;
	qsort(ids->v, ids->n, sizeof(*ids->v), cmp_id);
	for (size_t i = 1; i < ids->n; i++) {
		if (strcmp((const char *)ids->v[i - 1],
		           (const char *)ids->v[i]) == 0)
			return true;
	}
	return false;
}

/* An (Encrypted)Assertion is acceptable only once, in the SAML assertion
 * namespace, as a direct child of the root. */
static s2s_err place_assertion(const xmlNode **slot, const xmlNode *n,
                               const xmlNode *root, struct s2s_error *err)
{
	const char *name = (const char *)n->name;

	if (*slot)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has more than one %s", name);
	if (n->parent != root || !is_elem(n, NS_SAML, name))
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has an %s out of place",
		                     name);
	*slot = n;
	return S2S_OK;
}

struct found {
	const xmlNode *assertion;
	const xmlNode *encrypted;
};

static s2s_err walk_tree(struct found *f, xmlNodePtr root,
                         struct s2s_error *err)
{
	struct ids ids = { NULL, 0, 0 };
	s2s_err rc = S2S_OK;

	for (xmlNodePtr n = root; n && !rc; n = next_node(n, root)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		rc = ids_collect(&ids, n);
		if (rc) {
			rc = s2s_error_set(err, rc, "out of memory");
			goto out;
		}
		if (named(n, "Assertion"))
			rc = place_assertion(&f->assertion, n, root, err);
		else if (named(n, "EncryptedAssertion"))
			rc = place_assertion(&f->encrypted, n, root, err);
	}
	if (rc)
		goto out;
	if (ids_have_duplicate(&ids)) {
		rc = s2s_error_set(err, S2S_ESAML,
		                   "SAMLResponse has duplicate ID attributes");
		goto out;
	}
	if (f->assertion && f->encrypted)
		rc = s2s_error_set(err, S2S_ESAML,
		                   "SAMLResponse has both an Assertion and an "
		                   "EncryptedAssertion");
out:
	ids_release(&ids);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading values                                                     */
/* ------------------------------------------------------------------ */

/* The only child element parent/ns:name, or NULL; two is an error. */
static s2s_err find_one(const xmlNode **out, const xmlNode *parent,
                        const char *ns, const char *name, struct s2s_error *err)
{
	*out = NULL;
	for (const xmlNode *c = parent->children; c; c = c->next) {
		if (!is_elem(c, ns, name))
			continue;
		if (*out)
			return s2s_error_set(err, S2S_ESAML,
			                     "more than one %s in %s", name,
			                     (const char *)parent->name);
		*out = c;
	}
	return S2S_OK;
}

static s2s_err dup_trimmed(char **out, const char *s, struct s2s_error *err)
{
	size_t len = strlen(s);

	trim(&s, &len);
	*out = strndup(s, len);
	if (!*out)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

/* Text and CDATA of an element, comments skipped, so that a comment
 * cannot truncate a value (CVE-2017-11427 family). */
static s2s_err read_text(char **out, const xmlNode *el, struct s2s_error *err)
{
	xmlChar *s;
	s2s_err rc;

	*out = NULL;
	for (const xmlNode *c = el->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return s2s_error_set(err, S2S_ESAML,
			                     "unexpected element inside %s",
			                     (const char *)el->name);
	}
	s = xmlNodeGetContent(el);
	if (!s)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = dup_trimmed(out, (const char *)s, err);
	xmlFree(s);
	return rc;
}

/* An unqualified attribute, trimmed; *out is NULL when it is absent. */
static s2s_err read_attr(char **out, const xmlNode *el, const char *name,
                         struct s2s_error *err)
{
	xmlChar *s = xmlGetNoNsProp(el, (const xmlChar *)name);
	s2s_err rc;

	*out = NULL;
	if (!s)
		return S2S_OK;
	rc = dup_trimmed(out, (const char *)s, err);
	xmlFree(s);
	return rc;
}

static s2s_err read_time(time_t *out, const xmlNode *el, const char *name,
                         struct s2s_error *err)
{
	char *s = NULL;
	s2s_err rc;

	rc = read_attr(&s, el, name, err);
	if (rc || !s)
		goto out;
	if (!s2s_time_parse(out, s))
		rc = s2s_error_set(err, S2S_ESAML,
		                   "%s@%s is not a UTC dateTime",
		                   (const char *)el->name, name);
out:
	free(s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Response and Assertion                                             */
/* ------------------------------------------------------------------ */

static const char *short_status(const char *v)
{
	const char *colon = strrchr(v, ':');

	return colon ? colon + 1 : v;
}

static s2s_err status_failed(const char *value, const xmlNode *code,
                             struct s2s_error *err)
{
	const xmlNode *sub = NULL;
	char *sub_value = NULL;
	s2s_err rc;

	rc = find_one(&sub, code, NS_SAMLP, "StatusCode", err);
	if (!rc && sub)
		rc = read_attr(&sub_value, sub, "Value", err);
	if (!rc)
		rc = s2s_error_set(err, S2S_ESAML,
		                   "IdP returned status %.64s%s%.64s",
		                   short_status(value), sub_value ? "/" : "",
		                   sub_value ? short_status(sub_value) : "");
	free(sub_value);
	return rc;
}

static s2s_err read_status(struct s2s_saml *saml, const xmlNode *root,
                           struct s2s_error *err)
{
	const xmlNode *status = NULL, *code = NULL;
	s2s_err rc;

	rc = find_one(&status, root, NS_SAMLP, "Status", err);
	if (rc)
		return rc;
	if (!status)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has no Status");
	rc = find_one(&code, status, NS_SAMLP, "StatusCode", err);
	if (rc)
		return rc;
	if (code)
		rc = read_attr(&saml->status, code, "Value", err);
	if (rc)
		return rc;
	if (!saml->status)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has no StatusCode value");
	if (strcmp(saml->status, STATUS_SUCCESS) != 0)
		return status_failed(saml->status, code, err);
	return S2S_OK;
}

static s2s_err read_subject(struct s2s_saml *saml, const xmlNode *assertion,
                            struct s2s_error *err)
{
	const xmlNode *subject = NULL, *name_id = NULL, *conf = NULL;
	const xmlNode *data = NULL;
	s2s_err rc;

	rc = find_one(&subject, assertion, NS_SAML, "Subject", err);
	if (rc || !subject)
		return rc;
	rc = find_one(&name_id, subject, NS_SAML, "NameID", err);
	if (!rc && name_id)
		rc = read_text(&saml->name_id, name_id, err);
	if (!rc)
		rc = find_one(&conf, subject, NS_SAML, "SubjectConfirmation",
		              err);
	if (!rc && conf)
		rc = find_one(&data, conf, NS_SAML, "SubjectConfirmationData",
		              err);
	if (rc || !data)
		return rc;
	rc = read_attr(&saml->recipient, data, "Recipient", err);
	if (!rc)
		rc = read_time(&saml->subject_not_on_or_after, data,
		               "NotOnOrAfter", err);
	return rc;
}

static s2s_err add_audience(struct s2s_saml *saml, const xmlNode *el,
                            struct s2s_error *err)
{
	char **v;
	s2s_err rc;

	v = realloc(saml->audiences, (saml->naudiences + 1) * sizeof(*v));
	if (!v)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	saml->audiences = v;
	rc = read_text(&v[saml->naudiences], el, err);
	if (!rc)
		saml->naudiences++;
	return rc;
}

static s2s_err read_conditions(struct s2s_saml *saml, const xmlNode *assertion,
                               struct s2s_error *err)
{
	const xmlNode *cond = NULL;
	s2s_err rc;

	rc = find_one(&cond, assertion, NS_SAML, "Conditions", err);
	if (rc || !cond)
		return rc;
	rc = read_time(&saml->not_before, cond, "NotBefore", err);
	if (!rc)
		rc = read_time(&saml->not_on_or_after, cond, "NotOnOrAfter",
		               err);
	for (const xmlNode *r = cond->children; r && !rc; r = r->next) {
		if (!is_elem(r, NS_SAML, "AudienceRestriction"))
			continue;
		for (const xmlNode *a = r->children; a && !rc; a = a->next) {
			if (is_elem(a, NS_SAML, "Audience"))
				rc = add_audience(saml, a, err);
		}
	}
	return rc;
}

/* The earliest SessionNotOnOrAfter of all AuthnStatements. */
static s2s_err read_authn(struct s2s_saml *saml, const xmlNode *assertion,
                          struct s2s_error *err)
{
	s2s_err rc = S2S_OK;

	for (const xmlNode *c = assertion->children; c && !rc; c = c->next) {
		time_t t = 0;

		if (!is_elem(c, NS_SAML, "AuthnStatement"))
			continue;
		rc = read_time(&t, c, "SessionNotOnOrAfter", err);
		if (!rc && t &&
		    (!saml->session_not_on_or_after ||
		     t < saml->session_not_on_or_after))
			saml->session_not_on_or_after = t;
	}
	return rc;
}

static s2s_err add_role(struct s2s_saml *saml, const char *value,
                        struct s2s_error *err)
{
	struct s2s_role role;
	struct s2s_role *v;
	s2s_err rc;

	rc = s2s_role_parse(&role, value, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < saml->nroles; i++) {
		if (strcmp(saml->roles[i].role_arn, role.role_arn) == 0 &&
		    strcmp(saml->roles[i].provider_arn, role.provider_arn) ==
		            0) {
			s2s_role_release(&role);
			return S2S_OK;
		}
	}
	v = realloc(saml->roles, (saml->nroles + 1) * sizeof(*v));
	if (!v) {
		s2s_role_release(&role);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	saml->roles = v;
	saml->roles[saml->nroles++] = role;
	return S2S_OK;
}

static bool parse_duration(long *out, const char *s)
{
	long v = 0;

	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (LONG_MAX - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*out = v;
	return true;
}

enum attr_kind { ATTR_ROLE, ATTR_SESSION_NAME, ATTR_SESSION_DURATION };

static s2s_err use_value(struct s2s_saml *saml, enum attr_kind kind,
                         char **value, struct s2s_error *err)
{
	switch (kind) {
	case ATTR_ROLE:
		return add_role(saml, *value, err);
	case ATTR_SESSION_NAME:
		if (saml->session_name)
			return s2s_error_set(err, S2S_ESAML,
			                     "more than one RoleSessionName");
		saml->session_name = *value;
		*value = NULL;
		return S2S_OK;
	case ATTR_SESSION_DURATION:
		if (saml->session_duration != -1)
			return s2s_error_set(err, S2S_ESAML,
			                     "more than one SessionDuration");
		if (!parse_duration(&saml->session_duration, *value))
			return s2s_error_set(err, S2S_ESAML,
			                     "SessionDuration '%.32s' is not a "
			                     "positive integer",
			                     *value);
		return S2S_OK;
	}
	return S2S_OK;
}

static s2s_err read_attribute(struct s2s_saml *saml, const xmlNode *attr,
                              struct s2s_error *err)
{
	xmlChar *name = xmlGetNoNsProp(attr, (const xmlChar *)"Name");
	enum attr_kind kind;
	s2s_err rc = S2S_OK;

	if (!name)
		return S2S_OK;
	if (strcmp((const char *)name, S2S_SAML_ATTR_ROLE) == 0)
		kind = ATTR_ROLE;
	else if (strcmp((const char *)name, S2S_SAML_ATTR_SESSION_NAME) == 0)
		kind = ATTR_SESSION_NAME;
	else if (strcmp((const char *)name, S2S_SAML_ATTR_SESSION_DURATION) ==
	         0)
		kind = ATTR_SESSION_DURATION;
	else
		goto out;
	for (const xmlNode *v = attr->children; v && !rc; v = v->next) {
		char *value = NULL;

		if (!is_elem(v, NS_SAML, "AttributeValue"))
			continue;
		rc = read_text(&value, v, err);
		if (!rc)
			rc = use_value(saml, kind, &value, err);
		free(value);
	}
out:
	xmlFree(name);
	return rc;
}

static s2s_err read_attributes(struct s2s_saml *saml, const xmlNode *assertion,
                               struct s2s_error *err)
{
	s2s_err rc = S2S_OK;

	for (const xmlNode *st = assertion->children; st && !rc;
	     st = st->next) {
		if (!is_elem(st, NS_SAML, "AttributeStatement"))
			continue;
		for (const xmlNode *a = st->children; a && !rc; a = a->next) {
			if (is_elem(a, NS_SAML, "Attribute"))
				rc = read_attribute(saml, a, err);
		}
	}
	return rc;
}

/* Lasso CVE-2021-28091: an assertion from another issuer than the
 * Response's is not this IdP's answer. */
static s2s_err read_issuer(struct s2s_saml *saml, const xmlNode *root,
                           const xmlNode *assertion, struct s2s_error *err)
{
	const xmlNode *outer = NULL, *inner = NULL;
	char *outer_issuer = NULL;
	s2s_err rc;

	rc = find_one(&outer, root, NS_SAML, "Issuer", err);
	if (!rc)
		rc = find_one(&inner, assertion, NS_SAML, "Issuer", err);
	if (!rc && inner)
		rc = read_text(&saml->issuer, inner, err);
	if (!rc && outer)
		rc = read_text(&outer_issuer, outer, err);
	if (rc)
		goto out;
	if (outer_issuer && saml->issuer &&
	    strcmp(outer_issuer, saml->issuer) != 0)
		rc = s2s_error_set(err, S2S_ESAML,
		                   "the Response and Assertion issuers differ");
out:
	free(outer_issuer);
	return rc;
}

static s2s_err read_response(struct s2s_saml *saml, xmlDocPtr doc,
                             xmlNodePtr root, s2s__saml_check_fn check,
                             void *ctx, struct s2s_error *err)
{
	struct found f = { NULL, NULL };
	s2s_err rc;

	if (!is_elem(root, NS_SAMLP, "Response"))
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse root is not a SAML 2.0 "
		                     "Response");
	rc = walk_tree(&f, root, err);
	/* Verification, on this tree, before any value is read. */
	if (!rc && check)
		rc = check(ctx, doc, root, (xmlNodePtr)(uintptr_t)f.assertion,
		           err);
	if (!rc)
		rc = read_attr(&saml->destination, root, "Destination", err);
	if (!rc)
		rc = read_status(saml, root, err);
	if (rc)
		return rc;
	if (f.encrypted) {
		saml->encrypted = true; /* for the SP's key: nothing to read */
		return S2S_OK;
	}
	if (!f.assertion)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has no Assertion");
	rc = read_issuer(saml, root, f.assertion, err);
	if (!rc)
		rc = read_subject(saml, f.assertion, err);
	if (!rc)
		rc = read_conditions(saml, f.assertion, err);
	if (!rc)
		rc = read_authn(saml, f.assertion, err);
	if (!rc)
		rc = read_attributes(saml, f.assertion, err);
	return rc;
}

s2s_err s2s__saml_parse_doc(xmlDocPtr *out, const char *xml, size_t len,
                            struct s2s_error *err)
{
	*out = NULL;
	if (len > MAX_XML)
		return s2s_error_set(err, S2S_ESAML,
		                     "XML document is larger than %zu KiB",
		                     MAX_XML / 1024);
	if (has_doctype(xml, len))
		return s2s_error_set(err, S2S_ESAML,
		                     "XML document has a DOCTYPE");
	pthread_once(&xml_once, xml_global_init);
	return parse_doc(out, xml ? xml : "", len, err);
}

void s2s__saml_free_doc(xmlDocPtr doc)
{
	free_doc(doc);
}

s2s_err s2s_saml_parse_xml(struct s2s_saml **out, const char *xml, size_t len,
                           struct s2s_error *err)
{
	return s2s__saml_parse_xml_checked(out, xml, len, NULL, NULL, err);
}

s2s_err s2s__saml_parse_xml_checked(struct s2s_saml **out, const char *xml,
                                    size_t len, s2s__saml_check_fn check,
                                    void *ctx, struct s2s_error *err)
{
	struct s2s_saml *saml = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(xml || !len);
	*out = NULL;
	if (len > MAX_XML)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse is larger than %zu KiB",
		                     MAX_XML / 1024);
	if (has_doctype(xml, len))
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse has a DOCTYPE");
	pthread_once(&xml_once, xml_global_init);
	rc = parse_doc(&doc, xml ? xml : "", len, err);
	if (rc)
		goto out;
	saml = calloc(1, sizeof(*saml));
	if (!saml) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	saml->session_duration = -1;
	root = xmlDocGetRootElement(doc);
	if (!root) {
		rc = s2s_error_set(err, S2S_ESAML, "SAMLResponse is empty");
		goto out;
	}
	rc = read_response(saml, doc, root, check, ctx, err);
	if (rc)
		goto out;
	*out = saml;
	saml = NULL;
out:
	free_doc(doc);
	s2s_saml_free(saml);
	return rc;
}

s2s_err s2s_saml_parse(struct s2s_saml **out, const char *b64, size_t len,
                       struct s2s_error *err)
{
	return s2s__saml_parse_checked(out, b64, len, NULL, NULL, err);
}

s2s_err s2s__saml_parse_checked(struct s2s_saml **out, const char *b64,
                                size_t len, s2s__saml_check_fn check, void *ctx,
                                struct s2s_error *err)
{
	struct s2s_buf xml = S2S_BUF_SECRET_INIT; /* assertion = bearer token */
	struct s2s_saml *saml = NULL;
	size_t n = 0;
	s2s_err rc;

	S2S_ASSERT_ARG(out);
	S2S_ASSERT_ARG(b64 || !len);
	*out = NULL;
	for (size_t i = 0; i < len; i++) {
		if (!is_space(b64[i]))
			n++;
	}
	if (n > S2S_SAML_MAX_B64)
		return s2s_error_set(err, S2S_ESAML,
		                     "SAMLResponse is longer than %d base64 "
		                     "characters",
		                     S2S_SAML_MAX_B64);
	xml.max = MAX_XML;
	rc = s2s_base64_decode(&xml, b64, len, err);
	if (rc)
		goto out;
	rc = s2s__saml_parse_xml_checked(&saml, xml.ptr, xml.len, check, ctx,
	                                 err);
	if (rc)
		goto out;
	*out = saml; /* the caller owns it now */
	saml = NULL;
out:
	s2s_buf_release(&xml); /* wipes: secret buffer */
	s2s_saml_free(saml);
	return rc;
}

void s2s_saml_free(struct s2s_saml *saml)
{
	if (!saml)
		return;
	for (size_t i = 0; i < saml->nroles; i++)
		s2s_role_release(&saml->roles[i]);
	free(saml->roles);
	for (size_t i = 0; i < saml->naudiences; i++)
		free(saml->audiences[i]);
	free(saml->audiences);
	free(saml->session_name);
	free(saml->issuer);
	free(saml->destination);
	free(saml->recipient);
	free(saml->status);
	free(saml->name_id);
	free(saml);
}
