# SPDX-License-Identifier: LGPL-2.1-or-later
"""A protocol plugin written in Python (PyGObject), registered at run time
and used by name from a configuration file.

EchoTopicProtocol subclasses Rws.Protocol through its do_* virtual
functions. The peer is a Python websockets server (10.4 on Debian 12) that
runs in a thread of the test process and listens on 127.0.0.1 only. Run
with Debian's /usr/bin/python3 and GI_TYPELIB_PATH and LD_LIBRARY_PATH
pointing at the build's lib/ directory.
"""

import asyncio
import json
import threading

import gi
import pytest
import websockets

gi.require_version("GLib", "2.0")
gi.require_version("GObject", "2.0")
gi.require_version("Rws", "1")

from gi.repository import GLib, GObject, Rws  # noqa: E402

from test_smoke import close_client, run_until  # noqa: E402

PROTOCOL_NAME = "py-echo-topic"
HOST = "127.0.0.1"
SERVER_TIMEOUT_SECONDS = 10

# What the protocol objects did, in order, over the whole test module. A
# module-level list keeps the record whatever happens to the Python wrapper
# of an object that C code created.
PROTOCOL_EVENTS = []


class EchoTopicProtocol(Rws.Protocol):
    """A JSON protocol: a hello message opens the session, subscribe
    messages are confirmed at once, and each incoming {"topic": ...,
    "data": ...} message goes to the subscription of its topic with its
    "data" member as the payload."""

    __gtype_name__ = "RwsTestEchoTopicProtocol"

    def do_opened(self):
        PROTOCOL_EVENTS.append("opened")
        self.send_text(json.dumps({"type": "hello"}))
        self.mark_ready()

    def do_subscribe(self, subscription):
        topic = subscription.get_topic()
        PROTOCOL_EVENTS.append(f"subscribe:{topic}")
        self.send_text(json.dumps({"op": "subscribe", "topic": topic}))
        self.confirm_subscription(subscription, f"py-{topic}")

    def do_frame_received(self, payload, binary):
        message = json.loads(payload.get_data().decode("utf-8"))
        topic = message.get("topic")
        if topic is None:
            PROTOCOL_EVENTS.append(f"control:{message.get('type')}")
            return
        subscription = self.find_subscription(topic)
        data = json.dumps(message["data"], separators=(",", ":")).encode("utf-8")
        self.deliver(subscription, topic, GLib.Bytes.new(data), False)

    def do_reset(self):
        PROTOCOL_EVENTS.append("reset")


_registered = []


def register_protocol():
    """Register EchoTopicProtocol in the default registry, once per process."""
    if not _registered:
        registry = Rws.Registry.get_default()
        registry.register_protocol(PROTOCOL_NAME, EchoTopicProtocol.__gtype__, "test protocol")
        _registered.append(True)


class TopicServer:
    """A websockets server on 127.0.0.1, in its own thread and event loop.

    It replies to {"type": "hello"} with {"type": "welcome"}, and to each
    {"op": "subscribe", "topic": T} with a message for a topic without a
    subscription, then {"topic": T, "data": {"n": 1}}. It records every text
    message it receives.
    """

    def __init__(self):
        self.received = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = future.result(timeout=SERVER_TIMEOUT_SECONDS)

    async def _start(self):
        self._server = await websockets.serve(self._handle, HOST, 0)
        return self._server.sockets[0].getsockname()[1]

    async def _handle(self, websocket, path=None):
        try:
            async for text in websocket:
                with self._lock:
                    self.received.append(text)
                message = json.loads(text)
                if message.get("type") == "hello":
                    await websocket.send(json.dumps({"type": "welcome"}))
                elif message.get("op") == "subscribe":
                    topic = message["topic"]
                    await websocket.send(json.dumps({"topic": "unsubscribed", "data": {"n": 0}}))
                    await websocket.send(json.dumps({"topic": topic, "data": {"n": 1}}))
        except websockets.ConnectionClosed:
            pass

    def dup_received(self):
        with self._lock:
            return list(self.received)

    def stop(self):
        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=SERVER_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=SERVER_TIMEOUT_SECONDS)
        self._loop.close()


@pytest.fixture
def server():
    topic_server = TopicServer()
    try:
        yield topic_server
    finally:
        topic_server.stop()


def load_single_client(path):
    clients = Rws.config_load(str(path))
    assert len(clients) == 1
    return clients[0]


def test_python_protocol_from_config(server, tmp_path):
    register_protocol()
    PROTOCOL_EVENTS.clear()

    config = tmp_path / "py.conf"
    config.write_text(
        "[endpoint py]\n"
        f"url=ws://127.0.0.1:{server.port}/\n"
        f"protocol={PROTOCOL_NAME}\n"
        "subscribe=news\n"
        "watch-network=false\n"
        "keepalive-interval=0\n",
        encoding="utf-8")

    client = load_single_client(config)
    assert client.get_name() == "py"
    assert client.get_protocol() == PROTOCOL_NAME
    assert isinstance(client.get_protocol_instance(), EchoTopicProtocol)

    subscriptions = client.get_subscriptions()
    assert subscriptions.get_n_items() == 1
    news = subscriptions.get_item(0)
    assert news.get_topic() == "news"

    routed = []
    news.connect("message", lambda _subscription, message: routed.append(
        (message.get_topic(), message.get_text(), message.get_subscription())))
    client_messages = []
    client.connect("message", lambda _client, message: client_messages.append(
        (message.get_topic(), message.get_text())))

    client.start()
    run_until(lambda: routed and len(client_messages) >= 2, "the message routed to news")

    # The subscription got only its own topic; the client got both messages.
    assert routed == [("news", '{"n":1}', news)]
    assert client_messages == [("unsubscribed", '{"n":0}'), ("news", '{"n":1}')]
    assert news.get_state() == Rws.SubscriptionState.ACTIVE
    assert news.get_id() == "py-news"
    assert client.get_state() == Rws.State.READY

    # The hello came first, then the subscribe message of the restore.
    received = [json.loads(text) for text in server.dup_received()]
    assert received == [{"type": "hello"}, {"op": "subscribe", "topic": "news"}]
    assert PROTOCOL_EVENTS == ["reset", "opened", "subscribe:news", "control:welcome"]

    close_client(client)


def test_register_same_name_twice():
    register_protocol()

    with pytest.raises(GLib.Error) as raised:
        Rws.Registry.get_default().register_protocol(
            PROTOCOL_NAME, EchoTopicProtocol.__gtype__, "the same name again")

    assert raised.value.matches(Rws.error_quark(), Rws.Error.PLUGIN_FAILED)
    assert PROTOCOL_NAME in raised.value.message


def test_register_rejects_non_protocol_type():
    with pytest.raises(GLib.Error) as raised:
        Rws.Registry.get_default().register_protocol(
            "py-not-a-protocol", GObject.Object.__gtype__, "not a protocol")

    assert raised.value.matches(Rws.error_quark(), Rws.Error.PLUGIN_FAILED)
    assert "py-not-a-protocol" in raised.value.message
