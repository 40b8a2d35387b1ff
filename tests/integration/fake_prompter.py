#!/usr/bin/python3
"""A gnome-keyring system prompter that never answers: it takes the bus
name org.gnome.keyring.SystemPrompter on the session bus it is given
(DBUS_SESSION_BUS_ADDRESS), prints READY, then one line per method call
gnome-keyring makes (BeginPrompting, ...), and never calls back, so a
prompt it is asked for stays open as if a person had not typed yet.
Stops on SIGTERM.  Needs python3-gi.

    /usr/bin/python3 fake_prompter.py
"""

import signal

from gi.repository import Gio, GLib

IFACE = """<node><interface name="org.gnome.keyring.internal.Prompter">
<method name="BeginPrompting"><arg type="o" direction="in"/></method>
<method name="PerformPrompt"><arg type="o" direction="in"/>
<arg type="s" direction="in"/><arg type="a{sv}" direction="in"/>
<arg type="s" direction="in"/></method>
<method name="StopPrompting"><arg type="o" direction="in"/></method>
</interface></node>"""


def main():
    node = Gio.DBusNodeInfo.new_for_xml(IFACE)
    loop = GLib.MainLoop()

    def on_call(conn, sender, path, iface, method, params, invocation):
        print("CALL %s" % method, flush=True)
        invocation.return_value(None)

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
