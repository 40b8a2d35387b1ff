#!/usr/bin/python3
"""Profiles that mean one role, the current profile, the kept IdP session
per username, and a status that fits 80 columns (issue 15, points 1, 2,
4 and 7).  Real SimpleSAMLphp IdP, STS emulator and a private
gnome-keyring (testbed.py); the questions on a terminal through tmux (the
harness of test_picker.py), the terminal table through a pty.

Run by CTest with SAML2STS_BIN set; standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_profiles.py
"""

import json
import os
import pty
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402
from test_picker import Term  # noqa: E402
from cloudsso_bed import PROD  # noqa: E402
from test_cloudsso import CloudSSOCase, ac, synthetic_arn  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
AGE = os.path.join(os.path.dirname(BIN), "s2s-test-age-creds")

UID = testbed.ACCT
ADMIN = "acs:ram::%s:role/admin" % UID
READONLY = "acs:ram::%s:role/readonly" % UID
DEVELOPER = "acs:ram::%s:role/developer" % UID
SCHEMA = "org.saml2sts.Credential"


class ProfilesTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.terms = []
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.configure()
        self.tb.sts.clear_faults()

    def tearDown(self):
        for t in self.terms:
            t.close()
        self.s2s("logout", "--all")
        self.s2s("use", "--unset")
        self.dir.cleanup()

    # -- helpers
    def configure(self, *extra, account=None, user="alice"):
        self.ok(*((["-a", account] if account else []) +
                  ["configure", "--provider", "simplesamlphp", "--url",
                   self.tb.idp.url_cn, "--username", user, "--sts-endpoint",
                   self.tb.sts.url] + list(extra)))

    def s2s(self, *args, password="alice-pass", env=None, timeout=60):
        extra = dict(env or {})
        if password is not None:
            extra["SAML2STS_PASSWORD"] = password
        return self.tb.run([BIN, "--config", self.config] + list(args),
                           extra_env=extra, stdin=subprocess.DEVNULL,
                           timeout=timeout)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "saml2sts %s: rc %d\n%s%s" % (
            " ".join(args), r.returncode, r.stdout.decode(),
            r.stderr.decode()))
        return r

    def fails(self, rc, pattern, *args, **kw):
        """Exit status rc and exactly one error line matching pattern."""
        r = self.s2s(*args, **kw)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, rc, "%s: %r" % (args, err))
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertRegex(lines[0], "^saml2sts: " + pattern)
        return r

    def calls(self):
        return self.tb.sts_calls()

    def stored(self):
        st = json.loads(self.ok("status", "--output", "json").stdout)
        return {p["profile"]: p for p in st["profiles"]}, st

    def key_of(self, *args, **kw):
        r = self.ok("credential-process", *args, **kw)
        return json.loads(r.stdout)["access_key_id"]

    def issued_role(self, key):
        return [i["RoleArn"] for i in self.tb.sts.issued()
                if i["AccessKeyId"] == key][0]

    def state_file(self):
        return os.path.join(self.tb.home, ".local", "state", "saml2sts",
                            "current")

    def term(self, *args, name="t"):
        env = dict(self.tb.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        env["TERM"] = "xterm"
        t = Term(self, [BIN, "--config", self.config] + list(args), env, name)
        self.terms.append(t)
        return t

    def wait_joined(self, t, text, timeout=60):
        """Wait for text on t's screen, wrapped lines joined."""
        end = time.time() + timeout
        while time.time() < end:
            s = t.tmux("capture-pane", "-p", "-J")
            if text in s:
                return s
            time.sleep(0.05)
        self.fail("%r never shown; screen:\n%s" % (text, t.screen()))

    def term_exit(self, t):
        t.finished(timeout=60)
        s = t.screen()
        line = [l for l in s.splitlines() if l.startswith("EXIT=")]
        self.assertTrue(line, s)
        return int(line[-1][5:]), s

    def secret_tool(self, *args, data=None):
        return subprocess.run(["secret-tool"] + list(args), env=self.tb.env,
                              input=data, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30)

    # -- 1. a profile means one role
    def test_login_profile_assumes_its_role_again(self):
        self.ok("login", "--role", "readonly", "--profile", "ro")
        self.ok("login", "--role", "admin")
        # two roles granted, no terminal: without a stored role this is
        # exit 8 with the ARNs; with one it is that role, no picker
        n = len(self.calls())
        r = self.ok("login", "--profile", "ro", "--force")
        self.assertEqual(len(self.calls()), n + 1)
        self.assertEqual(self.calls()[-1]["role_arn"], READONLY)
        self.assertRegex(r.stderr.decode(),
                         r"Logged in: profile ro, account %s, role readonly" % UID)
        # still fresh: nothing to do, as before
        r = self.ok("login", "--profile", "ro")
        self.assertIn("Credentials of profile ro are valid until", r.stderr.decode())
        self.assertEqual(len(self.calls()), n + 1)
        # the hint of an expired profile now does what it says
        subprocess.run([AGE, "ro", "7200"], env=self.tb.env, check=True,
                       timeout=60, cwd=self.tb.home)
        self.fails(8, r"credentials of 'ro' expired at .*: run saml2sts "
                   r"login --profile ro$", "credential-process", "--profile",
                   "ro", password=None)
        self.ok("login", "--profile", "ro")
        self.assertEqual(self.calls()[-1]["role_arn"], READONLY)
        names, _ = self.stored()
        self.assertEqual(names["ro"]["role_arn"], READONLY)
        self.assertEqual(names["default"]["role_arn"], ADMIN)
        # --role still chooses (and a new profile binds freely)
        self.ok("login", "--profile", "adm2", "--role", "admin")
        self.assertEqual(self.calls()[-1]["role_arn"], ADMIN)

    def test_login_profile_uses_the_account_that_made_it(self):
        # no [default] section at all: the profile knows its account
        with open(self.config, "w") as f:
            f.write("")
        self.configure(account="corp")
        self.ok("-a", "corp", "login", "--role", "readonly", "--profile", "cro")
        n = len(self.calls())
        r = self.ok("login", "--profile", "cro", "--force")
        self.assertEqual(len(self.calls()), n + 1)
        self.assertEqual(self.calls()[-1]["role_arn"], READONLY)
        self.assertEqual(self.stored()[0]["cro"]["account"], "corp")
        self.assertIn(b"profile cro", r.stderr)
        # a profile nobody made, and no such account: the usual error
        self.fails(2, r"no IdP account 'default'", "login", "--profile", "new")

    def test_rebinding_a_profile_needs_force_without_a_terminal(self):
        self.ok("login", "--role", "admin")
        n = len(self.calls())
        self.fails(8, r"profile 'default' holds %s: use --force to store %s "
                   r"there, or --profile NAME$" % (ADMIN, READONLY),
                   "login", "--role", "readonly")
        self.assertEqual(len(self.calls()), n)  # before STS
        self.assertEqual(self.stored()[0]["default"]["role_arn"], ADMIN)
        r = self.ok("login", "--role", "readonly", "--force")
        self.assertEqual(self.stored()[0]["default"]["role_arn"], READONLY)
        self.assertIn("Logged in: profile default", r.stderr.decode())
        # several roles: each under its template name, as before
        r = self.ok("login", "--role", "admin", "--role", "readonly")
        self.assertEqual(r.stderr.decode().count("Logged in: profile %s-" % UID), 2)

    @unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
    def test_rebinding_asks_on_a_terminal(self):
        self.ok("login", "--role", "admin")
        # no: the role goes under its profile_template name
        t = self.term("login", "--role", "readonly", name="no")
        self.wait_joined(t, "Profile default holds admin (%s); replace it "
                         "with readonly (%s) (no: store that as %s-readonly) "
                         "[y/N]: " % (UID, UID, UID))
        t.type("n")
        t.send("Enter")
        rc, screen = self.term_exit(t)
        self.assertEqual(rc, 0, screen)
        self.assertIn("Logged in: profile %s-readonly" % UID, screen)
        names, _ = self.stored()
        self.assertEqual(names["default"]["role_arn"], ADMIN)
        self.assertEqual(names["%s-readonly" % UID]["role_arn"], READONLY)
        # yes: the profile now means the other role
        t = self.term("login", "--role", "readonly", name="yes")
        self.wait_joined(t, "replace it with readonly")
        t.type("y")
        t.send("Enter")
        rc, screen = self.term_exit(t)
        self.assertEqual(rc, 0, screen)
        self.assertIn("Logged in: profile default", screen)
        self.assertEqual(self.stored()[0]["default"]["role_arn"], READONLY)

    # -- 2. the current profile
    def test_current_profile_and_its_precedence(self):
        self.assertEqual(self.ok("use").stdout, b"default\n")
        self.ok("login", "--role", "admin", "--profile", "adm")
        st = os.stat(self.state_file())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(self.state_file()) as f:
            self.assertEqual(f.read(), "adm\n")
        self.assertEqual(self.ok("use").stdout, b"adm\n")
        self.assertEqual(self.issued_role(self.key_of()), ADMIN)
        # several roles leave the current profile alone
        self.ok("login", "--role", "admin", "--role", "readonly")
        self.assertEqual(self.ok("use").stdout, b"adm\n")
        ro = "%s-readonly" % UID
        r = self.ok("use", ro)
        self.assertRegex(r.stderr.decode(),
                         r"^Current profile: %s \(readonly in %s, (59|60) min left\)\n$"
                         % (ro, UID))
        for cmd in (["credential-process"], ["export", "--format", "json"],
                    ["whoami", "--output", "json"]):
            out = json.loads(self.ok(*cmd).stdout)
            if "arn" in out:
                self.assertIn(":assumed-role/readonly/", out["arn"])
                self.assertEqual(out["profile"], ro)
            else:
                key = out.get("access_key_id") or out.get("AccessKeyId")
                self.assertEqual(self.issued_role(key), READONLY)
        names, st = self.stored()
        self.assertEqual(st["current"], ro)
        self.assertEqual([p for p in names if names[p]["current"]], [ro])
        # SAML2STS_PROFILE (exec, export) outranks it; -a outranks both
        env = {"SAML2STS_PROFILE": "adm"}
        self.assertEqual(self.issued_role(self.key_of(env=env)), ADMIN)
        self.assertEqual(self.ok("use", env=env).stdout, b"adm\n")
        r = self.ok("use", ro, env=env)
        self.assertIn("SAML2STS_PROFILE=adm in this environment outranks it",
                      r.stderr.decode())
        r = self.fails(8, r"no credentials for profile 'default'; stored: "
                       r"\S+.*adm.*: use --profile NAME \(or saml2sts use "
                       r"NAME\), or run saml2sts login --profile default$",
                       "-a", "default", "credential-process", env=env)
        # a profile that holds nothing cannot be made current
        self.fails(8, r"no credentials for profile 'nosuch'; stored: ",
                   "use", "nosuch")
        self.fails(2, r"", "use", "a", "b")
        with open(self.state_file()) as f:
            self.assertEqual(f.read(), ro + "\n")
        # a single-role login makes its profile current, also when its
        # credentials were still valid
        self.ok("login", "--profile", "adm")
        self.assertEqual(self.ok("use").stdout, b"adm\n")
        # logged out: no longer current; the account's profile again
        self.ok("logout", "--profile", "adm")
        self.assertEqual(self.ok("use").stdout, b"default\n")
        self.ok("use", ro)
        self.ok("use", "--unset")
        self.assertFalse(os.path.exists(self.state_file()))
        self.assertEqual(self.ok("use").stdout, b"default\n")

    def test_hint_names_the_stored_profiles(self):
        # nothing else stored: the old hint, word for word
        self.fails(8, r"no credentials for profile 'default': run saml2sts "
                   r"login --profile default$", "credential-process")
        self.ok("login", "--all-roles")
        r = self.fails(8, r"no credentials for profile 'default'; stored: "
                       r"%s-admin, %s-readonly: use --profile NAME" % (UID, UID),
                       "credential-process")
        self.assertNotIn(b"\x1b", r.stderr)

    # -- 4. the kept IdP session belongs to one username
    def test_kept_session_is_per_username(self):
        self.ok("configure", "--set", "remember_session=true")
        self.ok("login", "--role", "admin")
        found = self.secret_tool("lookup", "xdg:schema", SCHEMA, "profile",
                                 "default/alice", "kind", "idp-session")
        self.assertEqual(found.returncode, 0, found.stderr)
        jar = found.stdout
        self.assertTrue(jar)
        alice = len(self.tb.idp.logins("alice"))
        # another --username never gets alice's session: a password is
        # needed, and with one bob logs in as bob
        self.fails(8, r"a password is needed", "login", "--force",
                   "--username", "bob", "--profile", "bobp", password=None)
        bob = len(self.tb.idp.logins("bob"))
        r = self.ok("login", "--force", "--username", "bob", "--profile",
                    "bobp", password="bob-pass")
        self.assertEqual(len(self.tb.idp.logins("bob")), bob + 1)
        self.assertIn("role developer", r.stderr.decode())
        # each keeps their own: both log in again silently, as themselves
        r = self.ok("login", "--force", "--username", "bob", "--profile",
                    "bobp", password=None)
        self.assertIn("role developer", r.stderr.decode())
        self.assertEqual(self.calls()[-1]["role_arn"], DEVELOPER)
        self.ok("login", "--force", "--role", "admin", password=None)
        self.assertEqual(self.calls()[-1]["role_arn"], ADMIN)
        self.assertEqual(len(self.tb.idp.logins("alice")), alice)
        self.assertEqual(len(self.tb.idp.logins("bob")), bob + 1)
        # a refresh of bob's profile logs in as bob (his kept session),
        # not as the configured alice
        subprocess.run([AGE, "bobp", "7200"], env=self.tb.env, check=True,
                       timeout=60, cwd=self.tb.home)
        key = self.key_of("--profile", "bobp", password=None)
        self.assertEqual(self.issued_role(key), DEVELOPER)
        self.assertEqual(len(self.tb.idp.logins("bob")), bob + 1)

        # an item of an older version, under the account name alone,
        # belongs to the configured username only
        for user in ("alice", "bob"):
            self.secret_tool("clear", "xdg:schema", SCHEMA, "profile",
                             "default/" + user, "kind", "idp-session")
        r = self.secret_tool("store", "--label", "saml2sts idp-session: default",
                             "xdg:schema", SCHEMA, "profile", "default", "kind",
                             "idp-session", "account", "default", data=jar)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.fails(8, r"a password is needed", "login", "--force",
                   "--username", "bob", "--profile", "bobp", password=None)
        self.ok("login", "--force", "--role", "admin", password=None)
        self.assertEqual(len(self.tb.idp.logins("alice")), alice)
        # ... and moves to alice's own item
        keyed = self.secret_tool("lookup", "xdg:schema", SCHEMA, "profile",
                                 "default/alice", "kind", "idp-session")
        self.assertEqual(keyed.returncode, 0, keyed.stderr)
        old = self.secret_tool("lookup", "xdg:schema", SCHEMA, "profile",
                               "default", "kind", "idp-session")
        self.assertNotEqual(old.returncode, 0)
        # status lists no session items
        self.assertEqual(set(self.stored()[0]), {"default", "bobp"})

    def test_browser_profile_is_per_username(self):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:  # never skipped: scripts/deps.sh installs it
            self.fail("chromium is not installed: run scripts/deps.sh")
        self.configure("--set", "browser.args=--proxy-server=http://127.0.0.1:9 "
                       "--proxy-bypass-list=127.0.0.1;localhost", account="web")
        data = os.path.join(self.tb.env["XDG_DATA_HOME"], "saml2sts", "browser")
        self.ok("-a", "web", "login", "--headless", "--role", "admin",
                "--profile", "webp", timeout=120)
        self.assertTrue(os.path.isdir(os.path.join(data, "web")))
        # the browser keeps alice's IdP session: bob never gets it, so a
        # wrong password is bob's failure, not a login as alice
        logins = len(self.tb.idp.logins("alice"))
        r = self.s2s("-a", "web", "login", "--headless", "--force",
                     "--username", "bob", "--profile", "bobweb",
                     password="wrong-password", timeout=120)
        self.assertEqual(r.returncode, 3, r.stderr.decode())
        r = self.ok("-a", "web", "login", "--headless", "--force",
                    "--username", "bob", "--profile", "bobweb",
                    password="bob-pass", timeout=120)
        self.assertIn("role developer", r.stderr.decode())
        self.assertTrue(os.path.isdir(os.path.join(data, "web~bob")))
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)

    # -- 7. status fits 80 columns
    def status_on_a_terminal(self, *args):
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([BIN, "--config", self.config, "status"] + list(args),
                                 env=self.tb.env, stdin=subprocess.DEVNULL,
                                 stdout=slave, stderr=subprocess.PIPE,
                                 cwd=self.tb.home)
            os.close(slave)
            out = b""
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the other side is closed
                    break
                if not chunk:
                    break
                out += chunk
            self.assertEqual(p.wait(timeout=30), 0, p.stderr.read())
            p.stderr.close()
        finally:
            os.close(master)
        return out.decode().replace("\r\n", "\n")

    def test_status_fits_80_columns(self):
        uids = testbed.FRANK_ACCOUNTS
        self.configure("--set", "account_aliases=%s=production-eu-central, "
                       "%s=staging" % (uids[0], uids[1]), user="frank")
        self.ok("login", "--all-roles", password="frank-pass")
        self.ok("use", "production-eu-central-billing")
        text = self.status_on_a_terminal()
        lines = text.splitlines()
        self.assertEqual(len(lines), 1 + 12 + 1, text)
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
            self.assertNotIn("acs:ram::", line)
        self.assertRegex(lines[0], r"^  PROFILE +ACCOUNT +ROLE +LEFT$")
        cur = [l for l in lines if l.startswith("* ")]
        self.assertEqual(len(cur), 1, text)
        # the profile whole, the alias cut before the uid, the role name
        self.assertRegex(cur[0], r"^\* production-eu-central-billing +"
                         r"produ\S*~ \(%s\) +billing +(59|60)m$" % uids[0])
        self.assertRegex(text, r"(?m)^  staging-developer +staging \(%s\) +"
                         r"developer +(59|60)m$" % uids[1])
        self.assertRegex(text, r"(?m)^  %s-admin +%s +admin +(59|60)m$"
                         % (uids[2], uids[2]))
        self.assertEqual("store: secret-service; *: the current profile; "
                         "--wide: ARNs, expiry times", lines[-1])
        # --wide: everything, as before, the current one said in words
        wide = self.status_on_a_terminal("--wide")
        self.assertIn("acs:ram::%s:role/billing" % uids[0], wide)
        self.assertRegex(wide, r"(?m)^production-eu-central-billing .*"
                         r"secret-service  \(current\)$")
        # not a terminal: the wide table (scripts keep working)
        piped = self.ok("status").stdout.decode()
        self.assertIn("acs:ram::%s:role/admin" % uids[2], piped)
        self.assertTrue(piped.startswith("PROFILE "), piped)
        # JSON: the same fields plus "current"
        names, st = self.stored()
        self.assertEqual(st["current"], "production-eu-central-billing")
        one = names["staging-admin"]
        self.assertEqual(list(one), ["profile", "account", "role_arn",
                                     "account_id", "account_alias", "expiration",
                                     "remaining_seconds", "backend", "current"])
        self.assertFalse(one["current"])

    def test_status_marks_the_account_profile_and_cuts_long_names(self):
        long = "p-" + "x" * 60
        self.ok("login", "--role", "admin", "--profile", long)
        self.ok("login", "--role", "readonly")
        # no current profile: the account's profile is the one marked
        self.ok("use", "--unset")
        text = self.status_on_a_terminal()
        for line in text.splitlines():
            self.assertLessEqual(len(line), 80, line)
        self.assertRegex(text, r"(?m)^\* default +%s +readonly +" % UID)
        self.assertRegex(text, r"(?m)^  p-x+~ ")



class CloudSSOProfilesTest(CloudSSOCase):
    """A CloudSSO profile means one access configuration."""

    def test_login_profile_assumes_its_access_configuration_again(self):
        self.ok("login", "--role", "Production/Admin", "--profile", "prod")
        self.ok("login", "--role", "Dev Team/Admin")
        n = len(self.calls("/cloud-credentials"))
        r = self.ok("login", "--profile", "prod", "--force")
        mint = self.calls("/cloud-credentials")[n:]
        self.assertEqual([(c["account"], c["access_config"]) for c in mint],
                         [(PROD, ac(PROD, "Admin"))])
        self.assertIn("Logged in: profile prod, account Production", r.stderr.decode())
        self.assertEqual(self.calls("/device-authorization"),
                         self.calls("/device-authorization")[:1])
        r = self.fails(8, "login", "--role", "Production/Billing", "--profile",
                       "prod")
        self.assertIn("profile 'prod' holds %s: use --force"
                      % synthetic_arn(PROD, "Admin"), r.stderr.decode())
        self.assertEqual(len(self.calls("/cloud-credentials")), n + 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
