#!/usr/bin/python3
"""A forgiving, helpful config and CLI (issue 15, point 6), end to end
against the testbed (SimpleSAMLphp, the STS emulator, gnome-keyring):

- unknown config keys: an error naming file:line (and the key meant) in
  the section in use, one warning line for the others (on a terminal or
  with --verbose), and commands answering from the store do not fail;
- "did you mean" for commands, options, choices, keys and accounts;
- `help`, `-p` for --profile everywhere, `configure --list/--delete`;
- `__complete profiles|accounts|roles` for the shell completions;
- a mistyped password asked again on a terminal (tmux), never a given one;
- --duration capped by the role's MaxSessionDuration or the assertion's
  SessionDuration, said in one line;
- --all-roles keeps fresh tokens unless --force;
- logout says what it removes; the kept IdP session only with --session.

Run by CTest with SAML2STS_BIN set; standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_forgiving.py
"""

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))

UID = testbed.ACCT
ADMIN = "acs:ram::%s:role/admin" % UID
READONLY = "acs:ram::%s:role/readonly" % UID


def users():
    """The testbed's users and hank, whose assertion allows 12 h: his
    admin role (MaxSessionDuration 1 h) caps a longer --duration, the long
    one (12 h) does not."""
    u = testbed.default_users()
    u["hank"] = testbed.TestUser(
        "hank", [(ADMIN, testbed.provider_arn(UID)),
                 (testbed.LONG_SESSION_ROLE,
                  testbed.provider_arn(testbed.FRANK_ACCOUNTS[2]))],
        session_duration=43200)
    return u


class ForgivingTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed(users=users()).start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.ok("configure", "--provider", "simplesamlphp", "--url",
                self.tb.idp.url_cn, "--username", "alice", "--sts-endpoint",
                self.tb.sts.url, "--profile", self.profile())
        self.tb.sts.clear_faults()

    def tearDown(self):
        self.s2s("logout", "--all")

    # -- helpers
    def profile(self):
        return "p-" + self._testMethodName[:40]

    def s2s(self, *args, password="alice-pass", env=None, stdin=None):
        extra = {"XDG_STATE_HOME": os.path.join(self.tb.home, "state-" + self._testMethodName)}
        if password is not None:
            extra["SAML2STS_PASSWORD"] = password
        extra.update(env or {})
        return self.tb.run([BIN, "--config", self.config] + list(args),
                           extra_env=extra,
                           input=stdin.encode() if stdin is not None else None,
                           stdin=None if stdin is not None else subprocess.DEVNULL,
                           timeout=60)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "saml2sts %s: rc %d\nstdout %s\nstderr %s" % (
            " ".join(args), r.returncode, r.stdout.decode(), r.stderr.decode()))
        return r

    def fails(self, rc, pattern, *args, **kw):
        """exit rc with exactly one line on stderr matching pattern"""
        r = self.s2s(*args, **kw)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, rc, "saml2sts %s: rc %d, stderr %r" % (
            " ".join(args), r.returncode, err))
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, "%s: not one line: %r" % (args, err))
        self.assertTrue(lines[0].startswith("saml2sts: "), lines[0])
        self.assertRegex(lines[0], pattern)
        self.assertEqual(r.stdout, b"")
        return lines[0]

    def append(self, text):
        with open(self.config, "a") as f:
            f.write(text)

    def calls(self):
        return self.tb.sts_calls()

    def age(self, profile, seconds=7200):
        subprocess.run([os.path.join(os.path.dirname(BIN), "s2s-test-age-creds"),
                        profile, str(seconds)], env=self.tb.env, check=True,
                       timeout=60, cwd=self.tb.home)

    # -- unknown keys
    def test_unknown_key_in_another_section_only_warns(self):
        self.ok("login", "--role", "admin")
        self.append("\n[other]\nprovider = form\nurl = https://idp.example.com/\n"
                    "regoin = cn-beijing\nnewer_key = 1\n")
        # without a terminal and --verbose: not a word, and it all works
        for args in (("status",), ("credential-process", "-p", self.profile()),
                     ("export", "-p", self.profile())):
            r = self.ok(*args, password=None)
            self.assertEqual(r.stderr, b"", args)
        self.ok("exec", "-p", self.profile(), "--", "true", password=None)
        # --verbose: one warning line for the whole file, naming the key
        r = self.ok("--verbose", "status")
        warn = [l for l in r.stderr.decode().splitlines() if "unknown key" in l]
        self.assertEqual(len(warn), 1, r.stderr)
        self.assertRegex(warn[0], r"^saml2sts: warning: .*cfg-.*:\d+: unknown key "
                                  r"'regoin' \(did you mean 'region'\?\) in \[other\], "
                                  r"and 1 more unknown key\(s\): ignored$")
        # the section in use is strict: the same keys are an error there
        self.fails(2, r"cfg-.*:\d+: unknown key 'regoin' \(did you mean 'region'\?\)$",
                   "-a", "other", "status")
        self.fails(2, r"unknown key 'regoin'", "-a", "other", "login")
        # a login of the clean section still works
        self.ok("login", "--role", "admin", "--force")

    def test_unknown_key_in_the_section_in_use_is_an_error(self):
        self.append("sesion_duration = 7200\n")
        for args in (("status",), ("login",), ("list-roles",),
                     ("credential-process",), ("logout",)):
            self.fails(2, r"cfg-.*:\d+: unknown key 'sesion_duration' "
                          r"\(did you mean 'session_duration'\?\)$", *args)

    def test_refresh_checks_the_section_that_made_the_profile(self):
        self.ok("login", "--role", "admin")
        self.age(self.profile())
        self.append("regoin = cn-beijing\n\n[clean]\nprovider = form\n"
                    "url = https://idp.example.com/\n")
        n = len(self.calls())
        self.fails(2, r"refresh failed: .*unknown key 'regoin'", "-a", "clean",
                   "credential-process", "-p", self.profile())
        self.assertEqual(len(self.calls()), n)

    # -- did you mean
    def test_did_you_mean(self):
        self.fails(2, r"unknown command 'logn': did you mean 'login'\? \(see saml2sts --help\)$",
                   "logn")
        self.fails(2, r"unknown command 'stauts': did you mean 'status'\?", "stauts")
        self.fails(2, r"unknown command 'frobnicate' \(see", "frobnicate")
        self.fails(2, r"unknown option '--profle': did you mean '--profile'\? "
                      r"\(see saml2sts login --help\)$", "login", "--profle", "x")
        self.fails(2, r"unknown option '--froce=1': did you mean '--force'\?",
                   "login", "--froce=1")
        self.fails(2, r"unknown option '--verbsoe': did you mean '--verbose'\?",
                   "status", "--verbsoe")
        self.fails(2, r"--output must be text or json: did you mean 'json'\?",
                   "status", "--output", "jsno")
        self.fails(2, r"--profile needs a value \(P\)", "credential-process", "-p")
        self.fails(2, r"unknown config key 'regoin': did you mean 'region'\?",
                   "configure", "--set", "regoin=cn-beijing")
        self.fails(2, r"unknown config key 'Okta.push_timeout': did you mean "
                      r"'okta.push_timeout'\?", "configure", "--set",
                   "Okta.push_timeout=5")
        self.fails(2, r"no account 'defualt' in .*: did you mean 'default'\?",
                   "configure", "--delete", "defualt")

    # -- help, -p
    def test_help_command(self):
        top = self.ok("--help").stdout
        self.assertEqual(self.ok("help").stdout, top)
        self.assertIn(b"\n  help ", top)
        for cmd in ("login", "configure", "help", "logout"):
            self.assertEqual(self.ok("help", cmd).stdout,
                             self.ok(cmd, "--help").stdout, cmd)
        self.fails(2, r"unknown command 'logni': did you mean 'login'\?",
                   "help", "logni")
        self.fails(2, r"unexpected argument 'b'", "help", "a", "b")

    def test_p_is_profile_on_every_command(self):
        out = self.ok("--help").stdout.decode()
        cmds = [l.split()[0] for l in out.split("commands:", 1)[1]
                .split("\n\n", 1)[0].splitlines() if l.strip()]
        with_profile = 0
        for c in cmds:
            h = self.ok(c, "--help").stdout.decode()
            if "--profile" in h:
                with_profile += 1
                self.assertIn("-p, --profile", h, c)
        self.assertGreaterEqual(with_profile, 9)
        # configure: -p sets the profile key, as --profile does
        self.ok("configure", "-p", "short-p")
        with open(self.config) as f:
            self.assertIn("profile = short-p", f.read())

    # -- configure --list, --delete
    def test_configure_list_and_delete(self):
        self.append("# about prod\n[prod]\n# the prod IdP\nprovider = form\n"
                    "url = https://idp.example.com/prod\nprofile = prod-admin\n"
                    "colour = blue\n\n# about staging, kept\n[staging]\n"
                    "provider = cloudsso\nurl = https://signin-cn-shanghai."
                    "alibabacloudsso.com/d-1/login\n")
        out = self.ok("configure", "--list").stdout.decode().splitlines()
        self.assertEqual(out[0].split(), ["ACCOUNT", "PROVIDER", "PROFILE", "URL"])
        rows = {l.split()[0]: l.split() for l in out[1:]}
        self.assertEqual(rows["default"][1:3], ["simplesamlphp", self.profile()])
        self.assertEqual(rows["prod"][1:], ["form", "prod-admin",
                                            "https://idp.example.com/prod"])
        self.assertEqual(rows["staging"][1], "cloudsso")
        before = os.stat(self.config)
        r = self.ok("configure", "--delete", "prod")
        self.assertIn(b"Deleted account 'prod'", r.stderr)
        after = os.stat(self.config)
        self.assertNotEqual(before.st_ino, after.st_ino)  # replaced, not rewritten
        self.assertEqual(stat.S_IMODE(after.st_mode), 0o600)
        with open(self.config) as f:
            text = f.read()
        self.assertNotIn("[prod]", text)
        self.assertNotIn("the prod IdP", text)
        self.assertNotIn("colour", text)
        for kept in ("# about staging, kept\n[staging]", "[default]",
                     "url = %s" % self.tb.idp.url_cn):
            self.assertIn(kept, text)
        out = self.ok("configure", "--list").stdout.decode()
        self.assertNotIn("prod", out)
        self.fails(2, r"--list goes alone", "configure", "--list", "--site", "cn")
        self.fails(2, r"no account 'nope' in", "configure", "--delete", "nope")

    def test_configure_is_strict_for_its_section(self):
        self.append("colour = blue\n")
        self.fails(2, r"cfg-.*:\d+: unknown key 'colour'; fix it, or unset it with "
                      r"--set KEY=", "configure", "--region", "cn-beijing")
        with open(self.config) as f:
            self.assertNotIn("cn-beijing", f.read())
        self.ok("configure", "--set", "colour=", "--region", "cn-beijing")
        with open(self.config) as f:
            text = f.read()
        self.assertNotIn("colour", text)
        self.assertIn("region = cn-beijing", text)
        self.fails(2, r"prompt must be auto, tty, zenity, kdialog or pinentry",
                   "configure", "--set", "prompt=xmessage")

    # -- completion words
    def test_complete_words(self):
        self.append("\n[corp]\nprovider = form\nurl = https://idp.example.com/\n"
                    "profile = corp-default\nunknown_thing = 1\n")
        self.ok("login", "--role", "admin")
        t = time.monotonic()
        r = self.ok("__complete", "profiles", password=None)
        self.assertLess(time.monotonic() - t, 5)
        words = r.stdout.decode().split()
        self.assertIn(self.profile(), words)
        self.assertIn("corp-default", words)
        self.assertEqual(r.stderr, b"")
        r = self.ok("__complete", "accounts", password=None)
        self.assertEqual(r.stdout.decode().split(), ["default", "corp"])
        r = self.ok("__complete", "roles", password=None)
        self.assertEqual(r.stdout.decode().split(), ["%s/admin" % UID])
        # the section in use may be broken: still words, still silent
        self.append("\n[broken]\nnot a key line\n")
        r = self.s2s("-a", "corp", "__complete", "accounts", password=None)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"", b""))
        # providers: the registry and the built-in sources, config or not
        r = self.s2s("--config", "/nonexistent/config", "__complete",
                     "providers", password=None)
        words = r.stdout.decode().split()
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        for p in ("entra", "okta", "pingfed", "onelogin", "browser",
                  "cloudsso", "assume-role"):
            self.assertIn(p, words)
        self.assertNotIn("azuread", words)  # aliases are not offered
        # hidden: not in the usage
        self.assertNotIn(b"__complete", self.ok("--help").stdout)

    # -- the session duration
    def test_duration_capped_by_the_roles_max(self):
        self.ok("configure", "--username", "hank")
        n = len(self.calls())
        r = self.ok("--verbose", "login", "--all-roles", "--duration", "7200",
                    password="hank-pass")
        calls = sorted((c["role_arn"], c["duration"], c["code"])
                       for c in self.calls()[n:])
        self.assertEqual(calls, sorted([
            (ADMIN, "7200", "InvalidParameter.DurationSeconds"),
            (ADMIN, "3600", None),
            (testbed.LONG_SESSION_ROLE, "7200", None)]))
        err = r.stderr.decode()
        self.assertIn("saml2sts: --duration 7200 s capped to 3600 s by the "
                      "MaxSessionDuration of role %s" % ADMIN, err)
        self.assertEqual(err.count("capped to"), 1, err)
        self.assertRegex(err, r"Logged in: profile %s-admin, .* \((59|60) min\)" % UID)
        self.assertRegex(err, r"Logged in: profile .*-billing, .* \(1(19|20) min\)")
        # session_duration in the config is said by its name
        self.ok("configure", "--session-duration", "5400")
        r = self.ok("--verbose", "login", "--role", ADMIN, "--force",
                    password="hank-pass")
        self.assertIn("saml2sts: session_duration 5400 s capped to 3600 s by the "
                      "MaxSessionDuration of role %s" % ADMIN, r.stderr.decode())
        # without --verbose and a terminal: the summary only
        r = self.ok("login", "--role", ADMIN, "--duration", "7200", "--force",
                    password="hank-pass")
        self.assertNotIn(b"capped to", r.stderr)
        self.assertIn(b"Logged in", r.stderr)

    def test_duration_capped_by_the_assertions_session_duration(self):
        self.ok("configure", "--username", "gina")
        n = len(self.calls())
        r = self.ok("--verbose", "login", "--duration", "3600", password="gina-pass")
        self.assertIn("saml2sts: --duration 3600 s capped to 1200 s by the "
                      "assertion's SessionDuration", r.stderr.decode())
        self.assertEqual([c["duration"] for c in self.calls()[n:]], ["1200"])

    # -- --all-roles keeps what is fresh
    def test_all_roles_keeps_fresh_tokens_unless_force(self):
        n = len(self.calls())
        r = self.ok("login", "--all-roles")
        self.assertEqual(len(self.calls()), n + 2)
        self.assertEqual(r.stderr.decode().count("Logged in:"), 2)
        n = len(self.calls())
        r = self.ok("login", "--all-roles")
        self.assertEqual(len(self.calls()), n)
        self.assertIn("Kept 2 of 2 profile(s) whose credentials are still "
                      "fresh (--force renews them).", r.stderr.decode())
        self.assertNotIn("Logged in:", r.stderr.decode())
        # one expired: only that one is made again
        self.age("%s-readonly" % UID)
        r = self.ok("login", "--all-roles")
        self.assertEqual([c["role_arn"] for c in self.calls()[n:]], [READONLY])
        self.assertIn("Kept 1 of 2 profile(s)", r.stderr.decode())
        self.assertEqual(r.stderr.decode().count("Logged in:"), 1)
        n = len(self.calls())
        r = self.ok("login", "--all-roles", "--force")
        self.assertEqual(len(self.calls()), n + 2)
        self.assertNotIn(b"Kept", r.stderr)

    # -- logout
    def test_logout_says_what_it_removes_and_keeps_the_session(self):
        self.ok("configure", "--set", "remember_session=true")
        self.ok("login", "--role", "admin")
        r = self.ok("logout", "-p", self.profile())
        self.assertEqual(r.stderr.decode().strip(),
                         "Removed the credentials of profile %s (account default, "
                         "role admin)." % self.profile())
        # the kept session is still there: a login without a password works
        logins = len(self.tb.idp.logins("alice"))
        self.ok("login", "--role", "admin", password=None)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        r = self.ok("logout", "-p", self.profile(), "--session")
        self.assertEqual(r.stderr.decode().splitlines(), [
            "Removed the credentials of profile %s (account default, role admin)."
            % self.profile(),
            "Removed the kept IdP session of account default."])
        self.fails(8, r"password is needed", "login", "--role", "admin",
                   password=None)
        r = self.ok("logout", "-p", self.profile(), "--session")
        self.assertEqual(r.stderr.decode().strip(),
                         "Nothing stored for profile %s nor a kept IdP session of "
                         "account default." % self.profile())
        # --all: everything, said by kind
        self.ok("login", "--all-roles")
        r = self.ok("logout", "--all")
        self.assertEqual(r.stderr.decode().splitlines(), [
            "Removed the credentials of 2 profile(s): %s-admin, %s-readonly."
            % (UID, UID),
            "Removed 1 kept IdP session(s): default/alice."])
        self.assertIn(b"Nothing stored", self.ok("logout", "--all").stderr)


@unittest.skipUnless(shutil.which("tmux"), "tmux is needed (scripts/deps.sh)")
class PasswordRetryTest(unittest.TestCase):
    """The password prompt on a real terminal (tmux, 80x24)."""
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
        self.sock = os.path.join(self.tb.home, "tmux-%s" % self._testMethodName)
        self.status = os.path.join(self.tb.home, "status-%s" % self._testMethodName)
        r = self.tb.run([BIN, "--config", self.config, "configure", "--provider",
                         "simplesamlphp", "--url", self.tb.idp.url_cn,
                         "--username", "alice", "--sts-endpoint", self.tb.sts.url,
                         "--profile", "retry"], stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.tb.run([BIN, "--config", self.config, "logout", "--all"],
                    stdin=subprocess.DEVNULL)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=20, check=True).stdout.decode()

    def start(self, *args):
        env = dict(self.tb.env, TERM="xterm-256color")
        env.pop("SAML2STS_PASSWORD", None)
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        script = "env -i %s %s; echo \"EXIT=$?\" > %s; sleep 60" % (
            envs, " ".join(shlex.quote(a) for a in
                           [BIN, "--config", self.config] + list(args)),
            shlex.quote(self.status))
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "-c", self.tb.home,
                  "sh", "-c", script)

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text, count=1, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            s = self.screen()
            if s.count(text) >= count:
                return s
            time.sleep(0.05)
        self.fail("%r (x%d) never shown; screen:\n%s" % (text, count, self.screen()))

    def type_line(self, text):
        self.tmux("send-keys", "-l", text)
        self.tmux("send-keys", "Enter")

    def exit_status(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(self.status):
                with open(self.status) as f:
                    s = f.read()
                if s.startswith("EXIT="):
                    return int(s[5:])
            time.sleep(0.05)
        self.fail("saml2sts did not finish; screen:\n%s" % self.screen())

    def test_wrong_password_is_asked_again(self):
        failed = len(self.tb.idp.failed_logins())
        self.start("login", "--role", "admin")
        self.wait_for("Password:")
        self.type_line("wrong-pass")
        self.wait_for("try again (2 of 3)")
        self.wait_for("Password:", 2)
        self.type_line("alice-pass")
        s = self.wait_for("Logged in: profile retry")
        self.assertEqual(self.exit_status(), 0)
        self.assertNotIn("wrong-pass", s)
        self.assertNotIn("alice-pass", s)
        self.assertEqual(len(self.tb.idp.failed_logins()), failed + 1)

    def test_three_wrong_passwords_are_exit_3(self):
        self.start("login", "--role", "admin")
        for i in range(1, 4):
            self.wait_for("Password:", i)
            self.type_line("wrong-%d" % i)
        self.assertEqual(self.exit_status(), 3)
        s = self.screen()
        self.assertIn("try again (3 of 3)", s)
        self.assertNotIn("(4 of 3)", s)
        self.assertEqual(s.count("Password:"), 3)

    def test_a_given_password_is_never_asked_again(self):
        failed = len(self.tb.idp.failed_logins())
        r = self.tb.run([BIN, "--config", self.config, "login", "--role", "admin"],
                        extra_env={"SAML2STS_PASSWORD": "wrong"},
                        stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(len(r.stderr.decode().splitlines()), 1, r.stderr)
        self.assertEqual(len(self.tb.idp.failed_logins()), failed + 1)
        # on a terminal too: SAML2STS_PASSWORD is tried once
        env = dict(self.tb.env, TERM="xterm-256color", SAML2STS_PASSWORD="wrong")
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "sh", "-c",
                  "env -i %s %s --config %s login --role admin; echo \"EXIT=$?\" > %s; "
                  "sleep 60" % (envs, shlex.quote(BIN), shlex.quote(self.config),
                                shlex.quote(self.status)))
        self.assertEqual(self.exit_status(), 3)
        self.assertNotIn("try again", self.screen())
        self.assertNotIn("Password:", self.screen())


if __name__ == "__main__":
    unittest.main()
