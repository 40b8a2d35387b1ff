#!/usr/bin/python3
"""Every registry entry is documented and tested (git t0450, curl test1139).

For every adapter `saml2sts adapters --output json` lists: a README.md in
idp-adapters/<dir>/, an entry in docs/adapters.md, a mention in the man
page, and a test file (tests/adapters/test_<name>.py, '-' written '_';
the browser's is tests/integration/test_browser.py).  Every key of an
adapter's config_keys is documented as <ns>.<key> in docs/adapters.md or
the man page.
"""

import json
import os
import re
import subprocess
import unittest

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
ROOT = os.path.abspath(os.environ.get(
    "S2S_SOURCE_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..")))

# Adapters whose directory or test lives elsewhere than the rule says.
TEST_FILE = {"browser": "tests/integration/test_browser.py"}


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def adapters():
    r = subprocess.run([BIN, "adapters", "--output", "json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30,
                       env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    if r.returncode != 0:
        raise AssertionError("adapters --output json: exit %d: %s"
                             % (r.returncode, r.stderr.decode()))
    return json.loads(r.stdout.decode())["adapters"]


def man_plain(text):
    """The man page without mdoc escapes, so okta.push_timeout matches."""
    return text.replace("\\&", "").replace("\\-", "-")


class AdapterRegistryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.adapters = adapters()
        cls.doc = read("docs/adapters.md")
        cls.man = man_plain(read("docs/saml2sts.1"))

    def test_registry_is_not_empty(self):
        self.assertGreater(len(self.adapters), 0)

    def test_readme(self):
        for a in self.adapters:
            name = a["name"]
            dirs = [name, name.replace("_", "-")]
            self.assertTrue(
                any(os.path.isfile(os.path.join(ROOT, "idp-adapters", d,
                                                "README.md"))
                    for d in dirs),
                "idp-adapters/%s/README.md is missing" % name)

    def test_docs_entry(self):
        for a in self.adapters:
            self.assertRegex(self.doc, r"(?m)^#+ .*\b%s\b"
                             % re.escape(a["name"]),
                             "docs/adapters.md has no section for %s"
                             % a["name"])

    def test_man_page(self):
        for a in self.adapters:
            self.assertRegex(self.man, r"(?<![\w-])%s(?![\w-])"
                             % re.escape(a["name"]),
                             "docs/saml2sts.1 never names %s" % a["name"])

    def test_test_file(self):
        for a in self.adapters:
            name = a["name"]
            rel = TEST_FILE.get(
                name, "tests/adapters/test_%s.py" % name.replace("-", "_"))
            self.assertTrue(os.path.isfile(os.path.join(ROOT, rel)),
                            "%s is missing (adapter %s)" % (rel, name))

    def test_factors_tested(self):
        """Every MFA factor `adapters` lists for a headless adapter is
        exercised by its test file (the browser's are the person's)."""
        for a in self.adapters:
            if "browser" in a["mfa"]:
                continue
            stem = "test_%s" % a["name"].replace("-", "_")
            text = "".join(read("tests/adapters/" + f) for f in sorted(
                os.listdir(os.path.join(ROOT, "tests", "adapters")))
                if f == stem + ".py" or f.startswith(stem + "_")).lower()
            words = {"totp": ("totp", "otp", "passcode"),
                     "kerberos": ("kerberos", "negotiate")}
            for factor in a["mfa"]:
                self.assertTrue(any(w in text
                                    for w in words.get(factor, (factor,))),
                                "adapter %s lists MFA %s but its test file "
                                "never mentions it" % (a["name"], factor))

    def test_readme_counts_the_registry(self):
        """The README's comparison row names every adapter and their number
        (issue 12: the provider count from the registry's real contents)."""
        readme = read("README.md")
        m = re.search(r"(?m)^\| IdP providers \| (\d+) adapters \(([^)]*)\)",
                      readme)
        self.assertIsNotNone(m, "README.md: no '| IdP providers | N adapters "
                             "(...)' row")
        self.assertEqual(int(m.group(1)), len(self.adapters),
                         "README.md counts %s adapters, the registry has %d"
                         % (m.group(1), len(self.adapters)))
        listed = m.group(2).lower()
        for a in self.adapters:
            self.assertRegex(listed, r"(?<![\w-])%s(?![\w-])"
                             % re.escape(a["name"]),
                             "README.md's IdP providers row misses %s"
                             % a["name"])

    def test_config_keys_documented(self):
        for a in self.adapters:
            self.assertIn("config_keys", a, "adapters JSON: no config_keys")
            ns = a.get("config_ns") or a["name"]
            for key in a["config_keys"]:
                full = "%s.%s" % (ns, key)
                self.assertTrue(full in self.doc or full in self.man,
                                "%s (adapter %s) is documented neither in "
                                "docs/adapters.md nor in the man page"
                                % (full, a["name"]))


if __name__ == "__main__":
    unittest.main()
