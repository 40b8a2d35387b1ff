#!/usr/bin/python3
"""End-to-end tests of the built saml2sts binary against a real
SimpleSAMLphp IdP, the STS emulator and a real gnome-keyring on a private
D-Bus session (tests/integration/testbed.py).

Run by CTest with SAML2STS_BIN set; standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_cli.py
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))

UID = "1234567890123456"
ADMIN = "acs:ram::%s:role/admin" % UID
READONLY = "acs:ram::%s:role/readonly" % UID
PROVIDER = "acs:ram::%s:saml-provider/testidp" % UID
EXTERNAL_KEYS = ["mode", "access_key_id", "access_key_secret", "sts_token",
                 "expiration"]
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class CLITest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.n = 0
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.run_ok("configure", "--provider", "simplesamlphp", "--url",
                    self.tb.idp.url_cn, "--username", "alice",
                    "--sts-endpoint", self.tb.sts.url, "--profile",
                    self.profile())
        self.tb.sts.clear_faults()
        self.tb.sts.set_clock(offset=0)

    def tearDown(self):
        self.s2s("logout", "--all")

    # -- helpers
    def profile(self):
        return "p-" + self._testMethodName

    def s2s(self, *args, password="alice-pass", stdin=None, env=None,
            config=True):
        extra = {}
        if password is not None:
            extra["SAML2STS_PASSWORD"] = password
        extra.update(env or {})
        argv = [BIN] + (["--config", self.config] if config else []) + list(args)
        return self.tb.run(argv, extra_env=extra,
                           input=stdin.encode() if stdin is not None else None,
                           stdin=None if stdin is not None else subprocess.DEVNULL,
                           timeout=60)

    def run_ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "saml2sts %s: rc %d\nstdout %s\nstderr %s" % (
            " ".join(args), r.returncode, r.stdout.decode(), r.stderr.decode()))
        return r

    def test_configure_says_what_is_missing(self):
        # saved (exit 0), and the engine's own check names what is missing
        r = self.run_ok("-a", "ol", "configure", "--provider", "onelogin",
                        "--url", "https://corp.onelogin.com")
        self.assertIn(b"Not ready to log in yet: onelogin.client_id must be "
                      b"set", r.stderr)
        self.assertIn(b"configure --set onelogin.client_id=", r.stderr)
        r = self.run_ok("-a", "ol", "configure", "--set",
                        "onelogin.client_id=abc", "--set", "onelogin.app_id=1",
                        "--set", "onelogin.subdomain=corp")
        self.assertNotIn(b"Not ready", r.stderr)
        # a complete account says nothing of the kind
        r = self.run_ok("configure", "--region", "cn-shanghai")
        self.assertNotIn(b"Not ready", r.stderr)

    def assert_fails(self, rc, pattern, *args, **kw):
        r = self.s2s(*args, **kw)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, rc, "saml2sts %s: rc %d, stderr %r" % (
            " ".join(args), r.returncode, err))
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, "%s: not one line: %r" % (args, err))
        self.assertTrue(lines[0].startswith("saml2sts: "), lines[0])
        self.assertRegex(lines[0], pattern)
        self.assertEqual(r.stdout, b"")
        return r

    def set_key(self, key, value):
        self.run_ok("configure", "--set", "%s=%s" % (key, value))

    def calls(self):
        return self.tb.sts_calls()

    def login_admin(self, *extra):
        before = len(self.calls())
        r = self.run_ok("login", "--role", "admin", *extra)
        self.assertEqual(len(self.calls()), before + 1)
        return r

    def cred_process(self, *extra, **kw):
        r = self.run_ok("credential-process", "--profile", self.profile(),
                        *extra, **kw)
        return json.loads(r.stdout)

    # -- the happy path
    def test_login_then_credential_process_from_keyring(self):
        before = len(self.calls())
        r = self.login_admin()
        self.assertEqual(r.stdout, b"")
        self.assertRegex(r.stderr.decode(),
                         r"Logged in: profile %s, account %s, role admin, "
                         r"expires .* \((59|60) min\)" % (self.profile(), UID))
        call = self.calls()[before]
        self.assertEqual(call["role_arn"], ADMIN)
        self.assertEqual(call["provider_arn"], PROVIDER)
        self.assertEqual(call["status"], 200)
        issued = self.tb.sts.issued()[-1]

        n = len(self.calls())
        r = self.run_ok("--debug", "credential-process", "--profile",
                        self.profile())
        out = json.loads(r.stdout)
        self.assertEqual(list(out), EXTERNAL_KEYS)
        self.assertEqual(out["mode"], "StsToken")
        self.assertTrue(out["access_key_id"].startswith("STS."))
        self.assertEqual(out["access_key_id"], issued["AccessKeyId"])
        self.assertEqual(out["access_key_secret"], issued["AccessKeySecret"])
        self.assertEqual(out["sts_token"], issued["SecurityToken"])
        self.assertRegex(out["expiration"], TIME_RE)
        self.assertEqual(out["expiration"], issued["Expiration"])
        self.assertEqual(r.stdout.count(b"\n"), 1)
        # no network at all while the token is fresh
        self.assertEqual(len(self.calls()), n)
        self.assertNotIn("> GET", r.stderr.decode())
        self.assertNotIn("> POST", r.stderr.decode())
        # and the other output formats carry the same token
        aws = self.cred_process("--format", "aws")
        self.assertEqual(aws["Version"], 1)
        self.assertEqual(aws["SessionToken"], issued["SecurityToken"])
        uri = self.cred_process("--format", "json")
        self.assertEqual(uri["Code"], "Success")
        self.assertEqual(uri["AccessKeySecret"], issued["AccessKeySecret"])

    def test_login_is_skipped_while_fresh_unless_forced(self):
        self.login_admin()
        n = len(self.calls())
        r = self.run_ok("login", "--role", ADMIN)
        self.assertIn("valid until", r.stderr.decode())
        self.assertEqual(len(self.calls()), n)
        self.run_ok("login", "--role", ADMIN, "--force")
        self.assertEqual(len(self.calls()), n + 1)

    def test_password_stdin(self):
        before = len(self.calls())
        self.run_ok("login", "--role", "readonly", "--password-stdin",
                    password=None, stdin="alice-pass\n")
        self.assertEqual(self.calls()[before]["role_arn"], READONLY)

    def test_role_spellings(self):
        for spec, arn in (("%s/readonly" % UID, READONLY), (ADMIN, ADMIN),
                          ("work/admin", ADMIN)):
            self.set_key("account_aliases", "%s=work" % UID)
            before = len(self.calls())
            self.run_ok("login", "--force", "--role", spec)
            self.assertEqual(self.calls()[before]["role_arn"], arn, spec)

    def test_duration_capped_by_session_duration(self):
        # gina's assertion says SessionDuration=1200
        self.set_key("username", "gina")
        before = len(self.calls())
        self.run_ok("login", "--duration", "3600", password="gina-pass")
        call = self.calls()[before]
        self.assertEqual(int(call["duration"]), 1200)

    def test_session_duration_from_config(self):
        self.set_key("session_duration", "1800")
        before = len(self.calls())
        self.login_admin()
        self.assertEqual(int(self.calls()[before]["duration"]), 1800)

    def test_several_roles_get_their_own_profiles(self):
        before = len(self.calls())
        self.run_ok("login", "--role", "admin", "--role", "readonly")
        self.assertEqual(len(self.calls()), before + 2)
        st = json.loads(self.run_ok("status", "--output", "json").stdout)
        names = {p["profile"]: p["role_arn"] for p in st["profiles"]}
        self.assertEqual(names.get("%s-admin" % UID), ADMIN)
        self.assertEqual(names.get("%s-readonly" % UID), READONLY)

    def test_all_roles_with_template_and_alias(self):
        self.set_key("username", "carol")
        self.set_key("account_aliases", "%s=prod, 6543210987654321=audit" % UID)
        self.set_key("profile_template", "corp-{account}-{role}")
        self.run_ok("login", "--all-roles", password="carol-pass")
        st = json.loads(self.run_ok("status", "--output", "json").stdout)
        names = sorted(p["profile"] for p in st["profiles"])
        self.assertEqual(names, ["corp-audit-auditor", "corp-prod-admin"])

    # -- hand-off
    def test_exec_sets_and_clears_the_environment(self):
        self.login_admin()
        issued = self.tb.sts.issued()[-1]
        script = ("import json,os; print(json.dumps({k: v for k, v in "
                  "os.environ.items()}))")
        r = self.run_ok("exec", "--profile", self.profile(), "--",
                        sys.executable, "-c", script,
                        env={"ALIBABACLOUD_ACCESS_KEY_ID": "old",
                             "ACCESS_KEY_ID": "old",
                             "ALIBABA_CLOUD_CREDENTIALS_URI": "http://x",
                             "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/x"})
        env = json.loads(r.stdout)
        for k in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY",
                  "OSS_ACCESS_KEY_ID"):
            self.assertEqual(env[k], issued["AccessKeyId"], k)
        for k in ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY",
                  "OSS_ACCESS_KEY_SECRET"):
            self.assertEqual(env[k], issued["AccessKeySecret"], k)
        for k in ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN",
                  "OSS_SESSION_TOKEN"):
            self.assertEqual(env[k], issued["SecurityToken"], k)
        self.assertEqual(env["ALIBABA_CLOUD_REGION_ID"], "cn-hangzhou")
        self.assertEqual(env["SAML2STS_PROFILE"], self.profile())
        self.assertEqual(env["SAML2STS_EXPIRATION"], issued["Expiration"])
        for k in ("ALIBABACLOUD_ACCESS_KEY_ID", "ACCESS_KEY_ID",
                  "ALIBABA_CLOUD_CREDENTIALS_URI",
                  "ALIBABA_CLOUD_OIDC_TOKEN_FILE"):
            self.assertNotIn(k, env)

    def test_exec_exit_status_and_nesting(self):
        self.login_admin()
        r = self.s2s("exec", "--profile", self.profile(), "--", "sh", "-c",
                     "exit 7")
        self.assertEqual(r.returncode, 7)
        self.assert_fails(127, "cannot run no-such-command-here", "exec",
                          "--profile", self.profile(), "--",
                          "no-such-command-here")
        # the guard reads the marker only exec sets (SAML2STS_PROFILE
        # alone comes from export: tests/integration/test_shell_init.py)
        self.assert_fails(2, "already inside saml2sts exec for profile 'other'",
                          "exec", "--profile", self.profile(), "--", "true",
                          env={"SAML2STS_EXEC": "other"})

    def test_export_formats(self):
        self.login_admin()
        issued = self.tb.sts.issued()[-1]
        sh = self.run_ok("export", "--profile", self.profile()).stdout.decode()
        r = subprocess.run(["sh", "-c", sh + '\nprintf %s "$ALIBABA_CLOUD_SECURITY_TOKEN"'],
                           stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})
        self.assertEqual(r.stdout.decode(), issued["SecurityToken"])
        js = json.loads(self.run_ok("export", "--profile", self.profile(),
                                    "--format", "json").stdout)
        self.assertEqual(js["AccessKeyId"], issued["AccessKeyId"])
        dotenv = self.run_ok("export", "--profile", self.profile(), "--format",
                             "dotenv").stdout.decode()
        self.assertIn('ALIBABA_CLOUD_ACCESS_KEY_ID="%s"\n' % issued["AccessKeyId"], dotenv)
        self.assert_fails(2, "--format must be", "export", "--format", "csh")

    def test_status_and_logout(self):
        r = self.run_ok("status")
        self.login_admin()
        r = self.run_ok("status")
        line = [l for l in r.stdout.decode().splitlines()
                if l.startswith(self.profile())]
        self.assertEqual(len(line), 1, r.stdout)
        self.assertIn(ADMIN, line[0])
        self.assertIn("secret-service", line[0])
        js = json.loads(self.run_ok("status", "--output", "json").stdout)
        mine = [p for p in js["profiles"] if p["profile"] == self.profile()]
        self.assertEqual(mine[0]["role_arn"], ADMIN)
        self.assertEqual(mine[0]["account"], "default")
        self.assertGreater(mine[0]["remaining_seconds"], 3000)
        self.assertEqual(mine[0]["backend"], "secret-service")
        self.run_ok("logout", "--profile", self.profile())
        self.assert_fails(8, "no credentials for profile '%s': run saml2sts login"
                          % self.profile(), "credential-process", "--profile",
                          self.profile())
        r = self.run_ok("logout", "--profile", self.profile())
        self.assertIn("Nothing stored", r.stderr.decode())

    # -- refresh
    def test_expired_token_is_refreshed_silently_or_needs_login(self):
        # The stored token is aged by 2 h: it has expired by our clock
        # (an STS answer that is already expired is refused).
        self.login_admin()
        subprocess.run([os.path.join(os.path.dirname(BIN), "s2s-test-age-creds"),
                        self.profile(), "7200"], env=self.tb.env, check=True,
                       timeout=60, cwd=self.tb.home)
        self.assert_fails(8, "expired at .*: run saml2sts login",
                          "credential-process", "--profile", self.profile(),
                          password=None)
        n = len(self.calls())
        out = self.cred_process()  # SAML2STS_PASSWORD set: silent refresh
        self.assertEqual(len(self.calls()), n + 1)
        self.assertEqual(out["access_key_id"], self.tb.sts.issued()[-1]["AccessKeyId"])
        # the refreshed token is stored: no further STS call
        self.cred_process()
        self.assertEqual(len(self.calls()), n + 1)

    # -- failures
    def test_wrong_password_is_exit_3(self):
        n = len(self.calls())
        self.assert_fails(3, "rejected the username or password", "login",
                          "--role", "admin", password="wrong")
        self.assertEqual(len(self.calls()), n)

    def test_user_without_roles_is_exit_10(self):
        self.set_key("username", "dave")
        self.assert_fails(10, "grants no Alibaba Cloud role", "login",
                          password="dave-pass")

    def test_role_not_granted_is_exit_10_before_sts(self):
        n = len(self.calls())
        self.assert_fails(10, "role 'developer' is not granted", "login",
                          "--role", "developer")
        self.assertEqual(len(self.calls()), n)

    def test_sts_error_is_exit_6_with_code(self):
        self.set_key("username", "erin")
        self.assert_fails(6, "STS EntityNotExist.Role", "login",
                          password="erin-pass")

    def test_sts_internal_error_is_retried(self):
        self.tb.sts.inject_fault(code="InternalError", status=500, count=1)
        n = len(self.calls())
        self.assert_fails(6, "InternalError", "login", "--role", "admin")
        self.tb.sts.inject_fault(code="ServiceUnavailable", status=503, count=1)
        self.login_admin  # noqa: B018 - documented below
        r = self.s2s("login", "--role", "admin")
        self.assertEqual(r.returncode, 0, r.stderr)
        # 500 is not retried (the request may have been processed); the 503
        # was retried once
        self.assertEqual(len(self.calls()), n + 3)

    def test_idp_down_is_exit_9(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.set_key("url", "http://127.0.0.1:%d/simplesaml/x" % port)
        self.assert_fails(9, "cannot reach 127.0.0.1", "login")

    def test_no_role_choice_without_terminal_is_exit_8(self):
        r = self.assert_fails(8, "2 roles granted and no --role given", "login")
        self.assertIn(ADMIN, r.stderr.decode())
        self.assertIn(READONLY, r.stderr.decode())

    def test_no_password_without_terminal_is_exit_8(self):
        self.assert_fails(8, "a password is needed", "login", "--role",
                          "admin", password=None)
        self.assert_fails(8, "a password is needed", "login", "--role",
                          "admin", "--skip-prompt", password=None)

    def test_store_unavailable_is_exit_7(self):
        nobus = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
                 "SAML2STS_KEYRING_BACKEND": "secret-service"}
        self.assert_fails(7, "secret service", "status", env=nobus)
        self.assert_fails(7, "secret service", "login", "--role", "admin",
                          env=nobus)
        self.assert_fails(7, "secret service", "credential-process",
                          env=nobus)

    def test_locked_keyring_is_exit_7_not_not_found(self):
        self.login_admin()
        self.tb.keyring.lock()
        try:
            self.assert_fails(7, "locked", "credential-process", "--profile",
                              self.profile())
            self.assert_fails(7, "locked", "credential-process", "--profile",
                              "never-stored")
        finally:
            self.tb.keyring.unlock()
        # nothing was deleted by the failed reads
        self.cred_process()

    def test_unknown_config_key_names_file_and_line(self):
        with open(self.config, "a") as f:
            f.write("colour = blue\n")
        self.assert_fails(2, r"cfg-.*:\d+: unknown key 'colour'|cfg-.*:\d+: .*colour",
                          "status")

    def test_usage_errors_are_exit_2(self):
        self.assert_fails(2, "unknown command 'logn'", "logn")
        self.assert_fails(2, "--duration must be", "login", "--duration", "60")
        self.assert_fails(2, "site must be cn or intl", "configure", "--site",
                          "mars")
        self.assert_fails(2, "no IdP account 'nope'", "-a", "nope", "login")

    def test_list_roles_text_and_json(self):
        self.set_key("username", "carol")
        self.set_key("account_aliases", "6543210987654321=audit")
        r = self.run_ok("list-roles", password="carol-pass")
        self.assertEqual(r.stdout.decode(),
                         "Account %s\n  %-20s %s\n"
                         "Account audit (6543210987654321)\n  %-20s %s\n" % (
                             UID, "admin", ADMIN, "auditor",
                             "acs:ram::6543210987654321:role/auditor"))
        js = json.loads(self.run_ok("list-roles", "--output", "json",
                                    password="carol-pass").stdout)
        self.assertEqual([a["account_id"] for a in js["accounts"]],
                         [UID, "6543210987654321"])
        self.assertEqual(js["accounts"][1]["alias"], "audit")
        self.assertEqual(js["accounts"][1]["roles"][0]["provider_arn"],
                         "acs:ram::6543210987654321:saml-provider/testidp")
        self.assertEqual(js["session_name"], "carol@example.com")

    def test_no_secret_in_any_file_or_output(self):
        r1 = self.login_admin("--debug")
        r2 = self.run_ok("--debug", "credential-process", "--profile",
                         self.profile())
        issued = self.tb.sts.issued()[-1]
        secrets = [issued["AccessKeySecret"].encode(),
                   issued["SecurityToken"].encode(), b"alice-pass"]
        for s in secrets:
            self.assertNotIn(s, r1.stderr + r1.stdout)
            self.assertNotIn(s, r2.stderr)
        # --debug shows form field names, values redacted (lib/redact.c)
        self.assertNotRegex(r1.stderr, rb"SAMLResponse=(?!<redacted)")
        self.assertNotRegex(r1.stderr, rb"AuthState=(?!<redacted)")
        for root, _, files in os.walk(self.tb.home):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                for s in secrets:
                    self.assertNotIn(s, data, path)


class IntlSiteTest(unittest.TestCase):
    """The international site: its own ACS and audience, end to end."""

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed(site="intl").start()

    @classmethod
    def tearDownClass(cls):
        cls.tb.stop()

    def s2s(self, *args):
        cfg = os.path.join(self.tb.home, "intl.cfg")
        return self.tb.run([BIN, "--config", cfg] + list(args),
                           extra_env={"SAML2STS_PASSWORD": "bob-pass"},
                           stdin=subprocess.DEVNULL)

    def configure(self, url):
        r = self.s2s("configure", "--provider", "form", "--site", "intl",
                     "--url", url, "--username", "bob", "--sts-endpoint",
                     self.tb.sts.url, "--region", "ap-southeast-1")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_intl_login(self):
        self.configure(self.tb.idp.url_intl)
        r = self.s2s("login")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.tb.sts_calls()[-1]["status"], 200)
        r = self.s2s("exec", "--", "sh", "-c", "echo $ALIBABA_CLOUD_REGION_ID")
        self.assertEqual(r.stdout, b"ap-southeast-1\n")

    def test_cn_assertion_is_refused_by_intl_sts(self):
        self.configure(self.tb.idp.url_cn)
        r = self.s2s("login", "--force")
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn(b"AuthenticationFail.SAMLAssertion.Invalid", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
