/* SPDX-License-Identifier: MIT */
/*
 * The client side of the SAML ECP profile: the SOAP envelope with a
 * PAOS AuthnRequest, and the samlp:Response taken out of the IdP's SOAP
 * answer as a document of its own.  The Response is copied with every
 * namespace declaration in scope at it, so its canonical form (and so
 * its signature) is the same as inside the envelope.  The answer goes
 * through the one hardened XML parse (xmlparse.c).  No HTTP here.
 */
#include <time.h>

#include <libxml/tree.h>
#include <openssl/rand.h>

#include "common.h"
#include "saml2sts/ecp.h"
#include "saml2sts/base64.h"
#include "saml2sts/isotime.h"
#include "xmlparse.h"

#define NS_SOAP  "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_ECP   "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"
#define STATUS   "urn:oasis:names:tc:SAML:2.0:status:"

/* XML-escape s into out (attribute and text safe). */
static s2s_err put_escaped(struct s2s_buf *out, const char *s)
{
	s2s_err rc = S2S_OK;

	for (; *s && !rc; s++) {
		switch (*s) {
		case '&':
			rc = s2s_buf_puts(out, "&amp;");
			break;
		case '<':
			rc = s2s_buf_puts(out, "&lt;");
			break;
		case '>':
			rc = s2s_buf_puts(out, "&gt;");
			break;
		case '"':
			rc = s2s_buf_puts(out, "&quot;");
			break;
		default:
			rc = s2s_buf_add(out, s, 1);
		}
	}
	return rc;
}

s2s_err s2s_ecp_request(struct s2s_buf *out, const char *sp_entity,
                        const char *acs_url, struct s2s_error *err)
{
	unsigned char rnd[16];
	char id[2 * sizeof(rnd) + 2], instant[32];
	s2s_err rc;

	S2S_ASSERT_ARG(out && sp_entity && acs_url);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return s2s_error_set(err, S2S_ERROR, "no random bytes");
	id[0] = '_';
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(id + 1 + 2 * i, 3, "%02x", rnd[i]);
	s2s_time_format_utc(instant, sizeof(instant), time(NULL));
	rc = s2s_buf_printf(
	        out,
	        "<S:Envelope xmlns:S=\"" NS_SOAP "\"><S:Body>"
	        "<samlp:AuthnRequest xmlns:samlp=\"" NS_SAMLP "\" "
	        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" "
	        "ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\" "
	        "ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:PAOS\" "
	        "AssertionConsumerServiceURL=\"",
	        id, instant);
	if (!rc)
		rc = put_escaped(out, acs_url);
	if (!rc)
		rc = s2s_buf_puts(out, "\"><saml:Issuer>");
	if (!rc)
		rc = put_escaped(out, sp_entity);
	if (!rc)
		rc = s2s_buf_puts(out, "</saml:Issuer><samlp:NameIDPolicy "
		                       "AllowCreate=\"true\"/>"
		                       "</samlp:AuthnRequest></S:Body>"
		                       "</S:Envelope>");
	if (rc)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	return S2S_OK;
}

static bool is(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, ns, name))
			return c;
	return NULL;
}

/* Far above any real answer; the HTTP session caps bodies at 8 MiB too. */
static const struct s2s__xml_limits answer_limits = {
	.what = "the ECP answer",
	.code = S2S_EIDP,
	.max = (size_t)8 << 20,
};

/* The top-level StatusCode Value of resp, or NULL; borrowed via *tmp. */
static const char *status_of(xmlNode *resp, xmlChar **tmp)
{
	xmlNode *code =
	        child(child(resp, NS_SAMLP, "Status"), NS_SAMLP, "StatusCode");

	*tmp = code ? xmlGetProp(code, BAD_CAST "Value") : NULL;
	return (const char *)*tmp;
}

static s2s_err check_status(xmlNode *resp, struct s2s_error *err)
{
	xmlChar *tmp = NULL, *sub = NULL;
	xmlNode *code =
	        child(child(resp, NS_SAMLP, "Status"), NS_SAMLP, "StatusCode");
	const char *v = status_of(resp, &tmp);
	const char *s;
	s2s_err rc = S2S_OK;

	if (!v) {
		rc = s2s_error_set(err, S2S_EIDP,
		                   "the ECP Response has no StatusCode");
		goto out;
	}
	if (strcmp(v, STATUS "Success") == 0)
		goto out;
	code = child(code, NS_SAMLP, "StatusCode");
	sub = code ? xmlGetProp(code, BAD_CAST "Value") : NULL;
	s = sub ? (const char *)sub : v;
	if (strncmp(s, STATUS, strlen(STATUS)) == 0)
		s += strlen(STATUS);
	if (strcmp(s, "AuthnFailed") == 0 ||
	    strcmp(s, "UnknownPrincipal") == 0 ||
	    strcmp(s, "RequestDenied") == 0)
		rc = s2s_error_set(err, S2S_EAUTH,
		                   "the IdP refused the login (ECP status "
		                   "%.60s)",
		                   s);
	else if (strcmp(s, "NoAuthnContext") == 0)
		rc = s2s_error_set(err, S2S_EMFA,
		                   "the IdP wants a second factor that ECP "
		                   "cannot give (ECP status NoAuthnContext): "
		                   "use the shibboleth adapter");
	else
		rc = s2s_error_set(err, S2S_EIDP, "ECP status %.80s", s);
out:
	xmlFree(tmp);
	xmlFree(sub);
	return rc;
}

/* The ecp:Response header names the ACS the IdP chose: it must be the
 * one we asked for (SAML Profiles 4.2.4.5 makes the ECP compare). */
static s2s_err check_acs(xmlNode *envelope, const char *acs_url,
                         struct s2s_error *err)
{
	xmlNode *hdr =
	        child(child(envelope, NS_SOAP, "Header"), NS_ECP, "Response");
	xmlChar *acs;
	s2s_err rc = S2S_OK;

	if (!hdr || !acs_url)
		return S2S_OK;
	acs = xmlGetProp(hdr, BAD_CAST "AssertionConsumerServiceURL");
	if (acs && strcmp((const char *)acs, acs_url) != 0)
		rc = s2s_error_set(
		        err, S2S_EIDP,
		        "the ECP answer is for another ACS (%.100s), "
		        "not %s",
		        (const char *)acs, acs_url);
	xmlFree(acs);
	return rc;
}

/* resp as a document of its own, with every namespace in scope. */
static s2s_err serialise(struct s2s_buf *out, xmlDoc *doc, xmlNode *resp,
                         struct s2s_error *err)
{
	xmlDoc *copy = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = copy ? xmlDocCopyNode(resp, copy, 1) : NULL;
	xmlNs **inscope = NULL;
	xmlBuffer *buf = NULL;
	s2s_err rc = S2S_OK;

	if (!root) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	xmlDocSetRootElement(copy, root);
	inscope = xmlGetNsList(doc, resp);
	for (size_t i = 0; inscope && inscope[i]; i++)
		(void)xmlNewNs(root, inscope[i]->href, inscope[i]->prefix);
	buf = xmlBufferCreate();
	if (!buf || xmlNodeDump(buf, copy, root, 0, 0) < 0) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	rc = s2s_base64_encode(out, xmlBufferContent(buf),
	                       (size_t)xmlBufferLength(buf), err);
	s2s_memzero(buf->content, (size_t)xmlBufferLength(buf));
out:
	xmlFree(inscope);
	xmlBufferFree(buf);
	s2s__xml_free_doc(copy);
	return rc;
}

s2s_err s2s_ecp_response(struct s2s_buf *saml_b64, const char *soap, size_t len,
                         const char *acs_url, struct s2s_error *err)
{
	xmlDoc *doc = NULL;
	xmlNode *env, *body, *resp;
	s2s_err rc;

	S2S_ASSERT_ARG(saml_b64 && (soap || !len));
	rc = s2s__xml_parse(&doc, soap, len, &answer_limits, err);
	if (rc)
		return rc;
	env = xmlDocGetRootElement(doc);
	body = is(env, NS_SOAP, "Envelope") ? child(env, NS_SOAP, "Body")
	                                    : NULL;
	if (!body) {
		rc = s2s_error_set(err, S2S_EIDP,
		                   "the ECP answer is not a SOAP envelope");
		goto out;
	}
	if (child(body, NS_SOAP, "Fault")) {
		rc = s2s_error_set(err, S2S_EIDP,
		                   "the IdP answered the ECP request with a "
		                   "SOAP Fault");
		goto out;
	}
	resp = child(body, NS_SAMLP, "Response");
	if (!resp) {
		rc = s2s_error_set(err, S2S_EIDP,
		                   "the ECP answer holds no samlp:Response");
		goto out;
	}
	rc = check_status(resp, err);
	if (!rc)
		rc = check_acs(env, acs_url, err);
	if (!rc)
		rc = serialise(saml_b64, doc, resp, err);
out:
	s2s__xml_free_doc(doc); /* wipes: the Response is a bearer token */
	return rc;
}
