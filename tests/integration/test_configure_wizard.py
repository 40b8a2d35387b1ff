#!/usr/bin/python3
"""configure without flags on a terminal: the wizard, driven in tmux.

A loopback server stands in for the IdP so the URL check has something to
fetch; the test answers each question and checks the saved config.
"""

import http.server
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))


class IdP(http.server.BaseHTTPRequestHandler):
    hits = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        IdP.hits.append(self.path)
        body = b"<html><body><form><input name=username></form></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
class WizardTest(unittest.TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), IdP)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dir = tempfile.TemporaryDirectory()
        self.sock = os.path.join(self.dir.name, "tmux")
        self.cfg = os.path.join(self.dir.name, "config")
        self.status = os.path.join(self.dir.name, "status")

    def tearDown(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.server.shutdown()
        self.server.server_close()
        self.dir.cleanup()

    def tmux(self, *a):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(a),
                              stdout=subprocess.PIPE, check=True, timeout=20
                              ).stdout.decode()

    def wait(self, text):
        end = time.time() + 20
        while time.time() < end:
            s = self.tmux("capture-pane", "-p", "-S", "-100")
            if text in s:
                return s
            time.sleep(0.05)
        self.fail("%r never shown:\n%s" % (text, s))

    def answer(self, prompt, text):
        self.wait(prompt)
        if text:
            self.tmux("send-keys", "-l", text)
        self.tmux("send-keys", "Enter")

    def start(self, account):
        """configure -a account in a tmux pane, with an empty environment."""
        env = "env -i PATH=/usr/bin:/bin HOME=%s TERM=xterm NO_PROXY=127.0.0.1" % (
            shlex.quote(self.dir.name))
        cmd = "%s %s --config %s -a %s configure; echo $? > %s; sleep 30" % (
            env, shlex.quote(BIN), shlex.quote(self.cfg), account, shlex.quote(self.status))
        self.tmux("new-session", "-d", "-x", "100", "-y", "40", "sh", "-c", cmd)

    def finish(self):
        """Wait for the exit status 0; the pane's text."""
        end = time.time() + 20
        while not os.path.exists(self.status) and time.time() < end:
            time.sleep(0.05)
        with open(self.status) as f:
            self.assertEqual(f.read().strip(), "0")
        return self.tmux("capture-pane", "-p", "-S", "-100")

    def test_wizard_writes_the_account(self):
        url = "http://127.0.0.1:%d/sso" % self.server.server_address[1]
        self.start("work")
        s = self.wait("Provider (number or name) [form]")
        self.assertIn("shibboleth-ecp", s)          # listed from the registry
        self.answer("Provider (number or name)", "nope")
        self.answer("Provider (number or name)", "form")
        self.answer("IdP-initiated SSO URL", "ftp://x/")   # refused
        self.answer("IdP-initiated SSO URL", url)
        s = self.wait("HTTP 200")
        self.assertIn("/sso", IdP.hits[-1])
        self.answer("IdP username", "frank")
        self.answer("Alibaba Cloud site (cn or intl) [cn]", "mars")  # refused
        self.answer("Alibaba Cloud site (cn or intl) [cn]", "intl")
        self.answer("Region [cn-hangzhou]", "")
        self.answer("Account aliases", "1111111111111111=prod")
        self.answer("so refreshes need no password? (y/n) [y]", "maybe")  # refused
        self.answer("so refreshes need no password? (y/n) [y]", "")
        self.answer("Profile name for the credentials [work]", "")
        s = self.finish()
        self.assertIn("The URL must be https", s)
        self.assertIn("The site is cn or intl.", s)
        self.assertIn("Answer y or n.", s)
        self.assertIn("Next: saml2sts -a work login", s)
        with open(self.cfg) as f:
            cfg = f.read()
        for line in ("[work]", "provider = form", "url = " + url, "username = frank",
                     "site = intl", "region = cn-hangzhou",
                     "account_aliases = 1111111111111111=prod", "profile = work",
                     "remember_session = true"):
            self.assertIn(line, cfg)

    def test_wizard_offers_cloudsso(self):
        # the loopback server stands in for the sign-in page
        url = "http://127.0.0.1:%d/testdir/login" % self.server.server_address[1]
        self.start("sso")
        s = self.wait("Provider (number or name) [form]")
        self.assertIn("cloudsso", s)
        self.answer("Provider (number or name)", "cloudsso")
        self.answer("CloudSSO sign-in URL", url)
        self.wait("HTTP 200")
        self.answer("Region [cn-hangzhou]", "cn-shanghai")
        self.answer("Account aliases", "")
        self.answer("Profile name for the credentials [sso]", "")
        s = self.finish()
        self.assertNotIn("IdP username", s)
        with open(self.cfg) as f:
            cfg = f.read()
        for line in ("[sso]", "provider = cloudsso", "url = " + url,
                     "region = cn-shanghai"):
            self.assertIn(line, cfg)
        self.assertNotIn("site =", cfg)

    def test_wizard_offers_assume_role(self):
        with open(self.cfg, "w") as f:  # a source to chain from
            f.write("[corp]\nprovider = form\nurl = https://idp.example.com/sso\n"
                    "profile = saml\n")
        self.start("member")
        s = self.wait("Provider (number or name) [form]")
        self.assertIn("assume-role", s)
        self.answer("Provider (number or name)", "assume-role")
        s = self.wait("Source profile (whose credentials sign AssumeRole) [saml]")
        self.assertIn("Profiles of this config: saml", s)
        self.answer("Source profile", "my saml")                     # refused
        self.answer("Source profile", "")                            # keeps [saml]
        self.answer("Role ARN to assume", "acs:ram::1234:user/bob")  # refused
        self.answer("Role ARN to assume", "acs:ram::6543210987654321:role/hub")
        self.answer("External id (optional)", "x")                   # refused
        self.answer("External id (optional)", "ext-42")
        self.answer("Profile name for the credentials [member]", "")
        s = self.finish()
        for text in ("profile name 'my saml' is not usable", "A role ARN is acs:ram::ACCOUNT_ID:role/NAME.",
                     "An external id is 2 to 1224 characters.", "Next: saml2sts -a member login"):
            self.assertIn(text, s)
        for question in ("SSO URL", "IdP username", "site (cn or intl)", "Region ["):
            self.assertNotIn(question, s)
        with open(self.cfg) as f:
            cfg = f.read()
        member = cfg[cfg.index("[member]"):]
        for line in ("provider = assume-role", "source_profile = saml",
                     "role_arn = acs:ram::6543210987654321:role/hub", "external_id = ext-42",
                     "profile = member"):
            self.assertIn(line, member)
        for key in ("url =", "username =", "site =", "region ="):
            self.assertNotIn(key, member)

    def test_no_terminal_no_flags_is_a_usage_error(self):
        r = subprocess.run([BIN, "--config", self.cfg, "configure"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20,
                           env={"PATH": "/usr/bin:/bin", "HOME": self.dir.name},
                           start_new_session=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no terminal for the wizard", r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
