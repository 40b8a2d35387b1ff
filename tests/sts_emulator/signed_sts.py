#!/usr/bin/python3
"""Signed actions of the STS emulator: STS AssumeRole and GetCallerIdentity
(Version 2015-04-01) and RAM GetAccountAlias (Version 2015-05-01).

Imported by sts_emulator.py, which routes a request here when it carries
RPC signature parameters (Signature, AccessKeyId or SignatureMethod); an
unsigned request keeps the AssumeRoleWithSAML behaviour (an unsigned
AssumeRole is still 404 InvalidAction.NotFound there). Standard library only.

What a signed call must pass, in this order (protocol notes 2.1, 2.5, 2.8):
    Action not one of the three                 404 InvalidAction.NotFound
    a parameter named twice (query + body)      400 InvalidParameter
    Version not the action's                    400 InvalidParameter
    Signature / AccessKeyId / SignatureNonce missing, SignatureMethod not
      HMAC-SHA1, SignatureVersion not 1.0       400 IncompleteSignature
    Timestamp missing                           400 MissingParameter
    Timestamp not YYYY-MM-DDTHH:MM:SSZ          400 InvalidTimeStamp.Format
    Timestamp more than the window (900 s, or clock_skew when larger) from
      the emulator's clock                      400 InvalidTimeStamp.Expired
    AccessKeyId neither issued here nor in access_keys
                                                404 InvalidAccessKeyId.NotFound
    key with "active": false                    400 InvalidAccessKeyId.Inactive
    HMAC-SHA1 over every parameter but Signature (query and form body,
      the request's method), key = secret + "&", recomputed with the
      secret this emulator issued               400 SignatureDoesNotMatch
                                                (message ends with the
                                                server's string to sign)
    SignatureNonce seen for this key within 2 x window
                                                400 SignatureNonceUsed
    STS key: SecurityToken missing              400 MissingSecurityToken
             SecurityToken not the key's        400 InvalidSecurityToken.MismatchWithAccessKey
             credentials expired                400 InvalidSecurityToken.Expired
    RAM user key with a SecurityToken           400 InvalidSecurityToken.MismatchWithAccessKey
AssumeRole then:
    RoleArn / RoleSessionName missing           400 MissingParameter.<name>
    RoleArn not acs:ram::<uid>:role/<name>      400 InvalidParameter.RoleArn
    RoleSessionName not 2..64 of [A-Za-z0-9.@_-]
                                                400 InvalidParameter.RoleSessionName
    DurationSeconds not an integer >= 900       400 InvalidParameter.DurationSeconds
    Policy longer than 2048 / not a policy      400 InvalidParameter.PolicySize / .PolicyGrammar
    ExternalId not 2..1224 of [\\w+=,.@:/-]     400 InvalidParameter.ExternalId
    role not in RAM                             404 EntityNotExist.Role
    caller is an account's root key             403 NoPermission
    trust policy does not name the caller       403 NoPermission
    role wants an ExternalId and it differs     403 NoPermission
    DurationSeconds > the role's max            400 InvalidParameter.DurationSeconds
    signer is an STS key and DurationSeconds > chained_max_duration (3600)
                                                400 InvalidParameter.DurationSeconds
Errors: {"RequestId", "HostId", "Code", "Message", "Recommend"}.

RAM.json additions
------------------
    "roles": {ARN: {"max_session_duration": 3600,
                    "trusted_principals": ["acs:ram::<uid>:role/<name>",  a role
                                           "acs:ram::<uid>:user/<name>",  a user
                                           "<uid>" or "acs:ram::<uid>:root"],  any of the account
                    "external_id": "..."}}                 optional
    "access_keys": {"LTAI...": {"secret": "...", "arn": "acs:ram::<uid>:user/<n>"
                                 or "acs:ram::<uid>:root", "active": true}}
    "accounts": {"<uid>": {"alias": "corp-main", "deny_alias": false}}
    "chained_max_duration": 3600, "timestamp_window": 900

Credentials issued by AssumeRoleWithSAML or AssumeRole (or registered with
POST /_emulator/credentials) sign further calls. Each signed call is one line
of the call log: action, caller_key_id, caller_arn, role_arn, session_name,
duration, status, code, reason (why a check failed; never a secret),
access_key_id and expiration of what was issued, signed: true.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import time
import urllib.parse

STS_HOST = "sts.aliyuncs.com"
RAM_HOST = "ram.aliyuncs.com"
ACTIONS = {
    "AssumeRole": ("2015-04-01", STS_HOST, "Sts"),
    "GetCallerIdentity": ("2015-04-01", STS_HOST, "Sts"),
    "GetAccountAlias": ("2015-05-01", RAM_HOST, "Ram"),
}
SIGNATURE_PARAMS = ("Signature", "AccessKeyId", "SignatureMethod")
TIMESTAMP_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$")
ROLE_ARN_RE = re.compile(r"^acs:ram::(\d+):role/([^/\s]+)$", re.I)
SESSION_NAME_RE = re.compile(r"^[A-Za-z0-9.@_\-]{2,64}$")
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/\-]{2,1224}$")
ALNUM = string.ascii_letters + string.digits

MESSAGES = {
    "InvalidAction.NotFound": "Specified api is not found, please check your url and method.",
    "InvalidParameter": "The parameter Version is invalid.",
    "IncompleteSignature": "The request signature does not conform to Aliyun standards.",
    "MissingParameter": 'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
    "InvalidTimeStamp.Format": "Specified time stamp or date value is not well formatted.",
    "InvalidTimeStamp.Expired": "Specified time stamp or date value is expired.",
    "InvalidAccessKeyId.NotFound": "Specified access key is not found.",
    "InvalidAccessKeyId.Inactive": "Specified access key is disabled.",
    "SignatureDoesNotMatch": "Specified signature is not matched with our calculation.",
    "SignatureNonceUsed": "Specified signature nonce was used already.",
    "MissingSecurityToken": "SecurityToken is mandatory for this action.",
    "InvalidSecurityToken.MismatchWithAccessKey": "Specified SecurityToken mismatch with the AccessKey.",
    "InvalidSecurityToken.Expired": "Specified SecurityToken is expired.",
    "MissingParameter.RoleArn": "RoleArn is mandatory for this action.",
    "MissingParameter.RoleSessionName": "RoleSessionName is mandatory for this action.",
    "InvalidParameter.RoleArn": "The parameter RoleArn is wrongly formed.",
    "InvalidParameter.RoleSessionName": "The parameter RoleSessionName is wrongly formed.",
    "InvalidParameter.DurationSeconds": "The Min/Max value of DurationSeconds is 15min/1hr.",
    "InvalidParameter.PolicySize": "The max size of policy string is 2048.",
    "InvalidParameter.PolicyGrammar": "The parameter Policy has not passed grammar check.",
    "InvalidParameter.ExternalId": "The parameter ExternalId is wrongly formed.",
    "EntityNotExist.Role": "The specified Role not exists.",
    "NoPermission": "You are not authorized to do this action. You should be authorized by RAM.",
    "InternalError": "The request processing has failed due to some unknown error.",
}


class SignedError(Exception):
    def __init__(self, status, code, message=None, reason=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message or MESSAGES.get(code, code)
        self.reason = reason  # for the call log: never a secret


def pe(s):
    """The signatures' percent-encoding: RFC 3986 unreserved kept, upper hex."""
    return urllib.parse.quote(s, safe="-_.~", encoding="utf-8")


def string_to_sign(method, params):
    canon = "&".join("%s=%s" % (pe(k), pe(v)) for k, v in sorted(params.items()))
    return "%s&%s&%s" % (method, pe("/"), pe(canon))


def signature(secret, sts):
    mac = hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def is_signed(params):
    return any(k in params for k in SIGNATURE_PARAMS)


def fmt_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_stamp(s):
    import calendar
    m = TIMESTAMP_RE.match(s)
    if not m:
        return None
    try:
        return calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))
    except (ValueError, OverflowError):
        return None


def role_id_of(role_arn):
    return str(int(hashlib.sha256(role_arn.lower().encode()).hexdigest(), 16))[:18]


def check_policy(policy):
    if len(policy) < 1 or len(policy) > 2048:
        raise SignedError(400, "InvalidParameter.PolicySize")
    try:
        doc = json.loads(policy)
    except ValueError:
        raise SignedError(400, "InvalidParameter.PolicyGrammar")
    if (not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list)
            or not doc["Statement"]):
        raise SignedError(400, "InvalidParameter.PolicyGrammar")


class Caller:
    """Who signed: an STS key issued here, a RAM user's key or a root key."""

    def __init__(self, key_id, secret, token=None, expiration=None, account=None,
                 arn=None, role_arn=None, session=None, kind="sts", active=True):
        self.key_id, self.secret, self.token = key_id, secret, token
        self.expiration, self.account, self.arn = expiration, account, arn
        self.role_arn, self.session, self.kind, self.active = role_arn, session, kind, active


def find_caller(ram, key_id):
    with ram.lock:
        issued = [c for c in ram.issued if c.get("AccessKeyId") == key_id]
    if issued:
        c = issued[-1]
        role_arn = c.get("RoleArn") or ""
        m = ROLE_ARN_RE.match(role_arn)
        account = c.get("AccountId") or (m.group(1) if m else "")
        session = c.get("SessionName") or "session"
        arn = c.get("AssumedRoleArn") or "acs:ram::%s:role/%s/%s" % (
            account, m.group(2) if m else "unknown", session)
        return Caller(key_id, c.get("AccessKeySecret"), c.get("SecurityToken"),
                      parse_stamp(c.get("Expiration") or ""), account, arn, role_arn, session)
    ak = (ram.data.get("access_keys") or {}).get(key_id)
    if ak is None:
        return None
    arn = ak.get("arn", "")
    m = re.match(r"^acs:ram::(\d+):", arn)
    kind = "root" if arn.endswith(":root") else "user"
    return Caller(key_id, ak.get("secret", ""), account=m.group(1) if m else "",
                  arn=arn, kind=kind, active=ak.get("active", True))


def parse_params(query, body, ctype):
    """Every parameter of query and form body; a name given twice is refused."""
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if body and (ctype == "" or ctype.lower().startswith("application/x-www-form-urlencoded")):
        try:
            pairs += urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                            strict_parsing=False)
        except UnicodeDecodeError:
            raise SignedError(400, "InvalidParameter", "The request body is not UTF-8.")
    params = {}
    for k, v in pairs:
        if k in params:
            raise SignedError(400, "InvalidParameter",
                              "The parameter %s is given more than once." % k,
                              reason="duplicate %s" % k)
        params[k] = v
    return params


def authenticate(ram, method, params):
    """The common-parameter and signature checks; returns the Caller."""
    action = params.get("Action")
    version, _, _ = ACTIONS[action]
    if params.get("Version") != version:
        raise SignedError(400, "InvalidParameter", reason="Version %r" % params.get("Version"))
    for name in ("Signature", "AccessKeyId", "SignatureNonce"):
        if not params.get(name):
            raise SignedError(400, "IncompleteSignature", reason="no " + name)
    if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
        raise SignedError(400, "IncompleteSignature", reason="SignatureMethod/Version")
    if "Timestamp" not in params:
        raise SignedError(400, "MissingParameter", reason="no Timestamp")
    stamp = parse_stamp(params["Timestamp"])
    if stamp is None:
        raise SignedError(400, "InvalidTimeStamp.Format", reason="Timestamp format")
    window = max(float(ram.data.get("timestamp_window", 900)), ram.clock_skew)
    now = ram.now()
    if abs(stamp - now) > window:
        raise SignedError(400, "InvalidTimeStamp.Expired",
                          reason="Timestamp %+d s from the emulator's clock" % (stamp - now))
    caller = find_caller(ram, params["AccessKeyId"])
    if caller is None:
        raise SignedError(404, "InvalidAccessKeyId.NotFound", reason="unknown AccessKeyId")
    if not caller.active:
        raise SignedError(400, "InvalidAccessKeyId.Inactive", reason="inactive AccessKeyId")
    signed = dict((k, v) for k, v in params.items() if k != "Signature")
    sts = string_to_sign(method, signed)
    if not hmac.compare_digest(signature(caller.secret, sts), params["Signature"]):
        raise SignedError(400, "SignatureDoesNotMatch",
                          MESSAGES["SignatureDoesNotMatch"] + " server string to sign is:" + sts,
                          reason="signature")
    with ram.lock:
        nonces = ram.__dict__.setdefault("nonces", {})
        horizon = now - 2 * window
        for k in [k for k, t in nonces.items() if t < horizon]:
            del nonces[k]
        key = (caller.key_id, params["SignatureNonce"])
        if key in nonces:
            raise SignedError(400, "SignatureNonceUsed", reason="nonce replayed")
        nonces[key] = now
    token = params.get("SecurityToken")
    if caller.kind == "sts":
        if not token:
            raise SignedError(400, "MissingSecurityToken", reason="no SecurityToken")
        if not hmac.compare_digest(token.encode(), (caller.token or "").encode()):
            raise SignedError(400, "InvalidSecurityToken.MismatchWithAccessKey",
                              reason="SecurityToken of another key")
        if caller.expiration is None or caller.expiration <= now:
            raise SignedError(400, "InvalidSecurityToken.Expired", reason="token expired")
    elif token:
        raise SignedError(400, "InvalidSecurityToken.MismatchWithAccessKey",
                          reason="SecurityToken with a permanent key")
    return caller


def trusted(role, caller):
    principals = role.get("trusted_principals", [])
    principals = [principals] if isinstance(principals, str) else list(principals)
    names = {caller.account, "acs:ram::%s:root" % caller.account}
    if caller.kind == "sts":
        names.add((caller.role_arn or "").lower())
    else:
        names.add((caller.arn or "").lower())
    return any(p.lower() in names or p in names for p in principals)


def assume_role(ram, params, caller, entry):
    for name in ("RoleArn", "RoleSessionName"):
        if not params.get(name):
            raise SignedError(400, "MissingParameter." + name)
    role_arn = params["RoleArn"].strip()
    m = ROLE_ARN_RE.match(role_arn)
    if not m:
        raise SignedError(400, "InvalidParameter.RoleArn")
    session = params["RoleSessionName"]
    if not SESSION_NAME_RE.match(session):
        raise SignedError(400, "InvalidParameter.RoleSessionName")
    duration = params.get("DurationSeconds")
    if duration not in (None, ""):
        if not re.fullmatch(r"[0-9]{1,10}", duration) or int(duration) < 900:
            raise SignedError(400, "InvalidParameter.DurationSeconds")
        duration = int(duration)
    else:
        duration = 3600
    if params.get("Policy") is not None:
        check_policy(params["Policy"])
    ext = params.get("ExternalId")
    if ext is not None and not EXTERNAL_ID_RE.match(ext):
        raise SignedError(400, "InvalidParameter.ExternalId")
    role = ram.roles.get(role_arn.lower())
    if role is None:
        raise SignedError(404, "EntityNotExist.Role", "The role not exists: %s." % role_arn,
                          reason="no such role")
    if caller.kind == "root":
        raise SignedError(403, "NoPermission", "Roles may not be assumed by root accounts.",
                          reason="root key")
    if not trusted(role, caller):
        raise SignedError(403, "NoPermission", reason="trust policy does not name %s" % (
            caller.role_arn if caller.kind == "sts" else caller.arn))
    want = role.get("external_id")
    if want is not None and not hmac.compare_digest((ext or "").encode(), want.encode()):
        raise SignedError(403, "NoPermission", reason="external_id")
    max_dur = int(role.get("max_session_duration", 3600))
    if duration > max_dur:
        raise SignedError(400, "InvalidParameter.DurationSeconds",
                          "The Min/Max value of DurationSeconds is 15min/%s." % (
                              "%dhr" % (max_dur // 3600) if max_dur % 3600 == 0 else "%ds" % max_dur),
                          reason="above the role's max %d" % max_dur)
    chained_max = int(ram.data.get("chained_max_duration", 3600))
    if caller.kind == "sts" and duration > chained_max:
        raise SignedError(400, "InvalidParameter.DurationSeconds",
                          "The DurationSeconds of a chained role session is at most %d." % chained_max,
                          reason="chained session above %d" % chained_max)
    uid, role_name = m.group(1), m.group(2)
    role_id = role_id_of(role_arn)
    creds = {
        "AccessKeyId": "STS." + "".join(secrets.choice(ALNUM) for _ in range(25)),
        "AccessKeySecret": "".join(secrets.choice(ALNUM) for _ in range(44)),
        "SecurityToken": "CAIS" + base64.b64encode(secrets.token_bytes(420)).decode(),
        "Expiration": fmt_time(ram.now() + duration),
    }
    arn = "acs:ram::%s:role/%s/%s" % (uid, role_name, session)
    entry.update(session_name=session, duration=str(duration), access_key_id=creds["AccessKeyId"],
                 expiration=creds["Expiration"], external_id_sent=ext is not None)
    return creds, {
        "AssumedRoleUser": {"Arn": arn, "AssumedRoleId": "%s:%s" % (role_id, session)},
        "Credentials": creds,
    }, {"RoleArn": role_arn, "AccountId": uid, "AssumedRoleArn": arn, "SessionName": session,
        "SignedBy": caller.key_id}


def caller_identity(caller):
    if caller.kind == "sts":
        role_id = role_id_of(caller.role_arn or "")
        return {"AccountId": caller.account, "Arn": caller.arn, "IdentityType": "AssumedRoleUser",
                "PrincipalId": "%s:%s" % (role_id, caller.session), "RoleId": role_id}
    if caller.kind == "root":
        return {"AccountId": caller.account, "Arn": caller.arn, "IdentityType": "Account",
                "PrincipalId": caller.account}
    user_id = str(int(hashlib.sha256(caller.arn.encode()).hexdigest(), 16))[:16]
    return {"AccountId": caller.account, "Arn": caller.arn, "IdentityType": "RAMUser",
            "PrincipalId": user_id, "UserId": user_id}


def account_alias(ram, caller):
    acct = (ram.data.get("accounts") or {}).get(caller.account) or {}
    if acct.get("deny_alias"):
        raise SignedError(403, "NoPermission", reason="ram:GetAccountAlias denied")
    return {"AccountAlias": acct.get("alias", "")}


def serve(handler, url, body, ctype, request_id, started):
    """Answer one signed request on handler (a BaseHTTPRequestHandler of
    sts_emulator) and log it."""
    ram = handler.server.ram
    entry = {"time": fmt_time(time.time()), "request_id": request_id, "method": handler.command,
             "signed": True, "action": None, "version": None, "caller_key_id": None,
             "caller_arn": None, "role_arn": None, "session_name": None, "duration": None,
             "status": None, "code": None, "reason": None, "access_key_id": None,
             "expiration": None, "fault": False, "content_type": ctype or None}
    host = STS_HOST
    try:
        ram.reload()
    except (OSError, ValueError):
        pass
    fault = None
    try:
        params = parse_params(url.query, body, ctype)
        action = params.get("Action")
        entry.update(action=action, version=params.get("Version"),
                     caller_key_id=params.get("AccessKeyId"), role_arn=params.get("RoleArn"),
                     duration=params.get("DurationSeconds"))
        if action not in ACTIONS:
            raise SignedError(404, "InvalidAction.NotFound")
        host = ACTIONS[action][1]
        fault = ram.take_fault(params.get("RoleArn"), action)
        if fault and fault["delay"] > 0:
            time.sleep(fault["delay"])
        if fault and not fault["pass"]:
            entry["fault"] = True
            raise SignedError(fault["status"], fault["code"], fault.get("message"),
                              reason="injected fault")
        caller = authenticate(ram, handler.command, params)
        entry["caller_arn"] = caller.arn
        if action == "AssumeRole":
            creds, out, ident = assume_role(ram, params, caller, entry)
            with ram.lock:
                ram.issued.append(dict(creds, RequestId=request_id, **ident))
        elif action == "GetCallerIdentity":
            out = caller_identity(caller)
        else:
            out = account_alias(ram, caller)
        entry.update(status=200)
        handler._log(entry, started)
        return handler._send_json(200, dict({"RequestId": request_id}, **out), request_id)
    except SignedError as e:
        entry.update(status=e.status, code=e.code, reason=e.reason)
        handler._log(entry, started)
        if fault and fault.get("body") is not None:
            return handler._send(e.status, fault["body"].encode(),
                                 fault.get("content_type") or "text/plain;charset=utf-8",
                                 request_id)
        product = ACTIONS.get(entry["action"], (None, None, "Sts"))[2]
        return handler._send_json(e.status, {
            "RequestId": request_id, "HostId": host, "Code": e.code, "Message": e.message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=%s&product=%s" % (e.code, product),
        }, request_id)
