#!/usr/bin/python3
"""The interactive role picker, driven through a real terminal (tmux).

A loopback mock IdP answers the form adapter with an unsigned
SAMLResponse page granting N roles, and a mock STS answers
AssumeRoleWithSAML with fresh credentials and records the RoleArn it was
asked for, so every test checks what was really chosen.  saml2sts runs in
a private tmux server (its own socket) in an 80x24 window; keys are sent
with send-keys and the screen is read with capture-pane.

Set SAML2STS_PICKER_EVIDENCE=FILE to append the captured screens and the
keystrokes to FILE.
"""

import base64
import html
import http.server
import json
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
EVIDENCE = os.environ.get("SAML2STS_PICKER_EVIDENCE")

ACCOUNTS = ["1111111111111111", "2222222222222222", "3333333333333333"]
ROLES = ["admin", "developer", "readonly", "billing"]


def frank_roles():
    return ["acs:ram::%s:role/%s" % (a, r) for a in ACCOUNTS for r in ROLES]


def many_roles(n):
    # 25 accounts x 20 roles = 500
    out = []
    for i in range(n):
        acct = "%016d" % (4000000000000000 + i // 20)
        out.append("acs:ram::%s:role/role-%03d" % (acct, i))
    return out


def saml_b64(arns):
    vals = "".join(
        "<saml:AttributeValue>%s,%s</saml:AttributeValue>" %
        (a, a.split(":role/")[0] + ":saml-provider/corp") for a in arns)
    xml = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="2026-01-01T00:00:00Z"
 Destination="https://signin.aliyun.com/saml-role/sso">
 <saml:Issuer>https://idp.example.test/</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example.test/</saml:Issuer>
  <saml:Subject><saml:NameID>frank@example.test</saml:NameID></saml:Subject>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">%s</saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>frank</saml:AttributeValue>
   </saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>""" % vals
    return base64.b64encode(xml.encode()).decode()


class Mock(http.server.BaseHTTPRequestHandler):
    sts_roles = []  # RoleArn of every STS call

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        n = int(q.get("n", ["0"])[0])
        arns = many_roles(n) if n else frank_roles()
        body = """<!DOCTYPE html><html><body>
<form method="post" action="https://signin.aliyun.com/saml-role/sso">
<input type="hidden" name="SAMLResponse" value="%s" />
<input type="hidden" name="RelayState" value="" />
</form><script>document.forms[0].submit()</script></body></html>""" % html.escape(
            saml_b64(arns))
        self.send(200, body.encode())

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        f = urllib.parse.parse_qs(self.rfile.read(n).decode())
        arn = f.get("RoleArn", [""])[0]
        Mock.sts_roles.append(arn)
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                            time.gmtime(time.time() + 3600))
        js = {"RequestId": "r-1",
              "AssumedRoleUser": {"Arn": arn.replace(":role/", ":assumed-role/") + "/frank",
                                  "AssumedRoleId": "1:frank"},
              "Credentials": {"AccessKeyId": "STS.test", "AccessKeySecret": "s" * 30,
                              "SecurityToken": "CAIS" + "t" * 40, "Expiration": exp}}
        self.send(200, json.dumps(js).encode(), "application/json")


class Term:
    """saml2sts in an 80x24 window of a private tmux server."""

    def __init__(self, test, argv, env, name):
        self.test = test
        self.sock = os.path.join(test.dir.name, "tmux-%s" % name)
        self.status = os.path.join(test.dir.name, "status-%s" % name)
        self.keys = []
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        # after saml2sts: its exit status and the terminal modes, so a
        # test can see that raw mode was undone
        script = ("env -i %s %s; echo \"EXIT=$?\"; stty -a | tr ' ' '\\n' "
                  "| grep -E '^-?(icanon|echo|isig)$' | tr '\\n' ' ' > %s; "
                  "echo done >> %s; sleep 60") % (
                      envs, " ".join(shlex.quote(a) for a in argv),
                      shlex.quote(self.status), shlex.quote(self.status))
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "sh", "-c", script)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=20, check=True).stdout.decode()

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            s = self.screen()
            if text in s:
                return s
            time.sleep(0.05)
        self.test.fail("%r never shown; screen:\n%s" % (text, self.screen()))

    def send(self, *keys, literal=False):
        self.keys.extend(keys)
        if literal:
            self.tmux("send-keys", "-l", *keys)
        else:
            self.tmux("send-keys", *keys)

    def type(self, text):
        for ch in text:
            self.send(ch, literal=True)

    def finished(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(self.status):
                with open(self.status) as f:
                    s = f.read()
                if "done" in s:
                    return s
            time.sleep(0.05)
        self.test.fail("saml2sts did not finish; screen:\n%s" % self.screen())

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
class PickerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mock)
        cls.port = cls.server.server_address[1]
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.terms = []
        Mock.sts_roles.clear()

    def tearDown(self):
        for t in self.terms:
            t.close()
        self.dir.cleanup()

    def evidence(self, title, term, screen):
        if not EVIDENCE:
            return
        with open(EVIDENCE, "a") as f:
            f.write("==== %s\nkeystrokes: %s\n%s\n" %
                    (title, " ".join(repr(k) for k in term.keys), screen))

    def config(self, n=0, aliases=True):
        cfg = os.path.join(self.dir.name, "config")
        with open(cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d/sso?n=%d\n"
                    "username = frank\nsts_endpoint = http://127.0.0.1:%d/sts\n"
                    % (self.port, n, self.port))
            if aliases:
                f.write("account_aliases = 1111111111111111=prod, "
                        "2222222222222222=staging, 3333333333333333=sandbox\n")
        return cfg

    def start(self, args, n=0, term="xterm-256color", aliases=True, name="t"):
        cfg = self.config(n, aliases)
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir.name, "TERM": term,
               "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
               "XDG_STATE_HOME": os.path.join(self.dir.name, "state"),
               "XDG_DATA_HOME": os.path.join(self.dir.name, "data"),
               "XDG_RUNTIME_DIR": self.dir.name,
               "SAML2STS_PASSWORD": "pw", "SAML2STS_KEYRING_BACKEND": "file",
               "SAML2STS_FILE_PASSPHRASE": "test-passphrase"}
        t = Term(self, [BIN, "--config", cfg, "login", "--force"] + list(args), env,
                 name)
        self.terms.append(t)
        return t

    def exit_of(self, term):
        modes = term.finished()
        s = term.screen()
        line = [l for l in s.splitlines() if l.startswith("EXIT=")]
        self.assertTrue(line, s)
        return int(line[-1][5:]), modes, s

    def test_grouped_by_alias_and_filter_picks_in_few_keys(self):
        t = self.start([])
        s = t.wait_for("Choose a role")
        # grouped by account, alias beside the uid, 12 roles
        self.assertIn("prod  1111111111111111  (4 roles)", s)
        self.assertIn("staging  2222222222222222", s)
        self.assertIn("12/12 roles", s)
        # "stag/bil" narrows to one role; Enter takes it
        t.type("stag/bil")
        s = t.wait_for("1/12 roles")
        self.assertIn("> [ ] billing", s)
        self.evidence("filter 'stag/bil' (3x4 roles, 80x24)", t, s)
        t.send("Enter")
        code, modes, s = self.exit_of(t)
        self.assertEqual(code, 0, s)
        self.assertEqual(Mock.sts_roles, ["acs:ram::2222222222222222:role/billing"])
        self.assertIn("account staging (2222222222222222), role billing", s)

    def test_every_role_within_four_keys_after_part_of_its_name(self):
        # type the role name's first 3 letters; then at most 2 moves + Enter
        for acct_i, acct in enumerate(ACCOUNTS):
            for role in ROLES:
                Mock.sts_roles.clear()
                # no recently used list: the order stays uid order
                shutil.rmtree(os.path.join(self.dir.name, "state"),
                              ignore_errors=True)
                t = self.start([], name="%s-%s" % (acct_i, role))
                t.wait_for("Choose a role")
                t.type(role[:3])
                t.wait_for("3/12 roles")
                for _ in range(acct_i):
                    t.send("Down")
                t.send("Enter")
                self.assertLessEqual(len(t.keys) - 3, 4)
                code, _, s = self.exit_of(t)
                self.assertEqual(code, 0, s)
                self.assertEqual(Mock.sts_roles,
                                 ["acs:ram::%s:role/%s" % (acct, role)])
                t.close()

    def test_jk_move_and_last_choice_preselected_recent_first(self):
        t = self.start([], name="a")
        t.wait_for("Choose a role")
        # no filter yet: j/k move; first row is prod/admin
        t.type("jjjk")
        s = t.wait_for("> [ ] developer")
        t.send("Enter")
        self.assertEqual(self.exit_of(t)[0], 0)
        self.assertEqual(Mock.sts_roles, ["acs:ram::1111111111111111:role/developer"])
        # second run: type "sand/read" and take it
        t2 = self.start([], name="b")
        t2.wait_for("Choose a role")
        t2.type("sand/read")
        t2.wait_for("1/12 roles")
        t2.send("Enter")
        self.assertEqual(self.exit_of(t2)[0], 0)
        # third run: sandbox (most recent account) comes first and its
        # readonly role is preselected; Enter alone takes it
        Mock.sts_roles.clear()
        t3 = self.start([], name="c")
        s = t3.wait_for("Choose a role")
        rows = [l for l in s.splitlines() if "  (4 roles)" in l]
        self.assertTrue(rows[0].startswith("sandbox"), s)
        self.assertTrue(rows[1].startswith("prod"), s)
        self.assertIn("> [ ] readonly", s)
        self.evidence("third run: recent account first, last choice preselected",
                      t3, s)
        t3.send("Enter")
        self.assertEqual(self.exit_of(t3)[0], 0)
        self.assertEqual(Mock.sts_roles, ["acs:ram::3333333333333333:role/readonly"])
        state = os.path.join(self.dir.name, "state", "saml2sts", "recent")
        self.assertEqual(os.stat(state).st_mode & 0o777, 0o600)
        with open(state) as f:
            text = f.read()
        self.assertNotIn("CAIS", text)
        self.assertIn("default\tacs:ram::3333333333333333:role/readonly", text)

    def test_multi_select_one_profile_each(self):
        t = self.start([])
        t.wait_for("Choose a role")
        t.type("admin")
        t.wait_for("3/12 roles")
        t.send("Space")          # prod/admin, moves to staging/admin
        t.send("Down")           # sandbox/admin
        t.send("Space")
        s = t.wait_for("2 marked")
        self.evidence("multi-select: 2 marked", t, s)
        t.send("Enter")
        code, _, s = self.exit_of(t)
        self.assertEqual(code, 0, s)
        self.assertEqual(sorted(Mock.sts_roles),
                         ["acs:ram::1111111111111111:role/admin",
                          "acs:ram::3333333333333333:role/admin"])
        self.assertIn("profile prod-admin", s)
        self.assertIn("profile sandbox-admin", s)

    def test_ctrl_c_restores_the_terminal(self):
        t = self.start([])
        t.wait_for("Choose a role")
        t.type("dev")
        t.wait_for("3/12 roles")
        t.send("C-c")
        code, modes, s = self.exit_of(t)
        self.assertEqual(code, 130, s)
        self.assertEqual(Mock.sts_roles, [])
        # canonical mode, echo and signals are back on
        self.assertEqual(modes.split()[:3], ["isig", "icanon", "echo"], modes)
        self.assertIn("role choice cancelled", s)
        self.assertNotIn("Choose a role", s)  # left the alternate screen

    def test_sigterm_restores_the_terminal(self):
        t = self.start([])
        t.wait_for("Choose a role")
        # saml2sts is the child of the pane's shell
        pane_pid = t.tmux("list-panes", "-F", "#{pane_pid}").strip()
        kids = subprocess.run(["pgrep", "-P", pane_pid], stdout=subprocess.PIPE
                              ).stdout.split()
        self.assertTrue(kids)
        os.kill(int(kids[0]), 15)
        code, modes, s = self.exit_of(t)
        self.assertEqual(code, 143, s)
        self.assertEqual(modes.split()[:3], ["isig", "icanon", "echo"], modes)

    def test_500_roles_scroll_in_80x24(self):
        t = self.start([], n=500, aliases=False)
        s = t.wait_for("500/500 roles")
        lines = s.splitlines()
        self.assertLessEqual(len(lines), 24)
        self.assertTrue(all(len(l) <= 80 for l in lines))
        self.assertIn("PgUp/PgDn", s)
        # PgDn x 10 and End reach the last role, which is then shown
        for _ in range(10):
            t.send("PageDown")
        t.send("End")
        s = t.wait_for("> [ ] role-499")
        self.assertIn("4000000000000024  (20 roles)", s)
        # filter to one role deep in the list
        t.send("Home")
        t.type("role-377")
        s = t.wait_for("1/500 roles")
        self.evidence("500 roles, filter 'role-377'", t, s)
        t.send("Enter")
        code, _, s = self.exit_of(t)
        self.assertEqual(code, 0, s)
        self.assertEqual(Mock.sts_roles,
                         ["acs:ram::4000000000000018:role/role-377"])

    def test_no_match_then_backspace(self):
        t = self.start([])
        t.wait_for("Choose a role")
        t.type("zzz")
        t.wait_for("no role matches 'zzz'")
        t.send("Enter")  # nothing to take: stays
        for _ in range(3):
            t.send("BSpace")
        t.wait_for("12/12 roles")
        t.send("Escape")
        code, _, s = self.exit_of(t)
        self.assertEqual(code, 130, s)

    def test_term_dumb_numbered_list(self):
        t = self.start([], term="dumb")
        s = t.wait_for("Choose a role (number")
        self.assertIn("Account staging (2222222222222222)", s)
        self.assertIn("[8]", s)
        self.assertNotIn("\x1b", s)
        self.evidence("TERM=dumb fallback", t, s)
        t.type("7 12")
        t.send("Enter")
        code, _, s = self.exit_of(t)
        self.assertEqual(code, 0, s)
        # sorted by account then name: 7 = staging/developer, 12 = sandbox/readonly
        self.assertEqual(sorted(Mock.sts_roles),
                         ["acs:ram::2222222222222222:role/developer",
                          "acs:ram::3333333333333333:role/readonly"])

    def test_role_option_skips_the_picker(self):
        t = self.start(["--role", "sandbox/billing"])
        code, _, s = self.exit_of(t)
        self.assertEqual(code, 0, s)
        self.assertNotIn("Choose a role", s)
        self.assertEqual(Mock.sts_roles, ["acs:ram::3333333333333333:role/billing"])


if __name__ == "__main__":
    unittest.main()
