#!/usr/bin/python3
"""The form adapter against an IdP it was not tuned for.

A small loopback IdP (stdlib http.server) with a login flow unlike
SimpleSAMLphp's: a redirect that sets a session cookie, an identifier-first
page (username only), a password page whose form posts to another path and
whose submit button is named, an error shown on the same page, a meta
refresh, an auto-submit hop with only hidden fields, and finally the
SAMLResponse form aimed at Alibaba's ACS.  list-roles drives it (no STS).
"""

import base64
import html
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))

RESPONSE = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="2026-01-01T00:00:00Z"
 Destination="https://signin.aliyun.com/saml-role/sso">
 <saml:Issuer>https://idp.example.test/</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example.test/</saml:Issuer>
  <saml:Subject><saml:NameID>zoe@example.test</saml:NameID></saml:Subject>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">
    <saml:AttributeValue>acs:ram::1111111111111111:role/ops,acs:ram::1111111111111111:saml-provider/corp</saml:AttributeValue>
   </saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>zoe</saml:AttributeValue>
   </saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>"""

SAML_B64 = base64.b64encode(RESPONSE.encode()).decode()


def page(title, body):
    return ("<!DOCTYPE html><html><head><title>%s</title></head><body>%s"
            "</body></html>" % (title, body)).encode()


class IdP(http.server.BaseHTTPRequestHandler):
    seen = []  # (method, path) of every request

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def form(self):
        n = int(self.headers.get("Content-Length", 0))
        return urllib.parse.parse_qs(self.rfile.read(n).decode(),
                                     keep_blank_values=True)

    def cookie_ok(self):
        return "sid=s3ss10n" in (self.headers.get("Cookie") or "")

    def do_GET(self):
        self.seen.append(("GET", self.path))
        path = urllib.parse.urlsplit(self.path).path
        if path == "/sso/alibaba":
            return self.send(302, headers=[("Location", "/u/login?flow=7"),
                                           ("Set-Cookie", "sid=s3ss10n; Path=/; HttpOnly")])
        if path == "/u/login":
            if not self.cookie_ok():
                return self.send(400, page("No session", "cookie missing"))
            return self.send(200, page("Sign in", """
<FORM METHOD=post ACTION="/u/identify?flow=7">
 <label>Email <INPUT type=email NAME=identifier></label>
 <input type=hidden name=flow value="7&amp;x">
 <button type=submit>Next</button>
</FORM>"""))
        if path == "/hop":
            return self.send(200, page("Working...", """
<form method="post" action="continue"><input type="hidden" name="ticket" value="t-42"/>
<noscript><input type="submit" value="Continue"/></noscript></form>
<script>document.forms[0].submit()</script>"""))
        if path == "/weird":
            return self.send(200, page("Choose your adventure", """
<form method=post action=/x><input name=a><input name=b></form>"""))
        return self.send(404, page("Not found", "nope"))

    def password_page(self, error=""):
        return page("Password", """%s
<form id="pw" action="/u/password" method="post">
 <input type="hidden" name="flow" value="7">
 <input type="text" name="identifier" value="zoe@example.test" readonly>
 <input type="password" name="secret">
 <input type="checkbox" name="remember" value="yes">
 <button type="submit" name="action" value="login">Log in</button>
</form>""" % error)

    def do_POST(self):
        self.seen.append(("POST", self.path))
        path = urllib.parse.urlsplit(self.path).path
        f = self.form()
        if not self.cookie_ok():
            return self.send(400, page("No session", "cookie missing"))
        if path == "/u/identify":
            if f.get("identifier") != ["zoe@example.test"] or f.get("flow") != ["7&x"]:
                return self.send(400, page("Bad request", json.dumps(f)))
            return self.send(303, headers=[("Location", "/u/password-page")])
        if path == "/u/password":
            if f.get("secret") != ["zoe-pass"]:
                return self.send(200, self.password_page(
                    "<p class=error>Wrong email or password</p>"))
            if "remember" in f:
                return self.send(400, page("Bad request", "unchecked box sent"))
            if f.get("action") != ["login"]:
                return self.send(400, page("Bad request", "default button not sent"))
            return self.send(200, page("Redirecting", """
<meta http-equiv="Refresh" content="0; URL='/hop'">"""))
        if path == "/continue":
            if f.get("ticket") != ["t-42"]:
                return self.send(400, page("Bad request", "ticket"))
            return self.send(200, page("POST data", """
<form method="post"
  action="https://signin.aliyun.com/saml-role/sso">
<input type="hidden" name="SAMLResponse" value="%s" />
<input type="hidden" name="RelayState" value="" />
</form>""" % html.escape(SAML_B64)))
        return self.send(404, page("Not found", "nope"))


# GET of the password page after the 303
_orig_get = IdP.do_GET


def _get(self):
    if urllib.parse.urlsplit(self.path).path == "/u/password-page":
        self.seen.append(("GET", self.path))
        if not self.cookie_ok():
            return self.send(400, page("No session", "cookie missing"))
        return self.send(200, self.password_page())
    return _orig_get(self)


IdP.do_GET = _get


class FormAdapterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), IdP)
        cls.port = cls.server.server_address[1]
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.dir = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.dir.cleanup()

    def run_s2s(self, path, *args, password="zoe-pass"):
        cfg = os.path.join(self.dir.name, "config")
        with open(cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d%s\n"
                    "username = zoe@example.test\n" % (self.port, path))
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir.name,
               "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        if password is not None:
            env["SAML2STS_PASSWORD"] = password
        IdP.seen.clear()
        return subprocess.run([BIN, "--config", cfg] + list(args), env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    def test_identifier_first_flow_with_hops(self):
        r = self.run_s2s("/sso/alibaba", "list-roles", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        js = json.loads(r.stdout)
        self.assertEqual(js["accounts"][0]["roles"][0]["role_arn"],
                         "acs:ram::1111111111111111:role/ops")
        self.assertEqual(js["session_name"], "zoe")
        self.assertEqual([m for m, _ in IdP.seen],
                         ["GET", "GET", "POST", "GET", "POST", "GET", "POST"])
        # the SAMLResponse form was not posted anywhere
        self.assertNotIn("/saml-role/sso", " ".join(p for _, p in IdP.seen))

    def test_wrong_password_is_exit_3(self):
        r = self.run_s2s("/sso/alibaba", "list-roles", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)
        self.assertNotIn(b"nope", r.stderr)

    def test_unknown_page_is_exit_5_with_url_and_title(self):
        r = self.run_s2s("/weird?token=secret", "list-roles")
        self.assertEqual(r.returncode, 5, r.stderr)
        err = r.stderr.decode()
        self.assertIn("http://127.0.0.1:%d/weird" % self.port, err)
        self.assertIn('"Choose your adventure"', err)
        self.assertNotIn("token=secret", err)

    def test_http_error_page_is_exit_5(self):
        r = self.run_s2s("/missing", "list-roles")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("HTTP 404", r.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
