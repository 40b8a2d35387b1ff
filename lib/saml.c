/* SPDX-License-Identifier: MIT */
/*
 * SAMLResponse decoding and parsing.  Strict base64 first (base64.c), then
 * the XML goes through the hardened parse of xmlparse.c (no DTD: a
 * DOCTYPE is rejected three times over; no entity substitution, no
 * network).  Only the one Assertion that is a
 * direct child of the Response root is read, by direct children with
 * namespace checks; duplicate IDs and stray assertions are rejected, which
 * closes the usual signature-wrapping tricks.  Signatures are not verified
 * here, nothing is decrypted and nothing is printed.
 */
#include <limits.h>
#include <time.h>

#include <libxml/tree.h>

#include "saml2sts/base64.h"
#include "saml2sts/isotime.h"
#include "saml2sts/saml.h"
#include "common.h"
#include "saml_int.h"
#include "xmlparse.h"

#define NS_SAMLP       "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML        "urn:oasis:names:tc:SAML:2.0:assertion"
#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"

/* Far above any real Response; STS takes at most 100000 base64 chars. */
#define MAX_XML ((size_t)256 * 1024)

static const struct s2s__xml_limits response_limits = {
	.what = "SAMLResponse",
	.code = S2S_ESAML,
	.max = MAX_XML,
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
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

/* An attribute's value as xmlGetNoNsProp returns it: at least "". */
static xmlChar *attr_value(const xmlAttr *a)
{
	const xmlNode *t = a->children;
	xmlChar *v = NULL;

	if (t && !t->next &&
	    (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE))
		return xmlStrdup(t->content);
	if (t)
		v = xmlNodeListGetString(a->doc, t, 1);
	return v ? v : xmlStrdup((const xmlChar *)"");
}

/* Every ID-like attribute (ID, Id, id, xml:id), whatever the element:
 * "#id" resolution must never have two candidates.  One pass over the
 * attributes, as xmlGetNoNsProp / xmlGetNsProp would find them. */
static s2s_err ids_collect(struct ids *ids, const xmlNode *n)
{
	s2s_err rc = S2S_OK;

	for (const xmlAttr *a = n->properties; a && !rc; a = a->next) {
		const char *name = (const char *)a->name;
		bool id;

		if (!a->ns)
			id = strcmp(name, "ID") == 0 ||
			     strcmp(name, "Id") == 0 || strcmp(name, "id") == 0;
		else
			id = a->ns->href && strcmp(name, "id") == 0 &&
			     xmlStrEqual(a->ns->href, XML_XML_NAMESPACE);
		if (id)
			rc = ids_add(ids, attr_value(a));
	}
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

	for (xmlNodePtr n = root; n && !rc; n = s2s__xml_next_node(n, root)) {
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

	s2s__trim(&s, &len, S2S_XML_SPACE);
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
	const xmlNode *only = NULL;
	size_t n = 0;

	*out = NULL;
	for (const xmlNode *c = el->children; c; c = c->next, n++) {
		if (c->type == XML_ELEMENT_NODE)
			return s2s_error_set(err, S2S_ESAML,
			                     "unexpected element inside %s",
			                     (const char *)el->name);
		only = c;
	}
	/* One text node (the usual case): no copy of the whole content. */
	if (!n)
		return dup_trimmed(out, "", err);
	if (n == 1 && (only->type == XML_TEXT_NODE ||
	               only->type == XML_CDATA_SECTION_NODE))
		return dup_trimmed(
		        out, only->content ? (const char *)only->content : "",
		        err);
	s = xmlNodeGetContent(el);
	if (!s)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	rc = dup_trimmed(out, (const char *)s, err);
	xmlFree(s);
	return rc;
}

/* The text of el when it is one text node with nothing to trim (what
 * read_text would copy unchanged), else NULL. */
static const char *plain_text(const xmlNode *el)
{
	const xmlNode *t = el->children;
	const char *s;
	size_t len;

	if (!t || t->next || t->type != XML_TEXT_NODE || !t->content)
		return NULL;
	s = (const char *)t->content;
	len = strlen(s);
	if (!len || strchr(S2S_XML_SPACE, s[0]) ||
	    strchr(S2S_XML_SPACE, s[len - 1]))
		return NULL;
	return s;
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

/* The roles read so far, hashed on the role ARN so that a duplicate
 * costs a probe or two instead of a scan of every earlier role.  A slot
 * holds index + 1 into saml->roles (0 when free) and the hash; the
 * table is at most half full. */
struct role_slot {
	size_t index;
	uint64_t hash;
};

struct role_index {
	struct role_slot *slot;
	size_t size; /* a power of two, or 0 */
	size_t cap;  /* capacity of saml->roles */
};

/* Eight bytes at a time (multiply, xor-shift): ARNs are long and share
 * their prefix, and a byte-wise hash showed up in profiles. */
static uint64_t role_hash(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15u ^ len;

	for (; len >= 8; s += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, s, len);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 32);
}

static bool role_same(const struct s2s_role *a, const struct s2s_role *b)
{
	return strcmp(a->role_arn, b->role_arn) == 0 &&
	       strcmp(a->provider_arn, b->provider_arn) == 0;
}

/* The slot where r is, or the free slot where it would go. */
static struct role_slot *role_find(const struct role_index *ix,
                                   const struct s2s_saml *saml,
                                   const struct s2s_role *r, uint64_t hash)
{
	size_t mask = ix->size - 1;
	size_t i = (size_t)hash & mask;

	while (ix->slot[i].index &&
	       (ix->slot[i].hash != hash ||
	        !role_same(&saml->roles[ix->slot[i].index - 1], r)))
		i = (i + 1) & mask;
	return &ix->slot[i];
}

/* Room for one more role in saml->roles and in the index. */
static s2s_err role_room(struct role_index *ix, struct s2s_saml *saml)
{
	if (saml->nroles == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 8;
		struct s2s_role *v = realloc(saml->roles, cap * sizeof(*v));

		if (!v)
			return S2S_ENOMEM;
		saml->roles = v;
		ix->cap = cap;
	}
	if ((saml->nroles + 1) * 2 > ix->size) {
		size_t size = ix->size ? ix->size * 2 : 16;
		struct role_slot *old = ix->slot;
		size_t old_size = ix->size;

		ix->slot = calloc(size, sizeof(*ix->slot));
		if (!ix->slot) {
			ix->slot = old;
			return S2S_ENOMEM;
		}
		ix->size = size;
		for (size_t i = 0; i < old_size; i++) {
			size_t j = (size_t)old[i].hash & (size - 1);

			if (!old[i].index)
				continue;
			while (ix->slot[j].index)
				j = (j + 1) & (size - 1);
			ix->slot[j] = old[i];
		}
		free(old);
	}
	return S2S_OK;
}

static s2s_err add_role(struct s2s_saml *saml, struct role_index *ix,
                        const char *value, struct s2s_error *err)
{
	struct s2s_role role;
	struct role_slot *slot;
	uint64_t hash;
	s2s_err rc;

	rc = s2s_role_parse(&role, value, err);
	if (rc)
		return rc;
	if (role_room(ix, saml)) {
		s2s_role_release(&role);
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	}
	hash = role_hash(role.role_arn);
	slot = role_find(ix, saml, &role, hash);
	if (slot->index) { /* a duplicate: the first one stays */
		s2s_role_release(&role);
		return S2S_OK;
	}
	saml->roles[saml->nroles++] = role;
	slot->index = saml->nroles;
	slot->hash = hash;
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

static s2s_err use_value(struct s2s_saml *saml, struct role_index *ix,
                         enum attr_kind kind, char **value,
                         struct s2s_error *err)
{
	switch (kind) {
	case ATTR_ROLE:
		return add_role(saml, ix, *value, err);
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

static s2s_err read_attribute(struct s2s_saml *saml, struct role_index *ix,
                              const xmlNode *attr, struct s2s_error *err)
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
		if (kind == ATTR_ROLE && plain_text(v)) {
			/* the common case, parsed in place: no copy */
			rc = add_role(saml, ix, plain_text(v), err);
			continue;
		}
		rc = read_text(&value, v, err);
		if (!rc)
			rc = use_value(saml, ix, kind, &value, err);
		free(value);
	}
out:
	xmlFree(name);
	return rc;
}

static s2s_err read_attributes(struct s2s_saml *saml, const xmlNode *assertion,
                               struct s2s_error *err)
{
	struct role_index ix = { NULL, 0, 0 };
	s2s_err rc = S2S_OK;

	for (const xmlNode *st = assertion->children; st && !rc;
	     st = st->next) {
		if (!is_elem(st, NS_SAML, "AttributeStatement"))
			continue;
		for (const xmlNode *a = st->children; a && !rc; a = a->next) {
			if (is_elem(a, NS_SAML, "Attribute"))
				rc = read_attribute(saml, &ix, a, err);
		}
	}
	free(ix.slot);
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
	rc = s2s__xml_parse(&doc, xml, len, &response_limits, err);
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
	s2s__xml_free_doc(doc); /* wipes: the assertion is a bearer token */
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
	/* Whitespace does not count; it matters only past the limit. */
	for (size_t i = 0; len > S2S_SAML_MAX_B64 && i < len; i++) {
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
