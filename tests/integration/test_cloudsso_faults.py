#!/usr/bin/python3
"""CloudSSO failure paths against the portal emulator: the device code
expires (exit 4), the user denies (3) or presses Ctrl-C (130), the portal
slows us down or answers nonsense while we wait (we back off), refuses a
directory, a client id or a credential (6), fails with 5xx or answers too
slowly (9), does not grant the role asked for (10); the browser is opened
only with a display and without --no-browser; bad configs fail before the
network (2).  Every failing command prints one error line.  Also checks
that the emulator itself refuses what the real service refuses (PKCE,
single redemption, NextToken binding).
"""

import base64
import hashlib
import json
import os
import signal
import stat
import sys
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import testbed  # noqa: E402
from cloudsso_bed import CLIENT_ID, PROD  # noqa: E402
from test_cloudsso import BIN, DEVICE_LINE, CloudSSOCase, ac  # noqa: E402,F401


class CloudSSOFaultsTest(CloudSSOCase):
    # -- waiting for the user
    def test_device_code_expiry_is_exit_4(self):
        self.sso.settings(auto_approve_after=0, device_ttl=3)
        t0 = time.monotonic()
        r = self.fails(4, "login", "--role", "Production/Admin", device=True)
        self.assertLess(time.monotonic() - t0, 15)
        self.assertIn(b"device code expired before the sign-in was approved", r.stderr)
        # without ExpiresIn the portal's InvalidDeviceCodeError ends it
        self.sso.settings(send_expires_in=False)
        r = self.fails(4, "login", "--role", "Production/Admin", device=True)
        self.assertIn(b"InvalidDeviceCodeError", r.stderr)
        self.assertEqual(self.calls("/cloud-credentials"), [])

    def test_denied_is_exit_3(self):
        self.sso.settings(auto_approve_after=0)
        p = self.popen([BIN, "--config", self.config, "login"])
        self.sso.deny(self.sso.wait_pending())
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, err)
        self.one_error_line(err, device=True)
        self.assertIn(b"AccessDenied", err)

    def test_ctrl_c_while_waiting_is_130(self):
        self.sso.settings(auto_approve_after=0)
        p = self.popen([BIN, "--config", self.config, "login"])
        self.sso.wait_pending()
        time.sleep(0.5)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual(p.returncode, 130, err)
        self.one_error_line(err, device=True)

    def test_slow_down_is_honoured(self):
        self.sso.settings(slow_down_on_fast=True, slow_down_next=1, auto_approve_after=3)
        self.ok("login", "--role", "Production/Admin")
        polls = self.calls("/token")
        codes = [c.get("error_code") for c in polls]
        self.assertEqual(codes[0], "SlowDown", codes)
        # the interval grew from 1 s to 6 s, and no poll came early
        self.assertGreaterEqual(polls[1]["ts"] - polls[0]["ts"], 5.8)
        self.assertEqual(self.stat("fast_polls"), 0)
        self.assertEqual(self.stat("slow_downs"), 1)

    def test_unknown_answers_while_waiting_back_off(self):
        self.sso.settings(auto_approve_after=1)
        self.sso.inject_fault("/token", status=400, code="SomethingNew", count=2)
        self.ok("login", "--role", "Production/Admin")
        ts = [c["ts"] for c in self.calls("/token")]
        self.assertEqual(len(ts), 3, self.calls("/token"))
        gaps = [b - a for a, b in zip(ts, ts[1:])]
        self.assertGreaterEqual(gaps[0], 1.8)        # interval 1 s + 1 s
        self.assertGreater(gaps[1], gaps[0] + 0.7)   # + 2 s
        self.assertEqual(self.stat("fast_polls"), 0)

    def test_5xx_while_waiting_then_approval(self):
        self.sso.inject_fault("/token", status=503, code="ServiceUnavailable", count=1)
        self.ok("login", "--role", "Production/Admin")
        self.assertEqual(len(self.calls("/cloud-credentials")), 1)

    # -- the portal refuses
    def test_unknown_directory_is_exit_6(self):
        self.write_config(url="https://signin-cn-shanghai.alibabacloudsso.com/nodir/login")
        r = self.fails(6, "login")
        self.assertIn(b"EntityNotExists.Directory", r.stderr)
        self.assertIn(b"nodir", r.stderr)

    def test_client_id_from_the_environment(self):
        r = self.fails(6, "login", extra_env={"ALIBABACLOUD_SSO_CLIENT_ID": "app-other"})
        self.assertIn(b"InvalidClientId", r.stderr)
        self.assertEqual(self.calls("/device-authorization")[-1]["client_id"], "app-other")
        self.fails(6, "login", extra_env={"ALIBABA_CLOUD_SSO_CLIENT_ID": "app-two"})
        self.assertEqual(self.calls("/device-authorization")[-1]["client_id"], "app-two")
        self.ok("login", "--role", "Production/Admin",
                extra_env={"ALIBABA_CLOUD_SSO_CLIENT_ID": CLIENT_ID})

    def test_credential_refused_is_exit_6(self):
        self.sso.inject_fault("/cloud-credentials", status=403, code="NoPermission",
                              message="not for you", count=-1)
        r = self.fails(6, "login", "--role", "Production/Admin", device=True)
        self.assertIn(b"NoPermission", r.stderr)
        self.assertIn(b"CreateCloudCredential", r.stderr)

    def test_role_not_granted_is_exit_10(self):
        r = self.fails(10, "login", "--role", "Production/Nope", device=True)
        self.assertIn(b"acs:cloudsso::%s:access-configuration/" % PROD.encode(), r.stderr)
        self.assertEqual(self.calls("/cloud-credentials"), [])

    def test_several_grants_without_a_terminal_is_exit_8(self):
        r = self.fails(8, "login", device=True)
        self.assertIn(b"5 roles granted and no --role given", r.stderr)

    # -- the portal fails
    def test_5xx_after_retries_is_exit_9(self):
        self.sso.inject_fault("/device-authorization", status=500, count=-1)
        r = self.fails(9, "login")
        self.assertIn(b"HTTP 500", r.stderr)
        self.assertEqual(len(self.calls("/device-authorization")), 3)  # http_retries 2

    def test_slow_portal_is_exit_9(self):
        self.write_config("timeout = 1\nhttp_retries = 0\n")
        self.sso.inject_fault("/device-authorization", delay=3, passthrough=True, count=1)
        t0 = time.monotonic()
        self.fails(9, "login")
        self.assertLess(time.monotonic() - t0, 3)

    def test_listing_5xx_is_exit_9_and_the_token_is_kept(self):
        self.sso.inject_fault("/access-assignments/access-configurations", status=502,
                              count=-1)
        self.fails(9, "login", "--role", "Production/Admin", device=True)
        self.sso.clear_faults()
        n = len(self.calls("/device-authorization"))
        self.ok("login", "--role", "Production/Admin")
        self.assertEqual(len(self.calls("/device-authorization")), n)

    # -- the browser
    def fake_browser(self):
        bindir = os.path.join(self.bed.dir, "bin-%s" % self._testMethodName)
        os.makedirs(bindir, exist_ok=True)
        opened = os.path.join(bindir, "opened")
        script = os.path.join(bindir, "xdg-open")
        with open(script, "w") as f:
            f.write("#!%s\nimport sys, urllib.parse, urllib.request, json\n"
                    "open(%r, 'a').write(sys.argv[1] + '\\n')\n"
                    "q = urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1]).query)\n"
                    "req = urllib.request.Request(%r, method='POST', "
                    "data=json.dumps({'user_code': q['user_code'][0]}).encode(), "
                    "headers={'Content-Type': 'application/json'})\n"
                    "urllib.request.build_opener(urllib.request.ProxyHandler({}))"
                    ".open(req).read()\n" % (testbed.PYTHON, opened,
                                              self.sso.url + "/_emu/approve"))
        os.chmod(script, stat.S_IRWXU)
        env = {"PATH": bindir + ":" + self.bed.env.get("PATH", "/usr/bin:/bin"),
               "DISPLAY": ":99"}
        return env, opened

    def test_browser_opened_with_a_display(self):
        self.sso.settings(auto_approve_after=0)
        env, opened = self.fake_browser()
        r = self.ok("login", "--role", "Production/Admin", extra_env=env)
        with open(opened) as f:
            urls = f.read().split()
        self.assertEqual(len(urls), 1)
        self.assertIn("/device/code?user_code=", urls[0])
        self.assertIn(urls[0], r.stderr.decode())

    def test_no_browser(self):
        self.sso.settings(auto_approve_after=0)
        env, opened = self.fake_browser()
        p = self.popen([BIN, "--config", self.config, "login", "--no-browser",
                            "--role", "Production/Admin"], extra_env=env)
        self.sso.approve(self.sso.wait_pending())
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        self.assertFalse(os.path.exists(opened))
        self.assertIn(DEVICE_LINE.encode(), err)

    # -- configs that fail before the network
    def test_bad_configs_are_exit_2(self):
        for extra, url, want in (
                ("", "https://signin-cn-shanghai.alibabacloudsso.com/", b"names no CloudSSO"),
                ("", "http://signin.example.com/dir/login", b"must be the CloudSSO sign-in URL"),
                ("okta.push_timeout = 5\n", None, b"unknown key okta.push_timeout"),
                ("cloudsso.nope = 1\n", None, b"unknown key cloudsso.nope")):
            self.write_config(extra, url=url)
            r = self.fails(2, "login")
            self.assertIn(want, r.stderr)
        with open(self.config, "w") as f:
            f.write("[default]\nprovider = cloudsso\nurl = %s\n"
                    "cloudsso.portal_endpoint = %s/api\n" % (self.bed.signin_url, self.sso.url))
        r = self.fails(2, "login")
        self.assertIn(b"without a path", r.stderr)
        self.assertEqual(self.calls(), [])


class EmulatorChecksTest(CloudSSOCase):
    """The emulator refuses what the real service refuses (notes 1.10)."""

    def post(self, path, body, token=None):
        req = urllib.request.Request(self.sso.url + path, data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        return self.send(req, token)

    def get(self, path, token):
        return self.send(urllib.request.Request(self.sso.url + path), token)

    def send(self, req, token):
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with testbed._no_proxy_opener().open(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def device(self, verifier):
        ch = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        st, js = self.post("/device-authorization", {
            "PortalUrl": self.bed.signin_url, "ClientId": CLIENT_ID,
            "CodeChallengeMethod": "S256", "CodeChallenge": ch.decode()})
        self.assertEqual(st, 200, js)
        return js

    def token(self, dc, verifier):
        return self.post("/token", {"CodeVerifier": verifier, "ClientId": CLIENT_ID,
                                    "DeviceCode": dc["DeviceCode"],
                                    "GrantType": "urn:ietf:params:oauth:grant-type:device_code"})

    def test_pkce_single_redemption_and_paging(self):
        self.sso.settings(auto_approve_after=0, interval=0)
        good, bad = "v" * 43, "w" * 43
        dc = self.device(good)
        self.assertEqual(self.token(dc, good)[1]["ErrorCode"], "AuthorizationPending")
        self.sso.approve(dc["UserCode"])
        self.assertEqual(self.token(dc, bad)[1]["ErrorCode"], "InvalidCodeVerifier")
        self.assertEqual(self.token(dc, "short")[1]["ErrorCode"], "InvalidCodeVerifier")
        st, js = self.token(dc, good)
        self.assertEqual(st, 200, js)
        self.assertEqual(js["ExpiresIn"], 28800)
        self.assertEqual(self.token(dc, good)[1]["ErrorCode"], "InvalidDeviceCodeError")
        tok = js["AccessToken"]
        self.assertEqual(self.get("/access-assignments/accounts", None)[0], 401)
        st, page = self.get("/access-assignments/accounts?MaxResults=100", tok)
        self.assertEqual((st, len(page["Accounts"]), page["IsTruncated"]), (200, 2, True))
        # a NextToken is bound to its token and list
        dc2 = self.device(good)
        self.sso.approve(dc2["UserCode"])
        tok2 = self.token(dc2, good)[1]["AccessToken"]
        nt = page["NextToken"]
        st, js = self.get("/access-assignments/accounts?NextToken=" + nt, tok2)
        self.assertEqual((st, js["ErrorCode"]), (400, "InvalidParameter.NextToken"))
        st, js = self.get("/access-assignments/access-configurations?AccountId=%s&NextToken=%s"
                          % (PROD, nt), tok)
        self.assertEqual((st, js["ErrorCode"]), (400, "InvalidParameter.NextToken"))
        st, js = self.get("/access-assignments/accounts?NextToken=" + nt, tok)
        self.assertEqual((st, len(js["Accounts"]), js["IsTruncated"]), (200, 1, False))
        self.assertNotIn("NextToken", js)
        st, js = self.post("/cloud-credentials", {"AccountId": PROD,
                                                  "AccessConfigurationId": "ac-nope"}, tok)
        self.assertEqual((st, js["ErrorCode"]), (404, "EntityNotExists.AccessConfiguration"))
        st, js = self.post("/cloud-credentials", {"AccountId": PROD,
                                                  "AccessConfigurationId": ac(PROD, "Admin")},
                           tok)
        self.assertEqual(st, 200, js)
        self.assertRegex(js["CloudCredential"]["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(js["CloudCredential"]["AccessKeyId"].startswith("STS."))
        # the log names no token, device code or secret
        with open(self.sso.log_path) as f:
            log = f.read()
        for s in (tok, tok2, dc["DeviceCode"], js["CloudCredential"]["AccessKeySecret"],
                  js["CloudCredential"]["SecurityToken"]):
            self.assertNotIn(s, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
