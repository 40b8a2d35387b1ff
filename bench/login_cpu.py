#!/usr/bin/python3
"""Benchmark: a full `saml2sts login` against a shell + curl script doing
the same requests (issue "Speed", point 6): client CPU, wall time, peak
RSS, requests and connections, in one run, as ratios.

Both log in to the testbed's SimpleSAMLphp IdP (form adapter) and call the
STS emulator's AssumeRoleWithSAML; saml2sts also verifies the assertion's
shape, stores the token in the private gnome-keyring and writes nothing
else.  bench/login_curl.sh is the reference (see its header: it skips the
parsing, checks and storage).  The commands alternate run by run, started
by the C launcher (bench/launch.c), whose wait4() rusage gives the CPU
time of the command and of every process it waited for (the script's
curl, sed and date count); the server's CPU does not.  Requests are
counted from the IdP's access log and the STS emulator's log, connections
with `strace -f -e trace=connect` on one extra run of each.

Two testbeds, one after the other:

- plain HTTP (what the testbed serves by default);
- HTTPS, as every real login runs: the IdP and STS behind TLS fronts
  signed by a throw-away CA that each client trusts the way it trusts a
  public CA by default on Debian.  saml2sts reads a hashed CA directory
  (the system's certificates plus the test CA, SSL_CERT_DIR); curl reads
  the system bundle plus the test CA (--cacert).  A fourth command shows
  saml2sts given that bundle instead (SAML2STS_CA_BUNDLE), which is what
  its default store cost before it became the directory.

The issue's target (client CPU <= 0.3x the script) is checked over HTTPS.
A third command in each alternation is an empty main() linked with the
shared libraries saml2sts and its network module load (libcurl, libxml2,
OpenSSL, libsecret, GLib, json-c, libgcrypt): the dynamic
loader's work before a single request, the floor of any client built on
these Debian libraries.

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


LIBS = ["-lcurl", "-lxml2", "-lcrypto"]  # the network module's
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


def measure(binary, runs, launcher, floor, tmp, tls):
    """One testbed (plain HTTP or HTTPS), the three commands alternated.

    Over HTTPS each client trusts the testbed's CA the way it trusts a
    public one by default on Debian: saml2sts through a hashed CA
    directory (the system's, /etc/ssl/certs, plus the test CA, named by
    SSL_CERT_DIR), curl through the system bundle plus the test CA
    (--cacert, from BENCH_CA_BUNDLE; curl's default store is that
    bundle)."""
    with testbed.Testbed(tls=tls) as tb:
        env = dict(tb.env, SAML2STS_PASSWORD=PASSWORD, BENCH_PASSWORD=PASSWORD)
        ours_env, ref_env = dict(env), dict(env)
        if tls:
            ours_env["SSL_CERT_DIR"] = tb.tls.trust_dir
            ref_env["BENCH_CA_BUNDLE"] = tb.tls.trust_bundle
        cfg = os.path.join(tb.home, "bench.cfg")
        base = [binary, "--config", cfg]
        quiet = dict(check=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(base + ["configure", "--provider", "form", "--url",
                               tb.idp.url_cn, "--username", "alice",
                               "--sts-endpoint", tb.sts.url, "--role", "admin",
                               "--profile", "bench"], env=env, **quiet)
        login = base + ["login", "--quiet", "--force"]
        subprocess.run(login, env=ours_env, **quiet)  # warm-up; gives the ARNs
        last = tb.sts_calls()[-1]
        out = os.path.join(tmp, "creds.json")
        script = ["sh", os.path.join(HERE, "login_curl.sh"), tb.idp.url_cn,
                  "alice", tb.sts.url, last["role_arn"], last["provider_arn"],
                  out]
        subprocess.run(script, env=ref_env, **quiet)
        calls = len(tb.sts_calls())
        # The launcher gives every command one environment: SSL_CERT_DIR
        # is saml2sts's, BENCH_CA_BUNDLE the script's (the curl tool
        # reads no CA variable when --cacert is given).
        both = dict(ours_env, **ref_env)
        cmds = [login, script, [floor]]
        if tls:  # what the default store cost before: the bundle
            cmds.append(["env", "SAML2STS_CA_BUNDLE=" + tb.tls.trust_bundle]
                        + login)
        res = alternate(launcher, runs, both, *cmds)
        ours, ref, lib = res[:3]
        bundle = res[3] if tls else None
        assert len(tb.sts_calls()) == calls + (len(cmds) - 1) * runs, \
            "a login made no STS call"
        assert all(c["status"] == 200 for c in tb.sts_calls()[calls:]), \
            "an STS call failed"
        t_ours, t_ref = traffic(tb, login, both), traffic(tb, script, both)
    return ours, ref, lib, t_ours, t_ref, bundle


def report(name, ours, ref, lib, t_ours, t_ref, bundle, runs):
    print("%s: %d alternating runs each; client CPU = user + system of "
          "the command and its children" % (name, runs))
    print("%-30s %9s %9s %9s %9s %11s" % ("", "CPU", "wall", "peak RSS",
                                         "requests", "connections"))
    for label, r, t in (("saml2sts login", ours, t_ours),
                        ("curl script (login_curl.sh)", ref, t_ref),
                        ("libraries alone (floor)", lib, (0, 0)),
                        ("saml2sts login, CA bundle", bundle, t_ours)):
        if r is None:
            continue
        print("%-30s %6.1f ms %6.1f ms %5.1f MiB %9d %11d"
              % (label, median(r, 2), median(r, 0), median(r, 1) / 1024,
                 t[0], t[1]))
    ratio = statistics.median(a[2] / b[2] for a, b in zip(ours, ref))
    lib_ratio = statistics.median(a[2] / b[2] for a, b in zip(lib, ref))
    print("%s: login client CPU %.2fx the curl script; the libraries "
          "alone %.2fx\n" % (name, ratio, lib_ratio))
    return ratio, lib_ratio


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    with tempfile.TemporaryDirectory() as tmp:
        launcher = build_launcher(tmp)
        floor = build_floor(tmp)
        plain = measure(binary, runs, launcher, floor, tmp, False)
        tls = measure(binary, runs, launcher, floor, tmp, True)
    p_ratio, p_lib = report("plain HTTP", *plain, runs)
    t_ratio, t_lib = report("HTTPS", *tls, runs)
    ours, ref, lib, t_ours, t_ref, bundle = tls
    summary.row("login over HTTPS, client CPU", "%.1f ms" % median(ours, 2),
                "%.1f ms curl script" % median(ref, 2), t_ratio, TARGET_CPU)
    summary.row("login over HTTPS, requests / connections",
                "%d / %d" % t_ours, "%d / %d curl script" % t_ref,
                t_ours[0] / t_ref[0])
    summary.row("login over HTTPS, client CPU, with a CA bundle instead "
                "of the hashed directory", "%.1f ms" % median(bundle, 2),
                "%.1f ms curl script" % median(ref, 2),
                statistics.median(a[2] / b[2] for a, b in zip(bundle, ref)))
    ours, ref, lib, t_ours, t_ref, bundle = plain
    summary.row("login over plain HTTP, client CPU",
                "%.1f ms" % median(ours, 2),
                "%.1f ms curl script" % median(ref, 2), p_ratio)
    summary.row("login floor: the libraries alone, client CPU (plain HTTP)",
                "%.1f ms" % median(lib, 2),
                "%.1f ms curl script" % median(ref, 2), p_lib)
    print("login client CPU ratio over HTTPS (median of per-pair ratios): "
          "%.2fx  target <= %.1f  %s" % (t_ratio, TARGET_CPU,
                                         "ok" if t_ratio <= TARGET_CPU
                                         else "MISSED"))
    print("over plain HTTP: %.2fx (the libraries alone: %.2fx)"
          % (p_ratio, p_lib))


if __name__ == "__main__":
    main()
