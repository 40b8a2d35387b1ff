#!/usr/bin/python3
"""The man page and --help tell the same story (git t0450, curl test1139).

For the global options and for every command: each long option in
`saml2sts [COMMAND] --help` is documented in the matching part of
docs/saml2sts.1 and the reverse.  Also: every command of `--help` has a
man-page section, every SAML2STS_* variable the sources read is in
ENVIRONMENT, every exit status is in EXIT STATUS, and the shell
completions know every command and option.
"""

import os
import re
import subprocess
import unittest

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAN = os.path.join(ROOT, "docs", "saml2sts.1")

LONG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]+)")
FL = re.compile(r"\bFl -([a-z][a-z0-9-]+)")


def run(*args):
    r = subprocess.run([BIN] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30,
                       env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    return r.returncode, r.stdout.decode()


def man_text():
    with open(MAN) as f:
        return f.read()


def man_sections(text):
    """{('Sh', name) or ('Ss', name): body}"""
    out, key, body = {}, None, []
    for line in text.splitlines():
        m = re.match(r"^\.(Sh|Ss) (.+)$", line)
        if m:
            if key:
                out[key] = "\n".join(body)
            key, body = (m.group(1), m.group(2).strip()), []
        else:
            body.append(line)
    if key:
        out[key] = "\n".join(body)
    return out


def commands():
    code, out = run("--help")
    part = out.split("commands:", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in part.splitlines() if l.strip()]


class DocsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = man_text()
        cls.sec = man_sections(cls.text)

    def test_global_options(self):
        code, out = run("--help")
        self.assertEqual(code, 0)
        part = out.split("global options:", 1)[1].split("\n\n", 1)[0]
        helped = set(LONG.findall(part))
        manned = set(FL.findall(self.sec[("Sh", "GLOBAL OPTIONS")]))
        self.assertTrue(helped)
        self.assertEqual(helped - manned, set(), "in --help, not in the man page")
        self.assertEqual(manned - helped, set(), "in the man page, not in --help")

    def test_every_command_has_a_section(self):
        cmds = commands()
        self.assertGreaterEqual(len(cmds), 10)
        for c in cmds:
            self.assertIn(("Ss", c), self.sec, "no man-page section for " + c)

    def test_command_options_match(self):
        code, out = run("--help")
        glob = set(LONG.findall(out.split("global options:", 1)[1]))
        for c in commands():
            with self.subTest(command=c):
                code, out = run(c, "--help")
                self.assertEqual(code, 0, c)
                helped = set(LONG.findall(out)) - glob
                manned = set(FL.findall(self.sec[("Ss", c)])) - glob
                self.assertEqual(helped - manned, set(),
                                 "%s: in --help, not in the man page" % c)
                self.assertEqual(manned - helped, set(),
                                 "%s: in the man page, not in --help" % c)

    def test_environment_variables(self):
        used = set()
        for d in ("cmd", "lib", "idp-adapters"):
            for base, _, files in os.walk(os.path.join(ROOT, d)):
                for f in files:
                    if f.endswith((".c", ".h")):
                        with open(os.path.join(base, f), errors="replace") as fh:
                            used |= set(re.findall(r'"(SAML2STS_[A-Z0-9_]+)"',
                                                   fh.read()))
        env = self.sec[("Sh", "ENVIRONMENT")]
        self.assertTrue(used)
        missing = sorted(v for v in used if v not in env)
        self.assertEqual(missing, [], "read by the code, not in ENVIRONMENT")
        for v in ("NO_COLOR", "XDG_STATE_HOME"):
            self.assertIn(v, env)

    def test_exit_statuses(self):
        body = self.sec[("Sh", "EXIT STATUS")]
        for n in list(range(0, 11)) + [130]:
            self.assertRegex(body, r"(?m)^\.It %d\b" % n, "exit %d" % n)

    def test_files(self):
        body = self.sec[("Sh", "FILES")]
        for p in ("saml2sts/config", "saml2sts/recent"):
            self.assertIn(p, body)

    def test_completions_know_commands_and_options(self):
        comp = {}
        for name in ("saml2sts.bash", "_saml2sts", "saml2sts.fish"):
            with open(os.path.join(ROOT, "completions", name)) as f:
                comp[name] = f.read()
        for c in commands():
            _, out = run(c, "--help")
            for name, text in comp.items():
                self.assertIn(c, text, "%s lacks %s" % (name, c))
                for o in set(LONG.findall(out)):
                    # fish writes options without the dashes (-l name)
                    want = o if name.endswith(".fish") else "--" + o
                    self.assertIn(want, text, "%s lacks %s --%s" % (name, c, o))


if __name__ == "__main__":
    unittest.main()
