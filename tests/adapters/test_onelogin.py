#!/usr/bin/python3
"""The onelogin adapter against a loopback OneLogin API v2.

The mock follows OneLogin's documented API v2
(developers.onelogin.com/api-docs/2): POST /auth/oauth2/v2/token with HTTP
Basic client_id:client_secret, Content-Type application/json and
{"grant_type":"client_credentials"} gives an access_token (a new one per
call); POST /api/2/saml_assertion with "Authorization: bearer:<token>" and
{username_or_email, password, app_id, subdomain} answers 200
{"message":"Success","data":<base64 SAMLResponse>}, 200 "MFA is required for
this user" with state_token, devices and callback_url, or 401 with a
message; POST /api/2/saml_assertion/verify_factor {app_id, device_id,
state_token, otp_token?, do_not_notify?} verifies a Google Authenticator /
YubiKey code, sends an SMS (first call) then checks its code, or sends a
OneLogin Protect push (first call) and answers "Authentication pending"
to the polls, which must carry do_not_notify:true.  callback_url points at
a path of the mock that fails the test if called, and so does a fake ACS.
"""

import base64
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

CLIENT_ID = "c1d2e3f4"
CLIENT_SECRET = "s3cr3t-ClientSecret-0042"
ODD_SECRET = "secret-of-a-client-given-an-odd-token"
SUBDOMAIN = "corp"
APPS = {"111111": "cn", "222222": "intl"}
TOTP = "314159"
SMS = "271828"
YUBI = "cccccjgjgkhcbbirdrfdnlnghhfgrtnnlgedjlftrbdeut"
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEVICES = {"push": (901, "OneLogin Protect"), "totp": (902, "Google Authenticator"),
           "sms": (903, "OneLogin SMS"), "yubikey": (904, "Yubico YubiKey"),
           "webauthn": (905, "WebAuthn")}
USERS = {  # username -> (password, devices, push behaviour)
    "alice@example.test": ("alice-pass", [], None),
    "bob@example.test": ("bob-pass", ["push", "totp", "sms"], "approve"),
    "carol@example.test": ("carol-pass", ["totp"], None),
    "dave@example.test": ("dave-pass", ["sms"], None),
    "erin@example.test": ("erin-pass", ["push"], "approve"),
    "fred@example.test": ("fred-pass", ["push"], "deny"),
    "gina@example.test": ("gina-pass", ["push"], "never"),
    "hank@example.test": ("hank-pass", "locked", None),
    "ivy@example.test": ("ivy-pass", ["webauthn"], None),
    "kim@example.test": ("kim-pass", ["yubikey"], None),
    "olga@example.test": ("olga-pass", ["push"], "outage"),
}


totp_codes = mockidp.totp_codes


class OneLogin(http.server.BaseHTTPRequestHandler):
    log = []         # (path, headers dict, body, time)
    violations = []  # what a real client must never do
    tokens = set()
    tx = {}          # state_token -> {"user", "app", "sent", "pushed", "polls"}
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body):
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def fail(self, code, message):
        return self.send(code, {"statusCode": code, "name": "Unauthorized" if code == 401
                                else "Bad Request", "message": message})

    def do_GET(self):
        self.violations.append("GET " + self.path)
        self.fail(404, "Not Found")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with self.lock:
            self.log.append((path, dict(self.headers), body, time.monotonic()))
        if path.startswith("/callback/") or path == "/saml-role/sso":
            self.violations.append("POST " + path)
            return self.fail(400, "wrong host")
        if not (self.headers.get("Content-Type") or "").startswith("application/json") \
                or not isinstance(body, dict):
            return self.fail(400, "Content-Type must be application/json")
        if path == "/auth/oauth2/v2/token":
            return self.token(body)
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("bearer:") or auth[7:] not in self.tokens:
            return self.fail(401, "Authorization Information is incorrect")
        if self.headers.get("X-Injected"):
            self.violations.append("a header injected through the access token")
        if path == "/api/2/saml_assertion":
            return self.assertion(body)
        if path == "/api/2/saml_assertion/verify_factor":
            return self.verify(body)
        return self.fail(404, "Not Found")

    def token(self, body):
        want = "Basic " + base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        odd = "Basic " + base64.b64encode(("%s:%s" % (CLIENT_ID, ODD_SECRET)).encode()).decode()
        if self.headers.get("Authorization") == odd:  # a hostile or broken token
            with self.lock:
                self.tokens.add("0dd")
            return self.send(200, {"access_token": "0dd\r\nX-Injected: 1",
                                   "token_type": "bearer", "expires_in": 36000})
        if self.headers.get("Authorization") != want:
            return self.fail(401, "Authentication Failure")
        if body != {"grant_type": "client_credentials"}:
            return self.fail(400, "Invalid grant_type")
        tok = uuid.uuid4().hex
        with self.lock:
            self.tokens.add(tok)
        return self.send(200, {"access_token": tok, "created_at": "2026-12-06T02:00:00.000Z",
                               "expires_in": 36000, "refresh_token": uuid.uuid4().hex,
                               "token_type": "bearer", "account_id": 555555})

    def success(self, user, app):
        return self.send(200, {"message": "Success",
                               "data": self.server.mock.sign_for(user, APPS[app])})

    def assertion(self, body):
        user, pw, app = body.get("username_or_email"), body.get("password"), body.get("app_id")
        if body.get("subdomain") != SUBDOMAIN or app not in APPS:
            return self.fail(400, "Invalid app_id or subdomain")
        if user not in USERS or USERS[user][0] != pw:
            return self.fail(401, "Authentication Failed")
        devices = USERS[user][1]
        if devices == "locked":
            return self.fail(401, "User is locked")
        if not devices:
            return self.success(user, app)
        st = "5xxx" + uuid.uuid4().hex
        with self.lock:
            self.tx[st] = {"user": user, "app": app, "sent": False, "pushed": False, "polls": 0}
        base = self.server.mock.base_url
        return self.send(200, {
            "message": "MFA is required for this user", "state_token": st,
            "devices": [{"device_id": DEVICES[d][0], "device_type": DEVICES[d][1]}
                        for d in devices],
            "callback_url": base + "/callback/api/2/saml_assertion/verify_factor",
            "user": {"email": user, "username": user.split("@")[0], "firstname": "T",
                     "lastname": "U", "id": 42}})

    def verify(self, body):
        t = self.tx.get(body.get("state_token"))
        if not t or body.get("app_id") != t["app"]:
            return self.fail(400, "Invalid state_token")
        user = t["user"]
        kinds = {str(DEVICES[d][0]): d for d in USERS[user][1]}
        kind = kinds.get(body.get("device_id"))
        if not isinstance(body.get("device_id"), str) or kind is None:
            return self.fail(400, "Invalid device_id")
        otp = body.get("otp_token")
        if kind == "totp":
            if otp != TOTP and otp not in totp_codes(SEED):
                return self.fail(401, "Failed authentication with this factor")
            return self.success(user, t["app"])
        if kind == "yubikey":
            if otp != YUBI:
                return self.fail(401, "Failed authentication with this factor")
            return self.success(user, t["app"])
        if kind == "sms":
            if otp is None:
                t["sent"] = True
                return self.send(200, {"message": "SMS token sent to your device"})
            if not t["sent"] or otp != SMS:
                return self.fail(401, "Failed authentication with this factor")
            return self.success(user, t["app"])
        if kind == "push" and otp is not None:  # OneLogin Protect's own code
            if otp != TOTP:
                return self.fail(401, "Failed authentication with this factor")
            return self.success(user, t["app"])
        if kind == "push":
            if not t["pushed"]:
                if body.get("do_not_notify"):
                    self.violations.append("first push call with do_not_notify")
                t["pushed"] = True
                return self.send(200, {"message": "Authentication pending on OL Protect"})
            if body.get("do_not_notify") is not True:
                self.violations.append("push sent again (poll without do_not_notify)")
            t["polls"] += 1
            how = USERS[user][2]
            if how == "approve" and t["polls"] >= 3:
                return self.success(user, t["app"])
            if how == "outage":  # the API is down for a moment
                return self.fail(503, "Service Unavailable")
            if how == "deny" and t["polls"] >= 2:
                return self.fail(401, "Authentication denied on OL Protect")
            return self.send(200, {"message": "Authentication pending on OL Protect"})
        return self.fail(400, "Unsupported factor")


class OneLoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(OneLogin).start()
        r = cls.idp.run(cls.config_text("alice@example.test"),
                        ["configure", "--client-secret-stdin"],
                        stdin=CLIENT_SECRET.encode() + b"\n")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        OneLogin.log.clear()
        OneLogin.violations.clear()

    def tearDown(self):
        self.assertEqual(OneLogin.violations, [])

    @classmethod
    def config_text(cls, user, extra="", site="cn", account="default"):
        app = [a for a, s in APPS.items() if s == site][0]
        return ("[%s]\nprovider = onelogin\nurl = %s\nusername = %s\nsite = %s\n"
                "onelogin.client_id = %s\nonelogin.app_id = %s\nonelogin.subdomain = %s\n"
                "onelogin.poll_interval = 200\n%s"
                % (account, cls.idp.base_url, user, site, CLIENT_ID, app, SUBDOMAIN, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, env=None,
                account="default"):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        argv = (["-a", account] if account != "default" else []) + \
            (list(args) or ["list-roles", "--output", "json"])
        return self.idp.run(self.config_text(user, extra, site, account), argv,
                            password=password, tty=tty, env=env)

    def calls(self, path):
        return [e for e in OneLogin.log if e[0] == path]

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- success ---------------------------------------------------------

    def test_no_mfa_login_to_sts(self):
        r = self.run_s2s("alice@example.test", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        tok = self.calls("/auth/oauth2/v2/token")
        self.assertEqual(len(tok), 1)
        self.assertTrue(tok[0][1]["Authorization"].startswith("Basic "))
        self.assertEqual(tok[0][2], {"grant_type": "client_credentials"})
        a = self.calls("/api/2/saml_assertion")[0]
        self.assertRegex(a[1]["Authorization"], r"^bearer:[0-9a-f]{32}$")
        self.assertEqual(a[2], {"username_or_email": "alice@example.test",
                                "password": "alice-pass", "app_id": "111111",
                                "subdomain": SUBDOMAIN})
        with open(r.config_path) as f:
            self.assertNotIn(CLIENT_SECRET, f.read())

    def test_intl_site_and_ip_address(self):
        r = self.run_s2s("alice@example.test", site="intl",
                         extra="onelogin.ip_address = 203.0.113.7\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        a = self.calls("/api/2/saml_assertion")[0][2]
        self.assertEqual(a["app_id"], "222222")
        self.assertEqual(a["ip_address"], "203.0.113.7")

    def test_totp_typed(self):
        r = self.run_s2s("carol@example.test", tty=[("Authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual(len(v), 1)
        self.assertEqual(v[0][2]["otp_token"], TOTP)
        self.assertEqual(v[0][2]["device_id"], "902")
        self.assertEqual(v[0][2]["app_id"], "111111")
        self.assertRegex(v[0][1]["Authorization"], r"^bearer:")

    def test_three_devices_prompt_then_config(self):
        r = self.run_s2s("bob@example.test", tty=[("MFA device (push, totp, sms)", "totp"),
                                                  ("Authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual([e[2]["device_id"] for e in v], ["902"])
        OneLogin.log.clear()
        r = self.run_s2s("bob@example.test", extra="onelogin.mfa = sms\n",
                         tty=[("SMS", SMS)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual(len(v), 2)
        self.assertNotIn("otp_token", v[0][2])
        self.assertEqual(v[1][2]["otp_token"], SMS)
        self.assertEqual(v[1][2]["device_id"], "903")

    def test_three_devices_without_terminal_take_push(self):
        r = self.run_s2s("bob@example.test")
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual({e[2]["device_id"] for e in v}, {"901"})
        self.assertEqual(len(v), 4)

    def test_sms_pending_then_code(self):
        r = self.run_s2s("dave@example.test", tty=[("SMS", SMS)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual(len(v), 2)
        self.assertNotIn("otp_token", v[0][2])

    def test_yubikey(self):
        r = self.run_s2s("kim@example.test", tty=[("YubiKey", YUBI)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.calls("/api/2/saml_assertion/verify_factor")[0][2]["otp_token"],
                         YUBI)

    def test_totp_from_kept_seed(self):
        cfg = self.config_text("carol@example.test", account="seeded")
        r = self.idp.run(cfg, ["-a", "seeded", "configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.idp.run(cfg, ["-a", "seeded", "configure", "--client-secret-stdin"],
                         stdin=CLIENT_SECRET.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("carol@example.test", account="seeded",
                         extra="onelogin.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(self.calls("/api/2/saml_assertion/verify_factor")[0][2]["otp_token"],
                      totp_codes(SEED))

    def test_protect_code_with_mfa_totp(self):
        r = self.run_s2s("erin@example.test", extra="onelogin.mfa = totp\n",
                         tty=[("OneLogin Protect code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual(len(v), 1)
        self.assertEqual((v[0][2]["device_id"], v[0][2]["otp_token"]), ("901", TOTP))

    def test_push_pending_then_success(self):
        r = self.run_s2s("erin@example.test", "--quiet", "list-roles")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("approve the push", r.stderr.decode())
        v = self.calls("/api/2/saml_assertion/verify_factor")
        self.assertEqual(len(v), 4)
        self.assertNotIn("do_not_notify", v[0][2])
        self.assertTrue(all(e[2].get("do_not_notify") is True for e in v[1:]))
        gaps = [b[3] - a[3] for a, b in zip(v, v[1:])]
        self.assertGreaterEqual(min(gaps), 0.18, gaps)

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice@example.test", password="nope-wrong")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("wrong username or password", self.err1(r))
        self.assertNotIn(b"nope-wrong", r.stderr)

    def test_locked_exit_3(self):
        r = self.run_s2s("hank@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked", self.err1(r))

    def test_wrong_totp_exit_4(self):
        r = self.run_s2s("carol@example.test", tty=[("Authenticator code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Failed authentication with this factor", r.stderr.decode())
        self.assertNotIn(b"000000", r.stderr)

    def test_code_without_terminal_exit_8(self):
        r = self.run_s2s("carol@example.test")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertEqual(len(self.calls("/api/2/saml_assertion/verify_factor")), 0)

    def test_push_denied_exit_4(self):
        r = self.run_s2s("fred@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("denied", r.stderr.decode().splitlines()[-1])

    def test_api_outage_during_push_is_exit_9_not_a_denial(self):
        r = self.run_s2s("olga@example.test")
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertIn("HTTP 503; try again later", r.stderr.decode().splitlines()[-1])

    def test_push_timeout_exit_4(self):
        t0 = time.monotonic()
        r = self.run_s2s("gina@example.test", extra="onelogin.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", r.stderr.decode().splitlines()[-1])
        self.assertLess(time.monotonic() - t0, 8)
        polls = len(self.calls("/api/2/saml_assertion/verify_factor"))
        self.assertGreaterEqual(polls, 3)
        self.assertLessEqual(polls, 8)

    def test_webauthn_only_exit_5(self):
        r = self.run_s2s("ivy@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("WebAuthn", self.err1(r))
        self.assertIn("browser", self.err1(r))

    def test_no_client_secret_exit_8(self):
        r = self.run_s2s("alice@example.test", account="nosecret")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("--client-secret-stdin", self.err1(r))
        self.assertEqual(OneLogin.log, [])

    def test_wrong_client_secret_exit_2(self):
        cfg = self.config_text("alice@example.test", account="badsecret")
        r = self.idp.run(cfg, ["-a", "badsecret", "configure", "--client-secret-stdin"],
                         stdin=b"not-the-secret\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("alice@example.test", account="badsecret")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("onelogin.client_id", self.err1(r))
        self.assertNotIn(b"not-the-secret", r.stderr)
        self.assertEqual(len(self.calls("/api/2/saml_assertion")), 0)

    def test_access_token_with_crlf_refused_exit_5(self):
        cfg = self.config_text("alice@example.test", account="odd")
        r = self.idp.run(cfg, ["-a", "odd", "configure", "--client-secret-stdin"],
                         stdin=ODD_SECRET.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("alice@example.test", "--debug", "list-roles", account="odd")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("access_token", r.stderr.decode().splitlines()[-1])
        self.assertEqual(self.calls("/api/2/saml_assertion"), [])
        self.assertNotIn(b"X-Injected", r.stderr)

    def test_logout_all_forgets_client_secret(self):
        cfg = self.config_text("alice@example.test", account="gone")
        r = self.idp.run(cfg, ["-a", "gone", "configure", "--client-secret-stdin"],
                         stdin=b"to-be-forgotten\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.idp.run(cfg, ["logout", "--all"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("API client secret", r.stderr.decode() + r.stdout.decode())
        # the class-wide secret went too: store it again
        r = self.idp.run(self.config_text("alice@example.test"),
                         ["configure", "--client-secret-stdin"],
                         stdin=CLIENT_SECRET.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_configure_client_secret_stdin_usage(self):
        cfg = self.config_text("alice@example.test", account="empty")
        r = self.idp.run(cfg, ["-a", "empty", "configure", "--client-secret-stdin"],
                         stdin=b"")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("no secret on stdin", r.stderr.decode())
        r = self.idp.run(cfg, ["-a", "empty", "configure", "--client-secret-stdin",
                               "--totp-secret-stdin"], stdin=b"x\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        r = self.run_s2s("alice@example.test", account="empty")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_unknown_key_and_missing_app_id_exit_2(self):
        r = self.run_s2s("alice@example.test", extra="onelogin.appid = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("onelogin.appid", r.stderr.decode())
        cfg = ("[default]\nprovider = onelogin\nurl = %s\nusername = alice@example.test\n"
               "onelogin.client_id = %s\nonelogin.subdomain = corp\n"
               % (self.idp.base_url, CLIENT_ID))
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("onelogin.app_id", r.stderr.decode())
        r = self.run_s2s("alice@example.test", extra="onelogin.mfa = fax\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(OneLogin.log, [])

    def test_debug_output_has_no_secrets(self):
        r = self.run_s2s("carol@example.test", "--debug", "list-roles",
                         tty=[("Authenticator code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stderr + r.stdout + r.tty
        for secret in [CLIENT_SECRET, "carol-pass", TOTP] + list(OneLogin.tokens) + \
                list(OneLogin.tx):
            self.assertNotIn(secret.encode(), out)
        self.assertNotIn(b"PD94bWwg", out)  # base64 of "<?xml "


if __name__ == "__main__":
    unittest.main(verbosity=2)
