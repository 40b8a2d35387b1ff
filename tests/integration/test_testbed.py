#!/usr/bin/python3
"""Smoke test of the integration testbed itself (IdP, STS emulator, keyring, CLI).

Run: /usr/bin/python3 -B tests/integration/test_testbed.py [-v]
"""

import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import http.cookiejar
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testbed as T  # noqa: E402

ACCT = T.ACCT
ADMIN = T.role_arn(ACCT, "admin")
READONLY = T.role_arn(ACCT, "readonly")
DEVELOPER = T.role_arn(ACCT, "developer")
PROVIDER = T.provider_arn(ACCT)
INVALID = "AuthenticationFail.SAMLAssertion.Invalid"
EXPIRED = "AuthenticationFail.SAMLAssertion.Expired"
TESTBED_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testbed.py")


def q(ns, local):
    return "{%s}%s" % (T.NS[ns], local)


def parse_exp(s):
    return time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


class _Shared(unittest.TestCase):
    """One testbed (IdP + cn STS emulator, no keyring) for the IdP/STS tests."""

    tb = None

    @classmethod
    def setUpClass(cls):
        if _Shared.tb is None:
            _Shared.tb = T.Testbed(keyring=False).start()
        cls.tb = _Shared.tb
        cls.sts = cls.tb.sts

    def login(self, user, site="cn"):
        return self.tb.login(user, site=site)

    def call(self, saml, role=ADMIN, provider=PROVIDER, url=None, **kw):
        return T.assume_role_with_saml(url or self.sts.url, saml, role, provider, **kw)

    def assertError(self, res, status, code):
        st, body = res
        self.assertEqual(st, status, body)
        self.assertIsInstance(body, dict, body)
        self.assertEqual(body.get("Code"), code, body)
        self.assertEqual(body.get("HostId"), "sts.aliyuncs.com")
        self.assertRegex(body.get("RequestId", ""), r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
        self.assertTrue(body.get("Message"))
        self.assertEqual(set(body), {"RequestId", "HostId", "Code", "Message"})


class TestIdP(_Shared):

    def test_form_login_flow_by_hand(self):
        """GET url_cn -> login form (action="?", username, password, escaped
        AuthState) -> POST -> auto-submit page with the SAMLResponse."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(jar))
        with opener.open(self.tb.idp.url_cn, timeout=10) as r:
            page_url, page = r.geturl(), r.read().decode()
        self.assertIn("/module.php/core/loginuserpass.php?AuthState=", page_url)
        self.assertTrue(any(c.name == "SimpleSAML" for c in jar))
        self.assertRegex(page, r'<form action="\?" method="post"')
        self.assertIn('name="username"', page)
        self.assertIn('name="password"', page)
        m = re.search(r'name="AuthState" value="([^"]*)"', page)
        self.assertTrue(m, "no AuthState")
        self.assertIn("&amp;", m.group(1))  # HTML-escaped in the page
        forms = T.IdPSession._forms(page)
        form = [f for f in forms if any(n == "password" for n, _, _ in f["inputs"])][0]
        self.assertEqual(form["action"], "?")
        auth_state = dict((n, v) for n, _, v in form["inputs"] if n)["AuthState"]
        self.assertNotIn("&amp;", auth_state)
        body = urllib.parse.urlencode({"username": "alice", "password": "alice-pass",
                                       "AuthState": auth_state}).encode()
        with opener.open(urllib.parse.urljoin(page_url, "?"), body, timeout=10) as r:
            self.assertEqual(r.status, 200)
            page = r.read().decode()
        self.assertIn('action="https://signin.aliyun.com/saml-role/sso"', " ".join(page.split()))
        m = re.search(r'name="SAMLResponse" value="([^"]+)"', page)
        self.assertTrue(m, "no SAMLResponse")
        xml = T.decode_saml(m.group(1))
        self.assertEqual(len(T.saml_roles(xml)), 2)

    def test_alice_response_content(self):
        saml = self.login("alice")
        self.assertGreater(len(saml), 5000)
        xml = T.decode_saml(saml)
        root = ET.fromstring(xml)
        self.assertEqual(root.tag, q("samlp", "Response"))
        self.assertEqual(root.get("Destination"), T.SITES["cn"]["acs"])
        a = root.find(q("saml", "Assertion"))
        # both the Response and the Assertion are signed, rsa-sha256
        for el in (root, a):
            sig = el.find(q("ds", "Signature"))
            self.assertIsNotNone(sig)
            self.assertEqual(sig.find(".//" + q("ds", "SignatureMethod")).get("Algorithm"),
                             "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
            self.assertEqual(sig.find(".//" + q("ds", "Reference")).get("URI"), "#" + el.get("ID"))
        self.assertEqual(a.find(q("saml", "Issuer")).text, self.tb.idp.entity_id)
        self.assertEqual(T.saml_nameid(xml), ("alice@example.com", T.NAMEID_EMAIL))
        self.assertEqual(a.find(".//" + q("saml", "Audience")).text, "urn:alibaba:cloudcomputing")
        self.assertEqual(a.find(".//" + q("saml", "SubjectConfirmationData")).get("Recipient"),
                         "https://signin.aliyun.com/saml-role/sso")
        attrs = T.saml_attributes(xml)
        self.assertEqual(set(attrs), {T.ATTR_ROLE, T.ATTR_SESSION_NAME, T.ATTR_SESSION_DURATION})
        self.assertEqual(T.saml_roles(xml), [(ADMIN, PROVIDER), (READONLY, PROVIDER)])
        self.assertEqual(attrs[T.ATTR_SESSION_NAME], ["alice@example.com"])
        self.assertEqual(attrs[T.ATTR_SESSION_DURATION], ["3600"])
        for at in a.iter(q("saml", "Attribute")):
            self.assertEqual(at.get("NameFormat"), "urn:oasis:names:tc:SAML:2.0:attrname-format:uri")

    def test_signature_verifies_with_xmlsec1(self):
        xml = T.decode_saml(self.login("bob")).encode()
        xp = ("/*[local-name()='Response']/*[local-name()='Assertion']"
              "/*[local-name()='Signature']")
        r = subprocess.run(["xmlsec1", "--verify", "--enabled-key-data", "rsa",
                            "--pubkey-cert-pem", self.tb.idp.cert_path,
                            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                            "--node-xpath", xp, "-"], input=xml, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_users(self):
        carol = T.decode_saml(self.login("carol"))
        values = T.saml_attributes(carol)[T.ATTR_ROLE]
        self.assertEqual(values[0], "acs:ram::6543210987654321:saml-provider/testidp,"
                                    "acs:ram::6543210987654321:role/auditor")
        self.assertEqual(T.saml_roles(carol)[1], (ADMIN, PROVIDER))
        dave = T.decode_saml(self.login("dave"))
        self.assertNotIn(T.ATTR_ROLE, T.saml_attributes(dave))
        self.assertEqual(T.saml_nameid(dave)[0], "dave@example.com")
        frank = T.saml_roles(T.decode_saml(self.login("frank")))
        self.assertEqual(len(frank), 12)
        self.assertEqual(len({r.split(":")[3] for r, _ in frank}), 3)
        gina = T.saml_attributes(T.decode_saml(self.login("gina")))
        self.assertEqual(gina[T.ATTR_SESSION_DURATION], ["1200"])
        erin = T.saml_roles(T.decode_saml(self.login("erin")))
        self.assertEqual(erin, [(T.role_arn(ACCT, "ghost"), PROVIDER)])

    def test_bad_password_and_session_reuse(self):
        idp = self.tb.idp
        failed0, bob0, resp0 = len(idp.failed_logins()), len(idp.logins("bob")), len(idp.responses())
        s = T.IdPSession()
        with self.assertRaises(T.IdPAuthError):
            s.login(idp.url_cn, "alice", "wrong")
        s = T.IdPSession()
        s.login(idp.url_cn, "bob", "bob-pass")
        before = s.requests
        saml = s.login(idp.url_cn, "bob", "ignored").saml_response
        self.assertEqual(s.requests - before, 1)  # one GET, no form
        self.assertEqual(T.saml_roles(T.decode_saml(saml)), [(DEVELOPER, PROVIDER)])
        # the IdP log tells password logins from SAMLResponses issued
        self.assertEqual(len(idp.failed_logins()) - failed0, 1)
        self.assertEqual(len(idp.logins("bob")) - bob0, 1)
        self.assertEqual(idp.responses()[resp0:], ["urn:alibaba:cloudcomputing"] * 2)

    def test_intl_site(self):
        xml = T.decode_saml(self.login("alice", site="intl"))
        root = ET.fromstring(xml)
        self.assertEqual(root.get("Destination"), "https://signin.alibabacloud.com/saml-role/sso")
        self.assertEqual(root.find(".//" + q("saml", "Audience")).text,
                         "urn:alibaba:cloudcomputing:international")


class TestSTS(_Shared):

    def test_success(self):
        t0 = time.time()
        st, body = self.call(self.login("alice"))
        self.assertEqual(st, 200, body)
        c = body["Credentials"]
        self.assertRegex(c["AccessKeyId"], r"^STS\.[A-Za-z0-9]{25}$")
        self.assertEqual(len(c["AccessKeySecret"]), 44)
        self.assertGreater(len(c["SecurityToken"]), 100)
        self.assertRegex(c["Expiration"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertAlmostEqual(parse_exp(c["Expiration"]), t0 + 3600, delta=60)
        self.assertEqual(body["AssumedRoleUser"]["Arn"],
                         "acs:ram::%s:assumed-role/admin/alice@example.com" % ACCT)
        self.assertRegex(body["AssumedRoleUser"]["AssumedRoleId"], r"^\d+:alice@example.com$")
        self.assertEqual(body["SAMLAssertionInfo"], {
            "SubjectType": "emailAddress", "Subject": "alice@example.com",
            "Recipient": "https://signin.aliyun.com/saml-role/sso",
            "Issuer": self.tb.idp.entity_id})
        self.assertRegex(body["RequestId"], r"^[0-9A-F-]{36}$")

    def test_duration_and_get(self):
        saml = self.login("alice")
        t0 = time.time()
        st, body = self.call(saml, role=READONLY, duration=1800)
        self.assertEqual(st, 200, body)
        self.assertAlmostEqual(parse_exp(body["Credentials"]["Expiration"]), t0 + 1800, delta=60)
        st, body = self.call(saml, method="GET")  # everything in the query
        self.assertEqual(st, 200, body)
        self.assertEqual(self.sts.calls()[-1]["assertion_in"], "query")

    def test_duration_invalid(self):
        saml = self.login("alice")
        for d in (100, 899, 7200, "abc", "-900"):
            self.assertError(self.call(saml, duration=d), 400, "InvalidParameter.DurationSeconds")

    def test_long_role_capped_by_session_not_on_or_after(self):
        saml = self.login("frank")
        xml = T.decode_saml(saml)
        sess = ET.fromstring(xml).find(".//" + q("saml", "AuthnStatement")).get("SessionNotOnOrAfter")
        st, body = self.call(saml, role=T.LONG_SESSION_ROLE,
                             provider=T.provider_arn("3333333333333333"), duration=43200)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["Credentials"]["Expiration"], sess)  # SSP session: 8 h < 12 h

    def test_provider_first_order(self):
        st, body = self.call(self.login("carol"), role=T.role_arn(T.ACCT2, "auditor"),
                             provider=T.provider_arn(T.ACCT2))
        self.assertEqual(st, 200, body)

    def test_frank_twelve_roles_in_parallel(self):
        saml = self.login("frank")
        pairs = T.saml_roles(T.decode_saml(saml))
        results = [None] * len(pairs)

        def one(i, r, p):
            results[i] = self.call(saml, role=r, provider=p)

        threads = [threading.Thread(target=one, args=(i, r, p)) for i, (r, p) in enumerate(pairs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([st for st, _ in results], [200] * 12, results)
        self.assertEqual(len({b["Credentials"]["AccessKeyId"] for _, b in results}), 12)

    def test_tampered_role(self):
        xml = T.decode_saml(self.login("alice"))
        bad = xml.replace(":role/readonly,", ":role/readwrite,")
        self.assertNotEqual(bad, xml)
        self.assertError(self.call(T.encode_saml(bad)), 401, INVALID)

    def test_role_missing_in_ram(self):
        self.assertError(self.call(self.login("erin"), role=T.role_arn(ACCT, "ghost")),
                         404, "EntityNotExist.Role")

    def test_pair_not_in_assertion(self):
        self.assertError(self.call(self.login("bob"), role=ADMIN), 401, INVALID)
        self.assertError(self.call(self.login("dave"), role=ADMIN), 401, INVALID)

    def test_intl_assertion_on_cn_and_intl_emulator(self):
        saml = self.login("alice", site="intl")
        self.assertError(self.call(saml), 401, INVALID)
        with T.STSEmulator(self.tb.ram, site="intl") as intl:
            st, body = self.call(saml, url=intl.url)
            self.assertEqual(st, 200, body)
            self.assertEqual(body["SAMLAssertionInfo"]["Recipient"],
                             "https://signin.alibabacloud.com/saml-role/sso")
            self.assertError(self.call(self.login("alice"), url=intl.url), 401, INVALID)

    def test_wrong_provider_cert(self):
        d = tempfile.mkdtemp(prefix="s2s-test-")
        try:
            crt, key = os.path.join(d, "o.crt"), os.path.join(d, "o.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-days", "1", "-subj", "/CN=other", "-keyout", key, "-out", crt],
                           check=True, capture_output=True)
            ram = json.loads(json.dumps(self.tb.ram))
            for p in ram["saml_providers"].values():
                p["cert"] = crt
            with T.STSEmulator(ram, base_dir=d) as other:
                self.assertError(self.call(self.login("alice"), url=other.url), 401, INVALID)
        finally:
            import shutil
            shutil.rmtree(d, ignore_errors=True)

    def test_request_errors(self):
        saml = self.login("alice")
        for name in ("SAMLAssertion", "SAMLProviderArn", "RoleArn"):
            self.assertError(self.call(saml, omit=(name,)), 400, "MissingParameter." + name)
        self.assertError(self.call(saml, action="AssumeRole"), 404, "InvalidAction.NotFound")
        self.assertError(self.call(saml, version="2011-06-15"), 400, "InvalidParameter")
        self.assertError(self.call(saml, provider=T.provider_arn(ACCT, "nope")),
                         404, "EntityNotExist.SAMLProvider")
        self.assertError(self.call(saml, policy="{not json"), 400, "InvalidParameter.PolicyGrammar")
        self.assertError(self.call(saml, policy="x" * 2049), 400, "InvalidParameter.PolicySize")
        pol = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:Get*",
                                                         "Resource": "*"}]})
        self.assertEqual(self.call(saml, policy=pol)[0], 200)

    def test_bad_assertions(self):
        self.assertError(self.call("abc"), 401, INVALID)                     # < 4 chars
        self.assertError(self.call("not base64 at all!"), 401, INVALID)
        self.assertError(self.call("A" * 100001), 401, INVALID)
        self.assertError(self.call(T.encode_saml("hello, not xml")), 401, INVALID)
        xml = T.decode_saml(self.login("alice"))
        doctype = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>' + xml
        self.assertError(self.call(T.encode_saml(doctype)), 401, INVALID)
        # "+" sent unencoded turns into a space: not base64 any more
        raw = self.login("alice")
        self.assertIn("+", raw)
        self.assertError(self.call(raw.replace("+", " ")), 401, INVALID)

    def test_signature_placement(self):
        xml = T.decode_saml(self.login("alice"))
        sigs = [m.span() for m in re.finditer(r"<ds:Signature .*?</ds:Signature>", xml, re.S)]
        self.assertEqual(len(sigs), 2)
        (rs, re_), (as_, ae) = sigs
        # Alibaba needs the Assertion signed; the Response signature is optional
        no_resp_sig = xml[:rs] + xml[re_:]
        self.assertEqual(self.call(T.encode_saml(no_resp_sig))[0], 200)
        no_assertion_sig = xml[:as_] + xml[ae:]
        self.assertError(self.call(T.encode_saml(no_assertion_sig)), 401, INVALID)
        # a second (unsigned) Assertion next to the signed one
        a0 = xml.index("<saml:Assertion ")
        a1 = xml.index("</saml:Assertion>") + len("</saml:Assertion>")
        evil = xml[a0:a1][:xml[a0:a1].index("<ds:Signature ")] + xml[a0:a1][xml[a0:a1].index("</ds:Signature>") + 15:]
        evil = evil.replace('ID="_', 'ID="_evil')
        self.assertError(self.call(T.encode_saml(xml[:a1] + evil + xml[a1:])), 401, INVALID)

    def test_xml_format(self):
        st, body = self.call(self.login("alice"), fmt="XML")
        self.assertEqual(st, 200)
        root = ET.fromstring(body)
        self.assertTrue(root.find("Credentials/AccessKeyId").text.startswith("STS."))
        st, body = self.call("abc", fmt="XML")
        self.assertEqual(st, 401)
        self.assertEqual(ET.fromstring(body).find("Code").text, INVALID)

    def test_clock(self):
        saml = self.login("alice")
        try:
            self.sts.set_clock(offset=301)   # SSP: NotOnOrAfter = now + 5 min
            self.assertError(self.call(saml), 401, EXPIRED)
            self.sts.set_clock(offset=-120)  # SSP: NotBefore = now - 30 s
            self.assertError(self.call(saml), 401, INVALID)
            self.sts.set_clock(offset=-120, skew=180)
            self.assertEqual(self.call(saml)[0], 200)
        finally:
            self.sts.set_clock(offset=0, skew=0)
        self.assertEqual(self.call(saml)[0], 200)

    def test_fault_injection(self):
        saml = self.login("alice")
        try:
            self.sts.inject_fault("InternalError", 500, count=2)
            self.assertError(self.call(saml), 500, "InternalError")
            self.assertError(self.call(saml), 500, "InternalError")
            self.assertEqual(self.call(saml)[0], 200)
            self.sts.inject_fault("Throttling.User", 400, role_arn=READONLY)
            self.assertEqual(self.call(saml)[0], 200)        # other role: untouched
            self.assertError(self.call(saml, role=READONLY), 400, "Throttling.User")
            self.sts.inject_fault("ServiceUnavailable", 503, body="<html>gateway</html>",
                                  content_type="text/html")
            st, body = self.call(saml)
            self.assertEqual((st, body), (503, "<html>gateway</html>"))
            t0 = time.time()
            self.sts.inject_fault(delay=0.5, passthrough=True)
            self.assertEqual(self.call(saml)[0], 200)
            self.assertGreaterEqual(time.time() - t0, 0.5)
            # through RAM.json ("fail" entries are loaded when the file changes)
            ram = json.loads(json.dumps(self.tb.ram))
            ram["fail"] = [{"code": "InternalError", "status": 500, "count": 1}]
            self.sts.update_ram(ram)
            self.assertError(self.call(saml), 500, "InternalError")
            self.assertEqual(self.call(saml)[0], 200)
            self.assertTrue(self.sts.calls()[-2]["fault"])
        finally:
            self.sts.clear_faults()
            self.sts.update_ram(self.tb.ram)

    def test_log_one_line_per_call_without_secrets(self):
        before = len(self.tb.sts_calls())
        saml = self.login("alice")
        results = [self.call(saml), self.call(saml, role=READONLY, duration=900),
                   self.call(saml, duration=100), self.call("abc")]
        calls = self.tb.sts_calls()[before:]
        self.assertEqual(len(calls), 4)
        self.assertEqual([c["status"] for c in calls], [200, 200, 400, 401])
        self.assertEqual([c["code"] for c in calls],
                         [None, None, "InvalidParameter.DurationSeconds", INVALID])
        self.assertEqual(calls[0]["access_key_id"], results[0][1]["Credentials"]["AccessKeyId"])
        issued = self.sts.issued()[-2:]
        self.assertEqual([dict((k, i[k]) for k in ("AccessKeyId", "AccessKeySecret",
                                                   "SecurityToken", "Expiration"))
                          for i in issued], [b["Credentials"] for _, b in results[:2]])
        self.assertEqual([i["RoleArn"] for i in issued], [ADMIN, READONLY])
        self.assertEqual(calls[1]["duration"], "900")
        self.assertEqual(calls[0]["role_arn"], ADMIN)
        self.assertEqual(calls[0]["provider_arn"], PROVIDER)
        self.assertEqual(calls[0]["action"], "AssumeRoleWithSAML")
        for key in ("time", "action", "role_arn", "provider_arn", "duration", "status",
                    "code", "access_key_id"):
            self.assertIn(key, calls[0])
        with open(self.tb.sts_log) as f:
            log = f.read()
        for st, body in results[:2]:
            self.assertNotIn(body["Credentials"]["AccessKeySecret"], log)
            self.assertNotIn(body["Credentials"]["SecurityToken"][:40], log)
        self.assertNotIn(saml[:60], log)
        self.assertNotIn(saml[-60:], log)
        with open(self.sts.stderr_path) as f:
            self.assertNotIn(saml[:60], f.read())


class TestKeyring(unittest.TestCase):

    STORE = ["sh", "-c", "printf %s s3cr3t-value | secret-tool store --label='saml2sts test' "
             "service saml2sts account alice"]
    LOOKUP = ["secret-tool", "lookup", "service", "saml2sts", "account", "alice"]

    def test_store_and_lookup(self):
        with T.PrivateKeyring() as k:
            env = k.child_env()
            self.assertNotIn("DISPLAY", env)
            self.assertTrue(env["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:path=" + k.dir))
            self.assertEqual(k.env, {"DBUS_SESSION_BUS_ADDRESS": k.address})
            self.assertFalse(k.is_locked())
            r = k.run(self.STORE)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = k.run(self.LOOKUP)
            self.assertEqual((r.returncode, r.stdout), (0, b"s3cr3t-value"), r.stderr)
            self.assertTrue(os.path.exists(os.path.join(k.data_dir, "keyrings", "login.keyring")))
            k.lock()
            r = k.run(self.LOOKUP)
            self.assertEqual((r.returncode, r.stdout), (1, b""))
            k.unlock()
            r = k.run(self.LOOKUP)
            self.assertEqual(r.stdout, b"s3cr3t-value")
            d = k.dir
        self.assertFalse(os.path.exists(d))

    def test_locked_keyring(self):
        with T.PrivateKeyring(locked=True) as k:
            self.assertTrue(k.is_locked())
            t0 = time.time()
            r = k.run(self.STORE)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"locked", r.stderr)
            r = k.run(self.LOOKUP)
            self.assertEqual((r.returncode, r.stdout), (1, b""))
            self.assertLess(time.time() - t0, 10)


class TestTLS(unittest.TestCase):
    """One HTTPS testbed (tls=True, no keyring): TLS fronts before php -S and
    the STS emulator, certificates from a throw-away CA."""

    tb = None

    @classmethod
    def setUpClass(cls):
        cls.tb = T.Testbed(tls=True, keyring=False).start()

    @classmethod
    def tearDownClass(cls):
        if cls.tb is not None:
            cls.tb.stop()
            cls.tb = None

    def curl(self, *args):
        return self.tb.run(["curl", "-sS", "--max-time", "20", "--noproxy", "*"] + list(args))

    def test_files_and_env(self):
        tls = self.tb.tls
        self.assertEqual(os.stat(tls.dir).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(tls.key_path).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(tls.ca_key_path).st_mode & 0o777, 0o600)
        r = subprocess.run(["openssl", "x509", "-in", tls.cert_path, "-noout", "-ext",
                            "subjectAltName"], capture_output=True, text=True)
        self.assertIn("IP Address:127.0.0.1", r.stdout)
        self.assertIn("DNS:localhost", r.stdout)
        r = subprocess.run(["openssl", "verify", "-CAfile", tls.ca_path, tls.cert_path],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        h = subprocess.run(["openssl", "x509", "-in", tls.ca_path, "-noout", "-hash"],
                           capture_output=True, text=True).stdout.strip()
        with open(tls.ca_path, "rb") as f:
            ca = f.read()
        with open(os.path.join(tls.trust_dir, h + ".0"), "rb") as f:
            self.assertEqual(f.read(), ca)
        system = [n for n in os.listdir("/etc/ssl/certs") if n.endswith(".pem")]
        self.assertTrue(set(system) <= set(os.listdir(tls.trust_dir)))
        with open(tls.trust_bundle, "rb") as f:
            bundle = f.read()
        with open("/etc/ssl/certs/ca-certificates.crt", "rb") as f:
            self.assertTrue(bundle.startswith(f.read()))
        self.assertTrue(bundle.endswith(ca))
        e = self.tb.env
        self.assertEqual((e["S2S_TLS_CA"], e["S2S_TLS_TRUST_DIR"], e["S2S_TLS_TRUST_BUNDLE"]),
                         (tls.ca_path, tls.trust_dir, tls.trust_bundle))
        for k in ("SAML2STS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
            self.assertNotIn(k, e)
        for k in ("S2S_IDP_URL", "S2S_IDP_URL_INTL", "S2S_IDP_ENTITY_ID",
                  "S2S_IDP_METADATA_URL", "S2S_STS_URL"):
            self.assertTrue(e[k].startswith("https://127.0.0.1:"), (k, e[k]))
        self.assertIn("SSL_CERT_FILE", T.ENV_DROP)
        self.assertIn("SSL_CERT_DIR", T.ENV_DROP)

    def test_idp_login_over_https(self):
        idp = self.tb.idp
        base = "https://127.0.0.1:%d" % idp.front.port
        self.assertEqual((idp.base_url, idp.port), (base, idp.front.port))
        self.assertNotEqual(idp.backend_port, idp.port)
        self.assertTrue(idp.url_cn.startswith(base + "/simplesaml/"), idp.url_cn)
        self.assertTrue(idp.url_intl.startswith(base + "/simplesaml/"), idp.url_intl)
        self.assertEqual(idp.entity_id, base + "/simplesaml/saml2/idp/metadata.php")
        self.assertEqual(idp.metadata_url, idp.entity_id)
        md = ET.fromstring(idp.metadata_xml)
        self.assertEqual(md.get("entityID"), idp.entity_id)
        locs = [e.get("Location") for e in md.iter() if e.get("Location")]
        self.assertTrue(locs)
        for loc in locs:
            self.assertTrue(loc.startswith(base + "/"), loc)
        saml = self.tb.login("alice")
        xml = T.decode_saml(saml)
        root = ET.fromstring(xml)
        self.assertEqual(root.find(q("saml", "Issuer")).text, idp.entity_id)
        self.assertEqual(T.saml_roles(xml), [(ADMIN, PROVIDER), (READONLY, PROVIDER)])
        # the redirects and the form action stayed on https
        res = T.IdPSession().login(idp.url_cn, "bob", "bob-pass")
        self.assertTrue(res.page_url.startswith(base + "/"), res.page_url)
        self.assertTrue(res.saml_response)
        with self.assertRaises(T.IdPAuthError):
            T.idp_login(idp.url_cn, "bob", "wrong")

    def test_sts_over_https(self):
        sts = self.tb.sts
        self.assertEqual(sts.url, "https://127.0.0.1:%d" % sts.front.port)
        self.assertEqual(sts.port, sts.front.port)
        saml = self.tb.login("alice")
        n = len(self.tb.sts_calls())
        st, body = T.assume_role_with_saml(sts.url, saml, ADMIN, PROVIDER)
        self.assertEqual(st, 200, body)
        self.assertTrue(body["Credentials"]["AccessKeyId"].startswith("STS."))
        st, body = T.assume_role_with_saml(sts.url, saml, READONLY, PROVIDER,
                                           context=self.tb.tls.client_context())
        self.assertEqual(st, 200, body)
        calls = self.tb.sts_calls()
        self.assertEqual(len(calls), n + 2)
        self.assertEqual(sts.faults(), [])   # the control API goes through the front too
        # a client that does not trust the test CA is refused
        with self.assertRaises(urllib.error.URLError) as cm:
            T.assume_role_with_saml(sts.url, saml, ADMIN, PROVIDER,
                                    context=ssl.create_default_context())
        self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)
        self.assertEqual(len(self.tb.sts_calls()), n + 2)

    def test_curl_trust(self):
        tls, front = self.tb.tls, self.tb.idp.front
        url = self.tb.idp.metadata_url
        r = self.curl("-o", "/dev/null", "--cacert", tls.ca_path, url)
        self.assertEqual(r.returncode, 0, r.stderr)
        failures = front.handshake_failures
        r = self.curl("-o", "/dev/null", "--cacert", "/etc/ssl/certs/ca-certificates.crt", url)
        self.assertEqual(r.returncode, 60, r.stderr)
        deadline = time.monotonic() + 5   # the front counts in its connection's thread
        while front.handshake_failures == failures and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(front.handshake_failures, failures + 1, front.last_handshake_error)
        r = self.curl("-o", "/dev/null", "--capath", tls.trust_dir, url)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.curl("-o", "/dev/null", "--cacert", tls.trust_bundle, url)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.curl("-o", "/dev/null", "--cacert", tls.trust_bundle,
                      self.tb.sts.url + "/_emulator/faults")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_keep_alive_one_connection(self):
        # The STS emulator speaks HTTP/1.1 with keep-alive: two requests of one
        # curl run share one TLS connection. (php -S answers "Connection:
        # close", so through the IdP's front every request is a connection.)
        front = self.tb.sts.front
        url = self.tb.sts.url + "/_emulator/faults"
        before = front.connections
        r = self.curl("-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} ",
                      "--cacert", self.tb.tls.ca_path, url, url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), [b"200", b"200"])
        self.assertEqual(front.connections, before + 1)

    def test_stuck_client_does_not_block(self):
        front = self.tb.idp.front
        with socket.create_connection(("127.0.0.1", front.port)) as stuck:
            stuck.sendall(b"\x16\x03\x01")   # the start of a ClientHello, then nothing
            t0 = time.monotonic()
            r = self.curl("-o", "/dev/null", "--cacert", self.tb.tls.ca_path,
                          self.tb.idp.metadata_url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertLess(time.monotonic() - t0, 5)

    def test_missing_system_bundle(self):
        saved = T.SYSTEM_CA_BUNDLE
        T.SYSTEM_CA_BUNDLE = "/nonexistent/ca-certificates.crt"
        try:
            with tempfile.TemporaryDirectory() as d:
                with self.assertRaisesRegex(T.TestbedError, "install ca-certificates"):
                    T.TLSMaterial(d).create()
                self.assertFalse(os.path.exists(os.path.join(d, "tls", "ca.key")))
        finally:
            T.SYSTEM_CA_BUNDLE = saved

    def test_stop_leaves_no_listener(self):
        tb = T.Testbed(tls=True, keyring=False).start()
        try:
            ports = [tb.idp.port, tb.idp.backend_port, tb.sts.port, tb.sts.backend_port]
            for p in ports:
                self.assertTrue(T.port_open(p), p)
            # an idle keep-alive connection through the STS front
            idle = tb.tls.client_context().wrap_socket(
                socket.create_connection(("127.0.0.1", tb.sts.port), timeout=10),
                server_hostname="127.0.0.1")
            d = tb.dir
            fronts = [tb.idp.front, tb.sts.front]
        finally:
            tb.stop()
        try:
            self.assertEqual(idle.recv(10), b"")    # closed by stop()
        except OSError:
            pass
        finally:
            idle.close()
        for p in ports:
            with self.assertRaises(ConnectionRefusedError, msg=p):
                socket.create_connection(("127.0.0.1", p), timeout=2).close()
        self.assertFalse(os.path.exists(d))
        for f in fronts:   # accept and connection threads are gone
            self.assertIsNone(f._thread)
            self.assertFalse([t for t in f._threads if t.is_alive()])

    def test_cli_run_tls(self):
        script = r"""
import os, sys
sys.path.insert(0, %r)
import testbed as T
e = os.environ
assert e["S2S_IDP_URL"].startswith("https://") and e["S2S_STS_URL"].startswith("https://"), e
for k in ("S2S_TLS_CA", "S2S_TLS_TRUST_DIR", "S2S_TLS_TRUST_BUNDLE"):
    assert os.path.exists(e[k]), k
for k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "SAML2STS_CA_BUNDLE"):
    assert k not in e, k
saml = T.idp_login(e["S2S_IDP_URL"], "alice", "alice-pass")   # trusts $S2S_TLS_CA
st, body = T.assume_role_with_saml(e["S2S_STS_URL"], saml, T.role_arn(T.ACCT, "admin"),
                                   T.provider_arn(T.ACCT))
assert st == 200, body
print(e["S2S_TESTBED_DIR"], e["S2S_IDP_URL"], e["S2S_STS_URL"])
""" % os.path.dirname(TESTBED_PY)
        env = dict(os.environ, SSL_CERT_FILE="/nonexistent", SSL_CERT_DIR="/nonexistent")
        r = subprocess.run([T.PYTHON, "-B", TESTBED_PY, "run", "--tls", "--no-keyring", "--",
                            T.PYTHON, "-B", "-c", script], capture_output=True, env=env,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        d, idp, sts = r.stdout.decode().split()
        self.assertFalse(os.path.exists(d))
        for url in (idp, sts):
            self.assertFalse(T.port_open(urllib.parse.urlsplit(url).port), url)

    def test_cli_up_tls_exports(self):
        p = subprocess.Popen([T.PYTHON, "-B", TESTBED_PY, "up", "--tls", "--no-keyring"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        exports = {}
        try:
            deadline = time.monotonic() + 60
            while "S2S_TLS_TRUST_DIR" not in exports and time.monotonic() < deadline:
                line = p.stdout.readline().decode()
                if not line:
                    break
                m = re.match(r"export (\w+)='(.*)'$", line.strip())
                if m:
                    exports[m.group(1)] = m.group(2)
        finally:
            p.terminate()
            p.wait(30)
            p.stdout.close()
        for k in ("S2S_TLS_CA", "S2S_TLS_TRUST_DIR", "S2S_TLS_TRUST_BUNDLE"):
            self.assertIn(k, exports)
        self.assertTrue(exports["S2S_STS_URL"].startswith("https://127.0.0.1:"))
        self.assertTrue(exports["S2S_IDP_URL"].startswith("https://127.0.0.1:"))
        self.assertFalse(os.path.exists(exports["S2S_TESTBED_DIR"]))


class TestCLIAndCleanup(unittest.TestCase):

    def test_cli_run(self):
        script = r"""
import json, os, subprocess, sys
sys.path.insert(0, %r)
import testbed as T
e = os.environ
need = ["S2S_IDP_URL", "S2S_IDP_URL_INTL", "S2S_IDP_CERT", "S2S_IDP_ENTITY_ID", "S2S_STS_URL",
        "S2S_STS_LOG", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"]
missing = [k for k in need if not e.get(k)]
assert not missing, missing
for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
    assert e[k].startswith(e["HOME"] + "/"), k
assert "SAML2STS_PASSWORD" not in e and "DISPLAY" not in e
saml = T.idp_login(e["S2S_IDP_URL"], "alice", "alice-pass")
st, body = T.assume_role_with_saml(e["S2S_STS_URL"], saml, T.role_arn(T.ACCT, "admin"),
                                   T.provider_arn(T.ACCT))
assert st == 200, body
assert len(open(e["S2S_STS_LOG"]).readlines()) == 1
r = subprocess.run("printf v | secret-tool store --label=l k v && secret-tool lookup k v",
                   shell=True, capture_output=True)
assert r.stdout == b"v", r
subprocess.Popen(["sleep", "60"])     # a straggler the testbed must kill
print(json.dumps({"dir": e["S2S_TESTBED_DIR"], "sts": e["S2S_STS_URL"], "idp": e["S2S_IDP_URL"]}))
sys.exit(3)
""" % os.path.dirname(TESTBED_PY)
        env = dict(os.environ, SAML2STS_PASSWORD="leak", DISPLAY=":99")
        r = subprocess.run([T.PYTHON, "-B", TESTBED_PY, "run", "--", T.PYTHON, "-B", "-c", script],
                           capture_output=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 3, r.stderr.decode())
        info = json.loads(r.stdout.decode().strip().splitlines()[-1])
        self.assertFalse(os.path.exists(info["dir"]))
        for url in (info["sts"], info["idp"]):
            self.assertFalse(T.port_open(urllib.parse.urlsplit(url).port), url)
        self.assertFalse(_procs_mentioning(info["dir"]))

        r = subprocess.run([T.PYTHON, "-B", TESTBED_PY, "run", "--no-keyring", "--",
                            "secret-tool", "lookup", "a", "b"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"connect", r.stderr)

    def test_stop_cleans_up(self):
        tb = T.Testbed().start()
        try:
            dirs = [tb.dir, tb.idp.state_dir, tb.sts.state_dir, tb.keyring.dir]
            ports = [tb.idp.port, tb.sts.port]
            for p in ports:
                self.assertTrue(T.port_open(p))
            idp_group = tb.idp.proc.pid
            self.assertGreaterEqual(len(_group_members(idp_group)), 2)  # php + workers
        finally:
            tb.stop()
        for d in dirs:
            self.assertFalse(os.path.exists(d), d)
        for p in ports:
            self.assertFalse(T.port_open(p), p)
        self.assertEqual(_group_members(idp_group), [])
        self.assertFalse(_procs_mentioning(dirs[0]))


def _group_members(pgid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _procs_mentioning(text):
    """Live processes whose command line or environment mentions text."""
    needle = text.encode()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read()
            with open("/proc/%s/environ" % d, "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in cmd or needle in env:
            out.append((int(d), cmd))
    return out


def tearDownModule():
    if _Shared.tb is not None:
        _Shared.tb.stop()
        _Shared.tb = None


if __name__ == "__main__":
    unittest.main()
