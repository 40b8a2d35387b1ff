#!/usr/bin/python3
"""saml2sts doctor, --version and the system-wide config (issue 15,
points 7 and 9), with the real IdP, the STS emulator and a private
gnome-keyring:

- after a login, every check is "ok" (text and --output json), and
  doctor neither logs in nor calls AssumeRoleWithSAML;
- a broken IdP URL is a FAIL idp line and exit 1; a clock 2 minutes off
  the STS Date header is a warning, 7 minutes a FAIL;
- the store line: a hung Secret Service is FAIL after the bounded wait,
  a locked one a warning, no session bus the file store (a warning
  without a passphrase, never a prompt, also on a terminal);
- the aliyun CLI profile: missing is FAIL, one running another binary a
  warning;
- a bad config or a missing account is a FAIL config line;
- --version names the commit and every store backend;
- /etc/saml2sts/config (SAML2STS_SYSTEM_CONFIG here) lies under the
  user's file: the user's keys win, its sections are accounts, configure
  writes only the user's keys, and a login works from it.

SAML2STS_BIN picks the binary (CI runs this file against the installed
package: it also makes a login with it).
"""

import json
import os
import pty
import re
import select
import signal
import socket
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
CHECKS = ["config", "store", "idp", "clock", "browser", "aliyun"]
LINE = re.compile(r"^(ok|warn|FAIL) +([a-z]+) +(.*)$")
KEYRING_WAIT = 10  # s: the Secret Service deadline (store.h)

TB = None


def setUpModule():
    global TB
    TB = testbed.Testbed().start()


def tearDownModule():
    if TB:
        TB.stop()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_s2s(config, aliyun, system, *args, **extra):
    env = dict(TB.env)
    env["SAML2STS_PASSWORD"] = "alice-pass"
    env["ALIBABA_CLOUD_CONFIG_FILE"] = aliyun
    env["SAML2STS_SYSTEM_CONFIG"] = system or os.path.join(TB.home, "no-system-config")
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run([BIN, "--config", config] + list(args), env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=90, cwd=TB.home)


class Base(unittest.TestCase):
    config = aliyun = system = None

    def env(self, **extra):
        env = dict(TB.env)
        env["SAML2STS_PASSWORD"] = "alice-pass"
        env["ALIBABA_CLOUD_CONFIG_FILE"] = self.aliyun
        env["SAML2STS_SYSTEM_CONFIG"] = self.system or os.path.join(
            TB.home, "no-system-config")
        env.update(extra)
        return env

    def s2s(self, *args, config=None, **extra):
        return run_s2s(config or self.config, self.aliyun, self.system, *args,
                       **extra)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def doctor(self, *args, rc=None, **kw):
        r = self.s2s(*(list(args) + ["doctor"]), **kw)
        out = r.stdout.decode()
        lines = out.splitlines()
        checks = {}
        for line in lines:
            m = LINE.match(line)
            self.assertTrue(m, "not a check line: %r" % line)
            checks[m.group(2)] = (m.group(1), m.group(3))
        self.assertEqual([LINE.match(l).group(2) for l in lines], CHECKS, out)
        if rc is not None:
            self.assertEqual(r.returncode, rc, out + r.stderr.decode())
        for level, text in checks.values():
            if level != "ok":
                self.assertIn("; fix: ", text)
        return checks, r


class DoctorTest(Base):
    @classmethod
    def setUpClass(cls):
        cls.config = os.path.join(TB.home, "doctor-config")
        cls.aliyun = os.path.join(TB.home, "doctor-aliyun.json")
        for args in (("configure", "--provider", "simplesamlphp", "--url",
                      TB.idp.url_cn, "--username", "alice", "--sts-endpoint",
                      TB.sts.url, "--profile", "doc", "--role", ADMIN),
                     ("configure", "--set", "aliyun_config=true"),
                     ("login",)):
            r = run_s2s(cls.config, cls.aliyun, None, *args)
            if r.returncode != 0:
                raise RuntimeError("%s: %s" % (args, r.stderr.decode()))

    @classmethod
    def tearDownClass(cls):
        run_s2s(cls.config, cls.aliyun, None, "logout", "--all")

    def setUp(self):
        TB.sts.set_clock(offset=0, skew=0)

    def tearDown(self):
        TB.sts.set_clock(offset=0, skew=0)

    def test_all_ok_and_no_login(self):
        logins = len(TB.idp.logins())
        saml_calls = [c for c in TB.sts_calls() if c.get("action") == "AssumeRoleWithSAML"]
        checks, r = self.doctor(rc=0)
        for name in CHECKS:
            self.assertEqual(checks[name][0], "ok", "%s: %s" % (name, checks[name][1]))
        self.assertEqual(r.stderr, b"")
        self.assertIn("secret-service: reachable, unlocked", checks["store"][1])
        self.assertIn("127.0.0.1: reachable, plain http (HTTP 200 after redirects)",
                      checks["idp"][1])
        self.assertIn("within", checks["clock"][1])
        self.assertIn("runs this saml2sts", checks["aliyun"][1])
        self.assertIn("profile 'doc'", checks["aliyun"][1])
        self.assertEqual(len(TB.idp.logins()), logins)
        self.assertEqual(saml_calls, [c for c in TB.sts_calls()
                                      if c.get("action") == "AssumeRoleWithSAML"])

    def test_json(self):
        r = self.ok("doctor", "--output", "json")
        doc = json.loads(r.stdout)
        self.assertIs(doc["ok"], True)
        self.assertEqual([c["name"] for c in doc["checks"]], CHECKS)
        self.assertEqual({c["status"] for c in doc["checks"]}, {"ok"})
        # a failure: ok false, status fail, a fix
        cfg = os.path.join(TB.home, "doctor-json-broken")
        self.ok("configure", "--provider", "form", "--url",
                "http://127.0.0.1:%d/sso" % closed_port(), "--sts-endpoint",
                TB.sts.url, config=cfg)
        r = self.s2s("doctor", "--output", "json", config=cfg)
        self.assertEqual(r.returncode, 1)
        doc = json.loads(r.stdout)
        self.assertIs(doc["ok"], False)
        idp = [c for c in doc["checks"] if c["name"] == "idp"][0]
        self.assertEqual(idp["status"], "fail")
        self.assertIn("url", idp["fix"])

    def test_broken_idp_url_fails(self):
        cfg = os.path.join(TB.home, "doctor-broken")
        port = closed_port()
        self.ok("configure", "--provider", "form", "--url",
                "http://127.0.0.1:%d/simplesaml/sso" % port, "--username", "alice",
                "--sts-endpoint", TB.sts.url, config=cfg)
        checks, r = self.doctor(config=cfg, rc=1)
        self.assertEqual(checks["idp"][0], "FAIL")
        self.assertIn("cannot reach 127.0.0.1", checks["idp"][1])
        self.assertIn("fix: check url in [default]", checks["idp"][1])
        self.assertEqual(checks["config"][0], "ok")
        self.assertEqual(checks["store"][0], "ok")
        self.assertEqual(checks["clock"][0], "ok")

    def test_clock_skew(self):
        TB.sts.set_clock(offset=120)
        checks, _ = self.doctor(rc=0)
        self.assertEqual(checks["clock"][0], "warn")
        self.assertRegex(checks["clock"][1], r"this clock is 1[12]\d s behind STS")
        TB.sts.set_clock(offset=-420)
        checks, _ = self.doctor(rc=1)
        self.assertEqual(checks["clock"][0], "FAIL")
        self.assertRegex(checks["clock"][1], r"4[12]\d s ahead of STS")
        self.assertIn("timedatectl", checks["clock"][1])

    def test_store_without_session_bus(self):
        nobus = "unix:path=" + os.path.join(TB.dir, "no-such-bus")
        checks, r = self.doctor(DBUS_SESSION_BUS_ADDRESS=nobus, rc=0)
        self.assertEqual(checks["store"][0], "warn")
        self.assertIn("file: no Secret Service", checks["store"][1])
        self.assertIn("SAML2STS_FILE_PASSPHRASE", checks["store"][1])
        checks, r = self.doctor(DBUS_SESSION_BUS_ADDRESS=nobus,
                                SAML2STS_FILE_PASSPHRASE="doctor-pass", rc=0)
        self.assertEqual(checks["store"], ("ok", checks["store"][1]))
        self.assertIn("passphrase from the environment", checks["store"][1])

    def test_never_prompts_on_a_terminal(self):
        # the file store's passphrase would be asked on a terminal by
        # any other command; doctor answers without input
        nobus = "unix:path=" + os.path.join(TB.dir, "no-such-bus")
        env = self.env(DBUS_SESSION_BUS_ADDRESS=nobus, TERM="xterm")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.chdir(TB.home)
                os.execve(BIN, [BIN, "--config", self.config, "doctor"], env)
            finally:
                os._exit(127)
        out = b""
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 1)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        text = out.decode(errors="replace")
        self.assertTrue(os.WIFEXITED(status), text)
        self.assertEqual(os.WEXITSTATUS(status), 0, text)
        self.assertNotIn("assphrase of", text)
        self.assertRegex(text, r"warn +store +file: ")

    def test_locked_keyring_is_a_warning(self):
        TB.keyring.lock()
        try:
            checks, _ = self.doctor(rc=0)
        finally:
            TB.keyring.unlock()
        self.assertEqual(checks["store"][0], "warn")
        self.assertIn("locked", checks["store"][1])

    def test_hung_keyring_fails_the_store_line(self):
        gkd = TB.keyring.gkd.pid
        os.kill(gkd, signal.SIGSTOP)
        try:
            start = time.monotonic()
            checks, r = self.doctor(rc=1)
            took = time.monotonic() - start
        finally:
            os.kill(gkd, signal.SIGCONT)
        self.assertEqual(checks["store"][0], "FAIL")
        self.assertIn("did not answer in %d s" % KEYRING_WAIT, checks["store"][1])
        self.assertLess(took, KEYRING_WAIT + 20)
        # the other checks still ran
        self.assertEqual(checks["idp"][0], "ok")
        self.assertEqual(checks["config"][0], "ok")

    def test_aliyun_profile(self):
        missing = os.path.join(TB.home, "doctor-aliyun-none.json")
        checks, _ = self.doctor(ALIBABA_CLOUD_CONFIG_FILE=missing, rc=1)
        self.assertEqual(checks["aliyun"][0], "FAIL")
        self.assertIn("saml2sts login", checks["aliyun"][1])
        other = os.path.join(TB.home, "doctor-aliyun-other.json")
        with open(other, "w") as f:
            json.dump({"current": "doc", "profiles": [
                {"name": "doc", "mode": "External",
                 "process_command": "'/bin/true' credential-process --profile doc"}]}, f)
        checks, _ = self.doctor(ALIBABA_CLOUD_CONFIG_FILE=other, rc=0)
        self.assertEqual(checks["aliyun"][0], "warn")
        self.assertIn("runs /bin/true, not this saml2sts", checks["aliyun"][1])
        # --profile names another profile: not there
        r = self.s2s("doctor", "--profile", "nosuch")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stdout.decode(), r"FAIL +aliyun +no profile 'nosuch'")

    def test_bad_config_and_missing_account(self):
        bad = os.path.join(TB.home, "doctor-bad-config")
        with open(bad, "w") as f:
            f.write("[default]\nprovider = form\nthis line is wrong\n")
        checks, _ = self.doctor(config=bad, rc=1)
        self.assertEqual(checks["config"][0], "FAIL")
        self.assertIn("%s:3:" % bad, checks["config"][1])
        for name in ("idp", "clock", "aliyun"):
            self.assertEqual(checks[name][0], "warn")
            self.assertIn("not checked", checks[name][1])
        checks, _ = self.doctor("-a", "nosuch", rc=1)
        self.assertEqual(checks["config"][0], "FAIL")
        self.assertIn("no IdP account 'nosuch'", checks["config"][1])
        # a key whose value is wrong, as a login would find it
        wrong = os.path.join(TB.home, "doctor-wrong-value")
        with open(wrong, "w") as f:
            f.write("[default]\nprovider = form\nurl = %s\nsite = moon\n"
                    % TB.idp.url_cn)
        checks, _ = self.doctor(config=wrong, rc=1)
        self.assertEqual(checks["config"][0], "FAIL")
        self.assertIn("site", checks["config"][1])


class VersionTest(unittest.TestCase):
    def test_version_names_commit_and_stores(self):
        r = subprocess.run([BIN, "--version"], stdout=subprocess.PIPE, timeout=30)
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertRegex(out.splitlines()[0],
                         r"^saml2sts \d+\.\d+\.\d+ \(commit [0-9A-Za-z._+-]+\)$")
        self.assertRegex(out, r"(?m)^stores: secret-service file$")
        r2 = subprocess.run([BIN, "version"], stdout=subprocess.PIPE, timeout=30)
        self.assertEqual(r2.stdout, r.stdout)


class SystemConfigTest(Base):
    """SAML2STS_SYSTEM_CONFIG: organisation defaults under the user's file."""

    def setUp(self):
        name = self._testMethodName
        self.config = os.path.join(TB.home, "sys-user-" + name)
        self.aliyun = os.path.join(TB.home, "sys-aliyun-%s.json" % name)
        self.system = os.path.join(TB.home, "sys-system-" + name)
        with open(self.system, "w") as f:
            f.write("# organisation defaults\n"
                    "[default]\n"
                    "provider = simplesamlphp\n"
                    "url = %s\n"
                    "site = cn\n"
                    "sts_endpoint = http://127.0.0.1:%d\n"
                    "account_aliases = %s=corp\n"
                    "\n"
                    "[team]\n"
                    "provider = simplesamlphp\n"
                    "url = %s\n"
                    "sts_endpoint = %s\n"
                    "username = alice\n"
                    "role_arn = %s\n"
                    % (TB.idp.url_cn, closed_port(), UID, TB.idp.url_cn,
                       TB.sts.url, ADMIN))

    def tearDown(self):
        self.s2s("logout", "--all")

    def test_user_keys_win_and_configure_writes_only_them(self):
        self.ok("configure", "--username", "alice", "--sts-endpoint", TB.sts.url,
                "--profile", "sys", "--role", ADMIN)
        with open(self.config) as f:
            text = f.read()
        self.assertNotIn("provider", text)
        self.assertNotIn("url =", text)
        self.assertNotIn("account_aliases", text)
        # the user's sts_endpoint hides the system's (a closed port)
        r = self.ok("login")
        self.assertIn("corp", r.stderr.decode())  # the system's alias
        r = self.ok("credential-process", "--profile", "sys")
        self.assertEqual(json.loads(r.stdout)["mode"], "StsToken")
        checks, _ = self.doctor(rc=0)
        self.assertEqual(checks["config"][0], "ok")
        self.assertEqual(checks["idp"][0], "ok")
        # without the system file, the account is incomplete
        r = self.s2s("login", "--force", SAML2STS_SYSTEM_CONFIG=os.path.join(
            TB.home, "nosuch"))
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_system_sections_are_accounts(self):
        r = self.ok("-a", "team", "login")
        self.assertIn("team", r.stderr.decode() + r.stdout.decode())
        r = self.ok("credential-process", "--profile", "team")
        self.assertEqual(json.loads(r.stdout)["mode"], "StsToken")

    def test_bad_system_file_names_it(self):
        with open(self.system, "a") as f:
            f.write("this is not ini\n")
        r = self.s2s("-a", "team", "login")
        self.assertEqual(r.returncode, 2)
        err = r.stderr.decode()
        self.assertIn(self.system + ":", err)
        self.assertEqual(len(err.splitlines()), 1, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
