#!/usr/bin/python3
"""Alibaba Cloud STS AssumeRoleWithSAML emulator (Version 2015-04-01) for tests.

Standard library only (plus the xmlsec1 CLI). Binds to 127.0.0.1 only.

    sts_emulator.py --port 0 --ram RAM.json --site cn|intl --log calls.jsonl
        [--clock-offset S] [--clock-skew S] [--xmlsec1 PATH]

prints "READY <port>" (flushed) on stdout once listening; nothing else goes to
stdout. Also importable: make_server(...) returns a ThreadingHTTPServer.

RAM.json (the "cloud side"; re-read whenever the file changes)
---------------------------------------------------------------
    {
      "site": "cn",                                  optional; --site wins
      "saml_providers": {
        "acs:ram::1234567890123456:saml-provider/testidp":
            {"cert": "/path/idp.crt", "entity_id": "http://127.0.0.1:8080/..."}
      },
      "roles": {
        "acs:ram::1234567890123456:role/admin":
            {"max_session_duration": 3600,
             "trusted_provider": "acs:ram::1234567890123456:saml-provider/testidp"}
      },
      "clock_offset": 0,      seconds added to "now" (600 => fresh assertions expired)
      "clock_skew": 0,        seconds of tolerance on NotBefore/NotOnOrAfter
      "fail": [ FAULT, ... ]  see below
    }
"trusted_provider" may also be a list of provider ARNs.

The request
-----------
POST (or GET) to any path except /_emulator/...; common parameters (Action,
Version, Format, Timestamp, SignatureNonce) in the query; business parameters
(SAMLProviderArn, RoleArn, SAMLAssertion, DurationSeconds, Policy) in an
application/x-www-form-urlencoded body or in the query (the body wins).
No signature is needed (the API is anonymous). Format=XML gives XML bodies.

Checks, in this order, and the answers (HTTP status, Code):
    Action missing                          400 MissingParameter
    Action not AssumeRoleWithSAML           404 InvalidAction.NotFound
    Version missing or not 2015-04-01       400 InvalidParameter  (message names Version)
    SAMLAssertion / SAMLProviderArn / RoleArn missing
                                            400 MissingParameter.<name>
    DurationSeconds not an integer or < 900 400 InvalidParameter.DurationSeconds
    Policy longer than 2048                 400 InvalidParameter.PolicySize
    Policy not a JSON policy document       400 InvalidParameter.PolicyGrammar
    SAMLAssertion not 4..100000 chars, not base64, not XML, has a DOCTYPE
                                            401 AuthenticationFail.SAMLAssertion.Invalid
    provider not in RAM                     404 EntityNotExist.SAMLProvider
    role not in RAM                         404 EntityNotExist.Role
    DurationSeconds > role max              400 InvalidParameter.DurationSeconds
    role does not trust the provider        401 AuthenticationFail.SAMLAssertion.Invalid
    structure: root samlp:Response with Status Success, exactly one
      saml:Assertion (a child of the Response), no EncryptedAssertion,
      unique ID attributes, Response Destination (if any) = the site's ACS
                                            401 AuthenticationFail.SAMLAssertion.Invalid
    Assertion signature: exactly one ds:Signature child, one Reference whose
      URI is "#"+Assertion/@ID, no HMAC, verified by xmlsec1 against the
      provider's cert only (KeyInfo ignored); a Response signature, if present,
      must reference the Response and verify too
                                            401 AuthenticationFail.SAMLAssertion.Invalid
    Issuer (Assertion, and Response if present) = provider entity_id;
      one NameID; one bearer SubjectConfirmation whose Recipient = site ACS
      and which has NotOnOrAfter; Conditions with every AudienceRestriction
      naming the site audience; an AuthnStatement
                                            401 AuthenticationFail.SAMLAssertion.Invalid
    Conditions NotBefore in the future      401 AuthenticationFail.SAMLAssertion.Invalid
    Conditions / SubjectConfirmationData NotOnOrAfter passed
                                            401 AuthenticationFail.SAMLAssertion.Expired
    (RoleArn, SAMLProviderArn) not among the Role attribute values (either
      order, spaces trimmed, ARNs compared case-insensitively)
                                            401 AuthenticationFail.SAMLAssertion.Invalid
    RoleSessionName attribute missing, repeated, or not 2..64 of [A-Za-z0-9.@=,+_-]
                                            400 InvalidParameter.RoleSessionName
Choice made: a trust or role-pair mismatch answers 401
AuthenticationFail.SAMLAssertion.Invalid (the protocol notes list trust-policy
and recipient mismatches under that code), never 403 NoPermission.

Success: 200 {"RequestId", "Credentials": {AccessKeyId "STS.<25 alnum>",
AccessKeySecret <44>, SecurityToken "CAIS...", Expiration "YYYY-MM-DDTHH:MM:SSZ"},
"AssumedRoleUser": {Arn "acs:ram::<uid>:assumed-role/<role>/<session>",
AssumedRoleId "<digits>:<session>"}, "SAMLAssertionInfo": {SubjectType,
Subject, Recipient, Issuer}}. Expiration = now + DurationSeconds (default
3600), capped by AuthnStatement/@SessionNotOnOrAfter.
Errors: {"RequestId": "<UUID>", "HostId": "sts.aliyuncs.com", "Code", "Message"}.

Call log (--log)
----------------
One JSON object per STS request (never control requests), appended and
flushed: time, request_id, method, action, version, role_arn, provider_arn,
duration (the DurationSeconds string as sent, or null), status, code (null on
success), access_key_id (null on failure), fault (true if injected),
assertion_len, assertion_in ("body"|"query"|null), content_type,
session_name, expiration. Never the assertion, the secret or the token.

Fault injection
---------------
A FAULT is {"code": "InternalError", "status": 500, "count": 1,
            "message": "...",        optional, default per code
            "delay": 0.0,            seconds to sleep first
            "body": "raw text",      optional: send this body instead of JSON
            "content_type": "...",   for "body" (default text/plain)
            "role_arn": "acs:...",   optional: only calls for this role
            "pass": false}           true: only delay, then answer normally
The next `count` matching STS calls get the fault (count -1: every call).
Sources:
  * "fail": [FAULT, ...] in RAM.json (loaded at start and whenever the file
    changes; a reload replaces the pending faults);
  * the control endpoint on the same port (loopback only):
      POST   /_emulator/faults   body FAULT or [FAULT, ...]  -> appends
      GET    /_emulator/faults   pending faults
      DELETE /_emulator/faults   clears them
      POST   /_emulator/config   {"clock_offset": S, "clock_skew": S}
      POST   /_emulator/reload   re-read RAM.json now
      GET    /_emulator/issued   credentials handed out so far, oldest first (in
                                 memory only): [{AccessKeyId, AccessKeySecret,
                                 SecurityToken, Expiration, RequestId, RoleArn,
                                 SAMLProviderArn}]
      POST   /_emulator/credentials  {AccessKeyId, AccessKeySecret, SecurityToken,
                                 Expiration, RoleArn[, SessionName, AssumedRoleArn]}:
                                 credentials minted elsewhere (CloudSSO) that may
                                 sign calls like issued ones
      GET    /_emulator/health   {"ok": true}
A FAULT may also name "action": only calls of that action (default: any).

Signed calls
------------
A request with RPC signature parameters (Signature, AccessKeyId or
SignatureMethod) goes to signed_sts.py: STS AssumeRole and GetCallerIdentity,
RAM GetAccountAlias, signed with keys issued here; see that module for the
checks, the RAM.json keys (trusted_principals, external_id, access_keys,
accounts) and the log fields.
"""

import argparse
import base64
import datetime as dt
import email.utils
import hashlib
import http.server
import json
import os
import re
import secrets
import string
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
import xml.parsers.expat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import signed_sts  # noqa: E402  AssumeRole, GetCallerIdentity, GetAccountAlias

HOST_ID = "sts.aliyuncs.com"
API_VERSION = "2015-04-01"
LOOPBACK = "127.0.0.1"

SITES = {
    "cn": {"audience": "urn:alibaba:cloudcomputing",
           "acs": "https://signin.aliyun.com/saml-role/sso"},
    "intl": {"audience": "urn:alibaba:cloudcomputing:international",
             "acs": "https://signin.alibabacloud.com/saml-role/sso"},
}

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
ATTR_ROLE = "https://www.aliyun.com/SAML-Role/Attributes/Role"
ATTR_SESSION_NAME = "https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
NAMEID_PREFIXES = ("urn:oasis:names:tc:SAML:2.0:nameid-format:",
                   "urn:oasis:names:tc:SAML:1.1:nameid-format:")
ALLOWED_TRANSFORMS = {
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
}

MESSAGES = {
    "MissingParameter": 'The input parameter "Action" that is mandatory for processing this request is not supplied.',
    "InvalidAction.NotFound": "Specified api is not found, please check your url and method.",
    "InvalidParameter": "The parameter Version is invalid.",
    "MissingParameter.SAMLAssertion": "SAMLAssertion is mandatory for this action.",
    "MissingParameter.SAMLProviderArn": "SAMLProviderArn is mandatory for this action.",
    "MissingParameter.RoleArn": "RoleArn is mandatory for this action.",
    "InvalidParameter.DurationSeconds": "The DurationSeconds is invalid.",
    "InvalidParameter.PolicySize": "The max size of policy string is 2048.",
    "InvalidParameter.PolicyGrammar": "Invalid Policy.",
    "InvalidParameter.RoleSessionName": "The RoleSessionName is invalid.",
    "EntityNotExist.SAMLProvider": "Can not find SAML provider.",
    "EntityNotExist.Role": "The specified Role not exists.",
    "AuthenticationFail.SAMLAssertion.Invalid": "The SAML Assertion is invalid.",
    "AuthenticationFail.SAMLAssertion.Expired": "The SAML Assertion is expired.",
    "InternalError": "The request processing has failed due to some unknown error.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "Throttling": "Request was denied due to flow control.",
    "Throttling.User": "Request was denied due to user flow control.",
    "Throttling.Api": "Request was denied due to api flow control.",
}

ALNUM = string.ascii_letters + string.digits
SESSION_NAME_RE = re.compile(r"^[A-Za-z0-9.@=,+_\-]{2,64}$")


class STSError(Exception):
    def __init__(self, status, code, message=None, detail=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.detail = detail  # for the emulator's stderr only


def invalid(detail):
    return STSError(401, "AuthenticationFail.SAMLAssertion.Invalid", detail=detail)


def expired(detail):
    return STSError(401, "AuthenticationFail.SAMLAssertion.Expired", detail=detail)


# ---------------------------------------------------------------------------
# RAM (cloud side) state

class Ram:
    """RAM.json plus runtime state (faults, clock, issued credentials)."""

    def __init__(self, path, site=None, clock_offset=None, clock_skew=None):
        self.path = path
        self.site_override = site
        self.lock = threading.Lock()
        self.mtime = None
        self.providers = {}
        self.roles = {}
        self.faults = []
        self.issued = []
        self.data = {}
        self.cli_clock_offset = clock_offset
        self.cli_clock_skew = clock_skew
        self.clock_offset = clock_offset or 0
        self.clock_skew = clock_skew or 0
        self.site = site or "cn"
        self.reload(force=True)

    def reload(self, force=False):
        with self.lock:
            try:
                st = os.stat(self.path)
            except OSError:
                if force:
                    raise
                return
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
            if not force and key == self.mtime:
                return
            with open(self.path) as f:
                data = json.load(f)
            self.mtime = key
            self.data = data
            self.providers = {k.lower(): v for k, v in data.get("saml_providers", {}).items()}
            self.roles = {k.lower(): v for k, v in data.get("roles", {}).items()}
            self.faults = [normalize_fault(x) for x in data.get("fail", [])]
            if self.cli_clock_offset is None:
                self.clock_offset = float(data.get("clock_offset", 0))
            if self.cli_clock_skew is None:
                self.clock_skew = float(data.get("clock_skew", 0))
            self.site = self.site_override or data.get("site", "cn")
            if self.site not in SITES:
                raise ValueError("unknown site %r" % self.site)

    def take_fault(self, role_arn, action="AssumeRoleWithSAML"):
        with self.lock:
            for f in self.faults:
                if f.get("role_arn") and (role_arn or "").lower() != f["role_arn"].lower():
                    continue
                if f.get("action") and f["action"] != action:
                    continue
                if f["count"] == 0:
                    continue
                if f["count"] > 0:
                    f["count"] -= 1
                out = dict(f)
                self.faults = [x for x in self.faults if x["count"] != 0]
                return out
        return None

    def now(self):
        return time.time() + self.clock_offset


def normalize_fault(f):
    if not isinstance(f, dict):
        raise ValueError("a fault must be a JSON object")
    out = dict(f)
    out["code"] = str(out.get("code", "InternalError"))
    out["status"] = int(out.get("status", 500))
    out["count"] = int(out.get("count", 1))
    out["delay"] = float(out.get("delay", 0))
    out["pass"] = bool(out.get("pass", False))
    return out


# ---------------------------------------------------------------------------
# SAML checks

def safe_parse(xml_bytes):
    """Parse with expat first, refusing DOCTYPE/ENTITY declarations, then
    build the tree with ElementTree (no DTD, no external entities)."""

    def refuse(*_a):
        raise invalid("DOCTYPE or entity declaration")

    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.UnparsedEntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    try:
        p.Parse(xml_bytes, True)
    except xml.parsers.expat.ExpatError as e:
        raise invalid("not XML: %s" % e)
    try:
        return ET.fromstring(xml_bytes)
    except ET.ParseError as e:
        raise invalid("not XML: %s" % e)


def q(ns, local):
    return "{%s}%s" % (ns, local)


def text_of(el):
    return "".join(el.itertext()).strip() if el is not None else ""


def parse_time(s):
    if not s:
        return None
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", s.strip())
    if not m:
        raise invalid("bad dateTime %r" % s)
    y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
    frac = float(m.group(7)) if m.group(7) else 0.0
    t = dt.datetime(y, mo, d, h, mi, sec, tzinfo=dt.timezone.utc).timestamp() + frac
    tz = m.group(8)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        t -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return t


def fmt_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def only_child(parent, tag, what):
    found = parent.findall(tag)
    if len(found) != 1:
        raise invalid("%d %s" % (len(found), what))
    return found[0]


def check_signature_shape(owner, what):
    """owner must carry exactly one enveloped ds:Signature referencing it."""
    sigs = owner.findall(q(DS, "Signature"))
    if len(sigs) != 1:
        raise invalid("%s has %d signatures" % (what, len(sigs)))
    sig = sigs[0]
    si = only_child(sig, q(DS, "SignedInfo"), "SignedInfo")
    meth = si.find(q(DS, "SignatureMethod"))
    if meth is None or "hmac" in (meth.get("Algorithm") or "").lower():
        raise invalid("%s signature method not allowed" % what)
    refs = si.findall(q(DS, "Reference"))
    if len(refs) != 1:
        raise invalid("%s signature has %d references" % (what, len(refs)))
    oid = owner.get("ID")
    if not oid or refs[0].get("URI") != "#" + oid:
        raise invalid("%s signature does not reference it" % what)
    tr = refs[0].find(q(DS, "Transforms"))
    if tr is not None:
        for t in tr.findall(q(DS, "Transform")):
            if t.get("Algorithm") not in ALLOWED_TRANSFORMS:
                raise invalid("%s signature transform %s not allowed" % (what, t.get("Algorithm")))


def xmlsec_verify(xmlsec1, xml_bytes, cert_path, xpath):
    argv = [xmlsec1, "--verify", "--enabled-key-data", "rsa",
            "--pubkey-cert-pem", cert_path,
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--node-xpath", xpath, "-"]
    try:
        r = subprocess.run(argv, input=xml_bytes, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise STSError(500, "InternalError", detail="xmlsec1: %s" % e)
    if r.returncode != 0:
        raise invalid("signature does not verify (%s)" % r.stderr.decode(errors="replace")[-300:].strip())


XPATH_RESPONSE_SIG = ("/*[local-name()='Response' and namespace-uri()='%s']"
                      "/*[local-name()='Signature' and namespace-uri()='%s']" % (SAMLP, DS))
XPATH_ASSERTION_SIG = ("/*[local-name()='Response' and namespace-uri()='%s']"
                       "/*[local-name()='Assertion' and namespace-uri()='%s']"
                       "/*[local-name()='Signature' and namespace-uri()='%s']" % (SAMLP, SAML, DS))


def split_role_value(v):
    parts = [p.strip() for p in v.split(",", 1)]
    if len(parts) != 2:
        return None
    a, b = parts
    if ":saml-provider/" in a.lower() and ":role/" in b.lower():
        a, b = b, a
    if ":role/" not in a.lower() or ":saml-provider/" not in b.lower():
        return None
    return a, b


def verify_assertion(xml_bytes, provider, site, ram, xmlsec1):
    """Return facts read from the verified assertion; raise STSError."""
    root = safe_parse(xml_bytes)
    if root.tag != q(SAMLP, "Response"):
        raise invalid("root is %s, not samlp:Response" % root.tag)
    sc = root.find("%s/%s" % (q(SAMLP, "Status"), q(SAMLP, "StatusCode")))
    if sc is None or sc.get("Value") != STATUS_SUCCESS:
        raise invalid("Response status is not Success")
    if list(root.iter(q(SAML, "EncryptedAssertion"))):
        raise invalid("EncryptedAssertion is not supported")
    all_assertions = list(root.iter(q(SAML, "Assertion")))
    if len(all_assertions) != 1:
        raise invalid("%d Assertion elements" % len(all_assertions))
    a = all_assertions[0]
    if a not in list(root):
        raise invalid("Assertion is not a child of the Response")
    ids = [el.get("ID") for el in root.iter() if el.get("ID") is not None]
    if len(ids) != len(set(ids)):
        raise invalid("duplicate ID attributes")
    acs = SITES[site]["acs"]
    dest = root.get("Destination")
    if dest is not None and dest.lower() != acs.lower():
        raise invalid("Destination %s is not %s" % (dest, acs))

    cert = provider.get("cert")
    if not cert or not os.path.exists(cert):
        raise STSError(401, "AuthenticationFail.IDPMetadata.Invalid",
                       "The IdP Metadata of your SAML Provider is invalid.")
    check_signature_shape(a, "Assertion")
    xmlsec_verify(xmlsec1, xml_bytes, cert, XPATH_ASSERTION_SIG)
    if root.find(q(DS, "Signature")) is not None:
        check_signature_shape(root, "Response")
        xmlsec_verify(xmlsec1, xml_bytes, cert, XPATH_RESPONSE_SIG)

    entity = provider.get("entity_id")
    issuer = text_of(only_child(a, q(SAML, "Issuer"), "Assertion Issuer"))
    if issuer != entity:
        raise invalid("Issuer %r is not %r" % (issuer, entity))
    r_issuer = root.find(q(SAML, "Issuer"))
    if r_issuer is not None and text_of(r_issuer) != entity:
        raise invalid("Response Issuer %r is not %r" % (text_of(r_issuer), entity))

    subj = only_child(a, q(SAML, "Subject"), "Subject")
    nameid = only_child(subj, q(SAML, "NameID"), "NameID")
    confs = subj.findall(q(SAML, "SubjectConfirmation"))
    if len(confs) != 1 or confs[0].get("Method") != BEARER:
        raise invalid("need exactly one bearer SubjectConfirmation")
    scd = only_child(confs[0], q(SAML, "SubjectConfirmationData"), "SubjectConfirmationData")
    recipient = scd.get("Recipient") or ""
    if recipient.lower() != acs.lower():
        raise invalid("Recipient %r is not %r" % (recipient, acs))
    scd_nooa = parse_time(scd.get("NotOnOrAfter"))
    if scd_nooa is None:
        raise invalid("SubjectConfirmationData has no NotOnOrAfter")

    cond = only_child(a, q(SAML, "Conditions"), "Conditions")
    restrictions = cond.findall(q(SAML, "AudienceRestriction"))
    if not restrictions:
        raise invalid("no AudienceRestriction")
    audience = SITES[site]["audience"]
    for r in restrictions:
        if audience not in [text_of(x) for x in r.findall(q(SAML, "Audience"))]:
            raise invalid("audience %r not allowed" % audience)
    authn = a.findall(q(SAML, "AuthnStatement"))
    if not authn:
        raise invalid("no AuthnStatement")
    session_nooa = parse_time(authn[0].get("SessionNotOnOrAfter"))

    now = ram.now()
    skew = ram.clock_skew
    nb = parse_time(cond.get("NotBefore"))
    if nb is not None and now + skew < nb:
        raise invalid("assertion not yet valid")
    nooa = parse_time(cond.get("NotOnOrAfter"))
    if nooa is not None and now - skew >= nooa:
        raise expired("Conditions NotOnOrAfter passed")
    if now - skew >= scd_nooa:
        raise expired("SubjectConfirmationData NotOnOrAfter passed")

    attrs = {}
    for st in a.findall(q(SAML, "AttributeStatement")):
        for at in st.findall(q(SAML, "Attribute")):
            attrs.setdefault(at.get("Name"), []).extend(
                text_of(v) for v in at.findall(q(SAML, "AttributeValue")))
    fmt = nameid.get("Format") or "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    subject_type = fmt
    for p in NAMEID_PREFIXES:
        if fmt.startswith(p):
            subject_type = fmt[len(p):]
    return {
        "issuer": issuer,
        "subject": text_of(nameid),
        "subject_type": subject_type,
        "recipient": recipient,
        "session_not_on_or_after": session_nooa,
        "roles": [x for x in (split_role_value(v) for v in attrs.get(ATTR_ROLE, [])) if x],
        "session_names": attrs.get(ATTR_SESSION_NAME, []),
    }


# ---------------------------------------------------------------------------
# the API

def check_policy(policy):
    if len(policy) < 1 or len(policy) > 2048:
        raise STSError(400, "InvalidParameter.PolicySize")
    try:
        doc = json.loads(policy)
    except ValueError:
        raise STSError(400, "InvalidParameter.PolicyGrammar")
    if (not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list)
            or not doc["Statement"]):
        raise STSError(400, "InvalidParameter.PolicyGrammar")


def new_credentials():
    return {
        "AccessKeyId": "STS." + "".join(secrets.choice(ALNUM) for _ in range(25)),
        "AccessKeySecret": "".join(secrets.choice(ALNUM) for _ in range(44)),
        "SecurityToken": "CAIS" + base64.b64encode(secrets.token_bytes(420)).decode(),
    }


def assume_role_with_saml(params, ram, xmlsec1):
    """params: dict of request parameters. Returns (facts, response dict)."""
    ram.reload()
    site = ram.site
    action = params.get("Action")
    if action is None:
        raise STSError(400, "MissingParameter")
    if action != "AssumeRoleWithSAML":
        raise STSError(404, "InvalidAction.NotFound")
    if params.get("Version") != API_VERSION:
        raise STSError(400, "InvalidParameter",
                       "The parameter Version is invalid." if params.get("Version")
                       else 'The input parameter "Version" that is mandatory for processing this request is not supplied.')
    for name in ("SAMLAssertion", "SAMLProviderArn", "RoleArn"):
        if not params.get(name):
            raise STSError(400, "MissingParameter." + name)
    duration = params.get("DurationSeconds")
    if duration not in (None, ""):
        if not re.fullmatch(r"[0-9]{1,10}", duration) or int(duration) < 900:
            raise STSError(400, "InvalidParameter.DurationSeconds")
        duration = int(duration)
    else:
        duration = 3600
    if params.get("Policy") is not None:
        check_policy(params["Policy"])

    raw = params["SAMLAssertion"]
    if not 4 <= len(raw) <= 100000:
        raise invalid("SAMLAssertion length %d" % len(raw))
    try:
        xml_bytes = base64.b64decode(raw.replace("\r", "").replace("\n", ""), validate=True)
    except (ValueError, base64.binascii.Error):
        raise invalid("SAMLAssertion is not base64")
    safe_parse(xml_bytes)  # early: not XML / DOCTYPE

    provider_arn = params["SAMLProviderArn"].strip()
    role_arn = params["RoleArn"].strip()
    provider = ram.providers.get(provider_arn.lower())
    if provider is None:
        raise STSError(404, "EntityNotExist.SAMLProvider")
    role = ram.roles.get(role_arn.lower())
    if role is None:
        raise STSError(404, "EntityNotExist.Role",
                       "The specified Role not exists: %s." % role_arn)
    max_dur = int(role.get("max_session_duration", 3600))
    if duration > max_dur:
        raise STSError(400, "InvalidParameter.DurationSeconds",
                       "The Min/Max value of DurationSeconds is 15min/%s." % (
                           "%dhr" % (max_dur // 3600) if max_dur % 3600 == 0 else "%ds" % max_dur))
    trusted = role.get("trusted_provider", [])
    trusted = [trusted] if isinstance(trusted, str) else list(trusted)
    if provider_arn.lower() not in [t.lower() for t in trusted]:
        raise invalid("role does not trust %s" % provider_arn)

    facts = verify_assertion(xml_bytes, provider, site, ram, xmlsec1)
    pair = (role_arn.lower(), provider_arn.lower())
    if pair not in [(r.lower(), p.lower()) for r, p in facts["roles"]]:
        raise invalid("role/provider pair not in the assertion")
    names = facts["session_names"]
    if len(names) != 1 or not SESSION_NAME_RE.match(names[0]):
        raise STSError(400, "InvalidParameter.RoleSessionName")
    session_name = names[0]

    now = ram.now()
    exp = now + duration
    if facts["session_not_on_or_after"] is not None:
        exp = min(exp, facts["session_not_on_or_after"])
    uid = role_arn.split(":")[3] if role_arn.count(":") >= 4 else ""
    role_name = role_arn.split(":role/", 1)[1] if ":role/" in role_arn else role_arn
    role_id = str(int(hashlib.sha256(role_arn.lower().encode()).hexdigest(), 16))[:18]
    creds = new_credentials()
    creds["Expiration"] = fmt_time(exp)
    body = {
        "Credentials": creds,
        "AssumedRoleUser": {
            "Arn": "acs:ram::%s:assumed-role/%s/%s" % (uid, role_name, session_name),
            "AssumedRoleId": "%s:%s" % (role_id, session_name),
        },
        "SAMLAssertionInfo": {
            "SubjectType": facts["subject_type"],
            "Subject": facts["subject"],
            "Recipient": facts["recipient"],
            "Issuer": facts["issuer"],
        },
    }
    facts["session_name"] = session_name
    facts["expiration"] = creds["Expiration"]
    return facts, body


# ---------------------------------------------------------------------------
# HTTP

def to_xml(tag, obj):
    def build(parent, value):
        if isinstance(value, dict):
            for k, v in value.items():
                build(ET.SubElement(parent, k), v)
        else:
            parent.text = "" if value is None else str(value)
    root = ET.Element(tag)
    build(root, obj)
    return b"<?xml version='1.0' encoding='UTF-8'?>" + ET.tostring(root, encoding="utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sts-emulator"
    sys_version = ""

    # -- plumbing
    def date_time_string(self, timestamp=None):
        # the Date header follows the emulator's clock (clock_offset), as
        # a server whose clock differs from the client's would send it
        if timestamp is None:
            timestamp = time.time() + self.server.ram.clock_offset
        return email.utils.formatdate(timestamp, usegmt=True)

    def log_message(self, fmt, *args):
        sys.stderr.write("sts-emulator: %s %s\n" % (self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        # the request line without its query: a GET could carry the assertion
        path = urllib.parse.urlsplit(self.path).path
        self.log_message('"%s %s" %s', self.command, path, code)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, body, content_type, request_id=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if request_id:
            self.send_header("x-acs-request-id", request_id)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, request_id=None):
        self._send(status, json.dumps(obj).encode(), "application/json;charset=utf-8", request_id)

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    # -- routing
    def _dispatch(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_emulator/"):
            return self._control(url.path[len("/_emulator/"):], body)
        if url.path == "/federation":
            return self._federation(url, body)
        return self._sts(url, body)

    # -- console federation (signin.aliyun.com/federation), documented flow:
    # Action=GetSigninToken with AccessKeyId, AccessKeySecret, SecurityToken
    # and TicketType=mini (form-encoded) -> {"RequestId","SigninToken"};
    # Action=Login&LoginUrl&Destination&SigninToken -> 302 to Destination.
    # The SigninToken is single-use and valid for 30 s.
    def _federation(self, url, body):
        ram = self.server.ram
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if self.command == "POST":
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                                 keep_blank_values=True))
        request_id = str(uuid.uuid4()).upper()
        now = time.time() + ram.clock_offset

        def error(status, code, message):
            entry = {"time": fmt_time(time.time()), "request_id": request_id,
                     "action": params.get("Action"), "status": status, "code": code,
                     "federation": True}
            self._log(entry, time.time())
            return self._send_json(status, {"RequestId": request_id, "HostId":
                                            "signin.aliyun.com", "Code": code,
                                            "Message": message}, request_id)

        action = params.get("Action")
        if action == "GetSigninToken":
            for k in ("AccessKeyId", "AccessKeySecret", "SecurityToken"):
                if not params.get(k):
                    return error(400, "MissingParameter." + k, "%s is mandatory" % k)
            if params.get("TicketType") != "mini":
                return error(400, "InvalidParameter.TicketType",
                             "TicketType must be mini")
            with ram.lock:
                match = [c for c in ram.issued
                         if c["AccessKeyId"] == params["AccessKeyId"]
                         and c["AccessKeySecret"] == params["AccessKeySecret"]
                         and c["SecurityToken"] == params["SecurityToken"]]
            if not match or parse_time(match[-1]["Expiration"]) <= now:
                return error(401, "InvalidCredential.AuthenticateFail",
                             "The credential is invalid or expired.")
            token = secrets.token_urlsafe(48)
            with ram.lock:
                ram.signin_tokens = getattr(ram, "signin_tokens", {})
                ram.signin_tokens[token] = (now + 30, match[-1]["AccessKeyId"])
            self._log({"time": fmt_time(time.time()), "request_id": request_id,
                       "action": action, "status": 200, "code": None,
                       "federation": True, "access_key_id": match[-1]["AccessKeyId"]},
                      time.time())
            return self._send_json(200, {"RequestId": request_id, "SigninToken": token},
                                   request_id)
        if action == "Login":
            for k in ("LoginUrl", "SigninToken"):
                if not params.get(k):
                    return error(400, "MissingParameter." + k, "%s is mandatory" % k)
            with ram.lock:
                tokens = getattr(ram, "signin_tokens", {})
                entry = tokens.pop(params["SigninToken"], None)
            if not entry or entry[0] < now:
                return error(401, "InvalidCredential.AuthenticateFail",
                             "The SigninToken is invalid or expired.")
            self.send_response(302)
            self.send_header("Location", params.get("Destination")
                             or "https://home.console.aliyun.com/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return error(400, "InvalidAction", "Action must be GetSigninToken or Login")

    def _control(self, what, body):
        ram = self.server.ram
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return self._send_json(400, {"error": "body is not JSON"})
        m = self.command
        try:
            if what == "health":
                return self._send_json(200, {"ok": True, "site": ram.site})
            if what == "faults" and m == "GET":
                with ram.lock:
                    return self._send_json(200, list(ram.faults))
            if what == "faults" and m == "DELETE":
                with ram.lock:
                    ram.faults = []
                return self._send_json(200, [])
            if what == "faults" and m in ("POST", "PUT"):
                items = payload if isinstance(payload, list) else [payload]
                items = [normalize_fault(x) for x in items]
                with ram.lock:
                    ram.faults.extend(items)
                    return self._send_json(200, list(ram.faults))
            if what == "config" and m in ("POST", "PUT"):
                payload = payload or {}
                with ram.lock:
                    if "clock_offset" in payload:
                        ram.clock_offset = float(payload["clock_offset"])
                        ram.cli_clock_offset = ram.clock_offset
                    if "clock_skew" in payload:
                        ram.clock_skew = float(payload["clock_skew"])
                        ram.cli_clock_skew = ram.clock_skew
                    return self._send_json(200, {"clock_offset": ram.clock_offset,
                                                 "clock_skew": ram.clock_skew})
            if what == "reload" and m in ("POST", "PUT"):
                ram.reload(force=True)
                return self._send_json(200, {"ok": True})
            if what == "issued" and m == "GET":
                with ram.lock:
                    return self._send_json(200, list(ram.issued))
            if what == "credentials" and m in ("POST", "PUT"):
                # credentials minted elsewhere (a CloudSSO portal emulator)
                # that may sign calls here, like issued ones
                need = ("AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration",
                        "RoleArn")
                if not isinstance(payload, dict) or any(k not in payload for k in need):
                    raise ValueError("need %s" % ", ".join(need))
                with ram.lock:
                    ram.issued.append(dict(payload))
                return self._send_json(200, {"ok": True})
        except (ValueError, TypeError, OSError) as e:
            return self._send_json(400, {"error": str(e)})
        return self._send_json(404, {"error": "unknown control endpoint"})

    def _sts(self, url, body):
        started = time.time()
        request_id = str(uuid.uuid4()).upper()
        params, where = {}, {}
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            params.setdefault(k, v)
            where.setdefault(k, "query")
        ctype = self.headers.get("Content-Type") or ""
        if body and (ctype == "" or ctype.lower().startswith("application/x-www-form-urlencoded")):
            try:
                form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                form = []
            seen = set()
            for k, v in form:
                if k in seen:
                    continue
                seen.add(k)
                params[k] = v
                where[k] = "body"
        if signed_sts.is_signed(params):
            return signed_sts.serve(self, url, body, ctype, request_id, started)
        as_xml = (params.get("Format") or "JSON").upper() == "XML"
        ram = self.server.ram
        entry = {
            "time": fmt_time(time.time()),
            "request_id": request_id,
            "method": self.command,
            "action": params.get("Action"),
            "version": params.get("Version"),
            "role_arn": params.get("RoleArn"),
            "provider_arn": params.get("SAMLProviderArn"),
            "duration": params.get("DurationSeconds"),
            "status": None,
            "code": None,
            "access_key_id": None,
            "fault": False,
            "assertion_len": len(params.get("SAMLAssertion") or ""),
            "assertion_in": where.get("SAMLAssertion"),
            "content_type": ctype or None,
            "session_name": None,
            "expiration": None,
        }
        fault = None
        try:
            ram.reload()
        except (OSError, ValueError) as e:
            sys.stderr.write("sts-emulator: cannot reload RAM: %s\n" % e)
        fault = ram.take_fault(params.get("RoleArn"))
        if fault and fault["delay"] > 0:
            time.sleep(fault["delay"])
        try:
            if fault and not fault["pass"]:
                entry["fault"] = True
                raise STSError(fault["status"], fault["code"], fault.get("message"),
                               detail="injected fault")
            facts, resp = assume_role_with_saml(params, ram, self.server.xmlsec1)
            resp = dict({"RequestId": request_id}, **resp)
            entry.update(status=200, access_key_id=resp["Credentials"]["AccessKeyId"],
                         session_name=facts["session_name"], expiration=facts["expiration"])
            with ram.lock:
                ram.issued.append(dict(resp["Credentials"], RequestId=request_id,
                                       RoleArn=params.get("RoleArn"),
                                       SAMLProviderArn=params.get("SAMLProviderArn"),
                                       AccountId=params.get("RoleArn", "").split(":")[3],
                                       AssumedRoleArn=resp["AssumedRoleUser"]["Arn"],
                                       SessionName=facts["session_name"]))
            self._log(entry, started)
            if as_xml:
                return self._send(200, to_xml("AssumeRoleWithSAMLResponse", resp),
                                  "text/xml;charset=utf-8", request_id)
            return self._send_json(200, resp, request_id)
        except STSError as e:
            entry.update(status=e.status, code=e.code)
            if e.detail:
                sys.stderr.write("sts-emulator: %s %s: %s\n" % (request_id, e.code, e.detail))
            self._log(entry, started)
            if fault and fault.get("body") is not None:
                return self._send(e.status, fault["body"].encode(),
                                  fault.get("content_type") or "text/plain;charset=utf-8",
                                  request_id)
            err = {"RequestId": request_id, "HostId": HOST_ID, "Code": e.code,
                   "Message": e.message}
            if as_xml:
                return self._send(e.status, to_xml("Error", err), "text/xml;charset=utf-8",
                                  request_id)
            return self._send_json(e.status, err, request_id)
        except Exception as e:  # noqa: BLE001 - an emulator bug must still answer
            entry.update(status=500, code="InternalError")
            sys.stderr.write("sts-emulator: %s internal error: %r\n" % (request_id, e))
            self._log(entry, started)
            return self._send_json(500, {"RequestId": request_id, "HostId": HOST_ID,
                                         "Code": "InternalError",
                                         "Message": MESSAGES["InternalError"]}, request_id)

    def _log(self, entry, started):
        entry["elapsed_ms"] = int((time.time() - started) * 1000)
        line = json.dumps(entry, sort_keys=True) + "\n"
        srv = self.server
        if not srv.log_path:
            return
        with srv.log_lock:
            with open(srv.log_path, "a") as f:
                f.write(line)
                f.flush()


class STSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(ram_path, site=None, port=0, log_path=None, clock_offset=None,
                clock_skew=None, xmlsec1="xmlsec1"):
    """A ready-to-serve STSServer on 127.0.0.1 (call serve_forever())."""
    srv = STSServer((LOOPBACK, port), Handler)
    srv.ram = Ram(ram_path, site=site, clock_offset=clock_offset, clock_skew=clock_skew)
    srv.log_path = log_path
    srv.log_lock = threading.Lock()
    srv.xmlsec1 = xmlsec1
    return srv


def main(argv=None):
    ap = argparse.ArgumentParser(description="Alibaba Cloud STS AssumeRoleWithSAML emulator")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ram", required=True, help="RAM.json (providers, roles, faults)")
    ap.add_argument("--site", choices=sorted(SITES), default=None)
    ap.add_argument("--log", default=None, help="append one JSON line per STS call")
    ap.add_argument("--clock-offset", type=float, default=None)
    ap.add_argument("--clock-skew", type=float, default=None)
    ap.add_argument("--xmlsec1", default="xmlsec1")
    args = ap.parse_args(argv)
    srv = make_server(args.ram, site=args.site, port=args.port, log_path=args.log,
                      clock_offset=args.clock_offset, clock_skew=args.clock_skew,
                      xmlsec1=args.xmlsec1)
    sys.stdout.write("READY %d\n" % srv.server_address[1])
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
