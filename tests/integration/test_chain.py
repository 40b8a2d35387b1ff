#!/usr/bin/python3
"""Role chaining (issue 11, parts 2-4): the assume-role source, signed STS
calls checked by the emulator (signature, timestamp, nonce, token, trust,
external id, durations), whoami, and the hand-off of chained profiles.
Real SimpleSAMLphp IdP, STS emulator with signed AssumeRole and
GetCallerIdentity, private gnome-keyring.

The chain: SAML profile `saml` (alice, admin in 1234567890123456) ->
`hop1` (hub in 6543210987654321, trusting admin) -> `hop2` (target in
3333333333333333, trusting hub, external id ext-42).
"""

import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed as T  # noqa: E402

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "saml2sts"))
ACCT, ACCT2, ACCT3 = "1234567890123456", "6543210987654321", "3333333333333333"
ADMIN = T.role_arn(ACCT, "admin")
HUB = T.role_arn(ACCT2, "hub")
TARGET = T.role_arn(ACCT3, "target")
LOCKED = T.role_arn(ACCT2, "locked")
LONG = T.role_arn(ACCT2, "long")
GHOST = T.role_arn(ACCT2, "nope")


def ram_hook(ram):
    ram["roles"].update({
        HUB: T.trusting(ADMIN),
        TARGET: T.trusting(HUB, external_id="ext-42"),
        LOCKED: T.trusting("acs:ram::9999999999999999:role/other"),
        LONG: T.trusting(ACCT, max_session_duration=43200),
    })
    return ram


def hop(name, source, role, **keys):
    lines = ["[%s]" % name, "provider = assume-role", "source_profile = %s" % source,
             "role_arn = %s" % role]
    lines += ["%s = %s" % kv for kv in keys.items()]
    return "\n".join(lines) + "\n\n"


class ChainTest(unittest.TestCase):
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
        self.dir = os.path.join(tb.home, "t-" + self._testMethodName)
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.config = os.path.join(self.dir, "config")
        self.policy_big = os.path.join(self.dir, "big.json")
        self.policy_bad = os.path.join(self.dir, "bad.json")
        self.policy_ok = os.path.join(self.dir, "ok.json")
        with open(self.policy_big, "w") as f:
            json.dump({"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": ["ecs:Describe%04d" % i], "Resource": "*"}
                for i in range(60)]}, f, indent=2)
        with open(self.policy_bad, "w") as f:
            f.write('{"Version": "1", "Statement": [')
        with open(self.policy_ok, "w") as f:
            json.dump({"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}]}, f, indent=4)
        with open(self.config, "w") as f:
            f.write("[default]\nprovider = form\nurl = %s\nusername = alice\n"
                    "sts_endpoint = %s\nprofile = saml\nrole_arn = %s\n"
                    "signin_endpoint = %s\n\n" % (tb.idp.url_cn, tb.sts.url, ADMIN, tb.sts.url))
            f.write(hop("hop1", "saml", HUB))
            f.write(hop("hop2", "hop1", TARGET, external_id="ext-42",
                        signin_endpoint=tb.sts.url))
            f.write(hop("deny", "hop1", LOCKED))
            f.write(hop("ghost", "saml", GHOST))
            f.write(hop("badext", "hop1", TARGET, external_id="ext-43"))
            f.write(hop("noext", "hop1", TARGET))
            f.write(hop("long", "saml", LONG, session_duration="7200"))
            f.write(hop("scoped", "saml", HUB, policy=self.policy_ok))
            f.write(hop("bigpolicy", "saml", HUB, policy=self.policy_big))
            f.write(hop("badpolicy", "saml", HUB, policy=self.policy_bad))
            f.write(hop("cyc_a", "cyc_b", HUB))
            f.write(hop("cyc_b", "cyc_a", HUB))
            f.write(hop("selfish", "selfish", HUB))
            f.write(hop("badname", "saml", HUB, role_session_name="a b"))
            f.write(hop("badarn", "saml", "acs:ram::12:user/bob"))
            f.write("[nosource]\nprovider = assume-role\nrole_arn = %s\n\n" % HUB)
        tb.sts.clear_faults()
        tb.sts.set_clock(offset=0, skew=0)

    def tearDown(self):
        self.s2s("logout", "--all")
        self.tb.sts.set_clock(offset=0, skew=0)

    # -- helpers
    def argv(self, *args):
        return [BIN, "--config", self.config] + list(args)

    def env(self, password="alice-pass", **extra):
        env = dict(self.tb.env)
        if password:
            env["SAML2STS_PASSWORD"] = password
        env.update(extra)
        return env

    def s2s(self, *args, password="alice-pass", **extra):
        return subprocess.run(self.argv(*args), env=self.env(password, **extra),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120, cwd=self.tb.home)

    def ok(self, *args, **kw):
        r = self.s2s(*args, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s" % (args, r.stderr.decode()))
        return r

    def fails(self, status, *args, **kw):
        r = self.s2s(*args, **kw)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, status, "%s: %s" % (args, err))
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, "not one stderr line: %r" % err)
        self.assertTrue(lines[0].startswith("saml2sts: "), lines[0])
        return lines[0]

    def calls(self):
        return self.tb.sts_calls()

    def chain_login(self):
        n = len(self.calls())
        self.ok("-a", "hop2", "login")
        return self.calls()[n:]

    # -- the chain
    def test_two_hop_chain_and_the_emulator_record(self):
        logins = len(self.tb.idp.logins("alice"))
        new = self.chain_login()
        self.assertEqual(len(self.tb.idp.logins("alice")), logins + 1)
        self.assertEqual([(c["action"], c["role_arn"], c["status"]) for c in new],
                         [("AssumeRoleWithSAML", ADMIN, 200), ("AssumeRole", HUB, 200),
                          ("AssumeRole", TARGET, 200)])
        saml_key, hub_key, target_key = (c["access_key_id"] for c in new)
        # each hop is signed with the keys of the hop before it
        self.assertEqual(new[1]["caller_key_id"], saml_key)
        self.assertEqual(new[2]["caller_key_id"], hub_key)
        self.assertTrue(new[1]["signed"] and new[2]["signed"])
        self.assertEqual(new[1]["caller_arn"],
                         "acs:ram::%s:assumed-role/admin/alice@example.com" % ACCT)
        # the session name comes from the source identity, the duration is
        # the chained default, the external id went along
        self.assertEqual([c["session_name"] for c in new[1:]], ["alice@example.com"] * 2)
        self.assertEqual([c["duration"] for c in new[1:]], ["3600", "3600"])
        self.assertEqual((new[1]["external_id_sent"], new[2]["external_id_sent"]), (False, True))
        # each hop is its own profile
        for profile, key in (("saml", saml_key), ("hop1", hub_key), ("hop2", target_key)):
            out = json.loads(self.ok("credential-process", "--profile", profile).stdout)
            self.assertEqual(out["access_key_id"], key)
        st = json.loads(self.ok("status", "--output", "json").stdout)
        roles = {p["profile"]: p["role_arn"] for p in st["profiles"]}
        self.assertEqual(roles, {"saml": ADMIN, "hop1": HUB, "hop2": TARGET})
        # a second login finds hop2 still valid: no call at all
        n = len(self.calls())
        self.ok("-a", "hop2", "login")
        self.assertEqual(len(self.calls()), n)
        # --force makes hop2 again, from the stored (fresh) hop1
        self.ok("-a", "hop2", "login", "--force")
        again = self.calls()[n:]
        self.assertEqual([(c["action"], c["role_arn"], c["caller_key_id"]) for c in again],
                         [("AssumeRole", TARGET, hub_key)])
        print("\nchain: " + " -> ".join("%s %s (%s)" % (c["action"], c["role_arn"],
                                                       c.get("caller_key_id") or "unsigned")
                                        for c in new), file=sys.stderr)

    def make_stale_chain(self):
        """saml, hop1 and hop2 stored, stale (less than the refresh window
        left) but not expired."""
        age = os.path.join(os.path.dirname(BIN), "s2s-test-age-creds")
        if os.path.exists(age):
            self.chain_login()
            for profile in ("saml", "hop1", "hop2"):
                subprocess.run([age, profile, "3000"], env=self.tb.env, check=True,
                               timeout=60, cwd=self.tb.home)
            return
        # no ageing tool: every hop made with the emulator's clock 3520 s
        # behind lives 80 s, and is stale once it has 40 s left
        self.tb.sts.set_clock(offset=-3520, skew=100000)
        self.chain_login()
        made = time.time()
        self.tb.sts.set_clock(offset=0, skew=0)
        time.sleep(max(0.0, made + 42 - time.time()))

    def test_parallel_refresh_of_a_stale_chain(self):
        self.make_stale_chain()
        n = len(self.calls())
        logins = len(self.tb.idp.logins("alice"))
        procs = [subprocess.Popen(self.argv("credential-process", "--profile", "hop2"),
                                  env=self.env(), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  cwd=self.tb.home)
                 for _ in range(20)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err.decode())
        ids = {json.loads(out)["access_key_id"] for out, _ in outs}
        new = self.calls()[n:]
        print("\n20 parallel credential-process of a stale 2-hop chain: %d IdP login(s), %s" % (
            len(self.tb.idp.logins("alice")) - logins,
            ", ".join("%s %s" % (c["action"], c["role_arn"]) for c in new)), file=sys.stderr)
        self.assertEqual([(c["action"], c["role_arn"], c["status"]) for c in new],
                         [("AssumeRoleWithSAML", ADMIN, 200), ("AssumeRole", HUB, 200),
                          ("AssumeRole", TARGET, 200)])
        self.assertEqual(len(self.tb.idp.logins("alice")), logins + 1)
        self.assertEqual(ids, {new[2]["access_key_id"]})
        # the refresh signed each hop with the source's new keys
        self.assertEqual(new[1]["caller_key_id"], new[0]["access_key_id"])
        self.assertEqual(new[2]["caller_key_id"], new[1]["access_key_id"])

    def test_refresh_without_a_way_to_log_in_is_exit_8(self):
        line = self.fails(8, "credential-process", "--profile", "hop2")
        self.assertIn("hop2", line)
        self.chain_login()
        self.ok("logout", "--profile", "saml")
        self.ok("logout", "--profile", "hop1")
        # hop2 is still fresh: handed out without its sources
        self.ok("credential-process", "--profile", "hop2")

    # -- refusals keep the STS code
    def test_sts_refusals_keep_their_codes(self):
        self.chain_login()
        for section, code, reason in (("deny", "NoPermission", "trust policy"),
                                      ("ghost", "EntityNotExist.Role", "no such role"),
                                      ("badext", "NoPermission", "external_id"),
                                      ("noext", "NoPermission", "external_id")):
            with self.subTest(section=section):
                n = len(self.calls())
                line = self.fails(6, "-a", section, "login")
                self.assertIn(code, line)
                new = self.calls()[n:]
                self.assertEqual([c["code"] for c in new], [code])
                self.assertIn(reason, new[0]["reason"])

    def test_chained_duration_above_the_cap_is_retried_at_3600(self):
        n = len(self.calls())
        r = self.ok("-a", "long", "login")
        new = [c for c in self.calls()[n:] if c["action"] == "AssumeRole"]
        self.assertEqual([(c["duration"], c["code"]) for c in new],
                         [("7200", "InvalidParameter.DurationSeconds"), ("3600", None)])
        self.assertIn(b"3600", r.stderr)
        left = json.loads(self.ok("whoami", "--profile", "long", "--output", "json").stdout)
        self.assertLessEqual(left["remaining_seconds"], 3600)

    def test_policy_goes_to_sts_compacted(self):
        self.chain_login()
        n = len(self.calls())
        self.ok("-a", "scoped", "login")
        new = self.calls()[n:]
        self.assertEqual([(c["action"], c["status"]) for c in new], [("AssumeRole", 200)])

    # -- checked before the network
    def test_bad_config_fails_before_the_network(self):
        cases = (("bigpolicy", "2048"), ("badpolicy", "not a JSON object"),
                 ("cyc_a", "cycle: cyc_a -> cyc_b -> cyc_a"),
                 ("selfish", "cycle: selfish -> selfish"),
                 ("badname", "role_session_name"), ("badarn", "not a RAM role ARN"),
                 ("nosource", "source_profile"))
        n = len(self.calls())
        logins = len(self.tb.idp.logins("alice"))
        for section, text in cases:
            with self.subTest(section=section):
                line = self.fails(2, "-a", section, "login")
                self.assertIn(text, line)
        self.assertEqual(len(self.calls()), n)
        self.assertEqual(len(self.tb.idp.logins("alice")), logins)
        # a policy that fits goes through validation
        self.assertNotIn(b"policy", self.s2s("-a", "scoped", "list-roles").stderr)

    # -- whoami
    def test_whoami_text_and_json(self):
        self.chain_login()
        n = len(self.calls())
        text = self.ok("whoami", "--profile", "hop2").stdout.decode()
        lines = dict(re.split(r"\s+", l, maxsplit=1) for l in text.splitlines())
        self.assertEqual(lines["account"], ACCT3)
        self.assertEqual(lines["arn"], "acs:ram::%s:role/target/alice@example.com" % ACCT3)
        self.assertEqual(lines["type"], "AssumedRoleUser")
        self.assertRegex(lines["expires"], r"\(\d+m \d\ds left\)|\(1h 00m left\)")
        out = json.loads(self.ok("whoami", "--profile", "saml", "--output", "json").stdout)
        self.assertEqual(out["account_id"], ACCT)
        self.assertEqual(out["identity_type"], "AssumedRoleUser")
        self.assertEqual(out["arn"], "acs:ram::%s:assumed-role/admin/alice@example.com" % ACCT)
        self.assertGreater(out["remaining_seconds"], 3000)
        new = self.calls()[n:]
        self.assertEqual([(c["action"], c["status"]) for c in new],
                         [("GetCallerIdentity", 200)] * 2)
        issued = {i["RoleArn"]: i["AccessKeyId"] for i in self.tb.sts.issued()}
        self.assertEqual([c["caller_key_id"] for c in new], [issued[TARGET], issued[ADMIN]])
        line = self.fails(8, "whoami", "--profile", "nothing-here")
        self.assertIn("nothing-here", line)

    # -- hand-off
    def test_handoff_of_a_chained_profile(self):
        aliyun = os.path.join(self.dir, "aliyun.json")
        with open(self.config, "a") as f:
            f.write(hop("handoff", "hop1", TARGET, external_id="ext-42", profile="hop2",
                        aliyun_config="true", signin_endpoint=self.tb.sts.url))
        self.ok("-a", "handoff", "login", ALIBABA_CLOUD_CONFIG_FILE=aliyun)
        issued = self.tb.sts.issued()[-1]
        self.assertEqual(issued["RoleArn"], TARGET)
        with open(aliyun) as f:
            prof = {p["name"]: p for p in json.load(f)["profiles"]}["hop2"]
        self.assertEqual(prof["mode"], "External")
        self.assertIn("credential-process --profile hop2", prof["process_command"])
        # exec
        r = self.ok("exec", "--profile", "hop2", "--", "/usr/bin/env")
        env = dict(l.split("=", 1) for l in r.stdout.decode().splitlines() if "=" in l)
        self.assertEqual(env["ALIBABA_CLOUD_ACCESS_KEY_ID"], issued["AccessKeyId"])
        self.assertEqual(env["ALIBABA_CLOUD_SECURITY_TOKEN"], issued["SecurityToken"])
        self.assertEqual(env["SAML2STS_PROFILE"], "hop2")
        # export
        out = json.loads(self.ok("export", "--profile", "hop2", "--format", "json").stdout)
        self.assertEqual(out["AccessKeyId"], issued["AccessKeyId"])
        # console (GetSigninToken at the emulator's federation endpoint)
        url = self.ok("console", "--profile", "hop2", "--print-url").stdout.decode().strip()
        self.assertIn("Action=Login", url)
        # serve
        p = subprocess.Popen(self.argv("serve", "--profile", "hop2"), env=self.env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=self.tb.home)
        try:
            uri = p.stdout.readline().decode().strip()
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(uri, timeout=10) as resp:
                body = json.loads(resp.read())
            self.assertEqual(body["Code"], "Success")
            self.assertEqual(body["AccessKeyId"], issued["AccessKeyId"])
        finally:
            p.terminate()
            p.communicate(timeout=10)

    # -- secrets
    def test_no_secret_on_disk_or_in_debug_output(self):
        n = len(self.tb.sts.issued())
        r = self.ok("--debug", "-a", "hop2", "login")
        r2 = self.ok("--debug", "whoami", "--profile", "hop2")
        debug = (r.stderr + r2.stderr).decode()
        self.assertIn("debug:", debug)
        secrets = []
        for i in self.tb.sts.issued()[n:]:
            secrets += [i["AccessKeySecret"], i["SecurityToken"], i["SecurityToken"][-40:]]
        self.assertEqual(len(secrets), 9)
        files = []
        for base, _, names in os.walk(self.tb.home):
            for name in names:
                path = os.path.join(base, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    files.append(path)
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            for s in secrets:
                self.assertNotIn(s.encode(), data, path)
        for s in secrets:
            self.assertNotIn(s, debug)
        with open(self.tb.sts_log) as f:
            log = f.read()
        for s in secrets:
            self.assertNotIn(s, log)

    # -- the emulator checks what STS checks
    def test_emulator_refuses_bad_signed_calls(self):
        self.chain_login()
        hub = [i for i in self.tb.sts.issued() if i["RoleArn"] == HUB][-1]
        key, secret, token = hub["AccessKeyId"], hub["AccessKeySecret"], hub["SecurityToken"]
        url = self.tb.sts.url

        def call(**kw):
            kw.setdefault("token", token)
            return T.signed_call(url, "GetCallerIdentity", key, kw.pop("secret", secret), **kw)

        def code(res):
            st, body = res
            self.assertIsInstance(body, dict, body)
            self.assertEqual(set(body), {"RequestId", "HostId", "Code", "Message", "Recommend"})
            return st, body["Code"]

        st, body = call()
        self.assertEqual((st, body["Arn"]), (200, "acs:ram::%s:role/hub/alice@example.com" % ACCT2))
        st, body = call(method="GET")
        self.assertEqual(st, 200, body)
        self.assertEqual(code(call(secret="wrong")), (400, "SignatureDoesNotMatch"))
        st, body = call(secret="wrong")
        self.assertIn("server string to sign is:POST&%2F&AccessKeyId%3D", body["Message"])
        self.assertEqual(code(call(tamper=lambda p: p.update(Format="XML"))),
                         (400, "SignatureDoesNotMatch"))
        old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1000))
        self.assertEqual(code(call(timestamp=old)), (400, "InvalidTimeStamp.Expired"))
        self.assertEqual(code(call(timestamp="2026-01-02 03:04:05")),
                         (400, "InvalidTimeStamp.Format"))
        self.assertEqual(code_ok(call(nonce="once-only")), (200, None))
        self.assertEqual(code(call(nonce="once-only")), (400, "SignatureNonceUsed"))
        self.assertEqual(code(call(token=None)), (400, "MissingSecurityToken"))
        other = [i for i in self.tb.sts.issued() if i["RoleArn"] == ADMIN][-1]
        self.assertEqual(code(call(token=other["SecurityToken"])),
                         (400, "InvalidSecurityToken.MismatchWithAccessKey"))
        self.assertEqual(code(T.signed_call(url, "GetCallerIdentity", "STS.nobody", "x",
                                            token="t")),
                         (404, "InvalidAccessKeyId.NotFound"))
        self.assertEqual(code(call(params={"Version": "2011-06-15"})), (400, "InvalidParameter"))
        self.assertEqual(code(T.signed_call(url, "AssumeRole", key, secret, token=token,
                                            params={"RoleArn": TARGET,
                                                    "RoleSessionName": "x y",
                                                    "ExternalId": "ext-42"})),
                         (400, "InvalidParameter.RoleSessionName"))
        self.assertEqual(code(T.signed_call(url, "AssumeRole", key, secret, token=token,
                                            params={"RoleArn": TARGET, "RoleSessionName": "ok",
                                                    "ExternalId": "ext-42",
                                                    "DurationSeconds": "300"})),
                         (400, "InvalidParameter.DurationSeconds"))
        # an expired token is refused
        self.tb.sts.set_clock(offset=7200, skew=100000)
        self.assertEqual(code(call()), (400, "InvalidSecurityToken.Expired"))
        self.tb.sts.set_clock(offset=0, skew=0)
        # an unsigned AssumeRole keeps the AssumeRoleWithSAML emulator's answer
        st, body = T.assume_role_with_saml(url, "abc", TARGET, "x", action="AssumeRole")
        self.assertEqual((st, body["Code"]), (404, "InvalidAction.NotFound"))


def code_ok(res):
    st, body = res
    return st, None if st == 200 else body.get("Code")


if __name__ == "__main__":
    unittest.main()
