#!/usr/bin/python3
"""The pingone adapter against a loopback PingOne (flows API).

The mock follows PingOne's documented flows API: GET
/<envId>/saml20/idp/startsso?spEntityId=<SP entity id> sets the ST session
cookie and redirects to the hosted sign-on UI /<envId>/signon/?flowId=<id>;
GET /<envId>/flows/<id> answers the flow ({"id","status","_links",
"_embedded"}); POST /<envId>/flows/<id> takes the action named by its
Content-Type (application/vnd.pingidentity.usernamePassword.check+json,
device.select+json, otp.check+json) and answers the flow, or PingOne's
error object ({"id","code","message","details":[{"code","target",
"message"}]}).  Every call needs the current ST cookie (rotated after the
password check; the stale one is refused).  A push is
PUSH_CONFIRMATION_REQUIRED until the script moves it on.  COMPLETED lets
GET /<envId>/saml20/resume?flowId=<id> answer the SAMLResponse form.
Anything posted to a saml-role path fails the test.
"""

import html
import http.server
import json
import os
import re
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

ENV = "5caa81af-ec05-41ff-a709-c7378007a99c"
OTP = "735102"
ENTITIES = {"urn:alibaba:cloudcomputing": "cn",
            "urn:alibaba:cloudcomputing:international": "intl"}
SMS = {"id": "9d1a0f2e-1111-4a4a-8c8c-000000000001", "type": "SMS", "phone": "+1.555***1234"}
MOBILE = {"id": "9d1a0f2e-2222-4a4a-8c8c-000000000002", "type": "MOBILE", "nickname": "Work phone"}
# user -> (password, kind, push polls before the outcome)
USERS = {
    "alice": ("alice-pass", None),
    "bob": ("bob-pass", "otp"),
    "carol": ("carol-pass", "push"),
    "erin": ("erin-pass", "devices"),
    "sid": ("sid-pass", "sms-only"),
    "tim": ("tim-pass", "push-timeout"),
    "slow": ("slow-pass", "push-never"),
    "lock": ("lock-pass", "locked"),
    "exp": ("exp-pass", "expired"),
    "mcp": ("mcp-pass", "must-change"),
    "ext": ("ext-pass", "external"),
    "oacs": ("oacs-pass", "other-acs"),
}


def err_obj(code, message, details=()):
    return {"id": str(uuid.uuid4()), "code": code, "message": message,
            "details": [dict(d) for d in details]}


class PingOne(http.server.BaseHTTPRequestHandler):
    log = []
    flows = {}
    acs_hits = []
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=(), ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def cookie(self, name):
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                if k == name:
                    return v
        return None

    def flow_json(self, f):
        base = "%s/%s/flows/%s" % (self.server.mock.base_url, ENV, f["id"])
        out = {"id": f["id"], "status": f["status"],
               "_links": {"self": {"href": base}},
               "_embedded": {}, "resumeUrl": "%s/%s/saml20/resume?flowId=%s"
               % (self.server.mock.base_url, ENV, f["id"])}
        if f["status"] == "USERNAME_PASSWORD_REQUIRED":
            out["_links"]["usernamePassword.check"] = {"href": base}
        elif f["status"] == "DEVICE_SELECTION_REQUIRED":
            out["_links"]["device.select"] = {"href": base}
            out["_embedded"]["devices"] = (
                [SMS] if USERS[f["user"]][1] == "sms-only" else [SMS, MOBILE])
        elif f["status"] == "OTP_REQUIRED":
            out["_links"]["otp.check"] = {"href": base}
        if f["user"]:
            out["_embedded"]["user"] = {"id": "u-" + f["user"], "username": f["user"]}
        return out

    def flow_for(self, path):
        m = re.fullmatch(r"/%s/flows/([0-9a-f-]+)" % ENV, path)
        f = self.flows.get(m.group(1)) if m else None
        if not f:
            return None, (404, err_obj("NOT_FOUND", "The flow was not found."))
        if self.cookie("ST") != f["st"]:
            return None, (400, err_obj("INVALID_REQUEST", "The session token is missing or "
                                       "not valid.", [{"code": "INVALID_VALUE", "target": "ST",
                                                       "message": "Session token"}]))
        return f, None

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        self.log.append(("GET", u.path, dict(self.headers), None, time.monotonic()))
        if u.path == "/%s/saml20/idp/startsso" % ENV:
            ent = (q.get("spEntityId") or [""])[0]
            if ent not in ENTITIES:
                return self.send(400, b"<html><head><title>Error</title></head><body>"
                                 b"Invalid application</body></html>", ctype="text/html")
            fid, st = str(uuid.uuid4()), uuid.uuid4().hex
            with self.lock:
                self.flows[fid] = {"id": fid, "site": ENTITIES[ent], "user": None, "st": st,
                                   "status": "USERNAME_PASSWORD_REQUIRED", "polls": 0,
                                   "resumed": False}
            return self.send(302, headers=[
                ("Location", "/%s/signon/?flowId=%s" % (ENV, fid)),
                ("Set-Cookie", "ST=%s; Path=/; HttpOnly" % st)], ctype="text/html")
        if u.path == "/%s/signon/" % ENV:
            return self.send(200, b"<!DOCTYPE html><html><head><title>Sign On</title></head>"
                             b"<body><div id=\"root\"></div><script src=\"/app.js\"></script>"
                             b"</body></html>", ctype="text/html")
        if u.path == "/%s/saml20/resume" % ENV:
            f = self.flows.get((q.get("flowId") or [""])[0])
            if not f or self.cookie("ST") != f["st"] or f["status"] != "COMPLETED" or f["resumed"]:
                return self.send(400, b"<html><head><title>Error</title></head><body>"
                                 b"flow not completed</body></html>", ctype="text/html")
            f["resumed"] = True
            saml = self.server.mock.sign_for(f["user"], f["site"])
            acs = mockidp.SITES[f["site"]]["acs"]
            if USERS[f["user"]][1] == "other-acs":  # an app set up for another SP
                acs = "https://sp.example.test/saml/acs"
            return self.send(200, ("<html><head><title>Submit</title></head><body onload="
                                   "\"document.forms[0].submit()\"><form method=\"post\" action="
                                   "\"%s\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"%s\">"
                                   "</form></body></html>"
                                   % (acs, html.escape(saml))).encode(),
                             ctype="text/html")
        f, err = self.flow_for(u.path)
        if err:
            return self.send(*err)
        if f["status"] == "PUSH_CONFIRMATION_REQUIRED":
            f["polls"] += 1
            kind = USERS[f["user"]][1]
            if kind in ("push", "devices") and f["polls"] >= 3:
                f["status"] = "COMPLETED"
            elif kind == "push-timeout" and f["polls"] >= 2:
                f["status"] = "PUSH_CONFIRMATION_TIMED_OUT"
        return self.send(200, self.flow_json(f))

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(n)
        ctype = self.headers.get("Content-Type", "")
        self.log.append(("POST", u.path, dict(self.headers), raw, time.monotonic()))
        if "saml-role" in u.path:
            self.acs_hits.append(u.path)
            return self.send(400, b"posted to the ACS", ctype="text/plain")
        f, err = self.flow_for(u.path)
        if err:
            return self.send(*err)
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send(400, err_obj("INVALID_REQUEST", "The request body is not JSON."))
        want = {"USERNAME_PASSWORD_REQUIRED": "usernamePassword.check",
                "DEVICE_SELECTION_REQUIRED": "device.select",
                "OTP_REQUIRED": "otp.check"}.get(f["status"])
        if not want or ctype != "application/vnd.pingidentity.%s+json" % want:
            return self.send(400, err_obj("INVALID_REQUEST", "The request could not be "
                                          "completed. The flow is not in a state that allows "
                                          "this action."))
        if want == "usernamePassword.check":
            user, pw = body.get("username"), body.get("password")
            rec = USERS.get(user)
            if rec and rec[1] == "locked":
                return self.send(400, err_obj(
                    "INVALID_DATA", "The request could not be completed. One or more "
                    "validation errors were in the request.",
                    [{"code": "PASSWORD_LOCKED_OUT", "target": "password",
                      "message": "Too many unsuccessful sign-on attempts. The account is "
                      "locked."}]))
            if not rec or rec[0] != pw:
                return self.send(400, err_obj(
                    "INVALID_DATA", "The request could not be completed. One or more "
                    "validation errors were in the request.",
                    [{"code": "INVALID_VALUE", "target": "password",
                      "message": "The provided password did not match provisioned password",
                      "innerError": {"failuresRemaining": 4}}]))
            f["user"] = user
            f["st"] = uuid.uuid4().hex  # a new session token after sign-on
            f["status"] = {None: "COMPLETED", "other-acs": "COMPLETED", "otp": "OTP_REQUIRED",
                           "push": "PUSH_CONFIRMATION_REQUIRED",
                           "push-timeout": "PUSH_CONFIRMATION_REQUIRED",
                           "push-never": "PUSH_CONFIRMATION_REQUIRED",
                           "devices": "DEVICE_SELECTION_REQUIRED",
                           "sms-only": "DEVICE_SELECTION_REQUIRED",
                           "expired": "PASSWORD_EXPIRED",
                           "must-change": "MUST_CHANGE_PASSWORD",
                           "external": "EXTERNAL_AUTHENTICATION_REQUIRED"}[rec[1]]
            return self.send(200, self.flow_json(f), headers=[
                ("Set-Cookie", "ST=%s; Path=/; HttpOnly" % f["st"])])
        if want == "device.select":
            dev = (body.get("device") or {}).get("id")
            if dev == SMS["id"]:
                f["status"] = "OTP_REQUIRED"
            elif dev == MOBILE["id"]:
                f["status"] = "PUSH_CONFIRMATION_REQUIRED"
            else:
                return self.send(400, err_obj("INVALID_DATA", "Device not found",
                                              [{"code": "INVALID_VALUE", "target": "device.id",
                                                "message": "no such device"}]))
            return self.send(200, self.flow_json(f))
        if body.get("otp") != OTP:
            return self.send(400, err_obj(
                "INVALID_DATA", "The request could not be completed. One or more validation "
                "errors were in the request.",
                [{"code": "INVALID_OTP", "target": "otp", "message": "Invalid One Time Password"}]))
        f["status"] = "COMPLETED"
        return self.send(200, self.flow_json(f))


class PingOneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(PingOne).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        PingOne.log.clear()

    def tearDown(self):
        self.assertEqual(PingOne.acs_hits, [])

    def config(self, user, extra="", site="cn"):
        ent = "urn:alibaba:cloudcomputing" + (":international" if site == "intl" else "")
        if "poll_interval" not in extra:
            extra += "pingone.poll_interval = 100\n"
        return ("[default]\nprovider = pingone\nurl = %s/%s/saml20/idp/startsso?spEntityId=%s\n"
                "username = %s\nsite = %s\n%s"
                % (self.idp.base_url, ENV, urllib.parse.quote(ent, safe=""), user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None):
        if password is None:
            password = USERS[user][0]
        return self.idp.run(self.config(user, extra, site),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty)

    def err1(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertTrue(lines, r.stderr)
        self.assertTrue(lines[-1].startswith("saml2sts: "), r.stderr)
        return lines[-1]

    def posts(self):
        return [e for e in PingOne.log if e[0] == "POST"]

    def ctypes(self):
        return [e[2].get("Content-Type") for e in self.posts()]

    # --- success ---------------------------------------------------------

    def test_login_cn(self):
        r = self.run_s2s("alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        self.assertEqual(self.ctypes(), ["application/vnd.pingidentity.usernamePassword.check+json"])
        self.assertEqual(json.loads(self.posts()[0][3]), {"username": "alice",
                                                          "password": "alice-pass"})
        self.assertTrue(any(e[1] == "/%s/saml20/resume" % ENV for e in PingOne.log))

    def test_login_intl(self):
        r = self.run_s2s("alice", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())

    def test_otp(self):
        r = self.run_s2s("bob", tty=[("one-time code", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ctypes()[-1], "application/vnd.pingidentity.otp.check+json")
        self.assertEqual(json.loads(self.posts()[-1][3]), {"otp": OTP})

    def test_push_approved(self):
        r = self.run_s2s("carol", "--quiet", "list-roles", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("approve the sign-in", r.stderr.decode())
        self.assertEqual(len(self.posts()), 1)  # the push is never re-sent

    def test_device_selection_from_config(self):
        r = self.run_s2s("erin", extra="pingone.device = sms\n", tty=[("one-time code", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.ctypes()[1], "application/vnd.pingidentity.device.select+json")
        self.assertEqual(json.loads(self.posts()[1][3]), {"device": {"id": SMS["id"]}})

    def test_device_selection_at_prompt_push(self):
        r = self.run_s2s("erin", tty=[("PingOne MFA device (0=SMS, 1=Work phone)", "1")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(self.posts()[1][3]), {"device": {"id": MOBILE["id"]}})

    def test_device_without_terminal_takes_the_push(self):
        # nobody can type an SMS code: the mobile app's push is chosen
        r = self.run_s2s("erin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(self.posts()[1][3]), {"device": {"id": MOBILE["id"]}})

    def test_sms_device_without_terminal_sends_nothing_exit_8(self):
        r = self.run_s2s("sid")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("nothing was sent", self.err1(r))
        self.assertEqual(len(self.posts()), 1)  # the password only: no device.select

    def test_unknown_device_typed_exit_4(self):
        r = self.run_s2s("erin", tty=[("PingOne MFA device (0=SMS, 1=Work phone)", "7")])
        self.assertEqual(r.returncode, 4, r.stderr)  # a typo, not a config error
        self.assertIn("no MFA device '7'", self.err1(r))
        self.assertEqual(len(self.posts()), 1)  # no device was selected

    def test_unknown_device_exit_2(self):
        r = self.run_s2s("erin", extra="pingone.device = laptop\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("laptop", self.err1(r))

    def test_poll_interval_respected(self):
        r = self.run_s2s("carol", extra="pingone.poll_interval = 400\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        flow = "/%s/flows/" % ENV
        t = [e[4] for e in PingOne.log if e[0] == "GET" and e[1].startswith(flow)][1:]
        self.assertEqual(len(t), 3)
        for a, b in zip(t, t[1:]):
            self.assertGreaterEqual(b - a, 0.38)

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("wrong username or password", self.err1(r))
        self.assertEqual(len(self.posts()), 1)
        self.assertNotIn(b"nope", r.stderr)

    def test_locked_exit_3(self):
        r = self.run_s2s("lock")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked", self.err1(r))

    def test_expired_exit_3(self):
        for user in ("exp", "mcp"):
            r = self.run_s2s(user)
            self.assertEqual(r.returncode, 3, r.stderr)
            self.assertIn("expired", self.err1(r))

    def test_wrong_otp_exit_4(self):
        r = self.run_s2s("bob", tty=[("one-time code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("Invalid One Time Password", self.err1(r))
        self.assertNotIn(b"000000", r.stderr)

    def test_push_timed_out_exit_4(self):
        r = self.run_s2s("tim")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("PUSH_CONFIRMATION_TIMED_OUT", self.err1(r))
        self.assertFalse(any(e[1].endswith("/saml20/resume") for e in PingOne.log))

    def test_push_local_deadline_exit_4(self):
        r = self.run_s2s("slow", extra="pingone.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("pingone.push_timeout", self.err1(r))

    def test_unknown_status_exit_5(self):
        r = self.run_s2s("ext")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("EXTERNAL_AUTHENTICATION_REQUIRED", self.err1(r))

    def test_unexpected_startsso_page_exit_5(self):
        cfg = self.config("alice").replace("spEntityId=urn", "spEntityId=bogus")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("startsso", self.err1(r))
        self.assertEqual(self.posts(), [])

    def test_saml_form_for_another_acs_exit_5(self):
        before = len(self.idp.sts_calls())
        r = self.run_s2s("oacs")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("does not post to an Alibaba Cloud ACS", self.err1(r))
        self.assertEqual(len(self.idp.sts_calls()), before)  # never sent to STS

    def test_otp_without_terminal_exit_8(self):
        r = self.run_s2s("bob")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_unknown_key_exit_2(self):
        r = self.run_s2s("alice", extra="pingone.otp = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("pingone.otp", r.stderr.decode())
        self.assertEqual(PingOne.log, [])

    def test_bad_url_exit_2(self):
        cfg = self.config("alice").replace("/%s/saml20" % ENV, "/saml20")
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(PingOne.log, [])

    def test_debug_leaks_no_secret(self):
        r = self.run_s2s("bob", "--debug", "list-roles", "--output", "json",
                         tty=[("one-time code", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"/flows/", r.stderr)  # the trace is on
        f = [v for v in PingOne.flows.values() if v["user"] == "bob"][-1]
        # the flowId drives the flow without the ST cookie (PingOne's own
        # examples call /flows/{flowID} bare): hidden in paths too
        self.assertIn(b"/flows/<redacted>", r.stderr)
        for secret in (b"bob-pass", OTP.encode(), f["st"].encode(), f["id"].encode(),
                       b"SAMLResponse=", b"PHNhbWxwOl"):
            self.assertNotIn(secret, r.stderr, secret)


if __name__ == "__main__":
    unittest.main(verbosity=2)
