#!/usr/bin/python3
"""Faults and hostile input (issue 14): an STS that answers expired
credentials or escape sequences, a config that is a FIFO or carries
terminal escapes, a symlinked aliyun config.json, a misconfigured STS
endpoint, odd profile names, a login form on a host the user never
named, and 300 granted roles.  Real SimpleSAMLphp IdP, STS emulator,
private gnome-keyring.
"""

import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
UID = testbed.ACCT
ADMIN = testbed.role_arn(UID, "admin")
MANY = 300


def users():
    u = testbed.default_users()
    u["mallory"] = testbed.TestUser(
        "mallory", [(testbed.role_arn(UID, "r%03d" % i), testbed.provider_arn(UID))
                    for i in range(MANY)])
    return u


class FaultsTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed(users=users()).start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.profile = "f-" + self._testMethodName[5:30]
        self.ok("configure", "--provider", "form", "--url", self.tb.idp.url_cn,
                "--username", "alice", "--sts-endpoint", self.tb.sts.url,
                "--profile", self.profile, "--role", ADMIN)
        self.tb.sts.clear_faults()

    def tearDown(self):
        self.s2s("logout", "--all")
        self.tb.sts.clear_faults()

    def s2s(self, *args, password="alice-pass", config=None, timeout=120):
        env = dict(self.tb.env)
        if password:
            env["SAML2STS_PASSWORD"] = password
        argv = [BIN, "--config", config or self.config] + list(args)
        return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, cwd=self.tb.home)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def fails(self, code, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, code, "%s: %s" % (args, r.stderr.decode()))
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        return r

    def assert_printable(self, data):
        for b in data:
            self.assertTrue(b in (0x0a,) or 0x20 <= b < 0x7f or b >= 0xa0,
                            "byte 0x%02x reached the terminal: %r" % (b, data))

    def key_id(self):
        out = self.ok("credential-process", "--profile", self.profile).stdout
        return json.loads(out)["access_key_id"]

    # 4. an Expiration already past: exit 6, the stored token kept
    def test_past_expiration_is_refused_and_old_token_kept(self):
        self.ok("login")
        before = self.key_id()
        past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30))
        for exp in (past, soon):
            body = json.dumps({
                "RequestId": "0", "Credentials": {
                    "AccessKeyId": "STS.expired", "AccessKeySecret": "x" * 30,
                    "SecurityToken": "t" * 40, "Expiration": exp},
                "AssumedRoleUser": {"Arn": "acs:ram::%s:assumed-role/admin/a" % UID,
                                    "AssumedRoleId": "1:a"}})
            self.tb.sts.inject_fault(status=200, count=1, body=body,
                                     content_type="application/json")
            r = self.fails(6, "login", "--force")
            self.assertIn(b"already past or within a minute", r.stderr)
            self.assertIn(exp.encode(), r.stderr)
            self.assertEqual(self.key_id(), before)

    # 6. escape sequences from STS and from the config never reach stderr
    def test_escape_sequences_are_made_printable(self):
        self.tb.sts.inject_fault(code="Evil\x1b[2J", status=400, count=1,
                                 message="bad\x1b]0;owned\x07 \x9b31m title")
        r = self.fails(6, "login", "--force")
        self.assertIn(b"Evil?[2J", r.stderr)
        self.assert_printable(r.stderr)
        with open(self.config, "a") as f:
            f.write("col\x1b[2Jour = 1\n")
        r = self.fails(2, "status")
        self.assert_printable(r.stderr)
        with open(self.config, "a") as f:
            f.write("[x\x1b]0;t\x07]\n")
        r = self.fails(2, "status")
        self.assert_printable(r.stderr)

    # 7. a FIFO named as the config fails at once
    def test_config_fifo_does_not_hang(self):
        fifo = os.path.join(self.tb.home, "cfg-fifo")
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
        t0 = time.monotonic()
        r = self.fails(2, "status", config=fifo, timeout=20)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertIn(b"not a regular file", r.stderr)

    # 8. a symlinked ~/.aliyun/config.json keeps its link
    def test_symlinked_aliyun_config_is_written_through(self):
        home = self.tb.home
        dot = os.path.join(home, ".aliyun")
        os.makedirs(dot, exist_ok=True)
        target_dir = os.path.join(home, "dotfiles")
        os.makedirs(target_dir, exist_ok=True)
        target = os.path.join(target_dir, "aliyun.json")
        with open(target, "w") as f:
            json.dump({"current": "", "profiles": [{"name": "mine", "mode": "AK"}]}, f)
        link = os.path.join(dot, "config.json")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)
        try:
            self.ok("configure", "--set", "aliyun_config=true")
            self.ok("login")
            self.assertTrue(os.path.islink(link))
            with open(target) as f:
                names = [p["name"] for p in json.load(f)["profiles"]]
            self.assertEqual(names, ["mine", self.profile])
            self.assertEqual([n for n in os.listdir(target_dir)
                              if n.startswith("aliyun.json.")], [])
            # a dangling link is refused, not replaced
            os.unlink(target)
            r = self.fails(2, "login", "--force")
            self.assertIn(b"symbolic link", r.stderr)
            self.assertTrue(os.path.islink(link))
        finally:
            os.unlink(link)

    # 9. a bad STS endpoint fails before the IdP sees the password
    def test_bad_sts_endpoint_fails_before_the_idp(self):
        logins = len(self.tb.idp.logins("alice"))
        self.fails(2, "login", "--force", "--sts-endpoint",
                   "http://sts.example.com")
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        self.ok("configure", "--set", "sts_endpoint=")
        with open(self.config, "a") as f:
            f.write("sts_endpoint = ftp://x\n")
        self.fails(2, "login", "--force")
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)

    # 11. empty and unprintable profile names are refused
    def test_odd_profile_names_are_refused(self):
        logins = len(self.tb.idp.logins("alice"))
        for name in ("", "a\x1b[2Jb", "-x", "two words", "p" * 129):
            for cmd in (("login",), ("credential-process",), ("logout",)):
                r = self.fails(2, *cmd, "--profile", name)
                self.assert_printable(r.stderr)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)

    # 12. the password goes to the configured host only
    def test_password_only_to_the_configured_host(self):
        url = self.tb.idp.url_cn.replace("127.0.0.1", "localhost")
        self.ok("configure", "--url", url)
        logins = len(self.tb.idp.logins("alice"))
        r = self.fails(5, "login", "--force")
        self.assertIn(b"not sending the password to 127.0.0.1", r.stderr)
        self.assertIn(b"idp_hosts", r.stderr)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        self.ok("configure", "--set", "idp_hosts=idp.example.com 127.0.0.1")
        self.ok("login", "--force")
        self.assertEqual(len(self.tb.idp.logins("alice")), logins + 1)

    # 5. no silent role limit
    def test_all_roles_has_no_limit(self):
        self.ok("configure", "--username", "mallory", "--set",
                "profile_template=m-{role}")
        calls = len(self.tb.sts_calls())
        r = self.ok("login", "--all-roles", password="mallory-pass", timeout=600)
        self.assertEqual(r.stderr.count(b"Logged in: profile m-r"), MANY)
        self.assertEqual(len(self.tb.sts_calls()) - calls, MANY)
        st = json.loads(self.ok("status", "--output", "json").stdout)
        names = {p["profile"] for p in st["profiles"]}
        self.assertIn("m-r000", names)
        self.assertIn("m-r%03d" % (MANY - 1), names)


if __name__ == "__main__":
    unittest.main()
