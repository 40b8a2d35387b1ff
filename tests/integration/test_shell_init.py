#!/usr/bin/python3
"""One-word switching in the shell (issue 15, point 3): `saml2sts
shell-init bash|zsh|fish`, the s2s function and the s2s_prompt segment,
`export --unset`, exec's nesting marker and its banner.

A loopback mock IdP grants two roles and a mock STS answers with
credentials valid for an hour; two profiles are logged in once (file
store).  Each shell is driven non-interactively (`bash -c 'eval
"$(saml2sts shell-init bash)"; s2s use P; env'`) and interactively in a
private tmux server (80x24), where the prompt segment is read off the
screen.  Set SAML2STS_SHELL_EVIDENCE=FILE to append the screens to FILE.
"""

import base64
import html
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BIN = os.path.abspath(os.environ.get("SAML2STS_BIN", "build/saml2sts"))
EVIDENCE = os.environ.get("SAML2STS_SHELL_EVIDENCE")

PROD = "acs:ram::1111111111111111:role/admin"
DEV = "acs:ram::2222222222222222:role/readonly"
LIFETIME = 3600

# exec's variables (DESIGN.md 6), and the marker only exec sets
SET_BY_EXEC = ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
               "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID",
               "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY",
               "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_REGION", "OSS_ACCESS_KEY_ID",
               "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN", "SAML2STS_PROFILE",
               "SAML2STS_EXPIRATION"]
MARKER = "SAML2STS_EXEC"
# inherited variables that would outrank ours: exec clears them, so do
# export and export --unset
OUTRANKING = {"ALIBABACLOUD_ACCESS_KEY_ID": "old", "ALIBABACLOUD_PROFILE": "x",
              "ACCESS_KEY_ID": "old", "SECURITY_TOKEN": "old",
              "ALIBABA_CLOUD_CREDENTIALS_URI": "http://127.0.0.1:9/",
              "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "/x", "ALICLOUD_PROFILE": "p"}


def saml_b64():
    vals = "".join(
        "<saml:AttributeValue>%s,%s</saml:AttributeValue>" %
        (a, a.split(":role/")[0] + ":saml-provider/corp") for a in (PROD, DEV))
    xml = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"
 IssueInstant="2026-01-01T00:00:00Z" Destination="https://signin.aliyun.com/saml-role/sso">
 <saml:Issuer>https://idp.example.test/</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
  <saml:Issuer>https://idp.example.test/</saml:Issuer>
  <saml:Subject><saml:NameID>frank</saml:NameID></saml:Subject>
  <saml:AttributeStatement>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/Role">%s</saml:Attribute>
   <saml:Attribute Name="https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName">
    <saml:AttributeValue>frank</saml:AttributeValue></saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>""" % vals
    return base64.b64encode(xml.encode()).decode()


class Mock(http.server.BaseHTTPRequestHandler):
    issued = {}  # RoleArn -> the last credentials

    def log_message(self, *a):
        pass

    def send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send(("<html><body><form method=post action="
                   "'https://signin.aliyun.com/saml-role/sso'><input type=hidden "
                   "name=SAMLResponse value='%s'></form></body></html>"
                   % html.escape(saml_b64())).encode(), "text/html")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        arn = form.get("RoleArn", [""])[0]
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                            time.gmtime(time.time() + LIFETIME))
        tag = arn.rsplit("/", 1)[-1]
        creds = {"AccessKeyId": "STS.%s" % tag, "AccessKeySecret": "sec-%s" % tag,
                 "SecurityToken": "CAIS" + tag * 8, "Expiration": exp}
        Mock.issued[arn] = creds
        self.send(json.dumps({
            "RequestId": "r-1",
            "AssumedRoleUser": {"Arn": arn.replace(":role/", ":assumed-role/") + "/frank",
                                "AssumedRoleId": "1:frank"},
            "Credentials": creds}).encode(), "application/json")


def parse_env(text):
    """`env -0` output to a dict."""
    out = {}
    for item in text.split("\0"):
        if "=" in item:
            k, v = item.split("=", 1)
            out[k] = v
    return out


class ShellBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mock)
        port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.dir = tempfile.TemporaryDirectory()
        cls.home = cls.dir.name
        cls.cfg = os.path.join(cls.home, "config")
        with open(cls.cfg, "w") as f:
            f.write("[default]\nprovider = form\nurl = http://127.0.0.1:%d/sso\n"
                    "username = frank\nsts_endpoint = http://127.0.0.1:%d/sts\n"
                    % (port, port))
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": cls.home, "TERM": "xterm",
                   "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
                   "XDG_CONFIG_HOME": os.path.join(cls.home, "xdg-config"),
                   "XDG_DATA_HOME": os.path.join(cls.home, "data"),
                   "XDG_STATE_HOME": os.path.join(cls.home, "state"),
                   "XDG_RUNTIME_DIR": cls.home, "SAML2STS_CONFIG": cls.cfg,
                   "SAML2STS_PASSWORD": "pw", "SAML2STS_KEYRING_BACKEND": "file",
                   "SAML2STS_FILE_PASSPHRASE": "test-passphrase"}
        for profile, arn in (("prod-admin", PROD), ("dev-ro", DEV)):
            r = cls.s2s(["login", "--profile", profile, "--role", arn,
                         "--skip-prompt"])
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.dir.cleanup()

    @classmethod
    def s2s(cls, args, env=None, **kw):
        return subprocess.run([BIN] + args, env=dict(cls.env, **(env or {})),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, **kw)

    def shell(self, shell, script, env=None):
        """Run script in shell after loading shell-init; returns the
        CompletedProcess (text)."""
        init = "%s shell-init %s" % (shlex.quote(BIN), shell)
        if shell == "fish":
            argv = ["fish", "--no-config", "-c", "%s | source\n%s" % (init, script)]
        elif shell == "zsh":
            argv = ["zsh", "-f", "-c", 'eval "$(%s)"\n%s' % (init, script)]
        else:
            argv = ["bash", "--norc", "--noprofile", "-c",
                    'eval "$(%s)"\n%s' % (init, script)]
        return subprocess.run(argv, env=dict(self.env, **(env or {})),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, text=True)


@unittest.skipUnless(shutil.which("zsh") and shutil.which("fish"),
                     "zsh and fish are needed (scripts/deps.sh)")
class ShellInitTest(ShellBase):
    SHELLS = ("bash", "zsh", "fish")

    def test_use_exports_and_unset_removes_everything(self):
        creds = Mock.issued[PROD]
        marker = "echo ---; env -0; echo; echo ---"
        for sh in self.SHELLS:
            with self.subTest(shell=sh):
                r = self.shell(sh, "s2s use prod-admin\n%s\ns2s --unset\n%s\n"
                               "s2s dev-ro\n%s" % (marker, marker, marker),
                               env=OUTRANKING)
                self.assertEqual(r.returncode, 0, r.stderr)
                parts = r.stdout.split("---\n")
                used, unset, dev = (parse_env(parts[i]) for i in (1, 3, 5))
                # s2s use: exec's variables, the outranking ones gone
                self.assertEqual(used["ALIBABA_CLOUD_ACCESS_KEY_ID"], creds["AccessKeyId"])
                self.assertEqual(used["OSS_ACCESS_KEY_SECRET"], creds["AccessKeySecret"])
                self.assertEqual(used["ALICLOUD_SECURITY_TOKEN"], creds["SecurityToken"])
                self.assertEqual(used["SAML2STS_PROFILE"], "prod-admin")
                self.assertEqual(used["SAML2STS_EXPIRATION"], creds["Expiration"])
                for k in SET_BY_EXEC:
                    self.assertIn(k, used)
                self.assertNotIn(MARKER, used)  # only exec sets it
                for k in OUTRANKING:
                    self.assertNotIn(k, used)
                # s2s --unset: none of exec's variables is left
                for k in SET_BY_EXEC + [MARKER] + list(OUTRANKING):
                    self.assertNotIn(k, unset)
                self.assertEqual(unset["HOME"], self.home)  # the rest stays
                # the bare form switches
                self.assertEqual(dev["SAML2STS_PROFILE"], "dev-ro")
                self.assertEqual(dev["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                                 Mock.issued[DEV]["AccessKeyId"])
                # one confirmation line per switch, on stderr
                self.assertRegex(r.stderr, r"(?m)^prod-admin: (59|60) min left$")
                self.assertRegex(r.stderr, r"(?m)^dev-ro: (59|60) min left$")

    def test_failed_use_changes_nothing(self):
        for sh in self.SHELLS:
            with self.subTest(shell=sh):
                st = "$status" if sh == "fish" else "$?"
                r = self.shell(sh, "s2s use prod-admin 2>/dev/null\n"
                               "s2s use no-such-profile\necho status=%s\n"
                               "env -0" % st)
                env = parse_env(r.stdout.split("\n", 1)[1])
                self.assertNotIn("status=0", r.stdout.split("\n", 1)[0])
                self.assertIn("saml2sts:", r.stderr)
                self.assertEqual(env["SAML2STS_PROFILE"], "prod-admin")

    def test_prompt_segment_without_processes(self):
        # PATH emptied after s2s use: the segment needs no command at all
        cases = {
            "bash": "s2s_prompt; echo '|'; s2s_prompt -v seg; echo \"$seg|\"",
            "zsh": "s2s_prompt; echo '|'; s2s_prompt -v seg; echo \"$seg|\"",
            "fish": "s2s_prompt; echo '|'; s2s_prompt; echo '|'",
        }
        for sh, show in cases.items():
            with self.subTest(shell=sh):
                empty = "set PATH /nonexistent" if sh == "fish" else "PATH=/nonexistent"
                r = self.shell(sh, "%s\ns2s use prod-admin 2>/dev/null\n%s\n%s\n"
                               "s2s --unset\n%s\n" % (show, empty, show, show))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotIn("not found", r.stderr)
                lines = r.stdout.splitlines()
                self.assertEqual(lines[0:2], ["|", "|"])  # no profile: nothing
                for line in lines[2:4]:
                    self.assertRegex(line, r"^\[prod-admin (59|60)m\] \|$")
                self.assertEqual(lines[4:6], ["|", "|"])

    def test_prompt_segment_expired_and_unknown(self):
        for sh in self.SHELLS:
            with self.subTest(shell=sh):
                if sh == "fish":
                    setv = "set -gx SAML2STS_PROFILE old; set -gx SAML2STS_EXPIRATION %s"
                else:
                    setv = "export SAML2STS_PROFILE=old SAML2STS_EXPIRATION=%s"
                r = self.shell(sh, "\n".join([
                    setv % "2020-02-29T12:00:00Z", "s2s_prompt; echo", "s2s",
                    setv % "junk", "s2s_prompt; echo", "s2s"]))
                self.assertEqual(r.stdout.splitlines(),
                                 ["[old expired] ", "old: expired", "[old] ", "old"])

    def test_expiry_arithmetic_matches_the_calendar(self):
        # days-from-civil in shell arithmetic, against Python, over leap
        # days and year ends
        now = int(time.time())
        # (30 s into a minute: a second either way changes nothing)
        for delta in (90, 3630, 86400 * 59 + 7230, 86400 * 366 * 3 + 90,
                      86400 * 365 * 40 + 30):
            exp = now + delta
            iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))
            for sh in self.SHELLS:
                with self.subTest(shell=sh, exp=iso):
                    setv = ("set -gx SAML2STS_PROFILE p; set -gx SAML2STS_EXPIRATION %s"
                            if sh == "fish" else
                            "export SAML2STS_PROFILE=p SAML2STS_EXPIRATION=%s") % iso
                    r = self.shell(sh, "%s\ns2s" % setv)
                    got = int(re.match(r"p: (\d+) min left", r.stdout).group(1))
                    self.assertEqual(got, delta // 60, r.stdout)

    def test_unset_formats(self):
        r = self.s2s(["export", "--unset", "--format", "fish"], env=OUTRANKING)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        for k in SET_BY_EXEC + [MARKER] + list(OUTRANKING):
            self.assertIn("set -e %s;" % k, lines)
        r = self.s2s(["export", "--unset", "--format", "powershell"])
        self.assertIn("Remove-Item Env:ALIBABA_CLOUD_SECURITY_TOKEN "
                      "-ErrorAction SilentlyContinue", r.stdout.decode())
        r = self.s2s(["export", "--unset"])
        self.assertIn("unset ALIBABA_CLOUD_ACCESS_KEY_ID\n", r.stdout.decode())
        # no store and no config are needed to undo
        r = self.s2s(["export", "--unset"], env={"SAML2STS_CONFIG": "/nonexistent",
                                                  "SAML2STS_KEYRING_BACKEND": "bogus"})
        self.assertEqual(r.returncode, 0, r.stderr)
        for fmt in ("dotenv", "json"):
            r = self.s2s(["export", "--unset", "--format", fmt])
            self.assertEqual(r.returncode, 2)
            self.assertEqual(r.stdout, b"")
        r = self.s2s(["export", "--unset", "--profile", "prod-admin"])
        self.assertEqual(r.returncode, 2)
        # an inherited name a shell would not read as one word is skipped
        r = subprocess.run(["env", "ALIBABACLOUD_X;touch /tmp/pwn=1", BIN,
                            "export", "--unset"], env=self.env,
                           stdout=subprocess.PIPE, timeout=30)
        self.assertNotIn(b"touch", r.stdout)
        # export itself clears what exec clears, then sets
        r = self.s2s(["export", "--profile", "prod-admin"], env=OUTRANKING)
        out = r.stdout.decode()
        self.assertIn("unset ALIBABACLOUD_ACCESS_KEY_ID\n", out)
        self.assertIn("unset ALIBABA_CLOUD_OIDC_TOKEN_FILE\n", out)
        self.assertLess(out.index("unset ACCESS_KEY_ID"),
                        out.index("export ALIBABA_CLOUD_ACCESS_KEY_ID="))

    def test_exec_inside_a_used_shell_and_the_nesting_guard(self):
        for sh in self.SHELLS:
            with self.subTest(shell=sh):
                r = self.shell(sh, "s2s use prod-admin 2>/dev/null\n"
                               "%s exec --profile dev-ro -- sh -c "
                               "'echo \"$SAML2STS_PROFILE $SAML2STS_EXEC\"; "
                               "%s exec --profile prod-admin -- true; echo nested=$?; "
                               "%s exec --profile dev-ro -- true; echo same=$?'"
                               % ((shlex.quote(BIN),) * 3))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.splitlines(),
                                 ["dev-ro dev-ro", "nested=2", "same=0"])
                self.assertIn("already inside saml2sts exec for profile 'dev-ro'",
                              r.stderr)

    def test_exec_banner_only_for_a_shell(self):
        sh = shutil.which("sh")
        r = self.s2s(["exec", "--profile", "prod-admin"], env={"SHELL": sh},
                     input=b"echo inside=$SAML2STS_EXEC\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"inside=prod-admin\n")
        lines = r.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r"^saml2sts: shell for 'prod-admin' until "
                                   r"\d{4}-\d\d-\d\d \d\d:\d\d.* \((59|60) min\)$")
        r = self.s2s(["--quiet", "exec", "--profile", "prod-admin"],
                     env={"SHELL": sh}, input=b"exit 3\n")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stderr, b"")
        r = self.s2s(["exec", "--profile", "prod-admin", "--", "true"])
        self.assertEqual((r.returncode, r.stderr), (0, b""))
        r = self.s2s(["exec", "--server", "--profile", "prod-admin", "--", "sh",
                      "-c", 'echo "$SAML2STS_EXEC"'])
        self.assertEqual((r.stdout, r.stderr), (b"prod-admin\n", b""))

    def test_profiles_complete(self):
        r = self.shell("bash", "COMP_WORDS=(s2s pr); COMP_CWORD=1; _s2s_complete\n"
                       "echo \"${COMPREPLY[*]}\"; complete -p s2s")
        self.assertEqual(r.stdout, "prod-admin\ncomplete -F _s2s_complete s2s\n",
                         r.stderr)
        r = self.shell("fish", "complete -C 's2s d'")
        self.assertIn("dev-ro", r.stdout)
        r = self.shell("zsh", "autoload -Uz compinit; compinit -u -D\n"
                       'eval "$(%s shell-init zsh)"\n'
                       "echo ${_comps[s2s]}" % shlex.quote(BIN))
        self.assertEqual(r.stdout, "_s2s_complete\n", r.stderr)

    def test_shell_from_SHELL_and_usage(self):
        r = self.s2s(["shell-init"], env={"SHELL": "/usr/bin/zsh"})
        self.assertIn(b"zmodload zsh/datetime", r.stdout)
        r = self.s2s(["shell-init"], env={"SHELL": "/bin/tcsh"})
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"bash, zsh or fish", r.stderr)
        r = self.s2s(["shell-init", "bash", "zsh"])
        self.assertEqual(r.returncode, 2)
        r = self.shell("bash", "s2s use; echo rc=$?; s2s; echo rc=$?; s2s --help")
        self.assertIn("rc=2\nrc=1\nusage: s2s [use] PROFILE", r.stdout)


class Term:
    """A shell in an 80x24 window of a private tmux server."""

    def __init__(self, test, argv, env, name):
        self.test = test
        self.sock = os.path.join(test.home, "tmux-%s" % name)
        envs = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items())
        self.tmux("new-session", "-d", "-x", "80", "-y", "24",
                  "env -i %s %s" % (envs, " ".join(shlex.quote(a) for a in argv)))

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=20, check=True).stdout.decode()

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def line(self, text):
        self.tmux("send-keys", "-l", text)
        self.tmux("send-keys", "Enter")

    def wait_for(self, pattern, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            s = self.screen()
            if re.search(pattern, s, re.M):
                return s
            time.sleep(0.05)
        self.test.fail("%r never shown; screen:\n%s" % (pattern, self.screen()))

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@unittest.skipUnless(shutil.which("tmux") and shutil.which("zsh") and
                     shutil.which("fish"), "tmux, zsh and fish are needed")
class ShellInitTmuxTest(ShellBase):
    """The daily use, typed into real interactive shells."""

    def evidence(self, title, screen):
        if EVIDENCE:
            with open(EVIDENCE, "a") as f:
                f.write("== %s\n%s\n" % (title, screen))

    def drive(self, name, argv, setup):
        t = Term(self, argv, self.env, name)
        try:
            t.wait_for(r"^>")
            for line in setup:
                t.line(line)
            t.line("s2s prod-admin")
            s = t.wait_for(r"^\[prod-admin (59|60)m\] >")
            self.assertRegex(s, r"(?m)^prod-admin: (59|60) min left$")
            self.evidence(name + ": s2s prod-admin", s)
            t.line('echo "key=$ALIBABA_CLOUD_ACCESS_KEY_ID"')
            t.wait_for(r"^key=STS\.admin$")
            # exec in the switched shell: a subshell with its banner
            t.line("%s exec --profile dev-ro" % shlex.quote(BIN))
            s = t.wait_for(r"^saml2sts: shell for 'dev-ro' until .* "
                           r"\((59|60) min\)$")
            t.line('echo "in=$SAML2STS_EXEC"; exit')
            s = t.wait_for(r"^in=dev-ro$")
            self.evidence(name + ": exec", s)
            t.line("s2s --unset")
            t.line('echo "key=[$ALIBABA_CLOUD_ACCESS_KEY_ID]"')
            t.wait_for(r"^key=\[\]$")
            time.sleep(0.3)
            s = t.screen()
            self.evidence(name + ": s2s --unset", s)
            last = [l for l in s.splitlines() if l.strip()][-1]
            self.assertEqual(last.rstrip(), ">")  # the segment is gone
        finally:
            t.close()

    def setUp(self):
        self.env = dict(self.env, SHELL="/bin/sh", PS1="> ")

    def test_bash(self):
        self.drive("bash", ["bash", "--norc", "--noprofile", "-i"], [
            'eval "$(%s shell-init bash)"' % shlex.quote(BIN),
            "PROMPT_COMMAND='s2s_prompt -v S2S_PS1'; PS1='${S2S_PS1}> '"])

    def test_zsh(self):
        self.drive("zsh", ["zsh", "-f", "-i"], [
            'eval "$(%s shell-init zsh)"' % shlex.quote(BIN),
            "setopt prompt_subst; precmd() { s2s_prompt -v S2S_PS1 }; "
            "PROMPT='${S2S_PS1}> '"])

    def test_fish(self):
        self.drive("fish", ["fish", "--no-config", "-i", "-C",
                            "function fish_prompt; echo -n '> '; end"], [
            "%s shell-init fish | source" % shlex.quote(BIN),
            "function fish_prompt; s2s_prompt; echo -n '> '; end"])


if __name__ == "__main__":
    unittest.main()
