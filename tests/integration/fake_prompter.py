#!/usr/bin/python3
"""A gnome-keyring system prompter for tests: it takes the bus name
org.gnome.keyring.SystemPrompter on the session bus it is given
(DBUS_SESSION_BUS_ADDRESS), prints READY, then one line per method call
gnome-keyring makes (CALL BeginPrompting, ...).  Stops on SIGTERM.
Needs python3-gi and python3-cryptography.

Without FAKE_PROMPTER_PASSWORD it never answers: a prompt it is asked
for stays open, as if a person had not typed yet.  With it, it answers
every password prompt with that password, as a person typing it would,
through gcr's secret exchange ("sx-aes-1": DH over the 1536-bit IKE
group, HKDF-SHA256 to an AES-128 key, AES-CBC with PKCS#7 padding), at
most three times per prompt.

    [FAKE_PROMPTER_PASSWORD=...] /usr/bin/python3 fake_prompter.py
"""

import base64
import os
import secrets
import signal

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from gi.repository import Gio, GLib

IFACE = """<node><interface name="org.gnome.keyring.internal.Prompter">
<method name="BeginPrompting"><arg type="o" direction="in"/></method>
<method name="PerformPrompt"><arg type="o" direction="in"/>
<arg type="s" direction="in"/><arg type="a{sv}" direction="in"/>
<arg type="s" direction="in"/></method>
<method name="StopPrompting"><arg type="o" direction="in"/></method>
</interface></node>"""
CALLBACK = "org.gnome.keyring.internal.Prompter.Callback"
SECTION = "sx-aes-1"
# RFC 3526, group 5 (1536-bit MODP), generator 2
PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF", 16)
PRIME_BYTES = (PRIME.bit_length() + 7) // 8


def b64(data):
    return base64.b64encode(data).decode()


class Exchange:
    """One side of gcr's secret exchange: the one that begins it."""

    def __init__(self):
        self.priv = secrets.randbelow(PRIME - 3) + 2
        pub = pow(2, self.priv, PRIME)
        self.pub = pub.to_bytes((pub.bit_length() + 7) // 8, "big")
        self.key = None

    def begin(self):
        return "[%s]\npublic=%s" % (SECTION, b64(self.pub))

    def receive(self, text):
        fields = dict(line.split("=", 1) for line in text.splitlines()
                      if "=" in line)
        peer = int.from_bytes(base64.b64decode(fields["public"]), "big")
        shared = pow(peer, self.priv, PRIME).to_bytes(PRIME_BYTES, "big")
        self.key = HKDF(algorithm=hashes.SHA256(), length=16, salt=None,
                        info=None).derive(shared)

    def send(self, secret):
        iv = secrets.token_bytes(16)
        padder = padding.PKCS7(128).padder()
        data = padder.update(secret.encode()) + padder.finalize()
        enc = Cipher(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
        sealed = enc.update(data) + enc.finalize()
        return "[%s]\npublic=%s\nsecret=%s\niv=%s" % (
            SECTION, b64(self.pub), b64(sealed), b64(iv))


def main():
    password = os.environ.get("FAKE_PROMPTER_PASSWORD")
    node = Gio.DBusNodeInfo.new_for_xml(IFACE)
    loop = GLib.MainLoop()
    prompts = {}  # callback path -> [Exchange, answers given]

    def ready(conn, sender, callback, reply, exchange):
        conn.call(sender, callback, CALLBACK, "PromptReady",
                  GLib.Variant("(sa{sv}s)", (reply, {}, exchange)), None,
                  Gio.DBusCallFlags.NONE, -1, None, None, None)
        return GLib.SOURCE_REMOVE

    def on_call(conn, sender, path, iface, method, params, invocation):
        print("CALL %s" % method, flush=True)
        invocation.return_value(None)
        if password is None:
            return
        callback = params.unpack()[0]
        if method == "BeginPrompting":
            ex = Exchange()
            prompts[callback] = [ex, 0]
            GLib.idle_add(ready, conn, sender, callback, "", ex.begin())
        elif method == "PerformPrompt" and callback in prompts:
            state = prompts[callback]
            ex, kind, exchange = state[0], params.unpack()[1], \
                params.unpack()[3]
            ex.receive(exchange)
            state[1] += 1
            if kind == "password" and state[1] <= 3:
                GLib.idle_add(ready, conn, sender, callback, "yes",
                              ex.send(password))
            else:
                GLib.idle_add(ready, conn, sender, callback, "no",
                              ex.begin())
        elif method == "StopPrompting":
            prompts.pop(callback, None)

    def on_bus(conn, name):
        conn.register_object("/org/gnome/keyring/Prompter",
                             node.interfaces[0], on_call, None, None)

    def on_name(conn, name):
        print("READY", flush=True)

    def on_lost(conn, name):
        print("LOST", flush=True)
        loop.quit()

    Gio.bus_own_name(Gio.BusType.SESSION, "org.gnome.keyring.SystemPrompter",
                     Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
