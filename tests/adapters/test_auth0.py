#!/usr/bin/python3
"""The auth0 adapter against a loopback Auth0 tenant (SAML add-on).

Classic Lock login, as lock.js drives it: GET /samlp/<client_id> redirects
to /login?state=..&client=..&protocol=samlp, whose page carries the session
data (state, _csrf) in window.atob('<base64 JSON>') and sets the _csrf
cookie; the client's connections come from <cdn>/client/<client_id>.js
(Auth0.setClient({...strategies[].connections[].name})).  POST
/usernamepassword/login takes JSON (client_id, connection, username,
password, state, _csrf, tenant, redirect_uri, protocol samlp, ...) with an
Origin of the tenant and an Auth0-Client header; the mock checks the state
and _csrf echo (the _csrf cookie too), the connection, the tenant and that
redirect_uri is an Alibaba Cloud ACS.  It answers a wrong password with 401
JSON {code: invalid_user_password}, else an HTML form (wa, wresult, wctx)
posting to /login/callback, which (form-encoded, with Origin, wresult used
once) sets the session and goes back to /samlp/<client_id>: the
SAMLResponse form.

New Universal Login, identifier first: /u/login/identifier?state=S, then
/u/login/password?state=S', each POST form-encoded with the page's state
(echoed in the body and the URL) and action=default; the state rotates at
each step and a used one is refused.  A wrong password re-serves the
password page (HTTP 400) with its error.  The MFA page (/u/mfa-otp-
challenge) and a CAPTCHA on the identifier page are browser-only.
Anything sent to the mock's /acs fails.
"""

import base64
import html
import http.server
import json
import os
import sys
import threading
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

TENANT = "mocktenant"
USERS = {
    "alice@example.test": "alice-pass",
    "mfa@example.test": "mfa-pass",
    "locked@example.test": "locked-pass",
}
# client id -> (kind, site, connections)
CLIENTS = {
    "CLcn": ("classic", "cn", ["Username-Password-Authentication"]),
    "CLintl": ("classic", "intl", ["Username-Password-Authentication"]),
    "CLmulti": ("classic", "cn", ["corp-db", "partners-db"]),
    "CLbad": ("classic", "bad", ["Username-Password-Authentication"]),
    "ULcn": ("universal", "cn", []),
    "ULintl": ("universal", "intl", []),
    "ULcaptcha": ("universal", "cn", []),
    "ULbad": ("universal", "bad", []),
}
ACS = [mockidp.SITES[s]["acs"] for s in ("cn", "intl")]


def ulp_page(title, action, fields, error=None):
    inputs = "".join('<input type="%s" name="%s" value="%s" %s/>' % (t, n, html.escape(v), extra)
                     for t, n, v, extra in fields)
    err = ('<span id="error-element-password" class="ulp-input-error-message">%s</span>'
           % html.escape(error)) if error else ""
    return ("<!DOCTYPE html><html><head><title>%s</title></head><body><main>"
            '<form method="POST" class="c-form" data-form-primary="true" action="%s">%s%s'
            '<button type="submit" name="action" value="default">Continue</button></form>'
            '<form method="post" action="/u/login/identifier?state=x" class="_form-go-back">'
            '<button type="submit" name="action" value="back-to-login">Back</button></form>'
            "</main></body></html>" % (title, html.escape(action), inputs, err)).encode()


class Auth0(http.server.BaseHTTPRequestHandler):
    log = []          # (method, path, body (dict), headers dict)
    states = {}       # live ULP/classic state -> {"client", "user", "step"}
    used = set()      # states already consumed
    stale = []        # stale states presented
    sessions = {}     # auth0 session cookie -> (user, client)
    wresults = {}     # one-time wresult -> (user, client)
    acs_hits = []
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            ctype = "application/json"
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def base(self):
        return self.server.mock.base_url

    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                out[k] = v
        return out

    def new_state(self, client, user=None, step="identifier"):
        s = "hKFo" + uuid.uuid4().hex
        with self.lock:
            self.states[s] = {"client": client, "user": user, "step": step,
                              "csrf": uuid.uuid4().hex}
        return s

    def take_state(self, s, step):
        """The live state s of this step, consumed; None when stale or unknown."""
        with self.lock:
            t = self.states.get(s)
            if not t or t["step"] != step:
                if s in self.used:
                    self.stale.append(s)
                return None
            del self.states[s]
            self.used.add(s)
        return t

    def saml_page(self, user, client):
        site = CLIENTS[client][1]
        if site == "bad":
            action, site = self.base() + "/acs", "cn"
        else:
            action = mockidp.SITES[site]["acs"]
        saml = self.server.mock.sign_for(user, site)
        return ('<html><head><title>Submit This Form</title></head><body '
                'onload="javascript:document.forms[0].submit()"><form method="post" '
                'name="hiddenform" action="%s"><input type="hidden" name="SAMLResponse" '
                'value="%s"><input type="hidden" name="RelayState" value=""><noscript><p>'
                'Script is disabled. Click Submit to continue.</p><input type="submit" '
                'value="Submit"></noscript></form></body></html>'
                % (action, html.escape(saml))).encode()

    # --- GET -------------------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        self.log.append(("GET", self.path, None, dict(self.headers)))
        if u.path.startswith("/samlp/"):
            cid = u.path.split("/")[2]
            if cid not in CLIENTS:
                return self.send(404, b"<html><title>Unknown client</title></html>")
            sess = self.sessions.get(self.cookies().get("auth0"))
            if sess and sess[1] == cid:
                return self.send(200, self.saml_page(sess[0], cid))
            if CLIENTS[cid][0] == "classic":
                s = self.new_state(cid, step="classic")
                return self.send(302, headers=[("Location", "/login?state=%s&client=%s"
                                                "&protocol=samlp" % (s, cid))])
            s = self.new_state(cid)
            return self.send(302, headers=[("Location", "/u/login/identifier?state=" + s)])
        if u.path == "/login":
            t = self.states.get(q.get("state"))
            if not t or t["step"] != "classic":
                return self.send(400, b"<html><title>Error</title></html>")
            info = {"callbackURL": "https://signin.aliyun.com/saml-role/sso",
                    "clientID": t["client"], "protocol": "samlp", "state": q["state"],
                    "_csrf": t["csrf"], "auth0Domain": "127.0.0.1", "auth0Tenant": TENANT,
                    "extraParams": {"protocol": "samlp", "_csrf": t["csrf"],
                                    "state": q["state"]}}
            b64 = base64.b64encode(json.dumps(info).encode()).decode()
            page = ("<!DOCTYPE html><html><head><title>Sign In with Auth0</title></head><body>"
                    "<script src=\"https://cdn.auth0.com/js/lock/11.11/lock.min.js\"></script>"
                    "<script>var config = JSON.parse(decodeURIComponent(escape("
                    "window.atob('%s'))));\nvar lock = new Auth0Lock(config.clientID, "
                    "config.auth0Domain, {});\nlock.show();</script></body></html>" % b64)
            return self.send(200, page.encode(), headers=[
                ("Set-Cookie", "_csrf=%s; Path=/usernamepassword/login; HttpOnly" % t["csrf"])])
        if u.path.startswith("/cdn/client/") and u.path.endswith(".js"):
            cid = u.path[len("/cdn/client/"):-3]
            if cid not in CLIENTS:
                return self.send(403, b"", "application/javascript")
            conns = [{"name": c, "showSignup": True} for c in CLIENTS[cid][2]]
            js = ("Auth0.setClient(%s);" % json.dumps(
                {"id": cid, "tenant": TENANT, "subscription": "free",
                 "authorize": "https://%s.auth0.com/authorize" % TENANT,
                 "callback": ACS[0], "hasAllowedOrigins": False,
                 "strategies": [{"name": "auth0", "connections": conns}]}))
            return self.send(200, js.encode(), "application/javascript")
        if u.path == "/u/login/identifier":
            t = self.states.get(q.get("state"))
            if not t or t["step"] != "identifier":
                return self.send(400, b"<html><head><title>Invalid state</title></head></html>")
            fields = [("hidden", "state", q["state"], ""),
                      ("text", "username", "", 'autocomplete="email" required')]
            if t["client"] == "ULcaptcha":
                fields.append(("text", "captcha", "", 'class="ulp-captcha"'))
            return self.send(200, ulp_page("Log in | Mock", "/u/login/identifier?state=" +
                                           q["state"], fields))
        if u.path == "/u/login/password":
            t = self.states.get(q.get("state"))
            if not t or t["step"] != "password":
                return self.send(400, b"<html><head><title>Invalid state</title></head></html>")
            return self.send(200, self.password_page(q["state"], t))
        if u.path == "/authorize/resume":
            t = self.take_state(q.get("state"), "resume")
            if not t:
                return self.send(400, b"<html><title>Invalid state</title></html>")
            if t["user"] == "mfa@example.test":
                s = self.new_state(t["client"], t["user"], "mfa")
                return self.send(302, headers=[("Location", "/u/mfa-otp-challenge?state=" + s)])
            sid = uuid.uuid4().hex
            self.sessions[sid] = (t["user"], t["client"])
            return self.send(302, headers=[("Location", "/samlp/" + t["client"]),
                                           ("Set-Cookie", "auth0=%s; Path=/; HttpOnly" % sid)])
        if u.path == "/u/mfa-otp-challenge":
            return self.send(200, ulp_page("Verify Your Identity", self.path, [
                ("hidden", "state", q.get("state", ""), ""), ("text", "code", "", "")]))
        return self.send(404, b"<html><head><title>Not found</title></head></html>")

    def password_page(self, state, t, error=None):
        return ulp_page("Enter your password | Mock", "/u/login/password?state=" + state,
                        [("hidden", "state", state, ""),
                         ("hidden", "username", t["user"], ""),
                         ("password", "password", "", "required")], error)

    # --- POST --------------------------------------------------------------

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        ctype = self.headers.get("Content-Type") or ""
        if ctype.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        else:
            body = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
        self.log.append(("POST", self.path, body, dict(self.headers)))
        if u.path == "/acs" or "saml-role" in u.path:
            self.acs_hits.append(self.path)
            return self.send(500, b"never")
        if u.path == "/usernamepassword/login":
            return self.classic_login(body, ctype)
        if u.path == "/login/callback":
            if not ctype.startswith("application/x-www-form-urlencoded") or \
                    self.headers.get("Origin") != self.base():
                return self.send(403, b"<html><title>Forbidden</title></html>")
            who = self.wresults.pop(body.get("wresult"), None)
            if not who or body.get("wa") != "wsignin1.0":
                return self.send(400, b"<html><title>Invalid wresult</title></html>")
            if who[0] == "mfa@example.test":
                s = self.new_state(who[1], who[0], "mfa")
                return self.send(302, headers=[("Location", "/u/mfa-otp-challenge?state=" + s)])
            sid = uuid.uuid4().hex
            self.sessions[sid] = who
            return self.send(302, headers=[("Location", "/samlp/" + who[1]),
                                           ("Set-Cookie", "auth0=%s; Path=/; HttpOnly" % sid)])
        if u.path in ("/u/login/identifier", "/u/login/password"):
            if not ctype.startswith("application/x-www-form-urlencoded"):
                return self.send(415, b"")
            step = u.path.rsplit("/", 1)[1]
            if body.get("state") != q.get("state") or body.get("action") != "default":
                return self.send(400, b"<html><head><title>Bad request</title></head></html>")
            t = self.take_state(q.get("state"), step)
            if not t:
                return self.send(400, b"<html><head><title>Invalid state</title></head></html>")
            if step == "identifier":
                if "captcha" in body and t["client"] == "ULcaptcha":
                    return self.send(400, b"<html><title>Solve the challenge</title></html>")
                s = self.new_state(t["client"], body.get("username"), "password")
                return self.send(302, headers=[("Location", "/u/login/password?state=" + s)])
            user = body.get("username")
            if user != t["user"] or USERS.get(user) != body.get("password"):
                s = self.new_state(t["client"], t["user"], "password")
                return self.send(400, self.password_page(s, self.states[s],
                                                         "Wrong email or password"))
            s = self.new_state(t["client"], user, "resume")
            return self.send(302, headers=[("Location", "/authorize/resume?state=" + s)])
        return self.send(404, b"<html><title>Not found</title></html>")

    def classic_login(self, body, ctype):
        def bad(why):
            return self.send(400, {"name": "BadRequestError", "code": "bad.request",
                                   "description": why, "statusCode": 400})
        if not ctype.startswith("application/json") or not isinstance(body, dict):
            return bad("json expected")
        if self.headers.get("Origin") != self.base():
            return bad("origin")
        if not self.headers.get("Auth0-Client"):
            return bad("Auth0-Client")
        t = self.take_state(body.get("state"), "classic")
        if not t:
            return bad("invalid state")
        if body.get("_csrf") != t["csrf"] or self.cookies().get("_csrf") != t["csrf"]:
            return self.send(403, {"code": "invalid_csrf", "description": "Invalid _csrf token"})
        cid = t["client"]
        want_conn = CLIENTS[cid][2][-1] if cid == "CLmulti" else CLIENTS[cid][2][0]
        for k, v in (("client_id", cid), ("connection", want_conn), ("tenant", TENANT),
                     ("protocol", "samlp"), ("sso", True)):
            if body.get(k) != v:
                return bad("%s is %r" % (k, body.get(k)))
        if body.get("redirect_uri") not in ACS:
            return bad("redirect_uri not allowed")
        user = body.get("username")
        if user == "locked@example.test":
            return self.send(429, {"name": "AnomalyDetected", "code": "too_many_attempts",
                                   "description": "Your account has been blocked after "
                                   "multiple consecutive login attempts.", "statusCode": 429})
        if USERS.get(user) != body.get("password"):
            return self.send(401, {"name": "ValidationError", "code": "invalid_user_password",
                                   "description": "Wrong email or password.", "statusCode": 400})
        wr = "eyJ" + uuid.uuid4().hex
        self.wresults[wr] = (user, cid)
        wctx = json.dumps({"strategy": "auth0", "tenant": TENANT, "connection": want_conn,
                           "client_id": cid, "protocol": "samlp", "state": body["state"],
                           "redirect_uri": body["redirect_uri"], "sso": True})
        page = ('<form method="post" name="hiddenform" action="%s/login/callback">'
                '<input type="hidden" name="wa" value="wsignin1.0">'
                '<input type="hidden" name="wresult" value="%s">'
                '<input type="hidden" name="wctx" value="%s">'
                '<noscript><p>Script is disabled. Click Submit to continue.</p>'
                '<input type="submit" value="Submit"></noscript></form>'
                % (self.base(), wr, html.escape(wctx)))
        return self.send(200, page.encode())


class Auth0Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Auth0).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Auth0.log.clear()
        Auth0.stale.clear()
        Auth0.acs_hits.clear()

    def tearDown(self):
        self.assertEqual(Auth0.acs_hits, [])
        self.assertEqual(Auth0.stale, [])

    def config(self, user, client, extra=""):
        site = CLIENTS[client][1]
        return ("[default]\nprovider = auth0\nurl = %s/samlp/%s\nusername = %s\nsite = %s\n"
                "auth0.tenant = %s\nauth0.cdn_url = %s/cdn\n%s"
                % (self.idp.base_url, client, user, "cn" if site == "bad" else site,
                   TENANT, self.idp.base_url, extra))

    def run_s2s(self, user, client, *args, password=None, extra="", tty=None):
        if password is None:
            password = USERS.get(user, "x")
        return self.idp.run(self.config(user, client, extra),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def posts(self, path):
        return [e for e in Auth0.log if e[0] == "POST" and e[1].startswith(path)]

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- classic -----------------------------------------------------------

    def test_classic_cn(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice@example.test", "CLcn", "login", "--force", "--role",
                         mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), n + 1)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        login = self.posts("/usernamepassword/login")
        self.assertEqual(len(login), 1)
        b = login[0][2]
        self.assertEqual(b["connection"], "Username-Password-Authentication")
        self.assertEqual(b["redirect_uri"], mockidp.SITES["cn"]["acs"])
        self.assertEqual(b["username"], "alice@example.test")
        self.assertEqual(login[0][3]["Origin"], self.idp.base_url)
        self.assertIn("lock.js", base64.b64decode(login[0][3]["Auth0-Client"]).decode())
        self.assertTrue([e for e in Auth0.log if e[1] == "/cdn/client/CLcn.js"])
        self.assertEqual(len(self.posts("/login/callback")), 1)

    def test_classic_intl(self):
        r = self.run_s2s("alice@example.test", "CLintl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual(self.posts("/usernamepassword/login")[0][2]["redirect_uri"],
                         mockidp.SITES["intl"]["acs"])

    def test_classic_connection_key_and_several_connections(self):
        r = self.run_s2s("alice@example.test", "CLmulti")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("corp-db, partners-db", self.err1(r))
        self.assertIn("set auth0.connection", self.err1(r))
        self.assertEqual(self.posts("/usernamepassword/login"), [])
        Auth0.log.clear()
        r = self.run_s2s("alice@example.test", "CLmulti", extra="auth0.connection = partners-db\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse([e for e in Auth0.log if e[1].startswith("/cdn/")])
        self.assertEqual(self.posts("/usernamepassword/login")[0][2]["connection"], "partners-db")

    def test_classic_connection_prompt(self):
        r = self.run_s2s("alice@example.test", "CLmulti", tty=[("Auth0 connection", "partners-db")])
        self.assertEqual(r.returncode, 0, r.stderr)
        Auth0.log.clear()
        r = self.run_s2s("alice@example.test", "CLmulti", tty=[("Auth0 connection", "other-db")])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not one of the connections", r.stderr.decode())
        self.assertEqual(self.posts("/usernamepassword/login"), [])

    def test_classic_wrong_password_exit_3(self):
        r = self.run_s2s("alice@example.test", "CLcn", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("wrong username or password", self.err1(r))
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(self.posts("/usernamepassword/login")), 1)

    def test_classic_blocked_exit_3(self):
        r = self.run_s2s("locked@example.test", "CLcn")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("blocked", self.err1(r))

    def test_classic_mfa_browser_hint_exit_5(self):
        r = self.run_s2s("mfa@example.test", "CLcn")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("asks for MFA", self.err1(r))
        self.assertIn("--browser", self.err1(r))
        self.assertEqual(len(self.posts("/login/callback")), 1)
        self.assertEqual(self.posts("/u/mfa"), [])

    def test_classic_saml_for_elsewhere_exit_5(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice@example.test", "CLbad")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Alibaba Cloud ACS", self.err1(r))
        self.assertEqual(len(self.idp.sts_calls()), n)

    # --- Universal Login -------------------------------------------------

    def test_universal_cn(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice@example.test", "ULcn", "login", "--force", "--role",
                         mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), n + 1)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        ident = self.posts("/u/login/identifier")
        pw = self.posts("/u/login/password")
        self.assertEqual(len(ident), 1)
        self.assertEqual(len(pw), 1)
        self.assertEqual(ident[0][2]["username"], "alice@example.test")
        self.assertNotIn("password", ident[0][2])
        self.assertEqual(pw[0][2]["password"], "alice-pass")
        # the state rotated and each POST carried its page's one
        self.assertNotEqual(ident[0][2]["state"], pw[0][2]["state"])
        self.assertEqual(self.posts("/usernamepassword/login"), [])

    def test_universal_intl(self):
        r = self.run_s2s("alice@example.test", "ULintl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())

    def test_universal_wrong_password_exit_3_once(self):
        r = self.run_s2s("alice@example.test", "ULcn", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Wrong email or password", self.err1(r))
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(self.posts("/u/login/password")), 1)

    def test_universal_mfa_browser_hint_exit_5(self):
        r = self.run_s2s("mfa@example.test", "ULcn")
        self.assertEqual(r.returncode, 5, r.stderr)
        line = self.err1(r)
        self.assertIn("MFA", line)
        self.assertIn("--browser", line)
        self.assertEqual(self.posts("/u/mfa"), [])

    def test_universal_captcha_browser_hint_exit_5(self):
        r = self.run_s2s("alice@example.test", "ULcaptcha")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("CAPTCHA", self.err1(r))
        self.assertIn("--browser", self.err1(r))
        self.assertEqual(self.posts("/u/login"), [])

    def test_universal_saml_for_elsewhere_exit_5(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice@example.test", "ULbad")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Alibaba Cloud ACS", self.err1(r))
        self.assertEqual(len(self.idp.sts_calls()), n)
        self.assertEqual(len(self.posts("/u/login/password")), 1)

    # --- common ------------------------------------------------------------

    def test_unknown_client_exit_5(self):
        r = self.run_s2s("alice@example.test", "CLcn")
        self.assertEqual(r.returncode, 0, r.stderr)
        cfg = self.config("alice@example.test", "CLcn").replace("/samlp/CLcn", "/samlp/nope")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not understood", self.err1(r))

    def test_unknown_key_and_bad_url_exit_2(self):
        r = self.run_s2s("alice@example.test", "CLcn", extra="auth0.mfa = otp\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("auth0.mfa", r.stderr.decode())
        cfg = self.config("alice@example.test", "CLcn").replace("/samlp/CLcn", "/login")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        # /samlp/ in the query is not the SAML login URL's path
        cfg = self.config("alice@example.test", "CLcn").replace("/samlp/CLcn",
                                                                 "/login?to=/samlp/CLcn")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("/samlp/<client_id>", r.stderr.decode())
        self.assertEqual(Auth0.log, [])

    def test_debug_shows_no_secrets(self):
        r = self.run_s2s("alice@example.test", "CLcn", "--debug", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"/usernamepassword/login", r.stderr)
        self.assertNotIn(b"alice-pass", r.stderr)
        self.assertNotIn(b"PHNhbWxw", r.stderr)
        for s in list(Auth0.used):
            self.assertNotIn(s.encode(), r.stderr)
        for wr in [e[2].get("wresult") for e in self.posts("/login/callback")]:
            self.assertNotIn(wr.encode(), r.stderr)
        r = self.run_s2s("alice@example.test", "ULcn", "--debug", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"alice-pass", r.stderr)
        for s in list(Auth0.used):
            self.assertNotIn(s.encode(), r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
