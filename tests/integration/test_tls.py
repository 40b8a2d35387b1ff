#!/usr/bin/python3
"""A whole login over HTTPS: the testbed's SimpleSAMLphp IdP and STS
emulator behind TLS fronts signed by a throw-away CA (testbed.py
tls=True).  What is checked is the client's trust: which CA store
`saml2sts login` uses, in which order the variables that name one are
read, that an unknown CA stops the login before the IdP sees a password,
and that a hashed CA directory, the default, is read lazily: one
certificate, not the whole store (strace counts the opens).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
UID = "1234567890123456"
ADMIN = "acs:ram::%s:role/admin" % UID
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
CA_VARS = ("SAML2STS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
           "SSL_CERT_DIR")


class TLSLoginTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed(tls=True).start()
        cls.config = os.path.join(cls.tb.home, "tls.cfg")
        r = subprocess.run(
            [BIN, "--config", cls.config, "configure", "--provider", "form",
             "--url", cls.tb.idp.url_cn, "--username", "alice",
             "--sts-endpoint", cls.tb.sts.url, "--role", ADMIN,
             "--profile", "tls"],
            env=cls.tb.env, stdin=subprocess.DEVNULL, capture_output=True,
            timeout=60, cwd=cls.tb.home)
        assert r.returncode == 0, r.stderr.decode()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def login(self, strace=None, **ca):
        env = dict(self.tb.env, SAML2STS_PASSWORD="alice-pass")
        for k in CA_VARS:
            env.pop(k, None)
        env.update(ca)
        argv = [BIN, "--config", self.config, "login", "--force"]
        if strace:
            argv = ["strace", "-f", "-qq", "-e", "trace=openat", "-o",
                    strace] + argv
            # LeakSanitizer cannot run under ptrace (an ASan build)
            env["ASAN_OPTIONS"] = ":".join(
                o for o in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if o)
        return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120,
                              cwd=self.tb.home)

    def opened(self, log):
        """Paths the traced login opened successfully, in order."""
        with open(log, errors="replace") as f:
            return [m.group(1) for m in
                    (re.search(r'openat\([^"]*"([^"]*)".*\) = \d+', line)
                     for line in f) if m]

    def assertLoggedIn(self, r, calls_before):
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        calls = self.tb.sts_calls()[calls_before:]
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["status"], 200)

    def test_private_ca_bundle(self):
        n = len(self.tb.sts_calls())
        r = self.login(SAML2STS_CA_BUNDLE=self.tb.tls.ca_path)
        self.assertLoggedIn(r, n)
        self.assertTrue(self.tb.idp.base_url.startswith("https://"))
        self.assertTrue(self.tb.sts.url.startswith("https://"))

    def test_unknown_ca_stops_before_the_password_is_sent(self):
        fails = self.tb.idp.front.handshake_failures
        posts = self.idp_posts()
        n = len(self.tb.sts_calls())
        r = self.login()  # only the system's CAs: ours is not one of them
        self.assertEqual(r.returncode, 9, r.stderr.decode())
        err = r.stderr.decode().strip()
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("TLS with 127.0.0.1", err)
        self.assertNotIn("alice-pass", err)
        self.assertGreater(self.tb.idp.front.handshake_failures, fails)
        self.assertEqual(self.idp_posts(), posts)
        self.assertEqual(len(self.tb.sts_calls()), n)

    def test_variables_in_order(self):
        """SAML2STS_CA_BUNDLE, then CURL_CA_BUNDLE, then SSL_CERT_FILE:
        the first one set is the whole bundle (a wrong one fails even
        when a later one would do)."""
        ca = self.tb.tls.ca_path
        for first, later in (("SAML2STS_CA_BUNDLE", "CURL_CA_BUNDLE"),
                             ("CURL_CA_BUNDLE", "SSL_CERT_FILE")):
            with self.subTest(first=first):
                r = self.login(**{first: SYSTEM_BUNDLE, later: ca})
                self.assertEqual(r.returncode, 9, r.stderr.decode())
                n = len(self.tb.sts_calls())
                r = self.login(**{first: ca, later: SYSTEM_BUNDLE})
                self.assertLoggedIn(r, n)
        n = len(self.tb.sts_calls())
        self.assertLoggedIn(self.login(SSL_CERT_FILE=ca), n)

    def test_hashed_directory_is_read_lazily(self):
        """SSL_CERT_DIR names a system-like store (every system CA and
        ours, hashed): the login opens the one certificate its chains
        need, not the ~150 of the store, and never a bundle."""
        trust = self.tb.tls.trust_dir
        total = len([f for f in os.listdir(trust) if f.endswith(".pem")])
        self.assertGreater(total, 50)
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "strace")
            n = len(self.tb.sts_calls())
            r = self.login(strace=log, SSL_CERT_DIR=trust)
            self.assertLoggedIn(r, n)
            opened = self.opened(log)
        in_store = [p for p in opened if p.startswith(trust + "/")]
        self.assertGreaterEqual(len(in_store), 1, opened)
        self.assertLessEqual(len(set(in_store)), 2, in_store)
        self.assertNotIn(SYSTEM_BUNDLE, opened)
        self.assertFalse([p for p in opened if p.endswith(".crt")], opened)

    def test_default_store_is_the_system_directory(self):
        """Without any variable the system's hashed directory is the
        store (the test CA is not in it: the login fails), and the
        system bundle file is never parsed."""
        if not os.path.isdir("/etc/ssl/certs") or not shutil.which("strace"):
            self.skipTest("no /etc/ssl/certs or strace")
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "strace")
            r = self.login(strace=log)
            self.assertEqual(r.returncode, 9, r.stderr.decode())
            opened = self.opened(log)
        self.assertNotIn(SYSTEM_BUNDLE, opened)

    def test_naming_the_system_bundle_reads_the_directory(self):
        """CURL_CA_BUNDLE or SSL_CERT_FILE set to the system bundle (as
        containers and CI often do) trusts the same certificates through
        the system's hashed directory: the bundle is never parsed."""
        if not os.path.exists(SYSTEM_BUNDLE):
            self.skipTest("no system bundle")
        for var in ("CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            with self.subTest(var=var), tempfile.TemporaryDirectory() as d:
                log = os.path.join(d, "strace")
                r = self.login(strace=log, **{var: SYSTEM_BUNDLE})
                self.assertEqual(r.returncode, 9, r.stderr.decode())
                self.assertNotIn(SYSTEM_BUNDLE, self.opened(log))
        rc, idp, clock = self.doctor(CURL_CA_BUNDLE=SYSTEM_BUNDLE)
        self.assertIn("; trusted: CA directory /etc/ssl/certs", idp["message"])

    def doctor(self, **ca):
        env = dict(self.tb.env)
        for k in CA_VARS:
            env.pop(k, None)
        env.update(ca)
        r = subprocess.run([BIN, "--config", self.config, "doctor", "--output",
                            "json"], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120, cwd=self.tb.home)
        checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
        return r.returncode, checks["idp"], checks["clock"]

    def test_doctor_names_the_cas_it_trusted(self):
        trust, ca = self.tb.tls.trust_dir, self.tb.tls.ca_path
        rc, idp, clock = self.doctor(SSL_CERT_DIR=trust)
        self.assertEqual(rc, 0, idp)
        self.assertEqual(idp["status"], "ok", idp)
        self.assertIn("TLS verified with CA directory %s " % trust,
                      idp["message"])
        rc, idp, clock = self.doctor(SAML2STS_CA_BUNDLE=ca)
        self.assertEqual(idp["status"], "ok", idp)
        self.assertIn("TLS verified with CA bundle %s" % ca, idp["message"])
        rc, idp, clock = self.doctor()
        self.assertEqual(rc, 1, idp)
        self.assertEqual(idp["status"], "fail", idp)
        self.assertIn("TLS with 127.0.0.1", idp["message"])
        self.assertIn("; trusted: ", idp["message"])
        self.assertIn("SSL_CERT_DIR", idp["fix"])
        self.assertIn("; trusted: ", clock["message"])

    def private_dir(self, d):
        """d made a hashed directory holding the test CA alone (a
        company's private CA, as SSL_CERT_DIR is often used)."""
        shutil.copy(self.tb.tls.ca_path, os.path.join(d, "test-ca.pem"))
        subprocess.run(["openssl", "rehash", d], check=True,
                       capture_output=True)
        return d

    def test_system_bundle_named_beside_a_cert_dir_is_kept(self):
        """CURL_CA_BUNDLE names the system bundle and SSL_CERT_DIR a
        private directory: the bundle's certificates stay trusted (read
        through the system directory, as the man page says), beside the
        private directory; they must not be dropped."""
        if not os.path.exists(SYSTEM_BUNDLE):
            self.skipTest("no system bundle")
        with tempfile.TemporaryDirectory() as d:
            rc, idp, clock = self.doctor(CURL_CA_BUNDLE=SYSTEM_BUNDLE,
                                         SSL_CERT_DIR=self.private_dir(d))
        self.assertEqual(idp["status"], "ok", idp)
        self.assertRegex(idp["message"],
                         r"CA (bundle %s|directory /etc/ssl/certs)"
                         % re.escape(SYSTEM_BUNDLE))

    def test_cert_dir_keeps_the_system_store(self):
        """SSL_CERT_DIR naming a private CA's directory (doctor's own fix
        for a private CA) keeps the system's CAs, as SAML2STS_CA_BUNDLE
        does and as curl and OpenSSL do: a public STS endpoint must
        still verify."""
        if not os.path.isdir("/etc/ssl/certs"):
            self.skipTest("no /etc/ssl/certs")
        rc, idp, clock = self.doctor(SAML2STS_CA_BUNDLE=self.tb.tls.ca_path)
        self.assertIn("/etc/ssl/certs", idp["message"], idp)  # bundle: kept
        with tempfile.TemporaryDirectory() as d:
            rc, idp, clock = self.doctor(SSL_CERT_DIR=self.private_dir(d))
        self.assertEqual(idp["status"], "ok", idp)
        self.assertIn("/etc/ssl/certs", idp["message"], idp)

    def idp_posts(self):
        with open(self.tb.idp.server_log, errors="replace") as f:
            return len(re.findall(r"\[\d{3}\]: POST ", f.read()))


if __name__ == "__main__":
    unittest.main()
