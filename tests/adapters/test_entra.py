#!/usr/bin/python3
"""The entra adapter against a loopback Entra ID (ESTS) mock.

The mock serves the three IdP-initiated entry points (MyApps LinkedSignIn,
the launcher "User access URL", <tenant>/saml2?SAMLRequest=), then ESTS
pages whose script holds $Config (pgid, sFT/sFTName, sCtx, canary,
apiCanary, correlationId, sessionId, hpgact/hpgid, urlPost, ...), in three
layouts (one line; across lines; followed by more script).  Every page
rotates sFT, sCtx, apiCanary and canary and only the newest are accepted.
It checks the cookies set on the first GET, the JSON API headers (canary =
apiCanary, client-request-id, hpgrequestid, hpgact, hpgid, Referer), the
form canary, content types and a browser User-Agent.  GetCredentialType
(managed, federated to a fake AD FS on "localhost", unknown user), the
password POST (50126, 50053, ConvergedChangePassword), ConvergedTFA with
BeginAuth/EndAuth/ProcessAuth (push with Entropy, denied, unanswered, TOTP,
SMS, voice), KmsiInterrupt (LoginOptions 1 or 3), ProofUp, Conditional
Access, DeviceAuthTls and "Working..." hidden forms, the SAMLRequest
script page, and the final SAMLResponse form whose action is the Alibaba
ACS.  Anything POSTed to the mock's ACS path fails the test.
"""

import base64
import html
import http.server
import json
import os
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

TENANT = "72f988bf-0000-4000-8000-00000000cafe"
APPS = {"app-cn": "cn", "app-intl": "intl"}
NUMBER = 42
TOTP = "314159"
SMS = "271828"
SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
ADFS_PASS = "fed-pass"

# login -> (password, scenario)
USERS = {
    "alice@contoso.test": ("alice-pass", "plain"),
    "push@contoso.test": ("push-pass", "push"),
    "deny@contoso.test": ("deny-pass", "deny"),
    "never@contoso.test": ("never-pass", "never"),
    "totp@contoso.test": ("totp-pass", "totp"),
    "sms@contoso.test": ("sms-pass", "sms"),
    "voice@contoso.test": ("voice-pass", "voice"),
    "multi@contoso.test": ("multi-pass", "multi"),
    "locked@contoso.test": ("locked-pass", "locked"),
    "expired@contoso.test": ("expired-pass", "expired"),
    "proof@contoso.test": ("proof-pass", "proofup"),
    "noskip@contoso.test": ("noskip-pass", "proofup-noskip"),
    "ca@contoso.test": ("ca-pass", "ca"),
    "device@contoso.test": ("device-pass", "device"),
    "weird@contoso.test": ("weird-pass", "weird"),
    "loop@contoso.test": ("loop-pass", "loop"),
    "hloop@contoso.test": ("hloop-pass", "hidden-loop"),
    "fed@fabrikam.test": (None, "federated"),
}

PROOFS = {  # scenario -> [(authMethodId, isDefault)]
    "push": [("PhoneAppOTP", False), ("PhoneAppNotification", True)],
    "deny": [("PhoneAppNotification", True)],
    "never": [("PhoneAppNotification", True)],
    "totp": [("PhoneAppNotification", False), ("PhoneAppOTP", True)],
    "sms": [("PhoneAppNotification", False), ("OneWaySMS", True)],
    "voice": [("OneWaySMS", False), ("TwoWayVoiceMobile", True)],
    "multi": [("PhoneAppNotification", True), ("PhoneAppOTP", False)],
    "federated": [("PhoneAppNotification", True)],
}


totp_codes = mockidp.totp_codes


def tok(prefix):
    t = prefix + uuid.uuid4().hex + uuid.uuid4().hex[:8]
    Entra.issued.add(t)
    return t


class Entra(http.server.BaseHTTPRequestHandler):
    log = []          # (method, path, headers, body)
    errors = []       # protocol violations seen by the mock
    flows = {}        # flow id -> dict
    sessions = {}     # ESTSAUTH value -> user
    issued = set()    # every secret token handed out
    layouts = set()
    polls = []        # (user, method, monotonic time)
    stderr_file = None
    fake_acs_action = False
    number_seen_at = {}
    adfs_azure_wait = False  # AD FS asks for its Azure MFA, never approved
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    # --- plumbing --------------------------------------------------------

    def base(self):
        return self.server.mock.base_url

    def send(self, code, body=b"", ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            ctype = "application/json; charset=utf-8"
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fail(self, why):
        with self.lock:
            self.errors.append("%s %s: %s" % (self.command, self.path.split("?")[0], why))
        return self.send(400, "<html><head><title>Bad request</title></head><body>%s</body></html>"
                         % html.escape(why))

    def cookies(self):
        out = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                out[k] = v
        return out

    def check_browser(self, flow=None, referer=True):
        ua = self.headers.get("User-Agent") or ""
        if "Mozilla/5.0" not in ua or "saml2sts" in ua:
            return "not a browser User-Agent: %r" % ua
        if flow is not None:
            c = self.cookies()
            if c.get("buid") != flow["buid"] or c.get("esctx") != flow["esctx"]:
                return "ESTS cookies from the first GET missing"
            if referer and self.headers.get("Referer") != flow["page_url"]:
                return "Referer %r is not the page %r" % (self.headers.get("Referer"),
                                                          flow["page_url"])
        return None

    # --- pages -----------------------------------------------------------

    def config_html(self, flow, pgid, extra):
        flow["ft"], flow["ctx"] = tok("FT"), tok("CTX")
        flow["api"], flow["canary"] = tok("API"), tok("CAN")
        flow["pgid"] = pgid
        cfg = {"pgid": pgid, "sFTName": "flowToken", "sFT": flow["ft"], "sCtx": flow["ctx"],
               "canary": flow["canary"], "apiCanary": flow["api"],
               "correlationId": flow["corr"], "sessionId": flow["sid"],
               "hpgact": 1900, "hpgid": 1104, "iPollingInterval": 5000,
               "urlGetCredentialType": "/common/GetCredentialType?mkt=en-US",
               "urlPost": "/common/login", "strServiceExceptionMessage": "a;b};",
               "sErrorCode": "50058" if pgid == "ConvergedSignIn" else ""}
        cfg.update(extra)
        layout = flow["n"] % 3
        flow["n"] += 1
        with self.lock:
            self.layouts.add(layout)
        if layout == 0:
            text = json.dumps(cfg).replace("&", "\\u0026")
            script = "//<![CDATA[\n$Config=%s;\n//]]>" % text
        elif layout == 1:
            script = "$Config=\n%s\n;" % json.dumps(cfg, indent=1)
        else:
            script = ("$Config=%s;var x={a:'}'};if(x){window.$Debug={s:\"$Config={\"}};"
                      % json.dumps(cfg, separators=(",", ":")))
        return ("<!DOCTYPE html><html><head><title>Sign in to your account</title>"
                "<meta name=\"PageID\" content=\"%s\"/></head><body><script type=\"text/javascript\">"
                "%s</script><noscript>JavaScript required</noscript></body></html>" % (pgid, script))

    def page(self, flow, pgid, extra=None, headers=()):
        flow["page_url"] = self.base() + self.path
        return self.send(200, self.config_html(flow, pgid, extra or {}), headers=headers)

    def hidden_form(self, action, fields, title="Working..."):
        inputs = "".join("<input type=\"hidden\" name=\"%s\" value=\"%s\" />"
                         % (html.escape(k), html.escape(v)) for k, v in fields)
        return ("<html><head><title>%s</title></head><body><form method=\"POST\" name=\"hiddenform\" "
                "action=\"%s\">%s<noscript><p>Script is disabled. Click Submit to continue.</p>"
                "<input type=\"submit\" value=\"Submit\" /></noscript></form><script>"
                "window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"
                % (title, html.escape(action), inputs))

    def final(self, user, site, headers=()):
        saml = self.server.mock.sign_for(user, site)
        with self.lock:
            self.issued.add(saml[:60])
        acs = mockidp.SITES[site]["acs"]
        if self.fake_acs_action:  # the mock's own ACS path: posting there fails
            acs = self.base() + "/saml-role/sso"
        return self.send(200, self.hidden_form(acs,
                                               [("SAMLResponse", saml), ("RelayState", "")]),
                         headers=headers)

    def new_flow(self, target):
        fid = uuid.uuid4().hex
        flow = {"id": fid, "target": target, "n": 0, "corr": str(uuid.uuid4()),
                "sid": str(uuid.uuid4()), "buid": tok("BUID"), "esctx": tok("ESC"),
                "user": None, "stage": "signin", "mfa_ok": False, "kmsi": None}
        with self.lock:
            self.flows[fid] = flow
        return flow

    def session_user(self):
        c = self.cookies()
        for name in ("ESTSAUTH", "ESTSAUTHPERSISTENT"):
            if c.get(name) in self.sessions:
                return self.sessions[c[name]]
        return None

    def start_signin(self, target):
        user = self.session_user()
        if user:
            return self.finish_target(user, target)
        flow = self.new_flow(target)
        return self.page(flow, "ConvergedSignIn", headers=[
            ("Set-Cookie", "buid=%s; Path=/; HttpOnly" % flow["buid"]),
            ("Set-Cookie", "esctx=%s; Path=/; HttpOnly" % flow["esctx"]),
            ("Set-Cookie", "fpc=AkX; Path=/")])

    def finish_target(self, user, target, headers=()):
        kind, _, rest = target.partition(":")
        if kind == "saml":
            return self.final(user, rest, headers)
        # MyApps: the OIDC answer goes back to the portal as a hidden form
        code = tok("CODE")
        with self.lock:
            self.sessions["code:" + code] = (user, rest)
        return self.send(200, self.hidden_form(
            self.base() + "/applications/redirecttofederatedapplication.aspx?Operation="
            "LinkedSignIn&applicationId=%s&callback=1" % rest,
            [("code", code), ("id_token", tok("IDT")), ("state", "st1"),
             ("session_state", str(uuid.uuid4()))]), headers=headers)

    def finish_flow(self, flow, persistent):
        sess = tok("ESTS")
        name = "ESTSAUTHPERSISTENT" if persistent else "ESTSAUTH"
        attrs = "; Max-Age=3600" if persistent else ""
        with self.lock:
            self.sessions[sess] = flow["user"]
        flow["stage"] = "done"
        return self.finish_target(flow["user"], flow["target"],
                                  headers=[("Set-Cookie", "%s=%s; Path=/; HttpOnly%s"
                                            % (name, sess, attrs))])

    def after_password(self, flow):
        scen = USERS[flow["user"]][1]
        if scen in PROOFS and not flow["mfa_ok"]:
            return self.tfa_page(flow, scen)
        if scen == "proofup" and not flow.get("skipped"):
            return self.page(flow, "ConvergedProofUpRedirect",
                             {"urlSkipMfaRegistration": "/common/SAS/ProcessAuth?skip=1&ctx=" +
                              flow["id"]})
        if scen == "proofup-noskip":
            return self.page(flow, "ConvergedProofUpRedirect", {"sErrorCode": "50072"})
        if scen == "ca":
            return self.page(flow, "ConvergedConditionalAccess", {"sErrorCode": "53003"})
        if scen == "weird":
            return self.page(flow, "ConvergedWeird", {"sErrorCode": "90099"})
        if scen == "loop":
            return self.page(flow, "ConvergedError", {"sErrorCode": "50196"})
        if scen == "hidden-loop" or (scen == "device" and not flow.get("device_done")):
            flow["ctx"] = tok("CTX")
            flow["page_url"] = self.base() + self.path
            return self.send(200, self.hidden_form(
                self.base() + "/common/DeviceAuthTls/reprocess",
                [("ctx", flow["ctx"]), ("flowtoken", tok("DFT"))], title="Continue"))
        flow["stage"] = "kmsi"
        return self.page(flow, "KmsiInterrupt", {"urlPost": "/kmsi"})

    def tfa_page(self, flow, scen):
        flow["stage"] = "tfa"
        proofs = [{"authMethodId": m, "isDefault": d, "display": "+X XXXXXXXX%02d" % i}
                  for i, (m, d) in enumerate(PROOFS[scen])]
        interval = flow.get("interval", {"PhoneAppNotification": 0.1,
                                         "TwoWayVoiceMobile": 0.1})
        return self.page(flow, "ConvergedTFA", {
            "arrUserProofs": proofs, "urlBeginAuth": "/common/SAS/BeginAuth",
            "urlEndAuth": "/common/SAS/EndAuth", "urlPost": "/common/SAS/ProcessAuth",
            "oPerAuthPollingInterval": interval, "iMaxPollAttempts": 10,
            "iPollingTimeout": 120000, "sPOST_Username": flow["user"]})

    def flow_by(self, key, value):
        if not value:
            return None
        for f in list(self.flows.values()):
            if f.get(key) == value:
                return f
        return None

    # --- GET -------------------------------------------------------------

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        with self.lock:
            self.log.append(("GET", self.path, dict(self.headers), None))
        bad = self.check_browser() if not u.path.startswith("/adfs/") else None
        if bad:
            return self.fail(bad)
        if u.path.startswith("/signin/"):  # the older MyApps deep link
            app = u.path.rsplit("/", 1)[1]
            return self.send(302, headers=[("Location", "%s/api/signin/%s?tenantId=%s"
                                            % (self.base(), app, TENANT))])
        if u.path.startswith("/api/signin/"):
            app = u.path.rsplit("/", 1)[1]
            if app not in APPS or q.get("tenantId") != TENANT:
                return self.send(404, "<html><head><title>Not found</title></head></html>")
            return self.send(302, headers=[("Location", "%s/%s/saml2?SAMLRequest=req-%s"
                                            % (self.base(), TENANT, APPS[app]))])
        if u.path == "/%s/saml2" % TENANT:
            site = (q.get("SAMLRequest") or "").replace("req-", "")
            if site not in ("cn", "intl"):
                return self.fail("bad SAMLRequest")
            return self.start_signin("saml:" + site)
        if u.path == "/applications/redirecttofederatedapplication.aspx":
            if q.get("Operation") != "LinkedSignIn" or q.get("applicationId") not in APPS:
                return self.fail("bad LinkedSignIn")
            return self.send(302, headers=[("Location", "%s/common/oauth2/authorize?client_id="
                                            "myapps&app=%s" % (self.base(), q["applicationId"]))])
        if u.path == "/common/oauth2/authorize":
            return self.start_signin("myapps:" + q.get("app", ""))
        if u.path == "/common/SAS/ProcessAuth" and q.get("skip") == "1":
            flow = self.flows.get(q.get("ctx"))
            if not flow or flow["pgid"] != "ConvergedProofUpRedirect":
                return self.fail("skip without ProofUp")
            flow["skipped"] = True
            return self.after_password(flow)
        if u.path == "/adfs/ls/":
            return self.adfs_get(q)
        return self.send(404, "<html><head><title>Not found</title></head></html>")

    # --- POST ------------------------------------------------------------

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ctype = self.headers.get("Content-Type") or ""
        with self.lock:
            self.log.append(("POST", self.path, dict(self.headers), raw))
        if u.path == "/saml-role/sso":
            return self.fail("the assertion was POSTed to the ACS")
        if u.path.startswith("/adfs/"):
            return self.adfs_post(u, raw)
        bad = self.check_browser()
        if bad:
            return self.fail(bad)
        if u.path in ("/common/GetCredentialType", "/common/SAS/BeginAuth",
                      "/common/SAS/EndAuth"):
            if not ctype.startswith("application/json"):
                return self.fail("API content type %r" % ctype)
            try:
                body = json.loads(raw)
            except ValueError:
                return self.fail("API body not JSON")
            if u.path == "/common/GetCredentialType":
                return self.gct(body)
            return self.sas(u.path.rsplit("/", 1)[1], body)
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return self.fail("form content type %r" % ctype)
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(),
                                                          keep_blank_values=True).items()}
        if u.path == "/common/login":
            return self.login(form)
        if u.path == "/common/SAS/ProcessAuth":
            return self.process_auth(form)
        if u.path == "/kmsi":
            return self.kmsi(form)
        if u.path == "/common/DeviceAuthTls/reprocess":
            flow = self.flow_by("ctx", form.get("ctx"))
            if not flow or USERS[flow["user"]][1] not in ("device", "hidden-loop"):
                return self.fail("DeviceAuthTls: stale ctx")
            flow["device_done"] = True
            return self.after_password(flow)
        if u.path == "/login.srf":
            return self.wsfed(form)
        if u.path == "/applications/redirecttofederatedapplication.aspx":
            got = self.sessions.pop("code:" + form.get("code", ""), None)
            if not got:
                return self.fail("MyApps: bad code")
            user, app = got
            url = "%s/%s/saml2?SAMLRequest=req-%s&RelayState=x" % (self.base(), TENANT, APPS[app])
            url = url.replace("/", "\\/").replace("&", "\\u0026")
            return self.send(200, "<html><head><title>Redirecting</title></head><body><script>"
                             "var u = \"%s\";window.location = u;</script></body></html>" % url)
        return self.send(404, "<html><head><title>Not found</title></head></html>")

    def check_api(self, flow):
        h = self.headers
        bad = self.check_browser(flow)
        if bad:
            return bad
        if h.get("canary") != flow["api"]:
            return "canary header is not the newest apiCanary"
        if h.get("client-request-id") != flow["corr"]:
            return "client-request-id"
        if h.get("hpgrequestid") != flow["sid"]:
            return "hpgrequestid"
        if h.get("hpgact") != "1900" or h.get("hpgid") != "1104":
            return "hpgact/hpgid"
        return None

    def gct(self, body):
        flow = self.flow_by("ctx", body.get("originalRequest"))
        if not flow or flow["pgid"] != "ConvergedSignIn":
            return self.fail("GetCredentialType: stale or unknown ctx")
        bad = self.check_api(flow)
        if bad:
            return self.fail("GetCredentialType: " + bad)
        if body.get("flowToken") != flow["ft"]:
            return self.fail("GetCredentialType: stale flowToken")
        user = body.get("username")
        flow["ft"], flow["api"] = tok("FT"), tok("API")
        flow["user"] = user
        out = {"Username": user, "Display": user, "IfExistsResult": 0, "ThrottleStatus": 0,
               "Credentials": {"PrefCredential": 1, "HasPassword": True,
                               "RemoteNgcParams": None, "FidoParams": None, "SasParams": None,
                               "CertAuthParams": None, "GoogleParams": None,
                               "FacebookParams": None},
               "EstsProperties": {"UserTenantBranding": None, "DomainType": 3},
               "IsSignupDisallowed": True, "apiCanary": flow["api"], "FlowToken": flow["ft"]}
        if user not in USERS:
            out["IfExistsResult"] = 1
        elif USERS[user][1] == "federated":
            out["Credentials"]["PrefCredential"] = 4
            out["EstsProperties"]["DomainType"] = 4
            out["Credentials"]["FederationRedirectUrl"] = (
                "http://localhost:%d/adfs/ls/?client-request-id=%s&wa=wsignin1.0&wtrealm="
                "urn%%3afederation%%3aMicrosoftOnline&wctx=%s&username=%s"
                % (self.server.mock.port, flow["corr"], flow["id"], urllib.parse.quote(user)))
        return self.send(200, out)

    def login(self, form):
        flow = self.flow_by("ctx", form.get("ctx"))
        if not flow or flow["pgid"] != "ConvergedSignIn":
            return self.fail("login: stale or unknown ctx")
        bad = self.check_browser(flow)
        if bad:
            return self.fail("login: " + bad)
        if form.get("canary") != flow["canary"]:
            return self.fail("login: form canary is not the page's canary")
        if form.get("flowToken") != flow["ft"]:
            return self.fail("login: flowToken is not GetCredentialType's")
        if form.get("hpgrequestid") != flow["sid"]:
            return self.fail("login: hpgrequestid")
        user = form.get("loginfmt")
        if user != flow["user"] or form.get("login") != user:
            return self.fail("login: user differs from GetCredentialType's")
        scen = USERS.get(user, (None, None))[1]
        if USERS.get(user, (None,))[0] != form.get("passwd"):
            return self.page(flow, "ConvergedSignIn", {"sErrorCode": "50126",
                                                       "sErrTxt": "Your password is incorrect."})
        if scen == "locked":
            return self.page(flow, "ConvergedSignIn", {"sErrorCode": "50053"})
        if scen == "expired":
            return self.page(flow, "ConvergedChangePassword", {"sErrorCode": "50055"})
        return self.after_password(flow)

    def sas(self, method, body):
        ctx = body.get("Ctx", body.get("ctx"))
        flow = self.flow_by("ctx", ctx)
        if not flow or flow["stage"] != "tfa":
            return self.fail("%s: stale or unknown Ctx" % method)
        bad = self.check_api(flow)
        if bad:
            return self.fail("%s: %s" % (method, bad))
        if body.get("FlowToken", body.get("flowToken")) != flow["ft"]:
            return self.fail("%s: stale FlowToken" % method)
        if body.get("Method") != method:
            return self.fail("%s: Method %r" % (method, body.get("Method")))
        scen = USERS[flow["user"]][1]
        am = body.get("AuthMethodId")
        if am not in [m for m, _ in PROOFS[scen]]:
            return self.fail("%s: method %s not offered" % (method, am))
        if method == "EndAuth" and (body.get("SessionId") != flow["sas_sid"]
                                    or am != flow["am"]):
            return self.fail("EndAuth: SessionId or AuthMethodId differs from BeginAuth")
        flow["ft"], flow["ctx"] = tok("FT"), tok("SCTX")
        out = {"Success": True, "ResultValue": "Success", "Message": None, "AuthMethodId": am,
               "ErrCode": 0, "Retry": False, "FlowToken": flow["ft"], "Ctx": flow["ctx"],
               "SessionId": None, "CorrelationId": flow["corr"], "Timestamp": "2026-01-01T00:00:00Z"}
        if method == "BeginAuth":
            if flow.get("am"):
                return self.fail("BeginAuth sent twice")
            flow["am"], flow["polls"] = am, 0
            flow["sas_sid"] = tok("SASID")
            out["SessionId"] = flow["sas_sid"]
            if am == "PhoneAppNotification":
                out["Entropy"] = NUMBER if scen in ("push", "federated") else 0
            return self.send(200, out)
        out["SessionId"] = flow["sas_sid"]
        if am in ("PhoneAppOTP", "OneWaySMS"):
            flow["ends"] = flow.get("ends", 0) + 1
            if flow["ends"] > 1:
                out.update(Success=False, ResultValue="PhoneAppOtpAuthFailedDuplicateCodeEntered",
                           ErrCode=500121)
                return self.send(200, out)
            code = body.get("AdditionalAuthData")
            if code == "999999":  # a code already used
                out.update(Success=False, ResultValue="PhoneAppOtpAuthFailedDuplicateCodeEntered",
                           ErrCode=500121)
                return self.send(200, out)
            good = [SMS] if am == "OneWaySMS" else [TOTP] + totp_codes(SEED)
            if code not in good:
                out.update(Success=False, Retry=True, ResultValue=(
                    "SMSAuthFailedWrongCodeEntered" if am == "OneWaySMS" else "OathCodeIncorrect"))
                return self.send(200, out)
            flow["mfa_ok"], flow["otc"] = True, code
            return self.send(200, out)
        # push or call: polled
        flow["polls"] += 1
        with self.lock:
            self.polls.append((flow["user"], am, time.monotonic()))
        if body.get("PollCount") != flow["polls"]:
            return self.fail("EndAuth: PollCount")
        n = flow["polls"]
        seen = self.number_seen()
        if seen and flow["user"] not in self.number_seen_at:
            self.number_seen_at[flow["user"]] = n
        pending = dict(Success=False, Retry=True, ResultValue="AuthenticationPending")
        if scen == "deny" and n >= 2:
            out.update(Success=False, Retry=False, ResultValue="PhoneAppDenied")
        elif scen in ("never", "deny") or (scen == "push" and (n < 3 or (self.stderr_file and not seen))):
            out.update(pending)
        elif scen == "voice" and n < 2:
            out.update(pending)
        else:
            flow["mfa_ok"] = True
        return self.send(200, out)

    def number_seen(self):
        if not self.stderr_file:
            return False
        try:
            with open(self.stderr_file, "rb") as f:
                return b"number %d" % NUMBER in f.read()
        except OSError:
            return False

    def process_auth(self, form):
        flow = self.flow_by("ctx", form.get("request"))
        if not flow or flow["stage"] != "tfa":
            return self.fail("ProcessAuth: stale or unknown request (Ctx)")
        bad = self.check_browser(flow)
        if bad:
            return self.fail("ProcessAuth: " + bad)
        if form.get("flowToken") != flow["ft"]:
            return self.fail("ProcessAuth: stale flowToken")
        if form.get("canary") != flow["canary"]:
            return self.fail("ProcessAuth: canary")
        if form.get("mfaAuthMethod") != flow["am"] or not flow["mfa_ok"]:
            return self.fail("ProcessAuth: MFA not passed")
        if flow.get("otc") and form.get("otc") != flow["otc"]:
            return self.fail("ProcessAuth: otc")
        if form.get("login") != flow["user"]:
            return self.fail("ProcessAuth: login")
        return self.after_password(flow)

    def kmsi(self, form):
        flow = self.flow_by("ctx", form.get("ctx"))
        if not flow or flow["pgid"] != "KmsiInterrupt":
            return self.fail("kmsi: stale or unknown ctx")
        bad = self.check_browser(flow)
        if bad:
            return self.fail("kmsi: " + bad)
        if form.get("flowToken") != flow["ft"] or form.get("canary") != flow["canary"]:
            return self.fail("kmsi: stale flowToken or canary")
        if form.get("LoginOptions") not in ("1", "3"):
            return self.fail("kmsi: LoginOptions %r" % form.get("LoginOptions"))
        flow["kmsi"] = form["LoginOptions"]
        return self.finish_flow(flow, form["LoginOptions"] == "1")

    # --- the federated IdP (AD FS on "localhost") -------------------------

    def adfs_form(self, q, error=""):
        action = "/adfs/ls/?" + urllib.parse.urlencode(q)
        return ("<html><head><title>Sign In</title></head><body><span id=\"errorText\">%s</span>"
                "<form method=\"post\" id=\"loginForm\" action=\"%s\">"
                "<input id=\"userNameInput\" name=\"UserName\" type=\"email\" value=\"%s\"/>"
                "<input id=\"passwordInput\" name=\"Password\" type=\"password\"/>"
                "<input id=\"kmsiInput\" type=\"checkbox\" name=\"Kmsi\" value=\"true\"/>"
                "<input id=\"optionForms\" type=\"hidden\" name=\"AuthMethod\" "
                "value=\"FormsAuthentication\"/><span id=\"submitButton\" class=\"submit\" "
                "role=\"button\">Sign in</span></form></body></html>"
                % (html.escape(error), html.escape(action), html.escape(q.get("username", ""))))

    def adfs_get(self, q):
        if self.headers.get("Host", "").split(":")[0] != "localhost":
            return self.fail("AD FS reached by the wrong host")
        if q.get("wa") != "wsignin1.0" or q.get("wctx") not in self.flows:
            return self.fail("AD FS: bad wsignin1.0 request")
        return self.send(200, self.adfs_form(q),
                         headers=[("Set-Cookie", "MSISSamlRequest=%s; Path=/adfs" % tok("MSIS"))])

    def adfs_post(self, u, raw):
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        if "MSISSamlRequest" not in self.cookies():
            return self.fail("AD FS: cookie missing")
        wait = ("<html><head><title>Sign In</title></head><body><form method=\"post\" "
                "id=\"options\" action=\"/adfs/ls/?%s\"><label id=\"errorText\"></label>"
                "<div id=\"validEntropyNumber\">17</div><input type=\"hidden\" "
                "name=\"AuthMethod\" value=\"AzureMfaAuthentication\"/><input type=\"hidden\" "
                "name=\"Context\" value=\"ctx1\"/></form></body></html>"
                % html.escape(urllib.parse.urlencode(q)))
        if self.adfs_azure_wait and form.get("AuthMethod") == "AzureMfaAuthentication":
            return self.send(200, wait)
        if form.get("AuthMethod") != "FormsAuthentication":
            return self.fail("AD FS: AuthMethod")
        if form.get("UserName") != "fed@fabrikam.test" or form.get("Password") != ADFS_PASS:
            return self.send(200, self.adfs_form(q, "Incorrect user ID or password."))
        if self.adfs_azure_wait:
            return self.send(200, wait)
        flow = self.flows[q["wctx"]]
        flow["wresult"] = tok("WRES")
        return self.send(200, self.hidden_form(
            self.base() + "/login.srf",
            [("wa", "wsignin1.0"), ("wresult", flow["wresult"]), ("wctx", flow["id"])]))

    def wsfed(self, form):
        flow = self.flows.get(form.get("wctx"))
        if not flow or form.get("wa") != "wsignin1.0" or form.get("wresult") != flow.get("wresult"):
            return self.fail("login.srf: bad wsignin1.0 answer")
        flow.pop("wresult")
        return self.after_password(flow)


class EntraTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(Entra).start()

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        Entra.log.clear()
        Entra.polls.clear()
        Entra.stderr_file = None

    def tearDown(self):
        errs, Entra.errors[:] = list(Entra.errors), []
        self.assertEqual(errs, [], "the mock saw protocol errors")

    def url(self, entry="launcher", site="cn"):
        app = [a for a, s in APPS.items() if s == site][0]
        b = self.idp.base_url
        if entry == "launcher":
            return "%s/api/signin/%s?tenantId=%s" % (b, app, TENANT)
        if entry == "deeplink":
            return "%s/signin/Alibaba%%20Cloud/%s" % (b, app)
        if entry == "myapps":
            return ("%s/applications/redirecttofederatedapplication.aspx?Operation=LinkedSignIn"
                    "&applicationId=%s" % (b, app))
        return "%s/%s/saml2?SAMLRequest=req-%s" % (b, TENANT, site)

    def config(self, user, extra="", site="cn", entry="launcher", provider="entra"):
        # entra.login_url: the mock's ESTS instead of login.microsoftonline.com
        return ("[default]\nprovider = %s\nurl = %s\nusername = %s\nsite = %s\n"
                "entra.poll_interval = 100\nentra.login_url = %s\n%s"
                % (provider, self.url(entry, site), user, site, self.idp.base_url, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, env=None,
                entry="launcher"):
        if password is None:
            password = USERS.get(user, ("x",))[0] or ADFS_PASS
        return self.idp.run(self.config(user, extra, site, entry),
                            list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty, env=env)

    def posts(self, path):
        return [e for e in Entra.log if e[0] == "POST" and e[1].split("?")[0] == path]

    def json_posts(self, path):
        return [json.loads(e[3]) for e in self.posts(path)]

    def last_line(self, r):
        lines = r.stderr.decode().strip().splitlines()
        self.assertTrue(lines, r.stderr)
        return lines[-1]

    def assert_ok(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        self.assertEqual(self.posts("/saml-role/sso"), [])

    # --- success -----------------------------------------------------------

    def test_entry_points_and_sites(self):
        for entry, site, fake in (("launcher", "cn", False), ("myapps", "intl", False),
                                  ("saml2", "cn", True), ("myapps", "cn", True),
                                  ("launcher", "intl", True), ("deeplink", "intl", False)):
            Entra.log.clear()
            Entra.fake_acs_action = fake
            try:
                r = self.run_s2s("alice@contoso.test", entry=entry, site=site)
            finally:
                Entra.fake_acs_action = False
            self.assert_ok(r)
            self.assertEqual(len(self.posts("/common/GetCredentialType")), 1, entry)
            kmsi = urllib.parse.parse_qs(self.posts("/kmsi")[0][3].decode())
            self.assertEqual(kmsi["LoginOptions"], ["3"])  # default: no
            if entry == "myapps":
                self.assertEqual(len(self.posts(
                    "/applications/redirecttofederatedapplication.aspx")), 1)
                self.assertTrue(any("SAMLRequest=req-%s&RelayState" % site in e[1]
                                    for e in Entra.log if e[0] == "GET"))
        gct = self.posts("/common/GetCredentialType")[0]
        self.assertTrue(gct[2]["Content-Type"].startswith("application/json"))
        body = json.loads(gct[3])
        self.assertEqual(body["username"], "alice@contoso.test")
        self.assertTrue(body["isOtherIdpSupported"])
        login = urllib.parse.parse_qs(self.posts("/common/login")[0][3].decode())
        self.assertEqual(login["passwd"], ["alice-pass"])
        self.assertEqual(login["type"], ["11"])

    def test_login_command_and_layouts(self):
        Entra.layouts.clear()
        n = len(self.idp.sts_calls())
        r = self.run_s2s("push@contoso.test", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), n + 1)
        self.assertEqual(self.idp.sts_calls()[-1]["status"], 200)
        self.assertEqual(self.posts("/saml-role/sso"), [])
        self.assertEqual(Entra.layouts, {0, 1, 2})

    def test_push_number_shown_first_even_quiet(self):
        cfg = self.idp.config_path(self.config("push@contoso.test"))
        with tempfile.NamedTemporaryFile(dir=self.idp.dir, delete=False) as errf:
            Entra.stderr_file = errf.name
            Entra.number_seen_at.pop("push@contoso.test", None)
            r = subprocess.run([mockidp.BIN, "--config", cfg, "--quiet", "list-roles",
                                "--output", "json"], env=self.idp.env("push-pass"),
                               cwd=self.idp.home, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=errf, timeout=30,
                               start_new_session=True)
        with open(errf.name, "rb") as f:
            err = f.read()
        self.assertEqual(r.returncode, 0, err)
        self.assertIn(b"enter the number 42", err)
        # the number was on stderr before the first EndAuth poll answered
        self.assertEqual(Entra.number_seen_at.get("push@contoso.test"), 1)
        self.assertEqual(len(self.json_posts("/common/SAS/BeginAuth")), 1)
        begin = self.json_posts("/common/SAS/BeginAuth")[0]
        self.assertEqual(begin["AuthMethodId"], "PhoneAppNotification")  # isDefault, not first
        self.assertEqual(len(self.posts("/common/SAS/EndAuth")), 3)
        pa = urllib.parse.parse_qs(self.posts("/common/SAS/ProcessAuth")[0][3].decode())
        self.assertEqual(pa["type"], ["22"])

    def test_poll_interval_from_page_respected(self):
        # the page says 0.4 s for the push: gaps are at least that
        old = Entra.tfa_page

        def slow(self, flow, scen):
            flow["interval"] = {"PhoneAppNotification": 0.4}
            return old(self, flow, scen)
        Entra.tfa_page = slow
        try:
            r = self.run_s2s("push@contoso.test")
        finally:
            Entra.tfa_page = old
        self.assertEqual(r.returncode, 0, r.stderr)
        t = [p[2] for p in Entra.polls]
        self.assertEqual(len(t), 3)
        self.assertTrue(all(b - a >= 0.38 for a, b in zip(t, t[1:])), t)

    def test_hostile_poll_interval_capped_not_wrapped(self):
        # 1e300 s does not fit a long: it is the 60 s cap (one poll at
        # the 1 s deadline), not a wrapped value that polls every 0.1 s
        old = Entra.tfa_page

        def huge(self, flow, scen):
            flow["interval"] = {"PhoneAppNotification": 1e300}
            return old(self, flow, scen)
        Entra.tfa_page = huge
        try:
            r = self.run_s2s("never@contoso.test", extra="entra.push_timeout = 1\n")
        finally:
            Entra.tfa_page = old
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", self.last_line(r))
        self.assertLessEqual(len(Entra.polls), 1)

    def test_page_url_not_a_url_exit_5(self):
        # a $Config URL curl cannot parse is the IdP's fault (5), said
        # as Entra's, not "invalid URL" as if the config were wrong (2)
        old = Entra.page

        def bad(self, flow, pgid, extra=None, headers=()):
            if pgid == "ConvergedTFA":
                extra = dict(extra, urlBeginAuth="javascript:alert(1)")
            return old(self, flow, pgid, extra, headers)
        Entra.page = bad
        try:
            r = self.run_s2s("push@contoso.test")
        finally:
            Entra.page = old
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Entra ID: the page's BeginAuth URL is not a URL", self.last_line(r))
        self.assertEqual(self.posts("/common/SAS/BeginAuth"), [])

    def test_voice_call_and_one_second_floor(self):
        # no entra.poll_interval: the 0.1 s the page says is raised to 1 s
        cfg = self.config("voice@contoso.test").replace("entra.poll_interval = 100\n", "")
        r = self.idp.run(cfg, ["list-roles", "--output", "json"], password="voice-pass")
        self.assert_ok(r)
        self.assertIn("answer the call", r.stderr.decode())
        self.assertEqual(self.json_posts("/common/SAS/BeginAuth")[0]["AuthMethodId"],
                         "TwoWayVoiceMobile")
        t = [p[2] for p in Entra.polls]
        self.assertEqual(len(t), 2)
        self.assertGreaterEqual(t[1] - t[0], 0.95)

    def test_totp_typed(self):
        r = self.run_s2s("totp@contoso.test", tty=[("Authenticator app code", TOTP)])
        self.assert_ok(r)
        self.assertEqual(self.json_posts("/common/SAS/BeginAuth")[0]["AuthMethodId"],
                         "PhoneAppOTP")
        ends = self.json_posts("/common/SAS/EndAuth")
        self.assertEqual(len(ends), 1)
        self.assertEqual(ends[0]["AdditionalAuthData"], TOTP)
        pa = urllib.parse.parse_qs(self.posts("/common/SAS/ProcessAuth")[0][3].decode())
        self.assertEqual(pa["otc"], [TOTP])

    def test_totp_from_kept_seed(self):
        cfg = self.config("multi@contoso.test")
        r = self.idp.run(cfg, ["configure", "--totp-secret-stdin"], stdin=SEED.encode() + b"\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(r.config_path) as f:
            saved = f.read()
        self.assertIn("entra.totp_seed = keyring", saved)
        self.assertNotIn(SEED, saved)
        Entra.log.clear()
        r = self.run_s2s("multi@contoso.test", extra="entra.totp_seed = keyring\n")
        self.assert_ok(r)
        ends = self.json_posts("/common/SAS/EndAuth")
        self.assertEqual(len(ends), 1)
        self.assertEqual(ends[0]["AuthMethodId"], "PhoneAppOTP")  # not the default push
        self.assertIn(ends[0]["AdditionalAuthData"], totp_codes(SEED))
        # without the seed the default (push) is used; entra.mfa forces one
        Entra.log.clear()
        r = self.run_s2s("multi@contoso.test")
        self.assert_ok(r)
        self.assertEqual(self.json_posts("/common/SAS/BeginAuth")[0]["AuthMethodId"],
                         "PhoneAppNotification")
        Entra.log.clear()
        r = self.run_s2s("multi@contoso.test", extra="entra.mfa = totp\n",
                         tty=[("Authenticator app code", TOTP)])
        self.assert_ok(r)
        self.assertEqual(self.json_posts("/common/SAS/BeginAuth")[0]["AuthMethodId"],
                         "PhoneAppOTP")
        r = self.run_s2s("multi@contoso.test", extra="entra.mfa = sms\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("entra.mfa is sms", self.last_line(r))

    def test_sms(self):
        r = self.run_s2s("sms@contoso.test", tty=[("Code sent by SMS", SMS)])
        self.assert_ok(r)
        ends = self.json_posts("/common/SAS/EndAuth")
        self.assertEqual([e["AdditionalAuthData"] for e in ends], [SMS])
        self.assertEqual(ends[0]["AuthMethodId"], "OneWaySMS")

    def test_kmsi_yes_and_remember_session(self):
        extra = "remember_session = true\n"
        r = self.run_s2s("alice@contoso.test", extra=extra)
        self.assert_ok(r)
        kmsi = urllib.parse.parse_qs(self.posts("/kmsi")[0][3].decode())
        self.assertEqual(kmsi["LoginOptions"], ["1"])
        Entra.log.clear()
        r = self.run_s2s("alice@contoso.test", extra=extra)
        self.assert_ok(r)
        self.assertEqual(self.posts("/common/GetCredentialType"), [])
        self.assertEqual(self.posts("/common/login"), [])
        # entra.kmsi = no overrides it
        Entra.log.clear()
        r = self.run_s2s("push@contoso.test", extra="entra.kmsi = no\n")
        self.assert_ok(r)
        kmsi = urllib.parse.parse_qs(self.posts("/kmsi")[0][3].decode())
        self.assertEqual(kmsi["LoginOptions"], ["3"])

    def test_proofup_skipped(self):
        r = self.run_s2s("proof@contoso.test")
        self.assert_ok(r)
        self.assertTrue(any("skip=1" in e[1] for e in Entra.log if e[0] == "GET"))

    def test_device_auth_tls_hidden_form(self):
        r = self.run_s2s("device@contoso.test")
        self.assert_ok(r)
        self.assertEqual(len(self.posts("/common/DeviceAuthTls/reprocess")), 1)

    def test_federated_adfs_needs_idp_hosts(self):
        r = self.run_s2s("fed@fabrikam.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("localhost", self.last_line(r))
        self.assertIn("idp_hosts", self.last_line(r))
        self.assertEqual([e for e in Entra.log if e[0] == "POST" and e[1].startswith("/adfs/")],
                         [])
        Entra.log.clear()
        r = self.run_s2s("fed@fabrikam.test", extra="idp_hosts = localhost\n")
        self.assert_ok(r)
        adfs = [e for e in Entra.log if e[0] == "POST" and e[1].startswith("/adfs/")]
        self.assertEqual(len(adfs), 1)
        self.assertIn(b"Password=fed-pass", adfs[0][3])
        self.assertEqual(len(self.posts("/login.srf")), 1)
        self.assertEqual(self.posts("/common/login"), [])  # no password to Entra
        self.assertEqual(len(self.posts("/common/SAS/EndAuth")), 1)
        self.assertIn("number 42", r.stderr.decode())

    def test_federated_azure_mfa_timeout_names_entra_key(self):
        # AD FS's own Azure MFA wait is bounded by entra.push_timeout, and
        # the message names that key, not the adfs adapter's setting
        Entra.adfs_azure_wait = True
        try:
            r = self.run_s2s("fed@fabrikam.test",
                             extra="idp_hosts = localhost\nentra.push_timeout = 1\n")
        finally:
            Entra.adfs_azure_wait = False
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("number 17", r.stderr.decode())
        self.assertIn("entra.push_timeout", self.last_line(r))
        self.assertNotIn("adfs.", self.last_line(r))

    def test_federated_wrong_password_exit_3(self):
        r = self.run_s2s("fed@fabrikam.test", password="bad", extra="idp_hosts = localhost\n")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("AD FS rejected", self.last_line(r))
        self.assertEqual(len([e for e in Entra.log if e[0] == "POST" and
                              e[1].startswith("/adfs/")]), 1)

    def test_import_azuread(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, ".saml2alibabacloud"), "w") as f:
                f.write("[default]\nurl = https://launcher.myapps.microsoft.com/api/signin/"
                        "abc?tenantId=t\nprovider = AzureAD\nusername = a@b.test\n"
                        "alibabacloud_urn = urn:alibaba:cloudcomputing\n")
            cfg = os.path.join(d, "config")
            r = subprocess.run([mockidp.BIN, "--config", cfg, "configure",
                                "--import-saml2alibabacloud"],
                               env={"PATH": "/usr/bin:/bin", "HOME": d},
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("provider = entra", r.stdout.decode())
            with open(cfg) as f:
                self.assertIn("provider = entra", f.read())
        for alias in ("azuread", "aad", "AzureAD"):
            cfg = self.config("alice@contoso.test", provider=alias)
            r = self.idp.run(cfg, ["list-roles", "--output", "json"], password="alice-pass")
            self.assert_ok(r)

    def test_password_to_login_host_not_entry_host(self):
        # the launcher / MyApps url is on another host than the ESTS pages
        # the password goes to (here: the entry on "localhost", ESTS on
        # 127.0.0.1): no idp_hosts needed
        for entry in ("launcher", "myapps"):
            Entra.log.clear()
            cfg = self.config("alice@contoso.test", entry=entry).replace(
                "\nurl = http://127.0.0.1", "\nurl = http://localhost")
            self.assertIn("\nurl = http://localhost", cfg)
            r = self.idp.run(cfg, ["list-roles", "--output", "json"], password="alice-pass")
            self.assert_ok(r)
            self.assertEqual(len(self.posts("/common/login")), 1)
        # without entra.login_url the password goes only to
        # login.microsoftonline.com: not to the mock, nor to url's host
        cfg = self.config("alice@contoso.test").replace(
            "entra.login_url = %s\n" % self.idp.base_url, "")
        Entra.log.clear()
        r = self.idp.run(cfg, ["list-roles"], password="alice-pass")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("not the host of entra.login_url (login.microsoftonline.com)",
                      self.last_line(r))
        self.assertEqual(self.posts("/common/login"), [])
        r = self.idp.run(cfg.replace("\nurl = http://", "\nurl = ftp://"), ["list-roles"],
                         password="alice-pass")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("url must be", self.last_line(r))

    # --- failures ----------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("alice@contoso.test", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("AADSTS50126", self.last_line(r))
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(self.posts("/common/login")), 1)  # never resubmitted

    def test_unknown_user_exit_3(self):
        r = self.run_s2s("nobody@contoso.test", password="x")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("AADSTS50034", self.last_line(r))
        self.assertEqual(self.posts("/common/login"), [])

    def test_locked_exit_3(self):
        r = self.run_s2s("locked@contoso.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked", self.last_line(r))
        self.assertIn("AADSTS50053", self.last_line(r))

    def test_expired_exit_3(self):
        r = self.run_s2s("expired@contoso.test")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("expired", self.last_line(r))

    def test_ctrl_c_during_push_wait_exit_130(self):
        status, seen, took = self.idp.interrupt(
            self.config("never@contoso.test", "entra.push_timeout = 30\n"),
            ["list-roles"], "never-pass", b"approve the sign-in")
        self.assertEqual(status, 130, seen)
        self.assertLess(took, 3)
        n = len(Entra.polls)
        time.sleep(0.5)
        self.assertEqual(len(Entra.polls), n)

    def test_push_denied_exit_4(self):
        r = self.run_s2s("deny@contoso.test")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("denied", self.last_line(r))
        self.assertIn("PhoneAppDenied", self.last_line(r))

    def test_push_timeout_exit_4(self):
        t0 = time.monotonic()
        r = self.run_s2s("never@contoso.test", extra="entra.push_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("not approved within 1s", self.last_line(r))
        self.assertLess(time.monotonic() - t0, 8)
        self.assertGreaterEqual(len(Entra.polls), 3)
        self.assertLessEqual(len(Entra.polls), 15)
        self.assertEqual(len(self.posts("/common/SAS/BeginAuth")), 1)  # one push only

    def test_wrong_code_exit_4_prompted_once(self):
        r = self.run_s2s("totp@contoso.test", tty=[("Authenticator app code", "000000"),
                                                   ("Authenticator app code", TOTP)])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("OathCodeIncorrect", self.last_line(r))
        self.assertEqual(len(self.posts("/common/SAS/EndAuth")), 1)
        self.assertEqual(r.tty.count(b"Authenticator app code"), 1)
        self.assertNotIn(b"000000", r.stderr)

    def test_duplicate_code_500121_exit_4(self):
        r = self.run_s2s("totp@contoso.test", tty=[("Authenticator app code", "999999")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("500121", self.last_line(r))
        self.assertEqual(len(self.posts("/common/SAS/EndAuth")), 1)

    def test_sms_wrong_code_exit_4(self):
        r = self.run_s2s("sms@contoso.test", tty=[("Code sent by SMS", "111111")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("SMSAuthFailedWrongCodeEntered", self.last_line(r))

    def test_code_without_terminal_exit_8(self):
        r = self.run_s2s("totp@contoso.test")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertEqual(self.posts("/common/SAS/EndAuth"), [])
        # no SMS is set off that nobody could type
        r = self.run_s2s("sms@contoso.test")
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn("nothing was sent", self.last_line(r))
        self.assertEqual(self.posts("/common/SAS/BeginAuth"), [])

    def test_proofup_without_skip_exit_5(self):
        r = self.run_s2s("noskip@contoso.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("--browser", self.last_line(r))
        self.assertIn("security info", self.last_line(r))

    def test_conditional_access_exit_5(self):
        r = self.run_s2s("ca@contoso.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("Conditional Access", self.last_line(r))
        self.assertIn("53003", self.last_line(r))
        self.assertIn("--browser", self.last_line(r))

    def test_unknown_page_exit_5(self):
        r = self.run_s2s("weird@contoso.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("ConvergedWeird", self.last_line(r))
        self.assertIn("90099", self.last_line(r))

    def test_step_cap_exit_5(self):
        r = self.run_s2s("hloop@contoso.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("no SAMLResponse after 20", self.last_line(r))
        self.assertLessEqual(len(self.posts("/common/DeviceAuthTls/reprocess")), 20)

    def test_loop_detected_exit_5(self):
        r = self.run_s2s("loop@contoso.test")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("AADSTS50196", self.last_line(r))

    def test_unknown_key_exit_2_before_requests(self):
        r = self.run_s2s("alice@contoso.test", extra="entra.pushtimeout = 5\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("entra.pushtimeout", r.stderr.decode())
        r = self.run_s2s("alice@contoso.test", extra="entra.mfa = fido\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(Entra.log, [])

    def test_debug_leaks_nothing(self):
        Entra.issued.clear()
        r = self.run_s2s("totp@contoso.test", "--debug", "list-roles",
                         tty=[("Authenticator app code", TOTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stderr
        self.assertIn(b"GetCredentialType", out)  # the trace is there
        self.assertIn(b"canary: <redacted>", out)
        for secret in [b"totp-pass", TOTP.encode()] + [t.encode() for t in Entra.issued]:
            self.assertNotIn(secret, out)
        # the push (BeginAuth/EndAuth answers rotate FlowToken, Ctx,
        # SessionId) and the federated AD FS leg (wresult, MSIS cookie)
        Entra.issued.clear()
        outs = []
        for user, extra in (("push@contoso.test", ""),
                            ("fed@fabrikam.test", "idp_hosts = localhost\n")):
            r = self.run_s2s(user, "--debug", "list-roles", extra=extra)
            self.assertEqual(r.returncode, 0, r.stderr)
            outs.append(r.stderr + r.tty + r.stdout)
        self.assertIn(b"EndAuth", outs[0])
        self.assertIn(b"/adfs/", outs[1])
        for secret in [b"push-pass", ADFS_PASS.encode()] + [t.encode() for t in Entra.issued]:
            for out in outs:
                self.assertNotIn(secret, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
