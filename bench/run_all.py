#!/usr/bin/python3
"""`make bench`: every benchmark of bench/ in one run, then one table.

Each script prints its own detailed table as it goes (method in its
docstring and docs/benchmarks.md) and adds its checked figures to a
summary file (bench/summary.py); the combined table comes last: what
saml2sts measured, the reference measured in the same run, the ratio,
the issue's target and whether it is met.  Exit status 1 when a target
is missed, so a regression is visible.

    /usr/bin/python3 bench/run_all.py BUILD [--quick]

--quick: fewer runs (a smoke test of the scripts, not figures to quote).
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def scripts(build, quick):
    binary = os.path.join(build, "saml2sts")
    return [
        ["warm_credential_process.py", binary, "10" if quick else "50"],
        ["dbus_calls.py", binary],
        ["serve_load.py", binary, "3" if quick else "9", "200"],
        ["verify_bench.py", build, "3" if quick else "9"],
        ["login_cpu.py", binary, "5" if quick else "15"],
    ]


def fmt_ratio(r):
    if r["better"] == "higher":
        return "%.2f× faster" % r["ratio"]
    return "%.3f%s" % (r["ratio"], r["unit"]) if r["unit"] else \
        "%.2f×" % r["ratio"]


def fmt_target(r):
    if r["target"] is None:
        return "—"
    op = "≤" if r["better"] == "lower" else "≥"
    return "%s %g%s" % (op, r["target"], r["unit"] or "×")


def main():
    build = os.path.abspath(sys.argv[1])
    quick = "--quick" in sys.argv[2:]
    failed = []
    with tempfile.NamedTemporaryFile(prefix="s2s-bench-", suffix=".jsonl",
                                     mode="r") as out:
        env = dict(os.environ, S2S_BENCH_SUMMARY=out.name)
        for argv in scripts(build, quick):
            print("\n== %s ==" % argv[0], flush=True)
            r = subprocess.run(["/usr/bin/python3", "-B",
                                os.path.join(HERE, argv[0])] + argv[1:],
                               env=env, stdin=subprocess.DEVNULL)
            if r.returncode:
                failed.append(argv[0])
        rows = [json.loads(line) for line in out]
    print("\n== saml2sts against its references, one run ==")
    print("| benchmark | saml2sts | reference | ratio | target | |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s |"
              % (r["bench"], r["ours"], r["ref"], fmt_ratio(r),
                 fmt_target(r), r["verdict"]))
    missed = [r["bench"] for r in rows if r["verdict"] == "MISSED"]
    for name in failed:
        print("bench: %s failed" % name)
    if missed:
        print("bench: target missed: %s" % "; ".join(missed))
    sys.exit(1 if failed or missed else 0)


if __name__ == "__main__":
    main()
