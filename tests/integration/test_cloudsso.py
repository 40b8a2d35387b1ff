#!/usr/bin/python3
"""CloudSSO (provider = cloudsso), end to end against the portal emulator
(tests/cloudsso_emulator) and a private gnome-keyring: the device login
with PKCE, the paged listing into the same role choice as SAML, minting
with CreateCloudCredential, the access token kept in the store and used
by later logins and refreshes, and the hand-offs.  Failure paths are in
test_cloudsso_faults.py.

Set SAML2STS_CLOUDSSO_EVIDENCE=FILE to append a transcript of the morning
(commands, stderr, seconds) to FILE.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cloudsso_bed  # noqa: E402
from cloudsso_bed import DEV, PROD, SANDBOX, CloudSSOBed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
EVIDENCE = os.environ.get("SAML2STS_CLOUDSSO_EVIDENCE")
SETTINGS = {"interval": 1, "device_ttl": 600, "token_ttl": 28800, "page_size": 2,
            "send_expires_in": True, "auto_approve_after": 1,
            "slow_down_on_fast": False, "slow_down_next": 0}
DEVICE_LINE = "To sign in, open "


def ac(account, name):
    return cloudsso_bed.ac_id(cloudsso_bed.default_world(), account, name)


def synthetic_arn(account, name):
    return "acs:cloudsso::%s:access-configuration/%s" % (account, ac(account, name))


class CloudSSOCase(unittest.TestCase):
    """Shared set-up: one bed per class, a config file per test, every
    stored item forgotten after each test."""

    bed = None

    @classmethod
    def setUpClass(cls):
        cls.bed = CloudSSOBed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.bed:
            cls.bed.stop()

    def setUp(self):
        self.sso = self.bed.sso
        self.sso.deny()  # device logins an earlier test left waiting end
        self.sso.clear_faults()
        self.sso.settings(**SETTINGS)
        for a in self.bed.world["accounts"]:
            for c in a["AccessConfigurations"]:
                self.sso.duration(c["AccessConfigurationId"], 3600)
        self.config = os.path.join(self.bed.home, "cfg-%s" % self._testMethodName)
        self.write_config()
        self.base = len(self.sso.calls())  # this test's calls come after
        self.stats0 = self.sso.stats()

    def tearDown(self):
        self.s2s("logout", "--all")

    def write_config(self, extra="", url=None):
        with open(self.config, "w") as f:
            f.write("[default]\nprovider = cloudsso\nurl = %s\n"
                    "cloudsso.portal_endpoint = %s\n%s" % (
                        url or self.bed.signin_url, self.sso.url, extra))

    def s2s(self, *args, extra_env=None, timeout=60):
        return self.bed.run([BIN, "--config", self.config] + list(args),
                            extra_env=extra_env, timeout=timeout)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def fails(self, code, *args, device=False, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, code, "%s: %s" % (args, r.stderr.decode()))
        self.one_error_line(r.stderr, device)
        return r

    def one_error_line(self, stderr, device=False):
        """Exactly one "saml2sts: " line; besides it at most the device
        login's URL line (printed also without a terminal)."""
        lines = stderr.decode().splitlines()
        errs = [l for l in lines if l.startswith("saml2sts: ")]
        rest = [l for l in lines if not l.startswith("saml2sts: ")]
        self.assertEqual(len(errs), 1, stderr)
        if device:
            self.assertLessEqual(len(rest), 1, stderr)
            self.assertTrue(all(l.startswith(DEVICE_LINE) for l in rest), stderr)
        else:
            self.assertEqual(rest, [], stderr)

    def popen(self, argv, **kw):
        """Popen through the bed, killed at the end of the test."""
        p = self.bed.popen(argv, **kw)

        def reap():
            if p.poll() is None:
                p.kill()
            p.communicate()
        self.addCleanup(reap)
        return p

    def calls(self, path=None):
        return [c for c in self.sso.calls()[self.base:] if path in (None, c["path"])]

    def stat(self, name):
        return self.sso.stats()[name] - self.stats0[name]

    def creds(self, profile="default"):
        r = self.ok("credential-process", "--profile", profile)
        return json.loads(r.stdout)

    def issued_key(self, key_id):
        for c in self.sso.issued():
            if c["AccessKeyId"] == key_id:
                return c
        self.fail("%s was not issued by the emulator" % key_id)


class CloudSSOTest(CloudSSOCase):
    # -- the morning
    def test_morning_device_login_then_handoffs(self):
        self.sso.settings(auto_approve_after=0)
        log = []
        t0 = time.monotonic()
        argv = [BIN, "--config", self.config, "login", "--role", "Production/Admin"]
        p = self.popen(argv)
        user_code = self.sso.wait_pending()
        time.sleep(1.5)  # the user reads the code and signs in
        self.assertEqual(self.sso.approve(user_code), {"approved": 1})
        _, err = p.communicate(timeout=60)
        dt = time.monotonic() - t0
        log.append(("login --role Production/Admin", err, dt))
        self.assertEqual(p.returncode, 0, err)
        lines = err.decode().splitlines()
        self.assertTrue(lines[0].startswith(DEVICE_LINE), err)
        self.assertIn("user_code=" + user_code, lines[0])
        self.assertIn("code " + user_code, lines[0])
        self.assertRegex(lines[1], r"^Logged in: profile default, account Production "
                         r"\(%s\), role Admin, expires .* \(60 min\)$" % PROD)
        self.assertEqual(len(lines), 2, err)
        # the wire: the device flow, then both lists page by page
        order = [c["path"] for c in self.calls()]
        self.assertEqual(order[0], "/device-authorization")
        tokens = self.calls("/token")
        self.assertEqual([c["status"] for c in tokens][-1], 200)
        self.assertTrue(all(c["error_code"] == "AuthorizationPending"
                            for c in tokens[:-1]))
        self.assertGreaterEqual(len(tokens), 2)
        self.assertEqual(self.stat("fast_polls"), 0)
        accts = self.calls("/access-assignments/accounts")
        self.assertEqual([c["next_token"] for c in accts], [False, True])
        self.assertEqual(accts[0]["is_truncated"], True)
        prod = [c for c in self.calls("/access-assignments/access-configurations")
                if c["account"] == PROD]
        self.assertEqual([c["items"] for c in prod], [2, 1])
        mint = self.calls("/cloud-credentials")
        self.assertEqual([(c["account"], c["access_config"]) for c in mint],
                         [(PROD, ac(PROD, "Admin"))])
        # the hand-offs
        t1 = time.monotonic()
        c = self.creds()
        log.append(("credential-process --profile default", b"", time.monotonic() - t1))
        self.assertEqual(c["mode"], "StsToken")
        issued = self.issued_key(c["access_key_id"])
        self.assertEqual(c["access_key_secret"], issued["AccessKeySecret"])
        self.assertEqual(c["sts_token"], issued["SecurityToken"])
        self.assertEqual(c["expiration"], issued["Expiration"])
        r = self.ok("export", "--format", "json")
        self.assertIn(issued["AccessKeyId"], r.stdout.decode())
        r = self.ok("exec", "--profile", "default", "--", "sh", "-c",
                    'printf "%s %s" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_REGION_ID"')
        # no region key: the directory's region (signin-cn-shanghai)
        self.assertEqual(r.stdout.decode(), "%s cn-shanghai" % issued["AccessKeyId"])
        r = self.ok("status")
        self.assertIn(synthetic_arn(PROD, "Admin"), r.stdout.decode())
        # no more portal calls for the hand-offs
        self.assertEqual(len(self.calls("/cloud-credentials")), 1)
        if EVIDENCE:
            with open(EVIDENCE, "a") as f:
                f.write("==== CloudSSO morning (emulator %s)\n" % self.sso.url)
                for cmd, e, secs in log:
                    f.write("$ saml2sts %s    # %.1f s\n" % (cmd, secs))
                    for line in e.decode().splitlines():
                        f.write("  stderr: %s\n" % line)
                f.write("portal calls: %s\n" % ", ".join(
                    "%s %s %s" % (c["method"], c["path"], c["status"])
                    for c in self.calls()))

    def test_second_login_uses_the_kept_token(self):
        self.ok("login", "--role", "Production/Admin")
        self.assertEqual(len(self.calls("/device-authorization")), 1)
        # by display name with a space, by id/id, by the full pseudo-ARN
        r = self.ok("login", "--role", "Dev Team/Admin", "--profile", "dev")
        self.assertEqual(r.stderr.decode().count(DEVICE_LINE), 0, r.stderr)
        self.assertIn("account Dev Team (%s), role Admin" % DEV, r.stderr.decode())
        self.ok("login", "--role", "%s/%s" % (SANDBOX, ac(SANDBOX, "PowerUser")),
                "--profile", "sbx")
        self.ok("login", "--force", "--role", synthetic_arn(PROD, "Billing"),
                "--profile", "bill")
        self.assertEqual(len(self.calls("/device-authorization")), 1)
        mint = [(c["account"], c["access_config"]) for c in self.calls("/cloud-credentials")]
        self.assertEqual(mint, [(PROD, ac(PROD, "Admin")), (DEV, ac(DEV, "Admin")),
                                (SANDBOX, ac(SANDBOX, "PowerUser")),
                                (PROD, ac(PROD, "Billing"))])
        # still fresh, no --force: nothing is asked of the portal
        n = len(self.calls())
        r = self.ok("login")
        self.assertIn("are valid until", r.stderr.decode())
        self.assertEqual(len(self.calls()), n)

    def test_list_roles_text_and_json(self):
        r = self.ok("list-roles")
        self.assertEqual(r.stderr.decode().count(DEVICE_LINE), 1, r.stderr)
        text = r.stdout.decode().splitlines()
        self.assertEqual(text[0], "Account Production (%s)" % PROD)
        self.assertIn("Account Dev Team (%s)" % DEV, text)
        self.assertIn("Account Sandbox (%s)" % SANDBOX, text)
        self.assertTrue(any(l.split() == ["PowerUser", synthetic_arn(SANDBOX, "PowerUser")]
                            for l in text), text)
        self.assertEqual(len(text), 3 + 5)
        r = self.ok("list-roles", "--output", "json")
        self.assertEqual(r.stderr, b"")  # the kept token: no device login
        js = json.loads(r.stdout)
        accounts = {a["account_id"]: a for a in js["accounts"]}
        self.assertEqual(sorted(accounts), [PROD, DEV, SANDBOX])
        self.assertEqual(accounts[DEV]["alias"], "Dev Team")
        names = sorted(x["role_name"] for x in accounts[PROD]["roles"])
        self.assertEqual(names, ["Admin", "Billing", "ReadOnly"])
        ro = [x for x in accounts[PROD]["roles"] if x["role_name"] == "ReadOnly"][0]
        self.assertEqual(ro["access_configuration_id"], ac(PROD, "ReadOnly"))
        self.assertEqual(ro["role_arn"], synthetic_arn(PROD, "ReadOnly"))
        self.assertIsNone(ro["provider_arn"])
        self.assertEqual(self.calls("/cloud-credentials"), [])  # nothing minted

    def test_all_roles_across_accounts(self):
        self.write_config("account_aliases = %s=sbx\n" % SANDBOX)
        r = self.ok("login", "--all-roles")
        err = r.stderr.decode()
        want = {"Production-Admin", "Production-Billing", "Production-ReadOnly",
                "Dev-Team-Admin", "sbx-PowerUser"}
        got = set()
        for line in err.splitlines():
            if line.startswith("Logged in: profile "):
                got.add(line.split()[3].rstrip(","))
        self.assertEqual(got, want, err)
        self.assertEqual(len(self.calls("/cloud-credentials")), 5)
        for p in want:
            c = self.creds(p)
            self.assertTrue(c["access_key_id"].startswith("STS."))
        st = self.ok("status", "--output", "json")
        profiles = {x["profile"]: x for x in json.loads(st.stdout)["profiles"]}
        self.assertEqual(profiles["sbx-PowerUser"]["role_arn"],
                         synthetic_arn(SANDBOX, "PowerUser"))

    def test_refresh_by_twenty_callers_mints_once(self):
        admin = ac(PROD, "Admin")
        self.sso.duration(admin, 4)  # stale 2 s after the login
        self.ok("login", "--role", "Production/Admin")
        first = self.creds()["access_key_id"]
        time.sleep(2.3)
        self.sso.duration(admin, 3600)
        before = len(self.calls("/cloud-credentials"))
        procs = [self.popen([BIN, "--config", self.config, "credential-process",
                                 "--profile", "default"]) for _ in range(20)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(err, b"")
        keys = {json.loads(out)["access_key_id"] for out, _ in outs}
        self.assertEqual(len(keys), 1, keys)
        self.assertNotIn(first, keys)
        new = self.calls("/cloud-credentials")[before:]
        self.assertEqual(len(new), 1, new)
        self.assertEqual((new[0]["account"], new[0]["access_config"]), (PROD, admin))
        self.assertEqual(len(self.calls("/device-authorization")), 1)

    def test_expired_access_token_needs_a_login(self):
        admin = ac(PROD, "Admin")
        self.sso.settings(token_ttl=3)
        self.sso.duration(admin, 2)
        self.ok("login", "--role", "Production/Admin")
        time.sleep(3.2)
        n = len(self.calls())
        r = self.fails(8, "credential-process", "--profile", "default")
        self.assertRegex(r.stderr.decode(), r"expired at .*: run saml2sts login --profile default")
        self.assertEqual(len(self.calls()), n)  # the client knew: no call
        # the portal refuses a token the client still holds valid: the same
        self.sso.settings(token_ttl=28800)
        self.sso.duration(admin, 2)
        self.ok("login", "--role", "Production/Admin")
        self.sso.expire_tokens()
        time.sleep(2.2)
        r = self.fails(8, "credential-process", "--profile", "default")
        self.assertIn("run saml2sts login", r.stderr.decode())
        self.assertEqual(self.calls("/cloud-credentials")[-1]["error_code"], "InvalidToken")
        # a login then signs in again (the refused token is dropped)
        devices = len(self.calls("/device-authorization"))
        self.sso.duration(admin, 3600)
        self.ok("login", "--role", "Production/Admin")
        self.assertEqual(len(self.calls("/device-authorization")), devices + 1)
        self.creds()

    def test_logout_all_removes_the_token(self):
        self.ok("login", "--role", "Production/Admin")
        env = dict(self.bed.keyring.env)
        env["PATH"] = "/usr/bin:/bin"
        found = subprocess.run(["secret-tool", "search", "--all", "kind", "cloudsso-token"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=30)
        self.assertIn(b"profile = default", found.stdout + found.stderr)
        self.ok("logout", "--all")
        found = subprocess.run(["secret-tool", "search", "--all", "kind", "cloudsso-token"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=30)
        self.assertNotIn(b"cloudsso-token", found.stdout + found.stderr)
        n = len(self.calls("/device-authorization"))
        self.ok("login", "--role", "Production/Admin")
        self.assertEqual(len(self.calls("/device-authorization")), n + 1)

    def test_no_token_or_secret_in_files_or_debug_output(self):
        admin = ac(PROD, "Admin")
        self.sso.duration(admin, 4)
        r = self.ok("--debug", "login", "--role", "Production/Admin")
        debug = r.stderr
        self.assertIn(b"saml2sts: debug: ", debug)
        time.sleep(2.3)  # stale: the next call refreshes through the portal
        r = self.ok("--debug", "credential-process", "--profile", "default")
        debug += r.stderr
        self.assertIn(b"/cloud-credentials", r.stderr)
        self.ok("--debug", "list-roles")
        secrets = [t["AccessToken"] for t in self.sso.tokens()]
        for c in self.sso.issued():
            secrets += [c["AccessKeySecret"], c["SecurityToken"]]
        self.assertGreater(len(secrets), 4)
        for s in secrets:
            self.assertNotIn(s.encode(), debug)
        self.assertIn(b"Authorization: <redacted>", debug)
        for root, _, files in os.walk(self.bed.home):
            for name in files:
                path = os.path.join(root, name)
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                for s in secrets:
                    self.assertNotIn(s.encode(), data, path)


class CloudSSOTerminalTest(CloudSSOCase):
    """On a terminal (tmux): the countdown while waiting, then the picker."""

    @unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
    def test_countdown_then_picker(self):
        self.sso.settings(auto_approve_after=0)
        tmp = tempfile.mkdtemp(dir=self.bed.dir)
        sock, status = os.path.join(tmp, "tmux"), os.path.join(tmp, "status")
        env = dict(self.bed.env)
        env["TERM"] = "xterm-256color"
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        cmd = "env -i %s %s --config %s login; echo EXIT=$? > %s; sleep 60" % (
            envs, shlex.quote(BIN), shlex.quote(self.config), shlex.quote(status))

        def tmux(*a):
            return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null"] + list(a),
                                  stdout=subprocess.PIPE, timeout=20,
                                  check=True).stdout.decode()

        def wait_for(text, timeout=30):
            end = time.time() + timeout
            while time.time() < end:
                s = tmux("capture-pane", "-p")
                if text in s:
                    return s
                time.sleep(0.1)
            self.fail("%r never shown:\n%s" % (text, s))

        tmux("new-session", "-d", "-x", "100", "-y", "30", "sh", "-c", cmd)
        try:
            s = wait_for(" left")
            self.assertIn(DEVICE_LINE, s)
            self.assertRegex(s, r"Waiting for the sign-in in the browser . (9|10):\d\d left")
            self.sso.approve()
            s = wait_for("Choose a role")
            self.assertIn("Dev Team", s)
            for ch in "sand/pow":
                tmux("send-keys", "-l", ch)
            wait_for("1/5 roles")
            tmux("send-keys", "Enter")
            end = time.time() + 30
            while not os.path.exists(status) and time.time() < end:
                time.sleep(0.1)
            with open(status) as f:
                self.assertEqual(f.read().strip(), "EXIT=0", tmux("capture-pane", "-p"))
        finally:
            subprocess.run(["tmux", "-S", sock, "kill-server"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mint = self.calls("/cloud-credentials")
        self.assertEqual([(c["account"], c["access_config"]) for c in mint],
                         [(SANDBOX, ac(SANDBOX, "PowerUser"))])


if __name__ == "__main__":
    unittest.main(verbosity=2)
