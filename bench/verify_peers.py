#!/usr/bin/python3
"""Python peers for bench/verify_bench.py, one worker process each:

    verify_peers.py PEER CERT AUDIENCE ACS ISSUER

PEER is xmlsec-lxml (python3-xmlsec + python3-lxml: the minimal
verifier, the key loaded once), onelogin (python3-onelogin-saml2:
OneLogin_Saml2_Response.is_valid) or lasso (python3-lasso: a Login
processing the POSTed response against the IdP's metadata).  Each
operation takes the base64 SAMLResponse, as an SP receives it, and ends
with the Role attribute values read from the verified assertion.  The
line protocol is verify_bench.c's: load NAME FILE, check NAME, run NAME
N (answers: ok, "ok ROLES" / "fail WHY", seconds).
"""

import base64
import sys
import time

ROLE = "https://www.aliyun.com/SAML-Role/Attributes/Role"
NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
      "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}


class XmlsecLxml:
    def __init__(self, cert, audience, acs, issuer):
        import lxml.etree
        import xmlsec
        self.etree, self.xmlsec = lxml.etree, xmlsec
        self.key = xmlsec.Key.from_file(cert, xmlsec.constants.KeyDataFormatCertPem)
        self.parser = lxml.etree.XMLParser(resolve_entities=False,
                                           no_network=True, load_dtd=False)

    def roles(self, b64):
        root = self.etree.fromstring(base64.b64decode(b64), self.parser)
        self.xmlsec.tree.add_ids(root, ["ID"])
        assertion = root.find("saml:Assertion", NS)
        signed = 0
        for el in (root, assertion):
            sig = el.find("ds:Signature", NS)
            if sig is None:
                continue
            ctx = self.xmlsec.SignatureContext()
            ctx.key = self.key
            ctx.verify(sig)  # raises on a bad signature
            signed += 1
        if not signed:
            raise ValueError("unsigned")
        return [v.text for v in assertion.findall(
            "saml:AttributeStatement/saml:Attribute[@Name='%s']/"
            "saml:AttributeValue" % ROLE, NS)]


class OneLogin:
    def __init__(self, cert, audience, acs, issuer):
        from onelogin.saml2.response import OneLogin_Saml2_Response
        from onelogin.saml2.settings import OneLogin_Saml2_Settings
        with open(cert) as f:
            x509 = "".join(f.read().split("-----")[2].split())
        self.settings = OneLogin_Saml2_Settings({
            "strict": True,
            "sp": {"entityId": audience,
                   "assertionConsumerService": {"url": acs}},
            "idp": {"entityId": issuer,
                    "singleSignOnService": {"url": issuer},
                    "x509cert": x509},
            "security": {"wantAssertionsSigned": True},
        }, sp_validation_only=True)
        self.response = OneLogin_Saml2_Response
        self.request = {"https": "on", "http_host": acs.split("/")[2],
                        "script_name": "/" + acs.split("/", 3)[3],
                        "server_port": "443"}

    def roles(self, b64):
        r = self.response(self.settings, b64)
        if not r.is_valid(self.request, raise_exceptions=True):
            raise ValueError(r.get_error())
        return r.get_attributes()[ROLE]


class Lasso:
    def __init__(self, cert, audience, acs, issuer):
        import lasso
        self.lasso = lasso
        with open(cert) as f:
            x509 = "".join(f.read().split("-----")[2].split())
        sp = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:'
              'metadata" entityID="%s"><md:SPSSODescriptor '
              'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:'
              'protocol"><md:AssertionConsumerService index="0" Binding="'
              'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s"'
              '/></md:SPSSODescriptor></md:EntityDescriptor>'
              % (audience, acs))
        idp = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:'
               'metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
               'entityID="%s"><md:IDPSSODescriptor protocolSupport'
               'Enumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
               '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
               '<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>'
               '</ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService '
               'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"'
               ' Location="%s"/></md:IDPSSODescriptor></md:EntityDescriptor>'
               % (issuer, x509, issuer))
        self.server = lasso.Server.newFromBuffers(sp)
        self.server.addProviderFromBuffer(lasso.PROVIDER_ROLE_IDP, idp)

    def roles(self, b64):
        login = self.lasso.Login(self.server)
        login.processAuthnResponseMsg(b64)  # raises on a bad signature
        login.acceptSso()
        out = []
        for st in login.assertion.attributeStatement:
            for a in st.attribute:
                if a.name == ROLE:
                    out += [v.any[0].content for v in a.attributeValue]
        return out


PEERS = {"xmlsec-lxml": XmlsecLxml, "onelogin": OneLogin, "lasso": Lasso}


def main():
    peer = PEERS[sys.argv[1]](*sys.argv[2:6])
    docs = {}
    for line in sys.stdin:
        cmd = line.split()
        try:
            if cmd[0] == "load":
                with open(cmd[2], "rb") as f:
                    docs[cmd[1]] = base64.b64encode(f.read()).decode()
                print("ok")
            elif cmd[0] == "check":
                print("ok %d" % len(peer.roles(docs[cmd[1]])))
            elif cmd[0] == "run":
                b64, n = docs[cmd[1]], int(cmd[2])
                t0 = time.perf_counter()
                for _ in range(n):
                    peer.roles(b64)
                print("%.9f" % (time.perf_counter() - t0))
            else:
                print("fail unknown command")
        except Exception as e:  # noqa: BLE001 (report, keep serving)
            print("fail %s" % (str(e).splitlines() or [type(e).__name__])[0])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
