#!/usr/bin/python3
"""Benchmark: parse + verify of a signed SAMLResponse, saml2sts against
its peers and the OpenSSL floor, in one run, as ratios.

    /usr/bin/python3 bench/verify_bench.py BUILD [ROUNDS]

BUILD is a release build directory (make build): the in-process driver
bench/verify_bench.c is compiled against BUILD/lib/libsaml2sts_core.a,
and the Node.js peers are installed with npm under BUILD/bench-node.
The responses (1, 50, 400 and 1000 roles, SimpleSAMLphp's shape, the
Response and the Assertion signed) are made by bench/verify_gen.py with
a throwaway key; 400 roles is near STS's 100000-character limit, 1000
is past it and measured without the length check.

Every contender is a long-lived worker that takes the base64
SAMLResponse and ends with the Role values read from the verified
assertion; each must accept the valid responses with the right number
of roles and refuse one with a tampered role before it is timed.  Each
round runs a batch of about BATCH seconds per contender and size, in an
order that rotates from round to round; the table gives medians of the
per-operation times and medians of the per-round ratios.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import summary  # noqa: E402
import verify_gen  # noqa: E402

SIZES = [1, 50, 400, 1000]
BATCH = 0.12  # seconds per batch
NODE_PKGS = ["samlify@2", "@node-saml/node-saml@5"]
PKG_LIBS = ["libcurl", "libxml-2.0", "xmlsec1-openssl", "openssl", "json-c",
            "libsecret-1", "libgcrypt"]


def pkg_config(*args):
    return subprocess.run(["pkg-config"] + list(args), check=True,
                          capture_output=True, text=True).stdout.split()


def build_driver(build):
    out = os.path.join(build, "bench", "verify_bench")
    src = os.path.join(HERE, "verify_bench.c")
    lib = os.path.join(build, "lib", "libsaml2sts_core.a")
    if not os.path.exists(lib):
        sys.exit("verify_bench: %s missing: run make build first" % lib)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = (["cc", "-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L",
            "-I", os.path.join(SRC, "lib"),
            "-I", os.path.join(SRC, "lib", "include")]
           + pkg_config("--cflags", "libxml-2.0", "xmlsec1-openssl")
           + ["-o", out, src, lib] + pkg_config("--libs", *PKG_LIBS))
    subprocess.run(cmd, check=True)
    return out


def node_modules(build):
    """NODE_PATH for the Node.js peers, installed once per build dir."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    prefix = os.path.join(build, "bench-node")
    mods = os.path.join(prefix, "node_modules")
    if not all(os.path.isdir(os.path.join(mods, p.rsplit("@", 1)[0]))
               for p in NODE_PKGS):
        os.makedirs(prefix, exist_ok=True)
        r = subprocess.run(["npm", "install", "--prefix", prefix,
                            "--no-audit", "--no-fund", "--loglevel=error"]
                           + NODE_PKGS, capture_output=True, text=True)
        if r.returncode:
            print("verify_bench: npm install failed, no Node.js peers: %s"
                  % r.stderr.strip()[-300:], file=sys.stderr)
            return None
    return mods


class Worker:
    """One contender: a process speaking verify_bench.c's protocol."""

    def __init__(self, label, argv, env=None):
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True,
                                     env=env)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError("%s: no answer to %r" % (self.label, line))
        return answer

    def load(self, name, path):
        if self.ask("load %s %s" % (name, path)) != "ok":
            raise RuntimeError("%s: cannot load %s" % (self.label, path))

    def check(self, name):
        return self.ask("check %s" % name)

    def run(self, name, n):
        t = float(self.ask("run %s %d" % (name, n)))
        if t < 0:
            raise RuntimeError("%s: %s failed while timed" % (self.label,
                                                               name))
        return t / n

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class DriverWorker(Worker):
    """The C driver: one process, several WHATs (direct, floor, ...)."""

    def __init__(self, label, proc, what):
        self.label, self.shared, self.what = label, proc, what

    def ask(self, line):
        return self.shared.ask(line)

    def load(self, name, path):
        pass  # loaded once through the shared worker

    def check(self, name):
        return self.ask("check %s %s" % (self.what, name))

    def run(self, name, n):
        t = float(self.ask("run %s %s %d" % (self.what, name, n)))
        if t < 0:
            raise RuntimeError("%s: %s failed while timed" % (self.label,
                                                               name))
        return t / n

    def close(self):
        pass


class CliWorker:
    """The xmlsec1 CLI: one process per signature, two per response."""

    def __init__(self, label, cert):
        self.label, self.cert, self.docs = label, cert, {}

    def load(self, name, path):
        self.docs[name] = path

    def _verify(self, path):
        ok = True
        for node in (verify_gen.ASSERTION_ID, verify_gen.RESPONSE_ID):
            r = subprocess.run(
                ["xmlsec1", "--verify", "--pubkey-cert-pem", self.cert,
                 "--id-attr:ID",
                 "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                 "--id-attr:ID",
                 "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                 "--node-id", node, path], capture_output=True)
            ok = ok and r.returncode == 0
        return ok

    def check(self, name):
        return "ok -" if self._verify(self.docs[name]) else "fail"

    def run(self, name, n):
        t0 = time.perf_counter()
        for _ in range(n):
            if not self._verify(self.docs[name]):
                raise RuntimeError("xmlsec1 refused %s" % name)
        return (time.perf_counter() - t0) / n

    def close(self):
        pass


def contenders(driver, cert, mods):
    trust = [cert, verify_gen.AUDIENCE, verify_gen.ACS, verify_gen.ISSUER]
    shared = Worker("driver", [driver] + trust)
    out = [DriverWorker("saml2sts", shared, "direct"),
           DriverWorker("OpenSSL floor", shared, "floor"),
           DriverWorker("saml2sts, libxml2 c14n", shared, "libxml2"),
           DriverWorker("saml2sts, xmlsec1 verifier", shared, "xmlsec")]
    py = "/usr/bin/python3"
    for peer, label in (("xmlsec-lxml", "python3-xmlsec + lxml"),
                        ("onelogin", "python3-onelogin-saml2"),
                        ("lasso", "lasso (python3-lasso)")):
        out.append(Worker(label, [py, "-B", os.path.join(HERE,
                                                         "verify_peers.py"),
                                  peer] + trust))
    if mods:
        env = dict(os.environ, NODE_PATH=mods)
        for peer, label in (("samlify", "samlify"),
                            ("node-saml", "@node-saml/node-saml")):
            out.append(Worker(label, ["node", os.path.join(
                HERE, "verify_peers.js"), peer] + trust, env=env))
    out.append(CliWorker("xmlsec1 CLI (2 runs)", cert))
    return shared, out


def check_all(workers, docs, tampered):
    for w in workers:
        for n, path in docs.items():
            w.load("r%d" % n, path)
        w.load("bad", tampered)
    for w in workers:
        for n in docs:
            got = w.check("r%d" % n)
            want = ["ok %d" % n, "ok -"] if w.label != "OpenSSL floor" \
                else ["ok 0"]
            if got not in want:
                raise SystemExit("%s: %d roles: %s" % (w.label, n, got))
        if w.label != "OpenSSL floor" and w.check("bad").startswith("ok"):
            raise SystemExit("%s accepted a tampered response" % w.label)


def calibrate(w, name):
    n = 1
    while True:
        t = w.run(name, n) * n
        if t >= BATCH / 4 or n >= 100000:
            return max(1, int(n * BATCH / max(t, 1e-9)))
        n *= 4


def main():
    build = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    driver = build_driver(build)
    mods = node_modules(build)
    tmp = tempfile.mkdtemp(prefix="s2s-verify-bench-")
    try:
        docs = verify_gen.generate(tmp, SIZES, int(time.time()))
        with open(docs[1]) as f:
            xml = f.read()
        tampered = os.path.join(tmp, "tampered.xml")
        with open(tampered, "w") as f:
            f.write(xml.replace("role/role-0000", "role/admin"))
        shared, workers = contenders(driver, os.path.join(tmp, "idp.pem"),
                                     mods)
        for n, path in docs.items():
            shared.ask("load r%d %s" % (n, path))
        shared.ask("load bad %s" % tampered)
        check_all(workers, docs, tampered)
        iters = {(w.label, n): calibrate(w, "r%d" % n)
                 for w in workers for n in SIZES}
        times = {(w.label, n): [] for w in workers for n in SIZES}
        for r in range(rounds):
            for n in SIZES:
                k = r % len(workers)
                for w in workers[k:] + workers[:k]:
                    times[(w.label, n)].append(
                        w.run("r%d" % n, iters[(w.label, n)]))
        report(workers, times, rounds, docs)
        print("versions: %s" % versions(mods))
        for w in workers:
            w.close()
        shared.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def versions(mods):
    """What was measured: Debian package and npm module versions."""
    out = []
    for pkg in ("libxml2", "libxmlsec1-openssl", "libssl3", "python3-xmlsec",
                "python3-lxml", "python3-onelogin-saml2", "python3-lasso",
                "xmlsec1", "nodejs"):
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout:
            out.append("%s %s" % (pkg, r.stdout.split("+")[0]))
    for name in ("samlify", "@node-saml/node-saml", "xml-crypto"):
        try:
            with open(os.path.join(mods or "", name, "package.json")) as f:
                out.append("%s %s" % (name, json.load(f)["version"]))
        except (OSError, ValueError, KeyError):
            pass
    return ", ".join(out)


def report(workers, times, rounds, docs):
    def med(label, n):
        return statistics.median(times[(label, n)])

    def ratio(a, b, n, scale=1.0):
        return statistics.median(x / (scale * y) for x, y in zip(
            times[(a, n)], times[(b, n)]))

    chars = {n: (os.path.getsize(p) + 2) // 3 * 4 for n, p in docs.items()}
    print("parse + verify of a signed SAMLResponse (Response and Assertion "
          "signed), %d rounds, medians" % rounds)
    head = "| contender |" + "".join(
        " %d role%s (%d chars%s) |" % (n, "s" if n > 1 else "", chars[n],
                                       ", no limit" if n > 400 else "")
        for n in SIZES)
    print(head)
    print("|---|" + "---|" * len(SIZES))
    for w in workers:
        cells = []
        for n in SIZES:
            t = med(w.label, n) * 1e6
            if w.label == "saml2sts":
                cells.append("%.0f µs" % t)
            elif w.label == "OpenSSL floor":
                cells.append("%.0f µs" % t)
            else:
                cells.append("%.0f µs (%.1f×)" % (
                    t, ratio(w.label, "saml2sts", n)))
        print("| %s | %s |" % (w.label, " | ".join(cells)))
    cells = ["%.2f×" % ratio("saml2sts", "OpenSSL floor", n, 2.0)
             for n in SIZES]
    summary.row("parse+verify, 1 role, vs two-signature floor",
                "%.0f µs" % (med("saml2sts", 1) * 1e6),
                "%.0f µs floor ×2" % (med("OpenSSL floor", 1) * 2e6),
                ratio("saml2sts", "OpenSSL floor", 1, 2.0), 2.0)
    print("| saml2sts / two-signature floor | %s |" % " | ".join(cells))
    peers = [w.label for w in workers if not w.label.startswith(
        ("saml2sts", "OpenSSL"))]
    for n in SIZES:
        fastest = min(peers, key=lambda p: med(p, n))
        print("%d roles: fastest peer %s, saml2sts %.1f× faster"
              % (n, fastest, ratio(fastest, "saml2sts", n)))
        summary.row("parse+verify, %d role%s, vs fastest peer"
                    % (n, "s" if n > 1 else ""),
                    "%.0f µs" % (med("saml2sts", n) * 1e6),
                    "%.0f µs %s" % (med(fastest, n) * 1e6, fastest),
                    ratio(fastest, "saml2sts", n),
                    3.0 if n <= 400 else None, better="higher")


if __name__ == "__main__":
    main()
