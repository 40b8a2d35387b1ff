#!/usr/bin/python3
"""Credential lifecycle (issue 3): single-flight refresh under parallel
callers, silent re-login with a kept IdP session, and the hand-off to the
ecosystem.  Real SimpleSAMLphp IdP, STS emulator, private gnome-keyring.
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
UID = "1234567890123456"
ADMIN = "acs:ram::%s:role/admin" % UID


class LifecycleTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.profile = "lc-" + self._testMethodName
        self.ok("configure", "--provider", "form", "--url", self.tb.idp.url_cn,
                "--username", "alice", "--sts-endpoint", self.tb.sts.url,
                "--profile", self.profile, "--role", ADMIN)
        self.tb.sts.clear_faults()
        self.tb.sts.set_clock(offset=0, skew=0)

    def tearDown(self):
        self.s2s("logout", "--all")
        self.tb.sts.set_clock(offset=0, skew=0)

    def argv(self, *args):
        return [BIN, "--config", self.config] + list(args)

    def env(self, password="alice-pass", **extra):
        env = dict(self.tb.env)
        if password:
            env["SAML2STS_PASSWORD"] = password
        env.update(extra)
        return env

    def s2s(self, *args, password="alice-pass", **extra):
        return subprocess.run(self.argv(*args), env=self.env(password, **extra),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120, cwd=self.tb.home)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def expired_login(self):
        """Log in while the emulator's clock is 2 h behind: the stored
        token is already expired by our clock."""
        self.tb.sts.set_clock(offset=-7200, skew=100000)
        self.ok("login")
        self.tb.sts.set_clock(offset=0, skew=0)

    def test_parallel_callers_cause_one_login_and_one_sts_call(self):
        self.expired_login()
        calls = len(self.tb.sts_calls())
        logins = len(self.tb.idp.logins("alice"))
        procs = [subprocess.Popen(self.argv("credential-process", "--profile",
                                            self.profile),
                                  env=self.env(), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  cwd=self.tb.home)
                 for _ in range(20)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err.decode())
        ids = {json.loads(out)["access_key_id"] for out, _ in outs}
        new_calls = len(self.tb.sts_calls()) - calls
        new_logins = len(self.tb.idp.logins("alice")) - logins
        print("\n20 parallel credential-process: %d IdP login(s), %d STS call(s), "
              "%d distinct key id(s)" % (new_logins, new_calls, len(ids)),
              file=sys.stderr)
        self.assertEqual(new_calls, 1)
        self.assertEqual(new_logins, 1)
        self.assertEqual(len(ids), 1)
        self.assertEqual(ids.pop(), self.tb.sts.issued()[-1]["AccessKeyId"])

    def test_kept_idp_session_makes_relogin_silent(self):
        self.ok("configure", "--set", "remember_session=true")
        self.ok("login")
        logins = len(self.tb.idp.logins("alice"))
        responses = len(self.tb.idp.responses())
        # no password anywhere, no terminal: only the kept session can work
        r = self.ok("login", "--force", password=None)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        self.assertEqual(len(self.tb.idp.responses()), responses + 1)
        self.assertIn(b"Logged in", r.stderr)
        # and an expired token is refreshed silently too
        self.expired_login()
        calls = len(self.tb.sts_calls())
        out = json.loads(self.ok("credential-process", "--profile",
                                 self.profile, password=None).stdout)
        self.assertEqual(len(self.tb.sts_calls()), calls + 1)
        self.assertEqual(out["access_key_id"], self.tb.sts.issued()[-1]["AccessKeyId"])
        # logout forgets the session as well
        self.ok("logout", "--profile", self.profile)
        st = self.ok("status", "--output", "json")
        self.assertNotIn(self.profile, st.stdout.decode())

    def test_without_remember_session_nothing_is_kept(self):
        self.ok("login")
        r = self.s2s("login", "--force", password=None)
        self.assertEqual(r.returncode, 8, r.stderr)




class FileStoreTest(unittest.TestCase):
    """No Secret Service: the encrypted-file backend."""

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed(keyring=False).start()

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-file")
        self.store = os.path.join(self.tb.home, ".local", "share", "saml2sts",
                                  "store")
        self.run_("configure", "--provider", "form", "--url",
                  self.tb.idp.url_cn, "--username", "alice", "--sts-endpoint",
                  self.tb.sts.url, "--role", ADMIN, "--profile", "fp")

    def tearDown(self):
        self.run_("logout", "--all")

    def run_(self, *args, passphrase="correct horse", **extra):
        env = dict(self.tb.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        if passphrase:
            env["SAML2STS_FILE_PASSPHRASE"] = passphrase
        env.update(extra)
        return subprocess.run([BIN, "--config", self.config] + list(args),
                              env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, cwd=self.tb.home)

    def test_fallback_roundtrip_and_permissions(self):
        r = self.run_("--verbose", "login")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"using the encrypted file store in " + self.store.encode(),
                      r.stderr)
        issued = self.tb.sts.issued()[-1]
        out = json.loads(self.run_("credential-process", "--profile", "fp").stdout)
        self.assertEqual(out["sts_token"], issued["SecurityToken"])
        self.assertEqual(os.stat(self.store).st_mode & 0o777, 0o700)
        files = os.listdir(self.store)
        self.assertEqual(files, ["fp.sts.json"])
        path = os.path.join(self.store, files[0])
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, "rb") as f:
            data = f.read()
        for s in (issued["SecurityToken"], issued["AccessKeySecret"],
                  issued["AccessKeyId"]):
            self.assertNotIn(s.encode(), data)
        # status needs no passphrase and names the backend
        st = json.loads(self.run_("status", "--output", "json",
                                  passphrase=None).stdout)
        self.assertEqual(st["profiles"][0]["backend"], "file")
        self.assertEqual(st["profiles"][0]["role_arn"], ADMIN)
        # forced backend, no notice
        r = self.run_("credential-process", "--profile", "fp",
                      SAML2STS_KEYRING_BACKEND="file")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")

    def test_bad_passphrase_permissions_corruption_and_swaps(self):
        self.assertEqual(self.run_("login").returncode, 0)
        path = os.path.join(self.store, "fp.sts.json")
        r = self.run_("credential-process", "--profile", "fp", passphrase="nope")
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn(b"wrong passphrase or corrupted", r.stderr)
        r = self.run_("credential-process", "--profile", "fp", passphrase=None)
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn(b"SAML2STS_FILE_PASSPHRASE", r.stderr)
        os.chmod(path, 0o644)
        r = self.run_("credential-process", "--profile", "fp")
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn(b"chmod 600", r.stderr)
        os.chmod(path, 0o600)
        # the item identity is authenticated: a file renamed to another
        # profile does not decrypt
        other = os.path.join(self.store, "other.sts.json")
        with open(path, "rb") as f, open(os.open(other, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as g:
            g.write(f.read())
        r = self.run_("credential-process", "--profile", "other")
        self.assertEqual(r.returncode, 7, r.stderr)
        os.unlink(other)
        # a flipped byte in the ciphertext
        with open(path) as f:
            doc = json.load(f)
        data = bytearray(__import__("base64").b64decode(doc["data"]))
        data[3] ^= 1
        doc["data"] = __import__("base64").b64encode(bytes(data)).decode()
        with open(path, "w") as f:
            json.dump(doc, f)
        r = self.run_("credential-process", "--profile", "fp")
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1)
        # nothing was deleted by the failed reads
        self.assertTrue(os.path.exists(path))


if __name__ == "__main__":
    unittest.main(verbosity=2)
