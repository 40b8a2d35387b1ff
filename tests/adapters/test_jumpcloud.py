#!/usr/bin/python3
"""The jumpcloud adapter against a loopback JumpCloud user console.

The mock follows the console API the JumpCloud sign-in page uses (as
saml2aws's JumpCloud provider and JumpCloud's own description in
Versent/saml2aws#230 show): GET /userconsole/xsrf answers {"xsrf"} and sets
the _xsrf cookie (a new value each time: only the latest is accepted);
POST /userconsole/auth must carry X-Xsrftoken equal to that value and to
the cookie, JSON content type, and {context:"sso", redirectTo:"saml2/<slug>",
email, password, otp}; it answers 200 {redirectTo}, 401 {"message":"MFA
required.","factors":[...]} (with the jc_mfa cookie of the MFA
transaction), or 401 {"message":"Authentication failed."} and the like.
TOTP is the same POST with otp; JumpCloud Protect is POST
/userconsole/auth/push {} -> {id, expiresAt, status:"pending"}, GET
/userconsole/auth/push/<id> until accepted, denied or expired, then POST
/userconsole/auth/push/<id>/login {} -> {redirectTo}.  The app's SSO URL
serves the SAMLResponse form only with the session cookie.  A fake ACS
path fails the test if anything reaches it.
"""

import base64
import datetime
import html
import http.server
import json
import os
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

SLUGS = {"alibaba-cn": "cn", "alibaba-intl": "intl"}
TOTP = "314159"
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
USERS = {  # email -> (password, factors, push behaviour)
    "alice@example.test": ("alice-pass", [], None),
    "bob@example.test": ("bob-pass", ["totp"], None),
    "carol@example.test": ("carol-pass", ["push", "totp"], "accept"),
    "dave@example.test": ("dave-pass", ["push"], "accept"),
    "erin@example.test": ("erin-pass", ["push"], "deny"),
    "fred@example.test": ("fred-pass", ["push"], "expire"),
    "gina@example.test": ("gina-pass", ["push"], "never"),
    "kim@example.test": ("kim-pass", ["push"], "short"),
    "pat@example.test": ("pat-pass", ["push"], "outage"),
    "hank@example.test": ("hank-pass", "locked", None),
    "ivy@example.test": ("ivy-pass", ["webauthn", "duo"], None),
    "jo@example.test": ("jo-pass", "ca", None),
}


totp_codes = mockidp.totp_codes


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")


class JumpCloud(http.server.BaseHTTPRequestHandler):
    log = []          # (method, path, headers, body, time)
    violations = []
    xsrf = set()      # the latest xsrf value of each browser (only those)
    mfa = {}          # jc_mfa cookie -> {"user", "slug"}
    pushes = {}       # id -> {"tx", "polls", "status"}
    sessions = {}     # jcsso cookie -> user
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/json", cookies=(), headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(code)
        for c in cookies:
            self.send_header("Set-Cookie", c + "; Path=/; HttpOnly")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def cookie(self, name):
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
        return None

    def record(self, method, body=None):
        with self.lock:
            self.log.append((method, urllib.parse.urlsplit(self.path).path,
                             dict(self.headers), body, time.monotonic()))

    def xsrf_ok(self):
        h = self.headers.get("X-Xsrftoken")
        return bool(h) and h == self.cookie("_xsrf") and h in self.xsrf

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        self.record("GET")
        if path == "/userconsole/xsrf":
            x = uuid.uuid4().hex
            with self.lock:
                self.xsrf.discard(self.cookie("_xsrf"))  # rotated: the old one is stale
                self.xsrf.add(x)
            return self.send(200, {"xsrf": x}, cookies=["_xsrf=" + x])
        if path.startswith("/userconsole/auth/push/"):
            p = self.pushes.get(path.split("/")[4])
            if not self.xsrf_ok() or not p or self.cookie("jc_mfa") != p["tx"]:
                return self.send(401, {"message": "Unauthorized"})
            p["polls"] += 1
            how = USERS[self.mfa[p["tx"]]["user"]][2]
            if how == "outage":  # the console is down for a moment
                return self.send(503, b"<html><head><title>503</title></head></html>",
                                 ctype="text/html")
            if how == "accept" and p["polls"] >= 3:
                p["status"] = "accepted"
            elif how == "deny" and p["polls"] >= 2:
                p["status"] = "denied"
            elif how == "expire" and p["polls"] >= 2:
                p["status"] = "expired"
            return self.send(200, {"id": path.split("/")[4], "status": p["status"],
                                   "expiresAt": p["expiresAt"]})
        if path.startswith("/saml2/") and path[7:] in SLUGS:
            user = self.sessions.get(self.cookie("jcsso"))
            if not user:
                return self.send(302, headers=[("Location", "/login")])
            site = SLUGS[path[7:]]
            if USERS[user][1] == "ca":  # conditional access wants more
                return self.send(200, b"<html><head><title>JumpCloud - Verify</title></head>"
                                 b"<body><div id=\"app\">Additional verification "
                                 b"required</div></body></html>", ctype="text/html")
            saml = self.server.mock.sign_for(user, site)
            page = ("<html><head><title>Redirecting</title></head><body onload=\"document"
                    ".forms[0].submit()\"><form method=\"post\" action=\"%s\"><input "
                    "type=\"hidden\" name=\"SAMLResponse\" value=\"%s\"/><input type=\"hidden\""
                    " name=\"RelayState\" value=\"\"/></form></body></html>"
                    % (mockidp.SITES[site]["acs"], html.escape(saml)))
            return self.send(200, page.encode(), ctype="text/html; charset=utf-8")
        return self.send(404, b"<html><head><title>Not found</title></head></html>",
                         ctype="text/html")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.record("POST", body)
        if path == "/saml-role/sso":
            self.violations.append("POST to the ACS")
            return self.send(400, {"message": "never"})
        if not (self.headers.get("Content-Type") or "").startswith("application/json") \
                or not isinstance(body, dict):
            return self.send(400, {"message": "Bad request"})
        if not self.xsrf_ok():
            return self.send(403, {"message": "Forbidden: invalid xsrf token"})
        if path == "/userconsole/auth":
            return self.auth(body)
        if path == "/userconsole/auth/push":
            t = self.mfa.get(self.cookie("jc_mfa"))
            if not t or body != {}:
                return self.send(401, {"message": "Unauthorized"})
            pid = uuid.uuid4().hex[:24]
            how = USERS[t["user"]][2]
            exp = time.time() + (1 if how == "short" else 120)
            self.pushes[pid] = {"tx": self.cookie("jc_mfa"), "polls": 0, "status": "pending",
                                "expiresAt": iso(exp)}
            return self.send(200, {"id": pid, "expiresAt": iso(exp),
                                   "initiatedAt": iso(time.time()), "status": "pending",
                                   "userId": "5f" + uuid.uuid4().hex[:22]})
        if path.startswith("/userconsole/auth/push/") and path.endswith("/login"):
            p = self.pushes.get(path.split("/")[4])
            if not p or p["status"] != "accepted" or self.cookie("jc_mfa") != p["tx"] \
                    or body != {}:
                return self.send(401, {"message": "Unauthorized"})
            t = self.mfa.pop(p["tx"])
            return self.signed_in(t["user"], t["slug"])
        return self.send(404, {"message": "Not found"})

    def signed_in(self, user, slug):
        sid = uuid.uuid4().hex
        with self.lock:
            self.sessions[sid] = user
        return self.send(200, {"redirectTo": "%s/saml2/%s" % (self.server.mock.base_url, slug)},
                         cookies=["jcsso=" + sid])

    def auth(self, body):
        if self.headers.get("Accept") != "application/json" or body.get("context") != "sso":
            return self.send(400, {"message": "Bad request"})
        slug = (body.get("redirectTo") or "")[len("saml2/"):]
        if not (body.get("redirectTo") or "").startswith("saml2/") or slug not in SLUGS:
            return self.send(400, {"message": "Invalid redirectTo"})
        user, pw, otp = body.get("email"), body.get("password"), body.get("otp")
        if user not in USERS or USERS[user][0] != pw:
            return self.send(401, {"message": "Authentication failed."})
        factors = USERS[user][1]
        if factors == "locked":
            return self.send(401, {"message": "Your account has been locked."})
        if factors in ([], "ca"):
            return self.signed_in(user, slug)
        if otp and "totp" in factors:
            if otp != TOTP and otp not in totp_codes(SEED):
                return self.send(401, {"message": "Invalid MFA token."})
            return self.signed_in(user, slug)
        tx = uuid.uuid4().hex
        with self.lock:
            self.mfa[tx] = {"user": user, "slug": slug}
        return self.send(401, {"message": "MFA required.",
                               "factors": [{"type": f, "status": "available"} for f in factors]},
                         cookies=["jc_mfa=" + tx])


class JumpCloudTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(JumpCloud).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        JumpCloud.log.clear()
        JumpCloud.violations.clear()

    def tearDown(self):
        self.assertEqual(JumpCloud.violations, [])

    def config(self, user, extra="", site="cn", account="default"):
        slug = [s for s, v in SLUGS.items() if v == site][0]
        return ("[%s]\nprovider = jumpcloud\nurl = https://sso.jumpcloud.com/saml2/%s\n"
                "username = %s\nsite = %s\njumpcloud.console_url = %s\n"
                "jumpcloud.poll_interval = 200\n%s"
                % (account, slug, user, site, self.idp.base_url, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        return self.idp.run(self.config(user, extra, site),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def reqs(self, method, path):
        return [e for e in JumpCloud.log if e[0] == method and e[1] == path]

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- success ---------------------------------------------------------

    def test_no_mfa_login_to_sts(self):
        r = self.run_s2s("alice@example.test", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        self.assertEqual(len(self.reqs("GET", "/userconsole/xsrf")), 1)
        auth = self.reqs("POST", "/userconsole/auth")[0]
        self.assertEqual(auth[3], {"context": "sso", "redirectTo": "saml2/alibaba-cn",
                                   "email": "alice@example.test", "password": "alice-pass",
                                   "otp": ""})
        self.assertEqual(auth[2]["X-Xsrftoken"], auth[2]["Cookie"].split("_xsrf=")[1][:32])
        self.assertEqual(len(self.reqs("GET", "/saml2/alibaba-cn")), 1)

    def test_intl_site(self):
        r = self.run_s2s("alice@example.test", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual(self.reqs("POST", "/userconsole/auth")[0][3]["redirectTo"],
                         "saml2/alibaba-intl")

    def test_totp_typed(self):
        r = self.run_s2s("bob@example.test", tty=[("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        a = self.reqs("POST", "/userconsole/auth")
        self.assertEqual([e[3]["otp"] for e in a], ["", TOTP])
        self.assertEqual(a[1][3]["password"], "bob-pass")

    def test_totp_from_kept_seed(self):
        cfg = self.config("bob@example.test")
        r = self.idp.run(cfg, ["configure", "--totp-secret-stdin"], stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("bob@example.test", extra="jumpcloud.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.reqs("POST", "/userconsole/auth")[1][3]["otp"], totp_codes(SEED))

    def test_push_accepted_and_poll_gap(self):
        r = self.run_s2s("dave@example.test", "--quiet", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("approve the push", r.stderr.decode())
        create = self.reqs("POST", "/userconsole/auth/push")
        self.assertEqual(len(create), 1)
        self.assertEqual(create[0][3], {})
        pid = [e for e in JumpCloud.log if e[1].startswith("/userconsole/auth/push/")][0][1]
        polls = [e for e in JumpCloud.log if e[0] == "GET" and e[1] == pid]
        self.assertEqual(len(polls), 3)
        times = [create[0][4]] + [e[4] for e in polls]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(min(gaps), 0.18, gaps)
        self.assertEqual(len(self.reqs("POST", pid + "/login")), 1)

    def test_factor_choice_prompt_and_config(self):
        r = self.run_s2s("carol@example.test", tty=[("MFA factor (push, totp)", "totp"),
                                                    ("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.reqs("POST", "/userconsole/auth/push")), 0)
        JumpCloud.log.clear()
        r = self.run_s2s("carol@example.test", extra="jumpcloud.mfa = push\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.reqs("POST", "/userconsole/auth/push")), 1)

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice@example.test", password="nope-wrong")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("wrong email or password (JumpCloud: Authentication failed.)", self.err1(r))
        self.assertNotIn(b"nope-wrong", r.stderr)

    def test_locked_exit_3(self):
        r = self.run_s2s("hank@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("the account is locked", self.err1(r))

    def test_wrong_totp_exit_4(self):
        r = self.run_s2s("bob@example.test", tty=[("authenticator code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not accepted", r.stderr.decode())
        self.assertNotIn(b"000000", r.stderr)

    def test_totp_without_terminal_exit_8(self):
        r = self.run_s2s("bob@example.test")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertEqual(len(self.reqs("POST", "/userconsole/auth")), 1)

    def test_push_denied_exit_4(self):
        r = self.run_s2s("erin@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("denied", r.stderr.decode().splitlines()[-1])
        self.assertFalse([e for e in JumpCloud.log if e[1].endswith("/login")])

    def test_console_outage_during_push_exit_9(self):
        r = self.run_s2s("pat@example.test")
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertIn("user console answered HTTP 503; try again later",
                      r.stderr.decode().splitlines()[-1])
        self.assertNotIn(b"/push/", r.stderr)  # no push id in the message

    def test_push_expired_exit_4(self):
        r = self.run_s2s("fred@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("expired", r.stderr.decode().splitlines()[-1])

    def test_push_local_deadline_exit_4(self):
        t0 = time.monotonic()
        r = self.run_s2s("gina@example.test", extra="jumpcloud.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", r.stderr.decode().splitlines()[-1])
        self.assertLess(time.monotonic() - t0, 8)

    def test_push_deadline_from_expires_at(self):
        t0 = time.monotonic()
        r = self.run_s2s("kim@example.test")  # push_timeout 60, expiresAt in 1 s
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within", r.stderr.decode().splitlines()[-1])
        self.assertLess(time.monotonic() - t0, 8)

    def test_webauthn_duo_only_exit_5(self):
        r = self.run_s2s("ivy@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("--browser", self.err1(r))
        self.assertIn("webauthn", self.err1(r))

    def test_conditional_access_page_exit_5(self):
        r = self.run_s2s("jo@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("no SAMLResponse: JumpCloud conditional access? try --browser",
                      self.err1(r))
        self.assertIn("JumpCloud - Verify", self.err1(r))

    def test_bad_url_and_unknown_key_exit_2(self):
        r = self.run_s2s("alice@example.test", extra="jumpcloud.consoleurl = x\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("jumpcloud.consoleurl", r.stderr.decode())
        cfg = self.config("alice@example.test").replace("/saml2/alibaba-cn", "/login")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("saml2/APP-SLUG", r.stderr.decode())
        r = self.run_s2s("alice@example.test", extra="jumpcloud.mfa = duo\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(JumpCloud.log, [])

    def test_debug_output_has_no_secrets(self):
        r = self.run_s2s("bob@example.test", "--debug", "list-roles",
                         tty=[("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stderr + r.stdout + r.tty
        self.assertIn(b"/userconsole/auth", out)
        for secret in ["bob-pass", TOTP] + list(JumpCloud.xsrf) + list(JumpCloud.sessions):
            self.assertNotIn(secret.encode(), out)
        self.assertNotIn(b"PD94bWwg", out)

    def test_debug_output_hides_push_id(self):
        r = self.run_s2s("dave@example.test", "--debug", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        pid = [e for e in JumpCloud.log if e[1].startswith("/userconsole/auth/push/")][0][1]
        self.assertIn(b"/userconsole/auth/push/<redacted>/login", r.stderr)
        self.assertNotIn(pid.split("/")[4].encode(), r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
