#!/usr/bin/python3
"""The progress line while waiting for an MFA push.

A loopback AD FS look-alike answers the adfs adapter with an Azure MFA
push page (number 37) several times before the SAMLResponse.  On a
terminal (tmux) saml2sts must show "... number 37 <spin> Ns" on stderr
while it waits and leave "... number 37 (Ns)" when done; with --quiet, or
with stderr not a terminal, only the plain line, without any control
character.
"""

import base64
import html
import http.server
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
SIGNON = "/adfs/ls/IdpInitiatedSignOn.aspx"
ROLE = "acs:ram::1111111111111111:role/admin"
SAML = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="2026-01-01T00:00:00Z" Destination="https://signin.aliyun.com/saml-role/sso">
 <saml:Issuer>https://adfs.example.test/</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
  <saml:Issuer>https://adfs.example.test/</saml:Issuer>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">
    <saml:AttributeValue>%s,acs:ram::1111111111111111:saml-provider/corp</saml:AttributeValue>
   </saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>carol</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>""" % ROLE


def page(body):
    return ("<!DOCTYPE html><html><head><title>Sign In</title></head><body>%s"
            "</body></html>" % body).encode()


def login_page(action):
    return page("""<form method="post" id="loginForm" action="%s">
<span id="errorText"></span>
<input id="userNameInput" name="UserName" type="email" value=""/>
<input id="passwordInput" name="Password" type="password"/>
<input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication"/>
</form>""" % html.escape(action))


def push_page(action):
    return page("""<form method="post" id="loginForm" action="%s">
<label id="errorText" for=""></label>
<div id="validEntropyNumber" class="entropyNumber">37</div>
<input id="authMethod" type="hidden" name="AuthMethod" value="AzureMfaAuthentication"/>
<input id="context" type="hidden" name="Context" value="ctx"/>
</form>""" % html.escape(action))


def saml_page():
    return page("""<form method="POST" name="hiddenform"
 action="https://signin.aliyun.com/saml-role/sso">
<input type="hidden" name="SAMLResponse" value="%s" /></form>"""
                % base64.b64encode(SAML.encode()).decode())


class ADFS(http.server.BaseHTTPRequestHandler):
    polls = 0
    needed = 6

    def log_message(self, *a):
        pass

    def send(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send(login_page(self.path))

    def do_POST(self):
        f = urllib.parse.parse_qs(
            self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        if "Password" in f:
            ADFS.polls = 0
            return self.send(push_page(self.path))
        ADFS.polls += 1
        if ADFS.polls >= ADFS.needed:
            return self.send(saml_page())
        return self.send(push_page(self.path))


class ProgressTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ADFS)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.cfg = os.path.join(self.dir.name, "config")
        with open(self.cfg, "w") as f:
            f.write("[default]\nprovider = adfs\nurl = http://127.0.0.1:%d%s"
                    "?loginToRp=urn:alibaba:cloudcomputing\nusername = CORP\\carol\n"
                    "adfs.poll_interval = 400\n"
                    % (self.server.server_address[1], SIGNON))
        self.sock = os.path.join(self.dir.name, "tmux")
        self.env = {"PATH": "/usr/bin:/bin", "HOME": self.dir.name,
                    "NO_PROXY": "127.0.0.1", "SAML2STS_PASSWORD": "pw"}

    def tearDown(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.dir.cleanup()

    def tmux(self, *a):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(a),
                              stdout=subprocess.PIPE, check=True, timeout=20
                              ).stdout.decode()

    def on_tty(self, *args):
        out = os.path.join(self.dir.name, "exit")
        env = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in self.env.items())
        cmd = "env -i TERM=xterm %s %s --config %s %s list-roles; echo $? > %s; sleep 30" % (
            env, shlex.quote(BIN), shlex.quote(self.cfg), " ".join(args), out)
        self.tmux("new-session", "-d", "-x", "120", "-y", "12", "sh", "-c", cmd)
        screens = []
        end = time.time() + 30
        while not os.path.exists(out) and time.time() < end:
            screens.append(self.tmux("capture-pane", "-p"))
            time.sleep(0.1)
        time.sleep(0.2)
        with open(out) as f:
            code = int(f.read() or "1")
        return code, screens, self.tmux("capture-pane", "-p")

    @unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
    def test_spinner_on_a_terminal(self):
        code, screens, final = self.on_tty()
        self.assertEqual(code, 0, final)
        waiting = [s for s in screens
                   if "enter the number 37 " in s and "s\n" in s and "(" not in s]
        self.assertTrue(waiting, screens[-3:])
        # the counter moves
        secs = set()
        for s in waiting:
            for line in s.splitlines():
                if "number 37 " in line:
                    secs.add(line.rsplit(" ", 1)[1])
        self.assertGreaterEqual(len(secs), 2, secs)
        lines = [l for l in final.splitlines() if "number 37" in l]
        self.assertEqual(len(lines), 1, final)
        self.assertRegex(lines[0], r"enter the number 37 \(\d+s\)$")
        self.assertIn(ROLE, final)

    @unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
    def test_quiet_has_no_spinner(self):
        code, screens, final = self.on_tty("--quiet")
        self.assertEqual(code, 0, final)
        for s in screens:
            for line in s.splitlines():
                if "number 37" in line:
                    self.assertTrue(line.rstrip().endswith("number 37"), line)

    def test_not_a_terminal_plain_line(self):
        r = subprocess.run([BIN, "--config", self.cfg, "list-roles"], env=self.env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, start_new_session=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        err = r.stderr.decode()
        self.assertIn("enter the number 37\n", err)
        self.assertNotIn("\r", err)
        self.assertNotIn("\x1b", err)
        self.assertEqual(r.stdout.decode().count(ROLE), 1)


if __name__ == "__main__":
    unittest.main()
