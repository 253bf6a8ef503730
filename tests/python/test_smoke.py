# SPDX-License-Identifier: LGPL-2.1-or-later
"""Smoke test of the Rws-1 typelib from Python (PyGObject).

The peer is a Soup.Server in the same process and on the same GLib main
context, listening on 127.0.0.1 only. Run with Debian's /usr/bin/python3 and
GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at the build's lib/ directory.
"""

import gi

gi.require_version("GLib", "2.0")
gi.require_version("Soup", "3.0")
gi.require_version("Rws", "1")

from gi.repository import GLib, Rws, Soup  # noqa: E402

TIMEOUT_SECONDS = 10
GREETING = "hello from the peer"


class Peer:
    """A WebSocket server on 127.0.0.1 that greets each client with one text
    message and records the text messages it receives."""

    def __init__(self):
        self.server = Soup.Server()
        self.server.add_websocket_handler("/", None, None, self._on_websocket)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.port = self.server.get_uris()[0].get_port()
        self.url = f"ws://127.0.0.1:{self.port}/"
        # A connection held only by a local variable is disposed and closes,
        # so every accepted connection stays referenced here.
        self.connections = []
        self.received = []

    def _on_websocket(self, server, msg, path, connection):
        self.connections.append(connection)
        connection.connect("message", self._on_message)
        connection.send_text(GREETING)

    def _on_message(self, connection, data_type, data):
        if data_type == Soup.WebsocketDataType.TEXT:
            self.received.append(data.get_data().decode("utf-8"))

    def stop(self):
        for connection in self.connections:
            if connection.get_state() == Soup.WebsocketState.OPEN:
                connection.close(Soup.WebsocketCloseCode.GOING_AWAY, None)
        self.server.disconnect()


def run_until(loop_condition, description):
    """Iterate the default main context until loop_condition() is true.

    Fail the test when TIMEOUT_SECONDS pass first.
    """
    loop = GLib.MainLoop()
    timed_out = []

    def on_timeout():
        timed_out.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    def on_check():
        if loop_condition():
            loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    timeout_id = GLib.timeout_add_seconds(TIMEOUT_SECONDS, on_timeout)
    check_id = GLib.timeout_add(10, on_check)
    loop.run()
    if not timed_out:
        GLib.source_remove(timeout_id)
    else:
        GLib.source_remove(check_id)
    assert not timed_out, f"timed out after {TIMEOUT_SECONDS} s waiting for {description}"


def close_client(client):
    closed = []
    client.connect("closed", lambda _client: closed.append(True))
    client.close(1000, None)
    run_until(lambda: closed, "the closed signal")
    assert client.get_state() == Rws.State.CLOSED


def test_client_receives_text():
    peer = Peer()
    client = Rws.Client.new(peer.url)
    texts = []
    client.connect("message", lambda _client, message: texts.append(message.get_text()))
    try:
        client.start()
        run_until(lambda: texts, "a message from the peer")
        assert texts == [GREETING]
        assert client.get_state() == Rws.State.READY
        close_client(client)
    finally:
        peer.stop()


def test_client_sends_queued_text():
    peer = Peer()
    client = Rws.Client.new(peer.url)
    try:
        # Sent before start(): the client queues both and sends them in order
        # once it is ready.
        assert client.send_text("first")
        assert client.send_text("second")
        client.start()
        run_until(lambda: len(peer.received) >= 2, "two messages at the peer")
        assert peer.received == ["first", "second"]
        close_client(client)
    finally:
        peer.stop()
