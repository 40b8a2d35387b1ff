#!/usr/bin/python3
"""The authentik adapter against a loopback authentik (flow executor API).

The mock follows authentik's documented flow executor: the SAML provider's
IdP-initiated URL /application/saml/<app>/sso/binding/init/ redirects an
anonymous session to the flow interface /if/flow/<slug>/?next=<init>; the
client runs the flow through /api/v3/flows/executor/<slug>/?query=<the
interface's query string>, the state in the session cookie (the mock
refuses an executor call without it, or with a query naming another next).
GET answers the current challenge (type, component, stage fields); POST
with a JSON answer is a 302 back to the executor when accepted, a 200 with
the same challenge and response_errors when not.  Every POST must carry
X-authentik-CSRF equal to the authentik_csrf cookie, a JSON body and, when
it has an Origin, the mock's own (Django's CSRF check).  After
authentication the flow redirects (xak-flow-redirect) to the init URL, which
runs the authorization flow whose ak-stage-autosubmit carries the signed
SAMLResponse for the app's ACS.  Anything sent to the mock's /acs fails.
"""

import base64
import json
import http.server
import os
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

TOTP = "314159"
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
USERS = {  # uid -> (password, stages after identification)
    "alice": ("alice-pass", ["password"]),
    "bob": ("bob-pass", []),
    "carol": ("carol-pass", ["password", "totp"]),
    "dave": ("dave-pass", ["password", "webauthn"]),
    "erin": ("erin-pass", ["password", "denied"]),
    "fred": ("fred-pass", ["flow-error"]),
    "hank": ("hank-pass", ["password", "consent"]),
    "ivy": ("ivy-pass", ["password", "captcha"]),
    "gina": ("gina-pass", ["password", "elsewhere"]),
    "kate": ("kate-pass", ["password"]),  # the server fails her password answer
}
APPS = {  # slug -> (site, authentication flow, password on the identification stage)
    "alibaba-cn": ("cn", "default-authentication-flow", False),
    "alibaba-intl": ("intl", "inline-password-flow", True),
    "alibaba-bad": ("cn", "default-authentication-flow", False),
    "alibaba-captcha": ("cn", "captcha-flow", True),  # a captcha on identification
}
AUTHZ = "default-provider-authorization-implicit-consent"


totp_codes = mockidp.totp_codes


def init_path(app):
    return "/application/saml/%s/sso/binding/init/" % app


class Authentik(http.server.BaseHTTPRequestHandler):
    log = []        # (method, path, json body or None, headers dict)
    sessions = {}   # session id -> state
    acs_hits = []
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

    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                out[k] = v
        return out

    def session(self):
        return self.sessions.get(self.cookies().get("authentik_session"))

    # --- challenges ------------------------------------------------------

    def flow_info(self):
        return {"title": "Welcome to authentik", "background": "/static/bg.jpg",
                "cancel_url": "/flows/-/cancel/", "layout": "stacked"}

    def current(self, s, fresh=True):
        if s["flow"] == AUTHZ:
            if not s["authed"]:
                return {"type": "native", "component": "ak-stage-access-denied",
                        "flow_info": self.flow_info(), "error_message": "not logged in"}
            site = APPS[s["app"]][0]
            url = (self.server.mock.base_url + "/acs" if s["app"] == "alibaba-bad"
                   else mockidp.SITES[site]["acs"])
            return {"type": "native", "component": "ak-stage-autosubmit",
                    "flow_info": self.flow_info(), "url": url, "title": "Redirecting to Alibaba",
                    "attrs": {"ACSUrl": url, "SAMLResponse": self.server.mock.sign_for(
                        s["user"] + "@example.test", site), "RelayState": ""}}
        if s["user"] is None:
            ch = {"type": "native", "component": "ak-stage-identification",
                  "flow_info": self.flow_info(), "user_fields": ["username", "email"],
                  "password_fields": APPS[s["app"]][2], "primary_action": "Log in",
                  "sources": [], "show_source_labels": False, "captcha_stage": None}
            if s["app"] == "alibaba-captcha":
                ch["captcha_stage"] = {"js_url": "https://www.google.com/recaptcha/api.js",
                                       "site_key": "6Lc", "interactive": True}
            return ch
        stages = USERS.get(s["user"], ("", ["password"]))[1]
        if s["i"] >= len(stages):
            s["authed"] = True
            return {"type": "redirect", "component": "xak-flow-redirect",
                    "flow_info": self.flow_info(), "to": init_path(s["app"])}
        st = stages[s["i"]]
        if st == "elsewhere":  # a flow that sends the client to another host
            return {"type": "redirect", "component": "xak-flow-redirect",
                    "flow_info": self.flow_info(),
                    "to": "http://localhost:%d/if/flow/other-flow/" % self.server.mock.port}
        if st == "password":
            return {"type": "native", "component": "ak-stage-password",
                    "flow_info": self.flow_info(), "pending_user": s["user"],
                    "pending_user_avatar": "/static/avatar.svg"}
        if st in ("totp", "webauthn"):
            return {"type": "native", "component": "ak-stage-authenticator-validate",
                    "flow_info": self.flow_info(), "pending_user": s["user"],
                    "device_challenges": [{"device_class": st, "device_uid": "7",
                                           "challenge": {}, "last_used": None}],
                    "configuration_stages": []}
        if st == "denied":
            return {"type": "native", "component": "ak-stage-access-denied",
                    "flow_info": self.flow_info(), "error_message": "Policy denied access"}
        if st == "flow-error":
            return {"type": "native", "component": "ak-stage-flow-error",
                    "flow_info": self.flow_info(), "error": "Flow does not apply to current user.",
                    "request_id": uuid.uuid4().hex}
        if st == "consent":
            if fresh or "consent" not in s:
                s["consent"] = str(uuid.uuid4())
            return {"type": "native", "component": "ak-stage-consent",
                    "flow_info": self.flow_info(), "pending_user": s["user"],
                    "token": s["consent"], "permissions": [], "additional_permissions": [],
                    "header_text": "Alibaba Cloud wants to access your account"}
        return {"type": "native", "component": "ak-stage-captcha", "flow_info": self.flow_info(),
                "site_key": "6Lc", "js_url": "https://www.google.com/recaptcha/api.js"}

    def executor_check(self, slug, q):
        s = self.session()
        if s is None or s["flow"] != slug:
            return None, "no flow plan in this session"
        want = urllib.parse.urlencode({"next": s["next"]}) if s["next"] else ""
        got = (q.get("query") or [""])[0]
        if got != want:
            return None, "query %r is not %r" % (got, want)
        return s, None

    # --- HTTP --------------------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        self.log.append(("GET", self.path, None, dict(self.headers)))
        parts = u.path.split("/")
        if u.path.startswith("/application/saml/") and u.path.endswith("/sso/binding/init/"):
            app = parts[3]
            if app not in APPS:
                return self.send(404, b"<html><title>Not found</title></html>", "text/html")
            s, sid = self.session(), self.cookies().get("authentik_session")
            headers = []
            if s is None:
                sid = uuid.uuid4().hex
                s = {"csrf": uuid.uuid4().hex}
                with self.lock:
                    self.sessions[sid] = s
                headers = [("Set-Cookie", "authentik_session=%s; Path=/; HttpOnly" % sid),
                           ("Set-Cookie", "authentik_csrf=%s; Path=/" % s["csrf"])]
            if s.get("authed"):
                s.update(flow=AUTHZ, next="")
                return self.send(302, headers=headers + [("Location", "/if/flow/%s/" % AUTHZ)])
            s.update(app=app, flow=APPS[app][1], next=u.path, user=None, i=0, authed=False)
            nxt = urllib.parse.quote(u.path, safe="")
            return self.send(302, headers=headers + [
                ("Location", "/flows/-/default/authentication/?next=" + nxt)])
        if u.path == "/flows/-/default/authentication/":
            s = self.session()
            if s is None:
                return self.send(403, {"detail": "no session"})
            return self.send(302, headers=[("Location", "/if/flow/%s/?next=%s" % (
                s["flow"], urllib.parse.quote((q.get("next") or [""])[0], safe="")))])
        if u.path.startswith("/if/flow/"):
            return self.send(200, b"<html><head><title>authentik</title></head><body>"
                             b"<ak-flow-executor></ak-flow-executor></body></html>", "text/html")
        if u.path.startswith("/api/v3/flows/executor/other-flow/"):
            return self.send(200, {"type": "native", "component": "ak-stage-authenticator-validate",
                                   "flow_info": self.flow_info(), "pending_user": "gina",
                                   "device_challenges": [{"device_class": "totp", "device_uid": "1",
                                                          "challenge": {}, "last_used": None}],
                                   "configuration_stages": []})
        if u.path.startswith("/api/v3/flows/executor/"):
            s, why = self.executor_check(parts[5], q)
            if s is None:
                return self.send(400, {"detail": why})
            return self.send(200, self.current(s))
        return self.send(404, b"<html><title>Not found</title></html>", "text/html")

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.log.append(("POST", self.path, body, dict(self.headers)))
        if u.path == "/acs" or u.path.startswith("/saml-role"):
            self.acs_hits.append(self.path)
            return self.send(500, {"detail": "the assertion must never come here"})
        if not u.path.startswith("/api/v3/flows/executor/"):
            return self.send(405, {"detail": "Method not allowed"})
        s, why = self.executor_check(u.path.split("/")[5], q)
        if s is None:
            return self.send(400, {"detail": why})
        if self.headers.get("Origin", self.server.mock.base_url) != self.server.mock.base_url:
            return self.send(403, {"detail": "CSRF Failed: Origin checking failed."})
        if self.headers.get("X-authentik-CSRF") != s["csrf"]:
            return self.send(403, {"detail": "CSRF Failed: CSRF token missing or incorrect."})
        if not (self.headers.get("Content-Type") or "").startswith("application/json") \
                or not isinstance(body, dict):
            return self.send(415, {"detail": "Unsupported media type"})
        ch = self.current(s, fresh=False)
        if body.get("component") != ch["component"]:
            return self.send(400, {"detail": "wrong component"})
        again = dict(ch)
        comp = ch["component"]
        if comp == "ak-stage-identification":
            uid = body.get("uid_field")
            if ch["captcha_stage"] and not body.get("captcha_token"):
                again["response_errors"] = {"captcha_token": [
                    {"string": "Invalid captcha response", "code": "invalid"}]}
                return self.send(200, again)
            if APPS[s["app"]][2]:
                if uid not in USERS or USERS[uid][0] != body.get("password"):
                    again["response_errors"] = {"non_field_errors": [
                        {"string": "Failed to authenticate.", "code": "invalid"}]}
                    return self.send(200, again)
            elif "password" in body:
                return self.send(400, {"detail": "no password field on this stage"})
            s["user"] = uid
        elif comp == "ak-stage-password":
            if s["user"] == "kate":
                return self.send(503, b"<html><title>503</title></html>", "text/html")
            if USERS.get(s["user"], ("",))[0] != body.get("password"):
                again["response_errors"] = {"password": [
                    {"string": "Invalid password", "code": "invalid"}]}
                return self.send(200, again)
            s["i"] += 1
        elif comp == "ak-stage-authenticator-validate":
            if body.get("code") != TOTP and body.get("code") not in totp_codes(SEED):
                again["response_errors"] = {"code": [
                    {"string": "Invalid Token. Please ensure the time on your device is "
                     "accurate and try again.", "code": "invalid"}]}
                return self.send(200, again)
            s["i"] += 1
        elif comp == "ak-stage-consent":
            if body.get("token") != s["consent"]:
                again["response_errors"] = {"token": [
                    {"string": "Invalid consent token", "code": "invalid"}]}
                return self.send(200, again)
            s["i"] += 1
        else:
            return self.send(400, {"detail": "stage cannot be answered"})
        return self.send(302, headers=[("Location", self.path)])


class AuthentikTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Authentik).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Authentik.log.clear()
        Authentik.acs_hits.clear()

    def tearDown(self):
        self.assertEqual(Authentik.acs_hits, [])

    def config(self, user, extra="", app="alibaba-cn"):
        return ("[default]\nprovider = authentik\nurl = %s%s\nusername = %s\nsite = %s\n%s"
                % (self.idp.base_url, init_path(app), user, APPS[app][0], extra))

    def run_s2s(self, user, *args, password=None, extra="", app="alibaba-cn", tty=None):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        return self.idp.run(self.config(user, extra, app),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def posts(self, component=None):
        return [e for e in Authentik.log if e[0] == "POST" and
                (component is None or (e[2] or {}).get("component") == component)]

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        return lines[0]

    # --- success ---------------------------------------------------------

    def test_identification_then_password_cn(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice", "login", "--force", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), n + 1)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        ident = self.posts("ak-stage-identification")
        self.assertEqual(len(ident), 1)
        self.assertEqual(ident[0][2], {"component": "ak-stage-identification",
                                       "uid_field": "alice"})
        pw = self.posts("ak-stage-password")
        self.assertEqual(pw[0][2], {"component": "ak-stage-password", "password": "alice-pass"})
        # the executor, with the interface's query, never the SPA page
        execs = [e for e in Authentik.log if "/api/v3/flows/executor/" in e[1]]
        self.assertTrue(any("/default-authentication-flow/?query=next%3D%252Fapplication"
                            in e[1] for e in execs), execs)
        self.assertTrue(any("/%s/" % AUTHZ in e[1] for e in execs))
        self.assertFalse([e for e in Authentik.log if e[1].startswith("/if/flow/")])
        for e in execs:
            self.assertIn("authentik_session=", e[3].get("Cookie", ""))
        for e in self.posts():
            self.assertEqual(e[3].get("Accept"), "application/json")
            self.assertEqual(e[3].get("Origin"), self.idp.base_url)
            self.assertTrue(e[3].get("X-authentik-CSRF"))

    def test_inline_password_intl(self):
        r = self.run_s2s("bob", app="alibaba-intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual([e[2] for e in self.posts()],
                         [{"component": "ak-stage-identification", "uid_field": "bob",
                           "password": "bob-pass"}])
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)

    def test_totp_typed(self):
        r = self.run_s2s("carol", tty=[("one-time code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        v = self.posts("ak-stage-authenticator-validate")
        self.assertEqual(len(v), 1)
        self.assertEqual(v[0][2]["code"], TOTP)

    def test_totp_from_kept_seed(self):
        r = self.idp.run(self.config("carol"), ["configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(r.config_path) as f:
            self.assertIn("authentik.totp_seed = keyring", f.read())
        r = self.run_s2s("carol", extra="authentik.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        code = self.posts("ak-stage-authenticator-validate")[0][2]["code"]
        self.assertIn(code, totp_codes(SEED))

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3_one_post(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Invalid password", self.err1(r))
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(self.posts("ak-stage-password")), 1)

    def test_wrong_inline_password_exit_3(self):
        r = self.run_s2s("bob", password="nope", app="alibaba-intl")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Failed to authenticate.", self.err1(r))
        self.assertEqual(len(self.posts()), 1)

    def test_wrong_totp_exit_4(self):
        r = self.run_s2s("carol", tty=[("one-time code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Invalid Token", r.stderr.decode())
        self.assertNotIn(b"000000", r.stderr)
        self.assertEqual(len(self.posts("ak-stage-authenticator-validate")), 1)

    def test_totp_without_terminal_exit_8(self):
        r = self.run_s2s("carol")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertEqual(len(self.posts("ak-stage-authenticator-validate")), 0)

    def test_code_never_sent_to_another_host(self):
        # after the password, the flow redirects to an executor on
        # another host (localhost, not the url's 127.0.0.1): the code,
        # kept seed or typed, is neither asked for nor sent there
        r = self.run_s2s("gina", tty=[("one-time code", TOTP)])
        self.assertEqual(r.returncode, 5, r.stderr)
        line = self.err1(r)
        self.assertIn("authentik: not sending the one-time code to localhost", line)
        self.assertIn("idp_hosts", line)
        self.assertNotIn(b"one-time code", r.tty)
        self.assertTrue([e for e in Authentik.log if "/other-flow/" in e[1]])
        self.assertEqual(self.posts("ak-stage-authenticator-validate"), [])
        r = self.idp.run(self.config("gina"), ["configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_s2s("gina", extra="authentik.totp_seed = keyring\n")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertEqual(self.posts("ak-stage-authenticator-validate"), [])

    def test_webauthn_only_browser_hint_exit_5(self):
        r = self.run_s2s("dave")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("--browser", self.err1(r))
        self.assertEqual(len(self.posts("ak-stage-authenticator-validate")), 0)

    def test_access_denied_exit_3(self):
        r = self.run_s2s("erin")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Policy denied access", self.err1(r))

    def test_server_error_on_answer_is_a_network_error(self):
        # as for a GET: a 5xx is the server's trouble (9), not a page
        # not understood (5), and the password is not sent again
        r = self.run_s2s("kate")
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertIn("authentik answered HTTP 503", self.err1(r))
        self.assertEqual(len(self.posts("ak-stage-password")), 1)

    def test_flow_error_exit_5(self):
        r = self.run_s2s("fred")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Flow does not apply to current user.", self.err1(r))

    def test_consent_given_with_its_token(self):
        r = self.run_s2s("hank")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = self.posts("ak-stage-consent")
        self.assertEqual(len(c), 1)
        self.assertEqual(sorted(c[0][2]), ["component", "token"])

    def test_captcha_on_identification_browser_hint_exit_5(self):
        # not a wrong password (3): the stage wants a captcha token
        r = self.run_s2s("bob", app="alibaba-captcha")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("captcha", self.err1(r))
        self.assertIn("--browser", self.err1(r))
        self.assertEqual(self.posts(), [])

    def test_unsupported_stage_exit_5(self):
        r = self.run_s2s("ivy")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("ak-stage-captcha", self.err1(r))
        self.assertIn("--browser", self.err1(r))

    def test_saml_not_for_alibaba_exit_5_nothing_posted(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("alice", app="alibaba-bad")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not an Alibaba Cloud ACS", self.err1(r))
        self.assertEqual(len(self.idp.sts_calls()), n)

    def test_not_an_authentik_url_exit_5(self):
        cfg = ("[default]\nprovider = authentik\nurl = %s/nothing/here/\nusername = alice\n"
               "site = cn\n" % self.idp.base_url)
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("without a flow", self.err1(r))

    def test_unknown_key_exit_2_before_any_request(self):
        r = self.run_s2s("alice", extra="authentik.mfa_code = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("authentik.mfa_code", r.stderr.decode())
        self.assertEqual(Authentik.log, [])
        r = self.run_s2s("alice", extra="authentik.totp_seed = ABCDEF\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(Authentik.log, [])

    def test_debug_shows_no_secrets(self):
        r = self.run_s2s("carol", "--debug", "list-roles", tty=[("one-time code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        err = r.stderr + r.tty
        self.assertIn(b"/api/v3/flows/executor/", err)
        self.assertNotIn(b"carol-pass", err)
        self.assertNotIn(TOTP.encode(), r.stderr)
        for s in Authentik.sessions.values():
            self.assertNotIn(s["csrf"].encode(), err)
        for sid in Authentik.sessions:
            self.assertNotIn(sid.encode(), err)
        self.assertNotIn(b"PHNhbWxw", err)  # base64 of "<samlp"


if __name__ == "__main__":
    unittest.main(verbosity=2)
