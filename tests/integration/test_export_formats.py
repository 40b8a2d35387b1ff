#!/usr/bin/python3
"""Golden tests of `export --format env|fish|powershell|json|dotenv`.

A loopback mock IdP grants one role and a mock STS answers with fixed
credentials whose secret holds every character a shell treats specially
(quotes, backslash, dollar, backtick, space, semicolon); the profile name
has a quote too.  Each format must equal tests/fixtures/export/<format>
byte for byte, and the POSIX-sh, JSON and dotenv outputs are also read
back (sh eval, json.loads, a dotenv reader) to the exact values.
Set SAML2STS_UPDATE_GOLDEN=1 to rewrite the fixtures.
"""

import base64
import html
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
import unittest
import urllib.parse

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "fixtures", "export")
ROLE = "acs:ram::1111111111111111:role/admin"
SECRET = "s3cr'et\"\\$HOME`id` ;x"
TOKEN = "CAIS+tok/en=="
KEY_ID = "STS.NUabc123"
EXPIRATION = "2099-01-02T03:04:05Z"
PROFILE = "o'brien"
FORMATS = ("env", "fish", "powershell", "json", "dotenv")

SAML = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
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
</samlp:Response>""" % ROLE


class Mock(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        b64 = base64.b64encode(SAML.encode()).decode()
        self.send(("<html><body><form method=post action="
                   "'https://signin.aliyun.com/saml-role/sso'><input type=hidden "
                   "name=SAMLResponse value='%s'></form></body></html>"
                   % html.escape(b64)).encode(), "text/html")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send(json.dumps({
            "RequestId": "r-1",
            "AssumedRoleUser": {"Arn": "acs:ram::1111111111111111:assumed-role/admin/frank",
                                "AssumedRoleId": "1:frank"},
            "Credentials": {"AccessKeyId": KEY_ID, "AccessKeySecret": SECRET,
                            "SecurityToken": TOKEN, "Expiration": EXPIRATION}}).encode(),
            "application/json")


def read_dotenv(text):
    """A strict reader of KEY='literal' and KEY="value" (with \\\\ and \\"
    escapes) lines, as python-dotenv and docker compose read them."""
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)='([^']*)'", line)
        if m:
            out[m.group(1)] = m.group(2)
            continue
        m = re.fullmatch(r'([A-Z_][A-Z0-9_]*)="((?:[^"\\]|\\.)*)"', line)
        assert m, line
        out[m.group(1)] = re.sub(r"\\(.)", r"\1", m.group(2))
    return out


class ExportFormatsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mock)
        port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.dir = tempfile.TemporaryDirectory()
        cls.cfg = os.path.join(cls.dir.name, "config")
        with open(cls.cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d/sso\n"
                    "username = frank\nsts_endpoint = http://127.0.0.1:%d/sts\n"
                    "region = cn-shanghai\n" % (port, port))
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": cls.dir.name,
                   "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
                   "XDG_DATA_HOME": os.path.join(cls.dir.name, "data"),
                   "XDG_STATE_HOME": os.path.join(cls.dir.name, "state"),
                   "XDG_RUNTIME_DIR": cls.dir.name,
                   "SAML2STS_PASSWORD": "pw", "SAML2STS_KEYRING_BACKEND": "file",
                   "SAML2STS_FILE_PASSPHRASE": "test-passphrase"}
        r = cls.s2s(["login", "--profile", PROFILE, "--skip-prompt"])
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.dir.cleanup()

    @classmethod
    def s2s(cls, args):
        return subprocess.run([BIN, "--config", cls.cfg] + args, env=cls.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    def export(self, fmt):
        r = self.s2s(["export", "--profile", PROFILE, "--format", fmt])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode()

    def test_golden(self):
        for fmt in FORMATS:
            with self.subTest(format=fmt):
                out = self.export(fmt)
                path = os.path.join(GOLDEN, fmt)
                if os.environ.get("SAML2STS_UPDATE_GOLDEN"):
                    with open(path, "w") as f:
                        f.write(out)
                with open(path) as f:
                    self.assertEqual(out, f.read())

    def expected(self):
        return {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID,
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
                "ALIBABA_CLOUD_SECURITY_TOKEN": TOKEN,
                "ALIBABA_CLOUD_REGION_ID": "cn-shanghai",
                "ALICLOUD_SECRET_KEY": SECRET,
                "OSS_ACCESS_KEY_SECRET": SECRET,
                "SAML2STS_PROFILE": PROFILE,
                "SAML2STS_EXPIRATION": EXPIRATION}

    def test_sh_reads_back_the_exact_values(self):
        out = self.export("env")
        names = list(self.expected())
        script = out + "".join('printf "%%s\\0" "$%s"\n' % n for n in names)
        r = subprocess.run(["sh", "-c", script], stdout=subprocess.PIPE,
                           env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
        vals = r.stdout.decode().split("\0")[:-1]
        self.assertEqual(dict(zip(names, vals)), self.expected())

    def test_json_and_dotenv_read_back(self):
        js = json.loads(self.export("json"))
        self.assertEqual(js["AccessKeySecret"], SECRET)
        self.assertEqual(js["SecurityToken"], TOKEN)
        self.assertEqual(js["Expiration"], EXPIRATION)
        d = read_dotenv(self.export("dotenv"))
        for k, v in self.expected().items():
            self.assertEqual(d[k], v)

    def test_fish_and_powershell_quoting(self):
        # neither shell is a dependency: check the quoting rules directly
        fish = self.export("fish")
        self.assertIn("set -gx ALIBABA_CLOUD_ACCESS_KEY_SECRET "
                      "'s3cr\\'et\"\\\\$HOME`id` ;x';\n", fish)
        self.assertIn("set -gx SAML2STS_PROFILE 'o\\'brien';\n", fish)
        ps = self.export("powershell")
        self.assertIn("$Env:ALIBABA_CLOUD_ACCESS_KEY_SECRET = "
                      "'s3cr''et\"\\$HOME`id` ;x'\n", ps)
        self.assertIn("$Env:SAML2STS_PROFILE = 'o''brien'\n", ps)

    def test_unknown_format_is_a_usage_error(self):
        r = self.s2s(["export", "--profile", PROFILE, "--format", "csh"])
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, b"")


if __name__ == "__main__":
    unittest.main()
