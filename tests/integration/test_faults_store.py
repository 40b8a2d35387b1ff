#!/usr/bin/python3
"""Credential-store faults (issue "Reliability", points 3 and 11b), with a
real gnome-keyring on a private D-Bus session, the real IdP and the STS
emulator:

- a hung Secret Service (gnome-keyring stopped with SIGSTOP) is exit 7
  after the bounded wait, for `credential-process` (never "no
  credentials", exit 8) and for `login`, which contacts no IdP;
- so is `list-roles` for an account that keeps secrets in the store (a
  kept IdP session); one that keeps none does not touch the store;
- a locked keyring or a file store without a passphrase stops `login`
  (and such a `list-roles`) before the IdP is contacted;
- with no session bus at all, or a bus on which nothing provides
  org.freedesktop.secrets, the encrypted file store is chosen, with its
  notice;
- a write of the file store removes its own stale temp files (left by a
  SIGKILL between mkstemp and rename) and leaves fresh ones alone.

"The IdP was not contacted" is checked with a tripwire: an account whose
IdP URL is a loopback server that records every request.
"""

import http.server
import os
import select
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
UID = "1234567890123456"
ADMIN = "acs:ram::%s:role/admin" % UID
PASSPHRASE = "file-store-passphrase"
KEYRING_WAIT = 10  # s: the Secret Service deadline (store.h)


class Tripwire:
    """A loopback HTTP server that records every request and answers 500."""

    def __init__(self):
        self.requests = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                seen.append("%s %s" % (self.command, self.path))
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = ("http://127.0.0.1:%d/simplesaml/saml2/idp/SSOService.php"
                    "?spentityid=urn%%3Aalibaba%%3Acloudcomputing"
                    % self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class BareBus:
    """A session bus with no service directories: nothing owns or can
    start org.freedesktop.secrets on it."""

    def __init__(self, base_dir):
        self.dir = base_dir
        path = os.path.join(base_dir, "bare-bus")
        conf = os.path.join(base_dir, "bare-bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONFIG % path)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": base_dir}
        self.proc = testbed._spawn(["dbus-daemon", "--config-file=" + conf,
                                    "--nofork", "--nopidfile", "--print-address=1"],
                                   env, cwd=base_dir, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        self.address = self.proc.stdout.readline().decode().strip()
        if not self.address:
            raise testbed.TestbedError("dbus-daemon (bare bus) did not start")

    def stop(self):
        testbed.kill_process_group(self.proc)
        self.proc.stdout.close()


class StoreFaultsTest(unittest.TestCase):
    tb = None
    trip = None

    @classmethod
    def setUpClass(cls):
        cls.tb = testbed.Testbed().start()
        cls.trip = Tripwire()

    @classmethod
    def tearDownClass(cls):
        if cls.trip:
            cls.trip.stop()
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        name = self._testMethodName
        self.profile = "p-" + name
        self.real = os.path.join(self.tb.home, "cfg-real-" + name)
        self.tripcfg = os.path.join(self.tb.home, "cfg-trip-" + name)
        for config, url in ((self.real, self.tb.idp.url_cn),
                            (self.tripcfg, self.trip.url)):
            r = self.s2s(config, "configure", "--provider", "simplesamlphp",
                         "--url", url, "--username", "alice",
                         "--sts-endpoint", self.tb.sts.url, "--profile",
                         self.profile, "--role", ADMIN)
            self.assertEqual(r.returncode, 0, r.stderr)
        del self.trip.requests[:]

    # -- helpers
    def env(self, **extra):
        env = dict(self.tb.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def argv(self, config, *args):
        return [BIN, "--config", config] + list(args)

    def s2s(self, config, *args, **extra):
        return subprocess.run(self.argv(config, *args), env=self.env(**extra),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60, cwd=self.tb.home)

    def one_line(self, r, rc, *words):
        err = r.stderr.decode()
        self.assertEqual(r.returncode, rc, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("saml2sts: "), lines[0])
        for w in words:
            self.assertIn(w, lines[0])
        return lines[0]

    def no_bus(self):
        return "unix:path=" + os.path.join(self.tb.dir, "no-such-bus")

    def store_dir(self):
        return os.path.join(self.tb.env["XDG_DATA_HOME"], "saml2sts", "store")

    # -- tests
    def test_hung_secret_service_is_exit_7_and_no_idp_request(self):
        r = self.s2s(self.real, "login")
        self.assertEqual(r.returncode, 0, r.stderr)
        # list-roles reads a kept IdP session: it needs the store too
        kept = self.tripcfg + "-kept"
        for args in (("configure", "--provider", "simplesamlphp", "--url",
                      self.trip.url, "--username", "alice"),
                     ("configure", "--set", "remember_session=true")):
            r = self.s2s(kept, *args)
            self.assertEqual(r.returncode, 0, r.stderr)
        gkd = self.tb.keyring.gkd.pid
        os.kill(gkd, signal.SIGSTOP)
        try:
            # both wait out the deadline at once
            start = time.monotonic()
            procs = [subprocess.Popen(self.argv(cfg, *args), env=self.env(),
                                      stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, cwd=self.tb.home)
                     for cfg, args in (
                         (self.real, ("credential-process", "--profile",
                                      self.profile)),
                         (self.tripcfg, ("login", "--force")),
                         (kept, ("list-roles",)))]
            outs = [p.communicate(timeout=60) for p in procs]
            took = time.monotonic() - start
        finally:
            os.kill(gkd, signal.SIGCONT)
        for p, (out, err) in zip(procs, outs):
            r = subprocess.CompletedProcess(p.args, p.returncode, out, err)
            self.one_line(r, 7, "did not answer in %d s" % KEYRING_WAIT,
                          "gnome-keyring hung")
            self.assertEqual(out, b"")
        self.assertEqual(self.trip.requests, [])
        self.assertGreaterEqual(took, KEYRING_WAIT - 1)
        self.assertLess(took, KEYRING_WAIT + 15)
        # nothing was lost: the keyring answers again
        r = self.s2s(self.real, "credential-process", "--profile", self.profile)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s2s(self.real, "logout", "--all")

    def test_ctrl_c_ends_a_wait_for_the_keyring(self):
        """Ctrl-C while the Secret Service does not answer: the login
        ends at once with exit 130 and one line, not at the deadline,
        and the IdP never hears of it."""
        gkd = self.tb.keyring.gkd.pid
        os.kill(gkd, signal.SIGSTOP)
        try:
            p = subprocess.Popen(self.argv(self.tripcfg, "login", "--force"),
                                 env=self.env(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, cwd=self.tb.home)
            time.sleep(1.5)
            sent = time.monotonic()
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=KEYRING_WAIT + 15)
            took = time.monotonic() - sent
        finally:
            os.kill(gkd, signal.SIGCONT)
        r = subprocess.CompletedProcess(p.args, p.returncode, out, err)
        self.one_line(r, 130, "cancelled")
        self.assertLess(took, 2.0)
        self.assertEqual(self.trip.requests, [])

    def prompter(self, password=None):
        """tests/integration/fake_prompter.py on the testbed's bus, once
        it owns its name (10 s at most); with a password it answers the
        keyring's prompts with it, else it never answers."""
        env = self.env()
        env.pop("FAKE_PROMPTER_PASSWORD", None)
        if password is not None:
            env["FAKE_PROMPTER_PASSWORD"] = password
        p = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "fake_prompter.py")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=self.tb.home)
        ready, _, _ = select.select([p.stdout], [], [], 10)
        line = p.stdout.readline() if ready else b""
        if line != b"READY\n":
            p.kill()
            self.fail("fake prompter: %r %r" % (line, p.communicate()[1]))
        return p

    def test_unlock_prompt_answered_unlocks(self):
        """A locked keyring's prompt, answered with its password (the
        fake prompter types it through gcr's secret exchange), unlocks
        it: the login goes on, and a later read of a locked item unlocks
        it the same way."""
        r = self.s2s(self.real, "login")
        self.assertEqual(r.returncode, 0, r.stderr)
        prompter = self.prompter(self.tb.keyring.password)
        try:
            for args in (("login", "--force"),
                         ("credential-process", "--profile", self.profile)):
                self.tb.keyring.lock()
                r = self.s2s(self.real, *args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertFalse(self.tb.keyring.is_locked())
        finally:
            prompter.terminate()
            calls = prompter.communicate(timeout=15)[0].decode()
            self.tb.keyring.unlock()
        self.assertEqual(calls.count("CALL PerformPrompt"), 2, calls)
        self.s2s(self.real, "logout", "--all")

    def ctrl_c_at_the_prompt(self, config, args, stdin=None):
        """Lock the keyring, run saml2sts with config and args (stdin
        given as bytes, or none) while a prompter that never answers
        stands for a person who has not typed yet, and press Ctrl-C well
        past the 10 s of a keyring call, counted from the prompt (the
        open and the search come before it).  Returns (whether it was
        still waiting then, its CompletedProcess, the prompter's calls);
        the keyring is unlocked again."""
        prompter = self.prompter()
        p = None
        try:
            self.tb.keyring.lock()
            p = subprocess.Popen(
                self.argv(config, *args), env=self.env(),
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=self.tb.home)
            if stdin:
                p.stdin.write(stdin)
                p.stdin.close()
                p.stdin = None
            time.sleep(KEYRING_WAIT + 5)
            waiting = p.poll() is None
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=15)
        finally:
            if p and p.poll() is None:
                p.kill()
                p.wait()
            prompter.terminate()
            calls = prompter.communicate(timeout=15)[0].decode()
            self.tb.keyring.unlock()
        return (waiting, subprocess.CompletedProcess(p.args, p.returncode,
                                                     out, err), calls)

    def test_unlock_prompt_waits_for_a_person(self):
        """A locked keyring's unlock prompt is shown and waited for past
        the 10 s deadline of a keyring call; Ctrl-C ends the wait at
        once, before any IdP request."""
        waiting, r, calls = self.ctrl_c_at_the_prompt(
            self.tripcfg, ("login", "--force"))
        self.assertTrue(waiting, r.stderr.decode())
        self.assertIn("CALL BeginPrompting", calls)
        self.one_line(r, 130, "cancelled")
        self.assertEqual(self.trip.requests, [])

    def test_save_password_waits_for_the_unlock_prompt(self):
        """configure --save-password into a locked keyring: storing the
        item shows the keyring's unlock prompt (the store unlocks before
        it writes), and the man page promises up to 2 minutes for it,
        not the 10 s deadline of a keyring call reported as a hung
        gnome-keyring."""
        waiting, r, calls = self.ctrl_c_at_the_prompt(
            self.real, ("configure", "--save-password"),
            stdin=b"alice-pass\n")
        self.assertIn("CALL BeginPrompting", calls)
        self.assertTrue(waiting, r.stderr.decode())

    def test_locked_keyring_stops_login_before_the_idp(self):
        self.tb.keyring.lock()
        try:
            r = self.s2s(self.tripcfg, "login", "--force")
        finally:
            self.tb.keyring.unlock()
        self.one_line(r, 7, "locked")
        self.assertEqual(self.trip.requests, [])

    def test_file_store_without_passphrase_stops_login_before_the_idp(self):
        r = self.s2s(self.tripcfg, "login", DBUS_SESSION_BUS_ADDRESS=self.no_bus())
        self.one_line(r, 8, "SAML2STS_FILE_PASSPHRASE")
        self.assertEqual(self.trip.requests, [])
        r = self.s2s(self.tripcfg, "login", DBUS_SESSION_BUS_ADDRESS=self.no_bus(),
                     SAML2STS_KEYRING_BACKEND="file")
        self.one_line(r, 8, "SAML2STS_FILE_PASSPHRASE")
        self.assertEqual(self.trip.requests, [])

    def test_wrong_file_store_passphrase_stops_login_before_the_idp(self):
        nobus = {"DBUS_SESSION_BUS_ADDRESS": self.no_bus(),
                 "SAML2STS_KEYRING_BACKEND": "file"}
        r = self.s2s(self.real, "login", SAML2STS_FILE_PASSPHRASE=PASSPHRASE,
                     **nobus)
        self.assertEqual(r.returncode, 0, r.stderr)
        item = os.path.join(self.store_dir(), "%s.sts.json" % self.profile)
        with open(item, "rb") as f:
            sealed = f.read()
        try:
            # a typo: refused before the IdP is asked, nothing rewritten
            r = self.s2s(self.tripcfg, "login", "--force",
                         SAML2STS_FILE_PASSPHRASE=PASSPHRASE + "x", **nobus)
            self.one_line(r, 7, "passphrase does not open", "nothing was "
                          "changed")
            self.assertEqual(self.trip.requests, [])
            # nor is any item sealed under another passphrase
            r = self.s2s(self.real, "login", "--force",
                         SAML2STS_FILE_PASSPHRASE=PASSPHRASE + "x", **nobus)
            self.one_line(r, 7, "passphrase does not open")
            with open(item, "rb") as f:
                self.assertEqual(f.read(), sealed)
            r = self.s2s(self.real, "credential-process", "--profile",
                         self.profile, SAML2STS_FILE_PASSPHRASE=PASSPHRASE,
                         **nobus)
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            self.s2s(self.real, "logout", "--all",
                     SAML2STS_FILE_PASSPHRASE=PASSPHRASE, **nobus)

    def test_list_roles_needs_the_store_only_when_it_uses_it(self):
        # list-roles stores nothing: without kept secrets the store is
        # not touched (no notice, no passphrase), and the IdP (here the
        # tripwire) is reached
        r = self.s2s(self.tripcfg, "--verbose", "list-roles",
                     DBUS_SESSION_BUS_ADDRESS=self.no_bus())
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertNotIn(b"file store", r.stderr)
        self.assertNotEqual(self.trip.requests, [])
        del self.trip.requests[:]
        # a kept IdP session is read from the store: checked first
        r = self.s2s(self.tripcfg, "configure", "--set", "remember_session=true")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.s2s(self.tripcfg, "list-roles",
                     DBUS_SESSION_BUS_ADDRESS=self.no_bus())
        self.one_line(r, 8, "SAML2STS_FILE_PASSPHRASE")
        self.assertEqual(self.trip.requests, [])

    def check_file_store_fallback(self, address):
        nobus = {"DBUS_SESSION_BUS_ADDRESS": address,
                 "SAML2STS_FILE_PASSPHRASE": PASSPHRASE}
        r = self.s2s(self.real, "--verbose", "login", **nobus)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("using the encrypted file store", r.stderr.decode())
        r = self.s2s(self.real, "credential-process", "--profile", self.profile,
                     **nobus)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.s2s(self.real, "logout", "--all", **nobus)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_no_session_bus_falls_back_to_the_file_store(self):
        self.check_file_store_fallback(self.no_bus())

    def test_bus_without_secret_service_falls_back_to_the_file_store(self):
        bus = BareBus(self.tb.dir)
        try:
            self.check_file_store_fallback(bus.address)
        finally:
            bus.stop()

    def test_file_store_write_removes_stale_temp_files(self):
        nobus = {"DBUS_SESSION_BUS_ADDRESS": self.no_bus(),
                 "SAML2STS_FILE_PASSPHRASE": PASSPHRASE}
        d = self.store_dir()
        os.makedirs(d, mode=0o700, exist_ok=True)
        os.chmod(d, 0o700)
        item = "%s.sts.json" % self.profile
        stale = os.path.join(d, item + ".Ab3dE9")
        fresh = os.path.join(d, item + ".Zz09xy")
        other = os.path.join(d, "notes.txt")
        for path in (stale, fresh, other):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, b"sealed")
            os.close(fd)
        old = time.time() - 3600
        os.utime(stale, (old, old))
        os.utime(other, (old, old))
        try:
            r = self.s2s(self.real, "login", **nobus)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(stale), "stale temp file kept")
            self.assertTrue(os.path.exists(fresh), "fresh temp file removed")
            self.assertTrue(os.path.exists(other), "foreign file removed")
            self.assertTrue(os.path.exists(os.path.join(d, item)))
        finally:
            for path in (fresh, other):
                if os.path.exists(path):
                    os.unlink(path)
            self.s2s(self.real, "logout", "--all", **nobus)


if __name__ == "__main__":
    unittest.main(verbosity=2)
