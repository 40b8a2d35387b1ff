/* SPDX-License-Identifier: MIT */
/*
 * HTML form discovery over libxml2's HTML parser: every <form> with its
 * action resolved the way a browser would, its controls in document
 * order (including the ones libxml2 leaves outside a form it closed too
 * early, and the ones tied to a form by form="id"), the title, <base>
 * and a meta refresh.  Values may be secrets (SAMLResponse, password):
 * they are wiped on free, and the libxml2 tree is wiped before it is
 * freed (xmlparse.c, shared with the XML parsers).  No HTTP, no
 * scripts, no network, no DTD and no entities beyond HTML's own.
 */
#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "saml2sts/html.h"
#include "saml2sts/url.h"
#include "common.h"
#include "xmlparse.h"

#define MAX_HTML (8u * 1024 * 1024)
/* Hostile pages get a truncated list rather than unbounded memory. */
#define MAX_FORMS  1024
#define MAX_FIELDS 8192

#define PARSE_OPTIONS \
	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING)

struct walk {
	struct s2s_html_page *page;
	xmlDoc *doc;
	size_t nfields;  /* on the whole page */
	char *base;      /* href of the first <base>, raw */
	char *refresh;   /* content of the first meta refresh, raw */
	xmlNode **stack; /* <form> ancestors of the current node */
	size_t depth;
	const xmlNode *scope;  /* where the last form's stray controls sit */
	struct s2s_form *last; /* the last form started, while in scope */
};

static s2s_err nomem(struct s2s_error *err)
{
	return s2s_error_set(err, S2S_ENOMEM, "out of memory");
}

/* arr (n elements) with room for one more: capacities are 4, 8, 16...
 * so there is one realloc per doubling.  NULL on ENOMEM, arr intact. */
static void *grow_array(void *arr, size_t n, size_t size)
{
	size_t want;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return arr;
	want = n < 4 ? 4 : 2 * n;
	if (want > SIZE_MAX / size)
		return NULL;
	return realloc(arr, want * size);
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name &&
	       strcasecmp((const char *)n->name, name) == 0;
}

static const xmlAttr *find_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (a->name && strcasecmp((const char *)a->name, name) == 0)
			return a;
	return NULL;
}

/* A malloc()ed copy of attribute name, "" for a bare attribute, NULL
 * when absent or on ENOMEM (then *ok is cleared).  Entities are already
 * decoded by the parser. */
static char *attr_dup(const xmlNode *n, const char *name, bool *ok)
{
	const xmlAttr *a = find_attr(n, name);
	const xmlNode *t;
	xmlChar *tmp;
	char *s;

	if (!a)
		return NULL;
	t = a->children;
	if (!t) {
		s = strdup("");
	} else if (!t->next && t->type == XML_TEXT_NODE && t->content) {
		s = strdup((const char *)t->content);
	} else {
		tmp = xmlNodeListGetString(n->doc, a->children, 1);
		s = strdup(tmp ? (const char *)tmp : "");
		if (tmp) {
			s2s_memzero(tmp, strlen((const char *)tmp));
			xmlFree(tmp);
		}
	}
	if (!s)
		*ok = false;
	return s;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Collapse runs of ASCII whitespace to one space and trim, in place. */
static void collapse(char *s)
{
	char *w = s;
	bool pending = false;

	for (const char *r = s; *r; r++) {
		if (is_space(*r)) {
			pending = w != s;
			continue;
		}
		if (pending)
			*w++ = ' ';
		pending = false;
		*w++ = *r;
	}
	*w = '\0';
}

/* URLs in attributes: strip outer whitespace and drop tabs and line
 * breaks inside, as the WHATWG URL parser does. */
static void clean_url(char *s)
{
	char *w = s;
	size_t len;

	for (const char *r = s; *r; r++)
		if (*r != '\t' && *r != '\n' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	len = strlen(s);
	while (len && is_space(s[len - 1]))
		s[--len] = '\0';
	len = 0;
	while (is_space(s[len]))
		len++;
	memmove(s, s + len, strlen(s + len) + 1);
}

/* Append the text under top to buf (a secret buffer). */
static s2s_err text_of(struct s2s_buf *buf, xmlNode *top)
{
	s2s_err rc = S2S_OK;

	for (xmlNode *n = top->children; n && !rc;
	     n = s2s__xml_next_node(n, top))
		if ((n->type == XML_TEXT_NODE ||
		     n->type == XML_CDATA_SECTION_NODE) &&
		    n->content)
			rc = s2s_buf_puts(buf, (const char *)n->content);
	if (!rc)
		rc = s2s_buf_terminate(buf);
	return rc;
}

/* The text under n as a new string (wipe it when done with it). */
static char *text_dup(xmlNode *n)
{
	struct s2s_buf buf = S2S_BUF_SECRET_INIT;
	char *s;

	if (text_of(&buf, n)) {
		s2s_buf_release(&buf);
		return NULL;
	}
	s = s2s_buf_detach(&buf, NULL);
	s2s_buf_release(&buf);
	return s;
}

static void field_release(struct s2s_form_field *f)
{
	free(f->name);
	s2s_secret_free(f->value);
	free(f->type);
	free(f->id);
}

static void form_release(struct s2s_form *f)
{
	free(f->action);
	free(f->method);
	free(f->id);
	free(f->name);
	for (size_t i = 0; i < f->nfields; i++)
		field_release(&f->fields[i]);
	free(f->fields);
}

void s2s_html_page_free(struct s2s_html_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->nforms; i++)
		form_release(&page->forms[i]);
	free(page->forms);
	free(page->url);
	free(page->title);
	free(page->refresh_url);
	free(page);
}

/* A zeroed new last field of form, or NULL on ENOMEM. */
static struct s2s_form_field *new_field(struct s2s_form *form)
{
	struct s2s_form_field *f, *v;

	v = grow_array(form->fields, form->nfields, sizeof(*v));
	if (!v)
		return NULL;
	form->fields = v;
	f = &form->fields[form->nfields++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Drop the last field (a failed addition), wiping its value. */
static void drop_last_field(struct s2s_form *form)
{
	field_release(&form->fields[--form->nfields]);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An attribute as a trimmed, lowercase keyword, NULL when absent or
 * empty. */
static char *keyword(const xmlNode *n, const char *name, bool *ok)
{
	char *s = attr_dup(n, name, ok);

	if (!s)
		return NULL;
	clean_url(s);
	lower(s);
	if (!*s)
		s2s_safefree(s);
	return s;
}

static bool is_control(const xmlNode *n)
{
	return is_elem(n, "input") || is_elem(n, "select") ||
	       is_elem(n, "textarea") || is_elem(n, "button");
}

static void fill_input(struct s2s_form_field *f, const xmlNode *n, bool *ok)
{
	f->type = keyword(n, "type", ok);
	if (!f->type && *ok)
		f->type = strdup("text");
	f->value = attr_dup(n, "value", ok);
	if (!f->type ||
	    (strcmp(f->type, "checkbox") != 0 && strcmp(f->type, "radio") != 0))
		return;
	f->checked = find_attr(n, "checked") != NULL;
	if (!f->value && *ok)
		f->value = strdup("on");
}

/* <button>: submit unless it says reset or button (HTML's default for
 * a missing or invalid type). */
static void fill_button(struct s2s_form_field *f, const xmlNode *n, bool *ok)
{
	char *t = keyword(n, "type", ok);

	if (t && (strcmp(t, "reset") == 0 || strcmp(t, "button") == 0)) {
		f->type = t;
	} else {
		free(t);
		f->type = strdup("submit");
	}
	f->value = attr_dup(n, "value", ok);
}

/* The selected option's value, else the first option's; an option's
 * value is its value attribute, else its collapsed text. */
static void fill_select(struct s2s_form_field *f, xmlNode *sel, bool *ok)
{
	xmlNode *first = NULL, *chosen = NULL;

	f->type = strdup("select");
	for (xmlNode *n = sel->children; n; n = s2s__xml_next_node(n, sel)) {
		if (!is_elem(n, "option"))
			continue;
		if (!first)
			first = n;
		if (find_attr(n, "selected")) {
			chosen = n;
			break;
		}
	}
	if (!chosen)
		chosen = first;
	if (!chosen)
		return;
	f->value = attr_dup(chosen, "value", ok);
	if (f->value || !*ok)
		return;
	f->value = text_dup(chosen);
	if (f->value)
		collapse(f->value);
	else
		*ok = false;
}

static void fill_textarea(struct s2s_form_field *f, xmlNode *n, bool *ok)
{
	char *v;

	f->type = strdup("textarea");
	v = text_dup(n);
	f->value = v;
	if (!v) {
		*ok = false;
		return;
	}
	/* HTML drops the line break right after <textarea>. */
	if (v[0] == '\r' && v[1] == '\n')
		memmove(v, v + 2, strlen(v + 2) + 1);
	else if (v[0] == '\n' || v[0] == '\r')
		memmove(v, v + 1, strlen(v + 1) + 1);
}

/* Add control n to form; nameless and disabled controls are never
 * submitted, so they are left out. */
static s2s_err add_control(struct walk *w, struct s2s_form *form, xmlNode *n)
{
	struct s2s_form_field *f;
	bool ok = true;
	char *name;

	if (find_attr(n, "disabled") || w->nfields >= MAX_FIELDS)
		return S2S_OK;
	name = attr_dup(n, "name", &ok);
	if (!name || !*name) {
		free(name);
		return ok ? S2S_OK : S2S_ENOMEM;
	}
	f = new_field(form);
	if (!f) {
		free(name);
		return S2S_ENOMEM;
	}
	f->name = name;
	f->id = attr_dup(n, "id", &ok);
	if (is_elem(n, "input"))
		fill_input(f, n, &ok);
	else if (is_elem(n, "button"))
		fill_button(f, n, &ok);
	else if (is_elem(n, "select"))
		fill_select(f, n, &ok);
	else
		fill_textarea(f, n, &ok);
	if (!f->value && ok)
		f->value = strdup("");
	if (!ok || !f->type || !f->value) {
		drop_last_field(form);
		return S2S_ENOMEM;
	}
	w->nfields++;
	return S2S_OK;
}

/* Record a <form> with its raw action (resolved once <base> is known);
 * the node remembers its 1-based index in _private. */
static s2s_err add_form(struct walk *w, xmlNode *n)
{
	struct s2s_html_page *page = w->page;
	struct s2s_form *f;
	bool ok = true;
	char *method;

	n->_private = NULL;
	if (page->nforms >= MAX_FORMS)
		return S2S_OK;
	f = grow_array(page->forms, page->nforms, sizeof(*f));
	if (!f)
		return S2S_ENOMEM;
	page->forms = f;
	f = &page->forms[page->nforms++];
	memset(f, 0, sizeof(*f));
	n->_private = (void *)(uintptr_t)page->nforms;
	f->action = attr_dup(n, "action", &ok);
	f->id = attr_dup(n, "id", &ok);
	f->name = attr_dup(n, "name", &ok);
	method = keyword(n, "method", &ok);
	f->method =
	        strdup(method && strcmp(method, "post") == 0 ? "POST" : "GET");
	free(method);
	return ok && f->method ? S2S_OK : S2S_ENOMEM;
}

static bool is_refresh(const xmlNode *n, bool *ok)
{
	char *equiv = keyword(n, "http-equiv", ok);
	bool yes = equiv && strcmp(equiv, "refresh") == 0;

	free(equiv);
	return yes;
}

/* First pass: forms, and the first title, <base> and meta refresh. */
static s2s_err collect(struct walk *w)
{
	struct s2s_html_page *page = w->page;
	s2s_err rc = S2S_OK;
	bool ok = true;

	for (xmlNode *n = w->doc->children; n && !rc && ok;
	     n = s2s__xml_next_node(n, w->doc)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(n, "form")) {
			rc = add_form(w, n);
		} else if (is_elem(n, "title") && !page->title) {
			page->title = text_dup(n);
			if (!page->title)
				rc = S2S_ENOMEM;
			else
				collapse(page->title);
		} else if (is_elem(n, "base") && !w->base) {
			w->base = attr_dup(n, "href", &ok);
		} else if (is_elem(n, "meta") && !w->refresh &&
		           is_refresh(n, &ok)) {
			w->refresh = attr_dup(n, "content", &ok);
		}
	}
	return !rc && !ok ? S2S_ENOMEM : rc;
}

/* The URL of a refresh content such as "0; URL='x'", cut out in place
 * (HTML's shared declarative refresh steps); NULL when there is none. */
static char *refresh_target(char *s)
{
	char *p = s, *q, *end;

	while (is_space(*p))
		p++;
	if (!(*p >= '0' && *p <= '9') && *p != '.')
		return NULL;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (*p && !is_space(*p) && *p != ';' && *p != ',')
		return NULL;
	while (is_space(*p))
		p++;
	if (*p == ';' || *p == ',')
		p++;
	while (is_space(*p))
		p++;
	if (strncasecmp(p, "url", 3) == 0) {
		q = p + 3;
		while (is_space(*q))
			q++;
		if (*q == '=')
			p = q + 1;
		while (is_space(*p))
			p++;
	}
	if (*p == '\'' || *p == '"') {
		end = strchr(p + 1, *p);
		p++;
		if (end)
			*end = '\0';
	}
	clean_url(p);
	return *p ? p : NULL;
}

/* An empty or missing action is the page itself; an action that cannot
 * be resolved (javascript:...) is kept as written, and
 * s2s_url_allowed() refuses it later. */
static s2s_err resolve_action(char **action, const char *page_url,
                              const char *base)
{
	char *raw = *action, *abs = NULL;
	s2s_err rc;

	if (raw)
		clean_url(raw);
	if (!raw || !*raw)
		rc = s2s_url_resolve(&abs, page_url, "", NULL);
	else
		rc = s2s_url_resolve(&abs, base, raw, NULL);
	if (rc == S2S_ENOMEM)
		return rc;
	if (rc && raw && *raw)
		return S2S_OK;
	free(raw);
	*action = rc ? strdup(page_url) : abs;
	return *action ? S2S_OK : S2S_ENOMEM;
}

static s2s_err resolve_all(struct walk *w)
{
	struct s2s_html_page *page = w->page;
	char *base = NULL, *target;
	s2s_err rc = S2S_OK;

	if (w->base) {
		clean_url(w->base);
		rc = s2s_url_resolve(&base, page->url, w->base, NULL);
		if (rc == S2S_ENOMEM)
			return rc;
	}
	for (size_t i = 0; i < page->nforms; i++) {
		rc = resolve_action(&page->forms[i].action, page->url,
		                    base ? base : page->url);
		if (rc)
			goto out;
	}
	target = w->refresh ? refresh_target(w->refresh) : NULL;
	if (target)
		rc = s2s_url_resolve(&page->refresh_url,
		                     base ? base : page->url, target, NULL);
	if (rc != S2S_ENOMEM)
		rc = S2S_OK;
out:
	free(base);
	return rc;
}

static struct s2s_form *form_at(const struct walk *w, const xmlNode *form)
{
	size_t i = (size_t)(uintptr_t)form->_private;

	return i ? &w->page->forms[i - 1] : NULL;
}

static bool is_table_part(const xmlNode *n)
{
	static const char *const parts[] = { "table", "caption", "thead",
		                             "tbody", "tfoot",   "tr",
		                             "td",    "th" };

	for (size_t i = 0; i < S2S_ARRAY_SIZE(parts); i++)
		if (is_elem(n, parts[i]))
			return true;
	return false;
}

/* Where libxml2 puts the controls of a form it closed too early: after
 * it in the same parent, or, for a form in a table cell or row, in
 * the following cells of the same table. */
static const xmlNode *scope_of(const xmlNode *form)
{
	const xmlNode *p = form->parent;

	if (!p || p->type != XML_ELEMENT_NODE || !is_table_part(p))
		return p;
	for (const xmlNode *q = p; q && q->type == XML_ELEMENT_NODE;
	     q = q->parent)
		if (is_elem(q, "table"))
			return q;
	return p;
}

/* The form a control belongs to: form="id", else the nearest <form>
 * ancestor, else the last form while still in its scope. */
static s2s_err owner_of(struct s2s_form **out, const struct walk *w,
                        const xmlNode *n)
{
	struct s2s_html_page *page = w->page;
	bool ok = true;
	char *id = attr_dup(n, "form", &ok);

	*out = NULL;
	if (!ok)
		return S2S_ENOMEM;
	if (id) {
		for (size_t i = 0; i < page->nforms && !*out; i++)
			if (page->forms[i].id &&
			    strcmp(page->forms[i].id, id) == 0)
				*out = &page->forms[i];
		free(id);
		return S2S_OK;
	}
	if (w->depth)
		*out = form_at(w, w->stack[w->depth - 1]);
	else
		*out = w->last;
	return S2S_OK;
}

static s2s_err visit(struct walk *w, xmlNode *n)
{
	struct s2s_form *owner = NULL;
	xmlNode **stack;
	s2s_err rc;

	if (n->type != XML_ELEMENT_NODE)
		return S2S_OK;
	if (is_elem(n, "form")) {
		w->last = form_at(w, n);
		w->scope = scope_of(n);
		stack = grow_array(w->stack, w->depth, sizeof(*stack));
		if (!stack)
			return S2S_ENOMEM;
		w->stack = stack;
		w->stack[w->depth++] = n;
		return S2S_OK;
	}
	if (!is_control(n))
		return S2S_OK;
	rc = owner_of(&owner, w, n);
	if (rc || !owner)
		return rc;
	return add_control(w, owner, n);
}

/* Leave n and every ancestor it is the last child of, popping forms
 * and scopes on the way; the next node in document order, or NULL. */
static xmlNode *leave(struct walk *w, xmlNode *n)
{
	while (n && (const void *)n != (const void *)w->doc) {
		if (w->depth && w->stack[w->depth - 1] == n)
			w->depth--;
		if (n == w->scope) {
			w->scope = NULL;
			w->last = NULL;
		}
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* Second pass: the controls, in document order. */
static s2s_err walk_controls(struct walk *w)
{
	xmlNode *n = w->doc->children;
	s2s_err rc = S2S_OK;

	while (n && !rc) {
		rc = visit(w, n);
		if (n->type == XML_ELEMENT_NODE && n->children)
			n = n->children;
		else
			n = leave(w, n);
	}
	return rc;
}

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

/* True if s holds non-ASCII bytes and all of it is well-formed UTF-8
 * (no overlongs, no surrogates, nothing past U+10FFFF). */
static bool is_utf8(const unsigned char *s, size_t len)
{
	bool high = false;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		high = true;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return false;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return high;
}

/* Parse with libxml2's messages silenced for this call only: lib never
 * prints, and errors raised without a parser context (encoding
 * conversion) would otherwise reach stderr. */
static s2s_err parse_doc(xmlDoc **out, const char *html, size_t len)
{
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc old_structured = xmlStructuredError;
	void *old_structured_ctx = xmlStructuredErrorContext;
	htmlParserCtxtPtr ctxt;
	const char *enc;
	bool oom = true;

	*out = NULL;
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetStructuredErrorFunc(NULL, silent_structured);
	ctxt = htmlNewParserCtxt();
	if (ctxt) {
		/* Without a declared charset libxml2 falls back to Latin-1
		 * at the first non-ASCII byte, and we never see the HTTP
		 * Content-Type: sniff UTF-8 as browsers do; anything else
		 * goes by its <meta charset>. */
		enc = is_utf8((const unsigned char *)html, len) ? "UTF-8"
		                                                : NULL;
		*out = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, enc,
		                          PARSE_OPTIONS);
		oom = ctxt->errNo == XML_ERR_NO_MEMORY;
		htmlFreeParserCtxt(ctxt);
	}
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
	if (oom && *out) {
		s2s__xml_free_doc(*out);
		*out = NULL;
	}
	return oom ? S2S_ENOMEM : S2S_OK;
}

s2s_err s2s_html_parse(struct s2s_html_page **out, const char *url,
                       const char *html, size_t len, struct s2s_error *err)
{
	struct walk w;
	s2s_err rc = S2S_OK;

	S2S_ASSERT_ARG(out && url && (html || !len));
	*out = NULL;
	memset(&w, 0, sizeof(w));
	if (len > MAX_HTML)
		return s2s_error_set(err, S2S_EIDP,
		                     "HTML page is larger than 8 MiB");
	w.page = calloc(1, sizeof(*w.page));
	if (w.page)
		w.page->url = strdup(url);
	if (!w.page || !w.page->url)
		rc = S2S_ENOMEM;
	s2s__xml_init(); /* deny-all entity loader */
	if (!rc && len)
		rc = parse_doc(&w.doc, html, len);
	if (!rc && w.doc)
		rc = collect(&w);
	if (!rc && w.doc)
		rc = resolve_all(&w);
	if (!rc && w.doc)
		rc = walk_controls(&w);
	if (rc) {
		rc = nomem(err);
		goto out;
	}
	*out = w.page;
	w.page = NULL;
out:
	s2s__xml_free_doc(w.doc); /* NULL-safe */
	free(w.stack);
	free(w.base);
	free(w.refresh);
	s2s_html_page_free(w.page);
	return rc;
}

struct s2s_form_field *s2s_form_field_find(const struct s2s_form *form,
                                           const char *name)
{
	if (!form || !name)
		return NULL;
	for (size_t i = 0; i < form->nfields; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return &form->fields[i];
	return NULL;
}

struct s2s_form_field *s2s_form_field_by_type(const struct s2s_form *form,
                                              const char *type)
{
	if (!form || !type)
		return NULL;
	for (size_t i = 0; i < form->nfields; i++)
		if (strcasecmp(form->fields[i].type, type) == 0)
			return &form->fields[i];
	return NULL;
}

struct s2s_form *s2s_html_form_with_field(const struct s2s_html_page *page,
                                          const char *name)
{
	if (!page)
		return NULL;
	for (size_t i = 0; i < page->nforms; i++)
		if (s2s_form_field_find(&page->forms[i], name))
			return &page->forms[i];
	return NULL;
}

struct s2s_form_field *s2s_html_field_by_names(struct s2s_form **form_out,
                                               const struct s2s_html_page *page,
                                               const char *const *names)
{
	for (size_t i = 0; names && names[i]; i++) {
		struct s2s_form *form =
		        s2s_html_form_with_field(page, names[i]);

		if (form) {
			*form_out = form;
			return s2s_form_field_find(form, names[i]);
		}
	}
	return NULL;
}

struct s2s_form *s2s_html_form_with_type(const struct s2s_html_page *page,
                                         const char *type)
{
	if (!page)
		return NULL;
	for (size_t i = 0; i < page->nforms; i++)
		if (s2s_form_field_by_type(&page->forms[i], type))
			return &page->forms[i];
	return NULL;
}

s2s_err s2s_form_set(struct s2s_form *form, const char *name, const char *value,
                     struct s2s_error *err)
{
	struct s2s_form_field *f;
	char *copy;

	S2S_ASSERT_ARG(form && name && value);
	copy = s2s_secret_strdup(value);
	if (!copy)
		return nomem(err);
	f = s2s_form_field_find(form, name);
	if (f) {
		s2s_secret_free(f->value);
		f->value = copy;
		/* Setting a checkbox or radio means sending it. */
		if (strcmp(f->type, "checkbox") == 0 ||
		    strcmp(f->type, "radio") == 0)
			f->checked = true;
		return S2S_OK;
	}
	f = new_field(form);
	if (!f) {
		s2s_secret_free(copy);
		return nomem(err);
	}
	f->value = copy;
	f->name = strdup(name);
	f->type = strdup("text");
	if (!f->name || !f->type) {
		drop_last_field(form);
		return nomem(err);
	}
	return S2S_OK;
}

/* HTML's successful controls, less what a script-free submission by
 * Enter would send: no submitter, no files. */
static bool successful(const struct s2s_form_field *f)
{
	static const char *const never[] = { "submit", "button", "image",
		                             "reset", "file" };

	if (f->submitter)
		return true;
	for (size_t i = 0; i < S2S_ARRAY_SIZE(never); i++)
		if (strcmp(f->type, never[i]) == 0)
			return false;
	if (strcmp(f->type, "checkbox") == 0 || strcmp(f->type, "radio") == 0)
		return f->checked;
	return true;
}

s2s_err s2s_form_encode(const struct s2s_form *form, struct s2s_buf *out,
                        struct s2s_error *err)
{
	s2s_err rc;

	S2S_ASSERT_ARG(form && out);
	for (size_t i = 0; i < form->nfields; i++) {
		if (!successful(&form->fields[i]))
			continue;
		rc = s2s_form_append(out, form->fields[i].name,
		                     form->fields[i].value, err);
		if (rc)
			return rc;
	}
	if (s2s_buf_terminate(out))
		return nomem(err);
	return S2S_OK;
}

/* True if the space-separated list in s holds word. */
static bool has_token(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s) {
		size_t len;

		while (is_space(*s))
			s++;
		len = 0;
		while (s[len] && !is_space(s[len]))
			len++;
		if (len == n && strncmp(s, word, n) == 0)
			return true;
		s += len;
	}
	return false;
}

static bool elem_matches(const xmlNode *n, const char *attr, const char *value)
{
	bool ok = true, hit;
	char *v = attr_dup(n, attr, &ok);

	if (!v)
		return false;
	hit = strcmp(attr, "class") == 0 ? has_token(v, value)
	                                 : strcmp(v, value) == 0;
	free(v);
	return hit;
}

s2s_err s2s_html_find_text(char **out, const char *html, size_t len,
                           const char *attr, const char *value,
                           struct s2s_error *err)
{
	xmlDoc *doc = NULL;
	s2s_err rc;

	S2S_ASSERT_ARG(out && attr && value && (html || !len));
	*out = NULL;
	if (len > MAX_HTML)
		return s2s_error_set(err, S2S_EIDP,
		                     "HTML page is larger than 8 MiB");
	if (!len)
		return S2S_OK;
	s2s__xml_init(); /* deny-all entity loader */
	rc = parse_doc(&doc, html, len);
	if (rc)
		return nomem(err);
	for (xmlNode *n = doc ? doc->children : NULL; n && !*out;
	     n = s2s__xml_next_node(n, doc)) {
		if (n->type != XML_ELEMENT_NODE ||
		    !elem_matches(n, attr, value))
			continue;
		*out = text_dup(n);
		if (!*out) {
			rc = nomem(err);
			break;
		}
		collapse(*out);
	}
	s2s__xml_free_doc(doc);
	return rc;
}
