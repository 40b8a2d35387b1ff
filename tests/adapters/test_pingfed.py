#!/usr/bin/python3
"""The pingfed adapter against a loopback PingFederate + PingID.

The mock serves what PingFederate's HTML Form Adapter and PingID serve:
GET /idp/startSSO.ping?PartnerSpId=<SP entity id> sets the PF cookie and
answers the login form (pf.username, pf.pass, hidden pf.ok, pf.cancel,
pf.adapterId; the action relative with a random segment,
/idp/<rand>/resumeSAML20/idp/startSSO.ping; the legacy variant has USER and
PASSWORD and an absolute action).  A wrong password re-serves the form with
div.ping-error; an unknown PartnerSpId or a refused sign-on is the "Sign On
Error" page.  MFA users get the PingID hand-off form (ppm_request,
idp_account_id) to /pingid/ppm/auth, which sets the .csrf cookie and
answers the WebAuthn probe (isWebAuthnSupportedByBrowser), the device list
(form[name=device-form], ul.device-list > li[data-id] with
span.device-name), the OTP form (form#otp-form: otp, csrfToken left empty
for the page script to copy from the .csrf cookie) or the swipe page
(form#form1 to /pingid/ppm/auth/status, polled as GET with csrfToken,
answering {"status": ...}; form#reponseView to /pingid/ppm/auth/response;
div.numbermatching for number matching).  PingID then posts back to
PingFederate with form#form1 (ppm_response), which answers the SAMLResponse
form for the Alibaba Cloud ACS.  Anything posted to a saml-role path fails
the test.
"""

import html
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

OTP = "482913"
PARTNERS = {"urn:alibaba:cloudcomputing": "cn",
            "urn:alibaba:cloudcomputing:international": "intl",
            "urn:example:custom-sp": "cn"}
# user -> (password, kind, swipe script)
USERS = {
    "alice": ("alice-pass", None, None),
    "bob": ("bob-pass", "otp", None),
    "carol": ("carol-pass", "swipe", ["ASYNC_AUTH_WAIT", "ASYNC_AUTH_WAIT", "OK"]),
    "dan": ("dan-pass", "swipe-number", ["ASYNC_AUTH_WAIT", "OK"]),
    "erin": ("erin-pass", "devices", ["ASYNC_AUTH_WAIT", "OK"]),
    "tim": ("tim-pass", "swipe", ["ASYNC_AUTH_WAIT", "TIMEOUT"]),
    "dct": ("dct-pass", "swipe", ["DEVICE_CLAIM_TIMEOUT"]),
    "unk": ("unk-pass", "swipe", ["ASYNC_AUTH_WAIT", "SOMETHING_NEW"]),
    "deny": ("deny-pass", "swipe", ["ASYNC_AUTH_WAIT", "OK"]),
    "slow": ("slow-pass", "swipe", ["ASYNC_AUTH_WAIT"] * 1000),
    "lock": ("lock-pass", "locked", None),
    "fail": ("fail-pass", "signon-error", None),
    "newpw": ("newpw-pass", "change-password", None),
    "oacs": ("oacs-pass", "other-acs", None),
}
DEVICES = [("dev-iphone-7f3a", "iPhone 15"), ("dev-yubi-91c2", "YubiKey")]


def page(title, body):
    return ("<!DOCTYPE html><html lang=\"en\"><head><title>%s</title></head><body>"
            "<div class=\"ping-container\">%s</div></body></html>"
            % (html.escape(title), body)).encode()


class PingFed(http.server.BaseHTTPRequestHandler):
    log = []
    sessions = {}  # PF cookie -> dict
    acs_hits = []
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=(), ctype="text/html;charset=utf-8"):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                out[k] = v
        return out

    def session(self):
        return self.sessions.get(self.cookies().get("PF", ""))

    def bad(self, why):
        return self.send(400, page("Bad request", "<p>%s</p>" % html.escape(why)))

    def sign_on_error(self, text):
        return self.send(200, page("Sign On Error", "<div class=\"ping-header\">Sign On Error"
                                   "</div><div class=\"ping-error\">%s</div>" % html.escape(text)))

    # --- PingFederate pages ----------------------------------------------

    def login_page(self, s, error=""):
        err = "<div class=\"ping-error\">%s</div>" % html.escape(error) if error else ""
        if s["legacy"]:
            return page("Sign On", """%s
<form method="POST" action="%s/idp/%s/resumeSAML20/idp/startSSO.ping" autocomplete="off">
 <input id="username" type="text" name="USER" value=""/>
 <input id="password" type="password" name="PASSWORD"/>
 <input type="hidden" name="pf.adapterId" value="LegacyForm"/>
 <input type="submit" value="Sign On"/>
</form>""" % (err, self.server.mock.base_url, s["rand"]))
        return page("Sign On", """<div class="ping-body-container">%s
<form method="POST" action="/idp/%s/resumeSAML20/idp/startSSO.ping" autocomplete="off">
 <div class="ping-input-label">Username</div>
 <input id="username" type="text" size="36" name="pf.username" value="" autocorrect="off"/>
 <div class="ping-input-label">Password</div>
 <input id="password" type="password" size="36" name="pf.pass"/>
 <input type="checkbox" name="pf.rememberUsername" id="rememberUsername"/>
 <input type="hidden" name="pf.ok" value="" id="ok"/>
 <input type="hidden" name="pf.cancel" value="" id="cancel"/>
 <input type="hidden" name="pf.adapterId" value="HTMLFormAdapter" id="adapterId"/>
 <a href="javascript:void(0)" onclick="postOk();" class="ping-button normal allow">Sign On</a>
</form></div>""" % (err, s["rand"]))

    def saml_page(self, s):
        saml = self.server.mock.sign_for(s["user"], s["site"])
        acs = mockidp.SITES[s["site"]]["acs"]
        if USERS[s["user"]][1] == "other-acs":  # an SP connection for another SP
            acs = "https://sp.example.test/saml/acs"
        return ("<html><head><title>Submit Form</title></head><body onload=\"javascript:"
                "document.forms[0].submit()\"><noscript><p><strong>Note:</strong> Since your "
                "browser does not support JavaScript, you must press the Resume button once to "
                "proceed.</p></noscript><form method=\"post\" action=\"%s\"><input type=\"hidden\" "
                "name=\"SAMLResponse\" value=\"%s\"/><input type=\"hidden\" name=\"RelayState\" "
                "value=\"\"/><noscript><input type=\"submit\" value=\"Resume\"/></noscript></form>"
                "</body></html>" % (acs, html.escape(saml))).encode()

    def handoff_page(self, s):
        s["ppm_request"] = uuid.uuid4().hex
        return page("Submit Form", """
<form method="post" action="/pingid/ppm/auth">
 <input type="hidden" name="ppm_request" value="%s"/>
 <input type="hidden" name="idp_account_id" value="acct-4be1"/>
 <noscript><input type="submit" value="Resume"/></noscript>
</form>""" % s["ppm_request"])

    # --- PingID pages ----------------------------------------------------

    def webauthn_page(self):
        return page("PingID", """
<form method="post" action="/pingid/ppm/auth/webauthn" id="webauthn-form">
 <input type="hidden" name="isWebAuthnSupportedByBrowser" id="isWebAuthnSupportedByBrowser" value=""/>
 <input type="hidden" name="csrfToken" value=""/>
</form>""")

    def devices_page(self):
        items = "".join("<li class=\"device-item\" data-id=\"%s\"><span class=\"device-icon\">"
                        "</span><span class=\"device-name\">%s</span></li>" % d for d in DEVICES)
        return page("PingID", """
<form name="device-form" method="post" action="/pingid/ppm/auth/selectDevice">
 <input type="hidden" name="deviceId" value=""/>
 <input type="hidden" name="csrfToken" value=""/>
</form>
<ul class="device-list">%s</ul>""" % items)

    def otp_page(self, error=""):
        err = "<div class=\"otp-error\">%s</div>" % html.escape(error) if error else ""
        return page("PingID", """%s
<form id="otp-form" method="post" action="/pingid/ppm/auth/otp">
 <input type="text" name="otp" id="otp" autocomplete="off"/>
 <input type="hidden" name="csrfToken" value=""/>
 <input type="submit" value="Sign On" class="button"/>
</form>""" % err)

    def swipe_page(self, number):
        num = "<div class=\"numbermatching\">%s</div>" % number if number else ""
        return page("PingID", """<div class="swipe-animation"></div>%s
<form id="form1" method="post" action="/pingid/ppm/auth/status">
 <input type="hidden" name="csrfToken" value=""/>
</form>
<form id="reponseView" method="get" action="/pingid/ppm/auth/response">
 <input type="hidden" name="csrfToken" value=""/>
</form>""" % num)

    def postback_page(self, s):
        s["ppm_response"] = uuid.uuid4().hex
        return page("Submit Form", """
<form id="form1" method="post" action="/idp/%s/resumeSAML20/idp/startSSO.ping">
 <input type="hidden" name="ppm_response" value="%s"/>
</form>""" % (s["rand"], s["ppm_response"]))

    def csrf_ok(self, s, form):
        return (s.get("csrf") and self.cookies().get(".csrf") == s["csrf"]
                and form.get("csrfToken") == [s["csrf"]])

    # --- dispatch ----------------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        self.log.append(("GET", u.path, q, time.monotonic()))
        if u.path == "/idp/startSSO.ping":
            sp = (q.get("PartnerSpId") or [""])[0]
            if sp not in PARTNERS:
                return self.sign_on_error("Unknown partner: %s" % sp[:40])
            sid = uuid.uuid4().hex
            s = {"site": PARTNERS[sp], "sp": sp, "rand": uuid.uuid4().hex[:5], "user": None,
                 "stage": "login", "legacy": "legacy" in q, "polls": 0}
            with self.lock:
                self.sessions[sid] = s
            return self.send(200, self.login_page(s), headers=[
                ("Set-Cookie", "PF=%s; Path=/; HttpOnly" % sid)])
        s = self.session()
        if not s:
            return self.bad("no PF session")
        if u.path == "/pingid/ppm/auth/status":
            if s["stage"] != "swipe" or not self.csrf_ok(s, q):
                return self.send(403, b'{"status":"BAD_CSRF"}', ctype="application/json")
            script = USERS[s["user"]][2]
            st = script[min(s["polls"], len(script) - 1)]
            s["polls"] += 1
            if st == "OK":
                s["stage"] = "swiped"
            return self.send(200, json.dumps({"status": st}).encode(), ctype="application/json")
        if u.path == "/pingid/ppm/auth/response":
            if s["stage"] != "swiped" or not self.csrf_ok(s, q):
                return self.bad("response view before the swipe was approved")
            s["stage"] = "postback"
            return self.send(200, self.postback_page(s))
        return self.send(404, page("Not Found", "<p>not found</p>"))

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(n).decode()
        form = urllib.parse.parse_qs(raw, keep_blank_values=True)
        self.log.append(("POST", u.path, form, time.monotonic()))
        if "saml-role" in u.path:
            self.acs_hits.append(u.path)
            return self.bad("the assertion was posted to the ACS")
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.bad("content type")
        s = self.session()
        if not s:
            return self.bad("no PF session")
        m = re.fullmatch(r"/idp/([0-9a-f]+)/resumeSAML20/idp/startSSO.ping", u.path)
        if m:
            if m.group(1) != s["rand"]:
                return self.sign_on_error("Resume path not found")
            if s["stage"] == "postback":
                if form.get("ppm_response") != [s["ppm_response"]]:
                    return self.sign_on_error("PingID response not valid")
                if s["user"] == "deny":  # the user denied the swipe (modelled)
                    return self.sign_on_error("Authentication Failed")
                s["stage"] = "done"
                return self.send(200, self.saml_page(s))
            if s["stage"] != "login":
                return self.sign_on_error("Unexpected state")
            ufield, pfield = ("USER", "PASSWORD") if s["legacy"] else ("pf.username", "pf.pass")
            if not s["legacy"] and (form.get("pf.ok") != ["clicked"] or form.get("pf.cancel") != [""]
                                    or form.get("pf.adapterId") != ["HTMLFormAdapter"]):
                return self.bad("hidden fields")
            if s["legacy"] and form.get("pf.adapterId") != ["LegacyForm"]:
                return self.bad("hidden fields")
            user = (form.get(ufield) or [""])[0]
            pw = (form.get(pfield) or [""])[0]
            rec = USERS.get(user)
            if not rec or rec[0] != pw:
                return self.send(200, self.login_page(
                    s, "We didn't recognize the username or password you entered. Please try again."))
            s["user"] = user
            kind = rec[1]
            if kind == "locked":
                return self.send(200, self.login_page(
                    s, "Your account is locked. Please contact your system administrator."))
            if kind == "signon-error":
                return self.sign_on_error("Authentication Failed")
            if kind == "change-password":
                return self.send(200, page("Change Password", """
<form method="POST" action="/idp/chpw"><input type="password" name="pf.new"/>
<input type="password" name="pf.confirm"/><input type="submit" value="Change"/></form>"""))
            if kind in (None, "other-acs"):
                s["stage"] = "done"
                return self.send(200, self.saml_page(s))
            s["stage"] = "handoff"
            return self.send(200, self.handoff_page(s))
        if u.path == "/pingid/ppm/auth":
            if s["stage"] != "handoff" or form.get("ppm_request") != [s["ppm_request"]] \
                    or form.get("idp_account_id") != ["acct-4be1"]:
                return self.bad("ppm_request")
            s["csrf"] = uuid.uuid4().hex
            kind = USERS[s["user"]][1]
            hdr = [("Set-Cookie", ".csrf=%s; Path=/pingid" % s["csrf"])]
            if kind == "otp":
                s["stage"] = "webauthn"
                return self.send(200, self.webauthn_page(), headers=hdr)
            if kind == "devices":
                s["stage"] = "devices"
                return self.send(200, self.devices_page(), headers=hdr)
            s["stage"] = "swipe"
            return self.send(200, self.swipe_page("42" if kind == "swipe-number" else None),
                             headers=hdr)
        if u.path == "/pingid/ppm/auth/webauthn":
            if s["stage"] != "webauthn" or form.get("isWebAuthnSupportedByBrowser") != ["false"]:
                return self.bad("webauthn")
            s["stage"] = "otp"
            return self.send(200, self.otp_page())
        if u.path == "/pingid/ppm/auth/selectDevice":
            dev = (form.get("deviceId") or [""])[0]
            if s["stage"] != "devices" or dev not in [d[0] for d in DEVICES] \
                    or not self.csrf_ok(s, form):
                return self.bad("device")
            s["device"] = dev
            if dev == "dev-yubi-91c2":
                s["stage"] = "otp"
                return self.send(200, self.otp_page())
            s["stage"] = "swipe"
            return self.send(200, self.swipe_page(None))
        if u.path == "/pingid/ppm/auth/otp":
            if s["stage"] != "otp" or not self.csrf_ok(s, form):
                return self.bad("otp csrf")
            if form.get("otp") != [OTP]:
                return self.send(200, self.otp_page("Incorrect passcode. Please try again."))
            s["stage"] = "postback"
            return self.send(200, self.postback_page(s))
        if u.path == "/pingid/ppm/auth/status":
            return self.send(405, b'{"status":"METHOD_NOT_ALLOWED"}', ctype="application/json")
        return self.send(404, page("Not Found", "<p>not found</p>"))


class PingFedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(PingFed).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        PingFed.log.clear()

    def tearDown(self):
        self.assertEqual(PingFed.acs_hits, [])

    def config(self, user, extra="", site="cn", url=None):
        if "poll_interval" not in extra:
            extra += "pingfed.poll_interval = 100\n"
        return ("[default]\nprovider = pingfed\nurl = %s\nusername = %s\nsite = %s\n%s"
                % (url or self.idp.base_url + "/", user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, url=None):
        if password is None:
            password = USERS[user][0]
        return self.idp.run(self.config(user, extra, site, url),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def err1(self, r):
        """The error line: the last one (a PingID notice may come first)."""
        lines = r.stderr.decode().strip().splitlines()
        self.assertTrue(lines, r.stderr)
        self.assertTrue(lines[-1].startswith("saml2sts: "), r.stderr)
        return lines[-1]

    def posts(self, path_re):
        return [e for e in PingFed.log if e[0] == "POST" and re.search(path_re, e[1])]

    def password_posts(self):
        return [e for e in self.posts(r"resumeSAML20")
                if "pf.pass" in e[2] or "PASSWORD" in e[2]]

    def start_sp(self):
        return [e[2]["PartnerSpId"][0] for e in PingFed.log
                if e[0] == "GET" and e[1] == "/idp/startSSO.ping"]

    # --- success ---------------------------------------------------------

    def test_login_cn(self):
        r = self.run_s2s("alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        self.assertEqual(self.start_sp(), ["urn:alibaba:cloudcomputing"])
        posts = self.password_posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0][2]["pf.username"], ["alice"])
        self.assertNotIn("pf.rememberUsername", posts[0][2])

    def test_login_intl(self):
        r = self.run_s2s("alice", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual(self.start_sp(), ["urn:alibaba:cloudcomputing:international"])

    def test_partner_sp_id_override(self):
        r = self.run_s2s("alice", extra="pingfed.partner_sp_id = urn:example:custom-sp\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.start_sp(), ["urn:example:custom-sp"])

    def test_legacy_form_full_startsso_url(self):
        url = (self.idp.base_url + "/idp/startSSO.ping?PartnerSpId=urn%3Aalibaba%3Acloudcomputing"
               "&legacy=1")
        r = self.run_s2s("alice", url=url)
        self.assertEqual(r.returncode, 0, r.stderr)
        posts = self.password_posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0][2]["USER"], ["alice"])

    def test_webauthn_probe_then_pingid_otp(self):
        r = self.run_s2s("bob", tty=[("PingID passcode", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual(len(self.posts(r"/pingid/ppm/auth/webauthn$")), 1)

    def test_swipe_without_number(self):
        r = self.run_s2s("carol", "--quiet", "list-roles", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("approve the sign-in", r.stderr.decode())
        self.assertNotIn("pick number", r.stderr.decode())
        polls = [e for e in PingFed.log if e[1] == "/pingid/ppm/auth/status"]
        self.assertEqual([e[0] for e in polls], ["GET"] * 3)

    def test_swipe_number_shown_with_quiet(self):
        r = self.run_s2s("dan", "--quiet", "list-roles", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pick number 42", r.stderr.decode())

    def test_device_from_config_then_otp(self):
        r = self.run_s2s("erin", extra="pingfed.device = yubikey\n",
                         tty=[("PingID passcode", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.posts(r"selectDevice$")[0][2]["deviceId"], ["dev-yubi-91c2"])

    def test_device_chosen_at_prompt_then_swipe(self):
        r = self.run_s2s("erin", tty=[("PingID device (0=iPhone 15, 1=YubiKey)", "0")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.posts(r"selectDevice$")[0][2]["deviceId"], ["dev-iphone-7f3a"])

    def test_device_typed_unknown_exit_4(self):
        r = self.run_s2s("erin", tty=[("PingID device (0=iPhone 15, 1=YubiKey)", "9")])
        self.assertEqual(r.returncode, 4, r.stderr)  # a typo, not a config error
        self.assertIn("no PingID device '9'", self.err1(r))
        self.assertEqual(self.posts(r"selectDevice$"), [])

    def test_device_without_terminal_takes_first(self):
        r = self.run_s2s("erin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.posts(r"selectDevice$")[0][2]["deviceId"], ["dev-iphone-7f3a"])

    def test_poll_interval_respected(self):
        r = self.run_s2s("carol", extra="pingfed.poll_interval = 400\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        t = [e[3] for e in PingFed.log if e[1] == "/pingid/ppm/auth/status"]
        self.assertEqual(len(t), 3)
        for a, b in zip(t, t[1:]):
            self.assertGreaterEqual(b - a, 0.38)

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3_one_post(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("didn't recognize the username or password", self.err1(r))
        self.assertEqual(len(self.password_posts()), 1)
        self.assertNotIn(b"nope", r.stderr)

    def test_locked_exit_3(self):
        r = self.run_s2s("lock")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("account is locked", self.err1(r))
        self.assertEqual(len(self.password_posts()), 1)

    def test_sign_on_error_after_password_exit_3(self):
        r = self.run_s2s("fail")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Authentication Failed", self.err1(r))

    def test_unknown_partner_exit_5(self):
        r = self.run_s2s("alice", extra="pingfed.partner_sp_id = urn:nobody\n")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Unknown partner", self.err1(r))
        self.assertEqual(self.password_posts(), [])

    def test_wrong_otp_exit_4(self):
        r = self.run_s2s("bob", tty=[("PingID passcode", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Incorrect passcode", r.stderr.decode())
        self.assertEqual(len(self.posts(r"/otp$")), 1)

    def test_otp_without_terminal_exit_8(self):
        r = self.run_s2s("bob")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_swipe_timeout_exit_4(self):
        r = self.run_s2s("tim")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("TIMEOUT", self.err1(r))
        self.assertEqual([e for e in PingFed.log if e[1] == "/pingid/ppm/auth/response"], [])

    def test_swipe_denied_exit_4(self):
        # Modelled: PingID ends the wait, and PingFederate answers the
        # post-back with its Sign On Error page.
        r = self.run_s2s("deny")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("after PingID", self.err1(r))

    def test_device_claim_timeout_exit_4(self):
        r = self.run_s2s("dct")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("DEVICE_CLAIM_TIMEOUT", self.err1(r))

    def test_unknown_swipe_status_exit_5(self):
        r = self.run_s2s("unk")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("SOMETHING_NEW", self.err1(r))

    def test_local_push_deadline_exit_4(self):
        r = self.run_s2s("slow", extra="pingfed.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("pingfed.push_timeout", r.stderr.decode())
        polls = [e for e in PingFed.log if e[1] == "/pingid/ppm/auth/status"]
        self.assertLessEqual(len(polls), 12)

    def test_unexpected_page_exit_5(self):
        r = self.run_s2s("newpw")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Change Password", self.err1(r))

    def test_saml_form_for_another_sp_exit_5(self):
        before = len(self.idp.sts_calls())
        r = self.run_s2s("oacs")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("does not post to an Alibaba Cloud ACS", self.err1(r))
        self.assertEqual(len(self.idp.sts_calls()), before)  # never sent to STS
        self.assertFalse([e for e in PingFed.log if e[1] == "/saml/acs"])

    def test_unknown_key_exit_2(self):
        r = self.run_s2s("alice", extra="pingfed.otp = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("pingfed.otp", r.stderr.decode())
        self.assertEqual(PingFed.log, [])

    def test_poll_interval_floor_exit_2(self):
        r = self.run_s2s("carol", extra="pingfed.poll_interval = 10\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(PingFed.log, [])

    def test_debug_leaks_no_secret(self):
        r = self.run_s2s("erin", "--debug", "list-roles", "--output", "json",
                         extra="pingfed.device = YubiKey\n", tty=[("PingID passcode", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stderr + r.stdout + r.tty
        self.assertIn(b"/pingid/ppm/auth/otp", r.stderr)  # the trace is on
        s = [v for v in PingFed.sessions.values() if v["user"] == "erin"][-1]
        for secret in (b"erin-pass", OTP.encode(), s["csrf"].encode(), s["ppm_request"].encode(),
                       s["ppm_response"].encode(), b"SAMLResponse="):
            self.assertNotIn(secret, r.stderr, secret)
        self.assertNotIn(b"PHNhbWxwOl", out)  # base64 of "<samlp:"

    # --- import ------------------------------------------------------------

    def test_import_maps_ping(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, ".saml2alibabacloud"), "w") as f:
                f.write("[corp]\nurl = https://pf.example.com\nusername = alice\n"
                        "provider = Ping\nmfa = Auto\nalibabacloud_urn = urn:alibaba:cloudcomputing\n")
            cfg = os.path.join(d, "config")
            r = subprocess.run([mockidp.BIN, "--config", cfg, "configure",
                                "--import-saml2alibabacloud"],
                               env={"PATH": "/usr/bin:/bin", "HOME": d},
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(cfg) as f:
                text = f.read()
            self.assertRegex(text, r"(?m)^provider\s*=\s*pingfed$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
