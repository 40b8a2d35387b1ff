#!/usr/bin/python3
"""Benchmark: `saml2sts serve` under 200 concurrent clients, next to a
bare loopback HTTP server answering the same bytes (the floor: accept,
read the request head, one write, close), in one run, on the same
machine, with the same client.

    /usr/bin/python3 bench/serve_load.py BUILD/saml2sts [ROUNDS] [CLIENTS]
        [--store secret-service|file]

A token is stored first (testbed: SimpleSAMLphp IdP, STS emulator and a
private gnome-keyring; --store file uses the encrypted-file store
instead).  Each round opens CLIENTS connections at once against one
server, then against the other (which goes first alternates), and times
each GET from connect to the server's close.  Prints the median over the
rounds of each round's p50/p95/p99 and their ratios; checks that every
GET was answered 200 and that serve made no STS call.
"""

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import testbed  # noqa: E402
sys.path.insert(0, HERE)
import summary  # noqa: E402

# The floor: Python's asyncio, one process, one event loop, the same
# backlog as serve.  Answers every request with the bytes on its stdin.
FLOOR = r"""
import asyncio, sys

ANSWER = sys.stdin.buffer.read()

async def one(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()

async def serve():
    srv = await asyncio.start_server(one, "127.0.0.1", 0, backlog=512)
    print(srv.sockets[0].getsockname()[1], flush=True)
    await srv.serve_forever()

asyncio.run(serve())
"""


async def one_get(host, port, req):
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(req)
        await writer.drain()
        data = await reader.read()  # until the server closes
        writer.close()
    except OSError as e:  # refused, reset: counted as not answered
        data = repr(e).encode()
    return time.perf_counter() - t0, data


async def burst(uri, clients):
    u = urllib.parse.urlsplit(uri)
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: */*\r\n\r\n"
           % (u.path, u.hostname, u.port)).encode()
    return await asyncio.gather(*(one_get(u.hostname, u.port, req)
                                  for _ in range(clients)))


def pct(sorted_ms, p):
    """Nearest rank."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def round_of(uri, clients):
    t0 = time.perf_counter()
    res = asyncio.run(burst(uri, clients))
    wall = (time.perf_counter() - t0) * 1000
    bad = [d[:40] for _, d in res if not d.startswith(b"HTTP/1.1 200 OK\r\n")]
    if bad:
        raise SystemExit("%d of %d GETs not answered 200, e.g. %r"
                         % (len(bad), clients, bad[0]))
    ms = sorted(t * 1000 for t, _ in res)
    return {"p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
            "wall": wall}


def median_of(rounds, key):
    return statistics.median(r[key] for r in rounds)


def store_profile(tb, binary, store):
    env = dict(tb.env, SAML2STS_PASSWORD="alice-pass")
    if store == "file":
        env.update(SAML2STS_KEYRING_BACKEND="file",
                   SAML2STS_FILE_PASSPHRASE="bench-passphrase")
    cfg = os.path.join(tb.home, "bench.cfg")
    base = [binary, "--config", cfg]
    quiet = dict(env=env, check=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(base + ["configure", "--provider", "form", "--url",
                           tb.idp.url_cn, "--username", "alice",
                           "--sts-endpoint", tb.sts.url, "--role", "admin",
                           "--profile", "bench"], **quiet)
    subprocess.run(base + ["login"], **quiet)
    return base, env


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("rounds", nargs="?", type=int, default=9)
    ap.add_argument("clients", nargs="?", type=int, default=200)
    ap.add_argument("--store", choices=("secret-service", "file"),
                    default="secret-service")
    return ap.parse_args()


def measure(tb, opt):
    """{"serve": [round, ...], "floor": [...]} and the answer's size."""
    base, env = store_profile(tb, os.path.abspath(opt.binary), opt.store)
    res = {"serve": [], "floor": []}
    serve = floor = None
    try:
        serve = subprocess.Popen(base + ["serve", "--profile", "bench"],
                                 env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
        uris = {"serve": serve.stdout.readline().decode().strip()}
        answer = asyncio.run(burst(uris["serve"], 1))[0][1]
        floor = subprocess.Popen([sys.executable, "-c", FLOOR],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        floor.stdin.write(answer)
        floor.stdin.close()
        uris["floor"] = "http://127.0.0.1:%d%s" % (
            int(floor.stdout.readline()),
            urllib.parse.urlsplit(uris["serve"]).path)
        calls = len(tb.sts_calls())
        for name in ("serve", "floor"):  # warm-up
            round_of(uris[name], min(opt.clients, 20))
        for i in range(opt.rounds):
            order = ("serve", "floor") if i % 2 == 0 else ("floor", "serve")
            for name in order:
                res[name].append(round_of(uris[name], opt.clients))
                time.sleep(0.2)
        assert len(tb.sts_calls()) == calls, "serve called STS"
    finally:
        for p in (serve, floor):
            if p and p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
    return res, len(answer)


def main():
    opt = parse_args()
    with testbed.Testbed() as tb:
        res, size = measure(tb, opt)
    print("%d concurrent GETs, %d rounds (median of the rounds' figures), "
          "%s store, %d-byte answer"
          % (opt.clients, opt.rounds, opt.store, size))
    label = {"serve": "saml2sts serve:", "floor": "bare loopback: "}
    for name in ("serve", "floor"):
        r = res[name]
        print("%s p50 %6.1f ms, p95 %6.1f ms, p99 %6.1f ms; all answered "
              "in %6.1f ms" % (label[name], median_of(r, "p50"),
                               median_of(r, "p95"), median_of(r, "p99"),
                               median_of(r, "wall")))
    summary.row("serve, %d concurrent GETs, p99" % opt.clients,
                "%.1f ms" % median_of(res["serve"], "p99"),
                "%.1f ms bare loopback server" % median_of(res["floor"], "p99"),
                median_of(res["serve"], "p99") / median_of(res["floor"], "p99"))
    print("ratio (serve / bare):  p50 %.2f, p95 %.2f, p99 %.2f" % tuple(
        median_of(res["serve"], k) / median_of(res["floor"], k)
        for k in ("p50", "p95", "p99")))


if __name__ == "__main__":
    main()
