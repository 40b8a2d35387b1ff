#!/usr/bin/python3
"""Credential lifecycle (issue 3): single-flight refresh under parallel
callers, silent re-login with a kept IdP session, and the hand-off to the
ecosystem.  Real SimpleSAMLphp IdP, STS emulator, private gnome-keyring.
"""

import json
import os
import shlex
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
        """Log in, then age the stored token by 2 h: it has expired by
        our clock (an STS answer that is already expired is refused)."""
        self.ok("login", "--force")
        age = os.path.join(os.path.dirname(BIN), "s2s-test-age-creds")
        subprocess.run([age, self.profile, "7200"], env=self.env(),
                       check=True, timeout=60, cwd=self.tb.home)

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
        # re-saving the session keeps it (an in-place replace is not a
        # stale copy to delete): a second silent login works too
        self.ok("login", "--force", password=None)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        # and an expired token is refreshed silently too
        self.expired_login()
        calls = len(self.tb.sts_calls())
        out = json.loads(self.ok("credential-process", "--profile",
                                 self.profile, password=None).stdout)
        self.assertEqual(len(self.tb.sts_calls()), calls + 1)
        self.assertEqual(out["access_key_id"], self.tb.sts.issued()[-1]["AccessKeyId"])
        # logout forgets the profile (the kept session goes with --session)
        self.ok("logout", "--profile", self.profile)
        st = self.ok("status", "--output", "json")
        self.assertNotIn(self.profile, st.stdout.decode())

    def test_saved_password_logs_in_without_prompt(self):
        r = subprocess.run(self.argv("configure", "--save-password"),
                           env=self.env(password=None), input=b"alice-pass\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, cwd=self.tb.home)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"alice-pass", r.stdout + r.stderr)
        with open(self.config) as f:
            cfg = f.read()
        self.assertIn("save_password = true", cfg)
        self.assertNotIn("alice-pass", cfg)
        logins = len(self.tb.idp.logins("alice"))
        r = self.ok("login", "--force", password=None)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins + 1)
        # and a wrong kept password is the IdP's verdict, exit 3
        r = subprocess.run(self.argv("configure", "--save-password"),
                           env=self.env(password=None), input=b"wrong\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, cwd=self.tb.home)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.s2s("login", "--force", password=None)
        self.assertEqual(r.returncode, 3, r.stderr)
        for root, _, files in os.walk(self.tb.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(b"alice-pass", f.read(), name)

    def test_exec_after_a_refresh_passes_no_connection_on(self):
        """The refresh's session objects, with their connections and
        libcurl's wakeup socketpair, are gone before exec: the command
        inherits no socket."""
        self.expired_login()
        calls = len(self.tb.sts_calls())
        r = self.ok("exec", "--profile", self.profile, "--", "ls", "-l",
                    "/proc/self/fd")
        self.assertEqual(len(self.tb.sts_calls()), calls + 1)
        self.assertNotIn(b"socket:", r.stdout, r.stdout.decode())

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




NPM_DIR = os.path.join(os.environ.get("TMPDIR", "/tmp"), "saml2sts-test-npm")
SDK_PACKAGE = "@alicloud/credentials@2.4.7"


def sdk_ready():
    """Install the real Node client library once (npm registry)."""
    mod = os.path.join(NPM_DIR, "node_modules", "@alicloud", "credentials")
    if not os.path.isdir(mod):
        os.makedirs(NPM_DIR, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", NPM_DIR, "--no-audit",
                        "--no-fund", "--silent", SDK_PACKAGE], check=True,
                       stdin=subprocess.DEVNULL, timeout=300)
    return os.path.join(NPM_DIR, "node_modules")


class HandoffTest(unittest.TestCase):
    """aliyun config.json, the credentials-URI server, exec --server,
    console federation, and a real SDK consuming the credentials."""

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()
        cls.node_path = sdk_ready()

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-handoff")
        self.aliyun = os.path.join(self.tb.home, ".aliyun", "config.json")
        self.run_("configure", "--provider", "form", "--url",
                  self.tb.idp.url_cn, "--username", "alice", "--sts-endpoint",
                  self.tb.sts.url, "--role", ADMIN, "--profile", "corp",
                  "--set", "signin_endpoint=" + self.tb.sts.url)

    def tearDown(self):
        self.run_("logout", "--all")

    def run_(self, *args, check=True, **kw):
        env = dict(self.tb.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        env["NODE_PATH"] = self.node_path
        env.update(kw.pop("env", {}))
        r = subprocess.run([BIN, "--config", self.config] + list(args),
                           env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, cwd=self.tb.home, **kw)
        if check:
            self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def test_aliyun_config_merge_keeps_unknown_keys(self):
        os.makedirs(os.path.dirname(self.aliyun), exist_ok=True)
        with open(self.aliyun, "w") as f:
            json.dump({"current": "old", "meta_path": "", "future_key": [1, 2],
                       "profiles": [
                           {"name": "old", "mode": "AK", "access_key_id": "AK1",
                            "access_key_secret": "S1", "colour": "blue"},
                           {"name": "corp", "mode": "StsToken",
                            "access_key_id": "STS.stale", "access_key_secret": "x",
                            "sts_token": "y", "region_id": "eu-central-1"}]}, f)
        os.chmod(self.aliyun, 0o644)
        self.run_("configure", "--set", "aliyun_config=true")
        self.run_("login")
        with open(self.aliyun) as f:
            doc = json.load(f)
        self.assertEqual(os.stat(self.aliyun).st_mode & 0o777, 0o600)
        self.assertEqual(doc["future_key"], [1, 2])
        self.assertEqual(doc["current"], "old")
        old = doc["profiles"][0]
        self.assertEqual(old, {"name": "old", "mode": "AK", "access_key_id": "AK1",
                               "access_key_secret": "S1", "colour": "blue"})
        corp = doc["profiles"][1]
        self.assertEqual(corp["mode"], "External")
        self.assertEqual(corp["region_id"], "eu-central-1")
        for k in ("access_key_id", "access_key_secret", "sts_token"):
            self.assertNotIn(k, corp)  # the stale plaintext copy is gone
        argv = shlex.split(corp["process_command"])
        self.assertEqual(argv[0], BIN)
        self.assertEqual(argv[1:], ["credential-process", "--profile", "corp"])
        # the External command works as the aliyun CLI runs it
        out = subprocess.run(argv[:1] + ["--config", self.config] + argv[1:],
                             env=self.tb.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, check=True).stdout
        self.assertEqual(json.loads(out)["access_key_id"],
                         self.tb.sts.issued()[-1]["AccessKeyId"])
        issued = self.tb.sts.issued()[-1]
        with open(self.aliyun) as f:
            text = f.read()
        self.assertNotIn(issued["SecurityToken"], text)
        # a config.json that is not JSON is never overwritten
        with open(self.aliyun, "w") as f:
            f.write("{broken")
        r = self.run_("login", "--force", check=False)
        self.assertEqual(r.returncode, 2, r.stderr)
        with open(self.aliyun) as f:
            self.assertEqual(f.read(), "{broken")
        os.unlink(self.aliyun)
        self.run_("configure", "--set", "aliyun_config=false")

    def test_ststoken_profile_only_by_opt_in(self):
        self.run_("configure", "--set", "aliyun_config=ststoken")
        self.run_("login", "--force")
        with open(self.aliyun) as f:
            corp = [p for p in json.load(f)["profiles"] if p["name"] == "corp"][0]
        self.assertEqual(corp["mode"], "StsToken")
        self.assertEqual(corp["sts_token"], self.tb.sts.issued()[-1]["SecurityToken"])
        os.unlink(self.aliyun)
        self.run_("configure", "--set", "aliyun_config=false")

    def test_sdk_reads_exec_environment(self):
        self.run_("login", "--force")
        issued = self.tb.sts.issued()[-1]
        r = self.run_("exec", "--profile", "corp", "--", "node",
                      os.path.join(HERE, "sdk_client.js"))
        got = json.loads(r.stdout)
        self.assertEqual(got["accessKeyId"], issued["AccessKeyId"])
        self.assertEqual(got["accessKeySecret"], issued["AccessKeySecret"])
        self.assertEqual(got["securityToken"], issued["SecurityToken"])

    def test_serve_and_exec_server_feed_the_sdk(self):
        self.run_("login", "--force")
        issued = self.tb.sts.issued()[-1]
        env = dict(self.tb.env)
        proc = subprocess.Popen([BIN, "--config", self.config, "serve",
                                 "--profile", "corp"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            uri = proc.stdout.readline().decode().strip()
            self.assertRegex(uri, r"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/credentials$")
            import urllib.request
            import urllib.error
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            body = json.loads(opener.open(uri, timeout=10).read())
            self.assertEqual(body["Code"], "Success")
            self.assertEqual(body["SecurityToken"], issued["SecurityToken"])
            self.assertRegex(body["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            for bad in (uri.replace("/credentials", "/x"),
                        uri.rsplit("/", 2)[0] + "/" + "0" * 32 + "/credentials",
                        uri.rsplit("/", 2)[0] + "/"):
                with self.assertRaises(urllib.error.HTTPError) as cm:
                    opener.open(bad, timeout=10)
                self.assertEqual(cm.exception.code, 403)
            # a real SDK through the URI provider
            r = subprocess.run(["node", os.path.join(HERE, "sdk_client.js")],
                               env=dict(self.tb.env, NODE_PATH=self.node_path,
                                        ALIBABA_CLOUD_CREDENTIALS_URI=uri,
                                        ALIBABA_CLOUD_CLI_PROFILE_DISABLED="true",
                                        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["securityToken"],
                             issued["SecurityToken"])
        finally:
            proc.terminate()
            proc.communicate(timeout=10)
        # exec --server: no static keys, a URI the SDK follows
        r = self.run_("exec", "--server", "--profile", "corp", "--", "sh", "-c",
                      'test -z "$ALIBABA_CLOUD_ACCESS_KEY_ID" && '
                      'test -z "$ALICLOUD_SECRET_KEY" && '
                      'echo "$ALIBABA_CLOUD_CREDENTIALS_URI" && '
                      'node ' + shlex.quote(os.path.join(HERE, "sdk_client.js")) +
                      ' && exit 3',
                      env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "inherited"}, check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertRegex(lines[0], r"^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/credentials$")
        self.assertEqual(json.loads(lines[1])["securityToken"], issued["SecurityToken"])

    def test_console_url(self):
        self.run_("login", "--force")
        r = self.run_("console", "--profile", "corp", "--print-url",
                      "--destination", "https://ecs.console.aliyun.com/")
        url = r.stdout.decode().strip()
        import urllib.parse
        u = urllib.parse.urlsplit(url)
        self.assertEqual("%s://%s%s" % (u.scheme, u.netloc, u.path),
                         self.tb.sts.url + "/federation")
        q = dict(urllib.parse.parse_qsl(u.query))
        self.assertEqual(q["Action"], "Login")
        self.assertEqual(q["Destination"], "https://ecs.console.aliyun.com/")
        self.assertEqual(q["LoginUrl"], self.tb.idp.url_cn)
        issued = self.tb.sts.issued()[-1]
        self.assertNotIn(issued["AccessKeySecret"], url)
        self.assertNotIn(issued["SecurityToken"], url)
        # the emulator accepts the single-use token once
        import urllib.request
        import urllib.error

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            opener.open(url, timeout=10)
        self.assertEqual(cm.exception.code, 302)
        self.assertEqual(cm.exception.headers["Location"], "https://ecs.console.aliyun.com/")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            opener.open(url, timeout=10)
        self.assertEqual(cm.exception.code, 401)




class ManyRolesTest(unittest.TestCase):
    """--all-roles: one login, every role assumed in parallel."""

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()

    def run_(self, *args):
        env = dict(self.tb.env, SAML2STS_PASSWORD="frank-pass")
        return subprocess.run([BIN, "--config",
                               os.path.join(self.tb.home, "cfg-many")] + list(args),
                              env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120, cwd=self.tb.home)

    def setUp(self):
        r = self.run_("configure", "--provider", "form", "--url",
                      self.tb.idp.url_cn, "--username", "frank",
                      "--sts-endpoint", self.tb.sts.url, "--set",
                      "account_aliases=1111111111111111=dev,2222222222222222=stage")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.tb.sts.clear_faults()

    def tearDown(self):
        self.tb.sts.clear_faults()
        self.run_("logout", "--all")

    def profiles(self):
        r = self.run_("status", "--output", "json")
        return {p["profile"]: p["role_arn"] for p in json.loads(r.stdout)["profiles"]}

    def test_all_roles_in_parallel(self):
        # every STS answer takes 1 s: twelve one after the other would
        # take 12 s
        self.tb.sts.inject_fault(passthrough=True, delay=1.0, count=-1)
        calls = len(self.tb.sts_calls())
        logins = len(self.tb.idp.logins("frank"))
        t0 = time.monotonic()
        r = self.run_("login", "--all-roles")
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.tb.sts_calls()) - calls, 12)
        self.assertEqual(len(self.tb.idp.logins("frank")) - logins, 1)
        self.assertLess(took, 8.0)
        print("\n12 roles with 1 s STS latency each: %.1f s" % took, file=sys.stderr)
        names = self.profiles()
        self.assertEqual(len(names), 12)
        self.assertEqual(names["dev-admin"], "acs:ram::1111111111111111:role/admin")
        self.assertEqual(names["3333333333333333-billing"],
                         "acs:ram::3333333333333333:role/billing")
        self.assertEqual(r.stderr.decode().count("Logged in:"), 12)

    def test_partial_failure_stores_the_rest_and_exits_6(self):
        bad = "acs:ram::2222222222222222:role/developer"
        self.tb.sts.inject_fault(code="EntityNotExist.Role", status=404,
                                 count=-1, role_arn=bad)
        r = self.run_("login", "--role", "dev/admin", "--role", "stage/developer",
                      "--role", "3333333333333333/readonly")
        self.assertEqual(r.returncode, 6, r.stderr)
        err = r.stderr.decode()
        self.assertIn("STS EntityNotExist.Role", err)
        names = self.profiles()
        self.assertEqual(sorted(names), ["3333333333333333-readonly", "dev-admin"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
