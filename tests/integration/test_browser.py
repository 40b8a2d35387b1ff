#!/usr/bin/python3
"""The browser adapter (`login --browser --headless`) with Debian's
chromium against the real SimpleSAMLphp IdP, the STS emulator and the
private keyring of tests/integration/testbed.py.  The login form is
filled by the adapter's autofill (through the DevTools protocol).

Run by CTest with SAML2STS_BIN set; standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_browser.py
"""

import os
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

UID = "1234567890123456"
ADMIN = "acs:ram::%s:role/admin" % UID
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Keep chromium on loopback (it likes to phone home).
# (--host-resolver-rules needs spaces, which browser.args splits on: a
# dead proxy with a loopback bypass does the job.)
NET_ARGS = ("--proxy-server=http://127.0.0.1:9 "
            "--proxy-bypass-list=127.0.0.1;localhost")

# a loopback page that never shows a form: nothing answers there
DEAD_URL = "http://127.0.0.1:9/"


class BrowserTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        # never skipped: scripts/deps.sh installs chromium
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed: run scripts/deps.sh")
        cls.tb = testbed.Testbed().start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        self.config = os.path.join(self.tb.home, "cfg-%s" % self._testMethodName)
        self.account = "acct-" + self._testMethodName
        r = self.s2s("configure", "--account", self.account, "--provider",
                     "simplesamlphp", "--url", self.tb.idp.url_cn,
                     "--username", "alice", "--sts-endpoint", self.tb.sts.url,
                     "--profile", self.profile())
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.set_key("browser.args", NET_ARGS)

    def tearDown(self):
        self.s2s("logout", "--all")

    def profile(self):
        return "p-" + self._testMethodName

    def s2s(self, *args, password="alice-pass", env=None, timeout=120):
        extra = {}
        if password is not None:
            extra["SAML2STS_PASSWORD"] = password
        extra.update(env or {})
        argv = [BIN, "--config", self.config, "--account", self.account] + list(args)
        return self.tb.run(argv, extra_env=extra, stdin=subprocess.DEVNULL,
                           timeout=timeout)

    def set_key(self, key, value):
        with open(self.config, "a") as f:
            f.write("%s = %s\n" % (key, value))

    def set_url(self, url):
        """Point the account at url (a page that never shows a form)."""
        with open(self.config) as f:
            lines = f.read().splitlines(True)
        with open(self.config, "w") as f:
            for line in lines:
                if line.replace(" ", "").startswith("url="):
                    line = "url = %s\n" % url
                f.write(line)

    def login(self, *extra, **kw):
        return self.s2s("login", "--headless", "--role", ADMIN, "--force",
                        *extra, **kw)

    def profile_dir(self):
        return os.path.join(self.tb.env["XDG_DATA_HOME"], "saml2sts",
                            "browser", self.account)

    def no_chromium_left(self):
        """No chromium started with our profile directory survives."""
        mine = self.profile_dir()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().decode(errors="replace")
            except OSError:
                continue
            if mine in cmd:
                return False
        return True

    def wait_no_chromium(self, secs=10):
        end = time.time() + secs
        while time.time() < end:
            if self.no_chromium_left():
                return True
            time.sleep(0.1)
        return False

    # -- tests
    def test_capture_and_login(self):
        n_before = len(self.tb.sts_calls())
        t0 = time.monotonic()
        r = self.login()
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        calls = self.tb.sts_calls()[n_before:]
        self.assertEqual(len(calls), 1, calls)
        self.assertIn("running as root" if os.geteuid() == 0 else "",
                      r.stderr.decode())
        self.assertTrue(self.wait_no_chromium(), "chromium left running")
        st = os.stat(self.profile_dir())
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)
        sys.stderr.write("\n[browser] login --headless, start to stored "
                         "credentials: %.2f s\n" % took)
        # the credentials are usable
        r = self.s2s("export", "--profile", self.profile())
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn(b"ALIBABA_CLOUD_SECURITY_TOKEN", r.stdout)

    def test_second_login_uses_profile_session(self):
        r = self.login()
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        logins = len(self.tb.idp.logins("alice"))
        # a wrong password: only the IdP session of the profile can make
        # this succeed, and the IdP must see no new password login
        r = self.login(password="wrong-password")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        self.assertTrue(self.wait_no_chromium())

    def test_wrong_password(self):
        r = self.login(password="wrong-password")
        self.assertEqual(r.returncode, 3, r.stderr.decode())
        self.assertIn(b"rejected", r.stderr)
        self.assertTrue(self.wait_no_chromium())

    def test_timeout(self):
        # a page without any form (a refused connection): nothing
        # happens, the timeout ends it
        self.set_url(DEAD_URL)
        self.set_key("browser.timeout", "3")
        t0 = time.monotonic()
        r = self.login()
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 4, r.stderr.decode())
        self.assertIn(b"no SAMLResponse after 3 s", r.stderr)
        self.assertLess(took, 20)
        self.assertTrue(self.wait_no_chromium(), "chromium left running")

    def test_browser_missing(self):
        self.set_key("browser", "/nonexistent/chromium")
        r = self.login()
        self.assertEqual(r.returncode, 1, r.stderr.decode())
        self.assertIn(b"not found", r.stderr)
        empty = os.path.join(self.tb.home, "empty-bin")
        os.makedirs(empty, exist_ok=True)
        with open(self.config) as f:
            text = f.read().replace("browser = /nonexistent/chromium\n", "")
        with open(self.config, "w") as f:
            f.write(text)
        r = self.login(env={"PATH": empty})
        self.assertEqual(r.returncode, 1, r.stderr.decode())
        self.assertIn(b"no Chromium, Chrome or Edge found", r.stderr)

    def test_browser_crash(self):
        # a wrapper that becomes chromium and has it killed 1.5 s later,
        # while the login waits (a page without a form)
        wrapper = os.path.join(self.tb.home, "crashing-chromium")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n(sleep 1.5; kill -9 $$) &\nexec %s \"$@\"\n"
                    % CHROMIUM)
        os.chmod(wrapper, 0o755)
        self.set_key("browser", wrapper)
        self.set_url(DEAD_URL)
        r = self.login()
        self.assertEqual(r.returncode, 1, r.stderr.decode())
        self.assertIn(b"the browser died by signal 9 before the login "
                      b"finished", r.stderr)
        self.assertTrue(self.wait_no_chromium(), "chromium left running")

    def test_ctrl_c_closes_browser(self):
        self.set_url(DEAD_URL)
        env = dict(self.tb.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        p = subprocess.Popen([BIN, "--config", self.config, "--account",
                              self.account, "login", "--headless", "--role",
                              ADMIN, "--force"], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            end = time.time() + 15
            while self.no_chromium_left() and time.time() < end:
                time.sleep(0.1)
            self.assertFalse(self.no_chromium_left(), "chromium never started")
            time.sleep(0.5)
            p.send_signal(2)
            out, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 130, err.decode())
        self.assertIn(b"interrupted", err)
        self.assertTrue(self.wait_no_chromium(), "chromium left running")


if __name__ == "__main__":
    unittest.main(verbosity=2)
