"""One row of the combined `make bench` table (bench/run_all.py).

A benchmark script calls row() for each figure it checks; when
S2S_BENCH_SUMMARY names a file (run_all.py sets it), the row is appended
there as one JSON line, else nothing happens, so every script still runs
alone.  ratio is saml2sts / reference unless better="higher" (then
reference / saml2sts, as "× faster"); target None means "for reference".
"""

import json
import os


def row(bench, ours, ref, ratio, target=None, better="lower", unit=""):
    path = os.environ.get("S2S_BENCH_SUMMARY")
    if not path:
        return
    if target is None:
        verdict = ""
    elif better == "lower":
        verdict = "ok" if ratio <= target else "MISSED"
    else:
        verdict = "ok" if ratio >= target else "MISSED"
    with open(path, "a") as f:
        f.write(json.dumps({"bench": bench, "ours": ours, "ref": ref,
                            "ratio": ratio, "unit": unit, "target": target,
                            "better": better, "verdict": verdict}) + "\n")
