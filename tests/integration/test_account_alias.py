#!/usr/bin/python3
"""Account names without typing them (issue 11, part 5): after a login, RAM
GetAccountAlias is asked with the new credentials for the accounts that have
no account_aliases entry (in parallel, bounded, best effort), the answers are
cached per account (0600) and used in profile names, the picker's list and
status.  Real SimpleSAMLphp IdP, STS emulator (signed RAM GetAccountAlias),
private gnome-keyring.
"""

import json
import os
import stat
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed as T  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
A1, A2, A3 = T.FRANK_ACCOUNTS
ACCT = "1234567890123456"
HUB = T.role_arn("6543210987654321", "hub")


def ram_hook(ram):
    ram["accounts"] = {A1: {"alias": "alpha"}, A2: {"alias": "beta"},
                       "6543210987654321": {"alias": "hub-acct"}}
    ram["roles"][HUB] = T.trusting(T.role_arn(ACCT, "admin"))
    return ram


class AliasTest(unittest.TestCase):
    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = T.Testbed(ram_hook=ram_hook).start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb:
            cls.tb.stop()

    def setUp(self):
        tb = self.tb
        self.data = os.path.join(tb.home, "data-" + self._testMethodName)
        self.config = os.path.join(tb.home, "cfg-" + self._testMethodName)
        with open(self.config, "w") as f:
            f.write("[default]\nprovider = form\nurl = %s\nusername = frank\n"
                    "sts_endpoint = %s\nram_endpoint = %s\n\n" % (
                        tb.idp.url_cn, tb.sts.url, tb.sts.url))
            f.write("[pinned]\nprovider = form\nurl = %s\nusername = frank\n"
                    "sts_endpoint = %s\nram_endpoint = %s\n"
                    "account_aliases = %s=first, %s=second\n\n" % (
                        tb.idp.url_cn, tb.sts.url, tb.sts.url, A1, A2))
            f.write("[private]\nprovider = form\nurl = %s\nusername = frank\n"
                    "sts_endpoint = %s\n\n" % (tb.idp.url_cn, tb.sts.url))
            f.write("[alice]\nprovider = form\nurl = %s\nusername = alice\n"
                    "sts_endpoint = %s\nram_endpoint = %s\nprofile = saml\n"
                    "role_arn = %s\n\n" % (tb.idp.url_cn, tb.sts.url, tb.sts.url,
                                           T.role_arn(ACCT, "admin")))
            f.write("[hub]\nprovider = assume-role\nsource_profile = saml\n"
                    "role_arn = %s\n" % HUB)
        tb.sts.clear_faults()

    def tearDown(self):
        self.s2s("logout", "--all")

    def s2s(self, *args, password="frank-pass"):
        env = dict(self.tb.env, SAML2STS_PASSWORD=password, XDG_DATA_HOME=self.data)
        return subprocess.run([BIN, "--config", self.config] + list(args), env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120, cwd=self.tb.home)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def alias_calls(self, since):
        return [c for c in self.tb.sts_calls()[since:] if c["action"] == "GetAccountAlias"]

    def profiles(self):
        st = json.loads(self.ok("status", "--output", "json").stdout)
        return {p["profile"]: p for p in st["profiles"]}

    def test_aliases_are_asked_once_cached_and_used(self):
        n = len(self.tb.sts_calls())
        self.ok("login", "--all-roles")
        calls = self.alias_calls(n)
        self.assertEqual(sorted(c["caller_arn"].split(":")[3] for c in calls), [A1, A2, A3])
        self.assertTrue(all(c["status"] == 200 and c["signed"] for c in calls))
        # profile names carry the alias from the first login on
        names = set(self.profiles())
        self.assertIn("alpha-admin", names)
        self.assertIn("beta-readonly", names)
        self.assertIn("%s-billing" % A3, names)  # no alias: the uid
        # one private file per account
        d = os.path.join(self.data, "saml2sts", "aliases")
        self.assertEqual(sorted(os.listdir(d)), [A1, A2])
        for uid, alias in ((A1, "alpha"), (A2, "beta")):
            path = os.path.join(d, uid)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                self.assertEqual(f.read().strip(), alias)
        # status shows them
        p = self.profiles()["alpha-admin"]
        self.assertEqual((p["account_id"], p["account_alias"]), (A1, "alpha"))
        self.assertIn(b"(alpha)", self.ok("status").stdout)
        # the role list (picker) names the accounts
        roles = json.loads(self.ok("list-roles", "--output", "json").stdout)
        named = {a["account_id"]: a["alias"] for a in roles["accounts"]}
        self.assertEqual((named[A1], named[A2]), ("alpha", "beta"))
        # a later login asks only for the account still without a name
        n = len(self.tb.sts_calls())
        self.ok("login", "--all-roles", "--force")
        self.assertEqual([c["caller_arn"].split(":")[3] for c in self.alias_calls(n)], [A3])

    def test_configured_aliases_and_private_sts_are_not_asked(self):
        n = len(self.tb.sts_calls())
        self.ok("-a", "pinned", "login", "--all-roles")
        self.assertEqual([c["caller_arn"].split(":")[3] for c in self.alias_calls(n)], [A3])
        self.assertIn("first-admin", self.profiles())
        self.ok("logout", "--all")
        n = len(self.tb.sts_calls())
        # an sts_endpoint without ram_endpoint: RAM's public host is not guessed
        self.ok("-a", "private", "login", "--all-roles")
        self.assertEqual(self.alias_calls(n), [])
        self.assertIn("%s-admin" % A1, self.profiles())

    def test_a_slow_or_refusing_ram_never_fails_or_stalls_a_login(self):
        self.tb.sts.inject_fault(code="InternalError", delay=6, count=-1, passthrough=True,
                                 action="GetAccountAlias")
        n = len(self.tb.sts_calls())
        started = time.monotonic()
        self.ok("login", "--all-roles")
        took = time.monotonic() - started
        self.tb.sts.clear_faults()
        # the emulator answers (and logs) the abandoned calls 6 s late
        deadline = time.monotonic() + 15
        while len(self.alias_calls(n)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertLess(took, 5.5, "the alias lookup held the login %.1f s" % took)
        self.assertFalse(os.path.exists(os.path.join(self.data, "saml2sts", "aliases", A1)))
        self.assertIn("%s-admin" % A1, self.profiles())
        # refused (NoPermission): no alias, no failure
        self.ok("logout", "--all")
        self.tb.sts.inject_fault(code="NoPermission", status=403, count=-1,
                                 action="GetAccountAlias")
        r = self.ok("login", "--all-roles")
        self.tb.sts.clear_faults()
        self.assertEqual(len(r.stderr.decode().splitlines()), 12)  # one line per profile
        self.assertIn("%s-admin" % A2, self.profiles())

    def test_chained_hop_gets_its_alias_through_the_chain(self):
        n = len(self.tb.sts_calls())
        self.ok("-a", "hub", "login", password="alice-pass")
        calls = self.alias_calls(n)
        self.assertEqual(sorted(c["caller_arn"].split(":")[3] for c in calls),
                         [ACCT, "6543210987654321"])
        self.assertEqual(self.profiles()["hub"]["account_alias"], "hub-acct")


if __name__ == "__main__":
    unittest.main()
