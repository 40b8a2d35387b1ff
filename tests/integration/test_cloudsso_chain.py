#!/usr/bin/python3
"""A CloudSSO profile as the source of a role chain, and whoami on it
(issue 11): the portal emulator registers every key it mints with the
signed-STS emulator (cloudsso_bed.CloudSSOBed(sts_roles=...)), as a
session of the role CloudSSO provisions for the access configuration
(acs:ram::<uid>:role/AliyunReservedSSO-<name>, session = the user), so
the STS emulator checks an AssumeRole or GetCallerIdentity signed with it
as it checks its own keys.

The chain: CloudSSO profile `sso` (Production/Admin) -> `hub` (role hub in
6543210987654321, trusting AliyunReservedSSO-Admin of Production).
"""

import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed as T  # noqa: E402
from cloudsso_bed import (PROD, USER, CloudSSOBed, ac_id, default_world,  # noqa: E402
                          sso_identity_arn, sso_role_arn)

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
AGE = os.path.join(os.path.dirname(BIN), "s2s-test-age-creds")
HUB_ACCT = "6543210987654321"
HUB = T.role_arn(HUB_ACCT, "hub")
SETTINGS = {"interval": 1, "auto_approve_after": 1, "token_ttl": 28800, "page_size": 2}


def synthetic_arn(account, name):
    return "acs:cloudsso::%s:access-configuration/%s" % (
        account, ac_id(default_world(), account, name))


class CloudSSOChainTest(unittest.TestCase):
    bed = None

    @classmethod
    def setUpClass(cls):
        # only Production's Admin configuration may assume the hub
        cls.bed = CloudSSOBed(sts_roles={HUB: T.trusting(sso_role_arn(PROD, "Admin"))}).start()

    @classmethod
    def tearDownClass(cls):
        if cls.bed:
            cls.bed.stop()

    def setUp(self):
        self.sso, self.sts = self.bed.sso, self.bed.sts
        self.sso.deny()
        self.sso.clear_faults()
        self.sso.settings(**SETTINGS)
        self.sts.clear_faults()
        self.config = os.path.join(self.bed.home, "cfg-%s" % self._testMethodName)
        with open(self.config, "w") as f:
            f.write("[sso]\nprovider = cloudsso\nurl = %s\ncloudsso.portal_endpoint = %s\n"
                    "sts_endpoint = %s\n\n" % (self.bed.signin_url, self.sso.url, self.sts.url))
            f.write("[hub]\nprovider = assume-role\nsource_profile = sso\nrole_arn = %s\n\n"
                    % HUB)
            f.write("[ro-hub]\nprovider = assume-role\nsource_profile = ro\n"
                    "role_arn = %s\n\n" % HUB)
        self.base = len(self.sso.calls())
        self.sts_base = len(self.sts.calls())

    def tearDown(self):
        self.s2s("logout", "--all")

    # -- helpers
    def s2s(self, *args, timeout=120):
        return self.bed.run([BIN, "--config", self.config] + list(args), timeout=timeout)

    def ok(self, *args):
        r = self.s2s(*args)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def creds(self, profile):
        return json.loads(self.ok("credential-process", "--profile", profile).stdout)

    def portal(self, path):
        return [c for c in self.sso.calls()[self.base:] if c["path"] == path]

    def sts_calls(self):
        return self.sts.calls()[self.sts_base:]

    def minted(self, key_id):
        for c in self.sso.issued():
            if c["AccessKeyId"] == key_id:
                return c
        self.fail("%s was not minted by the portal" % key_id)

    def login_sso(self, role="Production/Admin", profile="sso"):
        self.ok("-a", "sso", "login", "--role", role, "--profile", profile)
        return self.creds(profile)["access_key_id"]

    # -- (a) one hop from CloudSSO
    def test_hop_is_signed_with_the_cloudsso_key(self):
        sso_key = self.login_sso()
        m = self.minted(sso_key)
        self.assertEqual((m["RoleArn"], m["AssumedRoleArn"]),
                         (sso_role_arn(PROD, "Admin"), sso_identity_arn(PROD, "Admin")))
        self.assertEqual(self.sts_calls(), [])  # the portal minted; STS saw nothing
        self.ok("-a", "hub", "login")
        hub = self.creds("hub")
        new = self.sts_calls()
        self.assertEqual([(c["action"], c["role_arn"], c["status"]) for c in new],
                         [("AssumeRole", HUB, 200)])
        rec = new[0]
        self.assertTrue(rec["signed"])
        self.assertEqual(rec["caller_key_id"], sso_key)
        self.assertEqual(rec["caller_arn"], sso_identity_arn(PROD, "Admin"))
        # no identity in CloudSSO's answer: the session is named after the
        # source profile
        self.assertEqual((rec["session_name"], rec["duration"]), ("sso", "3600"))
        self.assertEqual(hub["access_key_id"], rec["access_key_id"])
        # the hop used the stored CloudSSO keys: one mint, one device login
        self.assertEqual(len(self.portal("/cloud-credentials")), 1)
        self.assertEqual(len(self.portal("/device-authorization")), 1)
        # handed out from the store now: no call anywhere
        n, s = len(self.sso.calls()), len(self.sts.calls())
        self.assertEqual(self.creds("hub")["access_key_id"], rec["access_key_id"])
        self.assertEqual((len(self.sso.calls()), len(self.sts.calls())), (n, s))
        print("\nCloudSSO -> hop: CreateCloudCredential %s/%s -> %s (%s); "
              "AssumeRole %s signed by %s as %s -> %s" % (
                  PROD, m["AccessConfigurationId"], "****" + sso_key[-4:], m["AssumedRoleArn"],
                  HUB, "****" + rec["caller_key_id"][-4:], rec["caller_arn"],
                  "****" + rec["access_key_id"][-4:]), file=sys.stderr)

    def test_morning_login_of_the_hop_signs_in_to_cloudsso_first(self):
        with open(self.config, "a") as f:  # the source's role, chosen ahead
            f.write("[sso2]\nprovider = cloudsso\nurl = %s\ncloudsso.portal_endpoint = %s\n"
                    "sts_endpoint = %s\nrole_arn = %s\n\n"
                    "[hub2]\nprovider = assume-role\nsource_profile = sso2\nrole_arn = %s\n"
                    % (self.bed.signin_url, self.sso.url, self.sts.url,
                       synthetic_arn(PROD, "Admin"), HUB))
        self.ok("-a", "hub2", "login")
        self.assertEqual(len(self.portal("/device-authorization")), 1)
        mint = self.portal("/cloud-credentials")
        self.assertEqual([(c["account"], c["access_config"]) for c in mint],
                         [(PROD, ac_id(default_world(), PROD, "Admin"))])
        sso_key = self.creds("sso2")["access_key_id"]
        new = self.sts_calls()
        self.assertEqual([(c["action"], c["caller_key_id"], c["status"]) for c in new],
                         [("AssumeRole", sso_key, 200)])
        self.assertEqual(self.creds("hub2")["access_key_id"], new[0]["access_key_id"])

    def test_trust_names_the_access_configuration_role(self):
        self.login_sso("Production/ReadOnly", profile="ro")
        r = self.s2s("-a", "ro-hub", "login")
        self.assertEqual(r.returncode, 6, r.stderr)
        self.assertIn(b"NoPermission", r.stderr)
        new = self.sts_calls()
        self.assertEqual([(c["action"], c["code"]) for c in new], [("AssumeRole", "NoPermission")])
        self.assertIn(sso_role_arn(PROD, "ReadOnly"), new[0]["reason"])

    # -- (b) a stale chain on a stale CloudSSO profile
    def test_parallel_refresh_of_a_stale_chain_from_cloudsso(self):
        old_key = self.login_sso()
        self.ok("-a", "hub", "login")
        for profile in ("sso", "hub"):  # 600 s left of 3600: stale
            r = self.bed.run([AGE, profile, "3000"])
            self.assertEqual(r.returncode, 0, r.stderr)
        mints, devices = len(self.portal("/cloud-credentials")), len(
            self.portal("/device-authorization"))
        n = len(self.sts.calls())
        procs = [self.bed.popen([BIN, "--config", self.config, "credential-process",
                                 "--profile", "hub"]) for _ in range(20)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err.decode())
            self.assertEqual(err, b"")
        keys = {json.loads(out)["access_key_id"] for out, _ in outs}
        new_mints = self.portal("/cloud-credentials")[mints:]
        new = self.sts.calls()[n:]
        print("\n20 parallel credential-process of a stale hop on a stale CloudSSO "
              "profile: %d CreateCloudCredential, %s" % (
                  len(new_mints), ", ".join("%s %s signed by ****%s" % (
                      c["action"], c["role_arn"], c["caller_key_id"][-4:]) for c in new)),
              file=sys.stderr)
        self.assertEqual(len(new_mints), 1, new_mints)
        self.assertEqual(len(self.portal("/device-authorization")), devices)
        self.assertEqual([(c["action"], c["role_arn"], c["status"]) for c in new],
                         [("AssumeRole", HUB, 200)])
        self.assertEqual(keys, {new[0]["access_key_id"]})
        # the hop was signed with the CloudSSO profile's new keys
        sso_key = self.creds("sso")["access_key_id"]
        self.assertNotEqual(sso_key, old_key)
        self.assertEqual(new[0]["caller_key_id"], sso_key)
        self.assertEqual(new_mints[0]["access_key_id"], "****" + sso_key[-4:])

    # -- (c) whoami on a CloudSSO profile
    def test_whoami_of_a_cloudsso_profile(self):
        sso_key = self.login_sso()
        text = self.ok("whoami", "--profile", "sso").stdout.decode()
        lines = dict(re.split(r"\s+", l, maxsplit=1) for l in text.splitlines())
        self.assertEqual(lines["profile"], "sso")
        self.assertEqual(lines["account"], PROD)
        self.assertEqual(lines["arn"], sso_identity_arn(PROD, "Admin"))
        self.assertEqual(lines["type"], "AssumedRoleUser")
        self.assertRegex(lines["expires"], r"\((59m \d\ds|1h 00m) left\)")
        out = json.loads(self.ok("whoami", "--profile", "sso", "--output", "json").stdout)
        self.assertEqual(out["profile"], "sso")
        self.assertEqual(out["account_id"], PROD)
        self.assertEqual(out["arn"], "acs:ram::%s:assumed-role/AliyunReservedSSO-Admin/%s"
                         % (PROD, USER))
        self.assertEqual(out["identity_type"], "AssumedRoleUser")
        self.assertTrue(out["principal_id"].endswith(":" + USER), out)
        self.assertEqual(out["principal_id"], "%s:%s" % (out["role_id"], USER))
        self.assertGreater(out["remaining_seconds"], 3000)
        new = self.sts_calls()
        self.assertEqual([(c["action"], c["caller_key_id"], c["status"]) for c in new],
                         [("GetCallerIdentity", sso_key, 200)] * 2)
        print("\nwhoami --profile sso:\n" + text.rstrip(), file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
