#!/usr/bin/python3
"""The warm path (issue "Speed", points 1, 3 and 4): commands that answer
from the store load only what they use.

A loopback mock IdP and STS mint one role into a private gnome-keyring
(Secret Service) and into the encrypted-file store.  Then, with the
dynamic loader's own log (LD_DEBUG=files, every object it maps, also
dlopen()ed ones):
- `credential-process`, `export`, `exec` and `status` on a fresh token
  map neither the network module (saml2sts-net.so) nor libcurl, OpenSSL
  (libssl, libcrypto), libxml2 or xmlsec1 (libsecret's glib and gio,
  and libgcrypt, are expected), for both stores;
- `serve`, after answering a GET, has none of them in /proc/PID/maps;
- a refresh (an aged token) and `version` do load the module, and
  neither a refresh nor a login maps xmlsec1 (the tests' reference
  verifier only);
- the file store keeps its derived key in the kernel keyring (readable by
  this user only, with a timeout): a second call costs a fraction of the
  CPU of one with SAML2STS_FILE_KEY_TIMEOUT=0 (scrypt), a wrong
  passphrase still fails, and `logout` drops the key.
Everything binds 127.0.0.1; the keyring and the mock are stopped.
"""

import base64
import ctypes
import html
import http.server
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
AGE = os.path.join(os.path.dirname(BIN), "s2s-test-age-creds")
ROLE = "acs:ram::1111111111111111:role/admin"
KEY_ID = "STS.NUwarm123"
PASSPHRASE = "warm-path-passphrase"
# What a warm command must not map.
NETWORK = re.compile(r"saml2sts-net\.so|libcurl|libssl|libcrypto\.so|"
                     r"libxml2|libxmlsec")

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
    """The IdP (GET: a form carrying the SAMLResponse) and the STS (POST:
    AssumeRoleWithSAML, an hour) in one; counts STS calls."""

    sts_calls = 0

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
        import datetime
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Mock.sts_calls += 1
        exp = (datetime.datetime.now(datetime.timezone.utc) +
               datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.send(json.dumps({
            "RequestId": "r-1",
            "AssumedRoleUser": {"Arn": "acs:ram::1111111111111111:assumed-role/admin/frank",
                                "AssumedRoleId": "1:frank"},
            "Credentials": {"AccessKeyId": KEY_ID, "AccessKeySecret": "s",
                            "SecurityToken": "t%d" % Mock.sts_calls,
                            "Expiration": exp}}).encode(), "application/json")


def kernel_keyrings():
    """Can this process add keys (no seccomp filter in the way)?"""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr_keyctl = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
    if nr_keyctl is None:
        return False
    # KEYCTL_GET_KEYRING_ID (0) of the user session keyring (-5)
    return libc.syscall(nr_keyctl, 0, -5, 0) >= 0


def cached_keys(store_dir):
    """The live keys the file store of store_dir keeps in /proc/keys."""
    out = []
    with open("/proc/keys") as f:
        for line in f:
            fields = line.split(None, 8)
            if (len(fields) == 9 and fields[7] == "user" and "i" not in fields[1]
                    and "saml2sts:file-" in fields[8]
                    and fields[8].split(": ")[0].endswith(":" + store_dir)):
                out.append(fields)
    return out


class WarmPathTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mock)
        port = cls.mock.server_address[1]
        threading.Thread(target=cls.mock.serve_forever, daemon=True).start()
        cls.dir = tempfile.TemporaryDirectory()
        cls.cfg = os.path.join(cls.dir.name, "config")
        with open(cls.cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d/sso\n"
                    "username = frank\nsts_endpoint = http://127.0.0.1:%d/sts\n"
                    "region = cn-shanghai\n" % (port, port))
        cls.keyring = testbed.PrivateKeyring().start()
        base = {"PATH": "/usr/bin:/bin", "HOME": cls.dir.name,
                "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
                "XDG_DATA_HOME": os.path.join(cls.dir.name, "data"),
                "XDG_STATE_HOME": os.path.join(cls.dir.name, "state"),
                "XDG_CONFIG_HOME": os.path.join(cls.dir.name, "config.d"),
                "XDG_RUNTIME_DIR": cls.dir.name, "SAML2STS_PASSWORD": "pw"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                base[k] = os.environ[k]
        cls.store_dir = os.path.join(base["XDG_DATA_HOME"], "saml2sts", "store")
        cls.envs = {
            "secret-service": cls.keyring.child_env(
                dict(base, SAML2STS_KEYRING_BACKEND="secret-service")),
            "file": dict(base, SAML2STS_KEYRING_BACKEND="file",
                         SAML2STS_FILE_PASSPHRASE=PASSPHRASE),
        }
        for env in cls.envs.values():
            r = subprocess.run([BIN, "--config", cls.cfg, "login", "--skip-prompt"],
                               env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.keyring.stop()
        cls.mock.shutdown()
        cls.mock.server_close()
        cls.dir.cleanup()

    def run_s2s(self, store, *args, **extra):
        env = dict(self.envs[store], **extra)
        return subprocess.run([BIN, "--config", self.cfg] + list(args), env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    def loaded(self, store, *args, **extra):
        """(the objects the dynamic loader mapped, the completed process)"""
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "ld")
            r = self.run_s2s(store, *args, LD_DEBUG="files",
                             LD_DEBUG_OUTPUT=log, **extra)
            text = ""
            for name in os.listdir(d):
                with open(os.path.join(d, name)) as f:
                    text += f.read()
        objs = set(re.findall(r"file=(\S+) \[", text))
        self.assertTrue(any("libsecret" in o for o in objs), text[:2000])
        return objs, r

    def assertWarm(self, store, *args, **extra):
        objs, r = self.loaded(store, *args, **extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([o for o in objs if NETWORK.search(o)], [],
                         "%s %s mapped network code" % (store, args[0]))
        return r

    # -- point 1 ----------------------------------------------------------

    def test_warm_commands_map_no_network_code(self):
        calls = Mock.sts_calls
        for store in ("secret-service", "file"):
            r = self.assertWarm(store, "credential-process")
            self.assertEqual(json.loads(r.stdout)["access_key_id"], KEY_ID)
            r = self.assertWarm(store, "export", "--format", "json")
            self.assertEqual(json.loads(r.stdout)["AccessKeyId"], KEY_ID)
            r = self.assertWarm(store, "exec", "--", "/bin/sh", "-c",
                                'test "$ALIBABA_CLOUD_ACCESS_KEY_ID" = %s' % KEY_ID)
            r = self.assertWarm(store, "status")
            self.assertIn(b"default", r.stdout + r.stderr)
        self.assertEqual(Mock.sts_calls, calls, "a warm command called STS")

    def test_serve_answers_without_network_code(self):
        for store in ("secret-service", "file"):
            p = subprocess.Popen([BIN, "--config", self.cfg, "serve"],
                                 env=self.envs[store], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                uri = p.stdout.readline().decode().strip()
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                for _ in range(3):  # the store once, then from memory
                    body = json.loads(opener.open(uri, timeout=30).read())
                    self.assertEqual(body["AccessKeyId"], KEY_ID)
                with open("/proc/%d/maps" % p.pid) as f:
                    maps = f.read()
                self.assertIn("libsecret", maps)
                self.assertEqual(sorted(set(m.group(0) for m in NETWORK.finditer(maps))),
                                 [], "serve (%s) mapped network code" % store)
            finally:
                p.terminate()
                _, err = p.communicate(timeout=30)
            self.assertNotIn(b"Sanitizer", err, err.decode(errors="replace"))

    def test_refresh_and_version_load_the_network_module(self):
        objs, r = self.loaded("file", "version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"libraries: libcurl/\S+ OpenSSL")
        self.assertTrue(any(o.endswith("saml2sts-net.so") for o in objs), objs)
        # an aged token is refreshed through the module
        store = "secret-service"
        subprocess.run([AGE, "default", "3500"], env=self.envs[store],
                       check=True, stdin=subprocess.DEVNULL)
        calls = Mock.sts_calls
        objs, r = self.loaded(store, "credential-process")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(Mock.sts_calls, calls + 1)
        self.assertTrue(any(o.endswith("saml2sts-net.so") for o in objs), objs)
        self.assertTrue(any("libcurl" in o for o in objs), objs)
        # xmlsec1 is the tests' reference verifier only: a login or
        # refresh maps neither it nor libxslt
        self.assertEqual([o for o in objs if re.search(r"libxmlsec|libxslt", o)],
                         [], objs)
        objs, r = self.loaded(store, "login", "--force", "--skip-prompt")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(any("libxml2" in o for o in objs), objs)
        self.assertEqual([o for o in objs if re.search(r"libxmlsec|libxslt", o)],
                         [], objs)
        # and the next call is warm again
        self.assertWarm(store, "credential-process")

    # -- point 4 ----------------------------------------------------------

    def test_file_store_key_in_the_kernel_keyring(self):
        if not kernel_keyrings():
            self.skipTest("no kernel keyrings here (keyctl refused)")
        r = self.run_s2s("file", "credential-process")
        self.assertEqual(r.returncode, 0, r.stderr)
        keys = cached_keys(self.store_dir)
        self.assertTrue(keys, "no key cached for %s" % self.store_dir)
        for k in keys:  # id flags usage timeout perm uid gid type desc
            self.assertEqual(int(k[4], 16) & 0xffff, 0, "group/other perms: %s" % k)
            self.assertRegex(k[3], r"^\d+[smhdw]$", "no timeout: %s" % k)
        # CPU: a cached key against scrypt on every call
        def cpu(**extra):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = self.run_s2s("file", "credential-process", **extra)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.assertEqual(r.returncode, 0, r.stderr)
            return (after.ru_utime - before.ru_utime +
                    after.ru_stime - before.ru_stime)
        cached = min(cpu() for _ in range(3))
        scrypt = min(cpu(SAML2STS_FILE_KEY_TIMEOUT="0") for _ in range(3))
        self.assertLess(cached, scrypt / 2, "cached %.3f s, scrypt %.3f s"
                        % (cached, scrypt))
        # the cache does not stand in for the passphrase, and a wrong
        # passphrase's key does not push the right one out of it
        before = sorted(k[0] for k in cached_keys(self.store_dir))
        r = self.run_s2s("file", "credential-process",
                         SAML2STS_FILE_PASSPHRASE="not-the-passphrase")
        self.assertEqual(r.returncode, 7, r.stderr)
        self.assertIn(b"wrong passphrase", r.stderr)
        self.assertEqual(sorted(k[0] for k in cached_keys(self.store_dir)),
                         before)
        r = self.run_s2s("file", "credential-process",
                         SAML2STS_FILE_KEY_TIMEOUT="soon")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"SAML2STS_FILE_KEY_TIMEOUT", r.stderr)
        # logout drops it (the profile is logged in again for the others)
        r = self.run_s2s("file", "logout")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(cached_keys(self.store_dir), [])
        r = self.run_s2s("file", "login", "--skip-prompt")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
