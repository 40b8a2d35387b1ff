#!/usr/bin/python3
"""The shibboleth adapter against a loopback Shibboleth IdP (v4/v5 views).

The mock follows the IdP's Spring Web Flow: /idp/profile/SAML2/Unsolicited/
SSO?providerId=<urn> answers 302 to ?execution=e1s1 with a JSESSIONID
cookie; every view is a form posting to ?execution=e1sN with a csrf_token,
and a stale or unknown execution key gives the "Stale Request" error view.
Views: client-storage read (hidden fields, _eventId_proceed hidden), the
Password login (j_username, j_password, donotcache, _shib_idp_revokeConsent,
button _eventId_proceed; errors in <p class="form-element form-error">), a
TOTP view of the MFA flow (j_tokenNumber), attribute-release consent
(_shib_idp_consentIds, _shib_idp_consentOptions, _eventId_reject /
_eventId_proceed), a terms-of-use view the adapter cannot know, and the
POST-binding page with the signed SAMLResponse.
"""

import html
import http.server
import os
import sys
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

SSO = "/idp/profile/SAML2/Unsolicited/SSO"
PROVIDERS = ("urn:alibaba:cloudcomputing", "urn:alibaba:cloudcomputing:international")
USERS = {  # j_username -> (password, extra views)
    "alice": ("alice-pass", []),
    "bob": ("bob-pass", ["totp", "consent"]),
    "dave": ("dave-pass", ["locked"]),
    "eve": ("eve-pass", ["terms"]),
}
TOTP = "246810"
FLOW_TTL = 1.5  # seconds an execution stays valid (stale afterwards)


def page(title, body):
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title>"
            "</head><body><div class=\"wrapper\"><div class=\"container\"><main class=\"main\">"
            "%s</main></div></div></body></html>" % (title, body)).encode()


def storage_view(action, csrf):
    return page("Loading Session Information", """
<form name="form1" action="%s" method="post">
 <input type="hidden" name="csrf_token" value="%s" />
 <input name="shib_idp_ls_exception.shib_idp_session_ss" type="hidden" />
 <input name="shib_idp_ls_success.shib_idp_session_ss" type="hidden" value="false" />
 <input name="shib_idp_ls_value.shib_idp_session_ss" type="hidden" />
 <input name="shib_idp_ls_supported" type="hidden" />
 <input name="_eventId_proceed" type="hidden" />
</form>
<script>/* reads localStorage, then */ document.form1.submit();</script>""" % (action, csrf))


def login_view(action, csrf, error=""):
    err = ('<section><p class="form-element form-error">%s</p></section>' % html.escape(error)) if error else ""
    return page("Web Login Service", """
<form action="%s" method="post">
 <input type="hidden" name="csrf_token" value="%s" />
 %s
 <div class="form-element-wrapper"><label for="username">Username</label>
  <input class="form-element form-field" id="username" name="j_username" type="text" value=""></div>
 <div class="form-element-wrapper"><label for="password">Password</label>
  <input class="form-element form-field" id="password" name="j_password" type="password" value=""></div>
 <div class="form-element-wrapper"><input type="checkbox" name="donotcache" value="1" id="donotcache">
  <label for="donotcache">Don't Remember Login</label></div>
 <div class="form-element-wrapper"><input id="_shib_idp_revokeConsent" type="checkbox" name="_shib_idp_revokeConsent" value="true">
  <label for="_shib_idp_revokeConsent">Clear prior granting of permission for release of your information to this service.</label></div>
 <div class="form-element-wrapper"><button class="form-element form-button" type="submit" name="_eventId_proceed"
  onClick="this.childNodes[0].nodeValue='Logging in, please wait...'">Login</button></div>
</form>""" % (action, csrf, err))


def totp_view(action, csrf, error=""):
    err = ('<section><p class="form-element form-error">%s</p></section>' % html.escape(error)) if error else ""
    return page("Web Login Service - Token", """
<form action="%s" method="post" autocomplete="off">
 <input type="hidden" name="csrf_token" value="%s" />
 %s
 <label for="j_tokenNumber">Token code</label>
 <input class="form-element form-field" id="j_tokenNumber" name="j_tokenNumber" type="text" value="" autofocus>
 <button class="form-element form-button" type="submit" name="_eventId_proceed">Login</button>
</form>""" % (action, csrf, err))


def consent_view(action, csrf):
    return page("Information Release", """
<form action="%s" method="post">
 <input type="hidden" name="csrf_token" value="%s" />
 <table><tr><td>Role</td><td>ops</td><td><input type="checkbox" name="_shib_idp_consentIds" value="Role" checked></td></tr></table>
 <input id="_shib_idp_doNotRememberConsent" type="radio" name="_shib_idp_consentOptions" value="_shib_idp_doNotRememberConsent">
 <input id="_shib_idp_rememberConsent" type="radio" name="_shib_idp_consentOptions" value="_shib_idp_rememberConsent" checked>
 <input id="_shib_idp_globalConsent" type="radio" name="_shib_idp_consentOptions" value="_shib_idp_globalConsent">
 <input type="submit" name="_eventId_reject" value="Reject" style="margin-right: 30px;">
 <input type="submit" name="_eventId_proceed" value="Accept">
</form>""" % (action, csrf))


def terms_view(action, csrf):
    return page("Terms of Use", """
<form action="%s" method="post">
 <input type="hidden" name="csrf_token" value="%s" />
 <p>Accept the new acceptable-use policy.</p>
 <input type="checkbox" name="accept_policy" value="yes">
 <button type="submit" name="_eventId_agree">I agree</button>
</form>""" % (action, csrf))


def stale_view():
    return page("Web Login Service - Stale Request", """
<h1>Stale Request</h1><p>You may be seeing this page because you used the Back button while
browsing a secure web site or application, or because your login took too long.</p>""")


def post_binding(acs, b64):
    return page("", """
<noscript><p><strong>Note:</strong> Since your browser does not support JavaScript,
you must press the Continue button once to proceed.</p></noscript>
<form action="%s" method="post"><div>
 <input type="hidden" name="SAMLResponse" value="%s"/>
</div><noscript><div><input type="submit" value="Continue"/></div></noscript></form>""" % (acs, html.escape(b64)))


class Shib(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log = []
    flows = {}  # JSESSIONID -> flow dict
    sign = None

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

    def session(self):
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "JSESSIONID":
                return self.flows.get(v)
        return None

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        self.log.append(("GET", u.path, u.query))
        if u.path != SSO:
            return self.send(404, page("Not Found", "no such page"))
        if "providerId" in q:
            if q["providerId"][0] not in PROVIDERS:
                return self.send(200, page("Web Login Service - Unable to Respond",
                                           "<p>The login service was unable to identify a compatible way to respond.</p>"))
            sid = uuid.uuid4().hex
            self.flows[sid] = {"provider": q["providerId"][0], "step": 1, "view": "storage",
                               "csrf": uuid.uuid4().hex, "at": time.monotonic(),
                               "user": None, "todo": []}
            return self.send(302, headers=[("Location", SSO + "?execution=e1s1"),
                                           ("Set-Cookie", "JSESSIONID=%s; Path=/idp; HttpOnly" % sid)])
        fl = self.session()
        if not fl or q.get("execution") != ["e1s%d" % fl["step"]]:
            return self.send(200, stale_view())
        return self.render(fl)

    def render(self, fl, error=""):
        action = SSO + "?execution=e1s%d" % fl["step"]
        v = fl["view"]
        if v == "storage":
            return self.send(200, storage_view(action, fl["csrf"]))
        if v == "login":
            return self.send(200, login_view(action, fl["csrf"], error))
        if v == "totp":
            return self.send(200, totp_view(action, fl["csrf"], error))
        if v == "consent":
            return self.send(200, consent_view(action, fl["csrf"]))
        if v == "terms":
            return self.send(200, terms_view(action, fl["csrf"]))
        site = "intl" if fl["provider"] == PROVIDERS[1] else "cn"
        return self.send(200, post_binding(mockidp.SITES[site]["acs"], self.sign(fl["user"], site)))

    def advance(self, fl, view):
        fl["step"] += 1
        fl["view"] = view
        fl["at"] = time.monotonic()
        return self.send(302, headers=[("Location", SSO + "?execution=e1s%d" % fl["step"])])

    def next_view(self, fl):
        return self.advance(fl, fl["todo"].pop(0) if fl["todo"] else "saml")

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        n = int(self.headers.get("Content-Length", 0))
        f = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        self.log.append(("POST", q.get("execution", [""])[0], sorted(f)))
        fl = self.session()
        if (not fl or u.path != SSO or q.get("execution") != ["e1s%d" % fl["step"]]
                or time.monotonic() - fl["at"] > FLOW_TTL):
            return self.send(200, stale_view())
        if f.get("csrf_token") != [fl["csrf"]]:
            return self.send(200, page("Web Login Service - Invalid CSRF token", "bad csrf"))
        if "_eventId_proceed" not in f:
            return self.send(200, page("Web Login Service - Error", "no event"))
        v = fl["view"]
        if v == "storage":
            return self.advance(fl, "login")
        if v == "login":
            if "donotcache" in f or "_shib_idp_revokeConsent" in f:
                return self.send(400, page("Bad request", "unchecked box sent"))
            user, pw = f.get("j_username", [""])[0], f.get("j_password", [""])[0]
            if user not in USERS or USERS[user][0] != pw:
                fl["step"] += 1
                return self.render(fl, "The password you entered was incorrect.")
            if "locked" in USERS[user][1]:
                fl["step"] += 1
                return self.render(fl, "Your account is locked.")
            fl["user"] = user
            fl["todo"] = list(USERS[user][1])
            return self.next_view(fl)
        if v == "totp":
            if f.get("j_tokenNumber") != [TOTP]:
                fl["step"] += 1
                return self.render(fl, "The token code you entered is not valid.")
            return self.next_view(fl)
        if v == "consent":
            if "_eventId_reject" in f or f.get("_shib_idp_consentIds") != ["Role"]:
                return self.send(400, page("Bad request", "consent form not replayed"))
            return self.next_view(fl)
        return self.send(200, page("Web Login Service - Error", "unexpected"))


class ShibbolethTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Shib)
        cls.idp.start()
        Shib.sign = cls.idp.sign_for

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Shib.log.clear()
        Shib.flows.clear()

    def run_s2s(self, user, *args, password=None, extra="", site="cn", **kw):
        if password is None:
            password = USERS[user][0]
        cfg = ("[default]\nprovider = shibboleth\nurl = %s/idp\nusername = %s\nsite = %s\n%s"
               % (self.idp.base_url, user, site, extra))
        return self.idp.run(cfg, list(args) or ["list-roles", "--output", "json"],
                            password=password, **kw)

    def test_login_to_sts(self):
        r = self.run_s2s("alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), 1)
        self.assertIn(("GET", SSO, "providerId=urn%3Aalibaba%3Acloudcomputing"), Shib.log)
        login_post = [e for e in Shib.log if e[0] == "POST" and e[1] == "e1s2"][0]
        self.assertEqual(login_post[2], ["_eventId_proceed", "csrf_token", "j_password", "j_username"])

    def test_intl_site(self):
        r = self.run_s2s("alice", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(("GET", SSO, "providerId=urn%3Aalibaba%3Acloudcomputing%3Ainternational"), Shib.log)

    def test_totp_and_consent(self):
        r = self.run_s2s("bob", tty=[("One-time code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual([e[1] for e in Shib.log if e[0] == "POST"], ["e1s1", "e1s2", "e1s3", "e1s4"])

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("password you entered was incorrect", r.stderr.decode())
        self.assertNotIn(b"nope", r.stderr)

    def test_locked_exit_3(self):
        r = self.run_s2s("dave")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked", r.stderr.decode())

    def test_wrong_code_exit_4(self):
        r = self.run_s2s("bob", tty=[("One-time code", "111111")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("token code you entered is not valid", r.stderr.decode())

    def test_code_too_late_exit_4(self):
        # the user types the code after the flow's execution went stale
        r = self.run_s2s("bob", tty=[("One-time code", TOTP)], tty_delay=FLOW_TTL + 0.5)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("timed out", r.stderr.decode())

    def test_unexpected_view_exit_5(self):
        r = self.run_s2s("eve")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn('"Terms of Use"', r.stderr.decode())
        self.assertNotIn("execution", r.stderr.decode())

    def test_unknown_key_rejected(self):
        r = self.run_s2s("alice", extra="shibboleth.nope = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("shibboleth.nope", r.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
