#!/usr/bin/python3
"""The keycloak adapter against a loopback Keycloak.

The mock serves what Keycloak (keycloak.v2 login theme) serves for an
IdP-initiated SAML login: GET /realms/<realm>/protocol/saml/clients/<client>
answers the login page (AUTH_SESSION_ID cookie, form#kc-form-login with
username, password, rememberMe, hidden credentialId and the "login" submit,
action /realms/<realm>/login-actions/authenticate?session_code&execution&
client_id&tab_id); a wrong password re-renders it with
span#input-error "Invalid username or password."; a disabled account says
"Account is disabled, contact your administrator."; the OTP page is
form#kc-otp-login-form with input#otp and, for several devices, radio
inputs selectedCredentialId (ids kc-otp-credential-N, labels naming the
device); a wrong code re-renders it with span#input-error-otp-code
"Invalid authenticator code."; success is the saml-post-binding form.
An identity-broker hop goes through a#social-<alias> to a second realm.
"""

import base64
import html
import time
import http.server
import os
import sys
import threading
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

OTP_PHONE = "135790"
OTP_KEY = "246801"
USERS = {  # (realm, username) -> (password, kind)
    ("corp", "alice"): ("alice-pass", None),
    ("corp", "bob"): ("bob-pass", "otp"),
    ("corp", "cara"): ("cara-pass", "otp2"),
    ("corp", "dave"): ("dave-pass", "disabled"),
    ("corp", "eve"): ("eve-pass", "update-password"),
    ("partner", "pat"): ("pat-pass", None),
}
CLIENTS = {"alibaba-cn": "cn", "alibaba-intl": "intl", "alibaba-cn-2step": "cn"}
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
CREDS = [("cred-phone-0001", "Phone", OTP_PHONE), ("cred-key-0002", "YubiKey", OTP_KEY)]


totp_codes = mockidp.totp_codes


def page(title, body):
    return ("<!DOCTYPE html><html class=\"login-pf\"><head><title>%s</title></head>"
            "<body class=\"\"><div class=\"login-pf-page\"><div id=\"kc-content\">"
            "<div id=\"kc-content-wrapper\">%s</div></div></div></body></html>"
            % (html.escape(title), body)).encode()


class Keycloak(http.server.BaseHTTPRequestHandler):
    log = []
    flows = {}  # tab_id -> {"realm", "site", "user", "stage", "broker"}
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def action(self, realm, tab, execution):
        return ("/realms/%s/login-actions/authenticate?session_code=%s&amp;execution=%s"
                "&amp;client_id=urn%%3Aalibaba%%3Acloudcomputing&amp;tab_id=%s"
                % (realm, uuid.uuid4().hex[:12], execution, tab))

    def login_page(self, realm, tab, error="", brokers=True):
        err = ""
        if error:
            err = ("<span id=\"input-error\" class=\"pf-c-form__helper-text pf-m-error required "
                   "kc-feedback-text\" aria-live=\"polite\">%s</span>" % html.escape(error))
        social = ""
        if brokers and realm == "corp":
            social = ("<div id=\"kc-social-providers\"><ul><li><a id=\"social-partner-idp\" "
                      "class=\"pf-c-button\" type=\"button\" href=\"/realms/corp/broker/partner-idp/"
                      "login?client_id=urn%%3Aalibaba%%3Acloudcomputing&amp;tab_id=%s&amp;"
                      "session_code=x1\"><span>Partner</span></a></li></ul></div>" % tab)
        return page("Sign in to %s" % realm, """
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="%s" method="post">
 <label for="username" class="pf-c-form__label">Username or email</label>
 <input tabindex="1" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="off" aria-invalid="%s"/>
 %s
 <input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off"/>
 <input tabindex="3" id="rememberMe" name="rememberMe" type="checkbox"> Remember me
 <input type="hidden" id="id-hidden-input" name="credentialId" value=""/>
 <input tabindex="4" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/>
</form>%s""" % (self.action(realm, tab, "auth-username-password"), "true" if error else "",
                err, social))

    def username_page(self, realm, tab, error=""):
        err = ("<span id=\"input-error-username\" class=\"pf-c-form__helper-text pf-m-error\">"
               "%s</span>" % html.escape(error)) if error else ""
        return page("Sign in to %s" % realm, """
<form id="kc-form-login" action="%s" method="post">
 <input tabindex="1" id="username" name="username" value="" type="text" autofocus/>%s
 <input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In"/>
</form>""" % (self.action(realm, tab, "auth-username-form"), err))

    def password_page(self, realm, tab, user, error=""):
        err = ("<span id=\"input-error-password\" class=\"pf-c-form__helper-text pf-m-error\">"
               "%s</span>" % html.escape(error)) if error else ""
        return page("Sign in to %s" % realm, """
<div id="kc-username"><label id="kc-attempted-username">%s</label></div>
<form id="kc-form-login" action="%s" method="post">
 <input tabindex="2" id="password" name="password" type="password" autofocus/>%s
 <input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In"/>
</form>""" % (html.escape(user), self.action(realm, tab, "auth-password-form"), err))

    def otp_page(self, realm, tab, several, error=""):
        radios = ""
        if several:
            for i, (cid, label, _) in enumerate(CREDS):
                radios += ("<div class=\"pf-c-tile\"><input id=\"kc-otp-credential-%d\" "
                           "class=\"pf-c-tile__input\" type=\"radio\" name=\"selectedCredentialId\" "
                           "value=\"%s\"%s><label for=\"kc-otp-credential-%d\" class=\"pf-c-tile\">"
                           "<span class=\"pf-c-tile__title\">%s</span></label></div>"
                           % (i, cid, " checked=\"checked\"" if i == 0 else "", i, label))
        err = ""
        if error:
            err = ("<span id=\"input-error-otp-code\" class=\"pf-c-form__helper-text pf-m-error "
                   "required kc-feedback-text\" aria-live=\"polite\">%s</span>" % html.escape(error))
        return page("Sign in to %s" % realm, """
<form id="kc-otp-login-form" class="pf-c-form" action="%s" method="post">
 %s
 <label for="otp" class="pf-c-form__label">One-time code</label>
 <input id="otp" name="otp" autocomplete="off" type="text" class="pf-c-form-control" autofocus/>
 %s
 <input class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="Sign In"/>
</form>""" % (self.action(realm, tab, "auth-otp-form"), radios, err))

    def saml_page(self, user, site):
        saml = self.server.mock.sign_for(user, site)
        return ("<HTML><HEAD><TITLE>Authentication Redirect</TITLE></HEAD><BODY "
                "Onload=\"document.forms[0].submit()\"><FORM METHOD=\"POST\" ACTION=\"%s\">"
                "<INPUT TYPE=\"HIDDEN\" NAME=\"SAMLResponse\" VALUE=\"%s\"/><NOSCRIPT><P>JavaScript "
                "is disabled. Click Continue.</P><INPUT TYPE=\"SUBMIT\" VALUE=\"CONTINUE\" />"
                "</NOSCRIPT></FORM></BODY></HTML>"
                % (mockidp.SITES[site]["acs"], html.escape(saml))).encode()

    def flow(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        cookie = self.headers.get("Cookie") or ""
        tab = (q.get("tab_id") or [""])[0]
        f = self.flows.get(tab)
        if not f or ("AUTH_SESSION_ID=" + f["session"]) not in cookie:
            return None, tab
        return f, tab

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/")
        self.log.append(("GET", self.path, None))
        # /realms/corp/protocol/saml/clients/<client>
        if len(parts) == 7 and parts[1] == "realms" and parts[3:6] == ["protocol", "saml", "clients"]:
            if parts[2] != "corp" or parts[6] not in CLIENTS:
                return self.send(404, page("We are sorry...", "<div id=\"kc-error-message\">"
                                           "<p class=\"instruction\">Client not found.</p></div>"))
            tab, session = uuid.uuid4().hex[:11], uuid.uuid4().hex
            with self.lock:
                self.flows[tab] = {"realm": "corp", "site": CLIENTS[parts[6]], "user": None,
                                   "stage": "login", "session": session,
                                   "two_step": parts[6].endswith("2step")}
            body = self.username_page("corp", tab) if self.flows[tab]["two_step"] \
                else self.login_page("corp", tab)
            return self.send(200, body, headers=[
                ("Set-Cookie", "AUTH_SESSION_ID=%s; Path=/realms/corp/; HttpOnly" % session),
                ("Set-Cookie", "KC_RESTART=eyJhbGciOiJIUzI1NiJ9.x; Path=/realms/corp/; HttpOnly")])
        if u.path == "/realms/corp/broker/partner-idp/login":
            f, tab = self.flow()
            if not f:
                return self.send(400, page("We are sorry...", "<div id=\"kc-error-message\">"
                                           "<p class=\"instruction\">Cookie not found.</p></div>"))
            f["realm"] = "partner"
            return self.send(302, headers=[("Location", "/realms/partner/login?tab_id=" + tab),
                                           ("Set-Cookie", "AUTH_SESSION_ID=%s; Path=/realms/; HttpOnly"
                                            % f["session"])])
        if u.path == "/realms/partner/login":
            f, tab = self.flow()
            if not f:
                return self.send(400, page("We are sorry...", "cookie"))
            return self.send(200, self.login_page("partner", tab, brokers=False))
        if u.path == "/realms/corp/broker/partner-idp/endpoint":
            f, tab = self.flow()
            if not f or f["stage"] != "brokered":
                return self.send(400, page("We are sorry...", "state"))
            return self.send(200, self.saml_page(f["user"], f["site"]))
        return self.send(404, page("Page not found", "<div id=\"kc-error-message\">"
                                   "<p class=\"instruction\">Page not found</p></div>"))

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        self.log.append(("POST", self.path, form))
        f, tab = self.flow()
        realm = u.path.split("/")[2] if u.path.startswith("/realms/") else ""
        if not f or u.path != "/realms/%s/login-actions/authenticate" % realm or realm != f["realm"]:
            return self.send(400, page("We are sorry...", "<div id=\"kc-error-message\">"
                                       "<p class=\"instruction\">Page has expired.</p></div>"))
        q = urllib.parse.parse_qs(u.query)
        if q.get("execution") == ["auth-username-form"]:
            user = (form.get("username") or [""])[0]
            if (realm, user) not in USERS:
                return self.send(200, self.username_page(realm, tab, "Invalid username."))
            f["user"] = user
            return self.send(200, self.password_page(realm, tab, user))
        if q.get("execution") == ["auth-password-form"]:
            rec = USERS[(realm, f["user"])]
            if "username" in form or (form.get("password") or [""])[0] != rec[0]:
                return self.send(200, self.password_page(realm, tab, f["user"],
                                                         "Invalid password."))
            if rec[1] == "otp":
                f["stage"] = "otp"
                return self.send(200, self.otp_page(realm, tab, False))
            return self.send(200, self.saml_page(f["user"], f["site"]))
        if q.get("execution") == ["auth-username-password"]:
            user = (form.get("username") or [""])[0]
            pw = (form.get("password") or [""])[0]
            if form.get("login") != ["Sign In"] or "credentialId" not in form:
                return self.send(400, page("Bad request", "form"))
            rec = USERS.get((realm, user))
            if not rec or rec[0] != pw:
                return self.send(200, self.login_page(realm, tab, "Invalid username or password."))
            kind = rec[1]
            if kind == "disabled":
                return self.send(200, self.login_page(realm, tab,
                                                      "Account is disabled, contact your administrator."))
            f["user"] = user
            if kind == "update-password":
                return self.send(200, page("Update password", """
<form id="kc-passwd-update-form" action="%s" method="post">
 <input type="password" id="password-new" name="password-new"/>
 <input type="password" id="password-confirm" name="password-confirm"/>
 <input type="submit" value="Submit"/></form>""" % self.action(realm, tab, "update-password")))
            if kind in ("otp", "otp2"):
                f["stage"] = "otp"
                return self.send(200, self.otp_page(realm, tab, kind == "otp2"))
            if realm == "partner":
                f["stage"] = "brokered"
                f["realm"] = "corp"
                return self.send(302, headers=[("Location", "/realms/corp/broker/partner-idp/"
                                                "endpoint?tab_id=" + tab)])
            return self.send(200, self.saml_page(user, f["site"]))
        if q.get("execution") == ["auth-otp-form"] and f["stage"] == "otp":
            code = (form.get("otp") or [""])[0]
            kind = USERS[(realm, f["user"])][1]
            if kind == "otp2":
                sel = (form.get("selectedCredentialId") or [""])[0]
                want = {c: o for c, _, o in CREDS}.get(sel)
            else:
                want = OTP_PHONE
            if code != want and not (kind == "otp" and code in totp_codes(SEED)):
                return self.send(200, self.otp_page(realm, tab, kind == "otp2",
                                                    "Invalid authenticator code."))
            return self.send(200, self.saml_page(f["user"], f["site"]))
        return self.send(400, page("We are sorry...", "<div id=\"kc-error-message\">"
                                   "<p class=\"instruction\">Page has expired.</p></div>"))


class KeycloakTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Keycloak).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Keycloak.log.clear()

    def config(self, user, extra="", site="cn", client=None):
        client = client or ("alibaba-cn" if site == "cn" else "alibaba-intl")
        return ("[default]\nprovider = keycloak\nurl = %s/realms/corp/protocol/saml/clients/%s\n"
                "username = %s\nsite = %s\n%s" % (self.idp.base_url, client, user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, client=None):
        if password is None:
            password = [v[0] for k, v in USERS.items() if k[1] == user][0]
        return self.idp.run(self.config(user, extra, site, client),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- success ---------------------------------------------------------

    def test_login_to_sts(self):
        r = self.run_s2s("alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        post = [e for e in Keycloak.log if e[0] == "POST"][0]
        self.assertEqual(post[2]["username"], ["alice"])
        self.assertNotIn("rememberMe", post[2])

    def test_intl_site(self):
        r = self.run_s2s("alice", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())

    def test_otp(self):
        r = self.run_s2s("bob", tty=[("One-time code", OTP_PHONE)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())

    def test_otp_device_from_config(self):
        r = self.run_s2s("cara", extra="keycloak.otp_credential = yubikey\n",
                         tty=[("One-time code", OTP_KEY)])
        self.assertEqual(r.returncode, 0, r.stderr)
        post = [e for e in Keycloak.log if e[0] == "POST"][-1]
        self.assertEqual(post[2]["selectedCredentialId"], ["cred-key-0002"])

    def test_otp_device_chosen_at_prompt(self):
        r = self.run_s2s("cara", tty=[("OTP device (0=Phone, 1=YubiKey)", "1"),
                                      ("One-time code", OTP_KEY)])
        self.assertEqual(r.returncode, 0, r.stderr)
        post = [e for e in Keycloak.log if e[0] == "POST"][-1]
        self.assertEqual(post[2]["selectedCredentialId"], ["cred-key-0002"])

    def test_identity_broker_hop(self):
        r = self.run_s2s("pat", extra="keycloak.broker = partner-idp\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertTrue(any(e[1].startswith("/realms/partner/login-actions/")
                            for e in Keycloak.log if e[0] == "POST"))

    def test_username_then_password_pages(self):
        r = self.run_s2s("bob", client="alibaba-cn-2step", tty=[("One-time code", OTP_PHONE)])
        self.assertEqual(r.returncode, 0, r.stderr)
        posts = [e for e in Keycloak.log if e[0] == "POST"]
        self.assertEqual([sorted(p[2]) for p in posts[:2]],
                         [["login", "username"], ["login", "password"]])

    def test_username_then_wrong_password_exit_3(self):
        r = self.run_s2s("alice", client="alibaba-cn-2step", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Invalid password.", self.err1(r))

    def test_otp_from_stored_seed(self):
        r = self.idp.run(self.config("bob"), ["-a", "default", "configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("bob", extra="keycloak.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        otp = [e for e in Keycloak.log if e[0] == "POST"][-1][2]["otp"][0]
        self.assertIn(otp, totp_codes(SEED))

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Invalid username or password.", self.err1(r))
        self.assertNotIn(b"nope", r.stderr)

    def test_disabled_account_exit_3(self):
        r = self.run_s2s("dave")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Account is disabled", self.err1(r))

    def test_wrong_otp_exit_4(self):
        r = self.run_s2s("bob", tty=[("One-time code", "111111")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Invalid authenticator code.", r.stderr.decode())
        self.assertNotIn(b"111111", r.stderr)

    def test_wrong_device_otp_exit_4(self):
        r = self.run_s2s("cara", extra="keycloak.otp_credential = 0\n",
                         tty=[("One-time code", OTP_KEY)])
        self.assertEqual(r.returncode, 4, r.stderr)

    def test_unknown_otp_device_exit_2(self):
        r = self.run_s2s("cara", extra="keycloak.otp_credential = laptop\n",
                         tty=[("One-time code", OTP_KEY)])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("laptop", self.err1(r))

    def test_otp_without_prompting_exit_8(self):
        r = self.run_s2s("bob")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_unexpected_page_exit_5(self):
        r = self.run_s2s("eve")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Update password", self.err1(r))

    def test_error_page_exit_5(self):
        r = self.run_s2s("alice", client="no-such-client")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Client not found.", self.err1(r))

    def test_missing_broker_exit_5(self):
        r = self.run_s2s("alice", extra="keycloak.broker = github\n")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("github", self.err1(r))

    def test_unknown_key_exit_2(self):
        r = self.run_s2s("alice", extra="keycloak.otp = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("keycloak.otp", r.stderr.decode())
        self.assertEqual(Keycloak.log, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
