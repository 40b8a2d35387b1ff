#!/usr/bin/python3
"""Count the D-Bus method calls of a warm keyring read: `saml2sts
credential-process` (and `status`) next to `secret-tool lookup` of the
same item, on a private gnome-keyring.  GDBus prints every message it
sends with G_DBUS_DEBUG=message (on stdout); the calls are counted by
member.

    /usr/bin/python3 bench/dbus_calls.py BUILD/saml2sts [OTHER/saml2sts ...]
"""

import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import testbed  # noqa: E402
sys.path.insert(0, HERE)
import summary  # noqa: E402

CREDS = {"AccessKeyId": "STS.bench", "AccessKeySecret": "bench-secret",
         "SecurityToken": "bench-token", "Expiration": "2099-01-01T00:00:00Z",
         "Issued": "2026-01-01T00:00:00Z",
         "RoleArn": "acs:ram::1111111111111111:role/admin",
         "AccountId": "1111111111111111", "Region": "cn-hangzhou"}
ATTRS = ["xdg:schema", "org.saml2sts.Credential", "profile", "bench",
         "kind", "sts", "role_arn", CREDS["RoleArn"],
         "expires", CREDS["Expiration"]]


def calls(argv, env):
    """Method calls sent, by destination, and the process's exit status."""
    r = subprocess.run(argv, env=dict(env, G_DBUS_DEBUG="message"),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    by = collections.Counter()
    for block in r.stdout.decode(errors="replace").split(">>>> ")[1:]:
        if not block.startswith("SENT") or "method-call" not in block:
            continue
        m = re.search(r"destination -> '([^']*)'", block)
        member = re.search(r"member -> '([^']*)'", block)
        dest = m.group(1) if m else "?"
        by[("bus" if dest == "org.freedesktop.DBus" else "secrets",
            member.group(1) if member else "?")] += 1
    return by, r.returncode


def show(name, by, rc):
    """Prints the calls of one command; returns how many."""
    total = sum(by.values())
    detail = ", ".join("%s %s" % (m, n) if n > 1 else m
                       for (_, m), n in sorted(by.items()))
    print("%-34s %3d calls (exit %d): %s" % (name, total, rc, detail))
    return total


def main():
    bins = [os.path.abspath(b) for b in sys.argv[1:]]
    with testbed.PrivateKeyring() as kr:
        env = kr.child_env({"PATH": "/usr/bin:/bin", "HOME": kr.dir,
                            "XDG_CONFIG_HOME": os.path.join(kr.dir, "config"),
                            "XDG_DATA_HOME": os.path.join(kr.dir, "data")})
        subprocess.run(["secret-tool", "store", "--label", "bench"] + ATTRS,
                       input=json.dumps(CREDS).encode(), env=env, check=True)
        floor = show("secret-tool lookup", *calls(
            ["secret-tool", "lookup"] + ATTRS[:6], env))
        for b in bins:
            for cmd in (["credential-process", "--profile", "bench"],
                        ["status"]):
                n = show("%s %s" % (os.path.relpath(b), cmd[0]),
                         *calls([b] + cmd, env))
                if cmd[0] == "credential-process":
                    summary.row("warm credential-process, D-Bus calls",
                                "%d" % n, "%d secret-tool lookup" % floor,
                                n / floor)


if __name__ == "__main__":
    main()
