#!/usr/bin/python3
"""Benchmark: a full `saml2sts login` against a shell + curl script doing
the same requests (issue "Speed", point 6): client CPU, wall time, peak
RSS, requests and connections, in one run, as ratios.

Both log in to the testbed's SimpleSAMLphp IdP (form adapter) and call the
STS emulator's AssumeRoleWithSAML; saml2sts also verifies the assertion's
shape, stores the token in the private gnome-keyring and writes nothing
else.  bench/login_curl.sh is the reference (see its header: it skips the
parsing, checks and storage).  The two alternate run by run, started by the
C launcher (bench/launch.c), whose wait4() rusage gives the CPU time of the
command and of every process it waited for (the script's curl, sed and
date count); the server's CPU does not.  Requests are counted from the
IdP's access log and the STS emulator's log, connections with
`strace -f -e trace=connect` on one extra run of each.

A third command runs in the same alternation: an empty main() linked with
the shared libraries saml2sts and its network module load (libcurl,
libxml2, xmlsec1, OpenSSL, libsecret, GLib, json-c, libgcrypt).  Its CPU
time is the floor of any login that uses these Debian libraries: the
dynamic loader's work before a single request.

    /usr/bin/python3 bench/login_cpu.py BUILD/saml2sts [RUNS]
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
sys.path.insert(0, HERE)
import testbed  # noqa: E402
from warm_credential_process import build_launcher  # noqa: E402
import summary  # noqa: E402

TARGET_CPU = 0.3  # issue "Speed": login client CPU vs the curl script
PASSWORD = "alice-pass"


def alternate(launcher, runs, env, *argvs):
    """Per command: lists of (wall ms, peak RSS KiB, CPU ms), run order."""
    cmd = [launcher, str(runs)]
    for i, argv in enumerate(argvs):
        cmd += (["---"] if i else []) + argv
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE,
                         stdin=subprocess.DEVNULL).stdout.decode()
    res = [[] for _ in argvs]
    for line in out.splitlines():
        idx, us, rss, status, cpu = (int(x) for x in line.split())
        if status != 0:
            raise SystemExit("%s exited %d" % (argvs[idx][0], status))
        res[idx].append((us / 1000.0, rss, cpu / 1000.0))
    return res


LIBS = ["-lcurl", "-lxml2", "-lxmlsec1", "-lxmlsec1-openssl", "-lcrypto"]
PKGS = ["libsecret-1", "json-c", "libgcrypt"]


def build_floor(directory):
    """An empty program that loads what saml2sts loads for a login."""
    src = os.path.join(directory, "empty.c")
    exe = os.path.join(directory, "libfloor")
    with open(src, "w") as f:
        f.write("int main(void) { return 0; }\n")
    libs = subprocess.run(["pkg-config", "--libs"] + PKGS, check=True,
                          stdout=subprocess.PIPE).stdout.decode().split()
    subprocess.run(["cc", "-O2", "-o", exe, src, "-Wl,--no-as-needed"]
                   + LIBS + libs, check=True, stdin=subprocess.DEVNULL)
    return exe


def idp_requests(tb):
    with open(tb.idp.server_log, errors="replace") as f:
        return len(re.findall(r"\[\d{3}\]: (?:GET|POST) ", f.read()))


def traffic(tb, argv, env):
    """(requests, TCP connections) of one run of argv."""
    with tempfile.NamedTemporaryFile(prefix="strace") as log:
        r0, s0 = idp_requests(tb), len(tb.sts_calls())
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect", "-o",
                        log.name] + argv, env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(log.name, errors="replace") as f:
            conns = sum(1 for line in f
                        if "AF_INET" in line and "connect(" in line)
        return idp_requests(tb) - r0 + len(tb.sts_calls()) - s0, conns


def median(xs, i):
    return statistics.median(x[i] for x in xs)


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    with tempfile.TemporaryDirectory() as tmp, testbed.Testbed() as tb:
        launcher = build_launcher(tmp)
        floor = build_floor(tmp)
        env = dict(tb.env, SAML2STS_PASSWORD=PASSWORD, BENCH_PASSWORD=PASSWORD)
        cfg = os.path.join(tb.home, "bench.cfg")
        base = [binary, "--config", cfg]
        quiet = dict(env=env, check=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(base + ["configure", "--provider", "form", "--url",
                               tb.idp.url_cn, "--username", "alice",
                               "--sts-endpoint", tb.sts.url, "--role", "admin",
                               "--profile", "bench"], **quiet)
        login = base + ["login", "--quiet", "--force"]
        subprocess.run(login, **quiet)  # warm-up; gives the ARNs
        last = tb.sts_calls()[-1]
        out = os.path.join(tmp, "creds.json")
        script = ["sh", os.path.join(HERE, "login_curl.sh"), tb.idp.url_cn,
                  "alice", tb.sts.url, last["role_arn"], last["provider_arn"],
                  out]
        subprocess.run(script, **quiet)
        calls = len(tb.sts_calls())
        ours, ref, lib = alternate(launcher, runs, env, login, script,
                                   [floor])
        assert len(tb.sts_calls()) == calls + 2 * runs, "a login made no STS call"
        assert all(c["status"] == 200 for c in tb.sts_calls()[calls:]), \
            "an STS call failed"
        t_ours, t_ref = traffic(tb, login, env), traffic(tb, script, env)
    ratio = statistics.median(a[2] / b[2] for a, b in zip(ours, ref))
    lib_ratio = statistics.median(a[2] / b[2] for a, b in zip(lib, ref))
    print("%d alternating runs each; client CPU = user + system of the "
          "command and its children" % runs)
    print("%-30s %9s %9s %9s %9s %11s" % ("", "CPU", "wall", "peak RSS",
                                         "requests", "connections"))
    for name, r, t in (("saml2sts login", ours, t_ours),
                       ("curl script (login_curl.sh)", ref, t_ref),
                       ("libraries alone (floor)", lib, (0, 0))):
        print("%-30s %6.1f ms %6.1f ms %5.1f MiB %9d %11d"
              % (name, median(r, 2), median(r, 0), median(r, 1) / 1024,
                 t[0], t[1]))
    summary.row("login floor: the libraries alone, client CPU",
                "%.1f ms" % median(lib, 2),
                "%.1f ms curl script" % median(ref, 2), lib_ratio)
    summary.row("login, client CPU", "%.1f ms" % median(ours, 2),
                "%.1f ms curl script" % median(ref, 2), ratio, TARGET_CPU)
    summary.row("login, requests / connections", "%d / %d" % t_ours,
                "%d / %d curl script" % t_ref, t_ours[0] / t_ref[0])
    print("login client CPU ratio (median of per-pair ratios): %.2fx  "
          "target <= %.1f  %s" % (ratio, TARGET_CPU,
                                  "ok" if ratio <= TARGET_CPU else "MISSED"))
    print("loading the libraries alone: %.2fx the curl script" % lib_ratio)


if __name__ == "__main__":
    main()
