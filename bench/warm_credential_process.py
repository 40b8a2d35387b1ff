#!/usr/bin/python3
"""Benchmark: the warm path (issue "Speed", point 6), in one run, as
ratios, on one private gnome-keyring:

- warm `saml2sts credential-process` (token in the Secret Service) next
  to a bare `secret-tool lookup` of the same item (the floor: one keyring
  round trip): wall time and peak RSS;
- the encrypted-file store's warm `credential-process` (its key cached in
  the kernel keyring) next to the same `secret-tool lookup`;
- the file store without the cached key (SAML2STS_FILE_KEY_TIMEOUT=0:
  scrypt on every call), a few runs, for reference;
- `serve` per request once its answer is in memory: sequential GETs, each
  on a new connection, timed by the client, and serve's CPU time per
  request.

Every command is started by a small C launcher (bench/launch.c, built
here with cc) that times fork to wait4 and takes the child's own peak RSS
from wait4's rusage, so the interpreter's fork and memory never count.
The commands alternate run by run (saml2sts, secret-tool, saml2sts, ...);
the tables give medians and the median of the per-pair ratios.  The
script checks that no STS call was made.

    /usr/bin/python3 bench/warm_credential_process.py BUILD/saml2sts [RUNS]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import testbed  # noqa: E402
sys.path.insert(0, HERE)
import summary  # noqa: E402

PASSPHRASE = "bench-passphrase"
TARGET_WALL = 1.1  # issue "Speed": warm credential-process vs secret-tool
TARGET_RSS = 1.1
TARGET_FILE = 1.5  # the file store's warm path vs secret-tool
TARGET_SERVE_MS = 0.1


def build_launcher(directory):
    exe = os.path.join(directory, "launch")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "launch.c")],
                   check=True, stdin=subprocess.DEVNULL)
    return exe


def alternate(launcher, runs, env, *argvs):
    """Per command: lists of wall (ms) and peak RSS (KiB), in run order."""
    cmd = [launcher, str(runs)]
    for i, argv in enumerate(argvs):
        cmd += (["---"] if i else []) + argv
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE,
                         stdin=subprocess.DEVNULL).stdout.decode()
    res = [([], []) for _ in argvs]
    for line in out.splitlines():
        idx, us, rss, status = (int(x) for x in line.split()[:4])
        if status != 0:
            raise SystemExit("%s exited %d" % (argvs[idx][0], status))
        res[idx][0].append(us / 1000.0)
        res[idx][1].append(rss)
    return res


def pair_ratio(a, b):
    return statistics.median(x / y for x, y in zip(a, b))


def row(name, ours, floor, target_wall, target_rss):
    wall = pair_ratio(ours[0], floor[0])
    rss = pair_ratio(ours[1], floor[1])
    ok = (target_wall is None or wall <= target_wall) and \
        (target_rss is None or rss <= target_rss)
    if target_wall is not None:
        summary.row("%s, wall" % name, "%.2f ms" % statistics.median(ours[0]),
                    "%.2f ms secret-tool lookup" % statistics.median(floor[0]),
                    wall, target_wall)
        summary.row("%s, peak RSS" % name,
                    "%.1f MiB" % (statistics.median(ours[1]) / 1024),
                    "%.1f MiB secret-tool lookup"
                    % (statistics.median(floor[1]) / 1024), rss, target_rss)
    print("%-44s %7.2f ms %6.1f MiB | %7.2f ms %6.1f MiB | %5.2fx %5.2fx  %s"
          % (name, statistics.median(ours[0]), statistics.median(ours[1]) / 1024,
             statistics.median(floor[0]), statistics.median(floor[1]) / 1024,
             wall, rss, "reference" if target_wall is None else
             "ok" if ok else "MISSED"))


def build_bare_server(directory):
    exe = os.path.join(directory, "bare_server")
    subprocess.run(["cc", "-O2", "-o", exe,
                    os.path.join(HERE, "bare_server.c")],
                   check=True, stdin=subprocess.DEVNULL)
    return exe


def serve_per_request(launcher, bare, base, env, n, rounds=8):
    """serve's answers from memory and a bare C loopback server's (the
    floor: accept, read, send the same number of bytes, close), n GETs
    each, in `rounds` alternating batches: (median ms, p99 ms, serve's
    CPU ms per request, the bare server's median ms)."""
    p = subprocess.Popen(base + ["serve", "--profile", "bench"], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    b = None
    try:
        u = urllib.parse.urlsplit(p.stdout.readline().decode().strip())
        get = [launcher, "--get", "1", u.hostname, str(u.port), u.path]
        # the first: a store read; its answer's size for the bare server
        size = len(urllib.request.urlopen(
            "http://%s:%d%s" % (u.hostname, u.port, u.path)).read())
        b = subprocess.Popen([bare, str(size)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE)
        bu = urllib.parse.urlsplit(b.stdout.readline().decode().strip())
        bget = [launcher, "--get", str(n // rounds), bu.hostname,
                str(bu.port), "/"]
        get[2] = str(n // rounds)
        tick = os.sysconf("SC_CLK_TCK")

        def cpu():
            with open("/proc/%d/stat" % p.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        ns, bns, spent = [], [], 0.0
        for _ in range(rounds):
            c0 = cpu()
            out = subprocess.run(get, check=True,
                                 stdout=subprocess.PIPE).stdout
            spent += cpu() - c0
            ns += [int(x) for x in out.split()]
            out = subprocess.run(bget, check=True,
                                 stdout=subprocess.PIPE).stdout
            bns += [int(x) for x in out.split()]
        ns.sort()
    finally:
        for q in (p, b):
            if q:
                q.terminate()
                q.communicate(timeout=10)
    return (statistics.median(ns) / 1e6, ns[int(len(ns) * 0.99) - 1] / 1e6,
            spent * 1000.0 / len(ns), statistics.median(bns) / 1e6)


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp, testbed.Testbed() as tb:
        launcher = build_launcher(tmp)
        bare = build_bare_server(tmp)
        env = dict(tb.env, SAML2STS_PASSWORD="alice-pass")
        cfg = os.path.join(tb.home, "bench.cfg")
        base = [binary, "--config", cfg]
        quiet = dict(env=env, check=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(base + ["configure", "--provider", "form", "--url",
                               tb.idp.url_cn, "--username", "alice",
                               "--sts-endpoint", tb.sts.url, "--role", "admin",
                               "--profile", "bench"], **quiet)
        subprocess.run(base + ["login"], **quiet)
        fenv = dict(env, SAML2STS_KEYRING_BACKEND="file",
                    SAML2STS_FILE_PASSPHRASE=PASSPHRASE)
        subprocess.run(base + ["login"], **dict(quiet, env=fenv))
        calls = len(tb.sts_calls())
        cp = base + ["credential-process", "--profile", "bench"]
        st = ["secret-tool", "lookup", "xdg:schema", "org.saml2sts.Credential",
              "profile", "bench", "kind", "sts"]
        warm, floor = alternate(launcher, runs, env, cp, st)
        fwarm, ffloor = alternate(launcher, runs, fenv, cp, st)
        cold, cfloor = alternate(launcher, max(3, runs // 10),
                                 dict(fenv, SAML2STS_FILE_KEY_TIMEOUT="0"),
                                 cp, st)
        med, p99, cpu, bmed = serve_per_request(launcher, bare, base, env,
                                                2000)
        assert len(tb.sts_calls()) == calls, "a warm command called STS"
    print("%d alternating runs each (file store without key cache: %d)"
          % (runs, len(cold[0])))
    print("%-44s %20s | %20s | %13s" % ("", "saml2sts", "secret-tool lookup",
                                        "ratio wall rss"))
    row("warm credential-process (Secret Service)", warm, floor,
        TARGET_WALL, TARGET_RSS)
    row("warm credential-process (file, cached key)", fwarm, ffloor,
        TARGET_FILE, TARGET_FILE)
    row("credential-process (file, scrypt every call)", cold, cfloor,
        None, None)
    summary.row("serve from memory, per request", "%.3f ms (p99 %.3f)"
                % (med, p99), "target in ms", med, TARGET_SERVE_MS,
                unit=" ms")
    summary.row("serve from memory vs a bare C loopback server, per "
                "request", "%.3f ms" % med, "%.3f ms bare server" % bmed,
                med / bmed)
    print("serve from memory: %.3f ms per request (p99 %.3f ms; client "
          "connect to close), %.4f ms CPU per request in serve  %s"
          % (med, p99, cpu, "ok" if med <= TARGET_SERVE_MS else "MISSED"))
    print("bare C loopback server (the floor): %.3f ms per request; serve "
          "%.2fx" % (bmed, med / bmed))


if __name__ == "__main__":
    main()
