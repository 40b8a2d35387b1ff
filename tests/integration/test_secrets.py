#!/usr/bin/python3
"""Secret hygiene and verify mode against the real testbed
(SimpleSAMLphp IdP, STS emulator, private gnome-keyring).

- A full `login --debug` with verify mode on (idp_metadata = the IdP's
  own metadata): the trace shows request and response headers and form
  bodies, but no password, no SAMLResponse, no cookie value, no STS
  secret and no full AccessKeyId; no file under HOME holds a secret and
  every file saml2sts wrote is private (0600, directories 0700).
- The same login with another certificate pinned is refused (exit 5)
  before anything is sent to STS.
"""

import base64
import hashlib
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
PASSWORD = "alice-pass"


class SecretsTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()
        cls.metadata = cls.tb.env["S2S_IDP_METADATA_FILE"]

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def s2s(self, config, *args):
        return self.tb.run([BIN, "--config", config] + list(args),
                           extra_env={"SAML2STS_PASSWORD": PASSWORD},
                           stdin=subprocess.DEVNULL, timeout=60)

    def configure(self, name, *extra):
        config = os.path.join(self.tb.home, "cfg-" + name)
        r = self.s2s(config, "configure", "--provider", "simplesamlphp",
                     "--url", self.tb.idp.url_cn, "--username", "alice",
                     "--sts-endpoint", self.tb.sts.url, "--profile",
                     "p-" + name, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return config

    def test_debug_login_leaks_nothing(self):
        config = self.configure("debug")
        r = self.s2s(config, "configure", "--set",
                     "idp_metadata=%s" % self.metadata)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = len(self.tb.sts_calls())
        r = self.s2s(config, "--debug", "login", "--role", "admin")
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(len(self.tb.sts_calls()), before + 1)
        err = r.stderr.decode()
        # verify mode ran, and the trace is useful...
        self.assertIn("signature verified with the pinned IdP certificate",
                      err)
        self.assertRegex(err, r"debug: > Cookie: \S+=<redacted>")
        self.assertRegex(err, r"debug: < Set-Cookie: \S+=<redacted>")
        self.assertRegex(err, r"debug: > body: .*password=<redacted \d+ "
                              r"bytes>")
        self.assertRegex(err, r"debug: < HTTP/\S+ 200")
        # ...and redacted.
        issued = self.tb.sts.issued()[-1]
        secrets = [PASSWORD.encode(), issued["AccessKeySecret"].encode(),
                   issued["SecurityToken"].encode(),
                   issued["AccessKeyId"].encode()]
        for s in secrets:
            self.assertNotIn(s, out)
        # a SAMLResponse in base64 starts with "<samlp" or "<?xml "
        for b64 in (b"PHNhbWxw", b"PD94bWwg", b"PHNhbWwy"):
            self.assertNotIn(b64, out)
        self.assertNotRegex(err, r"(?i)(cookie|authorization):.*=(?!<redacted>)"
                                 r"[^;\s]{8,}")
        self.assertNotRegex(err, r"SAMLResponse=(?!<redacted)")
        # nothing secret in any file, every file of ours private
        for root, dirs, files in os.walk(self.tb.home):
            for name in files:
                path = os.path.join(root, name)
                if not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for s in secrets[:3]:
                    self.assertNotIn(s, data, path)
                if "saml2sts" in path or name.startswith("cfg-"):
                    mode = stat.S_IMODE(os.stat(path).st_mode)
                    self.assertEqual(mode & 0o077, 0, "%s is %o" % (path, mode))

    def test_wrong_pin_refused_before_sts(self):
        other = os.path.join(self.tb.home, "other.pem")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                            "-nodes", "-keyout", os.path.join(tmp, "k"),
                            "-out", other, "-days", "1", "-subj",
                            "/CN=not-the-idp"], check=True,
                           capture_output=True)
        config = self.configure("pin")
        r = self.s2s(config, "configure", "--set", "idp_cert=%s" % other)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = len(self.tb.sts_calls())
        r = self.s2s(config, "login", "--role", "admin")
        self.assertEqual(r.returncode, 5, r.stderr)
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r"^saml2sts: verify mode: .*not valid for "
                                   r"the pinned IdP certificate")
        self.assertEqual(len(self.tb.sts_calls()), before)

    def test_configure_idp_cert_from_metadata_url(self):
        url = self.tb.idp.metadata_url
        with open(self.tb.idp.cert_path) as f:
            pem = f.read()
        der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        fp = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
        config = self.configure("fetch")
        # no terminal, no confirmation: refused, nothing pinned
        r = self.s2s(config, "configure", "--idp-cert", url)
        self.assertEqual(r.returncode, 8, r.stderr)
        self.assertIn(fp.encode(), r.stderr)
        # a fingerprint that is not the IdP's: refused
        r = self.s2s(config, "configure", "--idp-cert", url,
                     "--idp-cert-fingerprint", "AB" + fp[2:])
        self.assertEqual(r.returncode, 5, r.stderr)
        with open(config, "rb") as f:
            self.assertNotIn(b"idp_cert", f.read())
        # the right one (any case, colons optional): pinned, 0600
        r = self.s2s(config, "configure", "--idp-cert", url,
                     "--idp-cert-fingerprint", fp.replace(":", "").lower())
        self.assertEqual(r.returncode, 0, r.stderr)
        pinned = os.path.join(os.path.dirname(config), "idp-default.pem")
        self.assertEqual(stat.S_IMODE(os.stat(pinned).st_mode), 0o600)
        with open(config) as f:
            self.assertIn("idp_cert = %s" % pinned, f.read())
        r = self.s2s(config, "--verbose", "login", "--role", "admin")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"signature verified with the pinned", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
