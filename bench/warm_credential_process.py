#!/usr/bin/python3
"""Benchmark: a warm `saml2sts credential-process` (token in the keyring)
next to a bare `secret-tool lookup` of the same item (the floor: one
keyring round trip), in one run, on the same private gnome-keyring.

    /usr/bin/python3 bench/warm_credential_process.py BUILD/saml2sts [RUNS]

Prints the median and p90 wall time of each and their ratio.
"""

import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import testbed  # noqa: E402


def timed(argv, env, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        out.append((time.perf_counter() - t0) * 1000)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.9) - 1]


def main():
    binary = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with testbed.Testbed() as tb:
        env = dict(tb.env, SAML2STS_PASSWORD="alice-pass")
        cfg = os.path.join(tb.home, "bench.cfg")
        base = [binary, "--config", cfg]
        subprocess.run(base + ["configure", "--provider", "form", "--url",
                               tb.idp.url_cn, "--username", "alice",
                               "--sts-endpoint", tb.sts.url, "--role", "admin",
                               "--profile", "bench"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(base + ["login"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        calls = len(tb.sts_calls())
        cp = timed(base + ["credential-process", "--profile", "bench"], env, runs)
        st = timed(["secret-tool", "lookup", "xdg:schema", "org.saml2sts.Credential",
                    "profile", "bench", "kind", "sts"], env, runs)
        assert len(tb.sts_calls()) == calls, "credential-process called STS"
    print("warm credential-process: median %.1f ms, p90 %.1f ms (%d runs)" % (cp[0], cp[1], runs))
    print("secret-tool lookup:      median %.1f ms, p90 %.1f ms (%d runs)" % (st[0], st[1], runs))
    print("ratio (median): %.2f" % (cp[0] / st[0]))


if __name__ == "__main__":
    main()
