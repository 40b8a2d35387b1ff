#!/usr/bin/python3
"""The shibboleth-ecp adapter against a loopback Shibboleth ECP endpoint.

The mock implements the IdP side of the SAML 2.0 ECP profile (SAML
Profiles 4.2.4) as Shibboleth does at /idp/profile/SAML2/SOAP/ECP: it
requires HTTP Basic authentication (401 with WWW-Authenticate: Basic
otherwise), checks the PAOS headers and the SOAP 1.1 envelope with a
samlp:AuthnRequest (Issuer = the SP entity id of the site, ACS = the
site's ACS, ProtocolBinding = PAOS), and answers with a SOAP envelope whose
header holds ecp:Response (AssertionConsumerServiceURL) and whose body
holds the signed samlp:Response, or a Response with an error status, or a
SOAP Fault.  No HTML anywhere.
"""

import base64
import http.server
import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

ECP = "/idp/profile/SAML2/SOAP/ECP"
NS = {"S": "http://schemas.xmlsoap.org/soap/envelope/",
      "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
PAOS = 'ver="urn:liberty:paos:2003-08";"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"'
USERS = {"alice": "alice-pass", "dave": "dave-pass", "mfa": "mfa-pass",
         "fault": "fault-pass", "html": "html-pass", "other": "other-pass"}
PAOS_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:PAOS"

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/" xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><soap11:Header><ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" AssertionConsumerServiceURL="%s" soap11:actor="http://schemas.xmlsoap.org/soap/actor/next" soap11:mustUnderstand="1"/></soap11:Header><soap11:Body>%s</soap11:Body></soap11:Envelope>"""

ERROR_RESPONSE = """<saml2p:Response ID="_e1" IssueInstant="2026-01-01T00:00:00Z" Version="2.0"><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:%s"/></saml2p:StatusCode><saml2p:StatusMessage>%s</saml2p:StatusMessage></saml2p:Status></saml2p:Response>"""

FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body><soap11:Fault><faultcode>soap11:Server</faultcode><faultstring>An error occurred processing the request.</faultstring></soap11:Fault></soap11:Body></soap11:Envelope>"""


class ECPHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log = []
    sign_xml = None  # callable(user, site) -> signed Response XML (bytes)

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="text/xml;charset=UTF-8", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.log.append(("GET", self.path))
        self.send(405, b"", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        auth = self.headers.get("Authorization") or ""
        self.log.append(("POST", self.path, auth.split(" ")[0]))
        if self.path != ECP:
            return self.send(404, b"<html><title>Not Found</title></html>", "text/html")
        if not auth.startswith("Basic "):
            return self.send(401, b"", "text/plain",
                             [("WWW-Authenticate", 'Basic realm="Shibboleth ECP"')])
        user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
        if USERS.get(user) != pw:
            return self.send(401, b"", "text/plain",
                             [("WWW-Authenticate", 'Basic realm="Shibboleth ECP"')])
        # PAOS headers and the SOAP request, as SAML Profiles 4.2.3.1 says
        if ("application/vnd.paos+xml" not in (self.headers.get("Accept") or "")
                or self.headers.get("PAOS") != PAOS
                or not (self.headers.get("Content-Type") or "").startswith("text/xml")):
            return self.send(400, b"missing PAOS headers", "text/plain")
        try:
            env = ET.fromstring(body)
            req = env.find("S:Body/samlp:AuthnRequest", NS)
            issuer = req.find("saml:Issuer", NS).text
            acs = req.get("AssertionConsumerServiceURL")
            binding = req.get("ProtocolBinding")
            rid = req.get("ID")
        except Exception:  # noqa: BLE001
            return self.send(500, FAULT.encode())
        self.log.append(("AUTHN", issuer, acs, binding, bool(rid)))
        site = next((s for s, v in mockidp.SITES.items() if v["audience"] == issuer), None)
        if not site or acs != mockidp.SITES[site]["acs"] or binding != PAOS_BINDING or not rid:
            return self.send(500, FAULT.encode())
        if user == "dave":
            inner = ERROR_RESPONSE % ("AuthnFailed", "Account locked")
        elif user == "mfa":
            inner = ERROR_RESPONSE % ("NoAuthnContext", "The request requires multi-factor authentication")
        elif user == "fault":
            return self.send(500, FAULT.encode())
        elif user == "html":
            return self.send(200, b"<html><head><title>Web Login Service</title></head><body><form></form></body></html>",
                             "text/html")
        else:
            inner = self.sign_xml(user, site).decode()
            if inner.startswith("<?xml"):
                inner = inner[inner.index("?>") + 2:].lstrip()
        acs_out = "https://evil.example/acs" if user == "other" else acs
        return self.send(200, (ENVELOPE % (acs_out, inner)).encode())


class ShibbolethECPTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(ECPHandler)
        cls.idp.start()
        ECPHandler.sign_xml = cls.idp.sign_xml_for

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        ECPHandler.log.clear()

    def run_s2s(self, user, *args, password=None, extra="", site="cn", url=None):
        if password is None:
            password = USERS[user]
        cfg = ("[default]\nprovider = shibboleth-ecp\nurl = %s\nusername = %s\nsite = %s\n%s"
               % (url or self.idp.base_url, user, site, extra))
        return self.idp.run(cfg, list(args) or ["list-roles", "--output", "json"], password=password)

    def test_login_to_sts_signature_survives_extraction(self):
        r = self.run_s2s("alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), 1)
        authn = [e for e in ECPHandler.log if e[0] == "AUTHN"][0]
        self.assertEqual(authn[1:], ("urn:alibaba:cloudcomputing", "https://signin.aliyun.com/saml-role/sso",
                                     PAOS_BINDING, True))
        # one request, Basic credentials sent right away
        self.assertEqual([e[2] for e in ECPHandler.log if e[0] == "POST"], ["Basic"])

    def test_intl_site_and_explicit_ecp_url(self):
        r = self.run_s2s("alice", site="intl", url="https://idp.invalid/idp/shibboleth",
                         extra="shibboleth.ecp_url = %s%s\n" % (self.idp.base_url, ECP))
        self.assertEqual(r.returncode, 0, r.stderr)
        authn = [e for e in ECPHandler.log if e[0] == "AUTHN"][0]
        self.assertEqual(authn[1], "urn:alibaba:cloudcomputing:international")
        self.assertEqual(authn[2], "https://signin.alibabacloud.com/saml-role/sso")

    def test_debug_trace_hides_credentials_and_assertion(self):
        r = self.run_s2s("alice", "--debug", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        basic = base64.b64encode(b"alice:alice-pass")
        for secret in (b"alice-pass", basic, b"SignatureValue", b"saml2p:Response"):
            self.assertNotIn(secret, r.stderr)
            self.assertNotIn(secret, r.stdout)

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)

    def test_locked_exit_3(self):
        r = self.run_s2s("dave")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("AuthnFailed", r.stderr.decode())

    def test_mfa_required_exit_4(self):
        r = self.run_s2s("mfa")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("shibboleth adapter", r.stderr.decode())

    def test_soap_fault_exit_5(self):
        r = self.run_s2s("fault")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("SOAP Fault", r.stderr.decode())

    def test_html_instead_of_soap_exit_5(self):
        r = self.run_s2s("html")
        self.assertEqual(r.returncode, 5, r.stderr)

    def test_response_for_another_acs_exit_5(self):
        r = self.run_s2s("other")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("another ACS", r.stderr.decode())

    def test_no_ecp_endpoint_exit_5(self):
        r = self.run_s2s("alice", extra="shibboleth.ecp_url = %s/idp/profile/nope\n" % self.idp.base_url)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("HTTP 404", r.stderr.decode())

    def test_unknown_key_rejected(self):
        r = self.run_s2s("alice", extra="shibboleth.ecp = x\n")
        self.assertEqual(r.returncode, 2, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
