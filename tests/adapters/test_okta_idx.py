#!/usr/bin/python3
"""The okta adapter against a loopback Okta Identity Engine (IDX API).

The mock follows what the hosted sign-in page and the okta-signin-widget
IDX fixtures show: /.well-known/okta-organization says pipeline "idx"; the
app's embed link redirects (302, 302) to /login/login.htm, whose inline
script carries the stateToken JS-escaped (\\x2D, \\u002D); POST
/idp/idx/introspect {stateToken} starts the transaction; every answer is
ion JSON with a fresh stateHandle (older ones are refused with 401
idx.session.expired) and remediations whose hrefs are on the mock's host;
every IDX POST must send Content-Type and Accept
application/ion+json; okta-version=1.0.0 and the DT cookie of the sign-in
page.  Remediations: identify (with credentials.passcode on the inline
app), select-authenticator-authenticate (Password, Okta Verify
signed_nonce/push/totp, Google Authenticator without methodType, Phone
without methodType, Email), authenticator-verification-data (sms/voice +
enrollmentId), challenge-authenticator (passcode, or totp for Okta
Verify), challenge-poll (at /idp/idx/authenticators/poll, refresh
REFRESH ms, number challenge in currentAuthenticator.value.contextualData),
then success.href -> /login/token/redirect (sets the idx cookie) -> the
app's SSO URL -> SAMLResponse form.  POSTs anywhere else fail the tests.
"""

import base64
import html
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

ION = "application/ion+json; okta-version=1.0.0"
TOTP = "314159"
CODE = "271828"
NUMBER = "37"
REFRESH = 300  # ms, the challenge-poll's refresh
HUGE_REFRESH = 2 ** 63 - 1  # a hostile refresh (ms): the client must not overflow
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
USERS = {  # login -> (password, MFA authenticators or a special case)
    "ann@example.test": ("ann-pass", []),
    "carl@example.test": ("carl-pass", ["ov"]),
    "cora@example.test": ("cora-pass", ["ov-number"]),
    "dan@example.test": ("dan-pass", ["ov-reject"]),
    "eve@example.test": ("eve-pass", ["ov-never"]),
    "fay@example.test": ("fay-pass", ["ov-timeout"]),
    "hugo@example.test": ("hugo-pass", ["ov-huge"]),
    "gus@example.test": ("gus-pass", ["google"]),
    "ida@example.test": ("ida-pass", ["phone"]),
    "jay@example.test": ("jay-pass", ["email"]),
    "rita@example.test": ("rita-pass", ["phone", "email", "google"]),
    "kay@example.test": ("kay-pass", "locked"),
    "leo@example.test": ("leo-pass", "redirect-idp"),
    "max@example.test": ("max-pass", "enroll"),
    "ned@example.test": ("ned-pass", "weird"),
    "oli@example.test": ("oli-pass", "fastpass"),
    "pam@example.test": ("pam-pass", "expired"),
    "quin@example.test": ("quin-pass", "stale"),
    "vic@example.test": ("vic-pass", "elsewhere"),
    "wes@example.test": ("wes-pass", ["google-elsewhere"]),
    "zoe@example.test": ("zoe-pass", "no-message"),
}
APPS = {  # embed link -> (site, password inline in identify, stateToken in a Location)
    "/home/alibabacloud/0oacn1/aln1": ("cn", False, False),
    "/home/alibabacloud_intl/0oaintl1/aln1": ("intl", True, False),
    "/home/alibabacloud/0oaloc1/aln1": ("cn", False, True),
}


totp_codes = mockidp.totp_codes


def sso_path(app):
    parts = app.split("/")
    return "/app/%s/%s/sso/saml" % (parts[2], parts[3])


def js_escape(tok):
    out, n = [], 0
    for ch in tok:
        if ch == "-":
            out.append("\\x2D" if n % 2 == 0 else "\\u002D")
            n += 1
        else:
            out.append(ch)
    return "".join(out)


def msg(key, text):
    return {"type": "array", "value": [{"message": text, "i18n": {"key": key}, "class": "ERROR"}]}


class OIE(http.server.BaseHTTPRequestHandler):
    log = []            # (method, path, body, content-type, accept, time)
    issued = []         # every secret the mock handed out
    tokens = {}         # stateToken -> app
    handles = {}        # live stateHandle -> tx
    redirects = {}      # success token -> (user, app)
    sessions = {}       # idx cookie -> user
    problems = []       # protocol violations seen by the mock
    pipeline = "idx"
    number_seen = threading.Event()
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def base(self):
        return self.server.mock.base_url

    def send(self, code, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            ctype = ION if ctype == "application/json" else ctype
        self.send_response(code)
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

    def secret(self, prefix):
        s = prefix + uuid.uuid4().hex
        self.issued.append(s)
        return s

    # --- browser side --------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        self.log.append(("GET", self.path, None, None, None, time.monotonic()))
        if u.path == "/.well-known/okta-organization":
            if not self.pipeline:
                return self.send(404, b"<html><title>Not found</title></html>", "text/html")
            return self.send(200, {"id": "00o1mock", "pipeline": self.pipeline,
                                   "_links": {"organization": {"href": self.base()}}},
                             ctype="application/json")
        if u.path == "/home/alibabacloud/0oabad1/aln1":  # a Location no URL parser takes
            return self.send(302, headers=[("Location", "javascript:alert(1)")])
        if u.path in APPS:
            return self.send(302, headers=[("Location", sso_path(u.path))])
        for app in APPS:
            if u.path == sso_path(app):
                user = self.sessions.get(self.cookie("idx") or "")
                if not user:
                    where = "/login/login.htm?fromURI=" + urllib.parse.quote(app)
                    if APPS[app][2]:  # the token rides in the redirect
                        tok = self.new_token(app)
                        where += "&stateToken=" + urllib.parse.quote(tok)
                    return self.send(302, headers=[("Location", where)])
                site = APPS[app][0]
                saml = self.server.mock.sign_for(user, site)
                self.issued.append(saml)
                page = ("<html><head><title>Signing in...</title></head><body "
                        "onload=\"document.forms[0].submit()\"><form id=\"appForm\" "
                        "action=\"%s\" method=\"POST\"><input name=\"SAMLResponse\" "
                        "type=\"hidden\" value=\"%s\"/><input name=\"RelayState\" "
                        "type=\"hidden\" value=\"\"/></form></body></html>"
                        % (mockidp.SITES[site]["acs"], html.escape(saml)))
                return self.send(200, page.encode(), "text/html;charset=utf-8")
        if u.path == "/login/login.htm":
            app = (q.get("fromURI") or [""])[0]
            if app not in APPS:
                return self.send(400, b"<html>bad fromURI</html>", "text/html")
            if "stateToken" in q:
                shown = "null"  # the script has none: the redirect's counts
            else:
                shown = "'%s'" % js_escape(self.new_token(app))
            dt = self.secret("dt")
            page = ("<html><head><title>Sign In</title><script>\n"
                    "var okta = {locale: 'en'};\n"
                    "var config = {\"baseUrl\": \"%s\", \"stateTokenExpiresAt\": 1700000000,\n"
                    "  \"stateToken\" : %s, \"features\": {}};\n"
                    "</script></head><body><div id=\"okta-sign-in\"></div></body></html>"
                    % (self.base(), shown))
            return self.send(200, page.encode(), "text/html;charset=utf-8",
                             headers=[("Set-Cookie", "DT=%s; Path=/; HttpOnly" % dt)])
        if u.path == "/login/token/redirect":
            got = self.redirects.pop((q.get("stateToken") or [""])[0], None)
            if not got:
                return self.send(403, b"<html><title>Error</title></html>", "text/html")
            sid = self.secret("idx")
            with self.lock:
                self.sessions[sid] = got[0]
            return self.send(302, headers=[("Location", self.base() + sso_path(got[1])),
                                           ("Set-Cookie", "idx=%s; Path=/; HttpOnly" % sid)])
        return self.send(404, b"<html><title>Not found</title></html>", "text/html")

    def new_token(self, app):
        tok = self.secret("00") + "-" + uuid.uuid4().hex[:8] + "-" + uuid.uuid4().hex[:6]
        self.issued.append(tok)
        with self.lock:
            self.tokens[tok] = app
        return tok

    # --- IDX -------------------------------------------------------------

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        ctype, accept = self.headers.get("Content-Type"), self.headers.get("Accept")
        self.log.append(("POST", self.path, body, ctype, accept, time.monotonic()))
        if (self.headers.get("Host") or "").startswith("localhost"):
            self.problems.append("POST to a host the user did not configure: " + path)
            return self.send(404, {"messages": msg("E0000022", "Not found.")})
        if not path.startswith("/idp/idx/"):
            self.problems.append("POST outside IDX: " + path)
            return self.send(404, b"<html><title>Not found</title></html>", "text/html")
        if ctype != ION or ION not in (accept or "") or not isinstance(body, dict):
            self.problems.append("bad content type or accept on " + path)
            return self.send(415, {"messages": msg("E0000020", "Bad request.")})
        if not self.cookie("DT"):
            self.problems.append("no DT cookie on " + path)
            return self.send(403, {"messages": msg("security.access_denied", "No device.")})
        if path == "/idp/idx/introspect":
            app = self.tokens.pop(body.get("stateToken"), None)
            if not app:
                return self.send(401, {"messages": msg("idx.session.expired",
                                                       "The session has expired.")})
            tx = {"app": app, "user": None, "pw": False, "mfa": None, "polls": 0,
                  "pushes": 0, "last_poll": None, "inline": APPS[app][1]}
            return self.answer(tx, [self.r_identify(tx)])
        with self.lock:
            tx = self.handles.pop(body.get("stateHandle"), None)
        if not tx:
            self.problems.append("stale or unknown stateHandle on " + path)
            return self.send(401, {"messages": msg("idx.session.expired",
                                                   "The session has expired.")})
        if path not in tx["hrefs"]:
            self.problems.append("POST to %s, not an href offered" % path)
            return self.send(404, {"messages": msg("E0000022", "Not found.")})
        return getattr(self, tx["hrefs"][path])(tx, body)

    def answer(self, tx, rems, status=200, **extra):
        h = self.secret("02")
        tx["hrefs"] = {}
        for r in rems:
            r.setdefault("method", "POST")
            r.setdefault("accepts", "application/json; okta-version=1.0.0")
            r["value"] = r.get("value", []) + [{"name": "stateHandle", "required": True,
                                                 "value": h, "visible": False,
                                                 "mutable": False}]
            if "fn" in r:
                # the handler's name: a later request has its own handler
                tx["hrefs"][urllib.parse.urlsplit(r["href"]).path] = r.pop("fn").__name__
        with self.lock:
            self.handles[h] = tx
        out = {"version": "1.0.0", "stateHandle": h, "intent": "LOGIN",
               "expiresAt": "2030-01-01T00:05:00.000Z",
               "remediation": {"type": "array", "value": rems},
               "cancel": {"name": "cancel", "href": self.base() + "/idp/idx/cancel",
                          "value": [{"name": "stateHandle", "value": h}]}}
        out.update(extra)
        return self.send(status, out)

    def rem(self, name, path, fn, value=(), **kw):
        r = {"rel": ["create-form"], "name": name, "href": self.base() + path,
             "value": list(value), "fn": fn}
        r.update(kw)
        return r

    def r_identify(self, tx):
        value = [{"name": "identifier", "label": "Username", "required": True}]
        if tx["inline"]:
            value.append({"name": "credentials", "type": "object", "required": True,
                          "form": {"value": [{"name": "passcode", "label": "Password",
                                              "secret": True}]}})
        value.append({"name": "rememberMe", "type": "boolean"})
        return self.rem("identify", "/idp/idx/identify", self.on_identify, value)

    def option(self, kind):
        ids = {"password": ("autPWD", "Password", "password"),
               "ov": ("autOV", "Okta Verify", None), "google": ("autGOOG",
                                                           "Google Authenticator", None),
               "phone": ("autPHONE", "Phone", None), "email": ("autEMAIL", "Email", "email")}
        aid, label, method = ids[kind]
        form = [{"name": "id", "value": aid, "required": True, "mutable": False}]
        if kind == "ov":
            methods = ["signed_nonce"] if self.fastpass else ["signed_nonce", "push", "totp"]
            form.append({"name": "methodType", "type": "string", "required": False,
                         "options": [{"value": m, "label": m} for m in methods]})
        elif method:
            form.append({"name": "methodType", "value": method, "required": False,
                         "mutable": False})
        idx = ["password", "ov", "google", "phone", "email"].index(kind)
        return {"label": label, "value": {"form": {"value": form}},
                "relatesTo": "$.authenticatorEnrollments.value[%d]" % idx}

    ENROLLMENTS = {"type": "array", "value": [
        {"type": "password", "key": "okta_password", "id": "autPWD",
         "methods": [{"type": "password"}]},
        {"type": "app", "key": "okta_verify", "id": "autOV",
         "methods": [{"type": "signed_nonce"}, {"type": "push"}, {"type": "totp"}]},
        {"type": "app", "key": "google_otp", "id": "autGOOG", "methods": [{"type": "otp"}]},
        {"type": "phone", "key": "phone_number", "id": "autPHONE",
         "methods": [{"type": "sms"}, {"type": "voice"}]},
        {"type": "email", "key": "okta_email", "id": "autEMAIL", "methods": [{"type": "email"}]},
    ]}

    fastpass = False

    def r_select(self, tx, kinds):
        self.fastpass = USERS.get(tx["user"], ("", ""))[1] == "fastpass"
        value = [{"name": "authenticator", "type": "object",
                  "options": [self.option(k) for k in kinds]}]
        return self.rem("select-authenticator-authenticate", "/idp/idx/challenge",
                        self.on_select, value)

    def r_challenge(self, field="passcode", tx=None):
        value = [{"name": "credentials", "type": "object", "required": True,
                  "form": {"value": [{"name": field, "label": "Enter code", "required": True}]}}]
        r = self.rem("challenge-authenticator", "/idp/idx/challenge/answer",
                     self.on_answer, value)
        if tx and "elsewhere" in str(USERS[tx["user"]][1]):
            # the same mock under a host name the user did not configure
            r["href"] = r["href"].replace("127.0.0.1", "localhost")
        return r

    def mfa_kinds(self, tx):
        kinds = USERS.get(tx["user"], ("", []))[1]
        return [k.split("-")[0] for k in kinds] if isinstance(kinds, list) else []

    def success(self, tx):
        tok = self.secret("srt")
        with self.lock:
            self.redirects[tok] = (tx["user"], tx["app"])
        return self.send(200, {"version": "1.0.0", "intent": "LOGIN",
                               "success": {"name": "success-redirect",
                                           "href": self.base() + "/login/token/redirect"
                                           "?stateToken=" + tok}})

    def password_ok(self, tx, pw):
        if tx["user"] in USERS and USERS[tx["user"]][0] == pw:
            tx["pw"] = True
            return self.after_password(tx)
        return self.answer(tx, [self.r_challenge()], status=401,
                           messages=msg("incorrectPassword", "Password is incorrect"),
                           currentAuthenticatorEnrollment={"type": "object", "value":
                                                           self.ENROLLMENTS["value"][0]})

    def after_password(self, tx):
        special = USERS[tx["user"]][1]
        if special == "enroll":
            return self.answer(tx, [self.rem("select-authenticator-enroll",
                                             "/idp/idx/credential/enroll", self.on_bad)])
        if special == "weird":
            return self.answer(tx, [self.rem("consent-foo", "/idp/idx/consent", self.on_bad)])
        if special == "expired":
            return self.answer(tx, [self.rem("reenroll-authenticator",
                                             "/idp/idx/challenge/answer", self.on_bad)])
        if special == "fastpass":
            return self.answer(tx, [self.r_select(tx, ["ov"])],
                               authenticatorEnrollments=self.ENROLLMENTS)
        kinds = self.mfa_kinds(tx)
        if not kinds:
            return self.success(tx)
        return self.answer(tx, [self.r_select(tx, kinds)],
                           authenticatorEnrollments=self.ENROLLMENTS)

    def on_bad(self, tx, body):
        self.problems.append("client answered a step it must refuse")
        return self.send(400, {"messages": msg("E0000020", "Bad request.")})

    def on_identify(self, tx, body):
        user = body.get("identifier")
        tx["user"] = user
        special = USERS.get(user, ("", []))[1]
        if tx["inline"]:
            if "credentials" not in body:
                self.problems.append("inline identify without credentials")
            if not (USERS.get(user, ("",))[0] == body.get("credentials", {}).get("passcode")):
                return self.answer(tx, [self.r_identify(tx)], status=401,
                                   messages=msg("incorrectPassword", "Password is incorrect"))
        elif "credentials" in body:
            self.problems.append("credentials sent to an identify without the field")
        if special == "locked":
            return self.send(403, {"version": "1.0.0", "messages": msg(
                "errors.E0000119", "Your account is locked. Please contact your administrator.")})
        if special == "no-message":  # an ERROR whose text and key are not strings
            return self.send(400, {"version": "1.0.0", "messages": {"type": "array", "value": [
                {"class": "ERROR", "message": 5, "i18n": {"key": ["x"]}}]}})
        if special == "redirect-idp":
            return self.answer(tx, [self.rem("redirect-idp", "/sso/idps/0oaEXT", self.on_bad,
                                             method="GET", type="SAML2")])
        if special == "stale":
            with self.lock:
                for h, t in list(self.handles.items()):
                    if t is tx:
                        del self.handles[h]
            return self.send(401, {"version": "1.0.0", "messages": msg(
                "idx.session.expired", "You have been logged out due to inactivity.")})
        if tx["inline"]:
            tx["pw"] = True
            return self.after_password(tx)
        kinds = self.mfa_kinds(tx)
        if kinds:  # any two factors: the password is one of the choices
            return self.answer(tx, [self.r_select(tx, ["password"] + kinds)],
                               authenticatorEnrollments=self.ENROLLMENTS)
        tx["mfa"] = "password"
        return self.answer(tx, [self.r_challenge(tx=tx)], currentAuthenticatorEnrollment={
            "type": "object", "value": self.ENROLLMENTS["value"][0]})

    def on_select(self, tx, body):
        a = body.get("authenticator") or {}
        aid, method = a.get("id"), a.get("methodType")
        ca = {e["id"]: e for e in self.ENROLLMENTS["value"]}.get(aid)
        if not ca:
            return self.send(400, {"messages": msg("E0000020", "Bad request.")})
        if aid == "autPWD":
            tx["mfa"] = "password"
            return self.answer(tx, [self.r_challenge()], currentAuthenticatorEnrollment={
                "type": "object", "value": ca})
        if not tx["pw"]:
            self.problems.append("MFA selected before the password")
        kind = [k for k in USERS[tx["user"]][1] if k.split("-")[0] ==
                {"autOV": "ov", "autGOOG": "google", "autPHONE": "phone",
                 "autEMAIL": "email"}[aid]][0]
        if aid == "autOV" and method == "push":
            tx["pushes"] += 1
            tx["mfa"] = kind
            cur = {"type": "app", "key": "okta_verify", "id": aid, "methods": [{"type": "push"}]}
            if kind == "ov-number":
                cur["contextualData"] = {"correctAnswer": NUMBER}
            return self.answer(tx, [self.r_poll(tx), self.r_select(tx, self.mfa_kinds(tx))],
                               currentAuthenticator={"type": "object", "value": cur})
        if aid == "autOV" and method == "totp":
            tx["mfa"] = "ov-totp"
            return self.answer(tx, [self.r_challenge("totp")], currentAuthenticator={
                "type": "object", "value": {"type": "app", "key": "okta_verify", "id": aid,
                                            "methods": [{"type": "totp"}]}})
        if aid == "autGOOG":
            tx["mfa"] = "google"
            return self.answer(tx, [self.r_challenge(tx=tx)], currentAuthenticatorEnrollment={
                "type": "object", "value": ca})
        if aid == "autPHONE" and method is None:
            value = [{"name": "authenticator", "type": "object", "label": "Phone",
                      "form": {"value": [
                          {"name": "id", "required": True, "value": aid, "mutable": False},
                          {"name": "methodType", "required": True,
                           "options": [{"label": "SMS", "value": "sms"},
                                       {"label": "Voice call", "value": "voice"}]},
                          {"name": "enrollmentId", "required": True, "value": "paePHONE1",
                           "mutable": False}]}}]
            return self.answer(tx, [self.rem("authenticator-verification-data",
                                             "/idp/idx/challenge", self.on_select, value),
                                    self.r_select(tx, self.mfa_kinds(tx))])
        if aid == "autPHONE" and method in ("sms", "voice"):
            if a.get("enrollmentId") != "paePHONE1":
                self.problems.append("enrollmentId not echoed")
            tx["mfa"] = method
            return self.answer(tx, [self.r_challenge()], currentAuthenticatorEnrollment={
                "type": "object", "value": {"type": "phone", "key": "phone_number", "id": aid,
                                            "methods": [{"type": method}]}})
        if aid == "autEMAIL":
            tx["mfa"] = "email"
            return self.answer(tx, [self.r_challenge()], currentAuthenticatorEnrollment={
                "type": "object", "value": ca})
        return self.send(400, {"messages": msg("E0000020", "Bad request.")})

    def on_answer(self, tx, body):
        cred = body.get("credentials") or {}
        if tx["mfa"] == "password":
            return self.password_ok(tx, cred.get("passcode"))
        field = "totp" if tx["mfa"] == "ov-totp" else "passcode"
        code = cred.get(field)
        ok = code in ([TOTP] + totp_codes(SEED) if tx["mfa"] in ("google", "ov-totp")
                      else [CODE])
        if not ok:
            r = self.r_challenge(field)
            r["value"][0]["form"]["value"][0]["messages"] = {
                "type": "array", "value": [{"message": "Invalid code. Try again.",
                                            "i18n": {"key": "api.authn.error.PASSCODE_INVALID",
                                                     "params": []}, "class": "ERROR"}]}
            return self.answer(tx, [r], status=401)
        return self.success(tx)

    def r_poll(self, tx):
        refresh = HUGE_REFRESH if tx["mfa"] == "ov-huge" else REFRESH
        return self.rem("challenge-poll", "/idp/idx/authenticators/poll", self.on_poll,
                        refresh=refresh, relatesTo=["$.currentAuthenticator"])

    def on_poll(self, tx, body):
        now = time.monotonic()
        if tx["last_poll"] is not None and now - tx["last_poll"] < REFRESH / 1000.0:
            self.problems.append("polled after %.3fs < refresh" % (now - tx["last_poll"]))
        tx["last_poll"] = now
        tx["polls"] += 1
        kind = tx["mfa"]
        if kind == "ov" and tx["polls"] >= 3:
            return self.success(tx)
        if kind == "ov-number" and self.number_seen.is_set():
            return self.success(tx)
        if kind == "ov-reject" and tx["polls"] >= 2:
            return self.answer(tx, [self.rem("resend", "/idp/idx/challenge", self.on_bad),
                                    self.r_select(tx, self.mfa_kinds(tx))],
                               messages=msg("api.authn.poll.error.push_rejected",
                                            "You have chosen to reject this login."))
        if kind == "ov-timeout" and tx["polls"] >= 2:
            return self.send(404, {"version": "1.0.0", "messages": msg(
                "core.system.transaction_resource_not_found",
                "Verification timed out. Please try again")})
        cur = {"type": "app", "key": "okta_verify", "id": "autOV", "methods": [{"type": "push"}]}
        if kind == "ov-number":
            cur["contextualData"] = {"correctAnswer": NUMBER}
        return self.answer(tx, [self.r_poll(tx), self.r_select(tx, self.mfa_kinds(tx))],
                           currentAuthenticator={"type": "object", "value": cur})


class OktaIdxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(OIE).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        OIE.log.clear()
        OIE.problems.clear()
        OIE.pipeline = "idx"
        OIE.number_seen.clear()

    def tearDown(self):
        self.assertEqual(OIE.problems, [])
        self.assertFalse([e for e in OIE.log if e[0] == "POST" and "saml-role" in e[1]])

    def config(self, user, extra="", site="cn", app=None):
        app = app or [p for p, s in APPS.items() if s[0] == site][0]
        return ("[default]\nprovider = okta\nurl = %s%s\nusername = %s\nsite = %s\n"
                "okta.poll_interval = 100\n%s" % (self.idp.base_url, app, user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, env=None):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        return self.idp.run(self.config(user, extra, site),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty, env=env)

    def posts(self, path):
        """POSTs to path (exactly), or under it when it ends with '/'."""
        return [e for e in OIE.log if e[0] == "POST" and
                (e[1].startswith(path) if path.endswith("/")
                 else urllib.parse.urlsplit(e[1]).path == path)]

    def last_line(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertTrue(lines, r.stderr)
        return lines[-1]

    def assert_ok(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertTrue(any("/login/token/redirect" in e[1] for e in OIE.log if e[0] == "GET"))

    # --- success ---------------------------------------------------------

    def test_identifier_first_then_password_cn(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("ann@example.test", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), n + 1)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        gets = [e[1] for e in OIE.log if e[0] == "GET"]
        self.assertEqual(gets[0], "/.well-known/okta-organization")
        self.assertTrue(gets[1].startswith("/home/alibabacloud/0oacn1/"))
        self.assertTrue(any(g.startswith("/login/login.htm") for g in gets))
        paths = [urllib.parse.urlsplit(e[1]).path for e in OIE.log if e[0] == "POST"]
        self.assertEqual(paths, ["/idp/idx/introspect", "/idp/idx/identify",
                                 "/idp/idx/challenge/answer"])
        ident = self.posts("/idp/idx/identify")[0][2]
        self.assertEqual(ident["identifier"], "ann@example.test")
        self.assertNotIn("credentials", ident)
        self.assertEqual(self.posts("/idp/idx/challenge/answer")[0][2]["credentials"],
                         {"passcode": "ann-pass"})
        tok = self.posts("/idp/idx/introspect")[0][2]["stateToken"]
        self.assertEqual(tok.count("-"), 2)  # \x2D and \u002D undone
        for e in self.posts("/idp/idx/"):
            self.assertEqual(e[3], ION)
            self.assertIn(ION, e[4])

    def test_password_inline_in_identify_intl(self):
        r = self.run_s2s("ann@example.test", site="intl")
        self.assert_ok(r)
        ident = self.posts("/idp/idx/identify")[0][2]
        self.assertEqual(ident["credentials"], {"passcode": "ann-pass"})
        self.assertEqual(self.posts("/idp/idx/challenge"), [])
        self.assertTrue(any("0oaintl1" in e[1] for e in OIE.log if e[0] == "GET"))

    def test_state_token_from_redirect_location(self):
        app = "/home/alibabacloud/0oaloc1/aln1"
        r = self.idp.run(self.config("ann@example.test", app=app), ["list-roles"],
                         password="ann-pass")
        self.assert_ok(r)
        loc = [e[1] for e in OIE.log if e[0] == "GET" and e[1].startswith("/login/login.htm")]
        tok = urllib.parse.parse_qs(urllib.parse.urlsplit(loc[0]).query)["stateToken"][0]
        self.assertEqual(self.posts("/idp/idx/introspect")[0][2]["stateToken"], tok)

    def test_push_approved_after_polls_with_gap(self):
        r = self.run_s2s("carl@example.test")
        self.assert_ok(r)
        sel = self.posts("/idp/idx/challenge")
        self.assertEqual([s[2]["authenticator"].get("methodType") for s in sel],
                         ["password", "push"])
        polls = self.posts("/idp/idx/authenticators/poll")
        self.assertEqual(len(polls), 3)
        gaps = [b[5] - a[5] for a, b in zip(polls, polls[1:])]
        self.assertTrue(all(g >= REFRESH / 1000.0 for g in gaps), gaps)
        self.assertIn("approve the push", r.stderr.decode())

    def test_number_challenge_shown_with_quiet_before_approval(self):
        cfg = self.idp.config_path(self.config("cora@example.test",
                                               "okta.push_timeout = 15\n"))
        p = subprocess.Popen([mockidp.BIN, "--config", cfg, "--quiet", "list-roles"],
                             env=self.idp.env("cora-pass"), cwd=self.idp.home,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        seen = b""
        while True:
            chunk = os.read(p.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            if b"pick number " + NUMBER.encode() in seen:
                OIE.number_seen.set()  # only now does the mock approve
        out = p.stdout.read()
        p.wait(20)
        p.stdout.close()
        p.stderr.close()
        self.assertEqual(p.returncode, 0, seen)
        self.assertIn(mockidp.ROLE_ARN, out.decode())
        self.assertTrue(OIE.number_seen.is_set())

    def test_ctrl_c_during_push_wait_exit_130(self):
        status, seen, took = self.idp.interrupt(
            self.config("eve@example.test", "okta.push_timeout = 30\n"),
            ["list-roles"], "eve-pass", b"approve the push")
        self.assertEqual(status, 130, seen)
        self.assertLess(took, 3)
        n = len(self.posts("/idp/idx/authenticators/poll"))
        time.sleep(0.5)
        self.assertEqual(len(self.posts("/idp/idx/authenticators/poll")), n)

    def test_push_rejected_exit_4(self):
        r = self.run_s2s("dan@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("rejected", self.last_line(r))
        pushes = [s for s in self.posts("/idp/idx/challenge")
                  if s[2]["authenticator"].get("methodType") == "push"]
        self.assertEqual(len(pushes), 1)

    def test_push_timeout_at_okta_exit_4(self):
        r = self.run_s2s("fay@example.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("timed out", self.last_line(r))

    def test_push_local_deadline_exit_4_one_push(self):
        t0 = time.monotonic()
        r = self.run_s2s("eve@example.test", extra="okta.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", self.last_line(r))
        self.assertLess(time.monotonic() - t0, 8)
        polls = len(self.posts("/idp/idx/authenticators/poll"))
        self.assertGreaterEqual(polls, 2)
        self.assertLessEqual(polls, 5)
        pushes = [s for s in self.posts("/idp/idx/challenge")
                  if s[2]["authenticator"].get("methodType") == "push"]
        self.assertEqual(len(pushes), 1)

    def test_push_hostile_refresh_no_overflow_exit_4(self):
        # refresh = 2^63-1 ms: waited up to okta.push_timeout, never
        # added to the clock unchecked (UBSan: signed overflow)
        r = self.run_s2s("hugo@example.test", extra="okta.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", self.last_line(r))
        self.assertNotIn(b"runtime error", r.stderr)
        self.assertEqual(self.posts("/idp/idx/authenticators/poll"), [])

    def test_step_on_another_host_gets_no_secret_exit_5(self):
        # a remediation href off the org of url: neither the password nor
        # a code (nor the stateHandle) goes there, and no code is asked
        r = self.run_s2s("vic@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("outside " + self.idp.base_url, self.last_line(r))
        self.assertNotIn(b"vic-pass", r.stderr)
        r = self.run_s2s("wes@example.test", tty=[("authenticator code", TOTP)])
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("outside " + self.idp.base_url, self.last_line(r))
        self.assertNotIn(b"authenticator code", r.tty)

    def test_totp_typed(self):
        r = self.run_s2s("gus@example.test", tty=[("authenticator code", TOTP)])
        self.assert_ok(r)
        sel = self.posts("/idp/idx/challenge")[-1][2]["authenticator"]
        self.assertEqual(sel["id"], "autGOOG")
        self.assertNotIn("methodType", sel)
        ans = self.posts("/idp/idx/challenge/answer")[-1][2]
        self.assertEqual(ans["credentials"], {"passcode": TOTP})

    def test_code_without_terminal_exit_8(self):
        r = self.run_s2s("gus@example.test")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_wrong_code_exit_4(self):
        r = self.run_s2s("gus@example.test", tty=[("authenticator code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not accepted", self.last_line(r))
        self.assertNotIn(b"000000", r.stderr)

    def test_okta_verify_totp_from_kept_seed(self):
        r = self.idp.run(self.config("carl@example.test"), ["configure", "--totp-secret-stdin"],
                         stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        OIE.log.clear()
        r = self.run_s2s("carl@example.test", extra="okta.totp_seed = keyring\n")
        self.assert_ok(r)
        sel = [s[2]["authenticator"].get("methodType") for s in self.posts("/idp/idx/challenge")]
        self.assertEqual(sel, ["password", "totp"])  # no push sent
        ans = self.posts("/idp/idx/challenge/answer")[-1][2]["credentials"]
        self.assertEqual(list(ans), ["totp"])
        self.assertIn(ans["totp"], totp_codes(SEED))

    def test_sms_via_verification_data(self):
        r = self.run_s2s("ida@example.test", tty=[("SMS", CODE)])
        self.assert_ok(r)
        sel = [s[2]["authenticator"] for s in self.posts("/idp/idx/challenge")]
        self.assertEqual(sel[-2], {"id": "autPHONE"})
        self.assertEqual(sel[-1], {"id": "autPHONE", "methodType": "sms",
                                   "enrollmentId": "paePHONE1"})
        self.assertEqual(self.posts("/idp/idx/challenge/answer")[-1][2]["credentials"],
                         {"passcode": CODE})

    def test_sms_and_email_without_terminal_send_nothing_exit_8(self):
        for user in ("ida@example.test", "jay@example.test"):
            OIE.log.clear()
            r = self.run_s2s(user)
            self.assertEqual(r.returncode, 8, r.stderr)
            self.assertIn("nothing was sent", self.last_line(r))
            self.assertFalse([p for p in self.posts("/idp/idx/challenge")
                              if p[2]["authenticator"].get("methodType")
                              in ("sms", "voice", "email")])
        OIE.problems.clear()

    def test_voice_by_setting(self):
        r = self.run_s2s("ida@example.test", extra="okta.mfa = voice\n",
                         tty=[("voice", CODE)])
        self.assert_ok(r)
        self.assertEqual(self.posts("/idp/idx/challenge")[-1][2]["authenticator"]["methodType"],
                         "voice")

    def test_email(self):
        r = self.run_s2s("jay@example.test", tty=[("email", CODE)])
        self.assert_ok(r)
        self.assertEqual(self.posts("/idp/idx/challenge")[-1][2]["authenticator"],
                         {"id": "autEMAIL", "methodType": "email"})

    def test_several_code_factors_prompt(self):
        r = self.run_s2s("rita@example.test", tty=[("MFA factor (totp, sms, email)",
                                                    "email"), ("Code sent by email", CODE)])
        self.assert_ok(r)
        self.assertEqual(self.posts("/idp/idx/challenge")[-1][2]["authenticator"]["id"],
                         "autEMAIL")

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3_sent_once(self):
        r = self.run_s2s("ann@example.test", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("authentication failed", self.last_line(r))
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(self.posts("/idp/idx/challenge/answer")), 1)

    def test_locked_exit_3(self):
        r = self.run_s2s("kay@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked", self.last_line(r))

    def test_expired_password_exit_3(self):
        r = self.run_s2s("pam@example.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("password has expired", self.last_line(r))

    def test_redirect_idp_exit_5_browser_hint(self):
        r = self.run_s2s("leo@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("redirect-idp", self.last_line(r))
        self.assertIn("--browser", self.last_line(r))

    def test_enrol_required_exit_5(self):
        r = self.run_s2s("max@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("enrolled", self.last_line(r))
        self.assertIn("--browser", self.last_line(r))

    def test_fastpass_only_exit_5(self):
        r = self.run_s2s("oli@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("FastPass", self.last_line(r))
        self.assertIn("--browser", self.last_line(r))

    def test_unexpected_remediation_exit_5(self):
        r = self.run_s2s("ned@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("'consent-foo'", self.last_line(r))

    def test_redirect_not_a_url_exit_5(self):
        r = self.idp.run(self.config("ann@example.test", app="/home/alibabacloud/0oabad1/aln1"),
                         ["list-roles"], password="ann-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("okta: the embed link redirects to", self.last_line(r))
        self.assertFalse(self.posts("/idp/idx/"))

    def test_error_without_message_exit_5(self):
        r = self.run_s2s("zoe@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("error without a message (HTTP 400); start the login again",
                      self.last_line(r))

    def test_expired_state_exit_5(self):
        r = self.run_s2s("quin@example.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("start the login again", self.last_line(r))

    def test_engine_classic_forced_and_fallback(self):
        r = self.run_s2s("ann@example.test", extra="okta.engine = classic\n")
        self.assertEqual(r.returncode, 5, r.stderr)  # the mock has no /api/v1/authn
        self.assertTrue(self.posts("/api/v1/authn"))
        self.assertFalse(self.posts("/idp/idx/"))
        self.assertFalse([e for e in OIE.log if "well-known" in e[1]])
        OIE.problems.clear()
        OIE.log.clear()
        OIE.pipeline = None  # no well-known document: classic
        r = self.run_s2s("ann@example.test", "--verbose", "list-roles")
        self.assertEqual(r.returncode, 5, r.stderr)
        # --verbose says which engine and how to force the other
        self.assertIn(b"okta: engine Classic (no pipeline in "
                      b"/.well-known/okta-organization; set okta.engine = idx",
                      r.stderr)
        self.assertTrue(self.posts("/api/v1/authn"))
        self.assertFalse(self.posts("/idp/idx/"))
        OIE.problems.clear()
        OIE.log.clear()
        OIE.pipeline = "v1"
        r = self.run_s2s("ann@example.test", extra="okta.engine = idx\n")
        self.assert_ok(r)  # forced idx skips the well-known document
        self.assertFalse([e for e in OIE.log if "well-known" in e[1]])

    def test_debug_leaks_nothing(self):
        r = self.run_s2s("gus@example.test", "--debug", "list-roles",
                         tty=[("authenticator code", TOTP)])
        self.assert_ok(r)
        out = r.stderr + r.tty + r.stdout
        self.assertIn(b"debug", out)
        for s in [b"gus-pass", TOTP.encode()] + [s.encode() for s in OIE.issued]:
            self.assertNotIn(s, out)
        tok = self.posts("/idp/idx/introspect")[0][2]["stateToken"]
        self.assertNotIn(tok.encode(), out)
        self.assertNotIn(js_escape(tok).encode(), out)
        # a push (polled stateHandles, the number) with the stateToken in
        # a redirect's Location
        OIE.issued.clear()
        r = self.idp.run(self.config("carl@example.test", app="/home/alibabacloud/0oaloc1/aln1"),
                         ["--debug", "list-roles"], password="carl-pass")
        self.assert_ok(r)
        out = r.stderr + r.tty + r.stdout
        self.assertIn(b"authenticators/poll", out)
        self.assertIn(b"login.htm?", out)  # the Location, its query cut
        for s in [b"carl-pass"] + [s.encode() for s in OIE.issued]:
            self.assertNotIn(s, out)

    def test_config_keys_exit_2(self):
        r = self.run_s2s("ann@example.test", extra="okta.engin = idx\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("okta.engin", r.stderr.decode())
        r = self.run_s2s("ann@example.test", extra="okta.engine = oie\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("okta.engine", r.stderr.decode())
        self.assertEqual(OIE.log, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
