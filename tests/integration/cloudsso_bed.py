#!/usr/bin/python3
"""CloudSSO fixtures for the integration tests, beside testbed.py.

    from cloudsso_bed import CloudSSOBed, default_world
    with CloudSSOBed() as bed:            # emulator + private keyring + HOME
        bed.sso.url, bed.signin_url, bed.env, bed.home
        bed.run([BIN, "login", ...])
        bed.sso.approve()                 # the user approves in the browser
        bed.sso.calls()                   # the emulator's call log

    CloudSSOEmulator(world)  tests/cloudsso_emulator/cloudsso_emulator.py as a
                             subprocess on 127.0.0.1 (see its docstring)

    with CloudSSOBed(sts_roles={HUB: testbed.trusting(sso_role_arn(PROD, "Admin"))}) as bed:
        bed.sts                           # the STS emulator too: every key the
                                          # portal mints is registered there
                                          # (as a session of the role
                                          # sso_role_arn(...)), so it signs
                                          # AssumeRole and GetCallerIdentity

Standard library only; every process is stopped (process groups) and every
temp dir removed at the end, also when a test fails.  S2S_TESTBED_KEEP=1
keeps the dirs (logs).
"""

import copy
import json
import os
import re
import select
import shutil
import subprocess
import time
import urllib.request
import uuid

import testbed

EMULATOR = os.path.join(testbed.REPO, "tests", "cloudsso_emulator", "cloudsso_emulator.py")
DIRECTORY = "testdir"
CLIENT_ID = "app-vaz16tltdxs96audqf35"
PROD, DEV, SANDBOX = "1111111111111111", "2222222222222222", "3333333333333333"
USER = "alice@example.com"  # the CloudSSO user: the session name of minted keys


def sso_role_arn(account, access_config_name):
    """The RAM role CloudSSO provisions for an access configuration."""
    return "acs:ram::%s:role/AliyunReservedSSO-%s" % (account, access_config_name)


def sso_identity_arn(account, access_config_name, user=USER):
    """The ARN GetCallerIdentity gives for keys the portal minted."""
    return "acs:ram::%s:assumed-role/AliyunReservedSSO-%s/%s" % (
        account, access_config_name, user)


def default_world():
    """Three accounts with five access configurations: more than one page
    of each list at the emulator's page size of 2."""
    def ac(i, name, duration=3600):
        return {"AccessConfigurationId": "ac-%s%04d" % (name.lower()[:6], i),
                "AccessConfigurationName": name,
                "AccessConfigurationDescription": name + " access",
                "SessionDuration": duration}
    return {
        "directories": [DIRECTORY],
        "client_ids": [CLIENT_ID],
        "accounts": [
            {"AccountId": PROD, "DisplayName": "Production",
             "AccessConfigurations": [ac(1, "Admin"), ac(2, "ReadOnly"), ac(3, "Billing")]},
            {"AccountId": DEV, "DisplayName": "Dev Team",
             "AccessConfigurations": [ac(4, "Admin")]},
            {"AccountId": SANDBOX, "DisplayName": "Sandbox",
             "AccessConfigurations": [ac(5, "PowerUser")]},
        ],
        "settings": {"interval": 1, "page_size": 2},
        "user_name": USER,
    }


def ac_id(world, account, name):
    for a in world["accounts"]:
        if a["AccountId"] == account:
            for c in a["AccessConfigurations"]:
                if c["AccessConfigurationName"] == name:
                    return c["AccessConfigurationId"]
    raise KeyError((account, name))


class CloudSSOEmulator(testbed._Part):
    """The portal emulator as a subprocess.  Attributes: port, url, log_path,
    state_dir.  Test hooks: calls(), pending(), approve(), deny(),
    settings(**kv), duration(ac, seconds), expire_tokens(),
    inject_fault(...), clear_faults(), issued(), tokens(), stats()."""

    def __init__(self, world=None, base_dir=None, keep=None, start_timeout=10.0):
        self.world = world if world is not None else default_world()
        self.base_dir = base_dir
        self.keep = testbed._keep() if keep is None else keep
        self.start_timeout = start_timeout
        self.proc = None
        self.state_dir = None
        self.mark = uuid.uuid4().hex

    def _started(self):
        return self.proc is not None

    def _start(self):
        self.state_dir = testbed._mkdtemp("s2s-cloudsso-", self.base_dir)
        world_path = os.path.join(self.state_dir, "world.json")
        with open(world_path, "w") as f:
            json.dump(self.world, f, indent=1)
        self.log_path = os.path.join(self.state_dir, "cloudsso-calls.jsonl")
        open(self.log_path, "a").close()
        self.stderr_path = os.path.join(self.state_dir, "cloudsso-emulator.stderr")
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
               "S2S_TESTBED_MARK": self.mark, "PYTHONDONTWRITEBYTECODE": "1"}
        argv = [testbed.PYTHON, "-B", EMULATOR, "--port", "0", "--world", world_path,
                "--log", self.log_path]
        with open(self.stderr_path, "ab") as err:
            self.proc = testbed._spawn(argv, env, cwd=self.state_dir,
                                       stdout=subprocess.PIPE, stderr=err)
        line = b""
        deadline = time.monotonic() + self.start_timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise testbed.TestbedError("CloudSSO emulator not ready")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 256)
                if not chunk:
                    raise testbed.TestbedError("CloudSSO emulator exited (%s)" % self.proc.wait())
                line += chunk
        m = re.match(rb"READY (\d+)\s*$", line)
        if not m:
            raise testbed.TestbedError("unexpected CloudSSO emulator output: %r" % line)
        self.port = int(m.group(1))
        self.url = "http://%s:%d" % (testbed.LOOPBACK, self.port)

    def stop(self):
        proc, self.proc = self.proc, None
        testbed.kill_process_group(proc)
        if proc is not None and proc.stdout:
            proc.stdout.close()
        testbed.kill_marked(self.mark)
        if self.state_dir and not self.keep:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        testbed._live.discard(self)


    # -- test hooks
    def control(self, method, what, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + "/_emu/" + what, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with testbed._no_proxy_opener().open(req, timeout=5) as r:
            return json.loads(r.read() or b"null")

    def calls(self, path=None):
        out = []
        with open(self.log_path) as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    if path is None or c["path"] == path:
                        out.append(c)
        return out

    def pending(self):
        return self.control("GET", "pending")

    def wait_pending(self, timeout=20.0):
        """The user code of the newest pending device code, once there is
        one."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            p = self.pending()
            if p:
                return p[-1]["user_code"]
            time.sleep(0.05)
        raise testbed.TestbedError("no device login started")

    def approve(self, user_code=None):
        return self.control("POST", "approve", {"user_code": user_code} if user_code else {})

    def deny(self, user_code=None):
        return self.control("POST", "deny", {"user_code": user_code} if user_code else {})

    def settings(self, **kv):
        return self.control("POST", "settings", kv)

    def duration(self, access_config_id, seconds):
        return self.control("POST", "duration", {"AccessConfigurationId": access_config_id,
                                                 "SessionDuration": seconds})

    def expire_tokens(self):
        return self.control("POST", "expire-tokens", {})

    def inject_fault(self, path, status=500, code="InternalError", count=1, delay=0.0,
                     message=None, passthrough=False):
        f = {"path": path, "status": status, "code": code, "count": count, "delay": delay}
        if message is not None:
            f["message"] = message
        if passthrough:
            f["pass"] = True
        return self.control("POST", "faults", f)

    def clear_faults(self):
        return self.control("DELETE", "faults", {})

    def issued(self):
        return self.control("GET", "issued")

    def tokens(self):
        return self.control("GET", "tokens")

    def stats(self):
        return self.control("GET", "stats")


class CloudSSOBed(testbed._Part):
    """The CloudSSO emulator, a private keyring and a throw-away HOME.

    Attributes: dir, home, sso (CloudSSOEmulator), keyring, env,
    signin_url (the real-looking sign-in URL of the test directory; the
    API goes to the emulator through cloudsso.portal_endpoint), world.
    With sts_roles ({role ARN: testbed.trusting(...)}): sts, an STS
    emulator with those RAM roles, wired to the portal emulator.
    run(argv, **kw) is subprocess.run with env and captured output."""

    def __init__(self, world=None, keyring=True, keep=None, sts_roles=None):
        self.world = copy.deepcopy(world if world is not None else default_world())
        self.use_keyring = keyring
        self.keep = testbed._keep() if keep is None else keep
        self.sts_roles = sts_roles
        self.dir = None
        self.sso = self.keyring = self.sts = None
        self.mark = uuid.uuid4().hex
        self.signin_url = "https://signin-cn-shanghai.alibabacloudsso.com/%s/login" % DIRECTORY

    def _started(self):
        return self.dir is not None

    def _start(self):
        self.dir = testbed._mkdtemp("s2s-ssobed-")
        self.home = os.path.join(self.dir, "home")
        xdg = {
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.home, ".run"),
        }
        for d in [self.home] + list(xdg.values()):
            os.makedirs(d, mode=0o700, exist_ok=True)
        if self.sts_roles is not None:
            ram = {"saml_providers": {}, "roles": dict(self.sts_roles), "fail": []}
            self.sts = testbed.STSEmulator(ram, base_dir=self.dir, keep=True).start()
            self.world["sts_emulator"] = self.sts.url
        self.sso = CloudSSOEmulator(self.world, base_dir=self.dir, keep=True).start()
        if self.use_keyring:
            self.keyring = testbed.PrivateKeyring(base_dir=self.dir, keep=True).start()
        env = {k: v for k, v in os.environ.items()
               if k not in testbed.ENV_DROP and not k.startswith(testbed.ENV_DROP_PREFIXES)}
        env.update(xdg)
        env["HOME"] = self.home
        if self.keyring:
            env.update(self.keyring.env)
        else:
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + os.path.join(self.dir, "no-bus")
            env["SAML2STS_KEYRING_BACKEND"] = "file"
            env["SAML2STS_FILE_PASSPHRASE"] = "ssobed-passphrase"
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        env["S2S_TESTBED_MARK"] = self.mark
        self.env = env

    def run(self, argv, **kw):
        env = dict(self.env)
        env.update(kw.pop("extra_env", {}) or {})
        kw.setdefault("env", env)
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("timeout", 60)
        kw.setdefault("cwd", self.home)
        return subprocess.run(argv, **kw)

    def popen(self, argv, extra_env=None, **kw):
        env = dict(self.env)
        env.update(extra_env or {})
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(argv, env=env, cwd=self.home, **kw)

    def stop(self):
        for part in (self.keyring, self.sso, self.sts):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - keep stopping the rest
                    pass
        testbed.kill_marked(self.mark)
        if self.dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        testbed._live.discard(self)

