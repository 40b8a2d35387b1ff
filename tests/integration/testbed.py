#!/usr/bin/python3
"""Integration testbed for saml2sts: a real IdP, an STS emulator, a private keyring.

Everything binds to 127.0.0.1, keeps its state in fresh temp dirs and is
stopped (whole process groups) and deleted on exit, also when a test fails
or the run is interrupted. Standard library only; run with /usr/bin/python3.

Python API (see the class docstrings for details):

    from testbed import Testbed
    with Testbed() as tb:                  # IdP + STS emulator + private keyring
        tb.idp.url_cn, tb.sts.url, tb.keyring.env, tb.home, tb.env
        subprocess.run([...], env=tb.env)
        tb.sts_calls()                     # parsed STS emulator log lines

    with Testbed(tls=True) as tb:          # the same over https (throw-away test CA)
        tb.tls.ca_path, tb.tls.trust_dir, tb.tls.trust_bundle
        tb.idp.front.connections, tb.sts.front.handshake_failures

    SimpleSAMLIdP(tls=None)     Debian's SimpleSAMLphp 1.19 under `php -S`
    STSEmulator(ram, tls=None)  tests/sts_emulator/sts_emulator.py as a subprocess
    PrivateKeyring()            dbus-daemon + gnome-keyring-daemon on a private bus
    TLSMaterial(dir).create()   test CA, server certificate, hashed trust dir, trust bundle
    TLSFront(cert, key, backend_port).start()  TLS-terminating forwarder (threads, in-process)
    idp_login(url, user, password) -> base64 SAMLResponse (IdP-initiated form login)
    assume_role_with_saml(sts_url, saml_b64, role_arn, provider_arn, ...) -> (status, body)
    testbed_ssl_context()       how those helpers verify https by default: the system CAs
                                plus every test CA made in this process and $S2S_TLS_CA

HTTPS mode (Testbed(tls=True), --tls): php -S and the STS emulator still speak
plain http on 127.0.0.1, each behind a TLSFront (an ephemeral 127.0.0.1 port)
whose certificate (subjectAltName IP:127.0.0.1, DNS:localhost) is signed by a
CA made for this run in <S2S_TESTBED_DIR>/tls. SimpleSAMLphp's base URL is the
front's, so its redirects, form actions and entity id are https. Nothing in
the environment makes a client trust that CA: a test picks S2S_TLS_CA,
S2S_TLS_TRUST_DIR or S2S_TLS_TRUST_BUNDLE and passes it on its own.

Command line:

    testbed.py run [--no-keyring] [--locked-keyring] [--site cn|intl] [--tls] [--keep] -- CMD ARGS...
        start everything, run CMD with the testbed environment (stdin/stdout/stderr
        inherited), stop everything, exit with CMD's status (125: testbed failed).
        --tls: the IdP and the STS emulator over https (see HTTPS mode).
    testbed.py up [--no-keyring] [--tls] ...
        start everything, print the environment as shell exports, wait for Ctrl-C.

Environment given to CMD (and in Testbed.env):

    S2S_IDP_URL            IdP-initiated login URL for the cn SP (urn:alibaba:cloudcomputing)
                           (with --tls every IdP and STS URL is https://127.0.0.1:PORT)
    S2S_IDP_URL_INTL       same for the intl SP (urn:alibaba:cloudcomputing:international)
    S2S_IDP_CERT           IdP signing certificate (PEM file)
    S2S_IDP_ENTITY_ID      IdP entity id (= its metadata URL)
    S2S_IDP_METADATA_URL   IdP metadata URL
    S2S_IDP_METADATA_FILE  IdP metadata XML saved to a file
    S2S_STS_URL            http://127.0.0.1:PORT (the STS emulator, site given by --site;
                           https://... with --tls)
    S2S_STS_LOG            the emulator's JSON-lines call log
    S2S_STS_RAM            the emulator's RAM.json (edit it to change the cloud side live)
    S2S_TESTBED_DIR        the testbed's temp dir
    S2S_TLS_CA             (--tls only) the test CA certificate, PEM
    S2S_TLS_TRUST_DIR      (--tls only) a hashed CA directory: the system's CAs + the test CA
    S2S_TLS_TRUST_BUNDLE   (--tls only) /etc/ssl/certs/ca-certificates.crt + the test CA
    HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME, XDG_RUNTIME_DIR  (throw-away)
    DBUS_SESSION_BUS_ADDRESS  the private bus (with --no-keyring: a socket that does not exist)
    NO_PROXY/no_proxy      include 127.0.0.1 and localhost

Removed from the inherited environment: every SAML2STS_* variable, the
Alibaba Cloud credential variables, DISPLAY/WAYLAND_DISPLAY, GNOME_KEYRING_*,
DBUS_STARTER_*, CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR, the proxy
variables, and anything else that points at the user's real session.
SAML2STS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR are never
set (also not with --tls): tests choose.
Set S2S_TESTBED_KEEP=1 to keep the temp dirs (logs) after a run.
"""

import argparse
import base64
import ctypes
import html.parser
import http.cookiejar
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import weakref
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SSP_TEMPLATE_DIR = os.path.join(HERE, "ssp")
SSP_WWW = "/usr/share/simplesamlphp/www"
EMULATOR = os.path.join(REPO, "tests", "sts_emulator", "sts_emulator.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

LOOPBACK = "127.0.0.1"

SITES = {
    "cn": {
        "audience": "urn:alibaba:cloudcomputing",
        "acs": "https://signin.aliyun.com/saml-role/sso",
    },
    "intl": {
        "audience": "urn:alibaba:cloudcomputing:international",
        "acs": "https://signin.alibabacloud.com/saml-role/sso",
    },
}

ATTR_ROLE = "https://www.aliyun.com/SAML-Role/Attributes/Role"
ATTR_SESSION_NAME = "https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName"
ATTR_SESSION_DURATION = "https://www.aliyun.com/SAML-Role/Attributes/SessionDuration"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}

PROVIDER_NAME = "testidp"
DEFAULT_SESSION_DURATION = 3600
DEFAULT_KEYRING_PASSWORD = "testbed"


def role_arn(account, role):
    return "acs:ram::%s:role/%s" % (account, role)


def provider_arn(account, name=PROVIDER_NAME):
    return "acs:ram::%s:saml-provider/%s" % (account, name)


class TestUser:
    """One IdP user. roles: [(role_arn, provider_arn)] in attribute order;
    role_values: the Role attribute values exactly as the IdP sends them."""

    __test__ = False  # not a unittest/pytest class

    def __init__(self, name, roles, provider_first=(), session_duration=None,
                 in_ram=True):
        self.name = name
        self.password = name + "-pass"
        self.mail = name + "@example.com"
        self.roles = list(roles)
        self.role_values = []
        for i, (r, p) in enumerate(self.roles):
            first = i in provider_first
            self.role_values.append("%s,%s" % ((p, r) if first else (r, p)))
        self.session_duration = session_duration
        self.in_ram = in_ram

    @property
    def effective_session_duration(self):
        return self.session_duration or DEFAULT_SESSION_DURATION

    def ssp_attributes(self):
        attrs = {
            "uid": [self.name],
            "mail": [self.mail],
            "displayName": [self.name.capitalize() + " Example"],
            "eduPersonAffiliation": ["member", "employee"],
        }
        if self.role_values:
            attrs["aliyunRole"] = list(self.role_values)
        if self.session_duration is not None:
            attrs["aliyunSessionDuration"] = [str(self.session_duration)]
        return attrs

    def __repr__(self):
        return "TestUser(%r, %d roles)" % (self.name, len(self.roles))


ACCT = "1234567890123456"
ACCT2 = "6543210987654321"
FRANK_ACCOUNTS = ("1111111111111111", "2222222222222222", "3333333333333333")
FRANK_ROLES = ("admin", "developer", "readonly", "billing")

# The one RAM role whose MaxSessionDuration is 43200 (all others: 3600).
LONG_SESSION_ROLE = role_arn("3333333333333333", "billing")
LONG_SESSION_MAX = 43200


def default_users():
    """The users of the testbed IdP, by name (password = name + "-pass")."""
    users = [
        TestUser("alice", [(role_arn(ACCT, "admin"), provider_arn(ACCT)),
                           (role_arn(ACCT, "readonly"), provider_arn(ACCT))]),
        TestUser("bob", [(role_arn(ACCT, "developer"), provider_arn(ACCT))]),
        TestUser("carol", [(role_arn(ACCT2, "auditor"), provider_arn(ACCT2)),
                           (role_arn(ACCT, "admin"), provider_arn(ACCT))],
                 provider_first=(0,)),
        TestUser("dave", []),
        # erin's role exists in the IdP only: STS answers EntityNotExist.Role.
        TestUser("erin", [(role_arn(ACCT, "ghost"), provider_arn(ACCT))], in_ram=False),
        TestUser("frank", [(role_arn(a, r), provider_arn(a))
                           for a in FRANK_ACCOUNTS for r in FRANK_ROLES]),
        TestUser("gina", [(role_arn(ACCT, "admin"), provider_arn(ACCT))],
                 session_duration=1200),
    ]
    return {u.name: u for u in users}


USERS = default_users()


def trusting(*principals, external_id=None, max_session_duration=3600):
    """A RAM role for signed AssumeRole (role chaining): which principals may
    assume it (role ARNs, user ARNs, account uids) and an optional external
    id its trust policy requires."""
    role = {"max_session_duration": max_session_duration,
            "trusted_principals": list(principals)}
    if external_id is not None:
        role["external_id"] = external_id
    return role


def build_ram(idp, users=None, site=None, roles=None, accounts=None):
    """The "cloud side" for the STS emulator: SAML providers (cert + entity id
    of `idp`) and every role the users carry, except the ones marked
    in_ram=False (erin's ghost). All roles have MaxSessionDuration 3600 except
    LONG_SESSION_ROLE (43200). roles: more roles by ARN (see trusting()), for
    signed AssumeRole; accounts: {uid: {"alias": ...}} for GetAccountAlias."""
    users = users if users is not None else getattr(idp, "users", USERS)
    extra_roles = roles
    providers, roles = {}, {}
    for u in users.values():
        if not u.in_ram:
            continue
        for r, p in u.roles:
            providers[p] = {"cert": idp.cert_path, "entity_id": idp.entity_id}
            roles[r] = {
                "max_session_duration": LONG_SESSION_MAX if r == LONG_SESSION_ROLE else 3600,
                "trusted_provider": p,
            }
    ram = {"saml_providers": providers, "roles": roles, "fail": []}
    if extra_roles:
        for arn, r in extra_roles.items():
            merged = dict(roles.get(arn, {}))
            merged.update(r)
            roles[arn] = merged
    if accounts:
        ram["accounts"] = accounts
    if site:
        ram["site"] = site
    return ram


# ---------------------------------------------------------------------------
# process helpers

class TestbedError(RuntimeError):
    pass


_live = weakref.WeakSet()   # started components, stopped at interpreter exit
_sigterm_installed = False


def _stop_all_live():
    for obj in list(_live):
        try:
            obj.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _install_cleanup_hooks():
    """Make SIGTERM run finally blocks and atexit (so servers are stopped),
    unless the program already handles SIGTERM itself."""
    global _sigterm_installed
    if _sigterm_installed:
        return
    _sigterm_installed = True
    import atexit
    atexit.register(_stop_all_live)
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            def _on_term(signum, frame):
                raise SystemExit(128 + signum)
            signal.signal(signal.SIGTERM, _on_term)


_libc = None


def _pdeathsig():
    """preexec_fn: die with SIGTERM when the parent goes away (best effort)."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


def _spawn(argv, env, cwd=None, stdin=subprocess.DEVNULL, stdout=None, stderr=None):
    """Start argv in its own session/process group, bound to our lifetime."""
    return subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout,
                            stderr=stderr, start_new_session=True,
                            preexec_fn=_pdeathsig, close_fds=True)


def kill_process_group(proc, timeout=3.0):
    """SIGTERM the process group led by proc, then SIGKILL what is left.
    The leader is kept as a zombie until the group is gone, so the group id
    cannot be reused by an unrelated process meanwhile."""
    if proc is None or proc.returncode is not None:
        return
    pgid = proc.pid
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break  # the leader exited (still a zombie: the group id stays ours)
        except ChildProcessError:
            break
        time.sleep(0.02)
    try:
        os.killpg(pgid, signal.SIGKILL)  # workers and stragglers
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def kill_marked(mark):
    """SIGKILL every process whose environment carries S2S_TESTBED_MARK=mark:
    processes this testbed started indirectly (D-Bus activated daemons,
    daemons left behind by a tested command)."""
    needle = ("S2S_TESTBED_MARK=%s" % mark).encode()
    spare = _ancestors()
    killed = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in spare:
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                envb = f.read()
        except OSError:
            continue
        if needle in envb.split(b"\0"):
            try:
                os.kill(int(d), signal.SIGKILL)
                killed.append(int(d))
            except OSError:
                pass
    return killed


def _ancestors():
    """Our pid and those of our ancestors (never killed by kill_marked)."""
    out, pid = set(), os.getpid()
    while pid > 1 and pid not in out:
        out.add(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return out


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_open(port, host=LOOPBACK):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _no_proxy_opener(*handlers, context=None):
    """A urllib opener without proxies; https URLs are verified with context
    (default: testbed_ssl_context(), the system CAs plus the test CAs)."""
    ctx = context if context is not None else testbed_ssl_context()
    return urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                       urllib.request.HTTPSHandler(context=ctx), *handlers)


def _http_get(url, timeout=2.0, context=None):
    with _no_proxy_opener(context=context).open(url, timeout=timeout) as r:
        return r.status, r.read()


def _mkdtemp(prefix, base_dir=None):
    d = tempfile.mkdtemp(prefix=prefix, dir=base_dir)
    os.chmod(d, 0o700)
    return d


def _keep():
    return os.environ.get("S2S_TESTBED_KEEP", "") not in ("", "0")


# ---------------------------------------------------------------------------
# TLS: a throw-away CA, a server certificate, trust stores, a TLS front

SYSTEM_CA_DIR = "/etc/ssl/certs"
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = saml2sts testbed
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(args, what):
    r = subprocess.run(["openssl"] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if r.returncode != 0:
        raise TestbedError("openssl %s failed: %s" % (what, r.stdout.decode(errors="replace")))
    return r


class TLSMaterial:
    """Certificates and trust stores for the HTTPS mode, made with the
    openssl CLI in <base_dir>/tls (mode 0700):

        ca.pem, ca.key          a throw-away test CA (EC P-256, 30 days; key 0600)
        server.pem, server.key  signed by it, subjectAltName IP:127.0.0.1,
                                DNS:localhost (key 0600, never printed)
        trust/                  a hashed CA directory: every /etc/ssl/certs/*.pem
                                plus ca.pem, then `openssl rehash` (<hash>.0 links)
        trust-bundle.pem        /etc/ssl/certs/ca-certificates.crt + ca.pem

    Attributes: dir, ca_path, ca_key_path, cert_path, key_path, trust_dir,
    trust_bundle. Methods: client_context() (an ssl.SSLContext trusting only
    ca.pem), server_context().
    """

    def __init__(self, base_dir):
        self.base_dir = base_dir
        self.dir = os.path.join(base_dir, "tls")
        self.ca_path = os.path.join(self.dir, "ca.pem")
        self.ca_key_path = os.path.join(self.dir, "ca.key")
        self.cert_path = os.path.join(self.dir, "server.pem")
        self.key_path = os.path.join(self.dir, "server.key")
        self.trust_dir = os.path.join(self.dir, "trust")
        self.trust_bundle = os.path.join(self.dir, "trust-bundle.pem")

    def create(self):
        if not os.path.isfile(SYSTEM_CA_BUNDLE):
            raise TestbedError("%s is missing: the TLS testbed needs the system trust "
                               "store (apt-get install ca-certificates)" % SYSTEM_CA_BUNDLE)
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o700)
        cnf = os.path.join(self.dir, "openssl.cnf")
        with open(cnf, "w") as f:
            f.write(_OPENSSL_CNF)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        old = os.umask(0o077)   # keys are never readable by others, not even briefly
        try:
            _openssl(["req", "-x509", "-config", cnf, "-extensions", "ca_ext"] + ec +
                     ["-sha256", "-days", "30", "-subj", "/CN=saml2sts testbed CA %s" %
                      uuid.uuid4().hex[:8], "-keyout", self.ca_key_path, "-out", self.ca_path],
                     "(test CA)")
            csr = os.path.join(self.dir, "server.csr")
            _openssl(["req", "-new", "-config", cnf] + ec +
                     ["-subj", "/CN=127.0.0.1", "-keyout", self.key_path, "-out", csr],
                     "(server key)")
            _openssl(["x509", "-req", "-in", csr, "-CA", self.ca_path, "-CAkey", self.ca_key_path,
                      "-set_serial", "0x" + secrets.token_hex(16), "-days", "30", "-sha256",
                      "-extfile", cnf, "-extensions", "server_ext", "-out", self.cert_path],
                     "(server certificate)")
            os.unlink(csr)
        finally:
            os.umask(old)
        for p in (self.ca_key_path, self.key_path):
            os.chmod(p, 0o600)
        for p in (self.ca_path, self.cert_path):
            os.chmod(p, 0o644)
        self._make_trust_dir()
        with open(self.trust_bundle, "wb") as out:
            with open(SYSTEM_CA_BUNDLE, "rb") as f:
                data = f.read()
            out.write(data)
            if data and not data.endswith(b"\n"):
                out.write(b"\n")
            with open(self.ca_path, "rb") as f:
                out.write(f.read())
        _trust_ca(self.ca_path)
        return self

    def _make_trust_dir(self):
        os.makedirs(self.trust_dir, mode=0o755, exist_ok=True)
        for name in sorted(os.listdir(SYSTEM_CA_DIR)):
            if not name.endswith(".pem"):
                continue
            src = os.path.join(SYSTEM_CA_DIR, name)
            if os.path.isfile(src):  # follows the symlinks into /usr/share/ca-certificates
                shutil.copyfile(src, os.path.join(self.trust_dir, name))
        shutil.copyfile(self.ca_path, os.path.join(self.trust_dir, "saml2sts-testbed-ca.pem"))
        _openssl(["rehash", self.trust_dir], "rehash")

    def client_context(self):
        """A verifying client context that trusts the test CA only."""
        return ssl.create_default_context(cafile=self.ca_path)

    def server_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx


# CA files trusted (besides the system store) by the testbed's own HTTP
# clients by default (IdPSession, idp_login, assume_role_with_saml,
# signed_call): the ca.pem of every TLSMaterial made in this process while
# the file exists, and $S2S_TLS_CA (set for a command run under
# `testbed.py run --tls`).
_trusted_cas = []
_ctx_cache = {}
_ctx_lock = threading.Lock()


def _trust_ca(path):
    with _ctx_lock:
        if path not in _trusted_cas:
            _trusted_cas.append(path)


def testbed_ssl_context():
    """ssl.SSLContext for the testbed's clients: the system trust store plus
    the test CAs described above (cached per set of CA files)."""
    with _ctx_lock:
        _trusted_cas[:] = [c for c in _trusted_cas if os.path.isfile(c)]
        cas = list(_trusted_cas)
    env_ca = os.environ.get("S2S_TLS_CA")
    if env_ca and env_ca not in cas and os.path.isfile(env_ca):
        cas.append(env_ca)
    key = tuple(cas)
    with _ctx_lock:
        ctx = _ctx_cache.get(key)
        if ctx is None:
            ctx = ssl.create_default_context()
            for ca in cas:
                ctx.load_verify_locations(cafile=ca)
            _ctx_cache.clear()
            _ctx_cache[key] = ctx
    return ctx


class _Part:
    """What every part of the testbed shares.  start() is idempotent:
    it registers the part for the clean-up at exit, runs _start() and,
    when that fails, stop()s whatever was made before re-raising; a with
    block starts and stops it.  A part says whether it runs (_started)."""

    def _started(self):
        raise NotImplementedError

    def start(self):
        if self._started():
            return self
        _install_cleanup_hooks()
        _live.add(self)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class TLSFront(_Part):
    """A TLS-terminating TCP forwarder on 127.0.0.1: each accepted connection
    gets a TLS handshake (in its own thread, with handshake_timeout), then a
    plain connection to 127.0.0.1:backend_port, and bytes flow both ways until
    either side closes (keep-alive works; a backend close is passed on with a
    close_notify). start() binds (ephemeral port unless port is given) and
    accepts; backend_port may be set after start() (connections made before
    that are closed after the handshake).

    Attributes: port, url ("https://127.0.0.1:PORT"), backend_port,
    connections (completed handshakes), handshake_failures (TLS handshakes
    that failed, e.g. a client refusing the certificate), last_handshake_error,
    probes (TCP connections closed before sending anything, e.g. port_open()),
    backend_failures (backend not reachable).
    Methods: start(), stop() (closes the listening socket and live connections).
    """

    def __init__(self, cert_path, key_path, backend_port=None, port=0, name="front",
                 handshake_timeout=10.0, io_timeout=60.0):
        self.cert_path = cert_path
        self.key_path = key_path
        self.backend_port = backend_port
        self.requested_port = port
        self.name = name
        self.handshake_timeout = handshake_timeout
        self.io_timeout = io_timeout
        self.port = None
        self.url = None
        self.connections = 0
        self.handshake_failures = 0
        self.last_handshake_error = None
        self.probes = 0
        self.backend_failures = 0
        self._lock = threading.Lock()
        self._sock = None
        self._wake_r = self._wake_w = None
        self._thread = None
        self._conns = set()      # live sockets (plain or TLS), shut down by stop()
        self._threads = set()
        self._stopping = False

    def _started(self):
        return self._sock is not None

    def _start(self):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.cert_path, self.key_path)
        self._stopping = False
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, self.requested_port or 0))
        sock.listen(128)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.url = "https://%s:%d" % (LOOPBACK, self.port)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True,
                                        name="s2s-tls-%s-accept" % self.name)
        self._thread.start()

    def _accept_loop(self):
        sock, wake = self._sock, self._wake_r
        while not self._stopping:
            try:
                r, _, _ = select.select([sock, wake], [], [])
            except (OSError, ValueError):
                return
            if wake in r or self._stopping:
                return
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with self._lock:
                if self._stopping:
                    conn.close()
                    return
                self._conns.add(conn)
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                     name="s2s-tls-%s-conn" % self.name)
                self._threads.add(t)
            t.start()

    def _serve(self, conn):
        tls = backend = None
        try:
            conn.settimeout(self.handshake_timeout)
            try:
                first = conn.recv(1, socket.MSG_PEEK)
            except OSError:
                first = b""
            if not first:
                with self._lock:
                    self.probes += 1
                return
            tls = self.context.wrap_socket(conn, server_side=True,
                                           do_handshake_on_connect=False)
            with self._lock:
                self._conns.discard(conn)
                self._conns.add(tls)
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as e:
                with self._lock:
                    self.handshake_failures += 1
                    self.last_handshake_error = str(e)
                return
            with self._lock:
                self.connections += 1
            if self.backend_port is None or self._stopping:
                return
            try:
                backend = socket.create_connection((LOOPBACK, self.backend_port), timeout=5)
            except OSError:
                with self._lock:
                    self.backend_failures += 1
                return
            with self._lock:
                self._conns.add(backend)
            self._pipe(tls, backend)
        except Exception:  # noqa: BLE001 - one broken connection must not matter
            pass
        finally:
            with self._lock:
                for s in (conn, tls, backend):
                    self._conns.discard(s)
                self._threads.discard(threading.current_thread())
            for s in (backend, tls, conn):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def _pipe(self, tls, backend):
        """One thread per connection, never reading and writing the SSL object
        concurrently (OpenSSL does not allow that)."""
        backend.settimeout(self.io_timeout)
        while not self._stopping:
            if tls.pending():
                r = [tls]
            else:
                r, _, _ = select.select([tls, backend], [], [], 1.0)
            if tls in r:
                tls.settimeout(0.0)
                try:
                    data = tls.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    data = None  # a non-application record; nothing to pass on
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                    data = b""
                tls.settimeout(self.io_timeout)
                if data == b"":
                    return  # the client closed
                if data:
                    backend.sendall(data)
            if backend in r:
                data = backend.recv(65536)
                if not data:
                    try:  # a close-delimited response needs close_notify
                        tls.settimeout(1.0)
                        tls.unwrap()
                    except (OSError, ValueError):
                        pass
                    return
                tls.sendall(data)

    def stop(self):
        self._stopping = True
        sock, self._sock = self._sock, None
        if self._wake_w is not None:
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self._thread = None
        if sock is not None:
            sock.close()
        for fd in (self._wake_r, self._wake_w):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._wake_r = self._wake_w = None
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for c in conns:
            try:  # the raw shutdown(2) wakes the connection's thread; it closes
                socket.socket.shutdown(c, socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5
        for t in threads:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))
        _live.discard(self)



# ---------------------------------------------------------------------------
# SimpleSAMLphp IdP

class SimpleSAMLIdP(_Part):
    """Debian's SimpleSAMLphp 1.19 as a SAML IdP under `php -S 127.0.0.1:PORT`.

    tls: None (plain http), True (make a TLSMaterial in the state dir) or a
    TLSMaterial: php -S then sits behind a TLSFront and every URL the IdP
    generates (redirects, form actions, entity id) is https on the front's port
    (a requested port is then the front's; php -S gets a free one).

    Attributes (after start()): port (the port of base_url: the front's in TLS
    mode), backend_port (php -S; = port without TLS), base_url
    ("http://127.0.0.1:PORT" or "https://..."), entity_id (= metadata_url),
    metadata_url, cert_path, key_path (SAML signing), url_cn, url_intl
    (IdP-initiated login URLs), state_dir, config_dir, log_dir, ssp_log,
    server_log, php_error_log, metadata_path, users ({name: TestUser}),
    tls (TLSMaterial or None), front (TLSFront or None).
    Methods: url(site), url_for(sp_entity_id, relay_state), login(user, ...),
    client_context() (ssl context trusting the test CA, None without TLS),
    events() / logins(user) / failed_logins() / responses() (from the SSP log).
    """

    def __init__(self, port=None, users=None, base_dir=None, workers=4,
                 default_session_duration=DEFAULT_SESSION_DURATION,
                 start_timeout=10.0, keep=None, tls=None):
        self.tls_arg = tls
        self.tls = None
        self.front = None
        self.backend_port = None
        self.requested_port = port
        self.users = users if users is not None else default_users()
        self.base_dir = base_dir
        self.workers = workers
        self.default_session_duration = default_session_duration
        self.start_timeout = start_timeout
        self.keep = _keep() if keep is None else keep
        self.proc = None
        self.state_dir = None
        self.port = None
        self.mark = uuid.uuid4().hex

    # -- URLs
    def url_for(self, sp_entity_id, relay_state=None):
        q = {"spentityid": sp_entity_id}
        if relay_state is not None:
            q["RelayState"] = relay_state
        return self.base_url + "/simplesaml/saml2/idp/SSOService.php?" + urllib.parse.urlencode(q)

    @property
    def url_cn(self):
        return self.url_for(SITES["cn"]["audience"])

    @property
    def url_intl(self):
        return self.url_for(SITES["intl"]["audience"])

    def url(self, site="cn"):
        return self.url_for(SITES[site]["audience"])

    # -- lifecycle
    def _started(self):
        return self.proc is not None

    def _start(self):
        self.state_dir = _mkdtemp("s2s-idp-", self.base_dir)
        st = self.state_dir
        for sub in ("cert", "config", "log", "data", "tmp", "sessions", "docroot"):
            os.makedirs(os.path.join(st, sub), mode=0o700, exist_ok=True)
        with open(os.path.join(st, ".s2s-testbed-idp"), "w") as f:
            f.write("saml2sts testbed IdP state dir\n")
        self.config_dir = os.path.join(st, "config")
        self.log_dir = os.path.join(st, "log")
        self.cert_path = os.path.join(st, "cert", "idp.crt")
        self.key_path = os.path.join(st, "cert", "idp.key")
        self.ssp_log = os.path.join(self.log_dir, "simplesamlphp.log")
        self.server_log = os.path.join(self.log_dir, "php-server.log")
        self.php_error_log = os.path.join(self.log_dir, "php-error.log")
        self._make_cert()
        if self.tls_arg:
            self.tls = (self.tls_arg if isinstance(self.tls_arg, TLSMaterial)
                        else TLSMaterial(st).create())
            # bound first: SSP's config needs the public (https) port
            self.front = TLSFront(self.tls.cert_path, self.tls.key_path, name="idp",
                                  port=self.requested_port or 0).start()
        shutil.copytree(SSP_TEMPLATE_DIR, self.config_dir, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("README.md", "*~"))
        os.symlink(SSP_WWW, os.path.join(st, "docroot", "simplesaml"))

        # In TLS mode a requested port is the front's; php gets a free one.
        fixed = self.requested_port if self.front is None else None
        attempts = 1 if fixed else 5
        last = None
        for _ in range(attempts):
            port = fixed or free_port()
            if port_open(port):
                last = TestbedError("port %d is already in use" % port)
                if fixed:
                    raise last
                continue
            self._configure(port)
            try:
                self._launch()
                return
            except TestbedError as e:
                last = e
                kill_process_group(self.proc)
                self.proc = None
                if fixed:
                    break
        raise last

    def _make_cert(self):
        cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes",
               "-days", "30", "-subj", "/CN=saml2sts testbed IdP",
               "-keyout", self.key_path, "-out", self.cert_path]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise TestbedError("openssl failed: %s" % r.stdout.decode(errors="replace"))
        os.chmod(self.key_path, 0o600)

    def _configure(self, port):
        self.backend_port = port
        if self.front is not None:
            self.front.backend_port = port
            self.port = self.front.port
            self.base_url = "https://%s:%d" % (LOOPBACK, self.port)
        else:
            self.port = port
            self.base_url = "http://%s:%d" % (LOOPBACK, port)
        self.metadata_url = self.base_url + "/simplesaml/saml2/idp/metadata.php"
        self.entity_id = self.metadata_url
        tb = {
            "state_dir": self.state_dir,
            "config_dir": self.config_dir,
            "base_url": self.base_url + "/simplesaml/",
            "entity_id": self.entity_id,
            "cert_path": self.cert_path,
            "key_path": self.key_path,
            "secretsalt": secrets.token_hex(24),
            "adminpassword": secrets.token_hex(12),
            "default_session_duration": str(self.default_session_duration),
            "users": {n: {"password": u.password, "attributes": u.ssp_attributes()}
                      for n, u in self.users.items()},
            "sps": [{"entity_id": s["audience"], "acs": s["acs"]} for s in SITES.values()],
        }
        path = os.path.join(self.config_dir, "testbed.json")
        with open(path, "w") as f:
            json.dump(tb, f, indent=1)
        os.chmod(path, 0o600)

    def _launch(self):
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "HOME": self.state_dir,
            "TMPDIR": os.path.join(self.state_dir, "tmp"),
            "SIMPLESAMLPHP_CONFIG_DIR": self.config_dir,
            "PHP_CLI_SERVER_WORKERS": str(self.workers),
            "S2S_TESTBED_MARK": self.mark,
        }
        argv = ["php", "-d", "log_errors=1",
                "-d", "display_errors=0",
                "-d", "error_log=" + self.php_error_log,
                "-d", "session.save_path=" + os.path.join(self.state_dir, "sessions"),
                "-S", "%s:%d" % (LOOPBACK, self.backend_port),
                "-t", os.path.join(self.state_dir, "docroot")]
        log = open(self.server_log, "ab")
        try:
            self.proc = _spawn(argv, env, cwd=self.state_dir, stdout=log, stderr=log)
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestbedError("php -S exited with %s; see %s:\n%s" % (
                    self.proc.returncode, self.server_log, self._tail(self.server_log)))
            try:
                # through the front in TLS mode: checks the whole chain
                status, body = _http_get(self.metadata_url, timeout=2.0,
                                         context=self.client_context())
                if status == 200 and b"EntityDescriptor" in body:
                    self.metadata_xml = body.decode("utf-8")
                    self.metadata_path = os.path.join(self.state_dir, "idp-metadata.xml")
                    with open(self.metadata_path, "w") as f:
                        f.write(self.metadata_xml)
                    return
                last = "HTTP %s" % status
            except urllib.error.HTTPError as e:
                last = "HTTP %s: %s" % (e.code, e.read()[:300])
            except OSError as e:
                last = str(e)
            time.sleep(0.05)
        raise TestbedError("IdP metadata %s not ready after %.0fs (%s); logs in %s" % (
            self.metadata_url, self.start_timeout, last, self.log_dir))

    @staticmethod
    def _tail(path, n=2000):
        try:
            with open(path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def client_context(self):
        """ssl.SSLContext trusting the test CA (None without TLS)."""
        return self.tls.client_context() if self.tls is not None else None

    def stop(self):
        front, self.front = self.front, None
        if front is not None:
            front.stop()
        proc, self.proc = self.proc, None
        kill_process_group(proc)
        kill_marked(self.mark)
        if self.state_dir and not self.keep:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        _live.discard(self)


    # -- what happened (parsed from SimpleSAMLphp's log)
    _EV_LOGIN = re.compile(r"User '([^']*)' successfully authenticated")
    _EV_FAILED = re.compile(r"Unsuccessful login attempt")
    _EV_RESPONSE = re.compile(r"Sending SAML 2\.0 Response to '([^']*)'")

    def events(self):
        """[{"event": "login", "user"} | {"event": "login_failed"} |
        {"event": "response", "sp"}] in log order. A password login is
        "login"; every SAMLResponse issued (also on session reuse) is "response"."""
        out = []
        try:
            with open(self.ssp_log, errors="replace") as f:
                for line in f:
                    m = self._EV_LOGIN.search(line)
                    if m:
                        out.append({"event": "login", "user": m.group(1)})
                        continue
                    if self._EV_FAILED.search(line):
                        out.append({"event": "login_failed"})
                        continue
                    m = self._EV_RESPONSE.search(line)
                    if m:
                        out.append({"event": "response", "sp": m.group(1)})
        except FileNotFoundError:
            pass
        return out

    def logins(self, user=None):
        """Successful password logins (optionally of one user)."""
        return [e for e in self.events()
                if e["event"] == "login" and (user is None or e["user"] == user)]

    def failed_logins(self):
        return [e for e in self.events() if e["event"] == "login_failed"]

    def responses(self):
        """SAMLResponses issued, as a list of SP entity ids."""
        return [e["sp"] for e in self.events() if e["event"] == "response"]

    # -- conveniences
    def login(self, user, password=None, site="cn", session=None):
        """IdP-initiated login; returns the base64 SAMLResponse."""
        if isinstance(user, TestUser):
            user = user.name
        if password is None:
            password = self.users[user].password if user in self.users else user + "-pass"
        s = session or IdPSession(context=self.client_context())
        return s.login(self.url(site), user, password).saml_response


# ---------------------------------------------------------------------------
# IdP-initiated form login with urllib (the reference "form adapter")

class _FormParser(html.parser.HTMLParser):
    """Collects <form>s with their <input>s. Attribute values arrive
    entity-decoded (html.parser does that), so AuthState's &amp; is fixed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._cur = {"action": a.get("action"), "method": a.get("method", "get").lower(),
                         "inputs": []}
            self.forms.append(self._cur)
        elif tag == "input":
            target = self._cur if self._cur is not None else None
            item = (a.get("name"), a.get("type", "text").lower(), a.get("value", ""))
            if target is not None:
                target["inputs"].append(item)
            else:
                self.forms.append({"action": None, "method": "get", "inputs": [item],
                                   "orphan": True})

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


class IdPAuthError(TestbedError):
    """The IdP showed the login form again (bad credentials)."""


class LoginResult:
    def __init__(self, saml_response, relay_state, acs, page_url):
        self.saml_response = saml_response
        self.relay_state = relay_state
        self.acs = acs
        self.page_url = page_url


class IdPSession:
    """A browser-like session (cookie jar) against the SimpleSAMLphp IdP.
    context: ssl.SSLContext for https URLs (default testbed_ssl_context())."""

    def __init__(self, timeout=10.0, context=None):
        self.jar = http.cookiejar.CookieJar()
        self.opener = _no_proxy_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                       context=context)
        self.timeout = timeout
        self.requests = 0

    def _open(self, url, data=None):
        req = urllib.request.Request(url, data=data)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        self.requests += 1
        with self.opener.open(req, timeout=self.timeout) as r:
            return r.geturl(), r.read().decode("utf-8", errors="replace")

    @staticmethod
    def _forms(page):
        p = _FormParser()
        p.feed(page)
        p.close()
        return p.forms

    @staticmethod
    def _saml_result(forms, page_url):
        for f in forms:
            vals = {n: v for n, _, v in f["inputs"] if n}
            if "SAMLResponse" in vals:
                return LoginResult(vals["SAMLResponse"], vals.get("RelayState"),
                                   f.get("action"), page_url)
        return None

    def login(self, url, username, password):
        page_url, page = self._open(url)
        forms = self._forms(page)
        res = self._saml_result(forms, page_url)
        if res:
            return res  # still logged in (cookie jar)
        form = next((f for f in forms
                     if any(t == "password" for _, t, _ in f["inputs"])), None)
        if form is None:
            raise TestbedError("no login form at %s" % page_url)
        fields = []
        for name, typ, value in form["inputs"]:
            if not name:
                continue
            if name == "username":
                value = username
            elif typ == "password":
                value = password
            elif typ in ("submit", "button", "image", "checkbox", "radio"):
                continue
            fields.append((name, value))
        action = urllib.parse.urljoin(page_url, form["action"] or "")
        page_url, page = self._open(action, urllib.parse.urlencode(fields).encode())
        forms = self._forms(page)
        res = self._saml_result(forms, page_url)
        if res:
            return res
        if any(t == "password" for f in forms for _, t, _ in f["inputs"]):
            raise IdPAuthError("IdP rejected the credentials of %r" % username)
        raise TestbedError("unexpected IdP page after login at %s" % page_url)


def idp_login(url, username, password, session=None):
    """IdP-initiated login at url; returns the base64 SAMLResponse."""
    return (session or IdPSession()).login(url, username, password).saml_response


# ---------------------------------------------------------------------------
# SAML helpers for tests

def decode_saml(saml_b64):
    """base64 SAMLResponse -> XML text."""
    return base64.b64decode(saml_b64).decode("utf-8")


def encode_saml(xml_text):
    if isinstance(xml_text, str):
        xml_text = xml_text.encode("utf-8")
    return base64.b64encode(xml_text).decode("ascii")


def saml_attributes(xml_text):
    """{attribute Name: [values]} of the (first) Assertion."""
    root = ET.fromstring(xml_text)
    out = {}
    for attr in root.iter("{%s}Attribute" % NS["saml"]):
        out.setdefault(attr.get("Name"), []).extend(
            (v.text or "") for v in attr.findall("{%s}AttributeValue" % NS["saml"]))
    return out


def saml_roles(xml_text):
    """[(role_arn, provider_arn)] from the Role attribute, either order, trimmed."""
    pairs = []
    for v in saml_attributes(xml_text).get(ATTR_ROLE, []):
        parts = [p.strip() for p in v.split(",", 1)]
        if len(parts) != 2:
            continue
        a, b = parts
        if ":saml-provider/" in a and ":role/" in b:
            a, b = b, a
        pairs.append((a, b))
    return pairs


def saml_nameid(xml_text):
    root = ET.fromstring(xml_text)
    n = root.find(".//{%s}Subject/{%s}NameID" % (NS["saml"], NS["saml"]))
    return (n.text, n.get("Format")) if n is not None else (None, None)


# ---------------------------------------------------------------------------
# STS client helper

def assume_role_with_saml(sts_url, saml_b64, role_arn_, provider_arn_, duration=None,
                          policy=None, method="POST", fmt="JSON", params_in="body",
                          action="AssumeRoleWithSAML", version="2015-04-01",
                          extra=None, omit=(), timeout=15.0, context=None):
    """Call the STS emulator (or any STS) the way the C tool should: common
    params in the query, business params in a form body (params_in="body") or
    all in the query (params_in="query"). https URLs are verified with
    context (default testbed_ssl_context()). Returns (http_status, parsed
    JSON or raw text)."""
    common = {"Action": action, "Version": version, "Format": fmt,
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "SignatureNonce": uuid.uuid4().hex}
    biz = {"SAMLProviderArn": provider_arn_, "RoleArn": role_arn_, "SAMLAssertion": saml_b64}
    if duration is not None:
        biz["DurationSeconds"] = str(duration)
    if policy is not None:
        biz["Policy"] = policy
    if extra:
        biz.update(extra)
    for k in omit:
        common.pop(k, None)
        biz.pop(k, None)
    common = {k: v for k, v in common.items() if v is not None}
    biz = {k: v for k, v in biz.items() if v is not None}
    if params_in == "query" or method == "GET":
        query, body = dict(common, **biz), None
    else:
        query, body = common, urllib.parse.urlencode(biz).encode()
    url = sts_url.rstrip("/") + "/?" + urllib.parse.urlencode(query)
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with _no_proxy_opener(context=context).open(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def signed_call(sts_url, action, key_id, secret, token=None, params=None,
                version="2015-04-01", nonce=None, timestamp=None, method="POST",
                tamper=None, timeout=15.0, context=None):
    """A signed RPC call (HMAC-SHA1, SignatureVersion 1.0) the way the notes
    describe it, everything in a form body (POST) or the query (GET).
    tamper(params) may change the signed parameters after signing.
    context: as for assume_role_with_saml. Returns (http_status, parsed JSON or raw text)."""
    sys.path.insert(0, os.path.dirname(EMULATOR))
    import signed_sts  # noqa: E402
    p = {"Action": action, "Version": version, "Format": "JSON", "AccessKeyId": key_id,
         "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
         "SignatureNonce": nonce or uuid.uuid4().hex,
         "Timestamp": timestamp or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if token is not None:
        p["SecurityToken"] = token
    p.update(params or {})
    p["Signature"] = signed_sts.signature(secret, signed_sts.string_to_sign(method, p))
    if tamper:
        tamper(p)
    data = urllib.parse.urlencode(p, quote_via=urllib.parse.quote).encode()
    if method == "GET":
        req = urllib.request.Request(sts_url.rstrip("/") + "/?" + data.decode(), method="GET")
    else:
        req = urllib.request.Request(sts_url.rstrip("/") + "/", data=data, method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with _no_proxy_opener(context=context).open(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode("utf-8", errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


# ---------------------------------------------------------------------------
# STS emulator (subprocess)

class STSEmulator(_Part):
    """tests/sts_emulator/sts_emulator.py as a subprocess on 127.0.0.1.

    ram: a dict (written to RAM.json) or the path of a RAM.json.
    tls: None (plain http), True (make a TLSMaterial in the state dir) or a
    TLSMaterial: the emulator then sits behind a TLSFront and url is https.
    Attributes: port (the port of url: the front's in TLS mode), backend_port
    (the emulator's own plain port), url, ram_path, log_path, site, state_dir,
    tls (TLSMaterial or None), front (TLSFront or None).
    Methods: calls() (parsed log), inject_fault(...), clear_faults(),
    set_clock(offset=..., skew=...), issued() (credentials handed out),
    update_ram(dict) (rewrites RAM.json; the emulator reloads it).
    """

    def __init__(self, ram, site="cn", port=0, log_path=None, base_dir=None,
                 start_timeout=10.0, keep=None, tls=None):
        self.tls_arg = tls
        self.tls = None
        self.front = None
        self.backend_port = None
        self.ram = ram
        self.site = site
        self.requested_port = port
        self.log_path = log_path
        self.base_dir = base_dir
        self.start_timeout = start_timeout
        self.keep = _keep() if keep is None else keep
        self.proc = None
        self.state_dir = None
        self.mark = uuid.uuid4().hex

    def _started(self):
        return self.proc is not None

    def _start(self):
        self.state_dir = _mkdtemp("s2s-sts-", self.base_dir)
        if isinstance(self.ram, dict):
            self.ram_path = os.path.join(self.state_dir, "RAM.json")
            with open(self.ram_path, "w") as f:
                json.dump(self.ram, f, indent=1)
        else:
            self.ram_path = os.path.abspath(self.ram)
        if self.log_path is None:
            self.log_path = os.path.join(self.state_dir, "sts-calls.jsonl")
        open(self.log_path, "a").close()
        self.stderr_path = os.path.join(self.state_dir, "sts-emulator.stderr")
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        env["PATH"] = env.get("PATH", "/usr/bin:/bin")
        env["S2S_TESTBED_MARK"] = self.mark
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        port = 0 if self.tls_arg else (self.requested_port or 0)
        argv = [PYTHON, "-B", EMULATOR, "--port", str(port),
                "--ram", self.ram_path, "--site", self.site, "--log", self.log_path]
        err = open(self.stderr_path, "ab")
        try:
            self.proc = _spawn(argv, env, cwd=self.state_dir, stdout=subprocess.PIPE,
                               stderr=err)
        finally:
            err.close()
        line = b""
        deadline = time.monotonic() + self.start_timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestbedError("STS emulator not ready after %.0fs" % self.start_timeout)
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 256)
                if not chunk:
                    raise TestbedError("STS emulator exited (%s):\n%s" % (
                        self.proc.wait(), SimpleSAMLIdP._tail(self.stderr_path)))
                line += chunk
        m = re.match(rb"READY (\d+)\s*$", line)
        if not m:
            raise TestbedError("unexpected STS emulator output: %r" % line)
        self.backend_port = self.port = int(m.group(1))
        self.url = "http://%s:%d" % (LOOPBACK, self.port)
        if self.tls_arg:
            self.tls = (self.tls_arg if isinstance(self.tls_arg, TLSMaterial)
                        else TLSMaterial(self.state_dir).create())
            # with tls a requested port is the front's (the emulator got 0)
            self.front = TLSFront(self.tls.cert_path, self.tls.key_path, name="sts",
                                  backend_port=self.backend_port,
                                  port=self.requested_port or 0).start()
            self.port = self.front.port
            self.url = self.front.url

    def client_context(self):
        """ssl.SSLContext trusting the test CA (None without TLS)."""
        return self.tls.client_context() if self.tls is not None else None

    def stop(self):
        front, self.front = self.front, None
        if front is not None:
            front.stop()
        proc, self.proc = self.proc, None
        kill_process_group(proc)
        if proc is not None and proc.stdout:
            proc.stdout.close()
        kill_marked(self.mark)
        if self.state_dir and not self.keep:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        _live.discard(self)


    # -- test hooks
    def calls(self):
        """Parsed log lines, one dict per STS request, oldest first."""
        out = []
        try:
            with open(self.log_path) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        out.append(json.loads(line))
        except FileNotFoundError:
            pass
        return out

    def _control(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with _no_proxy_opener(context=self.client_context()).open(req, timeout=5) as r:
            return json.loads(r.read() or b"null")

    def inject_fault(self, code="InternalError", status=500, count=1, message=None,
                     delay=0.0, body=None, content_type=None, role_arn=None, passthrough=False,
                     action=None):
        """The next `count` STS calls (matching role_arn and action if given)
        get this error (or, with passthrough=True, only the delay).
        count=-1: forever."""
        f = {"code": code, "status": status, "count": count, "delay": delay}
        if action is not None:
            f["action"] = action
        if message is not None:
            f["message"] = message
        if body is not None:
            f["body"] = body
        if content_type is not None:
            f["content_type"] = content_type
        if role_arn is not None:
            f["role_arn"] = role_arn
        if passthrough:
            f["pass"] = True
        return self._control("POST", "faults", f)

    def faults(self):
        return self._control("GET", "faults")

    def clear_faults(self):
        return self._control("DELETE", "faults")

    def set_clock(self, offset=None, skew=None):
        """offset: seconds added to the emulator's "now" (e.g. 600 makes a fresh
        assertion expired); skew: allowed clock skew in seconds."""
        p = {}
        if offset is not None:
            p["clock_offset"] = offset
        if skew is not None:
            p["clock_skew"] = skew
        return self._control("POST", "config", p)

    def issued(self):
        """Every credential handed out so far, oldest first (in memory only,
        never logged): [{"AccessKeyId", "AccessKeySecret", "SecurityToken",
        "Expiration", "RequestId", "RoleArn", "SAMLProviderArn"}]."""
        return self._control("GET", "issued")

    def update_ram(self, ram):
        """Replace RAM.json; the emulator reloads it on the next request."""
        tmp = self.ram_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(ram, f, indent=1)
        os.replace(tmp, self.ram_path)
        self._control("POST", "reload", {})


# ---------------------------------------------------------------------------
# private keyring

def _dbus_send(address, *args, timeout=5.0):
    env = {"PATH": "/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": address, "LANG": "C.UTF-8"}
    return subprocess.run(["dbus-send", "--session", "--print-reply",
                           "--reply-timeout=%d" % int(timeout * 1000)] + list(args),
                          env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout + 5)


class PrivateKeyring(_Part):
    """A private D-Bus session bus plus gnome-keyring-daemon (secrets
    component) whose `login` collection is the default and unlocked, or
    locked with locked=True. All state is in a temp dir.

    env: what a child needs ({"DBUS_SESSION_BUS_ADDRESS": ...}).
    child_env(base): base (default os.environ) minus everything pointing at
    the user's real session, plus env.
    lock(), unlock(), is_locked(), run(argv, **kw), stop().
    """

    SECRETS = "org.freedesktop.secrets"
    LOGIN = "/org/freedesktop/secrets/collection/login"

    def __init__(self, locked=False, password=DEFAULT_KEYRING_PASSWORD, base_dir=None,
                 start_timeout=10.0, keep=None):
        self.want_locked = locked
        self.password = password
        self.base_dir = base_dir
        self.start_timeout = start_timeout
        self.keep = _keep() if keep is None else keep
        self.dbus = None
        self.gkd = None
        self.dir = None
        self.address = None
        self.mark = uuid.uuid4().hex

    def _started(self):
        return self.dbus is not None

    def _daemon_env(self):
        return {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": self.dir,
            "XDG_DATA_HOME": self.data_dir,
            "XDG_RUNTIME_DIR": self.runtime_dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
            "S2S_TESTBED_MARK": self.mark,
        }

    def _start(self):
        self.dir = _mkdtemp("s2s-keyring-", self.base_dir)
        self.data_dir = os.path.join(self.dir, "data")
        self.runtime_dir = os.path.join(self.dir, "run")
        for d in (self.data_dir, self.runtime_dir, os.path.join(self.dir, "config"),
                  os.path.join(self.dir, "cache")):
            os.makedirs(d, mode=0o700, exist_ok=True)
        self.log_path = os.path.join(self.dir, "daemons.log")
        self.bus_path = os.path.join(self.dir, "bus")
        self.bus_dir = None
        if len(self.bus_path) > 96:  # sun_path holds 107 bytes
            self.bus_dir = tempfile.mkdtemp(prefix="s2s-bus-", dir="/tmp")
            self.bus_path = os.path.join(self.bus_dir, "bus")
        env = self._daemon_env()
        log = open(self.log_path, "ab")
        try:
            self.dbus = _spawn(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                "--address=unix:path=" + self.bus_path, "--print-address=1"],
                               env, cwd=self.dir, stdout=subprocess.PIPE, stderr=log)
        finally:
            log.close()
        line = b""
        deadline = time.monotonic() + self.start_timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestbedError("dbus-daemon did not print its address")
            r, _, _ = select.select([self.dbus.stdout], [], [], left)
            if r:
                chunk = os.read(self.dbus.stdout.fileno(), 512)
                if not chunk:
                    raise TestbedError("dbus-daemon exited: %s" % SimpleSAMLIdP._tail(self.log_path))
                line += chunk
        self.address = line.decode().strip()
        self.env = {"DBUS_SESSION_BUS_ADDRESS": self.address}
        self._start_keyring_daemon()
        if self.want_locked:
            self.lock()

    def _start_keyring_daemon(self):
        env = dict(self._daemon_env(), DBUS_SESSION_BUS_ADDRESS=self.address)
        log = open(self.log_path, "ab")
        try:
            self.gkd = _spawn(["gnome-keyring-daemon", "--foreground", "--unlock",
                               "--components=secrets"], env, cwd=self.dir,
                              stdin=subprocess.PIPE, stdout=log, stderr=log)
        finally:
            log.close()
        # The password goes through a pipe, never argv or the environment.
        self.gkd.stdin.write(self.password.encode())
        self.gkd.stdin.close()
        self._wait_locked(False)

    def _name_has_owner(self):
        r = _dbus_send(self.address, "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                       "org.freedesktop.DBus.NameHasOwner", "string:" + self.SECRETS)
        return r.returncode == 0 and b"boolean true" in r.stdout

    def is_locked(self):
        """True/False, or None when the login collection is not there."""
        r = _dbus_send(self.address, "--dest=" + self.SECRETS, self.LOGIN,
                       "org.freedesktop.DBus.Properties.Get",
                       "string:org.freedesktop.Secret.Collection", "string:Locked")
        if r.returncode != 0:
            return None
        if b"boolean true" in r.stdout:
            return True
        if b"boolean false" in r.stdout:
            return False
        return None

    def _wait_locked(self, want):
        # Ask only once the daemon owns the name: a call to an unowned name would
        # D-Bus-activate a second daemon.
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.gkd is not None and self.gkd.poll() is not None:
                raise TestbedError("gnome-keyring-daemon exited (%s): %s" % (
                    self.gkd.returncode, SimpleSAMLIdP._tail(self.log_path)))
            if self._name_has_owner() and self.is_locked() is want:
                return
            time.sleep(0.03)
        raise TestbedError("keyring login collection not %s after %.0fs; log: %s" % (
            "locked" if want else "unlocked", self.start_timeout, SimpleSAMLIdP._tail(self.log_path)))

    def lock(self):
        r = _dbus_send(self.address, "--dest=" + self.SECRETS, "/org/freedesktop/secrets",
                       "org.freedesktop.Secret.Service.Lock",
                       "array:objpath:" + self.LOGIN)
        if r.returncode != 0:
            raise TestbedError("Lock failed: %s" % r.stderr.decode(errors="replace"))
        self._wait_locked(True)

    def unlock(self):
        """Unlock by restarting the keyring daemon with the password (there is
        no prompt-free unlock call for dbus-send)."""
        kill_process_group(self.gkd)
        self.gkd = None
        deadline = time.monotonic() + self.start_timeout
        while self._name_has_owner() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._start_keyring_daemon()

    # Variables that would point a child at the user's real desktop session.
    ENV_REMOVE = ("DBUS_SESSION_BUS_ADDRESS", "DBUS_STARTER_ADDRESS", "DBUS_STARTER_BUS_TYPE",
                  "GNOME_KEYRING_CONTROL", "GNOME_KEYRING_PID", "DISPLAY", "WAYLAND_DISPLAY",
                  "XAUTHORITY", "SECRET_BACKEND", "SECRET_FILE_TEST_PATH",
                  "SECRET_FILE_TEST_PASSWORD")

    def child_env(self, base=None):
        env = dict(os.environ if base is None else base)
        for k in self.ENV_REMOVE:
            env.pop(k, None)
        env.update(self.env)
        return env

    def run(self, argv, **kw):
        kw.setdefault("env", self.child_env())
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("timeout", 30)
        return subprocess.run(argv, **kw)

    def stop(self):
        gkd, self.gkd = self.gkd, None
        dbus, self.dbus = self.dbus, None
        kill_process_group(gkd)
        kill_process_group(dbus)
        if dbus is not None and dbus.stdout:
            dbus.stdout.close()
        kill_marked(self.mark)
        if getattr(self, "bus_dir", None):
            shutil.rmtree(self.bus_dir, ignore_errors=True)
        if self.dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        _live.discard(self)



# ---------------------------------------------------------------------------
# the whole testbed

# Inherited variables that must not reach the tool under test.
ENV_DROP_PREFIXES = ("SAML2STS_", "ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "S2S_",
                     "OSS_", "XDG_", "GNOME_KEYRING_", "DBUS_", "SECRET_")
ENV_DROP = ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SECURITY_TOKEN", "DISPLAY",
            "WAYLAND_DISPLAY", "XAUTHORITY", "SSH_AUTH_SOCK", "CURL_CA_BUNDLE",
            "SSL_CERT_FILE", "SSL_CERT_DIR",
            "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")


class Testbed(_Part):
    """IdP + STS emulator + (optional) private keyring + throw-away HOME.

    tls=True: the IdP and the STS emulator are reached over https only,
    through TLSFronts, with certificates from a throw-away CA (tls, a
    TLSMaterial in <dir>/tls); env gets S2S_TLS_CA, S2S_TLS_TRUST_DIR and
    S2S_TLS_TRUST_BUNDLE, never a variable that makes a client trust them.

    Attributes: dir, idp (SimpleSAMLIdP), sts (STSEmulator), keyring
    (PrivateKeyring or None), home, env (full environment for the tool),
    ram (dict), ram_path, sts_log, users, tls (TLSMaterial or None).
    Methods: sts_calls(), run(argv, **kw), login(user, site=...), stop().
    """

    def __init__(self, keyring=True, keyring_locked=False, site="cn", idp_port=None,
                 sts_port=0, users=None, ram_hook=None, keep=None, tls=False):
        self.use_tls = tls
        self.tls = None
        self.use_keyring = keyring
        self.keyring_locked = keyring_locked
        self.site = site
        self.idp_port = idp_port
        self.sts_port = sts_port
        self.users = users if users is not None else default_users()
        self.ram_hook = ram_hook
        self.keep = _keep() if keep is None else keep
        self.dir = None
        self.idp = self.sts = self.keyring = None
        self.mark = uuid.uuid4().hex

    def _started(self):
        return self.dir is not None

    def _start(self):
        self.dir = _mkdtemp("s2s-testbed-")
        self.home = os.path.join(self.dir, "home")
        xdg = {
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.home, ".run"),
        }
        for d in [self.home] + list(xdg.values()):
            os.makedirs(d, mode=0o700, exist_ok=True)
        if self.use_tls:
            self.tls = TLSMaterial(self.dir).create()
        self.idp = SimpleSAMLIdP(port=self.idp_port, users=self.users, base_dir=self.dir,
                                 keep=True, tls=self.tls).start()
        self.ram = build_ram(self.idp, self.users, site=self.site)
        if self.ram_hook:
            self.ram = self.ram_hook(self.ram) or self.ram
        self.ram_path = os.path.join(self.dir, "RAM.json")
        with open(self.ram_path, "w") as f:
            json.dump(self.ram, f, indent=1)
        self.sts_log = os.path.join(self.dir, "sts-calls.jsonl")
        self.sts = STSEmulator(self.ram_path, site=self.site, port=self.sts_port,
                               log_path=self.sts_log, base_dir=self.dir, keep=True,
                               tls=self.tls).start()
        if self.use_keyring:
            self.keyring = PrivateKeyring(locked=self.keyring_locked, base_dir=self.dir,
                                          keep=True).start()
        self.env = self._build_env(xdg)

    def _build_env(self, xdg):
        env = {}
        for k, v in os.environ.items():
            if k in ENV_DROP or k.startswith(ENV_DROP_PREFIXES):
                continue
            env[k] = v
        env.update(xdg)
        env["HOME"] = self.home
        if self.keyring:
            env.update(self.keyring.env)
        else:
            # a bus that does not exist: the tool must not reach a real keyring
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + os.path.join(self.dir, "no-bus")
        no_proxy = [p for p in os.environ.get("NO_PROXY", os.environ.get("no_proxy", "")).split(",") if p]
        for h in ("127.0.0.1", "localhost"):
            if h not in no_proxy:
                no_proxy.append(h)
        env["NO_PROXY"] = env["no_proxy"] = ",".join(no_proxy)
        env.update({
            "S2S_IDP_URL": self.idp.url_cn,
            "S2S_IDP_URL_INTL": self.idp.url_intl,
            "S2S_IDP_CERT": self.idp.cert_path,
            "S2S_IDP_ENTITY_ID": self.idp.entity_id,
            "S2S_IDP_METADATA_URL": self.idp.metadata_url,
            "S2S_IDP_METADATA_FILE": self.idp.metadata_path,
            "S2S_STS_URL": self.sts.url,
            "S2S_STS_LOG": self.sts_log,
            "S2S_STS_RAM": self.ram_path,
            "S2S_TESTBED_DIR": self.dir,
            "S2S_TESTBED_MARK": self.mark,
        })
        if self.tls:
            env.update({
                "S2S_TLS_CA": self.tls.ca_path,
                "S2S_TLS_TRUST_DIR": self.tls.trust_dir,
                "S2S_TLS_TRUST_BUNDLE": self.tls.trust_bundle,
            })
        return env

    def sts_calls(self):
        return self.sts.calls()

    def login(self, user, site="cn", password=None, session=None):
        return self.idp.login(user, password=password, site=site, session=session)

    def run(self, argv, **kw):
        """subprocess.run(argv) with the testbed environment (captured output,
        30 s timeout by default)."""
        env = dict(self.env)
        env.update(kw.pop("extra_env", {}) or {})
        kw.setdefault("env", env)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("timeout", 30)
        kw.setdefault("cwd", self.home)
        return subprocess.run(argv, **kw)

    def stop(self):
        for part in (self.keyring, self.sts, self.idp):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - keep stopping the rest
                    pass
        kill_marked(self.mark)
        if self.dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        _live.discard(self)


    def describe(self):
        lines = ["IdP      %s (entity %s)" % (self.idp.base_url, self.idp.entity_id),
                 "login    %s" % self.idp.url_cn,
                 "STS      %s (site %s, log %s)" % (self.sts.url, self.site, self.sts_log),
                 "keyring  %s" % (self.keyring.address if self.keyring else "none"),
                 "TLS      %s" % ("test CA %s (trust dir %s, bundle %s)" % (
                     self.tls.ca_path, self.tls.trust_dir, self.tls.trust_bundle)
                                  if self.tls else "none (plain http)"),
                 "HOME     %s" % self.home,
                 "users    " + ", ".join("%s/%s" % (u.name, u.password) for u in self.users.values())]
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# CLI

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def _cmd_run(args):
    cmd = args.cmd
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        print("testbed.py run: missing command (testbed.py run [options] -- CMD ARGS...)",
              file=sys.stderr)
        return 2
    tb = Testbed(keyring=not args.no_keyring, keyring_locked=args.locked_keyring,
                 site=args.site, idp_port=args.idp_port, keep=args.keep or None,
                 tls=args.tls)
    got = {"sig": None}

    def on_signal(signum, frame):
        got["sig"] = signum

    # SIGTERM/SIGHUP before the child exists: stop cleanly.
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda n, f: (_ for _ in ()).throw(SystemExit(128 + n)))
    try:
        try:
            tb.start()
        except KeyboardInterrupt:
            return 130
        except Exception as e:  # noqa: BLE001
            print("testbed.py: testbed setup failed: %s" % e, file=sys.stderr)
            return 125
        if args.verbose:
            print(tb.describe(), file=sys.stderr)
        try:
            child = subprocess.Popen(cmd, env=tb.env)
        except OSError as e:
            print("testbed.py: cannot run %s: %s" % (cmd[0], e), file=sys.stderr)
            return 127 if isinstance(e, FileNotFoundError) else 126
        # The child shares our foreground process group, so Ctrl-C reaches it
        # directly; we only wait for it. (A Python-level handler, unlike
        # SIG_IGN, is not inherited across exec.)
        signal.signal(signal.SIGINT, on_signal)
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, lambda n, f: child.send_signal(n))
        while True:
            try:
                rc = child.wait()
                break
            except KeyboardInterrupt:
                continue
        return 128 - rc if rc < 0 else rc
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # do not interrupt the cleanup
        tb.stop()
        if tb.keep and tb.dir:
            print("testbed.py: kept %s" % tb.dir, file=sys.stderr)


def _cmd_up(args):
    tb = Testbed(keyring=not args.no_keyring, keyring_locked=args.locked_keyring,
                 site=args.site, idp_port=args.idp_port, keep=args.keep or None,
                 tls=args.tls)
    signal.signal(signal.SIGTERM, lambda n, f: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        tb.start()
        print("# saml2sts testbed is up; Ctrl-C stops it", file=sys.stderr)
        print(tb.describe(), file=sys.stderr)
        for k in sorted(tb.env):
            if k == "S2S_TESTBED_MARK":
                continue  # a shell that sources this must not be swept at stop
            if k.startswith(("S2S_", "XDG_", "DBUS_")) or k == "HOME":
                print("export %s=%s" % (k, _shell_quote(tb.env[k])))
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        tb.stop()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="testbed.py",
                                 description="saml2sts integration testbed (IdP, STS emulator, keyring)")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("run", "up"):
        p = sub.add_parser(name)
        p.add_argument("--no-keyring", action="store_true", help="no private keyring")
        p.add_argument("--locked-keyring", action="store_true",
                       help="the keyring's default collection is locked")
        p.add_argument("--site", choices=sorted(SITES), default="cn",
                       help="site the STS emulator checks (default cn)")
        p.add_argument("--idp-port", type=int, default=None)
        p.add_argument("--tls", action="store_true",
                       help="IdP and STS emulator over https (throw-away test CA)")
        p.add_argument("--keep", action="store_true", help="keep the temp dirs (logs)")
        p.add_argument("-v", "--verbose", action="store_true")
        if name == "run":
            p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    if args.command == "run":
        return _cmd_run(args)
    return _cmd_up(args)


if __name__ == "__main__":
    sys.exit(main())
