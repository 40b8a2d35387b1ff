#!/usr/bin/python3
"""The adfs adapter against a loopback AD FS.

The mock follows AD FS 2016/2019 as documented and as its pages look:
IdP-initiated sign-on at /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=<urn>,
the forms page (form#loginForm: UserName, Password, AuthMethod=
FormsAuthentication, Kmsi; span#errorText), a 302 back with an MSISAuth
cookie after the POST, the additional-authentication page of the Azure MFA
adapter (AuthMethod=AzureMfaAuthentication, Context; either a
VerificationCode input or the push wait page with p#instructions and the
number-matching div#validEntropyNumber, re-posted until approved), the
error page without a form, and Windows Integrated Authentication at
/adfs/ls/wia for user agents in WIASupportedUserAgents: NTLM (Type 1/2/3,
the Type 3 user name checked) and Negotiate (a real MIT KDC on 127.0.0.1
issues the service ticket; the mock checks the SPNEGO token).
The SAMLResponse is signed (mockidp) and `login` takes it to the STS
emulator; failures are driven through list-roles.
"""

import base64
import html
import http.server
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import tempfile
import time
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mockidp  # noqa: E402

RP_CN = "urn:alibaba:cloudcomputing"
RP_INTL = "urn:alibaba:cloudcomputing:international"
SIGNON = "/adfs/ls/IdpInitiatedSignOn.aspx"

USERS = {  # UserName -> (password, mfa)
    "CORP\\alice": ("alice-pass", None),
    "CORP\\bob": ("bob-pass", "otp"),
    "CORP\\carol": ("carol-pass", "push"),
    "CORP\\cedric": ("cedric-pass", "push-deny"),
    "CORP\\celia": ("celia-pass", "push-never"),
    "CORP\\dave": ("dave-pass", "locked"),
    "CORP\\eve": ("eve-pass", "error-page"),
}
OTP = "482913"
WIA_USER = "alice"  # NTLM Type 3 user (domain CORP)


def page(title, body):
    return ("<!DOCTYPE html><html lang=\"en-US\"><head><title>%s</title>"
            "</head><body><div id=\"fullPage\">%s</div></body></html>"
            % (title, body)).encode()


def login_page(action, error=""):
    return page("Sign In", """
<div id="loginArea"><div id="loginMessage" class="groupMargin">Sign in with your organizational account</div>
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate"
 onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();"
 action="%s">
 <div id="error" class="fieldMargin error smallText">
  <span id="errorText" for="" aria-live="assertive" role="alert">%s</span>
 </div>
 <div id="formsAuthenticationArea">
  <div id="userNameArea"><label id="userNameInputLabel" for="userNameInput" class="hidden">User Account</label>
   <input id="userNameInput" name="UserName" type="email" value="" tabindex="1" class="text fullWidth" spellcheck="false" placeholder="someone@example.com" autocomplete="off"/></div>
  <div id="passwordArea"><label id="passwordInputLabel" for="passwordInput" class="hidden">Password</label>
   <input id="passwordInput" name="Password" type="password" tabindex="2" class="text fullWidth" placeholder="Password" autocomplete="off"/></div>
  <div id="kmsiArea" style="display:none"><input type="checkbox" name="Kmsi" id="kmsiInput" value="true" tabindex="3" /></div>
  <div id="submissionArea" class="submitMargin">
   <span id="submitButton" class="submit" tabindex="4" role="button" onKeyPress="" onclick="return Login.submitLoginRequest();">Sign in</span>
  </div>
 </div>
 <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form></div>""" % (html.escape(action), html.escape(error)))


def otp_page(action, context, error=""):
    return page("Sign In", """
<form method="post" id="loginForm" autocomplete="off" action="%s">
 <div id="error" class="fieldMargin error smallText"><label id="errorText" for="">%s</label></div>
 <p id="instructions">Enter the verification code sent to your mobile device.</p>
 <input id="verificationCodeInput" name="VerificationCode" type="text" autocomplete="off" class="text fullWidth"/>
 <input id="authMethod" type="hidden" name="AuthMethod" value="AzureMfaAuthentication"/>
 <input id="context" type="hidden" name="Context" value="%s"/>
 <input id="signInButton" type="submit" class="submit" value="Sign in"/>
</form>""" % (html.escape(action), html.escape(error), html.escape(context)))


def push_page(action, context, number, error=""):
    return page("Sign In", """
<form method="post" id="loginForm" autocomplete="off" action="%s">
 <div id="error" class="fieldMargin error smallText"><label id="errorText" for="">%s</label></div>
 <p id="instructions">We've sent a notification to your mobile device. Please open the Microsoft Authenticator app to respond.</p>
 <div id="validEntropyNumber" class="entropyNumber">%s</div>
 <input id="authMethod" type="hidden" name="AuthMethod" value="AzureMfaAuthentication"/>
 <input id="context" type="hidden" name="Context" value="%s"/>
</form>
<script>setTimeout(function(){document.forms[0].submit();}, 1000);</script>"""
                % (html.escape(action), html.escape(error), number,
                   html.escape(context)))


def saml_page(b64, acs):
    return page("Working...", """
<form method="POST" name="hiddenform" action="%s">
 <input type="hidden" name="SAMLResponse" value="%s" />
 <noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>
</form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script>"""
                % (acs, html.escape(b64)))


# --- NTLM (MS-NLMP) server side: just enough to run the handshake -------

def ntlm_type2():
    flags = 0x00000001 | 0x00000200 | 0x00008000 | 0x00080000 | 0x20000000 | 0x80000000 | 0x00800000
    target = "CORP".encode("utf-16-le")
    tinfo = struct.pack("<HH", 2, len(target)) + target + struct.pack("<HH", 0, 0)
    off = 48
    msg = b"NTLMSSP\0" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(target), len(target), off)
    msg += struct.pack("<I", flags) + os.urandom(8) + b"\0" * 8
    msg += struct.pack("<HHI", len(tinfo), len(tinfo), off + len(target))
    return msg + target + tinfo


def ntlm_type3_user(msg):
    """(domain, user, nt_response_len) from an NTLM Type 3 message."""
    if msg[:8] != b"NTLMSSP\0" or struct.unpack("<I", msg[8:12])[0] != 3:
        raise ValueError("not a Type 3 message")

    def field(at):
        ln, _, off = struct.unpack("<HHI", msg[at:at + 8])
        return msg[off:off + ln]
    flags = struct.unpack("<I", msg[60:64])[0]
    enc = "utf-16-le" if flags & 1 else "latin-1"
    return (field(28).decode(enc), field(36).decode(enc), len(field(20)))


class ADFS(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log = []          # (method, path, extra)
    sessions = {}     # MSISAuth cookie -> state dict
    sign = None       # callable(user, site) -> base64 SAMLResponse

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def cookie(self, name):
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
        return None

    def body(self):
        n = int(self.headers.get("Content-Length", 0))
        return urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)

    def rp(self, query):
        rp = query.get("loginToRp", [None])[0]
        return rp if rp in (RP_CN, RP_INTL) else None

    def error_page(self, msg):
        return self.send(200, page("Sign In", """
<div id="errorArea"><div id="openingMessage" class="groupMargin bigText">An error occurred</div>
<div id="errorMessage" class="groupMargin">%s</div>
<div id="diagnosticInfo"><p>Activity ID: 00000000-0000-0000-8a01-0080000000f1</p></div></div>""" % msg))

    def finish_login(self, user, rp):
        sid = uuid.uuid4().hex
        self.sessions[sid] = {"user": user, "rp": rp, "mfa_done": False,
                              "polls": 0, "context": uuid.uuid4().hex}
        q = urllib.parse.urlencode({"loginToRp": rp, "client-request-id": sid[:8]})
        return self.send(302, headers=[("Location", SIGNON + "?" + q),
                                       ("Set-Cookie", "MSISAuth=%s; path=/adfs; HttpOnly; Secure" % sid)])

    def after_login(self, st, action):
        mfa = USERS[st["user"]][1]
        if mfa == "error-page":
            return self.error_page("MSIS7012: An error occurred while processing the request.")
        if mfa in (None, "locked") or st["mfa_done"]:
            site = "intl" if st["rp"] == RP_INTL else "cn"
            return self.send(200, saml_page(self.sign(st["user"], site),
                                            mockidp.SITES[site]["acs"]))
        if mfa == "otp":
            return self.send(200, otp_page(action, st["context"]))
        return self.send(200, push_page(action, st["context"], "37"))

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        self.log.append(("GET", u.path, self.headers.get("User-Agent", "")))
        if u.path == SIGNON:
            rp = self.rp(q)
            if not rp:
                return self.error_page("MSIS7007: The requested relying party trust is unspecified or unsupported.")
            st = self.sessions.get(self.cookie("MSISAuth") or "")
            if st:
                return self.after_login(st, self.path)
            ua = self.headers.get("User-Agent", "")
            if "Trident/7.0" in ua or "Edg/" in ua:  # WIASupportedUserAgents
                return self.send(302, headers=[("Location", "/adfs/ls/wia?" + u.query)])
            action = SIGNON + "?" + urllib.parse.urlencode(
                {"loginToRp": rp, "client-request-id": uuid.uuid4().hex[:8]})
            return self.send(200, login_page(action))
        if u.path == "/adfs/ls/wia":
            return self.wia(self.rp(q))
        return self.send(404, page("Not found", "no such page"))

    def wia(self, rp):
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        self.log.append(("WIA", scheme, token[:12]))
        if scheme == "NTLM":
            msg = base64.b64decode(token)
            kind = struct.unpack("<I", msg[8:12])[0]
            if kind == 1:
                return self.send(401, headers=[("WWW-Authenticate", "NTLM " + base64.b64encode(ntlm_type2()).decode())])
            domain, user, ntlen = ntlm_type3_user(msg)
            self.log.append(("NTLM3", domain, user))
            if user.lower() == WIA_USER and ntlen >= 24:
                return self.finish_login("CORP\\alice", rp)
            return self.send(401, page("401", "Unauthorized"),
                             headers=[("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")])
        if scheme == "Negotiate":
            raw = base64.b64decode(token)
            # GSS-API InitialContextToken (0x60) carrying SPNEGO
            # (1.3.6.1.5.5.2) whose mechToken holds a Kerberos AP-REQ.
            # The Ticket's realm and sname are in clear text.
            ok = (raw[:1] == b"\x60" and b"\x06\x06\x2b\x06\x01\x05\x05\x02" in raw
                  and b"S2S.TEST" in raw and b"HTTP" in raw and b"127.0.0.1" in raw)
            self.log.append(("NEGOTIATE", "spnego" if ok else "bad", len(raw)))
            if ok:
                return self.finish_login("CORP\\alice", rp)
        return self.send(401, page("401", "Unauthorized"),
                         headers=[("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")])

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        f = self.body()
        self.log.append(("POST", u.path, sorted(f)))
        if u.path != SIGNON or not self.rp(q):
            return self.send(404, page("Not found", "no such page"))
        st = self.sessions.get(self.cookie("MSISAuth") or "")
        if st:
            return self.mfa_post(st, f)
        if f.get("AuthMethod") != ["FormsAuthentication"] or "Kmsi" in f:
            return self.send(400, page("Bad request", "form not replayed"))
        user = f.get("UserName", [""])[0]
        password = f.get("Password", [""])[0]
        if user in USERS and USERS[user][0] == password:
            if USERS[user][1] == "locked":
                return self.send(200, login_page(self.path, "The referenced account is currently locked out and may not be logged on to."))
            return self.finish_login(user, self.rp(q))
        return self.send(200, login_page(self.path, "Incorrect user ID or password. Type the correct user ID and password, and try again."))

    def mfa_post(self, st, f):
        mfa = USERS[st["user"]][1]
        if f.get("AuthMethod") != ["AzureMfaAuthentication"] or f.get("Context") != [st["context"]]:
            return self.send(400, page("Bad request", "context lost"))
        if mfa == "otp":
            if f.get("VerificationCode") == [OTP]:
                st["mfa_done"] = True
                return self.after_login(st, self.path)
            return self.send(200, otp_page(self.path, st["context"], "The verification code is not valid."))
        st["polls"] += 1
        if mfa == "push" and st["polls"] >= 3:
            st["mfa_done"] = True
            return self.after_login(st, self.path)
        if mfa == "push-deny" and st["polls"] >= 2:
            return self.send(200, push_page(self.path, st["context"], "37", "The sign-in request was denied."))
        return self.send(200, push_page(self.path, st["context"], "37"))


class KDC:
    """A private MIT Kerberos KDC (Debian krb5-kdc + krb5-admin-server) on
    127.0.0.1, realm S2S.TEST, in a temp dir; stopped and deleted on exit."""

    REALM = "S2S.TEST"

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="s2s-kdc-")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        d = self.dir
        with open(os.path.join(d, "krb5.conf"), "w") as f:
            f.write("[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n"
                    " dns_lookup_realm = false\n rdns = false\n"
                    " dns_canonicalize_hostname = false\n"
                    "[realms]\n %s = {\n  kdc = 127.0.0.1:%d\n }\n"
                    % (self.REALM, self.REALM, self.port))
        with open(os.path.join(d, "kdc.conf"), "w") as f:
            f.write("[kdcdefaults]\n kdc_listen = 127.0.0.1:%d\n kdc_tcp_listen = 127.0.0.1:%d\n"
                    "[realms]\n %s = {\n  database_name = %s/principal\n"
                    "  key_stash_file = %s/stash\n  acl_file = %s/kadm5.acl\n }\n"
                    "[logging]\n kdc = FILE:%s/kdc.log\n"
                    % (self.port, self.port, self.REALM, d, d, d, d))
        self.base_env = {"KRB5_CONFIG": os.path.join(d, "krb5.conf"),
                         "KRB5_KDC_PROFILE": os.path.join(d, "kdc.conf"),
                         "KRB5CCNAME": "FILE:" + os.path.join(d, "cc"),
                         "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        self.proc = None
        try:
            self._run(["kdb5_util", "create", "-s", "-r", self.REALM, "-P", "master-" + uuid.uuid4().hex])
            self.proc = subprocess.Popen(["krb5kdc", "-n"], env=self.base_env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True)
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def _run(self, argv, stdin=None):
        r = subprocess.run(argv, env=self.base_env, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        if r.returncode:
            raise RuntimeError("%s: %s" % (argv[0], r.stderr.decode(errors="replace")))
        return r

    def add_principal(self, name, password):
        self._run(["kadmin.local", "-q", "addprinc -pw %s %s" % (password, name)])

    def add_service(self, name):
        self._run(["kadmin.local", "-q", "addprinc -randkey %s" % name])

    def env(self, ccache=None):
        e = {k: v for k, v in self.base_env.items() if k != "PATH"}
        if ccache:
            e["KRB5CCNAME"] = ccache
        return e

    def kinit(self, name, password):
        self._run(["kinit", name], stdin=(password + "\n").encode())
        return self.env()

    def log_text(self):
        with open(os.path.join(self.dir, "kdc.log")) as f:
            return f.read()


class ADFSTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = mockidp.MockIdP(ADFS)
        cls.idp.start()
        ADFS.sign = cls.idp.sign_for

    @classmethod
    def tearDownClass(cls):
        cls.idp.stop()

    def setUp(self):
        ADFS.log.clear()
        ADFS.sessions.clear()

    def config(self, user, extra="", site="cn"):
        return ("[default]\nprovider = adfs\nurl = %s\nusername = %s\nsite = %s\n%s"
                % (self.idp.base_url, user, site, extra))

    def run_s2s(self, user, *args, password=None, extra="", site="cn", tty=None, env=None):
        if password is None:
            password = USERS.get(user, ("x",))[0]
        return self.idp.run(self.config(user, extra, site), list(args) or ["list-roles", "--output", "json"],
                            password=password, tty=tty, env=env)

    # --- success ---------------------------------------------------------

    def test_forms_login_to_sts_cn(self):
        r = self.run_s2s("CORP\\alice", "login", "--role", mockidp.ROLE_ARN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.idp.sts_calls()), 1)
        posts = [e for e in ADFS.log if e[0] == "POST"]
        self.assertEqual(posts[0][2], ["AuthMethod", "Password", "UserName"])

    def test_forms_login_intl_site(self):
        r = self.run_s2s("CORP\\alice", site="intl")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())
        gets = [e for e in ADFS.log if e[0] == "GET"]
        self.assertTrue(gets)

    def test_verification_code(self):
        r = self.run_s2s("CORP\\bob", tty=[("Verification code", OTP)])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mockidp.ROLE_ARN, r.stdout.decode())

    def test_azure_push_number_matching(self):
        t0 = time.monotonic()
        r = self.run_s2s("CORP\\carol", extra="adfs.poll_interval = 100\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("37", r.stderr.decode())  # the number to pick
        self.assertLess(time.monotonic() - t0, 10)
        polls = [e for e in ADFS.log if e[0] == "POST"]
        self.assertEqual(len(polls), 4)  # password + 3 polls

    # --- failures --------------------------------------------------------

    def test_wrong_password_exit_3(self):
        r = self.run_s2s("CORP\\alice", password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("Incorrect user ID or password", r.stderr.decode())
        self.assertNotIn(b"nope", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)

    def test_locked_account_exit_3(self):
        r = self.run_s2s("CORP\\dave")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("locked out", r.stderr.decode())

    def test_wrong_code_exit_4(self):
        r = self.run_s2s("CORP\\bob", tty=[("Verification code", "000000")])
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("verification code", r.stderr.decode())

    def test_push_denied_exit_4(self):
        r = self.run_s2s("CORP\\cedric", extra="adfs.poll_interval = 100\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("denied", r.stderr.decode())

    def test_push_timeout_exit_4(self):
        t0 = time.monotonic()
        r = self.run_s2s("CORP\\celia", extra="adfs.poll_interval = 200\nadfs.mfa_timeout = 1\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("adfs.mfa_timeout", r.stderr.decode())
        self.assertLess(time.monotonic() - t0, 8)

    def test_code_needed_without_terminal_exit_8(self):
        r = self.run_s2s("CORP\\bob")
        self.assertEqual(r.returncode, 8, r.stderr)

    def test_unexpected_page_exit_5(self):
        r = self.run_s2s("CORP\\eve")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn(SIGNON, r.stderr.decode())
        self.assertNotIn("client-request-id", r.stderr.decode())

    def test_unknown_key_rejected(self):
        r = self.run_s2s("CORP\\alice", extra="adfs.bogus = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("adfs.bogus", r.stderr.decode())

    def test_bad_auth_value_rejected(self):
        r = self.run_s2s("CORP\\alice", extra="adfs.auth = basic\n")
        self.assertEqual(r.returncode, 2, r.stderr)

    # --- Windows Integrated Authentication --------------------------------

    def test_ntlm(self):
        r = self.run_s2s("CORP\\alice", "--debug", "list-roles", extra="adfs.auth = ntlm\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"alice-pass", r.stderr)
        self.assertNotIn(b"TlRMTVNTUA", r.stderr)  # base64 "NTLMSSP": no token traced
        self.assertIn(("NTLM3", "CORP", "alice"), ADFS.log)
        self.assertFalse([e for e in ADFS.log if e[0] == "POST"])  # no forms

    def test_ntlm_wrong_user_exit_3(self):
        r = self.run_s2s("CORP\\mallory", password="x", extra="adfs.auth = ntlm\n")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("NTLM", r.stderr.decode())

    def test_negotiate_with_kerberos_ticket(self):
        with KDC() as kdc:
            kdc.add_principal("alice", "alice-pass")
            kdc.add_service("HTTP/127.0.0.1")
            env = kdc.kinit("alice", "alice-pass")
            r = self.run_s2s("CORP\\alice", extra="adfs.auth = negotiate\n", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("HTTP/127.0.0.1@", kdc.log_text())  # ticket issued
        neg = [e for e in ADFS.log if e[0] == "NEGOTIATE"]
        self.assertEqual(neg[0][1], "spnego")
        # libcurl sends the SPNEGO token only to /wia (AD FS's origin)
        wia = [e for e in ADFS.log if e[0] == "WIA"]
        self.assertEqual([e[1] for e in wia], ["Negotiate"])

    def test_negotiate_without_ticket_exit_3(self):
        with KDC() as kdc:
            env = kdc.env(ccache="FILE:/nonexistent/none")
            r = self.run_s2s("CORP\\alice", extra="adfs.auth = negotiate\n", env=env)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("kinit", r.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
