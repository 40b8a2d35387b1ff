#!/usr/bin/python3
"""Shared helper for the loopback mock IdPs of tests/adapters (stdlib only).

    idp = mockidp.MockIdP(HandlerClass).start()   # HTTP server + STS + keyring
    idp.base_url                  http://127.0.0.1:<port>
    idp.sign_xml_for(user, site)  signed samlp:Response (bytes)
    idp.sign_for(user, site)      the same, base64 (str) for a POST form
    idp.run(config_text, argv, password=None, tty=None, env=None,
            stdin=None, timeout=30)
        runs the built saml2sts (SAML2STS_BIN) with a private HOME, the
        private keyring and `sts_endpoint` pointing at the STS emulator
        (inserted after every [section] header of config_text).  password
        goes in SAML2STS_PASSWORD.  tty: None runs in a new session without
        a controlling terminal (prompts fail with exit 8); a list of
        (prompt substring, answer) runs on a pseudo-terminal and answers the
        prompts in order (each after tty_delay seconds).  Returns
        subprocess.CompletedProcess (bytes) with .tty (everything written to
        the terminal) and .config_path (the config file it ran with).
    idp.interrupt(config_text, argv, password, waiting_for)
        Ctrl-C once waiting_for (bytes) is on stderr: (status, stderr,
        seconds from the signal to the exit)
    idp.sts_calls()               the STS emulator's log entries
    idp.stop()
    totp_codes(seed)              the RFC 6238 codes (SHA-1, 6 digits, 30 s)
                                  of the previous, current and next step

HandlerClass is an http.server.BaseHTTPRequestHandler subclass; the server
is a ThreadingHTTPServer on 127.0.0.1 and handler instances reach the mock
as self.server.mock.  Module constants: SITES, ROLE_ARN, PROVIDER_ARN,
ENTITY_ID, ACCOUNT.
"""

import base64
import datetime
import fcntl
import hashlib
import hmac
import html
import http.server
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import struct
import termios
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import testbed  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
SITES = testbed.SITES
ACCOUNT = "1234567890123456"
ROLE_ARN = "acs:ram::%s:role/mock-admin" % ACCOUNT
PROVIDER_ARN = "acs:ram::%s:saml-provider/mockidp" % ACCOUNT
ENTITY_ID = "https://mockidp.example.test/"

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0"
 IssueInstant="{now}" Destination="{acs}">
 <saml:Issuer>{issuer}</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{now}">
  <saml:Issuer>{issuer}</saml:Issuer>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
   <ds:SignedInfo>
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
    <ds:Reference URI="#{aid}">
     <ds:Transforms>
      <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
      <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
     </ds:Transforms>
     <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
     <ds:DigestValue></ds:DigestValue>
    </ds:Reference>
   </ds:SignedInfo>
   <ds:SignatureValue></ds:SignatureValue>
  </ds:Signature>
  <saml:Subject>
   <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{user}</saml:NameID>
   <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
    <saml:SubjectConfirmationData NotOnOrAfter="{later}" Recipient="{acs}"/>
   </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="{before}" NotOnOrAfter="{later}">
   <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{now}" SessionIndex="_s{aid}">
   <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
  </saml:AuthnStatement>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">
    <saml:AttributeValue>{role},{provider}</saml:AttributeValue>
   </saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>{session}</saml:AttributeValue>
   </saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>
"""


def _iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def totp_codes(seed, now=None):
    """RFC 6238 SHA-1/6 digits/30 s for the previous, current and next step."""
    key = base64.b32decode(seed)
    t = int((now or time.time()) // 30)
    out = []
    for c in (t - 1, t, t + 1):
        mac = hmac.new(key, struct.pack(">Q", c), hashlib.sha1).digest()
        o = mac[-1] & 15
        out.append("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000))
    return out


def session_name(user):
    s = re.sub(r"[^A-Za-z0-9.@=,+_-]", "_", user)[:64]
    return s if len(s) >= 2 else s + "_x"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class MockIdP:
    def __init__(self, handler, sts_site="cn", keyring=True, role_arn=ROLE_ARN,
                 provider_arn=PROVIDER_ARN, entity_id=ENTITY_ID):
        self.handler = handler
        self.sts_site = sts_site
        self.use_keyring = keyring
        self.role_arn = role_arn
        self.provider_arn = provider_arn
        self.entity_id = entity_id
        self.dir = None
        self.httpd = self.sts = self.keyring = None
        self.thread = None
        self._sign_lock = threading.Lock()

    # --- lifecycle --------------------------------------------------------

    def start(self):
        if self.dir is not None:
            return self
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix="s2s-mockidp-")
        self.key_path = os.path.join(self.dir, "idp.key")
        self.cert_path = os.path.join(self.dir, "idp.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", self.key_path, "-out", self.cert_path, "-days", "2",
                        "-subj", "/CN=mockidp.example.test"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.httpd = _Server(("127.0.0.1", 0), self.handler)
        self.httpd.mock = self
        self.port = self.httpd.server_address[1]
        self.base_url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        ram = {"saml_providers": {self.provider_arn: {"cert": self.cert_path,
                                                      "entity_id": self.entity_id}},
               "roles": {self.role_arn: {"max_session_duration": 3600,
                                         "trusted_provider": self.provider_arn}},
               "fail": [], "site": self.sts_site}
        self.sts = testbed.STSEmulator(ram, site=self.sts_site, base_dir=self.dir,
                                       keep=True).start()
        if self.use_keyring:
            self.keyring = testbed.PrivateKeyring(base_dir=self.dir, keep=True).start()
        self.home = os.path.join(self.dir, "home")
        self.xdg = {
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.home, ".run"),
        }
        for d in [self.home] + list(self.xdg.values()):
            os.makedirs(d, mode=0o700, exist_ok=True)

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        for part in (self.keyring, self.sts):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - keep stopping the rest
                    pass
        self.keyring = self.sts = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- SAML -------------------------------------------------------------

    def sign_xml_for(self, user, site="cn", role_arn=None, provider_arn=None,
                     lifetime=300):
        now = datetime.datetime.now(datetime.timezone.utc)
        xml = TEMPLATE.format(
            rid="_r" + uuid.uuid4().hex, aid="_a" + uuid.uuid4().hex,
            now=_iso(now), before=_iso(now - datetime.timedelta(seconds=60)),
            later=_iso(now + datetime.timedelta(seconds=lifetime)),
            acs=SITES[site]["acs"], audience=SITES[site]["audience"],
            issuer=html.escape(self.entity_id), user=html.escape(user),
            role=role_arn or self.role_arn, provider=provider_arn or self.provider_arn,
            session=session_name(user))
        with self._sign_lock:
            tmpl = os.path.join(self.dir, "tmpl.xml")
            with open(tmpl, "w") as f:
                f.write(xml)
            r = subprocess.run(["xmlsec1", "--sign", "--privkey-pem",
                                "%s,%s" % (self.key_path, self.cert_path),
                                "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                                tmpl], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError("xmlsec1 --sign: %s" % r.stderr.decode(errors="replace"))
        return r.stdout

    def sign_for(self, user, site="cn", **kw):
        return base64.b64encode(self.sign_xml_for(user, site, **kw)).decode()

    def sts_calls(self):
        return self.sts.calls()

    # --- running the tool -------------------------------------------------

    def config_path(self, config_text):
        if "sts_endpoint" not in config_text:
            config_text = re.sub(r"(?m)^(\[[^\]\n]+\][ \t]*)$",
                                 lambda m: m.group(1) + "\nsts_endpoint = " + self.sts.url,
                                 config_text)
        path = os.path.join(self.dir, "config-%s" % uuid.uuid4().hex[:8])
        with open(path, "w") as f:
            f.write(config_text)
        return path

    def env(self, password=None, extra=None):
        env = {}
        for k, v in os.environ.items():
            if k in testbed.ENV_DROP or k.startswith(testbed.ENV_DROP_PREFIXES):
                continue
            env[k] = v
        env.update(self.xdg)
        env["HOME"] = self.home
        if self.keyring:
            env.update(self.keyring.env)
        else:
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + os.path.join(self.dir, "no-bus")
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        env["TERM"] = "dumb"
        if password is not None:
            env["SAML2STS_PASSWORD"] = password
        env.update(extra or {})
        return env

    def run(self, config_text, argv, password=None, tty=None, env=None, stdin=None,
            timeout=30, tty_delay=0):
        cfg = self.config_path(config_text)
        full = [BIN, "--config", cfg] + list(argv)
        e = self.env(password, env)
        if tty is None:
            r = subprocess.run(full, env=e, cwd=self.home, input=stdin,
                               stdin=None if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, start_new_session=True)
            r.tty = b""
            r.config_path = cfg
            return r
        r = self._run_tty(full, e, list(tty), timeout, tty_delay)
        r.config_path = cfg
        return r

    def interrupt(self, config_text, argv, password, waiting_for):
        """Run saml2sts without a terminal until waiting_for (bytes) shows
        on its stderr, then send it SIGINT (Ctrl-C).  Returns (exit
        status, all of stderr, seconds from SIGINT to exit)."""
        cfg = self.config_path(config_text)
        p = subprocess.Popen([BIN, "--config", cfg] + list(argv),
                             env=self.env(password), cwd=self.home,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        seen = b""
        while waiting_for not in seen:
            chunk = os.read(p.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        time.sleep(0.3)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        seen += p.stderr.read()
        p.wait(10)
        p.stderr.close()
        return p.returncode, seen, time.monotonic() - t0

    def _run_tty(self, argv, env, answers, timeout, delay=0):
        master, slave = pty.openpty()

        def ctty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen(argv, env=env, cwd=self.home, stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=ctty)
        os.close(slave)
        out = {}

        def drain(name, f):
            out[name] = f.read()

        ts = [threading.Thread(target=drain, args=(n, f), daemon=True)
              for n, f in (("stdout", proc.stdout), ("stderr", proc.stderr))]
        for t in ts:
            t.start()
        seen, pending = b"", b""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    proc.kill()
                    raise subprocess.TimeoutExpired(argv, timeout)
                r, _, _ = select.select([master], [], [], min(left, 0.2))
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        break
                    seen += chunk
                    pending += chunk
                    if answers and answers[0][0].encode() in pending:
                        if delay:
                            time.sleep(delay)
                        os.write(master, answers.pop(0)[1].encode() + b"\n")
                        pending = b""
                elif proc.poll() is not None:
                    break
            proc.wait(timeout=max(1, deadline - time.monotonic()))
        finally:
            os.close(master)
            for t in ts:
                t.join(5)
            proc.stdout.close()
            proc.stderr.close()
        r = subprocess.CompletedProcess(argv, proc.returncode, out.get("stdout", b""),
                                        out.get("stderr", b""))
        r.tty = seen
        return r
