#!/usr/bin/python3
"""The okta adapter against a loopback Okta (Classic Authentication API).

The mock follows Okta's documented API: POST /api/v1/authn with
username/password/options/context.deviceToken answering 401 E0000004, or a
transaction with status SUCCESS (sessionToken), MFA_REQUIRED (stateToken,
_embedded.factors with _links.verify.href), LOCKED_OUT or PASSWORD_EXPIRED;
factor verification at /api/v1/authn/factors/<id>/verify (passCode, 403
E0000068 for a wrong code); push answering MFA_CHALLENGE with factorResult
WAITING, _links.next (poll) and the number challenge in
_embedded.factor._embedded.challenge.correctAnswer, then SUCCESS, REJECTED
or TIMEOUT; SMS/email first sending the code (factorResult CHALLENGE).
Then /login/sessionCookieRedirect?token=..&redirectUrl=<embed link> sets the
sid cookie and the app's embed link serves the SAMLResponse form (signed,
mockidp); without a session it redirects to the sign-in page.
"""

import base64
import html
import http.server
import json
import os
import stat
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

TOTP = "314159"
SMS = "271828"
USERS = {  # login -> (password, kind)
    "alice@example.test": ("alice-pass", None),
    "bob@example.test": ("bob-pass", "totp"),
    "carol@example.test": ("carol-pass", "push"),
    "dave@example.test": ("dave-pass", "push-reject"),
    "erin@example.test": ("erin-pass", "push-never"),
    "fred@example.test": ("fred-pass", "push-timeout"),
    "gina@example.test": ("gina-pass", "locked"),
    "hank@example.test": ("hank-pass", "expired"),
    "ivy@example.test": ("ivy-pass", "sms"),
    "jo@example.test": ("jo-pass", "email"),
    "kim@example.test": ("kim-pass", "push+totp"),
    "lee@example.test": ("lee-pass", "html"),
    "mia@example.test": ("mia-pass", "totp-elsewhere"),
    "ned@example.test": ("ned-pass", "push-elsewhere"),
}
APPS = {"/home/alibabacloud/0oacn1/aln1": "cn",
        "/home/alibabacloud_intl/0oaintl1/aln1": "intl"}
NUMBER = 42
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # RFC 6238's 20-byte secret


totp_codes = mockidp.totp_codes


def elsewhere(base):
    """The mock under another host name: a host the user did not configure."""
    return base.replace("127.0.0.1", "localhost")


def factor(base, kind):
    ids = {"totp": "ostTOTP", "push": "opfPUSH", "sms": "mblSMS", "email": "emlEMAIL"}
    types = {"totp": "token:software:totp", "push": "push", "sms": "sms", "email": "email"}
    return {"id": ids[kind], "factorType": types[kind], "provider": "OKTA",
            "vendorName": "OKTA", "profile": {},
            "_links": {"verify": {"href": "%s/api/v1/authn/factors/%s/verify" % (base, ids[kind]),
                                  "hints": {"allow": ["POST"]}}}}


class Okta(http.server.BaseHTTPRequestHandler):
    log = []          # (method, path, parsed json or None)
    tx = {}           # stateToken -> {"user", "polls", "sent"}
    sessions = {}     # sessionToken / sid -> user
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def base(self):
        return self.server.mock.base_url

    def error(self, code, ec, summary):
        return self.send(code, {"errorCode": ec, "errorSummary": summary, "errorLink": ec,
                                "errorId": "oae" + uuid.uuid4().hex[:20], "errorCauses": []})

    def user_obj(self, user):
        return {"id": "00u" + user.split("@")[0], "profile": {"login": user, "locale": "en",
                                                              "timeZone": "UTC"}}

    def success(self, user):
        tok = "20111" + uuid.uuid4().hex
        with self.lock:
            self.sessions[tok] = user
        return self.send(200, {"expiresAt": "2030-01-01T00:05:00.000Z", "status": "SUCCESS",
                               "sessionToken": tok,
                               "_embedded": {"user": self.user_obj(user)}})

    # --- Authentication API ------------------------------------------

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        n = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.log.append(("POST", self.path, body, self.headers.get("Content-Type")))
        if (self.headers.get("Host") or "").startswith("localhost"):
            self.log.append(("ELSEWHERE", self.path, body, None))
            return self.error(404, "E0000022", "Not found")
        if not (self.headers.get("Content-Type") or "").startswith("application/json") \
                or not isinstance(body, dict):
            return self.error(400, "E0000003", "The request body was not well-formed.")
        if path == "/api/v1/authn":
            return self.authn(body)
        if path.startswith("/api/v1/authn/factors/") and path.endswith("/verify"):
            return self.verify(path.split("/")[5], body)
        return self.error(404, "E0000022", "The endpoint does not support the provided HTTP method")

    def authn(self, body):
        user, pw = body.get("username"), body.get("password")
        if user not in USERS or USERS[user][0] != pw:
            return self.error(401, "E0000004", "Authentication failed")
        kind = USERS[user][1]
        if kind == "html":
            return self.send(200, b"<html><head><title>Service unavailable</title></head>"
                             b"<body>maintenance</body></html>", ctype="text/html")
        if kind is None:
            return self.success(user)
        if kind == "locked":
            return self.send(200, {"status": "LOCKED_OUT", "_links": {
                "next": {"name": "unlock", "href": self.base() + "/api/v1/authn/recovery/unlock"}}})
        st = "00" + uuid.uuid4().hex
        with self.lock:
            self.tx[st] = {"user": user, "polls": 0, "sent": False}
        if kind == "expired":
            return self.send(200, {"stateToken": st, "expiresAt": "2030-01-01T00:05:00.000Z",
                                   "status": "PASSWORD_EXPIRED",
                                   "_embedded": {"user": self.user_obj(user)},
                                   "_links": {"next": {"name": "changePassword", "href":
                                              self.base() + "/api/v1/authn/credentials/change_password"}}})
        kinds = {"push+totp": ["push", "totp"]}.get(kind, [kind.split("-")[0]])
        base = elsewhere(self.base()) if kind == "totp-elsewhere" else self.base()
        return self.send(200, {"stateToken": st, "expiresAt": "2030-01-01T00:05:00.000Z",
                               "status": "MFA_REQUIRED",
                               "_embedded": {"user": self.user_obj(user),
                                             "factors": [factor(base, k) for k in kinds]},
                               "_links": {"cancel": {"href": self.base() + "/api/v1/authn/cancel"}}})

    def verify(self, fid, body):
        t = self.tx.get(body.get("stateToken"))
        if not t:
            return self.error(403, "E0000011", "Invalid token provided")
        user = t["user"]
        kind = USERS[user][1]
        if fid == "ostTOTP":
            if body.get("passCode") != TOTP and body.get("passCode") not in totp_codes(SEED):
                return self.error(403, "E0000068", "Invalid Passcode/Answer")
            return self.success(user)
        if fid in ("mblSMS", "emlEMAIL"):
            if "passCode" not in body:
                t["sent"] = True
                ftype = "sms" if fid == "mblSMS" else "email"
                return self.send(200, {"stateToken": body["stateToken"], "status": "MFA_CHALLENGE",
                                       "factorResult": "CHALLENGE",
                                       "_embedded": {"user": self.user_obj(user),
                                                     "factor": factor(self.base(), ftype)},
                                       "_links": {"next": {"name": "verify", "href":
                                                  "%s/api/v1/authn/factors/%s/verify" % (self.base(), fid)}}})
            if not t["sent"] or body.get("passCode") != SMS:
                return self.error(403, "E0000068", "Invalid Passcode/Answer")
            return self.success(user)
        if fid == "opfPUSH":
            t["polls"] += 1
            result = "WAITING"
            if kind in ("push", "push+totp") and t["polls"] >= 3:
                return self.success(user)
            if kind == "push-reject" and t["polls"] >= 2:
                result = "REJECTED"
            if kind == "push-timeout" and t["polls"] >= 2:
                result = "TIMEOUT"
            f = factor(self.base(), "push")
            if kind in ("push", "push+totp") and t["polls"] >= 2:
                f["_embedded"] = {"challenge": {"correctAnswer": NUMBER}}
            out = {"stateToken": body["stateToken"], "expiresAt": "2030-01-01T00:05:00.000Z",
                   "status": "MFA_CHALLENGE", "factorResult": result, "challengeType": "FACTOR",
                   "_embedded": {"user": self.user_obj(user), "factor": f},
                   "_links": {"cancel": {"href": self.base() + "/api/v1/authn/cancel"}}}
            if result == "WAITING":
                base = elsewhere(self.base()) if kind == "push-elsewhere" else self.base()
                out["_links"]["next"] = {"name": "poll", "href":
                                         "%s/api/v1/authn/factors/%s/verify" % (base, fid),
                                         "hints": {"allow": ["POST"]}}
            return self.send(200, out)
        return self.error(404, "E0000007", "Not found: Resource not found: %s (Factor)" % fid)

    # --- browser side --------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        self.log.append(("GET", self.path, None, None))
        if u.path == "/login/sessionCookieRedirect":
            user = self.sessions.pop((q.get("token") or [""])[0], None)
            target = (q.get("redirectUrl") or [""])[0]
            if not user or not target.startswith(self.base()):
                return self.send(302, headers=[("Location", "/login/login.htm")])
            sid = "102" + uuid.uuid4().hex
            with self.lock:
                self.sessions["sid:" + sid] = user
            return self.send(302, headers=[("Location", target),
                                           ("Set-Cookie", "sid=%s; Path=/; HttpOnly" % sid)])
        if u.path in APPS:
            cookie = self.headers.get("Cookie") or ""
            user = None
            for part in cookie.split(";"):
                k, _, v = part.strip().partition("=")
                if k == "sid":
                    user = self.sessions.get("sid:" + v)
            if not user:
                return self.send(302, headers=[("Location", "/login/login.htm?fromURI=" +
                                                urllib.parse.quote(u.path))])
            site = APPS[u.path]
            saml = self.server.mock.sign_for(user, site)
            page = ("<html><head><title>Signing in...</title></head><body "
                    "onload=\"document.forms[0].submit()\"><form id=\"appForm\" "
                    "action=\"%s\" method=\"POST\"><input name=\"SAMLResponse\" type=\"hidden\" "
                    "value=\"%s\"/><input name=\"RelayState\" type=\"hidden\" value=\"\"/>"
                    "</form></body></html>" % (mockidp.SITES[site]["acs"], html.escape(saml)))
            return self.send(200, page.encode(), ctype="text/html;charset=utf-8")
        if u.path == "/login/login.htm":
            return self.send(200, b"<html><head><title>Sign In</title></head><body>"
                             b"<div id=\"okta-sign-in\"></div></body></html>", ctype="text/html")
        return self.send(404, b"<html><head><title>Not found</title></head></html>",
                         ctype="text/html")


class OktaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Okta).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Okta.log.clear()

    def config(self, user, extra="", site="cn"):
        app = [p for p, s in APPS.items() if s == site][0]
        return ("[default]\nprovider = okta\nurl = %s%s\nusername = %s\nsite = %s\n"
                "okta.poll_interval = 100\n%s" % (self.idp.base_url, app, user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, env=None):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        return self.idp.run(self.config(user, extra, site),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty, env=env)

    def posts(self, prefix):
        return [e for e in Okta.log if e[0] == "POST" and e[1].startswith(prefix)]

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- success ---------------------------------------------------------

    def test_no_mfa_login_to_sts(self):
        r = self.run_s2s("alice@example.test", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()) >= 1, True)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        authn = self.posts("/api/v1/authn")[0][2]
        self.assertEqual(authn["username"], "alice@example.test")
        self.assertEqual(authn["password"], "alice-pass")
        self.assertFalse(authn["options"]["multiOptionalFactorEnroll"])

    def test_intl_site(self):
        r = self.run_s2s("alice@example.test", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertTrue(any("0oaintl1" in e[1] for e in Okta.log if e[0] == "GET"))

    def test_device_token_random_and_kept(self):
        self.run_s2s("alice@example.test")
        self.run_s2s("alice@example.test")
        toks = [e[2]["context"]["deviceToken"] for e in self.posts("/api/v1/authn")]
        self.assertEqual(len(toks), 2)
        self.assertRegex(toks[0], r"^[0-9a-f]{32}$")
        self.assertEqual(toks[0], toks[1])
        self.assertNotIn("alice", toks[0])
        path = os.path.join(self.idp.xdg["XDG_DATA_HOME"], "saml2sts", "okta-device-token")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        # another install (its own data dir) gets another token
        other = os.path.join(self.idp.dir, "other-data")
        os.makedirs(other)
        r = self.run_s2s("alice@example.test", env={"XDG_DATA_HOME": other})
        self.assertEqual(r.returncode, 0, r.stderr)
        tok3 = self.posts("/api/v1/authn")[-1][2]["context"]["deviceToken"]
        self.assertRegex(tok3, r"^[0-9a-f]{32}$")
        self.assertNotEqual(tok3, toks[0])

    def test_totp(self):
        r = self.run_s2s("bob@example.test", tty=[("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        v = self.posts("/api/v1/authn/factors/ostTOTP/verify")
        self.assertEqual(len(v), 1)
        self.assertEqual(v[0][2]["passCode"], TOTP)
        self.assertIn("rememberDevice=true", v[0][1])

    def test_push_with_number_challenge(self):
        t0 = time.monotonic()
        r = self.run_s2s("carol@example.test")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pick number 42", r.stderr.decode())
        self.assertEqual(len(self.posts("/api/v1/authn/factors/opfPUSH/verify")), 3)
        self.assertLess(time.monotonic() - t0, 10)

    def test_sms(self):
        r = self.run_s2s("ivy@example.test", tty=[("SMS", SMS)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.posts("/api/v1/authn/factors/mblSMS/verify")
        self.assertEqual(len(v), 2)
        self.assertNotIn("passCode", v[0][2])
        self.assertEqual(v[1][2]["passCode"], SMS)

    def test_sms_without_terminal_answered_by_a_graphical_helper(self):
        # no terminal, but prompt = zenity on a display: the SMS is sent
        # and the code comes from the helper (a fake zenity on PATH)
        d = os.path.join(self.idp.dir, "fake-zenity")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "zenity"), "w") as f:
            f.write("#!/bin/sh\necho %s\n" % SMS)
        os.chmod(os.path.join(d, "zenity"), 0o755)
        r = self.run_s2s("ivy@example.test", extra="prompt = zenity\n",
                         env={"PATH": d + ":/usr/bin:/bin", "DISPLAY": ":99"})
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.posts("/api/v1/authn/factors/mblSMS/verify")
        self.assertEqual(v[1][2]["passCode"], SMS)

    def test_sms_without_terminal_sends_nothing_exit_8(self):
        r = self.run_s2s("ivy@example.test")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("nothing was sent", r.stderr.decode())
        self.assertEqual(self.posts("/api/v1/authn/factors/mblSMS/verify"), [])

    def test_email(self):
        r = self.run_s2s("jo@example.test", tty=[("email", SMS)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.posts("/api/v1/authn/factors/emlEMAIL/verify")), 2)

    def test_factor_choice_prompt_and_config(self):
        r = self.run_s2s("kim@example.test", tty=[("MFA factor (push, totp)", "totp"),
                                                   ("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.posts("/api/v1/authn/factors/opfPUSH")), 0)
        Okta.log.clear()
        r = self.run_s2s("kim@example.test", extra="okta.mfa = push\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.posts("/api/v1/authn/factors/ostTOTP")), 0)

    def test_totp_from_seed_in_keyring(self):
        cfg = self.config("bob@example.test")
        r = self.idp.run(cfg, ["configure", "--totp-secret-stdin"],
                         stdin=b"gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(r.config_path) as f:
            saved = f.read()
        self.assertIn("okta.totp_seed = keyring", saved)
        self.assertNotIn("gezd", saved.lower())
        r = self.run_s2s("bob@example.test", extra="okta.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        code = self.posts("/api/v1/authn/factors/ostTOTP/verify")[0][2]["passCode"]
        self.assertIn(code, totp_codes(SEED))
        self.assertNotEqual(code, TOTP)
        # with push and totp enrolled, the stored seed makes auto pick totp
        r = self.idp.run(self.config("kim@example.test"), ["configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        Okta.log.clear()
        r = self.run_s2s("kim@example.test", extra="okta.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.posts("/api/v1/authn/factors/opfPUSH")), 0)
        self.assertIn(self.posts("/api/v1/authn/factors/ostTOTP")[0][2]["passCode"],
                      totp_codes(SEED))

    def test_totp_seed_rejected_when_not_base32_exit_2(self):
        r = self.idp.run(self.config("bob@example.test"), ["configure", "--totp-secret-stdin"],
                         stdin=b"not-a-seed!\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("Base32", r.stderr.decode())
        self.assertNotIn(b"not-a-seed", r.stderr)

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice@example.test", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("authentication failed", self.err1(r))
        self.assertNotIn(b"nope", r.stderr)

    def test_locked_out_exit_3(self):
        r = self.run_s2s("gina@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked out", self.err1(r))

    def test_password_expired_exit_3(self):
        r = self.run_s2s("hank@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("password has expired", self.err1(r))

    def test_wrong_totp_exit_4(self):
        r = self.run_s2s("bob@example.test", tty=[("authenticator code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Invalid Passcode/Answer", r.stderr.decode())
        self.assertNotIn(b"000000", r.stderr)

    def test_totp_without_prompting_exit_8(self):
        r = self.run_s2s("bob@example.test")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_push_rejected_exit_4(self):
        r = self.run_s2s("dave@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("rejected", r.stderr.decode().splitlines()[-1])

    def test_push_okta_timeout_exit_4(self):
        r = self.run_s2s("fred@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("timed out", r.stderr.decode().splitlines()[-1])

    def test_push_local_deadline_exit_4(self):
        t0 = time.monotonic()
        r = self.run_s2s("erin@example.test", extra="okta.push_timeout = 1\n")
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", r.stderr.decode().splitlines()[-1])
        self.assertLess(took, 6)
        polls = len(self.posts("/api/v1/authn/factors/opfPUSH/verify"))
        self.assertGreaterEqual(polls, 5)
        self.assertLessEqual(polls, 15)

    def test_links_to_another_host_not_followed_exit_5(self):
        # the stateToken and the code go only to the org of url
        r = self.run_s2s("mia@example.test", tty=[("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not on " + self.idp.base_url, self.err1(r))
        self.assertNotIn(b"authenticator code", r.tty)
        r2 = self.run_s2s("ned@example.test")
        self.assertEqual(r2.returncode, 5, r2.stderr)
        self.assertIn("not on " + self.idp.base_url, r2.stderr.decode().splitlines()[-1])
        self.assertEqual(len(self.posts("/api/v1/authn/factors/opfPUSH/verify")), 1)
        self.assertEqual([e for e in Okta.log if e[0] == "ELSEWHERE"], [])

    def test_unexpected_page_exit_5(self):
        r = self.run_s2s("lee@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not Okta API JSON", self.err1(r))

    def test_app_page_without_saml_exit_5(self):
        cfg = ("[default]\nprovider = okta\nurl = %s/home/other/0oaX/alnX\n"
               "username = alice@example.test\nsite = cn\n" % self.idp.base_url)
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not understood", self.err1(r))

    def test_unknown_key_and_bad_mfa_exit_2(self):
        r = self.run_s2s("alice@example.test", extra="okta.pushtimeout = 5\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("okta.pushtimeout", r.stderr.decode())
        r = self.run_s2s("alice@example.test", extra="okta.mfa = yubikey\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(self.posts("/api/v1/authn")), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
