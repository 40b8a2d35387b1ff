#!/usr/bin/python3
"""Hand-off polish (issue 15, point 8): the aliyun CLI's External
profile runs saml2sts by the path the user ran it with (a link or a PATH
entry, not the file it resolves to), shell-quoted; the config.json merge
leaves no lock file, also under parallel logins; "current" names only a
profile that holds credentials; `console` keeps xdg-open's output (which
may repeat the sign-in URL, a token) off the terminal and prints the URL
when no browser can be opened.

A loopback mock serves the IdP page, STS and the federation endpoint;
the store is the file store in a private HOME.
"""

import base64
import html
import http.server
import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
PROD = "acs:ram::1111111111111111:role/admin"


def saml_b64():
    xml = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="2026-01-01T00:00:00Z" Destination="https://signin.aliyun.com/saml-role/sso">
 <saml:Issuer>https://idp.example.test/</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example.test/</saml:Issuer>
  <saml:Subject><saml:NameID>frank</saml:NameID></saml:Subject>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">
    <saml:AttributeValue>%s,acs:ram::1111111111111111:saml-provider/corp</saml:AttributeValue>
   </saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>frank</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>""" % PROD
    return base64.b64encode(xml.encode()).decode()


class Mock(http.server.BaseHTTPRequestHandler):
    tokens = []  # every SigninToken handed out

    def log_message(self, *a):
        pass

    def send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send(("<html><body><form method=post action="
                   "'https://signin.aliyun.com/saml-role/sso'><input type=hidden "
                   "name=SAMLResponse value='%s'></form></body></html>"
                   % html.escape(saml_b64())).encode(), "text/html")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        if self.path.startswith("/federation"):
            tok = "tok%d-%s" % (len(Mock.tokens), os.urandom(6).hex())
            Mock.tokens.append(tok)
            self.send(json.dumps({"RequestId": "r", "SigninToken": tok}).encode(),
                      "application/json")
            return
        arn = form.get("RoleArn", [""])[0]
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        self.send(json.dumps({
            "RequestId": "r-1",
            "AssumedRoleUser": {"Arn": arn.replace(":role/", ":assumed-role/") + "/frank",
                                "AssumedRoleId": "1:frank"},
            "Credentials": {"AccessKeyId": "STS.admin", "AccessKeySecret": "sec",
                            "SecurityToken": "CAIStok", "Expiration": exp}}).encode(),
            "application/json")


class HandoffTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mock)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.home = self.dir.name
        self.cfg = os.path.join(self.home, "config")
        self.aliyun = os.path.join(self.home, ".aliyun", "config.json")
        with open(self.cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d/sso\n"
                    "username = frank\nsts_endpoint = http://127.0.0.1:%d/sts\n"
                    "signin_endpoint = http://127.0.0.1:%d\nprofile = corp\n"
                    % ((self.port,) * 3))
        self.env = {"PATH": "/usr/bin:/bin", "HOME": self.home,
                    "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
                    "XDG_CONFIG_HOME": os.path.join(self.home, "xdg-config"),
                    "XDG_DATA_HOME": os.path.join(self.home, "data"),
                    "XDG_STATE_HOME": os.path.join(self.home, "state"),
                    "XDG_RUNTIME_DIR": self.home, "SAML2STS_CONFIG": self.cfg,
                    "SAML2STS_PASSWORD": "pw", "SAML2STS_KEYRING_BACKEND": "file",
                    "SAML2STS_FILE_PASSPHRASE": "test-passphrase"}

    def tearDown(self):
        self.dir.cleanup()

    def run_(self, args, argv0=None, env=None, cwd=None, check=True, **kw):
        argv = [argv0 or BIN] + args
        r = subprocess.run(argv, executable=BIN,
                           env=dict(self.env, **(env or {})), cwd=cwd or self.home,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, **kw)
        if check:
            self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def doc(self):
        with open(self.aliyun) as f:
            return json.load(f)

    def command_of(self, profile):
        for p in self.doc()["profiles"]:
            if p["name"] == profile:
                return p["process_command"]
        self.fail("no profile %s" % profile)

    # -- process_command

    def test_process_command_is_the_path_the_user_ran(self):
        self.run_(["configure", "--set", "aliyun_config=true"])
        # a link in a PATH directory with a blank, run by its bare name
        bindir = os.path.join(self.home, "my bin")
        os.makedirs(bindir)
        link = os.path.join(bindir, "saml2sts")
        os.symlink(BIN, link)
        path_env = {"PATH": bindir + ":/usr/bin:/bin"}
        r = subprocess.run(["saml2sts", "login"], env=dict(self.env, **path_env),
                           cwd=self.home, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        cmd = self.command_of("corp")
        self.assertEqual(shlex.split(cmd), [link, "credential-process", "--profile", "corp"])
        self.assertTrue(cmd.startswith("'"), cmd)  # quoted: it has a blank
        # as the aliyun CLI runs it: through a shell
        out = subprocess.run(["sh", "-c", cmd], env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(json.loads(out.stdout)["access_key_id"], "STS.admin", out.stderr)
        # a relative path is made absolute, the link kept
        self.run_(["login", "--force"], argv0="./saml2sts", cwd=bindir)
        self.assertEqual(shlex.split(self.command_of("corp"))[0], link)
        # an argv[0] that is not this binary: the binary itself
        self.run_(["login", "--force"], argv0="/usr/bin/not-saml2sts")
        self.assertEqual(shlex.split(self.command_of("corp"))[0],
                         os.path.realpath(BIN))
        self.run_(["login", "--force"], argv0="saml2sts")  # not on PATH
        self.assertEqual(shlex.split(self.command_of("corp"))[0],
                         os.path.realpath(BIN))

    # -- the lock file

    def test_no_lock_file_left_also_under_parallel_logins(self):
        self.run_(["configure", "--set", "aliyun_config=true"])
        dot = os.path.dirname(self.aliyun)
        os.makedirs(dot, exist_ok=True)
        with open(self.aliyun + ".lock", "w"):
            pass  # an earlier version's
        self.run_(["login"])
        self.assertEqual(os.listdir(dot), ["config.json"])
        procs = [subprocess.Popen([BIN, "login", "--profile", "p%d" % i, "--role",
                                   PROD], env=self.env, cwd=self.home,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for i in range(6)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
        self.assertEqual(os.listdir(dot), ["config.json"])
        names = sorted(p["name"] for p in self.doc()["profiles"])
        self.assertEqual(names, ["corp"] + ["p%d" % i for i in range(6)])
        self.assertEqual(os.stat(self.aliyun).st_mode & 0o777, 0o600)

    # -- "current"

    def test_current_names_only_a_profile_with_credentials(self):
        self.run_(["configure", "--set", "aliyun_config=true"])
        doc = self.doc()
        self.assertEqual([p["name"] for p in doc["profiles"]], ["corp"])
        self.assertNotIn("current", doc)  # corp has no credentials yet
        self.run_(["login"])
        self.assertEqual(self.doc()["current"], "corp")
        # another login does not move it
        self.run_(["login", "--profile", "other", "--role", PROD])
        self.assertEqual(self.doc()["current"], "corp")

    # -- console

    def fake_opener(self, body):
        bindir = os.path.join(self.home, "bin")
        os.makedirs(bindir, exist_ok=True)
        opened = os.path.join(bindir, "opened")
        script = os.path.join(bindir, "xdg-open")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> %s\n%s\n"
                    % (shlex.quote(opened), body))
        os.chmod(script, stat.S_IRWXU)
        return {"PATH": bindir + ":/usr/bin:/bin", "DISPLAY": ":99"}, opened

    def opened(self, path):
        with open(path) as f:
            return f.read().split()

    def console(self, env, *extra):
        self.run_(["login"])
        return self.run_(["console"] + list(extra), env=env)

    def test_console_keeps_the_opener_quiet(self):
        env, opened = self.fake_opener(
            'echo "opening $1"; echo "gio: $1: Operation not supported" >&2; exit 0')
        r = self.console(env)
        self.assertEqual((r.stdout, r.stderr), (b"", b""))
        urls = self.opened(opened)
        self.assertEqual(len(urls), 1)
        self.assertIn("SigninToken=" + Mock.tokens[-1], urls[0])

    def test_console_prints_the_url_when_the_opener_fails(self):
        env, opened = self.fake_opener(
            'echo "xdg-open: no method available for opening $1" >&2\n'
            'echo "no browser here" >&2; exit 4')
        r = self.console(env)
        url = self.opened(opened)[0]
        self.assertEqual(r.stdout.decode(), url + "\n")
        self.assertEqual(r.stderr.decode(),
                         "saml2sts: cannot open a browser (xdg-open failed, "
                         "status 4): open this URL within 30 seconds\n")
        # --verbose shows what the opener said, never the URL
        r = self.console(env, "--verbose")
        err = r.stderr.decode()
        self.assertIn("xdg-open: no browser here", err)
        self.assertNotIn("SigninToken", err)
        self.assertNotIn(Mock.tokens[-1], err)
        # --quiet: the URL alone
        r = self.console(env, "--quiet")
        self.assertEqual(r.stderr, b"")
        self.assertIn(b"SigninToken=" + Mock.tokens[-1].encode(), r.stdout)

    def test_console_without_opener_or_display(self):
        bindir = os.path.join(self.home, "empty")
        os.makedirs(bindir)
        r = self.console({"PATH": bindir, "DISPLAY": ":99"})
        self.assertIn(b"SigninToken=" + Mock.tokens[-1].encode(), r.stdout)
        self.assertIn(b"(xdg-open not found)", r.stderr)
        env, opened = self.fake_opener("exit 0")
        del env["DISPLAY"]
        r = self.console(env)
        self.assertFalse(os.path.exists(opened))  # not even tried
        self.assertIn(b"SigninToken=" + Mock.tokens[-1].encode(), r.stdout)
        self.assertIn(b"(no display)", r.stderr)

    def test_console_does_not_wait_for_a_foreground_browser(self):
        pidfile = os.path.join(self.home, "browser.pid")
        env, opened = self.fake_opener("echo $$ > %s; exec sleep 60"
                                       % shlex.quote(pidfile))
        t0 = time.monotonic()
        try:
            r = self.console(env)
            self.assertLess(time.monotonic() - t0, 30)
            self.assertEqual((r.stdout, r.stderr), (b"", b""))
            self.assertEqual(len(self.opened(opened)), 1)
        finally:
            with open(pidfile) as f:
                os.kill(int(f.read()), 15)


if __name__ == "__main__":
    unittest.main()
