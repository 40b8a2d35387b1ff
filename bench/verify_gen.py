#!/usr/bin/python3
"""Signed SAMLResponses for the verify benchmark, shaped like SimpleSAMLphp's
(Response and Assertion both signed, enveloped + exclusive c14n, RSA-SHA256,
the certificate in KeyInfo, xsi:type'd attribute values, NameFormat uri).

    verify_gen.py OUTDIR ROLES... [--now EPOCH]

writes OUTDIR/idp.key, OUTDIR/idp.pem (a throwaway RSA-2048 key made with
the openssl CLI) and OUTDIR/roles-<N>.xml for each N, signed with the
xmlsec1 CLI.  The responses are valid for a day from --now (default: now)
so that peers checking the real clock accept them during a long run.
Stdlib only; bench/verify_bench.py imports it.
"""

import os
import subprocess
import sys
import time

ISSUER = "https://idp.example.test/simplesaml/saml2/idp/metadata.php"
ACS = "https://signin.aliyun.com/saml-role/sso"
AUDIENCE = "urn:alibaba:cloudcomputing"
ACCOUNT = "1234567890123456"
ROLE_ATTR = "https://www.aliyun.com/SAML-Role/Attributes/Role"
NAME_ATTR = "https://www.aliyun.com/SAML-Role/Attributes/RoleSessionName"
URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
LIFETIME = 86400
RESPONSE_ID = "_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6"
ASSERTION_ID = "_d71a3a8e9fcc45c9e9d248ef7049393fc8f04e5f75"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def sig_template(ref_id):
    return (
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3'
        '.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://'
        'www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#%s">'
        '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/'
        'xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3'
        '.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod '
        'Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
        '</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo>'
        '<ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>'
        '</ds:Signature>' % ref_id)


def role_values(n):
    return "".join(
        '<saml:AttributeValue xsi:type="xs:string">acs:ram::%s:role/'
        'role-%04d,acs:ram::%s:saml-provider/simplesamlphp'
        '</saml:AttributeValue>' % (ACCOUNT, i, ACCOUNT) for i in range(n))


def response(n, now):
    rid, aid = RESPONSE_ID, ASSERTION_ID
    na = iso(now + LIFETIME)
    assertion = (
        '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
        'instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="%s" '
        'Version="2.0" IssueInstant="%s"><saml:Issuer>%s</saml:Issuer>%s'
        '<saml:Subject><saml:NameID SPNameQualifier="%s" Format="urn:oasis:'
        'names:tc:SAML:2.0:nameid-format:transient">_ce3d2948b4cf20146dee0a0b3'
        'dd6f69b6cf86f62d7</saml:NameID><saml:SubjectConfirmation Method="urn:'
        'oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData '
        'NotOnOrAfter="%s" Recipient="%s"/></saml:SubjectConfirmation>'
        '</saml:Subject><saml:Conditions NotBefore="%s" NotOnOrAfter="%s">'
        '<saml:AudienceRestriction><saml:Audience>%s</saml:Audience>'
        '</saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement '
        'AuthnInstant="%s" SessionNotOnOrAfter="%s" SessionIndex="_be9967ab'
        'd904ddcae3c0eb4189adbe3f71e327cf93"><saml:AuthnContext>'
        '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:'
        'Password</saml:AuthnContextClassRef></saml:AuthnContext>'
        '</saml:AuthnStatement><saml:AttributeStatement><saml:Attribute '
        'Name="%s" NameFormat="%s"><saml:AttributeValue xsi:type="xs:string">'
        'alice</saml:AttributeValue></saml:Attribute><saml:Attribute Name="%s"'
        ' NameFormat="%s">%s</saml:Attribute></saml:AttributeStatement>'
        '</saml:Assertion>'
        % (aid, iso(now), ISSUER, sig_template(aid), AUDIENCE, na, ACS,
           iso(now - 30), na, AUDIENCE, iso(now), iso(now + 8 * 3600),
           NAME_ATTR, URI_FORMAT, ROLE_ATTR, URI_FORMAT, role_values(n)))
    return (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="%s" '
        'Version="2.0" IssueInstant="%s" Destination="%s"><saml:Issuer>%s'
        '</saml:Issuer>%s<samlp:Status><samlp:StatusCode Value="urn:oasis:'
        'names:tc:SAML:2.0:status:Success"/></samlp:Status>%s'
        '</samlp:Response>'
        % (rid, iso(now), ACS, ISSUER, sig_template(rid), assertion)), rid, aid


def keypair(outdir):
    key = os.path.join(outdir, "idp.key")
    cert = os.path.join(outdir, "idp.pem")
    if not (os.path.exists(key) and os.path.exists(cert)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256",
             "-nodes", "-keyout", key, "-out", cert, "-days", "3650",
             "-subj", "/CN=idp.example.test"],
            check=True, capture_output=True)
    return key, cert


def sign(xml, node_id, key, cert, workdir):
    src = os.path.join(workdir, "in.xml")
    with open(src, "w") as f:
        f.write('<?xml version="1.0"?>\n' + xml)
    out = subprocess.run(
        ["xmlsec1", "--sign", "--id-attr:ID",
         "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--id-attr:ID",
         "urn:oasis:names:tc:SAML:2.0:protocol:Response", "--node-id",
         node_id, "--privkey-pem", "%s,%s" % (key, cert), src],
        check=True, capture_output=True)
    os.unlink(src)
    return out.stdout.decode().split("?>", 1)[1].lstrip("\n")


def generate(outdir, counts, now):
    """{n: path of roles-<n>.xml}; also idp.key and idp.pem in outdir."""
    os.makedirs(outdir, exist_ok=True)
    key, cert = keypair(outdir)
    paths = {}
    for n in counts:
        xml, rid, aid = response(n, now)
        xml = sign(sign(xml, aid, key, cert, outdir), rid, key, cert, outdir)
        path = os.path.join(outdir, "roles-%d.xml" % n)
        with open(path, "w") as f:
            f.write(xml)
        paths[n] = path
    return paths


if __name__ == "__main__":
    args = sys.argv[1:]
    when = int(time.time())
    if "--now" in args:
        i = args.index("--now")
        when = int(args[i + 1])
        del args[i:i + 2]
    generate(args[0], [int(a) for a in args[1:]], when)
