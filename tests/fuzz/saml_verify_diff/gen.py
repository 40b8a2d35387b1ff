#!/usr/bin/python3
"""Seeds for the differential verify tests: signature shapes and edge
cases beyond the attack corpus of tests/fixtures/saml/signed/.

Each seed is a SAMLResponse signed with the xmlsec1 CLI (throwaway RSA
and EC P-256 keys made with the openssl CLI), some then edited in ways
that keep or break the signature.  tests/unit/saml/differential.c and
tests/fuzz/saml_verify_diff_fuzzer.c run every seed through the direct
verifier and through xmlsec1 and require the same verdict, so a seed
needs no expected result; NOTES below says what each one exercises.

    gen.py [OUTDIR] [--now EPOCH]

writes OUTDIR/<case>.xml (default: ../corpora/saml_verify_diff) and
rsa.pem, ec.pem beside this script (the certificates the tests pin,
with tests/fixtures/saml/signed/idp.pem).  The committed files were made
with --now 1767323045, the clock of the signed corpus.  Stdlib only.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "saml",
                                "signed"))
import gen  # noqa: E402

DSIG = "http://www.w3.org/2000/09/xmldsig#"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_WC = EXC + "WithComments"
INC = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
INC_WC = INC + "#WithComments"
ENV = DSIG + "enveloped-signature"
MORE = "http://www.w3.org/2001/04/xmldsig-more#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384 = MORE + "sha384"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

NOTES = {
    "rsa-sha384": "RSA-SHA384 over a SHA-384 digest",
    "rsa-sha512": "RSA-SHA512 over a SHA-512 digest",
    "ecdsa-sha256": "ECDSA P-256, r||s converted to DER",
    "ecdsa-sha512": "ECDSA P-256 with SHA-512",
    "ecdsa-both": "ECDSA on Response and Assertion",
    "inclusive": "inclusive c14n transform and SignedInfo c14n",
    "inclusive-comments": "inclusive c14n #WithComments",
    "exc-comments": "exclusive #WithComments, a comment in the Response",
    "enveloped-only": "no c14n transform: inclusive c14n implied",
    "prefixlist": "InclusiveNamespaces PrefixList=xs on both c14n",
    "prefixlist-empty": "PrefixList='' (no prefix)",
    "prefixlist-default": "PrefixList=' xs': an empty token, #default",
    "default-ns": "unprefixed Assertion and Signature (ADFS style)",
    "pretty": "indented, escapes and char refs in text and attributes",
    "xml-lang": "xml:lang and xml:space attributes",
    "pi-in-response": "a PI outside the Assertion, Response signed",
    "no-keyinfo-object": "no KeyInfo, an Object after SignatureValue",
    "comment-in-signedinfo": "a comment inside SignedInfo (still valid)",
    "spaced-values": "line breaks and a comment in SignatureValue",
    "cdata-digest": "DigestValue inside CDATA",
    "junk-text-in-signature": "text between Signature children",
    "keyinfo-replaced": "KeyInfo holds another certificate",
    "extra-in-signedinfo": "an element after the Reference",
    "transforms-swapped": "c14n before enveloped-signature",
    "no-transforms": "Reference without Transforms",
    "two-c14n": "enveloped, exc-c14n, inc-c14n",
    "uri-namespaced": "a foo:URI attribute before URI",
    "digest-sloppy-base64": "spaces in the DigestValue padding",
    "digest-bad-base64": "DigestValue with a character outside base64",
    "digest-noncanonical-bits": "nonzero bits under '=' in DigestValue",
    "sigvalue-noncanonical-bits": "nonzero bits under '=' (xmlsec1 takes)",
    "signaturevalue-empty": "an empty SignatureValue",
    "ecdsa-short": "ECDSA value cut to an odd length",
    "unqualified-child": "an xmlns='' element in the signed Assertion",
    "id-with-space": "an ID XPointer splits",
    "rsa-key-ecdsa-method": "ecdsa-sha256 declared, RSA signature",
    "c14n11": "C14N 1.1 (not enabled)",
    "sha1-digest": "SHA-1 digest with RSA-SHA256",
    "signature-in-object": "SignedInfo repeated inside Object",
    "relative-namespace": "a relative namespace URI in the Response",
}


def template(ref_id, method=gen.RSA_SHA256, digest=SHA256, c14n=EXC,
             transforms=((ENV, None), (EXC, None)), c14n_prefixes=None,
             keyinfo=True, default_ns=False, obj=""):
    def alg(name, href, prefixes):
        inner = ""
        if prefixes is not None:
            inner = ('<ec:InclusiveNamespaces xmlns:ec="%s" '
                     'PrefixList="%s"/>' % (EXC, prefixes))
        return '<ds:%s Algorithm="%s">%s</ds:%s>' % (name, href, inner, name)

    ts = "".join(alg("Transform", h, p) for h, p in transforms)
    ki = ("<ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data>"
          "</ds:KeyInfo>" if keyinfo else "")
    xml = ('<ds:Signature xmlns:ds="%s"><ds:SignedInfo>%s'
           '<ds:SignatureMethod Algorithm="%s"/><ds:Reference URI="#%s">'
           '<ds:Transforms>%s</ds:Transforms><ds:DigestMethod '
           'Algorithm="%s"/><ds:DigestValue/></ds:Reference>'
           '</ds:SignedInfo><ds:SignatureValue/>%s%s</ds:Signature>'
           % (DSIG, alg("CanonicalizationMethod", c14n, c14n_prefixes),
              method, ref_id, ts, digest, ki, obj))
    if not transforms:
        xml = xml.replace("<ds:Transforms></ds:Transforms>", "")
    if default_ns:
        xml = (xml.replace('xmlns:ds="%s"' % DSIG, 'xmlns="%s"' % DSIG)
               .replace("<ds:", "<").replace("</ds:", "</"))
    return xml


class Keys(gen.Signer):
    def __init__(self, workdir):
        self.dir = workdir
        self.key, self.cert = self._keypair("rsa")
        self.ec_key = os.path.join(workdir, "ec.key")
        self.ec_cert = os.path.join(workdir, "ec.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.ec_key,
             "-out", self.ec_cert, "-days", "3650", "-subj",
             "/CN=ec.example.test"], check=True, capture_output=True)
        self.other_key, self.other_cert = self.key, self.cert
        self.hmac = None

    def sign_ec(self, xml, node_id):
        key, cert = self.key, self.cert
        self.key, self.cert = self.ec_key, self.ec_cert
        try:
            return self.sign(xml, node_id)
        finally:
            self.key, self.cert = key, cert


def a_signed(s, now, ec=False, **kw):
    xml = gen.response("_r1", now, gen.assertion("_a1", now,
                                                 sig=template("_a1", **kw)))
    try:
        return s.sign_ec(xml, "_a1") if ec else s.sign(xml, "_a1")
    except subprocess.CalledProcessError:
        # xmlsec1 will not sign this shape: sign the usual one, then put
        # the Transforms asked for in its place (the digest is stale).
        good = a_signed(s, now, ec=ec)
        want = template("_a1", **kw)
        t0, t1 = "<ds:Transforms>", "</ds:Transforms>"
        old = good[good.index(t0):good.index(t1) + len(t1)]
        new = (want[want.index(t0):want.index(t1) + len(t1)]
               if t0 in want else "")
        return good.replace(old, new, 1)


def r_signed(s, now, inner=None, extra="", **kw):
    inner = gen.assertion("_a1", now) if inner is None else inner
    xml = gen.response("_r1", now, inner, sig=template("_r1", **kw),
                       extra=extra)
    return s.sign(xml, "_r1")


def xs_assertion(now, sig):
    """An Assertion with xsi:type="xs:string" values: xs is used only
    inside attribute values, so exclusive c14n needs PrefixList=xs."""
    a = gen.assertion("_a1", now, sig=sig)
    a = a.replace('<saml:Assertion ', '<saml:Assertion xmlns:xs="http://'
                  'www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org'
                  '/2001/XMLSchema-instance" ')
    return a.replace("<saml:AttributeValue>",
                     '<saml:AttributeValue xsi:type="xs:string">')


def build(s, now):
    out = {}
    out["rsa-sha384"] = a_signed(s, now, method=MORE + "rsa-sha384",
                                 digest=SHA384)
    out["rsa-sha512"] = a_signed(s, now, method=MORE + "rsa-sha512",
                                 digest=SHA512)
    out["ecdsa-sha256"] = a_signed(s, now, ec=True,
                                   method=MORE + "ecdsa-sha256")
    out["ecdsa-sha512"] = a_signed(s, now, ec=True,
                                   method=MORE + "ecdsa-sha512",
                                   digest=SHA512)
    both = gen.response("_r1", now, gen.assertion(
        "_a1", now, sig=template("_a1", method=MORE + "ecdsa-sha256")),
        sig=template("_r1", method=MORE + "ecdsa-sha256"))
    out["ecdsa-both"] = s.sign_ec(s.sign_ec(both, "_a1"), "_r1")
    out["inclusive"] = a_signed(s, now, c14n=INC,
                                transforms=((ENV, None), (INC, None)))
    out["inclusive-comments"] = a_signed(
        s, now, c14n=INC_WC, transforms=((ENV, None), (INC_WC, None)))
    out["exc-comments"] = r_signed(
        s, now, c14n=EXC_WC, transforms=((ENV, None), (EXC_WC, None)),
        extra="<!-- a comment in the signed Response -->")
    out["enveloped-only"] = a_signed(s, now, transforms=((ENV, None),))
    sig = template("_a1", c14n_prefixes="xs",
                   transforms=((ENV, None), (EXC, "xs")))
    out["prefixlist"] = s.sign(gen.response("_r1", now,
                                            xs_assertion(now, sig)), "_a1")
    sig = template("_a1", transforms=((ENV, None), (EXC, "")))
    out["prefixlist-empty"] = s.sign(gen.response(
        "_r1", now, xs_assertion(now, sig)), "_a1")
    sig = template("_a1", transforms=((ENV, None), (EXC, " xs")))
    out["prefixlist-default"] = s.sign(gen.response(
        "_r1", now, xs_assertion(now, sig)), "_a1")
    a = gen.assertion("_a1", now, sig=template("_a1", default_ns=True))
    a = (a.replace("<saml:Assertion ", '<Assertion xmlns="urn:oasis:names:'
                   'tc:SAML:2.0:assertion" ')
         .replace("</saml:Assertion>", "</Assertion>"))
    a = a.replace("<saml:", "<").replace("</saml:", "</")
    out["default-ns"] = s.sign(gen.response("_r1", now, a), "_a1")
    a = gen.assertion("_a1", now, sig=template("_a1"),
                      name_id="a&amp;b &lt;c&gt; &quot;d&quot; &#13; e")
    a = (a.replace("><", ">\n  <")
         .replace('Version="2.0"', 'Version="2.0" Note="t&#9;a&#10;b&#13;'
                  'c &lt;&amp;&gt; &quot;"'))
    out["pretty"] = s.sign(gen.response("_r1", now, a), "_a1")
    a = gen.assertion("_a1", now, sig=template("_a1"))
    a = (a.replace('<saml:Assertion ', '<saml:Assertion xml:lang="en" ')
         .replace("<saml:Subject>", '<saml:Subject xml:space="preserve">'))
    out["xml-lang"] = s.sign(gen.response("_r1", now, a), "_a1")
    out["pi-in-response"] = r_signed(s, now, extra="<?note signed pi?>")
    out["no-keyinfo-object"] = a_signed(
        s, now, keyinfo=False, obj="<ds:Object>opaque</ds:Object>")

    base = a_signed(s, now)
    # Comments are refused inside the Assertion: these edit a signature
    # of the Response, where they may stand.
    rbase = r_signed(s, now)
    out["comment-in-signedinfo"] = rbase.replace(
        "<ds:SignatureMethod", "<!-- note --><ds:SignatureMethod", 1)
    # SignatureValue is outside SignedInfo: its text may change as long
    # as it decodes to the same bytes (DigestValue is signed: it may not).
    sv = rbase.index("<ds:SignatureValue>") + len("<ds:SignatureValue>")
    se = rbase.index("</ds:SignatureValue>")
    out["spaced-values"] = (rbase[:sv] + " \r\n" + rbase[sv:sv + 20] +
                            "<!-- c -->\n \t" + rbase[sv + 20:])
    value = "".join(rbase[sv:se].split())
    alpha = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
             "0123456789+/")
    # 256 bytes end in "x==": four bits under the padding, which xmlsec1
    # ignores (a strict decoder would not).
    flipped = value[:-3] + alpha[alpha.index(value[-3]) ^ 1] + "=="
    out["sigvalue-noncanonical-bits"] = rbase[:sv] + flipped + rbase[se:]
    dv = base.index("<ds:DigestValue>") + len("<ds:DigestValue>")
    end = base.index("</ds:DigestValue>")
    out["cdata-digest"] = (base[:dv] + "<![CDATA[" + base[dv:end] + "]]>"
                           + base[end:])
    out["junk-text-in-signature"] = base.replace(
        "</ds:SignedInfo>", "</ds:SignedInfo>junk text", 1)
    ki = base.index("<ds:X509Certificate>") + len("<ds:X509Certificate>")
    ke = base.index("</ds:X509Certificate>")
    with open(s.ec_cert) as f:
        other = "".join(f.read().split("-----")[2].split())
    out["keyinfo-replaced"] = base[:ki] + other + base[ke:]
    out["extra-in-signedinfo"] = base.replace(
        "</ds:Reference>", "</ds:Reference><ds:Object/>", 1)
    out["transforms-swapped"] = a_signed(
        s, now, transforms=((EXC, None), (ENV, None)))
    out["no-transforms"] = a_signed(s, now, transforms=())
    out["two-c14n"] = a_signed(
        s, now, transforms=((ENV, None), (EXC, None), (INC, None)))
    out["uri-namespaced"] = base.replace(
        '<ds:Reference URI="#_a1">', '<ds:Reference xmlns:foo="urn:foo" '
        'foo:URI="#_r1" URI="#_a1">', 1)
    digest = base[dv:end]
    out["digest-sloppy-base64"] = (base[:dv] + digest[:-1] + " \n= "
                                   + base[end:])
    # The same in a DigestValue: signed, so refused by both for that.
    alpha = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
             "0123456789+/")
    last = alpha[alpha.index(digest[-2]) ^ 1]
    out["digest-noncanonical-bits"] = (base[:dv] + digest[:-2] + last +
                                       "=" + base[end:])
    out["digest-bad-base64"] = base[:dv] + digest[:-3] + "-" + \
        digest[-2:] + base[end:]
    s0 = base.index("<ds:SignatureValue>") + len("<ds:SignatureValue>")
    s1 = base.index("</ds:SignatureValue>")
    out["signaturevalue-empty"] = base[:s0] + base[s1:]
    ec = out["ecdsa-sha256"]
    e0 = ec.index("<ds:SignatureValue>") + len("<ds:SignatureValue>")
    e1 = ec.index("</ds:SignatureValue>")
    out["ecdsa-short"] = ec[:e0] + ec[e0:e1].strip()[:-4] + "AA==" + ec[e1:]
    a = gen.assertion("_a1", now, sig=template("_a1"))
    a = a.replace("</saml:Issuer>", '</saml:Issuer><Note xmlns="">x</Note>',
                  1)
    out["unqualified-child"] = s.sign(gen.response("_r1", now, a), "_a1")
    out["id-with-space"] = base.replace('ID="_a1"', 'ID="_a 1"', 1).replace(
        'URI="#_a1"', 'URI="#_a 1"', 1)
    out["rsa-key-ecdsa-method"] = base.replace(
        gen.RSA_SHA256, MORE + "ecdsa-sha256", 1)
    out["c14n11"] = a_signed(s, now, c14n="http://www.w3.org/2006/12/"
                             "xml-c14n11")
    out["sha1-digest"] = a_signed(s, now, digest=gen.SHA1)
    si0 = base.index("<ds:SignedInfo>")
    si1 = base.index("</ds:SignedInfo>") + len("</ds:SignedInfo>")
    out["signature-in-object"] = base.replace(
        "</ds:Signature>", "<ds:Object>" + base[si0:si1] + "</ds:Object>"
        "</ds:Signature>", 1)
    # libxml2 will not canonicalize it, so xmlsec1 cannot sign it.
    out["relative-namespace"] = r_signed(s, now).replace(
        "<samlp:Status>", '<samlp:Extensions xmlns:rel="relative/ns">'
        '<rel:x/></samlp:Extensions><samlp:Status>', 1)
    assert set(out) == set(NOTES), set(out) ^ set(NOTES)
    return out


def generate(outdir, now):
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        s = Keys(tmp)
        docs = build(s, now)
        for src, dst in ((s.cert, "rsa.pem"), (s.ec_cert, "ec.pem")):
            with open(src) as f, open(os.path.join(HERE, dst), "w") as o:
                o.write(f.read())
    for case, xml in docs.items():
        with open(os.path.join(outdir, case + ".xml"), "w") as f:
            f.write(xml)
    return docs


if __name__ == "__main__":
    args = sys.argv[1:]
    when = 1767323045
    if "--now" in args:
        i = args.index("--now")
        when = int(args[i + 1])
        del args[i:i + 2]
    generate(args[0] if args else os.path.join(HERE, "..", "corpora",
                                               "saml_verify_diff"), when)
