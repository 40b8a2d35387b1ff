#!/usr/bin/python3
"""Alibaba Cloud CloudSSO user-portal emulator for tests.

Standard library only. Binds to 127.0.0.1 only.

    cloudsso_emulator.py --port 0 --world WORLD.json --log calls.jsonl

prints "READY <port>" (flushed) on stdout once listening; nothing else goes to
stdout. Also importable: make_server(world, port, log_path).

It speaks the five REST calls the official clients (aliyun-cli cloudsso/*,
acs-sso) make on the portal host of a sign-in URL
(../../shared/notes/cloudsso-and-chaining.md sections 1.2-1.6, 1.10): JSON
bodies with PascalCase fields, errors {ErrorCode, ErrorMessage, RequestId}.
Error codes the notes do not confirm are marked (unconfirmed) below; they are
this emulator's choice.

WORLD.json (one CloudSSO directory user and what is assigned to it)
--------------------------------------------------------------------
    {
      "directories": ["testdir"],               the <directory> of sign-in URLs
      "client_ids": ["app-vaz16tltdxs96audqf35"],
      "accounts": [
        {"AccountId": "1111111111111111", "DisplayName": "Production",
         "AccessConfigurations": [
           {"AccessConfigurationId": "ac-admin0001",
            "AccessConfigurationName": "Admin",
            "AccessConfigurationDescription": "...",
            "SessionDuration": 3600}]}
      ],
      "settings": { see SETTINGS below; all optional },
      "user_name": "alice@example.com",        optional (default "sso-user")
      "sts_emulator": "http://127.0.0.1:PORT"  optional: see below
    }

Minted keys at the STS emulator
-------------------------------
With "sts_emulator", every CreateCloudCredential first registers what it
mints with that emulator (POST /_emulator/credentials of
tests/sts_emulator/sts_emulator.py), so the keys sign AssumeRole and
GetCallerIdentity there like keys it issued.  The identity is the one
CloudSSO gives a user of an access configuration: provisioning
configuration NAME into an account creates the RAM role
AliyunReservedSSO-NAME there (CloudSSO's access configuration overview),
and the portal's keys are a session of that role named after the user:
    RoleArn        acs:ram::<AccountId>:role/AliyunReservedSSO-<NAME>
    AssumedRoleArn acs:ram::<AccountId>:assumed-role/AliyunReservedSSO-<NAME>/<user_name>
    SessionName    <user_name>
(the assumed-role form is what that emulator gives SAML role sessions;
CloudSSO's role access is SAML into that role).  A failed registration
answers 500 InternalError: a test must not get keys the STS emulator
does not know.

Calls and checks
----------------
POST /device-authorization  JSON {PortalUrl, CodeChallenge, ClientId,
                            CodeChallengeMethod}
    body not a JSON object / not application/json  400 InvalidParameter (unconfirmed)
    ClientId unknown                        400 InvalidClientId (unconfirmed)
    PortalUrl's first path segment not a directory
                                            404 EntityNotExists.Directory (unconfirmed)
    CodeChallengeMethod != S256             400 InvalidParameter.CodeChallengeMethod (unconfirmed)
    CodeChallenge not 43 base64url chars    400 InvalidParameter.CodeChallenge (unconfirmed)
    -> 200 {DeviceCode, UserCode "ABCD-EFGH", VerificationUri,
            VerificationUriComplete, Interval, ExpiresIn (unless
            settings.send_expires_in is false), RequestId}
POST /token  JSON {CodeVerifier, ClientId, DeviceCode, GrantType}
    GrantType != urn:ietf:params:oauth:grant-type:device_code
                                            400 UnsupportedGrantType (unconfirmed)
    DeviceCode unknown, expired (device_ttl), or already redeemed
                                            400 InvalidDeviceCodeError
    ClientId not the one of the device code 400 InvalidClientId (unconfirmed)
    CodeVerifier not 43..128 of [A-Za-z0-9-._~], or
      b64url(sha256(verifier)) != challenge 400 InvalidCodeVerifier (unconfirmed)
    polled sooner than the code's interval  counted in stats.fast_polls; with
      settings.slow_down_on_fast, 400 SlowDown and the interval grows by 5 s
    settings.slow_down_next > 0             400 SlowDown (interval + 5 s), once each
    denied by /_emu/deny                    400 AccessDenied (unconfirmed)
    not approved yet                        400 AuthorizationPending
    -> 200 {AccessToken, ExpiresIn (token_ttl), TokenType "Bearer", RequestId},
       once: the device code is then spent
GET /access-assignments/accounts[?MaxResults=&NextToken=]
GET /access-assignments/access-configurations?AccountId=[&MaxResults=&NextToken=]
    no/unknown Bearer token                 401 InvalidToken "The provided token is invalid."
    expired token                           401 InvalidToken "The token has expired." (unconfirmed)
    MaxResults not 1..100                   400 InvalidParameter.MaxResults (unconfirmed)
    NextToken unknown, or of another token/account/list
                                            400 InvalidParameter.NextToken (unconfirmed)
    AccountId missing                       400 MissingParameter.AccountId (unconfirmed)
    AccountId not assigned                  404 EntityNotExists.Account (unconfirmed)
    -> pages of min(MaxResults, settings.page_size) items (2 by default:
       small pages), IsTruncated exactly when more follow, NextToken then
       (opaque, URL-safe), omitted on the last page
POST /cloud-credentials  JSON {AccountId, AccessConfigurationId}, Bearer
    token checks as above
    account not assigned                    404 EntityNotExists.Account (unconfirmed)
    access configuration not assigned there 404 EntityNotExists.AccessConfiguration (unconfirmed)
    -> 200 {CloudCredential {AccessKeyId "STS.<alnum>", AccessKeySecret,
            SecurityToken, Expiration now + SessionDuration, "...Z"}, RequestId}
       (registered first with the STS emulator when the world names one)
Anything else                               404 NotFound

SETTINGS (defaults)
-------------------
    interval 1, device_ttl 600, token_ttl 28800, page_size 2,
    send_expires_in true, auto_approve_after 0 (polls; 0 = never),
    slow_down_on_fast false, slow_down_next 0

Control API (tests; under /_emu/, JSON)
---------------------------------------
    GET    /_emu/pending          [{user_code, polls, state, created}] of live
                                  device codes, oldest first
    POST   /_emu/approve          {user_code} (or {} = every pending code), as the
                                  user would in the browser -> {approved: n}
    POST   /_emu/deny             {user_code}
    POST   /_emu/settings         merge into settings -> settings
    POST   /_emu/duration         {AccessConfigurationId, SessionDuration}
    POST   /_emu/expire-tokens    every access token expires now
    POST   /_emu/faults           {path, status, code, message, count (-1 forever),
                                  delay (s), pass (only the delay)}; GET; DELETE
    GET    /_emu/issued           credentials handed out (in memory, never logged),
                                  with AccountId, AccessConfigurationId and the
                                  RoleArn/AssumedRoleArn/SessionName identity
    GET    /_emu/tokens           access tokens handed out (in memory, never logged)
    GET    /_emu/stats            {polls, fast_polls, device_codes, redeemed, ...}
    GET    /_emu/calls            the call log
GET /device/code[?user_code=] is a tiny page standing for the browser step.

Call log (--log): one JSON line per call: time (and ts, float seconds),
method, path, status,
error_code, and what is not secret (client_id, account, access_config,
max_results, next_token: bool, items, is_truncated, user_code, access_key_id
as ****ABCD).  Never an access token, device code, verifier, challenge or
secret.
"""

import argparse
import base64
import copy
import hashlib
import http.server
import json
import re
import secrets
import string
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_SETTINGS = {
    "interval": 1,
    "device_ttl": 600,
    "token_ttl": 28800,
    "page_size": 2,
    "send_expires_in": True,
    "auto_approve_after": 0,
    "slow_down_on_fast": False,
    "slow_down_next": 0,
}
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
FAST_TOLERANCE = 0.2  # seconds: timer slack of a well-behaved client


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fmt_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def rand_alnum(n):
    a = string.ascii_letters + string.digits
    return "".join(secrets.choice(a) for _ in range(n))


def masked(key_id):
    return "****" + key_id[-4:] if key_id else None


def sso_identity(world, account, conf):
    """Who keys minted for (account, access configuration conf) are: a
    session of the role CloudSSO provisions for the configuration."""
    role = "AliyunReservedSSO-" + conf.get("AccessConfigurationName", "")
    user = world.get("user_name") or "sso-user"
    return {"AccountId": account, "RoleArn": "acs:ram::%s:role/%s" % (account, role),
            "AssumedRoleArn": "acs:ram::%s:assumed-role/%s/%s" % (account, role, user),
            "SessionName": user}


def register_with_sts(url, cred, ident):
    """POST the minted keys to the STS emulator's /_emulator/credentials
    (no-op without url); ApiError 500 when it does not take them."""
    if not url:
        return
    payload = dict(cred, **ident)
    req = urllib.request.Request(url.rstrip("/") + "/_emulator/credentials",
                                 data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=5) as r:
            r.read()
    except (OSError, ValueError) as e:
        raise ApiError(500, "InternalError",
                       "The credentials were not registered with the STS emulator (%s)."
                       % type(e).__name__)


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class State:
    def __init__(self, world):
        self.lock = threading.Lock()
        self.world = world
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings.update(world.get("settings") or {})
        self.devices = {}      # device_code -> dict
        self.tokens = {}       # access token -> {expires}
        self.next_tokens = {}  # NextToken -> (token, list, account, offset)
        self.faults = []
        self.issued = []
        self.token_log = []
        self.stats = {"polls": 0, "fast_polls": 0, "device_codes": 0,
                      "redeemed": 0, "slow_downs": 0}

    def account(self, account_id):
        for a in self.world.get("accounts", []):
            if a.get("AccountId") == account_id:
                return a
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "CloudSSOEmulator/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    # -- plumbing
    @property
    def st(self):
        return self.server.state

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, obj, ctype="application/json"):
        body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, e, request_id):
        self._send(e.status, {"ErrorCode": e.code, "ErrorMessage": e.message,
                              "RequestId": request_id})

    def _log(self, entry):
        entry["ts"] = round(time.time(), 3)
        entry["time"] = fmt_time(entry["ts"])
        if not self.server.log_path:
            return
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")

    def _json_body(self):
        raw = self.raw
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype != "application/json":
            raise ApiError(400, "InvalidParameter", "Content-Type must be application/json.")
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise ApiError(400, "InvalidParameter", "The body is not JSON.")
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidParameter", "The body is not a JSON object.")
        return body

    def _fault(self, path):
        """Apply a matching fault: sleep its delay; return it when it answers."""
        with self.st.lock:
            hit = None
            for f in self.st.faults:
                if f.get("count", 1) == 0:
                    continue
                if path.startswith(f.get("path", "/")):
                    hit = dict(f)
                    if f.get("count", 1) > 0:
                        f["count"] = f.get("count", 1) - 1
                    break
        if not hit:
            return None
        if hit.get("delay"):
            time.sleep(float(hit["delay"]))
        return None if hit.get("pass") else hit

    def _bearer(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise ApiError(401, "InvalidToken", "The provided token is invalid.")
        token = auth[7:].strip()
        with self.st.lock:
            t = self.st.tokens.get(token)
        if not t:
            raise ApiError(401, "InvalidToken", "The provided token is invalid.")
        if time.time() >= t["expires"]:
            raise ApiError(401, "InvalidToken", "The token has expired.")
        return token

    # -- dispatch
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        path, query = u.path, urllib.parse.parse_qs(u.query, keep_blank_values=True)
        if path.startswith("/_emu/"):
            return self._control(method, path[6:], query)
        if method == "GET" and path == "/device/code":
            page = b"<html><body><p>CloudSSO emulator: approve with POST /_emu/approve</p></body></html>"
            return self._send(200, page, "text/html")
        # read the whole body first: an early error must not leave it
        # on a kept-alive connection
        self.raw = self._read_body() if method == "POST" else b""
        request_id = str(uuid.uuid4()).upper()
        entry = {"method": method, "path": path, "request_id": request_id}
        routes = {
            ("POST", "/device-authorization"): self._device_authorization,
            ("POST", "/token"): self._token,
            ("GET", "/access-assignments/accounts"): self._accounts,
            ("GET", "/access-assignments/access-configurations"): self._configs,
            ("POST", "/cloud-credentials"): self._cloud_credentials,
        }
        fn = routes.get((method, path))
        try:
            if not fn:
                raise ApiError(404, "NotFound", "The path %s does not exist." % path)
            fault = self._fault(path)
            if fault:
                raise ApiError(int(fault.get("status", 500)),
                               fault.get("code", "InternalError"),
                               fault.get("message", "Injected fault."))
            status, obj = fn(query, entry)
            obj["RequestId"] = request_id
            entry["status"] = status
            self._log(entry)
            self._send(status, obj)
        except ApiError as e:
            entry["status"] = e.status
            entry["error_code"] = e.code
            self._log(entry)
            self._error(e, request_id)

    # -- the five calls
    def _device_authorization(self, query, entry):
        body = self._json_body()
        st = self.st
        cid = body.get("ClientId")
        entry["client_id"] = cid
        if cid not in st.world.get("client_ids", []):
            raise ApiError(400, "InvalidClientId", "The client %s is not known." % cid)
        portal = body.get("PortalUrl") or ""
        seg = urllib.parse.urlsplit(portal).path.strip("/").split("/")[0]
        entry["directory"] = seg
        if seg not in st.world.get("directories", []):
            raise ApiError(404, "EntityNotExists.Directory",
                           "The directory '%s' does not exist." % seg)
        if body.get("CodeChallengeMethod") != "S256":
            raise ApiError(400, "InvalidParameter.CodeChallengeMethod",
                           "CodeChallengeMethod must be S256.")
        ch = body.get("CodeChallenge")
        if not isinstance(ch, str) or not CHALLENGE.match(ch):
            raise ApiError(400, "InvalidParameter.CodeChallenge",
                           "CodeChallenge must be 43 base64url characters.")
        dc = secrets.token_urlsafe(32)
        uc = "%s-%s" % (rand_alnum(4).upper(), rand_alnum(4).upper())
        with st.lock:
            s = st.settings
            st.devices[dc] = {"user_code": uc, "challenge": ch, "client_id": cid,
                              "created": time.time(), "ttl": float(s["device_ttl"]),
                              "interval": float(s["interval"]), "state": "pending",
                              "polls": 0, "last_poll": None}
            st.stats["device_codes"] += 1
            interval, ttl, send = s["interval"], s["device_ttl"], s["send_expires_in"]
        base = "http://%s:%d" % self.server.server_address[:2]
        out = {"DeviceCode": dc, "UserCode": uc,
               "VerificationUri": base + "/device/code",
               "VerificationUriComplete": base + "/device/code?user_code=" + uc,
               "Interval": interval}
        if send:
            out["ExpiresIn"] = ttl
        entry["user_code"] = uc
        return 200, out

    def _token(self, query, entry):
        body = self._json_body()
        st = self.st
        if body.get("GrantType") != GRANT:
            raise ApiError(400, "UnsupportedGrantType", "GrantType must be %s." % GRANT)
        now = time.time()
        with st.lock:
            st.stats["polls"] += 1
            d = st.devices.get(body.get("DeviceCode") or "")
            if not d:
                raise ApiError(400, "InvalidDeviceCodeError", "The device code is invalid.")
            entry["user_code"] = d["user_code"]
            if d["state"] == "redeemed" or now > d["created"] + d["ttl"]:
                raise ApiError(400, "InvalidDeviceCodeError",
                               "The device code has expired or was used.")
            if body.get("ClientId") != d["client_id"]:
                raise ApiError(400, "InvalidClientId", "The client does not match.")
            v = body.get("CodeVerifier")
            if not isinstance(v, str) or not VERIFIER.match(v) or \
                    b64url(hashlib.sha256(v.encode()).digest()) != d["challenge"]:
                raise ApiError(400, "InvalidCodeVerifier",
                               "The code verifier does not match the challenge.")
            d["polls"] += 1
            fast = d["last_poll"] is not None and \
                now - d["last_poll"] < d["interval"] - FAST_TOLERANCE
            d["last_poll"] = now
            if fast:
                st.stats["fast_polls"] += 1
            slow = fast and st.settings["slow_down_on_fast"]
            if not slow and st.settings["slow_down_next"] > 0:
                st.settings["slow_down_next"] -= 1
                slow = True
            if slow:
                d["interval"] += 5
                st.stats["slow_downs"] += 1
                raise ApiError(400, "SlowDown", "Polling too fast.")
            auto = st.settings["auto_approve_after"]
            if d["state"] == "pending" and auto and d["polls"] >= auto:
                d["state"] = "approved"
            if d["state"] == "denied":
                raise ApiError(400, "AccessDenied", "The user denied the sign-in.")
            if d["state"] != "approved":
                raise ApiError(400, "AuthorizationPending", "The sign-in is not approved yet.")
            d["state"] = "redeemed"
            st.stats["redeemed"] += 1
            token = secrets.token_urlsafe(48)
            ttl = float(st.settings["token_ttl"])
            st.tokens[token] = {"expires": now + ttl}
            st.token_log.append({"AccessToken": token, "ExpiresIn": ttl})
        return 200, {"AccessToken": token, "ExpiresIn": int(ttl), "TokenType": "Bearer"}

    def _page_args(self, query, token, kind, account, entry):
        mr = query.get("MaxResults", [None])[0]
        size = int(self.st.settings["page_size"])
        if mr is not None:
            if not re.match(r"^[0-9]{1,3}$", mr) or not 1 <= int(mr) <= 100:
                raise ApiError(400, "InvalidParameter.MaxResults",
                               "MaxResults must be 1 to 100.")
            size = min(size, int(mr))
        entry["max_results"] = int(mr) if mr is not None else None
        nt = query.get("NextToken", [None])[0]
        entry["next_token"] = nt is not None
        offset = 0
        if nt is not None:
            with self.st.lock:
                bound = self.st.next_tokens.get(nt)
            if not bound or bound[:3] != (token, kind, account):
                raise ApiError(400, "InvalidParameter.NextToken", "The NextToken is not valid.")
            offset = bound[3]
        return offset, size

    def _page(self, items, offset, size, token, kind, account, key, entry):
        chunk = items[offset:offset + size]
        out = {key: chunk, "IsTruncated": offset + size < len(items)}
        if out["IsTruncated"]:
            nt = secrets.token_urlsafe(18)
            with self.st.lock:
                self.st.next_tokens[nt] = (token, kind, account, offset + size)
            out["NextToken"] = nt
        entry["items"] = len(chunk)
        entry["is_truncated"] = out["IsTruncated"]
        return 200, out

    def _accounts(self, query, entry):
        token = self._bearer()
        offset, size = self._page_args(query, token, "accounts", None, entry)
        items = [{"AccountId": a["AccountId"], "DisplayName": a.get("DisplayName", "")}
                 for a in self.st.world.get("accounts", [])]
        return self._page(items, offset, size, token, "accounts", None, "Accounts", entry)

    def _configs(self, query, entry):
        token = self._bearer()
        acct = query.get("AccountId", [None])[0]
        entry["account"] = acct
        if not acct:
            raise ApiError(400, "MissingParameter.AccountId", "AccountId is required.")
        a = self.st.account(acct)
        if not a:
            raise ApiError(404, "EntityNotExists.Account",
                           "The account %s is not assigned to you." % acct)
        offset, size = self._page_args(query, token, "configs", acct, entry)
        items = [{k: c.get(k, "") for k in ("AccessConfigurationId", "AccessConfigurationName",
                                             "AccessConfigurationDescription")}
                 for c in a.get("AccessConfigurations", [])]
        return self._page(items, offset, size, token, "configs", acct,
                          "AccessConfigurationsForAccount", entry)

    def _cloud_credentials(self, query, entry):
        self._bearer()
        body = self._json_body()
        acct, acid = body.get("AccountId"), body.get("AccessConfigurationId")
        entry["account"], entry["access_config"] = acct, acid
        a = self.st.account(acct) if isinstance(acct, str) else None
        if not a:
            raise ApiError(404, "EntityNotExists.Account",
                           "The account %s is not assigned to you." % acct)
        conf = None
        for c in a.get("AccessConfigurations", []):
            if c.get("AccessConfigurationId") == acid:
                conf = c
        if not conf:
            raise ApiError(404, "EntityNotExists.AccessConfiguration",
                           "The access configuration %s is not assigned to you in %s."
                           % (acid, acct))
        with self.st.lock:
            dur = int(conf.get("SessionDuration", 3600))
        cred = {"AccessKeyId": "STS." + rand_alnum(25),
                "AccessKeySecret": rand_alnum(40),
                "SecurityToken": "CAIS" + rand_alnum(300),
                "Expiration": fmt_time(time.time() + dur)}
        ident = sso_identity(self.st.world, acct, conf)
        register_with_sts(self.st.world.get("sts_emulator"), cred, ident)
        with self.st.lock:
            rec = dict(cred, AccessConfigurationId=acid, **ident)
            self.st.issued.append(rec)
        entry["access_key_id"] = masked(cred["AccessKeyId"])
        return 200, {"CloudCredential": cred}

    # -- control API
    def _control(self, method, what, query):
        st = self.st
        raw = self._read_body() if method in ("POST", "DELETE") else b""
        try:
            body = json.loads(raw.decode() or "null") if raw else {}
        except ValueError:
            return self._send(400, {"error": "not JSON"})
        with st.lock:
            now = time.time()
            if method == "GET" and what == "pending":
                out = [{"user_code": d["user_code"], "polls": d["polls"],
                        "state": d["state"], "created": d["created"]}
                       for d in st.devices.values()
                       if d["state"] == "pending" and now <= d["created"] + d["ttl"]]
                out.sort(key=lambda d: d["created"])
            elif method == "POST" and what in ("approve", "deny"):
                n = 0
                for d in st.devices.values():
                    if d["state"] == "pending" and \
                            body.get("user_code") in (None, d["user_code"]):
                        d["state"] = "approved" if what == "approve" else "denied"
                        n += 1
                out = {what + "d": n}
            elif method == "POST" and what == "settings":
                st.settings.update(body)
                out = dict(st.settings)
            elif method == "POST" and what == "duration":
                n = 0
                for a in st.world.get("accounts", []):
                    for c in a.get("AccessConfigurations", []):
                        if c.get("AccessConfigurationId") == body.get("AccessConfigurationId"):
                            c["SessionDuration"] = int(body["SessionDuration"])
                            n += 1
                out = {"changed": n}
            elif method == "POST" and what == "expire-tokens":
                for t in st.tokens.values():
                    t["expires"] = now
                out = {"expired": len(st.tokens)}
            elif what == "faults" and method == "POST":
                st.faults.append(body)
                out = st.faults
            elif what == "faults" and method == "GET":
                out = st.faults
            elif what == "faults" and method == "DELETE":
                st.faults = []
                out = []
            elif method == "GET" and what == "issued":
                out = copy.deepcopy(st.issued)
            elif method == "GET" and what == "tokens":
                out = copy.deepcopy(st.token_log)
            elif method == "GET" and what == "stats":
                out = dict(st.stats)
            elif method == "GET" and what == "calls":
                out = []
                if self.server.log_path:
                    with open(self.server.log_path) as f:
                        out = [json.loads(l) for l in f if l.strip()]
            else:
                return self._send(404, {"error": "no control %s %s" % (method, what)})
        return self._send(200, out)


class CloudSSOServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def make_server(world, port=0, log_path=None):
    srv = CloudSSOServer(("127.0.0.1", port), Handler)
    srv.state = State(world)
    srv.log_path = log_path
    srv.log_lock = threading.Lock()
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(description="Alibaba Cloud CloudSSO portal emulator")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--world", required=True, help="WORLD.json (directory, accounts, settings)")
    ap.add_argument("--log", default=None, help="append one JSON line per call")
    args = ap.parse_args(argv)
    with open(args.world) as f:
        world = json.load(f)
    srv = make_server(world, port=args.port, log_path=args.log)
    sys.stdout.write("READY %d\n" % srv.server_address[1])
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
