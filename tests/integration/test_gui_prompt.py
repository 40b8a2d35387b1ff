#!/usr/bin/python3
"""Prompts without a terminal (issue 15, point 5): a refresh run by an IDE
or Terraform (no terminal, a display) that needs the IdP password asks
through zenity, kdialog or pinentry, chosen by `prompt =
auto|tty|zenity|kdialog|pinentry`; without a display (or with prompt = tty)
it is exit 8 as before.  The helpers here are fakes on PATH that log their
argv (which must hold no secret), their stdin (pinentry's Assuan
commands) and answer or cancel; the testbed (SimpleSAMLphp, the STS
emulator, gnome-keyring) does the rest.

Run by CTest with SAML2STS_BIN set; standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_gui_prompt.py
"""

import json
import os
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

# zenity and kdialog: log argv, answer on stdout (exit 0) or cancel (1).
DIALOG = r'''#!/usr/bin/python3
import json, os, sys
with open(os.environ["FAKE_LOG"], "a") as f:
    f.write(json.dumps({"prog": os.path.basename(sys.argv[0]),
                        "argv": sys.argv[1:],
                        "stdin_tty": os.isatty(0),
                        "secret_env": sorted(k for k in os.environ if k in (
                            "SAML2STS_PASSWORD", "SAML2STS_FILE_PASSPHRASE"))}) + "\n")
if os.environ.get("FAKE_MODE") == "cancel":
    sys.exit(1)
print(os.environ["FAKE_ANSWER"])
'''

# pinentry: the Assuan server side, every command logged.
PINENTRY = r'''#!/usr/bin/python3
import json, os, sys
log = open(os.environ["FAKE_LOG"], "a")
cmds = []
def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
out("OK Pleased to meet you")
for line in sys.stdin:
    line = line.rstrip("\n")
    cmds.append(line)
    if line == "GETPIN":
        if os.environ.get("FAKE_MODE") == "cancel":
            out("ERR 83886179 Operation cancelled <Pinentry>")
            continue
        # percent-escaped as Assuan wants: '-' sent as %2D
        out("D " + os.environ["FAKE_ANSWER"].replace("-", "%2D"))
    if line == "BYE":
        break
    out("OK")
log.write(json.dumps({"prog": "pinentry", "argv": sys.argv[1:], "commands": cmds}) + "\n")
log.close()
out("OK closing connection")
'''


class GuiPromptTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(dir=self.tb.home)
        self.fakes = os.path.join(self.dir.name, "bin")
        os.mkdir(self.fakes)
        self.log = os.path.join(self.dir.name, "log")
        self.config = os.path.join(self.dir.name, "config")
        self.ok("configure", "--provider", "simplesamlphp", "--url",
                self.tb.idp.url_cn, "--username", "alice", "--sts-endpoint",
                self.tb.sts.url, "--profile", "gui")
        # a stored token that has expired: the refresh needs the password
        self.ok("login", "--role", "admin", password=PASSWORD)
        subprocess.run([os.path.join(os.path.dirname(BIN), "s2s-test-age-creds"),
                        "gui", "7200"], env=self.tb.env, check=True, timeout=60,
                       cwd=self.tb.home)

    def tearDown(self):
        self.s2s("logout", "--all")
        self.dir.cleanup()

    def fake(self, name, text):
        path = os.path.join(self.fakes, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def s2s(self, *args, password=None, display=":99", mode="answer"):
        env = {"PATH": self.fakes + ":/usr/bin:/bin", "FAKE_LOG": self.log,
               "FAKE_MODE": mode, "FAKE_ANSWER": PASSWORD,
               "SAML2STS_FILE_PASSPHRASE": "not-for-helpers"}
        if display:
            env["DISPLAY"] = display
        if password is not None:
            env["SAML2STS_PASSWORD"] = password
        return self.tb.run([BIN, "--config", self.config] + list(args),
                           extra_env=env, stdin=subprocess.DEVNULL, timeout=60)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "saml2sts %s: rc %d\nstderr %s" % (
            " ".join(args), r.returncode, r.stderr.decode()))
        return r

    def fails(self, rc, pattern, *args, **kw):
        r = self.s2s(*args, **kw)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, rc, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertRegex(err, "^saml2sts: " + pattern)
        self.assertEqual(r.stdout, b"")
        return err

    def calls(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(l) for l in f]

    def refresh(self, **kw):
        return self.s2s("credential-process", "--profile", "gui", **kw)

    def assert_refreshed(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")
        out = json.loads(r.stdout)
        self.assertEqual(out["access_key_id"],
                         self.tb.sts.issued()[-1]["AccessKeyId"])

    def assert_no_secret_in(self, call):
        for a in call["argv"]:
            self.assertNotIn(PASSWORD, a)

    def test_zenity_asks_for_the_password_of_a_refresh(self):
        self.fake("zenity", DIALOG)
        self.fake("kdialog", DIALOG)
        n = len(self.tb.sts_calls())
        self.assert_refreshed(self.refresh())
        self.assertEqual(len(self.tb.sts_calls()), n + 1)
        calls = self.calls()
        self.assertEqual(len(calls), 1)  # auto: the first helper found
        self.assertEqual(calls[0]["prog"], "zenity")
        self.assertEqual(calls[0]["argv"], ["--entry", "--hide-text", "--title",
                                            "saml2sts", "--text",
                                            "saml2sts (IdP sign-in): Password"])
        self.assert_no_secret_in(calls[0])
        self.assertFalse(calls[0]["stdin_tty"])
        self.assertEqual(calls[0]["secret_env"], [])
        # the new token is stored: no second question
        r = self.refresh()
        self.assertEqual(r.returncode, 0)
        self.assertEqual(len(self.calls()), 1)

    def test_cancelled_dialog_is_exit_130(self):
        self.fake("zenity", DIALOG)
        n = len(self.tb.sts_calls())
        self.fails(130, r"credentials of 'gui' expired and the refresh failed: "
                        r"the Password dialog was cancelled$",
                   "credential-process", "--profile", "gui", mode="cancel")
        self.assertEqual(len(self.tb.sts_calls()), n)

    def test_kdialog(self):
        self.fake("zenity", DIALOG)
        self.fake("kdialog", DIALOG)
        self.ok("configure", "--set", "prompt=kdialog")
        self.assert_refreshed(self.refresh())
        calls = self.calls()
        self.assertEqual([c["prog"] for c in calls], ["kdialog"])
        self.assertEqual(calls[0]["argv"], ["--title", "saml2sts", "--password",
                                            "saml2sts (IdP sign-in): Password"])

    def test_pinentry_speaks_assuan(self):
        self.fake("zenity", DIALOG)
        self.fake("pinentry", PINENTRY)
        self.ok("configure", "--set", "prompt=pinentry")
        self.assert_refreshed(self.refresh())
        calls = self.calls()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["argv"], [])
        self.assertEqual(calls[0]["commands"], [
            "SETTITLE saml2sts", "SETDESC saml2sts (IdP sign-in): Password",
            "SETPROMPT Password:", "GETPIN", "BYE"])

    def test_pinentry_cancel_is_exit_130(self):
        self.fake("pinentry", PINENTRY)
        self.ok("configure", "--set", "prompt=pinentry")
        self.fails(130, r".*the pinentry dialog was cancelled$",
                   "credential-process", "--profile", "gui", mode="cancel")

    def test_without_a_display_it_is_exit_8_as_before(self):
        self.fake("zenity", DIALOG)
        self.fails(8, r"credentials of 'gui' expired at .*: run saml2sts login",
                   "credential-process", "--profile", "gui", display=None)
        self.assertEqual(self.calls(), [])

    def test_prompt_tty_never_uses_a_helper(self):
        self.fake("zenity", DIALOG)
        self.ok("configure", "--set", "prompt=tty")
        self.fails(8, r"credentials of 'gui' expired at .*: run saml2sts login",
                   "credential-process", "--profile", "gui")
        self.assertEqual(self.calls(), [])

    def test_a_named_helper_that_is_missing(self):
        self.fake("zenity", DIALOG)
        self.ok("configure", "--set", "prompt=kdialog")
        self.fails(8, r"credentials of 'gui' expired at .*: run saml2sts login",
                   "credential-process", "--profile", "gui")
        self.assertEqual(self.calls(), [])

    def test_a_given_password_needs_no_helper(self):
        self.fake("zenity", DIALOG)
        self.assert_refreshed(self.refresh(password=PASSWORD))
        self.assertEqual(self.calls(), [])

    def test_skip_prompt_never_asks(self):
        self.fake("zenity", DIALOG)
        self.fails(8, r"a password is needed", "login", "--role", "admin",
                   "--force", "--skip-prompt")
        self.assertEqual(self.calls(), [])

    def test_login_without_a_terminal_asks_through_the_dialog(self):
        self.fake("zenity", DIALOG)
        r = self.ok("login", "--role", "admin", "--force")
        self.assertIn(b"Logged in: profile gui", r.stderr)
        self.assertEqual([c["prog"] for c in self.calls()], ["zenity"])


if __name__ == "__main__":
    unittest.main()
