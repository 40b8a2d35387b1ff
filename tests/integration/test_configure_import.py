#!/usr/bin/python3
"""configure --import-saml2alibabacloud: what is copied, what is refused."""

import os
import re
import stat
import subprocess
import tempfile
import unittest

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))

S2A = """[default]
name                          = default
app_id                        =
url                           = https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:alibaba:cloudcomputing:international
username                      = CORP\\alice
provider                      = ADFS
mfa                           = Azure
skip_verify                   = true
timeout                       = 0
alibabacloud_urn              = urn:alibaba:cloudcomputing:international
alibabacloud_session_duration = 7200
alibabacloud_profile          = saml
resource_id                   =
role_arn                      = acs:ram::1111111111111111:role/admin
region                        = cn-shanghai

[onelogin]
url = https://corp.onelogin.com
provider = OneLogin
alibabacloud_profile = onelogin
client_id = 0a1b2c3d
client_secret = TopSecretClientValue
app_id = 123456
subdomain = corp

[jumpcloud]
url = https://sso.jumpcloud.com/saml2/alibaba
provider = JumpCloud
username = carol@example.com

[f5]
url = https://vpn.example.com/
provider = F5APM
resource_id = /Common/alibaba

[ecp]
url = https://idp.example.edu/idp/profile/SAML2/SOAP/ECP
provider = ShibbolethECP
username = bob
alibabacloud_urn = urn:alibaba:cloudcomputing
"""


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.cfg = os.path.join(self.dir.name, "config")

    def tearDown(self):
        self.dir.cleanup()

    def run_s2s(self, *args, s2a=S2A, env=None):
        with open(os.path.join(self.dir.name, ".saml2alibabacloud"), "w") as f:
            f.write(s2a)
        e = {"PATH": "/usr/bin:/bin", "HOME": self.dir.name}
        e.update(env or {})
        return subprocess.run([BIN, "--config", self.cfg, "configure"] + list(args),
                              env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)

    def test_imports_and_reports(self):
        r = self.run_s2s("--import-saml2alibabacloud")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        for line in ("[default]", "  provider = adfs", "  username = CORP\\alice",
                     "  profile = saml", "  session_duration = 7200", "  site = intl",
                     "  role_arn = acs:ram::1111111111111111:role/admin",
                     "  region = cn-shanghai",
                     "  not imported: mfa = Azure",
                     "  not imported: skip_verify = true",
                     "[onelogin]", "  provider = onelogin", "  profile = onelogin",
                     "  onelogin.client_id = 0a1b2c3d", "  onelogin.app_id = 123456",
                     "  onelogin.subdomain = corp",
                     "  not imported: client_secret (a secret: keep it in the keyring with "
                     "saml2sts -a onelogin configure --client-secret-stdin)",
                     "[jumpcloud]", "  provider = jumpcloud",
                     "  url = https://sso.jumpcloud.com/saml2/alibaba",
                     "  username = carol@example.com",
                     "[f5]", "  skipped: provider 'F5APM' has no saml2sts adapter",
                     "[ecp]", "  provider = shibboleth-ecp", "  site = cn"):
            self.assertIn(line, out)
        with open(self.cfg) as f:
            cfg = f.read()
        self.assertIn("[default]", cfg)
        self.assertIn("profile = saml", cfg)
        self.assertIn("onelogin.app_id = 123456", cfg)
        self.assertIn("provider = jumpcloud", cfg)
        self.assertNotIn("F5APM", cfg)
        self.assertNotIn("resource_id", cfg)
        # the client secret is never copied, nor shown
        self.assertNotIn("TopSecretClientValue", cfg)
        self.assertNotIn("TopSecretClientValue", out + r.stderr.decode())
        self.assertNotIn("skip_verify", cfg)
        self.assertEqual(stat.S_IMODE(os.stat(self.cfg).st_mode), 0o600)
        # the imported account is usable by the other commands
        r = subprocess.run([BIN, "--config", self.cfg, "-a", "ecp", "status",
                            "--output", "json"],
                           env={"PATH": "/usr/bin:/bin", "HOME": self.dir.name,
                                "SAML2STS_KEYRING_BACKEND": "file",
                                "SAML2STS_FILE_PASSPHRASE": "x",
                                "XDG_DATA_HOME": self.dir.name},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_authentik_and_auth0_names(self):
        r = self.run_s2s("--import-saml2alibabacloud", s2a=(
            "[ak]\nprovider = Authentik\nurl = https://ak.example.com/application/saml/"
            "alibaba/sso/binding/init/\nusername = alice\n"
            "alibabacloud_urn = urn:alibaba:cloudcomputing\n"
            "[a0]\nprovider = Auth0\nurl = https://corp.auth0.com/samlp/AbC123\n"
            "username = bob@example.com\n"
            "alibabacloud_urn = urn:alibaba:cloudcomputing:international\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        for line in ("[ak]", "  provider = authentik", "  site = cn",
                     "[a0]", "  provider = auth0", "  site = intl"):
            self.assertIn(line, out)
        with open(self.cfg) as f:
            cfg = f.read()
        self.assertIn("provider = authentik", cfg)
        self.assertIn("provider = auth0", cfg)

    def test_provider_names_of_saml2alibabacloud(self):
        """Each saml2alibabacloud provider name we have an adapter for."""
        names = {"AzureAD": "entra", "Ping": "pingfed", "PingOne": "pingone",
                 "GoogleApps": "browser", "Okta": "okta", "KeyCloak": "keycloak",
                 "OneLogin": "onelogin", "JumpCloud": "jumpcloud"}
        s2a = "".join("[s%d]\nprovider = %s\nurl = https://idp%d.example.com/x\n"
                      "username = u\n" % (i, p, i)
                      for i, p in enumerate(sorted(names)))
        r = self.run_s2s("--import-saml2alibabacloud", s2a=s2a)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.cfg) as f:
            cfg = f.read()
        for i, p in enumerate(sorted(names)):
            self.assertRegex(cfg, r"\[s%d\][^[]*provider = %s\n"
                             % (i, re.escape(names[p])), p)

    def test_explicit_file_and_env(self):
        other = os.path.join(self.dir.name, "other.ini")
        with open(other, "w") as f:
            f.write(S2A.replace("[default]", "[work]"))
        r = self.run_s2s("--import-saml2alibabacloud=" + other)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[work]", r.stdout.decode())
        r = self.run_s2s("--import-saml2alibabacloud",
                         env={"SAML2ALIBABACLOUD_CONFIGFILE": other})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Importing " + other, r.stdout.decode())

    def test_nothing_importable(self):
        r = self.run_s2s("--import-saml2alibabacloud",
                         s2a="[f5]\nprovider = F5APM\nurl = https://x.example.com/\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("nothing imported", r.stderr.decode())
        self.assertFalse(os.path.exists(self.cfg))

    def test_missing_file(self):
        r = self.run_s2s("--import-saml2alibabacloud=/nonexistent/x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read /nonexistent/x", r.stderr.decode())

    def test_not_combined_with_flags(self):
        r = self.run_s2s("--import-saml2alibabacloud", "--url", "https://x/")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
